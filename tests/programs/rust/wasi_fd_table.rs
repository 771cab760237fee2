// kiln-test: dir = fixture::/sandbox
// kiln-test: dir = fixture::/second
// kiln-test: stdout-file
//! The descriptor table: preopen numbering and prestat, fd_renumber,
//! fd_close and number reuse (highest freed number first), and EBADF from
//! every fd_* call on a closed or never-opened descriptor.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_prestat_get(fd: u32, buf: *mut u32) -> u32;
    fn fd_prestat_dir_name(fd: u32, buf: *mut u8, len: usize) -> u32;
    fn fd_renumber(from: u32, to: u32) -> u32;
    fn fd_close(fd: u32) -> u32;
    fn path_open(fd: u32, dirflags: u32, path: *const u8, len: usize, oflags: u32, base: u64, inh: u64, fdflags: u32, out: *mut u32) -> u32;
    fn fd_write(fd: u32, iovs: *const [usize; 2], n: usize, nwritten: *mut usize) -> u32;
    fn fd_read(fd: u32, iovs: *const [usize; 2], n: usize, nread: *mut usize) -> u32;
    fn fd_pread(fd: u32, iovs: *const [usize; 2], n: usize, off: u64, nread: *mut usize) -> u32;
    fn fd_pwrite(fd: u32, iovs: *const [usize; 2], n: usize, off: u64, nwritten: *mut usize) -> u32;
    fn fd_advise(fd: u32, off: u64, len: u64, advice: u32) -> u32;
    fn fd_allocate(fd: u32, off: u64, len: u64) -> u32;
    fn fd_datasync(fd: u32) -> u32;
    fn fd_sync(fd: u32) -> u32;
    fn fd_fdstat_get(fd: u32, buf: *mut u8) -> u32;
    fn fd_fdstat_set_flags(fd: u32, flags: u32) -> u32;
    fn fd_fdstat_set_rights(fd: u32, base: u64, inh: u64) -> u32;
    fn fd_filestat_get(fd: u32, buf: *mut u64) -> u32;
    fn fd_filestat_set_size(fd: u32, size: u64) -> u32;
    fn fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, fst: u32) -> u32;
    fn fd_readdir(fd: u32, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) -> u32;
    fn fd_seek(fd: u32, off: i64, whence: u32, new: *mut u64) -> u32;
    fn fd_tell(fd: u32, pos: *mut u64) -> u32;
    fn path_create_directory(fd: u32, path: *const u8, len: usize) -> u32;
    fn path_filestat_get(fd: u32, flags: u32, path: *const u8, len: usize, buf: *mut u64) -> u32;
    fn path_readlink(fd: u32, path: *const u8, len: usize, buf: *mut u8, buf_len: usize, used: *mut usize) -> u32;
    fn path_remove_directory(fd: u32, path: *const u8, len: usize) -> u32;
    fn path_unlink_file(fd: u32, path: *const u8, len: usize) -> u32;
    fn path_symlink(old: *const u8, old_len: usize, fd: u32, new: *const u8, new_len: usize) -> u32;
    fn path_filestat_set_times(fd: u32, flags: u32, path: *const u8, len: usize, atim: u64, mtim: u64, fst: u32) -> u32;
}

fn prestat(fd: u32) -> String {
    let mut p = [0u32; 2];
    let e = unsafe { fd_prestat_get(fd, p.as_mut_ptr()) };
    if e != 0 {
        let mut name = [0u8; 32];
        return format!("prestat {fd} -> {e}, dir_name -> {}", unsafe { fd_prestat_dir_name(fd, name.as_mut_ptr(), 32) });
    }
    let mut name = vec![0u8; p[1] as usize];
    let e2 = unsafe { fd_prestat_dir_name(fd, name.as_mut_ptr(), name.len()) };
    let short = if p[1] > 0 { unsafe { fd_prestat_dir_name(fd, name.as_mut_ptr(), name.len() - 1) } } else { 0 };
    format!("prestat {fd} -> 0 tag={} len={} name -> {e2} {:?} (short buffer -> {short})", p[0] & 0xff, p[1], std::str::from_utf8(&name).unwrap())
}

fn open(fd: u32, path: &str) -> String {
    let mut out = 0;
    match unsafe { path_open(fd, 0, path.as_ptr(), path.len(), 1, 2 | 64, 0, 0, &mut out) } {
        0 => format!("fd {out}"),
        e => format!("errno {e}"),
    }
}

fn all_calls(fd: u32) -> Vec<u32> {
    let mut b = [0u8; 64];
    let mut q = [0u64; 8];
    let iov = [[b.as_mut_ptr() as usize, 4]];
    let mut n = 0;
    let mut pos = 0;
    unsafe {
        vec![
            fd_write(fd, iov.as_ptr(), 1, &mut n),
            fd_read(fd, iov.as_ptr(), 1, &mut n),
            fd_pread(fd, iov.as_ptr(), 1, 0, &mut n),
            fd_pwrite(fd, iov.as_ptr(), 1, 0, &mut n),
            fd_advise(fd, 0, 0, 0),
            fd_allocate(fd, 0, 1),
            fd_datasync(fd),
            fd_sync(fd),
            fd_fdstat_get(fd, b.as_mut_ptr()),
            fd_fdstat_set_flags(fd, 0),
            fd_fdstat_set_rights(fd, 0, 0),
            fd_filestat_get(fd, q.as_mut_ptr()),
            fd_filestat_set_size(fd, 0),
            fd_filestat_set_times(fd, 0, 0, 0),
            fd_readdir(fd, b.as_mut_ptr(), 64, 0, &mut n),
            fd_seek(fd, 0, 1, &mut pos),
            fd_tell(fd, &mut pos),
            fd_prestat_get(fd, q.as_mut_ptr() as *mut u32),
            fd_prestat_dir_name(fd, b.as_mut_ptr(), 64),
            path_create_directory(fd, "x".as_ptr(), 1),
            path_filestat_get(fd, 0, "x".as_ptr(), 1, q.as_mut_ptr()),
            path_readlink(fd, "x".as_ptr(), 1, b.as_mut_ptr(), 64, &mut n),
            path_remove_directory(fd, "x".as_ptr(), 1),
            path_unlink_file(fd, "x".as_ptr(), 1),
            path_symlink("y".as_ptr(), 1, fd, "x".as_ptr(), 1),
            path_filestat_set_times(fd, 0, "x".as_ptr(), 1, 0, 0, 0),
            fd_renumber(fd, 1),
            fd_renumber(1, fd),
            fd_close(fd),
        ]
    }
}

fn main() {
    for fd in 0..6 {
        println!("{}", prestat(fd));
    }
    println!("open a -> {}", open(3, "a"));
    println!("open b -> {}", open(4, "b"));
    println!("open c -> {}", open(3, "c"));
    println!("open d -> {}", open(3, "d"));
    println!("close 6 -> {}", unsafe { fd_close(6) });
    println!("close 7 -> {}", unsafe { fd_close(7) });
    println!("open e (reuses highest freed) -> {}", open(3, "e"));
    println!("open f -> {}", open(3, "f"));
    println!("open g -> {}", open(3, "g"));
    println!("renumber 5 -> 6: {}", unsafe { fd_renumber(5, 6) });
    println!("prestat 6 after renumber: {}", prestat(6));
    println!("renumber 5 (now closed) -> 6: {}", unsafe { fd_renumber(5, 6) });
    println!("renumber 6 -> 20 (closed target): {}", unsafe { fd_renumber(6, 20) });
    println!("renumber 6 -> 6: {}", unsafe { fd_renumber(6, 6) });
    println!("open h (reuses 5) -> {}", open(3, "h"));
    println!("renumber preopen 4 -> 9: {}", unsafe { fd_renumber(4, 9) });
    println!("{}", prestat(9));
    println!("{}", prestat(4));
    println!("open via old number 4 -> {}", open(4, "i"));
    println!("open via new number 9 -> {}", open(9, "i"));
    // Writing through a renumbered file descriptor.
    let msg = b"moved";
    let iov = [[msg.as_ptr() as usize, msg.len()]];
    let mut n = 0;
    println!("renumber 8 -> 2 (stderr): {}", unsafe { fd_renumber(8, 2) });
    println!("write via 2 -> {} n={n}", unsafe { fd_write(2, iov.as_ptr(), 1, &mut n) });
    println!("contents of d: {:?}", std::fs::read_to_string("/sandbox/d").unwrap());
    println!("close stdin -> {}", unsafe { fd_close(0) });
    println!("open j (reuses 0? no: highest freed) -> {}", open(3, "j"));
    println!("bad fd 100: {:?}", all_calls(100));
    println!("bad fd u32::MAX: {:?}", all_calls(u32::MAX));
    println!("closed fd 0: {:?}", all_calls(0));
}
