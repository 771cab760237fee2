//! `wasi:http/outgoing-handler.handle`, `future-incoming-response` and
//! `incoming-response`: sending a request over a new HTTP/1.1 connection
//! (`hyper::client::conn::http1` on the [`super::exec`] executor) and
//! handing the response to the guest.
//!
//! Phase: run time (host functions). Inputs: an `outgoing-request` and
//! its options. Outputs: a future resolving to an `incoming-response` or
//! an `error-code`.
//!
//! Invariants (wasmtime-wasi-http 49, `default_send_request`):
//! - no authority is `HTTP-request-URI-invalid`; a scheme other than
//!   `HTTP`/`HTTPS` is `HTTP-protocol-error`; no scheme means `HTTPS`; the
//!   port defaults to 80 (http) or 443 (https);
//! - the request line carries the path and query (`/` when unset), and a
//!   `host` header is added with the authority;
//! - a name that does not resolve is `DNS-error` with rcode
//!   `address not available` and no info-code; any other connect failure is
//!   `connection-refused`; each address is tried in turn;
//! - the connect timeout (default 600 s) is `connection-timeout`, the
//!   first-byte timeout `connection-read-timeout`;
//! - a response's headers are immutable; `consume` succeeds once.
//!
//! - a failure of `hyper` is `HTTP-protocol-error` unless it carries an
//!   `error-code` (Wasmtime's `hyper_request_error`): a connection closed
//!   or reset before the response, an answer that is not HTTP, a head too
//!   large or with too many fields;
//! - an exchange whose guest objects are all gone, or that timed out,
//!   drops its tasks, which closes its connection ([`Exchange`]).
//!
//! `https` runs TLS (rustls with ring, the webpki roots as Wasmtime, ALPN
//! `http/1.1`) over the connection before HTTP; any handshake failure
//! (an untrusted or mismatched certificate, a peer that does not speak
//! TLS) is `TLS-protocol-error`, and a host that is no valid server name
//! is `DNS-error` (`invalid dns name`). rustls is reached only from here:
//! a program that does not import `outgoing-handler.handle` links none of
//! it.

use super::body::{BodySource, Clock, IncomingBody, PipeBody, Received, pump};
use super::exec::{Exchange, Exec, Interest, Io, Spawner, connect};
use super::types::{DnsErrorPayload, ErrorCode, Scheme, from_hyper};
use super::{
    FieldsRes, FutureIncomingResponseRes, IncomingBodyRes, IncomingResponseRes, OutgoingRequestRes,
    RequestOptionsRes,
};
use super::{state, state_ref};
use http::HeaderMap;
use kiln_canon::{Borrow, Own, Resource, Trap};
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::io::{Parent, PollableRes, Readiness, no_object};
use std::cell::RefCell;
use std::rc::Rc;

/// A response as received: status, headers and what arrived of the body.
pub(super) type Head = Result<(u16, HeaderMap, Rc<RefCell<Received>>), ErrorCode>;

/// A `future-incoming-response`.
pub struct FutureResponse {
    slot: Rc<RefCell<Option<Head>>>,
    /// Whether `get` returned the result.
    consumed: bool,
    exec: Rc<Exec>,
    interest: Rc<Interest>,
    /// The monotonic instant the current phase times out at.
    deadline: Rc<std::cell::Cell<u64>>,
    /// The exchange's tasks.
    exchange: Rc<Exchange>,
    /// The between-bytes timeout of the response body.
    between: u64,
    clock: Clock,
}

impl std::fmt::Debug for FutureResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FutureResponse")
            .field("consumed", &self.consumed)
            .field("exchange", &self.exchange)
            .finish()
    }
}

/// An `incoming-response`.
#[derive(Debug)]
pub struct IncomingResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<BodySource>,
}

/// The default timeouts (Wasmtime's 600 s).
const DEFAULT_TIMEOUT: u64 = 600_000_000_000;

fn dns_error() -> ErrorCode {
    ErrorCode::DnsError(DnsErrorPayload {
        rcode: Some("address not available".into()),
        info_code: None,
    })
}

/// What a failed lookup of the request's host is, by Wasmtime 49's rule
/// for its connect's error: `DNS-error` when the error is "address not
/// available" or its text is the standard library's lookup failure
/// (`failed to lookup address information: ...`, Linux's), else
/// `connection-refused`. So on Windows, whose lookup errors are the
/// system's texts (`No such host is known.`), an unknown host is
/// `connection-refused`, as under Wasmtime for Windows.
fn lookup_error(e: &std::io::Error) -> ErrorCode {
    if e.kind() == std::io::ErrorKind::AddrNotAvailable
        || e.to_string()
            .starts_with("failed to lookup address information")
    {
        dns_error()
    } else {
        ErrorCode::ConnectionRefused
    }
}

/// `outgoing-handler.handle`.
pub fn handle(
    h: &mut P2Host,
    (request, options): (Own<OutgoingRequestRes>, Option<Own<RequestOptionsRes>>),
) -> Result<Result<Own<FutureIncomingResponseRes>, ErrorCode>, Trap> {
    let req = state(h)
        .requests
        .remove(request.rep())
        .ok_or_else(|| no_object("outgoing-request"))?;
    let options = match options {
        Some(o) => state(h)
            .options
            .remove(o.rep())
            .ok_or_else(|| no_object("request-options"))?,
        None => Default::default(),
    };
    let tls = match req.scheme.clone().unwrap_or(Scheme::Https) {
        Scheme::Http => false,
        Scheme::Https => true,
        Scheme::Other(_) => return Ok(Err(ErrorCode::HttpProtocolError)),
    };
    let Some(authority) = req.authority.clone() else {
        return Ok(Err(ErrorCode::HttpRequestUriInvalid));
    };
    let Some(method) = req.method.to_http() else {
        return Ok(Err(ErrorCode::HttpRequestMethodInvalid));
    };
    let path = match req.path_with_query.as_deref() {
        None => "/".to_string(),
        // Only a query: the empty path's request target is `/`.
        Some(q) if q.starts_with('?') => format!("/{q}"),
        // A relative path (WASI 0.3 lets one be set) is no request target.
        Some(p) if !p.starts_with('/') && p != "*" => {
            return Ok(Err(ErrorCode::HttpRequestUriInvalid));
        }
        Some(p) => p.to_string(),
    };
    let Ok(uri) = path.parse::<http::Uri>() else {
        return Ok(Err(ErrorCode::HttpRequestUriInvalid));
    };
    let mut builder = http::Request::builder().method(method).uri(uri);
    if let Some(headers) = builder.headers_mut() {
        *headers = req.headers.clone();
        if let Ok(v) = http::HeaderValue::from_str(&authority) {
            headers.insert(http::header::HOST, v);
        }
    }
    let pipe = req.body.clone();
    let body = match &pipe {
        Some(p) => PipeBody(p.clone()),
        None => {
            let (b, p) = super::body::new_outgoing_body(None);
            drop(b.finish(None));
            PipeBody(p)
        }
    };
    let Ok(request) = builder.body(body) else {
        return Ok(Err(ErrorCode::HttpRequestUriInvalid));
    };
    // `https`: the server name to verify and the configuration (the
    // webpki roots; nothing else can add a trust root).
    let tls = if tls {
        match super::exec::tls_config() {
            Ok(config) => Some((host_of(&authority).to_string(), config)),
            Err(e) => return Ok(Err(ErrorCode::InternalError(Some(e.to_string())))),
        }
    } else {
        None
    };
    let host_port = if has_port(&authority) {
        authority.clone()
    } else {
        format!("{authority}:{}", if tls.is_some() { 443 } else { 80 })
    };
    let exec = state(h).exec.clone();
    let interest = Rc::new(Interest::default());
    if let Some(p) = &pipe {
        p.borrow_mut().exec = Some((exec.clone(), interest.clone()));
    }
    let slot: Rc<RefCell<Option<Head>>> = Rc::new(RefCell::new(None));
    let now = h.wasi.kernel.clocks.monotonic_now();
    let deadline = Rc::new(std::cell::Cell::new(
        now.saturating_add(options.connect_timeout.unwrap_or(DEFAULT_TIMEOUT)),
    ));
    let first_byte = options.first_byte_timeout.unwrap_or(DEFAULT_TIMEOUT);
    // The guest's monotonic clock, read from tasks and body streams.
    let base = std::time::Instant::now();
    let clock: Clock = Rc::new(move || now.saturating_add(base.elapsed().as_nanos() as u64));
    let exchange = Exchange::new(&exec);
    let task = {
        let (slot, spawner, interest, deadline, clock) = (
            slot.clone(),
            exchange.spawner(),
            interest.clone(),
            deadline.clone(),
            clock.clone(),
        );
        async move {
            interest.connect_allowed().await;
            let result = exchange_task(
                &host_port, tls, request, &spawner, &interest, &deadline, first_byte, clock,
            )
            .await;
            *slot.borrow_mut() = Some(result);
        }
    };
    exchange.spawn(task);
    let fut = FutureResponse {
        slot,
        consumed: false,
        exec,
        interest,
        deadline,
        exchange,
        between: options.between_bytes_timeout.unwrap_or(DEFAULT_TIMEOUT),
        clock,
    };
    Ok(Ok(Own::new(state(h).futures.insert(fut))))
}

/// The host of an authority, without port or IPv6 brackets.
fn host_of(authority: &str) -> &str {
    let a = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(rest) = a.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    a.split(':').next().unwrap_or(a)
}

/// Whether an authority names a port.
fn has_port(authority: &str) -> bool {
    let host_end = if authority.starts_with('[') {
        authority.find(']').map_or(authority.len(), |i| i + 1)
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    authority[host_end..].starts_with(':')
}

/// Resolves, connects, sends `request` and waits for the response head.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site, the request's parts"
)]
pub(super) async fn exchange_task(
    host_port: &str,
    tls: Option<(String, std::sync::Arc<rustls::ClientConfig>)>,
    request: http::Request<PipeBody>,
    spawner: &Spawner,
    interest: &Rc<Interest>,
    deadline: &std::cell::Cell<u64>,
    first_byte: u64,
    clock: Clock,
) -> Head {
    use std::net::ToSocketAddrs as _;
    let addrs: Vec<_> = match host_port.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => return Err(lookup_error(&e)),
    };
    if addrs.is_empty() {
        // Wasmtime's connect then fails with "could not resolve to any
        // address", which is not a lookup error by its rule.
        return Err(ErrorCode::ConnectionRefused);
    }
    let mut stream = None;
    for addr in addrs {
        match connect(addr, interest.clone()).await {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(_) => continue,
        }
    }
    let Some(stream) = stream else {
        return Err(ErrorCode::ConnectionRefused);
    };
    let mut stream = stream;
    let _ = stream.set_nodelay(true);
    interest
        .fd
        .set(Some(rustix::fd::AsRawFd::as_raw_fd(&stream)));
    deadline.set(clock().saturating_add(first_byte));
    let tls = match tls {
        Some((host, config)) => {
            // Wasmtime checks the name once connected.
            let name = rustls::pki_types::ServerName::try_from(host).map_err(|_| {
                ErrorCode::DnsError(DnsErrorPayload {
                    rcode: Some("invalid dns name".into()),
                    info_code: None,
                })
            })?;
            let mut session = rustls::ClientConnection::new(config, name)
                .map_err(|_| ErrorCode::TlsProtocolError)?;
            // Wasmtime: any handshake failure is `TLS-protocol-error`.
            super::exec::handshake(&mut session, &mut stream, interest)
                .await
                .map_err(|_| ErrorCode::TlsProtocolError)?;
            Some(Box::new(session))
        }
        None => None,
    };
    let io = Io {
        stream,
        tls,
        interest: interest.clone(),
    };
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| from_hyper(&e))?;
    spawner.spawn(async move {
        let _ = conn.await;
    });
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| from_hyper(&e))?;
    deadline.set(u64::MAX);
    let (parts, body) = response.into_parts();
    let mut headers = parts.headers;
    // Wasmtime strips the forbidden headers from what a guest receives.
    for name in &super::fields::FORBIDDEN {
        headers.remove(name);
    }
    let rx = pump(spawner, body, clock, None);
    Ok((parts.status.as_u16(), headers, rx))
}

fn future(h: &mut P2Host, rep: u32) -> Result<&mut FutureResponse, Trap> {
    state(h)
        .futures
        .get_mut(rep)
        .ok_or_else(|| no_object("future-incoming-response"))
}

/// The condition of future `rep` (its pollable's view).
pub(crate) fn future_readiness(h: &P2Host, rep: u32) -> Readiness {
    let Some(f) = state_ref(h).and_then(|s| s.futures.get(rep)) else {
        return Readiness::Always;
    };
    // What came in on the connection moves the exchange on (the response
    // head may arrive in pieces).
    let _ = f.interest.let_connect();
    f.exec.drive();
    if f.consumed || f.slot.borrow().is_some() || f.exec.has_work() {
        return Readiness::Always;
    }
    match f.interest.waitable() {
        Some((fd, write)) => Readiness::FdUntil {
            fd,
            write,
            deadline: f.deadline.get(),
        },
        None => Readiness::Deadline(f.deadline.get()),
    }
}

/// `[method]future-incoming-response.subscribe`.
pub fn subscribe(
    h: &mut P2Host,
    (this,): (Borrow<FutureIncomingResponseRes>,),
) -> Result<Own<PollableRes>, Trap> {
    future(h, this.rep())?;
    Ok(h.new_pollable(Readiness::Child(Parent {
        ty: FutureIncomingResponseRes::TYPE,
        rep: this.rep(),
        current: future_readiness,
        on_ready: None,
        settles: true,
    })))
}

/// `[method]future-incoming-response.get`.
#[allow(clippy::type_complexity, reason = "the WIT type, spelled out")]
pub fn get(
    h: &mut P2Host,
    (this,): (Borrow<FutureIncomingResponseRes>,),
) -> Result<Option<Result<Result<Own<IncomingResponseRes>, ErrorCode>, ()>>, Trap> {
    let now = h.wasi.kernel.clocks.monotonic_now();
    let f = future(h, this.rep())?;
    if f.consumed {
        return Ok(Some(Err(())));
    }
    let _ = f.interest.let_connect();
    f.exec.drive();
    let result = f.slot.borrow_mut().take();
    let result = match result {
        Some(r) => r,
        None if now >= f.deadline.get() => {
            // The exchange is over: its connection closes now.
            f.exchange.cancel();
            // Which phase timed out: before the connection exists, the
            // connect; after, the first byte.
            if f.interest.fd.get().is_some() && !f.interest.write.get() {
                Err(ErrorCode::ConnectionReadTimeout)
            } else {
                Err(ErrorCode::ConnectionTimeout)
            }
        }
        None => return Ok(None),
    };
    f.consumed = true;
    let source = |rx| BodySource {
        rx,
        exec: f.exec.clone(),
        interest: f.interest.clone(),
        exchange: f.exchange.clone(),
        between: f.between,
        clock: f.clock.clone(),
    };
    Ok(Some(Ok(match result {
        Ok((status, headers, rx)) => {
            let body = source(rx);
            Ok(Own::new(state(h).incoming.insert(IncomingResponse {
                status,
                headers,
                body: Some(body),
            })))
        }
        Err(e) => Err(e),
    })))
}

fn incoming(h: &mut P2Host, rep: u32) -> Result<&mut IncomingResponse, Trap> {
    state(h)
        .incoming
        .get_mut(rep)
        .ok_or_else(|| no_object("incoming-response"))
}

/// `[method]incoming-response.status`.
pub fn status(h: &mut P2Host, (this,): (Borrow<IncomingResponseRes>,)) -> Result<u16, Trap> {
    Ok(incoming(h, this.rep())?.status)
}

/// `[method]incoming-response.headers`: an immutable copy.
pub fn headers(
    h: &mut P2Host,
    (this,): (Borrow<IncomingResponseRes>,),
) -> Result<Own<FieldsRes>, Trap> {
    let map = incoming(h, this.rep())?.headers.clone();
    Ok(crate::new_fields(h, super::fields::Fields::immutable(map)))
}

/// `[method]incoming-response.consume`.
pub fn consume(
    h: &mut P2Host,
    (this,): (Borrow<IncomingResponseRes>,),
) -> Result<Result<Own<IncomingBodyRes>, ()>, Trap> {
    let Some(source) = incoming(h, this.rep())?.body.take() else {
        return Ok(Err(()));
    };
    Ok(Ok(Own::new(state(h).incoming_bodies.insert(
        IncomingBody {
            source,
            stream_taken: false,
            child: Default::default(),
        },
    ))))
}
