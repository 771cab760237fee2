//! Start-up benchmark (`cargo bench --bench startup`): process start to exit
//! of a hello world built three ways:
//! - with Kiln (`kiln build examples/hello.wat`);
//! - natively from the equivalent C program with the system C compiler;
//! - as a precompiled module for `wasmtime run --allow-precompiled`
//!   (`wasmtime compile`), when wasmtime is installed;
//!
//! and of the WASI 0.2 component hello world
//! (`examples/hello-component.wat`) with Kiln and precompiled for wasmtime.
//!
//! Prints the median and mean wall time of each, the ratios, and the size of
//! the Kiln executable. Then the footprint goals (docs/benchmarks.md) for a
//! Rust hello world (`println!`), built with rustc for `wasm32-wasip1` and run by
//! Kiln, against the same source built natively and statically
//! (`x86_64-unknown-linux-musl`): instructions from start to exit
//! (callgrind, when valgrind is installed), peak RSS (`wait4`) and
//! executable size. Not a timed test: it only reports.

#[path = "common/mod.rs"]
mod common;
use common::{check, wasmtime};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const C_HELLO: &str =
    "#include <stdio.h>\nint main(void){fputs(\"Hello, world!\\n\", stdout);return 0;}\n";

fn main() {
    // `cargo test --benches` runs this with `--test`-like arguments; do the
    // quick version then.
    let quick = std::env::args().any(|a| a == "--test");
    let runs = if quick { 3 } else { 300 };
    if let Err(e) = bench(runs) {
        eprintln!("startup bench: {e}");
        std::process::exit(1);
    }
}

fn bench(runs: usize) -> Result<(), String> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("kiln-startup-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = bench_in(&repo, &dir, runs);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn bench_in(repo: &Path, dir: &Path, runs: usize) -> Result<(), String> {
    let hello_wat = repo.join("examples/hello.wat");
    let kiln_exe = dir.join("hello-kiln");
    check(
        Command::new(env!("CARGO_BIN_EXE_kiln"))
            .env("KILN_CACHE_DIR", dir.join("cache"))
            .arg("build")
            .arg(&hello_wat)
            .arg("-o")
            .arg(&kiln_exe),
        "kiln build",
    )?;

    let c_src = dir.join("hello.c");
    std::fs::write(&c_src, C_HELLO).map_err(|e| e.to_string())?;
    let native_exe = dir.join("hello-native");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    check(
        Command::new(&cc)
            .arg("-O2")
            .arg(&c_src)
            .arg("-o")
            .arg(&native_exe),
        "cc",
    )?;

    println!("start-up time of a hello world, {runs} runs each (stdout to /dev/null)");
    let kiln = measure(&mut Command::new(&kiln_exe), runs)?;
    report("kiln", &kiln);
    let native = measure(&mut Command::new(&native_exe), runs)?;
    report("native C", &native);
    println!(
        "ratio kiln / native: {:.2}x (median)",
        ratio(kiln.median, native.median)
    );

    match wasmtime() {
        Some(wasmtime) => {
            let wasm = dir.join("hello.wasm");
            let text = std::fs::read(&hello_wat).map_err(|e| e.to_string())?;
            // `wasmtime compile` accepts text too, but keep the input binary.
            std::fs::write(&wasm, &text).map_err(|e| e.to_string())?;
            let cwasm = dir.join("hello.cwasm");
            check(
                Command::new(&wasmtime)
                    .arg("compile")
                    .arg(&wasm)
                    .arg("-o")
                    .arg(&cwasm),
                "wasmtime compile",
            )?;
            let wt = measure(
                Command::new(&wasmtime)
                    .arg("run")
                    .arg("--allow-precompiled")
                    .arg(&cwasm),
                runs,
            )?;
            report("wasmtime (precompiled)", &wt);
            println!(
                "ratio wasmtime / kiln: {:.2}x (median)",
                ratio(wt.median, kiln.median)
            );
        }
        None => println!("wasmtime: not installed, skipped"),
    }

    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    println!(
        "binary size: kiln {} bytes, native {} bytes",
        size(&kiln_exe),
        size(&native_exe)
    );
    bench_component(repo, dir, runs)?;
    bench_rust_hello(dir)
}

const RUST_HELLO: &str = "fn main() { println!(\"Hello, world!\"); }\n";

/// Instructions, peak RSS and size of a Rust hello world: Kiln against the
/// native static build of the same source.
fn bench_rust_hello(dir: &Path) -> Result<(), String> {
    let src = dir.join("hello.rs");
    std::fs::write(&src, RUST_HELLO).map_err(|e| e.to_string())?;
    let wasm = dir.join("hello-rs.wasm");
    let native = dir.join("hello-rs-native");
    let rustc = |target: &str, out: &Path| {
        Command::new("rustc")
            .args(["-O", "--edition", "2021", "--target", target])
            .arg(&src)
            .arg("-o")
            .arg(out)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !rustc("wasm32-wasip1", &wasm) || !rustc("x86_64-unknown-linux-musl", &native) {
        println!(
            "Rust hello world: rustc targets wasm32-wasip1 or x86_64-unknown-linux-musl missing, skipped"
        );
        return Ok(());
    }
    let exe = dir.join("hello-rs-kiln");
    check(
        Command::new(env!("CARGO_BIN_EXE_kiln"))
            .env("KILN_CACHE_DIR", dir.join("cache"))
            .arg("build")
            .arg(&wasm)
            .arg("-o")
            .arg(&exe),
        "kiln build (Rust hello)",
    )?;
    println!("Rust hello world (println!), Kiln vs native static (musl):");
    match (instructions(&exe), instructions(&native)) {
        (Some(k), Some(n)) => println!(
            "  instructions: kiln {k}, native {n}, ratio {:.2}x (goal <= 1.2x)",
            k as f64 / n as f64
        ),
        _ => println!("  instructions: valgrind not installed, skipped"),
    }
    let (k, n) = (peak_rss_kib(&exe)?, peak_rss_kib(&native)?);
    println!("  peak RSS: kiln {k} KiB, native {n} KiB (goal <= 1536 KiB)");
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    println!(
        "  size: kiln {} bytes, native {} bytes (goal <= 600 KB)",
        size(&exe),
        size(&native)
    );
    Ok(())
}

/// Instructions executed from start to exit (callgrind's `Collected`).
fn instructions(exe: &Path) -> Option<u64> {
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(exe)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
}

/// Peak resident set of one run, in KiB: the program's `VmHWM`, read while
/// it is stopped at its exit under ptrace. (`wait4`'s `ru_maxrss` would
/// count the pages of the forking parent, which exec carries over.)
fn peak_rss_kib(exe: &Path) -> Result<u64, String> {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(exe);
    cmd.stdout(Stdio::null());
    // SAFETY: `ptrace(PTRACE_TRACEME)` is async-signal-safe and touches no
    // memory of the parent; the child stops at its `exec`.
    unsafe {
        cmd.pre_exec(|| {
            if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().map_err(|e| e.to_string())?;
    let pid = i32::try_from(child.id()).map_err(|e| e.to_string())?;
    let wait = |what: &str| -> Result<i32, String> {
        let mut status = 0;
        // SAFETY: our traced child; valid out-pointer.
        if unsafe { libc::waitpid(pid, &mut status, 0) } != pid {
            return Err(format!(
                "waitpid ({what}): {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(status)
    };
    // Stopped at exec: ask for a stop at exit, then let it run.
    wait("exec")?;
    // SAFETY: ptrace requests on our stopped tracee.
    unsafe {
        libc::ptrace(libc::PTRACE_SETOPTIONS, pid, 0, libc::PTRACE_O_TRACEEXIT);
        libc::ptrace(libc::PTRACE_CONT, pid, 0, 0);
    }
    let mut peak = None;
    loop {
        let status = wait("run")?;
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            break;
        }
        if status >> 8 == (libc::SIGTRAP | (libc::PTRACE_EVENT_EXIT << 8)) {
            let text = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .map_err(|e| e.to_string())?;
            peak = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
        }
        // Pass on any other signal the tracee stopped with.
        let sig = if libc::WIFSTOPPED(status) && libc::WSTOPSIG(status) != libc::SIGTRAP {
            libc::WSTOPSIG(status)
        } else {
            0
        };
        // SAFETY: as above.
        unsafe { libc::ptrace(libc::PTRACE_CONT, pid, 0, sig) };
    }
    peak.ok_or_else(|| format!("no VmHWM for {}", exe.display()))
}

/// The component hello world: Kiln against precompiled wasmtime.
fn bench_component(repo: &Path, dir: &Path, runs: usize) -> Result<(), String> {
    let wat = repo.join("examples/hello-component.wat");
    let exe = dir.join("hello-component-kiln");
    check(
        Command::new(env!("CARGO_BIN_EXE_kiln"))
            .env("KILN_CACHE_DIR", dir.join("cache"))
            .arg("build")
            .arg(&wat)
            .arg("-o")
            .arg(&exe),
        "kiln build (component)",
    )?;
    println!("start-up time of a WASI 0.2 component hello world, {runs} runs each");
    let kiln = measure(&mut Command::new(&exe), runs)?;
    report("kiln (component)", &kiln);
    if let Some(wasmtime) = wasmtime() {
        let cwasm = dir.join("hello-component.cwasm");
        check(
            Command::new(&wasmtime)
                .arg("compile")
                .arg(&wat)
                .arg("-o")
                .arg(&cwasm),
            "wasmtime compile (component)",
        )?;
        let wt = measure(
            Command::new(&wasmtime)
                .arg("run")
                .arg("--allow-precompiled")
                .arg(&cwasm),
            runs,
        )?;
        report("wasmtime (component)", &wt);
        println!(
            "ratio wasmtime / kiln (component): {:.2}x (median)",
            ratio(wt.median, kiln.median)
        );
    }
    let size = std::fs::metadata(&exe).map(|m| m.len()).unwrap_or(0);
    println!("binary size: kiln component {size} bytes");
    Ok(())
}

struct Stats {
    median: Duration,
    mean: Duration,
    min: Duration,
}

fn measure(cmd: &mut Command, runs: usize) -> Result<Stats, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Warm the page cache and the dynamic loader's caches.
    for _ in 0..3 {
        cmd.status().map_err(|e| e.to_string())?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let status = cmd.status().map_err(|e| e.to_string())?;
        times.push(start.elapsed());
        if !status.success() {
            return Err(format!("{:?} failed: {status}", cmd.get_program()));
        }
    }
    times.sort();
    let total: Duration = times.iter().sum();
    Ok(Stats {
        median: times[times.len() / 2],
        mean: total / times.len() as u32,
        min: times[0],
    })
}

fn report(name: &str, s: &Stats) {
    println!(
        "{name:>24}: median {:>8.1} us, mean {:>8.1} us, min {:>8.1} us",
        micros(s.median),
        micros(s.mean),
        micros(s.min)
    );
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
