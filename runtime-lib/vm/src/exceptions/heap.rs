//! The exception heap: where exception objects live, and the collector
//! that frees them once nothing can reach them.
//!
//! Phase: while the guest runs. [`alloc`] (the `exn_alloc` libcall) is the
//! only allocation point and the only place a collection starts. Inputs:
//! this thread's stack and callee-saved registers, the `exnref` globals and
//! tables of the instances registered on this thread, and the payloads of
//! live objects. Output: unreachable objects are freed.
//!
//! # The scheme: mark-sweep, conservative on the stack, per thread
//!
//! Kiln compiles without stack maps, so it cannot tell which stack slots of
//! a wasm frame hold an `exnref`. It does not need to: an `exnref` is the
//! address of its object, compiled code never hides or offsets it (payload
//! loads and stores use the base address plus an immediate), and the only
//! places a live one can be while `exn_alloc` runs are
//!
//! 1. the stack of this thread, between the collector's frame and the
//!    outermost wasm entry (wasm frames' spill slots, and the callee-saved
//!    registers that any frame below them saved in its prologue),
//! 2. the callee-saved registers themselves (values wasm keeps in them
//!    across the libcall call that no frame has saved yet); caller-saved
//!    registers are dead across the call,
//! 3. `exnref` globals and table elements of instances on this thread,
//! 4. the payload of another exception object.
//!
//! A collection treats every pointer-sized word of (1), (2) and (4) as a
//! possible reference (a word counts if it points anywhere inside an
//! object, so even a derived address would keep its object), and reads (3)
//! exactly. Everything reached is kept, everything else freed. The
//! scheme is sound because it over-approximates the roots; it is precise
//! enough because a stale word can only keep a bounded number of objects
//! alive (the scanned stack is finite and objects cannot form cycles:
//! payloads are written once, before the object is thrown, and can only
//! refer to objects that already existed). Memory therefore stays flat
//! however many exceptions a program throws.
//!
//! Invariant for future work: wasm runs only on its thread's own stack. If
//! wasm frames ever live on other stacks (fibers for component-model async
//! tasks), those stacks' ranges must be scanned too.
//!
//! Per thread: an `exnref` cannot cross threads (wasi-threads instances
//! share only linear memory, which holds no references), so each thread
//! has its own heap and scans only its own stack and its own instances. An
//! instance moved to another thread before it runs must be handed over
//! ([`unregister_instance`] on the old thread, [`register_instance`] on the
//! new one); instances are registered on the thread that creates them.
//! The heap, and every object left in it, is freed when the thread exits.
//!
//! Cost: a collection runs when the number of objects reaches a threshold
//! that is at least [`MIN_THRESHOLD`], twice the objects that survived the
//! last collection, and proportional to the stack it has to scan, so its
//! work (sorting the objects, scanning the roots, freeing) is a constant
//! per allocation. Without a wasm entry or a known stack extent (embedders
//! calling `exn_alloc` directly, targets whose registers it cannot read)
//! nothing is ever freed: sound, as before.

use crate::instance::Instance;
use kiln_abi::ValType;
use kiln_abi::exceptions::EXCEPTION_VALUES_OFFSET;
use std::alloc::Layout;
use std::cell::RefCell;

/// Objects allocated before the first collection, and the least number
/// between two (a few hundred KB of small objects).
pub const MIN_THRESHOLD: usize = 4096;

/// Stack words scanned per object of threshold: deep stacks collect less
/// often, so scanning them costs a constant per allocation.
const STACK_WORDS_PER_OBJECT: usize = 4;

/// One exception object: its address and allocation size.
#[derive(Clone, Copy, Debug)]
struct Object {
    addr: usize,
    size: usize,
}

impl Object {
    fn layout(self) -> Layout {
        Layout::from_size_align(self.size, 16).expect("layout checked at allocation")
    }
}

/// This thread's exception objects and roots.
#[derive(Debug)]
struct Heap {
    /// Every live (not yet freed) object; sorted by address right after a
    /// collection, new ones appended.
    objects: Vec<Object>,
    /// Collect when `objects.len()` reaches this.
    threshold: usize,
    /// Instances whose `exnref` globals and tables are roots.
    instances: Vec<*const Instance>,
    /// Scratch: the mark bit of each object during a collection.
    marks: Vec<bool>,
    /// Scratch: marked objects whose payloads are still to scan.
    work: Vec<usize>,
    /// Collections run so far (for tests).
    collections: u64,
}

impl Heap {
    const fn new() -> Heap {
        Heap {
            objects: Vec::new(),
            threshold: MIN_THRESHOLD,
            instances: Vec::new(),
            marks: Vec::new(),
            work: Vec::new(),
            collections: 0,
        }
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        // The thread is exiting: its instances are gone and no wasm runs.
        for obj in self.objects.drain(..) {
            // SAFETY: allocated by `alloc` with this layout, freed once
            // (drained from the only list that holds it).
            unsafe { std::alloc::dealloc(obj.addr as *mut u8, obj.layout()) };
        }
    }
}

thread_local! {
    static HEAP: RefCell<Heap> = const { RefCell::new(Heap::new()) };
}

/// Makes `instance`'s `exnref` globals and tables roots of this thread's
/// heap, if it has any. Called on the thread that will run it.
pub fn register_instance(instance: &Instance) {
    if !has_exn_roots(instance) {
        return;
    }
    let ptr: *const Instance = instance;
    // NB: `try_with`: during thread exit the heap may already be gone.
    let _ = HEAP.try_with(|h| {
        let mut h = h.borrow_mut();
        if !h.instances.contains(&ptr) {
            h.instances.push(ptr);
        }
    });
}

/// Removes `instance` from this thread's roots (it is being dropped or
/// handed to another thread).
pub fn unregister_instance(instance: &Instance) {
    let ptr: *const Instance = instance;
    let _ = HEAP.try_with(|h| h.borrow_mut().instances.retain(|i| *i != ptr));
}

fn has_exn_roots(instance: &Instance) -> bool {
    let m = instance.module();
    let exn = ValType::ExnRef as u32;
    let imported_globals = m.desc.num_imported_globals as usize;
    let imported_tables = m.desc.num_imported_tables as usize;
    m.globals
        .iter()
        .skip(imported_globals)
        .any(|g| g.val_type == exn)
        || m.tables
            .iter()
            .skip(imported_tables)
            .any(|t| t.elem_type == exn)
}

/// Allocates a zeroed exception object of `size` bytes (header included),
/// collecting first if the heap is due.
pub fn alloc(size: usize) -> *mut u8 {
    let layout = Layout::from_size_align(size, 16).expect("small exception object layout");
    HEAP.with(|h| {
        let mut h = h.borrow_mut();
        if h.objects.len() >= h.threshold {
            collect(&mut h);
        }
        // SAFETY: the layout has a non-zero size (the header).
        let p = unsafe { std::alloc::alloc_zeroed(layout) };
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        h.objects.push(Object {
            addr: p as usize,
            size,
        });
        p
    })
}

/// Objects currently allocated on this thread, and collections run.
pub fn stats() -> (usize, u64) {
    HEAP.with(|h| {
        let h = h.borrow();
        (h.objects.len(), h.collections)
    })
}

/// One collection (see the module docs).
#[inline(never)]
fn collect(h: &mut Heap) {
    let Some(top) = crate::stack::wasm_stack_top() else {
        // Not inside a wasm entry: roots unknown, keep everything.
        h.threshold = h.threshold.saturating_mul(2);
        return;
    };
    let Some(regs) = callee_saved_registers() else {
        h.threshold = usize::MAX;
        return;
    };
    h.collections += 1;
    h.objects.sort_unstable_by_key(|o| o.addr);
    let Heap {
        objects,
        marks,
        work,
        instances,
        ..
    } = h;
    marks.clear();
    marks.resize(objects.len(), false);
    work.clear();
    let mut marker = Marker {
        objects,
        marks,
        work,
    };

    // (2) registers, then (1) the stack from here up.
    for word in regs {
        marker.word(word);
    }
    let sp = crate::stack::current_sp();
    let stack_words = top.saturating_sub(sp) / size_of::<usize>();
    // SAFETY: `[sp, top)` is this thread's stack between a frame below
    // this one and the outermost wasm entry, inside the thread's stack
    // extent (`wasm_stack_top` clips it): mapped and readable. The words
    // belong to live frames (this one's callers) that are all suspended in
    // calls, so nothing writes them while they are read; they are read
    // as plain integers and never written.
    unsafe { marker.range(sp, top) };

    // (3) globals and tables of this thread's instances.
    for &instance in instances.iter() {
        // SAFETY: registered instances are live (unregistered on drop and
        // on hand-over) and belong to this thread, which is inside
        // `exn_alloc`: no other code uses them meanwhile.
        unsafe { marker.instance(&*instance) };
    }

    // (4) payloads of everything reached, transitively.
    while let Some(i) = marker.work.pop() {
        let obj = marker.objects[i];
        // SAFETY: a live object of `obj.size` bytes; its payload is
        // immutable once thrown and this thread is the only one using it.
        unsafe {
            marker.range(
                obj.addr + EXCEPTION_VALUES_OFFSET as usize,
                obj.addr + obj.size,
            )
        };
    }

    // Sweep: free the unmarked, keep the rest (still sorted).
    let mut kept = 0;
    for i in 0..objects.len() {
        let obj = objects[i];
        if marks[i] {
            objects[kept] = obj;
            kept += 1;
        } else {
            // SAFETY: allocated by `alloc` with this layout; unreachable
            // from every root, so no code can use it again; removed from
            // the list below so it is freed once.
            unsafe { std::alloc::dealloc(obj.addr as *mut u8, obj.layout()) };
        }
    }
    objects.truncate(kept);
    h.threshold = MIN_THRESHOLD
        .max(kept.saturating_mul(2))
        .max(stack_words / STACK_WORDS_PER_OBJECT);
}

/// The marking state of one collection.
struct Marker<'a> {
    /// Sorted by address.
    objects: &'a [Object],
    marks: &'a mut [bool],
    work: &'a mut Vec<usize>,
}

impl Marker<'_> {
    /// Marks the object `word` points into, if any.
    fn word(&mut self, word: usize) {
        let (Some(first), Some(last)) = (self.objects.first(), self.objects.last()) else {
            return;
        };
        if word < first.addr || word >= last.addr + last.size {
            return;
        }
        // The last object starting at or below `word`.
        let i = self.objects.partition_point(|o| o.addr <= word);
        let Some(i) = i.checked_sub(1) else { return };
        let obj = self.objects[i];
        if word < obj.addr + obj.size && !self.marks[i] {
            self.marks[i] = true;
            self.work.push(i);
        }
    }

    /// Marks through every aligned word of `[lo, hi)`.
    ///
    /// # Safety
    /// `[lo, hi)` must be readable and not written concurrently.
    unsafe fn range(&mut self, lo: usize, hi: usize) {
        let align = size_of::<usize>();
        let mut at = lo.next_multiple_of(align);
        while at + align <= hi {
            // SAFETY: inside the readable range (caller); volatile because
            // the words may belong to other frames the compiler knows
            // nothing about here.
            let word = unsafe { std::ptr::read_volatile(at as *const usize) };
            self.word(word);
            at += align;
        }
    }

    /// Marks through `instance`'s defined `exnref` globals and tables.
    ///
    /// # Safety
    /// `instance` is live and not used elsewhere during the call.
    unsafe fn instance(&mut self, instance: &Instance) {
        let m = instance.module();
        let exn = ValType::ExnRef as u32;
        for (index, g) in m.globals.iter().enumerate() {
            if (index as u32) < m.desc.num_imported_globals || g.val_type != exn {
                continue;
            }
            if let Some(slot) = instance.global(index as u32) {
                // SAFETY: a defined global's 16-byte storage in the live
                // instance's `VMContext`; the reference is its first word,
                // little-endian like every global value.
                self.word(usize::from_le(unsafe { slot.cast::<usize>().read() }));
            }
        }
        let imported = m.desc.num_imported_tables;
        for (index, t) in m.tables.iter().enumerate() {
            let Some(def_index) = (index as u32).checked_sub(imported) else {
                continue;
            };
            if t.elem_type != exn {
                continue;
            }
            let Some(def) = instance.defined_table_definition(def_index) else {
                continue;
            };
            // SAFETY: the live table's definition: `current_elements`
            // pointer-sized elements at `base`.
            unsafe {
                let def = &*def;
                let base = def.base as usize;
                let end = base + def.current_elements * size_of::<usize>();
                self.range(base, end);
            }
        }
    }
}

/// The callee-saved general-purpose registers of this thread's ABI, as
/// they are now (see the module docs, root 2); `None` on a target whose
/// registers this module cannot read (nothing is freed there).
#[inline(always)]
fn callee_saved_registers() -> Option<[usize; 12]> {
    #[allow(unused_mut, reason = "written only on targets with a register dump")]
    let mut regs = [0usize; 12];
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: stores six registers into the 12-word array; reads
        // nothing else and changes no register or flag.
        unsafe {
            std::arch::asm!(
                "mov [{0}], rbx",
                "mov [{0} + 8], rbp",
                "mov [{0} + 16], r12",
                "mov [{0} + 24], r13",
                "mov [{0} + 32], r14",
                "mov [{0} + 40], r15",
                in(reg) regs.as_mut_ptr(),
                options(nostack, preserves_flags),
            );
        }
        Some(regs)
    }
    #[cfg(target_arch = "aarch64")]
    {
        // SAFETY: stores x19..x29 (eleven registers) into the 12-word
        // array; reads nothing else and changes no register or flag.
        unsafe {
            std::arch::asm!(
                "stp x19, x20, [{0}]",
                "stp x21, x22, [{0}, #16]",
                "stp x23, x24, [{0}, #32]",
                "stp x25, x26, [{0}, #48]",
                "stp x27, x28, [{0}, #64]",
                "str x29, [{0}, #80]",
                in(reg) regs.as_mut_ptr(),
                options(nostack, preserves_flags),
            );
        }
        Some(regs)
    }
    #[cfg(target_arch = "riscv64")]
    {
        // SAFETY: stores s0..s11 (twelve registers) into the 12-word
        // array; reads nothing else and changes no register.
        unsafe {
            std::arch::asm!(
                "sd s0, 0({0})",
                "sd s1, 8({0})",
                "sd s2, 16({0})",
                "sd s3, 24({0})",
                "sd s4, 32({0})",
                "sd s5, 40({0})",
                "sd s6, 48({0})",
                "sd s7, 56({0})",
                "sd s8, 64({0})",
                "sd s9, 72({0})",
                "sd s10, 80({0})",
                "sd s11, 88({0})",
                in(reg) regs.as_mut_ptr(),
                options(nostack, preserves_flags),
            );
        }
        Some(regs)
    }
    #[cfg(target_arch = "s390x")]
    {
        // SAFETY: stores r6..r13 (eight registers) into the 12-word array;
        // reads nothing else and changes no register or condition code.
        unsafe {
            std::arch::asm!(
                "stmg %r6, %r13, 0({0})",
                in(reg_addr) regs.as_mut_ptr(),
                options(nostack, preserves_flags),
            );
        }
        Some(regs)
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "s390x"
    )))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::VMException;
    use super::*;

    #[test]
    fn objects_are_kept_without_a_wasm_entry() {
        // Outside wasm the roots are unknown: nothing may be freed.
        let before = stats().0;
        let ptrs: Vec<_> = (0..MIN_THRESHOLD + 10).map(|_| alloc(32)).collect();
        assert!(stats().0 >= before + ptrs.len());
    }

    #[test]
    fn unreachable_objects_are_freed_and_reachable_ones_kept() {
        std::thread::spawn(|| {
            let _entry = crate::stack::enter_wasm(|_| {});
            // Kept: its address stays in this frame.
            let kept = std::hint::black_box(alloc(32));
            // A chain: `inner` is (also) reachable through `outer`'s
            // payload. (Its address may stay on the stack too, so this
            // does not prove payloads are scanned; the run cases do.)
            let inner = alloc(32);
            let outer = std::hint::black_box(alloc(32));
            // SAFETY: 32-byte objects; the payload starts at 16.
            unsafe {
                outer
                    .add(EXCEPTION_VALUES_OFFSET as usize)
                    .cast::<usize>()
                    .write(inner as usize)
            };
            for _ in 0..4 * MIN_THRESHOLD {
                alloc(32);
            }
            let (live, collections) = stats();
            assert!(collections > 0);
            assert!(live < 2 * MIN_THRESHOLD, "{live} objects live");
            let h_has =
                |p: *mut u8| HEAP.with(|h| h.borrow().objects.iter().any(|o| o.addr == p as usize));
            assert!(h_has(std::hint::black_box(kept)));
            assert!(h_has(std::hint::black_box(outer)));
            assert!(h_has(inner));
        })
        .join()
        .expect("collector thread");
    }

    #[test]
    fn size_of_header_matches() {
        assert_eq!(size_of::<VMException>(), EXCEPTION_VALUES_OFFSET as usize);
    }
}
