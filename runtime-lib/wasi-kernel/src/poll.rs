//! Waiting for readiness: clock deadlines and host descriptors.
//!
//! Phase: run time. Inputs: a list of [`Pollable`]s. Outputs: the indices of
//! those ready, once at least one is. The waiting itself is the reactor's
//! ([`super::reactor`], the process's one event loop, which gives each
//! waiting thread an epoll instance of its own).
//!
//! Invariants (as Wasmtime's `wasi:io/poll.poll`): the call blocks until
//! at least one pollable is ready, then reports *every* pollable ready at that
//! moment, in input order. Regular files are always ready; a deadline at or
//! before "now" is ready immediately.

use super::error::{ErrorCode, KResult};
use super::reactor::Waitable;
use kiln_platform::poll::Raw;

/// Something to wait for.
#[derive(Copy, Clone, Debug)]
pub enum Pollable {
    /// Ready now (files, stdout).
    Ready,
    /// Ready when the monotonic clock (nanoseconds since the context was
    /// created) reaches this value.
    Deadline(u64),
    /// Ready when the descriptor (kept open by the caller for the call)
    /// is readable (or at end of input).
    Readable(Raw),
    /// Ready when the descriptor (likewise) is writable.
    Writable(Raw),
}

/// Blocks until at least one of `pollables` is ready; returns the ready
/// indices in order. `now` reads the monotonic clock.
pub fn poll(pollables: &[Pollable], now: &dyn Fn() -> u64) -> KResult<Vec<usize>> {
    if pollables.is_empty() {
        return Err(ErrorCode::Invalid);
    }
    wait(pollables, now, true)
}

/// The indices of `pollables` ready now, without blocking (possibly none).
pub fn ready_now(pollables: &[Pollable], now: &dyn Fn() -> u64) -> KResult<Vec<usize>> {
    wait(pollables, now, false)
}

/// Waits through the process's one event loop ([`super::reactor`]).
fn wait(pollables: &[Pollable], now: &dyn Fn() -> u64, block: bool) -> KResult<Vec<usize>> {
    let items: Vec<Waitable> = pollables
        .iter()
        .map(|p| match *p {
            Pollable::Ready => Waitable::Ready,
            Pollable::Deadline(d) => Waitable::Deadline(d),
            Pollable::Readable(fd) => Waitable::Fd { fd, write: false },
            Pollable::Writable(fd) => Waitable::Fd { fd, write: true },
        })
        .collect();
    let ready = super::reactor::wait(&items, now, block)?;
    Ok(ready
        .iter()
        .enumerate()
        .filter_map(|(i, &r)| r.then_some(i))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn deadlines_and_ready() {
        let start = Instant::now();
        let now = || start.elapsed().as_nanos() as u64;
        let r = poll(
            &[
                Pollable::Deadline(u64::MAX),
                Pollable::Ready,
                Pollable::Deadline(0),
            ],
            &now,
        )
        .unwrap();
        assert_eq!(r, [1, 2]);
        let r = poll(
            &[Pollable::Deadline(20_000_000), Pollable::Deadline(u64::MAX)],
            &now,
        )
        .unwrap();
        assert_eq!(r, [0]);
        assert!(start.elapsed().as_millis() >= 20);
        assert_eq!(poll(&[], &now), Err(ErrorCode::Invalid));
    }

    #[test]
    fn readable_pipe() {
        let (r, w) = std::io::pipe().unwrap();
        let start = Instant::now();
        let now = || start.elapsed().as_nanos() as u64;
        let got = poll(
            &[
                Pollable::Readable(std::os::fd::AsRawFd::as_raw_fd(&r)),
                Pollable::Deadline(10_000_000),
            ],
            &now,
        )
        .unwrap();
        assert_eq!(got, [1]);
        std::io::Write::write_all(&mut &w, b"x").unwrap();
        let got = poll(
            &[
                Pollable::Readable(std::os::fd::AsRawFd::as_raw_fd(&r)),
                Pollable::Writable(std::os::fd::AsRawFd::as_raw_fd(&w)),
            ],
            &now,
        )
        .unwrap();
        assert_eq!(got, [0, 1]);
    }
}
