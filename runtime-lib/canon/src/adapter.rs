//! The built-ins of fused adapters (generated core code between two
//! component instances, see the compiler's `component/adapter`):
//! [`__kiln_cm_adapter_flags`] (instance flags, call scopes, and the
//! traps of `may_leave` and re-entrance), [`__kiln_cm_adapter_transcode`] (strings between
//! different encodings) and [`__kiln_cm_adapter_handle`] (`own` and
//! `borrow` values from one instance's handle table to the other's).
//! Both use the lowered-import contract of `kiln_abi::component::canon`:
//! `(opts, slots, n)`, operands in the slots, the result back in slot 0,
//! failures never return.
//!
//! The transcoder reads the source string (decoding it strictly, so
//! invalid text traps) into an owned string before the destination's
//! `realloc` runs, then stores it with exactly the `realloc` calls of the
//! spec's `store_string` for that (source, destination) encoding pair
//! (`CanonicalABI.md`: `store_string_copy`, `store_string_to_utf8`,
//! `store_utf8_to_utf16`, `store_string_to_latin1_or_utf16`), except that a
//! `latin1+utf16` string into `latin1+utf16` is copied as it is, as Wasmtime
//! does. The adapter
//! has already cleared the destination's `may_leave`, so the context has
//! no instance.

use super::builtins::{builtin, target};
#[cfg(doc)]
use super::call::InstanceState;
use super::instances::GuestRealloc;
use super::memory::{GuestMemory, LiftCx, LowerCx, Realloc};
use super::string::{encode_utf16_at, load_string_from_range};
use super::trap::{self, Trap};
use kiln_abi::component::canon::MAX_ADAPTER_STRING_BYTE_LENGTH;
use kiln_abi::component::canon::{
    ADAPTER_FLAGS_CANNOT_ENTER, ADAPTER_FLAGS_CHECK_LEAVE, ADAPTER_FLAGS_ENTER_CALL,
    ADAPTER_FLAGS_EXIT_CALL, ADAPTER_HANDLE_BORROW, ADAPTER_HANDLE_COPY_ERROR,
    ADAPTER_HANDLE_MOVE_END, ADAPTER_HANDLE_MOVE_OWN,
};
use kiln_abi::component::{CanonOpts, INSTANCE_FLAG_MAY_LEAVE, StringEncoding, UTF16_TAG};
use kiln_abi::trap::TrapCode;

/// The instance-flags built-in of fused adapters: one of the
/// `kiln_abi::component::canon::ADAPTER_FLAGS_*` operations (slot 0) on the
/// component instance of `opts`: the call scopes (which live in the
/// runtime's state), and the traps of a failed `may_leave` test and of
/// re-entrance (the adapters' value checks trap in their own code).
/// `may_leave` itself is tested
/// and flipped by the adapter's own code, in the flags word it imports as
/// a global ([`InstanceState::flags_global`]).
///
/// # Safety
/// Called by compiled trampolines only (the contract).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_adapter_flags(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        builtin(opts, slots, n, |rt, opts, slots| {
            let op = slots[0] as u32;
            if op == ADAPTER_FLAGS_CANNOT_ENTER {
                return Err(trap::cannot_enter());
            }
            rt.with_instance(opts.component_instance, |inst| {
                let flags = inst.flags();
                match op {
                    ADAPTER_FLAGS_CHECK_LEAVE if flags & INSTANCE_FLAG_MAY_LEAVE == 0 => {
                        Err(trap::cannot_leave())
                    }
                    ADAPTER_FLAGS_CHECK_LEAVE => Ok(()),
                    ADAPTER_FLAGS_ENTER_CALL => {
                        inst.enter_call();
                        Ok(())
                    }
                    ADAPTER_FLAGS_EXIT_CALL => inst.exit_call(),
                    _ => Err(trap::trap(format!("unknown adapter flags operation {op}"))),
                }
            })
        })
    }
}

/// The string transcoder of fused adapters: slot 0 and 1 hold the source
/// string's pointer and tagged code units (in the memory and encoding of
/// the second `CanonOpts` record), slot 0 gets the destination's
/// `ptr | tagged_units << 32` (memory, `realloc` and encoding of the first).
///
/// # Safety
/// Called by compiled trampolines only (the contract of
/// `TRAMPOLINE_ADAPTER_TRANSCODE`: `opts` is the first of two records).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_adapter_transcode(
    opts: *const CanonOpts,
    slots: *mut u64,
    n: u32,
) {
    // SAFETY: the contract: two consecutive filled records.
    let src_opts = unsafe { &*opts.add(1) };
    // SAFETY: forwarded.
    unsafe {
        builtin(opts, slots, n, |_, dst_opts, slots| {
            let (ptr, tagged) = (slots[0] as u32, slots[1] as u32);
            let (ptr, len) = transcode(dst_opts, src_opts, ptr, tagged)?;
            slots[0] = u64::from(ptr) | u64::from(len) << 32;
            Ok(())
        })
    }
}

/// The handle built-in of fused adapters: slot 0 is a handle of the
/// source instance (slot 2) for the resource of `opts`, slot 1 an
/// `ADAPTER_HANDLE_*` operation; slot 0 gets the destination instance's
/// (slot 3) handle, or the rep for a borrow into the defining instance.
/// The handle tables' own checks apply (`lift_own` of a lent or borrowed
/// handle, a wrong type, an unknown index). The host-call map of imported
/// resource types is cleared first: no host call is running, and a moved
/// handle's imported type is not known in its new table.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_adapter_handle(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        builtin(opts, slots, n, |rt, opts, slots| {
            let [handle, op, src, dst] =
                [0, 1, 2, 3].map(|i| slots.get(i).copied().unwrap_or(0) as u32);
            if op == ADAPTER_HANDLE_MOVE_END {
                // A stream or future end in an async call's values.
                let h = rt.with_p3(|cx| crate::p3::task::move_end(cx, src, handle, dst))?;
                slots[0] = u64::from(h);
                return Ok(());
            }
            if op == ADAPTER_HANDLE_COPY_ERROR {
                let h = rt.with_p3(|cx| {
                    let e = cx.error_at(src, handle)?;
                    cx.add_error_handle(dst, e)
                })?;
                slots[0] = u64::from(h);
                return Ok(());
            }
            let ty = target(rt, opts)?.ty;
            let rep = rt.with_instance(src, |i| {
                i.set_import_resources(&[]);
                match op {
                    ADAPTER_HANDLE_MOVE_OWN => i.lift_own(ty, handle),
                    ADAPTER_HANDLE_BORROW => i.lift_borrow(ty, handle),
                    _ => Err(trap::trap(format!("unknown adapter handle operation {op}"))),
                }
            })?;
            let out = rt.with_instance(dst, |i| {
                i.set_import_resources(&[]);
                if op == ADAPTER_HANDLE_MOVE_OWN {
                    i.lower_own(ty, rep)
                } else {
                    i.lower_borrow(ty, rep)
                }
            })?;
            slots[0] = u64::from(out);
            Ok(())
        })
    }
}

/// The source's encoding once the `latin1+utf16` tag is read.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Simple {
    Utf8,
    Utf16,
    Latin1,
}

fn transcode(dst: &CanonOpts, src: &CanonOpts, ptr: u32, tagged: u32) -> Result<(u32, u32), Trap> {
    let encoding = |o: &CanonOpts| {
        StringEncoding::from_u8(o.string_encoding)
            .ok_or_else(|| trap::trap(format!("unknown string encoding {}", o.string_encoding)))
    };
    let src_enc = encoding(src)?;
    let (simple, units) = match src_enc {
        StringEncoding::Utf8 => (Simple::Utf8, tagged),
        StringEncoding::Utf16 => (Simple::Utf16, tagged),
        StringEncoding::Latin1Utf16 if tagged & UTF16_TAG != 0 => {
            (Simple::Utf16, tagged ^ UTF16_TAG)
        }
        StringEncoding::Latin1Utf16 => (Simple::Latin1, tagged),
    };
    // SAFETY: the source's memory definition, filled at instantiation; the
    // bytes are only read here and copied out before any guest code runs.
    let text: String = {
        let mem = unsafe { GuestMemory::from_definition(src.memory_def as usize as *const _) };
        // SAFETY: nothing writes the memory while the slice lives (no guest
        // code runs until the string is owned).
        let cx = LiftCx::new(unsafe { mem.bytes() }, src_enc, None);
        load_string_from_range(&cx, ptr, tagged)?.into_owned()
    };
    let dst_enc = encoding(dst)?;
    let mut realloc = GuestRealloc::from_opts(dst).ok_or_else(trap::no_realloc)?;
    let mem = realloc.memory();
    let mut cx = LowerCx::new(mem, Some(&mut realloc as &mut dyn Realloc), dst_enc, None);
    if src_enc == StringEncoding::Latin1Utf16 && dst_enc == src_enc {
        // Like Wasmtime: copied as it is, UTF-16 staying UTF-16 even where
        // Latin-1 would do (the spec would try Latin-1 again).
        let unit = if simple == Simple::Utf16 { 2 } else { 1 };
        let (ptr, _) = copy(&mut cx, &text, units, unit, 2)?;
        return Ok((ptr, tagged));
    }
    store(&mut cx, &text, simple, units)
}

/// `store_string_into_range` of a source in `src` encoding with `units`
/// code units.
fn store(cx: &mut LowerCx<'_>, s: &str, src: Simple, units: u32) -> Result<(u32, u32), Trap> {
    match (cx.encoding(), src) {
        (StringEncoding::Utf8, Simple::Utf8) => copy(cx, s, units, 1, 1),
        (StringEncoding::Utf8, Simple::Utf16) => to_utf8(cx, s, units, 2, 3),
        (StringEncoding::Utf8, Simple::Latin1) => to_utf8(cx, s, units, 1, 2),
        (StringEncoding::Utf16, Simple::Utf8) => utf8_to_utf16(cx, s, units),
        (StringEncoding::Utf16, Simple::Utf16 | Simple::Latin1) => copy(cx, s, units, 2, 2),
        (StringEncoding::Latin1Utf16, Simple::Utf8 | Simple::Utf16) => {
            let width = if src == Simple::Utf16 { 2 } else { 1 };
            to_latin1_or_utf16(cx, s, units, width)
        }
        (StringEncoding::Latin1Utf16, Simple::Latin1) => copy(cx, s, units, 1, 2),
    }
}

/// Wasmtime's adapters' length check: a string of more than
/// `MAX_ADAPTER_STRING_BYTE_LENGTH` bytes (code units times the growth
/// factor of the step) traps "string content out-of-bounds".
fn too_long(bytes: u64) -> Result<u32, Trap> {
    if bytes > u64::from(MAX_ADAPTER_STRING_BYTE_LENGTH) {
        let code = TrapCode::StringOutOfBounds;
        return Err(Trap {
            code: Some(code),
            message: code.message().to_string(),
        });
    }
    Ok(bytes as u32)
}

/// `store_string_copy`: the destination's code units are the source's
/// (`unit` bytes each: UTF-8 bytes, UTF-16 units, or Latin-1 bytes under
/// `latin1+utf16`).
fn copy(
    cx: &mut LowerCx<'_>,
    s: &str,
    units: u32,
    unit: u32,
    align: u32,
) -> Result<(u32, u32), Trap> {
    let bytes = too_long(u64::from(unit) * u64::from(units))?;
    let ptr = cx.realloc(0, 0, align, bytes)?;
    match (cx.encoding(), unit) {
        (StringEncoding::Utf8, _) => cx.write(ptr, s.as_bytes())?,
        (_, 2) => {
            encode_utf16_at(cx, ptr, s)?;
        }
        _ => {
            // Latin-1: every char fits a byte (the source was Latin-1).
            let latin1: Vec<u8> = s.chars().map(|c| u32::from(c) as u8).collect();
            cx.write(ptr, &latin1)?;
        }
    }
    Ok((ptr, units))
}

/// `store_string_to_utf8`: ASCII first, growing to `factor` bytes per
/// code unit at the first other character, then shrinking to the encoded
/// length. `width`: bytes of a source code unit (the first length check's
/// factor, as Wasmtime's).
fn to_utf8(
    cx: &mut LowerCx<'_>,
    s: &str,
    units: u32,
    width: u64,
    factor: u64,
) -> Result<(u32, u32), Trap> {
    too_long(width * u64::from(units))?;
    let mut ptr = cx.realloc(0, 0, 1, units)?;
    let ascii = s.bytes().take_while(u8::is_ascii).count();
    cx.write(ptr, &s.as_bytes()[..ascii])?;
    if ascii == s.len() {
        return Ok((ptr, units));
    }
    let worst = too_long(factor * u64::from(units))?;
    ptr = cx.realloc(ptr, units, 1, worst)?;
    cx.write(ptr + ascii as u32, &s.as_bytes()[ascii..])?;
    let len = s.len() as u32;
    if worst > len {
        ptr = cx.realloc(ptr, worst, 1, len)?;
    }
    Ok((ptr, len))
}

/// `store_utf8_to_utf16`: the worst case (two bytes per UTF-8 byte), then
/// shrinking to the encoded length.
fn utf8_to_utf16(cx: &mut LowerCx<'_>, s: &str, units: u32) -> Result<(u32, u32), Trap> {
    let worst = too_long(2 * u64::from(units))?;
    let mut ptr = cx.realloc(0, 0, 2, worst)?;
    let n = encode_utf16_at(cx, ptr, s)? as u32;
    if 2 * n < worst {
        ptr = cx.realloc(ptr, worst, 2, 2 * n)?;
    }
    Ok((ptr, n))
}

/// `store_string_to_latin1_or_utf16`: Latin-1 while it fits; at the first
/// other character, grow to UTF-16 (inflating the bytes written so far in
/// place) and tag the length. `width`: bytes of a source code unit (the
/// first length check's factor, as Wasmtime's).
fn to_latin1_or_utf16(
    cx: &mut LowerCx<'_>,
    s: &str,
    units: u32,
    width: u64,
) -> Result<(u32, u32), Trap> {
    too_long(width * u64::from(units))?;
    let mut ptr = cx.realloc(0, 0, 2, units)?;
    let mut written = 0u32;
    for (i, c) in s.char_indices() {
        if let Ok(b) = u8::try_from(u32::from(c)) {
            cx.write(ptr + written, &[b])?;
            written += 1;
            continue;
        }
        let worst = too_long(2 * u64::from(units))?;
        ptr = cx.realloc(ptr, units, 2, worst)?;
        let buf = cx.slice_mut(ptr, worst as usize)?;
        // From the end, so that no byte is overwritten before it moves.
        for j in (0..written as usize).rev() {
            buf[2 * j] = buf[j];
            buf[2 * j + 1] = 0;
        }
        let rest = encode_utf16_at(cx, ptr + 2 * written, &s[i..])? as u32;
        let total = written + rest;
        if worst > 2 * total {
            ptr = cx.realloc(ptr, worst, 2, 2 * total)?;
        }
        return Ok((ptr, total | UTF16_TAG));
    }
    if written < units {
        ptr = cx.realloc(ptr, units, 2, written)?;
    }
    Ok((ptr, written))
}
