// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 1
// kiln-test: stdout = "before exit\n"
// kiln-test: stderr-contains = on stderr too
//! `std::process::exit(7)` on wasm32-wasip2: wasi-libc can only report
//! success or failure through `wasi:cli/exit.exit(result)`, so any nonzero
//! status becomes `err` and the process exits with 1 (as under wasmtime).

fn main() {
    println!("before exit");
    eprint!("on stderr too");
    std::process::exit(7);
}
