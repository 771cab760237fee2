// kiln-test: args = fdflags
// kiln-test: exit = 1
// kiln-test: stdout = "valid flags -> 58\n"
// kiln-test: stderr-contains = Invalid flag value
//! A flags argument with unknown bits is not an errno: wasmtime's bindings
//! reject it before the call, failing the run (exit 1). The argument picks
//! which call misbehaves (`fdflags`, `whence`, `clockid`, `oflags`).

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_fdstat_set_flags(fd: u32, flags: u32) -> u32;
    fn fd_seek(fd: u32, off: i64, whence: u32, new: *mut u64) -> u32;
    fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> u32;
    fn path_open(fd: u32, dirflags: u32, path: *const u8, len: usize, oflags: u32, base: u64, inh: u64, fdflags: u32, out: *mut u32) -> u32;
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let mut x = 0u64;
    let mut fd = 0u32;
    unsafe {
        println!("valid flags -> {}", fd_fdstat_set_flags(1, 16) + 50);
        let e = match which.as_str() {
            "fdflags" => fd_fdstat_set_flags(1, 0x20),
            "whence" => fd_seek(1, 0, 3, &mut x),
            "clockid" => clock_time_get(4, 0, &mut x),
            _ => path_open(3, 0, "x".as_ptr(), 1, 0x10, 0, 0, 0, &mut fd),
        };
        println!("unreachable: {e}");
    }
}
