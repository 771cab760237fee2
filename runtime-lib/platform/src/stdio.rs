//! The process's standard streams.
//!
//! Two kinds of access:
//! - [`write_all`]: unbuffered writes for reports that must get out whole
//!   even from a fault handler (no allocation, no lock, no buffering of
//!   the C library or of Rust's `std::io`). Linux: `write(2)` on the
//!   descriptor, retried on `EINTR` and short writes. Windows: `WriteFile`
//!   on the standard handle of descriptor 1 or 2 (bytes unchanged: no
//!   newline translation, as Rust's own stdio on Windows); other
//!   descriptors are not written.
//! - [`read`], [`write`], [`is_terminal`]: the guest's stdio, as Wasmtime
//!   (a Rust program) sees it. Linux: `read(2)`/`write(2)` on descriptors
//!   0-2, retried on `EINTR` (unbuffered: a later exit or trap loses
//!   nothing). Windows: Rust's standard streams, flushed after each write,
//!   which is what Wasmtime on Windows uses: on a console, text goes
//!   through the console's UTF-16 interface (bytes that are not UTF-8
//!   fail, as in Wasmtime); on pipes and files, bytes pass unchanged; a
//!   missing standard handle reads as empty and swallows writes. Once a
//!   guest has waited on stdin, its reads take what a reader thread read
//!   (`stdin_worker`).

use std::io;

/// A standard stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Descriptor 0.
    Stdin,
    /// Descriptor 1.
    Stdout,
    /// Descriptor 2.
    Stderr,
}

/// Whether `stream` is a terminal (console).
pub fn is_terminal(stream: Stream) -> bool {
    use std::io::IsTerminal;
    match stream {
        Stream::Stdin => io::stdin().is_terminal(),
        Stream::Stdout => io::stdout().is_terminal(),
        Stream::Stderr => io::stderr().is_terminal(),
    }
}

/// `stream` as the platform's poller names it ([`crate::poll`]). Linux:
/// its descriptor. Windows: its standard handle, `u64::MAX` if there is
/// none; the poller watches stdin's through a reader thread (as Wasmtime
/// on Windows reads stdin: a wait is ready once input has arrived) and
/// takes stdout's and stderr's as always ready.
pub fn raw(stream: Stream) -> crate::poll::Raw {
    #[cfg(unix)]
    return fd_of(stream);
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Console::{
            GetStdHandle, STD_ERROR_HANDLE, STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
        };
        let which = match stream {
            Stream::Stdin => STD_INPUT_HANDLE,
            Stream::Stdout => STD_OUTPUT_HANDLE,
            Stream::Stderr => STD_ERROR_HANDLE,
        };
        // SAFETY: GetStdHandle only reads the process's standard handles.
        let h = unsafe { GetStdHandle(which) };
        if h.is_null() || h == windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE {
            u64::MAX
        } else {
            h as u64
        }
    }
}

/// Reads up to `buf.len()` bytes from `stream` (0 at its end); `Stdout`
/// and `Stderr` are read as their descriptors (Linux) or fail (Windows).
pub fn read(stream: Stream, buf: &mut [u8]) -> io::Result<usize> {
    #[cfg(unix)]
    loop {
        // SAFETY: reading into the valid buffer `buf`.
        let n = unsafe { libc::read(fd_of(stream), buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n.unsigned_abs());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    #[cfg(windows)]
    {
        match stream {
            Stream::Stdin => crate::stdin_worker::read(buf),
            Stream::Stdout | Stream::Stderr => Err(io::ErrorKind::Unsupported.into()),
        }
    }
}

/// Writes all of `data` to `stream`; `Stdin` is written as its descriptor
/// (Linux) or fails (Windows).
pub fn write(stream: Stream, data: &[u8]) -> io::Result<()> {
    #[cfg(unix)]
    return write_unix(fd_of(stream), data);
    #[cfg(windows)]
    {
        use std::io::Write;
        match stream {
            Stream::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(data)?;
                out.flush()
            }
            Stream::Stderr => io::stderr().lock().write_all(data),
            Stream::Stdin => Err(io::ErrorKind::Unsupported.into()),
        }
    }
}

#[cfg(unix)]
fn fd_of(stream: Stream) -> i32 {
    match stream {
        Stream::Stdin => 0,
        Stream::Stdout => 1,
        Stream::Stderr => 2,
    }
}

/// Writes `bytes` to descriptor `fd`, ignoring errors (there is nowhere
/// left to report them).
pub fn write_all(fd: i32, bytes: &[u8]) {
    #[cfg(unix)]
    let _ = write_unix(fd, bytes);
    #[cfg(windows)]
    write_windows(fd, bytes);
}

/// All of `data` to `fd`, retried on `EINTR` and short writes.
#[cfg(unix)]
fn write_unix(fd: i32, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        // SAFETY: writing from the valid buffer `data`.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        data = &data[n.unsigned_abs()..];
    }
    Ok(())
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
