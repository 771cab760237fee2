//! Python components for `programs::py::<name>`: `tests/programs/py/
//! <name>.py` made a component of world `<name>` (its underscores as
//! dashes, in `tests/programs/py/wit/`) by componentize-py, which bundles
//! CPython built for WASI and the bindings it generates: async ones
//! (component-model async, WASI 0.3) for a world exporting an `async func`,
//! sync ones otherwise.
//!
//! The tool is the `componentize-py` command (PyPI package
//! `componentize-py`, the version `.ci/run` installs); without it the
//! trials are skipped (and fail under `CI`). It runs in
//! `tests/programs/py/`, the module root. Outputs go to `<scratch>/
//! programs-py/<name>.wasm`, rebuilt when the source or a WIT file is
//! newer.

use crate::util;
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

const TIMEOUT: Duration = Duration::from_secs(600);

/// The directory of the Python programs.
pub fn root() -> PathBuf {
    util::repo().join("tests/programs/py")
}

/// The componentize-py command, or why there is none.
pub fn tool() -> Result<PathBuf, String> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("componentize-py"))
            .find(|p| p.is_file())
    });
    found.ok_or_else(|| {
        "componentize-py is not installed (`pip install componentize-py`, as `.ci/run` does)"
            .to_string()
    })
}

/// The newest modification time of `source` and the WIT files.
fn newest(source: &Path) -> Option<SystemTime> {
    let wit = root().join("wit/world.wit");
    let deps = util::repo().join("tests/programs/js/wit/deps");
    let mut latest = [source, wit.as_path()]
        .iter()
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .max();
    for dir in std::fs::read_dir(&deps).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            latest = latest.max(f.metadata().and_then(|m| m.modified()).ok());
        }
    }
    latest
}

/// Builds program `<name>.py` into a component; returns its path.
pub fn build(name: &str) -> Result<PathBuf> {
    let tool = tool().map_err(|e| anyhow::anyhow!(e))?;
    let out = util::scratch("programs-py");
    std::fs::create_dir_all(&out)?;
    let result = out.join(format!("{name}.wasm"));
    let source = root().join(format!("{name}.py"));
    if let (Ok(built), Some(newest)) = (
        std::fs::metadata(&result).and_then(|m| m.modified()),
        newest(&source),
    ) && built >= newest
    {
        return Ok(result);
    }
    let tmp = util::tmp_path(&out, &format!("{name}.wasm"));
    let mut cmd = Command::new(tool);
    cmd.current_dir(root())
        .args(["-d", "wit", "-w"])
        .arg(name.replace('_', "-"))
        .arg("componentize")
        .arg(name)
        .arg("-o")
        .arg(&tmp);
    let o = util::run(&mut cmd, b"", TIMEOUT)?;
    if !o.status.success() {
        bail!("componentize-py of {name}.py failed\n{}", o.describe());
    }
    std::fs::rename(&tmp, &result)?;
    Ok(result)
}
