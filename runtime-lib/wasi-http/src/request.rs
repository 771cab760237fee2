//! `wasi:http/types`: `outgoing-request`, `request-options` and
//! `outgoing-response`.
//!
//! Phase: run time (host functions). Inputs: guest values. Outputs: the
//! request objects `outgoing-handler.handle` sends (`super::client`).
//!
//! Invariants (wasmtime-wasi-http 49): a new request is `GET` with no
//! scheme, authority or path; its headers are the `fields` it was built
//! from, now immutable (`headers` hands out immutable copies); the setters
//! refuse values the `http` crate cannot parse (`set-method` of an `other`
//! that is not a token, a path that is not a path-and-query, an authority
//! that is not one, with an empty or non-numeric port refused too); `body`
//! succeeds once. Incoming requests and response outparams are the
//! server's (`super::server`).

use super::body::{OutgoingBody, new_outgoing_body};
use super::state;
use super::types::{Method, Scheme};
use super::{
    FieldsRes, OutgoingBodyRes, OutgoingRequestRes, OutgoingResponseRes, RequestOptionsRes,
};
use http::HeaderMap;
use kiln_canon::{Borrow, Own, Trap};
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::io::no_object;
use std::cell::RefCell;
use std::rc::Rc;

/// An `outgoing-request`.
#[derive(Debug)]
pub struct OutgoingRequest {
    /// The method.
    pub method: Method,
    /// `None`: not set (`https` when sent, as Wasmtime).
    pub scheme: Option<Scheme>,
    /// The authority (`host[:port]`).
    pub authority: Option<String>,
    /// The path and query.
    pub path_with_query: Option<String>,
    /// The headers (immutable from now on).
    pub headers: HeaderMap,
    /// The body's pipe, once `body` was called.
    pub body: Option<Rc<RefCell<super::body::Pipe>>>,
}

/// A `request-options` (durations in nanoseconds).
#[derive(Clone, Debug, Default)]
pub struct RequestOptions {
    /// Time to establish the connection.
    pub connect_timeout: Option<u64>,
    /// Time to the first byte of the response.
    pub first_byte_timeout: Option<u64>,
    /// Time between bytes of the response.
    pub between_bytes_timeout: Option<u64>,
}

/// An `outgoing-response` (only a proxy could send it).
#[derive(Debug)]
pub struct OutgoingResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body's pipe, once `body` was called.
    pub body: Option<Rc<RefCell<super::body::Pipe>>>,
}

fn take_headers(h: &mut P2Host, headers: Own<FieldsRes>) -> Result<HeaderMap, Trap> {
    state(h)
        .fields
        .remove(headers.rep())
        .map(|f| f.map)
        .ok_or_else(|| no_object("fields"))
}

fn req(h: &mut P2Host, rep: u32) -> Result<&mut OutgoingRequest, Trap> {
    state(h)
        .requests
        .get_mut(rep)
        .ok_or_else(|| no_object("outgoing-request"))
}

/// `[constructor]outgoing-request`.
pub fn new(h: &mut P2Host, (headers,): (Own<FieldsRes>,)) -> Result<Own<OutgoingRequestRes>, Trap> {
    let headers = take_headers(h, headers)?;
    Ok(Own::new(state(h).requests.insert(OutgoingRequest {
        method: Method::Get,
        scheme: None,
        authority: None,
        path_with_query: None,
        headers,
        body: None,
    })))
}

/// `[method]outgoing-request.body`.
pub fn body(
    h: &mut P2Host,
    (this,): (Borrow<OutgoingRequestRes>,),
) -> Result<Result<Own<OutgoingBodyRes>, ()>, Trap> {
    let r = req(h, this.rep())?;
    if r.body.is_some() {
        return Ok(Err(()));
    }
    let Ok(size) = super::content_length(&r.headers) else {
        return Ok(Err(()));
    };
    let (body, pipe) = new_outgoing_body(size);
    r.body = Some(pipe);
    Ok(Ok(Own::new(state(h).outgoing_bodies.insert(body))))
}

/// `[method]outgoing-request.method`.
pub fn method(h: &mut P2Host, (this,): (Borrow<OutgoingRequestRes>,)) -> Result<Method, Trap> {
    Ok(req(h, this.rep())?.method.clone())
}

/// `[method]outgoing-request.set-method`.
pub fn set_method(
    h: &mut P2Host,
    (this, m): (Borrow<OutgoingRequestRes>, Method),
) -> Result<Result<(), ()>, Trap> {
    let r = req(h, this.rep())?;
    if m.to_http().is_none() {
        return Ok(Err(()));
    }
    r.method = m;
    Ok(Ok(()))
}

/// `[method]outgoing-request.path-with-query`.
pub fn path_with_query(
    h: &mut P2Host,
    (this,): (Borrow<OutgoingRequestRes>,),
) -> Result<Option<String>, Trap> {
    Ok(req(h, this.rep())?.path_with_query.clone())
}

/// `[method]outgoing-request.set-path-with-query`.
pub fn set_path_with_query(
    h: &mut P2Host,
    (this, p): (Borrow<OutgoingRequestRes>, Option<String>),
) -> Result<Result<(), ()>, Trap> {
    let r = req(h, this.rep())?;
    // Empty, or an absolute path (Wasmtime refuses `*` and `a/b`).
    if let Some(s) = &p
        && !s.is_empty()
        && (!s.starts_with('/') || s.parse::<http::uri::PathAndQuery>().is_err())
    {
        return Ok(Err(()));
    }
    r.path_with_query = p;
    Ok(Ok(()))
}

/// `[method]outgoing-request.scheme`.
pub fn scheme(
    h: &mut P2Host,
    (this,): (Borrow<OutgoingRequestRes>,),
) -> Result<Option<Scheme>, Trap> {
    Ok(req(h, this.rep())?.scheme.clone())
}

/// `[method]outgoing-request.set-scheme`.
pub fn set_scheme(
    h: &mut P2Host,
    (this, s): (Borrow<OutgoingRequestRes>, Option<Scheme>),
) -> Result<Result<(), ()>, Trap> {
    let r = req(h, this.rep())?;
    if let Some(Scheme::Other(o)) = &s
        && o.parse::<http::uri::Scheme>().is_err()
    {
        return Ok(Err(()));
    }
    r.scheme = s;
    Ok(Ok(()))
}

/// `[method]outgoing-request.authority`.
pub fn authority(
    h: &mut P2Host,
    (this,): (Borrow<OutgoingRequestRes>,),
) -> Result<Option<String>, Trap> {
    Ok(req(h, this.rep())?.authority.clone())
}

/// Whether `s` is an authority Wasmtime accepts: one `http::uri::Authority`
/// parses and, if a `:` follows the host, a port of digits that fits in
/// `u16`.
pub(crate) fn valid_authority(s: &str) -> bool {
    if s.parse::<http::uri::Authority>().is_err() {
        return false;
    }
    let s = s.rsplit_once('@').map_or(s, |(_, host)| host);
    let host_end = if s.starts_with('[') {
        s.find(']').map_or(s.len(), |i| i + 1)
    } else {
        s.find(':').unwrap_or(s.len())
    };
    match s[host_end..].strip_prefix(':') {
        None => s.len() == host_end,
        Some(port) => {
            !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u16>().is_ok()
        }
    }
}

/// `[method]outgoing-request.set-authority`.
pub fn set_authority(
    h: &mut P2Host,
    (this, a): (Borrow<OutgoingRequestRes>, Option<String>),
) -> Result<Result<(), ()>, Trap> {
    let r = req(h, this.rep())?;
    if let Some(s) = &a
        && !valid_authority(s)
    {
        return Ok(Err(()));
    }
    r.authority = a;
    Ok(Ok(()))
}

/// `[method]outgoing-request.headers`: an immutable copy.
pub fn headers(
    h: &mut P2Host,
    (this,): (Borrow<OutgoingRequestRes>,),
) -> Result<Own<FieldsRes>, Trap> {
    let map = req(h, this.rep())?.headers.clone();
    Ok(crate::new_fields(h, super::fields::Fields::immutable(map)))
}

fn opts(h: &mut P2Host, rep: u32) -> Result<&mut RequestOptions, Trap> {
    state(h)
        .options
        .get_mut(rep)
        .ok_or_else(|| no_object("request-options"))
}

/// `[constructor]request-options`.
pub fn new_options(h: &mut P2Host, (): ()) -> Result<Own<RequestOptionsRes>, Trap> {
    Ok(Own::new(state(h).options.insert(RequestOptions::default())))
}

/// Getters and setters of `request-options`.
macro_rules! option_accessors {
    ($($get:ident, $set:ident => $field:ident;)*) => {$(
        #[doc = concat!("`[method]request-options.", stringify!($field), "`.")]
        pub fn $get(
            h: &mut P2Host,
            (this,): (Borrow<RequestOptionsRes>,),
        ) -> Result<Option<u64>, Trap> {
            Ok(opts(h, this.rep())?.$field)
        }

        #[doc = concat!("`[method]request-options.set-", stringify!($field), "`.")]
        pub fn $set(
            h: &mut P2Host,
            (this, d): (Borrow<RequestOptionsRes>, Option<u64>),
        ) -> Result<Result<(), ()>, Trap> {
            opts(h, this.rep())?.$field = d;
            Ok(Ok(()))
        }
    )*};
}

option_accessors! {
    connect_timeout, set_connect_timeout => connect_timeout;
    first_byte_timeout, set_first_byte_timeout => first_byte_timeout;
    between_bytes_timeout, set_between_bytes_timeout => between_bytes_timeout;
}

fn resp(h: &mut P2Host, rep: u32) -> Result<&mut OutgoingResponse, Trap> {
    state(h)
        .responses
        .get_mut(rep)
        .ok_or_else(|| no_object("outgoing-response"))
}

/// `[constructor]outgoing-response`: status 200.
pub fn new_response(
    h: &mut P2Host,
    (headers,): (Own<FieldsRes>,),
) -> Result<Own<OutgoingResponseRes>, Trap> {
    let headers = take_headers(h, headers)?;
    Ok(Own::new(state(h).responses.insert(OutgoingResponse {
        status: 200,
        headers,
        body: None,
    })))
}

/// `[method]outgoing-response.status-code`.
pub fn status_code(h: &mut P2Host, (this,): (Borrow<OutgoingResponseRes>,)) -> Result<u16, Trap> {
    Ok(resp(h, this.rep())?.status)
}

/// Whether `s` is a status code a response may have (100-999).
pub(crate) fn valid_status(s: u16) -> bool {
    http::StatusCode::from_u16(s).is_ok()
}

/// `[method]outgoing-response.set-status-code`: a valid status (100-999).
pub fn set_status_code(
    h: &mut P2Host,
    (this, s): (Borrow<OutgoingResponseRes>, u16),
) -> Result<Result<(), ()>, Trap> {
    let r = resp(h, this.rep())?;
    if !valid_status(s) {
        return Ok(Err(()));
    }
    r.status = s;
    Ok(Ok(()))
}

/// `[method]outgoing-response.headers`: an immutable copy.
pub fn response_headers(
    h: &mut P2Host,
    (this,): (Borrow<OutgoingResponseRes>,),
) -> Result<Own<FieldsRes>, Trap> {
    let map = resp(h, this.rep())?.headers.clone();
    Ok(crate::new_fields(h, super::fields::Fields::immutable(map)))
}

/// `[method]outgoing-response.body`.
pub fn response_body(
    h: &mut P2Host,
    (this,): (Borrow<OutgoingResponseRes>,),
) -> Result<Result<Own<OutgoingBodyRes>, ()>, Trap> {
    let r = resp(h, this.rep())?;
    if r.body.is_some() {
        return Ok(Err(()));
    }
    let Ok(size) = super::content_length(&r.headers) else {
        return Ok(Err(()));
    };
    let (body, pipe): (OutgoingBody, _) = super::body::new_response_body(size);
    r.body = Some(pipe);
    Ok(Ok(Own::new(state(h).outgoing_bodies.insert(body))))
}
