//! Kiln's canonical ABI on the runtime side: instantiating a component's
//! core instances in plan order, the state of its component instances
//! (flags, handle tables) and the value machinery host functions use to
//! read their parameters from a calling component instance and to hand
//! results back to it (lifting and lowering). Compiled lowered-import
//! trampolines (the contract of `kiln_abi::component::canon`) and resource
//! built-ins ([`builtins`]) call into it.
//!
//! Depends on the VM (`kiln_vm`: core instances, calls into wasm, traps);
//! knows no WASI interface: a host plugs in through the [`Host`] trait, and
//! the WASI facades call [`call_host`] with their functions.
//!
//! Phase: run time, inside a host call made by a lowered import. Inputs: the
//! caller's flat `u64` slots, its linear memory as a (base, length) view, its
//! `realloc`, its string encoding, and its component instance's flags and
//! handle table. Outputs: lifted Rust values, lowered results (slot 0 or the
//! caller's return pointer), or a [`Trap`] worded as Wasmtime words it.
//!
//! Map (one concept per file):
//! - [`trap`]: the [`Trap`] values and their Wasmtime messages.
//! - [`memory`]: [`GuestMemory`] (a raw view of a linear memory), the
//!   [`Realloc`] abstraction, and the contexts [`LiftCx`]/[`LowerCx`] that
//!   carry memory, encoding and instance state through a lift or a lower.
//! - [`value`]: the traits [`ComponentType`] (`FLAT`, `SIZE32`, `ALIGN32`,
//!   and the equivalent `kiln_abi::component` type), [`Lift`] and [`Lower`],
//!   the flat-slot cursors, and the scalar implementations (bool, integers,
//!   floats with NaN canonicalization, validated char).
//! - [`string`]: `String` and the borrowed [`GuestStr`] in the three
//!   encodings, with `CanonicalABI.md`'s `store_string` allocation pattern.
//! - [`list`]: `Vec<T>`, the borrowed [`GuestBytes`] and the host's
//!   [`HostBytes`].
//! - [`compound`]: `Option`, `Result`, tuples, and the helpers the macros
//!   use for records and variants.
//! - [`macros`]: `wit_record!`, `wit_variant!`, `wit_enum!`, `wit_flags!`.
//! - [`handles`]: per-instance handle tables, `own`/`borrow` lifting and
//!   lowering, `resource.new/rep/drop`, call scopes with borrow counting,
//!   host resources ([`HostResources`] slab) and the typed [`Own`] and
//!   [`Borrow`].
//! - [`call`]: [`InstanceState`] (flags and handles of one component
//!   instance), [`InstanceAccess`] (how lowering reaches it between
//!   `realloc` calls) and [`call_host`], which runs one host function under
//!   the flattening rules (parameters from slots or memory, results into
//!   slot 0 or at the return pointer with `may_leave` cleared).
//! - [`program`]: safe views of the compiler's `__kiln_component`
//!   descriptor; [`instances`]: building every core instance in plan order,
//!   binding trampolines and filling the canonical options;
//!   [`builtins`]: `resource.new/rep/drop` called from compiled code.
//! - [`p3`]: component-model async: tasks, waitable sets, subtasks,
//!   streams and futures, the P3 built-ins and the callback loop that
//!   drives an async export on the host's event loop.
//! - [`runtime`]: [`ComponentRuntime`], the one owner of the running
//!   component's state (core instances, instance states, the [`Host`]),
//!   and the re-entrancy rule (host -> wasm -> host) that every borrow of
//!   that state follows.
//!
//! Invariants: every guest-controlled pointer, length, discriminant, handle
//! and code unit is checked before use and a violation is an `Err(Trap)`,
//! never a panic; `realloc` is called exactly in the order the spec's
//! `store` does it, and the memory view is refreshed after every call
//! (`realloc` may grow the memory).

pub mod adapter;
pub mod builtins;
pub mod call;
pub mod compound;
pub mod handles;
pub mod instances;
pub mod list;
pub mod macros;
pub mod memory;
pub mod p3;
pub mod program;
pub mod runtime;
pub mod string;
pub mod transcode;
pub mod trap;
pub mod value;

#[cfg(any(test, feature = "fixture"))]
pub mod fixture;
#[cfg(test)]
mod tests;

pub use call::{HostCall, InstanceAccess, InstanceState, call_host, call_host_async};
pub use handles::{Borrow, HandleEntry, HandleTable, HostResources, Own, Resource, ResourceType};
/// The shared canonical-ABI facts, re-exported for the `wit_*!` macros.
#[doc(hidden)]
pub use kiln_abi::component as abi;
pub use list::{GuestBytes, HostBytes};
pub use memory::{GuestMemory, LiftCx, LowerCx, Realloc};
pub use runtime::{ComponentRuntime, Host};
pub use string::GuestStr;
pub use trap::Trap;
pub use value::{ComponentType, FlatSink, FlatSource, Lift, Lower};
