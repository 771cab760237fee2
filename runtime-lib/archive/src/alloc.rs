//! The executable's global allocator: the C library's `malloc` with a
//! per-thread cache of small freed blocks in front of it.
//!
//! Phase: the whole run. Inputs: the runtime's allocations (a server's
//! requests make hundreds of small ones: `hyper`'s buffers and headers,
//! handle-table entries, tasks). Output: memory from `malloc`, reused.
//!
//! Why: musl's `malloc` (every static executable's) takes a lock and
//! walks its slot bitmaps on every call; in a WASI 0.3 server at load a
//! tenth of the process's time went to `malloc` and `free`. Freed small
//! blocks now wait in a free list per size class and thread, so a request
//! mostly reuses the blocks the previous one freed. And a class block that
//! no list can give is first carved from a static arena (a bump of an
//! atomic counter): a program's start-up allocations, each of which
//! musl's `malloc` set up slots for, cost a fifth of a hello world's
//! instructions.
//!
//! Invariants:
//! - a block of class `c` (alignment at most [`MAX_ALIGN`], size at most
//!   [`MAX_CACHED`]) is always `malloc`ed with the class's whole size, so
//!   any freed block of the class serves any request of the class, on any
//!   thread;
//! - every other block goes to `malloc`/`posix_memalign`/`free`/`realloc`
//!   untouched;
//! - a block of the arena ([`ARENA_BYTES`], in `.bss`: untouched pages
//!   cost nothing) is a class block like any other, handed out once by the
//!   bump and never given to `free`: when its list is full it is dropped
//!   (leaked: the arena is bounded);
//! - a list holds at most [`LIST_CAP`] blocks ([`BIG_LIST_CAP`] above
//!   512 bytes; the rest go back to `free`), so the cache keeps at most
//!   about 200 KiB per thread; a
//!   thread's list is not returned when the thread ends (bounded, and
//!   wasi-threads live as long as the process);
//! - the lists are thread-local cells with constant initializers and no
//!   destructor: no allocation, lock or registration on their first use.
//!   A signal handler never allocates (`kiln_vm`'s invariant), so no list
//!   is re-entered mid-update.

use kiln_platform::heap;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::{Cell, UnsafeCell};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Largest alignment the classes serve (what `malloc` guarantees).
const MAX_ALIGN: usize = heap::MALLOC_ALIGN;
/// Largest size the classes serve.
const MAX_CACHED: usize = 8192;
/// Classes: 16, 32, 64, ... 8192 bytes.
const CLASSES: usize = 10;
/// Blocks one list keeps at most: [`LIST_CAP`] for classes up to 512
/// bytes, [`BIG_LIST_CAP`] above (`hyper`'s buffers and the like).
const LIST_CAP: u32 = 64;
/// See [`LIST_CAP`].
const BIG_LIST_CAP: u32 = 8;

/// Bytes of the start-up arena (see the module docs): a hello world's
/// allocations take about a tenth of it.
pub(crate) const ARENA_BYTES: usize = 64 * 1024;

#[repr(C, align(16))]
struct Arena(UnsafeCell<[u8; ARENA_BYTES]>);

// SAFETY: the bytes are only reached through `arena_alloc`, whose atomic
// bump hands out each range once; a range belongs to the block's owner.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new([0; ARENA_BYTES]));
/// Bytes of [`ARENA`] handed out (may pass [`ARENA_BYTES`] once full).
static ARENA_USED: AtomicUsize = AtomicUsize::new(0);

/// A fresh `size`-byte block of the arena (16-aligned: sizes are class
/// sizes), or null once it is used up.
fn arena_alloc(size: usize) -> *mut u8 {
    if ARENA_USED.load(Ordering::Relaxed) >= ARENA_BYTES {
        return ptr::null_mut();
    }
    let at = ARENA_USED.fetch_add(size, Ordering::Relaxed);
    if at + size > ARENA_BYTES {
        return ptr::null_mut();
    }
    // SAFETY: `at..at + size` lies in the arena and no other call got it.
    unsafe { ARENA.0.get().cast::<u8>().add(at) }
}

/// Whether `p` is a block of the arena.
pub(crate) fn in_arena(p: *const u8) -> bool {
    let base = ARENA.0.get() as usize;
    (base..base + ARENA_BYTES).contains(&(p as usize))
}

/// One size class's free list: blocks linked through their first word.
struct List {
    head: Cell<*mut u8>,
    len: Cell<u32>,
}

impl List {
    const fn new() -> List {
        List {
            head: Cell::new(ptr::null_mut()),
            len: Cell::new(0),
        }
    }
}

thread_local! {
    static LISTS: [List; CLASSES] = const {
        [const { List::new() }; CLASSES]
    };
}

/// The class of `layout`, if it has one.
pub(crate) fn class(layout: Layout) -> Option<usize> {
    if layout.align() > MAX_ALIGN || layout.size() > MAX_CACHED {
        return None;
    }
    let size = layout.size().max(16).next_power_of_two();
    Some(size.trailing_zeros() as usize - 4)
}

/// The byte size of class `c`.
pub(crate) fn class_size(c: usize) -> usize {
    16 << c
}

/// The global allocator (see the module comment).
pub struct CachingMalloc;

// SAFETY: every block handed out is either fresh from `malloc` (with at
// least the layout's size and `malloc`'s 16-byte alignment, which covers
// every cached class) or a block of the same class freed earlier and no
// longer in use; a block is on at most one list (it is pushed only by
// `dealloc`, which the caller calls once per block).
unsafe impl GlobalAlloc for CachingMalloc {
    // Out of line: inlined into every allocation site of the runtime it
    // added 6% to a hello world's executable.
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        allocate(layout, false)
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        allocate(layout, true)
    }

    // Out of line: inlined into every allocation site of the runtime it
    // added 6% to a hello world's executable.
    #[inline(never)]
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if let Some(c) = class(layout) {
            let kept = LISTS
                .try_with(|lists| {
                    let l = &lists[c];
                    let cap = if c <= 5 { LIST_CAP } else { BIG_LIST_CAP };
                    if l.len.get() >= cap {
                        return false;
                    }
                    // SAFETY: `p` is a block of this class (the caller's
                    // layout is the one it was allocated with), no longer
                    // in use: its first word becomes the link.
                    unsafe { p.cast::<*mut u8>().write(l.head.get()) };
                    l.head.set(p);
                    l.len.set(l.len.get() + 1);
                    true
                })
                .unwrap_or(false);
            if kept || in_arena(p) {
                return;
            }
        }
        // SAFETY: `p` came from `heap::alloc` (any layout of its
        // alignment frees it) or `heap::aligned_alloc` with `layout`.
        unsafe { heap::free(p, layout) }
    }

    // Out of line: inlined into every allocation site of the runtime it
    // added 6% to a hello world's executable.
    #[inline(never)]
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = class(layout);
        // SAFETY: the caller's contract: `new_size` is non-zero and, with
        // the old alignment, a valid layout size.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = class(new_layout);
        match (old, new) {
            // Still fits the block's class.
            (Some(a), Some(b)) if a == b => p,
            // Neither side cached and `malloc`'s alignment: the C library
            // may grow in place.
            // SAFETY: `p` came from `heap::alloc` (alignment at most 16)
            // for `layout.size()` bytes.
            (None, None) if layout.align() <= MAX_ALIGN => unsafe {
                heap::realloc(p, layout.size(), new_size)
            },
            _ => {
                // SAFETY: the caller's contract (a valid new layout).
                let q = unsafe { self.alloc(new_layout) };
                if !q.is_null() {
                    // SAFETY: both blocks are live, distinct, and at least
                    // the smaller size long.
                    unsafe { ptr::copy_nonoverlapping(p, q, layout.size().min(new_size)) };
                    // SAFETY: `p` with its own layout, once.
                    unsafe { self.dealloc(p, layout) };
                }
                q
            }
        }
    }
}

/// [`GlobalAlloc::alloc`], or `alloc_zeroed` if `zeroed`. Fresh arena
/// memory was never written (the arena only grows) and `calloc` knows which
/// of its memory is still zero (fresh pages), so only a recycled block is
/// cleared: a program's `VMContext` and tables come zeroed without a
/// `memset` over them at start-up.
#[inline(always)]
fn allocate(layout: Layout, zeroed: bool) -> *mut u8 {
    let Some(c) = class(layout) else {
        if zeroed && layout.align() <= MAX_ALIGN {
            return heap::alloc_zeroed(layout.size());
        }
        let p = big_alloc(layout);
        if zeroed && !p.is_null() {
            // SAFETY: a fresh block of `layout.size()` bytes.
            unsafe { p.write_bytes(0, layout.size()) };
        }
        return p;
    };
    let cached = pop(c);
    if !cached.is_null() {
        if zeroed {
            // SAFETY: a recycled block of this class, at least
            // `layout.size()` bytes.
            unsafe { cached.write_bytes(0, layout.size()) };
        }
        return cached;
    }
    let fresh = arena_alloc(class_size(c));
    if !fresh.is_null() {
        return fresh;
    }
    if zeroed {
        heap::alloc_zeroed(class_size(c))
    } else {
        heap::alloc(class_size(c))
    }
}

/// A recycled block of class `c` from this thread's list, or null.
fn pop(c: usize) -> *mut u8 {
    LISTS
        .try_with(|lists| {
            let l = &lists[c];
            let head = l.head.get();
            if head.is_null() {
                return head;
            }
            // SAFETY: `head` is a freed block of this class (at least
            // 16 bytes, 16-aligned) whose first word links the list;
            // only this thread reaches the list.
            l.head.set(unsafe { head.cast::<*mut u8>().read() });
            l.len.set(l.len.get() - 1);
            head
        })
        .unwrap_or(ptr::null_mut())
}

/// A block with no class: `malloc`, or `posix_memalign` for alignments
/// above `malloc`'s.
fn big_alloc(layout: Layout) -> *mut u8 {
    if layout.align() <= MAX_ALIGN {
        return heap::alloc(layout.size());
    }
    heap::aligned_alloc(layout)
}
