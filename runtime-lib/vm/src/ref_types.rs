//! Precise reference types (typed function references) in the runtime:
//! canonical type codes for signature interning and import matching.
//!
//! Phase: instance setup and linking. Input: a module's
//! `ModuleDescriptor::ref_types` codes (`kiln_abi::descriptor::REF_*`) and
//! its `kiln_abi::ValType` bytes. Output: canonical `u64` codes that compare
//! across modules: a concrete `(ref $t)` becomes the interned signature id
//! of `$t`, so structurally equal types give equal codes.
//!
//! Canonical code: a non-reference is its `ValType` byte; a reference sets
//! [`REF`], [`NULLABLE`] if nullable, and holds its heap type in the low
//! bits: an abstract `REF_HEAP_*` code, or [`CONCRETE`] plus the interned id,
//! or [`REC`] plus the distance to a type of the same or a later index
//! (recursive types, only under the GC relaxation: compared by position).
//!
//! Subtyping ([`is_subtype`]): non-null <: nullable; `(ref $t)` <: `func`;
//! `nofunc` <: every function heap type; `noextern` <: `extern`; `noexn` <:
//! `exn`; otherwise codes must be equal.

use crate::descriptor::Module;
use kiln_abi::ValType;
use kiln_abi::descriptor::{
    REF_HEAP_EXN, REF_HEAP_EXTERN, REF_HEAP_FUNC, REF_HEAP_NOEXN, REF_HEAP_NOEXTERN,
    REF_HEAP_NOFUNC, REF_NULLABLE, REF_TYPE_PLAIN,
};

/// Canonical code flag: a reference type.
pub const REF: u64 = 1 << 63;
/// Canonical code flag: nullable.
pub const NULLABLE: u64 = 1 << 62;
/// Canonical heap kind: concrete type, low 32 bits = interned id.
pub const CONCRETE: u64 = 1 << 32;
/// Canonical heap kind: a type not yet interned (recursion), low 32 bits =
/// its index minus the referring type's index.
pub const REC: u64 = 2 << 32;
const HEAP_MASK: u64 = (1 << 40) - 1;

/// The canonical code of a plain `ValType` byte.
pub fn canon_plain(t: u8) -> u64 {
    match ValType::from_u8(t) {
        Some(ValType::FuncRef) => REF | NULLABLE | u64::from(REF_HEAP_FUNC),
        Some(ValType::ExternRef) => REF | NULLABLE | u64::from(REF_HEAP_EXTERN),
        Some(ValType::ExnRef) => REF | NULLABLE | u64::from(REF_HEAP_EXN),
        _ => u64::from(t),
    }
}

/// The module's `ref_types` array (empty if it has none).
pub fn ref_codes(module: &Module) -> &'static [u32] {
    let d = module.desc;
    if d.ref_types == 0 {
        return &[];
    }
    let per_type: u64 = module
        .types
        .iter()
        .map(|t| u64::from(t.num_params) + u64::from(t.num_results))
        .sum();
    let len = per_type + u64::from(d.num_globals) + u64::from(d.num_tables);
    // SAFETY: the compiler emits exactly this many codes at `ref_types`
    // (see `ModuleDescriptor::ref_types`); descriptors live for the process.
    unsafe { crate::descriptor::slice(d.ref_types, len) }
}

/// Canonical code of `code` (a `REF_*` code or `REF_TYPE_PLAIN` for the
/// `ValType` byte `plain`), with concrete indices resolved through
/// `type_ids` (`None`: being computed, entries from `from` on are missing).
fn canon(code: u32, plain: u8, type_ids: &[u32], from: Option<u32>) -> u64 {
    if code == REF_TYPE_PLAIN {
        return canon_plain(plain);
    }
    let nullable = if code & REF_NULLABLE != 0 {
        NULLABLE
    } else {
        0
    };
    let heap = code & !REF_NULLABLE;
    let heap = if heap >= REF_HEAP_FUNC {
        u64::from(heap)
    } else {
        match (type_ids.get(heap as usize), from) {
            (Some(id), _) => CONCRETE | u64::from(*id),
            (None, Some(from)) => REC | u64::from(heap.saturating_sub(from)),
            (None, None) => REC | u64::from(heap),
        }
    };
    REF | nullable | heap
}

/// The interned signature id of every type of `module`, by type index.
pub fn module_type_ids(module: &Module) -> Vec<u32> {
    if let Some(ids) = crate::typeids::seeded(module) {
        return ids.to_vec();
    }
    let codes = ref_codes(module);
    let mut ids: Vec<u32> = Vec::with_capacity(module.types.len());
    let mut at = 0usize;
    for t in 0..module.desc.num_types {
        let ty = module.func_type(t).expect("type index below num_types");
        let n = ty.params.len() + ty.results.len();
        let id = match codes.get(at..at + n) {
            Some(c) if c.iter().any(|c| *c != REF_TYPE_PLAIN) => {
                let mut all = ty.params.iter().chain(ty.results).zip(c);
                let mut take = |k: usize| -> Vec<u64> {
                    all.by_ref()
                        .take(k)
                        .map(|(p, c)| canon(*c, *p, &ids, Some(t)))
                        .collect()
                };
                let params = take(ty.params.len());
                let results = take(ty.results.len());
                crate::typeids::intern_canon(&params, &results)
            }
            _ => crate::typeids::intern(ty.params, ty.results),
        };
        at += n;
        ids.push(id);
    }
    ids
}

/// Canonical type of global `index` of `module` (`type_ids`: the module's
/// [`module_type_ids`]).
pub fn global_type(module: &Module, type_ids: &[u32], index: u32) -> Option<u64> {
    let g = module.globals.get(index as usize)?;
    let codes = ref_codes(module);
    let base = codes
        .len()
        .saturating_sub((module.desc.num_globals + module.desc.num_tables) as usize);
    let code = codes
        .get(base + index as usize)
        .copied()
        .unwrap_or(REF_TYPE_PLAIN);
    Some(canon(code, g.val_type as u8, type_ids, None))
}

/// Canonical element type of table `index` of `module`.
pub fn table_type(module: &Module, type_ids: &[u32], index: u32) -> Option<u64> {
    let t = module.tables.get(index as usize)?;
    let codes = ref_codes(module);
    let base = codes.len().saturating_sub(module.desc.num_tables as usize);
    let code = codes
        .get(base + index as usize)
        .copied()
        .unwrap_or(REF_TYPE_PLAIN);
    Some(canon(code, t.elem_type as u8, type_ids, None))
}

/// Whether a value of canonical type `a` is a value of type `b`.
pub fn is_subtype(a: u64, b: u64) -> bool {
    if a == b {
        return true;
    }
    if a & REF == 0 || b & REF == 0 {
        return false;
    }
    if a & NULLABLE != 0 && b & NULLABLE == 0 {
        return false;
    }
    let (ha, hb) = (a & HEAP_MASK, b & HEAP_MASK);
    let func = u64::from(REF_HEAP_FUNC);
    let is_concrete = |h: u64| h & (CONCRETE | REC) != 0;
    ha == hb
        || (is_concrete(ha) && hb == func)
        || (ha == u64::from(REF_HEAP_NOFUNC) && (hb == func || is_concrete(hb)))
        || (ha == u64::from(REF_HEAP_NOEXTERN) && hb == u64::from(REF_HEAP_EXTERN))
        || (ha == u64::from(REF_HEAP_NOEXN) && hb == u64::from(REF_HEAP_EXN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtyping() {
        let func = canon_plain(ValType::FuncRef as u8);
        let non_null_func = func & !NULLABLE;
        let t = REF | CONCRETE | 7;
        let t_null = t | NULLABLE;
        let nofunc = REF | NULLABLE | u64::from(REF_HEAP_NOFUNC);
        let extern_ = canon_plain(ValType::ExternRef as u8);
        assert!(is_subtype(non_null_func, func));
        assert!(!is_subtype(func, non_null_func));
        assert!(is_subtype(t, func) && is_subtype(t, t_null) && is_subtype(t_null, func));
        assert!(!is_subtype(func, t_null));
        assert!(is_subtype(nofunc, t_null) && is_subtype(nofunc, func));
        assert!(!is_subtype(nofunc, t));
        assert!(!is_subtype(func, extern_) && !is_subtype(extern_, func));
        assert!(!is_subtype(REF | CONCRETE | 8, t_null));
        assert!(!is_subtype(ValType::I32 as u64, ValType::I64 as u64));
        assert!(is_subtype(ValType::I32 as u64, ValType::I32 as u64));
    }

    #[test]
    fn plain_types_intern_like_bytes() {
        let a = crate::typeids::intern(&[ValType::FuncRef as u8], &[]);
        let b = crate::typeids::intern_canon(&[canon_plain(ValType::FuncRef as u8)], &[]);
        let c =
            crate::typeids::intern_canon(&[canon_plain(ValType::FuncRef as u8) & !NULLABLE], &[]);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
