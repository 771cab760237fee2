//! Source lines in trap backtraces (`details::...`): a program built with
//! DWARF (`-g`) traps, and its report under `WASMTIME_BACKTRACE_DETAILS=1`
//! (set when building and when running: each frame's function, `at
//! file:line:column`, inlined frames listed) and without it (Wasmtime's
//! note about that variable) is Wasmtime's, byte for byte, with the same
//! exit status.
//!
//! Inputs: C and Rust sources below, built at test time by clang for
//! wasm32-wasi and by rustc for wasm32-wasip1 (a core module) and
//! wasm32-wasip2 (a component), each with debug information; the Wasmtime
//! 49 CLI as the reference (on the Windows lane, `cross::x86_64-pc-
//! windows-gnu::trap_details`, the `.exe` and `wasmtime.exe` under Wine).
//! Output: Ok, or both reports.

use crate::cross::Cross;
use crate::util;
use libtest_mimic::{Completion, Failed, Trial};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(300);

/// How a frame's source location starts in a report.
const SOURCE_LINE: &str = "\n                    at ";

/// `divide` is inlined into `divide_all` by clang at -O2 (two symbols at
/// the trapping offset); `rec` overflows the stack at -O0, where clang's
/// line table has rows with column 0 (printed as `:0`).
const C_SRC: &str = r#"#include <stdio.h>
#include <string.h>

static int divide(int a, int b) {
    return a / b;
}

__attribute__((noinline)) int divide_all(int *xs, int n, int d) {
    int s = 0;
    for (int i = 0; i < n; i++)
        s += divide(xs[i], d);
    return s;
}

int rec(int n) {
    char buf[64];
    memset(buf, n, sizeof buf);
    return rec(n + 1) + buf[3];
}

int main(int argc, char **argv) {
    int xs[4] = {10, 20, 30, 40};
    if (argc > 2)
        return rec(0);
    printf("sum %d\n", divide_all(xs, 4, argc > 5 ? 2 : 0));
    return 0;
}
"#;

/// A panic (index out of bounds) under std's frames, through a function
/// kept out of line and closures Kiln may inline.
const RUST_SRC: &str = r#"
#[inline(never)]
fn pick(v: &[u32], i: usize) -> u32 {
    v[i] * 3
}

fn sum(n: usize) -> u32 {
    let v: Vec<u32> = (0..4).collect();
    (0..n).map(|i| pick(&v, i)).sum()
}

fn main() {
    let n = std::env::args().count() + 4;
    println!("{}", sum(n));
}
"#;

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::ignorable_trial("details::c_inlined_divide", || c_case("-O2", &[], None)),
        crate::timing::ignorable_trial("details::c_stack_overflow_column_0", || {
            c_case("-O0", &["a", "b"], None)
        }),
        crate::timing::ignorable_trial("details::rust_core_module", || rust_case("wasm32-wasip1")),
        crate::timing::ignorable_trial("details::rust_component", || rust_case("wasm32-wasip2")),
    ]
}

/// The Windows lane's case: the inlined divide, as a `.exe` under Wine
/// against `wasmtime.exe`.
pub fn windows(cross: &'static Cross) -> Result<Completion, Failed> {
    c_case("-O2", &[], Some(cross))
}

fn c_case(opt: &str, args: &[&str], cross: Option<&Cross>) -> Result<Completion, Failed> {
    if !util::have("clang") {
        return util::toolchain_missing("clang (for wasm32-wasi) is missing".into());
    }
    let dir = tempfile::tempdir()?;
    let src = dir.path().join("div.c");
    std::fs::write(&src, C_SRC)?;
    let o = util::run(
        Command::new("clang")
            .args(["--target=wasm32-wasi", "--sysroot=/usr", "-g", opt])
            .arg(&src)
            .arg("-o")
            .arg(dir.path().join("div.wasm")),
        b"",
        TIMEOUT,
    )?;
    if !o.status.success() {
        return Err(format!("clang for wasm32-wasi failed\n{}", o.describe()).into());
    }
    compare(dir.path(), "div.wasm", args, cross)
}

fn rust_case(target: &str) -> Result<Completion, Failed> {
    if let Err(why) = util::rust_wasm_target(target) {
        return util::toolchain_missing(why);
    }
    let dir = tempfile::tempdir()?;
    let src = dir.path().join("pick.rs");
    std::fs::write(&src, RUST_SRC)?;
    let o = util::run(
        Command::new(util::rustc())
            .args(["--edition=2021", "--target", target, "-g", "-Copt-level=1"])
            .arg(&src)
            .arg("-o")
            .arg(dir.path().join("pick.wasm")),
        b"",
        TIMEOUT,
    )?;
    if !o.status.success() {
        return Err(format!("rustc for {target} failed\n{}", o.describe()).into());
    }
    compare(dir.path(), "pick.wasm", &[], None)
}

/// Builds `dir/wasm` (for `cross`'s target, else the host) with and
/// without the variable (Kiln reads it when compiling, as Wasmtime does)
/// and runs each the same way, beside `wasmtime run` (`wasmtime.exe` for
/// Windows) of the same file from the same directory (its name is part of
/// the report).
fn compare(
    dir: &Path,
    wasm: &str,
    args: &[&str],
    cross: Option<&Cross>,
) -> Result<Completion, Failed> {
    let reference = match cross {
        Some(_) => util::wasmtime_exe(),
        None => util::wasmtime(),
    };
    let Some(wasmtime) = reference else {
        return util::toolchain_missing("wasmtime (the reference) is missing".into());
    };
    let target: &[&str] = match cross {
        Some(c) => &["--target", &c.triple],
        None => &[],
    };
    // Built with the variable (the table of source locations) and without.
    let build = |details: &str, exe: &Path| -> Result<(), Failed> {
        let o = util::run(
            util::kiln_cmd()
                .env("WASMTIME_BACKTRACE_DETAILS", details)
                .arg("build")
                .args(target)
                .arg(dir.join(wasm))
                .arg("-o")
                .arg(exe),
            b"",
            TIMEOUT,
        )?;
        if !o.status.success() {
            return Err(format!("kiln build failed\n{}", o.describe()).into());
        }
        Ok(())
    };
    let with_table = dir.join("prog-details.exe");
    let without = dir.join("prog.exe");
    build("1", &with_table)?;
    build("0", &without)?;
    let command = |program: &Path| match cross {
        Some(c) => c.command(program),
        None => Command::new(program),
    };
    for details in ["1", "0"] {
        let run = |cmd: &mut Command| {
            cmd.current_dir(dir)
                .args(args)
                .env_remove("RUST_BACKTRACE")
                .env("WASMTIME_BACKTRACE_DETAILS", details);
            util::run(cmd, b"", TIMEOUT)
        };
        let exe = if details == "1" {
            &with_table
        } else {
            &without
        };
        let kiln = run(&mut command(exe))?;
        let reference = run(command(&wasmtime).args(["run", wasm]))?;
        if kiln.code() != reference.code() || kiln.stderr != reference.stderr {
            return Err(format!(
                "WASMTIME_BACKTRACE_DETAILS={details}: kiln exited {}, wasmtime {}\n\
                 --- kiln's stderr\n{}\n--- wasmtime's stderr\n{}",
                kiln.code(),
                reference.code(),
                String::from_utf8_lossy(&kiln.stderr),
                String::from_utf8_lossy(&reference.stderr)
            )
            .into());
        }
        let report = String::from_utf8_lossy(&kiln.stderr);
        // The comparison means something only if there was a backtrace
        // with source lines (or the note) to compare.
        let want = if details == "1" {
            SOURCE_LINE
        } else {
            "WASMTIME_BACKTRACE_DETAILS=1"
        };
        if !report.contains("wasm backtrace:") || !report.contains(want) {
            return Err(format!("no `{want}` in the report:\n{report}").into());
        }
    }
    // Built without the variable, run with it: no table, so the frames
    // stay plain and the note tells what to set (when building).
    let o = util::run(
        command(&without)
            .current_dir(dir)
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .env("WASMTIME_BACKTRACE_DETAILS", "1"),
        b"",
        TIMEOUT,
    )?;
    let report = o.stderr_str();
    if report.contains(SOURCE_LINE) || !report.contains("WASMTIME_BACKTRACE_DETAILS=1") {
        return Err(format!("built without the variable, run with it:\n{report}").into());
    }
    Ok(Completion::Completed)
}
