// kiln-test: target = wasm32-wasip1-threads
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
// kiln-test: stdin = "one line\n"
// kiln-test: stdin-open
// kiln-test: stdout = "read: one line\nreader waits\npoller waits\nprompt from a worker\nmain exits\n"
//! wasi-threads: threads block in WASI calls independently. After the one
//! line of input, a reader thread blocks in `fd_read` on stdin (the harness
//! keeps stdin open) and another in `poll_oneoff` on stdin and a far-away
//! clock; meanwhile a third thread prints (the prompt a reader would wait
//! for) and the main thread returns from `main`, which ends the process
//! with status 0 while both are still blocked. With one lock around every
//! host call this deadlocked: the blocked reader held it.

use std::io::{BufRead, Write};
use std::time::Duration;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn poll_oneoff(subs: *const u8, events: *mut u8, n: u32, nevents: *mut u32) -> u16;
}

/// `poll_oneoff` on stdin readable and a relative clock of 60 s.
fn poll_stdin_or_minute() -> u16 {
    let mut subs = [0u8; 96];
    subs[8] = 1; // fd_read
    subs[16..20].copy_from_slice(&0u32.to_le_bytes());
    subs[48 + 8] = 0; // clock
    subs[48 + 16..48 + 20].copy_from_slice(&1u32.to_le_bytes()); // monotonic
    subs[48 + 24..48 + 32].copy_from_slice(&60_000_000_000u64.to_le_bytes());
    let mut events = [0u8; 64];
    let mut n = 0;
    unsafe { poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), 2, &mut n) }
}

fn main() {
    let stdin = std::io::stdin();
    let mut line = String::new();
    stdin.lock().read_line(&mut line).unwrap();
    println!("read: {}", line.trim_end());
    std::thread::spawn(|| {
        println!("reader waits");
        let mut buf = [0u8; 16];
        // Blocks in `fd_read` until the harness closes stdin, after the
        // process has ended.
        let n = std::io::Read::read(&mut std::io::stdin(), &mut buf);
        println!("reader got {n:?}");
    });
    std::thread::sleep(Duration::from_millis(100));
    std::thread::spawn(|| {
        println!("poller waits");
        let e = poll_stdin_or_minute();
        println!("poller woke: {e}");
    });
    // Let both threads enter their blocking calls.
    std::thread::sleep(Duration::from_millis(200));
    let printer = std::thread::spawn(|| {
        println!("prompt from a worker");
        std::io::stdout().flush().unwrap();
    });
    printer.join().unwrap();
    println!("main exits");
}
