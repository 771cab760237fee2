// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
//! Sandbox escapes: every path that leads outside the preopen (`..`,
//! absolute paths, symlinks pointing outside, absolute symlink targets) must
//! fail (EPERM from the capability layer) for every path-taking call, while
//! `..` that stays inside works.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn path_open(fd: u32, dirflags: u32, path: *const u8, len: usize, oflags: u32, base: u64, inh: u64, fdflags: u32, out: *mut u32) -> u32;
    fn path_symlink(old: *const u8, old_len: usize, fd: u32, new: *const u8, new_len: usize) -> u32;
    fn path_readlink(fd: u32, path: *const u8, len: usize, buf: *mut u8, buf_len: usize, used: *mut usize) -> u32;
    fn path_create_directory(fd: u32, path: *const u8, len: usize) -> u32;
    fn path_remove_directory(fd: u32, path: *const u8, len: usize) -> u32;
    fn path_unlink_file(fd: u32, path: *const u8, len: usize) -> u32;
    fn path_filestat_get(fd: u32, flags: u32, path: *const u8, len: usize, buf: *mut u64) -> u32;
    fn path_filestat_set_times(fd: u32, flags: u32, path: *const u8, len: usize, atim: u64, mtim: u64, fst: u32) -> u32;
    fn path_rename(fd: u32, old: *const u8, old_len: usize, new_fd: u32, new: *const u8, new_len: usize) -> u32;
    fn path_link(old_fd: u32, flags: u32, old: *const u8, old_len: usize, new_fd: u32, new: *const u8, new_len: usize) -> u32;
    fn fd_close(fd: u32) -> u32;
}

fn open(path: &str, follow: bool, oflags: u32) -> u32 {
    let mut fd = 0;
    let e = unsafe { path_open(3, follow as u32, path.as_ptr(), path.len(), oflags, 2 | 64, 0, 0, &mut fd) };
    if e == 0 {
        unsafe { fd_close(fd) };
    }
    e
}

fn stat(path: &str, follow: bool) -> u32 {
    let mut s = [0u64; 8];
    unsafe { path_filestat_get(3, follow as u32, path.as_ptr(), path.len(), s.as_mut_ptr()) }
}

fn main() {
    std::fs::write("/sandbox/inside.txt", b"in").unwrap();
    std::fs::create_dir("/sandbox/sub").unwrap();
    let sym = |target: &str, name: &str| unsafe { path_symlink(target.as_ptr(), target.len(), 3, name.as_ptr(), name.len()) };
    println!("symlink up -> ..: {}", sym("..", "up"));
    println!("symlink up2 -> ../..: {}", sym("../..", "sub/up2"));
    println!("symlink ok -> sub/../inside.txt: {}", sym("sub/../inside.txt", "ok"));
    println!("symlink abs -> /etc/passwd: {}", sym("/etc/passwd", "abs"));
    println!("symlink abs -> /: {}", sym("/", "abs2"));
    println!("symlink name ../escape: {}", sym("inside.txt", "../escape"));
    println!("symlink name /abs: {}", sym("inside.txt", "/abs"));

    let paths = [
        "..", "../", "../etc", "./..", "sub/../..", "sub/../../sandbox/inside.txt", "/", "/etc/passwd", "/sandbox/inside.txt",
        "up", "up/", "up/etc", "sub/up2", "sub/up2/x", ".", "sub/..", "sub/../inside.txt", "ok",
    ];
    for p in paths {
        println!(
            "{p:<30} open(follow)={:<3} open(nofollow)={:<3} open(creat)={:<3} stat(follow)={:<3} stat(nofollow)={}",
            open(p, true, 0),
            open(p, false, 0),
            open(p, false, 1),
            stat(p, true),
            stat(p, false)
        );
    }
    let mut buf = [0u8; 64];
    let mut n = 0;
    let e = unsafe { path_readlink(3, "up".as_ptr(), 2, buf.as_mut_ptr(), 64, &mut n) };
    println!("readlink up -> {e} {:?}", std::str::from_utf8(&buf[..n]).unwrap());
    let e = unsafe { path_readlink(3, "../x".as_ptr(), 4, buf.as_mut_ptr(), 64, &mut n) };
    println!("readlink ../x -> {e}");
    let dir_ops = |p: &str| unsafe {
        (
            path_create_directory(3, p.as_ptr(), p.len()),
            path_remove_directory(3, p.as_ptr(), p.len()),
            path_unlink_file(3, p.as_ptr(), p.len()),
            path_filestat_set_times(3, 0, p.as_ptr(), p.len(), 0, 0, 0),
        )
    };
    for p in ["../x", "/tmp/x", "up/x", "sub/../../x"] {
        println!("{p:<12} mkdir/rmdir/unlink/set_times = {:?}", dir_ops(p));
    }
    let ren = |a: &str, b: &str| unsafe { path_rename(3, a.as_ptr(), a.len(), 3, b.as_ptr(), b.len()) };
    let link = |a: &str, b: &str| unsafe { path_link(3, 0, a.as_ptr(), a.len(), 3, b.as_ptr(), b.len()) };
    println!("rename inside.txt -> ../out: {}", ren("inside.txt", "../out"));
    println!("rename ../x -> here: {}", ren("../x", "here"));
    println!("rename inside.txt -> up/out: {}", ren("inside.txt", "up/out"));
    println!("link inside.txt -> ../out: {}", link("inside.txt", "../out"));
    println!("link /etc/passwd -> here: {}", link("/etc/passwd", "here"));
    println!("link up -> upcopy (the symlink itself): {}", link("up", "upcopy"));
    println!("stat upcopy nofollow/follow: {} {}", stat("upcopy", false), stat("upcopy", true));
    // Through std (wasi-libc resolves absolute paths against preopens).
    println!("std read ../etc/passwd: {:?}", std::fs::read("/sandbox/../etc/passwd").map_err(|e| e.raw_os_error()));
    println!("std read /etc/passwd: {:?}", std::fs::read("/etc/passwd").map_err(|e| e.raw_os_error()));
    println!("std read via symlink: {:?}", std::fs::read("/sandbox/up/etc/passwd").map_err(|e| e.raw_os_error()));
    println!("std read ok link: {:?}", std::fs::read_to_string("/sandbox/ok").map_err(|e| e.raw_os_error()));
    let mut names: Vec<String> = std::fs::read_dir("/sandbox").unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    println!("final listing: {names:?}");
}
