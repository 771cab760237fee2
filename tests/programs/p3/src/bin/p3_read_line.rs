// kiln-test: stdin = "Ada Lovelace\nsecond line\nnot read\n"
// kiln-test: stdout = "name? hello, Ada Lovelace (12 chars)\nnext: second line\n"
//! A prompt, then two lines read from stdin's WASI 0.3 stream, one at a
//! time. On a pipe the input is all there at once; on a Windows console
//! (`cross::x86_64-pc-windows-gnu::console_like_wasmtime_exe`) each read
//! waits for a line typed after the program's last output, as in
//! Wasmtime for Windows.

use wasip3::wit_bindgen::StreamResult;
use wasip3::wit_bindgen::rt::async_support::StreamReader;

struct Cmd;
wasip3::cli::command::export!(Cmd);

/// The next line of `rx` (without its end), `pending` holding what was
/// read past it.
async fn line(rx: &mut StreamReader<u8>, pending: &mut Vec<u8>) -> String {
    while !pending.contains(&b'\n') {
        match rx.read(Vec::with_capacity(256)).await {
            (StreamResult::Complete(_), chunk) => pending.extend(chunk),
            _ => break,
        }
    }
    let end = pending.iter().position(|&b| b == b'\n').map_or(pending.len(), |i| i + 1);
    let line: Vec<u8> = pending.drain(..end).collect();
    String::from_utf8_lossy(&line).trim_end_matches(['\r', '\n']).to_string()
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        out.print("name? ").await;
        let (mut rx, _done) = wasip3::cli::stdin::read_via_stream();
        let mut pending = Vec::new();
        let name = line(&mut rx, &mut pending).await;
        out.print(&format!("hello, {name} ({} chars)\n", name.chars().count())).await;
        let next = line(&mut rx, &mut pending).await;
        out.print(&format!("next: {next}\n")).await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
