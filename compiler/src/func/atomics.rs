//! Threads proposal operators: atomic loads, stores, read-modify-write,
//! cmpxchg, `memory.atomic.wait32/wait64/notify` and `atomic.fence`.
//!
//! Phase 2 (HOW). Inputs: operators of the threads proposal. Outputs: CLIF
//! (`atomic_load`, `atomic_store`, `atomic_rmw`, `atomic_cas`, `fence`, all
//! sequentially consistent and little-endian) and the wait/notify libcalls.
//!
//! Order of checks, as in the spec and Wasmtime: the effective address
//! (`index + offset`, computed in 64 bits so it cannot wrap for a 32-bit
//! memory) must be a multiple of the access size, else the access traps with
//! `HeapMisaligned` ("unaligned atomic"); then it is bounds-checked. Wait
//! and notify first trap out of bounds when `index + offset` overflows the
//! memory's index type, as Wasmtime does. Loads,
//! stores and read-modify-writes are bounds-checked like ordinary accesses
//! (through [`FuncCodegen::heap_address`]: guard pages for 32-bit memories;
//! the access carries `HEAP_OUT_OF_BOUNDS`). Wait and notify do not touch
//! memory in compiled code, so they compare `index + offset + size` with the
//! memory's current length explicitly.
//!
//! Narrow variants (`i64.atomic.rmw8.add_u` ...) operate at the access width
//! and zero-extend the old value. Atomics on non-shared memories are valid
//! and behave the same, except that `memory.atomic.wait*` traps with
//! `AtomicWaitNonSharedMemory` and `memory.atomic.notify` returns 0 without
//! calling the runtime (no other thread can wait on such a memory); both are
//! decided at compile time from the memory's type.
//!
//! ```wat
//! (i32.atomic.rmw8.add_u offset=1 (local.get 0) (i32.const 5))
//! ;; eff = uextend(idx) + 1; (eff & 0) is always 0: no alignment check
//! ;; old = atomic_rmw.i8 add (base + uextend(idx) + 1), ireduce.i8(5)
//! ;; result = uextend.i32(old)
//! ```

use super::translator::FuncCodegen;
use crate::CompileError;
use crate::module::MemoryIndex;
use cranelift_codegen::ir::{self, AtomicRmwOp, InstBuilder, types};
use kiln_abi::trap::TrapCode;
use wasmparser::{MemArg, Operator};

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it belongs to this file's proposal.
    pub(super) fn translate_atomic_operator(
        &mut self,
        op: &Operator<'_>,
    ) -> Result<bool, CompileError> {
        use AtomicRmwOp as R;
        use Operator as O;
        use types::{I8, I16, I32, I64};
        match op {
            O::AtomicFence => {
                self.builder.ins().fence();
            }
            O::I32AtomicLoad { memarg } => self.translate_atomic_load(memarg, I32, I32)?,
            O::I64AtomicLoad { memarg } => self.translate_atomic_load(memarg, I64, I64)?,
            O::I32AtomicLoad8U { memarg } => self.translate_atomic_load(memarg, I32, I8)?,
            O::I32AtomicLoad16U { memarg } => self.translate_atomic_load(memarg, I32, I16)?,
            O::I64AtomicLoad8U { memarg } => self.translate_atomic_load(memarg, I64, I8)?,
            O::I64AtomicLoad16U { memarg } => self.translate_atomic_load(memarg, I64, I16)?,
            O::I64AtomicLoad32U { memarg } => self.translate_atomic_load(memarg, I64, I32)?,
            O::I32AtomicStore { memarg } => self.translate_atomic_store(memarg, I32)?,
            O::I64AtomicStore { memarg } => self.translate_atomic_store(memarg, I64)?,
            O::I32AtomicStore8 { memarg } | O::I64AtomicStore8 { memarg } => {
                self.translate_atomic_store(memarg, I8)?
            }
            O::I32AtomicStore16 { memarg } | O::I64AtomicStore16 { memarg } => {
                self.translate_atomic_store(memarg, I16)?
            }
            O::I64AtomicStore32 { memarg } => self.translate_atomic_store(memarg, I32)?,

            O::I32AtomicRmwAdd { memarg } => self.translate_atomic_rmw(memarg, I32, I32, R::Add)?,
            O::I64AtomicRmwAdd { memarg } => self.translate_atomic_rmw(memarg, I64, I64, R::Add)?,
            O::I32AtomicRmw8AddU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I8, R::Add)?
            }
            O::I32AtomicRmw16AddU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I16, R::Add)?
            }
            O::I64AtomicRmw8AddU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I8, R::Add)?
            }
            O::I64AtomicRmw16AddU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I16, R::Add)?
            }
            O::I64AtomicRmw32AddU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I32, R::Add)?
            }

            O::I32AtomicRmwSub { memarg } => self.translate_atomic_rmw(memarg, I32, I32, R::Sub)?,
            O::I64AtomicRmwSub { memarg } => self.translate_atomic_rmw(memarg, I64, I64, R::Sub)?,
            O::I32AtomicRmw8SubU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I8, R::Sub)?
            }
            O::I32AtomicRmw16SubU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I16, R::Sub)?
            }
            O::I64AtomicRmw8SubU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I8, R::Sub)?
            }
            O::I64AtomicRmw16SubU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I16, R::Sub)?
            }
            O::I64AtomicRmw32SubU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I32, R::Sub)?
            }

            O::I32AtomicRmwAnd { memarg } => self.translate_atomic_rmw(memarg, I32, I32, R::And)?,
            O::I64AtomicRmwAnd { memarg } => self.translate_atomic_rmw(memarg, I64, I64, R::And)?,
            O::I32AtomicRmw8AndU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I8, R::And)?
            }
            O::I32AtomicRmw16AndU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I16, R::And)?
            }
            O::I64AtomicRmw8AndU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I8, R::And)?
            }
            O::I64AtomicRmw16AndU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I16, R::And)?
            }
            O::I64AtomicRmw32AndU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I32, R::And)?
            }

            O::I32AtomicRmwOr { memarg } => self.translate_atomic_rmw(memarg, I32, I32, R::Or)?,
            O::I64AtomicRmwOr { memarg } => self.translate_atomic_rmw(memarg, I64, I64, R::Or)?,
            O::I32AtomicRmw8OrU { memarg } => self.translate_atomic_rmw(memarg, I32, I8, R::Or)?,
            O::I32AtomicRmw16OrU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I16, R::Or)?
            }
            O::I64AtomicRmw8OrU { memarg } => self.translate_atomic_rmw(memarg, I64, I8, R::Or)?,
            O::I64AtomicRmw16OrU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I16, R::Or)?
            }
            O::I64AtomicRmw32OrU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I32, R::Or)?
            }

            O::I32AtomicRmwXor { memarg } => self.translate_atomic_rmw(memarg, I32, I32, R::Xor)?,
            O::I64AtomicRmwXor { memarg } => self.translate_atomic_rmw(memarg, I64, I64, R::Xor)?,
            O::I32AtomicRmw8XorU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I8, R::Xor)?
            }
            O::I32AtomicRmw16XorU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I16, R::Xor)?
            }
            O::I64AtomicRmw8XorU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I8, R::Xor)?
            }
            O::I64AtomicRmw16XorU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I16, R::Xor)?
            }
            O::I64AtomicRmw32XorU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I32, R::Xor)?
            }

            O::I32AtomicRmwXchg { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I32, R::Xchg)?
            }
            O::I64AtomicRmwXchg { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I64, R::Xchg)?
            }
            O::I32AtomicRmw8XchgU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I8, R::Xchg)?
            }
            O::I32AtomicRmw16XchgU { memarg } => {
                self.translate_atomic_rmw(memarg, I32, I16, R::Xchg)?
            }
            O::I64AtomicRmw8XchgU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I8, R::Xchg)?
            }
            O::I64AtomicRmw16XchgU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I16, R::Xchg)?
            }
            O::I64AtomicRmw32XchgU { memarg } => {
                self.translate_atomic_rmw(memarg, I64, I32, R::Xchg)?
            }

            O::I32AtomicRmwCmpxchg { memarg } => self.translate_atomic_cas(memarg, I32, I32)?,
            O::I64AtomicRmwCmpxchg { memarg } => self.translate_atomic_cas(memarg, I64, I64)?,
            O::I32AtomicRmw8CmpxchgU { memarg } => self.translate_atomic_cas(memarg, I32, I8)?,
            O::I32AtomicRmw16CmpxchgU { memarg } => self.translate_atomic_cas(memarg, I32, I16)?,
            O::I64AtomicRmw8CmpxchgU { memarg } => self.translate_atomic_cas(memarg, I64, I8)?,
            O::I64AtomicRmw16CmpxchgU { memarg } => self.translate_atomic_cas(memarg, I64, I16)?,
            O::I64AtomicRmw32CmpxchgU { memarg } => self.translate_atomic_cas(memarg, I64, I32)?,

            O::MemoryAtomicWait32 { memarg } => self.translate_atomic_wait(memarg, I32)?,
            O::MemoryAtomicWait64 { memarg } => self.translate_atomic_wait(memarg, I64)?,
            O::MemoryAtomicNotify { memarg } => self.translate_atomic_notify(memarg)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Flags of atomic accesses: like ordinary heap accesses (little-endian,
    /// trapping out of bounds), and the address is known to be aligned.
    fn atomic_flags() -> ir::MemFlagsData {
        super::env::heap_flags().with_aligned()
    }

    /// The effective wasm address `index + offset` of an access, as an
    /// `i64` (no wrap-around for a 32-bit memory: both parts are `u32`).
    fn effective_address(&mut self, memarg: &MemArg, index: ir::Value) -> ir::Value {
        let index = if self.builder.func.dfg.value_type(index) == types::I64 {
            index
        } else {
            self.builder.ins().uextend(types::I64, index)
        };
        if memarg.offset == 0 {
            index
        } else {
            // NB: a memory64 offset above i64::MAX wraps here; the bounds
            // check of the access itself still rejects the address.
            self.builder.ins().iadd_imm_u(index, memarg.offset as i64)
        }
    }

    /// Traps with `HeapMisaligned` unless `effective` is a multiple of
    /// `size` bytes.
    fn check_atomic_alignment(&mut self, effective: ir::Value, size: u32) {
        if size > 1 {
            let low = self
                .builder
                .ins()
                .band_imm_u(effective, i64::from(size - 1));
            self.builder
                .ins()
                .trapnz(low, super::clif_trap(TrapCode::HeapMisaligned));
        }
    }

    /// The host address of an atomic access of `size` bytes at the popped
    /// `index`: alignment check, then the memory's own bounds checking.
    fn atomic_address(
        &mut self,
        memarg: &MemArg,
        index: ir::Value,
        size: u32,
    ) -> Result<ir::Value, CompileError> {
        let effective = self.effective_address(memarg, index);
        self.check_atomic_alignment(effective, size);
        let (addr, off) = self.heap_address(memarg, index, size)?;
        Ok(if off == 0 {
            addr
        } else {
            self.builder.ins().iadd_imm_s(addr, i64::from(off))
        })
    }

    fn translate_atomic_load(
        &mut self,
        memarg: &MemArg,
        ty: ir::Type,
        access: ir::Type,
    ) -> Result<(), CompileError> {
        let index = self.pop1();
        let addr = self.atomic_address(memarg, index, access.bytes())?;
        let mut v = self
            .builder
            .ins()
            .atomic_load(access, Self::atomic_flags(), addr);
        if access != ty {
            v = self.builder.ins().uextend(ty, v);
        }
        self.stack.push(v);
        Ok(())
    }

    fn translate_atomic_store(
        &mut self,
        memarg: &MemArg,
        access: ir::Type,
    ) -> Result<(), CompileError> {
        let mut value = self.pop1();
        let index = self.pop1();
        let addr = self.atomic_address(memarg, index, access.bytes())?;
        if self.builder.func.dfg.value_type(value) != access {
            value = self.builder.ins().ireduce(access, value);
        }
        self.builder
            .ins()
            .atomic_store(Self::atomic_flags(), value, addr);
        Ok(())
    }

    fn translate_atomic_rmw(
        &mut self,
        memarg: &MemArg,
        ty: ir::Type,
        access: ir::Type,
        op: AtomicRmwOp,
    ) -> Result<(), CompileError> {
        let mut value = self.pop1();
        let index = self.pop1();
        let addr = self.atomic_address(memarg, index, access.bytes())?;
        if access != ty {
            value = self.builder.ins().ireduce(access, value);
        }
        let mut old = self
            .builder
            .ins()
            .atomic_rmw(access, Self::atomic_flags(), op, addr, value);
        if access != ty {
            old = self.builder.ins().uextend(ty, old);
        }
        self.stack.push(old);
        Ok(())
    }

    fn translate_atomic_cas(
        &mut self,
        memarg: &MemArg,
        ty: ir::Type,
        access: ir::Type,
    ) -> Result<(), CompileError> {
        let mut replacement = self.pop1();
        let mut expected = self.pop1();
        let index = self.pop1();
        let addr = self.atomic_address(memarg, index, access.bytes())?;
        if access != ty {
            expected = self.builder.ins().ireduce(access, expected);
            replacement = self.builder.ins().ireduce(access, replacement);
        }
        let mut old = if access.bits() < 32
            && matches!(
                self.env.isa.triple().architecture,
                target_lexicon::Architecture::Riscv64(_)
            ) {
            self.narrow_cas_by_word(addr, access, expected, replacement)
        } else {
            self.builder
                .ins()
                .atomic_cas(Self::atomic_flags(), addr, expected, replacement)
        };
        if access != ty {
            old = self.builder.ins().uextend(ty, old);
        }
        self.stack.push(old);
        Ok(())
    }

    /// An 8- or 16-bit compare-and-swap as a loop of 32-bit
    /// compare-and-swaps on the aligned word that holds it.
    ///
    /// Why: Cranelift 0.135's riscv64 lowering of a narrow `atomic_cas`
    /// loads the word twice (`lr.w` to compare, a second `lr.w` to merge the
    /// new bits), so a store by another thread between the two is
    /// overwritten and the exchange is not atomic (observed under
    /// `qemu-riscv64`: lost updates in a contended `rmw8.cmpxchg_u` loop).
    /// The 32-bit `atomic_cas` is a single `lr.w`/`sc.w` pair. riscv64 is
    /// little-endian, so the byte at `addr` sits at bit `8 * (addr & 3)`.
    ///
    /// ```text
    /// word = atomic_load.i32 aligned
    /// loop(word):
    ///   old = (word >> shift) & mask
    ///   if old != expected: done(old)
    ///   seen = atomic_cas.i32 aligned, word, (word & !(mask << shift)) | (new << shift)
    ///   if seen == word: done(old) else loop(seen)
    /// ```
    fn narrow_cas_by_word(
        &mut self,
        addr: ir::Value,
        access: ir::Type,
        expected: ir::Value,
        replacement: ir::Value,
    ) -> ir::Value {
        let b = &mut self.builder;
        let pointer = b.func.dfg.value_type(addr);
        let aligned = b.ins().band_imm_s(addr, -4);
        let byte = b.ins().band_imm_s(addr, 3);
        let shift64 = b.ins().ishl_imm_u(byte, 3);
        let shift = if pointer == types::I32 {
            shift64
        } else {
            b.ins().ireduce(types::I32, shift64)
        };
        let mask = b.ins().iconst(types::I32, (1i64 << access.bits()) - 1);
        let expected = b.ins().uextend(types::I32, expected);
        let replacement = b.ins().uextend(types::I32, replacement);
        let new_bits = b.ins().ishl(replacement, shift);
        let mask_in_word = b.ins().ishl(mask, shift);
        let keep = b.ins().bnot(mask_in_word);
        let first = b
            .ins()
            .atomic_load(types::I32, Self::atomic_flags(), aligned);

        let retry = b.create_block();
        let swap = b.create_block();
        let done = b.create_block();
        let word = b.append_block_param(retry, types::I32);
        let result = b.append_block_param(done, types::I32);
        b.ins().jump(retry, &[first.into()]);

        b.switch_to_block(retry);
        let shifted = b.ins().ushr(word, shift);
        let old = b.ins().band(shifted, mask);
        let differs = b.ins().icmp(ir::condcodes::IntCC::NotEqual, old, expected);
        b.ins().brif(differs, done, &[old.into()], swap, &[]);

        b.switch_to_block(swap);
        b.seal_block(swap);
        let kept = b.ins().band(word, keep);
        let desired = b.ins().bor(kept, new_bits);
        let seen = b
            .ins()
            .atomic_cas(Self::atomic_flags(), aligned, word, desired);
        let swapped = b.ins().icmp(ir::condcodes::IntCC::Equal, seen, word);
        b.ins()
            .brif(swapped, done, &[old.into()], retry, &[seen.into()]);
        b.seal_block(retry);

        b.switch_to_block(done);
        b.seal_block(done);
        b.ins().ireduce(access, result)
    }

    /// Whether memory `mem` is shared.
    fn memory_is_shared(&self, mem: MemoryIndex) -> bool {
        self.env
            .info
            .memories
            .get(mem)
            .expect("validated: memory index in range")
            .shared
    }

    /// For wait and notify, before the alignment check: an effective address
    /// past the range of the memory's index type (`index + offset` >= 2^32
    /// for a 32-bit memory, wrapped past 2^64 for memory64) traps out of
    /// bounds, as in Wasmtime, which adds the offset with an overflow check
    /// before it looks at the alignment of these operators.
    fn check_waitable_overflow(&mut self, memarg: &MemArg, index: ir::Value, effective: ir::Value) {
        if memarg.offset == 0 {
            return;
        }
        let overflow = if self
            .memory_info(MemoryIndex::from_u32(memarg.memory))
            .memory64
        {
            // The 64-bit sum wrapped: it is below the index.
            self.builder
                .ins()
                .icmp(ir::condcodes::IntCC::UnsignedLessThan, effective, index)
        } else {
            self.builder.ins().icmp_imm_u(
                ir::condcodes::IntCC::UnsignedGreaterThan,
                effective,
                i64::from(u32::MAX),
            )
        };
        self.builder
            .ins()
            .trapnz(overflow, super::clif_trap(TrapCode::MemoryOutOfBounds));
    }

    /// For wait and notify: alignment check, explicit bounds check against
    /// the current length, and the host address of the `size`-byte cell.
    fn waitable_address(
        &mut self,
        memarg: &MemArg,
        index: ir::Value,
        size: u32,
    ) -> Result<ir::Value, CompileError> {
        let effective = self.effective_address(memarg, index);
        self.check_waitable_overflow(memarg, index, effective);
        self.check_atomic_alignment(effective, size);
        // `end` cannot wrap for a 32-bit memory (at most 2^33 + 8).
        let end = self.builder.ins().iadd_imm_u(effective, i64::from(size));
        let mut len = self.memory_length(MemoryIndex::from_u32(memarg.memory))?;
        if self.pointer != types::I64 {
            len = self.builder.ins().uextend(types::I64, len);
        }
        let oob = self
            .builder
            .ins()
            .icmp(ir::condcodes::IntCC::UnsignedGreaterThan, end, len);
        self.builder
            .ins()
            .trapnz(oob, super::clif_trap(TrapCode::MemoryOutOfBounds));
        let (addr, off) = self.heap_address(memarg, index, size)?;
        Ok(if off == 0 {
            addr
        } else {
            self.builder.ins().iadd_imm_s(addr, i64::from(off))
        })
    }

    /// `memory.atomic.wait32/64 (index, expected, timeout_ns) -> 0|1|2`.
    fn translate_atomic_wait(
        &mut self,
        memarg: &MemArg,
        access: ir::Type,
    ) -> Result<(), CompileError> {
        let timeout = self.pop1();
        let expected = self.pop1();
        let index = self.pop1();
        let addr = self.waitable_address(memarg, index, access.bytes())?;
        if !self.memory_is_shared(MemoryIndex::from_u32(memarg.memory)) {
            self.builder
                .ins()
                .trap(super::clif_trap(TrapCode::AtomicWaitNonSharedMemory));
            // As after `unreachable`: the rest of the wasm block is skipped.
            self.reachable = false;
            return Ok(());
        }
        let name = if access == types::I32 {
            "memory_atomic_wait32"
        } else {
            "memory_atomic_wait64"
        };
        let r = self
            .call_libcall(name, &[addr, expected, timeout])
            .expect("internal: wait libcalls return a value");
        self.stack.push(r);
        Ok(())
    }

    /// `memory.atomic.notify (index, count) -> woken`.
    fn translate_atomic_notify(&mut self, memarg: &MemArg) -> Result<(), CompileError> {
        let count = self.pop1();
        let index = self.pop1();
        let addr = self.waitable_address(memarg, index, 4)?;
        let woken = if self.memory_is_shared(MemoryIndex::from_u32(memarg.memory)) {
            self.call_libcall("memory_atomic_notify", &[addr, count])
                .expect("internal: notify returns a value")
        } else {
            // Nobody can wait on an unshared memory.
            self.builder.ins().iconst(types::I32, 0)
        };
        self.stack.push(woken);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::{clif_of, translate_wat};

    #[test]
    fn every_atomic_operator_translates() {
        let mut body = String::new();
        for (ty, widths) in [
            ("i32", &["", "8", "16"][..]),
            ("i64", &["", "8", "16", "32"][..]),
        ] {
            for w in widths {
                let (load, store, rmw, u) = if w.is_empty() {
                    (
                        format!("{ty}.atomic.load"),
                        format!("{ty}.atomic.store"),
                        format!("{ty}.atomic.rmw"),
                        "",
                    )
                } else {
                    (
                        format!("{ty}.atomic.load{w}_u"),
                        format!("{ty}.atomic.store{w}"),
                        format!("{ty}.atomic.rmw{w}"),
                        "_u",
                    )
                };
                body.push_str(&format!(
                    "(drop ({load} (local.get 0)))\n({store} (local.get 0) ({ty}.const 1))\n"
                ));
                for op in ["add", "sub", "and", "or", "xor", "xchg"] {
                    body.push_str(&format!(
                        "(drop ({rmw}.{op}{u} offset=8 (local.get 0) ({ty}.const 1)))\n"
                    ));
                }
                body.push_str(&format!(
                    "(drop ({rmw}.cmpxchg{u} (local.get 0) ({ty}.const 1) ({ty}.const 2)))\n"
                ));
            }
        }
        for mem in ["(memory 1 1 shared)", "(memory 1)"] {
            let wat = format!(
                "(module {mem} (func (param i32)\n{body}\natomic.fence\n\
                 (drop (memory.atomic.notify (local.get 0) (i32.const 1)))))"
            );
            translate_wat(&wat).expect("translates");
        }
    }

    #[test]
    fn wait_on_shared_memory_calls_the_runtime() {
        let clif = clif_of(
            r#"(module (memory 1 1 shared)
              (func (param i32) (result i32)
                (i32.add
                  (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const -1))
                  (memory.atomic.wait64 (local.get 0) (i64.const 0) (i64.const 5)))))"#,
        );
        assert_eq!(clif.matches("call fn").count(), 2, "{clif}");
        assert!(clif.contains(", user3"), "{clif}");
    }

    #[test]
    fn wait_on_unshared_memory_traps() {
        let clif = clif_of(
            r#"(module (memory 1)
              (func (param i32) (result i32)
                (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const 0))))"#,
        );
        assert!(!clif.contains("call fn"), "{clif}");
        assert!(clif.contains("trap user12"), "{clif}");
    }

    #[test]
    fn narrow_rmw_zero_extends() {
        let clif = clif_of(
            r#"(module (memory 1 1 shared)
              (func (param i32) (result i64)
                (i64.atomic.rmw8.add_u (local.get 0) (i64.const 300))))"#,
        );
        assert!(clif.contains("atomic_rmw.i8"), "{clif}");
        assert!(clif.contains("uextend.i64"), "{clif}");
    }
}
