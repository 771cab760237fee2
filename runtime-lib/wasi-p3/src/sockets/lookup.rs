//! `wasi:sockets/ip-name-lookup@0.3.resolve-addresses`: the kernel's name
//! parsing and host resolver (`kiln_wasi_kernel::net::lookup`, shared with
//! the 0.2 facade), resolved off the event loop.
//!
//! Phase: run time (an `async func`). Inputs: a name, the kernel's
//! `NetPolicy` (`-S allow-ip-name-lookup`). Outputs: addresses or a lookup
//! `error-code`.
//!
//! Invariants: a refused lookup (no grant) is
//! `permanent-resolver-failure` and a malformed name `invalid-argument`,
//! both at once, as for 0.2; an address literal resolves to itself at
//! once; a domain is resolved by `getaddrinfo` on a thread of its own, so
//! the one reactor never blocks on the resolver: the thread leaves the
//! answer in a shared slot and writes one byte to a socket pair whose
//! other end the subtask waits on (the completion arrives through the
//! reactor like any readiness).

use super::types::{IpAddress, LookupErrorCode};
use kiln_canon::Trap;
use kiln_canon::p3::HostWait;
use kiln_wasi_kernel::net::lookup::{self, Host, LookupError};
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::table::Impl;
use rustix::fd::AsRawFd;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// `resolve-addresses`' result.
type Resolved = Result<Vec<IpAddress>, LookupErrorCode>;

/// `resolve-addresses`' entry and type.
pub const IMPL: Impl = (
    "wasi:sockets/ip-name-lookup@0.3",
    "resolve-addresses",
    super::pending_fn!(resolve_addresses, resolve_type, Ok(Vec::new())),
);

/// The WIT type of `resolve-addresses` (for its fingerprint).
fn resolve_type(_: &mut P2Host, _: (String,)) -> Result<Resolved, Trap> {
    Err(kiln_canon::trap::trap("a type only"))
}

/// The kernel's answer in WIT terms.
fn convert(r: Result<Vec<IpAddr>, LookupError>) -> Resolved {
    r.map(|v| v.into_iter().map(IpAddress::from).collect())
        .map_err(LookupErrorCode::from)
}

/// `resolve-addresses`.
pub fn resolve_addresses(
    h: &mut P2Host,
    (name,): (String,),
) -> Result<super::pending::Attempt<Resolved>, Trap> {
    let now = |r: Resolved| -> super::pending::Attempt<Resolved> {
        let mut r = Some(r);
        Box::new(move |_| Ok(Ok(r.take().unwrap_or(Ok(Vec::new())))))
    };
    if !h.net_policy().ip_name_lookup {
        return Ok(now(Err(LookupErrorCode::PermanentResolverFailure)));
    }
    let domain = match lookup::parse_host(&name) {
        Err(e) => return Ok(now(Err(e.into()))),
        Ok(Host::Ip(ip)) => return Ok(now(Ok(vec![ip.into()]))),
        Ok(Host::Domain(domain)) => domain,
    };
    let (wake, done) = match kiln_wasi_kernel::net::wake_pair() {
        Ok(pair) => pair,
        // No descriptors left: resolve here, blocking (still correct).
        Err(_) => return Ok(now(convert(lookup::resolve(&domain)))),
    };
    let slot: Arc<Mutex<Option<Resolved>>> = Arc::new(Mutex::new(None));
    let out = slot.clone();
    let spawned = std::thread::Builder::new()
        .name("kiln-name-lookup".into())
        .spawn(move || {
            let r = convert(lookup::resolve(&domain));
            if let Ok(mut s) = out.lock() {
                *s = Some(r);
            }
            // Wakes the reactor; the reader only looks at the slot.
            let _ = rustix::net::send(&done, &[1], kiln_wasi_kernel::net::SEND_FLAGS);
        });
    if spawned.is_err() {
        return Err(kiln_canon::trap::trap("cannot start a name lookup thread"));
    }
    // The first attempt always waits, even if the thread has already
    // answered: a domain lookup is never ready within the call, as in
    // Wasmtime, so a sync task that lowers it traps every time instead of
    // racing the lookup thread.
    let mut first = true;
    Ok(Box::new(move |_| {
        if std::mem::take(&mut first) {
            return Ok(Err(HostWait::Fd {
                fd: wake.as_raw_fd(),
                write: false,
            }));
        }
        let taken = slot.lock().ok().and_then(|mut s| s.take());
        Ok(match taken {
            Some(r) => Ok(r),
            None => Err(HostWait::Fd {
                fd: wake.as_raw_fd(),
                write: false,
            }),
        })
    }))
}
