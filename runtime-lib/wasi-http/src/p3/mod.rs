//! `wasi:http@0.3`: `wasi:http/types` (`fields`, `request`,
//! `request-options`, `response`) and `wasi:http/client`, the host side of
//! the `wasi:http/service` world, over the 0.2 machinery (`super`): the
//! same header rules, the same `hyper` client and server connections, the
//! same body pipes, driven by the same executor and the one reactor.
//!
//! Phase: run time (host functions reached through the host table, and
//! the server's per-request step in `kiln-runner`). Inputs: lifted
//! parameters, stream and future ends the guest hands over. Outputs:
//! requests and responses, bodies as host stream ends and futures.
//!
//! Map:
//! - [`fields`]: `fields` (the 0.2 `fields` objects and rules; the 0.3
//!   `header-error` adds `size-exceeded` and `other`);
//! - [`message`]: `request`, `response` and `request-options` heads
//!   (stored as the `http` crate's types, so `other("GET")` reads back as
//!   `get` and `other("https")` as `HTTPS`, as in Wasmtime 49);
//! - [`body`]: `new` and `consume-body` (the guest's `stream<u8>` and
//!   trailers future held by the host until sent or consumed; an incoming
//!   body as a host stream and a host-written trailers future);
//! - [`client`]: `client.send`, an `async func` on the 0.2 client;
//! - [`serve`]: a request for and a response from a `handler` export.

pub mod body;
pub mod client;
pub mod fields;
mod forward;
pub mod message;
pub mod serve;

use super::body::BodySource;
use super::request::RequestOptions;
use http::HeaderMap;
use kiln_wasi_p2::host_resources;
use kiln_wasi_p2::table::Impl;

pub(crate) const TYPES: &str = "wasi:http/types@0.3";

host_resources! {
    /// `fields` (0.3).
    Fields3Res = (TYPES, "fields");
    /// `request` (0.3).
    Request3Res = (TYPES, "request");
    /// `request-options` (0.3).
    RequestOptions3Res = (TYPES, "request-options");
    /// `response` (0.3).
    Response3Res = (TYPES, "response");
}

kiln_canon::wit_variant! {
    /// `header-error` (0.3).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum HeaderError3 {
        InvalidSyntax = "invalid-syntax",
        Forbidden = "forbidden",
        Immutable = "immutable",
        SizeExceeded = "size-exceeded",
        Other(Option<String>) = "other",
    }
}

kiln_canon::wit_variant! {
    /// `request-options-error`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum RequestOptionsError {
        NotSupported = "not-supported",
        Immutable = "immutable",
        Other(Option<String>) = "other",
    }
}

/// A body: what `new` was given, or what arrived.
#[derive(Debug)]
pub enum Body3 {
    /// The guest's: the channels of its `contents` stream (if any) and its
    /// trailers future, whose readable ends the host holds, and the
    /// host-written future `new` returned (`result<_, error-code>`).
    Guest {
        /// The `stream<u8>` channel.
        contents: Option<u32>,
        /// The trailers future channel.
        trailers: u32,
        /// The channel of the future `new` returned.
        result: u32,
    },
    /// From the network: a server's request, a client's response.
    Incoming(BodySource),
    /// A received body the guest handed on whole (the stream and trailers
    /// future `consume-body` gave it, passed to `new`), and the channel of
    /// the future `new` returned, resolved once it is forwarded.
    Forwarded(BodySource, u32),
    /// `consume-body` took it (or the host sent it).
    Taken,
}

impl Body3 {
    /// The channels whose readable ends the host holds for the guest:
    /// its contents stream and trailers future (to let go of when the
    /// message is dropped unsent).
    pub fn held_ends(&self) -> impl Iterator<Item = u32> {
        let (contents, trailers) = match *self {
            Body3::Guest {
                contents, trailers, ..
            } => (contents, Some(trailers)),
            _ => (None, None),
        };
        contents.into_iter().chain(trailers)
    }
}

/// A `request` (0.3).
#[derive(Debug)]
pub struct Request3 {
    /// The method.
    pub method: http::Method,
    /// The scheme, if set.
    pub scheme: Option<http::uri::Scheme>,
    /// The authority, if set.
    pub authority: Option<http::uri::Authority>,
    /// The path and query, if set: an absolute path, `*`, or (0.3 allows
    /// them, see `message.rs`) a relative one.
    pub path: Option<String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The options `new` was given.
    pub options: Option<RequestOptions>,
    /// The body.
    pub body: Body3,
}

/// A `response` (0.3).
#[derive(Debug)]
pub struct Response3 {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Body3,
}

/// A `request-options` (0.3): the 0.2 options, immutable when a request
/// hands out its own.
#[derive(Clone, Debug, Default)]
pub struct Options3 {
    /// The timeouts.
    pub options: RequestOptions,
    /// Whether the setters may change it.
    pub mutable: bool,
}

/// Every `wasi:http@0.3` host function.
pub const IMPLS: &[&[Impl]] = &[fields::IMPLS, message::IMPLS, body::IMPLS, client::IMPLS];
