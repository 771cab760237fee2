// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 1
// kiln-test: stdout = "before\n"
// kiln-test: stderr-contains = xxxxxxxx
// kiln-test: stderr-contains = Buffer too large for blocking-write-and-flush (expected at most 4096)
//! `blocking-write-and-flush` of 4097 bytes is a host error that ends the
//! program (4096 is the limit), as in wasmtime.

#[link(wasm_import_module = "wasi:cli/stdout@0.2.0")]
extern "C" {
    #[link_name = "get-stdout"]
    fn get_stdout() -> u32;
}

#[link(wasm_import_module = "wasi:cli/stderr@0.2.0")]
extern "C" {
    #[link_name = "get-stderr"]
    fn get_stderr() -> u32;
}

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[method]output-stream.blocking-write-and-flush"]
    fn blocking_write_and_flush(this: u32, ptr: *const u8, len: usize, ret: *mut [u32; 3]);
}

fn main() {
    // Exactly 4096 bytes is fine (on stderr, to keep stdout short).
    let err = unsafe { get_stderr() };
    let mut r = [0; 3];
    let ok = vec![b'x'; 4096];
    unsafe { blocking_write_and_flush(err, ok.as_ptr(), ok.len(), &mut r) };
    assert_eq!(r[0] & 0xff, 0);
    println!("before");
    let out = unsafe { get_stdout() };
    let big = vec![b'x'; 4097];
    unsafe { blocking_write_and_flush(out, big.as_ptr(), big.len(), &mut r) };
    println!("not reached");
}
