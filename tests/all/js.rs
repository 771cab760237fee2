//! JavaScript components for `programs::js::<name>`: `tests/programs/js/
//! <name>.js` made a component of world `<name>` (of `tests/programs/js/
//! wit/`) by componentize-qjs, whose output is itself a composition (the
//! QuickJS runtime and the generated bindings).
//!
//! Directives (besides the programs' ones, see `tests/programs/README.md`):
//! `js-flags = --sync --opt-size` passes options to componentize-qjs;
//! `compose = <lib>` builds `<lib>.js` (a file marked `library`, which is
//! no trial of its own) the same way and plugs the imports of the program
//! that it exports with `wasm-tools compose`.
//!
//! The tool is the npm package pinned by `tests/programs/js/package.json`
//! and its lockfile, installed with `npm install` in that directory (`.ci/
//! run` does it); without it the trials are skipped (and fail under `CI`).
//! It runs in `tests/programs/js/`, its module root, so a JavaScript stack
//! trace names a file as `/<name>.js`. Outputs go to `<scratch>/
//! programs-js/<name>/`, rebuilt when a file of `tests/programs/js/` (the
//! installed package aside) is newer.

use crate::util;
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

const TIMEOUT: Duration = Duration::from_secs(600);

/// The directory of the JavaScript programs.
pub fn root() -> PathBuf {
    util::repo().join("tests/programs/js")
}

/// The installed componentize-qjs command, or why there is none.
pub fn tool() -> Result<PathBuf, String> {
    let bin = root().join("node_modules/.bin/componentize-qjs");
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "componentize-qjs is not installed (needs node and npm: `cd {} && npm install`)",
            root().display()
        ))
    }
}

/// The newest modification time of the sources under `dir` (the installed
/// package left out).
fn newest(dir: &Path) -> Option<SystemTime> {
    let mut latest = None;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == "node_modules") {
            continue;
        }
        let t = if p.is_dir() {
            newest(&p)
        } else {
            std::fs::metadata(&p).and_then(|m| m.modified()).ok()
        };
        latest = latest.max(t);
    }
    latest
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let o = util::run(cmd, b"", TIMEOUT)?;
    if !o.status.success() {
        bail!("{what} failed\n{}", o.describe());
    }
    Ok(())
}

/// Makes `<name>.js` of this directory a component of world `<name>` at
/// `out`.
fn componentize(tool: &Path, name: &str, flags: &[String], out: &Path) -> Result<()> {
    componentize_with(tool, &root(), name, flags, out)
}

/// Makes `dir/<name>.js` a component of world `<name>` of `dir/wit` at
/// `out` (for compositions of `tests/programs/compose`).
pub fn componentize_in(dir: &Path, name: &str, flags: &[String], out: &Path) -> Result<()> {
    let tool = tool().map_err(|e| anyhow::anyhow!(e))?;
    componentize_with(&tool, dir, name, flags, out)
}

fn componentize_with(
    tool: &Path,
    dir: &Path,
    name: &str,
    flags: &[String],
    out: &Path,
) -> Result<()> {
    let mut cmd = Command::new(tool);
    cmd.current_dir(dir)
        .args(["--wit", "wit", "--world", name, "--js"])
        .arg(format!("{name}.js"))
        .args(flags)
        .arg("-o")
        .arg(out);
    run(&mut cmd, &format!("componentize-qjs of {name}.js"))
}

/// Builds program `name` with its componentize-qjs `flags`, composed with
/// the libraries `libs` (each a name and its flags); returns the component.
pub fn build(name: &str, flags: &[String], libs: &[(String, Vec<String>)]) -> Result<PathBuf> {
    let tool = tool().map_err(|e| anyhow::anyhow!(e))?;
    let out = util::scratch("programs-js").join(name);
    std::fs::create_dir_all(&out)?;
    let result = out.join(if libs.is_empty() {
        "app.wasm"
    } else {
        "composed.wasm"
    });
    if let (Ok(built), Some(newest)) = (
        std::fs::metadata(&result).and_then(|m| m.modified()),
        newest(&root()),
    ) && built >= newest
    {
        return Ok(result);
    }
    let app = out.join("app.wasm");
    componentize(&tool, name, flags, &app)?;
    if libs.is_empty() {
        return Ok(app);
    }
    let mut compose = Command::new("wasm-tools");
    compose.arg("compose").arg(&app);
    for (lib, lib_flags) in libs {
        let wasm = out.join(format!("{lib}.wasm"));
        componentize(&tool, lib, lib_flags, &wasm)?;
        compose.arg("-d").arg(wasm);
    }
    let tmp = util::tmp_path(&out, "composed.wasm");
    run(compose.arg("-o").arg(&tmp), "wasm-tools compose")?;
    std::fs::rename(&tmp, &result)?;
    Ok(result)
}
