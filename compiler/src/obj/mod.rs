//! Phase 3: compiled functions and module facts -> one relocatable object.
//!
//! Inputs: the [`ModuleInfo`], the wasm bytes and the [`Config`]. Output:
//! the bytes of one relocatable object (ELF on Linux) holding:
//! - local function symbols: `__kiln_func_N` (defined wasm functions),
//!   `__kiln_host_call_N` (imported WASI functions), `__kiln_array_call_N`
//!   (exported functions and the start function);
//! - the exported data symbols `__kiln_module` ([`descriptor`]),
//!   `__kiln_grants` ([`grants`]) and `__kiln_program` ([`program`], kind
//!   `PROGRAM_MODULE`, pointing at `__kiln_module`), with local arrays
//!   `__kiln_desc_*` and memory images `__kiln_image_N` ([`image`]);
//! - undefined references to `__kiln_abi_v<N>`, every `__kiln_rt_<libcall>`
//!   and the `__kiln_p1_<name>` functions the module imports.
//!
//! A component's core modules go through the same code into one shared
//! [`ObjectModule`] ([`emit_component_module`]): module `N`'s symbols are in
//! [`Namespace::ComponentModule`] (`__kiln_m<N>_func_7`, a local
//! `__kiln_m<N>_module`), and the libcall imports are shared (declaring the
//! same import twice yields the same symbol). The component's own data
//! (`__kiln_component`, `__kiln_program`, `__kiln_grants`) is written by
//! `crate::component::emit` with this module's data machinery.
//!
//! Order of work: declare every function (deterministic order) and record
//! the ids in [`DeclaredFuncs`] before any translation; compile in parallel
//! ([`compile`]); define functions sequentially in index order; write the
//! descriptors. Invariant: the same input and config give byte-identical
//! output.

mod compile;
pub(crate) mod data;
pub(crate) mod descriptor;
mod exceptions;
pub(crate) mod grants;
mod image;
pub(crate) mod program;
pub mod symbols;
mod traps;

#[cfg(test)]
mod tests;

pub(crate) use compile::{code_relocs, codegen};
pub use image::{IMAGE_SECTION, OS_PAGE_SIZE};

use crate::func::ModuleEnv;
use crate::func::sig::{array_call_signature, native_signature, wasm_call_signature};
use crate::module::{FuncImport, ModuleInfo};
use crate::{CompileError, Config, Timings};
use compile::Job;
use cranelift_codegen::isa::TargetIsa;
use cranelift_module::{DataId, Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule};
use data::{DataObjects, StringPool, Target, object_error};
use kiln_abi::libcalls::LIBCALLS;
use kiln_abi::vmctx::VMOffsets;
use kiln_abi::wasi_p1::WASI_P1_FUNCS;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use symbols::{DataKey, DeclaredFuncs, FuncKey, LinkedCode, Namespace};

/// Compiles every function of `info` and writes the object.
pub fn emit_module(
    info: &ModuleInfo,
    wasm: &[u8],
    config: &Config,
) -> Result<Vec<u8>, CompileError> {
    emit_module_timed(info, wasm, config, &mut Timings::default())
}

/// [`emit_module`], recording its phases in `timings`.
pub fn emit_module_timed(
    info: &ModuleInfo,
    wasm: &[u8],
    config: &Config,
    timings: &mut Timings,
) -> Result<Vec<u8>, CompileError> {
    let mut clock = Clock::start();
    let isa = crate::isa::build_isa(config)?;
    let mut module = new_object(&isa)?;
    let mut objects = DataObjects::new(Namespace::Program);
    let mut strings = StringPool::new(descriptor::strings_key());
    let input = ModuleInput {
        info,
        wasm,
        ns: Namespace::Program,
        wasm_base: 0,
        linked: &BTreeMap::new(),
    };
    emit_module_into(
        &mut module,
        &*isa,
        &input,
        &mut objects,
        &mut strings,
        &mut clock,
        timings,
    )?;
    grants::emit_grants(&config.grants, &mut objects, &mut strings);
    program::emit_program(
        kiln_abi::component::program::PROGRAM_MODULE,
        Target::Data(DataKey::Module),
        &mut objects,
    );
    strings.finish(&mut objects);
    timings.descriptors += clock.lap();
    objects.define_all(&mut module)?;
    finish_object(module, &mut clock, timings)
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
    isa: &dyn TargetIsa,
    info: &ModuleInfo,
    wasm: &[u8],
    index: u32,
    wasm_base: u32,
    linked: &BTreeMap<u32, LinkedCode>,
    timings: &mut Timings,
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
    };
    emit_module_into(
        module,
        isa,
        &input,
        &mut objects,
        &mut strings,
        &mut clock,
        timings,
    )?;
    strings.finish(&mut objects);
    timings.descriptors += clock.lap();
    let ids = objects.define_all(module)?;
    timings.object += clock.lap();
    Ok(*ids
        .get(&DataKey::Module)
        .expect("the module descriptor is never empty"))
}

/// A fresh object for `isa`.
pub(crate) fn new_object(isa: &Arc<dyn TargetIsa>) -> Result<ObjectModule, CompileError> {
    let builder = ObjectBuilder::new(
        isa.clone(),
        "kiln-module",
        cranelift_module::default_libcall_names(),
    )
    .map_err(object_error)?;
    Ok(ObjectModule::new(builder))
}

/// Writes the object file's bytes.
pub(crate) fn finish_object(
    module: ObjectModule,
    clock: &mut Clock,
    timings: &mut Timings,
) -> Result<Vec<u8>, CompileError> {
    let object = module
        .finish()
        .emit()
        .map_err(|e| CompileError::Object(e.to_string()))?;
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
    /// Offset of `wasm` in the file the user compiled (a component's core
    /// module starts inside it): added to every wasm offset in the
    /// descriptor, so backtraces show file offsets as wasmtime does.
    wasm_base: u32,
    /// Linked imports called directly: function index -> their code.
    linked: &'a BTreeMap<u32, LinkedCode>,
}

/// Declares, compiles and defines every function of `input` in `module`, and
/// writes its descriptor and images into `objects`/`strings` (not yet
/// defined). Phases add to `timings`.
fn emit_module_into(
    module: &mut ObjectModule,
    isa: &dyn TargetIsa,
    input: &ModuleInput<'_>,
    objects: &mut DataObjects,
    strings: &mut StringPool,
    clock: &mut Clock,
    timings: &mut Timings,
) -> Result<(), CompileError> {
    let info = input.info;
    let (ids, jobs) = declare_functions(module, info, isa, input.ns, input.linked)?;
    let offsets = VMOffsets::new(isa.pointer_bytes(), info.vm_counts());
    let env = ModuleEnv {
        info,
        wasm: input.wasm,
        offsets,
        isa,
        ids: &ids,
    };
    timings.declare += clock.lap();
    let compiled = compile::compile_all(&env, &jobs)?;
    timings.compile += clock.lap();
    for f in &compiled {
        timings.translate_cpu += f.translate_time;
        timings.codegen_cpu += f.codegen_time;
        timings.linked_calls_direct += f.linked_calls.direct;
        timings.linked_calls_indirect += f.linked_calls.indirect;
        if let Job::Wasm(index) = f.job {
            timings.functions += 1;
            let time = f.translate_time + f.codegen_time;
            if timings.slowest_function.is_none_or(|(_, t)| time > t) {
                timings.slowest_function = Some((index, time));
            }
        }
    }
    for f in &compiled {
        module
            .define_function_bytes(f.id, f.alignment, &f.bytes, &f.relocs)
            .map_err(object_error)?;
    }
    timings.define_funcs += clock.lap();

    let images = image::plan_images(info, input.wasm);
    let desc = descriptor::DescriptorInput {
        info,
        wasm: input.wasm,
        ids: &ids,
        compiled: &compiled,
        images: &images,
        vmctx_size: offsets.size(),
        wasm_base: input.wasm_base,
    };
    descriptor::emit_descriptor(&desc, objects, strings);
    image::emit_images(images.images, objects);
    Ok(())
}

/// Declares every function the object defines or calls, in a fixed order:
/// wasm functions (host-call trampolines for imports) by index, array-call
/// trampolines by index, all libcalls, the imported WASI functions by
/// their index in the WASI list, then the code of `linked` imports by
/// function index. Returns the ids and the compile jobs (in definition
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
    linked: &BTreeMap<u32, LinkedCode>,
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

    for (i, f) in info.funcs.iter().enumerate() {
        let index = u32::try_from(i).map_err(|_| CompileError::ImplLimit("too many functions"))?;
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
    for (i, libcall) in LIBCALLS.iter().enumerate() {
        let sig = native_signature(libcall.params, libcall.result, false, isa);
        declare(module, FuncKey::Libcall(i), Linkage::Import, sig)?;
    }
    let mut wasi: Vec<usize> = info
        .funcs
        .iter()
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
            .get(func as usize)
            .is_some_and(|f| f.import == Some(FuncImport::Linked));
        assert!(
            imported,
            "internal: linked code for non-linked function {func}"
        );
        let sig = wasm_call_signature(info.func_type(func), isa);
        declare(module, FuncKey::Linked(code), Linkage::Local, sig)?;
    }
    for (&func, &code) in linked {
        ids.insert_linked(func, code);
    }
    Ok((ids, jobs))
}
