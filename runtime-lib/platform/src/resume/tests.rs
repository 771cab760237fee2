//! Resume points on this architecture and calling convention: a plain
//! return, a resume from deeper frames, and the caller's registers after
//! one.

use super::*;

/// What the called function does, through `data`.
struct Plan {
    buf: *const JmpBuf,
    resume_with: Option<u32>,
    ran: bool,
}

unsafe extern "C" fn run(data: *mut u8) {
    // SAFETY: `data` is the test's `Plan`, alive for the whole call.
    let plan = unsafe { &mut *data.cast::<Plan>() };
    plan.ran = true;
    if let Some(value) = plan.resume_with {
        deeper(plan.buf, value, 3);
    }
}

/// A few frames of its own before resuming, as compiled code would have.
#[inline(never)]
fn deeper(buf: *const JmpBuf, value: u32, n: u32) {
    if n == 0 {
        if SUPPORTED {
            // SAFETY: `buf`'s call is running below; these frames own
            // nothing that needs dropping.
            #[cfg(any(
                target_arch = "x86_64",
                target_arch = "aarch64",
                target_arch = "riscv64",
                target_arch = "s390x"
            ))]
            unsafe {
                resume(buf, value)
            }
        }
        return;
    }
    deeper(std::hint::black_box(buf), value, n - 1);
}

fn call_with(resume_with: Option<u32>) -> (u32, bool) {
    let mut buf = JmpBuf::default();
    let mut plan = Plan {
        buf: &buf,
        resume_with,
        ran: false,
    };
    // SAFETY: `buf` and `plan` outlive the call.
    let r = unsafe { call(&mut buf, run, (&raw mut plan).cast()) };
    (r, plan.ran)
}

#[test]
fn a_plain_return_gives_zero() {
    assert_eq!(call_with(None), (0, true));
}

#[test]
fn a_resume_returns_its_value() {
    if !SUPPORTED {
        return;
    }
    assert_eq!(call_with(Some(7)), (7, true));
    // And again: the buffer is reusable.
    assert_eq!(call_with(Some(1)), (1, true));
}

#[test]
fn callee_saved_registers_survive_a_resume() {
    if !SUPPORTED {
        return;
    }
    // Many live values (integers and floats) across the call force the
    // compiler to keep some in callee-saved registers.
    let ints: Vec<u64> = (1..=12).map(|i| i * 0x1111).collect();
    let floats: Vec<f64> = (1..=12).map(|i| f64::from(i) * 1.5).collect();
    let (a, b, c, d, e, f) = (ints[0], ints[1], ints[2], ints[3], ints[4], ints[5]);
    let (g, h, i, j, k, l) = (
        floats[0], floats[1], floats[2], floats[3], floats[4], floats[5],
    );
    let (r, _) = call_with(Some(2));
    assert_eq!(r, 2);
    assert_eq!(
        std::hint::black_box((a, b, c, d, e, f)),
        (0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666)
    );
    assert_eq!(
        std::hint::black_box((g, h, i, j, k, l)),
        (1.5, 3.0, 4.5, 6.0, 7.5, 9.0)
    );
}
