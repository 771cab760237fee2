//! `kiln serve [OPTIONS] proxy.wasm`: a drop-in for `wasmtime serve`.
//!
//! The component is compiled once into a run-mode executable, cached as
//! for `kiln run` (`super::run::cached_binary`), and exec'd with this
//! run's settings in [`kiln_abi::grants::RUN_CONFIG_ENV`]: the serve flag
//! (`GRANT_FLAG_SERVE`) and the address (`A:` record). The executable then
//! behaves as one `kiln build --addr` gives: it prints `Serving HTTP on
//! http://HOST:PORT/` on stderr and serves until SIGINT or SIGTERM. The
//! options that concern the running server (`--shutdown-addr`,
//! `--no-logging-prefix`, `-H`, `--max-concurrent-*`, `--max-instance-*`,
//! `--idle-instance-timeout`) are passed on as the
//! executable's own arguments, which a built server takes too.

use super::build::{Opt, parse_addr};
use super::run_config::RunConfig;
use super::{compile, input, limits::LimitOptions, options::WasiOptions};
use anyhow::Result;
use clap::Args;
use kiln_abi::grants::{DEFAULT_SERVE_ADDR, GRANT_FLAG_SERVE};
use std::ffi::OsString;
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

    /// Socket address where, when connected to, will initiate a graceful
    /// shutdown (as SIGINT does).
    #[arg(long = "shutdown-addr", value_name = "SOCKADDR", value_parser = parse_addr)]
    shutdown_addr: Option<String>,

    /// Disable the `stdout [N] :: ` / `stderr [N] :: ` prefixes of the
    /// guest's output lines.
    #[arg(long = "no-logging-prefix")]
    no_logging_prefix: bool,

    /// Replace or add a request header before the component sees it:
    /// `name: value`, or `@FILE` with one header per line. Repeatable.
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    headers: Vec<String>,

    /// Most requests handled at any one time.
    #[arg(long = "max-concurrent-requests", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_concurrent_requests: Option<u32>,

    /// Most connections held at any one time (default 256; more wait to
    /// be accepted).
    #[arg(long = "max-concurrent-connections", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_concurrent_connections: Option<u32>,

    /// Most requests one component instance serves before it is dropped
    /// (default 1 for a 0.2 proxy, 128 for a 0.3 service).
    #[arg(long = "max-instance-reuse-count", value_name = "N")]
    max_instance_reuse_count: Option<u32>,

    /// Most requests one instance of a 0.3 service serves at once (default
    /// 16: a worker process serves that many connections; a 0.2 proxy's
    /// instance takes one request at a time).
    #[arg(long = "max-instance-concurrent-reuse-count", value_name = "N")]
    max_instance_concurrent_reuse_count: Option<u32>,

    /// How long an idle instance is kept for another request (default
    /// 1s; a bare number is seconds, or `ms`, `us`, `ns`).
    #[arg(long = "idle-instance-timeout", value_name = "DURATION", value_parser = kiln_abi::grants::parse_duration)]
    idle_instance_timeout: Option<std::time::Duration>,

    /// Optimization level of the (cached) compile.
    #[arg(
        long = "opt-level",
        value_enum,
        default_value = "2",
        value_name = "LEVEL"
    )]
    opt: Opt,

    /// The component (exporting `wasi:http/incoming-handler@0.2.x` or
    /// `wasi:http/handler@0.3.x`).
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
    super::run::exec(
        &binary,
        &input.program,
        &args.server_args(),
        &config.encode(),
    )
}

impl ServeArgs {
    /// The options the server executable reads at start (see
    /// `kiln_runner::component::serve`), from this command line.
    fn server_args(&self) -> Vec<OsString> {
        let mut out: Vec<OsString> = Vec::new();
        if let Some(a) = &self.shutdown_addr {
            out.extend(["--shutdown-addr".into(), a.into()]);
        }
        if self.no_logging_prefix {
            out.push("--no-logging-prefix".into());
        }
        for h in &self.headers {
            out.extend(["--header".into(), h.into()]);
        }
        if let Some(n) = self.max_concurrent_requests {
            out.extend(["--max-concurrent-requests".into(), n.to_string().into()]);
        }
        if let Some(n) = self.max_concurrent_connections {
            out.extend(["--max-concurrent-connections".into(), n.to_string().into()]);
        }
        if let Some(n) = self.max_instance_reuse_count {
            out.extend(["--max-instance-reuse-count".into(), n.to_string().into()]);
        }
        if let Some(n) = self.max_instance_concurrent_reuse_count {
            out.extend([
                "--max-instance-concurrent-reuse-count".into(),
                n.to_string().into(),
            ]);
        }
        if let Some(d) = self.idle_instance_timeout {
            out.extend([
                "--idle-instance-timeout".into(),
                format!("{}ns", d.as_nanos()).into(),
            ]);
        }
        out
    }
}
