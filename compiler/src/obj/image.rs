//! Initial memory images: active data segments folded at compile time.
//!
//! Phase 3. Input: the module's memories and data segments. Output: per
//! defined memory at most one page-aligned image (offset in the memory and
//! bytes, both multiples of [`OS_PAGE_SIZE`]), and which segments it
//! contains. The runtime maps an image copy-on-write from the executable
//! file, then applies the remaining active segments in order.
//!
//! Invariants:
//! - Segments apply in order, so folding stops at the first active segment
//!   that cannot be folded (non-constant offset, or not within the initial
//!   size): it and every later segment are applied by the runtime, which
//!   therefore still traps on an out-of-bounds segment after the earlier
//!   ones took effect.
//! - Sparse data is not folded: an image larger than
//!   `2 * segment bytes + 64 KiB` would waste file size, so such a memory
//!   keeps all its segments as plain data.
//!
//! ```wat
//! (memory 2)
//! (data (i32.const 0x100) "a")      ;; folded: image [0x0000, 0x1000)
//! (data (i32.const 0x1800) "b")     ;; folded: image grows to [0x0000, 0x2000)
//! (data (global.get $g) "c")        ;; not constant: stop
//! (data (i32.const 0x10) "d")       ;; applied by the runtime after "c"
//! ```

use super::data::{DataBuilder, DataObjects};
use super::symbols::DataKey;
use crate::module::{ConstExprInfo, MemoryIndex, ModuleInfo, SegmentMode};
use std::collections::BTreeMap;

/// Granularity and alignment of images (the smallest page size of the
/// targets; the runtime maps images at this granularity).
pub const OS_PAGE_SIZE: u64 = 4096;

/// Most bytes an image may exceed twice its data by before it is not built.
const SPARSE_SLACK: u64 = 64 * 1024;

/// The initial contents of one memory.
#[derive(Debug, PartialEq, Eq)]
pub struct MemoryImage {
    /// Where the image starts in the memory (multiple of [`OS_PAGE_SIZE`]).
    pub offset: u64,
    /// The bytes (length a multiple of [`OS_PAGE_SIZE`]).
    pub bytes: Vec<u8>,
}

/// The result of folding.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImagePlan {
    /// By memory index.
    pub images: BTreeMap<u32, MemoryImage>,
    /// By data segment index: whether the segment is part of an image (and
    /// so needs no runtime work nor bytes of its own).
    pub folded: Vec<bool>,
}

/// The ELF section of memory images: read-only, allocated, never written,
/// so the runtime can map images copy-on-write from the executable file.
/// (`.rodata.*` input sections land in the output `.rodata`, inside a
/// read-only `PT_LOAD` segment; an image keeps its page alignment there, so
/// its file offset is page-aligned too.)
pub const IMAGE_SECTION: &str = ".rodata.kiln_image";

/// Stores each image as the data object `__kiln_image_<memory>`, aligned to
/// [`OS_PAGE_SIZE`], in [`IMAGE_SECTION`].
pub fn emit_images(images: BTreeMap<u32, MemoryImage>, objects: &mut DataObjects) {
    for (memory, image) in images {
        let mut b = DataBuilder::new(OS_PAGE_SIZE).in_section(IMAGE_SECTION);
        b.set_bytes(image.bytes);
        objects.insert(DataKey::Image(memory), b);
    }
}

/// Folds what can be folded.
pub fn plan_images(info: &ModuleInfo, wasm: &[u8]) -> ImagePlan {
    let mut folded = vec![false; info.data.len()];
    // Candidate segments per memory, in order.
    let mut candidates: BTreeMap<MemoryIndex, Vec<(usize, u64)>> = BTreeMap::new();
    for (i, seg) in info.data.iter().enumerate() {
        let SegmentMode::Active { index, offset } = &seg.mode else {
            continue;
        };
        let Some(start) = foldable_offset(info, *index, offset, seg.range.len() as u64) else {
            break;
        };
        candidates.entry(*index).or_default().push((i, start));
    }

    let mut images = BTreeMap::new();
    for (memory, segs) in candidates {
        let data_bytes: u64 = segs
            .iter()
            .map(|&(i, _)| info.data[i].range.len() as u64)
            .sum();
        let non_empty = || {
            segs.iter()
                .filter(|&&(i, _)| !info.data[i].range.is_empty())
        };
        let first = non_empty().map(|&(_, start)| start).min();
        let last = non_empty()
            .map(|&(i, start)| start + info.data[i].range.len() as u64)
            .max();
        let (Some(first), Some(last)) = (first, last) else {
            // Only empty in-bounds segments: nothing to apply at all.
            for &(i, _) in &segs {
                folded[i] = true;
            }
            continue;
        };
        let lo = first / OS_PAGE_SIZE * OS_PAGE_SIZE;
        let hi = last.div_ceil(OS_PAGE_SIZE) * OS_PAGE_SIZE;
        let len = hi - lo;
        if len > 2 * data_bytes + SPARSE_SLACK {
            continue;
        }
        // `len` is bounded by the slack check above, so it fits in memory.
        let mut bytes = vec![0u8; len as usize];
        for &(i, start) in &segs {
            folded[i] = true;
            let src = &wasm[info.data[i].range.clone()];
            // NB: an empty segment (in bounds, so a no-op) may start
            // outside `lo..hi`, which only non-empty segments span.
            if src.is_empty() {
                continue;
            }
            let at = (start - lo) as usize;
            bytes[at..at + src.len()].copy_from_slice(src);
        }
        // Keyed by the bare number: the image's symbol and the memory's
        // descriptor record name it so.
        images.insert(memory.as_u32(), MemoryImage { offset: lo, bytes });
    }
    ImagePlan { images, folded }
}

/// The start of an active segment of `len` bytes if it can be folded into
/// the image of `memory`: a constant offset, in bounds of the initial size,
/// of a defined, unshared memory with pages of at least [`OS_PAGE_SIZE`].
fn foldable_offset(
    info: &ModuleInfo,
    memory: MemoryIndex,
    offset: &ConstExprInfo,
    len: u64,
) -> Option<u64> {
    // An imported memory was initialized by its owner: not ours to fold.
    info.defined_memory_index(memory)?;
    let mem = info.memories.get(memory)?;
    // A shared memory is not mapped from an image; a memory whose pages
    // are smaller than the image granularity could be smaller than the
    // page-rounded image.
    if mem.shared || u64::from(mem.page_size_log2) < u64::from(OS_PAGE_SIZE.trailing_zeros()) {
        return None;
    }
    if mem.page_size_log2 >= 64 || mem.min > (u64::MAX >> mem.page_size_log2) {
        return None;
    }
    let initial = mem.min << mem.page_size_log2;
    let start = offset.constant_offset(mem.memory64)?;
    let end = start.checked_add(len)?;
    (end <= initial).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn plan(wat: &str) -> ImagePlan {
        let wasm = wat::parse_str(wat).expect("wat");
        let info = crate::module::translate_module(&wasm, &Config::default()).expect("valid");
        plan_images(&info, &wasm)
    }

    #[test]
    fn folds_dense_segments() {
        let p = plan(
            r#"(module (memory 2)
                (data (i32.const 0x100) "a")
                (data (i32.const 0x1800) "bc")
                (data "passive")
                (data (i32.const 0x101) "z"))"#,
        );
        assert_eq!(p.folded, [true, true, false, true]);
        let img = &p.images[&0];
        assert_eq!(img.offset, 0);
        assert_eq!(img.bytes.len(), 0x2000);
        assert_eq!(&img.bytes[0x100..0x102], b"az");
        assert_eq!(&img.bytes[0x1800..0x1802], b"bc");
    }

    #[test]
    fn image_starts_at_first_touched_page() {
        let p = plan(r#"(module (memory 1) (data (i32.const 0x5010) "x"))"#);
        let img = &p.images[&0];
        assert_eq!((img.offset, img.bytes.len()), (0x5000, 0x1000));
        assert_eq!(img.bytes[0x10], b'x');
    }

    #[test]
    fn stops_at_out_of_bounds_or_dynamic_segment() {
        let p = plan(
            r#"(module (memory 1)
                (data (i32.const 0) "a")
                (data (i32.const 0xffff) "bc")
                (data (i32.const 2) "c"))"#,
        );
        assert_eq!(p.folded, [true, false, false]);
        // Imported globals are rejected by Kiln, so build the module by hand.
        let wasm = wat::parse_str(
            r#"(module (memory 1)
                (data (i32.const 0) "a") (data (i32.const 1) "b") (data (i32.const 2) "c"))"#,
        )
        .expect("wat");
        let mut info = crate::module::translate_module(&wasm, &Config::default()).expect("valid");
        info.data[1].mode = SegmentMode::Active {
            index: MemoryIndex::from_u32(0),
            offset: ConstExprInfo::GlobalGet(crate::module::GlobalIndex::from_u32(0)),
        };
        assert_eq!(plan_images(&info, &wasm).folded, [true, false, false]);
    }

    #[test]
    fn sparse_data_is_not_folded() {
        let p = plan(
            r#"(module (memory 100)
                (data (i32.const 0) "a")
                (data (i32.const 0x500000) "b"))"#,
        );
        assert!(p.images.is_empty());
        assert_eq!(p.folded, [false, false]);
    }

    #[test]
    fn memory64_and_multi_memory_fold_per_memory() {
        let p = plan(
            r#"(module (memory 1) (memory $w i64 1) (memory $s 8192 (pagesize 1))
                (data (memory $w) (i64.const 0x2001) "w")
                (data (memory 0) (i32.const 3) "a")
                (data (memory $s) (i32.const 0) "s"))"#,
        );
        // 1-byte pages: an image (page-rounded) could outgrow the memory.
        assert_eq!(p.folded, [true, true, false]);
        assert_eq!(p.images[&0].bytes[3], b'a');
        let w = &p.images[&1];
        assert_eq!((w.offset, w.bytes[1]), (0x2000, b'w'));
        assert!(!p.images.contains_key(&2));
    }

    #[test]
    fn zero_pages_and_empty_segments() {
        let p = plan(r#"(module (memory 0) (data (i32.const 0) ""))"#);
        assert!(p.images.is_empty());
        assert_eq!(p.folded, [true]);
        let p = plan(r#"(module (memory 0) (data (i32.const 0) "x"))"#);
        assert_eq!(p.folded, [false]);
    }

    #[test]
    fn empty_segments_outside_the_image_span() {
        // Regression (differential fuzzing): an empty segment past the
        // last non-empty one (or before the first) made the copy index
        // outside the image and panic.
        let p = plan(
            r#"(module (memory 1) (data (i32.const 30000) "") (data (i32.const 8192) "a")
                (data (i32.const 60000) ""))"#,
        );
        assert_eq!(p.folded, [true, true, true]);
        let image = &p.images[&0];
        assert_eq!(
            (image.offset, image.bytes.len(), image.bytes[0]),
            (8192, 4096, b'a')
        );
    }
}
