//! Wasmtime 49's numbering of resource tables and of tuple types, for the
//! adapter model.
//!
//! Phase 1 (WHAT), driven by `inline/` as it replays the component.
//! Input: wasmparser's types at each place Wasmtime's inliner converts one
//! (root imports, `canon lower`/`lift`, resource and async built-ins,
//! instantiation arguments, synthetic and finished instances, a nested
//! component's type exports). Output: [`ResourceTables::tables`], the
//! table number Wasmtime gives each plan resource in each component
//! instance that converted it, and from [`Conversion::func`] the number of
//! a function type's result tuple.
//!
//! Why: a fused adapter moving an `own` or `borrow` passes both tables'
//! numbers to Wasmtime's transfer intrinsic as `i32.const`s, one byte below
//! 64 and two from 64 on, and an adapter of an `async` call passes the
//! number of its results' tuple type to its `prepare-call` intrinsic the
//! same way, so the offsets of everything after them in Wasmtime's adapter
//! module (which Kiln's backtraces reproduce, see `adapter::fact`) depend
//! on the numbers.
//!
//! How Wasmtime numbers them: a table per resource type per component
//! instance, allocated the first time a type mentioning the resource is
//! converted; types are converted structurally, every time (parameters
//! before results, fields and cases in order, an instance's exports in
//! order), and the record of which resources have tables is snapshotted
//! when a nested component's instantiation starts and restored when it
//! ends (so a second instance of one component gets tables of its own).
//! Tuple types (a function's parameters and its results each make one,
//! after all their types are converted) are interned for the whole
//! component: equal shapes (names, and the tables or instances a resource,
//! stream, future or error context is numbered in, included) share a
//! number, numbered at first conversion.
//!
//! Invariant: nothing here changes what Kiln compiles; a wrong number only
//! moves a backtrace's offsets.

use super::plan::{ResourceIndex, RuntimeComponentInstanceIndex};
use std::collections::{BTreeMap, HashMap};
use wasmparser::PrimitiveValType;
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
    /// Tuple types interned so far, numbered in order.
    tuples: HashMap<Vec<Shape>, u32>,
    /// Stream and future tables: one per payload shape per component
    /// instance, numbered in order (two number spaces); error-context
    /// tables: one per instance.
    streams: HashMap<(Option<Shape>, u32), u32>,
    futures: HashMap<(Option<Shape>, u32), u32>,
    error_contexts: HashMap<u32, u32>,
    /// What adapters need of those: see [`HandleNumbers`].
    handle_tables: HandleNumbers,
}

/// Wasmtime's stream, future or error-context table of each (plan type,
/// component instance) that a `canon lower` or `lift` converted: the
/// tables an adapter's transfer intrinsic moves such a value between.
pub(super) type HandleNumbers = BTreeMap<(u32, u32), u32>;

/// A converted value type as Wasmtime interns it: equal shapes are one
/// type, so one tuple number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) enum Shape {
    Primitive(u8),
    Record(Vec<(String, Shape)>),
    Variant(Vec<(String, Option<Shape>)>),
    /// An interned tuple's number.
    Tuple(u32),
    List(Box<Shape>),
    FixedList(Box<Shape>, u32),
    Flags(Vec<String>),
    Enum(Vec<String>),
    Option(Box<Shape>),
    Result(Option<Box<Shape>>, Option<Box<Shape>>),
    /// Resource tables.
    Own(u32),
    Borrow(u32),
    /// Stream, future and error-context tables (each of a payload and a
    /// component instance).
    Future(u32),
    Stream(u32),
    ErrorContext(u32),
}

/// One conversion: the walk of a type, noting which resources it met.
pub(super) struct Conversion<'r, 't> {
    tables: &'r mut ResourceTables,
    types: TypesRef<'t>,
    /// The component instance converting (stream, future and error-context
    /// types are numbered per instance).
    instance: u32,
    /// Resource ids met, with their tables, in order.
    met: Vec<(ResourceId, u32)>,
    /// Stream, future and error-context tables met outside payloads of
    /// streams and futures (the values an adapter moves), in order.
    handles: Vec<u32>,
    /// Depth inside stream and future payloads.
    payload: u32,
}

impl ResourceTables {
    /// Starts converting types (of wasmparser's `types`) in component
    /// instance `instance`.
    pub fn convert<'r, 't>(
        &'r mut self,
        types: TypesRef<'t>,
        instance: RuntimeComponentInstanceIndex,
    ) -> Conversion<'r, 't> {
        Conversion {
            tables: self,
            types,
            instance: instance.as_u32(),
            met: Vec::new(),
            handles: Vec::new(),
            payload: 0,
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

    /// Notes the tables of the streams, futures and error contexts
    /// `handles` (a conversion's) as those of `types` (the plan's
    /// stream, future and error-context types the same type holds, in the
    /// same order; nothing if the counts differ) in component instance
    /// `instance`.
    pub fn bind_handles(
        &mut self,
        handles: &[u32],
        types: &[u32],
        instance: RuntimeComponentInstanceIndex,
    ) {
        if handles.len() != types.len() {
            return;
        }
        for (table, ty) in handles.iter().zip(types) {
            self.handle_tables
                .entry((*ty, instance.as_u32()))
                .or_insert(*table);
        }
    }

    /// See [`HandleNumbers`].
    pub fn handle_tables(&self) -> &HandleNumbers {
        &self.handle_tables
    }
}

impl Conversion<'_, '_> {
    /// The resources met, with their tables, and the stream, future and
    /// error-context tables met.
    pub fn met(self) -> (Vec<(ResourceId, u32)>, Vec<u32>) {
        (self.met, self.handles)
    }

    /// Numbers a stream, future or error-context table (`key` in `space`).
    fn handle<K: std::hash::Hash + Eq>(
        &mut self,
        space: fn(&mut ResourceTables) -> &mut HashMap<K, u32>,
        key: K,
    ) -> u32 {
        let map = space(self.tables);
        let next = map.len() as u32;
        let table = *map.entry(key).or_insert(next);
        if self.payload == 0 {
            self.handles.push(table);
        }
        table
    }

    fn payload(&mut self, ty: &Option<ComponentValType>) -> Option<Shape> {
        self.payload += 1;
        let shape = ty.as_ref().map(|t| self.val(t));
        self.payload -= 1;
        shape
    }

    pub fn resource(&mut self, id: ResourceId) -> u32 {
        let t = &mut *self.tables;
        let table = *t.seen.entry(id).or_insert_with(|| {
            t.count += 1;
            t.count - 1
        });
        self.met.push((id, table));
        table
    }

    /// Converts a function type; returns the numbers of its parameters'
    /// and its results' tuple types.
    pub fn func(&mut self, id: ComponentFuncTypeId) -> (u32, u32) {
        let types = self.types;
        let ty = &types[id];
        let params: Vec<Shape> = ty.params.iter().map(|(_, p)| self.val(p)).collect();
        let results: Vec<Shape> = ty.result.iter().map(|r| self.val(r)).collect();
        (self.tuple(params), self.tuple(results))
    }

    /// Interns the tuple type of `types`; returns its number.
    pub fn tuple(&mut self, types: Vec<Shape>) -> u32 {
        let tuples = &mut self.tables.tuples;
        let next = tuples.len() as u32;
        *tuples.entry(types).or_insert(next)
    }

    pub fn val(&mut self, ty: &ComponentValType) -> Shape {
        match ty {
            ComponentValType::Primitive(PrimitiveValType::ErrorContext) => {
                let inst = self.instance;
                Shape::ErrorContext(self.handle(|t| &mut t.error_contexts, inst))
            }
            ComponentValType::Primitive(p) => Shape::Primitive(*p as u8),
            ComponentValType::Type(id) => self.defined(*id),
        }
    }

    fn opt(&mut self, ty: &Option<ComponentValType>) -> Option<Box<Shape>> {
        ty.as_ref().map(|t| Box::new(self.val(t)))
    }

    fn defined(&mut self, id: ComponentDefinedTypeId) -> Shape {
        let types = self.types;
        let names = |n: &mut dyn Iterator<Item = &str>| n.map(str::to_string).collect();
        match &types[id] {
            ComponentDefinedType::Primitive(p) => self.val(&ComponentValType::Primitive(*p)),
            ComponentDefinedType::Flags(f) => {
                Shape::Flags(names(&mut f.iter().map(|n| n.as_str())))
            }
            ComponentDefinedType::Enum(e) => Shape::Enum(names(&mut e.iter().map(|n| n.as_str()))),
            ComponentDefinedType::Record(r) => Shape::Record(
                r.fields
                    .iter()
                    .map(|(n, t)| (n.to_string(), self.val(t)))
                    .collect(),
            ),
            ComponentDefinedType::Variant(v) => Shape::Variant(
                v.cases
                    .iter()
                    .map(|(n, case)| (n.to_string(), self.opt(&case.ty).map(|b| *b)))
                    .collect(),
            ),
            ComponentDefinedType::Tuple(t) => {
                let shapes = t.types.iter().map(|t| self.val(t)).collect();
                Shape::Tuple(self.tuple(shapes))
            }
            ComponentDefinedType::List(t) => Shape::List(Box::new(self.val(t))),
            ComponentDefinedType::FixedSizeList(t, n) => {
                Shape::FixedList(Box::new(self.val(t)), *n)
            }
            ComponentDefinedType::Option(t) => Shape::Option(Box::new(self.val(t))),
            ComponentDefinedType::Result { ok, err } => {
                let ok = self.opt(ok);
                Shape::Result(ok, self.opt(err))
            }
            ComponentDefinedType::Own(r) => Shape::Own(self.resource(r.resource())),
            ComponentDefinedType::Borrow(r) => Shape::Borrow(self.resource(r.resource())),
            ComponentDefinedType::Future(t) => {
                let key = (self.payload(t), self.instance);
                Shape::Future(self.handle(|t| &mut t.futures, key))
            }
            ComponentDefinedType::Stream(t) => {
                let key = (self.payload(t), self.instance);
                Shape::Stream(self.handle(|t| &mut t.streams, key))
            }
        }
    }

    pub fn entity(&mut self, ty: ComponentEntityType) {
        match ty {
            ComponentEntityType::Module(_) | ComponentEntityType::Value(_) => {}
            ComponentEntityType::Func(id) => {
                self.func(id);
            }
            ComponentEntityType::Instance(id) => self.instance(id),
            ComponentEntityType::Component(id) => self.component(id),
            ComponentEntityType::Type { created, .. } => self.any(created),
        }
    }

    pub fn any(&mut self, id: ComponentAnyTypeId) {
        match id {
            ComponentAnyTypeId::Resource(r) => {
                self.resource(r.resource());
            }
            ComponentAnyTypeId::Defined(id) => {
                self.defined(id);
            }
            ComponentAnyTypeId::Func(id) => {
                self.func(id);
            }
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
