//! Calls: `call`, `call_indirect`, `call_ref` and their tail-call forms
//! `return_call`, `return_call_indirect`, `return_call_ref`.
//!
//! Phase 2 (HOW). Inputs: call operators. Outputs: CLIF calls.
//!
//! Every call is first resolved to a [`CallTarget`], then emitted as a plain
//! call or a tail call ([`FuncCodegen::emit_call`]):
//! - `call` of a defined function: a direct, colocated call of
//!   `FuncKey::Wasm(i)` in the wasm-call convention, passing our `vmctx`.
//! - `call` of a WASI P1 import: a direct call of the runtime's
//!   `__kiln_p1_<name>` (`FuncKey::WasiP1(k)`) in the platform convention,
//!   `vmctx` first.
//! - `call` of an import linked at instantiation: an indirect call of the
//!   `VMFunctionImport`'s `wasm_call` with its `vmctx`
//!   ([`FuncCodegen::imported_function_target`]); but when the component
//!   plan fixes the import's code (`DeclaredFuncs::linked_code`: every
//!   instance binds it to the same function or trampoline of this object),
//!   a direct call of that symbol, still passing the slot's `vmctx` (one
//!   per instance). The slot itself stays filled as before (funcrefs and
//!   re-exports use it).
//! - `call_indirect`: load the table element (bounds check ->
//!   `TableOutOfBounds`), load the `VMFuncRef`'s runtime-interned `type_id`
//!   (a null element faults there: `IndirectCallToNull`), compare it with
//!   `type_ids[type_index]` of
//!   this instance (`BadSignature`), then call `wasm_call` passing the
//!   callee's own `vmctx` from the `VMFuncRef`.
//! - `call_ref`: trap `NullReference` on null; no signature check (the
//!   reference's type is checked statically), then as `call_indirect`.
//!
//! Tail calls: wasm functions all use Cranelift's `tail` convention, so a
//! `return_call*` to wasm code is a CLIF `return_call`/`return_call_indirect`
//! that reuses the caller's frame (unbounded tail recursion runs in constant
//! stack). A host function uses the platform convention, which cannot be
//! tail-called: it is called, then its results are returned; host functions
//! do not call back into wasm, so this cannot grow the stack without bound.

use super::env::{imm, vm_flags, vm_readonly_flags};
use super::sig::wasm_call_signature as wasm_signature;
use super::translator::FuncCodegen;
use crate::CompileError;
use crate::key::FuncKey;
use crate::module::{FuncImport, FuncIndex, TableIndex, TypeIndex};
use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData, condcodes::IntCC, types};
use kiln_abi::trap::TrapCode;
use kiln_abi::vmctx::VMOffsets;

/// Bytes at address 0 that are never mapped, so that an access there
/// faults: Linux refuses to map below `vm.mmap_min_addr` (4 KiB at least,
/// 64 KiB by default).
const NULL_GUARD_BYTES: u32 = 4096;

/// Where a call goes, resolved before the call or tail call is emitted.
pub(super) enum CallTarget {
    /// A known function in the wasm-call convention; our `vmctx` is passed.
    WasmDirect(ir::FuncRef),
    /// A known function in the wasm-call convention with the callee's own
    /// `vmctx` (a linked import whose code the plan fixes).
    WasmLinked {
        /// The code.
        func: ir::FuncRef,
        /// The callee's `VMContext`.
        vmctx: ir::Value,
    },
    /// Code in the wasm-call convention at a run-time address, with the
    /// callee's `vmctx`.
    WasmIndirect {
        /// Signature (the callee's module type, `tail` convention).
        sig: ir::SigRef,
        /// Code address.
        code: ir::Value,
        /// The callee's `VMContext`.
        vmctx: ir::Value,
    },
    /// A host function in the platform convention, `vmctx` first.
    Host(ir::FuncRef),
}

impl FuncCodegen<'_, '_> {
    /// `call function_index` (`tail`: `return_call`).
    pub(super) fn translate_call(
        &mut self,
        function_index: FuncIndex,
        tail: bool,
    ) -> Result<(), CompileError> {
        let info = self.env.info;
        let ty = info.func_type(function_index);
        let args = self.popn(ty.params.len());
        let target = self.direct_call_target(function_index)?;
        self.emit_call(target, &args, tail);
        Ok(())
    }

    /// The target of a direct call of function `function_index`.
    fn direct_call_target(
        &mut self,
        function_index: FuncIndex,
    ) -> Result<CallTarget, CompileError> {
        let info = self.env.info;
        let func = info
            .funcs
            .get(function_index)
            .expect("validated: function index in range");
        let ty = &info.types[func.type_index];
        if !info.is_imported_func(function_index) {
            let sig = wasm_signature(ty, self.env.isa);
            return Ok(CallTarget::WasmDirect(
                self.func_ref(FuncKey::Wasm(function_index), sig),
            ));
        }
        match &func.import {
            Some(FuncImport::WasiP1(k)) => {
                let host = kiln_abi::wasi_p1::WASI_P1_FUNCS
                    .get(*k)
                    .expect("internal: WASI import index in the WASI list");
                let sig =
                    super::sig::native_signature(host.params, host.result, true, self.env.isa);
                Ok(CallTarget::Host(self.func_ref(FuncKey::WasiP1(*k), sig)))
            }
            Some(FuncImport::Linked) => match self.env.ids.linked_code(function_index) {
                Some(code) => {
                    self.linked_calls.direct += 1;
                    let vmctx = self.imported_function_vmctx(function_index)?;
                    let sig = wasm_signature(ty, self.env.isa);
                    let func = self.func_ref(code, sig);
                    Ok(CallTarget::WasmLinked { func, vmctx })
                }
                None => {
                    self.linked_calls.indirect += 1;
                    self.imported_function_target(function_index)
                }
            },
            #[allow(unreachable_patterns, reason = "future import kinds")]
            _ => self.unsupported("function import not provided by the host"),
        }
    }

    /// The target of imported function `function_index` linked at
    /// instantiation: its `VMFunctionImport { wasm_call, vmctx }` in our
    /// `VMContext` (filled by the runtime, never changed afterwards).
    pub(super) fn imported_function_target(
        &mut self,
        function_index: FuncIndex,
    ) -> Result<CallTarget, CompileError> {
        let type_index = self.env.info.funcs[function_index].type_index;
        let base = self.env.offsets.imported_function(function_index.as_u32());
        let code_off = imm(base + VMOffsets::function_import_wasm_call())?;
        let code = self
            .builder
            .ins()
            .load(self.pointer, vm_readonly_flags(), self.vmctx, code_off);
        let vmctx = self.imported_function_vmctx(function_index)?;
        let sig = self.wasm_sig_ref(type_index);
        Ok(CallTarget::WasmIndirect { sig, code, vmctx })
    }

    /// The callee `vmctx` of imported function `function_index` linked at
    /// instantiation (see [`Self::imported_function_target`]).
    fn imported_function_vmctx(
        &mut self,
        function_index: FuncIndex,
    ) -> Result<ir::Value, CompileError> {
        let base = self.env.offsets.imported_function(function_index.as_u32());
        let vmctx_off = imm(base + VMOffsets::function_import_vmctx(self.ptr_size()))?;
        Ok(self
            .builder
            .ins()
            .load(self.pointer, vm_readonly_flags(), self.vmctx, vmctx_off))
    }

    /// `call_indirect type_index table_index` (`tail`: `return_call_indirect`).
    pub(super) fn translate_call_indirect(
        &mut self,
        type_index: TypeIndex,
        table_index: TableIndex,
        tail: bool,
    ) -> Result<(), CompileError> {
        let ty = self
            .env
            .info
            .types
            .get(type_index)
            .expect("validated: type index in range");
        let index = self.pop1();
        let args = self.popn(ty.params.len());

        let addr = self.table_element_address(table_index, index)?;
        let func_ref = self.builder.ins().load(self.pointer, vm_flags(), addr, 0);

        // A `VMFuncRef` never changes once the runtime filled it. Null is
        // address 0, so the load of its type id faults in the first page,
        // which is never mapped: the load itself is the null check, its
        // trap-table entry naming `IndirectCallToNull` (as Wasmtime does).
        let type_id_off = VMOffsets::func_ref_type_id(self.ptr_size());
        let null_faults = type_id_off < NULL_GUARD_BYTES;
        if !null_faults {
            self.builder
                .ins()
                .trapz(func_ref, super::clif_trap(TrapCode::IndirectCallToNull));
        }
        let type_id_flags = if null_faults {
            MemFlagsData::new()
                .with_aligned()
                .with_readonly()
                .with_trap_code(Some(super::clif_trap(TrapCode::IndirectCallToNull)))
        } else {
            vm_flags().with_readonly()
        };
        let actual =
            self.builder
                .ins()
                .load(types::I32, type_id_flags, func_ref, imm(type_id_off)?);
        let type_ids = self.type_ids()?;
        let expected_off = imm(type_index
            .as_u32()
            .checked_mul(VMOffsets::size_of_type_id())
            .ok_or(CompileError::ImplLimit("type index too large"))?)?;
        let expected =
            self.builder
                .ins()
                .load(types::I32, vm_readonly_flags(), type_ids, expected_off);
        let mismatch = self.builder.ins().icmp(IntCC::NotEqual, actual, expected);
        self.builder
            .ins()
            .trapnz(mismatch, super::clif_trap(TrapCode::BadSignature));

        let target = self.func_ref_target(type_index, func_ref)?;
        self.emit_call(target, &args, tail);
        Ok(())
    }

    /// `call_ref type_index` (`tail`: `return_call_ref`): the operand is a
    /// `(ref null $type_index)`, so only null needs a check.
    pub(super) fn translate_call_ref(
        &mut self,
        type_index: TypeIndex,
        tail: bool,
    ) -> Result<(), CompileError> {
        let ty = self
            .env
            .info
            .types
            .get(type_index)
            .expect("validated: type index in range");
        let func_ref = self.pop1();
        let args = self.popn(ty.params.len());
        self.builder
            .ins()
            .trapz(func_ref, super::clif_trap(TrapCode::NullReference));
        let target = self.func_ref_target(type_index, func_ref)?;
        self.emit_call(target, &args, tail);
        Ok(())
    }

    /// The target behind a non-null, type-checked `VMFuncRef` address.
    fn func_ref_target(
        &mut self,
        type_index: TypeIndex,
        func_ref: ir::Value,
    ) -> Result<CallTarget, CompileError> {
        let code = self.builder.ins().load(
            self.pointer,
            vm_flags().with_readonly(),
            func_ref,
            imm(VMOffsets::func_ref_wasm_call())?,
        );
        let vmctx_off = imm(VMOffsets::func_ref_vmctx(self.ptr_size()))?;
        let vmctx = self.builder.ins().load(
            self.pointer,
            vm_flags().with_readonly(),
            func_ref,
            vmctx_off,
        );
        let sig = self.wasm_sig_ref(type_index);
        Ok(CallTarget::WasmIndirect { sig, code, vmctx })
    }

    /// The imported wasm-call signature of module type `type_index`.
    fn wasm_sig_ref(&mut self, type_index: TypeIndex) -> ir::SigRef {
        if let Some(s) = self.sig_refs.get(&type_index) {
            return *s;
        }
        let ty = &self.env.info.types[type_index];
        let s = self
            .builder
            .import_signature(wasm_signature(ty, self.env.isa));
        self.sig_refs.insert(type_index, s);
        s
    }

    /// Emits the call of `target` with the wasm arguments `args`: a plain
    /// call pushing the results, or (`tail`) a tail call ending the block.
    pub(super) fn emit_call(&mut self, target: CallTarget, args: &[ir::Value], tail: bool) {
        let mut all = Vec::with_capacity(args.len() + 1);
        match &target {
            CallTarget::WasmIndirect { vmctx, .. } | CallTarget::WasmLinked { vmctx, .. } => {
                all.push(*vmctx)
            }
            CallTarget::WasmDirect(_) | CallTarget::Host(_) => all.push(self.vmctx),
        }
        all.extend_from_slice(args);
        if tail {
            match target {
                CallTarget::WasmDirect(f) | CallTarget::WasmLinked { func: f, .. } => {
                    self.builder.ins().return_call(f, &all);
                }
                CallTarget::WasmIndirect { sig, code, .. } => {
                    self.builder.ins().return_call_indirect(sig, code, &all);
                }
                CallTarget::Host(f) => {
                    let call = self.builder.ins().call(f, &all);
                    let results = self.builder.inst_results(call).to_vec();
                    self.builder.ins().return_(&results);
                }
            }
            self.reachable = false;
            return;
        }
        // Inside a `try_table`, a call to wasm code is a `try_call`.
        if let Some(results) = self.emit_try_call(&target, &all) {
            self.stack.extend_from_slice(&results);
            return;
        }
        let call = match target {
            CallTarget::WasmDirect(f)
            | CallTarget::WasmLinked { func: f, .. }
            | CallTarget::Host(f) => self.builder.ins().call(f, &all),
            CallTarget::WasmIndirect { sig, code, .. } => {
                self.builder.ins().call_indirect(sig, code, &all)
            }
        };
        let results = self.builder.inst_results(call).to_vec();
        self.stack.extend_from_slice(&results);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::{clif_of, translate_wat};

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
