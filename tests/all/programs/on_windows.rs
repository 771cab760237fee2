//! The Windows lane's reference for a program: Kiln's Windows executable
//! must do what Wasmtime 49 for Windows (`wasmtime.exe`, under the same
//! Wine) does with the same component, grants and arguments.
//!
//! Inputs: the program's source and built component, its directives, the
//! grant flags but the preopens, Kiln's outcome and fixture. Output: Ok, or
//! the first difference: exit status, stdout, stderr (the component's path
//! written `$WASM` in both) and the fixture's files after the run.
//!
//! Why not the program's committed expectations: they are Linux Wasmtime's,
//! and Windows differs where the OS does (error texts, file-system
//! semantics such as removing an open file); the reference is the Windows
//! build of the same Wasmtime, as the issue of the Windows port asks.

use super::like_wasmtime::name_wasm;
use super::{Spec, dir_flags, listing, make_fixture, run_guest, set_limits};
use crate::cross::Cross;
use crate::util::{self, Outcome};
use anyhow::{Context, Result, bail};
use std::path::Path;

/// Compares `outcome` (of Kiln's executable, run in `fixture`) with
/// `wasmtime.exe`'s in a fixture of its own.
pub(super) fn check(
    source: &Path,
    wasm: &Path,
    spec: &Spec,
    other_flags: &[String],
    outcome: &Outcome,
    fixture: &Path,
    cross: &Cross,
) -> Result<()> {
    let exe = util::wasmtime_exe()
        .context("the Windows lane needs wasmtime.exe (scripts/fetch-wasmtime-windows)")?;
    let own = make_fixture(source, spec)?;
    let mut cmd = cross.command(&exe);
    cmd.env_remove("RUST_BACKTRACE")
        .arg("run")
        .args(dir_flags(spec, own.path()))
        .args(other_flags);
    // The executable names the component by its file name, as `wasmtime
    // run <file name>` does.
    match (wasm.parent(), wasm.file_name()) {
        (Some(dir), Some(file)) => cmd.current_dir(dir).arg(file),
        _ => cmd.arg(wasm),
    };
    cmd.args(&spec.args);
    set_limits(&mut cmd, spec);
    let reference = run_guest(&mut cmd, spec)?;
    let differs = |what: &str, want: &str, got: &str| {
        anyhow::anyhow!(
            "{what} differs from wasmtime.exe's: {}\n--- wasmtime.exe ---\n{}\n--- kiln ---\n{}",
            util::first_difference(want, got),
            reference.describe(),
            outcome.describe()
        )
    };
    if reference.code() != outcome.code() {
        let (want, got) = (reference.code().to_string(), outcome.code().to_string());
        return Err(differs("the exit status", &want, &got));
    }
    if reference.stdout != outcome.stdout {
        return Err(differs(
            "stdout",
            &reference.stdout_str(),
            &outcome.stdout_str(),
        ));
    }
    let (want, got) = (
        name_wasm(&reference.stderr_str(), wasm),
        name_wasm(&outcome.stderr_str(), wasm),
    );
    if !crate::adapter_frames::same_stderr(want.as_bytes(), got.as_bytes()) {
        let (want, got) = crate::adapter_frames::normalize(&want, &got);
        return Err(differs("stderr", &want, &got));
    }
    if spec.files_file {
        let (want, got) = (listing(own.path())?, listing(fixture)?);
        if want != got {
            bail!(
                "the fixture's files differ from wasmtime.exe's: {}",
                util::first_difference(&want, &got)
            );
        }
    }
    Ok(())
}
