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
    if baseline_present(bits) {
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

/// The `CPUID` leaf 1 `ECX` bit of each x86_64 table entry that has one
/// (every feature of Kiln's portable baseline, x86-64-v2, does), as
/// (bit of the table's mask, bit of `ECX`), resolved at compile time.
#[cfg(target_arch = "x86_64")]
const LEAF1_ECX: [(u64, u32); 6] = [
    (table_bit("sse3"), 0),
    (table_bit("ssse3"), 9),
    (table_bit("cmpxchg16b"), 13),
    (table_bit("sse4.1"), 19),
    (table_bit("sse4.2"), 20),
    (table_bit("popcnt"), 23),
];

#[cfg(target_arch = "x86_64")]
const fn table_bit(name: &str) -> u64 {
    kiln_abi::cpu::feature_bit(kiln_abi::cpu::X86_64, name)
}

/// Whether `bits` asks only for features of `CPUID` leaf 1 and this CPU
/// has them all: one `cpuid` instead of the standard library's detection
/// of every feature it knows (several leaves and `xgetbv`, a seventieth of
/// a hello world's start-up).
#[cfg(target_arch = "x86_64")]
fn baseline_present(bits: u64) -> bool {
    let mut known = 0;
    let mut want = 0u32;
    for (table, ecx) in LEAF1_ECX {
        known |= table;
        if bits & table != 0 {
            want |= 1 << ecx;
        }
    }
    if bits & !known != 0 {
        return false;
    }
    // NB: leaf 1 exists on every x86_64 CPU.
    let ecx = std::arch::x86_64::__cpuid(1).ecx;
    ecx & want == want
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

    /// The one-`cpuid` answer for the baseline's features agrees with the
    /// standard library's detection, feature by feature and for the whole
    /// baseline; a mask with any other feature takes the full path.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn leaf1_answer_agrees_with_full_detection() {
        let mut all = 0;
        for (bit, _) in super::LEAF1_ECX {
            all |= bit;
            let i = bit.trailing_zeros() as usize;
            let f = &kiln_abi::cpu::X86_64[i];
            assert_eq!(
                super::baseline_present(bit),
                super::has(f.name) == Some(true),
                "{}",
                f.name
            );
        }
        let every = super::LEAF1_ECX.iter().all(|&(bit, _)| {
            super::has(kiln_abi::cpu::X86_64[bit.trailing_zeros() as usize].name) == Some(true)
        });
        assert_eq!(super::baseline_present(all), every);
        let avx2 = 1
            << kiln_abi::cpu::X86_64
                .iter()
                .position(|f| f.name == "avx2")
                .expect("in the table");
        assert!(!super::baseline_present(all | avx2));
    }
}
