//! Tables and references: `table.get/set/size` inline, `table.grow/fill/
//! copy/init` and `elem.drop` through libcalls, `ref.null`, `ref.is_null`,
//! `ref.func`.
//!
//! Phase 2 (HOW). Inputs: table and reference operators. Outputs: CLIF.
//!
//! A table is a `VMTableDefinition { base, current_elements }` (defined
//! tables inline in the `VMContext`, imported ones through a pointer) of
//! pointer-sized elements: a `funcref` is the address of a `VMFuncRef` and
//! `0` is null; an `externref` is an opaque pointer. `base` may move on
//! `table.grow`, so base and length are loaded at every access, except for
//! a defined table whose maximum equals its minimum (what wasm-ld emits for
//! the indirect function table): it can never grow, so its length is that
//! constant and its base is loaded once per function, which makes
//! `call_indirect` one load and one compare with an immediate cheaper. Every
//! function's `VMFuncRef` lives in the `VMContext` (filled by the runtime),
//! so `ref.func` is an address computation.
//!
//! table64 (part of memory64): indices, sizes and deltas are `i64`, used as
//! they are (never truncated) for the bounds check; `table.grow/fill/copy/
//! init` of a table64 go through the `*64` libcalls, which take 64-bit
//! operands (32-bit ones zero-extended when a copy mixes both kinds).

use super::env::{Cached, imm, vm_flags};
use super::translator::FuncCodegen;
use crate::CompileError;
use crate::module::TableIndex;
use cranelift_codegen::ir::{self, InstBuilder, condcodes::IntCC, types};
use kiln_abi::trap::TrapCode;
use kiln_abi::vmctx::VMOffsets;
use wasmparser::{HeapType, Operator};

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it is a table or reference operator.
    pub(super) fn translate_table_operator(
        &mut self,
        op: &Operator<'_>,
    ) -> Result<bool, CompileError> {
        use Operator as O;
        use types::I32;
        match op {
            O::TableGet { table } => {
                let table = TableIndex::from_u32(*table);
                let index = self.pop1();
                let addr = self.table_element_address(table, index)?;
                let v = self.builder.ins().load(self.pointer, vm_flags(), addr, 0);
                self.stack.push(v);
            }
            O::TableSet { table } => {
                let table = TableIndex::from_u32(*table);
                let value = self.pop1();
                let index = self.pop1();
                let addr = self.table_element_address(table, index)?;
                self.builder.ins().store(vm_flags(), value, addr, 0);
            }
            O::TableSize { table } => {
                let table = TableIndex::from_u32(*table);
                let len = self.table_length(table)?;
                let len = if self.table_is_64(table) {
                    len
                } else {
                    self.pointer_to_i32(len)
                };
                self.stack.push(len);
            }
            O::TableGrow { table } => {
                let table = TableIndex::from_u32(*table);
                let delta = self.pop1();
                let init = self.pop1();
                let name = if self.table_is_64(table) {
                    "table_grow64"
                } else {
                    "table_grow"
                };
                let table = self.builder.ins().iconst(I32, i64::from(table.as_u32()));
                let old = self
                    .call_libcall(name, &[table, delta, init])
                    .expect("internal: table_grow returns a value");
                self.stack.push(old);
            }
            O::TableFill { table } => {
                let table = TableIndex::from_u32(*table);
                let [dst, val, len] = self.pop3();
                let name = if self.table_is_64(table) {
                    "table_fill64"
                } else {
                    "table_fill"
                };
                let table = self.builder.ins().iconst(I32, i64::from(table.as_u32()));
                self.call_libcall(name, &[table, dst, val, len]);
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let dst_table = TableIndex::from_u32(*dst_table);
                let src_table = TableIndex::from_u32(*src_table);
                let [dst, src, len] = self.pop3();
                let dst_table_v = self
                    .builder
                    .ins()
                    .iconst(I32, i64::from(dst_table.as_u32()));
                let src_table_v = self
                    .builder
                    .ins()
                    .iconst(I32, i64::from(src_table.as_u32()));
                if self.table_is_64(dst_table) || self.table_is_64(src_table) {
                    // Each operand has its table's index type; the length
                    // the smaller of the two.
                    let [dst, src, len] = [dst, src, len].map(|v| self.value_to_i64(v));
                    self.call_libcall("table_copy64", &[dst_table_v, src_table_v, dst, src, len]);
                } else {
                    self.call_libcall("table_copy", &[dst_table_v, src_table_v, dst, src, len]);
                }
            }
            O::TableInit { elem_index, table } => {
                let table = TableIndex::from_u32(*table);
                // Segment offset and length are i32 whatever the table.
                let [dst, src, len] = self.pop3();
                let name = if self.table_is_64(table) {
                    "table_init64"
                } else {
                    "table_init"
                };
                let table = self.builder.ins().iconst(I32, i64::from(table.as_u32()));
                let elem = self.builder.ins().iconst(I32, i64::from(*elem_index));
                self.call_libcall(name, &[table, elem, dst, src, len]);
            }
            O::ElemDrop { elem_index } => {
                let elem = self.builder.ins().iconst(I32, i64::from(*elem_index));
                self.call_libcall("elem_drop", &[elem]);
            }
            O::RefNull { hty } => {
                if !matches!(
                    hty,
                    HeapType::Abstract { shared: false, .. } | HeapType::Concrete(_)
                ) {
                    return self.unsupported("gc");
                }
                let v = self.builder.ins().iconst(self.pointer, 0);
                self.stack.push(v);
            }
            O::RefIsNull => {
                let r = self.pop1();
                let is_null = self.builder.ins().icmp_imm_u(IntCC::Equal, r, 0);
                let is_null = self.builder.ins().uextend(I32, is_null);
                self.stack.push(is_null);
            }
            O::RefFunc { function_index } => {
                let off = imm(self.env.offsets.func_ref(*function_index))?;
                let v = self.builder.ins().iadd_imm_u(self.vmctx, i64::from(off));
                self.stack.push(v);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Whether `table` is a table64 (`i64` indices and sizes).
    pub(super) fn table_is_64(&self, table: TableIndex) -> bool {
        self.env
            .info
            .tables
            .get(table)
            .expect("validated: table index in range")
            .table64
    }

    /// Zero-extends an `i32` to `i64`; an `i64` stays as it is.
    fn value_to_i64(&mut self, v: ir::Value) -> ir::Value {
        if self.builder.func.dfg.value_type(v) == types::I64 {
            v
        } else {
            self.builder.ins().uextend(types::I64, v)
        }
    }

    /// The element count of `table` if it can never change: a defined
    /// table whose maximum is its minimum. `table.grow` then fails (or, by
    /// 0, changes nothing) and the runtime never reallocates the elements,
    /// so `VMTableDefinition`'s base and length stay as instantiation set
    /// them. (An imported table is left alone: its definition is not ours.)
    fn fixed_table_size(&self, table: TableIndex) -> Option<i64> {
        self.env.info.defined_table_index(table)?;
        let info = self.env.info.tables.get(table)?;
        (info.max == Some(info.min))
            .then(|| i64::try_from(info.min).ok())
            .flatten()
    }

    /// The current number of elements of `table` (pointer-sized).
    fn table_length(&mut self, table: TableIndex) -> Result<ir::Value, CompileError> {
        if let Some(size) = self.fixed_table_size(table) {
            return Ok(self.builder.ins().iconst(self.pointer, size));
        }
        let (def, off) = self.table_def(table)?;
        let off = off + imm(VMOffsets::table_current_elements(self.ptr_size()))?;
        Ok(self.builder.ins().load(self.pointer, vm_flags(), def, off))
    }

    /// The address of element `index` (an `i32`, or an `i64` for a
    /// table64) of `table`, trapping with `TableOutOfBounds` if `index >=
    /// current_elements`.
    pub(super) fn table_element_address(
        &mut self,
        table: TableIndex,
        index: ir::Value,
    ) -> Result<ir::Value, CompileError> {
        let len = self.table_length(table)?;
        let index = if self.builder.func.dfg.value_type(index) == types::I64 {
            if self.pointer != types::I64 {
                return self.unsupported("memory64");
            }
            index
        } else {
            self.index_to_pointer(index)
        };
        let oob = self
            .builder
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, index, len);
        self.builder
            .ins()
            .trapnz(oob, super::clif_trap(TrapCode::TableOutOfBounds));
        let fixed = self
            .fixed_table_size(table)
            .and(self.env.info.defined_table_index(table));
        let base = match fixed {
            // A table that cannot grow keeps its elements where they are:
            // its (inline) definition's base is loaded once.
            Some(defined) => {
                let off =
                    self.env.offsets.defined_table(defined.as_u32()) + VMOffsets::table_base();
                self.cached_vmctx_ptr(Cached::TableBase(table), off)?
            }
            None => {
                let (def, off) = self.table_def(table)?;
                let off = off + imm(VMOffsets::table_base())?;
                self.builder.ins().load(self.pointer, vm_flags(), def, off)
            }
        };
        let elem_size = i64::from(self.ptr_size());
        let scaled = self.builder.ins().imul_imm_u(index, elem_size);
        Ok(self.builder.ins().iadd(base, scaled))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::{clif_with, translate_wat};

    #[test]
    fn imported_table_and_global_go_through_pointers() {
        // Phase 1 imports only WASI functions, so pretend table 0 and
        // global 0 are imported: their definitions are reached through a
        // pointer in the VMContext, loaded once.
        let clif = clif_with(
            r#"(module
              (type $t (func))
              (table 1 funcref)
              (global (mut i32) (i32.const 0))
              (func (param i32)
                (global.set 0 (i32.add (global.get 0) (table.size 0)))
                (call_indirect (type $t) (local.get 0))))"#,
            |info| {
                info.num_imported_tables = 1;
                info.num_imported_globals = 1;
            },
        );
        // Pointers to the table definition, the global and `type_ids`.
        assert_eq!(clif.matches("readonly can_move v0+").count(), 3, "{clif}");
    }

    #[test]
    fn table64_operators_use_i64_and_the_wide_libcalls() {
        let clif = super::super::tests::util::clif_of(
            r#"(module
              (type $t (func))
              (table $w i64 2 funcref) (table $n 1 funcref)
              (elem $seg func $f)
              (func $f (param i64) (result i64)
                (table.set $w (local.get 0) (table.get $w (local.get 0)))
                (drop (table.grow $w (ref.null func) (i64.const 1)))
                (table.fill $w (i64.const 0) (ref.func $f) (i64.const 1))
                (table.copy $w $n (i64.const 0) (i32.const 0) (i32.const 1))
                (table.copy $n $w (i32.const 0) (i64.const 1) (i32.const 1))
                (table.copy $w $w (i64.const 0) (i64.const 1) (i64.const 1))
                (table.init $w $seg (i64.const 0) (i32.const 0) (i32.const 1))
                (call_indirect $w (type $t) (local.get 0))
                (table.size $w)))"#,
        );
        // No truncation of a 64-bit index anywhere.
        assert!(!clif.contains("ireduce"), "{clif}");
        assert_eq!(clif.matches("icmp.i64 uge v1").count(), 3, "{clif}");
    }

    #[test]
    fn table_operators() {
        translate_wat(
            r#"(module
              (table $t 2 10 funcref) (table $e 1 externref)
              (elem $seg func $f)
              (func $f (param i32) (result funcref)
                (table.set $t (local.get 0) (table.get $t (local.get 0)))
                (drop (table.grow $t (ref.null func) (i32.const 1)))
                (table.fill $t (i32.const 0) (ref.func $f) (i32.const 1))
                (table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 1))
                (table.init $t $seg (i32.const 0) (i32.const 0) (i32.const 1))
                (elem.drop $seg)
                (drop (i32.add (table.size $t) (table.size $e)))
                (drop (ref.is_null (table.get $e (i32.const 0))))
                (ref.func $f)))"#,
        )
        .expect("translates");
    }
}
