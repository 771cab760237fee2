//! Traps: from a faulting instruction (or a failed instantiation step) to
//! Wasmtime's report on stderr and exit status 134.
//!
//! Phase: while the guest runs. Inputs: signals raised by compiled code
//! (`ud2` for explicit traps, `SIGSEGV`/`SIGBUS` for memory accesses that hit
//! a guard page, `SIGFPE` for hardware division traps), the per-function
//! trap and source-location tables of the descriptor, and the current
//! context messages ([`set_context`]). Output: the report, then
//! `_exit(kiln_abi::trap::TRAP_EXIT_STATUS)`.
//!
//! - [`registry`]: process-wide, lock-free-readable maps from code
//!   addresses to functions and from addresses to linear memories.
//! - [`handler`]: the trap handler, on `kiln_platform::fault` (signals on
//!   Linux, a vectored exception handler on Windows).
//! - [`backtrace`]: frame-pointer walk and Wasmtime's backtrace format.
//! - [`report`]: allocation-free formatting of the whole report to stderr.
//! - [`catch`]: embedding mode, where a trap unwinds to the innermost
//!   `catch_traps` of its thread instead of ending the process.
//!
//! A fault whose pc is not a recorded trap site of compiled wasm code is not
//! a trap: the default action is restored and the signal re-raised, so real
//! crashes stay crashes.

pub mod backtrace;
pub mod catch;
pub mod handler;
pub mod registry;
pub mod report;
#[cfg(any(target_arch = "s390x", test))]
mod s390x;

use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

pub use handler::{init_main_thread, init_thread, install};

/// Context messages of the current phase, outermost first (e.g.
/// ``failed to run main module `a.wasm` ``, `failed to invoke command
/// default`). Leaked on replacement: the handler may be reading them.
static CONTEXT: AtomicPtr<Vec<String>> = AtomicPtr::new(std::ptr::null_mut());

/// Sets the context messages printed before a trap's backtrace.
pub fn set_context(messages: Vec<String>) {
    let new = Box::into_raw(Box::new(messages));
    // The previous vector is leaked on purpose (a handler running on
    // another thread might still be reading it); there are a handful per
    // process.
    CONTEXT.store(new, Ordering::Release);
}

/// The current context messages (empty if none were set).
pub fn context() -> &'static [String] {
    let p = CONTEXT.load(Ordering::Acquire);
    if p.is_null() {
        return &[];
    }
    // SAFETY: every stored pointer comes from `Box::into_raw` and is never
    // freed.
    unsafe { (*p).as_slice() }
}

/// Makes the calling thread the one that reports how the run ends and
/// exits; any later caller (another thread trapping at the same time, the
/// timeout's timer) waits here until the process is gone, so two reports
/// never interleave. Async-signal-safe (one atomic swap, then a wait).
pub fn claim_exit() {
    static CLAIMED: AtomicBool = AtomicBool::new(false);
    if CLAIMED.swap(true, Ordering::SeqCst) {
        kiln_platform::fault::wait_forever()
    }
}

/// Reports a fatal error of a host function (e.g. WASI `proc_exit` with an
/// invalid status) as Wasmtime reports a host error: the context messages,
/// the wasm backtrace of the host call (when the frame-pointer chain from
/// here reaches it, see [`backtrace::capture_from_host`]), then `message`;
/// exit status 1 (it is not a trap).
#[inline(never)]
pub fn report_host_error(message: &str) -> ! {
    report_host_error_chain(&[message])
}

/// [`report_host_error`] of an error with its own chain of `messages`
/// (outermost first), e.g. wiggle's `In func ...` context and its cause.
#[inline(never)]
pub fn report_host_error_chain(messages: &[&str]) -> ! {
    claim_exit();
    let mut frames = [None; backtrace::MAX_FRAMES];
    let n = backtrace::capture_from_host(&mut frames);
    let mut w = report::FdWriter::new(2);
    let _ = report::format_host_error(&mut w, context(), &frames[..n], messages);
    w.flush();
    // Nothing is buffered: the report went out whole.
    kiln_platform::fault::exit_now(crate::errors::ERROR_STATUS)
}

/// Reports a trap raised by the runtime itself (not by compiled code: e.g.
/// an active segment out of bounds during instantiation, or a host function
/// of a component that finds its caller may not leave) and exits. Like a
/// host error, and as in Wasmtime, the report carries the wasm backtrace of
/// the host call when wasm called the host (none at instantiation).
#[inline(never)]
pub fn report_host_trap(code: kiln_abi::trap::TrapCode) -> ! {
    claim_exit();
    let mut frames = [None; backtrace::MAX_FRAMES];
    let n = backtrace::capture_from_host(&mut frames);
    report::write_trap(2, context(), &frames[..n], None, code);
    // Nothing is buffered (all output goes through write(2)).
    kiln_platform::fault::exit_now(kiln_abi::trap::TRAP_EXIT_STATUS)
}

/// A trap, caught.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    /// The wasm trap code; `None` for a trap without one (e.g. an uncaught
    /// exception, or a call the API refused).
    pub code: Option<kiln_abi::trap::TrapCode>,
    /// The reason, as Wasmtime words it after `wasm trap: `.
    pub message: String,
}

impl std::fmt::Display for Trap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "wasm trap: {}", self.message)
    }
}

impl std::error::Error for Trap {}
