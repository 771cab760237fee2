//! HTTP/2 with prior knowledge (h2c) on a served component: requests with
//! bodies and headers through `curl --http2-prior-knowledge`, a trap
//! answered 500 with the server going on, many multiplexed streams from
//! `h2load` (Debian's `nghttp2-client`), and HTTP/1.1 requests starting
//! with `P` (the byte the preface starts with) still served as HTTP/1.1,
//! as is a request asking to upgrade to h2c (`wasmtime serve` 49 ignores
//! the upgrade too; RFC 9113 deprecates it).
//! Kiln's own: `wasmtime serve` 49 speaks HTTP/1.1 only (an h2c client
//! gets `hyper::Error(Parse(VersionH2))`), so there is no reference run.

use super::{Client, How, Server, TIMEOUT, expect, fail};
use crate::util;
use libtest_mimic::{Failed, Trial};
use std::process::Command;

pub fn trials() -> Vec<Trial> {
    vec![crate::timing::trial(
        "serve::h2c::requests_and_streams",
        requests_and_streams,
    )]
}

/// `curl --http2-prior-knowledge -s -i` of `path` with `extra` arguments:
/// the status line and the body.
fn curl(server: &Server, path: &str, extra: &[&str]) -> Result<(String, String), Failed> {
    let mut cmd = Command::new("curl");
    cmd.args(["--http2-prior-knowledge", "-s", "-i", "--max-time", "30"])
        .args(extra)
        .arg(format!("http://{}{path}", server.addr));
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(fail)?;
    expect(o.code() == 0, || format!("curl {path}: {}", o.describe()))?;
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("curl {path}: no head in {text:?}"))?;
    Ok((head.to_string(), body.to_string()))
}

fn requests_and_streams() -> Result<(), Failed> {
    if util::reference_engine() {
        return Ok(());
    }
    let server = Server::start(How::Exe(&[]))?;
    let (head, body) = curl(&server, "/count", &[])?;
    expect(head.starts_with("HTTP/2 200") && body == "1", || {
        format!("{head}\n\n{body}")
    })?;
    let (head, body) = curl(
        &server,
        "/echo",
        &["-H", "x-a: 1", "--data-binary", "hello"],
    )?;
    expect(
        head.starts_with("HTTP/2 200") && head.contains("\r\nx-a: 1") && body == "hello",
        || format!("{head}\n\n{body}"),
    )?;
    let (head, _) = curl(&server, "/trap", &[])?;
    expect(head.starts_with("HTTP/2 500"), || head.clone())?;
    let err = server.stderr_with("wasm trap");
    expect(
        err.contains("wasm trap: wasm `unreachable` instruction executed"),
        || format!("stderr: {err}"),
    )?;
    // Many streams at once on a few connections.
    let mut cmd = Command::new("h2load");
    cmd.args(["-n", "200", "-c", "2", "-m", "8"])
        .arg(format!("http://{}/count", server.addr));
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(|e| {
        fail(format!(
            "cannot run h2load ({e}): install Debian's nghttp2-client (bash .ci/run does)"
        ))
    })?;
    let out = String::from_utf8_lossy(&o.stdout);
    expect(
        o.code() == 0
            && out.contains("200 done, 200 succeeded, 0 failed, 0 errored")
            && out.contains("200 2xx"),
        || o.describe(),
    )?;
    // HTTP/1.1 requests whose method starts as the preface does.
    let mut c: Client = server.connect()?;
    c.send_raw(b"PUT /echo HTTP/1.1\r\nhost: h\r\ncontent-length: 3\r\n\r\nput")?;
    let r = c.read_response()?;
    expect(r.status == 200 && r.text() == "put", || format!("{r:?}"))?;
    c.send_raw(b"PATCH /echo HTTP/1.1\r\nhost: h\r\ncontent-length: 2\r\n\r\nok")?;
    let r = c.read_response()?;
    expect(r.status == 200 && r.text() == "ok", || format!("{r:?}"))?;
    // An upgrade to h2c is answered over HTTP/1.1, on the same connection.
    c.send_raw(
        b"POST /echo HTTP/1.1\r\nhost: h\r\nconnection: Upgrade, HTTP2-Settings\r\n\
          upgrade: h2c\r\nhttp2-settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\
          content-length: 2\r\n\r\nup",
    )?;
    let r = c.read_response()?;
    expect(r.status == 200 && r.text() == "up", || format!("{r:?}"))?;
    c.send_raw(b"GET /count HTTP/1.1\r\nhost: h\r\n\r\n")?;
    let r = c.read_response()?;
    expect(r.status == 200, || format!("{r:?}"))
}
