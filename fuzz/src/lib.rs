//! Kiln's fuzzing library: the oracles behind the cargo-fuzz targets in
//! `fuzz_targets/`, kept in a library so that they are ordinary, testable
//! Rust (`cargo test` in this directory runs them on fixed inputs).
//!
//! - [`smith`]: wasm-smith configurations derived from the compiler's
//!   `SUPPORTED_FEATURES` (so new proposals are fuzzed as soon as they are
//!   switched on there).
//! - [`compile_check`]: target `compile`: any bytes into
//!   `kiln_compiler::compile_module` never panic; a module valid with
//!   Kiln's features compiles; a module valid only with more features is
//!   refused as `Unsupported`.
//! - [`differential`]: target `differential`: wasm-smith modules run by Kiln
//!   (in-process, through `kiln_runtime_embed`) and by the `wasmi`
//!   interpreter give the same results, traps and final state.
//!
//! - [`components`]: program `component-validate`: mutated components
//!   that Wasmtime 49 refuses are refused by Kiln's compiler too.
//!
//! Invariant: every libFuzzer oracle panics (with a description of the mismatch) on a
//! finding and returns normally otherwise; libFuzzer reports the panic.

pub mod compile_check;
pub mod components;
pub mod differential;
pub mod smith;

/// Environment variable: when set, each target writes the module it is
/// about to test to this path (to turn a crash input into a `.wasm`/`.wat`
/// regression test: run the fuzz binary on the crash file with it set).
pub const DUMP_ENV: &str = "KILN_FUZZ_DUMP";

/// Writes `wasm` to `$KILN_FUZZ_DUMP` when set.
pub fn dump_module(wasm: &[u8]) {
    if let Some(path) = std::env::var_os(DUMP_ENV)
        && let Err(e) = std::fs::write(&path, wasm)
    {
        eprintln!("{DUMP_ENV}: writing {}: {e}", path.to_string_lossy());
    }
}

/// A module for a panic message: its size and, up to a few KB, its text.
pub fn describe_module(wasm: &[u8]) -> String {
    const MAX_TEXT: usize = 6_000;
    let text = match wasmprinter::print_bytes(wasm) {
        Ok(text) if text.len() <= MAX_TEXT => text,
        Ok(text) => format!(
            "({} bytes of text; set {DUMP_ENV} to get the module)",
            text.len()
        ),
        Err(e) => format!("(not printable: {e})"),
    };
    format!("module ({} bytes):\n{text}", wasm.len())
}
