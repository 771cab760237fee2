//! `wasi:http/types@0.3.fields`: the 0.2 `fields` objects and functions
//! (`super::super::fields`: the same `http::HeaderMap`, forbidden names,
//! syntax and immutability rules, in the same slab), under the 0.3
//! resource type and `header-error`.
//!
//! Phase: run time (host functions). Inputs: names and values from the
//! guest. Outputs: `fields` handles, values, `header-error`s.
//!
//! Differences from 0.2 (as Wasmtime 49): `get-and-delete` is new; the
//! `entries` of 0.2 is `copy-all`; a name `delete` refuses is refused by
//! `get-and-delete` too.

use super::super::fields as f2;
use super::super::types::HeaderError;
use super::super::{FieldsRes, state};
use super::{Fields3Res, HeaderError3, TYPES};
use kiln_canon::{Borrow, Own, Trap};
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::io::Bytes;
use kiln_wasi_p2::table::{Impl, host_fn};

/// The 0.3 `fields` functions.
#[rustfmt::skip]
pub const IMPLS: &[Impl] = &[
    (TYPES, "[constructor]fields", host_fn!(new)),
    (TYPES, "[static]fields.from-list", host_fn!(from_list)),
    (TYPES, "[method]fields.get", host_fn!(get)),
    (TYPES, "[method]fields.has", host_fn!(has)),
    (TYPES, "[method]fields.set", host_fn!(set)),
    (TYPES, "[method]fields.delete", host_fn!(delete)),
    (TYPES, "[method]fields.get-and-delete", host_fn!(get_and_delete)),
    (TYPES, "[method]fields.append", host_fn!(append)),
    (TYPES, "[method]fields.copy-all", host_fn!(copy_all)),
    (TYPES, "[method]fields.clone", host_fn!(clone)),
];

fn b(this: &Borrow<Fields3Res>) -> Borrow<FieldsRes> {
    Borrow::new(this.rep())
}

fn own(o: Own<FieldsRes>) -> Own<Fields3Res> {
    Own::new(o.rep())
}

fn err(e: HeaderError) -> HeaderError3 {
    match e {
        HeaderError::InvalidSyntax => HeaderError3::InvalidSyntax,
        HeaderError::Forbidden => HeaderError3::Forbidden,
        HeaderError::Immutable => HeaderError3::Immutable,
    }
}

/// A new `fields` handle (0.3) to `f`.
pub fn new_fields3(h: &mut P2Host, f: f2::Fields) -> Own<Fields3Res> {
    own(crate::new_fields(h, f))
}

/// Takes `fields` `o` out of the host: its map.
pub fn take(h: &mut P2Host, rep: u32) -> Result<http::HeaderMap, Trap> {
    state(h)
        .fields
        .remove(rep)
        .map(|f| f.map)
        .ok_or_else(|| kiln_wasi_p2::io::no_object("fields"))
}

/// `[constructor]fields`.
fn new(h: &mut P2Host, (): ()) -> Result<Own<Fields3Res>, Trap> {
    f2::new(h, ()).map(own)
}

/// `[static]fields.from-list`.
fn from_list(
    h: &mut P2Host,
    (entries,): (Vec<(String, Vec<u8>)>,),
) -> Result<Result<Own<Fields3Res>, HeaderError3>, Trap> {
    Ok(f2::from_list(h, (entries,))?.map(own).map_err(err))
}

/// `[method]fields.get`.
fn get(h: &mut P2Host, (this, name): (Borrow<Fields3Res>, String)) -> Result<Vec<Bytes>, Trap> {
    f2::get_values(h, (b(&this), name))
}

/// `[method]fields.has`.
fn has(h: &mut P2Host, (this, name): (Borrow<Fields3Res>, String)) -> Result<bool, Trap> {
    f2::has(h, (b(&this), name))
}

/// `[method]fields.set`.
fn set(
    h: &mut P2Host,
    (this, name, values): (Borrow<Fields3Res>, String, Vec<Vec<u8>>),
) -> Result<Result<(), HeaderError3>, Trap> {
    Ok(f2::set(h, (b(&this), name, values))?.map_err(err))
}

/// `[method]fields.delete`.
fn delete(
    h: &mut P2Host,
    (this, name): (Borrow<Fields3Res>, String),
) -> Result<Result<(), HeaderError3>, Trap> {
    Ok(f2::delete(h, (b(&this), name))?.map_err(err))
}

/// `[method]fields.get-and-delete`: the values, then `delete`.
fn get_and_delete(
    h: &mut P2Host,
    (this, name): (Borrow<Fields3Res>, String),
) -> Result<Result<Vec<Bytes>, HeaderError3>, Trap> {
    let values = f2::get_values(h, (b(&this), name.clone()))?;
    Ok(f2::delete(h, (b(&this), name))?
        .map(|()| values)
        .map_err(err))
}

/// `[method]fields.append`.
fn append(
    h: &mut P2Host,
    (this, name, v): (Borrow<Fields3Res>, String, Vec<u8>),
) -> Result<Result<(), HeaderError3>, Trap> {
    Ok(f2::append(h, (b(&this), name, v))?.map_err(err))
}

/// `[method]fields.copy-all`.
fn copy_all(h: &mut P2Host, (this,): (Borrow<Fields3Res>,)) -> Result<Vec<(String, Bytes)>, Trap> {
    f2::entries(h, (b(&this),))
}

/// `[method]fields.clone`: a mutable copy.
fn clone(h: &mut P2Host, (this,): (Borrow<Fields3Res>,)) -> Result<Own<Fields3Res>, Trap> {
    f2::clone(h, (b(&this),)).map(own)
}
