// kiln-test: stdout = "terminal-stdin none: true\nterminal-stdout none: true\nterminal-stderr none: true\n"
//! WASI 0.3 `get-terminal-std*`: none of the three is a terminal when the
//! harness runs the program with pipes (and `/dev/null`), as Wasmtime
//! answers; a handle, if one came, would be dropped as a 0.3 resource.

use wasip3::cli::{terminal_stderr, terminal_stdin, terminal_stdout};

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let stdin = terminal_stdin::get_terminal_stdin();
        let stdout = terminal_stdout::get_terminal_stdout();
        let stderr = terminal_stderr::get_terminal_stderr();
        println!("terminal-stdin none: {}", stdin.is_none());
        println!("terminal-stdout none: {}", stdout.is_none());
        println!("terminal-stderr none: {}", stderr.is_none());
        Ok(())
    }
}

fn main() {}
