//! Value translation as Wasmtime 49's adapters lay it out: one component
//! value moved from the source (flat locals or linear memory) to the
//! destination (the wasm stack or linear memory), in the order and with
//! the checks, temporaries and intrinsic imports of Wasmtime's generated
//! code, so that the offsets that follow it match.
//!
//! Input: a type of the plan's table, a [`Src`] and a [`Dst`]. Output: code
//! appended to the [`Body`], imports interned in the [`FactModule`].
//! Strings and lists are in `super::strings`.
//!
//! Wasmtime outlines a translation into a helper function once an adapter
//! has spent its "fuel" (a cost per type layer), see `super::helpers`.

use super::body::{Body, Site};
use super::{FactModule, Key};
use kiln_abi::component::{PtrType, StringEncoding, Type, TypeIndex, TypeTable};
use wasm_encoder::{BlockType, Instruction as I, MemArg, ValType};

/// Wasmtime's trap numbers.
pub(super) const TRAP_MEMORY_OUT_OF_BOUNDS: u8 = 1;
pub(super) const TRAP_INVALID_CHAR: u8 = 25;
pub(super) const TRAP_STRING_OUT_OF_BOUNDS: u8 = 30;
pub(super) const TRAP_LIST_OUT_OF_BOUNDS: u8 = 31;
pub(super) const TRAP_INVALID_DISCRIMINANT: u8 = 32;
pub(super) const TRAP_UNALIGNED: u8 = 33;

/// The options of one side, as indices of the model module.
#[derive(Copy, Clone, Debug)]
pub(super) struct Side {
    pub mem: Option<u32>,
    pub realloc: Option<u32>,
    pub enc: StringEncoding,
    /// The side's component instance (its resource tables are its own).
    pub inst: u32,
}

/// A value in linear memory: at `local addr + offset`.
#[derive(Copy, Clone, Debug)]
pub(super) struct Mem {
    pub side: Side,
    pub addr: u32,
    pub offset: u32,
}

impl Mem {
    pub fn bump(self, by: u32) -> Mem {
        Mem {
            offset: self.offset + by,
            ..self
        }
    }

    fn arg(&self, align: u32) -> MemArg {
        MemArg {
            offset: u64::from(self.offset),
            align,
            memory_index: self.side.mem.unwrap_or(0),
        }
    }
}

/// Where a value comes from.
#[derive(Clone, Debug)]
pub(super) enum Src {
    /// Flat values in locals (`(local, its type)`; the type may be wider
    /// than the value's, inside variants).
    Stack(Vec<(u32, ValType)>, Side),
    Mem(Mem),
}

/// Where a value goes.
#[derive(Clone, Debug)]
pub(super) enum Dst {
    /// Pushed on the wasm stack as these types.
    Stack(Vec<ValType>, Side),
    Mem(Mem),
}

impl Src {
    pub fn side(&self) -> Side {
        match self {
            Src::Stack(_, s) => *s,
            Src::Mem(m) => m.side,
        }
    }
}

impl Dst {
    pub fn side(&self) -> Side {
        match self {
            Dst::Stack(_, s) => *s,
            Dst::Mem(m) => m.side,
        }
    }
}

/// What a memory bounds check adds to the pointer: a constant or a local.
#[derive(Copy, Clone, Debug)]
pub(super) enum Size {
    Const(u32),
    Local(u32),
    /// `local << 1` (UTF-16 code units to bytes).
    Shl1(u32),
}

impl Size {
    fn emit(self, b: &mut Body) {
        match self {
            Size::Const(n) => b.ins(I::I32Const(n as i32)),
            Size::Local(l) => b.ins(I::LocalGet(l)),
            Size::Shl1(l) => {
                b.ins(I::LocalGet(l));
                b.ins(I::I32Const(1));
                b.ins(I::I32Shl);
            }
        }
    }
}

pub(super) fn wasm_type(t: kiln_abi::ValType) -> ValType {
    match t {
        kiln_abi::ValType::I32 => ValType::I32,
        kiln_abi::ValType::I64 => ValType::I64,
        kiln_abi::ValType::F32 => ValType::F32,
        kiln_abi::ValType::F64 => ValType::F64,
        // The canonical ABI flattens to numbers only.
        _ => ValType::I32,
    }
}

/// The flat core types of `types` (all of them, however many).
pub(super) fn flatten(table: &TypeTable<'_>, types: &[TypeIndex]) -> Vec<ValType> {
    let mut out = Vec::new();
    for t in types {
        flatten_into(table, *t, &mut out);
    }
    out
}

fn flatten_into(table: &TypeTable<'_>, t: TypeIndex, out: &mut Vec<ValType>) {
    let mut flat = kiln_abi::component::FlatTypes::new();
    table.flatten_type(t, PtrType::I32, &mut flat);
    if !flat.is_truncated() {
        out.extend(flat.as_slice().iter().map(|v| wasm_type(*v)));
        return;
    }
    // Longer than the fixed capacity: only records and tuples nest that
    // deep in practice; anything else has no flat form worth modelling.
    if let Some(f) = table.fields(t) {
        for i in 0..f.len() {
            if let Some(c) = f.get(i) {
                flatten_into(table, c, out);
            }
        }
    } else {
        out.extend(std::iter::repeat_n(ValType::I32, flat.len() as usize));
    }
}

/// The translation of one adapter body.
pub(super) struct Cx<'a, 't> {
    pub m: &'a mut FactModule,
    pub b: &'a mut Body,
    pub table: &'a TypeTable<'t>,
    /// False once the adapter needs something the model does not lay out.
    pub ok: bool,
}

impl<'a, 't> Cx<'a, 't> {
    pub fn new(m: &'a mut FactModule, b: &'a mut Body, table: &'a TypeTable<'t>) -> Self {
        Cx {
            m,
            b,
            table,
            ok: true,
        }
    }

    pub fn ins(&mut self, i: I<'_>) {
        self.b.ins(i);
    }

    pub fn trap(&mut self, code: u8) {
        self.m.trap(&mut self.b.code, code);
    }

    pub fn size_align(&self, t: TypeIndex) -> (u32, u32) {
        (
            self.table.elem_size(t, PtrType::I32),
            self.table.alignment(t, PtrType::I32),
        )
    }

    pub fn flat(&self, t: TypeIndex) -> Vec<ValType> {
        flatten(self.table, &[t])
    }

    /// Moves one value of type `t` from `src` to `dst`.
    pub fn translate(&mut self, t: TypeIndex, src: &Src, dst: &Dst) {
        let Some(ty) = self.table.get(t) else {
            self.ok = false;
            return;
        };
        let cost = match ty {
            Type::Char => 1,
            Type::String | Type::List(_) => 40,
            Type::Flags(c) => match c.len() {
                0 => 0,
                1..=16 => 1,
                n => n.div_ceil(32),
            },
            Type::Record(c) | Type::Tuple(c) | Type::Variant(c) | Type::Enum(c) => c.len(),
            Type::Option(_) | Type::Result { .. } => 2,
            Type::Own(_)
            | Type::Borrow(_)
            | Type::Stream(_)
            | Type::Future(_)
            | Type::ErrorContext => 1,
            _ => 0,
        };
        let Some(left) = self.b.fuel.checked_sub(cost) else {
            self.outline(t, src, dst);
            return;
        };
        self.b.fuel = left;
        match ty {
            Type::Bool => {
                self.push_dst_addr(dst);
                self.ins(I::I32Const(1));
                self.ins(I::I32Const(0));
                match src {
                    Src::Mem(m) => self.load(m, I::I32Load8U),
                    Src::Stack(..) => self.stack_get(src, ValType::I32),
                }
                self.ins(I::Select);
                self.store(dst, I::I32Store8, ValType::I32);
            }
            Type::U8 => self.mask8(src, dst, 0xff),
            Type::U16 => self.mask16(src, dst, 0xffff),
            Type::S8 => self.signed(src, dst, I::I32Load8S, I::I32Extend8S, I::I32Store8),
            Type::S16 => self.signed(src, dst, I::I32Load16S, I::I32Extend16S, I::I32Store16),
            Type::U32 | Type::S32 => self.mask32(src, dst, u32::MAX),
            Type::U64 | Type::S64 => self.plain(src, dst, ValType::I64),
            Type::F32 => self.plain(src, dst, ValType::F32),
            Type::F64 => self.plain(src, dst, ValType::F64),
            Type::Char => self.char(src, dst),
            Type::String => self.string(src, dst),
            Type::List(e) => self.list(e, src, dst),
            Type::Record(c) | Type::Tuple(c) => {
                let fields: Vec<TypeIndex> = c.iter().filter_map(|f| f.ty).collect();
                self.fields(&fields, src, dst);
            }
            Type::Flags(c) => {
                let n = c.len();
                let low = |bits: usize| ((1u64 << bits) - 1) as u32;
                match n {
                    0 => {}
                    1..=8 => self.mask8(src, dst, if n == 8 { 0xff } else { low(n) }),
                    9..=16 => self.mask16(src, dst, if n == 16 { 0xffff } else { low(n) }),
                    _ => {
                        // 32-bit words, each one flat value or 4 bytes.
                        let words = n.div_ceil(32);
                        for w in 0..words {
                            let mask = if w == words - 1 && n % 32 != 0 {
                                low(n % 32)
                            } else {
                                u32::MAX
                            };
                            let s = match src {
                                Src::Mem(m) => Src::Mem(m.bump(4 * w as u32)),
                                Src::Stack(l, side) => Src::Stack(clamped(l, w..w + 1), *side),
                            };
                            let d = match dst {
                                Dst::Mem(m) => Dst::Mem(m.bump(4 * w as u32)),
                                Dst::Stack(t, side) => Dst::Stack(clamped(t, w..w + 1), *side),
                            };
                            self.mask32(&s, &d, mask);
                        }
                    }
                }
            }
            Type::Enum(c) => self.enum_(t, c.len() as u32, src, dst),
            Type::Variant(_) | Type::Option(_) | Type::Result { .. } => self.variant(t, src, dst),
            Type::Own(r) | Type::Borrow(r) => {
                let (key, name) = match ty {
                    Type::Own(_) => (Key::TransferOwn, "transfer-own"),
                    _ => (Key::TransferBorrow, "transfer-borrow"),
                };
                let tables = [src.side(), dst.side()].map(|s| self.m.resource_table(r, s.inst));
                self.transfer(key, "resource", name, tables, src, dst);
            }
            Type::Stream(_) | Type::Future(_) | Type::ErrorContext => {
                let module = match ty {
                    Type::Stream(_) => "stream",
                    Type::Future(_) => "future",
                    _ => "error-context",
                };
                let tables = [src.side(), dst.side()].map(|s| self.m.handle_table(t, s.inst));
                self.transfer(Key::Transfer(module), module, "transfer", tables, src, dst);
            }
            _ => self.ok = false,
        }
    }

    /// Moves a handle with intrinsic `module`/`name` (interned as `key`),
    /// given Wasmtime's tables of the two sides.
    fn transfer(
        &mut self,
        key: Key,
        module: &str,
        name: &str,
        tables: [u32; 2],
        src: &Src,
        dst: &Dst,
    ) {
        let i32s = [ValType::I32; 3];
        let f = self.m.func(key, module, name, &i32s, &i32s[..1]);
        self.push_dst_addr(dst);
        match src {
            Src::Mem(m) => self.load(m, I::I32Load),
            Src::Stack(..) => self.stack_get(src, ValType::I32),
        }
        for t in tables {
            self.ins(I::I32Const(t as i32));
        }
        self.b.mark(Site::Transfer);
        self.ins(I::Call(f));
        self.store(dst, I::I32Store, ValType::I32);
    }

    /// Translates fields of the given types laid out as a record.
    pub fn fields(&mut self, types: &[TypeIndex], src: &Src, dst: &Dst) {
        let srcs = self.field_srcs(src, types);
        let dsts = self.field_dsts(dst, types);
        for ((t, s), d) in types.iter().zip(&srcs).zip(&dsts) {
            self.translate(*t, s, d);
        }
    }

    /// The range of each of `types`' flat values among theirs together.
    fn flat_ranges(&self, types: &[TypeIndex]) -> Vec<std::ops::Range<usize>> {
        let mut at = 0;
        types
            .iter()
            .map(|t| {
                let n = self.flat(*t).len();
                at += n;
                at - n..at
            })
            .collect()
    }

    pub fn field_srcs(&self, src: &Src, types: &[TypeIndex]) -> Vec<Src> {
        match src {
            Src::Mem(m) => self
                .table
                .field_offsets(types.iter().copied(), PtrType::I32)
                .map(|(_, off)| Src::Mem(m.bump(off)))
                .collect(),
            Src::Stack(locals, side) => self
                .flat_ranges(types)
                .into_iter()
                .map(|r| Src::Stack(clamped(locals, r), *side))
                .collect(),
        }
    }

    pub fn field_dsts(&self, dst: &Dst, types: &[TypeIndex]) -> Vec<Dst> {
        match dst {
            Dst::Mem(m) => self
                .table
                .field_offsets(types.iter().copied(), PtrType::I32)
                .map(|(_, off)| Dst::Mem(m.bump(off)))
                .collect(),
            Dst::Stack(tys, side) => self
                .flat_ranges(types)
                .into_iter()
                .map(|r| Dst::Stack(clamped(tys, r), *side))
                .collect(),
        }
    }

    pub fn push_dst_addr(&mut self, dst: &Dst) {
        if let Dst::Mem(m) = dst {
            self.ins(I::LocalGet(m.addr));
        }
    }

    pub fn load(&mut self, m: &Mem, op: MemOp) {
        self.ins(I::LocalGet(m.addr));
        let align = match op(m.arg(0)) {
            I::I32Load8U(_) | I::I32Load8S(_) => 0,
            I::I32Load16U(_) | I::I32Load16S(_) => 1,
            I::I32Load(_) | I::F32Load(_) => 2,
            _ => 3,
        };
        self.ins(op(m.arg(align)));
    }

    /// Stores the value on the stack (of type `t`) to `dst`.
    pub fn store(&mut self, dst: &Dst, op: MemOp, t: ValType) {
        match dst {
            Dst::Mem(m) => {
                let align = match op(m.arg(0)) {
                    I::I32Store8(_) => 0,
                    I::I32Store16(_) => 1,
                    I::I32Store(_) | I::F32Store(_) => 2,
                    _ => 3,
                };
                self.ins(op(m.arg(align)));
            }
            Dst::Stack(tys, _) => self.stack_set(tys, t),
        }
    }

    /// Reads the one local of `src` as `want`.
    pub fn stack_get(&mut self, src: &Src, want: ValType) {
        let Src::Stack(locals, _) = src else { return };
        let Some(&(l, have)) = locals.first() else {
            self.ok = false;
            return;
        };
        self.ins(I::LocalGet(l));
        match (have, want) {
            (ValType::I32, ValType::F32) => self.ins(I::F32ReinterpretI32),
            (ValType::I64, ValType::I32) => self.ins(I::I32WrapI64),
            (ValType::I64, ValType::F64) => self.ins(I::F64ReinterpretI64),
            (ValType::I64, ValType::F32) => {
                self.ins(I::I32WrapI64);
                self.ins(I::F32ReinterpretI32);
            }
            _ => {}
        }
    }

    /// Converts the value on the stack (of type `have`) to `tys[0]`.
    pub fn stack_set(&mut self, tys: &[ValType], have: ValType) {
        let Some(&want) = tys.first() else {
            self.ok = false;
            return;
        };
        match (have, want) {
            (ValType::F32, ValType::I32) => self.ins(I::I32ReinterpretF32),
            (ValType::I32, ValType::I64) => self.ins(I::I64ExtendI32U),
            (ValType::F64, ValType::I64) => self.ins(I::I64ReinterpretF64),
            (ValType::F32, ValType::I64) => {
                self.ins(I::I32ReinterpretF32);
                self.ins(I::I64ExtendI32U);
            }
            _ => {}
        }
    }

    fn mask8(&mut self, src: &Src, dst: &Dst, mask: u32) {
        self.push_dst_addr(dst);
        let mut needs = true;
        match src {
            Src::Mem(m) => {
                self.load(m, I::I32Load8U);
                needs = mask != 0xff;
            }
            Src::Stack(..) => self.stack_get(src, ValType::I32),
        }
        if needs {
            self.ins(I::I32Const(mask as i32));
            self.ins(I::I32And);
        }
        self.store(dst, I::I32Store8, ValType::I32);
    }

    fn mask16(&mut self, src: &Src, dst: &Dst, mask: u32) {
        self.push_dst_addr(dst);
        let mut needs = true;
        match src {
            Src::Mem(m) => {
                self.load(m, I::I32Load16U);
                needs = mask != 0xffff;
            }
            Src::Stack(..) => self.stack_get(src, ValType::I32),
        }
        if needs {
            self.ins(I::I32Const(mask as i32));
            self.ins(I::I32And);
        }
        self.store(dst, I::I32Store16, ValType::I32);
    }

    fn mask32(&mut self, src: &Src, dst: &Dst, mask: u32) {
        self.push_dst_addr(dst);
        match src {
            Src::Mem(m) => self.load(m, I::I32Load),
            Src::Stack(..) => self.stack_get(src, ValType::I32),
        }
        if mask != u32::MAX {
            self.ins(I::I32Const(mask as i32));
            self.ins(I::I32And);
        }
        self.store(dst, I::I32Store, ValType::I32);
    }

    fn signed(&mut self, src: &Src, dst: &Dst, load: MemOp, extend: I<'static>, store: MemOp) {
        self.push_dst_addr(dst);
        match src {
            Src::Mem(m) => self.load(m, load),
            Src::Stack(..) => {
                self.stack_get(src, ValType::I32);
                self.ins(extend);
            }
        }
        self.store(dst, store, ValType::I32);
    }

    fn plain(&mut self, src: &Src, dst: &Dst, t: ValType) {
        let (load, store): (MemOp, MemOp) = match t {
            ValType::I64 => (I::I64Load, I::I64Store),
            ValType::F32 => (I::F32Load, I::F32Store),
            _ => (I::F64Load, I::F64Store),
        };
        self.push_dst_addr(dst);
        match src {
            Src::Mem(m) => self.load(m, load),
            Src::Stack(..) => self.stack_get(src, t),
        }
        self.store(dst, store, t);
    }

    fn char(&mut self, src: &Src, dst: &Dst) {
        match src {
            Src::Mem(m) => self.load(m, I::I32Load),
            Src::Stack(..) => self.stack_get(src, ValType::I32),
        }
        let t = self.b.set_tmp(ValType::I32);
        for i in [
            I::Block(BlockType::Empty),
            I::Block(BlockType::Empty),
            I::LocalGet(t),
            I::I32Const(0xd800),
            I::I32Xor,
            I::I32Const(-0x11_0000),
            I::I32Add,
            I::I32Const(-0x10_f800),
            I::I32LtU,
        ] {
            self.ins(i);
        }
        self.b.mark(Site::Char);
        for i in [
            I::BrIf(0),
            I::LocalGet(t),
            I::I32Const(0x11_0000),
            I::I32Ne,
            I::BrIf(1),
            I::End,
        ] {
            self.ins(i);
        }
        self.trap(TRAP_INVALID_CHAR);
        self.ins(I::End);
        self.push_dst_addr(dst);
        self.ins(I::LocalGet(t));
        self.store(dst, I::I32Store, ValType::I32);
        self.b.free(t, ValType::I32);
    }

    fn enum_(&mut self, t: TypeIndex, n: u32, src: &Src, dst: &Dst) {
        let Some(layout) = self.table.variant_layout(t, PtrType::I32) else {
            self.ok = false;
            return;
        };
        match src {
            Src::Mem(m) => self.load(m, disc_load(layout.discriminant_size)),
            Src::Stack(..) => self.stack_get(src, ValType::I32),
        }
        let tmp = self.b.tee_tmp(ValType::I32);
        self.ins(I::I32Const(n as i32));
        self.ins(I::I32GeU);
        // As Wasmtime 49 reports it, a parameter's as a result's: at the
        // `if` (Cranelift makes it a conditional trap).
        self.b.mark(Site::EnumIf);
        self.ins(I::If(BlockType::Empty));
        self.trap(TRAP_INVALID_DISCRIMINANT);
        self.ins(I::End);
        self.push_dst_addr(dst);
        self.ins(I::LocalGet(tmp));
        self.store(dst, disc_store(layout.discriminant_size), ValType::I32);
        self.b.free(tmp, ValType::I32);
    }

    fn variant(&mut self, t: TypeIndex, src: &Src, dst: &Dst) {
        let (Some(cases), Some(layout)) = (
            self.table.cases(t),
            self.table.variant_layout(t, PtrType::I32),
        ) else {
            self.ok = false;
            return;
        };
        let n = cases.len();
        let outer = match dst {
            Dst::Stack(tys, _) => match tys.len() {
                0 => BlockType::Empty,
                1 => BlockType::Result(tys[0]),
                _ => BlockType::FunctionType(self.m.ty(&[], tys)),
            },
            Dst::Mem(_) => BlockType::Empty,
        };
        self.ins(I::Block(outer));
        for _ in 0..n.saturating_sub(1) {
            self.ins(I::Block(BlockType::Empty));
        }
        self.ins(I::Block(BlockType::Empty));
        self.ins(I::Block(BlockType::Empty));
        match src {
            Src::Stack(..) => self.stack_get(src, ValType::I32),
            Src::Mem(m) => self.load(m, disc_load(layout.discriminant_size)),
        }
        let targets: Vec<u32> = (1..=n).collect();
        self.ins(I::BrTable(targets.into(), 0));
        self.ins(I::End);
        // Reported at the trap's call, a parameter's as a result's.
        self.b.mark(Site::VariantCall);
        self.trap(TRAP_INVALID_DISCRIMINANT);
        self.ins(I::End);
        for i in 0..n {
            self.push_dst_addr(dst);
            self.ins(I::I32Const(i as i32));
            match dst {
                Dst::Stack(tys, _) => {
                    let first = tys.first().copied().into_iter().collect::<Vec<_>>();
                    self.stack_set(&first, ValType::I32);
                }
                Dst::Mem(m) => self.ins(disc_store(layout.discriminant_size)(
                    m.arg(disc_align(layout.discriminant_size)),
                )),
            }
            let payload = cases.payload(i);
            let flat_len = payload.map_or(0, |p| self.flat(p).len());
            let psrc = match src {
                Src::Stack(locals, side) => {
                    let rest = locals.get(1..).unwrap_or(&[]);
                    Src::Stack(clamped(rest, 0..flat_len), *side)
                }
                Src::Mem(m) => Src::Mem(m.bump(layout.payload_offset)),
            };
            let pdst = match dst {
                Dst::Stack(tys, side) => {
                    let rest = tys.get(1..).unwrap_or(&[]);
                    Dst::Stack(clamped(rest, 0..flat_len), *side)
                }
                Dst::Mem(m) => Dst::Mem(m.bump(layout.payload_offset)),
            };
            if let Some(p) = payload {
                self.translate(p, &psrc, &pdst);
            }
            if let (Dst::Stack(tys, _), Dst::Stack(ptys, _)) = (dst, &pdst) {
                for t in tys.iter().skip(1 + ptys.len()) {
                    self.ins(match t {
                        ValType::I64 => I::I64Const(0),
                        ValType::F32 => I::F32Const(0.0.into()),
                        ValType::F64 => I::F64Const(0.0.into()),
                        _ => I::I32Const(0),
                    });
                }
            }
            if i != n - 1 {
                self.ins(I::Br(n - i - 1));
            }
            self.ins(I::End);
        }
    }

    /// `verify_aligned`: traps unless `local` is a multiple of `align`.
    pub fn verify_aligned(&mut self, local: u32, align: u32) {
        if align <= 1 {
            return;
        }
        self.ins(I::LocalGet(local));
        self.ins(I::I32Const((align - 1) as i32));
        self.ins(I::I32And);
        self.b.mark(Site::AlignIf);
        self.ins(I::If(BlockType::Empty));
        self.trap(TRAP_UNALIGNED);
        self.ins(I::End);
    }

    /// `validate_memory_inbounds`: traps unless `local + size` is within
    /// `side`'s memory.
    pub fn inbounds(&mut self, side: Side, local: u32, size: Size, trap: u8) {
        self.ins(I::Block(BlockType::Empty));
        self.ins(I::Block(BlockType::Empty));
        self.ins(I::MemorySize(side.mem.unwrap_or(0)));
        self.ins(I::I64ExtendI32U);
        self.ins(I::I64Const(16));
        self.ins(I::I64Shl);
        self.ins(I::LocalGet(local));
        self.ins(I::I64ExtendI32U);
        size.emit(self.b);
        self.ins(I::I64ExtendI32U);
        self.ins(I::I64Add);
        self.ins(I::I64GeU);
        self.ins(I::BrIf(1));
        self.ins(I::End);
        self.b.mark(Site::BoundsCall);
        self.trap(trap);
        self.ins(I::End);
    }

    /// A pointer passed between the sides: checked to be aligned and to
    /// hold `size` bytes.
    pub fn memory_operand(&mut self, side: Side, addr: u32, size: u32, align: u32) -> Mem {
        self.verify_aligned(addr, align);
        self.inbounds(side, addr, Size::Const(size), TRAP_MEMORY_OUT_OF_BOUNDS);
        Mem {
            side,
            addr,
            offset: 0,
        }
    }

    /// Reads both `context` slots into fresh temporaries.
    pub fn save_context(&mut self) -> Vec<u32> {
        (0..2)
            .map(|slot| {
                let get = self.m.context_get(slot);
                self.ins(I::Call(get));
                self.b.set_tmp(ValType::I32)
            })
            .collect()
    }

    pub fn restore_context(&mut self, saved: Vec<u32>) {
        for (slot, l) in saved.into_iter().enumerate() {
            let set = self.m.context_set(slot as u32);
            self.ins(I::LocalGet(l));
            self.ins(I::Call(set));
            self.b.free(l, ValType::I32);
        }
    }

    /// A `realloc` call of `side` with its four arguments already pushed
    /// but the last, `new_size`: the task's context slots are cleared around
    /// it, the result is stored to `into` (a new temporary if `None`),
    /// checked to be aligned and to hold `new_size` bytes.
    pub fn realloc(
        &mut self,
        side: Side,
        new_size: Size,
        align: u32,
        into: Option<u32>,
        trap: u8,
    ) -> u32 {
        let Some(realloc) = side.realloc else {
            self.ok = false;
            return 0;
        };
        new_size.emit(self.b);
        let saved = self.save_context();
        for slot in 0..2 {
            let set = self.m.context_set(slot);
            self.ins(I::I32Const(0));
            self.ins(I::Call(set));
        }
        self.b.mark(Site::Realloc);
        self.ins(I::Call(realloc));
        self.restore_context(saved);
        let addr = match into {
            Some(l) => {
                self.ins(I::LocalSet(l));
                l
            }
            None => self.b.set_tmp(ValType::I32),
        };
        self.verify_aligned(addr, align);
        self.inbounds(side, addr, new_size, trap);
        addr
    }

    /// `realloc(0, 0, align, size)` into a new temporary.
    pub fn malloc(&mut self, side: Side, size: Size, align: u32, trap: u8) -> u32 {
        self.ins(I::I32Const(0));
        self.ins(I::I32Const(0));
        self.ins(I::I32Const(align as i32));
        self.realloc(side, size, align, None, trap)
    }
}

/// A load or store instruction of a memory argument.
type MemOp = fn(MemArg) -> I<'static>;

/// `v[r]`, cut to `v`'s length (the model follows malformed plans rather
/// than panicking; the plan was validated).
pub(super) fn clamped<T: Clone>(v: &[T], r: std::ops::Range<usize>) -> Vec<T> {
    v[r.start.min(v.len())..r.end.min(v.len())].to_vec()
}

fn disc_load(size: u32) -> MemOp {
    match size {
        1 => I::I32Load8U,
        2 => I::I32Load16U,
        _ => I::I32Load,
    }
}

fn disc_store(size: u32) -> MemOp {
    match size {
        1 => I::I32Store8,
        2 => I::I32Store16,
        _ => I::I32Store,
    }
}

fn disc_align(size: u32) -> u32 {
    match size {
        1 => 0,
        2 => 1,
        _ => 2,
    }
}
