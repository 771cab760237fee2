// kiln-test: target = wasm32-wasip1-threads
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
// kiln-test: stdin-open
// kiln-test: exit = 7
// kiln-test: stdout = "reader waits\nexiting\n"
//! wasi-threads: `proc_exit` from one thread while another is blocked in
//! `fd_read` on stdin (held open by the harness) ends the process at once
//! with the exit status asked for. With one lock around every host call,
//! `proc_exit` waited for the read, that is forever.

use std::io::Read;
use std::time::Duration;

fn main() {
    std::thread::spawn(|| {
        println!("reader waits");
        let mut buf = [0u8; 16];
        let n = std::io::stdin().read(&mut buf);
        println!("reader got {n:?}");
    });
    std::thread::sleep(Duration::from_millis(200));
    let exiter = std::thread::spawn(|| {
        println!("exiting");
        std::process::exit(7)
    });
    exiter.join().unwrap();
    println!("not reached");
}
