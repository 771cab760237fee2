//! TCP sockets: the bind / listen / connect / accept state machine of
//! `wasi:sockets` over non-blocking host sockets.
//!
//! Phase: run time. Inputs: the [`NetPolicy`], guest addresses and option
//! values. Outputs: [`TcpSocket`]s, connected descriptors for the facades'
//! streams, [`NetError`]s.
//!
//! Invariants (as Wasmtime's `crates/wasi/src/sockets/tcp.rs`):
//! - states: `Default` (maybe bound) -> `Listening`, or -> `Connecting` ->
//!   `Connected` / `Closed(error)`; an accepted socket starts `Connected`;
//!   no state is ever left backwards;
//! - every check (address validity, then the policy) happens before the
//!   syscall it guards; a refused connect is reported when it is finished,
//!   not when it is started (wasmtime checks inside the connect future);
//! - IPv6 sockets are `IPV6_V6ONLY`; `bind` sets `SO_REUSEADDR`; `listen`
//!   on an unbound socket binds the wildcard address first;
//! - descriptors are non-blocking and close-on-exec.

use super::NetPolicy;
use super::inet::{
    Family, NetError, NetResult, is_valid_address_family, is_valid_remote_address,
    is_valid_unicast_address, socket_addr,
};
use super::sockopt;
use kiln_platform::net::errno;
use rustix::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use rustix::io::Errno;
use rustix::net::SocketType;
use std::net::SocketAddr;
use std::rc::Rc;

/// `listen`'s default backlog (the Rust standard library's).
pub const DEFAULT_BACKLOG: u32 = 128;

/// Where a TCP socket is in its life.
#[derive(Debug)]
enum TcpState {
    /// Created, maybe bound.
    Default(OwnedFd),
    /// Listening.
    Listening(OwnedFd),
    /// Connecting: `outcome` is `None` while the host is still at it.
    Connecting {
        fd: OwnedFd,
        outcome: Option<NetResult<()>>,
    },
    /// Connected (shared with the streams the facades hand out).
    Connected {
        fd: Rc<OwnedFd>,
        streams_taken: bool,
    },
    /// Failed for good.
    Closed(NetError),
}

/// A TCP socket.
#[derive(Debug)]
pub struct TcpSocket {
    state: TcpState,
    family: Family,
    backlog: u32,
    policy: NetPolicy,
    /// Cached: once bound, a socket never becomes unbound.
    is_bound: bool,
}

fn new_socket(family: Family, ty: SocketType) -> NetResult<OwnedFd> {
    let fd = kiln_platform::net::socket(family.host(), ty, true)?;
    if family == Family::Ipv6 {
        // WASI: "On IPv6 sockets, IPV6_V6ONLY is enabled by default and
        // can't be configured otherwise."
        rustix::net::sockopt::set_ipv6_v6only(&fd, true)?;
    }
    Ok(fd)
}

/// A new non-blocking socket of `family` and type `ty` (shared with UDP).
pub(super) fn socket(family: Family, ty: SocketType) -> NetResult<OwnedFd> {
    new_socket(family, ty)
}

/// Whether `fd` is ready for `events` now (a zero-timeout `poll`).
pub(super) fn ready_now(fd: BorrowedFd<'_>, events: rustix::event::PollFlags) -> bool {
    let mut fds = [rustix::event::PollFd::from_borrowed_fd(fd, events)];
    let zero = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    matches!(rustix::event::poll(&mut fds, Some(&zero)), Ok(n) if n > 0)
}

/// Whether `fd` can take more output now.
pub fn writable_now(fd: BorrowedFd<'_>) -> bool {
    ready_now(fd, rustix::event::PollFlags::OUT)
}

impl TcpSocket {
    /// A new socket of `family`; `AccessDenied` unless TCP is granted.
    pub fn new(policy: NetPolicy, family: Family) -> NetResult<TcpSocket> {
        policy.check_create(policy.tcp)?;
        let fd = new_socket(family, SocketType::STREAM)?;
        Ok(TcpSocket {
            state: TcpState::Default(fd),
            family,
            backlog: DEFAULT_BACKLOG,
            policy,
            is_bound: false,
        })
    }

    /// The address family.
    pub fn family(&self) -> Family {
        self.family
    }

    fn fd(&self) -> NetResult<BorrowedFd<'_>> {
        match &self.state {
            TcpState::Default(fd) | TcpState::Listening(fd) => Ok(fd.as_fd()),
            TcpState::Connected { fd, .. } => Ok(fd.as_fd()),
            TcpState::Connecting { .. } => Err(NetError::InvalidState),
            TcpState::Closed(e) => Err(*e),
        }
    }

    /// The host descriptor, whatever the state (for readiness), if any.
    pub fn raw_fd(&self) -> Option<crate::reactor::RawFd> {
        match &self.state {
            TcpState::Default(fd) | TcpState::Listening(fd) => Some(fd.as_raw_fd()),
            TcpState::Connecting { fd, .. } => Some(fd.as_raw_fd()),
            TcpState::Connected { fd, .. } => Some(fd.as_raw_fd()),
            TcpState::Closed(_) => None,
        }
    }

    /// Whether the socket has a local address.
    pub fn is_bound(&mut self) -> bool {
        if !self.is_bound {
            self.is_bound = match &self.state {
                TcpState::Default(fd) => rustix::net::getsockname(fd)
                    .ok()
                    .and_then(socket_addr)
                    .is_some_and(|a| a != self.family.unspecified()),
                _ => true,
            };
        }
        self.is_bound
    }

    /// Binds to `addr`.
    pub fn bind(&mut self, addr: SocketAddr) -> NetResult<()> {
        if self.is_bound() {
            return Err(NetError::InvalidState);
        }
        let TcpState::Default(fd) = &self.state else {
            return Err(NetError::InvalidState);
        };
        if !is_valid_unicast_address(addr.ip()) || !is_valid_address_family(addr.ip(), self.family)
        {
            return Err(NetError::InvalidArgument);
        }
        self.policy.check_address(addr)?;
        bind(fd, addr)
    }

    /// Starts connecting to `addr`. Argument errors come back now; the
    /// policy's refusal and host errors come from [`Self::finish_connect`].
    pub fn start_connect(&mut self, addr: SocketAddr) -> NetResult<()> {
        if !matches!(self.state, TcpState::Default(_)) {
            return Err(NetError::InvalidState);
        }
        if !is_valid_unicast_address(addr.ip())
            || !is_valid_remote_address(addr)
            || !is_valid_address_family(addr.ip(), self.family)
        {
            return Err(NetError::InvalidArgument);
        }
        let already_bound = self.is_bound();
        let state = std::mem::replace(&mut self.state, TcpState::Closed(NetError::Other));
        let TcpState::Default(fd) = state else {
            unreachable!("checked above");
        };
        let allowed = if already_bound {
            self.policy.check_address(addr)
        } else {
            self.policy
                .check_address(self.family.unspecified())
                .and_then(|()| self.policy.check_address(addr))
        };
        let outcome = match allowed {
            Err(e) => Some(Err(e)),
            Ok(()) => match rustix::net::connect(&fd, &addr) {
                Ok(()) => Some(Ok(())),
                Err(e) if e == errno::CONNECTING => None,
                Err(e) => Some(Err(e.into())),
            },
        };
        self.state = TcpState::Connecting { fd, outcome };
        Ok(())
    }

    /// Whether a connect is still under way in the host (for readiness).
    pub fn is_connect_pending(&self) -> bool {
        matches!(self.state, TcpState::Connecting { outcome: None, .. })
    }

    /// Finishes a connect: `None` while the host is still at it.
    pub fn finish_connect(&mut self) -> Option<NetResult<()>> {
        match &mut self.state {
            TcpState::Connecting { fd, outcome } => {
                if outcome.is_none() {
                    if !ready_now(fd.as_fd(), rustix::event::PollFlags::OUT) {
                        return None;
                    }
                    *outcome = Some(match rustix::net::sockopt::socket_error(&*fd) {
                        Ok(Ok(())) => Ok(()),
                        Ok(Err(e)) | Err(e) => Err(e.into()),
                    });
                }
            }
            TcpState::Connected { .. } => return Some(Ok(())),
            TcpState::Closed(e) => return Some(Err(*e)),
            _ => return Some(Err(NetError::InvalidState)),
        }
        let state = std::mem::replace(&mut self.state, TcpState::Closed(NetError::Other));
        let TcpState::Connecting {
            fd,
            outcome: Some(outcome),
        } = state
        else {
            unreachable!("set above");
        };
        match outcome {
            Ok(()) => {
                self.state = TcpState::Connected {
                    fd: Rc::new(fd),
                    streams_taken: false,
                };
                Some(Ok(()))
            }
            Err(e) => {
                self.state = TcpState::Closed(e);
                Some(Err(e))
            }
        }
    }

    /// Starts listening (binding the wildcard address first if unbound).
    pub fn listen(&mut self) -> NetResult<()> {
        let already_bound = self.is_bound();
        let TcpState::Default(fd) = &self.state else {
            return Err(NetError::InvalidState);
        };
        if already_bound {
            let local = rustix::net::getsockname(fd)?;
            let local = socket_addr(local).ok_or(NetError::Other)?;
            self.policy.check_address(local)?;
        } else {
            self.policy.check_address(self.family.unspecified())?;
            bind(fd, self.family.unspecified())?;
        }
        let backlog = i32::try_from(self.backlog).unwrap_or(i32::MAX);
        rustix::net::listen(fd, backlog)?;
        let state = std::mem::replace(&mut self.state, TcpState::Closed(NetError::Other));
        let TcpState::Default(fd) = state else {
            unreachable!("checked above");
        };
        self.state = TcpState::Listening(fd);
        Ok(())
    }

    /// Whether the socket is listening.
    pub fn is_listening(&self) -> bool {
        matches!(self.state, TcpState::Listening(_))
    }

    /// Accepts a connection: `WouldBlock` if none is pending.
    pub fn accept(&mut self) -> NetResult<TcpSocket> {
        let TcpState::Listening(fd) = &self.state else {
            return Err(NetError::InvalidState);
        };
        let client = match kiln_platform::net::accept(fd, true) {
            Ok(c) => c,
            Err(Errno::AGAIN | Errno::INTR) => return Err(NetError::WouldBlock),
            // Linux passes pending network errors of the new connection on
            // through accept; wasmtime normalizes them to ECONNABORTED.
            Err(
                Errno::CONNRESET
                | Errno::NETRESET
                | Errno::HOSTUNREACH
                | Errno::HOSTDOWN
                | Errno::NETDOWN
                | Errno::NETUNREACH
                | Errno::NOPROTOOPT
                | Errno::OPNOTSUPP,
            ) => return Err(NetError::ConnectionAborted),
            Err(e) if errno::is(e, errno::PROTO) || errno::is(e, errno::NONET) => {
                return Err(NetError::ConnectionAborted);
            }
            Err(e) => return Err(e.into()),
        };
        Ok(TcpSocket {
            state: TcpState::Connected {
                fd: Rc::new(client),
                streams_taken: false,
            },
            family: self.family,
            backlog: DEFAULT_BACKLOG,
            policy: self.policy,
            is_bound: true,
        })
    }

    /// The connected descriptor for the socket's two streams (once).
    pub fn take_streams(&mut self) -> NetResult<Rc<OwnedFd>> {
        match &mut self.state {
            TcpState::Connected { fd, streams_taken } if !*streams_taken => {
                *streams_taken = true;
                Ok(fd.clone())
            }
            TcpState::Closed(e) => Err(*e),
            _ => Err(NetError::InvalidState),
        }
    }

    /// The local address.
    pub fn local_address(&mut self) -> NetResult<SocketAddr> {
        if !self.is_bound() {
            return Err(NetError::InvalidState);
        }
        let fd = self.fd()?;
        socket_addr(rustix::net::getsockname(fd)?).ok_or(NetError::Other)
    }

    /// The peer's address.
    pub fn remote_address(&self) -> NetResult<SocketAddr> {
        match &self.state {
            TcpState::Connected { fd, .. } => rustix::net::getpeername(&**fd)?
                .and_then(socket_addr)
                .ok_or(NetError::InvalidState),
            TcpState::Closed(e) => Err(*e),
            _ => Err(NetError::InvalidState),
        }
    }

    /// Sets the listen backlog (0 refused; clamped to 1..=i32::MAX);
    /// re-listens if already listening.
    pub fn set_listen_backlog_size(&mut self, value: u64) -> NetResult<()> {
        if value == 0 {
            return Err(NetError::InvalidArgument);
        }
        let value = u32::try_from(value)
            .unwrap_or(i32::MAX as u32)
            .clamp(1, i32::MAX as u32);
        match &self.state {
            TcpState::Default(_) => {
                self.backlog = value;
                Ok(())
            }
            TcpState::Listening(fd) => {
                if rustix::net::listen(fd, value as i32).is_err() {
                    return Err(NetError::NotSupported);
                }
                self.backlog = value;
                Ok(())
            }
            TcpState::Closed(e) => Err(*e),
            _ => Err(NetError::InvalidState),
        }
    }

    /// `SO_KEEPALIVE`.
    pub fn keep_alive_enabled(&self) -> NetResult<bool> {
        sockopt::keep_alive_enabled(self.fd()?)
    }

    /// Sets `SO_KEEPALIVE`.
    pub fn set_keep_alive_enabled(&self, value: bool) -> NetResult<()> {
        sockopt::set_keep_alive_enabled(self.fd()?, value)
    }

    /// Keep-alive idle time (ns).
    pub fn keep_alive_idle_time(&self) -> NetResult<u64> {
        sockopt::keep_alive_idle_time(self.fd()?)
    }

    /// Sets the keep-alive idle time (ns; 0 refused).
    pub fn set_keep_alive_idle_time(&self, nanos: u64) -> NetResult<()> {
        if nanos == 0 {
            return Err(NetError::InvalidArgument);
        }
        sockopt::set_keep_alive_idle_time(self.fd()?, nanos)
    }

    /// Keep-alive interval (ns).
    pub fn keep_alive_interval(&self) -> NetResult<u64> {
        sockopt::keep_alive_interval(self.fd()?)
    }

    /// Sets the keep-alive interval (ns; 0 refused).
    pub fn set_keep_alive_interval(&self, nanos: u64) -> NetResult<()> {
        if nanos == 0 {
            return Err(NetError::InvalidArgument);
        }
        sockopt::set_keep_alive_interval(self.fd()?, nanos)
    }

    /// Keep-alive probe count.
    pub fn keep_alive_count(&self) -> NetResult<u32> {
        sockopt::keep_alive_count(self.fd()?)
    }

    /// Sets the keep-alive probe count (0 refused).
    pub fn set_keep_alive_count(&self, count: u32) -> NetResult<()> {
        if count == 0 {
            return Err(NetError::InvalidArgument);
        }
        sockopt::set_keep_alive_count(self.fd()?, count)
    }

    /// Unicast hop limit.
    pub fn hop_limit(&self) -> NetResult<u8> {
        sockopt::hop_limit(self.fd()?, self.family)
    }

    /// Sets the unicast hop limit (0 refused).
    pub fn set_hop_limit(&self, value: u8) -> NetResult<()> {
        sockopt::set_hop_limit(self.fd()?, self.family, value)
    }

    /// Receive buffer size.
    pub fn receive_buffer_size(&self) -> NetResult<u64> {
        sockopt::receive_buffer_size(self.fd()?)
    }

    /// Sets the receive buffer size (0 refused).
    pub fn set_receive_buffer_size(&self, value: u64) -> NetResult<()> {
        sockopt::set_receive_buffer_size(self.fd()?, value)
    }

    /// Send buffer size.
    pub fn send_buffer_size(&self) -> NetResult<u64> {
        sockopt::send_buffer_size(self.fd()?)
    }

    /// Sets the send buffer size (0 refused).
    pub fn set_send_buffer_size(&self, value: u64) -> NetResult<()> {
        sockopt::set_send_buffer_size(self.fd()?, value)
    }
}

/// `bind(2)` with `SO_REUSEADDR` (WASI: binding is not affected by
/// `TIME_WAIT`).
fn bind(fd: &OwnedFd, addr: SocketAddr) -> NetResult<()> {
    if kiln_platform::net::REUSE_ADDRESS_ON_BIND {
        let _ = rustix::net::sockopt::set_socket_reuseaddr(fd, true);
    }
    rustix::net::bind(fd, &addr).map_err(|e| match e {
        Errno::AFNOSUPPORT => NetError::InvalidArgument,
        e => e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_fixtures::{open, sa};
    use super::*;

    #[test]
    fn denied_without_grants() {
        // No host socket without a network grant, even with TCP allowed,
        // nor with a network grant but TCP refused (`-S tcp=n`).
        let tcp_only = NetPolicy {
            tcp: true,
            ..NetPolicy::default()
        };
        let network_without_tcp = NetPolicy {
            inherit_network: true,
            udp: true,
            ..NetPolicy::default()
        };
        for policy in [NetPolicy::default(), tcp_only, network_without_tcp] {
            for family in [Family::Ipv4, Family::Ipv6] {
                assert_eq!(
                    TcpSocket::new(policy, family).err(),
                    Some(NetError::AccessDenied)
                );
            }
        }
    }

    #[test]
    fn loopback_listen_connect_accept() {
        let mut l = TcpSocket::new(open(), Family::Ipv4).expect("socket");
        assert!(!l.is_bound());
        assert_eq!(l.local_address(), Err(NetError::InvalidState));
        l.bind(sa("127.0.0.1:0")).expect("bind");
        assert_eq!(l.bind(sa("127.0.0.1:0")), Err(NetError::InvalidState));
        l.listen().expect("listen");
        assert!(l.is_listening());
        assert_eq!(l.accept().err(), Some(NetError::WouldBlock));
        let addr = l.local_address().expect("local");
        let mut c = TcpSocket::new(open(), Family::Ipv4).expect("socket");
        c.start_connect(addr).expect("connect");
        assert_eq!(c.start_connect(addr), Err(NetError::InvalidState));
        let mut done = None;
        for _ in 0..1000 {
            done = c.finish_connect();
            if done.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(done, Some(Ok(())));
        assert_eq!(c.remote_address(), Ok(addr));
        let mut s = l.accept().expect("accept");
        assert_eq!(s.remote_address(), c.local_address());
        assert!(s.take_streams().is_ok());
        assert_eq!(s.take_streams().err(), Some(NetError::InvalidState));
        assert_eq!(l.set_listen_backlog_size(0), Err(NetError::InvalidArgument));
        assert_eq!(l.set_listen_backlog_size(u64::MAX), Ok(()));
    }

    #[test]
    fn connect_argument_checks() {
        let mut c = TcpSocket::new(open(), Family::Ipv6).expect("socket");
        assert_eq!(
            c.start_connect(sa("127.0.0.1:80")),
            Err(NetError::InvalidArgument)
        );
        assert_eq!(
            c.start_connect(sa("[::]:80")),
            Err(NetError::InvalidArgument)
        );
        assert_eq!(
            c.start_connect(sa("[ff02::1]:80")),
            Err(NetError::InvalidArgument)
        );
        assert_eq!(
            c.start_connect(sa("[::1]:0")),
            Err(NetError::InvalidArgument)
        );
        assert_eq!(c.set_keep_alive_count(0), Err(NetError::InvalidArgument));
    }
}
