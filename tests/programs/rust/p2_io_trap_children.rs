// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 1
// kiln-test: stdout = "child dropped first: ok\n"
// kiln-test: stderr-contains = resource has children
//! A stream cannot be dropped while a pollable made by its `subscribe`
//! lives (wasmtime's resource table: "resource has children"); dropping
//! the pollable first is fine.

#[link(wasm_import_module = "wasi:cli/stdout@0.2.0")]
extern "C" {
    #[link_name = "get-stdout"]
    fn get_stdout() -> u32;
}

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[method]output-stream.subscribe"]
    fn subscribe(this: u32) -> u32;
    #[link_name = "[resource-drop]output-stream"]
    fn drop_output_stream(this: u32);
}

#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
extern "C" {
    #[link_name = "[resource-drop]pollable"]
    fn drop_pollable(this: u32);
}

fn main() {
    let out = unsafe { get_stdout() };
    let p = unsafe { subscribe(out) };
    unsafe { drop_pollable(p) };
    unsafe { drop_output_stream(out) };
    println!("child dropped first: ok");
    let out = unsafe { get_stdout() };
    let _p = unsafe { subscribe(out) };
    unsafe { drop_output_stream(out) };
    println!("not reached");
}
