//! Virtual memory: reservations of address space whose pages are made
//! accessible (read-write) and inaccessible again, for linear memories.
//!
//! Inputs: lengths and addresses that are multiples of [`page_size`],
//! inside a reservation from [`reserve`]. Outputs: the reservation's base,
//! or the OS error.
//!
//! Semantics, the same on every OS:
//! - a fresh reservation is inaccessible and costs no memory (Linux:
//!   `PROT_NONE` with `MAP_NORESERVE`; Windows: `MEM_RESERVE`);
//! - [`make_accessible`] makes a range read-write; pages never touched
//!   read zero (Windows commits them: they count against the commit
//!   limit from then on, as in Wasmtime on Windows);
//! - [`make_executable`] makes a range read-only and executable;
//! - [`make_inaccessible`] makes a range fault on any access, keeping its
//!   contents;
//! - [`discard`] gives a read-write range back to the OS: it stays
//!   read-write and reads zero again (on Linux, pages of a file mapped
//!   privately read the file's bytes again instead);
//! - [`release`] unmaps a whole reservation;
//! - [`map_image`] puts bytes of the executable's own file at an address
//!   copy-on-write, where the OS allows ([`MAPS_IMAGES`]).

#[cfg(unix)]
mod image_unix;
#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as os;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;

use std::io;

/// The granularity of protection: the host's page size.
pub fn page_size() -> usize {
    os::page_size()
}

/// Reserves `len` bytes of inaccessible address space at an address of the
/// OS's choosing.
pub fn reserve(len: usize) -> io::Result<*mut u8> {
    os::reserve(len)
}

/// Makes `[addr, addr + len)` read-write.
///
/// # Safety
/// The range lies in one reservation of the caller's from [`reserve`];
/// page-aligned.
pub unsafe fn make_accessible(addr: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: the caller's contract, passed on.
    unsafe { os::make_accessible(addr, len) }
}

/// Makes the accessible range `[addr, addr + len)` read-only and
/// executable, keeping its contents: for machine code written at run time
/// (the runtime's own tests; compiled wasm lives in the executable).
///
/// # Safety
/// As [`make_accessible`], and the range is accessible; nothing may write
/// it afterwards.
pub unsafe fn make_executable(addr: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: the caller's contract, passed on.
    unsafe { os::make_executable(addr, len) }
}

/// Makes `[addr, addr + len)` fault on access.
///
/// # Safety
/// As [`make_accessible`]; nothing may access the range afterwards until
/// it is accessible again.
pub unsafe fn make_inaccessible(addr: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: the caller's contract, passed on.
    unsafe { os::make_inaccessible(addr, len) }
}

/// Discards the contents of the read-write range `[addr, addr + len)`.
///
/// # Safety
/// As [`make_accessible`], and the range is read-write; no reference into
/// it outlives the call (its bytes change).
pub unsafe fn discard(addr: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: the caller's contract, passed on.
    unsafe { os::discard(addr, len) }
}

/// Releases the reservation of `len` bytes at `addr`.
///
/// # Safety
/// `addr` and `len` are exactly a reservation from [`reserve`], which
/// nothing refers to any more.
pub unsafe fn release(addr: *mut u8, len: usize) {
    // SAFETY: the caller's contract, passed on.
    unsafe { os::release(addr, len) }
}

#[cfg(test)]
mod tests;

/// Whether [`map_image`] can map at all on this OS (Linux: yes; Windows:
/// not yet, every image is copied).
pub const MAPS_IMAGES: bool = cfg!(unix);

/// Maps the `len` bytes at `src`, which lie in the loaded executable,
/// copy-on-write over the read-write range at `dst`: the range then reads
/// those bytes, sharing the file's pages until it is written. Returns
/// `false` when it cannot (not page-aligned, not in a file-backed part of
/// the main program, the OS refusing, [`MAPS_IMAGES`] false); `dst` is
/// then read-write (its contents unspecified) and the caller copies.
///
/// # Safety
/// `dst..dst+len` is read-write memory of the caller's that nothing else
/// refers to; `src..src+len` readable.
pub unsafe fn map_image(dst: *mut u8, src: *const u8, len: usize) -> bool {
    #[cfg(unix)]
    // SAFETY: the caller's contract, passed on.
    return unsafe { image_unix::map_image(dst, src, len) };
    #[cfg(not(unix))]
    {
        let _ = (dst, src, len);
        false
    }
}
