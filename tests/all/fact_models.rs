//! Kiln's model of Wasmtime 49's fused-adapter modules against Wasmtime's
//! own: trials `fact/<case>` over the composed run cases
//! (`tests/run/component/compose-*.wat`).
//!
//! Kiln prints a trap's backtrace through an adapter as Wasmtime does by
//! laying out, instruction for instruction, the adapter module Wasmtime
//! would generate (`compiler/src/component/adapter/fact/`), and taking the
//! function index and code offsets from it. Wasmtime logs each module it
//! generates (`WASMTIME_LOG=wasmtime_environ::component::translate::adapt
//! =trace`, as text); each must parse to exactly the bytes of Kiln's model
//! of it, in order, and Kiln must model every one of these cases' modules.
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
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("compose-") && n.ends_with(".wat"))
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
            Trial::ignorable_test(format!("fact::{name}"), move || check(&p))
        })
        .collect()
}

fn check(path: &Path) -> Result<Completion, Failed> {
    let Some(wasmtime) = util::wasmtime() else {
        return util::toolchain_missing("the `wasmtime` CLI is not on PATH".into());
    };
    compare(path, &wasmtime)?;
    Ok(Completion::Completed)
}

/// Compares Kiln's models of component `path`'s adapter modules with
/// Wasmtime's (`wasmtime` is its CLI). Also used by the composed programs'
/// trials (`programs::compose`, `programs::js`) on their components.
pub fn compare(path: &Path, wasmtime: &Path) -> Result<(), String> {
    let wasm = wat::parse_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let models = kiln_compiler::component::wasmtime_adapter_models(&wasm, &Config::default())
        .map_err(|e| format!("kiln: {e}"))?;
    let out_file = util::tmp_path(&std::env::temp_dir(), "kiln-fact.cwasm");
    let out = Command::new(wasmtime)
        .args(["compile", "-C", "cache=n", "-o"])
        .arg(&out_file)
        .arg(path)
        .env_remove("RUST_BACKTRACE")
        .env(
            "WASMTIME_LOG",
            "wasmtime_environ::component::translate::adapt=trace",
        )
        .output()
        .map_err(|e| format!("running wasmtime: {e}"))?;
    let _ = std::fs::remove_file(&out_file);
    if !out.status.success() {
        return Err(format!(
            "wasmtime compile failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let theirs = logged_modules(&log);
    if theirs.is_empty() {
        return Err("wasmtime logged no adapter module (is its logging on?)".into());
    }
    if theirs.len() != models.len() {
        return Err(format!(
            "wasmtime generated {} adapter modules, Kiln models {}",
            theirs.len(),
            models.len()
        ));
    }
    for (i, (text, ours)) in theirs.iter().zip(&models).enumerate() {
        let bytes = wat::parse_str(text).map_err(|e| format!("module {i}: {e}\n{text}"))?;
        if bytes != *ours {
            return Err(format!(
                "adapter module {i} differs from Wasmtime's (first difference at byte {}):\n{text}",
                bytes.iter().zip(ours).take_while(|(a, b)| a == b).count()
            ));
        }
    }
    Ok(())
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
