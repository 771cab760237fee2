//! Relaxed SIMD, with the deterministic semantics of the proposal's
//! deterministic profile (Wasmtime's `relaxed_simd_deterministic`), so a
//! program's results never depend on the CPU it runs on:
//!
//! | operator | result |
//! |---|---|
//! | `i8x16.relaxed_swizzle` | `i8x16.swizzle` (index >= 16 selects 0) |
//! | `i32x4.relaxed_trunc_*` | the matching `trunc_sat` (NaN -> 0, saturating) |
//! | `f32x4/f64x2.relaxed_madd` | fused `a * b + c` (one rounding) |
//! | `f32x4/f64x2.relaxed_nmadd` | fused `-a * b + c` |
//! | `*.relaxed_laneselect` | `v128.bitselect` (bit by bit) |
//! | `f32x4/f64x2.relaxed_min/max` | `fmin`/`fmax` (NaN-propagating, `-0 < +0`) |
//! | `i16x8.relaxed_q15mulr_s` | `i16x8.q15mulr_sat_s` (saturating) |
//! | `i16x8.relaxed_dot_i8x16_i7x16_s` | dot product with both operands signed |
//! | `i32x4.relaxed_dot_i8x16_i7x16_add_s` | the same, summed exactly into `i32` lanes, plus `c` |
//!
//! Phase 2 (HOW). Inputs: `relaxed_simd` operators. Outputs: CLIF. NB: the
//! x86-64-v2 baseline has no FMA instructions, so the fused multiply-add is
//! one call per lane to the runtime's `fma_f32`/`fma_f64` libcalls (correctly
//! rounded in software when the CPU lacks FMA); with `--cpu` features
//! including `has_fma`, Cranelift's `fma` is used directly.

use super::simd::vconst;
use super::simd_float::{trunc_sat_f64x2_s_zero, trunc_sat_f64x2_u_zero};
use super::simd_int::signed_dot;
use super::translator::FuncCodegen;
use cranelift_codegen::ir::types::{F32X4, F64X2, I8X16, I16X8, I32X4, I64X2};
use cranelift_codegen::ir::{self, InstBuilder};
use wasmparser::Operator;

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it is a relaxed SIMD operator.
    pub(super) fn translate_simd_relaxed(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::I8x16RelaxedSwizzle => self.vec_binary(I8X16, |b, x, y| b.ins().swizzle(x, y)),
            O::I32x4RelaxedTruncF32x4S => {
                self.vec_unary(F32X4, |b, x| b.ins().fcvt_to_sint_sat(I32X4, x))
            }
            O::I32x4RelaxedTruncF32x4U => {
                self.vec_unary(F32X4, |b, x| b.ins().fcvt_to_uint_sat(I32X4, x))
            }
            O::I32x4RelaxedTruncF64x2SZero => self.vec_unary(F64X2, trunc_sat_f64x2_s_zero),
            O::I32x4RelaxedTruncF64x2UZero => self.vec_unary(F64X2, trunc_sat_f64x2_u_zero),
            O::F32x4RelaxedMadd => self.translate_fma(F32X4, false),
            O::F32x4RelaxedNmadd => self.translate_fma(F32X4, true),
            O::F64x2RelaxedMadd => self.translate_fma(F64X2, false),
            O::F64x2RelaxedNmadd => self.translate_fma(F64X2, true),
            O::I8x16RelaxedLaneselect => self.translate_bitselect(I8X16),
            O::I16x8RelaxedLaneselect => self.translate_bitselect(I16X8),
            O::I32x4RelaxedLaneselect => self.translate_bitselect(I32X4),
            O::I64x2RelaxedLaneselect => self.translate_bitselect(I64X2),
            O::F32x4RelaxedMin => self.vec_binary(F32X4, |b, x, y| b.ins().fmin(x, y)),
            O::F64x2RelaxedMin => self.vec_binary(F64X2, |b, x, y| b.ins().fmin(x, y)),
            O::F32x4RelaxedMax => self.vec_binary(F32X4, |b, x, y| b.ins().fmax(x, y)),
            O::F64x2RelaxedMax => self.vec_binary(F64X2, |b, x, y| b.ins().fmax(x, y)),
            O::I16x8RelaxedQ15mulrS => {
                self.vec_binary(I16X8, |b, x, y| b.ins().sqmul_round_sat(x, y))
            }
            // Both operands signed, whatever the top bit of the second.
            O::I16x8RelaxedDotI8x16I7x16S => self.vec_binary(I8X16, signed_dot),
            O::I32x4RelaxedDotI8x16I7x16AddS => {
                let c = self.pop_vec(I32X4);
                let (a, b) = self.pop2_vec(I8X16);
                let bld = &mut self.builder;
                // Products of two i8 fit in i16 exactly; sums of four need
                // i32, so widen the i16 products before adding pairs.
                let a16 = [bld.ins().swiden_low(a), bld.ins().swiden_high(a)];
                let b16 = [bld.ins().swiden_low(b), bld.ins().swiden_high(b)];
                // The signed dot product with (1, 1, ...) adds adjacent i16
                // lanes exactly into i32 lanes.
                let ones = vconst(bld, I16X8, [1, 0].repeat(8).try_into().expect("16 bytes"));
                let sums = [0, 1].map(|half| {
                    let p = bld.ins().imul(a16[half], b16[half]);
                    signed_dot(bld, p, ones)
                });
                let dot = bld.ins().iadd_pairwise(sums[0], sums[1]);
                let r = bld.ins().iadd(dot, c);
                self.push_vec(r);
            }
            _ => return false,
        }
        true
    }

    /// `relaxed_madd` (`a * b + c`) and `relaxed_nmadd` (`-a * b + c`),
    /// fused, lane by lane.
    fn translate_fma(&mut self, ty: ir::Type, negate: bool) {
        let c = self.pop_vec(ty);
        let (a, b) = self.pop2_vec(ty);
        let a = if negate {
            self.builder.ins().fneg(a)
        } else {
            a
        };
        let native = self
            .env
            .isa
            .isa_flags()
            .iter()
            .any(|f| f.name == "has_fma" && f.as_bool() == Some(true));
        if native {
            let r = self.builder.ins().fma(a, b, c);
            self.push_vec(r);
            return;
        }
        let libcall = if ty == F32X4 { "fma_f32" } else { "fma_f64" };
        let mut r = a;
        for lane in 0..ty.lane_count() as u8 {
            let x = self.builder.ins().extractlane(a, lane);
            let y = self.builder.ins().extractlane(b, lane);
            let z = self.builder.ins().extractlane(c, lane);
            let v = self
                .call_libcall(libcall, &[x, y, z])
                .expect("internal: fma libcalls return a value");
            r = self.builder.ins().insertlane(r, v, lane);
        }
        self.push_vec(r);
    }
}
