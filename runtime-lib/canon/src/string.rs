//! Strings: `load_string`/`store_string` of `CanonicalABI.md` for the three
//! encodings, with the host side always UTF-8 (Rust `str`).
//!
//! Lifting (`load_string_from_range`): the pointer must be aligned for the
//! encoding (1 for utf8, 2 otherwise) and the code units inside memory;
//! invalid UTF-8 and unpaired UTF-16 surrogates trap (the spec decodes
//! strictly). utf8 lifts without copying ([`GuestStr`] borrows memory);
//! utf16 and latin1 decode into an owned string.
//!
//! Lowering follows the spec's `store_string` for a UTF-8 source, so the
//! guest's `realloc` sees exactly the spec's calls:
//! - utf8: one `realloc(0, 0, 1, len)` and a copy;
//! - utf16: `realloc(0, 0, 2, 2 * len)` (worst case), encode, then shrink
//!   with `realloc(ptr, 2 * len, 2, 2 * units)` if smaller;
//! - latin1+utf16: `realloc(0, 0, 2, len)` and Latin-1 bytes while they
//!   fit; at the first code point above U+00FF, grow to `2 * len`, inflate
//!   the bytes written so far in place, encode the rest as UTF-16, shrink to
//!   `2 * units` if smaller and tag the length with `UTF16_TAG`; if the whole
//!   string was Latin-1, shrink to its length if smaller.
//!
//! A zero-length string still calls `realloc` (the spec does not special-
//! case it). Lifting does not apply `MAX_STRING_BYTE_LENGTH` (Wasmtime does
//! not either): the memory bound is the limit.

use super::memory::{LiftCx, LowerCx};
use super::trap::{self, Trap};
use super::value::{ComponentType, FlatSink, FlatSource, Lift, Lower};
use kiln_abi::component::{
    MAX_STRING_BYTE_LENGTH, StringEncoding, TypeDef, TypeError, TypeIndex, TypeTableBuilder,
    UTF16_TAG,
};
use std::borrow::Cow;

/// A string lifted from guest memory: borrowed for utf8 (valid until the
/// guest runs again, see [`super::memory`]), decoded for utf16/latin1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestStr<'m>(pub Cow<'m, str>);

impl std::ops::Deref for GuestStr<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl GuestStr<'_> {
    /// Whether the string points into guest memory (utf8) rather than
    /// owning decoded text.
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Cow::Borrowed(_))
    }
}

/// `load_string_from_range(ptr, tagged_code_units)` in the context's
/// encoding.
pub fn load_string_from_range<'m>(
    cx: &LiftCx<'m, '_>,
    ptr: u32,
    tagged_code_units: u32,
) -> Result<Cow<'m, str>, Trap> {
    enum Enc {
        Utf8,
        Utf16,
        Latin1,
    }
    let units = u64::from(tagged_code_units);
    let (align, byte_len, enc) = match cx.encoding() {
        StringEncoding::Utf8 => (1, units, Enc::Utf8),
        StringEncoding::Utf16 => (2, 2 * units, Enc::Utf16),
        StringEncoding::Latin1Utf16 if tagged_code_units & UTF16_TAG != 0 => {
            (2, 2 * u64::from(tagged_code_units ^ UTF16_TAG), Enc::Utf16)
        }
        StringEncoding::Latin1Utf16 => (2, units, Enc::Latin1),
    };
    if !ptr.is_multiple_of(align) {
        return Err(trap::string_unaligned(align));
    }
    let bytes = cx.slice(ptr, byte_len, trap::string_out_of_bounds)?;
    match enc {
        Enc::Utf8 => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(trap::invalid_string),
        Enc::Utf16 => {
            let units = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .map(Cow::Owned)
                .map_err(trap::invalid_string)
        }
        Enc::Latin1 => Ok(Cow::Owned(bytes.iter().map(|b| char::from(*b)).collect())),
    }
}

/// `store_string` of a UTF-8 host string into the context's encoding:
/// returns `(ptr, tagged_code_units)`.
pub fn store_string(cx: &mut LowerCx<'_>, s: &str) -> Result<(u32, u32), Trap> {
    let len = s.len();
    let max = MAX_STRING_BYTE_LENGTH as usize;
    match cx.encoding() {
        StringEncoding::Utf8 => {
            if len > max {
                return Err(trap::string_too_long(len));
            }
            let ptr = cx.realloc(0, 0, 1, len as u32)?;
            cx.write(ptr, s.as_bytes())?;
            Ok((ptr, len as u32))
        }
        StringEncoding::Utf16 => {
            let worst = len * 2;
            if worst > max {
                return Err(trap::string_too_long(len));
            }
            let mut ptr = cx.realloc(0, 0, 2, worst as u32)?;
            let units = encode_utf16_at(cx, ptr, s)?;
            if worst > 2 * units {
                ptr = cx.realloc(ptr, worst as u32, 2, (2 * units) as u32)?;
            }
            Ok((ptr, units as u32))
        }
        StringEncoding::Latin1Utf16 => store_latin1_or_utf16(cx, s),
    }
}

/// `store_string_to_latin1_or_utf16` for a UTF-8 source.
fn store_latin1_or_utf16(cx: &mut LowerCx<'_>, s: &str) -> Result<(u32, u32), Trap> {
    let len = s.len();
    let max = MAX_STRING_BYTE_LENGTH as usize;
    if len > max {
        return Err(trap::string_too_long(len));
    }
    let mut ptr = cx.realloc(0, 0, 2, len as u32)?;
    let mut dst_len = 0usize;
    for (i, c) in s.char_indices() {
        if let Ok(b) = u8::try_from(u32::from(c)) {
            cx.write(ptr + dst_len as u32, &[b])?;
            dst_len += 1;
            continue;
        }
        let worst = 2 * len;
        if worst > max {
            return Err(trap::string_too_long(len));
        }
        ptr = cx.realloc(ptr, len as u32, 2, worst as u32)?;
        // Inflate the Latin-1 bytes to UTF-16 in place, from the end so that
        // no byte is overwritten before it is moved.
        let buf = cx.slice_mut(ptr, worst)?;
        for j in (0..dst_len).rev() {
            buf[2 * j] = buf[j];
            buf[2 * j + 1] = 0;
        }
        let rest = encode_utf16_at(cx, ptr + 2 * dst_len as u32, &s[i..])?;
        let units = dst_len + rest;
        if worst > 2 * units {
            ptr = cx.realloc(ptr, worst as u32, 2, (2 * units) as u32)?;
        }
        return Ok((ptr, units as u32 | UTF16_TAG));
    }
    if dst_len < len {
        ptr = cx.realloc(ptr, len as u32, 2, dst_len as u32)?;
    }
    Ok((ptr, dst_len as u32))
}

/// Writes `s` as UTF-16LE at `ptr` (room checked by `realloc`); returns the
/// number of code units.
pub(crate) fn encode_utf16_at(cx: &mut LowerCx<'_>, ptr: u32, s: &str) -> Result<usize, Trap> {
    let units = s.encode_utf16().count();
    let buf = cx.slice_mut(ptr, 2 * units)?;
    for (dst, u) in buf.chunks_exact_mut(2).zip(s.encode_utf16()) {
        dst.copy_from_slice(&u.to_le_bytes());
    }
    Ok(units)
}

/// Lifts the `(ptr, len)` pair of a string.
fn lift_pair(src: &mut FlatSource<'_>) -> (u32, u32) {
    let ptr = src.next_slot() as u32;
    let len = src.next_slot() as u32;
    (ptr, len)
}

/// Loads the `(ptr, len)` pair of a string or list stored at `at`.
pub fn load_pair(cx: &LiftCx<'_, '_>, at: u32) -> Result<(u32, u32), Trap> {
    let ptr = u32::from_le_bytes(cx.read(at)?);
    let len = u32::from_le_bytes(cx.read(at.wrapping_add(4))?);
    Ok((ptr, len))
}

/// Stores the `(ptr, len)` pair of a string or list at `at`.
pub fn store_pair(cx: &mut LowerCx<'_>, at: u32, ptr: u32, len: u32) -> Result<(), Trap> {
    cx.write(at, &ptr.to_le_bytes())?;
    cx.write(at.wrapping_add(4), &len.to_le_bytes())
}

macro_rules! string_type {
    ($($t:ty),*) => {$(
        impl ComponentType for $t {
            const FLAT: usize = 2;
            const SIZE32: u32 = 8;
            const ALIGN32: u32 = 4;
            fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
                b.add(TypeDef::String)
            }
        }
    )*};
}

string_type!(str, String, GuestStr<'_>);

impl<'m> Lift<'m> for GuestStr<'m> {
    fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        let (ptr, len) = lift_pair(src);
        load_string_from_range(cx, ptr, len).map(GuestStr)
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        let (p, len) = load_pair(cx, ptr)?;
        load_string_from_range(cx, p, len).map(GuestStr)
    }
}

impl<'m> Lift<'m> for String {
    fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
        GuestStr::lift_flat(cx, src).map(|s| s.0.into_owned())
    }
    fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
        GuestStr::load(cx, ptr).map(|s| s.0.into_owned())
    }
}

impl Lower for str {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        let (ptr, len) = store_string(cx, self)?;
        dst.push(u64::from(ptr));
        dst.push(u64::from(len));
        Ok(())
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        let (p, len) = store_string(cx, self)?;
        store_pair(cx, ptr, p, len)
    }
}

impl Lower for String {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        self.as_str().lower_flat(cx, dst)
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        self.as_str().store(cx, ptr)
    }
}
