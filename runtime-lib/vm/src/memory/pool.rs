//! Reuse of dropped linear memories (a server builds an instance per
//! request, and reserving, protecting, mapping the image and unmapping
//! again were a third of such a request's kernel time).
//!
//! Phase: instance tear-down ([`give`], from `Memory`'s `Drop`) and setup
//! ([`take`], from `Memory::new`). Inputs: a dropped [`Memory`]; the
//! [`MemoryDesc`] of a memory being made. Output: a [`Memory`] in the state
//! `Memory::new` would have made.
//!
//! Invariants:
//! - A pooled memory has had every accessible page discarded
//!   (`kiln_platform::vmem::discard`) when it was dropped: anonymous pages read zero
//!   again, and pages of an image mapped copy-on-write from the executable
//!   read the file's bytes again (its mapping stays). An image that was
//!   copied instead is copied again on reuse.
//! - It is reused only for a description equal in every field (same
//!   reservation, page size, limits and image), on the thread that dropped
//!   it; its accessible prefix is cut back to the new memory's initial size
//!   (inaccessible past it) first, so its guard faults and bounds are a fresh
//!   memory's.
//! - At most [`POOL_MAX`] per thread; a memory that finds the pool full,
//!   or that cannot be discarded, is unmapped as before.

use super::image::Installed;
use super::{Memory, host_page_size, round_up};
use kiln_abi::descriptor::MemoryDesc;
use std::cell::{Cell, RefCell};

/// Pooled memories per thread: a server process runs one instance at a
/// time, with a memory or two.
const POOL_MAX: usize = 4;

thread_local! {
    static POOL: RefCell<Vec<Memory>> = const { RefCell::new(Vec::new()) };
    /// Whether this thread ever pooled a memory. Checked first by [`take`]:
    /// the first touch of `POOL` registers its destructor, an allocation
    /// that every start-up would pay for a pool it never uses.
    static POOLED: Cell<bool> = const { Cell::new(false) };
}

/// Keeps `m` (being dropped) for a later memory of its description;
/// `false` if it was not kept (the caller unmaps it).
pub(super) fn give(m: &mut Memory) -> bool {
    let full = POOL
        .try_with(|p| p.borrow().len() >= POOL_MAX)
        .unwrap_or(true);
    if full {
        return false;
    }
    POOLED.set(true);
    // SAFETY: `[base, base + accessible)` is our own reservation's
    // read-write prefix, and nothing refers to it any more (the memory is
    // being dropped).
    if unsafe { kiln_platform::vmem::discard(m.base, m.accessible) }.is_err() {
        return false;
    }
    let kept = Memory {
        base: std::mem::replace(&mut m.base, std::ptr::null_mut()),
        ..*m
    };
    POOL.try_with(|p| p.borrow_mut().push(kept)).is_ok()
}

/// A pooled memory for `desc`, at its initial size with its initial
/// contents (`max_pages`: the limit `Memory::new` computed), if one is
/// kept.
pub(super) fn take(desc: &MemoryDesc, max_pages: u64) -> Option<Memory> {
    if !POOLED.get() {
        return None;
    }
    let mut m = POOL
        .try_with(|p| {
            let mut p = p.borrow_mut();
            let i = p.iter().position(|m| m.desc == *desc)?;
            Some(p.swap_remove(i))
        })
        .ok()
        .flatten()?;
    let need = round_up(
        desc.min_pages << desc.page_size_log2,
        host_page_size() as u64,
    ) as usize;
    if m.accessible > need {
        // SAFETY: `[need, accessible)` lies inside our own reservation.
        let cut = unsafe {
            kiln_platform::vmem::make_inaccessible(m.base.add(need), m.accessible - need)
        };
        if cut.is_err() {
            return None;
        }
        m.accessible = need;
    }
    m.pages = 0;
    m.max_pages = max_pages;
    m.grow(desc.min_pages)?;
    if m.image == Some(Installed::Copied) {
        // SAFETY: `Memory::new` checked the image range against this
        // description's initial size when it first copied it; the image
        // is `image_len` readable bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(
                desc.image as usize as *const u8,
                m.base.add(desc.image_offset as usize),
                desc.image_len as usize,
            );
        }
    }
    Some(m)
}
