//! Typed WAVE values: an untyped [`Node`] checked against a component
//! type of the descriptor's `TypeTable` becomes a [`Value`], with the
//! reference implementation's errors (the wording Wasmtime prints under
//! ``while interpreting parameters in invoke "..."``).
//!
//! Phase: start-up of a component executable, before instantiation.
//! Inputs: the invoke string, its parsed call, the export's parameter
//! types. Output: one [`Value`] per parameter. Invariant: a [`Value`] is
//! always of the type it was built (or lifted) for, so the lowering and
//! printing code may `expect` shapes.
//!
//! Conversion rules (WAVE README, reference `ast.rs`): numbers parse with
//! Rust's `FromStr` of the target type (`inf`, `-inf`, `nan` for floats;
//! NaN canonical); an `option` accepts `some(v)`, `none` or, when its
//! payload is not an option or result, the bare payload; a `result`
//! likewise accepts a bare `ok` payload; record fields may come in any
//! order, fields of unknown names are ignored, and missing `option` fields
//! are `none`; trailing `option` parameters may be left out, but an empty
//! argument list `f()` must match a function without parameters.

use super::parse::{ErrorKind, FuncCall, Node, NodeKind, ParseError, is_keyword, string_value};
use kiln_abi::component::{Type, TypeIndex, TypeTable};

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
    /// `record` and `tuple`: the fields in type order.
    Fields(Vec<Value>),
    /// `variant`, `enum`, `option` (0 = none, 1 = some), `result` (0 = ok,
    /// 1 = err): the case index and its payload.
    Case(u32, Option<Box<Value>>),
    /// `flags`: one bit per label, 32 labels per word.
    Flags(Vec<u32>),
}

/// A type as the reference displays it in messages (`DisplayType`).
pub struct DisplayType<'a>(pub TypeTable<'a>, pub TypeIndex);

impl std::fmt::Display for DisplayType<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let DisplayType(types, t) = *self;
        let sub = |t| DisplayType(types, t);
        let Some(ty) = types.get(t) else {
            return f.write_str("<<UNSUPPORTED>>");
        };
        let list = |f: &mut std::fmt::Formatter<'_>, open, items: Vec<String>, close| {
            write!(f, "{open}{}{close}", items.join(", "))
        };
        match ty {
            Type::Bool => f.write_str("bool"),
            Type::S8 => f.write_str("s8"),
            Type::U8 => f.write_str("u8"),
            Type::S16 => f.write_str("s16"),
            Type::U16 => f.write_str("u16"),
            Type::S32 => f.write_str("s32"),
            Type::U32 => f.write_str("u32"),
            Type::S64 => f.write_str("s64"),
            Type::U64 => f.write_str("u64"),
            Type::F32 => f.write_str("f32"),
            Type::F64 => f.write_str("f64"),
            Type::Char => f.write_str("char"),
            Type::String => f.write_str("string"),
            Type::List(e) => write!(f, "list<{}>", sub(e)),
            Type::FixedList(..) => f.write_str("list<_,N>"),
            Type::Record(c) => list(
                f,
                "record { ",
                c.iter()
                    .map(|c| {
                        format!(
                            "{}: {}",
                            c.name,
                            c.ty.map(|t| sub(t).to_string()).unwrap_or_default()
                        )
                    })
                    .collect(),
                " }",
            ),
            Type::Tuple(c) => list(
                f,
                "tuple<",
                c.iter()
                    .filter_map(|c| c.ty)
                    .map(|t| sub(t).to_string())
                    .collect(),
                ">",
            ),
            Type::Variant(c) => list(
                f,
                "variant { ",
                c.iter()
                    .map(|c| match c.ty {
                        Some(t) => format!("{}({})", c.name, sub(t)),
                        None => c.name.to_string(),
                    })
                    .collect(),
                " }",
            ),
            Type::Enum(c) => list(
                f,
                "enum { ",
                c.iter().map(|c| c.name.to_string()).collect(),
                " }",
            ),
            Type::Flags(c) => list(
                f,
                "flags { ",
                c.iter().map(|c| c.name.to_string()).collect(),
                " }",
            ),
            Type::Option(t) => write!(f, "option<{}>", sub(t)),
            Type::Result { ok, err } => match (ok, err) {
                (None, None) => f.write_str("result"),
                (None, Some(e)) => write!(f, "result<_, {}>", sub(e)),
                (Some(o), None) => write!(f, "result<{}>", sub(o)),
                (Some(o), Some(e)) => write!(f, "result<{}, {}>", sub(o), sub(e)),
            },
            Type::ErrorContext
            | Type::Own(_)
            | Type::Borrow(_)
            | Type::Stream(_)
            | Type::Future(_) => f.write_str("<<UNSUPPORTED>>"),
        }
    }
}

/// Converts the call's arguments to values of `params` (see the module
/// docs for the rules on omitted arguments).
pub fn params_from_call(
    types: TypeTable<'_>,
    params: &[u32],
    call: &FuncCall,
    src: &str,
) -> Result<Vec<Value>, ParseError> {
    let Some(tuple) = &call.params else {
        if params.is_empty() {
            return Ok(Vec::new());
        }
        return Err(ParseError::detail(
            ErrorKind::InvalidParams,
            call.name.clone(),
            format!("no params provided, but {} required", params.len()),
        ));
    };
    let mut out = Vec::with_capacity(params.len());
    for (i, node) in tuple.children.iter().enumerate() {
        let Some(t) = params.get(i) else {
            return Err(ParseError::detail(
                ErrorKind::InvalidParams,
                node.span.clone(),
                "more param(s) than expected",
            ));
        };
        out.push(from_node(types, TypeIndex(*t), node, src)?);
    }
    for t in &params[out.len()..] {
        if matches!(types.get(TypeIndex(*t)), Some(Type::Option(_))) {
            out.push(Value::Case(0, None));
        } else {
            let end = tuple.span.end;
            return Err(ParseError::detail(
                ErrorKind::InvalidParams,
                end - 1..end,
                "missing required param(s)",
            ));
        }
    }
    Ok(out)
}

fn invalid_type(node: &Node) -> ParseError {
    ParseError::new(ErrorKind::InvalidType, node.span.clone())
}

fn ensure(node: &Node, kind: NodeKind) -> Result<(), ParseError> {
    if node.kind == kind {
        Ok(())
    } else {
        Err(invalid_type(node))
    }
}

fn number<T: std::str::FromStr>(node: &Node, src: &str) -> Result<T, ParseError> {
    ensure(node, NodeKind::Number)?;
    node.text(src)
        .parse()
        .map_err(|_| ParseError::new(ErrorKind::InvalidValue, node.span.clone()))
}

/// Whether an `option`/`result` may take its payload bare.
fn flattenable(types: TypeTable<'_>, t: TypeIndex) -> bool {
    !matches!(types.get(t), Some(Type::Option(_) | Type::Result { .. }))
}

/// Converts `node` to a value of type `t`.
pub fn from_node(
    types: TypeTable<'_>,
    t: TypeIndex,
    node: &Node,
    src: &str,
) -> Result<Value, ParseError> {
    let ty = types
        .get(t)
        .ok_or_else(|| ParseError::value(node.span.clone(), "unsupported type <<UNSUPPORTED>>"))?;
    Ok(match ty {
        Type::Bool => match node.kind {
            NodeKind::BoolTrue => Value::Bool(true),
            NodeKind::BoolFalse => Value::Bool(false),
            _ => return Err(invalid_type(node)),
        },
        Type::S8 => Value::S8(number(node, src)?),
        Type::U8 => Value::U8(number(node, src)?),
        Type::S16 => Value::S16(number(node, src)?),
        Type::U16 => Value::U16(number(node, src)?),
        Type::S32 => Value::S32(number(node, src)?),
        Type::U32 => Value::U32(number(node, src)?),
        Type::S64 => Value::S64(number(node, src)?),
        Type::U64 => Value::U64(number(node, src)?),
        Type::F32 => Value::F32(canonical32(number(node, src)?)),
        Type::F64 => Value::F64(canonical64(number(node, src)?)),
        Type::Char => Value::Char(char_value(node, src)?),
        Type::String => Value::String(string_value(node, src)?),
        Type::List(e) => {
            ensure(node, NodeKind::List)?;
            let items = node.children.iter().map(|n| from_node(types, e, n, src));
            Value::List(items.collect::<Result<_, _>>()?)
        }
        Type::Record(fields) => {
            ensure(node, NodeKind::Record)?;
            let mut out = Vec::with_capacity(fields.len());
            for field in fields.iter() {
                let ft = field.ty.ok_or_else(|| invalid_type(node))?;
                let given = node
                    .children
                    .chunks(2)
                    .find(|pair| pair[0].label(src) == field.name)
                    .and_then(|pair| pair.get(1));
                out.push(match given {
                    Some(v) => from_node(types, ft, v, src)?,
                    None if matches!(types.get(ft), Some(Type::Option(_))) => Value::Case(0, None),
                    None => {
                        return Err(ParseError::value(
                            node.span.clone(),
                            format!("missing field {:?}", field.name),
                        ));
                    }
                });
            }
            Value::Fields(out)
        }
        Type::Tuple(elems) => {
            ensure(node, NodeKind::Tuple)?;
            if elems.len() != node.children.len() {
                return Err(ParseError::value(
                    node.span.clone(),
                    format!(
                        "expected {} tuple elements; got {}",
                        elems.len(),
                        node.children.len()
                    ),
                ));
            }
            let mut out = Vec::with_capacity(elems.len());
            for (e, n) in elems.iter().zip(&node.children) {
                out.push(from_node(
                    types,
                    e.ty.ok_or_else(|| invalid_type(node))?,
                    n,
                    src,
                )?);
            }
            Value::Fields(out)
        }
        Type::Variant(cases) => {
            let (label, payload) = match node.kind {
                NodeKind::Label => (node.label(src), None),
                NodeKind::VariantWithPayload => (node.children[0].label(src), node.children.get(1)),
                _ => return Err(invalid_type(node)),
            };
            let i = cases.position(label).ok_or_else(|| {
                ParseError::value(node.span.clone(), format!("unknown case {label:?}"))
            })?;
            let case_ty = cases.get(i).and_then(|c| c.ty);
            Value::Case(
                i as u32,
                payload_value(types, node, label, case_ty, payload, src)?,
            )
        }
        Type::Enum(cases) => {
            ensure(node, NodeKind::Label)?;
            let label = node.label(src);
            match cases.position(label) {
                Some(i) => Value::Case(i as u32, None),
                None => {
                    let got = if is_keyword(label) {
                        format!("%{label}")
                    } else {
                        label.to_string()
                    };
                    return Err(wrong_value(types, t, node, &got));
                }
            }
        }
        Type::Flags(labels) => {
            ensure(node, NodeKind::Flags)?;
            let mut words = vec![0u32; labels.len().div_ceil(32)];
            for l in &node.children {
                match labels.position(l.label(src)) {
                    Some(i) => words[i / 32] |= 1 << (i % 32),
                    None => {
                        let names: Vec<&str> = node.children.iter().map(|l| l.label(src)).collect();
                        let got = format!("{{{}}}", names.join(", "));
                        return Err(wrong_value(types, t, node, &got));
                    }
                }
            }
            Value::Flags(words)
        }
        Type::Option(p) => match node.kind {
            NodeKind::OptionSome => Value::Case(
                1,
                payload_value(types, node, "some", Some(p), node.children.first(), src)?,
            ),
            NodeKind::OptionNone => Value::Case(0, None),
            _ if flattenable(types, p) => {
                Value::Case(1, Some(Box::new(from_node(types, p, node, src)?)))
            }
            _ => return Err(invalid_type(node)),
        },
        Type::Result { ok, err } => match node.kind {
            NodeKind::ResultOk => Value::Case(
                0,
                payload_value(types, node, "ok", ok, node.children.first(), src)?,
            ),
            NodeKind::ResultErr => Value::Case(
                1,
                payload_value(types, node, "err", err, node.children.first(), src)?,
            ),
            _ => match ok {
                Some(o) if flattenable(types, o) => {
                    Value::Case(0, Some(Box::new(from_node(types, o, node, src)?)))
                }
                _ => return Err(invalid_type(node)),
            },
        },
        Type::FixedList(..) => {
            return Err(ParseError::value(
                node.span.clone(),
                "unsupported type list<_,N>",
            ));
        }
        Type::ErrorContext | Type::Own(_) | Type::Borrow(_) | Type::Stream(_) | Type::Future(_) => {
            return Err(ParseError::value(
                node.span.clone(),
                "unsupported type <<UNSUPPORTED>>",
            ));
        }
    })
}

fn wrong_value(types: TypeTable<'_>, t: TypeIndex, node: &Node, got: &str) -> ParseError {
    ParseError::value(
        node.span.clone(),
        format!("expected a {}; got {got}", DisplayType(types, t)),
    )
}

/// `to_wasm_maybe_payload`: a case's payload present exactly when its type
/// has one.
fn payload_value(
    types: TypeTable<'_>,
    node: &Node,
    case: &str,
    ty: Option<TypeIndex>,
    payload: Option<&Node>,
    src: &str,
) -> Result<Option<Box<Value>>, ParseError> {
    match (ty, payload) {
        (Some(t), Some(p)) => Ok(Some(Box::new(from_node(types, t, p, src)?))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ParseError::value(
            node.span.clone(),
            format!("missing payload for {case:?} case"),
        )),
        (None, Some(_)) => Err(ParseError::value(
            node.span.clone(),
            format!("unexpected payload for {case:?} case"),
        )),
    }
}

fn char_value(node: &Node, src: &str) -> Result<char, ParseError> {
    ensure(node, NodeKind::Char)?;
    let inner = &src[node.span.start + 1..node.span.end - 1];
    let (c, len) = if inner.starts_with('\\') {
        super::parse::unescape(inner)
            .ok_or_else(|| ParseError::new(ErrorKind::InvalidEscape, node.span.clone()))?
    } else {
        let c = inner.chars().next().ok_or_else(|| invalid_type(node))?;
        (c, c.len_utf8())
    };
    if len != inner.len() {
        return Err(ParseError::new(ErrorKind::MultipleChars, node.span.clone()));
    }
    Ok(c)
}

/// Any NaN becomes the canonical one (Wasmtime's `make_f32`).
pub fn canonical32(f: f32) -> f32 {
    if f.is_nan() { f32::NAN } else { f }
}

/// Any NaN becomes the canonical one (Wasmtime's `make_f64`).
pub fn canonical64(f: f64) -> f64 {
    if f.is_nan() { f64::NAN } else { f }
}
