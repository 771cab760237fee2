//! The trap handler: turns a hardware fault at a wasm trap site into a
//! trap report (or, in embedding mode, a caught trap).
//!
//! Phase: installed once before any wasm runs ([`install`]); every thread
//! that runs wasm is prepared first ([`init_thread`]), so the handler also
//! runs when the fault is a stack overflow. The OS side (signals on Linux,
//! a vectored exception handler on Windows) is `kiln_platform::fault`.
//!
//! The handler, given a fault:
//! 1. if its pc is a recorded trap site of a compiled wasm function, it is
//!    a wasm trap: an access fault's address is mapped to a linear memory,
//!    the backtrace captured, the report written to stderr and the process
//!    ends with [`kiln_abi::trap::TRAP_EXIT_STATUS`];
//! 2. in embedding mode (a `catch::catch_traps` is active on the thread),
//!    instead of 1: the trap is recorded and the thread resumes at that
//!    `catch_traps` ([`super::catch`]);
//! 3. otherwise it declines: the process crashes as it would without Kiln.
//!
//! NB: everything reached from the handler is allocation- and lock-free.

use super::backtrace::{self, MAX_FRAMES};
use super::registry;
use crate::descriptor::trap_at;
use kiln_abi::trap::TrapCode;
use kiln_platform::fault::{self, Fault, FaultKind};

/// Installs the trap handler (once per process).
pub fn install() -> Result<(), String> {
    fault::install(on_fault).map_err(|e| e.to_string())
}

/// Prepares the calling thread for traps (an alternate signal stack on
/// Linux, unmapped again when the thread exits).
pub fn init_thread() -> Result<(), String> {
    fault::init_thread().map_err(|e| e.to_string())
}

/// [`init_thread`] for the thread that runs the program and whose end is
/// the process's (nothing is registered for its exit).
pub fn init_main_thread() -> Result<(), String> {
    fault::init_main_thread().map_err(|e| e.to_string())
}

/// The trap code of the trap site at `pc`, if `pc` is one.
pub fn trap_code_at(pc: usize) -> Option<TrapCode> {
    let (module, func, offset) = registry::lookup_code(pc)?;
    trap_at(module.traps(func), offset)
}

/// s390x: the frame of a trap at `code` given the fault (whose frame
/// pointer is the stack pointer): the walk's frame pointer (the back chain
/// word at `sp`), and for a stack-overflow trap, which Cranelift checks in
/// the prologue before the frame exists, the return address still in
/// `%r14` (`sp` is then the caller's, so the back chain word is the
/// caller's frame pointer, where the walk goes on).
///
/// # Safety
/// `fault` is a fault of a thread running compiled wasm code (its stack
/// pointer mapped, readable).
#[cfg(target_arch = "s390x")]
unsafe fn frame_of(code: TrapCode, fault: &Fault) -> (usize, Option<usize>) {
    let sp = fault.frame_pointer();
    // SAFETY: guaranteed by the caller; the word at `sp` belongs to this
    // thread, stopped in this handler, so nothing writes it while it is read.
    let fp = unsafe { (sp as *const usize).read() };
    let ret = (code == TrapCode::StackOverflow).then(|| fault.general_registers()[14] as usize);
    (fp, ret)
}

/// s390x: the address the instruction at the fault's pc accessed, when it
/// lies in the page the kernel reported (`page_addr`); else `page_addr`.
///
/// # Safety
/// The fault's pc is the address of a storage-access instruction in
/// compiled code.
#[cfg(target_arch = "s390x")]
unsafe fn exact_fault_address(fault: &Fault, page_addr: usize) -> usize {
    let pc = fault.pc();
    let mut insn = [0u8; 6];
    // SAFETY: guaranteed by the caller; only the instruction's own bytes
    // are read (its length is in the first byte's two top bits), code that
    // is never written while it runs.
    unsafe {
        let first = (pc as *const u8).read();
        let len = match first >> 6 {
            0 => 2,
            1 | 2 => 4,
            _ => 6,
        };
        std::ptr::copy_nonoverlapping(pc as *const u8, insn.as_mut_ptr(), len);
    }
    let gregs = fault.general_registers();
    let page = !(crate::memory::host_page_size() - 1);
    match super::s390x::effective_address(insn, &gregs) {
        Some(a) if (a as usize) & page == page_addr & page => a as usize,
        _ => page_addr,
    }
}

fn on_fault(f: &mut Fault) -> bool {
    let Some(code) = trap_code_at(f.pc()) else {
        return false;
    };
    let fault = match f.kind() {
        FaultKind::Access { addr } => {
            #[cfg(target_arch = "s390x")]
            // SAFETY: the pc is a trap site in compiled code (mapped,
            // readable), an access there.
            let addr = unsafe { exact_fault_address(f, addr) };
            registry::lookup_memory(addr)
        }
        FaultKind::Illegal | FaultKind::Arithmetic => None,
    };
    // A catcher that wants the backtrace (the HTTP server) gets it first.
    let trace = super::catch::current_trace();
    if !trace.is_null() {
        // SAFETY: the innermost catcher's buffer, lent to it for the call
        // this trap interrupts; nothing else uses it meanwhile. The fault is
        // in compiled wasm code, on this thread.
        unsafe {
            let t = &mut *trace;
            t.len = capture_frames(code, f, &mut t.frames);
        }
    }
    // Embedding: unwind to the innermost `catch_traps` of this thread.
    if super::catch::catch_in_handler(f, code, fault) {
        return true;
    }
    super::claim_exit();
    let mut frames = [None; MAX_FRAMES];
    // SAFETY: the fault is in compiled wasm code, on this thread.
    let n = unsafe { capture_frames(code, f, &mut frames) };
    super::report::write_trap(2, super::context(), &frames[..n], fault, code);
    fault::exit_now(kiln_abi::trap::TRAP_EXIT_STATUS)
}

/// The wasm backtrace of a trap at the fault, as the report shows it.
///
/// # Safety
/// The fault's pc is in compiled wasm code and its frame pointer that
/// code's, on the calling thread.
unsafe fn capture_frames(
    code: TrapCode,
    f: &Fault,
    frames: &mut [Option<backtrace::Frame>; MAX_FRAMES],
) -> usize {
    #[cfg(target_arch = "s390x")]
    // SAFETY: the caller's contract.
    let (fp, ret) = unsafe { frame_of(code, f) };
    #[cfg(not(target_arch = "s390x"))]
    let (fp, ret) = (f.frame_pointer(), None);
    // SAFETY: the caller's contract.
    let n = unsafe { backtrace::capture(f.pc(), fp, ret, frames) };
    if code == TrapCode::StackOverflow
        && let Some(Some(frame)) = frames.first_mut()
    {
        // The stack check sits in the prologue, which Wasmtime's address
        // map does not cover: its frame 0 shows no offset.
        frame.wasm_offset = None;
    }
    n
}
