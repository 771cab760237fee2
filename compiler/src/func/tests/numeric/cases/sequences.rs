//! Operator sequences for the numeric machine-code tests (test-only).
//!
//! Cranelift's optimizer rewrites chains of instructions as a whole, so a
//! correct translation of each operator alone does not prove the chain
//! right: `eqz` of a float compare must stay true on NaN, bitcast round trips
//! must keep signalling NaNs, extend/wrap pairs must mask correctly.

use super::{
    Expect, F32_1, F32_2, F64_1, F64_2, I32_1, I32_2, I64_1, I64_2, OpTest, Ty, bits32, bits64,
    boolean, f32_of, fbinary, fcompare, float_result, s32, s64, trunc_i32_s, trunc_i64_u, u32_,
};
use wasmparser::Operator;

fn seq(
    ops: Vec<Operator<'static>>,
    params: &'static [Ty],
    result: Ty,
    reference: fn(u64, u64) -> Expect,
) -> OpTest {
    OpTest {
        ops,
        params,
        result,
        reference,
    }
}

/// Short operator sequences and their references.
#[allow(
    clippy::neg_cmp_op_on_partial_ord,
    reason = "`!(x < y)` on NaN is exactly what `eqz` of a compare must give"
)]
pub(crate) fn sequence_tests() -> Vec<OpTest> {
    use Operator as O;
    vec![
        seq(vec![O::F32Eq, O::I32Eqz], F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| !(x == y))
        }),
        seq(vec![O::F32Ne, O::I32Eqz], F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| !(x != y))
        }),
        seq(vec![O::F32Lt, O::I32Eqz], F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| !(x < y))
        }),
        seq(vec![O::F32Gt, O::I32Eqz], F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| !(x > y))
        }),
        seq(vec![O::F32Le, O::I32Eqz], F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| !(x <= y))
        }),
        seq(vec![O::F32Ge, O::I32Eqz], F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| !(x >= y))
        }),
        seq(vec![O::F64Eq, O::I32Eqz], F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| !(x == y))
        }),
        seq(vec![O::F64Ne, O::I32Eqz], F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| !(x != y))
        }),
        seq(vec![O::F64Lt, O::I32Eqz], F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| !(x < y))
        }),
        seq(vec![O::F64Gt, O::I32Eqz], F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| !(x > y))
        }),
        seq(vec![O::F64Le, O::I32Eqz], F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| !(x <= y))
        }),
        seq(vec![O::F64Ge, O::I32Eqz], F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| !(x >= y))
        }),
        seq(vec![O::I32LtS, O::I32Eqz], I32_2, Ty::I32, |a, b| {
            boolean(s32(a) >= s32(b))
        }),
        seq(vec![O::I32GeU, O::I32Eqz], I32_2, Ty::I32, |a, b| {
            boolean(u32_(a) < u32_(b))
        }),
        seq(vec![O::I64LtU, O::I32Eqz], I64_2, Ty::I32, |a, b| {
            boolean(a >= b)
        }),
        seq(vec![O::I64Eq, O::I32Eqz], I64_2, Ty::I32, |a, b| {
            boolean(a != b)
        }),
        seq(vec![O::I32Eqz, O::I32Eqz], I32_1, Ty::I32, |a, _| {
            boolean(u32_(a) != 0)
        }),
        seq(vec![O::I64Eqz, O::I32Eqz], I64_1, Ty::I32, |a, _| {
            boolean(a != 0)
        }),
        seq(vec![O::F32Neg, O::F32Neg], F32_1, Ty::F32, |a, _| bits64(a)),
        seq(vec![O::F32Abs, O::F32Neg], F32_1, Ty::F32, |a, _| {
            bits64(a | 1 << 31)
        }),
        seq(vec![O::F32Neg, O::F32Abs], F32_1, Ty::F32, |a, _| {
            bits64(a & !(1 << 31))
        }),
        seq(vec![O::F64Abs, O::F64Neg], F64_1, Ty::F64, |a, _| {
            bits64(a | 1 << 63)
        }),
        seq(vec![O::F64Neg, O::F64Abs], F64_1, Ty::F64, |a, _| {
            bits64(a & !(1 << 63))
        }),
        seq(vec![O::F32Mul, O::F32Neg], F32_2, Ty::F32, |a, b| {
            fbinary::<f32>(a, b, |x, y| -(x * y))
        }),
        seq(vec![O::F64Add, O::F64Neg], F64_2, Ty::F64, |a, b| {
            fbinary::<f64>(a, b, |x, y| -(x + y))
        }),
        seq(
            vec![O::I32WrapI64, O::I64ExtendI32U],
            I64_1,
            Ty::I64,
            |a, _| bits64(a & 0xffff_ffff),
        ),
        seq(
            vec![O::I32WrapI64, O::I64ExtendI32S],
            I64_1,
            Ty::I64,
            |a, _| bits64(a as i32 as i64 as u64),
        ),
        seq(
            vec![O::I64ExtendI32U, O::I32WrapI64],
            I32_1,
            Ty::I32,
            |a, _| bits64(a),
        ),
        seq(
            vec![O::I64ExtendI32S, O::I32WrapI64],
            I32_1,
            Ty::I32,
            |a, _| bits64(a),
        ),
        seq(
            vec![O::I64Extend32S, O::I32WrapI64],
            I64_1,
            Ty::I32,
            |a, _| bits64(a & 0xffff_ffff),
        ),
        seq(
            vec![O::I32Extend8S, O::I32Extend16S],
            I32_1,
            Ty::I32,
            |a, _| bits32(a as i8 as i32 as u32),
        ),
        seq(vec![O::I64Popcnt, O::I32WrapI64], I64_1, Ty::I32, |a, _| {
            bits32(a.count_ones())
        }),
        seq(
            vec![O::F64PromoteF32, O::F32DemoteF64],
            F32_1,
            Ty::F32,
            |a, _| float_result(f64::from(f32_of(a)) as f32, Ty::F32, &[a]),
        ),
        seq(
            vec![O::F32ConvertI32S, O::I32TruncF32S],
            I32_1,
            Ty::I32,
            |a, _| trunc_i32_s((s32(a) as f32).into()),
        ),
        seq(
            vec![O::F64ConvertI32U, O::I32TruncF64U],
            I32_1,
            Ty::I32,
            |a, _| bits64(a),
        ),
        seq(
            vec![O::F32ConvertI64U, O::I64TruncF32U],
            I64_1,
            Ty::I64,
            |a, _| trunc_i64_u((a as f32).into()),
        ),
        seq(
            vec![O::F64ConvertI64S, O::I64TruncSatF64S],
            I64_1,
            Ty::I64,
            |a, _| bits64(s64(a) as f64 as i64 as u64),
        ),
        seq(
            vec![O::I32ReinterpretF32, O::F32ReinterpretI32],
            F32_1,
            Ty::F32,
            |a, _| bits64(a),
        ),
        seq(
            vec![O::F32ReinterpretI32, O::I32ReinterpretF32],
            I32_1,
            Ty::I32,
            |a, _| bits64(a),
        ),
        seq(
            vec![O::I64ReinterpretF64, O::F64ReinterpretI64],
            F64_1,
            Ty::F64,
            |a, _| bits64(a),
        ),
        seq(
            vec![O::F64ReinterpretI64, O::F64Neg, O::I64ReinterpretF64],
            I64_1,
            Ty::I64,
            |a, _| bits64(a ^ 1 << 63),
        ),
        seq(
            vec![O::F32ReinterpretI32, O::F32Abs, O::I32ReinterpretF32],
            I32_1,
            Ty::I32,
            |a, _| bits64(a & !(1 << 31)),
        ),
    ]
}
