//! The server process: the listener, the accept loop on the reactor, one
//! forked process per connection, reaping, and graceful shutdown.
//!
//! Phase: run time of a server executable (`kiln build --addr`, `kiln
//! serve`). Inputs: the address and limits ([`ServeConfig`]), the function
//! that serves one connection in its own process. Output: the exit status
//! (0 after a graceful shutdown).
//!
//! Why a process per connection: a compiled component's state is per
//! process (its canonical-options records live in the executable's
//! writable data), so one process runs one instance at a time; and a crash
//! of one connection's process (a fault outside the guest, an abort)
//! touches no other connection. The requests of one connection run one
//! after another in its process, each on a fresh instance
//! (`kiln_runtime::component::serve`).
//!
//! Invariants:
//! - at most `max_connections` connection processes at once: at the limit
//!   the listener is not polled (new connections wait in the kernel's
//!   accept queue) until one ends;
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

use super::gate::Gate;
use kiln_vm::errors::os_error_text;
use kiln_wasi_kernel::reactor::{Waitable, wait};
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
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
    /// This process's connection slot (below `max_connections`).
    slot: usize,
    gate: Option<Gate>,
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

/// Binds a non-blocking listener on `addr`; errors in `wasmtime serve`'s
/// words (the OS error alone).
fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), String> {
    let listener = TcpListener::bind(addr).map_err(|e| os_error_text(&e))?;
    let local = listener.local_addr().map_err(|e| os_error_text(&e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot configure the listener: {e}"))?;
    Ok((listener, local))
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
    // Each child with its connection slot.
    let mut children: Vec<(libc::pid_t, usize)> = Vec::new();
    let mut deadline: Option<Instant> = None;
    loop {
        reap(&mut children, gate.as_ref());
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
            for &(pid, _) in &children {
                // SAFETY: signalling our own child.
                unsafe { libc::kill(pid, libc::SIGTERM) };
            }
        }
        if let Some(d) = deadline {
            if children.is_empty() {
                return Ok(0);
            }
            if Instant::now() >= d || stops > 1 {
                for &(pid, _) in &children {
                    // SAFETY: as above.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
                while !children.is_empty() {
                    // SAFETY: waiting for our own children.
                    let pid = unsafe { libc::waitpid(-1, std::ptr::null_mut(), 0) };
                    if pid <= 0 {
                        break;
                    }
                    children.retain(|&(c, _)| c != pid);
                }
                return Ok(0);
            }
        }
        if let Some(l) = &listener {
            while children.len() < config.max_connections {
                let stream = match l.accept() {
                    Ok((s, _)) => s,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    // A connection that failed before we took it, or out
                    // of descriptors for now: try again on the next wake.
                    Err(_) => break,
                };
                // SAFETY: the child runs only `serve` and exits; the
                // process is single-threaded here (the guest thread; the
                // main thread only waits for it), so the child's state is
                // consistent.
                // The lowest slot no child holds (there is one: fewer
                // children than `max_connections`).
                let slot = (0..)
                    .find(|s| children.iter().all(|&(_, c)| c != *s))
                    .unwrap_or(0);
                match unsafe { libc::fork() } {
                    0 => {
                        drop(listener.take());
                        drop(shutdown.take());
                        // SAFETY: our own pipe's read end.
                        unsafe { libc::close(wake) };
                        kiln_wasi_kernel::reactor::after_fork();
                        default_action(&[libc::SIGCHLD]);
                        let status = match self_pipe() {
                            Ok(stop_fd) => {
                                handle(&[libc::SIGINT, libc::SIGTERM]);
                                serve(
                                    stream,
                                    &ChildCtx {
                                        stop_fd,
                                        slot,
                                        gate: gate.clone(),
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
                    pid if pid > 0 => children.push((pid, slot)),
                    _ => {
                        // No process for it: the connection is dropped.
                        let _ = writeln!(
                            std::io::stderr(),
                            "Error: cannot fork a connection process: {}",
                            std::io::Error::last_os_error()
                        );
                    }
                }
                drop(stream);
            }
        }
        let mut items = vec![Waitable::Fd {
            fd: wake,
            write: false,
        }];
        if let Some(l) = &listener
            && children.len() < config.max_connections
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
        if let Some(d) = deadline {
            items.push(Waitable::Deadline(
                super::server::now().saturating_add(
                    u64::try_from(d.saturating_duration_since(Instant::now()).as_nanos())
                        .unwrap_or(u64::MAX),
                ),
            ));
        }
        let _ = wait(&items, &super::server::now, true);
        drain(wake);
    }
}

/// Reaps every ended child, giving back a request place it still held.
fn reap(children: &mut Vec<(libc::pid_t, usize)>, gate: Option<&Gate>) {
    CHILD.store(false, Ordering::SeqCst);
    loop {
        let mut status = 0;
        // SAFETY: reaping our own children without blocking.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return;
        }
        children.retain(|&(c, slot)| {
            if c == pid
                && let Some(g) = gate
            {
                g.release_slot(slot);
            }
            c != pid
        });
    }
}
