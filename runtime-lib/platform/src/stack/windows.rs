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

pub const HOST_FRAMES_CHAIN: bool = false;

/// How many host frames a walk crosses at most.
const MAX_HOST_FRAMES: usize = 256;

pub unsafe fn unwind_host_frames(
    from: Option<(usize, usize, usize)>,
    is_code: &dyn Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    use windows_sys::Win32::System::Diagnostics::Debug::{
        CONTEXT, RtlCaptureContext, RtlLookupFunctionEntry, RtlVirtualUnwind, UNW_FLAG_NHANDLER,
    };
    // SAFETY: an all-zero CONTEXT is a valid value of the plain struct.
    let mut ctx: CONTEXT = unsafe { std::mem::zeroed() };
    match from {
        Some((pc, sp, fp)) => {
            ctx.Rip = pc as u64;
            ctx.Rsp = sp as u64;
            ctx.Rbp = fp as u64;
        }
        // SAFETY: fills `ctx` (16-byte aligned by its type) with this
        // thread's registers here.
        None => unsafe { RtlCaptureContext(&mut ctx) },
    }
    for _ in 0..MAX_HOST_FRAMES {
        let pc = ctx.Rip as usize;
        if pc == 0 {
            return None;
        }
        if is_code(pc) {
            return Some((pc, ctx.Rbp as usize));
        }
        let mut image_base = 0u64;
        // SAFETY: looks `pc` up in the loaded images' unwind tables.
        let entry =
            unsafe { RtlLookupFunctionEntry(ctx.Rip, &mut image_base, std::ptr::null_mut()) };
        if entry.is_null() {
            // A leaf function (no unwind data): the return address is at
            // the stack pointer.
            // SAFETY: `Rsp` points into the live stack (the caller's
            // contract for the first frame; the unwinder's result after).
            ctx.Rip = unsafe { (ctx.Rsp as *const u64).read() };
            ctx.Rsp += 8;
            continue;
        }
        let mut handler_data = std::ptr::null_mut();
        let mut establisher = 0u64;
        // SAFETY: `entry` is the function entry of `Rip` in `image_base`;
        // the unwinder reads the frame's saved registers from the live
        // stack and writes only `ctx` and the two outputs.
        unsafe {
            RtlVirtualUnwind(
                UNW_FLAG_NHANDLER,
                image_base,
                ctx.Rip,
                entry,
                &mut ctx,
                &mut handler_data,
                &mut establisher,
                std::ptr::null_mut(),
            );
        }
    }
    None
}
