//! Component instantiation at run time: the core instances of a compiled
//! component built in plan order, their imports bound as the descriptor
//! says, and the canonical options filled in; plus the process-wide
//! [`ComponentRuntime`] that lowered-import host functions and resource
//! built-ins reach through their `CanonOpts`.
//!
//! Phase: start-up of a component executable, then every host call.
//! Inputs: the checked [`Component`] view. Outputs: live core instances
//! (never freed: the process exits from inside them), one
//! [`InstanceState`] (flags, handle table) per component instance, and
//! every `CanonOpts` record's address half written:
//! - `memory_def`: the memory's `VMMemoryDefinition`;
//! - `realloc_func`, `post_return_func`, `callback_func`: a leaked
//!   [`GuestFunc`] (runtime-private: compiled code never reads these).
//!
//! Order (observable, design note §2.2): for each core instance in turn,
//! the instance is built, its active segments applied, its start function
//! run; the options naming it are filled right after it is built, before
//! its start function, so a start function may already call lowered
//! imports that use its memory.
//!
//! Threads: a component runs on one thread (component-model threads are
//! refused at compile time); the runtime state is a single-threaded global.

use super::call::InstanceState;
use super::memory::{GuestMemory, Realloc};
use super::program::Component;
use super::trap::{self, Trap};
use crate::instance::{InitError, Instance};
use kiln_abi::ValRaw;
use kiln_abi::component::program::{CoreDefDesc, DEF_EXPORT, DEF_TRAMPOLINE};
use kiln_abi::component::{CanonOpts, INSTANCE_FLAG_MAY_LEAVE};
use kiln_abi::descriptor::{KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE, KIND_TAG, NO_INDEX};
use kiln_abi::vmctx::VMMemoryDefinition;
use std::cell::UnsafeCell;

/// A core function of some core instance, callable from the host through
/// its array-call trampoline: defined functions that are exported or
/// started have one; a linked import has none and is called as the
/// function it is bound to ([`GuestFunc::resolve`]).
#[derive(Copy, Clone, Debug)]
pub struct GuestFunc {
    /// The core instance.
    pub instance: *mut Instance,
    /// Function index in its module.
    pub func: u32,
}

impl GuestFunc {
    /// Calls the function with `values` (arguments in, results out; sized
    /// for the larger). A trap never returns here in an executable.
    ///
    /// # Safety
    /// The instance is live; `values` fits the function's signature.
    pub unsafe fn call(&self, values: &mut [ValRaw]) -> Result<(), Trap> {
        // SAFETY: forwarded to the caller.
        let target = unsafe { self.resolve() }?;
        let inst = target.instance;
        // On the outermost entry every core instance gets the limit: calls
        // cross instances freely (shims, adapters, re-exports).
        let _entry = crate::stack::enter_wasm(|limit| {
            for i in runtime().map(|r| r.core.as_slice()).unwrap_or_default() {
                // SAFETY: live instances; one header field each.
                unsafe { (**i).set_stack_limit(limit) };
            }
            // SAFETY: as above.
            unsafe { (*inst).set_stack_limit(limit) };
        });
        // SAFETY: forwarded to the caller.
        unsafe { crate::invoke::call(inst, target.func, values) }.map_err(trap::trap)
    }

    /// The defined function this one is: itself, or for a linked import
    /// (a start function, export, realloc or destructor that a module
    /// imports, e.g. `(start $imported)`) the export it is bound to, in
    /// turn. The compiler gives linked imports no array-call entry
    /// (`ModuleInfo::array_call_funcs`), so they are called as their
    /// provider. An import bound to a trampoline (a lowered import or
    /// built-in) cannot be called from the host: an error.
    ///
    /// # Safety
    /// The instance is live.
    unsafe fn resolve(&self) -> Result<GuestFunc, Trap> {
        let mut f = *self;
        loop {
            // SAFETY: a live instance (the caller's contract, then the
            // runtime's own instances).
            let module = unsafe { (*f.instance).module() };
            if f.func >= module.desc.num_imported_funcs {
                return Ok(f);
            }
            let unbound = || trap::trap(format!("core function {} is not bound", f.func));
            let rt = runtime().ok_or_else(trap::no_instance)?;
            let c = rt.component;
            let k = rt
                .core
                .iter()
                .position(|&i| i == f.instance)
                .ok_or_else(unbound)?;
            let def = c
                .imports_of(&c.instances[k])
                .iter()
                .zip(module.imports)
                .find(|(_, d)| d.kind == KIND_FUNC && d.index == f.func)
                .map(|(def, _)| def)
                .ok_or_else(unbound)?;
            if def.kind != DEF_EXPORT || def.item_kind != KIND_FUNC {
                return Err(trap::trap(format!(
                    "core function {} is a lowered import or built-in, which Kiln cannot \
                     call from the host (as a start function, export, realloc, post-return \
                     or destructor)",
                    f.func
                )));
            }
            f = GuestFunc {
                instance: *rt.core.get(def.instance as usize).ok_or_else(unbound)?,
                func: def.index,
            };
        }
    }
}

/// `realloc` of a lowering: a [`GuestFunc`] and the memory it allocates in.
pub struct GuestRealloc {
    func: GuestFunc,
    memory: *const VMMemoryDefinition,
}

impl GuestRealloc {
    /// The `realloc` and `memory` options of `opts`, if `realloc` is set.
    pub fn from_opts(opts: &CanonOpts) -> Option<GuestRealloc> {
        (opts.realloc_func != 0).then(|| GuestRealloc {
            // SAFETY: written by `fill_opts` from a leaked `GuestFunc`.
            func: unsafe { *(opts.realloc_func as usize as *const GuestFunc) },
            memory: opts.memory_def as usize as *const VMMemoryDefinition,
        })
    }
}

impl Realloc for GuestRealloc {
    fn realloc(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> Result<u32, Trap> {
        let mut v = [ValRaw::default(); 4];
        for (slot, x) in v.iter_mut().zip([old_ptr, old_size, align, new_size]) {
            slot.0[..4].copy_from_slice(&x.to_le_bytes());
        }
        // SAFETY: `realloc` is `[i32 i32 i32 i32] -> [i32]` (validated by
        // the compiler's plan), its instance lives for the process.
        unsafe { self.func.call(&mut v)? };
        Ok(u32::from_le_bytes([
            v[0].0[0], v[0].0[1], v[0].0[2], v[0].0[3],
        ]))
    }

    fn memory(&self) -> GuestMemory {
        // SAFETY: a live instance's memory definition (or null).
        unsafe { GuestMemory::from_definition(self.memory) }
    }
}

/// Everything the running component's host calls need.
pub struct ComponentRuntime {
    /// The descriptor view.
    pub component: Component,
    /// Core instances built so far, in plan order.
    pub core: Vec<*mut Instance>,
    /// Per component instance: flags and handle table.
    pub states: Vec<InstanceState>,
    /// Per lowered import (by `CanonOpts` address): (host type number,
    /// imported resource index) of the host resources its type names,
    /// computed on first use.
    import_maps: std::collections::HashMap<usize, Vec<(u32, u32)>>,
}

impl ComponentRuntime {
    /// The instance state of the lowered import with options `opts`, with
    /// the import's host-resource map installed for the call (see
    /// `InstanceState::set_import_resources`).
    pub fn prepare_host_call(&mut self, opts: &CanonOpts) -> Result<&mut InstanceState, Trap> {
        let c = self.component;
        let map = Self::import_resources(&mut self.import_maps, c, opts);
        let inst = self
            .states
            .get_mut(opts.component_instance as usize)
            .ok_or_else(trap::no_instance)?;
        inst.set_import_resources(map);
        Ok(inst)
    }

    /// The host-resource map of the lowered import with options `opts`,
    /// computed once per import.
    fn import_resources<'a>(
        maps: &'a mut std::collections::HashMap<usize, Vec<(u32, u32)>>,
        c: Component,
        opts: &CanonOpts,
    ) -> &'a [(u32, u32)] {
        maps.entry(opts as *const CanonOpts as usize)
            .or_insert_with(|| {
                let mut out = Vec::new();
                if let Some((params, results)) = c.func_type(opts.func_type) {
                    let types = c.types();
                    for t in params.iter().chain(results) {
                        collect_host_resources(&c, &types, *t, &mut out, 0);
                    }
                }
                out
            })
    }
}

/// Adds (host type, resource index) for every `own`/`borrow` of a host
/// resource inside type `t`.
fn collect_host_resources(
    c: &Component,
    types: &kiln_abi::component::TypeTable<'_>,
    t: u32,
    out: &mut Vec<(u32, u32)>,
    depth: u32,
) {
    use kiln_abi::component::program::RESOURCE_HOST;
    use kiln_abi::component::{Type, TypeIndex};
    if depth > 100 {
        return;
    }
    let mut walk = |t: Option<TypeIndex>| {
        if let Some(t) = t {
            collect_host_resources(c, types, t.0, out, depth + 1);
        }
    };
    match types.get(TypeIndex(t)) {
        Some(Type::Own(r) | Type::Borrow(r)) => {
            if let Some(d) = c.resources.get(r as usize)
                && d.kind == RESOURCE_HOST
                && !out.contains(&(d.host_type, r))
            {
                out.push((d.host_type, r));
            }
        }
        Some(Type::List(e) | Type::FixedList(e, _) | Type::Option(e)) => walk(Some(e)),
        Some(Type::Result { ok, err }) => {
            walk(ok);
            walk(err);
        }
        Some(Type::Record(ch) | Type::Tuple(ch) | Type::Variant(ch)) => {
            for child in ch.iter() {
                walk(child.ty);
            }
        }
        Some(Type::Stream(e) | Type::Future(e)) => walk(e),
        _ => {}
    }
}

struct Cell(UnsafeCell<Option<ComponentRuntime>>);
// SAFETY: components run on one thread (see the module docs); the cell is
// written once at start-up before any guest code runs.
unsafe impl Sync for Cell {}
static RUNTIME: Cell = Cell(UnsafeCell::new(None));

/// The running component's state, if this process runs one.
pub fn runtime() -> Option<&'static mut ComponentRuntime> {
    // SAFETY: single-threaded use (module docs); callers do not keep the
    // reference across guest calls that could reach another host call's
    // use of the same fields (host functions borrow one instance state at
    // a time).
    unsafe { (*RUNTIME.0.get()).as_mut() }
}

/// The [`InstanceState`] of the component instance `opts` belong to.
pub fn instance_state(opts: &CanonOpts) -> Result<&'static mut InstanceState, Trap> {
    runtime()
        .and_then(|rt| rt.states.get_mut(opts.component_instance as usize))
        .ok_or_else(trap::no_instance)
}

/// Calls the post-return function of a lifted export's `opts`, if it has
/// one, with the core results `values`, with `may_leave` of its component
/// instance cleared: post-return may not call imports (nor resource.new or
/// resource.drop), which trap "cannot leave component instance" as in
/// Wasmtime.
///
/// # Safety
/// `opts` is a filled record of a lifted export; `values` holds its flat
/// core results (post-return's parameters).
pub unsafe fn call_post_return(opts: &CanonOpts, values: &mut [ValRaw]) -> Result<(), Trap> {
    if opts.post_return_func == 0 {
        return Ok(());
    }
    // SAFETY: filled from a leaked `GuestFunc` (`fill_opts`).
    let post = unsafe { *(opts.post_return_func as usize as *const GuestFunc) };
    let saved = instance_state(opts)?.flags();
    instance_state(opts)?.set_flags(saved & !INSTANCE_FLAG_MAY_LEAVE);
    // SAFETY: the caller's contract.
    let result = unsafe { post.call(values) };
    // The state is looked up again: the call may have used it.
    instance_state(opts)?.set_flags(saved);
    result
}

/// Raises `t` from a host function: a wasm trap code traps (status 134 in
/// an executable), anything else is a fatal host error (`Error: ...`,
/// status 1), as wasmtime reports canonical-ABI errors.
pub fn raise(t: Trap) -> ! {
    let message: &'static str = Box::leak(t.message.into_boxed_str());
    // SAFETY: host functions call this with no owned state on their frames
    // that needs dropping (it is leaked, as the process ends or unwinds to
    // an embedding's catcher).
    unsafe { crate::traps::catch::raise(t.code, Some(message)) }
}

/// Builds every core instance of `component` (see the module docs) and
/// installs the [`ComponentRuntime`]. Errors are one-line messages;
/// traps in segments or start functions are reported and exit.
pub fn instantiate(component: Component) -> Result<&'static mut ComponentRuntime, String> {
    let n = component.desc.num_component_instances;
    let rt = ComponentRuntime {
        component,
        core: Vec::with_capacity(component.instances.len()),
        states: (0..n).map(InstanceState::new).collect(),
        import_maps: std::collections::HashMap::new(),
    };
    // SAFETY: start-up, single-threaded, before any guest code.
    unsafe { *RUNTIME.0.get() = Some(rt) };
    let rt = runtime().expect("installed above");
    let mut registered = vec![false; component.modules.len()];
    for (k, inst) in component.instances.iter().enumerate() {
        let module = component.module(inst.module)?;
        if !std::mem::replace(&mut registered[inst.module as usize], true) {
            crate::traps::registry::register_module(module);
        }
        let mut imports = Vec::with_capacity(inst.num_imports as usize);
        // Interned once per instance, and only if a trampoline needs them.
        let mut type_ids = None;
        for (def, desc) in component.imports_of(inst).iter().zip(module.imports) {
            imports.push(bind(rt, &component, def, &module, desc, &mut type_ids)?);
        }
        let instance = Instance::with_imports(module, None, &imports)?;
        let instance = Box::into_raw(instance);
        rt.core.push(instance);
        fill_opts(rt, k as u32)?;
        // SAFETY: the instance was just built; nothing else uses it.
        match unsafe { (*instance).apply_segments() } {
            Ok(()) => {}
            Err(InitError::Trap(code)) => crate::traps::report_host_trap(code),
            Err(InitError::Corrupt(e)) => return Err(e),
        }
        let start = module.desc.start_func;
        if start != NO_INDEX {
            let f = GuestFunc {
                instance,
                func: start,
            };
            // SAFETY: a start function takes and returns nothing.
            unsafe { f.call(&mut [ValRaw::default()]) }.map_err(|t| t.message)?;
        }
    }
    Ok(rt)
}

/// The import value for binding `def` to import `desc` of `module`.
fn bind(
    rt: &mut ComponentRuntime,
    component: &Component,
    def: &CoreDefDesc,
    module: &crate::descriptor::Module,
    desc: &kiln_abi::descriptor::ImportDesc,
    type_ids: &mut Option<Vec<u32>>,
) -> Result<crate::instance::Import, String> {
    use crate::instance::Import;
    let bad = || format!("corrupt component descriptor: binding {def:?}");
    match def.kind {
        DEF_TRAMPOLINE => {
            let t = component
                .trampolines
                .get(def.index as usize)
                .ok_or_else(bad)?;
            if desc.kind != KIND_FUNC {
                return Err(bad());
            }
            // The trampoline has exactly the import's type (the compiler
            // checks it), so the importer's own id for that type is right.
            let ty = module
                .funcs
                .get(desc.index as usize)
                .map(|f| f.type_index)
                .ok_or_else(bad)?;
            let ids = type_ids.get_or_insert_with(|| crate::ref_types::module_type_ids(module));
            Ok(Import::Func {
                wasm_call: t.wasm_call as usize as *const u8,
                type_id: *ids.get(ty as usize).ok_or_else(bad)?,
                vmctx: t.opts as usize as *mut u8,
            })
        }
        DEF_EXPORT => {
            let owner = *rt.core.get(def.instance as usize).ok_or_else(bad)?;
            // SAFETY: a live instance built earlier; not otherwise borrowed.
            let owner = unsafe { &mut *owner };
            match def.item_kind {
                KIND_FUNC => {
                    let r = owner.func_ref(def.index).ok_or_else(bad)?;
                    // SAFETY: a live instance's function reference.
                    let r = unsafe { &*r };
                    Ok(Import::Func {
                        wasm_call: r.wasm_call,
                        type_id: r.type_id,
                        vmctx: r.vmctx,
                    })
                }
                KIND_MEMORY => {
                    let (owner, index) = owner.memory_owner(def.index).ok_or_else(bad)?;
                    Ok(Import::Memory { owner, index })
                }
                KIND_TABLE => {
                    let (owner, index) = owner.table_owner(def.index).ok_or_else(bad)?;
                    Ok(Import::Table { owner, index })
                }
                KIND_GLOBAL => Ok(Import::Global(owner.global(def.index).ok_or_else(bad)?)),
                KIND_TAG => {
                    // SAFETY: the owner's own context.
                    let tag = unsafe {
                        crate::exceptions::tags::tag_of(owner.module(), owner.vmctx(), def.index)
                    };
                    if tag.is_null() {
                        return Err(bad());
                    }
                    Ok(Import::Tag(tag))
                }
                _ => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

/// Writes the address half of every `CanonOpts` whose items live in core
/// instance `k` (just built).
fn fill_opts(rt: &mut ComponentRuntime, k: u32) -> Result<(), String> {
    let c = rt.component;
    let records = c
        .trampolines
        .iter()
        .map(|t| t.opts)
        .chain(c.exports.iter().map(|e| e.opts));
    for addr in records {
        if addr == 0 {
            continue;
        }
        // SAFETY: the compiler's writable `CanonOpts` record; no guest code
        // reads it (only host functions, which are not running now).
        let opts = unsafe { &mut *(addr as usize as *mut CanonOpts) };
        let instance = |r: kiln_abi::component::CoreItemRef| {
            (r.is_some() && r.instance == k).then(|| rt.core[k as usize])
        };
        if let Some(i) = instance(opts.memory) {
            // SAFETY: live instance.
            let def = unsafe { (*i).memory_definition(opts.memory.index) }
                .ok_or_else(|| format!("corrupt component descriptor: memory {:?}", opts.memory))?;
            opts.memory_def = def as usize as u64;
        }
        let func = |r: kiln_abi::component::CoreItemRef| {
            instance(r).map(|i| {
                Box::leak(Box::new(GuestFunc {
                    instance: i,
                    func: r.index,
                })) as *const GuestFunc as usize as u64
            })
        };
        if let Some(f) = func(opts.realloc) {
            opts.realloc_func = f;
        }
        if let Some(f) = func(opts.post_return) {
            opts.post_return_func = f;
        }
        if let Some(f) = func(opts.callback) {
            opts.callback_func = f;
        }
    }
    Ok(())
}
