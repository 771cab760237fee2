//! Typed indices of a core module's index spaces, so that an index counted
//! with the imports ([`FuncIndex`], [`MemoryIndex`], ...) cannot be confused
//! with one counted among the module's own definitions only
//! ([`DefinedFuncIndex`], [`DefinedMemoryIndex`], ...), nor with an index of
//! another space.
//!
//! Plain data (cranelift-entity has no code generator types). `Display` and
//! `Debug` print the prefix and the number (`func7`, `type2`): symbols and
//! descriptors take the bare number, [`as_u32`](FuncIndex::as_u32).
//! Conversions between the full and the defined index spaces go through
//! [`super::ModuleInfo`] (`defined_func_index`, `func_index`,
//! `defined_memory_index`, ...), which knows the import counts.

use cranelift_entity::entity_impl;

/// A function, counted with the imported functions first (the index wasm
/// instructions, exports and element segments use).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncIndex(u32);
entity_impl!(FuncIndex, "func");

/// A defined function, counted from the first function with a body:
/// function `num_imported_funcs + i` is defined function `i`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefinedFuncIndex(u32);
entity_impl!(DefinedFuncIndex, "defined_func");

/// A function type of the module (its type section).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeIndex(u32);
entity_impl!(TypeIndex, "type");

/// A linear memory, counted with the imported memories first.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemoryIndex(u32);
entity_impl!(MemoryIndex, "memory");

/// A memory the module defines, counted from the first defined one (the
/// index of its `VMMemoryDefinition` in the `VMContext`).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefinedMemoryIndex(u32);
entity_impl!(DefinedMemoryIndex, "defined_memory");

/// A table, counted with the imported tables first.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableIndex(u32);
entity_impl!(TableIndex, "table");

/// A table the module defines, counted from the first defined one.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefinedTableIndex(u32);
entity_impl!(DefinedTableIndex, "defined_table");

/// A global, counted with the imported globals first.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GlobalIndex(u32);
entity_impl!(GlobalIndex, "global");

/// A global the module defines, counted from the first defined one.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefinedGlobalIndex(u32);
entity_impl!(DefinedGlobalIndex, "defined_global");

/// An exception tag, counted with the imported tags first.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagIndex(u32);
entity_impl!(TagIndex, "tag");
