//! Windows: `WSAPoll` over every registered socket, level-triggered, and
//! stdin through its reader thread (see the parent module).

use super::Readiness;
use std::collections::BTreeMap;
use std::io;
use std::time::{Duration, Instant};
use windows_sys::Win32::Networking::WinSock::{
    POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLWRNORM, SO_TYPE, SOCKET, SOCKET_ERROR, SOL_SOCKET,
    WSAPOLLFD, WSAPoll, getsockopt,
};

pub type Raw = std::os::windows::io::RawSocket;

/// `INVALID_SOCKET`.
pub const NONE: Raw = !0;

pub struct Poller {
    /// Registered sockets and their directions (read, write).
    registered: BTreeMap<Raw, (bool, bool)>,
    /// The standard input handle, when armed for reading for the next
    /// wait only: a wait that is not on stdin must not ask its reader
    /// thread for input (see `stdin_worker`).
    stdin: Option<Raw>,
    fds: Vec<WSAPOLLFD>,
}

/// Whether `fd` is a socket (what `WSAPoll` can watch).
fn is_socket(fd: Raw) -> bool {
    let mut ty = 0i32;
    let mut len = std::mem::size_of::<i32>() as i32;
    // SAFETY: `getsockopt` writes at most `len` bytes into `ty`, a local;
    // an invalid or non-socket `fd` only makes it fail.
    let r = unsafe {
        getsockopt(
            fd as SOCKET,
            SOL_SOCKET,
            SO_TYPE,
            (&raw mut ty).cast(),
            &mut len,
        )
    };
    r != SOCKET_ERROR
}

impl Poller {
    pub fn new() -> io::Result<Poller> {
        Ok(Poller {
            registered: BTreeMap::new(),
            stdin: None,
            fds: Vec::new(),
        })
    }

    pub fn arm(&mut self, fd: Raw, read: bool, write: bool, _known: bool) -> bool {
        if read && fd != NONE && fd == crate::stdio::raw(crate::stdio::Stream::Stdin) {
            self.stdin = Some(fd);
            return true;
        }
        if !self.registered.contains_key(&fd) && !is_socket(fd) {
            return false;
        }
        self.registered.insert(fd, (read, write));
        true
    }

    pub fn poll(
        &mut self,
        timeout: Option<Duration>,
        _capacity: usize,
        on_event: &mut dyn FnMut(Raw, Readiness),
    ) -> io::Result<()> {
        let Some(stdin) = self.stdin.take() else {
            self.poll_sockets(timeout, on_event)?;
            return Ok(());
        };
        // Stdin's reader thread cannot wake `WSAPoll`: wait in slices and
        // look at it between them.
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if crate::stdin_worker::ready() {
                let end = crate::stdin_worker::at_end();
                on_event(
                    stdin,
                    Readiness {
                        readable: true,
                        read_closed: end,
                        ..Readiness::default()
                    },
                );
                self.poll_sockets(Some(Duration::ZERO), on_event)?;
                return Ok(());
            }
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let slice = left.map_or(super::STDIN_SLICE, |l| l.min(super::STDIN_SLICE));
            if self.poll_sockets(Some(slice), on_event)? || left.is_some_and(|l| l <= slice) {
                return Ok(());
            }
        }
    }

    /// One wait on the registered sockets; returns whether it reported
    /// any event.
    fn poll_sockets(
        &mut self,
        timeout: Option<Duration>,
        on_event: &mut dyn FnMut(Raw, Readiness),
    ) -> io::Result<bool> {
        if self.registered.is_empty() {
            // WSAPoll refuses an empty set: a plain sleep.
            match timeout {
                Some(t) => std::thread::sleep(t),
                None => loop {
                    std::thread::park();
                },
            }
            return Ok(false);
        }
        self.fds.clear();
        for (&fd, &(read, write)) in &self.registered {
            let mut events = 0;
            if read {
                events |= POLLRDNORM;
            }
            if write {
                events |= POLLWRNORM;
            }
            self.fds.push(WSAPOLLFD {
                fd: fd as SOCKET,
                events,
                revents: 0,
            });
        }
        let ms = timeout.map_or(-1, |t| {
            // Rounded up, so that a wait never ends before its deadline.
            i32::try_from(t.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX)
        });
        // SAFETY: `fds` is a live vector of `len` initialised entries that
        // WSAPoll only writes `revents` of.
        let n = unsafe { WSAPoll(self.fds.as_mut_ptr(), self.fds.len() as u32, ms) };
        if n == SOCKET_ERROR {
            // One bad entry fails the whole call (a registered socket
            // closed and its handle reused by something else): find each
            // entry that fails on its own, report it (an error makes both
            // directions ready, and the operation that follows says what
            // is wrong), and forget its registration, as epoll forgets a
            // closed file's.
            let error = io::Error::last_os_error();
            let mut pruned = false;
            for p in &mut self.fds {
                p.revents = 0;
                let mut one = [WSAPOLLFD {
                    fd: p.fd,
                    events: p.events,
                    revents: 0,
                }];
                // SAFETY: as above, for a one-entry array on the stack.
                if unsafe { WSAPoll(one.as_mut_ptr(), 1, 0) } == SOCKET_ERROR {
                    p.revents = POLLERR;
                    pruned = true;
                }
            }
            if !pruned {
                return Err(error);
            }
            for p in &self.fds {
                if p.revents != 0 {
                    self.registered.remove(&(p.fd as Raw));
                    on_event(
                        p.fd as Raw,
                        Readiness {
                            error: true,
                            ..Readiness::default()
                        },
                    );
                }
            }
            return Ok(true);
        }
        let mut any = false;
        for p in &self.fds {
            let r = p.revents;
            if r == 0 {
                continue;
            }
            let fd = p.fd as Raw;
            if r & POLLNVAL != 0 {
                // Closed since it was armed: its registration goes, as
                // epoll's does with the file.
                self.registered.remove(&fd);
                continue;
            }
            let hup = r & POLLHUP != 0;
            any = true;
            on_event(
                fd,
                Readiness {
                    readable: r & POLLRDNORM != 0,
                    writable: r & POLLWRNORM != 0,
                    read_closed: hup,
                    write_closed: hup,
                    error: r & POLLERR != 0,
                },
            );
        }
        Ok(any)
    }
}
