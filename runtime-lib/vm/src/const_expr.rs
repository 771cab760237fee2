//! Evaluation of extended constant expressions ([`CONST_OPS`]).
//!
//! Phase: instance setup (global initializers, segment offsets, table
//! initializers). Input: the `[ConstOp]` array a `CONST_OPS` [`ConstExpr`]
//! points at, and a way to read the instance's globals. Output: the value as
//! [`kiln_abi::ValRaw`] bytes (`i32` results in bytes 0..4, the rest zero).
//!
//! Invariants: the compiler emits only validated sequences (each operator
//! finds its operands, one value remains), so a malformed sequence means a
//! corrupt descriptor and is reported as an error, never a panic. Arithmetic
//! wraps, as in wasm.

use kiln_abi::descriptor::{
    CONST_OP_GLOBAL_GET, CONST_OP_I32_ADD, CONST_OP_I32_CONST, CONST_OP_I32_MUL, CONST_OP_I32_SUB,
    CONST_OP_I64_ADD, CONST_OP_I64_CONST, CONST_OP_I64_MUL, CONST_OP_I64_SUB, CONST_OPS, ConstExpr,
    ConstOp,
};

/// The ops of a `CONST_OPS` expression.
///
/// # Safety
/// `e` must come from a loaded module descriptor, whose `CONST_OPS`
/// expressions point at `e.index` valid `ConstOp` records that live as long
/// as the module.
pub unsafe fn ops_of(e: &ConstExpr) -> &[ConstOp] {
    debug_assert_eq!(e.kind, CONST_OPS);
    // The address is a relocation the linker filled in, so it is in the
    // target's byte order (unlike wasm values in `value`, which are
    // little-endian): big-endian on s390x.
    let mut addr = [0u8; 8];
    addr.copy_from_slice(&e.value[..8]);
    let ptr = u64::from_ne_bytes(addr) as usize as *const ConstOp;
    if ptr.is_null() || e.index == 0 {
        return &[];
    }
    // SAFETY: per this function's contract.
    unsafe { std::slice::from_raw_parts(ptr, e.index as usize) }
}

/// Runs `ops`; `global(i)` reads global `i` (`None`: no such global).
pub fn eval_ops(
    ops: &[ConstOp],
    global: impl Fn(u32) -> Option<[u8; 16]>,
) -> Result<[u8; 16], String> {
    let mut stack: Vec<[u8; 16]> = Vec::with_capacity(4);
    let bad = |what: &str| format!("corrupt module descriptor: constant expression {what}");
    for op in ops {
        let v = match op.opcode {
            CONST_OP_I32_CONST => i32_val(op.value as u32),
            CONST_OP_I64_CONST => i64_val(op.value),
            CONST_OP_GLOBAL_GET => {
                global(op.index).ok_or_else(|| bad(&format!("reads global {}", op.index)))?
            }
            CONST_OP_I32_ADD | CONST_OP_I32_SUB | CONST_OP_I32_MUL => {
                let (a, b) = pop2(&mut stack).ok_or_else(|| bad("underflows"))?;
                let (a, b) = (as_i32(a), as_i32(b));
                i32_val(match op.opcode {
                    CONST_OP_I32_ADD => a.wrapping_add(b),
                    CONST_OP_I32_SUB => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            CONST_OP_I64_ADD | CONST_OP_I64_SUB | CONST_OP_I64_MUL => {
                let (a, b) = pop2(&mut stack).ok_or_else(|| bad("underflows"))?;
                let (a, b) = (as_i64(a), as_i64(b));
                i64_val(match op.opcode {
                    CONST_OP_I64_ADD => a.wrapping_add(b),
                    CONST_OP_I64_SUB => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            other => return Err(bad(&format!("has unknown opcode {other}"))),
        };
        stack.push(v);
    }
    match stack.as_slice() {
        [v] => Ok(*v),
        _ => Err(bad("leaves no single value")),
    }
}

fn pop2(stack: &mut Vec<[u8; 16]>) -> Option<([u8; 16], [u8; 16])> {
    let b = stack.pop()?;
    let a = stack.pop()?;
    Some((a, b))
}

fn i32_val(v: u32) -> [u8; 16] {
    let mut raw = [0u8; 16];
    raw[..4].copy_from_slice(&v.to_le_bytes());
    raw
}

fn i64_val(v: u64) -> [u8; 16] {
    let mut raw = [0u8; 16];
    raw[..8].copy_from_slice(&v.to_le_bytes());
    raw
}

fn as_i32(v: [u8; 16]) -> u32 {
    u32::from_le_bytes([v[0], v[1], v[2], v[3]])
}

fn as_i64(v: [u8; 16]) -> u64 {
    u64::from_le_bytes([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(opcode: u32, index: u32, value: u64) -> ConstOp {
        ConstOp {
            opcode,
            index,
            value,
        }
    }

    #[test]
    fn arithmetic_wraps_and_reads_globals() {
        let globals = |i: u32| (i == 0).then(|| i32_val(40));
        let ops = [
            op(CONST_OP_GLOBAL_GET, 0, 0),
            op(CONST_OP_I32_CONST, 0, 2),
            op(CONST_OP_I32_ADD, 0, 0),
            op(CONST_OP_I32_CONST, 0, u64::from(u32::MAX)),
            op(CONST_OP_I32_MUL, 0, 0),
        ];
        assert_eq!(eval_ops(&ops, globals), Ok(i32_val(42u32.wrapping_neg())));
        let ops = [
            op(CONST_OP_I64_CONST, 0, 0),
            op(CONST_OP_I64_CONST, 0, 1),
            op(CONST_OP_I64_SUB, 0, 0),
        ];
        assert_eq!(eval_ops(&ops, globals), Ok(i64_val(u64::MAX)));
    }

    #[test]
    fn malformed_sequences_are_errors() {
        let none = |_| None;
        assert!(eval_ops(&[op(CONST_OP_I32_ADD, 0, 0)], none).is_err());
        assert!(eval_ops(&[], none).is_err());
        assert!(eval_ops(&[op(CONST_OP_GLOBAL_GET, 3, 0)], none).is_err());
        assert!(eval_ops(&[op(99, 0, 0)], none).is_err());
    }
}
