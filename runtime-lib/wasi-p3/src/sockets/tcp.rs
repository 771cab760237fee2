//! `wasi:sockets/types@0.3.tcp-socket`: the kernel's TCP state machine
//! (`kiln_wasi_kernel::net::tcp`, the one the 0.2 facade drives) behind the
//! 0.3 methods.
//!
//! Phase: run time (host functions and host stream ends). Inputs: socket
//! handles, addresses, option values; readiness from the reactor.
//! Outputs: sockets, `error-code`s, streams and futures.
//!
//! Invariants (as Wasmtime 49's 0.3 sockets):
//! - `connect` is an `async func`: argument errors come back at once, the
//!   host's answer when the connect finishes (the reactor says the socket
//!   is writable);
//! - `listen` binds an unbound socket to the wildcard address; its stream
//!   yields one accepted socket per element, BLOCKED on the reactor while
//!   none is pending;
//! - `send` and `receive` work once each on a connected socket (else their
//!   futures resolve `invalid-state` at once); the guest dropping the
//!   stream it writes shuts the connection down for writing, dropping the
//!   stream it reads shuts it down for reading (both resolve the future
//!   `ok`); a host error ends the stream and resolves the future with its
//!   code; copies are non-blocking, BLOCKED on `EAGAIN`.

use super::types::{ErrorCode, IpAddressFamily, IpSocketAddress};
use super::{Res, TcpSocket3Res, borrowed_rep, no_object, pending::Attempt};
use kiln_abi::component::{CanonOpts, LoweredHostFn, Type, TypeDef, TypeIndex};
use kiln_canon::p3::{HostSink, HostSource, HostWait, SinkWrite, SourceRead};
use kiln_canon::{Borrow, ComponentRuntime, ComponentType, Host, Own, Resource, Trap};
use kiln_wasi_kernel::net::inet::{NetError, NetResult};
use kiln_wasi_kernel::net::tcp::TcpSocket;
use kiln_wasi_p2::table::{Describe, Impl, host_fn};
use kiln_wasi_p2::{P2Host, with_host};
use rustix::fd::{AsRawFd, OwnedFd};
use rustix::io::Errno;
use std::net::SocketAddr;
use std::rc::Rc;

/// A `tcp-socket` object.
#[derive(Debug)]
pub struct Tcp3 {
    /// The kernel socket.
    pub socket: TcpSocket,
    /// The connection, once `send` or `receive` took it.
    conn: Option<Rc<OwnedFd>>,
    /// `send` was called.
    sending: bool,
    /// `receive` was called.
    receiving: bool,
    /// Unique for the process: a rep is reused once its socket is gone,
    /// an accept stream must not follow it to the next socket.
    id: u64,
}

/// The next [`Tcp3::id`].
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Tcp3 {
    fn new(socket: TcpSocket) -> Tcp3 {
        Tcp3 {
            socket,
            conn: None,
            sending: false,
            receiving: false,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The connection for one of its two halves (`send` with `write`).
    fn half(&mut self, write: bool) -> NetResult<Rc<OwnedFd>> {
        let taken = if write { self.sending } else { self.receiving };
        if taken {
            return Err(NetError::InvalidState);
        }
        let fd = match &self.conn {
            Some(fd) => fd.clone(),
            None => {
                let fd = self.socket.take_streams()?;
                self.conn = Some(fd.clone());
                fd
            }
        };
        if write {
            self.sending = true;
        } else {
            self.receiving = true;
        }
        Ok(fd)
    }
}

fn entry(h: &mut P2Host, rep: u32) -> Result<&mut Tcp3, Trap> {
    super::sockets3(h)
        .tcp
        .get_mut(rep)
        .ok_or_else(|| no_object("tcp-socket"))
}

/// Runs a kernel call on socket `this`, mapping its error.
fn with<T>(
    h: &mut P2Host,
    this: &Borrow<TcpSocket3Res>,
    f: impl FnOnce(&mut TcpSocket) -> NetResult<T>,
) -> Res<T> {
    Ok(f(&mut entry(h, this.rep())?.socket).map_err(ErrorCode::from))
}

/// The WASI host behind a `dyn Host`.
pub fn p2host(host: &mut dyn Host) -> Result<&mut P2Host, Trap> {
    let host: &mut dyn std::any::Any = host;
    host.downcast_mut::<P2Host>()
        .ok_or_else(|| kiln_canon::trap::trap("the WASI host is not installed"))
}

const TYPES: &str = "wasi:sockets/types@0.3";

/// The `tcp-socket` host functions.
#[rustfmt::skip]
pub const IMPLS: &[Impl] = &[
    (TYPES, "[static]tcp-socket.create", host_fn!(create)),
    (TYPES, "[method]tcp-socket.bind", host_fn!(bind)),
    (TYPES, "[method]tcp-socket.connect", super::pending_fn!(connect, connect_type, Ok(()))),
    (TYPES, "[method]tcp-socket.listen", (listen as LoweredHostFn, DESCRIBE_LISTEN)),
    (TYPES, "[method]tcp-socket.send", (send as LoweredHostFn, DESCRIBE_SEND)),
    (TYPES, "[method]tcp-socket.receive", (receive as LoweredHostFn, DESCRIBE_RECEIVE)),
    (TYPES, "[method]tcp-socket.get-local-address", host_fn!(get_local_address)),
    (TYPES, "[method]tcp-socket.get-remote-address", host_fn!(get_remote_address)),
    (TYPES, "[method]tcp-socket.get-is-listening", host_fn!(get_is_listening)),
    (TYPES, "[method]tcp-socket.get-address-family", host_fn!(get_address_family)),
    (TYPES, "[method]tcp-socket.set-listen-backlog-size", host_fn!(set_listen_backlog_size)),
    (TYPES, "[method]tcp-socket.get-keep-alive-enabled", host_fn!(get_keep_alive_enabled)),
    (TYPES, "[method]tcp-socket.set-keep-alive-enabled", host_fn!(set_keep_alive_enabled)),
    (TYPES, "[method]tcp-socket.get-keep-alive-idle-time", host_fn!(get_keep_alive_idle_time)),
    (TYPES, "[method]tcp-socket.set-keep-alive-idle-time", host_fn!(set_keep_alive_idle_time)),
    (TYPES, "[method]tcp-socket.get-keep-alive-interval", host_fn!(get_keep_alive_interval)),
    (TYPES, "[method]tcp-socket.set-keep-alive-interval", host_fn!(set_keep_alive_interval)),
    (TYPES, "[method]tcp-socket.get-keep-alive-count", host_fn!(get_keep_alive_count)),
    (TYPES, "[method]tcp-socket.set-keep-alive-count", host_fn!(set_keep_alive_count)),
    (TYPES, "[method]tcp-socket.get-hop-limit", host_fn!(get_hop_limit)),
    (TYPES, "[method]tcp-socket.set-hop-limit", host_fn!(set_hop_limit)),
    (TYPES, "[method]tcp-socket.get-receive-buffer-size", host_fn!(get_receive_buffer_size)),
    (TYPES, "[method]tcp-socket.set-receive-buffer-size", host_fn!(set_receive_buffer_size)),
    (TYPES, "[method]tcp-socket.get-send-buffer-size", host_fn!(get_send_buffer_size)),
    (TYPES, "[method]tcp-socket.set-send-buffer-size", host_fn!(set_send_buffer_size)),
];

/// `[static]tcp-socket.create`: `access-denied` without the TCP grant.
pub fn create(h: &mut P2Host, (family,): (IpAddressFamily,)) -> Res<Own<TcpSocket3Res>> {
    let policy = h.net_policy();
    Ok(match TcpSocket::new(policy, family.into()) {
        Ok(s) => Ok(Own::new(super::sockets3(h).tcp.insert(Tcp3::new(s)))),
        Err(e) => Err(e.into()),
    })
}

/// `bind`.
pub fn bind(h: &mut P2Host, (this, addr): (Borrow<TcpSocket3Res>, IpSocketAddress)) -> Res<()> {
    with(h, &this, |s| s.bind(SocketAddr::from(&addr)))
}

/// The WIT type of `connect` (for its fingerprint).
fn connect_type(_: &mut P2Host, _: (Borrow<TcpSocket3Res>, IpSocketAddress)) -> Res<()> {
    Err(kiln_canon::trap::trap("a type only"))
}

/// `connect`: started now, finished when the reactor says the socket is
/// writable.
pub fn connect(
    h: &mut P2Host,
    (this, addr): (Borrow<TcpSocket3Res>, IpSocketAddress),
) -> Result<Attempt<Result<(), ErrorCode>>, Trap> {
    let rep = this.rep();
    let mut refused = entry(h, rep)?
        .socket
        .start_connect(SocketAddr::from(&addr))
        .err();
    Ok(Box::new(move |h: &mut P2Host| {
        if let Some(e) = refused.take() {
            return Ok(Ok(Err(e.into())));
        }
        let s = &mut entry(h, rep)?.socket;
        Ok(match s.finish_connect() {
            Some(r) => Ok(r.map_err(ErrorCode::from)),
            None => Err(HostWait::Fd {
                fd: s.raw_fd().unwrap_or(kiln_wasi_kernel::reactor::NO_FD),
                write: true,
            }),
        })
    }))
}

/// `get-local-address`.
pub fn get_local_address(
    h: &mut P2Host,
    (this,): (Borrow<TcpSocket3Res>,),
) -> Res<IpSocketAddress> {
    with(h, &this, |s| s.local_address().map(IpSocketAddress::from))
}

/// `get-remote-address`.
pub fn get_remote_address(
    h: &mut P2Host,
    (this,): (Borrow<TcpSocket3Res>,),
) -> Res<IpSocketAddress> {
    with(h, &this, |s| s.remote_address().map(IpSocketAddress::from))
}

/// `get-is-listening`.
pub fn get_is_listening(h: &mut P2Host, (this,): (Borrow<TcpSocket3Res>,)) -> Result<bool, Trap> {
    Ok(entry(h, this.rep())?.socket.is_listening())
}

/// `get-address-family`.
pub fn get_address_family(
    h: &mut P2Host,
    (this,): (Borrow<TcpSocket3Res>,),
) -> Result<IpAddressFamily, Trap> {
    Ok(entry(h, this.rep())?.socket.family().into())
}

/// `set-listen-backlog-size`.
pub fn set_listen_backlog_size(
    h: &mut P2Host,
    (this, value): (Borrow<TcpSocket3Res>, u64),
) -> Res<()> {
    with(h, &this, |s| s.set_listen_backlog_size(value))
}

/// Socket option getters and setters, straight to the kernel's methods.
macro_rules! options {
    ($($get:ident = $kget:ident, $set:ident = $kset:ident: $ty:ty;)*) => {$(
        #[doc = concat!("`", stringify!($get), "`.")]
        pub fn $get(h: &mut P2Host, (this,): (Borrow<TcpSocket3Res>,)) -> Res<$ty> {
            with(h, &this, |s| s.$kget())
        }

        #[doc = concat!("`", stringify!($set), "`.")]
        pub fn $set(h: &mut P2Host, (this, value): (Borrow<TcpSocket3Res>, $ty)) -> Res<()> {
            with(h, &this, |s| s.$kset(value))
        }
    )*};
}

options! {
    get_keep_alive_enabled = keep_alive_enabled, set_keep_alive_enabled = set_keep_alive_enabled: bool;
    get_keep_alive_idle_time = keep_alive_idle_time, set_keep_alive_idle_time = set_keep_alive_idle_time: u64;
    get_keep_alive_interval = keep_alive_interval, set_keep_alive_interval = set_keep_alive_interval: u64;
    get_keep_alive_count = keep_alive_count, set_keep_alive_count = set_keep_alive_count: u32;
    get_hop_limit = hop_limit, set_hop_limit = set_hop_limit: u8;
    get_receive_buffer_size = receive_buffer_size, set_receive_buffer_size = set_receive_buffer_size: u64;
    get_send_buffer_size = send_buffer_size, set_send_buffer_size = set_send_buffer_size: u64;
}

/// Size and alignment of `result<_, error-code>`.
const RESULT_LAYOUT: (u32, u32) = (
    <Result<(), ErrorCode> as ComponentType>::SIZE32,
    <Result<(), ErrorCode> as ComponentType>::ALIGN32,
);

/// The bytes of a host-written `result<_, error-code>` (payload-free
/// cases only: `other` is written as `other(none)`).
pub(crate) fn result_bytes(r: &Result<(), ErrorCode>) -> Vec<u8> {
    let mut v = vec![0; RESULT_LAYOUT.0 as usize];
    if let Err(e) = r {
        v[0] = 1;
        v[RESULT_LAYOUT.1 as usize] = e.case();
    }
    v
}

/// A listening socket as the writable end of the guest's
/// `stream<tcp-socket>`: each read accepts one connection.
struct AcceptSource {
    /// The listener's rep.
    listener: u32,
    /// The listener's [`Tcp3::id`].
    id: u64,
}

impl HostSource for AcceptSource {
    fn read(&mut self, host: &mut dyn Host, buf: &mut [u8]) -> Result<SourceRead, Trap> {
        let h = p2host(host)?;
        // The listener gone (dropped by the guest) ends the stream.
        let l = match super::sockets3(h).tcp.get_mut(self.listener) {
            Some(l) if l.id == self.id => l,
            _ => return Ok(SourceRead::End),
        };
        if buf.is_empty() {
            return Ok(SourceRead::Data(0));
        }
        loop {
            return match l.socket.accept() {
                Ok(s) => {
                    let rep = super::sockets3(h).tcp.insert(Tcp3::new(s));
                    Ok(SourceRead::Handles(vec![(TcpSocket3Res::TYPE, rep)]))
                }
                Err(NetError::WouldBlock) => match l.socket.raw_fd() {
                    Some(fd) => Ok(SourceRead::Blocked(HostWait::Fd { fd, write: false })),
                    None => Ok(SourceRead::End),
                },
                // A connection that failed before it was accepted: the
                // next one.
                Err(NetError::ConnectionAborted) => continue,
                Err(_) => Ok(SourceRead::End),
            };
        }
    }

    fn closed(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        None
    }

    fn ended(&mut self) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        None
    }
}

/// The connection as the writable end of the guest's receive stream.
struct TcpSource {
    /// `None` once ended (or never connected).
    fd: Option<Rc<OwnedFd>>,
    /// The result future (channel); `None` once written.
    future: Option<u32>,
    /// What the future reports when the stream ends.
    outcome: Result<(), ErrorCode>,
}

impl TcpSource {
    fn resolve(&mut self) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        self.future
            .take()
            .map(|f| (f, result_bytes(&self.outcome).into()))
    }
}

impl HostSource for TcpSource {
    fn read(&mut self, _host: &mut dyn Host, buf: &mut [u8]) -> Result<SourceRead, Trap> {
        let Some(fd) = &self.fd else {
            return Ok(SourceRead::End);
        };
        if buf.is_empty() {
            return Ok(SourceRead::Data(0));
        }
        loop {
            return match rustix::net::recv(&**fd, &mut *buf, rustix::net::RecvFlags::empty()) {
                Ok((0, _)) => {
                    self.fd = None;
                    Ok(SourceRead::End)
                }
                Ok((n, _)) => Ok(SourceRead::Data(n)),
                Err(Errno::AGAIN) => Ok(SourceRead::Blocked(HostWait::Fd {
                    fd: fd.as_raw_fd(),
                    write: false,
                })),
                Err(Errno::INTR) => continue,
                Err(e) => {
                    self.outcome = Err(NetError::from(e).into());
                    self.fd = None;
                    Ok(SourceRead::End)
                }
            };
        }
    }

    fn closed(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        if let Some(fd) = self.fd.take() {
            // Dropping the read half is `shutdown(SHUT_RD)` (the WIT).
            let _ = rustix::net::shutdown(&*fd, rustix::net::Shutdown::Read);
        }
        self.resolve()
    }

    fn ended(&mut self) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        self.resolve()
    }
}

/// The connection as the readable end of the guest's send stream.
struct TcpSink {
    /// `None` once failed (or never connected).
    fd: Option<Rc<OwnedFd>>,
    /// The result future (channel); `None` once written.
    future: Option<u32>,
}

impl HostSink for TcpSink {
    fn write(&mut self, _host: &mut dyn Host, data: &[u8]) -> Result<SinkWrite, Trap> {
        let Some(fd) = &self.fd else {
            return Ok(SinkWrite::Closed(None));
        };
        if data.is_empty() {
            return Ok(SinkWrite::Wrote(0));
        }
        loop {
            return match rustix::net::send(&**fd, data, kiln_wasi_kernel::net::SEND_FLAGS) {
                Ok(n) => Ok(SinkWrite::Wrote(n)),
                Err(Errno::AGAIN) => Ok(SinkWrite::Blocked(HostWait::Fd {
                    fd: fd.as_raw_fd(),
                    write: true,
                })),
                Err(Errno::INTR) => continue,
                Err(e) => {
                    self.fd = None;
                    let bytes = result_bytes(&Err(NetError::from(e).into()));
                    Ok(SinkWrite::Closed(
                        self.future.take().map(|f| (f, bytes.into())),
                    ))
                }
            };
        }
    }

    fn finish(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        if let Some(fd) = self.fd.take() {
            // The end of the data is `shutdown(SHUT_WR)` (the WIT).
            let _ = rustix::net::shutdown(&*fd, rustix::net::Shutdown::Write);
        }
        self.future
            .take()
            .map(|f| (f, result_bytes(&Ok(())).into()))
    }
}

/// The parameter and result types of the lowered function of `opts`.
fn func_types(rt: &ComponentRuntime, opts: &CanonOpts) -> (Vec<u32>, Option<u32>) {
    match rt.component.func_type(opts.func_type) {
        Some((p, r)) => (p.to_vec(), r.first().copied()),
        None => (Vec::new(), None),
    }
}

/// The two element types of a tuple type, or the `ok` type of a result.
fn inner_types(rt: &ComponentRuntime, ty: Option<u32>) -> (u32, u32) {
    let t = |x: Option<TypeIndex>| x.map_or(u32::MAX, |t| t.0);
    match ty.and_then(|r| rt.component.types().get(TypeIndex(r))) {
        Some(Type::Tuple(ch)) => {
            let mut it = ch.iter().map(|c| t(c.ty));
            (it.next().unwrap_or(u32::MAX), it.next().unwrap_or(u32::MAX))
        }
        Some(Type::Result { ok, err }) => (t(ok), t(err)),
        _ => (u32::MAX, u32::MAX),
    }
}

/// `listen() -> result<stream<tcp-socket>, error-code>`: slots `[self,
/// retptr]`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn listen(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        super::super::entry(opts, slots, n, |rt, opts, slots| {
            let inst = opts.component_instance;
            let rep = borrowed_rep(rt, opts, TcpSocket3Res::TYPE, slots[0] as u32)?;
            let ptr = slots[1] as u32;
            let listened = with_host(rt, |h| {
                let e = entry(h, rep)?;
                Ok(e.socket.listen().map(|()| e.id))
            })?;
            let (_, result) = func_types(rt, opts);
            let (stream_ty, _) = inner_types(rt, result);
            let value: Result<u32, ErrorCode> = match listened {
                Ok(id) => {
                    let source = AcceptSource { listener: rep, id };
                    let elem = (4, 4);
                    Ok(rt
                        .with_p3(|cx| cx.host_stream(inst, stream_ty, elem, Box::new(source)))?
                        .1)
                }
                Err(e) => Err(e.into()),
            };
            super::pending::store(rt, opts, ptr, &value)
        })
    }
}

/// `send(data: stream<u8>) -> future<result<_, error-code>>`: slots
/// `[self, data]`, the future in slot 0.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn send(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        super::super::entry(opts, slots, n, |rt, opts, slots| {
            let inst = opts.component_instance;
            let rep = borrowed_rep(rt, opts, TcpSocket3Res::TYPE, slots[0] as u32)?;
            let h = slots[1] as u32;
            let half = with_host(rt, |host| Ok(entry(host, rep)?.half(true)))?;
            let (params, result) = func_types(rt, opts);
            let stream_ty = params.get(1).copied().unwrap_or(u32::MAX);
            let fh = rt.with_p3(|cx| {
                let future = cx.new_channel(true, result.unwrap_or(u32::MAX), RESULT_LAYOUT);
                let (fd, early) = match half {
                    Ok(fd) => (Some(fd), None),
                    Err(e) => (None, Some(result_bytes(&Err(e.into())))),
                };
                let sink = TcpSink {
                    fd,
                    future: early.is_none().then_some(future),
                };
                // The future is the guest's first: a stream already ended
                // finishes the sink inside `take_readable`.
                let fh = cx.guest_readable(inst, future)?;
                cx.take_readable(inst, h, stream_ty, Box::new(sink))?;
                if let Some(bytes) = early {
                    cx.write_future(future, bytes)?;
                }
                Ok(fh)
            })?;
            slots[0] = u64::from(fh);
            Ok(())
        })
    }
}

/// `receive() -> tuple<stream<u8>, future<result<_, error-code>>>`:
/// slots `[self, retptr]`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn receive(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        super::super::entry(opts, slots, n, |rt, opts, slots| {
            let inst = opts.component_instance;
            let rep = borrowed_rep(rt, opts, TcpSocket3Res::TYPE, slots[0] as u32)?;
            let ptr = slots[1] as u32;
            let half = with_host(rt, |host| Ok(entry(host, rep)?.half(false)))?;
            let (_, result) = func_types(rt, opts);
            let (stream_ty, future_ty) = inner_types(rt, result);
            let (sh, fh) = rt.with_p3(|cx| {
                let future = cx.new_channel(true, future_ty, RESULT_LAYOUT);
                let (fd, early) = match half {
                    Ok(fd) => (Some(fd), None),
                    Err(e) => (None, Some(result_bytes(&Err(e.into())))),
                };
                let source = TcpSource {
                    fd,
                    future: early.is_none().then_some(future),
                    outcome: Ok(()),
                };
                let (_, sh) = cx.host_stream(inst, stream_ty, (1, 1), Box::new(source))?;
                let fh = cx.guest_readable(inst, future)?;
                if let Some(bytes) = early {
                    cx.write_future(future, bytes)?;
                }
                Ok((sh, fh))
            })?;
            super::super::store_pair(opts, ptr, sh, fh)
        })
    }
}

/// `borrow<tcp-socket>`.
fn this(
    b: &mut kiln_abi::component::TypeTableBuilder,
) -> Result<TypeIndex, kiln_abi::component::TypeError> {
    b.add(TypeDef::Borrow(TcpSocket3Res::TYPE.type_operand()))
}

/// `future<result<_, error-code>>`.
fn result_future(
    b: &mut kiln_abi::component::TypeTableBuilder,
) -> Result<TypeIndex, kiln_abi::component::TypeError> {
    let r = <Result<(), ErrorCode> as ComponentType>::describe(b)?;
    b.add(TypeDef::Future(Some(r)))
}

/// The type of `listen`.
const DESCRIBE_LISTEN: Describe = |b| {
    let this = this(b)?;
    let own = b.add(TypeDef::Own(TcpSocket3Res::TYPE.type_operand()))?;
    let s = b.add(TypeDef::Stream(Some(own)))?;
    let e = <ErrorCode as ComponentType>::describe(b)?;
    let params = b.add(TypeDef::Tuple(&[this]))?;
    Ok((
        params,
        b.add(TypeDef::Result {
            ok: Some(s),
            err: Some(e),
        })?,
    ))
};

/// The type of `send`.
const DESCRIBE_SEND: Describe = |b| {
    let this = this(b)?;
    let u8_ = b.add(TypeDef::U8)?;
    let s = b.add(TypeDef::Stream(Some(u8_)))?;
    let params = b.add(TypeDef::Tuple(&[this, s]))?;
    Ok((params, result_future(b)?))
};

/// The type of `receive`.
const DESCRIBE_RECEIVE: Describe = |b| {
    let this = this(b)?;
    let u8_ = b.add(TypeDef::U8)?;
    let s = b.add(TypeDef::Stream(Some(u8_)))?;
    let f = result_future(b)?;
    let params = b.add(TypeDef::Tuple(&[this]))?;
    Ok((params, b.add(TypeDef::Tuple(&[s, f]))?))
};

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_canon::fixture::stored;

    /// The hand-laid bytes of the futures `send` and `receive` resolve
    /// are what the canonical ABI stores for the same values.
    #[test]
    fn hand_laid_results_match_the_canonical_layout() {
        use ErrorCode as E;
        assert_eq!(result_bytes(&Ok(())), stored::<Result<(), E>>(&Ok(())));
        for e in [
            E::AccessDenied,
            E::NotSupported,
            E::InvalidArgument,
            E::OutOfMemory,
            E::Timeout,
            E::InvalidState,
            E::AddressNotBindable,
            E::AddressInUse,
            E::RemoteUnreachable,
            E::ConnectionRefused,
            E::ConnectionBroken,
            E::ConnectionReset,
            E::ConnectionAborted,
            E::DatagramTooLarge,
            E::Other(None),
        ] {
            let want = stored::<Result<(), E>>(&Err(e.clone()));
            assert_eq!(result_bytes(&Err(e.clone())), want, "{e:?}");
        }
    }
}
