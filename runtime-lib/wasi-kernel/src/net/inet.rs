//! Internet sockets: address families, the address rules `wasi:sockets`
//! imposes, and the socket error vocabulary.
//!
//! Phase: run time. Inputs: guest-chosen addresses, host `Errno`s.
//! Outputs: [`Family`], validation answers, [`NetError`].
//!
//! Invariants (as Wasmtime's `crates/wasi/src/sockets/mod.rs`, which
//! both WASI 0.2 and 0.3 share): IPv4-compatible and IPv4-mapped IPv6
//! addresses are never accepted on IPv6 sockets; errno values map to
//! [`NetError`] through one fixed list, anything else is
//! [`NetError::Other`] (notably `EMFILE` from `socket` and `accept`:
//! Wasmtime 49 answers `unknown`, not `new-socket-limit`). ABI
//! encodings (the WIT `error-code` numbering) live in the facades.

use kiln_platform::net::errno;
use rustix::io::Errno;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// An internet address family.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    Ipv4,
    /// IPv6 (`AF_INET6`, always `IPV6_V6ONLY`).
    Ipv6,
}

impl Family {
    /// The host address family.
    pub fn host(self) -> rustix::net::AddressFamily {
        match self {
            Family::Ipv4 => rustix::net::AddressFamily::INET,
            Family::Ipv6 => rustix::net::AddressFamily::INET6,
        }
    }

    /// The wildcard address with port 0 (what an unbound socket reports).
    pub fn unspecified(self) -> SocketAddr {
        match self {
            Family::Ipv4 => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
            Family::Ipv6 => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
        }
    }
}

/// Why a socket operation failed (the `wasi:sockets` vocabulary, shared by
/// every facade).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NetError {
    /// Not permitted (grants, address checks, `EACCES`/`EPERM`).
    AccessDenied,
    /// The operation or option is not supported.
    NotSupported,
    /// A bad argument (address family, multicast address, zero value).
    InvalidArgument,
    /// Out of memory or buffers.
    OutOfMemory,
    /// Timed out.
    Timeout,
    /// The socket is not in a state that allows the operation.
    InvalidState,
    /// The local address cannot be bound (`EADDRNOTAVAIL`).
    AddressNotBindable,
    /// The address is in use.
    AddressInUse,
    /// The remote host or network is unreachable.
    RemoteUnreachable,
    /// The connection was refused.
    ConnectionRefused,
    /// The connection is broken (`EPIPE`: writing after the peer closed).
    ConnectionBroken,
    /// The connection was reset.
    ConnectionReset,
    /// The connection was aborted.
    ConnectionAborted,
    /// A datagram is too large.
    DatagramTooLarge,
    /// The operation would block (non-blocking sockets).
    WouldBlock,
    /// Anything else.
    Other,
}

/// Socket results.
pub type NetResult<T> = Result<T, NetError>;

impl From<Errno> for NetError {
    fn from(e: Errno) -> NetError {
        match e {
            Errno::ACCESS => NetError::AccessDenied,
            e if errno::is(e, errno::PERM) => NetError::AccessDenied,
            Errno::ADDRINUSE => NetError::AddressInUse,
            Errno::ADDRNOTAVAIL => NetError::AddressNotBindable,
            Errno::TIMEDOUT => NetError::Timeout,
            e if errno::is(e, errno::PIPE) => NetError::ConnectionBroken,
            Errno::CONNREFUSED => NetError::ConnectionRefused,
            Errno::CONNRESET => NetError::ConnectionReset,
            Errno::CONNABORTED => NetError::ConnectionAborted,
            Errno::INVAL => NetError::InvalidArgument,
            Errno::HOSTUNREACH | Errno::HOSTDOWN | Errno::NETDOWN | Errno::NETUNREACH => {
                NetError::RemoteUnreachable
            }
            e if errno::is(e, errno::NONET) => NetError::RemoteUnreachable,
            Errno::ISCONN | Errno::NOTCONN | Errno::DESTADDRREQ => NetError::InvalidState,
            Errno::MSGSIZE => NetError::DatagramTooLarge,
            Errno::NOBUFS => NetError::OutOfMemory,
            e if errno::is(e, errno::NOMEM) => NetError::OutOfMemory,
            Errno::OPNOTSUPP
            | Errno::NOPROTOOPT
            | Errno::PFNOSUPPORT
            | Errno::PROTONOSUPPORT
            | Errno::PROTOTYPE
            | Errno::SOCKTNOSUPPORT
            | Errno::AFNOSUPPORT => NetError::NotSupported,
            // NB: only the non-blocking calls' EAGAIN; wasmtime never sees it
            // (tokio turns it into waiting), so facades treat it specially.
            Errno::AGAIN => NetError::WouldBlock,
            _ => NetError::Other,
        }
    }
}

/// `::a.b.c.d` (deprecated IPv4-compatible), other than `::` and `::1`.
fn is_deprecated_ipv4_compatible(addr: Ipv6Addr) -> bool {
    matches!(addr.segments(), [0, 0, 0, 0, 0, 0, _, _])
        && addr != Ipv6Addr::UNSPECIFIED
        && addr != Ipv6Addr::LOCALHOST
}

/// Whether `addr` may be used on a socket of `family`.
pub fn is_valid_address_family(addr: IpAddr, family: Family) -> bool {
    match (family, addr) {
        (Family::Ipv4, IpAddr::V4(_)) => true,
        (Family::Ipv6, IpAddr::V6(v6)) => {
            !is_deprecated_ipv4_compatible(v6) && v6.to_ipv4_mapped().is_none()
        }
        _ => false,
    }
}

/// Whether `addr` can be a peer: a specified address and a non-zero port.
pub fn is_valid_remote_address(addr: SocketAddr) -> bool {
    !addr.ip().to_canonical().is_unspecified() && addr.port() != 0
}

/// Whether `addr` is unicast (not multicast, not the IPv4 broadcast).
pub fn is_valid_unicast_address(addr: IpAddr) -> bool {
    match addr.to_canonical() {
        IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
        IpAddr::V6(v6) => !v6.is_multicast(),
    }
}

/// A host socket address as a `SocketAddr` (`None` for non-internet ones).
pub fn socket_addr(any: rustix::net::SocketAddrAny) -> Option<SocketAddr> {
    SocketAddr::try_from(any).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    #[test]
    fn family_rules() {
        assert!(is_valid_address_family(ip("127.0.0.1"), Family::Ipv4));
        assert!(!is_valid_address_family(ip("::1"), Family::Ipv4));
        assert!(!is_valid_address_family(ip("127.0.0.1"), Family::Ipv6));
        assert!(is_valid_address_family(ip("::1"), Family::Ipv6));
        assert!(is_valid_address_family(ip("::"), Family::Ipv6));
        // IPv4-mapped and deprecated IPv4-compatible forms are refused.
        assert!(!is_valid_address_family(
            ip("::ffff:127.0.0.1"),
            Family::Ipv6
        ));
        assert!(!is_valid_address_family(ip("::127.0.0.1"), Family::Ipv6));
    }

    #[test]
    fn remote_and_unicast_rules() {
        let sa = |s: &str| -> SocketAddr { s.parse().expect("test address") };
        assert!(is_valid_remote_address(sa("127.0.0.1:80")));
        assert!(!is_valid_remote_address(sa("127.0.0.1:0")));
        assert!(!is_valid_remote_address(sa("0.0.0.0:80")));
        assert!(!is_valid_remote_address(sa("[::ffff:0.0.0.0]:80")));
        assert!(is_valid_unicast_address(ip("10.0.0.1")));
        assert!(!is_valid_unicast_address(ip("224.0.0.1")));
        assert!(!is_valid_unicast_address(ip("255.255.255.255")));
        assert!(!is_valid_unicast_address(ip("ff02::1")));
        assert!(!is_valid_unicast_address(ip("::ffff:224.0.0.1")));
    }

    #[test]
    fn errno_mapping() {
        assert_eq!(NetError::from(Errno::ADDRINUSE), NetError::AddressInUse);
        if let Some(pipe) = errno::PIPE {
            assert_eq!(NetError::from(pipe), NetError::ConnectionBroken);
        }
        assert_eq!(NetError::from(Errno::AFNOSUPPORT), NetError::NotSupported);
        assert_eq!(NetError::from(Errno::MFILE), NetError::Other);
        assert_eq!(NetError::from(Errno::AGAIN), NetError::WouldBlock);
    }

    #[test]
    fn unspecified_addresses() {
        assert_eq!(Family::Ipv4.unspecified().to_string(), "0.0.0.0:0");
        assert_eq!(Family::Ipv6.unspecified().to_string(), "[::]:0");
    }
}
