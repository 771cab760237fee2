//! Component value types as plain data: the static encoding emitted into the
//! object ([`TypeRecord`], [`TypeChild`], a name pool) and the borrowed view
//! ([`TypeTable`], [`Type`]) that both sides read.
//!
//! Encoding: a type table is three arrays.
//! - `types: [TypeRecord]`, indexed by [`TypeIndex`]. A record is a kind tag
//!   and two `u32` operands whose meaning depends on the kind (see
//!   [`TypeKind`]).
//! - `children: [TypeChild]`: the fields of records, elements of tuples, cases
//!   of variants and labels of enums and flags, each a (type, name) pair. An
//!   aggregate's children are the contiguous run `children[a .. a + b]`.
//! - `names: [u8]`: UTF-8 bytes that children's names point into.
//!
//! Invariant (checked by [`TypeTable::validate`], guaranteed by
//! [`super::TypeTableBuilder`]): every type index a record or child refers to
//! is smaller than the referring record's own index, so the table is a DAG in
//! post-order and every recursive walk terminates. Layout and flattening
//! functions never panic; on a table that fails validation their results are
//! unspecified.

use crate::descriptor::{Addr, NO_INDEX};

/// Index of a type in a [`TypeTable`].
#[repr(transparent)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeIndex(pub u32);

/// Marker for "no type" in `u32` type operands (a case without payload, a
/// `result` without `ok`/`error`, a `stream`/`future` without element type).
pub const NO_TYPE: u32 = NO_INDEX;

/// Kind tag of a [`TypeRecord`]; the comment gives the operands `(a, b)`.
#[repr(u8)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeKind {
    /// `bool`
    Bool = 0,
    /// `s8`
    S8 = 1,
    /// `u8`
    U8 = 2,
    /// `s16`
    S16 = 3,
    /// `u16`
    U16 = 4,
    /// `s32`
    S32 = 5,
    /// `u32`
    U32 = 6,
    /// `s64`
    S64 = 7,
    /// `u64`
    U64 = 8,
    /// `f32`
    F32 = 9,
    /// `f64`
    F64 = 10,
    /// `char`
    Char = 11,
    /// `string`
    String = 12,
    /// `error-context` (P3).
    ErrorContext = 13,
    /// `list<T>`: `(T, 0)`.
    List = 14,
    /// `list<T, N>`: `(T, N)`.
    FixedList = 15,
    /// `record`: `(first child, number of fields)`; children are named.
    Record = 16,
    /// `tuple`: `(first child, number of elements)`; names are empty.
    Tuple = 17,
    /// `variant`: `(first child, number of cases)`; a child's type is
    /// [`NO_TYPE`] for a case without payload.
    Variant = 18,
    /// `enum`: `(first child, number of labels)`; children have [`NO_TYPE`].
    Enum = 19,
    /// `option<T>`: `(T, 0)`.
    Option = 20,
    /// `result<O, E>`: `(O or NO_TYPE, E or NO_TYPE)`.
    Result = 21,
    /// `flags`: `(first child, number of labels)`; children have [`NO_TYPE`].
    Flags = 22,
    /// `own<R>`: `(resource index, 0)`. The resource index is the
    /// component plan's resource numbering, opaque to this module.
    Own = 23,
    /// `borrow<R>`: `(resource index, 0)`.
    Borrow = 24,
    /// `stream<T>` (P3): `(T or NO_TYPE, 0)`.
    Stream = 25,
    /// `future<T>` (P3): `(T or NO_TYPE, 0)`.
    Future = 26,
}

impl TypeKind {
    /// Every kind, in tag order.
    pub const ALL: [TypeKind; 27] = [
        TypeKind::Bool,
        TypeKind::S8,
        TypeKind::U8,
        TypeKind::S16,
        TypeKind::U16,
        TypeKind::S32,
        TypeKind::U32,
        TypeKind::S64,
        TypeKind::U64,
        TypeKind::F32,
        TypeKind::F64,
        TypeKind::Char,
        TypeKind::String,
        TypeKind::ErrorContext,
        TypeKind::List,
        TypeKind::FixedList,
        TypeKind::Record,
        TypeKind::Tuple,
        TypeKind::Variant,
        TypeKind::Enum,
        TypeKind::Option,
        TypeKind::Result,
        TypeKind::Flags,
        TypeKind::Own,
        TypeKind::Borrow,
        TypeKind::Stream,
        TypeKind::Future,
    ];

    /// Decodes the `repr(u8)` tag.
    pub const fn from_u8(v: u8) -> Option<TypeKind> {
        if (v as usize) < TypeKind::ALL.len() {
            Some(TypeKind::ALL[v as usize])
        } else {
            None
        }
    }

    /// Whether operand `a` is `(first child, count)` in `b`.
    pub const fn has_children(self) -> bool {
        matches!(
            self,
            TypeKind::Record
                | TypeKind::Tuple
                | TypeKind::Variant
                | TypeKind::Enum
                | TypeKind::Flags
        )
    }
}

/// One entry of the `types` array (12 bytes, 4-aligned).
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeRecord {
    /// A [`TypeKind`] tag.
    pub kind: u8,
    /// Padding; keep zero.
    pub _pad: [u8; 3],
    /// First operand (see [`TypeKind`]).
    pub a: u32,
    /// Second operand (see [`TypeKind`]).
    pub b: u32,
}

impl TypeRecord {
    /// A record of `kind` with operands `a`, `b`.
    pub const fn new(kind: TypeKind, a: u32, b: u32) -> TypeRecord {
        TypeRecord {
            kind: kind as u8,
            _pad: [0; 3],
            a,
            b,
        }
    }
}

/// One entry of the `children` array (12 bytes, 4-aligned): a field, tuple
/// element, case or label.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeChild {
    /// The child's type index, or [`NO_TYPE`].
    pub ty: u32,
    /// Start of the name in the name pool.
    pub name_start: u32,
    /// Length of the name in bytes (0 for tuple elements).
    pub name_len: u32,
}

/// A type table as emitted in the object: three (address, count) pairs, the
/// arrays of [`TypeTable`]. Addresses are absolute relocations.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub struct TypeTableDesc {
    /// `[TypeRecord; num_types]`.
    pub types: Addr,
    /// Number of types.
    pub num_types: u64,
    /// `[TypeChild; num_children]`.
    pub children: Addr,
    /// Number of children.
    pub num_children: u64,
    /// The name pool (UTF-8).
    pub names: Addr,
    /// Bytes in the name pool.
    pub names_len: u64,
}

/// Why a type table is malformed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TypeError {
    /// Unknown [`TypeKind`] tag in `types[index]`.
    BadKind {
        /// The offending type.
        index: u32,
    },
    /// A type operand or child refers to a type that is not smaller than the
    /// referring type's index (forward reference or cycle) or out of range.
    BadTypeRef {
        /// The referring type.
        index: u32,
    },
    /// A child run or name lies outside its array, or a name is not UTF-8.
    BadChild {
        /// The referring type.
        index: u32,
    },
    /// A `variant` or `enum` without cases, or a fixed-length list of length 0.
    Empty {
        /// The offending type.
        index: u32,
    },
    /// The type's byte size does not fit in `u32`.
    TooLarge {
        /// The offending type.
        index: u32,
    },
}

impl core::fmt::Display for TypeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TypeError::BadKind { index } => write!(f, "component type {index}: unknown kind"),
            TypeError::BadTypeRef { index } => {
                write!(f, "component type {index}: bad type reference")
            }
            TypeError::BadChild { index } => write!(f, "component type {index}: bad child entry"),
            TypeError::Empty { index } => write!(f, "component type {index}: empty type"),
            TypeError::TooLarge { index } => write!(f, "component type {index}: too large"),
        }
    }
}

/// A borrowed view of a type table (see the module docs). Cheap to copy.
#[derive(Copy, Clone, Debug)]
pub struct TypeTable<'a> {
    types: &'a [TypeRecord],
    children: &'a [TypeChild],
    names: &'a [u8],
}

/// The children of a record, tuple, variant, enum or flags type.
#[derive(Copy, Clone, Debug)]
pub struct Children<'a> {
    items: &'a [TypeChild],
    names: &'a [u8],
}

/// One field, element, case or label.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Child<'a> {
    /// Its name (empty for tuple elements).
    pub name: &'a str,
    /// Its type; `None` for payload-less cases and for enum and flags labels.
    pub ty: Option<TypeIndex>,
}

/// A decoded type: what [`TypeTable::get`] returns.
#[derive(Copy, Clone, Debug)]
pub enum Type<'a> {
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
    /// `record { fields }`
    Record(Children<'a>),
    /// `tuple<...>`
    Tuple(Children<'a>),
    /// `variant { cases }`
    Variant(Children<'a>),
    /// `enum { labels }`
    Enum(Children<'a>),
    /// `option<T>`
    Option(TypeIndex),
    /// `result<ok, err>`
    Result {
        /// The `ok` payload.
        ok: Option<TypeIndex>,
        /// The `error` payload.
        err: Option<TypeIndex>,
    },
    /// `flags { labels }`
    Flags(Children<'a>),
    /// `own<R>` (resource index)
    Own(u32),
    /// `borrow<R>` (resource index)
    Borrow(u32),
    /// `stream<T>`
    Stream(Option<TypeIndex>),
    /// `future<T>`
    Future(Option<TypeIndex>),
}

impl Type<'_> {
    /// Whether this is a scalar: `bool`, an integer, a float or a `char`.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Type::Bool
                | Type::S8
                | Type::U8
                | Type::S16
                | Type::U16
                | Type::S32
                | Type::U32
                | Type::S64
                | Type::U64
                | Type::F32
                | Type::F64
                | Type::Char
        )
    }
}

fn opt_type(v: u32) -> Option<TypeIndex> {
    (v != NO_TYPE).then_some(TypeIndex(v))
}

impl<'a> Children<'a> {
    /// Number of children.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `i`th child.
    pub fn get(&self, i: usize) -> Option<Child<'a>> {
        let c = self.items.get(i)?;
        Some(self.decode(c))
    }

    /// All children in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Child<'a>> + 'a {
        let names = self.names;
        self.items
            .iter()
            .map(move |c| Children { items: &[], names }.decode(c))
    }

    /// Index of the child named `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.iter().position(|c| c.name == name)
    }

    fn decode(&self, c: &TypeChild) -> Child<'a> {
        let start = c.name_start as usize;
        let name = self
            .names
            .get(start..start.saturating_add(c.name_len as usize))
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("");
        Child {
            name,
            ty: opt_type(c.ty),
        }
    }
}

impl<'a> TypeTable<'a> {
    /// A view over the three arrays. Not checked: call [`TypeTable::validate`]
    /// on data that was not produced by [`super::TypeTableBuilder`].
    pub const fn new(
        types: &'a [TypeRecord],
        children: &'a [TypeChild],
        names: &'a [u8],
    ) -> TypeTable<'a> {
        TypeTable {
            types,
            children,
            names,
        }
    }

    /// A view over an emitted [`TypeTableDesc`].
    ///
    /// # Safety
    /// The descriptor's addresses must point to live arrays of the given
    /// lengths (or be 0 with length 0) for `'static`.
    pub unsafe fn from_desc(desc: &TypeTableDesc) -> TypeTable<'static> {
        // SAFETY: the caller guarantees each (address, length) pair is a live
        // array; empty arrays may have address 0, which `from_raw_parts` does
        // not accept, so they become empty slices.
        unsafe {
            TypeTable {
                types: raw_slice(desc.types, desc.num_types),
                children: raw_slice(desc.children, desc.num_children),
                names: raw_slice(desc.names, desc.names_len),
            }
        }
    }

    /// The `types` array.
    pub fn records(&self) -> &'a [TypeRecord] {
        self.types
    }

    /// The `children` array.
    pub fn children(&self) -> &'a [TypeChild] {
        self.children
    }

    /// The name pool.
    pub fn names(&self) -> &'a [u8] {
        self.names
    }

    /// Number of types.
    pub fn len(&self) -> usize {
        self.types.len()
    }

    /// Whether the table has no types.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Decodes type `t`; `None` if `t` is out of range or its record is
    /// malformed.
    pub fn get(&self, t: TypeIndex) -> Option<Type<'a>> {
        let r = self.types.get(t.0 as usize)?;
        let kind = TypeKind::from_u8(r.kind)?;
        let kids = || -> Option<Children<'a>> {
            let start = r.a as usize;
            let items = self.children.get(start..start.checked_add(r.b as usize)?)?;
            Some(Children {
                items,
                names: self.names,
            })
        };
        Some(match kind {
            TypeKind::Bool => Type::Bool,
            TypeKind::S8 => Type::S8,
            TypeKind::U8 => Type::U8,
            TypeKind::S16 => Type::S16,
            TypeKind::U16 => Type::U16,
            TypeKind::S32 => Type::S32,
            TypeKind::U32 => Type::U32,
            TypeKind::S64 => Type::S64,
            TypeKind::U64 => Type::U64,
            TypeKind::F32 => Type::F32,
            TypeKind::F64 => Type::F64,
            TypeKind::Char => Type::Char,
            TypeKind::String => Type::String,
            TypeKind::ErrorContext => Type::ErrorContext,
            TypeKind::List => Type::List(TypeIndex(r.a)),
            TypeKind::FixedList => Type::FixedList(TypeIndex(r.a), r.b),
            TypeKind::Record => Type::Record(kids()?),
            TypeKind::Tuple => Type::Tuple(kids()?),
            TypeKind::Variant => Type::Variant(kids()?),
            TypeKind::Enum => Type::Enum(kids()?),
            TypeKind::Option => Type::Option(TypeIndex(r.a)),
            TypeKind::Result => Type::Result {
                ok: opt_type(r.a),
                err: opt_type(r.b),
            },
            TypeKind::Flags => Type::Flags(kids()?),
            TypeKind::Own => Type::Own(r.a),
            TypeKind::Borrow => Type::Borrow(r.a),
            TypeKind::Stream => Type::Stream(opt_type(r.a)),
            TypeKind::Future => Type::Future(opt_type(r.a)),
        })
    }

    /// Checks the invariants of the module docs: known kinds, child runs and
    /// names in range and UTF-8, type references pointing backwards, no empty
    /// variant/enum/fixed-length list, sizes within `u32` (for both pointer
    /// types). Records with no fields and flags with 0 or more than 32 labels
    /// are accepted here (the spec rejects them at validation; wasmparser
    /// does that for us) so that the layout functions stay total.
    pub fn validate(&self) -> Result<(), TypeError> {
        for (i, r) in self.types.iter().enumerate() {
            let index = i as u32;
            let kind = TypeKind::from_u8(r.kind).ok_or(TypeError::BadKind { index })?;
            let back = |v: u32| v < index;
            let back_or_none = |v: u32| v == NO_TYPE || v < index;
            let ok = match kind {
                TypeKind::List | TypeKind::FixedList | TypeKind::Option => back(r.a),
                TypeKind::Result => back_or_none(r.a) && back_or_none(r.b),
                TypeKind::Stream | TypeKind::Future => back_or_none(r.a),
                _ => true,
            };
            if !ok {
                return Err(TypeError::BadTypeRef { index });
            }
            if kind == TypeKind::FixedList && r.b == 0 {
                return Err(TypeError::Empty { index });
            }
            if kind.has_children() {
                let start = r.a as usize;
                let items = start
                    .checked_add(r.b as usize)
                    .and_then(|end| self.children.get(start..end))
                    .ok_or(TypeError::BadChild { index })?;
                if items.is_empty() && matches!(kind, TypeKind::Variant | TypeKind::Enum) {
                    return Err(TypeError::Empty { index });
                }
                for c in items {
                    let s = c.name_start as usize;
                    let name = s
                        .checked_add(c.name_len as usize)
                        .and_then(|e| self.names.get(s..e))
                        .ok_or(TypeError::BadChild { index })?;
                    if core::str::from_utf8(name).is_err() {
                        return Err(TypeError::BadChild { index });
                    }
                    let ty_ok = match kind {
                        TypeKind::Record | TypeKind::Tuple => back(c.ty),
                        TypeKind::Variant => back_or_none(c.ty),
                        _ => c.ty == NO_TYPE,
                    };
                    if !ty_ok {
                        return Err(TypeError::BadTypeRef { index });
                    }
                }
            }
            for ptr in [super::PtrType::I32, super::PtrType::I64] {
                if self.elem_size_u64(TypeIndex(index), ptr) > u64::from(u32::MAX) {
                    return Err(TypeError::TooLarge { index });
                }
            }
        }
        Ok(())
    }
}

/// `from_raw_parts` that accepts a null address for an empty array.
///
/// # Safety
/// A non-zero `addr` must point to `len` live, initialized `T`s for `'static`.
unsafe fn raw_slice<T>(addr: Addr, len: u64) -> &'static [T] {
    if len == 0 || addr == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { core::slice::from_raw_parts(addr as usize as *const T, len as usize) }
}
