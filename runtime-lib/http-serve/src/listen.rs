//! The server process: the listener, the accept loop on the reactor,
//! forked connection processes (one per connection, or workers of up to
//! [`ServeConfig::per_process`] connections), reaping, and graceful
//! shutdown.
//!
//! Phase: run time of a server executable (`kiln build --addr`, `kiln
//! serve`). Inputs: the address and limits ([`ServeConfig`]), the function
//! that serves a connection in its own process (and, for a worker, those
//! handed to it later). Output: the exit status (0 after a graceful
//! shutdown).
//!
//! Why processes: a compiled component's state is per process (its
//! canonical-options records live in the executable's writable data), so
//! one process runs one instance at a time; and a crash of one process (a
//! fault outside the guest, an abort) touches no other process's
//! connections. A 0.2 connection's requests run one after another in its
//! process; a 0.3 worker runs its connections' requests concurrently on
//! its instance (`kiln_runner::component::serve`).
//!
//! A worker with room takes the next connection: the server hands it over
//! (the one serving the most connections first, so one wake-up serves
//! many) and counts the worker's free places from the [`handoff::IDLE`]
//! bytes it sends, one per connection that ended.
//!
//! A connection process whose instance may serve more requests (a 0.3
//! service: Wasmtime reuses its instances) says so when its connection
//! ends ([`ChildCtx::next_connection`]) and waits: the next accepted
//! connection goes to the idle process that waited least long (over a
//! control socket, [`super::handoff`]) rather than to a new process, so
//! requests one after another meet the same instance, as under
//! `wasmtime serve`; an idle process is retired after `idle_timeout`.
//!
//! Invariants:
//! - at most `max_connections` connections served at once (a process
//!   that is ending counts as full): at the limit the listener is not
//!   polled (new connections wait in the kernel's accept queue) until one
//!   ends;
//! - every child is reaped (`SIGCHLD` wakes the loop);
//! - on `SIGINT` or `SIGTERM` the listener is closed, every child gets
//!   `SIGTERM` (it finishes its in-flight request and closes), children
//!   still alive after `shutdown_grace` are killed, and the process exits
//!   0 (a second signal skips the grace period);
//! - the banner `Serving HTTP on http://HOST:PORT/` goes to stderr once
//!   the socket is bound (with the bound port for port 0), as
//!   `wasmtime serve` prints it; with a shutdown address, `Listening for
//!   shutdown on tcp://HOST:PORT/` comes first, and a connection to it
//!   stops the server as `SIGINT` does;
//! - with `max_requests`, at most that many requests are handled at once
//!   across the connection processes ([`super::gate`]); the slot of a
//!   process that ends inside a request is given back when it is reaped.

use super::bind::bind;
use super::gate::Gate;
use super::handoff::{self, Received};
use kiln_wasi_kernel::reactor::{Waitable, wait};
use std::io::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How the server runs.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Connection processes at most.
    pub max_connections: usize,
    /// How long in-flight connections may go on after a shutdown signal.
    pub shutdown_grace: Duration,
    /// Where a connection asks for a graceful shutdown (`--shutdown-addr`).
    pub shutdown_addr: Option<SocketAddr>,
    /// Requests handled at once at most, across connections
    /// (`--max-concurrent-requests`).
    pub max_requests: Option<u32>,
    /// How long an idle connection process (one that kept its instance)
    /// waits for a connection before it is retired
    /// (`--idle-instance-timeout`).
    pub idle_timeout: Duration,
    /// Connections a process serves at once (1: a process per connection;
    /// more for a 0.3 service's worker, whose instance takes concurrent
    /// requests). Each [`handoff::IDLE`] a process sends frees one.
    pub per_process: usize,
}

/// The write end of the self-pipe signal handlers wake the loop through.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);
/// A shutdown signal arrived (the count of them).
static STOP: AtomicU32 = AtomicU32::new(0);
/// A child ended.
static CHILD: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(sig: libc::c_int) {
    if sig == libc::SIGCHLD {
        CHILD.store(true, Ordering::SeqCst);
    } else {
        STOP.fetch_add(1, Ordering::SeqCst);
    }
    let fd = WAKE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        // SAFETY: `write` is async-signal-safe; a full pipe already wakes.
        unsafe { libc::write(fd, [1u8].as_ptr().cast(), 1) };
    }
}

/// A non-blocking self-pipe whose write end the handlers use; returns the
/// read end.
fn self_pipe() -> Result<RawFd, String> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return Err(format!(
            "cannot create a pipe: {}",
            std::io::Error::last_os_error()
        ));
    }
    let old = WAKE_FD.swap(fds[1], Ordering::SeqCst);
    if old >= 0 {
        // SAFETY: the previous write end (the parent's, in a child); no
        // handler of this process uses it any more.
        unsafe { libc::close(old) };
    }
    Ok(fds[0])
}

fn drain(fd: RawFd) {
    let mut buf = [0u8; 64];
    // SAFETY: reading into a local buffer from our own pipe.
    while unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
}

fn handle(sigs: &[libc::c_int]) {
    for &sig in sigs {
        // SAFETY: installing a handler that only touches atomics and
        // writes to a pipe (async-signal-safe).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

fn default_action(sigs: &[libc::c_int]) {
    for &sig in sigs {
        // SAFETY: restoring a default disposition.
        unsafe { libc::signal(sig, libc::SIG_DFL) };
    }
}

/// What a connection process sees of the server.
#[derive(Debug)]
pub struct ChildCtx {
    /// Readable when a shutdown signal arrived (a self-pipe).
    pub stop_fd: RawFd,
    /// The reactor's arming count once `stop_fd` existed.
    stop_opened: u64,
    /// The reactor's poll count when `stop_fd` was last known empty.
    stop_quiet: std::sync::atomic::AtomicU64,
    /// This process's connection slot (below `max_connections`).
    slot: usize,
    gate: Option<Gate>,
    /// This process's end of its control socket ([`super::handoff`]).
    ctl: RawFd,
    /// The reactor's poll count when `ctl` was last known empty (0: not
    /// yet).
    ctl_quiet: std::sync::atomic::AtomicU64,
}

impl ChildCtx {
    /// Waits for a place to handle a request (`--max-concurrent-requests`);
    /// the place is given back when the returned guard drops.
    pub fn request_place(&self) -> RequestPlace<'_> {
        if let Some(g) = &self.gate {
            g.enter(self.slot);
        }
        RequestPlace(self)
    }

    /// Whether the server is shutting down (finish the request in
    /// flight, then close).
    pub fn stopping(&self) -> bool {
        STOP.load(Ordering::SeqCst) > 0
    }

    /// Empties the stop pipe (after seeing [`ChildCtx::stopping`]).
    pub fn drain(&self) {
        drain(self.stop_fd);
        self.stop_quiet
            .store(kiln_wasi_kernel::reactor::polls(), Ordering::Relaxed);
    }

    /// A reactor item ready when a shutdown signal arrives: the stop pipe
    /// is read only by [`ChildCtx::drain`], so it stays quiet from its
    /// creation or its last drain until a signal writes to it.
    pub fn stop_item(&self) -> Waitable {
        Waitable::Edge {
            fd: self.stop_fd,
            write: false,
            opened: self.stop_opened,
            quiet: self.stop_quiet.load(Ordering::Relaxed),
        }
    }

    /// A connection the server handed this process, if one is waiting
    /// (a process serving several connections; [`ServeConfig::per_process`]).
    /// [`Received::Closed`] when the server retired this process or is
    /// gone.
    pub fn try_connection(&self) -> Received {
        let r = handoff::receive(self.ctl);
        if let Received::Nothing = r {
            self.ctl_quiet
                .store(kiln_wasi_kernel::reactor::polls(), Ordering::Relaxed);
        }
        r
    }

    /// Tells the server one of this process's connections ended: it may
    /// hand it another. `false` if the server is gone.
    pub fn connection_ended(&self) -> bool {
        handoff::say_idle(self.ctl)
    }

    /// A reactor item ready when the server hands this process a
    /// connection (or retires it): the control socket is read only by
    /// [`ChildCtx::try_connection`] (in this mode), so it is quiet from
    /// its last empty read until the server writes to it.
    pub fn handoff_item(&self) -> Waitable {
        Waitable::Edge {
            fd: self.ctl,
            write: false,
            opened: self.stop_opened,
            quiet: self.ctl_quiet.load(Ordering::Relaxed),
        }
    }

    /// Tells the server this process is idle and waits for its next
    /// connection; `None` when it is retired (its idle time ran out) or
    /// the server is shutting down: the process should then end.
    pub fn next_connection(&self) -> Option<TcpStream> {
        if self.stopping() || !handoff::say_idle(self.ctl) {
            return None;
        }
        let items = [
            Waitable::Fd {
                fd: self.ctl,
                write: false,
            },
            Waitable::Fd {
                fd: self.stop_fd,
                write: false,
            },
        ];
        loop {
            if self.stopping() {
                return None;
            }
            match handoff::receive(self.ctl) {
                Received::Conn(s) => return Some(s),
                Received::Closed => return None,
                Received::Nothing => {}
            }
            let _ = wait(&items, &crate::clock::now, true);
        }
    }
}

/// A connection process, as the server process sees it.
#[derive(Debug)]
struct Child {
    pid: libc::pid_t,
    /// Its connection slot.
    slot: usize,
    /// The server's end of its control socket, until it is retired or
    /// closes its end.
    ctl: Option<OwnedFd>,
    /// Since when it waits for a connection (it said [`handoff::IDLE`]
    /// for each it had).
    idle_since: Option<Instant>,
    /// The connections it may still take ([`ServeConfig::per_process`]
    /// less those it serves).
    free: usize,
}

impl Child {
    /// Reads what the process said: connections of its ended (it is idle
    /// once it has none), or its end closed.
    fn read_ctl(&mut self, per_process: usize) {
        let Some(fd) = &self.ctl else { return };
        let mut buf = [0u8; 16];
        loop {
            // SAFETY: reading into a local buffer from our own
            // non-blocking socket.
            let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                let ended = buf[..n as usize]
                    .iter()
                    .filter(|b| **b == handoff::IDLE)
                    .count();
                self.free = (self.free + ended).min(per_process);
                if ended > 0 && self.free == per_process {
                    self.idle_since = Some(Instant::now());
                }
                continue;
            }
            if n == 0 {
                // The process is ending; it is reaped when it has.
                self.ctl = None;
                self.idle_since = None;
                self.free = 0;
            }
            return;
        }
    }
}

/// The place of a request in flight ([`ChildCtx::request_place`]).
#[derive(Debug)]
pub struct RequestPlace<'a>(&'a ChildCtx);

impl Drop for RequestPlace<'_> {
    fn drop(&mut self) {
        if let Some(g) = &self.0.gate {
            g.leave(self.0.slot);
        }
    }
}

/// Binds `config.addr`, prints the banner and serves until a shutdown
/// signal: each accepted connection runs `serve` in a new process (its
/// return value is that process's exit status). Returns the exit status.
pub fn run(
    config: &ServeConfig,
    mut serve: impl FnMut(TcpStream, &ChildCtx) -> i32,
) -> Result<i32, String> {
    let mut shutdown = match config.shutdown_addr {
        Some(addr) => {
            let (l, local) = bind(addr)?;
            let _ = writeln!(
                std::io::stderr(),
                "Listening for shutdown on tcp://{local}/"
            );
            Some(l)
        }
        None => None,
    };
    let (listener, local) = bind(config.addr)?;
    let gate = match config.max_requests {
        Some(max) => Some(
            Gate::new(max, config.max_connections)
                .ok_or("cannot map the request counter shared by connection processes")?,
        ),
        None => None,
    };
    let wake = self_pipe()?;
    handle(&[libc::SIGINT, libc::SIGTERM, libc::SIGCHLD]);
    // After the handlers: once the banner is out, a signal stops the
    // server gracefully.
    let _ = writeln!(std::io::stderr(), "Serving HTTP on http://{local}/");
    let mut listener = Some(listener);
    let mut children: Vec<Child> = Vec::new();
    let mut deadline: Option<Instant> = None;
    loop {
        reap(&mut children, gate.as_ref());
        let now = Instant::now();
        for c in &mut children {
            c.read_ctl(config.per_process);
            if c.idle_since.is_some_and(|t| now >= t + config.idle_timeout) {
                // Retired: closing our end ends its wait.
                c.ctl = None;
                c.idle_since = None;
                c.free = 0;
            }
        }
        if let Some(l) = &shutdown
            && l.accept().is_ok()
        {
            // The connection itself is closed unanswered, as Wasmtime's.
            shutdown = None;
            STOP.fetch_add(1, Ordering::SeqCst);
        }
        let stops = STOP.load(Ordering::SeqCst);
        if stops > 0 && listener.is_some() {
            // Stop accepting; ask every connection to finish.
            listener = None;
            shutdown = None;
            if !children.is_empty() {
                let _ = writeln!(
                    std::io::stderr(),
                    "Waiting for child tasks to exit, ctrl-c again to quit sooner..."
                );
            }
            deadline = Some(Instant::now() + config.shutdown_grace);
            for c in &children {
                // SAFETY: signalling our own child.
                unsafe { libc::kill(c.pid, libc::SIGTERM) };
            }
        }
        if let Some(d) = deadline {
            if children.is_empty() {
                return Ok(0);
            }
            if Instant::now() >= d || stops > 1 {
                for c in &children {
                    // SAFETY: as above.
                    unsafe { libc::kill(c.pid, libc::SIGKILL) };
                }
                while !children.is_empty() {
                    // SAFETY: waiting for our own children.
                    let pid = unsafe { libc::waitpid(-1, std::ptr::null_mut(), 0) };
                    if pid <= 0 {
                        break;
                    }
                    children.retain(|c| c.pid != pid);
                }
                return Ok(0);
            }
        }
        if let Some(l) = &listener {
            while busy(&children, config.per_process) < config.max_connections {
                let stream = match l.accept() {
                    Ok((s, _)) => s,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    // A connection that failed before we took it, or out
                    // of descriptors for now: try again on the next wake.
                    Err(_) => break,
                };
                if hand_over(&mut children, &stream) {
                    continue;
                }
                let (ctl, child_ctl) = match handoff::pair() {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = writeln!(std::io::stderr(), "Error: {e}");
                        continue;
                    }
                };
                // SAFETY: the child runs only `serve` and exits; the
                // process is single-threaded here (the guest thread; the
                // main thread only waits for it), so the child's state is
                // consistent.
                // The lowest slot no child holds (there is one: fewer
                // children than `max_connections`).
                let slot = (0..)
                    .find(|s| children.iter().all(|c| c.slot != *s))
                    .unwrap_or(0);
                match unsafe { libc::fork() } {
                    0 => {
                        drop(listener.take());
                        drop(shutdown.take());
                        // The server's ends of the control sockets: a
                        // copy kept here would hide a retirement (the
                        // close) from the process it is meant for.
                        drop(ctl);
                        for c in &mut children {
                            c.ctl = None;
                        }
                        // SAFETY: our own pipe's read end.
                        unsafe { libc::close(wake) };
                        kiln_wasi_kernel::reactor::after_fork();
                        default_action(&[libc::SIGCHLD]);
                        let status = match self_pipe() {
                            Ok(stop_fd) => {
                                let stop_opened = kiln_wasi_kernel::reactor::arms();
                                let stop_quiet = kiln_wasi_kernel::reactor::polls().into();
                                handle(&[libc::SIGINT, libc::SIGTERM]);
                                serve(
                                    stream,
                                    &ChildCtx {
                                        stop_fd,
                                        stop_opened,
                                        stop_quiet,
                                        slot,
                                        gate: gate.clone(),
                                        ctl: child_ctl.as_raw_fd(),
                                        ctl_quiet: 0.into(),
                                    },
                                )
                            }
                            Err(e) => {
                                let _ = writeln!(std::io::stderr(), "Error: {e}");
                                1
                            }
                        };
                        // SAFETY: ending the connection process; nothing
                        // of it needs unwinding.
                        unsafe { libc::_exit(status) };
                    }
                    pid if pid > 0 => children.push(Child {
                        pid,
                        slot,
                        ctl: Some(ctl),
                        idle_since: None,
                        free: config.per_process - 1,
                    }),
                    _ => {
                        // No process for it: the connection is dropped.
                        let _ = writeln!(
                            std::io::stderr(),
                            "Error: cannot fork a connection process: {}",
                            std::io::Error::last_os_error()
                        );
                    }
                }
                drop(child_ctl);
                drop(stream);
            }
        }
        let mut items = vec![Waitable::Fd {
            fd: wake,
            write: false,
        }];
        for c in &children {
            if let Some(fd) = &c.ctl {
                items.push(Waitable::Fd {
                    fd: fd.as_raw_fd(),
                    write: false,
                });
            }
        }
        if let Some(l) = &listener
            && busy(&children, config.per_process) < config.max_connections
        {
            items.push(Waitable::Fd {
                fd: l.as_raw_fd(),
                write: false,
            });
        }
        if let Some(l) = &shutdown {
            items.push(Waitable::Fd {
                fd: l.as_raw_fd(),
                write: false,
            });
        }
        let retire = children
            .iter()
            .filter_map(|c| c.idle_since)
            .min()
            .map(|t| t + config.idle_timeout);
        if let Some(d) = [deadline, retire].into_iter().flatten().min() {
            items.push(Waitable::Deadline(
                crate::clock::now().saturating_add(
                    u64::try_from(d.saturating_duration_since(Instant::now()).as_nanos())
                        .unwrap_or(u64::MAX),
                ),
            ));
        }
        let _ = wait(&items, &crate::clock::now, true);
        drain(wake);
    }
}

/// Connections the processes serve (a process that is ending counts as
/// full until it is reaped).
fn busy(children: &[Child], per_process: usize) -> usize {
    children.iter().map(|c| per_process - c.free).sum()
}

/// Hands `stream` to a process that may take it: the one serving the
/// most connections (so that a process's one wake-up serves many; with
/// one connection per process, an idle one), of those the one that waited
/// least long. Whether one took it.
fn hand_over(children: &mut [Child], stream: &TcpStream) -> bool {
    loop {
        let Some(c) = children
            .iter_mut()
            .filter(|c| c.free > 0 && c.ctl.is_some())
            .min_by_key(|c| (c.free, std::cmp::Reverse(c.idle_since)))
        else {
            return false;
        };
        c.idle_since = None;
        match &c.ctl {
            Some(fd) if handoff::send(fd.as_raw_fd(), stream) => {
                c.free -= 1;
                return true;
            }
            // Gone meanwhile: the next one, if any.
            _ => {
                c.ctl = None;
                c.free = 0;
            }
        }
    }
}

/// Reaps every ended child, giving back a request place it still held.
fn reap(children: &mut Vec<Child>, gate: Option<&Gate>) {
    CHILD.store(false, Ordering::SeqCst);
    loop {
        let mut status = 0;
        // SAFETY: reaping our own children without blocking.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return;
        }
        children.retain(|c| {
            if c.pid == pid
                && let Some(g) = gate
            {
                g.release_slot(c.slot);
            }
            c.pid != pid
        });
    }
}
