//! Golden tests of the component front-end (`kiln_compiler::component::plan`).
//!
//! - `tests/component-plans/*.wat`: hand-written components; the expected
//!   plan dump (or `error: <message>` for a rejected component) is the `;;`
//!   comment block at the end of the file.
//! - `rust_wasip2_hello`: `tests/component-plans/hello.rs` built at test time
//!   for `wasm32-wasip2` (a component made by the toolchain), compared with
//!   `rust-wasip2-hello.plan`.
//! - `rust_wasip1_adapter`: the same program built for `wasm32-wasip1` and
//!   made a component with `wit-component` and the preview1 command adapter
//!   of `wasi-preview1-component-adapter-provider`, compared with
//!   `rust-wasip1-adapter.plan`.
//!
//! - `compile::rust_wasip2_hello`, `compile::rust_wasip1_adapter`: the
//!   same two components compiled to one object by
//!   `kiln_compiler::pipeline::emit_component` (against Kiln's WASI 0.2 host list once
//!   it is filled, and always against a host list derived from the plan's
//!   own lowered imports, so the back end is exercised on real components);
//!   the object must name `__kiln_program` and every module's descriptor.
//! - `wasip2_program::<name>`: every WASI test program of
//!   `tests/programs/rust` built for `wasm32-wasip2` (the p1-only ones get
//!   the toolchain's preview1 adapter) must plan, with the plan's
//!   invariants holding; no golden.
//!
//! `BLESS=1` rewrites the expectations. A missing Rust target is an ignored
//! trial with the reason (a failure under CI). The built goldens omit module
//! byte ranges, but still name the WASI versions the toolchain uses: a new
//! toolchain may need a re-bless.

use crate::util;
use cranelift_entity::EntityRef;
use kiln_compiler::Config;
use kiln_compiler::component::HostApi;
use kiln_compiler::component::plan;
use kiln_compiler::component::plan::{ComponentPlan, CoreDef, Resource, Trampoline};
use kiln_compiler::pipeline::emit_component;
use libtest_mimic::{Completion, Failed, Trial};
use object::Object;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir())
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    cases.sort();
    for path in cases {
        if path.extension().is_some_and(|e| e == "wat") {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            trials.push(crate::timing::trial(
                format!("component_plans::wat::{name}"),
                move || wat_case(&path),
            ));
        }
    }
    trials.push(crate::timing::ignorable_trial(
        "component_plans::rust_wasip2_hello",
        rust_wasip2_hello,
    ));
    trials.push(crate::timing::ignorable_trial(
        "component_plans::rust_wasip1_adapter",
        rust_wasip1_adapter,
    ));
    trials.push(crate::timing::ignorable_trial(
        "component_plans::compile::rust_wasip2_hello",
        || match hello_wasip2() {
            Ok(wasm) => compile_component(&wasm),
            Err(skip) => skip,
        },
    ));
    trials.push(crate::timing::ignorable_trial(
        "component_plans::compile::rust_wasip1_adapter",
        || match hello_wasip1_adapter() {
            Ok(wasm) => compile_component(&wasm),
            Err(skip) => skip,
        },
    ));
    let mut programs: Vec<PathBuf> = std::fs::read_dir(dir().join("../programs/rust"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    programs.sort();
    for path in programs {
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            trials.push(crate::timing::ignorable_trial(
                format!("component_plans::wasip2_program::{name}"),
                move || wasip2_program(&path),
            ));
        }
    }
    trials
}

fn dir() -> PathBuf {
    util::repo().join("tests/component-plans")
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some()
}

/// The text a component produces: its plan dump or `error: <message>`.
/// A plan that breaks an invariant of `kiln_compiler::component::plan` is
/// a failure whatever the expectation says.
fn render(wasm: &[u8], ranges: bool) -> Result<String, String> {
    match plan(wasm, &Config::default()) {
        Ok(p) => {
            check_invariants(wasm, &p)?;
            Ok(p.dump(ranges))
        }
        Err(e) => Ok(format!("error: {e}\n")),
    }
}

/// The plan's documented invariants: indices in range, instances only
/// import from earlier instances, module ranges (or generated adapters)
/// hold core modules.
fn check_invariants(wasm: &[u8], p: &ComponentPlan) -> Result<(), String> {
    let def_ok = |def: &CoreDef, before: usize| match def {
        CoreDef::Export(e) => e.instance.index() < before,
        CoreDef::Trampoline(t) => p.trampolines.get(*t).is_some(),
        CoreDef::InstanceFlags(i) => i.as_u32() < p.component_instances,
    };
    for m in p.modules.values() {
        let bytes = match &m.generated {
            Some(bytes) => bytes.as_slice(),
            None => wasm
                .get(m.range.clone())
                .ok_or("module range out of bounds")?,
        };
        if !bytes.starts_with(b"\0asm\x01\0\0\0") {
            return Err(format!("module range {:?} is not a core module", m.range));
        }
    }
    for (i, inst) in p.instances.iter() {
        let module = p.modules.get(inst.module).ok_or("bad module index")?;
        if module.imports.len() != inst.imports.len() {
            return Err(format!("{i}: one definition per import expected"));
        }
        if inst.component_instance.as_u32() >= p.component_instances {
            return Err(format!("{i}: bad component instance"));
        }
        if !inst.imports.iter().all(|d| def_ok(d, i.index())) {
            return Err(format!("{i} imports from a later instance"));
        }
    }
    let n = p.instances.len();
    for (i, t) in p.trampolines.iter() {
        let ok = match t {
            Trampoline::LowerImport {
                import,
                ty,
                options,
                ..
            } => {
                p.imports.get(*import).is_some()
                    && p.func_types.get(*ty).is_some()
                    && options
                        .memory
                        .as_ref()
                        .is_none_or(|m| m.instance.index() < n)
                    && options.realloc.as_ref().is_none_or(|d| def_ok(d, n))
            }
            Trampoline::ResourceNew { resource, .. }
            | Trampoline::ResourceRep { resource, .. }
            | Trampoline::ResourceDrop { resource, .. } => p.resources.get(*resource).is_some(),
            Trampoline::AdapterFlags { instance } => instance.as_u32() < p.component_instances,
            // The reserved index: the handle built-in of stream and future
            // ends.
            Trampoline::AdapterHandle { resource } => {
                resource.as_u32() == u32::MAX || p.resources.get(*resource).is_some()
            }
            Trampoline::AdapterTranscode { dst, src, .. } => [dst, src].iter().all(|o| {
                o.instance.as_u32() < p.component_instances
                    && o.memory.as_ref().is_some_and(|m| m.instance.index() < n)
                    && o.realloc.as_ref().is_none_or(|d| def_ok(d, n))
            }),
            Trampoline::AsyncCall {
                ty,
                lower,
                lift,
                callee,
                params_adapter,
                results_adapter,
                core_values,
            } => {
                // A task call (called by a generated adapter) is for
                // functions of an `async` type only, with no halves.
                let task_call_ok = !core_values
                    || (p.func_types.get(*ty).is_some_and(|f| f.async_)
                        && params_adapter.is_none()
                        && results_adapter.is_none());
                task_call_ok
                    && p.func_types.get(*ty).is_some()
                    && def_ok(callee, n)
                    && [params_adapter, results_adapter]
                        .iter()
                        .all(|d| d.as_ref().is_none_or(|d| def_ok(d, n)))
                    && [lower, lift].iter().all(|o| {
                        o.instance.as_u32() < p.component_instances
                            && o.memory.as_ref().is_none_or(|m| m.instance.index() < n)
                    })
            }
            Trampoline::AsyncBuiltin(b) => {
                b.func_type.is_none_or(|f| p.func_types.get(f).is_some())
                    && b.options
                        .memory
                        .as_ref()
                        .is_none_or(|m| m.instance.index() < n)
            }
        };
        if !ok {
            return Err(format!("{i} has an index out of range"));
        }
    }
    for e in &p.exports {
        if !def_ok(&e.func, n) || p.func_types.get(e.ty).is_none() {
            return Err(format!("export {:?} has an index out of range", e.path));
        }
    }
    p.types
        .table()
        .validate()
        .map_err(|e| format!("type table: {e}"))
}

/// Splits a case into its WAT and its expectation (the trailing `;;` lines).
fn split_case(text: &str) -> (String, String) {
    let lines: Vec<&str> = text.lines().collect();
    let mut start = lines.len();
    while start > 0 && lines[start - 1].starts_with(";;") {
        start -= 1;
    }
    let expected: Vec<&str> = lines[start..]
        .iter()
        .map(|l| {
            l.strip_prefix(";; ")
                .unwrap_or_else(|| l.strip_prefix(";;").unwrap_or(l))
        })
        .collect();
    (
        lines[..start].join("\n").trim_end().to_string(),
        expected.join("\n").trim_end().to_string(),
    )
}

fn wat_case(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (wat, expected) = split_case(&text);
    let wasm = wat::parse_str(&wat).map_err(|e| format!("{}: {e}", path.display()))?;
    let actual = render(&wasm, true)?;
    if bless() {
        let mut out = format!("{wat}\n\n");
        for line in actual.trim_end().lines() {
            out.push_str(&format!(";; {line}\n").replace(";; \n", ";;\n"));
        }
        std::fs::write(path, out).map_err(|e| e.to_string())?;
        return Ok(());
    }
    compare(path, &expected, actual.trim_end())
}

fn compare(path: &Path, expected: &str, actual: &str) -> Result<(), Failed> {
    if expected == actual {
        return Ok(());
    }
    Err(format!(
        "{} does not match (BLESS=1 to update)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    )
    .into())
}

/// Compares `actual` with golden file `name` (or rewrites it).
fn golden(name: &str, actual: &str) -> Result<Completion, Failed> {
    let path = dir().join(name);
    if bless() {
        std::fs::write(&path, actual).map_err(|e| e.to_string())?;
        return Ok(Completion::Completed);
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    compare(&path, expected.trim_end(), actual.trim_end())?;
    Ok(Completion::Completed)
}

/// Builds `hello.rs` for `target`, reusing a build newer than the source.
fn build_hello(target: &str) -> Result<Vec<u8>, String> {
    build(&dir().join("hello.rs"), target)
}

/// Builds Rust program `source` for `target`, reusing a build newer than
/// the source.
fn build(source: &Path, target: &str) -> Result<Vec<u8>, String> {
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out_dir = util::scratch("component-plans");
    let out = out_dir.join(format!("{stem}-{target}.wasm"));
    let fresh = match (std::fs::metadata(source), std::fs::metadata(&out)) {
        (Ok(s), Ok(o)) => matches!((s.modified(), o.modified()), (Ok(s), Ok(o)) if o >= s),
        _ => false,
    };
    if !fresh {
        let tmp = util::tmp_path(&out_dir, &format!("{stem}-{target}.wasm"));
        let o = Command::new(util::rustc())
            .args([
                "--edition",
                "2021",
                "-O",
                "-C",
                "debuginfo=0",
                "--target",
                target,
            ])
            .arg(source)
            .arg("-o")
            .arg(&tmp)
            .output()
            .map_err(|e| format!("cannot run rustc: {e}"))?;
        if !o.status.success() {
            return Err(format!(
                "rustc --target {target} failed:\n{}",
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        std::fs::rename(&tmp, &out).map_err(|e| e.to_string())?;
    }
    std::fs::read(&out).map_err(|e| e.to_string())
}

/// The hello component built for `wasm32-wasip2`, or the trial's outcome
/// when it cannot be built.
fn hello_wasip2() -> Result<Vec<u8>, Result<Completion, Failed>> {
    if let Err(why) = util::rust_wasm_target("wasm32-wasip2") {
        return Err(util::toolchain_missing(why));
    }
    build_hello("wasm32-wasip2").map_err(|e| Err(e.into()))
}

fn rust_wasip2_hello() -> Result<Completion, Failed> {
    let wasm = match hello_wasip2() {
        Ok(wasm) => wasm,
        Err(skip) => return skip,
    };
    golden("rust-wasip2-hello.plan", &render(&wasm, false)?)
}

fn rust_wasip1_adapter() -> Result<Completion, Failed> {
    let wasm = match hello_wasip1_adapter() {
        Ok(wasm) => wasm,
        Err(skip) => return skip,
    };
    golden("rust-wasip1-adapter.plan", &render(&wasm, false)?)
}

/// The hello program built for `wasm32-wasip1` and adapted into a
/// component, or the trial's outcome when it cannot be built.
fn hello_wasip1_adapter() -> Result<Vec<u8>, Result<Completion, Failed>> {
    if let Err(why) = util::rust_wasm_target("wasm32-wasip1") {
        return Err(util::toolchain_missing(why));
    }
    let module = build_hello("wasm32-wasip1").map_err(|e| Err(e.into()))?;
    wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|e| {
            e.adapter(
                wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
                wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
            )
        })
        .and_then(|e| e.validate(true).encode())
        .map_err(|e| Err(format!("componentizing the wasip1 module failed: {e:#}").into()))
}

/// A host list providing exactly what `p` lowers and names, with the core
/// signatures the canonical ABI gives (leaked: `HostApi` holds statics).
fn plan_host(p: &ComponentPlan) -> HostApi {
    use kiln_abi::component::{AbiContext, FlattenOpts, FuncSig, canonical_key};
    use kiln_abi::wasi_p2::{P2Func, P2Resource};
    let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
    let mut funcs = Vec::new();
    for t in p.trampolines.values() {
        if let Trampoline::LowerImport { path, ty, .. } = t {
            let ft = &p.func_types[*ty];
            let params: Vec<_> = ft.params.iter().map(|(_, t)| *t).collect();
            let results: Vec<_> = ft.result.iter().copied().collect();
            let sig = p.types.table().flatten_functype(
                FuncSig {
                    params: &params,
                    results: &results,
                },
                FlattenOpts::default(),
                AbiContext::Lower,
            );
            funcs.push(P2Func {
                interface: leak(canonical_key(&path[0])),
                name: leak(path.get(1).map_or("", |s| s.as_str())),
                params: Box::leak(sig.params.as_slice().to_vec().into_boxed_slice()),
                results: Box::leak(sig.results.as_slice().to_vec().into_boxed_slice()),
                type_hash: 0,
            });
        }
    }
    let mut resources = Vec::new();
    for r in p.resources.values() {
        if let Resource::Imported { path } = r {
            resources.push(P2Resource {
                interface: leak(canonical_key(&path[0])),
                name: leak(&path[1]),
            });
        }
    }
    HostApi {
        funcs: Box::leak(funcs.into_boxed_slice()),
        p3_funcs: &[],
        p3_resources: &[],
        http_funcs: &[],
        http_resources: &[],
        resources: Box::leak(resources.into_boxed_slice()),
        check_types: false,
    }
}

/// Compiles component `wasm` to one object (see the module docs).
fn compile_component(wasm: &[u8]) -> Result<Completion, Failed> {
    let config = Config::default();
    let p = plan(wasm, &config).map_err(|e| format!("plan failed: {e}"))?;
    let object = emit_component(&p, wasm, &config, &plan_host(&p), &mut Default::default())
        .map_err(|e| format!("compile failed: {e}"))?;
    let file = object::File::parse(&*object).map_err(|e| e.to_string())?;
    let mut names = vec![
        kiln_abi::symbols::PROGRAM.to_string(),
        kiln_abi::symbols::COMPONENT.to_string(),
    ];
    names.extend((0..p.modules.len()).map(|m| format!("__kiln_m{m}_module")));
    names.extend((0..p.trampolines.len()).map(|t| format!("__kiln_cm_tramp_{t}")));
    for name in names {
        if file.symbol_by_name(&name).is_none() {
            return Err(format!("the object has no {name}").into());
        }
    }
    if !kiln_abi::wasi_p2::WASI_P2_FUNCS.is_empty() {
        kiln_compiler::compile_component(wasm, &config)
            .map_err(|e| format!("compile against Kiln's WASI host failed: {e}"))?;
    }
    Ok(Completion::Completed)
}

fn wasip2_program(source: &Path) -> Result<Completion, Failed> {
    if let Err(why) = util::rust_wasm_target("wasm32-wasip2") {
        return util::toolchain_missing(why);
    }
    let wasm = build(source, "wasm32-wasip2")?;
    let p = plan(&wasm, &Config::default()).map_err(|e| format!("plan failed: {e}"))?;
    check_invariants(&wasm, &p)?;
    if !p.exports.iter().any(|e| {
        e.path.len() == 2 && e.path[0].starts_with("wasi:cli/run@0.2.") && e.path[1] == "run"
    }) {
        return Err(format!("no wasi:cli/run export:\n{}", p.dump(false)).into());
    }
    Ok(Completion::Completed)
}
