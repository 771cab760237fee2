//! Generates one exported entry point per WASI host function,
//! `__kiln_wasi_host_<i>` for entry `i` of the host list (the WASI 0.2
//! functions of `kiln_abi::wasi_p2`, then the WASI 0.3 ones of
//! `kiln_abi::wasi_p3`, then the `wasi:http` ones of `kiln_abi::wasi_http`), as `entry!(i);` lines that `src/table.rs`
//! includes. Why one symbol per function rather than one table: a compiled
//! component refers only to the functions it imports, so the linker's
//! section garbage collection drops the rest of the WASI host (a hello
//! world does not carry the socket code).

use std::fmt::Write as _;

fn main() {
    let count = kiln_abi::wasi_p2::WASI_P2_FUNCS.len()
        + kiln_abi::wasi_p3::WASI_P3_FUNCS.len()
        + kiln_abi::wasi_http::WASI_HTTP_FUNCS.len();
    let mut out = format!("const GENERATED_ENTRIES: usize = {count};\n");
    for i in 0..count {
        writeln!(out, "entry!({i});").expect("writing to a String");
    }
    let dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let path = std::path::Path::new(&dir).join("host_entries.rs");
    if let Err(e) = std::fs::write(&path, out) {
        panic!("cannot write {}: {e}", path.display());
    }
    println!("cargo::rerun-if-changed=build.rs");
}
