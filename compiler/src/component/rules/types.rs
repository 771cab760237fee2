//! The type rules of `super` (5 and 6): no `stream<char>`, and no value
//! type nested more than 100 levels deep.
//!
//! Both apply to every defined value type the validator creates, wherever
//! it is declared (a type section, inside a component or instance type),
//! so they are checked by sweeping the validator's list of defined types:
//! their ids are dense, in creation order, shared by every nested
//! component, and `TypesRef::get` answers `None` past the end. A type's
//! members are created before it, so one pass in id order knows every
//! member's depth when it reaches a type.
//!
//! Depth is Wasmtime 49's (wasmparser 0.258's `TypeInfo`): a primitive,
//! flags, enum or handle is 1, a record, variant, list, tuple, option,
//! result, future or stream one more than its deepest member; 100 is the
//! most allowed (`(list u32)` is 2). Function, instance and component types
//! do not count in Wasmtime 49 (checked with the CLI: a function whose
//! parameter is 100 deep, exported, is accepted).
//!
//! Where a refusal is reported: at the item of a type section that
//! defines the type; a type declared inside a component or instance type
//! at the first such item since the last defined type (exact when that
//! item is the only one).

use super::invalid;
use crate::CompileError;
use wasmparser::PrimitiveValType;
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentDefinedType, ComponentDefinedTypeId, ComponentValType,
};
use wasmparser::types::{TypeIdentifier, TypesRef};

/// The deepest nesting Wasmtime 49 accepts.
const MAX_DEPTH: u32 = 100;

/// The depth of every defined type swept so far, by id.
#[derive(Default)]
pub(in crate::component) struct TypeRules {
    depths: Vec<u32>,
    /// The offset of the first type-section item since the last defined
    /// one (a component, instance or function type, which may declare
    /// defined types inside): where those are reported.
    pending: Option<usize>,
}

impl TypeRules {
    /// Checks the defined types created since the last sweep; a refusal
    /// is reported at `offset` (or at the pending type-section item).
    pub(in crate::component) fn check_new(
        &mut self,
        types: TypesRef<'_>,
        offset: usize,
    ) -> Result<(), CompileError> {
        let at = self.pending.take().unwrap_or(offset);
        self.sweep(types, u32::MAX, at)
    }

    /// Checks the type `ty` defined by the type-section item at `offset`
    /// (a defined type is swept at once, with the types declared inside
    /// the items before it).
    pub(in crate::component) fn check_item(
        &mut self,
        types: TypesRef<'_>,
        ty: ComponentAnyTypeId,
        offset: usize,
    ) -> Result<(), CompileError> {
        match ty {
            ComponentAnyTypeId::Defined(id) => {
                let last = u32::try_from(id.index()).unwrap_or(u32::MAX);
                if let (Some(at), Some(before)) = (self.pending.take(), last.checked_sub(1)) {
                    self.sweep(types, before, at)?;
                }
                self.sweep(types, last, offset)
            }
            _ => {
                self.pending.get_or_insert(offset);
                Ok(())
            }
        }
    }

    /// Checks the defined types from the first not yet checked up to id
    /// `last` (or the end of the list).
    fn sweep(&mut self, types: TypesRef<'_>, last: u32, offset: usize) -> Result<(), CompileError> {
        loop {
            let Ok(next) = u32::try_from(self.depths.len()) else {
                return Ok(());
            };
            if next > last {
                return Ok(());
            }
            let Some(ty) = types.get(ComponentDefinedTypeId::from_index(next)) else {
                return Ok(());
            };
            if is_stream_of_char(types, ty) {
                return Err(invalid(
                    offset,
                    "`stream<char>` is not valid at this time, use `stream<u8>` with a \
                     defined by encoding instead for now",
                ));
            }
            let depth = self.depth_of(ty);
            self.depths.push(depth);
            if depth > MAX_DEPTH {
                return Err(invalid(offset, "type nesting is too deep"));
            }
        }
    }

    /// The depth of `ty`, whose members are all swept.
    fn depth_of(&self, ty: &ComponentDefinedType) -> u32 {
        let member = |t: &ComponentValType| match t {
            ComponentValType::Primitive(_) => 1,
            // A member not swept cannot happen (members come first); if it
            // did, counting it as a primitive only makes the check laxer.
            ComponentValType::Type(id) => self.depths.get(id.index()).copied().unwrap_or(1),
        };
        let deepest = |members: &mut dyn Iterator<Item = u32>| members.max().map_or(1, |d| d + 1);
        match ty {
            ComponentDefinedType::Primitive(_)
            | ComponentDefinedType::Flags(_)
            | ComponentDefinedType::Enum(_)
            | ComponentDefinedType::Own(_)
            | ComponentDefinedType::Borrow(_) => 1,
            ComponentDefinedType::Record(r) => deepest(&mut r.fields.values().map(member)),
            ComponentDefinedType::Variant(v) => {
                deepest(&mut v.cases.values().filter_map(|c| c.ty.as_ref()).map(member))
            }
            ComponentDefinedType::Tuple(t) => deepest(&mut t.types.iter().map(member)),
            ComponentDefinedType::List(t)
            | ComponentDefinedType::FixedSizeList(t, _)
            | ComponentDefinedType::Option(t) => member(t) + 1,
            ComponentDefinedType::Result { ok, err } => {
                deepest(&mut ok.iter().chain(err.iter()).map(member))
            }
            ComponentDefinedType::Future(t) | ComponentDefinedType::Stream(t) => {
                deepest(&mut t.iter().map(member))
            }
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
