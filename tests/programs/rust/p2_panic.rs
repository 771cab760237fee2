// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 134
// kiln-test: stdout = "before panic\n"
// kiln-test: stderr-contains = panicked at
// kiln-test: stderr-contains = boom 42
// kiln-test: stderr-contains = wasm trap: wasm `unreachable` instruction executed
//! A panic in a component: the message goes to stderr through
//! `wasi:cli/stderr`, then `panic = abort` executes `unreachable`, a trap
//! that ends the process with 134 and the trap report.

fn main() {
    println!("before panic");
    let n: u32 = std::env::args().count() as u32 + 41;
    if n == 42 {
        panic!("boom {n}");
    }
    println!("not reached");
}
