//! Fused adapters: a `canon lower` of a function that another component
//! instance `canon lift`ed becomes a generated core wasm module.
//!
//! Phase 1 (WHAT), called by `super::inline` at the `canon lower`. Input:
//! the component function type, the lowering's options (the caller's) and
//! the lifting's (the callee's), and the lifted core function. Output: the
//! bytes of a core module exporting [`EXPORT`] with the lowering's core
//! signature, and what each of its imports is bound to ([`Binding`]). The
//! inliner adds the module to the plan (`ModulePlan::generated`) and
//! instantiates it in the caller's component instance; from there on it is
//! an ordinary core module (translated, compiled and linked by the core
//! pipeline, its calls direct).
//!
//! The adapter function does what `canon lower` followed by `canon lift`
//! does, in Wasmtime's order:
//! 1. trap "cannot leave component instance" unless the caller's
//!    `may_leave` is set; an adapter whose lift and lower are in the same
//!    component instance traps "cannot enter component instance" (the one
//!    re-entrance Wasmtime 49 refuses for synchronous calls);
//! 2. with the callee's `may_leave` cleared, lowers the arguments into the
//!    callee (allocating the parameter tuple with the callee's `realloc`
//!    first when they do not fit flat), see [`translate`];
//! 3. calls the callee;
//! 4. with the caller's `may_leave` cleared, lowers the results into the
//!    caller (at its return pointer, or flat);
//! 5. calls the callee's `post-return` with the callee's core results
//!    (with `may_leave` set: Wasmtime 49 lets it call imports here).
//!
//! The instance flags words are imported as mutable `i32` globals
//! (`CoreDef::InstanceFlags`, storage owned by the runtime), so the
//! `may_leave` test and flips are a few inline instructions; steps that
//! cannot run guest code (no `realloc` involved) skip the flips. The
//! `AdapterFlags` built-in of the instance keeps what needs the runtime's
//! state: call scopes, and raising the traps of the `may_leave` test once
//! it has failed and of re-entrance. The value and memory checks trap with
//! a bare `unreachable` that the compiler translates as the check's trap
//! (`Generated::traps`).
//!
//! `own` and `borrow` values go through the runtime's `AdapterHandle`
//! built-in of their resource (the handle tables live in the runtime);
//! when the parameters hold a borrow, each side gets a call scope for the
//! length of the call (the caller's lends end with it, and the callee must
//! have dropped its borrow handles by then).
//!
//! A function of an `async` type lowered and lifted without `async`, or
//! one moving a stream or future end ([`moves_ends`]: the end moves
//! through the runtime's handle built-in), is generated here, its callee
//! import bound to a task trampoline (`Trampoline::AsyncCall` with
//! `core_values`: the runtime runs the call as a task that may block).
//! Calls where either side is async are not generated here:
//! [`needs_async_call`] sends them to the runtime's task
//! machinery (`Trampoline::AsyncCall`), whose values [`async_values`]
//! passes flat (scalars, stream or future ends) or moves with generated
//! halves (borrows included: the runtime keeps one pair of call scopes
//! per async call). `error-context` values
//! pass both ways: the receiving instance gets a handle of its own
//! (`ADAPTER_HANDLE_COPY_ERROR`). 64-bit memories fail when the
//! adapter's 32-bit memory import is linked.
//!
//! Backtraces: every generated module is named [`MODULE_NAME`] and its
//! function after the component function it adapts, so a frame in the
//! adapter of `f` prints as `kiln-adapter![adapter]f` (an async call's
//! halves as `kiln-adapter![adapter-params]f` and
//! `kiln-adapter![adapter-results]f`), at the offset of Kiln's own
//! instruction in that module. This is Kiln's own
//! stable form: Wasmtime names its adapters' frames after the modules its
//! generator lays out (`<unknown>!<wasm function N>`), which change with
//! its releases, and nothing relies on them. Trap messages and the order
//! of the checks are Wasmtime's.

mod async_call;
mod encode;
mod strings;
mod translate;

use super::plan::{CanonOptions, CoreDef, CoreKind, FuncType, RuntimeComponentInstanceIndex};
use crate::CompileError;
pub(super) use async_call::{Half, generate_async};
use kiln_abi::component::canon::{
    ADAPTER_FLAGS_CANNOT_ENTER, ADAPTER_FLAGS_CHECK_LEAVE, ADAPTER_FLAGS_ENTER_CALL,
    ADAPTER_FLAGS_EXIT_CALL,
};
use kiln_abi::component::transcode::Transcode;
use kiln_abi::component::{
    AbiContext, FlattenOpts, FuncSig, INSTANCE_FLAG_MAY_LEAVE, PtrType, Type, TypeIndex, TypeTable,
};
use kiln_abi::trap::TrapCode;
use translate::{Dir, Emitter, Loc, Side, Transcoders, val_type};
use wasm_encoder::{
    BlockType, EntityType, ExportKind, ExportSection, FunctionSection, GlobalType, ImportSection,
    Instruction as I, MemoryType, Module, TypeSection, ValType,
};

/// The name of the adapter function the generated module exports.
pub(super) const EXPORT: &str = "adapter";

/// The name every generated adapter module has in its name section, which
/// backtraces show: a frame in the adapter of component function `f` is
/// `kiln-adapter![adapter]f`, at an offset of that adapter's module (see
/// [`function_name`]).
pub(super) const MODULE_NAME: &str = "kiln-adapter";

/// The name of an adapter function of component function `name` (empty
/// for a function never exported or aliased by name), what a backtrace
/// shows after [`MODULE_NAME`]: `[kind]name`, `kind` being `adapter` or,
/// for an async call's halves, `adapter-params` and `adapter-results`.
/// The bracket keeps the name from reading as a mangled symbol (the
/// runtime prints names demangled, as Wasmtime does: a bare `f` would
/// print as `float`).
fn function_name(kind: &str, name: &str) -> String {
    format!("[{kind}]{name}")
}

/// One adapter to generate.
pub(super) struct Request<'a> {
    /// The function, for messages (its export name).
    pub name: &'a str,
    pub table: TypeTable<'a>,
    pub ty: &'a FuncType,
    /// The caller's options (`canon lower`).
    pub lower: &'a CanonOptions,
    /// The callee's options (`canon lift`).
    pub lift: &'a CanonOptions,
    /// The lifted core function.
    pub callee: &'a CoreDef,
}

/// What an import of the generated module is bound to.
#[derive(Clone, Debug)]
pub(super) enum Binding {
    /// An item of the component.
    Def(CoreDef),
    /// The `AdapterFlags` built-in of a component instance.
    Flags(RuntimeComponentInstanceIndex),
    /// The handle built-in of a resource (`ResourceIndex::as_u32`).
    Handle(u32),
    /// A string transcoder from `src`'s options to `dst`'s.
    Transcode {
        op: Transcode,
        dst: Box<CanonOptions>,
        src: Box<CanonOptions>,
    },
}

/// A generated adapter module.
pub(super) struct Generated {
    pub bytes: Vec<u8>,
    /// Module offsets of the `unreachable`s that raise other traps, and
    /// their codes (`ModulePlan::traps`).
    pub traps: Vec<(u32, TrapCode)>,
    /// Its imports in order: (module, name, kind, binding).
    pub imports: Vec<(String, String, CoreKind, Binding)>,
}

fn unsupported(feature: String) -> CompileError {
    CompileError::Unsupported { feature, offset: 0 }
}

/// Collects the module's imports and function types.
#[derive(Default)]
struct Imports {
    types: Vec<(Vec<ValType>, Vec<ValType>)>,
    section: ImportSection,
    funcs: u32,
    memories: u32,
    globals: u32,
    list: Vec<(String, String, CoreKind, Binding)>,
}

impl Imports {
    fn ty(&mut self, params: Vec<ValType>, results: Vec<ValType>) -> u32 {
        let key = (params, results);
        if let Some(i) = self.types.iter().position(|t| *t == key) {
            return i as u32;
        }
        self.types.push(key);
        self.types.len() as u32 - 1
    }

    fn func(
        &mut self,
        module: &str,
        name: &str,
        params: Vec<ValType>,
        results: Vec<ValType>,
        binding: Binding,
    ) -> u32 {
        let ty = self.ty(params, results);
        self.section.import(module, name, EntityType::Function(ty));
        self.list
            .push((module.into(), name.into(), CoreKind::Func, binding));
        self.funcs += 1;
        self.funcs - 1
    }

    /// The flags word of component instance `instance`, a mutable `i32`
    /// global.
    fn flags(&mut self, name: &str, instance: RuntimeComponentInstanceIndex) -> u32 {
        self.section.import(
            "flags",
            name,
            EntityType::Global(GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            }),
        );
        self.list.push((
            "flags".into(),
            name.into(),
            CoreKind::Global,
            Binding::Def(CoreDef::InstanceFlags(instance)),
        ));
        self.globals += 1;
        self.globals - 1
    }

    /// Imports the memory of options `o` as `module`'s `memory`, if the
    /// options name one.
    fn options_memory(&mut self, module: &str, o: &CanonOptions) -> Option<u32> {
        o.memory
            .as_ref()
            .map(|m| self.memory(module, Binding::Def(CoreDef::Export(m.clone()))))
    }

    fn memory(&mut self, module: &str, binding: Binding) -> u32 {
        self.section.import(
            module,
            "memory",
            EntityType::Memory(MemoryType {
                minimum: 0,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            }),
        );
        self.list
            .push((module.into(), "memory".into(), CoreKind::Memory, binding));
        self.memories += 1;
        self.memories - 1
    }
}

/// Imports the caller's and the callee's memories; returns their indices.
fn import_memories(
    im: &mut Imports,
    lower: &CanonOptions,
    lift: &CanonOptions,
) -> (Option<u32>, Option<u32>) {
    let l = im.options_memory("lower", lower);
    (l, im.options_memory("lift", lift))
}

/// Whether `t` holds a stream or future end.
fn holds_end(table: &TypeTable<'_>, t: TypeIndex) -> bool {
    table.contains(t, &mut |u| matches!(u, Type::Stream(_) | Type::Future(_)))
}

/// Whether a call of `ty` moves a stream or future end.
pub(super) fn moves_ends(table: TypeTable<'_>, ty: &FuncType) -> bool {
    ty.params
        .iter()
        .map(|(_, t)| t)
        .chain(&ty.result)
        .any(|t| holds_end(&table, *t))
}

/// Whether a call of `ty` between component instances goes through the
/// runtime's task machinery (`Trampoline::AsyncCall`) instead of a
/// generated adapter: either side is async. (A function of an `async`
/// type lowered and lifted without `async`, or one moving a stream or
/// future end, is a generated adapter whose call of the callee goes
/// through the runtime, which runs the callee as a task of its own.)
pub(super) fn needs_async_call(lower: &CanonOptions, lift: &CanonOptions) -> bool {
    lower.async_ || lift.async_ || lift.callback.is_some()
}

/// How an async call's values move.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum AsyncValues {
    /// Each parameter and the result is one flat `bool`, integer or
    /// float, all passed flat (a sync lowering's result, or none): the
    /// runtime moves them itself (nothing to check).
    Runtime,
    /// Anything else: two generated halves ([`generate_async`]) move them,
    /// with the checks of `char`s and discriminants (handles, ends and
    /// error contexts through the runtime's handle built-in; borrows
    /// counted on the call's own scopes, which the runtime opens when the
    /// task starts). A trap there shows the half's frame
    /// (`kiln-adapter![adapter-params]f` or
    /// `kiln-adapter![adapter-results]f`).
    Adapters,
}

/// How the values of an async call of `ty` move.
pub(super) fn async_values(
    table: TypeTable<'_>,
    ty: &FuncType,
    lower: &CanonOptions,
) -> AsyncValues {
    // A `char` and an enum are checked as they move (an invalid one
    // traps in Wasmtime's start or return function), an end is moved
    // between tables (one that is not there traps the same way).
    let simple = |t: &TypeIndex| {
        table
            .get(*t)
            .is_some_and(|t| t.is_scalar() && !matches!(t, Type::Char))
    };
    let mut all = ty.params.iter().map(|(_, t)| t).chain(&ty.result);
    let flat_params = ty.params.len() <= MAX_FLAT_ASYNC_PARAMS || !lower.async_;
    // An `async` lowering's result goes to its return pointer, checked
    // (alignment, bounds) in Wasmtime's `[async-return]` function.
    let flat_result = ty.result.is_none() || !lower.async_;
    if all.all(simple) && flat_params && flat_result {
        return AsyncValues::Runtime;
    }
    AsyncValues::Adapters
}

/// At most this many flat parameters pass directly to an async lowering.
const MAX_FLAT_ASYNC_PARAMS: usize = 4;

/// The pseudo resource of stream and future ends and error contexts in
/// [`resources`]: their handle built-in has no resource
/// (`ADAPTER_HANDLE_MOVE_END`, `ADAPTER_HANDLE_COPY_ERROR`).
pub(in crate::component) const ENDS: u32 = kiln_abi::descriptor::NO_INDEX;

/// The resources of the `own`/`borrow` values inside `types`, in first-use
/// order, and [`ENDS`] if a stream, future or error context is inside.
fn resources(table: &TypeTable<'_>, types: &[TypeIndex]) -> Vec<u32> {
    let mut out = Vec::new();
    for t in types {
        table.contains(*t, &mut |u| {
            let r = match u {
                Type::Own(r) | Type::Borrow(r) => *r,
                Type::Stream(_) | Type::Future(_) | Type::ErrorContext => ENDS,
                _ => return false,
            };
            if !out.contains(&r) {
                out.push(r);
            }
            false
        });
    }
    out
}

/// Whether some value of `types` holds a string.
fn has_string(table: &TypeTable<'_>, types: &[TypeIndex]) -> bool {
    types
        .iter()
        .any(|t| table.contains(*t, &mut |u| matches!(u, Type::String)))
}

/// Imports the transcoders that strings of `types` need from `src`'s
/// options to `dst`'s (named `<field>-<operation>` in module `transcode`).
fn import_transcoders(
    im: &mut Imports,
    table: &TypeTable<'_>,
    field: &str,
    types: &[TypeIndex],
    src: &CanonOptions,
    dst: &CanonOptions,
) -> Transcoders {
    let mut out: Transcoders = [None; Transcode::ALL.len()];
    if has_string(table, types) {
        for op in strings::needed(src.string_encoding, dst.string_encoding) {
            let (params, results) = op.arity();
            out[op.number() as usize] = Some(im.func(
                "transcode",
                &format!("{field}-{}", op.name()),
                vec![ValType::I32; params],
                vec![ValType::I32; results],
                Binding::Transcode {
                    op: *op,
                    dst: Box::new(dst.clone()),
                    src: Box::new(src.clone()),
                },
            ));
        }
    }
    out
}

/// Generates the adapter module of `req`.
pub(super) fn generate(req: &Request<'_>) -> Result<Generated, CompileError> {
    let name = req.name;
    let (lower, lift, table) = (req.lower, req.lift, req.table);
    if lower.async_ || lift.async_ || lift.callback.is_some() {
        return Err(unsupported(format!(
            "async function `{name}` called from another component instance \
             (component-model async)"
        )));
    }
    let params: Vec<TypeIndex> = req.ty.params.iter().map(|(_, t)| *t).collect();
    let results: Vec<TypeIndex> = req.ty.result.iter().copied().collect();
    let sig = FuncSig {
        params: &params,
        results: &results,
    };
    let lower_sig = table.flatten_functype(sig, FlattenOpts::default(), AbiContext::Lower);
    let lift_sig = table.flatten_functype(sig, FlattenOpts::default(), AbiContext::Lift);
    let core = |t: &[kiln_abi::ValType]| t.iter().map(|t| val_type(*t)).collect::<Vec<_>>();
    let (lower_params, lower_results) = (
        core(lower_sig.params.as_slice()),
        core(lower_sig.results.as_slice()),
    );
    let (lift_params, lift_results) = (
        core(lift_sig.params.as_slice()),
        core(lift_sig.results.as_slice()),
    );

    let mut im = Imports::default();
    let i32s = |n| vec![ValType::I32; n];
    let word_lower = im.flags("lower-word", lower.instance);
    let word_lift = im.flags("lift-word", lift.instance);
    let flags_lower = im.func(
        "flags",
        "lower",
        i32s(1),
        vec![],
        Binding::Flags(lower.instance),
    );
    let flags_lift = im.func(
        "flags",
        "lift",
        i32s(1),
        vec![],
        Binding::Flags(lift.instance),
    );
    let callee = im.func(
        "callee",
        "func",
        lift_params.clone(),
        lift_results.clone(),
        Binding::Def(req.callee.clone()),
    );
    let realloc = |im: &mut Imports, module: &str, o: &CanonOptions| {
        o.realloc
            .as_ref()
            .map(|r| im.func(module, "realloc", i32s(4), i32s(1), Binding::Def(r.clone())))
    };
    let realloc_lower = realloc(&mut im, "lower", lower);
    let realloc_lift = realloc(&mut im, "lift", lift);
    let post_return = lift.post_return.as_ref().map(|p| {
        im.func(
            "lift",
            "post-return",
            lift_results.clone(),
            vec![],
            Binding::Def(p.clone()),
        )
    });
    let mut all = params.clone();
    all.extend(&results);
    let handle_funcs: Vec<(u32, u32)> = resources(&table, &all)
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
    let transcode_params = import_transcoders(&mut im, &table, "params", &params, lower, lift);
    let transcode_results = import_transcoders(&mut im, &table, "results", &results, lift, lower);
    let (mem_lower, mem_lift) = import_memories(&mut im, lower, lift);
    let adapter_ty = im.ty(lower_params.clone(), lower_results.clone());
    let adapter = im.funcs;

    let lower_side = Side {
        mem: mem_lower,
        realloc: realloc_lower,
        encoding: lower.string_encoding,
    };
    let lift_side = Side {
        mem: mem_lift,
        realloc: realloc_lift,
        encoding: lift.string_encoding,
    };
    let mut e = Emitter::new(
        table,
        lower_params.len(),
        handle_funcs,
        im.types.len() as u32,
    );
    let flag = |e: &mut Emitter<'_>, func: u32, op: u32| {
        e.i(I::I32Const(op as i32));
        e.i(I::Call(func));
    };
    // `may_leave` is tested and flipped inline, in the flags words; the
    // built-in is called only to raise the trap.
    let may_leave = INSTANCE_FLAG_MAY_LEAVE as i32;
    // `may_leave` of the instance whose `realloc` runs is cleared while
    // the values move, and the flags word restored after (as Wasmtime's
    // adapters do). The callee's is cleared once before the arguments
    // move; the caller's at each call that may run its `realloc`
    // (`Emitter::leave`).
    let clear_leave = |e: &mut Emitter<'_>, word: u32| {
        let saved = e.local(ValType::I32);
        e.i(I::GlobalGet(word));
        e.i(I::LocalTee(saved));
        e.i(I::I32Const(!may_leave));
        e.i(I::I32And);
        e.i(I::GlobalSet(word));
        saved
    };
    let restore_leave = |e: &mut Emitter<'_>, word: u32, saved: u32| {
        e.i(I::LocalGet(saved));
        e.i(I::GlobalSet(word));
    };
    e.i(I::GlobalGet(word_lower));
    e.i(I::I32Const(may_leave));
    e.i(I::I32And);
    e.i(I::I32Eqz);
    e.i(I::If(BlockType::Empty));
    flag(&mut e, flags_lower, ADAPTER_FLAGS_CHECK_LEAVE);
    e.i(I::Unreachable);
    e.i(I::End);
    // Borrows lend the caller's handles and count in the callee for the
    // length of the call: a call scope on each side.
    let borrows = params.iter().any(|t| table.contains_borrow(*t));
    if lower.instance == lift.instance {
        flag(&mut e, flags_lower, ADAPTER_FLAGS_CANNOT_ENTER);
        e.i(I::Unreachable);
    } else {
        let bug = |what: translate::Missing| {
            unsupported(format!(
                "component construct Kiln cannot follow ({} missing in the adapter of `{name}`)",
                what.0
            ))
        };
        let need_mem = |m: Option<u32>| m.ok_or(translate::Missing("the memory option"));
        if borrows {
            flag(&mut e, flags_lower, ADAPTER_FLAGS_ENTER_CALL);
            flag(&mut e, flags_lift, ADAPTER_FLAGS_ENTER_CALL);
        }
        let ptr = PtrType::I32;

        // Parameters: caller -> callee.
        let params_align = table.fields_alignment(params.iter().copied(), ptr);
        let params_size = table.fields_size(params.iter().copied(), ptr);
        let src = if lower_sig.params_in_memory {
            let mem = need_mem(mem_lower).map_err(bug)?;
            e.check_operand(mem, 0, params_size, params_align);
            Loc::Mem {
                mem,
                addr: 0,
                off: 0,
            }
        } else {
            Loc::Flat(
                (0..lower_params.len() as u32)
                    .zip(lower_params.iter().copied())
                    .collect(),
            )
        };
        let reallocs =
            lift_sig.params_in_memory || params.iter().any(|t| table.contains_list_or_string(*t));
        let saved = reallocs.then(|| clear_leave(&mut e, word_lift));
        let (dst, args) = if lift_sig.params_in_memory {
            let p = e
                .alloc(
                    lift_side,
                    params_align,
                    None,
                    params_size,
                    TrapCode::MemoryOutOfBounds,
                )
                .map_err(bug)?;
            let mem = need_mem(mem_lift).map_err(bug)?;
            (
                Loc::Mem {
                    mem,
                    addr: p,
                    off: 0,
                },
                vec![p],
            )
        } else {
            let locals = e.flat_locals(&params);
            let args = locals.iter().map(|l| l.0).collect();
            (Loc::Flat(locals), args)
        };
        let dir = Dir {
            src: lower_side,
            dst: lift_side,
            transcode: transcode_params,
            src_instance: lower.instance.as_u32(),
            dst_instance: lift.instance.as_u32(),
        };
        e.fields(&params, &src, &dst, dir).map_err(bug)?;
        if let Some(saved) = saved {
            restore_leave(&mut e, word_lift, saved);
        }

        // The call.
        for a in args {
            e.i(I::LocalGet(a));
        }
        e.i(I::Call(callee));
        let raw: Vec<(u32, ValType)> = lift_results.iter().map(|t| (e.local(*t), *t)).collect();
        for (l, _) in raw.iter().rev() {
            e.i(I::LocalSet(*l));
        }
        // The caller's flags word, saved before the results' checks, its
        // `may_leave` cleared at each `realloc` call (`Emitter::leave`:
        // right in every branch, the first may sit in a variant's case or
        // a list's loop).
        if results.iter().any(|t| table.contains_list_or_string(*t)) {
            let saved = e.local(ValType::I32);
            e.i(I::GlobalGet(word_lower));
            e.i(I::LocalSet(saved));
            e.leave = Some((word_lower, saved));
        }

        // Results: callee -> caller.
        let align = table.fields_alignment(results.iter().copied(), ptr);
        let size = table.fields_size(results.iter().copied(), ptr);
        let src = if lift_sig.results_in_memory {
            let r = raw
                .first()
                .ok_or(translate::Missing("a result"))
                .map_err(bug)?
                .0;
            let mem = need_mem(mem_lift).map_err(bug)?;
            e.check_operand(mem, r, size, align);
            Loc::Mem {
                mem,
                addr: r,
                off: 0,
            }
        } else {
            Loc::Flat(raw.clone())
        };
        let (dst, ret) = if lower_sig.results_in_memory {
            let retptr = lower_params.len() as u32 - 1;
            let mem = need_mem(mem_lower).map_err(bug)?;
            e.check_operand(mem, retptr, size, align);
            (
                Loc::Mem {
                    mem,
                    addr: retptr,
                    off: 0,
                },
                Vec::new(),
            )
        } else {
            let locals = e.flat_locals(&results);
            (Loc::Flat(locals.clone()), locals)
        };
        let dir = Dir {
            src: lift_side,
            dst: lower_side,
            transcode: transcode_results,
            src_instance: lift.instance.as_u32(),
            dst_instance: lower.instance.as_u32(),
        };
        e.fields(&results, &src, &dst, dir).map_err(bug)?;
        if let Some(saved) = e.leave.take() {
            restore_leave(&mut e, saved.0, saved.1);
        }

        // `may_leave` stays set: Wasmtime 49 lets an adapter's post-return
        // call imports (unlike a post-return the host runs).
        if let Some(post) = post_return {
            for (l, _) in &raw {
                e.i(I::LocalGet(*l));
            }
            e.i(I::Call(post));
        }
        // The callee must have dropped the borrows it got (else a trap);
        // the caller's lent handles are free again.
        if borrows {
            flag(&mut e, flags_lift, ADAPTER_FLAGS_EXIT_CALL);
            flag(&mut e, flags_lower, ADAPTER_FLAGS_EXIT_CALL);
        }
        for (l, _) in ret {
            e.i(I::LocalGet(l));
        }
    }
    e.i(I::End);
    // The body's multi-value block types, numbered after `type_base`.
    debug_assert_eq!(im.types.len() as u32, e.type_base);
    im.types
        .extend(e.block_types.drain(..).map(|r| (Vec::new(), r)));
    let mut module = Module::new();
    let mut types = TypeSection::new();
    for (p, r) in &im.types {
        types.ty().function(p.iter().copied(), r.iter().copied());
    }
    module.section(&types);
    module.section(&im.section);
    let mut funcs = FunctionSection::new();
    funcs.function(adapter_ty);
    module.section(&funcs);
    let mut exports = ExportSection::new();
    exports.export(EXPORT, ExportKind::Func, adapter);
    module.section(&exports);
    Ok(finish(module, adapter, "adapter", req.name, &e, im.list))
}

/// The generated module: `head` (everything before the code section) with
/// the adapter function `func` that `e` emitted, named `[kind]name`.
fn finish(
    head: Module,
    func: u32,
    kind: &str,
    name: &str,
    e: &Emitter,
    imports: Vec<(String, String, CoreKind, Binding)>,
) -> Generated {
    let name = function_name(kind, name);
    let encoded = encode::encode(encode::Parts {
        head,
        func,
        name: &name,
        locals: &e.locals,
        code: &e.code,
        traps: &e.traps,
    });
    Generated {
        bytes: encoded.bytes,
        traps: encoded.traps,
        imports,
    }
}

#[cfg(test)]
mod tests;
