//! A tiny HTTP/1.1 server on loopback for the `wasi:http` guests
//! (`// kiln-test: http-server`): std only (and rustls for its `https`
//! twin), one thread per connection, one request per connection
//! (`connection: close`). The guest finds it in `HTTP_SERVER`
//! (`127.0.0.1:PORT`), the same routes over TLS in `HTTPS_SERVER` (a
//! certificate for `IP:127.0.0.1` from a test CA no client trusts:
//! `tests/programs/http/tls/`), a port nobody listens on in
//! `HTTP_CLOSED`, and in `HTTP_BLACKHOLE` a listener whose accept queue is
//! full, so that a connect there never completes (Linux drops the SYN).
//!
//! Routes: `/slow` answers after two seconds; `/trailers` answers a
//! chunked body `hello` with the trailer `x-checksum: 42`; `/size` echoes
//! the request body as is; `/hang` never answers and holds the connection
//! until the client closes it, `/hangbody` the same after the first 5 of
//! 10 body bytes, `/live` answers how many `/hang` and `/hangbody`
//! connections are still open (a client that leaks abandoned connections
//! shows here); `/drip` sends `hello`, waits two seconds, then `world`;
//! `/truncated` promises 10 bytes, sends 5 and closes; `/splithead` sends
//! the status line, then 300 ms later the rest of the head and `ok`;
//! `/splitchunk` a chunked `hello` whose size line and data come 300 ms
//! apart; `/splittrailers` a chunked `hello` whose trailer `x-checksum: 42` comes
//! 300 ms after the last chunk; `/close` closes
//! without an answer, `/reset` with a TCP reset; `/garbage` answers
//! something that is not HTTP; `/bigheader` answers a 1 MiB header,
//! `/manyheaders` 200 headers; anything else answers the request line,
//! the request headers (sorted, one per line; a `host` naming the server
//! reads `SERVER`) and the body it received. A TLS client hello sent to
//! the plain server gets a plain `400` answer, as real servers give.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running server (it lives until the test process ends).
pub struct Server {
    /// `127.0.0.1:PORT` of the server.
    pub addr: String,
    /// `127.0.0.1:PORT` of the same server over TLS.
    pub tls: String,
    /// `127.0.0.1:PORT` of a port nobody listens on.
    pub closed: String,
    /// The socket that holds that port, bound but not listening: nothing
    /// else can take the port while the server lives (a port merely free a
    /// moment ago may become another test's listener, and a connect that
    /// should be refused would hang there).
    _closed: std::os::fd::OwnedFd,
    /// `127.0.0.1:PORT` of a listener nobody accepts from, its queue full.
    pub blackhole: String,
    /// That listener and the connections filling its queue.
    _blackhole: (TcpListener, Vec<TcpStream>),
}

/// The test CA's certificate, the server's (for `IP:127.0.0.1`, signed by
/// the CA) and its PKCS#8 key, made once with `openssl` (valid to 2126).
const TEST_CA: &[u8] = include_bytes!("../programs/http/tls/ca.der");
const LEAF: &[u8] = include_bytes!("../programs/http/tls/leaf.der");
const LEAF_KEY: &[u8] = include_bytes!("../programs/http/tls/leaf.key.der");

impl Server {
    /// Starts a server (plain and TLS) on ephemeral loopback ports.
    pub fn start() -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?.to_string();
        let tls_listener = TcpListener::bind("127.0.0.1:0")?;
        let tls = tls_listener.local_addr()?.to_string();
        let (closed_socket, closed) = bound_not_listening()?;
        let live = Arc::new(AtomicUsize::new(0));
        let (me, l) = (addr.clone(), live.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (me, l) = (me.clone(), l.clone());
                std::thread::spawn(move || {
                    let _ = serve_plain(conn, &me, &l);
                });
            }
        });
        let config = Arc::new(tls_config().map_err(std::io::Error::other)?);
        let me = tls.clone();
        std::thread::spawn(move || {
            for conn in tls_listener.incoming().flatten() {
                let (me, l, config) = (me.clone(), live.clone(), config.clone());
                std::thread::spawn(move || {
                    let _ = serve_tls(conn, config, &me, &l);
                });
            }
        });
        let (blackhole, held) = blackhole()?;
        Ok(Server {
            addr,
            tls,
            closed,
            _closed: closed_socket,
            blackhole: blackhole.local_addr()?.to_string(),
            _blackhole: (blackhole, held),
        })
    }
}

/// A TCP socket bound to an ephemeral loopback port, never listening: a
/// connect to the port is refused.
fn bound_not_listening() -> std::io::Result<(std::os::fd::OwnedFd, String)> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    // SAFETY: plain system calls; the new descriptor is owned from here on.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new descriptor nothing else owns.
    let socket = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: all-zero is a valid `sockaddr_in`.
    let mut addr: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    addr.sin_family = libc::AF_INET as libc::sa_family_t;
    addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
    let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: `addr` is a valid `sockaddr_in` of `len` bytes, borrowed
    // only for each call; `socket` is open.
    let bound = unsafe {
        libc::bind(socket.as_raw_fd(), (&raw const addr).cast(), len) == 0
            && libc::getsockname(socket.as_raw_fd(), (&raw mut addr).cast(), &mut len) == 0
    };
    if !bound {
        return Err(std::io::Error::last_os_error());
    }
    let port = u16::from_be(addr.sin_port);
    Ok((socket, format!("127.0.0.1:{port}")))
}

/// A listener with a backlog of 0 and connections that fill its accept
/// queue: the kernel drops further SYNs, so a connect hangs until the
/// client gives up.
fn blackhole() -> std::io::Result<(TcpListener, Vec<TcpStream>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    // SAFETY: the descriptor is the open listening socket `listener` owns
    // for the whole call; `listen` only changes its backlog and touches no
    // memory of ours.
    if unsafe { libc::listen(std::os::fd::AsRawFd::as_raw_fd(&listener), 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let addr = listener.local_addr()?;
    let mut held = Vec::new();
    for _ in 0..8 {
        match TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(200)) {
            Ok(s) => held.push(s),
            // The queue is full.
            Err(_) => return Ok((listener, held)),
        }
    }
    Err(std::io::Error::other("the accept queue never filled"))
}

/// The TLS server's configuration: the test certificate chain.
fn tls_config() -> Result<rustls::ServerConfig, rustls::Error> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(LEAF), CertificateDer::from(TEST_CA)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(LEAF_KEY)),
        )
}

fn serve_plain(conn: TcpStream, me: &str, live: &AtomicUsize) -> std::io::Result<()> {
    let fd = std::os::fd::AsRawFd::as_raw_fd(&conn);
    let mut conn = conn;
    // A TLS record (handshake, 0x16) where a request line should be.
    let mut first = [0u8; 1];
    if conn.peek(&mut first)? == 1 && first[0] == 0x16 {
        conn.write_all(
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        )?;
        return conn.flush();
    }
    serve(conn, fd, me, live)
}

fn serve_tls(
    mut conn: TcpStream,
    config: Arc<rustls::ServerConfig>,
    me: &str,
    live: &AtomicUsize,
) -> std::io::Result<()> {
    let fd = std::os::fd::AsRawFd::as_raw_fd(&conn);
    let mut tls = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    // `complete_io` sends the alert describing a failure itself.
    while tls.is_handshaking() {
        tls.complete_io(&mut conn)?;
    }
    serve(rustls::StreamOwned::new(tls, conn), fd, me, live)
}

/// The request body: `content-length` bytes, or chunks (trailers ignored).
fn read_body(r: &mut impl BufRead, headers: &[(String, String)]) -> std::io::Result<Vec<u8>> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let mut body = Vec::new();
    if let Some(n) = get("content-length") {
        let n: usize = n.trim().parse().map_err(std::io::Error::other)?;
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut line = String::new();
            r.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(std::io::Error::other)?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    let mut t = String::new();
                    r.read_line(&mut t)?;
                    if t.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            let mut crlf = [0; 2];
            r.read_exact(&mut crlf)?;
        }
    }
    Ok(body)
}

/// Ends the connection `fd` with a TCP reset (`SO_LINGER` 0, then close).
fn reset(fd: std::os::fd::RawFd) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: `fd` is the open socket of the connection this thread owns
    // (closed only when its stream drops, after this call); `linger` is a
    // live local the kernel only reads, of the size passed.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

fn serve(
    mut conn: impl Read + Write,
    fd: std::os::fd::RawFd,
    me: &str,
    live: &AtomicUsize,
) -> std::io::Result<()> {
    let mut r = BufReader::new(&mut conn);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let request_line = line.trim_end().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let body = read_body(&mut r, &headers)?;
    let path = request_line.split(' ').nth(1).unwrap_or("");
    match path {
        "/hang" => {
            live.fetch_add(1, Ordering::SeqCst);
            // Until the client closes (end of stream or an error).
            let mut sink = [0u8; 256];
            while matches!(r.read(&mut sink), Ok(n) if n > 0) {}
            live.fetch_sub(1, Ordering::SeqCst);
            return Ok(());
        }
        "/hangbody" => {
            r.get_mut().write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\nconnection: close\r\n\r\nhello",
            )?;
            r.get_mut().flush()?;
            live.fetch_add(1, Ordering::SeqCst);
            let mut sink = [0u8; 256];
            while matches!(r.read(&mut sink), Ok(n) if n > 0) {}
            live.fetch_sub(1, Ordering::SeqCst);
            return Ok(());
        }
        "/close" => return Ok(()),
        "/reset" => {
            reset(fd);
            return Ok(());
        }
        _ => {}
    }
    drop(r);
    let w = &mut conn;
    match path {
        "/slow" => {
            // Longer than the guest's first-byte timeout.
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        "/trailers" => {
            w.write_all(
                b"HTTP/1.1 200 OK\r\nx-server: kiln-test\r\ntransfer-encoding: chunked\r\n\
                  trailer: x-checksum\r\nconnection: close\r\n\r\n\
                  5\r\nhello\r\n0\r\nx-checksum: 42\r\n\r\n",
            )?;
            return w.flush();
        }
        "/splithead" => {
            // The response head in two pieces, 300 ms apart.
            return in_pieces(
                w,
                &[
                    b"HTTP/1.1 200 OK\r\n",
                    b"x-server: kiln-test\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                ],
                300,
            );
        }
        "/splitchunk" => {
            // A chunked body whose first chunk's size line and data come
            // 300 ms apart, 300 ms after the head.
            return in_pieces(
                w,
                &[
                    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
                    b"5\r\n",
                    b"hello\r\n0\r\n\r\n",
                ],
                300,
            );
        }
        "/splittrailers" => {
            // A chunked body whose trailers come 300 ms after its last
            // chunk.
            return in_pieces(
                w,
                &[
                    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-checksum\r\n\
                      connection: close\r\n\r\n5\r\nhello\r\n0\r\n",
                    b"x-checksum: 42\r\n\r\n",
                ],
                300,
            );
        }
        "/drip" => {
            return in_pieces(
                w,
                &[
                    b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\nconnection: close\r\n\r\nhello",
                    b"world",
                ],
                2000,
            );
        }
        "/truncated" => {
            w.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\nconnection: close\r\n\r\nhello",
            )?;
            return w.flush();
        }
        "/garbage" => {
            w.write_all(b"this is not HTTP at all\r\n\r\n")?;
            return w.flush();
        }
        "/bigheader" => {
            let big = "b".repeat(1 << 20);
            write!(
                w,
                "HTTP/1.1 200 OK\r\nx-big: {big}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )?;
            return w.flush();
        }
        "/manyheaders" => {
            let mut head = String::from("HTTP/1.1 200 OK\r\n");
            for i in 0..200 {
                head.push_str(&format!("x-h{i}: {i}\r\n"));
            }
            head.push_str("content-length: 0\r\nconnection: close\r\n\r\n");
            w.write_all(head.as_bytes())?;
            return w.flush();
        }
        _ => {}
    }
    let reply = if path == "/size" {
        body
    } else if path == "/live" {
        live.load(Ordering::SeqCst).to_string().into_bytes()
    } else {
        // The port changes from run to run: a `host` naming this server is
        // shown as `SERVER`.
        let mut lines: Vec<String> = headers
            .iter()
            .map(|(n, v)| match (n.as_str(), v == me) {
                ("host", true) => "host: SERVER".to_string(),
                _ => format!("{n}: {v}"),
            })
            .collect();
        lines.sort();
        let mut s = format!("{request_line}\n");
        for l in lines {
            s.push_str(&l);
            s.push('\n');
        }
        s.push_str(&format!("body: {}\n", String::from_utf8_lossy(&body)));
        s.into_bytes()
    };
    write!(
        w,
        "HTTP/1.1 201 Created\r\ncontent-type: text/plain\r\nx-server: kiln-test\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        reply.len()
    )?;
    w.write_all(&reply)?;
    w.flush()
}

/// Writes `pieces` to `w`, each flushed, `pause_ms` apart.
fn in_pieces(w: &mut impl Write, pieces: &[&[u8]], pause_ms: u64) -> std::io::Result<()> {
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            std::thread::sleep(std::time::Duration::from_millis(pause_ms));
        }
        w.write_all(piece)?;
        w.flush()?;
    }
    Ok(())
}
