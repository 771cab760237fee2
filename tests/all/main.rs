//! Kiln's integration tests: one test binary (to save link time) with a
//! libtest-mimic trial per case, so `cargo test --test all -- FILTER` works
//! as usual.
//!
//! Areas:
//! - [`run_cases`]: `tests/run/**/*.wat` compile-and-run cases with
//!   `;; kiln-test:` directives (see `tests/run/README.md`; one parser for
//!   them and for the programs' directives: [`directives`]), compared
//!   with Wasmtime's outputs recorded next to them ([`wasmtime_record`]);
//! - [`programs`]: guest programs from `tests/programs/` (Rust, C, WAT,
//!   WASI 0.3, compositions through [`compose`], JavaScript through [`js`],
//!   Python through [`py`]), built to wasm at test time, plus the large
//!   module `tests/programs/big/` ([`big`]); the host side of their sandbox
//!   race is [`symlink_race`], the HTTP server their `wasi:http` clients
//!   talk to [`http_server`];
//! - [`cli_errors`]: the CLI's error messages and exit codes;
//! - [`serve`]: HTTP servers (`kiln build --addr`, `kiln serve`) of a
//!   `wasi:http` proxy, driven by a small HTTP client;
//! - [`cross`]: static linking (the default) and `--dynamic`, and a slice of
//!   the run cases and programs built for every other architecture and run
//!   under qemu-user;
//! - [`cpu_features`]: the start-up CPU check and the second code tier
//!   under emulated CPUs;
//! - [`place`]: placement into a cached runtime image behaves as lld's link;
//! - [`valgrind`]: outputs under memcheck and callgrind;
//! - [`native_names`]: wasm function names for `nm`, `gdb` and callgrind;
//! - [`trap_details`]: source lines in trap backtraces from the wasm's
//!   DWARF (`WASMTIME_BACKTRACE_DETAILS=1`) against Wasmtime's;
//! - [`limits`]: a 100k-instruction function and a 50k-function module
//!   compile within a memory budget and run;
//! - [`spec`]: the official spec testsuite, one trial per `.wast` file, run
//!   in-process by `kiln-test-harness`; its totals are printed last;
//! - [`disas`]: CLIF snapshots of `tests/disas/**/*.wat`, one trial per file
//!   (`BLESS=1` rewrites the expectations), and every run case translated;
//! - [`component_plans`]: golden plans of the component front-end over
//!   `tests/component-plans/` (`BLESS=1` rewrites them);
//! - [`adapter_diff`]: fused adapters on random types and values against
//!   `wasmtime run`;
//! - [`adapter_frames`]: the fused-adapter frames that comparisons of
//!   stderr with Wasmtime's leave aside, and checks of that;
//! - [`repo`]: checks on the source tree itself (no symlink out of it);
//! - [`size`]: a Rust hello world's executable stays under 1 MB.
//!
//! Every trial is made with [`timing::trial`], and the run ends with the
//! 25 slowest trials and their times.
//!
//! `spec`, `disas` and `component_plans` call the compiler's library in
//! process; every other case drives the real `kiln` binary
//! (`CARGO_BIN_EXE_kiln`).

mod adapter_diff;
mod adapter_frames;
mod big;
mod cli_errors;
mod component_plans;
mod compose;
mod cpu_features;
mod cross;
mod directives;
mod disas;
mod http_server;
mod js;
mod limits;
mod native_names;
mod objects;
mod place;
mod programs;
mod py;
mod repo;
mod run_cases;
mod serve;
mod size;
mod spec;
mod symlink_race;
mod timing;
mod trap_details;
mod util;
mod valgrind;
mod wasi_wit;
mod wasmtime_record;
mod windows;
mod windows_console;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let mut trials = Vec::new();
    trials.extend(run_cases::trials());
    trials.extend(objects::trials());
    trials.extend(programs::trials());
    trials.extend(symlink_race::trials());
    trials.extend(cli_errors::trials());
    trials.extend(serve::trials());
    trials.extend(cross::trials());
    trials.extend(cpu_features::trials());
    trials.extend(valgrind::trials());
    trials.extend(native_names::trials());
    trials.extend(trap_details::trials());
    trials.extend(limits::trials());
    trials.extend(spec::trials());
    trials.extend(disas::trials());
    trials.extend(component_plans::trials());
    trials.extend(adapter_diff::trials());
    trials.extend(adapter_frames::trials());
    trials.extend(repo::trials());
    trials.extend(size::trials());
    trials.extend(place::trials());
    trials.extend(wasi_wit::trials());
    let conclusion = libtest_mimic::run(&args, trials);
    timing::report();
    if let Some(summary) = spec::summary() {
        println!("\n{summary}");
    }
    conclusion.exit();
}
