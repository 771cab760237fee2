//! Kiln's model of Wasmtime 49's fused-adapter modules against Wasmtime's
//! own: trials `fact/<case>` over the composed run cases
//! (`tests/run/component/compose-*.wat`) and the component-model async
//! ones (`p3-*.wat`: those with calls between component instances, `async`
//! adapters and streams among them).
//!
//! Kiln prints a trap's backtrace through an adapter as Wasmtime does by
//! laying out, instruction for instruction, the adapter module Wasmtime
//! would generate (`compiler/src/component/adapter/fact/`), and taking the
//! function index and code offsets from it. Wasmtime logs each module it
//! generates (`WASMTIME_LOG=wasmtime_environ::component::translate::adapt
//! =trace`, as text); each must parse to exactly the bytes of Kiln's model
//! of it, in order, and Kiln must model every one of these cases' modules
//! (a `p3-*.wat` case may have none, or be rejected by both).
//! Needs the Wasmtime CLI (a failure under CI, else an ignored trial).

use crate::util;
use kiln_compiler::Config;
use libtest_mimic::{Completion, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn trials() -> Vec<Trial> {
    let dir = util::repo().join("tests/run/component");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    cases.retain(|p| {
        p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            (n.starts_with("compose-") || n.starts_with("p3-")) && n.ends_with(".wat")
        })
    });
    cases.sort();
    cases
        .into_iter()
        .map(|p| {
            let name = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let composed = name.starts_with("compose-");
            Trial::ignorable_test(format!("fact::{name}"), move || check(&p, composed))
        })
        .collect()
}

/// `composed`: the case must have adapter modules, and both must accept it.
fn check(path: &Path, composed: bool) -> Result<Completion, Failed> {
    let Some(wasmtime) = util::wasmtime() else {
        return util::toolchain_missing("the `wasmtime` CLI is not on PATH".into());
    };
    match compare(path, &wasmtime) {
        Err(Mismatch::Rejected) if !composed => {}
        Err(Mismatch::NoModules) if !composed => {}
        Err(e) => return Err(e.to_string().into()),
        Ok(()) => {}
    }
    Ok(Completion::Completed)
}

/// Why Kiln's models are not Wasmtime's modules.
#[derive(Debug)]
pub enum Mismatch {
    /// Both rejected the component.
    Rejected,
    /// Wasmtime generated no adapter module, and Kiln models none.
    NoModules,
    Other(String),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Rejected => f.write_str("rejected by both kiln and wasmtime"),
            Mismatch::NoModules => {
                f.write_str("wasmtime logged no adapter module (is its logging on?)")
            }
            Mismatch::Other(s) => f.write_str(s),
        }
    }
}

/// Compares Kiln's models of component `path`'s adapter modules with
/// Wasmtime's (`wasmtime` is its CLI). Also used by the composed programs'
/// trials (`programs::compose`, `programs::js`) on their components.
pub fn compare(path: &Path, wasmtime: &Path) -> Result<(), Mismatch> {
    let wasm =
        wat::parse_file(path).map_err(|e| Mismatch::Other(format!("{}: {e}", path.display())))?;
    let models = kiln_compiler::component::wasmtime_adapter_models(&wasm, &Config::default());
    let out_file = util::tmp_path(&std::env::temp_dir(), "kiln-fact.cwasm");
    let out = Command::new(wasmtime)
        .arg("compile")
        .args(wasmtime_features(path))
        .args(["-C", "cache=n", "-o"])
        .arg(&out_file)
        .arg(path)
        .env_remove("RUST_BACKTRACE")
        .env(
            "WASMTIME_LOG",
            "wasmtime_environ::component::translate::adapt=trace",
        )
        .output()
        .map_err(|e| Mismatch::Other(format!("running wasmtime: {e}")))?;
    let _ = std::fs::remove_file(&out_file);
    let models = match (models, out.status.success()) {
        (Ok(m), true) => m,
        (Err(e), true) => return Err(Mismatch::Other(format!("kiln: {e}"))),
        (Ok(_), false) => {
            return Err(Mismatch::Other(format!(
                "wasmtime compile failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        (Err(_), false) => {
            return Err(Mismatch::Rejected);
        }
    };
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let theirs = logged_modules(&log);
    if theirs.is_empty() && models.is_empty() {
        return Err(Mismatch::NoModules);
    }
    if theirs.len() != models.len() {
        return Err(Mismatch::Other(format!(
            "wasmtime generated {} adapter modules, Kiln models {}",
            theirs.len(),
            models.len()
        )));
    }
    for (i, (text, ours)) in theirs.iter().zip(&models).enumerate() {
        let bytes = wat::parse_str(text)
            .map_err(|e| Mismatch::Other(format!("module {i}: {e}\n{text}")))?;
        if bytes != *ours {
            return Err(Mismatch::Other(format!(
                "adapter module {i} differs from Wasmtime's (first difference at byte {}):\n{text}",
                bytes.iter().zip(ours).take_while(|(a, b)| a == b).count()
            )));
        }
    }
    Ok(())
}

/// The `-W` options among a run case's `flags` and `wasmtime-flags`
/// directives (features Wasmtime gates), for `wasmtime compile`.
fn wasmtime_features(path: &Path) -> Vec<String> {
    let source = std::fs::read_to_string(path).unwrap_or_default();
    let mut words = Vec::new();
    for d in crate::directives::parse(&source).unwrap_or_default() {
        if d.key == "flags" || d.key == "wasmtime-flags" {
            words.extend(d.words().unwrap_or_default());
        }
    }
    let mut out = Vec::new();
    let mut it = words.into_iter();
    while let Some(w) = it.next() {
        if w == "-W" {
            out.push(w);
            out.extend(it.next());
        }
    }
    out
}

/// The text of each module after a "generated adapter module:" line, up
/// to its closing parenthesis at the start of a line.
fn logged_modules(log: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in log.lines() {
        if line.ends_with("generated adapter module:") {
            cur = Some(String::new());
            continue;
        }
        if let Some(m) = cur.as_mut() {
            m.push_str(line);
            m.push('\n');
            if line == ")" {
                out.extend(cur.take());
            }
        }
    }
    out
}
