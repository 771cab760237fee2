//! Whether a host Rust type matches a component type of a plan's type
//! table: the check a host function's signature needs before a lowered
//! import is bound to it (the design note's manifest check).
//!
//! The host side's type is what [`ComponentType::describe`] builds; the two
//! tables are compared structurally: same kinds, same names of record
//! fields, variant cases, enum and flags labels, same children, and
//! resources matched by a caller-supplied mapping (the plan numbers
//! resources by `ResourceIndex`, the host by its own type numbers).

use super::value::ComponentType;
use kiln_abi::component::{Type, TypeIndex, TypeTable, TypeTableBuilder};

/// Whether `a[ai]` and `b[bi]` are the same type; `resource(a_res, b_res)`
/// says whether two resource operands (of `own`/`borrow`) name the same
/// resource.
pub fn types_equal(
    a: &TypeTable<'_>,
    ai: TypeIndex,
    b: &TypeTable<'_>,
    bi: TypeIndex,
    resource: &mut dyn FnMut(u32, u32) -> bool,
) -> bool {
    let (Some(x), Some(y)) = (a.get(ai), b.get(bi)) else {
        return false;
    };
    let mut same = |ai: TypeIndex, bi: TypeIndex| types_equal(a, ai, b, bi, resource);
    let opt =
        |x: Option<TypeIndex>, y: Option<TypeIndex>, same: &mut dyn FnMut(_, _) -> bool| match (
            x, y,
        ) {
            (None, None) => true,
            (Some(x), Some(y)) => same(x, y),
            _ => false,
        };
    match (x, y) {
        (Type::Bool, Type::Bool)
        | (Type::S8, Type::S8)
        | (Type::U8, Type::U8)
        | (Type::S16, Type::S16)
        | (Type::U16, Type::U16)
        | (Type::S32, Type::S32)
        | (Type::U32, Type::U32)
        | (Type::S64, Type::S64)
        | (Type::U64, Type::U64)
        | (Type::F32, Type::F32)
        | (Type::F64, Type::F64)
        | (Type::Char, Type::Char)
        | (Type::String, Type::String)
        | (Type::ErrorContext, Type::ErrorContext) => true,
        (Type::List(x), Type::List(y)) | (Type::Option(x), Type::Option(y)) => same(x, y),
        (Type::FixedList(x, n), Type::FixedList(y, m)) => n == m && same(x, y),
        (Type::Result { ok: o1, err: e1 }, Type::Result { ok: o2, err: e2 }) => {
            opt(o1, o2, &mut same) && opt(e1, e2, &mut same)
        }
        (Type::Stream(x), Type::Stream(y)) | (Type::Future(x), Type::Future(y)) => {
            opt(x, y, &mut same)
        }
        (Type::Own(x), Type::Own(y)) | (Type::Borrow(x), Type::Borrow(y)) => resource(x, y),
        (Type::Record(c), Type::Record(d))
        | (Type::Tuple(c), Type::Tuple(d))
        | (Type::Variant(c), Type::Variant(d))
        | (Type::Enum(c), Type::Enum(d))
        | (Type::Flags(c), Type::Flags(d)) => {
            c.len() == d.len()
                && c.iter()
                    .zip(d.iter())
                    .all(|(p, q)| p.name == q.name && opt(p.ty, q.ty, &mut same))
        }
        _ => false,
    }
}

/// Whether the host type `T` matches `table[t]` (see [`types_equal`]).
pub fn host_type_matches<T: ComponentType + ?Sized>(
    table: &TypeTable<'_>,
    t: TypeIndex,
    resource: &mut dyn FnMut(u32, u32) -> bool,
) -> bool {
    let mut b = TypeTableBuilder::new();
    match T::describe(&mut b) {
        Ok(h) => types_equal(table, t, &b.table(), h, resource),
        Err(_) => false,
    }
}
