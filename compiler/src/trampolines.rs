//! Trampolines between Kiln's calling conventions (see
//! `kiln_abi::descriptor`), built as CLIF with cranelift-frontend and
//! compiled through the same path as wasm functions.
//!
//! - **array call** (`__kiln_array_call_N`, for exported functions and the
//!   start function): `extern "C" fn(vmctx, values: *mut ValRaw)`. Loads the
//!   arguments from the 16-byte slots of `values`, calls function `N` in the
//!   wasm convention, stores the results into slots `0..results`.
//!
//!   ```wat
//!   (func (export "add") (param i32 i64) (result i64) ...)
//!   ;; array call: a0 = load.i32 values+0; a1 = load.i64 values+16
//!   ;;             r0 = call __kiln_func_N(vmctx, a0, a1); store r0, values+0
//!   ```
//! - **host call** (`__kiln_host_call_N`, for imported WASI functions): the
//!   wasm convention on the outside (so calls to imports look like any other
//!   call), forwarding `(vmctx, args...)` to `__kiln_p1_<name>` in the
//!   platform C convention and returning its result.
//! - **component trampolines** (`__kiln_cm_tramp_<t>`, a component's
//!   lowered host imports and resource built-ins): [`component`].
//!
//! Phase 2, beside the function translator ([`crate::func`]). Inputs: the
//! module, the declared function ids ([`crate::key`]), the ISA. Output: an
//! [`ir::Function`] per trampoline, which the driver ([`crate::pipeline`])
//! compiles. Invariant: every kind keeps frame pointers like all Kiln code,
//! so backtraces walk through them.

pub mod component;
pub mod init_refs;

use crate::func::sig::{array_call_signature, clif_type, native_signature, wasm_call_signature};
use crate::key::{DeclaredFuncs, FuncKey};
use crate::module::{FuncIndex, ModuleInfo};
use cranelift_codegen::ir::{
    self, ExtFuncData, ExternalName, InstBuilder, MemFlagsData, UserFuncName,
};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use kiln_abi::VAL_RAW_SIZE;
use kiln_abi::wasi_p1::WASI_P1_FUNCS;

/// `UserFuncName` namespace of array-call trampolines (wasm functions use 0).
const ARRAY_CALL_NAMESPACE: u32 = 1;
/// `UserFuncName` namespace of host-call trampolines.
const HOST_CALL_NAMESPACE: u32 = 2;

/// The array-call trampoline of function `func_index`.
pub fn array_call(
    info: &ModuleInfo,
    func_index: FuncIndex,
    isa: &dyn TargetIsa,
    ids: &DeclaredFuncs,
    builder_ctx: &mut FunctionBuilderContext,
) -> ir::Function {
    let ty = info.func_type(func_index);
    let pointer = isa.pointer_type();
    let mut func = ir::Function::with_name_signature(
        UserFuncName::user(ARRAY_CALL_NAMESPACE, func_index.as_u32()),
        array_call_signature(isa),
    );
    let mut b = FunctionBuilder::new(&mut func, builder_ctx);
    let block = entry_block(&mut b);
    let vmctx = b.block_params(block)[0];
    let values = b.block_params(block)[1];

    // The caller owns `values` and sizes it for max(params, results); the
    // slots are 16-byte aligned and little-endian on every target
    // (`kiln_abi::ValRaw`).
    let flags = MemFlagsData::trusted().with_endianness(ir::Endianness::Little);
    let mut args = vec![vmctx];
    for (i, t) in ty.params.iter().enumerate() {
        let slot = slot_offset(i);
        args.push(b.ins().load(clif_type(*t, pointer), flags, values, slot));
    }
    let callee = import(
        &mut b,
        ids,
        FuncKey::Wasm(func_index),
        wasm_call_signature(ty, isa),
        true,
    );
    let call = b.ins().call(callee, &args);
    let results = b.inst_results(call).to_vec();
    for (i, r) in results.into_iter().enumerate() {
        b.ins().store(flags, r, values, slot_offset(i));
    }
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
    func
}

/// The host-call trampoline of imported function `func_index`, a WASI P1
/// function (`wasi` indexes `kiln_abi::wasi_p1::WASI_P1_FUNCS`).
pub fn host_call(
    info: &ModuleInfo,
    func_index: FuncIndex,
    wasi: usize,
    isa: &dyn TargetIsa,
    ids: &DeclaredFuncs,
    builder_ctx: &mut FunctionBuilderContext,
) -> ir::Function {
    let ty = info.func_type(func_index);
    let host = &WASI_P1_FUNCS[wasi];
    let mut func = ir::Function::with_name_signature(
        UserFuncName::user(HOST_CALL_NAMESPACE, func_index.as_u32()),
        wasm_call_signature(ty, isa),
    );
    let mut b = FunctionBuilder::new(&mut func, builder_ctx);
    let block = entry_block(&mut b);
    // NB: the import was checked to have exactly the host signature, so the
    // wasm parameters (vmctx first) are the host's parameters one for one.
    let args = b.block_params(block).to_vec();
    let callee = import(
        &mut b,
        ids,
        FuncKey::WasiP1(wasi),
        native_signature(host.params, host.result, true, isa),
        crate::isa::runtime_calls_are_near(isa),
    );
    let call = b.ins().call(callee, &args);
    let results = b.inst_results(call).to_vec();
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
    func
}

fn slot_offset(i: usize) -> i32 {
    // Parameter and result counts are bounded by wasmparser (1000), so the
    // offset is far below i32::MAX.
    i32::try_from(i as u64 * u64::from(VAL_RAW_SIZE)).expect("slot offset fits i32")
}

/// Opens a trampoline's one entry block: the function's parameters as its
/// parameters, current and sealed (nothing jumps to it).
fn entry_block(b: &mut FunctionBuilder<'_>) -> ir::Block {
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    block
}

fn import(
    b: &mut FunctionBuilder<'_>,
    ids: &DeclaredFuncs,
    key: FuncKey,
    sig: ir::Signature,
    colocated: bool,
) -> ir::FuncRef {
    let signature = b.import_signature(sig);
    let name = b
        .func
        .declare_imported_user_function(ids.external_name(key));
    b.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature,
        colocated,
        patchable: false,
    })
}
