//! Lists: round trips, the spec's allocation order, and the lifting traps.

use super::*;
use crate::GuestBytes;

const UTF8: StringEncoding = StringEncoding::Utf8;

#[test]
fn layouts_agree() {
    agrees::<Vec<u8>>();
    agrees::<Vec<String>>();
    agrees::<Vec<Vec<u32>>>();
    agrees::<Vec<(u8, u64)>>();
    agrees::<[u64]>();
    agrees::<GuestBytes<'static>>();
}

#[test]
fn round_trips() {
    round_trip(&Vec::<u32>::new());
    round_trip(&vec![1u32, 2, 3]);
    round_trip(&vec![0x55u8; 100]);
    round_trip(&vec!["a".to_string(), String::new(), "日本".to_string()]);
    round_trip(&vec![vec![1u16, 2], vec![], vec![3]]);
    round_trip(&vec![(1u8, 2u64), (3, 4)]);
    round_trip(&vec![Some('x'), None]);
}

#[test]
fn buffer_first_then_elements_in_order() {
    let mut m = TestMemory::new(1024);
    let v = vec!["ab".to_string(), "c".to_string()];
    let slots = lower_flat(&mut m, UTF8, None, &v).unwrap();
    assert_eq!(m.calls, [(0, 0, 4, 16), (0, 0, 1, 2), (0, 0, 1, 1)]);
    assert_eq!(slots, [16, 2]);
    // The elements' (ptr, len) pairs are in the buffer.
    assert_eq!(
        (m.u32_at(16), m.u32_at(20), m.u32_at(24), m.u32_at(28)),
        (32, 2, 34, 1)
    );

    let mut m = TestMemory::new(1024);
    lower_flat(&mut m, UTF8, None, &vec![vec![1u16, 2], vec![3]]).unwrap();
    assert_eq!(m.calls, [(0, 0, 4, 16), (0, 0, 2, 4), (0, 0, 2, 2)]);
}

#[test]
fn empty_lists_still_allocate_with_element_alignment() {
    let mut m = TestMemory::new(1024);
    assert_eq!(
        lower_flat(&mut m, UTF8, None, &Vec::<u64>::new()).unwrap()[1],
        0
    );
    lower_flat(&mut m, UTF8, None, &Vec::<String>::new()).unwrap();
    lower_flat(&mut m, UTF8, None, &Vec::<u8>::new()).unwrap();
    assert_eq!(m.calls, [(0, 0, 8, 0), (0, 0, 4, 0), (0, 0, 1, 0)]);
}

#[test]
fn guest_bytes_borrow_memory() {
    let mut m = TestMemory::new(64);
    m.write(10, b"xyz");
    let b: GuestBytes<'_> = lift_flat(m.bytes(), UTF8, None, &[10, 3]).unwrap();
    assert_eq!(&*b, b"xyz");
    assert_eq!(b.as_ptr(), m.bytes()[10..].as_ptr(), "zero-copy");
    let b: GuestBytes<'_> = lift_flat(m.bytes(), UTF8, None, &[64, 0]).unwrap();
    assert!(
        b.is_empty(),
        "an empty list at the end of memory is in bounds"
    );
}

#[test]
fn lifting_traps() {
    let mut m = TestMemory::new(64);
    for (ptr, len) in [
        (60u64, 2u64),
        (0, 17),
        (u64::from(u32::MAX), 1),
        (8, u64::from(u32::MAX)),
    ] {
        assert_eq!(
            msg(lift_flat::<Vec<u32>>(m.bytes(), UTF8, None, &[ptr, len])),
            "list pointer/length out of bounds of memory"
        );
    }
    assert_eq!(
        msg(lift_flat::<GuestBytes<'_>>(m.bytes(), UTF8, None, &[65, 0])),
        "list pointer/length out of bounds of memory"
    );
    assert_eq!(
        msg(lift_flat::<Vec<u32>>(m.bytes(), UTF8, None, &[2, 1])),
        "list pointer is not aligned"
    );
    assert_eq!(
        msg(lift_flat::<Vec<u64>>(m.bytes(), UTF8, None, &[4, 0])),
        "list pointer is not aligned",
        "even when empty"
    );
    // Out of bounds wins over misalignment (Wasmtime's order).
    assert_eq!(
        msg(lift_flat::<Vec<u32>>(m.bytes(), UTF8, None, &[62, 1])),
        "list pointer/length out of bounds of memory"
    );
    // Element traps surface.
    m.write(8, &0xd800u32.to_le_bytes());
    assert_eq!(
        msg(lift_flat::<Vec<char>>(m.bytes(), UTF8, None, &[8, 1])),
        "converted integer out of range for `char`"
    );
    // Nested: the inner list's pair is checked when loaded.
    m.write(16, &60u32.to_le_bytes());
    m.write(20, &8u32.to_le_bytes());
    assert_eq!(
        msg(lift_flat::<Vec<Vec<u8>>>(m.bytes(), UTF8, None, &[16, 1])),
        "list pointer/length out of bounds of memory"
    );
}

#[test]
fn lowering_checks_the_buffer_realloc_returns() {
    let mut m = TestMemory::new(64);
    m.mode = Mode::Fixed(2);
    assert_eq!(
        msg(lower_flat(&mut m, UTF8, None, &vec![1u32])),
        "realloc return: result not aligned"
    );
    m.mode = Mode::Fixed(60);
    assert_eq!(
        msg(lower_flat(&mut m, UTF8, None, &vec![1u32, 2])),
        "realloc return: beyond end of memory"
    );
}

#[test]
fn host_bytes_lower_like_a_byte_list() {
    use crate::HostBytes;
    agrees::<HostBytes<'static>>();
    let mut m = TestMemory::new(256);
    let slots = lower_flat(&mut m, UTF8, None, &HostBytes(b"hello")).unwrap();
    assert_eq!(m.calls, [(0, 0, 1, 5)]);
    let back: Vec<u8> = lift_flat(m.bytes(), UTF8, None, &slots).unwrap();
    assert_eq!(back, b"hello");
    let at = store(&mut m, UTF8, None, &HostBytes(b"")).unwrap();
    assert_eq!(m.calls.last(), Some(&(0, 0, 1, 0)));
    assert_eq!(m.u32_at(at + 4), 0);
}

/// An element type with a huge memory size and no host size.
#[derive(Debug)]
struct Huge;

impl ComponentType for Huge {
    const FLAT: usize = 1;
    const SIZE32: u32 = 1 << 20;
    const ALIGN32: u32 = 1;
    fn describe(
        b: &mut TypeTableBuilder,
    ) -> Result<super::super::abi::TypeIndex, super::super::abi::TypeError> {
        u8::describe(b)
    }
}

impl Lower for Huge {
    fn lower_flat(&self, _: &mut LowerCx<'_>, _: &mut FlatSink<'_>) -> Result<(), Trap> {
        Ok(())
    }
    fn store(&self, _: &mut LowerCx<'_>, _: u32) -> Result<(), Trap> {
        Ok(())
    }
}

#[test]
fn lists_past_the_byte_limit_trap_before_allocating() {
    let mut m = TestMemory::new(64);
    // 256 elements of 2^20 bytes: 2^28 bytes, one past the limit.
    let v: Vec<Huge> = (0..256).map(|_| Huge).collect();
    assert_eq!(
        msg(lower_flat(&mut m, UTF8, None, &v)),
        "size overflow copying a list"
    );
    assert!(m.calls.is_empty());
    let v: Vec<Huge> = (0..255).map(|_| Huge).collect();
    assert_eq!(
        msg(lower_flat(&mut m, UTF8, None, &v)),
        "realloc return: beyond end of memory",
        "255 MiB is allowed (and then does not fit)"
    );
}

#[test]
fn records_allocate_field_by_field() {
    let mut m = TestMemory::new(1024);
    let v = (
        "ab".to_string(),
        vec!["c".to_string()],
        7u8,
        "d".to_string(),
    );
    store(&mut m, UTF8, None, &v).unwrap();
    assert_eq!(
        m.calls,
        [(0, 0, 1, 2), (0, 0, 4, 8), (0, 0, 1, 1), (0, 0, 1, 1)]
    );
}
