//! The module descriptor: the `repr(C)` data the compiler emits as the symbol
//! [`crate::symbols::MODULE`] and the runtime reads in place at start-up.
//!
//! Every record here contains only `u32`, `u64` and byte-array fields, so its
//! layout is identical on every 64-bit host and target; the compiler writes
//! records with `offset_of!`/`size_of` of these types, and the runtime reads
//! them through the same types. Addresses ([`Addr`]) are absolute 64-bit data
//! relocations filled in by the system linker; `0` means "none". The records
//! whose number grows with the program ([`FuncDesc`], one per function) hold
//! [`RelAddr`]s instead: relative offsets the linker resolves completely,
//! so a static-pie executable's start-up has no relocation to apply to them
//! (musl applies each one by one, ~15 instructions apiece) and their pages
//! stay clean, shared file-backed memory.
//!
//! Calling conventions referred to by addresses in here:
//! - **wasm call**: Cranelift's `tail` convention,
//!   `fn(vmctx: ptr, wasm params...) -> wasm results`.
//! - **array call**: the platform C convention,
//!   `extern "C" fn(vmctx: ptr, values: *mut ValRaw)`: arguments are read from
//!   `values[0..params]`, results are written to `values[0..results]` (the
//!   caller sizes the array for the larger of the two).
//! - **host (WASI P1) call**: the platform C convention,
//!   `extern "C" fn(vmctx: ptr, params...) -> result` (see [`crate::wasi_p1`]).

/// A target address, filled by an absolute 64-bit relocation. `0` = none.
pub type Addr = u64;

/// A relative address the linker resolves completely (no dynamic
/// relocation in a position-independent executable). `0` = none.
///
/// ELF targets: the target's address minus the address of this field (a
/// 64-bit PC-relative data relocation; no target is the field itself).
/// COFF targets (Windows), which have no 64-bit PC-relative relocation: the
/// target's address minus the image base (an RVA, `IMAGE_REL_AMD64_ADDR32NB`
/// in the low half, the high half zero; RVA 0 is the image's headers, never
/// a target).
///
/// Not `Copy`: the value means something only where the compiler put it, so
/// records holding it are read in place, never copied out.
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct RelAddr(pub i64);

impl RelAddr {
    /// The absolute address, `0` for none.
    #[inline]
    pub fn get(&self) -> Addr {
        if self.0 == 0 {
            return 0;
        }
        rel_base(self).wrapping_add(self.0 as u64)
    }

    /// Points the field, where it lies, at `target` (`0`: none). For records
    /// built in memory (tests), never for the linked-in ones.
    pub fn set(&mut self, target: Addr) {
        self.0 = if target == 0 {
            0
        } else {
            target.wrapping_sub(rel_base(self)) as i64
        };
    }
}

/// What a [`RelAddr`]'s value is relative to: the field itself.
#[cfg(not(windows))]
#[inline]
fn rel_base(field: &RelAddr) -> u64 {
    field as *const RelAddr as u64
}

/// What a [`RelAddr`]'s value is relative to: the image base of the
/// executable (`__ImageBase`, which every PE linker defines).
#[cfg(windows)]
#[inline]
fn rel_base(_field: &RelAddr) -> u64 {
    unsafe extern "C" {
        static __ImageBase: u8;
    }
    // Only the symbol's address is taken, never its contents.
    (&raw const __ImageBase) as u64
}

/// A byte string of a self-relative record: [`RelAddr`] and length.
#[repr(C)]
#[derive(Debug, Default)]
pub struct RelStr {
    /// First byte.
    pub ptr: RelAddr,
    /// Length in bytes.
    pub len: u64,
}

// A `Str` and a `RelStr` share their layout (one writer serves both).
const _: () = assert!(
    core::mem::offset_of!(Str, ptr) == core::mem::offset_of!(RelStr, ptr)
        && core::mem::offset_of!(Str, len) == core::mem::offset_of!(RelStr, len)
);

/// Marker for "no index" in `u32` index fields.
pub const NO_INDEX: u32 = u32::MAX;

/// A byte string: address and length (UTF-8 for names).
#[repr(C)]
#[derive(Copy, Clone, Debug, Default)]
pub struct Str {
    /// First byte.
    pub ptr: Addr,
    /// Length in bytes.
    pub len: u64,
}

/// The root record, exported as [`crate::symbols::MODULE`].
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ModuleDescriptor {
    /// [`crate::MODULE_MAGIC`].
    pub magic: u32,
    /// [`crate::ABI_VERSION`] the compiler used.
    pub abi_version: u32,
    /// Number of [`TypeDesc`]s (one per module type index).
    pub num_types: u32,
    /// Imported functions (they come first in `funcs`).
    pub num_imported_funcs: u32,
    /// All functions, imported and defined.
    pub num_funcs: u32,
    /// Imported memories (first in `memories`).
    pub num_imported_memories: u32,
    /// All memories.
    pub num_memories: u32,
    /// Imported tables (first in `tables`).
    pub num_imported_tables: u32,
    /// All tables.
    pub num_tables: u32,
    /// Imported globals (first in `globals`).
    pub num_imported_globals: u32,
    /// All globals.
    pub num_globals: u32,
    /// Data segments.
    pub num_data: u32,
    /// Element segments.
    pub num_elems: u32,
    /// Exports.
    pub num_exports: u32,
    /// Imports (all kinds, in import-section order).
    pub num_imports: u32,
    /// The start function's index, or [`NO_INDEX`].
    pub start_func: u32,
    /// Size of the `VMContext` the compiler laid out (the runtime recomputes it
    /// with [`crate::vmctx::VMOffsets`] and checks).
    pub vmctx_size: u32,
    /// `MODULE_FLAG_*`.
    pub flags: u32,
    /// Address of [`crate::symbols::abi_version_symbol`]: makes a runtime of
    /// another ABI version fail to link.
    pub abi_anchor: Addr,
    /// `[TypeDesc; num_types]`.
    pub types: Addr,
    /// `[FuncDesc; num_funcs]`.
    pub funcs: Addr,
    /// `[MemoryDesc; num_memories]`.
    pub memories: Addr,
    /// `[TableDesc; num_tables]`.
    pub tables: Addr,
    /// `[GlobalDesc; num_globals]`.
    pub globals: Addr,
    /// `[DataDesc; num_data]`.
    pub data: Addr,
    /// `[ElemDesc; num_elems]`.
    pub elems: Addr,
    /// `[ExportDesc; num_exports]`.
    pub exports: Addr,
    /// `[ImportDesc; num_imports]`.
    pub imports: Addr,
    /// Module name (from the name section; may be empty).
    pub name: Str,
    /// `[crate::exceptions::TagDesc; num_tags]` (exception handling).
    pub tags: Addr,
    /// All tags, imported and defined.
    pub num_tags: u32,
    /// Imported tags (first in `tags`).
    pub num_imported_tags: u32,
    /// Precise reference types (typed function references), `0` if every
    /// reference type in the module is a plain `funcref`/`externref`/
    /// `exnref`: `[u32]` of [`REF_TYPE_PLAIN`] or `REF_*` codes, one per
    /// parameter and result of each type (type by type, parameters first),
    /// then one per global, then one per table (element type).
    pub ref_types: Addr,
    /// `[u32; num_escaping]`: the defined functions a reference to which
    /// can exist or that are called from outside (exported, the start
    /// function, in an element segment or a constant expression), in
    /// ascending order. Only these (and the imports) get a `VMFuncRef` at
    /// instantiation: validation allows `ref.func` of no other function.
    pub escaping: Addr,
    /// Entries of `escaping`.
    pub num_escaping: u32,
    /// Words of `inlined`.
    pub num_inlined: u32,
    /// `[u32; num_types]`: the signature id of every type, computed by the
    /// compiler (`0`: none; the runtime interns the types itself). Only a
    /// program's one core module has them, and only when no type has a
    /// precise reference type: ids `1..=n` number the distinct types in
    /// order of first appearance, equal ids exactly for equal types. The
    /// runtime's type registry starts from them instead of interning
    /// (`kiln_vm::typeids`).
    pub type_ids: Addr,
    /// `[u32; num_inlined]`: the frames of code the compiler inlined. A
    /// source-map entry whose wasm offset has [`crate::tables::INLINED`]
    /// set names the entry at word `offset & !INLINED` here:
    /// `[outer_offset, n, func_1, offset_1, ..., func_n, offset_n]`, the
    /// offset of the call in the function that holds the code, then the
    /// `n` inlined callees from the outermost in (function index and the
    /// offset in it; [`NO_INDEX`] for none).
    pub inlined: Addr,
    /// The module's reference initializer (`0`: none), compiled code with
    /// the platform C convention, `extern "C" fn(vmctx)`, run where the
    /// runtime would fill the functions' references (after the imports'):
    /// it writes the `VMFuncRef` of every escaping function. Stores of
    /// constants instead of the runtime's loop over `escaping`: 4
    /// instructions a function instead of ~24 (a Rust hello world's
    /// start-up fills 70). Only modules with few escaping functions get
    /// one (the code grows with their number).
    pub init_refs: Addr,
    /// The module's element initializer (`0`: none), `extern "C"
    /// fn(vmctx)`, run once the tables exist: it applies the active element
    /// segments among `0..num_applied_elems` (each statically within its
    /// defined table and made of `ref.func`/`ref.null` items), 2
    /// instructions a slot instead of ~18.
    pub init_elems: Addr,
    /// Leading element segments `init_elems` handles: the active ones are
    /// applied by it, so the runtime only drops them (with the declarative
    /// ones among them); passive ones stay. `0` without `init_elems`.
    pub num_applied_elems: u32,
    /// Bytes of `debug_symbols`.
    pub debug_symbols_len: u32,
    /// The source locations of the backtrace frames, from the module's
    /// DWARF (`0`: none; a [`crate::debug_symbols`] table).
    pub debug_symbols: Addr,
}

/// [`ModuleDescriptor::ref_types`] entry: the [`crate::ValType`] says it all
/// (not a reference, or a nullable `func`/`extern`/`exn` reference).
pub const REF_TYPE_PLAIN: u32 = u32::MAX;
/// [`ModuleDescriptor::ref_types`] flag: the reference is nullable.
pub const REF_NULLABLE: u32 = 1 << 31;
/// [`ModuleDescriptor::ref_types`] heap type: `func` (below it, a heap
/// value is a concrete module type index).
pub const REF_HEAP_FUNC: u32 = 0x7fff_fff0;
/// Heap type `extern`.
pub const REF_HEAP_EXTERN: u32 = 0x7fff_fff1;
/// Heap type `nofunc`.
pub const REF_HEAP_NOFUNC: u32 = 0x7fff_fff2;
/// Heap type `noextern`.
pub const REF_HEAP_NOEXTERN: u32 = 0x7fff_fff3;
/// Heap type `exn`.
pub const REF_HEAP_EXN: u32 = 0x7fff_fff4;
/// Heap type `noexn`.
pub const REF_HEAP_NOEXN: u32 = 0x7fff_fff5;

/// Module flag: the module has DWARF custom sections (`.debug_*`); like
/// Wasmtime, a trap report without `WASMTIME_BACKTRACE_DETAILS=1` then ends
/// with a note about that variable (with it, `debug_symbols` gives the
/// frames' source locations).
pub const MODULE_FLAG_UNPARSED_DEBUGINFO: u32 = 1;
/// Module flag: the defined functions' bodies lie at ascending addresses in
/// function index order, one after another (the compiler's layout: all of
/// them in one code section, in index order), so the runtime's code
/// registry searches the function array itself without checking it first.
pub const MODULE_FLAG_CODE_IN_ORDER: u32 = 2;

/// A function type.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct TypeDesc {
    /// `[u8; num_params]` of [`crate::ValType`].
    pub params: Addr,
    /// `[u8; num_results]` of [`crate::ValType`].
    pub results: Addr,
    /// Parameter count.
    pub num_params: u32,
    /// Result count.
    pub num_results: u32,
}

/// One function (imported or defined). Its addresses are self-relative
/// ([`RelAddr`]): read it in place.
#[repr(C)]
#[derive(Debug, Default)]
pub struct FuncDesc {
    /// Body in the wasm-call convention. For an imported host function this
    /// is the compiler-made trampoline that calls the host; for an import
    /// resolved by the runtime (module linking) it is `0`.
    pub wasm_call: RelAddr,
    /// Array-call trampoline, or `0` if the function needs none (only exported
    /// functions and the start function get one).
    pub array_call: RelAddr,
    /// Size of the body in bytes (`0` for imports).
    pub code_len: u64,
    /// Name from the name section in the form Wasmtime prints it
    /// (Rust/C++ names demangled), empty if none.
    pub name: RelStr,
    /// The trap table: `traps_len` bytes encoded as [`crate::tables`]
    /// describes (every trap site, sorted by offset).
    pub traps: RelAddr,
    /// The source map: `srclocs_len` bytes encoded as [`crate::tables`]
    /// describes, relative to `wasm_offset` (only the entries that trap
    /// sites and call return addresses need).
    pub srclocs: RelAddr,
    /// Length of the trap table in bytes.
    pub traps_len: u32,
    /// Length of the source map in bytes.
    pub srclocs_len: u32,
    /// Module type index of the signature.
    pub type_index: u32,
    /// Offset of the body in the wasm binary (for backtraces), 0 for imports.
    pub wasm_offset: u32,
    /// `[crate::exceptions::CallSiteDesc; num_call_sites]`, sorted by
    /// `ret_offset`: the calls inside `try_table`s.
    pub call_sites: RelAddr,
    /// `[crate::exceptions::HandlerDesc; num_handlers]`, referred to by the
    /// call sites.
    pub handlers: RelAddr,
    /// Number of call sites with handlers.
    pub num_call_sites: u32,
    /// Number of handlers.
    pub num_handlers: u32,
}

/// Memory flag: 64-bit addresses (memory64).
pub const MEMORY_FLAG_64: u32 = 1;
/// Memory flag: shared (threads).
pub const MEMORY_FLAG_SHARED: u32 = 2;

/// One memory (imported or defined).
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MemoryDesc {
    /// Initial size in pages.
    pub min_pages: u64,
    /// Maximum size in pages, `u64::MAX` if none.
    pub max_pages: u64,
    /// Page-aligned initial contents to map at `image_offset` (copy-on-write
    /// where possible), `0` if none. Active data segments folded into the
    /// image carry [`DATA_FLAG_IN_IMAGE`].
    pub image: Addr,
    /// Length of the image in bytes (a multiple of the OS page size).
    pub image_len: u64,
    /// Where the image starts in the memory (a multiple of the OS page size).
    pub image_offset: u64,
    /// log2 of the page size (16 unless custom-page-sizes).
    pub page_size_log2: u32,
    /// `MEMORY_FLAG_*`.
    pub flags: u32,
}

/// One table (imported or defined).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct TableDesc {
    /// Initial size in elements.
    pub min: u64,
    /// Maximum size, `u64::MAX` if none.
    pub max: u64,
    /// Initial value of every element.
    pub init: ConstExpr,
    /// Element [`crate::ValType`] (`FuncRef` or `ExternRef`).
    pub elem_type: u32,
    /// `TABLE_FLAG_*`.
    pub flags: u32,
}

/// Table flag: 64-bit indices (table64, part of memory64): element segment
/// offsets are `i64`.
pub const TABLE_FLAG_64: u32 = 1;

/// [`ConstExpr`] kind: the constant `value`.
pub const CONST_VALUE: u32 = 0;
/// [`ConstExpr`] kind: `global.get index`.
pub const CONST_GLOBAL_GET: u32 = 1;
/// [`ConstExpr`] kind: `ref.null`.
pub const CONST_REF_NULL: u32 = 2;
/// [`ConstExpr`] kind: `ref.func index`.
pub const CONST_REF_FUNC: u32 = 3;

/// [`ConstExpr`] kind: a sequence of [`ConstOp`]s (extended-const, e.g.
/// `global.get 0 i32.const 8 i32.add`), run on a small value stack whose one
/// remaining value is the result. `index` is the number of ops and
/// `value[0..8]` the (little-endian, relocated) address of `[ConstOp; index]`.
/// Expressions without `global.get` are folded by the compiler into
/// `CONST_VALUE`; a single operation keeps its single-op kind.
pub const CONST_OPS: u32 = 4;

/// A constant expression (global initializers, segment offsets).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ConstExpr {
    /// `CONST_*`.
    pub kind: u32,
    /// Global or function index for `CONST_GLOBAL_GET` / `CONST_REF_FUNC`;
    /// the number of ops for `CONST_OPS`.
    pub index: u32,
    /// The value for `CONST_VALUE`, as [`crate::ValRaw`] bytes; for
    /// `CONST_OPS`, the address of the ops in bytes `0..8` (a relocation:
    /// native byte order, big-endian on s390x).
    pub value: [u8; 16],
}

/// [`ConstOp`] opcode: push `value` as an `i32` (low 32 bits).
pub const CONST_OP_I32_CONST: u32 = 0;
/// [`ConstOp`] opcode: push `value` as an `i64`.
pub const CONST_OP_I64_CONST: u32 = 1;
/// [`ConstOp`] opcode: push the value of global `index`.
pub const CONST_OP_GLOBAL_GET: u32 = 2;
/// [`ConstOp`] opcode: `i32.add` (wrapping) of the two top values.
pub const CONST_OP_I32_ADD: u32 = 3;
/// [`ConstOp`] opcode: `i32.sub` (wrapping): second-from-top minus top.
pub const CONST_OP_I32_SUB: u32 = 4;
/// [`ConstOp`] opcode: `i32.mul` (wrapping).
pub const CONST_OP_I32_MUL: u32 = 5;
/// [`ConstOp`] opcode: `i64.add` (wrapping).
pub const CONST_OP_I64_ADD: u32 = 6;
/// [`ConstOp`] opcode: `i64.sub` (wrapping): second-from-top minus top.
pub const CONST_OP_I64_SUB: u32 = 7;
/// [`ConstOp`] opcode: `i64.mul` (wrapping).
pub const CONST_OP_I64_MUL: u32 = 8;

/// One operation of a [`CONST_OPS`] constant expression.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ConstOp {
    /// `CONST_OP_*`.
    pub opcode: u32,
    /// Global index for `CONST_OP_GLOBAL_GET`, else zero.
    pub index: u32,
    /// The constant for `CONST_OP_I32_CONST` / `CONST_OP_I64_CONST`, else
    /// zero.
    pub value: u64,
}

/// One global (imported or defined).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct GlobalDesc {
    /// Initial value (defined globals only).
    pub init: ConstExpr,
    /// [`crate::ValType`].
    pub val_type: u32,
    /// `1` if mutable.
    pub mutable: u32,
}

/// Segment flag: active (applied at instantiation, then dropped).
pub const SEGMENT_FLAG_ACTIVE: u32 = 1;
/// Segment flag: declarative element segment (dropped at instantiation).
pub const SEGMENT_FLAG_DECLARED: u32 = 2;
/// Data flag: this active segment is already part of its memory's image.
pub const DATA_FLAG_IN_IMAGE: u32 = 4;

/// One data segment.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct DataDesc {
    /// Offset (active segments).
    pub offset: ConstExpr,
    /// The bytes.
    pub bytes: Addr,
    /// Number of bytes.
    pub len: u64,
    /// Memory index (active segments).
    pub memory: u32,
    /// `SEGMENT_FLAG_*` / `DATA_FLAG_*`.
    pub flags: u32,
}

/// One element segment.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ElemDesc {
    /// Offset (active segments).
    pub offset: ConstExpr,
    /// `[ConstExpr; num_items]`: each item is `CONST_REF_FUNC`,
    /// `CONST_REF_NULL` or `CONST_GLOBAL_GET`.
    pub items: Addr,
    /// Number of items.
    pub num_items: u32,
    /// Table index (active segments).
    pub table: u32,
    /// `SEGMENT_FLAG_*`.
    pub flags: u32,
    /// Element [`crate::ValType`].
    pub elem_type: u32,
}

/// Export / import kind: function.
pub const KIND_FUNC: u32 = 0;
/// Export / import kind: table.
pub const KIND_TABLE: u32 = 1;
/// Export / import kind: memory.
pub const KIND_MEMORY: u32 = 2;
/// Export / import kind: global.
pub const KIND_GLOBAL: u32 = 3;
/// Export / import kind: tag (exceptions).
pub const KIND_TAG: u32 = 4;

/// One export.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ExportDesc {
    /// Export name.
    pub name: Str,
    /// `KIND_*`.
    pub kind: u32,
    /// Index in the kind's index space.
    pub index: u32,
}

/// Import flag: resolved at compile time to a host function (WASI); the
/// runtime need not link it.
pub const IMPORT_FLAG_HOST: u32 = 1;

/// One import.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct ImportDesc {
    /// Module name.
    pub module: Str,
    /// Field name.
    pub name: Str,
    /// `KIND_*`.
    pub kind: u32,
    /// Index in the kind's index space.
    pub index: u32,
    /// `IMPORT_FLAG_*`.
    pub flags: u32,
    /// Reserved, zero.
    pub _reserved: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::size_of;

    #[test]
    fn records_have_no_implicit_padding_surprises() {
        assert_eq!(size_of::<Str>(), 16);
        assert_eq!(size_of::<ConstExpr>(), 24);
        assert_eq!(size_of::<ConstOp>(), 16);
        assert_eq!(size_of::<TypeDesc>(), 24);
        assert_eq!(size_of::<FuncDesc>(), 96);
        assert_eq!(size_of::<MemoryDesc>(), 48);
        assert_eq!(size_of::<TableDesc>(), 48);
        assert_eq!(size_of::<GlobalDesc>(), 32);
        assert_eq!(size_of::<DataDesc>(), 48);
        assert_eq!(size_of::<ElemDesc>(), 48);
        assert_eq!(size_of::<ExportDesc>(), 24);
        assert_eq!(size_of::<ImportDesc>(), 48);
        assert_eq!(
            size_of::<ModuleDescriptor>(),
            72 + 8 * 10 + 16 + 16 + 8 + 16 + 8 + 8 + 8 + 8 + 8 + 8
        );
    }

    /// Where a relative address points is kept across `set` and `get`
    /// (relative to the field on ELF targets, to the image base on
    /// Windows), and 0 stays "none".
    #[test]
    fn relative_addresses_round_trip() {
        static TARGET: [u8; 4] = [1, 2, 3, 4];
        let mut field = RelAddr::default();
        assert_eq!(field.get(), 0);
        let target = TARGET.as_ptr() as u64;
        field.set(target);
        assert_ne!(field.0, 0);
        assert_eq!(field.get(), target);
        field.set(0);
        assert_eq!((field.0, field.get()), (0, 0));
    }
}
