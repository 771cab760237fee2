//! The unwinder: from a throw to the handler that catches it.
//!
//! Phase: while the guest runs (the `throw_ref` libcall). Inputs: the
//! exception, the frame pointer of the throwing wasm function (compiled code
//! passes it, so the walk never depends on frame pointers in the runtime's
//! own frames), the code registry and the descriptor's call-site tables.
//! Output: a jump into the handler, or the uncaught-exception path.
//!
//! Walk: compiled code keeps frame pointers, so a wasm frame pointer `fp`
//! points at `[caller's fp, return address]` (s390x: the caller's back
//! chain at `fp`, the return address at `fp + RET_OFFSET`). The throwing function already
//! tried its own `try_table`s inline, so the search starts at its caller.
//! For a caller stopped at a return address with a [`CallSiteDesc`], each
//! handler is tried in order: `catch_all` matches anything; a tag handler
//! matches if the tag slot of the frame's own `vmctx` (stored in the frame
//! at the call site's context offset) holds the thrown tag. The walk stops
//! at the first return address outside compiled wasm code: the host entered
//! wasm there (array-call trampoline), so the exception is uncaught.
//!
//! Resuming: `sp = fp - frame_offset` (the stack pointer at the call), the
//! frame's `fp`, the exception pointer in the first exception payload
//! register, then a jump to the handler. Cranelift treats every register as
//! clobbered on the exceptional edge of a `try_call` to a `tail` callee, so
//! nothing else is restored. The frames skipped (wasm and the runtime's own,
//! this one included) own nothing that needs dropping.

use super::tags::{call_sites, handlers, tag_of};
use crate::traps::backtrace::RET_OFFSET;
use crate::traps::registry::lookup_code;
use kiln_abi::exceptions::{CATCH_ALL, NO_CONTEXT, UNCAUGHT_MESSAGE, VMException};

/// Most frames searched (a guard against a corrupt chain).
const MAX_FRAMES: usize = 1 << 20;

/// A handler found by the walk.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    /// Handler code address.
    pub pc: usize,
    /// Stack pointer to restore.
    pub sp: usize,
    /// Frame pointer to restore.
    pub fp: usize,
}

/// Finds the handler for `exn` among the callers of the wasm frame whose
/// frame pointer is `fp`.
///
/// # Safety
/// `fp` is the frame pointer of a live compiled wasm frame on this stack;
/// `exn` is a live exception object.
pub unsafe fn find_handler(exn: *const VMException, mut fp: usize) -> Option<Handler> {
    // SAFETY: the caller passes a live exception.
    let tag = unsafe { (*exn).tag };
    for _ in 0..MAX_FRAMES {
        if fp == 0 || !fp.is_multiple_of(std::mem::align_of::<usize>()) {
            return None;
        }
        // SAFETY: `fp` is a wasm frame pointer (checked by the registry
        // lookup of its return address on the previous step, or the
        // caller's contract for the first).
        let (caller_fp, ret) = unsafe {
            let p = fp as *const usize;
            (p.read(), p.byte_add(RET_OFFSET).read())
        };
        let (module, func, offset) = lookup_code(ret.checked_sub(1)?)?;
        let offset = offset + 1;
        let sites = call_sites(module, func);
        if let Ok(i) = sites.binary_search_by_key(&offset, |s| s.ret_offset) {
            let site = sites[i];
            let sp = caller_fp.wrapping_sub(site.frame_offset as usize);
            let all = handlers(module, func);
            let first = site.first_handler as usize;
            let list = all
                .get(first..first + site.num_handlers as usize)
                .unwrap_or(&[]);
            for h in list {
                let hit = if h.tag == CATCH_ALL {
                    true
                } else if site.context_offset == NO_CONTEXT {
                    false
                } else {
                    // SAFETY: the compiler stored the frame's vmctx at this
                    // offset from the call's stack pointer.
                    let vmctx =
                        unsafe { ((sp + site.context_offset as usize) as *const *const u8).read() };
                    // SAFETY: a live frame's own context.
                    std::ptr::eq(unsafe { tag_of(module, vmctx, h.tag) }, tag)
                };
                if hit {
                    let start = ret - offset as usize;
                    return Some(Handler {
                        pc: start + h.offset as usize,
                        sp,
                        fp: caller_fp,
                    });
                }
            }
        }
        if caller_fp <= fp {
            return None;
        }
        fp = caller_fp;
    }
    None
}

/// Throws `exn` from the wasm frame whose frame pointer is `fp`.
///
/// # Safety
/// As [`find_handler`]; called from the `throw_ref` libcall.
pub unsafe fn throw(exn: *const VMException, fp: usize) -> ! {
    // SAFETY: forwarded.
    match unsafe { find_handler(exn, fp) } {
        // SAFETY: the handler belongs to a live frame below us on this
        // stack, entered as Cranelift expects.
        Some(h) => unsafe { resume(h, exn as usize) },
        None => uncaught(),
    }
}

/// An exception reached the host. In an executable: as Wasmtime, the
/// context messages, the backtrace of the throw and `thrown Wasm exception`,
/// exit status 1 (it is not a trap). Under `kiln_runtime_embed`: the call returns
/// a trap without a wasm code and that message.
#[inline(never)]
fn uncaught() -> ! {
    // SAFETY: the frames between the embedder's catch and here are compiled
    // code and runtime frames that own nothing (the libcall path).
    unsafe { crate::traps::catch::raise(None, Some(UNCAUGHT_MESSAGE)) }
}

/// Jumps into a handler.
///
/// # Safety
/// `h` describes a handler of a live frame on this stack.
unsafe fn resume(h: Handler, payload: usize) -> ! {
    // SAFETY: guaranteed by the caller.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        std::arch::asm!(
            "mov rsp, {sp}",
            "mov rbp, {fp}",
            "jmp {pc}",
            sp = in(reg) h.sp,
            fp = in(reg) h.fp,
            pc = in(reg) h.pc,
            in("rax") payload,
            in("rdx") 0usize,
            options(noreturn),
        );
        #[cfg(target_arch = "aarch64")]
        std::arch::asm!(
            "mov sp, {sp}",
            "mov x29, {fp}",
            "br {pc}",
            sp = in(reg) h.sp,
            fp = in(reg) h.fp,
            pc = in(reg) h.pc,
            in("x0") payload,
            in("x1") 0usize,
            options(noreturn),
        );
        #[cfg(target_arch = "riscv64")]
        std::arch::asm!(
            "mv sp, {sp}",
            "mv s0, {fp}",
            "jr {pc}",
            sp = in(reg) h.sp,
            fp = in(reg) h.fp,
            pc = in(reg) h.pc,
            in("a0") payload,
            in("a1") 0usize,
            options(noreturn),
        );
        // No frame pointer register: the frame's back chain is in memory.
        #[cfg(target_arch = "s390x")]
        {
            let _ = h.fp;
            std::arch::asm!(
                "lgr %r15, {sp}",
                "br {pc}",
                sp = in(reg_addr) h.sp,
                pc = in(reg_addr) h.pc,
                in("r6") payload,
                in("r7") 0usize,
                options(noreturn),
            );
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            target_arch = "aarch64",
            target_arch = "riscv64",
            target_arch = "s390x"
        )))]
        compile_error!("exception resume is implemented for x86_64, aarch64, riscv64 and s390x");
    }
}
