//! Phase 1 (WHAT): wasm bytes -> [`ModuleInfo`], plain data with no Cranelift
//! types.
//!
//! Inputs: the module bytes and the [`crate::Config`]. Output: a validated,
//! `Debug`-printable description of every entity, plus the byte ranges of the
//! function bodies (re-read by phase 2). Invariants: the module is fully
//! validated by wasmparser (with features set from the config) before any
//! other phase looks at it; every import is resolved (WASI P1 host function)
//! or rejected here with [`crate::CompileError::UnknownImport`].

mod names;
mod translate;
mod validate;

pub use names::display_name;
pub use translate::{translate_module, translate_module_timed};
pub use validate::SUPPORTED_FEATURES;

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
}

/// One function (imported or defined).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncInfo {
    /// Module type index of its signature.
    pub type_index: u32,
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
    GlobalGet(u32),
    /// `ref.null` of a reference type.
    RefNull(ValType),
    /// `ref.func index`.
    RefFunc(u32),
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

/// Where a segment goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SegmentMode {
    /// Used by `memory.init` / `table.init` only.
    Passive,
    /// Applied at instantiation into memory/table `index` at `offset`.
    Active {
        /// Memory or table index.
        index: u32,
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
    pub mode: SegmentMode,
    /// Its bytes, as a range of the input.
    pub range: Range<usize>,
}

/// One element segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElemInfo {
    /// Mode.
    pub mode: SegmentMode,
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
    /// Index in the kind's space.
    pub index: u32,
}

/// One export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportInfo {
    /// Name.
    pub name: String,
    /// `kiln_abi::descriptor::KIND_*`.
    pub kind: u32,
    /// Index in the kind's space.
    pub index: u32,
}

/// Everything phase 2 and 3 need to know about a module.
#[derive(Clone, Debug, Default)]
pub struct ModuleInfo {
    /// Function types by module type index.
    pub types: Vec<FuncType>,
    /// All functions, imports first.
    pub funcs: Vec<FuncInfo>,
    /// Number of imported functions.
    pub num_imported_funcs: u32,
    /// All memories, imports first.
    pub memories: Vec<MemoryInfo>,
    /// Number of imported memories.
    pub num_imported_memories: u32,
    /// All tables, imports first.
    pub tables: Vec<TableInfo>,
    /// Number of imported tables.
    pub num_imported_tables: u32,
    /// All globals, imports first.
    pub globals: Vec<GlobalInfo>,
    /// Number of imported globals.
    pub num_imported_globals: u32,
    /// Imports in section order.
    pub imports: Vec<ImportInfo>,
    /// Exports in section order.
    pub exports: Vec<ExportInfo>,
    /// Start function.
    pub start: Option<u32>,
    /// Data segments.
    pub data: Vec<DataInfo>,
    /// Element segments.
    pub elems: Vec<ElemInfo>,
    /// Bodies of defined functions (index `i` is function
    /// `num_imported_funcs + i`), as ranges of the input.
    pub bodies: Vec<Range<usize>>,
    /// Module name from the name section.
    pub name: Option<String>,
    /// Whether the module has DWARF custom sections (`.debug_*`, also with a
    /// `.dwo` suffix) that Kiln does not use (see
    /// `kiln_abi::descriptor::MODULE_FLAG_UNPARSED_DEBUGINFO`).
    pub has_unparsed_debuginfo: bool,
    /// Function names from the name section, as written there (the
    /// descriptor stores their [`display_name`]).
    pub func_names: BTreeMap<u32, String>,
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
        }
    }

    /// Functions that get an array-call entry (exported functions and the
    /// start function), ascending, without duplicates.
    pub fn array_call_funcs(&self) -> Vec<u32> {
        let mut funcs: Vec<u32> = self
            .exports
            .iter()
            .filter(|e| e.kind == kiln_abi::descriptor::KIND_FUNC)
            .map(|e| e.index)
            .chain(self.start)
            .collect();
        funcs.sort_unstable();
        funcs.dedup();
        funcs
    }

    /// Signature of function `index`.
    pub fn func_type(&self, index: u32) -> &FuncType {
        let f = &self.funcs[index as usize];
        &self.types[f.type_index as usize]
    }
}
