//! [`super`] on Windows: `GetCurrentThreadStackLimits` and
//! `SetThreadStackGuarantee`.
//!
//! A Windows thread's stack is reserved whole when the thread starts (the
//! main thread's size comes from the executable's header); its lowest
//! pages are the guard that grows the committed part, and below them the
//! last page stays reserved. What the thread can use is its reservation
//! minus that guard and the stack guarantee (the stack the OS keeps for a
//! stack-overflow exception's handler).

use super::Room;
use windows_sys::Win32::System::Threading::{GetCurrentThreadStackLimits, SetThreadStackGuarantee};

/// Pages below a thread's usable stack that it never gets: the last
/// reserved page and the growing guard (1 page, 2 with the guarantee's
/// rounding).
const GUARD_PAGES: usize = 3;

pub fn main_thread_room(sp: usize) -> Room {
    match thread_bounds() {
        Some((low, _)) => Room::Bytes(sp.saturating_sub(low) as u64),
        None => Room::Unknown,
    }
}

pub fn thread_bounds() -> Option<(usize, usize)> {
    let (mut low, mut high) = (0usize, 0usize);
    // SAFETY: two valid out-pointers.
    unsafe { GetCurrentThreadStackLimits(&mut low, &mut high) };
    if low == 0 || high <= low {
        return None;
    }
    let mut guarantee = 0u32;
    // SAFETY: a valid in/out pointer; 0 asks for the current value without
    // changing it.
    let ok = unsafe { SetThreadStackGuarantee(&mut guarantee) } != 0;
    let guarantee = if ok { guarantee as usize } else { 0 };
    let page = crate::vmem::page_size();
    Some((low + GUARD_PAGES * page + guarantee, high))
}
