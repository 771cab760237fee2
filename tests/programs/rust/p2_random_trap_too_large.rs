// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 1
// kiln-test: stdout = "64 MiB: 67108864 bytes\n"
// kiln-test: stderr-contains = requested len 67108865 exceeds limit 67108864
//! `get-random-bytes` up to 64 MiB works; one byte more is a host error, as
//! in wasmtime (its default `max_random_size`).

#[link(wasm_import_module = "wasi:random/random@0.2.0")]
extern "C" {
    #[link_name = "get-random-bytes"]
    fn get_random_bytes(len: u64, ret: *mut [u32; 2]);
}

fn main() {
    let mut ret = [0u32; 2];
    unsafe { get_random_bytes(64 << 20, &mut ret) };
    println!("64 MiB: {} bytes", ret[1]);
    unsafe { get_random_bytes((64 << 20) + 1, &mut ret) };
    println!("not reached");
}
