//! Conversions between `.wast` constants and embedding values, and the
//! matching of results against `assert_return` expectations.
//!
//! Input: `wast` argument and result constants, and the callee's parameter
//! types. Output: [`Val`]s to pass, and `Ok(())` or a description of the
//! mismatch for results.
//!
//! Conventions:
//! - Host references (`ref.extern N`, `ref.host N`) are passed as the
//!   externref value `N + 1`, so that `ref.extern 0` is not null; compiled
//!   code treats externrefs as opaque, so a value coming back is the same
//!   `N + 1`.
//! - NaN patterns, per the spec interpreter: `nan:canonical` is a NaN whose
//!   payload is exactly the quiet bit (either sign); `nan:arithmetic` is
//!   any NaN with the quiet bit set. Every other float compares by bits.
//!   The same applies to each lane of `f32x4`/`f64x2` results.

use kiln_runtime_embed::{Val, ValType};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

/// The value of `arg`, for a parameter of type `ty` (`None`: a null of the
/// type the callee declares, or an argument of an unknown kind).
pub fn arg_to_val(arg: &WastArg<'_>, ty: Option<ValType>) -> Result<Val, String> {
    let WastArg::Core(arg) = arg else {
        return Err("component-model arguments are not supported".into());
    };
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(heap) => match (ty, heap_category(heap)) {
            (Some(ValType::FuncRef), _) | (None, Some(ValType::FuncRef)) => Val::FuncRef(0),
            (Some(ValType::ExternRef), _) | (None, Some(ValType::ExternRef)) => Val::ExternRef(0),
            (Some(ValType::ExnRef), _) | (None, Some(ValType::ExnRef)) => Val::ExnRef(0),
            _ => return Err(format!("unsupported null reference argument {heap:?}")),
        },
        WastArgCore::RefExtern(n) | WastArgCore::RefHost(n) => Val::ExternRef(*n as usize + 1),
    })
}

/// Which value type a null of `heap` has (`None`: a GC hierarchy Kiln has no
/// value type for).
fn heap_category(heap: &HeapType<'_>) -> Option<ValType> {
    match heap {
        HeapType::Concrete(_) | HeapType::Exact(_) => Some(ValType::FuncRef),
        HeapType::Abstract { ty, .. } => match ty {
            AbstractHeapType::Func | AbstractHeapType::NoFunc => Some(ValType::FuncRef),
            AbstractHeapType::Extern | AbstractHeapType::NoExtern => Some(ValType::ExternRef),
            AbstractHeapType::Exn | AbstractHeapType::NoExn => Some(ValType::ExnRef),
            _ => None,
        },
    }
}

/// Checks every result against its expectation.
pub fn match_results(actual: &[Val], expected: &[WastRet<'_>]) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!(
            "expected {} results, got {}: {}",
            expected.len(),
            actual.len(),
            show_vals(actual)
        ));
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let WastRet::Core(e) = e else {
            return Err("component-model results are not supported".into());
        };
        match_ret(a, e).map_err(|m| format!("result {i}: {m}"))?;
    }
    Ok(())
}

fn match_ret(actual: &Val, expected: &WastRetCore<'_>) -> Result<(), String> {
    let ok = match (expected, actual) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(e), Val::F32(a)) => f32_matches(e, *a),
        (WastRetCore::F64(e), Val::F64(a)) => f64_matches(e, *a),
        (WastRetCore::V128(e), Val::V128(a)) => v128_matches(e, *a),
        (WastRetCore::RefNull(heap), a) => {
            let (ty, bits) = ref_parts(a).ok_or_else(|| mismatch(expected, actual))?;
            bits == 0
                && heap
                    .as_ref()
                    .and_then(heap_category)
                    .is_none_or(|want| want == ty)
        }
        (WastRetCore::RefFunc(_), Val::FuncRef(a)) => *a != 0,
        (WastRetCore::RefExtern(None), Val::ExternRef(a)) => *a != 0,
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(a)) => *a == *n as usize + 1,
        (WastRetCore::RefHost(n), Val::ExternRef(a)) => *a == *n as usize + 1,
        (WastRetCore::Either(options), a) => options.iter().any(|o| match_ret(a, o).is_ok()),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(mismatch(expected, actual))
    }
}

fn mismatch(expected: &WastRetCore<'_>, actual: &Val) -> String {
    format!("expected {}, got {}", show_ret(expected), show_val(actual))
}

fn ref_parts(v: &Val) -> Option<(ValType, usize)> {
    match *v {
        Val::FuncRef(p) => Some((ValType::FuncRef, p)),
        Val::ExternRef(p) => Some((ValType::ExternRef, p)),
        Val::ExnRef(p) => Some((ValType::ExnRef, p)),
        _ => None,
    }
}

fn f32_matches(e: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match e {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn f64_matches(e: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    match e {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn v128_matches(e: &V128Pattern, v: u128) -> bool {
    let b = v.to_le_bytes();
    let lane = |i: usize, n: usize| -> u64 {
        let mut x = [0u8; 8];
        x[..n].copy_from_slice(&b[i * n..(i + 1) * n]);
        u64::from_le_bytes(x)
    };
    match e {
        V128Pattern::I8x16(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| lane(i, 1) == u64::from(*x as u8)),
        V128Pattern::I16x8(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| lane(i, 2) == u64::from(*x as u16)),
        V128Pattern::I32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| lane(i, 4) == u64::from(*x as u32)),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, x)| lane(i, 8) == *x as u64),
        V128Pattern::F32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| f32_matches(x, lane(i, 4) as u32)),
        V128Pattern::F64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| f64_matches(x, lane(i, 8))),
    }
}

/// A value as the spec scripts write it.
pub fn show_val(v: &Val) -> String {
    match *v {
        Val::I32(x) => format!("i32:{x}"),
        Val::I64(x) => format!("i64:{x}"),
        Val::F32(x) => format!("f32:{} ({x:#010x})", f32::from_bits(x)),
        Val::F64(x) => format!("f64:{} ({x:#018x})", f64::from_bits(x)),
        Val::V128(x) => format!("v128:{x:#034x}"),
        Val::FuncRef(0) => "ref.null func".into(),
        Val::FuncRef(p) => format!("ref.func@{p:#x}"),
        Val::ExternRef(0) => "ref.null extern".into(),
        Val::ExternRef(p) => format!("ref.extern {}", p - 1),
        Val::ExnRef(0) => "ref.null exn".into(),
        Val::ExnRef(p) => format!("ref.exn@{p:#x}"),
    }
}

/// Several values.
pub fn show_vals(vs: &[Val]) -> String {
    let parts: Vec<String> = vs.iter().map(show_val).collect();
    format!("[{}]", parts.join(", "))
}

fn show_ret(e: &WastRetCore<'_>) -> String {
    let nan = |n: &str| format!("nan:{n}");
    match e {
        WastRetCore::I32(x) => format!("i32:{x}"),
        WastRetCore::I64(x) => format!("i64:{x}"),
        WastRetCore::F32(NanPattern::Value(v)) => {
            format!("f32:{} ({:#010x})", f32::from_bits(v.bits), v.bits)
        }
        WastRetCore::F64(NanPattern::Value(v)) => {
            format!("f64:{} ({:#018x})", f64::from_bits(v.bits), v.bits)
        }
        WastRetCore::F32(NanPattern::CanonicalNan) | WastRetCore::F64(NanPattern::CanonicalNan) => {
            nan("canonical")
        }
        WastRetCore::F32(NanPattern::ArithmeticNan)
        | WastRetCore::F64(NanPattern::ArithmeticNan) => nan("arithmetic"),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32(p: NanPattern<wast::token::F32>, bits: u32) -> bool {
        f32_matches(&p, bits)
    }

    #[test]
    fn nan_patterns() {
        assert!(f32(NanPattern::CanonicalNan, 0x7fc0_0000));
        assert!(f32(NanPattern::CanonicalNan, 0xffc0_0000));
        assert!(!f32(NanPattern::CanonicalNan, 0x7fc0_0001));
        assert!(f32(NanPattern::ArithmeticNan, 0x7fc0_0001));
        assert!(!f32(NanPattern::ArithmeticNan, 0x7f80_0001), "signalling");
        assert!(!f32(NanPattern::ArithmeticNan, 0x3f80_0000));
        assert!(f64_matches(
            &NanPattern::CanonicalNan,
            0xfff8_0000_0000_0000
        ));
        assert!(!f64_matches(
            &NanPattern::CanonicalNan,
            0x7ff8_0000_0000_0001
        ));
        assert!(f64_matches(
            &NanPattern::ArithmeticNan,
            0x7ff8_0000_0000_0001
        ));
        assert!(!f64_matches(
            &NanPattern::ArithmeticNan,
            0x7ff0_0000_0000_0001
        ));
    }

    #[test]
    fn v128_lanes() {
        let v = u128::from_le_bytes([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        assert!(v128_matches(&V128Pattern::I32x4([1, 2, 3, -1]), v));
        assert!(!v128_matches(&V128Pattern::I32x4([1, 2, 3, 4]), v));
        let nan = (0x7fc0_0000u128) | (0x3f80_0000u128 << 32);
        assert!(v128_matches(
            &V128Pattern::F32x4([
                NanPattern::CanonicalNan,
                NanPattern::Value(wast::token::F32 { bits: 0x3f80_0000 }),
                NanPattern::Value(wast::token::F32 { bits: 0 }),
                NanPattern::Value(wast::token::F32 { bits: 0 }),
            ]),
            nan
        ));
    }

    #[test]
    fn host_references_are_never_null() {
        let arg = WastArg::Core(WastArgCore::RefExtern(0));
        assert_eq!(
            arg_to_val(&arg, Some(ValType::ExternRef)),
            Ok(Val::ExternRef(1))
        );
        assert!(match_ret(&Val::ExternRef(1), &WastRetCore::RefExtern(Some(0))).is_ok());
        assert!(match_ret(&Val::ExternRef(0), &WastRetCore::RefExtern(None)).is_err());
        assert!(match_ret(&Val::ExternRef(0), &WastRetCore::RefNull(None)).is_ok());
        assert!(match_ret(&Val::FuncRef(0), &WastRetCore::RefNull(None)).is_ok());
    }
}
