// kiln-test: wasi = http
// kiln-test: http-server
// kiln-test: stdout-file
//! The `error-code`s of failed exchanges with the harness's server, as
//! Wasmtime reports them: a connection closed or reset before the
//! response, an answer that is not HTTP, a response head too large or
//! with too many fields, a body cut short (the stream's
//! `http-error-code`), the connect and between-bytes timeouts
//! (`request-options`), and refused connections and name lookups; then
//! abandoned exchanges (timed out, dropped before the response, dropped
//! mid-body) must close their connections: the server's count of open
//! `/hang` connections drops back to 0.

#[path = "../shared/send.rs"]
mod send;

use send::{Timeouts, read_all, response, show, start};
use wasip2::http::types::Scheme;

/// The server's count of open `/hang` connections once it settled (the
/// server notices a close a moment after it happens).
fn live(server: &str) -> String {
    let mut last = String::new();
    for _ in 0..50 {
        let r = response(&start(Some(Scheme::Http), server, "/live", Timeouts::default()).expect("live"))
            .expect("live response");
        let body = r.consume().expect("consume");
        let (bytes, _) = read_all(&body.stream().expect("stream"));
        last = String::from_utf8_lossy(&bytes).into_owned();
        if last == "0" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    last
}

/// A PUT to the server's `/size` declaring `content-length: length`, sent:
/// its body, the response's future and the body's stream.
fn put_sized(
    server: &str,
    length: &[u8],
) -> (
    wasip2::http::types::OutgoingBody,
    wasip2::http::types::FutureIncomingResponse,
    wasip2::io::streams::OutputStream,
) {
    use wasip2::http::outgoing_handler;
    use wasip2::http::types::{Fields, Method, OutgoingRequest};
    let fields = Fields::new();
    fields.append("content-length", length).expect("append");
    let req = OutgoingRequest::new(fields);
    req.set_method(&Method::Put).expect("method");
    req.set_scheme(Some(&Scheme::Http)).expect("scheme");
    req.set_authority(Some(server)).expect("authority");
    req.set_path_with_query(Some("/size")).expect("path");
    let body = req.body().expect("body");
    let future = outgoing_handler::handle(req, None).expect("handle");
    let stream = body.write().expect("write");
    (body, future, stream)
}

/// A body longer than its `content-length`: the write fails, and its
/// error's `http-error-code`; the request still goes out as long as the
/// length says.
fn overflow(server: &str) {
    use wasip2::http::types::OutgoingBody;
    use wasip2::io::streams::StreamError;
    let (body, future, stream) = put_sized(server, b"3");
    match stream.blocking_write_and_flush(b"12345") {
        Ok(()) => println!("overflowing write: ok"),
        Err(StreamError::Closed) => println!("overflowing write: closed"),
        Err(StreamError::LastOperationFailed(e)) => println!(
            "overflowing write: failed, http-error-code {:?}",
            wasip2::http::types::http_error_code(&e)
        ),
    }
    drop(stream);
    println!("finish: {:?}", OutgoingBody::finish(body, None));
    // The bytes went to `hyper` before the write failed, which sent what
    // the length allows: the message is whole, and the server echoes it.
    future.subscribe().block();
    match future.get() {
        Some(Ok(Ok(r))) => {
            let body = r.consume().expect("body");
            let s = body.stream().expect("stream");
            let mut got = Vec::new();
            while let Ok(b) = s.blocking_read(64) {
                got.extend(b);
            }
            println!("overflow: status {} body {:?}", r.status(), String::from_utf8_lossy(&got));
        }
        Some(Ok(Err(e))) => println!("overflow: error {e:?}"),
        other => println!("overflow: {other:?}"),
    }
}

/// A body shorter than its `content-length`: `finish` fails with the
/// size written, and the exchange with `HTTP-protocol-error` (`hyper`
/// refuses to end the message short), as in Wasmtime.
fn underflow(server: &str) {
    use wasip2::http::types::OutgoingBody;
    let (body, future, stream) = put_sized(server, b"10");
    println!("short write: {:?}", stream.blocking_write_and_flush(b"abc").is_ok());
    drop(stream);
    println!("short finish: {:?}", OutgoingBody::finish(body, None));
    future.subscribe().block();
    match future.get() {
        Some(Ok(Ok(r))) => println!("short body: status {}", r.status()),
        Some(Ok(Err(e))) => println!("short body: error {e:?}"),
        other => println!("short body: {other:?}"),
    }
}

fn main() {
    let server = std::env::var("HTTP_SERVER").expect("HTTP_SERVER");
    let closed = std::env::var("HTTP_CLOSED").expect("HTTP_CLOSED");
    let http = || Some(Scheme::Http);
    let t = Timeouts::default();
    show("closed before the response", http(), &server, "/close", t);
    show("reset before the response", http(), &server, "/reset", t);
    show("not HTTP", http(), &server, "/garbage", t);
    show("1 MiB header", http(), &server, "/bigheader", t);
    show("200 headers", http(), &server, "/manyheaders", t);
    show("body cut short", http(), &server, "/truncated", t);
    show(
        "between-bytes timeout",
        http(),
        &server,
        "/drip",
        Timeouts {
            between_bytes: Some(300),
            ..t
        },
    );
    show(
        "between-bytes timeout long enough",
        http(),
        &server,
        "/drip",
        Timeouts {
            between_bytes: Some(10_000),
            ..t
        },
    );
    overflow(&server);
    underflow(&server);
    let blackhole = std::env::var("HTTP_BLACKHOLE").expect("HTTP_BLACKHOLE");
    show(
        "connect timeout",
        http(),
        &blackhole,
        "/",
        Timeouts {
            connect: Some(200),
            ..t
        },
    );
    show("refused", http(), &closed, "/", t);
    show("refused (IPv6 literal)", http(), "[::1]:1", "/", t);
    show("unresolvable", http(), "no-such-host.invalid:80", "/", t);
    show("unresolvable (no port)", http(), "no-such-host.invalid", "/", t);
    show("unresolvable address", http(), "256.256.256.256:80", "/", t);

    // Abandoned exchanges close their connections.
    let hang = Timeouts {
        first_byte: Some(20),
        ..t
    };
    let mut timeouts = std::collections::BTreeMap::new();
    for _ in 0..40 {
        let r = start(http(), &server, "/hang", hang).and_then(|f| response(&f));
        *timeouts.entry(format!("{:?}", r.err())).or_insert(0) += 1;
    }
    println!("40 timed-out requests: {timeouts:?}");
    println!("open /hang connections after them: {}", live(&server));
    for _ in 0..20 {
        let f = start(http(), &server, "/hang", t).expect("start");
        // Let it connect and send, then give it up.
        let _ = f.get();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let _ = f.get();
        drop(f);
    }
    println!("open /hang connections after 20 dropped futures: {}", live(&server));
    for _ in 0..20 {
        let r = response(&start(http(), &server, "/hangbody", t).expect("start")).expect("head");
        let body = r.consume().expect("consume");
        let stream = body.stream().expect("stream");
        let piece = stream.blocking_read(5).expect("read");
        assert_eq!(piece, b"hello");
        drop(stream);
        drop(body);
        drop(r);
    }
    println!("open /hang connections after 20 bodies dropped unread: {}", live(&server));
}
