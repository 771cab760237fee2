//! The canonical-ABI traits and the scalar types.
//!
//! - [`ComponentType`]: the static facts of a Rust type standing for a
//!   component value type: how many flat core values it takes (`FLAT`, the
//!   length of `flatten_type`, which may exceed the limits), its memory size
//!   and alignment (`SIZE32`, `ALIGN32`, 32-bit memories), and
//!   [`ComponentType::describe`], the same type in `kiln_abi::component`'s
//!   table (tests check that the two agree; a host can check a plan's types
//!   against it).
//! - [`Lift`]: component value -> Rust, from flat slots (`lift_flat`) or
//!   memory (`load`).
//! - [`Lower`]: Rust -> component value, into flat slots (`lower_flat`) or
//!   memory (`store`).
//!
//! Flat values travel in `u64` slots as the lowered-import contract says:
//! 32-bit values zero-extended, 64-bit values whole, floats as bits. Every
//! `join` coercion of variant payloads (`i32`/`f32` into `i32` or `i64`,
//! `f64` into `i64`) is then the identity on slot bits, and reading a
//! 32-bit value takes the low 32 bits (the spec's `wrap_i64_to_i32`), so
//! the implementations need only the count of each payload's flat values.
//!
//! Scalars follow `lift_flat`/`load`/`lower_flat`/`store`: integers wrap to
//! their width on lift, `bool` is "non-zero", `char` traps on surrogates and
//! values past `0x10FFFF`, floats canonicalize NaNs on lift and lower
//! (the deterministic profile's `maybe_scramble_nan`).

use super::memory::{LiftCx, LowerCx};
use super::trap::{self, Trap};
use kiln_abi::component::canon::{CANONICAL_FLOAT32_NAN, CANONICAL_FLOAT64_NAN};
use kiln_abi::component::{TypeDef, TypeError, TypeIndex, TypeTableBuilder};

/// Static canonical-ABI facts of a component value type (see the module
/// docs).
pub trait ComponentType {
    /// Number of flat core values (`len(flatten_type(t))`).
    const FLAT: usize;
    /// `elem_size(t)` in a 32-bit memory.
    const SIZE32: u32;
    /// `alignment(t)` in a 32-bit memory.
    const ALIGN32: u32;

    /// Adds this type (and its children) to `b` and returns its index.
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError>;

    /// This type as an optional payload (of a `result` or variant case):
    /// `None` for `()`, which stands for "no payload".
    fn describe_payload(b: &mut TypeTableBuilder) -> Result<Option<TypeIndex>, TypeError> {
        Self::describe(b).map(Some)
    }
}

/// Reads flat values from the caller's slots in order.
pub struct FlatSource<'s> {
    slots: &'s [u64],
    pos: usize,
}

impl<'s> FlatSource<'s> {
    /// A cursor at the first of `slots`.
    pub fn new(slots: &'s [u64]) -> FlatSource<'s> {
        FlatSource { slots, pos: 0 }
    }

    /// The next slot. Callers size the slots from `FLAT`, so running out is
    /// a wiring bug; it reads as 0 rather than panicking.
    pub fn next_slot(&mut self) -> u64 {
        let v = self.slots.get(self.pos).copied();
        debug_assert!(v.is_some(), "flat source exhausted");
        self.pos += 1;
        v.unwrap_or(0)
    }

    /// Skips `n` slots (the unused tail of a joined variant payload).
    pub fn skip(&mut self, n: usize) {
        self.pos += n;
    }

    /// Slots consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }
}

/// Writes flat values into the caller's slots in order.
pub struct FlatSink<'s> {
    slots: &'s mut [u64],
    pos: usize,
}

impl<'s> FlatSink<'s> {
    /// A cursor at the first of `slots`.
    pub fn new(slots: &'s mut [u64]) -> FlatSink<'s> {
        FlatSink { slots, pos: 0 }
    }

    /// Writes the next slot (see [`FlatSource::next_slot`] on sizing).
    pub fn push(&mut self, v: u64) {
        debug_assert!(self.pos < self.slots.len(), "flat sink full");
        if let Some(s) = self.slots.get_mut(self.pos) {
            *s = v;
        }
        self.pos += 1;
    }

    /// Writes `n` zero slots (the unused tail of a joined variant payload).
    pub fn pad(&mut self, n: usize) {
        for _ in 0..n {
            self.push(0);
        }
    }

    /// Slots written so far.
    pub fn position(&self) -> usize {
        self.pos
    }
}

/// A component value that can be lifted into Rust. `'m` is the lifetime of
/// the guest-memory view, which borrowed values (`GuestStr`, `GuestBytes`)
/// keep.
pub trait Lift<'m>: ComponentType + Sized {
    /// `lift_flat`: from the next `FLAT` slots.
    fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap>;

    /// `load`: from `SIZE32` bytes at `ptr`, which the caller checked
    /// (aligned to `ALIGN32`, inside memory).
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap>;
}

/// A Rust value that can be lowered into a component value.
pub trait Lower: ComponentType {
    /// `lower_flat`: into the next `FLAT` slots.
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap>;

    /// `store`: into `SIZE32` bytes at `ptr`, which the caller checked
    /// (aligned to `ALIGN32`, inside memory).
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap>;
}

impl<T: ComponentType + ?Sized> ComponentType for &T {
    const FLAT: usize = T::FLAT;
    const SIZE32: u32 = T::SIZE32;
    const ALIGN32: u32 = T::ALIGN32;
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        T::describe(b)
    }
}

impl<T: Lower + ?Sized> Lower for &T {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        (**self).lower_flat(cx, dst)
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        (**self).store(cx, ptr)
    }
}

/// Implements the traits for an integer type: `$flat` converts the value to
/// its slot bits (signed types sign-extend to their core width, which is
/// then zero-extended into the slot).
macro_rules! integers {
    ($($t:ty => $def:ident, |$v:ident| $flat:expr;)*) => {$(
        impl ComponentType for $t {
            const FLAT: usize = 1;
            const SIZE32: u32 = std::mem::size_of::<$t>() as u32;
            const ALIGN32: u32 = std::mem::size_of::<$t>() as u32;
            fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
                b.add(TypeDef::$def)
            }
        }

        impl<'m> Lift<'m> for $t {
            fn lift_flat(_cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
                // `lift_flat_unsigned`/`lift_flat_signed`: wrap to the width.
                Ok(src.next_slot() as $t)
            }
            fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
                Ok(<$t>::from_le_bytes(cx.read(ptr)?))
            }
        }

        impl Lower for $t {
            fn lower_flat(&self, _cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
                let $v = *self;
                dst.push($flat);
                Ok(())
            }
            fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
                cx.write(ptr, &self.to_le_bytes())
            }
        }
    )*};
}

integers! {
    u8 => U8, |v| u64::from(v);
    u16 => U16, |v| u64::from(v);
    u32 => U32, |v| u64::from(v);
    u64 => U64, |v| v;
    i8 => S8, |v| u64::from(i32::from(v) as u32);
    i16 => S16, |v| u64::from(i32::from(v) as u32);
    i32 => S32, |v| u64::from(v as u32);
    i64 => S64, |v| v as u64;
}

impl ComponentType for bool {
    const FLAT: usize = 1;
    const SIZE32: u32 = 1;
    const ALIGN32: u32 = 1;
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        b.add(TypeDef::Bool)
    }
}

impl<'m> Lift<'m> for bool {
    fn lift_flat(_cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        // `convert_int_to_bool` of the i32: any non-zero value is true.
        Ok(src.next_slot() as u32 != 0)
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        Ok(cx.read::<1>(ptr)?[0] != 0)
    }
}

impl Lower for bool {
    fn lower_flat(&self, _cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        dst.push(u64::from(*self));
        Ok(())
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        cx.write(ptr, &[u8::from(*self)])
    }
}

/// `convert_i32_to_char`: traps on surrogates and past `0x10FFFF`.
fn char_from_u32(v: u32) -> Result<char, Trap> {
    char::from_u32(v).ok_or_else(trap::invalid_char)
}

impl ComponentType for char {
    const FLAT: usize = 1;
    const SIZE32: u32 = 4;
    const ALIGN32: u32 = 4;
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        b.add(TypeDef::Char)
    }
}

impl<'m> Lift<'m> for char {
    fn lift_flat(_cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        char_from_u32(src.next_slot() as u32)
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        char_from_u32(u32::from_le_bytes(cx.read(ptr)?))
    }
}

impl Lower for char {
    fn lower_flat(&self, _cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        dst.push(u64::from(u32::from(*self)));
        Ok(())
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        cx.write(ptr, &u32::from(*self).to_le_bytes())
    }
}

/// `canonicalize_nan32` on bits.
pub fn canonical_f32_bits(f: f32) -> u32 {
    if f.is_nan() {
        CANONICAL_FLOAT32_NAN
    } else {
        f.to_bits()
    }
}

/// `canonicalize_nan64` on bits.
pub fn canonical_f64_bits(f: f64) -> u64 {
    if f.is_nan() {
        CANONICAL_FLOAT64_NAN
    } else {
        f.to_bits()
    }
}

impl ComponentType for f32 {
    const FLAT: usize = 1;
    const SIZE32: u32 = 4;
    const ALIGN32: u32 = 4;
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        b.add(TypeDef::F32)
    }
}

impl<'m> Lift<'m> for f32 {
    fn lift_flat(_cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        let f = f32::from_bits(src.next_slot() as u32);
        Ok(f32::from_bits(canonical_f32_bits(f)))
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        let f = f32::from_bits(u32::from_le_bytes(cx.read(ptr)?));
        Ok(f32::from_bits(canonical_f32_bits(f)))
    }
}

impl Lower for f32 {
    fn lower_flat(&self, _cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        dst.push(u64::from(canonical_f32_bits(*self)));
        Ok(())
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        cx.write(ptr, &canonical_f32_bits(*self).to_le_bytes())
    }
}

impl ComponentType for f64 {
    const FLAT: usize = 1;
    const SIZE32: u32 = 8;
    const ALIGN32: u32 = 8;
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        b.add(TypeDef::F64)
    }
}

impl<'m> Lift<'m> for f64 {
    fn lift_flat(_cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        let f = f64::from_bits(src.next_slot());
        Ok(f64::from_bits(canonical_f64_bits(f)))
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        let f = f64::from_bits(u64::from_le_bytes(cx.read(ptr)?));
        Ok(f64::from_bits(canonical_f64_bits(f)))
    }
}

impl Lower for f64 {
    fn lower_flat(&self, _cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        dst.push(canonical_f64_bits(*self));
        Ok(())
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        cx.write(ptr, &canonical_f64_bits(*self).to_le_bytes())
    }
}
