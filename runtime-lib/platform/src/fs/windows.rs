//! Windows: what Wasmtime on Windows does, by `SetFileTime` and std's
//! positioned I/O (whose file-position side effect is undone).

use super::{Advice, PreciseTimes, SyncFlags, Timespec};
use std::io::{self, Seek, SeekFrom};
use std::os::windows::fs::FileExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use windows_sys::Win32::Foundation::{ERROR_ACCESS_DENIED, FILETIME, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Storage::FileSystem::{
    FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OPEN_REPARSE_POINT, FILE_SHARE_DELETE, FILE_SHARE_READ,
    FILE_SHARE_WRITE, FILE_WRITE_ATTRIBUTES, ReOpenFile, SetFileTime,
};

/// Windows metadata has every time; nothing to add.
pub fn precise_times(_file: &impl super::AsFile) -> PreciseTimes {
    PreciseTimes::default()
}

pub fn identity(meta: &cap_std::fs::Metadata) -> Option<super::Identity> {
    use cap_primitives::fs::_WindowsByHandle;
    Some(super::Identity {
        dev: meta.volume_serial_number()?.into(),
        ino: meta.file_index()?,
        nlink: meta.number_of_links()?.into(),
    })
}

/// A directory too (backup semantics), as for any open of Wasmtime's.
pub fn for_metadata_only(opts: &mut cap_std::fs::OpenOptions) {
    use cap_fs_ext::OpenOptionsMaybeDirExt;
    opts.maybe_dir(true);
}

/// Windows has no synchronous-I/O open flags a guest could ask for.
pub fn sync_flags(_file: &impl super::AsFile) -> io::Result<SyncFlags> {
    Ok(SyncFlags::default())
}

/// Seconds between 1601-01-01 (the FILETIME epoch) and 1970-01-01.
const EPOCH_DIFFERENCE: i64 = 11_644_473_600;

/// `t` as a FILETIME (100 ns intervals since 1601), or an error before 1601.
fn filetime(t: Timespec) -> io::Result<FILETIME> {
    let ticks = t
        .secs
        .checked_add(EPOCH_DIFFERENCE)
        .and_then(|s| s.checked_mul(10_000_000))
        .and_then(|s| s.checked_add(t.nanos / 100))
        .and_then(|s| u64::try_from(s).ok())
        .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
    Ok(FILETIME {
        dwLowDateTime: ticks as u32,
        dwHighDateTime: (ticks >> 32) as u32,
    })
}

fn set_handle_times(handle: HANDLE, a: Option<FILETIME>, m: Option<FILETIME>) -> io::Result<()> {
    let ptr = |t: &Option<FILETIME>| {
        t.as_ref()
            .map_or(std::ptr::null(), |t| t as *const FILETIME)
    };
    // SAFETY: `handle` is open for the call (borrowed by the caller); the
    // time pointers are null or point at locals that outlive the call.
    if unsafe { SetFileTime(handle, std::ptr::null(), ptr(&a), ptr(&m)) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

pub fn set_times(
    file: &impl super::AsFile,
    accessed: Option<Timespec>,
    modified: Option<Timespec>,
) -> io::Result<()> {
    let a = accessed.map(filetime).transpose()?;
    let m = modified.map(filetime).transpose()?;
    let handle = file.as_handle().as_raw_handle() as HANDLE;
    match set_handle_times(handle, a, m) {
        Err(e) if e.raw_os_error() == Some(ERROR_ACCESS_DENIED as i32) => {
            // Opened without the right to write attributes (read-only, or
            // a directory): a second handle on the same object with that
            // right only, as Wasmtime's `fs-set-times` does.
            let share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
            // SAFETY: `handle` is open for the call; ReOpenFile returns a
            // new handle, owned below, or INVALID_HANDLE_VALUE.
            let h = unsafe {
                ReOpenFile(
                    handle,
                    FILE_WRITE_ATTRIBUTES,
                    share,
                    FILE_FLAG_BACKUP_SEMANTICS,
                )
            };
            if h == INVALID_HANDLE_VALUE {
                return Err(e);
            }
            // SAFETY: `h` is a fresh handle nothing else owns.
            let owned = unsafe { OwnedHandle::from_raw_handle(h) };
            set_handle_times(owned.as_raw_handle() as HANDLE, a, m)
        }
        other => other,
    }
}

pub fn set_times_nofollow(
    dir: &cap_std::fs::Dir,
    name: &std::ffi::OsStr,
    accessed: Option<Timespec>,
    modified: Option<Timespec>,
) -> io::Result<()> {
    use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt};
    use cap_std::fs::OpenOptionsExt;
    let mut opts = cap_std::fs::OpenOptions::new();
    opts.access_mode(FILE_WRITE_ATTRIBUTES)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT)
        .follow(FollowSymlinks::No);
    let file = dir.open_with(name, &opts)?;
    set_times(&file, accessed, modified)
}

pub fn set_times_metadata_only(
    file: &impl super::AsFile,
    accessed: Option<Timespec>,
    modified: Option<Timespec>,
) -> io::Result<()> {
    set_times(file, accessed, modified)
}

pub fn open_ambient_dir(path: &std::path::Path) -> io::Result<cap_std::fs::Dir> {
    cap_std::fs::Dir::open_ambient_dir(path, cap_std::ambient_authority())
}

/// Runs `op` and puts the file position back where it was: Windows'
/// positioned I/O on a synchronous handle moves it, POSIX's does not.
fn keeping_position<T>(
    mut file: &std::fs::File,
    op: impl FnOnce(&std::fs::File) -> io::Result<T>,
) -> io::Result<T> {
    let here = file.stream_position()?;
    let result = op(file);
    file.seek(SeekFrom::Start(here))?;
    result
}

pub fn read_at(file: &std::fs::File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    keeping_position(file, |f| f.seek_read(buf, pos))
}

pub fn write_at(file: &std::fs::File, buf: &[u8], pos: u64) -> io::Result<usize> {
    keeping_position(file, |f| f.seek_write(buf, pos))
}

/// Through a new handle opened for appending (cap-std's `reopen`), as
/// Wasmtime on Windows appends: the write lands at the end whatever
/// another handle does meanwhile, the position of `file` stays, and a
/// handle without write access fails as `reopen` refuses it
/// (`PermissionDenied` without an OS code, WASI's `not-permitted`).
pub fn append(file: &std::fs::File, buf: &[u8]) -> io::Result<usize> {
    use cap_fs_ext::{OpenOptions, Reopen};
    use std::io::Write;
    let mut appender = file.reopen(OpenOptions::new().append(true))?;
    appender.write(buf)
}

pub fn advise(_file: &std::fs::File, _offset: u64, _len: u64, _advice: Advice) -> io::Result<()> {
    Ok(())
}
