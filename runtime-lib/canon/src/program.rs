//! A checked view of the compiler-emitted component descriptor
//! (`kiln_abi::component::program`), read in place at start-up.
//!
//! Phase: start-up of a component executable. Input: the
//! `&'static ComponentDescriptor` that `__kiln_program` points at. Output:
//! a [`Component`] of `'static` record slices and the checked module
//! descriptors of its core modules. Invariant: [`Component::new`] checks
//! magic, ABI version, array addresses and every index a record holds
//! (modules, instances, defs, trampolines), so later code indexes freely;
//! a bad descriptor is a compiler bug reported as one line, never UB.

use kiln_abi::component::program::{
    COMPONENT_MAGIC, ComponentDescriptor, CoreDefDesc, CoreInstanceDesc, DEF_EXPORT,
    DEF_INSTANCE_FLAGS, DEF_TRAMPOLINE, ExportFuncDesc, FuncTypeDesc, ResourceDesc, TrampolineDesc,
};
use kiln_abi::component::{TypeChild, TypeRecord, TypeTable};
use kiln_abi::descriptor::{Addr, ModuleDescriptor};
use kiln_vm::descriptor::{Module, slice};

/// Facts computed once per process, keyed by (type table identity, an
/// index: of a type, function type or module): see [`Component::layout`]
/// and [`Component::memo`].
pub(crate) type TypeFacts<V> = std::cell::RefCell<std::collections::BTreeMap<(usize, u32), V>>;

/// The view (see the module docs).
#[derive(Copy, Clone, Debug)]
pub struct Component {
    /// The descriptor itself.
    pub desc: &'static ComponentDescriptor,
    /// Addresses of the static modules' descriptors.
    pub modules: &'static [Addr],
    /// Core instances in instantiation order.
    pub instances: &'static [CoreInstanceDesc],
    /// The import-binding pool.
    pub defs: &'static [CoreDefDesc],
    /// Trampolines by index.
    pub trampolines: &'static [TrampolineDesc],
    /// Resources by plan index.
    pub resources: &'static [ResourceDesc],
    /// The root's lifted exports.
    pub exports: &'static [ExportFuncDesc],
    /// Function types by plan index.
    pub func_types: &'static [FuncTypeDesc],
    /// The pool of type indices function types point into.
    pub type_lists: &'static [u32],
    records: &'static [TypeRecord],
    children: &'static [TypeChild],
    names: &'static [u8],
}

fn corrupt(what: impl std::fmt::Display) -> String {
    format!("corrupt component descriptor: {what}")
}

impl Component {
    /// Checks `desc` and builds the view.
    ///
    /// # Safety
    /// `desc` must be a descriptor as the compiler emits it (every address
    /// with a non-zero count points to that many records, valid for the
    /// process).
    pub unsafe fn new(desc: &'static ComponentDescriptor) -> Result<Component, String> {
        if desc.magic != COMPONENT_MAGIC {
            return Err(corrupt(format_args!("magic {:#010x}", desc.magic)));
        }
        if desc.abi_version != kiln_abi::ABI_VERSION {
            return Err(format!(
                "this executable was compiled for Kiln runtime ABI version {} but its runtime implements version {}",
                desc.abi_version,
                kiln_abi::ABI_VERSION
            ));
        }
        // SAFETY: the caller's contract.
        let c = unsafe {
            Component {
                desc,
                modules: slice(desc.modules, desc.num_modules),
                instances: slice(desc.instances, desc.num_instances),
                defs: slice(desc.defs, desc.num_defs),
                trampolines: slice(desc.trampolines, desc.num_trampolines),
                resources: slice(desc.resources, desc.num_resources),
                exports: slice(desc.exports, desc.num_exports),
                func_types: slice(desc.func_types, desc.num_func_types),
                type_lists: slice(desc.type_lists, desc.num_type_lists),
                records: slice(desc.types.types, desc.types.num_types),
                children: slice(desc.types.children, desc.types.num_children),
                names: slice(desc.types.names, desc.types.names_len),
            }
        };
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> Result<(), String> {
        if self.modules.contains(&0) {
            return Err(corrupt("a module without descriptor"));
        }
        for (i, inst) in self.instances.iter().enumerate() {
            if inst.module as usize >= self.modules.len() {
                return Err(corrupt(format_args!(
                    "instance {i} of module {}",
                    inst.module
                )));
            }
            if inst.component_instance >= self.desc.num_component_instances {
                return Err(corrupt(format_args!(
                    "instance {i} in component instance {}",
                    inst.component_instance
                )));
            }
            let end = inst.imports_start as usize + inst.num_imports as usize;
            if end > self.defs.len() {
                return Err(corrupt(format_args!("instance {i} imports")));
            }
            for def in &self.defs[inst.imports_start as usize..end] {
                self.check_def(def, i)?;
            }
        }
        for e in self.exports {
            self.check_def(&e.func, self.instances.len())?;
        }
        for r in self.resources {
            if r.has_dtor != 0 {
                self.check_def(&r.dtor, self.instances.len())?;
            }
        }
        self.types()
            .validate()
            .map_err(|e| corrupt(format_args!("type table: {e:?}")))?;
        for ft in self.func_types {
            let ok = |start: u32, n: u32| (start as usize + n as usize) <= self.type_lists.len();
            if !ok(ft.params_start, ft.num_params) || !ok(ft.results_start, ft.num_results) {
                return Err(corrupt("function type lists"));
            }
        }
        Ok(())
    }

    /// A def used by instance `user` may only name earlier instances.
    fn check_def(&self, def: &CoreDefDesc, user: usize) -> Result<(), String> {
        match def.kind {
            DEF_EXPORT if (def.instance as usize) < user => Ok(()),
            DEF_TRAMPOLINE if (def.index as usize) < self.trampolines.len() => Ok(()),
            DEF_INSTANCE_FLAGS if def.index < self.desc.num_component_instances => Ok(()),
            _ => Err(corrupt(format_args!(
                "core definition {def:?} used by instance {user}"
            ))),
        }
    }

    /// The checked module descriptor of static module `i`.
    pub fn module(&self, i: u32) -> Result<Module, String> {
        let addr = self.modules[i as usize];
        // SAFETY: the compiler's module descriptor, valid for the process.
        unsafe { Module::new(&*(addr as usize as *const ModuleDescriptor)) }
    }

    /// The import bindings of core instance `i`.
    pub fn imports_of(&self, inst: &CoreInstanceDesc) -> &'static [CoreDefDesc] {
        &self.defs[inst.imports_start as usize..][..inst.num_imports as usize]
    }

    /// The component type table.
    pub fn types(&self) -> TypeTable<'static> {
        TypeTable::new(self.records, self.children, self.names)
    }

    /// An identity of this component's type table (its records' address):
    /// a key for facts cached about its types.
    pub fn types_id(&self) -> usize {
        self.records.as_ptr() as usize
    }

    /// Size and alignment of type `t` in a 32-bit memory, computed once
    /// per type and process: the host asks for the same few (`wasi:http`'s
    /// results and futures, whose `error-code` has dozens of nested cases)
    /// on every request, and each computation walks the type's whole tree.
    /// The table is the executable's, fixed for the process, so the cache
    /// never goes stale.
    pub fn layout(&self, t: kiln_abi::component::TypeIndex) -> (u32, u32) {
        thread_local! {
            static LAYOUTS: TypeFacts<(u32, u32)> = const {
                std::cell::RefCell::new(std::collections::BTreeMap::new())
            };
        }
        self.memo(&LAYOUTS, t.0, || {
            let types = self.types();
            let p = kiln_abi::component::PtrType::I32;
            (types.elem_size(t, p), types.alignment(t, p))
        })
    }

    /// Whether the elements of stream or future type `ty` are plain bytes
    /// (copied without lifting, `p3::elem::plain`), computed once per type
    /// and process as [`Component::layout`].
    pub fn channel_plain(&self, ty: u32) -> bool {
        thread_local! {
            static PLAIN: TypeFacts<bool> = const {
                std::cell::RefCell::new(std::collections::BTreeMap::new())
            };
        }
        self.memo(&PLAIN, ty, || crate::p3::elem::plain(&self.types(), ty))
    }

    /// Whether the element of stream or future type `ty` contains a
    /// `borrow` (which Kiln does not copy), computed once per type and
    /// process as [`Component::layout`]: every stream and future copy
    /// asks, and the walk decodes the element's whole type tree.
    pub fn channel_borrows(&self, ty: u32) -> bool {
        thread_local! {
            static BORROWS: TypeFacts<bool> = const {
                std::cell::RefCell::new(std::collections::BTreeMap::new())
            };
        }
        self.memo(&BORROWS, ty, || {
            let types = self.types();
            use kiln_abi::component::{Type, TypeIndex};
            match types.get(TypeIndex(ty)) {
                Some(Type::Stream(Some(e)) | Type::Future(Some(e))) => types.contains_borrow(e),
                _ => false,
            }
        })
    }

    /// The fact `cache` holds for index `ty` (a type's, or whatever the
    /// cache is keyed by) of this component, computed by `compute` the
    /// first time it is asked for. The component's tables are the
    /// executable's, fixed for the process, so a fact never goes stale.
    pub(crate) fn memo<V: Copy>(
        &self,
        cache: &'static std::thread::LocalKey<TypeFacts<V>>,
        ty: u32,
        compute: impl FnOnce() -> V,
    ) -> V {
        let key = (self.types_id(), ty);
        if let Some(v) = cache.with(|c| c.borrow().get(&key).copied()) {
            return v;
        }
        let v = compute();
        cache.with(|c| c.borrow_mut().insert(key, v));
        v
    }

    /// Parameter and result types of function type `i`.
    pub fn func_type(&self, i: u32) -> Option<(&'static [u32], &'static [u32])> {
        let ft = self.func_types.get(i as usize)?;
        Some((
            &self.type_lists[ft.params_start as usize..][..ft.num_params as usize],
            &self.type_lists[ft.results_start as usize..][..ft.num_results as usize],
        ))
    }
}
