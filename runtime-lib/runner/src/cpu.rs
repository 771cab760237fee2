//! The start-up check of the CPU features the compiled code may use.
//!
//! Phase: program start, before any compiled code runs. Input: the
//! compiler's `ProgramDescriptor::cpu_features` bitmask over the
//! architecture's [`kiln_abi::cpu`] table. Output: the names of the
//! features this CPU lacks (empty when it can run the code). Why: an
//! executable built with `--cpu` (or a baseline) for features the CPU
//! lacks would otherwise die of SIGILL somewhere in the guest; it exits at
//! once with a message naming them instead.

use kiln_abi::cpu::CpuFeature;

/// This architecture's feature table (the compiler's mask indexes it).
const TABLE: &[CpuFeature] = kiln_abi::cpu::features_of(std::env::consts::ARCH);

/// Where each of [`TABLE`]'s names ends in [`NAMES`].
const NAME_ENDS: [usize; TABLE.len()] = {
    let mut out = [0; TABLE.len()];
    let (mut at, mut i) = (0, 0);
    while i < TABLE.len() {
        at += TABLE[i].name.len();
        out[i] = at;
        i += 1;
    }
    out
};

/// Bytes of all of [`TABLE`]'s names.
const NAMES_LEN: usize = match TABLE.len() {
    0 => 0,
    n => NAME_ENDS[n - 1],
};

/// [`TABLE`]'s names end to end, cut by [`NAME_ENDS`]: built at compile
/// time so that the runtime holds no table of string pointers, each of
/// which a position-independent executable relocates at every start (the
/// x86_64 table alone: 38 relocations).
static NAMES: [u8; NAMES_LEN] = {
    let mut out = [0u8; NAMES_LEN];
    let (mut at, mut i) = (0, 0);
    while i < TABLE.len() {
        let name = TABLE[i].name.as_bytes();
        let mut j = 0;
        while j < name.len() {
            out[at] = name[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    out
};

/// The name of [`TABLE`]'s entry `i`.
fn name(i: usize) -> &'static str {
    let start = if i == 0 { 0 } else { NAME_ENDS[i - 1] };
    // NB: the names are Rust string literals cut at their own bounds.
    std::str::from_utf8(&NAMES[start..NAME_ENDS[i]]).unwrap_or("?")
}

/// The features of `bits` this CPU lacks, by name, without repeats.
pub fn missing(bits: u64) -> Vec<&'static str> {
    #[cfg(target_arch = "x86_64")]
    if cpuid_present(bits) {
        return Vec::new();
    }
    let mut out: Vec<&'static str> = Vec::new();
    for i in 0..TABLE.len() {
        let name = name(i);
        // No detector (`None`) is a table entry this runtime does not
        // know: reported as missing rather than risked (the unit test
        // keeps the two in step).
        if bits & (1 << i) != 0 && has(name) != Some(true) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Where `CPUID` reports a feature the fast path knows.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
enum Reg {
    /// Leaf 1, `ECX`.
    Leaf1Ecx = 0,
    /// Leaf 7 (sub-leaf 0), `EBX`.
    Leaf7Ebx = 1,
    /// Leaf `0x8000_0001`, `ECX`.
    Ext1Ecx = 2,
}

/// Each x86_64 table entry of Kiln's baseline (x86-64-v2) and of its
/// second code tier (x86-64-v3) as (bit of the table's mask, register,
/// bit of the register), resolved at compile time.
#[cfg(target_arch = "x86_64")]
const CPUID_BITS: [(u64, Reg, u32); 12] = [
    (table_bit("sse3"), Reg::Leaf1Ecx, 0),
    (table_bit("ssse3"), Reg::Leaf1Ecx, 9),
    (table_bit("fma"), Reg::Leaf1Ecx, 12),
    (table_bit("cmpxchg16b"), Reg::Leaf1Ecx, 13),
    (table_bit("sse4.1"), Reg::Leaf1Ecx, 19),
    (table_bit("sse4.2"), Reg::Leaf1Ecx, 20),
    (table_bit("popcnt"), Reg::Leaf1Ecx, 23),
    (table_bit("avx"), Reg::Leaf1Ecx, 28),
    (table_bit("bmi1"), Reg::Leaf7Ebx, 3),
    (table_bit("avx2"), Reg::Leaf7Ebx, 5),
    (table_bit("bmi2"), Reg::Leaf7Ebx, 8),
    (table_bit("lzcnt"), Reg::Ext1Ecx, 5),
];

/// The features of [`CPUID_BITS`] that also need the operating system to
/// save the AVX registers (`XCR0` bits 1 and 2), as the standard library
/// checks.
#[cfg(target_arch = "x86_64")]
const AVX_STATE: u64 = table_bit("avx") | table_bit("avx2") | table_bit("fma");

#[cfg(target_arch = "x86_64")]
const fn table_bit(name: &str) -> u64 {
    kiln_abi::cpu::feature_bit(kiln_abi::cpu::X86_64, name)
}

/// Whether `bits` asks only for features of [`CPUID_BITS`] and this CPU
/// has them all: a few `cpuid`s (one for the baseline) instead of the
/// standard library's detection of every feature it knows, which costs a
/// Rust hello world a seventieth of its start-up and a program with a
/// second code tier about 2,700 instructions. `false` only sends
/// [`missing`] to that full detection, which names what is missing.
#[cfg(target_arch = "x86_64")]
fn cpuid_present(bits: u64) -> bool {
    use std::arch::x86_64::{__cpuid, __cpuid_count};
    let mut known = 0;
    let mut want = [0u32; 3];
    for (table, reg, bit) in CPUID_BITS {
        known |= table;
        if bits & table != 0 {
            want[reg as usize] |= 1 << bit;
        }
    }
    if bits & !known != 0 {
        return false;
    }
    // NB: leaf 1 exists on every x86_64 CPU.
    let leaf1 = __cpuid(1).ecx;
    let mut have = [leaf1, 0, 0];
    if want[Reg::Leaf7Ebx as usize] != 0 && __cpuid(0).eax >= 7 {
        have[Reg::Leaf7Ebx as usize] = __cpuid_count(7, 0).ebx;
    }
    if want[Reg::Ext1Ecx as usize] != 0 && __cpuid(0x8000_0000).eax >= 0x8000_0001 {
        have[Reg::Ext1Ecx as usize] = __cpuid(0x8000_0001).ecx;
    }
    if bits & AVX_STATE != 0 {
        const OSXSAVE: u32 = 1 << 27;
        if leaf1 & OSXSAVE == 0 {
            return false;
        }
        let (xcr0, _high): (u32, u32);
        // SAFETY: OSXSAVE says `xgetbv` is enabled; it only reads XCR0
        // into two registers, touching no memory.
        unsafe {
            std::arch::asm!("xgetbv", in("ecx") 0, out("eax") xcr0, out("edx") _high,
                options(nomem, nostack, preserves_flags));
        }
        if xcr0 & 0b110 != 0b110 {
            return false;
        }
    }
    have.iter().zip(want).all(|(&h, w)| h & w == w)
}

#[cfg(target_arch = "x86_64")]
fn has(name: &str) -> Option<bool> {
    use std::arch::is_x86_feature_detected as d;
    Some(match name {
        "sse3" => d!("sse3"),
        "ssse3" => d!("ssse3"),
        "cmpxchg16b" => d!("cmpxchg16b"),
        "sse4.1" => d!("sse4.1"),
        "sse4.2" => d!("sse4.2"),
        "avx" => d!("avx"),
        "avx2" => d!("avx2"),
        "fma" => d!("fma"),
        "avxvnni" => d!("avxvnni"),
        "avx512bitalg" => d!("avx512bitalg"),
        "avx512dq" => d!("avx512dq"),
        "avx512vl" => d!("avx512vl"),
        "avx512vbmi" => d!("avx512vbmi"),
        "avx512f" => d!("avx512f"),
        "avx512vnni" => d!("avx512vnni"),
        "popcnt" => d!("popcnt"),
        "bmi1" => d!("bmi1"),
        "bmi2" => d!("bmi2"),
        "lzcnt" => d!("lzcnt"),
        _ => return None,
    })
}

#[cfg(target_arch = "aarch64")]
fn has(name: &str) -> Option<bool> {
    use std::arch::is_aarch64_feature_detected as d;
    Some(match name {
        "lse" => d!("lse"),
        "paca" => d!("paca"),
        "fp16" => d!("fp16"),
        "dotprod" => d!("dotprod"),
        "i8mm" => d!("i8mm"),
        _ => return None,
    })
}

/// riscv64: the base letters from `AT_HWCAP` (bit `letter - 'a'`), the `Z`
/// extensions from the `riscv_hwprobe` system call (Linux 6.4+). Rust's
/// `is_riscv_feature_detected!` is not stable for all of them.
#[cfg(target_arch = "riscv64")]
fn has(feature: &str) -> Option<bool> {
    let name = feature.as_bytes();
    if let [letter @ b'a'..=b'z'] = name {
        // SAFETY: getauxval reads the process's auxiliary vector.
        let hwcap = unsafe { libc::getauxval(libc::AT_HWCAP) };
        return Some(hwcap & (1 << (letter - b'a')) != 0);
    }
    // RISCV_HWPROBE_KEY_IMA_EXT_0's bits (the kernel's uapi hwprobe.h).
    let bit: u32 = match feature {
        "zba" => 3,
        "zbb" => 4,
        "zbs" => 5,
        "zbc" => 7,
        "zbkb" => 8,
        "zvbb" => 17,
        "zfh" => 27,
        "zfhmin" => 28,
        "zvfh" => 30,
        "zfa" => 32,
        "zicond" => 35,
        "zcb" => 44,
        _ => return None,
    };
    Some(match hwprobe_ima_ext_0() {
        Some(v) => v & (1 << bit) != 0,
        // A kernel without riscv_hwprobe cannot tell: the user opted in
        // with `--cpu`, so run (documented in the README).
        None => true,
    })
}

#[cfg(target_arch = "riscv64")]
fn hwprobe_ima_ext_0() -> Option<u64> {
    const SYS_RISCV_HWPROBE: libc::c_long = 258;
    const KEY_IMA_EXT_0: i64 = 4;
    #[repr(C)]
    struct Pair {
        key: i64,
        value: u64,
    }
    let mut pair = Pair {
        key: KEY_IMA_EXT_0,
        value: 0,
    };
    // SAFETY: riscv_hwprobe writes one pair into `pair`, a live local of
    // the layout the kernel expects; no other reference to it exists.
    let r = unsafe {
        libc::syscall(
            SYS_RISCV_HWPROBE,
            &mut pair as *mut Pair,
            1usize,
            0usize,
            std::ptr::null::<u8>(),
            0u32,
        )
    };
    (r == 0 && pair.key == KEY_IMA_EXT_0).then_some(pair.value)
}

#[cfg(target_arch = "s390x")]
fn has(name: &str) -> Option<bool> {
    use std::arch::is_s390x_feature_detected as d;
    Some(match name {
        "miscellaneous-extensions-3" => d!("miscellaneous-extensions-3"),
        "miscellaneous-extensions-4" => d!("miscellaneous-extensions-4"),
        "vector-enhancements-2" => d!("vector-enhancements-2"),
        "vector-enhancements-3" => d!("vector-enhancements-3"),
        _ => return None,
    })
}

#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "s390x"
)))]
fn has(_: &str) -> Option<bool> {
    Some(true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_feature_of_this_architecture_has_a_detector() {
        for f in kiln_abi::cpu::features_of(std::env::consts::ARCH) {
            assert!(super::has(f.name).is_some(), "no detector for `{}`", f.name);
        }
    }

    #[test]
    fn nothing_requested_nothing_missing() {
        assert!(super::missing(0).is_empty());
    }

    /// The names cut from the compile-time byte string are the table's, and
    /// each feature alone is reported missing exactly when its detector
    /// says this CPU lacks it.
    #[test]
    fn names_and_single_features_follow_the_table() {
        for (i, f) in super::TABLE.iter().enumerate() {
            assert_eq!(super::name(i), f.name);
            let lacking = super::has(f.name) != Some(true);
            let want: &[&str] = if lacking { &[f.name] } else { &[] };
            assert_eq!(super::missing(1 << i), want, "{}", f.name);
        }
    }

    /// The `cpuid` answer for the baseline's and the second tier's
    /// features agrees with the standard library's detection, feature by
    /// feature and for the whole set; a mask with any other feature takes
    /// the full path.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn cpuid_answer_agrees_with_full_detection() {
        let name = |bit: u64| kiln_abi::cpu::X86_64[bit.trailing_zeros() as usize].name;
        let mut all = 0;
        for (bit, _, _) in super::CPUID_BITS {
            all |= bit;
            assert_eq!(
                super::cpuid_present(bit),
                super::has(name(bit)) == Some(true),
                "{}",
                name(bit)
            );
        }
        let every = super::CPUID_BITS
            .iter()
            .all(|&(bit, _, _)| super::has(name(bit)) == Some(true));
        assert_eq!(super::cpuid_present(all), every);
        let avx512f = super::table_bit("avx512f");
        assert!(!super::cpuid_present(all | avx512f));
    }
}
