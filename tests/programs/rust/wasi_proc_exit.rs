// kiln-test: exit = 42
// kiln-test: stdout = "before exit\n"
// kiln-test: stderr-contains = on stderr too
//! proc_exit with a status: output written before is kept, nothing after
//! runs.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn proc_exit(code: u32) -> !;
}

fn main() {
    println!("before exit");
    eprint!("on stderr too");
    unsafe { proc_exit(42) }
}
