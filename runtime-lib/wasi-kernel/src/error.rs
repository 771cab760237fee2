//! The kernel's ABI-neutral error codes.
//!
//! Phase: run time. Inputs: host `std::io::Error`s and kernel checks.
//! Outputs: [`ErrorCode`], the vocabulary of `wasi:filesystem`'s
//! `error-code` (plus the socket errors WASI P1 needs). Each facade maps it to
//! its own ABI (P1: `errno`, P2/P3: the WIT enums).
//!
//! Invariant: the mapping from host errors follows Wasmtime
//! (`crates/wasi/src/filesystem.rs`): only a fixed list of OS errno values is
//! recognised; anything else is classified by its `io::ErrorKind` and falls
//! back to [`ErrorCode::Io`]. Notably an escape from a preopen, which
//! cap-std reports as `PermissionDenied` without an OS errno, becomes
//! [`ErrorCode::NotPermitted`] (P1 `EPERM`).
//! Running out of descriptors (`EMFILE`, `ENFILE`) is not in the list
//! either: like wasmtime (checked for `EMFILE`), a filesystem call that
//! needs a new host descriptor then fails with [`ErrorCode::Io`] (P1 `EIO`,
//! WASI 0.2 `io`), never a fatal error; `ENOMEM` is
//! [`ErrorCode::InsufficientMemory`].

use std::io;

/// Why a kernel operation failed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `EACCES`
    Access,
    /// `EAGAIN`/`EWOULDBLOCK`
    WouldBlock,
    /// `EALREADY`
    Already,
    /// `EBADF`
    BadDescriptor,
    /// `EBUSY`
    Busy,
    /// `EDEADLK`
    Deadlock,
    /// `EDQUOT`
    Quota,
    /// `EEXIST`
    Exist,
    /// `EFBIG`
    FileTooLarge,
    /// `EILSEQ`
    IllegalByteSequence,
    /// `EINPROGRESS`
    InProgress,
    /// `EINTR`
    Interrupted,
    /// `EINVAL`
    Invalid,
    /// `EIO`
    Io,
    /// `EISDIR`
    IsDirectory,
    /// `ELOOP`
    Loop,
    /// `EMLINK`
    TooManyLinks,
    /// `EMSGSIZE`
    MessageSize,
    /// `ENAMETOOLONG`
    NameTooLong,
    /// `ENODEV`
    NoDevice,
    /// `ENOENT`
    NoEntry,
    /// `ENOLCK`
    NoLock,
    /// `ENOMEM`
    InsufficientMemory,
    /// `ENOSPC`
    InsufficientSpace,
    /// `ENOTDIR`
    NotDirectory,
    /// `ENOTEMPTY`
    NotEmpty,
    /// `ENOTRECOVERABLE`
    NotRecoverable,
    /// `ENOTSUP`/`ENOSYS`
    Unsupported,
    /// `ENOTTY`
    NoTty,
    /// `ENXIO`
    NoSuchDevice,
    /// `EOVERFLOW`
    Overflow,
    /// `EPERM`
    NotPermitted,
    /// `EPIPE`
    Pipe,
    /// `EROFS`
    ReadOnly,
    /// `ESPIPE`
    InvalidSeek,
    /// `ETXTBSY`
    TextFileBusy,
    /// `EXDEV`
    CrossDevice,
    /// `ENOTSOCK`: the descriptor is not a socket.
    NotSocket,
    /// `ENOTCONN`
    NotConnected,
    /// `ERANGE`
    Range,
}

/// Result of a kernel operation.
pub type KResult<T> = Result<T, ErrorCode>;

impl ErrorCode {
    /// Classifies a raw OS errno the way Wasmtime does; `None` for values
    /// it does not recognise.
    /// The code of an OS error Wasmtime recognises
    /// (`kiln_platform::os_error::posix`).
    fn from_os_error(err: &io::Error) -> Option<ErrorCode> {
        use kiln_platform::os_error::Posix;
        Some(match kiln_platform::os_error::posix(err)? {
            Posix::Pipe => ErrorCode::Pipe,
            Posix::Perm => ErrorCode::NotPermitted,
            Posix::NoEnt => ErrorCode::NoEntry,
            Posix::NoMem => ErrorCode::InsufficientMemory,
            Posix::Io => ErrorCode::Io,
            Posix::BadF => ErrorCode::BadDescriptor,
            Posix::Busy => ErrorCode::Busy,
            Posix::Access => ErrorCode::Access,
            Posix::NotDir => ErrorCode::NotDirectory,
            Posix::IsDir => ErrorCode::IsDirectory,
            Posix::Inval => ErrorCode::Invalid,
            Posix::Exist => ErrorCode::Exist,
            Posix::FBig => ErrorCode::FileTooLarge,
            Posix::NoSpc => ErrorCode::InsufficientSpace,
            Posix::SPipe => ErrorCode::InvalidSeek,
            Posix::MLink => ErrorCode::TooManyLinks,
            Posix::NameTooLong => ErrorCode::NameTooLong,
            Posix::NotEmpty => ErrorCode::NotEmpty,
            Posix::Loop => ErrorCode::Loop,
            Posix::Overflow => ErrorCode::Overflow,
            Posix::IlSeq => ErrorCode::IllegalByteSequence,
            Posix::NotSup => ErrorCode::Unsupported,
            Posix::Already => ErrorCode::Already,
            Posix::InProgress => ErrorCode::InProgress,
            Posix::Intr => ErrorCode::Interrupted,
        })
    }

    pub fn from_socket_error(err: rustix::io::Errno) -> ErrorCode {
        use rustix::io::Errno;
        match err {
            Errno::NOTSOCK => ErrorCode::NotSocket,
            Errno::NOTCONN => ErrorCode::NotConnected,
            Errno::AGAIN => ErrorCode::WouldBlock,
            other => ErrorCode::from(io::Error::from(other)),
        }
    }
}

impl From<&io::Error> for ErrorCode {
    fn from(err: &io::Error) -> ErrorCode {
        if let Some(code) = ErrorCode::from_os_error(err) {
            return code;
        }
        match err.kind() {
            io::ErrorKind::NotFound => ErrorCode::NoEntry,
            io::ErrorKind::PermissionDenied => ErrorCode::NotPermitted,
            io::ErrorKind::AlreadyExists => ErrorCode::Exist,
            io::ErrorKind::InvalidInput => ErrorCode::Invalid,
            _ => ErrorCode::Io,
        }
    }
}

impl From<io::Error> for ErrorCode {
    fn from(err: io::Error) -> ErrorCode {
        ErrorCode::from(&err)
    }
}

impl From<rustix::io::Errno> for ErrorCode {
    fn from(err: rustix::io::Errno) -> ErrorCode {
        ErrorCode::from(io::Error::from(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_attempts_are_not_permitted() {
        let err = io::Error::new(io::ErrorKind::PermissionDenied, "a path led outside");
        assert_eq!(ErrorCode::from(err), ErrorCode::NotPermitted);
    }

    #[test]
    fn running_out_of_descriptors_is_an_io_error() {
        assert_eq!(
            ErrorCode::from(io::Error::from_raw_os_error(libc::EMFILE)),
            ErrorCode::Io
        );
        assert_eq!(
            ErrorCode::from(io::Error::from_raw_os_error(libc::ENFILE)),
            ErrorCode::Io
        );
        assert_eq!(
            ErrorCode::from(io::Error::from_raw_os_error(libc::ENOMEM)),
            ErrorCode::InsufficientMemory
        );
    }

    #[test]
    fn unlisted_errno_falls_back_by_kind() {
        // EROFS is not in wasmtime's list and has no special kind mapping.
        assert_eq!(
            ErrorCode::from(io::Error::from_raw_os_error(libc::EROFS)),
            ErrorCode::Io
        );
        assert_eq!(
            ErrorCode::from(io::Error::from_raw_os_error(libc::ENOENT)),
            ErrorCode::NoEntry
        );
        assert_eq!(
            ErrorCode::from(io::Error::from_raw_os_error(libc::EXDEV)),
            ErrorCode::Io
        );
    }
}
