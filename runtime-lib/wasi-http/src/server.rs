//! The server side of `wasi:http@0.2` (the proxy world): one HTTP/1.1
//! connection served by `hyper::server::conn::http1` on the
//! [`super::exec`] executor, its requests handed to the guest as
//! `incoming-request` + `response-outparam`, and the guest's
//! `outgoing-response` sent back with its body streamed as it is written.
//!
//! Phase: run time, in a connection process of a server executable
//! (`kiln_runner::component::serve`, which owns the accept loop and the
//! guest calls). Inputs: an accepted TCP stream, the guest's calls.
//! Outputs: HTTP responses on the stream.
//!
//! Shape: `hyper`'s connection future is a task of the executor. Its
//! service does not call the guest (a task never touches the guest, the
//! executor's invariant): it queues the request ([`Pending`]) and returns
//! a future that waits for the response slot ([`Reply`]). The connection
//! loop outside the executor takes queued requests one at a time, calls
//! the guest's `handle` on a fresh instance with the request installed in
//! its host ([`install`]), and `response-outparam.set` fills the slot. The
//! body's pipe carries the executor and the connection's [`Interest`], so
//! the guest's writes drive the connection as for a client request body.
//!
//! Invariants (wasmtime-wasi-http 49 / `wasmtime serve`):
//! - `incoming-request`: the method, the path and query, the scheme
//!   `HTTP`, the authority from the `host` header (the request target's
//!   authority if it has one), immutable headers; `consume` succeeds once;
//! - `response-outparam.set` once; a response without a body taken is
//!   sent with an empty body; `set` with an `error-code` closes the
//!   connection without a response;
//! - a handler that returns (or traps) without `set` is answered `500`
//!   with Wasmtime's HTML page ([`answer_500`]).

use super::body::{BodySource, Clock, IncomingBody, PipeBody, pump};
use super::exec::{Exchange, Exec, Interest, Io};
use super::sniff::{LocalExec, Protocol, Rewind, read_preface};
use super::types::{BodyError, ErrorCode, Method, Scheme};
use super::{IncomingRequestRes, ResponseOutparamRes, state};
use bytes::Bytes;
use http::HeaderMap;
use kiln_canon::{Own, Trap};
use kiln_http_serve::clock::{last_now, nanos_at, now};
use kiln_http_serve::header_args::Header;
use kiln_wasi_kernel::reactor::{Waitable, wait};
use kiln_wasi_p2::P2Host;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Limits of a connection (see `kiln_runner::component::serve`).
#[derive(Copy, Clone, Debug)]
pub struct ConnLimits {
    /// Time to receive a request head once the connection is idle or new
    /// (`hyper`'s `header_read_timeout`): a slow client is closed then.
    pub header_read_timeout: Duration,
    /// Most bytes of a request head (`hyper`'s `max_buf_size`).
    pub max_head_bytes: usize,
}

/// Whether the request in flight was answered (read by the connection
/// process's request-timeout handler, which cannot reach the [`Reply`]).
pub static ANSWERED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The answer a queued request waits for.
#[derive(Default)]
pub struct Reply {
    /// `Some` once `set` (or the server) answered, until `hyper` takes it.
    response: Option<Result<http::Response<PipeBody>, ErrorCode>>,
    /// Whether it was answered.
    answered: bool,
    waker: Option<Waker>,
}

impl Reply {
    /// Whether the request was answered.
    pub fn is_set(&self) -> bool {
        self.answered
    }

    /// Answers, unless the request was answered already (the server's
    /// `413` for a body over the limit wins over the guest's later `set`;
    /// dropping the guest's response closes its body, so its writes fail
    /// instead of waiting for a reader).
    fn set(&mut self, r: Result<http::Response<PipeBody>, ErrorCode>) {
        if self.answered {
            return;
        }
        self.answered = true;
        ANSWERED.store(true, std::sync::atomic::Ordering::SeqCst);
        self.response = Some(r);
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }
}

/// A request `hyper` received, waiting for the guest.
pub struct Pending {
    /// The request.
    pub request: http::Request<hyper::body::Incoming>,
    /// Where its answer goes.
    pub reply: Rc<RefCell<Reply>>,
}

/// An `incoming-request`.
#[derive(Debug)]
pub struct IncomingRequest {
    method: Method,
    path_with_query: Option<String>,
    authority: Option<String>,
    headers: HeaderMap,
    /// The body, until `consume`.
    body: Option<hyper::body::Incoming>,
}

/// A `response-outparam`.
#[derive(Debug)]
pub struct ResponseOutparam {
    pub(crate) reply: Rc<RefCell<Reply>>,
    /// What its connection last blocked on (a process serving several
    /// connections answers each on its own).
    interest: Rc<Interest>,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("answered", &self.answered)
            .finish()
    }
}

/// One served connection.
pub struct ServerConn {
    /// The executor its tasks run on (the requests' hosts share it).
    pub exec: Rc<Exec>,
    /// What the connection last blocked on.
    pub interest: Rc<Interest>,
    queue: Rc<RefCell<VecDeque<Pending>>>,
    done: Rc<Cell<bool>>,
    /// Asks the connection to close after the request in flight.
    stop: Rc<Cell<bool>>,
    /// The connection task's group (dropping it closes the connection).
    conn: Option<Rc<Exchange>>,
}

impl ServerConn {
    /// Serves `stream` under `limits`: HTTP/1.1 (keep-alive), or HTTP/2
    /// when the client starts with its preface (h2c with prior knowledge).
    pub fn new(stream: std::net::TcpStream, limits: ConnLimits) -> ServerConn {
        ServerConn::on(stream, limits, Rc::new(Exec::default()))
    }

    /// [`ServerConn::new`] on executor `exec`, which other connections of
    /// the process share (a 0.3 worker's: one drive runs them all).
    pub fn on(stream: std::net::TcpStream, limits: ConnLimits, exec: Rc<Exec>) -> ServerConn {
        use rustix::fd::AsRawFd;
        // A failure leaves it blocking: each IO then waits in the kernel,
        // slower but correct for this one connection.
        let _ = stream.set_nonblocking(true);
        // A response goes out in several writes (head, body chunks, end):
        // with Nagle's algorithm each after the first waits for the
        // client's delayed ACK (some 40 ms per request).
        let _ = stream.set_nodelay(true);
        let stream = mio::net::TcpStream::from_std(stream);
        let interest = Rc::new(Interest::default());
        interest.fd.set(Some(stream.as_raw_fd()));
        interest.opened.set(Some(kiln_wasi_kernel::reactor::arms()));
        let queue: Rc<RefCell<VecDeque<Pending>>> = Rc::default();
        let done = Rc::new(Cell::new(false));
        let io = Io {
            stream,
            tls: None,
            interest: interest.clone(),
        };
        let q = queue.clone();
        let service = hyper::service::service_fn(move |request| {
            let reply: Rc<RefCell<Reply>> = Rc::default();
            q.borrow_mut().push_back(Pending {
                request,
                reply: reply.clone(),
            });
            ReplyFuture(reply)
        });
        let exchange = Exchange::new(&exec);
        let spawner = exchange.spawner();
        let (d, stop) = (done.clone(), Rc::new(Cell::new(false)));
        let s = stop.clone();
        exchange.spawn_io(
            async move {
                let mut io = io;
                // The first bytes tell HTTP/2 with prior knowledge from
                // HTTP/1.1; they must come within the head's time limit.
                let first = {
                    let mut sniff = std::pin::pin!(read_preface(&mut io));
                    let mut limit = std::pin::pin!(Sleep {
                        at: nanos_at(Instant::now() + limits.header_read_timeout),
                    });
                    std::future::poll_fn(|cx| {
                        if s.get() {
                            return Poll::Ready(None);
                        }
                        if let Poll::Ready(r) = sniff.as_mut().poll(cx) {
                            return Poll::Ready(r.ok());
                        }
                        limit.as_mut().poll(cx).map(|()| None)
                    })
                    .await
                };
                let Some((protocol, head)) = first else {
                    d.set(true);
                    return;
                };
                let io = Rewind::new(head, io);
                // Serves until the connection ends; asked to stop, it shuts
                // down gracefully (the request in flight is answered). An
                // error (a malformed request, a timeout, a reset) closes the
                // connection, as it does in `wasmtime serve`.
                macro_rules! serve {
                    ($conn:expr) => {{
                        let mut conn = std::pin::pin!($conn);
                        let mut asked = false;
                        let _ = std::future::poll_fn(|cx| {
                            if s.get() && !asked {
                                asked = true;
                                conn.as_mut().graceful_shutdown();
                            }
                            conn.as_mut().poll(cx)
                        })
                        .await;
                    }};
                }
                match protocol {
                    Protocol::Http1 => {
                        let mut builder = hyper::server::conn::http1::Builder::new();
                        builder
                            .timer(ReactorTimer)
                            .header_read_timeout(limits.header_read_timeout)
                            .max_buf_size(limits.max_head_bytes.max(8192))
                            .keep_alive(true);
                        serve!(builder.serve_connection(io, service));
                    }
                    Protocol::H2c => {
                        let mut builder =
                            hyper::server::conn::http2::Builder::new(LocalExec(spawner));
                        builder.timer(ReactorTimer).max_header_list_size(
                            u32::try_from(limits.max_head_bytes).unwrap_or(u32::MAX),
                        );
                        serve!(builder.serve_connection(io, service));
                    }
                }
                d.set(true);
            },
            interest.clone(),
        );
        ServerConn {
            exec,
            interest,
            queue,
            done,
            stop,
            conn: Some(exchange),
        }
    }

    /// Runs the connection's tasks as far as they go without waiting.
    pub fn drive(&self) {
        self.exec.drive();
    }

    /// The next request waiting for the guest.
    pub fn next_request(&self) -> Option<Pending> {
        self.queue.borrow_mut().pop_front()
    }

    /// Whether the connection ended.
    pub fn is_done(&self) -> bool {
        self.done.get()
    }

    /// Asks the connection to close once the request in flight is
    /// answered (at once if it is idle).
    pub fn shutdown(&self) {
        self.stop.set(true);
        // The connection's task reads the flag when polled: polled now.
        self.exec.wake_all();
        self.exec.drive();
    }

    /// Closes the connection now (its task dropped).
    pub fn close(&mut self) {
        self.conn = None;
        self.done.set(true);
    }

    /// Waits until the connection can progress: its descriptor, a timer of
    /// `hyper`, `also` readable, or `until` (monotonic nanoseconds of
    /// [`now`]), whichever comes first.
    pub fn wait(&self, also: Option<Waitable>, until: Option<u64>) {
        if self.exec.has_work() {
            return;
        }
        let mut items = Vec::with_capacity(3);
        if let Some(item) = self.interest.reactor_item() {
            items.push(item);
        }
        if let Some(t) = take_next_timer() {
            items.push(Waitable::Deadline(t));
        }
        if let Some(t) = until {
            items.push(Waitable::Deadline(t));
        }
        items.extend(also);
        if items.is_empty() {
            return;
        }
        let _ = wait(&items, &now, true);
    }
}

thread_local! {
    /// The earliest deadline of `hyper`'s pending sleeps, registered by
    /// their last poll (the executor polls every task each drive, so it is
    /// fresh after one).
    static TIMERS: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The earliest deadline (on [`now`]) of `hyper`'s sleeps, taken: a loop
/// that waits for connections waits for it too.
pub fn take_next_timer() -> Option<u64> {
    TIMERS.with(Cell::take)
}

/// `hyper`'s timer on the reactor: a sleep is a deadline the connection
/// loop waits for.
#[derive(Clone, Debug)]
struct ReactorTimer;

/// A sleep until a monotonic deadline ([`now`]'s nanoseconds).
///
/// It compares with the last reading of [`now`], not the clock: the
/// executor polls every task at each drive (a server worker's connections
/// each hold a timer for the next request's head, and a request sees some
/// fifteen drives), and the deadline it registers makes the loop's next
/// wait end by then and read the clock, so a due sleep is seen at the
/// next drive after that wait.
struct Sleep {
    at: u64,
}

impl Future for Sleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if last_now() >= self.at {
            return Poll::Ready(());
        }
        TIMERS.with(|t| t.set(Some(t.get().map_or(self.at, |n| n.min(self.at)))));
        Poll::Pending
    }
}

impl hyper::rt::Sleep for Sleep {}

impl hyper::rt::Timer for ReactorTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Sleep {
            at: nanos_at(Instant::now() + duration),
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Sleep {
            at: nanos_at(deadline),
        })
    }
}

/// The service's future: the guest's response, once set.
struct ReplyFuture(Rc<RefCell<Reply>>);

impl Future for ReplyFuture {
    type Output = Result<http::Response<PipeBody>, BodyError>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut r = self.0.borrow_mut();
        match r.response.take() {
            Some(Ok(resp)) => Poll::Ready(Ok(resp)),
            Some(Err(e)) => Poll::Ready(Err(BodyError(e))),
            None => {
                r.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// The WIT `method` of `m` (0.2 and 0.3 alike).
pub(crate) fn method_of(m: &http::Method) -> Method {
    match *m {
        http::Method::GET => Method::Get,
        http::Method::HEAD => Method::Head,
        http::Method::POST => Method::Post,
        http::Method::PUT => Method::Put,
        http::Method::DELETE => Method::Delete,
        http::Method::CONNECT => Method::Connect,
        http::Method::OPTIONS => Method::Options,
        http::Method::TRACE => Method::Trace,
        http::Method::PATCH => Method::Patch,
        ref other => Method::Other(other.as_str().to_string()),
    }
}

/// Puts `p`'s request into `h` (the host of the instance about to handle
/// it): the reps of its `incoming-request` and `response-outparam`.
///
/// The headers are as `wasmtime serve` hands them over: the server's `-H`
/// headers (`extra`) replace the request's of the same names (all of those
/// names removed first, then each appended), then the forbidden headers
/// are removed (`host` first). The order the guest sees follows from
/// `HeaderMap::remove`, which moves the last entry into the removed one's
/// place.
pub fn install(
    h: &mut P2Host,
    p: Pending,
    conn: &ServerConn,
    extra: &[Header],
    max_body: Option<u64>,
) -> (u32, u32) {
    let (mut parts, body) = p.request.into_parts();
    for (name, _) in extra {
        parts.headers.remove(name);
    }
    for (name, value) in extra {
        parts.headers.append(name.clone(), value.clone());
    }
    let authority = parts
        .uri
        .authority()
        .map(|a| a.as_str().to_string())
        .or_else(|| {
            parts
                .headers
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        });
    // `host` first, then the rest in their list's order (the order
    // Wasmtime's guests see shows this).
    parts.headers.remove(http::header::HOST);
    for name in &super::fields::FORBIDDEN {
        parts.headers.remove(name);
    }
    let path_with_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .or_else(|| Some("/".to_string()));
    let s = state(h);
    s.exec = conn.exec.clone();
    s.server_interest = Some(conn.interest.clone());
    s.server_body_limit = max_body.map(|max| (max, p.reply.clone()));
    let req = s.incoming_requests.insert(IncomingRequest {
        method: method_of(&parts.method),
        path_with_query,
        authority,
        headers: parts.headers,
        body: Some(body),
    });
    let out = s.outparams.insert(ResponseOutparam {
        reply: p.reply,
        interest: conn.interest.clone(),
    });
    (req, out)
}

/// [`install`] (or, for a `wasi:http/handler@0.3` export, its 0.3 form)
/// into the host of instance `rt`, which served earlier requests and is
/// reused for this one.
pub fn install_in(
    rt: &kiln_canon::ComponentRuntime,
    p3: bool,
    p: Pending,
    conn: &ServerConn,
    extra: &[Header],
    max_body: Option<u64>,
) -> Result<(u32, u32), Trap> {
    kiln_wasi_p2::with_host(rt, |h| {
        if p3 {
            super::p3::serve::install(h, p, conn, extra, max_body)
        } else {
            Ok(install(h, p, conn, extra, max_body))
        }
    })
}

/// Wasmtime's page for a request that got no response.
pub const PAGE_500: &str = "<!doctype html>\n<html>\n<head>\n    <title>500 Internal Server Error</title>\n</head>\n<body>\n    <center>\n        <h1>500 Internal Server Error</h1>\n        <hr>\n        wasmtime\n    </center>\n</body>\n</html>";

/// Answers `reply` with `500` and Wasmtime's page, unless it was answered.
/// Returns whether it answered.
pub fn answer_500(reply: &Rc<RefCell<Reply>>) -> bool {
    if reply.borrow().is_set() {
        return false;
    }
    answer(
        reply,
        http::StatusCode::INTERNAL_SERVER_ERROR,
        "text/html; charset=UTF-8",
        PAGE_500,
    );
    true
}

/// The `content-length` a request declares beyond `max` bytes, if any.
pub fn declared_body_over(p: &Pending, max: u64) -> Option<u64> {
    super::content_length(p.request.headers())
        .ok()
        .flatten()
        .filter(|n| *n > max)
}

/// Answers `p` with `413 Payload Too Large` without the guest (the body
/// it declared exceeds the server's limit), closing the connection.
pub fn answer_413(p: Pending) {
    answer_413_reply(&p.reply);
}

/// Answers `reply` with `413 Payload Too Large` (and `connection: close`:
/// the rest of the body is not read) unless it was answered
/// ([`Reply::set`] keeps the first answer).
fn answer_413_reply(reply: &Rc<RefCell<Reply>>) {
    answer(
        reply,
        http::StatusCode::PAYLOAD_TOO_LARGE,
        "text/plain",
        "request body too large\n",
    );
}

fn answer(
    reply: &Rc<RefCell<Reply>>,
    status: http::StatusCode,
    ty: &'static str,
    body: &'static str,
) {
    let pipe = super::body::Pipe::finished_with(Bytes::from_static(body.as_bytes()));
    let mut resp = http::Response::new(PipeBody(pipe));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(ty),
    );
    h.insert(
        http::header::CONTENT_LENGTH,
        http::HeaderValue::from(body.len()),
    );
    if status == http::StatusCode::PAYLOAD_TOO_LARGE {
        // The unread body would otherwise be the next request.
        h.insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
    }
    reply.borrow_mut().set(Ok(resp));
}

fn in_req(h: &mut P2Host, rep: u32) -> Result<&mut IncomingRequest, Trap> {
    state(h)
        .incoming_requests
        .get_mut(rep)
        .ok_or_else(|| kiln_wasi_p2::io::no_object("incoming-request"))
}

/// `[method]incoming-request.method`.
pub fn in_method(
    h: &mut P2Host,
    (t,): (kiln_canon::Borrow<IncomingRequestRes>,),
) -> Result<Method, Trap> {
    Ok(in_req(h, t.rep())?.method.clone())
}

/// `[method]incoming-request.path-with-query`.
pub fn in_path_with_query(
    h: &mut P2Host,
    (t,): (kiln_canon::Borrow<IncomingRequestRes>,),
) -> Result<Option<String>, Trap> {
    Ok(in_req(h, t.rep())?.path_with_query.clone())
}

/// `[method]incoming-request.authority`.
pub fn in_authority(
    h: &mut P2Host,
    (t,): (kiln_canon::Borrow<IncomingRequestRes>,),
) -> Result<Option<String>, Trap> {
    Ok(in_req(h, t.rep())?.authority.clone())
}

/// `[method]incoming-request.scheme`: plain HTTP (the server has no TLS).
pub fn in_scheme(
    h: &mut P2Host,
    (t,): (kiln_canon::Borrow<IncomingRequestRes>,),
) -> Result<Option<Scheme>, Trap> {
    in_req(h, t.rep())?;
    Ok(Some(Scheme::Http))
}

/// `[method]incoming-request.headers`: an immutable copy.
pub fn in_headers(
    h: &mut P2Host,
    (t,): (kiln_canon::Borrow<IncomingRequestRes>,),
) -> Result<Own<super::FieldsRes>, Trap> {
    let map = in_req(h, t.rep())?.headers.clone();
    Ok(crate::new_fields(h, super::fields::Fields::immutable(map)))
}

/// `[method]incoming-request.consume`: once.
pub fn in_consume(
    h: &mut P2Host,
    (t,): (kiln_canon::Borrow<IncomingRequestRes>,),
) -> Result<Result<Own<super::IncomingBodyRes>, ()>, Trap> {
    let Some(body) = in_req(h, t.rep())?.body.take() else {
        return Ok(Err(()));
    };
    let source = body_source(h, body);
    Ok(Ok(Own::new(state(h).incoming_bodies.insert(
        IncomingBody {
            source,
            stream_taken: false,
            child: Default::default(),
        },
    ))))
}

/// Takes incoming request `rep` out of `h` as a 0.3 request (scheme
/// `HTTP`), its body pumped into a [`BodySource`].
pub(crate) fn take_as_p3(h: &mut P2Host, rep: u32) -> Result<super::p3::Request3, Trap> {
    let r = state(h)
        .incoming_requests
        .remove(rep)
        .ok_or_else(|| kiln_wasi_p2::io::no_object("incoming-request"))?;
    let body = match r.body {
        Some(b) => super::p3::Body3::Incoming(body_source(h, b)),
        None => super::p3::Body3::Taken,
    };
    Ok(super::p3::Request3 {
        method: r.method.to_http().unwrap_or_default(),
        scheme: Some(http::uri::Scheme::HTTP),
        authority: r.authority.and_then(|a| a.parse().ok()),
        path: r.path_with_query,
        headers: r.headers,
        options: None,
        body,
    })
}

/// The pump of a request body `body` and its source.
fn body_source(h: &mut P2Host, body: hyper::body::Incoming) -> BodySource {
    let now0 = h.wasi.kernel.clocks.monotonic_now();
    let base = Instant::now();
    let clock: Clock = Rc::new(move || now0.saturating_add(base.elapsed().as_nanos() as u64));
    let s = state(h);
    let exec = s.exec.clone();
    let interest = s.server_interest.clone().unwrap_or_default();
    // The body's own group: dropping the body stops its pump, not the
    // connection.
    let exchange = Exchange::new(&exec);
    let limit = s.server_body_limit.clone().map(|(max, reply)| {
        let over: Box<dyn Fn(u64)> = Box::new(move |_| {
            answer_413_reply(&reply);
        });
        (max, over)
    });
    let rx = pump(&exchange.spawner(), body, clock.clone(), limit);
    BodySource {
        rx,
        exec,
        interest,
        exchange,
        between: u64::MAX,
        clock,
    }
}

/// `[static]response-outparam.set`.
pub fn outparam_set(
    h: &mut P2Host,
    (this, r): (
        Own<ResponseOutparamRes>,
        Result<Own<super::OutgoingResponseRes>, ErrorCode>,
    ),
) -> Result<(), Trap> {
    set_outparam(h, this, r)?;
    let exec = state(h).exec.clone();
    exec.drive();
    Ok(())
}

/// Answers with `r` through outparam `this` without driving the
/// connection: `hyper` sends the response at its next drive (a 0.3
/// service's, once its body tasks ran as far as they could, so a short
/// body leaves with the head in one write; see `p3::serve::respond`).
pub(crate) fn set_outparam(
    h: &mut P2Host,
    this: Own<ResponseOutparamRes>,
    r: Result<Own<super::OutgoingResponseRes>, ErrorCode>,
) -> Result<(), Trap> {
    let out = state(h)
        .outparams
        .remove(this.rep())
        .ok_or_else(|| kiln_wasi_p2::io::no_object("response-outparam"))?;
    let response = match r {
        Err(e) => Err(e),
        Ok(resp) => {
            let s = state(h);
            let resp = s
                .responses
                .remove(resp.rep())
                .ok_or_else(|| kiln_wasi_p2::io::no_object("outgoing-response"))?;
            let pipe = match resp.body {
                Some(p) => p,
                None => super::body::Pipe::finished_with(Bytes::new()),
            };
            pipe.borrow_mut().exec = Some((s.exec.clone(), out.interest.clone()));
            let mut r = http::Response::new(PipeBody(pipe));
            *r.status_mut() =
                http::StatusCode::from_u16(resp.status).unwrap_or(http::StatusCode::OK);
            *r.headers_mut() = resp.headers;
            Ok(r)
        }
    };
    out.reply.borrow_mut().set(response);
    Ok(())
}
