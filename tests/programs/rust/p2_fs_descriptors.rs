// kiln-test: target = wasm32-wasip2
// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
// kiln-test: files-file
//! `wasi:filesystem/types` and `preopens` through raw imports: every
//! descriptor method (open-at with each open flag, read/write at offsets,
//! read-via-stream/write-via-stream/append-via-stream, stat/stat-at,
//! set-size, set-times/set-times-at, read-directory, create-directory-at,
//! remove-directory-at, unlink-file-at, rename-at, link-at, symlink-at,
//! readlink-at, metadata-hash/-at, is-same-object, sync/sync-data, advise,
//! get-flags/get-type) and the error codes of the usual mistakes, plus
//! `filesystem-error-code` and `error.to-debug-string` on a failed stream
//! write. Prints error codes by their WIT names; nothing depends on inode
//! numbers, the time of the run, or directory order.

/// A return area big enough and aligned for every result used here (the
/// largest is `result<descriptor-stat, error-code>`, 104 bytes).
#[repr(C, align(8))]
struct Ret([u8; 112]);

impl Ret {
    fn new() -> Ret {
        Ret([0; 112])
    }
    fn u8(&self, at: usize) -> u8 {
        self.0[at]
    }
    fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.0[at..at + 4].try_into().expect("4 bytes"))
    }
    fn u64(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.0[at..at + 8].try_into().expect("8 bytes"))
    }
    fn bytes(&self, at: usize) -> Vec<u8> {
        let (ptr, len) = (self.u32(at), self.u32(at + 4));
        unsafe { std::slice::from_raw_parts(ptr as *const u8, len as usize) }.to_vec()
    }
    fn string(&self, at: usize) -> String {
        String::from_utf8(self.bytes(at)).expect("utf-8 from the host")
    }
    /// `result<_, error-code>` with the code at `code_at` when it failed.
    fn check(&self, code_at: usize) -> Result<(), &'static str> {
        if self.u8(0) == 0 {
            Ok(())
        } else {
            Err(ERROR_CODES[self.u8(code_at) as usize])
        }
    }
}

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

const TYPES: &[&str] = &[
    "unknown",
    "block-device",
    "character-device",
    "directory",
    "fifo",
    "symbolic-link",
    "regular-file",
    "socket",
];

// descriptor-flags
const READ: u32 = 1;
const WRITE: u32 = 2;
const MUTATE_DIRECTORY: u32 = 32;
// open-flags
const CREATE: u32 = 1;
const DIRECTORY: u32 = 2;
const EXCLUSIVE: u32 = 4;
const TRUNCATE: u32 = 8;
// path-flags
const FOLLOW: u32 = 1;
// new-timestamp cases
const NO_CHANGE: u32 = 0;
const NOW: u32 = 1;
const TIMESTAMP: u32 = 2;

type R = *mut Ret;

#[link(wasm_import_module = "wasi:filesystem/preopens@0.2.0")]
extern "C" {
    #[link_name = "get-directories"]
    fn get_directories(ret: R);
}

#[link(wasm_import_module = "wasi:filesystem/types@0.2.0")]
extern "C" {
    #[link_name = "[method]descriptor.read-via-stream"]
    fn read_via_stream(d: u32, offset: u64, ret: R);
    #[link_name = "[method]descriptor.write-via-stream"]
    fn write_via_stream(d: u32, offset: u64, ret: R);
    #[link_name = "[method]descriptor.append-via-stream"]
    fn append_via_stream(d: u32, ret: R);
    #[link_name = "[method]descriptor.advise"]
    fn advise(d: u32, offset: u64, len: u64, advice: u32, ret: R);
    #[link_name = "[method]descriptor.sync-data"]
    fn sync_data(d: u32, ret: R);
    #[link_name = "[method]descriptor.get-flags"]
    fn get_flags(d: u32, ret: R);
    #[link_name = "[method]descriptor.get-type"]
    fn get_type(d: u32, ret: R);
    #[link_name = "[method]descriptor.set-size"]
    fn set_size(d: u32, size: u64, ret: R);
    #[link_name = "[method]descriptor.set-times"]
    fn set_times(d: u32, a: u32, a_s: u64, a_ns: u32, m: u32, m_s: u64, m_ns: u32, ret: R);
    #[link_name = "[method]descriptor.read"]
    fn read(d: u32, len: u64, offset: u64, ret: R);
    #[link_name = "[method]descriptor.write"]
    fn write(d: u32, ptr: *const u8, len: usize, offset: u64, ret: R);
    #[link_name = "[method]descriptor.read-directory"]
    fn read_directory(d: u32, ret: R);
    #[link_name = "[method]descriptor.sync"]
    fn sync(d: u32, ret: R);
    #[link_name = "[method]descriptor.create-directory-at"]
    fn create_directory_at(d: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]descriptor.stat"]
    fn stat(d: u32, ret: R);
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
    #[link_name = "[method]descriptor.is-same-object"]
    fn is_same_object(d: u32, other: u32) -> u32;
    #[link_name = "[method]descriptor.metadata-hash"]
    fn metadata_hash(d: u32, ret: R);
    #[link_name = "[method]descriptor.metadata-hash-at"]
    fn metadata_hash_at(d: u32, flags: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]directory-entry-stream.read-directory-entry"]
    fn read_directory_entry(s: u32, ret: R);
    #[link_name = "filesystem-error-code"]
    fn filesystem_error_code(err: u32, ret: R);
    #[link_name = "[resource-drop]descriptor"]
    fn drop_descriptor(d: u32);
    #[link_name = "[resource-drop]directory-entry-stream"]
    fn drop_directory_entry_stream(s: u32);
}

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[method]output-stream.blocking-write-and-flush"]
    fn blocking_write_and_flush(s: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]output-stream.blocking-write-zeroes-and-flush"]
    fn blocking_write_zeroes_and_flush(s: u32, len: u64, ret: R);
    #[link_name = "[method]output-stream.write-zeroes"]
    fn write_zeroes(s: u32, len: u64, ret: R);
    #[link_name = "[method]output-stream.check-write"]
    fn check_write(s: u32, ret: R);
    #[link_name = "[method]output-stream.blocking-flush"]
    fn blocking_flush(s: u32, ret: R);
    #[link_name = "[method]input-stream.blocking-read"]
    fn blocking_read(s: u32, len: u64, ret: R);
    #[link_name = "[resource-drop]output-stream"]
    fn drop_output_stream(s: u32);
    #[link_name = "[resource-drop]input-stream"]
    fn drop_input_stream(s: u32);
}

#[link(wasm_import_module = "wasi:io/error@0.2.0")]
extern "C" {
    #[link_name = "[method]error.to-debug-string"]
    fn to_debug_string(e: u32, ret: R);
    #[link_name = "[resource-drop]error"]
    fn drop_error(e: u32);
}

/// open-at: the new descriptor, or the error code's name.
fn open(d: u32, path_flags: u32, path: &str, oflags: u32, flags: u32) -> Result<u32, &'static str> {
    let mut r = Ret::new();
    unsafe {
        open_at(
            d,
            path_flags,
            path.as_ptr(),
            path.len(),
            oflags,
            flags,
            &mut r,
        )
    };
    r.check(4).map(|()| r.u32(4))
}

fn show<T: std::fmt::Debug>(what: &str, r: Result<T, &str>) {
    match r {
        Ok(v) => println!("{what}: ok {v:?}"),
        Err(e) => println!("{what}: error {e}"),
    }
}

fn unit(call: impl FnOnce(R)) -> Result<(), &'static str> {
    let mut r = Ret::new();
    call(&mut r);
    r.check(1)
}

/// A stat, summarised: (type, link-count, size).
fn stat_of(call: impl FnOnce(R)) -> Result<(&'static str, u64, u64), &'static str> {
    let mut r = Ret::new();
    call(&mut r);
    r.check(8)?;
    Ok((TYPES[r.u8(8) as usize], r.u64(16), r.u64(24)))
}

/// The modification (and access) timestamps as (seconds, nanoseconds).
fn times_of(d: u32) -> ((u64, u32), (u64, u32)) {
    let mut r = Ret::new();
    unsafe { stat(d, &mut r) };
    r.check(8).expect("stat");
    assert_eq!(r.u8(8 + 24), 1, "access time present");
    assert_eq!(r.u8(8 + 48), 1, "modification time present");
    (
        (r.u64(8 + 32), r.u32(8 + 40)),
        (r.u64(8 + 56), r.u32(8 + 64)),
    )
}

fn pread(d: u32, len: u64, offset: u64) -> Result<(String, bool), &'static str> {
    let mut r = Ret::new();
    unsafe { read(d, len, offset, &mut r) };
    r.check(4)?;
    Ok((
        String::from_utf8_lossy(&r.bytes(4)).into_owned(),
        r.u8(12) != 0,
    ))
}

fn pwrite(d: u32, data: &[u8], offset: u64) -> Result<u64, &'static str> {
    let mut r = Ret::new();
    unsafe { write(d, data.as_ptr(), data.len(), offset, &mut r) };
    r.check(8)?;
    Ok(r.u64(8))
}

fn flags_of(d: u32) -> Result<Vec<&'static str>, &'static str> {
    let mut r = Ret::new();
    unsafe { get_flags(d, &mut r) };
    r.check(1)?;
    let names = [
        "read",
        "write",
        "file-integrity-sync",
        "data-integrity-sync",
        "requested-write-sync",
        "mutate-directory",
    ];
    Ok(names
        .iter()
        .enumerate()
        .filter(|(i, _)| r.u8(1) & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect())
}

fn type_of(d: u32) -> Result<&'static str, &'static str> {
    let mut r = Ret::new();
    unsafe { get_type(d, &mut r) };
    r.check(1)?;
    Ok(TYPES[r.u8(1) as usize])
}

fn hash_of(call: impl FnOnce(R)) -> Result<(u64, u64), &'static str> {
    let mut r = Ret::new();
    call(&mut r);
    r.check(8)?;
    Ok((r.u64(8), r.u64(16)))
}

fn listing(d: u32) -> Result<Vec<String>, &'static str> {
    let mut r = Ret::new();
    unsafe { read_directory(d, &mut r) };
    r.check(4)?;
    let stream = r.u32(4);
    let mut names = Vec::new();
    loop {
        let mut e = Ret::new();
        unsafe { read_directory_entry(stream, &mut e) };
        e.check(4)?;
        if e.u8(4) == 0 {
            break;
        }
        names.push(format!("{} ({})", e.string(12), TYPES[e.u8(8) as usize]));
    }
    unsafe { drop_directory_entry_stream(stream) };
    names.sort();
    Ok(names)
}

fn read_all(stream: u32) -> String {
    let mut all = Vec::new();
    loop {
        let mut r = Ret::new();
        unsafe { blocking_read(stream, 1024, &mut r) };
        if r.u8(0) != 0 {
            assert_eq!(r.u8(4), 1, "stream closed at the end, not failed");
            break;
        }
        all.extend(r.bytes(4));
    }
    String::from_utf8_lossy(&all).into_owned()
}

fn main() {
    // Preopens.
    let mut r = Ret::new();
    unsafe { get_directories(&mut r) };
    let count = r.u32(4);
    println!("preopens: {count}");
    let entries =
        unsafe { std::slice::from_raw_parts(r.u32(0) as *const [u32; 3], count as usize) };
    let name = |e: &[u32; 3]| {
        String::from_utf8_lossy(unsafe {
            std::slice::from_raw_parts(e[1] as *const u8, e[2] as usize)
        })
        .into_owned()
    };
    for e in entries {
        println!("  {:?}", name(e));
    }
    let root = entries[0][0];
    show("root get-type", type_of(root));
    show("root get-flags", flags_of(root));
    show(
        "root stat",
        stat_of(|r| unsafe { stat(root, r) }).map(|s| s.0),
    );

    // open-at with create/exclusive; write and read at offsets.
    let f = open(root, 0, "a.txt", CREATE | EXCLUSIVE, READ | WRITE).expect("create a.txt");
    show(
        "open-at a.txt create|exclusive again",
        open(root, 0, "a.txt", CREATE | EXCLUSIVE, READ | WRITE),
    );
    show("get-type", type_of(f));
    show("get-flags", flags_of(f));
    show("write 'hello world' at 0", pwrite(f, b"hello world", 0));
    show("write '!' at 11", pwrite(f, b"!", 11));
    show("read 5 at 6", pread(f, 5, 6));
    show("read 100 at 6", pread(f, 100, 6));
    show("read 4 at 100", pread(f, 4, 100));
    show("stat", stat_of(|r| unsafe { stat(f, r) }));
    show("set-size 4", unit(|r| unsafe { set_size(f, 4, r) }));
    show("set-size 6", unit(|r| unsafe { set_size(f, 6, r) }));
    show("read 10 at 0", pread(f, 10, 0));
    show(
        "stat-at a.txt",
        stat_of(|r| unsafe { stat_at(root, 0, "a.txt".as_ptr(), 5, r) }),
    );

    // Timestamps.
    show(
        "set-times access=1000000000.5 modification=1500000000.25",
        unit(|r| unsafe {
            set_times(
                f,
                TIMESTAMP,
                1_000_000_000,
                5,
                TIMESTAMP,
                1_500_000_000,
                250_000_000,
                r,
            )
        }),
    );
    let (a, m) = times_of(f);
    println!("  access {a:?} modification {m:?}");
    show(
        "set-times access=no-change modification=now",
        unit(|r| unsafe { set_times(f, NO_CHANGE, 0, 0, NOW, 0, 0, r) }),
    );
    let (a2, m2) = times_of(f);
    println!(
        "  access unchanged: {}, modification after 2020: {}",
        a2 == a,
        m2.0 > 1_577_836_800
    );
    show(
        "set-times-at a.txt modification=1234567890.0",
        unit(|r| unsafe {
            set_times_at(
                root,
                0,
                "a.txt".as_ptr(),
                5,
                NO_CHANGE,
                0,
                0,
                TIMESTAMP,
                1_234_567_890,
                0,
                r,
            )
        }),
    );
    println!("  modification {:?}", times_of(f).1);
    show(
        "set-times nanoseconds 1e9 (invalid)",
        unit(|r| unsafe { set_times(f, TIMESTAMP, 1, 1_000_000_000, NO_CHANGE, 0, 0, r) }),
    );

    // Streams on files.
    let mut r = Ret::new();
    unsafe { write_via_stream(f, 2, &mut r) };
    r.check(4).expect("write-via-stream");
    let w = r.u32(4);
    let mut s = Ret::new();
    unsafe { blocking_write_and_flush(w, b"XY".as_ptr(), 2, &mut s) };
    println!(
        "write-via-stream(2) + blocking-write-and-flush 'XY': {}",
        if s.u8(0) == 0 { "ok" } else { "failed" }
    );
    unsafe { blocking_write_zeroes_and_flush(w, 2, &mut s) };
    println!(
        "blocking-write-zeroes-and-flush 2: {}",
        if s.u8(0) == 0 { "ok" } else { "failed" }
    );
    unsafe { check_write(w, &mut s) };
    println!("check-write > 0: {}", s.u8(0) == 0 && s.u64(8) > 0);
    unsafe { write_zeroes(w, 1, &mut s) };
    println!(
        "write-zeroes 1: {}",
        if s.u8(0) == 0 { "ok" } else { "failed" }
    );
    unsafe { blocking_flush(w, &mut s) };
    unsafe { drop_output_stream(w) };
    unsafe { append_via_stream(f, &mut r) };
    r.check(4).expect("append-via-stream");
    let w = r.u32(4);
    unsafe { blocking_write_and_flush(w, b"END".as_ptr(), 3, &mut s) };
    unsafe { drop_output_stream(w) };
    unsafe { read_via_stream(f, 0, &mut r) };
    r.check(4).expect("read-via-stream");
    let rs = r.u32(4);
    println!("read-via-stream(0): {:?}", read_all(rs));
    unsafe { drop_input_stream(rs) };
    unsafe { read_via_stream(f, 5, &mut r) };
    let rs = r.u32(4);
    println!("read-via-stream(5): {:?}", read_all(rs));
    unsafe { drop_input_stream(rs) };
    unsafe { read_via_stream(f, 1000, &mut r) };
    let rs = r.u32(4);
    println!("read-via-stream(1000): {:?}", read_all(rs));
    unsafe { drop_input_stream(rs) };

    // A stream write that fails: past the largest file offset.
    unsafe { write_via_stream(f, u64::MAX / 2, &mut r) };
    match r.check(4) {
        Err(e) => println!("write-via-stream(huge offset): error {e}"),
        Ok(()) => {
            let w = r.u32(4);
            unsafe { blocking_write_and_flush(w, b"x".as_ptr(), 1, &mut s) };
            if s.u8(0) != 0 && s.u8(4) == 0 {
                let err = s.u32(8);
                let mut c = Ret::new();
                unsafe { filesystem_error_code(err, &mut c) };
                let code = if c.u8(0) == 1 {
                    Some(ERROR_CODES[c.u8(1) as usize])
                } else {
                    None
                };
                let mut d = Ret::new();
                unsafe { to_debug_string(err, &mut d) };
                println!("write at huge offset: last-operation-failed, filesystem-error-code {code:?}, debug string non-empty: {}", !d.string(0).is_empty());
                unsafe { drop_error(err) };
            } else {
                println!(
                    "write at huge offset: result case {} error case {}",
                    s.u8(0),
                    s.u8(4)
                );
            }
            unsafe { drop_output_stream(w) };
        }
    }

    // Flags, sync, advise; a read-only descriptor.
    show("sync", unit(|r| unsafe { sync(f, r) }));
    show("sync-data", unit(|r| unsafe { sync_data(f, r) }));
    for (advice, name) in [
        (0, "normal"),
        (1, "sequential"),
        (2, "random"),
        (3, "will-need"),
        (4, "dont-need"),
        (5, "no-reuse"),
    ] {
        show(
            &format!("advise {name}"),
            unit(|r| unsafe { advise(f, 0, 100, advice, r) }),
        );
    }
    let g = open(root, 0, "a.txt", 0, READ).expect("open read-only");
    show("read-only get-flags", flags_of(g));
    show("read-only write", pwrite(g, b"no", 0));
    show("read-only set-size", unit(|r| unsafe { set_size(g, 0, r) }));
    unsafe { write_via_stream(g, 0, &mut r) };
    show("read-only write-via-stream", r.check(4));
    show("read-only read 5 at 0", pread(g, 5, 0));
    let wo = open(root, 0, "a.txt", 0, WRITE).expect("open write-only");
    show("write-only read", pread(wo, 1, 0));
    unsafe { drop_descriptor(wo) };
    println!("is-same-object(f, g): {}", unsafe { is_same_object(f, g) });
    println!("is-same-object(f, root): {}", unsafe {
        is_same_object(f, root)
    });
    let hf = hash_of(|r| unsafe { metadata_hash(f, r) }).expect("hash f");
    let hg = hash_of(|r| unsafe { metadata_hash(g, r) }).expect("hash g");
    let hat =
        hash_of(|r| unsafe { metadata_hash_at(root, 0, "a.txt".as_ptr(), 5, r) }).expect("hash at");
    let hroot = hash_of(|r| unsafe { metadata_hash(root, r) }).expect("hash root");
    println!(
        "metadata-hash: f == g: {}, f == at(a.txt): {}, f != root: {}",
        hf == hg,
        hf == hat,
        hf != hroot
    );
    show(
        "metadata-hash-at missing",
        hash_of(|r| unsafe { metadata_hash_at(root, 0, "missing".as_ptr(), 7, r) }),
    );
    unsafe { drop_descriptor(g) };

    // Directories.
    let p = |s: &'static str| (s.as_ptr(), s.len());
    let mkdir = |path: &'static str| {
        unit(|r| unsafe { create_directory_at(root, p(path).0, p(path).1, r) })
    };
    show("create-directory-at sub", mkdir("sub"));
    show("create-directory-at sub again", mkdir("sub"));
    show("create-directory-at missing/x", mkdir("missing/x"));
    show("create-directory-at a.txt/x", mkdir("a.txt/x"));
    let sub = open(root, 0, "sub", DIRECTORY, READ | MUTATE_DIRECTORY).expect("open sub");
    show("sub get-type", type_of(sub));
    show(
        "open-at a.txt directory",
        open(root, 0, "a.txt", DIRECTORY, READ),
    );
    show("open-at sub write", open(root, 0, "sub", 0, READ | WRITE));
    show("open-at missing", open(root, 0, "missing", 0, READ));
    show("open-at a.txt/x", open(root, 0, "a.txt/x", 0, READ));
    show(
        "open-at missing/x create",
        open(root, 0, "missing/x", CREATE, READ | WRITE),
    );
    show("open-at '' ", open(root, 0, "", 0, READ));
    show("read on a directory", pread(sub, 1, 0));
    show("read-directory on a file", listing(f));

    // rename, link, symlink, readlink.
    show(
        "rename-at a.txt -> sub/b.txt",
        unit(|r| unsafe { rename_at(root, p("a.txt").0, 5, sub, p("b.txt").0, 5, r) }),
    );
    show(
        "stat-at a.txt",
        stat_of(|r| unsafe { stat_at(root, 0, p("a.txt").0, 5, r) }),
    );
    show(
        "stat-at (sub) b.txt",
        stat_of(|r| unsafe { stat_at(sub, 0, p("b.txt").0, 5, r) }),
    );
    show(
        "stat of the renamed open file",
        stat_of(|r| unsafe { stat(f, r) }),
    );
    show(
        "rename-at missing",
        unit(|r| unsafe { rename_at(root, p("missing").0, 7, root, p("x").0, 1, r) }),
    );
    show(
        "link-at sub/b.txt -> hard.txt",
        unit(|r| unsafe { link_at(sub, 0, p("b.txt").0, 5, root, p("hard.txt").0, 8, r) }),
    );
    show(
        "link-at again",
        unit(|r| unsafe { link_at(sub, 0, p("b.txt").0, 5, root, p("hard.txt").0, 8, r) }),
    );
    show(
        "link-at a directory",
        unit(|r| unsafe { link_at(root, 0, p("sub").0, 3, root, p("sub2").0, 4, r) }),
    );
    show(
        "stat-at hard.txt",
        stat_of(|r| unsafe { stat_at(root, 0, p("hard.txt").0, 8, r) }),
    );
    show(
        "symlink-at sym -> sub/b.txt",
        unit(|r| unsafe { symlink_at(root, p("sub/b.txt").0, 9, p("sym").0, 3, r) }),
    );
    show(
        "symlink-at sym again",
        unit(|r| unsafe { symlink_at(root, p("x").0, 1, p("sym").0, 3, r) }),
    );
    let mut r = Ret::new();
    unsafe { readlink_at(root, p("sym").0, 3, &mut r) };
    show("readlink-at sym", r.check(4).map(|()| r.string(4)));
    unsafe { readlink_at(root, p("hard.txt").0, 8, &mut r) };
    show("readlink-at hard.txt", r.check(4).map(|()| r.string(4)));
    unsafe { readlink_at(root, p("missing").0, 7, &mut r) };
    show("readlink-at missing", r.check(4).map(|()| r.string(4)));
    show(
        "stat-at sym (no follow)",
        stat_of(|r| unsafe { stat_at(root, 0, p("sym").0, 3, r) }),
    );
    show(
        "stat-at sym (follow)",
        stat_of(|r| unsafe { stat_at(root, FOLLOW, p("sym").0, 3, r) }),
    );
    show(
        "open-at sym (follow)",
        open(root, FOLLOW, "sym", 0, READ).map(|d| pread(d, 5, 0)),
    );
    show("open-at sym (no follow)", open(root, 0, "sym", 0, READ));
    show(
        "metadata-hash-at sym follow == b.txt",
        Ok::<_, &str>(
            hash_of(|r| unsafe { metadata_hash_at(root, FOLLOW, p("sym").0, 3, r) }) == Ok(hf),
        ),
    );
    show("listing /", listing(root));
    show("listing sub", listing(sub));

    // Removal errors and removal.
    show(
        "remove-directory-at sub (not empty)",
        unit(|r| unsafe { remove_directory_at(root, p("sub").0, 3, r) }),
    );
    show(
        "remove-directory-at hard.txt",
        unit(|r| unsafe { remove_directory_at(root, p("hard.txt").0, 8, r) }),
    );
    show(
        "remove-directory-at missing",
        unit(|r| unsafe { remove_directory_at(root, p("missing").0, 7, r) }),
    );
    show(
        "unlink-file-at sub",
        unit(|r| unsafe { unlink_file_at(root, p("sub").0, 3, r) }),
    );
    show(
        "unlink-file-at missing",
        unit(|r| unsafe { unlink_file_at(root, p("missing").0, 7, r) }),
    );
    show(
        "unlink-file-at sub/b.txt",
        unit(|r| unsafe { unlink_file_at(root, p("sub/b.txt").0, 9, r) }),
    );
    show(
        "stat-at hard.txt after unlink",
        stat_of(|r| unsafe { stat_at(root, 0, p("hard.txt").0, 8, r) }),
    );
    show(
        "stat of the unlinked open file",
        stat_of(|r| unsafe { stat(f, r) }),
    );
    unsafe { drop_descriptor(sub) };
    show(
        "remove-directory-at sub",
        unit(|r| unsafe { remove_directory_at(root, p("sub").0, 3, r) }),
    );
    show(
        "open-at sym (follow, dangling)",
        open(root, FOLLOW, "sym", 0, READ),
    );

    // truncate.
    let t = open(root, 0, "hard.txt", TRUNCATE, WRITE).expect("truncate");
    show("after truncate stat", stat_of(|r| unsafe { stat(t, r) }));
    show("write 'final'", pwrite(t, b"final", 0));
    unsafe { drop_descriptor(t) };
    unsafe { drop_descriptor(f) };
    show("listing / at the end", listing(root));
}
