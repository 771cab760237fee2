//! WASI 0.3 HTTP services (`wasi:http/handler@0.3`): our `wasip3` guest
//! `p3_http_service` served by `kiln serve` (by `wasmtime serve -S cli`
//! under `KILN_TEST_ENGINE=wasmtime`, the same checks): a response with
//! headers and a body written by a task after the handler returned, a
//! request body streamed back, a response fetched through
//! `wasi:http/client` from the server itself and answered as is (its body
//! forwarded), the request itself sent there with its body unread, a
//! received body handed on whole in a new request (`/fwd`), a trap
//! answered 500 with the server going on, an `error-code` returned
//! answered 500 and reported, a head sent before a body that comes
//! late (`/late`), and 404/405;
//! instances reused as Wasmtime reuses them (`serve::p3::instance_reuse`:
//! the guest's request count across connections, a trap,
//! `--max-instance-reuse-count`, `--idle-instance-timeout`);
//! concurrent requests of several connections on one instance
//! (`serve::p3::concurrent_requests`), a graceful shutdown with a request
//! in flight (`serve::p3::graceful_shutdown`);
//! and a load test (`serve::p3::load_memory_flat`, Kiln only): 16
//! keep-alive clients, each request a task of the service (a short
//! answer, or a body streamed back by a task that outlives the handler),
//! no failures, the server's memory and descriptors flat, and a worker's
//! over 1,500 requests.

use super::{How, Server, TIMEOUT, expect, fail, flat_under_load};
use crate::util;
use libtest_mimic::{Failed, Trial};
use std::process::Command;

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::trial("serve::p3::service", service),
        crate::timing::trial("serve::p3::load_memory_flat", load_memory_flat),
        crate::timing::trial("serve::p3::instance_reuse", instance_reuse),
        crate::timing::trial("serve::p3::concurrent_requests", concurrent_requests),
        crate::timing::trial("serve::p3::graceful_shutdown", graceful_shutdown),
    ]
}

/// `SIGINT` while a worker's request is in flight (a `/late` body 600 ms
/// away) and another connection of it is idle: the request is answered
/// in full, the server exits 0.
fn graceful_shutdown() -> Result<(), Failed> {
    let wasm = service_wasm()?;
    let mut server = Server::start(How::Wasm(&wasm))?;
    let mut idle = server.connect()?;
    let r = idle.get("/")?;
    expect(r.status == 200, || format!("{r:?}"))?;
    let mut c = server.connect()?;
    c.send_raw(b"GET /late HTTP/1.1\r\nhost: test.example\r\n\r\n")?;
    server.await_stderr("late: body in 600 ms\n")?;
    let (status, r) = std::thread::scope(|s| {
        let waiter = s.spawn(|| server.signal_and_wait(libc::SIGINT, TIMEOUT));
        let r = c.read_response();
        // Kiln closes idle connections itself; Wasmtime waits for the
        // client to.
        drop(c);
        drop(idle);
        (waiter.join(), r)
    });
    let r = r?;
    expect(r.status == 200 && r.text() == "late\n", || format!("{r:?}"))?;
    let status = status.map_err(|_| "waiter panicked")??;
    expect(status == 0, || format!("exit status {status}"))
}

/// One 0.3 instance serves the requests of several connections at once,
/// as `wasmtime serve` sends up to 16 concurrent requests to a WASIp3
/// instance: a second connection opened while the first is open meets
/// the same instance (the guest's count goes on), a request waits for no
/// other (a `/count` is answered while a `/late` body is 600 ms away, and
/// while a client sends half a head and waits),
/// and a trap in one ends only its instance: the next request meets a
/// fresh one.
fn concurrent_requests() -> Result<(), Failed> {
    use std::time::{Duration, Instant};
    let wasm = service_wasm()?;
    let server = Server::start(How::WasmArgs(&wasm, &["--idle-instance-timeout", "30s"]))?;
    let count = |c: &mut super::Client| -> Result<String, Failed> {
        let r = c.get("/count")?;
        expect(r.status == 200, || format!("{r:?}"))?;
        Ok(r.text().trim_end().to_string())
    };
    // A client that sends half a head and waits, first (its worker takes
    // the next connections too): it holds up no one.
    let mut slow = std::net::TcpStream::connect(&server.addr).map_err(fail)?;
    std::io::Write::write_all(&mut slow, b"GET / HTTP/1.1\r\nhost: te").map_err(fail)?;
    // Nothing signals that the server has read half a head (no request
    // reaches the guest); the pause lets it arrive first. Were it late,
    // the check below would be weaker, never wrong.
    std::thread::sleep(Duration::from_millis(50));
    let mut a = server.connect()?;
    let mut b = server.connect()?;
    let got = [count(&mut a)?, count(&mut b)?, count(&mut a)?];
    expect(got == ["count 1", "count 2", "count 3"], || {
        format!("{got:?}")
    })?;
    // `/late` answers at once and writes its body 600 ms later; `/count`
    // on the other connection meanwhile is not held up by it.
    let start = Instant::now();
    a.send_raw(b"GET /late HTTP/1.1\r\nhost: test.example\r\n\r\n")?;
    server.await_stderr("late: body in 600 ms\n")?;
    let n = count(&mut b)?;
    let counted = start.elapsed();
    let late = a.read_response()?;
    let finished = start.elapsed();
    expect(
        n == "count 4"
            && late.status == 200
            && late.text() == "late\n"
            && counted + Duration::from_millis(300) < finished,
        || format!("{n} after {counted:?}; /late {late:?} after {finished:?}"),
    )?;
    // A trap: its request gets 500, the connections go on, on a fresh
    // instance.
    let r = b.get("/trap")?;
    expect(r.status == 500, || format!("{r:?}"))?;
    let mut c = server.connect()?;
    let got = [count(&mut c)?, count(&mut a)?];
    expect(got == ["count 1", "count 2"], || format!("{got:?}"))
}

/// The `/count` answers of `n` requests on one connection (`curl` given
/// the URL `n` times).
fn counts(server: &Server, n: usize) -> Result<String, Failed> {
    let url = format!("http://{}/count", server.addr);
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "--max-time", "30"])
        .args(std::iter::repeat_n(&url, n));
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(fail)?;
    expect(o.code() == 0, || format!("curl /count: {}", o.describe()))?;
    Ok(String::from_utf8_lossy(&o.stdout).replace('\n', " "))
}

/// A 0.3 service's instance serves request after request, as under
/// `wasmtime serve` (128 by default): the guest's state (a request count)
/// carries over between connections one after another and on one
/// connection, and its output keeps the instance's `[N]` prefix; a trap,
/// `--max-instance-reuse-count` and `--idle-instance-timeout` end an
/// instance (the next request meets a fresh one).
fn instance_reuse() -> Result<(), Failed> {
    let wasm = service_wasm()?;
    // A long idle time: a loaded machine may take a while between curls.
    let server = Server::start(How::WasmArgs(&wasm, &["--idle-instance-timeout", "30s"]))?;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(counts(&server, 1)?);
    }
    got.push(counts(&server, 2)?);
    // An error returned is no trap: the instance goes on.
    let (head, _) = curl(&server, "/err-timeout", &[])?;
    expect(head.starts_with("HTTP/1.1 500"), || head.clone())?;
    got.push(counts(&server, 1)?);
    let (head, _) = curl(&server, "/trap", &[])?;
    expect(head.starts_with("HTTP/1.1 500"), || head.clone())?;
    got.push(counts(&server, 1)?);
    expect(
        got == [
            "count 1 ",
            "count 2 ",
            "count 3 ",
            "count 4 count 5 ",
            "count 6 ",
            "count 1 ",
        ],
        || format!("{got:?}"),
    )?;
    let out = server.stdout_str();
    let prefixes: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(":: request"))
        .filter_map(|l| l.split(" :: ").next())
        .collect();
    expect(
        prefixes.len() == 7
            && prefixes[..6].iter().all(|p| *p == prefixes[0])
            && prefixes[6] != prefixes[0],
        || format!("stdout: {out}"),
    )?;
    drop(server);

    let server = Server::start(How::WasmArgs(
        &wasm,
        &[
            "--max-instance-reuse-count",
            "2",
            "--idle-instance-timeout",
            "200ms",
        ],
    ))?;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(counts(&server, 1)?);
    }
    // Idle past its time: retired.
    std::thread::sleep(std::time::Duration::from_millis(700));
    got.push(counts(&server, 1)?);
    expect(
        got == ["count 1 ", "count 2 ", "count 1 ", "count 1 "],
        || format!("{got:?}"),
    )
}

/// The service component, built once.
fn service_wasm() -> Result<std::path::PathBuf, Failed> {
    util::rust_wasm_target("wasm32-wasip2").map_err(fail)?;
    let dir = crate::programs::build_project("p3", "wasm32-wasip2").map_err(fail)?;
    Ok(dir.join("p3_http_service.wasm"))
}

/// [`flat_under_load`] with `GET /`, and every fourth request a `POST
/// /echo` whose body a task of the guest streams back: every answer
/// right, the server's memory within 2 MiB, its descriptors flat.
fn load_memory_flat() -> Result<(), Failed> {
    if util::reference_engine() {
        return Ok(());
    }
    let wasm = service_wasm()?;
    let server = Server::start(How::Wasm(&wasm))?;
    flat_under_load(&server, 2048, |c, w, k| {
        let r = if k % 4 == 3 {
            let body = format!("client {w} request {k}");
            let head = format!(
                "POST /echo HTTP/1.1\r\nhost: test.example\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            c.send_raw(head.as_bytes()).map_err(|e| format!("{e:?}"))?;
            c.send_raw(body.as_bytes()).map_err(|e| format!("{e:?}"))?;
            let r = c.read_response().map_err(|e| format!("{e:?}"))?;
            (r.status == 200 && r.text() == body).then_some(()).ok_or(r)
        } else {
            let r = c.get("/").map_err(|e| format!("{e:?}"))?;
            (r.status == 200 && r.text() == "hey\n")
                .then_some(())
                .ok_or(r)
        };
        r.map_err(|r| format!("{r:?}"))
    })?;
    // One worker process over 1,500 requests (a new instance every 128):
    // its memory and descriptors do not grow.
    let mut c = server.connect()?;
    let mut sample = |n: usize| -> Result<(u64, usize), Failed> {
        for _ in 0..n {
            let r = c.get("/")?;
            expect(r.status == 200 && r.text() == "hey\n", || format!("{r:?}"))?;
        }
        let kids = super::children(server.pid());
        let kid = *kids.first().ok_or("no worker process")?;
        super::usage(kid).ok_or_else(|| "no /proc entry".into())
    };
    let first = sample(300)?;
    let last = sample(1200)?;
    expect(last.0 <= first.0 + 2048 && last.1 <= first.1, || {
        format!("worker process grew: {first:?} -> {last:?} (KiB, descriptors)")
    })
}

/// `n` bytes of `a..z` written to a file of scratch directory `dir`, and
/// the `@FILE` argument that makes curl send it.
pub(super) fn body_file(dir: &str, n: u32) -> Result<(Vec<u8>, String), Failed> {
    let big: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
    let file = util::scratch(dir).join("body");
    std::fs::write(&file, &big).map_err(fail)?;
    Ok((big, format!("@{}", file.display())))
}

/// `curl -s -i` of `path` with `extra` arguments: the head (CRs removed)
/// and the body.
pub(super) fn curl(
    server: &Server,
    path: &str,
    extra: &[&str],
) -> Result<(String, Vec<u8>), Failed> {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-i", "--max-time", "30"])
        .args(extra)
        .arg(format!("http://{}{path}", server.addr));
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(fail)?;
    expect(o.code() == 0, || format!("curl {path}: {}", o.describe()))?;
    let at = o
        .stdout
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("curl {path}: no head"))?;
    let head = String::from_utf8_lossy(&o.stdout[..at]).replace('\r', "");
    Ok((head, o.stdout[at + 4..].to_vec()))
}

/// `/late`: the response head arrives well before the body the guest
/// writes 600 ms after answering (the server sends a short body with its
/// head in one write, but never holds a head back for its body).
fn late_head(server: &Server) -> Result<(), Failed> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(&server.addr).map_err(fail)?;
    s.set_read_timeout(Some(TIMEOUT)).map_err(fail)?;
    let start = std::time::Instant::now();
    s.write_all(b"GET /late HTTP/1.1\r\nhost: test.example\r\n\r\n")
        .map_err(fail)?;
    let mut got = Vec::new();
    let mut head_at = None;
    let mut buf = [0u8; 4096];
    while !got.ends_with(b"late\n") && !got.ends_with(b"late\n\r\n0\r\n\r\n") {
        let n = s.read(&mut buf).map_err(fail)?;
        expect(n > 0, || {
            format!("/late: closed after {:?}", String::from_utf8_lossy(&got))
        })?;
        got.extend_from_slice(&buf[..n]);
        if head_at.is_none() && got.windows(4).any(|w| w == b"\r\n\r\n") {
            head_at = Some(start.elapsed());
        }
    }
    let body_at = start.elapsed();
    let head_at = head_at.unwrap_or(body_at);
    expect(
        got.starts_with(b"HTTP/1.1 200")
            && head_at + std::time::Duration::from_millis(300) < body_at,
        || {
            format!(
                "/late: head after {head_at:?}, body after {body_at:?}: {:?}",
                String::from_utf8_lossy(&got)
            )
        },
    )
}

fn service() -> Result<(), Failed> {
    let wasm = service_wasm()?;
    let server = Server::start(How::Wasm(&wasm))?;

    let (head, body) = curl(&server, "/", &[])?;
    expect(
        head.starts_with("HTTP/1.1 200")
            && head.contains("\ncontent-type: text/plain")
            && head.contains("\ncontent-length: 4")
            && body == b"hey\n",
        || format!("{head}\n\n{}", String::from_utf8_lossy(&body)),
    )?;

    // 300 KB each way: more than one read and one write.
    let (big, arg) = body_file("serve-p3", 300_000)?;
    let (head, body) = curl(&server, "/echo", &["--data-binary", &arg])?;
    expect(
        head.starts_with("HTTP/1.1 200") && head.contains("\nx-echo: 1") && body == big,
        || format!("{head}\n\n{} bytes", body.len()),
    )?;
    let err = server.stderr_with("echoed 300000 bytes");
    expect(
        err.contains("echoed 300000 bytes, trailers ok: true"),
        || format!("stderr: {err}"),
    )?;

    // The received body's own stream answered back with a trailers
    // future of the guest's: the host moves it from end to end.
    for data in ["mirror me", arg.as_str()] {
        let (head, body) = curl(&server, "/mirror", &["--data-binary", data])?;
        let want: &[u8] = if data == arg { &big } else { data.as_bytes() };
        expect(
            head.starts_with("HTTP/1.1 200") && head.contains("\nx-mirror: 1") && body == want,
            || format!("{head}\n\n{} bytes", body.len()),
        )?;
    }
    let err = server.stderr_with("mirrored, trailers ok");
    expect(err.contains("mirrored, trailers ok: true"), || {
        format!("stderr: {err}")
    })?;

    // Bodies that break their promise: the client sees the message cut
    // off (when exactly is `hyper`'s timing), and the future
    // `response.new` returned says what Wasmtime 49's says: the size error
    // of a response, and `ok` for trailers that failed (the contents were
    // sent).
    for (path, want) in [
        (
            "/bad-short",
            "/bad-short sent: Err(ErrorCode::HttpResponseBodySize(Some(3)))",
        ),
        (
            "/bad-long",
            "/bad-long sent: Err(ErrorCode::HttpResponseBodySize(Some(3)))",
        ),
        ("/bad-trailers", "/bad-trailers sent: Ok(())"),
    ] {
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "--max-time", "30"])
            .arg(format!("http://{}{path}", server.addr));
        let o = util::run(&mut cmd, b"", TIMEOUT).map_err(fail)?;
        expect(o.code() != 0, || format!("curl {path}: {}", o.describe()))?;
        let err = server.stderr_with(want);
        expect(err.contains(want), || format!("stderr: {err}"))?;
    }

    let up = format!("x-upstream: {}", server.addr);
    let (head, body) = curl(&server, "/fetch", &["-H", &up])?;
    expect(
        head.starts_with("HTTP/1.1 200")
            && head.contains("\ncontent-length: 4")
            && body == b"hey\n",
        || format!("{head}\n\n{}", String::from_utf8_lossy(&body)),
    )?;

    // The request itself sent upstream (to `/echo`), its body forwarded
    // unread both ways.
    // (A small body: with 300 KB, Wasmtime 49 closes the client's
    // connection before it has sent it all.)
    let (head, body) = curl(
        &server,
        "/proxy",
        &["-H", &up, "--data-binary", "forward me"],
    )?;
    expect(
        head.starts_with("HTTP/1.1 200") && head.contains("\nx-echo: 1") && body == b"forward me",
        || format!("{head}\n\n{}", String::from_utf8_lossy(&body)),
    )?;

    // The body received handed on whole in a new request.
    let (head, body) = curl(&server, "/fwd", &["-H", &up, "--data-binary", "hand me on"])?;
    expect(
        head.starts_with("HTTP/1.1 200") && head.contains("\nx-echo: 1") && body == b"hand me on",
        || format!("{head}\n\n{}", String::from_utf8_lossy(&body)),
    )?;
    let err = server.stderr_with("forwarded body sent");
    expect(err.contains("forwarded body sent: true"), || {
        format!("stderr: {err}")
    })?;

    if !util::reference_engine() {
        let (head, body) = curl(&server, "/fwd", &["-H", &up, "--data-binary", &arg])?;
        expect(head.starts_with("HTTP/1.1 200") && body == big, || {
            format!("{head}\n\n{} bytes", body.len())
        })?;
        // Kiln forwards the whole 300 KB both ways.
        let (head, body) = curl(&server, "/proxy", &["-H", &up, "--data-binary", &arg])?;
        expect(head.starts_with("HTTP/1.1 200") && body == big, || {
            format!("{head}\n\n{} bytes", body.len())
        })?;
    }

    let (head, _) = curl(&server, "/trap", &[])?;
    expect(head.starts_with("HTTP/1.1 500"), || head.clone())?;
    let err = server.stderr_with("error: worker trapped or panicked\n");
    // The trap's report, then the unanswered request, as Wasmtime 49
    // mostly prints them (two of its tasks race: either order occurs).
    let trap = err.find("worker failed: ");
    let unanswered = err.find("error: worker trapped or panicked\n");
    let ordered = trap.is_some_and(|t| unanswered.is_some_and(|u| t < u));
    expect(
        err.contains("wasm trap: wasm `unreachable` instruction executed")
            && err.contains("[async-lift]wasi:http/handler@0.3.2#handle")
            && (ordered || (util::reference_engine() && trap.is_some() && unanswered.is_some()))
            && !err.contains("response-outparam"),
        || format!("stderr: {err}"),
    )?;

    late_head(&server)?;

    // A handler's error: 500 with Wasmtime's page, the code reported in
    // its Debug form (strings escaped, records with their fields).
    for (path, line) in [
        (
            "/err",
            r#"error: ErrorCode::InternalError(Some("no \"luck\""))"#,
        ),
        (
            "/err-dns",
            r#"error: ErrorCode::DnsError(DnsErrorPayload { rcode: Some("SERVFAIL"), info-code: Some(23) })"#,
        ),
        ("/err-timeout", "error: ErrorCode::ConnectionTimeout"),
    ] {
        let (head, body) = curl(&server, path, &[])?;
        expect(
            head.starts_with("HTTP/1.1 500")
                && head.contains("\ncontent-type: text/html; charset=UTF-8")
                && String::from_utf8_lossy(&body).contains("<h1>500 Internal Server Error</h1>"),
            || format!("{path}: {head}"),
        )?;
        let err = server.stderr_with(line);
        expect(err.contains(&format!("{line}\n")), || {
            format!("stderr: {err}")
        })?;
    }

    let (head, _) = curl(&server, "/nope", &[])?;
    expect(head.starts_with("HTTP/1.1 404"), || head.clone())?;
    let (head, _) = curl(&server, "/", &["-X", "PUT"])?;
    expect(head.starts_with("HTTP/1.1 405"), || head.clone())?;
    // Still serving after the trap.
    let (head, body) = curl(&server, "/", &[])?;
    expect(head.starts_with("HTTP/1.1 200") && body == b"hey\n", || {
        head.clone()
    })?;
    let out = server.stdout_str();
    expect(out.contains("upstream status 200"), || {
        format!("stdout: {out}")
    })
}
