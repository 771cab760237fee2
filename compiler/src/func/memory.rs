//! Linear memory: loads, stores, `memory.size`, `memory.grow`, and the bulk
//! memory operators (`memory.fill/copy/init`, `data.drop`).
//!
//! Phase 2 (HOW). Inputs: memory operators. Outputs: CLIF loads/stores and
//! libcalls.
//!
//! Every access's address and bounds check come from
//! [`FuncCodegen::heap_address`] (`heap.rs`: guard regions for 32-bit
//! memories with 64 KiB pages, explicit checks for memory64 and small custom
//! page sizes). Sizes, growth deltas, bulk addresses and lengths have the
//! memory's index type (`i64` for a memory64); the libcalls take them as
//! `i64`, zero-extended from 32-bit memories. `memory.copy` between a 32-bit
//! and a 64-bit memory takes an `i32` length (the smaller index type).

use super::env::heap_flags;
use super::translator::FuncCodegen;
use crate::CompileError;
use crate::module::MemoryIndex;
use cranelift_codegen::ir::{self, InstBuilder, types};
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
            O::MemorySize { mem } => self.translate_memory_size(MemoryIndex::from_u32(*mem))?,
            O::MemoryGrow { mem } => self.translate_memory_grow(MemoryIndex::from_u32(*mem))?,
            O::MemoryFill { mem } => {
                let mem = MemoryIndex::from_u32(*mem);
                let [dst, val, len] = self.pop3();
                let dst = self.memory_index_to_i64(mem, dst);
                let len = self.memory_index_to_i64(mem, len);
                let mem = self.builder.ins().iconst(I32, i64::from(mem.as_u32()));
                self.call_libcall("memory_fill", &[mem, dst, val, len]);
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let dst_mem = MemoryIndex::from_u32(*dst_mem);
                let src_mem = MemoryIndex::from_u32(*src_mem);
                let [dst, src, len] = self.pop3();
                let dst = self.memory_index_to_i64(dst_mem, dst);
                let src = self.memory_index_to_i64(src_mem, src);
                // The length has the smaller of the two index types (it is
                // an i64 only when both memories are 64-bit).
                let len = if self.builder.func.dfg.value_type(len) == I64 {
                    len
                } else {
                    self.builder.ins().uextend(I64, len)
                };
                let dst_mem = self.builder.ins().iconst(I32, i64::from(dst_mem.as_u32()));
                let src_mem = self.builder.ins().iconst(I32, i64::from(src_mem.as_u32()));
                self.call_libcall("memory_copy", &[dst_mem, src_mem, dst, src, len]);
            }
            O::MemoryInit { data_index, mem } => {
                // Segment offset and length are i32 whatever the memory.
                let mem = MemoryIndex::from_u32(*mem);
                let [dst, src, len] = self.pop3();
                let dst = self.memory_index_to_i64(mem, dst);
                let mem = self.builder.ins().iconst(I32, i64::from(mem.as_u32()));
                let data = self.builder.ins().iconst(I32, i64::from(*data_index));
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

    fn translate_load(
        &mut self,
        memarg: &MemArg,
        ty: ir::Type,
        ext: Ext,
    ) -> Result<(), CompileError> {
        let index = self.pop1();
        let size = match ext {
            Ext::None => ty.bytes(),
            Ext::S(bits) | Ext::U(bits) => u32::from(bits / 8),
        };
        let (addr, off) = self.heap_address(memarg, index, size)?;
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
        let size = match bits {
            Some(bits) => u32::from(bits / 8),
            None => self.builder.func.dfg.value_type(value).bytes(),
        };
        let (addr, off) = self.heap_address(memarg, index, size)?;
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

    /// `memory.size`: `current_length >> page_size_log2`, in the memory's
    /// index type. The length changes on `memory.grow`, so it is loaded
    /// every time.
    fn translate_memory_size(&mut self, mem: MemoryIndex) -> Result<(), CompileError> {
        let page_log2 = self.memory_info(mem).page_size_log2;
        let len = self.memory_length(mem)?;
        let pages = if page_log2 == 0 {
            len
        } else {
            self.builder.ins().ushr_imm_u(len, i64::from(page_log2))
        };
        let pages = if self.memory_index_type(mem) == types::I64 {
            pages
        } else {
            // A 32-bit memory has at most 2^32 - 1 pages (validated limits,
            // enforced by the runtime), so the page count fits.
            self.pointer_to_i32(pages)
        };
        self.stack.push(pages);
        Ok(())
    }

    /// `memory.grow` via the libcall (old size in pages, or -1), in the
    /// memory's index type.
    fn translate_memory_grow(&mut self, mem: MemoryIndex) -> Result<(), CompileError> {
        let delta = self.pop1();
        let delta = self.memory_index_to_i64(mem, delta);
        let is_64 = self.memory_index_type(mem) == types::I64;
        let mem = self
            .builder
            .ins()
            .iconst(types::I32, i64::from(mem.as_u32()));
        let old = self
            .call_libcall("memory_grow", &[mem, delta])
            .expect("internal: memory_grow returns a value");
        let old = if is_64 {
            old
        } else {
            // -1 and every 32-bit page count survive the truncation.
            self.builder.ins().ireduce(types::I32, old)
        };
        self.stack.push(old);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::{clif_of, clif_with, translate_wat};

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
        assert!(clif.contains("store little region0 v3"), "{clif}");
        assert!(clif.contains("load.i32 little region0"), "{clif}");
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
