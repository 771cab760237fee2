// kiln-test: wasi = http
// kiln-test: http-server
// kiln-test: stdout-file
//! `wasi:http` outgoing requests against the harness's local server
//! (`HTTP_SERVER`, which echoes what it received): GET with a query and
//! headers, POST with a streamed body, a body with `content-length`,
//! response headers and trailers, an incoming body read in pieces and one
//! finished unread; then the errors: a refused connection
//! (`HTTP_CLOSED`, a port nobody listens on) and an unresolvable name
//! (each also with a body written after `handle`), a
//! missing authority, an unknown scheme, a first-byte timeout. A response
//! whose head (one whose body, one whose trailers) arrive in pieces: one
//! wait on the pollable returns only once `get` (`read`) has the result (a
//! JavaScript engine's event loop, StarlingMonkey's, relies on it).

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::StreamError;

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    trailers: Option<Vec<(String, String)>>,
}

fn entries(f: &Fields) -> Vec<(String, String)> {
    f.entries()
        .into_iter()
        .map(|(n, v)| (n, String::from_utf8_lossy(&v).into_owned()))
        .collect()
}

fn send(
    method: Method,
    scheme: Option<Scheme>,
    authority: Option<&str>,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    options: Option<RequestOptions>,
) -> Result<Reply, ErrorCode> {
    let fields = Fields::new();
    for (n, v) in headers {
        fields.append(n, v.as_bytes()).expect("append");
    }
    let req = OutgoingRequest::new(fields);
    req.set_method(&method).expect("method");
    req.set_scheme(scheme.as_ref()).expect("scheme");
    req.set_authority(authority).expect("authority");
    req.set_path_with_query(Some(path)).expect("path");
    let out = req.body().expect("body once");
    assert!(req.body().is_err(), "body twice");
    // The request goes out first, its body streams after (Wasmtime's
    // body buffer is one chunk: a large body written before `handle` would
    // wait forever).
    let future = outgoing_handler::handle(req, options)?;
    if let Some(data) = body {
        let stream = out.write().expect("write once");
        // In pieces of at most 4096 bytes (the blocking write's limit).
        for chunk in data.chunks(4096) {
            stream.blocking_write_and_flush(chunk).expect("write");
        }
        drop(stream);
    }
    OutgoingBody::finish(out, None).expect("finish");
    let response = loop {
        match future.get() {
            Some(r) => break r.expect("first get")?,
            None => future.subscribe().block(),
        }
    };
    assert!(matches!(future.get(), Some(Err(()))), "second get");
    let status = response.status();
    let headers = entries(&response.headers());
    let incoming = response.consume().expect("consume once");
    assert!(response.consume().is_err(), "consume twice");
    let stream = incoming.stream().expect("stream once");
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(1000) {
            Ok(piece) => body.extend(piece),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => panic!("read: {}", e.to_debug_string()),
        }
    }
    drop(stream);
    let trailers = IncomingBody::finish(incoming);
    let trailers = loop {
        match trailers.get() {
            Some(r) => break r.expect("first get")?,
            None => trailers.subscribe().block(),
        }
    };
    Ok(Reply {
        status,
        headers,
        body,
        trailers: trailers.map(|t| entries(&t)),
    })
}

/// One `block` on the response future's pollable, then `get`; the same
/// for the body's first bytes and for the trailers: each must be there
/// after a single wait.
fn one_wait(server: &str, path: &str) {
    let req = OutgoingRequest::new(Fields::new());
    req.set_scheme(Some(&Scheme::Http)).expect("scheme");
    req.set_authority(Some(server)).expect("authority");
    req.set_path_with_query(Some(path)).expect("path");
    let out = req.body().expect("body");
    let future = outgoing_handler::handle(req, None).expect("handle");
    OutgoingBody::finish(out, None).expect("finish");
    future.subscribe().block();
    let Some(r) = future.get() else {
        println!("{path}: no response after one wait");
        return;
    };
    let response = r.expect("first get").expect("a response");
    let incoming = response.consume().expect("consume");
    let stream = incoming.stream().expect("stream");
    stream.subscribe().block();
    let first = stream.read(1000).map(|p| String::from_utf8_lossy(&p).into_owned());
    println!("{path}: first read after one wait {first:?}");
    let mut body = first.map(String::into_bytes).unwrap_or_default();
    while let Ok(piece) = stream.blocking_read(1000) {
        body.extend(piece);
    }
    drop(stream);
    let trailers = IncomingBody::finish(incoming);
    trailers.subscribe().block();
    let t = trailers
        .get()
        .map(|r| r.expect("first get").expect("trailers").map(|t| entries(&t)));
    println!(
        "{path}: status {} after one wait, body {:?}, trailers after one wait {t:?}",
        response.status(),
        String::from_utf8_lossy(&body)
    );
}

fn show(what: &str, r: Result<Reply, ErrorCode>) {
    match r {
        Ok(r) => {
            println!("{what}: status {}", r.status);
            for (n, v) in &r.headers {
                if n != "date" {
                    println!("  header {n}: {v}");
                }
            }
            println!("  body {:?}", String::from_utf8_lossy(&r.body));
            if let Some(t) = r.trailers {
                println!("  trailers {t:?}");
            }
        }
        Err(e) => println!("{what}: error {e:?}"),
    }
}

fn main() {
    let server = std::env::var("HTTP_SERVER").expect("HTTP_SERVER");
    let closed = std::env::var("HTTP_CLOSED").expect("HTTP_CLOSED");
    let http = || Some(Scheme::Http);
    show(
        "get",
        send(
            Method::Get,
            http(),
            Some(&server),
            "/hello?x=1&y=two",
            &[("x-one", "1"), ("X-Two", "a"), ("x-two", "b")],
            None,
            None,
        ),
    );
    show(
        "post",
        send(
            Method::Post,
            http(),
            Some(&server),
            "/echo",
            &[("content-type", "text/plain")],
            Some(b"hello, body"),
            None,
        ),
    );
    let big: Vec<u8> = (0..100_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let len = big.len().to_string();
    match send(
        Method::Put,
        http(),
        Some(&server),
        "/size",
        &[("content-length", &len)],
        Some(&big),
        None,
    ) {
        Ok(r) => println!(
            "put: status {} echoed {} bytes, same {}",
            r.status,
            r.body.len(),
            r.body == big
        ),
        Err(e) => println!("put: error {e:?}"),
    }
    show(
        "trailers",
        send(
            Method::Get,
            http(),
            Some(&server),
            "/trailers",
            &[],
            None,
            None,
        ),
    );
    show(
        "other method",
        send(
            Method::Other("PURGE".into()),
            http(),
            Some(&server),
            "/m",
            &[],
            None,
            None,
        ),
    );
    show(
        "refused",
        send(Method::Get, http(), Some(&closed), "/", &[], None, None),
    );
    show(
        "unresolvable",
        send(
            Method::Get,
            http(),
            Some("no-such-host.invalid:80"),
            "/",
            &[],
            None,
            None,
        ),
    );
    // A body written after `handle` to a connection that fails: the
    // writes and `finish` succeed, the response is the error (Wasmtime
    // connects on another thread, after the guest's writes).
    for (what, authority) in [
        ("refused post", closed.as_str()),
        ("unresolvable post", "no-such-host.invalid:80"),
    ] {
        show(
            what,
            send(
                Method::Post,
                http(),
                Some(authority),
                "/",
                &[],
                Some(b"written after handle"),
                None,
            ),
        );
    }
    show(
        "no authority",
        send(Method::Get, http(), None, "/", &[], None, None),
    );
    show(
        "other scheme",
        send(
            Method::Get,
            Some(Scheme::Other("ftp".into())),
            Some(&server),
            "/",
            &[],
            None,
            None,
        ),
    );
    one_wait(&server, "/splithead");
    one_wait(&server, "/splittrailers");
    one_wait(&server, "/splitchunk");
    let options = RequestOptions::new();
    options
        .set_connect_timeout(Some(5_000_000_000))
        .expect("set");
    println!("connect timeout {:?}", options.connect_timeout());
    println!("first-byte timeout {:?}", options.first_byte_timeout());
    let slow = RequestOptions::new();
    slow.set_first_byte_timeout(Some(200_000_000)).expect("set");
    show(
        "first-byte timeout",
        send(
            Method::Get,
            http(),
            Some(&server),
            "/slow",
            &[],
            None,
            Some(slow),
        ),
    );
    show(
        "with options",
        send(
            Method::Delete,
            http(),
            Some(&server),
            "/opts",
            &[],
            None,
            Some(options),
        ),
    );
}
