// kiln-test: target = wasm32-wasip2
// kiln-test: wasm = timeout=500ms
// kiln-test: exit = 134
// kiln-test: stdout = "before\n"
// kiln-test: stderr-contains = "Error: timed out after deadline has elapsed\n\nCaused by:\n    wasm trap: interrupt\n"
//! `-W timeout` on a WASI 0.2 component whose guest sleeps (blocks in
//! `wasi:io/poll` `poll` on a monotonic-clock pollable) past the deadline:
//! the run ends at the deadline, as Wasmtime's does, without waiting for
//! the sleep, and without a backtrace.

fn main() {
    println!("before");
    std::thread::sleep(std::time::Duration::from_secs(10));
    println!("not reached");
}
