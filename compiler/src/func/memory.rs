//! Linear memory: loads, stores, `memory.size`, `memory.grow`, and the bulk
//! memory operators (`memory.fill/copy/init`, `data.drop`).
//!
//! Phase 2 (HOW). Inputs: memory operators. Outputs: CLIF loads/stores and
//! libcalls.
//!
//! Addressing (32-bit memories): `base + uextend(index) + offset`. Each
//! memory reserves [`kiln_abi::MEMORY32_RESERVATION`] bytes (4 GiB + 4 GiB
//! guard), which covers every `u32` index plus every `u32` static offset, so
//! there is no explicit bounds check: an access past the accessible length
//! faults, and because the access carries trap code `HEAP_OUT_OF_BOUNDS`, its
//! pc is in the trap table and the signal handler reports
//! `out of bounds memory access`. memory64 is not supported.

use super::env::heap_flags;
use super::translator::FuncCodegen;
use crate::CompileError;
use cranelift_codegen::ir::{self, InstBuilder, types};
use kiln_abi::vmctx::VMOffsets;
use wasmparser::{MemArg, Operator};

/// How a load widens its value.
#[derive(Copy, Clone)]
enum Ext {
    /// Full width.
    None,
    /// Sign-extend from `bits`.
    S(u8),
    /// Zero-extend from `bits`.
    U(u8),
}

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it is a memory operator.
    pub(super) fn translate_memory_operator(
        &mut self,
        op: &Operator<'_>,
    ) -> Result<bool, CompileError> {
        use Operator as O;
        use types::{F32, F64, I32, I64};
        match op {
            O::I32Load { memarg } => self.translate_load(memarg, I32, Ext::None)?,
            O::I64Load { memarg } => self.translate_load(memarg, I64, Ext::None)?,
            O::F32Load { memarg } => self.translate_load(memarg, F32, Ext::None)?,
            O::F64Load { memarg } => self.translate_load(memarg, F64, Ext::None)?,
            O::I32Load8S { memarg } => self.translate_load(memarg, I32, Ext::S(8))?,
            O::I32Load8U { memarg } => self.translate_load(memarg, I32, Ext::U(8))?,
            O::I32Load16S { memarg } => self.translate_load(memarg, I32, Ext::S(16))?,
            O::I32Load16U { memarg } => self.translate_load(memarg, I32, Ext::U(16))?,
            O::I64Load8S { memarg } => self.translate_load(memarg, I64, Ext::S(8))?,
            O::I64Load8U { memarg } => self.translate_load(memarg, I64, Ext::U(8))?,
            O::I64Load16S { memarg } => self.translate_load(memarg, I64, Ext::S(16))?,
            O::I64Load16U { memarg } => self.translate_load(memarg, I64, Ext::U(16))?,
            O::I64Load32S { memarg } => self.translate_load(memarg, I64, Ext::S(32))?,
            O::I64Load32U { memarg } => self.translate_load(memarg, I64, Ext::U(32))?,
            O::I32Store { memarg }
            | O::I64Store { memarg }
            | O::F32Store { memarg }
            | O::F64Store { memarg } => self.translate_store(memarg, None)?,
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => {
                self.translate_store(memarg, Some(8))?
            }
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => {
                self.translate_store(memarg, Some(16))?
            }
            O::I64Store32 { memarg } => self.translate_store(memarg, Some(32))?,
            O::MemorySize { mem } => self.translate_memory_size(*mem)?,
            O::MemoryGrow { mem } => self.translate_memory_grow(*mem)?,
            O::MemoryFill { mem } => {
                self.check_memory32(*mem)?;
                let [dst, val, len] = self.pop3();
                let mem = self.builder.ins().iconst(types::I32, i64::from(*mem));
                let dst = self.builder.ins().uextend(I64, dst);
                let len = self.builder.ins().uextend(I64, len);
                self.call_libcall("memory_fill", &[mem, dst, val, len]);
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                self.check_memory32(*dst_mem)?;
                self.check_memory32(*src_mem)?;
                let [dst, src, len] = self.pop3();
                let dst_mem = self.builder.ins().iconst(I32, i64::from(*dst_mem));
                let src_mem = self.builder.ins().iconst(I32, i64::from(*src_mem));
                let dst = self.builder.ins().uextend(I64, dst);
                let src = self.builder.ins().uextend(I64, src);
                let len = self.builder.ins().uextend(I64, len);
                self.call_libcall("memory_copy", &[dst_mem, src_mem, dst, src, len]);
            }
            O::MemoryInit { data_index, mem } => {
                self.check_memory32(*mem)?;
                let [dst, src, len] = self.pop3();
                let mem = self.builder.ins().iconst(I32, i64::from(*mem));
                let data = self.builder.ins().iconst(I32, i64::from(*data_index));
                let dst = self.builder.ins().uextend(I64, dst);
                self.call_libcall("memory_init", &[mem, data, dst, src, len]);
            }
            O::DataDrop { data_index } => {
                let data = self.builder.ins().iconst(I32, i64::from(*data_index));
                self.call_libcall("data_drop", &[data]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Pops three operands, deepest first.
    pub(super) fn pop3(&mut self) -> [ir::Value; 3] {
        let c = self.pop1();
        let b = self.pop1();
        let a = self.pop1();
        [a, b, c]
    }

    /// Rejects memory64 memories (the whole addressing scheme assumes 32-bit
    /// indices).
    fn check_memory32(&self, mem: u32) -> Result<(), CompileError> {
        let info = self
            .env
            .info
            .memories
            .get(mem as usize)
            .expect("validated: memory index in range");
        if info.memory64 {
            return self.unsupported("memory64");
        }
        Ok(())
    }

    /// The address of a `memarg` access with the popped `index`, as a base
    /// value and an immediate offset.
    fn heap_address(
        &mut self,
        memarg: &MemArg,
        index: ir::Value,
    ) -> Result<(ir::Value, i32), CompileError> {
        self.check_memory32(memarg.memory)?;
        let base = self.memory_base(memarg.memory)?;
        let index = self.index_to_pointer(index);
        let addr = self.builder.ins().iadd(base, index);
        // The static offset of a 32-bit memory is a u32 (validated).
        match i32::try_from(memarg.offset) {
            Ok(off) => Ok((addr, off)),
            Err(_) => {
                let off =
                    i64::try_from(memarg.offset).expect("validated: memory32 offset fits in u32");
                Ok((self.builder.ins().iadd_imm_u(addr, off), 0))
            }
        }
    }

    fn translate_load(
        &mut self,
        memarg: &MemArg,
        ty: ir::Type,
        ext: Ext,
    ) -> Result<(), CompileError> {
        let index = self.pop1();
        let (addr, off) = self.heap_address(memarg, index)?;
        let flags = heap_flags();
        let ins = self.builder.ins();
        let v = match ext {
            Ext::None => ins.load(ty, flags, addr, off),
            Ext::S(8) => ins.sload8(ty, flags, addr, off),
            Ext::U(8) => ins.uload8(ty, flags, addr, off),
            Ext::S(16) => ins.sload16(ty, flags, addr, off),
            Ext::U(16) => ins.uload16(ty, flags, addr, off),
            Ext::S(_) => ins.sload32(flags, addr, off),
            Ext::U(_) => ins.uload32(flags, addr, off),
        };
        self.stack.push(v);
        Ok(())
    }

    /// A store of the popped value, narrowed to `bits` if given.
    fn translate_store(&mut self, memarg: &MemArg, bits: Option<u8>) -> Result<(), CompileError> {
        let value = self.pop1();
        let index = self.pop1();
        let (addr, off) = self.heap_address(memarg, index)?;
        let flags = heap_flags();
        let ins = self.builder.ins();
        match bits {
            None => ins.store(flags, value, addr, off),
            Some(8) => ins.istore8(flags, value, addr, off),
            Some(16) => ins.istore16(flags, value, addr, off),
            Some(_) => ins.istore32(flags, value, addr, off),
        };
        Ok(())
    }

    /// `memory.size`: `current_length >> page_size_log2`. The length
    /// changes on `memory.grow`, so it is loaded every time.
    fn translate_memory_size(&mut self, mem: u32) -> Result<(), CompileError> {
        self.check_memory32(mem)?;
        let page_log2 = self.env.info.memories[mem as usize].page_size_log2;
        let (def, off) = self.memory_def(mem)?;
        let off = off + super::env::imm(VMOffsets::memory_current_length(self.ptr_size()))?;
        let len = self
            .builder
            .ins()
            .load(self.pointer, super::env::vm_flags(), def, off);
        let pages = self.builder.ins().ushr_imm_u(len, i64::from(page_log2));
        let pages = self.pointer_to_i32(pages);
        self.stack.push(pages);
        Ok(())
    }

    /// `memory.grow` via the libcall (old size in pages, or -1).
    fn translate_memory_grow(&mut self, mem: u32) -> Result<(), CompileError> {
        self.check_memory32(mem)?;
        let delta = self.pop1();
        let delta = self.builder.ins().uextend(types::I64, delta);
        let mem = self.builder.ins().iconst(types::I32, i64::from(mem));
        let old = self
            .call_libcall("memory_grow", &[mem, delta])
            .expect("internal: memory_grow returns a value");
        // -1 and every 32-bit page count survive the truncation.
        let old = self.builder.ins().ireduce(types::I32, old);
        self.stack.push(old);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{clif_of, clif_with, translate_wat};

    #[test]
    fn loads_and_stores_of_every_width() {
        translate_wat(
            r#"(module (memory 1)
              (func (param i32) (result i64)
                (i32.store (local.get 0) (i32.load offset=4 (local.get 0)))
                (i64.store (local.get 0) (i64.load (local.get 0)))
                (f32.store (local.get 0) (f32.load (local.get 0)))
                (f64.store (local.get 0) (f64.load (local.get 0)))
                (i32.store8 (local.get 0) (i32.load8_s (local.get 0)))
                (i32.store16 (local.get 0) (i32.load8_u (local.get 0)))
                (i32.store8 (local.get 0) (i32.load16_s (local.get 0)))
                (i32.store16 (local.get 0) (i32.load16_u (local.get 0)))
                (i64.store8 (local.get 0) (i64.load8_s (local.get 0)))
                (i64.store16 (local.get 0) (i64.load8_u (local.get 0)))
                (i64.store32 (local.get 0) (i64.load16_s (local.get 0)))
                (i64.store (local.get 0) (i64.load16_u (local.get 0)))
                (i64.store (local.get 0) (i64.load32_s (local.get 0)))
                (i64.load32_u offset=4294967295 (local.get 0))))"#,
        )
        .expect("translates");
    }

    #[test]
    fn base_is_loaded_once_in_the_entry_block() {
        let clif = clif_of(
            r#"(module (memory 1)
              (func (param i32) (result i32)
                (if (local.get 0) (then (i32.store (local.get 0) (i32.const 1))))
                (i32.load (local.get 0))))"#,
        );
        let base_loads = clif.matches("readonly can_move v0+").count();
        assert_eq!(base_loads, 1, "{clif}");
        // Heap accesses: little-endian, not `notrap` (the default trap code,
        // heap_oob, is not printed).
        assert!(clif.contains("store little v3"), "{clif}");
        assert!(clif.contains("load.i32 little"), "{clif}");
    }

    #[test]
    fn size_grow_and_bulk_memory() {
        translate_wat(
            r#"(module (memory 1 10) (data $d "hello")
              (func (result i32)
                (memory.fill (i32.const 0) (i32.const 1) (i32.const 2))
                (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))
                (memory.init $d (i32.const 0) (i32.const 1) (i32.const 2))
                (data.drop $d)
                (drop (memory.grow (i32.const 1)))
                (memory.size)))"#,
        )
        .expect("translates");
    }

    #[test]
    fn imported_memory_goes_through_its_definition_pointer() {
        // Phase 1 accepts only WASI imports, so pretend memory 0 is imported.
        let clif = clif_with(
            r#"(module (memory 1)
              (func (param i32) (result i32)
                (i32.store (local.get 0) (i32.const 1))
                (drop (memory.grow (i32.const 1)))
                (i32.add (i32.load (local.get 0)) (memory.size))))"#,
            |info| info.num_imported_memories = 1,
        );
        // vmctx -> definition pointer -> base, both loaded once.
        assert_eq!(clif.matches("readonly can_move v0+").count(), 1, "{clif}");
    }
}
