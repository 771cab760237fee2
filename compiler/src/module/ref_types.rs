//! Precise reference types (typed function references) -> [`RefTypesInfo`].
//!
//! Phase 1 (WHAT). Input: wasmparser value types of function types,
//! globals and tables. Output: `kiln_abi::descriptor::REF_*` codes for the
//! reference types that a [`kiln_abi::ValType`] cannot describe (non-null
//! references, concrete `(ref $t)`, bottom types), by entity index; plain
//! nullable `funcref`/`externref`/`exnref` are not recorded.
//!
//! Why: compiled code represents every function reference the same way, but
//! type identity must stay precise where the runtime checks types:
//! `call_indirect` signature ids (a `(func (param (ref $t)))` is not a
//! `(func (param funcref))`, and code relying on the former would otherwise
//! `call_ref` a function of the wrong type) and import matching of
//! functions, globals and tables.

use super::{ModuleInfo, RefTypesInfo};
use kiln_abi::descriptor::{
    REF_HEAP_EXN, REF_HEAP_EXTERN, REF_HEAP_FUNC, REF_HEAP_NOEXN, REF_HEAP_NOEXTERN,
    REF_HEAP_NOFUNC, REF_NULLABLE, REF_TYPE_PLAIN,
};
use wasmparser::{AbstractHeapType as A, HeapType, ValType};

impl RefTypesInfo {
    /// Whether every reference type of the module is plain.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty() && self.globals.is_empty() && self.tables.is_empty()
    }
}

/// The `REF_*` code of a value type ([`REF_TYPE_PLAIN`] for non-references
/// and plain nullable abstract references).
pub(super) fn ref_code(t: ValType) -> u32 {
    let ValType::Ref(r) = t else {
        return REF_TYPE_PLAIN;
    };
    let heap = match r.heap_type() {
        HeapType::Concrete(i) => match i.as_module_index() {
            // Above the abstract codes: not representable; validation limits
            // type counts far below.
            Some(i) if i < REF_HEAP_FUNC => i,
            _ => return REF_TYPE_PLAIN,
        },
        HeapType::Abstract { ty, .. } => match ty {
            A::Func => REF_HEAP_FUNC,
            A::Extern => REF_HEAP_EXTERN,
            A::NoFunc => REF_HEAP_NOFUNC,
            A::NoExtern => REF_HEAP_NOEXTERN,
            A::Exn => REF_HEAP_EXN,
            A::NoExn => REF_HEAP_NOEXN,
            // GC heap types never reach a compiled module.
            _ => return REF_TYPE_PLAIN,
        },
        HeapType::Exact(_) => return REF_TYPE_PLAIN,
    };
    let plain = r.is_nullable() && matches!(heap, REF_HEAP_FUNC | REF_HEAP_EXTERN | REF_HEAP_EXN);
    if plain {
        REF_TYPE_PLAIN
    } else if r.is_nullable() {
        heap | REF_NULLABLE
    } else {
        heap
    }
}

/// Records the reference types of the function type about to be pushed as
/// the next type index.
pub(super) fn note_func_type(info: &mut ModuleInfo, f: &wasmparser::FuncType) {
    let codes: Vec<u32> = f
        .params()
        .iter()
        .chain(f.results())
        .map(|t| ref_code(*t))
        .collect();
    if codes.iter().any(|c| *c != REF_TYPE_PLAIN) {
        info.ref_types.types.insert(info.types.next_key(), codes);
    }
}

/// Records the type of the global about to be pushed.
pub(super) fn note_global(info: &mut ModuleInfo, t: ValType) {
    let code = ref_code(t);
    if code != REF_TYPE_PLAIN {
        info.ref_types.globals.insert(info.globals.next_key(), code);
    }
}

/// Records the element type of the table about to be pushed.
pub(super) fn note_table(info: &mut ModuleInfo, t: wasmparser::RefType) {
    let code = ref_code(ValType::Ref(t));
    if code != REF_TYPE_PLAIN {
        info.ref_types.tables.insert(info.tables.next_key(), code);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{GlobalIndex, TableIndex, TypeIndex, translate_module};
    use crate::Config;
    use kiln_abi::descriptor::{REF_HEAP_FUNC, REF_NULLABLE, REF_TYPE_PLAIN};

    #[test]
    fn only_precise_reference_types_are_recorded() {
        let wasm = wat::parse_str(
            r#"(module
              (type $t (func (param i32 funcref) (result externref)))
              (type $u (func (param (ref $t) (ref null $t)) (result (ref func))))
              (elem declare func $f)
              (func $f (type $t) (ref.null extern))
              (global funcref (ref.null func))
              (global (ref $t) (ref.func $f))
              (table 1 funcref)
              (table 1 (ref null $t)))"#,
        )
        .expect("wat");
        let info = translate_module(&wasm, &Config::default()).expect("compiles");
        let r = &info.ref_types;
        assert_eq!(r.types.len(), 1);
        assert_eq!(
            r.types[&TypeIndex::from_u32(1)],
            vec![0, REF_NULLABLE, REF_HEAP_FUNC]
        );
        assert_eq!(r.globals.len(), 1);
        assert_eq!(r.globals[&GlobalIndex::from_u32(1)], 0);
        assert_eq!(r.tables.len(), 1);
        assert_eq!(r.tables[&TableIndex::from_u32(1)], REF_NULLABLE);
        assert_ne!(r.tables[&TableIndex::from_u32(1)], REF_TYPE_PLAIN);
    }
}
