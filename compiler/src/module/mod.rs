//! Phase 1 (WHAT): wasm bytes -> [`ModuleInfo`], plain data with no Cranelift
//! code generator types (only cranelift-entity's typed index maps).
//!
//! Inputs: the module bytes and the [`crate::Config`]. Output: a validated,
//! `Debug`-printable description of every entity, plus the byte ranges of the
//! function bodies (re-read by phase 2). Entities are kept by typed index
//! ([`FuncIndex`], [`DefinedFuncIndex`], [`TypeIndex`], ... of `index.rs`);
//! [`ModuleInfo`] converts between full and defined index spaces.
//! Invariants: the module is fully validated by wasmparser (with features
//! set from the config) before any other phase looks at it; with
//! `ImportPolicy::WasiP1` every import is resolved (WASI P1 host function) or
//! rejected here with [`crate::CompileError::UnknownImport`]; with
//! `ImportPolicy::Linked` every import is left to the runtime
//! ([`FuncImport::Linked`], imported memories, tables and globals first in
//! their index spaces).

mod const_expr;
mod index;
mod names;
mod ref_types;
mod translate;
mod validate;

pub use index::{
    DefinedFuncIndex, DefinedGlobalIndex, DefinedMemoryIndex, DefinedTableIndex, FuncIndex,
    GlobalIndex, MemoryIndex, TableIndex, TagIndex, TypeIndex,
};
pub use names::display_name;
pub(crate) use translate::ref_val_type;
pub use translate::{translate_component_module_timed, translate_module, translate_module_timed};
pub use validate::SUPPORTED_FEATURES;

use cranelift_entity::{EntityRef, PrimaryMap};
use kiln_abi::ValType;
use std::collections::BTreeMap;
use std::ops::Range;

/// A function type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncType {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

/// How an imported function is provided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FuncImport {
    /// A WASI P1 host function: index into `kiln_abi::wasi_p1::WASI_P1_FUNCS`.
    WasiP1(usize),
    /// Provided at instantiation (`ImportPolicy::Linked`): called through
    /// the `VMFunctionImport` slot of the `VMContext`; no code of its own
    /// in the object.
    Linked,
}

/// One function (imported or defined).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncInfo {
    /// Its signature.
    pub type_index: TypeIndex,
    /// `Some` for imports.
    pub import: Option<FuncImport>,
    /// Whether a funcref to it may exist or it is called from outside
    /// (exported, start, in an element segment, `ref.func`): such functions
    /// need an entry the runtime can call.
    pub escapes: bool,
}

/// A constant expression (initializers, segment offsets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConstExprInfo {
    /// A constant: type and [`kiln_abi::ValRaw`] bytes.
    Value(ValType, [u8; 16]),
    /// `global.get index`.
    GlobalGet(GlobalIndex),
    /// `ref.null` of a reference type.
    RefNull(ValType),
    /// `ref.func index`.
    RefFunc(FuncIndex),
    /// An extended constant expression that reads globals (sequences of
    /// constants only are folded into `Value`): evaluated at instantiation.
    Ops(Vec<ConstOpInfo>),
}

impl ConstExprInfo {
    /// The value of a constant offset into a memory or table whose indices
    /// are `i64` (`is_64`) or `i32` (zero-extended); `None` for anything
    /// evaluated at instantiation.
    pub fn constant_offset(&self, is_64: bool) -> Option<u64> {
        match self {
            ConstExprInfo::Value(ValType::I32, b) if !is_64 => {
                Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]).into())
            }
            ConstExprInfo::Value(ValType::I64, b) if is_64 => Some(u64::from_le_bytes([
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
            ])),
            _ => None,
        }
    }
}

/// One operation of an extended constant expression.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConstOpInfo {
    /// `i32.const`.
    I32Const(i32),
    /// `i64.const`.
    I64Const(i64),
    /// `global.get index`.
    GlobalGet(GlobalIndex),
    /// `i32.add`.
    I32Add,
    /// `i32.sub`.
    I32Sub,
    /// `i32.mul`.
    I32Mul,
    /// `i64.add`.
    I64Add,
    /// `i64.sub`.
    I64Sub,
    /// `i64.mul`.
    I64Mul,
}

/// One memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryInfo {
    /// Initial pages.
    pub min: u64,
    /// Maximum pages.
    pub max: Option<u64>,
    /// memory64.
    pub memory64: bool,
    /// Shared (threads).
    pub shared: bool,
    /// log2 of the page size.
    pub page_size_log2: u32,
}

/// One table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableInfo {
    /// `FuncRef` or `ExternRef`.
    pub elem_type: ValType,
    /// Initial elements.
    pub min: u64,
    /// Maximum elements.
    pub max: Option<u64>,
    /// table64 (memory64 proposal): `i64` indices and sizes.
    pub table64: bool,
    /// Initial value of each element.
    pub init: ConstExprInfo,
}

/// One global.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalInfo {
    /// Value type.
    pub ty: ValType,
    /// Mutability.
    pub mutable: bool,
    /// Initializer (defined globals only; imports carry a placeholder).
    pub init: ConstExprInfo,
}

/// Where a segment goes: `I` is the index of the space an active segment
/// is applied to ([`MemoryIndex`] for data, [`TableIndex`] for elements).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SegmentMode<I> {
    /// Used by `memory.init` / `table.init` only.
    Passive,
    /// Applied at instantiation into memory/table `index` at `offset`.
    Active {
        /// Memory or table index.
        index: I,
        /// Start offset.
        offset: ConstExprInfo,
    },
    /// Element segment only declaring `ref.func` targets.
    Declared,
}

/// One data segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataInfo {
    /// Mode.
    pub mode: SegmentMode<MemoryIndex>,
    /// Its bytes, as a range of the input.
    pub range: Range<usize>,
}

/// One element segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElemInfo {
    /// Mode.
    pub mode: SegmentMode<TableIndex>,
    /// Element type.
    pub elem_type: ValType,
    /// Items: `RefFunc`, `RefNull` or `GlobalGet`.
    pub items: Vec<ConstExprInfo>,
}

/// One import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportInfo {
    /// Module name.
    pub module: String,
    /// Field name.
    pub name: String,
    /// `kiln_abi::descriptor::KIND_*`.
    pub kind: u32,
    /// Index in the kind's space (bare: its type depends on `kind`; the
    /// descriptor's `ImportDesc` takes the pair as is).
    pub index: u32,
}

impl ImportInfo {
    /// The function this import defines, `None` for other kinds.
    pub fn func(&self) -> Option<FuncIndex> {
        (self.kind == kiln_abi::descriptor::KIND_FUNC).then(|| FuncIndex::from_u32(self.index))
    }
}

/// One export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportInfo {
    /// Name.
    pub name: String,
    /// `kiln_abi::descriptor::KIND_*`.
    pub kind: u32,
    /// Index in the kind's space (bare: its type depends on `kind`; the
    /// descriptor's `ExportDesc` and the component plan's core exports take
    /// the pair as is).
    pub index: u32,
}

impl ExportInfo {
    /// The function this export names, `None` for other kinds.
    pub fn func(&self) -> Option<FuncIndex> {
        (self.kind == kiln_abi::descriptor::KIND_FUNC).then(|| FuncIndex::from_u32(self.index))
    }
}

/// One tag (exception handling).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagInfo {
    /// The tag's function type (its parameters are the exception's values;
    /// results are empty).
    pub type_index: TypeIndex,
}

/// Reference types a [`ValType`] cannot describe (typed function
/// references), as `kiln_abi::descriptor::REF_*` codes by entity index; see
/// `ref_types.rs`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefTypesInfo {
    /// Per function type with a precise reference type: one code per
    /// parameter, then per result.
    pub types: BTreeMap<TypeIndex, Vec<u32>>,
    /// Per global with a precise reference type.
    pub globals: BTreeMap<GlobalIndex, u32>,
    /// Per table with a precise element type.
    pub tables: BTreeMap<TableIndex, u32>,
}

/// Everything phase 2 and 3 need to know about a module.
#[derive(Clone, Debug, Default)]
pub struct ModuleInfo {
    /// Function types.
    pub types: PrimaryMap<TypeIndex, FuncType>,
    /// All functions, imports first.
    pub funcs: PrimaryMap<FuncIndex, FuncInfo>,
    /// Number of imported functions.
    pub num_imported_funcs: u32,
    /// All memories, imports first.
    pub memories: PrimaryMap<MemoryIndex, MemoryInfo>,
    /// Number of imported memories.
    pub num_imported_memories: u32,
    /// All tables, imports first.
    pub tables: PrimaryMap<TableIndex, TableInfo>,
    /// Number of imported tables.
    pub num_imported_tables: u32,
    /// All globals, imports first.
    pub globals: PrimaryMap<GlobalIndex, GlobalInfo>,
    /// Number of imported globals.
    pub num_imported_globals: u32,
    /// All tags, imports first.
    pub tags: PrimaryMap<TagIndex, TagInfo>,
    /// Number of imported tags.
    pub num_imported_tags: u32,
    /// Imports in section order.
    pub imports: Vec<ImportInfo>,
    /// Exports in section order.
    pub exports: Vec<ExportInfo>,
    /// Start function.
    pub start: Option<FuncIndex>,
    /// Data segments.
    pub data: Vec<DataInfo>,
    /// Element segments.
    pub elems: Vec<ElemInfo>,
    /// Bodies of defined functions, as ranges of the input.
    pub bodies: PrimaryMap<DefinedFuncIndex, Range<usize>>,
    /// Module name from the name section.
    pub name: Option<String>,
    /// Whether the module has DWARF custom sections (`.debug_*`, also with a
    /// `.dwo` suffix; see
    /// `kiln_abi::descriptor::MODULE_FLAG_UNPARSED_DEBUGINFO`).
    pub has_unparsed_debuginfo: bool,
    /// The DWARF sections (`.debug_*`, without `.dwo`) by name: their
    /// contents' ranges in the module's bytes (the first of a name wins);
    /// empty unless `Config::backtrace_details`.
    pub dwarf: BTreeMap<String, Range<usize>>,
    /// Where the code section's contents start in the module's bytes:
    /// DWARF addresses are relative to it.
    pub code_start: Option<usize>,
    /// Function names from the name section, as written there (the
    /// descriptor stores their [`display_name`]).
    pub func_names: BTreeMap<FuncIndex, String>,
    /// Precise reference types (typed function references).
    pub ref_types: RefTypesInfo,
    /// `unreachable`s that raise another trap, by module offset: set only
    /// for the modules Kiln generates (fused adapters' checks, see
    /// `crate::component::plan::ModulePlan::traps`), never from input.
    pub coded_traps: BTreeMap<u32, kiln_abi::trap::TrapCode>,
}

impl ModuleInfo {
    /// The `VMContext` counts of this module.
    pub fn vm_counts(&self) -> kiln_abi::vmctx::VMCounts {
        kiln_abi::vmctx::VMCounts {
            imported_funcs: self.num_imported_funcs,
            imported_memories: self.num_imported_memories,
            imported_tables: self.num_imported_tables,
            imported_globals: self.num_imported_globals,
            defined_memories: self.memories.len() as u32 - self.num_imported_memories,
            defined_tables: self.tables.len() as u32 - self.num_imported_tables,
            defined_globals: self.globals.len() as u32 - self.num_imported_globals,
            funcs: self.funcs.len() as u32,
            tags: self.tags.len() as u32,
        }
    }

    /// Functions that get an array-call entry (exported functions and the
    /// start function), ascending, without duplicates. Linked imports get
    /// none: the runtime calls the function the import was resolved to.
    pub fn array_call_funcs(&self) -> Vec<FuncIndex> {
        let mut funcs: Vec<FuncIndex> = self
            .exports
            .iter()
            .filter_map(ExportInfo::func)
            .chain(self.start)
            .filter(|f| {
                !matches!(
                    self.funcs.get(*f).and_then(|f| f.import.as_ref()),
                    Some(FuncImport::Linked)
                )
            })
            .collect();
        funcs.sort_unstable();
        funcs.dedup();
        funcs
    }

    /// Signature of function `index`.
    pub fn func_type(&self, index: FuncIndex) -> &FuncType {
        &self.types[self.funcs[index].type_index]
    }

    /// The defined functions a reference can name or the outside calls
    /// (`FuncInfo::escapes`), ascending: those that get a `VMFuncRef` at
    /// instantiation (`ModuleDescriptor::escaping`).
    pub fn escaping_defined_funcs(&self) -> impl Iterator<Item = FuncIndex> + '_ {
        self.funcs
            .iter()
            .filter(|(_, f)| f.escapes && f.import.is_none())
            .map(|(i, _)| i)
    }

    /// Whether function `index` is imported (it has no body here).
    pub fn is_imported_func(&self, index: FuncIndex) -> bool {
        index.as_u32() < self.num_imported_funcs
    }

    /// The defined-function index of function `index`, `None` for an
    /// imported function.
    pub fn defined_func_index(&self, index: FuncIndex) -> Option<DefinedFuncIndex> {
        index
            .as_u32()
            .checked_sub(self.num_imported_funcs)
            .map(DefinedFuncIndex::from_u32)
    }

    /// The function index of defined function `index`.
    pub fn func_index(&self, index: DefinedFuncIndex) -> FuncIndex {
        FuncIndex::new(self.num_imported_funcs as usize + index.index())
    }

    /// The defined-memory index of memory `index`, `None` for an imported
    /// memory.
    pub fn defined_memory_index(&self, index: MemoryIndex) -> Option<DefinedMemoryIndex> {
        index
            .as_u32()
            .checked_sub(self.num_imported_memories)
            .map(DefinedMemoryIndex::from_u32)
    }

    /// The defined-table index of table `index`, `None` for an imported
    /// table.
    pub fn defined_table_index(&self, index: TableIndex) -> Option<DefinedTableIndex> {
        index
            .as_u32()
            .checked_sub(self.num_imported_tables)
            .map(DefinedTableIndex::from_u32)
    }

    /// The defined-global index of global `index`, `None` for an imported
    /// global.
    pub fn defined_global_index(&self, index: GlobalIndex) -> Option<DefinedGlobalIndex> {
        index
            .as_u32()
            .checked_sub(self.num_imported_globals)
            .map(DefinedGlobalIndex::from_u32)
    }
}
