// kiln-test: target = wasm32-wasip1-threads
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
// kiln-test: wasm = timeout=500ms
// kiln-test: exit = 134
// kiln-test: stdout = "before\n"
// kiln-test: stderr-contains = "wasm trap: interrupt"
//! `-W timeout` with wasi-threads: a spawned thread spins while the main
//! thread waits for it (an atomic wait); the deadline ends the run, whether
//! the spinning thread's check or the timer reports it first.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

fn main() {
    println!("before");
    let child = std::thread::spawn(|| {
        let mut n = 0u64;
        while !STOP.load(Ordering::Relaxed) {
            n = std::hint::black_box(n + 1);
        }
        n
    });
    let _ = child.join();
    println!("not reached");
}
