//! Canonical ABI memory layout: `alignment`, `elem_size`, record field
//! offsets, variant discriminants and payload offsets, and flags, exactly as
//! component-model `design/mvp/CanonicalABI.md` (§Alignment, §Element Size)
//! defines them, including the 🐘 memory64 pointer type (`ptr_type`).
//!
//! Specialized types are despecialized as the spec does: a `tuple` is a
//! record, an `enum` is a variant of payload-less cases, `option<T>` is
//! `variant { none, some(T) }` and `result<O, E>` is `variant { ok(O?),
//! error(E?) }`. A fixed-length `list<T, N>` lays out like an `N`-tuple of `T`.
//!
//! All sizes are computed in saturating `u64` and returned as `u32`
//! (saturating); [`super::TypeTable::validate`] rejects tables whose sizes
//! do not fit, so on valid tables nothing saturates.

use super::types::{Children, Type, TypeIndex, TypeTable};

/// The address type of the memory a canonical option refers to
/// (`opts.memory.ptr_type()` in the spec).
#[repr(u8)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum PtrType {
    /// A 32-bit memory (every memory in the MVP).
    #[default]
    I32 = 0,
    /// A 64-bit memory (🐘).
    I64 = 1,
}

impl PtrType {
    /// `ptr_size(ptr_type)`: 4 or 8.
    pub const fn size(self) -> u32 {
        match self {
            PtrType::I32 => 4,
            PtrType::I64 => 8,
        }
    }

    /// The core value type of pointers and lengths.
    pub const fn val_type(self) -> crate::ValType {
        match self {
            PtrType::I32 => crate::ValType::I32,
            PtrType::I64 => crate::ValType::I64,
        }
    }
}

/// `align_to(ptr, alignment)` for a power-of-two `alignment`, saturating.
pub const fn align_to(v: u32, alignment: u32) -> u32 {
    let mask = alignment - 1;
    match v.checked_add(mask) {
        Some(x) => x & !mask,
        None => u32::MAX,
    }
}

fn align_to64(v: u64, alignment: u64) -> u64 {
    let mask = alignment.max(1) - 1;
    v.saturating_add(mask) & !mask
}

/// Size in bytes (1, 2 or 4) of the discriminant of a variant with
/// `num_cases` cases (`discriminant_type`): u8 up to 256 cases, u16 up to
/// 65536, u32 beyond.
pub const fn discriminant_size(num_cases: u32) -> u32 {
    if num_cases <= 1 << 8 {
        1
    } else if num_cases <= 1 << 16 {
        2
    } else {
        4
    }
}

/// `alignment_flags`: 1 up to 8 labels, 2 up to 16, else 4.
pub const fn flags_alignment(num_labels: u32) -> u32 {
    if num_labels <= 8 {
        1
    } else if num_labels <= 16 {
        2
    } else {
        4
    }
}

/// `elem_size_flags`: 1 byte up to 8 labels, 2 up to 16, 4 up to 32. The
/// current spec allows only 1..=32 labels; for 0 labels (size 0) and more
/// than 32 (one `u32` per 32 labels) this follows the earlier spec text so
/// that the function is total.
pub const fn flags_size(num_labels: u32) -> u32 {
    if num_labels == 0 {
        0
    } else if num_labels <= 8 {
        1
    } else if num_labels <= 16 {
        2
    } else {
        4 * flags_num_i32(num_labels)
    }
}

/// Number of `i32`s a flags value flattens to: 1 for 1..=32 labels (the
/// current spec), `ceil(n / 32)` in general (0 for no labels).
pub const fn flags_num_i32(num_labels: u32) -> u32 {
    num_labels.div_ceil(32)
}

/// Where the pieces of a variant (or `enum`, `option`, `result`) live.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct VariantLayout {
    /// Number of cases.
    pub num_cases: u32,
    /// Bytes of the discriminant at offset 0 (1, 2 or 4).
    pub discriminant_size: u32,
    /// Offset of every case's payload.
    pub payload_offset: u32,
    /// `elem_size` of the variant.
    pub size: u32,
    /// `alignment` of the variant.
    pub align: u32,
}

/// The cases of a despecialized variant: each case's payload type.
#[derive(Copy, Clone, Debug)]
pub enum Cases<'a> {
    /// `variant`
    Variant(Children<'a>),
    /// `enum` with this many labels.
    Enum(u32),
    /// `option<T>`: `none`, `some(T)`.
    Option(TypeIndex),
    /// `result<O, E>`: `ok(O?)`, `error(E?)`.
    Result(Option<TypeIndex>, Option<TypeIndex>),
}

impl Cases<'_> {
    /// Number of cases.
    pub fn len(&self) -> u32 {
        match self {
            Cases::Variant(c) => c.len() as u32,
            Cases::Enum(n) => *n,
            Cases::Option(_) | Cases::Result(..) => 2,
        }
    }

    /// Whether there are no cases (only for malformed types).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The payload type of case `i`.
    pub fn payload(&self, i: u32) -> Option<TypeIndex> {
        match self {
            Cases::Variant(c) => c.get(i as usize).and_then(|c| c.ty),
            Cases::Enum(_) => None,
            Cases::Option(t) => (i == 1).then_some(*t),
            Cases::Result(ok, err) => match i {
                0 => *ok,
                1 => *err,
                _ => None,
            },
        }
    }

    /// Every case's payload type (only the cases that have one matter to the
    /// layout, so enums yield nothing).
    fn payloads(&self) -> impl Iterator<Item = TypeIndex> + '_ {
        let n = match self {
            Cases::Enum(_) => 0,
            _ => self.len(),
        };
        (0..n).filter_map(move |i| self.payload(i))
    }
}

/// The fields of a despecialized record: `record`, `tuple` or a fixed-length
/// list (its elements).
#[derive(Copy, Clone, Debug)]
pub enum Fields<'a> {
    /// `record` or `tuple` children.
    Children(Children<'a>),
    /// `list<T, N>`: `N` times `T`.
    Repeat(TypeIndex, u32),
}

impl Fields<'_> {
    /// Number of fields.
    pub fn len(&self) -> u32 {
        match self {
            Fields::Children(c) => c.len() as u32,
            Fields::Repeat(_, n) => *n,
        }
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Field `i`'s type.
    pub fn get(&self, i: u32) -> Option<TypeIndex> {
        match self {
            Fields::Children(c) => c.get(i as usize).and_then(|c| c.ty),
            Fields::Repeat(t, n) => (i < *n).then_some(*t),
        }
    }
}

impl<'a> TypeTable<'a> {
    /// The cases of `t` if it is a variant, enum, option or result.
    pub fn cases(&self, t: TypeIndex) -> Option<Cases<'a>> {
        Some(match self.get(t)? {
            Type::Variant(c) => Cases::Variant(c),
            Type::Enum(c) => Cases::Enum(c.len() as u32),
            Type::Option(t) => Cases::Option(t),
            Type::Result { ok, err } => Cases::Result(ok, err),
            _ => return None,
        })
    }

    /// The fields of `t` if it is a record, tuple or fixed-length list.
    pub fn fields(&self, t: TypeIndex) -> Option<Fields<'a>> {
        Some(match self.get(t)? {
            Type::Record(c) | Type::Tuple(c) => Fields::Children(c),
            Type::FixedList(e, n) => Fields::Repeat(e, n),
            _ => return None,
        })
    }

    /// Whether `t` contains a type satisfying `p` (`contains(t, p)` of the
    /// spec's type predicates; `p` sees every nested type, despecialized or
    /// not).
    pub fn contains(&self, t: TypeIndex, p: &mut impl FnMut(&Type<'a>) -> bool) -> bool {
        let Some(ty) = self.get(t) else { return false };
        if p(&ty) {
            return true;
        }
        match ty {
            Type::List(e) | Type::FixedList(e, _) | Type::Option(e) => self.contains(e, p),
            Type::Stream(e) | Type::Future(e) => e.is_some_and(|e| self.contains(e, p)),
            Type::Result { ok, err } => {
                ok.is_some_and(|e| self.contains(e, p)) || err.is_some_and(|e| self.contains(e, p))
            }
            Type::Record(c) | Type::Tuple(c) | Type::Variant(c) => {
                c.iter().filter_map(|c| c.ty).any(|e| self.contains(e, p))
            }
            _ => false,
        }
    }

    /// `contains_borrow(t)`.
    pub fn contains_borrow(&self, t: TypeIndex) -> bool {
        self.contains(t, &mut |u| matches!(u, Type::Borrow(_)))
    }

    /// `contains_async_value(t)`: a `stream` or `future` inside.
    pub fn contains_async_value(&self, t: TypeIndex) -> bool {
        self.contains(t, &mut |u| matches!(u, Type::Stream(_) | Type::Future(_)))
    }

    /// Whether values of `t` point into linear memory (a `string` or a
    /// variable-length `list` inside), so lowering needs `memory` and
    /// lifting into a component needs `realloc` (`canonopt` validation).
    pub fn contains_list_or_string(&self, t: TypeIndex) -> bool {
        self.contains(t, &mut |u| matches!(u, Type::String | Type::List(_)))
    }

    /// `alignment(t, ptr_type)`: 1, 2, 4 or 8.
    pub fn alignment(&self, t: TypeIndex, ptr: PtrType) -> u32 {
        match self.get(t) {
            None => 1,
            Some(ty) => match ty {
                Type::Bool | Type::S8 | Type::U8 => 1,
                Type::S16 | Type::U16 => 2,
                Type::S32 | Type::U32 | Type::F32 | Type::Char => 4,
                Type::S64 | Type::U64 | Type::F64 => 8,
                Type::String | Type::List(_) => ptr.size(),
                Type::ErrorContext | Type::Own(_) | Type::Borrow(_) => 4,
                Type::Stream(_) | Type::Future(_) => 4,
                Type::FixedList(e, _) => self.alignment(e, ptr),
                Type::Record(c) | Type::Tuple(c) => {
                    self.fields_alignment(c.iter().filter_map(|c| c.ty), ptr)
                }
                Type::Flags(c) => flags_alignment(c.len() as u32),
                Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
                    match self.cases(t) {
                        Some(cases) => self.cases_alignment(&cases, ptr),
                        None => 1,
                    }
                }
            },
        }
    }

    /// `elem_size(t, ptr_type)`: the byte size of `t` in memory, a multiple
    /// of its alignment.
    pub fn elem_size(&self, t: TypeIndex, ptr: PtrType) -> u32 {
        u32::try_from(self.elem_size_u64(t, ptr)).unwrap_or(u32::MAX)
    }

    pub(super) fn elem_size_u64(&self, t: TypeIndex, ptr: PtrType) -> u64 {
        let Some(ty) = self.get(t) else { return 0 };
        match ty {
            Type::Bool | Type::S8 | Type::U8 => 1,
            Type::S16 | Type::U16 => 2,
            Type::S32 | Type::U32 | Type::F32 | Type::Char => 4,
            Type::S64 | Type::U64 | Type::F64 => 8,
            Type::String | Type::List(_) => 2 * u64::from(ptr.size()),
            Type::ErrorContext | Type::Own(_) | Type::Borrow(_) => 4,
            Type::Stream(_) | Type::Future(_) => 4,
            Type::FixedList(e, n) => self.elem_size_u64(e, ptr).saturating_mul(u64::from(n)),
            Type::Record(c) | Type::Tuple(c) => {
                self.fields_size_u64(c.iter().filter_map(|c| c.ty), ptr)
            }
            Type::Flags(c) => u64::from(flags_size(c.len() as u32)),
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
                match self.cases(t) {
                    Some(cases) => self.cases_size_u64(&cases, ptr),
                    None => 0,
                }
            }
        }
    }

    /// `alignment_record` of fields of the given types (also the alignment
    /// of the tuple of a function's parameters or results).
    pub fn fields_alignment(
        &self,
        fields: impl IntoIterator<Item = TypeIndex>,
        ptr: PtrType,
    ) -> u32 {
        fields
            .into_iter()
            .map(|f| self.alignment(f, ptr))
            .max()
            .unwrap_or(1)
    }

    /// `elem_size_record` of fields of the given types (also the size of the
    /// tuple of a function's parameters or results).
    pub fn fields_size(&self, fields: impl IntoIterator<Item = TypeIndex>, ptr: PtrType) -> u32 {
        u32::try_from(self.fields_size_u64(fields, ptr)).unwrap_or(u32::MAX)
    }

    fn fields_size_u64(&self, fields: impl IntoIterator<Item = TypeIndex>, ptr: PtrType) -> u64 {
        let mut s = 0u64;
        let mut align = 1u32;
        for f in fields {
            let a = self.alignment(f, ptr);
            align = align.max(a);
            s = align_to64(s, u64::from(a)).saturating_add(self.elem_size_u64(f, ptr));
        }
        align_to64(s, u64::from(align))
    }

    /// The offset of each field, in order, of fields of the given types laid
    /// out as a record (`load_record`/`store_record`).
    pub fn field_offsets<I: IntoIterator<Item = TypeIndex>>(
        &self,
        fields: I,
        ptr: PtrType,
    ) -> FieldOffsets<'a, I::IntoIter> {
        FieldOffsets {
            table: *self,
            fields: fields.into_iter(),
            ptr,
            next: 0,
        }
    }

    /// Layout of a record, tuple or fixed-length list `t`: the offsets of its
    /// fields in order. `None` for other types.
    pub fn record_offsets(
        &self,
        t: TypeIndex,
        ptr: PtrType,
    ) -> Option<FieldOffsets<'a, impl Iterator<Item = TypeIndex> + 'a>> {
        let fields = self.fields(t)?;
        let n = fields.len();
        Some(self.field_offsets((0..n).filter_map(move |i| fields.get(i)), ptr))
    }

    /// Layout of a variant, enum, option or result `t`. `None` for other
    /// types.
    pub fn variant_layout(&self, t: TypeIndex, ptr: PtrType) -> Option<VariantLayout> {
        let cases = self.cases(t)?;
        let num_cases = cases.len();
        let disc = discriminant_size(num_cases);
        let payload_align = self.max_case_alignment(&cases, ptr);
        Some(VariantLayout {
            num_cases,
            discriminant_size: disc,
            payload_offset: align_to(disc, payload_align),
            size: u32::try_from(self.cases_size_u64(&cases, ptr)).unwrap_or(u32::MAX),
            align: self.cases_alignment(&cases, ptr),
        })
    }

    /// `max_case_alignment`.
    fn max_case_alignment(&self, cases: &Cases<'_>, ptr: PtrType) -> u32 {
        cases
            .payloads()
            .map(|p| self.alignment(p, ptr))
            .max()
            .unwrap_or(1)
    }

    /// `alignment_variant`.
    fn cases_alignment(&self, cases: &Cases<'_>, ptr: PtrType) -> u32 {
        discriminant_size(cases.len()).max(self.max_case_alignment(cases, ptr))
    }

    /// `elem_size_variant`.
    fn cases_size_u64(&self, cases: &Cases<'_>, ptr: PtrType) -> u64 {
        let disc = u64::from(discriminant_size(cases.len()));
        let s = align_to64(disc, u64::from(self.max_case_alignment(cases, ptr)));
        let payload = cases
            .payloads()
            .map(|p| self.elem_size_u64(p, ptr))
            .max()
            .unwrap_or(0);
        align_to64(
            s.saturating_add(payload),
            u64::from(self.cases_alignment(cases, ptr)),
        )
    }
}

/// Iterator over `(field type, offset)` of a record layout; see
/// [`TypeTable::field_offsets`].
pub struct FieldOffsets<'a, I> {
    table: TypeTable<'a>,
    fields: I,
    ptr: PtrType,
    next: u32,
}

impl<I: Iterator<Item = TypeIndex>> Iterator for FieldOffsets<'_, I> {
    type Item = (TypeIndex, u32);

    fn next(&mut self) -> Option<(TypeIndex, u32)> {
        let f = self.fields.next()?;
        let off = align_to(self.next, self.table.alignment(f, self.ptr));
        self.next = off.saturating_add(self.table.elem_size(f, self.ptr));
        Some((f, off))
    }
}
