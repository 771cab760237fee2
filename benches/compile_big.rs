//! Compile benchmark on a large module (`cargo bench --bench compile_big`):
//! CPU time and peak RSS of `kiln build` against `wasmtime compile` on one
//! generated module of about 70 MB of code, in the same run.
//!
//! The module is written here, byte by byte (no other project's binary):
//! `KILN_BENCH_BIG_FUNCS` functions (default 23,000) of `(i32) -> i32`, each
//! a straight run of `KILN_BENCH_BIG_OPS` (default 182) groups of local
//! arithmetic, a load and an xor, every sixteenth group also calling the
//! previous function (so the call graph is a long chain, none of it
//! recursive). Real 70 MB modules (a language runtime with its standard
//! library) differ in shape, but the compiler's per-function work and its
//! memory for a whole module's code are what this measures.
//!
//! Peak RSS is each child's own (`wait4`'s `ru_maxrss`), CPU time user +
//! system. `--test` (as `cargo test --benches` passes) builds a 1 MB module
//! and only checks that both tools compile it.

#[path = "common/mod.rs"]
mod common;

use common::usage::measure;
use common::wasm::{section, sleb, uleb};
use std::path::Path;
use std::process::Command;

/// The module: `funcs` functions of `ops` groups each (see the module docs).
fn module(funcs: u32, ops: u32) -> Vec<u8> {
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    // One type, (i32) -> i32.
    section(&mut wasm, 1, &[1, 0x60, 1, 0x7f, 1, 0x7f]);
    let mut f = Vec::new();
    uleb(&mut f, funcs.into());
    f.extend(std::iter::repeat_n(0u8, funcs as usize));
    section(&mut wasm, 3, &f);
    section(&mut wasm, 5, &[1, 0, 1]);
    let mut e = vec![1, 4];
    e.extend_from_slice(b"main");
    e.push(0);
    uleb(&mut e, (funcs - 1).into());
    section(&mut wasm, 7, &e);
    let mut code = Vec::new();
    uleb(&mut code, funcs.into());
    let mut body = Vec::new();
    for func in 0..funcs {
        body.clear();
        body.extend_from_slice(&[1, 2, 0x7f]);
        for k in 0..ops {
            // local.get 0; i32.const; i32.add; local.tee 1;
            // i32.load offset=k; local.get 2; i32.xor; local.set 2
            body.extend_from_slice(&[0x20, 0, 0x41]);
            sleb(&mut body, i64::from((k * 7 + func) & 0xfff));
            body.extend_from_slice(&[0x6a, 0x22, 1, 0x28, 2]);
            uleb(&mut body, (k & 0xff).into());
            body.extend_from_slice(&[0x20, 2, 0x73, 0x21, 2]);
            if k % 16 == 0 && func > 0 {
                // local.get 2; call func-1; drop
                body.extend_from_slice(&[0x20, 2, 0x10]);
                uleb(&mut body, (func - 1).into());
                body.push(0x1a);
            }
        }
        body.extend_from_slice(&[0x20, 2, 0x0b]);
        uleb(&mut code, body.len() as u64);
        code.extend_from_slice(&body);
    }
    section(&mut wasm, 10, &code);
    wasm
}

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn run(dir: &Path, test: bool) -> Result<(), String> {
    let (funcs, ops) = if test {
        (400, 150)
    } else {
        (
            env_u32("KILN_BENCH_BIG_FUNCS", 23_000),
            env_u32("KILN_BENCH_BIG_OPS", 182),
        )
    };
    let wasm = dir.join("big.wasm");
    std::fs::write(&wasm, module(funcs.max(1), ops)).map_err(|e| e.to_string())?;
    let mb = std::fs::metadata(&wasm).map_err(|e| e.to_string())?.len() as f64 / 1e6;
    println!("module: {funcs} functions, {mb:.1} MB");
    let kiln = env!("CARGO_BIN_EXE_kiln");
    // A first build extracts the runtime into the cache: not counted.
    let warm = dir.join("warm.wasm");
    std::fs::write(&warm, module(2, 1)).map_err(|e| e.to_string())?;
    common::check(
        Command::new(kiln)
            .arg("build")
            .arg(&warm)
            .arg("-o")
            .arg(dir.join("warm")),
        "kiln build (warm-up)",
    )?;
    let kiln_use = measure(
        Command::new(kiln)
            .arg("build")
            .arg(&wasm)
            .arg("-o")
            .arg(dir.join("big")),
    )?;
    let (kiln_cpu, kiln_rss) = (kiln_use.cpu, kiln_use.peak_rss_kib);
    println!(
        "kiln build        {:>8.2} s CPU {:>8} KiB peak RSS",
        kiln_cpu.as_secs_f64(),
        kiln_rss
    );
    let Some(wasmtime) = common::wasmtime() else {
        println!("wasmtime not found: no comparison");
        return Ok(());
    };
    let w_use = measure(
        Command::new(&wasmtime)
            .arg("compile")
            .arg(&wasm)
            .arg("-o")
            .arg(dir.join("big.cwasm")),
    )?;
    let (w_cpu, w_rss) = (w_use.cpu, w_use.peak_rss_kib);
    println!(
        "wasmtime compile  {:>8.2} s CPU {:>8} KiB peak RSS",
        w_cpu.as_secs_f64(),
        w_rss
    );
    println!(
        "kiln / wasmtime   {:>8.2}x CPU {:>8.2}x peak RSS",
        kiln_cpu.as_secs_f64() / w_cpu.as_secs_f64().max(1e-9),
        kiln_rss as f64 / (w_rss.max(1)) as f64
    );
    Ok(())
}

fn main() {
    let test = std::env::args().any(|a| a == "--test");
    let dir = std::env::temp_dir().join(format!("kiln-bench-big-{}", std::process::id()));
    let result = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| run(&dir, test));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
