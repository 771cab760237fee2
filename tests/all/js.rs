//! JavaScript components for `programs::js::<name>`: `tests/programs/js/
//! <name>.js` made a component of world `<name>` (of `tests/programs/js/
//! wit/`) by one of two toolchains: componentize-qjs (the default), whose
//! output is itself a composition (the QuickJS runtime and the generated
//! bindings), or componentize-js (`js-tool = componentize-js`: the
//! StarlingMonkey engine, SpiderMonkey built for WASI, which imports
//! `wasi:http` even in a command).
//!
//! Directives (besides the programs' ones, see `tests/programs/README.md`):
//! `js-tool = componentize-js` picks the toolchain; `js-flags = --sync
//! --opt-size` passes options to it; `compose = <lib>` builds `<lib>.js`
//! (a file marked `library`, which is no trial of its own, with its own
//! `js-tool`) and plugs the imports of the program that it exports with
//! `wasm-tools compose`.
//!
//! The tools are the npm packages pinned by `tests/programs/js/
//! package.json` and its lockfile, installed with `npm install` in that
//! directory (`.ci/run` does it); without them the trials are skipped (and
//! fail under `CI`).
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

/// A JavaScript-to-component toolchain.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Tool {
    /// componentize-qjs (QuickJS).
    #[default]
    Qjs,
    /// componentize-js (StarlingMonkey).
    StarlingMonkey,
}

impl Tool {
    /// The tool named by a `js-tool` directive.
    pub fn parse(name: &str) -> Option<Tool> {
        match name {
            "componentize-qjs" => Some(Tool::Qjs),
            "componentize-js" => Some(Tool::StarlingMonkey),
            _ => None,
        }
    }

    fn command(self) -> &'static str {
        match self {
            Tool::Qjs => "componentize-qjs",
            Tool::StarlingMonkey => "componentize-js",
        }
    }
}

/// A JavaScript source's toolchain and its options.
#[derive(Clone, Debug, Default)]
pub struct Build {
    pub tool: Tool,
    pub flags: Vec<String>,
    /// The WIT directory, if not the source directory's `wit`.
    pub wit: Option<PathBuf>,
}

/// The installed command of `tool`, or why there is none.
pub fn tool(tool: Tool) -> Result<PathBuf, String> {
    let bin = root().join("node_modules/.bin").join(tool.command());
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is not installed (needs node and npm: `cd {} && npm install`)",
            tool.command(),
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

/// Makes `dir/<name>.js` a component of world `<name>` of `dir/wit` (or
/// `build.wit`) at `out` (`dir` is this directory, one of
/// `tests/programs/compose`, or `serve/`).
pub fn componentize(dir: &Path, name: &str, build: &Build, out: &Path) -> Result<()> {
    let bin = tool(build.tool).map_err(|e| anyhow::anyhow!(e))?;
    let wit = build.wit.clone().unwrap_or_else(|| PathBuf::from("wit"));
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir);
    match build.tool {
        Tool::Qjs => cmd
            .arg("--wit")
            .arg(&wit)
            .args(["--world", name, "--js"])
            .arg(format!("{name}.js")),
        Tool::StarlingMonkey => cmd
            .arg(format!("{name}.js"))
            .arg("--wit")
            .arg(&wit)
            .args(["--world-name", name]),
    };
    cmd.args(&build.flags).arg("-o").arg(out);
    run(&mut cmd, &format!("{} of {name}.js", build.tool.command()))
}

/// Builds program `name`, composed with the libraries `libs` (each a name
/// and its build); returns the component.
pub fn build(name: &str, app: &Build, libs: &[(String, Build)]) -> Result<PathBuf> {
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
    let app_wasm = out.join("app.wasm");
    componentize(&root(), name, app, &app_wasm)?;
    if libs.is_empty() {
        return Ok(app_wasm);
    }
    let mut compose = Command::new("wasm-tools");
    compose.arg("compose").arg(&app_wasm);
    for (lib, lib_build) in libs {
        let wasm = out.join(format!("{lib}.wasm"));
        componentize(&root(), lib, lib_build, &wasm)?;
        compose.arg("-d").arg(wasm);
    }
    let tmp = util::tmp_path(&out, "composed.wasm");
    run(compose.arg("-o").arg(&tmp), "wasm-tools compose")?;
    std::fs::rename(&tmp, &result)?;
    Ok(result)
}
