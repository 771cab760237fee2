//! Files and directories beyond what cap-std gives on every OS: precise
//! times, positioned and appending writes, timestamps before 1970,
//! synchronisation flags, access advice and the opening of preopened
//! directories.
//!
//! Phase: run time. Inputs: cap-std files and directories the WASI kernel
//! holds. Outputs: what the OS reports or did. cap-std keeps the sandbox
//! (every path resolves beneath a directory capability); these functions
//! only act on objects already opened through it, or on one name inside
//! an opened directory.
//!
//! Invariants: Linux keeps the system calls the kernel always made
//! (`statx`, `futimens`, `utimensat`, `pwritev2`, `fcntl`,
//! `posix_fadvise`). Windows does what Wasmtime on Windows does: times
//! through `SetFileTime` (100 ns resolution), positioned I/O that leaves
//! the file position where it was, no synchronisation flags, advice
//! accepted and ignored.

use std::io;
use std::time::SystemTime;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as os;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;

/// A file object the functions here act on (a descriptor on Linux, a
/// handle on Windows): cap-std's files and directories are.
#[cfg(unix)]
pub trait AsFile: std::os::fd::AsFd {}
#[cfg(unix)]
impl<T: std::os::fd::AsFd> AsFile for T {}
/// A file object the functions here act on (a descriptor on Linux, a
/// handle on Windows): cap-std's files and directories are.
#[cfg(windows)]
pub trait AsFile: std::os::windows::io::AsHandle {}
#[cfg(windows)]
impl<T: std::os::windows::io::AsHandle> AsFile for T {}

/// A time to set: seconds since the epoch (floored) and nanoseconds
/// counting up from them; `None` (where taken) leaves the time unchanged.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Timespec {
    /// Whole seconds, negative before 1970.
    pub secs: i64,
    /// Nanoseconds, `0..1_000_000_000`.
    pub nanos: i64,
}

/// Times `fstat` may leave out, read again precisely (Linux: `statx`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct PreciseTimes {
    /// Birth time.
    pub created: Option<SystemTime>,
    /// Access time (asked for only where [`FSTAT_TIMES_IMPRECISE`]).
    pub accessed: Option<SystemTime>,
    /// Modification time (likewise).
    pub modified: Option<SystemTime>,
}

/// Whether `fstat`'s access and modification times lose precision, so
/// that [`precise_times`] should read them too: s390x, where qemu-user's
/// emulation of musl's `fstat` drops the nanoseconds.
pub const FSTAT_TIMES_IMPRECISE: bool = cfg!(target_arch = "s390x");

/// What identifies a file object: its device and inode numbers, and its
/// link count.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Device (Windows: the volume serial number).
    pub dev: u64,
    /// Inode (Windows: the file index).
    pub ino: u64,
    /// Hard links.
    pub nlink: u64,
}

/// The identity `meta` carries. Linux: always. Windows: only metadata
/// read through an open handle (`Metadata::from_file`, and cap-std's own
/// path lookups, which open the object); a directory entry's has none,
/// and the caller opens the object for it, as Wasmtime does.
pub fn identity(meta: &cap_std::fs::Metadata) -> Option<Identity> {
    os::identity(meta)
}

/// Whether a guest path ending in `/`, `.` or `..` goes to cap-std, and so
/// to the system, as the guest wrote it. Windows: yes, as Wasmtime for
/// Windows hands it to cap-std's Windows code (`.` truncated is `exist`,
/// `x/` truncated `invalid`, a directory's `unlink` or `rename` is `access`,
/// ...). Unix: no; the WASI kernel applies Linux's rules itself and hands on
/// only undecorated paths, so every Unix host answers as Linux does and no
/// host's own trailing-slash rule is reached (on macOS and the BSDs a
/// trailing slash follows a last symlink, which through cap-std's
/// via-parent `rename` was a sandbox escape).
pub const DECORATED_PATHS_TO_SYSTEM: bool = cfg!(windows);

/// Whether the system refuses to open a directory for writing (Linux:
/// `EISDIR`, also with `O_CREAT` or `O_TRUNC`). Windows opens it (backup
/// semantics), so Wasmtime for Windows refuses only the write right
/// itself and hands out a directory descriptor for a create or truncate.
pub const DIR_OPEN_FOR_WRITE_REFUSED: bool = cfg!(unix);

/// Reads the birth time of `file` (and, where [`FSTAT_TIMES_IMPRECISE`],
/// its access and modification times); what the OS cannot say is `None`.
pub fn precise_times(file: &impl AsFile) -> PreciseTimes {
    os::precise_times(file)
}

/// Adjusts `opts` to open an object for its metadata and times only
/// (Linux: `O_PATH`, which needs no read permission; Windows: unchanged).
pub fn for_metadata_only(opts: &mut cap_std::fs::OpenOptions) {
    os::for_metadata_only(opts)
}

/// The synchronisation flags of an open file (WASI 0.2 `get-flags`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncFlags {
    /// `O_DSYNC`.
    pub dsync: bool,
    /// `O_SYNC`.
    pub sync: bool,
    /// `O_RSYNC`.
    pub rsync: bool,
}

/// The synchronisation flags `file` was opened with (Windows: none).
pub fn sync_flags(file: &impl AsFile) -> io::Result<SyncFlags> {
    os::sync_flags(file)
}

/// Sets the access and modification times of `file` (`None`: unchanged).
pub fn set_times(
    file: &impl AsFile,
    accessed: Option<Timespec>,
    modified: Option<Timespec>,
) -> io::Result<()> {
    os::set_times(file, accessed, modified)
}

/// Sets the times of `name` in `dir` without following a symbolic link
/// there (`name` is one component).
pub fn set_times_nofollow(
    dir: &cap_std::fs::Dir,
    name: &std::ffi::OsStr,
    accessed: Option<Timespec>,
    modified: Option<Timespec>,
) -> io::Result<()> {
    os::set_times_nofollow(dir, name, accessed, modified)
}

/// Sets the times of `file`, opened with [`for_metadata_only`] (Linux:
/// through `/proc/self/fd`, since `futimens` refuses an `O_PATH`
/// descriptor).
pub fn set_times_metadata_only(
    file: &impl AsFile,
    accessed: Option<Timespec>,
    modified: Option<Timespec>,
) -> io::Result<()> {
    os::set_times_metadata_only(file, accessed, modified)
}

/// Opens the host directory `path` with ambient authority (start-up only,
/// for a preopen). Linux: an `O_PATH` descriptor, which is what cap-std
/// asks for (see the Linux implementation for why not cap-std's own).
pub fn open_ambient_dir(path: &std::path::Path) -> io::Result<cap_std::fs::Dir> {
    os::open_ambient_dir(path)
}

/// Reads at `pos` without moving the file position.
pub fn read_at(file: &std::fs::File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    os::read_at(file, buf, pos)
}

/// Writes at `pos` without moving the file position.
pub fn write_at(file: &std::fs::File, buf: &[u8], pos: u64) -> io::Result<usize> {
    os::write_at(file, buf, pos)
}

/// Writes at the end of the file, whatever the file position.
pub fn append(file: &std::fs::File, buf: &[u8]) -> io::Result<usize> {
    os::append(file, buf)
}

/// Access advice (`posix_fadvise`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Advice {
    /// No advice.
    Normal,
    /// Sequential access.
    Sequential,
    /// Random access.
    Random,
    /// Needed soon.
    WillNeed,
    /// Not needed soon.
    DontNeed,
    /// Accessed once.
    NoReuse,
}

/// Gives the OS `advice` for `len` bytes at `offset` (`len` 0: to the
/// end). Windows has no such call: accepted and ignored, as Wasmtime.
pub fn advise(file: &std::fs::File, offset: u64, len: u64, advice: Advice) -> io::Result<()> {
    os::advise(file, offset, len, advice)
}

#[cfg(test)]
mod tests;
