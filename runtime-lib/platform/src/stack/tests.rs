//! [`super`], natively and under Wine.

use super::*;

/// Approximately the current stack pointer.
#[inline(never)]
fn sp() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

#[test]
fn this_threads_stack_holds_a_local() {
    let (low, high) = thread_bounds().expect("the OS tells the stack's extent");
    let here = sp();
    assert!(
        low < here && here < high,
        "{low:#x} < {here:#x} < {high:#x}"
    );
    // Cached: the same answer again.
    assert_eq!(thread_bounds(), Some((low, high)));
}

#[test]
fn a_new_threads_stack_has_its_size() {
    let size = 2 << 20;
    let (low, high, here) = std::thread::Builder::new()
        .stack_size(size)
        .spawn(|| {
            let (low, high) = thread_bounds().expect("thread stack");
            (low, high, sp())
        })
        .expect("spawn")
        .join()
        .expect("join");
    assert!(low < here && here < high);
    // Usable: most of what was asked for, never more than a little over
    // (the OS rounds the size up).
    let usable = high - low;
    assert!(usable >= size / 2 && usable <= size + (1 << 20), "{usable}");
}

#[cfg(unix)]
#[test]
fn stack_top_from_auxv_is_the_stack_mapping_end() {
    // The cheap way and the reference way agree (also under qemu-user,
    // where the cross slice runs these tests).
    let maps = unix::stack_top_from_maps().expect("a [stack] mapping");
    assert_eq!(unix::stack_top_from_auxv(), Some(maps));
}
