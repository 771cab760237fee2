//! Wasmtime 49's numbering of resource tables, for the adapter model.
//!
//! Phase 1 (WHAT), driven by `inline/` as it replays the component.
//! Input: wasmparser's types at each place Wasmtime's inliner converts one
//! (root imports, `canon lower`/`lift`, resource and async built-ins,
//! instantiation arguments, synthetic and finished instances, a nested
//! component's type exports). Output: [`ResourceTables::tables`], the
//! table number Wasmtime gives each plan resource in each component
//! instance that converted it.
//!
//! Why: a fused adapter moving an `own` or `borrow` passes both tables'
//! numbers to Wasmtime's transfer intrinsic as `i32.const`s, one byte below
//! 64 and two from 64 on, so the offsets of everything after them in
//! Wasmtime's adapter module (which Kiln's backtraces reproduce, see
//! `adapter::fact`) depend on the numbers.
//!
//! How Wasmtime numbers them: a table per resource type per component
//! instance, allocated the first time a type mentioning the resource is
//! converted; types are converted structurally, every time (parameters
//! before results, fields and cases in order, an instance's exports in
//! order), and the record of which resources have tables is snapshotted
//! when a nested component's instantiation starts and restored when it
//! ends (so a second instance of one component gets tables of its own).
//!
//! Invariant: nothing here changes what Kiln compiles; a wrong number only
//! moves a backtrace's offsets.

use super::plan::{ResourceIndex, RuntimeComponentInstanceIndex};
use std::collections::{BTreeMap, HashMap};
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentDefinedType, ComponentDefinedTypeId, ComponentEntityType,
    ComponentFuncTypeId, ComponentInstanceTypeId, ComponentTypeId, ComponentValType, ResourceId,
};
use wasmparser::types::TypesRef;

/// Wasmtime's resource table of each (plan resource, component instance)
/// that a `canon lower` or `lift` converted (the resource as an `own`'s or
/// `borrow`'s `u32`): the types adapters move.
pub(super) type TableNumbers = BTreeMap<(u32, u32), u32>;

/// The replay's state of Wasmtime's resource tables.
#[derive(Default)]
pub(super) struct ResourceTables {
    /// Tables allocated so far.
    count: u32,
    /// The table of each resource converted in the current scope.
    seen: HashMap<ResourceId, u32>,
    /// `seen` as each nested instantiation in progress found it.
    snapshots: Vec<HashMap<ResourceId, u32>>,
    /// What adapters need (the first table, should two resource ids of
    /// one instance name the same resource).
    tables: TableNumbers,
}

/// One conversion: the walk of a type, noting which resources it met.
pub(super) struct Conversion<'r, 't> {
    tables: &'r mut ResourceTables,
    types: TypesRef<'t>,
    /// Resource ids met, with their tables, in order.
    met: Vec<(ResourceId, u32)>,
}

impl ResourceTables {
    /// Starts converting types (of wasmparser's `types`).
    pub fn convert<'r, 't>(&'r mut self, types: TypesRef<'t>) -> Conversion<'r, 't> {
        Conversion {
            tables: self,
            types,
            met: Vec::new(),
        }
    }

    /// A nested component's instantiation starts.
    pub fn push(&mut self) {
        self.snapshots.push(self.seen.clone());
    }

    /// The nested component's instantiation ended.
    pub fn pop(&mut self) {
        if let Some(s) = self.snapshots.pop() {
            self.seen = s;
        }
    }

    /// Notes the tables of the resources `met` (a conversion's) in
    /// component instance `instance`, naming each resource as `plan` does
    /// (unknown ones are skipped).
    pub fn bind(
        &mut self,
        met: &[(ResourceId, u32)],
        instance: RuntimeComponentInstanceIndex,
        mut plan: impl FnMut(ResourceId) -> Option<ResourceIndex>,
    ) {
        for (id, table) in met {
            if let Some(r) = plan(*id) {
                self.tables
                    .entry((r.as_u32(), instance.as_u32()))
                    .or_insert(*table);
            }
        }
    }

    /// See [`TableNumbers`].
    pub fn tables(&self) -> &TableNumbers {
        &self.tables
    }
}

impl Conversion<'_, '_> {
    /// The resources met, with their tables.
    pub fn met(self) -> Vec<(ResourceId, u32)> {
        self.met
    }

    pub fn resource(&mut self, id: ResourceId) {
        let t = &mut *self.tables;
        let table = *t.seen.entry(id).or_insert_with(|| {
            t.count += 1;
            t.count - 1
        });
        self.met.push((id, table));
    }

    pub fn func(&mut self, id: ComponentFuncTypeId) {
        let types = self.types;
        let ty = &types[id];
        for (_, p) in ty.params.iter() {
            self.val(p);
        }
        if let Some(r) = &ty.result {
            self.val(r);
        }
    }

    pub fn val(&mut self, ty: &ComponentValType) {
        if let ComponentValType::Type(id) = ty {
            self.defined(*id);
        }
    }

    fn opt(&mut self, ty: &Option<ComponentValType>) {
        if let Some(t) = ty {
            self.val(t);
        }
    }

    fn defined(&mut self, id: ComponentDefinedTypeId) {
        let types = self.types;
        match &types[id] {
            ComponentDefinedType::Primitive(_)
            | ComponentDefinedType::Flags(_)
            | ComponentDefinedType::Enum(_) => {}
            ComponentDefinedType::Record(r) => {
                for (_, t) in r.fields.iter() {
                    self.val(t);
                }
            }
            ComponentDefinedType::Variant(v) => {
                for (_, case) in v.cases.iter() {
                    self.opt(&case.ty);
                }
            }
            ComponentDefinedType::Tuple(t) => {
                for t in t.types.iter() {
                    self.val(t);
                }
            }
            ComponentDefinedType::List(t)
            | ComponentDefinedType::FixedSizeList(t, _)
            | ComponentDefinedType::Option(t) => self.val(t),
            ComponentDefinedType::Result { ok, err } => {
                self.opt(ok);
                self.opt(err);
            }
            ComponentDefinedType::Own(r) | ComponentDefinedType::Borrow(r) => {
                self.resource(r.resource())
            }
            ComponentDefinedType::Future(t) | ComponentDefinedType::Stream(t) => self.opt(t),
        }
    }

    pub fn entity(&mut self, ty: ComponentEntityType) {
        match ty {
            ComponentEntityType::Module(_) | ComponentEntityType::Value(_) => {}
            ComponentEntityType::Func(id) => self.func(id),
            ComponentEntityType::Instance(id) => self.instance(id),
            ComponentEntityType::Component(id) => self.component(id),
            ComponentEntityType::Type { created, .. } => self.any(created),
        }
    }

    pub fn any(&mut self, id: ComponentAnyTypeId) {
        match id {
            ComponentAnyTypeId::Resource(r) => self.resource(r.resource()),
            ComponentAnyTypeId::Defined(id) => self.defined(id),
            ComponentAnyTypeId::Func(id) => self.func(id),
            ComponentAnyTypeId::Instance(id) => self.instance(id),
            ComponentAnyTypeId::Component(id) => self.component(id),
        }
    }

    pub fn instance(&mut self, id: ComponentInstanceTypeId) {
        let types = self.types;
        for (_, t) in types[id].exports.iter() {
            self.entity(*t);
        }
    }

    fn component(&mut self, id: ComponentTypeId) {
        let types = self.types;
        let ty = &types[id];
        for (_, t) in ty.imports.iter() {
            self.entity(*t);
        }
        for (_, t) in ty.exports.iter() {
            self.entity(*t);
        }
    }
}
