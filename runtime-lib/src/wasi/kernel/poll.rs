//! Waiting for readiness: clock deadlines and host descriptors.
//!
//! Phase: run time. Inputs: a list of [`Pollable`]s. Outputs: the indices of
//! those ready, once at least one is.
//!
//! Invariants (as wasmtime 48's `wasi:io/poll.poll`): the call blocks until
//! at least one pollable is ready, then reports *every* pollable ready at that
//! moment, in input order. Regular files are always ready; a deadline at or
//! before "now" is ready immediately.

use super::error::{ErrorCode, KResult};
use std::os::fd::BorrowedFd;

/// Something to wait for.
#[derive(Copy, Clone, Debug)]
pub enum Pollable<'a> {
    /// Ready now (files, stdout).
    Ready,
    /// Ready when the monotonic clock (nanoseconds since the context was
    /// created) reaches this value.
    Deadline(u64),
    /// Ready when the descriptor is readable (or at end of input).
    Readable(BorrowedFd<'a>),
    /// Ready when the descriptor is writable.
    Writable(BorrowedFd<'a>),
}

/// Blocks until at least one of `pollables` is ready; returns the ready
/// indices in order. `now` reads the monotonic clock.
pub fn poll(pollables: &[Pollable<'_>], now: &dyn Fn() -> u64) -> KResult<Vec<usize>> {
    if pollables.is_empty() {
        return Err(ErrorCode::Invalid);
    }
    loop {
        let t = now();
        let mut fds = Vec::new();
        let mut fd_index = Vec::new();
        let mut next_deadline: Option<u64> = None;
        let mut ready = Vec::new();
        for (i, p) in pollables.iter().enumerate() {
            match *p {
                Pollable::Ready => ready.push(i),
                Pollable::Deadline(d) if d <= t => ready.push(i),
                Pollable::Deadline(d) => {
                    next_deadline = Some(next_deadline.map_or(d, |n| n.min(d)))
                }
                Pollable::Readable(fd) => {
                    fds.push(rustix::event::PollFd::from_borrowed_fd(
                        fd,
                        rustix::event::PollFlags::IN,
                    ));
                    fd_index.push(i);
                }
                Pollable::Writable(fd) => {
                    fds.push(rustix::event::PollFd::from_borrowed_fd(
                        fd,
                        rustix::event::PollFlags::OUT,
                    ));
                    fd_index.push(i);
                }
            }
        }
        // Probe the descriptors without blocking if something is already
        // ready; otherwise sleep until the nearest deadline or a descriptor.
        let timeout = if !ready.is_empty() {
            Some(rustix::event::Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            })
        } else {
            next_deadline.map(|d| {
                let wait = d - t;
                rustix::event::Timespec {
                    tv_sec: (wait / 1_000_000_000) as i64,
                    tv_nsec: (wait % 1_000_000_000) as i64,
                }
            })
        };
        if !fds.is_empty() {
            match rustix::event::poll(&mut fds, timeout.as_ref()) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(ErrorCode::from(e)),
            }
            for (pfd, &i) in fds.iter().zip(&fd_index) {
                if !pfd.revents().is_empty() {
                    ready.push(i);
                }
            }
            ready.sort_unstable();
        } else if let (true, Some(ts)) = (ready.is_empty(), timeout) {
            std::thread::sleep(std::time::Duration::new(
                ts.tv_sec as u64,
                ts.tv_nsec as u32,
            ));
        }
        if !ready.is_empty() {
            return Ok(ready);
        }
    }
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
                Pollable::Readable(std::os::fd::AsFd::as_fd(&r)),
                Pollable::Deadline(10_000_000),
            ],
            &now,
        )
        .unwrap();
        assert_eq!(got, [1]);
        std::io::Write::write_all(&mut &w, b"x").unwrap();
        let got = poll(
            &[
                Pollable::Readable(std::os::fd::AsFd::as_fd(&r)),
                Pollable::Writable(std::os::fd::AsFd::as_fd(&w)),
            ],
            &now,
        )
        .unwrap();
        assert_eq!(got, [0, 1]);
    }
}
