//! Faults of each kind, caught by a test handler that resumes at a resume
//! point (as the runtime's trap handler does), on every OS and
//! architecture that runs these tests (natively, under qemu-user, under
//! Wine).

use super::*;
use crate::resume::{self, JmpBuf};
use std::cell::Cell;

/// The stacks `AltStack::drop` unmapped successfully (Linux). Checking
/// the address range itself after the thread exits would race with the
/// other tests of this process, whose own mappings may reuse it.
#[cfg(unix)]
pub(super) static UNMAPPED: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

thread_local! {
    /// The resume point of the test running on this thread (null: none,
    /// the fault is not the test's).
    static ARMED: Cell<*const JmpBuf> = const { Cell::new(std::ptr::null()) };
    /// What the handler saw.
    static SEEN: Cell<Option<(FaultKind, usize)>> = const { Cell::new(None) };
}

fn test_handler(fault: &mut Fault) -> bool {
    let buf = ARMED.with(Cell::get);
    if buf.is_null() {
        return false;
    }
    SEEN.with(|s| s.set(Some((fault.kind(), fault.pc()))));
    ARMED.with(|a| a.set(std::ptr::null()));
    // SAFETY: the test's `resume::call` is running below on this thread.
    unsafe { fault.resume_at(resume::resume_fn(), buf as usize, 1) };
    true
}

/// Runs `f` under the test handler; returns what it saw of a fault, or
/// `None` when `f` returned.
fn faulting(f: unsafe extern "C" fn(*mut u8), data: *mut u8) -> Option<(FaultKind, usize)> {
    install(test_handler).expect("install");
    init_thread().expect("init_thread");
    let mut buf = JmpBuf::default();
    SEEN.with(|s| s.set(None));
    ARMED.with(|a| a.set(&buf));
    // SAFETY: `buf` outlives the call; `f` owns nothing that needs dropping.
    let r = unsafe { resume::call(&mut buf, f, data) };
    ARMED.with(|a| a.set(std::ptr::null()));
    let seen = SEEN.with(Cell::get);
    assert_eq!(
        r != 0,
        seen.is_some(),
        "resumed exactly when a fault was seen"
    );
    seen
}

unsafe extern "C" fn read_at(data: *mut u8) {
    // SAFETY: none: the read is meant to fault (the page is inaccessible),
    // and the handler never lets it complete.
    let v = unsafe { std::ptr::read_volatile(data) };
    std::hint::black_box(v);
}

#[test]
fn an_access_to_an_inaccessible_page_is_a_fault_with_its_address() {
    if !resume::SUPPORTED {
        return;
    }
    let page = crate::vmem::page_size();
    let base = crate::vmem::reserve(2 * page).expect("reserve");
    // SAFETY: the first page of our own reservation.
    unsafe { crate::vmem::make_accessible(base, page) }.expect("accessible");
    // SAFETY: inside the accessible page.
    assert_eq!(faulting(read_at, base), None, "an accessible page reads");
    // SAFETY: the second page, inaccessible, still in the reservation.
    let target = unsafe { base.add(page + 24) };
    let (kind, pc) = faulting(read_at, target).expect("a fault");
    let addr = target as usize;
    let FaultKind::Access { addr: seen } = kind else {
        panic!("{kind:?}");
    };
    // Linux on s390x reports the page only.
    if cfg!(target_arch = "s390x") {
        assert_eq!(seen & !(page - 1), addr & !(page - 1));
    } else {
        assert_eq!(seen, addr);
    }
    assert_ne!(pc, 0);
    // SAFETY: the whole reservation, unused now.
    unsafe { crate::vmem::release(base, 2 * page) };
}

unsafe extern "C" fn illegal(_: *mut u8) {
    // SAFETY: the instruction traps; the handler never returns here.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        std::arch::asm!("ud2");
        #[cfg(target_arch = "aarch64")]
        std::arch::asm!("udf #0");
        #[cfg(target_arch = "riscv64")]
        std::arch::asm!("unimp");
        #[cfg(target_arch = "s390x")]
        std::arch::asm!(".2byte 0");
    }
}

#[test]
fn a_trapping_instruction_is_an_illegal_fault_at_its_address() {
    if !resume::SUPPORTED {
        return;
    }
    let (kind, pc) = faulting(illegal, std::ptr::null_mut()).expect("a fault");
    assert_eq!(kind, FaultKind::Illegal);
    // The pc is the instruction's (on s390x, which reports the address
    // after it, its last byte: where Cranelift records a trap).
    let f = illegal as *const () as usize;
    assert!(pc > f && pc < f + 64, "pc {pc:#x} vs function {f:#x}");
}

/// A hardware division by zero (x86_64 faults on it; aarch64 and riscv64
/// return 0, so compiled code checks explicitly there).
#[cfg(target_arch = "x86_64")]
unsafe extern "C" fn divide_by_zero(_: *mut u8) {
    // SAFETY: the division faults; the handler never returns here.
    unsafe {
        std::arch::asm!(
            "xor edx, edx",
            "mov eax, 1",
            "xor ecx, ecx",
            "div ecx",
            out("eax") _, out("ecx") _, out("edx") _,
        );
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn a_division_by_zero_is_an_arithmetic_fault() {
    let (kind, _) = faulting(divide_by_zero, std::ptr::null_mut()).expect("a fault");
    assert_eq!(kind, FaultKind::Arithmetic);
}

#[cfg(unix)]
#[test]
fn a_threads_alt_stack_is_unmapped_when_it_exits() {
    let sp = std::thread::spawn(|| {
        init_thread().expect("alt stack");
        let (sp, size) = unix::current_alt_stack().expect("installed");
        assert!(size >= unix::ALT_STACK_SIZE);
        // A second call keeps the stack.
        init_thread().expect("alt stack");
        assert_eq!(unix::current_alt_stack(), Some((sp, size)));
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
