// kiln-test: target = wasm32-wasip2
// kiln-test: wasi = inherit-network
// kiln-test: stdout-file
//! `wasi:sockets/udp` and `udp-create-socket` on loopback through std
//! (wasi-libc maps sendto/recvfrom/connect onto start/finish-bind,
//! udp-socket.stream and the incoming/outgoing datagram streams):
//! unconnected and connected sockets, datagram boundaries, options.

use std::net::{Ipv4Addr, UdpSocket};
use std::time::Duration;

fn kind<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{:?} (os error {:?})", e.kind(), e.raw_os_error()),
    }
}

fn value<T: std::fmt::Debug>(r: std::io::Result<T>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => format!("{:?} (os error {:?})", e.kind(), e.raw_os_error()),
    }
}

fn main() {
    let a = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a");
    let b = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind b");
    let (aa, ba) = (
        a.local_addr().expect("a addr"),
        b.local_addr().expect("b addr"),
    );
    println!(
        "bound: loopback {}, ports assigned and distinct {}",
        aa.ip().is_loopback() && ba.ip().is_loopback(),
        aa.port() != 0 && ba.port() != 0 && aa.port() != ba.port()
    );
    println!("bind the same port again: {}", kind(UdpSocket::bind(aa)));

    // Unconnected: datagrams keep their boundaries and sender address.
    for msg in ["one", "two two", ""] {
        let n = a.send_to(msg.as_bytes(), ba).expect("send_to");
        println!("a send_to b {msg:?}: {n} bytes");
    }
    let mut buf = [0u8; 64];
    for _ in 0..3 {
        let (n, from) = b.recv_from(&mut buf).expect("recv_from");
        println!(
            "b recv_from: {:?} from a: {}",
            String::from_utf8_lossy(&buf[..n]),
            from == aa
        );
    }
    // A datagram larger than the buffer is truncated to it.
    a.send_to(b"0123456789", ba).expect("send_to");
    let mut small = [0u8; 4];
    let (n, _) = b.recv_from(&mut small).expect("recv_from small");
    println!(
        "10-byte datagram into 4-byte buffer: {n} bytes {:?}",
        String::from_utf8_lossy(&small[..n])
    );

    // Connected: send/recv, peer_addr.
    println!("peer_addr before connect: {}", kind(a.peer_addr()));
    a.connect(ba).expect("connect");
    println!(
        "peer_addr after connect == b: {}",
        a.peer_addr().expect("peer") == ba
    );
    a.send(b"connected").expect("send");
    let (n, from) = b.recv_from(&mut buf).expect("recv_from");
    println!(
        "b got {:?} from a: {}",
        String::from_utf8_lossy(&buf[..n]),
        from == aa
    );
    b.send_to(b"reply", aa).expect("reply");
    let n = a.recv(&mut buf).expect("recv");
    println!("a recv: {:?}", String::from_utf8_lossy(&buf[..n]));

    // Options and non-blocking receive.
    a.set_ttl(9).expect("set_ttl");
    println!("ttl after set 9: {}", value(a.ttl()));
    println!("broadcast: {}", value(a.broadcast()));
    println!("take_error: {}", value(a.take_error().map(|e| e.is_none())));
    b.set_nonblocking(true).expect("nonblocking");
    println!(
        "non-blocking recv with nothing queued: {}",
        kind(b.recv_from(&mut buf))
    );
    b.set_nonblocking(false).expect("blocking");
    println!(
        "set_read_timeout 20ms: {}",
        kind(b.set_read_timeout(Some(Duration::from_millis(20))))
    );
    println!(
        "send_to port 0: {}",
        kind(b.send_to(b"x", (Ipv4Addr::LOCALHOST, 0)))
    );
}
