// kiln-test: target = wasm32-wasip1-threads
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
// kiln-test: exit = 3
// kiln-test: stdout = "main waits\nchild exits\n"
//! wasi-threads: `proc_exit` in a spawned thread ends the whole process with
//! its status while the main thread is blocked (in `memory.atomic.wait32`,
//! through `join`).

use std::io::Write;

fn main() {
    println!("main waits");
    let child = std::thread::spawn(|| {
        println!("child exits");
        std::io::stdout().flush().unwrap();
        std::process::exit(3)
    });
    child.join().unwrap();
    println!("not reached");
}
