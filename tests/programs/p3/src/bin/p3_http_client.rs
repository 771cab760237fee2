// kiln-test: wasi = http
// kiln-test: http-server
// kiln-test: stdout-file
// kiln-test: unlike-wasmtime = a relative `set-path-with-query` is accepted (the wasi-testsuite's 0.3 HTTP tests need it)
//! `wasi:http@0.3` as a command uses it: `fields` (mutations, the
//! forbidden and invalid names, immutable copies), `request` heads (the
//! defaults, `other` methods and schemes reading back as standard ones,
//! path and authority checks), `request-options` (an immutable copy from a
//! request), `response` status checks; then `client.send` against the
//! harness's local server (`HTTP_SERVER`, which echoes the request): a
//! POST with a streamed body, a PUT whose body ends with trailers, the
//! response body read as a stream, a
//! chunked response with trailers (`/trailers`), a refused connection
//! (`HTTP_CLOSED`), and what the future `request.new` returns says of each
//! request's transmission (a refused one, a body whose trailers failed,
//! bodies shorter and longer than their `content-length`: the exchange's
//! error and the future's, payload included, are Wasmtime's; trailers
//! that resolve to an error, whose error both report);
//! then a request dropped with its body unsent (its writers see the
//! reader gone), and requests whose bodies the guest consumes again (what
//! it writes to `res` is what the future `new` returned says).

use wasip3::http::client;
use wasip3::http::types::{
    ErrorCode, Fields, HeaderError, Method, Request, RequestOptions, RequestOptionsError, Response,
    Scheme,
};
use wasip3::{wit_bindgen, wit_future, wit_stream};

struct Cmd;
wasip3::cli::command::export!(Cmd);

fn show(f: &Fields) -> String {
    f.copy_all()
        .into_iter()
        .map(|(n, v)| format!("{n}={}", String::from_utf8_lossy(&v)))
        .collect::<Vec<_>>()
        .join(",")
}

fn fields() {
    let f = Fields::new();
    f.append("x-a", b"1").unwrap();
    f.append("X-A", b"2").unwrap();
    f.set("x-b", &[b"3".to_vec(), b"4".to_vec()]).unwrap();
    println!("fields: {} has(x-a)={} get(x-b)={:?}", show(&f), f.has("x-a"), f.get("x-b"));
    println!("get-and-delete: {:?} then {}", f.get_and_delete("x-a"), show(&f));
    println!("forbidden: {:?} {:?}", f.append("Host", b"x"), f.set("connection", &[]));
    println!("invalid: {:?} {:?}", f.append("a b", b"x"), f.append("x-c", b"\n"));
    println!("bad length: {:?}", f.set("content-length", &[b"ten".to_vec()]));
    println!(
        "from-list: {:?}",
        Fields::from_list(&[("upgrade".into(), b"x".to_vec())]).err()
    );
    let c = f.clone();
    c.append("x-d", b"5").unwrap();
    println!("clone: {} / {}", show(&f), show(&c));
}

fn heads() {
    let h = Fields::new();
    h.append("x-h", b"v").unwrap();
    let (_, trailers) = wit_future::new(|| Ok(None));
    let o = RequestOptions::new();
    o.set_connect_timeout(Some(5_000_000_000)).unwrap();
    let (req, _sent) = Request::new(h, None, trailers, Some(o));
    println!(
        "request: {:?} {:?} {:?} {:?}",
        req.get_method(),
        req.get_scheme(),
        req.get_authority(),
        req.get_path_with_query()
    );
    req.set_method(&Method::Other("POST".into())).unwrap();
    req.set_scheme(Some(&Scheme::Other("https".into()))).unwrap();
    println!("normalized: {:?} {:?}", req.get_method(), req.get_scheme());
    println!(
        "bad method: {:?}, bad scheme: {:?}",
        req.set_method(&Method::Other("a b".into())),
        req.set_scheme(Some(&Scheme::Other("1x".into())))
    );
    // Relative paths are accepted in 0.3, as the wasi-http conformance
    // tests require (Wasmtime 49 refuses them); a fragment is dropped.
    for p in ["/a?b", "", "a/b", "../..", "?q", "/a#f", "/a b"] {
        let r = req.set_path_with_query(Some(p));
        println!("path {p:?}: {r:?} -> {:?}", req.get_path_with_query());
    }
    for a in ["example.com:80", "localhost:what", ""] {
        println!("authority {a:?}: {:?}", req.set_authority(Some(a)));
    }
    let headers = req.get_headers();
    println!("headers: {} append: {:?}", show(&headers), headers.append("x-i", b"1"));
    let got = req.get_options().expect("options given to new");
    println!(
        "options: {:?} set: {:?}",
        got.get_connect_timeout(),
        got.set_first_byte_timeout(Some(1))
    );
    let o2 = RequestOptions::new();
    println!("options default: {:?} {:?}", o2.get_first_byte_timeout(), o2.clone().get_between_bytes_timeout());
    let (_, trailers) = wit_future::new(|| Ok(None));
    let (resp, _sent) = Response::new(Fields::new(), None, trailers);
    // 0.3 takes 100-599 (0.2's `outgoing-response` takes up to 999).
    println!(
        "response: {} set(1000): {:?} set(600): {:?} set(599): {:?} set(404): {:?} -> {}",
        resp.get_status_code(),
        resp.set_status_code(1000),
        resp.set_status_code(600),
        resp.set_status_code(599),
        resp.set_status_code(404),
        resp.get_status_code()
    );
    let _ = (HeaderError::Immutable, RequestOptionsError::Immutable);
}

async fn read_all(resp: Response) -> (Vec<u8>, Option<String>) {
    let (_, res) = wit_future::new(|| Ok(()));
    let (body, trailers) = Response::consume_body(resp, res);
    let data = body.collect().await;
    let t = match trailers.await {
        Ok(Some(t)) => Some(show(&t)),
        Ok(None) => None,
        Err(e) => Some(format!("error {e:?}")),
    };
    (data, t)
}

async fn send(
    method: Method,
    authority: &str,
    path: &str,
    body: Option<&'static [u8]>,
) -> Result<Response, ErrorCode> {
    send_with(method, authority, path, body, None).await
}

async fn send_with(
    method: Method,
    authority: &str,
    path: &str,
    body: Option<&'static [u8]>,
    trailer: Option<(&str, &[u8])>,
) -> Result<Response, ErrorCode> {
    let h = Fields::new();
    h.append("x-kiln", b"p3").unwrap();
    let contents = body.map(|b| {
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            let rest = tx.write_all(b.to_vec()).await;
            assert!(rest.is_empty());
        });
        rx
    });
    let (trailers_tx, trailers) = wit_future::new(|| Ok(None));
    match trailer {
        Some((name, value)) => {
            let t = Fields::new();
            t.append(name, value).unwrap();
            wit_bindgen::spawn_local(async move {
                trailers_tx.write(Ok(Some(t))).await.expect("written");
            });
        }
        None => drop(trailers_tx),
    }
    let (req, sent) = Request::new(h, contents, trailers, None);
    // The request's transmission result, awaited on the side (dropping
    // it unread races with the body's transmission in Wasmtime 49).
    wit_bindgen::spawn_local(async move {
        let _ = sent.await;
    });
    req.set_method(&method).unwrap();
    req.set_scheme(Some(&Scheme::Http)).unwrap();
    req.set_authority(Some(authority)).unwrap();
    req.set_path_with_query(Some(path)).unwrap();
    client::send(req).await
}

async fn requests() {
    let server = std::env::var("HTTP_SERVER").expect("HTTP_SERVER");
    let closed = std::env::var("HTTP_CLOSED").expect("HTTP_CLOSED");
    let r = send(Method::Post, &server, "/echo?q=1", Some(b"ping pong")).await.expect("sent");
    println!("POST status {}", r.get_status_code());
    let (data, t) = read_all(r).await;
    let text = String::from_utf8_lossy(&data).replace(&server, "SERVER");
    println!("echo:\n{text}\ntrailers: {t:?}");
    // Trailers sent: the request is chunked.
    let r = send_with(Method::Put, &server, "/t", Some(b"abc"), Some(("x-sum", b"6")))
        .await
        .expect("sent");
    let (data, _) = read_all(r).await;
    let text = String::from_utf8_lossy(&data).replace(&server, "SERVER");
    println!("with trailers:\n{text}");
    // Kiln hands over the trailers received (`x-checksum=42` here);
    // Wasmtime 49 resolves the future with none: only the body is shown.
    let r = send(Method::Get, &server, "/trailers", None).await.expect("sent");
    let (data, _) = read_all(r).await;
    println!("trailers route: {:?}", String::from_utf8_lossy(&data));
    match send(Method::Get, &closed, "/", None).await {
        Ok(r) => println!("closed: status {}", r.get_status_code()),
        Err(e) => println!("closed: {e:?}"),
    }
    // A relative path is no request target; only a query asks for `/?q`.
    match send(Method::Get, &server, "a/b", None).await {
        Ok(r) => println!("relative: status {}", r.get_status_code()),
        Err(e) => println!("relative: {e:?}"),
    }
    let r = send(Method::Get, &server, "?q=2", None).await.expect("sent");
    let (data, _) = read_all(r).await;
    let text = String::from_utf8_lossy(&data);
    println!("query only: {}", text.lines().next().unwrap_or_default());
    transmission(&server, &closed).await;
    length_mismatch(&server).await;
    trailer_errors(&server).await;
    dropped_unsent().await;
    consumed().await;
}

/// A request whose body the guest consumes again: the value it writes to
/// `consume-body`'s `res` future is what the future `new` returned says.
async fn consumed() {
    for v in [
        Ok(()),
        Err(ErrorCode::ConnectionRefused),
        Err(ErrorCode::HttpRequestBodySize(Some(5))),
    ] {
        let (_tx, rx) = wit_stream::new::<u8>();
        let (trailers_tx, trailers) = wit_future::new(|| Ok(None));
        drop(trailers_tx);
        let (req, sent) = Request::new(Fields::new(), Some(rx), trailers, None);
        let (res_tx, res) = wit_future::new(|| Ok(()));
        let (_contents, _trailers) = Request::consume_body(req, res);
        let written = res_tx.write(v.clone()).await.is_ok();
        println!("consumed, res {v:?} (written {written}): new says {:?}", sent.await);
    }
}

/// A request dropped with its body unsent lets go of the body: the
/// guest's writer sees the reader gone instead of waiting for it.
async fn dropped_unsent() {
    let (mut tx, rx) = wit_stream::new();
    let (trailers_tx, trailers) = wit_future::new(|| Ok(None));
    let (req, _sent) = Request::new(Fields::new(), Some(rx), trailers, None);
    drop(req);
    let left = tx.write_all(b"abc".to_vec()).await;
    let trailers_taken = trailers_tx.write(Ok(None)).await.is_ok();
    println!(
        "dropped unsent: {} bytes not taken, trailers taken {trailers_taken}",
        left.len()
    );
}

/// What the future `new` returned says of a request's transmission: `ok`
/// for one without contents that got its answer, an error for one that
/// never went out (a refused connection), and for a body whose trailers
/// future resolved to an error, which is cut off (no answer comes).
async fn transmission(server: &str, closed: &str) {
    for (name, authority, body, fail) in [
        ("answered", server, None, false),
        ("refused", closed, None, false),
        ("trailer error", server, Some(&b"partial"[..]), true),
    ] {
        let contents = body.map(|b| {
            let (mut tx, rx) = wit_stream::new();
            wit_bindgen::spawn_local(async move {
                let _ = tx.write_all(b.to_vec()).await;
            });
            rx
        });
        let (trailers_tx, trailers) = wit_future::new(|| Ok(None));
        if fail {
            wit_bindgen::spawn_local(async move {
                let _ = trailers_tx.write(Err(ErrorCode::InternalError(None))).await;
            });
        } else {
            drop(trailers_tx);
        }
        let (req, sent) = Request::new(Fields::new(), contents, trailers, None);
        req.set_method(if body.is_some() { &Method::Post } else { &Method::Get }).unwrap();
        req.set_scheme(Some(&Scheme::Http)).unwrap();
        req.set_authority(Some(authority)).unwrap();
        req.set_path_with_query(Some("/echo")).unwrap();
        let answered = client::send(req).await.is_ok();
        let sent = sent.await.is_ok();
        println!("{name}: answered {answered}, transmitted {sent}");
    }
}

/// A body shorter or longer than its `content-length`: the future `new`
/// returned says how many bytes were written.
async fn length_mismatch(server: &str) {
    for (declared, body) in [("10", &b"abc"[..]), ("2", &b"abc"[..])] {
        let h = Fields::new();
        h.append("content-length", declared.as_bytes()).unwrap();
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            let _ = tx.write_all(body.to_vec()).await;
        });
        let (trailers_tx, trailers) = wit_future::new(|| Ok(None));
        drop(trailers_tx);
        let (req, sent) = Request::new(h, Some(rx), trailers, None);
        req.set_method(&Method::Post).unwrap();
        req.set_scheme(Some(&Scheme::Http)).unwrap();
        req.set_authority(Some(server)).unwrap();
        req.set_path_with_query(Some("/echo")).unwrap();
        let answered = client::send(req).await.map(|r| r.get_status_code());
        println!(
            "content-length {declared}, {} bytes: send {answered:?}, transmitted {:?}",
            body.len(),
            sent.await
        );
    }
}

/// A body whose trailers future resolves to an error: without a
/// `content-length` the exchange and the future `new` returned fail with
/// that very error, message included (read by a task that waited before
/// it came, and by a read after it came); with its whole `content-length`
/// written the message is complete, and both succeed.
async fn trailer_errors(server: &str) {
    for (length, early) in [(false, true), (false, false), (true, true)] {
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            let _ = tx.write_all(b"partial".to_vec()).await;
        });
        let (trailers_tx, trailers) = wit_future::new(|| Ok(None));
        wit_bindgen::spawn_local(async move {
            // Late, so that an early reader of the future `new` returned
            // waits for its value (it is then written on the event loop).
            wasip3::clocks::monotonic_clock::wait_for(20_000_000).await;
            let e = ErrorCode::InternalError(Some("boom".into()));
            let _ = trailers_tx.write(Err(e)).await;
        });
        let h = Fields::new();
        if length {
            h.append("content-length", b"7").unwrap();
        }
        let (req, sent) = Request::new(h, Some(rx), trailers, None);
        let (waiting, later) = if early {
            (Some(wit_bindgen::spawn_local(async move { sent.await })), None)
        } else {
            (None, Some(sent))
        };
        req.set_method(&Method::Post).unwrap();
        req.set_scheme(Some(&Scheme::Http)).unwrap();
        req.set_authority(Some(server)).unwrap();
        req.set_path_with_query(Some("/echo")).unwrap();
        let answered = client::send(req).await.map(|r| r.get_status_code());
        let sent = match (waiting, later) {
            (Some(task), _) => task.await.expect("the task ran"),
            (_, Some(sent)) => sent.await,
            _ => unreachable!(),
        };
        println!("trailers failed (length {length}): send {answered:?}, transmitted {sent:?}");
    }
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        fields();
        heads();
        requests().await;
        Ok(())
    }
}

fn main() {}
