//! When wasmparser 0.243 refuses a component, the words Wasmtime 49 would
//! refuse it with (rule 8 of `super`).
//!
//! Both validators check a canonical function's options in one pass, then
//! the function's own rules, then its type's lowering, and stop at the
//! first failure; but Wasmtime 49's validator (wasmparser 0.258) checks
//! some things earlier than 0.243 does, and has checks 0.243 lacks
//! (`super`'s rules, which otherwise run only after 0.243 accepts the
//! item). So when 0.243 refuses an item for a reason 0.258 checks later,
//! 0.258's earlier checks are run here and the first failing one names
//! the error, in Wasmtime's words:
//! - 0.243 checks `realloc`'s signature while reading the options; 0.258
//!   after them (repeated options, conflicting encodings, ...), after
//!   "cannot specify callback without async", "cannot specify post-return
//!   function in async" and rule 2 (`realloc` needs `memory`);
//! - everything 0.243 checks after the options (the function's own rules,
//!   the lowering of its type) comes after rule 2 in 0.258, and the
//!   lowering also after rule 1 (the callback's signature) and rule 4 (the
//!   `async` option on an async function type).
//!
//! Some refusals are the same condition in other words, rewritten: a
//! 64-bit memory as a canonical ABI memory ("64-bit memories require the
//! `cm64` feature to be enabled"), an `i64` or other context type of
//! `context.get`/`context.set` (0.243 cannot read it; Wasmtime: "64-bit
//! `context.get` requires the component model 64-bit feature", "`context.get`
//! only supports `i32` or `i64`", at the built-in's offset).
//!
//! Input: the refused payload, 0.243's error, the body's types as they
//! were before the refused item. Output: the error to report instead, or
//! `None` to keep 0.243's.

use super::{
    callback_signature, has, invalid, lift_asyncness, lower_asyncness, memory_for_realloc,
    options_of,
};
use crate::CompileError;
use wasmparser::types::TypesRef;
use wasmparser::{BinaryReaderError, CanonicalFunction, CanonicalOption, Payload};

/// Where in 0.243's checks of one canonical function an error comes from.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Stage {
    /// Before or among the options (other than `realloc`'s signature), or
    /// unknown: where 0.258 checks the same thing first too.
    Same,
    /// `realloc`'s signature, among the options.
    ReallocSignature,
    /// The function's own rules, after the options.
    Function,
    /// The lowering of the function's type, or its core signature.
    Lowering,
}

fn stage(message: &str) -> Stage {
    const FUNCTION: &[&str] = &[
        "canonical option `post-return` uses a core function with an incorrect signature",
        "canonical option `callback` uses a core function with an incorrect signature",
        "cannot be specified for lowerings",
        "cannot specify `realloc` option on",
        "cannot specify `post-return` option on",
        "cannot specify `async` option on",
        "cannot specify `gc` without also specifying a `core-type`",
    ];
    const LOWERING: &[&str] = &[
        "canonical option `memory` is required",
        "canonical option `realloc` is required",
        "lowered parameter types",
        "lowered result types",
        "lowered function type",
        "declared core type has",
    ];
    let first = message.lines().next().unwrap_or(message);
    if first == "canonical option `realloc` uses a core function with an incorrect signature" {
        Stage::ReallocSignature
    } else if FUNCTION.iter().any(|m| first.starts_with(m)) {
        Stage::Function
    } else if LOWERING.iter().any(|m| first.starts_with(m)) {
        Stage::Lowering
    } else {
        Stage::Same
    }
}

/// The error Wasmtime 49 gives for the component wasmparser 0.243 refused
/// with `e` while validating `payload` (see the module docs), if other.
pub(in crate::component) fn wasmtime_refusal(
    types: Option<TypesRef<'_>>,
    payload: &Payload<'_>,
    e: &BinaryReaderError,
) -> Option<CompileError> {
    let message = e.message();
    if message.starts_with("canonical ABI memory is not a 32-bit linear memory")
        && message.ends_with("mismatch in index type used for memories")
    {
        return Some(invalid(
            e.offset(),
            "64-bit memories require the `cm64` feature to be enabled",
        ));
    }
    let Payload::ComponentCanonicalSection(reader) = payload else {
        return None;
    };
    if let Some(words) = context_type(message) {
        // 0.243 fails on the type byte, right after the built-in's opcode.
        return Some(invalid(e.offset().saturating_sub(1), &words));
    }
    let types = types?;
    let (offset, func) = reader
        .clone()
        .into_iter_with_offsets()
        .map_while(Result::ok)
        .find(|(offset, _)| *offset == e.offset())?;
    earlier(types, &func, stage(message), offset).err()
}

/// The checks 0.258 makes before the stage 0.243 refused `func` at.
fn earlier(
    types: TypesRef<'_>,
    func: &CanonicalFunction,
    stage: Stage,
    offset: usize,
) -> Result<(), CompileError> {
    if stage == Stage::Same {
        return Ok(());
    }
    let Some(options) = options_of(func) else {
        return Ok(());
    };
    if stage == Stage::ReallocSignature {
        options_pass(types, options, offset)?;
        concurrency(options, offset)?;
    }
    memory_for_realloc(options, offset)?;
    if stage != Stage::Lowering {
        return Ok(());
    }
    match *func {
        CanonicalFunction::Lift { type_index, .. } => {
            callback_signature(types, options, offset)?;
            lift_asyncness(types, type_index, options, offset)
        }
        CanonicalFunction::Lower { func_index, .. } => {
            lower_asyncness(types, func_index, options, offset)
        }
        _ => Ok(()),
    }
}

/// 0.258's pass over the options, which 0.243 left at `realloc` (whose
/// signature 0.258 checks after it): repeated options, conflicting
/// encodings, an unknown or 64-bit memory, GC options (a shared memory
/// is left to 0.243's error).
fn options_pass(
    types: TypesRef<'_>,
    options: &[CanonicalOption],
    offset: usize,
) -> Result<(), CompileError> {
    use CanonicalOption as O;
    let name = |o: &O| match o {
        O::UTF8 => "utf8",
        O::UTF16 => "utf16",
        O::CompactUTF16 => "latin1-utf16",
        O::Memory(_) => "memory",
        O::Realloc(_) => "realloc",
        O::PostReturn(_) => "post-return",
        O::Async => "async",
        O::Callback(_) => "callback",
        O::CoreType(_) => "core type",
        O::Gc => "gc",
    };
    let mut encoding: Option<&O> = None;
    for (i, o) in options.iter().enumerate() {
        let kind = std::mem::discriminant(o);
        match o {
            O::UTF8 | O::UTF16 | O::CompactUTF16 => {
                if let Some(existing) = encoding {
                    return Err(invalid(
                        offset,
                        &format!(
                            "canonical encoding option `{}` conflicts with option `{}`",
                            name(existing),
                            name(o)
                        ),
                    ));
                }
                encoding = Some(o);
                continue;
            }
            O::CoreType(_) => {
                return Err(invalid(
                    offset,
                    "canonical option `core type` requires the component model gc feature",
                ));
            }
            O::Gc => {
                return Err(invalid(
                    offset,
                    "canonical option `gc` requires the `cm-gc` feature",
                ));
            }
            _ => {}
        }
        if options[..i]
            .iter()
            .any(|p| std::mem::discriminant(p) == kind)
        {
            return Err(invalid(
                offset,
                &format!("canonical option `{}` is specified more than once", name(o)),
            ));
        }
        if let O::Memory(m) = *o {
            if m >= types.memory_count() {
                return Err(invalid(
                    offset,
                    &format!("unknown memory {m}: memory index out of bounds"),
                ));
            }
            if types.memory_at(m).memory64 {
                return Err(invalid(
                    offset,
                    "64-bit memories require the `cm64` feature to be enabled",
                ));
            }
        }
    }
    Ok(())
}

/// The option combinations both validators refuse right after reading the
/// options (0.243 only once `realloc`'s signature passed).
fn concurrency(options: &[CanonicalOption], offset: usize) -> Result<(), CompileError> {
    let is_async = has(options, |o| matches!(o, CanonicalOption::Async));
    if !is_async && has(options, |o| matches!(o, CanonicalOption::Callback(_))) {
        return Err(invalid(offset, "cannot specify callback without async"));
    }
    if is_async && has(options, |o| matches!(o, CanonicalOption::PostReturn(_))) {
        return Err(invalid(
            offset,
            "cannot specify post-return function in async",
        ));
    }
    Ok(())
}

/// Wasmtime's words for a `context.get`/`context.set` type byte 0.243
/// cannot read.
fn context_type(message: &str) -> Option<String> {
    let rest = message.strip_prefix("invalid leading byte (0x")?;
    let (byte, rest) = rest.split_once(") for ")?;
    let builtin = rest.strip_suffix(" intrinsic type")?;
    if builtin != "context.get" && builtin != "context.set" {
        return None;
    }
    Some(match byte {
        "7e" => format!("64-bit `{builtin}` requires the component model 64-bit feature"),
        // f32, f64, v128, and the reference types' short forms: value
        // types Wasmtime reads and then refuses.
        "7d" | "7c" | "7b" | "70" | "6f" | "6e" | "71" | "72" | "73" | "74" | "69" | "6a"
        | "6b" | "6c" | "6d" | "64" | "63" => format!("`{builtin}` only supports `i32` or `i64`"),
        _ => return None,
    })
}
