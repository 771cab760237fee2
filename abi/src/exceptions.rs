//! Exception handling (the wasm exception-handling proposal): tag identity,
//! the exception object compiled code reads and writes, and the per-call-site
//! handler tables the runtime's unwinder searches.
//!
//! - **Tags.** A tag's identity is the address of a [`VMTag`]: the runtime
//!   allocates one per defined tag per instance; an imported tag's slot holds
//!   the exporter's address. Every tag (imports first) has a pointer slot in
//!   the `VMContext` ([`crate::vmctx::VMOffsets::tag`]).
//! - **Exception objects** (`exnref` values point at them, null is `0`):
//!   [`VMException`] followed by `num_values` [`crate::ValRaw`] slots holding
//!   the tag's parameters. They are allocated by the `exn_alloc` libcall and
//!   never freed (Kiln has no GC; see the runtime's `exceptions` module).
//! - **Handler tables.** Every `try_call` (a call inside a `try_table`) gets
//!   a [`CallSiteDesc`] in its function's descriptor
//!   ([`crate::descriptor::FuncDesc::call_sites`]), listing its
//!   [`HandlerDesc`]s in the order they are tried (innermost `try_table`
//!   first, clauses in order; the first match wins).
//!
//! On a throw the runtime walks wasm frames by frame pointer; for a frame
//! stopped at call site `s` it reads the frame's `vmctx` at
//! `fp - s.frame_offset + s.context_offset`, compares the thrown tag with
//! `*(vmctx + tag(h.tag))` for each handler `h`, and resumes at the first
//! match with `sp = fp - frame_offset`, the frame's `fp`, and the exception
//! pointer in the first exception payload register (x86_64: `rax`).
//! Compiled handlers assume every register is clobbered, so nothing else
//! needs restoring.

/// A tag's runtime identity.
#[repr(C)]
#[derive(Debug)]
pub struct VMTag {
    /// Runtime-interned signature id of the tag's function type (for import
    /// type checks).
    pub type_id: u32,
    /// Number of parameters (values an exception of this tag carries).
    pub num_values: u32,
}

/// Header of an exception object; the values follow at
/// [`EXCEPTION_VALUES_OFFSET`], one [`crate::ValRaw`] (16 bytes) each.
#[repr(C)]
#[derive(Debug)]
pub struct VMException {
    /// The thrown tag.
    pub tag: *const VMTag,
    /// Number of values.
    pub num_values: u32,
    /// Padding; keep zero.
    pub _pad: u32,
}

/// Offset of [`VMException::tag`].
pub const EXCEPTION_TAG_OFFSET: u32 = 0;
/// Offset of the first value of an exception object.
pub const EXCEPTION_VALUES_OFFSET: u32 = 16;

/// The message Wasmtime prints for an exception that no handler caught.
pub const UNCAUGHT_MESSAGE: &str = "thrown Wasm exception";

/// [`HandlerDesc::tag`] of a `catch_all` / `catch_all_ref` clause.
pub const CATCH_ALL: u32 = u32::MAX;

/// [`CallSiteDesc::context_offset`] when the call site has no tag handlers
/// (only `catch_all` clauses need no `vmctx`).
pub const NO_CONTEXT: u32 = u32::MAX;

/// One call site with exception handlers.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CallSiteDesc {
    /// Offset of the return address from the function start.
    pub ret_offset: u32,
    /// Distance from the frame pointer down to the stack pointer at the call
    /// (the handler's stack pointer is `fp - frame_offset`).
    pub frame_offset: u32,
    /// Where the frame's `vmctx` is stored: offset from the stack pointer at
    /// the call, or [`NO_CONTEXT`].
    pub context_offset: u32,
    /// Index of the first handler in the function's handler array.
    pub first_handler: u32,
    /// Number of handlers.
    pub num_handlers: u32,
    /// Reserved, zero.
    pub _reserved: u32,
}

/// One handler of a call site.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct HandlerDesc {
    /// Module tag index, or [`CATCH_ALL`].
    pub tag: u32,
    /// Offset of the handler code from the function start.
    pub offset: u32,
}

/// One tag of a module (imports first).
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TagDesc {
    /// Module type index of the tag's function type.
    pub type_index: u32,
    /// Reserved, zero.
    pub _reserved: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn layouts() {
        assert_eq!(size_of::<VMTag>(), 8);
        assert_eq!(offset_of!(VMException, tag) as u32, EXCEPTION_TAG_OFFSET);
        assert_eq!(size_of::<VMException>() as u32, EXCEPTION_VALUES_OFFSET);
        assert_eq!(size_of::<CallSiteDesc>(), 24);
        assert_eq!(size_of::<HandlerDesc>(), 8);
        assert_eq!(size_of::<TagDesc>(), 8);
    }

    #[test]
    fn tag_slots_follow_the_function_references() {
        use crate::vmctx::{VMCounts, VMOffsets};
        let o = VMOffsets::new(
            8,
            VMCounts {
                funcs: 2,
                tags: 3,
                ..Default::default()
            },
        );
        assert_eq!(o.tag(0), o.func_ref(1) + VMOffsets::size_of_func_ref(8));
        assert_eq!(o.tag(2), o.tag(0) + 16);
        assert!(o.tag(2) + 8 <= o.size());
    }
}
