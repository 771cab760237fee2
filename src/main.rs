//! The `kiln` command line: `kiln build` (wasm -> native executable),
//! `kiln run` and `kiln serve` (drop-ins for `wasmtime run` and `wasmtime
//! serve` backed by a compile cache) and `kiln targets`.
//!
//! Phase: the outermost driver. Inputs: argv. Outputs: files (executables,
//! objects, cache entries), or an exec of a cached executable.
//!
//! Invariants: every failure is one `error: <cause>` line on stderr naming
//! the input file, with exit status 1 (compile, link, I/O) or 2 (usage, from
//! clap); never a panic message or backtrace (an internal panic is turned
//! into a one-line `error: internal error` by the panic hook below). A bad
//! `-S` or `-W` value is worded as Wasmtime words it
//! (`cli::usage_error`).

mod cli;

use clap::Parser;

fn main() {
    cli::panic::install_hook();
    let args = cli::Cli::try_parse().unwrap_or_else(|e| cli::usage_error(e));
    if let Err(e) = cli::dispatch(args) {
        // `{:#}` joins the context chain on one line: `a: b: c`.
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
