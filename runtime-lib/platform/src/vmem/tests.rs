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

/// Page-aligned read-only data in the test binary's file: an image that
/// maps where the OS allows.
// NB: 64 KiB covers every Linux page size; COFF sections align to at
// most 8 KiB, and Windows pages are 4 KiB.
#[cfg_attr(unix, repr(C, align(65536)))]
#[cfg_attr(not(unix), repr(C, align(8192)))]
struct Aligned([u8; 65536]);

static IMAGE: Aligned = {
    let mut b = [0u8; 65536];
    let mut i = 0;
    while i < b.len() {
        b[i] = (i % 251) as u8 + 1;
        i += 1;
    }
    Aligned(b)
};

#[test]
fn images_map_where_the_os_allows_and_only_the_executables_bytes() {
    let len = IMAGE.0.len();
    let base = reserve(len).expect("reserve");
    // SAFETY: our own reservation, made read-write.
    unsafe { make_accessible(base, len) }.expect("accessible");
    // SAFETY: `base` is ours; the image is readable.
    let mapped = unsafe { map_image(base, IMAGE.0.as_ptr(), len) };
    assert_eq!(mapped, MAPS_IMAGES);
    if mapped {
        // SAFETY: the range is read-write, mapped from the file.
        unsafe {
            assert_eq!(std::slice::from_raw_parts(base, len), &IMAGE.0[..]);
            *base = 0;
        }
        assert_eq!(IMAGE.0[0], 1, "copy-on-write: the file's bytes stay");
    }
    // Heap bytes are in no file: never mapped.
    let heap = vec![7u8; 2 * len];
    let aligned = heap.as_ptr() as usize;
    let src = (aligned + len - 1) & !(len - 1);
    // SAFETY: as above; `src..src+len` lies in `heap`.
    assert!(!unsafe { map_image(base, src as *const u8, len) });
    // SAFETY: the whole reservation, unused now.
    unsafe { release(base, len) };
}
