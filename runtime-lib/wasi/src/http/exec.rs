//! The `wasi:http` client's executor and connection IO: `hyper`'s
//! connection state machines run as futures polled here, on the calling
//! thread, whenever the guest calls into `wasi:http` (and its streams);
//! the guest's waits go to the kernel's one reactor with the descriptor
//! and direction the connection last blocked on.
//!
//! Phase: run time. Inputs: futures (a request's connect + handshake +
//! exchange, its connection, its response-body pump). Outputs: their
//! effects on shared slots; [`Interest`] for pollables.
//!
//! Why no tokio runtime: Kiln has one event loop (the mio reactor in
//! `kiln-wasi-kernel`), which waits only when the guest waits. `hyper`
//! needs no runtime for HTTP/1 client connections: only its `rt::Read` /
//! `rt::Write` traits ([`Io`], non-blocking reads and writes that record
//! what they would block on) and someone polling its futures
//! ([`Exec::drive`]). A future that is not ready has either recorded an
//! [`Interest`] (then the guest's pollable waits on that descriptor) or is
//! waiting for the guest (body data, buffer room), which the guest's own
//! calls provide before the next drive.
//!
//! Invariants:
//! - [`Exec::drive`] polls every task until none was woken during a round
//!   (bounded, so a busy connection cannot keep the guest from running);
//! - tasks never touch the guest or the `P2Host`: they only fill shared
//!   slots (`Rc<RefCell<..>>`) that host functions read, so host functions
//!   may drive while holding the host.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io::{self, Read as _, Write as _};
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// A task: a future run to completion for its effects.
pub type Task = Pin<Box<dyn Future<Output = ()>>>;

/// Sets a flag when woken: a task woken during a round is polled again.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The executor: every running task of every request.
pub struct Exec {
    tasks: RefCell<Vec<Task>>,
    /// Tasks spawned while the others are being polled.
    spawned: RefCell<Vec<Task>>,
    woken: Arc<Flag>,
    /// Whether a [`Exec::drive`] is running (a task's drop or poll never
    /// drives again).
    driving: Cell<bool>,
}

impl std::fmt::Debug for Exec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exec")
            .field("tasks", &self.tasks.borrow().len())
            .finish()
    }
}

impl Default for Exec {
    fn default() -> Exec {
        Exec {
            tasks: RefCell::new(Vec::new()),
            spawned: RefCell::new(Vec::new()),
            woken: Arc::new(Flag(AtomicBool::new(false))),
            driving: Cell::new(false),
        }
    }
}

/// Rounds of one [`Exec::drive`] at most.
const MAX_ROUNDS: usize = 64;

impl Exec {
    /// Adds a task; it first runs at the next [`Exec::drive`].
    pub fn spawn(&self, f: impl Future<Output = ()> + 'static) {
        self.spawned.borrow_mut().push(Box::pin(f));
        self.woken.0.store(true, Ordering::Relaxed);
    }

    /// Whether a task was woken (or spawned) since the last round: then
    /// progress is possible without waiting.
    pub fn has_work(&self) -> bool {
        self.woken.0.load(Ordering::Relaxed)
    }

    /// Polls every task until a round wakes none.
    pub fn drive(&self) {
        if self.driving.replace(true) {
            return;
        }
        let waker = Waker::from(self.woken.clone());
        let mut cx = Context::from_waker(&waker);
        for _ in 0..MAX_ROUNDS {
            self.woken.0.store(false, Ordering::Relaxed);
            let mut tasks = std::mem::take(&mut *self.tasks.borrow_mut());
            tasks.append(&mut self.spawned.borrow_mut());
            tasks.retain_mut(|t| t.as_mut().poll(&mut cx).is_pending());
            let mut slot = self.tasks.borrow_mut();
            tasks.append(&mut slot);
            *slot = tasks;
            drop(slot);
            if !self.woken.0.load(Ordering::Relaxed) {
                break;
            }
        }
        self.driving.set(false);
    }
}

/// What a connection's last IO attempt would have blocked on.
#[derive(Debug, Default)]
pub struct Interest {
    /// The connection's descriptor, once it exists.
    pub fd: Cell<Option<RawFd>>,
    /// A read would block.
    pub read: Cell<bool>,
    /// A write (or the connect) would block.
    pub write: Cell<bool>,
}

impl Interest {
    /// The reactor condition that lets the connection progress, if it is
    /// blocked on its descriptor: writability first (a pending write or
    /// connect), else readability.
    pub fn waitable(&self) -> Option<(RawFd, bool)> {
        let fd = self.fd.get()?;
        if self.write.get() {
            Some((fd, true))
        } else if self.read.get() {
            Some((fd, false))
        } else {
            None
        }
    }
}

/// A connected, non-blocking TCP stream as `hyper`'s IO.
pub struct Io {
    /// The stream.
    pub stream: mio::net::TcpStream,
    /// Where blocking is recorded.
    pub interest: Rc<Interest>,
}

/// Polls a non-blocking IO result: `WouldBlock` records `interest` and is
/// `Pending` (the guest's next wait covers it); `Interrupted` retries.
fn nonblocking<T>(
    flag: &Cell<bool>,
    cx: &mut Context<'_>,
    mut op: impl FnMut() -> io::Result<T>,
) -> Poll<io::Result<T>> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                flag.set(true);
                // The reactor, not a waker, reports readiness; the guest's
                // next call drives again. Waking here would spin.
                let _ = cx;
                return Poll::Pending;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => {
                flag.set(false);
                return Poll::Ready(other);
            }
        }
    }
}

impl hyper::rt::Read for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut tmp = [0u8; 16 * 1024];
        let want = buf.remaining().min(tmp.len());
        let stream = &mut this.stream;
        match nonblocking(&this.interest.read, cx, || stream.read(&mut tmp[..want])) {
            Poll::Ready(Ok(n)) => {
                buf.put_slice(&tmp[..n]);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl hyper::rt::Write for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let stream = &mut this.stream;
        nonblocking(&this.interest.write, cx, || stream.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let stream = &mut this.stream;
        nonblocking(&this.interest.write, cx, || stream.flush())
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let _ = self.stream.shutdown(std::net::Shutdown::Write);
        Poll::Ready(Ok(()))
    }
}

/// Connects to `addr` without blocking: resolves when the connection is
/// established or failed (the connect's writability is the interest).
pub async fn connect(
    addr: std::net::SocketAddr,
    interest: Rc<Interest>,
) -> io::Result<mio::net::TcpStream> {
    let stream = mio::net::TcpStream::connect(addr)?;
    interest.fd.set(Some(stream.as_raw_fd()));
    std::future::poll_fn(|_cx| {
        if let Some(e) = stream.take_error()? {
            return Poll::Ready(Err(e));
        }
        match stream.peer_addr() {
            Ok(_) => {
                interest.write.set(false);
                Poll::Ready(Ok(()))
            }
            Err(e)
                if e.kind() == io::ErrorKind::NotConnected
                    || e.raw_os_error() == Some(libc::EINPROGRESS) =>
            {
                interest.write.set(true);
                Poll::Pending
            }
            Err(e) => Poll::Ready(Err(e)),
        }
    })
    .await?;
    Ok(stream)
}
