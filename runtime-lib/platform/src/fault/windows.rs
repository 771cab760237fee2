//! [`super`] on Windows: a vectored exception handler
//! (`AddVectoredExceptionHandler`, first in the list), which Windows calls
//! before any frame-based (SEH) handler and without unwinding anything, and
//! a stack guarantee per thread (`SetThreadStackGuarantee`) so that the
//! handler has stack left after a stack overflow.
//!
//! Exceptions: `EXCEPTION_ACCESS_VIOLATION` and `EXCEPTION_IN_PAGE_ERROR`
//! (with the address accessed), `EXCEPTION_STACK_OVERFLOW` (an access to
//! the guard page of an exhausted stack: an access at the stack pointer),
//! `EXCEPTION_ILLEGAL_INSTRUCTION` and `EXCEPTION_PRIV_INSTRUCTION`,
//! `EXCEPTION_INT_DIVIDE_BY_ZERO` and `EXCEPTION_INT_OVERFLOW`. Every
//! other exception (a C++ throw, a debugger's breakpoint, a software
//! `RaiseException`) and every one the runtime's handler declines goes on
//! to the next handler (`EXCEPTION_CONTINUE_SEARCH`).

use super::{Fault, FaultKind, Handler, ResumeFn};
use std::ffi::c_void;
use std::io;
use std::sync::OnceLock;
use windows_sys::Win32::Foundation::{
    EXCEPTION_ACCESS_VIOLATION, EXCEPTION_ILLEGAL_INSTRUCTION, EXCEPTION_IN_PAGE_ERROR,
    EXCEPTION_INT_DIVIDE_BY_ZERO, EXCEPTION_INT_OVERFLOW, EXCEPTION_PRIV_INSTRUCTION,
    EXCEPTION_STACK_OVERFLOW,
};
use windows_sys::Win32::System::Diagnostics::Debug::{
    AddVectoredExceptionHandler, CONTEXT, EXCEPTION_CONTINUE_EXECUTION, EXCEPTION_CONTINUE_SEARCH,
    EXCEPTION_POINTERS,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, INFINITE, SetThreadStackGuarantee, Sleep, TerminateProcess,
};

/// The stack kept for the handler after a stack overflow (rounded up to
/// pages by Windows), as Linux's alternate signal stack.
pub const STACK_GUARANTEE: u32 = 64 * 1024;

/// Kept when an access violation's record has no address (never seen, but
/// the record's length is the OS's to set).
const UNKNOWN_ADDRESS: usize = usize::MAX;

/// The runtime's handler, set once by [`install`].
static HANDLER: OnceLock<Handler> = OnceLock::new();

pub fn install(handler: Handler) -> io::Result<()> {
    static RESULT: OnceLock<Result<(), i32>> = OnceLock::new();
    let result = RESULT.get_or_init(|| {
        let _ = HANDLER.set(handler);
        // SAFETY: registering a handler with the right signature; it stays
        // registered for the process's life.
        let cookie = unsafe { AddVectoredExceptionHandler(1, Some(on_exception)) };
        if cookie.is_null() {
            return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
        }
        Ok(())
    });
    result.map_err(|errno| {
        let e = io::Error::from_raw_os_error(errno);
        io::Error::new(e.kind(), format!("failed to install the trap handler: {e}"))
    })
}

pub fn init_thread(_free_at_exit: bool) -> io::Result<()> {
    // Windows frees the guarantee with the thread's stack: nothing to do
    // at its exit.
    let mut size = STACK_GUARANTEE;
    // SAFETY: a valid in/out pointer.
    if unsafe { SetThreadStackGuarantee(&mut size) } == 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(
            e.kind(),
            format!("failed to reserve stack for the trap handler: {e}"),
        ));
    }
    Ok(())
}

pub fn wait_forever() -> ! {
    loop {
        // SAFETY: sleeping has no preconditions.
        unsafe { Sleep(INFINITE) };
    }
}

pub fn exit_now(status: i32) -> ! {
    // NB: `ExitProcess` would run the DLLs' detach routines (and the C
    // runtime's exit hooks) on a thread that just faulted; terminating
    // runs none, as Linux's `_exit`. The status is the process's exit
    // code as a 32-bit value (a negative status reads as its two's
    // complement, as on Windows generally).
    // SAFETY: terminating the calling process with a pseudo-handle that
    // is always valid.
    unsafe {
        TerminateProcess(GetCurrentProcess(), status as u32);
    }
    // `TerminateProcess` of the current process does not return; should
    // it fail, end this thread's path all the same.
    std::process::abort()
}

/// Makes the interrupted context continue in `f(a0, a1)` (Windows x64
/// calling convention: arguments in rcx and rdx).
///
/// # Safety
/// `ctx` is the live `CONTEXT` of the exception being handled.
pub unsafe fn resume_at(ctx: *mut c_void, f: ResumeFn, a0: usize, a1: u32) {
    // SAFETY: per this function's contract: the thread is stopped in this
    // handler and only this handler writes its record.
    let c = unsafe { &mut *ctx.cast::<CONTEXT>() };
    c.Rip = f as *const () as usize as u64;
    c.Rcx = a0 as u64;
    c.Rdx = u64::from(a1);
}

unsafe extern "system" fn on_exception(info: *mut EXCEPTION_POINTERS) -> i32 {
    let Some(handler) = HANDLER.get() else {
        return EXCEPTION_CONTINUE_SEARCH;
    };
    // SAFETY: Windows passes valid records, owned by the stopped thread.
    let (record, ctx) = unsafe { (&*(*info).ExceptionRecord, (*info).ContextRecord) };
    // SAFETY: as above.
    let c = unsafe { &*ctx };
    let kind = match record.ExceptionCode {
        EXCEPTION_ACCESS_VIOLATION | EXCEPTION_IN_PAGE_ERROR => FaultKind::Access {
            // The second parameter is the address accessed (the first
            // says read, write or execute).
            addr: if record.NumberParameters >= 2 {
                record.ExceptionInformation[1]
            } else {
                UNKNOWN_ADDRESS
            },
        },
        EXCEPTION_STACK_OVERFLOW => FaultKind::Access {
            addr: c.Rsp as usize,
        },
        EXCEPTION_ILLEGAL_INSTRUCTION | EXCEPTION_PRIV_INSTRUCTION => FaultKind::Illegal,
        EXCEPTION_INT_DIVIDE_BY_ZERO | EXCEPTION_INT_OVERFLOW => FaultKind::Arithmetic,
        _ => return EXCEPTION_CONTINUE_SEARCH,
    };
    let mut fault = Fault {
        kind,
        pc: c.Rip as usize,
        fp: c.Rbp as usize,
        ctx: ctx.cast(),
    };
    if handler(&mut fault) {
        EXCEPTION_CONTINUE_EXECUTION
    } else {
        EXCEPTION_CONTINUE_SEARCH
    }
}
