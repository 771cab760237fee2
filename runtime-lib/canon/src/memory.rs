//! Guest memory for lifting and lowering: [`GuestMemory`] (a raw
//! (base, length) view of one linear memory), the [`Realloc`] abstraction
//! over the guest's `realloc` option, and the two contexts that carry them
//! through a lift ([`LiftCx`]) or a lower ([`LowerCx`]).
//!
//! Bounds: every access goes through a checked accessor; the checks that
//! the spec makes with a trap (string, list, tuple pointers; `realloc`
//! results) are made by the callers with their own messages, and the
//! accessors' own checks only guard against bugs.
//!
//! Lifetimes: a [`LiftCx`] lends out `&'m [u8]` views of guest memory
//! (zero-copy `GuestStr`/`GuestBytes`). They stay valid until the guest runs
//! again, which for a host call means until the first `realloc` of the
//! result lowering: a host function must not keep them past its return.

use super::call::{InstanceAccess, InstanceState, with_instance};
use super::trap::{self, Trap};
use kiln_abi::component::{INSTANCE_FLAG_MAY_LEAVE, StringEncoding};
use kiln_abi::vmctx::VMMemoryDefinition;

/// A view of a linear memory: base address and current length in bytes.
#[derive(Copy, Clone, Debug)]
pub struct GuestMemory {
    base: *mut u8,
    len: usize,
}

impl GuestMemory {
    /// A view of the `len` bytes at `base`.
    ///
    /// # Safety
    /// `base..base + len` must be a live, writable allocation for as long as
    /// the view (or anything lifted through it) is used, and nothing else may
    /// hold a Rust reference into it meanwhile. `base` may be null only with
    /// `len == 0`.
    pub unsafe fn new(base: *mut u8, len: usize) -> GuestMemory {
        GuestMemory { base, len }
    }

    /// The current view of the memory that `def` describes (what
    /// `CanonOpts::memory_def` points to); empty for a null `def`.
    ///
    /// # Safety
    /// A non-null `def` must point to a live `VMMemoryDefinition` whose
    /// memory satisfies [`GuestMemory::new`]'s contract.
    pub unsafe fn from_definition(def: *const VMMemoryDefinition) -> GuestMemory {
        if def.is_null() {
            return GuestMemory::empty();
        }
        // SAFETY: guaranteed by the caller.
        unsafe { GuestMemory::new((*def).base, (*def).current_length) }
    }

    /// An empty memory (for options without `memory`).
    pub const fn empty() -> GuestMemory {
        GuestMemory {
            base: std::ptr::null_mut(),
            len: 0,
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the memory has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole memory as a slice.
    ///
    /// # Safety
    /// The caller picks `'a`: no write to the memory (by the guest, by
    /// `realloc` or a [`LowerCx`] write) may happen while the
    /// slice is alive.
    pub unsafe fn bytes<'a>(&self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: the constructor's contract makes base..base+len live; the
        // caller guarantees no concurrent writes for 'a.
        unsafe { std::slice::from_raw_parts(self.base, self.len) }
    }

    /// The whole memory as a mutable slice (for the duration of one write).
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: the constructor's contract: live, writable, not otherwise
        // referenced; the borrow of `self` bounds the slice's use.
        unsafe { std::slice::from_raw_parts_mut(self.base, self.len) }
    }

    /// Whether `ptr .. ptr + size` lies inside the memory.
    pub fn in_bounds(&self, ptr: u32, size: u64) -> bool {
        (ptr as u64)
            .checked_add(size)
            .is_some_and(|end| end <= self.len as u64)
    }
}

/// The guest's `realloc` canonical option, and the memory it allocates in.
///
/// Implementations call the core function `(old_ptr, old_size, align,
/// new_size) -> ptr` (in compiled code: through its `VMFuncRef`, catching
/// traps); [`LowerCx`] checks the returned pointer's alignment and bounds.
pub trait Realloc {
    /// Calls `realloc(old_ptr, old_size, align, new_size)`.
    fn realloc(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> Result<u32, Trap>;

    /// The memory as it is now (`realloc` may have grown it).
    fn memory(&self) -> GuestMemory;
}

/// State of one lift: the memory (read-only), the string encoding, and the
/// component instance whose handles `own`/`borrow` values name.
pub struct LiftCx<'m, 'i> {
    mem: &'m [u8],
    encoding: StringEncoding,
    inst: Option<&'i mut InstanceState>,
}

impl<'m, 'i> LiftCx<'m, 'i> {
    /// A context reading `mem` with `encoding`; `inst` is needed only to
    /// lift handles.
    pub fn new(
        mem: &'m [u8],
        encoding: StringEncoding,
        inst: Option<&'i mut InstanceState>,
    ) -> LiftCx<'m, 'i> {
        LiftCx {
            mem,
            encoding,
            inst,
        }
    }

    /// The whole memory.
    pub fn memory(&self) -> &'m [u8] {
        self.mem
    }

    /// The `string-encoding` option.
    pub fn encoding(&self) -> StringEncoding {
        self.encoding
    }

    /// The component instance, for handle operations.
    pub fn instance(&mut self) -> Result<&mut InstanceState, Trap> {
        self.inst.as_deref_mut().ok_or_else(trap::no_instance)
    }

    /// `N` bytes at `ptr` (inside a range the caller checked).
    pub fn read<const N: usize>(&self, ptr: u32) -> Result<[u8; N], Trap> {
        let start = ptr as usize;
        self.mem
            .get(start..start.saturating_add(N))
            .and_then(|b| b.try_into().ok())
            .ok_or_else(trap::pointer_out_of_bounds)
    }

    /// `len` bytes at `ptr`, or `err` if they are not all inside memory.
    pub fn slice(&self, ptr: u32, len: u64, err: fn() -> Trap) -> Result<&'m [u8], Trap> {
        let start = ptr as usize;
        let len = usize::try_from(len).map_err(|_| err())?;
        let mem: &'m [u8] = self.mem;
        mem.get(start..start.checked_add(len).ok_or_else(err)?)
            .ok_or_else(err)
    }
}

/// State of one lower: the memory (refreshed after every `realloc`), the
/// `realloc` option, the string encoding, and the component instance that
/// receives handles. The instance is an [`InstanceAccess`], borrowed per
/// handle operation: `realloc` runs guest code, during which no borrow of
/// it may be alive (the re-entrancy rule in `super::runtime`).
pub struct LowerCx<'i> {
    mem: GuestMemory,
    realloc: Option<&'i mut dyn Realloc>,
    encoding: StringEncoding,
    inst: Option<&'i mut dyn InstanceAccess>,
}

impl<'i> LowerCx<'i> {
    /// A context writing into `mem` (the current view; with a `realloc`,
    /// later views come from [`Realloc::memory`]).
    pub fn new(
        mem: GuestMemory,
        realloc: Option<&'i mut dyn Realloc>,
        encoding: StringEncoding,
        inst: Option<&'i mut dyn InstanceAccess>,
    ) -> LowerCx<'i> {
        LowerCx {
            mem,
            realloc,
            encoding,
            inst,
        }
    }

    /// The `string-encoding` option.
    pub fn encoding(&self) -> StringEncoding {
        self.encoding
    }

    /// The current memory view.
    pub fn memory(&self) -> GuestMemory {
        self.mem
    }

    /// Runs handle operation `f` on the component instance.
    pub fn with_instance<T>(
        &mut self,
        f: impl FnOnce(&mut InstanceState) -> Result<T, Trap>,
    ) -> Result<T, Trap> {
        let inst = self.inst.as_deref_mut().ok_or_else(trap::no_instance)?;
        with_instance(inst, f)
    }

    /// Calls the guest's `realloc` with `may_leave` cleared (a `realloc` that
    /// calls an import traps) and the instance state not borrowed,
    /// refreshes the memory view, and applies the spec's checks on the
    /// result: aligned to `align`, and `new_size` bytes inside memory.
    pub fn realloc(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> Result<u32, Trap> {
        let realloc = self.realloc.as_deref_mut().ok_or_else(trap::no_realloc)?;
        let saved = match self.inst.as_deref_mut() {
            Some(inst) => Some(with_instance(inst, |i| {
                let saved = i.flags();
                i.set_flags(saved & !INSTANCE_FLAG_MAY_LEAVE);
                Ok(saved)
            })?),
            None => None,
        };
        let result = realloc.realloc(old_ptr, old_size, align, new_size);
        self.mem = realloc.memory();
        let restored = match (self.inst.as_deref_mut(), saved) {
            (Some(inst), Some(flags)) => with_instance(inst, |i| {
                i.set_flags(flags);
                Ok(())
            }),
            _ => Ok(()),
        };
        let ptr = result?;
        restored?;
        if !ptr.is_multiple_of(align.max(1)) {
            return Err(trap::realloc_unaligned());
        }
        if !self.mem.in_bounds(ptr, u64::from(new_size)) {
            return Err(trap::realloc_out_of_bounds());
        }
        Ok(ptr)
    }

    /// `len` bytes at `ptr` to write into (inside a range the caller
    /// checked).
    pub fn slice_mut(&mut self, ptr: u32, len: usize) -> Result<&mut [u8], Trap> {
        let start = ptr as usize;
        let end = start
            .checked_add(len)
            .ok_or_else(trap::pointer_out_of_bounds)?;
        self.mem
            .bytes_mut()
            .get_mut(start..end)
            .ok_or_else(trap::pointer_out_of_bounds)
    }

    /// Writes `bytes` at `ptr` (inside a range the caller checked).
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Trap> {
        self.slice_mut(ptr, bytes.len())?.copy_from_slice(bytes);
        Ok(())
    }
}
