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
//! - [`Exec::drive`] polls the tasks until none was woken during a round
//!   (bounded, so a busy connection cannot keep the guest from running):
//!   every task each round, but a server connection's task
//!   ([`Exchange::spawn_io`]) only when its waker was called, when its
//!   reads may go on ([`Interest::may_progress`]) or after
//!   [`Exec::wake_all`]; its futures' other waits (reply slots, body
//!   pipes, `hyper`'s channels) all wake it;
//! - tasks never touch the guest or the `P2Host`: they only fill shared
//!   slots (`Rc<RefCell<..>>`) that host functions read, so host functions
//!   may drive while holding the host.

use kiln_wasi_kernel::reactor::RawFd;
use kiln_wasi_kernel::reactor::Waitable;
use rustix::fd::AsRawFd;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io::{self, Read as _, Write as _};
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

/// The executor: every running task of every request, each in the group
/// of its exchange ([`Exchange`]).
pub struct Exec {
    tasks: RefCell<Vec<Slot>>,
    /// Tasks spawned while the others are being polled.
    spawned: RefCell<Vec<Slot>>,
    /// Groups cancelled during a [`Exec::drive`], dropped after its round.
    cancelled: RefCell<Vec<u64>>,
    /// The next group number.
    next_group: Cell<u64>,
    woken: Arc<Flag>,
    /// Whether a [`Exec::drive`] is running (a task's drop or poll never
    /// drives again).
    driving: Cell<bool>,
    /// The next round polls every task ([`Exec::wake_all`]).
    all: Cell<bool>,
}

/// A task, its group, and what tells whether to poll it.
struct Slot {
    group: u64,
    task: Task,
    /// Its own waker, which also sets the executor's flag.
    waker: Waker,
    woken: Arc<TaskFlag>,
    /// The connection a server connection's task reads: it is polled only
    /// when woken or when a read may go on ([`Interest::may_progress`]).
    /// Other tasks are polled every round.
    io: Option<Rc<Interest>>,
}

/// A task's wake-up flag.
struct TaskFlag {
    mine: AtomicBool,
    any: Arc<Flag>,
}

impl Wake for TaskFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.mine.store(true, Ordering::Relaxed);
        self.any.0.store(true, Ordering::Relaxed);
    }
}

/// One exchange's tasks (connect and handshake, the connection, the body
/// pump): the guest objects of the exchange (its future, response, body,
/// streams, trailers) share it, and when the last of them goes, or the
/// exchange times out, its tasks are dropped, closing the connection as
/// Wasmtime's abort-on-drop task handles do.
#[derive(Debug)]
pub struct Exchange {
    exec: Rc<Exec>,
    group: u64,
}

impl Exchange {
    /// A new group on `exec`.
    pub fn new(exec: &Rc<Exec>) -> Rc<Exchange> {
        let group = exec.next_group.get();
        exec.next_group.set(group + 1);
        Rc::new(Exchange {
            exec: exec.clone(),
            group,
        })
    }

    /// Adds a task to the group.
    pub fn spawn(&self, f: impl Future<Output = ()> + 'static) {
        self.exec.spawn_in(self.group, f, None);
    }

    /// Adds a task to the group that serves the connection `io` tells
    /// about, and waits only for that connection's reads and for its
    /// wakers (a server connection: a worker's idle connections are then
    /// not polled at every drive).
    pub fn spawn_io(&self, f: impl Future<Output = ()> + 'static, io: Rc<Interest>) {
        self.exec.spawn_in(self.group, f, Some(io));
    }

    /// What a task of the group uses to add more (holding no
    /// [`Exchange`], which would keep the group alive).
    pub fn spawner(&self) -> Spawner {
        Spawner {
            exec: self.exec.clone(),
            group: self.group,
        }
    }

    /// Drops the group's tasks now (a timed-out exchange).
    pub fn cancel(&self) {
        self.exec.cancel(self.group);
    }
}

/// Adds tasks to one group (see [`Exchange::spawner`]).
#[derive(Clone, Debug)]
pub struct Spawner {
    exec: Rc<Exec>,
    group: u64,
}

impl Spawner {
    /// Adds a task to the group.
    pub fn spawn(&self, f: impl Future<Output = ()> + 'static) {
        self.exec.spawn_in(self.group, f, None);
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        self.exec.cancel(self.group);
    }
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
            cancelled: RefCell::new(Vec::new()),
            next_group: Cell::new(0),
            woken: Arc::new(Flag(AtomicBool::new(false))),
            driving: Cell::new(false),
            all: Cell::new(false),
        }
    }
}

/// Rounds of one [`Exec::drive`] at most.
const MAX_ROUNDS: usize = 64;

impl Exec {
    /// Adds a task to `group`; it first runs at the next [`Exec::drive`].
    fn spawn_in(
        &self,
        group: u64,
        f: impl Future<Output = ()> + 'static,
        io: Option<Rc<Interest>>,
    ) {
        let woken = Arc::new(TaskFlag {
            mine: AtomicBool::new(true),
            any: self.woken.clone(),
        });
        self.spawned.borrow_mut().push(Slot {
            group,
            task: Box::pin(f),
            waker: Waker::from(woken.clone()),
            woken,
            io,
        });
        self.woken.0.store(true, Ordering::Relaxed);
    }

    /// Makes the next drive poll every task (state a task reads without a
    /// waker changed, e.g. a connection asked to shut down).
    pub fn wake_all(&self) {
        self.all.set(true);
        self.woken.0.store(true, Ordering::Relaxed);
    }

    /// Drops every task of `group` (at the end of the round when a drive
    /// is running). Their futures are dropped after the task lists are
    /// released: a drop may run any code that does not drive.
    fn cancel(&self, group: u64) {
        if self.driving.get() {
            self.cancelled.borrow_mut().push(group);
            return;
        }
        let mut gone = Vec::new();
        for list in [&self.tasks, &self.spawned] {
            let mut list = list.borrow_mut();
            let (drop, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut *list)
                .into_iter()
                .partition(|s| s.group == group);
            *list = keep;
            gone.extend(drop);
        }
        drop(gone);
    }

    /// Whether a task was woken (or spawned) since the last round: then
    /// progress is possible without waiting.
    pub fn has_work(&self) -> bool {
        self.woken.0.load(Ordering::Relaxed)
    }

    /// Polls the tasks until a round wakes none: each task every round,
    /// but a server connection's only when woken or when its reads may go
    /// on.
    pub fn drive(&self) {
        if self.driving.replace(true) {
            return;
        }
        for _ in 0..MAX_ROUNDS {
            self.woken.0.store(false, Ordering::Relaxed);
            let all = self.all.replace(false);
            let mut tasks = std::mem::take(&mut *self.tasks.borrow_mut());
            tasks.append(&mut self.spawned.borrow_mut());
            tasks.retain_mut(|s| {
                let woken = s.woken.mine.swap(false, Ordering::Relaxed);
                if !(woken || all || s.io.as_ref().is_none_or(|i| i.may_progress())) {
                    return true;
                }
                let mut cx = Context::from_waker(&s.waker);
                s.task.as_mut().poll(&mut cx).is_pending()
            });
            let mut slot = self.tasks.borrow_mut();
            tasks.append(&mut slot);
            *slot = tasks;
            drop(slot);
            if !self.woken.0.load(Ordering::Relaxed) {
                break;
            }
        }
        self.driving.set(false);
        let cancelled = std::mem::take(&mut *self.cancelled.borrow_mut());
        for group in cancelled {
            self.cancel(group);
        }
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
    /// The reactor's poll count ([`kiln_wasi_kernel::reactor::polls`])
    /// when a read last would have blocked.
    read_blocked_at: Cell<u64>,
    /// The reactor's arming count ([`kiln_wasi_kernel::reactor::arms`])
    /// once `fd` was this connection's, for an owner that tracks every
    /// read of it here (a server connection): its read waits are then
    /// [`Waitable::Edge`]s.
    pub opened: Cell<Option<u64>>,
    /// A client exchange may resolve and connect: the guest waited for it
    /// ([`Interest::let_connect`]).
    may_connect: Cell<bool>,
}

impl Interest {
    /// Lets a client exchange waiting in [`Interest::connect_allowed`] go
    /// on: the guest waits for its response, or for room in its request
    /// body. Whether it was not yet allowed.
    pub fn let_connect(&self) -> bool {
        !self.may_connect.replace(true)
    }

    /// Ready once [`Interest::let_connect`] was called. A client exchange
    /// starts here, so that it cannot fail before the guest had the
    /// chance to write its request body: Wasmtime resolves and connects on
    /// another thread, and a program's writes after `handle` find the body
    /// open even when the connection then fails (StarlingMonkey's `fetch`
    /// treats a closed body stream as fatal, where a failed exchange only
    /// rejects its promise). Client tasks are polled every round
    /// ([`Exec::drive`]), so no waker is kept.
    pub fn connect_allowed(&self) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(|_| {
            if self.may_connect.get() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }

    /// Whether the connection's task may go on without being woken: its
    /// reads may (see [`Interest::read_would_block`]), or it waits to write
    /// (writability is not tracked here).
    pub fn may_progress(&self) -> bool {
        !self.read_would_block() || self.write.get()
    }

    /// Whether a read is sure to block: the last one did, and no
    /// readiness check happened since. `hyper` polls its reads many times
    /// per request (after each request head, around each response write);
    /// each would be a `recv` failing with `EAGAIN`.
    fn read_would_block(&self) -> bool {
        self.read.get() && self.read_blocked_at.get() == kiln_wasi_kernel::reactor::polls()
    }

    /// Records that a read would have blocked now.
    fn read_blocked(&self) {
        self.read_blocked_at.set(kiln_wasi_kernel::reactor::polls());
    }

    /// [`Interest::waitable`] as a reactor item: a read wait of a
    /// connection whose reads all go through [`Io`] (`opened` set) is an
    /// [`Waitable::Edge`] quiet since its read last would have blocked
    /// (`read` is set only with `read_blocked_at`).
    pub fn reactor_item(&self) -> Option<Waitable> {
        let (fd, write) = self.waitable()?;
        Some(match self.opened.get() {
            Some(opened) if !write => Waitable::Edge {
                fd,
                write,
                opened,
                quiet: self.read_blocked_at.get(),
            },
            _ => Waitable::Fd { fd, write },
        })
    }

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

/// A connected, non-blocking TCP stream as `hyper`'s IO, with its TLS
/// session for `https`.
pub struct Io {
    /// The stream.
    pub stream: mio::net::TcpStream,
    /// The TLS session (`https`), its handshake done ([`handshake`]).
    pub tls: Option<Box<rustls::ClientConnection>>,
    /// Where blocking is recorded.
    pub interest: Rc<Interest>,
}

/// Sends what TLS has queued; `Pending` (write interest) if the socket is
/// full.
fn flush_tls(
    tls: &mut rustls::ClientConnection,
    stream: &mut mio::net::TcpStream,
    interest: &Interest,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    while tls.wants_write() {
        match nonblocking(&interest.write, cx, || tls.write_tls(stream)) {
            Poll::Ready(Ok(_)) => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        }
    }
    Poll::Ready(Ok(()))
}

/// Reads TLS records into the session: `Ready(Ok(false))` at end of
/// stream, `Pending` (read interest) when nothing arrived.
fn fill_tls(
    tls: &mut rustls::ClientConnection,
    stream: &mut mio::net::TcpStream,
    interest: &Interest,
    cx: &mut Context<'_>,
) -> Poll<io::Result<bool>> {
    match nonblocking(&interest.read, cx, || tls.read_tls(stream)) {
        Poll::Ready(Ok(0)) => Poll::Ready(Ok(false)),
        Poll::Ready(Ok(_)) => match tls.process_new_packets() {
            Ok(_) => Poll::Ready(Ok(true)),
            Err(e) => {
                // Tell the peer why (the alert rustls queued, e.g.
                // `unknown_ca`), best effort, as tokio-rustls does: the
                // connection is dropped right after.
                let _ = tls.write_tls(stream);
                Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, e)))
            }
        },
        Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        Poll::Pending => Poll::Pending,
    }
}

/// Runs the TLS handshake of `tls` over `stream` without blocking.
pub async fn handshake(
    tls: &mut rustls::ClientConnection,
    stream: &mut mio::net::TcpStream,
    interest: &Interest,
) -> io::Result<()> {
    std::future::poll_fn(|cx| {
        loop {
            if let Poll::Ready(Err(e)) = flush_tls(tls, stream, interest, cx) {
                return Poll::Ready(Err(e));
            }
            if !tls.is_handshaking() {
                // The last flight may still be queued.
                return flush_tls(tls, stream, interest, cx);
            }
            if tls.wants_write() {
                return Poll::Pending;
            }
            match fill_tls(tls, stream, interest, cx) {
                Poll::Ready(Ok(true)) => {}
                Poll::Ready(Ok(false)) => {
                    return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    })
    .await
}

/// The client configuration for `https`: the webpki roots (as Wasmtime),
/// ALPN `http/1.1`.
pub fn tls_config() -> Result<std::sync::Arc<rustls::ClientConfig>, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(std::sync::Arc::new(config))
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
        let stream = &mut this.stream;
        if let Some(tls) = &mut this.tls {
            let mut tmp = [0u8; 16 * 1024];
            let want = buf.remaining().min(tmp.len());
            loop {
                match tls.reader().read(&mut tmp[..want]) {
                    Ok(n) => {
                        buf.put_slice(&tmp[..n]);
                        return Poll::Ready(Ok(()));
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    // A peer closing without `close_notify` ends the stream.
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        return Poll::Ready(Ok(()));
                    }
                    Err(e) => return Poll::Ready(Err(e)),
                }
                if let Poll::Ready(Err(e)) = flush_tls(tls, stream, &this.interest, cx) {
                    return Poll::Ready(Err(e));
                }
                match fill_tls(tls, stream, &this.interest, cx) {
                    Poll::Ready(Ok(true)) => {}
                    Poll::Ready(Ok(false)) => return Poll::Ready(Ok(())),
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                }
            }
        }
        if this.interest.read_would_block() {
            return Poll::Pending;
        }
        let fd = stream.as_raw_fd();
        // Straight into `hyper`'s buffer: no zeroed bounce buffer (16 KiB
        // of `memset` per read was a tenth of a small request's time).
        // SAFETY: only initialized bytes are marked filled (`advance` by
        // what `recv` wrote), and nothing is de-initialized.
        let dst = unsafe { buf.as_mut() };
        let room = dst.len();
        let recv = || {
            // SAFETY: `dst` is valid for writes of `dst.len()` bytes for
            // the call, borrowed mutably and alone (no other view of
            // hyper's buffer exists while `poll_read` runs); `recv` writes
            // at most that many. `fd` is `stream`'s, open for the call.
            unsafe { kiln_wasi_kernel::net::recv_into(fd, dst.as_mut_ptr().cast(), dst.len()) }
        };
        match nonblocking(&this.interest.read, cx, recv) {
            Poll::Ready(Ok(n)) => {
                // SAFETY: `recv` initialized the first `n` bytes of `dst`.
                unsafe { buf.advance(n) };
                if n > 0 && n < room {
                    // A short read emptied the socket's receive queue: the
                    // next read would block until more arrives, which only
                    // the reactor's next poll can report. `hyper` reads
                    // again right after each request head; that `recv`
                    // would fail with `EAGAIN` (one system call in six of
                    // a keep-alive request).
                    this.interest.read.set(true);
                    this.interest.read_blocked();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                this.interest.read_blocked();
                Poll::Pending
            }
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
        if let Some(tls) = &mut this.tls {
            // Room for more only once the earlier records went out.
            match flush_tls(tls, stream, &this.interest, cx) {
                Poll::Ready(Ok(())) => {}
                other => return other.map(|r| r.map(|()| 0)),
            }
            let n = tls.writer().write(buf)?;
            let _ = flush_tls(tls, stream, &this.interest, cx);
            return Poll::Ready(Ok(n));
        }
        nonblocking(&this.interest.write, cx, || stream.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let stream = &mut this.stream;
        if let Some(tls) = &mut this.tls {
            return flush_tls(tls, stream, &this.interest, cx);
        }
        nonblocking(&this.interest.write, cx, || stream.flush())
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(tls) = &mut this.tls {
            tls.send_close_notify();
            let _ = flush_tls(tls, &mut this.stream, &this.interest, cx);
        }
        let _ = this.stream.shutdown(std::net::Shutdown::Write);
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
                    || e.raw_os_error()
                        == Some(kiln_wasi_kernel::net::errno::CONNECTING.raw_os_error()) =>
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
