// kiln-test: dir = fixture::/data
// kiln-test: nofile = 128
// kiln-test: stdin = "input\n"
// kiln-test: stdout-file
//! Running out of host descriptors never kills a WASI P1 guest: with
//! `RLIMIT_NOFILE` at 128 the program opens one file until `path_open`
//! fails, then calls every `fd_*`/`path_*` function through raw imports
//! and prints its errno. Those that need a new host descriptor fail as in
//! Wasmtime 49 (`EIO` = 29: `fd_readdir`, `path_filestat_get`,
//! `path_filestat_set_times`); the others work, and so do stdin, stdout,
//! `poll_oneoff` on stdin and a clock, and `sleep`. How many files fit
//! depends on the engine, so it is not printed.

use std::fs::File;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_readdir(fd: u32, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) -> u32;
    fn fd_filestat_get(fd: u32, buf: *mut u64) -> u32;
    fn fd_renumber(from: u32, to: u32) -> u32;
    fn path_filestat_get(fd: u32, flags: u32, p: *const u8, l: usize, buf: *mut u64) -> u32;
    fn path_filestat_set_times(fd: u32, flags: u32, p: *const u8, l: usize, a: u64, m: u64, fst: u32) -> u32;
    fn path_create_directory(fd: u32, p: *const u8, l: usize) -> u32;
    fn path_remove_directory(fd: u32, p: *const u8, l: usize) -> u32;
    fn path_symlink(old: *const u8, ol: usize, fd: u32, p: *const u8, l: usize) -> u32;
    fn path_readlink(fd: u32, p: *const u8, l: usize, buf: *mut u8, bl: usize, used: *mut usize) -> u32;
    fn path_link(fd: u32, flags: u32, old: *const u8, ol: usize, nfd: u32, p: *const u8, l: usize) -> u32;
    fn path_rename(fd: u32, old: *const u8, ol: usize, nfd: u32, p: *const u8, l: usize) -> u32;
    fn path_unlink_file(fd: u32, p: *const u8, l: usize) -> u32;
    fn poll_oneoff(subs: *const u8, events: *mut u8, n: usize, nevents: *mut usize) -> u32;
}

fn main() {
    std::fs::write("/data/f", b"contents").expect("write /data/f");
    let mut files = Vec::new();
    let err = loop {
        match File::open("/data/f") {
            Ok(f) => files.push(f),
            Err(e) => break e,
        }
        assert!(files.len() < 100_000, "no descriptor limit");
    };
    println!("open stopped: {err}");
    println!("opened more than 50: {}", files.len() > 50);

    let mut buf = [0u8; 256];
    let mut stat = [0u64; 8];
    let mut used = 0usize;
    let p = |s: &'static str| (s.as_ptr(), s.len());
    // SAFETY (all calls): valid buffers of the stated lengths.
    unsafe {
        let (f, fl) = p("f");
        let (d, dl) = p("d");
        let (l, ll) = p("l");
        let (h, hl) = p("h");
        let (g, gl) = p("g");
        println!("fd_readdir: {}", fd_readdir(3, buf.as_mut_ptr(), buf.len(), 0, &mut used));
        println!("path_filestat_get: {}", path_filestat_get(3, 1, f, fl, stat.as_mut_ptr()));
        println!(
            "path_filestat_set_times: {}",
            path_filestat_set_times(3, 1, f, fl, 0, 0, 2 | 8)
        );
        println!("path_create_directory: {}", path_create_directory(3, d, dl));
        println!("path_remove_directory: {}", path_remove_directory(3, d, dl));
        println!("path_symlink: {}", path_symlink(f, fl, 3, l, ll));
        println!(
            "path_readlink: {} {:?}",
            path_readlink(3, l, ll, buf.as_mut_ptr(), buf.len(), &mut used),
            String::from_utf8_lossy(&buf[..used])
        );
        println!("path_link: {}", path_link(3, 0, f, fl, 3, h, hl));
        println!("path_rename: {}", path_rename(3, h, hl, 3, g, gl));
        println!("path_unlink_file: {}", path_unlink_file(3, g, gl));
        println!("path_unlink_file: {}", path_unlink_file(3, l, ll));
        println!("fd_filestat_get: {} size {}", fd_filestat_get(4, stat.as_mut_ptr()), stat[4]);
        println!("fd_renumber: {}", fd_renumber(4, 5));
        // Two subscriptions: stdin readable, a 10 ms monotonic clock.
        let mut subs = [0u8; 96];
        subs[0] = 1;
        subs[8] = 1;
        subs[48] = 2;
        subs[56] = 0;
        subs[64..68].copy_from_slice(&1u32.to_le_bytes());
        subs[72..80].copy_from_slice(&10_000_000u64.to_le_bytes());
        let mut events = [0u8; 64];
        let mut n = 0usize;
        let r = poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), 2, &mut n);
        println!("poll_oneoff [stdin, 10 ms]: {r}, events {n}, first userdata {}", events[0]);
    }
    let input = std::io::read_to_string(std::io::stdin()).expect("stdin");
    println!("stdin: {input:?}");
    std::thread::sleep(std::time::Duration::from_millis(5));
    println!("slept");
    files.truncate(files.len() - 4);
    println!(
        "listing after closing four: {:?}",
        std::fs::read_dir("/data").map(|d| d.count()).map_err(|e| e.to_string())
    );
}
