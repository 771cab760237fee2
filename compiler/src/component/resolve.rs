//! Resolution of a [`ComponentPlan`] against Kiln's host and its compiled
//! modules: every name becomes an index before anything is emitted.
//!
//! Plain data, like the plan: run by the component driver
//! (`crate::pipeline::component`) before any code is generated. Inputs: the
//! plan, the [`ModuleInfo`] of each of its core modules and the [`HostApi`]
//! (the WASI 0.2 list of `kiln_abi::wasi_p2`, or a test list). Outputs,
//! which the trampolines (`crate::trampolines::component`) and the
//! component descriptor (`crate::obj::component`) read:
//! - one [`ResolvedTrampoline`] per plan trampoline: its core signature
//!   (`flatten_functype(.., Lower)` for `canon lower`, `[i32] -> [i32]` for
//!   `resource.new/rep`, `[i32] -> []` for `resource.drop`, the signature
//!   of `kiln_abi::component::builtins` for P3 built-ins), the host
//!   function it calls ([`HostCallee`]) and its descriptor facts;
//! - the host type number of every imported resource;
//! - core items named by export name resolved to `(kind, index)` in the
//!   exporting module's index space ([`resolve_export`]).
//!
//! Errors, all naming the item as the component spells it: a lowered
//! function or resource the host lacks, or whose core signature differs
//! from the host's (`CompileError::UnsupportedImport`); an async lowering of
//! a WASI 0.2 function, and options naming a trampoline where a core export
//! is needed
//! (`CompileError::Unsupported`); a trampoline bound to a core import of
//! another type.

use super::plan::{
    ComponentPlan, CoreDef, CoreExport, CoreKind, Resource, ResourceIndex, RuntimeInstanceIndex,
    Trampoline,
};
use crate::CompileError;
use crate::module::{ImportInfo, ModuleInfo};
use cranelift_entity::EntityRef;
use kiln_abi::ValType;
use kiln_abi::component::program as prog;
use kiln_abi::component::{AbiContext, FlattenOpts, FuncSig};
use kiln_abi::descriptor::{KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE, KIND_TAG, NO_INDEX};
use kiln_abi::wasi_p2::{P2Func, P2Resource, WASI_P2_FUNCS, WASI_P2_RESOURCES};
use kiln_abi::wasi_p3::interface_key;

/// The host functions and resources lowered imports may use.
#[derive(Copy, Clone, Debug)]
pub struct HostApi {
    /// Functions (the host symbol is derived from interface and name).
    pub funcs: &'static [P2Func],
    /// WASI 0.3 functions, served by the same table after `funcs`.
    pub p3_funcs: &'static [P2Func],
    /// Resource types; the index is the host type number.
    pub resources: &'static [P2Resource],
    /// WASI 0.3 resource types, numbered after `resources`.
    pub p3_resources: &'static [P2Resource],
    /// `wasi:http` functions, served by the same table after `p3_funcs`.
    pub http_funcs: &'static [P2Func],
    /// `wasi:http` resource types, numbered after `p3_resources`.
    pub http_resources: &'static [P2Resource],
    /// Whether functions' `type_hash`es are checked (hand-made test lists
    /// that have none turn it off).
    pub check_types: bool,
}

impl HostApi {
    /// Kiln's WASI 0.2 host (`kiln_abi::wasi_p2`).
    pub const WASI_P2: HostApi = HostApi {
        funcs: WASI_P2_FUNCS,
        p3_funcs: kiln_abi::wasi_p3::WASI_P3_FUNCS,
        resources: WASI_P2_RESOURCES,
        p3_resources: kiln_abi::wasi_p3::WASI_P3_RESOURCES,
        http_funcs: kiln_abi::wasi_http::WASI_HTTP_FUNCS,
        http_resources: kiln_abi::wasi_http::WASI_HTTP_RESOURCES,
        check_types: true,
    };

    /// The entry of function `name` of interface key `interface`: its index
    /// (= its slot in the runtime's host table) and signature.
    fn find_func(&self, interface: &str, name: &str) -> Option<(u32, &'static P2Func)> {
        self.funcs
            .iter()
            .chain(self.p3_funcs)
            .chain(self.http_funcs)
            .enumerate()
            .find(|(_, f)| f.interface == interface && f.name == name)
            .map(|(i, f)| (u32::try_from(i).expect("the host list is small"), f))
    }

    fn find_resource(&self, interface: &str, name: &str) -> Option<u32> {
        self.resources
            .iter()
            .chain(self.p3_resources)
            .chain(self.http_resources)
            .position(|r| r.interface == interface && r.name == name)
            .map(|i| u32::try_from(i).expect("the host list is small"))
    }
}

/// One trampoline, ready to emit.
#[derive(Clone, Debug)]
pub struct ResolvedTrampoline {
    /// `TRAMPOLINE_*` of `kiln_abi::component::program`.
    pub kind: u32,
    /// Core parameters (wasm-call convention, after `vmctx`).
    pub params: Vec<ValType>,
    /// Core results (zero or one).
    pub results: Vec<ValType>,
    /// The runtime function it calls (`LoweredHostFn` shape).
    pub host: HostCallee,
    /// `interface#func` for a lowered import, else empty.
    pub name: String,
}

/// How a trampoline reaches its runtime function (both `LoweredHostFn`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HostCallee {
    /// The runtime's WASI host function `i`
    /// (`kiln_abi::symbols::wasi_host_symbol`), `i` = the function's index
    /// in the host list.
    Wasi(u32),
    /// A runtime function by symbol (the resource built-ins).
    Symbol(&'static str),
}

/// The name of a lowered import or host resource as the component spells it:
/// `interface#item`, or `item` alone for a root import.
pub fn path_name(path: &[String]) -> String {
    path.join("#")
}

/// `(interface, item)` of an import path: a root function import has no
/// interface (its name stands for both, looked up as an interface key);
/// deeper paths cannot come from WASI.
fn split_path(path: &[String]) -> Option<(&str, &str)> {
    match path {
        [root] => Some((root.as_str(), "")),
        [interface, item] => Some((interface.as_str(), item.as_str())),
        _ => None,
    }
}

fn not_provided(path: &[String]) -> CompileError {
    CompileError::UnsupportedImport {
        name: path_name(path),
        reason: "is not provided by Kiln's WASI host".to_string(),
    }
}

/// Formats a core signature as `(i32, i32) -> (i32)`.
fn show_sig(params: &[ValType], results: &[ValType]) -> String {
    let list = |ts: &[ValType]| {
        ts.iter()
            .map(|t| val_type_name(*t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("({}) -> ({})", list(params), list(results))
}

fn val_type_name(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::V128 => "v128",
        ValType::FuncRef => "funcref",
        ValType::ExternRef => "externref",
        ValType::ExnRef => "exnref",
    }
}

/// Resolves every trampoline of `plan` against `host`.
pub fn resolve_trampolines(
    plan: &ComponentPlan,
    host: &HostApi,
) -> Result<Vec<ResolvedTrampoline>, CompileError> {
    let table = plan.types.table();
    let mut out = Vec::with_capacity(plan.trampolines.len());
    for (_, t) in plan.trampolines.iter() {
        let resolved = match t {
            Trampoline::LowerImport {
                path, ty, options, ..
            } => {
                let name = path_name(path);
                let (interface, func) = split_path(path).ok_or_else(|| not_provided(path))?;
                if options.async_ && !kiln_abi::wasi_p3::is_p3_key(interface_key(interface)) {
                    crate::unsupported!(
                        format!("async `canon lower` of the WASI 0.2 function {name}"),
                        0
                    );
                }
                let (entry, host_func) = host
                    .find_func(interface_key(interface), func)
                    .ok_or_else(|| not_provided(path))?;
                let ft = &plan.func_types[*ty];
                let params: Vec<_> = ft.params.iter().map(|(_, t)| *t).collect();
                let results: Vec<_> = ft.result.iter().copied().collect();
                let opts = FlattenOpts {
                    callback: options.callback.is_some(),
                    async_: options.async_,
                    ..FlattenOpts::default()
                };
                let sig = table.flatten_functype(
                    FuncSig {
                        params: &params,
                        results: &results,
                    },
                    opts,
                    AbiContext::Lower,
                );
                let (params, results) = (sig.params.as_slice(), sig.results.as_slice());
                // An async lowering has its own core signature (at most 4
                // flat parameters, a return pointer, a status); the type
                // check below still applies.
                if !options.async_ && (params != host_func.params || results != host_func.results) {
                    return Err(CompileError::UnsupportedImport {
                        name,
                        reason: format!(
                            "has core signature {} in this component, but Kiln's WASI host \
                             provides {}",
                            show_sig(params, results),
                            show_sig(host_func.params, host_func.results)
                        ),
                    });
                }
                // Same core signature is not enough (`u32` and `own<R>`
                // both flatten to `i32`): compare the structural types.
                let resource = |r: u32| match plan.resources.get(ResourceIndex::from_u32(r)) {
                    Some(Resource::Imported { path }) => {
                        split_path(path).and_then(|(i, n)| host.find_resource(interface_key(i), n))
                    }
                    _ => None,
                };
                let ft_params: Vec<_> = ft.params.iter().map(|(_, t)| *t).collect();
                let ft_results: Vec<_> = ft.result.iter().copied().collect();
                let hash = kiln_abi::component::typehash::func_type_hash(
                    &table,
                    &ft_params,
                    &ft_results,
                    &resource,
                );
                if host.check_types && hash != Some(host_func.type_hash) {
                    return Err(CompileError::UnsupportedImport {
                        name,
                        reason: format!(
                            "has type {} in this component, which is not the type of Kiln's \
                             WASI host function",
                            super::display_func_type(table, ft)
                        ),
                    });
                }
                ResolvedTrampoline {
                    kind: prog::TRAMPOLINE_LOWER_IMPORT,
                    params: params.to_vec(),
                    results: results.to_vec(),
                    host: HostCallee::Wasi(entry),
                    name,
                }
            }
            Trampoline::ResourceNew { .. } => builtin(
                prog::TRAMPOLINE_RESOURCE_NEW,
                kiln_abi::symbols::RESOURCE_NEW,
                true,
            ),
            Trampoline::ResourceRep { .. } => builtin(
                prog::TRAMPOLINE_RESOURCE_REP,
                kiln_abi::symbols::RESOURCE_REP,
                true,
            ),
            Trampoline::ResourceDrop { .. } => builtin(
                prog::TRAMPOLINE_RESOURCE_DROP,
                kiln_abi::symbols::RESOURCE_DROP,
                false,
            ),
            Trampoline::AdapterFlags { .. } => builtin(
                prog::TRAMPOLINE_ADAPTER_FLAGS,
                kiln_abi::symbols::ADAPTER_FLAGS,
                false,
            ),
            Trampoline::AdapterHandle { .. } => ResolvedTrampoline {
                kind: prog::TRAMPOLINE_ADAPTER_HANDLE,
                params: vec![ValType::I32; 5],
                results: vec![ValType::I32],
                host: HostCallee::Symbol(kiln_abi::symbols::ADAPTER_HANDLE),
                name: String::new(),
            },
            Trampoline::AdapterTranscode { op, .. } => {
                let (params, results) = op.arity();
                ResolvedTrampoline {
                    kind: prog::TRAMPOLINE_ADAPTER_TRANSCODE,
                    params: vec![ValType::I32; params],
                    results: vec![ValType::I32; results],
                    host: HostCallee::Symbol(kiln_abi::symbols::ADAPTER_TRANSCODE),
                    name: String::new(),
                }
            }
            Trampoline::AsyncCall {
                ty,
                lower,
                core_values,
                ..
            } => {
                let ft = &plan.func_types[*ty];
                let params: Vec<_> = ft.params.iter().map(|(_, t)| *t).collect();
                let results: Vec<_> = ft.result.iter().copied().collect();
                // A generated adapter's call of the callee has the
                // lifting's core signature.
                let (opts, cx) = if *core_values {
                    (FlattenOpts::default(), AbiContext::Lift)
                } else {
                    (
                        FlattenOpts {
                            async_: lower.async_,
                            ..FlattenOpts::default()
                        },
                        AbiContext::Lower,
                    )
                };
                let sig = table.flatten_functype(
                    FuncSig {
                        params: &params,
                        results: &results,
                    },
                    opts,
                    cx,
                );
                ResolvedTrampoline {
                    kind: prog::TRAMPOLINE_ASYNC_CALL,
                    params: sig.params.as_slice().to_vec(),
                    results: sig.results.as_slice().to_vec(),
                    host: HostCallee::Symbol(kiln_abi::symbols::ASYNC_CALL),
                    name: String::new(),
                }
            }
            Trampoline::AsyncBuiltin(b) => {
                let (params, results) = match b.builtin.core_sig() {
                    Some((p, r)) => (p.to_vec(), r.to_vec()),
                    None => {
                        // `task.return`: its values, flattened as a lowered
                        // function's parameters.
                        let ft = b.func_type.map(|f| &plan.func_types[f]);
                        let params: Vec<_> = ft
                            .map(|ft| ft.params.iter().map(|(_, t)| *t).collect())
                            .unwrap_or_default();
                        let sig = table.flatten_functype(
                            FuncSig {
                                params: &params,
                                results: &[],
                            },
                            FlattenOpts::default(),
                            AbiContext::Lower,
                        );
                        (sig.params.as_slice().to_vec(), Vec::new())
                    }
                };
                ResolvedTrampoline {
                    kind: prog::TRAMPOLINE_ASYNC_BUILTIN,
                    params,
                    results,
                    host: HostCallee::Symbol(b.builtin.symbol()),
                    name: String::new(),
                }
            }
        };
        out.push(resolved);
    }
    Ok(out)
}

fn builtin(kind: u32, symbol: &'static str, result: bool) -> ResolvedTrampoline {
    ResolvedTrampoline {
        kind,
        params: vec![ValType::I32],
        results: if result { vec![ValType::I32] } else { vec![] },
        host: HostCallee::Symbol(symbol),
        name: String::new(),
    }
}

/// The host type number of each resource (`NO_INDEX` for defined ones).
pub fn resolve_resources(plan: &ComponentPlan, host: &HostApi) -> Result<Vec<u32>, CompileError> {
    plan.resources
        .values()
        .map(|r| match r {
            Resource::Imported { path } => {
                let (interface, name) = split_path(path).ok_or_else(|| not_provided(path))?;
                host.find_resource(interface_key(interface), name)
                    .ok_or_else(|| not_provided(path))
            }
            Resource::Defined { .. } => Ok(NO_INDEX),
        })
        .collect()
}

/// The `kiln_abi::descriptor::KIND_*` of a core kind.
pub fn kind_code(kind: CoreKind) -> u32 {
    match kind {
        CoreKind::Func => KIND_FUNC,
        CoreKind::Table => KIND_TABLE,
        CoreKind::Memory => KIND_MEMORY,
        CoreKind::Global => KIND_GLOBAL,
        CoreKind::Tag => KIND_TAG,
    }
}

/// `(kind, index)` of export `e`: the item's index in the exporting module's
/// index space of its kind.
pub fn resolve_export(
    plan: &ComponentPlan,
    infos: &[ModuleInfo],
    e: &CoreExport,
) -> Result<(u32, u32), CompileError> {
    let info = instance_info(plan, infos, e.instance)?;
    let kind = kind_code(e.kind);
    info.exports
        .iter()
        .find(|x| x.name == e.name && x.kind == kind)
        .map(|x| (kind, x.index))
        .ok_or_else(|| CompileError::Invalid {
            offset: 0,
            message: format!("{} has no {:?} export {:?}", e.instance, e.kind, e.name),
        })
}

/// The module of core instance `i`.
pub fn instance_info<'i>(
    plan: &ComponentPlan,
    infos: &'i [ModuleInfo],
    i: RuntimeInstanceIndex,
) -> Result<&'i ModuleInfo, CompileError> {
    plan.instances
        .get(i)
        .and_then(|inst| infos.get(inst.module.index()))
        .ok_or_else(|| CompileError::Invalid {
            offset: 0,
            message: format!("{i} is out of range"),
        })
}

/// A function option (`realloc`, `post-return`, `callback`, a destructor,
/// a lifted function) as `(instance, function index)`: it must be a core
/// export, not a generated trampoline.
pub fn resolve_func_option(
    plan: &ComponentPlan,
    infos: &[ModuleInfo],
    def: &CoreDef,
    what: &str,
) -> Result<(u32, u32), CompileError> {
    match def {
        CoreDef::Export(e) => {
            let (_, index) = resolve_export(plan, infos, e)?;
            Ok((e.instance.as_u32(), index))
        }
        CoreDef::Trampoline(t) => crate::unsupported!(
            format!("{what} that is a canonical built-in or lowered import ({t})"),
            0
        ),
        CoreDef::InstanceFlags(_) => crate::unsupported!(
            format!("{what} that is an instance's flags (a Kiln bug)"),
            0
        ),
    }
}

/// Checks that every trampoline bound to a core import has exactly the
/// import's declared core type (the runtime binds without checking).
pub fn check_trampoline_imports(
    plan: &ComponentPlan,
    infos: &[ModuleInfo],
    tramps: &[ResolvedTrampoline],
) -> Result<(), CompileError> {
    for (i, inst) in plan.instances.iter() {
        let info = instance_info(plan, infos, i)?;
        for (j, def) in inst.imports.iter().enumerate() {
            let CoreDef::Trampoline(t) = def else {
                continue;
            };
            let tramp = &tramps[t.index()];
            let import = info.imports.get(j);
            let ty = import
                .and_then(ImportInfo::func)
                .and_then(|f| info.funcs.get(f))
                .map(|f| &info.types[f.type_index]);
            let matches =
                ty.is_some_and(|ty| ty.params == tramp.params && ty.results == tramp.results);
            if !matches {
                let (module, name) = import
                    .map(|imp| (imp.module.as_str(), imp.name.as_str()))
                    .unwrap_or(("?", "?"));
                let got = ty.map_or("not a function".to_string(), |ty| {
                    show_sig(&ty.params, &ty.results)
                });
                return Err(CompileError::Invalid {
                    offset: 0,
                    message: format!(
                        "{i} imports {module:?} {name:?} as {got}, but it is bound to {t} of type {}",
                        show_sig(&tramp.params, &tramp.results)
                    ),
                });
            }
        }
    }
    Ok(())
}
