//! The [`super`] semantics, checked on whichever OS runs the tests (Linux
//! natively; Windows under Wine in CI).

use super::*;

const MIB: usize = 1 << 20;

#[test]
fn page_size_is_a_power_of_two() {
    let p = page_size();
    assert!(p >= 4096 && p.is_power_of_two(), "{p}");
}

#[test]
fn accessible_pages_read_zero_and_keep_writes() {
    let base = reserve(4 * MIB).expect("reserve");
    let page = page_size();
    // SAFETY: the first two pages of our reservation, made read-write.
    unsafe {
        make_accessible(base, 2 * page).expect("make accessible");
        assert_eq!(*base, 0);
        assert_eq!(*base.add(2 * page - 1), 0);
        *base.add(page) = 7;
        // Growing keeps what is there.
        make_accessible(base, 3 * page).expect("grow");
        assert_eq!(*base.add(page), 7);
        assert_eq!(*base.add(3 * page - 1), 0);
        release(base, 4 * MIB);
    }
}

#[test]
fn inaccessible_pages_keep_their_contents() {
    let base = reserve(MIB).expect("reserve");
    let page = page_size();
    // SAFETY: our reservation; no access while the page is inaccessible.
    unsafe {
        make_accessible(base, page).expect("make accessible");
        *base.add(5) = 9;
        make_inaccessible(base, page).expect("make inaccessible");
        make_accessible(base, page).expect("make accessible again");
        assert_eq!(*base.add(5), 9);
        release(base, MIB);
    }
}

#[test]
fn discarded_pages_read_zero_and_stay_writable() {
    let base = reserve(MIB).expect("reserve");
    let page = page_size();
    // SAFETY: our reservation's first two pages, read-write throughout.
    unsafe {
        make_accessible(base, 2 * page).expect("make accessible");
        *base = 1;
        *base.add(2 * page - 1) = 2;
        discard(base, 2 * page).expect("discard");
        assert_eq!(*base, 0);
        assert_eq!(*base.add(2 * page - 1), 0);
        *base = 3;
        assert_eq!(*base, 3);
        release(base, MIB);
    }
}

#[test]
fn large_reservations_cost_no_memory() {
    // 8 GiB: a 32-bit linear memory with its guard, reserved 16 times.
    let len = 8usize << 30;
    let bases: Vec<_> = (0..16).map(|_| reserve(len).expect("reserve")).collect();
    for b in bases {
        // SAFETY: each is exactly one of our reservations.
        unsafe { release(b, len) };
    }
}
