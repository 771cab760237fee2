// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 1
// kiln-test: stdout = "before exit(err)\n"
//! The raw `wasi:cli/exit.exit(result)` with `err`: status 1, nothing after
//! the call runs.

#[link(wasm_import_module = "wasi:cli/exit@0.2.0")]
extern "C" {
    #[link_name = "exit"]
    fn exit(status: u32) -> !;
}

fn main() {
    println!("before exit(err)");
    unsafe { exit(1) };
}
