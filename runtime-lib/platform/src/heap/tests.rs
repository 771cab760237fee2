use super::*;

#[test]
fn blocks_are_aligned_zeroed_and_grow() {
    let p = alloc(40);
    assert!(!p.is_null());
    assert_eq!(p as usize % MALLOC_ALIGN, 0);
    // SAFETY: a fresh block of 40 bytes.
    unsafe { p.write_bytes(7, 40) };
    // SAFETY: from `alloc`, 40 bytes asked.
    let q = unsafe { realloc(p, 40, 4000) };
    assert!(!q.is_null());
    // SAFETY: the first 40 bytes moved with the block.
    assert_eq!(unsafe { q.add(39).read() }, 7);
    // SAFETY: from `realloc`, with a layout of its alignment.
    unsafe { free(q, Layout::from_size_align(4000, 1).unwrap()) };
    let z = alloc_zeroed(64);
    // SAFETY: a fresh zeroed block of 64 bytes.
    assert!(
        unsafe { std::slice::from_raw_parts(z, 64) }
            .iter()
            .all(|&b| b == 0)
    );
    // SAFETY: from `alloc_zeroed`.
    unsafe { free(z, Layout::from_size_align(64, 8).unwrap()) };
}

#[test]
fn over_aligned_blocks_free_with_their_layout() {
    let layout = Layout::from_size_align(100, 4096).unwrap();
    let p = aligned_alloc(layout);
    assert!(!p.is_null());
    assert_eq!(p as usize % 4096, 0);
    // SAFETY: from `aligned_alloc` with `layout`.
    unsafe { free(p, layout) };
}
