//! Hardware faults: the processor's report of an instruction that could
//! not complete (an access to an inaccessible page, a trapping or illegal
//! instruction, an integer division by zero or overflow), handed to one
//! handler of the runtime's, which either claims the fault and redirects
//! the interrupted thread, or declines it.
//!
//! Phase: [`install`] once before any compiled code runs; every thread
//! that runs compiled code calls [`init_thread`] (or [`init_main_thread`])
//! first, so that the handler has stack to run on even when the fault is
//! a stack overflow.
//!
//! Semantics, the same on every OS:
//! - the handler runs on the faulting thread, synchronously, with the
//!   [`Fault`]: its kind, the pc of the faulting instruction and the frame
//!   pointer at that point (s390x: the stack pointer, the start of its back
//!   chain);
//! - it returns `true` after [`Fault::resume_at`] (the thread continues
//!   there), or `false`: the fault is not the runtime's, and the process
//!   crashes as it would have without a handler (Linux: the default action
//!   of the signal, a core dump; Windows: the next handler, in the end
//!   Windows' own report);
//! - faults sent by another process or by `raise`/`kill` never reach it;
//! - the handler must not allocate nor take locks (on Linux it runs inside
//!   a signal handler, which may have interrupted either).
//!
//! Linux: `sigaction` for `SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE` on an
//! alternate signal stack per thread. Windows: a vectored exception
//! handler (called before any frame-based handler) and a stack guarantee
//! per thread (`SetThreadStackGuarantee`), so that a fault on the guard
//! page of an exhausted stack still has room for the handler.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as os;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;

#[cfg(test)]
mod tests;

use std::io;

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// A load or store the page protection refused; the address accessed
    /// (Linux reports the page's first byte on s390x, see
    /// [`Fault::general_registers`]).
    Access {
        /// The address accessed.
        addr: usize,
    },
    /// An illegal or deliberately trapping instruction (x86 `ud2`, aarch64
    /// `udf`, riscv64 `unimp`; s390x's compare-and-trap).
    Illegal,
    /// An integer division by zero, or one whose quotient overflows.
    Arithmetic,
}

/// One fault, as the handler sees it.
#[derive(Debug)]
pub struct Fault {
    kind: FaultKind,
    pc: usize,
    fp: usize,
    /// The OS's record of the interrupted registers (`ucontext_t`,
    /// `CONTEXT`), written back when the handler returns.
    ctx: *mut std::ffi::c_void,
}

/// What a resumed thread calls: two integer arguments, never returns.
pub type ResumeFn = unsafe extern "C" fn(usize, u32) -> !;

impl Fault {
    /// What went wrong.
    pub fn kind(&self) -> FaultKind {
        self.kind
    }

    /// The faulting instruction's address.
    pub fn pc(&self) -> usize {
        self.pc
    }

    /// The frame pointer at the fault (x86_64 `rbp`, aarch64 `x29`,
    /// riscv64 `s0`); s390x, whose frames have none: the stack pointer,
    /// where its back chain starts.
    pub fn frame_pointer(&self) -> usize {
        self.fp
    }

    /// s390x: the sixteen general registers at the fault (the runtime
    /// recomputes an access's exact address from the instruction, as Linux
    /// reports only its page, and finds the return address of a stack
    /// check in `%r14`).
    #[cfg(target_arch = "s390x")]
    pub fn general_registers(&self) -> [u64; 16] {
        // SAFETY: `ctx` is the live context of the handler that made this
        // `Fault` (it only exists during that handler).
        unsafe { os::general_registers(self.ctx) }
    }

    /// Makes the thread continue, when the handler returns, with a call of
    /// `f(a0, a1)`: its pc and first two argument registers are set, every
    /// other register (the stack pointer among them) keeps its value at
    /// the fault, so `f` must restore its own stack and never return.
    ///
    /// # Safety
    /// `f` must be able to run from the faulting point's register state
    /// (it switches to state it saved itself, as a longjmp does).
    pub unsafe fn resume_at(&mut self, f: ResumeFn, a0: usize, a1: u32) {
        // SAFETY: `ctx` is the live context of this handler's fault;
        // writing it is what makes the OS continue elsewhere.
        unsafe { os::resume_at(self.ctx, f, a0, a1) }
    }
}

/// The runtime's handler: `true` when it called [`Fault::resume_at`].
pub type Handler = fn(&mut Fault) -> bool;

/// Installs `handler` for the whole process. The first call wins: later
/// calls (with any handler) do nothing and return the first one's result.
pub fn install(handler: Handler) -> io::Result<()> {
    os::install(handler)
}

/// Prepares the calling thread to handle faults (Linux: an alternate
/// signal stack, unmapped again when the thread exits; Windows: a stack
/// guarantee).
pub fn init_thread() -> io::Result<()> {
    os::init_thread(true)
}

/// [`init_thread`] for the thread whose end is the process's: nothing of
/// it is freed at its exit, so no thread-exit hook is registered (the
/// first costs an allocation at every start-up).
pub fn init_main_thread() -> io::Result<()> {
    os::init_thread(false)
}

/// Ends the process at once with `status`, running nothing of the
/// process's own (no exit hooks, no buffered output flushed): what a
/// fault handler may still do.
pub fn exit_now(status: i32) -> ! {
    os::exit_now(status)
}

/// Blocks the calling thread until the process ends (a second faulting
/// thread, while the first reports and exits); safe in a fault handler.
pub fn wait_forever() -> ! {
    os::wait_forever()
}
