//! Phase 2 (HOW), wide arithmetic (the `wide-arithmetic` proposal):
//! `i64.add128`, `i64.sub128`, `i64.mul_wide_s`, `i64.mul_wide_u` -> CLIF.
//!
//! Inputs: one validated [`Operator`] and the operand stack. Output: the two
//! `i64` results (low half first, then high half) pushed on the stack.
//!
//! - `add128`/`sub128` take `(a_lo a_hi b_lo b_hi)`: the halves are joined
//!   with `iconcat` into CLIF `i128` values, added or subtracted (x64 lowers
//!   this to `add`/`adc`, `sub`/`sbb`) and split again with `isplit`.
//! - `mul_wide_s`/`mul_wide_u` take `(a b)` and give the full 128-bit
//!   product: the low half is the wrapping `imul` (the same for both
//!   signednesses), the high half `smulhi`/`umulhi` (one `imul`/`mul` with
//!   a 128-bit result on x64).
//!
//! None of them trap.

use cranelift_codegen::ir::types::I128;
use cranelift_codegen::ir::{self, InstBuilder};
use cranelift_frontend::FunctionBuilder;
use wasmparser::Operator;

/// Translates `op` if it is a wide-arithmetic operator. Returns `false` (and
/// touches nothing) for any other operator.
pub(crate) fn translate_wide_arithmetic(
    op: &Operator<'_>,
    b: &mut FunctionBuilder<'_>,
    stack: &mut Vec<ir::Value>,
) -> bool {
    use Operator as O;
    let (lo, hi) = match op {
        O::I64Add128 | O::I64Sub128 => {
            let [a_lo, a_hi, b_lo, b_hi] = pop_n::<4>(stack);
            let x = b.ins().iconcat(a_lo, a_hi);
            let y = b.ins().iconcat(b_lo, b_hi);
            let r = if matches!(op, O::I64Add128) {
                b.ins().iadd(x, y)
            } else {
                b.ins().isub(x, y)
            };
            debug_assert_eq!(b.func.dfg.value_type(r), I128);
            b.ins().isplit(r)
        }
        O::I64MulWideS | O::I64MulWideU => {
            let [x, y] = pop_n::<2>(stack);
            let lo = b.ins().imul(x, y);
            let hi = if matches!(op, O::I64MulWideS) {
                b.ins().smulhi(x, y)
            } else {
                b.ins().umulhi(x, y)
            };
            (lo, hi)
        }
        _ => return false,
    };
    stack.push(lo);
    stack.push(hi);
    true
}

/// Pops `N` operands, in wasm order (deepest first).
fn pop_n<const N: usize>(stack: &mut Vec<ir::Value>) -> [ir::Value; N] {
    let at = stack
        .len()
        .checked_sub(N)
        .expect("validated: the operand stack holds the operator's inputs");
    let values: Vec<ir::Value> = stack.split_off(at);
    values
        .try_into()
        .expect("internal: split_off returned N values")
}

#[cfg(test)]
mod tests {
    use crate::func::tests::util::clif_of;

    #[test]
    fn wide_operators_translate() {
        let clif = clif_of(
            r#"(module
              (func (param i64 i64 i64 i64) (result i64 i64)
                (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
              (func (param i64 i64 i64 i64) (result i64 i64)
                (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
              (func (param i64 i64) (result i64 i64)
                (i64.mul_wide_s (local.get 0) (local.get 1)))
              (func (param i64 i64) (result i64 i64)
                (i64.mul_wide_u (local.get 0) (local.get 1))))"#,
        );
        assert!(clif.contains("iconcat"), "{clif}");
    }
}
