//! `--invoke 'name(arg, ...)'` of a component export: the WAVE text format
//! (WebAssembly Value Encoding) for arguments and results, as
//! `wasmtime run --invoke` 48 reads and prints them.
//!
//! Phase: a component executable's start-up ([`prepare`], before
//! instantiation, as Wasmtime parses and type-checks the call before it
//! instantiates) and its one call ([`call`], after instantiation). Inputs:
//! the invoke string, the component descriptor (exports, function types,
//! type table) and, for the call, the export's `CanonOpts`. Output: the
//! results line on stdout, or an error chain for `errors::report`.
//!
//! Map:
//! - [`parse`]: lexer and parser, WAVE text -> untyped tree.
//! - [`value`]: the untyped tree typed by the component type table.
//! - [`abi`]: values lowered into the lifted core function's parameters
//!   (flat, or through `realloc`ed memory past 16 flat values) and its
//!   results lifted back (flat, or from the returned pointer).
//! - [`print`]: values as WAVE text.
//!
//! Why a copy and not the `wasm-wave` crate Wasmtime uses: the crate (its
//! generated lexer, its parser generic over the value type) adds about
//! 150 KB to every executable, since this module is linked into all of
//! them (whether an invoke was baked in is read at run time). The copy
//! follows the crate's 0.254 release; known difference: for text that is
//! no token (an unterminated `"` or `"""` string, a malformed function
//! name) the crate's `invalid token` span covers the whole attempted
//! token, the copy's a single character.
//!
//! Export lookup (Wasmtime's `search_component_funcs`): `name` names a
//! root function export; `iface.name`, `ns:pkg/iface.name` and
//! `ns:pkg/iface.name@x.y.z` name a function of an exported instance
//! (versions match on their semver track); a bare `name` that is no root
//! function is searched in every exported instance and must be found in
//! exactly one.

pub mod abi;
pub mod parse;
pub mod print;
pub mod value;

#[cfg(test)]
mod tests;

use kiln_abi::ValRaw;
use kiln_abi::component::program::ExportFuncDesc;
use kiln_abi::component::{
    AbiContext, CanonOpts, FuncSig, PtrType, TypeIndex, alternate_lookup_key,
};
use kiln_canon::instances::{self, GuestFunc, GuestRealloc};
use kiln_canon::memory::{GuestMemory, LiftCx, LowerCx, Realloc};
use kiln_canon::program::Component;
use kiln_canon::trap::{self, Trap};
use kiln_canon::value::{FlatSink, FlatSource};
use value::Value;

/// A checked call, ready once the component is instantiated.
pub struct Prepared {
    /// The export called.
    pub export: &'static ExportFuncDesc,
    /// Parameter types.
    pub params: &'static [u32],
    /// Result types.
    pub results: &'static [u32],
    /// The arguments.
    pub args: Vec<Value>,
}

fn export_name(e: &ExportFuncDesc) -> &'static str {
    // SAFETY: descriptor strings live for the process.
    let bytes = unsafe { kiln_vm::descriptor::str_bytes(e.name) };
    std::str::from_utf8(bytes).unwrap_or("")
}

/// Whether instance names `a` (asked) and `b` (exported) match: equal, or
/// on the same semver track.
fn instance_matches(asked: &str, exported: &str) -> bool {
    asked == exported
        || matches!(
            (alternate_lookup_key(asked), alternate_lookup_key(exported)),
            (Some((x, _)), Some((y, _))) if x == y
        )
}

/// `ns:pkg/iface.name@v` -> (`Some("ns:pkg/iface@v")`, `name`); no `.` ->
/// (`None` unless a package is given, `name`).
fn split_item_name(name: &str) -> (Option<String>, &str) {
    let (base, version) = match name.find('@') {
        Some(at) => (&name[..at], Some(&name[at..])),
        None => (name, None),
    };
    let after_pkg = base.find('/').map_or(0, |s| s + 1);
    match base[after_pkg..].find('.') {
        Some(dot) => {
            let dot = after_pkg + dot;
            let inst = format!("{}{}", &base[..dot], version.unwrap_or(""));
            (Some(inst), &base[dot + 1..])
        }
        None if after_pkg > 0 => (
            Some(format!("{}{}", &base[..after_pkg], version.unwrap_or(""))),
            &base[after_pkg..],
        ),
        None => (None, base),
    }
}

/// Finds the export `name` names (see the module docs).
fn find_export(component: &Component, name: &str) -> Result<&'static ExportFuncDesc, String> {
    let (instance, leaf) = split_item_name(name);
    let exports: &'static [ExportFuncDesc] = component.exports;
    let direct = exports.iter().find(|e| {
        let n = export_name(e);
        match (&instance, n.split_once('#')) {
            (None, None) => n == leaf,
            (Some(i), Some((inst, f))) => f == leaf && instance_matches(i, inst),
            _ => false,
        }
    });
    if let Some(e) = direct {
        return Ok(e);
    }
    if instance.is_some() {
        return Err(format!("No exported func named `{name}` in component."));
    }
    let found: Vec<&'static ExportFuncDesc> = exports
        .iter()
        .filter(|e| matches!(export_name(e).split_once('#'), Some((_, f)) if f == leaf))
        .collect();
    match found.as_slice() {
        [] => Err(format!("No exported func named `{leaf}` in component.")),
        [e] => Ok(e),
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|e| {
                    let inst = export_name(e).split_once('#').map_or("", |(i, _)| i);
                    match inst.split_once('@') {
                        Some((base, v)) => format!("`{base}.{leaf}@{v}`"),
                        None => format!("`{inst}.{leaf}`"),
                    }
                })
                .collect();
            Err(format!(
                "Multiple instances contained funcs named `{leaf}`, retry with a more specific name: {}",
                names.join(", ")
            ))
        }
    }
}

/// Parses `invoke`, finds the export and converts the arguments. The
/// error is the chain under the main context.
pub fn prepare(component: &Component, invoke: &str) -> Result<Prepared, Vec<String>> {
    let call = parse::parse_func_call(invoke).map_err(|e| {
        let mut chain = vec![format!(
            "Failed to parse invoke '{invoke}': See https://docs.wasmtime.dev/cli-options.html#run for syntax"
        )];
        chain.extend(e.chain());
        chain
    })?;
    let export = find_export(component, &invoke[call.name.clone()]).map_err(|e| vec![e])?;
    // SAFETY: the compiler's `CanonOpts` record of the export.
    let opts = unsafe { &*(export.opts as usize as *const CanonOpts) };
    let (params, results) = component.func_type(opts.func_type).ok_or_else(|| {
        vec![format!(
            "corrupt component descriptor: function type {}",
            opts.func_type
        )]
    })?;
    let args = value::params_from_call(component.types(), params, &call, invoke).map_err(|e| {
        let mut chain = vec![format!(
            "while interpreting parameters in invoke \"{invoke}\""
        )];
        chain.extend(e.chain());
        chain
    })?;
    Ok(Prepared {
        export,
        params,
        results,
        args,
    })
}

/// Calls the prepared export of the instantiated component and returns the
/// results line (without newline).
pub fn call(rt: &instances::ComponentRuntime, p: &Prepared) -> Result<String, Trap> {
    let component = &rt.component;
    let types = component.types();
    // SAFETY: the compiler's `CanonOpts`, filled at instantiation.
    let opts = unsafe { &*(p.export.opts as usize as *const CanonOpts) };
    let sig = types.flatten_functype(
        FuncSig {
            params: as_types(p.params),
            results: as_types(p.results),
        },
        opts.flatten_opts(),
        AbiContext::Lift,
    );
    let n_params = sig.params.as_slice().len();
    let n_results = sig.results.as_slice().len();
    let mut slots = vec![0u64; n_params.max(n_results).max(1)];
    let mut realloc = GuestRealloc::from_opts(opts);
    // SAFETY: the options' memory definition (or null), live.
    let memory = unsafe { GuestMemory::from_definition(opts.memory_def as usize as *const _) };
    {
        let realloc = realloc.as_mut().map(|r| r as &mut dyn Realloc);
        // With the instance: `realloc` runs with `may_leave` cleared (one
        // that calls an import or `resource.new` traps, as in Wasmtime).
        let mut instance = rt.instance(opts.component_instance);
        let mut cx = LowerCx::new(memory, realloc, opts.encoding(), Some(&mut instance));
        lower_params(&mut cx, types, p, sig.params_in_memory, &mut slots)?;
    }
    let func = GuestFunc {
        instance: *rt
            .core
            .get(p.export.func.instance as usize)
            .ok_or_else(|| trap::trap("corrupt component descriptor: export instance"))?,
        func: p.export.func.index,
    };
    let mut raw: Vec<ValRaw> = slots.iter().map(|s| to_raw(*s)).collect();
    if opts.is_async() {
        let results = p.results;
        // The values are lifted during `task.return` (the guest may free
        // what they point to right after it).
        // SAFETY: as below; the async lift returns its callback code.
        return unsafe {
            kiln_canon::p3::run::call_async_export(rt, opts, func, &mut raw, move |rt, flat| {
                lift_async_results(rt.component.types(), results, opts, flat)
            })
        };
    }
    if opts.is_async_type() {
        // SAFETY: as below.
        unsafe { kiln_canon::p3::run::call_sync_export(rt, opts, func, &mut raw)? };
    } else {
        // SAFETY: the lifted core function has the signature `sig`; `raw`
        // is sized for its parameters and results.
        unsafe { func.call(&mut raw)? };
    }
    let results: Vec<u64> = raw.iter().map(from_raw).collect();
    // SAFETY: as above; the guest is not running while the view is used.
    let memory = unsafe { GuestMemory::from_definition(opts.memory_def as usize as *const _) };
    // SAFETY: no guest code runs while `bytes` is alive.
    let bytes = unsafe { memory.bytes() };
    let mut cx = LiftCx::new(bytes, opts.encoding(), None);
    let values = if sig.results_in_memory {
        let ptr = results[0] as u32;
        let (align, size) = (
            types.fields_alignment(as_types(p.results).iter().copied(), PtrType::I32),
            types.fields_size(as_types(p.results).iter().copied(), PtrType::I32),
        );
        kiln_canon::call::check_tuple_ptr(memory, ptr, align, size)?;
        let offsets = types.field_offsets(as_types(p.results).iter().copied(), PtrType::I32);
        offsets
            .map(|(t, off)| abi::load(&mut cx, types, t, ptr + off))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        let mut src = FlatSource::new(&results);
        as_types(p.results)
            .iter()
            .map(|t| abi::lift_flat(&mut cx, types, *t, &mut src))
            .collect::<Result<Vec<_>, _>>()?
    };
    if opts.post_return_func != 0 {
        let mut raw: Vec<ValRaw> = results
            .iter()
            .take(n_results.max(1))
            .map(|s| to_raw(*s))
            .collect();
        // SAFETY: a lifted export's record; post-return takes the flat
        // results.
        unsafe { instances::call_post_return(opts, &mut raw)? };
    }
    Ok(print::results(types, p.results, &values))
}

/// The results line of an async export from the flat values its task gave
/// `task.return`: in them, or (more than `MAX_FLAT_PARAMS`, the limit of
/// `task.return`'s parameters) at the address that is the one value.
fn lift_async_results(
    types: kiln_abi::component::TypeTable<'_>,
    results: &[u32],
    opts: &CanonOpts,
    flat: &[u64],
) -> Result<String, Trap> {
    let tys = as_types(results);
    let n_flat = types.flatten_types(tys, PtrType::I32).len();
    // SAFETY: the options' memory definition (or null), live.
    let memory = unsafe { GuestMemory::from_definition(opts.memory_def as usize as *const _) };
    // SAFETY: no guest code runs while `bytes` is alive.
    let bytes = unsafe { memory.bytes() };
    let mut cx = LiftCx::new(bytes, opts.encoding(), None);
    let values = if n_flat > kiln_abi::component::MAX_FLAT_PARAMS as u64 {
        let ptr = flat.first().copied().unwrap_or(0) as u32;
        let align = types.fields_alignment(tys.iter().copied(), PtrType::I32);
        let size = types.fields_size(tys.iter().copied(), PtrType::I32);
        kiln_canon::call::check_tuple_ptr(memory, ptr, align, size)?;
        types
            .field_offsets(tys.iter().copied(), PtrType::I32)
            .map(|(t, off)| abi::load(&mut cx, types, t, ptr + off))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        let mut src = FlatSource::new(flat);
        tys.iter()
            .map(|t| abi::lift_flat(&mut cx, types, *t, &mut src))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(print::results(types, results, &values))
}

/// The parameters as flat slots, or as a `realloc`ed tuple whose address
/// is the one slot.
fn lower_params(
    cx: &mut LowerCx<'_>,
    types: kiln_abi::component::TypeTable<'_>,
    p: &Prepared,
    in_memory: bool,
    slots: &mut [u64],
) -> Result<(), Trap> {
    let tys = as_types(p.params);
    if in_memory {
        let align = types.fields_alignment(tys.iter().copied(), PtrType::I32);
        let size = types.fields_size(tys.iter().copied(), PtrType::I32);
        let ptr = cx.realloc(0, 0, align, size)?;
        let offsets = types.field_offsets(tys.iter().copied(), PtrType::I32);
        for ((t, off), v) in offsets.zip(&p.args) {
            abi::store(cx, types, t, v, ptr + off)?;
        }
        slots[0] = u64::from(ptr);
        return Ok(());
    }
    let mut sink = FlatSink::new(slots);
    for (t, v) in tys.iter().zip(&p.args) {
        abi::lower_flat(cx, types, *t, v, &mut sink)?;
    }
    Ok(())
}

fn as_types(ts: &[u32]) -> &[TypeIndex] {
    // SAFETY: `TypeIndex` is `repr(transparent)` over `u32`.
    unsafe { std::slice::from_raw_parts(ts.as_ptr().cast::<TypeIndex>(), ts.len()) }
}

fn to_raw(v: u64) -> ValRaw {
    let mut r = ValRaw::default();
    r.0[..8].copy_from_slice(&v.to_le_bytes());
    r
}

fn from_raw(r: &ValRaw) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&r.0[..8]);
    u64::from_le_bytes(b)
}
