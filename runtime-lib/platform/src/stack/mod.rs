//! Thread stacks: where the calling thread's stack lies and how far the
//! main thread's may grow, for the wasm stack limit (`kiln-vm`'s
//! `stack.rs` decides the policy; this module only measures).
//!
//! Inputs: the calling thread, a stack pointer of its. Outputs: addresses
//! and byte counts, or `None` where the OS cannot tell (the caller then
//! takes the safe path: a dedicated guest thread, or no clamp).

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as os;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;

/// How far the main thread's stack may still grow below a stack pointer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Room {
    /// No limit (Linux: `ulimit -s unlimited`).
    Unlimited,
    /// At most this many bytes.
    Bytes(u64),
    /// The OS cannot tell.
    Unknown,
}

/// How far the calling thread, which must be the process's main thread,
/// can grow its stack below `sp` (a stack pointer of its own).
///
/// Linux: the stack's end (found without reading `/proc`, which cost more
/// than the rest of start-up) and `RLIMIT_STACK`. Windows: the thread's
/// reserved stack, fixed by the executable's header.
pub fn main_thread_room(sp: usize) -> Room {
    os::main_thread_room(sp)
}

/// The usable extent `[low, high)` of the calling thread's stack (above
/// its guard), cached per thread; `None` if the OS cannot tell.
pub fn thread_bounds() -> Option<(usize, usize)> {
    thread_local! {
        static BOUNDS: std::cell::Cell<Option<(usize, usize)>> =
            const { std::cell::Cell::new(None) };
    }
    if let Some(bounds) = BOUNDS.with(std::cell::Cell::get) {
        return Some(bounds);
    }
    let bounds = os::thread_bounds()?;
    BOUNDS.with(|b| b.set(Some(bounds)));
    Some(bounds)
}

/// Whether the runtime's own (Rust) frames link through the frame-pointer
/// register, so that a walk from a host function follows the chain down
/// to the compiled code that called it. Linux: yes (the runtime is built
/// with `-C force-frame-pointers=yes`). Windows x64: no: LLVM may point
/// `rbp` anywhere inside a frame there (the unwind tables say where), so
/// host frames are crossed with the OS unwinder ([`unwind_host_frames`]).
pub const HOST_FRAMES_CHAIN: bool = os::HOST_FRAMES_CHAIN;

/// Unwinds host frames with the OS unwinder until the return address is
/// one `is_code` accepts (compiled wasm code); returns it and the frame
/// pointer register at that point (the compiled frame's, which links
/// through it). `from`: the `(pc, sp, fp)` of a host frame to start at
/// (a return address into host code, the stack pointer after that return,
/// the frame pointer the host code had), or `None` for the caller of this
/// function. `None` when no such frame is found within a bounded walk, or
/// where [`HOST_FRAMES_CHAIN`] holds (the caller walks the chain itself).
///
/// # Safety
/// `from` describes a live frame of the calling thread's stack.
pub unsafe fn unwind_host_frames(
    from: Option<(usize, usize, usize)>,
    is_code: &dyn Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    // SAFETY: the caller's contract.
    unsafe { os::unwind_host_frames(from, is_code) }
}

#[cfg(test)]
mod tests;
