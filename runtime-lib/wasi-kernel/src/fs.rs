//! Files and directories, reached only through capabilities (cap-std).
//!
//! Phase: run time. Inputs: guest paths (already UTF-8) relative to an open
//! [`Dir`]. Outputs: opened [`Dir`]s/[`File`]s, [`Stat`]s, directory entries.
//!
//! Invariants:
//! - Every path operation is relative to a `cap_std::fs::Dir`; cap-std
//!   (`openat2(RESOLVE_BENEATH)` or its manual resolver) refuses `..`,
//!   absolute paths and symlinks leading outside the directory with a
//!   `PermissionDenied` error, which becomes [`ErrorCode::NotPermitted`].
//! - Semantics follow Wasmtime's `crates/wasi/src/filesystem.rs`: the open
//!   flag rules of `open_at`, `dev` = 1 and `ino` = a hash of the host
//!   (dev, inode) pair, `ctim` = the birth time (statx `btime`), symlink
//!   targets may not be absolute, hard links never follow symlinks.
//! - What a path's shape means (trailing `/`, `/.`, `/..`, and the
//!   symlinks they follow) is decided once, in `fs/path.rs`, before
//!   cap-std is handed a path without such a tail.
//! - Nothing here knows about an ABI: positions, append mode and rights are
//!   the facades' business (see [`super::Descriptor`]).

mod path;
mod times;

use super::clock::FileTime;
use super::error::{ErrorCode, KResult};
use cap_fs_ext::FileTypeExt;
use cap_fs_ext::{
    DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, SystemTimeSpec,
};
use kiln_platform::fs as host;
use path::{GuestPath, Plan};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::SystemTime;

/// The type of a filesystem object (`wasi:filesystem` descriptor-type).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FileType {
    /// Anything else (FIFOs and sockets included, as in wasmtime).
    Unknown,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharacterDevice,
    /// A directory.
    Directory,
    /// A symbolic link.
    SymbolicLink,
    /// A regular file.
    RegularFile,
}

impl FileType {
    fn from_cap(ft: cap_std::fs::FileType) -> FileType {
        if ft.is_dir() {
            FileType::Directory
        } else if ft.is_symlink() {
            FileType::SymbolicLink
        } else if ft.is_file() {
            FileType::RegularFile
        } else if ft.is_block_device() {
            FileType::BlockDevice
        } else if ft.is_char_device() {
            FileType::CharacterDevice
        } else {
            FileType::Unknown
        }
    }
}

/// Attributes of a filesystem object.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Object type.
    pub file_type: FileType,
    /// Number of hard links.
    pub nlink: u64,
    /// Size in bytes.
    pub size: u64,
    /// Last access, if known.
    pub atim: Option<FileTime>,
    /// Last modification, if known.
    pub mtim: Option<FileTime>,
    /// Status change: wasmtime reports the birth time here.
    pub ctim: Option<FileTime>,
    /// Identity hash (see [`identity_hash`]).
    pub ino: u64,
}

/// The identity hash wasmtime reports as an inode number: std's
/// `DefaultHasher` over the host (dev, ino) pair.
pub fn identity_hash(dev: u64, ino: u64) -> u64 {
    let mut h = DefaultHasher::new();
    (dev, ino).hash(&mut h);
    h.finish()
}

fn to_datetime(t: std::io::Result<cap_std::time::SystemTime>) -> Option<FileTime> {
    t.ok()
        .and_then(|t| FileTime::from_system_time(t.into_std()))
}

impl Stat {
    fn from_meta(meta: &cap_std::fs::Metadata) -> Stat {
        let id = host::identity(meta);
        Stat {
            file_type: FileType::from_cap(meta.file_type()),
            nlink: id.map_or(1, |i| i.nlink),
            size: meta.len(),
            atim: to_datetime(meta.accessed()),
            mtim: to_datetime(meta.modified()),
            ctim: to_datetime(meta.created()),
            ino: id.map_or(0, |i| identity_hash(i.dev, i.ino)),
        }
    }

    /// Takes the link count and identity from `file`'s metadata where the
    /// path's had none (see `kiln_platform::fs::identity`: Windows).
    fn complete_identity(&mut self, file: &cap_std::fs::File) {
        let Ok(meta) = file.metadata() else {
            return;
        };
        if let Some(id) = host::identity(&meta) {
            self.nlink = id.nlink;
            self.ino = identity_hash(id.dev, id.ino);
        }
    }

    /// [`Stat::from_meta`] for metadata read through a descriptor (`fstat`).
    /// std's `fstat`-based metadata has no birth time on musl, where std
    /// does not use `statx` (cap-std's path-based lookups do, and so does
    /// std on glibc, which is what wasmtime sees): ask the platform for the
    /// precise times here, so a descriptor's `stat` agrees with `stat-at`
    /// on the same object.
    ///
    /// On s390x the access and modification times come from there too:
    /// musl's `fstat` is the `fstat` system call, whose nanoseconds
    /// qemu-user's s390x emulation drops (it lacks `TARGET_STAT_HAVE_NSEC`
    /// there), and qemu-user is where most s390x executables are tried.
    fn from_fd_meta(meta: &cap_std::fs::Metadata, fd: &impl host::AsFile) -> Stat {
        let mut stat = Stat::from_meta(meta);
        if stat.needs_precise_times() {
            stat.complete_with_precise_times(fd);
        }
        stat
    }

    /// Whether [`Stat::complete_with_precise_times`] has anything to add.
    fn needs_precise_times(&self) -> bool {
        self.ctim.is_none() || host::FSTAT_TIMES_IMPRECISE
    }

    /// Fills in what `fstat` left out from the platform's precise times of
    /// `fd`, the same object: the birth time, and on s390x the other
    /// times too.
    fn complete_with_precise_times(&mut self, fd: &impl host::AsFile) {
        let precise = host::precise_times(fd);
        let time = |t: Option<SystemTime>| t.and_then(FileTime::from_system_time);
        if self.ctim.is_none() {
            self.ctim = time(precise.created);
        }
        if host::FSTAT_TIMES_IMPRECISE
            && let (Some(a), Some(m)) = (time(precise.accessed), time(precise.modified))
        {
            self.atim = Some(a);
            self.mtim = Some(m);
        }
    }
}

/// How a descriptor was opened.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenMode {
    /// Opened for reading.
    pub read: bool,
    /// Opened for writing.
    pub write: bool,
}

/// `open-at` flags (P1 `oflags`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenFlags {
    /// Create if missing.
    pub create: bool,
    /// Fail unless a directory.
    pub directory: bool,
    /// With `create`: fail if it exists.
    pub exclusive: bool,
    /// Truncate to size 0.
    pub truncate: bool,
}

/// Descriptor flags requested at open (P1 rights and `fdflags`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct DescriptorFlags {
    /// Read access.
    pub read: bool,
    /// Write access.
    pub write: bool,
    /// `O_SYNC`, `O_DSYNC` or `O_RSYNC` requested (unsupported, as in wasmtime).
    pub sync: bool,
}

/// Access advice (`posix_fadvise`; Windows ignores it).
pub use host::Advice;

/// The synchronisation flags of an open file description (`fcntl(F_GETFL)`),
/// which WASI 0.2's `get-flags` reports.
pub use host::SyncFlags;

fn sync_flags(fd: &impl host::AsFile) -> KResult<SyncFlags> {
    Ok(host::sync_flags(fd)?)
}

/// The host (device, inode) pair of an open object (`is-same-object`).
fn identity(meta: &cap_std::fs::Metadata) -> KResult<(u64, u64)> {
    host::identity(meta)
        .map(|i| (i.dev, i.ino))
        .ok_or(ErrorCode::Io)
}

/// A new timestamp for `set_times`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NewTimestamp {
    /// Leave unchanged.
    NoChange,
    /// The current time.
    Now,
    /// Nanoseconds since the epoch.
    At(u64),
    /// A host time (WASI 0.2 `datetime`s, whose range exceeds `At`'s, and
    /// WASI 0.3 `instant`s, which reach before 1970: see [`times`]).
    Time(SystemTime),
}

impl NewTimestamp {
    fn to_system_time(self) -> Option<SystemTime> {
        match self {
            NewTimestamp::NoChange => None,
            // NB: wasmtime samples "now" on the host rather than passing
            // UTIME_NOW; the observable result is the same.
            NewTimestamp::Now => Some(SystemTime::now()),
            NewTimestamp::At(ns) => {
                Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_nanos(ns))
            }
            NewTimestamp::Time(t) => Some(t),
        }
    }

    fn to_timespec(self) -> Option<host::Timespec> {
        times::timespec(self.to_system_time())
    }
}

fn follow(yes: bool) -> FollowSymlinks {
    if yes {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    }
}

fn set_fd_times(fd: &impl host::AsFile, atim: NewTimestamp, mtim: NewTimestamp) -> KResult<()> {
    host::set_times(fd, atim.to_timespec(), mtim.to_timespec())?;
    Ok(())
}

/// An open directory: the root of every path operation.
#[derive(Debug)]
pub struct Dir {
    /// The capability.
    pub dir: cap_std::fs::Dir,
    /// How it was opened.
    pub open_mode: OpenMode,
}

/// An open regular file (or other non-directory object).
#[derive(Debug)]
pub struct File {
    /// The host file.
    pub file: std::fs::File,
    /// How it was opened.
    pub open_mode: OpenMode,
}

/// The result of [`Dir::open_at`].
#[derive(Debug)]
pub enum Opened {
    /// A directory was opened.
    Dir(Dir),
    /// A file was opened.
    File(File),
}

/// One directory entry (without `.` and `..`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// Entry name.
    pub name: String,
    /// Type of the entry itself (symlinks are not followed).
    pub file_type: FileType,
    /// Identity hash of the entry.
    pub ino: u64,
}

impl Dir {
    /// Opens the host directory `path` with ambient authority (start-up
    /// only), as the platform opens a preopen.
    pub fn open_ambient(path: &std::path::Path) -> std::io::Result<Dir> {
        let dir = host::open_ambient_dir(path)?;
        Ok(Dir {
            dir,
            open_mode: OpenMode {
                read: true,
                write: true,
            },
        })
    }

    /// Opens `path` below this directory.
    pub fn open_at(
        &self,
        path: &str,
        follow_links: bool,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> KResult<Opened> {
        if flags.sync {
            return Err(ErrorCode::Unsupported);
        }
        if oflags.directory && (oflags.create || oflags.exclusive || oflags.truncate) {
            return Err(ErrorCode::Invalid);
        }
        let write = oflags.create || oflags.truncate || flags.write;
        let guest = GuestPath::parse(path);
        let (path, follow_links, directory) =
            match path::open(&guest, oflags.create, oflags.exclusive, write, self)? {
                None => (path, follow_links, oflags.directory),
                // Only reading is left (anything else failed).
                Some(dir) => (dir, true, true),
            };
        let mut opts = cap_std::fs::OpenOptions::new();
        let mut mode = OpenMode::default();
        if oflags.create {
            if oflags.exclusive {
                opts.create_new(true);
            } else {
                opts.create(true);
            }
            opts.write(true);
            mode.write = true;
        }
        if oflags.truncate {
            opts.truncate(true).write(true);
            mode.write = true;
        }
        if flags.read {
            opts.read(true);
            mode.read = true;
        }
        if flags.write {
            opts.write(true);
            mode.write = true;
        } else {
            // Like wasmtime: without write access, open for reading so the
            // OS accepts the open.
            opts.read(true);
            mode.read = true;
        }
        // A directory may be opened too (Windows needs to be told so, as
        // Wasmtime tells it). One opened for writing is `is-directory`:
        // on Linux any write (the system refuses it, `EISDIR`, with
        // `O_CREAT` or `O_TRUNC` too); on Windows, which opens it, only
        // the write right, as Wasmtime for Windows checks.
        opts.follow(follow(follow_links)).maybe_dir(true);
        let file = self.dir.open_with(path, &opts)?.into_std();
        let meta = cap_std::fs::Metadata::from_file(&file)?;
        let refused = if host::DIR_OPEN_FOR_WRITE_REFUSED {
            write
        } else {
            flags.write
        };
        if meta.is_dir() && refused {
            return Err(ErrorCode::IsDirectory);
        }
        if meta.is_dir() {
            Ok(Opened::Dir(Dir {
                dir: cap_std::fs::Dir::from_std_file(file),
                open_mode: mode,
            }))
        } else if directory {
            Err(ErrorCode::NotDirectory)
        } else {
            Ok(Opened::File(File {
                file,
                open_mode: mode,
            }))
        }
    }

    /// Attributes of this directory.
    pub fn stat(&self) -> KResult<Stat> {
        Ok(Stat::from_fd_meta(&self.dir.dir_metadata()?, &self.dir))
    }

    /// Attributes of `path`.
    pub fn stat_at(&self, path: &str, follow_links: bool) -> KResult<Stat> {
        let (path, follow_links, directory) =
            match path::stat(&GuestPath::parse(path), follow_links, self)? {
                Plan::AsIs => (path, follow_links, false),
                Plan::Dir(dir) => (dir, true, true),
                Plan::Name(name) => (name, false, false),
            };
        let meta = if follow_links {
            self.dir.metadata(path)?
        } else {
            self.dir.symlink_metadata(path)?
        };
        let mut stat = Stat::from_meta(&meta);
        let lacks_identity = host::identity(&meta).is_none();
        if stat.needs_precise_times() || lacks_identity {
            // cap-std reads a one-component path without following links
            // with `statx` (birth time included); any other path it opens
            // `O_PATH` and `fstat`s, which on musl has no birth time (and
            // see `from_fd_meta` for s390x). The errors stay cap-std's; the
            // rest comes from the same `O_PATH` open, done again here.
            let mut opts = cap_std::fs::OpenOptions::new();
            opts.read(true).follow(if follow_links {
                FollowSymlinks::Yes
            } else {
                FollowSymlinks::No
            });
            host::for_metadata_only(&mut opts);
            if let Ok(file) = self.dir.open_with(path, &opts) {
                if stat.needs_precise_times() {
                    stat.complete_with_precise_times(&file);
                }
                if lacks_identity {
                    stat.complete_identity(&file);
                }
            }
        }
        if directory && stat.file_type != FileType::Directory {
            // Swapped since `path` checked it.
            return Err(ErrorCode::NotDirectory);
        }
        Ok(stat)
    }

    /// Creates directory `path`.
    pub fn create_directory_at(&self, path: &str) -> KResult<()> {
        let path = path::create_directory(&GuestPath::parse(path), self)?.unwrap_or(path);
        Ok(self.dir.create_dir(path)?)
    }

    /// Sets the times of `path`.
    pub fn set_times_at(
        &self,
        path: &str,
        follow_links: bool,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> KResult<()> {
        let (path, follow_links) = match path::set_times(&GuestPath::parse(path), self)? {
            None => (path, follow_links),
            Some(dir) => (dir, true),
        };
        let (a, m) = (atim.to_system_time(), mtim.to_system_time());
        if times::before_epoch(a) || times::before_epoch(m) {
            // cap-std cannot convert these (WASI 0.3 reaches them).
            return times::set_times_at(&self.dir, path, follow_links, a, m);
        }
        let spec = |t: NewTimestamp| {
            t.to_system_time()
                .map(|t| SystemTimeSpec::Absolute(cap_std::time::SystemTime::from_std(t)))
        };
        if follow_links {
            self.dir.set_times(path, spec(atim), spec(mtim))?;
        } else {
            self.dir.set_symlink_times(path, spec(atim), spec(mtim))?;
        }
        Ok(())
    }

    /// Sets the times of this directory.
    pub fn set_times(&self, atim: NewTimestamp, mtim: NewTimestamp) -> KResult<()> {
        set_fd_times(&self.dir, atim, mtim)
    }

    /// Creates hard link `new_path` (below `new_dir`) to `old_path`.
    pub fn link_at(
        &self,
        old_follow: bool,
        old_path: &str,
        new_dir: &Dir,
        new_path: &str,
    ) -> KResult<()> {
        if old_follow {
            return Err(ErrorCode::Invalid);
        }
        path::link(
            &GuestPath::parse(old_path),
            self,
            &GuestPath::parse(new_path),
            new_dir,
        )?;
        Ok(self.dir.hard_link(old_path, &new_dir.dir, new_path)?)
    }

    /// Reads symlink `path` (absolute targets are refused).
    pub fn readlink_at(&self, path: &str) -> KResult<String> {
        path::readlink(&GuestPath::parse(path), self)?;
        let target = self.dir.read_link(path)?;
        target
            .into_os_string()
            .into_string()
            .map_err(|_| ErrorCode::IllegalByteSequence)
    }

    /// Removes the empty directory `path`.
    pub fn remove_directory_at(&self, path: &str) -> KResult<()> {
        path::remove_directory(&GuestPath::parse(path), self)?;
        Ok(self.dir.remove_dir(path)?)
    }

    /// Renames `old_path` to `new_path` below `new_dir`.
    pub fn rename_at(&self, old_path: &str, new_dir: &Dir, new_path: &str) -> KResult<()> {
        let (old_path, new_path) = path::rename(
            &GuestPath::parse(old_path),
            self,
            &GuestPath::parse(new_path),
            new_dir,
        )?
        .unwrap_or((old_path, new_path));
        Ok(self.dir.rename(old_path, &new_dir.dir, new_path)?)
    }

    /// Creates symlink `new_path` pointing at `target` (not absolute).
    pub fn symlink_at(&self, target: &str, new_path: &str) -> KResult<()> {
        path::symlink(&GuestPath::parse(new_path), self)?;
        Ok(self.dir.symlink(target, new_path)?)
    }

    /// Removes the non-directory `path` (symlinks included).
    pub fn unlink_file_at(&self, path: &str) -> KResult<()> {
        path::unlink(&GuestPath::parse(path), self)?;
        Ok(self.dir.remove_file(path)?)
    }

    /// All entries in OS order, without `.` and `..`. Each entry is read
    /// eagerly (name, type, identity), as wasmtime does.
    pub fn read_dir(&self) -> KResult<Vec<KResult<DirEntry>>> {
        Ok(self.read_dir_lazy()?.collect())
    }

    /// The entries as [`Dir::read_dir`] gives them, from a host directory
    /// stream opened now (so it holds its descriptor from the call on) and
    /// read as the iterator is advanced, as Wasmtime's WASI 0.3
    /// `read-directory` reads: an entry made after the call but before the
    /// host reads that far is listed.
    pub fn read_dir_lazy(
        &self,
    ) -> KResult<impl Iterator<Item = KResult<DirEntry>> + Send + 'static> {
        let entries = self.dir.entries()?;
        Ok(entries.map(|entry| -> KResult<DirEntry> {
            let entry = entry?;
            let meta = entry.metadata()?;
            let id = match host::identity(&meta) {
                Some(id) => Some(id),
                // Windows: an entry's metadata has no identity; the
                // object's own has (Wasmtime opens it too).
                None => {
                    let mut opts = cap_std::fs::OpenOptions::new();
                    opts.read(true).follow(FollowSymlinks::No);
                    host::for_metadata_only(&mut opts);
                    entry
                        .open_with(&opts)
                        .ok()
                        .and_then(|f| f.metadata().ok())
                        .and_then(|m| host::identity(&m))
                }
            };
            let name = entry
                .file_name()
                .into_string()
                .map_err(|_| ErrorCode::IllegalByteSequence)?;
            Ok(DirEntry {
                name,
                file_type: FileType::from_cap(meta.file_type()),
                ino: id.map_or(0, |i| identity_hash(i.dev, i.ino)),
            })
        }))
    }

    /// Flushes the directory to storage. Like wasmtime, through a fresh
    /// read-only descriptor of `.`: a preopen's own descriptor is `O_PATH`,
    /// which `fsync` refuses.
    pub fn sync(&self) -> KResult<()> {
        Ok(self.open_self()?.sync_all()?)
    }

    /// Flushes the directory's data to storage (see [`Dir::sync`]).
    pub fn sync_data(&self) -> KResult<()> {
        Ok(self.open_self()?.sync_data()?)
    }

    fn open_self(&self) -> KResult<cap_std::fs::File> {
        let mut opts = cap_std::fs::OpenOptions::new();
        opts.read(true).maybe_dir(true);
        Ok(self.dir.open_with(".", &opts)?)
    }

    /// The synchronisation flags of the directory's descriptor.
    pub fn sync_flags(&self) -> KResult<SyncFlags> {
        sync_flags(&self.dir)
    }

    /// The host (device, inode) pair of the directory.
    pub fn identity(&self) -> KResult<(u64, u64)> {
        identity(&self.dir.dir_metadata()?)
    }

    /// A second capability to the same directory (`dup`), opened the same
    /// way.
    pub fn try_clone(&self) -> KResult<Dir> {
        Ok(Dir {
            dir: self.dir.try_clone()?,
            open_mode: self.open_mode,
        })
    }
}

/// The lookups the path rules (`fs/path.rs`) make, through cap-std below
/// this directory.
impl path::Probe for Dir {
    fn kind(&self, path: &str, follow: bool) -> KResult<FileType> {
        let meta = if follow {
            self.dir.metadata(path)?
        } else {
            self.dir.symlink_metadata(path)?
        };
        Ok(FileType::from_cap(meta.file_type()))
    }
}

impl File {
    /// Reads at `pos` (a single `pread`).
    pub fn read_at(&self, buf: &mut [u8], pos: u64) -> KResult<usize> {
        Ok(self.read_at_os(buf, pos)?)
    }

    /// [`File::read_at`] keeping the host error (WASI 0.2 stream errors
    /// quote it).
    pub fn read_at_os(&self, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
        host::read_at(&self.file, buf, pos)
    }

    /// Writes at `pos` (a single `pwrite`).
    pub fn write_at(&self, buf: &[u8], pos: u64) -> KResult<usize> {
        Ok(self.write_at_os(buf, pos)?)
    }

    /// [`File::write_at`] keeping the host error.
    pub fn write_at_os(&self, buf: &[u8], pos: u64) -> std::io::Result<usize> {
        host::write_at(&self.file, buf, pos)
    }

    /// Appends at the end of the file regardless of any position.
    pub fn append(&self, buf: &[u8]) -> KResult<usize> {
        Ok(self.append_os(buf)?)
    }

    /// [`File::append`] keeping the host error.
    pub fn append_os(&self, buf: &[u8]) -> std::io::Result<usize> {
        host::append(&self.file, buf)
    }

    /// Attributes of the file.
    pub fn stat(&self) -> KResult<Stat> {
        Ok(Stat::from_fd_meta(
            &cap_std::fs::Metadata::from_file(&self.file)?,
            &self.file,
        ))
    }

    /// Truncates or extends the file.
    pub fn set_size(&self, size: u64) -> KResult<()> {
        Ok(self.file.set_len(size)?)
    }

    /// Sets the file's times.
    pub fn set_times(&self, atim: NewTimestamp, mtim: NewTimestamp) -> KResult<()> {
        set_fd_times(&self.file, atim, mtim)
    }

    /// `fsync`.
    pub fn sync(&self) -> KResult<()> {
        Ok(self.file.sync_all()?)
    }

    /// `fdatasync`.
    pub fn sync_data(&self) -> KResult<()> {
        Ok(self.file.sync_data()?)
    }

    /// The synchronisation flags of the file's description.
    pub fn sync_flags(&self) -> KResult<SyncFlags> {
        sync_flags(&self.file)
    }

    /// The host (device, inode) pair of the file.
    pub fn identity(&self) -> KResult<(u64, u64)> {
        identity(&cap_std::fs::Metadata::from_file(&self.file)?)
    }

    /// `posix_fadvise`.
    pub fn advise(&self, offset: u64, len: u64, advice: host::Advice) -> KResult<()> {
        Ok(host::advise(&self.file, offset, len, advice)?)
    }
}

#[cfg(test)]
mod tests;
