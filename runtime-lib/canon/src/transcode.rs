//! The string transcoders of fused adapters
//! (`kiln_abi::component::transcode`): conversions between one instance's
//! memory and another's, as Wasmtime 49's transcoding intrinsics make them.
//!
//! Input: the operation, its `i32` operands, the source's bytes (exactly
//! the code units the operands name) and the destination memory. Output:
//! the operation's results. The generated adapter has checked both ranges
//! (alignment, bounds) and made every `realloc` call; a transcoder only
//! validates and converts, failing with Wasmtime's words ("invalid utf8
//! encoding", "invalid utf16 encoding", host errors: exit status 1). A
//! range outside the destination memory fails too (the adapter's checks
//! make that unreachable). UTF-16 code units are little-endian.

use super::trap::{self, Trap};
use kiln_abi::component::UTF16_TAG;
use kiln_abi::component::transcode::Transcode;

/// Runs `op` with operands `a` (see [`Transcode`]), reading the source
/// `src` (the `a[1]` code units at `a[0]`) and writing `dst`, the whole
/// destination memory. Returns the results (unused ones 0).
pub fn run(op: Transcode, a: [u32; 5], src: &[u8], dst: &mut [u8]) -> Result<[u32; 2], Trap> {
    let units = a[1] as usize;
    let at = a[2] as usize;
    match op {
        Transcode::Copy8 => {
            std::str::from_utf8(src).map_err(|_| trap::invalid_utf8())?;
            range(dst, at, units)?.copy_from_slice(src);
            Ok([0, 0])
        }
        Transcode::CopyLatin1 => {
            range(dst, at, units)?.copy_from_slice(src);
            Ok([0, 0])
        }
        Transcode::Copy16 => {
            validate_utf16(src)?;
            range(dst, at, 2 * units)?.copy_from_slice(src);
            Ok([0, 0])
        }
        Transcode::Latin1ToUtf16 => {
            let out = range(dst, at, 2 * units)?;
            for (b, o) in src.iter().zip(out.chunks_exact_mut(2)) {
                o.copy_from_slice(&u16::from(*b).to_le_bytes());
            }
            Ok([0, 0])
        }
        Transcode::Utf8ToUtf16 => {
            let text = std::str::from_utf8(src).map_err(|_| trap::invalid_utf8())?;
            let n = put_utf16(range(dst, at, 2 * units)?, text.encode_utf16());
            Ok([n, 0])
        }
        Transcode::Latin1ToUtf8 | Transcode::Utf16ToUtf8 => {
            let out = range(dst, at, a[3] as usize)?;
            let (read, written) = if op == Transcode::Latin1ToUtf8 {
                let chars = src.iter().map(|b| Ok(char::from(*b)));
                to_utf8(chars, out, a[4] != 0)?
            } else {
                let chars = char::decode_utf16(utf16_units(src))
                    .map(|c| c.map_err(|_| trap::invalid_utf16()));
                to_utf8(chars, out, a[4] != 0)?
            };
            Ok([read, written])
        }
        Transcode::Utf16ToCompactProbablyUtf16 => {
            validate_utf16(src)?;
            let out = range(dst, at, 2 * units)?;
            out.copy_from_slice(src);
            if utf16_units(src).all(|u| u < 0x100) {
                for i in 0..units {
                    out[i] = out[2 * i];
                }
                Ok([a[1], 0])
            } else {
                Ok([a[1] | UTF16_TAG, 0])
            }
        }
        Transcode::Utf16ToLatin1 => {
            let out = range(dst, at, units)?;
            let mut n = 0;
            for (u, o) in utf16_units(src).zip(out.iter_mut()) {
                let Ok(b) = u8::try_from(u) else { break };
                *o = b;
                n += 1;
            }
            Ok([n, n])
        }
        Transcode::Utf8ToLatin1 => {
            let out = range(dst, at, units)?;
            let (mut read, mut written) = (0, 0);
            while let Some(&b) = src.get(read) {
                let (c, len) = match (b, src.get(read + 1)) {
                    (0..0x80, _) => (b, 1),
                    (0xc2 | 0xc3, Some(&next)) if next & 0xc0 == 0x80 => {
                        ((b & 0x1f) << 6 | (next & 0x3f), 2)
                    }
                    _ => break,
                };
                out[written] = c;
                written += 1;
                read += len;
            }
            Ok([read as u32, written as u32])
        }
        Transcode::Utf8ToCompactUtf16 | Transcode::Utf16ToCompactUtf16 => {
            let latin1 = a[4] as usize;
            let out = range(dst, at, 2 * (a[3] as usize))?;
            if latin1 > out.len() / 2 {
                return Err(trap::pointer_out_of_bounds());
            }
            // From the end, so that no byte is overwritten before it moves.
            for i in (0..latin1).rev() {
                out[2 * i] = out[i];
                out[2 * i + 1] = 0;
            }
            let rest = &mut out[2 * latin1..];
            let n = if op == Transcode::Utf8ToCompactUtf16 {
                let text = std::str::from_utf8(src).map_err(|_| trap::invalid_utf8())?;
                put_utf16(rest, text.encode_utf16())
            } else {
                validate_utf16(src)?;
                let len = src.len().min(rest.len());
                rest[..len].copy_from_slice(&src[..len]);
                a[1]
            };
            Ok([latin1 as u32 + n, 0])
        }
    }
}

/// `len` bytes of `mem` at `at`.
fn range(mem: &mut [u8], at: usize, len: usize) -> Result<&mut [u8], Trap> {
    at.checked_add(len)
        .and_then(|end| mem.get_mut(at..end))
        .ok_or_else(trap::pointer_out_of_bounds)
}

fn utf16_units(src: &[u8]) -> impl Iterator<Item = u16> + '_ {
    src.chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
}

fn validate_utf16(src: &[u8]) -> Result<(), Trap> {
    match char::decode_utf16(utf16_units(src)).find(Result::is_err) {
        Some(_) => Err(trap::invalid_utf16()),
        None => Ok(()),
    }
}

/// Writes `units` into `out` as far as they fit; the number written.
fn put_utf16(out: &mut [u8], units: impl Iterator<Item = u16>) -> u32 {
    let mut n = 0;
    for (u, o) in units.zip(out.chunks_exact_mut(2)) {
        o.copy_from_slice(&u.to_le_bytes());
        n += 1;
    }
    n
}

/// UTF-8 of `chars` into `out`, as far as each character fits; with
/// `first`, only up to the first character past ASCII (where the canonical
/// ABI's `store_string_to_utf8` grows the buffer). Returns the source code
/// units read and the bytes written; an invalid character is an error when
/// it is reached.
fn to_utf8(
    chars: impl Iterator<Item = Result<char, Trap>>,
    out: &mut [u8],
    first: bool,
) -> Result<(u32, u32), Trap> {
    let (mut read, mut written) = (0u32, 0usize);
    for c in chars {
        let c = c?;
        if first && !c.is_ascii() {
            break;
        }
        let Some(room) = out.get_mut(written..) else {
            break;
        };
        if room.len() < c.len_utf8() {
            break;
        }
        written += c.encode_utf8(room).len();
        read += c.len_utf16() as u32;
    }
    Ok((read, written as u32))
}
