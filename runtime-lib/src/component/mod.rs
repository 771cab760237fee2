//! Running a component: start-up ([`entry`]: the WASI 0.2 host, the core
//! instances, then `wasi:cli/run` or an invoked export), the choice of the
//! `run` export by Wasmtime's versioned name lookup ([`run_export`]) and
//! `--invoke`'s WAVE values ([`wave`]). The canonical ABI itself is the `kiln-canon`
//! crate.

pub mod entry;
pub mod run_export;
pub mod wave;
