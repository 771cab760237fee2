//! The WIT types of `wasi:filesystem/types@0.2` and their conversions from
//! and to the kernel's ABI-neutral vocabulary.
//!
//! Phase: run time (pure data). Inputs: kernel values ([`kernel::fs::Stat`],
//! [`KernelError`], ...) and lifted guest values. Outputs: the canonical-ABI
//! types the host functions return, and kernel arguments.
//!
//! Invariants (Wasmtime, `p2/host/filesystem.rs`): FIFOs and sockets are
//! reported as `unknown`; a timestamp's nanoseconds may exceed a second
//! (they carry into the seconds), and only a time past what the host can
//! represent is `overflow`; the metadata hash is the identity hash of the
//! host (device, inode) pair (`lower`) and that value xor a constant
//! (`upper`).

pub use crate::clocks::Datetime;
use kiln_wasi_kernel as kernel;
use kiln_wasi_kernel::error::ErrorCode as KernelError;
use std::time::{Duration, SystemTime};

kiln_canon::wit_enum! {
    /// `descriptor-type`.
    pub enum DescriptorType {
        Unknown = "unknown",
        BlockDevice = "block-device",
        CharacterDevice = "character-device",
        Directory = "directory",
        Fifo = "fifo",
        SymbolicLink = "symbolic-link",
        RegularFile = "regular-file",
        Socket = "socket",
    }
}

kiln_canon::wit_flags! {
    /// `descriptor-flags`.
    pub struct DescriptorFlags {
        READ = "read",
        WRITE = "write",
        FILE_INTEGRITY_SYNC = "file-integrity-sync",
        DATA_INTEGRITY_SYNC = "data-integrity-sync",
        REQUESTED_WRITE_SYNC = "requested-write-sync",
        MUTATE_DIRECTORY = "mutate-directory",
    }
}

kiln_canon::wit_flags! {
    /// `path-flags`.
    pub struct PathFlags {
        SYMLINK_FOLLOW = "symlink-follow",
    }
}

kiln_canon::wit_flags! {
    /// `open-flags`.
    pub struct OpenFlags {
        CREATE = "create",
        DIRECTORY = "directory",
        EXCLUSIVE = "exclusive",
        TRUNCATE = "truncate",
    }
}

kiln_canon::wit_record! {
    /// `descriptor-stat`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    pub struct DescriptorStat {
        pub r#type: DescriptorType,
        pub link_count: u64,
        pub size: u64,
        pub data_access_timestamp: Option<Datetime>,
        pub data_modification_timestamp: Option<Datetime>,
        pub status_change_timestamp: Option<Datetime>,
    }
}

kiln_canon::wit_variant! {
    /// `new-timestamp`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    pub enum NewTimestamp {
        NoChange = "no-change",
        Now = "now",
        Timestamp(Datetime) = "timestamp",
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

kiln_canon::wit_enum! {
    /// `error-code`.
    pub enum ErrorCode {
        Access = "access",
        WouldBlock = "would-block",
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
    }
}

kiln_canon::wit_enum! {
    /// `advice`.
    pub enum Advice {
        Normal = "normal",
        Sequential = "sequential",
        Random = "random",
        WillNeed = "will-need",
        DontNeed = "dont-need",
        NoReuse = "no-reuse",
    }
}

kiln_canon::wit_record! {
    /// `metadata-hash-value`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    pub struct MetadataHashValue {
        pub lower: u64,
        pub upper: u64,
    }
}

impl From<KernelError> for ErrorCode {
    fn from(e: KernelError) -> ErrorCode {
        match e {
            KernelError::Access => ErrorCode::Access,
            KernelError::WouldBlock => ErrorCode::WouldBlock,
            KernelError::Already => ErrorCode::Already,
            KernelError::BadDescriptor => ErrorCode::BadDescriptor,
            KernelError::Busy => ErrorCode::Busy,
            KernelError::Deadlock => ErrorCode::Deadlock,
            KernelError::Quota => ErrorCode::Quota,
            KernelError::Exist => ErrorCode::Exist,
            KernelError::FileTooLarge => ErrorCode::FileTooLarge,
            KernelError::IllegalByteSequence => ErrorCode::IllegalByteSequence,
            KernelError::InProgress => ErrorCode::InProgress,
            KernelError::Interrupted => ErrorCode::Interrupted,
            KernelError::Invalid => ErrorCode::Invalid,
            KernelError::Io => ErrorCode::Io,
            KernelError::IsDirectory => ErrorCode::IsDirectory,
            KernelError::Loop => ErrorCode::Loop,
            KernelError::TooManyLinks => ErrorCode::TooManyLinks,
            KernelError::MessageSize => ErrorCode::MessageSize,
            KernelError::NameTooLong => ErrorCode::NameTooLong,
            KernelError::NoDevice => ErrorCode::NoDevice,
            KernelError::NoEntry => ErrorCode::NoEntry,
            KernelError::NoLock => ErrorCode::NoLock,
            KernelError::InsufficientMemory => ErrorCode::InsufficientMemory,
            KernelError::InsufficientSpace => ErrorCode::InsufficientSpace,
            KernelError::NotDirectory => ErrorCode::NotDirectory,
            KernelError::NotEmpty => ErrorCode::NotEmpty,
            KernelError::NotRecoverable => ErrorCode::NotRecoverable,
            KernelError::Unsupported => ErrorCode::Unsupported,
            KernelError::NoTty => ErrorCode::NoTty,
            KernelError::NoSuchDevice => ErrorCode::NoSuchDevice,
            KernelError::Overflow => ErrorCode::Overflow,
            KernelError::NotPermitted => ErrorCode::NotPermitted,
            KernelError::Pipe => ErrorCode::Pipe,
            KernelError::ReadOnly => ErrorCode::ReadOnly,
            KernelError::InvalidSeek => ErrorCode::InvalidSeek,
            KernelError::TextFileBusy => ErrorCode::TextFileBusy,
            KernelError::CrossDevice => ErrorCode::CrossDevice,
            // Socket-only kernel codes: no filesystem operation produces
            // them (the io-error classification never does), and the
            // filesystem vocabulary has no closer word.
            KernelError::NotSocket | KernelError::NotConnected | KernelError::Range => {
                ErrorCode::Io
            }
        }
    }
}

impl From<kernel::fs::FileType> for DescriptorType {
    fn from(t: kernel::fs::FileType) -> DescriptorType {
        use kernel::fs::FileType as F;
        match t {
            F::Unknown => DescriptorType::Unknown,
            F::BlockDevice => DescriptorType::BlockDevice,
            F::CharacterDevice => DescriptorType::CharacterDevice,
            F::Directory => DescriptorType::Directory,
            F::SymbolicLink => DescriptorType::SymbolicLink,
            F::RegularFile => DescriptorType::RegularFile,
        }
    }
}

fn since_epoch(t: Option<kernel::clock::FileTime>) -> Option<Datetime> {
    t.and_then(kernel::clock::FileTime::since_epoch)
        .map(Datetime::from)
}

impl From<&kernel::fs::Stat> for DescriptorStat {
    fn from(s: &kernel::fs::Stat) -> DescriptorStat {
        DescriptorStat {
            r#type: s.file_type.into(),
            link_count: s.nlink,
            size: s.size,
            // A 0.2 `datetime` cannot hold a time before the epoch: none.
            data_access_timestamp: since_epoch(s.atim),
            data_modification_timestamp: since_epoch(s.mtim),
            status_change_timestamp: since_epoch(s.ctim),
        }
    }
}

impl From<Advice> for kiln_wasi_kernel::fs::Advice {
    fn from(a: Advice) -> kiln_wasi_kernel::fs::Advice {
        match a {
            Advice::Normal => kiln_wasi_kernel::fs::Advice::Normal,
            Advice::Sequential => kiln_wasi_kernel::fs::Advice::Sequential,
            Advice::Random => kiln_wasi_kernel::fs::Advice::Random,
            Advice::WillNeed => kiln_wasi_kernel::fs::Advice::WillNeed,
            Advice::DontNeed => kiln_wasi_kernel::fs::Advice::DontNeed,
            Advice::NoReuse => kiln_wasi_kernel::fs::Advice::NoReuse,
        }
    }
}

/// The XOR constant of wasmtime's `MetadataHashValue::new`: `upper` is
/// `lower` with these bits flipped (the bits of the double nearest pi).
const HASH_UPPER_XOR: u64 = 4614256656552045848;

impl MetadataHashValue {
    /// The hash of an object whose identity hash
    /// ([`kernel::fs::identity_hash`], also its `Stat::ino`) is `ino`.
    pub fn from_identity(ino: u64) -> MetadataHashValue {
        MetadataHashValue {
            lower: ino,
            upper: ino ^ HASH_UPPER_XOR,
        }
    }
}

/// `path-flags` -> whether to follow a final symlink.
pub fn follow(flags: PathFlags) -> bool {
    flags.contains(PathFlags::SYMLINK_FOLLOW)
}

/// `open-flags` -> the kernel's.
pub fn open_flags(f: OpenFlags) -> kernel::fs::OpenFlags {
    kernel::fs::OpenFlags {
        create: f.contains(OpenFlags::CREATE),
        directory: f.contains(OpenFlags::DIRECTORY),
        exclusive: f.contains(OpenFlags::EXCLUSIVE),
        truncate: f.contains(OpenFlags::TRUNCATE),
    }
}

/// Requested `descriptor-flags` of `open-at` -> the kernel's. The three
/// sync requests are refused by the kernel (`unsupported`, as wasmtime);
/// `mutate-directory` is ignored by the open, as in wasmtime.
pub fn requested_flags(f: DescriptorFlags) -> kernel::fs::DescriptorFlags {
    kernel::fs::DescriptorFlags {
        read: f.contains(DescriptorFlags::READ),
        write: f.contains(DescriptorFlags::WRITE),
        sync: f.contains(DescriptorFlags::FILE_INTEGRITY_SYNC)
            || f.contains(DescriptorFlags::DATA_INTEGRITY_SYNC)
            || f.contains(DescriptorFlags::REQUESTED_WRITE_SYNC),
    }
}

/// The `descriptor-flags` `get-flags` reports: the synchronisation flags
/// of the host description, then the open mode; a directory opened for
/// writing (a preopen) reports `mutate-directory` instead of `write`.
pub fn reported_flags(
    sync: kernel::fs::SyncFlags,
    mode: kernel::fs::OpenMode,
    is_dir: bool,
) -> DescriptorFlags {
    let mut f = DescriptorFlags::empty();
    let mut set = |on: bool, flag: DescriptorFlags| {
        if on {
            f = f | flag;
        }
    };
    set(sync.dsync, DescriptorFlags::REQUESTED_WRITE_SYNC);
    set(sync.sync, DescriptorFlags::FILE_INTEGRITY_SYNC);
    set(sync.rsync, DescriptorFlags::DATA_INTEGRITY_SYNC);
    set(mode.read, DescriptorFlags::READ);
    if is_dir {
        set(mode.write, DescriptorFlags::MUTATE_DIRECTORY);
    } else {
        set(mode.write, DescriptorFlags::WRITE);
    }
    f
}

/// A `new-timestamp` -> the kernel's; a time past what `SystemTime` holds
/// is `overflow` (wasmtime's `systemtime_from`: nanoseconds carry into the
/// seconds first).
pub fn new_timestamp(t: NewTimestamp) -> Result<kernel::fs::NewTimestamp, ErrorCode> {
    Ok(match t {
        NewTimestamp::NoChange => kernel::fs::NewTimestamp::NoChange,
        NewTimestamp::Now => kernel::fs::NewTimestamp::Now,
        NewTimestamp::Timestamp(d) => {
            let seconds = d
                .seconds
                .checked_add(u64::from(d.nanoseconds / 1_000_000_000))
                .ok_or(ErrorCode::Overflow)?;
            let since = Duration::new(seconds, d.nanoseconds % 1_000_000_000);
            let t = SystemTime::UNIX_EPOCH
                .checked_add(since)
                .ok_or(ErrorCode::Overflow)?;
            kernel::fs::NewTimestamp::Time(t)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_canon::ComponentType;

    #[test]
    fn layouts_match_the_wit() {
        // descriptor-stat: type at 0, link-count 8, size 16, three
        // option<datetime> of 24 bytes each from 24.
        assert_eq!((DescriptorStat::SIZE32, DescriptorStat::ALIGN32), (96, 8));
        assert_eq!(NewTimestamp::SIZE32, 24);
        assert_eq!((DirectoryEntry::SIZE32, DirectoryEntry::ALIGN32), (12, 4));
        assert_eq!((ErrorCode::SIZE32, DescriptorFlags::SIZE32), (1, 1));
        assert_eq!(MetadataHashValue::SIZE32, 16);
    }

    #[test]
    fn record_labels_are_the_wit_names() {
        use kiln_abi::component::{Type, TypeTableBuilder};
        let mut b = TypeTableBuilder::new();
        let i = DescriptorStat::describe(&mut b).unwrap();
        let table = b.table();
        let Some(Type::Record(fields)) = table.get(i) else {
            panic!("a record")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "type",
                "link-count",
                "size",
                "data-access-timestamp",
                "data-modification-timestamp",
                "status-change-timestamp"
            ]
        );
    }

    #[test]
    fn error_codes_keep_their_meaning() {
        // The WIT order is the discriminant the guest sees.
        assert_eq!(ErrorCode::from(KernelError::Access) as u8, 0);
        assert_eq!(ErrorCode::from(KernelError::NotPermitted) as u8, 31);
        assert_eq!(ErrorCode::from(KernelError::CrossDevice) as u8, 36);
        assert_eq!(ErrorCode::from(KernelError::NoEntry), ErrorCode::NoEntry);
        // An escape from a preopen (cap-std's PermissionDenied without an
        // errno) is not-permitted, as in wasmtime.
        let escape = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "outside");
        assert_eq!(
            ErrorCode::from(KernelError::from(escape)),
            ErrorCode::NotPermitted
        );
    }

    #[test]
    fn flags_map_both_ways() {
        let rw = requested_flags(DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY);
        assert!(rw.read && !rw.write && !rw.sync);
        assert!(requested_flags(DescriptorFlags::REQUESTED_WRITE_SYNC).sync);
        let of = open_flags(OpenFlags::CREATE | OpenFlags::TRUNCATE);
        assert!(of.create && of.truncate && !of.directory && !of.exclusive);
        let none = kernel::fs::SyncFlags::default();
        let rw_mode = kernel::fs::OpenMode {
            read: true,
            write: true,
        };
        assert_eq!(
            reported_flags(none, rw_mode, true),
            DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY
        );
        assert_eq!(
            reported_flags(none, rw_mode, false),
            DescriptorFlags::READ | DescriptorFlags::WRITE
        );
        let dsync = kernel::fs::SyncFlags {
            dsync: true,
            ..Default::default()
        };
        assert_eq!(
            reported_flags(dsync, kernel::fs::OpenMode::default(), false),
            DescriptorFlags::REQUESTED_WRITE_SYNC
        );
        assert!(follow(PathFlags::SYMLINK_FOLLOW) && !follow(PathFlags::empty()));
    }

    #[test]
    fn timestamps_carry_nanoseconds_and_overflow() {
        let t = |seconds, nanoseconds| {
            new_timestamp(NewTimestamp::Timestamp(Datetime {
                seconds,
                nanoseconds,
            }))
        };
        let epoch = SystemTime::UNIX_EPOCH;
        assert_eq!(
            t(1, 1_000_000_000),
            Ok(kernel::fs::NewTimestamp::Time(
                epoch + Duration::from_secs(2)
            ))
        );
        assert_eq!(t(u64::MAX, 1_000_000_000), Err(ErrorCode::Overflow));
        assert_eq!(t(u64::MAX, 0), Err(ErrorCode::Overflow));
        assert_eq!(
            new_timestamp(NewTimestamp::Now),
            Ok(kernel::fs::NewTimestamp::Now)
        );
    }

    #[test]
    fn metadata_hash_is_wasmtimes() {
        let h = MetadataHashValue::from_identity(kernel::fs::identity_hash(3, 4));
        assert_eq!(h.lower, kernel::fs::identity_hash(3, 4));
        assert_eq!(h.upper, h.lower ^ 0x4009_21fb_5444_2d18);
    }
}
