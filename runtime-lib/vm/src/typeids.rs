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
//!
//! Seeding: an executable's one core module carries the ids its compiler
//! computed (`ModuleDescriptor::type_ids`, ids `1..=n` in order of first
//! appearance). [`seed`] makes them the registry's first `n` ids without
//! interning anything: [`seeded`] hands them out for that module, and the
//! seed's types are put into the table only when something else is
//! interned first, so the ids stay one numbering for the whole process.

use crate::descriptor::Module;
use std::sync::Mutex;

/// Every interned type, flat: type `id` is `params` then `results` at
/// `entries[id - 1]` of `arena`, found through an open-addressing table of
/// ids by hash. A start-up interns every type of the program once, so the
/// first insert sizes all three vectors for a typical program (a few dozen
/// types) and later ones rarely allocate.
struct Registry {
    /// Canonical values of every type, back to back.
    arena: Vec<u64>,
    /// (start in `arena`, parameter count, result count) by `id - 1`.
    entries: Vec<(usize, usize, usize)>,
    /// `(hash, id)` slots, `id == 0` empty; a power of two long, at most
    /// half full; linear probing.
    slots: Vec<(u64, u32)>,
    /// The seeded module and its ids, and whether its types are in the
    /// table yet.
    seed: Option<(Module, &'static [u32], bool)>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    arena: Vec::new(),
    entries: Vec::new(),
    slots: Vec::new(),
    seed: None,
});

/// The registry, locked. A poisoned lock only means another thread
/// panicked while holding it; the registry itself is always consistent
/// (one insert per call, the vectors grown before the id is published in
/// `slots`).
fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

impl Registry {
    /// Index of the slot holding `(h, id)` of a type equal to
    /// `params -> results`, or of the empty slot where it would go.
    fn probe(&self, h: u64, params: &[u64], results: &[u64]) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let (sh, id) = self.slots[i];
            if id == 0 {
                return i;
            }
            if sh == h {
                let (start, np, nr) = self.entries[id as usize - 1];
                // Compared a word at a time: slice `==` becomes a call of
                // libc's `bcmp`, which musl runs a byte at a time.
                if np == params.len()
                    && nr == results.len()
                    && self.arena[start..start + np].iter().eq(params)
                    && self.arena[start + np..start + np + nr].iter().eq(results)
                {
                    return i;
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of `params -> results` (canonical forms), inserted if new.
    fn intern(&mut self, params: &[u64], results: &[u64]) -> u32 {
        self.materialize_seed();
        if (self.entries.len() + 1) * 2 > self.slots.len() {
            if self.slots.is_empty() {
                self.arena.reserve(256);
                self.entries.reserve(32);
            }
            self.grow();
        }
        let h = hash(params, results);
        let slot = self.probe(h, params, results);
        if self.slots[slot].1 != 0 {
            return self.slots[slot].1;
        }
        let id =
            u32::try_from(self.entries.len() + 1).expect("fewer than 2^32 distinct function types");
        let start = self.arena.len();
        self.arena.extend_from_slice(params);
        self.arena.extend_from_slice(results);
        self.entries.push((start, params.len(), results.len()));
        self.slots[slot] = (h, id);
        id
    }

    /// Puts the seed's types into the table, each distinct one under its
    /// seeded id (they come in order of first appearance, so each new one
    /// is the next id).
    fn materialize_seed(&mut self) {
        let Some((module, ids, false)) = self.seed else {
            return;
        };
        if let Some(seed) = &mut self.seed {
            seed.2 = true;
        }
        for (t, &id) in ids.iter().enumerate() {
            if id as usize != self.entries.len() + 1 {
                continue;
            }
            let ty = module
                .func_type(t as u32)
                .expect("seeded: a type of the seed module");
            let got = self.intern(&canon_plain_all(ty.params), &canon_plain_all(ty.results));
            debug_assert_eq!(got, id, "seeded ids number distinct types");
        }
    }

    /// Doubles the table (or makes the first one) and reinserts every id.
    fn grow(&mut self) {
        let len = (self.slots.len() * 2).max(64);
        let old = std::mem::replace(&mut self.slots, vec![(0, 0); len]);
        for (h, id) in old.into_iter().filter(|(_, id)| *id != 0) {
            let mut i = h as usize & (len - 1);
            while self.slots[i].1 != 0 {
                i = (i + 1) & (len - 1);
            }
            self.slots[i] = (h, id);
        }
    }
}

/// A hash of the counts and values, a word at a time (deterministic; no
/// random state).
fn hash(params: &[u64], results: &[u64]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, v: u64| (h ^ v).wrapping_mul(K).rotate_left(29);
    let mut h = mix(params.len() as u64, results.len() as u64);
    for v in params.iter().chain(results) {
        h = mix(h, *v);
    }
    h
}

/// The id of the function type `params -> results` given as
/// `kiln_abi::ValType` bytes (references plain and nullable).
pub fn intern(params: &[u8], results: &[u8]) -> u32 {
    // Most signatures are short: canonicalize on the stack.
    const INLINE: usize = 16;
    if params.len() <= INLINE && results.len() <= INLINE {
        let mut p = [0u64; INLINE];
        let mut r = [0u64; INLINE];
        for (d, t) in p.iter_mut().zip(params) {
            *d = crate::ref_types::canon_plain(*t);
        }
        for (d, t) in r.iter_mut().zip(results) {
            *d = crate::ref_types::canon_plain(*t);
        }
        return intern_canon(&p[..params.len()], &r[..results.len()]);
    }
    intern_canon(&canon_plain_all(params), &canon_plain_all(results))
}

/// The canonical codes of `ValType` bytes.
fn canon_plain_all(types: &[u8]) -> Vec<u64> {
    types
        .iter()
        .map(|t| crate::ref_types::canon_plain(*t))
        .collect()
}

/// The id of the function type `params -> results` in canonical form.
pub fn intern_canon(params: &[u64], results: &[u64]) -> u32 {
    registry().intern(params, results)
}

/// Makes the compiler's signature ids of `module` (the executable's own
/// core module, whose descriptor lives as long as the process) the
/// registry's first ids. Does nothing if the module has none, if anything
/// was interned or seeded before, or if they do not number `1..=n` in
/// order of first appearance (the module's types are then interned as any
/// other's).
pub fn seed(module: &Module) {
    let d = module.desc;
    if d.type_ids == 0 || d.num_types == 0 {
        return;
    }
    // SAFETY: the compiler writes `num_types` ids at `type_ids`; the
    // descriptor is valid for the process.
    let ids: &'static [u32] = unsafe { crate::descriptor::slice(d.type_ids, d.num_types.into()) };
    let mut next = 1;
    for &id in ids {
        if id == 0 || id > next {
            return;
        }
        if id == next {
            next += 1;
        }
    }
    let mut reg = registry();
    if reg.seed.is_none() && reg.entries.is_empty() {
        reg.seed = Some((*module, ids, false));
    }
}

/// The seeded ids of `module`, if it is the seeded module.
pub fn seeded(module: &Module) -> Option<&'static [u32]> {
    if module.desc.type_ids == 0 {
        return None;
    }
    let reg = registry();
    match reg.seed {
        Some((m, ids, _)) if std::ptr::eq(m.desc, module.desc) => Some(ids),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Registry, canon_plain_all, intern};
    use kiln_abi::ValType::*;

    /// A seeded registry hands out the seed's ids for types interned
    /// later, and numbers new types after them.
    #[test]
    fn seeded_ids_are_kept_when_others_intern() {
        let a = (vec![I32], vec![I32]);
        let b = (vec![], vec![]);
        let module = crate::fixture::ModuleBuilder {
            types: vec![a.clone(), b.clone(), a.clone()],
            ..Default::default()
        }
        .module();
        let ids: &'static [u32] = Box::leak(Box::new([1, 2, 1]));
        let mut reg = Registry {
            arena: Vec::new(),
            entries: Vec::new(),
            slots: Vec::new(),
            seed: Some((module, ids, false)),
        };
        let canon = |t: &[kiln_abi::ValType]| {
            canon_plain_all(&t.iter().map(|v| *v as u8).collect::<Vec<_>>())
        };
        assert_eq!(reg.intern(&canon(&b.0), &canon(&b.1)), 2);
        assert_eq!(reg.intern(&canon(&[I64]), &[]), 3);
        assert_eq!(reg.intern(&canon(&a.0), &canon(&a.1)), 1);
    }

    #[test]
    fn equal_types_share_ids() {
        let a = intern(&[I32 as u8, I64 as u8], &[F32 as u8]);
        let b = intern(&[I32 as u8, I64 as u8], &[F32 as u8]);
        assert_eq!(a, b);
        assert_ne!(a, 0);
    }

    #[test]
    fn many_types_keep_their_ids() {
        // Long signatures (past the inline buffer) and many of them.
        let types: Vec<(Vec<u8>, Vec<u8>)> = (0..600usize)
            .map(|i| {
                let params = vec![I32 as u8; i % 40];
                let results = vec![I64 as u8; i / 40];
                (params, results)
            })
            .collect();
        let ids: Vec<u32> = types.iter().map(|(p, r)| intern(p, r)).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        for ((p, r), id) in types.iter().zip(&ids) {
            assert_eq!(intern(p, r), *id);
        }
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
