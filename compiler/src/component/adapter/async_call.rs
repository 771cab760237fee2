//! The two halves of an async call's adapter: moving the parameters when
//! the callee's task starts, and the results when it returns.
//!
//! Phase 1 (WHAT), called by `super::super::inline` for a
//! `Trampoline::AsyncCall` whose values are not all one flat `bool`,
//! integer or float (those the runtime passes itself). Input: the request
//! of [`super::generate`]. Output: two core modules (each exporting
//! [`super::EXPORT`]) that the runtime's task machinery
//! (`kiln_canon::p3::task`) calls:
//!
//! - [`Half::Params`]: `(caller's flat parameters, as the lowering passes
//!   them, without the return pointer) -> (callee's core parameters)`, run
//!   when the callee's task starts (a call waiting behind backpressure
//!   moves its values only then, as the spec's `on_start` does): lifts
//!   from the caller's flat values or parameter tuple and lowers into the
//!   callee, allocating with the callee's `realloc` (strings, lists, a
//!   tuple of more than 16 flat values);
//! - [`Half::Results`]: `(callee's results as it gives them: `task.return`'s
//!   flat parameters or pointer for an async lift, the core results of a
//!   sync lift; then the caller's return pointer if the lowering has one)
//!   -> (the sync lowering's one flat result, if any)`, run inside
//!   `task.return` (or after a sync lift returns, before its
//!   `post-return`), while the callee's memory still holds the values,
//!   allocating with the caller's `realloc`.
//!
//! Both reuse the fused adapter's value translation ([`super::translate`]):
//! strings in every encoding pair (through the runtime's transcoders),
//! lists, records, variants, options, results, flags, `own` handles and
//! stream or future ends and error contexts (the last three through the
//! runtime's handle built-in). A half's function is named after the
//! component function (a backtrace shows `kiln-adapter![adapter-params]f`
//! or `kiln-adapter![adapter-results]f`, see `super`).
//! Invariant: the `may_leave` flag of the side whose `realloc` runs is
//! cleared around the translation (before any check, as Wasmtime's
//! functions clear it), as in a fused adapter. A `borrow` is
//! lent from the caller's scope and counted on the callee's: the scopes of
//! this call, which the runtime makes current while the halves run.

use super::translate::{Dir, Emitter, Loc, Missing, Side, val_type};
use super::{
    Binding, EXPORT, Generated, Imports, Request, import_transcoders, resources, unsupported,
};
use crate::CompileError;
use crate::component::plan::CanonOptions;
use kiln_abi::component::{
    AbiContext, FlattenOpts, FuncSig, INSTANCE_FLAG_MAY_LEAVE, PtrType, TypeIndex,
};
use kiln_abi::trap::TrapCode;
use wasm_encoder::{ExportKind, ExportSection, FunctionSection, Module, TypeSection, ValType};

/// Which half of the call.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(in crate::component) enum Half {
    Params,
    Results,
}

/// Generates one half of the async call `req` (see the module docs);
/// `None` for the results of a function without any.
pub(in crate::component) fn generate_async(
    req: &Request<'_>,
    half: Half,
) -> Result<Option<Generated>, CompileError> {
    let name = req.name;
    let (lower, lift, table) = (req.lower, req.lift, req.table);
    let params: Vec<TypeIndex> = req.ty.params.iter().map(|(_, t)| *t).collect();
    let results: Vec<TypeIndex> = req.ty.result.iter().copied().collect();
    if half == Half::Results && results.is_empty() {
        return Ok(None);
    }
    let sig = FuncSig {
        params: &params,
        results: &results,
    };
    let lower_sig = table.flatten_functype(
        sig,
        FlattenOpts {
            async_: lower.async_,
            ..FlattenOpts::default()
        },
        AbiContext::Lower,
    );
    // The callee's parameters travel as a sync lift's (at most 16 flat);
    // its results as a sync lift returns them, or as `task.return`'s
    // parameters (a lowered function's, at most 16 flat).
    let lift_sig = table.flatten_functype(sig, FlattenOpts::default(), AbiContext::Lift);
    let task_return = table.flatten_functype(
        FuncSig {
            params: &results,
            results: &[],
        },
        FlattenOpts::default(),
        AbiContext::Lower,
    );
    let core = |t: &[kiln_abi::ValType]| t.iter().map(|t| val_type(*t)).collect::<Vec<_>>();
    let async_lift = lift.callback.is_some();
    let lower_in = lower_sig.params.as_slice().len() - usize::from(lower_sig.results_in_memory);
    let (types, fn_params, fn_results, src_in_memory) = match half {
        Half::Params => (
            params.clone(),
            core(&lower_sig.params.as_slice()[..lower_in]),
            core(lift_sig.params.as_slice()),
            lower_sig.params_in_memory,
        ),
        Half::Results => {
            let (src, in_memory) = if async_lift {
                (
                    core(task_return.params.as_slice()),
                    task_return.params_in_memory,
                )
            } else {
                (
                    core(lift_sig.results.as_slice()),
                    lift_sig.results_in_memory,
                )
            };
            let mut p = src;
            if lower_sig.results_in_memory {
                p.push(ValType::I32);
            }
            let r = if lower.async_ || lower_sig.results_in_memory {
                Vec::new()
            } else {
                core(lower_sig.results.as_slice())
            };
            (results.clone(), p, r, in_memory)
        }
    };
    // Source and destination: parameters go caller -> callee, results
    // callee -> caller.
    let (src_o, dst_o) = match half {
        Half::Params => (lower, lift),
        Half::Results => (lift, lower),
    };

    let mut im = Imports::default();
    let i32s = |n| vec![ValType::I32; n];
    let word_dst = im.flags("dst-word", dst_o.instance);
    let realloc = |im: &mut Imports, module: &str, o: &CanonOptions| {
        o.realloc
            .as_ref()
            .map(|r| im.func(module, "realloc", i32s(4), i32s(1), Binding::Def(r.clone())))
    };
    let realloc_dst = realloc(&mut im, "dst", dst_o);
    let handle_funcs: Vec<(u32, u32)> = resources(&table, &types)
        .into_iter()
        .map(|r| {
            let f = im.func(
                "handle",
                &format!("r{r}"),
                i32s(5),
                i32s(1),
                Binding::Handle(r),
            );
            (r, f)
        })
        .collect();
    let transcode = import_transcoders(&mut im, &table, "values", &types, src_o, dst_o);
    // The caller's memory first, as in a fused adapter.
    let (mem_src, mem_dst) = if half == Half::Params {
        let s = im.options_memory("src", src_o);
        (s, im.options_memory("dst", dst_o))
    } else {
        let d = im.options_memory("dst", dst_o);
        (im.options_memory("src", src_o), d)
    };
    let adapter_ty = im.ty(fn_params.clone(), fn_results.clone());
    let adapter = im.funcs;

    let src_side = Side {
        mem: mem_src,
        // Only the destination allocates.
        realloc: None,
        encoding: src_o.string_encoding,
    };
    let dst_side = Side {
        mem: mem_dst,
        realloc: realloc_dst,
        encoding: dst_o.string_encoding,
    };
    let mut e = Emitter::new(table, fn_params.len(), handle_funcs, im.types.len() as u32);
    let bug = |what: Missing| {
        unsupported(format!(
            "component construct Kiln cannot follow ({} missing in the async adapter of `{name}`)",
            what.0
        ))
    };
    let need_mem = |m: Option<u32>| m.ok_or(Missing("the memory option"));
    let ptr = PtrType::I32;
    let align = table.fields_alignment(types.iter().copied(), ptr);
    let n_src =
        fn_params.len() as u32 - u32::from(half == Half::Results && lower_sig.results_in_memory);
    let size = table.fields_size(types.iter().copied(), ptr);
    let reallocs = types.iter().any(|t| table.contains_list_or_string(*t))
        || (half == Half::Params && lift_sig.params_in_memory);
    let may_leave = INSTANCE_FLAG_MAY_LEAVE as i32;
    let set_leave = |e: &mut Emitter<'_>, on: bool| {
        e.i(wasm_encoder::Instruction::GlobalGet(word_dst));
        if on {
            e.i(wasm_encoder::Instruction::I32Const(may_leave));
            e.i(wasm_encoder::Instruction::I32Or);
        } else {
            e.i(wasm_encoder::Instruction::I32Const(!may_leave));
            e.i(wasm_encoder::Instruction::I32And);
        }
        e.i(wasm_encoder::Instruction::GlobalSet(word_dst));
    };
    // Cleared before anything is checked, as Wasmtime's halves do.
    if reallocs {
        set_leave(&mut e, false);
    }
    let src = if src_in_memory {
        let mem = need_mem(mem_src).map_err(bug)?;
        e.check_operand(mem, 0, size, align);
        Loc::Mem {
            mem,
            addr: 0,
            off: 0,
        }
    } else {
        Loc::Flat((0..n_src).zip(fn_params.iter().copied()).collect())
    };
    let (dst, out) = match half {
        Half::Params if lift_sig.params_in_memory => {
            let p = e
                .alloc(dst_side, align, None, size, TrapCode::MemoryOutOfBounds)
                .map_err(bug)?;
            let mem = need_mem(mem_dst).map_err(bug)?;
            (
                Loc::Mem {
                    mem,
                    addr: p,
                    off: 0,
                },
                vec![p],
            )
        }
        Half::Results if lower_sig.results_in_memory => {
            let retptr = n_src;
            let mem = need_mem(mem_dst).map_err(bug)?;
            e.check_operand(mem, retptr, size, align);
            (
                Loc::Mem {
                    mem,
                    addr: retptr,
                    off: 0,
                },
                Vec::new(),
            )
        }
        _ => {
            let locals = e.flat_locals(&types);
            let out = locals.iter().map(|l| l.0).collect();
            (Loc::Flat(locals), out)
        }
    };
    let dir = Dir {
        src: src_side,
        dst: dst_side,
        transcode,
        src_instance: src_o.instance.as_u32(),
        dst_instance: dst_o.instance.as_u32(),
    };
    e.fields(&types, &src, &dst, dir).map_err(bug)?;
    if reallocs {
        set_leave(&mut e, true);
    }
    // An async lowering has no flat result: the values went to its
    // return pointer.
    if !fn_results.is_empty() {
        for l in out {
            e.i(wasm_encoder::Instruction::LocalGet(l));
        }
    }
    e.i(wasm_encoder::Instruction::End);

    debug_assert_eq!(im.types.len() as u32, e.type_base);
    im.types
        .extend(e.block_types.drain(..).map(|r| (Vec::new(), r)));
    let mut module = Module::new();
    let mut types_section = TypeSection::new();
    for (p, r) in &im.types {
        types_section
            .ty()
            .function(p.iter().copied(), r.iter().copied());
    }
    module.section(&types_section);
    module.section(&im.section);
    let mut funcs = FunctionSection::new();
    funcs.function(adapter_ty);
    module.section(&funcs);
    let mut exports = ExportSection::new();
    exports.export(EXPORT, ExportKind::Func, adapter);
    module.section(&exports);
    let kind = match half {
        Half::Params => "adapter-params",
        Half::Results => "adapter-results",
    };
    Ok(Some(super::finish(
        module, adapter, kind, req.name, &e, im.list,
    )))
}
