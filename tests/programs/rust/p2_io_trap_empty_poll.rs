// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 1
// kiln-test: stderr-contains = empty poll list
//! `poll` of an empty list is a host error, as in wasmtime.

#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
extern "C" {
    #[link_name = "poll"]
    fn poll(ptr: *const u32, len: usize, ret: *mut [u32; 2]);
}

fn main() {
    let mut ret = [0u32; 2];
    unsafe { poll([0u32; 0].as_ptr(), 0, &mut ret) };
    println!("not reached");
}
