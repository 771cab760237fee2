//! Linear memories: reservation, initial contents, growth.
//!
//! Phase: instance setup and `memory.grow`. Input: a
//! `kiln_abi::descriptor::MemoryDesc`. Output: a [`Memory`] whose `base`
//! never moves and whose accessible prefix is read-write.
//!
//! Invariants:
//! - A memory never moves: `base` is fixed for its lifetime, so compiled code
//!   loads it once per function.
//! - **32-bit memories** reserve [`kiln_abi::MEMORY32_RESERVATION`] bytes of
//!   inaccessible address space (`kiln_platform::vmem`; on Linux
//!   `PROT_NONE`, `MAP_NORESERVE`): 4 GiB addressable plus a
//!   4 GiB guard, so compiled loads and stores with 64 KiB pages need no
//!   bounds checks; an access past the accessible length faults and becomes
//!   a trap. They hold at most 4 GiB: 65536 pages of 64 KiB, or
//!   2^32 - 2 pages of 1 byte (custom page sizes; as in Wasmtime, the page
//!   count stays below `u32::MAX`, which `memory.grow` returns on failure).
//! - **64-bit memories** (memory64) are bounds-checked explicitly by compiled
//!   code against `current_length`, so they need no guard. Reservation
//!   policy: reserve `min(declared maximum, MEMORY64_RESERVATION)` bytes up
//!   front and never move; `memory.grow` past the reservation returns -1
//!   (the spec lets growth fail for any reason), and a minimum above it fails
//!   instantiation. So a memory64 can grow to [`MEMORY64_RESERVATION`]
//!   (1 TiB) at most. Address space, not memory: `PROT_NONE` and
//!   `MAP_NORESERVE` cost no commit charge, so ~100 such memories can live at
//!   once in the 128 TiB of a 47-bit address space (Wasmtime grows further
//!   by moving memories; Kiln's compiled code keeps `base` in a register).
//! - Only the first `pages * page_size` bytes, rounded up to the host page,
//!   are read-write. Growth makes more of the reservation accessible. Custom page
//!   sizes smaller than the host page cannot be enforced by page protection,
//!   so the compiler bounds-checks such memories explicitly too.
//! - The initial image (folded active data segments) is mapped copy-on-write
//!   from the executable file where possible ([`image`]), else copied.
//! - A dropped memory is kept for the next memory of the same description
//!   on its thread, its pages discarded ([`pool`]), so a server's instance
//!   per request does not reserve, map and unmap again.

pub(crate) mod copy;
pub mod image;
mod pool;
pub mod shared;

use kiln_abi::descriptor::{MEMORY_FLAG_64, MemoryDesc};

/// Addressable bytes of a 32-bit memory (the non-guard half of its
/// reservation).
pub const MAX_MEMORY_BYTES: u64 = kiln_abi::MEMORY32_RESERVATION / 2;

/// Most address space a 64-bit memory reserves, and so the most bytes it can
/// grow to (see the module docs).
pub const MEMORY64_RESERVATION: u64 = 1 << 40;

/// The host's page size.
pub fn host_page_size() -> usize {
    kiln_platform::vmem::page_size()
}

fn round_up(v: u64, to: u64) -> u64 {
    v.div_ceil(to) * to
}

/// One linear memory.
#[derive(Debug)]
pub struct Memory {
    base: *mut u8,
    reserved: usize,
    /// Read-write bytes from `base` (a multiple of the host page size).
    accessible: usize,
    page_size_log2: u32,
    pages: u64,
    max_pages: u64,
    /// The description it was made from (the [`pool`] reuses it only for
    /// an equal one).
    desc: MemoryDesc,
    /// How its image was installed, if it has one.
    image: Option<image::Installed>,
}

/// The reservation in bytes and the most pages a memory of `desc` can ever
/// have (module docs).
fn layout(desc: &MemoryDesc) -> (u64, u64) {
    let log2 = desc.page_size_log2;
    if desc.flags & MEMORY_FLAG_64 == 0 {
        // NB: 2^32 - 2 pages at most, as in Wasmtime: then neither
        // `memory.size` nor a successful `memory.grow` can return
        // 0xffff_ffff, which is `-1`, the failure value.
        let limit = (MAX_MEMORY_BYTES >> log2).min(u64::from(u32::MAX - 1));
        return (kiln_abi::MEMORY32_RESERVATION, limit);
    }
    let max_bytes = desc
        .max_pages
        .checked_shl(log2)
        .filter(|b| b >> log2 == desc.max_pages)
        .unwrap_or(u64::MAX);
    let page = host_page_size() as u64;
    // At least one host page: no OS reserves zero bytes.
    let reserved = round_up(max_bytes.min(MEMORY64_RESERVATION), page).max(page);
    (reserved, reserved >> log2)
}

impl Memory {
    /// Reserves and initialises a memory as `desc` says (minimum size,
    /// image). Fails with a one-line message.
    pub fn new(desc: &MemoryDesc) -> Result<Memory, String> {
        if desc.page_size_log2 > 16 {
            return Err(format!(
                "unsupported memory page size 2^{}",
                desc.page_size_log2
            ));
        }
        let (reserved, limit_pages) = layout(desc);
        // `-W max-memory-size`: a minimum above it fails instantiation, and
        // growth stops below it, as Wasmtime's store limits do.
        let limit_pages = limit_pages.min(crate::limits::max_memory_size() >> desc.page_size_log2);
        if desc.min_pages > limit_pages {
            return Err(format!(
                "memory minimum size of {} pages exceeds memory limits",
                desc.min_pages
            ));
        }
        let max_pages = desc.max_pages.min(limit_pages);
        if let Some(m) = pool::take(desc, max_pages) {
            return Ok(m);
        }
        let reserved = usize::try_from(reserved)
            .map_err(|_| "linear memory reservation exceeds the address space".to_string())?;
        let base = kiln_platform::vmem::reserve(reserved).map_err(|e| {
            format!("failed to reserve {reserved} bytes of address space for a linear memory: {e}")
        })?;
        let mut memory = Memory {
            base,
            reserved,
            accessible: 0,
            page_size_log2: desc.page_size_log2,
            pages: 0,
            max_pages,
            desc: *desc,
            image: None,
        };
        if memory.grow(desc.min_pages).is_none() {
            return Err(format!(
                "failed to make {} pages of linear memory accessible: {}",
                desc.min_pages,
                std::io::Error::last_os_error()
            ));
        }
        if desc.image != 0 && desc.image_len != 0 {
            let end = desc.image_offset.checked_add(desc.image_len);
            if end.is_none_or(|e| e > memory.byte_len() as u64) {
                return Err(format!(
                    "corrupt module descriptor: memory image {:#x}+{:#x} exceeds the initial size {:#x}",
                    desc.image_offset,
                    desc.image_len,
                    memory.byte_len()
                ));
            }
            // SAFETY: the range was checked to lie in the accessible prefix;
            // the image is `image_len` readable bytes of the executable.
            memory.image = Some(unsafe {
                image::install(
                    memory.base.add(desc.image_offset as usize),
                    desc.image as usize as *const u8,
                    desc.image_len as usize,
                )
            });
        }
        Ok(memory)
    }

    /// Start of the memory.
    pub fn base(&self) -> *mut u8 {
        self.base
    }

    /// Bytes of address space reserved from [`Memory::base`].
    pub fn reserved(&self) -> usize {
        self.reserved
    }

    /// Current size in bytes.
    pub fn byte_len(&self) -> usize {
        (self.pages << self.page_size_log2) as usize
    }

    /// Current size in pages.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// Grows by `delta` pages; returns the old size in pages, or `None` if
    /// the maximum (declared, the run's `max-memory-size`, or the
    /// reservation's: [`MAX_MEMORY_BYTES`] or [`MEMORY64_RESERVATION`])
    /// would be exceeded or the host refused.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages;
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        let need = round_up(new << self.page_size_log2, host_page_size() as u64) as usize;
        if need > self.accessible {
            // SAFETY: `[accessible, need)` lies inside our own reservation
            // (`new <= max_pages`, whose bytes `layout` bounded by it).
            let made = unsafe {
                kiln_platform::vmem::make_accessible(
                    self.base.add(self.accessible),
                    need - self.accessible,
                )
            };
            if made.is_err() {
                return None;
            }
            self.accessible = need;
        }
        self.pages = new;
        Some(old)
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        if self.base.is_null() || pool::give(self) {
            return;
        }
        // SAFETY: we own the whole reservation; nothing refers to it once the
        // instance that owns this memory is gone.
        unsafe { kiln_platform::vmem::release(self.base, self.reserved) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(min: u64, max: u64) -> MemoryDesc {
        MemoryDesc {
            min_pages: min,
            max_pages: max,
            image: 0,
            image_len: 0,
            image_offset: 0,
            page_size_log2: 16,
            flags: 0,
        }
    }

    #[test]
    fn reservation_and_initial_pages() {
        let m = Memory::new(&desc(2, u64::MAX)).expect("memory");
        assert_eq!(m.pages(), 2);
        assert_eq!(m.byte_len(), 2 * 65536);
        assert_eq!(m.reserved() as u64, kiln_abi::MEMORY32_RESERVATION);
        // SAFETY: the first two pages are read-write and zeroed.
        unsafe {
            assert_eq!(*m.base(), 0);
            *m.base().add(2 * 65536 - 1) = 7;
            assert_eq!(*m.base().add(2 * 65536 - 1), 7);
        }
    }

    #[test]
    fn grow_honours_max() {
        let mut m = Memory::new(&desc(1, 3)).expect("memory");
        assert_eq!(m.grow(0), Some(1));
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.grow(2), None);
        assert_eq!(m.pages(), 2);
        assert_eq!(m.grow(1), Some(2));
        assert_eq!(m.grow(1), None);
        // SAFETY: three pages are accessible now.
        unsafe { *m.base().add(3 * 65536 - 1) = 1 };
    }

    #[test]
    fn grow_stops_at_4gib() {
        let mut m = Memory::new(&desc(0, u64::MAX)).expect("memory");
        assert_eq!(m.grow(65537), None);
        assert_eq!(m.grow(u64::MAX), None);
        assert_eq!(m.grow(65536), Some(0));
        assert_eq!(m.byte_len() as u64, MAX_MEMORY_BYTES);
        assert_eq!(m.grow(1), None);
        assert_eq!(m.grow(0), Some(65536));
    }

    #[test]
    fn one_byte_pages_stop_two_bytes_below_4gib() {
        let mut d = desc(3, u64::MAX);
        d.page_size_log2 = 0;
        let mut m = Memory::new(&d).expect("memory");
        assert_eq!(m.byte_len(), 3);
        assert_eq!(m.grow(u64::from(u32::MAX) - 3), None);
        assert_eq!(m.grow(u64::from(u32::MAX) - 4), Some(3));
        assert_eq!(m.pages(), u64::from(u32::MAX) - 1);
        assert_eq!(m.grow(1), None);
        assert_eq!(m.grow(0), Some(u64::from(u32::MAX) - 1));
    }

    #[test]
    fn memory64_reserves_its_maximum() {
        let mut d = desc(1, 3);
        d.flags = MEMORY_FLAG_64;
        let mut m = Memory::new(&d).expect("memory");
        assert_eq!(m.reserved(), 3 * 65536);
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.grow(1), None);
        // SAFETY: three pages are accessible now.
        unsafe { *m.base().add(3 * 65536 - 1) = 1 };
    }

    /// Split from the test above because reserving 1 TiB takes qemu-user
    /// ~23 s (it keeps flags for every guest page, accessible or not):
    /// `.ci/run` skips every test named `*_1tib_*` in its emulated runs;
    /// the logic is the same on every architecture and runs natively.
    #[test]
    fn memory64_1tib_reservation_stops_at_the_cap() {
        let mut d = desc(1, u64::MAX);
        d.flags = MEMORY_FLAG_64;
        let mut m = Memory::new(&d).expect("memory");
        assert_eq!(m.reserved() as u64, MEMORY64_RESERVATION);
        let cap = MEMORY64_RESERVATION >> 16;
        assert_eq!(m.grow(cap), None);

        d.max_pages = 0;
        d.min_pages = 0;
        let mut m = Memory::new(&d).expect("memory");
        assert_eq!(m.grow(1), None);
        d.min_pages = cap + 1;
        d.max_pages = u64::MAX;
        assert!(Memory::new(&d).is_err());
    }

    /// Making 1 TiB accessible takes qemu-user ~25 s (see above). Linux
    /// only: Windows commits what is made accessible, and 1 TiB exceeds
    /// any commit limit (as for Wasmtime on Windows).
    #[cfg(unix)]
    #[test]
    fn memory64_1tib_grows_to_the_whole_reservation() {
        let mut d = desc(1, u64::MAX);
        d.flags = MEMORY_FLAG_64;
        let mut m = Memory::new(&d).expect("memory");
        let cap = MEMORY64_RESERVATION >> 16;
        assert_eq!(m.grow(cap - 1), Some(1));
        assert_eq!(m.byte_len() as u64, MEMORY64_RESERVATION);
        assert_eq!(m.grow(1), None);
    }

    #[test]
    fn too_large_minimum_fails() {
        assert!(Memory::new(&desc(65537, u64::MAX)).is_err());
    }

    #[test]
    fn image_is_installed() {
        // An image that is not page-aligned in any file: takes the copy path.
        let page = host_page_size();
        let bytes: Vec<u8> = (0..page).map(|i| (i % 251) as u8).collect();
        let mut d = desc(1, 1);
        d.image = bytes.as_ptr() as u64;
        d.image_len = page as u64;
        d.image_offset = 0;
        let m = Memory::new(&d).expect("memory");
        // SAFETY: the first page is accessible.
        let got = unsafe { std::slice::from_raw_parts(m.base(), page) };
        assert_eq!(got, &bytes[..]);
        d.image_offset = 65536;
        assert!(Memory::new(&d).is_err());
    }

    /// The protection `/proc/self/maps` gives the page at `addr`.
    #[cfg(target_os = "linux")]
    fn protection(addr: usize) -> String {
        let maps = std::fs::read_to_string("/proc/self/maps").expect("maps");
        maps.lines()
            .find_map(|l| {
                let (range, rest) = l.split_once(' ')?;
                let (a, b) = range.split_once('-')?;
                let (a, b) = (
                    usize::from_str_radix(a, 16).ok()?,
                    usize::from_str_radix(b, 16).ok()?,
                );
                (a <= addr && addr < b).then(|| rest[..4].to_string())
            })
            .expect("mapped")
    }

    /// A dropped memory comes back for the same description as a fresh
    /// one: its image again, zeroes elsewhere, its initial size only
    /// accessible (growth undone); another description gets another.
    /// (Read from `/proc/self/maps`: Linux only.)
    #[cfg(target_os = "linux")]
    #[test]
    fn a_dropped_memory_is_reused_fresh() {
        let page = host_page_size();
        let bytes: Vec<u8> = (0..page).map(|i| (i % 251) as u8 + 1).collect();
        let mut d = desc(1, 4);
        d.image = bytes.as_ptr() as u64;
        d.image_len = page as u64;
        let mut m = Memory::new(&d).expect("memory");
        let base = m.base() as usize;
        assert_eq!(m.grow(2), Some(1));
        // SAFETY: three pages are accessible.
        unsafe {
            *m.base() = 0;
            *m.base().add(page + 1) = 9;
            *m.base().add(3 * 65536 - 1) = 9;
        }
        drop(m);
        let m = Memory::new(&d).expect("memory");
        assert_eq!(m.base() as usize, base, "the pooled reservation is reused");
        assert_eq!((m.pages(), m.byte_len(), m.accessible), (1, 65536, 65536));
        // SAFETY: the first page is accessible.
        let got = unsafe { std::slice::from_raw_parts(m.base(), 65536) };
        assert_eq!(&got[..page], &bytes[..]);
        assert!(got[page..].iter().all(|b| *b == 0));
        assert_eq!(protection(base + 65536), "---p", "growth is undone");
        assert_eq!(protection(base), "rw-p");
        let other = Memory::new(&desc(2, 4)).expect("memory");
        assert_ne!(other.base() as usize, base);
    }

    /// An image mapped copy-on-write from the executable reads the file's
    /// bytes again after its memory is reused, whatever the guest wrote.
    #[test]
    fn a_mapped_image_is_reused_fresh() {
        let mut d = desc(2, 2);
        d.image = image::IMAGE.0.as_ptr() as u64;
        d.image_len = 65536;
        let m = Memory::new(&d).expect("memory");
        let expected = if kiln_platform::vmem::MAPS_IMAGES {
            image::Installed::Mapped
        } else {
            image::Installed::Copied
        };
        assert_eq!(m.image, Some(expected));
        let base = m.base() as usize;
        // SAFETY: two pages are accessible.
        unsafe {
            *m.base() = 0;
            *m.base().add(65535) = 0;
            *m.base().add(65536) = 5;
        }
        drop(m);
        let m = Memory::new(&d).expect("memory");
        assert_eq!(m.base() as usize, base);
        // SAFETY: two pages are accessible.
        let got = unsafe { std::slice::from_raw_parts(m.base(), 2 * 65536) };
        assert_eq!(&got[..65536], &image::IMAGE.0[..]);
        assert!(got[65536..].iter().all(|b| *b == 0));
    }
}
