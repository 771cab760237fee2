//! The compile-and-link step shared by `kiln build` and `kiln run`:
//! wasm bytes + [`kiln_compiler::Config`] -> object -> executable.

use super::{place, runtime};
use anyhow::{Context, Result};
use std::path::Path;

/// Compiles `wasm` (a core module or a component) into object bytes;
/// errors name `file`. With `KILN_TIMINGS=1` the per-phase compile times
/// go to stderr.
pub fn compile(file: &Path, wasm: &[u8], config: &kiln_compiler::Config) -> Result<Vec<u8>> {
    let no_vector = lacks_vector_unit(config);
    let mut config = config.clone();
    if no_vector {
        // Cranelift lowers `v128` on riscv64 only to the V extension; say
        // so at validation instead of failing inside the code generator.
        config.features = Some(
            wasmparser::WasmFeatures::all()
                - wasmparser::WasmFeatures::SIMD
                - wasmparser::WasmFeatures::RELAXED_SIMD,
        );
    }
    let compiled = if kiln_compiler::is_component(wasm) {
        kiln_compiler::compile_component_timed(wasm, &config)
    } else {
        kiln_compiler::compile_module_timed(wasm, &config)
    };
    let (object, timings) = compiled
        .map_err(|e| {
            let hint = if no_vector && e.to_string().contains("SIMD") {
                " (riscv64 runs 128-bit SIMD only with the vector extension: add `--cpu has_v`)"
            } else {
                ""
            };
            anyhow::anyhow!("{e}{hint}")
        })
        .with_context(|| format!("failed to compile `{}`", file.display()))?;
    if env_flag("KILN_TIMINGS") {
        eprintln!("{timings}");
    }
    Ok(object)
}

/// Whether `config` targets riscv64 without the V extension.
fn lacks_vector_unit(config: &kiln_compiler::Config) -> bool {
    let riscv = config
        .target
        .as_deref()
        .is_some_and(|t| t.starts_with("riscv64"));
    let has_v = match &config.cpu {
        kiln_compiler::CpuSpec::Features(f) => f.iter().any(|f| f == "has_v"),
        kiln_compiler::CpuSpec::Native
        | kiln_compiler::CpuSpec::Baseline
        | kiln_compiler::CpuSpec::X86Level(_) => false,
    };
    riscv && !has_v
}

/// Whether environment variable `name` is set to something other than
/// empty or `0`.
fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v != "0" && !v.is_empty())
}

/// The target triple of a build: `target` as given (made static with
/// `--static`), else the default: the host architecture's static musl
/// triple if this `kiln` carries its runtime, else the host triple.
///
/// Static is the default because a Kiln executable is meant to be shipped:
/// a static one runs on any Linux of its architecture (old glibc, musl
/// distributions, distroless containers) with nothing installed, while a
/// glibc one needs a glibc at least as new as the build machine's. It costs
/// some size (musl's code is linked in: ~100 KB on a hello world) and
/// musl's allocator is slower than glibc's on allocation-heavy host calls;
/// `--dynamic` gives the glibc build.
pub fn target(target: Option<&str>, static_link: bool) -> String {
    match target {
        Some(t) if static_link => kiln_linker::static_triple(t),
        Some(t) => t.to_string(),
        None => {
            let host = kiln_linker::host_triple();
            let musl = kiln_linker::static_triple(&host);
            if static_link || runtime::find(&musl).is_some() {
                musl
            } else {
                host
            }
        }
    }
}

/// The triples `kiln build --target` accepts on this machine: those the
/// linker supports with a runtime embedded, the default first.
pub fn targets() -> Vec<String> {
    let default = target(None, false);
    let mut list = vec![default.clone()];
    for t in runtime::triples() {
        if t != default && check_target(t).is_ok() {
            list.push(t.to_string());
        }
    }
    list
}

/// Checks before compiling that `target` can be linked: a triple the linker
/// supports and a runtime embedded for it.
pub fn check_target(target: &str) -> Result<()> {
    // A runtime with a static C library links without the target's SDK,
    // whatever the triple (a static glibc one stands in where Rust ships
    // no musl standard library).
    if runtime::find(target).is_some_and(|rt| !rt.libc.is_empty()) {
        return Ok(());
    }
    kiln_linker::check_target(target)?;
    if runtime::find(target).is_none() {
        // Where a static glibc runtime stands in for the musl triple (no
        // musl standard library for the architecture), name it.
        let arch = kiln_linker::arch_of(target);
        if let Some(rt) = runtime::RUNTIMES
            .iter()
            .find(|rt| !rt.libc.is_empty() && kiln_linker::arch_of(rt.triple) == arch)
        {
            anyhow::bail!(
                "this kiln has no runtime for `{target}`; for {arch} it builds static \
                 executables with `--target {}` (static glibc: Rust has no musl standard \
                 library for {arch} here)",
                rt.triple
            );
        }
        anyhow::bail!(
            "this kiln has no runtime for `{target}` (it has: {}); rebuild kiln after \
             `rustup target add {target}`",
            runtime::triples().join(", ")
        );
    }
    Ok(())
}

/// Checks before compiling that a dynamic executable for `target` can be
/// linked against the glibc of `sysroot`: a directory, and a runtime for
/// the triple in this `kiln`.
pub fn check_sysroot_target(target: &str, sysroot: &Path) -> Result<()> {
    if !sysroot.is_dir() {
        anyhow::bail!("the sysroot `{}` is not a directory", sysroot.display());
    }
    if kiln_linker::interpreter(target).is_none() {
        kiln_linker::check_target(target)?;
    }
    if runtime::find(target).is_none() {
        anyhow::bail!(
            "this kiln has no runtime for `{target}` (it has: {}); build kiln with \
             `KILN_RUNTIME_TARGETS={target}` after `rustup target add {target}`",
            runtime::triples().join(", ")
        );
    }
    Ok(())
}

/// Links one object with the embedded runtime into the executable `output`
/// (dynamic against the glibc of `sysroot` if one is given).
pub fn link(
    object: &[u8],
    target: &str,
    output: &Path,
    strip: bool,
    sysroot: Option<&Path>,
) -> Result<()> {
    if sysroot.is_none() {
        check_target(target)?;
    }
    let is_static =
        sysroot.is_none() && runtime::find(target).is_some_and(|rt| !rt.libc.is_empty());
    let runtime = runtime::extract(target)?;
    let mut request = kiln_linker::LinkRequest {
        objects: Vec::new(),
        runtime_archive: runtime.archive,
        native_libs: runtime.native_libs,
        output: output.to_path_buf(),
        target: target.to_string(),
        strip,
        libc_dir: is_static.then(|| runtime.dir.clone()),
        sysroot: sysroot.map(Path::to_path_buf),
        entry: is_static
            .then(|| kiln_abi::symbols::start_symbol(target))
            .flatten()
            .map(str::to_string),
    };
    // A linker named explicitly must exist, whether or not this build runs
    // it (placement needs lld only for a new runtime image).
    if std::env::var_os("KILN_LLD").is_some_and(|v| !v.is_empty()) {
        kiln_linker::find_lld()?;
    }
    if place::applies(&request) {
        match place::link(object, &runtime.dir, &request) {
            Ok(()) => return Ok(()),
            Err(why) if env_flag("KILN_TIMINGS") => eprintln!("kiln: linking with lld: {why}"),
            Err(_) => {}
        }
    }
    let tmp = tempfile::Builder::new()
        .prefix("kiln-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let obj_path = tmp.path().join("module.o");
    std::fs::write(&obj_path, object)
        .with_context(|| format!("cannot write `{}`", obj_path.display()))?;
    request.objects = vec![obj_path];
    kiln_linker::link(&request).with_context(|| format!("failed to link `{}`", output.display()))
}

/// Whether the CLI should run the Cranelift verifier (`KILN_VERIFY=1`).
pub fn verify_requested() -> bool {
    env_flag("KILN_VERIFY")
}

/// Whether to resolve the frames' source locations from the wasm's DWARF
/// (`WASMTIME_BACKTRACE_DETAILS=1` when compiling, as Wasmtime reads it
/// when it compiles; `Config::backtrace_details`).
pub fn backtrace_details_requested() -> bool {
    std::env::var_os(kiln_abi::debug_symbols::DETAILS_ENV).is_some_and(|v| v == "1")
}

/// Writes `bytes` as a regular (non-executable) file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write `{}`", path.display()))
}
