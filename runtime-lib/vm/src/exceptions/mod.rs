//! Wasm exceptions at run time: tag objects, exception objects and the
//! unwinder behind `throw` / `throw_ref`.
//!
//! Phase: instance setup ([`tags`]: one [`VMTag`] per defined tag) and while
//! the guest runs ([`exn_alloc`], [`throw_ref`], called as libcalls).
//! Inputs: the `VMContext` tag slots and the per-function call-site handler
//! tables of the descriptor (`kiln_abi::exceptions`). Output: control
//! resumes at the matching handler of the innermost wasm frame that catches
//! the exception; an exception nothing catches ends the guest like Wasmtime
//! ends it (see [`unwind`]).
//!
//! Lifetime: exception objects live in a per-thread heap ([`heap`]) whose
//! collector frees them once no `exnref` can reach them, so a program that
//! throws and catches in a loop runs in flat memory.

pub mod heap;
pub mod tags;
pub mod unwind;

use kiln_abi::exceptions::{EXCEPTION_VALUES_OFFSET, VMException, VMTag};

/// `exn_alloc`: a zeroed exception object of `tag` with `num_values`
/// slots. Compiled code stores the values right after.
///
/// # Safety
/// `tag` is the address of a live [`VMTag`].
pub unsafe fn exn_alloc(_vmctx: *mut u8, tag: *mut u8, num_values: i32) -> *mut u8 {
    let n = num_values.max(0) as usize;
    let size = EXCEPTION_VALUES_OFFSET as usize + n * kiln_abi::VAL_RAW_SIZE as usize;
    let p = heap::alloc(size);
    // SAFETY: `p` is a fresh, suitably aligned allocation of at least the
    // header's size.
    unsafe {
        p.cast::<VMException>().write(VMException {
            tag: tag.cast::<VMTag>().cast_const(),
            num_values: n as u32,
            _pad: 0,
        })
    };
    p
}

/// `throw_ref` of a non-null exception (compiled code traps on null) from
/// the wasm frame whose frame pointer is `fp`: unwinds to the handler, never
/// returns.
///
/// # Safety
/// Called by compiled code with its own frame pointer and a live exception
/// object.
pub unsafe fn throw_ref(_vmctx: *mut u8, exn: *mut u8, fp: *mut u8) {
    // SAFETY: forwarded.
    unsafe { unwind::throw(exn.cast::<VMException>(), fp as usize) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_objects_have_the_abi_layout() {
        let tag = VMTag {
            type_id: 1,
            num_values: 3,
        };
        let tag_ptr = (&raw const tag).cast_mut().cast::<u8>();
        // SAFETY: a live tag; the object is only read here.
        let exn = unsafe { exn_alloc(std::ptr::null_mut(), tag_ptr, 3) };
        assert_eq!(exn as usize % 16, 0);
        // SAFETY: `exn_alloc` returned a header plus three zeroed slots.
        unsafe {
            let header = &*exn.cast::<VMException>();
            assert_eq!(header.tag, &raw const tag);
            assert_eq!(header.num_values, 3);
            let values = std::slice::from_raw_parts(exn.add(EXCEPTION_VALUES_OFFSET as usize), 48);
            assert!(values.iter().all(|b| *b == 0));
        }
    }

    #[test]
    fn no_handler_without_wasm_frames() {
        let tag = VMTag {
            type_id: 1,
            num_values: 0,
        };
        // SAFETY: as above.
        let exn = unsafe { exn_alloc(std::ptr::null_mut(), (&raw const tag).cast_mut().cast(), 0) };
        // A null or misaligned frame pointer ends the walk at once.
        // SAFETY: the walk reads nothing through these.
        unsafe {
            assert_eq!(unwind::find_handler(exn.cast(), 0), None);
            assert_eq!(unwind::find_handler(exn.cast(), 3), None);
        }
    }
}
