// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 1
// kiln-test: stdout = "permit 65536\n"
// kiln-test: stderr-contains = cannot write more zeroes than `check_write` allows
//! `write-zeroes` of one byte more than `check-write` granted is a host
//! error (stdout grants 64 KiB), as in wasmtime.

#[link(wasm_import_module = "wasi:cli/stdout@0.2.0")]
extern "C" {
    #[link_name = "get-stdout"]
    fn get_stdout() -> u32;
}

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[method]output-stream.check-write"]
    fn check_write(this: u32, ret: *mut [u64; 2]);
    #[link_name = "[method]output-stream.write-zeroes"]
    fn write_zeroes(this: u32, len: u64, ret: *mut [u32; 3]);
}

fn main() {
    let out = unsafe { get_stdout() };
    let mut c = [0u64; 2];
    unsafe { check_write(out, &mut c) };
    println!("permit {}", c[1]);
    let mut r = [0; 3];
    unsafe { write_zeroes(out, c[1] + 1, &mut r) };
    println!("not reached");
}
