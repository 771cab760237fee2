//! Hello world in Rust, for WASI preview 1:
//!
//!   rustc --target wasm32-wasip1 -O examples/hello.rs -o hello.wasm
//!   kiln build hello.wasm -o hello && ./hello
fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "world".to_string());
    println!("Hello, {name}!");
}
