// kiln-test: target = wasm32-wasip1-threads
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout = "opens: no escape, no foreign content\nafter the race: inside\n"
//! wasi-threads: one thread rewrites a path string in the shared memory,
//! byte by byte and without pause, while another passes it to `path_open`.
//! The string flips between a file inside the preopen, an escape
//! (`../../..`) and invalid UTF-8, and every mix of them. The host copies
//! the string out of the shared memory before it checks and uses it, so
//! whatever it sees is one consistent string: no open may ever read
//! anything but the inside file (an escape would read `/etc/passwd`; a
//! UTF-8 check of bytes that change afterwards could hand the file system
//! a string that is neither), and nothing may crash. Exit 0 and the exact
//! output are the assertion. (Write-side escapes are the host-driven
//! symlink race's business, `wasi_sandbox_race`, whose outside directory
//! belongs to the test.)

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::thread;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn path_open(fd: u32, dirflags: u32, path: *const u8, len: usize, oflags: u32, base: u64, inh: u64, fdflags: u32, out: *mut u32) -> u32;
    fn fd_read(fd: u32, iovs: *const Iovec, n: usize, nread: *mut usize) -> u32;
    fn fd_close(fd: u32) -> u32;
}

#[repr(C)]
struct Iovec {
    buf: *mut u8,
    len: usize,
}

/// The three strings the writer cycles through; all have the same length,
/// which the opener passes.
const INSIDE: &[u8; 28] = b"./././././././././inside.txt";
const ESCAPE: &[u8; 28] = b"../../../../../../etc/passwd";
const INVALID: &[u8; 28] = b"./././././././././inside\xff\xfe\xfd\xfc";

const PRESTAT_DIR: u32 = 3;
const FOLLOW: u32 = 1;
const RIGHT_READ: u64 = 1 << 1;

/// The shared string, written byte by byte (relaxed atomics: the writer
/// races with the host's copy on purpose).
static PATH: [AtomicU8; 28] = [const { AtomicU8::new(0) }; 28];
static STOP: AtomicBool = AtomicBool::new(false);

fn store(s: &[u8; 28]) {
    for (slot, b) in PATH.iter().zip(s) {
        slot.store(*b, Ordering::Relaxed);
    }
}

fn path_ptr() -> *const u8 {
    PATH.as_ptr().cast()
}

/// Spawns the writer cycling through `strings` until [`STOP`].
fn writer(strings: &'static [&'static [u8; 28]]) -> thread::JoinHandle<()> {
    STOP.store(false, Ordering::SeqCst);
    thread::spawn(move || {
        while !STOP.load(Ordering::Relaxed) {
            for s in strings {
                store(s);
                // Leave each whole string in place a moment, so that the
                // host sees every one of them as well as the mixes.
                for _ in 0..2_000 {
                    std::hint::spin_loop();
                }
            }
        }
    })
}

/// Opens the current string for reading; the file's content if it opened.
fn open_and_read() -> Option<Vec<u8>> {
    let mut fd = 0;
    // SAFETY: the path pointer and length name the static buffer.
    let e = unsafe { path_open(PRESTAT_DIR, FOLLOW, path_ptr(), 28, 0, RIGHT_READ, 0, 0, &mut fd) };
    if e != 0 {
        return None;
    }
    let mut buf = vec![0u8; 256];
    let iov = Iovec { buf: buf.as_mut_ptr(), len: buf.len() };
    let mut n = 0;
    // SAFETY: one iovec over `buf`.
    let e = unsafe { fd_read(fd, &iov, 1, &mut n) };
    unsafe { fd_close(fd) };
    assert_eq!(e, 0, "fd_read");
    buf.truncate(n);
    Some(buf)
}

fn main() {
    std::fs::write("/sandbox/inside.txt", b"inside\n").unwrap();

    let w = writer(&[INSIDE, ESCAPE, INVALID]);
    let mut foreign = 0;
    for _ in 0..20_000 {
        if let Some(content) = open_and_read() {
            if content != b"inside\n" {
                foreign += 1;
            }
        }
    }
    STOP.store(true, Ordering::SeqCst);
    w.join().unwrap();
    if foreign == 0 {
        println!("opens: no escape, no foreign content");
    } else {
        println!("opens: {foreign} read something other than the inside file");
    }

    store(INSIDE);
    let after = open_and_read().map(|c| String::from_utf8_lossy(&c).trim_end().to_string());
    println!("after the race: {}", after.as_deref().unwrap_or("open failed"));
}
