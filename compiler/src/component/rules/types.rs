//! The type rules of `super` (5, 6 and 7): no `stream<char>`, no value
//! type nested more than 100 levels deep, no borrow in a function result.
//!
//! They apply to every defined value type and function type the validator
//! creates, wherever it is declared (a type section, inside a component or
//! instance type), so besides checking each type-section item, every
//! payload ends with a sweep of the validator's lists of defined and
//! function types: their ids are dense, in creation order, shared by every
//! nested component, and `TypesRef::get` answers `None` past the end.
//!
//! Depth is Wasmtime 49's (wasmparser 0.258's `TypeInfo`): a primitive,
//! flags, enum or handle is 1, a record, variant, list, tuple, option,
//! result, future or stream one more than its deepest member; 100 is the
//! most allowed (`(list u32)` is 2). Function, instance and component types
//! do not count in Wasmtime 49 (checked with the CLI: a function whose
//! parameter is 100 deep, exported, is accepted).
//!
//! A borrow in a function result: 0.243 refuses one already, but does not
//! look inside a `stream` or `future` payload, which 0.258 does
//! (`(func (result (stream (borrow $r))))`; a parameter may hold one, and
//! so may `task.return`'s, in Wasmtime 49).
//!
//! Depths and borrows are computed on demand and remembered per type;
//! `fuel` bounds the recursion (a type more than `MAX_DEPTH` deep is
//! refused anyway), so that a long chain of types cannot exhaust the
//! stack and a shared member is not walked twice.
//!
//! Where a refusal is reported: at the type-section item that defines the
//! type; a type declared inside a component or instance type at the
//! first such item of its section (exact when it is the only one).

use super::invalid;
use crate::CompileError;
use std::collections::HashMap;
use wasmparser::PrimitiveValType;
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentDefinedType, ComponentDefinedTypeId, ComponentFuncTypeId,
    ComponentValType,
};
use wasmparser::types::{TypeIdentifier, TypesRef};

/// The deepest nesting Wasmtime 49 accepts.
const MAX_DEPTH: u32 = 100;

/// What the sweep knows of the types so far.
#[derive(Default)]
pub(in crate::component) struct TypeRules {
    /// Defined types and function types swept.
    swept_defined: u32,
    swept_funcs: u32,
    /// Depth of each defined type computed, by id index.
    depths: HashMap<usize, u32>,
    /// Whether each defined type computed holds a borrow, by id index.
    borrows: HashMap<usize, bool>,
    /// The offset of the first type-section item of the payload that is
    /// not itself a defined or function type (a component or instance
    /// type, which may declare types inside): where those are reported.
    pending: Option<usize>,
}

impl TypeRules {
    /// Checks every type created since the last sweep; a refusal is
    /// reported at the pending type-section item, else at `offset`.
    pub(in crate::component) fn check_new(
        &mut self,
        types: TypesRef<'_>,
        offset: usize,
    ) -> Result<(), CompileError> {
        let at = self.pending.take().unwrap_or(offset);
        while let Some(id) = next(&mut self.swept_defined, |i| {
            let id = ComponentDefinedTypeId::from_index(i);
            types.get(id).map(|_| id)
        }) {
            self.check_defined(types, id, at)?;
        }
        while let Some(id) = next(&mut self.swept_funcs, |i| {
            let id = ComponentFuncTypeId::from_index(i);
            types.get(id).map(|_| id)
        }) {
            self.check_func(types, id, at)?;
        }
        Ok(())
    }

    /// Before 0.243's refusal of `payload` at `refused_at` is reported:
    /// checks the types its earlier items created, which Wasmtime 49
    /// refuses first when one breaks a rule (it checks a type as it
    /// creates it). `first_type` is the component's type count before the
    /// payload; each top-level item of a type section defines the next
    /// type, reported at its own offset; types declared inside the refused
    /// item (an instance or component type) at that item's.
    pub(in crate::component) fn check_refused(
        &mut self,
        types: TypesRef<'_>,
        payload: &wasmparser::Payload<'_>,
        first_type: u32,
        refused_at: usize,
    ) -> Result<(), CompileError> {
        let mut last = refused_at;
        if let wasmparser::Payload::ComponentTypeSection(reader) = payload {
            for (index, item) in (first_type..).zip(reader.clone().into_iter_with_offsets()) {
                let Ok((offset, _)) = item else { break };
                last = offset;
                if offset >= refused_at || index >= types.component_type_count() {
                    break;
                }
                self.check_item(types, types.component_any_type_at(index), offset)?;
            }
        }
        self.pending.get_or_insert(last.min(refused_at));
        self.check_new(types, refused_at)
    }

    /// Checks the type `ty` that the type-section item at `offset` defines.
    pub(in crate::component) fn check_item(
        &mut self,
        types: TypesRef<'_>,
        ty: ComponentAnyTypeId,
        offset: usize,
    ) -> Result<(), CompileError> {
        match ty {
            ComponentAnyTypeId::Defined(id) => self.check_defined(types, id, offset),
            ComponentAnyTypeId::Func(id) => self.check_func(types, id, offset),
            _ => {
                self.pending.get_or_insert(offset);
                Ok(())
            }
        }
    }

    /// Rules 5 and 6 for a defined type.
    fn check_defined(
        &mut self,
        types: TypesRef<'_>,
        id: ComponentDefinedTypeId,
        offset: usize,
    ) -> Result<(), CompileError> {
        if is_stream_of_char(types, &types[id]) {
            return Err(invalid(
                offset,
                "`stream<char>` is not valid at this time, use `stream<u8>` with a defined by \
                 encoding instead for now",
            ));
        }
        if self.depth(types, id, MAX_DEPTH + 1) > MAX_DEPTH {
            return Err(invalid(offset, "type nesting is too deep"));
        }
        Ok(())
    }

    /// Rule 7 for a function type.
    fn check_func(
        &mut self,
        types: TypesRef<'_>,
        id: ComponentFuncTypeId,
        offset: usize,
    ) -> Result<(), CompileError> {
        if let Some(ComponentValType::Type(result)) = types[id].result
            && self.borrows(types, result, MAX_DEPTH + 1)
        {
            return Err(invalid(
                offset,
                "function result cannot contain a `borrow` type",
            ));
        }
        Ok(())
    }

    /// The depth of defined type `id` (see the module docs), more than
    /// `MAX_DEPTH` as `MAX_DEPTH + 1`.
    fn depth(&mut self, types: TypesRef<'_>, id: ComponentDefinedTypeId, fuel: u32) -> u32 {
        if let Some(d) = self.depths.get(&id.index()) {
            return *d;
        }
        if fuel == 0 {
            return MAX_DEPTH + 1;
        }
        let mut d = 1;
        for m in members(&types[id]) {
            let md = match m {
                ComponentValType::Primitive(_) => 1,
                ComponentValType::Type(t) => self.depth(types, t, fuel - 1),
            };
            d = d.max(md.saturating_add(1)).min(MAX_DEPTH + 1);
        }
        self.depths.insert(id.index(), d);
        d
    }

    /// Whether defined type `id` holds a borrow, looking inside stream and
    /// future payloads as Wasmtime 49 does.
    fn borrows(&mut self, types: TypesRef<'_>, id: ComponentDefinedTypeId, fuel: u32) -> bool {
        if let Some(b) = self.borrows.get(&id.index()) {
            return *b;
        }
        if fuel == 0 {
            return false;
        }
        let ty = &types[id];
        let b = matches!(ty, ComponentDefinedType::Borrow(_))
            || members(ty).into_iter().any(|m| match m {
                ComponentValType::Primitive(_) => false,
                ComponentValType::Type(t) => self.borrows(types, t, fuel - 1),
            });
        self.borrows.insert(id.index(), b);
        b
    }
}

/// The next id of a dense list after `*swept`, advancing it.
fn next<T>(swept: &mut u32, get: impl Fn(u32) -> Option<T>) -> Option<T> {
    let id = get(*swept)?;
    *swept += 1;
    Some(id)
}

/// The value types a defined type holds.
fn members(ty: &ComponentDefinedType) -> Vec<ComponentValType> {
    match ty {
        ComponentDefinedType::Primitive(_)
        | ComponentDefinedType::Flags(_)
        | ComponentDefinedType::Enum(_)
        | ComponentDefinedType::Own(_)
        | ComponentDefinedType::Borrow(_) => Vec::new(),
        ComponentDefinedType::Record(r) => r.fields.values().copied().collect(),
        ComponentDefinedType::Variant(v) => v.cases.values().filter_map(|c| c.ty).collect(),
        ComponentDefinedType::Tuple(t) => t.types.to_vec(),
        ComponentDefinedType::List(t)
        | ComponentDefinedType::FixedSizeList(t, _)
        | ComponentDefinedType::Option(t) => vec![*t],
        ComponentDefinedType::Result { ok, err } => ok.iter().chain(err.iter()).copied().collect(),
        ComponentDefinedType::Future(t) | ComponentDefinedType::Stream(t) => {
            t.iter().copied().collect()
        }
    }
}

fn is_stream_of_char(types: TypesRef<'_>, ty: &ComponentDefinedType) -> bool {
    match ty {
        ComponentDefinedType::Stream(Some(ComponentValType::Primitive(p))) => {
            *p == PrimitiveValType::Char
        }
        ComponentDefinedType::Stream(Some(ComponentValType::Type(id))) => matches!(
            types[*id],
            ComponentDefinedType::Primitive(PrimitiveValType::Char)
        ),
        _ => false,
    }
}
