//! `wasi:sockets/tcp` and `tcp-create-socket`: the WASI 0.2 start/finish
//! protocol over the kernel's TCP state machine
//! (`kiln_wasi_kernel::net::tcp`).
//!
//! Phase: run time (host functions). Inputs: socket handles, addresses,
//! option values. Outputs: sockets, streams, pollables, `error-code`s.
//!
//! Invariants (as Wasmtime's `p2/host/tcp.rs`): a `start-*` while
//! another operation is in progress is `concurrency-conflict`; a `finish-*`
//! that does not match the operation in progress is `not-in-progress`;
//! `finish-connect` of an unfinished connect is `would-block`;
//! `start-listen` needs an explicit bind (`invalid-state`); `accept` works
//! from `start-listen` on; `shutdown` needs the streams of a connection.
//! The `tcp-socket` pollable is ready when a connect finished, when a
//! listening socket (with no operation in progress) has a connection to
//! accept, and at once otherwise.
//! A wait that finds a listener's pollable ready (`block`, `poll`, a
//! `ready` that answers true) accepts the connection then and keeps the
//! outcome, a socket or an error, for the next `accept`, as wasmtime's
//! pollable does: the connection's host descriptor is taken at the wait
//! (which matters once the descriptor limit is reached).

use super::super::P2Host;
use super::super::io::{InputStreamRes, OutputStreamRes, Parent, PollableRes, Readiness};
use super::tcp_stream::{Connection, TcpReader, TcpWriter};
use super::types::{ErrorCode, IpAddressFamily, IpSocketAddress};
use super::{NetworkRes, TcpSocketRes, no_object, socket_options};
use kiln_canon::{Borrow, Own, Resource, Trap};
use kiln_wasi_kernel::net::inet::{NetError, NetResult};
use kiln_wasi_kernel::net::tcp::TcpSocket;
use std::net::SocketAddr;

/// The operation a `start-*` began and its `finish-*` completes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `start-bind`.
    Bind,
    /// `start-connect`.
    Connect,
    /// `start-listen`.
    Listen,
}

/// A `tcp-socket` object.
#[derive(Debug)]
pub struct TcpEntry {
    /// The kernel socket.
    pub socket: TcpSocket,
    /// The operation in progress.
    pub in_progress: Option<Operation>,
    /// Listening (from `start-listen` on).
    pub listening: bool,
    /// The connection's two sides, once its streams were handed out.
    pub connection: Option<Connection>,
    /// A connection (or the error) a wait on the listener's pollable
    /// accepted, for the next `accept` ([`accept_when_ready`]).
    pub pending_accept: Option<NetResult<TcpSocket>>,
}

impl TcpEntry {
    fn new(socket: TcpSocket) -> TcpEntry {
        TcpEntry {
            socket,
            in_progress: None,
            listening: false,
            connection: None,
            pending_accept: None,
        }
    }
}

/// A socket call's outcome in WIT terms.
type Res<T> = Result<Result<T, ErrorCode>, Trap>;

fn entry<'h>(h: &'h mut P2Host, this: &Borrow<TcpSocketRes>) -> Result<&'h mut TcpEntry, Trap> {
    h.sockets
        .tcp
        .get_mut(this.rep())
        .ok_or_else(|| no_object("tcp-socket"))
}

/// Runs a kernel call on socket `this`, mapping its error.
fn with<T>(
    h: &mut P2Host,
    this: &Borrow<TcpSocketRes>,
    f: impl FnOnce(&mut TcpSocket) -> NetResult<T>,
) -> Res<T> {
    Ok(f(&mut entry(h, this)?.socket).map_err(ErrorCode::from))
}

/// `create-tcp-socket`.
pub fn create_tcp_socket(h: &mut P2Host, (family,): (IpAddressFamily,)) -> Res<Own<TcpSocketRes>> {
    let policy = h.net_policy();
    Ok(match TcpSocket::new(policy, family.into()) {
        Ok(s) => Ok(Own::new(h.sockets.tcp.insert(TcpEntry::new(s)))),
        Err(e) => Err(e.into()),
    })
}

/// `start-bind`.
pub fn start_bind(
    h: &mut P2Host,
    (this, _network, addr): (Borrow<TcpSocketRes>, Borrow<NetworkRes>, IpSocketAddress),
) -> Res<()> {
    let e = entry(h, &this)?;
    if e.in_progress.is_some() {
        return Ok(Err(ErrorCode::ConcurrencyConflict));
    }
    if let Err(err) = e.socket.bind(SocketAddr::from(&addr)) {
        return Ok(Err(err.into()));
    }
    e.in_progress = Some(Operation::Bind);
    Ok(Ok(()))
}

fn finish(h: &mut P2Host, this: &Borrow<TcpSocketRes>, op: Operation) -> Res<()> {
    let e = entry(h, this)?;
    if e.in_progress != Some(op) {
        return Ok(Err(ErrorCode::NotInProgress));
    }
    e.in_progress = None;
    Ok(Ok(()))
}

/// `finish-bind`.
pub fn finish_bind(h: &mut P2Host, (this,): (Borrow<TcpSocketRes>,)) -> Res<()> {
    finish(h, &this, Operation::Bind)
}

/// `start-connect`.
pub fn start_connect(
    h: &mut P2Host,
    (this, _network, addr): (Borrow<TcpSocketRes>, Borrow<NetworkRes>, IpSocketAddress),
) -> Res<()> {
    let e = entry(h, &this)?;
    if e.in_progress.is_some() {
        return Ok(Err(ErrorCode::ConcurrencyConflict));
    }
    if let Err(err) = e.socket.start_connect(SocketAddr::from(&addr)) {
        return Ok(Err(err.into()));
    }
    e.in_progress = Some(Operation::Connect);
    Ok(Ok(()))
}

/// Hands out the streams of connected socket `rep`.
fn take_streams(h: &mut P2Host, rep: u32) -> Res<(Own<InputStreamRes>, Own<OutputStreamRes>)> {
    let e = h
        .sockets
        .tcp
        .get_mut(rep)
        .ok_or_else(|| no_object("tcp-socket"))?;
    let fd = match e.socket.take_streams() {
        Ok(fd) => fd,
        Err(err) => return Ok(Err(err.into())),
    };
    let conn = Connection::new(fd);
    e.connection = Some(conn.clone());
    let input = h.new_input(Box::new(TcpReader(conn.read)));
    let output = h.new_output(Box::new(TcpWriter(conn.write)));
    Ok(Ok((input, output)))
}

/// `finish-connect`.
pub fn finish_connect(
    h: &mut P2Host,
    (this,): (Borrow<TcpSocketRes>,),
) -> Res<(Own<InputStreamRes>, Own<OutputStreamRes>)> {
    let e = entry(h, &this)?;
    if e.in_progress != Some(Operation::Connect) {
        return Ok(Err(ErrorCode::NotInProgress));
    }
    let Some(result) = e.socket.finish_connect() else {
        return Ok(Err(ErrorCode::WouldBlock));
    };
    e.in_progress = None;
    if let Err(err) = result {
        return Ok(Err(err.into()));
    }
    take_streams(h, this.rep())
}

/// `start-listen`.
pub fn start_listen(h: &mut P2Host, (this,): (Borrow<TcpSocketRes>,)) -> Res<()> {
    let e = entry(h, &this)?;
    if e.in_progress.is_some() {
        return Ok(Err(ErrorCode::ConcurrencyConflict));
    }
    // In WASI 0.2 a socket must be bound explicitly before listening.
    if !e.socket.is_bound() {
        return Ok(Err(ErrorCode::InvalidState));
    }
    if let Err(err) = e.socket.listen() {
        return Ok(Err(err.into()));
    }
    e.in_progress = Some(Operation::Listen);
    e.listening = true;
    Ok(Ok(()))
}

/// `finish-listen`.
pub fn finish_listen(h: &mut P2Host, (this,): (Borrow<TcpSocketRes>,)) -> Res<()> {
    finish(h, &this, Operation::Listen)
}

/// `accept`.
pub fn accept(
    h: &mut P2Host,
    (this,): (Borrow<TcpSocketRes>,),
) -> Res<(Own<TcpSocketRes>, Own<InputStreamRes>, Own<OutputStreamRes>)> {
    let e = entry(h, &this)?;
    if !e.listening {
        return Ok(Err(ErrorCode::InvalidState));
    }
    let accepted = match e.pending_accept.take() {
        Some(outcome) => outcome,
        None => e.socket.accept(),
    };
    let client = match accepted {
        Ok(c) => c,
        Err(err) => return Ok(Err(err.into())),
    };
    let rep = h.sockets.tcp.insert(TcpEntry::new(client));
    match take_streams(h, rep)? {
        Ok((input, output)) => Ok(Ok((Own::new(rep), input, output))),
        Err(err) => {
            h.sockets.tcp.remove(rep);
            Ok(Err(err))
        }
    }
}

/// `local-address`.
pub fn local_address(h: &mut P2Host, (this,): (Borrow<TcpSocketRes>,)) -> Res<IpSocketAddress> {
    Ok(with(h, &this, |s| s.local_address())?.map(IpSocketAddress::from))
}

/// `remote-address`.
pub fn remote_address(h: &mut P2Host, (this,): (Borrow<TcpSocketRes>,)) -> Res<IpSocketAddress> {
    Ok(with(h, &this, |s| s.remote_address())?.map(IpSocketAddress::from))
}

/// `is-listening`.
pub fn is_listening(h: &mut P2Host, (this,): (Borrow<TcpSocketRes>,)) -> Result<bool, Trap> {
    Ok(entry(h, &this)?.socket.is_listening())
}

/// `address-family`.
pub fn address_family(
    h: &mut P2Host,
    (this,): (Borrow<TcpSocketRes>,),
) -> Result<IpAddressFamily, Trap> {
    Ok(entry(h, &this)?.socket.family().into())
}

/// `set-listen-backlog-size`.
pub fn set_listen_backlog_size(
    h: &mut P2Host,
    (this, value): (Borrow<TcpSocketRes>, u64),
) -> Res<()> {
    with(h, &this, |s| s.set_listen_backlog_size(value))
}

socket_options!(TcpSocketRes {
    keep_alive_enabled, set_keep_alive_enabled: bool;
    keep_alive_idle_time, set_keep_alive_idle_time: u64;
    keep_alive_interval, set_keep_alive_interval: u64;
    keep_alive_count, set_keep_alive_count: u32;
    hop_limit, set_hop_limit: u8;
    receive_buffer_size, set_receive_buffer_size: u64;
    send_buffer_size, set_send_buffer_size: u64;
});

/// The current condition of socket `rep` (its pollable's view).
fn current(h: &P2Host, rep: u32) -> Readiness {
    let Some(e) = h.sockets.tcp.get(rep) else {
        return Readiness::Always;
    };
    let fd = e.socket.raw_fd();
    match (e.in_progress, fd) {
        (Some(Operation::Connect), Some(fd)) if e.socket.is_connect_pending() => {
            Readiness::Fd { fd, write: true }
        }
        (None, _) if e.listening && e.pending_accept.is_some() => Readiness::Always,
        (None, Some(fd)) if e.listening => Readiness::Fd { fd, write: false },
        _ => Readiness::Always,
    }
}

/// A wait found the pollable of socket `rep` ready: a listener with no
/// operation in progress accepts now and keeps the outcome for `accept`
/// (a spurious wake-up, `would-block`, keeps nothing).
fn accept_when_ready(h: &mut P2Host, rep: u32) {
    let Some(e) = h.sockets.tcp.get_mut(rep) else {
        return;
    };
    if !e.listening || e.in_progress.is_some() || e.pending_accept.is_some() {
        return;
    }
    match e.socket.accept() {
        Err(NetError::WouldBlock) => {}
        outcome => e.pending_accept = Some(outcome),
    }
}

/// `subscribe`: a child pollable of the socket.
pub fn subscribe(
    h: &mut P2Host,
    (this,): (Borrow<TcpSocketRes>,),
) -> Result<Own<PollableRes>, Trap> {
    entry(h, &this)?;
    Ok(h.new_pollable(Readiness::Child(Parent {
        ty: TcpSocketRes::TYPE,
        rep: this.rep(),
        current,
        on_ready: Some(accept_when_ready),
        settles: false,
    })))
}

kiln_canon::wit_enum! {
    /// `shutdown-type`.
    pub enum ShutdownType {
        Receive = "receive",
        Send = "send",
        Both = "both",
    }
}

/// `shutdown`.
pub fn shutdown(h: &mut P2Host, (this, how): (Borrow<TcpSocketRes>, ShutdownType)) -> Res<()> {
    let e = entry(h, &this)?;
    let Some(conn) = &e.connection else {
        return Ok(Err(ErrorCode::InvalidState));
    };
    if matches!(how, ShutdownType::Receive | ShutdownType::Both) {
        conn.read.borrow_mut().shutdown();
    }
    if matches!(how, ShutdownType::Send | ShutdownType::Both) {
        conn.write.borrow_mut().shutdown();
    }
    Ok(Ok(()))
}
