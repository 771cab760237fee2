//! The reactor: the process's event loop (the platform's poller: epoll
//! through mio on Linux, `WSAPoll` on Windows), waiting on host
//! descriptors and monotonic-clock deadlines.
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
//! - A wait arms each of its descriptors with the union of the interests
//!   asked for them (epoll refuses the same descriptor twice), under the
//!   descriptor's number as token. The registration is kept in that epoll
//!   instance afterwards, so a server waiting on the same socket request
//!   after request re-arms it (`EPOLL_CTL_MOD`, one system call) instead of
//!   adding and deleting it (two). Re-arming reports the descriptor's
//!   current state, as a fresh registration does, so mio's edge-triggered
//!   mode loses no readiness. A descriptor closed meanwhile left epoll
//!   with its file; if its number now names another file the re-arm fails
//!   (`ENOENT`) and the wait registers it afresh. Events for descriptors
//!   the wait did not ask about are ignored (their next wait re-arms them),
//!   but their poll count is noted.
//! - A [`Waitable::Edge`] skips the re-arm when that loses nothing: its
//!   descriptor's kept registration was armed after the caller opened it
//!   (so it is this file's, not an earlier file's of the same number, and
//!   it lives as long as the file), it covers the direction, and epoll
//!   reported no event for the descriptor since the caller last found the
//!   direction would block. epoll's edge-triggered mode then reports any
//!   readiness that came since: the kernel queues an edge-triggered
//!   registration at each new readiness. A connection process's wait
//!   between requests is then one system call instead of three.
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
use kiln_platform::poll::{Poller, Readiness};
use std::collections::BTreeMap;

/// A host descriptor as waits name it (a descriptor on Linux, a socket
/// on Windows).
pub use kiln_platform::poll::{NONE as NO_FD, Raw as RawFd};
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
    /// Ready when `fd` is ready as for [`Waitable::Fd`], for a caller that
    /// tracks when its descriptor would block (see the module's
    /// invariants): a server connection between requests.
    Edge {
        /// The host descriptor, kept open by the caller since `opened`.
        fd: RawFd,
        /// Wait for writability instead of readability.
        write: bool,
        /// [`arms`] read after the caller opened (or received) `fd`.
        opened: u64,
        /// [`polls`] read when an operation in this direction last would
        /// have blocked, after the caller acted on every readiness it was
        /// told of.
        quiet: u64,
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
    poller: Poller,
    /// Descriptors registered in `poll` by an earlier wait (and not known
    /// to have failed since), indexed by number: re-armed rather than
    /// added. Bounded by the process's descriptor numbers, which are small
    /// and dense. (A vector, not a map: a server asks about a few
    /// descriptors per request, and a map of its own type was kilobytes
    /// more code in every executable.)
    kept: Vec<Option<Kept>>,
    /// How many of `kept` are registered.
    kept_len: usize,
}

/// A kept registration.
#[derive(Copy, Clone, Debug)]
struct Kept {
    /// Its interest.
    read: bool,
    write: bool,
    /// The [`arms`] count its last arming made (a unique, increasing id).
    armed: u64,
    /// The [`polls`] count of the last poll that reported an event for it
    /// (0: none).
    seen: u64,
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

/// How many times any reactor armed a descriptor (an `epoll_ctl` that
/// succeeded), see [`arms`].
static ARMS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A count of the descriptor armings made so far: an arming that made a
/// larger count happened later (see [`Waitable::Edge`]).
pub fn arms() -> u64 {
    ARMS.load(std::sync::atomic::Ordering::Relaxed)
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
    /// While every item is a [`Waitable::Edge`]: the latest `opened` and
    /// the earliest `quiet` among them.
    edge: Option<(u64, u64)>,
}

impl Reactor {
    fn new() -> KResult<Reactor> {
        Ok(Reactor {
            poller: Poller::new().map_err(|e| ErrorCode::from(&e))?,
            kept: Vec::new(),
            kept_len: 0,
        })
    }

    /// Arms `fd` for `interest` (see the module's invariants): re-arms a
    /// kept registration or adds one, each falling back on the other (a
    /// kept number whose file was closed, or a registration this reactor
    /// did not know of). `false`: epoll cannot watch it.
    fn arm(&mut self, fd: RawFd, read: bool, write: bool) -> bool {
        let known = self.kept(fd).is_some();
        let armed = self.poller.arm(fd, read, write, known);
        if armed {
            let seen = self.kept(fd).map_or(0, |k| k.seen);
            let kept = Kept {
                read,
                write,
                armed: ARMS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
                seen,
            };
            self.set_kept(fd, Some(kept));
        } else {
            self.set_kept(fd, None);
        }
        armed
    }

    /// The kept registration of `fd`, if any.
    fn kept(&self, fd: RawFd) -> Option<&Kept> {
        self.kept.get(usize::try_from(fd).ok()?)?.as_ref()
    }

    /// Records (or forgets) the kept registration of `fd` (not negative:
    /// only armed descriptors are kept).
    fn set_kept(&mut self, fd: RawFd, k: Option<Kept>) {
        let Ok(i) = usize::try_from(fd) else {
            return;
        };
        if i >= self.kept.len() {
            if k.is_none() {
                return;
            }
            self.kept.resize(i + 1, None);
        }
        let slot = &mut self.kept[i];
        self.kept_len = self.kept_len + usize::from(k.is_some()) - usize::from(slot.is_some());
        *slot = k;
    }

    /// Whether `g`'s kept registration may stand as it is (see
    /// [`Waitable::Edge`]).
    fn still_armed(&self, g: &FdGroup) -> bool {
        let (Some((opened, quiet)), Some(k)) = (g.edge, self.kept(g.fd)) else {
            return false;
        };
        k.armed > opened && k.seen <= quiet && (k.read || !g.read) && (k.write || !g.write)
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
            // Ordered, not hashed: a few descriptors per wait, where
            // hashing with `RandomState` cost more than the search.
            let mut by_fd: BTreeMap<RawFd, usize> = BTreeMap::new();
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
                    Waitable::Fd { fd, write }
                    | Waitable::FdUntil { fd, write, .. }
                    | Waitable::Edge { fd, write, .. } => {
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
                                edge: Some((0, u64::MAX)),
                            });
                            groups.len() - 1
                        });
                        let g = &mut groups[k];
                        g.edge = match (*w, g.edge) {
                            (Waitable::Edge { opened, quiet, .. }, Some((o, q))) => {
                                Some((o.max(opened), q.min(quiet)))
                            }
                            _ => None,
                        };
                        if write {
                            g.write = true;
                        } else {
                            g.read = true;
                        }
                        g.items.push(i);
                    }
                }
            }
            let mut armed = 0;
            for g in &groups {
                if self.still_armed(g) || self.arm(g.fd, g.read || !g.write, g.write) {
                    armed += 1;
                } else {
                    // Not pollable (regular file, /dev/null) or otherwise
                    // unwatchable: always ready.
                    g.items.iter().for_each(|&i| ready[i] = true);
                }
            }
            let any = ready.iter().any(|&r| r);
            let timeout = if any || !block {
                Some(Duration::ZERO)
            } else {
                next_deadline.map(|d| Duration::from_nanos(d.saturating_sub(t)))
            };
            if armed > 0 || timeout != Some(Duration::ZERO) {
                // Room for every kept registration's event, so that those
                // of this wait's descriptors are never left for later.
                let count = POLLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                let kept = &mut self.kept;
                let mut on_event = |fd: RawFd, ev: Readiness| {
                    if let Some(Some(k)) = usize::try_from(fd).ok().and_then(|i| kept.get_mut(i)) {
                        k.seen = count;
                    }
                    let Some(g) = by_fd.get(&fd).and_then(|&k| groups.get(k)) else {
                        return;
                    };
                    for &i in &g.items {
                        let write = matches!(
                            items[i],
                            Waitable::Fd { write: true, .. }
                                | Waitable::FdUntil { write: true, .. }
                                | Waitable::Edge { write: true, .. }
                        );
                        let hit = if write {
                            ev.writable || ev.write_closed
                        } else {
                            ev.readable || ev.read_closed
                        };
                        if hit || ev.error {
                            ready[i] = true;
                        }
                    }
                };
                let polled = self.poller.poll(timeout, self.kept_len, &mut on_event);
                let result = match polled {
                    Ok(()) => Ok(()),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(()),
                    Err(e) => Err(ErrorCode::from(&e)),
                };
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

    fn edge(fd: RawFd, opened: u64, quiet: u64) -> Waitable {
        Waitable::Edge {
            fd,
            write: false,
            opened,
            quiet,
        }
    }

    #[test]
    fn an_edge_wait_skips_the_re_arm_and_loses_no_readiness() {
        // A reactor of its own: the pool's may be another test's.
        let mut reactor = Reactor::new().unwrap();
        let (r, w) = std::io::pipe().unwrap();
        let rfd = r.as_raw_fd();
        let opened = arms();
        let armed = |reactor: &Reactor| reactor.kept(rfd).map(|k| k.armed);
        // The first wait registers the pipe.
        let got = reactor.wait(&[edge(rfd, opened, polls())], &|| 0, false);
        assert_eq!(got, Ok(vec![false]));
        let first = armed(&reactor);
        // Quiet since then: the registration stands, and data written
        // after it is reported (the kernel queued the edge).
        let quiet = polls();
        let got = reactor.wait(&[edge(rfd, opened, quiet)], &|| 0, false);
        assert_eq!(got, Ok(vec![false]));
        assert_eq!(armed(&reactor), first, "a quiet descriptor was re-armed");
        std::io::Write::write_all(&mut &w, b"x").unwrap();
        let got = reactor.wait(&[edge(rfd, opened, quiet)], &|| 0, true);
        assert_eq!(got, Ok(vec![true]));
        assert_eq!(armed(&reactor), first);
        // Told of the data but not read: the next wait re-arms, which
        // reports it again, as a level-triggered wait would.
        let got = reactor.wait(&[edge(rfd, opened, quiet)], &|| 0, false);
        assert_eq!(got, Ok(vec![true]));
        assert!(armed(&reactor) > first, "an unread edge was not re-armed");
        // Acted on (read): quiet again. An edge that a wait for another
        // descriptor took from epoll is noted, so the next wait re-arms,
        // which reports the unread data.
        std::io::Read::read(&mut &r, &mut [0u8; 4]).unwrap();
        let quiet = polls();
        let (r2, w2) = std::io::pipe().unwrap();
        let got = reactor.wait(
            &[edge(rfd, opened, quiet), readable(r2.as_raw_fd())],
            &|| 0,
            false,
        );
        assert_eq!(got, Ok(vec![false, false]));
        let before = armed(&reactor);
        std::io::Write::write_all(&mut &w, b"x").unwrap();
        std::io::Write::write_all(&mut &w2, b"y").unwrap();
        let got = reactor.wait(&[readable(r2.as_raw_fd())], &|| 0, true);
        assert_eq!(got, Ok(vec![true]));
        let got = reactor.wait(&[edge(rfd, opened, quiet)], &|| 0, false);
        assert_eq!(got, Ok(vec![true]));
        assert!(armed(&reactor) > before);
        drop((r2, w2));
    }

    #[test]
    fn an_edge_wait_on_a_reused_number_registers_afresh() {
        let mut reactor = Reactor::new().unwrap();
        // A registration kept for a pipe that is then closed leaves epoll
        // with its file.
        let (r, w) = std::io::pipe().unwrap();
        let old = r.as_raw_fd();
        let got = reactor.wait(&[readable(old)], &|| 0, false);
        assert_eq!(got, Ok(vec![false]));
        drop((r, w));
        // The next pipe takes the same number: its owner's wait must not
        // trust the kept registration, which was the closed file's.
        let (r, w) = std::io::pipe().unwrap();
        let rfd = r.as_raw_fd();
        assert_eq!(rfd, old, "the descriptor number was not reused");
        let opened = arms();
        std::io::Write::write_all(&mut &w, b"x").unwrap();
        let got = reactor.wait(&[edge(rfd, opened, polls())], &|| 0, false);
        assert_eq!(got, Ok(vec![true]));
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

    #[test]
    fn a_kept_registration_reports_what_is_still_there() {
        // Edge-triggered epoll reports a change once; each wait re-arms its
        // kept registration, which reports the data still unread.
        let mut reactor = Reactor::new().unwrap();
        let start = Instant::now();
        let now = || start.elapsed().as_nanos() as u64;
        let (r, w) = std::io::pipe().unwrap();
        let rfd = r.as_raw_fd();
        std::io::Write::write_all(&mut &w, b"x").unwrap();
        for _ in 0..3 {
            let until = Waitable::Deadline(now() + 5_000_000_000);
            let got = reactor.wait(&[readable(rfd), until], &now, true).unwrap();
            assert_eq!(got, [true, false]);
        }
        assert!(reactor.kept(rfd).is_some());
        let mut buf = [0u8; 4];
        std::io::Read::read(&mut &r, &mut buf).unwrap();
        assert_eq!(
            reactor.wait(&[readable(rfd)], &|| 0, false).unwrap(),
            [false]
        );
    }

    #[test]
    fn a_reused_descriptor_number_is_watched_afresh() {
        // A kept number whose file was closed names another file later: the
        // re-arm fails (the registration left epoll with the old file) and
        // the wait registers the new one.
        let mut reactor = Reactor::new().unwrap();
        let start = Instant::now();
        let now = || start.elapsed().as_nanos() as u64;
        // A number far above what the other tests (in parallel threads)
        // open, so that the second pipe gets the first one's number.
        let high = |fd: &std::io::PipeReader| {
            // SAFETY: duplicating a descriptor we own; the new one is
            // owned by the `OwnedFd` made from it.
            let n = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 900) };
            assert!(n >= 900);
            // SAFETY: `n` is a fresh descriptor nothing else owns.
            unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(n) }
        };
        let (r, w) = std::io::pipe().unwrap();
        let first = high(&r);
        let old = first.as_raw_fd();
        assert_eq!(
            reactor.wait(&[readable(old)], &now, false).unwrap(),
            [false]
        );
        drop((r, w, first));
        let (r2, w2) = std::io::pipe().unwrap();
        let second = high(&r2);
        assert_eq!(second.as_raw_fd(), old);
        // Watched, not taken for unwatchable (always ready).
        assert_eq!(
            reactor.wait(&[readable(old)], &now, false).unwrap(),
            [false]
        );
        std::io::Write::write_all(&mut &w2, b"x").unwrap();
        let got = reactor
            .wait(
                &[readable(old), Waitable::Deadline(now() + 5_000_000_000)],
                &now,
                true,
            )
            .unwrap();
        assert_eq!(got, [true, false]);
    }
}
