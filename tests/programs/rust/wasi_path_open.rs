// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
//! path_open: oflags, lookup flags, fdflags and rights combinations and the
//! errno each misuse produces (ENOENT, EEXIST, ENOTDIR, EISDIR, ELOOP,
//! EINVAL, ENOTSUP, EILSEQ, EBADF). Invalid flag bits are fatal, see
//! `wasi_bad_flags`.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn path_open(fd: u32, dirflags: u32, path: *const u8, len: usize, oflags: u32, base: u64, inh: u64, fdflags: u32, out: *mut u32) -> u32;
    fn path_symlink(old: *const u8, old_len: usize, fd: u32, new: *const u8, new_len: usize) -> u32;
    fn path_create_directory(fd: u32, path: *const u8, len: usize) -> u32;
    fn fd_fdstat_get(fd: u32, buf: *mut u8) -> u32;
    fn fd_close(fd: u32) -> u32;
}

const FOLLOW: u32 = 1;
const CREAT: u32 = 1;
const DIRECTORY: u32 = 2;
const EXCL: u32 = 4;
const TRUNC: u32 = 8;
const R: u64 = 1 << 1;
const W: u64 = 1 << 6;

fn try_open(fd: u32, dirflags: u32, path: &[u8], oflags: u32, rights: u64, fdflags: u32) -> String {
    let mut out = 0;
    let e = unsafe { path_open(fd, dirflags, path.as_ptr(), path.len(), oflags, rights, 0, fdflags, &mut out) };
    if e != 0 {
        return format!("{e}");
    }
    let mut s = [0u8; 24];
    unsafe { fd_fdstat_get(out, s.as_mut_ptr()) };
    unsafe { fd_close(out) };
    format!("ok(type {})", s[0])
}

fn case(label: &str, fd: u32, dirflags: u32, path: &[u8], oflags: u32, rights: u64, fdflags: u32) {
    println!("{label:<44} {}", try_open(fd, dirflags, path, oflags, rights, fdflags));
}

fn main() {
    std::fs::write("/sandbox/file", b"content").unwrap();
    unsafe {
        path_create_directory(3, "dir".as_ptr(), 3);
        path_symlink("file".as_ptr(), 4, 3, "link".as_ptr(), 4);
        path_symlink("dir".as_ptr(), 3, 3, "dirlink".as_ptr(), 7);
        path_symlink("missing".as_ptr(), 7, 3, "dangling".as_ptr(), 8);
        path_symlink("loop2".as_ptr(), 5, 3, "loop1".as_ptr(), 5);
        path_symlink("loop1".as_ptr(), 5, 3, "loop2".as_ptr(), 5);
    }
    case("file read", 3, 0, b"file", 0, R, 0);
    case("file rw", 3, 0, b"file", 0, R | W, 0);
    case("file no rights", 3, 0, b"file", 0, 0, 0);
    case("missing", 3, 0, b"missing", 0, R, 0);
    case("missing/child", 3, 0, b"missing/x", CREAT, R | W, 0);
    case("creat existing", 3, 0, b"file", CREAT, R | W, 0);
    case("creat|excl existing", 3, 0, b"file", CREAT | EXCL, R | W, 0);
    case("excl without creat", 3, 0, b"file", EXCL, R, 0);
    case("creat|excl new", 3, 0, b"new1", CREAT | EXCL, R | W, 0);
    case("creat|trunc", 3, 0, b"new2", CREAT | TRUNC, W, 0);
    case("trunc existing read-only rights", 3, 0, b"new2", TRUNC, R, 0);
    case("directory flag on file", 3, 0, b"file", DIRECTORY, R, 0);
    case("directory flag on dir", 3, 0, b"dir", DIRECTORY, R, 0);
    case("dir without flag, read", 3, 0, b"dir", 0, R, 0);
    case("dir with write rights", 3, 0, b"dir", 0, R | W, 0);
    case("dir with directory+write", 3, 0, b"dir", DIRECTORY, W, 0);
    case("dir with trunc", 3, 0, b"dir", TRUNC, R, 0);
    case("directory|creat", 3, 0, b"newdir", DIRECTORY | CREAT, R, 0);
    case("directory|excl", 3, 0, b"dir", DIRECTORY | EXCL, R, 0);
    case("directory|trunc", 3, 0, b"dir", DIRECTORY | TRUNC, R, 0);
    case("creat on dir", 3, 0, b"dir", CREAT, R, 0);
    case("file/ (trailing slash)", 3, 0, b"file/", 0, R, 0);
    case("dir/ (trailing slash)", 3, 0, b"dir/", 0, R, 0);
    case("file/. ", 3, 0, b"file/.", 0, R, 0);
    case("creat file/ trailing slash", 3, 0, b"newfile/", CREAT, R | W, 0);
    case(". (the preopen itself)", 3, 0, b".", 0, R, 0);
    case("empty path", 3, 0, b"", 0, R, 0);
    case("dir/../file", 3, 0, b"dir/../file", 0, R, 0);
    case("file/../file", 3, 0, b"file/../file", 0, R, 0);
    case("link nofollow", 3, 0, b"link", 0, R, 0);
    case("link follow", 3, FOLLOW, b"link", 0, R, 0);
    case("dirlink follow directory", 3, FOLLOW, b"dirlink", DIRECTORY, R, 0);
    case("dirlink nofollow directory", 3, 0, b"dirlink", DIRECTORY, R, 0);
    case("dirlink/ nofollow (slash follows)", 3, 0, b"dirlink/", 0, R, 0);
    case("through dirlink nofollow", 3, 0, b"dirlink/../file", 0, R, 0);
    case("dangling follow", 3, FOLLOW, b"dangling", 0, R, 0);
    case("dangling nofollow", 3, 0, b"dangling", 0, R, 0);
    case("dangling follow creat", 3, FOLLOW, b"dangling", CREAT, R | W, 0);
    case("dangling nofollow creat", 3, 0, b"dangling", CREAT, R | W, 0);
    case("loop follow", 3, FOLLOW, b"loop1", 0, R, 0);
    case("loop nofollow", 3, 0, b"loop1", 0, R, 0);
    case("fdflags sync", 3, 0, b"file", 0, R, 16);
    case("fdflags dsync", 3, 0, b"file", 0, R, 2);
    case("fdflags rsync", 3, 0, b"file", 0, R, 8);
    case("fdflags append|nonblock", 3, 0, b"file", 0, R | W, 5);
    case("rights all", 3, 0, b"file", 0, (1 << 30) - 1, 0);
    case("invalid utf-8 path", 3, 0, b"fi\xffle", 0, R, 0);
    case("nul in path", 3, 0, b"fi\0le", 0, R, 0);
    case("bad fd", 99, 0, b"file", 0, R, 0);
    case("stdin as base", 0, 0, b"file", 0, R, 0);
    let mut f = 0;
    unsafe { path_open(3, 0, "file".as_ptr(), 4, 0, R, 0, 0, &mut f) };
    case("file fd as base", f, 0, b"x", 0, R, 0);
    let mut d = 0;
    unsafe { path_open(3, 0, "dir".as_ptr(), 3, DIRECTORY, R, 0, 0, &mut d) };
    case("opened dir as base, creat", d, 0, b"inner", CREAT, R | W, 0);
    case("opened dir as base, ..", d, 0, b"../file", 0, R, 0);
    let long = vec![b'a'; 300];
    case("name too long", 3, 0, &long, 0, R, 0);
    let mut names: Vec<String> = std::fs::read_dir("/sandbox").unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    println!("final listing: {names:?}");
}
