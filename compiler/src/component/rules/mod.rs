//! The component validation rules Wasmtime 49 enforces that wasmparser
//! 0.243, the validator Kiln links, lacks.
//!
//! Phase 1 (WHAT), part of validation: `parse.rs` calls these checks on
//! each payload of a component body after wasmparser has accepted it, with
//! the validator's types of that body, so everything runs before planning.
//! Inputs: a canonical function or a type, and the body's `TypesRef`. Output: nothing, or [`CompileError::Invalid`] carrying the
//! words of Wasmtime 49.0.3's validator (wasmparser 0.258), so that `kiln
//! build` refuses exactly what `wasmtime run` refuses at load, with the
//! same message.
//!
//! Why: the compiler and the runtime rely on a validated component. A
//! component that only a newer rule refuses would otherwise compile and
//! then break the runtime's assumptions; a `callback` returning eight
//! values instead of one, called with a one-result buffer, wrote past it
//! on the native stack.
//!
//! The rules, each confirmed with the `wasmtime` 49.0.3 CLI:
//! 1. A `callback` is `[i32 i32 i32] -> [i32]`: 0.243 also takes `[i32]`
//!    and never looks at the results. "canonical option `callback` uses a
//!    core function with an incorrect signature".
//! 2. `realloc` needs `memory` in every option list: "canonical option
//!    `realloc` requires `memory` to also be specified".
//! 3. An `async` lowering whose result holds a pointer (a string or a
//!    list) needs `realloc`, as a sync one does (0.243 asks only the sync
//!    one): "canonical option `realloc` is required" (`memory` first:
//!    "canonical option `memory` is required").
//! 4. The `async` option only on an async function type, lift or lower:
//!    "the `async` canonical option requires an async function type".
//! 5. No `stream<char>`: "`stream<char>` is not valid at this time, use
//!    `stream<u8>` with a defined by encoding instead for now" (`types.rs`).
//! 6. No value type nested more than 100 levels deep: "type nesting is
//!    too deep" (`types.rs`). 0.243 has no limit.
//! 7. No borrow in a function result, looking inside `stream` and `future`
//!    payloads too (0.243 does not): "function result cannot contain a
//!    `borrow` type" (`types.rs`).
//! 8. When 0.243 refuses an item, Wasmtime's error for it: first the
//!    rules above for the items of the same section before it (Wasmtime
//!    checks item by item; [`before_refusal`]), then those Wasmtime checks
//!    before the one 0.243 failed, and the same conditions 0.243 words
//!    otherwise (`refusal.rs`).
//!
//! Each check reads what wasmparser has already validated (indices are in
//! range, option lists free of duplicates), so none of them can panic on
//! input that reached it. A refusal names the item's offset (for a type
//! declared inside another, see `types.rs`).

mod refusal;
mod types;

pub(super) use refusal::wasmtime_refusal;
pub(super) use types::TypeRules;

use crate::CompileError;
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentDefinedType, ComponentFuncType, ComponentValType,
};
use wasmparser::types::TypesRef;
use wasmparser::{CanonicalFunction, CanonicalOption, PrimitiveValType, ValType};

pub(super) fn invalid(offset: usize, message: &str) -> CompileError {
    CompileError::Invalid {
        offset,
        message: message.to_string(),
    }
}

/// The rules for canonical function `func`, at `offset`, of the body whose
/// types are `types` (`func` already added to them).
pub(super) fn canonical(
    types: TypesRef<'_>,
    func: &CanonicalFunction,
    offset: usize,
) -> Result<(), CompileError> {
    use CanonicalFunction as F;
    match func {
        F::Lift {
            type_index,
            options,
            ..
        } => {
            memory_for_realloc(options, offset)?;
            callback_signature(types, options, offset)?;
            lift_asyncness(types, *type_index, options, offset)?;
        }
        F::Lower {
            func_index,
            options,
        } => {
            memory_for_realloc(options, offset)?;
            lower_asyncness(types, *func_index, options, offset)?;
            let ty = &types[types.component_function_at(*func_index)];
            if has(options, |o| matches!(o, CanonicalOption::Async))
                && ty.result.is_some_and(|r| contains_ptr(types, r))
            {
                if !has(options, |o| matches!(o, CanonicalOption::Memory(_))) {
                    return Err(invalid(offset, "canonical option `memory` is required"));
                }
                if !has(options, |o| matches!(o, CanonicalOption::Realloc(_))) {
                    return Err(invalid(offset, "canonical option `realloc` is required"));
                }
            }
        }
        _ => {
            if let Some(options) = options_of(func) {
                memory_for_realloc(options, offset)?;
            }
        }
    }
    Ok(())
}

/// Before 0.243's refusal of `payload` at `refused_at` is reported: the
/// rules for what the payload's earlier items created, which Wasmtime 49
/// checks item by item and so reports first (its canonical functions; its
/// types, see [`TypeRules::check_refused`]). `first_type` is the body's
/// type count before the payload.
pub(super) fn before_refusal(
    types: TypesRef<'_>,
    type_rules: &mut TypeRules,
    payload: &wasmparser::Payload<'_>,
    first_type: u32,
    refused_at: usize,
) -> Result<(), CompileError> {
    if let wasmparser::Payload::ComponentCanonicalSection(reader) = payload {
        for item in reader.clone().into_iter_with_offsets() {
            let Ok((offset, func)) = item else { break };
            if offset >= refused_at {
                break;
            }
            canonical(types, &func, offset)?;
        }
    }
    type_rules.check_refused(types, payload, first_type, refused_at)
}

/// The options of a canonical function that has some.
fn options_of(func: &CanonicalFunction) -> Option<&[CanonicalOption]> {
    use CanonicalFunction as F;
    match func {
        F::Lift { options, .. }
        | F::Lower { options, .. }
        | F::TaskReturn { options, .. }
        | F::StreamRead { options, .. }
        | F::StreamWrite { options, .. }
        | F::FutureRead { options, .. }
        | F::FutureWrite { options, .. }
        | F::ErrorContextNew { options }
        | F::ErrorContextDebugMessage { options } => Some(options),
        _ => None,
    }
}

fn has(options: &[CanonicalOption], f: fn(&CanonicalOption) -> bool) -> bool {
    options.iter().any(f)
}

/// Rule 1: a callback is `[i32 i32 i32] -> [i32]` (an index wasmparser
/// has not checked yet is left to it).
fn callback_signature(
    types: TypesRef<'_>,
    options: &[CanonicalOption],
    offset: usize,
) -> Result<(), CompileError> {
    let Some(callback) = callback(options).filter(|f| *f < types.function_count()) else {
        return Ok(());
    };
    let ty = types[types.core_function_at(callback)].unwrap_func();
    if ty.params() != [ValType::I32; 3] || ty.results() != [ValType::I32] {
        return Err(invalid(
            offset,
            "canonical option `callback` uses a core function with an incorrect signature",
        ));
    }
    Ok(())
}

/// Rule 4 for a lift of type `type_index`.
fn lift_asyncness(
    types: TypesRef<'_>,
    type_index: u32,
    options: &[CanonicalOption],
    offset: usize,
) -> Result<(), CompileError> {
    if type_index < types.component_type_count()
        && let ComponentAnyTypeId::Func(ty) = types.component_any_type_at(type_index)
    {
        asyncness(&types[ty], options, offset)?;
    }
    Ok(())
}

/// Rule 4 for a lowering of function `func_index`.
fn lower_asyncness(
    types: TypesRef<'_>,
    func_index: u32,
    options: &[CanonicalOption],
    offset: usize,
) -> Result<(), CompileError> {
    if func_index < types.component_function_count() {
        asyncness(
            &types[types.component_function_at(func_index)],
            options,
            offset,
        )?;
    }
    Ok(())
}

/// Rule 2: no `realloc` without `memory`.
fn memory_for_realloc(options: &[CanonicalOption], offset: usize) -> Result<(), CompileError> {
    if has(options, |o| matches!(o, CanonicalOption::Realloc(_)))
        && !has(options, |o| matches!(o, CanonicalOption::Memory(_)))
    {
        return Err(invalid(
            offset,
            "canonical option `realloc` requires `memory` to also be specified",
        ));
    }
    Ok(())
}

fn callback(options: &[CanonicalOption]) -> Option<u32> {
    options.iter().find_map(|o| match o {
        CanonicalOption::Callback(f) => Some(*f),
        _ => None,
    })
}

/// Rule 4: `async` only on an async function type.
fn asyncness(
    ty: &ComponentFuncType,
    options: &[CanonicalOption],
    offset: usize,
) -> Result<(), CompileError> {
    if has(options, |o| matches!(o, CanonicalOption::Async)) && !ty.async_ {
        return Err(invalid(
            offset,
            "the `async` canonical option requires an async function type",
        ));
    }
    Ok(())
}

/// Whether a value of type `ty` holds a pointer into linear memory (a
/// string or a list somewhere inside), as the canonical ABI's lowering
/// decides whether `realloc` is needed.
fn contains_ptr(types: TypesRef<'_>, ty: ComponentValType) -> bool {
    let id = match ty {
        ComponentValType::Primitive(p) => return p == PrimitiveValType::String,
        ComponentValType::Type(id) => id,
    };
    let any =
        |mut tys: std::slice::Iter<'_, ComponentValType>| tys.any(|t| contains_ptr(types, *t));
    match &types[id] {
        ComponentDefinedType::Primitive(p) => *p == PrimitiveValType::String,
        ComponentDefinedType::List(_) => true,
        ComponentDefinedType::Record(r) => r.fields.values().any(|t| contains_ptr(types, *t)),
        ComponentDefinedType::Variant(v) => v
            .cases
            .values()
            .any(|c| c.ty.is_some_and(|t| contains_ptr(types, t))),
        ComponentDefinedType::Tuple(t) => any(t.types.iter()),
        ComponentDefinedType::Option(t) | ComponentDefinedType::FixedSizeList(t, _) => {
            contains_ptr(types, *t)
        }
        ComponentDefinedType::Result { ok, err } => {
            ok.is_some_and(|t| contains_ptr(types, t))
                || err.is_some_and(|t| contains_ptr(types, t))
        }
        ComponentDefinedType::Flags(_)
        | ComponentDefinedType::Enum(_)
        | ComponentDefinedType::Own(_)
        | ComponentDefinedType::Borrow(_)
        | ComponentDefinedType::Future(_)
        | ComponentDefinedType::Stream(_) => false,
    }
}
