//! Kiln's runtime: the static library linked into every executable Kiln
//! produces (also built as an rlib for its own tests).
//!
//! Phase: process start-up and execution of the compiled guest.
//! Inputs: the `repr(C)` program root (`__kiln_program`, pointing at a
//! module descriptor or a component descriptor) and grants
//! (`__kiln_grants`) the compiler emitted (`kiln_abi::descriptor`,
//! `kiln_abi::component::program`, `kiln_abi::grants`), read in place;
//! the process's arguments and environment. Outputs: the guest's behaviour, with Wasmtime's messages and
//! exit statuses for errors and traps.
//!
//! The runtime is five crates, each depending only on those listed after
//! it, linked into this one static archive:
//!
//! ```text
//! kiln-runtime   (this crate) start-up, grants, component start-up, WAVE, embedding
//!   kiln-wasi        WASI P1 and WASI 0.2 facades, wasi-threads
//!     kiln-canon       canonical ABI: component instantiation and state, lift/lower, handles
//!       kiln-vm          instances, memories, tables, traps, libcalls, calls into wasm
//!     kiln-wasi-kernel   files, sockets, clocks, random, the one mio event loop
//! kiln-abi         the layouts and lists shared with the compiler (under all of them)
//! ```
//!
//! Flow ([`entry`]): grants ([`grants`]) -> WASI context (`kiln_wasi`) ->
//! instance (`kiln_vm::instance`: `VMContext`, memories, tables, globals,
//! function references, segments) -> start function -> `_start` or the
//! invoked export (`kiln_vm::invoke`). A component instead continues in
//! [`component::entry`]: its core instances in plan order
//! (`kiln_canon::instances`), then `wasi:cli/run` or the WAVE `--invoke`,
//! with the WASI 0.2 host of `kiln_wasi::p2`. Compiled code calls back into
//! `kiln_vm::libcalls` and the WASI facades; traps arrive as signals
//! (`kiln_vm::traps`).
//!
//! Embedding ([`embed`], with the feature `embedding` leaving out `main` and
//! the linked-in descriptors): a Rust program loads compiled objects
//! itself, links instances together and calls them; traps come back as
//! values instead of ending the process.
//!
//! Invariants: no Rust panic ever unwinds through an `extern "C"` boundary
//! (a panic hook turns every panic into `Error: internal runtime error: ...`
//! and exit status `kiln_vm::guard::INTERNAL_ERROR_STATUS`); the signal
//! handler neither allocates nor locks.

pub mod alloc;
pub mod component;
pub mod cpu;
pub mod embed;
pub mod entry;
pub mod grants;
mod start;

/// The executables' allocator; an embedding program keeps its own.
#[cfg(not(feature = "embedding"))]
#[global_allocator]
static ALLOC: alloc::CachingMalloc = alloc::CachingMalloc;

#[cfg(test)]
mod tests;
