// The hello world whose executable size `tests/all/size.rs` bounds, built
// for wasm32-wasip1 (a core module) and wasm32-wasip2 (a component).
fn main() {
    println!("Hello, world!");
}
