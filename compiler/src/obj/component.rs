//! The `__kiln_component` [`ComponentDescriptor`], every array it points to,
//! and the writable [`CanonOpts`] records.
//!
//! Phase 3 for components (the component driver, `crate::pipeline::component`,
//! calls it last). Input: the plan, each module's [`ModuleInfo`]
//! and descriptor id, the resolved trampolines and their code ids, the host
//! resource numbers. Output: data objects of the component's own namespace:
//! the local root `__kiln_component` and local arrays
//! `__kiln_desc_cm_<part>` (read-only), plus `__kiln_desc_cm_opts`
//! (writable): one `CanonOpts` per trampoline (by trampoline index), then
//! one per lifted export (in export order). Records are written at the
//! `offset_of!` offsets of the `kiln_abi` types, addresses as absolute
//! relocations, an empty array's address as `0` (as in
//! [`super::descriptor`]). The runtime fills the address half of each
//! `CanonOpts`; the compiler fills the item half (core instance and the
//! item's index in that instance's module).

use crate::CompileError;
use crate::component::plan::{
    CanonOptions, ComponentPlan, CoreDef, CoreKind, FuncTypeIndex, Resource, Trampoline,
};
use crate::component::resolve::{
    ResolvedTrampoline, kind_code, path_name, resolve_export, resolve_func_option,
};
use crate::key::TrampolineIds;
use crate::module::ModuleInfo;
use crate::obj::data::{DataBuilder, DataObjects, StringPool, Target};
use crate::obj::symbols::DataKey;
use core::mem::{offset_of, size_of};
use cranelift_module::DataId;
use kiln_abi::ABI_VERSION;
use kiln_abi::component::program::{
    COMPONENT_MAGIC, ComponentDescriptor, CoreDefDesc, CoreInstanceDesc, DEF_EXPORT,
    DEF_INSTANCE_FLAGS, DEF_TRAMPOLINE, ExportFuncDesc, FuncTypeDesc, RESOURCE_DEFINED,
    RESOURCE_HOST, ResourceDesc, TrampolineDesc,
};
use kiln_abi::component::{CanonOpts, CoreItemRef, TypeChild, TypeRecord, TypeTableDesc};
use kiln_abi::descriptor::{KIND_FUNC, NO_INDEX};

/// Alignment of records (their widest field is 8 bytes).
const RECORD_ALIGN: u64 = 8;

const MODULES: DataKey = DataKey::Part("cm_modules");
const INSTANCES: DataKey = DataKey::Part("cm_instances");
const DEFS: DataKey = DataKey::Part("cm_defs");
const TRAMPOLINES: DataKey = DataKey::Part("cm_trampolines");
const RESOURCES: DataKey = DataKey::Part("cm_resources");
const EXPORTS: DataKey = DataKey::Part("cm_exports");
const FUNC_TYPES: DataKey = DataKey::Part("cm_func_types");
const TYPE_LISTS: DataKey = DataKey::Part("cm_type_lists");
const TYPES: DataKey = DataKey::Part("cm_types");
const TYPE_CHILDREN: DataKey = DataKey::Part("cm_type_children");
const TYPE_NAMES: DataKey = DataKey::Part("cm_type_names");
/// The writable `CanonOpts` records.
pub const OPTS: DataKey = DataKey::Part("cm_opts");

/// `offset_of!` as the `u32` the data builder takes.
macro_rules! at {
    ($base:expr, $ty:ty, $field:ident) => {
        $base + offset_of!($ty, $field) as u32
    };
}

/// Everything the component descriptor describes.
pub struct ComponentInput<'a> {
    /// The plan.
    pub plan: &'a ComponentPlan,
    /// Each static module's info, by module index.
    pub infos: &'a [ModuleInfo],
    /// Each static module's `ModuleDescriptor`, by module index.
    pub module_descs: &'a [DataId],
    /// Resolved trampolines, by index.
    pub tramps: &'a [ResolvedTrampoline],
    /// Their code and host ids, by index.
    pub tramp_ids: &'a [TrampolineIds],
    /// Host type number of each resource (`NO_INDEX` for defined ones).
    pub host_resources: &'a [u32],
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).expect("component counts are bounded by wasmparser's limits")
}

/// Writes the component descriptor and its arrays into `objects`; returns
/// the serve kind it recorded (`SERVE_NONE` unless the component exports
/// a request handler), which chooses the program's runner.
pub fn emit_component_descriptor(
    input: &ComponentInput<'_>,
    objects: &mut DataObjects,
    strings: &mut StringPool,
) -> Result<u32, CompileError> {
    let plan = input.plan;
    let mut opts = DataBuilder::new(RECORD_ALIGN).writable();
    let tramp_opts = emit_trampolines(input, &mut opts, objects, strings)?;
    let export_opts = emit_exports(input, &mut opts, objects, strings)?;
    debug_assert_eq!(
        tramp_opts + export_opts,
        opts.len() / size_of::<CanonOpts>()
    );
    objects.insert(OPTS, opts);

    let mut modules = DataBuilder::new(RECORD_ALIGN);
    for id in input.module_descs {
        let r = modules.append_zeroed(8);
        modules.put_addr(r, Target::Defined(*id), 0);
    }
    objects.insert(MODULES, modules);
    emit_instances(input, objects)?;
    emit_resources(input, objects)?;
    emit_func_types(plan, objects, strings);
    let types = emit_type_table(plan, objects);

    let mut root = DataBuilder::new(RECORD_ALIGN);
    let r = root.append_zeroed(size_of::<ComponentDescriptor>());
    root.put_u32(at!(r, ComponentDescriptor, magic), COMPONENT_MAGIC);
    root.put_u32(at!(r, ComponentDescriptor, abi_version), ABI_VERSION);
    root.put_u32(
        at!(r, ComponentDescriptor, num_component_instances),
        plan.component_instances,
    );
    let names: Vec<String> = plan.exports.iter().map(|e| path_name(&e.path)).collect();
    let run = crate::component::run_export::choose_run(names.iter().map(String::as_str));
    root.put_u32(at!(r, ComponentDescriptor, run_kind), run.kind);
    root.put_u64(at!(r, ComponentDescriptor, run_export), run.export as u64);
    let serve = crate::component::run_export::choose_serve(names.iter().map(String::as_str));
    root.put_u32(at!(r, ComponentDescriptor, serve_kind), serve.kind);
    root.put_u64(
        at!(r, ComponentDescriptor, serve_export),
        serve.export as u64,
    );
    let num_defs: usize = plan.instances.values().map(|i| i.imports.len()).sum();
    let arrays = [
        (
            at!(r, ComponentDescriptor, modules),
            at!(r, ComponentDescriptor, num_modules),
            MODULES,
            plan.modules.len(),
        ),
        (
            at!(r, ComponentDescriptor, instances),
            at!(r, ComponentDescriptor, num_instances),
            INSTANCES,
            plan.instances.len(),
        ),
        (
            at!(r, ComponentDescriptor, defs),
            at!(r, ComponentDescriptor, num_defs),
            DEFS,
            num_defs,
        ),
        (
            at!(r, ComponentDescriptor, trampolines),
            at!(r, ComponentDescriptor, num_trampolines),
            TRAMPOLINES,
            plan.trampolines.len(),
        ),
        (
            at!(r, ComponentDescriptor, resources),
            at!(r, ComponentDescriptor, num_resources),
            RESOURCES,
            plan.resources.len(),
        ),
        (
            at!(r, ComponentDescriptor, exports),
            at!(r, ComponentDescriptor, num_exports),
            EXPORTS,
            plan.exports.len(),
        ),
        (
            at!(r, ComponentDescriptor, func_types),
            at!(r, ComponentDescriptor, num_func_types),
            FUNC_TYPES,
            plan.func_types.len(),
        ),
        (
            at!(r, ComponentDescriptor, type_lists),
            at!(r, ComponentDescriptor, num_type_lists),
            TYPE_LISTS,
            objects.get(TYPE_LISTS, 4).len() / 4,
        ),
    ];
    let t = at!(r, ComponentDescriptor, types);
    let type_arrays = [
        (
            at!(t, TypeTableDesc, types),
            at!(t, TypeTableDesc, num_types),
            TYPES,
            types.0,
        ),
        (
            at!(t, TypeTableDesc, children),
            at!(t, TypeTableDesc, num_children),
            TYPE_CHILDREN,
            types.1,
        ),
        (
            at!(t, TypeTableDesc, names),
            at!(t, TypeTableDesc, names_len),
            TYPE_NAMES,
            types.2,
        ),
    ];
    for (addr, count, key, n) in arrays.into_iter().chain(type_arrays) {
        root.put_u64(count, n as u64);
        if objects.has(key) {
            root.put_addr(addr, Target::Data(key), 0);
        }
    }
    objects.insert(DataKey::Component, root);
    Ok(serve.kind)
}

/// Appends one `CanonOpts` record to `opts`, returning its offset.
fn put_opts(
    input: &ComponentInput<'_>,
    opts: &mut DataBuilder,
    options: Option<&CanonOptions>,
    component_instance: u32,
    func_type: u32,
    resource: u32,
    what: &str,
) -> Result<u32, CompileError> {
    let r = opts.append_zeroed(size_of::<CanonOpts>());
    opts.put_u32(at!(r, CanonOpts, component_instance), component_instance);
    opts.put_u32(at!(r, CanonOpts, func_type), func_type);
    opts.put_u32(at!(r, CanonOpts, resource), resource);
    let mut items = [
        (at!(r, CanonOpts, memory), CoreItemRef::NONE),
        (at!(r, CanonOpts, realloc), CoreItemRef::NONE),
        (at!(r, CanonOpts, post_return), CoreItemRef::NONE),
        (at!(r, CanonOpts, callback), CoreItemRef::NONE),
    ];
    if let Some(o) = options {
        opts.put_bytes(
            at!(r, CanonOpts, string_encoding),
            &[o.string_encoding as u8],
        );
        let mut flags = 0;
        if o.async_ {
            flags |= kiln_abi::component::CANON_OPT_ASYNC;
        }
        // `u32::MAX` is "no function type", which is no entity index (its
        // `from_u32` asserts so in builds with debug assertions).
        let async_type = func_type != u32::MAX
            && input
                .plan
                .func_types
                .get(FuncTypeIndex::from_u32(func_type))
                .is_some_and(|ft| ft.async_);
        if async_type {
            flags |= kiln_abi::component::CANON_OPT_ASYNC_TYPE;
        }
        opts.put_bytes(at!(r, CanonOpts, flags), &[flags]);
        let (plan, infos) = (input.plan, input.infos);
        if let Some(m) = &o.memory {
            let (_, index) = resolve_export(plan, infos, m)?;
            items[0].1 = CoreItemRef {
                instance: m.instance.as_u32(),
                index,
            };
        }
        let funcs = [
            (1, &o.realloc, "realloc"),
            (2, &o.post_return, "post-return"),
            (3, &o.callback, "callback"),
        ];
        for (slot, def, option) in funcs {
            if let Some(def) = def {
                let (instance, index) = resolve_func_option(
                    plan,
                    infos,
                    def,
                    &format!("the {option} option of {what}"),
                )?;
                items[slot].1 = CoreItemRef { instance, index };
            }
        }
    }
    for (field, item) in items {
        opts.put_u32(at!(field, CoreItemRef, instance), item.instance);
        opts.put_u32(at!(field, CoreItemRef, index), item.index);
    }
    Ok(r)
}

/// The `TrampolineDesc` array and the trampolines' `CanonOpts`; returns the
/// number of records added to `opts`.
fn emit_trampolines(
    input: &ComponentInput<'_>,
    opts: &mut DataBuilder,
    objects: &mut DataObjects,
    strings: &mut StringPool,
) -> Result<usize, CompileError> {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    let mut records = input.tramps.len();
    for ((_, t), (resolved, ids)) in input
        .plan
        .trampolines
        .iter()
        .zip(input.tramps.iter().zip(input.tramp_ids))
    {
        let (options, instance, func_type, resource) = match t {
            Trampoline::LowerImport { ty, options, .. } => (
                Some(options),
                options.instance.as_u32(),
                ty.as_u32(),
                NO_INDEX,
            ),
            Trampoline::ResourceNew { resource, instance }
            | Trampoline::ResourceRep { resource, instance }
            | Trampoline::ResourceDrop { resource, instance } => {
                (None, instance.as_u32(), NO_INDEX, resource.as_u32())
            }
            Trampoline::AdapterFlags { instance } => (None, instance.as_u32(), NO_INDEX, NO_INDEX),
            // The instances are the built-in's operands.
            Trampoline::AdapterHandle { resource } => (None, 0, NO_INDEX, resource.as_u32()),
            // The operation rides in `resource` (the contract of
            // `TRAMPOLINE_ADAPTER_TRANSCODE`).
            Trampoline::AdapterTranscode { op, dst, .. } => {
                (Some(dst), dst.instance.as_u32(), NO_INDEX, op.number())
            }
            Trampoline::AsyncCall { ty, lower, .. } => {
                (Some(lower), lower.instance.as_u32(), ty.as_u32(), NO_INDEX)
            }
            Trampoline::AsyncBuiltin(b) => (
                Some(&b.options),
                b.options.instance.as_u32(),
                b.func_type.map_or(NO_INDEX, |f| f.as_u32()),
                b.ty.map_or(b.imm, |t| t.0),
            ),
        };
        let what = if resolved.name.is_empty() {
            "a built-in".to_string()
        } else {
            format!("the lowering of {}", resolved.name)
        };
        let o = put_opts(input, opts, options, instance, func_type, resource, &what)?;
        // The transcoder's second record, right after the first (the
        // contract of `TRAMPOLINE_ADAPTER_TRANSCODE`): the source's options.
        if let Trampoline::AdapterTranscode { src, .. } = t {
            put_opts(
                input,
                opts,
                Some(src),
                src.instance.as_u32(),
                NO_INDEX,
                NO_INDEX,
                &what,
            )?;
            records += 1;
        }
        // An async call's second and third records (the contract of
        // `TRAMPOLINE_ASYNC_CALL`): the callee's options, then its core
        // function as a `callback`.
        if let Trampoline::AsyncCall {
            ty,
            lift,
            callee,
            params_adapter,
            results_adapter,
            core_values,
            ..
        } = t
        {
            let instance = lift.instance.as_u32();
            // With core values the generated adapter calls the callee's
            // `post-return` itself.
            let lift = CanonOptions {
                post_return: lift.post_return.clone().filter(|_| !core_values),
                ..lift.clone()
            };
            put_opts(
                input,
                opts,
                Some(&lift),
                instance,
                ty.as_u32(),
                NO_INDEX,
                &what,
            )?;
            // The third record's `realloc` and `post-return` name the
            // generated halves that move the values, if any.
            let func = CanonOptions {
                callback: Some(callee.clone()),
                async_: false,
                memory: None,
                realloc: params_adapter.clone(),
                post_return: results_adapter.clone(),
                ..lift.clone()
            };
            let o = put_opts(
                input,
                opts,
                Some(&func),
                instance,
                ty.as_u32(),
                NO_INDEX,
                &what,
            )?;
            if *core_values {
                // Only for functions of an `async` type (`component/inline/`).
                let flags = kiln_abi::component::CANON_OPT_ASYNC_TYPE
                    | kiln_abi::component::CANON_OPT_CORE_VALUES;
                opts.put_bytes(at!(o, CanonOpts, flags), &[flags]);
            }
            records += 2;
        }
        if let Trampoline::AsyncBuiltin(b) = t
            && b.cancellable
        {
            let mut flags = kiln_abi::component::CANON_OPT_CANCELLABLE;
            if b.options.async_ {
                flags |= kiln_abi::component::CANON_OPT_ASYNC;
            }
            opts.put_bytes(at!(o, CanonOpts, flags), &[flags]);
        }
        let r = out.append_zeroed(size_of::<TrampolineDesc>());
        out.put_u32(at!(r, TrampolineDesc, kind), resolved.kind);
        out.put_u32(at!(r, TrampolineDesc, resource), resource);
        out.put_addr(at!(r, TrampolineDesc, wasm_call), Target::Func(ids.code), 0);
        out.put_addr(
            at!(r, TrampolineDesc, opts),
            Target::Data(OPTS),
            u64::from(o),
        );
        strings.put_str(
            &mut out,
            at!(r, TrampolineDesc, name),
            resolved.name.as_bytes(),
        );
    }
    objects.insert(TRAMPOLINES, out);
    Ok(records)
}

/// Writes a `CoreDefDesc` at `at`.
fn put_def(out: &mut DataBuilder, at: u32, kind: u32, instance: u32, item_kind: u32, index: u32) {
    out.put_u32(at!(at, CoreDefDesc, kind), kind);
    out.put_u32(at!(at, CoreDefDesc, instance), instance);
    out.put_u32(at!(at, CoreDefDesc, item_kind), item_kind);
    out.put_u32(at!(at, CoreDefDesc, index), index);
}

/// The `ExportFuncDesc` array and the exports' `CanonOpts`; returns the
/// number of records added to `opts`.
fn emit_exports(
    input: &ComponentInput<'_>,
    opts: &mut DataBuilder,
    objects: &mut DataObjects,
    strings: &mut StringPool,
) -> Result<usize, CompileError> {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    for e in &input.plan.exports {
        let name = path_name(&e.path);
        let what = format!("export {name}");
        let o = put_opts(
            input,
            opts,
            Some(&e.options),
            e.options.instance.as_u32(),
            e.ty.as_u32(),
            NO_INDEX,
            &what,
        )?;
        let (instance, index) = resolve_func_option(input.plan, input.infos, &e.func, &what)?;
        let r = out.append_zeroed(size_of::<ExportFuncDesc>());
        strings.put_str(&mut out, at!(r, ExportFuncDesc, name), name.as_bytes());
        put_def(
            &mut out,
            at!(r, ExportFuncDesc, func),
            DEF_EXPORT,
            instance,
            KIND_FUNC,
            index,
        );
        out.put_addr(
            at!(r, ExportFuncDesc, opts),
            Target::Data(OPTS),
            u64::from(o),
        );
    }
    objects.insert(EXPORTS, out);
    Ok(input.plan.exports.len())
}

/// The `CoreInstanceDesc` array and the `CoreDefDesc` pool of their imports.
fn emit_instances(
    input: &ComponentInput<'_>,
    objects: &mut DataObjects,
) -> Result<(), CompileError> {
    let plan = input.plan;
    let mut out = DataBuilder::new(RECORD_ALIGN);
    let mut defs = DataBuilder::new(RECORD_ALIGN);
    let mut start = 0usize;
    for (_, inst) in plan.instances.iter() {
        let r = out.append_zeroed(size_of::<CoreInstanceDesc>());
        out.put_u32(at!(r, CoreInstanceDesc, module), inst.module.as_u32());
        out.put_u32(
            at!(r, CoreInstanceDesc, component_instance),
            inst.component_instance.as_u32(),
        );
        out.put_u32(at!(r, CoreInstanceDesc, imports_start), len32(start));
        out.put_u32(
            at!(r, CoreInstanceDesc, num_imports),
            len32(inst.imports.len()),
        );
        for def in &inst.imports {
            let d = defs.append_zeroed(size_of::<CoreDefDesc>());
            match def {
                CoreDef::Export(e) => {
                    let (kind, index) = resolve_export(plan, input.infos, e)?;
                    put_def(&mut defs, d, DEF_EXPORT, e.instance.as_u32(), kind, index);
                }
                CoreDef::Trampoline(t) => {
                    put_def(
                        &mut defs,
                        d,
                        DEF_TRAMPOLINE,
                        NO_INDEX,
                        kind_code(CoreKind::Func),
                        t.as_u32(),
                    );
                }
                CoreDef::InstanceFlags(i) => {
                    put_def(
                        &mut defs,
                        d,
                        DEF_INSTANCE_FLAGS,
                        NO_INDEX,
                        kind_code(CoreKind::Global),
                        i.as_u32(),
                    );
                }
            }
        }
        start += inst.imports.len();
    }
    objects.insert(INSTANCES, out);
    objects.insert(DEFS, defs);
    Ok(())
}

fn emit_resources(
    input: &ComponentInput<'_>,
    objects: &mut DataObjects,
) -> Result<(), CompileError> {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    for ((_, res), host) in input.plan.resources.iter().zip(input.host_resources) {
        let r = out.append_zeroed(size_of::<ResourceDesc>());
        let d = at!(r, ResourceDesc, dtor);
        put_def(&mut out, d, DEF_EXPORT, NO_INDEX, KIND_FUNC, NO_INDEX);
        match res {
            Resource::Imported { .. } => {
                out.put_u32(at!(r, ResourceDesc, kind), RESOURCE_HOST);
                out.put_u32(at!(r, ResourceDesc, host_type), *host);
                out.put_u32(at!(r, ResourceDesc, component_instance), NO_INDEX);
            }
            Resource::Defined { instance, dtor } => {
                out.put_u32(at!(r, ResourceDesc, kind), RESOURCE_DEFINED);
                out.put_u32(at!(r, ResourceDesc, host_type), NO_INDEX);
                out.put_u32(at!(r, ResourceDesc, component_instance), instance.as_u32());
                if let Some(dtor) = dtor {
                    let (instance, index) = resolve_func_option(
                        input.plan,
                        input.infos,
                        dtor,
                        "a resource destructor",
                    )?;
                    out.put_u32(at!(r, ResourceDesc, has_dtor), 1);
                    put_def(&mut out, d, DEF_EXPORT, instance, KIND_FUNC, index);
                }
            }
        }
    }
    objects.insert(RESOURCES, out);
    Ok(())
}

/// The `FuncTypeDesc` array and the `type_lists` pool.
fn emit_func_types(plan: &ComponentPlan, objects: &mut DataObjects, strings: &mut StringPool) {
    let mut out = DataBuilder::new(RECORD_ALIGN);
    let mut lists = DataBuilder::new(4);
    for (_, ft) in plan.func_types.iter() {
        let r = out.append_zeroed(size_of::<FuncTypeDesc>());
        let params_start = len32(lists.len() / 4);
        for (_, t) in &ft.params {
            lists.append_u32(t.0);
        }
        let results_start = len32(lists.len() / 4);
        if let Some(t) = ft.result {
            lists.append_u32(t.0);
        }
        out.put_u32(at!(r, FuncTypeDesc, params_start), params_start);
        out.put_u32(at!(r, FuncTypeDesc, num_params), len32(ft.params.len()));
        out.put_u32(at!(r, FuncTypeDesc, results_start), results_start);
        out.put_u32(
            at!(r, FuncTypeDesc, num_results),
            u32::from(ft.result.is_some()),
        );
        let names: Vec<&str> = ft.params.iter().map(|(n, _)| n.as_str()).collect();
        strings.put_str(
            &mut out,
            at!(r, FuncTypeDesc, param_names),
            names.join(",").as_bytes(),
        );
    }
    objects.insert(FUNC_TYPES, out);
    objects.insert(TYPE_LISTS, lists);
}

/// The three arrays of the type table; returns their element counts (names
/// in bytes).
fn emit_type_table(plan: &ComponentPlan, objects: &mut DataObjects) -> (usize, usize, usize) {
    let mut types = DataBuilder::new(4);
    for t in plan.types.records() {
        let r = types.append_zeroed(size_of::<TypeRecord>());
        types.put_bytes(at!(r, TypeRecord, kind), &[t.kind]);
        types.put_u32(at!(r, TypeRecord, a), t.a);
        types.put_u32(at!(r, TypeRecord, b), t.b);
    }
    let mut children = DataBuilder::new(4);
    for c in plan.types.children() {
        let r = children.append_zeroed(size_of::<TypeChild>());
        children.put_u32(at!(r, TypeChild, ty), c.ty);
        children.put_u32(at!(r, TypeChild, name_start), c.name_start);
        children.put_u32(at!(r, TypeChild, name_len), c.name_len);
    }
    let mut names = DataBuilder::new(1);
    names.append(plan.types.names());
    let counts = (
        plan.types.records().len(),
        plan.types.children().len(),
        plan.types.names().len(),
    );
    objects.insert(TYPES, types);
    objects.insert(TYPE_CHILDREN, children);
    objects.insert(TYPE_NAMES, names);
    counts
}
