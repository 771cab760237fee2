// kiln-test: wasi = http
// kiln-test: stdout = "a wasi:http/handler@0.3 service: serve it\n"
//! A WASI 0.3 HTTP service (`wasi:http/handler@0.3`), served by the
//! `serve::p3` trials: `/` answers `hey` with headers, `/echo` streams the
//! request body back (from a spawned task, after the handler returned),
//! `/mirror` answers with the request body's own stream and a trailers
//! future of its own,
//! `/fetch` sends a request to the server named by `x-upstream` through
//! `wasi:http/client` and answers with that response (its body forwarded),
//! `/proxy` sends the request itself (its body unread) to `/echo` there,
//! `/fwd` hands the request's body on whole (the stream and trailers
//! future `consume-body` gave) in a new request to `/echo` there,
//! `/count` answers how many `/count`s this instance served,
//! `/late` sends its head at once (writing `late: body in 600 ms` to
//! stderr) and its body 600 ms later,
//! `/err`, `/err-dns` and `/err-timeout` return an `error-code`,
//! `/bad-short`, `/bad-long` and `/bad-trailers` answer bodies that
//! break their promise (shorter or longer than their `content-length`,
//! trailers that resolve to an error) and log what the future
//! `response.new` returned says,
//! `/trap` traps, other paths are 404 (405 for methods other than GET and
//! POST).

use wasip3::http::client;
use wasip3::http::types::{
    DnsErrorPayload, ErrorCode, Fields, Method, Request, Response, Scheme,
};
use wasip3::{wit_bindgen, wit_future, wit_stream};

struct Service;

/// Requests `/count` has answered on this instance.
static SERVED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

wasip3::http::service::export!(Service);

fn response(status: u16, headers: Fields, body: Option<Vec<u8>>) -> Response {
    let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
    drop(trailers_tx);
    let contents = body.map(|bytes| {
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            let rest = tx.write_all(bytes).await;
            assert!(rest.is_empty());
        });
        rx
    });
    let (r, _sent) = Response::new(headers, contents, trailers_rx);
    r.set_status_code(status).expect("a valid status");
    r
}

/// A response whose body breaks its promise (see the module docs); the
/// future `new` returned is logged as `<path> sent: <value>`.
fn bad(path: &str) -> Response {
    let h = Fields::new();
    match path {
        "/bad-short" => h.append("content-length", b"10").expect("valid"),
        "/bad-long" => h.append("content-length", b"2").expect("valid"),
        _ => {}
    }
    let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
    if path == "/bad-trailers" {
        wit_bindgen::spawn_local(async move {
            let e = ErrorCode::InternalError(Some("no trailers".into()));
            let _ = trailers_tx.write(Err(e)).await;
        });
    } else {
        drop(trailers_tx);
    }
    let (mut tx, rx) = wit_stream::new();
    wit_bindgen::spawn_local(async move {
        let _ = tx.write_all(b"abc".to_vec()).await;
    });
    let (r, sent) = Response::new(h, Some(rx), trailers_rx);
    let path = path.to_string();
    wit_bindgen::spawn_local(async move {
        eprintln!("{path} sent: {:?}", sent.await);
    });
    r
}

impl wasip3::exports::http::handler::Guest for Service {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let method = request.get_method();
        let path = request.get_path_with_query().unwrap_or_default();
        let upstream = request.get_headers().get("x-upstream");
        match (method, path.as_str()) {
            (Method::Get, "/") => {
                let h = Fields::new();
                h.append("content-type", b"text/plain").expect("valid");
                h.append("content-length", b"4").expect("valid");
                Ok(response(200, h, Some(b"hey\n".to_vec())))
            }
            (Method::Post, "/echo") => {
                let (_, res) = wit_future::new(|| Ok(()));
                let (mut body, trailers) = Request::consume_body(request, res);
                let (mut tx, rx) = wit_stream::new();
                let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
                wit_bindgen::spawn_local(async move {
                    let mut total = 0usize;
                    loop {
                        let (status, chunk) = body.read(Vec::with_capacity(16384)).await;
                        if chunk.is_empty() {
                            if matches!(status, wasip3::wit_bindgen::StreamResult::Dropped) {
                                break;
                            }
                            continue;
                        }
                        total += chunk.len();
                        let rest = tx.write_all(chunk).await;
                        assert!(rest.is_empty());
                    }
                    drop(tx);
                    let got = trailers.await;
                    say(&format!("echoed {total} bytes, trailers ok: {}", got.is_ok()));
                    drop(trailers_tx);
                });
                let h = Fields::new();
                h.append("x-echo", b"1").expect("valid");
                let (r, _sent) = Response::new(h, Some(rx), trailers_rx);
                Ok(r)
            }
            (Method::Post, "/mirror") => {
                // The body received answered back as the stream
                // `consume-body` gave, with a trailers future of the
                // guest's own (resolved once the received body ended).
                let (_, res) = wit_future::new(|| Ok(()));
                let (body, trailers) = Request::consume_body(request, res);
                let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
                wit_bindgen::spawn_local(async move {
                    let got = trailers.await;
                    say(&format!("mirrored, trailers ok: {}", got.is_ok()));
                    let _ = trailers_tx.write(Ok(None)).await;
                });
                let h = Fields::new();
                h.append("x-mirror", b"1").expect("valid");
                let (r, _sent) = Response::new(h, Some(body), trailers_rx);
                Ok(r)
            }
            (Method::Get, "/fetch") => {
                let Some(up) = upstream.first() else {
                    return Ok(response(400, Fields::new(), None));
                };
                let (_, trailers_rx) = wit_future::new(|| Ok(None));
                let (req, _sent) = Request::new(Fields::new(), None, trailers_rx, None);
                req.set_scheme(Some(&Scheme::Http)).expect("scheme");
                req.set_authority(Some(&String::from_utf8_lossy(up))).expect("authority");
                req.set_path_with_query(Some("/")).expect("path");
                let upstream_response = client::send(req).await?;
                println!("upstream status {}", upstream_response.get_status_code());
                Ok(upstream_response)
            }
            (Method::Post, "/proxy") => {
                // The request itself goes upstream, its body unread.
                let Some(up) = upstream.first() else {
                    return Ok(response(400, Fields::new(), None));
                };
                request.set_scheme(Some(&Scheme::Http)).expect("scheme");
                request
                    .set_authority(Some(&String::from_utf8_lossy(up)))
                    .expect("authority");
                request.set_path_with_query(Some("/echo")).expect("path");
                client::send(request).await
            }
            (Method::Post, "/fwd") => {
                // The body received, handed on whole to a new request
                // (its stream and trailers future as `consume-body` gave
                // them) sent to `/echo` there.
                let Some(up) = upstream.first() else {
                    return Ok(response(400, Fields::new(), None));
                };
                let (_, res) = wit_future::new(|| Ok(()));
                let headers = request.get_headers().clone();
                let (body, trailers) = Request::consume_body(request, res);
                let (req, sent) = Request::new(headers, Some(body), trailers, None);
                wit_bindgen::spawn_local(async move {
                    let s = sent.await;
                    say(&format!("forwarded body sent: {}", s.is_ok()));
                });
                req.set_method(&Method::Post).expect("method");
                req.set_scheme(Some(&Scheme::Http)).expect("scheme");
                req.set_authority(Some(&String::from_utf8_lossy(up))).expect("authority");
                req.set_path_with_query(Some("/echo")).expect("path");
                client::send(req).await
            }
            (Method::Get, "/bad-short" | "/bad-long" | "/bad-trailers") => Ok(bad(&path)),
            (Method::Get, "/count") => {
                // State kept by the instance: Wasmtime serves many requests
                // with one 0.3 instance, so this counts them.
                let n = SERVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                println!("request {n} on this instance");
                let h = Fields::new();
                Ok(response(200, h, Some(format!("count {n}\n").into_bytes())))
            }
            (Method::Get, "/late") => {
                // The head at once, the body 600 ms later: a server must
                // not hold the head back until the body's first bytes.
                let (mut tx, rx) = wit_stream::new();
                wit_bindgen::spawn_local(async move {
                    wasip3::clocks::monotonic_clock::wait_for(600_000_000).await;
                    let rest = tx.write_all(b"late\n".to_vec()).await;
                    assert!(rest.is_empty());
                });
                let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
                drop(trailers_tx);
                let (r, _sent) = Response::new(Fields::new(), Some(rx), trailers_rx);
                // Tests wait for this line to know the request is in
                // flight (tests/all/serve/p3.rs).
                eprintln!("late: body in 600 ms");
                Ok(r)
            }
            // An error returned instead of a response: answered 500,
            // the code reported on the server's stderr.
            (Method::Get, "/err") => Err(ErrorCode::InternalError(Some("no \"luck\"".into()))),
            (Method::Get, "/err-dns") => Err(ErrorCode::DnsError(DnsErrorPayload {
                rcode: Some("SERVFAIL".into()),
                info_code: Some(23),
            })),
            (Method::Get, "/err-timeout") => Err(ErrorCode::ConnectionTimeout),
            (Method::Get, "/trap") => unreachable!("the guest traps"),
            (Method::Get | Method::Post, _) => Ok(response(404, Fields::new(), None)),
            _ => Ok(response(405, Fields::new(), None)),
        }
    }
}

/// A line on stderr in one write: `eprintln!` writes its pieces one by
/// one (stderr is unbuffered), and another instance's output (another
/// connection's process) can land between them.
fn say(line: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}

/// Run as a command (the `wasi:cli/run` the standard library exports),
/// it only says what it is.
fn main() {
    println!("a wasi:http/handler@0.3 service: serve it");
}
