//! WASI 0.3 stream throughput (`cargo bench --bench p3_streams`): the same
//! guest run as a Kiln executable and under `wasmtime run`, side by side in
//! one run (Wasmtime on components precompiled with `wasmtime compile`).
//!
//! - `stdin -> stdout`: `tests/programs/p3/src/bin/p3_cat.rs` copies its
//!   stdin to its stdout through `stream<u8>`s, 64 KiB at a time; this
//!   bench feeds it N bytes through a pipe and drains its stdout.
//! - `file -> file`: `p3_fs_copy.rs` writes an N MiB file through a stream,
//!   copies it stream to stream into a second file and reads the copy back
//!   to compare (so the time covers three passes over N MiB; the figure
//!   reported is N divided by that time).
//!
//! Full run: 1 GiB through stdin and a 256 MiB file, best of 3; `--test`
//! (what `cargo test --benches` passes): 16 MiB and 8 MiB, once. Prints
//! MB/s of both engines and the ratio. Wasmtime is skipped (with a note)
//! when it is not installed. Not a timed test: it only reports.

#[path = "common/mod.rs"]
mod common;
use common::{check, wasmtime};

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let (stdin_bytes, file_mib, runs) = if quick {
        (16 << 20, 8, 1)
    } else {
        (1 << 30, 256, 3)
    };
    if let Err(e) = bench(stdin_bytes, file_mib, runs) {
        eprintln!("p3_streams bench: {e}");
        std::process::exit(1);
    }
}

fn bench(stdin_bytes: u64, file_mib: u64, runs: usize) -> Result<(), String> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("kiln-p3-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = bench_in(&repo, &dir, stdin_bytes, file_mib, runs);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn bench_in(
    repo: &Path,
    dir: &Path,
    stdin_bytes: u64,
    file_mib: u64,
    runs: usize,
) -> Result<(), String> {
    let wasm_dir = build_guests(repo, dir)?;
    let cat_wasm = wasm_dir.join("p3_cat.wasm");
    let copy_wasm = wasm_dir.join("p3_fs_copy.wasm");
    let cat_exe = dir.join("p3_cat");
    let copy_exe = dir.join("p3_fs_copy");
    let sandbox = dir.join("sandbox");
    std::fs::create_dir_all(&sandbox).map_err(|e| e.to_string())?;
    // Grants are baked in at build time: the copy's directory.
    let grant = format!("{}::/", sandbox.display());
    for (wasm, exe, grants) in [
        (&cat_wasm, &cat_exe, &[][..]),
        (&copy_wasm, &copy_exe, &["--dir", grant.as_str()][..]),
    ] {
        check(
            Command::new(env!("CARGO_BIN_EXE_kiln"))
                .env("KILN_CACHE_DIR", dir.join("cache"))
                .arg("build")
                .args(grants)
                .arg(wasm)
                .arg("-o")
                .arg(exe),
            "kiln build",
        )?;
    }
    // Wasmtime runs precompiled components, so that its compile time is
    // not counted.
    let cat_cwasm = dir.join("p3_cat.cwasm");
    let copy_cwasm = dir.join("p3_fs_copy.cwasm");
    let wasmtime_bin = wasmtime().unwrap_or_else(|| "wasmtime".into());
    let wasmtime = [(&cat_wasm, &cat_cwasm), (&copy_wasm, &copy_cwasm)]
        .iter()
        .all(|(wasm, cwasm)| {
            Command::new(&wasmtime_bin)
                .arg("compile")
                .arg(wasm)
                .arg("-o")
                .arg(cwasm)
                .output()
                .is_ok_and(|o| o.status.success())
        });

    let arg = file_mib.to_string();
    let mut kiln_cmds: Vec<(&str, Command)> = Vec::new();
    let mut cat = Command::new(&cat_exe);
    cat.env_remove("RUST_BACKTRACE");
    kiln_cmds.push(("stdin -> stdout", cat));
    let mut copy = Command::new(&copy_exe);
    copy.env_remove("RUST_BACKTRACE").arg(&arg);
    kiln_cmds.push(("file -> file", copy));

    println!(
        "WASI 0.3 streams: {} MiB stdin -> stdout, {file_mib} MiB file copy, best of {runs}",
        stdin_bytes >> 20
    );
    for (label, mut kiln) in kiln_cmds {
        let piped = label.starts_with("stdin");
        let bytes = if piped { stdin_bytes } else { file_mib << 20 };
        let k = best(runs, || time(&mut kiln, piped.then_some(stdin_bytes)))?;
        let k_mbs = bytes as f64 / 1e6 / k.as_secs_f64();
        print!(
            "  {label:<16} kiln {k_mbs:>8.0} MB/s ({:.3} s)",
            k.as_secs_f64()
        );
        if wasmtime {
            let mut w = Command::new(&wasmtime_bin);
            w.env_remove("RUST_BACKTRACE")
                .args(["run", "--allow-precompiled"]);
            if piped {
                w.arg(&cat_cwasm);
            } else {
                w.arg("--dir").arg(&grant).arg(&copy_wasm).arg(&arg);
            }
            let t = best(runs, || time(&mut w, piped.then_some(stdin_bytes)))?;
            let w_mbs = bytes as f64 / 1e6 / t.as_secs_f64();
            println!(
                "   wasmtime {w_mbs:>8.0} MB/s ({:.3} s)   kiln/wasmtime throughput {:.2}",
                t.as_secs_f64(),
                k_mbs / w_mbs
            );
        } else {
            println!("   (wasmtime not installed)");
        }
    }
    Ok(())
}

/// Builds the P3 test guests (`tests/programs/p3`) for `wasm32-wasip2`;
/// returns the directory of the `.wasm` files.
fn build_guests(repo: &Path, dir: &Path) -> Result<PathBuf, String> {
    let target_dir = dir.join("p3-target");
    check(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .arg("build")
            .arg("--manifest-path")
            .arg(repo.join("tests/programs/p3/Cargo.toml"))
            .args(["--release", "--target", "wasm32-wasip2", "--locked"])
            .args(["--bin", "p3_cat", "--bin", "p3_fs_copy"])
            .arg("--target-dir")
            .arg(&target_dir)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_MAKEFLAGS"),
        "cargo build of tests/programs/p3",
    )?;
    Ok(target_dir.join("wasm32-wasip2/release"))
}

fn best(runs: usize, mut f: impl FnMut() -> Result<Duration, String>) -> Result<Duration, String> {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        best = best.min(f()?);
    }
    Ok(best)
}

/// Wall time of one run of `cmd`; with `stdin`, feeds that many bytes
/// through a pipe and checks that as many come back on stdout.
fn time(cmd: &mut Command, stdin: Option<u64>) -> Result<Duration, String> {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("{cmd:?}: {e}"))?;
    let feeder = stdin.map(|n| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        std::thread::spawn(move || {
            let chunk = vec![b'k'; 1 << 16];
            let mut left = n;
            while left > 0 {
                let len = left.min(chunk.len() as u64) as usize;
                if pipe.write_all(&chunk[..len]).is_err() {
                    break;
                }
                left -= len as u64;
            }
        })
    });
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut buf = vec![0u8; 1 << 16];
    let mut got = 0u64;
    loop {
        match out.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got += n as u64,
            Err(e) => return Err(format!("reading stdout: {e}")),
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    if let Some(f) = feeder {
        let _ = f.join();
    }
    if !status.success() {
        return Err(format!("{cmd:?} exited with {status}"));
    }
    if let Some(n) = stdin
        && got != n
    {
        return Err(format!("{cmd:?}: {got} bytes out for {n} in"));
    }
    Ok(elapsed)
}
