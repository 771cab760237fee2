//! The compile driver: runs the phases of one core module (and, for a
//! component, of each of its core modules) and hands their results on.
//!
//! Input: a plain-data [`ModuleInfo`] (phase 1, [`crate::module`]), its wasm
//! bytes and the [`Config`]. Output: the bytes of one relocatable object.
//! Order of work, per module:
//! 1. declare every function the object defines or calls, in a fixed
//!    order, recording the ids in a [`DeclaredFuncs`] ([`crate::key`])
//!    before any translation;
//! 2. translate ([`crate::func`], [`crate::trampolines`]) and run Cranelift
//!    on every function in parallel ([`compile`]), after inlining the calls
//!    of small functions ([`inline`], whose CLIF is translated first),
//!    turning each result into plain tables ([`traps`]);
//! 3. hand the compiled code and the module facts to object emission
//!    ([`crate::obj`]): functions defined sequentially in job order, then
//!    the descriptors and images.
//!
//! The component driver ([`component`]) runs these steps for each core
//! module of a component into one shared object, then compiles the
//! component trampolines and writes the component's descriptor.
//!
//! Translation and object emission never import each other: this driver is
//! the only place that sees both. Invariant: the same input and config give
//! byte-identical output.

mod compile;
mod inline;
mod loops;
mod tiers;

pub(crate) use tiers::TIER_FLAG_SYMBOL;

pub use inline::InlinedChains;
pub mod component;
mod traps;

pub use component::{compile_component, compile_component_timed, emit_component};

use crate::func::ModuleEnv;
use crate::func::sig::{array_call_signature, native_signature, wasm_call_signature};
use crate::isa::CodegenIsa;
use crate::key::{DeclaredFuncs, FuncKey, Job, LinkedCode, Namespace};
use crate::module::{FuncImport, FuncIndex, ModuleInfo};
use crate::obj::data::{DataObjects, StringPool, Target, object_error};
use crate::obj::symbols::DataKey;
use crate::obj::{self, ModuleData, descriptor, grants, program};
use crate::{CompileError, Config, Timings, trampolines};
use compile::{code_relocs, codegen};
use cranelift_codegen::isa::TargetIsa;
use cranelift_module::{DataId, Linkage, Module};
use cranelift_object::ObjectModule;
use kiln_abi::libcalls::LIBCALLS;
use kiln_abi::vmctx::VMOffsets;
use kiln_abi::wasi_p1::WASI_P1_FUNCS;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Compiles every function of `info` and writes the object.
pub fn emit_module(
    info: &ModuleInfo,
    wasm: &[u8],
    config: &Config,
) -> Result<Vec<u8>, CompileError> {
    emit_module_timed(info, wasm, config, &mut Timings::default())
}

/// An object holding only the grants of `config` (`__kiln_grants`, its
/// records and their strings), for an object compiled with
/// [`Config::omit_grants`]: linked together, the two behave as one object
/// compiled with the grants.
pub fn compile_grants(config: &Config) -> Result<Vec<u8>, CompileError> {
    let isa = crate::isa::build_isa(config)?;
    let mut module = obj::new_object(&isa)?;
    let mut objects = DataObjects::new(Namespace::Program);
    let mut strings = StringPool::new(descriptor::strings_key());
    grants::emit_grants(&config.grants, config.checks(), &mut objects, &mut strings);
    strings.finish(&mut objects);
    let mut rel = obj::data::RelRelocs::new();
    objects.define_all(&mut module, &mut rel)?;
    obj::finish_object(module, &rel, &obj::names::FuncNames::default())
}

/// [`emit_module`], recording its phases in `timings`.
pub fn emit_module_timed(
    info: &ModuleInfo,
    wasm: &[u8],
    config: &Config,
    timings: &mut Timings,
) -> Result<Vec<u8>, CompileError> {
    let mut clock = Clock::start();
    let isa = crate::isa::build_codegen_isa(config)?;
    let mut module = obj::new_object(&isa.plain)?;
    let tier = tiers::Tier::new(config, &*isa, &mut module)?;
    let mut objects = DataObjects::new(Namespace::Program);
    let mut strings = StringPool::new(descriptor::strings_key());
    let mut names = obj::names::FuncNames::default();
    let input = ModuleInput {
        info,
        wasm,
        ns: Namespace::Program,
        wasm_base: 0,
        linked: &BTreeMap::new(),
        checks: config.checks(),
        inline: inlines(config, 0, wasm, false),
        tier: tier.as_ref(),
        progress: &config.progress,
    };
    emit_module_into(
        &mut module,
        &mut obj::TextCursor::default(),
        &isa,
        &input,
        &mut objects,
        &mut strings,
        &mut names,
        &mut clock,
        timings,
    )?;
    if !config.omit_grants {
        grants::emit_grants(&config.grants, config.checks(), &mut objects, &mut strings);
    }
    program::emit_program(
        kiln_abi::component::program::PROGRAM_MODULE,
        kiln_abi::symbols::RUN_MODULE,
        Target::Data(DataKey::Module),
        crate::isa::cpu_feature_bits(&*isa),
        tiers::program_tier(tier.as_ref(), timings),
        obj::declare_code_markers(&mut module)?,
        &mut objects,
    );
    strings.finish(&mut objects);
    timings.descriptors += clock.lap();
    let mut rel = obj::data::RelRelocs::new();
    objects.define_all(&mut module, &mut rel)?;
    finish_object(module, &rel, &names, &mut clock, timings)
}

/// Compiles core module `index` of a component into `module` (symbols in
/// [`Namespace::ComponentModule`]), data objects included; returns the id of
/// its (local) `ModuleDescriptor`. `linked` maps linked imports (function
/// index) to the code every instance binds them to: those are called
/// directly (the code must be defined in `module`, now or later). Phases
/// add to `timings`.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site, all distinct inputs"
)]
pub(crate) fn emit_component_module(
    module: &mut ObjectModule,
    text: &mut obj::TextCursor,
    isa: &CodegenIsa,
    info: &ModuleInfo,
    wasm: &[u8],
    index: u32,
    wasm_base: u32,
    generated: bool,
    linked: &BTreeMap<FuncIndex, LinkedCode>,
    config: &Config,
    tier: Option<&tiers::Tier>,
    timings: &mut Timings,
    rel: &mut obj::data::RelRelocs,
    names: &mut obj::names::FuncNames,
) -> Result<DataId, CompileError> {
    let mut clock = Clock::start();
    let ns = Namespace::ComponentModule(index);
    let mut objects = DataObjects::new(ns);
    let mut strings = StringPool::new(descriptor::strings_key());
    let input = ModuleInput {
        info,
        wasm,
        ns,
        wasm_base,
        linked,
        checks: config.checks(),
        inline: inlines(config, wasm_base, wasm, generated),
        tier,
        progress: &config.progress,
    };
    emit_module_into(
        module,
        text,
        isa,
        &input,
        &mut objects,
        &mut strings,
        names,
        &mut clock,
        timings,
    )?;
    strings.finish(&mut objects);
    timings.descriptors += clock.lap();
    let ids = objects.define_all(module, rel)?;
    timings.object += clock.lap();
    Ok(*ids
        .get(&DataKey::Module)
        .expect("the module descriptor is never empty"))
}

/// Writes the object file's bytes (with the self-relative fields `rel`),
/// timed.
pub(crate) fn finish_object(
    module: ObjectModule,
    rel: &obj::data::RelRelocs,
    names: &obj::names::FuncNames,
    clock: &mut Clock,
    timings: &mut Timings,
) -> Result<Vec<u8>, CompileError> {
    let object = obj::finish_object(module, rel, names)?;
    timings.object += clock.lap();
    timings.object_bytes = object.len();
    Ok(object)
}

/// Wall-clock laps for [`Timings`].
pub(crate) struct Clock(Instant);

impl Clock {
    /// Starts timing now.
    pub(crate) fn start() -> Clock {
        Clock(Instant::now())
    }

    /// Time since the previous lap (or the start).
    pub(crate) fn lap(&mut self) -> Duration {
        let now = Instant::now();
        std::mem::replace(&mut self.0, now).elapsed()
    }
}

/// One core module to emit.
struct ModuleInput<'a> {
    info: &'a ModuleInfo,
    wasm: &'a [u8],
    ns: Namespace,
    /// Offset of `wasm` in the file the user compiled (see
    /// [`ModuleData::wasm_base`]).
    wasm_base: u32,
    /// Linked imports called directly: function index -> their code.
    linked: &'a BTreeMap<FuncIndex, LinkedCode>,
    /// Run-time limit checks to emit.
    checks: crate::Checks,
    /// Whether small functions are inlined into their callers.
    inline: bool,
    /// The second tier, if the code has one.
    tier: Option<&'a tiers::Tier>,
    /// Where to count compiled functions.
    progress: &'a crate::Progress,
}

/// Whether to inline small functions (`pipeline/inline.rs`) in a module of
/// `wasm` at `wasm_base` in its file: when optimizing for speed, never in
/// the modules Kiln generates (fused adapters: their frames are laid out
/// as Wasmtime's), and only where every offset is below
/// `kiln_abi::tables::INLINED`, which marks inlined code's locations.
fn inlines(config: &Config, wasm_base: u32, wasm: &[u8], generated: bool) -> bool {
    let end = u64::from(wasm_base) + wasm.len() as u64;
    config.opt_level == crate::OptLevel::Speed
        && !generated
        && end < u64::from(kiln_abi::tables::INLINED)
}

/// Declares, compiles and defines every function of `input` in `module`, and
/// writes its descriptor and images into `objects`/`strings` (not yet
/// defined). Phases add to `timings`.
#[allow(
    clippy::too_many_arguments,
    reason = "two call sites; the object, where its code ends, the input, the tables written and the clock are distinct"
)]
fn emit_module_into(
    module: &mut ObjectModule,
    text: &mut obj::TextCursor,
    isa: &CodegenIsa,
    input: &ModuleInput<'_>,
    objects: &mut DataObjects,
    strings: &mut StringPool,
    names: &mut obj::names::FuncNames,
    clock: &mut Clock,
    timings: &mut Timings,
) -> Result<(), CompileError> {
    let info = input.info;
    let offsets = VMOffsets::new(isa.pointer_bytes(), info.vm_counts());
    let init = trampolines::init_refs::plan(info, &offsets);
    let (ids, jobs) = declare_functions(module, info, &**isa, input.ns, input.linked, &init)?;
    for (&index, name) in &info.func_names {
        if info.funcs.get(index).is_some_and(|f| f.import.is_none())
            && let Some(id) = ids.get(FuncKey::Wasm(index))
        {
            names.add(id, name);
        }
    }
    let env = ModuleEnv {
        info,
        wasm: input.wasm,
        offsets,
        isa: &**isa,
        ids: &ids,
        checks: input.checks,
    };
    timings.declare += clock.lap();
    let (compiled, stats) = compile::compile_all(
        &env,
        isa,
        &jobs,
        &init,
        input.inline,
        input.tier,
        input.progress,
    )?;
    timings.compile += clock.lap();
    for (f, s) in compiled.iter().zip(&stats) {
        timings.translate_cpu += s.translate_time;
        timings.codegen_cpu += s.codegen_time;
        timings.linked_calls_direct += s.linked_calls.direct;
        timings.linked_calls_indirect += s.linked_calls.indirect;
        if let Job::Wasm(index) = f.job {
            timings.functions += 1;
            timings.tiered_functions += usize::from(s.tiered);
            timings.laid_out_functions += usize::from(s.laid_out);
            let time = s.translate_time + s.codegen_time;
            if timings.slowest_function.is_none_or(|(_, t)| time > t) {
                timings.slowest_function = Some((index.as_u32(), time));
            }
        }
    }
    obj::define_functions(module, &compiled, text)?;
    timings.define_funcs += clock.lap();

    let data = ModuleData {
        info,
        wasm: input.wasm,
        ids: &ids,
        compiled: &compiled,
        vmctx_size: offsets.size(),
        wasm_base: input.wasm_base,
        program_types: input.ns == Namespace::Program,
        applied_elems: init.applied,
    };
    obj::emit_module_data(&data, objects, strings);
    Ok(())
}

/// Declares every function the object defines or calls, in a fixed order:
/// wasm functions (host-call trampolines for imports) by index, array-call
/// trampolines by index, the reference and element initializers (those the
/// module gets, see [`trampolines::init_refs`]), all libcalls, the imported WASI
/// functions by their index in the WASI list, then the code of `linked`
/// imports by function index. Returns the ids and the compile jobs (in definition
/// order). The module's own functions are named in `ns`; the libcalls are
/// imports shared by every module of the object. A linked import's code is
/// declared `Local` under its owner's name and signature (the import's type
/// equals it), so the owner's own declaration, earlier or later, yields the
/// same id.
fn declare_functions(
    module: &mut ObjectModule,
    info: &ModuleInfo,
    isa: &dyn TargetIsa,
    ns: Namespace,
    linked: &BTreeMap<FuncIndex, LinkedCode>,
    init: &trampolines::init_refs::Plan,
) -> Result<(DeclaredFuncs, Vec<Job>), CompileError> {
    let mut ids = DeclaredFuncs::default();
    let mut jobs = Vec::new();
    let mut declare = |module: &mut ObjectModule, key: FuncKey, linkage, sig| {
        let id = module
            .declare_function(&key.symbol_in(ns, info.num_imported_funcs), linkage, &sig)
            .map_err(object_error)?;
        ids.insert(key, id);
        Ok::<_, CompileError>(())
    };

    for (index, f) in info.funcs.iter() {
        let job = match &f.import {
            Some(FuncImport::WasiP1(wasi)) => Job::HostCall {
                func: index,
                wasi: *wasi,
            },
            // Called through its `VMContext` slot; no code in this object.
            Some(FuncImport::Linked) => continue,
            None => Job::Wasm(index),
        };
        let sig = wasm_call_signature(info.func_type(index), isa);
        declare(module, FuncKey::Wasm(index), Linkage::Local, sig)?;
        jobs.push(job);
    }
    for index in info.array_call_funcs() {
        declare(
            module,
            FuncKey::ArrayCall(index),
            Linkage::Local,
            array_call_signature(isa),
        )?;
        jobs.push(Job::ArrayCall(index));
    }
    if !init.escaping.is_empty() {
        let sig = trampolines::init_refs::init_signature(isa);
        declare(module, FuncKey::InitRefs, Linkage::Local, sig)?;
        jobs.push(Job::InitRefs);
    }
    if init.applied > 0 {
        let sig = trampolines::init_refs::init_signature(isa);
        declare(module, FuncKey::InitElems, Linkage::Local, sig)?;
        jobs.push(Job::InitElems);
    }
    for (i, libcall) in LIBCALLS.iter().enumerate() {
        let sig = native_signature(libcall.params, libcall.result, false, isa);
        declare(module, FuncKey::Libcall(i), Linkage::Import, sig)?;
    }
    let mut wasi: Vec<usize> = info
        .funcs
        .values()
        .filter_map(|f| match &f.import {
            Some(FuncImport::WasiP1(w)) => Some(*w),
            _ => None,
        })
        .collect();
    wasi.sort_unstable();
    wasi.dedup();
    for w in wasi {
        let host = &WASI_P1_FUNCS[w];
        let sig = native_signature(host.params, host.result, true, isa);
        declare(module, FuncKey::WasiP1(w), Linkage::Import, sig)?;
    }
    for (&func, &code) in linked {
        let imported = info
            .funcs
            .get(func)
            .is_some_and(|f| f.import == Some(FuncImport::Linked));
        assert!(
            imported,
            "internal: linked code for non-linked function {}",
            func.as_u32()
        );
        let sig = wasm_call_signature(info.func_type(func), isa);
        declare(module, FuncKey::Linked(code), Linkage::Local, sig)?;
    }
    for (&func, &code) in linked {
        ids.insert_linked(func, code);
    }
    Ok((ids, jobs))
}
