//! `component-validate`: invalid components never compile (see
//! `kiln_fuzz::components`). Usage, from `fuzz/`:
//!
//! ```text
//! cargo run --release --bin component-validate -- [--seconds N] [--cases N]
//!     [--start N] [--case N] [--out DIR] [--seeds DIR]... [--verbose]
//! ```
//!
//! Defaults: seeds from `seeds/components` and `../tests/run/component`,
//! cases from 0 until interrupted, findings in `artifacts/component-validate`.
//! Exits 1 if Kiln accepted a component Wasmtime refuses, or panicked.

use kiln_fuzz::components::{self, Options, oracle};
use std::path::PathBuf;
use std::time::Duration;

fn main() {
    match run() {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

fn run() -> Result<i32, String> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut opts = Options {
        seeds: Vec::new(),
        start: 0,
        cases: None,
        time: None,
        out: here.join("artifacts/component-validate"),
        verbose: false,
    };
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>, flag: &str| -> Result<u64, String> {
        v.and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{flag} needs a number"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => opts.time = Some(Duration::from_secs(number(args.next(), &a)?)),
            "--cases" => opts.cases = Some(number(args.next(), &a)?),
            "--start" => opts.start = number(args.next(), &a)?,
            "--case" => {
                opts.start = number(args.next(), &a)?;
                opts.cases = Some(1);
                opts.verbose = true;
            }
            "--out" => opts.out = args.next().ok_or("--out needs a directory")?.into(),
            "--seeds" => opts
                .seeds
                .push(args.next().ok_or("--seeds needs a directory")?.into()),
            "--verbose" => opts.verbose = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if opts.seeds.is_empty() {
        opts.seeds = vec![
            here.join("seeds/components"),
            here.join("../tests/run/component"),
        ];
    }
    let exe = oracle::find_wasmtime().ok_or("no `wasmtime` on PATH (or set KILN_WASMTIME)")?;
    let scratch =
        std::env::temp_dir().join(format!("kiln-component-validate-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let wasmtime = oracle::Wasmtime::new(exe, scratch.clone());
    let version = wasmtime.version().map_err(|e| e.to_string())?;
    eprintln!("oracle: {version}");
    let seeds = components::load_seeds(&opts.seeds, &wasmtime);
    if seeds.is_empty() {
        return Err("no usable seed".into());
    }
    eprintln!("{} seeds", seeds.len());
    let summary = components::run(&opts, &seeds, &wasmtime).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&scratch);
    print!("{}", summary.report());
    Ok(if summary.bugs() > 0 { 1 } else { 0 })
}
