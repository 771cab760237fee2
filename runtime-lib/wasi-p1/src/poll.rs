//! P1 `poll_oneoff`.
//!
//! Phase: run time. Inputs: an array of `subscription` records. Outputs:
//! `event` records for the subscriptions ready when the call returns.
//!
//! Invariants (Wasmtime `preview1.rs`):
//! - No subscriptions is `EINVAL`.
//! - A single relative clock subscription just sleeps (whatever its clock
//!   id) and reports one clock event with `nbytes` = 1.
//! - Otherwise: monotonic clocks may be absolute (counted from the start of
//!   the program) or relative; realtime clocks are converted to relative
//!   durations; CPU-time clocks are `EINVAL`. Reading stdin waits for input;
//!   files are always ready; writing stdout/stderr/files is always ready; any
//!   other descriptor makes the whole call `EBADF`.
//! - Events are written in subscription order for every subscription ready
//!   at wake-up. Clock events have `nbytes` 0; fd events have `nbytes` 1 and,
//!   for a file read at end of file, the `hangup` flag.

use super::P1Result;
use super::memory::{GuestMemory, offset, ptr_overflow, result_write};
use super::types::{self, EVENT_FD_READWRITE_HANGUP, Errno, SUBCLOCK_ABSTIME, clockid};
use crate::kernel::poll::{Pollable, poll};
use crate::kernel::stdio::{StdioKind, host_fd};
use crate::kernel::{Descriptor, Kernel};

/// Host size of wasmtime's subscription and event types (for fuel).
const HOST_SUBSCRIPTION_SIZE: u64 = 40;
const HOST_EVENT_SIZE: u64 = 32;

/// A decoded `subscription`.
#[derive(Copy, Clone, Debug)]
enum Sub {
    Clock {
        id: u32,
        timeout: u64,
        abstime: bool,
    },
    FdRead(u32),
    FdWrite(u32),
}

/// Reads subscription `ptr` field by field, as wiggle does.
fn read_sub(m: &GuestMemory, ptr: u32) -> P1Result<(u64, Sub)> {
    let at = |off: u32| offset(ptr, off);
    let userdata = m.read_u64(ptr)?;
    let tag = m.read_u8(at(8)?)?;
    let sub = match tag {
        0 => {
            let id = m.read_u32(at(16)?)?;
            if id >= clockid::COUNT {
                return Err(Errno::INVAL.into());
            }
            let timeout = m.read_u64(at(24)?)?;
            let _precision = m.read_u64(at(32)?)?;
            let flags = m.read_u16(at(40)?)?;
            if flags & !SUBCLOCK_ABSTIME != 0 {
                return Err(Errno::INVAL.into());
            }
            Sub::Clock {
                id,
                timeout,
                abstime: flags & SUBCLOCK_ABSTIME != 0,
            }
        }
        1 => Sub::FdRead(m.read_u32(at(16)?)?),
        2 => Sub::FdWrite(m.read_u32(at(16)?)?),
        _ => return Err(Errno::INVAL.into()),
    };
    Ok((userdata, sub))
}

fn write_event(
    m: &GuestMemory,
    ptr: u32,
    userdata: u64,
    ty: u8,
    nbytes: u64,
    flags: u16,
) -> P1Result<()> {
    let at = |off: u32| offset(ptr, off);
    m.write_u64(ptr, userdata)?;
    m.write_u16(at(8)?, 0)?;
    m.write_u8(at(10)?, ty)?;
    m.write_u64(at(16)?, nbytes)?;
    m.write_u16(at(24)?, flags)
}

pub fn poll_oneoff(
    k: &Kernel,
    m: &GuestMemory,
    r#in: i32,
    out: i32,
    nsubscriptions: i32,
    nevents: i32,
) -> P1Result<()> {
    let (subs_ptr, events_ptr, n) = (r#in as u32, out as u32, nsubscriptions as u32);
    if n == 0 {
        return Err(Errno::INVAL.into());
    }
    if n == 1 {
        let (userdata, sub) = read_sub(m, subs_ptr)?;
        if let Sub::Clock {
            timeout,
            abstime: false,
            ..
        } = sub
        {
            // The event is written before the sleep; the caller cannot
            // tell, since it is blocked in this call. No lock is held while
            // sleeping: other threads' host calls go on.
            write_event(m, events_ptr, userdata, 0, 1, 0)?;
            result_write("size", m.write_u32(nevents as u32, 1))?;
            std::thread::sleep(std::time::Duration::from_nanos(timeout));
            return Ok(());
        }
    }
    m.consume_fuel(u64::from(n) * HOST_SUBSCRIPTION_SIZE)?;
    m.consume_fuel(u64::from(n) * HOST_EVENT_SIZE)?;
    let sub_at = |i: u32| {
        i.checked_mul(types::SUBSCRIPTION_SIZE)
            .and_then(|o| subs_ptr.checked_add(o))
            .ok_or_else(ptr_overflow)
    };

    let mut pollables = Vec::with_capacity(n as usize);
    let mut subs = Vec::with_capacity(n as usize);
    for i in 0..n {
        let (userdata, sub) = read_sub(m, sub_at(i)?)?;
        let p = match sub {
            Sub::Clock {
                id,
                timeout,
                abstime,
            } => {
                let now = k.clocks.monotonic_now();
                match (id, abstime) {
                    (clockid::MONOTONIC, true) => Pollable::Deadline(timeout),
                    (clockid::MONOTONIC, false) | (clockid::REALTIME, false) => {
                        Pollable::Deadline(now.saturating_add(timeout))
                    }
                    (clockid::REALTIME, true) => {
                        let wall = k.clocks.wall_now();
                        let wall = wall
                            .seconds
                            .saturating_mul(1_000_000_000)
                            .saturating_add(u64::from(wall.nanoseconds));
                        Pollable::Deadline(now.saturating_add(timeout.saturating_sub(wall)))
                    }
                    _ => return Err(Errno::INVAL.into()),
                }
            }
            Sub::FdRead(fd) => match &*k.get(fd)? {
                Descriptor::Stdio(s) if s.kind == StdioKind::Stdin => {
                    Pollable::Readable(host_fd(StdioKind::Stdin))
                }
                Descriptor::File(_) => Pollable::Ready,
                _ => return Err(Errno::BADF.into()),
            },
            Sub::FdWrite(fd) => match &*k.get(fd)? {
                Descriptor::Stdio(s) if s.kind != StdioKind::Stdin => Pollable::Ready,
                Descriptor::File(_) => Pollable::Ready,
                _ => return Err(Errno::BADF.into()),
            },
        };
        pollables.push(p);
        subs.push((userdata, sub));
    }
    let clocks = &k.clocks;
    let ready = poll(&pollables, &|| clocks.monotonic_now())?;

    let mut count = 0u32;
    for i in ready {
        let (userdata, sub) = subs[i];
        let (ty, flags) = match sub {
            Sub::Clock { .. } => (0, 0),
            Sub::FdRead(fd) => match &*k.get(fd)? {
                Descriptor::File(f) => {
                    let size = f.file.stat()?.size;
                    let hangup = size.saturating_sub(f.lock().position) == 0;
                    (1, if hangup { EVENT_FD_READWRITE_HANGUP } else { 0 })
                }
                _ => (1, 0),
            },
            Sub::FdWrite(_) => (2, 0),
        };
        let nbytes = if ty == 0 { 0 } else { 1 };
        let at = count
            .checked_mul(types::EVENT_SIZE)
            .and_then(|o| events_ptr.checked_add(o))
            .ok_or_else(ptr_overflow)?;
        write_event(m, at, userdata, ty, nbytes, flags)?;
        count += 1;
    }
    result_write("size", m.write_u32(nevents as u32, count))
}

#[cfg(test)]
mod tests {
    use super::super::P1Error;
    use super::super::testing::{Harness, tmpdir};
    use super::*;

    fn clock_sub(h: &mut Harness, at: usize, userdata: u64, id: u32, timeout: u64, flags: u16) {
        h.buf[at..at + 8].copy_from_slice(&userdata.to_le_bytes());
        h.buf[at + 8] = 0;
        h.buf[at + 16..at + 20].copy_from_slice(&id.to_le_bytes());
        h.buf[at + 24..at + 32].copy_from_slice(&timeout.to_le_bytes());
        h.buf[at + 40..at + 42].copy_from_slice(&flags.to_le_bytes());
    }

    fn fd_sub(h: &mut Harness, at: usize, userdata: u64, tag: u8, fd: u32) {
        h.buf[at..at + 8].copy_from_slice(&userdata.to_le_bytes());
        h.buf[at + 8] = tag;
        h.buf[at + 16..at + 20].copy_from_slice(&fd.to_le_bytes());
    }

    #[test]
    fn clocks_and_fds() {
        let dir = tmpdir("poll");
        let mut h = Harness::new(&dir);
        assert_eq!(
            h.run(|k, m| poll_oneoff(k, m, 0, 1024, 0, 2048)),
            Err(P1Error::Errno(Errno::INVAL))
        );
        // Single relative sleep: nbytes 1.
        clock_sub(&mut h, 0, 7, 1, 1_000_000, 0);
        h.run(|k, m| poll_oneoff(k, m, 0, 1024, 1, 2048)).unwrap();
        assert_eq!(
            (h.u32_at(2048), h.u64_at(1024), h.buf[1034], h.u64_at(1040)),
            (1, 7, 0, 1)
        );
        // Two clocks, one far away, plus stdout writable.
        clock_sub(&mut h, 0, 1, 1, 1_000_000, 0);
        clock_sub(&mut h, 48, 2, 0, u64::MAX / 2, 0);
        fd_sub(&mut h, 96, 3, 2, 1);
        h.run(|k, m| poll_oneoff(k, m, 0, 1024, 3, 2048)).unwrap();
        assert_eq!(h.u32_at(2048), 1);
        assert_eq!((h.u64_at(1024), h.buf[1034]), (3, 2));
        // Absolute monotonic deadline already past: clock event, nbytes 0.
        clock_sub(&mut h, 0, 9, 1, 0, 1);
        h.run(|k, m| poll_oneoff(k, m, 0, 1024, 1, 2048)).unwrap();
        assert_eq!((h.u32_at(2048), h.u64_at(1024), h.u64_at(1040)), (1, 9, 0));
        // CPU-time clocks are EINVAL in the general path, bad fds EBADF.
        clock_sub(&mut h, 0, 9, 2, 0, 1);
        assert_eq!(
            h.run(|k, m| poll_oneoff(k, m, 0, 1024, 1, 2048)),
            Err(P1Error::Errno(Errno::INVAL))
        );
        fd_sub(&mut h, 0, 1, 1, 3);
        assert_eq!(
            h.run(|k, m| poll_oneoff(k, m, 0, 1024, 1, 2048)),
            Err(P1Error::Errno(Errno::BADF))
        );
        fd_sub(&mut h, 0, 1, 3, 3);
        assert_eq!(
            h.run(|k, m| poll_oneoff(k, m, 0, 1024, 1, 2048)),
            Err(P1Error::Errno(Errno::INVAL))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
