//! A successful `https` exchange, which the end-to-end tests cannot make
//! (they run offline, and the shipped client trusts only the webpki
//! roots, with no way to add one): the client's own exchange task
//! ([`super::client::exchange_task`]: connect, the TLS handshake on the
//! non-blocking socket, HTTP/1.1 over the session, the body pump) is run
//! here with a configuration that trusts the test CA of
//! `tests/programs/http/tls/`, against a rustls server on loopback. Only
//! the trust roots differ from a real request; the failures around them
//! (name not covered, untrusted root) are checked too.
//!
//! Phase: unit test. Inputs: the test CA and the server's certificate and
//! key. Outputs: pass or fail.

use super::body::{BodyReader, BodySource, Clock, PipeBody, new_outgoing_body};
use super::client::{Head, exchange_task};
use super::exec::{Exchange, Exec, Interest};
use super::types::ErrorCode;
use kiln_wasi_p2::io::{InputStreamImpl, StreamFailure};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::cell::{Cell, RefCell};
use std::io::{Read, Write};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CA: &[u8] = include_bytes!("../../../tests/programs/http/tls/ca.der");
const LEAF: &[u8] = include_bytes!("../../../tests/programs/http/tls/leaf.der");
const LEAF_KEY: &[u8] = include_bytes!("../../../tests/programs/http/tls/leaf.key.der");

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A TLS server for one connection: it reads a request head and answers
/// `hello`. Returns its `127.0.0.1:PORT` and what ended its handshake
/// (`None`: it completed).
fn server() -> (String, std::sync::mpsc::Receiver<Option<String>>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(LEAF), CertificateDer::from(CA)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(LEAF_KEY)),
        )
        .expect("server config");
    std::thread::spawn(move || {
        let Ok((sock, _)) = listener.accept() else {
            return;
        };
        let Ok(conn) = rustls::ServerConnection::new(Arc::new(config)) else {
            return;
        };
        let mut tls = rustls::StreamOwned::new(conn, sock);
        while tls.conn.is_handshaking() {
            if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
                let _ = tx.send(Some(e.to_string()));
                return;
            }
        }
        let _ = tx.send(None);
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match tls.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => return,
            }
        }
        let _ = tls.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-tls: yes\r\nconnection: close\r\n\r\nhello",
        );
        tls.conn.send_close_notify();
        let _ = tls.flush();
    });
    (addr, rx)
}

/// The client configuration of [`super::exec::tls_config`], trusting the
/// test CA instead of the webpki roots.
fn trusting_test_ca() -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(CA)).expect("test CA");
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// GET `/` from `addr` over TLS for server name `host`: the status, the
/// `x-tls` header and the body, driving the executor as host calls do.
fn get(
    addr: &str,
    host: &str,
    config: Arc<rustls::ClientConfig>,
) -> Result<(u16, String, Vec<u8>), ErrorCode> {
    let exec = Rc::new(Exec::default());
    let exchange = Exchange::new(&exec);
    let interest = Rc::new(Interest::default());
    let (body, pipe) = new_outgoing_body(None);
    body.finish(None).expect("finish");
    let request = http::Request::builder()
        .uri("/")
        .header(http::header::HOST, addr)
        .body(PipeBody(pipe))
        .expect("request");
    let slot: Rc<RefCell<Option<Head>>> = Rc::default();
    let clock: Clock = Rc::new(|| 0);
    {
        let (slot, spawner, interest, clock) = (
            slot.clone(),
            exchange.spawner(),
            interest.clone(),
            clock.clone(),
        );
        let addr = addr.to_string();
        let tls = Some((host.to_string(), config));
        exchange.spawn(async move {
            let deadline = Cell::new(u64::MAX);
            let head = exchange_task(
                &addr,
                tls,
                request,
                &spawner,
                &interest,
                &deadline,
                u64::MAX,
                clock,
            )
            .await;
            *slot.borrow_mut() = Some(head);
        });
    }
    let start = Instant::now();
    let head = loop {
        exec.drive();
        if let Some(head) = slot.borrow_mut().take() {
            break head;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no response");
        std::thread::sleep(Duration::from_millis(1));
    };
    let (status, headers, rx) = head?;
    let mut reader = BodyReader {
        source: BodySource {
            rx,
            exec,
            interest,
            exchange,
            between: u64::MAX,
            clock,
        },
        child: Default::default(),
    };
    let mut bytes = Vec::new();
    loop {
        match reader.read(4096) {
            Ok(piece) if piece.is_empty() => std::thread::sleep(Duration::from_millis(1)),
            Ok(piece) => bytes.extend(piece),
            Err(StreamFailure::Closed) => break,
            Err(e) => panic!("body: {e:?}"),
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no body end");
    }
    let tls = headers
        .get("x-tls")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    Ok((status, tls, bytes))
}

#[test]
fn an_https_exchange_with_a_trusted_certificate_succeeds() {
    let (addr, handshake) = server();
    let got = get(&addr, "127.0.0.1", trusting_test_ca());
    assert_eq!(got, Ok((200, "yes".to_string(), b"hello".to_vec())));
    assert_eq!(handshake.recv().ok(), Some(None));
}

#[test]
fn a_name_the_certificate_does_not_cover_is_a_tls_protocol_error() {
    let (addr, handshake) = server();
    let got = get(&addr, "localhost", trusting_test_ca());
    assert_eq!(got, Err(ErrorCode::TlsProtocolError));
    // The client said why before closing.
    let why = handshake.recv().ok().flatten().unwrap_or_default();
    assert!(why.contains("BadCertificate"), "{why}");
}

#[test]
fn the_shipped_roots_do_not_trust_the_test_ca() {
    let (addr, handshake) = server();
    let config = super::exec::tls_config().expect("config");
    let got = get(&addr, "127.0.0.1", config);
    assert_eq!(got, Err(ErrorCode::TlsProtocolError));
    let why = handshake.recv().ok().flatten().unwrap_or_default();
    assert!(why.contains("UnknownCA"), "{why}");
}
