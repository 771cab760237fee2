//! `wasi:clocks@0.2`: `monotonic-clock` (now, resolution, timers as
//! pollables) and `wall-clock` (now, resolution).
//!
//! Phase: run time (host functions). Inputs: the kernel's clocks. Outputs:
//! nanosecond counts, `datetime` records, deadline pollables.
//!
//! Invariants (Wasmtime, `p2/host/clocks.rs`): the monotonic clock
//! counts from the start of the program; `subscribe-instant` of a past
//! instant is a zero-duration timer; a zero-duration timer yields once
//! before it is ready (see `io::poll`); a deadline past what the clock can
//! represent never fires (wasmtime waits forever rather than trap).

use super::P2Host;
use super::io::{PollableRes, Readiness, poll};
use super::table::{Impl, host_fn};
use kiln_canon::{Own, Trap};
use kiln_wasi_kernel::clock;

kiln_canon::wit_record! {
    /// `wall-clock.datetime`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    pub struct Datetime { pub seconds: u64, pub nanoseconds: u32 }
}

impl From<clock::Datetime> for Datetime {
    fn from(d: clock::Datetime) -> Datetime {
        Datetime {
            seconds: d.seconds,
            nanoseconds: d.nanoseconds,
        }
    }
}

const MONOTONIC: &str = "wasi:clocks/monotonic-clock@0.2";
const WALL: &str = "wasi:clocks/wall-clock@0.2";

/// The `wasi:clocks` host functions.
pub const IMPLS: &[Impl] = &[
    (MONOTONIC, "now", host_fn!(monotonic_now)),
    (MONOTONIC, "resolution", host_fn!(monotonic_resolution)),
    (MONOTONIC, "subscribe-instant", host_fn!(subscribe_instant)),
    (
        MONOTONIC,
        "subscribe-duration",
        host_fn!(subscribe_duration),
    ),
    (WALL, "now", host_fn!(wall_now)),
    (WALL, "resolution", host_fn!(wall_resolution)),
];

/// `monotonic-clock.now`.
pub fn monotonic_now(h: &mut P2Host, (): ()) -> Result<u64, Trap> {
    Ok(h.wasi.kernel.clocks.monotonic_now())
}

/// `monotonic-clock.resolution`.
pub fn monotonic_resolution(h: &mut P2Host, (): ()) -> Result<u64, Trap> {
    Ok(h.wasi.kernel.clocks.monotonic_resolution())
}

/// The deadline of a timer of `duration` nanoseconds starting at `now`
/// (`None`: zero duration).
fn deadline(now: u64, duration: u64) -> Option<u64> {
    (duration != 0).then(|| now.saturating_add(duration))
}

/// A timer pollable of `duration` nanoseconds from now.
fn timer(h: &mut P2Host, duration: u64) -> Own<PollableRes> {
    let now = h.wasi.kernel.clocks.monotonic_now();
    match deadline(now, duration) {
        Some(d) => h.new_pollable(Readiness::Deadline(d)),
        None => {
            let p = h.new_pollable(Readiness::Deadline(now));
            poll::mark_unyielded(h, p.rep());
            p
        }
    }
}

/// `monotonic-clock.subscribe-instant`.
pub fn subscribe_instant(h: &mut P2Host, (when,): (u64,)) -> Result<Own<PollableRes>, Trap> {
    let now = h.wasi.kernel.clocks.monotonic_now();
    Ok(timer(h, when.saturating_sub(now)))
}

/// `monotonic-clock.subscribe-duration`.
pub fn subscribe_duration(h: &mut P2Host, (d,): (u64,)) -> Result<Own<PollableRes>, Trap> {
    Ok(timer(h, d))
}

/// `wall-clock.now`.
pub fn wall_now(h: &mut P2Host, (): ()) -> Result<Datetime, Trap> {
    Ok(h.wasi.kernel.clocks.wall_now().into())
}

/// `wall-clock.resolution`.
pub fn wall_resolution(h: &mut P2Host, (): ()) -> Result<Datetime, Trap> {
    Ok(h.wasi.kernel.clocks.wall_resolution().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_canon::ComponentType;

    #[test]
    fn deadlines() {
        assert_eq!(deadline(5, 0), None);
        assert_eq!(deadline(5, 10), Some(15));
        assert_eq!(deadline(5, u64::MAX), Some(u64::MAX));
    }

    #[test]
    fn datetime_layout() {
        assert_eq!(
            (Datetime::SIZE32, Datetime::ALIGN32, Datetime::FLAT),
            (16, 8, 2)
        );
    }
}
