//! Aggregates: the layout arithmetic of records and variants as `const fn`s
//! (so that `SIZE32`/`ALIGN32` of generic and macro-generated types are
//! constants), discriminant load/store, and the implementations for `()`,
//! tuples, `Option<T>` and `Result<T, E>`.
//!
//! `()` stands for "no payload": as a `result` payload
//! (`Result<(), E>` is `result<_, E>`), as the parameters of a function
//! without any, and as a result-less function's result. It flattens to
//! nothing and occupies no bytes, which gives the same layouts as an absent
//! payload.
//!
//! Variants lift per `lift_flat_variant`: the discriminant (trapping when it
//! names no case), the case's payload, then the rest of the joined payload
//! slots skipped; lowering writes the discriminant, the payload and zeros
//! for the rest. In memory the discriminant is 1, 2 or 4 bytes
//! (`discriminant_type`) and the payload sits at one offset for every case.

use super::memory::{LiftCx, LowerCx};
use super::trap::{self, Trap};
use super::value::{ComponentType, FlatSink, FlatSource, Lift, Lower};
use kiln_abi::component::{
    TypeDef, TypeError, TypeIndex, TypeTableBuilder, align_to, discriminant_size,
};

/// The larger of two `u32`s, in constant contexts.
pub const fn max_u32(a: u32, b: u32) -> u32 {
    if a > b { a } else { b }
}

/// The larger of two `usize`s, in constant contexts.
pub const fn max_usize(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// `alignment_record` of fields with these `(size, align)` pairs.
pub const fn record_align(fields: &[(u32, u32)]) -> u32 {
    let mut a = 1;
    let mut i = 0;
    while i < fields.len() {
        a = max_u32(a, fields[i].1);
        i += 1;
    }
    a
}

/// `elem_size_record` of fields with these `(size, align)` pairs.
pub const fn record_size(fields: &[(u32, u32)]) -> u32 {
    let mut s = 0;
    let mut i = 0;
    while i < fields.len() {
        s = align_to(s, fields[i].1) + fields[i].0;
        i += 1;
    }
    align_to(s, record_align(fields))
}

/// `(payload offset, elem_size, alignment)` of a variant with `num_cases`
/// cases whose payloads have these `(size, align)` pairs (cases without a
/// payload contribute nothing and may be left out).
pub const fn variant_layout(num_cases: u32, payloads: &[(u32, u32)]) -> (u32, u32, u32) {
    let disc = discriminant_size(num_cases);
    let mut max_align = 1;
    let mut max_size = 0;
    let mut i = 0;
    while i < payloads.len() {
        max_align = max_u32(max_align, payloads[i].1);
        max_size = max_u32(max_size, payloads[i].0);
        i += 1;
    }
    let align = max_u32(disc, max_align);
    let offset = align_to(disc, max_align);
    (offset, align_to(offset + max_size, align), align)
}

/// `flatten_variant` length: the discriminant plus the longest payload.
pub const fn variant_flat(payload_flats: &[usize]) -> usize {
    let mut m = 0;
    let mut i = 0;
    while i < payload_flats.len() {
        m = max_usize(m, payload_flats[i]);
        i += 1;
    }
    1 + m
}

/// The offset of the next field of type `T` in a record whose previous
/// fields end at `*end`; advances `*end` past it.
pub fn next_field<T: ComponentType + ?Sized>(end: &mut u32) -> u32 {
    let off = align_to(*end, T::ALIGN32);
    *end = off + T::SIZE32;
    off
}

/// Loads the discriminant of a variant with `num_cases` cases at `ptr`.
pub fn load_discriminant(cx: &LiftCx<'_, '_>, ptr: u32, num_cases: u32) -> Result<u32, Trap> {
    Ok(match discriminant_size(num_cases) {
        1 => u32::from(cx.read::<1>(ptr)?[0]),
        2 => u32::from(u16::from_le_bytes(cx.read(ptr)?)),
        _ => u32::from_le_bytes(cx.read(ptr)?),
    })
}

/// Stores discriminant `d` of a variant with `num_cases` cases at `ptr`.
pub fn store_discriminant(
    cx: &mut LowerCx<'_>,
    ptr: u32,
    num_cases: u32,
    d: u32,
) -> Result<(), Trap> {
    match discriminant_size(num_cases) {
        1 => cx.write(ptr, &[d as u8]),
        2 => cx.write(ptr, &(d as u16).to_le_bytes()),
        _ => cx.write(ptr, &d.to_le_bytes()),
    }
}

/// Lifts the payload `T` of a case of a variant flattening to
/// `variant_flat` values, skipping the rest of the joined payload.
pub fn lift_case<'m, T: Lift<'m>>(
    cx: &mut LiftCx<'m, '_>,
    src: &mut FlatSource<'_>,
    variant_flat: usize,
) -> Result<T, Trap> {
    let v = T::lift_flat(cx, src)?;
    src.skip(variant_flat - 1 - T::FLAT);
    Ok(v)
}

/// Lowers discriminant `d` and payload `v` of a variant flattening to
/// `variant_flat` values, padding the rest of the joined payload.
pub fn lower_case<T: Lower + ?Sized>(
    cx: &mut LowerCx<'_>,
    dst: &mut FlatSink<'_>,
    variant_flat: usize,
    d: u32,
    v: &T,
) -> Result<(), Trap> {
    dst.push(u64::from(d));
    v.lower_flat(cx, dst)?;
    dst.pad(variant_flat - 1 - T::FLAT);
    Ok(())
}

impl ComponentType for () {
    const FLAT: usize = 0;
    const SIZE32: u32 = 0;
    const ALIGN32: u32 = 1;
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        b.add(TypeDef::Tuple(&[]))
    }
    fn describe_payload(_b: &mut TypeTableBuilder) -> Result<Option<TypeIndex>, TypeError> {
        Ok(None)
    }
}

impl<'m> Lift<'m> for () {
    fn lift_flat(_cx: &mut LiftCx<'m, '_>, _src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        Ok(())
    }
    fn load(_cx: &mut LiftCx<'m, '_>, _ptr: u32) -> Result<Self, Trap> {
        Ok(())
    }
}

impl Lower for () {
    fn lower_flat(&self, _cx: &mut LowerCx<'_>, _dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        Ok(())
    }
    fn store(&self, _cx: &mut LowerCx<'_>, _ptr: u32) -> Result<(), Trap> {
        Ok(())
    }
}

macro_rules! tuples {
    ($(($($t:ident $v:ident),+);)*) => {$(
        impl<$($t: ComponentType),+> ComponentType for ($($t,)+) {
            const FLAT: usize = 0 $(+ $t::FLAT)+;
            const SIZE32: u32 = record_size(&[$(($t::SIZE32, $t::ALIGN32)),+]);
            const ALIGN32: u32 = record_align(&[$(($t::SIZE32, $t::ALIGN32)),+]);
            fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
                let elems = [$($t::describe(b)?),+];
                b.add(TypeDef::Tuple(&elems))
            }
        }

        impl<'m, $($t: Lift<'m>),+> Lift<'m> for ($($t,)+) {
            fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
                Ok(($($t::lift_flat(cx, src)?,)+))
            }
            fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
                let mut end = 0;
                Ok(($($t::load(cx, ptr + next_field::<$t>(&mut end))?,)+))
            }
        }

        impl<$($t: Lower),+> Lower for ($($t,)+) {
            fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
                let ($($v,)+) = self;
                $($v.lower_flat(cx, dst)?;)+
                Ok(())
            }
            fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
                let ($($v,)+) = self;
                let mut end = 0;
                $($v.store(cx, ptr + next_field::<$t>(&mut end))?;)+
                Ok(())
            }
        }
    )*};
}

tuples! {
    (A a);
    (A a, B b);
    (A a, B b, C c);
    (A a, B b, C c, D d);
    (A a, B b, C c, D d, E e);
    (A a, B b, C c, D d, E e, F f);
    (A a, B b, C c, D d, E e, F f, G g);
    (A a, B b, C c, D d, E e, F f, G g, H h);
    (A a, B b, C c, D d, E e, F f, G g, H h, I i);
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m);
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n);
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o);
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p);
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p, Q q);
}

impl<T: ComponentType> ComponentType for Option<T> {
    const FLAT: usize = variant_flat(&[T::FLAT]);
    const SIZE32: u32 = variant_layout(2, &[(T::SIZE32, T::ALIGN32)]).1;
    const ALIGN32: u32 = variant_layout(2, &[(T::SIZE32, T::ALIGN32)]).2;
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        let t = T::describe(b)?;
        b.add(TypeDef::Option(t))
    }
}

impl<'m, T: Lift<'m>> Lift<'m> for Option<T> {
    fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        match src.next_slot() as u32 {
            0 => {
                src.skip(Self::FLAT - 1);
                Ok(None)
            }
            1 => lift_case(cx, src, Self::FLAT).map(Some),
            _ => Err(trap::invalid_option()),
        }
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        let offset = variant_layout(2, &[(T::SIZE32, T::ALIGN32)]).0;
        match load_discriminant(cx, ptr, 2)? {
            0 => Ok(None),
            1 => T::load(cx, ptr + offset).map(Some),
            _ => Err(trap::invalid_option()),
        }
    }
}

impl<T: Lower> Lower for Option<T> {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        match self {
            None => lower_case(cx, dst, Self::FLAT, 0, &()),
            Some(v) => lower_case(cx, dst, Self::FLAT, 1, v),
        }
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        let offset = variant_layout(2, &[(T::SIZE32, T::ALIGN32)]).0;
        match self {
            None => store_discriminant(cx, ptr, 2, 0),
            Some(v) => {
                store_discriminant(cx, ptr, 2, 1)?;
                v.store(cx, ptr + offset)
            }
        }
    }
}

impl<T: ComponentType, E: ComponentType> ComponentType for Result<T, E> {
    const FLAT: usize = variant_flat(&[T::FLAT, E::FLAT]);
    const SIZE32: u32 = variant_layout(2, &[(T::SIZE32, T::ALIGN32), (E::SIZE32, E::ALIGN32)]).1;
    const ALIGN32: u32 = variant_layout(2, &[(T::SIZE32, T::ALIGN32), (E::SIZE32, E::ALIGN32)]).2;
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        let ok = T::describe_payload(b)?;
        let err = E::describe_payload(b)?;
        b.add(TypeDef::Result { ok, err })
    }
}

impl<'m, T: Lift<'m>, E: Lift<'m>> Lift<'m> for Result<T, E> {
    fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        match src.next_slot() as u32 {
            0 => lift_case(cx, src, Self::FLAT).map(Ok),
            1 => lift_case(cx, src, Self::FLAT).map(Err),
            _ => Err(trap::invalid_result()),
        }
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        let offset = variant_layout(2, &[(T::SIZE32, T::ALIGN32), (E::SIZE32, E::ALIGN32)]).0;
        match load_discriminant(cx, ptr, 2)? {
            0 => T::load(cx, ptr + offset).map(Ok),
            1 => E::load(cx, ptr + offset).map(Err),
            _ => Err(trap::invalid_result()),
        }
    }
}

impl<T: Lower, E: Lower> Lower for Result<T, E> {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        match self {
            Ok(v) => lower_case(cx, dst, Self::FLAT, 0, v),
            Err(e) => lower_case(cx, dst, Self::FLAT, 1, e),
        }
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        let offset = variant_layout(2, &[(T::SIZE32, T::ALIGN32), (E::SIZE32, E::ALIGN32)]).0;
        match self {
            Ok(v) => {
                store_discriminant(cx, ptr, 2, 0)?;
                v.store(cx, ptr + offset)
            }
            Err(e) => {
                store_discriminant(cx, ptr, 2, 1)?;
                e.store(cx, ptr + offset)
            }
        }
    }
}
