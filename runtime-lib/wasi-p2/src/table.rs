//! The kit of the WASI host functions' entries: [`host_fn!`] makes an
//! implemented function's `extern "C"` entry (lifting its parameters,
//! lowering its result, through [`super::dispatch`]) and its type
//! describer, and [`GROUPS`] lists the WASI 0.2 families' `IMPLS`
//! (`cli::IMPLS`, ...; order does not matter). The table of every host
//! function (0.2, 0.3, `wasi:http`) and its exported entry points is
//! `kiln_wasi::table`, above the facades, so that this module names none of
//! the facades built on it.

use super::P2Host;
use super::{cli, clocks, fs, io, random, sockets};
use kiln_abi::component::{LoweredHostFn, TypeError, TypeIndex, TypeTableBuilder};
use kiln_canon::{ComponentType, Trap};

/// The `extern "C"` entry of host function `$f` (a path to a
/// `fn(&mut P2Host, P) -> Result<R, Trap>`): lifts `P`, runs it, lowers `R`.
/// Exported for the facades built on 0.2 (0.3, `wasi:http`), whose
/// functions take the same path; the caller names `kiln_abi`.
#[macro_export]
macro_rules! host_fn {
    ($f:path) => {{
        /// # Safety
        /// Called by compiled trampolines only (the lowered-import contract).
        unsafe extern "C" fn entry(
            opts: *const ::kiln_abi::component::CanonOpts,
            slots: *mut u64,
            n: u32,
        ) {
            // SAFETY: forwarded contract.
            unsafe { $crate::dispatch(opts, slots, n, |h, p| $f(h, p)) }
        }
        (
            entry as ::kiln_abi::component::LoweredHostFn,
            $crate::table::describer($f),
        )
    }};
}

pub use crate::host_fn;

/// Every implemented WASI 0.2 host function, one list per interface
/// family: (interface key, name, entry).
pub const GROUPS: &[&[Impl]] = &[
    cli::IMPLS,
    clocks::IMPLS,
    fs::IMPLS,
    io::IMPLS,
    random::IMPLS,
    sockets::IMPLS,
];

/// One implemented host function: (interface key, name, (entry, type)).
pub type Impl = (&'static str, &'static str, (LoweredHostFn, Describe));

/// Adds a host function's component type to a type table: the parameter
/// tuple and the result (`()` for none). Used by the tests that check the
/// type fingerprints of `kiln_abi::wasi_p2` against the Rust types.
pub type Describe = fn(&mut TypeTableBuilder) -> Result<(TypeIndex, TypeIndex), TypeError>;

/// The [`Describe`] of host function `f` (only its type matters).
pub const fn describer<P: ComponentType, R: ComponentType>(
    _f: fn(&mut P2Host, P) -> Result<R, Trap>,
) -> Describe {
    |b| Ok((P::describe(b)?, R::describe(b)?))
}
