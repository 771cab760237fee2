//! Linear-memory addressing: the native address of a wasm memory access,
//! with the bounds check its memory needs. Every instruction that touches
//! linear memory (scalar loads and stores in [`super::memory`], SIMD in
//! `simd.rs`, atomics in `atomics.rs`) goes through
//! [`FuncCodegen::heap_address`].
//!
//! Phase 2 (HOW). Inputs: a `memarg`, the popped index value and the access
//! size. Output: `(address, immediate offset)` for the load or store, which
//! must use [`super::env::heap_flags`] (trap code `HEAP_OUT_OF_BOUNDS`).
//!
//! Two strategies, chosen per memory from its type alone:
//! - **Guard region** (32-bit index, 64 KiB pages): the runtime reserves
//!   [`kiln_abi::MEMORY32_RESERVATION`] bytes (4 GiB + 4 GiB guard) per
//!   memory, which covers every `u32` index plus every `u32` static offset.
//!   The address is `base + uextend(index) + offset` with no check: an
//!   access past the accessible length faults, and the signal handler finds
//!   the access's pc in the trap table (`out of bounds memory access`).
//! - **Explicit check** (memory64, and any custom page size smaller than
//!   64 KiB): a guard region cannot cover a 64-bit index, and page
//!   protection cannot enforce a length that is not a multiple of the host
//!   page. With `k = offset + access_size` (a compile-time constant), the
//!   access is in bounds iff `index + k <= current_length`, where
//!   `current_length` is read from the memory's `VMMemoryDefinition` at each
//!   access (`memory.grow` changes it). The check is emitted as:
//!   ```text
//!   k <= declared minimum bytes:  trapnz (icmp ugt index, len - k)
//!                                 (len >= minimum >= k, so len - k never wraps)
//!   32-bit index:                 trapnz (icmp ugt (uextend index) + k, len)
//!                                 (no overflow: index + k < 2^34)
//!   64-bit index:                 end = uadd_overflow_trap index, k
//!                                 trapnz (icmp ugt end, len)
//!   offset + size > u64::MAX:     two uadd_overflow_traps (always traps)
//!   ```
//!   so `address + offset` overflowing 2^64 traps instead of wrapping. The
//!   address is then `base + index + offset` (in bounds, so no wrap).

use super::translator::FuncCodegen;
use crate::CompileError;
use crate::module::{MemoryIndex, MemoryInfo};
use cranelift_codegen::ir::{self, InstBuilder, condcodes::IntCC, types};
use kiln_abi::trap::TrapCode;
use wasmparser::MemArg;

/// log2 of the page size at or above which page protection can enforce the
/// memory's length (the wasm default page, a multiple of every host page).
const GUARDED_PAGE_SIZE_LOG2: u32 = 16;

/// Whether accesses to `memory` need an explicit bounds check (see the
/// module docs).
pub(super) fn needs_explicit_bounds_check(memory: &MemoryInfo) -> bool {
    memory.memory64 || memory.page_size_log2 < GUARDED_PAGE_SIZE_LOG2
}

/// The declared minimum size of `memory` in bytes (saturating: a minimum
/// that large cannot be instantiated anyway).
fn min_bytes(memory: &MemoryInfo) -> u64 {
    memory
        .min
        .checked_shl(memory.page_size_log2)
        .filter(|b| b >> memory.page_size_log2 == memory.min)
        .unwrap_or(u64::MAX)
}

impl FuncCodegen<'_, '_> {
    /// The module facts of memory `mem`.
    pub(super) fn memory_info(&self, mem: MemoryIndex) -> &MemoryInfo {
        self.env
            .info
            .memories
            .get(mem)
            .expect("validated: memory index in range")
    }

    /// The wasm type of memory `mem`'s addresses and sizes: `i64` for a
    /// memory64, else `i32`.
    pub(super) fn memory_index_type(&self, mem: MemoryIndex) -> ir::Type {
        if self.memory_info(mem).memory64 {
            types::I64
        } else {
            types::I32
        }
    }

    /// Widens a value of memory `mem`'s index type to `i64` (the libcall
    /// convention for addresses and lengths).
    pub(super) fn memory_index_to_i64(&mut self, mem: MemoryIndex, v: ir::Value) -> ir::Value {
        if self.memory_index_type(mem) == types::I64 {
            v
        } else {
            self.builder.ins().uextend(types::I64, v)
        }
    }

    /// The address of an `access_size`-byte access described by `memarg` at
    /// the popped `index` (of the memory's index type), as a base value and
    /// an immediate offset for the load or store, after the bounds check the
    /// memory needs (module docs). Loads and stores at the result must use
    /// [`super::env::heap_flags`].
    pub(super) fn heap_address(
        &mut self,
        memarg: &MemArg,
        index: ir::Value,
        access_size: u32,
    ) -> Result<(ir::Value, i32), CompileError> {
        let mem = MemoryIndex::from_u32(memarg.memory);
        let info = self.memory_info(mem).clone();
        if self.pointer != types::I64 && needs_explicit_bounds_check(&info) {
            // The explicit check assumes 64-bit native addresses.
            return self.unsupported(if info.memory64 {
                "memory64"
            } else {
                "custom-page-sizes"
            });
        }
        let base = self.memory_base(mem)?;
        let index = if info.memory64 {
            index
        } else {
            self.index_to_pointer(index)
        };
        if needs_explicit_bounds_check(&info) {
            self.explicit_bounds_check(mem, &info, index, memarg.offset, access_size)?;
        }
        let addr = self.builder.ins().iadd(base, index);
        match i32::try_from(memarg.offset) {
            Ok(off) => Ok((addr, off)),
            Err(_) => {
                // Guarded memories: a u32 offset (validated). Checked ones:
                // the sum is in bounds, so two's-complement wrapping of the
                // constant gives the right address.
                let addr = self.builder.ins().iadd_imm_u(addr, memarg.offset as i64);
                Ok((addr, 0))
            }
        }
    }

    /// Traps `HEAP_OUT_OF_BOUNDS` unless `index + offset + access_size <=
    /// current_length` of memory `mem` (`index` is already 64-bit).
    fn explicit_bounds_check(
        &mut self,
        mem: MemoryIndex,
        info: &MemoryInfo,
        index: ir::Value,
        offset: u64,
        access_size: u32,
    ) -> Result<(), CompileError> {
        use types::I64;
        let oob_code = super::clif_trap(TrapCode::MemoryOutOfBounds);
        let len = self.memory_length(mem)?;
        let k = offset.checked_add(u64::from(access_size));
        let ins = self.builder.ins();
        let oob = match k {
            Some(k) if k <= min_bytes(info) => {
                // `len >= min_bytes >= k`: the subtraction cannot wrap.
                let limit = ins.iadd_imm_u(len, k.wrapping_neg() as i64);
                self.builder
                    .ins()
                    .icmp(IntCC::UnsignedGreaterThan, index, limit)
            }
            Some(k) if !info.memory64 => {
                // index < 2^32 and k < 2^33: the sum cannot wrap.
                let end = ins.iadd_imm_u(index, k as i64);
                self.builder
                    .ins()
                    .icmp(IntCC::UnsignedGreaterThan, end, len)
            }
            Some(k) => {
                let k = ins.iconst(I64, k as i64);
                let end = self.builder.ins().uadd_overflow_trap(index, k, oob_code);
                self.builder
                    .ins()
                    .icmp(IntCC::UnsignedGreaterThan, end, len)
            }
            None => {
                // offset + size exceeds 2^64 - 1: index + offset + size does
                // too, and one of the two additions traps.
                let off = ins.iconst(I64, offset as i64);
                let end = self.builder.ins().uadd_overflow_trap(index, off, oob_code);
                let size = self.builder.ins().iconst(I64, i64::from(access_size));
                let end = self.builder.ins().uadd_overflow_trap(end, size, oob_code);
                self.builder
                    .ins()
                    .icmp(IntCC::UnsignedGreaterThan, end, len)
            }
        };
        self.builder.ins().trapnz(oob, oob_code);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::{clif_of, translate_wat};

    #[test]
    fn memory64_accesses_are_checked_against_the_current_length() {
        let clif = clif_of(
            r#"(module (memory i64 1)
              (func (param i64) (result i32)
                (i32.load offset=8 (local.get 0))))"#,
        );
        // k = 12 <= 65536: one compare against `len - 12`, no overflow trap.
        assert!(clif.contains("icmp.i64 ugt v1"), "{clif}");
        assert!(clif.contains("trapnz"), "{clif}");
        assert!(!clif.contains("uadd_overflow_trap"), "{clif}");
    }

    #[test]
    fn huge_offsets_trap_on_overflow() {
        let clif = clif_of(
            r#"(module (memory i64 0)
              (func (param i64) (result i64)
                (i64.load offset=0xffffffffffff (local.get 0))
                (drop)
                (i64.load offset=0xfffffffffffffffc (local.get 0))))"#,
        );
        assert_eq!(clif.matches("uadd_overflow_trap").count(), 3, "{clif}");
    }

    #[test]
    fn small_pages_are_checked_and_64k_pages_are_not() {
        let clif = clif_of(
            r#"(module (memory 1 (pagesize 1))
              (func (param i32) (result i32) (i32.load (local.get 0))))"#,
        );
        assert!(clif.contains("trapnz"), "{clif}");
        let clif = clif_of(
            r#"(module (memory 1 (pagesize 65536))
              (func (param i32) (result i32) (i32.load (local.get 0))))"#,
        );
        assert!(!clif.contains("trapnz"), "{clif}");
    }

    #[test]
    fn every_access_kind_on_a_checked_memory() {
        translate_wat(
            r#"(module (memory i64 1) (memory $b 0 (pagesize 1))
              (func (param i64 i32)
                (i64.store offset=0xffffffff00 (local.get 0) (i64.load8_s $b (local.get 1)))
                (f64.store $b offset=7 (local.get 1) (f64.load (local.get 0)))))"#,
        )
        .expect("translates");
    }
}
