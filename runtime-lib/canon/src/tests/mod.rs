//! Unit tests of the canonical-ABI machinery, against a Vec-backed memory
//! with a recording bump allocator ([`TestMemory`]).

mod call;
mod compound;
mod handles;
mod lists;
mod scalars;
mod strings;
mod transcode;

use super::abi::{PtrType, StringEncoding, TypeTableBuilder, align_to};
use super::{
    ComponentType, FlatSink, FlatSource, GuestMemory, InstanceAccess, InstanceState, Lift, LiftCx,
    Lower, LowerCx, Realloc, Trap,
};

pub use crate::fixture::{Mode, TestMemory};

/// Lowers `v` flat with `enc` (and an instance for handles).
pub fn lower_flat<T: Lower + ?Sized>(
    mem: &mut TestMemory,
    enc: StringEncoding,
    inst: Option<&mut InstanceState>,
    v: &T,
) -> Result<Vec<u64>, Trap> {
    let mut slots = vec![0xdead_beef_dead_beef; T::FLAT];
    let view = mem.view();
    let inst = inst.map(|i| i as &mut dyn InstanceAccess);
    let mut cx = LowerCx::new(view, Some(mem), enc, inst);
    let mut sink = FlatSink::new(&mut slots);
    v.lower_flat(&mut cx, &mut sink)?;
    assert_eq!(sink.position(), T::FLAT, "lower_flat wrote FLAT slots");
    Ok(slots)
}

/// Lifts a `T` from `slots` with `enc`.
pub fn lift_flat<'m, T: Lift<'m>>(
    bytes: &'m [u8],
    enc: StringEncoding,
    inst: Option<&mut InstanceState>,
    slots: &[u64],
) -> Result<T, Trap> {
    let mut cx = LiftCx::new(bytes, enc, inst);
    let mut src = FlatSource::new(slots);
    let v = T::lift_flat(&mut cx, &mut src)?;
    assert_eq!(src.position(), T::FLAT, "lift_flat read FLAT slots");
    Ok(v)
}

/// Stores `v` at a fresh aligned address (not through `realloc`) and
/// returns the address.
pub fn store<T: Lower + ?Sized>(
    mem: &mut TestMemory,
    enc: StringEncoding,
    inst: Option<&mut InstanceState>,
    v: &T,
) -> Result<u32, Trap> {
    let at = align_to(mem.bump, T::ALIGN32.max(8));
    mem.bump = at + T::SIZE32;
    let view = mem.view();
    let inst = inst.map(|i| i as &mut dyn InstanceAccess);
    let mut cx = LowerCx::new(view, Some(mem), enc, inst);
    v.store(&mut cx, at)?;
    Ok(at)
}

/// Loads a `T` at `at`.
pub fn load<'m, T: Lift<'m>>(
    bytes: &'m [u8],
    enc: StringEncoding,
    inst: Option<&mut InstanceState>,
    at: u32,
) -> Result<T, Trap> {
    T::load(&mut LiftCx::new(bytes, enc, inst), at)
}

/// Round trip of an owned value through slots and through memory.
pub fn round_trip<T>(v: &T)
where
    T: Lower + for<'m> Lift<'m> + PartialEq + std::fmt::Debug,
{
    for enc in [
        StringEncoding::Utf8,
        StringEncoding::Utf16,
        StringEncoding::Latin1Utf16,
    ] {
        let mut mem = TestMemory::new(1 << 16);
        let slots = lower_flat(&mut mem, enc, None, v).expect("lower_flat");
        let back: T = lift_flat(mem.bytes(), enc, None, &slots).expect("lift_flat");
        assert_eq!(&back, v, "flat round trip ({enc:?})");
        let at = store(&mut mem, enc, None, v).expect("store");
        let back: T = load(mem.bytes(), enc, None, at).expect("load");
        assert_eq!(&back, v, "memory round trip ({enc:?})");
    }
}

/// Checks `T`'s static facts against `kiln_abi::component`'s layout and
/// flattening of the type `T::describe` builds.
pub fn agrees<T: ComponentType + ?Sized>() {
    let mut b = TypeTableBuilder::new();
    let t = T::describe(&mut b).expect("describe");
    let table = b.table();
    table.validate().expect("valid table");
    let name = std::any::type_name::<T>();
    assert_eq!(
        table.elem_size(t, PtrType::I32),
        T::SIZE32,
        "SIZE32 of {name}"
    );
    assert_eq!(
        table.alignment(t, PtrType::I32),
        T::ALIGN32,
        "ALIGN32 of {name}"
    );
    let flat = table.flatten_types(&[t], PtrType::I32);
    assert_eq!(flat.len(), T::FLAT as u64, "FLAT of {name}");
}

/// The message of a trap result.
pub fn msg<T: std::fmt::Debug>(r: Result<T, Trap>) -> String {
    match r {
        Ok(v) => panic!("expected a trap, got {v:?}"),
        Err(t) => t.message,
    }
}
