//! Phase 2 (HOW): one function body -> CLIF.
//!
//! Inputs: [`ModuleEnv`] (the [`ModuleInfo`], `VMContext` offsets, target ISA
//! and the declared function ids of [`crate::key`]) and one body. Output: an
//! [`ir::Function`] ready for `Context::compile`, which the driver
//! ([`crate::pipeline`]) runs. Runs in parallel: one [`FuncTranslator`] per
//! worker, reused across functions. Never touches the object file (nothing
//! here imports [`crate::obj`]).
//!
//! Conventions (see `kiln_abi::descriptor`): every wasm function uses
//! Cranelift's `tail` convention with `vmctx` as its first parameter; host
//! imports and libcalls use the platform C convention with `vmctx` first.

mod atomics;
mod call;
mod control;
mod env;
mod exceptions;
mod heap;
mod limits;
mod memory;
mod numeric;
mod numeric_wide;
pub mod sig;
mod simd;
mod simd_float;
mod simd_int;
mod simd_relaxed;
mod table;
#[cfg(test)]
mod tests;
pub mod translator;
mod typed_refs;

use crate::key::DeclaredFuncs;
use crate::module::ModuleInfo;
use cranelift_codegen::ir;
use cranelift_codegen::isa::TargetIsa;
use kiln_abi::trap::TrapCode;
use kiln_abi::vmctx::VMOffsets;

/// Read-only facts every function translation needs.
pub struct ModuleEnv<'a> {
    /// The module.
    pub info: &'a ModuleInfo,
    /// The original wasm bytes (bodies are ranges of it).
    pub wasm: &'a [u8],
    /// `VMContext` layout.
    pub offsets: VMOffsets,
    /// Target.
    pub isa: &'a dyn TargetIsa,
    /// Function ids for calls and libcalls.
    pub ids: &'a DeclaredFuncs,
    /// Run-time limit checks to emit (none: the code is as if limits did
    /// not exist).
    pub checks: crate::Checks,
}

/// The Cranelift trap code compiled code uses for `code`. Cranelift's own
/// reserved codes are used where Cranelift itself emits them (stack limit
/// checks, float-to-int conversions, division), so the reverse mapping
/// [`abi_trap`] is total over what appears in a trap table.
pub fn clif_trap(code: TrapCode) -> ir::TrapCode {
    match code {
        TrapCode::StackOverflow => ir::TrapCode::STACK_OVERFLOW,
        TrapCode::MemoryOutOfBounds => ir::TrapCode::HEAP_OUT_OF_BOUNDS,
        TrapCode::IntegerOverflow => ir::TrapCode::INTEGER_OVERFLOW,
        TrapCode::IntegerDivisionByZero => ir::TrapCode::INTEGER_DIVISION_BY_ZERO,
        TrapCode::BadConversionToInteger => ir::TrapCode::BAD_CONVERSION_TO_INTEGER,
        other => ir::TrapCode::unwrap_user(other as u32 as u8),
    }
}

/// The ABI trap code of a Cranelift trap code found in compiled code.
pub fn abi_trap(code: ir::TrapCode) -> Option<TrapCode> {
    Some(match code {
        ir::TrapCode::STACK_OVERFLOW => TrapCode::StackOverflow,
        ir::TrapCode::HEAP_OUT_OF_BOUNDS => TrapCode::MemoryOutOfBounds,
        ir::TrapCode::INTEGER_OVERFLOW => TrapCode::IntegerOverflow,
        ir::TrapCode::INTEGER_DIVISION_BY_ZERO => TrapCode::IntegerDivisionByZero,
        ir::TrapCode::BAD_CONVERSION_TO_INTEGER => TrapCode::BadConversionToInteger,
        other => return TrapCode::from_u32(other.as_raw().get() as u32),
    })
}
