//! WASI P1 encodings: errno numbers, flag bits, enum values, record layouts
//! (from `wasi_snapshot_preview1.witx` / `typenames.witx`).
//!
//! Phase: run time. Inputs: kernel values. Outputs: P1 integers.
//!
//! Invariant: argument decoding follows wiggle (Wasmtime's binding
//! generator): a flags/enum *argument* that does not fit its representation
//! type or has unknown bits/cases is a fatal error (wiggle converts arguments
//! outside the implementation, so the failure never becomes an errno),
//! [`P1Error::FatalConvert`], worded as wiggle words it ([`ConvertError`]). The
//! same values read from *memory* inside a call (`poll_oneoff`
//! subscriptions) are `EINVAL`.

use super::P1Error;
use crate::kernel::error::ErrorCode;
use crate::kernel::fs::FileType;

/// A P1 `errno`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Errno(pub u16);

#[allow(missing_docs, reason = "names are the witx errno names")]
impl Errno {
    pub const SUCCESS: Errno = Errno(0);
    pub const ACCES: Errno = Errno(2);
    pub const AGAIN: Errno = Errno(6);
    pub const ALREADY: Errno = Errno(7);
    pub const BADF: Errno = Errno(8);
    pub const BUSY: Errno = Errno(10);
    pub const DEADLK: Errno = Errno(16);
    pub const DQUOT: Errno = Errno(19);
    pub const EXIST: Errno = Errno(20);
    pub const FAULT: Errno = Errno(21);
    pub const FBIG: Errno = Errno(22);
    pub const ILSEQ: Errno = Errno(25);
    pub const INPROGRESS: Errno = Errno(26);
    pub const INTR: Errno = Errno(27);
    pub const INVAL: Errno = Errno(28);
    pub const IO: Errno = Errno(29);
    pub const ISDIR: Errno = Errno(31);
    pub const LOOP: Errno = Errno(32);
    pub const MLINK: Errno = Errno(34);
    pub const MSGSIZE: Errno = Errno(35);
    pub const NAMETOOLONG: Errno = Errno(37);
    pub const NODEV: Errno = Errno(43);
    pub const NOENT: Errno = Errno(44);
    pub const NOLCK: Errno = Errno(46);
    pub const NOMEM: Errno = Errno(48);
    pub const NOSPC: Errno = Errno(51);
    pub const NOSYS: Errno = Errno(52);
    pub const NOTCONN: Errno = Errno(53);
    pub const NOTDIR: Errno = Errno(54);
    pub const NOTEMPTY: Errno = Errno(55);
    pub const NOTRECOVERABLE: Errno = Errno(56);
    pub const NOTSOCK: Errno = Errno(57);
    pub const NOTSUP: Errno = Errno(58);
    pub const NOTTY: Errno = Errno(59);
    pub const NXIO: Errno = Errno(60);
    pub const OVERFLOW: Errno = Errno(61);
    pub const PERM: Errno = Errno(63);
    pub const PIPE: Errno = Errno(64);
    pub const RANGE: Errno = Errno(68);
    pub const ROFS: Errno = Errno(69);
    pub const SPIPE: Errno = Errno(70);
    pub const TXTBSY: Errno = Errno(74);
    pub const XDEV: Errno = Errno(75);
}

impl From<ErrorCode> for Errno {
    fn from(code: ErrorCode) -> Errno {
        match code {
            ErrorCode::Access => Errno::ACCES,
            ErrorCode::WouldBlock => Errno::AGAIN,
            ErrorCode::Already => Errno::ALREADY,
            ErrorCode::BadDescriptor => Errno::BADF,
            ErrorCode::Busy => Errno::BUSY,
            ErrorCode::Deadlock => Errno::DEADLK,
            ErrorCode::Quota => Errno::DQUOT,
            ErrorCode::Exist => Errno::EXIST,
            ErrorCode::FileTooLarge => Errno::FBIG,
            ErrorCode::IllegalByteSequence => Errno::ILSEQ,
            ErrorCode::InProgress => Errno::INPROGRESS,
            ErrorCode::Interrupted => Errno::INTR,
            ErrorCode::Invalid => Errno::INVAL,
            ErrorCode::Io => Errno::IO,
            ErrorCode::IsDirectory => Errno::ISDIR,
            ErrorCode::Loop => Errno::LOOP,
            ErrorCode::TooManyLinks => Errno::MLINK,
            ErrorCode::MessageSize => Errno::MSGSIZE,
            ErrorCode::NameTooLong => Errno::NAMETOOLONG,
            ErrorCode::NoDevice => Errno::NODEV,
            ErrorCode::NoEntry => Errno::NOENT,
            ErrorCode::NoLock => Errno::NOLCK,
            ErrorCode::InsufficientMemory => Errno::NOMEM,
            ErrorCode::InsufficientSpace => Errno::NOSPC,
            ErrorCode::NotDirectory => Errno::NOTDIR,
            ErrorCode::NotEmpty => Errno::NOTEMPTY,
            ErrorCode::NotRecoverable => Errno::NOTRECOVERABLE,
            ErrorCode::Unsupported => Errno::NOTSUP,
            ErrorCode::NoTty => Errno::NOTTY,
            ErrorCode::NoSuchDevice => Errno::NXIO,
            ErrorCode::Overflow => Errno::OVERFLOW,
            ErrorCode::NotPermitted => Errno::PERM,
            ErrorCode::Pipe => Errno::PIPE,
            ErrorCode::ReadOnly => Errno::ROFS,
            ErrorCode::InvalidSeek => Errno::SPIPE,
            ErrorCode::TextFileBusy => Errno::TXTBSY,
            ErrorCode::CrossDevice => Errno::XDEV,
            ErrorCode::NotSocket => Errno::NOTSOCK,
            ErrorCode::NotConnected => Errno::NOTCONN,
            ErrorCode::Range => Errno::RANGE,
        }
    }
}

/// P1 `filetype` value.
pub fn filetype(ft: FileType) -> u8 {
    match ft {
        FileType::Unknown => 0,
        FileType::BlockDevice => 1,
        FileType::CharacterDevice => 2,
        FileType::Directory => 3,
        FileType::RegularFile => 4,
        FileType::SymbolicLink => 7,
    }
}

/// `filetype` of a standard stream: a terminal is a character device,
/// anything else `unknown` (wasmtime's rule).
pub fn stdio_filetype(isatty: bool) -> u8 {
    if isatty { 2 } else { 0 }
}

/// `rights` bits.
pub mod rights {
    #![allow(missing_docs, reason = "names are the witx rights names")]
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    pub const ALL: u64 = (1 << 30) - 1;

    /// What wasmtime reports as the base rights of a preopened directory.
    pub const PREOPEN_BASE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES;

    /// What wasmtime reports as the inheriting rights of a preopen.
    pub const PREOPEN_INHERITING: u64 = PREOPEN_BASE
        | FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
}

/// `fdflags` bits.
pub mod fdflags {
    #![allow(missing_docs, reason = "names are the witx fdflags names")]
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
    pub const ALL: u16 = 0x1f;
}

/// `oflags` bits.
pub mod oflags {
    #![allow(missing_docs, reason = "names are the witx oflags names")]
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
    pub const ALL: u16 = 0xf;
}

/// `fstflags` bits.
pub mod fstflags {
    #![allow(missing_docs, reason = "names are the witx fstflags names")]
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
    pub const ALL: u16 = 0xf;
}

/// `lookupflags::symlink_follow`.
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// `subclockflags::subscription_clock_abstime`.
pub const SUBCLOCK_ABSTIME: u16 = 1;

/// `eventrwflags::fd_readwrite_hangup`.
pub const EVENT_FD_READWRITE_HANGUP: u16 = 1;

/// Why an argument did not convert to its witx type (wiggle's
/// `GuestError` from a generated `convert`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConvertError {
    /// The value does not fit the representation type (`TryFromIntError`):
    /// `negative` says which end it overflowed, which wasmtime prints (its
    /// Rust's `TryFromIntError` carries an `IntErrorKind`).
    Int { negative: bool },
    /// Unknown flag bits.
    Flags,
    /// Not one of the enum's cases.
    Enum,
}

impl ConvertError {
    /// The error's chain of messages for witx type `ty`, outermost first,
    /// as wasmtime prints them after wiggle's
    /// `In func <module>::<fn> at convert <ty>: ` context (which repeats
    /// the first one).
    pub fn messages(self, ty: &str) -> Vec<String> {
        match self {
            ConvertError::Int { negative } => vec![
                format!(
                    "Int conversion error: TryFromIntError({})",
                    if negative {
                        "NegOverflow"
                    } else {
                        "PosOverflow"
                    }
                ),
                "out of range integral type conversion attempted".to_string(),
            ],
            ConvertError::Flags => vec![format!("Invalid flag value {ty}")],
            ConvertError::Enum => vec![format!("Invalid enum value {ty}")],
        }
    }
}

/// The fatal error of an argument that does not convert to witx type `ty`.
fn convert_error(ty: &'static str, error: ConvertError) -> P1Error {
    P1Error::FatalConvert { ty, error }
}

/// Decodes an integer argument of witx type `ty` whose representation is
/// `T` (e.g. sock_send's `siflags`, a bare `u16`: only the range is
/// checked).
pub fn int_arg<T: TryFrom<i32>>(value: i32, ty: &'static str) -> Result<T, P1Error> {
    T::try_from(value).map_err(|_| {
        let negative = value < 0;
        convert_error(ty, ConvertError::Int { negative })
    })
}

/// Decodes a flags argument of representation `u16`.
pub fn flags_u16(value: i32, all: u16, name: &'static str) -> Result<u16, P1Error> {
    let v: u16 = int_arg(value, name)?;
    if v & !all != 0 {
        return Err(convert_error(name, ConvertError::Flags));
    }
    Ok(v)
}

/// Decodes a flags argument of representation `u32`.
pub fn flags_u32(value: i32, all: u32, name: &'static str) -> Result<u32, P1Error> {
    let v: u32 = int_arg(value, name)?;
    if v & !all != 0 {
        return Err(convert_error(name, ConvertError::Flags));
    }
    Ok(v)
}

/// Decodes a flags argument of representation `u8`.
pub fn flags_u8(value: i32, all: u8, name: &'static str) -> Result<u8, P1Error> {
    let v: u8 = int_arg(value, name)?;
    if v & !all != 0 {
        return Err(convert_error(name, ConvertError::Flags));
    }
    Ok(v)
}

/// Decodes a `rights` argument (`u64`).
pub fn rights_arg(value: i64) -> Result<u64, P1Error> {
    // Only a negative `i64` fails to convert to `u64`.
    let v = u64::try_from(value)
        .map_err(|_| convert_error("Rights", ConvertError::Int { negative: true }))?;
    if v & !rights::ALL != 0 {
        return Err(convert_error("Rights", ConvertError::Flags));
    }
    Ok(v)
}

/// Decodes an enum argument with a `u8` tag and `cases` cases.
pub fn enum_u8(value: i32, cases: u8, name: &'static str) -> Result<u8, P1Error> {
    let v: u8 = int_arg(value, name)?;
    if v >= cases {
        return Err(convert_error(name, ConvertError::Enum));
    }
    Ok(v)
}

/// Decodes an enum argument with a `u32` tag and `cases` cases.
pub fn enum_u32(value: i32, cases: u32, name: &'static str) -> Result<u32, P1Error> {
    let v: u32 = int_arg(value, name)?;
    if v >= cases {
        return Err(convert_error(name, ConvertError::Enum));
    }
    Ok(v)
}

/// Clock ids.
pub mod clockid {
    #![allow(missing_docs, reason = "names are the witx clockid names")]
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME: u32 = 2;
    pub const THREAD_CPUTIME: u32 = 3;
    pub const COUNT: u32 = 4;
}

/// Record sizes.
pub const FDSTAT_SIZE: u32 = 24;
/// Size of `filestat`.
pub const FILESTAT_SIZE: u32 = 64;
/// Size of `dirent`.
pub const DIRENT_SIZE: u32 = 24;
/// Size of `subscription`.
pub const SUBSCRIPTION_SIZE: u32 = 48;
/// Size of `event`.
pub const EVENT_SIZE: u32 = 32;
/// Size of `iovec`/`ciovec`.
pub const IOVEC_SIZE: u32 = 8;
/// Number of `signal` cases.
pub const SIGNAL_COUNT: u8 = 31;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arg_decoding_matches_wiggle() {
        let fatal = |r: Result<u64, P1Error>| matches!(r, Err(P1Error::FatalConvert { .. }));
        assert!(fatal(
            flags_u16(0x10000, fdflags::ALL, "Fdflags").map(u64::from)
        ));
        assert!(fatal(flags_u16(-1, fdflags::ALL, "Fdflags").map(u64::from)));
        assert!(fatal(
            flags_u16(0x20, fdflags::ALL, "Fdflags").map(u64::from)
        ));
        assert_eq!(flags_u16(0x11, fdflags::ALL, "Fdflags"), Ok(0x11));
        assert!(fatal(enum_u8(3, 3, "Whence").map(u64::from)));
        assert!(fatal(enum_u8(256, 3, "Whence").map(u64::from)));
        assert!(fatal(enum_u32(-1, 4, "Clockid").map(u64::from)));
        assert!(fatal(rights_arg(1 << 30)));
        assert!(fatal(rights_arg(-1)));
        assert!(fatal(flags_u32(-1, 1, "Lookupflags").map(u64::from)));
        assert_eq!(rights::ALL, 0x3fff_ffff);
        assert_eq!(
            rights_arg(-1),
            Err(P1Error::FatalConvert {
                ty: "Rights",
                error: ConvertError::Int { negative: true }
            })
        );
        assert_eq!(
            flags_u16(0x20, fdflags::ALL, "Fdflags"),
            Err(P1Error::FatalConvert {
                ty: "Fdflags",
                error: ConvertError::Flags
            })
        );
        assert_eq!(
            enum_u8(9, 6, "Advice"),
            Err(P1Error::FatalConvert {
                ty: "Advice",
                error: ConvertError::Enum
            })
        );
        assert_eq!(int_arg::<u16>(0xffff, "u16"), Ok(0xffff));
        assert!(matches!(
            int_arg::<u16>(0x10000, "u16"),
            Err(P1Error::FatalConvert {
                error: ConvertError::Int { negative: false },
                ..
            })
        ));
    }

    #[test]
    fn convert_messages_are_wiggles() {
        assert_eq!(
            ConvertError::Int { negative: true }.messages("Rights"),
            [
                "Int conversion error: TryFromIntError(NegOverflow)",
                "out of range integral type conversion attempted"
            ]
        );
        assert_eq!(
            ConvertError::Int { negative: false }.messages("Whence")[0],
            "Int conversion error: TryFromIntError(PosOverflow)"
        );
        assert_eq!(
            ConvertError::Flags.messages("Oflags"),
            ["Invalid flag value Oflags"]
        );
        assert_eq!(
            ConvertError::Enum.messages("Whence"),
            ["Invalid enum value Whence"]
        );
    }
}
