// kiln-test: target = wasm32-wasip2
// kiln-test: args = ok
// kiln-test: exit = 0
// kiln-test: stdout = "before exit(ok)\n"
//! The raw `wasi:cli/exit.exit(result)` with `ok` in the middle of main:
//! output already written is kept (stdout is flushed by std's `println!`
//! line buffering), nothing after the call runs, and the status is 0 even
//! though main would have gone on to exit with 3.

#[link(wasm_import_module = "wasi:cli/exit@0.2.0")]
extern "C" {
    // result (no payloads) flattens to one i32: 0 = ok, 1 = err.
    #[link_name = "exit"]
    fn exit(status: u32) -> !;
}

fn main() {
    println!("before exit(ok)");
    unsafe { exit(0) };
}
