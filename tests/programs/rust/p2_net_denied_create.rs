// kiln-test: target = wasm32-wasip2
// kiln-test: stdout-file
//! Without a network grant no host socket is created at all:
//! `create-tcp-socket` and `create-udp-socket` fail with `access-denied`
//! (as in Wasmtime 49), for both address families, however often the guest
//! asks, instead of handing out sockets that fail only at bind or connect.

mod shared {
    pub mod net_raw;
}
use shared::net_raw::*;

#[link(wasm_import_module = "wasi:sockets/tcp-create-socket@0.2.0")]
extern "C" {
    #[link_name = "create-tcp-socket"]
    fn create_tcp_socket(family: u32, ret: R);
}

#[link(wasm_import_module = "wasi:sockets/udp-create-socket@0.2.0")]
extern "C" {
    #[link_name = "create-udp-socket"]
    fn create_udp_socket(family: u32, ret: R);
}

fn main() {
    for (family, name) in [(0, "ipv4"), (1, "ipv6")] {
        show(
            &format!("create-tcp-socket {name}"),
            call(|r| unsafe { create_tcp_socket(family, r) }).check(4),
        );
        show(
            &format!("create-udp-socket {name}"),
            call(|r| unsafe { create_udp_socket(family, r) }).check(4),
        );
    }
    // Many attempts hold nothing: each one fails the same way.
    let denied = (0..5000)
        .filter(|_| call(|r| unsafe { create_tcp_socket(0, r) }).check(4).is_err())
        .count();
    println!("denied tcp creations: {denied} of 5000");
}
