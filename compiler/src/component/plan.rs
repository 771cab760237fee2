//! The output of the component front-end: a [`ComponentPlan`], plain data
//! (no Cranelift or wasmparser types) describing what to compile and how to
//! instantiate it.
//!
//! Invariants: every index in the plan is in range of the list it names;
//! `instances` are in instantiation order and each instance's imports only
//! name earlier instances or trampolines; `modules[i].range` is a range of
//! the component bytes holding one complete core module (to be compiled by
//! the core pipeline), unless `modules[i].generated` holds the bytes of a
//! module Kiln generated (a fused adapter). Names follow wasmtime-environ's
//! `component` module
//! where the concept is the same (`CoreDef`, `CoreExport`,
//! `Trampoline::LowerImport`, `RuntimeComponentInstanceIndex`,
//! `StaticModuleIndex`). Indices print with their kind (`r3`, `instance 2`).

pub use super::types::FuncType;
use cranelift_entity::{PrimaryMap, entity_impl};
pub use kiln_abi::component::{AsyncBuiltin, StringEncoding, TypeIndex, TypeTableBuilder};
use std::ops::Range;

/// Index into [`ComponentPlan::modules`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StaticModuleIndex(u32);
entity_impl!(StaticModuleIndex, "module ");

/// Index into [`ComponentPlan::instances`]: a core instance created at run
/// time (synthetic "bag" instances never appear: their items are resolved
/// to what they hold).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuntimeInstanceIndex(u32);
entity_impl!(RuntimeInstanceIndex, "instance ");

/// Index into [`ComponentPlan::trampolines`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrampolineIndex(u32);
entity_impl!(TrampolineIndex, "trampoline ");

/// Index into [`ComponentPlan::resources`]; the resource operand of
/// `own`/`borrow` in the shared type table (`kiln_abi::component`) is its
/// `as_u32()`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceIndex(u32);
entity_impl!(ResourceIndex, "r");

/// Index into [`ComponentPlan::imports`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImportIndex(u32);
entity_impl!(ImportIndex, "import ");

/// Index into [`ComponentPlan::func_types`] (the `func_type` of
/// `kiln_abi::component::CanonOpts`).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncTypeIndex(u32);
entity_impl!(FuncTypeIndex, "functype ");

/// A component instance at run time: the root is 0, then one per nested
/// component instantiation, in order. Each has its own `may_leave` flag and
/// handle table.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuntimeComponentInstanceIndex(u32);
entity_impl!(RuntimeComponentInstanceIndex, "component ");

/// Everything the back end needs to compile and instantiate a component.
#[derive(Debug, Default)]
pub struct ComponentPlan {
    /// The core modules, in the order they appear in the component bytes
    /// (nested components included, depth first).
    pub modules: PrimaryMap<StaticModuleIndex, ModulePlan>,
    /// Core instances, in instantiation order.
    pub instances: PrimaryMap<RuntimeInstanceIndex, InstancePlan>,
    /// Functions the compiler generates (lowered imports, built-ins).
    pub trampolines: PrimaryMap<TrampolineIndex, Trampoline>,
    /// Resource types: imported from the host or defined by the component.
    pub resources: PrimaryMap<ResourceIndex, Resource>,
    /// The root component's imports.
    pub imports: PrimaryMap<ImportIndex, Import>,
    /// The root component's exported functions, flattened out of exported
    /// instances.
    pub exports: Vec<Export>,
    /// Number of component instances (see
    /// [`RuntimeComponentInstanceIndex`]).
    pub component_instances: u32,
    /// Every component value type the plan mentions (the shared
    /// canonical-ABI table: layouts and flattening come from it).
    pub types: TypeTableBuilder,
    /// Function types of trampolines and exports, interned.
    pub func_types: PrimaryMap<FuncTypeIndex, FuncType>,
}

/// One core module of the component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModulePlan {
    /// Its bytes: a range of the component (empty for a generated module).
    pub range: Range<usize>,
    /// The bytes of a module Kiln generated (a fused adapter, see
    /// `super::adapter`), compiled like the component's own.
    pub generated: Option<Vec<u8>>,
    /// Of a generated module: the module offsets of `unreachable`s that
    /// raise another trap (an adapter's checks), with it; ascending.
    pub traps: Vec<(u32, kiln_abi::trap::TrapCode)>,
    /// Its imports, in order: (module, name, kind).
    pub imports: Vec<(String, String, CoreKind)>,
}

/// The kind of a core import or export.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CoreKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

/// One instantiation of a core module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstancePlan {
    /// The module instantiated.
    pub module: StaticModuleIndex,
    /// The component instance it belongs to.
    pub component_instance: RuntimeComponentInstanceIndex,
    /// One per import of the module, in the module's import order.
    pub imports: Vec<CoreDef>,
}

/// A core item at run time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CoreDef {
    /// An export of an earlier instance (functions, memories, tables,
    /// globals, tags).
    Export(CoreExport),
    /// A generated function (functions only).
    Trampoline(TrampolineIndex),
    /// The flags word of a component instance, a mutable `i32` global
    /// (imported by fused adapters only).
    InstanceFlags(RuntimeComponentInstanceIndex),
}

/// An export of a core instance.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CoreExport {
    /// The instance.
    pub instance: RuntimeInstanceIndex,
    /// Its export name.
    pub name: String,
    /// The export's kind.
    pub kind: CoreKind,
}

/// A function the compiler generates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trampoline {
    /// `canon lower` of a host import: lowers the arguments from the core
    /// caller, calls the host, lifts the results back.
    LowerImport {
        /// The import it calls.
        import: ImportIndex,
        /// Path from the root import, e.g.
        /// `["wasi:io/streams@0.2.6", "[method]output-stream.blocking-write-and-flush"]`.
        path: Vec<String>,
        /// The component function type.
        ty: FuncTypeIndex,
        /// Canonical options of the lowering.
        options: CanonOptions,
    },
    /// `canon resource.new` of a resource defined by the component.
    ResourceNew {
        /// The resource.
        resource: ResourceIndex,
        /// The component instance whose handle table gets the handle.
        instance: RuntimeComponentInstanceIndex,
    },
    /// `canon resource.rep` of a resource defined by the component.
    ResourceRep {
        /// The resource.
        resource: ResourceIndex,
        /// The component instance whose handle table is read.
        instance: RuntimeComponentInstanceIndex,
    },
    /// `canon resource.drop` (imported or defined resource).
    ResourceDrop {
        /// The resource.
        resource: ResourceIndex,
        /// The component instance whose handle table holds the handle.
        instance: RuntimeComponentInstanceIndex,
    },
    /// The instance-flags built-in fused adapters call (`[i32] -> []`, an
    /// `ADAPTER_FLAGS_*` operation of `kiln_abi::component::canon`).
    AdapterFlags {
        /// The component instance whose flags it reads and writes.
        instance: RuntimeComponentInstanceIndex,
    },
    /// The handle built-in fused adapters call for `own`/`borrow` values
    /// (`[i32 i32 i32 i32] -> [i32]`, see
    /// `kiln_abi::component::program::TRAMPOLINE_ADAPTER_HANDLE`).
    AdapterHandle {
        /// The resource of the `own` or `borrow` values it moves.
        resource: ResourceIndex,
    },
    /// A string transcoder fused adapters call (see
    /// `kiln_abi::component::transcode` and
    /// `kiln_abi::component::program::TRAMPOLINE_ADAPTER_TRANSCODE`).
    AdapterTranscode {
        /// The operation (its operands and results).
        op: kiln_abi::component::transcode::Transcode,
        /// Options of the side the string is stored into (memory,
        /// `realloc`, encoding, instance).
        dst: CanonOptions,
        /// Options of the side the string is read from.
        src: CanonOptions,
    },
    /// A P3 (component-model async) built-in.
    AsyncBuiltin(AsyncBuiltinPlan),
    /// A `canon lower` of a function lifted by another component instance
    /// where either side is async: the runtime runs the callee as a task
    /// (see `kiln_abi::component::program::TRAMPOLINE_ASYNC_CALL`).
    AsyncCall {
        /// The component function type.
        ty: FuncTypeIndex,
        /// The caller's options (`canon lower`).
        lower: CanonOptions,
        /// The callee's options (`canon lift`).
        lift: CanonOptions,
        /// The lifted core function.
        callee: CoreDef,
        /// The generated half moving the parameters when the callee's task
        /// starts, and the one moving the results when it returns (see
        /// `adapter::generate_async`); `None` where the runtime moves the
        /// values itself (scalars, stream and future ends) or there are no
        /// results.
        params_adapter: Option<CoreDef>,
        results_adapter: Option<CoreDef>,
        /// The trampoline has the lifting's core signature and is called by
        /// a generated synchronous adapter that moves the values itself (a
        /// function of an `async` type lowered and lifted without `async`):
        /// the runtime only runs the call as a task of its own
        /// (`kiln_abi::component::CANON_OPT_CORE_VALUES`).
        core_values: bool,
    },
}

/// A P3 built-in with its immediates and options (see
/// `kiln_abi::component::builtins` for how they reach the runtime).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsyncBuiltinPlan {
    /// Which built-in.
    pub builtin: AsyncBuiltin,
    /// The `stream<T>`/`future<T>` type of stream and future built-ins.
    pub ty: Option<TypeIndex>,
    /// `context.get/set`: the slot.
    pub imm: u32,
    /// `task.return`: a function type whose parameters are the returned
    /// values (none for a function without result).
    pub func_type: Option<FuncTypeIndex>,
    /// The options (`memory`, `realloc`, encoding, `async`); `instance` is
    /// the component instance whose tables the built-in uses.
    pub options: CanonOptions,
    /// The `cancellable` immediate.
    pub cancellable: bool,
}

/// Canonical ABI options of a lift or lower.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CanonOptions {
    /// The component instance whose flags guard the call.
    pub instance: RuntimeComponentInstanceIndex,
    /// String encoding.
    pub string_encoding: StringEncoding,
    /// `(memory ...)`: always an export of a core instance.
    pub memory: Option<CoreExport>,
    /// `(realloc ...)`.
    pub realloc: Option<CoreDef>,
    /// `(post-return ...)` (lifts only).
    pub post_return: Option<CoreDef>,
    /// `(callback ...)` (async lifts only).
    pub callback: Option<CoreDef>,
    /// `async`.
    pub async_: bool,
}

/// A resource type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    /// Imported from the host: path from the root import, e.g.
    /// `["wasi:io/streams@0.2.6", "output-stream"]`.
    Imported {
        /// The path.
        path: Vec<String>,
    },
    /// Defined by a component instance (`(type (resource (rep i32) ...))`).
    Defined {
        /// The defining component instance.
        instance: RuntimeComponentInstanceIndex,
        /// The destructor (`(dtor ...)`), called with the rep.
        dtor: Option<CoreDef>,
    },
}

/// What a root import is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ImportKind {
    /// An instance (`wasi:io/streams@0.2.6`).
    Instance,
    /// A function.
    Func,
    /// A type (resource).
    Type,
}

/// One import of the root component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// Its name, e.g. `wasi:io/streams@0.2.6`.
    pub name: String,
    /// What it is.
    pub kind: ImportKind,
    /// The functions of it that the component lowers, in first-use order
    /// (for a function import: `[""]` when it is lowered).
    pub funcs: Vec<String>,
}

/// One exported (lifted) function of the root component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// Name path, e.g. `["wasi:cli/run@0.2.6", "run"]` for a function of an
    /// exported instance.
    pub path: Vec<String>,
    /// The core function lifted.
    pub func: CoreDef,
    /// The component function type.
    pub ty: FuncTypeIndex,
    /// Canonical options of the lift.
    pub options: CanonOptions,
}
