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
    fn from_raw_os_error(errno: i32) -> Option<ErrorCode> {
        use rustix::io::Errno;
        let e = Errno::from_raw_os_error(errno);
        Some(match e {
            Errno::PIPE => ErrorCode::Pipe,
            Errno::PERM => ErrorCode::NotPermitted,
            Errno::NOENT => ErrorCode::NoEntry,
            Errno::NOMEM => ErrorCode::InsufficientMemory,
            Errno::IO => ErrorCode::Io,
            Errno::BADF => ErrorCode::BadDescriptor,
            Errno::BUSY => ErrorCode::Busy,
            Errno::ACCESS => ErrorCode::Access,
            Errno::NOTDIR => ErrorCode::NotDirectory,
            Errno::ISDIR => ErrorCode::IsDirectory,
            Errno::INVAL => ErrorCode::Invalid,
            Errno::EXIST => ErrorCode::Exist,
            Errno::FBIG => ErrorCode::FileTooLarge,
            Errno::NOSPC => ErrorCode::InsufficientSpace,
            Errno::SPIPE => ErrorCode::InvalidSeek,
            Errno::MLINK => ErrorCode::TooManyLinks,
            Errno::NAMETOOLONG => ErrorCode::NameTooLong,
            Errno::NOTEMPTY => ErrorCode::NotEmpty,
            Errno::LOOP => ErrorCode::Loop,
            Errno::OVERFLOW => ErrorCode::Overflow,
            Errno::ILSEQ => ErrorCode::IllegalByteSequence,
            Errno::NOTSUP => ErrorCode::Unsupported,
            Errno::ALREADY => ErrorCode::Already,
            Errno::INPROGRESS => ErrorCode::InProgress,
            Errno::INTR => ErrorCode::Interrupted,
            _ => return None,
        })
    }

    /// Socket operations report their own errors more precisely than the
    /// filesystem mapping (which would turn most of them into `Io`).
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
        if let Some(code) = err.raw_os_error().and_then(ErrorCode::from_raw_os_error) {
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
