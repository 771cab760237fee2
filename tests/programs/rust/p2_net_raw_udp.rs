// kiln-test: target = wasm32-wasip2
// kiln-test: wasi = inherit-network
// kiln-test: wasi = allow-ip-name-lookup
// kiln-test: stdout-file
//! `wasi:sockets/udp` and `ip-name-lookup` through raw imports:
//! create-udp-socket, start/finish-bind, `stream` with and without a remote
//! address, `check-send`/`send`/`receive` on the datagram streams, their
//! pollables, the options, and `resolve-addresses`/`resolve-next-address`
//! with the stream's pollable. Loopback only; ports are ephemeral, so only
//! relations between addresses are printed.

// The bindings shared by the `p2_net_raw_*` programs: `shared/net_raw.rs`.
mod shared {
    pub mod net_raw;
}
use shared::net_raw::*;

/// The in-memory `ip-socket-address` (32 bytes, case at 0, payload at 4).
#[repr(C, align(4))]
struct AddrMem([u8; 32]);

impl AddrMem {
    fn new(a: Addr) -> AddrMem {
        let mut m = [0u8; 32];
        m[4..6].copy_from_slice(&a.port.to_le_bytes());
        m[6..10].copy_from_slice(&a.ip);
        AddrMem(m)
    }
}

/// `outgoing-datagram`: data list at 0, `option<ip-socket-address>` at 8.
#[repr(C, align(4))]
struct Outgoing {
    ptr: u32,
    len: u32,
    has_addr: u32,
    addr: AddrMem,
}

#[link(wasm_import_module = "wasi:sockets/udp-create-socket@0.2.0")]
extern "C" {
    #[link_name = "create-udp-socket"]
    fn create_udp_socket(family: u32, ret: R);
}

#[link(wasm_import_module = "wasi:sockets/udp@0.2.0")]
extern "C" {
    #[link_name = "[method]udp-socket.start-bind"]
    fn udp_start_bind(
        s: u32,
        n: u32,
        a0: F,
        a1: F,
        a2: F,
        a3: F,
        a4: F,
        a5: F,
        a6: F,
        a7: F,
        a8: F,
        a9: F,
        a10: F,
        a11: F,
        ret: R,
    );
    #[link_name = "[method]udp-socket.finish-bind"]
    fn udp_finish_bind(s: u32, ret: R);
    #[link_name = "[method]udp-socket.stream"]
    fn udp_stream(
        s: u32,
        some: u32,
        a0: F,
        a1: F,
        a2: F,
        a3: F,
        a4: F,
        a5: F,
        a6: F,
        a7: F,
        a8: F,
        a9: F,
        a10: F,
        a11: F,
        ret: R,
    );
    #[link_name = "[method]udp-socket.local-address"]
    fn udp_local_address(s: u32, ret: R);
    #[link_name = "[method]udp-socket.remote-address"]
    fn udp_remote_address(s: u32, ret: R);
    #[link_name = "[method]udp-socket.address-family"]
    fn udp_address_family(s: u32) -> u32;
    #[link_name = "[method]udp-socket.unicast-hop-limit"]
    fn udp_unicast_hop_limit(s: u32, ret: R);
    #[link_name = "[method]udp-socket.set-unicast-hop-limit"]
    fn udp_set_unicast_hop_limit(s: u32, v: u32, ret: R);
    #[link_name = "[method]udp-socket.receive-buffer-size"]
    fn udp_receive_buffer_size(s: u32, ret: R);
    #[link_name = "[method]udp-socket.set-receive-buffer-size"]
    fn udp_set_receive_buffer_size(s: u32, v: u64, ret: R);
    #[link_name = "[method]udp-socket.send-buffer-size"]
    fn udp_send_buffer_size(s: u32, ret: R);
    #[link_name = "[method]udp-socket.set-send-buffer-size"]
    fn udp_set_send_buffer_size(s: u32, v: u64, ret: R);
    #[link_name = "[method]udp-socket.subscribe"]
    fn udp_subscribe(s: u32) -> u32;
    #[link_name = "[method]incoming-datagram-stream.receive"]
    fn udp_receive(s: u32, max: u64, ret: R);
    #[link_name = "[method]incoming-datagram-stream.subscribe"]
    fn udp_in_subscribe(s: u32) -> u32;
    #[link_name = "[method]outgoing-datagram-stream.check-send"]
    fn udp_check_send(s: u32, ret: R);
    #[link_name = "[method]outgoing-datagram-stream.send"]
    fn udp_send(s: u32, ptr: *const Outgoing, len: usize, ret: R);
    #[link_name = "[method]outgoing-datagram-stream.subscribe"]
    fn udp_out_subscribe(s: u32) -> u32;
    #[link_name = "[resource-drop]udp-socket"]
    fn drop_udp_socket(s: u32);
    #[link_name = "[resource-drop]incoming-datagram-stream"]
    fn drop_incoming(s: u32);
    #[link_name = "[resource-drop]outgoing-datagram-stream"]
    fn drop_outgoing(s: u32);
}

#[link(wasm_import_module = "wasi:sockets/ip-name-lookup@0.2.0")]
extern "C" {
    #[link_name = "resolve-addresses"]
    fn resolve_addresses(n: u32, ptr: *const u8, len: usize, ret: R);
    #[link_name = "[method]resolve-address-stream.resolve-next-address"]
    fn resolve_next_address(s: u32, ret: R);
    #[link_name = "[method]resolve-address-stream.subscribe"]
    fn resolve_subscribe(s: u32) -> u32;
    #[link_name = "[resource-drop]resolve-address-stream"]
    fn drop_resolve_stream(s: u32);
}

fn udp_bind(s: u32, n: u32, a: Addr) -> Result<(), &'static str> {
    let f = a.flat();
    unit(|r| unsafe {
        udp_start_bind(
            s, n, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], r,
        )
    })
}

/// `stream(remote)`: (incoming, outgoing).
fn udp_streams(s: u32, remote: Option<Addr>) -> Result<(u32, u32), &'static str> {
    let f = remote.map(Addr::flat).unwrap_or([0; 12]);
    let r = call(|r| unsafe {
        udp_stream(
            s,
            remote.is_some() as u32,
            f[0],
            f[1],
            f[2],
            f[3],
            f[4],
            f[5],
            f[6],
            f[7],
            f[8],
            f[9],
            f[10],
            f[11],
            r,
        )
    });
    r.check(4).map(|()| (r.u32(4), r.u32(8)))
}

fn new_udp() -> u32 {
    let r = call(|r| unsafe { create_udp_socket(0, r) });
    r.check(4).expect("create-udp-socket");
    r.u32(4)
}

fn udp_addr(s: u32, remote: bool) -> Result<Addr, &'static str> {
    let r = call(|r| unsafe {
        if remote {
            udp_remote_address(s, r)
        } else {
            udp_local_address(s, r)
        }
    });
    r.check(4).map(|()| r.addr(4))
}

fn udp(net: u32) {
    println!("== udp");
    let a = new_udp();
    let b = new_udp();
    println!("address-family: {}", unsafe { udp_address_family(a) });
    show("stream before bind", udp_streams(a, None));
    show("local-address before bind", udp_addr(a, false));
    for s in [a, b] {
        udp_bind(s, net, Addr::v4(LOOPBACK, 0)).expect("bind");
        unit(|r| unsafe { udp_finish_bind(s, r) }).expect("finish-bind");
    }
    show(
        "finish-bind again",
        unit(|r| unsafe { udp_finish_bind(a, r) }),
    );
    let (aa, ba) = (
        udp_addr(a, false).expect("a addr"),
        udp_addr(b, false).expect("b addr"),
    );
    println!(
        "bound: loopback {}, distinct ports {}",
        aa.ip == LOOPBACK && ba.ip == LOOPBACK,
        aa.port != ba.port
    );
    show("remote-address unconnected", udp_addr(a, true));

    let (a_in, a_out) = udp_streams(a, None).expect("a streams");
    let (b_in, b_out) = udp_streams(b, Some(aa)).expect("b streams");
    println!(
        "b connected: remote-address == a {}",
        udp_addr(b, true) == Ok(aa)
    );

    // b -> a on the connected stream (no address per datagram).
    let r = call(|r| unsafe { udp_check_send(b_out, r) });
    println!("check-send > 0: {}", r.check(8).is_ok() && r.u64(8) > 0);
    let msgs: [&[u8]; 2] = [b"first", b"second!"];
    let out: Vec<Outgoing> = msgs
        .iter()
        .map(|m| Outgoing {
            ptr: m.as_ptr() as u32,
            len: m.len() as u32,
            has_addr: 0,
            addr: AddrMem([0; 32]),
        })
        .collect();
    let r = call(|r| unsafe { udp_send(b_out, out.as_ptr(), out.len(), r) });
    show("b send 2 datagrams", r.check(8).map(|()| r.u64(8)));
    let r = call(|r| unsafe { udp_check_send(b_out, r) });
    println!(
        "check-send again > 0: {}",
        r.check(8).is_ok() && r.u64(8) > 0
    );
    let ap = unsafe { udp_in_subscribe(a_in) };
    let mut got = Vec::new();
    while got.len() < 2 {
        unsafe { block(ap) };
        let r = call(|r| unsafe { udp_receive(a_in, 10, r) });
        r.check(4).expect("receive");
        let list =
            unsafe { std::slice::from_raw_parts(r.u32(4) as *const [u8; 40], r.u32(8) as usize) };
        for d in list {
            let d = Ret({
                let mut m = [0u8; 64];
                m[..40].copy_from_slice(d);
                m
            });
            let data =
                unsafe { std::slice::from_raw_parts(d.u32(0) as *const u8, d.u32(4) as usize) };
            got.push((String::from_utf8_lossy(data).into_owned(), d.addr(8) == ba));
        }
    }
    println!("a received (data, from b): {got:?}");
    let r = call(|r| unsafe { udp_receive(a_in, 10, r) });
    show(
        "a receive with nothing queued (count)",
        r.check(4).map(|()| r.u32(8)),
    );
    let r = call(|r| unsafe { udp_receive(a_in, 0, r) });
    show("a receive max 0 (count)", r.check(4).map(|()| r.u32(8)));

    // a -> b on the unconnected stream, with an address; a datagram to a
    // different address on b's connected stream is refused.
    let r = call(|r| unsafe { udp_check_send(a_out, r) });
    assert!(r.check(8).is_ok());
    let out = [Outgoing {
        ptr: b"reply".as_ptr() as u32,
        len: 5,
        has_addr: 1,
        addr: AddrMem::new(ba),
    }];
    let r = call(|r| unsafe { udp_send(a_out, out.as_ptr(), 1, r) });
    show("a send to b", r.check(8).map(|()| r.u64(8)));
    let bp = unsafe { udp_in_subscribe(b_in) };
    unsafe { block(bp) };
    let r = call(|r| unsafe { udp_receive(b_in, 1, r) });
    r.check(4).expect("b receive");
    let d = unsafe { std::slice::from_raw_parts(r.u32(4) as *const u32, 2) };
    println!(
        "b received: {:?}",
        String::from_utf8_lossy(unsafe {
            std::slice::from_raw_parts(d[0] as *const u8, d[1] as usize)
        })
    );
    let r = call(|r| unsafe { udp_check_send(b_out, r) });
    assert!(r.check(8).is_ok());
    let out = [Outgoing {
        ptr: b"x".as_ptr() as u32,
        len: 1,
        has_addr: 1,
        addr: AddrMem::new(Addr::v4(LOOPBACK, 9)),
    }];
    let r = call(|r| unsafe { udp_send(b_out, out.as_ptr(), 1, r) });
    show(
        "b (connected) send to another address",
        r.check(8).map(|()| r.u64(8)),
    );
    let r = call(|r| unsafe { udp_check_send(a_out, r) });
    assert!(r.check(8).is_ok());
    let out = [Outgoing {
        ptr: b"x".as_ptr() as u32,
        len: 1,
        has_addr: 0,
        addr: AddrMem([0; 32]),
    }];
    let r = call(|r| unsafe { udp_send(a_out, out.as_ptr(), 1, r) });
    show(
        "a (unconnected) send without an address",
        r.check(8).map(|()| r.u64(8)),
    );
    let r = call(|r| unsafe { udp_send(a_out, out.as_ptr(), 0, r) });
    show("send of an empty list", r.check(8).map(|()| r.u64(8)));
    let op = unsafe { udp_out_subscribe(a_out) };
    unsafe { block(op) };
    println!("outgoing pollable ready: {}", unsafe { ready(op) });

    // Options.
    show(
        "set-unicast-hop-limit 7",
        unit(|r| unsafe { udp_set_unicast_hop_limit(a, 7, r) }),
    );
    show("unicast-hop-limit", {
        let r = call(|r| unsafe { udp_unicast_hop_limit(a, r) });
        r.check(1).map(|()| r.u8(1))
    });
    show(
        "set-unicast-hop-limit 0",
        unit(|r| unsafe { udp_set_unicast_hop_limit(a, 0, r) }),
    );
    show(
        "set-receive-buffer-size 65536",
        unit(|r| unsafe { udp_set_receive_buffer_size(a, 65536, r) }),
    );
    show("receive-buffer-size > 0", {
        let r = call(|r| unsafe { udp_receive_buffer_size(a, r) });
        r.check(8).map(|()| r.u64(8) > 0)
    });
    show(
        "set-send-buffer-size 0",
        unit(|r| unsafe { udp_set_send_buffer_size(a, 0, r) }),
    );
    show("send-buffer-size > 0", {
        let r = call(|r| unsafe { udp_send_buffer_size(a, r) });
        r.check(8).map(|()| r.u64(8) > 0)
    });
    let sp = unsafe { udp_subscribe(a) };
    println!("socket pollable ready: {}", unsafe { ready(sp) });
    for p in [ap, bp, op, sp] {
        unsafe { drop_pollable(p) };
    }
    for s in [a_in, b_in] {
        unsafe { drop_incoming(s) };
    }
    for s in [a_out, b_out] {
        unsafe { drop_outgoing(s) };
    }
    unsafe { drop_udp_socket(a) };
    unsafe { drop_udp_socket(b) };
}

fn lookup(net: u32, name: &str) -> Result<Vec<String>, &'static str> {
    let r = call(|r| unsafe { resolve_addresses(net, name.as_ptr(), name.len(), r) });
    r.check(4)?;
    let stream = r.u32(4);
    let p = unsafe { resolve_subscribe(stream) };
    let mut out = Vec::new();
    let result = loop {
        let r = call(|r| unsafe { resolve_next_address(stream, r) });
        if r.u8(0) != 0 {
            match ERRORS[r.u8(2) as usize] {
                "would-block" => {
                    unsafe { block(p) };
                    continue;
                }
                e => break Err(e),
            }
        }
        if r.u8(2) == 0 {
            break Ok(out);
        }
        out.push(if r.u8(4) == 0 {
            format!("{}.{}.{}.{}", r.u8(6), r.u8(7), r.u8(8), r.u8(9))
        } else {
            "(ipv6)".to_string()
        });
    };
    unsafe { drop_pollable(p) };
    unsafe { drop_resolve_stream(stream) };
    result
}

fn dns(net: u32) {
    println!("== ip-name-lookup");
    let v = lookup(net, "localhost").expect("localhost");
    println!(
        "localhost: non-empty {}, has 127.0.0.1 {}",
        !v.is_empty(),
        v.iter().any(|a| a == "127.0.0.1")
    );
    show("127.0.0.1", lookup(net, "127.0.0.1"));
    show("::1", lookup(net, "::1"));
    show("empty name", lookup(net, ""));
    show("'bad name'", lookup(net, "bad name"));
    show("[::1] (brackets)", lookup(net, "[::1]"));
}

fn main() {
    let net = unsafe { instance_network() };
    udp(net);
    dns(net);
    unsafe { drop_network(net) };
}
