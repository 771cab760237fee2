//! The component front-end: WASI P2 component bytes -> [`ComponentPlan`],
//! plain data with no Cranelift types (issue 4, step 1; see
//! `shared/design/components.md` §2).
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
//!    component body, nested ones included.
//! 2. `inline.rs`: symbolic instantiation of the root with its imports
//!    bound to host paths, flattening nested components, aliases (outer
//!    ones included) and synthetic instances; `types.rs` converts types.
//! 3. `dump.rs`: [`ComponentPlan::dump`], the text the golden tests
//!    (`compiler/tests/component_plans.rs`) compare.
//!
//! 4. [`emit`] (phase 3, the back end): the plan -> ONE relocatable object
//!    ([`compile_component`]): every core module through the core pipeline
//!    under its own symbol prefix, the trampolines, the `CanonOpts` records
//!    and the `__kiln_component` descriptor. Unlike steps 1-3 it uses
//!    Cranelift (the trampolines' CLIF) and `crate::obj`.
//!
//! Rejected as [`CompileError::Unsupported`] naming the construct: fused
//! adapters (lowering a lifted function), module/component imports and
//! exports, values, start functions, re-exported imports, async built-ins,
//! stackful async, threading, error-context and GC options (and, in
//! [`emit`], async lifts and lowers). Imports Kiln's WASI 0.2 host lacks
//! are [`CompileError::UnsupportedImport`] from [`emit`].

mod dump;
pub mod emit;
mod inline;
mod parse;
pub mod plan;
pub mod types;

#[cfg(test)]
mod tests;

pub use dump::{func_type as display_func_type, val_type as display_val_type};
pub use emit::{compile_component, compile_component_timed};
pub use plan::ComponentPlan;

use crate::{CompileError, Config};

/// Validates component `wasm` and flattens it into a [`ComponentPlan`].
pub fn plan(wasm: &[u8], config: &Config) -> Result<ComponentPlan, CompileError> {
    let parsed = parse::parse(wasm, config)?;
    inline::inline(&parsed)
}
