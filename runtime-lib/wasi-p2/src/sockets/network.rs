//! `wasi:sockets/network` and `instance-network`: the `network` handle
//! (a placeholder capability: the policy is checked by each operation, as
//! in wasmtime) and the unstable `network-error-code`.
//!
//! Phase: run time (host functions).

use super::super::P2Host;
use super::super::io::IoErrorRes;
use super::NetworkRes;
use super::types::ErrorCode;
use kiln_canon::{Borrow, Own, Trap};

/// `instance-network`: a new `network` handle.
pub fn instance_network(h: &mut P2Host, (): ()) -> Result<Own<NetworkRes>, Trap> {
    Ok(Own::new(h.sockets.networks.insert(())))
}

/// `network-error-code` (`@unstable(feature = network-error-code)`).
///
/// wasmtime answers `some` only for an `error` made from a host
/// `std::io::Error`; its socket streams report failures as socket error
/// codes, never as I/O errors, so for every error `wasi:sockets` makes it
/// answers `none`. Kiln's `error` objects carry only a message, so Kiln
/// answers `none` for every error (NB: wasmtime would answer `some` for a
/// filesystem stream's I/O error).
pub fn network_error_code(
    _h: &mut P2Host,
    (_err,): (Borrow<IoErrorRes>,),
) -> Result<Option<ErrorCode>, Trap> {
    Ok(None)
}
