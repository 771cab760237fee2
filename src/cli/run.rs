//! `kiln run [OPTIONS] app.wasm [ARGS...]`: a drop-in for `wasmtime run`.
//!
//! The module is compiled once into a run-mode executable
//! (`GRANT_FLAG_RUN_MODE`, no baked capabilities) cached under
//! `<cache>/run/build-<kiln build>/<key>`: the directory identifies the Kiln
//! build (version, executable, runtime archive), the key hashes the wasm
//! bytes and the compile options. Each run
//! then `exec`s the cached executable, so signals, exit status and stdio
//! belong to the guest's process exactly as with a `kiln build` output; this
//! run's capabilities travel in [`kiln_abi::grants::RUN_CONFIG_ENV`].
//!
//! As in wasmtime, options come before the module and everything after the
//! module goes to the guest; the guest's argv[0] is the module's file name.

use super::build::Opt;
use super::run_config::RunConfig;
use super::{cache, compile, input, limits::LimitOptions, objects, options::WasiOptions, runtime};
use anyhow::{Context, Result};
use clap::Args;
use kiln_abi::grants::{GRANT_FLAG_RUN_MODE, RUN_CONFIG_ENV};
use kiln_compiler::{Checks, Config, CpuSpec, Grants};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    wasi: WasiOptions,

    #[command(flatten)]
    limits: LimitOptions,

    #[command(flatten)]
    debug: super::debug::DebugOptions,

    /// The guest's argv[0] (default: the module's file name).
    #[arg(long, value_name = "ARGV0")]
    argv0: Option<String>,

    /// Optimization level of the (cached) compile.
    #[arg(
        long = "opt-level",
        value_enum,
        default_value = "2",
        value_name = "LEVEL"
    )]
    opt: Opt,

    /// The module, then the guest's arguments.
    #[arg(value_name = "WASM", trailing_var_arg = true, required = true)]
    module_and_args: Vec<OsString>,
}

pub fn run(args: RunArgs) -> Result<()> {
    args.debug.check().map_err(anyhow::Error::msg)?;
    let (module, guest_args) = args
        .module_and_args
        .split_first()
        .context("no module given")?;
    let module = PathBuf::from(module);
    let input = input::read(&module)?;
    // Refused as `wasmtime run` refuses it, in its words.
    if let Err(report) = args
        .wasi
        .check_http_run(&input.wasm, &module.to_string_lossy())
    {
        eprint!("{report}");
        std::process::exit(1);
    }
    // The same default as `kiln build`, so that a run behaves as the
    // executable `kiln build` would give.
    let target = compile::target(None, false);
    let limits = args.limits.limits();
    let checks = LimitOptions::checks(&limits);
    let binary = cached_binary(&module, &input.wasm, args.opt, checks, &target)?;

    let argv0 = args.argv0.clone().unwrap_or_else(|| input.program.clone());
    let config = RunConfig {
        flags: args.wasi.flags(),
        invoke: args.wasi.invoke.as_ref().map(|s| s.as_bytes().to_vec()),
        // Wasmtime names the module as given on its command line in its
        // messages (`failed to run main module `dir/app.wasm``).
        program: module.to_string_lossy().as_bytes().to_vec(),
        dirs: args.wasi.dir_bytes(),
        envs: args.wasi.env_bytes(),
        limits,
        serve_addr: None,
    };
    exec(&binary, &argv0, guest_args, &config.encode())
}

/// Returns the cached run-mode executable for `wasm` with the limit
/// `checks` compiled in, compiling and linking it first if needed. The
/// limits' values travel in the run configuration, so one entry serves
/// every timeout (or every amount of fuel).
pub(super) fn cached_binary(
    module: &Path,
    wasm: &[u8],
    opt: Opt,
    checks: Checks,
    target: &str,
) -> Result<PathBuf> {
    // Entries live in one directory per Kiln build, so that the entries of
    // older builds can be evicted as a whole.
    let mut build = cache::KeyHasher::default();
    build
        .field("kiln-run-v1")
        .field(env!("CARGO_PKG_VERSION"))
        .field(cache::self_identity())
        .field(runtime::HASH);
    let build = format!("build-{}", build.finish());
    let mut key = cache::KeyHasher::default();
    let backtrace_details = compile::backtrace_details_requested();
    key.field(format!("{:?}", opt.level()))
        .field(format!("{checks:?}"))
        .field(format!("{backtrace_details:?}"))
        .field(target)
        .field(wasm);
    let binary = cache::cache_dir()
        .join("run")
        .join(&build)
        .join(key.finish());
    if binary.is_file() {
        return Ok(binary);
    }
    let dir = cache::subdir(&format!("run/{build}"))?;
    cache::prune_stale(&cache::cache_dir().join("run"), "", &build);
    let progress = super::progress::ProgressLine::start();
    let config = Config {
        target: Some(target.to_string()),
        opt_level: opt.level(),
        cpu: CpuSpec::Baseline,
        grants: Grants {
            flags: GRANT_FLAG_RUN_MODE,
            ..Grants::default()
        },
        verify: compile::verify_requested(),
        epoch_interruption: checks.interrupt,
        consume_fuel: checks.fuel,
        backtrace_details,
        progress: progress.sink(),
        ..Config::default()
    };
    let object = objects::compile_or_reuse(module, wasm, &config)?;
    progress.linking();
    // Link next to the final name, then rename: concurrent runs of the same
    // module never see a half-written executable.
    let tmp = tempfile::Builder::new()
        .prefix(".link-")
        .tempdir_in(&dir)
        .with_context(|| format!("cannot create a temporary directory in `{}`", dir.display()))?;
    let linked = tmp.path().join("exe");
    compile::link(&object, target, &linked, false, None)?;
    cache::install(&linked, &binary)?;
    Ok(binary)
}

#[cfg(unix)]
pub(super) fn exec(binary: &Path, argv0: &str, args: &[OsString], config: &str) -> Result<()> {
    use std::os::unix::process::CommandExt;
    // NB: `Command::env` would rebuild the environment as a sorted map, but
    // the guest must see the host environment in its own order (as with
    // wasmtime's `-S inherit-env`). Setting the variable in this process
    // lets exec pass `environ` through untouched.
    // SAFETY: nothing reads or writes the environment concurrently: the
    // compiler's worker threads are idle and this process execs right away.
    unsafe { std::env::set_var(RUN_CONFIG_ENV, config) };
    let err = std::process::Command::new(binary)
        .arg0(argv0)
        .args(args)
        .exec();
    Err(err).with_context(|| format!("cannot execute `{}`", binary.display()))
}

#[cfg(not(unix))]
pub(super) fn exec(binary: &Path, argv0: &str, args: &[OsString], config: &str) -> Result<()> {
    let _ = argv0;
    let status = std::process::Command::new(binary)
        .args(args)
        .env(RUN_CONFIG_ENV, config)
        .status()
        .with_context(|| format!("cannot execute `{}`", binary.display()))?;
    std::process::exit(status.code().unwrap_or(1))
}
