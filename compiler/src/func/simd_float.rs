//! Floating-point SIMD: lane-wise arithmetic, comparisons, rounding, and the
//! conversions between float and integer vectors.
//!
//! Phase 2 (HOW). Inputs: `f32x4`/`f64x2` operators and the conversions.
//! Outputs: CLIF vector instructions. NaN semantics: Cranelift's `fmin`/
//! `fmax` are wasm's (NaN if either operand is NaN, `-0 < +0`); arithmetic
//! produces an arithmetic NaN from NaN inputs, which is all wasm requires;
//! `pmin`/`pmax` are the spec's `b < a ? b : a` / `a < b ? b : a`, so a NaN
//! operand selects the first operand. `ceil`/`floor`/`trunc`/`nearest` lower
//! to SSE4.1 `roundps`/`roundpd`, part of the x86-64-v2 baseline. The
//! conversion shapes (`fcvt_from_sint` of `swiden_low`, `snarrow` of
//! `fcvt_to_sint_sat` with a zero vector, ...) are the patterns Cranelift's
//! x86_64 backend lowers without AVX-512.

use super::simd::zero_i64x2;
use super::translator::FuncCodegen;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::types::{F32X4, F64X2, I32X4, I64X2};
use cranelift_codegen::ir::{self, InstBuilder};
use cranelift_frontend::FunctionBuilder;
use wasmparser::Operator;

/// `fpmin(a, b) = b < a ? b : a`.
pub(super) fn pmin(b: &mut FunctionBuilder<'_>, x: ir::Value, y: ir::Value) -> ir::Value {
    let ty = b.func.dfg.value_type(x);
    let lt = b.ins().fcmp(FloatCC::LessThan, y, x);
    let mask = b.ins().bitcast(ty, super::simd::lane_order_flags(), lt);
    b.ins().bitselect(mask, y, x)
}

/// `fpmax(a, b) = a < b ? b : a`.
pub(super) fn pmax(b: &mut FunctionBuilder<'_>, x: ir::Value, y: ir::Value) -> ir::Value {
    let ty = b.func.dfg.value_type(x);
    let lt = b.ins().fcmp(FloatCC::LessThan, x, y);
    let mask = b.ins().bitcast(ty, super::simd::lane_order_flags(), lt);
    b.ins().bitselect(mask, y, x)
}

/// `i32x4.trunc_sat_f64x2_s_zero`: two saturated lanes, then two zeros.
pub(super) fn trunc_sat_f64x2_s_zero(b: &mut FunctionBuilder<'_>, x: ir::Value) -> ir::Value {
    let wide = b.ins().fcvt_to_sint_sat(I64X2, x);
    let zero = zero_i64x2(b);
    b.ins().snarrow(wide, zero)
}

/// `i32x4.trunc_sat_f64x2_u_zero`: two saturated lanes, then two zeros.
pub(super) fn trunc_sat_f64x2_u_zero(b: &mut FunctionBuilder<'_>, x: ir::Value) -> ir::Value {
    let wide = b.ins().fcvt_to_uint_sat(I64X2, x);
    let zero = zero_i64x2(b);
    b.ins().uunarrow(wide, zero)
}

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it is a floating-point SIMD operator or a
    /// float/integer vector conversion.
    pub(super) fn translate_simd_float(&mut self, op: &Operator<'_>) -> bool {
        self.translate_simd_float_arith(op) || self.translate_simd_float_convert(op)
    }

    fn translate_simd_float_arith(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        let cmp = match op {
            O::F32x4Eq | O::F64x2Eq => Some(FloatCC::Equal),
            O::F32x4Ne | O::F64x2Ne => Some(FloatCC::NotEqual),
            O::F32x4Lt | O::F64x2Lt => Some(FloatCC::LessThan),
            O::F32x4Gt | O::F64x2Gt => Some(FloatCC::GreaterThan),
            O::F32x4Le | O::F64x2Le => Some(FloatCC::LessThanOrEqual),
            O::F32x4Ge | O::F64x2Ge => Some(FloatCC::GreaterThanOrEqual),
            _ => None,
        };
        if let Some(cc) = cmp {
            self.vec_binary(float_lanes(op), |b, x, y| b.ins().fcmp(cc, x, y));
            return true;
        }
        match op {
            O::F32x4Add | O::F64x2Add => {
                self.vec_binary(float_lanes(op), |b, x, y| b.ins().fadd(x, y))
            }
            O::F32x4Sub | O::F64x2Sub => {
                self.vec_binary(float_lanes(op), |b, x, y| b.ins().fsub(x, y))
            }
            O::F32x4Mul | O::F64x2Mul => {
                self.vec_binary(float_lanes(op), |b, x, y| b.ins().fmul(x, y))
            }
            O::F32x4Div | O::F64x2Div => {
                self.vec_binary(float_lanes(op), |b, x, y| b.ins().fdiv(x, y))
            }
            O::F32x4Min | O::F64x2Min => {
                self.vec_binary(float_lanes(op), |b, x, y| b.ins().fmin(x, y))
            }
            O::F32x4Max | O::F64x2Max => {
                self.vec_binary(float_lanes(op), |b, x, y| b.ins().fmax(x, y))
            }
            O::F32x4PMin | O::F64x2PMin => self.vec_binary(float_lanes(op), pmin),
            O::F32x4PMax | O::F64x2PMax => self.vec_binary(float_lanes(op), pmax),
            O::F32x4Sqrt | O::F64x2Sqrt => self.vec_unary(float_lanes(op), |b, x| b.ins().sqrt(x)),
            O::F32x4Neg | O::F64x2Neg => self.vec_unary(float_lanes(op), |b, x| b.ins().fneg(x)),
            O::F32x4Abs | O::F64x2Abs => self.vec_unary(float_lanes(op), |b, x| b.ins().fabs(x)),
            O::F32x4Ceil | O::F64x2Ceil => self.vec_unary(float_lanes(op), |b, x| b.ins().ceil(x)),
            O::F32x4Floor | O::F64x2Floor => {
                self.vec_unary(float_lanes(op), |b, x| b.ins().floor(x))
            }
            O::F32x4Trunc | O::F64x2Trunc => {
                self.vec_unary(float_lanes(op), |b, x| b.ins().trunc(x))
            }
            O::F32x4Nearest | O::F64x2Nearest => {
                self.vec_unary(float_lanes(op), |b, x| b.ins().nearest(x))
            }
            _ => return false,
        }
        true
    }

    fn translate_simd_float_convert(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::F32x4ConvertI32x4S => self.vec_unary(I32X4, |b, x| b.ins().fcvt_from_sint(F32X4, x)),
            O::F32x4ConvertI32x4U => self.vec_unary(I32X4, |b, x| b.ins().fcvt_from_uint(F32X4, x)),
            O::F64x2ConvertLowI32x4S => self.vec_unary(I32X4, |b, x| {
                let wide = b.ins().swiden_low(x);
                b.ins().fcvt_from_sint(F64X2, wide)
            }),
            O::F64x2ConvertLowI32x4U => self.vec_unary(I32X4, |b, x| {
                let wide = b.ins().uwiden_low(x);
                b.ins().fcvt_from_uint(F64X2, wide)
            }),
            O::F64x2PromoteLowF32x4 => self.vec_unary(F32X4, |b, x| b.ins().fvpromote_low(x)),
            O::F32x4DemoteF64x2Zero => self.vec_unary(F64X2, |b, x| b.ins().fvdemote(x)),
            O::I32x4TruncSatF32x4S => {
                self.vec_unary(F32X4, |b, x| b.ins().fcvt_to_sint_sat(I32X4, x))
            }
            O::I32x4TruncSatF32x4U => {
                self.vec_unary(F32X4, |b, x| b.ins().fcvt_to_uint_sat(I32X4, x))
            }
            O::I32x4TruncSatF64x2SZero => self.vec_unary(F64X2, trunc_sat_f64x2_s_zero),
            O::I32x4TruncSatF64x2UZero => self.vec_unary(F64X2, trunc_sat_f64x2_u_zero),
            _ => return false,
        }
        true
    }
}

/// The lane shape of a float operator named `f32x4.*` or `f64x2.*`.
fn float_lanes(op: &Operator<'_>) -> ir::Type {
    super::simd::shape_of(op).expect("internal: float SIMD operators are named fNxM.*")
}
