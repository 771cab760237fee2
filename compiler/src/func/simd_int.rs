//! Integer SIMD: lane-wise arithmetic, comparisons, shifts, reductions
//! (`all_true`, `bitmask`), and the widening and narrowing operators
//! (narrow, extend, extadd pairwise, extmul, dot).
//!
//! Phase 2 (HOW). Inputs: integer `v128` operators. Outputs: CLIF vector
//! instructions whose semantics are wasm's, lane for lane: `iadd`/`isub`/
//! `imul` wrap, the `*_sat` forms saturate, `ishl`/`ushr`/`sshr` take the
//! shift count modulo the lane width (as wasm does), comparisons give
//! all-ones or all-zeros lanes. See [`super::simd`] for the `I8X16`
//! canonical-type invariant.

use super::translator::FuncCodegen;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I8X16, I16X8, I32, I32X4};
use cranelift_codegen::ir::{self, InstBuilder};
use cranelift_frontend::FunctionBuilder;
use wasmparser::Operator;

/// How an operator widens the lanes of its operand(s).
#[derive(Copy, Clone)]
enum Widen {
    /// `swiden_low`.
    LowS,
    /// `swiden_high`.
    HighS,
    /// `uwiden_low`.
    LowU,
    /// `uwiden_high`.
    HighU,
}

fn widen(b: &mut FunctionBuilder<'_>, w: Widen, x: ir::Value) -> ir::Value {
    match w {
        Widen::LowS => b.ins().swiden_low(x),
        Widen::HighS => b.ins().swiden_high(x),
        Widen::LowU => b.ins().uwiden_low(x),
        Widen::HighU => b.ins().uwiden_high(x),
    }
}

/// The signed dot product of adjacent lane pairs, into lanes twice as wide
/// (`i16x8` -> `i32x4`, `i8x16` -> `i16x8`): each result lane is the sum of
/// two exact products, wrapping (for `i32x4.dot_i16x8_s` only
/// `-32768 * -32768 * 2` wraps, to `i32::MIN`, as the spec requires).
pub(super) fn signed_dot(b: &mut FunctionBuilder<'_>, x: ir::Value, y: ir::Value) -> ir::Value {
    let xl = b.ins().swiden_low(x);
    let yl = b.ins().swiden_low(y);
    let lo = b.ins().imul(xl, yl);
    let xh = b.ins().swiden_high(x);
    let yh = b.ins().swiden_high(y);
    let hi = b.ins().imul(xh, yh);
    b.ins().iadd_pairwise(lo, hi)
}

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it is an integer SIMD operator.
    pub(super) fn translate_simd_int(&mut self, op: &Operator<'_>) -> bool {
        self.translate_simd_int_arith(op)
            || self.translate_simd_int_compare(op)
            || self.translate_simd_int_widen(op)
    }

    /// Lane-wise arithmetic, shifts and reductions.
    fn translate_simd_int_arith(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::I8x16Add | O::I16x8Add | O::I32x4Add | O::I64x2Add => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().iadd(x, y))
            }
            O::I8x16Sub | O::I16x8Sub | O::I32x4Sub | O::I64x2Sub => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().isub(x, y))
            }
            O::I16x8Mul | O::I32x4Mul | O::I64x2Mul => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().imul(x, y))
            }
            O::I8x16AddSatS | O::I16x8AddSatS => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().sadd_sat(x, y))
            }
            O::I8x16AddSatU | O::I16x8AddSatU => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().uadd_sat(x, y))
            }
            O::I8x16SubSatS | O::I16x8SubSatS => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().ssub_sat(x, y))
            }
            O::I8x16SubSatU | O::I16x8SubSatU => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().usub_sat(x, y))
            }
            O::I8x16MinS | O::I16x8MinS | O::I32x4MinS => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().smin(x, y))
            }
            O::I8x16MinU | O::I16x8MinU | O::I32x4MinU => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().umin(x, y))
            }
            O::I8x16MaxS | O::I16x8MaxS | O::I32x4MaxS => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().smax(x, y))
            }
            O::I8x16MaxU | O::I16x8MaxU | O::I32x4MaxU => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().umax(x, y))
            }
            O::I8x16AvgrU | O::I16x8AvgrU => {
                self.vec_binary(lanes(op), |b, x, y| b.ins().avg_round(x, y))
            }
            O::I16x8Q15MulrSatS => self.vec_binary(I16X8, |b, x, y| b.ins().sqmul_round_sat(x, y)),
            O::I8x16Neg | O::I16x8Neg | O::I32x4Neg | O::I64x2Neg => {
                self.vec_unary(lanes(op), |b, x| b.ins().ineg(x))
            }
            O::I8x16Abs | O::I16x8Abs | O::I32x4Abs | O::I64x2Abs => {
                self.vec_unary(lanes(op), |b, x| b.ins().iabs(x))
            }
            O::I8x16Popcnt => self.vec_unary(I8X16, |b, x| b.ins().popcnt(x)),
            // Cranelift masks the (scalar) count by the lane width, which is
            // wasm's `count mod lane_bits`.
            O::I8x16Shl | O::I16x8Shl | O::I32x4Shl | O::I64x2Shl => {
                self.translate_vec_shift(lanes(op), |b, x, n| b.ins().ishl(x, n))
            }
            O::I8x16ShrS | O::I16x8ShrS | O::I32x4ShrS | O::I64x2ShrS => {
                self.translate_vec_shift(lanes(op), |b, x, n| b.ins().sshr(x, n))
            }
            O::I8x16ShrU | O::I16x8ShrU | O::I32x4ShrU | O::I64x2ShrU => {
                self.translate_vec_shift(lanes(op), |b, x, n| b.ins().ushr(x, n))
            }
            O::I8x16AllTrue | O::I16x8AllTrue | O::I32x4AllTrue | O::I64x2AllTrue => {
                let a = self.pop_vec(lanes(op));
                let t = self.builder.ins().vall_true(a);
                let t = self.builder.ins().uextend(I32, t);
                self.stack.push(t);
            }
            O::I8x16Bitmask | O::I16x8Bitmask | O::I32x4Bitmask | O::I64x2Bitmask => {
                let a = self.pop_vec(lanes(op));
                let m = self.builder.ins().vhigh_bits(I32, a);
                self.stack.push(m);
            }
            _ => return false,
        }
        true
    }

    /// A shift of the vector under the top by the `i32` count on top.
    fn translate_vec_shift(
        &mut self,
        ty: ir::Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, ir::Value, ir::Value) -> ir::Value,
    ) {
        let count = self.pop1();
        let a = self.pop_vec(ty);
        let r = f(&mut self.builder, a, count);
        self.push_vec(r);
    }

    /// Lane-wise comparisons: all-ones lanes where true.
    fn translate_simd_int_compare(&mut self, op: &Operator<'_>) -> bool {
        use IntCC::*;
        use Operator as O;
        let cc = match op {
            O::I8x16Eq | O::I16x8Eq | O::I32x4Eq | O::I64x2Eq => Equal,
            O::I8x16Ne | O::I16x8Ne | O::I32x4Ne | O::I64x2Ne => NotEqual,
            O::I8x16LtS | O::I16x8LtS | O::I32x4LtS | O::I64x2LtS => SignedLessThan,
            O::I8x16LtU | O::I16x8LtU | O::I32x4LtU => UnsignedLessThan,
            O::I8x16GtS | O::I16x8GtS | O::I32x4GtS | O::I64x2GtS => SignedGreaterThan,
            O::I8x16GtU | O::I16x8GtU | O::I32x4GtU => UnsignedGreaterThan,
            O::I8x16LeS | O::I16x8LeS | O::I32x4LeS | O::I64x2LeS => SignedLessThanOrEqual,
            O::I8x16LeU | O::I16x8LeU | O::I32x4LeU => UnsignedLessThanOrEqual,
            O::I8x16GeS | O::I16x8GeS | O::I32x4GeS | O::I64x2GeS => SignedGreaterThanOrEqual,
            O::I8x16GeU | O::I16x8GeU | O::I32x4GeU => UnsignedGreaterThanOrEqual,
            _ => return false,
        };
        self.vec_binary(lanes(op), |b, x, y| b.ins().icmp(cc, x, y));
        true
    }

    /// Narrowing, extension, pairwise addition, extended multiplication and
    /// the dot product.
    fn translate_simd_int_widen(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        use Widen::*;
        match op {
            O::I8x16NarrowI16x8S => self.vec_binary(I16X8, |b, x, y| b.ins().snarrow(x, y)),
            O::I8x16NarrowI16x8U => self.vec_binary(I16X8, |b, x, y| b.ins().unarrow(x, y)),
            O::I16x8NarrowI32x4S => self.vec_binary(I32X4, |b, x, y| b.ins().snarrow(x, y)),
            O::I16x8NarrowI32x4U => self.vec_binary(I32X4, |b, x, y| b.ins().unarrow(x, y)),
            O::I16x8ExtendLowI8x16S => self.vec_unary(I8X16, |b, x| widen(b, LowS, x)),
            O::I16x8ExtendHighI8x16S => self.vec_unary(I8X16, |b, x| widen(b, HighS, x)),
            O::I16x8ExtendLowI8x16U => self.vec_unary(I8X16, |b, x| widen(b, LowU, x)),
            O::I16x8ExtendHighI8x16U => self.vec_unary(I8X16, |b, x| widen(b, HighU, x)),
            O::I32x4ExtendLowI16x8S => self.vec_unary(I16X8, |b, x| widen(b, LowS, x)),
            O::I32x4ExtendHighI16x8S => self.vec_unary(I16X8, |b, x| widen(b, HighS, x)),
            O::I32x4ExtendLowI16x8U => self.vec_unary(I16X8, |b, x| widen(b, LowU, x)),
            O::I32x4ExtendHighI16x8U => self.vec_unary(I16X8, |b, x| widen(b, HighU, x)),
            O::I64x2ExtendLowI32x4S => self.vec_unary(I32X4, |b, x| widen(b, LowS, x)),
            O::I64x2ExtendHighI32x4S => self.vec_unary(I32X4, |b, x| widen(b, HighS, x)),
            O::I64x2ExtendLowI32x4U => self.vec_unary(I32X4, |b, x| widen(b, LowU, x)),
            O::I64x2ExtendHighI32x4U => self.vec_unary(I32X4, |b, x| widen(b, HighU, x)),
            O::I16x8ExtAddPairwiseI8x16S => self.translate_extadd(I8X16, LowS, HighS),
            O::I16x8ExtAddPairwiseI8x16U => self.translate_extadd(I8X16, LowU, HighU),
            O::I32x4ExtAddPairwiseI16x8S => self.translate_extadd(I16X8, LowS, HighS),
            O::I32x4ExtAddPairwiseI16x8U => self.translate_extadd(I16X8, LowU, HighU),
            O::I16x8ExtMulLowI8x16S => self.translate_extmul(I8X16, LowS),
            O::I16x8ExtMulHighI8x16S => self.translate_extmul(I8X16, HighS),
            O::I16x8ExtMulLowI8x16U => self.translate_extmul(I8X16, LowU),
            O::I16x8ExtMulHighI8x16U => self.translate_extmul(I8X16, HighU),
            O::I32x4ExtMulLowI16x8S => self.translate_extmul(I16X8, LowS),
            O::I32x4ExtMulHighI16x8S => self.translate_extmul(I16X8, HighS),
            O::I32x4ExtMulLowI16x8U => self.translate_extmul(I16X8, LowU),
            O::I32x4ExtMulHighI16x8U => self.translate_extmul(I16X8, HighU),
            O::I64x2ExtMulLowI32x4S => self.translate_extmul(I32X4, LowS),
            O::I64x2ExtMulHighI32x4S => self.translate_extmul(I32X4, HighS),
            O::I64x2ExtMulLowI32x4U => self.translate_extmul(I32X4, LowU),
            O::I64x2ExtMulHighI32x4U => self.translate_extmul(I32X4, HighU),
            O::I32x4DotI16x8S => self.vec_binary(I16X8, signed_dot),
            _ => return false,
        }
        true
    }

    /// `extadd_pairwise`: widen both halves, then add adjacent lanes.
    fn translate_extadd(&mut self, ty: ir::Type, low: Widen, high: Widen) {
        self.vec_unary(ty, |b, x| {
            let l = widen(b, low, x);
            let h = widen(b, high, x);
            b.ins().iadd_pairwise(l, h)
        });
    }

    /// `extmul`: widen one half of both operands, then multiply (exact).
    fn translate_extmul(&mut self, ty: ir::Type, half: Widen) {
        self.vec_binary(ty, |b, x, y| {
            let x = widen(b, half, x);
            let y = widen(b, half, y);
            b.ins().imul(x, y)
        });
    }
}

/// The lane shape of an integer operator named `iNxM.*`.
fn lanes(op: &Operator<'_>) -> ir::Type {
    super::simd::shape_of(op).expect("internal: integer SIMD operators are named iNxM.*")
}
