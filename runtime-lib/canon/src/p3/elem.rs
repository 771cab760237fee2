//! Copies of stream and future elements between two guest ends that are
//! lifted from the writer and lowered into the reader: strings (in any
//! pair of encodings), lists, records, variants, `own` handles, error
//! contexts, stream and future ends inside.
//!
//! Phase: run time, at the end of a `{stream,future}.{read,write}`
//! built-in, once the P3 state is released (`copy.rs` left an [`ElemCopy`]
//! where plain elements would have been copied as bytes). Inputs: the
//! stream or future type, the element count, the writer's and the
//! reader's `CanonOpts` records and buffers. Outputs: the reader's buffer
//! filled; strings and lists allocated with the reader's `realloc`
//! (CanonicalABI.md: a copy lifts from the writer's memory and lowers into
//! the reader's); handles moved from the writer's instance table to the
//! reader's.
//!
//! Invariants: no borrow of the runtime state or a memory view lives
//! across a `realloc` call (it runs guest code and may grow memory: every
//! view is taken again after it). The event telling the other side that
//! the copy completed was posted before this runs; that side's code only
//! runs after the built-in returns, so it never sees the buffer half
//! written.

use super::copy::memory;
use crate::builtins::target;
use crate::instances::GuestRealloc;
use crate::memory::{LiftCx, LowerCx};
use crate::runtime::{ComponentRuntime, RuntimeInstance};
use crate::string::{load_string_from_range, store_string};
use crate::trap::{self, Trap};
use kiln_abi::component::{CanonOpts, PtrType, Type, TypeIndex, TypeTable};

/// One copy of `n` elements of stream or future type `ty` from the
/// writer's buffer to the reader's: `(CanonOpts record address, buffer)`
/// of each.
#[derive(Copy, Clone, Debug)]
pub struct ElemCopy {
    /// The `stream<T>`/`future<T>` type index.
    pub ty: u32,
    /// Elements to copy.
    pub n: u32,
    /// The writer's `CanonOpts` record address and buffer.
    pub src: (usize, u32),
    /// The reader's `CanonOpts` record address and buffer.
    pub dst: (usize, u32),
}

/// Whether elements of stream or future type `ty` are plain bytes (no
/// string, list, handle or end inside, and nothing Wasmtime checks or
/// normalizes as it lifts: `bool`, `char`, flags, discriminants).
pub fn plain(types: &TypeTable<'_>, ty: u32) -> bool {
    match types.get(TypeIndex(ty)) {
        Some(Type::Stream(Some(e)) | Type::Future(Some(e))) => plain_type(types, e),
        _ => true,
    }
}

/// Whether values of `t` are plain bytes (see [`plain`]).
fn plain_type(types: &TypeTable<'_>, t: TypeIndex) -> bool {
    !types.contains(t, &mut |t| {
        matches!(
            t,
            Type::String
                | Type::Bool
                | Type::Char
                | Type::Flags(_)
                | Type::Enum(_)
                | Type::Variant(_)
                | Type::Option(_)
                | Type::Result { .. }
                | Type::List(_)
                | Type::Own(_)
                | Type::Borrow(_)
                | Type::Stream(_)
                | Type::Future(_)
                | Type::ErrorContext
        )
    })
}

/// The two sides of one copy.
struct Sides<'o> {
    src: &'o CanonOpts,
    dst: &'o CanonOpts,
}

/// Makes `copies` (see the module docs).
pub fn run(rt: &ComponentRuntime, copies: Vec<ElemCopy>) -> Result<(), Trap> {
    let types = rt.component.types();
    for c in copies {
        let Some(Type::Stream(Some(e)) | Type::Future(Some(e))) = types.get(TypeIndex(c.ty)) else {
            continue;
        };
        if c.src.0 == 0 || c.dst.0 == 0 {
            return Err(trap::trap("an element copy without options"));
        }
        // SAFETY: both are filled `CanonOpts` records of compiled
        // built-ins (`copy_op` stored their addresses), read only and
        // never freed.
        let sides = unsafe {
            Sides {
                src: &*(c.src.0 as *const CanonOpts),
                dst: &*(c.dst.0 as *const CanonOpts),
            }
        };
        let size = types.elem_size(e, PtrType::I32);
        for i in 0..c.n {
            let off = i * size;
            value(rt, &types, &sides, e, c.src.1 + off, c.dst.1 + off)?;
        }
    }
    Ok(())
}

fn read_u32(opts: &CanonOpts, at: u32) -> Result<u32, Trap> {
    let m = memory(opts.memory_def as usize);
    if !m.in_bounds(at, 4) {
        return Err(trap::pointer_out_of_bounds());
    }
    // SAFETY: no guest code runs while this view is read; it ends here.
    let b = unsafe { m.bytes() };
    let a = at as usize;
    Ok(u32::from_le_bytes([b[a], b[a + 1], b[a + 2], b[a + 3]]))
}

fn write_bytes(opts: &CanonOpts, at: u32, bytes: &[u8]) -> Result<(), Trap> {
    let mut m = memory(opts.memory_def as usize);
    if !m.in_bounds(at, bytes.len() as u64) {
        return Err(trap::pointer_out_of_bounds());
    }
    let a = at as usize;
    m.bytes_mut()[a..a + bytes.len()].copy_from_slice(bytes);
    Ok(())
}

/// Copies `n` bytes as they lie from the writer's memory to the reader's.
fn raw(s: &Sides<'_>, from: u32, to: u32, n: u32) -> Result<(), Trap> {
    let m = memory(s.src.memory_def as usize);
    if !m.in_bounds(from, u64::from(n)) {
        return Err(trap::pointer_out_of_bounds());
    }
    // SAFETY: no guest code runs while the bytes are read; the copy ends
    // the view before the reader's memory is written.
    // In `usize`: a buffer ending at the last byte of a 4 GiB memory
    // overflows `u32`.
    let bytes = unsafe { m.bytes() }[from as usize..from as usize + n as usize].to_vec();
    write_bytes(s.dst, to, &bytes)
}

/// A lowering context into the reader with its `realloc`, which runs with
/// the reader's `may_leave` cleared (as every lowering's `realloc` does in
/// Wasmtime: one that calls an import or `resource.new` traps).
fn lower_into<'r>(
    dst: &CanonOpts,
    realloc: &'r mut GuestRealloc,
    instance: &'r mut RuntimeInstance<'_>,
) -> LowerCx<'r> {
    LowerCx::new(
        memory(dst.memory_def as usize),
        Some(realloc),
        dst.encoding(),
        Some(instance),
    )
}

/// Copies one value of type `t` at `from` (writer) to `to` (reader).
fn value(
    rt: &ComponentRuntime,
    types: &TypeTable<'_>,
    s: &Sides<'_>,
    t: TypeIndex,
    from: u32,
    to: u32,
) -> Result<(), Trap> {
    let ptr = PtrType::I32;
    let ty = types
        .get(t)
        .ok_or_else(|| trap::trap("corrupt component descriptor: an element type"))?;
    match ty {
        Type::String => {
            let (p, units) = (read_u32(s.src, from)?, read_u32(s.src, from + 4)?);
            let text = {
                let m = memory(s.src.memory_def as usize);
                // SAFETY: no guest code runs while the string is read; the
                // text is owned before the reader's `realloc` runs.
                let bytes = unsafe { m.bytes() };
                let cx = LiftCx::new(bytes, s.src.encoding(), None);
                load_string_from_range(&cx, p, units)?.into_owned()
            };
            let mut realloc = GuestRealloc::from_opts(s.dst).ok_or_else(trap::no_realloc)?;
            let mut inst = rt.instance(s.dst.component_instance);
            let (np, nunits) =
                store_string(&mut lower_into(s.dst, &mut realloc, &mut inst), &text)?;
            let mut pair = [0u8; 8];
            pair[..4].copy_from_slice(&np.to_le_bytes());
            pair[4..].copy_from_slice(&nunits.to_le_bytes());
            write_bytes(s.dst, to, &pair)
        }
        Type::List(e) => {
            let (p, len) = (read_u32(s.src, from)?, read_u32(s.src, from + 4)?);
            let (size, align) = (types.elem_size(e, ptr), types.alignment(e, ptr));
            let bytes = u64::from(len) * u64::from(size);
            // Bounds first, then alignment: Wasmtime's order when it lifts
            // a list (a pointer both unaligned and out of bounds is named
            // out of bounds).
            if !memory(s.src.memory_def as usize).in_bounds(p, bytes) {
                return Err(trap::list_out_of_bounds());
            }
            if !p.is_multiple_of(align) {
                return Err(trap::list_unaligned());
            }
            let bytes = u32::try_from(bytes).map_err(|_| trap::list_too_long())?;
            let mut realloc = GuestRealloc::from_opts(s.dst).ok_or_else(trap::no_realloc)?;
            let mut inst = rt.instance(s.dst.component_instance);
            let np = lower_into(s.dst, &mut realloc, &mut inst).realloc(0, 0, align, bytes)?;
            if plain_type(types, e) {
                raw(s, p, np, bytes)?;
            } else {
                for i in 0..len {
                    value(rt, types, s, e, p + i * size, np + i * size)?;
                }
            }
            let mut pair = [0u8; 8];
            pair[..4].copy_from_slice(&np.to_le_bytes());
            pair[4..].copy_from_slice(&len.to_le_bytes());
            write_bytes(s.dst, to, &pair)
        }
        Type::Record(_) | Type::Tuple(_) | Type::FixedList(..) => {
            let offsets = types
                .record_offsets(t, ptr)
                .ok_or_else(|| trap::trap("corrupt component descriptor: a record"))?;
            for (f, off) in offsets {
                value(rt, types, s, f, from + off, to + off)?;
            }
            Ok(())
        }
        Type::Variant(_) | Type::Option(_) | Type::Result { .. } | Type::Enum(_) => {
            let layout = types
                .variant_layout(t, ptr)
                .ok_or_else(|| trap::trap("corrupt component descriptor: a variant"))?;
            let cases = types
                .cases(t)
                .ok_or_else(|| trap::trap("corrupt component descriptor: a variant"))?;
            let d = layout.discriminant_size;
            let word = read_u32_partial(s.src, from, d)?;
            if word >= layout.num_cases {
                // Wasmtime's words when it lifts a value of a stream.
                return Err(trap::trap(format!(
                    "discriminant {word} out of range [0..{})",
                    layout.num_cases
                )));
            }
            raw(s, from, to, d)?;
            match cases.payload(word) {
                Some(p) => value(
                    rt,
                    types,
                    s,
                    p,
                    from + layout.payload_offset,
                    to + layout.payload_offset,
                ),
                None => Ok(()),
            }
        }
        // Lifted and lowered, as Wasmtime does: any non-zero byte is
        // `true`, stored as 1.
        Type::Bool => {
            let b = read_u32_partial(s.src, from, 1)?;
            write_bytes(s.dst, to, &[u8::from(b != 0)])
        }
        Type::Char => {
            let c = read_u32(s.src, from)?;
            char::from_u32(c).ok_or_else(trap::invalid_char)?;
            write_bytes(s.dst, to, &c.to_le_bytes())
        }
        // Bits past the last label are dropped (lifting ignores them).
        Type::Flags(labels) => {
            let size = types.elem_size(t, ptr);
            let m = memory(s.src.memory_def as usize);
            if !m.in_bounds(from, u64::from(size)) {
                return Err(trap::pointer_out_of_bounds());
            }
            let a = from as usize;
            // SAFETY: no guest code runs while the bytes are read; the
            // copy ends the view before the reader's memory is written.
            let mut bytes = unsafe { m.bytes() }[a..a + size as usize].to_vec();
            for (i, b) in bytes.iter_mut().enumerate() {
                let kept = labels.len().saturating_sub(8 * i).min(8);
                *b &= ((1u16 << kept) - 1) as u8;
            }
            write_bytes(s.dst, to, &bytes)
        }
        Type::Own(r) => {
            let h = read_u32(s.src, from)?;
            let probe = CanonOpts {
                resource: r,
                ..CanonOpts::EMPTY
            };
            let rty = target(rt, &probe)?.ty;
            let rep = rt.with_instance(s.src.component_instance, |i| {
                i.set_import_resources(&[]);
                i.lift_own(rty, h)
            })?;
            let nh = rt.with_instance(s.dst.component_instance, |i| {
                i.set_import_resources(&[]);
                i.lower_own(rty, rep)
            })?;
            write_bytes(s.dst, to, &nh.to_le_bytes())
        }
        Type::Stream(_) | Type::Future(_) => {
            let h = read_u32(s.src, from)?;
            let (a, b) = (s.src.component_instance, s.dst.component_instance);
            let future = matches!(ty, Type::Future(_));
            let nh = rt.with_p3(|cx| {
                // One of the element's type, as the adapters check it.
                cx.end_at(a, h, future, t.0)?;
                super::task::move_end(cx, a, h, b)
            })?;
            write_bytes(s.dst, to, &nh.to_le_bytes())
        }
        Type::ErrorContext => {
            // Lifting leaves the writer's handle in place (CanonicalABI.md:
            // `lift_error_context`); the reader gets a handle of its own.
            let h = read_u32(s.src, from)?;
            let (a, b) = (s.src.component_instance, s.dst.component_instance);
            let nh = rt.with_p3(|cx| {
                let e = cx.error_at(a, h)?;
                cx.add_error_handle(b, e)
            })?;
            write_bytes(s.dst, to, &nh.to_le_bytes())
        }
        Type::Borrow(_) => Err(trap::trap(
            "Kiln does not copy streams or futures of borrows",
        )),
        _ => raw(s, from, to, types.elem_size(t, ptr)),
    }
}

/// A discriminant of `n` (1, 2 or 4) bytes at `at` in the writer's memory.
fn read_u32_partial(opts: &CanonOpts, at: u32, n: u32) -> Result<u32, Trap> {
    let m = memory(opts.memory_def as usize);
    if !m.in_bounds(at, u64::from(n)) {
        return Err(trap::pointer_out_of_bounds());
    }
    // SAFETY: no guest code runs while this view is read; it ends here.
    let b = unsafe { m.bytes() };
    let mut w = [0u8; 4];
    let a = at as usize;
    w[..n as usize].copy_from_slice(&b[a..a + n as usize]);
    Ok(u32::from_le_bytes(w))
}
