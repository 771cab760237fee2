// kiln-test: target = wasm32-wasip1-threads
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
// kiln-test: exit = 134
// kiln-test: stdout = "worker runs\n"
// kiln-test: stderr-contains = wasm trap: wasm `unreachable` instruction executed
// kiln-test: stderr-contains = wasi_threads_trap_busy::innermost
// kiln-test: stderr-contains = wasi_threads_trap_busy::middle
// kiln-test: stderr-contains = wasi_threads_trap_busy::outermost
// kiln-test: stderr-contains = wasi_threads_trap_busy::main
// kiln-test: stderr-contains = !_start
//! wasi-threads: the main thread traps while another thread is busy in
//! wasm. The report is the main thread's, with its whole backtrace down to
//! `main` (each thread walks its own stack: the worker entering wasm after
//! the main thread must not cut the main thread's walk short), and the
//! process ends with status 134 although the worker never stops.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static RUNNING: AtomicBool = AtomicBool::new(false);
static SPINS: AtomicU64 = AtomicU64::new(0);

#[inline(never)]
fn innermost(depth: u32) {
    if depth > 0 {
        std::process::abort();
    }
    // Not a panic: `unreachable` traps right here, so the backtrace starts
    // in this function.
    core::arch::wasm32::unreachable()
}

#[inline(never)]
fn middle(depth: u32) {
    innermost(std::hint::black_box(depth));
    SPINS.fetch_add(1, Ordering::Relaxed);
}

#[inline(never)]
fn outermost(depth: u32) {
    middle(std::hint::black_box(depth));
    SPINS.fetch_add(1, Ordering::Relaxed);
}

fn main() {
    std::thread::spawn(|| {
        RUNNING.store(true, Ordering::SeqCst);
        // Busy in wasm until the process ends.
        loop {
            SPINS.fetch_add(1, Ordering::Relaxed);
        }
    });
    while !RUNNING.load(Ordering::SeqCst) {
        std::hint::spin_loop();
    }
    println!("worker runs");
    outermost(std::hint::black_box(0));
    println!("not reached");
}
