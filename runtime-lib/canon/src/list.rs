//! Lists: `load_list`/`store_list` of `CanonicalABI.md` for `Vec<T>` and
//! `[T]`, and the zero-copy [`GuestBytes`] view of a `list<u8>`.
//!
//! Lifting checks the whole element range once, in Wasmtime's order (bounds
//! first, then alignment to the element type), then loads each element.
//! Lowering allocates the whole buffer first with the element alignment,
//! also for an empty list (`realloc(0, 0, align, len * size)`), then stores
//! the elements in order ([`HostBytes`] copies a byte buffer at once), so strings and lists inside elements are
//! allocated after their list, element by element, as the spec orders it.

use super::memory::{LiftCx, LowerCx};
use super::string::{load_pair, store_pair};
use super::trap::{self, Trap};
use super::value::{ComponentType, FlatSink, FlatSource, Lift, Lower};
use kiln_abi::component::{MAX_LIST_BYTE_LENGTH, TypeDef, TypeError, TypeIndex, TypeTableBuilder};

/// A `list<u8>` lifted without copying: a slice of guest memory, valid until
/// the guest runs again (see [`super::memory`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct GuestBytes<'m>(pub &'m [u8]);

impl std::ops::Deref for GuestBytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.0
    }
}

/// A `list<u8>` the host lowers from a borrowed buffer: one `realloc` and
/// one copy, instead of a store per byte (for stream reads and similar).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct HostBytes<'a>(pub &'a [u8]);

/// Checks the range of a `list<T>` of `len` elements at `ptr` and returns
/// its bytes.
fn list_range<'m, T: ComponentType>(
    cx: &LiftCx<'m, '_>,
    ptr: u32,
    len: u32,
) -> Result<&'m [u8], Trap> {
    let bytes = u64::from(len) * u64::from(T::SIZE32);
    let range = cx.slice(ptr, bytes, trap::list_out_of_bounds)?;
    if !ptr.is_multiple_of(T::ALIGN32) {
        return Err(trap::list_unaligned());
    }
    Ok(range)
}

/// `load_list_from_range`.
pub fn load_list_from_range<'m, T: Lift<'m>>(
    cx: &mut LiftCx<'m, '_>,
    ptr: u32,
    len: u32,
) -> Result<Vec<T>, Trap> {
    list_range::<T>(cx, ptr, len)?;
    (0..len).map(|i| T::load(cx, ptr + i * T::SIZE32)).collect()
}

/// `store_list_into_range` (the buffer, then each element): returns
/// `(ptr, len)`.
pub fn store_list<T: Lower>(cx: &mut LowerCx<'_>, items: &[T]) -> Result<(u32, u32), Trap> {
    let bytes = (items.len() as u64)
        .checked_mul(u64::from(T::SIZE32))
        .filter(|b| *b <= u64::from(MAX_LIST_BYTE_LENGTH))
        .ok_or_else(trap::list_too_long)?;
    let ptr = cx.realloc(0, 0, T::ALIGN32, bytes as u32)?;
    for (i, item) in items.iter().enumerate() {
        item.store(cx, ptr + i as u32 * T::SIZE32)?;
    }
    Ok((ptr, items.len() as u32))
}

macro_rules! list_type {
    ($([$($g:tt)*] $t:ty => $e:ty),*) => {$(
        impl<$($g)*> ComponentType for $t {
            const FLAT: usize = 2;
            const SIZE32: u32 = 8;
            const ALIGN32: u32 = 4;
            fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
                let e = <$e>::describe(b)?;
                b.add(TypeDef::List(e))
            }
        }
    )*};
}

list_type!(
    [T: ComponentType] Vec<T> => T,
    [T: ComponentType] [T] => T,
    ['m] GuestBytes<'m> => u8,
    ['a] HostBytes<'a> => u8
);

impl<'m, T: Lift<'m>> Lift<'m> for Vec<T> {
    fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        let ptr = src.next_slot() as u32;
        let len = src.next_slot() as u32;
        load_list_from_range(cx, ptr, len)
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        let (p, len) = load_pair(cx, ptr)?;
        load_list_from_range(cx, p, len)
    }
}

impl<'m> Lift<'m> for GuestBytes<'m> {
    fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        let ptr = src.next_slot() as u32;
        let len = src.next_slot() as u32;
        list_range::<u8>(cx, ptr, len).map(GuestBytes)
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        let (p, len) = load_pair(cx, ptr)?;
        list_range::<u8>(cx, p, len).map(GuestBytes)
    }
}

impl<T: Lower> Lower for [T] {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        let (ptr, len) = store_list(cx, self)?;
        dst.push(u64::from(ptr));
        dst.push(u64::from(len));
        Ok(())
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        let (p, len) = store_list(cx, self)?;
        store_pair(cx, ptr, p, len)
    }
}

impl<T: Lower> Lower for Vec<T> {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        self.as_slice().lower_flat(cx, dst)
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        self.as_slice().store(cx, ptr)
    }
}

impl HostBytes<'_> {
    /// `store_list_into_range` for bytes: the same single `realloc` as
    /// `Vec<u8>`, then one copy.
    fn store_bytes(&self, cx: &mut LowerCx<'_>) -> Result<(u32, u32), Trap> {
        let len = u32::try_from(self.0.len())
            .ok()
            .filter(|l| *l <= MAX_LIST_BYTE_LENGTH)
            .ok_or_else(trap::list_too_long)?;
        let ptr = cx.realloc(0, 0, 1, len)?;
        cx.write(ptr, self.0)?;
        Ok((ptr, len))
    }
}

impl Lower for HostBytes<'_> {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        let (ptr, len) = self.store_bytes(cx)?;
        dst.push(u64::from(ptr));
        dst.push(u64::from(len));
        Ok(())
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        let (p, len) = self.store_bytes(cx)?;
        store_pair(cx, ptr, p, len)
    }
}
