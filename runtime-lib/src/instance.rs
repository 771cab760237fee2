//! Instances: the `VMContext` and everything it points to, set up from the
//! descriptor alone (nothing is parsed at start-up).
//!
//! Phase: instantiation. Inputs: a [`Module`] and the guest's WASI context.
//! Output: a boxed [`Instance`] whose `VMContext` compiled code can use.
//!
//! Order (the spec's, wasm 2.0):
//! 1. [`Instance::new`]: allocate the `VMContext` (size from
//!    `kiln_abi::vmctx::VMOffsets`, checked against the descriptor,
//!    16-aligned, zeroed); intern signature ids ([`crate::typeids`]); fill
//!    the header, imported functions and a `VMFuncRef` for every function;
//!    create memories (with their images), evaluate global initialisers in
//!    order, create tables (filled with their initial value); point
//!    `wasi_memory` at the export `memory`.
//! 2. [`Instance::apply_segments`]: active element segments in order
//!    (whole-segment bounds check, then write; a failing segment traps with
//!    the segments before it applied), declarative ones dropped; then active
//!    data segments not already in a memory image, the same way.
//! 3. The caller runs the start function.
//!
//! Invariants: the instance is boxed before its address is stored in the
//! header (`VMOffsets::INSTANCE`), and never moves; libcalls reach it with
//! [`Instance::from_vmctx`]. Memories, tables and globals imported from
//! other instances are not supported yet (modules only import WASI host
//! functions, which the compiler resolved): [`Instance::new`] reports them.

use crate::descriptor::Module;
use crate::memory::Memory;
use crate::table::Table;
use crate::wasi::WasiCtx;
use kiln_abi::descriptor::{
    CONST_GLOBAL_GET, CONST_REF_FUNC, CONST_REF_NULL, CONST_VALUE, ConstExpr, DATA_FLAG_IN_IMAGE,
    KIND_MEMORY, MEMORY_FLAG_64, SEGMENT_FLAG_ACTIVE, SEGMENT_FLAG_DECLARED,
};
use kiln_abi::trap::TrapCode;
use kiln_abi::vmctx::{
    VMCTX_MAGIC, VMCounts, VMFuncRef, VMFunctionImport, VMGlobal, VMMemoryDefinition, VMOffsets,
    VMTableDefinition,
};
use std::alloc::Layout;
use std::ptr::NonNull;

/// Why instantiation stopped after the `VMContext` was built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitError {
    /// A wasm trap (segment out of bounds).
    Trap(TrapCode),
    /// The descriptor is inconsistent (a compiler bug).
    Corrupt(String),
}

/// One instance of a module.
#[derive(Debug)]
pub struct Instance {
    module: Module,
    offsets: VMOffsets,
    vmctx: NonNull<u8>,
    vmctx_layout: Layout,
    type_ids: Box<[u32]>,
    /// Defined memories.
    memories: Vec<Memory>,
    /// Defined tables.
    tables: Vec<Table>,
    dropped_data: Box<[bool]>,
    dropped_elems: Box<[bool]>,
    host_state: *mut WasiCtx,
}

fn corrupt(what: String) -> String {
    format!("corrupt module descriptor: {what}")
}

impl Instance {
    /// Builds the instance (step 1 of the module docs).
    pub fn new(module: Module, wasi: Option<WasiCtx>) -> Result<Box<Instance>, String> {
        let d = module.desc;
        if d.num_imported_memories + d.num_imported_tables + d.num_imported_globals != 0 {
            return Err("importing memories, tables or globals is not supported yet".to_string());
        }
        let counts = VMCounts {
            imported_funcs: d.num_imported_funcs,
            imported_memories: d.num_imported_memories,
            imported_tables: d.num_imported_tables,
            imported_globals: d.num_imported_globals,
            defined_memories: d.num_memories - d.num_imported_memories,
            defined_tables: d.num_tables - d.num_imported_tables,
            defined_globals: d.num_globals - d.num_imported_globals,
            funcs: d.num_funcs,
        };
        let offsets = VMOffsets::new(std::mem::size_of::<usize>() as u8, counts);
        if offsets.size() != d.vmctx_size {
            return Err(corrupt(format!(
                "VMContext size {} but the runtime computes {}",
                d.vmctx_size,
                offsets.size()
            )));
        }
        let vmctx_layout = Layout::from_size_align(offsets.size().max(16) as usize, 16)
            .map_err(|e| corrupt(format!("VMContext layout: {e}")))?;
        // SAFETY: the layout has a non-zero size.
        let vmctx = NonNull::new(unsafe { std::alloc::alloc_zeroed(vmctx_layout) })
            .ok_or_else(|| "out of memory allocating the VMContext".to_string())?;

        let type_ids = (0..d.num_types)
            .map(|t| {
                let ty = module.func_type(t).expect("type index below num_types");
                crate::typeids::intern(ty.params, ty.results)
            })
            .collect();

        let mut instance = Box::new(Instance {
            module,
            offsets,
            vmctx,
            vmctx_layout,
            type_ids,
            memories: Vec::new(),
            tables: Vec::new(),
            dropped_data: vec![false; module.data.len()].into_boxed_slice(),
            dropped_elems: vec![false; module.elems.len()].into_boxed_slice(),
            host_state: match wasi {
                Some(ctx) => Box::into_raw(Box::new(ctx)),
                None => std::ptr::null_mut(),
            },
        });
        instance.init_header();
        instance.init_functions()?;
        instance.init_memories()?;
        instance.init_globals()?;
        instance.init_tables()?;
        instance.init_wasi_memory();
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
        // SAFETY: header field of our own context.
        unsafe { self.at::<usize>(VMOffsets::STACK_LIMIT).write(limit) }
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
            self.at::<*mut WasiCtx>(VMOffsets::HOST_STATE)
                .write(self.host_state);
        }
    }

    fn init_functions(&mut self) -> Result<(), String> {
        let vmctx = self.vmctx();
        for (i, f) in self.module.funcs.iter().enumerate() {
            let i = i as u32;
            if f.wasm_call == 0 {
                return Err(corrupt(format!("function {i} has no code")));
            }
            let type_id = self.type_ids[f.type_index as usize];
            if i < self.module.desc.num_imported_funcs {
                let import = VMFunctionImport {
                    wasm_call: f.wasm_call as usize as *const u8,
                    vmctx,
                };
                // SAFETY: slot of our own context.
                unsafe {
                    self.at::<VMFunctionImport>(self.offsets.imported_function(i))
                        .write(import)
                };
            }
            let func_ref = VMFuncRef {
                wasm_call: f.wasm_call as usize as *const u8,
                type_id,
                _pad: 0,
                vmctx,
            };
            // SAFETY: slot of our own context.
            unsafe {
                self.at::<VMFuncRef>(self.offsets.func_ref(i))
                    .write(func_ref)
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
        (func < self.module.desc.num_funcs).then(|| self.at(self.offsets.func_ref(func)))
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

    /// The current bytes of memory `index`.
    pub fn memory_bytes(&mut self, index: u32) -> Option<&mut [u8]> {
        let def = self.memory_definition(index)?;
        // SAFETY: a definition describes `current_length` accessible bytes.
        unsafe {
            Some(std::slice::from_raw_parts_mut(
                (*def).base,
                (*def).current_length,
            ))
        }
    }

    /// `memory.grow`: the old size in pages, or `None`.
    pub fn memory_grow(&mut self, index: u32, delta: u64) -> Option<u64> {
        let def_index = index.checked_sub(self.module.desc.num_imported_memories)?;
        let memory = self.memories.get_mut(def_index as usize)?;
        let old = memory.grow(delta)?;
        let len = memory.byte_len();
        let def = self.memory_definition(index)?;
        // SAFETY: our own definition slot.
        unsafe { (*def).current_length = len };
        Some(old)
    }

    /// Whether memory `index` is a memory64.
    fn memory_is_64(&self, index: u32) -> bool {
        self.module
            .memories
            .get(index as usize)
            .is_some_and(|m| m.flags & MEMORY_FLAG_64 != 0)
    }

    /// Defined table `index`.
    pub fn table(&mut self, index: u32) -> Option<&mut Table> {
        let def_index = index.checked_sub(self.module.desc.num_imported_tables)?;
        self.tables.get_mut(def_index as usize)
    }

    /// `table.grow`: the old size, or `None`.
    pub fn table_grow(&mut self, index: u32, delta: u64, init: *mut u8) -> Option<u64> {
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
            k => Err(corrupt(format!("constant expression kind {k}"))),
        }
    }

    /// Evaluates a reference-typed constant expression to a table element.
    pub fn ref_value(&self, e: &ConstExpr) -> Result<*mut u8, String> {
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
        for (k, item) in items[src as usize..(src + len) as usize].iter().enumerate() {
            let value = self.ref_value(item).map_err(InitError::Corrupt)?;
            let t = self.table(table).expect("checked above");
            t.elements_mut()[dst as usize + k] = value;
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
        let mem = self
            .memory_bytes(memory)
            .ok_or_else(|| InitError::Corrupt(corrupt(format!("memory {memory}"))))?;
        let in_bounds =
            |start: u64, size: u64| start.checked_add(len).is_some_and(|end| end <= size);
        if !in_bounds(src, bytes.len() as u64) || !in_bounds(dst, mem.len() as u64) {
            return Err(InitError::Trap(TrapCode::MemoryOutOfBounds));
        }
        let (dst, src, len) = (dst as usize, src as usize, len as usize);
        mem[dst..dst + len].copy_from_slice(&bytes[src..src + len]);
        Ok(())
    }

    /// Applies active segments and drops active and declarative ones (step 2
    /// of the module docs).
    pub fn apply_segments(&mut self) -> Result<(), InitError> {
        for (i, e) in self.module.elems.iter().enumerate() {
            let i = i as u32;
            if e.flags & SEGMENT_FLAG_ACTIVE != 0 {
                let dst = self.offset(&e.offset, false).map_err(InitError::Corrupt)?;
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
        for m in &self.memories {
            crate::traps::registry::unregister_memory(m.base());
        }
        if !self.host_state.is_null() {
            // SAFETY: created by `Box::into_raw` in `new`, dropped once.
            drop(unsafe { Box::from_raw(self.host_state) });
        }
        // SAFETY: allocated in `new` with this layout.
        unsafe { std::alloc::dealloc(self.vmctx.as_ptr(), self.vmctx_layout) };
    }
}
