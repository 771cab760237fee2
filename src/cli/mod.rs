//! Argument definitions and dispatch; one file per command, plus the pieces
//! they share (options, input reading, caching, the embedded runtime, the
//! compile-and-link step).

mod build;
mod cache;
mod compile;
mod debug;
mod input;
mod limits;
mod objects;
mod options;
pub mod panic;
mod place;
pub use options::usage_error;
mod progress;
mod run;
mod run_config;
mod runtime;
mod serve;

use clap::{Parser, Subcommand};

/// Kiln: compile WebAssembly modules into standalone native executables.
#[derive(Debug, Parser)]
#[command(name = "kiln", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compile a wasm (or wat) module into a native executable.
    Build(build::BuildArgs),
    /// Compile (cached) and run a module, like `wasmtime run`.
    Run(run::RunArgs),
    /// Compile (cached) and serve a `wasi:http` component (0.2 proxy or 0.3
    /// service), like `wasmtime serve`.
    Serve(serve::ServeArgs),
    /// List the target triples this kiln can build for without a sysroot
    /// (the default first).
    Targets,
}

/// Runs the selected command.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Build(args) => build::build(args),
        Command::Run(args) => run::run(args),
        Command::Serve(args) => serve::serve(args),
        Command::Targets => {
            for t in compile::targets() {
                println!("{t}");
            }
            Ok(())
        }
    }
}
