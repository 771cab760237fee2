//! Readiness: an OS poller the WASI kernel's reactor arms with host
//! descriptors and waits on.
//!
//! Phase: run time. Inputs: raw descriptors (sockets, pipes, terminals)
//! with the directions asked for, and a timeout. Outputs: readiness
//! events, each for one descriptor.
//!
//! Invariants:
//! - A registration stays in its poller after the wait that armed it (the
//!   reactor re-arms it rather than adding it again), until its descriptor
//!   closes (the OS drops it then) or [`Poller::arm`] fails.
//! - Re-arming reports the descriptor's current state, as a fresh
//!   registration does.
//! - A descriptor the poller cannot watch (a regular file) fails to arm;
//!   the reactor takes it as always ready.
//!
//! Linux: epoll through mio, edge-triggered (the kernel queues an event at
//! each new readiness). Windows: `WSAPoll` over every registered socket,
//! level-triggered (a ready socket is reported at every wait, which loses
//! nothing the reactor relies on), and stdin through a reader thread
//! (`stdin_worker`: ready once input or its end has arrived, as Wasmtime
//! on Windows reads stdin), checked between waits of at most
//! [`STDIN_SLICE`] in a wait that armed it (stdin's registration lasts
//! one wait: the reactor arms it for every wait on it); any other pipe or
//! console (an inherited stdout) cannot be watched and is always ready.

use std::io;
use std::time::Duration;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as os;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;

/// A raw host descriptor as a poller names it (`RawFd` on Linux,
/// `RawSocket` on Windows).
pub type Raw = os::Raw;

/// A value that names no descriptor (a wait on it is always ready).
pub const NONE: Raw = os::NONE;

/// Windows: the longest wait between two looks at stdin's reader thread
/// while stdin is registered (how late a wait may see input arrive).
#[cfg_attr(
    not(windows),
    allow(dead_code, reason = "only Windows slices its waits")
)]
pub const STDIN_SLICE: Duration = Duration::from_millis(5);

/// What an event says of its descriptor.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// Readable (or, with `read_closed`, at end of stream).
    pub readable: bool,
    /// Writable.
    pub writable: bool,
    /// The read direction hung up.
    pub read_closed: bool,
    /// The write direction hung up.
    pub write_closed: bool,
    /// An error is pending.
    pub error: bool,
}

/// An OS poller.
pub struct Poller(os::Poller);

impl Poller {
    /// A new poller.
    pub fn new() -> io::Result<Poller> {
        Ok(Poller(os::Poller::new()?))
    }

    /// Arms `fd` for the directions asked (at least one): re-arms it if
    /// `known` (this poller registered it before), else registers it; each
    /// falls back on the other (a known number whose descriptor was closed
    /// meanwhile, or a registration the caller did not know of). `false`:
    /// the poller cannot watch it.
    pub fn arm(&mut self, fd: Raw, read: bool, write: bool, known: bool) -> bool {
        self.0.arm(fd, read, write, known)
    }

    /// Waits up to `timeout` (`None`: without limit) and reports each event
    /// to `on_event`. `capacity`: how many registrations there may be, so
    /// that one wait has room for all their events.
    pub fn poll(
        &mut self,
        timeout: Option<Duration>,
        capacity: usize,
        on_event: &mut dyn FnMut(Raw, Readiness),
    ) -> io::Result<()> {
        self.0.poll(timeout, capacity, on_event)
    }
}

#[cfg(test)]
mod tests;
