//! Process-wide registry of compiled code and linear memories, readable from
//! a signal handler.
//!
//! Phase: written at instance setup (normal code, may allocate and lock);
//! read by the trap handler (no allocation, no locks). Inputs: [`Module`]s
//! (their functions' code ranges) and memories (base, reservation, and the
//! `VMMemoryDefinition` holding the current size). Outputs: [`lookup_code`]
//! (pc -> module, function, offset) and [`lookup_memory`] (address -> wasm
//! address and memory size).
//!
//! How: writers build a new immutable [`Snapshot`] under a mutex and publish
//! it with one atomic store; readers load the pointer and search it. Old
//! snapshots are leaked, never freed, so a handler can never see freed
//! memory (registrations happen a handful of times per process).

use crate::descriptor::Module;
use kiln_abi::vmctx::VMMemoryDefinition;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

#[derive(Copy, Clone, Debug)]
struct CodeRange {
    start: usize,
    end: usize,
    module: usize,
    func: u32,
}

#[derive(Copy, Clone, Debug)]
struct MemoryRange {
    base: usize,
    reserved: usize,
    def: *const VMMemoryDefinition,
}

/// One immutable state of the registry.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    modules: Vec<Module>,
    /// Sorted by `start`, non-overlapping.
    code: Vec<CodeRange>,
    memories: Vec<MemoryRange>,
}

static CURRENT: AtomicPtr<Snapshot> = AtomicPtr::new(std::ptr::null_mut());
static WRITER: Mutex<()> = Mutex::new(());

fn update(f: impl FnOnce(&mut Snapshot)) {
    let _guard = WRITER.lock().unwrap_or_else(|e| e.into_inner());
    let mut next = match current() {
        Some(s) => s.clone(),
        None => Snapshot::default(),
    };
    f(&mut next);
    CURRENT.store(Box::into_raw(Box::new(next)), Ordering::Release);
}

fn current() -> Option<&'static Snapshot> {
    let p = CURRENT.load(Ordering::Acquire);
    // SAFETY: published snapshots are never freed.
    (!p.is_null()).then(|| unsafe { &*p })
}

/// Registers the compiled functions of `module` (idempotent per descriptor).
pub fn register_module(module: Module) {
    update(|s| {
        if s.modules.iter().any(|m| std::ptr::eq(m.desc, module.desc)) {
            return;
        }
        let index = s.modules.len();
        s.modules.push(module);
        for (func, f) in module.funcs.iter().enumerate() {
            if f.wasm_call == 0 || f.code_len == 0 {
                continue;
            }
            let start = f.wasm_call as usize;
            s.code.push(CodeRange {
                start,
                end: start.saturating_add(f.code_len as usize),
                module: index,
                func: func as u32,
            });
        }
        s.code.sort_by_key(|r| r.start);
    });
}

/// Registers a linear memory for fault-address reports.
pub fn register_memory(base: *mut u8, reserved: usize, def: *const VMMemoryDefinition) {
    update(|s| {
        s.memories.push(MemoryRange {
            base: base as usize,
            reserved,
            def,
        })
    });
}

/// Forgets the memory at `base` (its instance is going away).
pub fn unregister_memory(base: *mut u8) {
    update(|s| s.memories.retain(|m| m.base != base as usize));
}

/// The module, function index and offset from the function start of code
/// address `pc`, if it lies in a registered compiled function.
pub fn lookup_code(pc: usize) -> Option<(&'static Module, u32, u32)> {
    let snap = current()?;
    let i = snap
        .code
        .partition_point(|r| r.start <= pc)
        .checked_sub(1)?;
    let r = snap.code[i];
    if pc >= r.end {
        return None;
    }
    Some((&snap.modules[r.module], r.func, (pc - r.start) as u32))
}

/// Whether `pc` lies in registered compiled code.
pub fn is_wasm_code(pc: usize) -> bool {
    lookup_code(pc).is_some()
}

/// For an address inside a registered memory's reservation: the wasm
/// address and the memory's current size in bytes.
pub fn lookup_memory(addr: usize) -> Option<(u64, u64)> {
    let snap = current()?;
    snap.memories.iter().find_map(|m| {
        if addr < m.base || addr - m.base >= m.reserved {
            return None;
        }
        // SAFETY: a registered definition lives until it is unregistered,
        // which happens before its instance frees it.
        let size = unsafe { (*m.def).current_length } as u64;
        Some(((addr - m.base) as u64, size))
    })
}
