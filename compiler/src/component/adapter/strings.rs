//! Strings in fused adapters, moved as Wasmtime 49's adapters move them.
//!
//! Input: a string's `(ptr, len)` on the source side ([`Loc`]) and the two
//! sides' options ([`Dir`]); output: instructions appended to the
//! [`Emitter`] that store the string on the destination side. The adapter
//! makes every check and every `realloc` call itself, in Wasmtime's order
//! (CanonicalABI.md's `store_string`: the source's alignment and bounds,
//! the length limit of each step, the first allocation, growing to the
//! worst case where the first pass did not fit, shrinking to the final
//! size); the runtime's transcoders ([`Transcode`], one import per
//! operation) only validate and convert the text, failing with Wasmtime's
//! words ("invalid utf8 encoding"). Every encoding pair goes through them,
//! equal encodings too: Wasmtime validates a copied UTF-8 or UTF-16 string.
//!
//! Invariant: the checks and calls are Wasmtime's, in Wasmtime's order, so
//! the first check to fail (and its trap message) is the one Wasmtime
//! reports.

use super::super::plan::StringEncoding;
use super::translate::{Dir, Emitter, Loc, Missing, Side};
use kiln_abi::component::UTF16_TAG;
use kiln_abi::component::transcode::Transcode;
use kiln_abi::trap::TrapCode;
use wasm_encoder::{BlockType, Instruction as I, ValType};

/// Function index of each transcoder an adapter imports, by
/// [`Transcode::number`].
pub(crate) type Transcoders = [Option<u32>; Transcode::ALL.len()];

/// The transcoders that strings from `src` to `dst` may call.
pub(super) fn needed(src: StringEncoding, dst: StringEncoding) -> &'static [Transcode] {
    use StringEncoding::{Latin1Utf16 as Compact, Utf8, Utf16};
    match (src, dst) {
        (Utf8, Utf8) => &[Transcode::Copy8],
        (Utf8, Utf16) => &[Transcode::Utf8ToUtf16],
        (Utf8, Compact) => &[Transcode::Utf8ToLatin1, Transcode::Utf8ToCompactUtf16],
        (Utf16, Utf8) => &[Transcode::Utf16ToUtf8],
        (Utf16, Utf16) => &[Transcode::Copy16],
        (Utf16, Compact) => &[Transcode::Utf16ToLatin1, Transcode::Utf16ToCompactUtf16],
        (Compact, Utf8) => &[Transcode::Utf16ToUtf8, Transcode::Latin1ToUtf8],
        (Compact, Utf16) => &[Transcode::Copy16, Transcode::Latin1ToUtf16],
        (Compact, Compact) => &[
            Transcode::Utf16ToCompactProbablyUtf16,
            Transcode::CopyLatin1,
        ],
    }
}

/// A fixed-width encoding of string contents (the adapter model's too).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Fe {
    Utf8,
    Utf16,
    Latin1,
}

impl Fe {
    /// Bytes per code unit.
    pub(super) fn width(self) -> u32 {
        match self {
            Fe::Utf16 => 2,
            _ => 1,
        }
    }
}

/// A string's pointer and length (code units) locals.
#[derive(Copy, Clone, Debug)]
struct Str {
    ptr: u32,
    len: u32,
}

impl Emitter<'_> {
    /// Moves the string at `src` (a `(ptr, len)` pair) to `dst`.
    pub(super) fn string(&mut self, src: &Loc, dst: &Loc, dir: Dir) -> Result<(), Missing> {
        let (ptr, len) = self.read_pair(src)?;
        let s = Str { ptr, len };
        let de = dir.dst.encoding;
        let out = match dir.src.encoding {
            StringEncoding::Utf8 => match de {
                StringEncoding::Utf8 => self.copy(s, Fe::Utf8, Fe::Utf8, dir)?,
                StringEncoding::Utf16 => self.utf8_to_utf16(s, dir)?,
                StringEncoding::Latin1Utf16 => self.compact(s, Fe::Utf8, dir)?,
            },
            StringEncoding::Utf16 => {
                self.check_aligned(ptr, 2);
                match de {
                    StringEncoding::Utf8 => self.deflate(s, Fe::Utf16, dir)?,
                    StringEncoding::Utf16 => self.copy(s, Fe::Utf16, Fe::Utf16, dir)?,
                    StringEncoding::Latin1Utf16 => self.compact(s, Fe::Utf16, dir)?,
                }
            }
            StringEncoding::Latin1Utf16 => {
                // The tag picks the contents' encoding; Wasmtime 49 checks
                // the alignment in each branch.
                self.i(I::LocalGet(len));
                self.i(I::I32Const(UTF16_TAG as i32));
                self.i(I::I32And);
                self.i(I::If(BlockType::Empty));
                self.i(I::LocalGet(len));
                self.i(I::I32Const(UTF16_TAG as i32));
                self.i(I::I32Xor);
                self.i(I::LocalSet(len));
                self.check_aligned(ptr, 2);
                let wide = match de {
                    StringEncoding::Utf8 => self.deflate(s, Fe::Utf16, dir)?,
                    StringEncoding::Utf16 => self.copy(s, Fe::Utf16, Fe::Utf16, dir)?,
                    StringEncoding::Latin1Utf16 => self.compact_utf16_to_compact(s, dir)?,
                };
                self.i(I::Else);
                self.check_aligned(ptr, 2);
                let narrow = match de {
                    StringEncoding::Utf16 => self.copy(s, Fe::Latin1, Fe::Utf16, dir)?,
                    StringEncoding::Utf8 => self.deflate(s, Fe::Latin1, dir)?,
                    StringEncoding::Latin1Utf16 => self.copy(s, Fe::Latin1, Fe::Latin1, dir)?,
                };
                for (to, from) in [(wide.ptr, narrow.ptr), (wide.len, narrow.len)] {
                    self.i(I::LocalGet(from));
                    self.i(I::LocalSet(to));
                }
                self.i(I::End);
                wide
            }
        };
        self.write_pair(dst, out.ptr, out.len)
    }

    /// Calls transcoder `op` with the operands on the stack.
    fn call_transcoder(&mut self, op: Transcode, dir: Dir) -> Result<(), Missing> {
        let f = dir.transcode[op.number() as usize].ok_or(Missing("a string transcoder"))?;
        self.i(I::Call(f));
        Ok(())
    }

    /// Traps "string content out-of-bounds" unless `len` code units, each
    /// growing to `factor` bytes, stay within the longest string.
    fn check_length(&mut self, len: u32, factor: u32) {
        self.i(I::LocalGet(len));
        self.i(I::I32Const(((UTF16_TAG - 1) / factor) as i32));
        self.i(I::I32GtU);
        self.trap_if(TrapCode::StringOutOfBounds);
    }

    /// Traps "string content out-of-bounds" unless `s`'s `width`-byte code
    /// units lie in the source's memory (the byte length computed in 32
    /// bits, as Wasmtime's check computes it; the length check that
    /// follows catches a length that wraps).
    fn check_source(&mut self, s: Str, width: u32, dir: Dir) -> Result<(), Missing> {
        let mem = dir.src.mem.ok_or(Missing("the memory option"))?;
        self.i(I::LocalGet(s.ptr));
        self.i(I::I64ExtendI32U);
        self.i(I::LocalGet(s.len));
        if width == 2 {
            self.i(I::I32Const(1));
            self.i(I::I32Shl);
        }
        self.i(I::I64ExtendI32U);
        self.bounds_tail(mem, TrapCode::StringOutOfBounds);
        Ok(())
    }

    /// The first allocation of the destination: the source checked (`se`'s
    /// code units in bounds, its length within the longest string grown by
    /// `factor`), then `realloc(0, 0, align, bytes)` of the source's length
    /// in code units (times two if `utf16_bytes`). Returns the destination
    /// (its length a new local holding the source's) and its byte size.
    fn first_alloc(
        &mut self,
        s: Str,
        se: Fe,
        factor: u32,
        utf16_bytes: bool,
        align: u32,
        dir: Dir,
    ) -> Result<(Str, u32), Missing> {
        self.check_source(s, se.width(), dir)?;
        self.check_length(s.len, factor);
        let len = self.local(ValType::I32);
        let bytes = self.local(ValType::I32);
        self.i(I::LocalGet(s.len));
        self.i(I::LocalTee(len));
        if utf16_bytes {
            self.i(I::I32Const(1));
            self.i(I::I32Shl);
        }
        self.i(I::LocalSet(bytes));
        let ptr = self.alloc(dir.dst, align, Some(bytes), 0, TrapCode::StringOutOfBounds)?;
        Ok((Str { ptr, len }, bytes))
    }

    /// `realloc(d.ptr, bytes, align, size)` back into `d.ptr`.
    fn resize(
        &mut self,
        d: Str,
        bytes: u32,
        align: u32,
        size: u32,
        side: Side,
    ) -> Result<(), Missing> {
        self.realloc(
            side,
            Some((d.ptr, bytes)),
            align,
            Some(size),
            0,
            TrapCode::StringOutOfBounds,
            d.ptr,
        )
    }

    /// Grows `d` to the byte size on the stack, which becomes `bytes`.
    fn grow(&mut self, d: Str, bytes: u32, align: u32, side: Side) -> Result<(), Missing> {
        let worst = self.local(ValType::I32);
        self.i(I::LocalSet(worst));
        self.resize(d, bytes, align, worst, side)?;
        self.i(I::LocalGet(worst));
        self.i(I::LocalSet(bytes));
        Ok(())
    }

    /// Pushes where the second pass reads: past the `read` code units done,
    /// and the number of units left.
    fn push_rest(&mut self, s: Str, se: Fe, read: u32) {
        self.i(I::LocalGet(s.ptr));
        self.i(I::LocalGet(read));
        if se == Fe::Utf16 {
            self.i(I::I32Const(1));
            self.i(I::I32Shl);
        }
        self.i(I::I32Add);
        self.i(I::LocalGet(s.len));
        self.i(I::LocalGet(read));
        self.i(I::I32Sub);
    }

    /// `store_string_copy`: one allocation of the final size.
    fn copy(&mut self, s: Str, se: Fe, de: Fe, dir: Dir) -> Result<Str, Missing> {
        // The destination's string alignment (2 for `latin1+utf16` even
        // when the contents are Latin-1).
        let align = if dir.dst.encoding == StringEncoding::Utf8 {
            1
        } else {
            2
        };
        let (d, _) = self.first_alloc(s, se, de.width(), de.width() == 2, align, dir)?;
        let op = match (se, de) {
            (Fe::Utf8, _) => Transcode::Copy8,
            (Fe::Utf16, _) => Transcode::Copy16,
            (Fe::Latin1, Fe::Latin1) => Transcode::CopyLatin1,
            (Fe::Latin1, _) => Transcode::Latin1ToUtf16,
        };
        for l in [s.ptr, s.len, d.ptr] {
            self.i(I::LocalGet(l));
        }
        self.call_transcoder(op, dir)?;
        Ok(d)
    }

    /// `store_string_to_utf8` from UTF-16 or Latin-1: the source's length
    /// first (ASCII), the worst case if that was not enough, then a shrink.
    fn deflate(&mut self, s: Str, se: Fe, dir: Dir) -> Result<Str, Missing> {
        let (d, bytes) = self.first_alloc(s, se, se.width(), false, 1, dir)?;
        let op = match se {
            Fe::Latin1 => Transcode::Latin1ToUtf8,
            _ => Transcode::Utf16ToUtf8,
        };
        for l in [s.ptr, s.len, d.ptr, bytes] {
            self.i(I::LocalGet(l));
        }
        self.i(I::I32Const(1));
        self.call_transcoder(op, dir)?;
        let read = self.local(ValType::I32);
        self.i(I::LocalSet(d.len));
        self.i(I::LocalSet(read));
        self.i(I::LocalGet(read));
        self.i(I::LocalGet(s.len));
        self.i(I::I32Ne);
        self.i(I::If(BlockType::Empty));
        let factor = if se == Fe::Latin1 { 2 } else { 3 };
        self.check_length(s.len, factor);
        self.i(I::LocalGet(s.len));
        self.i(I::I32Const(factor as i32));
        self.i(I::I32Mul);
        self.grow(d, bytes, 1, dir.dst)?;
        self.push_rest(s, se, read);
        self.i(I::LocalGet(d.ptr));
        self.i(I::LocalGet(d.len));
        self.i(I::I32Add);
        self.i(I::LocalGet(bytes));
        self.i(I::LocalGet(d.len));
        self.i(I::I32Sub);
        self.i(I::I32Const(0));
        self.call_transcoder(op, dir)?;
        self.i(I::LocalGet(d.len));
        self.i(I::I32Add);
        self.i(I::LocalSet(d.len));
        self.i(I::Drop);
        self.i(I::LocalGet(d.len));
        self.i(I::LocalGet(bytes));
        self.i(I::I32Ne);
        self.i(I::If(BlockType::Empty));
        self.resize(d, bytes, 1, d.len, dir.dst)?;
        self.i(I::End);
        self.i(I::End);
        Ok(d)
    }

    /// `store_utf8_to_utf16`: the worst case, then a shrink.
    fn utf8_to_utf16(&mut self, s: Str, dir: Dir) -> Result<Str, Missing> {
        let (d, bytes) = self.first_alloc(s, Fe::Utf8, 2, true, 2, dir)?;
        for l in [s.ptr, s.len, d.ptr] {
            self.i(I::LocalGet(l));
        }
        self.call_transcoder(Transcode::Utf8ToUtf16, dir)?;
        self.i(I::LocalSet(d.len));
        self.shrink_utf16(s, d, bytes, dir)?;
        Ok(d)
    }

    /// Shrinks `d`, allocated for `s.len` UTF-16 units, to its `d.len`
    /// units if fewer.
    fn shrink_utf16(&mut self, s: Str, d: Str, bytes: u32, dir: Dir) -> Result<(), Missing> {
        self.i(I::LocalGet(d.len));
        self.i(I::LocalGet(s.len));
        self.i(I::I32Ne);
        self.i(I::If(BlockType::Empty));
        let size = self.local(ValType::I32);
        self.i(I::LocalGet(d.len));
        self.i(I::I32Const(1));
        self.i(I::I32Shl);
        self.i(I::LocalSet(size));
        self.resize(d, bytes, 2, size, dir.dst)?;
        self.i(I::End);
        Ok(())
    }

    /// `store_probably_utf16_to_latin1_or_utf16`: copied as UTF-16, kept so
    /// unless every character fits Latin-1 (then shrunk to the bytes).
    fn compact_utf16_to_compact(&mut self, s: Str, dir: Dir) -> Result<Str, Missing> {
        let (d, bytes) = self.first_alloc(s, Fe::Utf16, 2, true, 2, dir)?;
        for l in [s.ptr, s.len, d.ptr] {
            self.i(I::LocalGet(l));
        }
        self.call_transcoder(Transcode::Utf16ToCompactProbablyUtf16, dir)?;
        self.i(I::LocalTee(d.len));
        self.i(I::I32Const(UTF16_TAG as i32));
        self.i(I::I32And);
        self.i(I::I32Eqz);
        self.i(I::If(BlockType::Empty));
        self.resize(d, bytes, 2, d.len, dir.dst)?;
        self.i(I::End);
        Ok(d)
    }

    /// `store_string_to_latin1_or_utf16`: Latin-1 first, widened to UTF-16
    /// at the first character past it.
    fn compact(&mut self, s: Str, se: Fe, dir: Dir) -> Result<Str, Missing> {
        let (d, bytes) = self.first_alloc(s, se, se.width(), false, 2, dir)?;
        let (latin1, utf16) = match se {
            Fe::Utf16 => (Transcode::Utf16ToLatin1, Transcode::Utf16ToCompactUtf16),
            _ => (Transcode::Utf8ToLatin1, Transcode::Utf8ToCompactUtf16),
        };
        for l in [s.ptr, s.len, d.ptr] {
            self.i(I::LocalGet(l));
        }
        self.call_transcoder(latin1, dir)?;
        let read = self.local(ValType::I32);
        self.i(I::LocalSet(d.len));
        self.i(I::LocalSet(read));
        self.i(I::LocalGet(read));
        self.i(I::LocalGet(s.len));
        self.i(I::I32Eq);
        self.i(I::If(BlockType::Empty));
        self.i(I::LocalGet(bytes));
        self.i(I::LocalGet(d.len));
        self.i(I::I32Ne);
        self.i(I::If(BlockType::Empty));
        self.resize(d, bytes, 2, d.len, dir.dst)?;
        self.i(I::End);
        self.i(I::Else);
        if se.width() == 1 {
            self.check_length(s.len, 2);
        }
        self.i(I::LocalGet(s.len));
        self.i(I::I32Const(1));
        self.i(I::I32Shl);
        self.grow(d, bytes, 2, dir.dst)?;
        self.push_rest(s, se, read);
        for l in [d.ptr, s.len, d.len] {
            self.i(I::LocalGet(l));
        }
        self.call_transcoder(utf16, dir)?;
        self.i(I::LocalSet(d.len));
        self.shrink_utf16(s, d, bytes, dir)?;
        self.i(I::LocalGet(d.len));
        self.i(I::I32Const(UTF16_TAG as i32));
        self.i(I::I32Or);
        self.i(I::LocalSet(d.len));
        self.i(I::End);
        Ok(d)
    }
}
