//! [`super`] on Linux: `sigaction` (`SA_SIGINFO | SA_ONSTACK |
//! SA_NODEFER`) for `SIGSEGV`, `SIGBUS`, `SIGILL` and `SIGFPE`, and an
//! alternate signal stack per thread (`sigaltstack`), so the handler also
//! runs when the fault is a stack overflow.
//!
//! A signal the runtime's handler declines, or one that did not come from
//! the kernel (`kill`, `raise`), gets its default action back: a
//! synchronous fault simply recurs when the handler returns, and dumps
//! core as it would without Kiln; a sent one is raised again.

use super::{Fault, FaultKind, Handler, ResumeFn};
use std::ffi::c_void;
use std::io;
use std::sync::OnceLock;

/// Signals that compiled code raises.
const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

/// Size of each thread's alternate signal stack.
pub const ALT_STACK_SIZE: usize = 64 * 1024;

/// The runtime's handler, set once by [`install`].
static HANDLER: OnceLock<Handler> = OnceLock::new();

pub fn install(handler: Handler) -> io::Result<()> {
    static RESULT: OnceLock<Result<(), (i32, i32)>> = OnceLock::new();
    let result = RESULT.get_or_init(|| {
        let _ = HANDLER.set(handler);
        for sig in SIGNALS {
            // SAFETY: a zeroed `sigaction` is a valid starting value; the
            // handler has the `SA_SIGINFO` signature.
            let rc = unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_signal as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(sig, &sa, std::ptr::null_mut())
            };
            if rc != 0 {
                let errno = io::Error::last_os_error().raw_os_error().unwrap_or(0);
                return Err((sig, errno));
            }
        }
        Ok(())
    });
    result.map_err(|(sig, errno)| {
        let e = io::Error::from_raw_os_error(errno);
        io::Error::new(
            e.kind(),
            format!("failed to install the trap handler for signal {sig}: {e}"),
        )
    })
}

/// An alternate signal stack this module mapped for the calling thread:
/// the whole mapping, guard page included. Dropped when the thread exits
/// (thread-local destructor): the stack is disabled, then unmapped, so a
/// process that runs many short-lived threads (wasi-threads) does not keep
/// one mapping per thread it ever ran.
#[derive(Debug)]
struct AltStack {
    mapping: *mut c_void,
    len: usize,
    /// The installed stack (the mapping above its guard page).
    stack: *mut c_void,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        // SAFETY: querying the current alternate stack into a zeroed struct.
        let mut current: libc::stack_t = unsafe { std::mem::zeroed() };
        // SAFETY: `current` is a valid out-pointer.
        if unsafe { libc::sigaltstack(std::ptr::null(), &mut current) } != 0 {
            return;
        }
        if current.ss_flags & libc::SS_DISABLE == 0 && current.ss_sp == self.stack {
            let disable = libc::stack_t {
                ss_sp: std::ptr::null_mut(),
                ss_flags: libc::SS_DISABLE,
                ss_size: 0,
            };
            // SAFETY: no signal handler is running on this stack (a
            // thread-local destructor or `init_thread` is not a handler),
            // so the kernel accepts disabling it.
            if unsafe { libc::sigaltstack(&disable, std::ptr::null_mut()) } != 0 {
                // Still installed: keeping it mapped is the safe choice.
                return;
            }
        }
        // SAFETY: the kernel no longer delivers signals onto the stack, so
        // nothing refers to the mapping any more: it was made for this
        // thread alone, and `mapping..mapping+len` is exactly what `mmap`
        // returned.
        let rc = unsafe { libc::munmap(self.mapping, self.len) };
        // Tests check that the stack really went (see `tests::UNMAPPED`).
        #[cfg(test)]
        if rc == 0 {
            super::tests::UNMAPPED
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(self.stack as usize);
        }
        let _ = rc;
    }
}

thread_local! {
    /// The calling thread's alternate signal stack, if this module made it.
    static ALT_STACK: std::cell::RefCell<Option<AltStack>> = const { std::cell::RefCell::new(None) };
}

/// The calling thread's alternate signal stack, if one is enabled: its
/// base and size.
#[cfg(test)]
pub fn current_alt_stack() -> Option<(usize, usize)> {
    // SAFETY: querying into a zeroed struct.
    let mut st: libc::stack_t = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a valid out-pointer.
    let rc = unsafe { libc::sigaltstack(std::ptr::null(), &mut st) };
    (rc == 0 && st.ss_flags & libc::SS_DISABLE == 0).then_some((st.ss_sp as usize, st.ss_size))
}

pub fn init_thread(unmap_at_exit: bool) -> io::Result<()> {
    // SAFETY: querying the current alternate stack into a zeroed struct.
    let mut old: libc::stack_t = unsafe { std::mem::zeroed() };
    // SAFETY: `old` is a valid out-pointer.
    if unsafe { libc::sigaltstack(std::ptr::null(), &mut old) } == 0
        && old.ss_flags & libc::SS_DISABLE == 0
        && old.ss_size >= ALT_STACK_SIZE
    {
        return Ok(());
    }
    let page = crate::vmem::page_size();
    let len = ALT_STACK_SIZE + page;
    let fail = |what: &str| {
        let e = io::Error::last_os_error();
        io::Error::new(e.kind(), format!("{what}: {e}"))
    };
    // SAFETY: a fresh anonymous mapping; the lowest page stays PROT_NONE as
    // a guard.
    let mapping = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if mapping == libc::MAP_FAILED {
        return Err(fail("failed to allocate a signal stack"));
    }
    // SAFETY: `page` is inside the fresh mapping of `len` bytes.
    let stack = unsafe { mapping.cast::<u8>().add(page) };
    // SAFETY: the range is the mapping's part above the guard page.
    let rc = unsafe {
        libc::mprotect(
            stack.cast(),
            ALT_STACK_SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
        )
    };
    if rc != 0 {
        let e = fail("failed to allocate a signal stack");
        // SAFETY: the mapping is ours and was never handed out.
        unsafe { libc::munmap(mapping, len) };
        return Err(e);
    }
    let new = libc::stack_t {
        ss_sp: stack.cast(),
        ss_flags: 0,
        ss_size: ALT_STACK_SIZE,
    };
    // SAFETY: `new` describes the read-write part of our mapping.
    if unsafe { libc::sigaltstack(&new, std::ptr::null_mut()) } != 0 {
        let e = fail("failed to install a signal stack");
        // SAFETY: the kernel refused the stack, so nothing refers to it.
        unsafe { libc::munmap(mapping, len) };
        return Err(e);
    }
    if !unmap_at_exit {
        return Ok(());
    }
    let kept = ALT_STACK.try_with(|s| {
        // A previous stack of ours was disabled or replaced by someone
        // else; it is no longer the thread's stack, so it can go.
        drop(s.replace(Some(AltStack {
            mapping,
            len,
            stack: stack.cast(),
        })));
    });
    // NB: during thread teardown (the thread-local already destroyed) the
    // stack stays mapped: it is installed, and the thread is about to end.
    let _ = kept;
    Ok(())
}

pub fn wait_forever() -> ! {
    loop {
        // SAFETY: `pause` only waits for a signal; async-signal-safe.
        unsafe { libc::pause() };
    }
}

pub fn exit_now(status: i32) -> ! {
    // SAFETY: `_exit` is async-signal-safe and ends the process.
    unsafe { libc::_exit(status) }
}

/// Program counter and frame pointer of a signal context: the pc of the
/// faulting instruction, and the frame pointer (s390x: the stack pointer).
///
/// # Safety
/// `ctx` must be the `ucontext_t` passed to an `SA_SIGINFO` handler.
unsafe fn registers(sig: libc::c_int, ctx: *mut c_void) -> (usize, usize) {
    let uc = ctx.cast::<libc::ucontext_t>();
    // Only s390x's pc depends on the signal.
    let _ = sig;
    // SAFETY: guaranteed by the caller.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        {
            let gregs = &(*uc).uc_mcontext.gregs;
            (
                gregs[libc::REG_RIP as usize] as usize,
                gregs[libc::REG_RBP as usize] as usize,
            )
        }
        #[cfg(target_arch = "aarch64")]
        {
            let mc = &(*uc).uc_mcontext;
            (mc.pc as usize, mc.regs[29] as usize)
        }
        #[cfg(target_arch = "riscv64")]
        {
            let gregs = &(*uc).uc_mcontext.__gregs;
            (gregs[0] as usize, gregs[8] as usize)
        }
        #[cfg(target_arch = "s390x")]
        {
            // SIGILL and SIGFPE report the address after the instruction,
            // SIGSEGV and SIGBUS the instruction's own; Cranelift registers
            // traps of the first kind on the instruction's last byte.
            let mc = &(*uc).uc_mcontext;
            let late = usize::from(sig == libc::SIGILL || sig == libc::SIGFPE);
            (
                (mc.psw.addr as usize).wrapping_sub(late),
                mc.gregs[15] as usize,
            )
        }
    }
}

/// s390x: the general registers of a signal context.
///
/// # Safety
/// `ctx` as for [`registers`], still live.
#[cfg(target_arch = "s390x")]
pub unsafe fn general_registers(ctx: *mut c_void) -> [u64; 16] {
    // SAFETY: guaranteed by the caller; the context belongs to this
    // thread, stopped in the handler, so nothing writes it meanwhile.
    unsafe { (*ctx.cast::<libc::ucontext_t>()).uc_mcontext.gregs }
}

/// Makes the interrupted context continue in `f(a0, a1)` when the signal
/// handler returns: its pc and first two argument registers.
///
/// # Safety
/// `ctx` must be the live `ucontext_t` of an `SA_SIGINFO` handler.
pub unsafe fn resume_at(ctx: *mut c_void, f: ResumeFn, a0: usize, a1: u32) {
    let pc = f as *const () as usize;
    // SAFETY: per this function's contract: the context is this thread's,
    // stopped in its handler, and only this handler writes it.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        {
            let gregs = &mut (*ctx.cast::<libc::ucontext_t>()).uc_mcontext.gregs;
            gregs[libc::REG_RIP as usize] = pc as i64;
            gregs[libc::REG_RDI as usize] = a0 as i64;
            gregs[libc::REG_RSI as usize] = i64::from(a1);
        }
        #[cfg(target_arch = "aarch64")]
        {
            let mc = &mut (*ctx.cast::<libc::ucontext_t>()).uc_mcontext;
            mc.pc = pc as u64;
            mc.regs[0] = a0 as u64;
            mc.regs[1] = u64::from(a1);
        }
        #[cfg(target_arch = "s390x")]
        {
            // Arguments in r2/r3.
            let mc = &mut (*ctx.cast::<libc::ucontext_t>()).uc_mcontext;
            mc.psw.addr = pc as u64;
            mc.gregs[2] = a0 as u64;
            mc.gregs[3] = u64::from(a1);
        }
        #[cfg(target_arch = "riscv64")]
        {
            // Arguments in a0/a1 (x10/x11); `__gregs[0]` is the pc.
            let gregs = &mut (*ctx.cast::<libc::ucontext_t>()).uc_mcontext.__gregs;
            gregs[0] = pc as libc::c_ulong;
            gregs[10] = a0 as libc::c_ulong;
            gregs[11] = libc::c_ulong::from(a1);
        }
    }
}

unsafe extern "C" fn on_signal(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext.
    let (pc, fp) = unsafe { registers(sig, ctx) };
    // SAFETY: as above.
    let si_code = unsafe { (*info).si_code };
    // NB: s390x's kernel reports the data exception of a compare-and-trap
    // instruction (Cranelift's conditional traps, e.g. the stack check) as
    // SIGFPE with `si_code` 0, which is otherwise `SI_USER`.
    let from_kernel =
        si_code > 0 || (cfg!(target_arch = "s390x") && sig == libc::SIGFPE && si_code == 0);
    let handler = HANDLER.get();
    let (true, Some(handler)) = (from_kernel, handler) else {
        // SAFETY: restoring the default disposition of a signal we handle.
        unsafe { default_action(sig, from_kernel) };
        return;
    };
    let kind = if sig == libc::SIGSEGV || sig == libc::SIGBUS {
        FaultKind::Access {
            // SAFETY: for these signals `si_addr` is the faulting address.
            addr: unsafe { (*info).si_addr() } as usize,
        }
    } else if sig == libc::SIGFPE && !cfg!(target_arch = "s390x") {
        FaultKind::Arithmetic
    } else {
        // s390x's SIGFPE is the compare-and-trap (its divisions trap
        // through explicit checks).
        FaultKind::Illegal
    };
    let mut fault = Fault { kind, pc, fp, ctx };
    if !handler(&mut fault) {
        // SAFETY: as above.
        unsafe { default_action(sig, true) };
    }
}

/// Restores the default action of `sig`; re-raises it unless it came from
/// the kernel (a synchronous fault recurs by itself when we return).
unsafe fn default_action(sig: libc::c_int, from_kernel: bool) {
    // SAFETY: setting SIG_DFL and raising are async-signal-safe.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = libc::SIG_DFL;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, std::ptr::null_mut());
        if !from_kernel {
            libc::raise(sig);
        }
    }
}
