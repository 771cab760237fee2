//! Fused adapter benchmark (`cargo bench --bench adapters`): a component
//! whose core loop calls, `N` times, (1) a core function of its own
//! module (a direct call), (2) `add(u32, u32) -> u32` of a nested
//! component through a fused adapter (flat values only), and (3)
//! `len(string) -> u32` of that component through an adapter that copies
//! a 16-byte string into the callee's memory with its `realloc`. Each runs
//! with `kiln run --invoke` (the compile is cached by a warm-up run) and,
//! when installed, `wasmtime run --invoke`; a run with `N = 0` is
//! subtracted so that start-up and compilation do not count.
//!
//! Prints the time per call of each. Not a timed test: it only reports.
//! `KILN_BENCH_CALLS` sets `N` (default ten million; `--test`, as
//! `cargo test --benches` passes, does a quick version).

#[path = "common/mod.rs"]
mod common;
use common::wasmtime;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COMPONENT_WAT: &str = r#"(component
  (component $lib
    (core module $m
      (memory (export "memory") 1)
      ;; Always the same buffer: the loop would exhaust a bump allocator.
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x100))
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "len") (param i32 i32) (result i32) (local.get 1)))
    (core instance $i (instantiate $m))
    (func (export "add") (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $i "add")))
    (func (export "len") (param "s" string) (result u32)
      (canon lift (core func $i "len") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc")))))
  (instance $lib (instantiate $lib))
  (core module $mem
    (memory (export "memory") 1)
    (data (i32.const 0x40) "hello, adapters!"))
  (core instance $mem (instantiate $mem))
  (core func $add (canon lower (func $lib "add")))
  (core func $len (canon lower (func $lib "len") (memory (core memory $mem "memory"))))
  (core module $loop
    (import "" "add" (func $add (param i32 i32) (result i32)))
    (import "" "len" (func $len (param i32 i32) (result i32)))
    (func $direct (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "direct") (param $n i32) (result i32)
      (local $acc i32)
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (call $direct (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $acc))
    (func (export "adapter") (param $n i32) (result i32)
      (local $acc i32)
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (call $add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $acc))
    (func (export "text") (param $n i32) (result i32)
      (local $acc i32)
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $len (i32.const 0x40) (i32.const 16))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $acc)))
  (core instance $loop (instantiate $loop (with "" (instance
    (export "add" (func $add)) (export "len" (func $len))))))
  (func (export "direct") (param "n" u32) (result u32) (canon lift (core func $loop "direct")))
  (func (export "adapter") (param "n" u32) (result u32) (canon lift (core func $loop "adapter")))
  (func (export "text") (param "n" u32) (result u32) (canon lift (core func $loop "text")))
)
"#;

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let n = match (
        quick,
        std::env::var("KILN_BENCH_CALLS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok()),
    ) {
        (true, _) => 10_000,
        (false, Some(n)) => n,
        (false, None) => 10_000_000,
    };
    let dir = std::env::temp_dir().join(format!("kiln-adapter-bench-{}", std::process::id()));
    let result = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| bench(&dir, n));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("adapters bench: {e}");
        std::process::exit(1);
    }
}

fn bench(dir: &Path, n: u64) -> Result<(), String> {
    let wat = dir.join("adapters.wat");
    std::fs::write(&wat, COMPONENT_WAT).map_err(|e| e.to_string())?;
    let kiln = |export: &str, n: u64| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kiln"));
        c.env("KILN_CACHE_DIR", dir.join("cache"))
            .arg("run")
            .arg("--invoke")
            .arg(format!("{export}({n})"))
            .arg(&wat);
        c
    };
    // Warm the compile cache.
    time(&mut kiln("direct", 0))?;
    let wasmtime = wasmtime();
    println!("{n} calls each, time per call");
    for export in ["direct", "adapter", "text"] {
        let k = per_call(&mut kiln(export, 0), &mut kiln(export, n), n)?;
        let mut line = format!("{export:>8}: kiln {:>7.2} ns", k * 1e9);
        if let Some(wt) = &wasmtime {
            let cmd = |n: u64| {
                let mut c = Command::new(wt);
                c.arg("run")
                    .arg("--invoke")
                    .arg(format!("{export}({n})"))
                    .arg(&wat);
                c
            };
            let w = per_call(&mut cmd(0), &mut cmd(n), n)?;
            line += &format!("   wasmtime {:>7.2} ns", w * 1e9);
        }
        println!("{line}");
    }
    Ok(())
}

/// Seconds per call: the `n`-call run minus the empty one.
fn per_call(empty: &mut Command, full: &mut Command, n: u64) -> Result<f64, String> {
    let base = time(empty)?;
    let t = time(full)?;
    Ok(t.saturating_sub(base).as_secs_f64() / n.max(1) as f64)
}

fn time(cmd: &mut Command) -> Result<Duration, String> {
    let start = Instant::now();
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if !status.success() {
        return Err(format!("{:?} failed: {status}", cmd.get_program()));
    }
    Ok(start.elapsed())
}
