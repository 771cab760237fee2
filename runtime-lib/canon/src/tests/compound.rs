//! Option, Result, tuples and the `wit_*!` macros: layouts against
//! `kiln_abi::component`, round trips, variant payload joining, and
//! discriminant traps.

use super::*;
use crate::compound::{load_discriminant, variant_layout};

const UTF8: StringEncoding = StringEncoding::Utf8;

crate::wit_record! {
    #[derive(Debug, PartialEq, Clone)]
    pub struct Datetime { pub seconds: u64, pub nanoseconds: u32 }
}

crate::wit_record! {
    #[derive(Debug, PartialEq, Clone)]
    pub struct Stat { kind: Kind, link_count: u64, name: String, times: Option<Datetime>, ok: bool }
}

crate::wit_enum! {
    pub enum Kind { Unknown = "unknown", File = "regular-file", Dir = "directory" }
}

crate::wit_variant! {
    #[derive(Debug, PartialEq, Clone)]
    pub enum NewTime { NoChange = "no-change", Now = "now", At(Datetime) = "timestamp" }
}

crate::wit_variant! {
    #[derive(Debug, PartialEq, Clone)]
    pub enum Mixed { F(f32) = "f", I(u64) = "i", S(String) = "s", N = "n" }
}

crate::wit_flags! {
    pub struct Perms { READ = "read", WRITE = "write", MUTATE = "mutate-directory" }
}

crate::wit_flags! {
    pub struct Nine { A = "a", B = "b", C = "c", D = "d", E = "e", F = "f", G = "g", H = "h", I = "i" }
}

crate::wit_flags! {
    pub struct Seventeen {
        A0 = "a0", A1 = "a1", A2 = "a2", A3 = "a3", A4 = "a4", A5 = "a5", A6 = "a6", A7 = "a7",
        A8 = "a8", A9 = "a9", B0 = "b0", B1 = "b1", B2 = "b2", B3 = "b3", B4 = "b4", B5 = "b5",
        B6 = "b6",
    }
}

#[test]
fn layouts_agree() {
    agrees::<()>();
    agrees::<Option<u8>>();
    agrees::<Option<u64>>();
    agrees::<Option<String>>();
    agrees::<Option<Option<u16>>>();
    agrees::<Result<(), ()>>();
    agrees::<Result<u32, ()>>();
    agrees::<Result<(), String>>();
    agrees::<Result<Vec<u8>, String>>();
    agrees::<Result<u64, f32>>();
    agrees::<Result<f32, u32>>();
    agrees::<(u8,)>();
    agrees::<(u8, u64, u16)>();
    agrees::<(char, String, bool, f64)>();
    agrees::<Datetime>();
    agrees::<Stat>();
    agrees::<Kind>();
    agrees::<NewTime>();
    agrees::<Mixed>();
    agrees::<Perms>();
    agrees::<Nine>();
    agrees::<Seventeen>();
    agrees::<Option<Stat>>();
    agrees::<Result<Vec<Stat>, Kind>>();
}

#[test]
fn layout_constants() {
    assert_eq!(
        (Datetime::SIZE32, Datetime::ALIGN32, Datetime::FLAT),
        (16, 8, 2)
    );
    assert_eq!(
        (NewTime::SIZE32, NewTime::ALIGN32, NewTime::FLAT),
        (24, 8, 3)
    );
    assert_eq!((Kind::SIZE32, Kind::FLAT), (1, 1));
    assert_eq!((Perms::SIZE32, Nine::SIZE32, Seventeen::SIZE32), (1, 2, 4));
    assert_eq!(<Result<u64, f32>>::FLAT, 2);
    assert_eq!(<(u8, u64, u16)>::SIZE32, 24);
}

#[test]
fn round_trips() {
    round_trip(&());
    round_trip(&Some(5u8));
    round_trip(&None::<u64>);
    round_trip(&Some(Some(7u16)));
    round_trip(&Some(None::<u16>));
    round_trip(&Ok::<u32, ()>(9));
    round_trip(&Err::<u32, ()>(()));
    round_trip(&Ok::<(), String>(()));
    round_trip(&Err::<(), String>("bad".to_string()));
    round_trip(&Ok::<Vec<u8>, String>(vec![1, 2]));
    round_trip(&Err::<u64, f32>(1.5));
    round_trip(&Ok::<u64, f32>(u64::MAX));
    round_trip(&(1u8, 2u64, 3u16));
    round_trip(&('z', "s".to_string(), true, -1.0f64));
    let dt = Datetime {
        seconds: 1 << 40,
        nanoseconds: 999,
    };
    round_trip(&dt);
    for kind in [Kind::Unknown, Kind::File, Kind::Dir] {
        round_trip(&kind);
    }
    round_trip(&Stat {
        kind: Kind::Dir,
        link_count: 3,
        name: "déjà".to_string(),
        times: Some(dt.clone()),
        ok: true,
    });
    round_trip(&Stat {
        kind: Kind::File,
        link_count: 0,
        name: String::new(),
        times: None,
        ok: false,
    });
    for t in [NewTime::NoChange, NewTime::Now, NewTime::At(dt)] {
        round_trip(&t);
    }
    for m in [
        Mixed::F(2.5),
        Mixed::I(u64::MAX),
        Mixed::S("x".into()),
        Mixed::N,
    ] {
        round_trip(&m);
    }
    round_trip(&Perms::empty());
    round_trip(&(Perms::READ | Perms::MUTATE));
    round_trip(&Perms::all());
    round_trip(&(Nine::A | Nine::I));
    round_trip(&(Seventeen::A0 | Seventeen::B6));
}

#[test]
fn variant_payloads_share_joined_slots() {
    let mut m = TestMemory::new(1024);
    // result<u64, f32>: [i32 disc, i64 joined]; the f32 is its bits,
    // zero-extended, and the u64 fills the slot.
    let s = lower_flat(&mut m, UTF8, None, &Err::<u64, f32>(-1.0)).unwrap();
    assert_eq!(s, [1, 0xbf80_0000]);
    // Mixed: [disc, i64 (f32|u64|ptr), i32 (len)]; shorter payloads pad
    // with zeros.
    let s = lower_flat(&mut m, UTF8, None, &Mixed::F(1.0)).unwrap();
    assert_eq!(s, [0, 0x3f80_0000, 0]);
    let s = lower_flat(&mut m, UTF8, None, &Mixed::N).unwrap();
    assert_eq!(s, [3, 0, 0]);
    let s = lower_flat(&mut m, UTF8, None, &None::<(u32, u32)>).unwrap();
    assert_eq!(s, [0, 0, 0]);
    // Lifting reads only the low 32 bits of an i32 payload in an i64 slot.
    let v: Result<u32, u64> =
        lift_flat(m.bytes(), UTF8, None, &[0, 0xffff_ffff_0000_0007]).unwrap();
    assert_eq!(v, Ok(7));
}

#[test]
fn flags_layout_and_extra_bits() {
    assert_eq!(Perms::READ.bits(), 1);
    assert_eq!(Perms::MUTATE.bits(), 4);
    assert!((Perms::READ | Perms::WRITE).contains(Perms::WRITE));
    let mut m = TestMemory::new(64);
    // Bits past the last label are ignored (`unpack_flags_from_int`).
    let p: Perms = lift_flat(m.bytes(), UTF8, None, &[0xff]).unwrap();
    assert_eq!(p, Perms::all());
    let at = store(&mut m, UTF8, None, &(Nine::I | Nine::A)).unwrap();
    assert_eq!(&m.bytes()[at as usize..at as usize + 2], &[1, 1]);
}

#[test]
fn discriminant_traps() {
    let mut m = TestMemory::new(64);
    assert_eq!(
        msg(lift_flat::<Option<u8>>(m.bytes(), UTF8, None, &[2, 0])),
        "invalid option discriminant"
    );
    assert_eq!(
        msg(lift_flat::<Result<u8, u8>>(m.bytes(), UTF8, None, &[2, 0])),
        "invalid expected discriminant"
    );
    assert_eq!(
        msg(lift_flat::<Kind>(m.bytes(), UTF8, None, &[3])),
        "unexpected discriminant: 3"
    );
    assert_eq!(
        msg(lift_flat::<NewTime>(m.bytes(), UTF8, None, &[7, 0, 0])),
        "unexpected discriminant: 7"
    );
    m.write(8, &[2]);
    assert_eq!(
        msg(load::<Option<u8>>(m.bytes(), UTF8, None, 8)),
        "invalid option discriminant"
    );
    assert_eq!(
        msg(load::<Result<(), ()>>(m.bytes(), UTF8, None, 8)),
        "invalid expected discriminant"
    );
    m.write(8, &[9]);
    assert_eq!(
        msg(load::<Kind>(m.bytes(), UTF8, None, 8)),
        "unexpected discriminant: 9"
    );
    assert_eq!(
        msg(load::<Mixed>(m.bytes(), UTF8, None, 8)),
        "unexpected discriminant: 9"
    );
}

#[test]
fn wide_discriminants() {
    // 257 cases take a u16 discriminant, 65537 a u32.
    assert_eq!(variant_layout(257, &[]), (2, 2, 2));
    assert_eq!(variant_layout(65537, &[(1, 1)]), (4, 8, 4));
    let mut m = TestMemory::new(64);
    m.write(8, &[0x34, 0x12, 0xff, 0xff]);
    let cx = LiftCx::new(m.bytes(), UTF8, None);
    assert_eq!(load_discriminant(&cx, 8, 257).unwrap(), 0x1234);
    assert_eq!(load_discriminant(&cx, 8, 65537).unwrap(), 0xffff_1234);
    assert_eq!(load_discriminant(&cx, 8, 2).unwrap(), 0x34);
}

#[test]
fn none_store_leaves_the_payload_untouched() {
    let mut m = TestMemory::new(64);
    m.write(16, &[0xaa; 16]);
    let view = m.view();
    let mut cx = LowerCx::new(view, None, UTF8, None);
    None::<u64>.store(&mut cx, 16).unwrap();
    assert_eq!(m.bytes()[16], 0);
    assert_eq!(&m.bytes()[17..32], &[0xaa; 15]);
}
