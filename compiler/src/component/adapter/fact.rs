//! Where Wasmtime 49's backtraces place a fused adapter's frames.
//!
//! Phase 2 of adapters, after the inliner has seen the whole component.
//! Input: every adapter in creation order (a `canon lower` of a lifted
//! function, as Wasmtime numbers them) and the plan's core instances.
//! Output: per adapter, [`Frames`]: the function index Wasmtime's backtrace
//! shows for it and the module offsets of its call sites, or `None` where
//! this model does not reach.
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
//! Invariant: a module is modelled only if every adapter in it is, and an
//! adapter only if it moves flat values (scalars, enums, and records,
//! tuples and flags of them; at most 16 parameters and one result) between
//! two different instances synchronously, or is an adapter within one
//! instance (which only traps).
//! Everything else reports `None` and keeps Kiln's own numbers.

use super::super::plan::{CanonOptions, ComponentPlan, CoreDef, CoreExport, RuntimeInstanceIndex};
use kiln_abi::component::{Type, TypeIndex, TypeTable};
use std::collections::{HashMap, HashSet};
use wasm_encoder::{
    BlockType, Catch, Encode, EntityType, ExportKind, ExportSection, FunctionSection, GlobalType,
    ImportSection, Instruction as I, MemoryType, Module, TypeSection, ValType,
};

/// Wasmtime's trap numbers of the traps the modelled adapters raise.
const TRAP_CANNOT_ENTER: u8 = 17;
const TRAP_CANNOT_LEAVE: u8 = 23;
const TRAP_INVALID_CHAR: u8 = 25;
const TRAP_INVALID_DISCRIMINANT: u8 = 32;
const TRAP_UNCAUGHT_EXCEPTION: u8 = 49;

/// One adapter, as the model needs it.
pub(in super::super) struct Adapter<'a> {
    pub params: Vec<TypeIndex>,
    pub results: Vec<TypeIndex>,
    pub async_: bool,
    pub lower: &'a CanonOptions,
    pub lift: &'a CanonOptions,
    pub callee: &'a CoreDef,
    /// Kiln's core instance of the adapter module.
    pub instance: RuntimeInstanceIndex,
}

/// What Wasmtime reports for an adapter's frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(in super::super) struct Frames {
    /// The function index Wasmtime shows.
    pub func: u32,
    /// Module offset of the trap of the caller's `may_leave` test.
    pub leave_trap: Option<u32>,
    /// Module offsets of the traps of the parameters' checked values
    /// (invalid `char`s and discriminants).
    pub param_chars: Vec<u32>,
    /// As `param_chars`, for the results.
    pub result_chars: Vec<u32>,
    /// Module offset of the callee's call (or, for an adapter within one
    /// instance, of the trap).
    pub call: u32,
    /// Module offset of the `post-return` call.
    pub post_return: Option<u32>,
}

/// Frames of every adapter (same order as `adapters`).
pub(in super::super) fn frames(
    plan: &ComponentPlan,
    table: &TypeTable<'_>,
    adapters: &[Adapter<'_>],
) -> Vec<Option<Frames>> {
    let mut out = vec![None; adapters.len()];
    for group in partition(plan, adapters) {
        if !group.iter().all(|a| modelled(table, &adapters[*a])) {
            continue;
        }
        let mut m = FactModule::default();
        let mut sites = Vec::new();
        for a in &group {
            sites.push(m.adapt(table, *a, &adapters[*a]));
        }
        for (a, f) in group.iter().zip(m.finish(sites)) {
            out[*a] = Some(f);
        }
    }
    out
}

/// Whether the model covers adapter `a`.
fn modelled(table: &TypeTable<'_>, a: &Adapter<'_>) -> bool {
    if a.lower.instance == a.lift.instance {
        return true;
    }
    let (Some(params), Some(results)) = (flat(table, &a.params), flat(table, &a.results)) else {
        return false;
    };
    !a.async_ && !a.lower.async_ && !a.lift.async_ && params.len() <= 16 && results.len() <= 1
}

/// How Wasmtime moves one flat value from a local to the stack.
#[derive(Copy, Clone, Debug)]
enum Op {
    Plain,
    /// `i32.const mask; i32.and`.
    Mask(i32),
    /// `i32.const 1; i32.const 0; local.get; select`.
    Bool,
    Extend8,
    Extend16,
    /// Through a temporary, checked to be a Unicode scalar value.
    Char,
    /// Through a temporary, checked to be below this many labels.
    Enum(i32),
}

/// The flat values of `types` and how each is moved, if the model covers
/// them: scalars, enums, and records, tuples and flags of them.
fn flat(table: &TypeTable<'_>, types: &[TypeIndex]) -> Option<Vec<(ValType, Op)>> {
    let mut out = Vec::new();
    for t in types {
        flat_into(table, *t, &mut out)?;
    }
    Some(out)
}

fn flat_into(table: &TypeTable<'_>, t: TypeIndex, out: &mut Vec<(ValType, Op)>) -> Option<()> {
    let i32_ = ValType::I32;
    match table.get(t)? {
        Type::Bool => out.push((i32_, Op::Bool)),
        Type::U8 => out.push((i32_, Op::Mask(0xff))),
        Type::U16 => out.push((i32_, Op::Mask(0xffff))),
        Type::S8 => out.push((i32_, Op::Extend8)),
        Type::S16 => out.push((i32_, Op::Extend16)),
        Type::Char => out.push((i32_, Op::Char)),
        Type::Enum(c) => out.push((i32_, Op::Enum(i32::try_from(c.len()).ok()?))),
        Type::U32 | Type::S32 => out.push((i32_, Op::Plain)),
        Type::U64 | Type::S64 => out.push((ValType::I64, Op::Plain)),
        Type::F32 => out.push((ValType::F32, Op::Plain)),
        Type::F64 => out.push((ValType::F64, Op::Plain)),
        Type::Record(c) | Type::Tuple(c) => {
            for child in c.iter() {
                flat_into(table, child.ty?, out)?;
            }
        }
        Type::Flags(c) => {
            let n = c.len();
            let low = |bits: usize| ((1u64 << bits) - 1) as u32 as i32;
            match n {
                0 => {}
                1..=8 => out.push((i32_, Op::Mask(low(n)))),
                9..=16 => out.push((i32_, Op::Mask(low(n)))),
                _ => {
                    let words = n.div_ceil(32);
                    for w in 0..words {
                        let op = if w == words - 1 && n % 32 != 0 {
                            Op::Mask(low(n % 32))
                        } else {
                            Op::Plain
                        };
                        out.push((i32_, op));
                    }
                }
            }
        }
        _ => return None,
    }
    Some(())
}

/// Groups adapters into Wasmtime's adapter modules: in order, starting a
/// new module when an adapter's dependencies (the instances its items come
/// from, every earlier instance, and what they import) include an adapter
/// of the module in progress.
fn partition(plan: &ComponentPlan, adapters: &[Adapter<'_>]) -> Vec<Vec<usize>> {
    let by_instance: HashMap<RuntimeInstanceIndex, usize> = adapters
        .iter()
        .enumerate()
        .map(|(i, a)| (a.instance, i))
        .collect();
    let mut p = Partition {
        plan,
        by_instance: &by_instance,
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
            CoreDef::Trampoline(_) | CoreDef::InstanceFlags(_) => {}
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
    bodies: Vec<Defined>,
}

/// A function of the model module.
struct Defined {
    ty: u32,
    export: String,
    locals: Vec<(u32, ValType)>,
    code: Vec<u8>,
}

/// Body offsets of an adapter's call sites.
struct Sites {
    leave_trap: Option<usize>,
    param_chars: Vec<usize>,
    call: usize,
    result_chars: Vec<usize>,
    post_return: Option<usize>,
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
    fn options(&mut self, o: &CanonOptions) -> u32 {
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
        if let Some(m) = &o.memory {
            let name = format!("m{}", self.memories);
            let ty = EntityType::Memory(MemoryType {
                minimum: 0,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            });
            self.import(Key::Memory(m.clone()), "memory", &name, ty);
        }
        if let Some(r) = &o.realloc {
            let name = format!("f{}", self.funcs);
            let i32s = [ValType::I32; 4];
            self.func(Key::Def(r.clone()), "realloc", &name, &i32s, &i32s[..1]);
        }
        flags
    }

    fn trap(&mut self, code: &mut Vec<u8>, trap: u8) {
        let f = self.func(Key::Trap(trap), "runtime", &format!("trap{trap}"), &[], &[]);
        I::Call(f).encode(code);
        I::Unreachable.encode(code);
    }

    /// Adds adapter number `n` (Wasmtime's name `adapter{n}`).
    fn adapt(&mut self, table: &TypeTable<'_>, n: usize, a: &Adapter<'_>) -> Sites {
        let name = format!("adapter{n}");
        let lift_flags = self.options(a.lift);
        let lower_flags = self.options(a.lower);
        let types = |ts: &[TypeIndex]| -> Vec<ValType> {
            flat(table, ts)
                .unwrap_or_default()
                .iter()
                .map(|v| v.0)
                .collect()
        };
        let (params, results) = (types(&a.params), types(&a.results));
        let same = a.lower.instance == a.lift.instance;
        // A same-instance adapter's types are never flattened by the model;
        // its callee and post-return imports still count.
        let callee = self.func(
            Key::Def(a.callee.clone()),
            "callee",
            &name,
            &params,
            &results,
        );
        let post = a
            .lift
            .post_return
            .as_ref()
            .map(|p| self.func(Key::Def(p.clone()), "post_return", &name, &results, &[]));
        let ty = self.ty(&params, &results);
        let mut b = Body {
            code: Vec::new(),
            locals: Vec::new(),
            nlocals: params.len() as u32,
            free: HashMap::new(),
        };
        let sites = if same {
            let call = b.code.len();
            self.trap(&mut b.code, TRAP_CANNOT_ENTER);
            Sites {
                leave_trap: None,
                param_chars: Vec::new(),
                call,
                result_chars: Vec::new(),
                post_return: None,
            }
        } else {
            self.sync_to_sync(&mut b, a, table, [lower_flags, lift_flags], callee, post)
        };
        I::End.encode(&mut b.code);
        self.bodies.push(Defined {
            ty,
            export: name,
            locals: b.locals,
            code: b.code,
        });
        sites
    }

    fn sync_to_sync(
        &mut self,
        b: &mut Body,
        a: &Adapter<'_>,
        table: &TypeTable<'_>,
        [lower_flags, lift_flags]: [u32; 2],
        callee: u32,
        post: Option<u32>,
    ) -> Sites {
        let params = flat(table, &a.params).unwrap_or_default();
        let results = flat(table, &a.results).unwrap_or_default();
        let bt = results
            .first()
            .map_or(BlockType::Empty, |t| BlockType::Result(t.0));
        // The exception barrier.
        I::Block(bt).encode(&mut b.code);
        I::Block(BlockType::Empty).encode(&mut b.code);
        I::TryTable(bt, vec![Catch::All { label: 0 }].into()).encode(&mut b.code);
        // `may_leave` of the caller, saved.
        I::Block(BlockType::Empty).encode(&mut b.code);
        I::GlobalGet(lower_flags).encode(&mut b.code);
        let saved_lower = b.new_tmp(ValType::I32, I::LocalTee);
        // Wasmtime reports the failed test at the branch (it becomes a
        // conditional trap).
        let leave_trap = Some(b.code.len());
        I::BrIf(0).encode(&mut b.code);
        self.trap(&mut b.code, TRAP_CANNOT_LEAVE);
        I::End.encode(&mut b.code);
        for v in [a.lower.instance.as_u32(), 0, a.lift.instance.as_u32()] {
            I::I32Const(v as i32).encode(&mut b.code);
        }
        let enter = self.func(
            Key::EnterSync,
            "async",
            "enter-sync-call",
            &[ValType::I32; 3],
            &[],
        );
        I::Call(enter).encode(&mut b.code);
        // The callee's `may_leave` cleared around the parameters.
        I::GlobalGet(lift_flags).encode(&mut b.code);
        let saved_lift = b.new_tmp(ValType::I32, I::LocalSet);
        I::I32Const(0).encode(&mut b.code);
        I::GlobalSet(lift_flags).encode(&mut b.code);
        let mut param_chars = Vec::new();
        for (i, (_, op)) in params.iter().enumerate() {
            param_chars.extend(self.value(b, *op, i as u32, false));
        }
        I::LocalGet(saved_lift).encode(&mut b.code);
        I::GlobalSet(lift_flags).encode(&mut b.code);
        b.free(saved_lift, ValType::I32);
        let call = b.code.len();
        I::Call(callee).encode(&mut b.code);
        let mut result_locals: Vec<(u32, ValType)> = results
            .iter()
            .rev()
            .map(|(t, _)| (b.new_tmp(*t, I::LocalSet), *t))
            .collect();
        result_locals.reverse();
        let callee_context = match post {
            Some(_) => self.save_context(b),
            None => Vec::new(),
        };
        let exit = self.func(Key::ExitSync, "async", "exit-sync-call", &[], &[]);
        I::Call(exit).encode(&mut b.code);
        I::I32Const(0).encode(&mut b.code);
        I::GlobalSet(lower_flags).encode(&mut b.code);
        let mut result_chars = Vec::new();
        for ((_, op), (l, _)) in results.iter().zip(&result_locals) {
            result_chars.extend(self.value(b, *op, *l, true));
        }
        I::LocalGet(saved_lower).encode(&mut b.code);
        I::GlobalSet(lower_flags).encode(&mut b.code);
        b.free(saved_lower, ValType::I32);
        let mut post_return = None;
        if let Some(post) = post {
            let caller_context = self.save_context(b);
            self.restore_context(b, callee_context);
            for (l, _) in &result_locals {
                I::LocalGet(*l).encode(&mut b.code);
            }
            post_return = Some(b.code.len());
            I::Call(post).encode(&mut b.code);
            self.restore_context(b, caller_context);
        }
        for (l, t) in result_locals {
            b.free(l, t);
        }
        I::End.encode(&mut b.code);
        I::Br(1).encode(&mut b.code);
        I::End.encode(&mut b.code);
        self.trap(&mut b.code, TRAP_UNCAUGHT_EXCEPTION);
        I::End.encode(&mut b.code);
        Sites {
            leave_trap,
            param_chars,
            call,
            result_chars,
            post_return,
        }
    }

    /// A flat value moved from local `l` to the stack; for a `char`, the
    /// body offset where Wasmtime reports its trap (the first `br_if`,
    /// which Cranelift turns into the conditional trap).
    fn value(&mut self, b: &mut Body, op: Op, l: u32, result: bool) -> Option<usize> {
        if let Op::Char = op {
            let mut site = None;
            I::LocalGet(l).encode(&mut b.code);
            let t = b.new_tmp(ValType::I32, I::LocalSet);
            // Wasmtime's test (from LLVM's `char::try_from`): not a
            // surrogate and below 0x110000.
            for i in [
                I::Block(BlockType::Empty),
                I::Block(BlockType::Empty),
                I::LocalGet(t),
                I::I32Const(0xd800),
                I::I32Xor,
                I::I32Const(-0x11_0000),
                I::I32Add,
                I::I32Const(-0x10_f800),
                I::I32LtU,
                I::BrIf(0),
                I::LocalGet(t),
                I::I32Const(0x11_0000),
                I::I32Ne,
                I::BrIf(1),
                I::End,
            ] {
                if site.is_none() && matches!(i, I::BrIf(_)) {
                    site = Some(b.code.len());
                }
                i.encode(&mut b.code);
            }
            self.trap(&mut b.code, TRAP_INVALID_CHAR);
            I::End.encode(&mut b.code);
            I::LocalGet(t).encode(&mut b.code);
            b.free(t, ValType::I32);
            return site;
        }
        if let Op::Enum(n) = op {
            I::LocalGet(l).encode(&mut b.code);
            let t = b.new_tmp(ValType::I32, I::LocalTee);
            I::I32Const(n).encode(&mut b.code);
            I::I32GeU.encode(&mut b.code);
            // As Wasmtime 49 reports it: a result's at the `if` (Cranelift
            // makes it a conditional trap), a parameter's at the trap's call
            // (observed; its block is not folded into the branch).
            let at_if = b.code.len();
            I::If(BlockType::Empty).encode(&mut b.code);
            let site = if result { at_if } else { b.code.len() };
            self.trap(&mut b.code, TRAP_INVALID_DISCRIMINANT);
            I::End.encode(&mut b.code);
            I::LocalGet(t).encode(&mut b.code);
            b.free(t, ValType::I32);
            return Some(site);
        }
        b.value(op, l);
        None
    }

    /// Reads both `context` slots into fresh temporaries.
    fn save_context(&mut self, b: &mut Body) -> Vec<u32> {
        (0..2)
            .map(|slot| {
                let name = format!("get{slot}");
                let get = self.func(
                    Key::ContextGet(slot),
                    "context",
                    &name,
                    &[],
                    &[ValType::I32],
                );
                I::Call(get).encode(&mut b.code);
                b.new_tmp(ValType::I32, I::LocalSet)
            })
            .collect()
    }

    fn restore_context(&mut self, b: &mut Body, saved: Vec<u32>) {
        for (slot, l) in saved.into_iter().enumerate() {
            let name = format!("set{slot}");
            let set = self.func(
                Key::ContextSet(slot as u32),
                "context",
                &name,
                &[ValType::I32],
                &[],
            );
            I::LocalGet(l).encode(&mut b.code);
            I::Call(set).encode(&mut b.code);
            b.free(l, ValType::I32);
        }
    }

    /// Encodes the module and turns body offsets into module offsets.
    fn finish(self, sites: Vec<Sites>) -> Vec<Frames> {
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
            exports.export(&d.export, ExportKind::Func, self.funcs + i as u32);
        }
        module.section(&funcs);
        module.section(&exports);
        let prefix = module.as_slice().len();
        let mut payload = Vec::new();
        self.bodies.len().encode(&mut payload);
        let mut starts = Vec::new();
        for d in &self.bodies {
            let mut body = Vec::new();
            d.locals.len().encode(&mut body);
            for (n, t) in &d.locals {
                n.encode(&mut body);
                t.encode(&mut body);
            }
            let head = body.len();
            body.extend_from_slice(&d.code);
            body.len().encode(&mut payload);
            starts.push(payload.len() + head);
            payload.extend_from_slice(&body);
        }
        // The code section: id, payload size, payload.
        let mut size = Vec::new();
        payload.len().encode(&mut size);
        let base = prefix + 1 + size.len();
        sites
            .iter()
            .zip(starts)
            .enumerate()
            .map(|(i, (s, start))| Frames {
                func: self.funcs + i as u32,
                leave_trap: s.leave_trap.map(|t| (base + start + t) as u32),
                param_chars: s
                    .param_chars
                    .iter()
                    .map(|t| (base + start + t) as u32)
                    .collect(),
                result_chars: s
                    .result_chars
                    .iter()
                    .map(|t| (base + start + t) as u32)
                    .collect(),
                call: (base + start + s.call) as u32,
                post_return: s.post_return.map(|p| (base + start + p) as u32),
            })
            .collect()
    }
}

/// A function body being laid out, with Wasmtime's reuse of temporaries.
struct Body {
    code: Vec<u8>,
    locals: Vec<(u32, ValType)>,
    nlocals: u32,
    free: HashMap<ValType, Vec<u32>>,
}

impl Body {
    /// A temporary of type `t` set (or teed) from the stack.
    fn new_tmp(&mut self, t: ValType, op: fn(u32) -> I<'static>) -> u32 {
        if let Some(l) = self.free.get_mut(&t).and_then(|v| v.pop()) {
            op(l).encode(&mut self.code);
            return l;
        }
        match self.locals.last_mut() {
            Some((n, last)) if *last == t => *n += 1,
            _ => self.locals.push((1, t)),
        }
        self.nlocals += 1;
        op(self.nlocals - 1).encode(&mut self.code);
        self.nlocals - 1
    }

    fn free(&mut self, l: u32, t: ValType) {
        self.free.entry(t).or_default().push(l);
    }

    /// A flat value moved from local `l` to the stack.
    fn value(&mut self, op: Op, l: u32) {
        if let Op::Bool = op {
            I::I32Const(1).encode(&mut self.code);
            I::I32Const(0).encode(&mut self.code);
        }
        I::LocalGet(l).encode(&mut self.code);
        match op {
            Op::Plain | Op::Char | Op::Enum(_) => {}
            Op::Bool => I::Select.encode(&mut self.code),
            Op::Mask(m) => {
                I::I32Const(m).encode(&mut self.code);
                I::I32And.encode(&mut self.code);
            }
            Op::Extend8 => I::I32Extend8S.encode(&mut self.code),
            Op::Extend16 => I::I32Extend16S.encode(&mut self.code),
        }
    }
}
