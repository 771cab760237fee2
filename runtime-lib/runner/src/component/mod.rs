//! Running a component: start-up ([`entry`]: the WASI 0.2 host, the core
//! instances, then the `wasi:cli/run` export the compiler chose, or an
//! invoked export) and `--invoke`'s WAVE values ([`wave`]). The canonical ABI itself is the `kiln-canon`
//! crate.

pub mod entry;
#[cfg(feature = "serve")]
pub mod serve;
pub mod wave;
