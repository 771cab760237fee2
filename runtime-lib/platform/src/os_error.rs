//! OS errors: as Wasmtime prints them ([`text`]), and which POSIX error
//! they are to the WASI layer ([`posix`]).
//!
//! Linux: Rust's `Display` of the error with glibc's message for the
//! errno. The runtime may be linked with musl, whose messages differ for a
//! few errnos (`Address in use` where glibc, and so a dynamically linked
//! Wasmtime, says `Address already in use`); those get glibc's words.
//! Windows: Rust's `Display` (the system's message for the error code), as
//! Wasmtime on Windows prints it.

/// The text of `e`.
pub fn text(e: &std::io::Error) -> String {
    #[cfg(unix)]
    {
        let glibc = match e.raw_os_error() {
            Some(libc::EADDRINUSE) => "Address already in use",
            Some(libc::EADDRNOTAVAIL) => "Cannot assign requested address",
            Some(libc::EMFILE) => "Too many open files",
            Some(libc::ENFILE) => "Too many open files in system",
            Some(libc::ECONNRESET) => "Connection reset by peer",
            Some(libc::ETIMEDOUT) => "Connection timed out",
            _ => return e.to_string(),
        };
        format!("{glibc} (os error {})", e.raw_os_error().unwrap_or(0))
    }
    #[cfg(not(unix))]
    e.to_string()
}

/// The POSIX errors the WASI layer tells apart (the list Wasmtime's
/// filesystem host recognises; every other OS error is classified by its
/// `io::ErrorKind` there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posix {
    /// `EPIPE`
    Pipe,
    /// `EPERM`
    Perm,
    /// `ENOENT`
    NoEnt,
    /// `ENOMEM`
    NoMem,
    /// `EIO`
    Io,
    /// `EBADF`
    BadF,
    /// `EBUSY`
    Busy,
    /// `EACCES`
    Access,
    /// `ENOTDIR`
    NotDir,
    /// `EISDIR`
    IsDir,
    /// `EINVAL`
    Inval,
    /// `EEXIST`
    Exist,
    /// `EFBIG`
    FBig,
    /// `ENOSPC`
    NoSpc,
    /// `ESPIPE`
    SPipe,
    /// `EMLINK`
    MLink,
    /// `ENAMETOOLONG`
    NameTooLong,
    /// `ENOTEMPTY`
    NotEmpty,
    /// `ELOOP`
    Loop,
    /// `EOVERFLOW`
    Overflow,
    /// `EILSEQ`
    IlSeq,
    /// `ENOTSUP`
    NotSup,
    /// `EALREADY`
    Already,
    /// `EINPROGRESS`
    InProgress,
    /// `EINTR`
    Intr,
}

/// Which of [`Posix`] the OS error `e` is, if any.
///
/// Linux: its errno. Windows: its Win32 error code, by the table Wasmtime
/// on Windows uses (a file or path not found and an invalid name are
/// `ENOENT`, access denied and sharing violations `EACCES`, a missing
/// privilege `EPERM`, a stop on a symlink `ELOOP`, ...).
pub fn posix(e: &std::io::Error) -> Option<Posix> {
    let code = e.raw_os_error()?;
    #[cfg(unix)]
    return posix_of_errno(code);
    #[cfg(windows)]
    posix_of_win32(code)
}

#[cfg(unix)]
fn posix_of_errno(errno: i32) -> Option<Posix> {
    Some(match errno {
        libc::EPIPE => Posix::Pipe,
        libc::EPERM => Posix::Perm,
        libc::ENOENT => Posix::NoEnt,
        libc::ENOMEM => Posix::NoMem,
        libc::EIO => Posix::Io,
        libc::EBADF => Posix::BadF,
        libc::EBUSY => Posix::Busy,
        libc::EACCES => Posix::Access,
        libc::ENOTDIR => Posix::NotDir,
        libc::EISDIR => Posix::IsDir,
        libc::EINVAL => Posix::Inval,
        libc::EEXIST => Posix::Exist,
        libc::EFBIG => Posix::FBig,
        libc::ENOSPC => Posix::NoSpc,
        libc::ESPIPE => Posix::SPipe,
        libc::EMLINK => Posix::MLink,
        libc::ENAMETOOLONG => Posix::NameTooLong,
        libc::ENOTEMPTY => Posix::NotEmpty,
        libc::ELOOP => Posix::Loop,
        libc::EOVERFLOW => Posix::Overflow,
        libc::EILSEQ => Posix::IlSeq,
        libc::ENOTSUP => Posix::NotSup,
        libc::EALREADY => Posix::Already,
        libc::EINPROGRESS => Posix::InProgress,
        libc::EINTR => Posix::Intr,
        _ => return None,
    })
}

#[cfg(windows)]
fn posix_of_win32(code: i32) -> Option<Posix> {
    use windows_sys::Win32::Foundation as F;
    let Ok(code) = u32::try_from(code) else {
        return None;
    };
    Some(match code {
        F::ERROR_FILE_NOT_FOUND | F::ERROR_PATH_NOT_FOUND | F::ERROR_INVALID_NAME => Posix::NoEnt,
        F::ERROR_ACCESS_DENIED | F::ERROR_SHARING_VIOLATION => Posix::Access,
        F::ERROR_PRIVILEGE_NOT_HELD => Posix::Perm,
        F::ERROR_INVALID_HANDLE => Posix::BadF,
        F::ERROR_NOT_ENOUGH_MEMORY | F::ERROR_OUTOFMEMORY => Posix::NoMem,
        F::ERROR_DIR_NOT_EMPTY => Posix::NotEmpty,
        F::ERROR_NOT_READY | F::ERROR_BUSY => Posix::Busy,
        F::ERROR_NOT_SUPPORTED => Posix::NotSup,
        F::ERROR_FILE_EXISTS | F::ERROR_ALREADY_EXISTS => Posix::Exist,
        F::ERROR_BROKEN_PIPE => Posix::Pipe,
        F::ERROR_BUFFER_OVERFLOW => Posix::NameTooLong,
        F::ERROR_NOT_A_REPARSE_POINT | F::ERROR_NEGATIVE_SEEK => Posix::Inval,
        F::ERROR_DIRECTORY => Posix::NotDir,
        F::ERROR_STOPPED_ON_SYMLINK => Posix::Loop,
        F::ERROR_DIRECTORY_NOT_SUPPORTED => Posix::IsDir,
        _ => return None,
    })
}

#[cfg(test)]
mod posix_tests {
    use super::{Posix, posix};
    use std::io;

    /// What the OS itself reports for a missing file and for a file that
    /// exists already, on whichever OS runs the test.
    #[test]
    fn real_os_errors_are_recognised() {
        let dir = std::env::temp_dir().join(format!("kiln-os-error-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("scratch dir");
        let missing = std::fs::File::open(dir.join("missing")).expect_err("missing");
        assert_eq!(posix(&missing), Some(Posix::NoEnt));
        let exists = std::fs::create_dir(&dir).expect_err("exists");
        assert_eq!(posix(&exists), Some(Posix::Exist));
        std::fs::write(dir.join("file"), b"x").expect("file");
        let not_empty = std::fs::remove_dir(&dir).expect_err("not empty");
        assert_eq!(posix(&not_empty), Some(Posix::NotEmpty));
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert_eq!(posix(&io::Error::other("no code")), None);
    }
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn os_errors_in_glibcs_words() {
        let e = std::io::Error::from_raw_os_error(libc::EADDRINUSE);
        assert_eq!(super::text(&e), "Address already in use (os error 98)");
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(super::text(&e), "No such file or directory (os error 2)");
    }
}
