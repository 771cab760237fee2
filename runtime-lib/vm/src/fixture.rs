//! Hand-built module descriptors (like Lucet's mock modules): the runtime
//! tested without the compiler.
//!
//! [`ModuleBuilder`] lays out a `ModuleDescriptor` and all its arrays in
//! leaked Rust memory, so the result is `'static` like the linked-in one.
//! "Functions" are either Rust `extern "C"` functions used as array-call
//! trampolines, or hand-assembled machine code ([`CodePage`]) for tests of
//! the trap handler.

use crate::descriptor::Module;
use kiln_abi::ValType;
use kiln_abi::descriptor::*;
use kiln_abi::tables::{SrcLoc, TrapSite, encode_srclocs, encode_traps};
use kiln_abi::vmctx::{VMCounts, VMOffsets};

fn leak<T>(v: Vec<T>) -> Addr {
    if v.is_empty() {
        return 0;
    }
    Box::leak(v.into_boxed_slice()).as_ptr() as Addr
}

/// A leaked descriptor string.
pub fn s(text: &str) -> Str {
    Str {
        ptr: leak(text.as_bytes().to_vec()),
        len: text.len() as u64,
    }
}

/// A constant value expression.
pub fn value(v: i64) -> ConstExpr {
    let mut value = [0; 16];
    value[..8].copy_from_slice(&v.to_le_bytes());
    ConstExpr {
        kind: CONST_VALUE,
        index: 0,
        value,
    }
}

/// `ref.func i`.
pub fn ref_func(i: u32) -> ConstExpr {
    ConstExpr {
        kind: CONST_REF_FUNC,
        index: i,
        value: [0; 16],
    }
}

/// `ref.null`.
pub fn ref_null() -> ConstExpr {
    ConstExpr {
        kind: CONST_REF_NULL,
        index: 0,
        value: [0; 16],
    }
}

/// `global.get i`.
pub fn global_get(i: u32) -> ConstExpr {
    ConstExpr {
        kind: CONST_GLOBAL_GET,
        index: i,
        value: [0; 16],
    }
}

/// One function of a [`ModuleBuilder`].
#[derive(Clone, Debug, Default)]
pub struct FuncSpec {
    /// Type index.
    pub ty: u32,
    /// Body address (wasm call), must be non-zero.
    pub wasm_call: u64,
    /// Array-call trampoline, 0 if none.
    pub array_call: u64,
    /// Body size (0: not registered as compiled code).
    pub code_len: u64,
    /// Name-section name.
    pub name: Option<String>,
    /// Trap sites.
    pub traps: Vec<TrapSite>,
    /// Source locations.
    pub srclocs: Vec<SrcLoc>,
}

/// Builds a leaked module descriptor.
#[derive(Clone, Debug, Default)]
pub struct ModuleBuilder {
    /// Module name.
    pub name: Option<String>,
    /// Types: (params, results).
    pub types: Vec<(Vec<ValType>, Vec<ValType>)>,
    /// Functions (imports first, see `imports`).
    pub funcs: Vec<FuncSpec>,
    /// Memories.
    pub memories: Vec<MemoryDesc>,
    /// Tables.
    pub tables: Vec<TableDesc>,
    /// Globals.
    pub globals: Vec<GlobalDesc>,
    /// Data segments: (offset, memory, flags, bytes).
    pub data: Vec<(ConstExpr, u32, u32, Vec<u8>)>,
    /// Element segments: (offset, table, flags, items).
    pub elems: Vec<(ConstExpr, u32, u32, Vec<ConstExpr>)>,
    /// Exports: (name, kind, index).
    pub exports: Vec<(String, u32, u32)>,
    /// Start function.
    pub start: Option<u32>,
    /// Linked imports: (module, name, kind, index in the kind's space). The
    /// imported entities come first in `funcs`, `memories`, `tables`,
    /// `globals` (an imported function has `wasm_call` 0).
    pub imports: Vec<(String, String, u32, u32)>,
}

/// A memory of `min` pages (at most `max`).
pub fn memory(min: u64, max: u64) -> MemoryDesc {
    MemoryDesc {
        min_pages: min,
        max_pages: max,
        image: 0,
        image_len: 0,
        image_offset: 0,
        page_size_log2: 16,
        flags: 0,
    }
}

/// A funcref table.
pub fn table(min: u64, max: u64, init: ConstExpr) -> TableDesc {
    TableDesc {
        min,
        max,
        init,
        elem_type: ValType::FuncRef as u32,
        flags: 0,
    }
}

/// A global.
pub fn global(ty: ValType, init: ConstExpr) -> GlobalDesc {
    GlobalDesc {
        init,
        val_type: ty as u32,
        mutable: 1,
    }
}

impl ModuleBuilder {
    /// Lays everything out and leaks it.
    pub fn descriptor(&self) -> &'static ModuleDescriptor {
        let types: Vec<TypeDesc> = self
            .types
            .iter()
            .map(|(p, r)| TypeDesc {
                params: leak(p.iter().map(|t| *t as u8).collect()),
                results: leak(r.iter().map(|t| *t as u8).collect()),
                num_params: p.len() as u32,
                num_results: r.len() as u32,
            })
            .collect();
        // Self-relative addresses are set where the records lie: leaked
        // first, filled in place.
        let funcs: &'static mut [FuncDesc] = Box::leak(
            self.funcs
                .iter()
                .map(|_| FuncDesc::default())
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
        for (d, f) in funcs.iter_mut().zip(&self.funcs) {
            let mut traps = Vec::new();
            encode_traps(&f.traps, &mut traps);
            let mut srclocs = Vec::new();
            // NB: `wasm_offset` (the base) is 0 below.
            encode_srclocs(0, &f.srclocs, &mut srclocs);
            d.wasm_call.set(f.wasm_call);
            d.array_call.set(f.array_call);
            d.code_len = f.code_len;
            if let Some(name) = f.name.as_deref() {
                let name = s(name);
                d.name.ptr.set(name.ptr);
                d.name.len = name.len;
            }
            d.traps_len = traps.len() as u32;
            d.srclocs_len = srclocs.len() as u32;
            d.traps.set(leak(traps));
            d.srclocs.set(leak(srclocs));
            d.type_index = f.ty;
        }
        let data: Vec<DataDesc> = self
            .data
            .iter()
            .map(|(offset, memory, flags, bytes)| DataDesc {
                offset: *offset,
                bytes: leak(bytes.clone()),
                len: bytes.len() as u64,
                memory: *memory,
                flags: *flags,
            })
            .collect();
        let elems: Vec<ElemDesc> = self
            .elems
            .iter()
            .map(|(offset, table, flags, items)| ElemDesc {
                offset: *offset,
                items: leak(items.clone()),
                num_items: items.len() as u32,
                table: *table,
                flags: *flags,
                elem_type: ValType::FuncRef as u32,
            })
            .collect();
        let exports: Vec<ExportDesc> = self
            .exports
            .iter()
            .map(|(name, kind, index)| ExportDesc {
                name: s(name),
                kind: *kind,
                index: *index,
            })
            .collect();
        let imported = |kind: u32| self.imports.iter().filter(|i| i.2 == kind).count() as u32;
        let (imported_funcs, imported_memories, imported_tables, imported_globals) = (
            imported(KIND_FUNC),
            imported(KIND_MEMORY),
            imported(KIND_TABLE),
            imported(KIND_GLOBAL),
        );
        let imports: Vec<ImportDesc> = self
            .imports
            .iter()
            .map(|(module, name, kind, index)| ImportDesc {
                module: s(module),
                name: s(name),
                kind: *kind,
                index: *index,
                flags: 0,
                _reserved: 0,
            })
            .collect();
        let counts = VMCounts {
            imported_funcs,
            imported_memories,
            imported_tables,
            imported_globals,
            defined_memories: self.memories.len() as u32 - imported_memories,
            defined_tables: self.tables.len() as u32 - imported_tables,
            defined_globals: self.globals.len() as u32 - imported_globals,
            funcs: self.funcs.len() as u32,
            ..VMCounts::default()
        };
        let desc = ModuleDescriptor {
            magic: kiln_abi::MODULE_MAGIC,
            abi_version: kiln_abi::ABI_VERSION,
            num_types: types.len() as u32,
            num_imported_funcs: imported_funcs,
            num_funcs: funcs.len() as u32,
            num_imported_memories: imported_memories,
            num_memories: self.memories.len() as u32,
            num_imported_tables: imported_tables,
            num_tables: self.tables.len() as u32,
            num_imported_globals: imported_globals,
            num_globals: self.globals.len() as u32,
            num_data: data.len() as u32,
            num_elems: elems.len() as u32,
            num_exports: exports.len() as u32,
            num_imports: imports.len() as u32,
            start_func: self.start.unwrap_or(NO_INDEX),
            vmctx_size: VMOffsets::new(8, counts).size(),
            flags: 0,
            abi_anchor: 0,
            types: leak(types),
            funcs: if funcs.is_empty() {
                0
            } else {
                funcs.as_ptr() as Addr
            },
            memories: leak(self.memories.clone()),
            tables: leak(self.tables.clone()),
            globals: leak(self.globals.clone()),
            data: leak(data),
            elems: leak(elems),
            exports: leak(exports),
            imports: leak(imports),
            tags: 0,
            num_tags: 0,
            num_imported_tags: 0,
            ref_types: 0,
            name: self.name.as_deref().map(s).unwrap_or_default(),
            // Every defined function may be referred to.
            escaping: leak((imported_funcs..funcs.len() as u32).collect()),
            num_escaping: funcs.len() as u32 - imported_funcs,
            num_inlined: 0,
            type_ids: 0,
            inlined: 0,
            init_refs: 0,
            init_elems: 0,
            num_applied_elems: 0,
            debug_symbols_len: 0,
            debug_symbols: 0,
        };
        Box::leak(Box::new(desc))
    }

    /// The checked view of [`ModuleBuilder::descriptor`].
    pub fn module(&self) -> Module {
        // SAFETY: everything was laid out above and leaked.
        unsafe { Module::new(self.descriptor()) }.expect("valid hand-built descriptor")
    }
}

/// A module whose functions have only names (for formatting tests).
pub fn leak_module(name: Option<&str>, func_names: &[Option<&str>]) -> &'static Module {
    let b = ModuleBuilder {
        name: name.map(str::to_string),
        types: vec![(vec![], vec![])],
        funcs: func_names
            .iter()
            .map(|n| FuncSpec {
                wasm_call: 1,
                name: n.map(str::to_string),
                ..FuncSpec::default()
            })
            .collect(),
        ..ModuleBuilder::default()
    };
    Box::leak(Box::new(b.module()))
}

/// An executable page of hand-assembled machine code (leaked).
pub struct CodePage {
    base: *mut u8,
}

impl CodePage {
    /// Copies `code` into a fresh page and makes it executable.
    pub fn new(code: &[u8]) -> CodePage {
        let len = crate::memory::host_page_size();
        assert!(code.len() <= len);
        let p = kiln_platform::vmem::reserve(len).expect("reserve a code page");
        // SAFETY: our own fresh reservation: made read-write, written,
        // then made read+exec; never freed (leaked on purpose).
        unsafe {
            kiln_platform::vmem::make_accessible(p, len).expect("code page writable");
            std::ptr::copy_nonoverlapping(code.as_ptr(), p, code.len());
            kiln_platform::vmem::make_executable(p, len).expect("code page executable");
        }
        CodePage { base: p }
    }

    /// Address of byte `offset`.
    pub fn at(&self, offset: usize) -> u64 {
        self.base as u64 + offset as u64
    }
}
