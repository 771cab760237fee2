// kiln-test: target = wasm32-wasip1-threads
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
// kiln-test: wasm = fuel=50000000
// kiln-test: exit = 134
// kiln-test: stdout = "main: 4950\nthread: 4950\n"
// kiln-test: stderr-contains = "wasm trap: all fuel consumed by WebAssembly"
// kiln-test: stderr-contains = "wasi_thread_start"
//! `-W fuel` with wasi-threads: every thread has its own fuel, the full
//! amount: a spawned thread does a small sum after the main thread did one,
//! then spins until its own fuel is gone (the main thread, waiting for it,
//! burns none).

fn sum(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        s = std::hint::black_box(s + i);
    }
    s
}

fn main() {
    println!("main: {}", sum(100));
    let child = std::thread::spawn(|| {
        println!("thread: {}", sum(100));
        let mut n = 0u64;
        loop {
            n = std::hint::black_box(n + 1);
            if n == u64::MAX {
                break n;
            }
        }
    });
    let _ = child.join();
    println!("not reached");
}
