//! Cost of the run-time limit checks (`cargo bench --bench limits`): one
//! module with three workloads, each built four ways with `kiln build`:
//! without checks, with interruption checks (`-W timeout=1000s`), with fuel
//! accounting (`-W fuel=<max>`), and with both. Each executable is run `R`
//! times per workload (default 11; `--test` does one short run of each);
//! the median wall time and its ratio to the build without checks are
//! printed.
//!
//! Workloads (`_start` reads the first argument): `fib` (recursive calls:
//! a check at every function entry), `sieve` (a tight loop over memory: a
//! check at every loop header), `sum` (a tight arithmetic loop). Not a
//! timed test: it only reports.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `{SCALE}` is replaced by the workload size factor.
const WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 256)
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  ;; Primes below 8 MiB, one byte per number from address 65536, {SCALE} times.
  (func $sieve (result i32) (local $round i32) (local $i i32) (local $j i32) (local $count i32)
    (loop $rounds
      (memory.fill (i32.const 65536) (i32.const 1) (i32.const 8388608))
      (local.set $count (i32.const 0))
      (local.set $i (i32.const 2))
      (loop $outer
        (if (i32.load8_u offset=65536 (local.get $i))
          (then
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (local.set $j (i32.add (local.get $i) (local.get $i)))
            (block $done
              (loop $inner
                (br_if $done (i32.ge_u (local.get $j) (i32.const 8388608)))
                (i32.store8 offset=65536 (local.get $j) (i32.const 0))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $inner)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $outer (i32.lt_u (local.get $i) (i32.const 8388608))))
      (local.set $round (i32.add (local.get $round) (i32.const 1)))
      (br_if $rounds (i32.lt_u (local.get $round) (i32.const {SCALE}))))
    (local.get $count))
  (func $sum (result i64) (local $i i64) (local $s i64)
    (loop $l
      (local.set $s (i64.add (local.get $s) (i64.mul (local.get $i) (local.get $i))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (i64.mul (i64.const {SCALE}) (i64.const 100000000)))))
    (local.get $s))
  (func (export "_start")
    ;; argv[1]'s first byte: f(ib), s(ieve) or anything else (sum).
    (drop (call $args_get (i32.const 0) (i32.const 64)))
    (block $done
      (if (i32.eq (i32.load8_u (i32.load (i32.const 4))) (i32.const 102))
        (then (drop (call $fib (i32.add (i32.const 28) (i32.const {SCALE})))) (br $done)))
      (if (i32.eq (i32.load8_u (i32.load (i32.const 4))) (i32.const 115))
        (then (drop (call $sieve)) (br $done)))
      (drop (call $sum)))
    (call $exit (i32.const 0))))
"#;

/// The builds: name and `-W` options.
const VARIANTS: &[(&str, &[&str])] = &[
    ("no checks", &[]),
    ("timeout", &["-W", "timeout=1000s"]),
    ("fuel", &["-W", "fuel=18446744073709551614"]),
    ("both", &["-W", "timeout=1000s,fuel=18446744073709551614"]),
];

const WORKLOADS: &[&str] = &["fib", "sieve", "sum"];

fn main() {
    // `cargo test --benches` runs this with `--test`: do a quick version.
    let quick = std::env::args().any(|a| a == "--test");
    let (scale, runs) = if quick { (1, 1) } else { (4, 11) };
    let dir = std::env::temp_dir().join(format!("kiln-limits-bench-{}", std::process::id()));
    let result = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| bench(&dir, scale, runs));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("limits bench: {e}");
        std::process::exit(1);
    }
}

fn bench(dir: &Path, scale: u32, runs: usize) -> Result<(), String> {
    let wat = dir.join("limits.wat");
    std::fs::write(&wat, WAT.replace("{SCALE}", &scale.to_string())).map_err(|e| e.to_string())?;
    let mut exes = Vec::new();
    for (i, (name, flags)) in VARIANTS.iter().enumerate() {
        exes.push((*name, build(dir, &wat, flags, i)?));
    }
    for workload in WORKLOADS {
        let mut base = None;
        for (name, exe) in &exes {
            let median = median_run(exe, workload, runs)?;
            let base = *base.get_or_insert(median);
            println!(
                "{workload:>6} {name:>10}: {:>8.1} ms  x{:.2}",
                median.as_secs_f64() * 1e3,
                median.as_secs_f64() / base.as_secs_f64()
            );
        }
    }
    Ok(())
}

fn build(dir: &Path, wat: &Path, flags: &[&str], i: usize) -> Result<PathBuf, String> {
    let exe = dir.join(format!("limits-{i}"));
    let status = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .env("KILN_CACHE_DIR", dir.join("cache"))
        .arg("build")
        .args(flags)
        .arg(wat)
        .arg("-o")
        .arg(&exe)
        .status()
        .map_err(|e| format!("kiln build: {e}"))?;
    if !status.success() {
        return Err(format!("kiln build {flags:?} failed: {status}"));
    }
    Ok(exe)
}

fn median_run(exe: &Path, workload: &str, runs: usize) -> Result<Duration, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let status = Command::new(exe)
            .arg(workload)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        if !status.success() {
            return Err(format!("{} {workload} failed: {status}", exe.display()));
        }
        times.push(start.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}
