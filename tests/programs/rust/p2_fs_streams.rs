// kiln-test: target = wasm32-wasip2
// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
//! `wasi:filesystem` file streams with Wasmtime's answers, which come
//! from its background I/O collected only by a wait: a non-blocking read
//! returns nothing until a wait, a wait on an idle stream reads 4096 bytes
//! (a blocking read as many as it asks for; a blocking read of 0 closes
//! the stream), `check-write` is 0 while a write is outstanding, a failed
//! write is reported once with its errno's `error-code` and text, then
//! the stream is closed; a stream outlives its descriptor. Then which
//! descriptor kind each method accepts (`bad-descriptor`,
//! `not-directory`, `is-directory`), open-at's flag rules, timestamp
//! overflow, and the preopen's set-times/sync. Nothing depends on inode
//! numbers or the time of the run.

// Bindings for the whole interface, not all of them used.
#![allow(dead_code)]

#[repr(C, align(8))]
struct Ret([u8; 112]);
impl Ret {
    fn new() -> Ret { Ret([0; 112]) }
    fn u8(&self, at: usize) -> u8 { self.0[at] }
    fn u32(&self, at: usize) -> u32 { u32::from_le_bytes(self.0[at..at + 4].try_into().unwrap()) }
    fn u64(&self, at: usize) -> u64 { u64::from_le_bytes(self.0[at..at + 8].try_into().unwrap()) }
    fn bytes(&self, at: usize) -> Vec<u8> {
        let (ptr, len) = (self.u32(at), self.u32(at + 4));
        unsafe { std::slice::from_raw_parts(ptr as *const u8, len as usize) }.to_vec()
    }
    fn check(&self, code_at: usize) -> Result<(), &'static str> {
        if self.u8(0) == 0 { Ok(()) } else { Err(ERROR_CODES[self.u8(code_at) as usize]) }
    }
}
const ERROR_CODES: &[&str] = &[
    "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist",
    "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io",
    "is-directory", "loop", "too-many-links", "message-size", "name-too-long", "no-device",
    "no-entry", "no-lock", "insufficient-memory", "insufficient-space", "not-directory",
    "not-empty", "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow",
    "not-permitted", "pipe", "read-only", "invalid-seek", "text-file-busy", "cross-device",
];
const TYPES: &[&str] = &["unknown", "block-device", "character-device", "directory", "fifo", "symbolic-link", "regular-file", "socket"];
type R = *mut Ret;
#[link(wasm_import_module = "wasi:filesystem/preopens@0.2.0")]
extern "C" { #[link_name = "get-directories"] fn get_directories(ret: R); }
#[link(wasm_import_module = "wasi:filesystem/types@0.2.0")]
extern "C" {
    #[link_name = "[method]descriptor.read-via-stream"] fn read_via_stream(d: u32, offset: u64, ret: R);
    #[link_name = "[method]descriptor.write-via-stream"] fn write_via_stream(d: u32, offset: u64, ret: R);
    #[link_name = "[method]descriptor.append-via-stream"] fn append_via_stream(d: u32, ret: R);
    #[link_name = "[method]descriptor.advise"] fn advise(d: u32, offset: u64, len: u64, advice: u32, ret: R);
    #[link_name = "[method]descriptor.sync-data"] fn sync_data(d: u32, ret: R);
    #[link_name = "[method]descriptor.get-flags"] fn get_flags(d: u32, ret: R);
    #[link_name = "[method]descriptor.get-type"] fn get_type(d: u32, ret: R);
    #[link_name = "[method]descriptor.set-size"] fn set_size(d: u32, size: u64, ret: R);
    #[link_name = "[method]descriptor.set-times"] fn set_times(d: u32, a: u32, a_s: u64, a_ns: u32, m: u32, m_s: u64, m_ns: u32, ret: R);
    #[link_name = "[method]descriptor.read"] fn read(d: u32, len: u64, offset: u64, ret: R);
    #[link_name = "[method]descriptor.write"] fn write(d: u32, ptr: *const u8, len: usize, offset: u64, ret: R);
    #[link_name = "[method]descriptor.read-directory"] fn read_directory(d: u32, ret: R);
    #[link_name = "[method]descriptor.sync"] fn sync(d: u32, ret: R);
    #[link_name = "[method]descriptor.stat"] fn stat(d: u32, ret: R);
    #[link_name = "[method]descriptor.stat-at"] fn stat_at(d: u32, flags: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]descriptor.link-at"] fn link_at(d: u32, flags: u32, old: *const u8, old_len: usize, new_d: u32, new: *const u8, new_len: usize, ret: R);
    #[link_name = "[method]descriptor.open-at"] fn open_at(d: u32, path_flags: u32, ptr: *const u8, len: usize, open_flags: u32, flags: u32, ret: R);
    #[link_name = "[method]descriptor.readlink-at"] fn readlink_at(d: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]descriptor.rename-at"] fn rename_at(d: u32, old: *const u8, old_len: usize, new_d: u32, new: *const u8, new_len: usize, ret: R);
    #[link_name = "[method]descriptor.symlink-at"] fn symlink_at(d: u32, old: *const u8, old_len: usize, new: *const u8, new_len: usize, ret: R);
    #[link_name = "[method]descriptor.unlink-file-at"] fn unlink_file_at(d: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]descriptor.is-same-object"] fn is_same_object(d: u32, other: u32) -> u32;
    #[link_name = "[method]descriptor.metadata-hash"] fn metadata_hash(d: u32, ret: R);
    #[link_name = "[method]directory-entry-stream.read-directory-entry"] fn read_directory_entry(s: u32, ret: R);
    #[link_name = "[resource-drop]descriptor"] fn drop_descriptor(d: u32);
}
#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[method]output-stream.blocking-write-and-flush"] fn blocking_write_and_flush(s: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]output-stream.check-write"] fn check_write(s: u32, ret: R);
    #[link_name = "[method]output-stream.write"] fn swrite(s: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]input-stream.read"] fn sread(s: u32, len: u64, ret: R);
    #[link_name = "[method]input-stream.blocking-read"] fn blocking_read(s: u32, len: u64, ret: R);
    #[link_name = "[method]input-stream.skip"] fn skip(s: u32, len: u64, ret: R);
    #[link_name = "[method]input-stream.subscribe"] fn isub(s: u32) -> u32;
    #[link_name = "[method]output-stream.subscribe"] fn osub(s: u32) -> u32;
    #[link_name = "[method]output-stream.flush"] fn flush(s: u32, ret: R);
    #[link_name = "[method]output-stream.blocking-flush"] fn blocking_flush(s: u32, ret: R);
    #[link_name = "[resource-drop]input-stream"] fn drop_in(s: u32);
    #[link_name = "[resource-drop]output-stream"] fn drop_out(s: u32);
}
#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
extern "C" {
    #[link_name = "[method]pollable.block"] fn block(p: u32);
    #[link_name = "[resource-drop]pollable"] fn drop_poll(p: u32);
}
#[link(wasm_import_module = "wasi:io/error@0.2.0")]
extern "C" {
    #[link_name = "[method]error.to-debug-string"] fn to_debug_string(e: u32, ret: R);
}
#[link(wasm_import_module = "wasi:filesystem/types@0.2.0")]
extern "C" {
    #[link_name = "filesystem-error-code"] fn filesystem_error_code(err: u32, ret: R);
}

fn open(d: u32, pf: u32, path: &str, of: u32, fl: u32) -> Result<u32, &'static str> {
    let mut r = Ret::new();
    unsafe { open_at(d, pf, path.as_ptr(), path.len(), of, fl, &mut r) };
    r.check(4).map(|()| r.u32(4))
}
fn unit(call: impl FnOnce(R)) -> Result<(), &'static str> { let mut r = Ret::new(); call(&mut r); r.check(1) }
fn show<T: std::fmt::Debug>(what: &str, r: T) { println!("{what}: {r:?}"); }
fn flags_of(d: u32) -> Result<u8, &'static str> { let mut r = Ret::new(); unsafe { get_flags(d, &mut r) }; r.check(1)?; Ok(r.u8(1)) }
fn hash(d: u32) -> Result<(u64, u64), &'static str> { let mut r = Ret::new(); unsafe { metadata_hash(d, &mut r) }; r.check(8)?; Ok((r.u64(8), r.u64(16))) }


fn rd(s: u32, n: u64) -> Result<Vec<u8>, String> { let mut r = Ret::new(); unsafe { sread(s, n, &mut r) }; if r.u8(0) == 0 { Ok(r.bytes(4)) } else { Err(err(&r)) } }
fn brd(s: u32, n: u64) -> Result<Vec<u8>, String> { let mut r = Ret::new(); unsafe { blocking_read(s, n, &mut r) }; if r.u8(0) == 0 { Ok(r.bytes(4)) } else { Err(err(&r)) } }
fn err(r: &Ret) -> String {
    if r.u8(4) == 1 { return "closed".into(); }
    let e = r.u32(8);
    let mut c = Ret::new(); unsafe { filesystem_error_code(e, &mut c) };
    let mut d = Ret::new(); unsafe { to_debug_string(e, &mut d) };
    // The first line: wasmtime appends a host backtrace when RUST_BACKTRACE is set.
    let dbg = String::from_utf8(d.bytes(0)).unwrap();
    format!("failed code={:?} dbg={:?}", if c.u8(0) == 1 { Some(ERROR_CODES[c.u8(1) as usize]) } else { None }, dbg.lines().next().unwrap_or(""))
}
fn cw(s: u32) -> Result<u64, String> { let mut r = Ret::new(); unsafe { check_write(s, &mut r) }; if r.u8(0) == 0 { Ok(r.u64(8)) } else { Err(if r.u8(8) == 1 { "closed".into() } else { "failed".into() }) } }
fn wr(s: u32, b: &[u8]) -> String { let mut r = Ret::new(); unsafe { swrite(s, b.as_ptr(), b.len(), &mut r) }; if r.u8(0) == 0 { "ok".into() } else { err(&r) } }
fn fl(s: u32) -> String { let mut r = Ret::new(); unsafe { flush(s, &mut r) }; if r.u8(0) == 0 { "ok".into() } else { err(&r) } }
fn bfl(s: u32) -> String { let mut r = Ret::new(); unsafe { blocking_flush(s, &mut r) }; if r.u8(0) == 0 { "ok".into() } else { err(&r) } }
fn fread(d: u32) -> Vec<u8> { let mut r = Ret::new(); unsafe { read(d, 1000, 0, &mut r) }; r.bytes(4) }

fn main() {
    let mut r = Ret::new();
    unsafe { get_directories(&mut r) };
    let root = unsafe { *(r.u32(0) as *const u32) };
    let f = open(root, 0, "f", 1, 3).unwrap();
    let mut x = Ret::new();
    unsafe { write(f, b"abcdefghijklmnopqrstuvwxyz".as_ptr(), 26, 0, &mut x) };
    let mut r = Ret::new();
    unsafe { read_via_stream(f, 0, &mut r) };
    let s = r.u32(4);
    let p = unsafe { isub(s) };
    unsafe { block(p) };
    show("after block read 3", rd(s, 3));
    show("read 100", rd(s, 100));
    show("read 5 (idle)", rd(s, 5));
    unsafe { block(p) };
    show("after block read 2", rd(s, 2));
    show("read 0", rd(s, 0));
    show("blocking read 10", brd(s, 10));
    show("blocking read 0", brd(s, 0));
    show("read after", rd(s, 3));
    unsafe { drop_poll(p); drop_in(s); }
    unsafe { read_via_stream(f, 24, &mut r) };
    let s = r.u32(4);
    show("tail blocking 10", brd(s, 10));
    show("tail blocking 10 again", brd(s, 10));
    show("tail read", rd(s, 1));
    unsafe { drop_in(s); }
    unsafe { read_via_stream(f, 1000, &mut r) };
    let s = r.u32(4);
    show("past end read", rd(s, 5));
    show("past end blocking", brd(s, 5));
    unsafe { drop_in(s); }
    // output
    unsafe { write_via_stream(f, 2, &mut r) };
    let w = r.u32(4);
    show("cw", cw(w));
    show("write XY", wr(w, b"XY"));
    show("cw after write", cw(w));
    show("flush", fl(w));
    let p = unsafe { osub(w) };
    unsafe { block(p) };
    show("cw after block", cw(w));
    show("write ZZ", wr(w, b"ZZ"));
    show("blocking flush", bfl(w));
    show("cw", cw(w));
    unsafe { drop_poll(p); drop_out(w); }
    show("file", String::from_utf8(fread(f)).unwrap());
    unsafe { write_via_stream(f, u64::MAX / 2, &mut r) };
    let w = r.u32(4);
    show("huge write", wr(w, b"q"));
    show("huge flush", fl(w));
    show("huge cw", cw(w));
    show("huge blocking flush", bfl(w));
    show("huge cw", cw(w));
    show("huge write again", wr(w, b"q"));
    unsafe { drop_out(w); }
    unsafe { append_via_stream(f, &mut r) };
    let w = r.u32(4);
    show("append", wr(w, b"+"));
    show("append bfl", bfl(w));
    unsafe { drop_out(w); }
    show("file", String::from_utf8(fread(f)).unwrap());
    let ro = open(root, 0, "f", 0, 1).unwrap();
    unsafe { write_via_stream(ro, 0, &mut r) };
    let w = r.u32(4);
    show("ro write", wr(w, b"q"));
    show("ro bflush", bfl(w));
    let wo = open(root, 0, "f", 0, 2).unwrap();
    unsafe { read_via_stream(wo, 0, &mut r) };
    let s = r.u32(4);
    show("wo blocking read", brd(s, 4));
    show("wo read again", rd(s, 4));

    // Which kind of descriptor each method accepts, and open's rules.
    let file = f;
    show("read-via-stream on a directory", { let mut r = Ret::new(); unsafe { read_via_stream(root, 0, &mut r) }; r.check(4) });
    show("write-via-stream on a directory", { let mut r = Ret::new(); unsafe { write_via_stream(root, 0, &mut r) }; r.check(4) });
    show("append-via-stream on a directory", { let mut r = Ret::new(); unsafe { append_via_stream(root, &mut r) }; r.check(4) });
    show("advise on a directory", unit(|r| unsafe { advise(root, 0, 0, 0, r) }));
    show("set-size on a directory", unit(|r| unsafe { set_size(root, 0, r) }));
    show("write on a directory", { let mut r = Ret::new(); unsafe { write(root, b"x".as_ptr(), 1, 0, &mut r) }; r.check(8) });
    show("stat-at on a file", { let mut r = Ret::new(); unsafe { stat_at(file, 0, "x".as_ptr(), 1, &mut r) }; r.check(8) });
    show("open-at on a file", open(file, 0, "x", 0, 1));
    show("link-at to a file descriptor", unit(|r| unsafe { link_at(root, 0, "f".as_ptr(), 1, file, "g".as_ptr(), 1, r) }));
    show("rename-at to a file descriptor", unit(|r| unsafe { rename_at(root, "f".as_ptr(), 1, file, "g".as_ptr(), 1, r) }));
    show("link-at with symlink-follow", unit(|r| unsafe { link_at(root, 1, "f".as_ptr(), 1, root, "g".as_ptr(), 1, r) }));
    show("set-times on the preopen", unit(|r| unsafe { set_times(root, 2, 5, 0, 2, 6, 0, r) }));
    show("set-times seconds overflow", unit(|r| unsafe { set_times(file, 2, u64::MAX, 0, 0, 0, 0, r) }));
    show("set-times nanoseconds carry overflow", unit(|r| unsafe { set_times(file, 2, u64::MAX, 1_000_000_000, 0, 0, 0, r) }));
    show("sync the preopen", unit(|r| unsafe { sync(root, r) }));
    show("sync-data the preopen", unit(|r| unsafe { sync_data(root, r) }));
    show("open-at file-integrity-sync", open(root, 0, "f", 0, 1 | 4));
    show("open-at data-integrity-sync", open(root, 0, "f", 0, 1 | 8));
    show("open-at requested-write-sync", open(root, 0, "f", 0, 1 | 16));
    show("open-at directory|create", open(root, 0, "nd", 1 | 2, 1));
    show("open-at directory|truncate", open(root, 0, "nd", 2 | 8, 1));
    show("open-at exclusive without create", open(root, 0, "nofile", 4, 1));
    show("open-at create, no flags: get-flags", open(root, 0, "cf", 1, 0).and_then(flags_of));
    show("open-at truncate, read: get-flags", open(root, 0, "cf", 8, 1).and_then(flags_of));
    show("open-at . read|mutate-directory: get-flags", open(root, 0, ".", 0, 1 | 32).and_then(flags_of));
    show("open-at . no flags: get-flags", open(root, 0, ".", 0, 0).and_then(flags_of));
    show("open-at ..", open(root, 0, "..", 0, 1));
    show("open-at /etc", open(root, 0, "/etc", 0, 1));
    show("symlink-at absolute target", unit(|r| unsafe { symlink_at(root, "/etc".as_ptr(), 4, "abs".as_ptr(), 3, r) }));
    show("read 0 bytes", { let mut r = Ret::new(); unsafe { read(file, 0, 0, &mut r) }; r.check(4).map(|()| (r.bytes(4), r.u8(12))) });
    show("read u64::MAX bytes at 20", { let mut r = Ret::new(); unsafe { read(file, u64::MAX, 20, &mut r) }; r.check(4).map(|()| (String::from_utf8(r.bytes(4)).unwrap(), r.u8(12))) });
    let other = open(root, 0, "f", 0, 1).unwrap();
    println!("is-same-object(file, other open of it): {}", unsafe { is_same_object(file, other) });
    println!("is-same-object(file, root): {}", unsafe { is_same_object(file, root) });
    show("metadata-hash upper = lower ^ pi bits", hash(file).map(|h| h.1 == h.0 ^ 0x4009_21fb_5444_2d18));
    let mut r = Ret::new();
    unsafe { get_directories(&mut r) };
    let again = unsafe { *(r.u32(0) as *const u32) };
    println!("get-directories again: new handle {}, same object {}", again != root, unsafe { is_same_object(again, root) });
}
