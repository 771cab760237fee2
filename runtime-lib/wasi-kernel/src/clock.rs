//! Clocks: the wall clock and a monotonic clock starting at zero.
//!
//! Phase: run time. Inputs: the host's wall and monotonic clocks (Rust's
//! `SystemTime` and `Instant`). Outputs: nanosecond counts.
//!
//! Invariants (as Wasmtime): the monotonic clock counts from the moment
//! the context was created (so the first reading is small), the wall clock
//! is Unix time, resolutions come from the OS (`kiln_platform::clock`).
//! CPU-time clocks are not provided (P1 reports `EBADF` for them, matching
//! wasmtime).

use std::time::{Instant, SystemTime};

/// The guest's clocks.
#[derive(Debug)]
pub struct Clocks {
    initial: Instant,
}

impl Default for Clocks {
    fn default() -> Self {
        Clocks {
            initial: Instant::now(),
        }
    }
}

/// A point of wall-clock time, split like `wasi:clocks/wall-clock.datetime`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Datetime {
    /// Seconds since the Unix epoch.
    pub seconds: u64,
    /// Nanoseconds within the second.
    pub nanoseconds: u32,
}

impl Datetime {
    /// Nanoseconds since the epoch, `None` on overflow.
    pub fn as_nanos(self) -> Option<u64> {
        self.seconds
            .checked_mul(1_000_000_000)?
            .checked_add(u64::from(self.nanoseconds))
    }

    /// Converts a host time; `None` before the epoch (wasmtime cannot
    /// represent it either).
    pub fn from_system_time(t: SystemTime) -> Option<Datetime> {
        let d = t.duration_since(SystemTime::UNIX_EPOCH).ok()?;
        Some(Datetime {
            seconds: d.as_secs(),
            nanoseconds: d.subsec_nanos(),
        })
    }
}

/// A file's timestamp, before the epoch too, as WASI 0.3's
/// `system-clock.instant` holds it and Wasmtime 49 reports it: a time
/// `d` before the epoch is `-(whole seconds of d)` with the nanoseconds of
/// `d` (sign and magnitude, so 1.5 s before the epoch is `{-1, 500000000}`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FileTime {
    /// Seconds since the epoch, negative before it.
    pub seconds: i64,
    /// Nanoseconds of the magnitude, below 1e9.
    pub nanoseconds: u32,
}

impl FileTime {
    /// Converts a host time; `None` if its seconds do not fit an `i64`.
    pub fn from_system_time(t: SystemTime) -> Option<FileTime> {
        match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => Some(FileTime {
                seconds: i64::try_from(d.as_secs()).ok()?,
                nanoseconds: d.subsec_nanos(),
            }),
            Err(before) => {
                let d = before.duration();
                Some(FileTime {
                    seconds: i64::try_from(d.as_secs()).ok()?.checked_neg()?,
                    nanoseconds: d.subsec_nanos(),
                })
            }
        }
    }

    /// The time as a [`Datetime`]: `None` before the epoch, which WASI P1
    /// and 0.2 times cannot hold.
    pub fn since_epoch(self) -> Option<Datetime> {
        Some(Datetime {
            seconds: u64::try_from(self.seconds).ok()?,
            nanoseconds: self.nanoseconds,
        })
    }
}

impl Clocks {
    /// Wall-clock time now.
    pub fn wall_now(&self) -> Datetime {
        let d = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        Datetime {
            seconds: d.as_secs(),
            nanoseconds: d.subsec_nanos(),
        }
    }

    /// Resolution of the wall clock.
    pub fn wall_resolution(&self) -> Datetime {
        let res = kiln_platform::clock::wall_resolution();
        Datetime {
            seconds: res.as_secs(),
            nanoseconds: res.subsec_nanos(),
        }
    }

    /// Nanoseconds since the context was created.
    pub fn monotonic_now(&self) -> u64 {
        u64::try_from(self.initial.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Resolution of the monotonic clock in nanoseconds.
    pub fn monotonic_resolution(&self) -> u64 {
        u64::try_from(kiln_platform::clock::monotonic_resolution().as_nanos()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_starts_near_zero_and_grows() {
        let c = Clocks::default();
        let a = c.monotonic_now();
        let b = c.monotonic_now();
        assert!(a < 1_000_000_000);
        assert!(b >= a);
        assert!(c.monotonic_resolution() > 0);
        assert!(c.wall_now().seconds > 1_600_000_000);
    }
}
