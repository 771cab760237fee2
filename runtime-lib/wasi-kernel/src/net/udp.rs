//! UDP sockets: bind, connect ("stream" to a fixed peer), send and receive
//! datagrams over non-blocking host sockets.
//!
//! Phase: run time. Inputs: the [`NetPolicy`], guest addresses, datagrams.
//! Outputs: [`UdpSocket`]s, received datagrams, [`NetError`]s.
//!
//! Invariants (as Wasmtime's `crates/wasi/src/sockets/udp.rs`): checks
//! (argument validity, then the policy) precede the syscall; a connected
//! socket only sends to, and only reports datagrams from, its peer; a
//! datagram is at most 65535 bytes. Sends are synchronous: where wasmtime
//! finishes a send that would block on a background task, Kiln waits for
//! the socket to become writable (UDP send buffers are rarely full).

use super::NetPolicy;
use super::inet::{
    Family, NetError, NetResult, is_valid_address_family, is_valid_remote_address, socket_addr,
};
use super::sockopt;
use super::tcp::socket;
use rustix::fd::{AsFd, AsRawFd, OwnedFd};
use rustix::io::Errno;
use rustix::net::{RecvFlags, SocketType};
use std::net::SocketAddr;

/// The largest datagram (the UDP length field's limit).
pub const MAX_DATAGRAM_SIZE: usize = u16::MAX as usize;

/// A UDP socket.
#[derive(Debug)]
pub struct UdpSocket {
    fd: OwnedFd,
    family: Family,
    policy: NetPolicy,
    /// Cached: once bound, a socket never becomes unbound.
    is_bound: bool,
    /// The connected peer.
    remote: Option<SocketAddr>,
}

impl UdpSocket {
    /// A new socket of `family`; `AccessDenied` unless UDP is granted.
    pub fn new(policy: NetPolicy, family: Family) -> NetResult<UdpSocket> {
        policy.check_create(policy.udp)?;
        Ok(UdpSocket {
            fd: socket(family, SocketType::DGRAM)?,
            family,
            policy,
            is_bound: false,
            remote: None,
        })
    }

    /// The address family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The host descriptor (for readiness).
    pub fn raw_fd(&self) -> crate::reactor::RawFd {
        self.fd.as_raw_fd()
    }

    /// Whether the socket has a local address.
    pub fn is_bound(&mut self) -> bool {
        if !self.is_bound {
            self.is_bound = rustix::net::getsockname(&self.fd)
                .ok()
                .and_then(socket_addr)
                .is_some_and(|a| a != self.family.unspecified());
        }
        self.is_bound
    }

    /// The local address.
    pub fn local_address(&mut self) -> NetResult<SocketAddr> {
        if !self.is_bound() {
            return Err(NetError::InvalidState);
        }
        socket_addr(rustix::net::getsockname(&self.fd)?).ok_or(NetError::Other)
    }

    /// The connected peer.
    pub fn remote_address(&self) -> NetResult<SocketAddr> {
        self.remote.ok_or(NetError::InvalidState)
    }

    /// Whether a peer is set.
    pub fn is_connected(&self) -> bool {
        self.remote.is_some()
    }

    /// Binds to `addr`.
    pub fn bind(&mut self, addr: SocketAddr) -> NetResult<()> {
        if self.is_bound() {
            return Err(NetError::InvalidState);
        }
        if !is_valid_address_family(addr.ip(), self.family) {
            return Err(NetError::InvalidArgument);
        }
        self.policy.check_address(addr)?;
        rustix::net::bind(&self.fd, &addr).map_err(|e| match e {
            Errno::AFNOSUPPORT => NetError::InvalidArgument,
            e => e.into(),
        })
    }

    /// Sets the peer (a local operation: no packet is sent).
    pub fn connect(&mut self, addr: SocketAddr) -> NetResult<()> {
        if !is_valid_address_family(addr.ip(), self.family) || !is_valid_remote_address(addr) {
            return Err(NetError::InvalidArgument);
        }
        if !self.is_bound() {
            self.policy.check_address(self.family.unspecified())?;
        }
        self.policy.check_address(addr)?;
        let result = match rustix::net::connect(&self.fd, &addr) {
            // Linux does not move a connected socket to the interface of a
            // new route: dissolve the association and connect again.
            Err(Errno::INVAL) => {
                let _ = rustix::net::connect_unspec(&self.fd);
                rustix::net::connect(&self.fd, &addr)
            }
            Err(Errno::AFNOSUPPORT) => Err(Errno::INVAL),
            Err(e) if e == kiln_platform::net::errno::CONNECTING => Ok(()),
            r => r,
        };
        self.update_remote_address();
        result.map_err(NetError::from)
    }

    /// Forgets the peer.
    pub fn disconnect(&mut self) -> NetResult<()> {
        if !self.is_connected() {
            return Err(NetError::InvalidState);
        }
        // Linux may drop the local port of a wildcard-bound socket here;
        // the socket still counts as bound (as in wasmtime).
        self.is_bound = true;
        let result = rustix::net::connect_unspec(&self.fd);
        self.update_remote_address();
        result.map_err(NetError::from)
    }

    fn update_remote_address(&mut self) {
        self.remote = rustix::net::getpeername(&self.fd)
            .ok()
            .flatten()
            .and_then(socket_addr)
            .filter(|a| *a != self.family.unspecified());
    }

    /// Sends one datagram to `addr` (or the peer), waiting for buffer
    /// space if the socket has none.
    pub fn send(&mut self, data: &[u8], addr: Option<SocketAddr>) -> NetResult<()> {
        self.send_with(data, addr, true)
    }

    /// [`Self::send`] without waiting: `WouldBlock` when the socket has no
    /// buffer space (the checks before the syscall are the same).
    pub fn try_send(&mut self, data: &[u8], addr: Option<SocketAddr>) -> NetResult<()> {
        self.send_with(data, addr, false)
    }

    fn send_with(&mut self, data: &[u8], addr: Option<SocketAddr>, block: bool) -> NetResult<()> {
        if data.len() > MAX_DATAGRAM_SIZE {
            return Err(NetError::DatagramTooLarge);
        }
        let connected = self.remote;
        let target = match addr {
            Some(addr) => {
                if !is_valid_remote_address(addr)
                    || !is_valid_address_family(addr.ip(), self.family)
                {
                    return Err(NetError::InvalidArgument);
                }
                if connected.is_some() && connected != Some(addr) {
                    return Err(NetError::InvalidArgument);
                }
                addr
            }
            None => connected.ok_or(NetError::InvalidArgument)?,
        };
        if !self.is_bound() {
            self.policy.check_address(self.family.unspecified())?;
        }
        self.policy.check_address(target)?;
        loop {
            let r = if connected == Some(target) {
                rustix::net::send(&self.fd, data, kiln_platform::net::SEND_FLAGS)
            } else {
                rustix::net::sendto(&self.fd, data, kiln_platform::net::SEND_FLAGS, &target)
            };
            match r {
                Ok(_) => return Ok(()),
                Err(Errno::AGAIN) if !block => return Err(NetError::WouldBlock),
                Err(Errno::AGAIN) => wait(&self.fd, rustix::event::PollFlags::OUT),
                Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Receives one datagram without blocking (`WouldBlock` if none);
    /// datagrams from others than a connected peer are skipped.
    pub fn recv(&mut self) -> NetResult<(Vec<u8>, SocketAddr)> {
        if !self.is_bound() {
            return Err(NetError::InvalidState);
        }
        loop {
            let mut data = vec![0; MAX_DATAGRAM_SIZE];
            let (len, from) =
                match rustix::net::recvfrom(&self.fd, &mut data[..], RecvFlags::empty()) {
                    Ok((n, _, from)) => (n, from),
                    Err(Errno::AGAIN | Errno::INTR) => return Err(NetError::WouldBlock),
                    Err(e) => return Err(e.into()),
                };
            let Some(from) = from.and_then(socket_addr) else {
                continue;
            };
            if self.remote.is_some_and(|r| r != from) {
                continue;
            }
            data.truncate(len);
            return Ok((data, from));
        }
    }

    /// Unicast hop limit.
    pub fn hop_limit(&self) -> NetResult<u8> {
        sockopt::hop_limit(&self.fd, self.family)
    }

    /// Sets the unicast hop limit (0 refused).
    pub fn set_hop_limit(&self, value: u8) -> NetResult<()> {
        sockopt::set_hop_limit(&self.fd, self.family, value)
    }

    /// Receive buffer size.
    pub fn receive_buffer_size(&self) -> NetResult<u64> {
        sockopt::receive_buffer_size(&self.fd)
    }

    /// Sets the receive buffer size (0 refused).
    pub fn set_receive_buffer_size(&self, value: u64) -> NetResult<()> {
        sockopt::set_receive_buffer_size(&self.fd, value)
    }

    /// Send buffer size.
    pub fn send_buffer_size(&self) -> NetResult<u64> {
        sockopt::send_buffer_size(&self.fd)
    }

    /// Sets the send buffer size (0 refused).
    pub fn set_send_buffer_size(&self, value: u64) -> NetResult<()> {
        sockopt::set_send_buffer_size(&self.fd, value)
    }
}

/// Blocks until `fd` is ready for `events`.
pub(super) fn wait(fd: &OwnedFd, events: rustix::event::PollFlags) {
    let mut fds = [rustix::event::PollFd::from_borrowed_fd(fd.as_fd(), events)];
    let _ = rustix::event::poll(&mut fds, None);
}

#[cfg(test)]
mod tests {
    use super::super::test_fixtures::{open, sa};
    use super::*;

    #[test]
    fn loopback_datagrams() {
        let mut a = UdpSocket::new(open(), Family::Ipv4).expect("a");
        let mut b = UdpSocket::new(open(), Family::Ipv4).expect("b");
        assert_eq!(a.recv().err(), Some(NetError::InvalidState));
        a.bind(sa("127.0.0.1:0")).expect("bind a");
        b.bind(sa("127.0.0.1:0")).expect("bind b");
        let (aa, ba) = (a.local_address().expect("a"), b.local_address().expect("b"));
        assert_eq!(a.recv().err(), Some(NetError::WouldBlock));
        assert_eq!(b.send(b"x", None), Err(NetError::InvalidArgument));
        b.send(b"hello", Some(aa)).expect("send");
        let mut got = Err(NetError::WouldBlock);
        for _ in 0..1000 {
            got = a.recv();
            if got != Err(NetError::WouldBlock) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(got, Ok((b"hello".to_vec(), ba)));
        a.connect(ba).expect("connect");
        assert_eq!(a.remote_address(), Ok(ba));
        assert_eq!(a.send(b"x", Some(aa)), Err(NetError::InvalidArgument));
        a.disconnect().expect("disconnect");
        assert_eq!(a.disconnect(), Err(NetError::InvalidState));
        assert_eq!(
            a.send(&vec![0; MAX_DATAGRAM_SIZE + 1], Some(ba)),
            Err(NetError::DatagramTooLarge)
        );
    }

    #[test]
    fn denied_without_grants() {
        // No host socket without a network grant, even with UDP allowed,
        // nor with a network grant but UDP refused (`-S udp=n`).
        let udp_only = NetPolicy {
            udp: true,
            ..NetPolicy::default()
        };
        let network_without_udp = NetPolicy {
            inherit_network: true,
            tcp: true,
            ..NetPolicy::default()
        };
        for policy in [NetPolicy::default(), udp_only, network_without_udp] {
            for family in [Family::Ipv4, Family::Ipv6] {
                assert_eq!(
                    UdpSocket::new(policy, family).err(),
                    Some(NetError::AccessDenied)
                );
            }
        }
    }
}
