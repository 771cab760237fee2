//! Linux: the system calls the WASI kernel has always made, by rustix.

use super::{Advice, PreciseTimes, SyncFlags, Timespec};
use cap_std::fs::OpenOptionsExt;
use rustix::fs::{AtFlags, OFlags, StatxFlags, Timestamps, UTIME_OMIT};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::time::SystemTime;

pub fn precise_times(file: &impl super::AsFile) -> PreciseTimes {
    let want = if super::FSTAT_TIMES_IMPRECISE {
        StatxFlags::BTIME | StatxFlags::ATIME | StatxFlags::MTIME
    } else {
        StatxFlags::BTIME
    };
    let Ok(st) = rustix::fs::statx(file, "", AtFlags::EMPTY_PATH, want) else {
        return PreciseTimes::default();
    };
    let known = |flag: StatxFlags| st.stx_mask & flag.bits() != 0;
    let time = |flag, t| if known(flag) { statx_time(t) } else { None };
    PreciseTimes {
        created: time(StatxFlags::BTIME, st.stx_btime),
        accessed: time(StatxFlags::ATIME, st.stx_atime),
        modified: time(StatxFlags::MTIME, st.stx_mtime),
    }
}

/// A `statx` timestamp as a [`SystemTime`].
fn statx_time(t: rustix::fs::StatxTimestamp) -> Option<SystemTime> {
    // `tv_sec` is floored, `tv_nsec` counts up from it (as in a timespec).
    let (sec, nsec) = (t.tv_sec, t.tv_nsec);
    let whole = std::time::Duration::from_secs(sec.unsigned_abs());
    let t = if sec >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(whole)?
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(whole)?
    };
    t.checked_add(std::time::Duration::from_nanos(u64::from(nsec)))
}

pub fn identity(meta: &cap_std::fs::Metadata) -> Option<super::Identity> {
    use cap_std::fs::MetadataExt;
    Some(super::Identity {
        dev: meta.dev(),
        ino: meta.ino(),
        nlink: meta.nlink(),
    })
}

pub fn for_metadata_only(opts: &mut cap_std::fs::OpenOptions) {
    opts.custom_flags(OFlags::PATH.bits() as i32);
}

pub fn sync_flags(file: &impl super::AsFile) -> io::Result<SyncFlags> {
    let flags = rustix::fs::fcntl_getfl(file)?;
    Ok(SyncFlags {
        dsync: flags.contains(OFlags::DSYNC),
        sync: flags.contains(OFlags::SYNC),
        rsync: flags.contains(OFlags::RSYNC),
    })
}

fn timestamps(accessed: Option<Timespec>, modified: Option<Timespec>) -> Timestamps {
    let ts = |t: Option<Timespec>| match t {
        Some(t) => rustix::fs::Timespec {
            tv_sec: t.secs,
            tv_nsec: t.nanos,
        },
        None => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_OMIT,
        },
    };
    Timestamps {
        last_access: ts(accessed),
        last_modification: ts(modified),
    }
}

pub fn set_times(
    file: &impl super::AsFile,
    accessed: Option<Timespec>,
    modified: Option<Timespec>,
) -> io::Result<()> {
    Ok(rustix::fs::futimens(file, &timestamps(accessed, modified))?)
}

pub fn set_times_nofollow(
    dir: &cap_std::fs::Dir,
    name: &std::ffi::OsStr,
    accessed: Option<Timespec>,
    modified: Option<Timespec>,
) -> io::Result<()> {
    let times = timestamps(accessed, modified);
    Ok(rustix::fs::utimensat(
        dir,
        name,
        &times,
        AtFlags::SYMLINK_NOFOLLOW,
    )?)
}

pub fn set_times_metadata_only(
    file: &impl super::AsFile,
    accessed: Option<Timespec>,
    modified: Option<Timespec>,
) -> io::Result<()> {
    let proc_path = format!("/proc/self/fd/{}", file.as_fd().as_raw_fd());
    let times = timestamps(accessed, modified);
    Ok(rustix::fs::utimensat(
        rustix::fs::CWD,
        proc_path.as_str(),
        &times,
        AtFlags::empty(),
    )?)
}

/// NB: opened with rustix rather than `cap_std::fs::Dir::open_ambient_dir`:
/// that goes through `std::fs::OpenOptions::custom_flags`, which masks the
/// flags with `O_ACCMODE`, and musl's `O_ACCMODE` includes `O_PATH`
/// (`O_SEARCH`), so a static build got a read-only descriptor instead:
/// `futimens` on a preopen then succeeded where Wasmtime (and the glibc
/// build) fail with `EBADF`.
pub fn open_ambient_dir(path: &std::path::Path) -> io::Result<cap_std::fs::Dir> {
    use rustix::fs::Mode;
    let fd = rustix::fs::open(
        path,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(cap_std::fs::Dir::from_std_file(std::fs::File::from(fd)))
}

pub fn read_at(file: &std::fs::File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    file.read_at(buf, pos)
}

pub fn write_at(file: &std::fs::File, buf: &[u8], pos: u64) -> io::Result<usize> {
    file.write_at(buf, pos)
}

pub fn append(file: &std::fs::File, buf: &[u8]) -> io::Result<usize> {
    let iov = [std::io::IoSlice::new(buf)];
    match rustix::io::pwritev2(file, &iov, 0, rustix::io::ReadWriteFlags::APPEND) {
        Err(rustix::io::Errno::NOSYS) | Err(rustix::io::Errno::NOTSUP) => {}
        other => return Ok(other?),
    }
    // Old kernels: switch the description to O_APPEND for this write.
    let old = rustix::fs::fcntl_getfl(file)?;
    rustix::fs::fcntl_setfl(file, old | OFlags::APPEND)?;
    let result = rustix::io::write(file, buf);
    rustix::fs::fcntl_setfl(file, old)?;
    Ok(result?)
}

pub fn advise(file: &std::fs::File, offset: u64, len: u64, advice: Advice) -> io::Result<()> {
    use rustix::fs::Advice as A;
    let advice = match advice {
        Advice::Normal => A::Normal,
        Advice::Sequential => A::Sequential,
        Advice::Random => A::Random,
        Advice::WillNeed => A::WillNeed,
        Advice::DontNeed => A::DontNeed,
        Advice::NoReuse => A::NoReuse,
    };
    rustix::fs::fadvise(file, offset, std::num::NonZeroU64::new(len), advice)?;
    Ok(())
}
