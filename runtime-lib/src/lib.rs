//! Kiln's runtime: the static library linked into every executable Kiln
//! produces (also built as an rlib for its own tests).
//!
//! Phase: process start-up and execution of the compiled guest.
//! Inputs: the `repr(C)` program root (`__kiln_program`, pointing at a
//! module descriptor or a component descriptor) and grants
//! (`__kiln_grants`) the compiler emitted (`kiln_abi::descriptor`,
//! `kiln_abi::component::program`, `kiln_abi::grants`), read in place; the process's arguments and
//! environment. Outputs: the guest's behaviour, with Wasmtime's messages and
//! exit statuses for errors and traps.
//!
//! Flow ([`entry`]): grants ([`grants`]) -> WASI context ([`wasi`]) ->
//! instance ([`instance`]: `VMContext`, [`memory`], [`table`], globals,
//! function references, segments) -> start function -> `_start` or the
//! invoked export ([`invoke`]). A component instead continues in
//! [`component::entry`]: its core instances in plan order, then
//! `wasi:cli/run` or the WAVE `--invoke`, with the WASI 0.2 host in
//! `wasi::p2`. Compiled code calls back into [`libcalls`]; traps arrive as
//! signals ([`traps`]).
//!
//! Embedding ([`embed`], with the feature `embedding` leaving out `main` and
//! the linked-in descriptors): a Rust program loads compiled objects
//! itself, links instances together and calls them; traps come back as
//! values instead of ending the process.
//!
//! Invariants: no Rust panic ever unwinds through an `extern "C"` boundary
//! (a panic hook turns every panic into `Error: internal runtime error: ...`
//! and exit status `kiln_vm::guard::INTERNAL_ERROR_STATUS`); the signal handler
//! neither allocates nor locks.

pub mod component;
pub mod embed;
pub mod entry;
pub mod grants;

#[cfg(test)]
mod tests;
