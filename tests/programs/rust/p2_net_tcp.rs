// kiln-test: target = wasm32-wasip2
// kiln-test: wasi = inherit-network
// kiln-test: stdout-file
//! `wasi:sockets/tcp` and `tcp-create-socket` on loopback through std
//! (wasi-libc maps the BSD calls onto create-tcp-socket, start/finish-bind,
//! start/finish-listen, start/finish-connect, accept, the socket's input and
//! output streams, shutdown, local-address/remote-address and the option
//! getters/setters). Ports are ephemeral, so only relations between
//! addresses are printed.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

fn kind<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{:?}", e.kind()),
    }
}

fn main() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    println!(
        "listener: loopback {}, port assigned {}",
        addr.ip().is_loopback(),
        addr.port() != 0
    );
    println!(
        "bind the same port again: {}",
        kind(TcpListener::bind(addr))
    );

    let mut client = TcpStream::connect(addr).expect("connect");
    let (mut server, peer) = listener.accept().expect("accept");
    let client_local = client.local_addr().expect("client local");
    println!("accept peer == client local: {}", peer == client_local);
    println!(
        "client peer == listener: {}",
        client.peer_addr().expect("peer") == addr
    );
    println!(
        "server local == listener: {}",
        server.local_addr().expect("local") == addr
    );
    println!(
        "server peer == client local: {}",
        server.peer_addr().expect("peer") == client_local
    );

    // Data both ways, through the sockets' streams.
    client.write_all(b"hello server").expect("write");
    let mut buf = [0u8; 12];
    server.read_exact(&mut buf).expect("read_exact");
    println!("server got {:?}", String::from_utf8_lossy(&buf));
    server.write_all(b"hello client").expect("write");
    client.read_exact(&mut buf).expect("read_exact");
    println!("client got {:?}", String::from_utf8_lossy(&buf));
    // A larger transfer than any single write.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    println!("try_clone: {}", kind(client.try_clone()));
    let mut received = vec![0u8; 20_000];
    let mut intact = true;
    for piece in big.chunks(20_000) {
        client.write_all(piece).expect("write piece");
        server
            .read_exact(&mut received[..piece.len()])
            .expect("read piece");
        intact &= &received[..piece.len()] == piece;
    }
    println!("bulk 200000 bytes intact: {}", intact);

    // Options.
    println!(
        "nodelay default: {:?}",
        client.nodelay().map_err(|e| e.kind())
    );
    client.set_nodelay(true).expect("set_nodelay");
    println!(
        "nodelay after set: {:?}",
        client.nodelay().map_err(|e| e.kind())
    );
    client.set_ttl(17).expect("set_ttl");
    println!("ttl after set 17: {:?}", client.ttl().map_err(|e| e.kind()));
    println!("set_ttl 0: {}", kind(client.set_ttl(0)));
    println!(
        "take_error: {:?}",
        client
            .take_error()
            .map(|e| e.is_none())
            .map_err(|e| e.kind())
    );
    println!(
        "set_read_timeout 50ms: {}",
        kind(client.set_read_timeout(Some(Duration::from_millis(50))))
    );

    // Non-blocking reads with nothing to read, then shutdown.
    client.set_nonblocking(true).expect("set_nonblocking");
    let r = client.read(&mut buf);
    println!(
        "non-blocking read with no data: {}",
        match r {
            Err(e) if e.kind() == ErrorKind::WouldBlock => "WouldBlock".to_string(),
            other => format!("{:?}", other.map_err(|e| e.kind())),
        }
    );
    client.set_nonblocking(false).expect("set_nonblocking");
    listener
        .set_nonblocking(true)
        .expect("listener nonblocking");
    println!(
        "non-blocking accept with no client: {}",
        kind(listener.accept())
    );

    client.shutdown(Shutdown::Write).expect("shutdown write");
    let mut rest = Vec::new();
    server.read_to_end(&mut rest).expect("read_to_end");
    println!(
        "server reads EOF after client shutdown(Write): {} bytes",
        rest.len()
    );
    println!(
        "client write after shutdown(Write): {}",
        kind(client.write_all(b"late"))
    );
    server.write_all(b"still open").expect("server writes");
    let mut back = [0u8; 10];
    client.read_exact(&mut back).expect("client still reads");
    println!("client still reads: {:?}", String::from_utf8_lossy(&back));
    drop(server);
    let mut tail = Vec::new();
    println!(
        "client read after server closed: {} ({} bytes)",
        kind(client.read_to_end(&mut tail)),
        tail.len()
    );

    // Connecting to a port nobody listens on: the listener is closed first.
    let closed: SocketAddr = {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        l.local_addr().expect("addr")
    };
    println!(
        "connect to a closed port: {}",
        kind(TcpStream::connect(closed))
    );
    println!(
        "connect to 0.0.0.0:0: {}",
        kind(TcpStream::connect((Ipv4Addr::UNSPECIFIED, 0)))
    );
    println!(
        "bind to a non-local address: {}",
        kind(TcpListener::bind((Ipv4Addr::new(192, 0, 2, 1), 0)))
    );
}
