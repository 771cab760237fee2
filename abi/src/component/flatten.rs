//! Canonical ABI flattening (component-model `CanonicalABI.md` §Flattening):
//! `flatten_type`, `join` of variant payloads, and `flatten_functype`, which
//! decides the core signature of a lifted or lowered function and therefore
//! where parameters and results travel (core values or linear memory).
//!
//! Core types are [`crate::ValType`] (`I32`, `I64`, `F32`, `F64` only).
//! Flattening never allocates: [`FlatTypes`] holds at most
//! [`FLAT_CAPACITY`] types, enough for any signature `flatten_functype` can
//! produce (16 parameters plus a return pointer), and counts the rest, since
//! past the limits only the count matters (the values go through memory).
//!
//! Who does what with a function type `ft` (sync; async in brackets):
//! - `canon lower` (a core caller calls a component function, e.g. a WASI
//!   import; `AbiContext::Lower`): more than [`MAX_FLAT_PARAMS`] flat params
//!   [async: [`MAX_FLAT_ASYNC_PARAMS`]] → the caller passes one pointer to the
//!   parameter tuple in its memory. More than [`MAX_FLAT_RESULTS`] flat
//!   results [async: any] → the caller appends a return pointer as the last
//!   core parameter and the callee stores the result tuple there (the host
//!   checks its alignment and bounds); the core function returns nothing
//!   [async: an `i32` status].
//! - `canon lift` (a component function implemented by core code, e.g. `run`;
//!   `AbiContext::Lift`): more than 16 flat params → the caller allocates
//!   the parameter tuple with `realloc` and passes one pointer. More than 1
//!   flat result → the core function returns one pointer to the result tuple
//!   in its memory [async: results go through `task.return`; the core
//!   function returns an `i32` callback code with `callback`, else nothing].

use super::layout::PtrType;
use super::types::{Type, TypeIndex, TypeTable};
use crate::ValType;

/// Most flat parameters passed as core values (sync, and async lift).
pub const MAX_FLAT_PARAMS: usize = 16;
/// Most flat parameters an async-lowered call passes as core values.
pub const MAX_FLAT_ASYNC_PARAMS: usize = 4;
/// Most flat results returned as core values.
pub const MAX_FLAT_RESULTS: usize = 1;
/// Capacity of [`FlatTypes`]: the longest core parameter list,
/// `MAX_FLAT_PARAMS` values plus a return pointer.
pub const FLAT_CAPACITY: usize = MAX_FLAT_PARAMS + 1;

/// A list of core types with a bounded prefix and an exact total count.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FlatTypes {
    types: [ValType; FLAT_CAPACITY],
    len: u8,
    total: u64,
}

impl Default for FlatTypes {
    fn default() -> Self {
        FlatTypes::new()
    }
}

impl FlatTypes {
    /// An empty list.
    pub const fn new() -> FlatTypes {
        FlatTypes {
            types: [ValType::I32; FLAT_CAPACITY],
            len: 0,
            total: 0,
        }
    }

    /// A list holding exactly `types` (at most [`FLAT_CAPACITY`] are kept).
    pub fn from_slice(types: &[ValType]) -> FlatTypes {
        let mut f = FlatTypes::new();
        for t in types {
            f.push(*t);
        }
        f
    }

    /// Appends `t` (only counted once the capacity is reached).
    pub fn push(&mut self, t: ValType) {
        if (self.len as usize) < FLAT_CAPACITY {
            self.types[self.len as usize] = t;
            self.len += 1;
        }
        self.total = self.total.saturating_add(1);
    }

    /// The stored prefix: all types when `!self.is_truncated()`.
    pub fn as_slice(&self) -> &[ValType] {
        &self.types[..self.len as usize]
    }

    /// Number of flat types, including those past the capacity.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Whether types past [`FLAT_CAPACITY`] were dropped (only counted).
    pub fn is_truncated(&self) -> bool {
        self.total > self.len as u64
    }

    fn is_full(&self) -> bool {
        self.len as usize == FLAT_CAPACITY
    }

    fn clear(&mut self) {
        self.len = 0;
        self.total = 0;
    }

    fn add_uncounted(&mut self, n: u64) {
        self.total = self.total.saturating_add(n);
    }
}

/// `join(a, b)`: the core type that can carry both (`i32`+`f32` → `i32`,
/// otherwise different types → `i64`).
pub const fn join(a: ValType, b: ValType) -> ValType {
    match (a, b) {
        (ValType::I32, ValType::I32) => ValType::I32,
        (ValType::I64, ValType::I64) => ValType::I64,
        (ValType::F32, ValType::F32) => ValType::F32,
        (ValType::F64, ValType::F64) => ValType::F64,
        (ValType::I32, ValType::F32) | (ValType::F32, ValType::I32) => ValType::I32,
        _ => ValType::I64,
    }
}

/// Which `canon` definition a core signature is for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AbiContext {
    /// `canon lift`: core code implements the component function.
    Lift,
    /// `canon lower`: core code calls the component function.
    Lower,
}

/// The canonical options `flatten_functype` looks at.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct FlattenOpts {
    /// Address type of the `memory` option (I32 when absent).
    pub ptr: PtrType,
    /// The `async` option.
    pub async_: bool,
    /// Whether a `callback` option is present (async lift).
    pub callback: bool,
}

/// The core signature of a lifted or lowered function, with where its values
/// travel.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CoreSig {
    /// Core parameter types (including an appended return pointer).
    pub params: FlatTypes,
    /// Core result types.
    pub results: FlatTypes,
    /// The parameters travel as one tuple in linear memory; `params[0]` is
    /// its address (lower: in the caller's memory; lift: allocated by the
    /// caller with the callee's `realloc`).
    pub params_in_memory: bool,
    /// The results travel as one tuple in linear memory: lower (sync and
    /// async) appends a return pointer as the last of `params`; sync lift
    /// returns the address as `results[0]`. False when the results are
    /// delivered otherwise (flat, or through `task.return` for async lifts).
    pub results_in_memory: bool,
    /// Number of flat parameter values before the memory fallback.
    pub flat_params: u64,
    /// Number of flat result values before the memory fallback.
    pub flat_results: u64,
}

/// A component function type: parameter and result types. The current spec
/// allows at most one result; several (the earlier named results) are
/// treated as a tuple, as the earlier spec did.
#[derive(Copy, Clone, Debug)]
pub struct FuncSig<'s> {
    /// Parameter types in order.
    pub params: &'s [TypeIndex],
    /// Result types in order.
    pub results: &'s [TypeIndex],
}

impl TypeTable<'_> {
    /// `flatten_type(t, opts)`, appended to `out`.
    pub fn flatten_type(&self, t: TypeIndex, ptr: PtrType, out: &mut FlatTypes) {
        let Some(ty) = self.get(t) else { return };
        match ty {
            Type::Bool
            | Type::S8
            | Type::U8
            | Type::S16
            | Type::U16
            | Type::S32
            | Type::U32
            | Type::Char
            | Type::ErrorContext
            | Type::Own(_)
            | Type::Borrow(_)
            | Type::Stream(_)
            | Type::Future(_) => out.push(ValType::I32),
            Type::S64 | Type::U64 => out.push(ValType::I64),
            Type::F32 => out.push(ValType::F32),
            Type::F64 => out.push(ValType::F64),
            Type::String | Type::List(_) => {
                out.push(ptr.val_type());
                out.push(ptr.val_type());
            }
            Type::FixedList(e, n) => {
                for i in 0..n {
                    if out.is_full() {
                        // The rest only counts: flatten one element for its
                        // count instead of walking possibly huge lengths.
                        let mut one = FlatTypes::new();
                        self.flatten_type(e, ptr, &mut one);
                        out.add_uncounted(one.len().saturating_mul(u64::from(n - i)));
                        break;
                    }
                    self.flatten_type(e, ptr, out);
                }
            }
            Type::Record(c) | Type::Tuple(c) => {
                for f in c.iter().filter_map(|c| c.ty) {
                    self.flatten_type(f, ptr, out);
                }
            }
            Type::Flags(c) => {
                for _ in 0..super::layout::flags_num_i32(c.len() as u32) {
                    out.push(ValType::I32);
                }
            }
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
                self.flatten_variant(t, ptr, out)
            }
        }
    }

    /// `flatten_variant`: the discriminant (`i32`) followed by the
    /// position-wise [`join`] of every case's flattened payload.
    fn flatten_variant(&self, t: TypeIndex, ptr: PtrType, out: &mut FlatTypes) {
        let Some(cases) = self.cases(t) else { return };
        let mut joined = FlatTypes::new();
        let mut case = FlatTypes::new();
        for i in 0..cases.len() {
            let Some(p) = cases.payload(i) else { continue };
            case.clear();
            self.flatten_type(p, ptr, &mut case);
            for (j, ft) in case.as_slice().iter().enumerate() {
                if j < joined.len as usize {
                    joined.types[j] = join(joined.types[j], *ft);
                } else {
                    joined.push(*ft);
                }
            }
            if case.total > joined.total {
                joined.total = case.total;
            }
        }
        out.push(ValType::I32);
        for ft in joined.as_slice() {
            out.push(*ft);
        }
        out.add_uncounted(joined.total - joined.len as u64);
    }

    /// `flatten_types(ts)`.
    pub fn flatten_types(&self, ts: &[TypeIndex], ptr: PtrType) -> FlatTypes {
        let mut out = FlatTypes::new();
        for t in ts {
            self.flatten_type(*t, ptr, &mut out);
        }
        out
    }

    /// `flatten_functype(opts, ft, context)`.
    pub fn flatten_functype(&self, ft: FuncSig<'_>, opts: FlattenOpts, cx: AbiContext) -> CoreSig {
        let flat_params = self.flatten_types(ft.params, opts.ptr);
        let flat_results = self.flatten_types(ft.results, opts.ptr);
        let ptr_only = FlatTypes::from_slice(&[opts.ptr.val_type()]);
        let i32_only = FlatTypes::from_slice(&[ValType::I32]);
        let mut sig = CoreSig {
            params: flat_params,
            results: flat_results,
            params_in_memory: false,
            results_in_memory: false,
            flat_params: flat_params.len(),
            flat_results: flat_results.len(),
        };
        let max_params = match (opts.async_, cx) {
            (true, AbiContext::Lower) => MAX_FLAT_ASYNC_PARAMS,
            _ => MAX_FLAT_PARAMS,
        };
        if flat_params.len() > max_params as u64 {
            sig.params = ptr_only;
            sig.params_in_memory = true;
        }
        match (opts.async_, cx) {
            (false, _) if flat_results.len() > MAX_FLAT_RESULTS as u64 => {
                sig.results_in_memory = true;
                match cx {
                    AbiContext::Lift => sig.results = ptr_only,
                    AbiContext::Lower => {
                        sig.params.push(opts.ptr.val_type());
                        sig.results = FlatTypes::new();
                    }
                }
            }
            (false, _) => {}
            (true, AbiContext::Lift) => {
                sig.results = if opts.callback {
                    i32_only
                } else {
                    FlatTypes::new()
                };
            }
            (true, AbiContext::Lower) => {
                if !flat_results.is_empty() {
                    sig.params.push(opts.ptr.val_type());
                    sig.results_in_memory = true;
                }
                sig.results = i32_only;
            }
        }
        sig
    }
}
