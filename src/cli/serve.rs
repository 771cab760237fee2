//! `kiln serve [OPTIONS] proxy.wasm`: a drop-in for `wasmtime serve`.
//!
//! The component is compiled once into a run-mode executable, cached as
//! for `kiln run` (`super::run::cached_binary`), and exec'd with this
//! run's settings in [`kiln_abi::grants::RUN_CONFIG_ENV`]: the serve flag
//! (`GRANT_FLAG_SERVE`) and the address (`A:` record). The executable then
//! behaves as one `kiln build --addr` gives: it prints `Serving HTTP on
//! http://HOST:PORT/` on stderr and serves until SIGINT or SIGTERM.

use super::build::{Opt, parse_addr};
use super::run_config::RunConfig;
use super::{compile, input, limits::LimitOptions, options::WasiOptions};
use anyhow::Result;
use clap::Args;
use kiln_abi::grants::{DEFAULT_SERVE_ADDR, GRANT_FLAG_SERVE};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    wasi: WasiOptions,

    #[command(flatten)]
    limits: LimitOptions,

    /// Socket address for the web server to bind to (port 0: any free
    /// port, the banner names the one bound).
    #[arg(long, value_name = "SOCKADDR", default_value = DEFAULT_SERVE_ADDR, value_parser = parse_addr)]
    addr: String,

    /// Optimization level of the (cached) compile.
    #[arg(
        long = "opt-level",
        value_enum,
        default_value = "2",
        value_name = "LEVEL"
    )]
    opt: Opt,

    /// The component (exporting `wasi:http/incoming-handler@0.2.x`).
    #[arg(value_name = "WASM")]
    component: PathBuf,
}

pub fn serve(args: ServeArgs) -> Result<()> {
    let input = input::read(&args.component)?;
    if !kiln_compiler::is_component(&input.wasm) {
        // Wasmtime's report for a core module.
        eprintln!("Error: The serve command currently requires a component");
        std::process::exit(1);
    }
    let target = compile::target(None, false);
    let limits = args.limits.limits();
    let checks = LimitOptions::checks(&limits);
    let binary =
        super::run::cached_binary(&args.component, &input.wasm, args.opt, checks, &target)?;
    let config = RunConfig {
        flags: args.wasi.flags() | GRANT_FLAG_SERVE,
        invoke: None,
        program: args.component.to_string_lossy().as_bytes().to_vec(),
        dirs: args.wasi.dir_bytes(),
        envs: args.wasi.env_bytes(),
        limits,
        serve_addr: Some(args.addr.clone()),
    };
    super::run::exec(&binary, &input.program, &[], &config.encode())
}
