//! Guest memory as WASI P1 host functions see it: bounds- and
//! alignment-checked little-endian accesses, plus wasmtime's per-call fuel.
//!
//! Phase: run time. Inputs: the `VMMemoryDefinition` (base, current length)
//! read at the start of each host call. Outputs: checked views.
//!
//! Invariants (as wiggle in Wasmtime):
//! - An out-of-bounds or overflowing pointer, or a scalar access not aligned
//!   to its natural alignment, is fatal for the guest ([`P1Error::Fatal`]),
//!   never an errno: the WASI P1 spec says such calls trap.
//! - Byte arrays have no alignment requirement; an empty range is in bounds
//!   when its start is at most the memory length.
//! - Each host call gets [`HOSTCALL_FUEL`] bytes of fuel: copying more than
//!   that (iovec arrays, the first non-empty buffer, path strings, poll
//!   subscriptions) fails with `ENOMEM`.
//! - Invalid UTF-8 in a string argument is `EILSEQ`.
//! - A fatal error writing a function's witx result (an output pointer
//!   wiggle writes, not a buffer the function fills) carries the result's
//!   witx type ([`result_write`]), for wiggle's `In func ...` context.
//! - Guest addresses are `u32` and every address computed from a guest
//!   pointer (a struct field, the next array element, the end of a copied
//!   buffer) goes through [`offset`]: with a 4 GiB memory, a sum that would
//!   wrap past 2^32 is wiggle's `Pointer overflow`, never an access at
//!   guest address 0.
//! - The view never lends out a reference into guest memory (`&[u8]`,
//!   `&mut [u8]`, `&str`): with wasi-threads the memory is shared, and
//!   other threads write it while this one is in a host call. Arguments are
//!   copied out ([`GuestMemory::read_bytes`], [`GuestMemory::string`]: the
//!   UTF-8 check is of the copy the host then uses) and results copied in,
//!   with raw copies over checked ranges, as Wasmtime does for shared
//!   memories. A guest racing with its own host call may see torn bytes;
//!   the host never does anything with bytes it has not copied.

use super::P1Error;
use super::types::Errno;
use std::cell::Cell;

/// Marks `written`, the write of a function's result of witx type `ty`
/// (`size`, `timestamp`, `fdstat`...) to its output pointer: a fatal error
/// becomes [`P1Error::FatalWrite`], which wiggle words as
/// `In func <module>::<fn> at write <ty>: <error>` followed by the error.
pub fn result_write<T>(ty: &'static str, written: Result<T, P1Error>) -> Result<T, P1Error> {
    written.map_err(|e| match e {
        P1Error::Fatal(message) => P1Error::FatalWrite { ty, message },
        e => e,
    })
}

/// Wiggle's `GuestError::PtrOverflow`: an address computation from a guest
/// pointer passed 2^32.
pub fn ptr_overflow() -> P1Error {
    P1Error::Fatal("Pointer overflow".to_string())
}

/// `ptr + off` as a guest address (wiggle's `GuestPtr::add`), or
/// [`ptr_overflow`] when it passes 2^32.
pub fn offset(ptr: u32, off: u32) -> Result<u32, P1Error> {
    ptr.checked_add(off).ok_or_else(ptr_overflow)
}

/// Fuel granted to each host call (wasmtime's default `hostcall_fuel`).
pub const HOSTCALL_FUEL: usize = 128 << 20;

/// A checked view of the guest's linear memory during one host call.
#[derive(Debug)]
pub struct GuestMemory {
    base: *mut u8,
    len: usize,
    fuel: Cell<usize>,
}

impl GuestMemory {
    /// A view of `len` bytes at `base`.
    ///
    /// # Safety
    /// `base..base+len` must be valid, writable memory for as long as the
    /// view is used. Other threads may read and write it meanwhile (a shared
    /// memory), but nothing may hold a Rust reference into it.
    pub unsafe fn new(base: *mut u8, len: usize) -> GuestMemory {
        GuestMemory {
            base,
            len,
            fuel: Cell::new(HOSTCALL_FUEL),
        }
    }

    /// Current accessible length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the memory is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Spends `bytes` of this call's fuel (`ENOMEM` when exhausted).
    pub fn consume_fuel(&self, bytes: u64) -> Result<(), P1Error> {
        let left = self.fuel.get() as u64;
        if bytes > left {
            return Err(P1Error::Errno(Errno::NOMEM));
        }
        self.fuel.set((left - bytes) as usize);
        Ok(())
    }

    fn check(&self, ptr: u32, len: u64, align: u32) -> Result<usize, P1Error> {
        let end = u64::from(ptr) + len;
        // NB: the wording is wiggle's `GuestError` Display, which Wasmtime
        // prints as the last line of the error chain.
        if end > self.len as u64 {
            return Err(P1Error::Fatal(format!(
                "Pointer out of bounds: Region {{ start: {ptr}, len: {len} }}"
            )));
        }
        if !ptr.is_multiple_of(align) {
            return Err(P1Error::Fatal(format!(
                "Pointer not aligned to {align}: Region {{ start: {ptr}, len: {len} }}"
            )));
        }
        Ok(ptr as usize)
    }

    /// Checks an array of `count` elements of `size` bytes (overflow of the
    /// byte size is fatal, as wiggle's `PtrOverflow`).
    pub fn check_array(&self, ptr: u32, count: u32, size: u32, align: u32) -> Result<(), P1Error> {
        let bytes = count.checked_mul(size).ok_or_else(ptr_overflow)?;
        self.check(ptr, u64::from(bytes), align).map(drop)
    }

    /// Checks that `ptr..ptr+len` is in bounds (no alignment), so that a
    /// call can fail before it does anything with its buffer.
    pub fn check_bytes(&self, ptr: u32, len: u32) -> Result<(), P1Error> {
        self.check(ptr, u64::from(len), 1).map(drop)
    }

    /// A copy of the bytes `ptr..ptr+len`.
    pub fn read_bytes(&self, ptr: u32, len: u32) -> Result<Vec<u8>, P1Error> {
        let start = self.check(ptr, u64::from(len), 1)?;
        let mut out = vec![0u8; len as usize];
        // SAFETY: the source was checked in bounds of the memory `new`
        // vouched for; the destination is our own fresh buffer, so the two
        // do not overlap. A raw copy, not a slice: other threads may write
        // the (shared) memory meanwhile.
        unsafe { std::ptr::copy_nonoverlapping(self.base.add(start), out.as_mut_ptr(), out.len()) };
        Ok(out)
    }

    /// Copies `data` to `ptr`.
    pub fn write_bytes(&self, ptr: u32, data: &[u8]) -> Result<(), P1Error> {
        let len = u32::try_from(data.len()).map_err(|_| P1Error::Errno(Errno::OVERFLOW))?;
        if len == 0 {
            // wiggle skips the bounds check of empty copies.
            return Ok(());
        }
        let start = self.check(ptr, u64::from(len), 1)?;
        // SAFETY: the destination was checked in bounds; `data` is host
        // memory, never guest memory (no view lends guest memory out), so
        // the ranges do not overlap. A raw copy: see `read_bytes`.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.base.add(start), data.len()) };
        Ok(())
    }

    /// Fills the guest buffer `ptr..ptr+len` through `fill`, which gets a
    /// host buffer of `len` bytes and returns how many it filled (at most
    /// `len`); those are copied to `ptr`. The range is checked before
    /// `fill` runs, so an out-of-bounds buffer does nothing.
    pub fn fill_bytes<E>(
        &self,
        ptr: u32,
        len: u32,
        fill: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Result<usize, P1Error>
    where
        P1Error: From<E>,
    {
        self.check_bytes(ptr, len)?;
        let mut buf = vec![0u8; len as usize];
        let n = fill(&mut buf)?.min(buf.len());
        self.write_bytes(ptr, &buf[..n])?;
        Ok(n)
    }

    /// Copies `data` to `ptr` and returns the address after it, as
    /// wasmtime's `write_bytes` (args, environment, directory entries,
    /// preopen names, link targets, random bytes): a copy that ends exactly
    /// at 2^32 fits in a 4 GiB memory, but its end address is
    /// [`ptr_overflow`].
    pub fn write_bytes_advance(&self, ptr: u32, data: &[u8]) -> Result<u32, P1Error> {
        self.write_bytes(ptr, data)?;
        let len = u32::try_from(data.len()).map_err(|_| P1Error::Errno(Errno::OVERFLOW))?;
        offset(ptr, len)
    }

    /// A copy of a UTF-8 string argument (fuel is charged for its length).
    pub fn string(&self, ptr: u32, len: u32) -> Result<String, P1Error> {
        self.consume_fuel(u64::from(len))?;
        self.string_unfueled(ptr, len)
    }

    /// A copy of a UTF-8 string argument, charging no fuel. The check is of
    /// the copy: another thread changing the guest's bytes afterwards
    /// cannot make the string the host uses invalid.
    pub fn string_unfueled(&self, ptr: u32, len: u32) -> Result<String, P1Error> {
        String::from_utf8(self.read_bytes(ptr, len)?).map_err(|_| P1Error::Errno(Errno::ILSEQ))
    }

    fn read_n<const N: usize>(&self, ptr: u32) -> Result<[u8; N], P1Error> {
        let start = self.check(ptr, N as u64, N as u32)?;
        let mut out = [0u8; N];
        // SAFETY: checked in bounds; `out` is a local, so no overlap. A raw
        // copy: see `read_bytes`.
        unsafe { std::ptr::copy_nonoverlapping(self.base.add(start), out.as_mut_ptr(), N) };
        Ok(out)
    }

    fn write_n<const N: usize>(&self, ptr: u32, v: [u8; N]) -> Result<(), P1Error> {
        let start = self.check(ptr, N as u64, N as u32)?;
        // SAFETY: checked in bounds; `v` is a local, so no overlap. A raw
        // copy: see `read_bytes`.
        unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), self.base.add(start), N) };
        Ok(())
    }

    /// Reads a `u8`.
    pub fn read_u8(&self, ptr: u32) -> Result<u8, P1Error> {
        Ok(self.read_n::<1>(ptr)?[0])
    }
    /// Reads a little-endian `u16` (2-aligned).
    pub fn read_u16(&self, ptr: u32) -> Result<u16, P1Error> {
        Ok(u16::from_le_bytes(self.read_n(ptr)?))
    }
    /// Reads a little-endian `u32` (4-aligned).
    pub fn read_u32(&self, ptr: u32) -> Result<u32, P1Error> {
        Ok(u32::from_le_bytes(self.read_n(ptr)?))
    }
    /// Reads a little-endian `u64` (8-aligned).
    pub fn read_u64(&self, ptr: u32) -> Result<u64, P1Error> {
        Ok(u64::from_le_bytes(self.read_n(ptr)?))
    }
    /// Writes a `u8`.
    pub fn write_u8(&self, ptr: u32, v: u8) -> Result<(), P1Error> {
        self.write_n(ptr, [v])
    }
    /// Writes a little-endian `u16` (2-aligned).
    pub fn write_u16(&self, ptr: u32, v: u16) -> Result<(), P1Error> {
        self.write_n(ptr, v.to_le_bytes())
    }
    /// Writes a little-endian `u32` (4-aligned).
    pub fn write_u32(&self, ptr: u32, v: u32) -> Result<(), P1Error> {
        self.write_n(ptr, v.to_le_bytes())
    }
    /// Writes a little-endian `u64` (8-aligned).
    pub fn write_u64(&self, ptr: u32, v: u64) -> Result<(), P1Error> {
        self.write_n(ptr, v.to_le_bytes())
    }

    /// The first non-empty buffer of an iovec array at `iovs` (count `n`),
    /// as `(ptr, len)`; `(0, 0)` if all are empty. Charges fuel for the array
    /// and for the chosen buffer, like wasmtime (which reads or writes only
    /// that first buffer per call).
    pub fn first_nonempty_iovec(&self, iovs: u32, n: u32) -> Result<(u32, u32), P1Error> {
        self.consume_fuel(u64::from(n) * 8)?;
        for i in 0..n {
            let at = i
                .checked_mul(super::types::IOVEC_SIZE)
                .ok_or_else(ptr_overflow)
                .and_then(|o| offset(iovs, o))?;
            let buf = self.read_u32(at)?;
            let len = self.read_u32(offset(at, 4)?)?;
            if len == 0 {
                continue;
            }
            self.consume_fuel(u64::from(len))?;
            return Ok((buf, len));
        }
        Ok((0, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem(buf: &mut [u8]) -> GuestMemory {
        // SAFETY: the buffer outlives the view in each test.
        unsafe { GuestMemory::new(buf.as_mut_ptr(), buf.len()) }
    }

    #[test]
    fn bounds_and_alignment() {
        let mut buf = vec![0u8; 64];
        let m = mem(&mut buf);
        m.write_u32(60, 0xdead_beef).unwrap();
        assert_eq!(m.read_u32(60).unwrap(), 0xdead_beef);
        assert!(matches!(m.read_u32(61), Err(P1Error::Fatal(_))));
        assert!(matches!(m.read_u32(64), Err(P1Error::Fatal(_))));
        assert!(matches!(m.read_u64(60), Err(P1Error::Fatal(_))));
        assert!(matches!(m.read_bytes(60, 5), Err(P1Error::Fatal(_))));
        assert_eq!(m.read_bytes(64, 0).unwrap().len(), 0);
        assert!(matches!(m.read_bytes(65, 0), Err(P1Error::Fatal(_))));
        assert!(matches!(
            m.check_array(0, u32::MAX, 8, 4),
            Err(P1Error::Fatal(_))
        ));
        m.write_bytes(1000, &[]).unwrap();
    }

    #[test]
    fn iovecs_pick_first_nonempty() {
        let mut buf = vec![0u8; 64];
        let m = mem(&mut buf);
        // iovec[0] = (16, 0), iovec[1] = (20, 5), iovec[2] = (40, 3)
        for (i, (p, l)) in [(16u32, 0u32), (20, 5), (40, 3)].into_iter().enumerate() {
            m.write_u32(i as u32 * 8, p).unwrap();
            m.write_u32(i as u32 * 8 + 4, l).unwrap();
        }
        assert_eq!(m.first_nonempty_iovec(0, 3).unwrap(), (20, 5));
        assert_eq!(m.first_nonempty_iovec(0, 1).unwrap(), (0, 0));
        assert_eq!(m.first_nonempty_iovec(0, 0).unwrap(), (0, 0));
        assert!(matches!(
            m.first_nonempty_iovec(2, 1),
            Err(P1Error::Fatal(_))
        ));
        // 2^25 iovecs need 256 MiB of fuel: ENOMEM before any read.
        assert_eq!(
            m.first_nonempty_iovec(0, 1 << 25),
            Err(P1Error::Errno(Errno::NOMEM))
        );
    }

    #[test]
    fn offsets_do_not_wrap() {
        assert_eq!(offset(u32::MAX - 8, 8), Ok(u32::MAX));
        assert_eq!(
            offset(u32::MAX - 3, 4),
            Err(P1Error::Fatal("Pointer overflow".into()))
        );
        let mut buf = vec![0u8; 64];
        let m = mem(&mut buf);
        assert_eq!(m.write_bytes_advance(60, b"abcd"), Ok(64));
        assert_eq!(m.write_bytes_advance(64, b""), Ok(64));
        assert!(matches!(
            m.write_bytes_advance(62, b"abcd"),
            Err(P1Error::Fatal(_))
        ));
    }

    #[test]
    fn strings() {
        let mut buf = b"ok\xff".to_vec();
        let m = mem(&mut buf);
        assert_eq!(m.string(0, 2).unwrap(), "ok");
        assert_eq!(m.string(0, 3), Err(P1Error::Errno(Errno::ILSEQ)));
        assert!(matches!(m.string(2, 2), Err(P1Error::Fatal(_))));
    }

    #[test]
    fn fill_checks_first_and_copies_what_was_filled() {
        let mut buf = vec![0u8; 16];
        let m = mem(&mut buf);
        let mut called = false;
        let r = m.fill_bytes(10, 8, |_| -> Result<usize, P1Error> {
            called = true;
            Ok(0)
        });
        assert!(matches!(r, Err(P1Error::Fatal(_))));
        assert!(!called, "an out-of-bounds buffer is not filled");
        let n = m.fill_bytes(4, 8, |b| -> Result<usize, P1Error> {
            b.fill(7);
            Ok(3)
        });
        assert_eq!(n, Ok(3));
        assert_eq!(
            m.read_bytes(0, 16).unwrap(),
            [0, 0, 0, 0, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }
}
