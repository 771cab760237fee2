//! Shared by the `wasi:http` guests (included with `#[path]`): one request
//! sent and its response read whole, its failures printed as Wasmtime's
//! `Debug` of `error-code` shows them.

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, IncomingResponse, Method, OutgoingBody,
    OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::{InputStream, StreamError};

/// Timeouts of a request in milliseconds: connect, first byte, between
/// bytes.
#[derive(Default, Clone, Copy)]
pub struct Timeouts {
    pub connect: Option<u64>,
    pub first_byte: Option<u64>,
    pub between_bytes: Option<u64>,
}

fn options(t: Timeouts) -> Option<RequestOptions> {
    if t.connect.is_none() && t.first_byte.is_none() && t.between_bytes.is_none() {
        return None;
    }
    let o = RequestOptions::new();
    let ns = |ms: Option<u64>| ms.map(|ms| ms * 1_000_000);
    o.set_connect_timeout(ns(t.connect)).expect("connect");
    o.set_first_byte_timeout(ns(t.first_byte)).expect("first byte");
    o.set_between_bytes_timeout(ns(t.between_bytes))
        .expect("between bytes");
    Some(o)
}

/// Sends a GET with an empty body; the future, not yet resolved.
pub fn start(
    scheme: Option<Scheme>,
    authority: &str,
    path: &str,
    t: Timeouts,
) -> Result<FutureIncomingResponse, ErrorCode> {
    let req = OutgoingRequest::new(Fields::new());
    req.set_method(&Method::Get).expect("method");
    req.set_scheme(scheme.as_ref()).expect("scheme");
    req.set_authority(Some(authority)).expect("authority");
    req.set_path_with_query(Some(path)).expect("path");
    let body = req.body().expect("body");
    let future = outgoing_handler::handle(req, options(t))?;
    OutgoingBody::finish(body, None).expect("finish");
    Ok(future)
}

/// Waits for the response head.
pub fn response(future: &FutureIncomingResponse) -> Result<IncomingResponse, ErrorCode> {
    loop {
        match future.get() {
            Some(r) => return r.expect("first get"),
            None => future.subscribe().block(),
        }
    }
}

/// Reads `stream` to its end: the bytes, and how it ended (`None`: closed;
/// else the error's `http-error-code` and debug string).
pub fn read_all(stream: &InputStream) -> (Vec<u8>, Option<(Option<ErrorCode>, String)>) {
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(4096) {
            Ok(piece) => body.extend(piece),
            Err(StreamError::Closed) => return (body, None),
            Err(StreamError::LastOperationFailed(e)) => {
                let code = wasip2::http::types::http_error_code(&e);
                return (body, Some((code, e.to_debug_string())));
            }
        }
    }
}

/// A GET whose status and body (or error) is printed under `what`.
pub fn show(what: &str, scheme: Option<Scheme>, authority: &str, path: &str, t: Timeouts) {
    let response = match start(scheme, authority, path, t).and_then(|f| response(&f)) {
        Ok(r) => r,
        Err(e) => {
            println!("{what}: error {e:?}");
            return;
        }
    };
    let status = response.status();
    let body = response.consume().expect("consume");
    let stream = body.stream().expect("stream");
    let (bytes, end) = read_all(&stream);
    println!(
        "{what}: status {status}, body {:?}",
        String::from_utf8_lossy(&bytes)
    );
    if let Some((code, _)) = end {
        println!("  stream failed, http-error-code {code:?}");
    }
}
