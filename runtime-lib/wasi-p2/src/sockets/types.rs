//! The WIT types of `wasi:sockets/network@0.2` (`error-code`,
//! `ip-address-family`, `ip-address`, `ip-socket-address` and its
//! records) and their conversions to the kernel's vocabulary.
//!
//! Phase: run time (lifting and lowering host-function values). Inputs:
//! kernel [`NetError`]s and `std::net` addresses. Outputs: WIT values.
//!
//! Invariant: the kernel-to-WIT error mapping is Wasmtime's
//! (`p2/network.rs`, `From<sockets::ErrorCode>`): `Other` and
//! `ConnectionBroken` become `unknown`.

use kiln_wasi_kernel::net::inet::{Family, NetError};
use kiln_wasi_kernel::net::lookup::LookupError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

kiln_canon::wit_enum! {
    /// `error-code`.
    pub enum ErrorCode {
        Unknown = "unknown",
        AccessDenied = "access-denied",
        NotSupported = "not-supported",
        InvalidArgument = "invalid-argument",
        OutOfMemory = "out-of-memory",
        Timeout = "timeout",
        ConcurrencyConflict = "concurrency-conflict",
        NotInProgress = "not-in-progress",
        WouldBlock = "would-block",
        InvalidState = "invalid-state",
        NewSocketLimit = "new-socket-limit",
        AddressNotBindable = "address-not-bindable",
        AddressInUse = "address-in-use",
        RemoteUnreachable = "remote-unreachable",
        ConnectionRefused = "connection-refused",
        ConnectionReset = "connection-reset",
        ConnectionAborted = "connection-aborted",
        DatagramTooLarge = "datagram-too-large",
        NameUnresolvable = "name-unresolvable",
        TemporaryResolverFailure = "temporary-resolver-failure",
        PermanentResolverFailure = "permanent-resolver-failure",
    }
}

impl From<NetError> for ErrorCode {
    fn from(e: NetError) -> ErrorCode {
        match e {
            NetError::AccessDenied => ErrorCode::AccessDenied,
            NetError::NotSupported => ErrorCode::NotSupported,
            NetError::InvalidArgument => ErrorCode::InvalidArgument,
            NetError::OutOfMemory => ErrorCode::OutOfMemory,
            NetError::Timeout => ErrorCode::Timeout,
            NetError::InvalidState => ErrorCode::InvalidState,
            NetError::AddressNotBindable => ErrorCode::AddressNotBindable,
            NetError::AddressInUse => ErrorCode::AddressInUse,
            NetError::RemoteUnreachable => ErrorCode::RemoteUnreachable,
            NetError::ConnectionRefused => ErrorCode::ConnectionRefused,
            NetError::ConnectionReset => ErrorCode::ConnectionReset,
            NetError::ConnectionAborted => ErrorCode::ConnectionAborted,
            NetError::DatagramTooLarge => ErrorCode::DatagramTooLarge,
            NetError::WouldBlock => ErrorCode::WouldBlock,
            NetError::ConnectionBroken | NetError::Other => ErrorCode::Unknown,
        }
    }
}

impl From<LookupError> for ErrorCode {
    fn from(e: LookupError) -> ErrorCode {
        match e {
            LookupError::InvalidArgument => ErrorCode::InvalidArgument,
            LookupError::NameUnresolvable => ErrorCode::NameUnresolvable,
        }
    }
}

kiln_canon::wit_enum! {
    /// `ip-address-family`.
    pub enum IpAddressFamily {
        Ipv4 = "ipv4",
        Ipv6 = "ipv6",
    }
}

impl From<IpAddressFamily> for Family {
    fn from(f: IpAddressFamily) -> Family {
        match f {
            IpAddressFamily::Ipv4 => Family::Ipv4,
            IpAddressFamily::Ipv6 => Family::Ipv6,
        }
    }
}

impl From<Family> for IpAddressFamily {
    fn from(f: Family) -> IpAddressFamily {
        match f {
            Family::Ipv4 => IpAddressFamily::Ipv4,
            Family::Ipv6 => IpAddressFamily::Ipv6,
        }
    }
}

/// `ipv4-address`.
pub type Ipv4Address = (u8, u8, u8, u8);
/// `ipv6-address`.
pub type Ipv6Address = (u16, u16, u16, u16, u16, u16, u16, u16);

fn from_v4(a: Ipv4Addr) -> Ipv4Address {
    let [a, b, c, d] = a.octets();
    (a, b, c, d)
}

fn to_v4((a, b, c, d): Ipv4Address) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

fn from_v6(a: Ipv6Addr) -> Ipv6Address {
    let [a, b, c, d, e, f, g, h] = a.segments();
    (a, b, c, d, e, f, g, h)
}

fn to_v6((a, b, c, d, e, f, g, h): Ipv6Address) -> Ipv6Addr {
    Ipv6Addr::new(a, b, c, d, e, f, g, h)
}

kiln_canon::wit_variant! {
    /// `ip-address`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum IpAddress {
        Ipv4(Ipv4Address) = "ipv4",
        Ipv6(Ipv6Address) = "ipv6",
    }
}

impl From<IpAddr> for IpAddress {
    fn from(a: IpAddr) -> IpAddress {
        match a {
            IpAddr::V4(v4) => IpAddress::Ipv4(from_v4(v4)),
            IpAddr::V6(v6) => IpAddress::Ipv6(from_v6(v6)),
        }
    }
}

kiln_canon::wit_record! {
    /// `ipv4-socket-address`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Ipv4SocketAddress {
        pub port: u16,
        pub address: Ipv4Address,
    }
}

kiln_canon::wit_record! {
    /// `ipv6-socket-address`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Ipv6SocketAddress {
        pub port: u16,
        pub flow_info: u32,
        pub address: Ipv6Address,
        pub scope_id: u32,
    }
}

kiln_canon::wit_variant! {
    /// `ip-socket-address`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum IpSocketAddress {
        Ipv4(Ipv4SocketAddress) = "ipv4",
        Ipv6(Ipv6SocketAddress) = "ipv6",
    }
}

impl From<&IpSocketAddress> for SocketAddr {
    fn from(a: &IpSocketAddress) -> SocketAddr {
        match a {
            IpSocketAddress::Ipv4(v4) => {
                SocketAddr::V4(SocketAddrV4::new(to_v4(v4.address), v4.port))
            }
            IpSocketAddress::Ipv6(v6) => SocketAddr::V6(SocketAddrV6::new(
                to_v6(v6.address),
                v6.port,
                v6.flow_info,
                v6.scope_id,
            )),
        }
    }
}

impl From<SocketAddr> for IpSocketAddress {
    fn from(a: SocketAddr) -> IpSocketAddress {
        match a {
            SocketAddr::V4(v4) => IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: v4.port(),
                address: from_v4(*v4.ip()),
            }),
            SocketAddr::V6(v6) => IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: v6.port(),
                flow_info: v6.flowinfo(),
                address: from_v6(*v6.ip()),
                scope_id: v6.scope_id(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_canon::ComponentType;

    #[test]
    fn layouts_match_the_canonical_abi() {
        // ip-socket-address: discriminant, then the ipv6 record (u16, u32,
        // 8 x u16, u32) at offset 4: 4 + 2 + 2 pad + 4 + 16 + 4 = 32.
        assert_eq!(Ipv6SocketAddress::SIZE32, 28);
        assert_eq!(IpSocketAddress::SIZE32, 32);
        assert_eq!(IpSocketAddress::ALIGN32, 4);
        // Flat: discriminant + the joined ipv6 payload (1 + 1 + 8 + 1).
        assert_eq!(IpSocketAddress::FLAT, 12);
        assert_eq!(ErrorCode::SIZE32, 1);
        assert_eq!(IpAddress::FLAT, 9);
    }

    #[test]
    fn address_round_trips() {
        for s in ["127.0.0.1:8080", "[::1]:443", "[fe80::1%7]:9"] {
            let a: SocketAddr = s.parse().expect("test address");
            let w = IpSocketAddress::from(a);
            assert_eq!(SocketAddr::from(&w), a, "{s}");
        }
        let w = IpSocketAddress::from("10.1.2.3:5".parse::<SocketAddr>().expect("addr"));
        assert_eq!(
            w,
            IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: 5,
                address: (10, 1, 2, 3)
            })
        );
        assert_eq!(
            IpAddress::from("::2".parse::<IpAddr>().expect("addr")),
            IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 2))
        );
    }

    #[test]
    fn error_mapping() {
        assert_eq!(ErrorCode::from(NetError::Other), ErrorCode::Unknown);
        assert_eq!(
            ErrorCode::from(NetError::ConnectionBroken),
            ErrorCode::Unknown
        );
        assert_eq!(
            ErrorCode::from(NetError::AddressInUse),
            ErrorCode::AddressInUse
        );
        assert_eq!(ErrorCode::AddressInUse as u32, 12);
        assert_eq!(ErrorCode::PermanentResolverFailure as u32, 20);
    }
}
