//! Where Wasmtime 49's backtraces place a fused adapter's frames.
//!
//! Phase 2 of adapters, after the inliner has seen the whole component.
//! Input: every adapter in creation order (a `canon lower` of a lifted
//! function, as Wasmtime numbers them) and the plan's core instances.
//! Output: per adapter, [`Frames`]: the function index Wasmtime's backtrace
//! shows for it and the module offsets of its call sites, or `None` where
//! this model does not reach; and the modelled modules themselves (tests
//! compare them with Wasmtime's).
//!
//! Wasmtime compiles adapters into generated core modules of its own
//! ("FACT"), several adapters per module, and a trap in or through an
//! adapter names that module's function and code offsets. Kiln's adapter
//! modules are its own (one per adapter), so to print the same backtrace the
//! generator shifts its call sites to those offsets and names the function
//! as Wasmtime shows it (see `super::generate`). This module works out those
//! numbers by laying out the module Wasmtime 49 would build, from what its
//! behaviour shows: adapters are grouped in creation order, a new module
//! starting when an adapter depends (through the instances it imports from)
//! on an adapter of the module in progress; imports are interned at first
//! use (flags globals, memories, `realloc`s, the callee and `post-return`,
//! then intrinsics as the body first needs them); the function body wraps
//! everything in an exception barrier, tests `may_leave`, brackets the call
//! with `enter-sync-call`/`exit-sync-call` and restores saved flags.
//!
//! Values are laid out as Wasmtime 49 translates them (`values`, `strings`):
//! every type of a synchronous call, flat or through memory (parameters
//! past 16 flat values, results past one, strings in any pair of
//! encodings, lists, variants, resources).
//!
//! An adapter of a call `async` on either side is laid out as Wasmtime
//! 49's three functions (`async_call`): its frames are those of the
//! parameters' and the results' moves.
//!
//! Invariant: a module is modelled only if every adapter in it is, and an
//! adapter only if its values hold no fixed-size list (the helper
//! functions its translation needs included, `helpers`), or is an adapter
//! within one instance (which only traps).
//! Everything else reports `None` and keeps Kiln's own numbers.

mod async_call;
mod body;
mod call;
mod helpers;
mod strings;
mod values;

use super::super::plan::{
    CanonOptions, ComponentPlan, CoreDef, CoreExport, RuntimeInstanceIndex, TrampolineIndex,
};
use super::super::resource_tables::{HandleNumbers, TableNumbers};
use body::{Body, Group, Site};
use call::{Call, Signatures};
use kiln_abi::component::{Type, TypeIndex, TypeTable};
use std::collections::{HashMap, HashSet};
use strings::Transcode;
use values::{Cx, Side};
use wasm_encoder::{
    BlockType, Catch, Encode, EntityType, ExportKind, ExportSection, FunctionSection, GlobalType,
    ImportSection, Instruction as I, MemoryType, Module, TypeSection, ValType,
};

/// Wasmtime's trap numbers of the traps the modelled adapters raise.
const TRAP_CANNOT_ENTER: u8 = 17;
const TRAP_CANNOT_LEAVE: u8 = 23;
const TRAP_UNCAUGHT_EXCEPTION: u8 = 49;

/// One adapter, as the model needs it.
pub(in super::super) struct Adapter<'a> {
    pub params: Vec<TypeIndex>,
    pub results: Vec<TypeIndex>,
    /// The function type is `async` (the callee's task may block).
    pub async_: bool,
    pub lower: &'a CanonOptions,
    pub lift: &'a CanonOptions,
    pub callee: &'a CoreDef,
    /// Wasmtime's number of the function type's result tuple (see
    /// `resource_tables`).
    pub results_tuple: u32,
    /// Kiln's core instances of the adapter: its module's, or an `async`
    /// call's value halves'.
    pub instances: Vec<RuntimeInstanceIndex>,
    /// The trampoline Kiln calls an `async` call through (its lowered
    /// function).
    pub trampoline: Option<TrampolineIndex>,
}

/// Where Wasmtime reports a site: `[module offset]` in the adapter's
/// function, or, for a site in a helper function, `[offset of the helper's
/// call, helper's function index, offset in it]` (longer for a helper's
/// helper): an inlined-frames chain (`ModuleInfo::site_frames`), which
/// Kiln's inline code takes over.
pub(in super::super) type Chain = Vec<u32>;

/// What Wasmtime reports for an adapter's frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(in super::super) struct Frames {
    /// The function index Wasmtime shows.
    pub func: u32,
    /// Module offset of the trap of the caller's `may_leave` test.
    pub leave_trap: Option<u32>,
    /// The traps of the parameters' checked values (invalid `char`s and
    /// discriminants), each as the [`Chain`] of frames Wasmtime shows.
    pub param_chars: Vec<Chain>,
    /// As `param_chars`, for the results.
    pub result_chars: Vec<Chain>,
    /// The calls of a `realloc`, a string transcoder or a handle's
    /// transfer intrinsic moving the parameters.
    pub param_reallocs: Vec<Chain>,
    /// As `param_reallocs`, for the results.
    pub result_reallocs: Vec<Chain>,
    /// The traps of the parameters' memory checks (alignment, bounds, byte
    /// lengths).
    pub param_mems: Vec<Chain>,
    /// As `param_mems`, for the results.
    pub result_mems: Vec<Chain>,
    /// Module offset of the callee's call (or, for an adapter within one
    /// instance, of the trap); `None` for a half of an `async` call.
    pub call: Option<u32>,
    /// Module offset of the `post-return` call.
    pub post_return: Option<u32>,
    /// Wasmtime's indices of the caller's and the callee's memories in
    /// the adapter module (numbered module-wide, the callee's options
    /// interned first): a memory access is a byte longer when its memory
    /// is not memory 0, which the generator matches.
    pub memories: [Option<u32>; 2],
}

/// What Wasmtime reports for an adapter's functions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(in super::super) enum AdapterFrames {
    /// A fused adapter's one function.
    Fused(Frames),
    /// An `async` call's start and return functions: the parameters' move
    /// (its sites as parameters') and the results' (as results').
    Async { start: Frames, ret: Frames },
}

/// Frames of every adapter (same order as `adapters`), and the bytes of
/// each modelled module.
pub(in super::super) fn frames(
    plan: &ComponentPlan,
    table: &TypeTable<'_>,
    adapters: &[Adapter<'_>],
    resource_tables: &TableNumbers,
    handle_tables: &HandleNumbers,
) -> (Vec<Option<AdapterFrames>>, Vec<Vec<u8>>) {
    let mut out = vec![None; adapters.len()];
    let mut modules = Vec::new();
    for group in partition(plan, adapters) {
        if !group.iter().all(|a| modelled(table, &adapters[*a])) {
            continue;
        }
        let mut m = FactModule {
            resource_tables: resource_tables.clone(),
            handle_tables: handle_tables.clone(),
            ..FactModule::default()
        };
        let mut sites = Vec::new();
        for a in &group {
            sites.push(m.adapt(table, *a, &adapters[*a]));
        }
        let Some(sites) = sites.into_iter().collect::<Option<Vec<_>>>() else {
            continue;
        };
        let (frames, bytes) = m.finish(sites);
        modules.push(bytes);
        for (a, f) in group.iter().zip(frames) {
            out[*a] = Some(f);
        }
    }
    (out, modules)
}

/// Whether the model covers adapter `a` (as far as its signature tells;
/// the layout itself may still give up, see [`values::Cx::ok`]).
fn modelled(table: &TypeTable<'_>, a: &Adapter<'_>) -> bool {
    if a.lower.instance == a.lift.instance {
        return true;
    }
    let plain = |t: &TypeIndex| !table.contains(*t, &mut |ty| matches!(ty, Type::FixedList(..)));
    a.params.iter().all(plain) && a.results.iter().all(plain)
}

/// Groups adapters into Wasmtime's adapter modules: in order, starting a
/// new module when an adapter's dependencies (the instances its items come
/// from, every earlier instance, and what they import) include an adapter
/// of the module in progress.
fn partition(plan: &ComponentPlan, adapters: &[Adapter<'_>]) -> Vec<Vec<usize>> {
    let by_instance: HashMap<RuntimeInstanceIndex, usize> = adapters
        .iter()
        .enumerate()
        .flat_map(|(i, a)| a.instances.iter().map(move |inst| (*inst, i)))
        .collect();
    let by_trampoline: HashMap<TrampolineIndex, usize> = adapters
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.trampoline.map(|t| (t, i)))
        .collect();
    let mut p = Partition {
        plan,
        by_instance: &by_instance,
        by_trampoline: &by_trampoline,
        defined_adapters: HashSet::new(),
        defined_instances: HashSet::new(),
        current: Vec::new(),
        done: Vec::new(),
    };
    for (i, a) in adapters.iter().enumerate() {
        for o in [a.lift, a.lower] {
            for d in o.post_return.iter().chain(&o.realloc).chain(&o.callback) {
                p.def(d);
            }
            if let Some(m) = &o.memory {
                p.export(m);
            }
        }
        p.def(a.callee);
        p.current.push(i);
    }
    p.finish();
    p.done
}

struct Partition<'p> {
    plan: &'p ComponentPlan,
    by_instance: &'p HashMap<RuntimeInstanceIndex, usize>,
    by_trampoline: &'p HashMap<TrampolineIndex, usize>,
    defined_adapters: HashSet<usize>,
    defined_instances: HashSet<RuntimeInstanceIndex>,
    current: Vec<usize>,
    done: Vec<Vec<usize>>,
}

impl Partition<'_> {
    fn finish(&mut self) {
        if self.current.is_empty() {
            return;
        }
        let m = std::mem::take(&mut self.current);
        self.defined_adapters.extend(m.iter().copied());
        self.done.push(m);
    }

    fn def(&mut self, d: &CoreDef) {
        match d {
            CoreDef::Export(e) => self.export(e),
            // An `async` adapter's lowered function.
            CoreDef::Trampoline(t) => {
                if let Some(a) = self.by_trampoline.get(t)
                    && !self.defined_adapters.contains(a)
                {
                    self.finish();
                }
            }
            CoreDef::InstanceFlags(_) => {}
        }
    }

    fn export(&mut self, e: &CoreExport) {
        if let Some(a) = self.by_instance.get(&e.instance) {
            if !self.defined_adapters.contains(a) {
                self.finish();
            }
            return;
        }
        // An instance depends on every earlier one (instantiation order is
        // fixed); Wasmtime's instances do not include adapter modules.
        let mut i = e.instance.as_u32();
        loop {
            let inst = RuntimeInstanceIndex::from_u32(i);
            if !self.by_instance.contains_key(&inst) {
                if !self.defined_instances.insert(inst) {
                    break;
                }
                let imports = self.plan.instances[inst].imports.clone();
                for d in &imports {
                    self.def(d);
                }
            }
            if i == 0 {
                break;
            }
            i -= 1;
        }
    }
}

/// What an import of the model module is.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Def(CoreDef),
    Memory(CoreExport),
    Flags(u32),
    Trap(u8),
    EnterSync,
    ExitSync,
    ContextGet(u32),
    ContextSet(u32),
    Transcode(Transcode, u32, u32),
    TransferOwn,
    TransferBorrow,
    /// The transfer intrinsic of streams, futures or error contexts.
    Transfer(&'static str),
    /// An intrinsic of one adapter, by name.
    Named(String),
    /// The `start-call` intrinsic of `async` lowerings: the callee's
    /// callback and `post-return`.
    AsyncStartCall(Option<CoreDef>, Option<CoreDef>),
}

/// The adapter module Wasmtime would build, as far as offsets go.
#[derive(Default)]
struct FactModule {
    types: Vec<(Vec<ValType>, Vec<ValType>)>,
    imports: ImportSection,
    interned: HashMap<Key, u32>,
    funcs: u32,
    globals: u32,
    memories: u32,
    /// Defined functions: adapters and helpers, in Wasmtime's order.
    bodies: Vec<Defined>,
    helpers: HashMap<helpers::Helper, usize>,
    /// Helpers to translate: (function number, helper, its parameters).
    worklist: Vec<(usize, helpers::Helper, u32)>,
    /// Wasmtime's resource table of each (plan resource, component
    /// instance).
    resource_tables: TableNumbers,
    /// Exports after the defined functions': `async` adapters' callees.
    callee_exports: Vec<(String, u32)>,
    /// Wasmtime's stream, future and error-context table of each (plan
    /// type, component instance).
    handle_tables: HandleNumbers,
}

/// A function of the model module.
struct Defined {
    ty: u32,
    export: Option<String>,
    locals: Vec<(u32, ValType)>,
    code: Vec<u8>,
    /// Helper calls to insert into `code` (see [`Body::calls`]).
    calls: Vec<(usize, usize, body::Insert)>,
    /// Its sites (see [`Body::marks`]).
    marks: Vec<(Site, usize)>,
}

/// What an adapter's layout placed.
enum Placed {
    Sync(Sites),
    Async(async_call::AsyncSites),
}

/// Body offsets of an adapter's call sites.
struct Sites {
    /// The adapter's function number.
    body: usize,
    leave_trap: Option<usize>,
    params: Checks,
    call: usize,
    results: Checks,
    post_return: Option<usize>,
    /// The caller's and the callee's memory indices.
    memories: [Option<u32>; 2],
}

/// The sites of the parameters' or the results' move: body offsets of
/// value checks, `realloc` and transcoder calls, memory checks and helper
/// calls, in code order.
#[derive(Default)]
struct Checks {
    marks: Vec<(Site, usize)>,
}

impl FactModule {
    fn ty(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
        let key = (params.to_vec(), results.to_vec());
        if let Some(i) = self.types.iter().position(|t| *t == key) {
            return i as u32;
        }
        self.types.push(key);
        self.types.len() as u32 - 1
    }

    fn import(&mut self, key: Key, module: &str, name: &str, ty: EntityType) -> u32 {
        if let Some(i) = self.interned.get(&key) {
            return *i;
        }
        self.imports.import(module, name, ty);
        let space = match ty {
            EntityType::Function(_) => &mut self.funcs,
            EntityType::Global(_) => &mut self.globals,
            _ => &mut self.memories,
        };
        *space += 1;
        let i = *space - 1;
        self.interned.insert(key, i);
        i
    }

    fn func(&mut self, key: Key, module: &str, name: &str, p: &[ValType], r: &[ValType]) -> u32 {
        if let Some(i) = self.interned.get(&key) {
            return *i;
        }
        let ty = self.ty(p, r);
        self.import(key, module, name, EntityType::Function(ty))
    }

    /// The flags global, memory and `realloc` of one side.
    fn options(&mut self, o: &CanonOptions) -> (u32, Side) {
        let flags = self.import(
            Key::Flags(o.instance.as_u32()),
            "flags",
            &format!("instance{}", o.instance.as_u32()),
            EntityType::Global(GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            }),
        );
        let mut side = Side {
            mem: None,
            realloc: None,
            enc: o.string_encoding,
            inst: o.instance.as_u32(),
        };
        if let Some(m) = &o.memory {
            let name = format!("m{}", self.memories);
            let ty = EntityType::Memory(MemoryType {
                minimum: 0,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            });
            side.mem = Some(self.import(Key::Memory(m.clone()), "memory", &name, ty));
        }
        if let Some(r) = &o.realloc {
            let name = format!("f{}", self.funcs);
            let i32s = [ValType::I32; 4];
            side.realloc =
                Some(self.func(Key::Def(r.clone()), "realloc", &name, &i32s, &i32s[..1]));
        }
        if let Some(cb) = &o.callback {
            let name = format!("f{}", self.funcs);
            let i32s = [ValType::I32; 3];
            self.func(Key::Def(cb.clone()), "callback", &name, &i32s, &i32s[..1]);
        }
        (flags, side)
    }

    /// Wasmtime's stream, future or error-context table of plan type `t`
    /// in component instance `inst` (0 if the replay did not see it
    /// converted).
    fn handle_table(&self, t: TypeIndex, inst: u32) -> u32 {
        self.handle_tables.get(&(t.0, inst)).copied().unwrap_or(0)
    }

    /// Wasmtime's table of plan resource `resource` in component instance
    /// `inst` (0 if the replay did not see it converted: any number below
    /// 64 has the same size).
    fn resource_table(&self, resource: u32, inst: u32) -> u32 {
        self.resource_tables
            .get(&(resource, inst))
            .copied()
            .unwrap_or(0)
    }

    fn trap(&mut self, code: &mut Vec<u8>, trap: u8) {
        let f = self.func(Key::Trap(trap), "runtime", &format!("trap{trap}"), &[], &[]);
        I::Call(f).encode(code);
        I::Unreachable.encode(code);
    }

    /// Adds adapter number `n` (Wasmtime's name `adapter{n}`); `None` if
    /// its layout is beyond the model.
    fn adapt(&mut self, table: &TypeTable<'_>, n: usize, a: &Adapter<'_>) -> Option<Placed> {
        let name = format!("adapter{n}");
        let (lift_flags, lift) = self.options(a.lift);
        let (lower_flags, lower) = self.options(a.lower);
        let sig = Signatures::new(table, a);
        let same = a.lower.instance == a.lift.instance;
        let (lower_params, lower_results, lift_params, lift_results) = (
            sig.lower_params(),
            sig.lower_results(),
            sig.lift_params(),
            sig.lift_results(),
        );
        let callee = self.func(
            Key::Def(a.callee.clone()),
            "callee",
            &name,
            &lift_params,
            &lift_results,
        );
        let post = a.lift.post_return.as_ref().map(|p| {
            self.func(
                Key::Def(p.clone()),
                "post_return",
                &name,
                &lift_results,
                &[],
            )
        });
        let cx = Call {
            a,
            sig: &sig,
            flags: [lower_flags, lift_flags],
            sides: [lower, lift],
            callee,
            post,
        };
        if !same && (a.lower.async_ || a.lift.async_) {
            let sites = self.async_call(table, &cx, n)?;
            return self.compile_helpers(table).then_some(Placed::Async(sites));
        }
        let ty = self.ty(&lower_params, &lower_results);
        let body = self.reserve(ty, Some(name));
        let mut b = Body::new(lower_params.len() as u32);
        let sites = if same {
            let call = b.code.len();
            self.trap(&mut b.code, TRAP_CANNOT_ENTER);
            Sites {
                body,
                leave_trap: None,
                params: Checks::default(),
                call,
                results: Checks::default(),
                post_return: None,
                memories: [lower.mem, lift.mem],
            }
        } else {
            self.sync_to_sync(&mut b, table, &cx, body)?
        };
        b.ins(I::End);
        self.fill(body, b);
        self.compile_helpers(table).then_some(Placed::Sync(sites))
    }

    /// Adds a defined function of type `ty`, its body to come.
    fn reserve(&mut self, ty: u32, export: Option<String>) -> usize {
        self.bodies.push(Defined {
            ty,
            export,
            locals: Vec::new(),
            code: Vec::new(),
            calls: Vec::new(),
            marks: Vec::new(),
        });
        self.bodies.len() - 1
    }

    fn fill(&mut self, id: usize, b: Body) {
        let d = &mut self.bodies[id];
        d.locals = b.locals;
        d.code = b.code;
        d.calls = b.calls;
        d.marks = b.marks;
    }

    fn sync_to_sync(
        &mut self,
        b: &mut Body,
        table: &TypeTable<'_>,
        c: &Call<'_>,
        body: usize,
    ) -> Option<Sites> {
        let [lower_flags, lift_flags] = c.flags;
        let [lower, lift] = c.sides;
        let lower_results = c.sig.lower_results();
        let bt = lower_results
            .first()
            .map_or(BlockType::Empty, |t| BlockType::Result(*t));
        // The exception barrier.
        b.ins(I::Block(bt));
        b.ins(I::Block(BlockType::Empty));
        b.ins(I::TryTable(bt, vec![Catch::All { label: 0 }].into()));
        // `may_leave` of the caller, saved.
        b.ins(I::Block(BlockType::Empty));
        b.ins(I::GlobalGet(lower_flags));
        let saved_lower = b.tee_tmp(ValType::I32);
        // Wasmtime reports the failed test at the branch (it becomes a
        // conditional trap).
        let leave_trap = Some(b.code.len());
        b.ins(I::BrIf(0));
        self.trap(&mut b.code, TRAP_CANNOT_LEAVE);
        b.ins(I::End);
        // The middle operand: whether the callee's function type is async
        // (its task may block).
        for v in [
            c.a.lower.instance.as_u32(),
            u32::from(c.a.async_),
            c.a.lift.instance.as_u32(),
        ] {
            b.ins(I::I32Const(v as i32));
        }
        let enter = self.func(
            Key::EnterSync,
            "async",
            "enter-sync-call",
            &[ValType::I32; 3],
            &[],
        );
        b.ins(I::Call(enter));
        // The callee's `may_leave` cleared around the parameters.
        let saved_lift = b.clear_flags(lift_flags);
        let params = self.translation(b, table, |cx| c.params(cx, lower, lift))?;
        b.restore_flags(lift_flags, saved_lift);
        b.free(saved_lift, ValType::I32);
        let call = b.code.len();
        b.ins(I::Call(c.callee));
        let mut result_locals: Vec<(u32, ValType)> = c
            .sig
            .lift_results()
            .iter()
            .rev()
            .map(|t| (b.set_tmp(*t), *t))
            .collect();
        result_locals.reverse();
        let callee_context = match c.post {
            Some(_) => Cx::new(self, b, table).save_context(),
            None => Vec::new(),
        };
        let exit = self.func(Key::ExitSync, "async", "exit-sync-call", &[], &[]);
        b.ins(I::Call(exit));
        b.ins(I::I32Const(0));
        b.ins(I::GlobalSet(lower_flags));
        let retptr = c.sig.lower_params().len().saturating_sub(1) as u32;
        let results = self.translation(b, table, |cx| {
            c.results(cx, lower, lift, &result_locals, retptr)
        })?;
        b.ins(I::LocalGet(saved_lower));
        b.ins(I::GlobalSet(lower_flags));
        b.free(saved_lower, ValType::I32);
        let mut post_return = None;
        if let Some(post) = c.post {
            let mut cx = Cx::new(self, b, table);
            let caller_context = cx.save_context();
            cx.restore_context(callee_context);
            for (l, _) in &result_locals {
                cx.ins(I::LocalGet(*l));
            }
            post_return = Some(cx.b.code.len());
            cx.ins(I::Call(post));
            cx.restore_context(caller_context);
        }
        for (l, t) in result_locals {
            b.free(l, t);
        }
        b.ins(I::End);
        b.ins(I::Br(1));
        b.ins(I::End);
        self.trap(&mut b.code, TRAP_UNCAUGHT_EXCEPTION);
        b.ins(I::End);
        Some(Sites {
            body,
            leave_trap,
            params,
            call,
            results,
            post_return,
            memories: [lower.mem, lift.mem],
        })
    }

    /// Lays out the parameters' or the results' translation (`move_`);
    /// returns the body offsets of its value checks, `realloc` calls and
    /// memory checks, or `None` if it is beyond the model.
    fn translation(
        &mut self,
        b: &mut Body,
        table: &TypeTable<'_>,
        move_: impl FnOnce(&mut Cx<'_, '_>),
    ) -> Option<Checks> {
        let marks = b.marks.len();
        let mut cx = Cx::new(self, b, table);
        move_(&mut cx);
        if !cx.ok {
            return None;
        }
        Some(Checks {
            marks: b.marks[marks..].to_vec(),
        })
    }

    pub(super) fn context_get(&mut self, slot: u32) -> u32 {
        let name = format!("get{slot}");
        self.func(
            Key::ContextGet(slot),
            "context",
            &name,
            &[],
            &[ValType::I32],
        )
    }

    pub(super) fn context_set(&mut self, slot: u32) -> u32 {
        let name = format!("set{slot}");
        self.func(
            Key::ContextSet(slot),
            "context",
            &name,
            &[ValType::I32],
            &[],
        )
    }

    /// Encodes the module and turns body offsets into module offsets.
    /// The frames and the module's bytes (code section included).
    fn finish(self, sites: Vec<Placed>) -> (Vec<AdapterFrames>, Vec<u8>) {
        let mut module = Module::new();
        let mut types = TypeSection::new();
        for (p, r) in &self.types {
            types.ty().function(p.iter().copied(), r.iter().copied());
        }
        module.section(&types);
        module.section(&self.imports);
        let mut funcs = FunctionSection::new();
        let mut exports = ExportSection::new();
        for (i, d) in self.bodies.iter().enumerate() {
            funcs.function(d.ty);
            if let Some(name) = &d.export {
                exports.export(name, ExportKind::Func, self.funcs + i as u32);
            }
        }
        for (name, f) in &self.callee_exports {
            exports.export(name, ExportKind::Func, *f);
        }
        module.section(&funcs);
        module.section(&exports);
        let prefix = module.as_slice().len();
        let mut payload = Vec::new();
        self.bodies.len().encode(&mut payload);
        // Per function: where its code starts in the payload, and its
        // helper calls as (position in `code`, bytes inserted there).
        let mut starts = Vec::new();
        let mut inserted: Vec<Vec<(usize, usize)>> = Vec::new();
        for d in &self.bodies {
            let mut body = Vec::new();
            d.locals.len().encode(&mut body);
            for (n, t) in &d.locals {
                n.encode(&mut body);
                t.encode(&mut body);
            }
            let head = body.len();
            let mut at = 0;
            let mut ins = Vec::new();
            for (pos, callee, insert) in &d.calls {
                body.extend_from_slice(&d.code[at..*pos]);
                let before = body.len();
                let index = self.funcs + *callee as u32;
                match insert {
                    body::Insert::Call => I::Call(index).encode(&mut body),
                    body::Insert::RefFunc => I::RefFunc(index).encode(&mut body),
                }
                ins.push((*pos, body.len() - before));
                at = *pos;
            }
            body.extend_from_slice(&d.code[at..]);
            body.len().encode(&mut payload);
            starts.push(payload.len() + head);
            inserted.push(ins);
            payload.extend_from_slice(&body);
        }
        // The code section: id, payload size, payload.
        let mut size = Vec::new();
        payload.len().encode(&mut size);
        let base = prefix + 1 + size.len();
        module.section(&wasm_encoder::RawSection {
            id: 10,
            data: &payload,
        });
        // A site is the instruction at its position, after any helper call
        // inserted there; a helper call is the one inserted there.
        let offset = |body: usize, t: usize, after: bool| {
            let shift: usize = inserted[body]
                .iter()
                .filter(|(pos, _)| *pos < t || (after && *pos == t))
                .map(|(_, n)| n)
                .sum();
            (base + starts[body] + t + shift) as u32
        };
        let at = |body: usize, t: usize| offset(body, t, true);
        // The chains of a group's sites among `marks` of function `body`
        // (reached through the frames `prefix`), helpers' sites in place
        // of their calls.
        fn expand(
            m: &FactModule,
            offset: &dyn Fn(usize, usize, bool) -> u32,
            body: usize,
            marks: &[(Site, usize)],
            group: Group,
            prefix: &[u32],
            out: &mut Vec<Chain>,
        ) {
            for (site, t) in marks {
                match site {
                    Site::Helper(h) => {
                        let mut p = prefix.to_vec();
                        p.extend([offset(body, *t, false), m.funcs + *h as u32]);
                        expand(m, offset, *h, &m.bodies[*h].marks, group, &p, out);
                    }
                    s if s.group() == Some(group) => {
                        let mut c = prefix.to_vec();
                        c.push(offset(body, *t, true));
                        out.push(c);
                    }
                    _ => {}
                }
            }
        }
        let all = |body: usize, checks: &Checks, group: Group| {
            let mut out = Vec::new();
            expand(&self, &offset, body, &checks.marks, group, &[], &mut out);
            out
        };
        let frames = sites
            .iter()
            .map(|p| match p {
                Placed::Sync(s) => AdapterFrames::Fused(Frames {
                    func: self.funcs + s.body as u32,
                    leave_trap: s.leave_trap.map(|t| at(s.body, t)),
                    param_chars: all(s.body, &s.params, Group::Chars),
                    param_reallocs: all(s.body, &s.params, Group::Reallocs),
                    param_mems: all(s.body, &s.params, Group::Mems),
                    result_chars: all(s.body, &s.results, Group::Chars),
                    result_reallocs: all(s.body, &s.results, Group::Reallocs),
                    result_mems: all(s.body, &s.results, Group::Mems),
                    call: Some(at(s.body, s.call)),
                    post_return: s.post_return.map(|t| at(s.body, t)),
                    memories: s.memories,
                }),
                Placed::Async(a) => {
                    let half = |(body, checks): &(usize, Checks), params: bool| {
                        let (chars, reallocs, mems) = (
                            all(*body, checks, Group::Chars),
                            all(*body, checks, Group::Reallocs),
                            all(*body, checks, Group::Mems),
                        );
                        let mut f = Frames {
                            func: self.funcs + *body as u32,
                            leave_trap: None,
                            param_chars: Vec::new(),
                            param_reallocs: Vec::new(),
                            param_mems: Vec::new(),
                            result_chars: Vec::new(),
                            result_reallocs: Vec::new(),
                            result_mems: Vec::new(),
                            call: None,
                            post_return: None,
                            memories: a.memories,
                        };
                        if params {
                            (f.param_chars, f.param_reallocs, f.param_mems) =
                                (chars, reallocs, mems);
                        } else {
                            (f.result_chars, f.result_reallocs, f.result_mems) =
                                (chars, reallocs, mems);
                        }
                        f
                    };
                    AdapterFrames::Async {
                        start: half(&a.start, true),
                        ret: half(&a.ret, false),
                    }
                }
            })
            .collect();
        (frames, module.finish())
    }
}
