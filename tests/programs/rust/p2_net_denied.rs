// kiln-test: target = wasm32-wasip2
// kiln-test: stdout-file
//! Without `-S inherit-network` the network is denied: the same loopback
//! operations as `p2_net_tcp`/`p2_net_udp`/`p2_net_dns` fail with the error
//! kinds (and wasi-libc errno values) that wasmtime's `access-denied`
//! becomes.

use std::net::{Ipv4Addr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};

fn kind<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{:?} (os error {:?})", e.kind(), e.raw_os_error()),
    }
}

fn main() {
    println!(
        "tcp bind 127.0.0.1:0: {}",
        kind(TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
    );
    println!(
        "tcp connect 127.0.0.1:9: {}",
        kind(TcpStream::connect((Ipv4Addr::LOCALHOST, 9)))
    );
    println!(
        "udp bind 127.0.0.1:0: {}",
        kind(UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)))
    );
    println!(
        "resolve localhost: {}",
        kind(("localhost", 80).to_socket_addrs())
    );
    println!(
        "literal 127.0.0.1:80 needs no lookup: {}",
        kind("127.0.0.1:80".to_socket_addrs())
    );
}
