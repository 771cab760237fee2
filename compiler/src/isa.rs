//! The Cranelift `TargetIsa` for a [`crate::Config`].
//!
//! Input: the config's target triple, optimization level, CPU spec and
//! verifier switch. Output: an [`OwnedTargetIsa`]. Invariants: the flags are
//! the ones the runtime relies on: frame pointers kept (backtraces walk
//! them), position-independent code (ELF: PIE executables, reaching other
//! objects' symbols through the GOT; COFF has no GOT, so there every call
//! and address into the runtime is PC-relative instead, see
//! [`runtime_calls_are_near`]), no unwind tables and
//! no stack probes (the stack limit is checked in prologues through
//! `vmctx.stack_limit`). The baseline CPU is fixed (x86-64-v2), never the
//! build machine's, so outputs do not depend on where `kiln` runs.
//!
//! A compile's functions use a [`CodegenIsa`]: the ISA twice, once also
//! reporting the block layout of the code it emits (for loop placement),
//! which is only worth its cost for some functions (see [`CodegenIsa`]).

use crate::{CompileError, Config, CpuSpec, OptLevel};
use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use std::str::FromStr;
use target_lexicon::{Architecture, BinaryFormat, OperatingSystem, PointerWidth, Triple};

/// The x86-64-v2 feature level (what every x86_64 CPU since ~2009 has).
const X86_64_V2: &[&str] = &[
    "has_sse3",
    "has_ssse3",
    "has_sse41",
    "has_sse42",
    "has_popcnt",
    "has_cmpxchg16b",
];

/// What x86-64-v3 adds to [`X86_64_V2`] that Cranelift uses (MOVBE and
/// F16C it does not).
const X86_64_V3: &[&str] = &[
    "has_avx",
    "has_avx2",
    "has_bmi1",
    "has_bmi2",
    "has_fma",
    "has_lzcnt",
];

/// The ISA of one compile, twice: `plain` (what `Deref` gives) and
/// `layout`, the same with Cranelift's `machine_code_cfg_info`, which
/// reports the block offsets and edges of the emitted code that loop
/// placement (`obj::LOOP_ALIGN`) reads. Only functions with loops need that,
/// and Cranelift's bookkeeping of it costs time quadratic in the blocks its
/// branch optimizations remove (a 262,000-target `br_table` took 12 s to
/// emit with it, under 0.5 s without), so a function is compiled with
/// `layout` only where `pipeline::loops::wants_layout` says.
pub struct CodegenIsa {
    /// Without the block layout: the ISA for everything else.
    pub plain: OwnedTargetIsa,
    /// With the block layout.
    pub layout: OwnedTargetIsa,
}

impl CodegenIsa {
    /// [`CodegenIsa::layout`] when `layout`, else the plain ISA.
    pub fn pick(&self, layout: bool) -> &dyn isa::TargetIsa {
        if layout { &*self.layout } else { &*self.plain }
    }
}

impl std::ops::Deref for CodegenIsa {
    type Target = dyn isa::TargetIsa;

    fn deref(&self) -> &Self::Target {
        &*self.plain
    }
}

/// Builds the [`CodegenIsa`] `config` asks for.
pub fn build_codegen_isa(config: &Config) -> Result<CodegenIsa, CompileError> {
    Ok(CodegenIsa {
        plain: build(config, false)?,
        layout: build(config, true)?,
    })
}

/// Builds the target ISA `config` asks for (without the block layout).
pub fn build_isa(config: &Config) -> Result<OwnedTargetIsa, CompileError> {
    build(config, false)
}

/// Builds the target ISA `config` asks for; `layout`: with
/// `machine_code_cfg_info` (see [`CodegenIsa`]).
fn build(config: &Config, layout: bool) -> Result<OwnedTargetIsa, CompileError> {
    let triple = match &config.target {
        Some(t) => Triple::from_str(t)
            .map_err(|e| CompileError::Target(format!("invalid target triple `{t}`: {e}")))?,
        None => Triple::host(),
    };
    check_triple(&triple)?;

    let mut flags = settings::builder();
    let opt = match config.opt_level {
        OptLevel::None => "none",
        OptLevel::Speed => "speed",
        OptLevel::SpeedAndSize => "speed_and_size",
    };
    let verify = config.verify || cfg!(debug_assertions);
    // COFF has no GOT: code reaches the runtime PC-relatively (near), and
    // Cranelift's position-independent code would ask for GOT entries.
    let pic = triple.binary_format != BinaryFormat::Coff;
    let shared: [(&str, &str); 8] = [
        ("opt_level", opt),
        ("enable_verifier", if verify { "true" } else { "false" }),
        ("preserve_frame_pointers", "true"),
        // Multi-value functions may return more values than fit in
        // registers; Cranelift then needs a hidden return area.
        ("enable_multi_ret_implicit_sret", "true"),
        ("is_pic", if pic { "true" } else { "false" }),
        ("unwind_info", "false"),
        ("enable_probestack", "false"),
        (
            "machine_code_cfg_info",
            if layout { "true" } else { "false" },
        ),
    ];
    for (name, value) in shared {
        flags
            .set(name, value)
            .map_err(|e| CompileError::Target(format!("cranelift flag {name}={value}: {e}")))?;
    }

    let mut builder = match &config.cpu {
        CpuSpec::Native => {
            // The CPU is what matters: the host's musl and glibc triples
            // run on the same one.
            if triple.architecture != Triple::host().architecture {
                return Err(CompileError::Target(format!(
                    "`--cpu native` describes this machine ({}), not the target {triple}",
                    Triple::host()
                )));
            }
            cranelift_native::builder()
                .map_err(|e| CompileError::Target(format!("native CPU detection: {e}")))?
        }
        CpuSpec::Baseline | CpuSpec::Features(_) | CpuSpec::X86Level(_) => lookup(&triple)?,
    };
    let level_features = match &config.cpu {
        CpuSpec::X86Level(level) => x86_level(*level, &triple)?,
        _ => &[],
    };
    if let CpuSpec::Baseline | CpuSpec::Features(_) | CpuSpec::X86Level(_) = &config.cpu
        && triple.architecture == Architecture::X86_64
    {
        for name in X86_64_V2.iter().chain(level_features) {
            builder
                .enable(name)
                .map_err(|e| CompileError::Target(format!("baseline CPU flag {name}: {e}")))?;
        }
    }
    if let CpuSpec::Features(names) = &config.cpu {
        for name in names {
            builder.enable(name).map_err(|e| {
                CompileError::Target(format!(
                    "unknown or invalid CPU feature `{name}` for {}: {e}",
                    triple.architecture
                ))
            })?;
        }
    }
    builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| CompileError::Target(format!("cranelift rejected the target settings: {e}")))
}

/// Whether calls from compiled code into the runtime are declared
/// colocated (near: PC-relative), not only calls between wasm functions.
///
/// The runtime is always linked into the same executable, so near calls
/// reach it on every target. On s390x they are required: Cranelift lowers
/// a far call there to an absolute 64-bit address in the code itself
/// (`R_390_64` in `.text`), which a position-independent static
/// executable (musl's static-pie) cannot relocate, while a near call is a
/// PC-relative `brasl`. On COFF (Windows) too: it has no GOT, and a far
/// call would be an absolute address in the code that the loader has to
/// relocate. Elsewhere far calls go through the GOT, which the linker
/// relaxes, and the CLIF snapshots pin that form.
pub fn runtime_calls_are_near(isa: &dyn isa::TargetIsa) -> bool {
    let triple = isa.triple();
    triple.architecture == Architecture::S390x || triple.binary_format == BinaryFormat::Coff
}

/// The CPU features `isa` lets the code generator use, as the bitmask of
/// `ProgramDescriptor::cpu_features` (bit `i` = entry `i` of the
/// architecture's `kiln_abi::cpu` table).
pub fn cpu_feature_bits(isa: &dyn isa::TargetIsa) -> u64 {
    let arch = isa.triple().architecture.to_string();
    let table = kiln_abi::cpu::features_of(&arch);
    let enabled: Vec<String> = isa
        .isa_flags()
        .iter()
        .filter(|v| v.as_bool() == Some(true))
        .map(|v| v.name.to_string())
        .collect();
    table
        .iter()
        .enumerate()
        .filter(|(_, f)| enabled.iter().any(|e| e == f.flag))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// What x86_64 feature level `level` adds to [`X86_64_V2`], for `triple`.
fn x86_level(level: u8, triple: &Triple) -> Result<&'static [&'static str], CompileError> {
    if triple.architecture != Architecture::X86_64 {
        return Err(CompileError::Target(format!(
            "`--cpu x86-64-v{level}` is an x86_64 feature level, not one of {}",
            triple.architecture
        )));
    }
    match level {
        2 => Ok(&[]),
        3 => Ok(X86_64_V3),
        _ => Err(CompileError::Target(format!(
            "unknown x86_64 feature level x86-64-v{level} (Kiln knows v2 and v3)"
        ))),
    }
}

fn lookup(triple: &Triple) -> Result<isa::Builder, CompileError> {
    isa::lookup(triple.clone())
        .map_err(|e| CompileError::Target(format!("no code generator for target {triple}: {e}")))
}

/// Kiln emits ELF objects for 64-bit Linux on x86_64, aarch64, riscv64 and
/// s390x (big-endian: see `crate::func` for the little-endian wasm memory),
/// and COFF objects for 64-bit Windows on x86_64 with the GNU (MinGW-w64)
/// environment.
fn check_triple(triple: &Triple) -> Result<(), CompileError> {
    let supported_arch = matches!(
        triple.architecture,
        Architecture::X86_64
            | Architecture::Aarch64(_)
            | Architecture::Riscv64(_)
            | Architecture::S390x
    );
    let linux = supported_arch
        && triple.operating_system == OperatingSystem::Linux
        && triple.binary_format == BinaryFormat::Elf;
    let windows = triple.architecture == Architecture::X86_64
        && triple.operating_system == OperatingSystem::Windows
        && triple.environment == target_lexicon::Environment::Gnu
        && triple.binary_format == BinaryFormat::Coff;
    if (linux || windows) && triple.pointer_width() == Ok(PointerWidth::U64) {
        Ok(())
    } else {
        Err(CompileError::Target(format!(
            "unsupported target {triple}: Kiln builds 64-bit Linux ELF executables \
             (x86_64-unknown-linux-gnu) and x86_64 Windows ones (x86_64-pc-windows-gnu)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(target: &str, cpu: CpuSpec) -> Config {
        Config {
            target: Some(target.into()),
            cpu,
            ..Config::default()
        }
    }

    #[test]
    fn x86_64_baseline_is_v2() {
        let isa = build_isa(&config("x86_64-unknown-linux-gnu", CpuSpec::Baseline))
            .expect("x86_64 works");
        let flag = |n: &str| {
            isa.isa_flags()
                .iter()
                .find(|f| f.name == n)
                .and_then(|f| f.as_bool())
        };
        assert_eq!(flag("has_sse42"), Some(true));
        assert_eq!(flag("has_popcnt"), Some(true));
        assert_eq!(flag("has_avx"), Some(false));
        assert!(isa.flags().preserve_frame_pointers());
        assert!(isa.flags().is_pic());
        assert!(!isa.flags().enable_probestack());
    }

    #[test]
    fn features_are_checked() {
        let isa = build_isa(&config(
            "x86_64-unknown-linux-gnu",
            CpuSpec::Features(vec!["has_avx".into(), "has_avx2".into()]),
        ))
        .expect("known features");
        assert!(
            isa.isa_flags()
                .iter()
                .any(|f| f.name == "has_avx2" && f.as_bool() == Some(true))
        );
        let Err(err) = build_isa(&config(
            "x86_64-unknown-linux-gnu",
            CpuSpec::Features(vec!["has_warp_drive".into()]),
        )) else {
            panic!("unknown feature accepted")
        };
        assert!(err.to_string().contains("has_warp_drive"), "{err}");
    }

    #[test]
    fn s390x_is_big_endian() {
        let isa =
            build_isa(&config("s390x-unknown-linux-gnu", CpuSpec::Baseline)).expect("s390x works");
        assert_eq!(isa.endianness(), cranelift_codegen::ir::Endianness::Big);
        assert!(isa.flags().preserve_frame_pointers());
    }

    #[test]
    fn other_targets_are_rejected_clearly() {
        for t in [
            "x86_64-pc-windows-msvc",
            "wasm32-wasip1",
            "i686-unknown-linux-gnu",
            "nonsense",
        ] {
            let Err(err) = build_isa(&config(t, CpuSpec::Baseline)) else {
                panic!("{t} accepted")
            };
            assert!(matches!(err, CompileError::Target(_)), "{t}: {err}");
        }
    }
}
