//! Per-function exception handler tables from Cranelift's call-site records,
//! and their descriptor arrays; the module's tag array.
//!
//! Phase 3 ([`call_site_table`] runs in the driver, `crate::pipeline`,
//! right after Cranelift, so the table travels with the compiled code).
//! Input: a compiled function's `MachBufferFinalized` (each
//! `try_call` is a call site with exception handlers, a frame offset and the
//! location of the dynamic context, the frame's `vmctx`), the
//! [`ModuleInfo`] tags. Output: [`CallSiteEntry`] lists (sorted by return
//! offset) and the `kiln_abi::exceptions` records in the descriptor.
//! Invariant: a call site with handlers has a frame offset, and its context
//! (if any) lives in the frame; anything else is a Kiln bug, reported as
//! [`CompileError::Codegen`].

use super::data::{DataBuilder, DataObjects, Target};
use super::symbols::DataKey;
use crate::CompileError;
use crate::module::ModuleInfo;
use core::mem::{offset_of, size_of};
use cranelift_codegen::{
    ExceptionContextLoc, Final, FinalizedMachExceptionHandler, MachBufferFinalized,
};
use kiln_abi::descriptor::FuncDesc;
use kiln_abi::exceptions::{CATCH_ALL, CallSiteDesc, HandlerDesc, NO_CONTEXT, TagDesc};

/// The descriptor arrays of this file.
pub const CALL_SITES: DataKey = DataKey::Part("call_sites");
/// Handlers referred to by [`CALL_SITES`].
pub const HANDLERS: DataKey = DataKey::Part("handlers");
/// `[TagDesc; num_tags]`.
pub const TAGS: DataKey = DataKey::Part("tags");

/// One call site with exception handlers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSiteEntry {
    /// Return address offset from the function start.
    pub ret_offset: u32,
    /// Frame pointer minus stack pointer at the call.
    pub frame_offset: u32,
    /// Stack-pointer offset of the stored `vmctx`, or [`NO_CONTEXT`].
    pub context_offset: u32,
    /// (tag index or [`CATCH_ALL`], handler offset), in matching order.
    pub handlers: Vec<(u32, u32)>,
}

/// The call sites with handlers of function `func`, sorted by return offset.
pub fn call_site_table(
    func: u32,
    buffer: &MachBufferFinalized<Final>,
) -> Result<Vec<CallSiteEntry>, CompileError> {
    let bug = |message: String| CompileError::Codegen { func, message };
    let mut out = Vec::new();
    for site in buffer.call_sites() {
        if site.exception_handlers.is_empty() {
            continue;
        }
        let frame_offset = site.frame_offset.ok_or_else(|| {
            bug(format!(
                "try_call at {:#x} has no frame offset",
                site.ret_addr
            ))
        })?;
        let mut context_offset = NO_CONTEXT;
        let mut handlers = Vec::new();
        for h in site.exception_handlers {
            match *h {
                FinalizedMachExceptionHandler::Tag(tag, offset) => {
                    handlers.push((tag.as_u32(), offset));
                }
                FinalizedMachExceptionHandler::Default(offset) => {
                    handlers.push((CATCH_ALL, offset));
                }
                FinalizedMachExceptionHandler::Context(ExceptionContextLoc::SPOffset(o)) => {
                    context_offset = o;
                }
                FinalizedMachExceptionHandler::Context(ExceptionContextLoc::GPR(r)) => {
                    return Err(bug(format!(
                        "try_call at {:#x} keeps its exception context in register {r}",
                        site.ret_addr
                    )));
                }
            }
        }
        out.push(CallSiteEntry {
            ret_offset: site.ret_addr,
            frame_offset,
            context_offset,
            handlers,
        });
    }
    out.sort_by_key(|s| s.ret_offset);
    Ok(out)
}

/// Writes the call sites of one function (record `r` in `out`, the
/// `FuncDesc` array) into the shared call-site and handler arrays.
pub fn emit_func_call_sites(
    sites: &[CallSiteEntry],
    out: &mut DataBuilder,
    r: u32,
    call_sites: &mut DataBuilder,
    handlers: &mut DataBuilder,
) {
    if sites.is_empty() {
        return;
    }
    let site_start = call_sites.len() as u64;
    let handler_start = handlers.len() as u64;
    let mut handler_count = 0u32;
    for s in sites {
        let c = call_sites.append_zeroed(size_of::<CallSiteDesc>());
        let at = |f: usize| c + f as u32;
        call_sites.put_u32(at(offset_of!(CallSiteDesc, ret_offset)), s.ret_offset);
        call_sites.put_u32(at(offset_of!(CallSiteDesc, frame_offset)), s.frame_offset);
        call_sites.put_u32(
            at(offset_of!(CallSiteDesc, context_offset)),
            s.context_offset,
        );
        call_sites.put_u32(at(offset_of!(CallSiteDesc, first_handler)), handler_count);
        call_sites.put_u32(
            at(offset_of!(CallSiteDesc, num_handlers)),
            s.handlers.len() as u32,
        );
        for (tag, offset) in &s.handlers {
            let h = handlers.append_zeroed(size_of::<HandlerDesc>());
            handlers.put_u32(h + offset_of!(HandlerDesc, tag) as u32, *tag);
            handlers.put_u32(h + offset_of!(HandlerDesc, offset) as u32, *offset);
            handler_count += 1;
        }
    }
    let field = |f: usize| r + f as u32;
    out.put_rel(
        field(offset_of!(FuncDesc, call_sites)),
        Target::Data(CALL_SITES),
        site_start,
    );
    out.put_rel(
        field(offset_of!(FuncDesc, handlers)),
        Target::Data(HANDLERS),
        handler_start,
    );
    out.put_u32(
        field(offset_of!(FuncDesc, num_call_sites)),
        sites.len() as u32,
    );
    out.put_u32(field(offset_of!(FuncDesc, num_handlers)), handler_count);
}

/// Writes the tag array; returns whether there is one.
pub fn emit_tags(info: &ModuleInfo, objects: &mut DataObjects) -> bool {
    if info.tags.is_empty() {
        return false;
    }
    let mut out = DataBuilder::new(8);
    for t in info.tags.values() {
        let r = out.append_zeroed(size_of::<TagDesc>());
        out.put_u32(
            r + offset_of!(TagDesc, type_index) as u32,
            t.type_index.as_u32(),
        );
    }
    objects.insert(TAGS, out);
    true
}
