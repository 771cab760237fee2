// kiln-test: stdin = "Ada Lovelace\nsecond line\nnot read\n"
// kiln-test: stdout = "name? hello, Ada Lovelace (12 chars)\nnext: second line\n"
//! A prompt, then two lines read from stdin (WASI P1 `fd_read`), one at a
//! time. On a pipe the input is all there at once; on a Windows console
//! (`cross::x86_64-pc-windows-gnu::console_like_wasmtime_exe`) each read
//! waits for a line typed after the program's last output, text beyond
//! ASCII included, as in Wasmtime for Windows.

use std::io::{BufRead, Write};

fn main() {
    print!("name? ");
    let _ = std::io::stdout().flush();
    let mut stdin = std::io::stdin().lock();
    let mut line = String::new();
    if let Err(e) = stdin.read_line(&mut line) {
        println!("read_line: {e}");
        return;
    }
    let name = line.trim_end_matches(['\r', '\n']);
    println!("hello, {name} ({} chars)", name.chars().count());
    line.clear();
    match stdin.read_line(&mut line) {
        Ok(_) => println!("next: {}", line.trim_end_matches(['\r', '\n'])),
        Err(e) => println!("read_line: {e}"),
    }
}
