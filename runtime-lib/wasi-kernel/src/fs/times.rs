//! File times before 1970: the timespecs `set-times` gives the host, and
//! `set-times-at` for them without cap-std's time conversion (which, in
//! the cap-std Kiln builds with, panics on a time before the epoch).
//!
//! Phase: run time. Inputs: host times ([`SystemTime`], before the epoch
//! or not) and a guest path relative to a capability. Outputs: the times
//! set, or the kernel error cap-std's open gives.
//!
//! Invariants (observed with Wasmtime 49 over WASI 0.3, whose times reach
//! before 1970; see `tests/programs/p3/src/bin/p3_fs_pre1970.rs`):
//! - a descriptor's `set-times` and a `set-times-at` that follows links
//!   set exactly the time asked for ([`timespec`]: floored seconds);
//! - a `set-times-at` that does not follow links sets, for a time `d`
//!   before the epoch, `-(whole seconds of d)` plus the nanoseconds of `d`
//!   ([`timespec_nofollow`]), as Wasmtime's cap-std does (1.5 s before the
//!   epoch becomes 0.5 s before it);
//! - paths resolve through cap-std only (`open`, `open_dir`), so nothing
//!   escapes the directory: following links, the file is opened for
//!   writing, else reading (as cap-std's own `set_times`), else `O_PATH`
//!   and set through `/proc/self/fd`; not following them, the parent is
//!   opened and the last component set with `AT_SYMLINK_NOFOLLOW`.

use super::super::error::{ErrorCode, KResult};
use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt};
use kiln_platform::fs::{self as host, Timespec};
use std::time::SystemTime;

/// The timespec of `t`: seconds floored, nanoseconds counting up (`None`:
/// leave the time unchanged).
pub(crate) fn timespec(t: Option<SystemTime>) -> Option<Timespec> {
    let t = t?;
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => Some(Timespec {
            secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nanos: i64::from(d.subsec_nanos()),
        }),
        Err(before) => {
            let d = before.duration();
            let secs = i64::try_from(d.as_secs()).map_or(i64::MIN, |s| -s);
            Some(match d.subsec_nanos() {
                0 => Timespec { secs, nanos: 0 },
                n => Timespec {
                    secs: secs.saturating_sub(1),
                    nanos: i64::from(1_000_000_000 - n),
                },
            })
        }
    }
}

/// The timespec Wasmtime's `set-times-at` without following links gives
/// the host for `t` (see the module docs).
fn timespec_nofollow(t: Option<SystemTime>) -> Option<Timespec> {
    let t = t?;
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(_) => timespec(Some(t)),
        Err(before) => {
            let d = before.duration();
            Some(Timespec {
                secs: i64::try_from(d.as_secs()).map_or(i64::MIN, |s| -s),
                nanos: i64::from(d.subsec_nanos()),
            })
        }
    }
}

/// Whether `t` lies before the epoch.
pub(crate) fn before_epoch(t: Option<SystemTime>) -> bool {
    t.is_some_and(|t| t < SystemTime::UNIX_EPOCH)
}

/// `set-times-at` of `path` below `dir` when a time lies before 1970.
pub(crate) fn set_times_at(
    dir: &cap_std::fs::Dir,
    path: &str,
    follow_links: bool,
    atim: Option<SystemTime>,
    mtim: Option<SystemTime>,
) -> KResult<()> {
    if follow_links {
        return set_following(dir, path, timespec(atim), timespec(mtim));
    }
    let (a, m) = (timespec_nofollow(atim), timespec_nofollow(mtim));
    let p = std::path::Path::new(path);
    if path.is_empty() {
        return Err(ErrorCode::NoEntry);
    }
    if p.is_absolute() {
        return Err(ErrorCode::NotPermitted);
    }
    let (parent, name) = match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) => (parent, name),
        // `.` (or `x/.`): the directory itself.
        _ if p.components().next_back() == Some(std::path::Component::CurDir) => {
            (p, std::ffi::OsStr::new("."))
        }
        // `..` as the last component: the parent's parent, which only the
        // following path resolves safely.
        _ => return Err(ErrorCode::NotPermitted),
    };
    let parent_dir;
    let base = if parent.as_os_str().is_empty() {
        dir
    } else {
        parent_dir = dir.open_dir(parent)?;
        &parent_dir
    };
    host::set_times_nofollow(base, name, a, m)?;
    Ok(())
}

/// Sets the times of the object `path` names, following links: through a
/// descriptor opened for writing, else reading, else one opened for its
/// metadata only (Linux: `O_PATH`, set through `/proc/self/fd`, where
/// `futimens` refuses an `O_PATH` descriptor).
fn set_following(
    dir: &cap_std::fs::Dir,
    path: &str,
    a: Option<Timespec>,
    m: Option<Timespec>,
) -> KResult<()> {
    let open = |write: bool, metadata_only: bool| {
        let mut opts = cap_std::fs::OpenOptions::new();
        opts.read(!write)
            .write(write)
            .follow(FollowSymlinks::Yes)
            .maybe_dir(true);
        if metadata_only {
            host::for_metadata_only(&mut opts);
        }
        dir.open_with(path, &opts)
    };
    let retry = |e: &std::io::Error, codes: &[ErrorCode]| codes.contains(&ErrorCode::from(e));
    match open(true, false) {
        Ok(f) => return Ok(host::set_times(&f, a, m)?),
        Err(e) if !retry(&e, &[ErrorCode::Access, ErrorCode::IsDirectory]) => {
            return Err(e.into());
        }
        Err(_) => {}
    }
    match open(false, false) {
        Ok(f) => return Ok(host::set_times(&f, a, m)?),
        Err(e) if !retry(&e, &[ErrorCode::Access]) => return Err(e.into()),
        Err(_) => {}
    }
    let f = open(false, true)?;
    host::set_times_metadata_only(&f, a, m)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs_before: u64, nanos: u32) -> Option<SystemTime> {
        Some(SystemTime::UNIX_EPOCH - Duration::new(secs_before, nanos))
    }

    #[test]
    fn timespecs_before_the_epoch() {
        // 1.5 s before the epoch: floored, and as Wasmtime's nofollow path.
        let ts = |secs, nanos| Some(Timespec { secs, nanos });
        assert_eq!(timespec(at(1, 500_000_000)), ts(-2, 500_000_000));
        assert_eq!(timespec_nofollow(at(1, 500_000_000)), ts(-1, 500_000_000));
        assert_eq!(timespec(at(7, 0)), ts(-7, 0));
        let after = Some(SystemTime::UNIX_EPOCH + Duration::new(3, 4));
        assert_eq!(timespec(after), ts(3, 4));
        assert_eq!(timespec(None), None);
        assert!(before_epoch(at(0, 1)));
        assert!(!before_epoch(Some(SystemTime::UNIX_EPOCH)));
    }
}
