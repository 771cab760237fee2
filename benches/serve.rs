//! HTTP server benchmark (`cargo bench --bench serve`): requests per second
//! and p50/p99 latency of the WASI 0.2 proxy `tests/programs/http/examples/
//! proxy.rs` (route `/`: a short text answer, one fresh instance per
//! request) and of the WASI 0.3 service `tests/programs/p3/src/bin/
//! p3_http_service.rs` (route `/`: the same, answered by an async task),
//! each served by a `kiln build --addr` executable and by `wasmtime serve
//! -S cli`, in the same run, with `wrk` (Debian's `wrk` package) at 1 and
//! 64 connections on loopback. Needs `wrk`, `wasmtime` and the
//! `wasm32-wasip2` Rust target; says which is missing otherwise. Not a
//! timed test: it only reports.
//!
//! Windows: when this `kiln` builds for `x86_64-pc-windows-gnu` and Wine
//! and Wasmtime 49 for Windows (`wasmtime.exe`, `scripts/fetch-wasmtime-
//! windows`; `KILN_WASMTIME_EXE` names another) are here, the same proxy
//! is also served by Kiln's Windows executable and by `wasmtime.exe
//! serve`, both under Wine (the prefix `scripts/windows-test-env` makes),
//! and measured alike.

#[path = "common/mod.rs"]
mod common;
use common::{check, wasmtime};

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let secs = if quick { 1 } else { 8 };
    if let Err(e) = bench(secs) {
        eprintln!("serve bench: {e}");
        std::process::exit(1);
    }
}

/// A server killed when dropped.
struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `cmd` (which prints wasmtime's banner) and returns it with its
/// `HOST:PORT`.
fn start(cmd: &mut Command) -> Result<Server, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let err = child.stderr.take().ok_or("no stderr")?;
    let mut lines = BufReader::new(err).lines();
    let addr = loop {
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(a) = l.strip_prefix("Serving HTTP on http://") {
                    break a.trim_end_matches('/').to_string();
                }
            }
            _ => {
                let _ = child.kill();
                return Err(format!("{cmd:?} printed no banner"));
            }
        }
    };
    // Keep draining stderr (guest output is not expected).
    std::thread::spawn(move || for _ in lines {});
    Ok(Server(child, addr))
}

/// One `wrk` run: (requests/s, p50, p99) as `wrk` prints them.
fn wrk(addr: &str, conns: u32, secs: u32) -> Result<(String, String, String), String> {
    let threads = conns.min(2);
    let out = Command::new("wrk")
        .args([
            &format!("-t{threads}"),
            &format!("-c{conns}"),
            &format!("-d{secs}s"),
            "--latency",
            &format!("http://{addr}/"),
        ])
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if text.contains("Non-2xx") || text.contains("Socket errors") {
        return Err(format!("wrk saw failed requests:\n{text}"));
    }
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| "?".to_string())
    };
    Ok((field("Requests/sec:"), field("50%"), field("99%")))
}

fn bench(secs: u32) -> Result<(), String> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let have = |p: &str| {
        Command::new(p)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if !have("wrk") {
        println!("serve bench: skipped (no `wrk`: apt-get install wrk)");
        return Ok(());
    }
    let Some(wasmtime) = wasmtime() else {
        println!("serve bench: skipped (no wasmtime)");
        return Ok(());
    };
    let dir = std::env::temp_dir().join(format!("kiln-serve-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = bench_in(&repo, &dir, &wasmtime, secs);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Builds `what` (`--example proxy`, `--bin p3_http_service`) of the Cargo
/// project `tests/programs/<project>` for `wasm32-wasip2`; its component.
fn build_guest(repo: &Path, dir: &Path, project: &str, what: [&str; 2]) -> Result<PathBuf, String> {
    let target = dir.join(format!("target-{project}"));
    check(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .arg("build")
            .arg("--manifest-path")
            .arg(repo.join(format!("tests/programs/{project}/Cargo.toml")))
            .args(["--release", "--target", "wasm32-wasip2", "--locked"])
            .args(what)
            .arg("--target-dir")
            .arg(&target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS"),
        &format!("cargo build of {}", what[1]),
    )?;
    let sub = if what[0] == "--example" {
        "examples/"
    } else {
        ""
    };
    Ok(target.join(format!("wasm32-wasip2/release/{sub}{}.wasm", what[1])))
}

fn bench_in(repo: &Path, dir: &Path, wasmtime: &Path, secs: u32) -> Result<(), String> {
    let proxy = build_guest(repo, dir, "http", ["--example", "proxy"])?;
    let service = build_guest(repo, dir, "p3", ["--bin", "p3_http_service"])?;
    println!("`/`, {secs} s per run, wrk on loopback (same machine, same run)");
    println!(
        "{:<22} {:>6} {:>12} {:>10} {:>10}",
        "server", "conns", "requests/s", "p50", "p99"
    );
    for (what, wasm) in [("0.2 proxy", &proxy), ("0.3 service", &service)] {
        bench_one(dir, wasmtime, secs, what, wasm)?;
    }
    bench_windows(repo, dir, secs, &proxy)
}

/// What the Windows rows need: a `kiln` with the `triple` runtime, Wine's
/// test prefix and `wasmtime.exe` (whose path this returns); else why not.
fn windows_setup(triple: &str, prefix: &Path) -> Result<PathBuf, String> {
    let targets = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .arg("targets")
        .output()
        .map_err(|e| e.to_string())?;
    if !String::from_utf8_lossy(&targets.stdout).contains(triple) {
        return Err(format!("this kiln has no {triple} runtime"));
    }
    let dll = prefix.join("drive_c/windows/system32/bcryptprimitives.dll");
    if !dll.is_file() {
        return Err("no Wine prefix (scripts/windows-test-env true)".to_string());
    }
    wasmtime_exe().ok_or_else(|| "no wasmtime.exe (scripts/fetch-wasmtime-windows)".to_string())
}

/// Wasmtime 49 for Windows: `KILN_WASMTIME_EXE`, else where `.ci/run`
/// puts it (`scripts/fetch-wasmtime-windows`), if the file is there.
fn wasmtime_exe() -> Option<PathBuf> {
    let path = match std::env::var_os("KILN_WASMTIME_EXE") {
        Some(p) => PathBuf::from(p),
        None => std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?
            .join("kiln-ci-tools/windows/wasmtime.exe"),
    };
    path.is_file().then_some(path)
}

/// The Windows rows: `wasm` served by Kiln's `.exe` and by `wasmtime.exe
/// serve`, both under Wine (see the module docs); skipped with a line
/// saying why when something is missing.
fn bench_windows(repo: &Path, dir: &Path, secs: u32, wasm: &Path) -> Result<(), String> {
    const TRIPLE: &str = "x86_64-pc-windows-gnu";
    let prefix = repo.join("target/wine");
    let wasmtime_exe = match windows_setup(TRIPLE, &prefix) {
        Ok(exe) => exe,
        Err(why) => {
            println!("windows rows: skipped ({why})");
            return Ok(());
        }
    };
    let exe = dir.join("proxy-server.exe");
    check(
        Command::new(env!("CARGO_BIN_EXE_kiln"))
            .env("KILN_CACHE_DIR", dir.join("cache"))
            .arg("build")
            .args(["--target", TRIPLE])
            .arg(wasm)
            .args(["--addr", "127.0.0.1:0", "-o"])
            .arg(&exe),
        "kiln build --target x86_64-pc-windows-gnu --addr",
    )?;
    let wine = |program: &Path| {
        let mut cmd = Command::new("wine");
        cmd.arg(program)
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all");
        cmd
    };
    let kiln = start(&mut wine(&exe))?;
    let wt = start(
        wine(&wasmtime_exe)
            .args(["serve", "-S", "cli", "--addr", "127.0.0.1:0"])
            .arg(wasm),
    )?;
    for conns in [1, 64] {
        for (name, s) in [("kiln.exe", &kiln), ("wasmtime.exe", &wt)] {
            let (rps, p50, p99) = wrk(&s.1, conns, secs)?;
            let name = format!("0.2 proxy {name}");
            println!("{name:<22} {conns:>6} {rps:>12} {p50:>10} {p99:>10}  (Wine)");
        }
    }
    Ok(())
}

/// Serves `wasm` with Kiln and Wasmtime and prints a row per server and
/// connection count.
fn bench_one(
    dir: &Path,
    wasmtime: &Path,
    secs: u32,
    what: &str,
    wasm: &Path,
) -> Result<(), String> {
    let exe = dir.join(format!("{}-server", what.replace(['.', ' '], "-")));
    check(
        Command::new(env!("CARGO_BIN_EXE_kiln"))
            .env("KILN_CACHE_DIR", dir.join("cache"))
            .arg("build")
            .arg(wasm)
            .args(["--addr", "127.0.0.1:0", "-o"])
            .arg(&exe),
        "kiln build --addr",
    )?;
    let kiln = start(&mut Command::new(&exe))?;
    let wt = start(
        Command::new(wasmtime)
            .args(["serve", "-S", "cli", "--addr", "127.0.0.1:0"])
            .arg(wasm),
    )?;
    for conns in [1, 64] {
        for (name, s) in [("kiln", &kiln), ("wasmtime", &wt)] {
            let (rps, p50, p99) = wrk(&s.1, conns, secs)?;
            let name = format!("{what} {name}");
            println!("{name:<22} {conns:>6} {rps:>12} {p50:>10} {p99:>10}");
        }
    }
    Ok(())
}
