//! The caching allocator (`crate::alloc`): classes, reuse, `realloc`,
//! `alloc_zeroed`.

use crate::alloc::{ARENA_BYTES, CachingMalloc, class, class_size, in_arena};
use std::alloc::{GlobalAlloc, Layout};

#[test]
fn classes_cover_small_layouts() {
    let l = |s, a| Layout::from_size_align(s, a).expect("layout");
    assert_eq!(class(l(1, 1)), Some(0));
    assert_eq!(class(l(16, 8)), Some(0));
    assert_eq!(class(l(17, 8)), Some(1));
    assert_eq!(class(l(512, 16)), Some(5));
    assert_eq!(class(l(513, 1)), Some(6));
    assert_eq!(class(l(8193, 1)), None);
    assert_eq!(class(l(64, 32)), None);
    assert_eq!(class_size(5), 512);
}

#[test]
fn blocks_are_reused_and_realloc_keeps_contents() {
    let a = CachingMalloc;
    let l = Layout::from_size_align(40, 8).expect("layout");
    // SAFETY: layouts valid; every block freed once with its layout.
    unsafe {
        let p = a.alloc(l);
        assert!(!p.is_null());
        a.dealloc(p, l);
        let q = a.alloc(l);
        assert_eq!(p, q, "the freed block of the class comes back");
        for i in 0..40 {
            q.add(i).write(i as u8);
        }
        let r = a.realloc(q, l, 9000);
        assert!(!r.is_null());
        assert!((0..40).all(|i| r.add(i).read() == i as u8));
        let big = Layout::from_size_align(9000, 8).expect("layout");
        let s = a.realloc(r, big, 20);
        assert!((0..20).all(|i| s.add(i).read() == i as u8));
        a.dealloc(s, Layout::from_size_align(20, 8).expect("layout"));
        let wide = Layout::from_size_align(100, 64).expect("layout");
        let w = a.alloc(wide);
        assert_eq!(w as usize % 64, 0);
        a.dealloc(w, wide);
    }
}

/// Class blocks come from the arena until it is used up, then from
/// `malloc`; an arena block freed onto a full list is dropped, never handed
/// to `free` (which would abort). (The tests share the process's arena, as
/// every test allocation goes through it: how many of these blocks it
/// still serves depends on the tests before; run alone, most.)
#[test]
fn arena_blocks_are_never_freed() {
    let a = CachingMalloc;
    let l = Layout::from_size_align(4096, 16).expect("layout");
    let mut blocks = Vec::new();
    // SAFETY: layouts valid; every block freed once with its layout.
    unsafe {
        while blocks.len() <= ARENA_BYTES / 4096 + 32 {
            let p = a.alloc(l);
            assert!(!p.is_null());
            assert_eq!(p as usize % 16, 0);
            p.write_bytes(0xa5, 4096);
            blocks.push(p);
            if !in_arena(p) && blocks.len() > 16 {
                break;
            }
        }
        assert!(
            !in_arena(*blocks.last().expect("blocks")),
            "malloc once it is used up"
        );
        for p in blocks {
            a.dealloc(p, l);
        }
    }
}

/// `alloc_zeroed` skips the `memset` only where memory is known zero
/// (fresh arena, `calloc`): a recycled block of a class, a big block and
/// an over-aligned one all come back zeroed after being dirtied.
#[test]
fn alloc_zeroed_clears_recycled_blocks() {
    let a = CachingMalloc;
    let l = |s, al| Layout::from_size_align(s, al).expect("layout");
    // SAFETY: layouts valid; every block freed once with its layout.
    unsafe {
        for layout in [l(24, 8), l(4000, 16), l(20_000, 16), l(300, 64)] {
            for _ in 0..3 {
                let p = a.alloc_zeroed(layout);
                assert!(!p.is_null());
                assert_eq!(p as usize % layout.align(), 0);
                assert!(
                    (0..layout.size()).all(|i| p.add(i).read() == 0),
                    "{layout:?} zeroed"
                );
                // Dirtied and freed: a class block is the one the next
                // round gets back from this thread's list.
                p.write_bytes(0x5a, layout.size());
                a.dealloc(p, layout);
            }
        }
    }
}
