// kiln-test: stdin = "first line\nsecond line\n"
// kiln-test: stdout-file
// kiln-test: stderr-contains = to stderr
//! Standard streams: reading stdin, writing stdout/stderr with gathered
//! iovecs, and what the P1 calls report for fds 0-2 (run with pipes, so the
//! file type is `unknown`).

#[repr(C)]
struct Ciovec {
    buf: *const u8,
    len: usize,
}
#[repr(C)]
struct Iovec {
    buf: *mut u8,
    len: usize,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_write(fd: u32, iovs: *const Ciovec, n: usize, nwritten: *mut usize) -> u32;
    fn fd_pwrite(fd: u32, iovs: *const Ciovec, n: usize, off: u64, nwritten: *mut usize) -> u32;
    fn fd_read(fd: u32, iovs: *const Iovec, n: usize, nread: *mut usize) -> u32;
    fn fd_pread(fd: u32, iovs: *const Iovec, n: usize, off: u64, nread: *mut usize) -> u32;
    fn fd_fdstat_get(fd: u32, buf: *mut u8) -> u32;
    fn fd_filestat_get(fd: u32, buf: *mut u64) -> u32;
    fn fd_seek(fd: u32, off: i64, whence: u32, new: *mut u64) -> u32;
    fn fd_tell(fd: u32, pos: *mut u64) -> u32;
    fn fd_sync(fd: u32) -> u32;
    fn fd_datasync(fd: u32) -> u32;
    fn fd_advise(fd: u32, off: u64, len: u64, advice: u32) -> u32;
    fn fd_filestat_set_size(fd: u32, size: u64) -> u32;
    fn fd_fdstat_set_flags(fd: u32, flags: u32) -> u32;
    fn fd_readdir(fd: u32, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) -> u32;
}

fn main() {
    use std::io::Write;
    unsafe {
        // Gathered write: only the first non-empty iovec is written per call
        // (wasmtime's behaviour); print what the call reports.
        let parts = [
            Ciovec { buf: b"".as_ptr(), len: 0 },
            Ciovec { buf: b"one ".as_ptr(), len: 4 },
            Ciovec { buf: b"two\n".as_ptr(), len: 4 },
        ];
        let mut n = 0;
        let e = fd_write(1, parts.as_ptr(), 3, &mut n);
        println!("\nfd_write -> {e} nwritten={n}");
        let e = fd_write(1, parts.as_ptr(), 1, &mut n);
        println!("fd_write(empty only) -> {e} nwritten={n}");
        let e = fd_write(1, parts.as_ptr(), 0, &mut n);
        println!("fd_write(no iovecs) -> {e} nwritten={n}");
        let e = fd_write(2, parts[1..].as_ptr(), 1, &mut n);
        println!("fd_write(stderr) -> {e} nwritten={n}");
        let e = fd_write(0, parts[1..].as_ptr(), 1, &mut n);
        println!("fd_write(stdin) -> {e}");
        let e = fd_pwrite(1, parts[1..].as_ptr(), 1, 0, &mut n);
        println!("fd_pwrite(stdout) -> {e}");

        for fd in 0..3 {
            let mut st = [0u8; 24];
            let e = fd_fdstat_get(fd, st.as_mut_ptr());
            let base = u64::from_le_bytes(st[8..16].try_into().unwrap());
            let inh = u64::from_le_bytes(st[16..24].try_into().unwrap());
            let flags = u16::from_le_bytes(st[2..4].try_into().unwrap());
            println!("fd {fd}: fdstat -> {e} type={} flags={flags} base={base:#x} inheriting={inh:#x}", st[0]);
            let mut fs = [0xffu64; 8];
            let e = fd_filestat_get(fd, fs.as_mut_ptr());
            println!("fd {fd}: filestat -> {e} dev={} ino={} type={} nlink={} size={} times={},{},{}",
                fs[0], fs[1], fs[2] & 0xff, fs[3], fs[4], fs[5], fs[6], fs[7]);
            let mut pos = 0;
            println!("fd {fd}: seek -> {} tell -> {}", fd_seek(fd, 0, 0, &mut pos), fd_tell(fd, &mut pos));
            println!("fd {fd}: sync -> {} datasync -> {} advise -> {} set_size -> {} set_flags -> {}",
                fd_sync(fd), fd_datasync(fd), fd_advise(fd, 0, 0, 0), fd_filestat_set_size(fd, 0), fd_fdstat_set_flags(fd, 0));
            let mut buf = [0u8; 64];
            println!("fd {fd}: readdir -> {}", fd_readdir(fd, buf.as_mut_ptr(), 64, 0, &mut n));
        }

        // Reading: stdout is not readable, stdin cannot be pread.
        let mut buf = [0u8; 6];
        let iov = [Iovec { buf: buf.as_mut_ptr(), len: 6 }];
        println!("fd_read(stdout) -> {}", fd_read(1, iov.as_ptr(), 1, &mut n));
        println!("fd_pread(stdin) -> {}", fd_pread(0, iov.as_ptr(), 1, 0, &mut n));
        let e = fd_read(0, iov.as_ptr(), 1, &mut n);
        println!("fd_read(stdin, 6) -> {e} {:?}", std::str::from_utf8(&buf[..n]).unwrap());
    }
    // The rest through std.
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut rest).unwrap();
    println!("rest of stdin: {rest:?}");
    let mut tail = [0u8; 4];
    println!("read at EOF: {:?}", std::io::Read::read(&mut std::io::stdin(), &mut tail).unwrap());
    eprintln!("this goes to stderr");
    std::io::stdout().flush().unwrap();
    print!("no newline at end");
}
