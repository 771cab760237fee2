// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
//! Directories: create, list (fd_readdir records, cookies, `.`/`..`,
//! truncated buffers), remove, rename, stat, and the errno of each misuse.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn path_open(fd: u32, dirflags: u32, path: *const u8, len: usize, oflags: u32, base: u64, inh: u64, fdflags: u32, out: *mut u32) -> u32;
    fn path_create_directory(fd: u32, path: *const u8, len: usize) -> u32;
    fn path_remove_directory(fd: u32, path: *const u8, len: usize) -> u32;
    fn path_unlink_file(fd: u32, path: *const u8, len: usize) -> u32;
    fn path_rename(fd: u32, old: *const u8, old_len: usize, new_fd: u32, new: *const u8, new_len: usize) -> u32;
    fn path_filestat_get(fd: u32, flags: u32, path: *const u8, len: usize, buf: *mut u64) -> u32;
    fn fd_readdir(fd: u32, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) -> u32;
    fn fd_fdstat_get(fd: u32, buf: *mut u8) -> u32;
    fn fd_filestat_get(fd: u32, buf: *mut u64) -> u32;
    fn fd_close(fd: u32) -> u32;
    fn fd_seek(fd: u32, off: i64, whence: u32, new: *mut u64) -> u32;
    fn fd_read(fd: u32, iovs: *const [usize; 2], n: usize, nread: *mut usize) -> u32;
}

fn mkdir(fd: u32, p: &str) -> u32 {
    unsafe { path_create_directory(fd, p.as_ptr(), p.len()) }
}
fn rmdir(fd: u32, p: &str) -> u32 {
    unsafe { path_remove_directory(fd, p.as_ptr(), p.len()) }
}
fn unlink(fd: u32, p: &str) -> u32 {
    unsafe { path_unlink_file(fd, p.as_ptr(), p.len()) }
}
fn rename(a: &str, b: &str) -> u32 {
    unsafe { path_rename(3, a.as_ptr(), a.len(), 3, b.as_ptr(), b.len()) }
}
fn open(fd: u32, p: &str, oflags: u32, rights: u64) -> Result<u32, u32> {
    let mut out = 0;
    match unsafe { path_open(fd, 0, p.as_ptr(), p.len(), oflags, rights, 0, 0, &mut out) } {
        0 => Ok(out),
        e => Err(e),
    }
}
fn stat(fd: u32, p: &str) -> String {
    let mut s = [0u64; 8];
    let e = unsafe { path_filestat_get(fd, 0, p.as_ptr(), p.len(), s.as_mut_ptr()) };
    if e != 0 {
        return format!("stat {p:?} -> {e}");
    }
    // Directory link counts depend on the host filesystem.
    let nlink = if s[2] & 0xff == 3 { "-".to_string() } else { s[3].to_string() };
    format!("stat {p:?} -> 0 type={} nlink={nlink} dev={}", s[2] & 0xff, s[0])
}

/// Parses dirent records: (next cookie, ino, type, name).
fn parse(buf: &[u8]) -> Vec<(u64, u64, u8, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 24 <= buf.len() {
        let next = u64::from_le_bytes(buf[i..i + 8].try_into().unwrap());
        let ino = u64::from_le_bytes(buf[i + 8..i + 16].try_into().unwrap());
        let namlen = u32::from_le_bytes(buf[i + 16..i + 20].try_into().unwrap()) as usize;
        let ty = buf[i + 20];
        let end = (i + 24 + namlen).min(buf.len());
        out.push((next, ino, ty, String::from_utf8_lossy(&buf[i + 24..end]).into_owned()));
        i += 24 + namlen;
    }
    out
}

fn readdir(fd: u32, len: usize, cookie: u64) -> (u32, usize, Vec<u8>) {
    let mut buf = vec![0u8; len];
    let mut used = 0;
    let e = unsafe { fd_readdir(fd, buf.as_mut_ptr(), len, cookie, &mut used) };
    buf.truncate(used);
    (e, used, buf)
}

fn listing(fd: u32) -> Vec<String> {
    let (e, _, buf) = readdir(fd, 4096, 0);
    assert_eq!(e, 0);
    let mut names: Vec<String> = parse(&buf).into_iter().map(|(_, _, t, n)| format!("{n}:{t}")).collect();
    names.sort();
    names
}

fn main() {
    println!("mkdir a -> {}", mkdir(3, "a"));
    println!("mkdir a again -> {}", mkdir(3, "a"));
    println!("mkdir a/b -> {}", mkdir(3, "a/b"));
    println!("mkdir x/y (no parent) -> {}", mkdir(3, "x/y"));
    println!("mkdir empty path -> {}", mkdir(3, ""));
    println!("mkdir . -> {}", mkdir(3, "."));
    println!("mkdir trailing slash c/ -> {}", mkdir(3, "c/"));
    std::fs::write("/sandbox/a/file.txt", b"0123456789").unwrap();
    std::fs::write("/sandbox/top.txt", b"t").unwrap();
    println!("mkdir over file -> {}", mkdir(3, "top.txt"));
    println!("mkdir under file -> {}", mkdir(3, "top.txt/d"));
    println!("{}", stat(3, "a"));
    println!("{}", stat(3, "a/file.txt"));
    println!("{}", stat(3, "."));
    println!("{}", stat(3, ""));
    println!("{}", stat(3, "a/"));
    println!("{}", stat(3, "top.txt/"));
    println!("{}", stat(3, "nope"));
    println!("root listing: {:?}", listing(3));

    // Full records of a/: ".", "..", then b and file.txt in host order.
    let a = open(3, "a", 2, 1 << 14).unwrap();
    println!("opened a as fd {a}");
    let (e, used, buf) = readdir(a, 4096, 0);
    let recs = parse(&buf);
    println!("readdir -> {e} used={used} records={}", recs.len());
    let mut sorted: Vec<_> = recs.iter().map(|(_, _, t, n)| (n.clone(), *t)).collect();
    sorted.sort();
    println!("entries: {sorted:?}");
    println!("cookies: {:?}", recs.iter().map(|r| r.0).collect::<Vec<_>>());
    println!(". and .. share the dir's ino: {}", recs[0].1 == recs[1].1 && recs[0].3 == "." && recs[1].3 == "..");
    let mut fs = [0u64; 8];
    unsafe { fd_filestat_get(a, fs.as_mut_ptr()) };
    println!(". ino equals fd_filestat_get ino: {}", recs[0].1 == fs[1]);
    let mut ps = [0u64; 8];
    unsafe { path_filestat_get(3, 0, "a/b".as_ptr(), 3, ps.as_mut_ptr()) };
    println!("b's dirent ino equals path_filestat_get ino: {}", recs.iter().any(|r| r.3 == "b" && r.1 == ps[1]));
    // Resuming from each cookie gives the tail.
    for c in 0..=4 {
        let (e, used, buf) = readdir(a, 4096, c);
        println!("cookie {c} -> {e} used={used} n={}", parse(&buf).len());
    }
    // Small buffers: the record is cut and the buffer reported full.
    for len in [0usize, 10, 24, 25, 30] {
        let (e, used, buf) = readdir(a, len, 0);
        println!("buf {len} -> {e} used={used} first={:?}", parse(&buf).first().map(|r| (r.0, r.2, r.3.clone())));
    }
    println!("dir fdstat type/flags: {}", {
        let mut s = [0u8; 24];
        let e = unsafe { fd_fdstat_get(a, s.as_mut_ptr()) };
        format!("{e} {} {} base={:#x}", s[0], s[2], u64::from_le_bytes(s[8..16].try_into().unwrap()))
    });
    let mut pos = 0;
    println!("seek on dir -> {}", unsafe { fd_seek(a, 0, 0, &mut pos) });
    let mut b = [0u8; 4];
    let iov = [[b.as_mut_ptr() as usize, 4]];
    let mut n = 0;
    println!("read on dir -> {}", unsafe { fd_read(a, iov.as_ptr(), 1, &mut n) });
    // Paths relative to the opened directory.
    println!("mkdir via fd a: b2 -> {}", mkdir(a, "b2"));
    println!("{}", stat(a, "b2"));
    println!("{}", stat(a, ".."));
    let f = open(3, "top.txt", 0, 2).unwrap();
    let (e, _, _) = readdir(f, 100, 0);
    println!("readdir on file -> {e}");
    println!("mkdir via file fd -> {}", mkdir(f, "z"));
    unsafe { fd_close(f) };

    // Removal errors.
    println!("rmdir a (not empty) -> {}", rmdir(3, "a"));
    println!("rmdir a/file.txt -> {}", rmdir(3, "a/file.txt"));
    println!("rmdir missing -> {}", rmdir(3, "missing"));
    println!("unlink a/b (dir) -> {}", unlink(3, "a/b"));
    println!("unlink missing -> {}", unlink(3, "missing"));
    println!("rmdir . -> {}", rmdir(3, "."));
    println!("rmdir a/b -> {}", rmdir(3, "a/b"));
    println!("rmdir a/b again -> {}", rmdir(3, "a/b"));
    println!("rmdir a/b2/ -> {}", rmdir(3, "a/b2/"));
    println!("unlink a/file.txt/ -> {}", unlink(3, "a/file.txt/"));

    // Renames.
    println!("rename top.txt -> a/moved.txt: {}", rename("top.txt", "a/moved.txt"));
    println!("rename missing: {}", rename("top.txt", "x"));
    println!("mkdir d1, d2 -> {} {}", mkdir(3, "d1"), mkdir(3, "d2"));
    std::fs::write("/sandbox/d2/f", b"").unwrap();
    println!("rename dir over non-empty dir: {}", rename("d1", "d2"));
    println!("rename file over dir: {}", rename("a/moved.txt", "d1"));
    println!("rename dir over file: {}", rename("d1", "a/moved.txt"));
    println!("rename dir into itself: {}", rename("d1", "d1/sub"));
    println!("rename d1 -> d3: {}", rename("d1", "d3"));
    println!("rename across fds: {}", unsafe { path_rename(a, "moved.txt".as_ptr(), 9, 3, "back.txt".as_ptr(), 8) });
    println!("rename with bad fd: {}", unsafe { path_rename(3, "back.txt".as_ptr(), 8, 99, "x".as_ptr(), 1) });
    println!("root listing: {:?}", listing(3));
    println!("a listing: {:?}", listing(a));
    // Remove a directory while an fd to it is open, then list it.
    println!("unlink a/file.txt -> {}", unlink(3, "a/file.txt"));
    println!("rmdir a/b2 -> {}", rmdir(3, "a/b2"));
    println!("rmdir a -> {}", rmdir(3, "a"));
    let (e, used, _) = readdir(a, 4096, 0);
    println!("readdir of removed dir -> {e} used={used}");
    println!("close a -> {}", unsafe { fd_close(a) });

    // std view.
    let mut names: Vec<String> = std::fs::read_dir("/sandbox").unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    println!("std read_dir: {names:?}");
    std::fs::create_dir_all("/sandbox/p/q/r").unwrap();
    println!("create_dir_all ok: {}", std::path::Path::new("/sandbox/p/q/r").is_dir());
    std::fs::remove_dir_all("/sandbox/p").unwrap();
    println!("remove_dir_all ok: {}", !std::path::Path::new("/sandbox/p").exists());
}
