//! Error contexts (`error-context.new`, `.debug-message`, `.drop`, and
//! `error-context` values passed between component instances).
//!
//! Phase: run time. Inputs: the built-ins' operands and options; values of
//! type `error-context` lifted from one instance's table. Outputs: handles
//! in the instances' tables, debug messages lowered into guest memory.
//!
//! An error context is immutable once made: its debug message (the string
//! the guest gave, kept as Wasmtime 49 keeps it). It lives in
//! [`P3State::errors`] with a count of the handles naming it; each table
//! entry (`ResourceType::Async(ASYNC_ERROR)`) holds one count. Passing an
//! `error-context` value to another instance adds a handle there and a
//! count (the spec lifts without removing: the sender keeps its handle);
//! `error-context.drop` removes one handle and one count, and the context
//! is freed with its last handle. Handles share the one table with
//! resources, waitables and sets (Wasmtime 49 numbers them so too).

use super::{P3Cx, P3State, traps};
use crate::instances::GuestRealloc;
use crate::memory::{GuestMemory, LiftCx, LowerCx};
use crate::string::{load_string_from_range, store_string};
use crate::trap::{self, Trap};
use kiln_abi::component::CanonOpts;
use kiln_abi::vmctx::VMMemoryDefinition;

/// `ResourceType::Async` kind of an error context.
pub const ASYNC_ERROR: u32 = 3;

/// One error context.
#[derive(Debug)]
pub struct ErrorCtx {
    /// Its debug message.
    pub message: String,
    /// Handles naming it, in every instance's table.
    pub refs: u32,
}

impl P3Cx<'_> {
    /// The error context behind handle `h` of `instance`.
    pub fn error_at(&mut self, instance: u32, h: u32) -> Result<u32, Trap> {
        match self.instance(instance)?.async_entry(h)? {
            Some((ASYNC_ERROR, e)) => Ok(e),
            _ => Err(traps::not_error_context()),
        }
    }

    /// A new handle in `instance` naming error context `e` (one more count).
    pub fn add_error_handle(&mut self, instance: u32, e: u32) -> Result<u32, Trap> {
        let h = self.instance(instance)?.add_async(ASYNC_ERROR, e)?;
        if let Some(x) = self.p3.errors.get_mut(e) {
            x.refs += 1;
        }
        Ok(h)
    }

    /// Removes handle `h` of `instance`, freeing its context with its last
    /// handle.
    pub fn drop_error_handle(&mut self, instance: u32, h: u32) -> Result<(), Trap> {
        let e = self.error_at(instance, h)?;
        self.instance(instance)?.handles_mut().remove(h)?;
        release(self.p3, e);
        Ok(())
    }
}

/// Drops one count of error context `e`.
fn release(p3: &mut P3State, e: u32) {
    let last = p3.errors.get_mut(e).is_some_and(|x| {
        x.refs = x.refs.saturating_sub(1);
        x.refs == 0
    });
    if last {
        p3.errors.remove(e);
    }
}

/// The options' memory as it is now.
fn memory(opts: &CanonOpts) -> GuestMemory {
    // SAFETY: the options' memory definition (or null), filled at
    // instantiation and alive as long as the instance; a fresh view is
    // taken for each use, after any `realloc` that may have grown it.
    unsafe { GuestMemory::from_definition(opts.memory_def as usize as *const VMMemoryDefinition) }
}

/// `error-context.new`: a context whose debug message is the string at
/// (`ptr`, `units`) in the options' encoding; returns its handle.
pub fn new(
    rt: &crate::runtime::ComponentRuntime,
    opts: &CanonOpts,
    ptr: u32,
    units: u32,
) -> Result<u32, Trap> {
    let message = {
        let m = memory(opts);
        // SAFETY: no guest code runs while the string is read, and the
        // text is owned before this view ends; the memory is not shared
        // (component memories never are).
        let bytes = unsafe { m.bytes() };
        let cx = LiftCx::new(bytes, opts.encoding(), None);
        load_string_from_range(&cx, ptr, units)?.into_owned()
    };
    let inst = opts.component_instance;
    rt.with_p3(|cx| {
        let e = cx.p3.errors.insert(ErrorCtx { message, refs: 0 });
        cx.add_error_handle(inst, e).inspect_err(|_| {
            cx.p3.errors.remove(e);
        })
    })
}

/// `error-context.debug-message`: stores the debug message of handle `h`
/// as a string (pointer, length) at `retptr`, allocated with the options'
/// `realloc` in their encoding.
pub fn debug_message(
    rt: &crate::runtime::ComponentRuntime,
    opts: &CanonOpts,
    h: u32,
    retptr: u32,
) -> Result<(), Trap> {
    let inst = opts.component_instance;
    let text = rt.with_p3(|cx| {
        let e = cx.error_at(inst, h)?;
        Ok(cx
            .p3
            .errors
            .get(e)
            .map(|x| x.message.clone())
            .unwrap_or_default())
    })?;
    // Wasmtime checks the destination before it allocates.
    if !memory(opts).in_bounds(retptr, 8) {
        return Err(trap::trap("invalid debug message pointer: out of bounds"));
    }
    // The state is released: `realloc` runs guest code.
    let mut realloc = GuestRealloc::from_opts(opts).ok_or_else(trap::no_realloc)?;
    // With the instance, so that `realloc` runs with `may_leave` cleared:
    // one that calls an import or `resource.new` traps, as in Wasmtime.
    let mut instance = rt.instance(inst);
    let mut cx = LowerCx::new(
        memory(opts),
        Some(&mut realloc),
        opts.encoding(),
        Some(&mut instance),
    );
    let (p, units) = store_string(&mut cx, &text)?;
    let mut pair = [0u8; 8];
    pair[..4].copy_from_slice(&p.to_le_bytes());
    pair[4..].copy_from_slice(&units.to_le_bytes());
    let mut m = memory(opts);
    if !m.in_bounds(retptr, 8) {
        return Err(trap::trap("invalid debug message pointer: out of bounds"));
    }
    m.bytes_mut()[retptr as usize..retptr as usize + 8].copy_from_slice(&pair);
    Ok(())
}
