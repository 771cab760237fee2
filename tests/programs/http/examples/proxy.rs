//! A `wasi:http/incoming-handler` proxy for the server tests
//! (`tests/all/serve.rs`), routed by path:
//! - `/echo`: the request body streamed back chunk by chunk, the request's
//!   `x-*` and `trailer` headers copied, the request's trailers sent as the
//!   response's (`hyper` sends only the trailers a `trailer` header
//!   declares, to a client that sent `te: trailers`);
//! - `/count`: a global counter, incremented per request (a fresh instance
//!   per request answers `1` every time);
//! - `/trap`: traps (`unreachable`) before answering;
//! - `/trap-after`: answers the head and part of the body, then traps;
//! - `/slow?ms=N`: writes `slow: waiting N ms` to stderr, answers after N
//!   milliseconds;
//! - `/print`: writes lines to stdout and stderr, then answers;
//! - `/grant`: the body's first `check-write` grant, then that many bytes
//!   of `x` (at most 70,000) in one write, then the grant once flushed,
//!   as text after the `x`s;
//! - `/fetch`: a GET of `/hello` from the harness's server (`HTTP_SERVER`),
//!   answered with its status and body;
//! - anything else: `hello from <method> <path-with-query>`.

use std::io::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};

use wasip2::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse,
    ResponseOutparam, Scheme,
};
use wasip2::io::streams::StreamError;

#[path = "../src/shared/send.rs"]
#[allow(dead_code)]
mod send;

wasip2::http::proxy::export!(Proxy);

struct Proxy;

static COUNT: AtomicU32 = AtomicU32::new(0);

fn method_name(m: &Method) -> String {
    match m {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(s) => s.clone(),
    }
}

/// Answers `status` with `body` whole.
fn answer(out: ResponseOutparam, status: u16, headers: Fields, body: &[u8]) {
    let resp = OutgoingResponse::new(headers);
    resp.set_status_code(status).expect("status");
    let b = resp.body().expect("body");
    ResponseOutparam::set(out, Ok(resp));
    let s = b.write().expect("stream");
    s.blocking_write_and_flush(body).expect("write");
    drop(s);
    OutgoingBody::finish(b, None).expect("finish");
}

fn echo(req: IncomingRequest, out: ResponseOutparam) {
    let headers = Fields::new();
    for (name, value) in req.headers().entries() {
        if name.starts_with("x-") || name == "trailer" {
            headers.append(&name, &value).expect("append");
        }
    }
    let resp = OutgoingResponse::new(headers);
    let body_out = resp.body().expect("body");
    ResponseOutparam::set(out, Ok(resp));
    let body_in = req.consume().expect("consume");
    let input = body_in.stream().expect("in stream");
    let output = body_out.write().expect("out stream");
    loop {
        match input.blocking_read(4096) {
            Ok(chunk) => output.blocking_write_and_flush(&chunk).expect("write"),
            Err(StreamError::Closed) => break,
            Err(e) => panic!("read: {e:?}"),
        }
    }
    drop(input);
    let trailers = IncomingBody::finish(body_in);
    trailers.subscribe().block();
    let trailers = trailers.get().expect("ready").expect("once").expect("trailers");
    drop(output);
    OutgoingBody::finish(body_out, trailers).expect("finish");
}

fn query_ms(path: &str) -> u64 {
    path.split_once("ms=")
        .and_then(|(_, v)| v.split('&').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

impl wasip2::exports::http::incoming_handler::Guest for Proxy {
    fn handle(req: IncomingRequest, out: ResponseOutparam) {
        let n = COUNT.fetch_add(1, Ordering::Relaxed) + 1;
        let path = req.path_with_query().unwrap_or_default();
        let route = path.split('?').next().unwrap_or("").to_string();
        match route.as_str() {
            "/echo" => echo(req, out),
            "/count" => answer(out, 200, Fields::new(), n.to_string().as_bytes()),
            "/len" => {
                // The whole body first, then the answer (its length).
                let body = req.consume().expect("consume");
                let input = body.stream().expect("in stream");
                let mut len = 0;
                let failed = loop {
                    match input.blocking_read(4096) {
                        Ok(chunk) => len += chunk.len(),
                        Err(StreamError::Closed) => break false,
                        Err(_) => break true,
                    }
                };
                if failed {
                    answer(out, 400, Fields::new(), b"body failed")
                } else {
                    answer(out, 200, Fields::new(), len.to_string().as_bytes())
                }
            }
            "/trap" => core::arch::wasm32::unreachable(),
            "/trap-after" => {
                let resp = OutgoingResponse::new(Fields::new());
                let b = resp.body().expect("body");
                ResponseOutparam::set(out, Ok(resp));
                let s = b.write().expect("stream");
                s.blocking_write_and_flush(b"partial").expect("write");
                core::arch::wasm32::unreachable()
            }
            "/slow" => {
                let ms = query_ms(&path);
                // Tests wait for this line to know the request is in
                // flight (tests/all/serve).
                eprintln!("slow: waiting {ms} ms");
                wasip2::clocks::monotonic_clock::subscribe_duration(ms * 1_000_000).block();
                answer(out, 200, Fields::new(), format!("slept {ms}").as_bytes())
            }
            "/grant" => {
                let resp = OutgoingResponse::new(Fields::new());
                let b = resp.body().expect("body");
                ResponseOutparam::set(out, Ok(resp));
                let s = b.write().expect("stream");
                let first = s.check_write().expect("check-write");
                let n = first.min(70_000) as usize;
                s.write(&vec![b'x'; n]).expect("write");
                s.blocking_flush().expect("flush");
                let after = s.check_write().expect("check-write");
                let text = format!("first {first} wrote {n} flushed {after}");
                s.blocking_write_and_flush(text.as_bytes()).expect("write");
                drop(s);
                OutgoingBody::finish(b, None).expect("finish");
            }
            "/print" => {
                println!("line one");
                print!("line two\npartial");
                std::io::stdout().flush().expect("flush");
                eprintln!("to stderr");
                answer(out, 200, Fields::new(), b"printed")
            }
            "/fetch" => {
                let server = std::env::var("HTTP_SERVER").expect("HTTP_SERVER");
                let f = send::start(Some(Scheme::Http), &server, "/hello", Default::default())
                    .expect("send");
                let r = send::response(&f).expect("response");
                let status = r.status();
                let b = r.consume().expect("consume");
                let (body, _) = send::read_all(&b.stream().expect("stream"));
                answer(out, status, Fields::new(), &body)
            }
            _ => {
                let scheme = match req.scheme() {
                    Some(Scheme::Http) => "http".to_string(),
                    Some(Scheme::Https) => "https".to_string(),
                    Some(Scheme::Other(s)) => s,
                    None => "-".to_string(),
                };
                let text = format!(
                    "hello from {} {} scheme={} authority={}",
                    method_name(&req.method()),
                    path,
                    scheme,
                    req.authority().unwrap_or_default()
                );
                answer(out, 200, Fields::new(), text.as_bytes())
            }
        }
    }
}
