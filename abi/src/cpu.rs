//! CPU features compiled code may rely on: the contract between the
//! compiler, which records the ones the target ISA was built with, and the
//! runtime, which checks them at start-up before any compiled code runs (an
//! executable built with `--cpu` for features the CPU lacks then exits with
//! a message naming them instead of dying of SIGILL).
//!
//! [`crate::component::program::ProgramDescriptor::cpu_features`] holds
//! bit `i` for entry `i` of the target architecture's table below, so the
//! order of each table is part of the ABI: append only.
//!
//! Flags that only select instructions from the hint space (aarch64
//! `sign_return_address*`, `use_bti`, `use_csdb`: no-ops on CPUs without
//! the feature) are not listed: they cannot fault.

/// One feature: the Cranelift ISA flag that lets the code generator use it
/// and the name the runtime checks and reports (the name Rust's
/// `is_*_feature_detected!` macros and the CPU manuals use).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CpuFeature {
    /// The Cranelift ISA flag (`has_avx2`).
    pub flag: &'static str,
    /// The feature's name (`avx2`).
    pub name: &'static str,
}

const fn f(flag: &'static str, name: &'static str) -> CpuFeature {
    CpuFeature { flag, name }
}

/// The mask bit of `table`'s entry named `name` (a compile-time error, in
/// a constant, if there is none).
pub const fn feature_bit(table: &[CpuFeature], name: &str) -> u64 {
    let mut i = 0;
    while i < table.len() {
        if crate::wasi_p2::str_eq(table[i].name, name) {
            return 1 << i;
        }
        i += 1;
    }
    panic!("not a feature of the table")
}

/// x86_64 (Cranelift's `x86` flags).
pub const X86_64: &[CpuFeature] = &[
    f("has_sse3", "sse3"),
    f("has_ssse3", "ssse3"),
    f("has_cmpxchg16b", "cmpxchg16b"),
    f("has_sse41", "sse4.1"),
    f("has_sse42", "sse4.2"),
    f("has_avx", "avx"),
    f("has_avx2", "avx2"),
    f("has_fma", "fma"),
    f("has_avx_vnni", "avxvnni"),
    f("has_avx512bitalg", "avx512bitalg"),
    f("has_avx512dq", "avx512dq"),
    f("has_avx512vl", "avx512vl"),
    f("has_avx512vbmi", "avx512vbmi"),
    f("has_avx512f", "avx512f"),
    f("has_avx512vnni", "avx512vnni"),
    f("has_popcnt", "popcnt"),
    f("has_bmi1", "bmi1"),
    f("has_bmi2", "bmi2"),
    f("has_lzcnt", "lzcnt"),
];

/// aarch64 (Cranelift's `arm64` flags).
pub const AARCH64: &[CpuFeature] = &[
    f("has_lse", "lse"),
    f("has_pauth", "paca"),
    f("has_fp16", "fp16"),
    f("has_dotprod", "dotprod"),
    f("has_i8mm", "i8mm"),
];

/// riscv64 (Cranelift's `riscv64` flags). The base letters are checked
/// with the kernel's `AT_HWCAP`, the `Z` extensions with `riscv_hwprobe`
/// (Linux 6.4+; an older kernel cannot tell, and they are then not
/// checked). `zicsr` and `zifencei` are not listed: Linux requires them.
pub const RISCV64: &[CpuFeature] = &[
    f("has_m", "m"),
    f("has_a", "a"),
    f("has_f", "f"),
    f("has_d", "d"),
    f("has_v", "v"),
    f("has_zca", "c"),
    f("has_zcd", "c"),
    f("has_zba", "zba"),
    f("has_zbb", "zbb"),
    f("has_zbc", "zbc"),
    f("has_zbs", "zbs"),
    f("has_zbkb", "zbkb"),
    f("has_zfa", "zfa"),
    f("has_zfh", "zfh"),
    f("has_zfhmin", "zfhmin"),
    f("has_zvfh", "zvfh"),
    f("has_zicond", "zicond"),
    f("has_zvbb", "zvbb"),
    f("has_zcb", "zcb"),
];

/// s390x (Cranelift's `s390x` flags; the baseline is z14). Checked with
/// Rust's `is_s390x_feature_detected!` (the facility bits of `STFLE`).
pub const S390X: &[CpuFeature] = &[
    f("has_mie3", "miscellaneous-extensions-3"),
    f("has_mie4", "miscellaneous-extensions-4"),
    f("has_vxrs_ext2", "vector-enhancements-2"),
    f("has_vxrs_ext3", "vector-enhancements-3"),
];

/// The table of an architecture, by its `target_lexicon`/Rust name
/// (`x86_64`, `aarch64`, `riscv64`, `riscv64gc`, `s390x`); empty for
/// others.
/// A `const fn`, so the runtime picks its own architecture's table at
/// compile time (`std::env::consts::ARCH`).
pub const fn features_of(arch: &str) -> &'static [CpuFeature] {
    use crate::wasi_p2::str_eq;
    let riscv64 = "riscv64";
    if str_eq(arch, "x86_64") {
        X86_64
    } else if str_eq(arch, "aarch64") {
        AARCH64
    } else if arch.len() >= riscv64.len() && str_eq(arch.split_at(riscv64.len()).0, riscv64) {
        RISCV64
    } else if str_eq(arch, "s390x") {
        S390X
    } else {
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_fit_the_descriptor_bitmask() {
        for t in [X86_64, AARCH64, RISCV64, S390X] {
            assert!(t.len() <= 64);
            for (i, a) in t.iter().enumerate() {
                assert!(t[..i].iter().all(|b| b.flag != a.flag), "{}", a.flag);
            }
        }
    }
}
