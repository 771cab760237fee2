//! Fixed-width SIMD (`v128`): constants, memory accesses, lanes, shuffles
//! and bitwise operators; the arithmetic lives in [`super::simd_int`],
//! [`super::simd_float`] and [`super::simd_relaxed`].
//!
//! Phase 2 (HOW). Inputs: operators of the `simd` and `relaxed_simd`
//! proposals. Outputs: CLIF vector instructions, lowered by Cranelift's
//! x86_64 backend for the x86-64-v2 baseline (SSE4.2, no AVX).
//!
//! Invariant: every `v128` value on the operand stack, in locals, block
//! parameters and signatures is an `I8X16` (see [`super::sig::clif_type`]).
//! Operators `bitcast` their operands to the lane type they work on
//! ([`FuncCodegen::pop_vec`]) and their results back to `I8X16`
//! ([`FuncCodegen::push_vec`]); bitcasts are little-endian so that lane
//! order is wasm's on any target, and free on x86_64.
//!
//! ```wat
//! (i32x4.add (local.get 0) (local.get 1))
//! ;; v2 = bitcast.i32x4 little v0 ; v3 = bitcast.i32x4 little v1
//! ;; v4 = iadd v2, v3            ; v5 = bitcast.i8x16 little v4
//! ```

use super::translator::FuncCodegen;
use crate::CompileError;
use cranelift_codegen::ir::types::{F32X4, F64X2, I8X16, I16X8, I32, I32X4, I64X2};
use cranelift_codegen::ir::{self, ConstantData, InstBuilder, MemFlagsData};
use cranelift_frontend::FunctionBuilder;
use wasmparser::{MemArg, Operator};

/// Flags of a `bitcast` between vector types: wasm lane order.
pub(super) fn lane_order_flags() -> MemFlagsData {
    MemFlagsData::new().with_endianness(ir::Endianness::Little)
}

/// A vector constant of type `ty` with little-endian `bytes`.
pub(super) fn vconst(b: &mut FunctionBuilder<'_>, ty: ir::Type, bytes: [u8; 16]) -> ir::Value {
    let handle = b.func.dfg.constants.insert(ConstantData::from(&bytes[..]));
    b.ins().vconst(ty, handle)
}

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it belongs to the SIMD or relaxed SIMD proposal.
    pub(super) fn translate_simd_operator(
        &mut self,
        op: &Operator<'_>,
    ) -> Result<bool, CompileError> {
        Ok(self.translate_simd_memory(op)?
            || self.translate_simd_lanes(op)
            || self.translate_simd_int(op)
            || self.translate_simd_float(op)
            || self.translate_simd_relaxed(op))
    }

    /// `v` as a vector of type `ty` (a bitcast unless it already is one).
    pub(super) fn cast_vec(&mut self, v: ir::Value, ty: ir::Type) -> ir::Value {
        if self.builder.func.dfg.value_type(v) == ty {
            v
        } else {
            self.builder.ins().bitcast(ty, lane_order_flags(), v)
        }
    }

    /// Pops a `v128` as a vector of type `ty`.
    pub(super) fn pop_vec(&mut self, ty: ir::Type) -> ir::Value {
        let v = self.pop1();
        self.cast_vec(v, ty)
    }

    /// Pops two `v128`s (deepest first) as vectors of type `ty`.
    pub(super) fn pop2_vec(&mut self, ty: ir::Type) -> (ir::Value, ir::Value) {
        let b = self.pop_vec(ty);
        let a = self.pop_vec(ty);
        (a, b)
    }

    /// Pushes vector `v` in the canonical `I8X16` type.
    pub(super) fn push_vec(&mut self, v: ir::Value) {
        let v = self.cast_vec(v, I8X16);
        self.stack.push(v);
    }

    /// A unary vector operator on lanes of type `ty`.
    pub(super) fn vec_unary(
        &mut self,
        ty: ir::Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, ir::Value) -> ir::Value,
    ) {
        let a = self.pop_vec(ty);
        let r = f(&mut self.builder, a);
        self.push_vec(r);
    }

    /// A binary vector operator on lanes of type `ty`.
    pub(super) fn vec_binary(
        &mut self,
        ty: ir::Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, ir::Value, ir::Value) -> ir::Value,
    ) {
        let (a, b) = self.pop2_vec(ty);
        let r = f(&mut self.builder, a, b);
        self.push_vec(r);
    }

    /// The address of a SIMD memory access of `size` bytes (the shared
    /// addressing and bounds checks of [`super::heap`]).
    fn simd_address(
        &mut self,
        memarg: &MemArg,
        index: ir::Value,
        size: u32,
    ) -> Result<(ir::Value, i32), CompileError> {
        self.heap_address(memarg, index, size)
    }

    /// Loads, stores, splat/zero/extend/lane loads and lane stores.
    fn translate_simd_memory(&mut self, op: &Operator<'_>) -> Result<bool, CompileError> {
        use Operator as O;
        let flags = super::env::heap_flags();
        match op {
            O::V128Load { memarg } => {
                let index = self.pop1();
                let (addr, off) = self.simd_address(memarg, index, 16)?;
                let v = self.builder.ins().load(I8X16, flags, addr, off);
                self.stack.push(v);
            }
            O::V128Store { memarg } => {
                let value = self.pop1();
                let index = self.pop1();
                let (addr, off) = self.simd_address(memarg, index, 16)?;
                self.builder.ins().store(flags, value, addr, off);
            }
            O::V128Load8x8S { memarg }
            | O::V128Load8x8U { memarg }
            | O::V128Load16x4S { memarg }
            | O::V128Load16x4U { memarg }
            | O::V128Load32x2S { memarg }
            | O::V128Load32x2U { memarg } => {
                let index = self.pop1();
                let (addr, off) = self.simd_address(memarg, index, 8)?;
                let ins = self.builder.ins();
                let v = match op {
                    O::V128Load8x8S { .. } => ins.sload8x8(flags, addr, off),
                    O::V128Load8x8U { .. } => ins.uload8x8(flags, addr, off),
                    O::V128Load16x4S { .. } => ins.sload16x4(flags, addr, off),
                    O::V128Load16x4U { .. } => ins.uload16x4(flags, addr, off),
                    O::V128Load32x2S { .. } => ins.sload32x2(flags, addr, off),
                    _ => ins.uload32x2(flags, addr, off),
                };
                self.push_vec(v);
            }
            O::V128Load8Splat { memarg }
            | O::V128Load16Splat { memarg }
            | O::V128Load32Splat { memarg }
            | O::V128Load64Splat { memarg } => {
                let ty = vec_type(op);
                let index = self.pop1();
                let (addr, off) = self.simd_address(memarg, index, ty.lane_type().bytes())?;
                let lane = self.builder.ins().load(ty.lane_type(), flags, addr, off);
                let v = self.builder.ins().splat(ty, lane);
                self.push_vec(v);
            }
            O::V128Load32Zero { memarg } | O::V128Load64Zero { memarg } => {
                let ty = vec_type(op);
                let index = self.pop1();
                let (addr, off) = self.simd_address(memarg, index, ty.lane_type().bytes())?;
                let lane = self.builder.ins().load(ty.lane_type(), flags, addr, off);
                let v = self.builder.ins().scalar_to_vector(ty, lane);
                self.push_vec(v);
            }
            O::V128Load8Lane { memarg, lane }
            | O::V128Load16Lane { memarg, lane }
            | O::V128Load32Lane { memarg, lane }
            | O::V128Load64Lane { memarg, lane } => {
                let ty = vec_type(op);
                let vector = self.pop_vec(ty);
                let index = self.pop1();
                let (addr, off) = self.simd_address(memarg, index, ty.lane_type().bytes())?;
                let x = self.builder.ins().load(ty.lane_type(), flags, addr, off);
                let v = self.builder.ins().insertlane(vector, x, *lane);
                self.push_vec(v);
            }
            O::V128Store8Lane { memarg, lane }
            | O::V128Store16Lane { memarg, lane }
            | O::V128Store32Lane { memarg, lane }
            | O::V128Store64Lane { memarg, lane } => {
                let ty = vec_type(op);
                let vector = self.pop_vec(ty);
                let index = self.pop1();
                let (addr, off) = self.simd_address(memarg, index, ty.lane_type().bytes())?;
                let x = self.builder.ins().extractlane(vector, *lane);
                self.builder.ins().store(flags, x, addr, off);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Constants, splats, lane access, shuffles and bitwise operators.
    fn translate_simd_lanes(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::V128Const { value } => {
                let v = vconst(&mut self.builder, I8X16, *value.bytes());
                self.stack.push(v);
            }
            O::I8x16Splat | O::I16x8Splat => {
                let ty = vec_type(op);
                let x = self.pop1();
                let x = self.builder.ins().ireduce(ty.lane_type(), x);
                let v = self.builder.ins().splat(ty, x);
                self.push_vec(v);
            }
            O::I32x4Splat | O::I64x2Splat | O::F32x4Splat | O::F64x2Splat => {
                let ty = vec_type(op);
                let x = self.pop1();
                let v = self.builder.ins().splat(ty, x);
                self.push_vec(v);
            }
            O::I8x16ExtractLaneS { lane } | O::I16x8ExtractLaneS { lane } => {
                let a = self.pop_vec(vec_type(op));
                let x = self.builder.ins().extractlane(a, *lane);
                let x = self.builder.ins().sextend(I32, x);
                self.stack.push(x);
            }
            O::I8x16ExtractLaneU { lane } | O::I16x8ExtractLaneU { lane } => {
                let a = self.pop_vec(vec_type(op));
                let x = self.builder.ins().extractlane(a, *lane);
                let x = self.builder.ins().uextend(I32, x);
                self.stack.push(x);
            }
            O::I32x4ExtractLane { lane }
            | O::I64x2ExtractLane { lane }
            | O::F32x4ExtractLane { lane }
            | O::F64x2ExtractLane { lane } => {
                let a = self.pop_vec(vec_type(op));
                let x = self.builder.ins().extractlane(a, *lane);
                self.stack.push(x);
            }
            O::I8x16ReplaceLane { lane } | O::I16x8ReplaceLane { lane } => {
                let ty = vec_type(op);
                let x = self.pop1();
                let a = self.pop_vec(ty);
                let x = self.builder.ins().ireduce(ty.lane_type(), x);
                let v = self.builder.ins().insertlane(a, x, *lane);
                self.push_vec(v);
            }
            O::I32x4ReplaceLane { lane }
            | O::I64x2ReplaceLane { lane }
            | O::F32x4ReplaceLane { lane }
            | O::F64x2ReplaceLane { lane } => {
                let x = self.pop1();
                let a = self.pop_vec(vec_type(op));
                let v = self.builder.ins().insertlane(a, x, *lane);
                self.push_vec(v);
            }
            O::I8x16Shuffle { lanes } => {
                let (a, b) = self.pop2_vec(I8X16);
                let mask = self
                    .builder
                    .func
                    .dfg
                    .immediates
                    .push(ConstantData::from(&lanes[..]));
                let v = self.builder.ins().shuffle(a, b, mask);
                self.push_vec(v);
            }
            // Out-of-range indices select 0, as Cranelift's `swizzle` does.
            O::I8x16Swizzle => self.vec_binary(I8X16, |b, x, y| b.ins().swizzle(x, y)),
            O::V128Not => self.vec_unary(I8X16, |b, x| b.ins().bnot(x)),
            O::V128And => self.vec_binary(I8X16, |b, x, y| b.ins().band(x, y)),
            O::V128AndNot => self.vec_binary(I8X16, |b, x, y| b.ins().band_not(x, y)),
            O::V128Or => self.vec_binary(I8X16, |b, x, y| b.ins().bor(x, y)),
            O::V128Xor => self.vec_binary(I8X16, |b, x, y| b.ins().bxor(x, y)),
            O::V128Bitselect => self.translate_bitselect(I8X16),
            O::V128AnyTrue => {
                let a = self.pop_vec(I8X16);
                let t = self.builder.ins().vany_true(a);
                let t = self.builder.ins().uextend(I32, t);
                self.stack.push(t);
            }
            _ => return false,
        }
        true
    }

    /// `v128.bitselect` (and `i16x8.relaxed_laneselect`): bits
    /// of the first operand where the mask (third) is 1, else the second.
    pub(super) fn translate_bitselect(&mut self, ty: ir::Type) {
        let mask = self.pop_vec(ty);
        let (a, b) = self.pop2_vec(ty);
        let v = self.builder.ins().bitselect(mask, a, b);
        self.push_vec(v);
    }
}

/// The vector type an operator works on (its lane shape), for the
/// operators whose name says it.
pub(super) fn vec_type(op: &Operator<'_>) -> ir::Type {
    use Operator as O;
    match op {
        O::V128Load8Splat { .. }
        | O::V128Load8Lane { .. }
        | O::V128Store8Lane { .. }
        | O::I8x16Splat
        | O::I8x16ExtractLaneS { .. }
        | O::I8x16ExtractLaneU { .. }
        | O::I8x16ReplaceLane { .. } => I8X16,
        O::V128Load16Splat { .. }
        | O::V128Load16Lane { .. }
        | O::V128Store16Lane { .. }
        | O::I16x8Splat
        | O::I16x8ExtractLaneS { .. }
        | O::I16x8ExtractLaneU { .. }
        | O::I16x8ReplaceLane { .. } => I16X8,
        O::V128Load32Splat { .. }
        | O::V128Load32Zero { .. }
        | O::V128Load32Lane { .. }
        | O::V128Store32Lane { .. }
        | O::I32x4Splat
        | O::I32x4ExtractLane { .. }
        | O::I32x4ReplaceLane { .. } => I32X4,
        O::V128Load64Splat { .. }
        | O::V128Load64Zero { .. }
        | O::V128Load64Lane { .. }
        | O::V128Store64Lane { .. }
        | O::I64x2Splat
        | O::I64x2ExtractLane { .. }
        | O::I64x2ReplaceLane { .. } => I64X2,
        O::F32x4Splat | O::F32x4ExtractLane { .. } | O::F32x4ReplaceLane { .. } => F32X4,
        O::F64x2Splat | O::F64x2ExtractLane { .. } | O::F64x2ReplaceLane { .. } => F64X2,
        _ => unreachable!("internal: vec_type of {op:?}"),
    }
}

/// The lane shape an operator's text name starts with (`i8x16.add` ->
/// `I8X16`, `f64x2.min` -> `F64X2`), from wasmparser's operator table; `None`
/// for names without a shape prefix (`v128.*`).
pub(super) fn shape_of(op: &Operator<'_>) -> Option<ir::Type> {
    macro_rules! visit_name {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $( Operator::$op { .. } => stringify!($visit), )*
                _ => "",
            }
        };
    }
    let name = wasmparser::for_each_operator!(visit_name);
    let shape = name.strip_prefix("visit_")?;
    [
        ("i8x16_", I8X16),
        ("i16x8_", I16X8),
        ("i32x4_", I32X4),
        ("i64x2_", I64X2),
        ("f32x4_", F32X4),
        ("f64x2_", F64X2),
    ]
    .into_iter()
    .find(|(prefix, _)| shape.starts_with(prefix))
    .map(|(_, ty)| ty)
}

/// An all-zero `I64X2`, the upper half of the `*_zero` conversions.
pub(super) fn zero_i64x2(b: &mut FunctionBuilder<'_>) -> ir::Value {
    vconst(b, I64X2, [0; 16])
}
