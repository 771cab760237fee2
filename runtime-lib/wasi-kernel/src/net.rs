//! Sockets: the network policy granted to the guest and socket descriptors;
//! the `wasi:sockets` machinery (ABI-neutral, shared by the 0.2 and future
//! 0.3 facades) is in [`inet`] (families, address rules, errors),
//! [`tcp`], [`udp`], [`sockopt`] and [`lookup`].
//!
//! Phase: run time. Inputs: `GRANT_FLAG_*` network bits; host sockets.
//! Outputs: [`NetPolicy`] queried by the facades, [`Socket`] operations.
//!
//! Invariants: WASI P1 has no way to create sockets and Wasmtime preopens
//! none (its `sock_*` functions answer `ENOTSOCK` for every valid
//! descriptor), so no P1 guest ever holds a [`Socket`] today. The type and its
//! operations exist so that a `--tcplisten`-style preopen and the P2
//! `wasi:sockets` facade reuse this kernel instead of growing their own.

pub mod inet;
pub mod lookup;
pub mod sockopt;
pub mod tcp;
pub mod udp;

use super::error::{ErrorCode, KResult};
use kiln_abi::grants::{
    GRANT_FLAG_INHERIT_NETWORK, GRANT_FLAG_IP_NAME_LOOKUP, GRANT_FLAG_TCP, GRANT_FLAG_UDP,
};
use rustix::fd::OwnedFd;

/// What sends pass, and the socket errors only some OSes have (the
/// platform's).
pub use kiln_platform::net::{SEND_FLAGS, errno, recv_into, wake_pair};

/// What the guest may do on the network.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct NetPolicy {
    /// Any address may be used (`-S inherit-network`).
    pub inherit_network: bool,
    /// TCP sockets allowed.
    pub tcp: bool,
    /// UDP sockets allowed.
    pub udp: bool,
    /// Name lookups allowed.
    pub ip_name_lookup: bool,
}

impl NetPolicy {
    /// Decodes the grant flags. TCP and UDP follow their own bits only: in
    /// wasmtime an explicit `-S tcp=n` wins over `-S inherit-network`
    /// whatever their order, and Kiln's CLI sets both bits by default (as
    /// wasmtime allows both unless told otherwise).
    pub fn from_flags(flags: u32) -> NetPolicy {
        let inherit_network = flags & GRANT_FLAG_INHERIT_NETWORK != 0;
        NetPolicy {
            inherit_network,
            tcp: flags & GRANT_FLAG_TCP != 0,
            udp: flags & GRANT_FLAG_UDP != 0,
            ip_name_lookup: flags & GRANT_FLAG_IP_NAME_LOOKUP != 0,
        }
    }

    /// Whether the guest may create a socket of the kind that `allowed`
    /// (`self.tcp` or `self.udp`) grants: only with a network grant, as in
    /// Wasmtime 49, so that without one no host socket is ever opened (a
    /// guest could otherwise hold as many as the fd limit allows).
    pub fn check_create(&self, allowed: bool) -> inet::NetResult<()> {
        if allowed && self.inherit_network {
            Ok(())
        } else {
            Err(inet::NetError::AccessDenied)
        }
    }

    /// Whether the guest may use socket address `addr` (bind, connect,
    /// listen, send): wasmtime's socket address check, which allows every
    /// address with `-S inherit-network` and none otherwise.
    pub fn check_address(&self, _addr: std::net::SocketAddr) -> inet::NetResult<()> {
        if self.inherit_network {
            Ok(())
        } else {
            Err(inet::NetError::AccessDenied)
        }
    }
}

/// Which directions to shut down.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// Reads.
    Read,
    /// Writes.
    Write,
    /// Both.
    Both,
}

/// A connected or listening stream socket.
#[derive(Debug)]
pub struct Socket {
    /// The host socket.
    pub fd: OwnedFd,
}

impl Socket {
    /// Accepts one connection.
    pub fn accept(&self, nonblocking: bool) -> KResult<Socket> {
        let fd = kiln_platform::net::accept(&self.fd, nonblocking)
            .map_err(ErrorCode::from_socket_error)?;
        Ok(Socket { fd })
    }

    /// Receives into `buf`; `peek` leaves the data queued. Returns the byte
    /// count.
    pub fn recv(&self, buf: &mut [u8], peek: bool, wait_all: bool) -> KResult<usize> {
        let mut flags = rustix::net::RecvFlags::empty();
        if peek {
            flags |= rustix::net::RecvFlags::PEEK;
        }
        if wait_all {
            flags |= rustix::net::RecvFlags::WAITALL;
        }
        let (n, _) =
            rustix::net::recv(&self.fd, buf, flags).map_err(ErrorCode::from_socket_error)?;
        Ok(n)
    }

    /// Sends `buf`, returning the byte count.
    pub fn send(&self, buf: &[u8]) -> KResult<usize> {
        rustix::net::send(&self.fd, buf, kiln_platform::net::SEND_FLAGS)
            .map_err(ErrorCode::from_socket_error)
    }

    /// Shuts down one or both directions.
    pub fn shutdown(&self, how: Shutdown) -> KResult<()> {
        let how = match how {
            Shutdown::Read => rustix::net::Shutdown::Read,
            Shutdown::Write => rustix::net::Shutdown::Write,
            Shutdown::Both => rustix::net::Shutdown::Both,
        };
        rustix::net::shutdown(&self.fd, how).map_err(ErrorCode::from_socket_error)
    }
}

/// Fixtures shared by the [`tcp`] and [`udp`] tests.
#[cfg(test)]
mod test_fixtures {
    use super::NetPolicy;
    use std::net::SocketAddr;

    /// TCP and UDP on any address; no name lookups.
    pub(super) fn open() -> NetPolicy {
        NetPolicy {
            inherit_network: true,
            tcp: true,
            udp: true,
            ip_name_lookup: false,
        }
    }

    /// `s` as a socket address.
    pub(super) fn sa(s: &str) -> SocketAddr {
        s.parse().expect("test address")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_from_flags() {
        assert_eq!(NetPolicy::from_flags(0), NetPolicy::default());
        let all = GRANT_FLAG_INHERIT_NETWORK | GRANT_FLAG_TCP | GRANT_FLAG_UDP;
        let p = NetPolicy::from_flags(all);
        assert!(p.inherit_network && p.tcp && p.udp && !p.ip_name_lookup);
        // `-S inherit-network -S tcp=n`: TCP stays denied, as in wasmtime.
        let p = NetPolicy::from_flags(GRANT_FLAG_INHERIT_NETWORK | GRANT_FLAG_UDP);
        assert!(p.inherit_network && !p.tcp && p.udp);
    }

    #[test]
    fn socket_pair_roundtrip() {
        let (a, b) = rustix::net::socketpair(
            rustix::net::AddressFamily::UNIX,
            rustix::net::SocketType::STREAM,
            rustix::net::SocketFlags::CLOEXEC,
            None,
        )
        .unwrap();
        let (a, b) = (Socket { fd: a }, Socket { fd: b });
        assert_eq!(a.send(b"ping").unwrap(), 4);
        let mut buf = [0u8; 8];
        assert_eq!(b.recv(&mut buf, true, false).unwrap(), 4);
        assert_eq!(b.recv(&mut buf, false, false).unwrap(), 4);
        assert_eq!(&buf[..4], b"ping");
        a.shutdown(Shutdown::Write).unwrap();
        assert_eq!(b.recv(&mut buf, false, false).unwrap(), 0);
        assert_eq!(a.accept(false).err(), Some(ErrorCode::Invalid));
    }
}
