//! The compile-and-link step shared by `kiln build` and `kiln run`:
//! wasm bytes + [`kiln_compiler::Config`] -> object -> executable.

use super::runtime;
use anyhow::{Context, Result};
use std::path::Path;

/// Compiles `wasm` (a core module or a component) into object bytes;
/// errors name `file`. With `KILN_TIMINGS=1` the per-phase compile times
/// go to stderr.
pub fn compile(file: &Path, wasm: &[u8], config: &kiln_compiler::Config) -> Result<Vec<u8>> {
    let compiled = if kiln_compiler::is_component(wasm) {
        kiln_compiler::compile_component_timed(wasm, config)
    } else {
        kiln_compiler::compile_module_timed(wasm, config)
    };
    let (object, timings) =
        compiled.with_context(|| format!("failed to compile `{}`", file.display()))?;
    if env_flag("KILN_TIMINGS") {
        eprintln!("{timings}");
    }
    Ok(object)
}

/// Whether environment variable `name` is set to something other than
/// empty or `0`.
fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v != "0" && !v.is_empty())
}

/// Links one object with the embedded runtime into the executable `output`.
pub fn link(object: &[u8], target: &str, output: &Path, strip: bool) -> Result<()> {
    let tmp = tempfile::Builder::new()
        .prefix("kiln-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let obj_path = tmp.path().join("module.o");
    std::fs::write(&obj_path, object)
        .with_context(|| format!("cannot write `{}`", obj_path.display()))?;
    let request = kiln_linker::LinkRequest {
        objects: vec![obj_path],
        runtime_archive: runtime::archive_path()?,
        native_libs: runtime::native_libs(),
        output: output.to_path_buf(),
        target: target.to_string(),
        strip,
    };
    kiln_linker::link(&request).with_context(|| format!("failed to link `{}`", output.display()))
}

/// Whether the CLI should run the Cranelift verifier (`KILN_VERIFY=1`).
pub fn verify_requested() -> bool {
    env_flag("KILN_VERIFY")
}

/// Writes `bytes` as a regular (non-executable) file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write `{}`", path.display()))
}
