//! Process-wide registry of compiled code and linear memories, readable from
//! a signal handler.
//!
//! Phase: written at instance setup and teardown (normal code, may allocate
//! and lock), from any thread; read by the trap handler (no allocation, no
//! locks). Inputs: [`Module`]s (their functions' code ranges) and memories
//! (base, reservation, and the `VMMemoryDefinition` holding the current
//! size). Outputs: [`lookup_code`] (pc -> module, function, offset) and
//! [`lookup_memory`] (address -> wasm address and memory size).
//!
//! How: two tables (code, memories), each an immutable snapshot behind one
//! atomic pointer. A writer builds the next snapshot under a mutex,
//! publishes it with one atomic swap, then waits until no reader is inside
//! a lookup ([`READERS`]) before freeing the previous one, so a handler never
//! sees freed memory and nothing leaks however many instances come and go.
//! Registering a module stores its descriptor view and the bounds of its
//! code: the compiler lays a module's function bodies out in index order
//! and says so (`MODULE_FLAG_CODE_IN_ORDER`; `compiler/src/obj/tests.rs`
//! checks the layout), so a lookup binary-searches the descriptor's
//! function array itself; a descriptor without the flag is checked in one
//! pass, and one laid out otherwise gets a sorted table.
//! Registering an already registered module is a lookup under the mutex,
//! nothing more. Each module's view is leaked once (a few hundred bytes per
//! distinct descriptor), so lookups can hand out `&'static Module`.
//!
//! NB: readers only spin-free work between entering and leaving
//! (`READERS`), so a writer's wait is short; a reader never waits.

use crate::descriptor::Module;
use kiln_abi::vmctx::VMMemoryDefinition;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// The code of one registered module. The compiler defines a module's
/// functions in index order in one code section, so their bodies lie at
/// ascending addresses and a lookup is a binary search of the
/// descriptor's own array: registering checks that order in one pass and
/// builds nothing. Only a descriptor not laid out so (hand-made ones in
/// tests) gets a sorted table of its own.
#[derive(Clone, Debug)]
struct ModuleCode {
    module: &'static Module,
    /// Index of the first defined function (imports have no body here).
    first: usize,
    /// Lowest start and highest end of its bodies.
    start: usize,
    end: usize,
    /// `None`: the descriptor's bodies are in address order; else
    /// `(start, end, function index)` sorted by start.
    sorted: Option<std::sync::Arc<[(usize, usize, u32)]>>,
}

/// Whether the bodies from function `first` on lie in index order, each
/// non-empty and after the previous one.
fn in_address_order(module: &Module, first: usize) -> bool {
    let mut previous_end = 0usize;
    module.funcs[first..].iter().all(|f| {
        let start = f.wasm_call.get() as usize;
        let ok = f.code_len != 0 && start >= previous_end;
        previous_end = start.saturating_add(f.code_len as usize);
        ok
    })
}

/// `(start, end, function index)` of every body of `module`, sorted.
fn sorted_ranges(module: &Module) -> Vec<(usize, usize, u32)> {
    let mut ranges: Vec<(usize, usize, u32)> = module
        .funcs
        .iter()
        .enumerate()
        .filter(|(_, f)| f.wasm_call.get() != 0 && f.code_len != 0)
        .map(|(i, f)| {
            let start = f.wasm_call.get() as usize;
            (start, start.saturating_add(f.code_len as usize), i as u32)
        })
        .collect();
    ranges.sort_unstable();
    ranges
}

#[derive(Copy, Clone, Debug)]
struct MemoryRange {
    base: usize,
    reserved: usize,
    def: *const VMMemoryDefinition,
}

/// Registered modules, in registration order.
#[derive(Clone, Debug, Default)]
struct CodeSnapshot {
    modules: Vec<ModuleCode>,
}

/// Live memories.
#[derive(Clone, Debug, Default)]
struct MemorySnapshot {
    memories: Vec<MemoryRange>,
}

static CODE: AtomicPtr<CodeSnapshot> = AtomicPtr::new(std::ptr::null_mut());
static MEMORIES: AtomicPtr<MemorySnapshot> = AtomicPtr::new(std::ptr::null_mut());
/// Serialises writers (both tables).
static WRITER: Mutex<()> = Mutex::new(());
/// Lookups in progress, in any thread or handler.
static READERS: AtomicUsize = AtomicUsize::new(0);

/// Marks a lookup in progress while alive.
struct ReadGuard;

impl ReadGuard {
    fn enter() -> ReadGuard {
        READERS.fetch_add(1, Ordering::SeqCst);
        ReadGuard
    }
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        READERS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Publishes `next` in `slot` and frees the previous snapshot once no
/// lookup can still be reading it. Call with [`WRITER`] held.
fn publish<T>(slot: &AtomicPtr<T>, next: T) {
    let old = slot.swap(Box::into_raw(Box::new(next)), Ordering::SeqCst);
    if old.is_null() {
        return;
    }
    // A reader that loaded `old` incremented READERS before loading it
    // (both SeqCst), so once READERS is seen at zero after the swap, nobody
    // holds `old`. Readers never block, so this wait is short.
    while READERS.load(Ordering::SeqCst) != 0 {
        std::hint::spin_loop();
        std::thread::yield_now();
    }
    // SAFETY: `old` came from `Box::into_raw` and no reader can see it.
    drop(unsafe { Box::from_raw(old) });
}

/// The current snapshot in `slot`, valid while `_guard` lives.
fn load<'g, T>(slot: &AtomicPtr<T>, _guard: &'g ReadGuard) -> Option<&'g T> {
    let p = slot.load(Ordering::SeqCst);
    // SAFETY: published snapshots are freed only when no guard is alive.
    (!p.is_null()).then(|| unsafe { &*p })
}

fn writer() -> std::sync::MutexGuard<'static, ()> {
    // A poisoned lock only means a writer panicked; the snapshots are
    // immutable, so the state is consistent.
    WRITER.lock().unwrap_or_else(|e| e.into_inner())
}

/// Registers the compiled functions of `module` (idempotent per
/// descriptor, and cheap when already registered). Thread-safe.
///
/// A descriptor at the address of an earlier one whose code lies elsewhere
/// (the host unloaded an object and loaded another in its place) replaces
/// the earlier registration.
pub fn register_module(module: Module) {
    let _w = writer();
    let current = {
        let guard = ReadGuard::enter();
        load(&CODE, &guard).cloned().unwrap_or_default()
    };
    let first = (module.desc.num_imported_funcs as usize).min(module.funcs.len());
    let in_order = module.desc.flags & kiln_abi::descriptor::MODULE_FLAG_CODE_IN_ORDER != 0;
    let (start, end, sorted) = if in_order || in_address_order(&module, first) {
        let bodies = &module.funcs[first..];
        let start = bodies.first().map_or(0, |f| f.wasm_call.get() as usize);
        let end = bodies.last().map_or(0, |f| {
            (f.wasm_call.get() as usize).saturating_add(f.code_len as usize)
        });
        (start, end, None)
    } else {
        let ranges = sorted_ranges(&module);
        let start = ranges.first().map_or(0, |r| r.0);
        let end = ranges.iter().map(|r| r.1).max().unwrap_or(0);
        (start, end, Some(ranges.into()))
    };
    let same = |m: &ModuleCode| std::ptr::eq(m.module.desc, module.desc);
    if current
        .modules
        .iter()
        .any(|m| same(m) && m.start == start && m.end == end)
    {
        return;
    }
    let mut next = current;
    next.modules.retain(|m| !same(m));
    next.modules.push(ModuleCode {
        module: Box::leak(Box::new(module)),
        first,
        start,
        end,
        sorted,
    });
    publish(&CODE, next);
}

/// Forgets the module whose descriptor is at `desc` (the host is about to
/// unmap its code). Its leaked view stays valid memory but is never
/// returned again.
pub fn unregister_module(desc: *const kiln_abi::descriptor::ModuleDescriptor) {
    let _w = writer();
    let mut next = {
        let guard = ReadGuard::enter();
        load(&CODE, &guard).cloned().unwrap_or_default()
    };
    next.modules.retain(|m| !std::ptr::eq(m.module.desc, desc));
    publish(&CODE, next);
}

/// Registers a linear memory for fault-address reports.
pub fn register_memory(base: *mut u8, reserved: usize, def: *const VMMemoryDefinition) {
    let _w = writer();
    let mut next = {
        let guard = ReadGuard::enter();
        load(&MEMORIES, &guard).cloned().unwrap_or_default()
    };
    next.memories.push(MemoryRange {
        base: base as usize,
        reserved,
        def,
    });
    publish(&MEMORIES, next);
}

/// Forgets the memory at `base` (its instance is going away). When this
/// returns, no lookup reads its definition any more.
pub fn unregister_memory(base: *mut u8) {
    let _w = writer();
    let mut next = {
        let guard = ReadGuard::enter();
        load(&MEMORIES, &guard).cloned().unwrap_or_default()
    };
    next.memories.retain(|m| m.base != base as usize);
    publish(&MEMORIES, next);
}

/// The module, function index and offset from the function start of code
/// address `pc`, if it lies in a registered compiled function.
pub fn lookup_code(pc: usize) -> Option<(&'static Module, u32, u32)> {
    let guard = ReadGuard::enter();
    let snap = load(&CODE, &guard)?;
    // Newest first: a registration shadows any stale one it overlaps.
    snap.modules
        .iter()
        .rev()
        .filter(|m| m.start <= pc && pc < m.end)
        .find_map(|m| {
            if let Some(ranges) = &m.sorted {
                let i = ranges.partition_point(|r| r.0 <= pc).checked_sub(1)?;
                let (start, end, func) = ranges[i];
                return (pc < end).then(|| (m.module, func, (pc - start) as u32));
            }
            let bodies = &m.module.funcs[m.first..];
            let i = bodies
                .partition_point(|f| f.wasm_call.get() as usize <= pc)
                .checked_sub(1)?;
            let f = &bodies[i];
            let offset = pc - f.wasm_call.get() as usize;
            (offset < f.code_len as usize).then(|| (m.module, (m.first + i) as u32, offset as u32))
        })
}

/// Bounds `[start, end)` of the executable's compiled code (every function
/// the compiler emitted, trampolines included), `(0, 0)` until known.
static COMPILED_CODE: (AtomicUsize, AtomicUsize) = (AtomicUsize::new(0), AtomicUsize::new(0));

/// Records the bounds of the compiler's code (the program descriptor's
/// `code_start`/`code_end`), for [`is_compiled_code`].
pub fn set_compiled_code(start: usize, end: usize) {
    COMPILED_CODE.0.store(start, Ordering::Relaxed);
    COMPILED_CODE.1.store(end, Ordering::Relaxed);
}

/// Whether `pc` lies in code the compiler emitted (wasm functions and
/// trampolines; only wasm functions are [`lookup_code`]'s). False while
/// the bounds are unknown (an embedding that did not record them).
pub fn is_compiled_code(pc: usize) -> bool {
    let start = COMPILED_CODE.0.load(Ordering::Relaxed);
    let end = COMPILED_CODE.1.load(Ordering::Relaxed);
    start <= pc && pc < end
}

/// Whether `pc` lies in registered compiled code.
pub fn is_wasm_code(pc: usize) -> bool {
    lookup_code(pc).is_some()
}

/// For an address inside a registered memory's reservation: the wasm
/// address and the memory's current size in bytes.
pub fn lookup_memory(addr: usize) -> Option<(u64, u64)> {
    let guard = ReadGuard::enter();
    let snap = load(&MEMORIES, &guard)?;
    snap.memories.iter().find_map(|m| {
        if addr < m.base || addr - m.base >= m.reserved {
            return None;
        }
        // SAFETY: a registered definition lives until it is unregistered,
        // which happens (and waits for this lookup) before its instance
        // frees it.
        // The length is read atomically: another thread may be growing a
        // shared memory.
        let size = unsafe { crate::memory::shared::load_length(m.def) } as u64;
        Some(((addr - m.base) as u64, size))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{FuncSpec, ModuleBuilder};

    fn module_at(start: u64, lens: &[u64]) -> Module {
        let mut at = start;
        let funcs = lens
            .iter()
            .map(|len| {
                let f = FuncSpec {
                    wasm_call: at,
                    code_len: *len,
                    ..FuncSpec::default()
                };
                at += len;
                f
            })
            .collect();
        ModuleBuilder {
            types: vec![(vec![], vec![])],
            funcs,
            ..ModuleBuilder::default()
        }
        .module()
    }

    #[test]
    fn modules_register_once_and_resolve() {
        // Addresses far from any real code: registration never maps them.
        let a = module_at(0x7000_0000_0000, &[16, 32]);
        let b = module_at(0x7000_0001_0000, &[8]);
        register_module(a);
        register_module(a);
        register_module(b);
        let (m, func, off) = lookup_code(0x7000_0000_0014).expect("in a's second function");
        assert!(std::ptr::eq(m.desc, a.desc));
        assert_eq!((func, off), (1, 4));
        let (m, func, off) = lookup_code(0x7000_0001_0007).expect("in b");
        assert!(std::ptr::eq(m.desc, b.desc));
        assert_eq!((func, off), (0, 7));
        assert!(lookup_code(0x7000_0001_0008).is_none());
        assert!(lookup_code(0x7000_0000_0030).is_none());
        let snap_count = {
            let g = ReadGuard::enter();
            load(&CODE, &g)
                .map(|s| {
                    s.modules
                        .iter()
                        .filter(|m| std::ptr::eq(m.module.desc, a.desc))
                        .count()
                })
                .unwrap_or(0)
        };
        assert_eq!(snap_count, 1);
    }

    #[test]
    fn bodies_out_of_index_order_still_resolve() {
        // Function 0 after function 1 in memory, function 2 empty: a
        // layout the compiler never makes, looked up through a sorted table.
        let spec = |at: u64, len: u64| FuncSpec {
            wasm_call: at,
            code_len: len,
            ..FuncSpec::default()
        };
        let m = ModuleBuilder {
            types: vec![(vec![], vec![])],
            funcs: vec![
                spec(0x7400_0000_0020, 16),
                spec(0x7400_0000_0000, 16),
                spec(0x7400_0000_0040, 0),
            ],
            ..ModuleBuilder::default()
        }
        .module();
        register_module(m);
        assert_eq!(
            lookup_code(0x7400_0000_0024).map(|r| (r.1, r.2)),
            Some((0, 4))
        );
        assert_eq!(
            lookup_code(0x7400_0000_0003).map(|r| (r.1, r.2)),
            Some((1, 3))
        );
        assert!(lookup_code(0x7400_0000_0040).is_none());
    }

    #[test]
    fn reloaded_descriptor_replaces_and_unregister_forgets() {
        let a = module_at(0x7300_0000_0000, &[16]);
        register_module(a);
        assert!(lookup_code(0x7300_0000_0004).is_some());
        // The same descriptor address with other code (a reloaded object).
        let mut b = a;
        let moved = module_at(0x7300_0001_0000, &[16]);
        b.funcs = moved.funcs;
        register_module(b);
        assert!(lookup_code(0x7300_0000_0004).is_none());
        assert!(lookup_code(0x7300_0001_0004).is_some());
        unregister_module(a.desc);
        assert!(lookup_code(0x7300_0001_0004).is_none());
    }

    #[test]
    fn concurrent_registration_and_lookup() {
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                std::thread::spawn(move || {
                    for k in 0..50u64 {
                        let base = 0x7100_0000_0000 + (t * 1000 + k) * 0x100;
                        let m = module_at(base, &[0x10]);
                        register_module(m);
                        assert_eq!(lookup_code(base as usize + 3).map(|r| r.2), Some(3));
                        let def = Box::leak(Box::new(VMMemoryDefinition {
                            base: std::ptr::null_mut(),
                            current_length: 77,
                        }));
                        let mb = (0x7200_0000_0000 + (t * 1000 + k) * 0x1000) as *mut u8;
                        register_memory(mb, 0x1000, def);
                        assert_eq!(lookup_memory(mb as usize + 5), Some((5, 77)));
                        unregister_memory(mb);
                        assert_eq!(lookup_memory(mb as usize + 5), None);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
    }
}
