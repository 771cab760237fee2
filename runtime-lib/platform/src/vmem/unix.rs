//! [`super`] on Linux: `mmap`, `mprotect`, `madvise`, `munmap`.

use std::io;

pub fn page_size() -> usize {
    // NB: the C library's, which it read from the auxiliary vector at
    // start-up anyway; rustix's `page_size` parses that vector again on
    // first use (a sixtieth of a hello world's start-up).
    // SAFETY: `sysconf` reads a value of the C library's own.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(4096)
}

pub fn reserve(len: usize) -> io::Result<*mut u8> {
    // SAFETY: a fresh anonymous mapping at an address of the kernel's
    // choosing aliases nothing.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    Ok(base.cast())
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub unsafe fn make_accessible(addr: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: the range is the caller's own reservation (contract).
    check(unsafe { libc::mprotect(addr.cast(), len, libc::PROT_READ | libc::PROT_WRITE) })
}

pub unsafe fn make_executable(addr: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: the range is the caller's own accessible pages (contract).
    check(unsafe { libc::mprotect(addr.cast(), len, libc::PROT_READ | libc::PROT_EXEC) })
}

pub unsafe fn make_inaccessible(addr: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: the range is the caller's own reservation (contract).
    check(unsafe { libc::mprotect(addr.cast(), len, libc::PROT_NONE) })
}

pub unsafe fn discard(addr: *mut u8, len: usize) -> io::Result<()> {
    // SAFETY: the range is the caller's own read-write pages, which no
    // reference outlives (contract).
    check(unsafe { libc::madvise(addr.cast(), len, libc::MADV_DONTNEED) })
}

pub unsafe fn release(addr: *mut u8, len: usize) {
    // SAFETY: exactly a reservation of the caller's (contract).
    unsafe {
        libc::munmap(addr.cast(), len);
    }
}
