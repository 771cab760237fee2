// kiln-test: exit = 1
// kiln-test: stdout = "ok so far\n"
// kiln-test: stderr-contains = Pointer out of bounds: Region { start:
//! A host call given a pointer outside linear memory is fatal (wiggle turns
//! it into a trap-like error; wasmtime exits 1), not an errno.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_write(fd: u32, iovs: *const [u32; 2], n: u32, nwritten: *mut u32) -> u32;
}

fn main() {
    println!("ok so far");
    let iov = [[0xffff_fff0u32, 64]];
    let mut n = 0;
    let e = unsafe { fd_write(1, iov.as_ptr(), 1, &mut n) };
    println!("unreachable: {e}");
}
