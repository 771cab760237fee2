// kiln-test: target = wasm32-wasip2
// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
// kiln-test: files-file
//! Sandbox escapes through `wasi:filesystem/types`: every path-taking
//! descriptor method with `..` paths, absolute paths and symlinks that
//! point outside the preopen (relative and absolute), with and without
//! symlink-follow; each prints the error code wasmtime reports. Then the
//! same escapes through std (wasi-libc), which resolves absolute paths
//! against the preopens.

#[repr(C, align(8))]
struct Ret([u8; 112]);

const ERROR_CODES: &[&str] = &[
    "access",
    "would-block",
    "already",
    "bad-descriptor",
    "busy",
    "deadlock",
    "quota",
    "exist",
    "file-too-large",
    "illegal-byte-sequence",
    "in-progress",
    "interrupted",
    "invalid",
    "io",
    "is-directory",
    "loop",
    "too-many-links",
    "message-size",
    "name-too-long",
    "no-device",
    "no-entry",
    "no-lock",
    "insufficient-memory",
    "insufficient-space",
    "not-directory",
    "not-empty",
    "not-recoverable",
    "unsupported",
    "no-tty",
    "no-such-device",
    "overflow",
    "not-permitted",
    "pipe",
    "read-only",
    "invalid-seek",
    "text-file-busy",
    "cross-device",
];

type R = *mut Ret;

#[link(wasm_import_module = "wasi:filesystem/preopens@0.2.0")]
extern "C" {
    #[link_name = "get-directories"]
    fn get_directories(ret: R);
}

#[link(wasm_import_module = "wasi:filesystem/types@0.2.0")]
extern "C" {
    #[link_name = "[method]descriptor.create-directory-at"]
    fn create_directory_at(d: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]descriptor.stat-at"]
    fn stat_at(d: u32, flags: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]descriptor.set-times-at"]
    fn set_times_at(
        d: u32,
        flags: u32,
        ptr: *const u8,
        len: usize,
        a: u32,
        a_s: u64,
        a_ns: u32,
        m: u32,
        m_s: u64,
        m_ns: u32,
        ret: R,
    );
    #[link_name = "[method]descriptor.link-at"]
    fn link_at(
        d: u32,
        flags: u32,
        old: *const u8,
        old_len: usize,
        new_d: u32,
        new: *const u8,
        new_len: usize,
        ret: R,
    );
    #[link_name = "[method]descriptor.open-at"]
    fn open_at(
        d: u32,
        path_flags: u32,
        ptr: *const u8,
        len: usize,
        open_flags: u32,
        flags: u32,
        ret: R,
    );
    #[link_name = "[method]descriptor.readlink-at"]
    fn readlink_at(d: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]descriptor.remove-directory-at"]
    fn remove_directory_at(d: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]descriptor.rename-at"]
    fn rename_at(
        d: u32,
        old: *const u8,
        old_len: usize,
        new_d: u32,
        new: *const u8,
        new_len: usize,
        ret: R,
    );
    #[link_name = "[method]descriptor.symlink-at"]
    fn symlink_at(d: u32, old: *const u8, old_len: usize, new: *const u8, new_len: usize, ret: R);
    #[link_name = "[method]descriptor.unlink-file-at"]
    fn unlink_file_at(d: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]descriptor.metadata-hash-at"]
    fn metadata_hash_at(d: u32, flags: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[resource-drop]descriptor"]
    fn drop_descriptor(d: u32);
}

const FOLLOW: u32 = 1;

fn outcome(r: &Ret, code_at: usize) -> String {
    if r.0[0] == 0 {
        "ok".to_string()
    } else {
        ERROR_CODES[r.0[code_at] as usize].to_string()
    }
}

fn main() {
    let mut r = Ret([0; 112]);
    unsafe { get_directories(&mut r) };
    let root = u32::from_le_bytes(r.0[0..4].try_into().expect("4"));
    let root = unsafe { *(root as *const u32) };

    // Set-up inside the sandbox: a file, a directory, and symlinks that
    // leave it.
    std::fs::write("/sandbox/inside.txt", "inside").expect("write inside.txt");
    std::fs::create_dir("/sandbox/dir").expect("mkdir dir");
    for (target, link) in [
        ("..", "up"),
        ("/etc", "abs"),
        ("../../../../../etc/passwd", "deep"),
        ("dir/../inside.txt", "ok-link"),
    ] {
        let mut r = Ret([0; 112]);
        unsafe {
            symlink_at(
                root,
                target.as_ptr(),
                target.len(),
                link.as_ptr(),
                link.len(),
                &mut r,
            )
        };
        println!("symlink-at {link} -> {target}: {}", outcome(&r, 1));
    }

    let paths = [
        "..",
        "../x",
        "dir/../../x",
        "/etc/passwd",
        "/",
        "/sandbox/inside.txt",
        "up",
        "up/x",
        "abs",
        "abs/passwd",
        "deep",
        "ok-link",
        "dir/..",
        "dir/../inside.txt",
    ];
    for path in paths {
        let (pp, pl) = (path.as_ptr(), path.len());
        let mut line = format!("{path:?}:");
        let mut run = |name: &str, code_at: usize, f: &dyn Fn(R)| {
            let mut r = Ret([0; 112]);
            f(&mut r);
            line.push_str(&format!(" {name}={}", outcome(&r, code_at)));
            // Drop a descriptor we unexpectedly got, to stay tidy.
            if name.starts_with("open") && r.0[0] == 0 {
                unsafe { drop_descriptor(u32::from_le_bytes(r.0[4..8].try_into().expect("4"))) };
            }
        };
        run("open", 4, &|r| unsafe { open_at(root, 0, pp, pl, 0, 1, r) });
        run("open-follow", 4, &|r| unsafe {
            open_at(root, FOLLOW, pp, pl, 0, 1, r)
        });
        run("stat", 8, &|r| unsafe { stat_at(root, 0, pp, pl, r) });
        run("stat-follow", 8, &|r| unsafe {
            stat_at(root, FOLLOW, pp, pl, r)
        });
        run("hash-follow", 8, &|r| unsafe {
            metadata_hash_at(root, FOLLOW, pp, pl, r)
        });
        run("readlink", 4, &|r| unsafe { readlink_at(root, pp, pl, r) });
        println!("{line}");
    }
    // Mutating calls: only with paths that would land outside.
    for path in ["../x", "/x", "up/x", "abs/x", "dir/../../x"] {
        let (pp, pl) = (path.as_ptr(), path.len());
        let mut line = format!("{path:?}:");
        let mut run = |name: &str, code_at: usize, f: &dyn Fn(R)| {
            let mut r = Ret([0; 112]);
            f(&mut r);
            line.push_str(&format!(" {name}={}", outcome(&r, code_at)));
        };
        run("create", 4, &|r| unsafe {
            open_at(root, 0, pp, pl, 1, 3, r)
        });
        run("mkdir", 1, &|r| unsafe {
            create_directory_at(root, pp, pl, r)
        });
        run("rmdir", 1, &|r| unsafe {
            remove_directory_at(root, pp, pl, r)
        });
        run("unlink", 1, &|r| unsafe { unlink_file_at(root, pp, pl, r) });
        run("rename-to", 1, &|r| unsafe {
            rename_at(root, "inside.txt".as_ptr(), 10, root, pp, pl, r)
        });
        run("rename-from", 1, &|r| unsafe {
            rename_at(root, pp, pl, root, "y".as_ptr(), 1, r)
        });
        run("link-to", 1, &|r| unsafe {
            link_at(root, 0, "inside.txt".as_ptr(), 10, root, pp, pl, r)
        });
        run("link-from", 1, &|r| unsafe {
            link_at(root, FOLLOW, pp, pl, root, "y".as_ptr(), 1, r)
        });
        run("symlink-at", 1, &|r| unsafe {
            symlink_at(root, "t".as_ptr(), 1, pp, pl, r)
        });
        run("set-times", 1, &|r| unsafe {
            set_times_at(root, FOLLOW, pp, pl, 1, 0, 0, 1, 0, 0, r)
        });
        println!("{line}");
    }

    // std through wasi-libc: absolute paths are looked up among the
    // preopens; paths outside every preopen fail.
    let kind = |r: std::io::Result<()>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("{:?} (os error {:?})", e.kind(), e.raw_os_error()),
    };
    println!(
        "std read /etc/passwd: {}",
        kind(std::fs::read("/etc/passwd").map(drop))
    );
    println!(
        "std read /sandbox/../etc/passwd: {}",
        kind(std::fs::read("/sandbox/../etc/passwd").map(drop))
    );
    println!(
        "std read /sandbox/up/x: {}",
        kind(std::fs::read("/sandbox/up/x").map(drop))
    );
    println!(
        "std read /sandbox/abs/passwd: {}",
        kind(std::fs::read("/sandbox/abs/passwd").map(drop))
    );
    println!(
        "std read /sandbox/ok-link: {}",
        kind(std::fs::read("/sandbox/ok-link").map(drop))
    );
    println!(
        "std write /tmp/kiln-escape: {}",
        kind(std::fs::write("/tmp/kiln-escape", "x"))
    );
    println!(
        "std read relative inside.txt (cwd is not set): {}",
        kind(std::fs::read("inside.txt").map(drop))
    );
    println!("std read_dir /: {}", kind(std::fs::read_dir("/").map(drop)));
}
