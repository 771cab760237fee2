//! Raw WASI 0.2 socket bindings shared by the `p2_net_raw_*` programs
//! (declared by each as `mod shared { pub mod net_raw; }`; the harness
//! builds only top-level files, so this one is not a program): the return
//! area and its readers, the `error-code` names, IPv4 socket addresses in
//! memory and flattened, the `network` and `poll` imports, and the call and
//! print helpers.

// Each program uses a different subset.
#![allow(dead_code)]

/// A return area for every result used here.
#[repr(C, align(8))]
pub struct Ret(pub [u8; 64]);

impl Ret {
    pub fn new() -> Ret {
        Ret([0; 64])
    }
    pub fn u8(&self, at: usize) -> u8 {
        self.0[at]
    }
    pub fn u16(&self, at: usize) -> u16 {
        u16::from_le_bytes(self.0[at..at + 2].try_into().expect("2 bytes"))
    }
    pub fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.0[at..at + 4].try_into().expect("4 bytes"))
    }
    pub fn u64(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.0[at..at + 8].try_into().expect("8 bytes"))
    }
    /// `result<T, error-code>` with the code at `code_at` when it failed.
    pub fn check(&self, code_at: usize) -> Result<(), &'static str> {
        if self.u8(0) == 0 {
            Ok(())
        } else {
            Err(ERRORS[self.u8(code_at) as usize])
        }
    }
    /// An `ip-socket-address` at `at` (IPv4 only here).
    pub fn addr(&self, at: usize) -> Addr {
        assert_eq!(self.u8(at), 0, "ipv4 address");
        Addr {
            port: self.u16(at + 4),
            ip: [
                self.u8(at + 6),
                self.u8(at + 7),
                self.u8(at + 8),
                self.u8(at + 9),
            ],
        }
    }
}

pub const ERRORS: &[&str] = &[
    "unknown",
    "access-denied",
    "not-supported",
    "invalid-argument",
    "out-of-memory",
    "timeout",
    "concurrency-conflict",
    "not-in-progress",
    "would-block",
    "invalid-state",
    "new-socket-limit",
    "address-not-bindable",
    "address-in-use",
    "remote-unreachable",
    "connection-refused",
    "connection-reset",
    "connection-aborted",
    "datagram-too-large",
    "name-unresolvable",
    "temporary-resolver-failure",
    "permanent-resolver-failure",
];

#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Addr {
    pub port: u16,
    pub ip: [u8; 4],
}

impl Addr {
    pub const fn v4(ip: [u8; 4], port: u16) -> Addr {
        Addr { port, ip }
    }
    /// The flattened `ip-socket-address`: the case, then the joined
    /// payload slots (11, the size of the ipv6 case).
    pub fn flat(self) -> [u32; 12] {
        let mut f = [0u32; 12];
        f[1] = self.port as u32;
        for i in 0..4 {
            f[2 + i] = self.ip[i] as u32;
        }
        f
    }
}

pub type R = *mut Ret;
pub type F = u32; // one flat slot of an ip-socket-address

#[link(wasm_import_module = "wasi:sockets/instance-network@0.2.0")]
extern "C" {
    #[link_name = "instance-network"]
    pub fn instance_network() -> u32;
}

#[link(wasm_import_module = "wasi:sockets/network@0.2.0")]
extern "C" {
    #[link_name = "[resource-drop]network"]
    pub fn drop_network(n: u32);
}

#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
extern "C" {
    #[link_name = "[method]pollable.block"]
    pub fn block(p: u32);
    #[link_name = "[method]pollable.ready"]
    pub fn ready(p: u32) -> u32;
    #[link_name = "[resource-drop]pollable"]
    pub fn drop_pollable(p: u32);
}

pub const LOOPBACK: [u8; 4] = [127, 0, 0, 1];

/// Calls `f` with a fresh return area; returns the area.
pub fn call(f: impl FnOnce(R)) -> Ret {
    let mut r = Ret::new();
    f(&mut r);
    r
}

/// `f`'s `result<_, error-code>` (no payload).
pub fn unit(f: impl FnOnce(R)) -> Result<(), &'static str> {
    call(f).check(1)
}

/// Prints `what: ok <value>` or `what: error <code>`.
pub fn show<T: std::fmt::Debug>(what: &str, r: Result<T, &str>) {
    match r {
        Ok(v) => println!("{what}: ok {v:?}"),
        Err(e) => println!("{what}: error {e}"),
    }
}
