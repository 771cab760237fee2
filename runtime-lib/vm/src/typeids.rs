//! Process-wide interning of function types into signature ids.
//!
//! Phase: instance setup. Input: a function type (parameter and result
//! `kiln_abi::ValType` bytes, or their canonical forms with precise
//! reference types, see [`crate::ref_types`]). Output: a `u32` id, stored in
//! `VMFuncRef::type_id` and in each instance's `type_ids` array, that
//! `call_indirect` compares.
//!
//! Invariants: structurally equal types get the same id, in every module of
//! the process (so funcrefs can later cross instances); different types get
//! different ids; id `0` is never handed out, so a zeroed `VMFuncRef` never
//! matches a real signature.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Key: (params, results) in canonical form ([`crate::ref_types::canon_plain`]).
type Key = (Box<[u64]>, Box<[u64]>);

static REGISTRY: Mutex<BTreeMap<Key, u32>> = Mutex::new(BTreeMap::new());

/// The id of the function type `params -> results` given as
/// `kiln_abi::ValType` bytes (references plain and nullable).
pub fn intern(params: &[u8], results: &[u8]) -> u32 {
    let canon = |b: &[u8]| -> Vec<u64> {
        b.iter()
            .map(|t| crate::ref_types::canon_plain(*t))
            .collect()
    };
    intern_canon(&canon(params), &canon(results))
}

/// The id of the function type `params -> results` in canonical form.
pub fn intern_canon(params: &[u64], results: &[u64]) -> u32 {
    // A poisoned lock only means another thread panicked while holding it;
    // the map itself is always consistent (one insert per call).
    let mut map = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    let key: Key = (params.into(), results.into());
    if let Some(id) = map.get(&key) {
        return *id;
    }
    let id = u32::try_from(map.len() + 1).expect("fewer than 2^32 distinct function types");
    map.insert(key, id);
    id
}

#[cfg(test)]
mod tests {
    use super::intern;
    use kiln_abi::ValType::*;

    #[test]
    fn equal_types_share_ids() {
        let a = intern(&[I32 as u8, I64 as u8], &[F32 as u8]);
        let b = intern(&[I32 as u8, I64 as u8], &[F32 as u8]);
        assert_eq!(a, b);
        assert_ne!(a, 0);
    }

    #[test]
    fn different_types_differ() {
        let a = intern(&[I32 as u8], &[]);
        let b = intern(&[], &[I32 as u8]);
        let c = intern(&[I32 as u8], &[I32 as u8]);
        let d = intern(&[I64 as u8], &[]);
        assert!(a != b && a != c && a != d && b != c && b != d && c != d);
        assert_ne!(intern(&[], &[]), 0);
    }
}
