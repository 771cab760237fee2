//! Kiln's program runner: everything between the process entry and the
//! exit status, for a core module, a component or an HTTP server. Linked
//! into every executable through the archive crate `kiln-runtime` (whose
//! `main` calls [`entry::run`]), and into in-process hosts through
//! `kiln-runtime-embed` (which needs only the symbols compiled code refers
//! to).
//!
//! Phase: process start-up and execution of the compiled guest.
//! Inputs: the `repr(C)` program root (a module descriptor or a component
//! descriptor) and grants the compiler emitted (`kiln_abi::descriptor`,
//! `kiln_abi::component::program`, `kiln_abi::grants`), read in place;
//! the process's arguments and environment. Outputs: the guest's
//! behaviour, with Wasmtime's messages and exit statuses for errors and
//! traps.
//!
//! Flow ([`entry`]): grants ([`grants`]) -> WASI context
//! (`kiln_wasi_kernel::WasiCtx`; a module's P1 host is `kiln_wasi_p1`) ->
//! instance (`kiln_vm::instance`: `VMContext`, memories, tables, globals,
//! function references, segments) -> start function -> `_start` or the
//! invoked export (`kiln_vm::invoke`). A component instead continues in
//! [`component::entry`]: its core instances in plan order
//! (`kiln_canon::instances`), then `wasi:cli/run` or the WAVE `--invoke`,
//! with the WASI 0.2 host of `kiln_wasi::p2`. Compiled code calls back into
//! `kiln_vm::libcalls` and the WASI facades; traps arrive as signals
//! (`kiln_vm::traps`).
//!
//! Invariants: the runners run under the panic guard the caller installed
//! (`kiln_vm::guard`); nothing here defines process-wide items (`main`,
//! the global allocator), so an in-process host can link this crate.

pub mod component;
pub mod cpu;
pub mod entry;
pub mod grants;

#[cfg(test)]
mod tests;
