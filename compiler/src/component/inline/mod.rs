//! Symbolic instantiation of a parsed component: [`Parsed`] -> [`ComponentPlan`].
//!
//! Phase 1 (WHAT) of the component path, after [`super::parse`]. The root
//! component is "instantiated" at compile time with its imports bound to
//! host paths (`["wasi:io/streams@0.2.6", "[method]output-stream.write"]`).
//! A [`Frame`] per component instance maps every index space to
//! definitions:
//!
//! | index space | definitions |
//! |---|---|
//! | core function | [`CoreDef`]: an export of a core instance or a trampoline |
//! | memory, table, global, tag | [`CoreExport`] |
//! | core instance | instantiated (a plan instance) or a synthetic bag |
//! | module | a static module |
//! | component function | host import or lifted core function |
//! | component instance | host import or a map of items |
//! | component | a static component plus the frame its outer aliases see |
//! | type | a plan resource, or a type that needs no tracking |
//!
//! Replaying a component body's initializers emits core instances (in
//! order), trampolines and resources into the plan; a nested `instantiate`
//! pushes a frame whose exports become the new instance's items. Resource
//! types are tracked per frame from wasmparser's `ResourceId`s to plan
//! [`ResourceIndex`]es (bound at import, definition, alias and export), and
//! looked up through the lexical chain for outer aliases.
//!
//! A `canon lower` of a lifted function (component composition) becomes a
//! fused adapter ([`super::adapter`]): a generated core module instantiated
//! right there, in the lowering component instance.
//!
//! Rejected (as [`CompileError::Unsupported`]): re-exporting host imports,
//! and adapters [`super::adapter`] refuses. Invariant: an index that validation guarantees but this
//! replay cannot find is a Kiln bug, reported as an error, never a panic.

use super::adapter;
use super::parse::{ComponentArg, LocalCanonOptions, LocalInitializer, Parsed};
use super::plan::{
    AsyncBuiltin, AsyncBuiltinPlan, CanonOptions, ComponentPlan, CoreDef, CoreExport, CoreKind,
    Export, FuncType, FuncTypeIndex, Import, ImportIndex, ImportKind, InstancePlan, ModulePlan,
    Resource, ResourceIndex, RuntimeComponentInstanceIndex, RuntimeInstanceIndex,
    StaticModuleIndex, Trampoline, TrampolineIndex,
};
use super::types::TypeConverter;
use crate::CompileError;
use kiln_abi::component::TypeIndex;
use std::collections::HashMap;
use std::rc::Rc;
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentEntityType, ComponentFuncTypeId, ComponentInstanceTypeId,
    ComponentValType as WpValType, ResourceId,
};
use wasmparser::{ComponentExternalKind, ComponentOuterAliasKind};

mod adapters;
mod resources;

/// Builds the plan of a parsed component.
pub(super) fn inline(parsed: &Parsed<'_>) -> Result<ComponentPlan, CompileError> {
    let mut inliner = Inliner {
        parsed,
        plan: ComponentPlan {
            modules: parsed.modules.clone(),
            component_instances: 1,
            ..ComponentPlan::default()
        },
        frames: vec![Frame::new(
            0,
            RuntimeComponentInstanceIndex::from_u32(0),
            None,
            HashMap::new(),
        )],
        host_resources: HashMap::new(),
        imports_by_name: HashMap::new(),
        adapter_flags: HashMap::new(),
        adapter_handles: HashMap::new(),
    };
    inliner.run_top()?;
    let root = inliner.frames.pop().expect("the root frame");
    for (name, item) in &root.exports {
        inliner.export(vec![name.clone()], item)?;
    }
    Ok(inliner.plan)
}

/// A component function.
#[derive(Clone, Debug)]
enum ComponentFuncDef {
    /// A host import (path from the root import).
    Host(Vec<String>),
    /// `canon lift`.
    Lifted {
        func: CoreDef,
        ty: FuncTypeIndex,
        options: CanonOptions,
        /// The name it was last exported or aliased by (for messages and
        /// its adapters' frames).
        name: Rc<str>,
    },
}

/// A component instance.
#[derive(Clone, Debug)]
enum ComponentInstanceDef {
    /// A host import (path from the root import).
    Host(Vec<String>),
    /// Instantiated or synthetic: its exports.
    Items(Rc<Vec<(String, ComponentItemDef)>>),
}

/// A type, as far as linking cares.
#[derive(Copy, Clone, Debug)]
enum TypeDef {
    Resource(ResourceIndex),
    /// Any other type (records, function types, ...): only its structure
    /// matters, which wasmparser's ids carry.
    Other,
}

/// A component (not instantiated).
#[derive(Copy, Clone, Debug)]
struct ComponentDef {
    /// Index into `Parsed::components`.
    translation: usize,
    /// The frame (stack index) it was defined in: its outer aliases look
    /// there.
    lexical: usize,
}

/// Anything a component instance can export or be instantiated with.
#[derive(Clone, Debug)]
enum ComponentItemDef {
    Func(ComponentFuncDef),
    Instance(ComponentInstanceDef),
    Type(TypeDef),
    Module(StaticModuleIndex),
    Component(ComponentDef),
}

/// A core instance.
#[derive(Clone, Debug)]
enum CoreInstanceDef {
    /// A plan instance.
    Instantiated(RuntimeInstanceIndex),
    /// `(core instance (export ...)...)`: a bag of existing items.
    Synthetic(Rc<HashMap<String, CoreDef>>),
}

impl CoreInstanceDef {
    /// Export `name`, of `kind`, of this core instance.
    fn export(&self, name: &str, kind: CoreKind) -> Result<CoreDef, CompileError> {
        match self {
            CoreInstanceDef::Instantiated(i) => Ok(CoreDef::Export(CoreExport {
                instance: *i,
                name: name.to_string(),
                kind,
            })),
            CoreInstanceDef::Synthetic(bag) => bag
                .get(name)
                .cloned()
                .ok_or_else(|| bug("missing export of a synthetic core instance")),
        }
    }
}

/// The index spaces of one component instance being built.
struct Frame {
    translation: usize,
    instance: RuntimeComponentInstanceIndex,
    /// Stack index of the frame the component was defined in.
    lexical_parent: Option<usize>,
    /// Instantiation arguments (empty for the root, whose imports are the
    /// host's).
    args: HashMap<String, ComponentItemDef>,
    funcs: Vec<CoreDef>,
    memories: Vec<CoreExport>,
    tables: Vec<CoreExport>,
    globals: Vec<CoreExport>,
    tags: Vec<CoreExport>,
    core_instances: Vec<CoreInstanceDef>,
    modules: Vec<StaticModuleIndex>,
    component_funcs: Vec<ComponentFuncDef>,
    component_instances: Vec<ComponentInstanceDef>,
    components: Vec<ComponentDef>,
    types: Vec<TypeDef>,
    resources: HashMap<ResourceId, ResourceIndex>,
    exports: Vec<(String, ComponentItemDef)>,
}

impl Frame {
    fn new(
        translation: usize,
        instance: RuntimeComponentInstanceIndex,
        lexical_parent: Option<usize>,
        args: HashMap<String, ComponentItemDef>,
    ) -> Self {
        Frame {
            translation,
            instance,
            lexical_parent,
            args,
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            tags: Vec::new(),
            core_instances: Vec::new(),
            modules: Vec::new(),
            component_funcs: Vec::new(),
            component_instances: Vec::new(),
            components: Vec::new(),
            types: Vec::new(),
            resources: HashMap::new(),
            exports: Vec::new(),
        }
    }

    /// Item `index` of the component-level space of `kind`.
    fn item(
        &self,
        kind: ComponentExternalKind,
        index: u32,
    ) -> Result<ComponentItemDef, CompileError> {
        Ok(match kind {
            ComponentExternalKind::Func => {
                ComponentItemDef::Func(at(&self.component_funcs, index)?)
            }
            ComponentExternalKind::Instance => {
                ComponentItemDef::Instance(at(&self.component_instances, index)?)
            }
            ComponentExternalKind::Type => ComponentItemDef::Type(at(&self.types, index)?),
            ComponentExternalKind::Module => ComponentItemDef::Module(at(&self.modules, index)?),
            ComponentExternalKind::Component => {
                ComponentItemDef::Component(at(&self.components, index)?)
            }
            ComponentExternalKind::Value => {
                return Err(unsupported("component-model values"));
            }
        })
    }

    /// Adds `item` to the space of its kind.
    fn push_item(&mut self, item: ComponentItemDef) {
        match item {
            ComponentItemDef::Func(f) => self.component_funcs.push(f),
            ComponentItemDef::Instance(i) => self.component_instances.push(i),
            ComponentItemDef::Type(t) => self.types.push(t),
            ComponentItemDef::Module(m) => self.modules.push(m),
            ComponentItemDef::Component(c) => self.components.push(c),
        }
    }

    /// Item `index` of the core space of `kind`.
    fn core_item(&self, kind: CoreKind, index: u32) -> Result<CoreDef, CompileError> {
        Ok(match kind {
            CoreKind::Func => at(&self.funcs, index)?,
            CoreKind::Memory => CoreDef::Export(at(&self.memories, index)?),
            CoreKind::Table => CoreDef::Export(at(&self.tables, index)?),
            CoreKind::Global => CoreDef::Export(at(&self.globals, index)?),
            CoreKind::Tag => CoreDef::Export(at(&self.tags, index)?),
        })
    }

    /// Adds `def` to the core space of `kind`.
    fn push_core(&mut self, kind: CoreKind, def: CoreDef) -> Result<(), CompileError> {
        if kind == CoreKind::Func {
            self.funcs.push(def);
            return Ok(());
        }
        let CoreDef::Export(export) = def else {
            return Err(bug("a trampoline used as a memory, table, global or tag"));
        };
        match kind {
            CoreKind::Memory => self.memories.push(export),
            CoreKind::Table => self.tables.push(export),
            CoreKind::Global => self.globals.push(export),
            CoreKind::Tag => self.tags.push(export),
            CoreKind::Func => unreachable!("handled above"),
        }
        Ok(())
    }
}

/// `item` known by `name` from now on (lifted functions carry the name
/// for messages).
fn named(item: ComponentItemDef, name: &str) -> ComponentItemDef {
    match item {
        ComponentItemDef::Func(ComponentFuncDef::Lifted {
            func, ty, options, ..
        }) => ComponentItemDef::Func(ComponentFuncDef::Lifted {
            func,
            ty,
            options,
            name: Rc::from(name),
        }),
        item => item,
    }
}

/// Element `index` of a replayed index space.
fn at<T: Clone>(space: &[T], index: u32) -> Result<T, CompileError> {
    space
        .get(index as usize)
        .cloned()
        .ok_or_else(|| bug("index space out of step with validation"))
}

fn unsupported(feature: &str) -> CompileError {
    CompileError::Unsupported {
        feature: feature.to_string(),
        offset: 0,
    }
}

/// An internal inconsistency (validation passed, the replay disagrees).
fn bug(what: &str) -> CompileError {
    CompileError::Unsupported {
        feature: format!("component construct Kiln cannot follow ({what})"),
        offset: 0,
    }
}

/// [`Inliner::resource`] over `frames` (the top frame first, then its
/// lexical parents).
fn resource_in(frames: &[Frame], id: ResourceId) -> Result<ResourceIndex, CompileError> {
    let mut frame = frames.len() - 1;
    loop {
        if let Some(&index) = frames[frame].resources.get(&id) {
            return Ok(index);
        }
        frame = frames[frame]
            .lexical_parent
            .ok_or_else(|| bug("a resource type with no known definition"))?;
    }
}

struct Inliner<'p, 'a> {
    parsed: &'p Parsed<'a>,
    plan: ComponentPlan,
    /// The stack of component instances being built; 0 is the root.
    frames: Vec<Frame>,
    /// Host resources by path, so that every mention of one is one plan
    /// resource.
    host_resources: HashMap<Vec<String>, ResourceIndex>,
    imports_by_name: HashMap<String, ImportIndex>,
    /// The `AdapterFlags` trampoline of each component instance.
    adapter_flags: HashMap<RuntimeComponentInstanceIndex, TrampolineIndex>,
    /// The `AdapterHandle` trampoline of each resource.
    adapter_handles: HashMap<ResourceIndex, TrampolineIndex>,
}

impl Inliner<'_, '_> {
    fn top(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a frame")
    }

    /// Replays the top frame's component body.
    fn run_top(&mut self) -> Result<(), CompileError> {
        let parsed = self.parsed;
        let translation = self.frames.last().expect("a frame").translation;
        for (offset, init) in &parsed.components[translation].initializers {
            self.step(init).map_err(|e| match e {
                CompileError::Unsupported { feature, offset: 0 } => CompileError::Unsupported {
                    feature,
                    offset: *offset,
                },
                e => e,
            })?;
        }
        Ok(())
    }

    fn step(&mut self, init: &LocalInitializer<'_>) -> Result<(), CompileError> {
        match init {
            LocalInitializer::Import { name, ty } => self.import(name, *ty)?,
            LocalInitializer::Lower { func, ty, options } => {
                let def = at(&self.top().component_funcs, *func)?;
                let path = match def {
                    ComponentFuncDef::Host(path) => path,
                    ComponentFuncDef::Lifted {
                        func,
                        ty: lift_ty,
                        options: lift_options,
                        name,
                    } => {
                        // The lowered function's type is the lifted one
                        // (converted where it was lifted, whose resources
                        // that frame knows).
                        let options = self.options(options)?;
                        let def = self.adapter(&name, lift_ty, &options, &lift_options, &func)?;
                        self.top().funcs.push(def);
                        return Ok(());
                    }
                };
                let import = self.use_import(&path)?;
                let ty = self.func_type(*ty)?;
                let options = self.options(options)?;
                let t = self.trampoline(Trampoline::LowerImport {
                    import,
                    path,
                    ty,
                    options,
                });
                self.top().funcs.push(CoreDef::Trampoline(t));
            }
            LocalInitializer::Lift {
                core_func,
                ty,
                options,
            } => {
                let func = at(&self.top().funcs, *core_func)?;
                let ty = self.func_type(*ty)?;
                let options = self.options(options)?;
                self.top().component_funcs.push(ComponentFuncDef::Lifted {
                    func,
                    ty,
                    options,
                    name: Rc::from(""),
                });
            }
            LocalInitializer::Type { id, resource } => {
                let def = match (id, resource) {
                    (ComponentAnyTypeId::Resource(r), Some(dtor)) => {
                        let frame = self.frames.last().expect("a frame");
                        let dtor = match dtor {
                            Some(f) => Some(at(&frame.funcs, *f)?),
                            None => None,
                        };
                        let index = self.plan.resources.push(Resource::Defined {
                            instance: frame.instance,
                            dtor,
                        });
                        self.top().resources.insert(r.resource(), index);
                        TypeDef::Resource(index)
                    }
                    _ => TypeDef::Other,
                };
                self.top().types.push(def);
            }
            LocalInitializer::ResourceNew(r)
            | LocalInitializer::ResourceRep(r)
            | LocalInitializer::ResourceDrop(r) => {
                let resource = self.resource(*r)?;
                let instance = self.top().instance;
                let t = self.trampoline(match init {
                    LocalInitializer::ResourceNew(_) => {
                        Trampoline::ResourceNew { resource, instance }
                    }
                    LocalInitializer::ResourceRep(_) => {
                        Trampoline::ResourceRep { resource, instance }
                    }
                    _ => Trampoline::ResourceDrop { resource, instance },
                });
                self.top().funcs.push(CoreDef::Trampoline(t));
            }
            LocalInitializer::AsyncBuiltin {
                builtin,
                ty,
                imm,
                options,
                cancellable,
            } => {
                let options = self.options(options)?;
                let (ty, func_type) = match (builtin, ty) {
                    (AsyncBuiltin::TaskReturn, result) => {
                        let params = match result {
                            Some(r) => vec![(String::new(), self.val_type(r)?)],
                            None => Vec::new(),
                        };
                        let ft = FuncType {
                            params,
                            result: None,
                            async_: false,
                        };
                        let index = match self.plan.func_types.iter().find(|(_, f)| **f == ft) {
                            Some((i, _)) => i,
                            None => self.plan.func_types.push(ft),
                        };
                        (None, Some(index))
                    }
                    (_, Some(t)) => (Some(self.val_type(t)?), None),
                    (_, None) => (None, None),
                };
                let t = self.trampoline(Trampoline::AsyncBuiltin(AsyncBuiltinPlan {
                    builtin: *builtin,
                    ty,
                    imm: *imm,
                    func_type,
                    options,
                    cancellable: *cancellable,
                }));
                self.top().funcs.push(CoreDef::Trampoline(t));
            }
            LocalInitializer::ModuleStatic(m) => self.top().modules.push(*m),
            LocalInitializer::ModuleInstantiate { module, args } => {
                self.instantiate_module(*module, args)?
            }
            LocalInitializer::ModuleSynthetic(items) => {
                let frame = self.top();
                let mut bag = HashMap::new();
                for (name, kind, index) in items {
                    bag.insert(name.to_string(), frame.core_item(*kind, *index)?);
                }
                frame
                    .core_instances
                    .push(CoreInstanceDef::Synthetic(Rc::new(bag)));
            }
            LocalInitializer::ComponentStatic(translation) => {
                let lexical = self.frames.len() - 1;
                self.top().components.push(ComponentDef {
                    translation: *translation,
                    lexical,
                });
            }
            LocalInitializer::ComponentInstantiate {
                component, args, ..
            } => self.instantiate_component(*component, args)?,
            LocalInitializer::ComponentSynthetic { items, .. } => {
                let frame = self.top();
                let mut map = Vec::with_capacity(items.len());
                for a in items {
                    map.push((a.name.to_string(), frame.item(a.kind, a.index)?));
                }
                frame
                    .component_instances
                    .push(ComponentInstanceDef::Items(Rc::new(map)));
            }
            LocalInitializer::AliasCoreExport {
                instance,
                name,
                kind,
            } => {
                let frame = self.top();
                let def = at(&frame.core_instances, *instance)?.export(name, *kind)?;
                frame.push_core(*kind, def)?;
            }
            LocalInitializer::AliasExport {
                instance,
                name,
                kind,
                ty,
            } => {
                let def = at(&self.top().component_instances, *instance)?;
                let item = match (&def, ty) {
                    // A host type equal to one already known (`(eq ...)` in
                    // the instance type) is that resource, not a new one.
                    (ComponentInstanceDef::Host(_), Some(ComponentAnyTypeId::Resource(r))) => {
                        match self.resource(r.resource()) {
                            Ok(index) => ComponentItemDef::Type(TypeDef::Resource(index)),
                            Err(_) => self.instance_export(&def, name, *kind)?,
                        }
                    }
                    // Records, variants, ... of the host: structural.
                    (ComponentInstanceDef::Host(_), Some(_)) => {
                        ComponentItemDef::Type(TypeDef::Other)
                    }
                    _ => self.instance_export(&def, name, *kind)?,
                };
                self.bind_type(*ty, &item)?;
                self.top().push_item(item);
            }
            LocalInitializer::AliasOuter { count, index, kind } => {
                let mut target = self.frames.len() - 1;
                for _ in 0..*count {
                    target = self.frames[target]
                        .lexical_parent
                        .ok_or_else(|| bug("outer alias past the root"))?;
                }
                let outer = &self.frames[target];
                let item = match kind {
                    ComponentOuterAliasKind::CoreModule => {
                        ComponentItemDef::Module(at(&outer.modules, *index)?)
                    }
                    ComponentOuterAliasKind::Component => {
                        ComponentItemDef::Component(at(&outer.components, *index)?)
                    }
                    ComponentOuterAliasKind::Type => {
                        ComponentItemDef::Type(at(&outer.types, *index)?)
                    }
                    ComponentOuterAliasKind::CoreType => return Ok(()),
                };
                self.top().push_item(item);
            }
            LocalInitializer::Export {
                name,
                kind,
                index,
                ty,
            } => {
                let item = named(self.top().item(*kind, *index)?, name);
                if self.frames.len() == 1 {
                    // Checked here too (not only in `export`) so that the
                    // error carries the export's offset.
                    Self::check_root_export(&item)?;
                }
                self.bind_type(*ty, &item)?;
                let frame = self.top();
                frame.push_item(item.clone());
                frame.exports.push((name.to_string(), item));
            }
        }
        Ok(())
    }

    fn options(&self, o: &LocalCanonOptions) -> Result<CanonOptions, CompileError> {
        let frame = self.frames.last().expect("a frame");
        let func = |i: Option<u32>| -> Result<Option<CoreDef>, CompileError> {
            i.map(|i| at(&frame.funcs, i)).transpose()
        };
        Ok(CanonOptions {
            instance: frame.instance,
            string_encoding: o.string_encoding,
            memory: o.memory.map(|m| at(&frame.memories, m)).transpose()?,
            realloc: func(o.realloc)?,
            post_return: func(o.post_return)?,
            callback: func(o.callback)?,
            async_: o.async_,
        })
    }

    fn trampoline(&mut self, t: Trampoline) -> TrampolineIndex {
        self.plan.trampolines.push(t)
    }

    fn instantiate_module(
        &mut self,
        module: u32,
        args: &[(&str, u32)],
    ) -> Result<(), CompileError> {
        let frame = self.frames.last().expect("a frame");
        let m = at(&frame.modules, module)?;
        let mut imports = Vec::new();
        for (module_name, name, kind) in &self.plan.modules[m].imports {
            let (_, arg) = args
                .iter()
                .find(|(n, _)| n == module_name)
                .ok_or_else(|| bug("missing core instantiation argument"))?;
            let def = at(&frame.core_instances, *arg)?.export(name, *kind)?;
            imports.push(def);
        }
        let index = self.plan.instances.push(InstancePlan {
            module: m,
            component_instance: frame.instance,
            imports,
        });
        self.top()
            .core_instances
            .push(CoreInstanceDef::Instantiated(index));
        Ok(())
    }

    fn instantiate_component(
        &mut self,
        component: u32,
        args: &[ComponentArg<'_>],
    ) -> Result<(), CompileError> {
        let frame = self.frames.last().expect("a frame");
        let def = at(&frame.components, component)?;
        let mut map = HashMap::new();
        for a in args {
            map.insert(a.name.to_string(), frame.item(a.kind, a.index)?);
        }
        let instance = RuntimeComponentInstanceIndex::from_u32(self.plan.component_instances);
        self.plan.component_instances += 1;
        self.frames.push(Frame::new(
            def.translation,
            instance,
            Some(def.lexical),
            map,
        ));
        self.run_top()?;
        let done = self.frames.pop().expect("the pushed frame");
        self.top()
            .component_instances
            .push(ComponentInstanceDef::Items(Rc::new(done.exports)));
        Ok(())
    }

    /// Rejects root exports the plan cannot express.
    fn check_root_export(item: &ComponentItemDef) -> Result<(), CompileError> {
        match item {
            ComponentItemDef::Func(ComponentFuncDef::Host(_))
            | ComponentItemDef::Instance(ComponentInstanceDef::Host(_)) => {
                Err(unsupported("component-model re-export of an import"))
            }
            ComponentItemDef::Module(_) | ComponentItemDef::Component(_) => {
                Err(unsupported("component-model module or component exports"))
            }
            _ => Ok(()),
        }
    }

    /// Adds the root export `item` at `path` to the plan.
    fn export(&mut self, path: Vec<String>, item: &ComponentItemDef) -> Result<(), CompileError> {
        match item {
            ComponentItemDef::Func(ComponentFuncDef::Lifted {
                func, ty, options, ..
            }) => {
                self.plan.exports.push(Export {
                    path,
                    func: func.clone(),
                    ty: *ty,
                    options: options.clone(),
                });
            }
            ComponentItemDef::Instance(ComponentInstanceDef::Items(items)) => {
                for (name, item) in items.iter() {
                    let mut path = path.clone();
                    path.push(name.clone());
                    self.export(path, item)?;
                }
            }
            // Exported types need nothing at run time: their functions carry
            // the resources they use.
            ComponentItemDef::Type(_) => {}
            _ => Self::check_root_export(item)?,
        }
        Ok(())
    }
}
