//! Inlining of small wasm functions into their direct callers, with every
//! inlined frame kept for backtraces.
//!
//! Driver, phase 2, between translation and Cranelift. Input: the
//! [`ModuleEnv`] and the compile jobs. Output: [`Callees`], the CLIF of every
//! function that may be inlined (translated once, before the parallel
//! compile, in parallel), and [`Callees::inline_into`], which runs
//! Cranelift's inliner (`Context::inline`) on the function being compiled
//! and returns the inlined frames its source locations name.
//!
//! Which calls: a `call` (or, inside a `try_table`, the `try_call` it
//! becomes) of a defined function of the same module whose body is at most
//! [`MAX_CALLEE_BYTES`] of wasm and has no tail call or exception operator
//! of its own, never a function on a cycle of calls through others
//! ([`recursive_functions`]), at most [`MAX_DEPTH`] callees deep, and at most
//! [`BUDGET_BYTES`] of callee bodies per function (bounded code growth).
//! A function that calls itself directly (and no other function of a
//! cycle) is a callee too, and into its own body up to
//! [`MAX_SELF_BYTES`]: one level of its recursion unrolled, which halves
//! the calls a recursion makes (the leaves are usually the inlined copy).
//! Measured on the kernels of `benches/kernels.rs` against the compiler
//! without inlining in the same run: see docs/benchmarks.md. A
//! callee is translated twice (for inlining, and as its own job): bodies
//! this small cost little next to the code generation of their callers.
//!
//! Frames: Wasmtime does not inline core wasm, so its backtraces show every
//! call; Kiln's must too. Cranelift's inliner does not carry source
//! locations into the caller, but it does carry debug tags, prefixing an
//! inlined instruction's with those of the call it replaces. So every
//! instruction of a callee's CLIF is tagged `[function, offset]` and every
//! call the root makes to a callee `[offset]`; after inlining, an
//! instruction whose tags are `[outer_offset, f1, o1, ..., fn, on]` came
//! from callee `fn`, inlined at `o(n-1)` of `f(n-1)`, ... at `outer_offset`
//! of the root. [`finish`] gives each such chain a local id, sets the
//! instruction's source location to `INLINED | id`
//! (`kiln_abi::tables::INLINED`) and drops every tag, so code generation
//! sees plain source locations; object emission turns the local ids into
//! positions in the module's `ModuleDescriptor::inlined` table. Only trap
//! sites and return addresses are ever looked up, and each is an
//! instruction that keeps its own tags (a load merged into the instruction
//! using it is in the same inlined body: the merge never crosses blocks,
//! and an inlined body returns through a block of its own).

use crate::CompileError;
use crate::func::ModuleEnv;
use crate::func::translator::FuncTranslator;
use crate::key::{FuncKey, Job};
use crate::module::FuncIndex;
use cranelift_codegen::Context;
use cranelift_codegen::inline::{Inline, InlineCommand};
use cranelift_codegen::ir::{self, DebugTag, SourceLoc};
use cranelift_entity::EntityRef;
use kiln_abi::descriptor::NO_INDEX;
use kiln_abi::tables::inlined_location;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;
use wasmparser::{FunctionBody, Operator};

/// Largest callee body inlined, in bytes of wasm (its locals included).
pub const MAX_CALLEE_BYTES: usize = 48;

/// Largest body of a function inlined into itself (one level: the copy's
/// own call stays a call). Recursive Fibonacci (a 59-byte body) ran in
/// 0.48 of the time with it (`benches/kernels.rs`' `fib`).
pub const MAX_SELF_BYTES: usize = 128;

/// Largest body inlined at a call: [`MAX_SELF_BYTES`] for a function's
/// call of itself, else [`MAX_CALLEE_BYTES`].
fn size_limit(calls_itself: bool) -> usize {
    if calls_itself {
        MAX_SELF_BYTES
    } else {
        MAX_CALLEE_BYTES
    }
}

/// Most callees inlined inside one another at one call of the root. One:
/// three made a Rust hello world 12 KB larger than one (27 KB against 15
/// KB over no inlining) with no gain the kernels bench could tell from
/// noise; the chains and the backtrace walk handle any depth.
pub const MAX_DEPTH: usize = 1;

/// Most bytes of callee bodies inlined into one function.
pub const BUDGET_BYTES: usize = 1500;

/// One function that may be inlined.
struct Callee {
    index: FuncIndex,
    /// Body size in bytes of wasm.
    bytes: usize,
    /// Its CLIF, every instruction tagged `[function, offset]`.
    clif: ir::Function,
}

/// The CLIF of the functions that may be inlined, by declared function id.
#[derive(Default)]
pub struct Callees {
    by_id: BTreeMap<u32, Callee>,
}

/// The frames of inlined code in one compiled function: entry `i` is local
/// id `i` of the `INLINED | i` source locations,
/// `[outer_offset, f1, o1, ..., fn, on]` (module offsets, or [`NO_INDEX`]).
pub type InlinedChains = Vec<Vec<u32>>;

/// What inlining needs to know of one function's body.
#[derive(Default)]
struct Scan {
    /// The functions it calls directly, ascending.
    calls: Vec<u32>,
    /// Its size in bytes, if its operators allow inlining (see the module
    /// docs; sizes are checked where callees are picked).
    inlinable: Option<usize>,
}

/// Reads the body of `index` once (nothing for an import or a body that
/// does not parse).
fn scan(env: &ModuleEnv<'_>, index: FuncIndex) -> Scan {
    let info = env.info;
    let Some(range) = info
        .defined_func_index(index)
        .and_then(|d| info.bodies.get(d))
    else {
        return Scan::default();
    };
    let Some(bytes) = env.wasm.get(range.clone()) else {
        return Scan::default();
    };
    let body = FunctionBody::new(wasmparser::BinaryReader::new(bytes, range.start));
    let Ok(mut ops) = body.get_operators_reader() else {
        return Scan::default();
    };
    let mut calls = Vec::new();
    let mut inlinable = true;
    while !ops.eof() {
        let Ok(op) = ops.read() else {
            inlinable = false;
            break;
        };
        match op {
            Operator::Call { function_index } => calls.push(function_index),
            // Tail calls leave the frame they run in; exception operators
            // would need their handlers matched against the caller's.
            Operator::ReturnCall { function_index } => {
                calls.push(function_index);
                inlinable = false;
            }
            Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. }
            | Operator::TryTable { .. }
            | Operator::Try { .. }
            | Operator::Catch { .. }
            | Operator::CatchAll
            | Operator::Throw { .. }
            | Operator::ThrowRef
            | Operator::Rethrow { .. }
            | Operator::Delegate { .. } => inlinable = false,
            _ => {}
        }
    }
    calls.sort_unstable();
    calls.dedup();
    calls.retain(|f| (*f as usize) < info.funcs.len());
    Scan {
        calls,
        inlinable: inlinable.then_some(range.len()),
    }
}

/// The functions `call` can reach from themselves through others, by
/// function index. They are never inlined: inlining a function of a cycle
/// into another changes which function of the cycle a deep recursion
/// exhausts the stack in, so the innermost frames of its backtrace would
/// differ from Wasmtime's (whose frames are the calls'). A function that
/// only calls itself is not among them: a recursion's every frame is its
/// own, inlined or not.
/// `scans` is the call graph of direct calls, by function index; strongly
/// connected components by Tarjan's algorithm, without recursion (a long
/// call chain must not exhaust the compiler's stack).
fn recursive_functions(scans: &[Scan]) -> Vec<bool> {
    let n = scans.len();
    let edges = |v: usize| &scans[v].calls;
    let mut recursive = vec![false; n];
    // Tarjan: `index`/`low` per node (0 = unvisited), the component stack,
    // and an explicit call stack of (node, next edge).
    let mut index = vec![0u32; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut next = 1u32;
    for root in 0..n {
        if index[root] != 0 {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root as u32);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if let Some(&w) = edges(v).get(*e) {
                *e += 1;
                let w = w as usize;
                if index[w] == 0 {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w as u32);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    members.push(w as usize);
                    if w as usize == v {
                        break;
                    }
                }
                let cycle = members.len() > 1;
                for m in members {
                    recursive[m] = cycle;
                }
            }
        }
    }
    recursive
}

/// The wasm offset of `inst`, or [`NO_INDEX`].
fn offset_of(func: &ir::Function, inst: ir::Inst) -> u32 {
    let loc = func.srcloc(inst);
    if loc.is_default() {
        NO_INDEX
    } else {
        loc.bits()
    }
}

/// The declared id of the direct callee of `inst`, if it is a call or
/// `try_call` of a named function.
fn callee_id(func: &ir::Function, inst: ir::Inst) -> Option<u32> {
    let callee = match func.dfg.insts[inst] {
        ir::InstructionData::Call {
            opcode: ir::Opcode::Call,
            func_ref,
            ..
        }
        | ir::InstructionData::TryCall {
            opcode: ir::Opcode::TryCall,
            func_ref,
            ..
        } => func_ref,
        _ => return None,
    };
    name_id(func, callee)
}

/// The declared id `callee` names.
fn name_id(func: &ir::Function, callee: ir::FuncRef) -> Option<u32> {
    match func.dfg.ext_funcs[callee].name {
        ir::ExternalName::User(name) => Some(func.params.user_named_funcs()[name].index),
        _ => None,
    }
}

/// Every instruction in `func`'s layout.
fn instructions(func: &ir::Function) -> Vec<ir::Inst> {
    func.layout
        .blocks()
        .flat_map(|b| func.layout.block_insts(b))
        .collect()
}

impl Callees {
    /// Translates every function among `jobs` that may be inlined; none
    /// when `enabled` is false.
    pub fn translate(
        env: &ModuleEnv<'_>,
        jobs: &[Job],
        enabled: bool,
    ) -> Result<Callees, CompileError> {
        if !enabled {
            return Ok(Callees::default());
        }
        // Every body is read once, in parallel.
        let scans: Vec<Scan> = (0..env.info.funcs.len())
            .into_par_iter()
            .map(|f| scan(env, FuncIndex::new(f)))
            .collect();
        let recursive = recursive_functions(&scans);
        let picked: Vec<(FuncIndex, usize)> = jobs
            .iter()
            .filter_map(|j| match j {
                Job::Wasm(i) if !recursive[i.index()] => {
                    let scan = &scans[i.index()];
                    let limit = size_limit(scan.calls.binary_search(&i.as_u32()).is_ok());
                    scan.inlinable.filter(|n| *n <= limit).map(|n| (*i, n))
                }
                _ => None,
            })
            .collect();
        let funcs: Vec<Result<(u32, Callee), CompileError>> = picked
            .par_iter()
            .map_init(FuncTranslator::new, |t, (index, bytes)| {
                let mut clif = t.translate(env, *index)?;
                for inst in instructions(&clif) {
                    let tags = [
                        DebugTag::User(index.as_u32()),
                        DebugTag::User(offset_of(&clif, inst)),
                    ];
                    clif.debug_tags.set(inst, tags);
                }
                let id = env.ids.id(FuncKey::Wasm(*index)).as_u32();
                Ok((
                    id,
                    Callee {
                        index: *index,
                        bytes: *bytes,
                        clif,
                    },
                ))
            })
            .collect();
        Ok(Callees {
            by_id: funcs.into_iter().collect::<Result<_, _>>()?,
        })
    }

    /// Inlines the calls of small functions in `ctx.func` (function
    /// `root`); returns the chains its `INLINED` source locations name.
    pub fn inline_into(
        &self,
        ctx: &mut Context,
        root: FuncIndex,
    ) -> Result<InlinedChains, CompileError> {
        if self.by_id.is_empty() {
            return Ok(Vec::new());
        }
        let func = &mut ctx.func;
        let mut any = false;
        for inst in instructions(func) {
            if callee_id(func, inst).is_some_and(|id| self.by_id.contains_key(&id)) {
                let offset = offset_of(func, inst);
                func.debug_tags.set(inst, [DebugTag::User(offset)]);
                any = true;
            }
        }
        if !any {
            return Ok(Vec::new());
        }
        ctx.inline(Inliner {
            callees: self,
            root,
            budget: BUDGET_BYTES,
        })
        .map_err(|e| CompileError::Codegen {
            func: root.as_u32(),
            message: format!("inlining: {e}"),
        })?;
        Ok(finish(&mut ctx.func))
    }
}

/// Moves the inline chains from debug tags into source locations (see the
/// module docs) and drops every tag.
fn finish(func: &mut ir::Function) -> InlinedChains {
    let mut chains: InlinedChains = Vec::new();
    let mut ids: BTreeMap<Vec<u32>, u32> = BTreeMap::new();
    if func.debug_tags.is_empty() {
        return chains;
    }
    for inst in instructions(func) {
        let tags = func.debug_tags.get(inst);
        if tags.len() < 3 {
            continue;
        }
        let chain: Vec<u32> = tags
            .iter()
            .map(|t| match t {
                DebugTag::User(v) => *v,
                // Only `User` tags are ever set here.
                DebugTag::StackSlot(_) => NO_INDEX,
            })
            .collect();
        let next = chains.len() as u32;
        let id = *ids.entry(chain).or_insert_with_key(|c| {
            chains.push(c.clone());
            next
        });
        func.set_srcloc(inst, SourceLoc::new(inlined_location(id)));
    }
    func.debug_tags.clear();
    chains
}

/// Cranelift's [`Inline`] hook: which calls to inline.
/// No callee is ever already on the chain it would join, but for the root
/// inlined into itself: those would be calls on a cycle, whose functions
/// are not callees.
struct Inliner<'a> {
    callees: &'a Callees,
    /// The function being compiled (the one callee allowed
    /// [`MAX_SELF_BYTES`]).
    root: FuncIndex,
    /// Bytes of callee bodies still allowed.
    budget: usize,
}

impl Inline for Inliner<'_> {
    fn inline(
        &mut self,
        caller: &ir::Function,
        call_inst: ir::Inst,
        call_opcode: ir::Opcode,
        callee: ir::FuncRef,
        _call_args: &[ir::Value],
    ) -> InlineCommand<'_> {
        if !matches!(call_opcode, ir::Opcode::Call | ir::Opcode::TryCall) {
            return InlineCommand::KeepCall;
        }
        let Some(c) = name_id(caller, callee).and_then(|id| self.callees.by_id.get(&id)) else {
            return InlineCommand::KeepCall;
        };
        // The call's tags: `[offset]` at the root, `[outer, f1, o1, ...]`
        // inside inlined code (a call no tags mark is not the root's own).
        let tags = caller.debug_tags.get(call_inst);
        let limit = size_limit(c.index == self.root);
        if tags.is_empty() || tags.len() / 2 >= MAX_DEPTH || c.bytes > limit.min(self.budget) {
            return InlineCommand::KeepCall;
        }
        self.budget -= c.bytes;
        InlineCommand::Inline {
            callee: Cow::Borrowed(&c.clif),
            visit_callee: MAX_DEPTH > 1,
        }
    }
}

#[cfg(test)]
#[path = "inline_tests.rs"]
mod tests;
