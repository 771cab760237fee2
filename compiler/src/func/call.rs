//! Calls: `call` and `call_indirect`.
//!
//! Phase 2 (HOW). Inputs: call operators. Outputs: CLIF calls.
//!
//! - `call` of a defined function: a direct, colocated call of
//!   `FuncKey::Wasm(i)` in the wasm-call convention, passing our `vmctx`.
//! - `call` of a WASI P1 import: a direct call of the runtime's
//!   `__kiln_p1_<name>` (`FuncKey::WasiP1(k)`) in the platform convention,
//!   `vmctx` first.
//! - `call_indirect`: load the table element (bounds check ->
//!   `TableOutOfBounds`), trap `IndirectCallToNull` on null, compare the
//!   `VMFuncRef`'s runtime-interned `type_id` with `type_ids[type_index]` of
//!   this instance (`BadSignature`), then call `wasm_call` passing the
//!   callee's own `vmctx` from the `VMFuncRef`.

use super::env::{imm, vm_flags, vm_readonly_flags};
use super::sig::wasm_call_signature as wasm_signature;
use super::translator::FuncCodegen;
use crate::CompileError;
use crate::module::FuncImport;
use crate::obj::symbols::FuncKey;
use cranelift_codegen::ir::{InstBuilder, condcodes::IntCC, types};
use kiln_abi::trap::TrapCode;
use kiln_abi::vmctx::VMOffsets;

impl FuncCodegen<'_, '_> {
    /// `call function_index`.
    pub(super) fn translate_call(&mut self, function_index: u32) -> Result<(), CompileError> {
        let info = self.env.info;
        let func = info
            .funcs
            .get(function_index as usize)
            .expect("validated: function index in range");
        let ty = &info.types[func.type_index as usize];
        let args = self.popn(ty.params.len());
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.vmctx);
        all.extend_from_slice(&args);

        let callee = if function_index >= info.num_imported_funcs {
            let sig = wasm_signature(ty, self.env.isa);
            self.func_ref(FuncKey::Wasm(function_index), sig)
        } else {
            match &func.import {
                Some(FuncImport::WasiP1(k)) => {
                    let host = kiln_abi::wasi_p1::WASI_P1_FUNCS
                        .get(*k)
                        .expect("internal: WASI import index in the WASI list");
                    let sig =
                        super::sig::native_signature(host.params, host.result, true, self.env.isa);
                    self.func_ref(FuncKey::WasiP1(*k), sig)
                }
                #[allow(unreachable_patterns, reason = "future import kinds")]
                _ => return self.unsupported("function import not provided by the host"),
            }
        };
        let call = self.builder.ins().call(callee, &all);
        let results = self.builder.inst_results(call).to_vec();
        self.stack.extend_from_slice(&results);
        Ok(())
    }

    /// `call_indirect type_index table_index`.
    pub(super) fn translate_call_indirect(
        &mut self,
        type_index: u32,
        table_index: u32,
    ) -> Result<(), CompileError> {
        let ty = self
            .env
            .info
            .types
            .get(type_index as usize)
            .expect("validated: type index in range");
        let index = self.pop1();
        let args = self.popn(ty.params.len());
        let ptr_size = self.ptr_size();

        let addr = self.table_element_address(table_index, index)?;
        let func_ref = self.builder.ins().load(self.pointer, vm_flags(), addr, 0);
        self.builder
            .ins()
            .trapz(func_ref, super::clif_trap(TrapCode::IndirectCallToNull));

        // A `VMFuncRef` never changes once the runtime filled it.
        let actual = self.builder.ins().load(
            types::I32,
            vm_flags().with_readonly(),
            func_ref,
            imm(VMOffsets::func_ref_type_id(ptr_size))?,
        );
        let type_ids = self.type_ids()?;
        let expected_off = imm(type_index
            .checked_mul(4)
            .ok_or(CompileError::ImplLimit("type index too large"))?)?;
        let expected =
            self.builder
                .ins()
                .load(types::I32, vm_readonly_flags(), type_ids, expected_off);
        let mismatch = self.builder.ins().icmp(IntCC::NotEqual, actual, expected);
        self.builder
            .ins()
            .trapnz(mismatch, super::clif_trap(TrapCode::BadSignature));

        let code = self.builder.ins().load(
            self.pointer,
            vm_flags().with_readonly(),
            func_ref,
            imm(VMOffsets::func_ref_wasm_call())?,
        );
        let callee_vmctx = self.builder.ins().load(
            self.pointer,
            vm_flags().with_readonly(),
            func_ref,
            imm(VMOffsets::func_ref_vmctx(ptr_size))?,
        );
        let sig_ref = match self.sig_refs.get(&type_index) {
            Some(s) => *s,
            None => {
                let s = self
                    .builder
                    .import_signature(wasm_signature(ty, self.env.isa));
                self.sig_refs.insert(type_index, s);
                s
            }
        };
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(callee_vmctx);
        all.extend_from_slice(&args);
        let call = self.builder.ins().call_indirect(sig_ref, code, &all);
        let results = self.builder.inst_results(call).to_vec();
        self.stack.extend_from_slice(&results);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{clif_of, translate_wat};

    #[test]
    fn direct_indirect_and_host_calls() {
        let clif = clif_of(
            r#"(module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (import "wasi_snapshot_preview1" "fd_write"
                (func $write (param i32 i32 i32 i32) (result i32)))
              (type $t (func (param i32) (result i32 i64)))
              (table 1 funcref)
              (memory (export "memory") 1)
              (func $g (param i32) (result i32 i64) (local.get 0) (i64.const 1))
              (func (param i32) (result i32)
                (drop (call $write (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
                (call $g (local.get 0)) drop drop
                (call_indirect (type $t) (local.get 0) (i32.const 0)) drop drop
                (call $exit (i32.const 0))
                (i32.const 0)))"#,
        );
        // Defined callee: colocated; host and indirect calls in their
        // conventions; the three call_indirect checks with their ABI codes.
        assert!(clif.contains("colocated u0:2 sig1"), "{clif}");
        assert!(clif.contains(") -> i32 system_v"), "{clif}");
        assert!(clif.contains("call_indirect"), "{clif}");
        for code in ["user4", "user5", "user6"] {
            assert!(clif.contains(code), "{code}: {clif}");
        }
    }

    #[test]
    fn recursion_with_multi_value() {
        translate_wat(
            r#"(module
              (func $f (param i32) (result i32 i32 i32 i32 i32 i32 i32 i32)
                (if (result i32 i32 i32 i32 i32 i32 i32 i32) (local.get 0)
                  (then (call $f (i32.sub (local.get 0) (i32.const 1))))
                  (else (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
                        (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8)))))"#,
        )
        .expect("translates");
    }
}
