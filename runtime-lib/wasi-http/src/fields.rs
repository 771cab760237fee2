//! `wasi:http/types.fields`: header and trailer maps, with Wasmtime's
//! validation rules.
//!
//! Phase: run time (host functions). Inputs: field names and values from
//! the guest. Outputs: `fields` objects, `header-error`s.
//!
//! Invariants (wasmtime-wasi-http 49):
//! - a name must parse as an `http::HeaderName` and a value as an
//!   `http::HeaderValue`, else `invalid-syntax`; `get` and `has` of an
//!   invalid name answer "nothing" instead;
//! - the forbidden names ([`FORBIDDEN`]) are refused with `forbidden` on
//!   every mutation and in `from-list`;
//! - `fields` handed out by a request or response (`headers`), and
//!   trailers received, are immutable copies: mutating them is
//!   `immutable`; `clone` makes a mutable copy;
//! - a `content-length` value must be a decimal `u64` (`invalid-syntax`);
//! - `set` replaces a name's values in place (its position among the
//!   entries stays);
//! - names compare case-insensitively and `entries` lists names in lower
//!   case, grouped by name in first-insertion order (`http::HeaderMap`).

use super::FieldsRes;
use super::types::HeaderError;
use super::{state, state_ref};
use http::{HeaderMap, HeaderName, HeaderValue};
use kiln_canon::{Borrow, Own, Trap};
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::io::{Bytes, no_object};

/// The names a guest may not set (Wasmtime's `DEFAULT_FORBIDDEN_HEADERS`),
/// as header names: removing by name needs no parsing, as removing by
/// `&str` does (a server removes them from every request).
pub static FORBIDDEN: [HeaderName; 9] = [
    HeaderName::from_static("connection"),
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-authenticate"),
    HeaderName::from_static("proxy-authorization"),
    HeaderName::from_static("proxy-connection"),
    HeaderName::from_static("transfer-encoding"),
    HeaderName::from_static("upgrade"),
    HeaderName::from_static("host"),
    HeaderName::from_static("http2-settings"),
];

/// Whether `name` is forbidden to guests.
pub fn is_forbidden(name: &HeaderName) -> bool {
    FORBIDDEN.contains(name)
}

/// A `fields` object.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    /// The map.
    pub map: HeaderMap,
    /// Whether the guest may change it.
    pub mutable: bool,
}

impl Fields {
    /// An immutable `fields` over `map` (a request's or response's
    /// headers, received trailers).
    pub fn immutable(map: HeaderMap) -> Fields {
        Fields {
            map,
            mutable: false,
        }
    }
}

/// A name the guest may set.
fn settable_name(name: &str) -> Result<HeaderName, HeaderError> {
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| HeaderError::InvalidSyntax)?;
    if is_forbidden(&name) {
        return Err(HeaderError::Forbidden);
    }
    Ok(name)
}

/// A value the guest may give `name`: a valid `http::HeaderValue`, and
/// for `content-length` a decimal number (as Wasmtime 49 checks).
fn value(name: &HeaderName, v: &[u8]) -> Result<HeaderValue, HeaderError> {
    if name == http::header::CONTENT_LENGTH
        && (v.is_empty()
            || !v.iter().all(u8::is_ascii_digit)
            || std::str::from_utf8(v).map_or(true, |s| s.parse::<u64>().is_err()))
    {
        return Err(HeaderError::InvalidSyntax);
    }
    HeaderValue::from_bytes(v).map_err(|_| HeaderError::InvalidSyntax)
}

fn get(h: &P2Host, rep: u32) -> Result<&Fields, Trap> {
    state_ref(h)
        .and_then(|s| s.fields.get(rep))
        .ok_or_else(|| no_object("fields"))
}

/// The mutable map of `fields` `rep`, or `immutable`.
fn get_mut(h: &mut P2Host, rep: u32) -> Result<Result<&mut HeaderMap, HeaderError>, Trap> {
    let f = state(h)
        .fields
        .get_mut(rep)
        .ok_or_else(|| no_object("fields"))?;
    Ok(if f.mutable {
        Ok(&mut f.map)
    } else {
        Err(HeaderError::Immutable)
    })
}

/// `[constructor]fields`.
pub fn new(h: &mut P2Host, (): ()) -> Result<Own<FieldsRes>, Trap> {
    Ok(crate::new_fields(
        h,
        Fields {
            map: HeaderMap::new(),
            mutable: true,
        },
    ))
}

/// `[static]fields.from-list`.
pub fn from_list(
    h: &mut P2Host,
    (entries,): (Vec<(String, Vec<u8>)>,),
) -> Result<Result<Own<FieldsRes>, HeaderError>, Trap> {
    let mut map = HeaderMap::new();
    for (name, v) in entries {
        let name = match settable_name(&name) {
            Ok(n) => n,
            Err(e) => return Ok(Err(e)),
        };
        match value(&name, &v) {
            Ok(v) => {
                map.append(name, v);
            }
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(crate::new_fields(h, Fields { map, mutable: true })))
}

/// `[method]fields.get`.
pub fn get_values(
    h: &mut P2Host,
    (this, name): (Borrow<FieldsRes>, String),
) -> Result<Vec<Bytes>, Trap> {
    let f = get(h, this.rep())?;
    let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
        return Ok(Vec::new());
    };
    Ok(f.map
        .get_all(&name)
        .iter()
        .map(|v| Bytes(v.as_bytes().to_vec()))
        .collect())
}

/// `[method]fields.has`.
pub fn has(h: &mut P2Host, (this, name): (Borrow<FieldsRes>, String)) -> Result<bool, Trap> {
    let f = get(h, this.rep())?;
    Ok(HeaderName::from_bytes(name.as_bytes()).is_ok_and(|n| f.map.contains_key(&n)))
}

/// `[method]fields.set`.
pub fn set(
    h: &mut P2Host,
    (this, name, values): (Borrow<FieldsRes>, String, Vec<Vec<u8>>),
) -> Result<Result<(), HeaderError>, Trap> {
    let name = match settable_name(&name) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let mut vs = Vec::with_capacity(values.len());
    for v in &values {
        match value(&name, v) {
            Ok(v) => vs.push(v),
            Err(e) => return Ok(Err(e)),
        }
    }
    let map = match get_mut(h, this.rep())? {
        Ok(m) => m,
        Err(e) => return Ok(Err(e)),
    };
    // In place: the name keeps its position among the entries.
    let mut vs = vs.into_iter();
    match (map.entry(name), vs.next()) {
        (http::header::Entry::Occupied(e), None) => {
            drop(e.remove_entry_mult());
        }
        (http::header::Entry::Vacant(_), None) => {}
        (http::header::Entry::Occupied(mut e), Some(first)) => {
            e.insert(first);
            vs.for_each(|v| e.append(v));
        }
        (http::header::Entry::Vacant(e), Some(first)) => {
            let mut e = e.insert_entry(first);
            vs.for_each(|v| e.append(v));
        }
    }
    Ok(Ok(()))
}

/// `[method]fields.delete`.
pub fn delete(
    h: &mut P2Host,
    (this, name): (Borrow<FieldsRes>, String),
) -> Result<Result<(), HeaderError>, Trap> {
    let name = match settable_name(&name) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    Ok(get_mut(h, this.rep())?.map(|map| {
        map.remove(&name);
    }))
}

/// `[method]fields.append`.
pub fn append(
    h: &mut P2Host,
    (this, name, v): (Borrow<FieldsRes>, String, Vec<u8>),
) -> Result<Result<(), HeaderError>, Trap> {
    let name = match settable_name(&name) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let v = match value(&name, &v) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    Ok(get_mut(h, this.rep())?.map(|map| {
        map.append(name, v);
    }))
}

/// `[method]fields.entries`.
pub fn entries(
    h: &mut P2Host,
    (this,): (Borrow<FieldsRes>,),
) -> Result<Vec<(String, Bytes)>, Trap> {
    let f = get(h, this.rep())?;
    Ok(f.map
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), Bytes(v.as_bytes().to_vec())))
        .collect())
}

/// `[method]fields.clone`: a mutable copy.
pub fn clone(h: &mut P2Host, (this,): (Borrow<FieldsRes>,)) -> Result<Own<FieldsRes>, Trap> {
    let map = get(h, this.rep())?.map.clone();
    Ok(crate::new_fields(h, Fields { map, mutable: true }))
}
