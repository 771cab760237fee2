//! `wasi:sockets@0.3`: `types` (the `tcp-socket` and `udp-socket`
//! resources) and `ip-name-lookup`, over the kernel's sockets
//! (`kiln_wasi_kernel::net`), the same state machines the 0.2 facade drives.
//!
//! Phase: run time (host functions). Inputs: lifted parameters (an async
//! lowering for `connect`, `udp-socket.send`/`receive` and
//! `resolve-addresses`), the kernel's [`NetPolicy`] (the grant flags:
//! `-S inherit-network`, `-S tcp`, `-S udp`, `-S allow-ip-name-lookup`).
//! Outputs: socket resources, `error-code`s, streams and futures through
//! the P3 state.
//!
//! Map:
//! - [`types`]: the 0.3 `error-code`s (addresses are the 0.2 types);
//! - [`pending`]: host `async func`s that wait on the reactor and return
//!   values (a subtask retried by the event loop);
//! - [`tcp`]: TCP sockets: `listen` as a host stream of sockets, `send`
//!   as a host sink and `receive` as a host source on the connection,
//!   copying between guest memory and the socket without blocking first
//!   and BLOCKED on `EAGAIN` (the reactor wakes the copy);
//! - [`udp`]: UDP sockets;
//! - [`lookup`]: `resolve-addresses`, resolved on a thread of its own
//!   and completed through the reactor (a pipe the thread writes).
//!
//! Invariants: a socket created without the grant fails with
//! `access-denied` (the kernel's `NetPolicy`, as for 0.2); the 0.3
//! objects live in their own slabs ([`Sockets3`]), distinct host resource
//! types from the 0.2 ones, as in Wasmtime.

pub mod lookup;
pub mod pending;
pub mod tcp;
pub mod types;
pub mod udp;

use kiln_abi::component::CanonOpts;
use kiln_canon::{ComponentRuntime, HostResources, Resource, ResourceType, Trap};
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::host_resources;
use kiln_wasi_p2::table::Impl;

host_resources! {
    /// `wasi:sockets/types@0.3.tcp-socket`.
    TcpSocket3Res = ("wasi:sockets/types@0.3", "tcp-socket");
    /// `wasi:sockets/types@0.3.udp-socket`.
    UdpSocket3Res = ("wasi:sockets/types@0.3", "udp-socket");
}

/// The objects of `wasi:sockets@0.3`.
#[derive(Debug, Default)]
pub struct Sockets3 {
    /// TCP sockets.
    pub tcp: HostResources<tcp::Tcp3>,
    /// UDP sockets.
    pub udp: HostResources<udp::Udp3>,
}

/// The host's `wasi:sockets@0.3` objects, made by their first use (the
/// host object keeps them type-erased: `P2Host::p3`).
pub fn sockets3(h: &mut P2Host) -> &mut Sockets3 {
    let state = h.p3.get_or_insert_with(|| Box::new(Sockets3::default()));
    match state.downcast_mut::<Sockets3>() {
        Some(s) => s,
        // Only this function sets the field, always to a `Sockets3`.
        None => unreachable!("P2Host::p3 holds the wasi:sockets@0.3 state"),
    }
}

/// A socket call's outcome in WIT terms.
pub type Res<T> = Result<Result<T, types::ErrorCode>, Trap>;

/// A host `async func` that may wait ([`pending::call`]): its entry and
/// type. `$f` makes the operation's attempt; `$ty` is its WIT type as a
/// Rust function type (for the fingerprint); `$placeholder` is lowered
/// while it waits.
macro_rules! pending_fn {
    ($f:path, $ty:path, $placeholder:expr) => {{
        /// # Safety
        /// Called by compiled trampolines only (the lowered-import contract).
        unsafe extern "C" fn entry(
            opts: *const ::kiln_abi::component::CanonOpts,
            slots: *mut u64,
            n: u32,
        ) {
            // SAFETY: forwarded contract.
            unsafe { $crate::sockets::pending::call(opts, slots, n, $placeholder, $f) }
        }
        (
            entry as ::kiln_abi::component::LoweredHostFn,
            ::kiln_wasi_p2::table::describer($ty),
        )
    }};
}
pub(crate) use pending_fn;

/// The `wasi:sockets@0.3` host functions.
pub const IMPLS: &[Impl] = &[lookup::IMPL];

/// An unknown socket object: a host error, as in Wasmtime.
pub(crate) fn no_object(what: &str) -> Trap {
    kiln_canon::trap::trap(format!("unknown {what}"))
}

/// The rep of borrowed handle `h` of resource `ty` of the calling
/// instance (for the entries that take the raw slots); the borrow ends
/// before this returns.
pub(crate) fn borrowed_rep(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    ty: ResourceType,
    h: u32,
) -> Result<u32, Trap> {
    // Type the handle by this import's own resource types.
    rt.prepare_host_call(opts)?;
    rt.with_instance(opts.component_instance, |i| {
        i.enter_call();
        let rep = i.lift_borrow(ty, h);
        i.exit_call()?;
        rep
    })
}

/// Drops the 0.3 socket `rep` of host type `ty`; `false` if `ty` is not
/// a 0.3 socket type.
pub fn drop_resource(h: &mut P2Host, ty: u32, rep: u32) -> Result<bool, Trap> {
    let ty = ResourceType::Host(ty);
    if ty == TcpSocket3Res::TYPE {
        return match sockets3(h).tcp.remove(rep) {
            Some(_) => Ok(true),
            None => Err(no_object("tcp-socket")),
        };
    }
    if ty == UdpSocket3Res::TYPE {
        return match sockets3(h).udp.remove(rep) {
            Some(_) => Ok(true),
            None => Err(no_object("udp-socket")),
        };
    }
    Ok(false)
}
