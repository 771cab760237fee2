//! The `stderr-like-wasmtime` and `stdout-like-wasmtime` directives of a
//! program: Kiln's outcome of a run must be what `wasmtime run` gives for
//! the same component and grants.
//!
//! Inputs: the program's source, its built component, its directives, the
//! run's way (`kiln build` or `kiln run`), flags and outcome. Output: Ok,
//! or the first difference. Wasmtime's stderr (and exit status) is the
//! program's record, `<source without extension>.wasmtime`
//! (`crate::wasmtime_record`), with the component's path and file name
//! written `$WASM` (an executable names the component by its file name,
//! `kiln run` and `wasmtime run` by the path given), where the toolchain
//! makes the same component wherever the repository is (Rust, C);
//! componentize-py's and componentize-qjs's components differ from build
//! to build and with the output's path, and with them the code offsets of
//! a backtrace, so for Python and JavaScript Wasmtime runs beside Kiln
//! (under `CI` a missing one fails the trial). Wasmtime's stdout, exit
//! status and effect on the
//! fixture are the program's committed `.stdout` (or `stdout`), `exit` and
//! `.files`, which `check` compares. `KILN_WASMTIME_BLESS=1` rewrites the
//! stderr records and `KILN_TEST_LIVE_WASMTIME=1` runs Wasmtime beside
//! Kiln for both directives (the check after a Wasmtime upgrade).

use super::{Spec, Via, dir_flags, listing, make_fixture, run_guest, set_limits};
use crate::util::{self, Outcome};
use crate::wasmtime_record::{self, Recorded};
use anyhow::{Result, bail};
use std::path::Path;
use std::process::Command;

/// Stands for the component's path (or file name) in records.
const WASM: &str = "$WASM";

/// Checks the program's Wasmtime directives for one run (see the module
/// docs); `fixture` is the directory the run was given.
pub(super) fn check(
    source: &Path,
    wasm: &Path,
    spec: &Spec,
    via: Via,
    other_flags: &[String],
    outcome: &Outcome,
    fixture: &Path,
) -> Result<()> {
    let wasmtime = || run_wasmtime(source, wasm, spec, via, other_flags);
    if spec.stderr_like_wasmtime {
        let live_record = || -> Result<Recorded> {
            let o = wasmtime()?.0;
            Ok(Recorded {
                exit: o.code(),
                stderr: name_wasm(&o.stderr_str(), wasm),
            })
        };
        let recorded = if reproducible(source) {
            wasmtime_record::program_record(source, live_record)?
        } else if util::wasmtime().is_some() {
            live_record()?
        } else if std::env::var_os("CI").is_some() {
            bail!("under CI: `stderr-like-wasmtime` needs `wasmtime` on PATH");
        } else {
            return Ok(());
        };
        let ours = name_wasm(&outcome.stderr_str(), wasm);
        if !crate::adapter_frames::same_stderr(recorded.stderr.as_bytes(), ours.as_bytes()) {
            let (want, got) = crate::adapter_frames::normalize(&recorded.stderr, &ours);
            return Err(differs("stderr", &want, &got, outcome));
        }
        let exit = match via {
            Via::Cross(c) => c.status(recorded.exit),
            _ => recorded.exit,
        };
        if exit != outcome.code() {
            bail!(
                "exit status {} differs from wasmtime's {}\n{}",
                outcome.code(),
                recorded.exit,
                outcome.describe()
            );
        }
    }
    if !spec.stdout_like_wasmtime {
        return Ok(());
    }
    if spec.stdout.is_none() && !spec.stdout_file {
        bail!("`stdout-like-wasmtime` needs the committed stdout (`stdout` or `stdout-file`)");
    }
    if !live() {
        // `check` compared the committed expectations, Wasmtime's record.
        return Ok(());
    }
    let (reference, own) = wasmtime()?;
    if reference.stdout != outcome.stdout {
        return Err(differs(
            "stdout",
            &reference.stdout_str(),
            &outcome.stdout_str(),
            outcome,
        ));
    }
    if reference.code() != outcome.code() {
        bail!(
            "exit status {} differs from wasmtime's {}\n{}",
            outcome.code(),
            reference.code(),
            outcome.describe()
        );
    }
    if spec.files_file {
        let (want, got) = (listing(own.path())?, listing(fixture)?);
        if want != got {
            return Err(differs("the fixture's files", &want, &got, outcome));
        }
    }
    Ok(())
}

/// Whether the program's toolchain builds the same component wherever the
/// repository is (see the module docs): all but Python and JavaScript.
fn reproducible(source: &Path) -> bool {
    !matches!(
        source.extension().and_then(|e| e.to_str()),
        Some("py" | "js")
    )
}

/// Whether Wasmtime runs beside Kiln (`KILN_WASMTIME_BLESS=1` or
/// `KILN_TEST_LIVE_WASMTIME=1`).
fn live() -> bool {
    ["KILN_WASMTIME_BLESS", "KILN_TEST_LIVE_WASMTIME"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| v == "1"))
}

/// Runs the component under `wasmtime run` with the run's grants, on a
/// fixture of its own (the program may have changed Kiln's); returns the
/// outcome and that fixture.
fn run_wasmtime(
    source: &Path,
    wasm: &Path,
    spec: &Spec,
    via: Via,
    other_flags: &[String],
) -> Result<(Outcome, tempfile::TempDir)> {
    let Some(wasmtime) = util::wasmtime() else {
        bail!("running `wasmtime` live needs it on PATH");
    };
    let own = make_fixture(source, spec)?;
    let mut cmd = Command::new(wasmtime);
    // Wasmtime adds its own Rust backtrace when this is set.
    cmd.env_remove("RUST_BACKTRACE")
        .arg("run")
        .args(dir_flags(spec, own.path()))
        .args(other_flags);
    // An executable names the component by its file name, as
    // `wasmtime run <file name>` does.
    match (via, wasm.parent(), wasm.file_name()) {
        (Via::Build, Some(dir), Some(file)) => cmd.current_dir(dir).arg(file),
        _ => cmd.arg(wasm),
    };
    cmd.args(&spec.args);
    set_limits(&mut cmd, spec);
    Ok((run_guest(&mut cmd, spec)?, own))
}

/// `text` with the component's path, then its file name, written `$WASM`.
pub(super) fn name_wasm(text: &str, wasm: &Path) -> String {
    let path = wasm.to_string_lossy();
    let name = wasm
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let text = text.replace(&*path, WASM);
    if name.is_empty() {
        text
    } else {
        text.replace(&*name, WASM)
    }
}

fn differs(what: &str, want: &str, got: &str, outcome: &Outcome) -> anyhow::Error {
    anyhow::anyhow!(
        "{what} differs from wasmtime's: {}\n{}",
        util::first_difference(want, got),
        outcome.describe()
    )
}
