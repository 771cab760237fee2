// kiln-test: wasi = http
// kiln-test: http-server
// kiln-test: stdout-file
//! `https` without a reachable public CA (the tests run offline): the
//! harness's TLS server (`HTTPS_SERVER`) shows a certificate for
//! `IP:127.0.0.1` from a test CA no client trusts, so every handshake must
//! fail as Wasmtime's does: the self-signed chain, the same chain under a
//! name it does not cover (`localhost`), a request without a scheme
//! (`HTTPS` by default), TLS to the plain server (which answers a plain
//! `400`), and plain HTTP to the TLS server (which answers an alert).

#[path = "../shared/send.rs"]
mod send;

use send::{Timeouts, show};
use wasip2::http::types::Scheme;

fn main() {
    let plain = std::env::var("HTTP_SERVER").expect("HTTP_SERVER");
    let tls = std::env::var("HTTPS_SERVER").expect("HTTPS_SERVER");
    let port = tls.rsplit(':').next().expect("port");
    let t = Timeouts::default();
    show("https, untrusted CA", Some(Scheme::Https), &tls, "/", t);
    show(
        "https, name not in the certificate",
        Some(Scheme::Https),
        &format!("localhost:{port}"),
        "/",
        t,
    );
    show("no scheme (https)", None, &tls, "/", t);
    show("https to a plain server", Some(Scheme::Https), &plain, "/", t);
    show("http to a TLS server", Some(Scheme::Http), &tls, "/", t);
    // The plain server still answers plain HTTP (the failures above left
    // nothing behind).
    show("http", Some(Scheme::Http), &plain, "/live", t);
}
