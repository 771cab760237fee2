// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 1
// kiln-test: stdout = "working\n"
// kiln-test: stderr-contains = Error: "bad input"
//! `main` returning `Err`: std prints the error with `Debug` to stderr and
//! exits with a failure, which `wasi:cli/run` reports as exit status 1.

fn main() -> Result<(), String> {
    println!("working");
    Err("bad input".to_string())
}
