//! `VMContext` blocks, with the last few large ones kept for the next
//! instance.
//!
//! Phase: instantiation and instance drop. Inputs: the block's layout.
//! Output: a zeroed block. A server builds an instance per request, whose
//! `VMContext` (a few KiB for a real component's module: one `VMFuncRef`
//! per function) is large enough that musl's allocator maps a fresh group
//! for it and unmaps it again when the instance is dropped: an `mmap`, a
//! `munmap` and their page faults per request. Freed blocks of at least
//! [`KEEP_FROM`] bytes are kept instead (at most [`KEPT`], process-wide:
//! instances are dropped on the thread that made them, but a thread that
//! exits must not strand its blocks) and handed out again, zeroed, for the
//! same layout. Invariant: a kept block is owned by the cache alone.

use std::alloc::Layout;
use std::ptr::NonNull;
use std::sync::Mutex;

/// Smallest block kept (smaller ones come from the allocator's own slabs).
const KEEP_FROM: usize = 4096;

/// Most blocks kept.
const KEPT: usize = 4;

/// Kept blocks: address and layout.
static CACHE: Mutex<Vec<(usize, Layout)>> = Mutex::new(Vec::new());

/// A zeroed block of `layout` (non-zero size), or `None` when out of memory.
pub fn alloc(layout: Layout) -> Option<NonNull<u8>> {
    if layout.size() >= KEEP_FROM {
        let kept = {
            let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
            let at = cache.iter().position(|(_, l)| *l == layout);
            at.map(|i| cache.swap_remove(i).0)
        };
        if let Some(addr) = kept {
            let p = addr as *mut u8;
            // SAFETY: the block was allocated with `layout` and given to
            // the cache by `free`, which no longer uses it; removed from
            // the cache, it is ours alone.
            unsafe { p.write_bytes(0, layout.size()) };
            return NonNull::new(p);
        }
    }
    // SAFETY: the caller's layout has a non-zero size.
    NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })
}

/// Frees (or keeps) a block from [`alloc`].
///
/// # Safety
/// `block` was returned by [`alloc`] with `layout`, and nothing uses it
/// any more.
pub unsafe fn free(block: NonNull<u8>, layout: Layout) {
    if layout.size() >= KEEP_FROM {
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() < KEPT {
            cache.push((block.as_ptr() as usize, layout));
            return;
        }
    }
    // SAFETY: as the caller guarantees.
    unsafe { std::alloc::dealloc(block.as_ptr(), layout) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_large_block_comes_back_zeroed_for_the_same_layout() {
        let layout = Layout::from_size_align(12_144, 16).expect("layout");
        let a = alloc(layout).expect("memory");
        // SAFETY: `a` is a fresh block of `layout.size()` bytes.
        unsafe { a.as_ptr().write_bytes(0xa5, layout.size()) };
        // SAFETY: from `alloc` with `layout`, unused from here on.
        unsafe { free(a, layout) };
        let b = alloc(layout).expect("memory");
        assert_eq!(a, b);
        // SAFETY: `b` is a block of `layout.size()` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(b.as_ptr(), layout.size()) };
        assert!(bytes.iter().all(|&x| x == 0));
        // A different layout does not take it.
        // SAFETY: from `alloc` with `layout`, unused from here on.
        unsafe { free(b, layout) };
        let other = Layout::from_size_align(12_160, 16).expect("layout");
        let c = alloc(other).expect("memory");
        assert_ne!(c, b);
        // SAFETY: from `alloc` with `other`, unused from here on (`b` is
        // the cache's).
        unsafe { free(c, other) };
    }
}
