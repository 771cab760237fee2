//! `kiln build app.wasm -o app`: compile a module into a standalone native
//! executable (or, with `--emit obj`, just the relocatable object) whose
//! capabilities (`--dir`, `--env`, `-S`) and limits (`-W`) are baked in.

use super::{compile, input, limits::LimitOptions, objects, options::WasiOptions};
use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use kiln_abi::grants::{GRANT_FLAG_INHERIT_ENV, GRANT_FLAG_SERVE};
use kiln_compiler::{Config, CpuSpec, OptLevel};
use std::path::PathBuf;

/// What `kiln build` writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// A linked executable.
    Exe,
    /// The relocatable object (link it with the runtime archive yourself).
    Obj,
}

/// `-O` levels.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Opt {
    /// No optimization.
    #[value(name = "0")]
    O0,
    /// Optimize for speed.
    #[value(name = "1")]
    O1,
    /// Optimize for speed (the default).
    #[value(name = "2")]
    O2,
    /// Optimize for speed and size.
    #[value(name = "s")]
    Os,
}

impl Opt {
    pub fn level(self) -> OptLevel {
        match self {
            Opt::O0 => OptLevel::None,
            Opt::O1 | Opt::O2 => OptLevel::Speed,
            Opt::Os => OptLevel::SpeedAndSize,
        }
    }
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The module to compile (`.wasm` binary or `.wat` text).
    #[arg(value_name = "MODULE")]
    input: PathBuf,

    /// Output file (default: the input's name without its extension, or
    /// with `.o` for `--emit obj`).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    wasi: WasiOptions,

    #[command(flatten)]
    limits: LimitOptions,

    #[command(flatten)]
    debug: super::debug::DebugOptions,

    /// Give the guest the whole host environment (same as `-S inherit-env`).
    #[arg(long)]
    inherit_env: bool,

    /// Optimization level.
    #[arg(short = 'O', value_enum, default_value = "2", value_name = "LEVEL")]
    opt: Opt,

    /// CPU features: `native` (the build machine's; the output may not run
    /// elsewhere), an x86_64 level (`x86-64-v2`, `x86-64-v3`) or a
    /// comma-separated list of extra Cranelift ISA flags (e.g.
    /// `has_avx2,has_bmi2`). Default: the target's portable baseline (on
    /// x86_64 with an x86-64-v3 second tier for hashing-like functions,
    /// chosen when the program starts).
    #[arg(long, value_name = "native|LEVEL|FEATURES")]
    cpu: Option<String>,

    /// Target triple: `<arch>-unknown-linux-musl` (fully static, any
    /// `<arch>` of x86_64, aarch64, riscv64gc, s390x; `kiln targets` lists
    /// those this kiln has a runtime for) or, with `--dynamic`,
    /// `<arch>-unknown-linux-gnu` (dynamic glibc: the host's, or another
    /// machine's with `--sysroot`). Default: the host architecture's static
    /// triple, an executable that runs on any Linux of that architecture.
    #[arg(long, value_name = "TRIPLE")]
    target: Option<String>,

    /// Link fully static (musl) for the target's architecture; the default.
    #[arg(long = "static", conflicts_with = "dynamic")]
    static_link: bool,

    /// Link dynamically against glibc: the host's, or with `--sysroot`
    /// that of the `--target` machine. Smaller, but runs only where a
    /// compatible glibc is installed.
    #[arg(long)]
    dynamic: bool,

    /// The target machine's root (or SDK sysroot) holding its glibc, for
    /// `--dynamic` with another architecture's `--target`, e.g. Debian's
    /// `/usr/aarch64-linux-gnu` (`libc6-dev-arm64-cross`). Linked with lld.
    #[arg(long, value_name = "DIR", requires = "dynamic")]
    sysroot: Option<PathBuf>,

    /// What to write.
    #[arg(long, value_enum, default_value = "exe")]
    emit: Emit,

    /// Strip the symbol table from the executable (smaller; debuggers and
    /// profilers then show no function names).
    #[arg(long)]
    strip: bool,

    /// Build an HTTP server (the component's `wasi:http/incoming-handler`)
    /// listening on `HOST:PORT` (default `0.0.0.0:8080`; the executable's
    /// `--addr` or `KILN_ADDR` overrides it when it starts). A component
    /// that exports a handler and no `wasi:cli/run` serves without this.
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_addr)]
    addr: Option<String>,
}

/// `--addr`: a socket address (`HOST:PORT`, an IP host; `[v6]:PORT`).
pub fn parse_addr(s: &str) -> Result<String, String> {
    s.parse::<std::net::SocketAddr>()
        .map(|_| s.to_string())
        .map_err(|e| format!("invalid address `{s}`: {e}"))
}

/// Parses `--cpu`.
pub fn cpu_spec(cpu: Option<&str>) -> CpuSpec {
    match cpu {
        None => CpuSpec::Baseline,
        Some("native") => CpuSpec::Native,
        Some("x86-64-v2") => CpuSpec::X86Level(2),
        Some("x86-64-v3") => CpuSpec::X86Level(3),
        Some(list) => CpuSpec::Features(
            list.split(',')
                .map(|f| f.trim().trim_start_matches('+').to_string())
                .filter(|f| !f.is_empty())
                .collect(),
        ),
    }
}

pub fn build(args: BuildArgs) -> Result<()> {
    args.debug.check().map_err(anyhow::Error::msg)?;
    if args.dynamic
        && let Some(t) = &args.target
        && !t.ends_with("-linux-gnu")
    {
        bail!(
            "`--dynamic` links against glibc, but `--target {t}` is not a glibc triple: use \
             `--target {}-unknown-linux-gnu`, or leave out `--dynamic`",
            kiln_linker::arch_of(t)
        );
    }
    let target = if args.dynamic {
        match &args.target {
            Some(t) => format!("{}-unknown-linux-gnu", kiln_linker::arch_of(t)),
            None => kiln_linker::host_triple(),
        }
    } else {
        compile::target(args.target.as_deref(), args.static_link)
    };
    // A `--cpu` the target cannot have is the user's flag error: said
    // before anything about this machine (its runtimes, its linker).
    kiln_compiler::isa::build_isa(&Config {
        target: Some(target.clone()),
        cpu: cpu_spec(args.cpu.as_deref()),
        ..Config::default()
    })?;
    if args.emit == Emit::Exe {
        // Fail before the (possibly long) compile if we could not link.
        match &args.sysroot {
            Some(dir) => compile::check_sysroot_target(&target, dir)?,
            None if args.dynamic && target != kiln_linker::host_triple() => bail!(
                "a dynamic executable for `{target}` links against that machine's glibc: give \
                 its root or SDK sysroot with `--sysroot DIR` (e.g. Debian's `/usr/{}-linux-gnu` \
                 of `libc6-dev-<arch>-cross`), or leave out `--dynamic` for a static executable",
                kiln_linker::arch_of(&target).trim_end_matches("gc")
            ),
            None => compile::check_target(&target)?,
        }
    }
    let input = input::read(&args.input)?;
    // A server has `wasi:http` whatever `-S` says (as `wasmtime serve`).
    let serve = args.addr.is_some() || kiln_compiler::component_is_proxy_only(&input.wasm);
    if serve && kiln_linker::is_windows(&target) && args.limits.limits().timeout.is_some() {
        bail!(
            "a request timeout (`-W timeout`) is not supported for a server built for \
             `{target}`: its server runs every connection in one process"
        );
    }
    if !serve {
        args.wasi
            .check_http(&input.wasm)
            .map_err(anyhow::Error::msg)?;
    }
    let output = match &args.output {
        Some(o) => o.clone(),
        None => default_output(&args, &target)?,
    };
    let mut extra_flags = if args.inherit_env {
        GRANT_FLAG_INHERIT_ENV
    } else {
        0
    };
    if args.addr.is_some() {
        extra_flags |= GRANT_FLAG_SERVE;
    }
    let limits = args.limits.limits();
    if limits.max_wasm_stack == Some(0) {
        // Wasmtime's words (it says so when the run starts).
        bail!("max_wasm_stack size cannot be zero");
    }
    let mut grants = args.wasi.grants(&input.program, extra_flags);
    grants.limits = limits;
    grants.serve_addr = args.addr.clone();
    // Shown on stderr only when it is a terminal and the build is long.
    let progress = super::progress::ProgressLine::start();
    let config = Config {
        target: Some(target.clone()),
        opt_level: args.opt.level(),
        cpu: cpu_spec(args.cpu.as_deref()),
        grants,
        verify: compile::verify_requested(),
        // Checks only in code built for them: zero cost otherwise.
        epoch_interruption: limits.timeout.is_some(),
        consume_fuel: limits.fuel.is_some(),
        backtrace_details: compile::backtrace_details_requested(),
        progress: progress.sink(),
        ..Config::default()
    };
    let object = objects::compile(&args.input, &input.wasm, &config)?;
    progress.linking();
    match args.emit {
        Emit::Obj => compile::write_file(&output, &object),
        Emit::Exe => compile::link(
            &object,
            &target,
            &output,
            args.strip,
            args.sysroot.as_deref(),
        ),
    }
}

fn default_output(args: &BuildArgs, target: &str) -> Result<PathBuf> {
    let Some(stem) = args.input.file_stem() else {
        bail!(
            "cannot derive an output name from `{}`: use -o",
            args.input.display()
        );
    };
    let mut name = PathBuf::from(stem);
    if args.emit == Emit::Obj {
        name.set_extension("o");
    } else if kiln_linker::is_windows(target) {
        name.set_extension("exe");
    }
    if name == args.input {
        bail!(
            "the output would overwrite the input `{}`: use -o",
            args.input.display()
        );
    }
    Ok(name)
}
