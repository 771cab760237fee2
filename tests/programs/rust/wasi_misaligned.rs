// kiln-test: exit = 1
// kiln-test: stdout = "written\n"
// kiln-test: stderr-contains = Pointer not aligned to
//! A misaligned result pointer (nwritten at an odd address) is fatal after
//! the write itself happened, as in wasmtime.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_write(fd: u32, iovs: *const [u32; 2], n: u32, nwritten: *mut u8) -> u32;
}

fn main() {
    let msg = b"written\n";
    let iov = [[msg.as_ptr() as u32, msg.len() as u32]];
    let mut out = [0u32; 2];
    let e = unsafe { fd_write(1, iov.as_ptr(), 1, (out.as_mut_ptr() as *mut u8).add(1)) };
    println!("unreachable: {e}");
}
