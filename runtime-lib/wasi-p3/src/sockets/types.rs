//! The WIT types of `wasi:sockets@0.3` that differ from 0.2 (the two
//! `error-code`s), and their conversions from the kernel's vocabulary.
//! The address types (`ip-address-family`, `ip-address`,
//! `ip-socket-address` and its records) are the same WIT types as in 0.2
//! and are reused from the 0.2 facade.
//!
//! Phase: run time (pure data). Inputs: kernel [`NetError`]s and
//! [`LookupError`]s. Outputs: 0.3 values to lower into the guest.
//!
//! Invariant: the mapping is Wasmtime 49's for 0.3: `connection-broken`
//! is its own case, anything the kernel cannot name is `other(none)`.

use kiln_wasi_kernel::net::inet::NetError;
use kiln_wasi_kernel::net::lookup::LookupError;
pub use kiln_wasi_p2::sockets::types::{IpAddress, IpAddressFamily, IpSocketAddress};

kiln_canon::wit_variant! {
    /// `wasi:sockets/types.error-code`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum ErrorCode {
        AccessDenied = "access-denied",
        NotSupported = "not-supported",
        InvalidArgument = "invalid-argument",
        OutOfMemory = "out-of-memory",
        Timeout = "timeout",
        InvalidState = "invalid-state",
        AddressNotBindable = "address-not-bindable",
        AddressInUse = "address-in-use",
        RemoteUnreachable = "remote-unreachable",
        ConnectionRefused = "connection-refused",
        ConnectionBroken = "connection-broken",
        ConnectionReset = "connection-reset",
        ConnectionAborted = "connection-aborted",
        DatagramTooLarge = "datagram-too-large",
        Other(Option<String>) = "other",
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
            NetError::ConnectionBroken => ErrorCode::ConnectionBroken,
            NetError::ConnectionReset => ErrorCode::ConnectionReset,
            NetError::ConnectionAborted => ErrorCode::ConnectionAborted,
            NetError::DatagramTooLarge => ErrorCode::DatagramTooLarge,
            NetError::WouldBlock | NetError::Other => ErrorCode::Other(None),
        }
    }
}

kiln_canon::wit_variant! {
    /// `wasi:sockets/ip-name-lookup.error-code`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum LookupErrorCode {
        AccessDenied = "access-denied",
        InvalidArgument = "invalid-argument",
        NameUnresolvable = "name-unresolvable",
        TemporaryResolverFailure = "temporary-resolver-failure",
        PermanentResolverFailure = "permanent-resolver-failure",
        Other(Option<String>) = "other",
    }
}

impl From<LookupError> for LookupErrorCode {
    fn from(e: LookupError) -> LookupErrorCode {
        match e {
            LookupError::InvalidArgument => LookupErrorCode::InvalidArgument,
            LookupError::NameUnresolvable => LookupErrorCode::NameUnresolvable,
        }
    }
}

impl ErrorCode {
    /// The case index: the discriminant byte of a host-written
    /// `result<_, error-code>` future value (`other` is written as
    /// `other(none)`: its payload bytes stay zero).
    pub fn case(&self) -> u8 {
        match self {
            ErrorCode::AccessDenied => 0,
            ErrorCode::NotSupported => 1,
            ErrorCode::InvalidArgument => 2,
            ErrorCode::OutOfMemory => 3,
            ErrorCode::Timeout => 4,
            ErrorCode::InvalidState => 5,
            ErrorCode::AddressNotBindable => 6,
            ErrorCode::AddressInUse => 7,
            ErrorCode::RemoteUnreachable => 8,
            ErrorCode::ConnectionRefused => 9,
            ErrorCode::ConnectionBroken => 10,
            ErrorCode::ConnectionReset => 11,
            ErrorCode::ConnectionAborted => 12,
            ErrorCode::DatagramTooLarge => 13,
            ErrorCode::Other(_) => 14,
        }
    }
}
