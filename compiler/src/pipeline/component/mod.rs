//! The component driver: a component's bytes -> ONE relocatable object,
//! following the contract of `kiln_abi::component::program` and the
//! trampoline contract at the top of `kiln_abi::component::canon`.
//!
//! Input: component bytes and the [`Config`]. Output: one object holding
//! - every core module of the plan, compiled by the module driver
//!   ([`super::emit_component_module`]) with `ImportPolicy::Linked` (every
//!   import a `VMContext` slot) into the module's own symbol namespace
//!   (`__kiln_m<N>_func_7`, a local `__kiln_m<N>_module` descriptor),
//!   sharing the libcall imports; calls of an import whose code the plan
//!   fixes (`crate::component::linked`) are direct calls of that code's
//!   symbol;
//! - one trampoline `__kiln_cm_tramp_<t>` per plan trampoline (CLIF from
//!   [`crate::trampolines::component`], compiled here in parallel), calling
//!   its runtime function: the undefined `__kiln_wasi_host_<i>` for a
//!   lowered WASI import (`i` = the function's index in the host list,
//!   `kiln_abi::wasi_p2::WASI_P2_FUNCS` then `WASI_P3_FUNCS`), the undefined
//!   `__kiln_cm_resource_{new,rep,drop}` for resource built-ins;
//! - the local `__kiln_component` descriptor with its arrays and the
//!   writable `CanonOpts` records ([`crate::obj::component`]);
//! - the exported `__kiln_program` (kind `PROGRAM_COMPONENT`) and
//!   `__kiln_grants`.
//!
//! Order of work: plan ([`crate::component::plan()`]); resolve every
//! trampoline and imported resource against the host list
//! (`crate::component::resolve`: an unknown or mistyped import fails here,
//! before any code is generated); translate each core module to a
//! `ModuleInfo`, check the trampoline-bound imports' types and resolve the
//! statically known code of linked imports (`crate::component::linked`);
//! compile each module (functions in parallel, modules one after another);
//! declare and compile the trampolines (in parallel); write the
//! descriptors. Invariant: the same input and config give byte-identical
//! output (everything is visited in index order, data objects are kept in
//! `BTreeMap`s).
//!
//! Rejected on the way (the plan accepts them): an async `canon lower` of a
//! WASI 0.2 function and a `realloc`/`post-return`/`callback`/destructor/
//! lifted function that is a canonical built-in rather than a core export
//! (`crate::component::resolve`).

#[cfg(test)]
mod tests;

use super::{Clock, code_relocs, codegen, emit_component_module, finish_object};
use crate::component::plan::{ComponentPlan, ModulePlan};
use crate::component::resolve::{self, HostApi, HostCallee, ResolvedTrampoline};
use crate::component::{self, linked};
use crate::key::{HostRef, Namespace, TrampolineIds, component_trampoline_symbol};
use crate::module::ModuleInfo;
use crate::obj::data::{DataObjects, StringPool, Target, object_error};
use crate::obj::symbols::DataKey;
use crate::obj::{self, component as descriptor};
use crate::trampolines::component as trampolines;
use crate::{CompileError, Config, ImportPolicy, Timings};
use cranelift_codegen::Context;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{FuncId, Linkage, Module, ModuleReloc};
use rayon::prelude::*;
use std::time::Instant;

/// Compiles component `wasm` into one relocatable object.
pub fn compile_component(wasm: &[u8], config: &Config) -> Result<Vec<u8>, CompileError> {
    compile_component_timed(wasm, config).map(|(object, _)| object)
}

/// [`compile_component`], also reporting where the time went (summed over
/// the component's core modules).
pub fn compile_component_timed(
    wasm: &[u8],
    config: &Config,
) -> Result<(Vec<u8>, Timings), CompileError> {
    let start = Instant::now();
    let mut timings = Timings::default();
    let plan = component::plan(wasm, config)?;
    let object = emit_component(&plan, wasm, config, &HostApi::WASI_P2, &mut timings)?;
    timings.total = start.elapsed();
    Ok((object, timings))
}

/// Emits the object of `plan` (the plan of `wasm`), resolving lowered
/// imports against `host`.
pub fn emit_component(
    plan: &ComponentPlan,
    wasm: &[u8],
    config: &Config,
    host: &HostApi,
    timings: &mut Timings,
) -> Result<Vec<u8>, CompileError> {
    let tramps = resolve::resolve_trampolines(plan, host)?;
    let host_resources = resolve::resolve_resources(plan, host)?;

    let mut module_config = config.clone();
    module_config.imports = ImportPolicy::Linked;
    let mut infos: Vec<ModuleInfo> = Vec::with_capacity(plan.modules.len());
    for (m, p) in plan.modules.iter() {
        let bytes = module_bytes(wasm, p, m.as_u32())?;
        // Phase 1 sets (not adds) its times: sum them over the modules.
        let mut phase1 = Timings::default();
        let mut info =
            crate::module::translate_component_module_timed(bytes, &module_config, &mut phase1)?;
        info.coded_traps = p.traps.iter().copied().collect();
        infos.push(info);
        timings.module += phase1.module;
        timings.validate_bodies += phase1.validate_bodies;
    }
    resolve::check_trampoline_imports(plan, &infos, &tramps)?;
    let linked = linked::resolve_linked_imports(plan, &infos, &tramps)?;

    let mut clock = Clock::start();
    let isa = crate::isa::build_codegen_isa(config)?;
    let mut object = obj::new_object(&isa.plain)?;
    let tier = super::tiers::Tier::new(config, &*isa, &mut object)?;
    let mut text = obj::TextCursor::default();
    timings.declare += clock.lap();
    let mut module_descs = Vec::with_capacity(infos.len());
    let mut rel = obj::data::RelRelocs::new();
    let mut names = obj::names::FuncNames::default();
    for (((m, p), info), linked) in plan.modules.iter().zip(&infos).zip(&linked) {
        let bytes = module_bytes(wasm, p, m.as_u32())?;
        module_descs.push(emit_component_module(
            &mut object,
            &mut text,
            &isa,
            info,
            bytes,
            m.as_u32(),
            u32::try_from(p.range.start)
                .map_err(|_| CompileError::ImplLimit("component larger than 4 GiB"))?,
            p.generated.is_some(),
            linked,
            config,
            tier.as_ref(),
            timings,
            &mut rel,
            &mut names,
        )?);
    }

    // Trampolines: declared after every module, so module symbols keep the
    // ids and order they have alone (except for trampolines a module calls
    // directly, which that module declares first: same name and signature,
    // so the same id).
    let mut tramp_ids = Vec::with_capacity(tramps.len());
    for (t, tramp) in tramps.iter().enumerate() {
        let index =
            u32::try_from(t).map_err(|_| CompileError::ImplLimit("too many trampolines"))?;
        let code = object
            .declare_function(
                &component_trampoline_symbol(index),
                Linkage::Local,
                &trampolines::trampoline_signature(tramp, &*isa),
            )
            .map_err(object_error)?;
        let host_name = match tramp.host {
            HostCallee::Symbol(name) => name.to_string(),
            HostCallee::Wasi(index) => kiln_abi::symbols::wasi_host_symbol(index),
        };
        let host = HostRef::Func(
            object
                .declare_function(
                    &host_name,
                    Linkage::Import,
                    &trampolines::host_signature(&*isa),
                )
                .map_err(object_error)?,
        );
        tramp_ids.push(TrampolineIds { code, host });
    }
    timings.declare += clock.lap();
    let compiled = compile_trampolines(&tramps, &tramp_ids, &*isa)?;
    timings.compile += clock.lap();
    for (c, ids) in compiled.iter().zip(&tramp_ids) {
        text.define(&mut object, ids.code, c.alignment, &c.bytes, &c.relocs)?;
    }
    timings.define_funcs += clock.lap();

    let mut objects = DataObjects::new(Namespace::Program);
    let mut strings = StringPool::new(obj::descriptor::strings_key());
    let input = descriptor::ComponentInput {
        plan,
        infos: &infos,
        module_descs: &module_descs,
        tramps: &tramps,
        tramp_ids: &tramp_ids,
        host_resources: &host_resources,
    };
    let serve = descriptor::emit_component_descriptor(&input, &mut objects, &mut strings)?;
    // Only a component with a request handler links the HTTP server.
    let runner = if serve == kiln_abi::component::program::SERVE_NONE {
        kiln_abi::symbols::RUN_COMPONENT
    } else {
        kiln_abi::symbols::RUN_COMPONENT_SERVER
    };
    if !config.omit_grants {
        obj::grants::emit_grants(&config.grants, config.checks(), &mut objects, &mut strings);
    }
    obj::program::emit_program(
        kiln_abi::component::program::PROGRAM_COMPONENT,
        runner,
        Target::Data(DataKey::Component),
        crate::isa::cpu_feature_bits(&*isa),
        super::tiers::program_tier(tier.as_ref(), timings),
        obj::declare_code_markers(&mut object)?,
        &mut objects,
    );
    strings.finish(&mut objects);
    timings.descriptors += clock.lap();
    objects.define_all(&mut object, &mut rel)?;
    finish_object(object, &rel, &names, &mut clock, timings)
}

/// The bytes of static module `index`: a range of the component, or the
/// module Kiln generated.
fn module_bytes<'w>(
    wasm: &'w [u8],
    p: &'w ModulePlan,
    index: u32,
) -> Result<&'w [u8], CompileError> {
    if let Some(bytes) = &p.generated {
        return Ok(bytes);
    }
    wasm.get(p.range.clone())
        .ok_or_else(|| CompileError::Invalid {
            offset: 0,
            message: format!("core module {index} lies outside the component"),
        })
}

/// One compiled trampoline.
pub struct CompiledTrampoline {
    /// Machine code.
    pub bytes: Vec<u8>,
    /// Required alignment of the code.
    pub alignment: u64,
    /// Relocations, ready for `define_function_bytes`.
    pub relocs: Vec<ModuleReloc>,
}

/// Compiles every trampoline, in parallel; results in order. The error
/// reported is the first failing trampoline's.
pub fn compile_trampolines(
    tramps: &[ResolvedTrampoline],
    ids: &[TrampolineIds],
    isa: &dyn TargetIsa,
) -> Result<Vec<CompiledTrampoline>, CompileError> {
    let results: Vec<Result<CompiledTrampoline, CompileError>> = tramps
        .par_iter()
        .zip(ids.par_iter())
        .enumerate()
        .map_init(
            || (FunctionBuilderContext::new(), Context::new()),
            |(builder_ctx, ctx), (i, (t, ids))| {
                let index = u32::try_from(i).expect("trampoline count fits u32");
                ctx.clear();
                ctx.func = trampolines::build(index, t, *ids, isa, builder_ctx);
                compile(ctx, index, ids.code, isa)
            },
        )
        .collect();
    results.into_iter().collect()
}

fn compile(
    ctx: &mut Context,
    index: u32,
    id: FuncId,
    isa: &dyn TargetIsa,
) -> Result<CompiledTrampoline, CompileError> {
    codegen(
        ctx,
        isa,
        &mut ControlPlane::default(),
        index,
        format_args!("(component trampoline {index}) "),
    )?;
    let relocs = code_relocs(ctx, id);
    let code = ctx
        .compiled_code()
        .expect("compile succeeded, so code exists");
    let buffer = &code.buffer;
    Ok(CompiledTrampoline {
        bytes: buffer.data().to_vec(),
        alignment: u64::from(buffer.alignment),
        relocs,
    })
}
