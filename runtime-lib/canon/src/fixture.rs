//! A Vec-backed guest memory with a recording bump allocator
//! ([`TestMemory`]): the canonical ABI tested without compiled code, here
//! and in the crates above (feature `fixture`; never in a shipped runtime).

use crate::abi::align_to;
use crate::{GuestMemory, InstanceState, Realloc, Trap};

/// One `realloc(old_ptr, old_size, align, new_size)` call.
pub type Call = (u32, u32, u32, u32);

/// What the test allocator returns.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Mode {
    /// A correct bump allocation (copying the old block when moving).
    Bump,
    /// This pointer, whatever was asked.
    Fixed(u32),
    /// A trap.
    Trap,
}

/// A linear memory of fixed size with a bump allocator that records its
/// calls. The buffer is only ever accessed through `base`.
pub struct TestMemory {
    _buf: Vec<u8>,
    base: *mut u8,
    len: usize,
    pub bump: u32,
    pub calls: Vec<Call>,
    pub mode: Mode,
    /// The instance flags seen during each call (when an instance is
    /// attached through `flags_probe`).
    pub flags_seen: Vec<u32>,
    pub flags_probe: Option<*const InstanceState>,
}

impl TestMemory {
    pub fn new(len: usize) -> TestMemory {
        let mut buf = vec![0u8; len];
        let base = buf.as_mut_ptr();
        TestMemory {
            _buf: buf,
            base,
            len,
            bump: 16,
            calls: Vec::new(),
            mode: Mode::Bump,
            flags_seen: Vec::new(),
            flags_probe: None,
        }
    }

    pub fn view(&self) -> GuestMemory {
        // SAFETY: `base` is this struct's live buffer of `len` bytes.
        unsafe { GuestMemory::new(self.base, self.len) }
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: as above; tests do not write while reading.
        unsafe { self.view().bytes() }
    }

    pub fn write(&mut self, at: u32, data: &[u8]) {
        // SAFETY: as above; bounds checked by the slice copy.
        let all = unsafe { std::slice::from_raw_parts_mut(self.base, self.len) };
        all[at as usize..at as usize + data.len()].copy_from_slice(data);
    }

    pub fn u32_at(&self, at: u32) -> u32 {
        let b = &self.bytes()[at as usize..at as usize + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl Realloc for TestMemory {
    fn realloc(&mut self, old: u32, old_size: u32, align: u32, new_size: u32) -> Result<u32, Trap> {
        self.calls.push((old, old_size, align, new_size));
        if let Some(inst) = self.flags_probe {
            // SAFETY: tests keep the probed instance alive for the call.
            self.flags_seen.push(unsafe { (*inst).flags() });
        }
        match self.mode {
            Mode::Fixed(p) => Ok(p),
            Mode::Trap => Err(crate::trap::trap("realloc trapped")),
            Mode::Bump => {
                let ptr = align_to(self.bump, align);
                self.bump = ptr + new_size;
                if old != 0 {
                    let n = old_size.min(new_size) as usize;
                    // SAFETY: both ranges are inside the buffer (test sizes).
                    unsafe {
                        std::ptr::copy(self.base.add(old as usize), self.base.add(ptr as usize), n)
                    };
                }
                Ok(ptr)
            }
        }
    }

    fn memory(&self) -> GuestMemory {
        self.view()
    }
}

/// The bytes the canonical ABI stores for `v` (UTF-8 strings), for tests
/// that check bytes a host lays out by hand against the real layout.
pub fn stored<T: crate::Lower + crate::ComponentType>(v: &T) -> Vec<u8> {
    let mut mem = TestMemory::new(256);
    let view = mem.view();
    let mut cx = crate::LowerCx::new(
        view,
        Some(&mut mem),
        kiln_abi::component::StringEncoding::Utf8,
        None,
    );
    v.store(&mut cx, 64)
        .expect("the value fits the test memory");
    mem.bytes()[64..64 + T::SIZE32 as usize].to_vec()
}
