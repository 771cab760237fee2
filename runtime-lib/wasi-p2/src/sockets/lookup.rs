//! `wasi:sockets/ip-name-lookup`: `resolve-addresses` and the
//! `resolve-address-stream` it returns.
//!
//! Phase: run time (host functions). Inputs: a name, the kernel's policy
//! (`-S allow-ip-name-lookup`, off by default as in wasmtime). Outputs: a
//! stream of `ip-address`es or an `error-code`.
//!
//! Invariants (as Wasmtime's `p2/ip_name_lookup.rs` and
//! `sockets/ip_name_lookup.rs`): without the grant the call fails at once
//! with `permanent-resolver-failure`; a name the URL host parser refuses
//! fails at once with `invalid-argument`; an address literal needs no
//! resolver; a resolver failure is `name-unresolvable`, reported by
//! `resolve-next-address` (the stream is handed out first), which then
//! reports it on every call.
//!
//! Known difference: wasmtime resolves on a blocking thread, so a first
//! `resolve-next-address` may answer `would-block` until the stream's
//! pollable is ready. Kiln resolves synchronously inside
//! `resolve-addresses` (`getaddrinfo`) and the pollable is ready at once;
//! a guest following the WIT contract (retry after the pollable) sees the
//! same results.

use super::super::P2Host;
use super::super::io::{Parent, PollableRes, Readiness};
use super::types::{ErrorCode, IpAddress};
use super::{NetworkRes, ResolveAddressStreamRes, no_object};
use kiln_canon::{Borrow, Own, Resource, Trap};
use kiln_wasi_kernel::net::lookup::{self, Host};
use std::net::IpAddr;

/// A `resolve-address-stream` object: the addresses left, or the error.
#[derive(Debug)]
pub struct ResolveStream(Result<std::vec::IntoIter<IpAddr>, ErrorCode>);

/// `resolve-addresses`.
pub fn resolve_addresses(
    h: &mut P2Host,
    (_network, name): (Borrow<NetworkRes>, String),
) -> Result<Result<Own<ResolveAddressStreamRes>, ErrorCode>, Trap> {
    if !h.net_policy().ip_name_lookup {
        return Ok(Err(ErrorCode::PermanentResolverFailure));
    }
    let result = match lookup::parse_host(&name) {
        Err(e) => return Ok(Err(e.into())),
        Ok(Host::Ip(ip)) => Ok(vec![ip]),
        Ok(Host::Domain(domain)) => lookup::resolve(&domain).map_err(ErrorCode::from),
    };
    let stream = ResolveStream(result.map(Vec::into_iter));
    Ok(Ok(Own::new(h.sockets.lookups.insert(stream))))
}

/// `resolve-next-address`: the next address, `none` at the end.
pub fn resolve_next_address(
    h: &mut P2Host,
    (this,): (Borrow<ResolveAddressStreamRes>,),
) -> Result<Result<Option<IpAddress>, ErrorCode>, Trap> {
    let s = h
        .sockets
        .lookups
        .get_mut(this.rep())
        .ok_or_else(|| no_object("resolve-address-stream"))?;
    Ok(match &mut s.0 {
        Ok(addrs) => Ok(addrs.next().map(IpAddress::from)),
        Err(e) => Err(*e),
    })
}

fn always(_h: &P2Host, _rep: u32) -> Readiness {
    Readiness::Always
}

/// `subscribe`: ready at once (the lookup is already done).
pub fn subscribe(
    h: &mut P2Host,
    (this,): (Borrow<ResolveAddressStreamRes>,),
) -> Result<Own<PollableRes>, Trap> {
    Ok(h.new_pollable(Readiness::Child(Parent {
        ty: ResolveAddressStreamRes::TYPE,
        rep: this.rep(),
        current: always,
        on_ready: None,
        settles: false,
    })))
}
