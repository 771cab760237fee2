//! Component trampolines (`__kiln_cm_tramp_<t>`): the core functions a
//! component's `canon lower` of a host import and its resource built-ins
//! become, following the contract at the top of
//! `kiln_abi::component::canon`.
//!
//! Phase 2 for components. Input: one [`ResolvedTrampoline`] (core
//! signature, host callee, plain data from `crate::component::resolve`),
//! its declared ids, the ISA. Output: its [`ir::Function`] ([`build`]);
//! the component driver (`crate::pipeline::component`) compiles them in
//! parallel.
//! A lowered WASI import calls the runtime's host function
//! `__kiln_wasi_host_<i>` (`kiln_abi::symbols::wasi_host_symbol`), a
//! resource built-in `__kiln_cm_resource_{new,rep,drop}`: both directly.
//!
//! Shape, in the wasm-call convention (Cranelift `tail`, `vmctx` first; the
//! runtime passes the trampoline's `CanonOpts` address as that `vmctx`):
//!
//! ```text
//! ;; (func (param i32 i64 f32) (result i32)), lowered import
//! ss = stack slot max(3 params, 1 result, 1) * 8 bytes, 8-aligned
//! store uextend.i64(p0) -> ss+0; store p1 -> ss+8; store uextend(bitcast.i32(p2)) -> ss+16
//! call __kiln_wasi_host_<i>(vmctx = opts, stack_addr ss, 3)  ;; platform C convention
//! return ireduce.i32(load.i64 ss+0)
//! ```
//!
//! Invariants: no stack-limit check (the `vmctx` is not a `VMContext`);
//! frame pointers are kept like all Kiln code, so backtraces walk through;
//! the host returns only on success (it raises traps itself), so there is no
//! error path.

#[cfg(test)]
use crate::component::resolve::HostCallee;
use crate::component::resolve::ResolvedTrampoline;
use crate::func::sig::{clif_type, wasm_call_signature};
use crate::key::{HostRef, TrampolineIds};
use crate::module::FuncType;
use cranelift_codegen::ir::{
    self, AbiParam, ExtFuncData, ExternalName, InstBuilder, StackSlotData, StackSlotKind,
    UserExternalName, UserFuncName, types,
};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use kiln_abi::ValType;
use kiln_abi::component::{LOWERED_SLOT_SIZE, lowered_slots_count};

/// `UserFuncName` namespace of component trampolines (wasm functions use 0,
/// the core trampolines 1 and 2).
const COMPONENT_TRAMPOLINE_NAMESPACE: u32 = 3;

/// The wasm-call signature of `t`.
pub fn trampoline_signature(t: &ResolvedTrampoline, isa: &dyn TargetIsa) -> ir::Signature {
    wasm_call_signature(
        &FuncType {
            params: t.params.clone(),
            results: t.results.clone(),
        },
        isa,
    )
}

/// The host function's signature: `(opts: ptr, slots: ptr, n: i32) -> ()`
/// in the platform C convention (`kiln_abi::component::LoweredHostFn`).
pub fn host_signature(isa: &dyn TargetIsa) -> ir::Signature {
    let pointer = isa.pointer_type();
    let mut sig = ir::Signature::new(isa.default_call_conv());
    sig.params.push(AbiParam::new(pointer));
    sig.params.push(AbiParam::new(pointer));
    sig.params.push(AbiParam::new(types::I32));
    sig
}

/// The CLIF of trampoline `index` (see the module docs).
pub fn build(
    index: u32,
    t: &ResolvedTrampoline,
    ids: TrampolineIds,
    isa: &dyn TargetIsa,
    builder_ctx: &mut FunctionBuilderContext,
) -> ir::Function {
    let pointer = isa.pointer_type();
    let mut func = ir::Function::with_name_signature(
        UserFuncName::user(COMPONENT_TRAMPOLINE_NAMESPACE, index),
        trampoline_signature(t, isa),
    );
    let mut b = FunctionBuilder::new(&mut func, builder_ctx);
    let block = super::entry_block(&mut b);
    let params = b.block_params(block).to_vec();
    let opts = params[0];

    let num_slots = lowered_slots_count(t.params.len(), t.results.len());
    let slot_size = LOWERED_SLOT_SIZE as usize;
    // NB: at most 17 parameters (16 flat values plus a return pointer), so
    // the sizes below are tiny.
    let size = u32::try_from(num_slots * slot_size).expect("few slots");
    let slots = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        size,
        LOWERED_SLOT_SIZE.trailing_zeros() as u8,
    ));
    for (i, (ty, v)) in t.params.iter().zip(&params[1..]).enumerate() {
        let bits = to_slot(&mut b, *ty, *v);
        b.ins().stack_store(pointer, bits, slots, slot_offset(i));
    }
    let slots_addr = b.ins().stack_addr(pointer, slots, 0);
    let n = b.ins().iconst(types::I32, num_slots as i64);

    let signature = b.import_signature(host_signature(isa));
    let HostRef::Func(id) = ids.host;
    // cranelift-module's convention: namespace 0 = function ids.
    let name = b
        .func
        .declare_imported_user_function(UserExternalName::new(0, id.as_u32()));
    let host = b.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature,
        colocated: crate::isa::runtime_calls_are_near(isa),
        patchable: false,
    });
    b.ins().call(host, &[opts, slots_addr, n]);

    let mut results = Vec::with_capacity(t.results.len());
    for (i, ty) in t.results.iter().enumerate() {
        let bits = b
            .ins()
            .stack_load(pointer, types::I64, slots, slot_offset(i));
        results.push(from_slot(&mut b, *ty, bits, pointer));
    }
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
    func
}

fn slot_offset(i: usize) -> i32 {
    i32::try_from(i * LOWERED_SLOT_SIZE as usize).expect("few slots")
}

/// A core value as the 64 bits of its slot: `i32`/`f32` bits zero-extended,
/// `i64`/`f64` bits whole.
fn to_slot(b: &mut FunctionBuilder<'_>, ty: ValType, v: ir::Value) -> ir::Value {
    let flags = ir::MemFlagsData::new();
    match ty {
        ValType::I32 => b.ins().uextend(types::I64, v),
        ValType::F32 => {
            let bits = b.ins().bitcast(types::I32, flags, v);
            b.ins().uextend(types::I64, bits)
        }
        ValType::F64 => b.ins().bitcast(types::I64, flags, v),
        // `flatten_functype` yields only the four numeric types.
        _ => v,
    }
}

/// The value of type `ty` held in a slot's 64 bits.
fn from_slot(
    b: &mut FunctionBuilder<'_>,
    ty: ValType,
    bits: ir::Value,
    pointer: ir::Type,
) -> ir::Value {
    let flags = ir::MemFlagsData::new();
    match ty {
        ValType::I32 => b.ins().ireduce(types::I32, bits),
        ValType::F32 => {
            let low = b.ins().ireduce(types::I32, bits);
            b.ins().bitcast(types::F32, flags, low)
        }
        ValType::F64 => b.ins().bitcast(types::F64, flags, bits),
        ValType::I64 => bits,
        // `flatten_functype` yields only the four numeric types; anything
        // else would have failed the host signature check.
        other => {
            let ty = clif_type(other, pointer);
            if ty == types::I64 {
                bits
            } else {
                b.ins().ireduce(ty, bits)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cranelift_codegen::Context;
    use cranelift_codegen::control::ControlPlane;
    use cranelift_entity::EntityRef;
    use cranelift_module::FuncId;

    /// Every core type goes through its slot, and the host is WASI host
    /// function 3: the CLIF of a `(i32, i64, f32, f64) -> f32` trampoline.
    #[test]
    fn slots_encode_every_core_type() {
        let isa = crate::isa::build_isa(&crate::Config::default()).expect("host isa");
        let t = ResolvedTrampoline {
            kind: 0,
            params: vec![ValType::I32, ValType::I64, ValType::F32, ValType::F64],
            results: vec![ValType::F32],
            host: HostCallee::Wasi(3),
            name: String::new(),
        };
        let ids = TrampolineIds {
            code: FuncId::new(0),
            host: HostRef::Func(FuncId::new(2)),
        };
        let func = build(7, &t, ids, &*isa, &mut FunctionBuilderContext::new());
        let text = func.display().to_string();
        let expected = "\
function u3:7(i64 vmctx, i32, i64, f32, f64) -> f32 tail {
    ss0 = explicit_slot 32, align = 8
    sig0 = (i64, i64, i32) system_v
    fn0 = u0:2 sig0

block0(v0: i64, v1: i32, v2: i64, v3: f32, v4: f64):
    v5 = uextend.i64 v1
    v6 = stack_addr.i64 ss0
    store notrap v5, v6
    v7 = stack_addr.i64 ss0+8
    store notrap v2, v7
    v8 = bitcast.i32 v3
    v9 = uextend.i64 v8
    v10 = stack_addr.i64 ss0+16
    store notrap v9, v10
    v11 = bitcast.i64 v4
    v12 = stack_addr.i64 ss0+24
    store notrap v11, v12
    v13 = stack_addr.i64 ss0
    v14 = iconst.i32 4
    call fn0(v0, v13, v14)  ; v14 = 4
    v15 = stack_addr.i64 ss0
    v16 = load.i64 notrap v15
    v17 = ireduce.i32 v16
    v18 = bitcast.f32 v17
    return v18
}
";
        assert_eq!(text, expected);
        let mut ctx = Context::for_function(func);
        ctx.compile(&*isa, &mut ControlPlane::default())
            .expect("compiles");
    }
}
