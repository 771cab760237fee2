//! `wasi:http/types@0.3`: the heads of `request` and `response`, and
//! `request-options`.
//!
//! Phase: run time (host functions). Inputs: guest values. Outputs: the
//! objects `client.send` sends and a server answers with.
//!
//! Invariants (Wasmtime 49): a new request is `GET` with no scheme,
//! authority, path or options; heads are kept as the `http` crate's
//! types, so a method or scheme given as `other` reads back as its
//! standard case when it is one; a path must parse as a path-and-query
//! (relative ones included; an empty one reads back as `/`); an authority
//! must parse, with a numeric port if any; `get-headers` and
//! `get-options` hand out immutable copies (`immutable` from their
//! setters).

use super::super::fields::Fields;
pub(crate) use super::super::server::method_of;
use super::super::state;
use super::super::types::{Method, Scheme};
use super::fields::new_fields3;
use super::{Fields3Res, Options3, Request3, Request3Res, RequestOptions3Res, RequestOptionsError};
use super::{Response3, Response3Res, TYPES};
use kiln_canon::{Borrow, Own, Trap};
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::io::no_object;
use kiln_wasi_p2::table::{Impl, host_fn};

/// The 0.3 `request`, `response` and `request-options` head functions.
#[rustfmt::skip]
pub const IMPLS: &[Impl] = &[
    (TYPES, "[method]request.get-method", host_fn!(get_method)),
    (TYPES, "[method]request.set-method", host_fn!(set_method)),
    (TYPES, "[method]request.get-path-with-query", host_fn!(get_path)),
    (TYPES, "[method]request.set-path-with-query", host_fn!(set_path)),
    (TYPES, "[method]request.get-scheme", host_fn!(get_scheme)),
    (TYPES, "[method]request.set-scheme", host_fn!(set_scheme)),
    (TYPES, "[method]request.get-authority", host_fn!(get_authority)),
    (TYPES, "[method]request.set-authority", host_fn!(set_authority)),
    (TYPES, "[method]request.get-options", host_fn!(get_options)),
    (TYPES, "[method]request.get-headers", host_fn!(get_headers)),
    (TYPES, "[constructor]request-options", host_fn!(new_options)),
    (TYPES, "[method]request-options.get-connect-timeout", host_fn!(get_connect_timeout)),
    (TYPES, "[method]request-options.set-connect-timeout", host_fn!(set_connect_timeout)),
    (TYPES, "[method]request-options.get-first-byte-timeout", host_fn!(get_first_byte_timeout)),
    (TYPES, "[method]request-options.set-first-byte-timeout", host_fn!(set_first_byte_timeout)),
    (TYPES, "[method]request-options.get-between-bytes-timeout", host_fn!(get_between_bytes_timeout)),
    (TYPES, "[method]request-options.set-between-bytes-timeout", host_fn!(set_between_bytes_timeout)),
    (TYPES, "[method]request-options.clone", host_fn!(clone_options)),
    (TYPES, "[method]response.get-status-code", host_fn!(get_status)),
    (TYPES, "[method]response.set-status-code", host_fn!(set_status)),
    (TYPES, "[method]response.get-headers", host_fn!(response_headers)),
];

/// Request `rep`.
pub fn req(h: &mut P2Host, rep: u32) -> Result<&mut Request3, Trap> {
    state(h)
        .requests3
        .get_mut(rep)
        .ok_or_else(|| no_object("request"))
}

/// Response `rep`.
pub fn resp(h: &mut P2Host, rep: u32) -> Result<&mut Response3, Trap> {
    state(h)
        .responses3
        .get_mut(rep)
        .ok_or_else(|| no_object("response"))
}

/// The WIT `scheme` of `s`.
pub fn scheme_of(s: &http::uri::Scheme) -> Scheme {
    if *s == http::uri::Scheme::HTTP {
        Scheme::Http
    } else if *s == http::uri::Scheme::HTTPS {
        Scheme::Https
    } else {
        Scheme::Other(s.as_str().to_string())
    }
}

fn get_method(h: &mut P2Host, (this,): (Borrow<Request3Res>,)) -> Result<Method, Trap> {
    Ok(method_of(&req(h, this.rep())?.method))
}

fn set_method(
    h: &mut P2Host,
    (this, m): (Borrow<Request3Res>, Method),
) -> Result<Result<(), ()>, Trap> {
    let r = req(h, this.rep())?;
    Ok(match m.to_http() {
        Some(m) => {
            r.method = m;
            Ok(())
        }
        None => Err(()),
    })
}

fn get_path(h: &mut P2Host, (this,): (Borrow<Request3Res>,)) -> Result<Option<String>, Trap> {
    Ok(req(h, this.rep())?.path.clone())
}

fn set_path(
    h: &mut P2Host,
    (this, p): (Borrow<Request3Res>, Option<String>),
) -> Result<Result<(), ()>, Trap> {
    let r = req(h, this.rep())?;
    let path = match p {
        None => None,
        // An empty path is the root (as Wasmtime 49 reads it back).
        Some(s) if s.is_empty() => Some("/".to_string()),
        Some(s) => match path_and_query(&s) {
            Some(p) => Some(p),
            None => return Ok(Err(())),
        },
    };
    r.path = path;
    Ok(Ok(()))
}

/// `s` as a request's path and query, if its characters are those of one:
/// an absolute path (or `*`), or a relative one (`a/b`, `../x`, `?q`),
/// which WASI 0.3 accepts (the wasi-http conformance tests set them; a
/// request with one fails at `send` as an invalid URI). A fragment is
/// dropped, as the `http` crate drops it.
fn path_and_query(s: &str) -> Option<String> {
    if s.starts_with('/') || s == "*" {
        return s
            .parse::<http::uri::PathAndQuery>()
            .ok()
            .map(|p| p.as_str().to_string());
    }
    // The same characters as an absolute path's.
    let p = format!("/{s}").parse::<http::uri::PathAndQuery>().ok()?;
    Some(match &p.as_str()[1..] {
        // Only a fragment: the root, as the `http` crate reads it.
        "" => "/".to_string(),
        rel => rel.to_string(),
    })
}

fn get_scheme(h: &mut P2Host, (this,): (Borrow<Request3Res>,)) -> Result<Option<Scheme>, Trap> {
    Ok(req(h, this.rep())?.scheme.as_ref().map(scheme_of))
}

fn set_scheme(
    h: &mut P2Host,
    (this, s): (Borrow<Request3Res>, Option<Scheme>),
) -> Result<Result<(), ()>, Trap> {
    let r = req(h, this.rep())?;
    let scheme = match s {
        None => None,
        Some(Scheme::Http) => Some(http::uri::Scheme::HTTP),
        Some(Scheme::Https) => Some(http::uri::Scheme::HTTPS),
        Some(Scheme::Other(o)) => match o.parse::<http::uri::Scheme>() {
            Ok(s) => Some(s),
            Err(_) => return Ok(Err(())),
        },
    };
    r.scheme = scheme;
    Ok(Ok(()))
}

fn get_authority(h: &mut P2Host, (this,): (Borrow<Request3Res>,)) -> Result<Option<String>, Trap> {
    Ok(req(h, this.rep())?
        .authority
        .as_ref()
        .map(|a| a.as_str().to_string()))
}

fn set_authority(
    h: &mut P2Host,
    (this, a): (Borrow<Request3Res>, Option<String>),
) -> Result<Result<(), ()>, Trap> {
    let r = req(h, this.rep())?;
    let authority = match a {
        None => None,
        Some(s) if !super::super::request::valid_authority(&s) => return Ok(Err(())),
        Some(s) => match s.parse::<http::uri::Authority>() {
            Ok(a) => Some(a),
            Err(_) => return Ok(Err(())),
        },
    };
    r.authority = authority;
    Ok(Ok(()))
}

fn get_options(
    h: &mut P2Host,
    (this,): (Borrow<Request3Res>,),
) -> Result<Option<Own<RequestOptions3Res>>, Trap> {
    let Some(options) = req(h, this.rep())?.options.clone() else {
        return Ok(None);
    };
    let o = Options3 {
        options,
        mutable: false,
    };
    Ok(Some(Own::new(state(h).options3.insert(o))))
}

fn get_headers(h: &mut P2Host, (this,): (Borrow<Request3Res>,)) -> Result<Own<Fields3Res>, Trap> {
    let map = req(h, this.rep())?.headers.clone();
    Ok(new_fields3(h, Fields::immutable(map)))
}

fn opts(h: &mut P2Host, rep: u32) -> Result<&mut Options3, Trap> {
    state(h)
        .options3
        .get_mut(rep)
        .ok_or_else(|| no_object("request-options"))
}

fn new_options(h: &mut P2Host, (): ()) -> Result<Own<RequestOptions3Res>, Trap> {
    let o = Options3 {
        mutable: true,
        ..Options3::default()
    };
    Ok(Own::new(state(h).options3.insert(o)))
}

fn clone_options(
    h: &mut P2Host,
    (this,): (Borrow<RequestOptions3Res>,),
) -> Result<Own<RequestOptions3Res>, Trap> {
    let o = Options3 {
        options: opts(h, this.rep())?.options.clone(),
        mutable: true,
    };
    Ok(Own::new(state(h).options3.insert(o)))
}

/// Getters and setters of `request-options`.
macro_rules! option_accessors {
    ($($get:ident, $set:ident => $field:ident;)*) => {$(
        fn $get(
            h: &mut P2Host,
            (this,): (Borrow<RequestOptions3Res>,),
        ) -> Result<Option<u64>, Trap> {
            Ok(opts(h, this.rep())?.options.$field)
        }

        fn $set(
            h: &mut P2Host,
            (this, d): (Borrow<RequestOptions3Res>, Option<u64>),
        ) -> Result<Result<(), RequestOptionsError>, Trap> {
            let o = opts(h, this.rep())?;
            if !o.mutable {
                return Ok(Err(RequestOptionsError::Immutable));
            }
            o.options.$field = d;
            Ok(Ok(()))
        }
    )*};
}

option_accessors! {
    get_connect_timeout, set_connect_timeout => connect_timeout;
    get_first_byte_timeout, set_first_byte_timeout => first_byte_timeout;
    get_between_bytes_timeout, set_between_bytes_timeout => between_bytes_timeout;
}

fn get_status(h: &mut P2Host, (this,): (Borrow<Response3Res>,)) -> Result<u16, Trap> {
    Ok(resp(h, this.rep())?.status)
}

/// `[method]response.set-status-code`: 100-599 (Wasmtime 49's 0.3 rule;
/// its 0.2 `outgoing-response` takes 100-999).
fn set_status(
    h: &mut P2Host,
    (this, s): (Borrow<Response3Res>, u16),
) -> Result<Result<(), ()>, Trap> {
    let r = resp(h, this.rep())?;
    if !(100..=599).contains(&s) {
        return Ok(Err(()));
    }
    r.status = s;
    Ok(Ok(()))
}

fn response_headers(
    h: &mut P2Host,
    (this,): (Borrow<Response3Res>,),
) -> Result<Own<Fields3Res>, Trap> {
    let map = resp(h, this.rep())?.headers.clone();
    Ok(new_fields3(h, Fields::immutable(map)))
}

/// A new request (what `new` makes before its body).
pub fn new_request(headers: http::HeaderMap, options: Option<Options3>) -> Request3 {
    Request3 {
        method: http::Method::GET,
        scheme: None,
        authority: None,
        path: None,
        headers,
        options: options.map(|o| o.options),
        body: super::Body3::Taken,
    }
}

/// A new response (status 200).
pub fn new_response(headers: http::HeaderMap) -> Response3 {
    Response3 {
        status: 200,
        headers,
        body: super::Body3::Taken,
    }
}
