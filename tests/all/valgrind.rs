//! Kiln's executables run under valgrind (memcheck and callgrind), as
//! native programs should: once, rustix's auxv/vDSO parsing crashed under
//! it, which made every valgrind tool unusable on Kiln's output. Checks: a
//! core-module and a component hello world without a single memcheck error
//! and with their usual output; callgrind completes; a trapping program
//! still reports its trap and exits 134 (memcheck reports the guard-page
//! access that the trap handler turns into the trap, as it would for any
//! program that handles SIGSEGV).

use crate::util;
use libtest_mimic::{Failed, Trial};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(300);

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::trial("valgrind::memcheck_module", || {
            memcheck_clean("examples/hello.wat")
        }),
        crate::timing::trial("valgrind::memcheck_component", || {
            memcheck_clean("examples/hello-component.wat")
        }),
        crate::timing::trial("valgrind::callgrind", callgrind),
        crate::timing::trial("valgrind::trap", trap),
    ]
}

fn build(program: &Path, exe: &Path) -> Result<(), Failed> {
    let o = util::run(
        util::kiln_cmd()
            .arg("build")
            .arg(program)
            .arg("-o")
            .arg(exe),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    if !o.status.success() {
        return Err(format!("kiln build failed\n{}", o.describe()).into());
    }
    Ok(())
}

fn valgrind(args: &[&str], exe: &Path) -> Result<util::Outcome, Failed> {
    util::run(
        Command::new("valgrind")
            .args(args)
            .arg(exe)
            .env_remove("RUST_BACKTRACE"),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("valgrind: {e:#} (Debian: `apt-get install valgrind`)").into())
}

fn memcheck_clean(program: &str) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let exe = dir.path().join("hello");
    build(&util::repo().join(program), &exe)?;
    let o = valgrind(&["-q", "--error-exitcode=99"], &exe)?;
    if o.code() != 0 || !o.stdout_str().starts_with("Hello") || !o.stderr_str().is_empty() {
        return Err(format!(
            "memcheck found errors or the output differs\n{}",
            o.describe()
        )
        .into());
    }
    Ok(())
}

fn callgrind() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let exe = dir.path().join("hello");
    build(&util::repo().join("examples/hello.wat"), &exe)?;
    let out = dir.path().join("callgrind.out");
    let out_arg = format!("--callgrind-out-file={}", out.display());
    let o = valgrind(&["-q", "--tool=callgrind", &out_arg], &exe)?;
    if o.code() != 0 || !o.stdout_str().starts_with("Hello") || !out.is_file() {
        return Err(format!("callgrind failed\n{}", o.describe()).into());
    }
    Ok(())
}

fn trap() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let wat = dir.path().join("oob.wat");
    std::fs::write(
        &wat,
        "(module (memory 1) (func (export \"_start\") (drop (i32.load (i32.const 70000)))))",
    )
    .map_err(|e| e.to_string())?;
    let exe = dir.path().join("oob");
    build(&wat, &exe)?;
    let native = util::run(&mut Command::new(&exe), b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    let o = valgrind(&["-q"], &exe)?;
    // memcheck's own report of the fault comes first, on the same stream.
    let err = o.stderr_str();
    if o.code() != 134 || native.code() != 134 || !err.ends_with(native.stderr_str().as_str()) {
        return Err(format!(
            "the trap differs under valgrind\nnative:\n{}\nvalgrind:\n{}",
            native.describe(),
            o.describe()
        )
        .into());
    }
    Ok(())
}
