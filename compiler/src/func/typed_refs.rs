//! Tail calls and typed function references: `return_call`,
//! `return_call_indirect`, `return_call_ref`, `call_ref`, `ref.as_non_null`,
//! `br_on_null`, `br_on_non_null`.
//!
//! Phase 2 (HOW). Inputs: operators of the `tail-call` and
//! `function-references` proposals. Outputs: CLIF, through the call
//! machinery of [`super::call`] and the branches of [`super::control`].
//!
//! Typed references `(ref $t)`, `(ref null $t)`, `(ref func)` have the same
//! representation as `funcref` (the address of a `VMFuncRef`, null = 0), and
//! `(ref extern)` as `externref`; non-nullability is a static property, so
//! only the operators that test for null (`ref.as_non_null`, `br_on_*`,
//! `call_ref`) emit code for it. A null dereference traps with
//! `NullReference` ("null reference", as Wasmtime words it).

use super::translator::FuncCodegen;
use crate::CompileError;
use crate::module::{FuncIndex, TableIndex, TypeIndex};
use cranelift_codegen::ir::InstBuilder;
use kiln_abi::trap::TrapCode;
use wasmparser::Operator;

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it belongs to the tail-call or function-references
    /// proposal.
    pub(super) fn translate_typed_ref_operator(
        &mut self,
        op: &Operator<'_>,
    ) -> Result<bool, CompileError> {
        match *op {
            Operator::ReturnCall { function_index } => {
                self.translate_call(FuncIndex::from_u32(function_index), true)?
            }
            Operator::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.translate_call_indirect(
                TypeIndex::from_u32(type_index),
                TableIndex::from_u32(table_index),
                true,
            )?,
            Operator::CallRef { type_index } => {
                self.translate_call_ref(TypeIndex::from_u32(type_index), false)?
            }
            Operator::ReturnCallRef { type_index } => {
                self.translate_call_ref(TypeIndex::from_u32(type_index), true)?
            }
            Operator::RefAsNonNull => {
                let r = *self
                    .stack
                    .last()
                    .expect("validated: operand stack underflow");
                self.builder
                    .ins()
                    .trapz(r, super::clif_trap(TrapCode::NullReference));
            }
            Operator::BrOnNull { relative_depth } => {
                self.translate_br_on_null(relative_depth, true)
            }
            Operator::BrOnNonNull { relative_depth } => {
                self.translate_br_on_null(relative_depth, false)
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::{clif_of, translate_wat, unsupported_feature};

    #[test]
    fn tail_calls_become_cranelift_tail_calls() {
        let clif = clif_of(
            r#"(module
              (type $t (func (param i64) (result i64)))
              (table 1 funcref)
              (func $f (param i64) (result i64)
                (return_call $f (local.get 0)))
              (func (param i64) (result i64)
                (return_call_indirect (type $t) (local.get 0) (i32.const 0))))"#,
        );
        assert!(clif.contains("return_call fn"), "{clif}");
        assert!(clif.contains("return_call_indirect sig"), "{clif}");
    }

    #[test]
    fn tail_call_of_a_host_function_calls_then_returns() {
        let clif = clif_of(
            r#"(module
              (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
              (func (result i32) (return_call $y)))"#,
        );
        assert!(!clif.contains("return_call"), "{clif}");
        assert!(clif.contains("return v"), "{clif}");
    }

    #[test]
    fn gc_operators_stay_unsupported() {
        // Accepted by validation through GC's constant-expression relaxation
        // (a global reads a defined global), GC itself still is not.
        let f = unsupported_feature(
            r#"(module (global i32 (i32.const 0)) (global i32 (global.get 0))
                 (func (drop (ref.i31 (i32.const 0)))))"#,
        );
        assert_eq!(f, "gc");
    }

    #[test]
    fn typed_reference_operators() {
        translate_wat(
            r#"(module
              (type $t (func (param i32) (result i32)))
              (elem declare func $f)
              (func $f (type $t) (local.get 0))
              (func (param (ref null $t)) (result i32)
                (call_ref $t (i32.const 1) (local.get 0)))
              (func (param (ref null $t)) (result i32)
                (return_call_ref $t (i32.const 1) (local.get 0)))
              (func (param (ref null $t)) (result (ref $t))
                (ref.as_non_null (local.get 0)))
              (func (param (ref null $t)) (result i32)
                (block $null
                  (return (call_ref $t (i32.const 2) (br_on_null $null (local.get 0)))))
                (i32.const -1))
              (func (param (ref null $t)) (result (ref $t))
                (block $b (result (ref $t))
                  (br_on_non_null $b (local.get 0))
                  (ref.func $f))))"#,
        )
        .expect("translates");
    }
}
