//! Signal handlers that turn faults at wasm trap sites into trap reports.
//!
//! Phase: installed once before any wasm runs ([`install`]); every thread
//! that runs wasm gets an alternate signal stack first ([`init_thread`]), so
//! the handler also works when the fault is a stack overflow. The stack is
//! disabled and unmapped when the thread exits.
//!
//! The handler (`SA_SIGINFO | SA_ONSTACK | SA_NODEFER` for `SIGSEGV`,
//! `SIGBUS`, `SIGILL`, `SIGFPE`):
//! 1. reads pc and frame pointer from the `ucontext`;
//! 2. if the signal came from the kernel (`si_code > 0`) and the pc is a
//!    recorded trap site of a compiled wasm function, it is a wasm trap:
//!    the fault address is mapped to a linear memory (for `SIGSEGV` and
//!    `SIGBUS`), the backtrace captured, the report written with `write(2)`
//!    and the process ends with `_exit(134)`;
//! 3. in embedding mode (a `catch::catch_traps` is active on the thread),
//!    instead of 2: the trap is recorded and the interrupted context is
//!    redirected to resume at that `catch_traps` ([`super::catch`]);
//! 4. otherwise the default action is restored and the signal re-raised (a
//!    synchronous fault simply recurs when the handler returns), so a real
//!    crash still dumps core as it would without Kiln.
//!
//! NB: everything reached from the handler is allocation- and lock-free.

use super::backtrace::{self, MAX_FRAMES};
use super::registry;
use crate::descriptor::trap_at;
use kiln_abi::trap::TrapCode;
use std::ffi::c_void;
use std::sync::Once;

/// Signals that compiled code raises.
const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

/// Size of each thread's alternate signal stack.
pub const ALT_STACK_SIZE: usize = 64 * 1024;

/// Installs the trap handlers (once per process).
pub fn install() -> Result<(), String> {
    static ONCE: Once = Once::new();
    let mut result = Ok(());
    ONCE.call_once(|| {
        for sig in SIGNALS {
            // SAFETY: a zeroed `sigaction` is a valid starting value; the
            // handler has the `SA_SIGINFO` signature.
            let rc = unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = handler as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(sig, &sa, std::ptr::null_mut())
            };
            if rc != 0 {
                result = Err(format!(
                    "failed to install the trap handler for signal {sig}: {}",
                    std::io::Error::last_os_error()
                ));
            }
        }
    });
    result
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
            tests::UNMAPPED
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

/// Unmaps a mapping made by [`init_thread`] that was never installed.
///
/// # Safety
/// `mapping..mapping+len` is a mapping nothing refers to.
unsafe fn unmap(mapping: *mut c_void, len: usize) {
    // SAFETY: guaranteed by the caller.
    unsafe { libc::munmap(mapping, len) };
}

/// Gives the calling thread an alternate signal stack of at least
/// [`ALT_STACK_SIZE`] bytes, unmapped again when the thread exits.
pub fn init_thread() -> Result<(), String> {
    init_stack(true)
}

/// [`init_thread`] for the thread that runs the program and whose end is
/// the process's: its stack stays mapped until the process exits, so no
/// thread-local destructor is registered (registering the first one costs
/// an allocation at every start-up).
pub fn init_main_thread() -> Result<(), String> {
    init_stack(false)
}

fn init_stack(unmap_at_exit: bool) -> Result<(), String> {
    // SAFETY: querying the current alternate stack into a zeroed struct.
    let mut old: libc::stack_t = unsafe { std::mem::zeroed() };
    // SAFETY: `old` is a valid out-pointer.
    if unsafe { libc::sigaltstack(std::ptr::null(), &mut old) } == 0
        && old.ss_flags & libc::SS_DISABLE == 0
        && old.ss_size >= ALT_STACK_SIZE
    {
        return Ok(());
    }
    let page = crate::memory::host_page_size();
    let len = ALT_STACK_SIZE + page;
    let fail = |what: &str| format!("{what}: {}", std::io::Error::last_os_error());
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
        unsafe { unmap(mapping, len) };
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
        unsafe { unmap(mapping, len) };
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

/// The trap code of the trap site at `pc`, if `pc` is one.
pub fn trap_code_at(pc: usize) -> Option<TrapCode> {
    let (module, func, offset) = registry::lookup_code(pc)?;
    trap_at(module.traps(func), offset)
}

/// Program counter and frame pointer of a signal context: the pc of the
/// trapping instruction, and what the backtrace walk takes as frame
/// pointer (s390x: the stack pointer, see [`frame_of`]).
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

/// s390x: the frame of a trap at `code` given the stack pointer `sp` and
/// the signal context: the walk's frame pointer (the back chain word at
/// `sp`), and for a stack-overflow trap, which Cranelift checks in the
/// prologue before the frame exists, the return address still in `%r14`
/// (`sp` is then the caller's, so the back chain word is the caller's frame
/// pointer, where the walk goes on).
///
/// # Safety
/// `ctx` as for [`registers`]; `sp` is the stack pointer of a thread
/// running compiled wasm code (mapped, readable).
#[cfg(target_arch = "s390x")]
unsafe fn frame_of(code: TrapCode, sp: usize, ctx: *mut c_void) -> (usize, Option<usize>) {
    // SAFETY: guaranteed by the caller; the word at `sp` and the context
    // belong to this thread, stopped in this handler, so nothing writes
    // them while they are read.
    unsafe {
        let fp = (sp as *const usize).read();
        let ret = (code == TrapCode::StackOverflow).then(|| {
            let uc = ctx.cast::<libc::ucontext_t>();
            (*uc).uc_mcontext.gregs[14] as usize
        });
        (fp, ret)
    }
}

/// s390x: the address the instruction at `pc` accessed, when it lies in the
/// page the kernel reported (`page_addr`); else `page_addr`.
///
/// # Safety
/// `pc` is the address of a storage-access instruction in compiled code;
/// `ctx` as for [`registers`].
#[cfg(target_arch = "s390x")]
unsafe fn exact_fault_address(pc: usize, page_addr: usize, ctx: *mut c_void) -> usize {
    let mut insn = [0u8; 6];
    // SAFETY: guaranteed by the caller; only the instruction's own bytes
    // are read (its length is in the first byte's two top bits), code that
    // is never written while it runs.
    let gregs = unsafe {
        let first = (pc as *const u8).read();
        let len = match first >> 6 {
            0 => 2,
            1 | 2 => 4,
            _ => 6,
        };
        std::ptr::copy_nonoverlapping(pc as *const u8, insn.as_mut_ptr(), len);
        let uc = ctx.cast::<libc::ucontext_t>();
        (*uc).uc_mcontext.gregs
    };
    let page = !(crate::memory::host_page_size() - 1);
    match super::s390x::effective_address(insn, &gregs) {
        Some(a) if (a as usize) & page == page_addr & page => a as usize,
        _ => page_addr,
    }
}

unsafe extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext.
    let (pc, fp) = unsafe { registers(sig, ctx) };
    // SAFETY: as above.
    let si_code = unsafe { (*info).si_code };
    // NB: s390x's kernel reports the data exception of a compare-and-trap
    // instruction (Cranelift's conditional traps, e.g. the stack check) as
    // SIGFPE with `si_code` 0, which is otherwise `SI_USER`.
    let from_kernel =
        si_code > 0 || (cfg!(target_arch = "s390x") && sig == libc::SIGFPE && si_code == 0);
    let code = if from_kernel { trap_code_at(pc) } else { None };
    let Some(code) = code else {
        // SAFETY: restoring the default disposition of a signal we handle.
        unsafe { default_action(sig, from_kernel) };
        return;
    };
    let fault = if sig == libc::SIGSEGV || sig == libc::SIGBUS {
        // SAFETY: for these signals `si_addr` is the faulting address.
        let addr = unsafe { (*info).si_addr() } as usize;
        #[cfg(target_arch = "s390x")]
        // SAFETY: `pc` is a trap site in compiled code (mapped, readable)
        // and `ctx` this handler's context.
        let addr = unsafe { exact_fault_address(pc, addr, ctx) };
        registry::lookup_memory(addr)
    } else {
        None
    };
    // A catcher that wants the backtrace (the HTTP server) gets it first.
    let trace = super::catch::current_trace();
    if !trace.is_null() {
        // SAFETY: the innermost catcher's buffer, lent to it for the call
        // this trap interrupts; nothing else uses it meanwhile. `pc`/`fp`
        // as below.
        unsafe {
            let t = &mut *trace;
            t.len = capture_frames(code, pc, fp, ctx, &mut t.frames);
        }
    }
    // Embedding: unwind to the innermost `catch_traps` of this thread.
    // SAFETY: `ctx` is this handler's context, on the faulting thread.
    if unsafe { super::catch::catch_in_handler(ctx, code, fault) } {
        return;
    }
    super::claim_exit();
    let mut frames = [None; MAX_FRAMES];
    // SAFETY: `pc` is in compiled wasm code and `fp` its frame pointer;
    // `ctx` this handler's context.
    let n = unsafe { capture_frames(code, pc, fp, ctx, &mut frames) };
    super::report::write_trap(2, super::context(), &frames[..n], fault, code);
    // SAFETY: `_exit` is async-signal-safe.
    unsafe { libc::_exit(kiln_abi::trap::TRAP_EXIT_STATUS) }
}

/// The wasm backtrace of a trap at `pc` (frame pointer `fp`), as the
/// report shows it.
///
/// # Safety
/// `pc` is in compiled wasm code, `fp` its frame pointer, `ctx` the
/// handler's context on the trapping thread.
unsafe fn capture_frames(
    code: TrapCode,
    pc: usize,
    fp: usize,
    ctx: *mut c_void,
    frames: &mut [Option<backtrace::Frame>; MAX_FRAMES],
) -> usize {
    let _ = ctx;
    #[cfg(target_arch = "s390x")]
    // SAFETY: `fp` is the stack pointer of the thread that trapped in
    // compiled code (this one: the handler runs on its alternate stack).
    let (fp, ret) = unsafe { frame_of(code, fp, ctx) };
    #[cfg(not(target_arch = "s390x"))]
    let ret = None;
    // SAFETY: `pc` is in compiled wasm code and `fp` its frame pointer.
    let n = unsafe { backtrace::capture(pc, fp, ret, frames) };
    if code == TrapCode::StackOverflow
        && let Some(Some(f)) = frames.first_mut()
    {
        // The stack check sits in the prologue, which Wasmtime's address
        // map does not cover: its frame 0 shows no offset.
        f.wasm_offset = None;
    }
    n
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The calling thread's alternate signal stack, if one is enabled.
    fn current_alt_stack() -> Option<(usize, usize)> {
        // SAFETY: querying into a zeroed struct.
        let mut st: libc::stack_t = unsafe { std::mem::zeroed() };
        // SAFETY: `st` is a valid out-pointer.
        let rc = unsafe { libc::sigaltstack(std::ptr::null(), &mut st) };
        (rc == 0 && st.ss_flags & libc::SS_DISABLE == 0).then_some((st.ss_sp as usize, st.ss_size))
    }

    /// The stacks `AltStack::drop` unmapped successfully. Checking the
    /// address range itself after the thread exits would race with the
    /// other tests of this process, whose own mappings may reuse it.
    pub(super) static UNMAPPED: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

    #[test]
    fn a_threads_alt_stack_is_unmapped_when_it_exits() {
        let sp = std::thread::spawn(|| {
            init_thread().expect("alt stack");
            let (sp, size) = current_alt_stack().expect("installed");
            assert!(size >= ALT_STACK_SIZE);
            // A second call keeps the stack.
            init_thread().expect("alt stack");
            assert_eq!(current_alt_stack(), Some((sp, size)));
            sp
        })
        .join()
        .expect("thread");
        assert!(
            UNMAPPED
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .contains(&sp),
            "the alternate signal stack outlived its thread"
        );
    }
}
