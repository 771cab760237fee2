//! Which export a plain run of the program calls: Wasmtime's choice of a
//! command's `run`, made at compile time.
//!
//! Phase 3 (object emission reads it). Input: the plan's root exports.
//! Output: [`RunChoice`], written into the component descriptor
//! (`run_kind`, `run_export`) so that start-up looks no names up.
//!
//! Wasmtime 49 prefers a WASI 0.3 `run` (an async export; Rust's
//! `wasm32-wasip2` std adds a 0.2 one beside it): the first export
//! `wasi:cli/run@0.3…#run`. Otherwise its command bindings look up the
//! instance [`RUN_INSTANCE`] (the version they were generated from) with
//! the semver-aware name map, which is [`kiln_abi::component::lookup`]: an
//! exact name wins; otherwise the greatest release on the same track
//! (`0.2.x`, build metadata included in the order, no pre-release; the
//! later export on a tie). A pre-release such as `0.2.0-rc-2023-12-05`
//! matches nothing but itself.
//!
//! The request handler of a server ([`choose_serve`]) is chosen the same
//! way as `wasmtime serve`'s proxy bindings find it: the function
//! `handle` of the instance [`HTTP_HANDLER_INSTANCE`] by the same lookup.

use kiln_abi::component::lookup;
use kiln_abi::component::program::{
    HTTP_HANDLER_INSTANCE, HTTP_HANDLER_P3_PREFIX, RUN_INSTANCE, RUN_NONE, RUN_P2, RUN_P3,
    SERVE_HTTP_P2, SERVE_HTTP_P3, SERVE_NONE,
};

/// The `run` a plain run of the program calls.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RunChoice {
    /// `RUN_NONE`, `RUN_P2` or `RUN_P3`.
    pub kind: u32,
    /// Index of the export (0 for `RUN_NONE`).
    pub export: usize,
}

/// Chooses among export names (`interface#function`, in export order).
pub fn choose_run<'a>(names: impl IntoIterator<Item = &'a str> + Clone) -> RunChoice {
    if let Some(export) = names
        .clone()
        .into_iter()
        .position(|n| n.starts_with("wasi:cli/run@0.3") && n.ends_with("#run"))
    {
        return RunChoice {
            kind: RUN_P3,
            export,
        };
    }
    // Instances exporting a function `run`, by export position.
    let instances: Vec<(usize, &str)> = names
        .into_iter()
        .enumerate()
        .filter_map(|(i, name)| Some((i, name.strip_suffix("#run")?)))
        .collect();
    let found = lookup(RUN_INSTANCE, instances.iter().map(|(_, n)| *n));
    // `lookup` returns one of the given names; find it by identity.
    match found.and_then(|f| instances.iter().find(|(_, n)| std::ptr::eq(*n, f))) {
        Some(&(export, _)) => RunChoice {
            kind: RUN_P2,
            export,
        },
        None => RunChoice {
            kind: RUN_NONE,
            export: 0,
        },
    }
}

/// Chooses the request handler among export names (`interface#function`,
/// in export order): `kind` is `SERVE_NONE`, `SERVE_HTTP_P2` or
/// `SERVE_HTTP_P3` (a 0.2 handler wins over a 0.3 one).
pub fn choose_serve<'a>(names: impl IntoIterator<Item = &'a str>) -> RunChoice {
    let instances: Vec<(usize, &str)> = names
        .into_iter()
        .enumerate()
        .filter_map(|(i, name)| Some((i, name.strip_suffix("#handle")?)))
        .collect();
    let found = lookup(HTTP_HANDLER_INSTANCE, instances.iter().map(|(_, n)| *n));
    match found.and_then(|f| instances.iter().find(|(_, n)| std::ptr::eq(*n, f))) {
        Some(&(export, _)) => RunChoice {
            kind: SERVE_HTTP_P2,
            export,
        },
        // A 0.3 service (`wasi:http/handler@0.3.x`), when there is no 0.2
        // handler.
        None => match instances
            .iter()
            .find(|(_, n)| n.starts_with(HTTP_HANDLER_P3_PREFIX))
        {
            Some(&(export, _)) => RunChoice {
                kind: SERVE_HTTP_P3,
                export,
            },
            None => RunChoice {
                kind: SERVE_NONE,
                export: 0,
            },
        },
    }
}
