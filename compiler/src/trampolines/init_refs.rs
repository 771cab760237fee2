//! The reference and element initializers (`__kiln_init_refs`,
//! `__kiln_init_elems`): compiled code that fills a module's function
//! references and applies its leading element segments at instantiation,
//! instead of the runtime's loops over the descriptor.
//!
//! Phase 2, beside the trampolines. Input: the module and what the
//! initializers cover ([`plan`], computed once by the driver, which passes
//! it to declaration, compilation and the descriptor). Output: up to two
//! [`ir::Function`]s, `extern "C" fn(vmctx)` in the target's C convention.
//! The runtime calls the first where it would fill the references (after
//! the imports', before the globals, whose `ref.func` initializers name
//! them) and the second once the instance's tables exist
//! (`kiln_abi::descriptor::ModuleDescriptor::init_refs`, `init_elems`).
//!
//! ```wat
//! (module (table 2 funcref) (elem (i32.const 1) func $f) (func $f))
//! ;; init_refs:  vmctx.func_refs[0] = { wasm_call: &__kiln_func_0,
//! ;;                                    type_id: vmctx.type_ids[0], vmctx }
//! ;; init_elems: table0.base[1] = &vmctx.func_refs[0]
//! ```
//!
//! Why: start-up. The runtime's loops cost ~24 instructions per escaping
//! function and ~18 per table element (index checks, descriptor reads,
//! type-id lookups); the stores of constants here cost 4 and 2. A Rust
//! hello world fills 70 references and 68 slots at every start.
//!
//! Invariants: the first covers every escaping defined function or none
//! (then the runtime does them all); the second a prefix of the element
//! segments whose
//! active members target defined tables, within the table's minimum size
//! (so the writes cannot trap and need no check), with only `ref.func` and
//! `ref.null` items: a prefix, because segments apply in order and a later
//! one may overwrite an earlier one's slots. Code grows with the items
//! covered, so each has a budget ([`MAX_ITEMS`]); beyond it the runtime's
//! loops remain (on such large modules their cost is a small share of
//! start-up).

use super::import;
use crate::func::sig::wasm_call_signature;
use crate::key::{DeclaredFuncs, FuncKey};
use crate::module::{ConstExprInfo, FuncIndex, ModuleInfo, SegmentMode, TypeIndex};
use cranelift_codegen::ir::{self, AbiParam, InstBuilder, MemFlagsData, UserFuncName};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use kiln_abi::vmctx::VMOffsets;
use std::collections::BTreeMap;

/// `UserFuncName` namespace of the initializers (index 0: references, 1:
/// elements).
const INIT_NAMESPACE: u32 = 3;

/// Most functions one reference initializer, and most element items one
/// element initializer, covers: ~20 and ~14 bytes of code each, so at most
/// ~20 KB of straight-line code each, run once.
pub const MAX_ITEMS: usize = 1024;

/// What a module's initializers cover.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The escaping defined functions, ascending; empty: no reference
    /// initializer.
    pub escaping: Vec<FuncIndex>,
    /// Element segments `0..applied` are handled (see the module docs),
    /// the last of them active; `0`: no element initializer.
    pub applied: u32,
}

/// What the initializers of `info` cover (see [`Plan`]).
pub fn plan(info: &ModuleInfo, offsets: &VMOffsets) -> Plan {
    // Every store addresses the context with a 32-bit displacement.
    if i32::try_from(offsets.size()).is_err() {
        return Plan::default();
    }
    let mut escaping: Vec<FuncIndex> = info.escaping_defined_funcs().collect();
    if escaping.len() > MAX_ITEMS {
        escaping.clear();
    }
    let mut items = 0;
    let mut applied = 0u32;
    for (i, e) in info.elems.iter().enumerate() {
        if let SegmentMode::Active { index, offset } = &e.mode {
            match static_segment(info, *index, offset, &e.items) {
                Some(_) if items + e.items.len() <= MAX_ITEMS => {
                    items += e.items.len();
                    applied = i as u32 + 1;
                }
                _ => break,
            }
        }
    }
    Plan { escaping, applied }
}

/// The defined table and first slot of an active segment the initializer
/// can apply: a constant offset, a defined table whose minimum size holds
/// the segment (its slots at 32-bit displacements), and only `ref.func`
/// and `ref.null` items.
fn static_segment(
    info: &ModuleInfo,
    table: crate::module::TableIndex,
    offset: &ConstExprInfo,
    items: &[ConstExprInfo],
) -> Option<(u32, u64)> {
    let defined = info.defined_table_index(table)?;
    let start = offset.constant_offset(info.tables[table].table64)?;
    let end = start.checked_add(items.len() as u64)?;
    // NB: 8 bytes a slot at most (pointer-sized elements).
    if end > info.tables[table].min || end > (i32::MAX as u64) / 8 {
        return None;
    }
    let plain = items
        .iter()
        .all(|i| matches!(i, ConstExprInfo::RefFunc(_) | ConstExprInfo::RefNull(_)));
    plain.then_some((defined.as_u32(), start))
}

/// The reference initializer: the `VMFuncRef` of each of `escaping`.
pub fn build_refs(
    info: &ModuleInfo,
    escaping: &[FuncIndex],
    offsets: &VMOffsets,
    isa: &dyn TargetIsa,
    ids: &DeclaredFuncs,
    builder_ctx: &mut FunctionBuilderContext,
) -> ir::Function {
    let pointer = isa.pointer_type();
    let ptr = isa.pointer_bytes();
    initializer(0, isa, builder_ctx, |b, vmctx| {
        let type_ids = b.ins().load(
            pointer,
            FLAGS.with_readonly(),
            vmctx,
            disp(VMOffsets::TYPE_IDS),
        );
        let mut ids_by_type: BTreeMap<TypeIndex, ir::Value> = BTreeMap::new();
        for &f in escaping {
            let at = offsets.func_ref(f.as_u32());
            let callee = import(
                b,
                ids,
                FuncKey::Wasm(f),
                wasm_call_signature(info.func_type(f), isa),
                true,
            );
            let code = b.ins().func_addr(pointer, callee);
            b.ins().store(
                FLAGS,
                code,
                vmctx,
                disp(at + VMOffsets::func_ref_wasm_call()),
            );
            let ty = info.funcs[f].type_index;
            let id = *ids_by_type.entry(ty).or_insert_with(|| {
                b.ins().load(
                    ir::types::I32,
                    FLAGS.with_readonly(),
                    type_ids,
                    disp(ty.as_u32() * VMOffsets::size_of_type_id()),
                )
            });
            b.ins().store(
                FLAGS,
                id,
                vmctx,
                disp(at + VMOffsets::func_ref_type_id(ptr)),
            );
            b.ins().store(
                FLAGS,
                vmctx,
                vmctx,
                disp(at + VMOffsets::func_ref_vmctx(ptr)),
            );
        }
    })
}

/// The element initializer: the slots of the active segments among
/// `0..applied`.
pub fn build_elems(
    info: &ModuleInfo,
    applied: u32,
    offsets: &VMOffsets,
    isa: &dyn TargetIsa,
    builder_ctx: &mut FunctionBuilderContext,
) -> ir::Function {
    let pointer = isa.pointer_type();
    let ptr = isa.pointer_bytes();
    initializer(1, isa, builder_ctx, |b, vmctx| {
        let null = b.ins().iconst(pointer, 0);
        for e in &info.elems[..applied as usize] {
            let SegmentMode::Active { index, offset } = &e.mode else {
                continue;
            };
            let (table, start) = static_segment(info, *index, offset, &e.items)
                .expect("planned: the segment is applied statically");
            let base = b.ins().load(
                pointer,
                FLAGS,
                vmctx,
                disp(offsets.defined_table(table) + VMOffsets::table_base()),
            );
            for (j, item) in e.items.iter().enumerate() {
                let value = match item {
                    ConstExprInfo::RefFunc(f) => b
                        .ins()
                        .iadd_imm_u(vmctx, i64::from(offsets.func_ref(f.as_u32()))),
                    _ => null,
                };
                let slot = (start + j as u64) * u64::from(ptr);
                let slot = i32::try_from(slot).expect("planned: slots at 32-bit displacements");
                b.ins().store(FLAGS, value, base, slot);
            }
        }
    })
}

/// The context is the instance's own during instantiation, and every
/// offset comes from its layout.
const FLAGS: MemFlagsData = MemFlagsData::trusted();

/// A context offset as a store's displacement.
fn disp(off: u32) -> i32 {
    i32::try_from(off).expect("planned: the context fits 32-bit offsets")
}

/// Initializer `index` (its `UserFuncName`): one block from the `vmctx`
/// parameter to the return, its stores made by `body`.
fn initializer(
    index: u32,
    isa: &dyn TargetIsa,
    builder_ctx: &mut FunctionBuilderContext,
    body: impl FnOnce(&mut FunctionBuilder<'_>, ir::Value),
) -> ir::Function {
    let mut func = ir::Function::with_name_signature(
        UserFuncName::user(INIT_NAMESPACE, index),
        init_signature(isa),
    );
    let mut b = FunctionBuilder::new(&mut func, builder_ctx);
    let block = super::entry_block(&mut b);
    let vmctx = b.block_params(block)[0];
    body(&mut b, vmctx);
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
    func
}

/// `extern "C" fn(vmctx)`.
pub fn init_signature(isa: &dyn TargetIsa) -> ir::Signature {
    let mut sig = ir::Signature::new(isa.default_call_conv());
    sig.params.push(AbiParam::new(isa.pointer_type()));
    sig
}
