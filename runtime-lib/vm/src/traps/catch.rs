//! Catching traps in-process (embedding mode): a trap in compiled code
//! unwinds to the innermost [`catch_traps`] of its thread and comes back as
//! a [`CaughtTrap`] instead of ending the process.
//!
//! Phase: while the guest runs under `kiln_runtime_embed`. Inputs: the closure
//! that enters wasm; traps reported by the signal handler
//! ([`catch_in_handler`]) or raised by host code ([`raise`]). Output:
//! `Ok(())` or the trap.
//!
//! Mechanism (our own setjmp/longjmp, `global_asm!` for x86_64, aarch64,
//! riscv64 and s390x; elsewhere a trap ends the process as in an
//! executable):
//! `kiln_catch_call(buf, f, data)` saves the callee-saved registers, the
//! stack pointer and a resume address in `buf`, then calls `f(data)` and
//! returns 0. `kiln_resume(buf, value)` restores them and continues at the
//! resume address, so `kiln_catch_call` returns `value` (non-zero). The
//! signal handler does not jump itself: it rewrites the interrupted context
//! so that the kernel's `sigreturn` "returns" into `kiln_resume`, which keeps
//! the signal mask and alternate-stack state exactly as the kernel restores
//! them.
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

/// Saved registers. x86_64: rbx, rbp, r12-r15, rsp, resume address.
/// aarch64: x19-x28, d8-d15 (the callee-saved registers; compiled wasm
/// keeps floats in d8-d15 too), x29, sp, resume address. s390x: r6-r15
/// (r15 is the stack pointer), f8-f15, resume address. riscv64: s0-s11,
/// fs0-fs11, sp, resume address.
#[repr(C)]
#[derive(Debug, Default)]
struct JmpBuf {
    regs: [usize; JMPBUF_WORDS],
}

#[cfg(target_arch = "aarch64")]
const JMPBUF_WORDS: usize = 21;
#[cfg(target_arch = "s390x")]
const JMPBUF_WORDS: usize = 19;
#[cfg(target_arch = "riscv64")]
const JMPBUF_WORDS: usize = 26;
#[cfg(not(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
)))]
const JMPBUF_WORDS: usize = 8;

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

#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".pushsection .text.kiln_rt_catch_call,\"ax\",@progbits",
    ".p2align 4",
    ".globl kiln_rt_catch_call",
    ".hidden kiln_rt_catch_call",
    ".type kiln_rt_catch_call,@function",
    "kiln_rt_catch_call:",
    // rdi = buf, rsi = f, rdx = data
    "push rbp",
    "mov rbp, rsp",
    "mov [rdi], rbx",
    "mov [rdi + 8], rbp",
    "mov [rdi + 16], r12",
    "mov [rdi + 24], r13",
    "mov [rdi + 32], r14",
    "mov [rdi + 40], r15",
    "mov [rdi + 48], rsp",
    "lea rax, [rip + 2f]",
    "mov [rdi + 56], rax",
    "mov rdi, rdx",
    "call rsi",
    "xor eax, eax",
    "pop rbp",
    "ret",
    // Resumed by kiln_rt_resume: registers and rsp as saved, eax = value.
    "2:",
    "pop rbp",
    "ret",
    ".size kiln_rt_catch_call, . - kiln_rt_catch_call",
    ".popsection",
    ".pushsection .text.kiln_rt_resume,\"ax\",@progbits",
    ".p2align 4",
    ".globl kiln_rt_resume",
    ".hidden kiln_rt_resume",
    ".type kiln_rt_resume,@function",
    "kiln_rt_resume:",
    // rdi = buf, esi = value (non-zero). Uses no stack.
    "mov rbx, [rdi]",
    "mov rbp, [rdi + 8]",
    "mov r12, [rdi + 16]",
    "mov r13, [rdi + 24]",
    "mov r14, [rdi + 32]",
    "mov r15, [rdi + 40]",
    "mov rsp, [rdi + 48]",
    "mov eax, esi",
    "jmp qword ptr [rdi + 56]",
    ".size kiln_rt_resume, . - kiln_rt_resume",
    ".popsection",
);

#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".pushsection .text.kiln_rt_catch_call,\"ax\",@progbits",
    ".p2align 4",
    ".globl kiln_rt_catch_call",
    ".hidden kiln_rt_catch_call",
    ".type kiln_rt_catch_call,@function",
    "kiln_rt_catch_call:",
    // x0 = buf, x1 = f, x2 = data
    "stp x29, x30, [sp, #-16]!",
    "mov x29, sp",
    "stp x19, x20, [x0, #0]",
    "stp x21, x22, [x0, #16]",
    "stp x23, x24, [x0, #32]",
    "stp x25, x26, [x0, #48]",
    "stp x27, x28, [x0, #64]",
    "stp d8, d9, [x0, #80]",
    "stp d10, d11, [x0, #96]",
    "stp d12, d13, [x0, #112]",
    "stp d14, d15, [x0, #128]",
    "mov x9, sp",
    "stp x29, x9, [x0, #144]",
    "adr x9, 2f",
    "str x9, [x0, #160]",
    "mov x0, x2",
    "blr x1",
    "mov w0, #0",
    "ldp x29, x30, [sp], #16",
    "ret",
    // Resumed by kiln_rt_resume: registers and sp as saved, w0 = value.
    "2:",
    "ldp x29, x30, [sp], #16",
    "ret",
    ".size kiln_rt_catch_call, . - kiln_rt_catch_call",
    ".popsection",
    ".pushsection .text.kiln_rt_resume,\"ax\",@progbits",
    ".p2align 4",
    ".globl kiln_rt_resume",
    ".hidden kiln_rt_resume",
    ".type kiln_rt_resume,@function",
    "kiln_rt_resume:",
    // x0 = buf, w1 = value (non-zero). Uses no stack.
    "ldp x19, x20, [x0, #0]",
    "ldp x21, x22, [x0, #16]",
    "ldp x23, x24, [x0, #32]",
    "ldp x25, x26, [x0, #48]",
    "ldp x27, x28, [x0, #64]",
    "ldp d8, d9, [x0, #80]",
    "ldp d10, d11, [x0, #96]",
    "ldp d12, d13, [x0, #112]",
    "ldp d14, d15, [x0, #128]",
    "ldp x29, x9, [x0, #144]",
    "mov sp, x9",
    "ldr x9, [x0, #160]",
    "mov w0, w1",
    "br x9",
    ".size kiln_rt_resume, . - kiln_rt_resume",
    ".popsection",
);

#[cfg(target_arch = "s390x")]
std::arch::global_asm!(
    ".pushsection .text.kiln_rt_catch_call,\"ax\",@progbits",
    ".p2align 4",
    ".globl kiln_rt_catch_call",
    ".hidden kiln_rt_catch_call",
    ".type kiln_rt_catch_call,@function",
    "kiln_rt_catch_call:",
    // r2 = buf, r3 = f, r4 = data. A standard frame with its back chain
    // (the backtrace walk may pass through it).
    "stmg %r6, %r15, 48(%r15)",
    "lgr %r1, %r15",
    "aghi %r15, -160",
    "stg %r1, 0(%r15)",
    "stmg %r6, %r15, 0(%r2)",
    "std %f8, 80(%r2)",
    "std %f9, 88(%r2)",
    "std %f10, 96(%r2)",
    "std %f11, 104(%r2)",
    "std %f12, 112(%r2)",
    "std %f13, 120(%r2)",
    "std %f14, 128(%r2)",
    "std %f15, 136(%r2)",
    "larl %r1, 2f",
    "stg %r1, 144(%r2)",
    "lgr %r2, %r4",
    "basr %r14, %r3",
    "lghi %r2, 0",
    // Resumed by kiln_rt_resume: r6-r15 as saved, r2 = value.
    "2:",
    "lmg %r6, %r15, 208(%r15)",
    "br %r14",
    ".size kiln_rt_catch_call, . - kiln_rt_catch_call",
    ".popsection",
    ".pushsection .text.kiln_rt_resume,\"ax\",@progbits",
    ".p2align 4",
    ".globl kiln_rt_resume",
    ".hidden kiln_rt_resume",
    ".type kiln_rt_resume,@function",
    "kiln_rt_resume:",
    // r2 = buf, r3 = value (non-zero). Uses no stack.
    "lg %r1, 144(%r2)",
    "ld %f8, 80(%r2)",
    "ld %f9, 88(%r2)",
    "ld %f10, 96(%r2)",
    "ld %f11, 104(%r2)",
    "ld %f12, 112(%r2)",
    "ld %f13, 120(%r2)",
    "ld %f14, 128(%r2)",
    "ld %f15, 136(%r2)",
    "lmg %r6, %r15, 0(%r2)",
    "lgr %r2, %r3",
    "br %r1",
    ".size kiln_rt_resume, . - kiln_rt_resume",
    ".popsection",
);

#[cfg(target_arch = "riscv64")]
std::arch::global_asm!(
    // The target (rv64gc) has D; module-level asm is assembled without
    // the function's target features, so say so.
    ".option push",
    ".option arch, +d",
    ".pushsection .text.kiln_rt_catch_call,\"ax\",@progbits",
    ".p2align 2",
    ".globl kiln_rt_catch_call",
    ".hidden kiln_rt_catch_call",
    ".type kiln_rt_catch_call,@function",
    "kiln_rt_catch_call:",
    // a0 = buf, a1 = f, a2 = data. A standard frame record (ra, s0), which
    // the backtrace walk may pass through.
    "addi sp, sp, -16",
    "sd ra, 8(sp)",
    "sd s0, 0(sp)",
    "addi s0, sp, 16",
    "sd s0, 0(a0)",
    "sd s1, 8(a0)",
    "sd s2, 16(a0)",
    "sd s3, 24(a0)",
    "sd s4, 32(a0)",
    "sd s5, 40(a0)",
    "sd s6, 48(a0)",
    "sd s7, 56(a0)",
    "sd s8, 64(a0)",
    "sd s9, 72(a0)",
    "sd s10, 80(a0)",
    "sd s11, 88(a0)",
    "fsd fs0, 96(a0)",
    "fsd fs1, 104(a0)",
    "fsd fs2, 112(a0)",
    "fsd fs3, 120(a0)",
    "fsd fs4, 128(a0)",
    "fsd fs5, 136(a0)",
    "fsd fs6, 144(a0)",
    "fsd fs7, 152(a0)",
    "fsd fs8, 160(a0)",
    "fsd fs9, 168(a0)",
    "fsd fs10, 176(a0)",
    "fsd fs11, 184(a0)",
    "sd sp, 192(a0)",
    "lla t0, 2f",
    "sd t0, 200(a0)",
    "mv a0, a2",
    "jalr a1",
    "li a0, 0",
    // Resumed by kiln_rt_resume: registers and sp as saved, a0 = value.
    "2:",
    "ld ra, 8(sp)",
    "ld s0, 0(sp)",
    "addi sp, sp, 16",
    "ret",
    ".size kiln_rt_catch_call, . - kiln_rt_catch_call",
    ".popsection",
    ".pushsection .text.kiln_rt_resume,\"ax\",@progbits",
    ".p2align 2",
    ".globl kiln_rt_resume",
    ".hidden kiln_rt_resume",
    ".type kiln_rt_resume,@function",
    "kiln_rt_resume:",
    // a0 = buf, a1 = value (non-zero). Uses no stack.
    "ld s0, 0(a0)",
    "ld s1, 8(a0)",
    "ld s2, 16(a0)",
    "ld s3, 24(a0)",
    "ld s4, 32(a0)",
    "ld s5, 40(a0)",
    "ld s6, 48(a0)",
    "ld s7, 56(a0)",
    "ld s8, 64(a0)",
    "ld s9, 72(a0)",
    "ld s10, 80(a0)",
    "ld s11, 88(a0)",
    "fld fs0, 96(a0)",
    "fld fs1, 104(a0)",
    "fld fs2, 112(a0)",
    "fld fs3, 120(a0)",
    "fld fs4, 128(a0)",
    "fld fs5, 136(a0)",
    "fld fs6, 144(a0)",
    "fld fs7, 152(a0)",
    "fld fs8, 160(a0)",
    "fld fs9, 168(a0)",
    "fld fs10, 176(a0)",
    "fld fs11, 184(a0)",
    "ld sp, 192(a0)",
    "ld t0, 200(a0)",
    "mv a0, a1",
    "jr t0",
    ".size kiln_rt_resume, . - kiln_rt_resume",
    ".popsection",
    ".option pop",
);

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
))]
unsafe extern "C" {
    fn kiln_rt_catch_call(buf: *mut JmpBuf, f: unsafe extern "C" fn(*mut u8), data: *mut u8)
    -> u32;
    fn kiln_rt_resume(buf: *const JmpBuf, value: u32) -> !;
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

/// Calls the closure through `kiln_rt_catch_call` with `frame` current.
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
))]
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
    // exactly until it returns).
    unsafe {
        kiln_rt_catch_call(
            &raw mut (*frame_ptr).buf,
            call_once::<F>,
            (closure as *mut Option<F>).cast(),
        )
    }
}

/// Without our own unwinding on this architecture, traps end the process
/// as in an executable.
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
)))]
fn run_in_frame<F: FnOnce()>(_frame: &mut CatchFrame, closure: &mut Option<F>) -> u32 {
    if let Some(f) = closure.take() {
        f();
    }
    0
}

/// Whether a [`catch_traps`] is active on this thread.
pub fn is_catching() -> bool {
    !CURRENT.with(Cell::get).is_null()
}

/// Called by the signal handler for a wasm trap: if this thread has a
/// frame, records the trap in it and redirects the interrupted context to
/// resume there; returns whether it did (the handler then just returns).
///
/// # Safety
/// `ctx` must be the `ucontext_t` of an `SA_SIGINFO` handler running on the
/// faulting thread.
pub unsafe fn catch_in_handler(
    ctx: *mut std::ffi::c_void,
    code: TrapCode,
    fault: Option<(u64, u64)>,
) -> bool {
    let frame = CURRENT.with(Cell::get);
    if frame.is_null() {
        return false;
    }
    // SAFETY: the frame is live (it is current on this thread, so its
    // `catch_traps` is running below us) and nothing else touches it
    // while this thread is in its signal handler.
    let buf = unsafe {
        (*frame).code = code as u32;
        (*frame).message = None;
        (*frame).fault = fault;
        (&raw const (*frame).buf) as usize
    };
    // SAFETY: `ctx` is this thread's interrupted context (the caller's
    // contract); `buf` is the live frame's buffer.
    unsafe { redirect_to_resume(ctx, buf) }
}

/// Makes the interrupted context `ctx` continue in `kiln_rt_resume(buf, 1)`
/// when the signal handler returns: its pc and the first two argument
/// registers (`kiln_rt_resume` needs no stack). Returns whether it did
/// (not where this architecture has no `kiln_rt_resume`).
///
/// # Safety
/// `ctx` must be the `ucontext_t` of an `SA_SIGINFO` handler on this
/// thread, and `buf` a live [`JmpBuf`] of a running `kiln_rt_catch_call`.
#[cfg(target_arch = "x86_64")]
unsafe fn redirect_to_resume(ctx: *mut std::ffi::c_void, buf: usize) -> bool {
    // SAFETY: per this function's contract.
    let gregs = unsafe { &mut (*ctx.cast::<libc::ucontext_t>()).uc_mcontext.gregs };
    gregs[libc::REG_RIP as usize] = kiln_rt_resume as *const () as usize as i64;
    gregs[libc::REG_RDI as usize] = buf as i64;
    gregs[libc::REG_RSI as usize] = 1;
    true
}

/// See the x86_64 variant; arguments in x0/w1.
#[cfg(target_arch = "aarch64")]
unsafe fn redirect_to_resume(ctx: *mut std::ffi::c_void, buf: usize) -> bool {
    // SAFETY: per this function's contract.
    let mc = unsafe { &mut (*ctx.cast::<libc::ucontext_t>()).uc_mcontext };
    mc.pc = kiln_rt_resume as *const () as usize as u64;
    mc.regs[0] = buf as u64;
    mc.regs[1] = 1;
    true
}

/// See the x86_64 variant; arguments in r2/r3.
#[cfg(target_arch = "s390x")]
unsafe fn redirect_to_resume(ctx: *mut std::ffi::c_void, buf: usize) -> bool {
    // SAFETY: per this function's contract.
    let mc = unsafe { &mut (*ctx.cast::<libc::ucontext_t>()).uc_mcontext };
    mc.psw.addr = kiln_rt_resume as *const () as usize as u64;
    mc.gregs[2] = buf as u64;
    mc.gregs[3] = 1;
    true
}

/// See the x86_64 variant; arguments in a0/a1 (x10/x11; `__gregs[0]` is
/// the pc).
#[cfg(target_arch = "riscv64")]
unsafe fn redirect_to_resume(ctx: *mut std::ffi::c_void, buf: usize) -> bool {
    // SAFETY: per this function's contract.
    let gregs = unsafe { &mut (*ctx.cast::<libc::ucontext_t>()).uc_mcontext.__gregs };
    gregs[0] = kiln_rt_resume as *const () as usize as libc::c_ulong;
    gregs[10] = buf as libc::c_ulong;
    gregs[11] = 1;
    true
}

/// Without `kiln_rt_resume` the handler reports and exits instead.
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
)))]
unsafe fn redirect_to_resume(_ctx: *mut std::ffi::c_void, _buf: usize) -> bool {
    false
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
    #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "s390x"
    ))]
    if !frame.is_null() {
        // SAFETY: a current frame is live; its trace buffer (if any) is
        // the `&mut` its `catch_traps_traced` caller lent it, not otherwise
        // used until that call returns.
        let trace = unsafe { (*frame).trace };
        if !trace.is_null() {
            // SAFETY: as above.
            let t = unsafe { &mut *trace };
            t.len = super::backtrace::capture_from_host(&mut t.frames);
        }
        // SAFETY: the frame is current, so its `kiln_rt_catch_call` is
        // active below us on this stack; guaranteed by the caller otherwise.
        unsafe {
            (*frame).code = code.map_or(0, |c| c as u32);
            (*frame).message = message;
            (*frame).fault = None;
            kiln_rt_resume(&raw const (*frame).buf, 1)
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
