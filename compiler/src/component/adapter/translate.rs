//! Value translation of a fused adapter: wasm instructions that lift one
//! component value from the source instance (flat core values or linear
//! memory, with the source's options) and lower it into the destination
//! instance (with the destination's options).
//!
//! Input: a type of the plan's canonical-ABI table and two [`Loc`]s; output:
//! instructions and locals appended to an [`Emitter`]. Both sides have the
//! same component type and 32-bit memories, so layouts and flattened core
//! types agree; only memories, `realloc`s and string encodings differ.
//!
//! - Scalars are checked and normalized as `lift_flat`/`load` do (`bool` is
//!   0 or 1, small integers are truncated or sign-extended, a `char` must be
//!   a Unicode scalar value, discriminants must name a case, unused flag
//!   bits are dropped); floats move bit-exactly.
//! - Inside a variant, flat payload values live in the variant's joined
//!   core types; [`Emitter::flat_get`]/[`Emitter::flat_set`] convert.
//! - Lists: the destination buffer comes from the destination's `realloc`
//!   first, then elements are translated in order (the spec's `realloc`
//!   order: pre-order, depth first). Elements whose bytes need no checks
//!   (integers, floats and records of them) are copied in bulk with one
//!   `memory.copy`.
//! - Strings: as Wasmtime 49's adapters move them, in every encoding pair
//!   (`super::strings`): the adapter checks and calls `realloc`, the
//!   runtime's transcoders validate and convert the text.
//!
//! - `own`/`borrow` values call the resource's handle built-in, which moves
//!   or lends the handle between the two instances' tables.
//!
//! Invariant: every flat destination local is fresh and written at most
//! once (loops only ever translate memory-to-memory); a variant's payload
//! into flat values is pushed on the operand stack ([`ON_STACK`] slots),
//! its unused slots as zeros.

use super::super::plan::StringEncoding;
pub(super) use super::strings::Transcoders;
use kiln_abi::component::canon::{
    ADAPTER_HANDLE_BORROW, ADAPTER_HANDLE_COPY_ERROR, ADAPTER_HANDLE_MOVE_END,
    ADAPTER_HANDLE_MOVE_OWN,
};
use kiln_abi::component::layout::{Cases, VariantLayout, flags_num_i32, flags_size};
use kiln_abi::component::{INSTANCE_FLAG_MAY_LEAVE, PtrType, Type, TypeIndex, TypeTable};
use kiln_abi::descriptor::NO_INDEX;
use kiln_abi::trap::TrapCode;
use wasm_encoder::{BlockType, Instruction as I, MemArg, ValType};

/// The "local" of a flat destination slot whose value is left on the
/// operand stack: a variant case's payload, pushed as its block's results
/// ([`Emitter::variant_on_stack`]). Such slots are written in order, each
/// by the last instructions of the statement that computes it, so the
/// values pile up on the stack in slot order; they are never read.
pub(super) const ON_STACK: u32 = u32::MAX;

/// Where a value lives.
#[derive(Clone, Debug)]
pub(super) enum Loc {
    /// Flat core values: `(local, its core type)` per flattened value; the
    /// local's type may be wider than the value's (variant payloads).
    Flat(Vec<(u32, ValType)>),
    /// In linear memory `mem` at `local addr + off`.
    Mem { mem: u32, addr: u32, off: u32 },
}

/// One side of a translation.
#[derive(Copy, Clone, Debug)]
pub(super) struct Side {
    /// Memory index in the adapter module.
    pub mem: Option<u32>,
    /// Function index of the side's `realloc`.
    pub realloc: Option<u32>,
    /// The side's string encoding.
    pub encoding: StringEncoding,
}

/// The direction of a translation (parameters: caller to callee; results:
/// callee to caller).
#[derive(Copy, Clone, Debug)]
pub(super) struct Dir {
    pub src: Side,
    pub dst: Side,
    /// Function indices of the runtime's transcoders from `src` to `dst`
    /// (see `super::strings`).
    pub transcode: Transcoders,
    /// The component instances handles move from and to.
    pub src_instance: u32,
    pub dst_instance: u32,
}

/// Translation failed in a way validation should have prevented.
#[derive(Debug)]
pub(super) struct Missing(pub &'static str);

/// The instructions and locals of the adapter function being built.
pub(super) struct Emitter<'t> {
    pub table: TypeTable<'t>,
    pub code: Vec<I<'static>>,
    /// Types of the locals after the parameters.
    pub locals: Vec<ValType>,
    /// Number of parameters (the first local index of `locals`).
    pub num_params: u32,
    /// The handle built-in of each resource: (resource, function index).
    pub handle_funcs: Vec<(u32, u32)>,
    /// Every trap the adapter raises: the position of its `unreachable`
    /// and the trap it stands for (see [`Emitter::trap`]).
    pub traps: Vec<(usize, TrapCode)>,
    /// The module's number of function types before the adapter's body,
    /// and the result types of the multi-value blocks the body adds
    /// after them ([`Emitter::block_type`]; the caller appends them).
    pub type_base: u32,
    pub block_types: Vec<Vec<ValType>>,
    /// While set, (flags word global, local holding its saved value): each
    /// call of the destination's `realloc` is preceded by a store of the saved word
    /// with `may_leave` cleared. Clearing at each call, not once up front,
    /// is right in every branch (the first `realloc` may sit in a
    /// variant's case or a list's loop).
    pub leave: Option<(u32, u32)>,
}

/// A scalar as translated.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Prim {
    Bool,
    S8,
    U8,
    S16,
    U16,
    I32,
    I64,
    F32,
    F64,
    Char,
}

impl Prim {
    /// The scalar `ty` is, if it is one.
    fn of(ty: &Type<'_>) -> Option<Prim> {
        Some(match ty {
            Type::Bool => Prim::Bool,
            Type::S8 => Prim::S8,
            Type::U8 => Prim::U8,
            Type::S16 => Prim::S16,
            Type::U16 => Prim::U16,
            Type::S32 | Type::U32 => Prim::I32,
            Type::S64 | Type::U64 => Prim::I64,
            Type::F32 => Prim::F32,
            Type::F64 => Prim::F64,
            Type::Char => Prim::Char,
            _ => return None,
        })
    }

    fn core(self) -> ValType {
        match self {
            Prim::I64 => ValType::I64,
            Prim::F32 => ValType::F32,
            Prim::F64 => ValType::F64,
            _ => ValType::I32,
        }
    }
}

fn mem_arg(mem: u32, off: u32, align_log2: u32) -> MemArg {
    MemArg {
        offset: u64::from(off),
        align: align_log2,
        memory_index: mem,
    }
}

/// The wasm-encoder type of a canonical-ABI core type.
pub(super) fn val_type(t: kiln_abi::ValType) -> ValType {
    match t {
        kiln_abi::ValType::I32 => ValType::I32,
        kiln_abi::ValType::I64 => ValType::I64,
        kiln_abi::ValType::F32 => ValType::F32,
        kiln_abi::ValType::F64 => ValType::F64,
        // Flattened component values are only numbers.
        _ => ValType::I64,
    }
}

impl<'t> Emitter<'t> {
    /// An empty function body of `num_params` parameters moving handles
    /// through `handle_funcs`.
    pub fn new(
        table: TypeTable<'t>,
        num_params: usize,
        handle_funcs: Vec<(u32, u32)>,
        type_base: u32,
    ) -> Emitter<'t> {
        Emitter {
            table,
            code: Vec::new(),
            locals: Vec::new(),
            num_params: num_params as u32,
            handle_funcs,
            traps: Vec::new(),
            type_base,
            block_types: Vec::new(),
            leave: None,
        }
    }
}

impl Emitter<'_> {
    pub fn i(&mut self, i: I<'static>) {
        self.code.push(i);
    }

    /// Clears `may_leave` in the flags word of [`Emitter::leave`], if set,
    /// before a call that may run the destination's guest code.
    fn clear_leave(&mut self) {
        if let Some((word, saved)) = self.leave {
            self.i(I::LocalGet(saved));
            self.i(I::I32Const(!(INSTANCE_FLAG_MAY_LEAVE as i32)));
            self.i(I::I32And);
            self.i(I::GlobalSet(word));
        }
    }

    /// A fresh local of type `t`.
    pub fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        self.num_params + self.locals.len() as u32 - 1
    }

    /// Fresh locals for the flattened values of `types`.
    pub fn flat_locals(&mut self, types: &[TypeIndex]) -> Vec<(u32, ValType)> {
        let flat = self.table.flatten_types(types, PtrType::I32);
        flat.as_slice()
            .iter()
            .map(|t| {
                let t = val_type(*t);
                (self.local(t), t)
            })
            .collect()
    }

    /// Raises wasm trap `code`: an `unreachable` that the compiler
    /// translates as a trap of `code` (the generated module's
    /// `ModulePlan::traps`).
    pub fn trap(&mut self, code: TrapCode) {
        self.traps.push((self.code.len(), code));
        self.i(I::Unreachable);
    }

    /// Traps with `code` if the i32 condition on the stack is non-zero.
    pub(super) fn trap_if(&mut self, code: TrapCode) {
        self.i(I::If(BlockType::Empty));
        self.trap(code);
        self.i(I::End);
    }

    /// Traps with [`TrapCode::UnalignedPointer`] unless local `ptr` is a
    /// multiple of `align`.
    pub fn check_aligned(&mut self, ptr: u32, align: u32) {
        if align > 1 {
            self.i(I::LocalGet(ptr));
            self.aligned_tail(align);
        }
    }

    /// Traps with [`TrapCode::UnalignedPointer`] unless the i32 on the
    /// stack is a multiple of `align` (above 1).
    fn aligned_tail(&mut self, align: u32) {
        self.i(I::I32Const((align - 1) as i32));
        self.i(I::I32And);
        self.trap_if(TrapCode::UnalignedPointer);
    }

    /// Traps with `code` if `ptr + len` (i32 locals; `len` scaled by
    /// `scale`) passes the end of memory `mem`.
    pub(super) fn check_bounds(
        &mut self,
        mem: u32,
        ptr: u32,
        len: u32,
        scale: u32,
        code: TrapCode,
    ) {
        self.i(I::LocalGet(ptr));
        self.i(I::I64ExtendI32U);
        self.i(I::LocalGet(len));
        self.i(I::I64ExtendI32U);
        if scale != 1 {
            self.i(I::I64Const(i64::from(scale)));
            self.i(I::I64Mul);
        }
        self.bounds_tail(mem, code);
    }

    /// Traps with `code` if the two i64s on the stack (an address and a
    /// size) add up past the end of memory `mem`.
    pub(super) fn bounds_tail(&mut self, mem: u32, code: TrapCode) {
        self.i(I::I64Add);
        self.i(I::MemorySize(mem));
        self.i(I::I64ExtendI32U);
        self.i(I::I64Const(16));
        self.i(I::I64Shl);
        self.i(I::I64GtU);
        self.trap_if(code);
    }

    /// Pushes flat value `v` as a `want`.
    fn flat_get(&mut self, v: (u32, ValType), want: ValType) {
        self.i(I::LocalGet(v.0));
        match (v.1, want) {
            (a, b) if a == b => {}
            (ValType::I64, ValType::I32) => self.i(I::I32WrapI64),
            (ValType::I32, ValType::F32) => self.i(I::F32ReinterpretI32),
            (ValType::I64, ValType::F32) => {
                self.i(I::I32WrapI64);
                self.i(I::F32ReinterpretI32);
            }
            (ValType::I64, ValType::F64) => self.i(I::F64ReinterpretI64),
            // `join` never produces other pairs.
            _ => self.i(I::Unreachable),
        }
    }

    /// A block type with `results`, a function type of the module's (its
    /// index after `type_base`) if there are several.
    fn block_type(&mut self, results: &[ValType]) -> BlockType {
        match results {
            [] => BlockType::Empty,
            [t] => BlockType::Result(*t),
            _ => {
                let k = match self.block_types.iter().position(|r| r == results) {
                    Some(k) => k,
                    None => {
                        self.block_types.push(results.to_vec());
                        self.block_types.len() - 1
                    }
                };
                BlockType::FunctionType(self.type_base + k as u32)
            }
        }
    }

    /// Pops a `have` into flat slot `v` (converts it and leaves it on the
    /// stack for an [`ON_STACK`] slot).
    fn flat_set(&mut self, v: (u32, ValType), have: ValType) {
        self.flat_convert(v.1, have);
        if v.0 != ON_STACK {
            self.i(I::LocalSet(v.0));
        }
    }

    /// Converts a `have` on the stack to a flat slot's type `slot`.
    fn flat_convert(&mut self, slot: ValType, have: ValType) {
        match (slot, have) {
            (a, b) if a == b => {}
            (ValType::I64, ValType::I32) => self.i(I::I64ExtendI32U),
            (ValType::I32, ValType::F32) => self.i(I::I32ReinterpretF32),
            (ValType::I64, ValType::F32) => {
                self.i(I::I32ReinterpretF32);
                self.i(I::I64ExtendI32U);
            }
            (ValType::I64, ValType::F64) => self.i(I::I64ReinterpretF64),
            _ => self.i(I::Unreachable),
        }
    }

    /// Pushes the i32 at `off` of `loc` read with `width` bytes (flat: its
    /// first value).
    fn read_u32(&mut self, loc: &Loc, index: usize, off: u32, width: u32) -> Result<(), Missing> {
        match loc {
            Loc::Flat(v) => {
                let slot = *v.get(index).ok_or(Missing("a flat value"))?;
                self.flat_get(slot, ValType::I32);
            }
            Loc::Mem { mem, addr, off: o } => {
                self.i(I::LocalGet(*addr));
                let m = mem_arg(*mem, o + off, width.trailing_zeros());
                self.i(match width {
                    1 => I::I32Load8U(m),
                    2 => I::I32Load16U(m),
                    _ => I::I32Load(m),
                });
            }
        }
        Ok(())
    }

    /// Writes the i32 `value` pushes to `loc` at flat `index` / byte `off`
    /// with `width` bytes.
    fn write_u32(
        &mut self,
        loc: &Loc,
        index: usize,
        off: u32,
        width: u32,
        value: I<'static>,
    ) -> Result<(), Missing> {
        match loc {
            Loc::Flat(v) => {
                let slot = *v.get(index).ok_or(Missing("a flat value"))?;
                self.i(value);
                self.flat_set(slot, ValType::I32);
            }
            Loc::Mem { mem, addr, off: o } => {
                self.i(I::LocalGet(*addr));
                self.i(value);
                let m = mem_arg(*mem, o + off, width.trailing_zeros());
                self.i(match width {
                    1 => I::I32Store8(m),
                    2 => I::I32Store16(m),
                    _ => I::I32Store(m),
                });
            }
        }
        Ok(())
    }

    /// The part of `loc` holding a component of a value: flat values
    /// `start .. start + len`, or `off` bytes further in memory.
    fn sub(loc: &Loc, start: usize, len: usize, off: u32) -> Result<Loc, Missing> {
        Ok(match loc {
            Loc::Flat(v) => Loc::Flat(
                v.get(start..start + len)
                    .ok_or(Missing("flat values of a field"))?
                    .to_vec(),
            ),
            Loc::Mem { mem, addr, off: o } => Loc::Mem {
                mem: *mem,
                addr: *addr,
                off: o + off,
            },
        })
    }

    fn flat_len(&self, t: TypeIndex) -> usize {
        self.table
            .flatten_types(&[t], PtrType::I32)
            .as_slice()
            .len()
    }

    /// Translates a tuple of `types` (parameters, results, record fields).
    pub fn fields(
        &mut self,
        types: &[TypeIndex],
        src: &Loc,
        dst: &Loc,
        dir: Dir,
    ) -> Result<(), Missing> {
        let mut flat = 0;
        let mut off = 0u32;
        for t in types {
            let align = self.table.alignment(*t, PtrType::I32);
            off = kiln_abi::component::layout::align_to(off, align);
            let n = self.flat_len(*t);
            let s = Self::sub(src, flat, n, off)?;
            let d = Self::sub(dst, flat, n, off)?;
            self.value(*t, &s, &d, dir)?;
            flat += n;
            off = off.saturating_add(self.table.elem_size(*t, PtrType::I32));
        }
        Ok(())
    }

    /// Translates one value of type `t`.
    pub fn value(&mut self, t: TypeIndex, src: &Loc, dst: &Loc, dir: Dir) -> Result<(), Missing> {
        match self.table.get(t).ok_or(Missing("a type"))? {
            Type::String => self.string(src, dst, dir),
            Type::List(e) => self.list(e, src, dst, dir),
            Type::FixedList(e, n) => self.fields(&vec![e; n as usize], src, dst, dir),
            Type::Record(c) | Type::Tuple(c) => {
                let types: Vec<TypeIndex> = c.iter().filter_map(|c| c.ty).collect();
                self.fields(&types, src, dst, dir)
            }
            Type::Flags(c) => self.flags(c.len() as u32, src, dst),
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
                self.variant(t, src, dst, dir)
            }
            Type::Own(r) => self.handle(r, (ADAPTER_HANDLE_MOVE_OWN, NO_INDEX), src, dst, dir),
            Type::Borrow(r) => self.handle(r, (ADAPTER_HANDLE_BORROW, NO_INDEX), src, dst, dir),
            // A stream or future end (only in an async call's halves),
            // checked to be one of type `t` by the runtime.
            Type::Stream(_) | Type::Future(_) => {
                self.handle(super::ENDS, (ADAPTER_HANDLE_MOVE_END, t.0), src, dst, dir)
            }
            // The destination gets a handle of its own; the source keeps
            // its handle.
            Type::ErrorContext => self.handle(
                super::ENDS,
                (ADAPTER_HANDLE_COPY_ERROR, NO_INDEX),
                src,
                dst,
                dir,
            ),
            scalar => {
                let p = Prim::of(&scalar).ok_or(Missing("a type adapters move"))?;
                self.scalar(p, src, dst)
            }
        }
    }

    /// An `own` or `borrow` of resource `r` (or a stream or future end, or
    /// an error context): the runtime moves it between the two instances'
    /// handle tables (operation `op.0`; `op.1` is the stream or future type
    /// of an end, `NO_INDEX` otherwise).
    fn handle(
        &mut self,
        r: u32,
        op: (u32, u32),
        src: &Loc,
        dst: &Loc,
        dir: Dir,
    ) -> Result<(), Missing> {
        let func = self
            .handle_funcs
            .iter()
            .find(|(x, _)| *x == r)
            .map(|(_, f)| *f)
            .ok_or(Missing("the handle built-in"))?;
        let h = self.local(ValType::I32);
        self.read_u32(src, 0, 0, 4)?;
        self.i(I::I32Const(op.0 as i32));
        self.i(I::I32Const(dir.src_instance as i32));
        self.i(I::I32Const(dir.dst_instance as i32));
        self.i(I::I32Const(op.1 as i32));
        self.i(I::Call(func));
        self.i(I::LocalSet(h));
        self.write_u32(dst, 0, 0, 4, I::LocalGet(h))
    }

    fn scalar(&mut self, p: Prim, src: &Loc, dst: &Loc) -> Result<(), Missing> {
        if let Loc::Mem { addr, .. } = dst {
            self.i(I::LocalGet(*addr));
        }
        self.scalar_push(p, src)?;
        match dst {
            Loc::Flat(v) => {
                let slot = *v.first().ok_or(Missing("a flat value"))?;
                self.flat_set(slot, p.core());
            }
            Loc::Mem { mem, off, .. } => {
                let m = |a| mem_arg(*mem, *off, a);
                self.i(match p {
                    Prim::Bool | Prim::U8 | Prim::S8 => I::I32Store8(m(0)),
                    Prim::U16 | Prim::S16 => I::I32Store16(m(1)),
                    Prim::I32 | Prim::Char => I::I32Store(m(2)),
                    Prim::I64 => I::I64Store(m(3)),
                    Prim::F32 => I::F32Store(m(2)),
                    Prim::F64 => I::F64Store(m(3)),
                });
            }
        }
        Ok(())
    }

    /// Pushes scalar `p` read from `src`, normalized and checked.
    fn scalar_push(&mut self, p: Prim, src: &Loc) -> Result<(), Missing> {
        match src {
            Loc::Flat(v) => {
                let slot = *v.first().ok_or(Missing("a flat value"))?;
                self.flat_get(slot, p.core());
                match p {
                    Prim::Bool => {
                        self.i(I::I32Const(0));
                        self.i(I::I32Ne);
                    }
                    Prim::U8 => {
                        self.i(I::I32Const(0xff));
                        self.i(I::I32And);
                    }
                    Prim::S8 => self.i(I::I32Extend8S),
                    Prim::U16 => {
                        self.i(I::I32Const(0xffff));
                        self.i(I::I32And);
                    }
                    Prim::S16 => self.i(I::I32Extend16S),
                    _ => {}
                }
            }
            Loc::Mem { mem, addr, off } => {
                self.i(I::LocalGet(*addr));
                let m = |a| mem_arg(*mem, *off, a);
                self.i(match p {
                    Prim::Bool | Prim::U8 => I::I32Load8U(m(0)),
                    Prim::S8 => I::I32Load8S(m(0)),
                    Prim::U16 => I::I32Load16U(m(1)),
                    Prim::S16 => I::I32Load16S(m(1)),
                    Prim::I32 | Prim::Char => I::I32Load(m(2)),
                    Prim::I64 => I::I64Load(m(3)),
                    Prim::F32 => I::F32Load(m(2)),
                    Prim::F64 => I::F64Load(m(3)),
                });
                if p == Prim::Bool {
                    self.i(I::I32Const(0));
                    self.i(I::I32Ne);
                }
            }
        }
        if p == Prim::Char {
            // Not a Unicode scalar value: a surrogate or past U+10FFFF.
            let c = self.local(ValType::I32);
            self.i(I::LocalTee(c));
            self.i(I::I32Const(0xd800));
            self.i(I::I32Sub);
            self.i(I::I32Const(0x800));
            self.i(I::I32LtU);
            self.i(I::LocalGet(c));
            self.i(I::I32Const(0x11_0000));
            self.i(I::I32GeU);
            self.i(I::I32Or);
            self.trap_if(TrapCode::InvalidChar);
            self.i(I::LocalGet(c));
        }
        Ok(())
    }

    /// `flags`: each 32-bit word (or the 1- or 2-byte value) with the bits
    /// past the last label dropped.
    fn flags(&mut self, labels: u32, src: &Loc, dst: &Loc) -> Result<(), Missing> {
        let words = flags_num_i32(labels);
        let width = flags_size(labels).min(4);
        for i in 0..words {
            // Straight from the load to the store, as Wasmtime's adapters
            // move them (no local: the bytes count, see `super::encode`).
            if let Loc::Mem { addr, .. } = dst {
                self.i(I::LocalGet(*addr));
            }
            self.read_u32(src, i as usize, 4 * i, width)?;
            let bits = (labels - 32 * i).min(32);
            // A load of exactly the labels' width needs no mask (8 or 16
            // flags; Wasmtime's adapters leave it out too).
            let exact = matches!(src, Loc::Mem { .. }) && bits == 8 * width;
            if bits < 32 && !exact {
                self.i(I::I32Const(((1u64 << bits) - 1) as i32));
                self.i(I::I32And);
            }
            match dst {
                Loc::Flat(v) => {
                    let slot = *v.get(i as usize).ok_or(Missing("a flat value"))?;
                    self.flat_set(slot, ValType::I32);
                }
                Loc::Mem { mem, off, .. } => {
                    let m = mem_arg(*mem, off + 4 * i, width.trailing_zeros());
                    self.i(match width {
                        1 => I::I32Store8(m),
                        2 => I::I32Store16(m),
                        _ => I::I32Store(m),
                    });
                }
            }
        }
        Ok(())
    }

    /// `variant`, `enum`, `option`, `result`: the discriminant (checked),
    /// then the active case's payload.
    ///
    /// A `br_table` on the discriminant branches into one block per case,
    /// which writes its discriminant and moves its payload, as Wasmtime's
    /// adapters do; into flat values the cases push them as
    /// a block's results ([`Emitter::variant_on_stack`]). An `enum` is
    /// checked against its number of cases and copied.
    fn variant(&mut self, t: TypeIndex, src: &Loc, dst: &Loc, dir: Dir) -> Result<(), Missing> {
        let cases = self.table.cases(t).ok_or(Missing("variant cases"))?;
        let layout = self
            .table
            .variant_layout(t, PtrType::I32)
            .ok_or(Missing("a variant layout"))?;
        let (n, width) = (layout.num_cases, layout.discriminant_size);
        if matches!(self.table.get(t), Some(Type::Enum(_))) {
            self.read_u32(src, 0, 0, width)?;
            let d = self.check_discriminant(n);
            return self.write_u32(dst, 0, 0, width, I::LocalGet(d));
        }
        if let Loc::Flat(slots) = dst {
            return self.variant_on_stack(cases, layout, src, slots, dir);
        }
        self.branch_on_discriminant(BlockType::Empty, n, |e| e.read_u32(src, 0, 0, width))?;
        for case in 0..n {
            self.write_u32(dst, 0, 0, width, I::I32Const(case as i32))?;
            if let Some(p) = cases.payload(case) {
                let len = self.flat_len(p);
                let s = Self::sub(src, 1, len, layout.payload_offset)?;
                let dd = Self::sub(dst, 1, len, layout.payload_offset)?;
                self.value(p, &s, &dd, dir)?;
            }
            if case != n - 1 {
                self.i(I::Br(n - case - 1));
            }
            self.i(I::End);
        }
        Ok(())
    }

    /// Checks the discriminant on the stack against `n` cases; returns the
    /// local it is kept in.
    fn check_discriminant(&mut self, n: u32) -> u32 {
        let d = self.local(ValType::I32);
        self.i(I::LocalTee(d));
        self.i(I::I32Const(n as i32));
        self.i(I::I32GeU);
        self.trap_if(TrapCode::InvalidDiscriminant);
        d
    }

    /// Opens the blocks of a variant's cases inside one of type `outer`,
    /// and branches on the discriminant `read` pushes with a `br_table`
    /// whose default leaves the innermost for the trap of a bad one. The
    /// code of case `k` follows, after the `end` of the block at depth
    /// `k`; the last case's `end` closes `outer`.
    fn branch_on_discriminant(
        &mut self,
        outer: BlockType,
        n: u32,
        read: impl FnOnce(&mut Self) -> Result<(), Missing>,
    ) -> Result<(), Missing> {
        self.i(I::Block(outer));
        for _ in 0..n {
            self.i(I::Block(BlockType::Empty));
        }
        self.i(I::Block(BlockType::Empty));
        read(self)?;
        let targets: Vec<u32> = (1..=n).collect();
        self.i(I::BrTable(targets.into(), 0));
        self.i(I::End);
        self.trap(TrapCode::InvalidDiscriminant);
        self.i(I::End);
        Ok(())
    }

    /// A variant into flat values: a block whose results are the
    /// destination's flat values, each case pushing its discriminant, its
    /// payload (translated into [`ON_STACK`] slots of the joined types)
    /// and zeros for the slots it does not use, as Wasmtime's adapters do;
    /// the results are then set into `dst` (last first), sets that
    /// `super::stack` removes where the values can stay on the stack for
    /// the call, or left on the stack where `dst` is itself a payload's.
    fn variant_on_stack(
        &mut self,
        cases: Cases<'_>,
        layout: VariantLayout,
        src: &Loc,
        dst: &[(u32, ValType)],
        dir: Dir,
    ) -> Result<(), Missing> {
        let (n, width) = (layout.num_cases, layout.discriminant_size);
        let types: Vec<ValType> = dst.iter().map(|(_, t)| *t).collect();
        let bt = self.block_type(&types);
        self.branch_on_discriminant(bt, n, |e| e.read_u32(src, 0, 0, width))?;
        for case in 0..n {
            self.i(I::I32Const(case as i32));
            let mut used = 1;
            if let Some(p) = cases.payload(case) {
                let len = self.flat_len(p);
                let s = Self::sub(src, 1, len, layout.payload_offset)?;
                let d = types
                    .get(1..1 + len)
                    .ok_or(Missing("flat values of a case"))?;
                let d = Loc::Flat(d.iter().map(|t| (ON_STACK, *t)).collect());
                self.value(p, &s, &d, dir)?;
                used += len;
            }
            for t in types.iter().skip(used) {
                self.i(match t {
                    ValType::I64 => I::I64Const(0),
                    ValType::F32 => I::F32Const(0.0.into()),
                    ValType::F64 => I::F64Const(0.0.into()),
                    _ => I::I32Const(0),
                });
            }
            if case != n - 1 {
                self.i(I::Br(n - case - 1));
            }
            self.i(I::End);
        }
        for (l, _) in dst.iter().rev() {
            if *l != ON_STACK {
                self.i(I::LocalSet(*l));
            }
        }
        Ok(())
    }

    /// Reads a `(ptr, len)` pair of `loc` into two fresh locals.
    pub(super) fn read_pair(&mut self, loc: &Loc) -> Result<(u32, u32), Missing> {
        let p = self.local(ValType::I32);
        let n = self.local(ValType::I32);
        self.read_u32(loc, 0, 0, 4)?;
        self.i(I::LocalSet(p));
        self.read_u32(loc, 1, 4, 4)?;
        self.i(I::LocalSet(n));
        Ok((p, n))
    }

    pub(super) fn write_pair(&mut self, loc: &Loc, p: u32, n: u32) -> Result<(), Missing> {
        self.write_u32(loc, 0, 0, 4, I::LocalGet(p))?;
        self.write_u32(loc, 1, 4, 4, I::LocalGet(n))
    }

    /// `realloc(0, 0, align, size)` of `side` (size an i32 local, else
    /// `fixed`) into a fresh local, checked like Wasmtime checks it: aligned,
    /// and holding `size` bytes (else trap `oob`).
    pub fn alloc(
        &mut self,
        side: Side,
        align: u32,
        size: Option<u32>,
        fixed: u32,
        oob: TrapCode,
    ) -> Result<u32, Missing> {
        let p = self.local(ValType::I32);
        self.realloc(side, None, align, size, fixed, oob, p)?;
        Ok(p)
    }

    /// `realloc(old_ptr, old_size, align, size)` of `side` (`old` two i32
    /// locals, else `(0, 0)`; `size` an i32 local, else `fixed`) into
    /// local `into`, checked as [`Emitter::alloc`] checks it.
    #[allow(
        clippy::too_many_arguments,
        reason = "the realloc call's operands, each a choice"
    )]
    pub fn realloc(
        &mut self,
        side: Side,
        old: Option<(u32, u32)>,
        align: u32,
        size: Option<u32>,
        fixed: u32,
        oob: TrapCode,
        into: u32,
    ) -> Result<(), Missing> {
        let mem = side.mem.ok_or(Missing("the memory option"))?;
        let realloc = side.realloc.ok_or(Missing("the realloc option"))?;
        self.clear_leave();
        match old {
            Some((ptr, size)) => {
                self.i(I::LocalGet(ptr));
                self.i(I::LocalGet(size));
            }
            None => {
                self.i(I::I32Const(0));
                self.i(I::I32Const(0));
            }
        }
        self.i(I::I32Const(align as i32));
        match size {
            Some(l) => self.i(I::LocalGet(l)),
            None => self.i(I::I32Const(fixed as i32)),
        }
        self.i(I::Call(realloc));
        self.i(I::LocalTee(into));
        if align > 1 {
            self.aligned_tail(align);
            self.i(I::LocalGet(into));
        }
        self.i(I::I64ExtendI32U);
        match size {
            Some(l) => {
                self.i(I::LocalGet(l));
                self.i(I::I64ExtendI32U);
            }
            None => self.i(I::I64Const(i64::from(fixed))),
        }
        self.bounds_tail(mem, oob);
        Ok(())
    }

    /// Checks a pointer to values in memory `mem` passed between the sides
    /// (parameters or results in memory): aligned, holding `size` bytes.
    pub fn check_operand(&mut self, mem: u32, ptr: u32, size: u32, align: u32) {
        self.check_aligned(ptr, align);
        self.i(I::LocalGet(ptr));
        self.i(I::I64ExtendI32U);
        self.i(I::I64Const(i64::from(size)));
        self.bounds_tail(mem, TrapCode::MemoryOutOfBounds);
    }

    fn list(&mut self, e: TypeIndex, src: &Loc, dst: &Loc, dir: Dir) -> Result<(), Missing> {
        let src_mem = dir.src.mem.ok_or(Missing("the memory option"))?;
        let dst_mem = dir.dst.mem.ok_or(Missing("the memory option"))?;
        let size = self.table.elem_size(e, PtrType::I32);
        let align = self.table.alignment(e, PtrType::I32);
        let (sp, len) = self.read_pair(src)?;
        // In Wasmtime's order: the byte length, which must fit 32 bits
        // (only an element of more than one byte can pass them), the
        // alignment, the source's bounds, then the allocation's.
        if size > 1 {
            self.i(I::LocalGet(len));
            self.i(I::I64ExtendI32U);
            self.i(I::I64Const(i64::from(size)));
            self.i(I::I64Mul);
            self.i(I::I64Const(1 << 32));
            self.i(I::I64GeU);
            self.trap_if(TrapCode::ListOutOfBounds);
        }
        self.check_aligned(sp, align);
        self.check_bounds(src_mem, sp, len, size, TrapCode::ListOutOfBounds);
        let bytes = self.local(ValType::I32);
        self.i(I::LocalGet(len));
        self.i(I::I32Const(size as i32));
        self.i(I::I32Mul);
        self.i(I::LocalSet(bytes));
        let dp = self.alloc(dir.dst, align, Some(bytes), 0, TrapCode::ListOutOfBounds)?;
        if self.is_plain(e) {
            self.i(I::LocalGet(dp));
            self.i(I::LocalGet(sp));
            self.i(I::LocalGet(bytes));
            self.i(I::MemoryCopy { src_mem, dst_mem });
        } else {
            let (cs, cd, left) = (
                self.local(ValType::I32),
                self.local(ValType::I32),
                self.local(ValType::I32),
            );
            // Wasmtime's loop: the count tested once before it, and
            // counted down at its end.
            self.i(I::Block(BlockType::Empty));
            self.i(I::LocalGet(len));
            self.i(I::LocalTee(left));
            self.i(I::I32Eqz);
            self.i(I::BrIf(0));
            for (to, from) in [(cs, sp), (cd, dp)] {
                self.i(I::LocalGet(from));
                self.i(I::LocalSet(to));
            }
            self.i(I::Loop(BlockType::Empty));
            let s = Loc::Mem {
                mem: src_mem,
                addr: cs,
                off: 0,
            };
            let d = Loc::Mem {
                mem: dst_mem,
                addr: cd,
                off: 0,
            };
            self.value(e, &s, &d, dir)?;
            for l in [cs, cd] {
                self.i(I::LocalGet(l));
                self.i(I::I32Const(size as i32));
                self.i(I::I32Add);
                self.i(I::LocalSet(l));
            }
            self.i(I::LocalGet(left));
            self.i(I::I32Const(-1));
            self.i(I::I32Add);
            self.i(I::LocalTee(left));
            self.i(I::BrIf(0));
            self.i(I::End);
            self.i(I::End);
        }
        self.write_pair(dst, dp, len)
    }

    /// Whether values of `t` in memory can be copied byte for byte: no
    /// pointers and nothing a lift checks or normalizes (the scalars but
    /// `bool` and `char`, and records of them).
    pub fn is_plain(&self, t: TypeIndex) -> bool {
        match self.table.get(t) {
            Some(s) if s.is_scalar() => !matches!(s, Type::Bool | Type::Char),
            Some(Type::Record(c) | Type::Tuple(c)) => {
                c.iter().all(|c| c.ty.is_some_and(|t| self.is_plain(t)))
            }
            Some(Type::FixedList(e, _)) => self.is_plain(e),
            _ => false,
        }
    }
}
