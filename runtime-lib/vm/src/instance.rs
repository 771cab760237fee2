//! Instances: the `VMContext` and everything it points to, set up from the
//! descriptor alone (nothing is parsed at start-up).
//!
//! Phase: instantiation. Inputs: a [`Module`] and, optionally, the state of
//! the host functions the module calls (for a WASI P1 module, its WASI
//! context), which the instance owns without knowing its type
//! ([`HostState`]). Output: a boxed [`Instance`] whose `VMContext` compiled
//! code can use.
//!
//! Order (the spec's, wasm 2.0):
//! 1. [`Instance::new`]: allocate the `VMContext` (size from
//!    `kiln_abi::vmctx::VMOffsets`, checked against the descriptor,
//!    16-aligned, zeroed); intern signature ids ([`crate::typeids`]); fill
//!    the header, imported functions and a `VMFuncRef` for every function;
//!    create memories (with their images), evaluate global initialisers in
//!    order, create tables (filled with their initial value); run the
//!    module's compiled element initializer if it has one
//!    (`ModuleDescriptor::init_elems`: the leading element segments it can
//!    apply without a check, `num_applied_elems`); point `wasi_memory` at
//!    the export `memory`. The escaping functions' `VMFuncRef`s come from
//!    the compiled reference initializer (`init_refs`) where the module
//!    has one, else from the runtime's loop.
//! 2. [`Instance::apply_segments`]: active element segments in order
//!    (whole-segment bounds check, then write; a failing segment traps with
//!    the segments before it applied), declarative ones dropped, those the
//!    element initializer applied only dropped; then active data segments not
//!    already in a memory image, the same way.
//! 3. The caller runs the start function.
//!
//! Invariants: the instance is boxed before its address is stored in the
//! header (`VMOffsets::INSTANCE`), and never moves; libcalls reach it with
//! [`Instance::from_vmctx`].
//!
//! Imports ([`Instance::with_imports`], one [`Import`] per descriptor import
//! not bound to a host function at compile time, in import order): a
//! function fills its `VMFunctionImport` and `VMFuncRef` from the provider;
//! a memory, table or global stores a pointer to the owner's definition, so
//! growth through any instance is seen by all, and `memory.grow`/`table.*`
//! on an imported memory or table go to the owner's object. The caller
//! (`kiln_runtime_embed`) type-checks imports and keeps owners alive longer than
//! their importers.

use crate::descriptor::Module;
use crate::memory::Memory;
use crate::table::Table;
use kiln_abi::descriptor::{
    CONST_GLOBAL_GET, CONST_REF_FUNC, CONST_REF_NULL, CONST_VALUE, ConstExpr, DATA_FLAG_IN_IMAGE,
    KIND_MEMORY, MEMORY_FLAG_64, SEGMENT_FLAG_ACTIVE, SEGMENT_FLAG_DECLARED, TABLE_FLAG_64,
};
use kiln_abi::trap::TrapCode;
use kiln_abi::vmctx::{
    VMCTX_MAGIC, VMFuncRef, VMFunctionImport, VMGlobal, VMMemoryDefinition, VMOffsets,
    VMTableDefinition,
};
use std::alloc::Layout;
use std::any::Any;
use std::ptr::NonNull;

/// Why instantiation stopped after the `VMContext` was built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitError {
    /// A wasm trap (segment out of bounds).
    Trap(TrapCode),
    /// The descriptor is inconsistent (a compiler bug).
    Corrupt(String),
}

/// What an import is bound to: raw pointers into the providing instance,
/// which must outlive the importing one.
#[derive(Copy, Clone, Debug)]
pub enum Import {
    /// A function: its code (wasm-call convention), signature id and
    /// `VMContext`.
    Func {
        /// Body in the wasm-call convention.
        wasm_call: *const u8,
        /// Runtime-interned signature id.
        type_id: u32,
        /// The callee's `VMContext`.
        vmctx: *mut u8,
    },
    /// A memory defined by `owner` (its defined-memory index `index`).
    Memory {
        /// The defining instance.
        owner: *mut Instance,
        /// Index among the owner's defined memories.
        index: u32,
    },
    /// A table defined by `owner` (its defined-table index `index`).
    Table {
        /// The defining instance.
        owner: *mut Instance,
        /// Index among the owner's defined tables.
        index: u32,
    },
    /// A global's storage.
    Global(*mut VMGlobal),
    /// A tag (exceptions): the provider's tag object.
    Tag(*const kiln_abi::exceptions::VMTag),
    /// A shared memory (threads: wasi-threads' `env` `memory`), grown
    /// through its own lock.
    SharedMemory(&'static crate::memory::shared::SharedMemory),
}

/// One instance of a module.
#[derive(Debug)]
pub struct Instance {
    module: Module,
    offsets: VMOffsets,
    vmctx: NonNull<u8>,
    vmctx_layout: Layout,
    type_ids: std::sync::Arc<[u32]>,
    /// Defined memories.
    memories: Vec<Memory>,
    /// Defined tables.
    tables: Vec<Table>,
    /// Imported memories: the owner and its defined-memory index.
    imported_memories: Vec<(*mut Instance, u32)>,
    /// Imported tables: the owner and its defined-table index.
    imported_tables: Vec<(*mut Instance, u32)>,
    /// Imported functions linked at instantiation: function index -> import.
    linked_funcs: Vec<Option<Import>>,
    /// Imported shared memories (their `imported_memories` entry is a
    /// placeholder with a null owner): memory index -> memory.
    shared_memories: Vec<(u32, &'static crate::memory::shared::SharedMemory)>,
    dropped_data: Box<[bool]>,
    dropped_elems: Box<[bool]>,
    /// Owned host state; its address is in the `HOST_STATE` header slot.
    host_state: Option<HostState>,
}

/// The state the host functions of an instance's imports work on (the WASI
/// P1 context of a P1 module), owned by the instance and found by those
/// functions through the `VMOffsets::HOST_STATE` slot of the `VMContext`.
/// Type-erased, so that instances need not know the host's types: the code
/// that stores a `T` is the code that reads it back as a `T`.
pub struct HostState(Box<dyn Any>);

impl std::fmt::Debug for HostState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostState(..)")
    }
}

impl HostState {
    /// Wraps `state`.
    pub fn new<T: Any>(state: T) -> HostState {
        HostState(Box::new(state))
    }

    /// The address compiled code and host functions see.
    fn as_ptr(&mut self) -> *mut u8 {
        (&mut *self.0 as *mut dyn Any).cast()
    }
}

/// Where an instance's `VMFuncRef`s are ([`Instance::func_refs`]).
#[derive(Clone, Copy)]
struct FuncRefs {
    /// Function 0's slot in the instance's context (the slots follow it,
    /// one `VMFuncRef` each).
    first: *mut VMFuncRef,
    num_funcs: u32,
}

impl FuncRefs {
    /// The address of function `func`'s `VMFuncRef` (its funcref value),
    /// or `None` for an index out of range or a function nothing can
    /// name (its slot was never written).
    fn get(&self, func: u32) -> Option<*mut VMFuncRef> {
        if func >= self.num_funcs {
            return None;
        }
        // SAFETY: the slot of a function of the module in the instance's
        // own context (the index is in range), zeroed or written by
        // `init_functions`; only read. What a caller writes with the
        // result (a table) is a separate allocation.
        let r = unsafe { self.first.add(func as usize) };
        // SAFETY: as above.
        (!unsafe { (*r).wasm_call }.is_null()).then_some(r)
    }
}

fn corrupt(what: String) -> String {
    format!("corrupt module descriptor: {what}")
}

impl Instance {
    /// Builds the instance of a module without imports other than host
    /// functions bound at compile time (step 1 of the module docs).
    pub fn new(module: Module, host: Option<HostState>) -> Result<Box<Instance>, String> {
        Instance::with_imports(module, host, &[])
    }

    /// Builds the instance (step 1 of the module docs) with `imports`: one
    /// per descriptor import without `IMPORT_FLAG_HOST`, in import order,
    /// of the import's kind (type-checked by the caller).
    ///
    /// Every pointer in `imports` must stay valid for the instance's life.
    pub fn with_imports(
        module: Module,
        host: Option<HostState>,
        imports: &[Import],
    ) -> Result<Box<Instance>, String> {
        let type_ids = crate::ref_types::module_type_ids(&module).into();
        Instance::with_type_ids(module, host, imports, type_ids)
    }

    /// [`Instance::with_imports`] with the module's interned type ids
    /// ([`crate::ref_types::module_type_ids`]) computed beforehand: a
    /// caller that instantiates a module again and again (a server, per
    /// request) interns its types once.
    pub fn with_type_ids(
        module: Module,
        host: Option<HostState>,
        imports: &[Import],
        type_ids: std::sync::Arc<[u32]>,
    ) -> Result<Box<Instance>, String> {
        let d = module.desc;
        if type_ids.len() != module.types.len() {
            return Err(corrupt(format!(
                "{} type ids for {} types",
                type_ids.len(),
                module.types.len()
            )));
        }
        let offsets = module.vm_offsets();
        if offsets.size() != d.vmctx_size {
            return Err(corrupt(format!(
                "VMContext size {} but the runtime computes {}",
                d.vmctx_size,
                offsets.size()
            )));
        }
        let vmctx_layout = Layout::from_size_align(offsets.size().max(16) as usize, 16)
            .map_err(|e| corrupt(format!("VMContext layout: {e}")))?;
        let vmctx = crate::vmctx_alloc::alloc(vmctx_layout)
            .ok_or_else(|| "out of memory allocating the VMContext".to_string())?;

        let mut instance = Box::new(Instance {
            module,
            offsets,
            vmctx,
            vmctx_layout,
            type_ids,
            memories: Vec::new(),
            tables: Vec::new(),
            imported_memories: Vec::new(),
            imported_tables: Vec::new(),
            linked_funcs: vec![None; d.num_imported_funcs as usize],
            shared_memories: Vec::new(),
            dropped_data: vec![false; module.data.len()].into_boxed_slice(),
            dropped_elems: vec![false; module.elems.len()].into_boxed_slice(),
            host_state: host,
        });
        instance.init_header();
        instance.init_imports(imports)?;
        instance.init_functions()?;
        // SAFETY: our own context, laid out by `offsets`.
        unsafe {
            crate::exceptions::tags::init_defined_tags(
                &instance.module,
                &instance.offsets,
                instance.vmctx(),
            )?
        };
        instance.init_memories()?;
        instance.init_globals()?;
        instance.init_tables()?;
        if let Some(init_elems) = instance.module.init_elems {
            // SAFETY: the module's own initializer, given its own context:
            // it reads the context and writes slots below the minimum size
            // of the module's defined tables, which `init_tables` just
            // created and mirrored into the context. No Rust reference to
            // the table storage or the context exists during the call
            // (`instance` is only named, not borrowed, by it).
            unsafe { init_elems(instance.vmctx()) };
        }
        instance.init_wasi_memory();
        // Its `exnref` globals and tables are roots of this thread's
        // exception heap (an instance runs on the thread that creates it
        // unless handed over, see `crate::exceptions::heap`).
        crate::exceptions::heap::register_instance(&instance);
        Ok(instance)
    }

    /// The instance owning `vmctx`.
    ///
    /// # Safety
    /// `vmctx` must be the `VMContext` of a live [`Instance`], and no other
    /// reference to that instance may be in use for the returned lifetime.
    pub unsafe fn from_vmctx<'a>(vmctx: *mut u8) -> &'a mut Instance {
        // SAFETY: guaranteed by the caller; the header field holds the
        // boxed instance's address.
        unsafe {
            &mut *vmctx
                .add(VMOffsets::INSTANCE as usize)
                .cast::<*mut Instance>()
                .read()
        }
    }

    /// The host state this instance was created with, if it is a `T`.
    pub fn host_state<T: Any>(&mut self) -> Option<&mut T> {
        self.host_state.as_mut()?.0.downcast_mut()
    }

    /// The `VMContext`.
    pub fn vmctx(&self) -> *mut u8 {
        self.vmctx.as_ptr()
    }

    /// The module.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The `VMContext` layout.
    pub fn offsets(&self) -> &VMOffsets {
        &self.offsets
    }

    fn at<T>(&self, offset: u32) -> *mut T {
        debug_assert!(offset as usize + std::mem::size_of::<T>() <= self.vmctx_layout.size());
        // SAFETY: every offset comes from `VMOffsets` of this layout.
        unsafe { self.vmctx.as_ptr().add(offset as usize).cast() }
    }

    /// Sets the lowest stack pointer compiled code may use.
    pub fn set_stack_limit(&self, limit: usize) {
        // NB: atomic, because in embedding mode threads entering wasm in
        // different instances may both set the limit of an instance they
        // import from (one that only shares a memory, say).
        // SAFETY: header field of our own context, pointer-aligned.
        let field = unsafe {
            std::sync::atomic::AtomicUsize::from_ptr(self.at::<usize>(VMOffsets::STACK_LIMIT))
        };
        field.store(limit, std::sync::atomic::Ordering::Relaxed);
    }

    fn init_header(&mut self) {
        let me: *mut Instance = self;
        // SAFETY: header fields of our own, correctly sized context.
        unsafe {
            self.at::<u32>(VMOffsets::MAGIC).write(VMCTX_MAGIC);
            self.at::<usize>(VMOffsets::STACK_LIMIT).write(0);
            self.at::<*mut Instance>(VMOffsets::INSTANCE).write(me);
            self.at::<*const u32>(VMOffsets::TYPE_IDS)
                .write(self.type_ids.as_ptr());
            self.at::<*mut VMMemoryDefinition>(VMOffsets::WASI_MEMORY)
                .write(std::ptr::null_mut());
            self.at::<*mut u8>(VMOffsets::HOST_STATE).write(
                self.host_state
                    .as_mut()
                    .map_or(std::ptr::null_mut(), HostState::as_ptr),
            );
            self.at::<*const u64>(self.offsets.interrupt())
                .write(crate::limits::interrupt_flag());
        }
        // SAFETY: the creating thread's counter lives as long as the
        // thread, which runs the instance (wasi-threads repoints an
        // instance it hands to a new thread before it runs there).
        unsafe { self.set_fuel_counter(crate::limits::fuel_counter()) };
    }

    /// Points the instance's compiled code at `counter`, the fuel counter
    /// of the thread that runs it (set at creation to the creating
    /// thread's; see [`crate::limits`]).
    ///
    /// # Safety
    /// `counter` stays valid, and is used by no other thread, for as long
    /// as compiled code of this instance runs; no such code runs during
    /// this call.
    pub unsafe fn set_fuel_counter(&self, counter: *mut i64) {
        // SAFETY: a pointer-sized field of our own context, which no
        // compiled code reads during the call (the caller's contract).
        unsafe { self.at::<*mut i64>(self.offsets.fuel()).write(counter) };
    }

    /// Binds the non-host imports, in descriptor order, to `imports`.
    fn init_imports(&mut self, imports: &[Import]) -> Result<(), String> {
        use kiln_abi::descriptor::{
            IMPORT_FLAG_HOST, KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE,
        };
        let linked = self
            .module
            .imports
            .iter()
            .filter(|d| d.flags & IMPORT_FLAG_HOST == 0);
        let expected = linked.clone().count();
        if expected != imports.len() {
            return Err(format!(
                "the module needs {expected} imports but {} were provided",
                imports.len()
            ));
        }
        for (desc, import) in linked.zip(imports) {
            let index = desc.index;
            match (desc.kind, *import) {
                (KIND_FUNC, Import::Func { .. }) => {
                    let slot = self
                        .linked_funcs
                        .get_mut(index as usize)
                        .ok_or_else(|| corrupt(format!("imported function {index}")))?;
                    *slot = Some(*import);
                }
                (KIND_MEMORY, Import::Memory { owner, index: def }) => {
                    if index != self.imported_memories.len() as u32 {
                        return Err(corrupt(format!("imported memory {index} out of order")));
                    }
                    // SAFETY: the caller keeps the owner alive and unmoved.
                    let ptr = unsafe { (*owner).defined_memory_definition(def) }
                        .ok_or_else(|| format!("internal: no defined memory {def}"))?;
                    self.imported_memories.push((owner, def));
                    let slot = self.offsets.imported_memory(index);
                    // SAFETY: slot of our own context.
                    unsafe { self.at::<*mut VMMemoryDefinition>(slot).write(ptr) };
                }
                (KIND_MEMORY, Import::SharedMemory(shared)) => {
                    if index != self.imported_memories.len() as u32 {
                        return Err(corrupt(format!("imported memory {index} out of order")));
                    }
                    self.imported_memories
                        .push((std::ptr::null_mut(), u32::MAX));
                    self.shared_memories.push((index, shared));
                    let slot = self.offsets.imported_memory(index);
                    // SAFETY: slot of our own context.
                    unsafe {
                        self.at::<*mut VMMemoryDefinition>(slot)
                            .write(shared.definition())
                    };
                }
                (KIND_TABLE, Import::Table { owner, index: def }) => {
                    if index != self.imported_tables.len() as u32 {
                        return Err(corrupt(format!("imported table {index} out of order")));
                    }
                    // SAFETY: as above.
                    let ptr = unsafe { (*owner).defined_table_definition(def) }
                        .ok_or_else(|| format!("internal: no defined table {def}"))?;
                    self.imported_tables.push((owner, def));
                    let slot = self.offsets.imported_table(index);
                    // SAFETY: slot of our own context.
                    unsafe { self.at::<*mut VMTableDefinition>(slot).write(ptr) };
                }
                (kiln_abi::descriptor::KIND_TAG, Import::Tag(tag)) => {
                    if index >= self.module.desc.num_imported_tags {
                        return Err(corrupt(format!("imported tag {index}")));
                    }
                    let slot = self.offsets.tag(index);
                    // SAFETY: slot of our own context.
                    unsafe {
                        self.at::<*const kiln_abi::exceptions::VMTag>(slot)
                            .write(tag)
                    };
                }
                (KIND_GLOBAL, Import::Global(ptr)) => {
                    if index >= self.module.desc.num_imported_globals {
                        return Err(corrupt(format!("imported global {index}")));
                    }
                    let slot = self.offsets.imported_global(index);
                    // SAFETY: slot of our own context.
                    unsafe { self.at::<*mut VMGlobal>(slot).write(ptr) };
                }
                (kind, import) => {
                    return Err(format!(
                        "internal: import of kind {kind} bound to {import:?}"
                    ));
                }
            }
        }
        if self.imported_memories.len() as u32 != self.module.desc.num_imported_memories
            || self.imported_tables.len() as u32 != self.module.desc.num_imported_tables
        {
            return Err(corrupt(
                "imported memory or table counts disagree with the import list".to_string(),
            ));
        }
        Ok(())
    }

    /// Fills the import slots and the `VMFuncRef` of every import and
    /// escaping function (the others are never read: no `ref.func`, table
    /// or export can name them).
    fn init_functions(&mut self) -> Result<(), String> {
        let vmctx = self.vmctx();
        let module = self.module;
        let imported = module.desc.num_imported_funcs;
        let funcs = module.funcs;
        let type_id_of = |i: u32, f: &kiln_abi::descriptor::FuncDesc| {
            self.type_ids
                .get(f.type_index as usize)
                .copied()
                .ok_or_else(|| {
                    corrupt(format!(
                        "function {i} has type index {} of {}",
                        f.type_index,
                        self.type_ids.len()
                    ))
                })
        };
        let imports = funcs
            .get(..imported as usize)
            .ok_or_else(|| corrupt(format!("{imported} imported functions of {}", funcs.len())))?;
        for (i, f) in imports.iter().enumerate() {
            let i = i as u32;
            let type_id = type_id_of(i, f)?;
            let (import, func_ref) = match self.linked_funcs.get(i as usize) {
                // Linked at instantiation: calls and funcrefs go to the
                // provider, with its own `VMContext`.
                Some(Some(Import::Func {
                    wasm_call,
                    type_id: provided,
                    vmctx: callee,
                })) => (
                    VMFunctionImport {
                        wasm_call: *wasm_call,
                        vmctx: *callee,
                    },
                    VMFuncRef {
                        wasm_call: *wasm_call,
                        type_id: *provided,
                        _pad: 0,
                        vmctx: *callee,
                    },
                ),
                _ => {
                    let wasm_call = f.wasm_call.get() as usize as *const u8;
                    if wasm_call.is_null() {
                        return Err(corrupt(format!("function {i} has no code")));
                    }
                    (
                        VMFunctionImport { wasm_call, vmctx },
                        VMFuncRef {
                            wasm_call,
                            type_id,
                            _pad: 0,
                            vmctx,
                        },
                    )
                }
            };
            // SAFETY: slots of our own context.
            unsafe {
                self.at::<VMFunctionImport>(self.offsets.imported_function(i))
                    .write(import);
                self.at::<VMFuncRef>(self.offsets.func_ref(i))
                    .write(func_ref);
            }
        }
        if let Some(init_refs) = self.module.init_refs {
            // SAFETY: the module's own initializer, given its own context:
            // it writes the `VMFuncRef`s of the module's escaping
            // functions, slots within the context, which no Rust reference
            // covers during the call (`self` is not borrowed by it).
            unsafe { init_refs(vmctx) };
            return Ok(());
        }
        self.init_escaping()
    }

    /// Fills the `VMFuncRef` of every escaping defined function.
    ///
    /// NB: start-up pays this loop for every function a program's tables
    /// and exports name (a Rust hello world: 70 of them), so each one costs
    /// three checks (the index, the type, the code) and one record written
    /// (24 instructions where indexing, `RelAddr::get` and the offset
    /// helpers took 30). Out of line: inlined into `with_type_ids`, its
    /// loop spilled half its registers.
    #[inline(never)]
    fn init_escaping(&mut self) -> Result<(), String> {
        let vmctx = self.vmctx();
        let module = self.module;
        let funcs = module.funcs;
        let imported = module.desc.num_imported_funcs;
        let defined = (funcs.len() as u32).saturating_sub(imported);
        let ids: &[u32] = &self.type_ids;
        let refs = self.func_refs().first;
        for &i in module.escaping {
            // One compare for both bounds: `imported <= i < funcs.len()`.
            if i.wrapping_sub(imported) >= defined {
                return Err(corrupt(format!(
                    "escaping function {i} of {} ({imported} imported)",
                    funcs.len()
                )));
            }
            // SAFETY: `i < funcs.len()`, checked just above.
            let f = unsafe { funcs.get_unchecked(i as usize) };
            let Some(&type_id) = ids.get(f.type_index as usize) else {
                return Err(corrupt(format!(
                    "function {i} has type index {} of {}",
                    f.type_index,
                    ids.len()
                )));
            };
            if f.wasm_call.0 == 0 {
                return Err(corrupt(format!("function {i} has no code")));
            }
            let wasm_call = f.wasm_call.get() as usize as *const u8;
            // SAFETY: function `i`'s slot of our own context (`i` is below
            // the module's function count, which sized the context; see
            // `func_refs`).
            unsafe {
                refs.add(i as usize).write(VMFuncRef {
                    wasm_call,
                    type_id,
                    _pad: 0,
                    vmctx,
                })
            };
        }
        Ok(())
    }

    fn init_memories(&mut self) -> Result<(), String> {
        let imported = self.module.desc.num_imported_memories as usize;
        for (i, desc) in self.module.memories.iter().enumerate().skip(imported) {
            let memory = Memory::new(desc)?;
            let def_index = (i - imported) as u32;
            let def = self.at::<VMMemoryDefinition>(self.offsets.defined_memory(def_index));
            // SAFETY: slot of our own context.
            unsafe {
                def.write(VMMemoryDefinition {
                    base: memory.base(),
                    current_length: memory.byte_len(),
                })
            };
            crate::traps::registry::register_memory(memory.base(), memory.reserved(), def);
            self.memories.push(memory);
        }
        Ok(())
    }

    fn init_globals(&mut self) -> Result<(), String> {
        let imported = self.module.desc.num_imported_globals as usize;
        for (i, g) in self.module.globals.iter().enumerate().skip(imported) {
            // NB: the spec only lets initialisers read imported (or, with
            // extended-const/GC, earlier) globals; later ones are still zero.
            let value = self.eval_const(&g.init)?;
            let slot = self.at::<VMGlobal>(self.offsets.defined_global((i - imported) as u32));
            // SAFETY: slot of our own context.
            unsafe { slot.write(VMGlobal { bytes: value }) };
        }
        Ok(())
    }

    fn init_tables(&mut self) -> Result<(), String> {
        let imported = self.module.desc.num_imported_tables as usize;
        for desc in self.module.tables.iter().skip(imported) {
            let init = self.ref_value(&desc.init)?;
            let table = Table::new(desc.min, desc.max, init)?;
            self.tables.push(table);
            self.sync_table(self.tables.len() - 1);
        }
        Ok(())
    }

    fn init_wasi_memory(&mut self) {
        if let Some(index) = self.module.export("memory", KIND_MEMORY)
            && let Some(def) = self.memory_definition(index)
        {
            // SAFETY: header field of our own context.
            unsafe {
                self.at::<*mut VMMemoryDefinition>(VMOffsets::WASI_MEMORY)
                    .write(def)
            };
        }
    }

    /// Mirrors table `def_index`'s storage into its `VMTableDefinition`.
    fn sync_table(&mut self, def_index: usize) {
        let offset = self.offsets.defined_table(def_index as u32);
        let table = &mut self.tables[def_index];
        let def = VMTableDefinition {
            base: table.base(),
            current_elements: table.len() as usize,
        };
        // SAFETY: slot of our own context.
        unsafe { self.at::<VMTableDefinition>(offset).write(def) };
    }

    /// The address of function `func`'s `VMFuncRef` (its funcref value).
    pub fn func_ref(&self, func: u32) -> Option<*mut VMFuncRef> {
        self.func_refs().get(func)
    }

    /// The function references of this instance, as a value that borrows
    /// nothing: what fills a table while the table is borrowed.
    fn func_refs(&self) -> FuncRefs {
        debug_assert_eq!(
            std::mem::size_of::<VMFuncRef>() as u32,
            VMOffsets::size_of_func_ref(self.offsets.ptr_size)
        );
        FuncRefs {
            // SAFETY: the offset of function 0's slot lies within (or,
            // with no functions, just past) our own context.
            first: unsafe { self.vmctx().add(self.offsets.func_ref(0) as usize) }.cast(),
            num_funcs: self.module.desc.num_funcs,
        }
    }

    /// The storage of global `index`.
    pub fn global(&self, index: u32) -> Option<*mut VMGlobal> {
        let imported = self.module.desc.num_imported_globals;
        if index >= self.module.desc.num_globals {
            return None;
        }
        match index.checked_sub(imported) {
            Some(def) => Some(self.at(self.offsets.defined_global(def))),
            // SAFETY: an imported global's slot holds a pointer to its storage.
            None => Some(unsafe {
                self.at::<*mut VMGlobal>(self.offsets.imported_global(index))
                    .read()
            }),
        }
    }

    /// The `VMMemoryDefinition` of memory `index`.
    pub fn memory_definition(&self, index: u32) -> Option<*mut VMMemoryDefinition> {
        let imported = self.module.desc.num_imported_memories;
        if index >= self.module.desc.num_memories {
            return None;
        }
        match index.checked_sub(imported) {
            Some(def) => Some(self.at(self.offsets.defined_memory(def))),
            // SAFETY: an imported memory's slot holds a pointer to its definition.
            None => Some(unsafe {
                self.at::<*mut VMMemoryDefinition>(self.offsets.imported_memory(index))
                    .read()
            }),
        }
    }

    /// The defining instance and defined index of memory `index` (itself
    /// for a defined memory, the provider for an imported one): what a
    /// re-export of it binds to.
    pub fn memory_owner(&mut self, index: u32) -> Option<(*mut Instance, u32)> {
        let imported = self.module.desc.num_imported_memories;
        if index >= self.module.desc.num_memories {
            return None;
        }
        match index.checked_sub(imported) {
            Some(def) => Some((self as *mut Instance, def)),
            None => self.imported_memories.get(index as usize).copied(),
        }
    }

    /// The defining instance and defined index of table `index` (see
    /// [`Instance::memory_owner`]).
    pub fn table_owner(&mut self, index: u32) -> Option<(*mut Instance, u32)> {
        let imported = self.module.desc.num_imported_tables;
        if index >= self.module.desc.num_tables {
            return None;
        }
        match index.checked_sub(imported) {
            Some(def) => Some((self as *mut Instance, def)),
            None => self.imported_tables.get(index as usize).copied(),
        }
    }

    /// The `VMMemoryDefinition` of defined memory `def_index` (what
    /// importers of it point to).
    pub fn defined_memory_definition(&self, def_index: u32) -> Option<*mut VMMemoryDefinition> {
        let defined = self.module.desc.num_memories - self.module.desc.num_imported_memories;
        (def_index < defined).then(|| self.at(self.offsets.defined_memory(def_index)))
    }

    /// The `VMTableDefinition` of defined table `def_index` (what importers
    /// of it point to).
    pub fn defined_table_definition(&self, def_index: u32) -> Option<*mut VMTableDefinition> {
        let defined = self.module.desc.num_tables - self.module.desc.num_imported_tables;
        (def_index < defined).then(|| self.at(self.offsets.defined_table(def_index)))
    }

    /// Defined memory `def_index`.
    pub fn defined_memory(&self, def_index: u32) -> Option<&Memory> {
        self.memories.get(def_index as usize)
    }

    /// The base and current length in bytes of memory `index`, as a raw
    /// range: a shared memory is written by other threads at any time, so
    /// the host never takes a `&mut [u8]` (or `&[u8]`) over a memory; it
    /// copies into or out of ranges it has checked against this length.
    pub fn memory_range(&self, index: u32) -> Option<(*mut u8, usize)> {
        let def = self.memory_definition(index)?;
        // SAFETY: a definition of a live memory; its length may be
        // published by another thread growing a shared memory, hence the
        // atomic load.
        unsafe { Some(((*def).base, crate::memory::shared::load_length(def))) }
    }

    /// A copy of the current bytes of memory `index` (tests).
    #[cfg(test)]
    pub fn memory_contents(&self, index: u32) -> Option<Vec<u8>> {
        let (base, len) = self.memory_range(index)?;
        // SAFETY: `base..base+len` is accessible; the tests run no guest
        // thread that writes the memory meanwhile.
        Some(unsafe { std::slice::from_raw_parts(base, len) }.to_vec())
    }

    /// `memory.grow`: the old size in pages, or `None`.
    pub fn memory_grow(&mut self, index: u32, delta: u64) -> Option<u64> {
        if let Some((_, shared)) = self.shared_memories.iter().find(|(i, _)| *i == index) {
            return shared.grow(delta);
        }
        if let Some(&(owner, def)) = self.imported_memories.get(index as usize) {
            // SAFETY: owners outlive importers; the owner's memory is grown
            // where its definition (which we point to) lives.
            let owner = unsafe { &mut *owner };
            return owner.memory_grow(owner.module.desc.num_imported_memories + def, delta);
        }
        // A defined shared memory may be exported and grown from several
        // threads at once (embedding): serialise, and publish the length
        // atomically.
        let shared = self
            .module
            .memories
            .get(index as usize)
            .is_some_and(|m| m.flags & kiln_abi::descriptor::MEMORY_FLAG_SHARED != 0);
        let _serial = shared.then(crate::memory::shared::defined_grow_lock);
        let def_index = index.checked_sub(self.module.desc.num_imported_memories)?;
        let memory = self.memories.get_mut(def_index as usize)?;
        let old = memory.grow(delta)?;
        let len = memory.byte_len();
        let def = self.memory_definition(index)?;
        // SAFETY: our own definition slot.
        unsafe { crate::memory::shared::publish_length(def, len) };
        Some(old)
    }

    /// Whether memory `index` is a memory64.
    fn memory_is_64(&self, index: u32) -> bool {
        self.module
            .memories
            .get(index as usize)
            .is_some_and(|m| m.flags & MEMORY_FLAG_64 != 0)
    }

    /// Whether table `index` is a table64 (its offsets are `i64`).
    fn table_is_64(&self, index: u32) -> bool {
        self.module
            .tables
            .get(index as usize)
            .is_some_and(|t| t.flags & TABLE_FLAG_64 != 0)
    }

    /// Defined table `index`.
    pub fn table(&mut self, index: u32) -> Option<&mut Table> {
        if let Some(&(owner, def)) = self.imported_tables.get(index as usize) {
            // SAFETY: owners outlive importers.
            let owner = unsafe { &mut *owner };
            return owner.tables.get_mut(def as usize);
        }
        let def_index = index.checked_sub(self.module.desc.num_imported_tables)?;
        self.tables.get_mut(def_index as usize)
    }

    /// `table.grow`: the old size, or `None`.
    pub fn table_grow(&mut self, index: u32, delta: u64, init: *mut u8) -> Option<u64> {
        if let Some(&(owner, def)) = self.imported_tables.get(index as usize) {
            // SAFETY: owners outlive importers; the owner refreshes the
            // definition its importers point to.
            let owner = unsafe { &mut *owner };
            return owner.table_grow(owner.module.desc.num_imported_tables + def, delta, init);
        }
        let def_index = index.checked_sub(self.module.desc.num_imported_tables)? as usize;
        let old = self.tables.get_mut(def_index)?.grow(delta, init)?;
        self.sync_table(def_index);
        Some(old)
    }

    /// Bytes of data segment `index` (empty once dropped).
    pub fn data_segment(&self, index: u32) -> Option<&'static [u8]> {
        let dropped = *self.dropped_data.get(index as usize)?;
        Some(if dropped {
            &[]
        } else {
            self.module.data_bytes(index)
        })
    }

    /// `data.drop`.
    pub fn drop_data(&mut self, index: u32) {
        if let Some(d) = self.dropped_data.get_mut(index as usize) {
            *d = true;
        }
    }

    /// Items of element segment `index` (empty once dropped).
    pub fn elem_segment(&self, index: u32) -> Option<&'static [ConstExpr]> {
        let dropped = *self.dropped_elems.get(index as usize)?;
        Some(if dropped {
            &[]
        } else {
            self.module.elem_items(index)
        })
    }

    /// `elem.drop`.
    pub fn drop_elem(&mut self, index: u32) {
        if let Some(d) = self.dropped_elems.get_mut(index as usize) {
            *d = true;
        }
    }

    /// Evaluates a constant expression to its 16 value bytes.
    pub fn eval_const(&self, e: &ConstExpr) -> Result<[u8; 16], String> {
        match e.kind {
            CONST_VALUE => Ok(e.value),
            CONST_REF_NULL => Ok([0; 16]),
            CONST_GLOBAL_GET => {
                let g = self
                    .global(e.index)
                    .ok_or_else(|| corrupt(format!("global.get of global {}", e.index)))?;
                // SAFETY: global storage is 16 readable bytes.
                Ok(unsafe { (*g).bytes })
            }
            CONST_REF_FUNC => {
                let f = self
                    .func_ref(e.index)
                    .ok_or_else(|| corrupt(format!("ref.func of function {}", e.index)))?;
                let mut v = [0; 16];
                v[..8].copy_from_slice(&(f as u64).to_le_bytes());
                Ok(v)
            }
            kiln_abi::descriptor::CONST_OPS => {
                // SAFETY: `e` is part of this instance's module descriptor.
                let ops = unsafe { crate::const_expr::ops_of(e) };
                crate::const_expr::eval_ops(ops, |i| {
                    // SAFETY: global storage is 16 readable bytes.
                    self.global(i).map(|g| unsafe { (*g).bytes })
                })
            }
            k => Err(corrupt(format!("constant expression kind {k}"))),
        }
    }

    /// Evaluates a reference-typed constant expression to a table element.
    pub fn ref_value(&self, e: &ConstExpr) -> Result<*mut u8, String> {
        // The common items of element segments, without the 16-byte value.
        match e.kind {
            CONST_REF_FUNC => {
                return self
                    .func_ref(e.index)
                    .map(|f| f.cast::<u8>())
                    .ok_or_else(|| corrupt(format!("ref.func of function {}", e.index)));
            }
            CONST_REF_NULL => return Ok(std::ptr::null_mut()),
            _ => {}
        }
        let v = self.eval_const(e)?;
        let mut p = [0u8; 8];
        p.copy_from_slice(&v[..8]);
        Ok(u64::from_le_bytes(p) as usize as *mut u8)
    }

    /// Evaluates an offset expression (i32, or i64 for a memory64).
    fn offset(&self, e: &ConstExpr, is_64: bool) -> Result<u64, String> {
        let v = self.eval_const(e)?;
        Ok(if is_64 {
            u64::from_le_bytes([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]])
        } else {
            u32::from_le_bytes([v[0], v[1], v[2], v[3]]).into()
        })
    }

    /// `table.init`: copies `len` items of element segment `elem` from
    /// `src` to table `table` at `dst`, after checking both ranges.
    pub fn table_init(
        &mut self,
        table: u32,
        elem: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> Result<(), InitError> {
        let items = self
            .elem_segment(elem)
            .ok_or_else(|| InitError::Corrupt(corrupt(format!("element segment {elem}"))))?;
        let table_len = self
            .table(table)
            .ok_or_else(|| InitError::Corrupt(corrupt(format!("table {table}"))))?
            .len();
        let in_bounds =
            |start: u64, size: u64| start.checked_add(len).is_some_and(|end| end <= size);
        if !in_bounds(src, items.len() as u64) || !in_bounds(dst, table_len) {
            return Err(InitError::Trap(TrapCode::TableOutOfBounds));
        }
        let items = &items[src as usize..(src + len) as usize];
        let dst = dst as usize;
        // What toolchains emit: function references (and nulls), resolved
        // by address arithmetic straight into the table, with one lookup of
        // the table for the segment (a Rust hello world's start-up fills
        // 68 slots this way). Other constant expressions, from the first
        // one on, are evaluated a chunk at a time below.
        let refs = self.func_refs();
        let mut done = 0;
        let t = self.table(table).expect("checked above");
        for (slot, e) in t.elements_mut()[dst..dst + items.len()]
            .iter_mut()
            .zip(items)
        {
            // NB: nearly every element is a `ref.func`.
            *slot = if e.kind == CONST_REF_FUNC {
                refs.get(e.index).ok_or_else(|| {
                    InitError::Corrupt(corrupt(format!("ref.func of function {}", e.index)))
                })?
            } else if e.kind == CONST_REF_NULL {
                std::ptr::null_mut()
            } else {
                break;
            }
            .cast();
            done += 1;
        }
        const CHUNK: usize = 32;
        let mut at = dst + done;
        for chunk in items[done..].chunks(CHUNK) {
            let mut values = [std::ptr::null_mut(); CHUNK];
            for (v, item) in values.iter_mut().zip(chunk) {
                *v = self.ref_value(item).map_err(InitError::Corrupt)?;
            }
            let t = self.table(table).expect("checked above");
            t.elements_mut()[at..at + chunk.len()].copy_from_slice(&values[..chunk.len()]);
            at += chunk.len();
        }
        Ok(())
    }

    /// `memory.init`: copies `len` bytes of data segment `data` from `src`
    /// to memory `memory` at `dst`, after checking both ranges.
    pub fn memory_init(
        &mut self,
        memory: u32,
        data: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> Result<(), InitError> {
        let bytes = self
            .data_segment(data)
            .ok_or_else(|| InitError::Corrupt(corrupt(format!("data segment {data}"))))?;
        let (base, size) = self
            .memory_range(memory)
            .ok_or_else(|| InitError::Corrupt(corrupt(format!("memory {memory}"))))?;
        let in_bounds =
            |start: u64, size: u64| start.checked_add(len).is_some_and(|end| end <= size);
        if !in_bounds(src, bytes.len() as u64) || !in_bounds(dst, size as u64) {
            return Err(InitError::Trap(TrapCode::MemoryOutOfBounds));
        }
        let (dst, src, len) = (dst as usize, src as usize, len as usize);
        // SAFETY: `dst..dst+len` was checked against the memory's accessible
        // length and `src..src+len` against the segment. A raw copy, not a
        // slice over the memory: other threads may access a shared memory
        // concurrently (racing guest accesses are the guest's business, as
        // in Wasmtime), and no host reference to its bytes ever exists. The
        // segment lives in the module's read-only data, never in a memory,
        // so the ranges do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr().add(src), base.add(dst), len) };
        Ok(())
    }

    /// Applies active segments and drops active and declarative ones (step 2
    /// of the module docs).
    pub fn apply_segments(&mut self) -> Result<(), InitError> {
        let applied = self.module.desc.num_applied_elems;
        for (i, e) in self.module.elems.iter().enumerate() {
            let i = i as u32;
            if i < applied {
                // Applied by the element initializer (see `Instance::new`).
                if e.flags & (SEGMENT_FLAG_ACTIVE | SEGMENT_FLAG_DECLARED) != 0 {
                    self.drop_elem(i);
                }
            } else if e.flags & SEGMENT_FLAG_ACTIVE != 0 {
                let dst = self
                    .offset(&e.offset, self.table_is_64(e.table))
                    .map_err(InitError::Corrupt)?;
                self.table_init(e.table, i, dst, 0, e.num_items.into())?;
                self.drop_elem(i);
            } else if e.flags & SEGMENT_FLAG_DECLARED != 0 {
                self.drop_elem(i);
            }
        }
        for (i, d) in self.module.data.iter().enumerate() {
            let i = i as u32;
            if d.flags & SEGMENT_FLAG_ACTIVE == 0 {
                continue;
            }
            if d.flags & DATA_FLAG_IN_IMAGE == 0 {
                let dst = self
                    .offset(&d.offset, self.memory_is_64(d.memory))
                    .map_err(InitError::Corrupt)?;
                self.memory_init(d.memory, i, dst, 0, d.len)?;
            }
            self.drop_data(i);
        }
        Ok(())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        crate::exceptions::heap::unregister_instance(self);
        for m in &self.memories {
            crate::traps::registry::unregister_memory(m.base());
        }
        // SAFETY: allocated in `new` with this layout; the instance, being
        // dropped, is its only user.
        unsafe { crate::vmctx_alloc::free(self.vmctx, self.vmctx_layout) };
    }
}
