//! The component front-end: WASI P2 and P3 component bytes -> [`ComponentPlan`],
//! plain data with no Cranelift types.
//!
//! Phase 1 (WHAT) for components. Input: component bytes and the
//! [`Config`]. Output: the core modules to compile (byte ranges of the
//! input, for the core pipeline), the core instances in instantiation
//! order with where each import comes from, the trampolines to generate
//! (lowered host imports, resource built-ins), the resource types, the
//! root's imports and its lifted exports, and every component type they
//! mention in the shared canonical-ABI type table of
//! `kiln_abi::component` (so layouts and flattening come from the code the
//! runtime uses).
//!
//! 1. `parse.rs`: wasmparser validates (component model + async flag + the
//!    core features Kiln compiles) and records one initializer list per
//!    component body, nested ones included; `rules/` adds the checks
//!    Wasmtime 49's validator makes that wasmparser 0.243 lacks.
//! 2. `inline/`: symbolic instantiation of the root with its imports
//!    bound to host paths, flattening nested components, aliases (outer
//!    ones included) and synthetic instances; `types.rs` converts types.
//! 3. `dump.rs`: [`ComponentPlan::dump`], the text the golden tests
//!    (`tests/all/component_plans.rs`) compare.
//! 4. Once the core modules are translated, still plain data: `resolve.rs`
//!    binds the trampolines and imported resources to the host list
//!    ([`HostApi`]), `linked.rs` finds the linked imports whose code the
//!    plan fixes.
//!
//! Code generation and the object are elsewhere: the trampolines' CLIF in
//! `crate::trampolines::component`, the descriptor in
//! `crate::obj::component`, the driver ([`compile_component`]) in
//! `crate::pipeline::component`. Nothing here imports Cranelift's code
//! generator.
//!
//! A `canon lower` of a function another component instance lifted is a
//! fused adapter: `adapter/` generates it as a core module, added to the
//! plan like the component's own (`ModulePlan::generated`).
//!
//! Rejected as [`CompileError::Unsupported`] naming the construct: adapters
//! of async functions or of streams and futures, module/component imports and
//! exports, values, start functions, re-exported imports, stackful async
//! (an async lift without `callback`), threading, error-context and GC
//! options; then async lowers of WASI 0.2 functions (`resolve.rs`). The P3
//! built-ins (`task.return`, `stream.read`, ...) become
//! `Trampoline::AsyncBuiltin`s.
//! Imports Kiln's WASI 0.2 host lacks are [`CompileError::UnsupportedImport`]
//! from `resolve.rs`.
//!
//! [`compile_component`]: crate::compile_component

mod adapter;
mod dump;
mod inline;
pub(crate) mod linked;
mod parse;
pub mod plan;
pub(crate) mod resolve;
mod rules;
pub(crate) mod run_export;
pub mod types;

#[cfg(test)]
mod tests;

pub use dump::{func_type as display_func_type, val_type as display_val_type};
pub use plan::ComponentPlan;
pub use resolve::HostApi;

use crate::{CompileError, Config};

/// Validates component `wasm` and flattens it into a [`ComponentPlan`].
pub fn plan(wasm: &[u8], config: &Config) -> Result<ComponentPlan, CompileError> {
    let parsed = parse::parse(wasm, config)?;
    inline::inline(&parsed)
}
