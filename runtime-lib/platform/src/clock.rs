//! Clock resolutions (the clocks themselves are Rust's `SystemTime` and
//! `Instant`, which read the same OS clocks).
//!
//! Linux: `clock_getres` of `CLOCK_REALTIME` and `CLOCK_MONOTONIC`.
//! Windows: the wall clock counts in 100 ns units (`FILETIME`); the
//! monotonic clock is the performance counter, one tick of
//! `QueryPerformanceFrequency`.

use std::time::Duration;

/// The wall clock's resolution.
pub fn wall_resolution() -> Duration {
    #[cfg(unix)]
    return getres(libc::CLOCK_REALTIME);
    #[cfg(windows)]
    Duration::from_nanos(100)
}

/// The monotonic clock's resolution.
pub fn monotonic_resolution() -> Duration {
    #[cfg(unix)]
    return getres(libc::CLOCK_MONOTONIC);
    #[cfg(windows)]
    {
        let mut freq = 0i64;
        // SAFETY: a valid out-pointer; never fails on Windows XP and later.
        unsafe {
            windows_sys::Win32::System::Performance::QueryPerformanceFrequency(&mut freq);
        }
        match u64::try_from(freq) {
            Ok(f) if f > 0 => Duration::from_nanos((1_000_000_000 / f).max(1)),
            _ => Duration::from_nanos(100),
        }
    }
}

#[cfg(unix)]
fn getres(clock: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and out-pointer.
    if unsafe { libc::clock_getres(clock, &mut ts) } != 0 {
        return Duration::from_nanos(1);
    }
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn resolutions_are_positive_and_fine() {
        for r in [super::wall_resolution(), super::monotonic_resolution()] {
            assert!(r.as_nanos() > 0 && r.as_millis() < 20, "{r:?}");
        }
    }
}
