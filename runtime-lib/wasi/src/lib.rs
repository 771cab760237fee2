//! Kiln's WASI component host: the table of the WASI 0.2, WASI 0.3 and
//! `wasi:http` host functions, whose facades (crates `kiln-wasi-p2`,
//! `kiln-wasi-p3`, `kiln-wasi-http`, re-exported here as [`p2`], [`p3`],
//! [`http`]) sit over the one WASI kernel (`kiln-wasi-kernel`: descriptors,
//! preopens, files via cap-std, stdio, clocks, random, sockets, the mio
//! event loop). The WASI P1 facade and wasi-threads are `kiln-wasi-p1`'s.
//!
//! Phase: run time. Inputs: a [`kernel::WasiCtx`] made by start-up code
//! from the baked grants (or a `kiln run` configuration). Outputs: the
//! WASI 0.2 host ([`p2::P2Host`]) a component's lowered imports reach
//! through `kiln_canon`'s [`kiln_canon::Host`].
//!
//! Layout:
//! - [`kernel`]: ABI-neutral state and operations (re-exported). Every
//!   facade reuses it; no filesystem (or clock, socket...) logic lives in a
//!   facade.
//! - [`p2`]: the WASI 0.2 `wasi:cli/command` world, reached from compiled
//!   trampolines through one exported entry per function
//!   (`__kiln_wasi_host_<i>`); parameters and
//!   results cross through `kiln_canon::call_host` (lifting, lowering,
//!   handle tables), never by touching guest memory directly.
//! - [`p3`]: the WASI 0.3 functions of `wasi:cli/command@0.3` (cli,
//!   clocks, random, filesystem, sockets), served by the same host table
//!   and host object as 0.2, with streams and futures from
//!   `kiln_canon::p3`.
//! - [`http`]: `wasi:http` 0.2 and 0.3 (the client side, `-S http`, and a
//!   server connection's guest side), on the same host table and host
//!   object, with `hyper` driven by its own small executor over the
//!   kernel's reactor.
//! - [`table`] (this crate's own, with [`new_host`]): every host
//!   function's exported entry, above the facades, which depend one way
//!   (`p2` <- `p3` <- `http` <- this crate).
//!
//! Behaviour is Wasmtime's (the reference engine); deliberate differences
//! are listed in each facade's header.

pub use kiln_wasi_http as http;
pub use kiln_wasi_kernel as kernel;
pub use kiln_wasi_p2 as p2;
pub use kiln_wasi_p3 as p3;
pub mod table;

/// What the 0.3 facade adds to the host object's behaviour: the drops of
/// its resource types (files, terminals, sockets) and the wait of its
/// event loop.
static HOOKS: p2::Hooks = p2::Hooks {
    drops: &[
        p3::fs::drop_resource,
        p3::terminal::drop_resource,
        p3::sockets::drop_resource,
    ],
    p3_wait: p3::p3_wait,
};

/// The host object of a component over `wasi`: the WASI 0.2 host with
/// the 0.3 facade's hooks (`wasi:http` installs its own on first use).
pub fn new_host(wasi: kernel::WasiCtx) -> p2::P2Host {
    p2::P2Host::new(wasi, &HOOKS)
}
