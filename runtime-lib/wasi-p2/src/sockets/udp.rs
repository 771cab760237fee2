//! `wasi:sockets/udp` and `udp-create-socket`: UDP sockets and their
//! datagram streams over the kernel's UDP sockets
//! (`kiln_wasi_kernel::net::udp`).
//!
//! Phase: run time (host functions). Inputs: socket handles, addresses,
//! datagrams. Outputs: sockets, datagram streams, pollables, `error-code`s.
//!
//! Invariants (as Wasmtime's `p2/host/udp.rs`):
//! - `stream` needs a bound socket and no live streams of an earlier
//!   `stream` (else the program traps: "UDP streams not dropped yet");
//!   the streams are children of the socket;
//! - `receive` returns at most 16 datagrams and stops once 64 KiB were
//!   gathered; an error after the first datagram ends the batch quietly;
//! - `check-send` grants 16 datagrams (sends never wait in wasmtime's
//!   sense: see the kernel's note); `send` of more datagrams than granted
//!   traps ("unpermitted: argument exceeds permitted size") and uses the
//!   grant up; an error after the first datagram ends the batch quietly.

use super::super::P2Host;
use super::super::io::{Bytes, Parent, PollableRes, Readiness};
use super::types::{ErrorCode, IpAddressFamily, IpSocketAddress};
use super::{
    IncomingDatagramStreamRes, NetworkRes, OutgoingDatagramStreamRes, UdpSocketRes, no_object,
    socket_options,
};
use kiln_canon::abi::{TypeDef, TypeError, TypeIndex, TypeTableBuilder};
use kiln_canon::compound::next_field;
use kiln_canon::{
    Borrow, ComponentType, FlatSink, Lower, LowerCx, Own, Resource, ResourceType, Trap,
};
use kiln_wasi_kernel::net::inet::{NetError, NetResult};
use kiln_wasi_kernel::net::udp::UdpSocket;
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;

/// Datagrams per `receive` and per `check-send` grant.
const MAX_DATAGRAMS: usize = 16;
/// Bytes after which `receive` stops gathering.
const MAX_RECEIVE_BYTES: usize = 64 * 1024;

/// A `udp-socket` object.
#[derive(Debug)]
pub struct UdpEntry {
    /// The kernel socket, shared with the datagram streams.
    pub socket: Rc<RefCell<UdpSocket>>,
    /// A `start-bind` awaits its `finish-bind`.
    pub bind_in_progress: bool,
}

/// An `incoming-datagram-stream` object.
#[derive(Debug)]
pub struct IncomingStream {
    /// The socket.
    pub socket: Rc<RefCell<UdpSocket>>,
    /// The socket's rep (the stream is its child).
    pub parent: u32,
}

/// An `outgoing-datagram-stream` object.
#[derive(Debug)]
pub struct OutgoingStream {
    /// The socket.
    pub socket: Rc<RefCell<UdpSocket>>,
    /// The socket's rep (the stream is its child).
    pub parent: u32,
    /// Datagrams the last `check-send` granted.
    pub permit: usize,
}

/// `incoming-datagram`.
#[derive(Debug)]
pub struct IncomingDatagram {
    /// The payload.
    pub data: Bytes,
    /// The sender.
    pub remote_address: IpSocketAddress,
}

// By hand rather than `wit_record!`: the payload is lowered as one copy
// (`Bytes`), which has no lifting.
impl ComponentType for IncomingDatagram {
    const FLAT: usize = Bytes::FLAT + IpSocketAddress::FLAT;
    const SIZE32: u32 = kiln_canon::compound::record_size(&[
        (Bytes::SIZE32, Bytes::ALIGN32),
        (IpSocketAddress::SIZE32, IpSocketAddress::ALIGN32),
    ]);
    const ALIGN32: u32 = kiln_canon::compound::record_align(&[
        (Bytes::SIZE32, Bytes::ALIGN32),
        (IpSocketAddress::SIZE32, IpSocketAddress::ALIGN32),
    ]);
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        let data = Bytes::describe(b)?;
        let addr = IpSocketAddress::describe(b)?;
        b.add(TypeDef::Record(&[("data", data), ("remote-address", addr)]))
    }
}

impl Lower for IncomingDatagram {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        self.data.lower_flat(cx, dst)?;
        self.remote_address.lower_flat(cx, dst)
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        let mut end = 0;
        self.data.store(cx, ptr + next_field::<Bytes>(&mut end))?;
        self.remote_address
            .store(cx, ptr + next_field::<IpSocketAddress>(&mut end))
    }
}

kiln_canon::wit_record! {
    /// `outgoing-datagram`.
    #[derive(Debug)]
    pub struct OutgoingDatagram {
        pub data: Vec<u8>,
        pub remote_address: Option<IpSocketAddress>,
    }
}

/// A socket call's outcome in WIT terms.
type Res<T> = Result<Result<T, ErrorCode>, Trap>;

fn entry<'h>(h: &'h mut P2Host, this: &Borrow<UdpSocketRes>) -> Result<&'h mut UdpEntry, Trap> {
    h.sockets
        .udp
        .get_mut(this.rep())
        .ok_or_else(|| no_object("udp-socket"))
}

/// Runs a kernel call on socket `this`, mapping its error.
fn with<T>(
    h: &mut P2Host,
    this: &Borrow<UdpSocketRes>,
    f: impl FnOnce(&mut UdpSocket) -> NetResult<T>,
) -> Res<T> {
    let e = entry(h, this)?;
    let r = f(&mut e.socket.borrow_mut());
    Ok(r.map_err(ErrorCode::from))
}

/// `create-udp-socket`.
pub fn create_udp_socket(h: &mut P2Host, (family,): (IpAddressFamily,)) -> Res<Own<UdpSocketRes>> {
    let policy = h.net_policy();
    Ok(match UdpSocket::new(policy, family.into()) {
        Ok(s) => Ok(Own::new(h.sockets.udp.insert(UdpEntry {
            socket: Rc::new(RefCell::new(s)),
            bind_in_progress: false,
        }))),
        Err(e) => Err(e.into()),
    })
}

/// `start-bind`.
pub fn start_bind(
    h: &mut P2Host,
    (this, _network, addr): (Borrow<UdpSocketRes>, Borrow<NetworkRes>, IpSocketAddress),
) -> Res<()> {
    let e = entry(h, &this)?;
    if e.bind_in_progress {
        return Ok(Err(ErrorCode::ConcurrencyConflict));
    }
    // Live datagram streams share the socket: no rebinding under them.
    let Some(socket) = Rc::get_mut(&mut e.socket) else {
        return Ok(Err(ErrorCode::InvalidState));
    };
    if let Err(err) = socket.get_mut().bind(SocketAddr::from(&addr)) {
        return Ok(Err(err.into()));
    }
    e.bind_in_progress = true;
    Ok(Ok(()))
}

/// `finish-bind`.
pub fn finish_bind(h: &mut P2Host, (this,): (Borrow<UdpSocketRes>,)) -> Res<()> {
    let e = entry(h, &this)?;
    if !e.bind_in_progress {
        return Ok(Err(ErrorCode::NotInProgress));
    }
    e.bind_in_progress = false;
    Ok(Ok(()))
}

/// `stream`: (re)sets the peer and hands out a new pair of streams.
pub fn stream(
    h: &mut P2Host,
    (this, remote): (Borrow<UdpSocketRes>, Option<IpSocketAddress>),
) -> Res<(
    Own<IncomingDatagramStreamRes>,
    Own<OutgoingDatagramStreamRes>,
)> {
    let rep = this.rep();
    let e = entry(h, &this)?;
    // The streams of an earlier `stream` hold the socket too.
    if Rc::strong_count(&e.socket) > 1 {
        return Err(kiln_canon::trap::trap("UDP streams not dropped yet"));
    }
    let Some(socket) = Rc::get_mut(&mut e.socket) else {
        return Err(kiln_canon::trap::trap("`connect` needs exclusive access"));
    };
    let socket = socket.get_mut();
    // In WASI 0.2 a socket must be bound explicitly before connecting.
    if !socket.is_bound() {
        return Ok(Err(ErrorCode::InvalidState));
    }
    let r = match &remote {
        Some(addr) => socket.connect(SocketAddr::from(addr)),
        None if socket.is_connected() => socket.disconnect(),
        None => Ok(()),
    };
    if let Err(err) = r {
        return Ok(Err(err.into()));
    }
    let shared = e.socket.clone();
    let incoming = h.sockets.incoming.insert(IncomingStream {
        socket: shared.clone(),
        parent: rep,
    });
    let outgoing = h.sockets.outgoing.insert(OutgoingStream {
        socket: shared,
        parent: rep,
        permit: 0,
    });
    h.io.add_child(UdpSocketRes::TYPE, rep);
    h.io.add_child(UdpSocketRes::TYPE, rep);
    Ok(Ok((Own::new(incoming), Own::new(outgoing))))
}

/// `local-address`.
pub fn local_address(h: &mut P2Host, (this,): (Borrow<UdpSocketRes>,)) -> Res<IpSocketAddress> {
    Ok(with(h, &this, |s| s.local_address())?.map(IpSocketAddress::from))
}

/// `remote-address`.
pub fn remote_address(h: &mut P2Host, (this,): (Borrow<UdpSocketRes>,)) -> Res<IpSocketAddress> {
    Ok(with(h, &this, |s| s.remote_address())?.map(IpSocketAddress::from))
}

/// `address-family`.
pub fn address_family(
    h: &mut P2Host,
    (this,): (Borrow<UdpSocketRes>,),
) -> Result<IpAddressFamily, Trap> {
    Ok(entry(h, &this)?.socket.borrow().family().into())
}

/// `unicast-hop-limit`.
pub fn unicast_hop_limit(h: &mut P2Host, (this,): (Borrow<UdpSocketRes>,)) -> Res<u8> {
    with(h, &this, |s| s.hop_limit())
}

/// `set-unicast-hop-limit`.
pub fn set_unicast_hop_limit(h: &mut P2Host, (this, value): (Borrow<UdpSocketRes>, u8)) -> Res<()> {
    with(h, &this, |s| s.set_hop_limit(value))
}

socket_options!(UdpSocketRes {
    receive_buffer_size, set_receive_buffer_size: u64;
    send_buffer_size, set_send_buffer_size: u64;
});

fn always(_h: &P2Host, _rep: u32) -> Readiness {
    Readiness::Always
}

/// A child pollable of object `rep` of type `ty`.
fn child(
    h: &mut P2Host,
    ty: ResourceType,
    rep: u32,
    current: fn(&P2Host, u32) -> Readiness,
) -> Own<PollableRes> {
    h.new_pollable(Readiness::Child(Parent {
        ty,
        rep,
        current,
        on_ready: None,
        settles: false,
    }))
}

/// `udp-socket.subscribe`: ready at once (no socket-level operation
/// blocks).
pub fn subscribe(
    h: &mut P2Host,
    (this,): (Borrow<UdpSocketRes>,),
) -> Result<Own<PollableRes>, Trap> {
    entry(h, &this)?;
    Ok(child(h, UdpSocketRes::TYPE, this.rep(), always))
}

/// `incoming-datagram-stream.receive`.
pub fn receive(
    h: &mut P2Host,
    (this, max): (Borrow<IncomingDatagramStreamRes>, u64),
) -> Res<Vec<IncomingDatagram>> {
    let s = h
        .sockets
        .incoming
        .get_mut(this.rep())
        .ok_or_else(|| no_object("incoming-datagram-stream"))?;
    let max = usize::try_from(max)
        .unwrap_or(usize::MAX)
        .min(MAX_DATAGRAMS);
    let mut out = Vec::new();
    let mut sum = 0;
    let mut socket = s.socket.borrow_mut();
    while out.len() < max && sum < MAX_RECEIVE_BYTES {
        match socket.recv() {
            Ok((data, from)) => {
                sum += 1 + data.len();
                out.push(IncomingDatagram {
                    data: Bytes(data),
                    remote_address: from.into(),
                });
            }
            Err(NetError::WouldBlock) => break,
            Err(_) if !out.is_empty() => break,
            Err(e) => return Ok(Err(e.into())),
        }
    }
    Ok(Ok(out))
}

fn incoming_current(h: &P2Host, rep: u32) -> Readiness {
    match h.sockets.incoming.get(rep) {
        Some(s) => Readiness::Fd {
            fd: s.socket.borrow().raw_fd(),
            write: false,
        },
        None => Readiness::Always,
    }
}

/// `incoming-datagram-stream.subscribe`: ready when a datagram arrived.
pub fn incoming_subscribe(
    h: &mut P2Host,
    (this,): (Borrow<IncomingDatagramStreamRes>,),
) -> Result<Own<PollableRes>, Trap> {
    Ok(child(
        h,
        IncomingDatagramStreamRes::TYPE,
        this.rep(),
        incoming_current,
    ))
}

fn outgoing<'h>(
    h: &'h mut P2Host,
    this: &Borrow<OutgoingDatagramStreamRes>,
) -> Result<&'h mut OutgoingStream, Trap> {
    h.sockets
        .outgoing
        .get_mut(this.rep())
        .ok_or_else(|| no_object("outgoing-datagram-stream"))
}

/// `outgoing-datagram-stream.check-send`.
pub fn check_send(h: &mut P2Host, (this,): (Borrow<OutgoingDatagramStreamRes>,)) -> Res<u64> {
    let s = outgoing(h, &this)?;
    s.permit = MAX_DATAGRAMS;
    Ok(Ok(MAX_DATAGRAMS as u64))
}

/// `outgoing-datagram-stream.send`: the number of datagrams sent.
pub fn send(
    h: &mut P2Host,
    (this, datagrams): (Borrow<OutgoingDatagramStreamRes>, Vec<OutgoingDatagram>),
) -> Res<u64> {
    let s = outgoing(h, &this)?;
    if datagrams.is_empty() {
        return Ok(Ok(0));
    }
    if datagrams.len() > s.permit {
        return Err(kiln_canon::trap::trap(
            "unpermitted: argument exceeds permitted size",
        ));
    }
    // Each `send` must be permitted by a preceding `check-send`.
    s.permit = 0;
    let mut socket = s.socket.borrow_mut();
    let mut count = 0u64;
    for d in &datagrams {
        let addr = d.remote_address.as_ref().map(SocketAddr::from);
        match socket.send(&d.data, addr) {
            Ok(()) => count += 1,
            Err(NetError::WouldBlock) => break,
            // WIT: once a datagram was sent, send never fails.
            Err(_) if count > 0 => break,
            Err(e) => return Ok(Err(e.into())),
        }
    }
    Ok(Ok(count))
}

/// `outgoing-datagram-stream.subscribe`: ready at once (sends do not wait
/// for a grant).
pub fn outgoing_subscribe(
    h: &mut P2Host,
    (this,): (Borrow<OutgoingDatagramStreamRes>,),
) -> Result<Own<PollableRes>, Trap> {
    outgoing(h, &this)?;
    Ok(child(
        h,
        OutgoingDatagramStreamRes::TYPE,
        this.rep(),
        always,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_datagram_layout() {
        // list (8) + ip-socket-address (32, align 4).
        assert_eq!(IncomingDatagram::SIZE32, 40);
        assert_eq!(IncomingDatagram::ALIGN32, 4);
        assert_eq!(OutgoingDatagram::SIZE32, 44);
    }
}
