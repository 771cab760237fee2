//! Composed components for `programs::compose::<name>`: each directory
//! `tests/programs/compose/<name>/` holds Rust components and their WIT.
//!
//! - `<name>.rs` is the app: a `wasm32-wasip1` program (`main`, std) made a
//!   component of world `<name>` with the preview1 command adapter; its
//!   directives say how to run it and what it prints.
//! - Every other `<dep>.rs` is a `cdylib` (usually `no_std`, no WASI)
//!   made a component of world `<dep>`.
//! - Every `<dep>.js` is a JavaScript component of world `<dep>`, made by
//!   componentize-qjs ([`crate::js`]) in the directory.
//! - `wit/` is the WIT package (with `wit/deps/`) defining those worlds.
//!
//! `wasm-tools compose` plugs the app's imports only, so a dependency that
//! itself imports another one is composed with it first, as the app's
//! `plug = <dep> <other>...` directive says.
//!
//! With the `wasm-tools` CLI: `component embed` + `component new` per
//! component, then `compose <app> -d <dep>...`, which plugs every import of
//! the app that a dependency exports (the rest stays a host import). The
//! result, `<scratch>/<name>/composed.wasm`, is rebuilt when any file of
//! the directory is newer. Calls between the components go through Kiln's
//! fused adapters, so these check them on real toolchain output.

use crate::util;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(900);

/// The composition directories under `root`, sorted.
pub fn compositions(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.retain(|d| d.is_dir());
    dirs.sort();
    dirs
}

/// The app source of composition `dir`.
pub fn app(dir: &Path) -> PathBuf {
    let name = dir.file_name().unwrap_or_default();
    dir.join(name).with_extension("rs")
}

/// Whether the `wasm-tools` CLI is available.
pub fn tools() -> Result<(), String> {
    match Command::new("wasm-tools").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        _ => Err("`wasm-tools` not on PATH (cargo install wasm-tools)".into()),
    }
}

/// Every file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let o = util::run(cmd, b"", TIMEOUT)?;
    if !o.status.success() {
        bail!("{what} failed\n{}", o.describe());
    }
    Ok(())
}

/// Whether composition `dir` has JavaScript components.
pub fn has_js(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "js"))
}

/// Builds composition `dir` (the app adapted with `adapter`, the preview1
/// command adapter's bytes; each `(dep, others)` of `plugs` composed with
/// `others` first) and returns the composed component.
pub fn build(dir: &Path, adapter: &[u8], plugs: &[(String, Vec<String>)]) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out = util::scratch("programs-compose").join(&name);
    std::fs::create_dir_all(&out)?;
    let composed = out.join("composed.wasm");
    let mut inputs = Vec::new();
    files(dir, &mut inputs);
    let newest = inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .max();
    if let (Ok(built), Some(newest)) = (
        std::fs::metadata(&composed).and_then(|m| m.modified()),
        newest,
    ) && built >= newest
    {
        return Ok(composed);
    }
    let adapter_path = out.join("wasi_snapshot_preview1.command.wasm");
    std::fs::write(&adapter_path, adapter)?;
    let mut sources: Vec<&PathBuf> = inputs
        .iter()
        .filter(|p| {
            p.parent() == Some(dir) && p.extension().is_some_and(|e| e == "rs" || e == "js")
        })
        .collect();
    sources.sort();
    let mut deps = Vec::new();
    for source in sources {
        let stem = source
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .context("a source name")?;
        if source.extension().is_some_and(|e| e == "js") {
            let component = out.join(format!("{stem}.wasm"));
            crate::js::componentize(dir, &stem, &crate::js::Build::default(), &component)?;
            deps.push(component);
            continue;
        }
        let is_app = stem == name;
        let core = out.join(format!("{stem}.core.wasm"));
        let mut rustc = Command::new(util::rustc());
        rustc.args(["--edition", "2024", "-O", "--target", "wasm32-wasip1"]);
        if !is_app {
            rustc.args(["--crate-type", "cdylib"]);
        }
        rustc.arg(source).arg("-o").arg(&core);
        run(&mut rustc, &format!("building {}", source.display()))?;
        let embedded = out.join(format!("{stem}.embed.wasm"));
        run(
            Command::new("wasm-tools")
                .args(["component", "embed"])
                .arg(dir.join("wit"))
                .args(["--world", &stem])
                .arg(&core)
                .arg("-o")
                .arg(&embedded),
            &format!("embedding the WIT of {stem}"),
        )?;
        // `wasm-tools compose` names a dependency after its file.
        let component = out.join(format!("{stem}.wasm"));
        let mut new = Command::new("wasm-tools");
        new.args(["component", "new"]).arg(&embedded);
        if is_app {
            new.arg("--adapt")
                .arg(format!("wasi_snapshot_preview1={}", adapter_path.display()));
        }
        run(
            new.arg("-o").arg(&component),
            &format!("making {stem} a component"),
        )?;
        if !is_app {
            deps.push(component);
        }
    }
    for (dep, others) in plugs {
        // Same file name in its own directory: compose names a dependency
        // after its file.
        let plugged_dir = out.join("plugged");
        std::fs::create_dir_all(&plugged_dir)?;
        let plugged = plugged_dir.join(format!("{dep}.wasm"));
        let mut compose = Command::new("wasm-tools");
        compose.arg("compose").arg(out.join(format!("{dep}.wasm")));
        for o in others {
            compose.arg("-d").arg(out.join(format!("{o}.wasm")));
        }
        run(
            compose.arg("-o").arg(&plugged),
            &format!("wasm-tools compose of {dep}"),
        )?;
        for d in &mut deps {
            if d.file_stem()
                .is_some_and(|s| s.to_string_lossy() == dep.as_str())
            {
                *d = plugged.clone();
            }
        }
    }
    let tmp = util::tmp_path(&out, "composed.wasm");
    let mut compose = Command::new("wasm-tools");
    compose.arg("compose").arg(out.join(format!("{name}.wasm")));
    for d in &deps {
        compose.arg("-d").arg(d);
    }
    run(compose.arg("-o").arg(&tmp), "wasm-tools compose")?;
    std::fs::rename(&tmp, &composed)?;
    Ok(composed)
}
