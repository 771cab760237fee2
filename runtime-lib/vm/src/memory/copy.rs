//! The byte copy behind `memory.copy`.
//!
//! Phase: while the guest runs (the `memory_copy` libcall). Input: two
//! checked ranges of linear memory that may overlap. Output: the bytes
//! moved. Why not just `ptr::copy`: the runtime is linked statically with
//! musl, whose `memmove`/`memcpy` start every copy with `rep movsq` and
//! byte loops, slow for the short copies compilers emit `memory.copy` for
//! (a `Vec` push, a small string: most copies are under 64 bytes, and a
//! JSON parser spent a third of its time there). Short copies here are a
//! few unaligned loads, all done before any store, so overlapping ranges
//! need no direction test; long ones go to `ptr::copy`.

/// Copies `len` bytes from `src` to `dst`; the ranges may overlap.
///
/// # Safety
/// `src..src+len` must be readable and `dst..dst+len` writable for the
/// whole call. Callers pass linear memory, which other guest threads may
/// access meanwhile (shared memories): only raw, unaligned accesses are
/// made, never a reference to the bytes.
#[inline]
pub(crate) unsafe fn copy_bytes(dst: *mut u8, src: *const u8, len: usize) {
    // SAFETY (every block below): each access lies in `0..len` of its
    // range (`len` bounds the offsets in its arm), which the caller
    // guarantees accessible; every load precedes every store, so an
    // overlap between the ranges cannot make a store feed a later load.
    unsafe {
        match len {
            0 => {}
            1..=3 => {
                let (a, b, c) = (*src, *src.add(len / 2), *src.add(len - 1));
                *dst = a;
                *dst.add(len / 2) = b;
                *dst.add(len - 1) = c;
            }
            4..=7 => {
                let a = src.cast::<u32>().read_unaligned();
                let b = src.add(len - 4).cast::<u32>().read_unaligned();
                dst.cast::<u32>().write_unaligned(a);
                dst.add(len - 4).cast::<u32>().write_unaligned(b);
            }
            8..=16 => {
                let a = src.cast::<u64>().read_unaligned();
                let b = src.add(len - 8).cast::<u64>().read_unaligned();
                dst.cast::<u64>().write_unaligned(a);
                dst.add(len - 8).cast::<u64>().write_unaligned(b);
            }
            17..=32 => {
                let a = src.cast::<u128>().read_unaligned();
                let b = src.add(len - 16).cast::<u128>().read_unaligned();
                dst.cast::<u128>().write_unaligned(a);
                dst.add(len - 16).cast::<u128>().write_unaligned(b);
            }
            33..=64 => {
                let a = src.cast::<u128>().read_unaligned();
                let b = src.add(16).cast::<u128>().read_unaligned();
                let c = src.add(len - 32).cast::<u128>().read_unaligned();
                let d = src.add(len - 16).cast::<u128>().read_unaligned();
                dst.cast::<u128>().write_unaligned(a);
                dst.add(16).cast::<u128>().write_unaligned(b);
                dst.add(len - 32).cast::<u128>().write_unaligned(c);
                dst.add(len - 16).cast::<u128>().write_unaligned(d);
            }
            _ => std::ptr::copy(src, dst, len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::copy_bytes;

    /// Every length up to past the last short arm, every overlap in both
    /// directions, against a copy through a temporary.
    #[test]
    fn matches_memmove_with_overlaps() {
        for len in 0..80usize {
            for (src_at, dst_at) in (0..40).flat_map(|s| (0..40).map(move |d| (s, d))) {
                let mut buf: Vec<u8> = (0..160u32).map(|i| (i * 7 + 3) as u8).collect();
                let mut expected = buf.clone();
                let tmp = expected[src_at..src_at + len].to_vec();
                expected[dst_at..dst_at + len].copy_from_slice(&tmp);
                let p = buf.as_mut_ptr();
                // SAFETY: both ranges are inside `buf` (40 + 80 < 160), which
                // nothing else references during the call.
                unsafe { copy_bytes(p.add(dst_at), p.add(src_at), len) };
                assert_eq!(buf, expected, "len {len}, src {src_at}, dst {dst_at}");
            }
        }
    }
}
