//! Typed, checked views of the compiler-emitted module descriptor.
//!
//! Phase: start-up. Input: a `&'static kiln_abi::descriptor::ModuleDescriptor`
//! (the linked-in `__kiln_module`, or a hand-built one in tests). Output: a
//! [`Module`] holding `'static` slices of every record array, so nothing else
//! in the runtime touches raw [`Addr`]s.
//!
//! Invariants: [`Module::new`] checks magic, ABI version, that import counts
//! do not exceed totals and that every array with a non-zero count has an
//! address; it never parses or copies (the descriptor is read in place).
//! Indices *inside* records (type indices, function indices, ...) are checked
//! where they are used, because a bad one is a compiler bug that must give a
//! clear error, never undefined behaviour.

use kiln_abi::ValType;
use kiln_abi::descriptor::{
    Addr, DataDesc, ElemDesc, ExportDesc, FuncDesc, GlobalDesc, ImportDesc, MemoryDesc,
    ModuleDescriptor, Str, TableDesc, TypeDesc,
};
use kiln_abi::tables::{SrcLocTable, TrapTable};

use kiln_abi::descriptor::MODULE_FLAG_UNPARSED_DEBUGINFO;

/// Builds a `'static` slice from a descriptor address and element count.
///
/// # Safety
/// `addr` must point to `len` valid, immutable `T`s that live for the rest of
/// the process (or be anything when `len == 0`).
pub unsafe fn slice<T>(addr: Addr, len: u64) -> &'static [T] {
    if len == 0 || addr == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(addr as usize as *const T, len as usize) }
}

/// The bytes of a descriptor string.
///
/// # Safety
/// As [`slice`]: `s` must describe `s.len` readable, immutable bytes.
pub unsafe fn str_bytes(s: Str) -> &'static [u8] {
    // SAFETY: guaranteed by the caller.
    unsafe { slice::<u8>(s.ptr, s.len) }
}

/// A function type as value types.
#[derive(Copy, Clone, Debug)]
pub struct FuncType {
    /// Parameter types, as `kiln_abi::ValType` bytes.
    pub params: &'static [u8],
    /// Result types, as `kiln_abi::ValType` bytes.
    pub results: &'static [u8],
}

impl FuncType {
    /// Decoded parameter types (`None` for an unknown type byte).
    pub fn param_types(&self) -> impl Iterator<Item = Option<ValType>> + '_ {
        self.params.iter().map(|b| ValType::from_u8(*b))
    }

    /// Decoded result types (`None` for an unknown type byte).
    pub fn result_types(&self) -> impl Iterator<Item = Option<ValType>> + '_ {
        self.results.iter().map(|b| ValType::from_u8(*b))
    }
}

/// A validated view of one module descriptor.
#[derive(Copy, Clone, Debug)]
pub struct Module {
    /// The root record.
    pub desc: &'static ModuleDescriptor,
    /// Function types by type index.
    pub types: &'static [TypeDesc],
    /// All functions, imports first.
    pub funcs: &'static [FuncDesc],
    /// All memories, imports first.
    pub memories: &'static [MemoryDesc],
    /// All tables, imports first.
    pub tables: &'static [TableDesc],
    /// All globals, imports first.
    pub globals: &'static [GlobalDesc],
    /// Data segments.
    pub data: &'static [DataDesc],
    /// Element segments.
    pub elems: &'static [ElemDesc],
    /// Exports.
    pub exports: &'static [ExportDesc],
    /// Imports.
    pub imports: &'static [ImportDesc],
    /// The escaping defined functions, ascending (`ModuleDescriptor::escaping`).
    pub escaping: &'static [u32],
    /// The frames of inlined code (`ModuleDescriptor::inlined`).
    pub inlined: &'static [u32],
    /// The reference initializer (`ModuleDescriptor::init_refs`): fills
    /// the `VMFuncRef`s of the escaping functions.
    pub init_refs: Option<Initializer>,
    /// The element initializer (`ModuleDescriptor::init_elems`): applies
    /// the active segments among the first `num_applied_elems` into the
    /// context's tables.
    pub init_elems: Option<Initializer>,
}

/// A module's compiled initializer: `extern "C" fn(vmctx)`.
pub type Initializer = unsafe extern "C" fn(vmctx: *mut u8);

/// The initializer at `addr`, `None` for `0`.
///
/// # Safety
/// A non-zero `addr` is the address of code with [`Initializer`]'s
/// signature.
unsafe fn initializer(addr: Addr) -> Option<Initializer> {
    // SAFETY: guaranteed by the caller.
    (addr != 0).then(|| unsafe { std::mem::transmute::<usize, Initializer>(addr as usize) })
}

fn check_array(what: &str, addr: Addr, count: u32) -> Result<(), String> {
    if count != 0 && addr == 0 {
        return Err(format!(
            "corrupt module descriptor: {count} {what} but no address"
        ));
    }
    Ok(())
}

fn check_imports(what: &str, imported: u32, total: u32) -> Result<(), String> {
    if imported > total {
        return Err(format!(
            "corrupt module descriptor: {imported} imported {what} of {total}"
        ));
    }
    Ok(())
}

impl Module {
    /// Checks `desc` and builds the view.
    ///
    /// # Safety
    /// `desc` must be a descriptor as the compiler emits it: every address
    /// with a non-zero count points to that many records that stay valid and
    /// unchanged for the rest of the process.
    pub unsafe fn new(desc: &'static ModuleDescriptor) -> Result<Module, String> {
        if desc.magic != kiln_abi::MODULE_MAGIC {
            return Err(format!(
                "this executable's module descriptor is corrupt (magic {:#010x}, expected {:#010x})",
                desc.magic,
                kiln_abi::MODULE_MAGIC
            ));
        }
        if desc.abi_version != kiln_abi::ABI_VERSION {
            return Err(format!(
                "this executable was compiled for Kiln runtime ABI version {} but its runtime implements version {}",
                desc.abi_version,
                kiln_abi::ABI_VERSION
            ));
        }
        check_array("types", desc.types, desc.num_types)?;
        check_array("functions", desc.funcs, desc.num_funcs)?;
        check_array("memories", desc.memories, desc.num_memories)?;
        check_array("tables", desc.tables, desc.num_tables)?;
        check_array("globals", desc.globals, desc.num_globals)?;
        check_array("data segments", desc.data, desc.num_data)?;
        check_array("element segments", desc.elems, desc.num_elems)?;
        check_array("exports", desc.exports, desc.num_exports)?;
        check_array("imports", desc.imports, desc.num_imports)?;
        check_array("escaping functions", desc.escaping, desc.num_escaping)?;
        check_array("inlined frames", desc.inlined, desc.num_inlined)?;
        check_imports("functions", desc.num_imported_funcs, desc.num_funcs)?;
        check_imports("memories", desc.num_imported_memories, desc.num_memories)?;
        check_imports("tables", desc.num_imported_tables, desc.num_tables)?;
        check_imports("globals", desc.num_imported_globals, desc.num_globals)?;
        if desc.num_applied_elems > desc.num_elems
            || (desc.num_applied_elems > 0) != (desc.init_elems != 0)
        {
            return Err(format!(
                "corrupt module descriptor: {} applied element segments of {}",
                desc.num_applied_elems, desc.num_elems
            ));
        }
        // SAFETY: counts and addresses come from the descriptor, which the
        // caller guarantees to be well formed.
        let module = unsafe {
            Module {
                desc,
                types: slice(desc.types, desc.num_types.into()),
                funcs: slice(desc.funcs, desc.num_funcs.into()),
                memories: slice(desc.memories, desc.num_memories.into()),
                tables: slice(desc.tables, desc.num_tables.into()),
                globals: slice(desc.globals, desc.num_globals.into()),
                data: slice(desc.data, desc.num_data.into()),
                elems: slice(desc.elems, desc.num_elems.into()),
                exports: slice(desc.exports, desc.num_exports.into()),
                imports: slice(desc.imports, desc.num_imports.into()),
                escaping: slice(desc.escaping, desc.num_escaping.into()),
                inlined: slice(desc.inlined, desc.num_inlined.into()),
                // SAFETY: non-zero, they are the module's initializers,
                // compiled with that signature (the caller's guarantee).
                init_refs: initializer(desc.init_refs),
                init_elems: initializer(desc.init_elems),
            }
        };
        // NB: a function's type index is checked where it is used (most
        // functions are never looked at: checking them all here was a tenth
        // of a hello world's start-up).
        Ok(module)
    }

    /// The `VMContext` layout of this module: what the compiler computed
    /// (`vmctx_size`) and every runtime reader of the context uses.
    pub fn vm_offsets(&self) -> kiln_abi::vmctx::VMOffsets {
        let d = self.desc;
        kiln_abi::vmctx::VMOffsets::new(
            std::mem::size_of::<usize>() as u8,
            kiln_abi::vmctx::VMCounts {
                imported_funcs: d.num_imported_funcs,
                imported_memories: d.num_imported_memories,
                imported_tables: d.num_imported_tables,
                imported_globals: d.num_imported_globals,
                defined_memories: d.num_memories - d.num_imported_memories,
                defined_tables: d.num_tables - d.num_imported_tables,
                defined_globals: d.num_globals - d.num_imported_globals,
                funcs: d.num_funcs,
                tags: d.num_tags,
            },
        )
    }

    /// The module name from the name section, if any (an empty name counts
    /// as none: the descriptor cannot tell them apart).
    pub fn name(&self) -> Option<&'static str> {
        // SAFETY: descriptor strings are valid for the process lifetime.
        let bytes = unsafe { str_bytes(self.desc.name) };
        non_empty_utf8(bytes)
    }

    /// The name-section name of function `index`, if any.
    pub fn func_name(&self, index: u32) -> Option<&'static str> {
        let f = self.funcs.get(index as usize)?;
        // SAFETY: descriptor strings are valid for the process lifetime.
        non_empty_utf8(unsafe { slice(f.name.ptr.get(), f.name.len) })
    }

    /// The type of function type index `index`.
    pub fn func_type(&self, type_index: u32) -> Option<FuncType> {
        let t = self.types.get(type_index as usize)?;
        // SAFETY: type arrays are valid for the process lifetime.
        unsafe {
            Some(FuncType {
                params: slice(t.params, t.num_params.into()),
                results: slice(t.results, t.num_results.into()),
            })
        }
    }

    /// The type of function `func` (`None` for an unknown function or type index).
    pub fn type_of_func(&self, func: u32) -> Option<FuncType> {
        let f = self.funcs.get(func as usize)?;
        self.func_type(f.type_index)
    }

    /// The index of the export named `name` of kind `kind`
    /// (`kiln_abi::descriptor::KIND_*`).
    pub fn export(&self, name: &str, kind: u32) -> Option<u32> {
        self.exports.iter().find_map(|e| {
            // SAFETY: descriptor strings are valid for the process lifetime.
            let n = unsafe { str_bytes(e.name) };
            (e.kind == kind && n == name.as_bytes()).then_some(e.index)
        })
    }

    /// The trap table of function `func` (empty for an unknown index).
    pub fn traps(&self, func: u32) -> TrapTable<'static> {
        match self.funcs.get(func as usize) {
            // SAFETY: trap tables are valid for the process lifetime.
            Some(f) => TrapTable::new(unsafe { slice(f.traps.get(), f.traps_len.into()) }),
            None => TrapTable::default(),
        }
    }

    /// The source map of function `func` (empty for an unknown index).
    pub fn srclocs(&self, func: u32) -> SrcLocTable<'static> {
        match self.funcs.get(func as usize) {
            // SAFETY: source maps are valid for the process lifetime.
            Some(f) => SrcLocTable::new(
                unsafe { slice(f.srclocs.get(), f.srclocs_len.into()) },
                f.wasm_offset,
            ),
            None => SrcLocTable::default(),
        }
    }

    /// Bytes of data segment `index`.
    pub fn data_bytes(&self, index: u32) -> &'static [u8] {
        match self.data.get(index as usize) {
            // SAFETY: segment bytes are valid for the process lifetime.
            Some(d) => unsafe { slice(d.bytes, d.len) },
            None => &[],
        }
    }

    /// Items of element segment `index`.
    pub fn elem_items(&self, index: u32) -> &'static [kiln_abi::descriptor::ConstExpr] {
        match self.elems.get(index as usize) {
            // SAFETY: item arrays are valid for the process lifetime.
            Some(e) => unsafe { slice(e.items, e.num_items.into()) },
            None => &[],
        }
    }

    /// Whether the module carried DWARF (`.debug_*` custom sections):
    /// Wasmtime then ends backtraces with a note about
    /// `WASMTIME_BACKTRACE_DETAILS` unless that variable is `1`.
    pub fn has_unparsed_debuginfo(&self) -> bool {
        self.desc.flags & MODULE_FLAG_UNPARSED_DEBUGINFO != 0
    }

    /// Whether the compiler resolved the frames' source locations
    /// (`ModuleDescriptor::debug_symbols`).
    pub fn has_debug_symbols(&self) -> bool {
        self.desc.debug_symbols != 0 && self.desc.debug_symbols_len != 0
    }

    /// The source locations of the frames at wasm offset `offset`, from
    /// the module's DWARF (`ModuleDescriptor::debug_symbols`), innermost
    /// first; none without DWARF.
    pub fn debug_symbols(&self, offset: u32) -> kiln_abi::debug_symbols::Symbols<'static> {
        // SAFETY: the table is valid for the process lifetime (0 or its
        // length when absent: an empty slice).
        let table = unsafe { slice(self.desc.debug_symbols, self.desc.debug_symbols_len.into()) };
        kiln_abi::debug_symbols::lookup(table, offset)
    }
}

/// The trap code of the trap site at exactly `offset` in a trap table
/// (a linear scan: allocation- and lock-free, for the signal handler).
pub fn trap_at(traps: TrapTable<'_>, offset: u32) -> Option<kiln_abi::trap::TrapCode> {
    kiln_abi::trap::TrapCode::from_u32(traps.code_at(offset)?)
}

/// The wasm offset of native `offset` in a source map: that of the last
/// entry at or before it. An entry without a wasm location marks code
/// (prologues, epilogues) for which Wasmtime prints no offset. Only trap
/// sites and `return address - 1` of calls are answered exactly (the map
/// keeps nothing else).
pub fn wasm_offset_at(srclocs: SrcLocTable<'_>, offset: u32) -> Option<u32> {
    srclocs.wasm_offset_at(offset)
}

fn non_empty_utf8(bytes: &'static [u8]) -> Option<&'static str> {
    if bytes.is_empty() {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_abi::descriptor::NO_INDEX;
    use kiln_abi::tables::{SrcLoc, TrapSite, encode_srclocs, encode_traps};
    use kiln_abi::trap::TrapCode;

    #[test]
    fn trap_lookup_is_exact() {
        let mut bytes = Vec::new();
        encode_traps(
            &[
                TrapSite::new(4, TrapCode::MemoryOutOfBounds),
                TrapSite::new(9, TrapCode::UnreachableCodeReached),
                TrapSite::new(20, TrapCode::StackOverflow),
            ],
            &mut bytes,
        );
        let traps = TrapTable::new(&bytes);
        assert_eq!(trap_at(traps, 4), Some(TrapCode::MemoryOutOfBounds));
        assert_eq!(trap_at(traps, 9), Some(TrapCode::UnreachableCodeReached));
        assert_eq!(trap_at(traps, 20), Some(TrapCode::StackOverflow));
        assert_eq!(trap_at(traps, 5), None);
        assert_eq!(trap_at(traps, 0), None);
        assert_eq!(trap_at(TrapTable::default(), 0), None);
        let mut bad = Vec::new();
        encode_traps(
            &[TrapSite {
                offset: 1,
                code: 999,
            }],
            &mut bad,
        );
        assert_eq!(trap_at(TrapTable::new(&bad), 1), None);
    }

    #[test]
    fn srcloc_lookup_takes_last_at_or_before() {
        let mut bytes = Vec::new();
        encode_srclocs(
            0x20,
            &[
                SrcLoc::new(0, 0x20),
                SrcLoc::new(8, 0x22),
                SrcLoc::new(16, 0x25),
            ],
            &mut bytes,
        );
        let locs = SrcLocTable::new(&bytes, 0x20);
        assert_eq!(wasm_offset_at(locs, 0), Some(0x20));
        assert_eq!(wasm_offset_at(locs, 7), Some(0x20));
        assert_eq!(wasm_offset_at(locs, 8), Some(0x22));
        assert_eq!(wasm_offset_at(locs, 100), Some(0x25));
        let mut bytes = Vec::new();
        encode_srclocs(
            0x30,
            &[
                SrcLoc::new(0, NO_INDEX),
                SrcLoc::new(4, 0x30),
                SrcLoc::new(9, NO_INDEX),
            ],
            &mut bytes,
        );
        let gaps = SrcLocTable::new(&bytes, 0x30);
        assert_eq!(wasm_offset_at(gaps, 2), None);
        assert_eq!(wasm_offset_at(gaps, 5), Some(0x30));
        assert_eq!(wasm_offset_at(gaps, 9), None);
        let mut bytes = Vec::new();
        encode_srclocs(0, &[SrcLoc::new(4, 1)], &mut bytes);
        assert_eq!(wasm_offset_at(SrcLocTable::new(&bytes, 0), 3), None);
        assert_eq!(wasm_offset_at(SrcLocTable::default(), 3), None);
    }
}
