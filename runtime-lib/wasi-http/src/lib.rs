//! `wasi:http@0.2`: `wasi:http/types` and `wasi:http/outgoing-handler`
//! (`kiln_abi::wasi_http`), the client side Wasmtime links with `-S http`,
//! and the server side of the proxy world (`server`).
//!
//! Phase: run time (host functions, reached through the same host table
//! and `P2Host` as WASI 0.2: `kiln_wasi_p2::table`). Inputs: lifted
//! parameters. Outputs: HTTP requests over the network, `wasi:http`
//! resources, `wasi:io` streams and pollables.
//!
//! Map:
//! - [`types`]: the WIT variants and records (`method`, `scheme`,
//!   `error-code`, `header-error`);
//! - [`fields`]: `fields`, with Wasmtime's header rules;
//! - [`request`]: `outgoing-request`, `request-options`,
//!   `outgoing-response`;
//! - [`client`]: `outgoing-handler.handle`, `future-incoming-response`,
//!   `incoming-response`;
//! - [`server`]: the proxy world's server side (`incoming-request`,
//!   `response-outparam`, one `hyper` server connection);
//! - [`body`]: outgoing and incoming bodies, their streams, trailers;
//! - [`exec`]: the executor and non-blocking IO `hyper` runs on (no tokio
//!   runtime: the guest's waits go to the kernel's one reactor).
//!
//! The server's processes (listener, connection and worker processes,
//! handoff, the request gate, `-H` arguments, the server clock) are
//! `kiln-http-serve`'s; they need nothing of this crate.
//!
//! Known differences from Wasmtime 49: none known for the client (only
//! HTTP/1.1, as Wasmtime's client for plain `http`). `https` (rustls with
//! ring) runs on every Kiln target, riscv64 and s390x included.

pub mod body;
pub mod client;
pub mod exec;
pub mod fields;
pub mod p3;
pub mod request;
pub mod server;
pub mod sniff;
pub mod types;

#[cfg(test)]
mod tls_tests;

use body::{BodyReader, BodyWriter, FutureTrailers, IncomingBody, OutgoingBody};
use kiln_canon::{Borrow, HostResources, Own, Resource, ResourceType, Trap};
use kiln_wasi_p2::io::{
    InputStreamRes, IoErrorRes, OutputStreamRes, Parent, PollableRes, Readiness, no_object,
};
use kiln_wasi_p2::table::{Impl, host_fn};
use kiln_wasi_p2::{P2Host, host_resources};
use std::rc::Rc;
use types::ErrorCode;

const TYPES: &str = "wasi:http/types@0.2";

host_resources! {
    /// `fields`.
    FieldsRes = (TYPES, "fields");
    /// `incoming-request`.
    IncomingRequestRes = (TYPES, "incoming-request");
    /// `outgoing-request`.
    OutgoingRequestRes = (TYPES, "outgoing-request");
    /// `request-options`.
    RequestOptionsRes = (TYPES, "request-options");
    /// `response-outparam`.
    ResponseOutparamRes = (TYPES, "response-outparam");
    /// `incoming-response`.
    IncomingResponseRes = (TYPES, "incoming-response");
    /// `incoming-body`.
    IncomingBodyRes = (TYPES, "incoming-body");
    /// `future-trailers`.
    FutureTrailersRes = (TYPES, "future-trailers");
    /// `outgoing-response`.
    OutgoingResponseRes = (TYPES, "outgoing-response");
    /// `outgoing-body`.
    OutgoingBodyRes = (TYPES, "outgoing-body");
    /// `future-incoming-response`.
    FutureIncomingResponseRes = (TYPES, "future-incoming-response");
}

/// The `wasi:http` objects.
#[derive(Debug, Default)]
pub struct HttpState {
    /// `fields` by rep.
    pub fields: HostResources<fields::Fields>,
    /// `outgoing-request`s.
    pub requests: HostResources<request::OutgoingRequest>,
    /// `request-options`.
    pub options: HostResources<request::RequestOptions>,
    /// `outgoing-response`s.
    pub responses: HostResources<request::OutgoingResponse>,
    /// `outgoing-body`s.
    pub outgoing_bodies: HostResources<OutgoingBody>,
    /// `future-incoming-response`s.
    pub futures: HostResources<client::FutureResponse>,
    /// `incoming-response`s.
    pub incoming: HostResources<client::IncomingResponse>,
    /// `incoming-body`s.
    pub incoming_bodies: HostResources<IncomingBody>,
    /// `future-trailers`.
    pub trailers: HostResources<FutureTrailers>,
    /// The executor every connection runs on (a server's request: the
    /// one of its connection).
    pub exec: Rc<exec::Exec>,
    /// `incoming-request`s (a server's request).
    pub incoming_requests: HostResources<server::IncomingRequest>,
    /// `response-outparam`s (a server's request).
    pub outparams: HostResources<server::ResponseOutparam>,
    /// A server's connection (what its response bodies wait on).
    pub server_interest: Option<Rc<exec::Interest>>,
    /// A server's limit on the request body's size, and the request's
    /// answer slot (answered `413` when a body goes over).
    pub server_body_limit: Option<(u64, Rc<std::cell::RefCell<server::Reply>>)>,
    /// 0.3 `request`s.
    pub requests3: HostResources<p3::Request3>,
    /// 0.3 `response`s.
    pub responses3: HostResources<p3::Response3>,
    /// 0.3 `request-options`.
    pub options3: HostResources<p3::Options3>,
}

/// The `wasi:http` state of `h`, created by the first `wasi:http` call.
///
/// Why type-erased (`P2Host::http` is a `Box<dyn Any>`) and why the drop
/// hook is installed here: a program that imports no `wasi:http` function
/// then refers to none of this code, not even its drop glue, and the
/// linker drops all of it (the per-function host symbols' promise).
pub fn state(h: &mut P2Host) -> &mut HttpState {
    if h.http.is_none() {
        h.http = Some(Box::new(HttpState::default()));
        h.http_drop = Some(drop_resource);
    }
    match h.http.as_mut().and_then(|b| b.downcast_mut::<HttpState>()) {
        Some(s) => s,
        // Only this module sets the field, always to an `HttpState`.
        None => unreachable!("P2Host::http holds the wasi:http state"),
    }
}

/// The `wasi:http` state of `h`, if a `wasi:http` call created it.
pub fn state_ref(h: &P2Host) -> Option<&HttpState> {
    h.http.as_ref().and_then(|b| b.downcast_ref::<HttpState>())
}

/// A new `fields` handle to `f` in `h`'s `wasi:http` state.
pub fn new_fields(h: &mut P2Host, f: fields::Fields) -> Own<FieldsRes> {
    Own::new(state(h).fields.insert(f))
}

/// The `content-length` of `headers`: `Ok(None)` without one, `Err` if it
/// is not a number.
pub(crate) fn content_length(headers: &http::HeaderMap) -> Result<Option<u64>, ()> {
    let Some(v) = headers.get(http::header::CONTENT_LENGTH) else {
        return Ok(None);
    };
    let s = v.to_str().map_err(|_| ())?;
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    s.parse().map(Some).map_err(|_| ())
}

const HANDLER: &str = "wasi:http/outgoing-handler@0.2";

/// The `wasi:http` host functions.
pub const IMPLS: &[Impl] = &[
    (HANDLER, "handle", host_fn!(client::handle)),
    (TYPES, "[constructor]fields", host_fn!(fields::new)),
    (
        TYPES,
        "[static]fields.from-list",
        host_fn!(fields::from_list),
    ),
    (TYPES, "[method]fields.get", host_fn!(fields::get_values)),
    (TYPES, "[method]fields.has", host_fn!(fields::has)),
    (TYPES, "[method]fields.set", host_fn!(fields::set)),
    (TYPES, "[method]fields.delete", host_fn!(fields::delete)),
    (TYPES, "[method]fields.append", host_fn!(fields::append)),
    (TYPES, "[method]fields.entries", host_fn!(fields::entries)),
    (TYPES, "[method]fields.clone", host_fn!(fields::clone)),
    (
        TYPES,
        "[method]incoming-request.method",
        host_fn!(server::in_method),
    ),
    (
        TYPES,
        "[method]incoming-request.path-with-query",
        host_fn!(server::in_path_with_query),
    ),
    (
        TYPES,
        "[method]incoming-request.scheme",
        host_fn!(server::in_scheme),
    ),
    (
        TYPES,
        "[method]incoming-request.authority",
        host_fn!(server::in_authority),
    ),
    (
        TYPES,
        "[method]incoming-request.headers",
        host_fn!(server::in_headers),
    ),
    (
        TYPES,
        "[method]incoming-request.consume",
        host_fn!(server::in_consume),
    ),
    (
        TYPES,
        "[constructor]outgoing-request",
        host_fn!(request::new),
    ),
    (
        TYPES,
        "[method]outgoing-request.body",
        host_fn!(request::body),
    ),
    (
        TYPES,
        "[method]outgoing-request.method",
        host_fn!(request::method),
    ),
    (
        TYPES,
        "[method]outgoing-request.set-method",
        host_fn!(request::set_method),
    ),
    (
        TYPES,
        "[method]outgoing-request.path-with-query",
        host_fn!(request::path_with_query),
    ),
    (
        TYPES,
        "[method]outgoing-request.set-path-with-query",
        host_fn!(request::set_path_with_query),
    ),
    (
        TYPES,
        "[method]outgoing-request.scheme",
        host_fn!(request::scheme),
    ),
    (
        TYPES,
        "[method]outgoing-request.set-scheme",
        host_fn!(request::set_scheme),
    ),
    (
        TYPES,
        "[method]outgoing-request.authority",
        host_fn!(request::authority),
    ),
    (
        TYPES,
        "[method]outgoing-request.set-authority",
        host_fn!(request::set_authority),
    ),
    (
        TYPES,
        "[method]outgoing-request.headers",
        host_fn!(request::headers),
    ),
    (
        TYPES,
        "[constructor]request-options",
        host_fn!(request::new_options),
    ),
    (
        TYPES,
        "[method]request-options.connect-timeout",
        host_fn!(request::connect_timeout),
    ),
    (
        TYPES,
        "[method]request-options.set-connect-timeout",
        host_fn!(request::set_connect_timeout),
    ),
    (
        TYPES,
        "[method]request-options.first-byte-timeout",
        host_fn!(request::first_byte_timeout),
    ),
    (
        TYPES,
        "[method]request-options.set-first-byte-timeout",
        host_fn!(request::set_first_byte_timeout),
    ),
    (
        TYPES,
        "[method]request-options.between-bytes-timeout",
        host_fn!(request::between_bytes_timeout),
    ),
    (
        TYPES,
        "[method]request-options.set-between-bytes-timeout",
        host_fn!(request::set_between_bytes_timeout),
    ),
    (
        TYPES,
        "[static]response-outparam.set",
        host_fn!(server::outparam_set),
    ),
    (
        TYPES,
        "[method]incoming-response.status",
        host_fn!(client::status),
    ),
    (
        TYPES,
        "[method]incoming-response.headers",
        host_fn!(client::headers),
    ),
    (
        TYPES,
        "[method]incoming-response.consume",
        host_fn!(client::consume),
    ),
    (
        TYPES,
        "[method]incoming-body.stream",
        host_fn!(incoming_body_stream),
    ),
    (
        TYPES,
        "[static]incoming-body.finish",
        host_fn!(incoming_body_finish),
    ),
    (
        TYPES,
        "[method]future-trailers.subscribe",
        host_fn!(trailers_subscribe),
    ),
    (TYPES, "[method]future-trailers.get", host_fn!(trailers_get)),
    (
        TYPES,
        "[constructor]outgoing-response",
        host_fn!(request::new_response),
    ),
    (
        TYPES,
        "[method]outgoing-response.status-code",
        host_fn!(request::status_code),
    ),
    (
        TYPES,
        "[method]outgoing-response.set-status-code",
        host_fn!(request::set_status_code),
    ),
    (
        TYPES,
        "[method]outgoing-response.headers",
        host_fn!(request::response_headers),
    ),
    (
        TYPES,
        "[method]outgoing-response.body",
        host_fn!(request::response_body),
    ),
    (
        TYPES,
        "[method]outgoing-body.write",
        host_fn!(outgoing_body_write),
    ),
    (
        TYPES,
        "[static]outgoing-body.finish",
        host_fn!(outgoing_body_finish),
    ),
    (
        TYPES,
        "[method]future-incoming-response.subscribe",
        host_fn!(client::subscribe),
    ),
    (
        TYPES,
        "[method]future-incoming-response.get",
        host_fn!(client::get),
    ),
    (TYPES, "http-error-code", host_fn!(http_error_code)),
];

/// `[method]incoming-body.stream`: once.
fn incoming_body_stream(
    h: &mut P2Host,
    (this,): (Borrow<IncomingBodyRes>,),
) -> Result<Result<Own<InputStreamRes>, ()>, Trap> {
    let b = state(h)
        .incoming_bodies
        .get_mut(this.rep())
        .ok_or_else(|| no_object("incoming-body"))?;
    if b.stream_taken {
        return Ok(Err(()));
    }
    b.stream_taken = true;
    let reader = BodyReader {
        source: b.source.clone(),
        child: b.child.clone_for_stream(),
    };
    Ok(Ok(h.new_input(Box::new(reader))))
}

/// `[static]incoming-body.finish`.
fn incoming_body_finish(
    h: &mut P2Host,
    (this,): (Own<IncomingBodyRes>,),
) -> Result<Own<FutureTrailersRes>, Trap> {
    if state(h)
        .incoming_bodies
        .get(this.rep())
        .is_some_and(|b| b.child.has_child())
    {
        return Err(has_children());
    }
    let b = state(h)
        .incoming_bodies
        .remove(this.rep())
        .ok_or_else(|| no_object("incoming-body"))?;
    let t = FutureTrailers::new(b.source);
    Ok(Own::new(state(h).trailers.insert(t)))
}

fn trailers_readiness(h: &P2Host, rep: u32) -> Readiness {
    state_ref(h)
        .and_then(|s| s.trailers.get(rep))
        .map_or(Readiness::Always, |t| t.readiness())
}

/// `[method]future-trailers.subscribe`.
fn trailers_subscribe(
    h: &mut P2Host,
    (this,): (Borrow<FutureTrailersRes>,),
) -> Result<Own<PollableRes>, Trap> {
    if state(h).trailers.get(this.rep()).is_none() {
        return Err(no_object("future-trailers"));
    }
    Ok(h.new_pollable(Readiness::Child(Parent {
        ty: FutureTrailersRes::TYPE,
        rep: this.rep(),
        current: trailers_readiness,
        on_ready: None,
        settles: true,
    })))
}

/// `[method]future-trailers.get`.
#[allow(clippy::type_complexity, reason = "the WIT type, spelled out")]
fn trailers_get(
    h: &mut P2Host,
    (this,): (Borrow<FutureTrailersRes>,),
) -> Result<Option<Result<Result<Option<Own<FieldsRes>>, ErrorCode>, ()>>, Trap> {
    let t = state(h)
        .trailers
        .get_mut(this.rep())
        .ok_or_else(|| no_object("future-trailers"))?;
    if t.consumed {
        return Ok(Some(Err(())));
    }
    let Some(r) = t.poll() else {
        return Ok(None);
    };
    t.consumed = true;
    Ok(Some(Ok(match r {
        Ok(Some(map)) => Ok(Some(crate::new_fields(h, fields::Fields::immutable(map)))),
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    })))
}

/// `[method]outgoing-body.write`: once.
fn outgoing_body_write(
    h: &mut P2Host,
    (this,): (Borrow<OutgoingBodyRes>,),
) -> Result<Result<Own<OutputStreamRes>, ()>, Trap> {
    let b = state(h)
        .outgoing_bodies
        .get_mut(this.rep())
        .ok_or_else(|| no_object("outgoing-body"))?;
    if b.stream_taken {
        return Ok(Err(()));
    }
    b.stream_taken = true;
    let writer = BodyWriter {
        pipe: b.pipe.clone(),
        child: b.child.clone_for_stream(),
    };
    Ok(Ok(h.new_output(Box::new(writer))))
}

/// `[static]outgoing-body.finish`.
fn outgoing_body_finish(
    h: &mut P2Host,
    (this, trailers): (Own<OutgoingBodyRes>, Option<Own<FieldsRes>>),
) -> Result<Result<(), ErrorCode>, Trap> {
    if state(h)
        .outgoing_bodies
        .get(this.rep())
        .is_some_and(|b| b.child.has_child())
    {
        return Err(has_children());
    }
    let b = state(h)
        .outgoing_bodies
        .remove(this.rep())
        .ok_or_else(|| no_object("outgoing-body"))?;
    let trailers = match trailers {
        Some(t) => Some(
            state(h)
                .fields
                .remove(t.rep())
                .ok_or_else(|| no_object("fields"))?
                .map,
        ),
        None => None,
    };
    Ok(b.finish(trailers))
}

/// A body dropped or consumed by `finish` while its stream lives
/// (Wasmtime's table refuses to delete a parent).
fn has_children() -> Trap {
    kiln_canon::trap::trap("resource has children")
}

/// `http-error-code`: the `error-code` behind a stream error, when the
/// failed operation recorded one (Wasmtime downcasts the error the same
/// way: an outgoing body written past its `content-length` has one; the
/// failures of an incoming body have none).
fn http_error_code(
    h: &mut P2Host,
    (err,): (Borrow<IoErrorRes>,),
) -> Result<Option<ErrorCode>, Trap> {
    let e =
        h.io.errors
            .get(err.rep())
            .ok_or_else(|| no_object("error"))?;
    Ok(e.payload
        .as_ref()
        .and_then(|p| p.downcast_ref::<ErrorCode>())
        .cloned())
}

/// Drops the `wasi:http` object `rep` of host type `ty`; `false` if `ty`
/// is not a `wasi:http` resource.
pub fn drop_resource(h: &mut P2Host, ty: u32, rep: u32) -> Result<bool, Trap> {
    let t = ResourceType::Host(ty);
    let s = state(h);
    // The held ends of a guest body dropped unsent.
    let mut released = Vec::new();
    let gone = if t == FieldsRes::TYPE {
        s.fields.remove(rep).is_some()
    } else if t == OutgoingRequestRes::TYPE {
        s.requests.remove(rep).is_some()
    } else if t == RequestOptionsRes::TYPE {
        s.options.remove(rep).is_some()
    } else if t == OutgoingResponseRes::TYPE {
        s.responses.remove(rep).is_some()
    } else if t == OutgoingBodyRes::TYPE {
        if s.outgoing_bodies
            .get(rep)
            .is_some_and(|b| b.child.has_child())
        {
            return Err(has_children());
        }
        s.outgoing_bodies
            .remove(rep)
            .map(OutgoingBody::abort)
            .is_some()
    } else if t == FutureIncomingResponseRes::TYPE {
        s.futures.remove(rep).is_some()
    } else if t == IncomingResponseRes::TYPE {
        s.incoming.remove(rep).is_some()
    } else if t == IncomingBodyRes::TYPE {
        if s.incoming_bodies
            .get(rep)
            .is_some_and(|b| b.child.has_child())
        {
            return Err(has_children());
        }
        s.incoming_bodies.remove(rep).is_some()
    } else if t == FutureTrailersRes::TYPE {
        s.trailers.remove(rep).is_some()
    } else if t == IncomingRequestRes::TYPE {
        s.incoming_requests.remove(rep).is_some()
    } else if t == ResponseOutparamRes::TYPE {
        s.outparams.remove(rep).is_some()
    } else if t == p3::Fields3Res::TYPE {
        s.fields.remove(rep).is_some()
    } else if t == p3::Request3Res::TYPE {
        // A guest body's ends the host held are let go of, as Wasmtime
        // drops the reader: the guest's writer sees it gone.
        s.requests3
            .remove(rep)
            .map(|r| released.extend(r.body.held_ends()))
            .is_some()
    } else if t == p3::Response3Res::TYPE {
        s.responses3
            .remove(rep)
            .map(|r| released.extend(r.body.held_ends()))
            .is_some()
    } else if t == p3::RequestOptions3Res::TYPE {
        s.options3.remove(rep).is_some()
    } else {
        return Ok(false);
    };
    h.released.extend(released);
    if gone {
        Ok(true)
    } else {
        Err(no_object("resource"))
    }
}
