//! Canonical ABI facts shared by the compiler's component front-end and the
//! runtime's component host: component value types, their memory
//! layout and flattening, canonical options, the lowered-import calling
//! contract, and interface-name matching. Written once, from component-model
//! `design/mvp/CanonicalABI.md` (the Python definitions are quoted by name in
//! each item's docs) and Wasmtime's name matching.
//!
//! Phase: none (shared definitions; additive to the module ABI, no
//! `ABI_VERSION` change). Inputs: type tables and names. Outputs: layouts,
//! core signatures, `repr(C)` records.
//!
//! Map (one concept per file):
//! - [`types`]: the static encoding ([`TypeRecord`], [`TypeChild`], a name
//!   pool, [`TypeTableDesc`]) and the borrowed view ([`TypeTable`],
//!   [`Type`], [`Children`]). Children always have smaller indices than their
//!   parents (post-order), checked by [`TypeTable::validate`].
//! - [`builder`]: [`TypeTableBuilder`] (compiler side; uses `alloc`).
//! - [`layout`]: `alignment`, `elem_size`, record field offsets, variant
//!   layout (discriminant size by case count, payload offset), flags, for
//!   32- and 64-bit memories ([`PtrType`]); the spec's type predicates
//!   (`contains_borrow`, `contains_async_value`, list/string).
//! - [`flatten`]: `flatten_type`, `join`, `flatten_functype` with
//!   `MAX_FLAT_PARAMS`/`MAX_FLAT_RESULTS`/`MAX_FLAT_ASYNC_PARAMS`, and which
//!   side uses a return pointer or parameter memory ([`CoreSig`]).
//! - [`canon`]: string encodings and limits, handle-table limits, instance
//!   flags, [`CanonOpts`], the lowered-import trampoline contract
//!   ([`LoweredHostFn`], `u64` slots) and P3 codes.
//! - [`builtins`]: the P3 (component-model async) built-ins: names,
//!   runtime symbols, core signatures, copy status packing.
//! - [`transcode`]: the string transcoders fused adapters call
//!   ([`transcode::Transcode`]: operations, operands, results).
//! - [`names`]: `ns:pkg/iface@version` parsing, Wasmtime's alternate lookup
//!   key, [`lookup`] of the best registered version, [`canonical_key`].
//!
//! Typical use, on either side:
//! ```
//! use kiln_abi::component::*;
//! let mut b = TypeTableBuilder::new();
//! let u8_ = b.add(TypeDef::U8).unwrap();
//! let s = b.add(TypeDef::String).unwrap();
//! let list = b.add(TypeDef::List(u8_)).unwrap();
//! let res = b.add(TypeDef::Result { ok: Some(list), err: Some(s) }).unwrap();
//! let t = b.table();
//! assert_eq!((t.elem_size(res, PtrType::I32), t.alignment(res, PtrType::I32)), (12, 4));
//! let sig = t.flatten_functype(
//!     FuncSig { params: &[s], results: &[res] },
//!     FlattenOpts::default(),
//!     AbiContext::Lower,
//! );
//! // (ptr, len, retptr) -> ()
//! assert_eq!(sig.params.len(), 3);
//! assert!(sig.results_in_memory && sig.results.is_empty());
//! ```

pub mod builder;
pub mod builtins;
pub mod canon;
pub mod flatten;
pub mod layout;
pub mod names;
pub mod program;
pub mod transcode;
pub mod typehash;
pub mod types;

#[cfg(test)]
mod tests;

pub use builder::{TypeDef, TypeTableBuilder};
pub use builtins::{AsyncBuiltin, CANON_OPT_CANCELLABLE};
pub use canon::{
    CANON_OPT_ASYNC, CANON_OPT_ASYNC_TYPE, CANON_OPT_CORE_VALUES, CANON_OPT_MEMORY64, CanonOpts,
    CoreItemRef, HANDLE_INDEX_RESERVED, HANDLE_TABLE_MAX_LENGTH, INSTANCE_FLAG_MAY_ENTER,
    INSTANCE_FLAG_MAY_LEAVE, INSTANCE_FLAG_NEEDS_POST_RETURN, LOWERED_SLOT_SIZE, LoweredHostFn,
    MAX_LIST_BYTE_LENGTH, MAX_STRING_BYTE_LENGTH, REALLOC_I32_MAX, StringEncoding, UTF16_TAG,
    lowered_slots_count, lowered_slots_len,
};
pub use flatten::{
    AbiContext, CoreSig, FLAT_CAPACITY, FlatTypes, FlattenOpts, FuncSig, MAX_FLAT_ASYNC_PARAMS,
    MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, join,
};
pub use layout::{
    Cases, FieldOffsets, Fields, PtrType, VariantLayout, align_to, discriminant_size,
    flags_alignment, flags_num_i32, flags_size,
};
pub use names::{InterfaceName, NameError, Version, alternate_lookup_key, canonical_key, lookup};
pub use types::{
    Child, Children, NO_TYPE, Type, TypeChild, TypeError, TypeIndex, TypeKind, TypeRecord,
    TypeTable, TypeTableDesc,
};
