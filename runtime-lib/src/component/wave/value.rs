//! Component values and types as the `wasm-wave` crate sees them: the
//! glue between its parser and printer (the WAVE text of `--invoke`) and
//! the descriptor's `TypeTable` that [`super::abi`] lowers and lifts by.
//!
//! Phase: start-up of a component executable (the crate's parser builds
//! [`Value`]s through [`WasmValue`]'s `make_*`, checked against [`Ty`])
//! and after the call (the crate's printer reads lifted [`Value`]s
//! through the `unwrap_*` methods). Invariant: a [`Value`] is always of
//! the type it was built (or lifted) for, so the printer's dispatch on
//! [`WasmValue::kind`] and the lowering code may rely on its shape.
//!
//! The parser does the checking and wording of nearly every error; the
//! `make_*` methods here only report what Wasmtime's own `Val` impl
//! reports (an unknown enum case or flag: ``expected a <type>; got
//! <value>``). NaNs become the canonical NaN, as Wasmtime's `make_f32`
//! and `make_f64` make them.

use kiln_abi::component::{Type, TypeIndex, TypeTable};
use std::borrow::Cow;
use wasm_wave::lex::Keyword;
use wasm_wave::wasm::{DisplayType, WasmType, WasmTypeKind, WasmValue, WasmValueError};

/// A component type: an index into the descriptor's type table. The crate
/// needs `'static` values, hence the `'static` table.
#[derive(Copy, Clone, Debug)]
pub struct Ty {
    /// The table.
    pub types: TypeTable<'static>,
    /// The type.
    pub index: TypeIndex,
}

/// Types of one table compare by index.
impl PartialEq for Ty {
    fn eq(&self, other: &Ty) -> bool {
        self.index == other.index
    }
}

impl Ty {
    /// Type `index` of `types`.
    pub fn new(types: TypeTable<'static>, index: TypeIndex) -> Ty {
        Ty { types, index }
    }

    fn at(&self, index: TypeIndex) -> Ty {
        Ty::new(self.types, index)
    }

    fn get(&self) -> Option<Type<'static>> {
        self.types.get(self.index)
    }

    /// The name of case `i` of a variant or enum.
    fn case_name(&self, i: u32) -> &'static str {
        match self.get() {
            Some(Type::Variant(c) | Type::Enum(c)) => c.get(i as usize).map_or("", |c| c.name),
            _ => "",
        }
    }
}

impl WasmType for Ty {
    fn kind(&self) -> WasmTypeKind {
        match self.get() {
            Some(Type::Bool) => WasmTypeKind::Bool,
            Some(Type::S8) => WasmTypeKind::S8,
            Some(Type::U8) => WasmTypeKind::U8,
            Some(Type::S16) => WasmTypeKind::S16,
            Some(Type::U16) => WasmTypeKind::U16,
            Some(Type::S32) => WasmTypeKind::S32,
            Some(Type::U32) => WasmTypeKind::U32,
            Some(Type::S64) => WasmTypeKind::S64,
            Some(Type::U64) => WasmTypeKind::U64,
            Some(Type::F32) => WasmTypeKind::F32,
            Some(Type::F64) => WasmTypeKind::F64,
            Some(Type::Char) => WasmTypeKind::Char,
            Some(Type::String) => WasmTypeKind::String,
            Some(Type::List(_)) => WasmTypeKind::List,
            Some(Type::FixedList(..)) => WasmTypeKind::FixedLengthList,
            Some(Type::Record(_)) => WasmTypeKind::Record,
            Some(Type::Tuple(_)) => WasmTypeKind::Tuple,
            Some(Type::Variant(_)) => WasmTypeKind::Variant,
            Some(Type::Enum(_)) => WasmTypeKind::Enum,
            Some(Type::Option(_)) => WasmTypeKind::Option,
            Some(Type::Result { .. }) => WasmTypeKind::Result,
            Some(Type::Flags(_)) => WasmTypeKind::Flags,
            Some(
                Type::ErrorContext
                | Type::Own(_)
                | Type::Borrow(_)
                | Type::Stream(_)
                | Type::Future(_),
            )
            | None => WasmTypeKind::Unsupported,
        }
    }

    fn list_element_type(&self) -> Option<Ty> {
        match self.get()? {
            Type::List(e) | Type::FixedList(e, _) => Some(self.at(e)),
            _ => None,
        }
    }

    fn record_fields(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Ty)> + '_> {
        let Some(Type::Record(c)) = self.get() else {
            return Box::new(std::iter::empty());
        };
        Box::new(
            c.iter()
                .filter_map(|f| Some((Cow::Borrowed(f.name), self.at(f.ty?)))),
        )
    }

    fn tuple_element_types(&self) -> Box<dyn Iterator<Item = Ty> + '_> {
        let Some(Type::Tuple(c)) = self.get() else {
            return Box::new(std::iter::empty());
        };
        Box::new(c.iter().filter_map(|e| Some(self.at(e.ty?))))
    }

    fn variant_cases(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Option<Ty>)> + '_> {
        let Some(Type::Variant(c)) = self.get() else {
            return Box::new(std::iter::empty());
        };
        Box::new(
            c.iter()
                .map(|c| (Cow::Borrowed(c.name), c.ty.map(|t| self.at(t)))),
        )
    }

    fn enum_cases(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        let Some(Type::Enum(c)) = self.get() else {
            return Box::new(std::iter::empty());
        };
        Box::new(c.iter().map(|c| Cow::Borrowed(c.name)))
    }

    fn option_some_type(&self) -> Option<Ty> {
        match self.get()? {
            Type::Option(p) => Some(self.at(p)),
            _ => None,
        }
    }

    fn result_types(&self) -> Option<(Option<Ty>, Option<Ty>)> {
        match self.get()? {
            Type::Result { ok, err } => Some((ok.map(|t| self.at(t)), err.map(|t| self.at(t)))),
            _ => None,
        }
    }

    fn flags_names(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        let Some(Type::Flags(c)) = self.get() else {
            return Box::new(std::iter::empty());
        };
        Box::new(c.iter().map(|c| Cow::Borrowed(c.name)))
    }
}

/// A component value of a known type (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `bool`
    Bool(bool),
    /// `s8`
    S8(i8),
    /// `u8`
    U8(u8),
    /// `s16`
    S16(i16),
    /// `u16`
    U16(u16),
    /// `s32`
    S32(i32),
    /// `u32`
    U32(u32),
    /// `s64`
    S64(i64),
    /// `u64`
    U64(u64),
    /// `f32`
    F32(f32),
    /// `f64`
    F64(f64),
    /// `char`
    Char(char),
    /// `string`
    String(String),
    /// `list<T>` and `list<T, N>`.
    List(Vec<Value>),
    /// `record`: the fields in type order.
    Record(Ty, Vec<Value>),
    /// `tuple`
    Tuple(Vec<Value>),
    /// `variant`, `enum`, `option` (0 = none, 1 = some), `result` (0 = ok,
    /// 1 = err): the case index and its payload.
    Case(Ty, u32, Option<Box<Value>>),
    /// `flags`: one bit per label, 32 labels per word.
    Flags(Ty, Vec<u32>),
}

/// `expected a <type>; got <value>`, Wasmtime's error for a value its
/// type does not have.
fn wrong_value(ty: &Ty, got: String) -> WasmValueError {
    WasmValueError::WrongValueType {
        ty: DisplayType(ty).to_string(),
        val: got,
    }
}

fn borrowed(v: &Value) -> Cow<'_, Value> {
    Cow::Borrowed(v)
}

/// The `unwrap_*` of a scalar: the printer calls it only for values of
/// that kind, so any other value (never seen) reads as the default.
macro_rules! scalar {
    ($($make:ident, $unwrap:ident, $case:ident, $t:ty;)*) => {$(
        fn $make(val: $t) -> Value {
            Value::$case(val)
        }
        fn $unwrap(&self) -> $t {
            match self {
                Value::$case(v) => *v,
                _ => <$t>::default(),
            }
        }
    )*};
}

impl WasmValue for Value {
    type Type = Ty;

    fn kind(&self) -> WasmTypeKind {
        match self {
            Value::Bool(_) => WasmTypeKind::Bool,
            Value::S8(_) => WasmTypeKind::S8,
            Value::U8(_) => WasmTypeKind::U8,
            Value::S16(_) => WasmTypeKind::S16,
            Value::U16(_) => WasmTypeKind::U16,
            Value::S32(_) => WasmTypeKind::S32,
            Value::U32(_) => WasmTypeKind::U32,
            Value::S64(_) => WasmTypeKind::S64,
            Value::U64(_) => WasmTypeKind::U64,
            Value::F32(_) => WasmTypeKind::F32,
            Value::F64(_) => WasmTypeKind::F64,
            Value::Char(_) => WasmTypeKind::Char,
            Value::String(_) => WasmTypeKind::String,
            Value::List(_) => WasmTypeKind::List,
            Value::Record(..) => WasmTypeKind::Record,
            Value::Tuple(_) => WasmTypeKind::Tuple,
            Value::Case(ty, ..) => ty.kind(),
            Value::Flags(..) => WasmTypeKind::Flags,
        }
    }

    scalar! {
        make_bool, unwrap_bool, Bool, bool;
        make_s8, unwrap_s8, S8, i8;
        make_u8, unwrap_u8, U8, u8;
        make_s16, unwrap_s16, S16, i16;
        make_u16, unwrap_u16, U16, u16;
        make_s32, unwrap_s32, S32, i32;
        make_u32, unwrap_u32, U32, u32;
        make_s64, unwrap_s64, S64, i64;
        make_u64, unwrap_u64, U64, u64;
        make_char, unwrap_char, Char, char;
    }

    fn make_f32(val: f32) -> Value {
        Value::F32(canonical32(val))
    }

    fn make_f64(val: f64) -> Value {
        Value::F64(canonical64(val))
    }

    fn make_string(val: Cow<'_, str>) -> Value {
        Value::String(val.into_owned())
    }

    fn make_list(_: &Ty, vals: impl IntoIterator<Item = Value>) -> Result<Value, WasmValueError> {
        Ok(Value::List(vals.into_iter().collect()))
    }

    fn make_record<'a>(
        ty: &Ty,
        fields: impl IntoIterator<Item = (&'a str, Value)>,
    ) -> Result<Value, WasmValueError> {
        let mut given: Vec<(&str, Value)> = fields.into_iter().collect();
        let mut out = Vec::with_capacity(given.len());
        for (name, _) in ty.record_fields() {
            let i = given
                .iter()
                .position(|(n, _)| *n == name)
                .ok_or_else(|| WasmValueError::MissingField(name.to_string()))?;
            out.push(given.swap_remove(i).1);
        }
        Ok(Value::Record(*ty, out))
    }

    fn make_tuple(_: &Ty, vals: impl IntoIterator<Item = Value>) -> Result<Value, WasmValueError> {
        Ok(Value::Tuple(vals.into_iter().collect()))
    }

    fn make_variant(ty: &Ty, case: &str, val: Option<Value>) -> Result<Value, WasmValueError> {
        let i = ty
            .variant_cases()
            .position(|(n, _)| n == case)
            .ok_or_else(|| WasmValueError::UnknownCase(case.to_string()))?;
        Ok(Value::Case(*ty, i as u32, val.map(Box::new)))
    }

    fn make_enum(ty: &Ty, case: &str) -> Result<Value, WasmValueError> {
        match ty.enum_cases().position(|n| n == case) {
            Some(i) => Ok(Value::Case(*ty, i as u32, None)),
            None if Keyword::decode(case).is_some() => Err(wrong_value(ty, format!("%{case}"))),
            None => Err(wrong_value(ty, case.to_string())),
        }
    }

    fn make_option(ty: &Ty, val: Option<Value>) -> Result<Value, WasmValueError> {
        Ok(Value::Case(
            *ty,
            u32::from(val.is_some()),
            val.map(Box::new),
        ))
    }

    fn make_result(
        ty: &Ty,
        val: Result<Option<Value>, Option<Value>>,
    ) -> Result<Value, WasmValueError> {
        Ok(match val {
            Ok(p) => Value::Case(*ty, 0, p.map(Box::new)),
            Err(p) => Value::Case(*ty, 1, p.map(Box::new)),
        })
    }

    fn make_flags<'a>(
        ty: &Ty,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Value, WasmValueError> {
        let names: Vec<&str> = names.into_iter().collect();
        let labels: Vec<Cow<'_, str>> = ty.flags_names().collect();
        let mut words = vec![0u32; labels.len().div_ceil(32)];
        for name in &names {
            let Some(i) = labels.iter().position(|l| l == name) else {
                return Err(wrong_value(ty, format!("{{{}}}", names.join(", "))));
            };
            words[i / 32] |= 1 << (i % 32);
        }
        Ok(Value::Flags(*ty, words))
    }

    fn unwrap_f32(&self) -> f32 {
        match self {
            Value::F32(v) => *v,
            _ => 0.0,
        }
    }

    fn unwrap_f64(&self) -> f64 {
        match self {
            Value::F64(v) => *v,
            _ => 0.0,
        }
    }

    fn unwrap_string(&self) -> Cow<'_, str> {
        match self {
            Value::String(s) => Cow::Borrowed(s),
            _ => Cow::Borrowed(""),
        }
    }

    fn unwrap_list(&self) -> Box<dyn Iterator<Item = Cow<'_, Value>> + '_> {
        match self {
            Value::List(items) | Value::Tuple(items) => Box::new(items.iter().map(borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn unwrap_record(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Cow<'_, Value>)> + '_> {
        let Value::Record(ty, items) = self else {
            return Box::new(std::iter::empty());
        };
        let names = ty.record_fields().map(|(n, _)| n);
        Box::new(names.zip(items.iter().map(borrowed)))
    }

    fn unwrap_tuple(&self) -> Box<dyn Iterator<Item = Cow<'_, Value>> + '_> {
        self.unwrap_list()
    }

    fn unwrap_variant(&self) -> (Cow<'_, str>, Option<Cow<'_, Value>>) {
        match self {
            Value::Case(ty, i, p) => (Cow::Borrowed(ty.case_name(*i)), p.as_deref().map(borrowed)),
            _ => (Cow::Borrowed(""), None),
        }
    }

    fn unwrap_enum(&self) -> Cow<'_, str> {
        self.unwrap_variant().0
    }

    fn unwrap_option(&self) -> Option<Cow<'_, Value>> {
        match self {
            Value::Case(_, 1, p) => p.as_deref().map(borrowed),
            _ => None,
        }
    }

    fn unwrap_result(&self) -> Result<Option<Cow<'_, Value>>, Option<Cow<'_, Value>>> {
        match self {
            Value::Case(_, 1, p) => Err(p.as_deref().map(borrowed)),
            Value::Case(_, _, p) => Ok(p.as_deref().map(borrowed)),
            _ => Ok(None),
        }
    }

    fn unwrap_flags(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        let Value::Flags(ty, words) = self else {
            return Box::new(std::iter::empty());
        };
        let set = |i: usize| words.get(i / 32).is_some_and(|w| w & (1 << (i % 32)) != 0);
        Box::new(
            ty.flags_names()
                .enumerate()
                .filter(move |(i, _)| set(*i))
                .map(|(_, n)| n),
        )
    }
}

/// Any NaN becomes the canonical one (Wasmtime's `make_f32`).
pub fn canonical32(f: f32) -> f32 {
    if f.is_nan() { f32::NAN } else { f }
}

/// Any NaN becomes the canonical one (Wasmtime's `make_f64`).
pub fn canonical64(f: f64) -> f64 {
    if f.is_nan() { f64::NAN } else { f }
}
