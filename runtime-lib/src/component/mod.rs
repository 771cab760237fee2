//! Running a component: start-up ([`entry`]: the WASI 0.2 host, the core
//! instances, then `wasi:cli/run` or an invoked export) and `--invoke`'s
//! WAVE values ([`wave`]). The canonical ABI itself is the `kiln-canon`
//! crate, re-exported here.

pub mod entry;
pub mod wave;

pub use kiln_canon::*;
