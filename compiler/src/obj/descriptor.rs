//! The `__kiln_module` [`ModuleDescriptor`] and every array it points to.
//!
//! Phase 3. Input: the [`ModuleInfo`], the compiled functions, the declared
//! function ids and the memory [`ImagePlan`]. Output: data objects in
//! [`DataObjects`]: the root record (exported) and local arrays
//! `__kiln_desc_<part>`, all read-only. Records are written at the
//! `offset_of!` offsets of the `kiln_abi::descriptor` types (which hold only
//! `u32`/`u64`, so host and target layouts agree); every address is an
//! absolute 8-byte relocation; an empty array's address is `0`. Function
//! names are stored in the form Wasmtime prints them in backtraces
//! ([`crate::module::display_name`]), since the runtime prints them verbatim;
//! trap tables and source maps are byte strings encoded by
//! `kiln_abi::tables` (`__kiln_desc_traps`, `__kiln_desc_srclocs`, 1-aligned).

use super::CompiledFunc;
use super::data::{DataBuilder, DataObjects, StringPool, Target};
use super::image::ImagePlan;
use super::symbols::DataKey;
use crate::key::{DeclaredFuncs, FuncKey, Job};
use crate::module::{
    ConstExprInfo, ConstOpInfo, FuncImport, FuncIndex, FuncType, ModuleInfo, SegmentMode,
};
use core::mem::{offset_of, size_of};
use cranelift_entity::EntityRef;
use kiln_abi::descriptor::{
    CONST_GLOBAL_GET, CONST_OPS, CONST_REF_FUNC, CONST_REF_NULL, CONST_VALUE, ConstExpr, ConstOp,
    DATA_FLAG_IN_IMAGE, DataDesc, ElemDesc, ExportDesc, FuncDesc, GlobalDesc, IMPORT_FLAG_HOST,
    ImportDesc, MEMORY_FLAG_64, MEMORY_FLAG_SHARED, MemoryDesc, ModuleDescriptor, NO_INDEX,
    SEGMENT_FLAG_ACTIVE, SEGMENT_FLAG_DECLARED, TABLE_FLAG_64, TableDesc, TypeDesc,
};
use kiln_abi::tables::{
    SrcLoc, encode_srclocs, encode_traps, inlined_entry, inlined_location, push_inlined_frames,
};
use kiln_abi::{ABI_VERSION, MODULE_MAGIC};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Alignment of descriptor records (their widest field is 8 bytes).
const RECORD_ALIGN: u64 = 8;

/// `offset_of!` as the `u32` the data builder takes.
macro_rules! at {
    ($base:expr, $ty:ty, $field:ident) => {
        $base + offset_of!($ty, $field) as u32
    };
}

/// The pools and arrays referenced by descriptor records.
const TYPES: DataKey = DataKey::Part("types");
const FUNCS: DataKey = DataKey::Part("funcs");
const TRAPS: DataKey = DataKey::Part("traps");
const SRCLOCS: DataKey = DataKey::Part("srclocs");
const MEMORIES: DataKey = DataKey::Part("memories");
const TABLES: DataKey = DataKey::Part("tables");
const GLOBALS: DataKey = DataKey::Part("globals");
const DATA: DataKey = DataKey::Part("data");
const DATA_BYTES: DataKey = DataKey::Part("data_bytes");
const ELEMS: DataKey = DataKey::Part("elems");
const ELEM_ITEMS: DataKey = DataKey::Part("elem_items");
const EXPORTS: DataKey = DataKey::Part("exports");
const IMPORTS: DataKey = DataKey::Part("imports");
/// `[u32]` signature ids (see `ModuleDescriptor::type_ids`).
const TYPE_IDS: DataKey = DataKey::Part("type_ids");
/// `[u32]` escaping defined functions (see `ModuleDescriptor::escaping`).
const ESCAPING: DataKey = DataKey::Part("escaping");
/// `[u32]` precise reference types (see `ModuleDescriptor::ref_types`).
const REF_TYPES: DataKey = DataKey::Part("ref_types");
/// `[ConstOp]` of every extended constant expression.
const CONST_OPS_ARRAY: DataKey = DataKey::Part("const_ops");
/// `[u32]` frames of inlined code (see `ModuleDescriptor::inlined`).
const INLINED: DataKey = DataKey::Part("inlined");
/// The frames' source locations (see `ModuleDescriptor::debug_symbols`).
const DEBUG_SYMBOLS: DataKey = DataKey::Part("debug_symbols");

/// Everything the descriptor describes.
pub struct DescriptorInput<'a> {
    /// The module.
    pub info: &'a ModuleInfo,
    /// Its bytes (data segments are ranges of them).
    pub wasm: &'a [u8],
    /// Declared function ids.
    pub ids: &'a DeclaredFuncs,
    /// Every compiled function and trampoline.
    pub compiled: &'a [CompiledFunc],
    /// Folded memory images (their bytes are emitted by
    /// [`super::image::emit_images`]).
    pub images: &'a ImagePlan,
    /// `VMOffsets::size()` of the module.
    pub vmctx_size: u32,
    /// Added to every wasm offset (the module's offset in the input file).
    pub wasm_base: u32,
    /// Whether to write `ModuleDescriptor::type_ids` (the program's one
    /// core module).
    pub program_types: bool,
    /// Leading element segments the element initializer handles.
    pub applied_elems: u32,
}

/// Writes the module descriptor and its arrays into `objects`; strings go
/// to `strings`.
pub fn emit_descriptor(
    input: &DescriptorInput<'_>,
    objects: &mut DataObjects,
    strings: &mut StringPool,
) {
    let info = input.info;
    emit_types(info, objects, strings);
    let num_inlined = emit_funcs(input, objects, strings);
    emit_memories(input, objects);
    emit_tables(info, objects);
    emit_globals(info, objects);
    emit_data(input, objects);
    emit_elems(info, objects);
    emit_exports(info, objects, strings);
    emit_imports(info, objects, strings);

    let counts = info.vm_counts();
    let mut root = DataBuilder::new(RECORD_ALIGN);
    let r = root.append_zeroed(size_of::<ModuleDescriptor>());
    let u32s: [(u32, u32); 18] = [
        (at!(r, ModuleDescriptor, magic), MODULE_MAGIC),
        (at!(r, ModuleDescriptor, abi_version), ABI_VERSION),
        (at!(r, ModuleDescriptor, num_types), len32(info.types.len())),
        (
            at!(r, ModuleDescriptor, num_imported_funcs),
            info.num_imported_funcs,
        ),
        (at!(r, ModuleDescriptor, num_funcs), counts.funcs),
        (
            at!(r, ModuleDescriptor, num_imported_memories),
            info.num_imported_memories,
        ),
        (
            at!(r, ModuleDescriptor, num_memories),
            len32(info.memories.len()),
        ),
        (
            at!(r, ModuleDescriptor, num_imported_tables),
            info.num_imported_tables,
        ),
        (
            at!(r, ModuleDescriptor, num_tables),
            len32(info.tables.len()),
        ),
        (
            at!(r, ModuleDescriptor, num_imported_globals),
            info.num_imported_globals,
        ),
        (
            at!(r, ModuleDescriptor, num_globals),
            len32(info.globals.len()),
        ),
        (at!(r, ModuleDescriptor, num_data), len32(info.data.len())),
        (at!(r, ModuleDescriptor, num_elems), len32(info.elems.len())),
        (
            at!(r, ModuleDescriptor, num_exports),
            len32(info.exports.len()),
        ),
        (
            at!(r, ModuleDescriptor, num_imports),
            len32(info.imports.len()),
        ),
        (
            at!(r, ModuleDescriptor, start_func),
            info.start.map_or(NO_INDEX, FuncIndex::as_u32),
        ),
        (at!(r, ModuleDescriptor, vmctx_size), input.vmctx_size),
        (
            at!(r, ModuleDescriptor, flags),
            // `obj::define_functions` lays bodies out in index order
            // (`obj/tests.rs`: `bodies_lie_in_index_order`).
            kiln_abi::descriptor::MODULE_FLAG_CODE_IN_ORDER
                | if info.has_unparsed_debuginfo {
                    kiln_abi::descriptor::MODULE_FLAG_UNPARSED_DEBUGINFO
                } else {
                    0
                },
        ),
    ];
    for (field, v) in u32s {
        root.put_u32(field, v);
    }
    root.put_u32(at!(r, ModuleDescriptor, num_tags), counts.tags);
    root.put_u32(
        at!(r, ModuleDescriptor, num_imported_tags),
        info.num_imported_tags,
    );
    if super::exceptions::emit_tags(info, objects) {
        root.put_addr(
            at!(r, ModuleDescriptor, tags),
            Target::Data(super::exceptions::TAGS),
            0,
        );
    }
    if emit_ref_types(info, objects) {
        root.put_addr(
            at!(r, ModuleDescriptor, ref_types),
            Target::Data(REF_TYPES),
            0,
        );
    }
    if input.program_types && info.ref_types.is_empty() {
        let out = objects.get(TYPE_IDS, 4);
        for id in signature_ids(info) {
            out.append_u32(id);
        }
        if !out.is_empty() {
            root.put_addr(
                at!(r, ModuleDescriptor, type_ids),
                Target::Data(TYPE_IDS),
                0,
            );
        }
    }
    let escaping: Vec<u32> = info.escaping_defined_funcs().map(|i| i.as_u32()).collect();
    if !escaping.is_empty() {
        let mut out = DataBuilder::new(4);
        for i in &escaping {
            out.append_u32(*i);
        }
        objects.insert(ESCAPING, out);
        root.put_addr(
            at!(r, ModuleDescriptor, escaping),
            Target::Data(ESCAPING),
            0,
        );
        root.put_u32(
            at!(r, ModuleDescriptor, num_escaping),
            len32(escaping.len()),
        );
    }
    if let Some(init) = input.ids.get(FuncKey::InitRefs) {
        root.put_addr(at!(r, ModuleDescriptor, init_refs), Target::Func(init), 0);
    }
    if let Some(init) = input.ids.get(FuncKey::InitElems) {
        root.put_addr(at!(r, ModuleDescriptor, init_elems), Target::Func(init), 0);
        root.put_u32(
            at!(r, ModuleDescriptor, num_applied_elems),
            input.applied_elems,
        );
    }
    if num_inlined > 0 {
        root.put_addr(at!(r, ModuleDescriptor, inlined), Target::Data(INLINED), 0);
        root.put_u32(at!(r, ModuleDescriptor, num_inlined), num_inlined);
    }
    if !info.dwarf.is_empty() {
        let offsets = super::debug_symbols::frame_offsets(input.compiled);
        if let Some(table) =
            super::debug_symbols::debug_symbols_table(info, input.wasm, input.wasm_base, &offsets)
        {
            let mut out = DataBuilder::new(4);
            out.append(&table);
            objects.insert(DEBUG_SYMBOLS, out);
            root.put_addr(
                at!(r, ModuleDescriptor, debug_symbols),
                Target::Data(DEBUG_SYMBOLS),
                0,
            );
            root.put_u32(
                at!(r, ModuleDescriptor, debug_symbols_len),
                len32(table.len()),
            );
        }
    }
    root.put_addr(
        at!(r, ModuleDescriptor, abi_anchor),
        Target::Data(DataKey::AbiAnchor),
        0,
    );
    let arrays = [
        (at!(r, ModuleDescriptor, types), TYPES),
        (at!(r, ModuleDescriptor, funcs), FUNCS),
        (at!(r, ModuleDescriptor, memories), MEMORIES),
        (at!(r, ModuleDescriptor, tables), TABLES),
        (at!(r, ModuleDescriptor, globals), GLOBALS),
        (at!(r, ModuleDescriptor, data), DATA),
        (at!(r, ModuleDescriptor, elems), ELEMS),
        (at!(r, ModuleDescriptor, exports), EXPORTS),
        (at!(r, ModuleDescriptor, imports), IMPORTS),
    ];
    for (field, key) in arrays {
        if objects.has(key) {
            root.put_addr(field, Target::Data(key), 0);
        }
    }
    let name = info.name.as_deref().unwrap_or("");
    strings.put_str(&mut root, at!(r, ModuleDescriptor, name), name.as_bytes());
    objects.insert(DataKey::Module, root);
}

/// Counts in `ModuleInfo` are bounded by wasmparser's limits (well below
/// `u32::MAX`).
fn len32(n: usize) -> u32 {
    u32::try_from(n).expect("wasmparser limits counts below u32::MAX")
}

fn emit_types(info: &ModuleInfo, objects: &mut DataObjects, strings: &mut StringPool) {
    let out = objects.get(TYPES, RECORD_ALIGN);
    for ty in info.types.values() {
        let r = out.append_zeroed(size_of::<TypeDesc>());
        let params: Vec<u8> = ty.params.iter().map(|t| *t as u8).collect();
        let results: Vec<u8> = ty.results.iter().map(|t| *t as u8).collect();
        put_bytes_addr(out, strings, at!(r, TypeDesc, params), &params);
        put_bytes_addr(out, strings, at!(r, TypeDesc, results), &results);
        out.put_u32(at!(r, TypeDesc, num_params), len32(params.len()));
        out.put_u32(at!(r, TypeDesc, num_results), len32(results.len()));
    }
}

/// The signature id of every type: `1..=n` for the distinct types in order
/// of first appearance (`ModuleDescriptor::type_ids`; no precise reference
/// types, so equal `ValType` lists are equal types).
pub(crate) fn signature_ids(info: &ModuleInfo) -> Vec<u32> {
    let mut seen: BTreeMap<&FuncType, u32> = BTreeMap::new();
    info.types
        .values()
        .map(|ty| {
            let next = len32(seen.len()) + 1;
            *seen.entry(ty).or_insert(next)
        })
        .collect()
}

/// Writes the address of `bytes` (pooled) at `at`, or leaves `0` if empty.
fn put_bytes_addr(out: &mut DataBuilder, strings: &mut StringPool, at: u32, bytes: &[u8]) {
    if let Some(pos) = strings.add(bytes) {
        out.put_addr(at, Target::Data(strings_key()), u64::from(pos));
    }
}

/// The key of the shared string pool.
pub const fn strings_key() -> DataKey {
    DataKey::Part("strings")
}

/// Writes the function records and their tables; returns the words of the
/// inlined-frames table (`ModuleDescriptor::inlined`).
fn emit_funcs(
    input: &DescriptorInput<'_>,
    objects: &mut DataObjects,
    strings: &mut StringPool,
) -> u32 {
    let info = input.info;
    let mut code: Vec<Option<&CompiledFunc>> = vec![None; info.funcs.len()];
    for c in input.compiled {
        if let Job::Wasm(i) = c.job {
            code[i.index()] = Some(c);
        }
    }
    // The runtime prints names verbatim in backtraces. Demangling is the
    // costliest part of this table for big modules (~1 µs a name), and
    // independent per name.
    let names: Vec<(FuncIndex, String)> = info
        .func_names
        .par_iter()
        .map(|(&index, name)| (index, crate::module::display_name(name)))
        .collect();
    let mut names = names.iter().peekable();
    // The encoded tables are byte strings (`kiln_abi::tables`).
    let mut traps = DataBuilder::new(1);
    let mut srclocs = DataBuilder::new(1);
    let mut scratch = Vec::new();
    let mut locs = Vec::new();
    let mut inlined: Vec<u32> = Vec::new();
    let mut chain_at: Vec<u32> = Vec::new();
    let mut call_sites = DataBuilder::new(RECORD_ALIGN);
    let mut handlers = DataBuilder::new(RECORD_ALIGN);
    let mut out = DataBuilder::new(RECORD_ALIGN);
    for (func, f) in info.funcs.iter() {
        let r = out.append_zeroed(size_of::<FuncDesc>());
        // A linked import has no code here (`wasm_call` 0): the runtime
        // fills its slot at instantiation.
        if let Some(wasm_call) = input.ids.get(FuncKey::Wasm(func)) {
            out.put_rel(at!(r, FuncDesc, wasm_call), Target::Func(wasm_call), 0);
        }
        if let Some(array_call) = input.ids.get(FuncKey::ArrayCall(func)) {
            out.put_rel(at!(r, FuncDesc, array_call), Target::Func(array_call), 0);
        }
        // NB: `names` is sorted by index and may name functions that do not
        // exist (the name section is not validated); skip those.
        while names.next_if(|(n, _)| *n < func).is_some() {}
        if let Some((_, name)) = names.next_if(|(n, _)| *n == func) {
            strings.put_rel_str(&mut out, at!(r, FuncDesc, name), name.as_bytes());
        }
        out.put_u32(at!(r, FuncDesc, type_index), f.type_index.as_u32());
        // Imports have no body of their own: their host-call trampolines
        // are transparent (code_len 0, no tables), as the ABI specifies.
        let (Some(c), Some(defined)) = (code[func.index()], info.defined_func_index(func)) else {
            continue;
        };
        out.put_u64(at!(r, FuncDesc, code_len), c.bytes.len() as u64);
        let body = &info.bodies[defined];
        let wasm_offset = input.wasm_base + len32(body.start);
        out.put_u32(at!(r, FuncDesc, wasm_offset), wasm_offset);
        if !c.traps.is_empty() {
            scratch.clear();
            encode_traps(&c.traps, &mut scratch);
            let start = traps.append(&scratch);
            out.put_rel(at!(r, FuncDesc, traps), Target::Data(TRAPS), start.into());
            out.put_u32(at!(r, FuncDesc, traps_len), len32(scratch.len()));
        }
        if !c.srclocs.is_empty() {
            // NB: the compiled map's offsets are relative to this module's
            // bytes; a component's module starts at `wasm_base`. Inlined
            // code's locations name the function's chains, which move into
            // the module's table.
            let shift = |o: u32| match o {
                NO_INDEX => NO_INDEX,
                o => input.wasm_base + o,
            };
            chain_at.clear();
            for chain in &c.inlined {
                let (outer, callees) = chain.split_first().expect("a chain has its call");
                let callees = callees.chunks_exact(2).map(|p| (p[0], shift(p[1])));
                chain_at.push(push_inlined_frames(&mut inlined, shift(*outer), callees));
            }
            locs.clear();
            locs.extend(c.srclocs.iter().map(|l| SrcLoc {
                native_offset: l.native_offset,
                wasm_offset: match inlined_entry(l.wasm_offset) {
                    Some(id) => inlined_location(chain_at[id as usize]),
                    None => shift(l.wasm_offset),
                },
            }));
            scratch.clear();
            encode_srclocs(wasm_offset, &locs, &mut scratch);
            let start = srclocs.append(&scratch);
            out.put_rel(
                at!(r, FuncDesc, srclocs),
                Target::Data(SRCLOCS),
                start.into(),
            );
            out.put_u32(at!(r, FuncDesc, srclocs_len), len32(scratch.len()));
        }
        super::exceptions::emit_func_call_sites(
            &c.call_sites,
            &mut out,
            r,
            &mut call_sites,
            &mut handlers,
        );
    }
    objects.insert(super::exceptions::CALL_SITES, call_sites);
    objects.insert(super::exceptions::HANDLERS, handlers);
    objects.insert(FUNCS, out);
    objects.insert(TRAPS, traps);
    objects.insert(SRCLOCS, srclocs);
    if !inlined.is_empty() {
        let mut out = DataBuilder::new(4);
        for w in &inlined {
            out.append_u32(*w);
        }
        objects.insert(INLINED, out);
    }
    len32(inlined.len())
}

fn emit_memories(input: &DescriptorInput<'_>, objects: &mut DataObjects) {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    for (i, m) in input.info.memories.iter() {
        let r = out.append_zeroed(size_of::<MemoryDesc>());
        out.put_u64(at!(r, MemoryDesc, min_pages), m.min);
        out.put_u64(at!(r, MemoryDesc, max_pages), m.max.unwrap_or(u64::MAX));
        out.put_u32(at!(r, MemoryDesc, page_size_log2), m.page_size_log2);
        let mut flags = 0;
        if m.memory64 {
            flags |= MEMORY_FLAG_64;
        }
        if m.shared {
            flags |= MEMORY_FLAG_SHARED;
        }
        out.put_u32(at!(r, MemoryDesc, flags), flags);
        let index = i.as_u32();
        if let Some(image) = input.images.images.get(&index) {
            out.put_addr(
                at!(r, MemoryDesc, image),
                Target::Data(DataKey::Image(index)),
                0,
            );
            out.put_u64(at!(r, MemoryDesc, image_len), image.bytes.len() as u64);
            out.put_u64(at!(r, MemoryDesc, image_offset), image.offset);
        }
    }
    objects.insert(MEMORIES, out);
}

/// Writes the `ModuleDescriptor::ref_types` array, if the module has any
/// precise reference type; returns whether it did.
fn emit_ref_types(info: &ModuleInfo, objects: &mut DataObjects) -> bool {
    use kiln_abi::descriptor::REF_TYPE_PLAIN;
    let refs = &info.ref_types;
    if refs.is_empty() {
        return false;
    }
    let mut codes: Vec<u32> = Vec::new();
    for (t, ty) in info.types.iter() {
        let n = ty.params.len() + ty.results.len();
        match refs.types.get(&t) {
            Some(c) if c.len() == n => codes.extend_from_slice(c),
            _ => codes.extend(std::iter::repeat_n(REF_TYPE_PLAIN, n)),
        }
    }
    for g in info.globals.keys() {
        codes.push(*refs.globals.get(&g).unwrap_or(&REF_TYPE_PLAIN));
    }
    for t in info.tables.keys() {
        codes.push(*refs.tables.get(&t).unwrap_or(&REF_TYPE_PLAIN));
    }
    let mut out = DataBuilder::new(4);
    for c in codes {
        out.append_u32(c);
    }
    objects.insert(REF_TYPES, out);
    true
}

/// Writes a [`ConstExpr`] record at `at`; the ops of an extended constant
/// expression go to the shared `CONST_OPS` array in `objects`.
fn put_const(out: &mut DataBuilder, at: u32, e: &ConstExprInfo, objects: &mut DataObjects) {
    let (kind, index, value) = match e {
        ConstExprInfo::Value(_, bytes) => (CONST_VALUE, 0, *bytes),
        ConstExprInfo::GlobalGet(g) => (CONST_GLOBAL_GET, g.as_u32(), [0; 16]),
        ConstExprInfo::RefNull(_) => (CONST_REF_NULL, 0, [0; 16]),
        ConstExprInfo::RefFunc(f) => (CONST_REF_FUNC, f.as_u32(), [0; 16]),
        ConstExprInfo::Ops(ops) => {
            let pool = objects.get(CONST_OPS_ARRAY, RECORD_ALIGN);
            let start = pool.len() as u64;
            for op in ops {
                let (opcode, index, value) = const_op(*op);
                let r = pool.append_zeroed(size_of::<ConstOp>());
                pool.put_u32(at!(r, ConstOp, opcode), opcode);
                pool.put_u32(at!(r, ConstOp, index), index);
                pool.put_u64(at!(r, ConstOp, value), value);
            }
            out.put_addr(
                at!(at, ConstExpr, value),
                Target::Data(CONST_OPS_ARRAY),
                start,
            );
            (CONST_OPS, len32(ops.len()), [0; 16])
        }
    };
    out.put_u32(at!(at, ConstExpr, kind), kind);
    out.put_u32(at!(at, ConstExpr, index), index);
    if kind != CONST_OPS {
        out.put_bytes(at!(at, ConstExpr, value), &value);
    }
}

/// `(opcode, index, value)` of a [`ConstOp`] record.
fn const_op(op: ConstOpInfo) -> (u32, u32, u64) {
    use kiln_abi::descriptor as d;
    match op {
        ConstOpInfo::I32Const(v) => (d::CONST_OP_I32_CONST, 0, u64::from(v as u32)),
        ConstOpInfo::I64Const(v) => (d::CONST_OP_I64_CONST, 0, v as u64),
        ConstOpInfo::GlobalGet(g) => (d::CONST_OP_GLOBAL_GET, g.as_u32(), 0),
        ConstOpInfo::I32Add => (d::CONST_OP_I32_ADD, 0, 0),
        ConstOpInfo::I32Sub => (d::CONST_OP_I32_SUB, 0, 0),
        ConstOpInfo::I32Mul => (d::CONST_OP_I32_MUL, 0, 0),
        ConstOpInfo::I64Add => (d::CONST_OP_I64_ADD, 0, 0),
        ConstOpInfo::I64Sub => (d::CONST_OP_I64_SUB, 0, 0),
        ConstOpInfo::I64Mul => (d::CONST_OP_I64_MUL, 0, 0),
    }
}

fn emit_tables(info: &ModuleInfo, objects: &mut DataObjects) {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    for t in info.tables.values() {
        let r = out.append_zeroed(size_of::<TableDesc>());
        out.put_u64(at!(r, TableDesc, min), t.min);
        out.put_u64(at!(r, TableDesc, max), t.max.unwrap_or(u64::MAX));
        put_const(&mut out, at!(r, TableDesc, init), &t.init, objects);
        out.put_u32(at!(r, TableDesc, elem_type), t.elem_type as u32);
        if t.table64 {
            out.put_u32(at!(r, TableDesc, flags), TABLE_FLAG_64);
        }
    }
    objects.insert(TABLES, out);
}

fn emit_globals(info: &ModuleInfo, objects: &mut DataObjects) {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    for g in info.globals.values() {
        let r = out.append_zeroed(size_of::<GlobalDesc>());
        put_const(&mut out, at!(r, GlobalDesc, init), &g.init, objects);
        out.put_u32(at!(r, GlobalDesc, val_type), g.ty as u32);
        out.put_u32(at!(r, GlobalDesc, mutable), u32::from(g.mutable));
    }
    objects.insert(GLOBALS, out);
}

fn emit_data(input: &DescriptorInput<'_>, objects: &mut DataObjects) {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    let mut bytes = DataBuilder::new(1);
    for (i, d) in input.info.data.iter().enumerate() {
        let r = out.append_zeroed(size_of::<DataDesc>());
        let len = d.range.len() as u64;
        out.put_u64(at!(r, DataDesc, len), len);
        let folded = input.images.folded.get(i).copied().unwrap_or(false);
        let mut flags = if folded { DATA_FLAG_IN_IMAGE } else { 0 };
        if let SegmentMode::Active { index, offset } = &d.mode {
            flags |= SEGMENT_FLAG_ACTIVE;
            out.put_u32(at!(r, DataDesc, memory), index.as_u32());
            put_const(&mut out, at!(r, DataDesc, offset), offset, objects);
        }
        out.put_u32(at!(r, DataDesc, flags), flags);
        // NB: a folded segment's bytes live only in the image: active
        // segments are dropped after instantiation, so nothing reads them.
        if !folded && len > 0 {
            let pos = bytes.append(&input.wasm[d.range.clone()]);
            out.put_addr(
                at!(r, DataDesc, bytes),
                Target::Data(DATA_BYTES),
                u64::from(pos),
            );
        }
    }
    objects.insert(DATA, out);
    objects.insert(DATA_BYTES, bytes);
}

fn emit_elems(info: &ModuleInfo, objects: &mut DataObjects) {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    let mut items = DataBuilder::new(RECORD_ALIGN);
    for e in &info.elems {
        let r = out.append_zeroed(size_of::<ElemDesc>());
        let flags = match &e.mode {
            SegmentMode::Passive => 0,
            SegmentMode::Declared => SEGMENT_FLAG_DECLARED,
            SegmentMode::Active { index, offset } => {
                out.put_u32(at!(r, ElemDesc, table), index.as_u32());
                put_const(&mut out, at!(r, ElemDesc, offset), offset, objects);
                SEGMENT_FLAG_ACTIVE
            }
        };
        out.put_u32(at!(r, ElemDesc, flags), flags);
        out.put_u32(at!(r, ElemDesc, elem_type), e.elem_type as u32);
        out.put_u32(at!(r, ElemDesc, num_items), len32(e.items.len()));
        if !e.items.is_empty() {
            let start = items.len() as u64;
            for item in &e.items {
                let s = items.append_zeroed(size_of::<ConstExpr>());
                put_const(&mut items, s, item, objects);
            }
            out.put_addr(at!(r, ElemDesc, items), Target::Data(ELEM_ITEMS), start);
        }
    }
    objects.insert(ELEMS, out);
    objects.insert(ELEM_ITEMS, items);
}

fn emit_exports(info: &ModuleInfo, objects: &mut DataObjects, strings: &mut StringPool) {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    for e in &info.exports {
        let r = out.append_zeroed(size_of::<ExportDesc>());
        strings.put_str(&mut out, at!(r, ExportDesc, name), e.name.as_bytes());
        out.put_u32(at!(r, ExportDesc, kind), e.kind);
        out.put_u32(at!(r, ExportDesc, index), e.index);
    }
    objects.insert(EXPORTS, out);
}

fn emit_imports(info: &ModuleInfo, objects: &mut DataObjects, strings: &mut StringPool) {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    for imp in &info.imports {
        let r = out.append_zeroed(size_of::<ImportDesc>());
        strings.put_str(&mut out, at!(r, ImportDesc, module), imp.module.as_bytes());
        strings.put_str(&mut out, at!(r, ImportDesc, name), imp.name.as_bytes());
        out.put_u32(at!(r, ImportDesc, kind), imp.kind);
        out.put_u32(at!(r, ImportDesc, index), imp.index);
        let host = matches!(
            imp.func()
                .and_then(|f| info.funcs.get(f))
                .and_then(|f| f.import.as_ref()),
            Some(FuncImport::WasiP1(_))
        );
        out.put_u32(
            at!(r, ImportDesc, flags),
            if host { IMPORT_FLAG_HOST } else { 0 },
        );
    }
    objects.insert(IMPORTS, out);
}
