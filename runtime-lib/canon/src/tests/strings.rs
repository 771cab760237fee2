//! Strings in the three encodings: round trips, the spec's `realloc`
//! pattern per encoding, and every lifting trap.

use super::*;
use crate::GuestStr;
use crate::abi::{INSTANCE_FLAG_MAY_LEAVE, UTF16_TAG};

const UTF8: StringEncoding = StringEncoding::Utf8;
const UTF16: StringEncoding = StringEncoding::Utf16;
const LATIN1: StringEncoding = StringEncoding::Latin1Utf16;

fn lower_string(mem: &mut TestMemory, enc: StringEncoding, s: &str) -> (u32, u32) {
    let slots = lower_flat(mem, enc, None, s).expect("lower string");
    (slots[0] as u32, slots[1] as u32)
}

fn utf16_bytes(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

#[test]
fn layouts_agree() {
    agrees::<String>();
    agrees::<str>();
    agrees::<GuestStr<'static>>();
}

#[test]
fn round_trips_in_every_encoding() {
    for s in [
        "",
        "hello",
        "héllo wörld",
        "日本語",
        "a😀b",
        "ÿ",
        "\u{100}",
        "x\0y",
    ] {
        round_trip(&s.to_string());
    }
}

#[test]
fn utf8_is_one_exact_allocation() {
    let mut m = TestMemory::new(1024);
    let (ptr, len) = lower_string(&mut m, UTF8, "héllo");
    assert_eq!(m.calls, [(0, 0, 1, 6)]);
    assert_eq!(
        (len, &m.bytes()[ptr as usize..ptr as usize + 6]),
        (6, "héllo".as_bytes())
    );
    let mut m = TestMemory::new(1024);
    assert_eq!(lower_string(&mut m, UTF8, "").1, 0);
    assert_eq!(m.calls, [(0, 0, 1, 0)], "an empty string still allocates");
}

#[test]
fn utf16_allocates_the_worst_case_then_shrinks() {
    let mut m = TestMemory::new(1024);
    let (ptr, len) = lower_string(&mut m, UTF16, "héllo");
    // 6 UTF-8 bytes: worst case 12 bytes; 5 code units need 10.
    assert_eq!(m.calls, [(0, 0, 2, 12), (16, 12, 2, 10)]);
    assert_eq!(len, 5);
    assert_eq!(
        &m.bytes()[ptr as usize..ptr as usize + 10],
        utf16_bytes("héllo")
    );
    // ASCII: the worst case is exact, no shrink.
    let mut m = TestMemory::new(1024);
    lower_string(&mut m, UTF16, "abc");
    assert_eq!(m.calls, [(0, 0, 2, 6)]);
    // A surrogate pair: 4 UTF-8 bytes, 2 code units, worst case exact.
    let mut m = TestMemory::new(1024);
    let (ptr, len) = lower_string(&mut m, UTF16, "😀");
    assert_eq!(
        (m.calls.as_slice(), len),
        ([(0, 0, 2, 8), (16, 8, 2, 4)].as_slice(), 2)
    );
    assert_eq!(
        &m.bytes()[ptr as usize..ptr as usize + 4],
        utf16_bytes("😀")
    );
}

#[test]
fn latin1_stays_latin1_and_shrinks() {
    let mut m = TestMemory::new(1024);
    let (ptr, len) = lower_string(&mut m, LATIN1, "abc");
    assert_eq!((m.calls.as_slice(), len), ([(0, 0, 2, 3)].as_slice(), 3));
    assert_eq!(&m.bytes()[ptr as usize..ptr as usize + 3], b"abc");
    let mut m = TestMemory::new(1024);
    let (ptr, len) = lower_string(&mut m, LATIN1, "héllo");
    assert_eq!(m.calls, [(0, 0, 2, 6), (16, 6, 2, 5)]);
    assert_eq!(len, 5, "untagged: Latin-1");
    assert_eq!(&m.bytes()[ptr as usize..ptr as usize + 5], b"h\xe9llo");
}

#[test]
fn latin1_switches_to_utf16_at_the_first_wide_code_point() {
    let mut m = TestMemory::new(1024);
    let (ptr, len) = lower_string(&mut m, LATIN1, "aé日");
    // 6 UTF-8 bytes: Latin-1 attempt of 6, inflate to 12, shrink to 3 units.
    assert_eq!(m.calls, [(0, 0, 2, 6), (16, 6, 2, 12), (22, 12, 2, 6)]);
    assert_eq!(len, 3 | UTF16_TAG);
    assert_eq!(
        &m.bytes()[ptr as usize..ptr as usize + 6],
        utf16_bytes("aé日")
    );
    let back: String = lift_flat(m.bytes(), LATIN1, None, &[ptr.into(), len.into()]).unwrap();
    assert_eq!(back, "aé日");
    // Wide from the start, worst case exact (no shrink): "ĀĀ" is 4 bytes.
    let mut m = TestMemory::new(1024);
    let (_, len) = lower_string(&mut m, LATIN1, "ĀĀ");
    assert_eq!(m.calls, [(0, 0, 2, 4), (16, 4, 2, 8), (20, 8, 2, 4)]);
    assert_eq!(len, 2 | UTF16_TAG);
}

#[test]
fn lifting_decodes_latin1_and_tagged_utf16() {
    let mut m = TestMemory::new(64);
    m.write(8, b"caf\xe9");
    let s: String = lift_flat(m.bytes(), LATIN1, None, &[8, 4]).unwrap();
    assert_eq!(s, "café");
    m.write(16, &utf16_bytes("κ😀"));
    let s: String = lift_flat(m.bytes(), LATIN1, None, &[16, 3 | u64::from(UTF16_TAG)]).unwrap();
    assert_eq!(s, "κ😀");
    let s: String = lift_flat(m.bytes(), UTF16, None, &[16, 3]).unwrap();
    assert_eq!(s, "κ😀");
}

#[test]
fn guest_str_borrows_utf8_only() {
    let mut m = TestMemory::new(64);
    m.write(8, b"hi");
    let s: GuestStr<'_> = lift_flat(m.bytes(), UTF8, None, &[8, 2]).unwrap();
    assert!(s.is_borrowed());
    assert_eq!(&*s, "hi");
    assert_eq!(s.as_ptr(), m.bytes()[8..].as_ptr(), "zero-copy");
    let s: GuestStr<'_> = lift_flat(m.bytes(), LATIN1, None, &[8, 2]).unwrap();
    assert!(!s.is_borrowed());
    assert_eq!(&*s, "hi");
}

#[test]
fn lifting_traps() {
    let mut m = TestMemory::new(64);
    m.write(8, &[0xff, b'a']);
    assert_eq!(
        msg(lift_flat::<String>(m.bytes(), UTF8, None, &[8, 2])),
        "invalid utf-8 sequence of 1 bytes from index 0"
    );
    // An unpaired surrogate traps (the spec decodes strictly).
    m.write(16, &[0x00, 0xd8, b'a', 0]);
    assert_eq!(
        msg(lift_flat::<String>(m.bytes(), UTF16, None, &[16, 2])),
        "unpaired surrogate found: d800"
    );
    m.write(16, &[b'a', 0, 0x00, 0xdc]);
    assert_eq!(
        msg(lift_flat::<String>(
            m.bytes(),
            LATIN1,
            None,
            &[16, 2 | u64::from(UTF16_TAG)]
        )),
        "unpaired surrogate found: dc00"
    );
    assert_eq!(
        msg(lift_flat::<String>(m.bytes(), UTF16, None, &[17, 1])),
        "string pointer not aligned to 2"
    );
    assert_eq!(
        msg(lift_flat::<String>(m.bytes(), LATIN1, None, &[17, 1])),
        "string pointer not aligned to 2"
    );
    for (enc, ptr, len) in [
        (UTF8, 60u64, 5u64),
        (UTF8, u64::from(u32::MAX), 1),
        (UTF16, 32, 17),
        (UTF16, 0, u64::from(u32::MAX)),
        (LATIN1, 62, 3),
        (LATIN1, 0, u64::from(u32::MAX)),
    ] {
        assert_eq!(
            msg(lift_flat::<String>(m.bytes(), enc, None, &[ptr, len])),
            "string pointer/length out of bounds of memory",
            "{enc:?} {ptr} {len}"
        );
    }
    // In memory, the (ptr, len) pair is read first, then checked the same.
    m.write(0, &60u32.to_le_bytes());
    m.write(4, &10u32.to_le_bytes());
    assert_eq!(
        msg(load::<String>(m.bytes(), UTF8, None, 0)),
        "string pointer/length out of bounds of memory"
    );
}

#[test]
fn realloc_results_are_checked() {
    let mut m = TestMemory::new(64);
    m.mode = Mode::Fixed(1);
    assert_eq!(
        msg(lower_flat(&mut m, UTF16, None, "ab")),
        "realloc return: result not aligned"
    );
    m.mode = Mode::Fixed(60);
    assert_eq!(
        msg(lower_flat(&mut m, UTF8, None, "hello")),
        "realloc return: beyond end of memory"
    );
    m.mode = Mode::Fixed(u32::MAX);
    assert_eq!(
        msg(lower_flat(&mut m, UTF8, None, "x")),
        "realloc return: beyond end of memory"
    );
    m.mode = Mode::Trap;
    assert_eq!(msg(lower_flat(&mut m, UTF8, None, "x")), "realloc trapped");
}

#[test]
fn no_realloc_option_traps() {
    let m = TestMemory::new(64);
    let mut slots = [0u64; 2];
    let mut cx = LowerCx::new(m.view(), None, UTF8, None);
    let r = "x".lower_flat(&mut cx, &mut FlatSink::new(&mut slots));
    assert_eq!(msg(r), "realloc function not available");
}

#[test]
fn may_leave_is_clear_during_realloc_and_restored_after() {
    let mut inst = InstanceState::new(0);
    let mut m = TestMemory::new(256);
    m.flags_probe = Some(&inst as *const InstanceState);
    lower_flat(&mut m, LATIN1, Some(&mut inst), "aé日").unwrap();
    assert_eq!(m.flags_seen.len(), 3);
    assert!(
        m.flags_seen
            .iter()
            .all(|f| f & INSTANCE_FLAG_MAY_LEAVE == 0)
    );
    assert!(inst.may_leave());
}

#[test]
fn stored_strings_write_their_pair() {
    let mut m = TestMemory::new(256);
    let at = store(&mut m, UTF8, None, "abc").unwrap();
    let (ptr, len) = (m.u32_at(at), m.u32_at(at + 4));
    assert_eq!(len, 3);
    assert_eq!(&m.bytes()[ptr as usize..ptr as usize + 3], b"abc");
}

#[test]
fn memory_views_come_from_memory_definitions() {
    let mut m = TestMemory::new(64);
    m.write(4, b"ok");
    let def = kiln_abi::vmctx::VMMemoryDefinition {
        base: m.bytes().as_ptr().cast_mut(),
        current_length: 64,
    };
    // SAFETY: `def` describes the live test memory.
    let view = unsafe { GuestMemory::from_definition(&def) };
    assert_eq!(
        (view.len(), view.in_bounds(62, 2), view.in_bounds(63, 2)),
        (64, true, false)
    );
    // SAFETY: no writes while reading.
    let s: String = lift_flat(unsafe { view.bytes() }, UTF8, None, &[4, 2]).unwrap();
    assert_eq!(s, "ok");
    // SAFETY: null is allowed.
    assert!(unsafe { GuestMemory::from_definition(std::ptr::null()) }.is_empty());
}
