//! wasmparser -> [`ModuleInfo`].
//!
//! Phase 1 (WHAT). Input: module bytes, validated payload by payload
//! alongside (by [`super::validate`]; bodies in parallel at the end).
//! Output: [`ModuleInfo`]. Invariants: every import is resolved against
//! `kiln_abi::wasi_p1` here, so an unknown import is a compile error (but
//! only for an otherwise valid module that needs no unsupported feature);
//! `escapes` is exact for the escape
//! routes validation allows; a malformed name section never fails the
//! compile.

use super::const_expr::const_expr;
use super::{
    ConstExprInfo, DataInfo, ElemInfo, ExportInfo, FuncImport, FuncIndex, FuncInfo, FuncType,
    GlobalInfo, ImportInfo, MemoryIndex, MemoryInfo, ModuleInfo, SegmentMode, TableIndex,
    TableInfo, TagInfo, TypeIndex, validate,
};
use crate::config::ImportPolicy;
use crate::{CompileError, Config, Timings};
use kiln_abi::ValType;
use kiln_abi::descriptor::{KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE, KIND_TAG};
use kiln_abi::libcalls::AbiType;
use kiln_abi::symbols::WASI_P1_MODULE;
use kiln_abi::wasi_p1::{THREAD_SPAWN_IMPORT, WASI_P1_FUNCS, WASI_THREADS_MODULE};
use std::ops::Range;
use std::time::Instant;
use wasmparser::{
    CompositeInnerType, DataKind, ElementItems, ElementKind, ExternalKind, KnownCustom, Name,
    Payload, RefType, TableInit, TypeRef, WasmFeatures,
};

/// Validates `wasm` and describes it.
pub fn translate_module(wasm: &[u8], config: &Config) -> Result<ModuleInfo, CompileError> {
    translate_module_timed(wasm, config, &mut Timings::default())
}

/// [`translate_module`], recording its phases in `timings`.
pub fn translate_module_timed(
    wasm: &[u8],
    config: &Config,
    timings: &mut Timings,
) -> Result<ModuleInfo, CompileError> {
    match translate_with_relaxation(wasm, config, timings, Bodies::Validate) {
        // A feature the module needs but Kiln lacks is reported before an
        // unknown import, even one that comes first: translate again
        // accepting every import to find such a feature.
        Err(unknown @ CompileError::UnknownImport { .. })
            if config.imports == ImportPolicy::WasiP1 =>
        {
            let linked = Config {
                imports: ImportPolicy::Linked,
                ..config.clone()
            };
            match translate_with_relaxation(
                wasm,
                &linked,
                &mut Timings::default(),
                Bodies::Validate,
            ) {
                Err(unsupported @ CompileError::Unsupported { .. }) => Err(unsupported),
                _ => Err(unknown),
            }
        }
        result => result,
    }
}

/// [`translate_module_timed`] for a core module of a component: the
/// component's validation already checked its function bodies, so they are
/// not validated a second time.
pub fn translate_component_module_timed(
    wasm: &[u8],
    config: &Config,
    timings: &mut Timings,
) -> Result<ModuleInfo, CompileError> {
    translate_with_relaxation(wasm, config, timings, Bodies::AlreadyValidated)
}

/// Whether function bodies still need validating.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Bodies {
    /// Validate them (a module on its own).
    Validate,
    /// The enclosing component's validation checked them.
    AlreadyValidated,
}

/// [`translate_module_with`] the configured features, retried with
/// [`validate::GC_RELAXATION`] when only GC's rules make the module valid.
fn translate_with_relaxation(
    wasm: &[u8],
    config: &Config,
    timings: &mut Timings,
    bodies: Bodies,
) -> Result<ModuleInfo, CompileError> {
    match translate_module_with(wasm, config, timings, WasmFeatures::empty(), bodies) {
        // Wasm 3.0 lets constant expressions read any earlier immutable
        // global, a relaxation wasmparser ties to GC (and Wasmtime accepts).
        // Kiln accepts modules that need GC for nothing else: they are
        // validated with GC's rules and translation rejects every GC
        // construct (types, heap types, operators) as `gc`.
        Err(CompileError::Unsupported { feature, .. })
            if feature == "gc" && validate::gc_relaxation_applies(wasm, config.features) =>
        {
            translate_module_with(wasm, config, timings, validate::GC_RELAXATION, bodies)
        }
        result => result,
    }
}

/// [`translate_module_timed`] validating with `extra` features on top of
/// the configured ones.
fn translate_module_with(
    wasm: &[u8],
    config: &Config,
    timings: &mut Timings,
    extra: WasmFeatures,
    bodies: Bodies,
) -> Result<ModuleInfo, CompileError> {
    let start = Instant::now();
    // Offsets in descriptors and source maps are `u32`.
    if u32::try_from(wasm.len()).is_err() {
        return Err(CompileError::ImplLimit("modules of 4 GiB or more"));
    }
    let mut validator = validate::ModuleValidator::new(wasm, config.features, extra)?;
    if bodies == Bodies::AlreadyValidated {
        validator.skip_bodies();
    }
    let mut info = ModuleInfo::default();
    // NB: a translation error (e.g. an unknown import) is only reported if
    // the whole module is valid, as if validation had run first.
    let mut translated = Ok(());
    for payload in validate::ModuleValidator::parser(config.features, extra).parse_all(wasm) {
        validator.payload(&payload)?;
        if translated.is_ok()
            && let Ok(payload) = payload
        {
            translated = translate_payload(&mut info, wasm, payload, config.imports);
        }
    }
    timings.module = start.elapsed();
    let start = Instant::now();
    validator.finish()?;
    timings.validate_bodies = start.elapsed();
    translated?;
    if !config.backtrace_details {
        // Only kept to resolve the frames' source locations.
        info.dwarf.clear();
    }
    mark_escapes(&mut info);
    Ok(info)
}

fn translate_payload(
    info: &mut ModuleInfo,
    wasm: &[u8],
    payload: Payload<'_>,
    imports: ImportPolicy,
) -> Result<(), CompileError> {
    match payload {
        Payload::TypeSection(reader) => {
            for group in reader.into_iter_with_offsets() {
                let (offset, group) = group?;
                // GC's type system (recursion groups, declared subtypes,
                // shared types) is not supported; a module validated with
                // GC's rules for its constant-expression relaxation (see
                // `translate_module_timed`) must not get past here with it.
                if group.types().len() > 1 {
                    crate::unsupported!("gc", offset);
                }
                for sub in group.into_types() {
                    if !sub.is_final || sub.supertype_idx.is_some() || sub.composite_type.shared {
                        crate::unsupported!("gc", offset);
                    }
                    match &sub.composite_type.inner {
                        CompositeInnerType::Func(f) => {
                            super::ref_types::note_func_type(info, f);
                            info.types.push(FuncType {
                                params: val_types(f.params(), offset)?,
                                results: val_types(f.results(), offset)?,
                            });
                        }
                        _ => crate::unsupported!("gc", offset),
                    }
                }
            }
        }
        Payload::ImportSection(reader) => {
            for import in reader.into_iter_with_offsets() {
                let (offset, import) = import?;
                match imports {
                    ImportPolicy::WasiP1 => translate_import(info, offset, import)?,
                    ImportPolicy::Linked => translate_linked_import(info, offset, import)?,
                }
            }
        }
        Payload::FunctionSection(reader) => {
            for type_index in reader {
                info.funcs.push(FuncInfo {
                    type_index: TypeIndex::from_u32(type_index?),
                    import: None,
                    escapes: false,
                });
            }
        }
        Payload::TableSection(reader) => {
            for table in reader.into_iter_with_offsets() {
                let (offset, table) = table?;
                let elem_type = ref_type(table.ty.element_type, offset)?;
                let init = match table.init {
                    TableInit::RefNull => ConstExprInfo::RefNull(elem_type),
                    TableInit::Expr(e) => const_expr(&e)?,
                };
                super::ref_types::note_table(info, table.ty.element_type);
                info.tables.push(TableInfo {
                    elem_type,
                    min: table.ty.initial,
                    max: table.ty.maximum,
                    table64: table.ty.table64,
                    init,
                });
            }
        }
        Payload::MemorySection(reader) => {
            for memory in reader {
                info.memories.push(memory_info(memory?));
            }
        }
        Payload::GlobalSection(reader) => {
            for global in reader.into_iter_with_offsets() {
                let (offset, global) = global?;
                super::ref_types::note_global(info, global.ty.content_type);
                info.globals.push(GlobalInfo {
                    ty: val_type(global.ty.content_type, offset)?,
                    mutable: global.ty.mutable,
                    init: const_expr(&global.init_expr)?,
                });
            }
        }
        Payload::ExportSection(reader) => {
            for export in reader.into_iter_with_offsets() {
                let (offset, export) = export?;
                let kind = match export.kind {
                    ExternalKind::Func => KIND_FUNC,
                    ExternalKind::Table => KIND_TABLE,
                    ExternalKind::Memory => KIND_MEMORY,
                    ExternalKind::Global => KIND_GLOBAL,
                    ExternalKind::Tag => KIND_TAG,
                    ExternalKind::FuncExact => crate::unsupported!("custom-descriptors", offset),
                };
                info.exports.push(ExportInfo {
                    name: export.name.to_string(),
                    kind,
                    index: export.index,
                });
            }
        }
        Payload::StartSection { func, .. } => info.start = Some(FuncIndex::from_u32(func)),
        Payload::ElementSection(reader) => {
            for elem in reader.into_iter_with_offsets() {
                let (offset, elem) = elem?;
                info.elems.push(elem_info(elem, offset)?);
            }
        }
        Payload::DataSection(reader) => {
            for data in reader {
                let data = data?;
                let mode = match data.kind {
                    DataKind::Passive => SegmentMode::Passive,
                    DataKind::Active {
                        memory_index,
                        offset_expr,
                    } => SegmentMode::Active {
                        index: MemoryIndex::from_u32(memory_index),
                        offset: const_expr(&offset_expr)?,
                    },
                };
                info.data.push(DataInfo {
                    mode,
                    range: subslice_range(wasm, data.data),
                });
            }
        }
        Payload::CodeSectionStart { range, .. } => {
            info.code_start = Some(range.start);
        }
        Payload::CodeSectionEntry(body) => {
            info.bodies.push(body.range());
        }
        Payload::CustomSection(reader) => {
            // Wasmtime notes unused DWARF in its trap reports; remember it.
            let name = reader.name();
            if name
                .strip_suffix(".dwo")
                .unwrap_or(name)
                .starts_with(".debug_")
            {
                info.has_unparsed_debuginfo = true;
                if name.starts_with(".debug_") && !name.ends_with(".dwo") {
                    info.dwarf
                        .entry(name.to_string())
                        .or_insert_with(|| subslice_range(wasm, reader.data()));
                }
            }
            if let KnownCustom::Name(names) = reader.as_known() {
                // NB: the name section is advisory; anything malformed in it
                // is ignored rather than failing the compile.
                for name in names {
                    let Ok(name) = name else { break };
                    translate_names(info, name);
                }
            }
        }
        Payload::TagSection(reader) => {
            for tag in reader {
                info.tags.push(TagInfo {
                    type_index: TypeIndex::from_u32(tag?.func_type_idx),
                });
            }
        }
        Payload::ModuleSection {
            unchecked_range, ..
        }
        | Payload::ComponentSection {
            unchecked_range, ..
        } => crate::unsupported!("component model", unchecked_range.start),
        // Version, DataCount, End and the component
        // payloads (rejected by validation) carry nothing we need.
        _ => {}
    }
    Ok(())
}

/// Module and field name of the shared memory a wasi-threads module imports.
const WASI_THREADS_MEMORY_MODULE: &str = "env";
/// See [`WASI_THREADS_MEMORY_MODULE`].
const WASI_THREADS_MEMORY_NAME: &str = "memory";

fn translate_import(
    info: &mut ModuleInfo,
    _offset: usize,
    import: wasmparser::Import<'_>,
) -> Result<(), CompileError> {
    let unknown = |detail: String| CompileError::UnknownImport {
        module: import.module.to_string(),
        name: import.name.to_string(),
        detail,
    };
    let type_index = match import.ty {
        TypeRef::Func(t) | TypeRef::FuncExact(t) => TypeIndex::from_u32(t),
        // wasi-threads: every thread's instance imports the one shared
        // memory, which the runtime creates from these limits.
        TypeRef::Memory(m)
            if m.shared
                && import.module == WASI_THREADS_MEMORY_MODULE
                && import.name == WASI_THREADS_MEMORY_NAME =>
        {
            info.memories.push(memory_info(m));
            info.imports.push(ImportInfo {
                module: import.module.to_string(),
                name: import.name.to_string(),
                kind: KIND_MEMORY,
                index: info.num_imported_memories,
            });
            info.num_imported_memories += 1;
            return Ok(());
        }
        TypeRef::Memory(_) => {
            return Err(unknown(
                "Kiln modules must define their memories, not import them; \
                 only wasi-threads' shared `env` `memory` can be imported"
                    .into(),
            ));
        }
        TypeRef::Table(_) => {
            return Err(unknown(
                "Kiln modules must define their tables, not import them".into(),
            ));
        }
        TypeRef::Global(_) => {
            return Err(unknown(
                "Kiln modules must define their globals, not import them".into(),
            ));
        }
        TypeRef::Tag(_) => {
            return Err(unknown(
                "Kiln modules must define their tags, not import them".into(),
            ));
        }
    };
    if import.module != WASI_P1_MODULE && import.module != WASI_THREADS_MODULE {
        return Err(unknown(format!(
            "only functions of `{WASI_P1_MODULE}` can be imported, \
             and wasi-threads' `{WASI_THREADS_MODULE}` `{THREAD_SPAWN_IMPORT}`"
        )));
    }
    let Some(wasi_index) = kiln_abi::wasi_p1::host_func_index(import.module, import.name) else {
        return Err(unknown(format!(
            "`{}` has no function of that name",
            import.module
        )));
    };
    let host = &WASI_P1_FUNCS[wasi_index];
    let expected = FuncType {
        params: host.params.iter().map(|t| abi_val_type(*t)).collect(),
        results: host.result.iter().map(|t| abi_val_type(*t)).collect(),
    };
    let found = info.types.get(type_index);
    if found != Some(&expected) {
        return Err(unknown(format!(
            "signature mismatch: expected {}, found {}",
            describe_type(&expected),
            found.map_or_else(|| "an invalid type".to_string(), describe_type)
        )));
    }
    info.imports.push(ImportInfo {
        module: import.module.to_string(),
        name: import.name.to_string(),
        kind: KIND_FUNC,
        index: info.num_imported_funcs,
    });
    info.funcs.push(FuncInfo {
        type_index,
        import: Some(FuncImport::WasiP1(wasi_index)),
        escapes: false,
    });
    info.num_imported_funcs += 1;
    Ok(())
}

/// An import of `ImportPolicy::Linked`: whatever its module name, it becomes
/// the next entity of its kind's index space, provided by the runtime at
/// instantiation (imports precede definitions, so imports stay first).
fn translate_linked_import(
    info: &mut ModuleInfo,
    offset: usize,
    import: wasmparser::Import<'_>,
) -> Result<(), CompileError> {
    let (kind, index) = match import.ty {
        TypeRef::Func(type_index) | TypeRef::FuncExact(type_index) => {
            info.funcs.push(FuncInfo {
                type_index: TypeIndex::from_u32(type_index),
                import: Some(FuncImport::Linked),
                escapes: false,
            });
            info.num_imported_funcs += 1;
            (KIND_FUNC, info.num_imported_funcs - 1)
        }
        TypeRef::Memory(m) => {
            info.memories.push(memory_info(m));
            info.num_imported_memories += 1;
            (KIND_MEMORY, info.num_imported_memories - 1)
        }
        TypeRef::Table(t) => {
            let elem_type = ref_type(t.element_type, offset)?;
            super::ref_types::note_table(info, t.element_type);
            info.tables.push(TableInfo {
                elem_type,
                min: t.initial,
                max: t.maximum,
                table64: t.table64,
                // Never evaluated: the owner initialised the table.
                init: ConstExprInfo::RefNull(elem_type),
            });
            info.num_imported_tables += 1;
            (KIND_TABLE, info.num_imported_tables - 1)
        }
        TypeRef::Global(g) => {
            let ty = val_type(g.content_type, offset)?;
            super::ref_types::note_global(info, g.content_type);
            info.globals.push(GlobalInfo {
                ty,
                mutable: g.mutable,
                // Never evaluated: the owner initialised the global.
                init: ConstExprInfo::Value(ty, [0; 16]),
            });
            info.num_imported_globals += 1;
            (KIND_GLOBAL, info.num_imported_globals - 1)
        }
        TypeRef::Tag(t) => {
            info.tags.push(TagInfo {
                type_index: TypeIndex::from_u32(t.func_type_idx),
            });
            info.num_imported_tags += 1;
            (KIND_TAG, info.num_imported_tags - 1)
        }
    };
    info.imports.push(ImportInfo {
        module: import.module.to_string(),
        name: import.name.to_string(),
        kind,
        index,
    });
    Ok(())
}

/// `(param i32 i64) (result i32)`, as in the text format.
fn describe_type(ty: &FuncType) -> String {
    let list = |kw: &str, tys: &[ValType]| {
        if tys.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = tys.iter().map(|t| val_type_name(*t)).collect();
            format!("({kw} {})", names.join(" "))
        }
    };
    let s = format!(
        "{} {}",
        list("param", &ty.params),
        list("result", &ty.results)
    );
    let s = s.trim();
    if s.is_empty() {
        "(func)".into()
    } else {
        format!("(func {s})")
    }
}

fn val_type_name(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::V128 => "v128",
        ValType::FuncRef => "funcref",
        ValType::ExternRef => "externref",
        ValType::ExnRef => "exnref",
    }
}

fn abi_val_type(t: AbiType) -> ValType {
    match t {
        // NB: host signatures are wasm32 signatures: pointers are i32 there.
        AbiType::I32 | AbiType::Ptr => ValType::I32,
        AbiType::I64 => ValType::I64,
        AbiType::F32 => ValType::F32,
        AbiType::F64 => ValType::F64,
    }
}

fn memory_info(m: wasmparser::MemoryType) -> MemoryInfo {
    MemoryInfo {
        min: m.initial,
        max: m.maximum,
        memory64: m.memory64,
        shared: m.shared,
        page_size_log2: m.page_size_log2.unwrap_or(16),
    }
}

fn elem_info(elem: wasmparser::Element<'_>, offset: usize) -> Result<ElemInfo, CompileError> {
    let mode = match elem.kind {
        ElementKind::Passive => SegmentMode::Passive,
        ElementKind::Declared => SegmentMode::Declared,
        ElementKind::Active {
            table_index,
            offset_expr,
        } => SegmentMode::Active {
            index: TableIndex::from_u32(table_index.unwrap_or(0)),
            offset: const_expr(&offset_expr)?,
        },
    };
    let (elem_type, items) = match elem.items {
        ElementItems::Functions(funcs) => {
            let items = funcs
                .into_iter()
                .map(|f| f.map(|f| ConstExprInfo::RefFunc(FuncIndex::from_u32(f))))
                .collect::<Result<Vec<_>, _>>()?;
            (ValType::FuncRef, items)
        }
        ElementItems::Expressions(ty, exprs) => {
            let items = exprs
                .into_iter()
                .map(|e| const_expr(&e?))
                .collect::<Result<Vec<_>, _>>()?;
            (ref_type(ty, offset)?, items)
        }
    };
    Ok(ElemInfo {
        mode,
        elem_type,
        items,
    })
}

fn val_types(tys: &[wasmparser::ValType], offset: usize) -> Result<Vec<ValType>, CompileError> {
    tys.iter().map(|t| val_type(*t, offset)).collect()
}

fn val_type(t: wasmparser::ValType, offset: usize) -> Result<ValType, CompileError> {
    Ok(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(r) => ref_type(r, offset)?,
    })
}

fn ref_type(r: RefType, offset: usize) -> Result<ValType, CompileError> {
    match ref_val_type(r) {
        Ok(t) => Ok(t),
        Err(feature) => crate::unsupported!(feature, offset),
    }
}

/// The Kiln value type of a reference type, or the proposal it needs that
/// Kiln does not support. Typed function references (`(ref $t)`,
/// `(ref null $t)`, `(ref func)`, and the bottom `nofunc`) share `funcref`'s
/// representation, `(ref extern)` (and `noextern`) `externref`'s:
/// nullability and the concrete type are static properties.
pub(crate) fn ref_val_type(r: RefType) -> Result<ValType, &'static str> {
    use wasmparser::{AbstractHeapType as A, HeapType};
    match r.heap_type() {
        HeapType::Abstract {
            shared: false,
            ty: A::Func | A::NoFunc,
        } => Ok(ValType::FuncRef),
        HeapType::Abstract {
            shared: false,
            ty: A::Extern | A::NoExtern,
        } => Ok(ValType::ExternRef),
        // Without GC every concrete type is a function type (validated).
        HeapType::Concrete(_) => Ok(ValType::FuncRef),
        HeapType::Abstract {
            shared: false,
            ty: A::Exn | A::NoExn,
        } => Ok(ValType::ExnRef),
        _ => Err("gc"),
    }
}

fn translate_names(info: &mut ModuleInfo, name: Name<'_>) {
    match name {
        Name::Module { name, .. } => info.name = Some(name.to_string()),
        Name::Function(map) => {
            for naming in map {
                let Ok(naming) = naming else { break };
                info.func_names
                    .insert(FuncIndex::from_u32(naming.index), naming.name.to_string());
            }
        }
        _ => {}
    }
}

/// The range `part` occupies in `whole` (`part` is a subslice of it).
fn subslice_range(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    debug_assert!(start + part.len() <= whole.len(), "subslice of the input");
    start..start + part.len()
}

/// Marks every function a reference to which can exist or that is called
/// from outside: exports, the start function, element segment items and
/// `ref.func` in global initializers.
///
/// NB: a `ref.func` in a function body needs no scan: validation only allows
/// it for functions declared elsewhere in the module (in an element segment,
/// including declarative ones, an export or a global initializer; spec
/// "C.refs", <https://webassembly.github.io/spec/core/valid/modules.html>).
fn mark_escapes(info: &mut ModuleInfo) {
    let mut escaping: Vec<FuncIndex> = Vec::new();
    escaping.extend(info.exports.iter().filter_map(ExportInfo::func));
    escaping.extend(info.start);
    let ref_funcs = |e: &ConstExprInfo| match e {
        ConstExprInfo::RefFunc(f) => Some(*f),
        _ => None,
    };
    for elem in &info.elems {
        escaping.extend(elem.items.iter().filter_map(ref_funcs));
    }
    escaping.extend(info.globals.values().filter_map(|g| ref_funcs(&g.init)));
    escaping.extend(info.tables.values().filter_map(|t| ref_funcs(&t.init)));
    for f in escaping {
        if let Some(func) = info.funcs.get_mut(f) {
            func.escapes = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{DefinedFuncIndex, GlobalIndex};

    fn describe(wat: &str) -> Result<ModuleInfo, CompileError> {
        let wasm = wat::parse_str(wat).expect("test wat parses");
        translate_module(&wasm, &Config::default())
    }

    #[test]
    fn wasi_import_resolves() {
        let info = describe(
            r#"(module
                (import "wasi_snapshot_preview1" "fd_write"
                    (func (param i32 i32 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))"#,
        )
        .expect("compiles");
        assert_eq!(info.num_imported_funcs, 2);
        let fd_write = WASI_P1_FUNCS
            .iter()
            .position(|f| f.name == "fd_write")
            .expect("listed");
        assert_eq!(
            info.funcs[FuncIndex::from_u32(0)].import,
            Some(FuncImport::WasiP1(fd_write))
        );
        assert_eq!(info.imports[1].name, "proc_exit");
        assert_eq!(info.imports[1].index, 1);
    }

    #[test]
    fn unknown_imports_are_rejected() {
        let err =
            describe(r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32))))"#)
                .expect_err("bad signature");
        let CompileError::UnknownImport { detail, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(
            detail.contains("(func (param i32 i32 i32 i32) (result i32))"),
            "{detail}"
        );
        assert!(matches!(
            describe(r#"(module (import "env" "f" (func)))"#),
            Err(CompileError::UnknownImport { .. })
        ));
        assert!(matches!(
            describe(r#"(module (import "wasi_snapshot_preview1" "nope" (func)))"#),
            Err(CompileError::UnknownImport { .. })
        ));
        assert!(matches!(
            describe(r#"(module (import "env" "memory" (memory 1)))"#),
            Err(CompileError::UnknownImport { .. })
        ));
        assert!(matches!(
            describe(r#"(module (import "env" "g" (global i32)))"#),
            Err(CompileError::UnknownImport { .. })
        ));
    }

    #[test]
    fn linked_imports_of_every_kind() {
        let wasm = wat::parse_str(
            r#"(module
                (import "spectest" "print_i32" (func (param i32)))
                (import "wasi_snapshot_preview1" "fd_write" (func (param i32)))
                (import "m" "mem" (memory 1 2))
                (import "m" "tab" (table 3 funcref))
                (import "m" "g" (global (mut i64)))
                (memory 1)
                (global i32 (i32.const 1))
                (func))"#,
        )
        .expect("wat");
        let config = Config {
            imports: ImportPolicy::Linked,
            ..Config::default()
        };
        let info = translate_module(&wasm, &config).expect("compiles");
        assert_eq!(info.num_imported_funcs, 2);
        assert_eq!(
            info.funcs[FuncIndex::from_u32(0)].import,
            Some(FuncImport::Linked)
        );
        assert_eq!(
            info.funcs[FuncIndex::from_u32(1)].import,
            Some(FuncImport::Linked)
        );
        assert_eq!(info.funcs[FuncIndex::from_u32(2)].import, None);
        assert_eq!((info.num_imported_memories, info.memories.len()), (1, 2));
        assert_eq!(info.memories[MemoryIndex::from_u32(0)].max, Some(2));
        assert_eq!(
            (
                info.num_imported_tables,
                info.tables[TableIndex::from_u32(0)].min
            ),
            (1, 3)
        );
        assert_eq!(info.num_imported_globals, 1);
        assert_eq!(
            (
                info.globals[GlobalIndex::from_u32(0)].ty,
                info.globals[GlobalIndex::from_u32(0)].mutable
            ),
            (ValType::I64, true)
        );
        let kinds: Vec<(u32, u32)> = info.imports.iter().map(|i| (i.kind, i.index)).collect();
        assert_eq!(
            kinds,
            [
                (KIND_FUNC, 0),
                (KIND_FUNC, 1),
                (KIND_MEMORY, 0),
                (KIND_TABLE, 0),
                (KIND_GLOBAL, 0)
            ]
        );
        // Exported or started linked imports get no array-call entry.
        let wasm = wat::parse_str(
            r#"(module (import "m" "f" (func $f)) (export "f" (func $f)) (start $f)
                (func (export "g")))"#,
        )
        .expect("wat");
        let info = translate_module(&wasm, &config).expect("compiles");
        assert_eq!(info.array_call_funcs(), [FuncIndex::from_u32(1)]);
    }

    #[test]
    fn wasi_threads_imports_resolve() {
        let info = describe(
            r#"(module
                (import "wasi" "thread-spawn" (func (param i32) (result i32)))
                (import "env" "memory" (memory 1 10 shared))
                (func (export "wasi_thread_start") (param i32 i32)))"#,
        )
        .expect("compiles");
        let spawn = WASI_P1_FUNCS
            .iter()
            .position(|f| f.name == "thread_spawn")
            .expect("listed");
        assert_eq!(
            info.funcs[FuncIndex::from_u32(0)].import,
            Some(FuncImport::WasiP1(spawn))
        );
        assert_eq!(info.num_imported_memories, 1);
        assert!(info.memories[MemoryIndex::from_u32(0)].shared);
        assert_eq!(info.imports[1].kind, KIND_MEMORY);
        // Only the shared `env` `memory`, and `thread-spawn` only from `wasi`.
        for wat in [
            r#"(module (import "env" "memory" (memory 1 10)))"#,
            r#"(module (import "env" "mem" (memory 1 10 shared)))"#,
            r#"(module (import "wasi_snapshot_preview1" "thread_spawn" (func (param i32) (result i32))))"#,
            r#"(module (import "wasi" "thread-spawn" (func (param i32))))"#,
            r#"(module (import "wasi" "fd_write" (func (param i32 i32 i32 i32) (result i32))))"#,
        ] {
            assert!(
                matches!(describe(wat), Err(CompileError::UnknownImport { .. })),
                "{wat}"
            );
        }
    }

    #[test]
    fn unsupported_feature_wins_over_unknown_import() {
        // Finding F2: a GC-typed global import needs GC, whether or not a
        // non-WASI import comes before it.
        for wat in [
            r#"(module (import "env" "g" (global (mut structref))))"#,
            r#"(module (import "env" "t" (table 0 funcref))
                (import "env" "g" (global (mut structref))))"#,
            r#"(module (import "env" "f" (func)) (import "env" "t" (table 0 anyref)))"#,
            r#"(module (import "env" "f" (func)) (type (struct)))"#,
        ] {
            let err = describe(wat).expect_err("unsupported");
            assert!(
                matches!(&err, CompileError::Unsupported { feature, .. } if feature == "gc"),
                "{wat}: {err:?}"
            );
        }
        // Without such a feature the unknown import is still the error, also
        // for a module that needs GC's constant-expression relaxation only.
        for wat in [
            r#"(module (import "env" "t" (table 0 funcref)) (global i32 (i32.const 0)))"#,
            r#"(module (import "env" "f" (func))
                (global $a i32 (i32.const 1)) (global i32 (global.get $a)))"#,
        ] {
            assert!(
                matches!(describe(wat), Err(CompileError::UnknownImport { .. })),
                "{wat}"
            );
        }
    }

    #[test]
    fn invalid_body_wins_over_unknown_import() {
        // As if validation ran first: the module is invalid, whatever else.
        let err = describe(
            r#"(module (import "env" "f" (func))
                (func (result i32) (i64.const 0)))"#,
        )
        .expect_err("invalid");
        assert!(matches!(err, CompileError::Invalid { .. }), "{err}");
    }

    #[test]
    fn escapes_and_segments() {
        let info = describe(
            r#"(module
                (type $t (func))
                (func $a) (func $b) (func $c) (func $d) (func $e) (func $f)
                (table 2 funcref)
                (memory 1)
                (global funcref (ref.func $d))
                (export "a" (func $a))
                (start $b)
                (elem (i32.const 0) $c)
                (elem declare func $e)
                (func $g (drop (ref.func $e)))
                (data (i32.const 16) "hello")
                (data "passive"))"#,
        )
        .expect("compiles");
        let escapes: Vec<bool> = info.funcs.values().map(|f| f.escapes).collect();
        assert_eq!(escapes, [true, true, true, true, true, false, false]);
        assert_eq!(info.bodies.len(), 7);
        assert_eq!(info.elems[1].mode, SegmentMode::Declared);
        let mut sixteen = [0u8; 16];
        sixteen[0] = 16;
        assert_eq!(
            info.data[0].mode,
            SegmentMode::Active {
                index: MemoryIndex::from_u32(0),
                offset: ConstExprInfo::Value(ValType::I32, sixteen)
            }
        );
        let wasm =
            wat::parse_str("(module (memory 1) (data (i32.const 16) \"hello\"))").expect("wat");
        let info2 = translate_module(&wasm, &Config::default()).expect("ok");
        assert_eq!(&wasm[info2.data[0].range.clone()], b"hello");
        assert_eq!(info.data[1].mode, SegmentMode::Passive);
    }

    #[test]
    fn names_are_read() {
        let info = describe(r#"(module $m (func $foo) (func $bar))"#).expect("compiles");
        assert_eq!(info.name.as_deref(), Some("m"));
        assert_eq!(
            info.func_names
                .get(&FuncIndex::from_u32(1))
                .map(String::as_str),
            Some("bar")
        );
    }

    #[test]
    fn malformed_name_section_is_ignored() {
        let mut wasm = wat::parse_str("(module (func))").expect("wat");
        // A custom section "name" whose function-name subsection claims more
        // entries than it has.
        let name_section: &[u8] = &[0, 8, 4, b'n', b'a', b'm', b'e', 1, 9, 200];
        wasm.extend_from_slice(name_section);
        let info = translate_module(&wasm, &Config::default()).expect("compiles");
        assert!(info.func_names.is_empty());
    }

    #[test]
    fn body_ranges_point_at_bodies() {
        let wasm = wat::parse_str("(module (func (nop)) (func (unreachable)))").expect("wat");
        let info = translate_module(&wasm, &Config::default()).expect("ok");
        // A body: locals count 0, then the operators and `end`.
        assert_eq!(
            &wasm[info.bodies[DefinedFuncIndex::from_u32(0)].clone()],
            &[0x00, 0x01, 0x0b]
        );
        assert_eq!(
            &wasm[info.bodies[DefinedFuncIndex::from_u32(1)].clone()],
            &[0x00, 0x00, 0x0b]
        );
    }
}
