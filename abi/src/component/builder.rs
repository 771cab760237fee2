//! [`TypeTableBuilder`]: how the compiler produces a type table. Types are
//! added children first (so the table is in post-order, the invariant of
//! [`super::types`]) and interned: structurally equal types get one index,
//! and equal names share pool bytes.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::types::{NO_TYPE, TypeChild, TypeError, TypeIndex, TypeKind, TypeRecord, TypeTable};

/// A type to add, with its children spelled out.
#[derive(Copy, Clone, Debug)]
pub enum TypeDef<'a> {
    /// `bool`
    Bool,
    /// `s8`
    S8,
    /// `u8`
    U8,
    /// `s16`
    S16,
    /// `u16`
    U16,
    /// `s32`
    S32,
    /// `u32`
    U32,
    /// `s64`
    S64,
    /// `u64`
    U64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `char`
    Char,
    /// `string`
    String,
    /// `error-context`
    ErrorContext,
    /// `list<T>`
    List(TypeIndex),
    /// `list<T, N>`
    FixedList(TypeIndex, u32),
    /// `record { name: T, ... }`
    Record(&'a [(&'a str, TypeIndex)]),
    /// `tuple<T, ...>`
    Tuple(&'a [TypeIndex]),
    /// `variant { name(T?), ... }`
    Variant(&'a [(&'a str, Option<TypeIndex>)]),
    /// `enum { name, ... }`
    Enum(&'a [&'a str]),
    /// `option<T>`
    Option(TypeIndex),
    /// `result<O?, E?>`
    Result {
        /// `ok` payload.
        ok: Option<TypeIndex>,
        /// `error` payload.
        err: Option<TypeIndex>,
    },
    /// `flags { name, ... }`
    Flags(&'a [&'a str]),
    /// `own<R>` (resource index)
    Own(u32),
    /// `borrow<R>` (resource index)
    Borrow(u32),
    /// `stream<T?>`
    Stream(Option<TypeIndex>),
    /// `future<T?>`
    Future(Option<TypeIndex>),
}

type InternKey = (u8, u32, u32, Vec<(u32, String)>);

/// Accumulates a type table; see the module docs.
#[derive(Default, Debug)]
pub struct TypeTableBuilder {
    types: Vec<TypeRecord>,
    children: Vec<TypeChild>,
    names: Vec<u8>,
    interned: BTreeMap<InternKey, TypeIndex>,
    name_pool: BTreeMap<String, u32>,
}

fn raw(t: Option<TypeIndex>) -> u32 {
    t.map_or(NO_TYPE, |t| t.0)
}

impl TypeTableBuilder {
    /// An empty builder.
    pub fn new() -> TypeTableBuilder {
        TypeTableBuilder::default()
    }

    /// Adds `def` (or finds its structural twin) and returns its index.
    /// Fails if `def` refers to a type not yet added, is an empty variant,
    /// enum or fixed-length list, or its size does not fit in `u32`; the
    /// builder is unchanged then.
    pub fn add(&mut self, def: TypeDef<'_>) -> Result<TypeIndex, TypeError> {
        let index = self.types.len() as u32;
        let known = |t: TypeIndex| t.0 < index;
        let known_opt = |t: Option<TypeIndex>| t.is_none_or(known);
        let bad = TypeError::BadTypeRef { index };
        let empty = TypeError::Empty { index };
        let mut kids: Vec<(u32, String)> = Vec::new();
        let (kind, a, b) = match def {
            TypeDef::Bool => (TypeKind::Bool, 0, 0),
            TypeDef::S8 => (TypeKind::S8, 0, 0),
            TypeDef::U8 => (TypeKind::U8, 0, 0),
            TypeDef::S16 => (TypeKind::S16, 0, 0),
            TypeDef::U16 => (TypeKind::U16, 0, 0),
            TypeDef::S32 => (TypeKind::S32, 0, 0),
            TypeDef::U32 => (TypeKind::U32, 0, 0),
            TypeDef::S64 => (TypeKind::S64, 0, 0),
            TypeDef::U64 => (TypeKind::U64, 0, 0),
            TypeDef::F32 => (TypeKind::F32, 0, 0),
            TypeDef::F64 => (TypeKind::F64, 0, 0),
            TypeDef::Char => (TypeKind::Char, 0, 0),
            TypeDef::String => (TypeKind::String, 0, 0),
            TypeDef::ErrorContext => (TypeKind::ErrorContext, 0, 0),
            TypeDef::List(t) => {
                if !known(t) {
                    return Err(bad);
                }
                (TypeKind::List, t.0, 0)
            }
            TypeDef::FixedList(t, n) => {
                if !known(t) {
                    return Err(bad);
                }
                if n == 0 {
                    return Err(empty);
                }
                (TypeKind::FixedList, t.0, n)
            }
            TypeDef::Option(t) => {
                if !known(t) {
                    return Err(bad);
                }
                (TypeKind::Option, t.0, 0)
            }
            TypeDef::Result { ok, err } => {
                if !known_opt(ok) || !known_opt(err) {
                    return Err(bad);
                }
                (TypeKind::Result, raw(ok), raw(err))
            }
            TypeDef::Own(r) => (TypeKind::Own, r, 0),
            TypeDef::Borrow(r) => (TypeKind::Borrow, r, 0),
            TypeDef::Stream(t) | TypeDef::Future(t) => {
                if !known_opt(t) {
                    return Err(bad);
                }
                let kind = if matches!(def, TypeDef::Stream(_)) {
                    TypeKind::Stream
                } else {
                    TypeKind::Future
                };
                (kind, raw(t), 0)
            }
            TypeDef::Record(fields) => {
                for (name, t) in fields {
                    if !known(*t) {
                        return Err(bad);
                    }
                    kids.push((t.0, String::from(*name)));
                }
                (TypeKind::Record, 0, 0)
            }
            TypeDef::Tuple(elems) => {
                for t in elems {
                    if !known(*t) {
                        return Err(bad);
                    }
                    kids.push((t.0, String::new()));
                }
                (TypeKind::Tuple, 0, 0)
            }
            TypeDef::Variant(cases) => {
                for (name, t) in cases {
                    if !known_opt(*t) {
                        return Err(bad);
                    }
                    kids.push((raw(*t), String::from(*name)));
                }
                if kids.is_empty() {
                    return Err(empty);
                }
                (TypeKind::Variant, 0, 0)
            }
            TypeDef::Enum(labels) | TypeDef::Flags(labels) => {
                for name in labels {
                    kids.push((NO_TYPE, String::from(*name)));
                }
                if matches!(def, TypeDef::Enum(_)) {
                    if kids.is_empty() {
                        return Err(empty);
                    }
                    (TypeKind::Enum, 0, 0)
                } else {
                    (TypeKind::Flags, 0, 0)
                }
            }
        };
        let key: InternKey = (kind as u8, a, b, kids);
        if let Some(t) = self.interned.get(&key) {
            return Ok(*t);
        }
        let record = if kind.has_children() {
            let first = self.children.len() as u32;
            for (ty, name) in &key.3 {
                let (name_start, name_len) = self.intern_name(name);
                self.children.push(TypeChild {
                    ty: *ty,
                    name_start,
                    name_len,
                });
            }
            TypeRecord::new(kind, first, key.3.len() as u32)
        } else {
            TypeRecord::new(kind, a, b)
        };
        self.types.push(record);
        let t = TypeIndex(index);
        // Sizes must fit in `u32` for both pointer types (the spec bounds
        // them only through memory size; an oversized fixed-length list
        // would otherwise saturate).
        let table = self.table();
        let too_large = [super::PtrType::I32, super::PtrType::I64]
            .into_iter()
            .any(|p| table.elem_size_u64(t, p) > u64::from(u32::MAX));
        if too_large {
            self.types.pop();
            if kind.has_children() {
                self.children.truncate(record.a as usize);
            }
            return Err(TypeError::TooLarge { index });
        }
        self.interned.insert(key, t);
        Ok(t)
    }

    fn intern_name(&mut self, name: &str) -> (u32, u32) {
        if name.is_empty() {
            return (0, 0);
        }
        if let Some(start) = self.name_pool.get(name) {
            return (*start, name.len() as u32);
        }
        let start = self.names.len() as u32;
        self.names.extend_from_slice(name.as_bytes());
        self.name_pool.insert(String::from(name), start);
        (start, name.len() as u32)
    }

    /// A view of the table built so far.
    pub fn table(&self) -> TypeTable<'_> {
        TypeTable::new(&self.types, &self.children, &self.names)
    }

    /// The `types` array, for emitting.
    pub fn records(&self) -> &[TypeRecord] {
        &self.types
    }

    /// The `children` array, for emitting.
    pub fn children(&self) -> &[TypeChild] {
        &self.children
    }

    /// The name pool, for emitting.
    pub fn names(&self) -> &[u8] {
        &self.names
    }
}
