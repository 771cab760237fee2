//! Component instantiation at run time: the core instances of a compiled
//! component built in plan order, their imports bound as the descriptor
//! says, and the canonical options filled in, into the
//! [`ComponentRuntime`] that lowered-import host functions and resource
//! built-ins reach through their `CanonOpts`; and the calls from the host
//! into the component's core functions ([`GuestFunc`]).
//!
//! Phase: start-up of a component executable, then every host call.
//! Inputs: the checked [`Component`] view. Outputs: live core instances
//! (freed only by `super::runtime::uninstall`: a command's process exits
//! from inside them), one
//! [`InstanceState`] (flags, handle table) per component instance, and
//! every `CanonOpts` record's address half written:
//! - `memory_def`: the memory's `VMMemoryDefinition`;
//! - `realloc_func`, `post_return_func`, `callback_func`: a leaked
//!   [`GuestFunc`] (runtime-private: compiled code never reads these),
//!   one per record for the process: a later instantiation rewrites it.
//!
//! Order (observable): for each core instance in turn,
//! the instance is built, its active segments applied, its start function
//! run; the options naming it are filled right after it is built, before
//! its start function, so a start function may already call lowered
//! imports that use its memory.
//!
//! State: the [`ComponentRuntime`] is installed before the first core
//! instance is built (start functions may call lowered imports); every
//! call into wasm goes through [`GuestFunc::call`], which enforces the
//! re-entrancy rule of `super::runtime` (no borrow of the runtime's state
//! across a call into wasm).

use super::memory::{GuestMemory, Realloc};
use super::program::Component;
pub use super::runtime::{ComponentRuntime, Host, runtime};
use super::trap::{self, Trap};
use kiln_abi::ValRaw;
use kiln_abi::component::program::{CoreDefDesc, DEF_EXPORT, DEF_INSTANCE_FLAGS, DEF_TRAMPOLINE};
use kiln_abi::component::{CanonOpts, INSTANCE_FLAG_MAY_LEAVE};
use kiln_abi::descriptor::{KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE, KIND_TAG, NO_INDEX};
use kiln_abi::vmctx::VMMemoryDefinition;
use kiln_vm::instance::{InitError, Instance};

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
    /// Panics if the runtime's state is borrowed (the re-entrancy rule of
    /// `super::runtime`).
    ///
    /// # Safety
    /// The instance is live; `values` fits the function's signature.
    pub unsafe fn call(&self, values: &mut [ValRaw]) -> Result<(), Trap> {
        let rt = runtime();
        if let Some(rt) = rt {
            rt.check_unborrowed();
        }
        // SAFETY: forwarded to the caller.
        let target = unsafe { self.resolve() }?;
        let inst = target.instance;
        // On the outermost entry every core instance gets the limit: calls
        // cross instances freely (shims, adapters, re-exports).
        let _entry = kiln_vm::stack::enter_wasm(|limit| {
            for i in rt.into_iter().flat_map(|r| r.core.iter()) {
                // SAFETY: live instances; one header field each.
                unsafe { (*i).set_stack_limit(limit) };
            }
            // SAFETY: as above.
            unsafe { (*inst).set_stack_limit(limit) };
        });
        // SAFETY: forwarded to the caller.
        unsafe { kiln_vm::invoke::call(inst, target.func, values) }.map_err(trap::trap)
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
                .position(|i| i == f.instance)
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
    let rt = runtime().ok_or_else(trap::no_instance)?;
    let id = opts.component_instance;
    let saved = rt.with_instance(id, |i| {
        let saved = i.flags();
        i.set_flags(saved & !INSTANCE_FLAG_MAY_LEAVE);
        Ok(saved)
    })?;
    // SAFETY: the caller's contract.
    let result = unsafe { post.call(values) };
    rt.with_instance(id, |i| {
        i.set_flags(saved);
        Ok(())
    })?;
    result
}

/// Raises `t` from a host function: a wasm trap code traps (status 134 in
/// an executable), anything else is a fatal host error (`Error: ...`,
/// status 1), as wasmtime reports canonical-ABI errors.
/// Panics if the runtime's state is borrowed: the unwinding skips the
/// frames in between without dropping anything, so a borrow would stay
/// (see `super::runtime`).
pub fn raise(t: Trap) -> ! {
    if let Some(rt) = runtime() {
        rt.check_unborrowed();
    }
    let message: &'static str = Box::leak(t.message.into_boxed_str());
    // SAFETY: host functions call this with no owned state on their frames
    // that needs dropping (it is leaked, as the process ends or unwinds to
    // an embedding's catcher), and no borrow of the runtime's state (checked
    // above).
    unsafe { kiln_vm::traps::catch::raise(t.code, Some(message)) }
}

/// Installs the [`ComponentRuntime`] of `component` with `host` for this
/// thread and builds every core instance (see the module docs). Errors are
/// one-line messages; traps in segments or start functions are reported
/// and exit.
pub fn instantiate(
    component: Component,
    host: Box<dyn Host>,
) -> Result<&'static ComponentRuntime, String> {
    let rt = super::runtime::install(ComponentRuntime::new(component, host))?;
    // The code of a module is registered once per process (a server
    // instantiates once per request).
    thread_local! {
        static REGISTERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    let register = !REGISTERED.with(|r| r.replace(true));
    let mut registered = vec![!register; component.modules.len()];
    for (k, inst) in component.instances.iter().enumerate() {
        let (module, type_ids) = module_facts(&component, inst.module)?;
        if !std::mem::replace(&mut registered[inst.module as usize], true) {
            kiln_vm::traps::registry::register_module(module);
        }
        let mut imports = Vec::with_capacity(inst.num_imports as usize);
        for (def, desc) in component.imports_of(inst).iter().zip(module.imports) {
            imports.push(bind(rt, &component, def, &module, desc, &type_ids)?);
        }
        let instance = Instance::with_type_ids(module, None, &imports, type_ids)?;
        let instance = Box::into_raw(instance);
        rt.core.push(instance)?;
        fill_opts(rt, k as u32)?;
        // SAFETY: the instance was just built; nothing else uses it.
        match unsafe { (*instance).apply_segments() } {
            Ok(()) => {}
            Err(InitError::Trap(code)) => kiln_vm::traps::report_host_trap(code),
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

/// The checked view of static module `i` of `component` and the interned
/// ids of its types, made once per module and process: a server
/// instantiates per request, and both walk the module's whole descriptor
/// (checks, then one interning per type). The descriptors are the
/// executable's, fixed for the process, so an entry never goes stale.
fn module_facts(
    component: &Component,
    i: u32,
) -> Result<(kiln_vm::descriptor::Module, std::sync::Arc<[u32]>), String> {
    type Facts =
        Result<&'static (kiln_vm::descriptor::Module, std::sync::Arc<[u32]>), &'static str>;
    thread_local! {
        static FACTS: crate::program::TypeFacts<Facts> = const {
            std::cell::RefCell::new(std::collections::BTreeMap::new())
        };
    }
    // Leaked once per module (and per corrupt module's message).
    let facts = component.memo(&FACTS, i, || match component.module(i) {
        Ok(module) => {
            let ids = kiln_vm::ref_types::module_type_ids(&module).into();
            Ok(&*Box::leak(Box::new((module, ids))))
        }
        Err(e) => Err(&*Box::leak(e.into_boxed_str())),
    });
    facts
        .map(|(module, ids)| (*module, ids.clone()))
        .map_err(str::to_string)
}

/// The import value for binding `def` to import `desc` of `module`.
fn bind(
    rt: &ComponentRuntime,
    component: &Component,
    def: &CoreDefDesc,
    module: &kiln_vm::descriptor::Module,
    desc: &kiln_abi::descriptor::ImportDesc,
    type_ids: &[u32],
) -> Result<kiln_vm::instance::Import, String> {
    use kiln_vm::instance::Import;
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
            Ok(Import::Func {
                wasm_call: t.wasm_call as usize as *const u8,
                type_id: *type_ids.get(ty as usize).ok_or_else(bad)?,
                vmctx: t.opts as usize as *mut u8,
            })
        }
        DEF_INSTANCE_FLAGS => {
            if desc.kind != KIND_GLOBAL {
                return Err(bad());
            }
            // The state of every component instance exists before the
            // first core instance is built.
            rt.with_instance(def.index, |i| Ok(Import::Global(i.flags_global())))
                .map_err(|t| t.message)
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
                        kiln_vm::exceptions::tags::tag_of(owner.module(), owner.vmctx(), def.index)
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

/// The `CanonOpts` records naming items (memory, `realloc`,
/// `post-return`, `callback`) of each core instance, by instance index,
/// found once per process: instantiation fills them instance by instance
/// ([`fill_opts`]), and a server instantiates per request. The records'
/// item references are the compiler's, fixed for the process.
fn records_by_instance(c: &Component) -> &'static [Vec<u64>] {
    thread_local! {
        static RECORDS: crate::program::TypeFacts<&'static [Vec<u64>]> = const {
            std::cell::RefCell::new(std::collections::BTreeMap::new())
        };
    }
    c.memo(&RECORDS, 0, || records_by_instance_uncached(c))
}

fn records_by_instance_uncached(c: &Component) -> &'static [Vec<u64>] {
    // A transcoder's record is followed by its source's (the contract of
    // `TRAMPOLINE_ADAPTER_TRANSCODE`).
    // An async call's record is followed by two more (the contract of
    // `TRAMPOLINE_ASYNC_CALL`): the callee's options and its function.
    let more = |t: &kiln_abi::component::program::TrampolineDesc| {
        use kiln_abi::component::program::{TRAMPOLINE_ADAPTER_TRANSCODE, TRAMPOLINE_ASYNC_CALL};
        let n: u64 = match t.kind {
            _ if t.opts == 0 => 0,
            TRAMPOLINE_ADAPTER_TRANSCODE => 1,
            TRAMPOLINE_ASYNC_CALL => 2,
            _ => 0,
        };
        let first = t.opts;
        (1..=n).map(move |i| first + i * size_of::<CanonOpts>() as u64)
    };
    let records = c
        .trampolines
        .iter()
        .flat_map(|t| std::iter::once(t.opts).chain(more(t)))
        .chain(c.exports.iter().map(|e| e.opts));
    let mut by: Vec<Vec<u64>> = vec![Vec::new(); c.instances.len()];
    for addr in records.filter(|a| *a != 0) {
        // SAFETY: the compiler's `CanonOpts` record; its item references
        // are never written (only the address half is, by `fill_opts`,
        // not now).
        let opts = unsafe { &*(addr as usize as *const CanonOpts) };
        for r in [opts.memory, opts.realloc, opts.post_return, opts.callback] {
            if let Some(list) = by.get_mut(r.instance as usize)
                && r.is_some()
                && list.last() != Some(&addr)
            {
                list.push(addr);
            }
        }
    }
    Vec::leak(by)
}

/// Writes the address half of every `CanonOpts` whose items live in core
/// instance `k` (just built).
fn fill_opts(rt: &ComponentRuntime, k: u32) -> Result<(), String> {
    let records = records_by_instance(&rt.component);
    for &addr in records.get(k as usize).map_or(&[][..], Vec::as_slice) {
        // SAFETY: the compiler's writable `CanonOpts` record; no guest code
        // reads it (only host functions, which are not running now).
        let opts = unsafe { &mut *(addr as usize as *mut CanonOpts) };
        let instance = |r: kiln_abi::component::CoreItemRef| {
            (r.is_some() && r.instance == k)
                .then(|| rt.core.get(k as usize).copied())
                .flatten()
        };
        if let Some(i) = instance(opts.memory) {
            // SAFETY: live instance.
            let def = unsafe { (*i).memory_definition(opts.memory.index) }
                .ok_or_else(|| format!("corrupt component descriptor: memory {:?}", opts.memory))?;
            opts.memory_def = def as usize as u64;
        }
        // A record filled by an earlier instantiation (a server's earlier
        // request) keeps its leaked `GuestFunc`, rewritten in place: one
        // allocation per record for the process, not per request.
        let func = |r: kiln_abi::component::CoreItemRef, slot: &mut u64| {
            if let Some(i) = instance(r) {
                let f = GuestFunc {
                    instance: i,
                    func: r.index,
                };
                if *slot == 0 {
                    *slot = Box::leak(Box::new(f)) as *const GuestFunc as usize as u64;
                } else {
                    // SAFETY: a `GuestFunc` this function leaked for this
                    // record earlier; only copies of it are ever read, and
                    // none is being read now (no guest code runs).
                    unsafe { *(*slot as usize as *mut GuestFunc) = f };
                }
            }
        };
        func(opts.realloc, &mut opts.realloc_func);
        func(opts.post_return, &mut opts.post_return_func);
        func(opts.callback, &mut opts.callback_func);
    }
    Ok(())
}
