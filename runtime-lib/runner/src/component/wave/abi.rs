//! Lowering [`Value`]s into a lifted export's parameters and lifting its
//! results back, for any type of the descriptor's `TypeTable`
//! (`CanonicalABI.md` `lower_flat`/`store`/`lift_flat`/`load`, Lift
//! context: the host is the caller).
//!
//! Phase: the `--invoke` call. Inputs: values and types, the export's
//! memory view and `realloc` through [`LowerCx`]/[`LiftCx`]. Outputs: flat
//! `u64` slots (32-bit values zero-extended, floats as bits, the encoding
//! of `kiln_canon::value`) or bytes in guest memory; lifted values.
//!
//! Strings go through `string::store_string`/`load_string_from_range`
//! (all three encodings); a list allocates its buffer first with the
//! element alignment (also when empty), then stores its elements, so
//! `realloc` sees the spec's order. Layouts come from
//! `kiln_abi::component::layout`, flat counts from its flattening, so
//! nothing here restates a layout rule.

use super::value::Value;
use kiln_abi::component::{MAX_LIST_BYTE_LENGTH, PtrType, Type, TypeIndex, TypeTable, flags_size};
use kiln_canon::memory::{LiftCx, LowerCx};
use kiln_canon::string::{load_pair, load_string_from_range, store_pair, store_string};
use kiln_canon::trap::{self, Trap};
use kiln_canon::value::{FlatSink, FlatSource, canonical_f32_bits, canonical_f64_bits};

const PTR: PtrType = PtrType::I32;

fn bad_value() -> Trap {
    trap::trap("value does not match its type")
}

fn unsupported() -> Trap {
    trap::trap("resources, streams, futures and error contexts are not supported by `--invoke`")
}

/// Number of flat values of `t`.
pub fn flat_len(types: TypeTable<'_>, t: TypeIndex) -> usize {
    types.flatten_types(&[t], PTR).len() as usize
}

/// `lower_flat(v)` into `out`.
pub fn lower_flat(
    cx: &mut LowerCx<'_>,
    types: TypeTable<'_>,
    t: TypeIndex,
    v: &Value,
    out: &mut FlatSink<'_>,
) -> Result<(), Trap> {
    let ty = types.get(t).ok_or_else(bad_value)?;
    match (ty, v) {
        (Type::String, Value::String(s)) => {
            let (ptr, len) = store_string(cx, s)?;
            out.push(u64::from(ptr));
            out.push(u64::from(len));
        }
        (Type::List(e), Value::List(items)) => {
            let (ptr, len) = store_list(cx, types, e, items)?;
            out.push(u64::from(ptr));
            out.push(u64::from(len));
        }
        (
            Type::Record(_) | Type::Tuple(_) | Type::FixedList(..),
            Value::Fields(items) | Value::List(items),
        ) => {
            let fields = types.fields(t).ok_or_else(bad_value)?;
            for (i, item) in items.iter().enumerate() {
                let ft = fields.get(i as u32).ok_or_else(bad_value)?;
                lower_flat(cx, types, ft, item, out)?;
            }
        }
        (
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. },
            Value::Case(i, payload),
        ) => {
            let cases = types.cases(t).ok_or_else(bad_value)?;
            out.push(u64::from(*i));
            let start = out.position();
            if let (Some(pt), Some(p)) = (cases.payload(*i), payload) {
                lower_flat(cx, types, pt, p, out)?;
            }
            let joined = flat_len(types, t) - 1;
            out.pad(joined - (out.position() - start));
        }
        (Type::Flags(_), Value::Flags(words)) => {
            words.iter().for_each(|w| out.push(u64::from(*w)));
        }
        _ => out.push(scalar_bits(v).ok_or_else(unsupported)?),
    }
    Ok(())
}

/// The flat slot of a scalar.
fn scalar_bits(v: &Value) -> Option<u64> {
    Some(match *v {
        Value::Bool(b) => u64::from(b),
        Value::S8(x) => u64::from(i32::from(x) as u32),
        Value::U8(x) => u64::from(x),
        Value::S16(x) => u64::from(i32::from(x) as u32),
        Value::U16(x) => u64::from(x),
        Value::S32(x) => u64::from(x as u32),
        Value::U32(x) => u64::from(x),
        Value::S64(x) => x as u64,
        Value::U64(x) => x,
        Value::F32(x) => u64::from(canonical_f32_bits(x)),
        Value::F64(x) => canonical_f64_bits(x),
        Value::Char(c) => u64::from(u32::from(c)),
        _ => return None,
    })
}

/// `store_list_into_range`: the buffer, then each element.
fn store_list(
    cx: &mut LowerCx<'_>,
    types: TypeTable<'_>,
    e: TypeIndex,
    items: &[Value],
) -> Result<(u32, u32), Trap> {
    let size = types.elem_size(e, PTR);
    let bytes = (items.len() as u64)
        .checked_mul(u64::from(size))
        .filter(|b| *b <= u64::from(MAX_LIST_BYTE_LENGTH))
        .ok_or_else(trap::list_too_long)?;
    let ptr = cx.realloc(0, 0, types.alignment(e, PTR), bytes as u32)?;
    for (i, item) in items.iter().enumerate() {
        store(cx, types, e, item, ptr + i as u32 * size)?;
    }
    Ok((ptr, items.len() as u32))
}

/// `store(v, ptr)`: `ptr` is aligned and inside memory (checked by the
/// caller or by `realloc`).
pub fn store(
    cx: &mut LowerCx<'_>,
    types: TypeTable<'_>,
    t: TypeIndex,
    v: &Value,
    ptr: u32,
) -> Result<(), Trap> {
    let ty = types.get(t).ok_or_else(bad_value)?;
    match (ty, v) {
        (Type::String, Value::String(s)) => {
            let (p, len) = store_string(cx, s)?;
            store_pair(cx, ptr, p, len)
        }
        (Type::List(e), Value::List(items)) => {
            let (p, len) = store_list(cx, types, e, items)?;
            store_pair(cx, ptr, p, len)
        }
        (
            Type::Record(_) | Type::Tuple(_) | Type::FixedList(..),
            Value::Fields(items) | Value::List(items),
        ) => {
            let offsets = types.record_offsets(t, PTR).ok_or_else(bad_value)?;
            for ((ft, off), item) in offsets.zip(items) {
                store(cx, types, ft, item, ptr + off)?;
            }
            Ok(())
        }
        (
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. },
            Value::Case(i, payload),
        ) => {
            let layout = types.variant_layout(t, PTR).ok_or_else(bad_value)?;
            let d = i.to_le_bytes();
            cx.write(ptr, &d[..layout.discriminant_size as usize])?;
            let pt = types.cases(t).and_then(|c| c.payload(*i));
            if let (Some(pt), Some(p)) = (pt, payload) {
                store(cx, types, pt, p, ptr + layout.payload_offset)?;
            }
            Ok(())
        }
        (Type::Flags(labels), Value::Flags(words)) => {
            let size = flags_size(labels.len() as u32) as usize;
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            cx.write(ptr, &bytes[..size.min(bytes.len())])
        }
        _ => {
            let bits = scalar_bits(v).ok_or_else(unsupported)?;
            let size = types.elem_size(t, PTR) as usize;
            cx.write(ptr, &bits.to_le_bytes()[..size.min(8)])
        }
    }
}

/// Lifts a list or string's element range check and returns its bytes.
fn list_range(
    cx: &LiftCx<'_, '_>,
    types: TypeTable<'_>,
    e: TypeIndex,
    ptr: u32,
    len: u32,
) -> Result<(), Trap> {
    let bytes = u64::from(len) * u64::from(types.elem_size(e, PTR));
    cx.slice(ptr, bytes, trap::list_out_of_bounds)?;
    if !ptr.is_multiple_of(types.alignment(e, PTR)) {
        return Err(trap::list_unaligned());
    }
    Ok(())
}

fn load_list(
    cx: &mut LiftCx<'_, '_>,
    types: TypeTable<'_>,
    e: TypeIndex,
    ptr: u32,
    len: u32,
) -> Result<Value, Trap> {
    list_range(cx, types, e, ptr, len)?;
    let size = types.elem_size(e, PTR);
    let items = (0..len).map(|i| load(cx, types, e, ptr + i * size));
    Ok(Value::List(items.collect::<Result<_, _>>()?))
}

/// A scalar from its bits (flat slot or loaded bytes, zero-extended).
fn scalar(ty: Type<'_>, bits: u64) -> Result<Value, Trap> {
    Ok(match ty {
        Type::Bool => Value::Bool(bits as u32 != 0),
        Type::S8 => Value::S8(bits as i8),
        Type::U8 => Value::U8(bits as u8),
        Type::S16 => Value::S16(bits as i16),
        Type::U16 => Value::U16(bits as u16),
        Type::S32 => Value::S32(bits as i32),
        Type::U32 => Value::U32(bits as u32),
        Type::S64 => Value::S64(bits as i64),
        Type::U64 => Value::U64(bits),
        Type::F32 => Value::F32(super::value::canonical32(f32::from_bits(bits as u32))),
        Type::F64 => Value::F64(super::value::canonical64(f64::from_bits(bits))),
        Type::Char => Value::Char(char::from_u32(bits as u32).ok_or_else(trap::invalid_char)?),
        _ => return Err(unsupported()),
    })
}

fn check_case(ty: Type<'_>, d: u32, n: u32) -> Result<(), Trap> {
    if d < n {
        return Ok(());
    }
    Err(match ty {
        Type::Option(_) => trap::invalid_option(),
        Type::Result { .. } => trap::invalid_result(),
        _ => trap::invalid_discriminant(d),
    })
}

/// `lift_flat` of a `t` from `src`.
pub fn lift_flat(
    cx: &mut LiftCx<'_, '_>,
    types: TypeTable<'_>,
    t: TypeIndex,
    src: &mut FlatSource<'_>,
) -> Result<Value, Trap> {
    let ty = types.get(t).ok_or_else(bad_value)?;
    match ty {
        Type::String => {
            let (ptr, len) = (src.next_slot() as u32, src.next_slot() as u32);
            Ok(Value::String(
                load_string_from_range(cx, ptr, len)?.into_owned(),
            ))
        }
        Type::List(e) => {
            let (ptr, len) = (src.next_slot() as u32, src.next_slot() as u32);
            load_list(cx, types, e, ptr, len)
        }
        Type::Record(_) | Type::Tuple(_) | Type::FixedList(..) => {
            let fields = types.fields(t).ok_or_else(bad_value)?;
            let items = (0..fields.len()).map(|i| {
                let ft = fields.get(i).ok_or_else(bad_value)?;
                lift_flat(cx, types, ft, src)
            });
            let items = items.collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::FixedList(..)) {
                Value::List(items)
            } else {
                Value::Fields(items)
            })
        }
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
            let cases = types.cases(t).ok_or_else(bad_value)?;
            let d = src.next_slot() as u32;
            check_case(ty, d, cases.len())?;
            let start = src.position();
            let payload = match cases.payload(d) {
                Some(pt) => Some(Box::new(lift_flat(cx, types, pt, src)?)),
                None => None,
            };
            let joined = flat_len(types, t) - 1;
            src.skip(joined - (src.position() - start));
            Ok(Value::Case(d, payload))
        }
        Type::Flags(labels) => {
            let n = labels.len().div_ceil(32);
            Ok(Value::Flags(flags_value(
                labels.len(),
                (0..n).map(|_| src.next_slot() as u32),
            )))
        }
        _ => scalar(ty, src.next_slot()),
    }
}

/// Flag words with the bits past the last label cleared (the spec ignores
/// them).
fn flags_value(labels: usize, words: impl Iterator<Item = u32>) -> Vec<u32> {
    words
        .enumerate()
        .map(|(i, w)| {
            let bits = labels.saturating_sub(i * 32).min(32);
            if bits == 32 {
                w
            } else {
                w & ((1u32 << bits) - 1)
            }
        })
        .collect()
}

/// `load` of a `t` at `ptr` (aligned and inside memory, checked by the
/// caller).
pub fn load(
    cx: &mut LiftCx<'_, '_>,
    types: TypeTable<'_>,
    t: TypeIndex,
    ptr: u32,
) -> Result<Value, Trap> {
    let ty = types.get(t).ok_or_else(bad_value)?;
    match ty {
        Type::String => {
            let (p, len) = load_pair(cx, ptr)?;
            Ok(Value::String(
                load_string_from_range(cx, p, len)?.into_owned(),
            ))
        }
        Type::List(e) => {
            let (p, len) = load_pair(cx, ptr)?;
            load_list(cx, types, e, p, len)
        }
        Type::Record(_) | Type::Tuple(_) | Type::FixedList(..) => {
            let offsets = types.record_offsets(t, PTR).ok_or_else(bad_value)?;
            let items = offsets.map(|(ft, off)| load(cx, types, ft, ptr + off));
            let items = items.collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::FixedList(..)) {
                Value::List(items)
            } else {
                Value::Fields(items)
            })
        }
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
            let layout = types.variant_layout(t, PTR).ok_or_else(bad_value)?;
            let d = read_le(cx, ptr, layout.discriminant_size)? as u32;
            check_case(ty, d, layout.num_cases)?;
            let payload = match types.cases(t).and_then(|c| c.payload(d)) {
                Some(pt) => Some(Box::new(load(cx, types, pt, ptr + layout.payload_offset)?)),
                None => None,
            };
            Ok(Value::Case(d, payload))
        }
        Type::Flags(labels) => {
            let size = flags_size(labels.len() as u32);
            let raw = read_le(cx, ptr, size.min(8))?;
            let words = (0..labels.len().div_ceil(32)).map(|i| {
                if size <= 4 {
                    raw as u32
                } else {
                    read_le(cx, ptr + 4 * i as u32, 4).unwrap_or(0) as u32
                }
            });
            Ok(Value::Flags(flags_value(labels.len(), words)))
        }
        _ => {
            let size = types.elem_size(t, PTR);
            scalar(ty, read_le(cx, ptr, size)?)
        }
    }
}

/// `n` (1, 2, 4 or 8) little-endian bytes at `ptr`, zero-extended.
fn read_le(cx: &LiftCx<'_, '_>, ptr: u32, n: u32) -> Result<u64, Trap> {
    let b = cx.slice(ptr, u64::from(n), trap::pointer_out_of_bounds)?;
    let mut v = [0u8; 8];
    v[..b.len()].copy_from_slice(b);
    Ok(u64::from_le_bytes(v))
}
