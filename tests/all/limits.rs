//! Compile-time limits: a very large function (100k+ wasm instructions) and
//! a module with 50k+ functions, generated at test time, must compile
//! through the real `kiln build` within a memory budget and run correctly.
//!
//! The budget is the peak resident set size of the `kiln build` process
//! (and the linker it waits for), from `wait4`'s `rusage`. Measured on the
//! 2-core CI machine (see the constants): the budgets leave a wide margin
//! so that the check catches blow-ups (quadratic data structures, whole
//! modules kept per worker), not noise. Compile time is only bounded by the
//! timeout (the CPU is shared with parallel trials), and reported in the
//! failure message.
//!
//! The expected results are computed here in Rust from the same
//! parameters the generators use, so no reference engine is needed.

use crate::util;
use anyhow::{Context, Result, bail};
use libtest_mimic::{Failed, Trial};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: `kiln build` of either module takes a few seconds alone.
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// Groups of operators in the huge function (each 7 to 16 instructions).
const HUGE_GROUPS: u64 = 20_000;
/// Measured: 3.1 s and 77 MB peak RSS for `kiln build` (release).
const HUGE_BUDGET_MIB: u64 = 384;

/// Functions in the many-functions module (plus the exported `run`).
const MANY_FUNCS: u32 = 50_000;
/// Measured: 5.4 s and 143 MB peak RSS for `kiln build` (release).
const MANY_BUDGET_MIB: u64 = 768;

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::trial("limits::huge_function", huge_function),
        crate::timing::trial("limits::many_functions", many_functions),
    ]
}

/// One exported function of `HUGE_GROUPS` groups of straight-line i64
/// arithmetic and if/else diamonds over two locals.
fn huge_function() -> Result<(), Failed> {
    let (wat, instructions) = huge_function_wat();
    if instructions < 100_000 {
        return Err(format!("the generator made only {instructions} instructions").into());
    }
    let expected = huge_function_result().to_string();
    build_and_run("huge_function", &wat, HUGE_BUDGET_MIB, &expected).map_err(Into::into)
}

fn huge_function_wat() -> (String, u64) {
    let mut wat = String::from(
        "(module\n  (func (export \"run\") (result i64)\n    (local $x i64) (local $y i64)\n    \
         (local.set $x (i64.const 1)) (local.set $y (i64.const 2))\n",
    );
    let mut instructions = 4;
    for k in 0..HUGE_GROUPS {
        match k % 3 {
            0 => {
                let _ = writeln!(
                    wat,
                    "    (local.set $x (i64.add (i64.mul (local.get $x) (i64.const {})) (local.get $y)))",
                    2 * k + 1
                );
                instructions += 6;
            }
            1 => {
                let _ = writeln!(
                    wat,
                    "    (local.set $y (i64.xor (i64.rotl (local.get $y) (i64.const {})) (local.get $x)))",
                    k % 63
                );
                instructions += 6;
            }
            _ => {
                let _ = writeln!(
                    wat,
                    "    (if (i64.lt_u (local.get $x) (local.get $y)) \
                     (then (local.set $x (i64.sub (local.get $y) (i64.const {k})))) \
                     (else (local.set $y (i64.add (local.get $x) (i64.const {k})))))"
                );
                // lt_u, 2 gets, if, 2x (get, const, op, set), else, end
                instructions += 13;
            }
        }
    }
    wat.push_str("    (i64.xor (local.get $x) (local.get $y))))\n");
    (wat, instructions + 4)
}

/// What `huge_function_wat`'s `run` returns.
fn huge_function_result() -> i64 {
    let (mut x, mut y) = (1u64, 2u64);
    for k in 0..HUGE_GROUPS {
        match k % 3 {
            0 => x = x.wrapping_mul(2 * k + 1).wrapping_add(y),
            1 => y = y.rotate_left((k % 63) as u32) ^ x,
            _ => {
                if x < y {
                    x = y.wrapping_sub(k);
                } else {
                    y = x.wrapping_add(k);
                }
            }
        }
    }
    (x ^ y) as i64
}

/// `MANY_FUNCS` small functions, each calling its predecessor (chains of
/// 100), all in one table; `run` calls each through `call_indirect`.
fn many_functions() -> Result<(), Failed> {
    let wat = many_functions_wat();
    let expected = many_functions_result().to_string();
    build_and_run("many_functions", &wat, MANY_BUDGET_MIB, &expected).map_err(Into::into)
}

fn many_functions_wat() -> String {
    let n = MANY_FUNCS;
    let mut wat =
        format!("(module\n  (type $t (func (param i32) (result i32)))\n  (table {n} funcref)\n");
    for i in 0..n {
        if i % 100 == 0 {
            let _ = writeln!(
                wat,
                "  (func $f{i} (type $t) (i32.add (i32.xor (local.get 0) (i32.const {i})) (i32.const {})))",
                i.wrapping_mul(7)
            );
        } else {
            let _ = writeln!(
                wat,
                "  (func $f{i} (type $t) (i32.add (call $f{} (local.get 0)) (i32.const {i})))",
                i - 1
            );
        }
    }
    wat.push_str("  (elem (i32.const 0) func");
    for i in 0..n {
        let _ = write!(wat, " $f{i}");
    }
    let _ = write!(
        wat,
        ")\n  (func (export \"run\") (result i32) (local $i i32) (local $s i32)\n    \
         (loop $l\n      (local.set $s (i32.add (local.get $s)\n        \
         (call_indirect (type $t) (local.get $i) (local.get $i))))\n      \
         (local.set $i (i32.add (local.get $i) (i32.const 1)))\n      \
         (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))\n    (local.get $s)))\n"
    );
    wat
}

/// What `many_functions_wat`'s `run` returns.
fn many_functions_result() -> i32 {
    let f = |i: u32, a: u32| -> u32 {
        let base = i - i % 100;
        let mut v = (a ^ base).wrapping_add(base.wrapping_mul(7));
        for j in base + 1..=i {
            v = v.wrapping_add(j);
        }
        v
    };
    (0..MANY_FUNCS).fold(0u32, |s, i| s.wrapping_add(f(i, i))) as i32
}

/// Writes `wat`, builds it with `kiln build --invoke run` under the memory
/// budget, runs the executable and compares its output.
fn build_and_run(name: &str, wat: &str, budget_mib: u64, expected: &str) -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix(&format!("limits-{name}-"))
        .tempdir_in(util::scratch("limits"))
        .context("temp dir")?;
    let source = dir.path().join(format!("{name}.wat"));
    std::fs::write(&source, wat).context("writing the module")?;
    let exe = dir.path().join(name);
    let mut cmd = util::kiln_cmd();
    cmd.arg("build")
        .arg(&source)
        .arg("--invoke")
        .arg("run")
        .arg("-o")
        .arg(&exe);
    let build = measured(&mut cmd, dir.path())?;
    if build.code != Some(0) {
        bail!(
            "kiln build failed (exit {:?}) after {:?}:\n{}",
            build.code,
            build.elapsed,
            util::truncate(&build.stderr, 4000)
        );
    }
    let peak_mib = build.peak_rss_kib / 1024;
    if peak_mib > budget_mib {
        bail!(
            "kiln build peaked at {peak_mib} MiB resident (budget {budget_mib} MiB), \
             taking {:?}",
            build.elapsed
        );
    }
    let run = util::run(&mut Command::new(&exe), b"", RUN_TIMEOUT)?;
    let stdout = run.stdout_str();
    if run.code() != 0 || stdout.trim_end() != expected {
        bail!(
            "the executable printed the wrong result (expected {expected}):\n{}",
            run.describe()
        );
    }
    eprintln!(
        "limits::{name}: kiln build took {:?}, peak RSS {} MiB (budget {budget_mib} MiB)",
        build.elapsed, peak_mib
    );
    Ok(())
}

/// A finished process: exit code, stderr, time, peak resident set size.
struct Measured {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    peak_rss_kib: u64,
}

/// Runs `cmd` to completion (killed after [`BUILD_TIMEOUT`]) and reads its
/// peak RSS from `wait4`. Output goes to files in `dir` (no pipes to
/// drain while polling).
fn measured(cmd: &mut Command, dir: &Path) -> Result<Measured> {
    let out_path = dir.join("build.stdout");
    let err_path = dir.join("build.stderr");
    let child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path)?)
        .stderr(std::fs::File::create(&err_path)?)
        .spawn()
        .context("cannot start kiln")?;
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let mut status = 0;
    // SAFETY: all-zero is a valid `rusage`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child, not yet reaped (std's `Child` is never
        // waited on: it is forgotten below); the out-pointers are valid.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            bail!("wait4: {}", std::io::Error::last_os_error());
        }
        if start.elapsed() > BUILD_TIMEOUT {
            // SAFETY: signalling our own unreaped child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            // SAFETY: as above, reaping it.
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            bail!("kiln build timed out after {BUILD_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = start.elapsed();
    // Reaped above: dropping `child` does not wait, forgetting it keeps it
    // from touching the pid again.
    std::mem::forget(child);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ok(Measured {
        code,
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
        elapsed,
        // Linux reports `ru_maxrss` in KiB.
        peak_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
    })
}
