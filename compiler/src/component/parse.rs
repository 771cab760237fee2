//! Component bytes -> validated, per-component initializer lists.
//!
//! Phase 1 (WHAT) of the component path. Input: the component bytes and the
//! [`Config`]. Output: a [`Parsed`]: the static core modules (byte ranges
//! and import lists), one [`Translation`] per component body (the root is
//! index 0, nested components follow in the order their sections start),
//! and wasmparser's `Types` for the whole component (one type list shared by
//! every nested component, so every id recorded here stays valid in it).
//!
//! Each [`LocalInitializer`] is one entry added to one of the component's
//! index spaces, in order; [`super::inline`] replays them. Everything is
//! validated first: wasmparser with `COMPONENT_MODEL`, `CM_ASYNC`,
//! `CM_ASYNC_BUILTINS` and `CM_ERROR_CONTEXT` plus the
//! core features Kiln compiles; a component that needs another feature is
//! [`CompileError::Unsupported`] naming it. Constructs the later phases do
//! not handle are rejected here too (module/component imports and exports,
//! stackful async lifts, threading built-ins, ...), with
//! their name. The rules Wasmtime 49 enforces beyond wasmparser 0.243 run
//! on each payload right after wasmparser accepts it (`rules/`).

use super::plan::{CoreKind, ModulePlan, StaticModuleIndex};
use super::rules;
use crate::{CompileError, Config};
use cranelift_entity::PrimaryMap;
use kiln_abi::component::AsyncBuiltin;
use rayon::prelude::*;
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentEntityType, ComponentFuncTypeId, ComponentValType as WpValType,
    ResourceId,
};
use wasmparser::types::Types;
use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentAlias, ComponentExternalKind,
    ComponentOuterAliasKind, ComponentType, ComponentTypeRef, ExternalKind, FuncToValidate,
    FuncValidatorAllocations, FunctionBody, Instance, Parser, Payload, TypeRef, ValidPayload,
    Validator, ValidatorResources, WasmFeatures,
};

/// The result of parsing and validating a component.
pub(super) struct Parsed<'a> {
    /// Static core modules, in byte order.
    pub modules: PrimaryMap<StaticModuleIndex, ModulePlan>,
    /// Component bodies: 0 is the root.
    pub components: Vec<Translation<'a>>,
    /// The root's types (valid for every id in every translation).
    pub types: Types,
}

/// One component body.
#[derive(Default)]
pub(super) struct Translation<'a> {
    /// Index-space entries, in order, each with the offset of its section
    /// (for error messages).
    pub initializers: Vec<(usize, LocalInitializer<'a>)>,
}

/// Canonical options as written (indices into the current component).
#[derive(Clone, Debug, Default)]
pub(super) struct LocalCanonOptions {
    pub string_encoding: super::plan::StringEncoding,
    pub memory: Option<u32>,
    pub realloc: Option<u32>,
    pub post_return: Option<u32>,
    pub callback: Option<u32>,
    pub async_: bool,
}

/// One entry of a component body.
pub(super) enum LocalInitializer<'a> {
    /// `(import name ty)`: adds to the space of `ty`'s kind.
    Import {
        name: &'a str,
        ty: ComponentEntityType,
    },
    /// `canon lower`: adds a core function.
    Lower {
        func: u32,
        ty: ComponentFuncTypeId,
        options: LocalCanonOptions,
    },
    /// `canon lift`: adds a component function.
    Lift {
        core_func: u32,
        ty: ComponentFuncTypeId,
        options: LocalCanonOptions,
    },
    /// A type definition: adds a type (a resource when `resource` is set).
    Type {
        id: ComponentAnyTypeId,
        /// `(resource (rep i32) (dtor f))`: the destructor's core function.
        resource: Option<Option<u32>>,
    },
    /// `canon resource.new`: adds a core function.
    ResourceNew(ResourceId),
    /// `canon resource.rep`: adds a core function.
    ResourceRep(ResourceId),
    /// `canon resource.drop`: adds a core function.
    ResourceDrop(ResourceId),
    /// A P3 built-in (`task.return`, `stream.read`, ...): adds a core
    /// function. `ty` is the `stream`/`future` type of stream and future
    /// built-ins and the result of `task.return`; `imm` the slot of
    /// `context.get/set`.
    AsyncBuiltin {
        builtin: AsyncBuiltin,
        ty: Option<WpValType>,
        imm: u32,
        options: LocalCanonOptions,
        cancellable: bool,
    },
    /// A module section: adds a module.
    ModuleStatic(StaticModuleIndex),
    /// `(core instance (instantiate m (with name i)...))`.
    ModuleInstantiate {
        module: u32,
        args: Vec<(&'a str, u32)>,
    },
    /// `(core instance (export name kind index)...)`.
    ModuleSynthetic(Vec<(&'a str, CoreKind, u32)>),
    /// A nested component section: adds a component.
    ComponentStatic(usize),
    /// `(instance (instantiate c (with name kind index)...))`.
    ComponentInstantiate {
        component: u32,
        args: Vec<ComponentArg<'a>>,
    },
    /// `(instance (export name kind index)...)`, as `ComponentInstantiate`.
    ComponentSynthetic { items: Vec<ComponentArg<'a>> },
    /// `(alias core export i name)`: adds to the kind's core space.
    AliasCoreExport {
        instance: u32,
        name: &'a str,
        kind: CoreKind,
    },
    /// `(alias export i name)`: adds to the kind's space; `ty` is the id of
    /// a type alias.
    AliasExport {
        instance: u32,
        name: &'a str,
        kind: ComponentExternalKind,
        ty: Option<ComponentAnyTypeId>,
    },
    /// `(alias outer count index)` of a module, component or type.
    AliasOuter {
        count: u32,
        index: u32,
        kind: ComponentOuterAliasKind,
    },
    /// `(export name kind index)`: adds to the kind's space; `ty` is the id
    /// of an exported type.
    Export {
        name: &'a str,
        kind: ComponentExternalKind,
        index: u32,
        ty: Option<ComponentAnyTypeId>,
    },
}

/// A named item of an instantiation or a synthetic instance: its kind and
/// index.
#[derive(Copy, Clone, Debug)]
pub(super) struct ComponentArg<'a> {
    pub name: &'a str,
    pub kind: ComponentExternalKind,
    pub index: u32,
}

/// Parses and validates `wasm`, a component.
pub(super) fn parse<'a>(wasm: &'a [u8], config: &Config) -> Result<Parsed<'a>, CompileError> {
    let features = enabled_features(config);
    parse_with(wasm, features).map_err(|e| match e {
        ParseError::Invalid(e) => explain(wasm, features, e),
        ParseError::Compile(e) => e,
    })
}

/// The features components are validated with.
fn enabled_features(config: &Config) -> WasmFeatures {
    crate::module::SUPPORTED_FEATURES
        .intersection(config.features.unwrap_or(WasmFeatures::all()))
        .union(WasmFeatures::COMPONENT_MODEL)
        .union(WasmFeatures::CM_ASYNC)
        // The async forms of `subtask.cancel` and the copy cancels, which
        // Wasmtime 49 gates behind `-W component-model-more-async-builtins`:
        // always accepted (the runtime has them).
        .union(WasmFeatures::CM_ASYNC_BUILTINS)
        // `error-context` values and built-ins, which Wasmtime 49 gates
        // behind `-W component-model-error-context`: always accepted.
        .union(WasmFeatures::CM_ERROR_CONTEXT)
}

enum ParseError {
    Invalid(wasmparser::BinaryReaderError),
    Compile(CompileError),
}

impl From<wasmparser::BinaryReaderError> for ParseError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        ParseError::Invalid(e)
    }
}

impl From<CompileError> for ParseError {
    fn from(e: CompileError) -> Self {
        ParseError::Compile(e)
    }
}

fn unsupported(feature: &str, offset: usize) -> ParseError {
    ParseError::Compile(CompileError::Unsupported {
        feature: feature.to_string(),
        offset,
    })
}

/// Features a rejected component may need, tried one at a time to name it.
const CANDIDATES: &[(&str, WasmFeatures)] = &[
    ("component-model values", WasmFeatures::CM_VALUES),
    (
        "component-model nested names",
        WasmFeatures::CM_NESTED_NAMES,
    ),
    (
        "component-model stackful async",
        WasmFeatures::CM_ASYNC_STACKFUL,
    ),
    ("component-model threading", WasmFeatures::CM_THREADING),
    (
        "component-model fixed-size lists",
        WasmFeatures::CM_FIXED_SIZE_LIST,
    ),
    (
        "component-model gc",
        WasmFeatures::CM_GC
            .union(WasmFeatures::GC)
            .union(WasmFeatures::FUNCTION_REFERENCES),
    ),
    (
        "gc",
        WasmFeatures::GC.union(WasmFeatures::FUNCTION_REFERENCES),
    ),
    (
        "shared-everything-threads",
        WasmFeatures::SHARED_EVERYTHING_THREADS.union(WasmFeatures::THREADS),
    ),
    (
        "stack-switching",
        WasmFeatures::STACK_SWITCHING
            .union(WasmFeatures::FUNCTION_REFERENCES)
            .union(WasmFeatures::EXCEPTIONS),
    ),
];

/// The error for a component that failed validation with `first`: a
/// candidate feature that makes it valid is named, else it is invalid.
fn explain(
    wasm: &[u8],
    features: WasmFeatures,
    first: wasmparser::BinaryReaderError,
) -> CompileError {
    for &(name, extra) in CANDIDATES {
        if Validator::new_with_features(features.union(extra))
            .validate_all(wasm)
            .is_ok()
        {
            return CompileError::Unsupported {
                feature: name.to_string(),
                offset: first.offset(),
            };
        }
    }
    first.into()
}

/// Where the payloads being read belong.
enum Body {
    /// A component body (index into `components`).
    Component(usize),
    /// A core module inside a component.
    Module(StaticModuleIndex),
}

fn parse_with(wasm: &[u8], features: WasmFeatures) -> Result<Parsed<'_>, ParseError> {
    let mut parser = Parser::new(0);
    parser.set_features(features);
    let mut validator = Validator::new_with_features(features);
    let mut modules: PrimaryMap<StaticModuleIndex, ModulePlan> = PrimaryMap::new();
    let mut components: Vec<Translation<'_>> = Vec::new();
    let mut bodies: Vec<(FuncToValidate<ValidatorResources>, FunctionBody<'_>)> = Vec::new();
    let mut stack: Vec<Body> = Vec::new();
    let mut root_types = None;
    let mut type_rules = rules::TypeRules::default();
    let mut first = true;
    for payload in parser.parse_all(wasm) {
        let payload = payload?;
        if first {
            first = false;
            if !matches!(
                payload,
                Payload::Version {
                    encoding: wasmparser::Encoding::Component,
                    ..
                }
            ) {
                return Err(unsupported("core module given as a component", 0));
            }
            components.push(Translation::default());
            stack.push(Body::Component(0));
        }
        let before = TypeCounts::of(&validator);
        let valid = match validator.payload(&payload) {
            Ok(valid) => valid,
            Err(e) => {
                // What this payload created before the refused item may
                // break a rule Wasmtime checks first (`rules/`).
                if let Some(types) = validator.types(0) {
                    rules::before_refusal(
                        types,
                        &mut type_rules,
                        &payload,
                        before.types,
                        e.offset(),
                    )?;
                }
                // In Wasmtime's order and words (`rules/refusal.rs`).
                return Err(
                    match rules::wasmtime_refusal(validator.types(0), &payload, &e) {
                        Some(ours) => ParseError::Compile(ours),
                        None => ParseError::Invalid(e),
                    },
                );
            }
        };
        match valid {
            ValidPayload::Func(func, body) => bodies.push((func, body)),
            ValidPayload::End(types) => {
                stack.pop();
                if stack.is_empty() {
                    root_types = Some(types);
                }
                continue;
            }
            ValidPayload::Ok | ValidPayload::Parser(_) => {}
        }
        let Some(current) = stack.last() else {
            continue;
        };
        match *current {
            Body::Module(index) => {
                if let Payload::ImportSection(reader) = &payload {
                    for import in reader.clone() {
                        let import = import?;
                        let kind = match import.ty {
                            TypeRef::Func(_) | TypeRef::FuncExact(_) => CoreKind::Func,
                            TypeRef::Table(_) => CoreKind::Table,
                            TypeRef::Memory(_) => CoreKind::Memory,
                            TypeRef::Global(_) => CoreKind::Global,
                            TypeRef::Tag(_) => CoreKind::Tag,
                        };
                        modules[index].imports.push((
                            import.module.to_string(),
                            import.name.to_string(),
                            kind,
                        ));
                    }
                }
            }
            Body::Component(component) => {
                let mut cx = BodyCx {
                    validator: &validator,
                    before,
                    modules: &mut modules,
                    components: &mut components,
                    stack: &mut stack,
                    rules: &mut type_rules,
                    component,
                    offset: 0,
                };
                let offset = payload.as_section().map_or(0, |(_, r)| r.start);
                cx.payload(payload)?;
                if let Some(types) = validator.types(0) {
                    type_rules.check_new(types, offset)?;
                }
            }
        }
    }
    let types = root_types.ok_or_else(|| unsupported("truncated component", wasm.len()))?;
    bodies
        .into_par_iter()
        .map_init(FuncValidatorAllocations::default, |allocs, (func, body)| {
            let mut validator = func.into_validator(std::mem::take(allocs));
            let result = validator.validate(&body);
            *allocs = validator.into_allocations();
            result
        })
        .collect::<Result<(), _>>()?;
    Ok(Parsed {
        modules,
        components,
        types,
    })
}

/// The sizes of the current component's type space before a payload (new
/// entries are read from the validator after it).
#[derive(Copy, Clone)]
struct TypeCounts {
    types: u32,
}

impl TypeCounts {
    fn of(validator: &Validator) -> Self {
        let types = validator.types(0);
        TypeCounts {
            types: types.as_ref().map_or(0, |t| t.component_type_count()),
        }
    }
}

/// Reading one payload of component body `component`.
struct BodyCx<'v, 's, 'a> {
    validator: &'v Validator,
    before: TypeCounts,
    modules: &'s mut PrimaryMap<StaticModuleIndex, ModulePlan>,
    components: &'s mut Vec<Translation<'a>>,
    stack: &'s mut Vec<Body>,
    /// The type rules beyond wasmparser 0.243's (`rules/`).
    rules: &'s mut rules::TypeRules,
    component: usize,
    /// Offset of the payload being read.
    offset: usize,
}

impl<'v, 'a> BodyCx<'v, '_, 'a> {
    fn push(&mut self, init: LocalInitializer<'a>) {
        self.components[self.component]
            .initializers
            .push((self.offset, init));
    }

    fn types(&self) -> wasmparser::types::TypesRef<'v> {
        self.validator
            .types(0)
            .expect("validated: inside a component body")
    }

    /// The id of type `index` of the current component.
    fn type_at(&self, index: u32) -> ComponentAnyTypeId {
        self.types().component_any_type_at(index)
    }

    fn arg(&self, name: &'a str, kind: ComponentExternalKind, index: u32) -> ComponentArg<'a> {
        ComponentArg { name, kind, index }
    }

    fn payload(&mut self, payload: Payload<'a>) -> Result<(), ParseError> {
        let mut next_type = self.before.types;
        self.offset = match &payload {
            Payload::ModuleSection {
                unchecked_range, ..
            }
            | Payload::ComponentSection {
                unchecked_range, ..
            } => unchecked_range.start,
            other => other.as_section().map_or(0, |(_, r)| r.start),
        };
        match payload {
            Payload::Version { .. }
            | Payload::CoreTypeSection(_)
            | Payload::CustomSection(_)
            | Payload::End(_) => {}
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                let index = self.modules.push(ModulePlan {
                    range: unchecked_range,
                    generated: None,
                    traps: Vec::new(),
                    imports: Vec::new(),
                });
                self.push(LocalInitializer::ModuleStatic(index));
                self.stack.push(Body::Module(index));
            }
            Payload::ComponentSection { .. } => {
                let index = self.components.len();
                self.components.push(Translation::default());
                self.push(LocalInitializer::ComponentStatic(index));
                self.stack.push(Body::Component(index));
            }
            Payload::ComponentTypeSection(reader) => {
                for item in reader.into_iter_with_offsets() {
                    let (offset, ty) = item?;
                    let id = self.type_at(next_type);
                    next_type += 1;
                    self.rules.check_item(self.types(), id, offset)?;
                    let resource = match ty {
                        ComponentType::Resource { dtor, .. } => Some(dtor),
                        _ => None,
                    };
                    self.push(LocalInitializer::Type { id, resource });
                }
            }
            Payload::ComponentImportSection(reader) => {
                let offset = reader.range().start;
                for import in reader {
                    let import = import?;
                    match import.ty {
                        ComponentTypeRef::Module(_) => {
                            return Err(unsupported("component-model module imports", offset));
                        }
                        ComponentTypeRef::Component(_) => {
                            return Err(unsupported("component-model component imports", offset));
                        }
                        ComponentTypeRef::Value(_) => {
                            return Err(unsupported("component-model value imports", offset));
                        }
                        // A type import's resource id comes from its entity
                        // type below, not from the type space.
                        ComponentTypeRef::Type(_)
                        | ComponentTypeRef::Func(_)
                        | ComponentTypeRef::Instance(_) => {}
                    }
                    let ty = self
                        .types()
                        .component_entity_type_of_import(import.name.0)
                        .expect("validated: the import exists");
                    self.push(LocalInitializer::Import {
                        name: import.name.0,
                        ty,
                    });
                }
            }
            Payload::ComponentCanonicalSection(reader) => {
                for item in reader.into_iter_with_offsets() {
                    let (offset, func) = item?;
                    rules::canonical(self.types(), &func, offset)?;
                    self.canonical(func, offset)?;
                }
            }
            Payload::InstanceSection(reader) => {
                for instance in reader {
                    let init = match instance? {
                        Instance::Instantiate { module_index, args } => {
                            LocalInitializer::ModuleInstantiate {
                                module: module_index,
                                args: args.iter().map(|a| (a.name, a.index)).collect(),
                            }
                        }
                        Instance::FromExports(exports) => LocalInitializer::ModuleSynthetic(
                            exports
                                .iter()
                                .map(|e| (e.name, core_kind(e.kind), e.index))
                                .collect(),
                        ),
                    };
                    self.push(init);
                }
            }
            Payload::ComponentInstanceSection(reader) => {
                for instance in reader {
                    let init = match instance? {
                        wasmparser::ComponentInstance::Instantiate {
                            component_index,
                            args,
                        } => LocalInitializer::ComponentInstantiate {
                            component: component_index,
                            args: args
                                .iter()
                                .map(|a| self.arg(a.name, a.kind, a.index))
                                .collect(),
                        },
                        wasmparser::ComponentInstance::FromExports(exports) => {
                            LocalInitializer::ComponentSynthetic {
                                items: exports
                                    .iter()
                                    .map(|e| self.arg(e.name.0, e.kind, e.index))
                                    .collect(),
                            }
                        }
                    };
                    self.push(init);
                }
            }
            Payload::ComponentAliasSection(reader) => {
                let offset = reader.range().start;
                for alias in reader {
                    let init = match alias? {
                        ComponentAlias::CoreInstanceExport {
                            kind,
                            instance_index,
                            name,
                        } => LocalInitializer::AliasCoreExport {
                            instance: instance_index,
                            name,
                            kind: core_kind(kind),
                        },
                        ComponentAlias::InstanceExport {
                            kind,
                            instance_index,
                            name,
                        } => {
                            let ty = match kind {
                                ComponentExternalKind::Type => {
                                    let id = self.type_at(next_type);
                                    next_type += 1;
                                    Some(id)
                                }
                                ComponentExternalKind::Module
                                | ComponentExternalKind::Component => {
                                    return Err(unsupported(
                                        "component-model modules or components exported by an instance",
                                        offset,
                                    ));
                                }
                                _ => None,
                            };
                            LocalInitializer::AliasExport {
                                instance: instance_index,
                                name,
                                kind,
                                ty,
                            }
                        }
                        ComponentAlias::Outer { kind, count, index } => {
                            match kind {
                                // Core types are not tracked (core functions
                                // carry their own signatures).
                                ComponentOuterAliasKind::CoreType => continue,
                                ComponentOuterAliasKind::Type => next_type += 1,
                                ComponentOuterAliasKind::CoreModule
                                | ComponentOuterAliasKind::Component => {}
                            }
                            LocalInitializer::AliasOuter { count, index, kind }
                        }
                    };
                    self.push(init);
                }
            }
            Payload::ComponentExportSection(reader) => {
                let offset = reader.range().start;
                for export in reader {
                    let export = export?;
                    let ty = match export.kind {
                        ComponentExternalKind::Module => {
                            return Err(unsupported("component-model module exports", offset));
                        }
                        ComponentExternalKind::Component => {
                            return Err(unsupported("component-model component exports", offset));
                        }
                        ComponentExternalKind::Value => {
                            return Err(unsupported("component-model value exports", offset));
                        }
                        ComponentExternalKind::Type => {
                            let id = self.type_at(next_type);
                            next_type += 1;
                            Some(id)
                        }
                        ComponentExternalKind::Func | ComponentExternalKind::Instance => None,
                    };
                    self.push(LocalInitializer::Export {
                        name: export.name.0,
                        kind: export.kind,
                        index: export.index,
                        ty,
                    });
                }
            }
            Payload::ComponentStartSection { range, .. } => {
                return Err(unsupported("component-model start functions", range.start));
            }
            other => {
                // Core sections only occur inside modules, which are handled
                // above; anything else here is a new kind of payload.
                let offset = other.as_section().map_or(0, |(_, r)| r.start);
                return Err(unsupported("unknown component section", offset));
            }
        }
        Ok(())
    }

    fn canonical(&mut self, func: CanonicalFunction, offset: usize) -> Result<(), ParseError> {
        let init = match func {
            CanonicalFunction::Lift {
                core_func_index,
                type_index,
                options,
            } => {
                let ComponentAnyTypeId::Func(ty) = self.type_at(type_index) else {
                    unreachable!("validated: lift names a function type")
                };
                let options = canon_options(&options, offset)?;
                if options.async_ && options.callback.is_none() {
                    return Err(unsupported(
                        "component-model stackful async (an async `canon lift` without a \
                         `callback`)",
                        offset,
                    ));
                }
                LocalInitializer::Lift {
                    core_func: core_func_index,
                    ty,
                    options,
                }
            }
            CanonicalFunction::Lower {
                func_index,
                options,
            } => {
                let ty = self.types().component_function_at(func_index);
                let options = canon_options(&options, offset)?;
                LocalInitializer::Lower {
                    func: func_index,
                    ty,
                    options,
                }
            }
            CanonicalFunction::ResourceNew { resource } => {
                LocalInitializer::ResourceNew(self.resource_at(resource))
            }
            CanonicalFunction::ResourceRep { resource } => {
                LocalInitializer::ResourceRep(self.resource_at(resource))
            }
            CanonicalFunction::ResourceDrop { resource } => {
                LocalInitializer::ResourceDrop(self.resource_at(resource))
            }
            other => self.async_builtin(other, offset)?,
        };
        self.push(init);
        Ok(())
    }

    /// The initializer of a P3 built-in; other built-ins are refused by
    /// name.
    fn async_builtin(
        &self,
        func: CanonicalFunction,
        offset: usize,
    ) -> Result<LocalInitializer<'a>, ParseError> {
        use AsyncBuiltin as B;
        use CanonicalFunction as F;
        let defined = |ty: u32| Some(WpValType::Type(self.defined_at(ty)));
        let none = LocalCanonOptions::default();
        let with_async = |async_: bool| LocalCanonOptions {
            async_,
            ..LocalCanonOptions::default()
        };
        let (builtin, ty, imm, options, cancellable) = match func {
            F::ContextGet(i) => (B::ContextGet, None, i, none, false),
            F::ContextSet(i) => (B::ContextSet, None, i, none, false),
            F::BackpressureSet => (B::BackpressureSet, None, 0, none, false),
            F::BackpressureInc => (B::BackpressureInc, None, 0, none, false),
            F::BackpressureDec => (B::BackpressureDec, None, 0, none, false),
            F::TaskReturn { result, options } => {
                let ty = result.map(|r| match r {
                    wasmparser::ComponentValType::Primitive(p) => WpValType::Primitive(p),
                    wasmparser::ComponentValType::Type(t) => WpValType::Type(self.defined_at(t)),
                });
                (
                    B::TaskReturn,
                    ty,
                    0,
                    canon_options(&options, offset)?,
                    false,
                )
            }
            F::TaskCancel => (B::TaskCancel, None, 0, none, false),
            F::WaitableSetNew => (B::WaitableSetNew, None, 0, none, false),
            F::WaitableSetWait {
                cancellable,
                memory,
            } => (
                B::WaitableSetWait,
                None,
                0,
                LocalCanonOptions {
                    memory: Some(memory),
                    ..LocalCanonOptions::default()
                },
                cancellable,
            ),
            F::WaitableSetPoll {
                cancellable,
                memory,
            } => (
                B::WaitableSetPoll,
                None,
                0,
                LocalCanonOptions {
                    memory: Some(memory),
                    ..LocalCanonOptions::default()
                },
                cancellable,
            ),
            F::WaitableSetDrop => (B::WaitableSetDrop, None, 0, none, false),
            F::WaitableJoin => (B::WaitableJoin, None, 0, none, false),
            F::SubtaskCancel { async_ } => (B::SubtaskCancel, None, 0, with_async(async_), false),
            F::SubtaskDrop => (B::SubtaskDrop, None, 0, none, false),
            F::StreamNew { ty } => (B::StreamNew, defined(ty), 0, none, false),
            F::StreamRead { ty, options } => (
                B::StreamRead,
                defined(ty),
                0,
                canon_options(&options, offset)?,
                false,
            ),
            F::StreamWrite { ty, options } => (
                B::StreamWrite,
                defined(ty),
                0,
                canon_options(&options, offset)?,
                false,
            ),
            F::StreamCancelRead { ty, async_ } => (
                B::StreamCancelRead,
                defined(ty),
                0,
                with_async(async_),
                false,
            ),
            F::StreamCancelWrite { ty, async_ } => (
                B::StreamCancelWrite,
                defined(ty),
                0,
                with_async(async_),
                false,
            ),
            F::StreamDropReadable { ty } => (B::StreamDropReadable, defined(ty), 0, none, false),
            F::StreamDropWritable { ty } => (B::StreamDropWritable, defined(ty), 0, none, false),
            F::FutureNew { ty } => (B::FutureNew, defined(ty), 0, none, false),
            F::FutureRead { ty, options } => (
                B::FutureRead,
                defined(ty),
                0,
                canon_options(&options, offset)?,
                false,
            ),
            F::FutureWrite { ty, options } => (
                B::FutureWrite,
                defined(ty),
                0,
                canon_options(&options, offset)?,
                false,
            ),
            F::FutureCancelRead { ty, async_ } => (
                B::FutureCancelRead,
                defined(ty),
                0,
                with_async(async_),
                false,
            ),
            F::FutureCancelWrite { ty, async_ } => (
                B::FutureCancelWrite,
                defined(ty),
                0,
                with_async(async_),
                false,
            ),
            F::FutureDropReadable { ty } => (B::FutureDropReadable, defined(ty), 0, none, false),
            F::FutureDropWritable { ty } => (B::FutureDropWritable, defined(ty), 0, none, false),
            F::ThreadYield { cancellable } => (B::ThreadYield, None, 0, none, cancellable),
            F::ErrorContextNew { options } => (
                B::ErrorContextNew,
                None,
                0,
                canon_options(&options, offset)?,
                false,
            ),
            F::ErrorContextDebugMessage { options } => (
                B::ErrorContextDebugMessage,
                None,
                0,
                canon_options(&options, offset)?,
                false,
            ),
            F::ErrorContextDrop => (B::ErrorContextDrop, None, 0, none, false),
            other => {
                return Err(unsupported(
                    &format!("component-model built-in `{}`", builtin_name(&other)),
                    offset,
                ));
            }
        };
        Ok(LocalInitializer::AsyncBuiltin {
            builtin,
            ty,
            imm,
            options,
            cancellable,
        })
    }

    /// The defined type (`stream<T>`, `future<T>`, a result type) at
    /// `index` of the type space.
    fn defined_at(&self, index: u32) -> wasmparser::component_types::ComponentDefinedTypeId {
        match self.type_at(index) {
            ComponentAnyTypeId::Defined(d) => d,
            _ => unreachable!("validated: a defined value type"),
        }
    }

    fn resource_at(&self, index: u32) -> ResourceId {
        match self.type_at(index) {
            ComponentAnyTypeId::Resource(r) => r.resource(),
            _ => unreachable!("validated: resource built-ins name a resource type"),
        }
    }
}

fn core_kind(kind: ExternalKind) -> CoreKind {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => CoreKind::Func,
        ExternalKind::Table => CoreKind::Table,
        ExternalKind::Memory => CoreKind::Memory,
        ExternalKind::Global => CoreKind::Global,
        ExternalKind::Tag => CoreKind::Tag,
    }
}

fn canon_options(
    options: &[CanonicalOption],
    offset: usize,
) -> Result<LocalCanonOptions, ParseError> {
    use super::plan::StringEncoding;
    let mut o = LocalCanonOptions::default();
    for option in options {
        match *option {
            CanonicalOption::UTF8 => o.string_encoding = StringEncoding::Utf8,
            CanonicalOption::UTF16 => o.string_encoding = StringEncoding::Utf16,
            CanonicalOption::CompactUTF16 => o.string_encoding = StringEncoding::Latin1Utf16,
            CanonicalOption::Memory(m) => o.memory = Some(m),
            CanonicalOption::Realloc(f) => o.realloc = Some(f),
            CanonicalOption::PostReturn(f) => o.post_return = Some(f),
            CanonicalOption::Callback(f) => o.callback = Some(f),
            CanonicalOption::Async => o.async_ = true,
            // The core signature is implied by the component type when the
            // GC ABI is off; validation checked it.
            CanonicalOption::CoreType(_) => {}
            CanonicalOption::Gc => return Err(unsupported("component-model gc", offset)),
        }
    }
    Ok(o)
}

/// The text-format name of a canonical built-in (for errors).
fn builtin_name(func: &CanonicalFunction) -> &'static str {
    use CanonicalFunction as F;
    match func {
        F::Lift { .. } => "canon lift",
        F::Lower { .. } => "canon lower",
        F::ResourceNew { .. } => "resource.new",
        F::ResourceDrop { .. } => "resource.drop",
        F::ResourceDropAsync { .. } => "resource.drop async",
        F::ResourceRep { .. } => "resource.rep",
        F::ThreadSpawnRef { .. } => "thread.spawn-ref",
        F::ThreadSpawnIndirect { .. } => "thread.spawn-indirect",
        F::ThreadAvailableParallelism => "thread.available-parallelism",
        F::BackpressureSet => "backpressure.set",
        F::BackpressureInc => "backpressure.inc",
        F::BackpressureDec => "backpressure.dec",
        F::TaskReturn { .. } => "task.return",
        F::TaskCancel => "task.cancel",
        F::ContextGet(_) => "context.get",
        F::ContextSet(_) => "context.set",
        F::ThreadYield { .. } => "thread.yield",
        F::SubtaskDrop => "subtask.drop",
        F::SubtaskCancel { .. } => "subtask.cancel",
        F::StreamNew { .. } => "stream.new",
        F::StreamRead { .. } => "stream.read",
        F::StreamWrite { .. } => "stream.write",
        F::StreamCancelRead { .. } => "stream.cancel-read",
        F::StreamCancelWrite { .. } => "stream.cancel-write",
        F::StreamDropReadable { .. } => "stream.drop-readable",
        F::StreamDropWritable { .. } => "stream.drop-writable",
        F::FutureNew { .. } => "future.new",
        F::FutureRead { .. } => "future.read",
        F::FutureWrite { .. } => "future.write",
        F::FutureCancelRead { .. } => "future.cancel-read",
        F::FutureCancelWrite { .. } => "future.cancel-write",
        F::FutureDropReadable { .. } => "future.drop-readable",
        F::FutureDropWritable { .. } => "future.drop-writable",
        F::ErrorContextNew { .. } => "error-context.new",
        F::ErrorContextDebugMessage { .. } => "error-context.debug-message",
        F::ErrorContextDrop => "error-context.drop",
        F::WaitableSetNew => "waitable-set.new",
        F::WaitableSetWait { .. } => "waitable-set.wait",
        F::WaitableSetPoll { .. } => "waitable-set.poll",
        F::WaitableSetDrop => "waitable-set.drop",
        F::WaitableJoin => "waitable.join",
        F::ThreadIndex => "thread.index",
        F::ThreadNewIndirect { .. } => "thread.new-indirect",
        F::ThreadSwitchTo { .. } => "thread.switch-to",
        F::ThreadSuspend { .. } => "thread.suspend",
        F::ThreadResumeLater => "thread.resume-later",
        F::ThreadYieldTo { .. } => "thread.yield-to",
    }
}
