//! Kiln's runtime archive: the crate built as the static library linked
//! into every executable Kiln produces (`libkiln_runtime.a`; also an rlib
//! for its own tests). It holds only what makes the archive an
//! executable's: the process entry `main`, the x86_64 musl start code, the
//! global allocator; the run itself is `kiln_runner`'s.
//!
//! Phase: process start-up. Inputs: the `repr(C)` program root
//! (`__kiln_program`, pointing at a module descriptor or a component
//! descriptor), the grants (`__kiln_grants`) and the runner
//! (`__kiln_program_runner`) the compiler emitted, read in place; the
//! process's arguments. Output: the exit status ([`process`]).
//!
//! The runtime is eleven crates, each depending only on those listed after
//! it, linked into this one static archive:
//!
//! ```text
//! kiln-runtime   (this crate, archive/) main, the start code, the allocator
//!   kiln-runner      start-up, grants, the CPU check, component start-up and serving, WAVE
//!     kiln-wasi        the table of every WASI component host function's entry; new_host
//!       kiln-wasi-http   wasi:http 0.2 and 0.3 facade
//!         kiln-http-serve  the HTTP server's processes, handoff, request gate
//!         kiln-wasi-p3     WASI 0.3 facade
//!           kiln-wasi-p2     WASI 0.2 facade: the host object, the entry kit
//!       kiln-canon       canonical ABI: component instantiation and state, lift/lower, handles
//!     kiln-wasi-p1     WASI P1 facade (the `__kiln_p1_*` exports), wasi-threads
//!       kiln-vm          instances, memories, tables, traps, libcalls, calls into wasm
//!       kiln-wasi-kernel   the WASI context; files, sockets, clocks, random, the one mio event loop
//! kiln-abi         the layouts and lists shared with the compiler (under all of them)
//! ```
//!
//! A Rust program that loads compiled objects itself (the spec harness,
//! the fuzzer) links `kiln-runtime-embed` instead, which has none of this
//! crate's process-wide parts.
//!
//! Invariants: no Rust panic ever unwinds through an `extern "C"` boundary
//! (`main` installs the panic hook of `kiln_vm::guard`, which turns every
//! panic into `Error: internal runtime error: ...` and exit status
//! `kiln_vm::guard::INTERNAL_ERROR_STATUS`); the signal handler neither
//! allocates nor locks.

pub mod alloc;
#[cfg(not(test))]
pub mod process;
mod start;
#[cfg(all(windows, not(test)))]
mod start_windows;

/// The executables' allocator.
#[global_allocator]
static ALLOC: alloc::CachingMalloc = alloc::CachingMalloc;

#[cfg(test)]
mod tests;
