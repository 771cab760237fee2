//! Parallel compilation of every function a core module's object defines.
//!
//! Driver, phase 2. Input: the [`ModuleEnv`] (with every function already
//! declared), the list of [`Job`]s and what the module's initializers
//! cover ([`Plan`]). Output: one [`CompiledFunc`] per job
//! (machine code, relocations, trap and source tables: what object emission
//! takes) and its [`FuncStats`], in job order. Each rayon worker owns one
//! [`FuncTranslator`], one `FunctionBuilderContext` (trampolines) and one
//! Cranelift [`Context`], all reused. Invariants: results are collected by
//! index, and the error reported is the first failing job's, so output and
//! errors do not depend on scheduling.

use super::inline::Callees;
use super::tiers::Tier;
use super::traps::{lookup_offsets, needed_src_map, src_map, trap_table};
use crate::func::ModuleEnv;
use crate::func::translator::{FuncTranslator, LinkedCalls};
use crate::isa::CodegenIsa;
use crate::key::Job;
use crate::obj::CompiledFunc;
use crate::obj::exceptions::call_site_table;
use crate::trampolines::init_refs::Plan;
use crate::{CompileError, trampolines};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir;
use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::{CodegenError, Context};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{FuncId, ModuleReloc};
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// What compiling one function cost, for [`crate::Timings`].
#[derive(Copy, Clone, Debug, Default)]
pub struct FuncStats {
    /// Calls of linked imports it makes (wasm functions only).
    pub linked_calls: LinkedCalls,
    /// Time spent building the CLIF.
    pub translate_time: Duration,
    /// Time spent in Cranelift.
    pub codegen_time: Duration,
    /// Whether it was compiled for the second tier too.
    pub tiered: bool,
    /// Whether it was compiled with its block layout (for loop placement).
    pub laid_out: bool,
}

/// One compiled body of a function: what a [`CompiledFunc`] holds besides
/// its identity (one body, or two combined by [`super::tiers::combine`]).
pub(crate) struct Body {
    /// Machine code.
    pub bytes: Vec<u8>,
    /// Alignment the code cannot do without.
    pub min_alignment: u64,
    /// Innermost loops.
    pub loops: Vec<crate::obj::HotLoop>,
    /// Relocations.
    pub relocs: Vec<ModuleReloc>,
    /// Trap sites, sorted by offset.
    pub traps: Vec<kiln_abi::tables::TrapSite>,
    /// Source map, sorted by native offset.
    pub srclocs: Vec<kiln_abi::tables::SrcLoc>,
    /// Calls with exception handlers, sorted by return offset.
    pub call_sites: Vec<crate::obj::exceptions::CallSiteEntry>,
}

/// Compiles `jobs` in parallel; results in job order.
/// Each finished job counts in `progress`.
pub fn compile_all(
    env: &ModuleEnv<'_>,
    isa: &CodegenIsa,
    jobs: &[Job],
    init: &Plan,
    inline: bool,
    tier: Option<&Tier>,
    progress: &crate::Progress,
) -> Result<(Vec<CompiledFunc>, Vec<FuncStats>), CompileError> {
    progress.add_total(jobs.len());
    let callees = Callees::translate(env, jobs, inline)?;
    let results: Vec<Result<(CompiledFunc, FuncStats), CompileError>> = jobs
        .par_iter()
        .map_init(Worker::new, |worker, job| {
            let r = worker.compile(env, isa, &callees, init, tier, *job);
            progress.add_done(1);
            r
        })
        .collect();
    let compiled: Vec<(CompiledFunc, FuncStats)> = results.into_iter().collect::<Result<_, _>>()?;
    Ok(compiled.into_iter().unzip())
}

/// Per-thread reusable state.
struct Worker {
    translator: FuncTranslator,
    builder_ctx: FunctionBuilderContext,
    ctx: Context,
    ctrl_plane: ControlPlane,
}

impl Worker {
    fn new() -> Self {
        Worker {
            translator: FuncTranslator::new(),
            builder_ctx: FunctionBuilderContext::new(),
            ctx: Context::new(),
            ctrl_plane: ControlPlane::default(),
        }
    }

    fn compile(
        &mut self,
        env: &ModuleEnv<'_>,
        isa: &CodegenIsa,
        callees: &Callees,
        init: &Plan,
        tier: Option<&Tier>,
        job: Job,
    ) -> Result<(CompiledFunc, FuncStats), CompileError> {
        let start = Instant::now();
        let func = self.build(env, init, job)?;
        let linked_calls = match job {
            Job::Wasm(_) => self.translator.linked_calls(),
            _ => LinkedCalls::default(),
        };
        let translate_time = start.elapsed();
        let start = Instant::now();
        let id = env.ids.id(job.key());
        let index = job
            .func_index()
            .map_or(kiln_abi::descriptor::NO_INDEX, |i| i.as_u32());
        self.ctx.clear();
        self.ctx.func = func;
        let inlined = match job {
            Job::Wasm(i) => callees.inline_into(&mut self.ctx, i)?,
            _ => Vec::new(),
        };
        // The second tier compiles the same CLIF (after inlining), so both
        // bodies compute the same results and trap at the same places.
        let tier =
            tier.filter(|_| matches!(job, Job::Wasm(_)) && super::tiers::benefits(&mut self.ctx));
        let tier_src = tier.map(|_| self.ctx.func.clone());
        let layout = matches!(job, Job::Wasm(_)) && super::loops::wants_layout(&self.ctx.func);
        codegen(
            &mut self.ctx,
            isa.pick(layout),
            &mut self.ctrl_plane,
            index,
            job.what(),
        )?;
        let mut body = self.body(job, index, id)?;
        if let (Some(tier), Some(src)) = (tier, tier_src) {
            self.ctx.clear();
            self.ctx.func = src;
            codegen(
                &mut self.ctx,
                tier.isa.pick(layout),
                &mut self.ctrl_plane,
                index,
                job.what(),
            )?;
            let second = self.body(job, index, id)?;
            body = super::tiers::combine(body, second, tier.flag, id);
        }
        let compiled = CompiledFunc {
            job,
            id,
            // Wasm functions at the ISA's preferred alignment (32 bytes on
            // x86-64, as Wasmtime places them): at byte alignment a hot
            // loop's position in its cache lines is left to chance (the
            // interpreter kernel ran 1.9x slower placed so).
            alignment: match job {
                Job::Wasm(_) => body
                    .min_alignment
                    .max(u64::from(env.isa.function_alignment().preferred)),
                _ => body.min_alignment,
            },
            min_alignment: body.min_alignment,
            bytes: body.bytes,
            loops: body.loops,
            relocs: body.relocs,
            traps: body.traps,
            srclocs: body.srclocs,
            inlined,
            call_sites: body.call_sites,
        };
        let stats = FuncStats {
            linked_calls,
            translate_time,
            codegen_time: start.elapsed(),
            tiered: tier.is_some(),
            laid_out: layout,
        };
        Ok((compiled, stats))
    }

    /// The code and tables of what [`codegen`] just compiled in `self.ctx`:
    /// function `index` (of `job`, declared as `id`).
    fn body(&self, job: Job, index: u32, id: FuncId) -> Result<Body, CompileError> {
        let relocs = code_relocs(&self.ctx, id);
        let code = self
            .ctx
            .compiled_code()
            .expect("compile succeeded, so code exists");
        let buffer = &code.buffer;
        let traps = trap_table(index, buffer.traps())?;
        let call_sites = call_site_table(index, buffer)?;
        // Only wasm functions map back to wasm code; trampolines would only
        // carry the callee's source locations, if any.
        let srclocs = match job {
            Job::Wasm(_) => {
                let map = src_map(buffer.get_srclocs_sorted(), buffer.data().len() as u32);
                let lookups = lookup_offsets(&traps, buffer.call_sites().map(|c| c.ret_addr));
                needed_src_map(&map, &lookups)
            }
            _ => Vec::new(),
        };
        Ok(Body {
            bytes: buffer.data().to_vec(),
            min_alignment: u64::from(buffer.alignment),
            loops: match job {
                Job::Wasm(_) => super::loops::innermost_loops(
                    &code.bb_starts,
                    &code.bb_edges,
                    buffer.data().len() as u32,
                ),
                _ => Vec::new(),
            },
            relocs,
            traps,
            srclocs,
            call_sites,
        })
    }

    fn build(
        &mut self,
        env: &ModuleEnv<'_>,
        init: &Plan,
        job: Job,
    ) -> Result<ir::Function, CompileError> {
        Ok(match job {
            Job::Wasm(i) => self.translator.translate(env, i)?,
            Job::HostCall { func, wasi } => trampolines::host_call(
                env.info,
                func,
                wasi,
                env.isa,
                env.ids,
                &mut self.builder_ctx,
            ),
            Job::ArrayCall(i) => {
                trampolines::array_call(env.info, i, env.isa, env.ids, &mut self.builder_ctx)
            }
            Job::InitRefs => trampolines::init_refs::build_refs(
                env.info,
                &init.escaping,
                &env.offsets,
                env.isa,
                env.ids,
                &mut self.builder_ctx,
            ),
            Job::InitElems => trampolines::init_refs::build_elems(
                env.info,
                init.applied,
                &env.offsets,
                env.isa,
                &mut self.builder_ctx,
            ),
        })
    }
}

/// Runs Cranelift on `ctx.func` (function `func`, for errors). A failure
/// becomes a [`CompileError::Codegen`] whose message starts with `what`:
/// verifier errors come annotated on the CLIF; others get the CLIF appended.
pub(crate) fn codegen(
    ctx: &mut Context,
    isa: &dyn TargetIsa,
    ctrl_plane: &mut ControlPlane,
    func: u32,
    what: impl std::fmt::Display,
) -> Result<(), CompileError> {
    if let Err(e) = ctx.compile(isa, ctrl_plane) {
        let message = match e.inner {
            CodegenError::Verifier(_) => {
                cranelift_codegen::print_errors::pretty_error(e.func, e.inner)
            }
            other => format!("{other}\n{}", e.func.display()),
        };
        return Err(CompileError::Codegen {
            func,
            message: format!("{what}{message}"),
        });
    }
    Ok(())
}

/// The relocations of the code [`codegen`] compiled in `ctx`, as those of
/// function `id`.
pub(crate) fn code_relocs(ctx: &Context, id: FuncId) -> Vec<ModuleReloc> {
    let code = ctx
        .compiled_code()
        .expect("compile succeeded, so code exists");
    code.buffer
        .relocs()
        .iter()
        .map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, id))
        .collect()
}
