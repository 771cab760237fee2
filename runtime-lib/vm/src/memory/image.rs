//! Installs a memory's initial image: copy-on-write from the executable
//! file when possible, `memcpy` otherwise.
//!
//! Phase: memory setup. Inputs: the destination inside a memory's
//! accessible prefix and the image's address in the loaded executable
//! (`MemoryDesc::image`). Output: the destination holds the image.
//!
//! How: `kiln_platform::vmem::map_image` maps the executable file's own
//! bytes over the destination where the OS allows (Linux); anything else
//! falls back to a copy, which is always correct.

/// How [`install`] put the image in place.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Installed {
    /// Mapped copy-on-write from the executable file.
    Mapped,
    /// Copied.
    Copied,
}

/// Puts `len` bytes from `src` (inside the executable) at `dst`.
///
/// # Safety
/// `dst..dst+len` must be read-write memory owned by the caller (a linear
/// memory's accessible prefix) and `src..src+len` readable.
pub unsafe fn install(dst: *mut u8, src: *const u8, len: usize) -> Installed {
    // SAFETY: forwarded from the caller.
    if unsafe { kiln_platform::vmem::map_image(dst, src, len) } {
        return Installed::Mapped;
    }
    // SAFETY: forwarded from the caller; the ranges are distinct objects.
    unsafe { std::ptr::copy_nonoverlapping(src, dst, len) };
    Installed::Copied
}

/// Page-aligned read-only data in the test binary's file: an image that
/// maps (this module's tests and the memory pool's).
#[cfg(test)]
// NB: 64 KiB covers every Linux page size; COFF sections align to at
// most 8 KiB, and Windows pages are 4 KiB.
#[cfg_attr(unix, repr(C, align(65536)))]
#[cfg_attr(not(unix), repr(C, align(8192)))]
pub(super) struct Aligned(pub(super) [u8; 65536]);

/// See [`Aligned`].
#[cfg(test)]
pub(super) static IMAGE: Aligned = {
    let mut b = [0u8; 65536];
    let mut i = 0;
    while i < b.len() {
        b[i] = (i % 253) as u8 + 1;
        i += 1;
    }
    Aligned(b)
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_copy_on_write_from_the_executable_where_the_os_allows() {
        let len = 65536;
        let dst = kiln_platform::vmem::reserve(len).expect("reserve");
        // SAFETY: our own fresh reservation.
        unsafe { kiln_platform::vmem::make_accessible(dst, len) }.expect("accessible");
        // SAFETY: `dst` is ours and `IMAGE` readable.
        let how = unsafe { install(dst, IMAGE.0.as_ptr(), len) };
        // The static lands in a file-backed segment at a page-aligned
        // address, so it maps where the OS can.
        let expected = if kiln_platform::vmem::MAPS_IMAGES {
            Installed::Mapped
        } else {
            Installed::Copied
        };
        assert_eq!(how, expected);
        // SAFETY: `dst..dst+len` is read-write.
        unsafe {
            let got = std::slice::from_raw_parts(dst, len);
            assert_eq!(got, &IMAGE.0[..]);
            *dst = 0;
            *dst.add(len - 1) = 0;
        }
        // Copy-on-write: the executable's bytes are untouched.
        assert_eq!(IMAGE.0[0], 1);
        // SAFETY: releasing our own reservation.
        unsafe { kiln_platform::vmem::release(dst, len) };
    }
}
