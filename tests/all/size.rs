//! Executable size: a Rust hello world, built at test time with `rustc -O`
//! as a WASI P1 module (`wasm32-wasip1`) and a WASI 0.2 component
//! (`wasm32-wasip2`), must compile to a static, unstripped executable under
//! 1 MB (s390x: 1.05 MB, see [`budget`]) for every fully static musl target
//! this `kiln` has a runtime for, and print its greeting (under qemu for another architecture). Static
//! glibc targets (riscv64, s390x without a musl runtime) are over that
//! budget and not checked here (docs/targets.md describes that fallback).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use libtest_mimic::{Failed, Trial};

use crate::cross::{kiln_targets, qemu_for};
use crate::util;

/// The budget of `triple`, in bytes. s390x has its own: its code is the
/// least dense of the four (fixed 2/4/6-byte instructions, literal pools;
/// the same WASI 0.2 hello is 878 KB on x86-64 and 1.00 MB on s390x), and
/// its size moves by a few KB with dependency features that add no code
/// to it (1,002,896 bytes with `hyper`'s `http2`, 1,004,912 without).
fn budget(triple: &str) -> u64 {
    if triple.starts_with("s390x-") {
        1_050_000
    } else {
        1_000_000
    }
}
const TIMEOUT: Duration = Duration::from_secs(300);

pub fn trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    for triple in kiln_targets().unwrap_or_default() {
        if !triple.ends_with("-linux-musl") {
            continue;
        }
        for (kind, wasm_target) in [("p1", "wasm32-wasip1"), ("p2", "wasm32-wasip2")] {
            let triple = triple.clone();
            trials.push(crate::timing::trial(
                format!("size::{triple}::{kind}_hello"),
                move || check(&triple, kind, wasm_target).map_err(Failed::from),
            ));
        }
    }
    trials
}

fn check(triple: &str, kind: &str, wasm_target: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let wasm = build_hello(dir.path(), wasm_target)?;
    let exe = dir.path().join("hello");
    util::kiln_build(&["--target", triple], &wasm, &exe)?;
    let size = std::fs::metadata(&exe).map_err(|e| e.to_string())?.len();
    let host_arch = std::env::consts::ARCH;
    let mut run = if triple.starts_with(&format!("{host_arch}-")) {
        Command::new(&exe)
    } else {
        let mut c = Command::new(qemu_for(triple));
        c.arg(&exe);
        c
    };
    let o = util::run(&mut run, b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    if o.stdout_str() != "Hello, world!\n" || !o.status.success() {
        return Err(format!("the executable misbehaved\n{}", o.describe()));
    }
    let budget = budget(triple);
    if size >= budget {
        return Err(format!(
            "{kind} hello for {triple} is {size} bytes, over the {budget}-byte budget"
        ));
    }
    println!("{kind} hello for {triple}: {size} bytes");
    Ok(())
}

/// `tests/programs/size/hello.rs` built for `wasm_target` into `dir`.
fn build_hello(dir: &Path, wasm_target: &str) -> Result<PathBuf, String> {
    let source = util::repo().join("tests/programs/size/hello.rs");
    let out = dir.join("hello.wasm");
    let o = util::run(
        Command::new(util::rustc())
            .args(["--edition", "2021", "-O", "--target", wasm_target])
            .arg(&source)
            .arg("-o")
            .arg(&out),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    if !o.status.success() || !out.is_file() {
        return Err(format!("rustc failed\n{}", o.describe()));
    }
    Ok(out)
}
