//! The component descriptor: the `repr(C)` data the compiler emits for a
//! component as the symbol [`crate::symbols::COMPONENT`], read in place by
//! the runtime's component start-up (no parsing at program start).
//!
//! A compiled component is one object holding every core module of the
//! component's plan, each with its own [`crate::descriptor::ModuleDescriptor`]
//! and symbol prefix (`__kiln_m<N>_...`, see [`crate::symbols`]), plus:
//! - one [`CanonOpts`](super::CanonOpts) record per trampoline and per lifted
//!   export, in writable data (the runtime fills the address part);
//! - one compiled trampoline per `canon lower` of a host import and per
//!   resource built-in (the contract in [`super::canon`]);
//! - this descriptor: the core instances in instantiation order with what
//!   each import is bound to, the trampolines, the resources, the root's
//!   lifted exports, and the component type table.
//!
//! Like the module descriptor, records hold only `u32`/`u64` fields and
//! absolute [`Addr`]esses (`0` = none).

use crate::component::TypeTableDesc;
use crate::descriptor::{Addr, Str};

/// Magic number at the start of [`ComponentDescriptor`] ("KCMP").
pub const COMPONENT_MAGIC: u32 = 0x504d_434b;

/// [`ProgramDescriptor::kind`]: a core module (`root` is a
/// `ModuleDescriptor`).
pub const PROGRAM_MODULE: u32 = 0;
/// [`ProgramDescriptor::kind`]: a component (`root` is a
/// [`ComponentDescriptor`]).
pub const PROGRAM_COMPONENT: u32 = 1;

/// What an executable runs, exported as [`crate::symbols::PROGRAM`]: the one
/// symbol the runtime's `main` refers to, so a module and a component link
/// against the same runtime archive.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ProgramDescriptor {
    /// [`crate::MODULE_MAGIC`].
    pub magic: u32,
    /// [`crate::ABI_VERSION`].
    pub abi_version: u32,
    /// [`PROGRAM_MODULE`] or [`PROGRAM_COMPONENT`].
    pub kind: u32,
    /// Padding; keep zero.
    pub _pad: u32,
    /// The root descriptor.
    pub root: Addr,
    /// CPU features the compiled code may use: bit `i` for entry `i` of
    /// the target's [`crate::cpu::features_of`] table. The runtime checks
    /// them before running any compiled code.
    pub cpu_features: u64,
    /// Start of the object's code: every function the compiler emitted
    /// (wasm functions and trampolines alike) lies in
    /// `[code_start, code_end)` ([`crate::symbols::CODE_START`]). Backtraces
    /// walking from host code back into wasm need to know which frames are
    /// the compiler's: on riscv64 its frame records sit elsewhere than
    /// LLVM's.
    pub code_start: Addr,
    /// End of the object's code ([`crate::symbols::CODE_END`]).
    pub code_end: Addr,
    /// CPU features of the code's second tier, as `cpu_features` (`0`:
    /// none). Some functions are compiled twice, for the baseline and for
    /// these features; each such function starts with a test of the byte
    /// at `tier_flag` and runs the second body when it is not zero.
    pub tier_features: u64,
    /// A writable byte, `0` at start, which the runtime sets to `1` before
    /// any compiled code runs if this CPU has every one of
    /// `tier_features` (`0` when `tier_features` is `0`).
    pub tier_flag: Addr,
}

/// The root record of a compiled component.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ComponentDescriptor {
    /// [`COMPONENT_MAGIC`].
    pub magic: u32,
    /// [`crate::ABI_VERSION`].
    pub abi_version: u32,
    /// Number of component instances (root = 0, then nested ones in
    /// instantiation order); each has its own flags and handle table.
    pub num_component_instances: u32,
    /// Which export a plain `run` of the program calls: [`RUN_NONE`],
    /// [`RUN_P2`] or [`RUN_P3`]; the export is `run_export`.
    pub run_kind: u32,
    /// `[Addr; num_modules]`: each static module's `ModuleDescriptor`.
    pub modules: Addr,
    /// Number of static modules.
    pub num_modules: u64,
    /// `[CoreInstanceDesc; num_instances]`, in instantiation order.
    pub instances: Addr,
    /// Number of core instances.
    pub num_instances: u64,
    /// `[CoreDefDesc]`: the pool the instances' imports point into.
    pub defs: Addr,
    /// Number of entries in `defs`.
    pub num_defs: u64,
    /// `[TrampolineDesc; num_trampolines]`, by trampoline index.
    pub trampolines: Addr,
    /// Number of trampolines.
    pub num_trampolines: u64,
    /// `[ResourceDesc; num_resources]`, by the plan's resource index.
    pub resources: Addr,
    /// Number of resources.
    pub num_resources: u64,
    /// `[ExportFuncDesc; num_exports]`: the root's lifted functions.
    pub exports: Addr,
    /// Number of exports.
    pub num_exports: u64,
    /// `[FuncTypeDesc; num_func_types]`, by the plan's function type index
    /// (`CanonOpts::func_type`).
    pub func_types: Addr,
    /// Number of function types.
    pub num_func_types: u64,
    /// `[u32]`: the pool `FuncTypeDesc` params and results point into
    /// (type indices of `types`).
    pub type_lists: Addr,
    /// Number of `u32`s in `type_lists`.
    pub num_type_lists: u64,
    /// The component value types.
    pub types: TypeTableDesc,
    /// Index in `exports` of the `run` function chosen by the compiler
    /// (meaningful unless `run_kind` is [`RUN_NONE`]).
    pub run_export: u64,
    /// Which export serves HTTP requests: [`SERVE_NONE`],
    /// [`SERVE_HTTP_P2`] or [`SERVE_HTTP_P3`]; the export is
    /// `serve_export`.
    pub serve_kind: u32,
    /// Padding; keep zero.
    pub _pad: u32,
    /// Index in `exports` of the request handler (meaningful unless
    /// `serve_kind` is [`SERVE_NONE`]).
    pub serve_export: u64,
}

/// [`ComponentDescriptor::run_kind`]: the component exports no `run` that
/// `wasmtime run` would call (only `--invoke` can run it).
pub const RUN_NONE: u32 = 0;
/// [`ComponentDescriptor::run_kind`]: a WASI 0.2 `wasi:cli/run` `run`
/// (`func() -> result`, called synchronously).
pub const RUN_P2: u32 = 1;
/// [`ComponentDescriptor::run_kind`]: a WASI 0.3 `wasi:cli/run` `run` (an
/// async export; the task runs on the event loop).
pub const RUN_P3: u32 = 2;

/// [`ComponentDescriptor::serve_kind`]: the component exports no request
/// handler `wasmtime serve` would call.
pub const SERVE_NONE: u32 = 0;
/// [`ComponentDescriptor::serve_kind`]: a WASI 0.2
/// `wasi:http/incoming-handler` `handle` (`func(request:
/// own<incoming-request>, response-out: own<response-outparam>)`, called
/// synchronously, once per request on a fresh instance).
pub const SERVE_HTTP_P2: u32 = 1;
/// [`ComponentDescriptor::serve_kind`]: a WASI 0.3 `wasi:http/handler`
/// `handle` (`async func(request: own<request>) -> result<own<response>,
/// error-code>`, an async export whose task runs on the event loop).
pub const SERVE_HTTP_P3: u32 = 2;

/// The prefix of the `wasi:http/handler` 0.3 instance names (any `0.3.x`
/// release or release candidate).
pub const HTTP_HANDLER_P3_PREFIX: &str = "wasi:http/handler@0.3";

/// The `wasi:http/incoming-handler` instance Wasmtime 49's proxy bindings
/// look up: the compiler chooses the handler by [`super::lookup`] of this
/// name (any `0.2.x` release).
pub const HTTP_HANDLER_INSTANCE: &str = "wasi:http/incoming-handler@0.2.12";

/// The `wasi:cli/run` instance Wasmtime 49's command bindings look up (the
/// version they were generated from): the compiler chooses a WASI 0.2
/// `run` by [`super::lookup`] of this name, and the runtime names it when
/// nothing matched.
pub const RUN_INSTANCE: &str = "wasi:cli/run@0.2.12";

/// One core instance: module `module` instantiated with
/// `defs[imports_start .. imports_start + num_imports]`, one per import of
/// the module in its import order.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct CoreInstanceDesc {
    /// Static module index (into `ComponentDescriptor::modules`).
    pub module: u32,
    /// The component instance it belongs to.
    pub component_instance: u32,
    /// First import binding in `defs`.
    pub imports_start: u32,
    /// Number of import bindings (= the module's imports).
    pub num_imports: u32,
}

/// [`CoreDefDesc::kind`]: item `index` (of kind `item_kind`, in the
/// exporting module's index space) of the earlier core instance `instance`.
pub const DEF_EXPORT: u32 = 0;
/// [`CoreDefDesc::kind`]: trampoline `index` (a function).
pub const DEF_TRAMPOLINE: u32 = 1;
/// [`CoreDefDesc::kind`]: the flags word of component instance `index`
/// (`INSTANCE_FLAG_*` of [`super::canon`]) as a mutable `i32` global, so
/// that fused adapters test and flip `may_leave` inline.
pub const DEF_INSTANCE_FLAGS: u32 = 2;

/// A core item at run time (the plan's `CoreDef`), resolved to an index by
/// the compiler so the runtime never looks names up.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CoreDefDesc {
    /// [`DEF_EXPORT`], [`DEF_TRAMPOLINE`] or [`DEF_INSTANCE_FLAGS`].
    pub kind: u32,
    /// The core instance ([`DEF_EXPORT`]); unused otherwise.
    pub instance: u32,
    /// `crate::descriptor::KIND_*` of the item.
    pub item_kind: u32,
    /// The item's index in the instance's module, the trampoline index, or
    /// the component instance.
    pub index: u32,
}

/// [`TrampolineDesc::kind`]: `canon lower` of a host import (it calls an
/// runtime host function, [`crate::symbols::wasi_host_symbol`]).
pub const TRAMPOLINE_LOWER_IMPORT: u32 = 0;
/// [`TrampolineDesc::kind`]: `canon resource.new` (`[i32] -> [i32]`).
pub const TRAMPOLINE_RESOURCE_NEW: u32 = 1;
/// [`TrampolineDesc::kind`]: `canon resource.rep` (`[i32] -> [i32]`).
pub const TRAMPOLINE_RESOURCE_REP: u32 = 2;
/// [`TrampolineDesc::kind`]: `canon resource.drop` (`[i32] -> []`).
pub const TRAMPOLINE_RESOURCE_DROP: u32 = 3;
/// [`TrampolineDesc::kind`]: the instance-flags built-in of fused adapters
/// (`[i32] -> []`, the operand one of the `ADAPTER_FLAGS_*` of
/// [`super::canon`]), calling [`crate::symbols::ADAPTER_FLAGS`].
pub const TRAMPOLINE_ADAPTER_FLAGS: u32 = 4;
/// [`TrampolineDesc::kind`]: a string transcoder of fused adapters (the
/// `i32` operands and results of its operation, see
/// [`super::transcode::Transcode`]), calling
/// [`crate::symbols::ADAPTER_TRANSCODE`]. Its `opts` is the first of two
/// consecutive [`super::CanonOpts`] records: the destination's options
/// (memory, encoding, instance; `resource` is the operation's
/// [`super::transcode::Transcode::number`]), then the source's.
pub const TRAMPOLINE_ADAPTER_TRANSCODE: u32 = 5;
/// [`TrampolineDesc::kind`]: the handle built-in of fused adapters
/// (`[i32 i32 i32 i32 i32] -> [i32]`: handle, `ADAPTER_HANDLE_*`
/// operation of [`super::canon`], source and destination component
/// instances, and for `ADAPTER_HANDLE_MOVE_END` the stream or future type
/// the value has (the type table's index; `NO_INDEX` otherwise) in; the
/// destination's handle (or rep) out), calling
/// [`crate::symbols::ADAPTER_HANDLE`]; `resource` names the resource.
pub const TRAMPOLINE_ADAPTER_HANDLE: u32 = 6;
/// [`TrampolineDesc::kind`]: a P3 built-in (`task.return`, `stream.read`,
/// ...; see [`super::builtins`]); `resource` is the built-in's immediate
/// as its `CanonOpts` has it.
pub const TRAMPOLINE_ASYNC_BUILTIN: u32 = 7;
/// [`TrampolineDesc::kind`]: a `canon lower` of a function another
/// component instance lifts, where either side is async (the lowering's
/// core signature, with the lowered-import shape of
/// [`TRAMPOLINE_ASYNC_BUILTIN`]), calling [`crate::symbols::ASYNC_CALL`].
/// Its `opts` is the first of three consecutive [`super::CanonOpts`]
/// records: the lowering's options (with the function type), the
/// lifting's, then one whose `callback` names the lifted core function and
/// whose `realloc` and `post_return`, when set, name two generated
/// functions that move the values: `realloc` maps the lowering's flat
/// parameters (without its return pointer) to the callee's core
/// parameters, run when the callee's task starts; `post_return` maps the
/// callee's results as it gives them (`task.return`'s parameters, or a
/// sync lift's core results), then the lowering's return pointer if it has
/// one, to the sync lowering's flat result if any, run as the task
/// returns. Unset: each value is one flat scalar or stream/future end,
/// which the runtime moves itself. With [`super::CANON_OPT_CORE_VALUES`]
/// on the third record the trampoline has the lifting's core signature
/// instead: its slots are the callee's core parameters, slot 0 gets its
/// core result, and the lifting's record names no `post-return` (the
/// generated adapter that calls the trampoline lifts the results and
/// calls it).
pub const TRAMPOLINE_ASYNC_CALL: u32 = 8;

/// One compiled trampoline.
///
/// Binding contract: the runtime binds a core import to a trampoline as a
/// function whose code is `wasm_call` and whose callee `VMContext` is the
/// address `opts` (the trampoline passes it on as the `opts` argument of
/// its host function), with the importing module's signature id for that
/// import. The compiler guarantees the trampoline's core signature equals
/// the import's type.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct TrampolineDesc {
    /// `TRAMPOLINE_*`.
    pub kind: u32,
    /// For resource built-ins, the plan's resource index; else `NO_INDEX`.
    pub resource: u32,
    /// The trampoline's code (wasm-call convention).
    pub wasm_call: Addr,
    /// Its [`super::CanonOpts`] record (writable).
    pub opts: Addr,
    /// For [`TRAMPOLINE_LOWER_IMPORT`]: the import path, `interface#func`
    /// (or `func` for a root function import), for messages.
    pub name: Str,
}

/// [`ResourceDesc::kind`]: a host (WASI) resource; `host_type` names it.
pub const RESOURCE_HOST: u32 = 0;
/// [`ResourceDesc::kind`]: defined by a component instance.
pub const RESOURCE_DEFINED: u32 = 1;

/// One resource type of the plan.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ResourceDesc {
    /// [`RESOURCE_HOST`] or [`RESOURCE_DEFINED`].
    pub kind: u32,
    /// Host resources: the host's type number (`crate::wasi_p2`).
    pub host_type: u32,
    /// Defined resources: the defining component instance.
    pub component_instance: u32,
    /// Defined resources: whether `dtor` is set.
    pub has_dtor: u32,
    /// Defined resources: the destructor (`[i32] -> []`).
    pub dtor: CoreDefDesc,
}

/// One lifted function exported by the root component.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ExportFuncDesc {
    /// Name path joined with `#`: `wasi:cli/run@0.2.6#run`, or `name` for a
    /// root function export.
    pub name: Str,
    /// The core function lifted (always [`DEF_EXPORT`] of a function).
    pub func: CoreDefDesc,
    /// Its [`super::CanonOpts`] record (writable).
    pub opts: Addr,
}

/// One component function type.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct FuncTypeDesc {
    /// First parameter type in `type_lists`.
    pub params_start: u32,
    /// Number of parameters.
    pub num_params: u32,
    /// First result type in `type_lists`.
    pub results_start: u32,
    /// Number of results (0 or 1).
    pub num_results: u32,
    /// Parameter names, `,`-separated (for `--invoke` messages).
    pub param_names: Str,
}
