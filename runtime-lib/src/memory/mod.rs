//! Linear memories: reservation, initial contents, growth.
//!
//! Phase: instance setup and `memory.grow`. Input: a
//! `kiln_abi::descriptor::MemoryDesc`. Output: a [`Memory`] whose `base`
//! never moves and whose accessible prefix is read-write.
//!
//! Invariants:
//! - Every memory reserves [`kiln_abi::MEMORY32_RESERVATION`] bytes of
//!   address space `PROT_NONE` (`MAP_NORESERVE`): 4 GiB addressable plus a
//!   4 GiB guard, so compiled 32-bit loads and stores need no bounds checks;
//!   an access past the accessible length faults and becomes a trap.
//! - Only the first `pages * page_size` bytes (rounded up to the host page)
//!   are read-write. Growth `mprotect`s more of the reservation, never moves.
//! - A memory is at most 4 GiB (the addressable half of the reservation),
//!   also for memory64 (which the compiler must bounds-check explicitly).
//! - Custom page sizes smaller than the host page cannot be enforced by page
//!   protection; the compiler must bounds-check such memories explicitly.
//! - The initial image (folded active data segments) is mapped copy-on-write
//!   from the executable file where possible ([`image`]), else copied.

pub mod image;

use kiln_abi::descriptor::MemoryDesc;

/// Addressable bytes of a memory (the non-guard half of the reservation).
pub const MAX_MEMORY_BYTES: u64 = kiln_abi::MEMORY32_RESERVATION / 2;

/// The host's page size.
pub fn host_page_size() -> usize {
    rustix::param::page_size()
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
        let limit_pages = MAX_MEMORY_BYTES >> desc.page_size_log2;
        if desc.min_pages > limit_pages {
            return Err(format!(
                "memory minimum size of {} pages exceeds memory limits",
                desc.min_pages
            ));
        }
        let reserved = kiln_abi::MEMORY32_RESERVATION as usize;
        // SAFETY: a fresh anonymous mapping at an address of the kernel's
        // choosing aliases nothing.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                reserved,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(format!(
                "failed to reserve {reserved} bytes of address space for a linear memory: {}",
                std::io::Error::last_os_error()
            ));
        }
        let mut memory = Memory {
            base: base.cast(),
            reserved,
            accessible: 0,
            page_size_log2: desc.page_size_log2,
            pages: 0,
            max_pages: desc.max_pages.min(limit_pages),
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
            unsafe {
                image::install(
                    memory.base.add(desc.image_offset as usize),
                    desc.image as usize as *const u8,
                    desc.image_len as usize,
                );
            }
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
    /// the maximum (declared, or [`MAX_MEMORY_BYTES`]) would be exceeded or
    /// the host refused.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages;
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        let need = round_up(new << self.page_size_log2, host_page_size() as u64) as usize;
        if need > self.accessible {
            // SAFETY: `[accessible, need)` lies inside our own reservation
            // (`need <= MAX_MEMORY_BYTES < reserved`).
            let rc = unsafe {
                libc::mprotect(
                    self.base.add(self.accessible).cast(),
                    need - self.accessible,
                    libc::PROT_READ | libc::PROT_WRITE,
                )
            };
            if rc != 0 {
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
        // SAFETY: we own the whole reservation; nothing refers to it once the
        // instance that owns this memory is gone.
        unsafe {
            libc::munmap(self.base.cast(), self.reserved);
        }
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
}
