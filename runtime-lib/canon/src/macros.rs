//! Declarative macros implementing [`ComponentType`], [`Lift`] and
//! [`Lower`] for host-side Rust types that mirror WIT types:
//! - `wit_record!` for a `record` (a struct with named fields; field names
//!   become kebab-case labels: `_` -> `-`);
//! - `wit_variant!` for a `variant` (an enum whose cases have at most one
//!   payload type each, with explicit WIT labels);
//! - `wit_enum!` for an `enum` (a field-less enum, derives `Copy`, `Eq`,
//!   `Hash`, `Debug`);
//! - `wit_flags!` for a `flags` (a `u32` bit set with one constant per
//!   label, derives `Copy`, `Eq`, `Hash`, `Debug`, `Default`).
//!
//! Field and payload types must be owned (`Lift<'m>` for every `'m`).
//! Lifting traps on a variant or enum discriminant past the last case
//! (Wasmtime's "unexpected discriminant: N"); flags bits past the last label
//! are ignored, as the spec's `unpack_flags_from_int` does.
//!
//! ```ignore
//! // (Not run: doctests cannot link the runtime, which defines `main`;
//! // `tests/compound.rs` checks the same layouts.)
//! kiln_canon::wit_record! {
//!     #[derive(Debug, PartialEq)]
//!     pub struct Datetime { pub seconds: u64, pub nanoseconds: u32 }
//! }
//! kiln_canon::wit_enum! { pub enum Kind { File = "file", Dir = "directory" } }
//! kiln_canon::wit_variant! {
//!     #[derive(Debug, PartialEq)]
//!     pub enum Time { Now = "now", At(Datetime) = "timestamp" }
//! }
//! kiln_canon::wit_flags! { pub struct Perms { READ = "read", WRITE = "write" } }
//! use kiln_canon::ComponentType;
//! assert_eq!((Datetime::SIZE32, Time::SIZE32, Kind::SIZE32, Perms::SIZE32), (16, 24, 1, 1));
//! ```
//!
//! [`ComponentType`]: super::ComponentType
//! [`Lift`]: super::Lift
//! [`Lower`]: super::Lower

/// Index of `name` in `names` (labels of a generated enum or flags), in
/// constant contexts.
pub const fn label_index(names: &[&str], name: &str) -> u32 {
    let mut i = 0;
    while i < names.len() {
        if kiln_abi::wasi_p2::str_eq(names[i], name) {
            return i as u32;
        }
        i += 1;
    }
    panic!("label not in list")
}

/// Implements the canonical-ABI traits for a record struct; see the module
/// docs of `kiln_canon::macros`.
#[macro_export]
macro_rules! wit_record {
    (
        $(#[$m:meta])*
        $vis:vis struct $name:ident { $($fvis:vis $field:ident : $ty:ty),+ $(,)? }
    ) => {
        $(#[$m])*
        $vis struct $name { $($fvis $field: $ty),+ }

        const _: () = {
            use $crate::{
                ComponentType, FlatSink, FlatSource, Lift, LiftCx, Lower, LowerCx, Trap,
            };
            use $crate::compound::{next_field, record_align, record_size};
            use $crate::abi::{TypeDef, TypeError, TypeIndex, TypeTableBuilder};

            impl ComponentType for $name {
                const FLAT: usize = 0 $(+ <$ty as ComponentType>::FLAT)+;
                const SIZE32: u32 =
                    record_size(&[$((<$ty as ComponentType>::SIZE32, <$ty as ComponentType>::ALIGN32)),+]);
                const ALIGN32: u32 =
                    record_align(&[$((<$ty as ComponentType>::SIZE32, <$ty as ComponentType>::ALIGN32)),+]);
                fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
                    // `r#type` is the WIT field `type`.
                    let names =
                        [$(stringify!($field).trim_start_matches("r#").replace('_', "-")),+];
                    let types = [$(<$ty as ComponentType>::describe(b)?),+];
                    let fields: Vec<(&str, TypeIndex)> =
                        names.iter().map(|n| n.as_str()).zip(types).collect();
                    b.add(TypeDef::Record(&fields))
                }
            }

            impl<'m> Lift<'m> for $name {
                fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
                    Ok($name { $($field: <$ty as Lift<'m>>::lift_flat(cx, src)?),+ })
                }
                fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
                    let mut end = 0;
                    Ok($name {
                        $($field: <$ty as Lift<'m>>::load(cx, ptr + next_field::<$ty>(&mut end))?),+
                    })
                }
            }

            impl Lower for $name {
                fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
                    $(self.$field.lower_flat(cx, dst)?;)+
                    Ok(())
                }
                fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
                    let mut end = 0;
                    $(self.$field.store(cx, ptr + next_field::<$ty>(&mut end))?;)+
                    Ok(())
                }
            }
        };
    };
}

/// Implements the canonical-ABI traits for a field-less enum; see the module
/// docs of `kiln_canon::macros`.
#[macro_export]
macro_rules! wit_enum {
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident { $($case:ident = $label:literal),+ $(,)? }
    ) => {
        $(#[$m])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        $vis enum $name { $($case),+ }

        const _: () = {
            use $crate::{
                ComponentType, FlatSink, FlatSource, Lift, LiftCx, Lower, LowerCx, Trap,
            };
            use $crate::compound::{load_discriminant, store_discriminant};
            use $crate::abi::{TypeDef, TypeError, TypeIndex, TypeTableBuilder};

            const CASES: &[$name] = &[$($name::$case),+];
            const N: u32 = CASES.len() as u32;

            fn from_index(d: u32) -> Result<$name, Trap> {
                CASES
                    .get(d as usize)
                    .copied()
                    .ok_or_else(|| $crate::trap::invalid_discriminant(d))
            }

            impl ComponentType for $name {
                const FLAT: usize = 1;
                const SIZE32: u32 = $crate::abi::discriminant_size(N);
                const ALIGN32: u32 = $crate::abi::discriminant_size(N);
                fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
                    b.add(TypeDef::Enum(&[$($label),+]))
                }
            }

            impl<'m> Lift<'m> for $name {
                fn lift_flat(_cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
                    from_index(src.next_slot() as u32)
                }
                fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
                    from_index(load_discriminant(cx, ptr, N)?)
                }
            }

            impl Lower for $name {
                fn lower_flat(&self, _cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
                    dst.push(*self as u64);
                    Ok(())
                }
                fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
                    store_discriminant(cx, ptr, N, *self as u32)
                }
            }
        };
    };
}

/// Implements the canonical-ABI traits for a variant enum; see the module
/// docs of `kiln_canon::macros`.
#[macro_export]
macro_rules! wit_variant {
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident { $($case:ident $(($payload:ty))? = $label:literal),+ $(,)? }
    ) => {
        $(#[$m])*
        $vis enum $name { $($case $(($payload))?),+ }

        const _: () = {
            use $crate::{
                ComponentType, FlatSink, FlatSource, Lift, LiftCx, Lower, LowerCx, Trap,
            };
            use $crate::compound::{
                lift_case, load_discriminant, lower_case, store_discriminant, variant_flat,
                variant_layout,
            };
            use $crate::abi::{TypeDef, TypeError, TypeIndex, TypeTableBuilder};

            #[allow(non_camel_case_types, dead_code)]
            #[repr(u32)]
            enum Case { $($case),+ }
            const N: u32 = [$($label),+].len() as u32;
            const LAYOUT: (u32, u32, u32) = variant_layout(
                N,
                &[$($((<$payload as ComponentType>::SIZE32, <$payload as ComponentType>::ALIGN32),)?)+],
            );
            const FLAT: usize = variant_flat(&[$($(<$payload as ComponentType>::FLAT,)?)+]);

            impl ComponentType for $name {
                const FLAT: usize = FLAT;
                const SIZE32: u32 = LAYOUT.1;
                const ALIGN32: u32 = LAYOUT.2;
                fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
                    let cases: &[(&str, Option<TypeIndex>)] = &[
                        $(($label, $crate::wit_variant!(@describe b $($payload)?))),+
                    ];
                    b.add(TypeDef::Variant(cases))
                }
            }

            impl<'m> Lift<'m> for $name {
                fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
                    let d = src.next_slot() as u32;
                    $(
                        if d == Case::$case as u32 {
                            return Ok($crate::wit_variant!(
                                @lift_flat cx, src, $name::$case $(, $payload)?
                            ));
                        }
                    )+
                    Err($crate::trap::invalid_discriminant(d))
                }
                fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
                    let d = load_discriminant(cx, ptr, N)?;
                    $(
                        if d == Case::$case as u32 {
                            return Ok($crate::wit_variant!(
                                @load cx, ptr + LAYOUT.0, $name::$case $(, $payload)?
                            ));
                        }
                    )+
                    Err($crate::trap::invalid_discriminant(d))
                }
            }

            impl Lower for $name {
                fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
                    $(
                        $crate::wit_variant!(
                            @lower_flat self, cx, dst, Case::$case as u32, $name::$case $(, $payload)?
                        );
                    )+
                    unreachable!("every case is matched above")
                }
                fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
                    $(
                        $crate::wit_variant!(
                            @store self, cx, ptr, Case::$case as u32, $name::$case $(, $payload)?
                        );
                    )+
                    unreachable!("every case is matched above")
                }
            }
        };
    };
    (@describe $b:ident $payload:ty) => {
        Some(<$payload as ComponentType>::describe($b)?)
    };
    (@describe $b:ident) => {
        None
    };
    (@lift_flat $cx:ident, $src:ident, $ctor:path, $payload:ty) => {
        $ctor(lift_case::<$payload>($cx, $src, FLAT)?)
    };
    (@lift_flat $cx:ident, $src:ident, $ctor:path) => {{
        $src.skip(FLAT - 1);
        $ctor
    }};
    (@load $cx:ident, $at:expr, $ctor:path, $payload:ty) => {
        $ctor(<$payload as Lift<'m>>::load($cx, $at)?)
    };
    (@load $cx:ident, $at:expr, $ctor:path) => {
        $ctor
    };
    (@lower_flat $self:ident, $cx:ident, $dst:ident, $d:expr, $ctor:path, $payload:ty) => {
        if let $ctor(v) = $self {
            return lower_case($cx, $dst, FLAT, $d, v);
        }
    };
    (@lower_flat $self:ident, $cx:ident, $dst:ident, $d:expr, $ctor:path) => {
        if let $ctor = $self {
            return lower_case($cx, $dst, FLAT, $d, &());
        }
    };
    (@store $self:ident, $cx:ident, $ptr:ident, $d:expr, $ctor:path, $payload:ty) => {
        if let $ctor(v) = $self {
            store_discriminant($cx, $ptr, N, $d)?;
            return v.store($cx, $ptr + LAYOUT.0);
        }
    };
    (@store $self:ident, $cx:ident, $ptr:ident, $d:expr, $ctor:path) => {
        if let $ctor = $self {
            return store_discriminant($cx, $ptr, N, $d);
        }
    };
}

/// Implements a `flags` bit set and its canonical-ABI traits; see the module
/// docs of `kiln_canon::macros`.
#[macro_export]
macro_rules! wit_flags {
    (
        $(#[$m:meta])*
        $vis:vis struct $name:ident { $($flag:ident = $label:literal),+ $(,)? }
    ) => {
        $(#[$m])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
        $vis struct $name {
            bits: u32,
        }

        const _: () = {
            use $crate::{
                ComponentType, FlatSink, FlatSource, Lift, LiftCx, Lower, LowerCx, Trap,
            };
            use $crate::macros::label_index;
            use $crate::abi::{TypeDef, TypeError, TypeIndex, TypeTableBuilder};

            const NAMES: &[&str] = &[$(stringify!($flag)),+];
            const N: u32 = NAMES.len() as u32;
            const _: () = assert!(N <= 32, "flags have at most 32 labels");
            const MASK: u32 = if N == 32 { u32::MAX } else { (1u32 << N) - 1 };

            #[allow(dead_code)]
            impl $name {
                $(pub const $flag: $name = $name { bits: 1 << label_index(NAMES, stringify!($flag)) };)+

                /// No flag set.
                pub const fn empty() -> $name {
                    $name { bits: 0 }
                }

                /// Every flag set.
                pub const fn all() -> $name {
                    $name { bits: MASK }
                }

                /// The bits (label `i` is bit `i`).
                pub const fn bits(self) -> u32 {
                    self.bits
                }

                /// From bits; bits past the last label are dropped.
                pub const fn from_bits_truncate(bits: u32) -> $name {
                    $name { bits: bits & MASK }
                }

                /// Whether every flag of `other` is set.
                pub const fn contains(self, other: $name) -> bool {
                    self.bits & other.bits == other.bits
                }
            }

            impl core::ops::BitOr for $name {
                type Output = $name;
                fn bitor(self, o: $name) -> $name {
                    $name { bits: self.bits | o.bits }
                }
            }

            impl ComponentType for $name {
                const FLAT: usize = $crate::abi::flags_num_i32(N) as usize;
                const SIZE32: u32 = $crate::abi::flags_size(N);
                const ALIGN32: u32 = $crate::abi::flags_alignment(N);
                fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
                    b.add(TypeDef::Flags(&[$($label),+]))
                }
            }

            impl<'m> Lift<'m> for $name {
                fn lift_flat(_cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
                    Ok($name::from_bits_truncate(src.next_slot() as u32))
                }
                fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
                    let bits = match <$name as ComponentType>::SIZE32 {
                        1 => u32::from(cx.read::<1>(ptr)?[0]),
                        2 => u32::from(u16::from_le_bytes(cx.read(ptr)?)),
                        _ => u32::from_le_bytes(cx.read(ptr)?),
                    };
                    Ok($name::from_bits_truncate(bits))
                }
            }

            impl Lower for $name {
                fn lower_flat(&self, _cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
                    dst.push(u64::from(self.bits));
                    Ok(())
                }
                fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
                    match <$name as ComponentType>::SIZE32 {
                        1 => cx.write(ptr, &[self.bits as u8]),
                        2 => cx.write(ptr, &(self.bits as u16).to_le_bytes()),
                        _ => cx.write(ptr, &self.bits.to_le_bytes()),
                    }
                }
            }
        };
    };
}
