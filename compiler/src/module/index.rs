//! Typed indices of a core module's index spaces, so that a function index
//! counted with the imports ([`FuncIndex`]) cannot be confused with one
//! counted among the defined functions only ([`DefinedFuncIndex`]), nor with
//! a type index ([`TypeIndex`]).
//!
//! Plain data (cranelift-entity has no code generator types). The `Debug`
//! form is the prefix and the number (`func7`, `type2`). Conversions
//! between the function index spaces go through [`super::ModuleInfo`]
//! (`defined_func_index`, `func_index`), which knows the import count.

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
