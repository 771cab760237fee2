//! Bodies: `outgoing-body` (its output stream feeds `hyper` through a
//! [`Pipe`]), `incoming-body` (a pump task moves `hyper`'s frames into a
//! [`Received`] buffer its input stream reads), and `future-trailers`.
//!
//! Phase: run time (host functions and executor tasks). Inputs: guest
//! writes, `hyper` frames. Outputs: body frames for `hyper`, bytes and
//! trailers for the guest.
//!
//! Invariants (wasmtime-wasi-http 49):
//! - an outgoing body buffers at most [`OUT_BUFFER`] bytes the connection
//!   has not taken: `check-write` grants the room left (1 MiB while the
//!   connection has taken everything, Wasmtime 49's
//!   `DEFAULT_OUTGOING_BODY_CHUNK_SIZE`); a write of any size is taken
//!   when nothing waits (Wasmtime's one-chunk channel takes it), beyond
//!   the grant otherwise it traps with Wasmtime's `write exceeded budget`;
//! - with a `content-length`, writing more is `last-operation-failed`
//!   and the request fails with `HTTP-request-body-size`, and `finish`
//!   with fewer bytes is `HTTP-request-body-size` too;
//! - `outgoing-body.finish` ends the body (with trailers, if any); dropping
//!   the body without `finish` fails the request (the connection sees an
//!   error instead of the end of the body);
//! - the input stream of an incoming body reads what has arrived (at most
//!   [`CHUNK`] per read) and is `closed` at the end; the pump takes no
//!   more frames while [`IN_BUFFER`] bytes wait (back-pressure on the
//!   connection); `incoming-body.finish` discards the rest of the body and
//!   its future yields the trailers;
//! - with a between-bytes timeout, a read that finds nothing buffered
//!   when no frame arrived for that long fails the stream (Wasmtime: the
//!   error carries no `http-error-code`);
//! - a body's stream is its child: the body cannot be dropped or finished
//!   while the stream lives (the stream holds a clone of the body's
//!   [`Child`] token; wasi:io's streams know nothing of it);
//! - writing beyond the `content-length` fails with an `error` whose
//!   `http-error-code` is `HTTP-request-body-size`.

use super::exec::{Exchange, Exec, Interest, Spawner};
use super::types::{BodyError, ErrorCode};
use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body, Frame};
use kiln_wasi_p2::io::{InputStreamImpl, OutputStreamImpl, Readiness, StreamFailure};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// The largest read of an incoming body.
pub const CHUNK: usize = 64 * 1024;
/// Bytes of an outgoing body buffered for the connection at most, and so
/// the largest `check-write` grant.
pub const OUT_BUFFER: usize = 1024 * 1024;
/// Bytes of an incoming body buffered for the guest at most.
pub const IN_BUFFER: usize = 1024 * 1024;

/// The guest-to-`hyper` side of an outgoing body.
#[derive(Debug, Default)]
pub struct Pipe {
    chunks: VecDeque<Bytes>,
    buffered: usize,
    /// `Some` once finished: the trailers to send.
    finished: Option<Option<HeaderMap>>,
    /// Why the body failed (dropped unfinished, wrong size).
    failed: Option<ErrorCode>,
    /// A response's body (its size errors are `HTTP-response-body-size`,
    /// a request's `HTTP-request-body-size`, as Wasmtime's).
    response: bool,
    /// `finish` found fewer bytes than the `content-length`: the body just
    /// ends, and `hyper`, which knows the length, fails the message itself
    /// (the exchange's error is then `HTTP-protocol-error`, as Wasmtime's;
    /// the body's own error, `HTTP-request-body-size`, is `finish`'s).
    short: bool,
    /// The `content-length` the headers declared.
    expected: Option<u64>,
    /// Bytes written so far.
    written: u64,
    /// `hyper` waiting for a frame.
    waker: Option<Waker>,
    /// The executor and connection, once the request was handed over.
    pub exec: Option<(Rc<Exec>, Rc<Interest>)>,
    /// Nobody reads the pipe any more (`hyper` dropped the body: the
    /// exchange ended, or the server answered in the guest's stead), so
    /// writes fail instead of waiting for room.
    reader_gone: bool,
}

impl Pipe {
    /// A finished body of `data` (a response the server makes itself, or
    /// one the guest sent without taking its body).
    pub fn finished_with(data: Bytes) -> Rc<RefCell<Pipe>> {
        let mut p = Pipe {
            finished: Some(None),
            ..Pipe::default()
        };
        if !data.is_empty() {
            p.buffered = data.len();
            p.written = data.len() as u64;
            p.chunks.push_back(data);
        }
        Rc::new(RefCell::new(p))
    }

    /// The error of a body of `n` bytes that disagrees with its
    /// `content-length`.
    fn size_error(&self, n: u64) -> ErrorCode {
        if self.response {
            ErrorCode::HttpResponseBodySize(Some(n))
        } else {
            ErrorCode::HttpRequestBodySize(Some(n))
        }
    }

    fn wake(&mut self) {
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }
}

/// Drives the executor of `pipe`'s request, if it was handed over; the
/// pipe is not borrowed meanwhile (the connection's body polls it).
fn drive(pipe: &Rc<RefCell<Pipe>>) {
    let exec = pipe.borrow().exec.as_ref().map(|(e, _)| e.clone());
    if let Some(exec) = exec {
        exec.drive();
    }
}

/// A body's token that its stream holds a clone of: while the stream
/// lives, the body has a child.
#[derive(Debug, Default)]
pub struct Child(Rc<()>);

impl Child {
    /// The stream's clone.
    pub fn clone_for_stream(&self) -> Child {
        Child(self.0.clone())
    }

    /// Whether a stream still holds a clone.
    pub fn has_child(&self) -> bool {
        Rc::strong_count(&self.0) > 1
    }
}

/// A new outgoing body expecting `size` bytes if known: the guest's
/// object and the pipe the request or response keeps.
pub fn new_outgoing_body(size: Option<u64>) -> (OutgoingBody, Rc<RefCell<Pipe>>) {
    outgoing_body(size, false)
}

/// [`new_outgoing_body`] of a response.
pub fn new_response_body(size: Option<u64>) -> (OutgoingBody, Rc<RefCell<Pipe>>) {
    outgoing_body(size, true)
}

fn outgoing_body(size: Option<u64>, response: bool) -> (OutgoingBody, Rc<RefCell<Pipe>>) {
    let pipe = Rc::new(RefCell::new(Pipe {
        expected: size,
        response,
        ..Pipe::default()
    }));
    (
        OutgoingBody {
            pipe: pipe.clone(),
            stream_taken: false,
            finished: false,
            child: Child::default(),
        },
        pipe,
    )
}

/// An `outgoing-body`.
#[derive(Debug)]
pub struct OutgoingBody {
    /// The pipe.
    pub pipe: Rc<RefCell<Pipe>>,
    /// Whether `write` handed out the stream.
    pub stream_taken: bool,
    /// Whether `finish` ran.
    pub finished: bool,
    /// Its stream's token.
    pub child: Child,
}

impl OutgoingBody {
    /// `finish`: ends the body with `trailers`; a size short of the
    /// declared `content-length` is `HTTP-request-body-size`.
    pub fn finish(mut self, trailers: Option<HeaderMap>) -> Result<(), ErrorCode> {
        self.finished = true;
        let mut p = self.pipe.borrow_mut();
        if let Some(e) = &p.failed {
            return Err(e.clone());
        }
        if let Some(n) = p.expected
            && n != p.written
        {
            let e = p.size_error(p.written);
            p.failed = Some(e.clone());
            p.short = true;
            p.wake();
            drop(p);
            drive(&self.pipe);
            return Err(e);
        }
        p.finished = Some(trailers);
        p.wake();
        drop(p);
        drive(&self.pipe);
        Ok(())
    }
}

impl OutgoingBody {
    /// The guest's `drop` of a body it did not finish: the body fails (the
    /// peer sees the message cut off), as Wasmtime aborts it.
    pub fn abort(self) {
        self.fail(ErrorCode::InternalError(Some(
            "outgoing body dropped without finish".into(),
        )));
    }

    /// Fails the body with `e` (a WASI 0.3 body whose trailers resolved to
    /// an error): the message is cut off, and `hyper`'s exchange fails
    /// with `e`.
    pub fn fail(mut self, e: ErrorCode) {
        self.finished = true;
        let mut p = self.pipe.borrow_mut();
        if p.finished.is_none() && p.failed.is_none() {
            p.failed = Some(e);
            p.wake();
            drop(p);
            drive(&self.pipe);
        }
    }

    /// Whether the body declared a `content-length` and all of it was
    /// written: `hyper` then ended the message after the data.
    pub fn complete_by_length(&self) -> bool {
        let p = self.pipe.borrow();
        p.expected.is_some_and(|n| n == p.written)
    }
}

impl Drop for OutgoingBody {
    /// A body neither finished nor dropped by the guest goes with its
    /// instance (the handler returned or trapped, the program ended): it
    /// ends there, with what was written, as Wasmtime's does when its store
    /// is dropped (a trailing chunk of a chunked response, not a cut
    /// connection). StarlingMonkey, for one, returns from a handler that
    /// threw without finishing the 500 response's body.
    fn drop(&mut self) {
        if !self.finished {
            let mut p = self.pipe.borrow_mut();
            if p.finished.is_none() && p.failed.is_none() {
                p.finished = Some(None);
                p.wake();
            }
        }
    }
}

/// The guest's monotonic clock (nanoseconds), readable from tasks.
pub type Clock = Rc<dyn Fn() -> u64>;

/// The output stream of an outgoing body.
#[derive(Debug)]
pub struct BodyWriter {
    /// The pipe.
    pub pipe: Rc<RefCell<Pipe>>,
    /// Its body's token.
    pub child: Child,
}

impl BodyWriter {
    /// The bytes the pipe takes now.
    fn room(&self) -> Result<u64, StreamFailure> {
        let p = self.pipe.borrow();
        if p.failed.is_some() || p.finished.is_some() || p.reader_gone {
            return Err(StreamFailure::Closed);
        }
        Ok(OUT_BUFFER.saturating_sub(p.buffered) as u64)
    }

    /// A WASI 0.3 body's write: bytes past the `content-length` fail the
    /// body without reaching `hyper`, whose exchange then fails with the
    /// body's error (Wasmtime 49's 0.3 behaviour; its 0.2 streams hand
    /// them on, see [`OutputStreamImpl::write`]).
    pub fn write_within_length(&mut self, data: &[u8]) -> Result<(), StreamFailure> {
        self.write_bytes(data, false)
    }

    /// Writes `data` into the pipe. Bytes past the `content-length` fail
    /// the body; with `hand_on` they still go to `hyper` first, which
    /// sends only what the length allows and so ends the message whole.
    fn write_bytes(&mut self, data: &[u8], hand_on: bool) -> Result<(), StreamFailure> {
        let room = self.room()?;
        {
            let mut p = self.pipe.borrow_mut();
            if p.buffered > 0 && data.len() as u64 > room {
                return Err(StreamFailure::Trap("write exceeded budget".into()));
            }
            let written = p.written + data.len() as u64;
            if let Some(n) = p.expected
                && written > n
            {
                let e = p.size_error(written);
                if hand_on {
                    // Wasmtime 49's 0.2 body hands the bytes on before it
                    // checks the length; `hyper` cuts them at the length,
                    // so the message is complete and never polled again.
                    p.written = written;
                    p.buffered += data.len();
                    p.chunks.push_back(Bytes::copy_from_slice(data));
                }
                p.failed = Some(e.clone());
                p.wake();
                // `hyper` must see the failure now: nothing else may
                // drive its connection before the exchange ends.
                drop(p);
                drive(&self.pipe);
                return Err(StreamFailure::FailedWith(
                    "body size exceeds the content-length".into(),
                    Box::new(e),
                ));
            }
            p.written = written;
            if !data.is_empty() {
                p.buffered += data.len();
                p.chunks.push_back(Bytes::copy_from_slice(data));
                p.wake();
            }
        }
        drive(&self.pipe);
        Ok(())
    }
}

impl BodyWriter {
    /// The guest needs the connection to take bytes: the exchange may
    /// connect ([`super::exec::Interest::connect_allowed`]).
    fn let_connect(&self) {
        if let Some((_, interest)) = &self.pipe.borrow().exec {
            let _ = interest.let_connect();
        }
    }
}

impl OutputStreamImpl for BodyWriter {
    fn check_write(&mut self) -> Result<u64, StreamFailure> {
        // Drive the connection only for room: driving before the first
        // write would make `hyper` send a response head on its own, and
        // the body's first bytes in a second write (a write drives
        // anyway, with its data in the pipe).
        if self.room()? == 0 {
            self.let_connect();
            drive(&self.pipe);
        }
        self.room()
    }

    fn write(&mut self, data: &[u8]) -> Result<(), StreamFailure> {
        self.write_bytes(data, true)
    }

    fn flush(&mut self) -> Result<(), StreamFailure> {
        drive(&self.pipe);
        Ok(())
    }

    fn readiness(&self) -> Readiness {
        let p = self.pipe.borrow();
        if p.buffered < OUT_BUFFER || p.failed.is_some() || p.finished.is_some() || p.reader_gone {
            return Readiness::Always;
        }
        // The guest waits for room: its exchange may connect now, and
        // the guest's next `check-write` drives it.
        if let Some((_, interest)) = &p.exec
            && interest.let_connect()
        {
            return Readiness::Always;
        }
        match &p.exec {
            Some((exec, _)) if exec.has_work() => Readiness::Always,
            Some((_, interest)) => match interest.waitable() {
                Some((fd, write)) => Readiness::Fd { fd, write },
                None => Readiness::Deadline(u64::MAX),
            },
            None => Readiness::Deadline(u64::MAX),
        }
    }
}

/// The body `hyper` sends: the pipe's frames.
pub struct PipeBody(pub Rc<RefCell<Pipe>>);

impl Drop for PipeBody {
    fn drop(&mut self) {
        // Never borrowed across a drop of the body; if it were, the writer
        // would only wait longer.
        if let Ok(mut p) = self.0.try_borrow_mut() {
            p.reader_gone = true;
        }
    }
}

impl Body for PipeBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let mut p = self.0.borrow_mut();
        if let Some(c) = p.chunks.pop_front() {
            p.buffered -= c.len();
            return Poll::Ready(Some(Ok(Frame::data(c))));
        }
        if p.short {
            return Poll::Ready(None);
        }
        if let Some(e) = &p.failed {
            return Poll::Ready(Some(Err(BodyError(e.clone()))));
        }
        match &mut p.finished {
            Some(t) => Poll::Ready(t.take().map(|t| Ok(Frame::trailers(t)))),
            None => {
                p.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// What has arrived of an incoming body.
#[derive(Debug, Default)]
pub struct Received {
    data: VecDeque<Bytes>,
    buffered: usize,
    /// The end: `Ok(trailers)` or the error.
    end: Option<Result<Option<HeaderMap>, ErrorCode>>,
    /// Discard data (after `finish`).
    discard: bool,
    /// The pump, waiting for room.
    waker: Option<Waker>,
    /// When the last frame (or the head) arrived, on the guest's clock.
    last_frame: u64,
}

/// A server's limit on a request body's size: the most bytes, and what to
/// do once more arrived (given the count so far).
pub type BodyLimit = (u64, Box<dyn Fn(u64)>);

/// Starts the pump of `body` into a new [`Received`]. With a `limit`, the
/// pump stops once more bytes arrived than it allows: the body ends with
/// `HTTP-request-body-size` and the limit's action runs.
pub fn pump(
    spawner: &Spawner,
    mut body: hyper::body::Incoming,
    clock: Clock,
    limit: Option<BodyLimit>,
) -> Rc<RefCell<Received>> {
    let rx = Rc::new(RefCell::new(Received {
        last_frame: clock(),
        ..Received::default()
    }));
    let r = rx.clone();
    let mut total: u64 = 0;
    spawner.spawn(std::future::poll_fn(move |cx| {
        loop {
            {
                let mut b = r.borrow_mut();
                if b.buffered >= IN_BUFFER && !b.discard {
                    b.waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
            }
            let frame = match Pin::new(&mut body).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(f) => f,
            };
            let mut b = r.borrow_mut();
            b.last_frame = clock();
            match frame {
                None => {
                    if b.end.is_none() {
                        b.end = Some(Ok(None));
                    }
                    return Poll::Ready(());
                }
                Some(Err(e)) => {
                    b.end = Some(Err(super::types::from_hyper(&e)));
                    return Poll::Ready(());
                }
                Some(Ok(f)) => match f.into_data() {
                    Ok(d) => {
                        total = total.saturating_add(d.len() as u64);
                        if let Some((max, over)) = &limit
                            && total > *max
                        {
                            // The rest is not read: dropping `body` with
                            // the task makes `hyper` close the connection
                            // after its response.
                            b.end = Some(Err(ErrorCode::HttpRequestBodySize(Some(total))));
                            drop(b);
                            over(total);
                            return Poll::Ready(());
                        }
                        if !b.discard && !d.is_empty() {
                            b.buffered += d.len();
                            b.data.push_back(d);
                        }
                    }
                    Err(f) => {
                        if let Ok(t) = f.into_trailers() {
                            b.end = Some(Ok(Some(t)));
                        }
                    }
                },
            }
        }
    }));
    rx
}

/// The shared state of an incoming body, its stream and its trailers.
#[derive(Clone)]
pub struct BodySource {
    /// What arrived.
    pub rx: Rc<RefCell<Received>>,
    /// The executor.
    pub exec: Rc<Exec>,
    /// The connection.
    pub interest: Rc<Interest>,
    /// The exchange's tasks, alive while any holder is.
    pub exchange: Rc<Exchange>,
    /// The between-bytes timeout (nanoseconds).
    pub between: u64,
    /// The guest's clock.
    pub clock: Clock,
}

impl std::fmt::Debug for BodySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodySource")
            .field("rx", &self.rx)
            .field("between", &self.between)
            .finish()
    }
}

impl BodySource {
    /// Moves what arrived into `buf` (after driving the connection);
    /// returns the count.
    pub fn read_into(&self, buf: &mut [u8]) -> usize {
        self.exec.drive();
        let mut b = self.rx.borrow_mut();
        let mut n = 0;
        while n < buf.len() {
            let Some(mut d) = b.data.pop_front() else {
                break;
            };
            let k = d.len().min(buf.len() - n);
            buf[n..n + k].copy_from_slice(&d.split_to(k));
            n += k;
            b.buffered -= k;
            if !d.is_empty() {
                b.data.push_front(d);
            }
        }
        if n > 0
            && let Some(w) = b.waker.take()
        {
            w.wake();
        }
        n
    }

    /// How the body ended, once it did and its data was read (after
    /// driving the connection).
    pub fn end(&self) -> Option<Result<Option<HeaderMap>, ErrorCode>> {
        self.exec.drive();
        let b = self.rx.borrow();
        if b.data.is_empty() {
            b.end.clone()
        } else {
            None
        }
    }

    /// Discards the rest of the data (the reader is gone), so the pump
    /// goes on to the trailers.
    pub fn discard(&self) {
        let mut b = self.rx.borrow_mut();
        b.discard = true;
        b.data.clear();
        b.buffered = 0;
        if let Some(w) = b.waker.take() {
            w.wake();
        }
    }

    /// The descriptor and direction the connection waits on, if any;
    /// `None` too when its tasks have work left (a drive was cut short):
    /// the caller then tries again soon instead of waiting on a
    /// descriptor that may have nothing more to say.
    pub fn waitable(&self) -> Option<(kiln_wasi_kernel::reactor::RawFd, bool)> {
        if self.exec.has_work() {
            return None;
        }
        self.interest.waitable()
    }

    /// Whether the connection's tasks have work left.
    pub fn has_work(&self) -> bool {
        self.exec.has_work()
    }

    /// When the between-bytes timeout of the current wait ends.
    fn deadline(&self) -> u64 {
        self.rx.borrow().last_frame.saturating_add(self.between)
    }

    fn readiness(&self, ready: bool, timed: bool) -> Readiness {
        if ready || self.exec.has_work() {
            return Readiness::Always;
        }
        let deadline = if timed { self.deadline() } else { u64::MAX };
        match self.interest.waitable() {
            Some((fd, write)) => Readiness::FdUntil {
                fd,
                write,
                deadline,
            },
            None => Readiness::Deadline(deadline),
        }
    }
}

/// An `incoming-body`.
#[derive(Debug)]
pub struct IncomingBody {
    /// The source.
    pub source: BodySource,
    /// Whether `stream` handed out the stream.
    pub stream_taken: bool,
    /// Its stream's token.
    pub child: Child,
}

/// The input stream of an incoming body.
#[derive(Debug)]
pub struct BodyReader {
    /// The body's source.
    pub source: BodySource,
    /// Its body's token.
    pub child: Child,
}

impl InputStreamImpl for BodyReader {
    fn read(&mut self, len: u64) -> Result<Vec<u8>, StreamFailure> {
        self.source.exec.drive();
        let timed_out = (self.source.clock)() >= self.source.deadline();
        let mut b = self.source.rx.borrow_mut();
        let want = usize::try_from(len).unwrap_or(usize::MAX).min(CHUNK);
        let mut out = Vec::new();
        while out.len() < want {
            let Some(mut d) = b.data.pop_front() else {
                break;
            };
            let n = d.len().min(want - out.len());
            out.extend_from_slice(&d.split_to(n));
            b.buffered -= n;
            if !d.is_empty() {
                b.data.push_front(d);
            }
        }
        if !out.is_empty() || want == 0 {
            if let Some(w) = b.waker.take() {
                w.wake();
            }
            return Ok(out);
        }
        if b.end.is_none() && timed_out {
            // Nothing arrived for the between-bytes timeout: the body
            // fails and its connection closes.
            b.end = Some(Err(ErrorCode::ConnectionReadTimeout));
            drop(b);
            self.source.exchange.cancel();
            b = self.source.rx.borrow_mut();
        }
        match &b.end {
            None => Ok(out),
            Some(Ok(_)) => Err(StreamFailure::Closed),
            Some(Err(e)) => Err(StreamFailure::Failed(format!("{e:?}"))),
        }
    }

    fn readiness(&self) -> Readiness {
        self.source.exec.drive();
        let ready = {
            let b = self.source.rx.borrow();
            !b.data.is_empty() || b.end.is_some()
        };
        self.source.readiness(ready, true)
    }

    fn settles(&self) -> bool {
        true
    }
}

/// A `future-trailers`.
#[derive(Debug)]
pub struct FutureTrailers {
    /// The source (its data is discarded from now on).
    pub source: BodySource,
    /// Whether `get` returned the result already.
    pub consumed: bool,
}

impl FutureTrailers {
    /// Starts discarding the rest of the body.
    pub fn new(source: BodySource) -> FutureTrailers {
        {
            let mut b = source.rx.borrow_mut();
            b.discard = true;
            b.data.clear();
            b.buffered = 0;
            if let Some(w) = b.waker.take() {
                w.wake();
            }
        }
        FutureTrailers {
            source,
            consumed: false,
        }
    }

    /// The result, once the body ended.
    pub fn poll(&self) -> Option<Result<Option<HeaderMap>, ErrorCode>> {
        self.source.exec.drive();
        self.source.rx.borrow().end.clone()
    }

    /// What its pollable waits on (after moving the body on with what came
    /// in: the end may be what arrived).
    pub fn readiness(&self) -> Readiness {
        self.source.exec.drive();
        let ready = self.consumed || self.source.rx.borrow().end.is_some();
        self.source.readiness(ready, false)
    }
}
