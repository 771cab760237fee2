//! The C library's heap, for the executable's global allocator (which
//! puts a per-thread cache in front of it).
//!
//! Phase: the whole run. Inputs: sizes and layouts. Outputs: blocks.
//!
//! Linux: `malloc`, `calloc`, `realloc`, `posix_memalign` and `free` of
//! the C library (musl in static executables). Windows: the process heap
//! through Rust's `System` allocator (what the C runtime's `malloc` also
//! uses), which needs the layout again to free a block aligned above 16.
//!
//! Invariant: a block from [`alloc`] or [`alloc_zeroed`] (alignment at
//! most [`MALLOC_ALIGN`]) may be freed with any layout of that alignment
//! or less and any size, as `free` allows; [`aligned_alloc`]'s blocks are
//! freed with the layout they were allocated with.

use std::alloc::Layout;

/// The alignment every [`alloc`] block has.
pub const MALLOC_ALIGN: usize = 16;

/// A block of `size` (non-zero) bytes aligned to [`MALLOC_ALIGN`], or null.
pub fn alloc(size: usize) -> *mut u8 {
    #[cfg(unix)]
    // SAFETY: plain `malloc`.
    return unsafe { libc::malloc(size).cast() };
    #[cfg(windows)]
    match Layout::from_size_align(size, MALLOC_ALIGN) {
        // SAFETY: a non-zero size (the caller's contract).
        Ok(l) => unsafe { std::alloc::GlobalAlloc::alloc(&std::alloc::System, l) },
        Err(_) => std::ptr::null_mut(),
    }
}

/// [`alloc`], zeroed.
pub fn alloc_zeroed(size: usize) -> *mut u8 {
    #[cfg(unix)]
    // SAFETY: plain `calloc`.
    return unsafe { libc::calloc(1, size).cast() };
    #[cfg(windows)]
    match Layout::from_size_align(size, MALLOC_ALIGN) {
        // SAFETY: a non-zero size (the caller's contract).
        Ok(l) => unsafe { std::alloc::GlobalAlloc::alloc_zeroed(&std::alloc::System, l) },
        Err(_) => std::ptr::null_mut(),
    }
}

/// A block for `layout` (alignment above [`MALLOC_ALIGN`]), or null.
pub fn aligned_alloc(layout: Layout) -> *mut u8 {
    #[cfg(unix)]
    {
        let mut out = std::ptr::null_mut();
        // SAFETY: `align` is a power of two and a multiple of the pointer
        // size (it is above 16).
        let r = unsafe { libc::posix_memalign(&mut out, layout.align(), layout.size()) };
        if r == 0 {
            out.cast()
        } else {
            std::ptr::null_mut()
        }
    }
    #[cfg(windows)]
    // SAFETY: a valid layout of non-zero size (the caller's contract).
    unsafe {
        std::alloc::GlobalAlloc::alloc(&std::alloc::System, layout)
    }
}

/// Grows or shrinks `p` (from [`alloc`], allocated for `old_size` bytes
/// or fewer) to `new_size` bytes, or returns null (and `p` stays).
///
/// # Safety
/// `p` came from [`alloc`] or [`alloc_zeroed`] and is live.
pub unsafe fn realloc(p: *mut u8, old_size: usize, new_size: usize) -> *mut u8 {
    #[cfg(unix)]
    {
        let _ = old_size;
        // SAFETY: the caller's contract.
        unsafe { libc::realloc(p.cast(), new_size).cast() }
    }
    #[cfg(windows)]
    // SAFETY: the caller's contract; `System` reallocates blocks of
    // alignment 16 whatever size they were asked with.
    unsafe {
        let old = Layout::from_size_align_unchecked(old_size.max(1), MALLOC_ALIGN);
        std::alloc::GlobalAlloc::realloc(&std::alloc::System, p, old, new_size)
    }
}

/// Frees `p`, allocated with `layout` (for an [`alloc`] block: any layout
/// of alignment at most [`MALLOC_ALIGN`]).
///
/// # Safety
/// `p` came from this module's allocation functions, is live, and is not
/// used afterwards.
pub unsafe fn free(p: *mut u8, layout: Layout) {
    #[cfg(unix)]
    {
        let _ = layout;
        // SAFETY: the caller's contract.
        unsafe { libc::free(p.cast()) }
    }
    #[cfg(windows)]
    // SAFETY: the caller's contract; `System` frees a block of alignment
    // 16 or less whatever size it was asked with.
    unsafe {
        let layout = if layout.align() <= MALLOC_ALIGN {
            Layout::from_size_align_unchecked(layout.size().max(1), MALLOC_ALIGN)
        } else {
            layout
        };
        std::alloc::GlobalAlloc::dealloc(&std::alloc::System, p, layout)
    }
}

#[cfg(test)]
mod tests;
