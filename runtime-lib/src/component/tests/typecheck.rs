//! Host types against a plan's type table.

use super::*;
use crate::component::abi::TypeDef;
use crate::component::typecheck::host_type_matches;
use crate::component::{Own, Resource, ResourceType};

pub struct IoError;
impl Resource for IoError {
    const TYPE: ResourceType = ResourceType::Host(40);
}

crate::wit_variant! {
    pub enum StreamError { LastOperationFailed(Own<IoError>) = "last-operation-failed", Closed = "closed" }
}

crate::wit_record! {
    pub struct Pair { pub first_field: u32, pub second: String }
}

/// Plan resource 3 is the host's type 40.
fn map(plan: u32, host: u32) -> bool {
    (plan, host) == (3, 40)
}

#[test]
fn matching_types_match() {
    let mut b = TypeTableBuilder::new();
    let u8_ = b.add(TypeDef::U8).unwrap();
    let list = b.add(TypeDef::List(u8_)).unwrap();
    let own = b.add(TypeDef::Own(3)).unwrap();
    let err = b
        .add(TypeDef::Variant(&[
            ("last-operation-failed", Some(own)),
            ("closed", None),
        ]))
        .unwrap();
    let res = b
        .add(TypeDef::Result {
            ok: Some(list),
            err: Some(err),
        })
        .unwrap();
    let u32_ = b.add(TypeDef::U32).unwrap();
    let s = b.add(TypeDef::String).unwrap();
    let pair = b
        .add(TypeDef::Record(&[("first-field", u32_), ("second", s)]))
        .unwrap();
    let unit_res = b
        .add(TypeDef::Result {
            ok: None,
            err: Some(err),
        })
        .unwrap();
    let t = b.table();
    assert!(host_type_matches::<Result<Vec<u8>, StreamError>>(
        &t, res, &mut map
    ));
    assert!(host_type_matches::<Result<(), StreamError>>(
        &t, unit_res, &mut map
    ));
    assert!(host_type_matches::<Pair>(&t, pair, &mut map));
    assert!(host_type_matches::<Own<IoError>>(&t, own, &mut map));

    // Mismatches: another resource, another payload, another shape.
    assert!(!host_type_matches::<Own<IoError>>(&t, own, &mut |_, _| {
        false
    }));
    assert!(!host_type_matches::<Result<Vec<u16>, StreamError>>(
        &t, res, &mut map
    ));
    assert!(!host_type_matches::<Result<u8, StreamError>>(
        &t, unit_res, &mut map
    ));
    assert!(!host_type_matches::<(u32, String)>(&t, pair, &mut map));
    assert!(!host_type_matches::<u32>(&t, s, &mut map));
}

#[test]
fn names_and_order_matter() {
    let mut b = TypeTableBuilder::new();
    let u32_ = b.add(TypeDef::U32).unwrap();
    let s = b.add(TypeDef::String).unwrap();
    let renamed = b
        .add(TypeDef::Record(&[("first", u32_), ("second", s)]))
        .unwrap();
    let own = b.add(TypeDef::Own(3)).unwrap();
    let swapped = b
        .add(TypeDef::Variant(&[
            ("closed", None),
            ("last-operation-failed", Some(own)),
        ]))
        .unwrap();
    let t = b.table();
    assert!(!host_type_matches::<Pair>(&t, renamed, &mut map));
    assert!(!host_type_matches::<StreamError>(&t, swapped, &mut map));
}
