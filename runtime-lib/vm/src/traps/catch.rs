//! Catching traps in-process (embedding mode): a trap in compiled code
//! unwinds to the innermost [`catch_traps`] of its thread and comes back as
//! a [`CaughtTrap`] instead of ending the process.
//!
//! Phase: while the guest runs under `kiln_runtime_embed`. Inputs: the closure
//! that enters wasm; traps reported by the signal handler
//! ([`catch_in_handler`]) or raised by host code ([`raise`]). Output:
//! `Ok(())` or the trap.
//!
//! Mechanism: a resume point (`kiln_platform::resume`, our own
//! setjmp/longjmp per architecture and calling convention; where there is
//! none, a trap ends the process as in an executable). [`catch_traps`]
//! calls the closure through one; a trap resumes there. The trap handler
//! does not jump itself: it redirects the faulting thread
//! (`kiln_platform::fault::Fault::resume_at`), so that the OS's own return
//! from the handler continues in the resume, which keeps the signal mask
//! and alternate-stack state exactly as the kernel restores them.
//!
//! Per-thread state: a thread-local pointer to the innermost [`CatchFrame`]
//! (frames chain through `prev`, so wasm -> host -> wasm nesting works). With
//! no frame (the executable), the handler keeps its report-and-exit path.
//!
//! NB: a trap skips the Rust frames between [`catch_traps`] and the fault
//! without running their destructors: only the closure passed in and the
//! compiled code sit there, and the closure must own nothing that needs
//! dropping. The same holds for [`raise`]'s callers.

use kiln_abi::trap::TrapCode;
use std::cell::Cell;

use kiln_platform::resume::{self, JmpBuf};

/// One active [`catch_traps`] on this thread.
#[repr(C)]
#[derive(Debug)]
pub struct CatchFrame {
    buf: JmpBuf,
    /// `TrapCode as u32`, or 0 for a trap without a wasm code.
    code: u32,
    /// Message of a trap raised without a wasm code.
    message: Option<&'static str>,
    /// Faulting wasm address and memory size, for memory faults.
    fault: Option<(u64, u64)>,
    /// Where to capture the trap's wasm backtrace ([`catch_traps_traced`]);
    /// null: not wanted.
    trace: *mut TrapTrace,
    prev: *mut CatchFrame,
}

/// The wasm backtrace of a trap caught by [`catch_traps_traced`] (the
/// server reports it as `wasmtime serve` does, then goes on).
#[derive(Debug)]
pub struct TrapTrace {
    /// Frames, innermost first.
    pub frames: [Option<super::backtrace::Frame>; super::backtrace::MAX_FRAMES],
    /// How many of `frames` are filled.
    pub len: usize,
}

impl Default for TrapTrace {
    fn default() -> TrapTrace {
        TrapTrace {
            frames: [None; super::backtrace::MAX_FRAMES],
            len: 0,
        }
    }
}

/// The backtrace buffer of the innermost [`catch_traps_traced`] of this
/// thread, if its frame is the innermost frame (null otherwise).
pub(super) fn current_trace() -> *mut TrapTrace {
    let frame = CURRENT.with(Cell::get);
    if frame.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: a current frame is live (its `catch_traps` is running).
    unsafe { (*frame).trace }
}

thread_local! {
    /// The innermost active frame of this thread (null: none). Const-
    /// initialised and without a destructor, so reading it from a signal
    /// handler neither allocates nor registers anything.
    static CURRENT: Cell<*mut CatchFrame> = const { Cell::new(std::ptr::null_mut()) };
}

/// A trap that [`catch_traps`] caught.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaughtTrap {
    /// The wasm trap code; `None` for a trap raised by host code without
    /// one (e.g. an uncaught exception).
    pub code: Option<TrapCode>,
    /// The reason words, as Wasmtime prints them after `wasm trap: `.
    pub message: String,
    /// For a memory fault: the wasm address and the memory's size.
    pub fault: Option<(u64, u64)>,
}

/// Runs `f`; a trap on this thread inside it (in compiled code, or raised
/// by host code it calls) returns `Err` here.
pub fn catch_traps<F: FnOnce()>(f: F) -> Result<(), CaughtTrap> {
    catch_traps_into(f, std::ptr::null_mut())
}

/// [`catch_traps`] that also captures the wasm backtrace of a trap into
/// `trace` (as the executable's report would show it).
pub fn catch_traps_traced<F: FnOnce()>(f: F, trace: &mut TrapTrace) -> Result<(), CaughtTrap> {
    trace.len = 0;
    catch_traps_into(f, trace)
}

fn catch_traps_into<F: FnOnce()>(f: F, trace: *mut TrapTrace) -> Result<(), CaughtTrap> {
    let mut frame = CatchFrame {
        buf: JmpBuf::default(),
        code: 0,
        message: None,
        fault: None,
        trace,
        prev: CURRENT.with(Cell::get),
    };
    let mut closure = Some(f);
    let activations = super::backtrace::activations();
    let resumed = run_in_frame(&mut frame, &mut closure);
    CURRENT.with(|c| c.set(frame.prev));
    // A resume skipped the drops of the activations it unwound.
    super::backtrace::restore_activations(activations);
    if resumed == 0 {
        return Ok(());
    }
    let code = TrapCode::from_u32(frame.code);
    Err(CaughtTrap {
        code,
        message: match (code, frame.message) {
            (_, Some(m)) => m.to_string(),
            (Some(c), None) => c.message().to_string(),
            (None, None) => "trap".to_string(),
        },
        fault: frame.fault,
    })
}

/// Calls the closure through a resume point with `frame` current.
#[inline(never)]
fn run_in_frame<F: FnOnce()>(frame: &mut CatchFrame, closure: &mut Option<F>) -> u32 {
    unsafe extern "C" fn call_once<F: FnOnce()>(data: *mut u8) {
        // SAFETY: `data` is the `Option<F>` of `run_in_frame`, alive for the
        // whole call.
        let f = unsafe { &mut *data.cast::<Option<F>>() }.take();
        if let Some(f) = f {
            crate::guard::guard(f);
        }
    }
    let frame_ptr: *mut CatchFrame = frame;
    CURRENT.with(|c| c.set(frame_ptr));
    // SAFETY: the buffer lives in `frame`, which outlives the call; a
    // resume only happens while this call is active (the frame is current
    // exactly until it returns); `call_once` owns nothing that a resume
    // would fail to drop (the closure is moved out and run by `guard`).
    unsafe {
        resume::call(
            &raw mut (*frame_ptr).buf,
            call_once::<F>,
            (closure as *mut Option<F>).cast(),
        )
    }
}

/// Whether a [`catch_traps`] is active on this thread.
pub fn is_catching() -> bool {
    !CURRENT.with(Cell::get).is_null()
}

/// Called by the trap handler for a wasm trap: if this thread has a frame
/// (and this architecture resume points), records the trap in it and
/// redirects the faulting thread to resume there; returns whether it did
/// (the handler then just returns).
pub fn catch_in_handler(
    fault: &mut kiln_platform::fault::Fault,
    code: TrapCode,
    trapped: Option<(u64, u64)>,
) -> bool {
    let frame = CURRENT.with(Cell::get);
    if frame.is_null() || !resume::SUPPORTED {
        return false;
    }
    // SAFETY: the frame is live (it is current on this thread, so its
    // `catch_traps` is running below us) and nothing else touches it
    // while this thread is in its fault handler.
    let buf = unsafe {
        (*frame).code = code as u32;
        (*frame).message = None;
        (*frame).fault = trapped;
        (&raw const (*frame).buf) as usize
    };
    // SAFETY: `buf` is the live frame's resume point, whose call runs
    // below the faulting code on this thread's stack; the frames in
    // between are compiled code and the closure, which own nothing to drop.
    unsafe { fault.resume_at(resume::resume_fn(), buf, 1) };
    true
}

/// Raises a trap from host code called by wasm (libcalls, host functions):
/// unwinds to the innermost [`catch_traps`] of this thread; without one (an
/// executable), reports the trap and exits as a runtime-raised trap does.
/// `code` `None` is a trap without a wasm code, described by `message`.
///
/// # Safety
/// Every frame between the innermost [`catch_traps`] and the caller must be
/// compiled code or own nothing that needs dropping (no destructors run).
pub unsafe fn raise(code: Option<TrapCode>, message: Option<&'static str>) -> ! {
    let frame = CURRENT.with(Cell::get);
    if !frame.is_null() && resume::SUPPORTED {
        // SAFETY: a current frame is live; its trace buffer (if any) is
        // the `&mut` its `catch_traps_traced` caller lent it, not otherwise
        // used until that call returns.
        let trace = unsafe { (*frame).trace };
        if !trace.is_null() {
            // SAFETY: as above.
            let t = unsafe { &mut *trace };
            t.len = super::backtrace::capture_from_host(&mut t.frames);
        }
        // SAFETY: the frame is current, so its resume point's call is
        // active below us on this stack; guaranteed by the caller otherwise.
        unsafe {
            (*frame).code = code.map_or(0, |c| c as u32);
            (*frame).message = message;
            (*frame).fault = None;
            resume::resume(&raw const (*frame).buf, 1)
        }
    }
    let _ = frame;
    match code {
        Some(code) => super::report_host_trap(code),
        None => super::report_host_error(message.unwrap_or("trap")),
    }
}

#[cfg(all(
    test,
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "s390x"
    )
))]
mod tests {
    use super::*;

    #[test]
    fn normal_return_and_nesting() {
        let mut n = 0;
        assert_eq!(catch_traps(|| n += 1), Ok(()));
        assert_eq!(n, 1);
        assert!(!is_catching());
        let inner = catch_traps(|| {
            assert!(is_catching());
            let r = catch_traps(|| {
                // SAFETY: only this closure's frame sits in between.
                unsafe { raise(Some(TrapCode::IntegerOverflow), None) }
            });
            assert_eq!(r.map_err(|t| t.code), Err(Some(TrapCode::IntegerOverflow)));
            assert!(is_catching());
        });
        assert_eq!(inner, Ok(()));
        assert!(!is_catching());
    }

    #[test]
    fn raise_without_code_keeps_message() {
        let r = catch_traps(|| {
            // SAFETY: only this closure's frame sits in between.
            unsafe { raise(None, Some("uncaught exception")) }
        });
        let t = r.expect_err("raised");
        assert_eq!(t.code, None);
        assert_eq!(t.message, "uncaught exception");
    }

    #[test]
    fn callee_saved_registers_survive_a_resume() {
        // Many live values across the call force the compiler to keep some
        // in callee-saved registers.
        let vals: Vec<u64> = (1..=12).map(|i| i * 0x1111).collect();
        let (a, b, c, d, e, f) = (vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]);
        let r = catch_traps(|| {
            // SAFETY: only this closure's frame sits in between.
            unsafe { raise(Some(TrapCode::UnreachableCodeReached), None) }
        });
        assert!(r.is_err());
        assert_eq!(
            std::hint::black_box((a, b, c, d, e, f)),
            (0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666)
        );
    }
}
