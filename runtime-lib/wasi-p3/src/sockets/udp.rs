//! `wasi:sockets/types@0.3.udp-socket`: the kernel's UDP sockets
//! (`kiln_wasi_kernel::net::udp`, shared with the 0.2 facade) behind the 0.3
//! methods.
//!
//! Phase: run time (host functions). Inputs: socket handles, addresses,
//! datagrams, option values. Outputs: sockets, datagrams, `error-code`s.
//!
//! Invariants: `send` and `receive` are `async func`s that try without
//! blocking first: `send` waits on the reactor for buffer space (rare for
//! a datagram socket), `receive` until the socket is readable (an unbound
//! socket is `invalid-state` at once).

use super::types::{ErrorCode, IpAddressFamily, IpSocketAddress};
use super::{Res, UdpSocket3Res, no_object, pending::Attempt};
use kiln_canon::p3::HostWait;
use kiln_canon::{Borrow, Own, Trap};
use kiln_wasi_kernel::net::inet::{NetError, NetResult};
use kiln_wasi_kernel::net::udp::UdpSocket;
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::table::{Impl, host_fn};
use std::net::SocketAddr;

/// A `udp-socket` object.
#[derive(Debug)]
pub struct Udp3 {
    /// The kernel socket.
    pub socket: UdpSocket,
}

fn socket(h: &mut P2Host, rep: u32) -> Result<&mut UdpSocket, Trap> {
    super::sockets3(h)
        .udp
        .get_mut(rep)
        .map(|e| &mut e.socket)
        .ok_or_else(|| no_object("udp-socket"))
}

/// Runs a kernel call on socket `this`, mapping its error.
fn with<T>(
    h: &mut P2Host,
    this: &Borrow<UdpSocket3Res>,
    f: impl FnOnce(&mut UdpSocket) -> NetResult<T>,
) -> Res<T> {
    Ok(f(socket(h, this.rep())?).map_err(ErrorCode::from))
}

const TYPES: &str = "wasi:sockets/types@0.3";

/// A received datagram and its sender.
type Datagram = (Vec<u8>, IpSocketAddress);

/// The `udp-socket` host functions.
#[rustfmt::skip]
pub const IMPLS: &[Impl] = &[
    (TYPES, "[static]udp-socket.create", host_fn!(create)),
    (TYPES, "[method]udp-socket.bind", host_fn!(bind)),
    (TYPES, "[method]udp-socket.connect", host_fn!(connect)),
    (TYPES, "[method]udp-socket.disconnect", host_fn!(disconnect)),
    (TYPES, "[method]udp-socket.send", super::pending_fn!(send, send_type, Ok(()))),
    (TYPES, "[method]udp-socket.receive", super::pending_fn!(receive, receive_type, Err(ErrorCode::Other(None)))),
    (TYPES, "[method]udp-socket.get-local-address", host_fn!(get_local_address)),
    (TYPES, "[method]udp-socket.get-remote-address", host_fn!(get_remote_address)),
    (TYPES, "[method]udp-socket.get-address-family", host_fn!(get_address_family)),
    (TYPES, "[method]udp-socket.get-unicast-hop-limit", host_fn!(get_unicast_hop_limit)),
    (TYPES, "[method]udp-socket.set-unicast-hop-limit", host_fn!(set_unicast_hop_limit)),
    (TYPES, "[method]udp-socket.get-receive-buffer-size", host_fn!(get_receive_buffer_size)),
    (TYPES, "[method]udp-socket.set-receive-buffer-size", host_fn!(set_receive_buffer_size)),
    (TYPES, "[method]udp-socket.get-send-buffer-size", host_fn!(get_send_buffer_size)),
    (TYPES, "[method]udp-socket.set-send-buffer-size", host_fn!(set_send_buffer_size)),
];

/// `[static]udp-socket.create`: `access-denied` without the UDP grant.
pub fn create(h: &mut P2Host, (family,): (IpAddressFamily,)) -> Res<Own<UdpSocket3Res>> {
    let policy = h.net_policy();
    Ok(match UdpSocket::new(policy, family.into()) {
        Ok(socket) => Ok(Own::new(super::sockets3(h).udp.insert(Udp3 { socket }))),
        Err(e) => Err(e.into()),
    })
}

/// `bind`.
pub fn bind(h: &mut P2Host, (this, addr): (Borrow<UdpSocket3Res>, IpSocketAddress)) -> Res<()> {
    with(h, &this, |s| s.bind(SocketAddr::from(&addr)))
}

/// `connect`.
pub fn connect(h: &mut P2Host, (this, addr): (Borrow<UdpSocket3Res>, IpSocketAddress)) -> Res<()> {
    with(h, &this, |s| s.connect(SocketAddr::from(&addr)))
}

/// `disconnect`.
pub fn disconnect(h: &mut P2Host, (this,): (Borrow<UdpSocket3Res>,)) -> Res<()> {
    with(h, &this, |s| s.disconnect())
}

/// The WIT type of `send` (for its fingerprint).
fn send_type(
    _: &mut P2Host,
    _: (Borrow<UdpSocket3Res>, Vec<u8>, Option<IpSocketAddress>),
) -> Res<()> {
    Err(kiln_canon::trap::trap("a type only"))
}

/// `send`.
pub fn send(
    _h: &mut P2Host,
    (this, data, addr): (Borrow<UdpSocket3Res>, Vec<u8>, Option<IpSocketAddress>),
) -> Result<Attempt<Result<(), ErrorCode>>, Trap> {
    let rep = this.rep();
    let addr = addr.as_ref().map(SocketAddr::from);
    Ok(Box::new(move |h: &mut P2Host| {
        let s = socket(h, rep)?;
        Ok(match s.try_send(&data, addr) {
            Err(NetError::WouldBlock) => Err(HostWait::Fd {
                fd: s.raw_fd(),
                write: true,
            }),
            r => Ok(r.map_err(ErrorCode::from)),
        })
    }))
}

/// The WIT type of `receive` (for its fingerprint).
fn receive_type(_: &mut P2Host, _: (Borrow<UdpSocket3Res>,)) -> Res<Datagram> {
    Err(kiln_canon::trap::trap("a type only"))
}

/// `receive`: the next datagram, waiting on the reactor for one.
pub fn receive(
    _h: &mut P2Host,
    (this,): (Borrow<UdpSocket3Res>,),
) -> Result<Attempt<Result<Datagram, ErrorCode>>, Trap> {
    let rep = this.rep();
    Ok(Box::new(move |h: &mut P2Host| {
        let s = socket(h, rep)?;
        Ok(match s.recv() {
            Ok((data, from)) => Ok(Ok((data, from.into()))),
            Err(NetError::WouldBlock) => Err(HostWait::Fd {
                fd: s.raw_fd(),
                write: false,
            }),
            Err(e) => Ok(Err(e.into())),
        })
    }))
}

/// `get-local-address`.
pub fn get_local_address(
    h: &mut P2Host,
    (this,): (Borrow<UdpSocket3Res>,),
) -> Res<IpSocketAddress> {
    with(h, &this, |s| s.local_address().map(IpSocketAddress::from))
}

/// `get-remote-address`.
pub fn get_remote_address(
    h: &mut P2Host,
    (this,): (Borrow<UdpSocket3Res>,),
) -> Res<IpSocketAddress> {
    with(h, &this, |s| s.remote_address().map(IpSocketAddress::from))
}

/// `get-address-family`.
pub fn get_address_family(
    h: &mut P2Host,
    (this,): (Borrow<UdpSocket3Res>,),
) -> Result<IpAddressFamily, Trap> {
    Ok(socket(h, this.rep())?.family().into())
}

/// `get-unicast-hop-limit`.
pub fn get_unicast_hop_limit(h: &mut P2Host, (this,): (Borrow<UdpSocket3Res>,)) -> Res<u8> {
    with(h, &this, |s| s.hop_limit())
}

/// `set-unicast-hop-limit`.
pub fn set_unicast_hop_limit(
    h: &mut P2Host,
    (this, value): (Borrow<UdpSocket3Res>, u8),
) -> Res<()> {
    with(h, &this, |s| s.set_hop_limit(value))
}

/// `get-receive-buffer-size`.
pub fn get_receive_buffer_size(h: &mut P2Host, (this,): (Borrow<UdpSocket3Res>,)) -> Res<u64> {
    with(h, &this, |s| s.receive_buffer_size())
}

/// `set-receive-buffer-size`.
pub fn set_receive_buffer_size(
    h: &mut P2Host,
    (this, value): (Borrow<UdpSocket3Res>, u64),
) -> Res<()> {
    with(h, &this, |s| s.set_receive_buffer_size(value))
}

/// `get-send-buffer-size`.
pub fn get_send_buffer_size(h: &mut P2Host, (this,): (Borrow<UdpSocket3Res>,)) -> Res<u64> {
    with(h, &this, |s| s.send_buffer_size())
}

/// `set-send-buffer-size`.
pub fn set_send_buffer_size(
    h: &mut P2Host,
    (this, value): (Borrow<UdpSocket3Res>, u64),
) -> Res<()> {
    with(h, &this, |s| s.set_send_buffer_size(value))
}
