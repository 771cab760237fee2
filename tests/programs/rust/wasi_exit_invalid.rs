// kiln-test: exit = 1
// kiln-test: stdout = "still printed\n"
// kiln-test: stderr-contains = invalid exit status
//! proc_exit(126) is outside WASI's [0, 126): wasmtime fails the run with
//! an error (exit status 1) instead of exiting with 126.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn proc_exit(code: u32) -> !;
}

fn main() {
    println!("still printed");
    unsafe { proc_exit(126) }
}
