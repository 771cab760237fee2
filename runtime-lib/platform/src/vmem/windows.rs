//! [`super`] on Windows: `VirtualAlloc` (`MEM_RESERVE`, `MEM_COMMIT`),
//! `VirtualProtect`, `VirtualFree`.
//!
//! Commit, not protection, makes pages usable on Windows: a range is
//! committed read-write when it becomes accessible, and decommitted when it
//! is discarded (then committed again, so that it stays read-write and
//! reads zero, as after Linux's `MADV_DONTNEED` of anonymous pages).

use std::io;
use windows_sys::Win32::System::Memory::{
    MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_EXECUTE_READ, PAGE_NOACCESS,
    PAGE_READWRITE, VirtualAlloc, VirtualFree, VirtualProtect,
};
use windows_sys::Win32::System::SystemInformation::{GetSystemInfo, SYSTEM_INFO};

pub fn page_size() -> usize {
    // SAFETY: `GetSystemInfo` fills the zeroed struct it is given.
    let info = unsafe {
        let mut info: SYSTEM_INFO = std::mem::zeroed();
        GetSystemInfo(&mut info);
        info
    };
    usize::try_from(info.dwPageSize).unwrap_or(4096)
}

pub fn reserve(len: usize) -> io::Result<*mut u8> {
    // SAFETY: a fresh reservation at an address of the OS's choosing
    // aliases nothing.
    let base = unsafe { VirtualAlloc(std::ptr::null(), len, MEM_RESERVE, PAGE_NOACCESS) };
    if base.is_null() {
        return Err(io::Error::last_os_error());
    }
    Ok(base.cast())
}

fn check(ok: bool) -> io::Result<()> {
    if ok {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub unsafe fn make_accessible(addr: *mut u8, len: usize) -> io::Result<()> {
    // NB: committing pages that are already committed (made inaccessible
    // before) keeps their contents; the protection is set for the whole
    // range either way.
    // SAFETY: the range is the caller's own reservation (contract).
    let p = unsafe { VirtualAlloc(addr.cast(), len, MEM_COMMIT, PAGE_READWRITE) };
    check(!p.is_null())?;
    let mut old = 0;
    // SAFETY: as above; the range is committed now.
    check(unsafe { VirtualProtect(addr.cast(), len, PAGE_READWRITE, &mut old) } != 0)
}

pub unsafe fn make_executable(addr: *mut u8, len: usize) -> io::Result<()> {
    let mut old = 0;
    // SAFETY: the range is the caller's own committed pages (contract).
    check(unsafe { VirtualProtect(addr.cast(), len, PAGE_EXECUTE_READ, &mut old) } != 0)
}

pub unsafe fn make_inaccessible(addr: *mut u8, len: usize) -> io::Result<()> {
    let mut old = 0;
    // SAFETY: the range is the caller's own committed pages (contract).
    check(unsafe { VirtualProtect(addr.cast(), len, PAGE_NOACCESS, &mut old) } != 0)
}

pub unsafe fn discard(addr: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: the range is the caller's own read-write pages, which no
    // reference outlives (contract); decommitted, then committed afresh.
    unsafe {
        check(VirtualFree(addr.cast(), len, MEM_DECOMMIT) != 0)?;
        make_accessible(addr, len)
    }
}

pub unsafe fn release(addr: *mut u8, _len: usize) {
    // SAFETY: exactly a reservation of the caller's (contract); a release
    // names the base and size 0.
    unsafe {
        VirtualFree(addr.cast(), 0, MEM_RELEASE);
    }
}
