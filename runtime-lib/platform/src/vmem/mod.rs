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
//! - [`make_inaccessible`] makes a range fault on any access, keeping its
//!   contents;
//! - [`discard`] gives a read-write range back to the OS: it stays
//!   read-write and reads zero again (on Linux, pages of a file mapped
//!   privately read the file's bytes again instead);
//! - [`release`] unmaps a whole reservation.

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
