//! Constant expressions (global and table initializers, segment offsets,
//! element items) -> [`ConstExprInfo`].
//!
//! Phase 1 (WHAT). Input: a validated wasmparser [`ConstExpr`]. Output: the
//! single-operation forms of WebAssembly 2.0 (a constant, `ref.null`,
//! `ref.func`, `global.get`) as they are, and extended-const sequences
//! (`i32`/`i64` `add`/`sub`/`mul` over constants and `global.get`) either
//! folded into one constant (no `global.get`: the common case, which also
//! keeps data segment offsets foldable into memory images) or kept as
//! [`ConstExprInfo::Ops`] for the runtime's small stack machine
//! (`kiln_abi::descriptor::CONST_OPS`).
//!
//! Invariant: validation already checked types and stack shape, so folding
//! cannot fail; anything else in a constant expression (GC allocations) is
//! `Unsupported`.

use super::{ConstExprInfo, ConstOpInfo, FuncIndex, GlobalIndex};
use crate::CompileError;
use kiln_abi::ValType;
use wasmparser::{ConstExpr, Operator};

/// Decodes a constant expression.
pub(super) fn const_expr(expr: &ConstExpr<'_>) -> Result<ConstExprInfo, CompileError> {
    let mut reader = expr.get_operators_reader();
    let offset = reader.original_position();
    let mut single: Option<ConstExprInfo> = None;
    let mut ops: Vec<ConstOpInfo> = Vec::new();
    loop {
        let (op, op_offset) = reader.read_with_offset()?;
        let op_info = match op {
            Operator::End => break,
            Operator::I32Const { value } => ConstOpInfo::I32Const(value),
            Operator::I64Const { value } => ConstOpInfo::I64Const(value),
            Operator::GlobalGet { global_index } => {
                ConstOpInfo::GlobalGet(GlobalIndex::from_u32(global_index))
            }
            Operator::I32Add => ConstOpInfo::I32Add,
            Operator::I32Sub => ConstOpInfo::I32Sub,
            Operator::I32Mul => ConstOpInfo::I32Mul,
            Operator::I64Add => ConstOpInfo::I64Add,
            Operator::I64Sub => ConstOpInfo::I64Sub,
            Operator::I64Mul => ConstOpInfo::I64Mul,
            other => {
                // Operators that only appear alone (validated).
                single = Some(single_op(other, op_offset)?);
                continue;
            }
        };
        ops.push(op_info);
    }
    if let Some(info) = single {
        debug_assert!(
            ops.is_empty(),
            "validated: a single-value operator stands alone"
        );
        return Ok(info);
    }
    match ops.as_slice() {
        [ConstOpInfo::GlobalGet(g)] => Ok(ConstExprInfo::GlobalGet(*g)),
        _ if ops.iter().any(|o| matches!(o, ConstOpInfo::GlobalGet(_))) => {
            Ok(ConstExprInfo::Ops(ops))
        }
        _ => fold(&ops).ok_or(CompileError::Invalid {
            offset,
            message: "malformed constant expression".into(),
        }),
    }
}

/// A constant expression's only operator, other than the integer ones.
fn single_op(op: Operator<'_>, offset: usize) -> Result<ConstExprInfo, CompileError> {
    Ok(match op {
        Operator::F32Const { value } => raw_value(ValType::F32, &value.bits().to_le_bytes()),
        Operator::F64Const { value } => raw_value(ValType::F64, &value.bits().to_le_bytes()),
        Operator::V128Const { value } => raw_value(ValType::V128, value.bytes()),
        Operator::RefNull { hty } => {
            let ty = super::ref_val_type(
                wasmparser::RefType::new(true, hty)
                    .ok_or(CompileError::ImplLimit("reference type index too large"))?,
            );
            match ty {
                Ok(t) => ConstExprInfo::RefNull(t),
                Err(feature) => crate::unsupported!(feature, offset),
            }
        }
        Operator::RefFunc { function_index } => {
            ConstExprInfo::RefFunc(FuncIndex::from_u32(function_index))
        }
        _ => crate::unsupported!("gc", offset),
    })
}

fn raw_value(ty: ValType, bytes: &[u8]) -> ConstExprInfo {
    let mut raw = [0u8; 16];
    raw[..bytes.len()].copy_from_slice(bytes);
    ConstExprInfo::Value(ty, raw)
}

/// Evaluates a sequence without `global.get` (wrapping arithmetic).
fn fold(ops: &[ConstOpInfo]) -> Option<ConstExprInfo> {
    #[derive(Copy, Clone)]
    enum V {
        I32(i32),
        I64(i64),
    }
    let mut stack: Vec<V> = Vec::new();
    for op in ops {
        let v = match *op {
            ConstOpInfo::I32Const(v) => V::I32(v),
            ConstOpInfo::I64Const(v) => V::I64(v),
            ConstOpInfo::GlobalGet(_) => return None,
            bin => {
                let b = stack.pop()?;
                let a = stack.pop()?;
                match (bin, a, b) {
                    (ConstOpInfo::I32Add, V::I32(a), V::I32(b)) => V::I32(a.wrapping_add(b)),
                    (ConstOpInfo::I32Sub, V::I32(a), V::I32(b)) => V::I32(a.wrapping_sub(b)),
                    (ConstOpInfo::I32Mul, V::I32(a), V::I32(b)) => V::I32(a.wrapping_mul(b)),
                    (ConstOpInfo::I64Add, V::I64(a), V::I64(b)) => V::I64(a.wrapping_add(b)),
                    (ConstOpInfo::I64Sub, V::I64(a), V::I64(b)) => V::I64(a.wrapping_sub(b)),
                    (ConstOpInfo::I64Mul, V::I64(a), V::I64(b)) => V::I64(a.wrapping_mul(b)),
                    _ => return None,
                }
            }
        };
        stack.push(v);
    }
    match stack.as_slice() {
        [V::I32(v)] => Some(raw_value(ValType::I32, &v.to_le_bytes())),
        [V::I64(v)] => Some(raw_value(ValType::I64, &v.to_le_bytes())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ConstExprInfo, ConstOpInfo, GlobalIndex, translate_module};
    use crate::Config;
    use kiln_abi::ValType;

    fn globals(wat: &str) -> Vec<ConstExprInfo> {
        let wasm = wat::parse_str(wat).expect("test wat parses");
        let config = Config {
            imports: crate::ImportPolicy::Linked,
            ..Config::default()
        };
        let info = translate_module(&wasm, &config).expect("compiles");
        info.globals.into_iter().map(|(_, g)| g.init).collect()
    }

    fn value(ty: ValType, bytes: &[u8]) -> ConstExprInfo {
        super::raw_value(ty, bytes)
    }

    #[test]
    fn reading_defined_globals_is_accepted_but_gc_is_not() {
        let inits = globals(
            r#"(module
              (global $a i64 (i64.const 5))
              (global i64 (i64.add (global.get $a) (global.get $a))))"#,
        );
        assert_eq!(
            inits[1],
            ConstExprInfo::Ops(vec![
                ConstOpInfo::GlobalGet(GlobalIndex::from_u32(0)),
                ConstOpInfo::GlobalGet(GlobalIndex::from_u32(0)),
                ConstOpInfo::I64Add
            ])
        );
        // The relaxation validates with GC's rules: GC itself stays out.
        for wat in [
            r#"(module (type (struct)) (global i32 (i32.const 0)) (global i32 (global.get 0)))"#,
            r#"(module (rec (type (func)) (type (func)))
                 (global i32 (i32.const 0)) (global i32 (global.get 0)))"#,
            r#"(module (type $s (sub (func))) (type (sub $s (func)))
                 (global i32 (i32.const 0)) (global i32 (global.get 0)))"#,
            r#"(module (global i32 (i32.const 0)) (global i32 (global.get 0))
                 (func (param anyref)))"#,
            r#"(module (global i32 (i32.const 0)) (global i32 (global.get 0))
                 (func (drop (ref.i31 (i32.const 0)))))"#,
        ] {
            let wasm = wat::parse_str(wat).expect("test wat parses");
            let err = crate::compile_module(&wasm, &Config::default()).expect_err("gc");
            assert!(
                matches!(&err, crate::CompileError::Unsupported { feature, .. } if feature == "gc"),
                "{wat}: {err}"
            );
        }
    }

    #[test]
    fn constant_sequences_fold_and_global_reads_stay() {
        let inits = globals(
            r#"(module
              (import "env" "a" (global $a i32))
              (global i32 (i32.sub (i32.const 1) (i32.mul (i32.const 3) (i32.const 4))))
              (global i64 (i64.add (i64.const -1) (i64.const 1)))
              (global i32 (i32.add (global.get $a) (i32.const 8)))
              (global i32 (global.get $a))
              (global i64 (i64.mul (i64.const 0x7fffffffffffffff) (i64.const 2))))"#,
        );
        assert_eq!(inits[1], value(ValType::I32, &(-11i32).to_le_bytes()));
        assert_eq!(inits[2], value(ValType::I64, &0i64.to_le_bytes()));
        assert_eq!(
            inits[3],
            ConstExprInfo::Ops(vec![
                ConstOpInfo::GlobalGet(GlobalIndex::from_u32(0)),
                ConstOpInfo::I32Const(8),
                ConstOpInfo::I32Add
            ])
        );
        assert_eq!(inits[4], ConstExprInfo::GlobalGet(GlobalIndex::from_u32(0)));
        assert_eq!(inits[5], value(ValType::I64, &(-2i64).to_le_bytes()));
    }
}
