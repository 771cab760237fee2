//! Phase 2 (HOW), numeric area: constants, integer and float arithmetic,
//! comparisons and conversions -> CLIF (every WebAssembly 2.0 numeric
//! operator except SIMD).
//!
//! Inputs: one validated [`Operator`] and the operand stack of the function
//! being translated (wasm `i32`/`i64`/`f32`/`f64` are CLIF `I32`/`I64`/
//! `F32`/`F64`). Output: the operator's result pushed on that stack, plus any
//! explicit traps inserted in the current block.
//!
//! Invariants and the semantic choices that make them hold:
//! - Results are bit-exact with the wasm spec. Comparisons give `i32` 0/1
//!   (CLIF `icmp`/`fcmp` give `i8`, so they are zero-extended).
//! - Every trap is an explicit `trapz`/`trapnz` with [`clif_trap`], or a
//!   Cranelift instruction whose reserved trap codes `clif_trap` maps
//!   (`fcvt_to_{s,u}int`: `BAD_CONVERSION_TO_INTEGER` for NaN,
//!   `INTEGER_OVERFLOW` when out of range). No hardware exception other than
//!   `ud2` is ever relied upon: x86 `div`/`idiv` fault (`SIGFPE`) on a zero
//!   divisor and on `MIN / -1`, so both conditions are checked before the
//!   division, divide-by-zero first as the spec's order requires.
//! - `rem_s` with divisor `-1` is 0 (also for `MIN % -1`): CLIF `srem` only
//!   traps on a zero divisor, and the x64 backend implements that with a
//!   `cmp divisor, -1` guard around `idiv`, so no extra check is emitted here.
//! - Shift and rotate amounts are taken modulo the bit width by CLIF
//!   `ishl`/`sshr`/`ushr`/`rotl`/`rotr` themselves, exactly as wasm requires.
//! - `fmin`/`fmax` already have wasm semantics in CLIF (NaN if either input
//!   is NaN, `-0 < +0`); `fabs`/`fneg`/`fcopysign` are pure bit operations,
//!   so NaN payloads pass through unchanged.
//!
//! NB: `ceil`/`floor`/`trunc`/`nearest` become `round{ss,sd}` only when the
//! ISA has SSE4.1 (part of Kiln's x86-64-v2 baseline); without it Cranelift
//! emits libcalls (`CeilF32`, ...) the object would have to resolve.
//!
//! Must only be called for reachable code: the operand stack is assumed to
//! hold the operator's inputs, which validation guarantees there.

use super::clif_trap;
use crate::CompileError;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::types::{F32, F64, I8, I16, I32, I64};
use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData};
use cranelift_frontend::FunctionBuilder;
use kiln_abi::trap::TrapCode;
use wasmparser::Operator;

/// Translates `op` if it is a numeric operator, popping its operands from and
/// pushing its result onto `stack`. Returns `Ok(false)` (and touches nothing)
/// for any other operator.
pub(crate) fn translate_numeric(
    op: &Operator<'_>,
    builder: &mut FunctionBuilder<'_>,
    stack: &mut Vec<ir::Value>,
) -> Result<bool, CompileError> {
    use Operator as O;
    let b = builder;
    let result = match *op {
        // Constants. Float constants go through their bit patterns so that
        // NaN payloads and -0.0 survive exactly.
        O::I32Const { value } => iconst(b, I32, value.into()),
        O::I64Const { value } => iconst(b, I64, value),
        O::F32Const { value } => b.ins().f32const(Ieee32::with_bits(value.bits())),
        O::F64Const { value } => b.ins().f64const(Ieee64::with_bits(value.bits())),

        // Integer comparisons.
        O::I32Eqz | O::I64Eqz => {
            let x = pop(stack);
            let zero = iconst(b, b.func.dfg.value_type(x), 0);
            let c = b.ins().icmp(IntCC::Equal, x, zero);
            b.ins().uextend(I32, c)
        }
        O::I32Eq | O::I64Eq => icmp(b, stack, IntCC::Equal),
        O::I32Ne | O::I64Ne => icmp(b, stack, IntCC::NotEqual),
        O::I32LtS | O::I64LtS => icmp(b, stack, IntCC::SignedLessThan),
        O::I32LtU | O::I64LtU => icmp(b, stack, IntCC::UnsignedLessThan),
        O::I32GtS | O::I64GtS => icmp(b, stack, IntCC::SignedGreaterThan),
        O::I32GtU | O::I64GtU => icmp(b, stack, IntCC::UnsignedGreaterThan),
        O::I32LeS | O::I64LeS => icmp(b, stack, IntCC::SignedLessThanOrEqual),
        O::I32LeU | O::I64LeU => icmp(b, stack, IntCC::UnsignedLessThanOrEqual),
        O::I32GeS | O::I64GeS => icmp(b, stack, IntCC::SignedGreaterThanOrEqual),
        O::I32GeU | O::I64GeU => icmp(b, stack, IntCC::UnsignedGreaterThanOrEqual),

        // Integer unary operators (CLIF defines clz/ctz of 0 as the width,
        // like wasm).
        O::I32Clz | O::I64Clz => {
            let x = pop(stack);
            b.ins().clz(x)
        }
        O::I32Ctz | O::I64Ctz => {
            let x = pop(stack);
            b.ins().ctz(x)
        }
        O::I32Popcnt | O::I64Popcnt => {
            let x = pop(stack);
            b.ins().popcnt(x)
        }

        // Integer binary operators (all wrapping).
        O::I32Add | O::I64Add => {
            let (x, y) = pop2(stack);
            b.ins().iadd(x, y)
        }
        O::I32Sub | O::I64Sub => {
            let (x, y) = pop2(stack);
            b.ins().isub(x, y)
        }
        O::I32Mul | O::I64Mul => {
            let (x, y) = pop2(stack);
            b.ins().imul(x, y)
        }
        O::I32DivS | O::I64DivS => {
            let (x, y) = pop2(stack);
            translate_div_s(b, x, y)
        }
        O::I32DivU | O::I64DivU => {
            let (x, y) = pop2(stack);
            trap_if_zero_divisor(b, y);
            b.ins().udiv(x, y)
        }
        O::I32RemS | O::I64RemS => {
            let (x, y) = pop2(stack);
            trap_if_zero_divisor(b, y);
            // NB: CLIF `srem` is 0 for a `-1` divisor (see the module docs).
            b.ins().srem(x, y)
        }
        O::I32RemU | O::I64RemU => {
            let (x, y) = pop2(stack);
            trap_if_zero_divisor(b, y);
            b.ins().urem(x, y)
        }
        O::I32And | O::I64And => {
            let (x, y) = pop2(stack);
            b.ins().band(x, y)
        }
        O::I32Or | O::I64Or => {
            let (x, y) = pop2(stack);
            b.ins().bor(x, y)
        }
        O::I32Xor | O::I64Xor => {
            let (x, y) = pop2(stack);
            b.ins().bxor(x, y)
        }
        // CLIF masks shift amounts to the type width, as wasm does.
        O::I32Shl | O::I64Shl => {
            let (x, y) = pop2(stack);
            b.ins().ishl(x, y)
        }
        O::I32ShrS | O::I64ShrS => {
            let (x, y) = pop2(stack);
            b.ins().sshr(x, y)
        }
        O::I32ShrU | O::I64ShrU => {
            let (x, y) = pop2(stack);
            b.ins().ushr(x, y)
        }
        O::I32Rotl | O::I64Rotl => {
            let (x, y) = pop2(stack);
            b.ins().rotl(x, y)
        }
        O::I32Rotr | O::I64Rotr => {
            let (x, y) = pop2(stack);
            b.ins().rotr(x, y)
        }

        // Float unary operators.
        O::F32Abs | O::F64Abs => {
            let x = pop(stack);
            b.ins().fabs(x)
        }
        O::F32Neg | O::F64Neg => {
            let x = pop(stack);
            b.ins().fneg(x)
        }
        O::F32Ceil | O::F64Ceil => {
            let x = pop(stack);
            b.ins().ceil(x)
        }
        O::F32Floor | O::F64Floor => {
            let x = pop(stack);
            b.ins().floor(x)
        }
        O::F32Trunc | O::F64Trunc => {
            let x = pop(stack);
            b.ins().trunc(x)
        }
        O::F32Nearest | O::F64Nearest => {
            let x = pop(stack);
            b.ins().nearest(x)
        }
        O::F32Sqrt | O::F64Sqrt => {
            let x = pop(stack);
            b.ins().sqrt(x)
        }

        // Float binary operators.
        O::F32Add | O::F64Add => {
            let (x, y) = pop2(stack);
            b.ins().fadd(x, y)
        }
        O::F32Sub | O::F64Sub => {
            let (x, y) = pop2(stack);
            b.ins().fsub(x, y)
        }
        O::F32Mul | O::F64Mul => {
            let (x, y) = pop2(stack);
            b.ins().fmul(x, y)
        }
        O::F32Div | O::F64Div => {
            let (x, y) = pop2(stack);
            b.ins().fdiv(x, y)
        }
        O::F32Min | O::F64Min => {
            let (x, y) = pop2(stack);
            b.ins().fmin(x, y)
        }
        O::F32Max | O::F64Max => {
            let (x, y) = pop2(stack);
            b.ins().fmax(x, y)
        }
        O::F32Copysign | O::F64Copysign => {
            let (x, y) = pop2(stack);
            b.ins().fcopysign(x, y)
        }

        // Float comparisons: all ordered (false on NaN) except `ne`, which
        // CLIF's `NotEqual` defines as "unordered or not equal", as wasm does.
        O::F32Eq | O::F64Eq => fcmp(b, stack, FloatCC::Equal),
        O::F32Ne | O::F64Ne => fcmp(b, stack, FloatCC::NotEqual),
        O::F32Lt | O::F64Lt => fcmp(b, stack, FloatCC::LessThan),
        O::F32Gt | O::F64Gt => fcmp(b, stack, FloatCC::GreaterThan),
        O::F32Le | O::F64Le => fcmp(b, stack, FloatCC::LessThanOrEqual),
        O::F32Ge | O::F64Ge => fcmp(b, stack, FloatCC::GreaterThanOrEqual),

        // Integer width conversions.
        O::I32WrapI64 => {
            let x = pop(stack);
            b.ins().ireduce(I32, x)
        }
        O::I64ExtendI32S => {
            let x = pop(stack);
            b.ins().sextend(I64, x)
        }
        O::I64ExtendI32U => {
            let x = pop(stack);
            b.ins().uextend(I64, x)
        }
        O::I32Extend8S => sign_extend_low(b, stack, I8, I32),
        O::I32Extend16S => sign_extend_low(b, stack, I16, I32),
        O::I64Extend8S => sign_extend_low(b, stack, I8, I64),
        O::I64Extend16S => sign_extend_low(b, stack, I16, I64),
        O::I64Extend32S => sign_extend_low(b, stack, I32, I64),

        // Trapping float -> int. Cranelift traps with its reserved codes
        // `BAD_CONVERSION_TO_INTEGER` (NaN) and `INTEGER_OVERFLOW` (out of
        // range), which `clif_trap`/`abi_trap` map to the ABI's codes.
        O::I32TruncF32S | O::I32TruncF64S => {
            let x = pop(stack);
            b.ins().fcvt_to_sint(I32, x)
        }
        O::I32TruncF32U | O::I32TruncF64U => {
            let x = pop(stack);
            b.ins().fcvt_to_uint(I32, x)
        }
        O::I64TruncF32S | O::I64TruncF64S => {
            let x = pop(stack);
            b.ins().fcvt_to_sint(I64, x)
        }
        O::I64TruncF32U | O::I64TruncF64U => {
            let x = pop(stack);
            b.ins().fcvt_to_uint(I64, x)
        }

        // Saturating float -> int: NaN -> 0, out of range -> MIN/MAX.
        O::I32TruncSatF32S | O::I32TruncSatF64S => {
            let x = pop(stack);
            b.ins().fcvt_to_sint_sat(I32, x)
        }
        O::I32TruncSatF32U | O::I32TruncSatF64U => {
            let x = pop(stack);
            b.ins().fcvt_to_uint_sat(I32, x)
        }
        O::I64TruncSatF32S | O::I64TruncSatF64S => {
            let x = pop(stack);
            b.ins().fcvt_to_sint_sat(I64, x)
        }
        O::I64TruncSatF32U | O::I64TruncSatF64U => {
            let x = pop(stack);
            b.ins().fcvt_to_uint_sat(I64, x)
        }

        // Int -> float, rounding to nearest-even (CLIF guarantees a correctly
        // rounded result also for unsigned 64-bit inputs).
        O::F32ConvertI32S | O::F32ConvertI64S => {
            let x = pop(stack);
            b.ins().fcvt_from_sint(F32, x)
        }
        O::F32ConvertI32U | O::F32ConvertI64U => {
            let x = pop(stack);
            b.ins().fcvt_from_uint(F32, x)
        }
        O::F64ConvertI32S | O::F64ConvertI64S => {
            let x = pop(stack);
            b.ins().fcvt_from_sint(F64, x)
        }
        O::F64ConvertI32U | O::F64ConvertI64U => {
            let x = pop(stack);
            b.ins().fcvt_from_uint(F64, x)
        }

        // Float width conversions.
        O::F32DemoteF64 => {
            let x = pop(stack);
            b.ins().fdemote(F32, x)
        }
        O::F64PromoteF32 => {
            let x = pop(stack);
            b.ins().fpromote(F64, x)
        }

        // Reinterpretations: bit-preserving moves between register files.
        O::I32ReinterpretF32 => bitcast(b, stack, I32),
        O::I64ReinterpretF64 => bitcast(b, stack, I64),
        O::F32ReinterpretI32 => bitcast(b, stack, F32),
        O::F64ReinterpretI64 => bitcast(b, stack, F64),

        _ => return Ok(super::numeric_wide::translate_wide_arithmetic(op, b, stack)),
    };
    stack.push(result);
    Ok(true)
}

/// Pops one operand.
fn pop(stack: &mut Vec<ir::Value>) -> ir::Value {
    stack
        .pop()
        .expect("validated: the operand stack holds the operator's inputs")
}

/// Pops two operands, returning them in wasm order `(lhs, rhs)`.
fn pop2(stack: &mut Vec<ir::Value>) -> (ir::Value, ir::Value) {
    let rhs = pop(stack);
    let lhs = pop(stack);
    (lhs, rhs)
}

/// An integer constant of type `ty` (`I32` or `I64`). NB: the CLIF verifier
/// requires the immediate of a narrow `iconst` to be zero-extended.
fn iconst(b: &mut FunctionBuilder<'_>, ty: ir::Type, value: i64) -> ir::Value {
    let imm = if ty == I32 {
        i64::from(value as u32)
    } else {
        value
    };
    b.ins().iconst(ty, imm)
}

/// A wasm integer comparison: `i32` 0 or 1.
fn icmp(b: &mut FunctionBuilder<'_>, stack: &mut Vec<ir::Value>, cc: IntCC) -> ir::Value {
    let (x, y) = pop2(stack);
    let c = b.ins().icmp(cc, x, y);
    b.ins().uextend(I32, c)
}

/// A wasm float comparison: `i32` 0 or 1.
fn fcmp(b: &mut FunctionBuilder<'_>, stack: &mut Vec<ir::Value>, cc: FloatCC) -> ir::Value {
    let (x, y) = pop2(stack);
    let c = b.ins().fcmp(cc, x, y);
    b.ins().uextend(I32, c)
}

/// Traps with "integer divide by zero" when `divisor` is 0. Always emitted
/// first, so that this trap wins over any other trap of the same division.
fn trap_if_zero_divisor(b: &mut FunctionBuilder<'_>, divisor: ir::Value) {
    b.ins()
        .trapz(divisor, clif_trap(TrapCode::IntegerDivisionByZero));
}

/// `div_s`: traps on a zero divisor, then with "integer overflow" on
/// `MIN / -1` (whose quotient is not representable and which would make x86
/// `idiv` raise `#DE`), then divides.
fn translate_div_s(b: &mut FunctionBuilder<'_>, lhs: ir::Value, rhs: ir::Value) -> ir::Value {
    let ty = b.func.dfg.value_type(lhs);
    trap_if_zero_divisor(b, rhs);
    let min = iconst(b, ty, if ty == I32 { i32::MIN.into() } else { i64::MIN });
    let minus_one = iconst(b, ty, -1);
    let lhs_is_min = b.ins().icmp(IntCC::Equal, lhs, min);
    let rhs_is_minus_one = b.ins().icmp(IntCC::Equal, rhs, minus_one);
    let overflows = b.ins().band(lhs_is_min, rhs_is_minus_one);
    b.ins()
        .trapnz(overflows, clif_trap(TrapCode::IntegerOverflow));
    b.ins().sdiv(lhs, rhs)
}

/// `extendN_s`: sign-extends the low `narrow` bits of the operand to `wide`.
fn sign_extend_low(
    b: &mut FunctionBuilder<'_>,
    stack: &mut Vec<ir::Value>,
    narrow: ir::Type,
    wide: ir::Type,
) -> ir::Value {
    let x = pop(stack);
    let low = b.ins().ireduce(narrow, x);
    b.ins().sextend(wide, low)
}

/// `reinterpret`: the same bits as type `to`.
fn bitcast(b: &mut FunctionBuilder<'_>, stack: &mut Vec<ir::Value>, to: ir::Type) -> ir::Value {
    let x = pop(stack);
    b.ins().bitcast(to, MemFlagsData::new(), x)
}
