// kiln-test: target = wasm32-wasip2
// kiln-test: wasi = inherit-network
// kiln-test: wasi = allow-ip-name-lookup
// kiln-test: stdout-file
//! `wasi:sockets/ip-name-lookup` (resolve-addresses, the
//! resolve-address-stream and its pollable) through std's `ToSocketAddrs`,
//! which wasi-libc's getaddrinfo turns into those calls, and
//! `instance-network`. Only loopback facts are printed.

use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs};

fn main() {
    let addrs: Vec<_> = ("localhost", 8080)
        .to_socket_addrs()
        .expect("resolve localhost")
        .collect();
    println!("localhost: {} or more addresses: {}", 1, !addrs.is_empty());
    println!(
        "localhost all loopback: {}",
        addrs.iter().all(|a| a.ip().is_loopback())
    );
    println!(
        "localhost includes 127.0.0.1: {}",
        addrs
            .iter()
            .any(|a| a.ip() == IpAddr::V4(Ipv4Addr::LOCALHOST))
    );
    println!("port kept: {}", addrs.iter().all(|a| a.port() == 8080));
    // Literal addresses do not need a lookup.
    let lit: Vec<_> = "127.0.0.1:80".to_socket_addrs().expect("literal").collect();
    println!("literal 127.0.0.1:80: {lit:?}");
    let lit6: Vec<_> = "[::1]:443".to_socket_addrs().expect("literal v6").collect();
    println!("literal [::1]:443: {lit6:?}");
    // A name that cannot exist (the .invalid TLD is reserved).
    let bad = ("no-such-host.invalid", 80).to_socket_addrs();
    println!("no-such-host.invalid: error {}", bad.is_err());
    // A syntactically invalid name.
    let bad = ("bad name with spaces", 80).to_socket_addrs();
    println!("'bad name with spaces': error {}", bad.is_err());
}
