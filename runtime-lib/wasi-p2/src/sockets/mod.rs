//! `wasi:sockets@0.2`: `network`, `instance-network`, `tcp`,
//! `tcp-create-socket`, `udp`, `udp-create-socket` and `ip-name-lookup`,
//! over the kernel's sockets (`kiln_wasi_kernel::net`).
//!
//! Phase: run time (host functions). Inputs: lifted parameters, the
//! kernel's [`NetPolicy`] (from the grant flags: `-S inherit-network`,
//! `-S tcp`, `-S udp`, `-S allow-ip-name-lookup`). Outputs: socket
//! resources, streams and pollables, WIT `error-code`s.
//!
//! Map:
//! - [`types`]: the WIT records, variants and enums;
//! - [`network`]: the `network` resource, `instance-network`,
//!   `network-error-code`;
//! - [`tcp`] and [`tcp_stream`]: TCP sockets (the WASI 0.2 start/finish
//!   bookkeeping over the kernel's state machine) and their streams;
//! - [`udp`]: UDP sockets and datagram streams;
//! - [`lookup`][]: `ip-name-lookup`.
//!
//! Parents and children (wasmtime's `push_child`): pollables made by a
//! `subscribe` and the datagram streams of a UDP socket are children of
//! their object (dropping the object first traps "resource has children").
//!
//! Known difference: the input and output streams of a TCP socket are not
//! recorded as its children (the `wasi:io` streams have no parent link), so
//! dropping a socket before its streams does not trap as in wasmtime; the
//! streams keep the connection open until they are dropped.

pub mod lookup;
pub mod network;
pub mod tcp;
pub mod tcp_stream;
pub mod types;
pub mod udp;

use super::P2Host;
use super::host_resources;
use super::table::{Impl, host_fn};
use kiln_canon::{HostResources, Resource, ResourceType, Trap};
use kiln_wasi_kernel::net::NetPolicy;

/// Socket option host functions of resource `$res`: per line, the WIT
/// getter `$get` and setter `$set`, passing straight through to the kernel
/// socket's methods of the same names by the calling module's `with`
/// (which looks the socket up and maps kernel errors to `error-code`).
macro_rules! socket_options {
    ($res:ty { $($get:ident, $set:ident: $ty:ty;)* }) => {$(
        #[doc = concat!("`", stringify!($get), "`: socket option getter.")]
        pub fn $get(h: &mut P2Host, (this,): (Borrow<$res>,)) -> Res<$ty> {
            with(h, &this, |s| s.$get())
        }

        #[doc = concat!("`", stringify!($set), "`: socket option setter.")]
        pub fn $set(h: &mut P2Host, (this, value): (Borrow<$res>, $ty)) -> Res<()> {
            with(h, &this, |s| s.$set(value))
        }
    )*};
}
use socket_options;

host_resources! {
    /// `wasi:sockets/network.network`.
    NetworkRes = ("wasi:sockets/network@0.2", "network");
    /// `wasi:sockets/tcp.tcp-socket`.
    TcpSocketRes = ("wasi:sockets/tcp@0.2", "tcp-socket");
    /// `wasi:sockets/udp.udp-socket`.
    UdpSocketRes = ("wasi:sockets/udp@0.2", "udp-socket");
    /// `wasi:sockets/udp.incoming-datagram-stream`.
    IncomingDatagramStreamRes = ("wasi:sockets/udp@0.2", "incoming-datagram-stream");
    /// `wasi:sockets/udp.outgoing-datagram-stream`.
    OutgoingDatagramStreamRes = ("wasi:sockets/udp@0.2", "outgoing-datagram-stream");
    /// `wasi:sockets/ip-name-lookup.resolve-address-stream`.
    ResolveAddressStreamRes = ("wasi:sockets/ip-name-lookup@0.2", "resolve-address-stream");
}

/// The objects of `wasi:sockets`.
#[derive(Debug, Default)]
pub struct SocketState {
    /// `network` handles (placeholders: the policy is checked per call).
    pub networks: HostResources<()>,
    /// TCP sockets.
    pub tcp: HostResources<tcp::TcpEntry>,
    /// UDP sockets.
    pub udp: HostResources<udp::UdpEntry>,
    /// Incoming datagram streams.
    pub incoming: HostResources<udp::IncomingStream>,
    /// Outgoing datagram streams.
    pub outgoing: HostResources<udp::OutgoingStream>,
    /// Name lookups.
    pub lookups: HostResources<lookup::ResolveStream>,
}

impl P2Host {
    /// What the guest may do on the network.
    pub fn net_policy(&self) -> NetPolicy {
        self.wasi.kernel.net
    }
}

const NETWORK: &str = "wasi:sockets/network@0.2";
const TCP: &str = "wasi:sockets/tcp@0.2";
const UDP: &str = "wasi:sockets/udp@0.2";
const LOOKUP: &str = "wasi:sockets/ip-name-lookup@0.2";

/// The `wasi:sockets` host functions.
pub const IMPLS: &[Impl] = &[
    (
        "wasi:sockets/instance-network@0.2",
        "instance-network",
        host_fn!(network::instance_network),
    ),
    (
        NETWORK,
        "network-error-code",
        host_fn!(network::network_error_code),
    ),
    (
        "wasi:sockets/tcp-create-socket@0.2",
        "create-tcp-socket",
        host_fn!(tcp::create_tcp_socket),
    ),
    (
        TCP,
        "[method]tcp-socket.start-bind",
        host_fn!(tcp::start_bind),
    ),
    (
        TCP,
        "[method]tcp-socket.finish-bind",
        host_fn!(tcp::finish_bind),
    ),
    (
        TCP,
        "[method]tcp-socket.start-connect",
        host_fn!(tcp::start_connect),
    ),
    (
        TCP,
        "[method]tcp-socket.finish-connect",
        host_fn!(tcp::finish_connect),
    ),
    (
        TCP,
        "[method]tcp-socket.start-listen",
        host_fn!(tcp::start_listen),
    ),
    (
        TCP,
        "[method]tcp-socket.finish-listen",
        host_fn!(tcp::finish_listen),
    ),
    (TCP, "[method]tcp-socket.accept", host_fn!(tcp::accept)),
    (
        TCP,
        "[method]tcp-socket.local-address",
        host_fn!(tcp::local_address),
    ),
    (
        TCP,
        "[method]tcp-socket.remote-address",
        host_fn!(tcp::remote_address),
    ),
    (
        TCP,
        "[method]tcp-socket.is-listening",
        host_fn!(tcp::is_listening),
    ),
    (
        TCP,
        "[method]tcp-socket.address-family",
        host_fn!(tcp::address_family),
    ),
    (
        TCP,
        "[method]tcp-socket.set-listen-backlog-size",
        host_fn!(tcp::set_listen_backlog_size),
    ),
    (
        TCP,
        "[method]tcp-socket.keep-alive-enabled",
        host_fn!(tcp::keep_alive_enabled),
    ),
    (
        TCP,
        "[method]tcp-socket.set-keep-alive-enabled",
        host_fn!(tcp::set_keep_alive_enabled),
    ),
    (
        TCP,
        "[method]tcp-socket.keep-alive-idle-time",
        host_fn!(tcp::keep_alive_idle_time),
    ),
    (
        TCP,
        "[method]tcp-socket.set-keep-alive-idle-time",
        host_fn!(tcp::set_keep_alive_idle_time),
    ),
    (
        TCP,
        "[method]tcp-socket.keep-alive-interval",
        host_fn!(tcp::keep_alive_interval),
    ),
    (
        TCP,
        "[method]tcp-socket.set-keep-alive-interval",
        host_fn!(tcp::set_keep_alive_interval),
    ),
    (
        TCP,
        "[method]tcp-socket.keep-alive-count",
        host_fn!(tcp::keep_alive_count),
    ),
    (
        TCP,
        "[method]tcp-socket.set-keep-alive-count",
        host_fn!(tcp::set_keep_alive_count),
    ),
    (
        TCP,
        "[method]tcp-socket.hop-limit",
        host_fn!(tcp::hop_limit),
    ),
    (
        TCP,
        "[method]tcp-socket.set-hop-limit",
        host_fn!(tcp::set_hop_limit),
    ),
    (
        TCP,
        "[method]tcp-socket.receive-buffer-size",
        host_fn!(tcp::receive_buffer_size),
    ),
    (
        TCP,
        "[method]tcp-socket.set-receive-buffer-size",
        host_fn!(tcp::set_receive_buffer_size),
    ),
    (
        TCP,
        "[method]tcp-socket.send-buffer-size",
        host_fn!(tcp::send_buffer_size),
    ),
    (
        TCP,
        "[method]tcp-socket.set-send-buffer-size",
        host_fn!(tcp::set_send_buffer_size),
    ),
    (
        TCP,
        "[method]tcp-socket.subscribe",
        host_fn!(tcp::subscribe),
    ),
    (TCP, "[method]tcp-socket.shutdown", host_fn!(tcp::shutdown)),
    (
        "wasi:sockets/udp-create-socket@0.2",
        "create-udp-socket",
        host_fn!(udp::create_udp_socket),
    ),
    (
        UDP,
        "[method]udp-socket.start-bind",
        host_fn!(udp::start_bind),
    ),
    (
        UDP,
        "[method]udp-socket.finish-bind",
        host_fn!(udp::finish_bind),
    ),
    (UDP, "[method]udp-socket.stream", host_fn!(udp::stream)),
    (
        UDP,
        "[method]udp-socket.local-address",
        host_fn!(udp::local_address),
    ),
    (
        UDP,
        "[method]udp-socket.remote-address",
        host_fn!(udp::remote_address),
    ),
    (
        UDP,
        "[method]udp-socket.address-family",
        host_fn!(udp::address_family),
    ),
    (
        UDP,
        "[method]udp-socket.unicast-hop-limit",
        host_fn!(udp::unicast_hop_limit),
    ),
    (
        UDP,
        "[method]udp-socket.set-unicast-hop-limit",
        host_fn!(udp::set_unicast_hop_limit),
    ),
    (
        UDP,
        "[method]udp-socket.receive-buffer-size",
        host_fn!(udp::receive_buffer_size),
    ),
    (
        UDP,
        "[method]udp-socket.set-receive-buffer-size",
        host_fn!(udp::set_receive_buffer_size),
    ),
    (
        UDP,
        "[method]udp-socket.send-buffer-size",
        host_fn!(udp::send_buffer_size),
    ),
    (
        UDP,
        "[method]udp-socket.set-send-buffer-size",
        host_fn!(udp::set_send_buffer_size),
    ),
    (
        UDP,
        "[method]udp-socket.subscribe",
        host_fn!(udp::subscribe),
    ),
    (
        UDP,
        "[method]incoming-datagram-stream.receive",
        host_fn!(udp::receive),
    ),
    (
        UDP,
        "[method]incoming-datagram-stream.subscribe",
        host_fn!(udp::incoming_subscribe),
    ),
    (
        UDP,
        "[method]outgoing-datagram-stream.check-send",
        host_fn!(udp::check_send),
    ),
    (
        UDP,
        "[method]outgoing-datagram-stream.send",
        host_fn!(udp::send),
    ),
    (
        UDP,
        "[method]outgoing-datagram-stream.subscribe",
        host_fn!(udp::outgoing_subscribe),
    ),
    (
        LOOKUP,
        "resolve-addresses",
        host_fn!(lookup::resolve_addresses),
    ),
    (
        LOOKUP,
        "[method]resolve-address-stream.resolve-next-address",
        host_fn!(lookup::resolve_next_address),
    ),
    (
        LOOKUP,
        "[method]resolve-address-stream.subscribe",
        host_fn!(lookup::subscribe),
    ),
];

/// A trap for a rep with no object (cannot happen for reps lifted from a
/// handle of the right type; kept as a trap, never a panic).
fn no_object(what: &str) -> Trap {
    kiln_canon::trap::trap(format!("unknown {what}"))
}

/// Drops the `wasi:sockets` object `rep` of host type `ty`; `false` if
/// `ty` is not a `wasi:sockets` resource.
pub fn drop_resource(h: &mut P2Host, ty: u32, rep: u32) -> Result<bool, Trap> {
    let t = ResourceType::Host(ty);
    let s = &mut h.sockets;
    let gone = if t == NetworkRes::TYPE {
        s.networks.remove(rep).is_some()
    } else if t == TcpSocketRes::TYPE {
        s.tcp.remove(rep).is_some()
    } else if t == UdpSocketRes::TYPE {
        s.udp.remove(rep).is_some()
    } else if t == IncomingDatagramStreamRes::TYPE {
        match s.incoming.remove(rep) {
            Some(stream) => {
                h.io.remove_child(UdpSocketRes::TYPE, stream.parent);
                true
            }
            None => false,
        }
    } else if t == OutgoingDatagramStreamRes::TYPE {
        match s.outgoing.remove(rep) {
            Some(stream) => {
                h.io.remove_child(UdpSocketRes::TYPE, stream.parent);
                true
            }
            None => false,
        }
    } else if t == ResolveAddressStreamRes::TYPE {
        s.lookups.remove(rep).is_some()
    } else {
        return Ok(false);
    };
    if gone {
        Ok(true)
    } else {
        Err(no_object("resource"))
    }
}
