//! Code tiers: the functions that gain most from x86_64 features beyond
//! Kiln's portable baseline, compiled a second time for them and chosen
//! once per process.
//!
//! Driver, phase 2; x86_64 with the default `--cpu` only
//! ([`Tier::new`]). Why: the baseline (x86-64-v2) keeps
//! executables running on any x86_64 CPU of the last fifteen years, but
//! some code runs much slower on it than on the CPUs nearly everyone has
//! now. A rotate there overwrites its operand, so a value rotated three
//! ways (SHA-256's sigma functions, BLAKE3's mixing) costs a `mov` per
//! rotate that BMI2's `rorx` does without; `clz` and `ctz` take three
//! instructions where LZCNT and TZCNT take one; `x & !y` two where ANDN
//! takes one. A JIT such as Wasmtime compiles for the host's features, so
//! on such code the baseline alone loses to it (the SHA-256 kernel ran at
//! 1.05-1.12x Wasmtime's time).
//!
//! Input: a wasm function's CLIF after inlining ([`benefits`] decides from
//! it) and the two bodies Cranelift made of it, one for each ISA. Output:
//! one body ([`combine`]):
//!
//! ```text
//! 0:      cmpb $0, __kiln_tier_flag(%rip)   ; set by the runtime at start-up
//!         jne  second
//!         nop ...                            ; up to `first`'s alignment
//! first:  the baseline body
//! second: the second tier's body
//! ```
//!
//! Invariants: both bodies come from the same CLIF, so they compute the
//! same results, trap at the same wasm instructions and make the same
//! calls. The stub neither touches the stack nor traps, so a frame's code
//! is always in one of the two bodies, and the function's trap, source and
//! call-site tables are theirs, shifted: the runtime sees one function
//! covering both. The runtime sets the flag before any compiled code runs
//! (`ProgramDescriptor::tier_flag`), so a process never mixes the tiers.

use super::compile::Body;
use crate::isa::CodegenIsa;
use cranelift_codegen::Context;
use cranelift_codegen::binemit::Reloc;
use cranelift_codegen::ir::{Block, Function, Opcode};
use cranelift_codegen::isa::TargetIsa;
use cranelift_module::{DataId, FuncId, ModuleReloc, ModuleRelocTarget};
use cranelift_object::ObjectModule;
use target_lexicon::Architecture;

/// The second tier of a compile: its ISA and the flag byte that selects
/// it.
pub(crate) struct Tier {
    /// What the second bodies are compiled for.
    pub isa: CodegenIsa,
    /// The object's `__kiln_tier_flag`.
    pub flag: DataId,
}

impl Tier {
    /// The second tier of a compile for `config`, whose own ISA is `base`,
    /// with its flag defined in `module`: x86-64-v3 for the default CPU on
    /// x86_64 when optimizing for speed, else none.
    pub(crate) fn new(
        config: &crate::Config,
        base: &dyn TargetIsa,
        module: &mut ObjectModule,
    ) -> Result<Option<Tier>, crate::CompileError> {
        if config.cpu != crate::CpuSpec::Baseline
            || config.opt_level != crate::OptLevel::Speed
            || base.triple().architecture != Architecture::X86_64
        {
            return Ok(None);
        }
        let isa = crate::isa::build_codegen_isa(&crate::Config {
            cpu: crate::CpuSpec::X86Level(3),
            ..config.clone()
        })?;
        let flag = crate::obj::define_tier_flag(module)?;
        Ok(Some(Tier { isa, flag }))
    }
}

/// The local data symbol of the tier flag (one byte, writable).
pub(crate) const TIER_FLAG_SYMBOL: &str = "__kiln_tier_flag";

/// The program descriptor's tier (its features and flag) after a compile
/// with `tier` that recorded `timings`: none when no function got a second
/// body, so the runtime does not look for the features.
pub(crate) fn program_tier(tier: Option<&Tier>, timings: &crate::Timings) -> Option<(u64, DataId)> {
    let tier = tier?;
    (timings.tiered_functions > 0).then(|| (crate::isa::cpu_feature_bits(&*tier.isa), tier.flag))
}

/// Candidate instructions inside loops that make a function worth a second
/// body.
const MIN_IN_LOOPS: usize = 4;
/// Candidate instructions anywhere that make it worth one: straight-line
/// hashing (a compression function with its rounds unrolled) has no loop
/// of its own but runs in its caller's.
const MIN_TOTAL: usize = 24;

/// Whether the function in `ctx` gains enough from the second tier to be
/// compiled twice: it has at least [`MIN_IN_LOOPS`] scalar rotates or bit
/// counts in loops, or [`MIN_TOTAL`] anywhere. Most functions
/// have none, so the loop analysis runs only for the few that do.
pub(crate) fn benefits(ctx: &mut Context) -> bool {
    let total: usize = ctx
        .func
        .layout
        .blocks()
        .map(|b| candidates(&ctx.func, b))
        .sum();
    if total < MIN_IN_LOOPS {
        return false;
    }
    if total >= MIN_TOTAL {
        return true;
    }
    ctx.compute_cfg();
    ctx.compute_domtree();
    ctx.compute_loop_analysis();
    let in_loops: usize = ctx
        .func
        .layout
        .blocks()
        .filter(|&b| ctx.loop_analysis.innermost_loop(b).is_some())
        .map(|b| candidates(&ctx.func, b))
        .sum();
    in_loops >= MIN_IN_LOOPS
}

/// The scalar rotates and bit counts in `block`.
fn candidates(func: &Function, block: Block) -> usize {
    func.layout
        .block_insts(block)
        .filter(|&inst| {
            matches!(
                func.dfg.insts[inst].opcode(),
                Opcode::Rotl | Opcode::Rotr | Opcode::Clz | Opcode::Ctz
            ) && func.dfg.ctrl_typevar(inst).is_int()
        })
        .count()
}

/// Length of the dispatch stub before its padding: `cmpb $0, rel32(%rip)`
/// (7 bytes) and `jne rel32` (6).
const STUB_LEN: u32 = 13;

/// One function of `base` (the baseline's body) and `second` (the second
/// tier's), laid out as the module comment shows; `flag` is the tier flag,
/// `id` the function's own id (relocations to offsets in it move with
/// their body).
pub(crate) fn combine(base: Body, second: Body, flag: DataId, id: FuncId) -> Body {
    let align = base.min_alignment.max(second.min_alignment).max(1);
    // Each body at a 16-byte boundary at least (instruction fetch), and at
    // the alignment its constants need.
    let step = align.max(16) as u32;
    let first_at = STUB_LEN.next_multiple_of(step);
    let base_len = u32::try_from(base.bytes.len()).expect("a function is under 4 GiB");
    let second_at = (first_at + base_len).next_multiple_of(step);

    let mut bytes = Vec::with_capacity(second_at as usize + second.bytes.len());
    // cmpb $0, rel32(%rip): the displacement is the relocation's.
    bytes.extend_from_slice(&[0x80, 0x3d, 0, 0, 0, 0, 0x00]);
    // jne rel32, relative to the end of the stub.
    bytes.extend_from_slice(&[0x0f, 0x85]);
    bytes.extend_from_slice(&(second_at - STUB_LEN).to_le_bytes());
    push_nops(&mut bytes, (first_at - STUB_LEN) as usize);
    bytes.extend_from_slice(&base.bytes);
    bytes.resize(second_at as usize, 0xcc);
    bytes.extend_from_slice(&second.bytes);

    let mut relocs = Vec::with_capacity(1 + base.relocs.len() + second.relocs.len());
    relocs.push(ModuleReloc {
        offset: 2,
        kind: Reloc::X86PCRel4,
        name: ModuleRelocTarget::from(flag),
        // The displacement counts from the end of the instruction, five
        // bytes after the field (four of it and the immediate).
        addend: -5,
    });
    for (body, at) in [(&base, first_at), (&second, second_at)] {
        relocs.extend(body.relocs.iter().map(|r| {
            let mut r = r.clone();
            r.offset += at;
            if let ModuleRelocTarget::FunctionOffset(f, off) = &mut r.name
                && *f == id
            {
                *off += at;
            }
            r
        }));
    }

    let mut out = Body {
        bytes,
        min_alignment: align,
        loops: Vec::new(),
        relocs,
        traps: Vec::new(),
        srclocs: Vec::new(),
        call_sites: Vec::new(),
    };
    // The second tier's loops first: on the CPUs most programs meet, they
    // are the ones that run, and placement breaks ties on the first loop.
    for (body, at) in [(&second, second_at), (&base, first_at)] {
        out.loops
            .extend(body.loops.iter().map(|l| crate::obj::HotLoop {
                head: l.head + at,
                ranges: l.ranges.iter().map(|&(a, b)| (a + at, b + at)).collect(),
            }));
    }
    for (body, at) in [(&base, first_at), (&second, second_at)] {
        out.traps
            .extend(body.traps.iter().map(|t| kiln_abi::tables::TrapSite {
                offset: t.offset + at,
                code: t.code,
            }));
        out.srclocs
            .extend(body.srclocs.iter().map(|l| kiln_abi::tables::SrcLoc {
                native_offset: l.native_offset + at,
                wasm_offset: l.wasm_offset,
            }));
        out.call_sites.extend(body.call_sites.iter().map(|c| {
            crate::obj::exceptions::CallSiteEntry {
                ret_offset: c.ret_offset + at,
                frame_offset: c.frame_offset,
                context_offset: c.context_offset,
                handlers: c.handlers.iter().map(|&(tag, h)| (tag, h + at)).collect(),
            }
        }));
    }
    out
}

/// Appends `n` bytes of the recommended multi-byte `nop`s.
fn push_nops(out: &mut Vec<u8>, mut n: usize) {
    const NOPS: [&[u8]; 9] = [
        &[0x90],
        &[0x66, 0x90],
        &[0x0f, 0x1f, 0x00],
        &[0x0f, 0x1f, 0x40, 0x00],
        &[0x0f, 0x1f, 0x44, 0x00, 0x00],
        &[0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
        &[0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
        &[0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        &[0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    ];
    while n > 0 {
        let k = n.min(NOPS.len());
        out.extend_from_slice(NOPS[k - 1]);
        n -= k;
    }
}

#[cfg(test)]
#[path = "tiers_tests.rs"]
mod tests;
