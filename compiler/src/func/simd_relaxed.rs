//! Relaxed SIMD with the results of Wasmtime's default (non-deterministic)
//! x86-64 lowering, which is what `wasmtime run -W relaxed-simd` computes on
//! every x86-64 CPU with SSSE3 and SSE4.1 (Kiln's x86-64-v2 baseline has both).
//! Kiln only targets x86-64, so the choice is still deterministic for Kiln,
//! and it is the reference engine's: differential runs against Wasmtime agree,
//! and code generators that emit relaxed operators for x86-shaped patterns
//! (LLVM turns `a < b ? a : b` on f32 vectors into `f32x4.relaxed_min`) get
//! the results they expect.
//!
//! | operator | result |
//! |---|---|
//! | `i8x16.relaxed_swizzle` | `pshufb`: index with the top bit set selects 0, else index & 15 |
//! | `i32x4.relaxed_trunc_f32x4_s`, `_f64x2_s_zero` | `cvttps2dq`/`cvttpd2dq`: NaN and out-of-range give `i32::MIN` |
//! | `i32x4.relaxed_trunc_*_u` | the matching `trunc_sat` (NaN -> 0, saturating) |
//! | `f32x4/f64x2.relaxed_madd` | fused `a * b + c` (one rounding) |
//! | `f32x4/f64x2.relaxed_nmadd` | fused `-a * b + c` |
//! | `i8x16/i32x4/i64x2.relaxed_laneselect` | `pblendvb`/`blendvps`/`blendvpd`: each lane by the top bit of its mask lane |
//! | `i16x8.relaxed_laneselect` | `v128.bitselect` (bit by bit: x86 has no 16-bit blend) |
//! | `f32x4/f64x2.relaxed_min/max` | `f32x4.pmin`/`pmax` (`b < a ? b : a`, `a < b ? b : a`) |
//! | `i16x8.relaxed_q15mulr_s` | `pmulhrsw` (not saturating: `-32768 * -32768 = -32768`) |
//! | `i16x8.relaxed_dot_i8x16_i7x16_s` | `pmaddubsw`: first operand unsigned, pairs added with saturation |
//! | `i32x4.relaxed_dot_i8x16_i7x16_add_s` | the `pmaddubsw` pairs widened and added into `i32` lanes, plus `c` |
//!
//! Phase 2 (HOW). Inputs: `relaxed_simd` operators. Outputs: CLIF, using the
//! same Cranelift x86 instructions Wasmtime uses (`x86_pshufb`, `x86_cvtt2dq`,
//! `blendv`, `x86_pmulhrsw`, `x86_pmaddubsw`). NB: the x86-64-v2 baseline has
//! no FMA instructions, so the fused multiply-add is one call per lane to the
//! runtime's `fma_f32`/`fma_f64` libcalls (correctly rounded in software when
//! the CPU lacks FMA); with `--cpu` features including `has_fma`, Cranelift's
//! `fma` is used directly. Wasmtime fuses too on any CPU with FMA.

use super::simd::vconst;
use super::simd_float::{pmax, pmin, trunc_sat_f64x2_u_zero};
use super::translator::FuncCodegen;
use cranelift_codegen::ir::types::{F32X4, F64X2, I8X16, I16X8, I32X4, I64X2};
use cranelift_codegen::ir::{self, InstBuilder};
use wasmparser::Operator;

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it is a relaxed SIMD operator.
    pub(super) fn translate_simd_relaxed(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::I8x16RelaxedSwizzle => self.vec_binary(I8X16, |b, x, y| b.ins().x86_pshufb(x, y)),
            O::I32x4RelaxedTruncF32x4S => {
                self.vec_unary(F32X4, |b, x| b.ins().x86_cvtt2dq(I32X4, x))
            }
            O::I32x4RelaxedTruncF32x4U => {
                self.vec_unary(F32X4, |b, x| b.ins().fcvt_to_uint_sat(I32X4, x))
            }
            // The backend matches `snarrow(x86_cvtt2dq.i64x2, 0)` as one
            // `cvttpd2dq` (as Wasmtime emits it).
            O::I32x4RelaxedTruncF64x2SZero => self.vec_unary(F64X2, |b, x| {
                let wide = b.ins().x86_cvtt2dq(I64X2, x);
                let zero = vconst(b, I64X2, [0; 16]);
                b.ins().snarrow(wide, zero)
            }),
            O::I32x4RelaxedTruncF64x2UZero => self.vec_unary(F64X2, trunc_sat_f64x2_u_zero),
            O::F32x4RelaxedMadd => self.translate_fma(F32X4, false),
            O::F32x4RelaxedNmadd => self.translate_fma(F32X4, true),
            O::F64x2RelaxedMadd => self.translate_fma(F64X2, false),
            O::F64x2RelaxedNmadd => self.translate_fma(F64X2, true),
            O::I8x16RelaxedLaneselect => self.translate_blendv(I8X16),
            // x86 has no 16-bit blend, so Wasmtime (and Kiln) use `bitselect`.
            O::I16x8RelaxedLaneselect => self.translate_bitselect(I16X8),
            O::I32x4RelaxedLaneselect => self.translate_blendv(I32X4),
            O::I64x2RelaxedLaneselect => self.translate_blendv(I64X2),
            O::F32x4RelaxedMin => self.vec_binary(F32X4, pmin),
            O::F64x2RelaxedMin => self.vec_binary(F64X2, pmin),
            O::F32x4RelaxedMax => self.vec_binary(F32X4, pmax),
            O::F64x2RelaxedMax => self.vec_binary(F64X2, pmax),
            O::I16x8RelaxedQ15mulrS => self.vec_binary(I16X8, |b, x, y| b.ins().x86_pmulhrsw(x, y)),
            O::I16x8RelaxedDotI8x16I7x16S => {
                self.vec_binary(I8X16, |b, x, y| b.ins().x86_pmaddubsw(x, y))
            }
            O::I32x4RelaxedDotI8x16I7x16AddS => {
                let c = self.pop_vec(I32X4);
                let (a, b) = self.pop2_vec(I8X16);
                let bld = &mut self.builder;
                let dot = bld.ins().x86_pmaddubsw(a, b);
                let lo = bld.ins().swiden_low(dot);
                let hi = bld.ins().swiden_high(dot);
                let sum = bld.ins().iadd_pairwise(lo, hi);
                let r = bld.ins().iadd(sum, c);
                self.push_vec(r);
            }
            _ => return false,
        }
        true
    }

    /// `relaxed_laneselect`: each lane of `a` or `b` by the top bit of the
    /// mask lane (x86 `blendv`).
    fn translate_blendv(&mut self, ty: ir::Type) {
        let mask = self.pop_vec(ty);
        let (a, b) = self.pop2_vec(ty);
        let v = self.builder.ins().blendv(mask, a, b);
        self.push_vec(v);
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
