//! The server's monotonic clock: nanoseconds since the first reading, for
//! the reactor's deadlines (the server process's accept loop, a connection
//! process's loop) and `hyper`'s timers on a server connection.
//!
//! Phase: run time of a server executable. Outputs: [`now`] (which also
//! records the reading for [`last_now`]) and [`nanos_at`] (an `Instant` on
//! the same scale).
//!
//! Invariant: one base per process, set by the first reading (a forked
//! process keeps its parent's, once the parent has read the clock), so
//! every deadline a process compares is on one scale. `hyper`'s sleeps compare with the
//! last reading ([`last_now`]), not the clock (see the timer of
//! `kiln_wasi::http::server`).

use std::cell::Cell;
use std::time::Instant;

/// Monotonic nanoseconds since the first call (the server's clock for
/// reactor deadlines and `hyper`'s timers).
pub fn now() -> u64 {
    let t = nanos_at(Instant::now());
    LAST_NOW.with(|n| n.set(t));
    t
}

thread_local! {
    /// The last value of [`now`]: `hyper`'s timers compare with it.
    static LAST_NOW: Cell<u64> = const { Cell::new(0) };
}

/// The last value [`now`] returned on this thread (0 before the first).
pub fn last_now() -> u64 {
    LAST_NOW.with(Cell::get)
}

/// `t` on [`now`]'s scale (0 for an instant before the base).
pub fn nanos_at(t: Instant) -> u64 {
    static BASE: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let base = *BASE.get_or_init(Instant::now);
    u64::try_from(t.saturating_duration_since(base).as_nanos()).unwrap_or(u64::MAX)
}
