//! Strings and lists as Wasmtime 49's adapters lay them out: bounds and
//! length checks, `realloc` calls with the task's context slots cleared
//! around them, the runtime's transcoders for string contents (imported
//! per encoding pair and pair of memories) and an element loop for lists.
//! See `super::values` for the conventions.

use super::Key;
use super::body::Site;
use super::values::{
    Cx, Dst, Mem, Side, Size, Src, TRAP_LIST_OUT_OF_BOUNDS, TRAP_STRING_OUT_OF_BOUNDS, clamped,
};
use kiln_abi::component::{StringEncoding, TypeIndex};
use wasm_encoder::{BlockType, Instruction as I, MemArg, ValType};

use super::super::strings::Fe;
use kiln_abi::component::UTF16_TAG;
pub(super) use kiln_abi::component::transcode::Transcode;

/// A string in one side's memory: its pointer and length locals.
#[derive(Copy, Clone)]
struct Str {
    ptr: u32,
    len: u32,
    side: Side,
}

impl Cx<'_, '_> {
    fn transcoder(&mut self, src: Str, dst: Str, op: Transcode) -> u32 {
        let (from, to) = (src.side.mem.unwrap_or(0), dst.side.mem.unwrap_or(0));
        let (p, r) = op.arity();
        let i32s = [ValType::I32; 5];
        let name = format!("{} (mem{from} => mem{to})", op.name());
        self.m.func(
            Key::Transcode(op, from, to),
            "transcode",
            &name,
            &i32s[..p],
            &i32s[..r],
        )
    }

    /// Traps unless `len` (code units) fits the largest string after
    /// growing by `factor`.
    fn check_length(&mut self, len: u32, factor: u32) {
        self.ins(I::LocalGet(len));
        self.ins(I::I32Const(((UTF16_TAG - 1) / factor) as i32));
        self.ins(I::I32GtU);
        self.ins(I::If(BlockType::Empty));
        // Not observed (a string that long needs gigabytes): taken to be
        // reported at its call, as a parameter's discriminant check of the
        // same shape is.
        self.b.mark(Site::BoundsCall);
        self.trap(TRAP_STRING_OUT_OF_BOUNDS);
        self.ins(I::End);
    }

    fn byte_size(len: u32, enc: Fe) -> Size {
        if enc.width() == 2 {
            Size::Shl1(len)
        } else {
            Size::Local(len)
        }
    }

    pub(super) fn string(&mut self, src: &Src, dst: &Dst) {
        let (ss, ds) = (src.side(), dst.side());
        let (ptr, len) = self.read_pair(src);
        let s = Str { ptr, len, side: ss };
        let out = match ss.enc {
            StringEncoding::Utf8 => match ds.enc {
                StringEncoding::Utf8 => self.copy(s, Fe::Utf8, ds, Fe::Utf8),
                StringEncoding::Utf16 => self.utf8_to_utf16(s, ds),
                StringEncoding::Latin1Utf16 => self.compact(s, Fe::Utf8, ds),
            },
            StringEncoding::Utf16 => {
                self.verify_aligned(ptr, 2);
                match ds.enc {
                    StringEncoding::Utf8 => self.deflate(s, Fe::Utf16, ds),
                    StringEncoding::Utf16 => self.copy(s, Fe::Utf16, ds, Fe::Utf16),
                    StringEncoding::Latin1Utf16 => self.compact(s, Fe::Utf16, ds),
                }
            }
            StringEncoding::Latin1Utf16 => {
                // Wasmtime 49 checks the alignment in each branch.
                self.ins(I::LocalGet(len));
                self.ins(I::I32Const(UTF16_TAG as i32));
                self.ins(I::I32And);
                self.ins(I::If(BlockType::Empty));
                self.ins(I::LocalGet(len));
                self.ins(I::I32Const(UTF16_TAG as i32));
                self.ins(I::I32Xor);
                self.ins(I::LocalSet(len));
                self.verify_aligned(ptr, 2);
                let s1 = match ds.enc {
                    StringEncoding::Utf8 => self.deflate(s, Fe::Utf16, ds),
                    StringEncoding::Utf16 => self.copy(s, Fe::Utf16, ds, Fe::Utf16),
                    StringEncoding::Latin1Utf16 => self.compact_utf16_to_compact(s, ds),
                };
                self.ins(I::Else);
                self.verify_aligned(ptr, 2);
                let s2 = match ds.enc {
                    StringEncoding::Utf16 => self.copy(s, Fe::Latin1, ds, Fe::Utf16),
                    StringEncoding::Utf8 => self.deflate(s, Fe::Latin1, ds),
                    StringEncoding::Latin1Utf16 => self.copy(s, Fe::Latin1, ds, Fe::Latin1),
                };
                self.ins(I::LocalGet(s2.ptr));
                self.ins(I::LocalSet(s1.ptr));
                self.ins(I::LocalGet(s2.len));
                self.ins(I::LocalSet(s1.len));
                self.ins(I::End);
                self.b.free(s2.ptr, ValType::I32);
                self.b.free(s2.len, ValType::I32);
                s1
            }
        };
        self.write_pair(dst, out.ptr, out.len);
        for l in [ptr, len, out.ptr, out.len] {
            self.b.free(l, ValType::I32);
        }
    }

    /// Reads a string's or list's (pointer, length) into two new
    /// temporaries (the length first, as Wasmtime takes them).
    fn read_pair(&mut self, src: &Src) -> (u32, u32) {
        match src {
            Src::Stack(locals, side) => {
                for i in 0..2 {
                    let one = Src::Stack(clamped(locals, i..i + 1), *side);
                    self.stack_get(&one, ValType::I32);
                }
            }
            Src::Mem(m) => {
                self.load(m, I::I32Load);
                self.load(&m.bump(4), I::I32Load);
            }
        }
        let len = self.b.set_tmp(ValType::I32);
        let ptr = self.b.set_tmp(ValType::I32);
        (ptr, len)
    }

    /// Writes a (pointer, length) pair from locals to `dst`.
    fn write_pair(&mut self, dst: &Dst, ptr: u32, len: u32) {
        match dst {
            Dst::Stack(tys, _) => {
                self.ins(I::LocalGet(ptr));
                self.stack_set(tys.get(..1).unwrap_or(&[]), ValType::I32);
                self.ins(I::LocalGet(len));
                self.stack_set(tys.get(1..).unwrap_or(&[]), ValType::I32);
            }
            Dst::Mem(m) => {
                self.ins(I::LocalGet(m.addr));
                self.ins(I::LocalGet(ptr));
                self.store_ptr(m);
                self.ins(I::LocalGet(m.addr));
                self.ins(I::LocalGet(len));
                self.store_ptr(&m.bump(4));
            }
        }
    }

    fn store_ptr(&mut self, m: &Mem) {
        self.ins(I::I32Store(MemArg {
            offset: u64::from(m.offset),
            align: 2,
            memory_index: m.side.mem.unwrap_or(0),
        }));
    }

    /// The first allocation of a string's destination, after checking the
    /// source: `src` in bounds (`src_bytes`), its length times `factor`
    /// within the largest string; the destination length (the source's,
    /// in a new temporary) and its byte length (`<< 1` if `utf16_bytes`),
    /// allocated with `align`. Returns the destination and its byte length.
    fn first_alloc(
        &mut self,
        src: Str,
        src_bytes: Size,
        factor: u32,
        utf16_bytes: bool,
        ds: Side,
        align: u32,
    ) -> (Str, u32) {
        self.inbounds(src.side, src.ptr, src_bytes, TRAP_STRING_OUT_OF_BOUNDS);
        self.check_length(src.len, factor);
        self.ins(I::LocalGet(src.len));
        let len = self.b.tee_tmp(ValType::I32);
        if utf16_bytes {
            self.ins(I::I32Const(1));
            self.ins(I::I32Shl);
        }
        let byte_len = self.b.set_tmp(ValType::I32);
        let ptr = self.malloc(ds, Size::Local(byte_len), align, TRAP_STRING_OUT_OF_BOUNDS);
        (Str { ptr, len, side: ds }, byte_len)
    }

    /// `realloc(dst.ptr, byte_len, align, new_size)` back into `dst.ptr`.
    fn resize(&mut self, dst: Str, byte_len: u32, align: u32, new_size: Size) {
        self.ins(I::LocalGet(dst.ptr));
        self.ins(I::LocalGet(byte_len));
        self.ins(I::I32Const(align as i32));
        self.realloc(
            dst.side,
            new_size,
            align,
            Some(dst.ptr),
            TRAP_STRING_OUT_OF_BOUNDS,
        );
    }

    /// Grows `dst` to the worst-case byte size on the stack, which becomes
    /// `byte_len`.
    fn grow(&mut self, dst: Str, byte_len: u32, align: u32) {
        let worst = self.b.set_tmp(ValType::I32);
        self.resize(dst, byte_len, align, Size::Local(worst));
        self.ins(I::LocalGet(worst));
        self.ins(I::LocalSet(byte_len));
        self.b.free(worst, ValType::I32);
    }

    /// Pushes where the second transcoding pass reads: the source's address
    /// past the `read` code units done and the number of units left.
    fn push_rest(&mut self, src: Str, se: Fe, read: u32) {
        self.ins(I::LocalGet(src.ptr));
        self.ins(I::LocalGet(read));
        if se == Fe::Utf16 {
            self.ins(I::I32Const(1));
            self.ins(I::I32Shl);
        }
        self.ins(I::I32Add);
        self.ins(I::LocalGet(src.len));
        self.ins(I::LocalGet(read));
        self.ins(I::I32Sub);
    }

    /// `store_string_copy`: one allocation of the final size.
    fn copy(&mut self, src: Str, se: Fe, ds: Side, de: Fe) -> Str {
        // The destination's string alignment (2 for `latin1+utf16` even
        // when the contents are Latin-1).
        let align = if ds.enc == StringEncoding::Utf8 { 1 } else { 2 };
        let src_bytes = Self::byte_size(src.len, se);
        let (dst, byte_len) =
            self.first_alloc(src, src_bytes, de.width(), de.width() == 2, ds, align);
        let ptr = dst.ptr;
        let op = match (se, de) {
            (Fe::Utf8, _) => Transcode::Copy8,
            (Fe::Utf16, _) => Transcode::Copy16,
            (Fe::Latin1, Fe::Latin1) => Transcode::CopyLatin1,
            (Fe::Latin1, _) => Transcode::Latin1ToUtf16,
        };
        let f = self.transcoder(src, dst, op);
        self.ins(I::LocalGet(src.ptr));
        self.ins(I::LocalGet(src.len));
        self.ins(I::LocalGet(ptr));
        self.b.mark(Site::Transcode);
        self.ins(I::Call(f));
        self.b.free(byte_len, ValType::I32);
        dst
    }

    /// `store_string_to_utf8` from UTF-16 or Latin-1: the source length
    /// first, the worst case if that was not enough, then a shrink.
    fn deflate(&mut self, src: Str, se: Fe, ds: Side) -> Str {
        let src_bytes = Self::byte_size(src.len, se);
        let (dst, byte_len) = self.first_alloc(src, src_bytes, se.width(), false, ds, 1);
        let (ptr, dst_len) = (dst.ptr, dst.len);
        let op = match se {
            Fe::Latin1 => Transcode::Latin1ToUtf8,
            _ => Transcode::Utf16ToUtf8,
        };
        let f = self.transcoder(src, dst, op);
        self.ins(I::LocalGet(src.ptr));
        self.ins(I::LocalGet(src.len));
        self.ins(I::LocalGet(ptr));
        self.ins(I::LocalGet(byte_len));
        self.ins(I::I32Const(1));
        self.b.mark(Site::Transcode);
        self.ins(I::Call(f));
        self.ins(I::LocalSet(dst_len));
        let read = self.b.set_tmp(ValType::I32);
        self.ins(I::LocalGet(read));
        self.ins(I::LocalGet(src.len));
        self.ins(I::I32Ne);
        self.ins(I::If(BlockType::Empty));
        let factor = if se == Fe::Latin1 { 2 } else { 3 };
        self.check_length(src.len, factor);
        self.ins(I::LocalGet(src.len));
        self.ins(I::I32Const(factor as i32));
        self.ins(I::I32Mul);
        self.grow(dst, byte_len, 1);
        self.push_rest(src, se, read);
        self.ins(I::LocalGet(ptr));
        self.ins(I::LocalGet(dst_len));
        self.ins(I::I32Add);
        self.ins(I::LocalGet(byte_len));
        self.ins(I::LocalGet(dst_len));
        self.ins(I::I32Sub);
        self.ins(I::I32Const(0));
        self.b.mark(Site::Transcode);
        self.ins(I::Call(f));
        self.ins(I::LocalGet(dst_len));
        self.ins(I::I32Add);
        self.ins(I::LocalSet(dst_len));
        self.ins(I::Drop);
        self.ins(I::LocalGet(dst_len));
        self.ins(I::LocalGet(byte_len));
        self.ins(I::I32Ne);
        self.ins(I::If(BlockType::Empty));
        self.resize(dst, byte_len, 1, Size::Local(dst_len));
        self.ins(I::End);
        self.ins(I::End);
        self.b.free(read, ValType::I32);
        self.b.free(byte_len, ValType::I32);
        dst
    }

    /// `store_utf8_to_utf16`: the worst case, then a shrink.
    fn utf8_to_utf16(&mut self, src: Str, ds: Side) -> Str {
        let (dst, byte_len) = self.first_alloc(src, Size::Local(src.len), 2, true, ds, 2);
        let (ptr, dst_len) = (dst.ptr, dst.len);
        let f = self.transcoder(src, dst, Transcode::Utf8ToUtf16);
        self.ins(I::LocalGet(src.ptr));
        self.ins(I::LocalGet(src.len));
        self.ins(I::LocalGet(ptr));
        self.b.mark(Site::Transcode);
        self.ins(I::Call(f));
        self.ins(I::LocalSet(dst_len));
        self.ins(I::LocalGet(src.len));
        self.ins(I::LocalGet(dst_len));
        self.ins(I::I32Ne);
        self.ins(I::If(BlockType::Empty));
        self.resize(dst, byte_len, 2, Size::Shl1(dst_len));
        self.ins(I::End);
        self.b.free(byte_len, ValType::I32);
        dst
    }

    /// `store_probably_utf16_to_latin1_or_utf16`.
    fn compact_utf16_to_compact(&mut self, src: Str, ds: Side) -> Str {
        let (dst, byte_len) = self.first_alloc(src, Size::Shl1(src.len), 2, true, ds, 2);
        let (ptr, dst_len) = (dst.ptr, dst.len);
        // Wasmtime 49 copies the byte length into a temporary it does not
        // use further.
        self.ins(I::LocalGet(byte_len));
        let src_bytes = self.b.set_tmp(ValType::I32);
        let f = self.transcoder(src, dst, Transcode::Utf16ToCompactProbablyUtf16);
        self.ins(I::LocalGet(src.ptr));
        self.ins(I::LocalGet(src.len));
        self.ins(I::LocalGet(ptr));
        self.b.mark(Site::Transcode);
        self.ins(I::Call(f));
        self.ins(I::LocalSet(dst_len));
        self.ins(I::LocalGet(dst_len));
        self.ins(I::I32Const(UTF16_TAG as i32));
        self.ins(I::I32And);
        self.ins(I::BrIf(0));
        self.resize(dst, byte_len, 2, Size::Local(dst_len));
        self.b.free(byte_len, ValType::I32);
        self.b.free(src_bytes, ValType::I32);
        dst
    }

    /// `store_string_to_latin1_or_utf16`: Latin-1 first, inflated to
    /// UTF-16 at the first wide character.
    fn compact(&mut self, src: Str, se: Fe, ds: Side) -> Str {
        let src_bytes = Self::byte_size(src.len, se);
        let (dst, byte_len) = self.first_alloc(src, src_bytes, se.width(), false, ds, 2);
        let (ptr, dst_len) = (dst.ptr, dst.len);
        let (latin1, utf16) = match se {
            Fe::Utf16 => (Transcode::Utf16ToLatin1, Transcode::Utf16ToCompactUtf16),
            _ => (Transcode::Utf8ToLatin1, Transcode::Utf8ToCompactUtf16),
        };
        let f_latin1 = self.transcoder(src, dst, latin1);
        let f_utf16 = self.transcoder(src, dst, utf16);
        self.ins(I::LocalGet(src.ptr));
        self.ins(I::LocalGet(src.len));
        self.ins(I::LocalGet(ptr));
        self.b.mark(Site::Transcode);
        self.ins(I::Call(f_latin1));
        self.ins(I::LocalSet(dst_len));
        let read = self.b.set_tmp(ValType::I32);
        self.ins(I::LocalGet(read));
        self.ins(I::LocalGet(src.len));
        self.ins(I::I32Eq);
        self.ins(I::If(BlockType::Empty));
        self.ins(I::LocalGet(byte_len));
        self.ins(I::LocalGet(dst_len));
        self.ins(I::I32Ne);
        self.ins(I::If(BlockType::Empty));
        self.resize(dst, byte_len, 2, Size::Local(dst_len));
        self.ins(I::End);
        self.ins(I::Else);
        if se.width() == 1 {
            self.check_length(src.len, 2);
        }
        self.ins(I::LocalGet(src.len));
        self.ins(I::I32Const(1));
        self.ins(I::I32Shl);
        self.grow(dst, byte_len, 2);
        self.push_rest(src, se, read);
        self.ins(I::LocalGet(ptr));
        self.ins(I::LocalGet(src.len));
        self.ins(I::LocalGet(dst_len));
        self.b.mark(Site::Transcode);
        self.ins(I::Call(f_utf16));
        self.ins(I::LocalSet(dst_len));
        self.ins(I::LocalGet(dst_len));
        self.ins(I::LocalGet(src.len));
        self.ins(I::I32Ne);
        self.ins(I::If(BlockType::Empty));
        self.resize(dst, byte_len, 2, Size::Shl1(dst_len));
        self.ins(I::End);
        self.ins(I::LocalGet(dst_len));
        self.ins(I::I32Const(UTF16_TAG as i32));
        self.ins(I::I32Or);
        self.ins(I::LocalSet(dst_len));
        self.ins(I::End);
        self.b.free(read, ValType::I32);
        self.b.free(byte_len, ValType::I32);
        dst
    }

    /// `calculate_list_byte_len`: `len * size` into a new temporary,
    /// trapping past 32 bits.
    fn list_byte_len(&mut self, len: u32, size: u32) -> u32 {
        match size {
            0 => {
                self.ins(I::I32Const(0));
                self.b.set_tmp(ValType::I32)
            }
            1 => {
                self.ins(I::LocalGet(len));
                self.b.set_tmp(ValType::I32)
            }
            _ => {
                self.ins(I::Block(BlockType::Empty));
                self.ins(I::Block(BlockType::Empty));
                self.ins(I::LocalGet(len));
                self.ins(I::I64ExtendI32U);
                self.ins(I::I64Const(i64::from(size)));
                self.ins(I::I64Mul);
                let t = self.b.tee_tmp(ValType::I64);
                self.ins(I::I64Const(32));
                self.ins(I::I64ShrU);
                self.ins(I::I64Eqz);
                self.ins(I::BrIf(1));
                self.ins(I::End);
                self.b.mark(Site::BoundsCall);
                self.trap(TRAP_LIST_OUT_OF_BOUNDS);
                self.ins(I::End);
                self.ins(I::LocalGet(t));
                self.ins(I::I32WrapI64);
                self.b.free(t, ValType::I64);
                self.b.set_tmp(ValType::I32)
            }
        }
    }

    pub(super) fn list(&mut self, elem: TypeIndex, src: &Src, dst: &Dst) {
        let (ss, ds) = (src.side(), dst.side());
        let (size, align) = self.size_align(elem);
        let (ptr, len) = self.read_pair(src);
        let src_bytes = self.list_byte_len(len, size);
        self.ins(I::LocalGet(src_bytes));
        let dst_bytes = self.b.set_tmp(ValType::I32);
        self.verify_aligned(ptr, align);
        self.inbounds(ss, ptr, Size::Local(src_bytes), TRAP_LIST_OUT_OF_BOUNDS);
        let dst_ptr = self.malloc(ds, Size::Local(dst_bytes), align, TRAP_LIST_OUT_OF_BOUNDS);
        self.b.free(src_bytes, ValType::I32);
        self.b.free(dst_bytes, ValType::I32);
        if size > 0 {
            self.ins(I::Block(BlockType::Empty));
            self.ins(I::LocalGet(len));
            let remaining = self.b.tee_tmp(ValType::I32);
            self.ins(I::I32Eqz);
            self.ins(I::BrIf(0));
            self.ins(I::LocalGet(ptr));
            let cur_src = self.b.set_tmp(ValType::I32);
            self.ins(I::LocalGet(dst_ptr));
            let cur_dst = self.b.set_tmp(ValType::I32);
            self.ins(I::Loop(BlockType::Empty));
            let esrc = Src::Mem(Mem {
                side: ss,
                addr: cur_src,
                offset: 0,
            });
            let edst = Dst::Mem(Mem {
                side: ds,
                addr: cur_dst,
                offset: 0,
            });
            self.translate(elem, &esrc, &edst);
            for cur in [cur_src, cur_dst] {
                self.ins(I::LocalGet(cur));
                self.ins(I::I32Const(size as i32));
                self.ins(I::I32Add);
                self.ins(I::LocalSet(cur));
            }
            self.ins(I::LocalGet(remaining));
            self.ins(I::I32Const(-1));
            self.ins(I::I32Add);
            self.ins(I::LocalTee(remaining));
            self.ins(I::BrIf(0));
            self.ins(I::End);
            self.ins(I::End);
            self.b.free(cur_dst, ValType::I32);
            self.b.free(cur_src, ValType::I32);
            self.b.free(remaining, ValType::I32);
        }
        self.write_pair(dst, dst_ptr, len);
        self.b.free(len, ValType::I32);
        self.b.free(ptr, ValType::I32);
        self.b.free(dst_ptr, ValType::I32);
    }
}
