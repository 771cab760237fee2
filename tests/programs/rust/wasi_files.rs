// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
//! Regular files through the raw P1 calls on the preopen (fd 3): create,
//! write, read, seek/tell, pread/pwrite, append mode, truncation, sizes,
//! rights and flags reported by fd_fdstat_get, sync calls.

#[repr(C)]
struct Iovec {
    buf: *const u8,
    len: usize,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn path_open(fd: u32, dirflags: u32, path: *const u8, len: usize, oflags: u32, base: u64, inh: u64, fdflags: u32, out: *mut u32) -> u32;
    fn fd_write(fd: u32, iovs: *const Iovec, n: usize, nwritten: *mut usize) -> u32;
    fn fd_pwrite(fd: u32, iovs: *const Iovec, n: usize, off: u64, nwritten: *mut usize) -> u32;
    fn fd_read(fd: u32, iovs: *const Iovec, n: usize, nread: *mut usize) -> u32;
    fn fd_pread(fd: u32, iovs: *const Iovec, n: usize, off: u64, nread: *mut usize) -> u32;
    fn fd_seek(fd: u32, off: i64, whence: u32, new: *mut u64) -> u32;
    fn fd_tell(fd: u32, pos: *mut u64) -> u32;
    fn fd_close(fd: u32) -> u32;
    fn fd_sync(fd: u32) -> u32;
    fn fd_datasync(fd: u32) -> u32;
    fn fd_advise(fd: u32, off: u64, len: u64, advice: u32) -> u32;
    fn fd_allocate(fd: u32, off: u64, len: u64) -> u32;
    fn fd_filestat_get(fd: u32, buf: *mut u64) -> u32;
    fn fd_filestat_set_size(fd: u32, size: u64) -> u32;
    fn fd_fdstat_get(fd: u32, buf: *mut u8) -> u32;
    fn fd_fdstat_set_flags(fd: u32, flags: u32) -> u32;
    fn fd_fdstat_set_rights(fd: u32, base: u64, inh: u64) -> u32;
}

const CREAT: u32 = 1;
const TRUNC: u32 = 8;
const EXCL: u32 = 4;
const READ: u64 = 1 << 1;
const WRITE: u64 = 1 << 6;
const APPEND: u32 = 1;

fn open(path: &str, oflags: u32, rights: u64, fdflags: u32) -> Result<u32, u32> {
    let mut fd = 0;
    match unsafe { path_open(3, 1, path.as_ptr(), path.len(), oflags, rights, 0, fdflags, &mut fd) } {
        0 => Ok(fd),
        e => Err(e),
    }
}

fn write(fd: u32, data: &[u8]) -> String {
    let iov = [Iovec { buf: data.as_ptr(), len: data.len() }];
    let mut n = 0;
    let e = unsafe { fd_write(fd, iov.as_ptr(), 1, &mut n) };
    format!("write {:?} -> {e} n={n}", std::str::from_utf8(data).unwrap())
}

fn read(fd: u32, len: usize) -> String {
    let mut buf = vec![0u8; len];
    let iov = [Iovec { buf: buf.as_mut_ptr(), len }];
    let mut n = 0;
    let e = unsafe { fd_read(fd, iov.as_ptr(), 1, &mut n) };
    format!("read {len} -> {e} {:?}", String::from_utf8_lossy(&buf[..n]))
}

fn pread(fd: u32, len: usize, off: u64) -> String {
    let mut buf = vec![0u8; len];
    let iov = [Iovec { buf: buf.as_mut_ptr(), len }];
    let mut n = 0;
    let e = unsafe { fd_pread(fd, iov.as_ptr(), 1, off, &mut n) };
    format!("pread {len}@{off} -> {e} {:?}", String::from_utf8_lossy(&buf[..n]))
}

fn pwrite(fd: u32, data: &[u8], off: u64) -> String {
    let iov = [Iovec { buf: data.as_ptr(), len: data.len() }];
    let mut n = 0;
    let e = unsafe { fd_pwrite(fd, iov.as_ptr(), 1, off, &mut n) };
    format!("pwrite {:?}@{off} -> {e} n={n}", std::str::from_utf8(data).unwrap())
}

fn seek(fd: u32, off: i64, whence: u32) -> String {
    let mut pos = 12345;
    let e = unsafe { fd_seek(fd, off, whence, &mut pos) };
    format!("seek {off} whence {whence} -> {e} pos={pos}")
}

fn tell(fd: u32) -> String {
    let mut pos = 0;
    let e = unsafe { fd_tell(fd, &mut pos) };
    format!("tell -> {e} pos={pos}")
}

fn stat(fd: u32) -> String {
    let mut s = [0u64; 8];
    let e = unsafe { fd_filestat_get(fd, s.as_mut_ptr()) };
    format!("filestat -> {e} dev={} type={} nlink={} size={} ino_nonzero={}", s[0], s[2] & 0xff, s[3], s[4], s[1] != 0)
}

fn fdstat(fd: u32) -> String {
    let mut s = [0u8; 24];
    let e = unsafe { fd_fdstat_get(fd, s.as_mut_ptr()) };
    let flags = u16::from_le_bytes([s[2], s[3]]);
    let base = u64::from_le_bytes(s[8..16].try_into().unwrap());
    let inh = u64::from_le_bytes(s[16..24].try_into().unwrap());
    format!("fdstat -> {e} type={} flags={flags} base={base:#x} inh={inh:#x}", s[0])
}

fn main() {
    let fd = open("data.txt", CREAT | EXCL, READ | WRITE, 0).unwrap();
    println!("opened data.txt as fd {fd}");
    println!("{}", fdstat(fd));
    println!("{}", write(fd, b"hello, "));
    println!("{}", write(fd, b"world\n"));
    println!("{}", tell(fd));
    println!("{}", stat(fd));
    println!("{}", seek(fd, 0, 0));
    println!("{}", read(fd, 5));
    println!("{}", tell(fd));
    println!("{}", seek(fd, 2, 1));
    println!("{}", read(fd, 100));
    println!("{}", read(fd, 100));
    println!("{}", seek(fd, -6, 2));
    println!("{}", read(fd, 3));
    println!("{}", seek(fd, -100, 1));
    println!("{}", seek(fd, -1, 0));
    println!("{}", seek(fd, 100, 0));
    println!("{}", read(fd, 10));
    println!("{}", pread(fd, 5, 7));
    println!("{}", pread(fd, 5, 1000));
    println!("{}", pwrite(fd, b"J", 7));
    println!("{}", tell(fd));
    println!("{}", pread(fd, 13, 0));
    // Writing past the end leaves a hole of zeros.
    println!("{}", seek(fd, 15, 0));
    println!("{}", write(fd, b"!"));
    println!("{}", stat(fd));
    println!("{}", pread(fd, 20, 12));
    println!("set_size 5 -> {}", unsafe { fd_filestat_set_size(fd, 5) });
    println!("{}", stat(fd));
    println!("{}", tell(fd));
    println!("{}", pread(fd, 20, 0));
    println!("set_size 8 -> {}", unsafe { fd_filestat_set_size(fd, 8) });
    println!("{}", pread(fd, 20, 0));
    println!("sync -> {} datasync -> {}", unsafe { fd_sync(fd) }, unsafe { fd_datasync(fd) });
    for advice in 0..6 {
        println!("advise {advice} -> {}", unsafe { fd_advise(fd, 0, 10, advice) });
    }
    println!("allocate -> {}", unsafe { fd_allocate(fd, 0, 100) });
    println!("set_rights -> {}", unsafe { fd_fdstat_set_rights(fd, 0, 0) });
    println!("close -> {}", unsafe { fd_close(fd) });
    println!("close again -> {}", unsafe { fd_close(fd) });

    // Append mode: writes go to the end; position follows.
    let fd = open("data.txt", 0, READ | WRITE, APPEND).unwrap();
    println!("{}", fdstat(fd));
    println!("{}", write(fd, b"tail"));
    println!("{}", tell(fd));
    println!("{}", pwrite(fd, b"P", 0));
    println!("{}", pread(fd, 30, 0));
    println!("set_flags 0 -> {}", unsafe { fd_fdstat_set_flags(fd, 0) });
    println!("{}", fdstat(fd));
    println!("{}", seek(fd, 0, 0));
    println!("{}", write(fd, b"H"));
    println!("{}", pread(fd, 30, 0));
    println!("set_flags append|nonblock -> {}", unsafe { fd_fdstat_set_flags(fd, 5) });
    println!("{}", fdstat(fd));
    println!("set_flags sync -> {}", unsafe { fd_fdstat_set_flags(fd, 16) });
    unsafe { fd_close(fd) };

    // Read-only and write-only descriptors.
    let ro = open("data.txt", 0, READ, 0).unwrap();
    println!("read-only {}", fdstat(ro));
    println!("read-only {}", write(ro, b"x"));
    println!("read-only {}", read(ro, 4));
    println!("read-only set_size -> {}", unsafe { fd_filestat_set_size(ro, 0) });
    let wo = open("data.txt", 0, WRITE, 0).unwrap();
    println!("write-only {}", fdstat(wo));
    println!("write-only {}", read(wo, 4));
    println!("write-only {}", write(wo, b"W"));
    let none = open("data.txt", 0, 0, 0).unwrap();
    println!("no-rights {}", fdstat(none));
    println!("no-rights {}", read(none, 4));
    unsafe {
        fd_close(ro);
        fd_close(wo);
        fd_close(none);
    }

    // Truncating open; creating with only read rights still writes.
    let fd = open("data.txt", TRUNC, READ, 0).unwrap();
    println!("after O_TRUNC {}", stat(fd));
    println!("O_TRUNC read-rights {}", fdstat(fd));
    unsafe { fd_close(fd) };
    let fd = open("new.txt", CREAT, READ, 0).unwrap();
    println!("O_CREAT read-rights {}", fdstat(fd));
    println!("{}", write(fd, b"created"));
    unsafe { fd_close(fd) };
    println!("contents via std: {:?}", std::fs::read_to_string("/sandbox/new.txt").unwrap());
    println!("exclusive again -> {:?}", open("new.txt", CREAT | EXCL, READ, 0));

    // Large write and read through std.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write("/sandbox/big.bin", &big).unwrap();
    let back = std::fs::read("/sandbox/big.bin").unwrap();
    println!("big file round trip: {} bytes, equal={}", back.len(), back == big);
    let fd = open("big.bin", 0, READ, 0).unwrap();
    let mut buf = vec![0u8; 100_000];
    let iov = [Iovec { buf: buf.as_mut_ptr(), len: buf.len() }];
    let mut n = 0;
    let e = unsafe { fd_pread(fd, iov.as_ptr(), 1, 0, &mut n) };
    println!("pread 100000 -> {e} n={n}");
    let e = unsafe { fd_read(fd, iov.as_ptr(), 1, &mut n) };
    println!("read 100000 -> {e} n={n}");
}
