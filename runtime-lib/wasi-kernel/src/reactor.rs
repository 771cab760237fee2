//! The reactor: the process's event loop (a `mio::Poll`, i.e. epoll),
//! waiting on host descriptors and monotonic-clock deadlines.
//!
//! Phase: run time. Inputs: a list of [`Waitable`]s and the monotonic clock.
//! Outputs: which of them are ready. Every facade waits through it: P1's
//! `poll_oneoff` (via [`super::poll`]), P2's `wasi:io/poll` and blocking
//! stream operations; P3's waitables are meant to join it.
//!
//! Invariants:
//! - One wait owns one epoll instance for its whole duration. Idle
//!   instances wait in a pool: a single-threaded guest only ever uses the
//!   one [`prepare`] creates at start-up; a thread that waits while
//!   another thread is waiting (wasi-threads) gets a second one, created
//!   then and kept in the pool afterwards, so that no thread's wait holds
//!   up another's.
//! - Descriptors are registered only for the duration of one wait, with the
//!   union of the interests asked for them (epoll refuses the same
//!   descriptor twice), and deregistered before returning. A fresh
//!   registration reports the descriptor's current state, so mio's
//!   edge-triggered mode loses no readiness.
//! - A descriptor epoll cannot watch (regular files, `/dev/null`: `EPERM`)
//!   is always ready, as it is for `poll(2)` and for wasmtime; so is one
//!   that fails to register for any other reason (the operation that
//!   follows reports the error).
//! - A deadline is ready once the clock reaches it; deadlines are checked
//!   again after every wake-up (epoll's timeout has millisecond
//!   granularity and mio rounds it up, so the loop never wakes early for
//!   good).
//! - A hang-up of a direction, or an error, makes that direction ready (the
//!   read or write would not block: it would report end of stream or the
//!   error).

use super::error::{ErrorCode, KResult};
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::sync::Mutex;
use std::time::Duration;

/// Something to wait for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Waitable {
    /// Ready now.
    Ready,
    /// Never ready (a condition that is known not to hold yet and has no
    /// descriptor or deadline, e.g. a pollable whose readiness is deferred).
    Never,
    /// Ready when the monotonic clock (nanoseconds) reaches this value.
    Deadline(u64),
    /// Ready when `fd` is readable (`write: false`) or writable.
    Fd {
        /// The host descriptor (the caller keeps it open for the call).
        fd: RawFd,
        /// Wait for writability instead of readability.
        write: bool,
    },
    /// Ready when `fd` is ready as for [`Waitable::Fd`], or when the
    /// monotonic clock reaches `deadline`, whichever comes first (an
    /// operation with a timeout, e.g. a `wasi:http` connect).
    FdUntil {
        /// The host descriptor.
        fd: RawFd,
        /// Wait for writability instead of readability.
        write: bool,
        /// The deadline (nanoseconds of the monotonic clock).
        deadline: u64,
    },
}

/// The event loop state.
struct Reactor {
    poll: mio::Poll,
    events: mio::Events,
}

/// Idle reactors. Created at start-up by [`prepare`]; a wait takes one
/// (or creates one when all are in use) and puts it back when it is done.
/// The lock is only held to take or return one, never across a wait.
static IDLE: Mutex<Vec<Reactor>> = Mutex::new(Vec::new());

/// The idle pool, locked (a poisoned lock means a panic, which already
/// ended the process: the runtime aborts on panic).
fn idle() -> std::sync::MutexGuard<'static, Vec<Reactor>> {
    IDLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Creates the first reactor's epoll instance now, before the guest runs:
/// a guest that later exhausts the descriptor limit must still be able to
/// wait (Wasmtime keeps running there). Best effort: a failure here leaves
/// creation to the first wait, which reports it as that wait's error.
pub fn prepare() {
    let mut idle = idle();
    if idle.is_empty()
        && let Ok(reactor) = Reactor::new()
    {
        idle.push(reactor);
    }
}

/// In a child process after `fork`: drops the idle epoll instances the
/// child inherited (they are the parent's: a registration or wait here
/// would race with it) and creates the child's own.
pub fn after_fork() {
    {
        let mut idle = idle();
        idle.clear();
    }
    prepare();
}

/// How many times any reactor asked epoll for readiness (see [`polls`]).
static POLLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A count of the readiness checks made so far: a non-blocking read that
/// would have blocked need not be tried again before this count moves
/// (nothing can have told the process that data arrived). Skipping it
/// loses nothing: the next wait registers the descriptor afresh, which
/// reports data that arrived meanwhile, and moves the count.
pub fn polls() -> u64 {
    POLLS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Blocks until at least one of `items` is ready (or, with `block` false,
/// only probes), and returns one flag per item. `now` reads the monotonic
/// clock.
pub fn wait(items: &[Waitable], now: &dyn Fn() -> u64, block: bool) -> KResult<Vec<bool>> {
    let taken = idle().pop();
    let mut reactor = match taken {
        Some(r) => r,
        None => Reactor::new()?,
    };
    let result = reactor.wait(items, now, block);
    idle().push(reactor);
    result
}

/// One registered descriptor: its union interest and the items on it.
struct FdGroup {
    fd: RawFd,
    read: bool,
    write: bool,
    items: Vec<usize>,
}

impl Reactor {
    fn new() -> KResult<Reactor> {
        Ok(Reactor {
            poll: mio::Poll::new().map_err(|e| ErrorCode::from(&e))?,
            events: mio::Events::with_capacity(64),
        })
    }

    fn wait(
        &mut self,
        items: &[Waitable],
        now: &dyn Fn() -> u64,
        block: bool,
    ) -> KResult<Vec<bool>> {
        let mut ready = vec![false; items.len()];
        loop {
            let t = now();
            let mut groups: Vec<FdGroup> = Vec::new();
            let mut by_fd: HashMap<RawFd, usize> = HashMap::new();
            let mut next_deadline: Option<u64> = None;
            for (i, w) in items.iter().enumerate() {
                match *w {
                    Waitable::Ready => ready[i] = true,
                    Waitable::Never => {}
                    Waitable::Deadline(d) if d <= t => ready[i] = true,
                    Waitable::Deadline(d) => {
                        next_deadline = Some(next_deadline.map_or(d, |n| n.min(d)))
                    }
                    Waitable::FdUntil { deadline, .. } if deadline <= t => ready[i] = true,
                    Waitable::Fd { fd, write } | Waitable::FdUntil { fd, write, .. } => {
                        if let Waitable::FdUntil { deadline, .. } = *w {
                            next_deadline =
                                Some(next_deadline.map_or(deadline, |n| n.min(deadline)));
                        }
                        let k = *by_fd.entry(fd).or_insert_with(|| {
                            groups.push(FdGroup {
                                fd,
                                read: false,
                                write: false,
                                items: Vec::new(),
                            });
                            groups.len() - 1
                        });
                        let g = &mut groups[k];
                        if write {
                            g.write = true;
                        } else {
                            g.read = true;
                        }
                        g.items.push(i);
                    }
                }
            }
            let mut registered = Vec::new();
            for (k, g) in groups.iter().enumerate() {
                let interest = match (g.read, g.write) {
                    (true, true) => mio::Interest::READABLE | mio::Interest::WRITABLE,
                    (false, true) => mio::Interest::WRITABLE,
                    _ => mio::Interest::READABLE,
                };
                let source = &mut mio::unix::SourceFd(&g.fd);
                match self
                    .poll
                    .registry()
                    .register(source, mio::Token(k), interest)
                {
                    Ok(()) => registered.push(k),
                    // Not pollable (regular file, /dev/null) or otherwise
                    // unwatchable: always ready.
                    Err(_) => g.items.iter().for_each(|&i| ready[i] = true),
                }
            }
            let any = ready.iter().any(|&r| r);
            let timeout = if any || !block {
                Some(Duration::ZERO)
            } else {
                next_deadline.map(|d| Duration::from_nanos(d.saturating_sub(t)))
            };
            if !registered.is_empty() || timeout != Some(Duration::ZERO) {
                // Room for every registration's event: events left for a
                // later call would be lost with the deregistration.
                if self.events.capacity() < registered.len() {
                    self.events = mio::Events::with_capacity(registered.len());
                }
                let polled = self.poll.poll(&mut self.events, timeout);
                POLLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let result = match polled {
                    Ok(()) => {
                        for ev in self.events.iter() {
                            let Some(g) = groups.get(ev.token().0) else {
                                continue;
                            };
                            for &i in &g.items {
                                let write = matches!(
                                    items[i],
                                    Waitable::Fd { write: true, .. }
                                        | Waitable::FdUntil { write: true, .. }
                                );
                                let hit = if write {
                                    ev.is_writable() || ev.is_write_closed()
                                } else {
                                    ev.is_readable() || ev.is_read_closed()
                                };
                                if hit || ev.is_error() {
                                    ready[i] = true;
                                }
                            }
                        }
                        Ok(())
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(()),
                    Err(e) => Err(ErrorCode::from(&e)),
                };
                for &k in &registered {
                    let source = &mut mio::unix::SourceFd(&groups[k].fd);
                    // Deregistering a descriptor we registered cannot fail
                    // in a way that matters: it is gone either way.
                    let _ = self.poll.registry().deregister(source);
                }
                result?;
            }
            let t = now();
            for (i, w) in items.iter().enumerate() {
                if let Waitable::Deadline(d) | Waitable::FdUntil { deadline: d, .. } = *w
                    && d <= t
                {
                    ready[i] = true;
                }
            }
            if !block || ready.iter().any(|&r| r) {
                return Ok(ready);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::time::Instant;

    fn readable(fd: RawFd) -> Waitable {
        Waitable::Fd { fd, write: false }
    }

    fn writable(fd: RawFd) -> Waitable {
        Waitable::Fd { fd, write: true }
    }

    #[test]
    fn probe_and_block_on_deadlines() {
        let start = Instant::now();
        let now = || start.elapsed().as_nanos() as u64;
        let r = wait(
            &[
                Waitable::Deadline(u64::MAX),
                Waitable::Ready,
                Waitable::Never,
            ],
            &now,
            false,
        )
        .unwrap();
        assert_eq!(r, [false, true, false]);
        let r = wait(&[Waitable::Deadline(u64::MAX)], &now, false).unwrap();
        assert_eq!(r, [false]);
        let r = wait(
            &[Waitable::Deadline(15_000_000), Waitable::Deadline(u64::MAX)],
            &now,
            true,
        )
        .unwrap();
        assert_eq!(r, [true, false]);
        assert!(start.elapsed().as_millis() >= 15);
    }

    #[test]
    fn pipe_read_and_write_on_one_registration() {
        let (r, w) = std::io::pipe().unwrap();
        let start = Instant::now();
        let now = || start.elapsed().as_nanos() as u64;
        let (rfd, wfd) = (r.as_raw_fd(), w.as_raw_fd());
        let got = wait(&[readable(rfd), writable(wfd), readable(wfd)], &now, false).unwrap();
        assert_eq!(got, [false, true, false]);
        std::io::Write::write_all(&mut &w, b"x").unwrap();
        let got = wait(&[readable(rfd)], &now, true).unwrap();
        assert_eq!(got, [true]);
        // The same descriptor twice (one registration) is reported twice.
        let got = wait(&[readable(rfd), readable(rfd)], &now, false).unwrap();
        assert_eq!(got, [true, true]);
        // Hang-up: the read end is ready at end of stream.
        drop(w);
        let mut buf = [0u8; 4];
        std::io::Read::read(&mut &r, &mut buf).unwrap();
        let got = wait(&[readable(rfd)], &now, true).unwrap();
        assert_eq!(got, [true]);
    }

    #[test]
    fn more_ready_descriptors_than_the_default_event_buffer() {
        let pipes: Vec<_> = (0..100).map(|_| std::io::pipe().unwrap()).collect();
        for (_, w) in &pipes {
            std::io::Write::write_all(&mut &*w, b"x").unwrap();
        }
        let items: Vec<Waitable> = pipes.iter().map(|(r, _)| readable(r.as_raw_fd())).collect();
        let got = wait(&items, &|| 0, false).unwrap();
        assert!(got.iter().all(|&r| r));
    }

    #[test]
    fn a_waiting_thread_does_not_hold_up_another() {
        // One thread waits on a pipe nobody writes to yet; another's short
        // deadline must still expire on time (each wait has its own epoll
        // instance, none holds a lock across its wait).
        let (r, w) = std::io::pipe().unwrap();
        let rfd = r.as_raw_fd();
        let start = Instant::now();
        let blocked = std::thread::spawn(move || {
            let now = || start.elapsed().as_nanos() as u64;
            wait(&[readable(rfd)], &now, true).unwrap()
        });
        std::thread::sleep(Duration::from_millis(20));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let now = || start.elapsed().as_nanos() as u64;
            let deadline = now() + 10_000_000;
            let _ = tx.send(wait(&[Waitable::Deadline(deadline)], &now, true));
        });
        let timed = rx.recv_timeout(Duration::from_secs(5));
        let still_blocked = !blocked.is_finished();
        // Unblock the first wait either way, so a failure does not hang.
        std::io::Write::write_all(&mut &w, b"x").unwrap();
        assert_eq!(blocked.join().unwrap(), [true]);
        assert_eq!(
            timed.expect("the deadline wait was held up"),
            Ok(vec![true])
        );
        assert!(still_blocked);
        drop(r);
    }

    #[test]
    fn a_descriptor_with_a_deadline_is_ready_at_either() {
        let (r, w) = std::io::pipe().unwrap();
        let start = Instant::now();
        let now = || start.elapsed().as_nanos() as u64;
        let until = |deadline| Waitable::FdUntil {
            fd: r.as_raw_fd(),
            write: false,
            deadline,
        };
        assert_eq!(wait(&[until(u64::MAX)], &now, false).unwrap(), [false]);
        assert_eq!(wait(&[until(10_000_000)], &now, true).unwrap(), [true]);
        assert!(start.elapsed().as_millis() >= 10);
        std::io::Write::write_all(&mut &w, b"x").unwrap();
        assert_eq!(wait(&[until(u64::MAX)], &now, true).unwrap(), [true]);
    }

    #[test]
    fn regular_files_are_always_ready() {
        let f = std::fs::File::open("/proc/self/exe").unwrap();
        let start = Instant::now();
        let now = || start.elapsed().as_nanos() as u64;
        let got = wait(
            &[readable(f.as_raw_fd()), writable(f.as_raw_fd())],
            &now,
            true,
        )
        .unwrap();
        assert_eq!(got, [true, true]);
    }
}
