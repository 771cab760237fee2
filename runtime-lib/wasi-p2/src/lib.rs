//! The WASI 0.2 facade: the host functions of the `wasi:cli/command` world
//! (`kiln_abi::wasi_p2`) over the shared kernel, reached from compiled
//! lowered-import trampolines through one exported entry per function,
//! `__kiln_wasi_host_<i>` (`kiln_wasi::table`).
//!
//! Phase: run time of a component executable. Inputs: the canonical
//! options and `u64` slots of a lowered import (the contract of
//! `kiln_abi::component::canon`), and the running component
//! (`kiln_canon::runtime`), which owns the component's instance
//! states and this host, a [`P2Host`] given to it at start-up. Outputs: results lowered into the guest; WASI effects through
//! the kernel (`kiln_wasi_kernel`, shared with P1: no filesystem,
//! clock, socket or random logic lives here, only the 0.2 encodings and
//! resource bookkeeping).
//!
//! Map (one interface family per file):
//! - [`table`]: the [`host_fn!`] wrapper and the 0.2 families' lists (the
//!   table of every host function is `kiln_wasi::table`, above the facades);
//! - [`cli`]: `wasi:cli/*` (environment, exit, stdio handles, terminals);
//! - [`io`]: `wasi:io/*` (error, poll, streams) and the stream and
//!   pollable objects other interfaces hand out;
//! - [`clocks`]: `wasi:clocks/*` (monotonic clock and its timers, wall
//!   clock);
//! - [`random`][]: `wasi:random/*`;
//! - [`sockets`]: `wasi:sockets/*` (TCP, UDP, name lookup);
//! - further files per interface family as they are implemented.
//!
//! Host functions are plain Rust functions
//! `fn(&mut P2Host, params) -> Result<R, Trap>`, `params` being the lifted
//! parameter tuple; [`dispatch`] does the canonical-ABI work around them
//! (`call_host`: `may_leave`, lifting, lowering with `realloc`, borrows).
//! The host is borrowed from the running component only while the host
//! function runs, never while the guest's `realloc` does (the re-entrancy
//! rule in `kiln_canon::runtime`); host functions never call into
//! wasm.
//! A `Trap` without a wasm code ends the program the way wasmtime reports
//! a host error (`Error: ...`, status 1).
//!
//! Resources: each WASI resource is a marker type implementing
//! `component::Resource` with `TYPE = ResourceType::Host(n)`, `n` its
//! position in `kiln_abi::wasi_p2::WASI_P2_RESOURCES` ([`host_type`]);
//! the objects live in [`kiln_canon::HostResources`] slabs of the
//! [`P2Host`], keyed by the rep their handles carry.
//!
//! Invariant: this crate names none of the facades built on it (0.3 in
//! `kiln-wasi-p3`, `wasi:http` in `kiln-wasi-http`, which depend on it).
//! What they add to the host object is type-erased state
//! ([`P2Host::p3`], [`P2Host::http`]) and [`Hooks`] installed by
//! `kiln_wasi::new_host`, so that dependencies run one way: 0.3 and HTTP
//! use 0.2, the table in `kiln-wasi` uses them all. What they share of
//! this crate is public: the host object, [`dispatch`], [`with_host`],
//! the entry kit ([`host_fn!`], [`host_resources!`]).

pub mod cli;
pub mod clocks;
pub mod fs;
pub mod io;
pub mod random;
pub mod sockets;
pub mod table;

use kiln_abi::component::CanonOpts;
use kiln_canon::instances::{self, GuestRealloc};
use kiln_canon::{
    ComponentRuntime, GuestMemory, Host, HostCall, Lift, Lower, Realloc, ResourceType, Trap,
};
use kiln_wasi_kernel::WasiCtx;
use std::any::Any;

/// The state of the WASI 0.2 host: the shared kernel plus the resource
/// objects of each interface family.
pub struct P2Host {
    /// The WASI context (kernel: args, env, preopens, clocks, grants).
    pub wasi: WasiCtx,
    /// `wasi:cli` state.
    pub cli: cli::CliState,
    /// `wasi:filesystem` objects (descriptors, directory entry streams).
    pub fs: fs::FsState,
    /// `wasi:io` objects (streams, pollables, errors).
    pub io: io::IoState,
    /// `wasi:random` state (the insecure generator).
    pub random: random::RandomState,
    /// `wasi:sockets` objects (sockets, datagram streams, lookups).
    pub sockets: sockets::SocketState,
    /// The WASI 0.3 state (`kiln_wasi_p3::sockets::Sockets3`), made by its
    /// first use; type-erased so that 0.2 names no 0.3 type.
    pub p3: Option<Box<dyn Any>>,
    /// `wasi:http` objects (a `kiln_wasi_http::HttpState`), made by the first
    /// `wasi:http` call; type-erased so that a program without `wasi:http`
    /// links none of its code (see `kiln_wasi_http::state`).
    pub http: Option<Box<dyn Any>>,
    /// Drops a `wasi:http` object (`kiln_wasi_http::drop_resource`), installed
    /// with the state.
    #[allow(clippy::type_complexity, reason = "a plain function pointer")]
    pub http_drop: Option<fn(&mut P2Host, u32, u32) -> Result<bool, Trap>>,
    /// Channels whose held readable ends a dropped object let go of
    /// ([`Host::take_released`]).
    pub released: Vec<u32>,
    /// What the facades above 0.2 add to the host's behaviour.
    pub hooks: &'static Hooks,
}

/// Drops the host object of resource type `ty` behind `rep`, if the type
/// is the hook's (`Ok(false)`: another's).
pub type DropHook = fn(&mut P2Host, u32, u32) -> Result<bool, Trap>;

/// The behaviour of the facades above 0.2 that the host object runs,
/// installed with it (`kiln_wasi::new_host`).
pub struct Hooks {
    /// Drops of the resource types 0.2 does not define, after 0.2's own
    /// (the types are disjoint: the order does not matter).
    pub drops: &'static [DropHook],
    /// [`Host::p3_wait`]: the 0.3 event loop's wait on the kernel's
    /// reactor.
    #[allow(clippy::type_complexity, reason = "a plain function pointer")]
    pub p3_wait: fn(&mut P2Host, &[kiln_canon::p3::HostWait], bool) -> Result<Vec<bool>, Trap>,
}

impl Hooks {
    /// No facade above 0.2: no further resource drops, and a 0.3 wait
    /// fails. The host of this crate's own tests, which run without the
    /// facades built on it (the host of a program is `kiln_wasi::new_host`'s,
    /// with the 0.3 facade's hooks).
    pub const NONE: Hooks = Hooks {
        drops: &[],
        p3_wait: no_p3_wait,
    };
}

/// [`Hooks::NONE`]'s 0.3 wait: there is no 0.3 event loop to wait on.
fn no_p3_wait(
    _host: &mut P2Host,
    _waits: &[kiln_canon::p3::HostWait],
    _block: bool,
) -> Result<Vec<bool>, Trap> {
    Err(kiln_canon::trap::trap("no WASI 0.3 host"))
}

impl P2Host {
    /// A host over `wasi`, with no resource objects yet, running `hooks`.
    pub fn new(wasi: WasiCtx, hooks: &'static Hooks) -> P2Host {
        P2Host {
            wasi,
            cli: cli::CliState::default(),
            fs: fs::FsState::default(),
            io: io::IoState::default(),
            random: random::RandomState::default(),
            sockets: sockets::SocketState::default(),
            p3: None,
            http: None,
            http_drop: None,
            released: Vec::new(),
            hooks,
        }
    }
}

/// Runs `f` on the running component's host, which must be a [`P2Host`].
pub fn with_host<T>(
    rt: &ComponentRuntime,
    f: impl FnOnce(&mut P2Host) -> Result<T, Trap>,
) -> Result<T, Trap> {
    rt.with_host(|host| {
        let host: &mut dyn Any = host;
        let host = host
            .downcast_mut::<P2Host>()
            .ok_or_else(|| kiln_canon::trap::trap("the WASI 0.2 host is not installed"))?;
        f(host)
    })
}

/// The host type number of resource `name` of interface key `interface`,
/// for `Resource::TYPE` constants; fails to compile if the list lacks it.
pub const fn host_type(interface: &str, name: &str) -> ResourceType {
    match kiln_abi::wasi_p2::find_resource(interface, name) {
        Some(n) => ResourceType::Host(n),
        None => match kiln_abi::wasi_p3::find_resource(interface, name) {
            Some(n) => ResourceType::Host(n),
            None => match kiln_abi::wasi_http::find_resource(interface, name) {
                Some(n) => ResourceType::Host(n),
                None => panic!("resource not in the wasi_p2, wasi_p3 or wasi_http resource lists"),
            },
        },
    }
}

/// Declares host resource marker types: per entry, `$name` for resource
/// `$resource` of interface key `$interface`, its `Resource::TYPE` from
/// [`host_type`] (so a resource the abi list lacks fails to compile).
/// Exported for the facades built on 0.2, which declare their resources
/// the same way; the caller names `kiln_canon`.
#[macro_export]
macro_rules! host_resources {
    ($($(#[$attr:meta])* $name:ident = ($interface:expr, $resource:expr);)*) => {$(
        $(#[$attr])*
        pub struct $name;
        impl kiln_canon::Resource for $name {
            const TYPE: kiln_canon::ResourceType =
                $crate::host_type($interface, $resource);
        }
    )*};
}

/// Host calls started so far. File streams use it to tell a wait made
/// inside the current call (a blocking read) from one an earlier call made
/// (a pollable), whose answers differ in wasmtime (see `fs::streams`).
static HOST_CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The number of the host call running now (increases with every call).
pub fn host_call_number() -> u64 {
    HOST_CALLS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs host function `f` as the callee of a lowered import (the contract
/// of `kiln_abi::component::canon`); raises its trap, if any.
///
/// # Safety
/// `opts` and `slots` (`n` of them) come from a compiled trampoline, after
/// the component runtime filled the options.
pub unsafe fn dispatch<'m, P, R, F>(opts: *const CanonOpts, slots: *mut u64, n: u32, f: F)
where
    P: Lift<'m>,
    R: Lower,
    F: FnOnce(&mut P2Host, P) -> Result<R, Trap>,
{
    HOST_CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // `-W timeout`: a guest waiting here is ended by the deadline.
    let host = kiln_vm::limits::enter_host_call();
    // SAFETY: the trampoline's record and slot array.
    let (opts, slots) = unsafe { (&*opts, std::slice::from_raw_parts_mut(slots, n as usize)) };
    let result = (|| {
        let rt = instances::runtime().ok_or_else(kiln_canon::trap::no_instance)?;
        let mut inst = rt.prepare_host_call(opts)?;
        let mut realloc = GuestRealloc::from_opts(opts);
        let call = HostCall {
            slots,
            // SAFETY: the memory option's live definition, or null.
            memory: unsafe { GuestMemory::from_definition(opts.memory_def as usize as *const _) },
            realloc: realloc.as_mut().map(|r| r as &mut dyn Realloc),
            encoding: opts.encoding(),
        };
        // An `async` lowering (a WASI 0.3 `async func`) of a host function
        // that never blocks completes here: results at the return pointer,
        // status `RETURNED`.
        let run = |p| with_host(rt, |host| f(host, p));
        // SAFETY (both calls): the memory view is the guest's, which does
        // not run while the lifted parameters are alive (only `realloc`
        // runs, during the lowering, after `f` returned); the host state is
        // borrowed only inside `with_host`, never across `realloc`.
        if opts.is_async() {
            // SAFETY: as above.
            unsafe { kiln_canon::call_host_async::<P, R, _>(&mut inst, call, run) }
        } else {
            // SAFETY: as above.
            unsafe { kiln_canon::call_host::<P, R, _>(&mut inst, call, run) }
        }
    })();
    // NB: before `raise`, which does not return.
    drop(host);
    if let Err(t) = result {
        instances::raise(t)
    }
}

impl Host for P2Host {
    /// Drops the host object behind an own handle of host resource type
    /// `ty` (`[resource-drop]` of a WASI resource).
    fn drop_resource(&mut self, ty: u32, rep: u32) -> Result<(), Trap> {
        drop_host_resource(self, ty, rep)
    }

    fn take_released(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.released)
    }

    /// The P3 event loop waits on the kernel's one reactor.
    fn p3_wait(
        &mut self,
        waits: &[kiln_canon::p3::HostWait],
        block: bool,
    ) -> Result<Vec<bool>, Trap> {
        (self.hooks.p3_wait)(self, waits, block)
    }
}

/// [`Host::drop_resource`] of the WASI 0.2 host.
fn drop_host_resource(host: &mut P2Host, ty: u32, rep: u32) -> Result<(), Trap> {
    // wasmtime's `ResourceTable::delete`: a parent outlives its children
    // (pollables made by `subscribe`, and any child another interface
    // records with `IoState::add_child`).
    if host.io.has_children(ResourceType::Host(ty), rep) {
        return Err(kiln_canon::trap::trap("resource has children"));
    }
    if io::drop_resource(host, ty, rep)? {
        return Ok(());
    }
    if cli::drop_resource(host, ty, rep)? {
        return Ok(());
    }
    if fs::drop_resource(host, ty, rep)? {
        return Ok(());
    }
    if sockets::drop_resource(host, ty, rep)? {
        return Ok(());
    }
    for drop in host.hooks.drops {
        if drop(host, ty, rep)? {
            return Ok(());
        }
    }
    if let Some(drop_http) = host.http_drop
        && drop_http(host, ty, rep)?
    {
        return Ok(());
    }
    Err(kiln_canon::trap::trap(format!(
        "cannot drop a resource of host type {ty}: not implemented"
    )))
}
