//! Tags: the descriptor's tag records and the per-instance [`VMTag`]s that
//! give defined tags their identity.
//!
//! Phase: instance setup. Inputs: the module descriptor (tags, types) and a
//! freshly laid-out `VMContext`. Output: every defined tag's slot
//! (`VMOffsets::tag`) points at a new [`VMTag`]; imported tags' slots are
//! filled by whoever links the import (the exporter's `VMTag` address).
//!
//! Tag objects are leaked: one small record per defined tag per instance,
//! and an exception object may name its tag after the instance is gone.

use crate::descriptor::{Module, slice};
use kiln_abi::exceptions::{CallSiteDesc, HandlerDesc, TagDesc, VMTag};
use kiln_abi::vmctx::VMOffsets;

/// The module's tags (imports first).
pub fn module_tags(module: &Module) -> &'static [TagDesc] {
    // SAFETY: the descriptor's arrays live for the process (Module::new's
    // contract); a zero count gives an empty slice.
    unsafe { slice(module.desc.tags, module.desc.num_tags.into()) }
}

/// The call sites with handlers of function `func`, sorted by return offset.
pub fn call_sites(module: &Module, func: u32) -> &'static [CallSiteDesc] {
    match module.funcs.get(func as usize) {
        // SAFETY: as in `module_tags`.
        Some(f) => unsafe { slice(f.call_sites.get(), f.num_call_sites.into()) },
        None => &[],
    }
}

/// The handler array of function `func`.
pub fn handlers(module: &Module, func: u32) -> &'static [HandlerDesc] {
    match module.funcs.get(func as usize) {
        // SAFETY: as in `module_tags`.
        Some(f) => unsafe { slice(f.handlers.get(), f.num_handlers.into()) },
        None => &[],
    }
}

/// A new, leaked [`VMTag`] for a tag of function type `type_index`.
pub fn new_tag(module: &Module, type_index: u32) -> Result<*const VMTag, String> {
    let ty = module.func_type(type_index).ok_or_else(|| {
        format!("corrupt module descriptor: tag type index {type_index} out of range")
    })?;
    let tag = VMTag {
        type_id: crate::typeids::intern(ty.params, ty.results),
        num_values: ty.params.len() as u32,
    };
    Ok(Box::leak(Box::new(tag)))
}

/// Points every defined tag's slot of `vmctx` at a new [`VMTag`].
///
/// # Safety
/// `vmctx` is a `VMContext` of `module` laid out by `offsets`.
pub unsafe fn init_defined_tags(
    module: &Module,
    offsets: &VMOffsets,
    vmctx: *mut u8,
) -> Result<(), String> {
    let tags = module_tags(module);
    let imported = module.desc.num_imported_tags as usize;
    for (i, t) in tags.iter().enumerate().skip(imported) {
        let tag = new_tag(module, t.type_index)?;
        // SAFETY: the slot lies inside the context (guaranteed by the
        // caller's layout).
        unsafe {
            vmctx
                .add(offsets.tag(i as u32) as usize)
                .cast::<*const VMTag>()
                .write(tag)
        };
    }
    Ok(())
}

/// The [`VMTag`] in tag slot `index` of `vmctx` (null if out of range).
///
/// # Safety
/// `vmctx` is a live `VMContext` of `module`.
pub unsafe fn tag_of(module: &Module, vmctx: *const u8, index: u32) -> *const VMTag {
    if index >= module.desc.num_tags {
        return std::ptr::null();
    }
    let offsets = module.vm_offsets();
    // SAFETY: the slot lies inside the live context.
    unsafe {
        vmctx
            .add(offsets.tag(index) as usize)
            .cast::<*const VMTag>()
            .read()
    }
}
