//! Unit tests of the canonical-ABI machinery, against a Vec-backed memory
//! with a recording bump allocator ([`TestMemory`]).

mod call;
mod compound;
mod handles;
mod lists;
mod scalars;
mod strings;

use super::abi::{PtrType, StringEncoding, TypeTableBuilder, align_to};
use super::{
    ComponentType, FlatSink, FlatSource, GuestMemory, InstanceAccess, InstanceState, Lift, LiftCx,
    Lower, LowerCx, Realloc, Trap,
};

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
            Mode::Trap => Err(super::trap::trap("realloc trapped")),
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

/// Lowers `v` flat with `enc` (and an instance for handles).
pub fn lower_flat<T: Lower + ?Sized>(
    mem: &mut TestMemory,
    enc: StringEncoding,
    inst: Option<&mut InstanceState>,
    v: &T,
) -> Result<Vec<u64>, Trap> {
    let mut slots = vec![0xdead_beef_dead_beef; T::FLAT];
    let view = mem.view();
    let inst = inst.map(|i| i as &mut dyn InstanceAccess);
    let mut cx = LowerCx::new(view, Some(mem), enc, inst);
    let mut sink = FlatSink::new(&mut slots);
    v.lower_flat(&mut cx, &mut sink)?;
    assert_eq!(sink.position(), T::FLAT, "lower_flat wrote FLAT slots");
    Ok(slots)
}

/// Lifts a `T` from `slots` with `enc`.
pub fn lift_flat<'m, T: Lift<'m>>(
    bytes: &'m [u8],
    enc: StringEncoding,
    inst: Option<&mut InstanceState>,
    slots: &[u64],
) -> Result<T, Trap> {
    let mut cx = LiftCx::new(bytes, enc, inst);
    let mut src = FlatSource::new(slots);
    let v = T::lift_flat(&mut cx, &mut src)?;
    assert_eq!(src.position(), T::FLAT, "lift_flat read FLAT slots");
    Ok(v)
}

/// Stores `v` at a fresh aligned address (not through `realloc`) and
/// returns the address.
pub fn store<T: Lower + ?Sized>(
    mem: &mut TestMemory,
    enc: StringEncoding,
    inst: Option<&mut InstanceState>,
    v: &T,
) -> Result<u32, Trap> {
    let at = align_to(mem.bump, T::ALIGN32.max(8));
    mem.bump = at + T::SIZE32;
    let view = mem.view();
    let inst = inst.map(|i| i as &mut dyn InstanceAccess);
    let mut cx = LowerCx::new(view, Some(mem), enc, inst);
    v.store(&mut cx, at)?;
    Ok(at)
}

/// Loads a `T` at `at`.
pub fn load<'m, T: Lift<'m>>(
    bytes: &'m [u8],
    enc: StringEncoding,
    inst: Option<&mut InstanceState>,
    at: u32,
) -> Result<T, Trap> {
    T::load(&mut LiftCx::new(bytes, enc, inst), at)
}

/// Round trip of an owned value through slots and through memory.
pub fn round_trip<T>(v: &T)
where
    T: Lower + for<'m> Lift<'m> + PartialEq + std::fmt::Debug,
{
    for enc in [
        StringEncoding::Utf8,
        StringEncoding::Utf16,
        StringEncoding::Latin1Utf16,
    ] {
        let mut mem = TestMemory::new(1 << 16);
        let slots = lower_flat(&mut mem, enc, None, v).expect("lower_flat");
        let back: T = lift_flat(mem.bytes(), enc, None, &slots).expect("lift_flat");
        assert_eq!(&back, v, "flat round trip ({enc:?})");
        let at = store(&mut mem, enc, None, v).expect("store");
        let back: T = load(mem.bytes(), enc, None, at).expect("load");
        assert_eq!(&back, v, "memory round trip ({enc:?})");
    }
}

/// Checks `T`'s static facts against `kiln_abi::component`'s layout and
/// flattening of the type `T::describe` builds.
pub fn agrees<T: ComponentType + ?Sized>() {
    let mut b = TypeTableBuilder::new();
    let t = T::describe(&mut b).expect("describe");
    let table = b.table();
    table.validate().expect("valid table");
    let name = std::any::type_name::<T>();
    assert_eq!(
        table.elem_size(t, PtrType::I32),
        T::SIZE32,
        "SIZE32 of {name}"
    );
    assert_eq!(
        table.alignment(t, PtrType::I32),
        T::ALIGN32,
        "ALIGN32 of {name}"
    );
    let flat = table.flatten_types(&[t], PtrType::I32);
    assert_eq!(flat.len(), T::FLAT as u64, "FLAT of {name}");
}

/// The message of a trap result.
pub fn msg<T: std::fmt::Debug>(r: Result<T, Trap>) -> String {
    match r {
        Ok(v) => panic!("expected a trap, got {v:?}"),
        Err(t) => t.message,
    }
}
