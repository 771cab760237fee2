//! Native tools see the wasm's function names (`native::...`): a compiled
//! function's symbol is its name-section name, on every target (ELF and
//! the Windows executable's COFF symbol table), so `nm` lists it, `gdb`
//! breaks on it and shows it in a backtrace through wasm frames into the
//! runtime, callgrind and `perf` attribute time to it, and mangled Rust
//! names demangle (`nm -C`); `--strip` removes them all.
//!
//! Inputs: a C program compiled at test time by clang for wasm32-wasi (its
//! source below), `rust/p2_panic` of `tests/programs` (a component), and
//! the host's `nm`, `gdb`, valgrind and `perf`. Output: Ok, or what a tool did not
//! show.

use crate::util;
use libtest_mimic::{Completion, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(300);

/// A hot function (`checksum_block`) that `main` calls many times, and one
/// that traps when asked to (`divide_all`).
const HOT_C: &str = r#"#include <stdio.h>
#include <stdint.h>
__attribute__((noinline)) uint32_t checksum_block(const uint8_t *p, int n) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
    return h;
}
__attribute__((noinline)) int divide_all(int a, int b) { return a / b; }
int main(int argc, char **argv) {
    static uint8_t buf[4096];
    for (int i = 0; i < 4096; i++) buf[i] = (uint8_t)(i * 7);
    uint32_t h = 0;
    for (int r = 0; r < 2000; r++) h += checksum_block(buf, 4096 - r % 256);
    printf("%u\n", h);
    if (argc > 1) printf("%d\n", divide_all(argc, argc - 2));
    return 0;
}
"#;

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::ignorable_trial("native::c_names_in_nm_and_gdb", c_names_in_nm_and_gdb),
        crate::timing::ignorable_trial("native::callgrind_names_the_hot_function", callgrind),
        crate::timing::ignorable_trial("native::perf_names_the_hot_function", perf),
        crate::timing::ignorable_trial("native::rust_component_names_demangle", rust_component),
        crate::timing::ignorable_trial("native::names_on_every_target", every_target),
    ]
}

/// The C program built (`hot.wasm`) and compiled (`hot`) into `dir`;
/// returns the executable.
fn hot_exe(dir: &Path) -> Result<Result<PathBuf, String>, Failed> {
    if !util::have("clang") {
        return Ok(Err("clang (for wasm32-wasi) is missing".into()));
    }
    let src = dir.join("hot.c");
    std::fs::write(&src, HOT_C)?;
    let wasm = dir.join("hot.wasm");
    let o = util::run(
        Command::new("clang")
            .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2"])
            .arg(&src)
            .arg("-o")
            .arg(&wasm),
        b"",
        TIMEOUT,
    )?;
    if !o.status.success() {
        return Ok(Err(format!(
            "clang for wasm32-wasi failed\n{}",
            o.describe()
        )));
    }
    let exe = dir.join("hot");
    util::kiln_build(&[], &wasm, &exe)?;
    Ok(Ok(exe))
}

/// Whether `nm`'s listing has `name` as a local code symbol.
fn names_local_function(nm: &str, name: &str) -> bool {
    nm.lines()
        .any(|l| l.strip_suffix(name).is_some_and(|l| l.ends_with(" t ")))
}

fn tool(cmd: &mut Command) -> Result<String, Failed> {
    let o = util::run(cmd.env_remove("RUST_BACKTRACE"), b"", TIMEOUT)
        .map_err(|e| format!("{cmd:?}: {e:#}"))?;
    Ok(format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    ))
}

fn c_names_in_nm_and_gdb() -> Result<Completion, Failed> {
    let dir = tempfile::tempdir()?;
    let exe = match hot_exe(dir.path())? {
        Ok(exe) => exe,
        Err(why) => return util::toolchain_missing(why),
    };
    let nm = tool(Command::new("nm").arg(&exe))?;
    for name in ["checksum_block", "divide_all"] {
        if !names_local_function(&nm, name) {
            return Err(format!("nm lists no local function `{name}`:\n{nm}").into());
        }
    }
    let stripped = dir.path().join("hot-stripped");
    util::kiln_build(&["--strip"], &exe.with_file_name("hot.wasm"), &stripped)?;
    let nm = tool(Command::new("nm").arg(&stripped))?;
    if nm.contains("checksum_block") || !nm.contains("no symbols") {
        return Err(format!("--strip left symbols:\n{nm}").into());
    }
    if !util::have("gdb") {
        return util::toolchain_missing("gdb is missing".into());
    }
    let gdb = tool(
        Command::new("gdb")
            .args([
                "-batch",
                "-nx",
                "-ex",
                "break checksum_block",
                "-ex",
                "run",
                "-ex",
                "bt",
            ])
            .arg(&exe),
    )?;
    // Stopped in the wasm function; its caller (the C `main`) and the
    // runtime's frames below it are named too.
    for want in [
        "Breakpoint 1, ",
        "#0 ",
        " in checksum_block ()",
        " in main ()",
        "kiln_vm",
    ] {
        if !gdb.contains(want) {
            return Err(format!("gdb's session lacks `{want}`:\n{gdb}").into());
        }
    }
    Ok(Completion::Completed)
}

/// Every target `kiln targets` lists names the functions too: ELF of each
/// architecture, and the Windows executable's COFF symbol table.
fn every_target() -> Result<Completion, Failed> {
    let dir = tempfile::tempdir()?;
    let exe = match hot_exe(dir.path())? {
        Ok(exe) => exe,
        Err(why) => return util::toolchain_missing(why),
    };
    let wasm = exe.with_file_name("hot.wasm");
    for triple in crate::cross::kiln_targets()? {
        let out = dir.path().join(format!("hot-{triple}"));
        util::kiln_build(&["--target", &triple], &wasm, &out)?;
        let nm = tool(Command::new("nm").arg(&out))?;
        if !names_local_function(&nm, "checksum_block") {
            return Err(format!("nm lists no `checksum_block` for {triple}").into());
        }
    }
    Ok(Completion::Completed)
}

fn callgrind() -> Result<Completion, Failed> {
    let dir = tempfile::tempdir()?;
    let exe = match hot_exe(dir.path())? {
        Ok(exe) => exe,
        Err(why) => return util::toolchain_missing(why),
    };
    if !util::have("valgrind") || !util::have("callgrind_annotate") {
        return util::toolchain_missing("valgrind (callgrind) is missing".into());
    }
    let out = dir.path().join("callgrind.out");
    let run = tool(
        Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(&exe),
    )?;
    let annotated = tool(Command::new("callgrind_annotate").arg(&out))?;
    // The first function row after the header is the hottest.
    let hottest = annotated
        .lines()
        .skip_while(|l| !l.contains("file:function"))
        .find(|l| l.contains(':') && !l.contains("file:function") && !l.starts_with('-'));
    match hottest {
        Some(row) if row.contains(":checksum_block") => Ok(Completion::Completed),
        _ => Err(format!(
            "callgrind's hottest function is not checksum_block:\n{annotated}\n{run}"
        )
        .into()),
    }
}

/// `perf record` then `perf report` name the hot function. A kernel that
/// lets no one sample (`perf_event_paranoid`, a container without the
/// capability) ignores the trial with perf's reason: that is the machine,
/// not the executable.
fn perf() -> Result<Completion, Failed> {
    let dir = tempfile::tempdir()?;
    let exe = match hot_exe(dir.path())? {
        Ok(exe) => exe,
        Err(why) => return util::toolchain_missing(why),
    };
    if !util::have("perf") {
        return util::toolchain_missing("perf (Debian: linux-perf) is missing".into());
    }
    let data = dir.path().join("perf.data");
    // The program runs for about 10 ms: sample often.
    let o = util::run(
        Command::new("perf")
            .args(["record", "-q", "-F", "20000", "-o"])
            .arg(&data)
            .arg(&exe),
        b"",
        TIMEOUT,
    )?;
    if !o.status.success() || !data.is_file() {
        return Ok(Completion::ignored_with(format!(
            "perf cannot sample on this machine: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .next()
                .unwrap_or("")
        )));
    }
    let report = tool(
        Command::new("perf")
            .args(["report", "--stdio", "--sort", "symbol", "-i"])
            .arg(&data),
    )?;
    // The first row (the most samples) after perf's `#` comments.
    let hottest = report
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty());
    match hottest {
        Some(row) if row.contains("[.] checksum_block") => Ok(Completion::Completed),
        _ => Err(format!("perf's hottest symbol is not checksum_block:\n{report}").into()),
    }
}

fn rust_component() -> Result<Completion, Failed> {
    let wasm = match crate::programs::built_wasm("rust/p2_panic") {
        Ok(wasm) => wasm,
        Err(why) => return util::toolchain_missing(why),
    };
    let dir = tempfile::tempdir()?;
    let exe = dir.path().join("p2_panic");
    util::kiln_build(&[], &wasm, &exe)?;
    let nm = tool(Command::new("nm").arg("-C").arg(&exe))?;
    // Rust's own function of the component's core module, demangled; and
    // one of the standard library's.
    for want in [" t p2_panic::main", " t std::panicking::"] {
        if !nm.contains(want) {
            return Err(format!("`nm -C` lists no `{want}`").into());
        }
    }
    Ok(Completion::Completed)
}
