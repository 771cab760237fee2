//! The large-module program: `tests/programs/big` (a Rust program of over
//! 5 MiB of wasm), built with cargo for wasm32-wasip1, compiled by Kiln
//! under a pseudo-terminal (so the progress line shows) and run.

use crate::programs::{BUILD_TIMEOUT, DEFAULT_RUST_TARGET, RUN_TIMEOUT, fail};
use crate::util;
use libtest_mimic::{Completion, Failed};
use std::process::Command;

/// The large module: `tests/programs/big`, built with cargo for
/// wasm32-wasip1, compiled by Kiln and run.
pub fn run_big() -> Result<Completion, Failed> {
    if let Err(why) = util::rust_wasm_target(DEFAULT_RUST_TARGET) {
        return util::toolchain_missing(why);
    }
    let root = util::repo().join("tests/programs/big");
    let target_dir = util::scratch("big-target");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--target", "wasm32-wasip1", "--locked"])
        .arg("--target-dir")
        .arg(&target_dir)
        // The outer `cargo test` may have set flags meant for Kiln's build.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_MAKEFLAGS");
    let o = util::run(&mut cmd, b"", BUILD_TIMEOUT).map_err(fail)?;
    if !o.status.success() {
        return Err(format!("cargo build of tests/programs/big failed\n{}", o.describe()).into());
    }
    let wasm = target_dir.join("wasm32-wasip1/debug/kiln-big-test.wasm");
    let size = std::fs::metadata(&wasm).map_err(|e| e.to_string())?.len();
    if size < 5 * 1024 * 1024 {
        return Err(format!("the big module is only {size} bytes (want >= 5 MiB)").into());
    }
    let mut run_cmd = if util::reference_engine() {
        let wasmtime = util::wasmtime().ok_or("wasmtime is not installed")?;
        let mut c = Command::new(wasmtime);
        c.arg("run").arg(&wasm);
        c
    } else {
        let exe = util::scratch("program-bins").join("big");
        // Under `script`, whose pseudo-terminal makes the build's stderr a
        // terminal: the build shows its progress line (`KILN_PROGRESS=now`:
        // without waiting for the usual second), and erases it at the end.
        let mut kiln = util::kiln_cmd();
        kiln.env("KILN_PROGRESS", "now");
        let line = format!(
            "'{}' build '{}' -o '{}'",
            kiln.get_program().to_string_lossy(),
            wasm.display(),
            exe.display()
        );
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"]);
        for (k, v) in kiln.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let o = util::run(&mut cmd, b"", BUILD_TIMEOUT).map_err(fail)?;
        let shown = o.stdout_str();
        if !o.status.success()
            || !shown.contains("\r\x1b[Kkiln: compiling ")
            || !shown.contains(" functions")
            || !shown.ends_with("\r\x1b[K")
        {
            return Err(format!(
                "kiln build of the big module failed or showed no progress line \
                 (`script` is in Debian's bsdutils)\n{}",
                o.describe()
            )
            .into());
        }
        Command::new(&exe)
    };
    let o = util::run(run_cmd.args(["3", "x"]), b"", RUN_TIMEOUT).map_err(fail)?;
    let want = std::fs::read_to_string(root.join("expected.stdout")).map_err(|e| e.to_string())?;
    if o.code() != 3 || o.stdout_str() != want || o.stderr_str() != "big: done\n" {
        return Err(format!(
            "big module misbehaved: {}\n{}",
            util::first_difference(&want, &o.stdout_str()),
            o.describe()
        )
        .into());
    }
    Ok(Completion::Completed)
}
