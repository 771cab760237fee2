//! Cranelift signatures of Kiln's calling conventions (documented in
//! `kiln_abi::descriptor`), built in one place.

use crate::module::FuncType;
use cranelift_codegen::ir::{AbiParam, ArgumentPurpose, Signature, Type, types};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use kiln_abi::ValType;
use kiln_abi::libcalls::AbiType;

/// The CLIF type of a wasm value type (references are pointer-sized).
pub fn clif_type(ty: ValType, pointer: Type) -> Type {
    match ty {
        ValType::I32 => types::I32,
        ValType::I64 => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::V128 => types::I8X16,
        ValType::FuncRef | ValType::ExternRef | ValType::ExnRef => pointer,
    }
}

fn abi_type(ty: AbiType, pointer: Type) -> Type {
    match ty {
        AbiType::Ptr => pointer,
        AbiType::I32 => types::I32,
        AbiType::I64 => types::I64,
        AbiType::F32 => types::F32,
        AbiType::F64 => types::F64,
    }
}

/// wasm call: `tail` convention, `(vmctx, params...) -> results`.
pub fn wasm_call_signature(ty: &FuncType, isa: &dyn TargetIsa) -> Signature {
    let pointer = isa.pointer_type();
    let mut sig = Signature::new(CallConv::Tail);
    // The VMContext purpose lets Cranelift derive the stack-limit global
    // value from it; it does not change the calling convention.
    sig.params
        .push(AbiParam::special(pointer, ArgumentPurpose::VMContext));
    sig.params.extend(
        ty.params
            .iter()
            .map(|t| AbiParam::new(clif_type(*t, pointer))),
    );
    sig.returns.extend(
        ty.results
            .iter()
            .map(|t| AbiParam::new(clif_type(*t, pointer))),
    );
    sig
}

/// array call: platform convention, `(vmctx, values: *mut ValRaw)`.
pub fn array_call_signature(isa: &dyn TargetIsa) -> Signature {
    let pointer = isa.pointer_type();
    let mut sig = Signature::new(isa.default_call_conv());
    sig.params.push(AbiParam::new(pointer));
    sig.params.push(AbiParam::new(pointer));
    sig
}

/// Host call or libcall: platform convention, `(params...) -> result`, where
/// `params` already include `vmctx` for libcalls; for host functions
/// `with_vmctx` prepends it.
pub fn native_signature(
    params: &[AbiType],
    result: Option<AbiType>,
    with_vmctx: bool,
    isa: &dyn TargetIsa,
) -> Signature {
    let pointer = isa.pointer_type();
    let mut sig = Signature::new(isa.default_call_conv());
    if with_vmctx {
        sig.params.push(AbiParam::new(pointer));
    }
    sig.params
        .extend(params.iter().map(|t| AbiParam::new(abi_type(*t, pointer))));
    sig.returns
        .extend(result.map(|t| AbiParam::new(abi_type(t, pointer))));
    sig
}
