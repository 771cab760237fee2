//! Exception benchmark (`cargo bench --bench exceptions`): a module that
//! throws from a callee and catches in a loop, `N` times (default ten
//! million for Kiln, one million for wasmtime, which is about a hundred
//! times slower per throw; `KILN_BENCH_THROWS` overrides both), run once
//! as a `kiln build` executable and once with `wasmtime run` on the same
//! wasm, when wasmtime is installed.
//!
//! Prints wall time, time per throw and peak resident memory (from
//! `wait4`) of each, and the per-throw ratio. The peak memory shows that
//! exception objects are freed: it must not grow with `N`. Not a timed
//! test: it only reports.

#[path = "common/mod.rs"]
mod common;
use common::usage::{Usage, measure};
use common::wasmtime;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The loop, `{N}` replaced by the throw count; exits 0 if the payload
/// sum is right.
const LOOP_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (tag $e (param i64))
  (func $thrower (param i64) (throw $e (local.get 0)))
  (func (export "_start")
    (local $i i64) (local $sum i64)
    (loop $l
      (block $h (result i64)
        (try_table (catch $e $h) (call $thrower (local.get $i)))
        (unreachable))
      (local.set $sum (i64.add (local.get $sum)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (i64.const {N}))))
    (call $exit (i64.ne (local.get $sum) (i64.const {SUM})))))
"#;

fn main() {
    // `cargo test --benches` runs this with `--test`: do a quick version.
    let quick = std::env::args().any(|a| a == "--test");
    let fixed = std::env::var("KILN_BENCH_THROWS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let (kiln_n, wasmtime_n) = match (quick, fixed) {
        (true, _) => (10_000, 10_000),
        (false, Some(n)) => (n, n),
        (false, None) => (10_000_000, 1_000_000),
    };
    let dir = std::env::temp_dir().join(format!("kiln-exn-bench-{}", std::process::id()));
    let result = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| bench(&dir, kiln_n, wasmtime_n));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("exceptions bench: {e}");
        std::process::exit(1);
    }
}

fn module(dir: &Path, n: u64) -> Result<PathBuf, String> {
    let sum = (n * n.saturating_sub(1) / 2) as i64;
    let text = LOOP_WAT
        .replace("{N}", &n.to_string())
        .replace("{SUM}", &sum.to_string());
    let path = dir.join(format!("throw-{n}.wat"));
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    Ok(path)
}

fn bench(dir: &Path, kiln_n: u64, wasmtime_n: u64) -> Result<(), String> {
    let wat = module(dir, kiln_n)?;
    let exe = dir.join("throw-kiln");
    let built = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .env("KILN_CACHE_DIR", dir.join("cache"))
        .arg("build")
        .arg(&wat)
        .arg("-o")
        .arg(&exe)
        .status()
        .map_err(|e| format!("kiln build: {e}"))?;
    if !built.success() {
        return Err(format!("kiln build failed: {built}"));
    }
    println!("throw from a callee and catch, in a loop");
    let kiln = measure(Command::new(&exe).stderr(Stdio::null()))?;
    report("kiln", kiln_n, &kiln);
    let Some(wasmtime) = wasmtime() else {
        println!("wasmtime: not installed, skipped");
        return Ok(());
    };
    let wat = module(dir, wasmtime_n)?;
    let wt = measure(
        Command::new(wasmtime)
            .arg("run")
            .arg(&wat)
            .stderr(Stdio::null()),
    )?;
    report("wasmtime", wasmtime_n, &wt);
    println!(
        "ratio wasmtime / kiln per throw: {:.1}x",
        per_throw(&wt, wasmtime_n) / per_throw(&kiln, kiln_n).max(1e-12)
    );
    Ok(())
}

fn per_throw(m: &Usage, n: u64) -> f64 {
    m.wall.as_secs_f64() / n.max(1) as f64
}

fn report(name: &str, n: u64, m: &Usage) {
    println!(
        "{name:>10}: {n} throws in {:.3} s ({:.1} ns per throw), peak RSS {:.1} MiB",
        m.wall.as_secs_f64(),
        per_throw(m, n) * 1e9,
        m.peak_rss_kib as f64 / 1024.0
    );
}
