//! A resume point: [`call`] saves the callee-saved registers, the stack
//! pointer and a resume address in a [`JmpBuf`], then calls a function;
//! [`resume`] from anywhere deeper on the same stack (code called by that
//! function, or a fault handler's redirected thread, see
//! [`crate::fault::Fault::resume_at`]) restores them, so that [`call`]
//! returns a second time, with the value given. Our own setjmp/longjmp,
//! for the runtime's traps: a trap in compiled code unwinds to the
//! innermost catcher without unwind tables.
//!
//! Per architecture and calling convention (`global_asm!`): x86_64 System V
//! (Linux) and Windows x64, aarch64, riscv64, s390x. Elsewhere [`call`]
//! only calls, and [`SUPPORTED`] is false.
//!
//! NB: [`resume`] runs no destructors of the frames it skips: the caller
//! must own nothing that needs dropping there.

/// Saved registers. x86_64 System V: rbx, rbp, r12-r15, rsp, resume
/// address. Windows x64: the same plus rdi, rsi and xmm6-xmm15 (callee-saved
/// there). aarch64: x19-x28, d8-d15 (the callee-saved registers; compiled
/// wasm keeps floats in d8-d15 too), x29, sp, resume address. s390x: r6-r15
/// (r15 is the stack pointer), f8-f15, resume address. riscv64: s0-s11,
/// fs0-fs11, sp, resume address.
#[repr(C, align(16))]
#[derive(Debug, Default)]
pub struct JmpBuf {
    regs: [usize; JMPBUF_WORDS],
}

#[cfg(target_arch = "aarch64")]
const JMPBUF_WORDS: usize = 21;
#[cfg(target_arch = "s390x")]
const JMPBUF_WORDS: usize = 19;
#[cfg(target_arch = "riscv64")]
const JMPBUF_WORDS: usize = 26;
#[cfg(all(target_arch = "x86_64", windows))]
const JMPBUF_WORDS: usize = 30;
#[cfg(not(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x",
    all(target_arch = "x86_64", windows)
)))]
const JMPBUF_WORDS: usize = 8;

/// Whether this architecture has [`call`] and [`resume`] (without them a
/// trap ends the process).
pub const SUPPORTED: bool = cfg!(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
));

#[cfg(all(target_arch = "x86_64", not(windows)))]
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

#[cfg(all(target_arch = "x86_64", windows))]
std::arch::global_asm!(
    ".section .text$kiln_rt_catch_call,\"xr\"",
    ".p2align 4",
    ".globl kiln_rt_catch_call",
    "kiln_rt_catch_call:",
    // rcx = buf, rdx = f, r8 = data (Windows x64). The 32-byte shadow
    // space the callee may use sits above the return address.
    "push rbp",
    "mov rbp, rsp",
    "mov [rcx], rbx",
    "mov [rcx + 8], rbp",
    "mov [rcx + 16], r12",
    "mov [rcx + 24], r13",
    "mov [rcx + 32], r14",
    "mov [rcx + 40], r15",
    "mov [rcx + 64], rdi",
    "mov [rcx + 72], rsi",
    "movdqa [rcx + 80], xmm6",
    "movdqa [rcx + 96], xmm7",
    "movdqa [rcx + 112], xmm8",
    "movdqa [rcx + 128], xmm9",
    "movdqa [rcx + 144], xmm10",
    "movdqa [rcx + 160], xmm11",
    "movdqa [rcx + 176], xmm12",
    "movdqa [rcx + 192], xmm13",
    "movdqa [rcx + 208], xmm14",
    "movdqa [rcx + 224], xmm15",
    // The callee's shadow space, keeping rsp 16-byte aligned at the call.
    "sub rsp, 32",
    "mov [rcx + 48], rsp",
    "lea rax, [rip + 2f]",
    "mov [rcx + 56], rax",
    "mov rcx, r8",
    "call rdx",
    "xor eax, eax",
    "add rsp, 32",
    "pop rbp",
    "ret",
    // Resumed by kiln_rt_resume: registers and rsp as saved, eax = value.
    "2:",
    "add rsp, 32",
    "pop rbp",
    "ret",
    ".section .text$kiln_rt_resume,\"xr\"",
    ".p2align 4",
    ".globl kiln_rt_resume",
    "kiln_rt_resume:",
    // rcx = buf, edx = value (non-zero). Uses no stack.
    "mov rbx, [rcx]",
    "mov rbp, [rcx + 8]",
    "mov r12, [rcx + 16]",
    "mov r13, [rcx + 24]",
    "mov r14, [rcx + 32]",
    "mov r15, [rcx + 40]",
    "mov rdi, [rcx + 64]",
    "mov rsi, [rcx + 72]",
    "movdqa xmm6, [rcx + 80]",
    "movdqa xmm7, [rcx + 96]",
    "movdqa xmm8, [rcx + 112]",
    "movdqa xmm9, [rcx + 128]",
    "movdqa xmm10, [rcx + 144]",
    "movdqa xmm11, [rcx + 160]",
    "movdqa xmm12, [rcx + 176]",
    "movdqa xmm13, [rcx + 192]",
    "movdqa xmm14, [rcx + 208]",
    "movdqa xmm15, [rcx + 224]",
    "mov rsp, [rcx + 48]",
    "mov eax, edx",
    "jmp qword ptr [rcx + 56]",
    ".text",
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
    // The buffer's address as an integer: the signature a fault handler
    // redirects a thread to (`crate::fault::ResumeFn`).
    fn kiln_rt_resume(buf: usize, value: u32) -> !;
}

/// Calls `f(data)` with a resume point in `buf`: returns 0 when `f`
/// returns, or the value of a [`resume`] of `buf` while `f` runs.
///
/// # Safety
/// `buf` stays put and alive until this returns; `f(data)` may be called.
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
))]
pub unsafe fn call(buf: *mut JmpBuf, f: unsafe extern "C" fn(*mut u8), data: *mut u8) -> u32 {
    // SAFETY: the caller's contract; the assembly saves and restores
    // every callee-saved register of this calling convention.
    unsafe { kiln_rt_catch_call(buf, f, data) }
}

/// Without resume points on this architecture nothing resumes: a trap
/// ends the process before (callers check [`SUPPORTED`]).
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
)))]
unsafe extern "C" fn kiln_rt_resume(_buf: usize, _value: u32) -> ! {
    std::process::abort()
}

/// Without a resume point on this architecture: only calls.
///
/// # Safety
/// `f(data)` may be called.
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
)))]
pub unsafe fn call(_buf: *mut JmpBuf, f: unsafe extern "C" fn(*mut u8), data: *mut u8) -> u32 {
    // SAFETY: the caller's contract.
    unsafe { f(data) };
    0
}

/// Continues at the resume point in `buf`: its [`call`] returns `value`
/// (non-zero).
///
/// # Safety
/// `buf`'s [`call`] is running below the caller on this thread's stack;
/// the frames in between own nothing that needs dropping.
pub unsafe fn resume(buf: *const JmpBuf, value: u32) -> ! {
    // SAFETY: the caller's contract.
    unsafe { kiln_rt_resume(buf as usize, value) }
}

/// The function a fault handler redirects a thread to, for
/// [`crate::fault::Fault::resume_at`]: `(buf as usize, value)`.
pub fn resume_fn() -> crate::fault::ResumeFn {
    kiln_rt_resume
}

#[cfg(test)]
mod tests;
