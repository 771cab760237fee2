//! The embedding API: compiled modules loaded in-process, instantiated with
//! imports from other instances, called from Rust (the spec testsuite
//! harness, the differential fuzzer, component glue).
//!
//! Phase: a host program linking this crate (never part of the runtime
//! archive). It links `kiln-runner` only for the symbols compiled objects
//! refer to ([`symbol_address`]), not the archive crate `kiln-runtime`,
//! whose `main` and global allocator are the executables' own.
//! Inputs: module descriptors of objects compiled with
//! `ImportPolicy::Linked` (every import is a `VMContext` slot) and loaded by
//! the host, whose undefined symbols it resolves with [`symbol_address`].
//! Outputs: [`Instance`]s and their exports; call results or [`Trap`]s.
//!
//! Semantics ([`instantiate`], the spec's): imports are type-checked
//! ([`link`]: "incompatible import type" -> [`Error::Link`]); the instance
//! is built with imported memories, tables and globals shared with their
//! owner; active segments are applied in order (a trapping one ->
//! [`Error::Trap`], the segments before it stay applied, in imported
//! memories and tables too); the start function runs. Calls catch every
//! trap of their thread (compiled code, runtime, stack exhaustion) through
//! `kiln_vm::traps::catch` and never end the process.
//!
//! Lifetimes: handles ([`Instance`], [`Func`], [`Memory`], [`Table`],
//! [`Global`]) are `Arc`s of the instance; an instance keeps every instance
//! it imports from alive. An instance that imports a funcref table or a
//! mutable funcref global (it may store its own funcrefs there) is also
//! kept alive by the owner (a cycle: both live for the rest of the
//! process), and
//! one whose instantiation failed after it was built is leaked, so a
//! funcref can never outlive its function (as in a Wasmtime `Store`).
//! Funcref and externref [`Val`]s are raw pointers: a funcref handed to the
//! host is valid while some handle keeps its instance alive.
//!
//! Threads: handles are `Send + Sync`. Each outermost call sets the stack
//! limit for the callee's instance and the instances it imports from,
//! computed from the calling thread's stack; an instance should not run on
//! two threads at once unless its functions never reach each other's
//! stacks (the spec's threads tests share only memories).

mod link;
mod symbols;
#[cfg(test)]
mod tests;

pub use kiln_abi::ValType;
pub use kiln_abi::trap::TrapCode;
pub use kiln_vm::descriptor::Module;
pub use symbols::symbol_address;

use kiln_abi::ValRaw;
use kiln_abi::descriptor::{
    IMPORT_FLAG_HOST, KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE, NO_INDEX,
};
use kiln_vm::instance::{Import, InitError};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};

/// A wasm value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// `i32`.
    I32(i32),
    /// `i64`.
    I64(i64),
    /// `f32`, as its bits.
    F32(u32),
    /// `f64`, as its bits.
    F64(u64),
    /// `v128`.
    V128(u128),
    /// `funcref`: address of a `VMFuncRef`, 0 = null.
    FuncRef(usize),
    /// `externref`: opaque, 0 = null.
    ExternRef(usize),
    /// `exnref`: address of an exception object, 0 = null.
    ExnRef(usize),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::ExnRef(_) => ValType::ExnRef,
        }
    }

    /// The value in the 16-byte slot layout (`kiln_abi::ValRaw`).
    pub fn to_raw(self) -> ValRaw {
        let mut b = [0u8; 16];
        match self {
            Val::I32(v) => b[..4].copy_from_slice(&v.to_le_bytes()),
            Val::I64(v) => b[..8].copy_from_slice(&v.to_le_bytes()),
            Val::F32(v) => b[..4].copy_from_slice(&v.to_le_bytes()),
            Val::F64(v) => b[..8].copy_from_slice(&v.to_le_bytes()),
            Val::V128(v) => b.copy_from_slice(&v.to_le_bytes()),
            Val::FuncRef(p) | Val::ExternRef(p) | Val::ExnRef(p) => {
                b[..8].copy_from_slice(&(p as u64).to_le_bytes())
            }
        }
        ValRaw(b)
    }

    /// Reads a value of type `ty` from a slot.
    pub fn from_raw(ty: ValType, raw: &ValRaw) -> Val {
        let b = raw.0;
        let u32_at = || u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let u64_at = || u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        match ty {
            ValType::I32 => Val::I32(u32_at() as i32),
            ValType::I64 => Val::I64(u64_at() as i64),
            ValType::F32 => Val::F32(u32_at()),
            ValType::F64 => Val::F64(u64_at()),
            ValType::V128 => Val::V128(u128::from_le_bytes(b)),
            ValType::FuncRef => Val::FuncRef(u64_at() as usize),
            ValType::ExternRef => Val::ExternRef(u64_at() as usize),
            ValType::ExnRef => Val::ExnRef(u64_at() as usize),
        }
    }
}

/// Something an instance exports or imports.
#[derive(Clone, Debug)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A linear memory.
    Memory(Memory),
    /// A table.
    Table(Table),
    /// A global.
    Global(Global),
    /// A tag (exceptions).
    Tag(Tag),
}

/// Why instantiation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// An import does not match (`incompatible import type ...`), or the
    /// import list has the wrong length.
    Link(String),
    /// A trap while applying segments or running the start function.
    Trap(Trap),
    /// Anything else (resource limits, a corrupt descriptor).
    Other(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Link(m) | Error::Other(m) => f.write_str(m),
            Error::Trap(t) => t.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

pub use kiln_vm::traps::Trap;

/// A trap the API itself raises (no wasm trap code).
fn api_trap(message: String) -> Trap {
    Trap {
        code: None,
        message,
    }
}

/// Installs the trap handlers (once per process) and prepares the calling
/// thread (an alternate signal stack). Idempotent; [`instantiate`] and
/// [`Func::call`] call it too.
pub fn init() {
    thread_local! {
        static READY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if READY.with(std::cell::Cell::get) {
        return;
    }
    if let Err(e) = kiln_vm::traps::install() {
        panic!("kiln embedding: {e}");
    }
    if let Err(e) = kiln_vm::traps::init_thread() {
        panic!("kiln embedding: {e}");
    }
    READY.with(|r| r.set(true));
}

/// Forgets `module`'s code in the trap handler's registry. A host that
/// unmaps a loaded object must call this first (after every instance of it
/// is gone); objects that stay mapped never need it.
pub fn forget_module(module: &Module) {
    kiln_vm::traps::registry::unregister_module(module.desc);
}

/// The state behind every handle of one instance.
struct InstanceInner {
    instance: NonNull<kiln_vm::instance::Instance>,
    /// What each import was bound to, by kind and index in the kind's
    /// space (keeps the providers alive; re-exports hand these out).
    funcs: Vec<Func>,
    memories: Vec<Memory>,
    tables: Vec<Table>,
    globals: Vec<Global>,
    /// Instances that imported a funcref table or mutable funcref global of
    /// this one and may have stored their funcrefs in it: kept alive as
    /// long as this one.
    dependents: Mutex<Vec<Arc<InstanceInner>>>,
}

// SAFETY: the instance is only reached through these handles and the
// `VMContext`; its state is raw memory that wasm code itself shares across
// threads (memories, tables, globals), and the runtime's own bookkeeping
// (registry, type ids) is synchronised.
unsafe impl Send for InstanceInner {}
// SAFETY: as above.
unsafe impl Sync for InstanceInner {}

impl InstanceInner {
    fn get(&self) -> &kiln_vm::instance::Instance {
        // SAFETY: the box lives as long as `self`.
        unsafe { self.instance.as_ref() }
    }

    fn raw(&self) -> *mut kiln_vm::instance::Instance {
        self.instance.as_ptr()
    }

    /// Sets `limit` as the stack limit of this instance and every instance
    /// it imports from (transitively).
    fn set_stack_limit_deep(&self, limit: usize, seen: &mut Vec<*const InstanceInner>) {
        let me: *const InstanceInner = self;
        if seen.contains(&me) {
            return;
        }
        seen.push(me);
        self.get().set_stack_limit(limit);
        let owners = self
            .funcs
            .iter()
            .map(|f| &f.owner)
            .chain(self.memories.iter().map(|m| &m.owner))
            .chain(self.tables.iter().map(|t| &t.owner))
            .chain(self.globals.iter().map(|g| &g.owner));
        for owner in owners {
            owner.set_stack_limit_deep(limit, seen);
        }
    }
}

impl Drop for InstanceInner {
    fn drop(&mut self) {
        // SAFETY: created by `Box::into_raw` in `instantiate`, freed once;
        // the providers (fields) are dropped after it.
        drop(unsafe { Box::from_raw(self.instance.as_ptr()) });
    }
}

impl std::fmt::Debug for InstanceInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance")
            .field("vmctx", &self.get().vmctx())
            .finish_non_exhaustive()
    }
}

/// An instance of a module.
#[derive(Clone, Debug)]
pub struct Instance(Arc<InstanceInner>);

/// An exported function.
#[derive(Clone, Debug)]
pub struct Func {
    owner: Arc<InstanceInner>,
    /// Function index in the owner (never a linked import).
    index: u32,
}

/// An exported linear memory.
#[derive(Clone, Debug)]
pub struct Memory {
    owner: Arc<InstanceInner>,
    /// Defined-memory index in the owner.
    def: u32,
}

/// An exported table.
#[derive(Clone, Debug)]
pub struct Table {
    owner: Arc<InstanceInner>,
    /// Defined-table index in the owner.
    def: u32,
}

/// An exported global.
#[derive(Clone, Debug)]
pub struct Global {
    owner: Arc<InstanceInner>,
    /// Global index in the owner (never an import).
    index: u32,
}

/// An exported tag: its identity is the address of its `VMTag`, which
/// lives for the rest of the process (see `kiln_vm::exceptions::tags`).
#[derive(Clone, Debug)]
pub struct Tag {
    /// `*const kiln_abi::exceptions::VMTag`, as an address (so the handle
    /// is `Send + Sync`; the tag is immutable).
    tag: usize,
}

impl Tag {
    /// The tag's identity (its `VMTag` address).
    pub fn address(&self) -> usize {
        self.tag
    }

    /// The runtime-interned id of the tag's function type.
    pub fn type_id(&self) -> u32 {
        // SAFETY: tag objects are leaked, never freed.
        unsafe { (*(self.tag as *const kiln_abi::exceptions::VMTag)).type_id }
    }
}

/// Instantiates `module` with `imports` (one per import, in the module's
/// import order): type-checks them, builds the instance, applies the
/// segments, runs the start function.
pub fn instantiate(module: Module, imports: &[Extern]) -> Result<Instance, Error> {
    init();
    let linked: Vec<_> = module
        .imports
        .iter()
        .filter(|d| d.flags & IMPORT_FLAG_HOST == 0)
        .collect();
    if linked.len() != imports.len() {
        return Err(Error::Link(format!(
            "expected {} imports, found {}",
            linked.len(),
            imports.len()
        )));
    }
    let mut bound = Vec::with_capacity(imports.len());
    let (mut funcs, mut memories, mut tables, mut globals) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (desc, ext) in linked.iter().zip(imports) {
        link::check(&module, desc, ext).map_err(Error::Link)?;
        bound.push(match ext {
            Extern::Func(f) => {
                funcs.push(f.clone());
                let r = f.func_ref();
                // SAFETY: a live instance's function reference.
                let r = unsafe { &*r };
                Import::Func {
                    wasm_call: r.wasm_call,
                    type_id: r.type_id,
                    vmctx: r.vmctx,
                }
            }
            Extern::Memory(m) => {
                memories.push(m.clone());
                Import::Memory {
                    owner: m.owner.raw(),
                    index: m.def,
                }
            }
            Extern::Table(t) => {
                tables.push(t.clone());
                Import::Table {
                    owner: t.owner.raw(),
                    index: t.def,
                }
            }
            Extern::Global(g) => {
                globals.push(g.clone());
                Import::Global(g.storage())
            }
            Extern::Tag(t) => Import::Tag(t.tag as *const kiln_abi::exceptions::VMTag),
        });
    }
    let instance =
        kiln_vm::instance::Instance::with_imports(module, None, &bound).map_err(Error::Other)?;
    kiln_vm::traps::registry::register_module(module);
    let inner = Arc::new(InstanceInner {
        instance: NonNull::from(Box::leak(instance)),
        funcs,
        memories,
        tables,
        globals,
        dependents: Mutex::new(Vec::new()),
    });
    // Only funcref tables and mutable funcref globals can receive our
    // funcrefs; other imports need no reverse link (and no cycle).
    let funcref_tables = inner
        .tables
        .iter()
        .filter(|t| t.elem_type() == Some(ValType::FuncRef))
        .map(|t| &t.owner);
    let funcref_globals = inner
        .globals
        .iter()
        .filter(|g| g.mutable() && g.ty() == ValType::FuncRef)
        .map(|g| &g.owner);
    for owner in funcref_tables.chain(funcref_globals) {
        owner
            .dependents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(inner.clone());
    }
    inner.set_stack_limit_deep(kiln_vm::stack::embedding_limit(), &mut Vec::new());
    if let Err(e) = start(&inner) {
        // Earlier segments may have stored our funcrefs in imported tables,
        // and the start function may have done anything: keep the instance.
        std::mem::forget(inner);
        return Err(e);
    }
    Ok(Instance(inner))
}

/// Applies the segments and runs the start function.
fn start(inner: &Arc<InstanceInner>) -> Result<(), Error> {
    // SAFETY: the instance is fully built and nothing else uses it yet.
    match unsafe { (*inner.raw()).apply_segments() } {
        Ok(()) => {}
        Err(InitError::Trap(code)) => {
            return Err(Error::Trap(Trap {
                code: Some(code),
                message: code.message().to_string(),
            }));
        }
        Err(InitError::Corrupt(e)) => return Err(Error::Other(e)),
    }
    let start = inner.get().module().desc.start_func;
    if start == NO_INDEX {
        return Ok(());
    }
    let func = Instance(inner.clone()).func(start);
    func.call(&[]).map(drop).map_err(Error::Trap)
}

impl Instance {
    /// The export named `name`, if any.
    pub fn export(&self, name: &str) -> Option<Extern> {
        let module = *self.0.get().module();
        let e = module.exports.iter().find(|e| {
            // SAFETY: descriptor strings live for the process.
            let export = unsafe { kiln_vm::descriptor::str_bytes(e.name) };
            export == name.as_bytes()
        })?;
        self.extern_of(e.kind, e.index)
    }

    /// Every export, in export order, with its name.
    pub fn exports(&self) -> Vec<(String, Extern)> {
        let module = *self.0.get().module();
        module
            .exports
            .iter()
            .filter_map(|e| {
                // SAFETY: descriptor strings live for the process.
                let name = unsafe { kiln_vm::descriptor::str_bytes(e.name) };
                let ext = self.extern_of(e.kind, e.index)?;
                Some((String::from_utf8_lossy(name).into_owned(), ext))
            })
            .collect()
    }

    /// The module this is an instance of.
    pub fn module(&self) -> Module {
        *self.0.get().module()
    }

    /// Entity `index` of kind `kind` (`KIND_*`): a re-exported import is
    /// the provider's entity itself.
    fn extern_of(&self, kind: u32, index: u32) -> Option<Extern> {
        let d = self.0.get().module().desc;
        let imported = |n: u32| index.checked_sub(n);
        Some(match kind {
            KIND_FUNC => Extern::Func(self.func(index)),
            KIND_MEMORY => Extern::Memory(match imported(d.num_imported_memories) {
                Some(def) => Memory {
                    owner: self.0.clone(),
                    def,
                },
                None => self.0.memories.get(index as usize)?.clone(),
            }),
            KIND_TABLE => Extern::Table(match imported(d.num_imported_tables) {
                Some(def) => Table {
                    owner: self.0.clone(),
                    def,
                },
                None => self.0.tables.get(index as usize)?.clone(),
            }),
            KIND_GLOBAL => Extern::Global(if index < d.num_imported_globals {
                self.0.globals.get(index as usize)?.clone()
            } else {
                Global {
                    owner: self.0.clone(),
                    index,
                }
            }),
            kiln_abi::descriptor::KIND_TAG => {
                let inst = self.0.get();
                // SAFETY: a live instance's own context.
                let tag = unsafe {
                    kiln_vm::exceptions::tags::tag_of(inst.module(), inst.vmctx(), index)
                };
                if tag.is_null() {
                    return None;
                }
                Extern::Tag(Tag { tag: tag as usize })
            }
            _ => return None,
        })
    }

    /// Function `index` (a linked import resolves to its provider).
    fn func(&self, index: u32) -> Func {
        // Linked imports are bound in import order, so the `k`-th linked
        // function import is `funcs[k]`; host-bound imports (compiled-in
        // WASI) have code here and are called like defined functions.
        let linked = self
            .0
            .get()
            .module()
            .funcs
            .get(index as usize)
            .is_some_and(|f| f.wasm_call.get() == 0);
        if linked && let Some(f) = self.linked_func(index) {
            return f;
        }
        Func {
            owner: self.0.clone(),
            index,
        }
    }

    fn linked_func(&self, index: u32) -> Option<Func> {
        let module = self.0.get().module();
        let k = module
            .imports
            .iter()
            .filter(|d| d.flags & IMPORT_FLAG_HOST == 0 && d.kind == KIND_FUNC)
            .position(|d| d.index == index)?;
        self.0.funcs.get(k).cloned()
    }
}

impl Func {
    /// The function's `VMFuncRef` in its instance.
    fn func_ref(&self) -> *mut kiln_abi::vmctx::VMFuncRef {
        self.owner
            .get()
            .func_ref(self.index)
            .expect("function handles name existing functions")
    }

    /// This function as a `funcref` value (valid while the handle lives).
    pub fn as_funcref(&self) -> Val {
        Val::FuncRef(self.func_ref() as usize)
    }

    /// The runtime-interned signature id.
    pub fn type_id(&self) -> u32 {
        // SAFETY: a live instance's function reference.
        unsafe { (*self.func_ref()).type_id }
    }

    /// Parameter and result types.
    pub fn ty(&self) -> (Vec<ValType>, Vec<ValType>) {
        let ty = self
            .owner
            .get()
            .module()
            .type_of_func(self.index)
            .expect("type indices were checked when the module was loaded");
        (
            ty.param_types().flatten().collect(),
            ty.result_types().flatten().collect(),
        )
    }

    /// Calls the function with `args`; a trap (in compiled code, in the
    /// runtime, or stack exhaustion) comes back as `Err`.
    pub fn call(&self, args: &[Val]) -> Result<Vec<Val>, Trap> {
        init();
        let (params, results) = self.ty();
        if args.len() != params.len() || args.iter().zip(&params).any(|(a, p)| a.ty() != *p) {
            let found: Vec<ValType> = args.iter().map(Val::ty).collect();
            return Err(api_trap(format!(
                "argument type mismatch: expected {params:?}, found {found:?}"
            )));
        }
        let inst = self.owner.get();
        let f = inst
            .module()
            .funcs
            .get(self.index as usize)
            .ok_or_else(|| api_trap(format!("no function {}", self.index)))?;
        if f.array_call.get() == 0 {
            return Err(api_trap(format!(
                "function {} has no array-call entry (not exported)",
                self.index
            )));
        }
        let mut values = vec![ValRaw::default(); params.len().max(results.len()).max(1)];
        for (slot, a) in values.iter_mut().zip(args) {
            *slot = a.to_raw();
        }
        // SAFETY: the descriptor gives the array-call trampoline's address.
        let entry: unsafe extern "C" fn(*mut u8, *mut ValRaw) =
            unsafe { std::mem::transmute::<usize, _>(f.array_call.get() as usize) };
        let vmctx = inst.vmctx();
        let values_ptr = values.as_mut_ptr();
        let _entry = kiln_vm::stack::enter_wasm_embedded(|limit| {
            self.owner.set_stack_limit_deep(limit, &mut Vec::new())
        });
        // SAFETY: the trampoline reads the arguments from and writes the
        // results to `values`, sized for both; the closure owns nothing.
        let caught = kiln_vm::traps::catch::catch_traps(|| unsafe { entry(vmctx, values_ptr) });
        if let Err(t) = caught {
            return Err(Trap {
                code: t.code,
                message: t.message,
            });
        }
        Ok(results
            .iter()
            .zip(&values)
            .map(|(ty, raw)| Val::from_raw(*ty, raw))
            .collect())
    }
}

impl Memory {
    fn memory(&self) -> &kiln_vm::memory::Memory {
        self.owner
            .get()
            .defined_memory(self.def)
            .expect("memory handles name defined memories")
    }

    fn desc(&self) -> &'static kiln_abi::descriptor::MemoryDesc {
        let module = self.owner.get().module();
        &module.memories[(module.desc.num_imported_memories + self.def) as usize]
    }

    /// Current size in pages.
    pub fn size(&self) -> u64 {
        self.memory().pages()
    }

    /// Declared maximum in pages, if any.
    pub fn max(&self) -> Option<u64> {
        let max = self.desc().max_pages;
        (max != u64::MAX).then_some(max)
    }

    /// Start of the memory's bytes and their current length. The base never
    /// moves; the length changes with `memory.grow`.
    pub fn data(&self) -> (*mut u8, usize) {
        let m = self.memory();
        (m.base(), m.byte_len())
    }

    /// Whether `self` and `other` are the same memory.
    pub fn same(&self, other: &Memory) -> bool {
        Arc::ptr_eq(&self.owner, &other.owner) && self.def == other.def
    }
}

impl Table {
    fn table_desc(&self) -> &'static kiln_abi::descriptor::TableDesc {
        let module = self.owner.get().module();
        &module.tables[(module.desc.num_imported_tables + self.def) as usize]
    }

    /// Canonical element type ([`kiln_vm::ref_types`]).
    fn canon_elem_type(&self) -> Option<u64> {
        let module = self.owner.get().module();
        let ids = kiln_vm::ref_types::module_type_ids(module);
        kiln_vm::ref_types::table_type(module, &ids, module.desc.num_imported_tables + self.def)
    }

    /// Current size in elements.
    pub fn size(&self) -> u64 {
        let def = self
            .owner
            .get()
            .defined_table_definition(self.def)
            .expect("table handles name defined tables");
        // SAFETY: the owner's live table definition.
        unsafe { (*def).current_elements as u64 }
    }

    /// Declared maximum, if any.
    pub fn max(&self) -> Option<u64> {
        let max = self.table_desc().max;
        (max != u64::MAX).then_some(max)
    }

    /// Element type.
    pub fn elem_type(&self) -> Option<ValType> {
        ValType::from_u8(u8::try_from(self.table_desc().elem_type).ok()?)
    }

    /// Element `index`, if in bounds.
    pub fn get(&self, index: u64) -> Option<Val> {
        let def = self.owner.get().defined_table_definition(self.def)?;
        // SAFETY: the owner's live table definition; the index is checked.
        let raw = unsafe {
            if index >= (*def).current_elements as u64 {
                return None;
            }
            *(*def).base.add(index as usize)
        };
        Some(match self.elem_type() {
            Some(ValType::ExternRef) => Val::ExternRef(raw as usize),
            _ => Val::FuncRef(raw as usize),
        })
    }
}

impl Global {
    fn desc(&self) -> &'static kiln_abi::descriptor::GlobalDesc {
        &self.owner.get().module().globals[self.index as usize]
    }

    /// Canonical value type ([`kiln_vm::ref_types`]).
    fn canon_type(&self) -> Option<u64> {
        let module = self.owner.get().module();
        let ids = kiln_vm::ref_types::module_type_ids(module);
        kiln_vm::ref_types::global_type(module, &ids, self.index)
    }

    fn storage(&self) -> *mut kiln_abi::vmctx::VMGlobal {
        self.owner
            .get()
            .global(self.index)
            .expect("global handles name existing globals")
    }

    /// Value type.
    pub fn ty(&self) -> ValType {
        ValType::from_u8(self.desc().val_type as u8).unwrap_or(ValType::I32)
    }

    /// Whether the global is mutable.
    pub fn mutable(&self) -> bool {
        self.desc().mutable != 0
    }

    /// The current value.
    pub fn get(&self) -> Val {
        // SAFETY: global storage is 16 readable bytes.
        let bytes = unsafe { (*self.storage()).bytes };
        Val::from_raw(self.ty(), &ValRaw(bytes))
    }

    /// Sets the value (of the global's type; immutable globals refuse).
    pub fn set(&self, v: Val) -> Result<(), Error> {
        if !self.mutable() || v.ty() != self.ty() {
            return Err(Error::Other(format!(
                "cannot set a {}global of type {:?} to {v:?}",
                if self.mutable() { "" } else { "immutable " },
                self.ty()
            )));
        }
        // SAFETY: global storage is 16 writable bytes.
        unsafe { (*self.storage()).bytes = v.to_raw().0 };
        Ok(())
    }
}
