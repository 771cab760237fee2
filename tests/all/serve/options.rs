//! `wasmtime serve`'s server options, through `kiln serve` (which passes
//! them to the executable) and a built server's own arguments: `-H`
//! (headers replaced or added, in the order Wasmtime hands them to the
//! guest, with the forbidden ones removed), `--no-logging-prefix`,
//! `--shutdown-addr`, `--max-concurrent-requests`, and the errors of bad
//! values. Every expectation was checked against `wasmtime serve -S cli`
//! (`KILN_TEST_ENGINE=wasmtime` runs them against it again).

use super::{Client, How, Server, TIMEOUT, expect, fail, proxy};
use crate::util;
use libtest_mimic::{Failed, Trial};
use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::trial("serve::options::headers_like_wasmtime", headers),
        crate::timing::trial(
            "serve::options::no_logging_prefix_and_shutdown_addr",
            no_prefix_and_shutdown_addr,
        ),
        crate::timing::trial(
            "serve::options::max_concurrent_requests",
            max_concurrent_requests,
        ),
        crate::timing::trial("serve::options::bad_values_refused", bad_values),
        crate::timing::trial("serve::options::address_in_use", address_in_use),
    ]
}

/// The `x-` headers of an `/echo` of `request` (the proxy echoes those, in
/// the order it sees them).
fn echoed(c: &mut Client, request: &str) -> Result<Vec<String>, Failed> {
    c.send_raw(request.as_bytes())?;
    let r = c.read_response()?;
    expect(r.status == 200, || format!("{r:?}"))?;
    Ok(r.headers
        .iter()
        .filter(|(n, _)| n.starts_with("x-"))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect())
}

/// `-H` (also from a file) replaces the request's headers of those names
/// and adds the rest; the guest sees them in Wasmtime's order, which comes
/// from removing every named header, appending the `-H` ones, then
/// removing the forbidden ones (`host`: the last header takes its place).
fn headers() -> Result<(), Failed> {
    let file = util::scratch("serve-options").join("headers.txt");
    std::fs::write(&file, "x-f1: one\n\nx-f2:two\n").map_err(fail)?;
    let file_arg = format!("@{}", file.display());
    for how in ["kiln serve", "built server"] {
        if how == "built server" && util::reference_engine() {
            continue;
        }
        let args = [
            "-H",
            "x-added: yes",
            "-H",
            file_arg.as_str(),
            "--header",
            "x-z: 1",
            "-H",
            " x-a : 2 ",
        ];
        let server = if how == "kiln serve" {
            Server::start(How::KilnServe(&args))?
        } else {
            Server::start(How::ExeArgs(&args))?
        };
        let mut c = server.connect()?;
        let got = echoed(
            &mut c,
            "POST /echo HTTP/1.1\r\nhost: h\r\nx-added: orig\r\nx-keep: k\r\n\
             content-length: 5\r\ncontent-type: text/plain\r\n\r\nhello",
        )?;
        let want = [
            "x-a: 2",
            "x-keep: k",
            "x-added: yes",
            "x-f1: one",
            "x-f2: two",
            "x-z: 1",
        ];
        expect(got == want, || format!("{how}: {got:?}"))?;
    }
    // Without `-H`: only the forbidden headers' removal moves headers.
    let server = Server::start(How::KilnServe(&[]))?;
    let mut c = server.connect()?;
    let got = echoed(
        &mut c,
        "GET /echo HTTP/1.1\r\nhost: h\r\nx-a: 1\r\nconnection: keep-alive\r\nx-b: 2\r\nx-c: 3\r\n\r\n",
    )?;
    // `host` (index 0) goes first and `x-c` takes its place, then
    // `connection` (index 2) and `x-b` takes its place.
    expect(got == ["x-c: 3", "x-a: 1", "x-b: 2"], || format!("{got:?}"))
}

/// `--no-logging-prefix` leaves the guest's lines bare; `--shutdown-addr`
/// is announced before the banner, and a connection to it stops the
/// server (exit 0) after the request in flight is answered.
fn no_prefix_and_shutdown_addr() -> Result<(), Failed> {
    let mut server = Server::start(How::KilnServe(&[
        "--no-logging-prefix",
        "--shutdown-addr",
        "127.0.0.1:0",
    ]))?;
    let err = server.stderr_str();
    let shutdown = err
        .lines()
        .find_map(|l| l.strip_prefix("Listening for shutdown on tcp://"))
        .map(|a| a.trim_end_matches('/').to_string())
        .ok_or_else(|| format!("no shutdown banner: {err}"))?;
    expect(
        err.starts_with("Listening for shutdown on tcp://") && err.contains("\nServing HTTP on"),
        || format!("banners: {err}"),
    )?;
    let mut c = server.connect()?;
    let r = c.get("/print")?;
    expect(r.text() == "printed", || format!("{r:?}"))?;
    let start = Instant::now();
    // Wasmtime holds a partial line back until its newline (or exit);
    // Kiln writes it at once.
    while !(server.stdout_str().starts_with("line one\nline two\n")
        && server.stderr_str().contains("\nto stderr\n"))
        && start.elapsed() < TIMEOUT
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = server.stdout_str();
    expect(out.starts_with("line one\nline two\n"), || {
        format!("stdout: {out:?}")
    })?;
    let err = server.stderr_str();
    expect(err.contains("\nto stderr\n"), || format!("stderr: {err}"))?;
    drop(c);

    let mut c = server.connect()?;
    c.send_raw(b"GET /slow?ms=700 HTTP/1.1\r\nhost: h\r\n\r\n")?;
    server.await_stderr("slow: waiting 700 ms\n")?;
    // The shutdown connection is closed unanswered.
    let mut s = TcpStream::connect(&shutdown).map_err(fail)?;
    s.set_read_timeout(Some(TIMEOUT)).map_err(fail)?;
    let mut b = Vec::new();
    let _ = s.read_to_end(&mut b);
    expect(b.is_empty(), || format!("shutdown answered {b:?}"))?;
    let r = c.read_response()?;
    expect(r.status == 200 && r.text() == "slept 700", || {
        format!("{r:?}")
    })?;
    drop(c);
    let status = server.wait_exit(TIMEOUT)?;
    expect(status == 0, || format!("exit status {status}"))?;
    let err = server.stderr_str();
    expect(
        err.contains("Waiting for child tasks to exit, ctrl-c again to quit sooner...\n"),
        || format!("stderr: {err}"),
    )
}

/// With `--max-concurrent-requests 1`, a request on a second connection
/// waits for the slow one in flight on the first.
fn max_concurrent_requests() -> Result<(), Failed> {
    let server = Server::start(How::KilnServe(&["--max-concurrent-requests", "1"]))?;
    let mut slow = server.connect()?;
    slow.send_raw(b"GET /slow?ms=1500 HTTP/1.1\r\nhost: h\r\n\r\n")?;
    server.await_stderr("slow: waiting 1500 ms\n")?;
    let mut quick = server.connect()?;
    let sent = Instant::now();
    let (a, b) = std::thread::scope(|s| {
        let q = s.spawn(move || quick.get("/count").map(|r| (r, Instant::now())));
        let r = slow.read_response().map(|r| (r, Instant::now()));
        (r, q.join())
    });
    let (slow_r, _) = a?;
    let (quick_r, quick_at) = b.map_err(|_| "client panicked")??;
    expect(slow_r.text() == "slept 1500", || format!("{slow_r:?}"))?;
    expect(quick_r.text() == "1", || format!("{quick_r:?}"))?;
    // It waited for the slow one (about 1 s left of its 1.5 s); alone it
    // takes milliseconds.
    let waited = quick_at - sent;
    expect(waited >= Duration::from_millis(700), || {
        format!("the second request was answered {waited:?} after it was sent")
    })
}

/// Bad `-H` values fail at start as in Wasmtime (exit 1, its words);
/// unknown arguments of a built server are usage errors.
fn bad_values() -> Result<(), Failed> {
    let wasm = proxy()?;
    let cases: [(&str, &str); 3] = [
        ("bad", "Error: header `bad` is missing `:`\n"),
        (
            "x a: b",
            "Error: invalid header name in header `x a: b`\n\nCaused by:\n    invalid HTTP header name\n\n",
        ),
        (
            "x-a: b\u{1}",
            "Error: invalid header value in header `x-a: b\u{1}`\n\nCaused by:\n    failed to parse header value\n\n",
        ),
    ];
    for (h, want) in cases {
        let mut cmd = serve_cmd()?;
        cmd.args(["-S", "cli", "--addr", "127.0.0.1:0", "-H", h])
            .arg(&wasm);
        let o = util::run(&mut cmd, b"", TIMEOUT).map_err(fail)?;
        let err = String::from_utf8_lossy(&o.stderr);
        expect(o.code() == 1 && err == want, || {
            format!("-H {h:?}: {}", o.describe())
        })?;
    }
    // A bad duration: Wasmtime's words, exit 2.
    let mut cmd = serve_cmd()?;
    cmd.args([
        "-S",
        "cli",
        "--addr",
        "127.0.0.1:0",
        "--idle-instance-timeout",
        "5x",
    ])
    .arg(&wasm);
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(fail)?;
    let err = String::from_utf8_lossy(&o.stderr);
    expect(
        o.code() == 2 && err.contains("failed to parse duration: 5x"),
        || format!("--idle-instance-timeout 5x: {}", o.describe()),
    )?;
    if !util::reference_engine() {
        // A built server checks its own arguments the same way.
        let exe = super::server_exe(&[])?;
        let mut cmd = std::process::Command::new(&exe);
        cmd.args(["--addr", "127.0.0.1:0", "--idle-instance-timeout", "5x"]);
        let o = util::run(&mut cmd, b"", TIMEOUT).map_err(fail)?;
        let err = String::from_utf8_lossy(&o.stderr);
        expect(
            o.code() == 2 && err.contains("failed to parse duration: 5x"),
            || o.describe(),
        )?;
        let mut cmd = std::process::Command::new(exe);
        cmd.args(["--addr", "127.0.0.1:0", "--frobnicate"]);
        let o = util::run(&mut cmd, b"", TIMEOUT).map_err(fail)?;
        let err = String::from_utf8_lossy(&o.stderr);
        expect(
            o.code() == 2 && err.starts_with("Error: unexpected argument `--frobnicate`"),
            || o.describe(),
        )?;
    }
    Ok(())
}

/// An address already taken fails at start in Wasmtime's words (glibc's
/// text for `EADDRINUSE`, also from Kiln's musl runtime), exit 1.
fn address_in_use() -> Result<(), Failed> {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").map_err(fail)?;
    let addr = taken.local_addr().map_err(fail)?.to_string();
    let wasm = proxy()?;
    let mut cmd = serve_cmd()?;
    cmd.args(["-S", "cli", "--addr", &addr]).arg(&wasm);
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(fail)?;
    let err = String::from_utf8_lossy(&o.stderr);
    expect(
        o.code() == 1 && err == "Error: Address already in use (os error 98)\n",
        || o.describe(),
    )
}

/// `kiln serve`, or `wasmtime serve` under the reference engine.
fn serve_cmd() -> Result<std::process::Command, Failed> {
    Ok(if util::reference_engine() {
        let mut c = std::process::Command::new(util::wasmtime().ok_or("no wasmtime")?);
        c.env("RUST_BACKTRACE", "0").arg("serve");
        c
    } else {
        let mut c = util::kiln_cmd();
        c.arg("serve");
        c
    })
}
