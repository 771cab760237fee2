//! Unbuffered writes to the process's standard streams, for reports that
//! must get out whole even from a fault handler (no allocation, no lock,
//! no buffering of the C library or of Rust's `std::io`).
//!
//! Linux: `write(2)` on the descriptor, retried on `EINTR` and short
//! writes. Windows: `WriteFile` on the standard handle of descriptor 1 or 2
//! (bytes unchanged: no newline translation, as Rust's own stdio on
//! Windows); other descriptors are not written.

/// Writes `bytes` to descriptor `fd`, ignoring errors (there is nowhere
/// left to report them).
pub fn write_all(fd: i32, bytes: &[u8]) {
    #[cfg(unix)]
    write_unix(fd, bytes);
    #[cfg(windows)]
    write_windows(fd, bytes);
}

#[cfg(unix)]
fn write_unix(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: writing from a valid buffer.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        if n == 0 {
            return;
        }
        bytes = &bytes[n.unsigned_abs()..];
    }
}

#[cfg(windows)]
fn write_windows(fd: i32, mut bytes: &[u8]) {
    use windows_sys::Win32::Storage::FileSystem::WriteFile;
    use windows_sys::Win32::System::Console::{GetStdHandle, STD_ERROR_HANDLE, STD_OUTPUT_HANDLE};
    let which = match fd {
        1 => STD_OUTPUT_HANDLE,
        2 => STD_ERROR_HANDLE,
        _ => return,
    };
    // SAFETY: querying a standard handle has no preconditions.
    let handle = unsafe { GetStdHandle(which) };
    if handle.is_null() || handle as isize == -1 {
        return;
    }
    while !bytes.is_empty() {
        let chunk = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        let mut written = 0u32;
        // SAFETY: writing from a valid buffer of at least `chunk` bytes to
        // a handle of this process.
        let ok = unsafe {
            WriteFile(
                handle,
                bytes.as_ptr(),
                chunk,
                &mut written,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 || written == 0 {
            return;
        }
        bytes = &bytes[written as usize..];
    }
}
