//! Kiln's compiler: WebAssembly bytes -> one relocatable object file.
//!
//! Phase: the whole compile, as a library with no process I/O.
//! Inputs: wasm binary bytes and a [`Config`]. Output: the bytes of one
//! relocatable object holding the compiled functions, trampolines, trap
//! tables and the `repr(C)` module and grants descriptors of `kiln-abi`.
//!
//! Data flows one way, bytes -> plain data -> CLIF -> object (see
//! ARCHITECTURE.md):
//! 1. [`module`]: wasmparser validates; the module becomes a plain-data
//!    [`module::ModuleInfo`] (no Cranelift types). [`component`] does the
//!    same for a component: [`component::plan()`] validates and flattens
//!    it into a plain-data [`component::ComponentPlan`].
//! 2. [`func`]: each function body becomes CLIF; [`trampolines`] builds the
//!    CLIF of the trampolines between calling conventions (a component's
//!    included).
//! 3. [`obj`]: compiled code and plain data are written into the object,
//!    deterministically. It never parses wasm nor builds CLIF.
//!
//! [`pipeline`] is the driver that runs them: it declares every function
//! (naming them through [`key`], the one module both translation and
//! object emission use), translates and compiles the functions in
//! parallel, and hands the results to [`obj`]. [`compile_component`]
//! compiles every core module of a component through the same phases into
//! ONE object, adding the component trampolines and the
//! `__kiln_component` descriptor. [`isa`] builds the Cranelift target from
//! the [`Config`].

pub mod component;
pub mod config;
pub mod error;
pub mod func;
pub mod isa;
pub mod key;
pub mod module;
pub mod obj;
pub mod pipeline;
pub mod trampolines;

pub use config::{
    Checks, Config, CpuSpec, Grants, ImportPolicy, Limits, OptLevel, Progress, ProgressCounts,
};
pub use error::CompileError;
pub use pipeline::{compile_component, compile_component_timed, compile_grants};

use std::fmt;
use std::time::{Duration, Instant};

/// Whether `wasm` is a component (by its binary header) rather than a
/// core module: which of [`compile_component`] and [`compile_module`]
/// takes it.
pub fn is_component(wasm: &[u8]) -> bool {
    wasmparser::Parser::is_component(wasm)
}

/// Whether `wasm` is a component that exports a `wasi:http` 0.2 request
/// handler (`wasi:http/incoming-handler@0.2.x`) and no `wasi:cli/run`: it
/// builds into a server without `--addr` (`wasmtime serve` would serve it,
/// `wasmtime run` refuse it).
pub fn component_is_proxy_only(wasm: &[u8]) -> bool {
    use wasmparser::Payload;
    let (mut handler, mut run) = (false, false);
    let mut depth = 0u32;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let Ok(payload) = payload else {
            return false;
        };
        match payload {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentExportSection(section) if depth == 0 => {
                for export in section.into_iter().flatten() {
                    let name = export.name.0;
                    handler |= name.starts_with("wasi:http/incoming-handler@0.2.")
                        || name.starts_with("wasi:http/handler@0.3");
                    run |= name.starts_with("wasi:cli/run@");
                }
            }
            _ => {}
        }
    }
    handler && !run
}

/// The first `wasi:http` interface a component imports at its top level
/// (e.g. `wasi:http/types@0.2.10`), if any: running it needs Wasmtime's
/// `-S http` grant. A malformed component answers `None` (compiling it
/// reports the error).
pub fn component_http_import(wasm: &[u8]) -> Option<String> {
    component_http_import_detail(wasm).map(|(name, _)| name)
}

/// [`component_http_import`] with the first export of that instance that
/// needs an implementation, as Wasmtime's linker names it when the
/// interface is missing: the export's name and `"resource"` or
/// `"function"` (types equal to a given one need none). `None` for the
/// detail if the instance's type cannot be found.
pub fn component_http_import_detail(
    wasm: &[u8],
) -> Option<(String, Option<(String, &'static str)>)> {
    use wasmparser::{
        ComponentAlias, ComponentExternalKind, ComponentOuterAliasKind, ComponentType,
        ComponentTypeRef, InstanceTypeDeclaration, Payload, TypeBounds,
    };
    let mut depth = 0u32;
    // The component type index space at the top level: for each type, its
    // first export that needs an implementation (instance types only).
    let mut types: Vec<Option<(String, &'static str)>> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentTypeSection(section) if depth == 0 => {
                for ty in section {
                    let first = match ty.ok()? {
                        ComponentType::Instance(decls) => decls.iter().find_map(|d| match d {
                            InstanceTypeDeclaration::Export { name, ty } => match ty {
                                ComponentTypeRef::Type(TypeBounds::SubResource) => {
                                    Some((name.0.to_string(), "resource"))
                                }
                                ComponentTypeRef::Func(_) => Some((name.0.to_string(), "function")),
                                _ => None,
                            },
                            _ => None,
                        }),
                        _ => None,
                    };
                    types.push(first);
                }
            }
            Payload::ComponentAliasSection(section) if depth == 0 => {
                for alias in section {
                    match alias.ok()? {
                        ComponentAlias::InstanceExport {
                            kind: ComponentExternalKind::Type,
                            ..
                        }
                        | ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::Type,
                            ..
                        } => types.push(None),
                        _ => {}
                    }
                }
            }
            Payload::ComponentExportSection(section) if depth == 0 => {
                for export in section {
                    if export.ok()?.kind == ComponentExternalKind::Type {
                        types.push(None);
                    }
                }
            }
            Payload::ComponentImportSection(imports) if depth == 0 => {
                for import in imports {
                    let import = import.ok()?;
                    let name = import.name.0;
                    if kiln_abi::wasi_http::is_http_key(name) {
                        let detail = match import.ty {
                            ComponentTypeRef::Instance(i) => {
                                types.get(i as usize).cloned().flatten()
                            }
                            _ => None,
                        };
                        return Some((name.to_string(), detail));
                    }
                    if let ComponentTypeRef::Type(_) = import.ty {
                        types.push(None);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Compiles a core wasm module into a relocatable object.
pub fn compile_module(wasm: &[u8], config: &Config) -> Result<Vec<u8>, CompileError> {
    compile_module_timed(wasm, config).map(|(object, _)| object)
}

/// [`compile_module`], also reporting where the time went (the CLI prints
/// the [`Timings`] with `KILN_TIMINGS=1`).
pub fn compile_module_timed(
    wasm: &[u8],
    config: &Config,
) -> Result<(Vec<u8>, Timings), CompileError> {
    let start = Instant::now();
    let mut timings = Timings::default();
    let info = module::translate_module_timed(wasm, config, &mut timings)?;
    let object = pipeline::emit_module_timed(&info, wasm, config, &mut timings)?;
    timings.total = start.elapsed();
    Ok((object, timings))
}

/// Wall-clock time of each phase of one compile, plus CPU time summed over
/// the parallel workers for the per-function work.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// Phase 1: parsing, module-level validation, building the
    /// `ModuleInfo` (one thread).
    pub module: Duration,
    /// Phase 1: validating the function bodies (parallel).
    pub validate_bodies: Duration,
    /// Target ISA setup and declaring every function.
    pub declare: Duration,
    /// Phase 2: translating and compiling every function and trampoline
    /// (parallel).
    pub compile: Duration,
    /// Part of `compile`: wasm -> CLIF, summed over workers.
    pub translate_cpu: Duration,
    /// Part of `compile`: Cranelift (optimization, lowering, register
    /// allocation, emission), summed over workers.
    pub codegen_cpu: Duration,
    /// Phase 3: copying compiled code into the object.
    pub define_funcs: Duration,
    /// Phase 3: memory images, descriptors and grants as data objects.
    pub descriptors: Duration,
    /// Phase 3: defining the data objects and writing the object file.
    pub object: Duration,
    /// The whole compile.
    pub total: Duration,
    /// Defined wasm functions compiled.
    pub functions: usize,
    /// Of those, the ones compiled twice: for the baseline and for the
    /// second tier (`pipeline::tiers`).
    pub tiered_functions: usize,
    /// Of those, the ones compiled with their block layout reported, for
    /// loop placement (`pipeline::loops::wants_layout`).
    pub laid_out_functions: usize,
    /// The function that took longest to translate and compile (it bounds
    /// how well the parallel phase can balance): index and time.
    pub slowest_function: Option<(u32, Duration)>,
    /// Size of the object written, in bytes.
    pub object_bytes: usize,
    /// Calls of linked imports (a component's cross-module calls) compiled
    /// as direct calls of code the plan fixes.
    pub linked_calls_direct: usize,
    /// Calls of linked imports compiled as indirect calls through the
    /// import's `VMContext` slot.
    pub linked_calls_indirect: usize,
}

impl fmt::Display for Timings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let rows = [
            ("parse + module validation", self.module),
            ("validate bodies (parallel)", self.validate_bodies),
            ("isa + declare", self.declare),
            ("compile functions (parallel)", self.compile),
            ("  translate to CLIF (cpu)", self.translate_cpu),
            ("  cranelift codegen (cpu)", self.codegen_cpu),
            ("define functions", self.define_funcs),
            ("descriptors + images", self.descriptors),
            ("write object", self.object),
            ("total", self.total),
        ];
        writeln!(
            f,
            "kiln compile timings ({} functions, {} tiered, {} with loops placed, {} byte object):",
            self.functions, self.tiered_functions, self.laid_out_functions, self.object_bytes
        )?;
        for (i, (name, d)) in rows.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {name:<30} {:>10.1} ms", ms(*d))?;
        }
        if let Some((index, d)) = self.slowest_function {
            write!(f, "\n  slowest function: {index} ({:.1} ms)", ms(d))?;
        }
        if self.linked_calls_direct + self.linked_calls_indirect > 0 {
            write!(
                f,
                "\n  cross-module calls: {} direct, {} indirect",
                self.linked_calls_direct, self.linked_calls_indirect
            )?;
        }
        Ok(())
    }
}
