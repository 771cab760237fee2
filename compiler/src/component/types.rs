//! Component function and value types as plain data: wasmparser's validated
//! types -> the shared canonical-ABI type table of
//! [`kiln_abi::component`] plus interned [`FuncType`]s.
//!
//! Phase 1 (WHAT) of the component path, used by `inline/`. Input: a
//! wasmparser `ComponentFuncTypeId` (valid in the root component's `Types`:
//! the type list is shared by every nested component) and a way to name the
//! plan's resource for a wasmparser `ResourceId` (the same wasmparser type
//! can name different resources in two instances of one nested component,
//! so nothing here is cached by wasmparser id). Output: [`TypeIndex`]es into
//! the plan's [`TypeTableBuilder`] (structurally interned; `own`/`borrow`
//! carry plan resource indices), and a [`FuncTypeIndex`] into the plan's
//! function types. Layout and flattening are computed from that table by
//! `kiln_abi::component`, the same code the runtime uses.

use super::plan::{FuncTypeIndex, ResourceIndex};
use crate::CompileError;
use cranelift_entity::PrimaryMap;
use kiln_abi::component::{TypeDef, TypeIndex, TypeTableBuilder};
use wasmparser::component_types::{
    ComponentDefinedType, ComponentFuncTypeId, ComponentValType as WpValType, ResourceId,
};
use wasmparser::{PrimitiveValType, types::TypesRef};

/// A component function type; its value types index the plan's type table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    /// Named parameters, in order.
    pub params: Vec<(String, TypeIndex)>,
    /// The result, if any.
    pub result: Option<TypeIndex>,
    /// `async` function type (component-model async).
    pub async_: bool,
}

/// Converts wasmparser types into the plan's tables, naming resources
/// through `resource`.
pub(super) struct TypeConverter<'t, 'p> {
    pub types: TypesRef<'t>,
    pub table: &'p mut TypeTableBuilder,
    pub func_types: &'p mut PrimaryMap<FuncTypeIndex, FuncType>,
    pub resource: &'p mut dyn FnMut(ResourceId) -> Result<ResourceIndex, CompileError>,
}

fn table_error(e: kiln_abi::component::TypeError) -> CompileError {
    CompileError::Unsupported {
        feature: format!("component type beyond Kiln's limits ({e})"),
        offset: 0,
    }
}

impl TypeConverter<'_, '_> {
    /// The interned index of function type `id`.
    pub fn func(&mut self, id: ComponentFuncTypeId) -> Result<FuncTypeIndex, CompileError> {
        let types = self.types;
        let ty = &types[id];
        let mut params = Vec::with_capacity(ty.params.len());
        for (name, p) in ty.params.iter() {
            params.push((name.to_string(), self.val(p)?));
        }
        let result = match &ty.result {
            Some(r) => Some(self.val(r)?),
            None => None,
        };
        let func = FuncType {
            params,
            result,
            async_: ty.async_,
        };
        if let Some((i, _)) = self.func_types.iter().find(|(_, f)| **f == func) {
            return Ok(i);
        }
        Ok(self.func_types.push(func))
    }

    fn add(&mut self, def: TypeDef<'_>) -> Result<TypeIndex, CompileError> {
        self.table.add(def).map_err(table_error)
    }

    fn opt(&mut self, ty: &Option<WpValType>) -> Result<Option<TypeIndex>, CompileError> {
        match ty {
            Some(t) => Ok(Some(self.val(t)?)),
            None => Ok(None),
        }
    }

    /// The interned index of value type `ty`.
    pub fn val(&mut self, ty: &WpValType) -> Result<TypeIndex, CompileError> {
        let id = match ty {
            WpValType::Primitive(p) => return self.add(primitive(*p)),
            WpValType::Type(id) => *id,
        };
        let types = self.types;
        match &types[id] {
            ComponentDefinedType::Primitive(p) => self.add(primitive(*p)),
            ComponentDefinedType::Record(r) => {
                let mut fields = Vec::with_capacity(r.fields.len());
                for (name, t) in r.fields.iter() {
                    fields.push((name.as_str(), self.val(t)?));
                }
                self.add(TypeDef::Record(&fields))
            }
            ComponentDefinedType::Variant(v) => {
                let mut cases = Vec::with_capacity(v.cases.len());
                for (name, case) in v.cases.iter() {
                    cases.push((name.as_str(), self.opt(&case.ty)?));
                }
                self.add(TypeDef::Variant(&cases))
            }
            ComponentDefinedType::List(t) => {
                let t = self.val(t)?;
                self.add(TypeDef::List(t))
            }
            ComponentDefinedType::FixedSizeList(t, n) => {
                let t = self.val(t)?;
                self.add(TypeDef::FixedList(t, *n))
            }
            ComponentDefinedType::Tuple(t) => {
                let mut items = Vec::with_capacity(t.types.len());
                for t in t.types.iter() {
                    items.push(self.val(t)?);
                }
                self.add(TypeDef::Tuple(&items))
            }
            ComponentDefinedType::Flags(names) => {
                let names: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
                self.add(TypeDef::Flags(&names))
            }
            ComponentDefinedType::Enum(names) => {
                let names: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
                self.add(TypeDef::Enum(&names))
            }
            ComponentDefinedType::Option(t) => {
                let t = self.val(t)?;
                self.add(TypeDef::Option(t))
            }
            ComponentDefinedType::Result { ok, err } => {
                let ok = self.opt(ok)?;
                let err = self.opt(err)?;
                self.add(TypeDef::Result { ok, err })
            }
            ComponentDefinedType::Own(r) => {
                let r = (self.resource)(r.resource())?;
                self.add(TypeDef::Own(r.as_u32()))
            }
            ComponentDefinedType::Borrow(r) => {
                let r = (self.resource)(r.resource())?;
                self.add(TypeDef::Borrow(r.as_u32()))
            }
            ComponentDefinedType::Future(t) => {
                let t = self.opt(t)?;
                self.add(TypeDef::Future(t))
            }
            ComponentDefinedType::Stream(t) => {
                let t = self.opt(t)?;
                self.add(TypeDef::Stream(t))
            }
        }
    }
}

fn primitive(p: PrimitiveValType) -> TypeDef<'static> {
    match p {
        PrimitiveValType::Bool => TypeDef::Bool,
        PrimitiveValType::S8 => TypeDef::S8,
        PrimitiveValType::U8 => TypeDef::U8,
        PrimitiveValType::S16 => TypeDef::S16,
        PrimitiveValType::U16 => TypeDef::U16,
        PrimitiveValType::S32 => TypeDef::S32,
        PrimitiveValType::U32 => TypeDef::U32,
        PrimitiveValType::S64 => TypeDef::S64,
        PrimitiveValType::U64 => TypeDef::U64,
        PrimitiveValType::F32 => TypeDef::F32,
        PrimitiveValType::F64 => TypeDef::F64,
        PrimitiveValType::Char => TypeDef::Char,
        PrimitiveValType::String => TypeDef::String,
        PrimitiveValType::ErrorContext => TypeDef::ErrorContext,
    }
}
