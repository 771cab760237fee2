//! Compile benchmark on pathological valid modules (`cargo bench --bench
//! compile_patho`): CPU time and peak RSS of `kiln build` against `wasmtime
//! compile` on each, in the same run. Whoever compiles untrusted wasm (a
//! build service, `kiln run` on a downloaded module) must not be stalled by
//! a small input: Kiln's goal is at most [`GOAL`] times Wasmtime's CPU and
//! peak RSS on every shape, and the bench exits with status 1 when a shape
//! misses it (CI runs it, see `.ci/run`).
//!
//! The shapes, written here byte by byte (no other project's binary), each
//! one function or many of type `(i32) -> i32`:
//! - `br_table`: one `br_table` of 2,000,000 targets (alternating between two
//!   labels): Cranelift gives every target an edge block and removes most,
//!   which cost Kiln time quadratic in the targets while it asked for the
//!   code's block layout on every function (`compiler/src/isa.rs`);
//! - `huge-function`: one function of 150,000 groups of local arithmetic;
//! - `many-locals`: 5,000 locals, all live around one loop;
//! - `deep-nesting`: 20,000 nested blocks left by one `br_table` to any
//!   depth, each followed by code;
//! - `many-functions`: 100,000 small functions;
//! - `many-loops`: one function of 5,000 loops in a row.
//!
//! `KILN_BENCH_PATHO_SCALE` (a percentage, default 100) scales every size.
//! `--test` (as `cargo test --benches` passes) builds each shape at 1% and
//! only checks that both tools compile it.

#[path = "common/mod.rs"]
mod common;

use common::usage::{Usage, measure};
use common::wasm::{section, sleb, uleb};
use std::path::Path;
use std::process::Command;

/// Kiln's CPU and peak RSS may be at most this multiple of Wasmtime's.
const GOAL: f64 = 2.0;

/// A module of functions of type `(i32) -> i32` with `bodies` (each with
/// its locals declaration), the last exported as `main`.
fn module(bodies: &[Vec<u8>]) -> Vec<u8> {
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    section(&mut wasm, 1, &[1, 0x60, 1, 0x7f, 1, 0x7f]);
    let mut funcs = Vec::new();
    uleb(&mut funcs, bodies.len() as u64);
    funcs.resize(funcs.len() + bodies.len(), 0);
    section(&mut wasm, 3, &funcs);
    let mut exports = vec![1, 4];
    exports.extend_from_slice(b"main");
    exports.push(0);
    uleb(&mut exports, bodies.len() as u64 - 1);
    section(&mut wasm, 7, &exports);
    let mut code = Vec::new();
    uleb(&mut code, bodies.len() as u64);
    for body in bodies {
        uleb(&mut code, body.len() as u64);
        code.extend_from_slice(body);
    }
    section(&mut wasm, 10, &code);
    wasm
}

/// `block; block; local.get 0; br_table 0 1 0 1 ... (n) 0; end; ...; end`.
fn br_table(n: u32) -> Vec<u8> {
    let mut body = vec![0, 0x02, 0x40, 0x02, 0x40, 0x20, 0, 0x0e];
    uleb(&mut body, n.into());
    body.extend((0..n).map(|i| (i % 2) as u8));
    body.extend_from_slice(&[0, 0x0b, 0x41, 1, 0x0f, 0x0b, 0x41, 2, 0x0b]);
    module(&[body])
}

/// One function of `n` groups `local.get 0; i32.const k; i32.add;
/// local.tee 1; local.get 2; i32.xor; local.set 2`.
fn huge_function(n: u32) -> Vec<u8> {
    let mut body = vec![1, 2, 0x7f];
    for k in 0..n {
        body.extend_from_slice(&[0x20, 0, 0x41]);
        sleb(&mut body, i64::from(k & 0x3f));
        body.extend_from_slice(&[0x6a, 0x22, 1, 0x20, 2, 0x73, 0x21, 2]);
    }
    body.extend_from_slice(&[0x20, 2, 0x0b]);
    module(&[body])
}

/// `n` locals, each updated in one loop counting local 0 down, then all
/// xored together: every one is live across the back edge.
fn many_locals(n: u32) -> Vec<u8> {
    let mut body = vec![1];
    uleb(&mut body, (n + 1).into());
    body.extend_from_slice(&[0x7f, 0x03, 0x40]);
    for k in 1..=n {
        body.push(0x20);
        uleb(&mut body, k.into());
        body.extend_from_slice(&[0x20, 0, 0x6a, 0x21]);
        uleb(&mut body, k.into());
    }
    body.extend_from_slice(&[0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b, 0x41, 0]);
    for k in 1..=n {
        body.push(0x20);
        uleb(&mut body, k.into());
        body.push(0x73);
    }
    body.push(0x0b);
    module(&[body])
}

/// `n` nested blocks, a `br_table` to each depth inside them all, and
/// `local.get 0; i32.const 1; i32.add; local.set 0` after each `end`.
fn deep_nesting(n: u32) -> Vec<u8> {
    let mut body = vec![0];
    for _ in 0..n {
        body.extend_from_slice(&[0x02, 0x40]);
    }
    body.extend_from_slice(&[0x20, 0, 0x0e]);
    uleb(&mut body, n.into());
    for depth in 0..n {
        uleb(&mut body, depth.into());
    }
    body.push(0);
    for _ in 0..n {
        body.extend_from_slice(&[0x0b, 0x20, 0, 0x41, 1, 0x6a, 0x21, 0]);
    }
    body.extend_from_slice(&[0x20, 0, 0x0b]);
    module(&[body])
}

/// `n` functions `local.get 0; i32.const 1; i32.add`.
fn many_functions(n: u32) -> Vec<u8> {
    let body = vec![0, 0x20, 0, 0x41, 1, 0x6a, 0x0b];
    module(&vec![body; n.max(1) as usize])
}

/// One function of `n` loops in a row, each counting local 1 up to local 0.
fn many_loops(n: u32) -> Vec<u8> {
    let mut body = vec![1, 1, 0x7f];
    for _ in 0..n {
        body.extend_from_slice(&[
            0x03, 0x40, 0x20, 1, 0x41, 1, 0x6a, 0x22, 1, 0x20, 0, 0x49, 0x0d, 0, 0x0b,
        ]);
    }
    body.extend_from_slice(&[0x20, 1, 0x0b]);
    module(&[body])
}

/// A shape: its name, its generator (size -> module) and its full size.
type Shape = (&'static str, fn(u32) -> Vec<u8>, u32);

const SHAPES: &[Shape] = &[
    ("br_table", br_table, 2_000_000),
    ("huge-function", huge_function, 150_000),
    ("many-locals", many_locals, 5_000),
    ("deep-nesting", deep_nesting, 20_000),
    ("many-functions", many_functions, 100_000),
    ("many-loops", many_loops, 5_000),
];

fn ratio(a: f64, b: f64) -> f64 {
    a / b.max(1e-9)
}

/// Builds `wasm` with both tools; Kiln's and Wasmtime's usage.
fn compare(
    dir: &Path,
    wasmtime: Option<&Path>,
    name: &str,
    wasm: &[u8],
) -> Result<(Usage, Option<Usage>), String> {
    let input = dir.join(format!("{name}.wasm"));
    std::fs::write(&input, wasm).map_err(|e| e.to_string())?;
    let kiln = measure(
        Command::new(env!("CARGO_BIN_EXE_kiln"))
            .arg("build")
            .arg(&input)
            .arg("-o")
            .arg(dir.join(name)),
    )?;
    let wasmtime = match wasmtime {
        Some(w) => Some(measure(
            Command::new(w)
                .arg("compile")
                .arg(&input)
                .arg("-o")
                .arg(dir.join(format!("{name}.cwasm"))),
        )?),
        None => None,
    };
    Ok((kiln, wasmtime))
}

fn run(dir: &Path, test: bool) -> Result<bool, String> {
    let scale: u64 = if test {
        1
    } else {
        std::env::var("KILN_BENCH_PATHO_SCALE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100)
    };
    // A first build extracts the runtime into the cache: not counted.
    common::check(
        Command::new(env!("CARGO_BIN_EXE_kiln"))
            .arg("build")
            .arg({
                let warm = dir.join("warm.wasm");
                std::fs::write(&warm, many_functions(1)).map_err(|e| e.to_string())?;
                warm
            })
            .arg("-o")
            .arg(dir.join("warm")),
        "kiln build (warm-up)",
    )?;
    println!(
        "{:<15} {:>9} {:>8} | {:>8} {:>8} {:>6} | {:>8} {:>8} {:>6}",
        "shape", "size", "MB", "kiln s", "wt s", "CPU", "kiln MiB", "wt MiB", "RSS"
    );
    let wasmtime = common::wasmtime();
    let mut met = true;
    for &(name, generate, full) in SHAPES {
        let size = u32::try_from((u64::from(full) * scale / 100).max(1)).unwrap_or(full);
        let wasm = generate(size);
        let (kiln, wasmtime) = compare(dir, wasmtime.as_deref(), name, &wasm)?;
        let mb = wasm.len() as f64 / 1e6;
        let mib = |u: &Usage| u.peak_rss_kib as f64 / 1024.0;
        match wasmtime {
            Some(w) => {
                let cpu = ratio(kiln.cpu.as_secs_f64(), w.cpu.as_secs_f64());
                let rss = ratio(mib(&kiln), mib(&w));
                let miss = !test && (cpu > GOAL || rss > GOAL);
                met &= !miss;
                println!(
                    "{name:<15} {size:>9} {mb:>8.2} | {:>8.2} {:>8.2} {cpu:>5.2}x | {:>8.0} {:>8.0} {rss:>5.2}x{}",
                    kiln.cpu.as_secs_f64(),
                    w.cpu.as_secs_f64(),
                    mib(&kiln),
                    mib(&w),
                    if miss { "  over the goal" } else { "" }
                );
            }
            None => println!(
                "{name:<15} {size:>9} {mb:>8.2} | {:>8.2} {:>8} {:>6} | {:>8.0}",
                kiln.cpu.as_secs_f64(),
                "-",
                "-",
                mib(&kiln)
            ),
        }
    }
    println!("goal: kiln at most {GOAL}x wasmtime's CPU and peak RSS on every shape");
    Ok(met)
}

fn main() {
    let test = std::env::args().any(|a| a == "--test");
    let dir = std::env::temp_dir().join(format!("kiln-bench-patho-{}", std::process::id()));
    let result = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| run(&dir, test));
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("error: a shape is over the goal");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
