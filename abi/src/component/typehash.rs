//! A structural fingerprint of a component function type, so that the
//! compiler can check at compile time that a lowered WASI import has the
//! type the runtime's host function lifts and lowers (same core signature is
//! not enough: `u32` and `own<R>` both flatten to `i32`).
//!
//! Encoding (hashed with 64-bit FNV-1a): the number of parameters, each
//! parameter type, the number of results, each result type; a type is its
//! [`TypeKind`] tag followed by its contents: element types, `FixedList`
//! lengths, record field names and types, variant case names with a
//! payload marker and payload, enum and flags labels, `result` ok/err
//! markers and payloads. Names of function parameters are left out (a host
//! function does not care what the guest called them). A resource is
//! encoded as the number `resource(operand)` gives, so both sides must map
//! their resource operands to the same identity (the host type number of
//! `crate::wasi_p2`); an unmapped resource makes the hash `None`.
//!
//! The compiler hashes the plan's types, the runtime's tests hash the types
//! its host functions describe, and `crate::wasi_p2` records the expected
//! value of every host function.

use super::types::{Type, TypeIndex, TypeKind, TypeTable};

/// 64-bit FNV-1a.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for x in b {
            self.0 ^= u64::from(*x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    fn name(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.bytes(s.as_bytes());
    }
}

/// The fingerprint of the function type `(params) -> (results)` of `table`
/// (see the module docs); `None` if a type is malformed or a resource is
/// not mapped.
pub fn func_type_hash(
    table: &TypeTable<'_>,
    params: &[TypeIndex],
    results: &[TypeIndex],
    resource: &dyn Fn(u32) -> Option<u32>,
) -> Option<u64> {
    let mut h = Fnv::new();
    for list in [params, results] {
        h.u32(list.len() as u32);
        for t in list {
            ty(table, *t, resource, &mut h, 0)?;
        }
    }
    Some(h.0)
}

/// Deepest nesting hashed (the table is a DAG in post-order, so recursion
/// terminates anyway; this bounds the stack for huge corrupt tables).
const MAX_DEPTH: u32 = 100;

fn opt(
    table: &TypeTable<'_>,
    t: Option<TypeIndex>,
    resource: &dyn Fn(u32) -> Option<u32>,
    h: &mut Fnv,
    depth: u32,
) -> Option<()> {
    match t {
        Some(t) => {
            h.u32(1);
            ty(table, t, resource, h, depth)
        }
        None => {
            h.u32(0);
            Some(())
        }
    }
}

fn ty(
    table: &TypeTable<'_>,
    t: TypeIndex,
    resource: &dyn Fn(u32) -> Option<u32>,
    h: &mut Fnv,
    depth: u32,
) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    let d = depth + 1;
    let decoded = table.get(t)?;
    let kind = |k: TypeKind| k as u8 as u32;
    match decoded {
        Type::Bool => h.u32(kind(TypeKind::Bool)),
        Type::S8 => h.u32(kind(TypeKind::S8)),
        Type::U8 => h.u32(kind(TypeKind::U8)),
        Type::S16 => h.u32(kind(TypeKind::S16)),
        Type::U16 => h.u32(kind(TypeKind::U16)),
        Type::S32 => h.u32(kind(TypeKind::S32)),
        Type::U32 => h.u32(kind(TypeKind::U32)),
        Type::S64 => h.u32(kind(TypeKind::S64)),
        Type::U64 => h.u32(kind(TypeKind::U64)),
        Type::F32 => h.u32(kind(TypeKind::F32)),
        Type::F64 => h.u32(kind(TypeKind::F64)),
        Type::Char => h.u32(kind(TypeKind::Char)),
        Type::String => h.u32(kind(TypeKind::String)),
        Type::ErrorContext => h.u32(kind(TypeKind::ErrorContext)),
        Type::List(e) => {
            h.u32(kind(TypeKind::List));
            ty(table, e, resource, h, d)?;
        }
        Type::FixedList(e, n) => {
            h.u32(kind(TypeKind::FixedList));
            h.u32(n);
            ty(table, e, resource, h, d)?;
        }
        Type::Record(c) | Type::Tuple(c) | Type::Variant(c) | Type::Enum(c) | Type::Flags(c) => {
            h.u32(kind(match decoded {
                Type::Record(_) => TypeKind::Record,
                Type::Tuple(_) => TypeKind::Tuple,
                Type::Variant(_) => TypeKind::Variant,
                Type::Enum(_) => TypeKind::Enum,
                _ => TypeKind::Flags,
            }));
            h.u32(c.len() as u32);
            for child in c.iter() {
                h.name(child.name);
                opt(table, child.ty, resource, h, d)?;
            }
        }
        Type::Option(e) => {
            h.u32(kind(TypeKind::Option));
            ty(table, e, resource, h, d)?;
        }
        Type::Result { ok, err } => {
            h.u32(kind(TypeKind::Result));
            opt(table, ok, resource, h, d)?;
            opt(table, err, resource, h, d)?;
        }
        Type::Own(r) => {
            h.u32(kind(TypeKind::Own));
            h.u32(resource(r)?);
        }
        Type::Borrow(r) => {
            h.u32(kind(TypeKind::Borrow));
            h.u32(resource(r)?);
        }
        Type::Stream(e) => {
            h.u32(kind(TypeKind::Stream));
            opt(table, e, resource, h, d)?;
        }
        Type::Future(e) => {
            h.u32(kind(TypeKind::Future));
            opt(table, e, resource, h, d)?;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::{TypeDef, TypeTableBuilder};

    fn hash(b: &TypeTableBuilder, p: &[TypeIndex], r: &[TypeIndex]) -> Option<u64> {
        func_type_hash(&b.table(), p, r, &|x| Some(x))
    }

    #[test]
    fn same_flat_signature_different_types_differ() {
        let mut b = TypeTableBuilder::new();
        let u32_ = b.add(TypeDef::U32).unwrap();
        let own = b.add(TypeDef::Own(7)).unwrap();
        let borrow = b.add(TypeDef::Borrow(7)).unwrap();
        let own8 = b.add(TypeDef::Own(8)).unwrap();
        let hs = [
            hash(&b, &[], &[u32_]),
            hash(&b, &[], &[own]),
            hash(&b, &[], &[borrow]),
            hash(&b, &[], &[own8]),
            hash(&b, &[u32_], &[]),
        ];
        for (i, a) in hs.iter().enumerate() {
            assert!(a.is_some());
            for c in &hs[..i] {
                assert_ne!(a, c);
            }
        }
    }

    #[test]
    fn equal_structures_in_different_tables_agree() {
        let mut a = TypeTableBuilder::new();
        let s = a.add(TypeDef::String).unwrap();
        let u = a.add(TypeDef::U64).unwrap();
        let t = a.add(TypeDef::Tuple(&[s, u])).unwrap();
        let l = a.add(TypeDef::List(t)).unwrap();
        let mut b = TypeTableBuilder::new();
        let _pad = b.add(TypeDef::Bool).unwrap();
        let u2 = b.add(TypeDef::U64).unwrap();
        let s2 = b.add(TypeDef::String).unwrap();
        let t2 = b.add(TypeDef::Tuple(&[s2, u2])).unwrap();
        let l2 = b.add(TypeDef::List(t2)).unwrap();
        assert_eq!(hash(&a, &[], &[l]), hash(&b, &[], &[l2]));
        let t3 = b.add(TypeDef::Tuple(&[u2, s2])).unwrap();
        let l3 = b.add(TypeDef::List(t3)).unwrap();
        assert_ne!(hash(&a, &[], &[l]), hash(&b, &[], &[l3]));
    }

    #[test]
    fn unmapped_resource_has_no_hash() {
        let mut b = TypeTableBuilder::new();
        let own = b.add(TypeDef::Own(3)).unwrap();
        assert_eq!(func_type_hash(&b.table(), &[own], &[], &|_| None), None);
    }
}
