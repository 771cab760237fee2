//! [`Value`]s as WAVE text, exactly as Wasmtime prints the results of
//! `--invoke` (the reference writer and `DisplayFuncResults`).
//!
//! Phase: after the invoked export returned. Inputs: the lifted results
//! and their types. Output: one line of text (without the newline).
//!
//! Rules: integers in decimal; floats with Rust's `Display` (`inf`,
//! `-inf`, `-0`, no exponent) and `nan` for every NaN; chars and strings
//! quoted with `\\ \" \' \t \r \n` escaped, other control characters as
//! `\u{..}` and the rest as `char::escape_debug` does; lists `[a, b]`;
//! tuples `(a, b)`; records `{name: v, ...}` in type order, leaving out
//! fields that are `none`, and `{:}` when nothing is left; cases `name`
//! or `name(v)` with `%` before WAVE keywords; `some(v)`, `none`, `ok`,
//! `ok(v)`, `err`, `err(v)`; flags `{a, b}` in type order. One result
//! prints as its value; zero or several as a tuple (`()` for none).

use super::parse::is_keyword;
use super::value::Value;
use kiln_abi::component::{Type, TypeIndex, TypeTable};
use std::fmt::Write;

/// The results line (see the module docs).
pub fn results(types: TypeTable<'_>, tys: &[u32], values: &[Value]) -> String {
    let mut out = String::new();
    if let ([t], [v]) = (tys, values) {
        value(&mut out, types, TypeIndex(*t), v);
        return out;
    }
    out.push('(');
    for (i, (t, v)) in tys.iter().zip(values).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        value(&mut out, types, TypeIndex(*t), v);
    }
    out.push(')');
    out
}

fn escaped(out: &mut String, c: char) {
    // Writing into a String cannot fail.
    let _ = if "\\\"'\t\r\n".contains(c) {
        write!(out, "{}", c.escape_default())
    } else if c.is_control() {
        write!(out, "{}", c.escape_unicode())
    } else {
        write!(out, "{}", c.escape_debug())
    };
}

fn label(out: &mut String, name: &str) {
    if is_keyword(name) {
        out.push('%');
    }
    out.push_str(name);
}

fn seq<'v>(
    out: &mut String,
    types: TypeTable<'_>,
    items: impl Iterator<Item = (TypeIndex, &'v Value)>,
) {
    for (i, (t, v)) in items.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        value(out, types, t, v);
    }
}

/// Appends value `v` of type `t`.
pub fn value(out: &mut String, types: TypeTable<'_>, t: TypeIndex, v: &Value) {
    let ty = types.get(t);
    // Writing into a String cannot fail.
    let _ = match v {
        Value::Bool(b) => write!(out, "{b}"),
        Value::S8(x) => write!(out, "{x}"),
        Value::U8(x) => write!(out, "{x}"),
        Value::S16(x) => write!(out, "{x}"),
        Value::U16(x) => write!(out, "{x}"),
        Value::S32(x) => write!(out, "{x}"),
        Value::U32(x) => write!(out, "{x}"),
        Value::S64(x) => write!(out, "{x}"),
        Value::U64(x) => write!(out, "{x}"),
        Value::F32(x) if x.is_nan() => write!(out, "nan"),
        Value::F32(x) => write!(out, "{x}"),
        Value::F64(x) if x.is_nan() => write!(out, "nan"),
        Value::F64(x) => write!(out, "{x}"),
        Value::Char(c) => {
            out.push('\'');
            escaped(out, *c);
            write!(out, "'")
        }
        Value::String(s) => {
            out.push('"');
            s.chars().for_each(|c| escaped(out, c));
            write!(out, "\"")
        }
        Value::List(items) => {
            let e = match ty {
                Some(Type::List(e) | Type::FixedList(e, _)) => e,
                _ => t,
            };
            out.push('[');
            seq(out, types, items.iter().map(|v| (e, v)));
            write!(out, "]")
        }
        Value::Fields(items) => match ty {
            Some(Type::Record(fields)) => {
                out.push('{');
                let mut first = true;
                for (f, v) in fields.iter().zip(items) {
                    let Some(ft) = f.ty else { continue };
                    let none = matches!(types.get(ft), Some(Type::Option(_)))
                        && matches!(v, Value::Case(0, _));
                    if none {
                        continue;
                    }
                    if !first {
                        out.push_str(", ");
                    }
                    first = false;
                    out.push_str(f.name);
                    out.push_str(": ");
                    value(out, types, ft, v);
                }
                if first {
                    out.push(':');
                }
                write!(out, "}}")
            }
            Some(Type::Tuple(elems)) => {
                out.push('(');
                seq(out, types, elems.iter().filter_map(|e| e.ty).zip(items));
                write!(out, ")")
            }
            _ => write!(out, "?"),
        },
        Value::Case(i, payload) => {
            let name = match ty {
                Some(Type::Variant(c) | Type::Enum(c)) => c.get(*i as usize).map(|c| c.name),
                Some(Type::Option(_)) => Some(if *i == 0 { "none" } else { "some" }),
                Some(Type::Result { .. }) => Some(if *i == 0 { "ok" } else { "err" }),
                _ => None,
            };
            let Some(name) = name else { return };
            let payload_ty = types.cases(t).and_then(|c| c.payload(*i));
            if matches!(ty, Some(Type::Variant(_) | Type::Enum(_))) {
                label(out, name);
            } else {
                out.push_str(name);
            }
            if let (Some(p), Some(pt)) = (payload, payload_ty) {
                out.push('(');
                value(out, types, pt, p);
                out.push(')');
            }
            Ok(())
        }
        Value::Flags(words) => {
            out.push('{');
            if let Some(Type::Flags(labels)) = ty {
                let set = labels
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| words.get(i / 32).is_some_and(|w| w & (1 << (i % 32)) != 0));
                for (k, (_, l)) in set.enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(l.name);
                }
            }
            write!(out, "}}")
        }
    };
}
