//! The WASI host tables of `kiln_abi` (`wasi_p2`, `wasi_p3`, `wasi_http`)
//! checked against the WIT they were derived from, so that the WIT is the
//! one statement of the interfaces and the tables are checked copies.
//!
//! Inputs: the WIT packages of WASI 0.2.12 and 0.3.2 as the pinned guest
//! crates `wasip2` and `wasip3` ship them (the crates the guest programs of
//! `tests/programs/http` and `tests/programs/p3` build with; found with
//! `cargo metadata`, fetched by cargo like any dependency, never copied
//! into this repository). Output: one trial per world.
//!
//! Each trial checks, for the interfaces a table serves:
//! - names: the table has exactly the world's functions (the stable ones,
//!   and the `@unstable` ones the table lists with their feature);
//! - core signatures: each entry's is the WIT function's sync lowering
//!   (`Resolve::wasm_signature`, 32-bit memory);
//! - type fingerprints: a component importing the whole world (the WIT's
//!   dummy implementation, made by `wit-component`) compiles with Kiln's
//!   compiler, which resolves every import by name, core signature and
//!   fingerprint and refuses one that differs.

use crate::timing;
use crate::util;
use anyhow::{Context, Result, anyhow, bail};
use kiln_abi::ValType;
use kiln_abi::wasi_p2::P2Func;
use libtest_mimic::{Completion, Failed, Trial};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{ManglingAndAbi, Resolve, Stability, WorldId, WorldItem};

pub fn trials() -> Vec<Trial> {
    vec![
        timing::ignorable_trial("wasi_wit::p2_command", || check(World::P2Command)),
        timing::ignorable_trial("wasi_wit::p2_http", || check(World::P2Http)),
        timing::ignorable_trial("wasi_wit::p3_command", || check(World::P3Command)),
        timing::ignorable_trial("wasi_wit::p3_http", || check(World::P3Http)),
    ]
}

/// A trial: the world's WIT, if cargo can resolve its crate (under CI it
/// must), checked against the table.
fn check(world: World) -> Result<Completion, Failed> {
    let (krate, project, _) = world.source();
    match wit_dir(krate, project) {
        Ok(Some(wit)) => check_world(world, &wit).map_err(|e| format!("{e:#}").into()),
        Ok(None) => util::toolchain_missing(format!(
            "the `{krate}` crate's WIT: `cargo metadata` could not resolve tests/programs/{project}"
        )),
        Err(e) => Err(format!("{e:#}").into()),
    }
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum World {
    /// `wasi:cli/command@0.2.12` against `WASI_P2_FUNCS`.
    P2Command,
    /// `wasi:http/proxy@0.2.12`'s `wasi:http` imports against
    /// `WASI_HTTP_FUNCS`.
    P2Http,
    /// `wasi:cli/command@0.3.2` against `WASI_P3_FUNCS`.
    P3Command,
    /// `wasi:http/service@0.3.2`'s `wasi:http` imports against the 0.3
    /// entries of `WASI_HTTP_FUNCS`.
    P3Http,
}

impl World {
    /// (guest crate, its project under `tests/programs`, world).
    fn source(self) -> (&'static str, &'static str, &'static str) {
        match self {
            World::P2Command => ("wasip2", "http", "wasi:cli/command@0.2.12"),
            World::P2Http => ("wasip2", "http", "wasi:http/proxy@0.2.12"),
            World::P3Command => ("wasip3", "p3", "wasi:cli/command@0.3.2"),
            World::P3Http => ("wasip3", "p3", "wasi:http/service@0.3.2"),
        }
    }

    /// The table entries this world is checked against, keyed as the
    /// compiler keys an import.
    fn table(self) -> Vec<(String, &'static P2Func)> {
        let keyed = |funcs: &'static [P2Func], version: &str| {
            funcs
                .iter()
                .filter(|f| f.interface.ends_with(version))
                .map(|f| (format!("{}#{}", f.interface, f.name), f))
                .collect::<Vec<_>>()
        };
        match self {
            World::P2Command => keyed(kiln_abi::wasi_p2::WASI_P2_FUNCS, "@0.2"),
            World::P2Http => keyed(kiln_abi::wasi_http::WASI_HTTP_FUNCS, "@0.2"),
            World::P3Command => keyed(kiln_abi::wasi_p3::WASI_P3_FUNCS, "@0.3"),
            World::P3Http => keyed(kiln_abi::wasi_http::WASI_HTTP_FUNCS, "@0.3"),
        }
    }

    /// The table key of interface `name` (e.g. `wasi:io/streams@0.2.12`),
    /// `None` for an interface this world's table does not serve.
    fn key(self, name: &str) -> Option<String> {
        match self {
            World::P2Command => Some(kiln_abi::component::canonical_key(name).to_string()),
            World::P2Http => name
                .starts_with("wasi:http/")
                .then(|| kiln_abi::component::canonical_key(name).to_string()),
            World::P3Command => Some(kiln_abi::wasi_p3::interface_key(name).to_string()),
            World::P3Http => name
                .starts_with("wasi:http/")
                .then(|| kiln_abi::wasi_p3::interface_key(name).to_string()),
        }
    }
}

fn check_world(world: World, wit: &Path) -> Result<Completion> {
    let (_, _, world_name) = world.source();
    // Both packages import the `@unstable` `wasi:clocks/timezone`, which
    // wit-parser cannot resolve with the feature off: parse with every
    // feature and leave out what is unstable ([`served`]).
    let mut resolve = Resolve {
        all_features: true,
        ..Resolve::default()
    };
    let (pkg, _) = resolve
        .push_dir(wit)
        .with_context(|| format!("cannot parse the WIT in {}", wit.display()))?;
    let world_id = resolve
        .select_world(&[pkg], Some(world_name))
        .with_context(|| format!("no world {world_name}"))?;
    let table = world.table();
    let wit_funcs = world_functions(&resolve, world_id, world);
    let mut problems = Vec::new();
    let table_keys: BTreeSet<&str> = table.iter().map(|(k, _)| k.as_str()).collect();
    for (key, f) in &table {
        match wit_funcs.iter().find(|(k, _)| k == key) {
            Some((_, sig)) if !same_signature(sig, f) => problems.push(format!(
                "{key}: the table lowers it as {:?} -> {:?}, the WIT as {:?} -> {:?}",
                f.params, f.results, sig.params, sig.results
            )),
            Some(_) => {}
            None => problems.push(format!("{key}: in the table, not in {world_name}")),
        }
    }
    for (key, _) in &wit_funcs {
        if !table_keys.contains(key.as_str()) {
            problems.push(format!("{key}: in {world_name}, not in the table"));
        }
    }
    if !problems.is_empty() {
        bail!(
            "the host table differs from the WIT:\n{}",
            problems.join("\n")
        );
    }
    compile_dummy(&resolve, world_id, world)?;
    Ok(Completion::Completed)
}

/// Whether a WIT item of this stability is one Kiln serves: every stable
/// one, and the `@unstable` functions of stable interfaces the table lists
/// with their feature (`WASI_P2_UNSTABLE_FUNCS`, keyed `interface#name`).
fn served(stability: &Stability, key: &str) -> bool {
    match stability {
        Stability::Unstable { .. } => kiln_abi::wasi_p2::WASI_P2_UNSTABLE_FUNCS
            .iter()
            .any(|(interface, name, _)| key.split_once('#') == Some((interface, name))),
        _ => true,
    }
}

/// The functions of the world's imported interfaces that `world`'s table
/// serves and Kiln would serve ([`served`]), keyed like the table, with
/// their sync lowering.
fn world_functions(
    resolve: &Resolve,
    id: WorldId,
    world: World,
) -> Vec<(String, wit_parser::abi::WasmSignature)> {
    let mut out = Vec::new();
    for (key, item) in &resolve.worlds[id].imports {
        let WorldItem::Interface {
            id: iface,
            stability,
        } = item
        else {
            continue;
        };
        let name = resolve.name_world_key(key);
        let Some(table_key) = world.key(&name) else {
            continue;
        };
        if !served(stability, &table_key) {
            continue;
        }
        for (fname, func) in &resolve.interfaces[*iface].functions {
            let key = format!("{table_key}#{fname}");
            if served(&func.stability, &key) {
                let sig = resolve.wasm_signature(AbiVariant::GuestImport, func);
                out.push((key, sig));
            }
        }
    }
    out
}

fn same_signature(sig: &wit_parser::abi::WasmSignature, f: &P2Func) -> bool {
    let core = |t: &WasmType| match t {
        WasmType::I32 | WasmType::Pointer | WasmType::Length => ValType::I32,
        WasmType::I64 | WasmType::PointerOrI64 => ValType::I64,
        WasmType::F32 => ValType::F32,
        WasmType::F64 => ValType::F64,
    };
    sig.params.iter().map(core).eq(f.params.iter().copied())
        && sig.results.iter().map(core).eq(f.results.iter().copied())
}

/// Compiles the WIT's dummy implementation of the world with Kiln's
/// compiler: every import resolves against the host tables by name, core
/// signature and type fingerprint, or the compile fails naming it.
fn compile_dummy(resolve: &Resolve, id: WorldId, world: World) -> Result<()> {
    let mut resolve = resolve.clone();
    // What Kiln does not serve leaves the world: `@unstable` interfaces
    // and functions ([`served`]).
    let imports: Vec<_> = resolve.worlds[id]
        .imports
        .iter()
        .map(|(k, i)| (k.clone(), i.clone()))
        .collect();
    for (key, item) in imports {
        let WorldItem::Interface {
            id: iface,
            stability,
        } = item
        else {
            continue;
        };
        let name = resolve.name_world_key(&key);
        let table_key = world.key(&name).unwrap_or(name);
        if !served(&stability, &table_key) {
            resolve.worlds[id].imports.shift_remove(&key);
            continue;
        }
        resolve.interfaces[iface]
            .functions
            .retain(|fname, f| served(&f.stability, &format!("{table_key}#{fname}")));
    }
    let mut module = wit_component::dummy_module(&resolve, id, ManglingAndAbi::Standard32);
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        id,
        wit_component::StringEncoding::UTF8,
    )?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)?
        .validate(true)
        .encode()
        .context("wit-component cannot make the dummy component")?;
    kiln_compiler::compile_component(&component, &kiln_compiler::Config::default())
        .map(|_| ())
        .map_err(|e| anyhow!("Kiln's compiler refuses the world's dummy component: {e}"))
}

/// The `wit/` directory of `krate` as cargo resolves it for the guest
/// project `tests/programs/<project>`; `None` without a cargo that can.
fn wit_dir(krate: &str, project: &str) -> Result<Option<PathBuf>> {
    let manifest = util::repo()
        .join("tests/programs")
        .join(project)
        .join("Cargo.toml");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .context("cannot run cargo metadata")?;
    if !out.status.success() {
        return Ok(None);
    }
    let json = String::from_utf8_lossy(&out.stdout);
    // `"manifest_path":"<registry>/wasip2-2.0.1+wasi-0.2.12/Cargo.toml"`:
    // the one field a package's directory is named in (no JSON parser
    // for one string).
    let wanted = format!("/{krate}-");
    let path = json
        .split("\"manifest_path\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|p| p.contains(&wanted) && p.ends_with("/Cargo.toml"))
        .map(|p| Path::new(p).with_file_name("wit"));
    match path {
        Some(dir) if dir.is_dir() => Ok(Some(dir)),
        _ => bail!("cargo metadata names no `{krate}` package with a wit/ directory"),
    }
}
