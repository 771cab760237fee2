// kiln-test: target = wasm32-wasip2
// kiln-test: dir = fixture::/data
// kiln-test: nofile = 128
// kiln-test: wasi = inherit-network
// kiln-test: stdin = "input\n"
// kiln-test: stdout-file
// kiln-test: stderr-contains = "stderr still works\n"
//! Running out of host descriptors never kills a WASI 0.2 guest: with
//! `RLIMIT_NOFILE` at 128 the program opens one file until `open-at` fails,
//! then every call that needs a new host descriptor fails with the error
//! code Wasmtime 49 gives (`io` for the filesystem, which wasi-libc turns
//! into `EIO`; `unknown` for `create-tcp-socket`, `create-udp-socket` and
//! `accept`, through raw imports) while everything else keeps working:
//! stdout and stderr, stdin, a file opened before, a directory stream made
//! before, sleeping, and `poll` on stdout and a timer (the event loop was
//! made at start-up). A listener whose pollable was waited on before
//! accepted its connection during that wait, as Wasmtime's does, so its
//! `accept` succeeds; a `ready` that finds a connection keeps the error for
//! `accept`. Closing a few files makes room again. Ports are ephemeral and
//! how many files fit depends on the engine, so neither is printed.

// The bindings shared by the `p2_net_raw_*` programs: `shared/net_raw.rs`.
mod shared {
    pub mod net_raw;
}
use shared::net_raw::*;
use std::fs::File;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

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

#[link(wasm_import_module = "wasi:sockets/tcp@0.2.0")]
extern "C" {
    #[link_name = "[method]tcp-socket.start-bind"]
    fn tcp_start_bind(
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
    #[link_name = "[method]tcp-socket.finish-bind"]
    fn tcp_finish_bind(s: u32, ret: R);
    #[link_name = "[method]tcp-socket.start-connect"]
    fn tcp_start_connect(
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
    #[link_name = "[method]tcp-socket.finish-connect"]
    fn tcp_finish_connect(s: u32, ret: R);
    #[link_name = "[method]tcp-socket.start-listen"]
    fn tcp_start_listen(s: u32, ret: R);
    #[link_name = "[method]tcp-socket.finish-listen"]
    fn tcp_finish_listen(s: u32, ret: R);
    #[link_name = "[method]tcp-socket.accept"]
    fn tcp_accept(s: u32, ret: R);
    #[link_name = "[method]tcp-socket.local-address"]
    fn tcp_local_address(s: u32, ret: R);
    #[link_name = "[method]tcp-socket.subscribe"]
    fn tcp_subscribe(s: u32) -> u32;
}

#[link(wasm_import_module = "wasi:cli/stdout@0.2.0")]
extern "C" {
    #[link_name = "get-stdout"]
    fn get_stdout() -> u32;
}

#[link(wasm_import_module = "wasi:clocks/monotonic-clock@0.2.0")]
extern "C" {
    #[link_name = "subscribe-duration"]
    fn subscribe_duration(nanos: u64) -> u32;
}

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[method]output-stream.subscribe"]
    fn output_subscribe(this: u32) -> u32;
}

#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
extern "C" {
    #[link_name = "poll"]
    fn poll(ptr: *const u32, len: usize, ret: *mut [u32; 2]);
}

fn polled(list: &[u32]) -> Vec<u32> {
    let mut ret = [0u32; 2];
    unsafe { poll(list.as_ptr(), list.len(), &mut ret) };
    unsafe { std::slice::from_raw_parts(ret[0] as *const u32, ret[1] as usize) }.to_vec()
}

fn new_tcp() -> Result<u32, &'static str> {
    let r = call(|r| unsafe { create_tcp_socket(0, r) });
    r.check(4).map(|()| r.u32(4))
}

fn new_udp() -> Result<u32, &'static str> {
    let r = call(|r| unsafe { create_udp_socket(0, r) });
    r.check(4).map(|()| r.u32(4))
}

fn accept(l: u32) -> Result<(), &'static str> {
    call(|r| unsafe { tcp_accept(l, r) }).check(4)
}

/// A listener on loopback with one connection waiting to be accepted.
fn listener_with_a_client(net: u32) -> u32 {
    let l = new_tcp().expect("create-tcp-socket");
    let f = Addr::v4(LOOPBACK, 0).flat();
    unit(|r| unsafe {
        tcp_start_bind(
            l, net, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], r,
        )
    })
    .expect("start-bind");
    unit(|r| unsafe { tcp_finish_bind(l, r) }).expect("finish-bind");
    unit(|r| unsafe { tcp_start_listen(l, r) }).expect("start-listen");
    unit(|r| unsafe { tcp_finish_listen(l, r) }).expect("finish-listen");
    let r = call(|r| unsafe { tcp_local_address(l, r) });
    r.check(4).expect("local-address");
    let f = r.addr(4).flat();
    let c = new_tcp().expect("create-tcp-socket");
    unit(|r| unsafe {
        tcp_start_connect(
            c, net, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], r,
        )
    })
    .expect("start-connect");
    let cp = unsafe { tcp_subscribe(c) };
    loop {
        let r = call(|r| unsafe { tcp_finish_connect(c, r) });
        if r.u8(0) != 0 && ERRORS[r.u8(4) as usize] == "would-block" {
            unsafe { block(cp) };
            continue;
        }
        r.check(4).expect("finish-connect");
        break;
    }
    l
}

fn io<T: std::fmt::Debug>(what: &str, r: std::io::Result<T>) {
    match r {
        Ok(v) => println!("{what}: ok {v:?}"),
        Err(e) => println!("{what}: {e} ({:?})", e.kind()),
    }
}

fn main() {
    let net = unsafe { instance_network() };
    std::fs::write("/data/f", b"contents").expect("write /data/f");
    let mut kept = File::open("/data/f").expect("open /data/f");
    let entries = std::fs::read_dir("/data").expect("read_dir");
    let listener = listener_with_a_client(net);
    let waited = listener_with_a_client(net);
    let probed = listener_with_a_client(net);
    unsafe { block(tcp_subscribe(waited)) };

    let mut files = Vec::new();
    let err = loop {
        match File::open("/data/f") {
            Ok(f) => files.push(f),
            Err(e) => break e,
        }
        assert!(files.len() < 100_000, "no descriptor limit");
    };
    println!("open stopped: {err} ({:?})", err.kind());
    println!("opened more than 50: {}", files.len() > 50);

    // What needs a new host descriptor fails with an error code.
    io("create", File::create("/data/g"));
    io("read_dir", std::fs::read_dir("/data").map(drop));
    show("create-tcp-socket", new_tcp());
    show("create-udp-socket", new_udp());
    show("accept", accept(listener));
    show("accept, pollable waited on before", accept(waited));
    println!("ready: {}", unsafe { ready(tcp_subscribe(probed)) });
    show("accept after ready", accept(probed));

    // Everything else goes on.
    let mut s = String::new();
    io("read the file opened before", kept.read_to_string(&mut s));
    println!("its contents: {s:?}");
    let mut names: Vec<String> = entries
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()
        .expect("directory stream made before");
    names.sort();
    println!("directory stream made before: {names:?}");
    let mut input = String::new();
    io("stdin", std::io::stdin().read_to_string(&mut input));
    println!("stdin: {input:?}");
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(10));
    println!("slept 10ms: {}", start.elapsed() >= Duration::from_millis(10));
    let stdout_ready = unsafe { output_subscribe(get_stdout()) };
    let far = unsafe { subscribe_duration(10_000_000_000) };
    println!("poll [stdout, 10 s timer]: {:?}", polled(&[stdout_ready, far]));
    let near = unsafe { subscribe_duration(1_000_000) };
    println!("poll [10 s timer, 1 ms timer]: {:?}", polled(&[far, near]));
    eprintln!("stderr still works");
    std::io::stdout().flush().expect("flush");

    // Room again.
    files.truncate(files.len() - 4);
    io("open after closing four", File::open("/data/f").map(drop));
    show("accept after closing four", accept(listener));
    show("accept after closing four, waited on", accept(waited));
    show("accept after closing four, after ready", accept(probed));
}
