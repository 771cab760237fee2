//! Kiln's VM: what every compiled wasm module needs at run time, whatever
//! host interface it uses.
//!
//! Phase: instantiation and execution of compiled modules. Inputs: the
//! `repr(C)` module descriptors the compiler emitted (`kiln_abi::descriptor`,
//! read in place through [`descriptor`]), and the state of the host
//! functions an instance's imports call ([`instance::HostState`], opaque
//! here). Outputs: live instances, calls into compiled code and their
//! results, and traps reported with Wasmtime's messages and exit statuses.
//!
//! Map:
//! - [`descriptor`]: safe views of the module descriptor;
//! - [`instance`]: the `VMContext` and everything it points to; [`memory`]
//!   (reserved linear memories, copy-on-write images, shared memories),
//!   [`table`], [`const_expr`] (global initialisers), [`ref_types`] and
//!   [`typeids`] (signature ids for `call_indirect` and imports),
//!   [`exceptions`] (tags, the unwinder);
//! - [`libcalls`]: the `__kiln_rt_*` functions compiled code calls (from
//!   `kiln_abi`'s one list), [`wait`] behind the atomic wait/notify ones;
//! - [`limits`]: `-W max-memory-size`, `max-wasm-stack`, `timeout`,
//!   `fuel` (the interrupt flag, the fuel counters, the timer);
//! - [`invoke`] and [`stack`]: calling exports from the host (the
//!   array-call convention, `--invoke` arguments and results) on a stack
//!   with a known limit;
//! - [`traps`]: signal handlers, catching traps as values, backtraces and
//!   Wasmtime-shaped reports; [`errors`] writes every report;
//! - [`guard`]: the panic guard (a leaf; no panic unwinds into compiled
//!   code).
//!
//! The crates above this one: the canonical ABI (`kiln-canon`), the WASI
//! facades, the program runner (`kiln-runner`: start-up, components) and
//! the archive crate `kiln-runtime`, which links them all, this crate
//! included, into every executable as one static archive; and, outside the
//! archive, the embedding API (`kiln-runtime-embed`).
//!
//! Invariants: the signal handler neither allocates nor locks; every layout
//! fact comes from `kiln_abi`.

pub mod const_expr;
pub mod descriptor;
pub mod errors;
pub mod exceptions;
pub mod guard;
pub mod instance;
pub mod invoke;
pub mod libcalls;
pub mod limits;
pub mod memory;
pub mod ref_types;
pub mod stack;
pub mod table;
pub mod traps;
pub mod typeids;
mod vmctx_alloc;
pub mod wait;

#[cfg(any(test, feature = "fixture"))]
pub mod fixture;
#[cfg(test)]
mod tests;
