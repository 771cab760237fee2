//! The WASI host function table `__kiln_wasi_p2_host`: one
//! `LoweredHostFn` per entry of `kiln_abi::wasi_p2::WASI_P2_FUNCS`, in that
//! order, then one per entry of `kiln_abi::wasi_p3::WASI_P3_FUNCS` (served
//! by `crate::p3::IMPLS`); the compiler's trampolines index it.
//!
//! The table is built at compile time from the `IMPLS` lists of each
//! interface family's file (`cli::IMPLS`, ...; entries made with
//! [`host_fn!`]), by name lookup, so their order does not matter. A listed function
//! without an implementation gets [`missing`], which fails the call with a
//! clear message; the unit test `every_listed_function_is_implemented`
//! keeps that set empty.

use super::P2Host;
use super::{cli, clocks, fs, io, random, sockets};
use kiln_abi::component::{CanonOpts, LoweredHostFn, TypeError, TypeIndex, TypeTableBuilder};
use kiln_abi::wasi_p2::WASI_P2_FUNCS;
use kiln_abi::wasi_p3::WASI_P3_FUNCS;
use kiln_canon::{ComponentType, Trap};

/// The `extern "C"` entry of host function `$f` (a path to a
/// `fn(&mut P2Host, P) -> Result<R, Trap>`): lifts `P`, runs it, lowers `R`.
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
            unsafe { $crate::p2::dispatch(opts, slots, n, |h, p| $f(h, p)) }
        }
        (
            entry as ::kiln_abi::component::LoweredHostFn,
            $crate::p2::table::describer($f),
        )
    }};
}

pub(crate) use host_fn;

/// Every implemented host function, one list per interface family:
/// (interface key, name, entry).
const GROUPS: &[&[Impl]] = &[
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

/// The entry of a listed function the host does not implement.
///
/// # Safety
/// Called by compiled trampolines only.
unsafe extern "C" fn missing(_opts: *const CanonOpts, _slots: *mut u64, _n: u32) {
    kiln_canon::instances::raise(kiln_canon::trap::trap(
        "this WASI 0.2 function is not implemented by Kiln's host",
    ))
}

/// Entries of the table: the WASI 0.2 functions, then the WASI 0.3 ones.
const TABLE_LEN: usize = WASI_P2_FUNCS.len() + WASI_P3_FUNCS.len();

const fn build() -> [LoweredHostFn; TABLE_LEN] {
    let mut out = [missing as LoweredHostFn; TABLE_LEN];
    let mut g = 0;
    while g < crate::p3::ALL_IMPLS.len() {
        let p3 = crate::p3::ALL_IMPLS[g];
        let mut j = 0;
        while j < p3.len() {
            match kiln_abi::wasi_p3::func_index(p3[j].0, p3[j].1) {
                Some(i) => out[WASI_P2_FUNCS.len() + i] = p3[j].2.0,
                None => panic!("a host function not in kiln_abi::wasi_p3::WASI_P3_FUNCS"),
            }
            j += 1;
        }
        g += 1;
    }
    let mut g = 0;
    while g < GROUPS.len() {
        let impls = GROUPS[g];
        let mut j = 0;
        while j < impls.len() {
            // An implementation of an unlisted function fails the build.
            match kiln_abi::wasi_p2::func_index(impls[j].0, impls[j].1) {
                Some(i) => out[i] = impls[j].2.0,
                None => panic!("a host function not in kiln_abi::wasi_p2::WASI_P2_FUNCS"),
            }
            j += 1;
        }
        g += 1;
    }
    out
}

/// The table the trampolines call through (`kiln_abi::symbols::WASI_P2_HOST_TABLE`).
#[unsafe(no_mangle)]
pub static __kiln_wasi_p2_host: [LoweredHostFn; TABLE_LEN] = build();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impls_name_listed_functions_once() {
        let all: Vec<Impl> = GROUPS.iter().flat_map(|g| g.iter().copied()).collect();
        for (k, (iface, name, _)) in all.iter().enumerate() {
            assert!(
                kiln_abi::wasi_p2::find_func(iface, name).is_some(),
                "{iface}#{name} is not in WASI_P2_FUNCS"
            );
            assert!(
                !all[..k].iter().any(|(i, n, _)| i == iface && n == name),
                "{iface}#{name} implemented twice"
            );
        }
    }

    /// The functions still served by [`missing`] (must end up empty).
    fn unimplemented() -> Vec<String> {
        WASI_P2_FUNCS
            .iter()
            .filter(|f| {
                !GROUPS
                    .iter()
                    .flat_map(|g| g.iter())
                    .any(|(i, n, _)| *i == f.interface && *n == f.name)
            })
            .map(|f| format!("{}#{}", f.interface, f.name))
            .collect()
    }

    #[test]
    fn every_listed_function_is_implemented() {
        let missing = unimplemented();
        assert!(
            missing.is_empty(),
            "{} not implemented: {missing:#?}",
            missing.len()
        );
    }

    /// The fingerprint of an implementation's Rust types, as the compiler
    /// computes it from a component's types.
    fn rust_type_hash(describe: Describe) -> u64 {
        use kiln_abi::component::Type;
        let mut b = TypeTableBuilder::new();
        let (p, r) = describe(&mut b).expect("host types describe themselves");
        let t = b.table();
        let params: Vec<TypeIndex> = match t.get(p) {
            Some(Type::Tuple(c)) => c.iter().map(|c| c.ty.expect("tuple element")).collect(),
            other => panic!("parameters are a tuple, not {other:?}"),
        };
        let results = match t.get(r) {
            Some(Type::Tuple(c)) if c.is_empty() => vec![],
            _ => vec![r],
        };
        kiln_abi::component::typehash::func_type_hash(&t, &params, &results, &|r| Some(r))
            .expect("host resources are host type numbers")
    }

    #[test]
    fn type_fingerprints_match_the_host_list() {
        let mut wrong = Vec::new();
        for (iface, name, (_, describe)) in GROUPS.iter().flat_map(|g| g.iter()) {
            let (_, f) = kiln_abi::wasi_p2::find_func(iface, name).expect("listed");
            let h = rust_type_hash(*describe);
            if h != f.type_hash {
                wrong.push(format!("{iface}#{name} {h:#018x}"));
            }
        }
        assert!(wrong.is_empty(), "type_hash differs:\n{}", wrong.join("\n"));
    }

    #[test]
    fn p3_functions_are_implemented_with_their_types() {
        let mut wrong = Vec::new();
        for f in WASI_P3_FUNCS {
            let Some((_, _, (_, describe))) = crate::p3::ALL_IMPLS
                .iter()
                .flat_map(|g| g.iter())
                .find(|(i, n, _)| *i == f.interface && *n == f.name)
            else {
                wrong.push(format!("{}#{} not implemented", f.interface, f.name));
                continue;
            };
            let h = rust_type_hash(*describe);
            if h != f.type_hash {
                wrong.push(format!("{}#{} {h:#018x}", f.interface, f.name));
            }
        }
        assert!(
            wrong.is_empty(),
            "WASI 0.3 list differs:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn symbol_name_matches_the_contract() {
        assert_eq!(kiln_abi::symbols::WASI_P2_HOST_TABLE, "__kiln_wasi_p2_host");
    }
}
