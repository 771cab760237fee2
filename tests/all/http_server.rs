//! A tiny HTTP/1.1 server on loopback for the `wasi:http` guests
//! (`// kiln-test: http-server`): std only, one thread per connection, one
//! request per connection (`connection: close`). The guest finds it in
//! `HTTP_SERVER` (`127.0.0.1:PORT`) and a port nobody listens on in
//! `HTTP_CLOSED`.
//!
//! Routes: `/slow` answers after two seconds; `/trailers` answers a chunked body `hello` with the trailer
//! `x-checksum: 42`; `/size` echoes the request body as is; anything else
//! answers the request line, the request headers (sorted, one per line;
//! a `host` naming the server reads `SERVER`) and the body it received.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

/// A running server (it lives until the test process ends).
pub struct Server {
    /// `127.0.0.1:PORT` of the server.
    pub addr: String,
    /// `127.0.0.1:PORT` of a port that was free a moment ago.
    pub closed: String,
}

impl Server {
    /// Starts a server on an ephemeral loopback port.
    pub fn start() -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?.to_string();
        let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?.to_string();
        let me = addr.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let me = me.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, &me);
                });
            }
        });
        Ok(Server { addr, closed })
    }
}

/// The request body: `content-length` bytes, or chunks (trailers ignored).
fn read_body(
    r: &mut BufReader<TcpStream>,
    headers: &[(String, String)],
) -> std::io::Result<Vec<u8>> {
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

fn serve(conn: TcpStream, me: &str) -> std::io::Result<()> {
    let mut r = BufReader::new(conn.try_clone()?);
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
    let mut w = conn;
    if path == "/slow" {
        // Longer than the guest's first-byte timeout.
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    if path == "/trailers" {
        w.write_all(
            b"HTTP/1.1 200 OK\r\nx-server: kiln-test\r\ntransfer-encoding: chunked\r\n\
              trailer: x-checksum\r\nconnection: close\r\n\r\n\
              5\r\nhello\r\n0\r\nx-checksum: 42\r\n\r\n",
        )?;
        return w.flush();
    }
    let reply = if path == "/size" {
        body
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
