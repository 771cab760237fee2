// kiln-test: stdout-file
// kiln-test: stderr-contains = "fehler ✗"
//! Text beyond ASCII on the standard streams, and bytes that are not
//! UTF-8. On pipes and files every byte passes unchanged; on a Windows
//! console (`cross::x86_64-pc-windows-gnu::console_like_wasmtime_exe`)
//! text goes through the console's UTF-16 interface and a write that is
//! not UTF-8 fails, as in Wasmtime for Windows.

use std::io::Write;

fn main() {
    println!("grüße ✓ 日本語");
    eprintln!("fehler ✗");
    let mut out = std::io::stdout();
    let r = out.write_all(b"\xff\xfe\n").and_then(|()| out.flush());
    println!("not utf-8: {:?}", r.map_err(|e| e.raw_os_error()));
}
