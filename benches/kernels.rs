//! Kernel benchmark (`cargo bench --bench kernels`): the run time of small
//! compute kernels whose sources are ours (`benches/kernels/*.rs` and
//! `*.c`), built to `wasm32-wasip1` at bench time and run three ways:
//! - as an executable from `kiln build`;
//! - with `wasmtime run --allow-precompiled` of a `wasmtime compile`d
//!   `.cwasm` (when wasmtime is installed);
//! - natively, the same source built for the host (the physical limit).
//!
//! Rust kernels are built with `rustc -O` (`--target wasm32-wasip1`), C
//! kernels with `clang --target=wasm32-wasi --sysroot=/usr -O2` (skipped
//! when that toolchain is missing) and natively with `cc -O2`.
//!
//! Each round runs every kernel once each way, alternating which goes
//! first, and measures the child's CPU time (user + system, from
//! `getrusage(RUSAGE_CHILDREN)`), which two busy cores disturb less than
//! wall time. The figure per kernel is the median over rounds of the
//! within-round ratio kiln / wasmtime (and kiln / native); the summary is
//! their geometric mean. Start-up is included (about 1 ms for Kiln, a few
//! for wasmtime) in runs of 0.1-0.6 s. Every run's stdout must equal
//! wasmtime's (a wrong answer fails the bench). A second table gives the
//! CPU time of `kiln build` (compile and link, after a warm-up build that
//! extracts the runtime) against `wasmtime compile`, as many times each as
//! there are rounds, alternating which goes first (the median of the
//! within-pair ratios: a single build of a small module varies by a third
//! from one run to the next), and the executable's size.
//!
//! Environment: `KILN_BENCH_ROUNDS` (default 5), `KILN_BENCH_WASMTIME` (the
//! wasmtime binary, default the first on `PATH`), `KILN_BENCH_BASELINE` (the
//! path of another `kiln` binary: its executables run in the same rounds,
//! and `kiln / base` is reported, for measuring a compiler change), and
//! arguments naming kernels select them (`cargo bench --bench kernels --
//! fib json`). `--test` (as `cargo test --benches` passes) runs each
//! kernel once with a small input.

#[path = "common/mod.rs"]
mod common;
use common::{check, wasmtime};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Source language of a kernel.
#[derive(Copy, Clone, PartialEq)]
enum Lang {
    Rust,
    C,
}

/// One kernel: `benches/kernels/<name>.<rs|c>`, run with `args` (`quick`
/// under `--test`).
struct Kernel {
    name: &'static str,
    lang: Lang,
    args: &'static [&'static str],
    quick: &'static [&'static str],
}

const KERNELS: &[Kernel] = &[
    Kernel {
        name: "fib",
        lang: Lang::Rust,
        args: &["40"],
        quick: &["20"],
    },
    Kernel {
        name: "json",
        lang: Lang::Rust,
        args: &["80"],
        quick: &["1"],
    },
    Kernel {
        name: "richards",
        lang: Lang::Rust,
        args: &["6000000"],
        quick: &["1000"],
    },
    Kernel {
        name: "quicksort",
        lang: Lang::C,
        args: &["16"],
        quick: &["1"],
    },
    Kernel {
        name: "matmul",
        lang: Lang::C,
        args: &["200", "60"],
        quick: &["20", "1"],
    },
    Kernel {
        name: "sha256",
        lang: Lang::C,
        args: &["32"],
        quick: &["1"],
    },
    Kernel {
        name: "interp",
        lang: Lang::C,
        args: &["600"],
        quick: &["2"],
    },
    Kernel {
        name: "dispatch",
        lang: Lang::C,
        args: &["20"],
        quick: &["1"],
    },
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--test");
    let selected: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect();
    let rounds = if quick {
        1
    } else {
        std::env::var("KILN_BENCH_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5)
    };
    let dir = std::env::temp_dir().join(format!("kiln-kernels-bench-{}", std::process::id()));
    let result = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| bench(&dir, &selected, rounds, quick));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("kernels bench: {e}");
        std::process::exit(1);
    }
}

/// A kernel built every way available.
struct Built {
    kernel: &'static Kernel,
    /// Bytes of the `.wasm` and of Kiln's executable.
    wasm_size: u64,
    exe_size: u64,
    /// CPU times of `kiln build` (compile and link) and `wasmtime compile`,
    /// one per round (none without wasmtime).
    kiln_compile: Vec<Duration>,
    wasmtime_compile: Vec<Duration>,
    kiln: PathBuf,
    base: Option<PathBuf>,
    cwasm: Option<PathBuf>,
    native: PathBuf,
    /// Expected stdout (the first run's, checked against every other).
    stdout: Option<Vec<u8>>,
}

/// CPU times of one kernel, one entry per round.
#[derive(Default)]
struct Times {
    kiln: Vec<Duration>,
    base: Vec<Duration>,
    wasmtime: Vec<Duration>,
    native: Vec<Duration>,
}

fn bench(dir: &Path, selected: &[&str], rounds: usize, quick: bool) -> Result<(), String> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/kernels");
    let wasmtime = wasmtime();
    let baseline = std::env::var_os("KILN_BENCH_BASELINE").map(PathBuf::from);
    let c_ok = c_toolchain_works(dir);
    if !c_ok {
        println!("clang for wasm32-wasi with wasi-libc not found: C kernels skipped");
    }
    // The first `kiln build` extracts the runtime into the cache: do it
    // before the builds whose CPU time is reported.
    let hello = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/hello.wat");
    for (kiln, cache) in [
        (Some(PathBuf::from(env!("CARGO_BIN_EXE_kiln"))), "cache"),
        (baseline.clone(), "cache-base"),
    ] {
        if let Some(kiln) = kiln {
            check(
                Command::new(kiln)
                    .env("KILN_CACHE_DIR", dir.join(cache))
                    .arg("build")
                    .arg(&hello)
                    .arg("-o")
                    .arg(dir.join("hello")),
                "kiln build (warm-up)",
            )?;
        }
    }
    let mut built = Vec::new();
    for k in KERNELS {
        if !selected.is_empty() && !selected.contains(&k.name) {
            continue;
        }
        if k.lang == Lang::C && !c_ok {
            continue;
        }
        built.push(build(
            &src,
            dir,
            k,
            wasmtime.as_deref(),
            baseline.as_deref(),
            rounds,
        )?);
    }
    if built.is_empty() {
        return Err("no kernel selected".into());
    }

    let mut times: Vec<Times> = built.iter().map(|_| Times::default()).collect();
    for round in 0..rounds {
        for (b, t) in built.iter_mut().zip(times.iter_mut()) {
            let args = if quick { b.kernel.quick } else { b.kernel.args };
            // Alternate who runs first so that a slow phase of the machine
            // does not always fall on the same side.
            let mut order = vec!["kiln", "wasmtime", "native", "base"];
            if round % 2 == 1 {
                order.reverse();
            }
            for who in order {
                let mut cmd = match who {
                    "kiln" => Command::new(&b.kiln),
                    "base" => match &b.base {
                        Some(p) => Command::new(p),
                        None => continue,
                    },
                    "native" => Command::new(&b.native),
                    _ => match (&wasmtime, &b.cwasm) {
                        (Some(w), Some(c)) => {
                            let mut cmd = Command::new(w);
                            cmd.arg("run").arg("--allow-precompiled").arg(c);
                            cmd
                        }
                        _ => continue,
                    },
                };
                cmd.args(args);
                let (cpu, out) = run_timed(&mut cmd)?;
                // The native build may print floats differently; the wasm
                // runs must agree byte for byte.
                if who != "native" {
                    match &b.stdout {
                        Some(expected) if *expected != out => {
                            return Err(format!(
                                "{}: {who} printed {:?}, expected {:?}",
                                b.kernel.name,
                                String::from_utf8_lossy(&out),
                                String::from_utf8_lossy(expected)
                            ));
                        }
                        Some(_) => {}
                        None => b.stdout = Some(out),
                    }
                }
                match who {
                    "kiln" => t.kiln.push(cpu),
                    "base" => t.base.push(cpu),
                    "native" => t.native.push(cpu),
                    _ => t.wasmtime.push(cpu),
                }
            }
        }
    }
    report(&built, &times, rounds);
    Ok(())
}

fn report(built: &[Built], times: &[Times], rounds: usize) {
    println!("CPU seconds (median of {rounds} rounds); ratios are medians of within-round ratios");
    println!(
        "{:>10} {:>8} {:>8} {:>8} {:>8} {:>11} {:>11} {:>10}",
        "kernel", "kiln", "wasmtime", "native", "base", "kiln/wtime", "kiln/native", "kiln/base"
    );
    let (mut g_wt, mut g_nat, mut g_base) = (Vec::new(), Vec::new(), Vec::new());
    for (b, t) in built.iter().zip(times) {
        let r_wt = median_ratio(&t.kiln, &t.wasmtime);
        let r_nat = median_ratio(&t.kiln, &t.native);
        let r_base = median_ratio(&t.kiln, &t.base);
        g_wt.extend(r_wt);
        g_nat.extend(r_nat);
        g_base.extend(r_base);
        println!(
            "{:>10} {:>8} {:>8} {:>8} {:>8} {:>11} {:>11} {:>10}",
            b.kernel.name,
            secs(median(&t.kiln)),
            secs(median(&t.wasmtime)),
            secs(median(&t.native)),
            secs(median(&t.base)),
            ratio(r_wt),
            ratio(r_nat),
            ratio(r_base)
        );
    }
    print_geomean(&g_wt, &g_nat, &g_base);
    println!();
    println!(
        "compile CPU seconds (median of {rounds} builds each; kiln build includes the link) and sizes"
    );
    println!(
        "{:>10} {:>10} {:>10} {:>10} {:>11} {:>10}",
        "kernel", "wasm KB", "kiln", "wasmtime", "kiln/wtime", "exe KB"
    );
    let mut g_compile = Vec::new();
    for b in built {
        let r = median_ratio(&b.kiln_compile, &b.wasmtime_compile);
        g_compile.extend(r);
        println!(
            "{:>10} {:>10} {:>10} {:>10} {:>11} {:>10}",
            b.kernel.name,
            b.wasm_size / 1000,
            secs(median(&b.kiln_compile)),
            secs(median(&b.wasmtime_compile)),
            ratio(r),
            b.exe_size / 1000
        );
    }
    println!(
        "{:>10} {:>10} {:>10} {:>10} {:>11}",
        "geomean",
        "",
        "",
        "",
        ratio(geomean(&g_compile))
    );
}

fn print_geomean(g_wt: &[f64], g_nat: &[f64], g_base: &[f64]) {
    println!(
        "{:>10} {:>8} {:>8} {:>8} {:>8} {:>11} {:>11} {:>10}",
        "geomean",
        "",
        "",
        "",
        "",
        ratio(geomean(g_wt)),
        ratio(geomean(g_nat)),
        ratio(geomean(g_base))
    );
}

fn median(v: &[Duration]) -> Option<f64> {
    let mut s: Vec<f64> = v.iter().map(Duration::as_secs_f64).collect();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied()
}

/// The median over rounds of `a[i] / b[i]`.
fn median_ratio(a: &[Duration], b: &[Duration]) -> Option<f64> {
    let mut r: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64().max(1e-6))
        .collect();
    r.sort_by(f64::total_cmp);
    r.get(r.len() / 2).copied()
}

fn geomean(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    Some((v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp())
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |s| format!("{s:.3}"))
}

fn ratio(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |r| format!("{r:.3}"))
}

/// Builds kernel `k` every way: wasm, kiln executable (and the baseline
/// kiln's), cwasm, native; the kiln executable and the cwasm `compiles`
/// times each, for their CPU times.
fn build(
    src: &Path,
    dir: &Path,
    k: &'static Kernel,
    wasmtime: Option<&Path>,
    baseline: Option<&Path>,
    compiles: usize,
) -> Result<Built, String> {
    let wasm = dir.join(format!("{}.wasm", k.name));
    let native = dir.join(format!("{}-native", k.name));
    match k.lang {
        Lang::Rust => {
            let file = src.join(format!("{}.rs", k.name));
            check(
                Command::new("rustc")
                    .args(["--edition", "2021", "-O", "--target", "wasm32-wasip1"])
                    .arg(&file)
                    .arg("-o")
                    .arg(&wasm),
                "rustc (wasm32-wasip1)",
            )?;
            check(
                Command::new("rustc")
                    .args(["--edition", "2021", "-O"])
                    .arg(&file)
                    .arg("-o")
                    .arg(&native),
                "rustc (native)",
            )?;
        }
        Lang::C => {
            let file = src.join(format!("{}.c", k.name));
            check(
                Command::new("clang")
                    .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2"])
                    .arg(&file)
                    .arg("-o")
                    .arg(&wasm),
                "clang (wasm32-wasi)",
            )?;
            let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
            check(
                Command::new(cc)
                    .arg("-O2")
                    .arg(&file)
                    .arg("-o")
                    .arg(&native),
                "cc (native)",
            )?;
        }
    }
    let kiln_build = |kiln: &Path, out: &Path, cache: &str| {
        check_timed(
            Command::new(kiln)
                .env("KILN_CACHE_DIR", dir.join(cache))
                .arg("build")
                .arg(&wasm)
                .arg("-o")
                .arg(out),
            "kiln build",
        )
    };
    let kiln = dir.join(format!("{}-kiln", k.name));
    let cwasm = wasmtime.map(|_| dir.join(format!("{}.cwasm", k.name)));
    let (mut kiln_compile, mut wasmtime_compile) = (Vec::new(), Vec::new());
    for i in 0..compiles.max(1) {
        let mut order = ["kiln", "wasmtime"];
        if i % 2 == 1 {
            order.reverse();
        }
        for who in order {
            match (who, wasmtime, &cwasm) {
                ("kiln", ..) => kiln_compile.push(kiln_build(
                    Path::new(env!("CARGO_BIN_EXE_kiln")),
                    &kiln,
                    "cache",
                )?),
                (_, Some(w), Some(out)) => wasmtime_compile.push(check_timed(
                    Command::new(w).arg("compile").arg(&wasm).arg("-o").arg(out),
                    "wasmtime compile",
                )?),
                _ => {}
            }
        }
    }
    let base = match baseline {
        Some(b) => {
            let out = dir.join(format!("{}-base", k.name));
            kiln_build(b, &out, "cache-base")?;
            Some(out)
        }
        None => None,
    };
    Ok(Built {
        kernel: k,
        wasm_size: std::fs::metadata(&wasm).map_or(0, |m| m.len()),
        exe_size: std::fs::metadata(&kiln).map_or(0, |m| m.len()),
        kiln_compile,
        wasmtime_compile,
        kiln,
        base,
        cwasm,
        native,
        stdout: None,
    })
}

/// Whether clang can build a wasm32-wasi C program here.
fn c_toolchain_works(dir: &Path) -> bool {
    let c = dir.join("probe.c");
    if std::fs::write(
        &c,
        "#include <stdio.h>\nint main(void){puts(\"ok\");return 0;}\n",
    )
    .is_err()
    {
        return false;
    }
    Command::new("clang")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2"])
        .arg(&c)
        .arg("-o")
        .arg(dir.join("probe.wasm"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// CPU time used by all waited-for children so far (user + system).
fn children_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is a valid, exclusively borrowed `rusage` buffer that
    // getrusage fills; no other reference to it exists during the call.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    if rc != 0 {
        return Duration::ZERO;
    }
    // SAFETY: getrusage succeeded, so it initialized the whole record (and
    // it was zeroed before anyway).
    let usage = unsafe { usage.assume_init() };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `cmd` to completion: its CPU time and stdout.
fn run_timed(cmd: &mut Command) -> Result<(Duration, Vec<u8>), String> {
    let before = children_cpu();
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    let cpu = children_cpu().saturating_sub(before);
    if !out.status.success() {
        return Err(format!("{:?} failed: {}", cmd.get_program(), out.status));
    }
    Ok((cpu, out.stdout))
}

/// [`check`], returning the command's CPU time.
fn check_timed(cmd: &mut Command, what: &str) -> Result<Duration, String> {
    let before = children_cpu();
    check(cmd, what)?;
    Ok(children_cpu().saturating_sub(before))
}
