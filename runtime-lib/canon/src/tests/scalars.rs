//! bool, integers, floats, char.

use super::*;
use crate::abi::canon::{CANONICAL_FLOAT32_NAN, CANONICAL_FLOAT64_NAN};

const U8: StringEncoding = StringEncoding::Utf8;

#[test]
fn layouts_agree() {
    agrees::<bool>();
    agrees::<u8>();
    agrees::<i8>();
    agrees::<u16>();
    agrees::<i16>();
    agrees::<u32>();
    agrees::<i32>();
    agrees::<u64>();
    agrees::<i64>();
    agrees::<f32>();
    agrees::<f64>();
    agrees::<char>();
}

#[test]
fn round_trips() {
    for v in [true, false] {
        round_trip(&v);
    }
    for v in [0u8, 1, 0x7f, 0xff] {
        round_trip(&v);
    }
    for v in [0i8, -1, i8::MIN, i8::MAX] {
        round_trip(&v);
    }
    for v in [0u16, 0xffff] {
        round_trip(&v);
    }
    for v in [i16::MIN, -2, i16::MAX] {
        round_trip(&v);
    }
    for v in [0u32, u32::MAX] {
        round_trip(&v);
    }
    for v in [i32::MIN, -1, i32::MAX] {
        round_trip(&v);
    }
    for v in [0u64, u64::MAX] {
        round_trip(&v);
    }
    for v in [i64::MIN, -1, i64::MAX] {
        round_trip(&v);
    }
    for v in [0.0f32, -0.0, 1.5, f32::INFINITY, f32::MIN_POSITIVE] {
        round_trip(&v);
    }
    for v in [0.0f64, -0.0, -2.25, f64::NEG_INFINITY] {
        round_trip(&v);
    }
    for v in ['a', '\0', 'é', '\u{10FFFF}', '\u{D7FF}', '\u{E000}'] {
        round_trip(&v);
    }
}

#[test]
fn signed_values_sign_extend_to_i32_then_zero_extend_into_the_slot() {
    let mut mem = TestMemory::new(64);
    assert_eq!(
        lower_flat(&mut mem, U8, None, &-1i8).unwrap(),
        [0xffff_ffff]
    );
    assert_eq!(
        lower_flat(&mut mem, U8, None, &-2i16).unwrap(),
        [0xffff_fffe]
    );
    assert_eq!(
        lower_flat(&mut mem, U8, None, &-1i32).unwrap(),
        [0xffff_ffff]
    );
    assert_eq!(lower_flat(&mut mem, U8, None, &-1i64).unwrap(), [u64::MAX]);
    assert_eq!(lower_flat(&mut mem, U8, None, &true).unwrap(), [1]);
}

#[test]
fn lifting_wraps_integers_to_their_width() {
    let m = TestMemory::new(16);
    let lift = |s: u64| -> (u8, i8, u16, i16, u32) {
        (
            lift_flat(m.bytes(), U8, None, &[s]).unwrap(),
            lift_flat(m.bytes(), U8, None, &[s]).unwrap(),
            lift_flat(m.bytes(), U8, None, &[s]).unwrap(),
            lift_flat(m.bytes(), U8, None, &[s]).unwrap(),
            lift_flat(m.bytes(), U8, None, &[s]).unwrap(),
        )
    };
    assert_eq!(
        lift(0x1_2345_6789),
        (0x89, -0x77, 0x6789, 0x6789, 0x2345_6789)
    );
    assert_eq!(lift(0xffff_ff80), (0x80, -128, 0xff80, -128, 0xffff_ff80));
}

#[test]
fn bool_is_any_nonzero() {
    let mut m = TestMemory::new(64);
    for (s, want) in [(0u64, false), (1, true), (2, true), (0x1_0000_0000, false)] {
        // Only the i32 counts: high slot bits are not part of the value.
        assert_eq!(lift_flat::<bool>(m.bytes(), U8, None, &[s]).unwrap(), want);
    }
    m.write(32, &[7]);
    assert!(load::<bool>(m.bytes(), U8, None, 32).unwrap());
}

#[test]
fn char_traps_on_surrogates_and_out_of_range() {
    let mut m = TestMemory::new(64);
    for bad in [0xD800u32, 0xDFFF, 0x11_0000, u32::MAX] {
        let r = lift_flat::<char>(m.bytes(), U8, None, &[u64::from(bad)]);
        assert_eq!(msg(r), "converted integer out of range for `char`");
        m.write(8, &bad.to_le_bytes());
        assert_eq!(
            msg(load::<char>(m.bytes(), U8, None, 8)),
            "converted integer out of range for `char`"
        );
    }
}

#[test]
fn nans_are_canonicalized_on_lift_and_lower() {
    let mut m = TestMemory::new(64);
    let odd32 = 0x7fa0_0001u32;
    let f: f32 = lift_flat(m.bytes(), U8, None, &[u64::from(odd32)]).unwrap();
    assert_eq!(f.to_bits(), CANONICAL_FLOAT32_NAN);
    let odd64 = 0xfff0_0000_0000_0001u64;
    let d: f64 = lift_flat(m.bytes(), U8, None, &[odd64]).unwrap();
    assert_eq!(d.to_bits(), CANONICAL_FLOAT64_NAN);
    m.write(8, &odd32.to_le_bytes());
    let f: f32 = load(m.bytes(), U8, None, 8).unwrap();
    assert_eq!(f.to_bits(), CANONICAL_FLOAT32_NAN);
    m.write(16, &odd64.to_le_bytes());
    let d: f64 = load(m.bytes(), U8, None, 16).unwrap();
    assert_eq!(d.to_bits(), CANONICAL_FLOAT64_NAN);

    let s = lower_flat(&mut m, U8, None, &f32::from_bits(odd32)).unwrap();
    assert_eq!(s, [u64::from(CANONICAL_FLOAT32_NAN)]);
    let s = lower_flat(&mut m, U8, None, &f64::from_bits(odd64)).unwrap();
    assert_eq!(s, [CANONICAL_FLOAT64_NAN]);
    let at = store(&mut m, U8, None, &f32::from_bits(odd32)).unwrap();
    assert_eq!(m.u32_at(at), CANONICAL_FLOAT32_NAN);
    // Non-NaN bit patterns are untouched.
    let s = lower_flat(&mut m, U8, None, &-0.0f32).unwrap();
    assert_eq!(s, [0x8000_0000]);
}

#[test]
fn stores_are_little_endian() {
    let mut m = TestMemory::new(64);
    let at = store(&mut m, U8, None, &0x0102_0304u32).unwrap();
    assert_eq!(&m.bytes()[at as usize..at as usize + 4], &[4, 3, 2, 1]);
    let at = store(&mut m, U8, None, &'é').unwrap();
    assert_eq!(m.u32_at(at), 0xe9);
}
