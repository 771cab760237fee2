// kiln-test: target = wasm32-wasip1-threads
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
// kiln-test: exit = 134
// kiln-test: stdout = "before\n"
// kiln-test: stderr-contains = panicked at
// kiln-test: stderr-contains = wasi_thread_start
// kiln-test: stderr-contains = wasm trap: wasm `unreachable` instruction executed
//! wasi-threads: a trap in a spawned thread (a panic aborts on wasm) ends
//! the whole process with the trap report, whose backtrace is the spawned
//! thread's (down to `wasi_thread_start`), and status 134.

fn main() {
    println!("before");
    let child = std::thread::spawn(|| -> u32 { panic!("boom in a thread") });
    let _ = child.join();
    println!("not reached");
}
