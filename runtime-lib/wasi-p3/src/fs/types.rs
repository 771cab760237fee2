//! The WIT types of `wasi:filesystem/types@0.3` that differ from 0.2, and
//! their conversions from the 0.2 facade's values (the 0.3 methods are the
//! 0.2 ones over the same kernel; only the encodings change).
//!
//! Phase: run time (pure data). Inputs: 0.2 values (`kiln_wasi_p2::fs::types`).
//! Outputs: 0.3 values to lower into the guest.
//!
//! Differences (WIT of `wasi:filesystem@0.3.2`): `error-code` has no
//! `would-block` and ends with `other(option<string>)`; `descriptor-type`
//! has no `unknown` and ends with `other(option<string>)`; timestamps are
//! `wasi:clocks/system-clock.instant` (signed seconds): `descriptor-stat`
//! is made from the kernel's attributes, not the 0.2 record, so a time
//! before the epoch reads as Wasmtime 49 reports it, and `new-timestamp`
//! goes to the kernel directly ([`NewTimestamp::to_kernel`]). Flags, `advice` and
//! `metadata-hash-value` are the same types as in 0.2 and are reused.

use crate::Instant;
use kiln_wasi_kernel as kernel;
use kiln_wasi_p2::fs::types::{self as p2, DescriptorType as P2Type, ErrorCode as P2};
use std::time::{Duration, SystemTime};

kiln_canon::wit_variant! {
    /// `error-code`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum ErrorCode {
        Access = "access",
        Already = "already",
        BadDescriptor = "bad-descriptor",
        Busy = "busy",
        Deadlock = "deadlock",
        Quota = "quota",
        Exist = "exist",
        FileTooLarge = "file-too-large",
        IllegalByteSequence = "illegal-byte-sequence",
        InProgress = "in-progress",
        Interrupted = "interrupted",
        Invalid = "invalid",
        Io = "io",
        IsDirectory = "is-directory",
        Loop = "loop",
        TooManyLinks = "too-many-links",
        MessageSize = "message-size",
        NameTooLong = "name-too-long",
        NoDevice = "no-device",
        NoEntry = "no-entry",
        NoLock = "no-lock",
        InsufficientMemory = "insufficient-memory",
        InsufficientSpace = "insufficient-space",
        NotDirectory = "not-directory",
        NotEmpty = "not-empty",
        NotRecoverable = "not-recoverable",
        Unsupported = "unsupported",
        NoTty = "no-tty",
        NoSuchDevice = "no-such-device",
        Overflow = "overflow",
        NotPermitted = "not-permitted",
        Pipe = "pipe",
        ReadOnly = "read-only",
        InvalidSeek = "invalid-seek",
        TextFileBusy = "text-file-busy",
        CrossDevice = "cross-device",
        Other(Option<String>) = "other",
    }
}

impl From<P2> for ErrorCode {
    fn from(e: P2) -> ErrorCode {
        match e {
            P2::Access => ErrorCode::Access,
            P2::Already => ErrorCode::Already,
            P2::BadDescriptor => ErrorCode::BadDescriptor,
            P2::Busy => ErrorCode::Busy,
            P2::Deadlock => ErrorCode::Deadlock,
            P2::Quota => ErrorCode::Quota,
            P2::Exist => ErrorCode::Exist,
            P2::FileTooLarge => ErrorCode::FileTooLarge,
            P2::IllegalByteSequence => ErrorCode::IllegalByteSequence,
            P2::InProgress => ErrorCode::InProgress,
            P2::Interrupted => ErrorCode::Interrupted,
            P2::Invalid => ErrorCode::Invalid,
            P2::Io => ErrorCode::Io,
            P2::IsDirectory => ErrorCode::IsDirectory,
            P2::Loop => ErrorCode::Loop,
            P2::TooManyLinks => ErrorCode::TooManyLinks,
            P2::MessageSize => ErrorCode::MessageSize,
            P2::NameTooLong => ErrorCode::NameTooLong,
            P2::NoDevice => ErrorCode::NoDevice,
            P2::NoEntry => ErrorCode::NoEntry,
            P2::NoLock => ErrorCode::NoLock,
            P2::InsufficientMemory => ErrorCode::InsufficientMemory,
            P2::InsufficientSpace => ErrorCode::InsufficientSpace,
            P2::NotDirectory => ErrorCode::NotDirectory,
            P2::NotEmpty => ErrorCode::NotEmpty,
            P2::NotRecoverable => ErrorCode::NotRecoverable,
            P2::Unsupported => ErrorCode::Unsupported,
            P2::NoTty => ErrorCode::NoTty,
            P2::NoSuchDevice => ErrorCode::NoSuchDevice,
            P2::Overflow => ErrorCode::Overflow,
            P2::NotPermitted => ErrorCode::NotPermitted,
            P2::Pipe => ErrorCode::Pipe,
            P2::ReadOnly => ErrorCode::ReadOnly,
            P2::InvalidSeek => ErrorCode::InvalidSeek,
            P2::TextFileBusy => ErrorCode::TextFileBusy,
            P2::CrossDevice => ErrorCode::CrossDevice,
            // 0.3 has no `would-block`; files never block.
            P2::WouldBlock => ErrorCode::Other(None),
        }
    }
}

impl ErrorCode {
    /// The case index: the discriminant byte of a host-written
    /// `result<_, error-code>` future value (the host writes only cases
    /// without a payload there; `other` is never one of them).
    pub fn case(&self) -> u8 {
        match self {
            ErrorCode::Access => 0,
            ErrorCode::Already => 1,
            ErrorCode::BadDescriptor => 2,
            ErrorCode::Busy => 3,
            ErrorCode::Deadlock => 4,
            ErrorCode::Quota => 5,
            ErrorCode::Exist => 6,
            ErrorCode::FileTooLarge => 7,
            ErrorCode::IllegalByteSequence => 8,
            ErrorCode::InProgress => 9,
            ErrorCode::Interrupted => 10,
            ErrorCode::Invalid => 11,
            ErrorCode::Io => 12,
            ErrorCode::IsDirectory => 13,
            ErrorCode::Loop => 14,
            ErrorCode::TooManyLinks => 15,
            ErrorCode::MessageSize => 16,
            ErrorCode::NameTooLong => 17,
            ErrorCode::NoDevice => 18,
            ErrorCode::NoEntry => 19,
            ErrorCode::NoLock => 20,
            ErrorCode::InsufficientMemory => 21,
            ErrorCode::InsufficientSpace => 22,
            ErrorCode::NotDirectory => 23,
            ErrorCode::NotEmpty => 24,
            ErrorCode::NotRecoverable => 25,
            ErrorCode::Unsupported => 26,
            ErrorCode::NoTty => 27,
            ErrorCode::NoSuchDevice => 28,
            ErrorCode::Overflow => 29,
            ErrorCode::NotPermitted => 30,
            ErrorCode::Pipe => 31,
            ErrorCode::ReadOnly => 32,
            ErrorCode::InvalidSeek => 33,
            ErrorCode::TextFileBusy => 34,
            ErrorCode::CrossDevice => 35,
            ErrorCode::Other(_) => 36,
        }
    }
}

kiln_canon::wit_variant! {
    /// `descriptor-type`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum DescriptorType {
        BlockDevice = "block-device",
        CharacterDevice = "character-device",
        Directory = "directory",
        Fifo = "fifo",
        SymbolicLink = "symbolic-link",
        RegularFile = "regular-file",
        Socket = "socket",
        Other(Option<String>) = "other",
    }
}

impl DescriptorType {
    /// The case index (the discriminant byte in memory).
    pub fn case(&self) -> u8 {
        match self {
            DescriptorType::BlockDevice => 0,
            DescriptorType::CharacterDevice => 1,
            DescriptorType::Directory => 2,
            DescriptorType::Fifo => 3,
            DescriptorType::SymbolicLink => 4,
            DescriptorType::RegularFile => 5,
            DescriptorType::Socket => 6,
            DescriptorType::Other(_) => 7,
        }
    }
}

impl From<P2Type> for DescriptorType {
    fn from(t: P2Type) -> DescriptorType {
        match t {
            P2Type::Unknown => DescriptorType::Other(None),
            P2Type::BlockDevice => DescriptorType::BlockDevice,
            P2Type::CharacterDevice => DescriptorType::CharacterDevice,
            P2Type::Directory => DescriptorType::Directory,
            P2Type::Fifo => DescriptorType::Fifo,
            P2Type::SymbolicLink => DescriptorType::SymbolicLink,
            P2Type::RegularFile => DescriptorType::RegularFile,
            P2Type::Socket => DescriptorType::Socket,
        }
    }
}

kiln_canon::wit_record! {
    /// `descriptor-stat`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct DescriptorStat {
        pub r#type: DescriptorType,
        pub link_count: u64,
        pub size: u64,
        pub data_access_timestamp: Option<Instant>,
        pub data_modification_timestamp: Option<Instant>,
        pub status_change_timestamp: Option<Instant>,
    }
}

/// A kernel file time as a 0.3 `instant` (before the epoch too).
fn file_instant(t: kiln_wasi_kernel::clock::FileTime) -> Instant {
    Instant {
        seconds: t.seconds,
        nanoseconds: t.nanoseconds,
    }
}

impl From<&kiln_wasi_kernel::fs::Stat> for DescriptorStat {
    /// From the kernel's attributes, not the 0.2 record, so that times
    /// before the epoch survive (Wasmtime 49 reports them).
    fn from(s: &kiln_wasi_kernel::fs::Stat) -> DescriptorStat {
        DescriptorStat {
            r#type: p2::DescriptorType::from(s.file_type).into(),
            link_count: s.nlink,
            size: s.size,
            data_access_timestamp: s.atim.map(file_instant),
            data_modification_timestamp: s.mtim.map(file_instant),
            status_change_timestamp: s.ctim.map(file_instant),
        }
    }
}

kiln_canon::wit_variant! {
    /// `new-timestamp`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    pub enum NewTimestamp {
        NoChange = "no-change",
        Now = "now",
        Timestamp(Instant) = "timestamp",
    }
}

impl NewTimestamp {
    /// The kernel's timestamp. An `instant` is sign and magnitude, as in
    /// Wasmtime 49: `{-5, 500000000}` is 5.5 s before the epoch; the
    /// nanoseconds carry into the seconds, and a time past what the host
    /// holds is `overflow`.
    pub fn to_kernel(self) -> Result<kernel::fs::NewTimestamp, P2> {
        Ok(match self {
            NewTimestamp::NoChange => kernel::fs::NewTimestamp::NoChange,
            NewTimestamp::Now => kernel::fs::NewTimestamp::Now,
            NewTimestamp::Timestamp(i) => {
                let secs = i
                    .seconds
                    .unsigned_abs()
                    .checked_add(u64::from(i.nanoseconds / 1_000_000_000))
                    .ok_or(P2::Overflow)?;
                let d = Duration::new(secs, i.nanoseconds % 1_000_000_000);
                let t = if i.seconds < 0 {
                    SystemTime::UNIX_EPOCH.checked_sub(d)
                } else {
                    SystemTime::UNIX_EPOCH.checked_add(d)
                };
                kernel::fs::NewTimestamp::Time(t.ok_or(P2::Overflow)?)
            }
        })
    }
}

kiln_canon::wit_record! {
    /// `directory-entry`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct DirectoryEntry {
        pub r#type: DescriptorType,
        pub name: String,
    }
}

impl From<p2::DirectoryEntry> for DirectoryEntry {
    fn from(e: p2::DirectoryEntry) -> DirectoryEntry {
        DirectoryEntry {
            r#type: e.r#type.into(),
            name: e.name,
        }
    }
}
