//! Kiln's runtime: the static library linked into every executable Kiln
//! produces. (Being written; see ARCHITECTURE.md.)
//!
//! Owns process entry, instance setup from the `repr(C)` module descriptor
//! (`kiln_abi::descriptor`), memories, tables, globals, libcalls, traps, and
//! the WASI host ([`wasi`]).

pub mod wasi;
