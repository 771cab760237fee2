//! P1 arguments, environment, clocks, randomness, process control and
//! sockets.
//!
//! Phase: run time. Inputs: kernel state. Outputs: errno and guest memory.
//!
//! Invariants (Wasmtime `preview1.rs`):
//! - CPU-time clocks are `EBADF` (not `EINVAL`) in `clock_*_get`.
//! - `proc_exit` with a status of 126 or more (as unsigned) is a fatal error
//!   ("exit with invalid exit status outside of [0..126)"), not an exit.
//! - `proc_raise` is `ENOTSUP`; `sched_yield` does nothing.
//! - `random_get` above 64 MiB is fatal.
//! - `sock_*` check the descriptor (`EBADF`) and then answer `ENOTSOCK` for
//!   anything that is not a socket (no P1 guest has one, as in wasmtime).

use super::fd::desc;
use super::memory::{GuestMemory, offset, result_write};
use super::types::{self, Errno, clockid, fdflags};
use super::{P1Error, P1Result};
use crate::kernel::net::Shutdown;
use crate::kernel::{Descriptor, Kernel, random};
use std::convert::Infallible;

fn overflow() -> P1Error {
    P1Error::Errno(Errno::OVERFLOW)
}

/// Writes a list of NUL-terminated strings and their pointer array, piece
/// by piece as wasmtime (an environment variable is its name, `=` and its
/// value): each pointer advance is checked ([`offset`]), so a list ending
/// exactly at 2^32 is a pointer overflow.
fn write_strings<'a>(
    m: &GuestMemory,
    ptrs: u32,
    buf: u32,
    items: impl Iterator<Item = Vec<&'a [u8]>>,
) -> P1Result<()> {
    let (mut p, mut b) = (ptrs, buf);
    for parts in items {
        m.write_u32(p, b)?;
        p = offset(p, 4)?;
        for part in parts.into_iter().chain([&b"\0"[..]]) {
            b = m.write_bytes_advance(b, part)?;
        }
    }
    Ok(())
}

pub fn args_get(k: &Kernel, m: &GuestMemory, argv: i32, argv_buf: i32) -> P1Result<()> {
    write_strings(
        m,
        argv as u32,
        argv_buf as u32,
        k.args.iter().map(|a| vec![a.as_slice()]),
    )
}

pub fn args_sizes_get(k: &Kernel, m: &GuestMemory, argc: i32, argv_buf_size: i32) -> P1Result<()> {
    let n = u32::try_from(k.args.len()).map_err(|_| overflow())?;
    let size: usize = k.args.iter().map(|a| a.len() + 1).sum();
    let size = u32::try_from(size).map_err(|_| overflow())?;
    result_write("size", m.write_u32(argc as u32, n))?;
    result_write("size", m.write_u32(argv_buf_size as u32, size))
}

pub fn environ_get(k: &Kernel, m: &GuestMemory, environ: i32, environ_buf: i32) -> P1Result<()> {
    write_strings(
        m,
        environ as u32,
        environ_buf as u32,
        k.env
            .iter()
            .map(|(n, v)| vec![n.as_slice(), &b"="[..], v.as_slice()]),
    )
}

pub fn environ_sizes_get(
    k: &Kernel,
    m: &GuestMemory,
    environc: i32,
    environ_buf_size: i32,
) -> P1Result<()> {
    let n = u32::try_from(k.env.len()).map_err(|_| overflow())?;
    let size: usize = k.env.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let size = u32::try_from(size).map_err(|_| overflow())?;
    result_write("size", m.write_u32(environc as u32, n))?;
    result_write("size", m.write_u32(environ_buf_size as u32, size))
}

pub fn clock_res_get(k: &Kernel, m: &GuestMemory, id: i32, resolution: i32) -> P1Result<()> {
    let res = match types::enum_u32(id, clockid::COUNT, "Clockid")? {
        clockid::REALTIME => k.clocks.wall_resolution().as_nanos().ok_or_else(overflow)?,
        clockid::MONOTONIC => k.clocks.monotonic_resolution(),
        _ => return Err(Errno::BADF.into()),
    };
    result_write("timestamp", m.write_u64(resolution as u32, res))
}

pub fn clock_time_get(
    k: &Kernel,
    m: &GuestMemory,
    id: i32,
    _precision: i64,
    time: i32,
) -> P1Result<()> {
    let now = match types::enum_u32(id, clockid::COUNT, "Clockid")? {
        clockid::REALTIME => k.clocks.wall_now().as_nanos().ok_or_else(overflow)?,
        clockid::MONOTONIC => k.clocks.monotonic_now(),
        _ => return Err(Errno::BADF.into()),
    };
    result_write("timestamp", m.write_u64(time as u32, now))
}

pub fn proc_exit(_k: &Kernel, _m: &GuestMemory, rval: i32) -> P1Result<Infallible> {
    let status = rval as u32;
    if status >= 126 {
        return Err(P1Error::Fatal(
            "exit with invalid exit status outside of [0..126)".to_string(),
        ));
    }
    // Output is unbuffered (see `kernel::stdio`), so nothing is lost here.
    std::process::exit(status as i32)
}

pub fn proc_raise(_k: &Kernel, _m: &GuestMemory, sig: i32) -> P1Result<()> {
    types::enum_u8(sig, types::SIGNAL_COUNT, "Signal")?;
    Err(Errno::NOTSUP.into())
}

pub fn sched_yield(_k: &Kernel, _m: &GuestMemory) -> P1Result<()> {
    Ok(())
}

pub fn random_get(_k: &Kernel, m: &GuestMemory, buf: i32, buf_len: i32) -> P1Result<()> {
    let len = buf_len as u32;
    if u64::from(len) > random::MAX_RANDOM_SIZE {
        return Err(P1Error::Fatal(format!(
            "requested len {len} exceeds limit {}",
            random::MAX_RANDOM_SIZE
        )));
    }
    if len == 0 {
        return Ok(());
    }
    m.fill_bytes(buf as u32, len, |b| random::fill(b).map(|()| b.len()))?;
    // As wasmtime's `write_bytes`: the end of the buffer must be an
    // address, so one ending exactly at 2^32 is a pointer overflow.
    offset(buf as u32, len).map(drop)
}

pub fn sock_accept(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    flags: i32,
    result_fd: i32,
) -> P1Result<()> {
    let flags = types::flags_u16(flags, fdflags::ALL, "Fdflags")?;
    let d = desc(k, fd)?;
    let Descriptor::Socket(s) = &*d else {
        return Err(Errno::NOTSOCK.into());
    };
    let new = s.accept(flags & fdflags::NONBLOCK != 0)?;
    let new_fd = k.push(Descriptor::Socket(new))?;
    result_write("fd", m.write_u32(result_fd as u32, new_fd))
}

pub fn sock_recv(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    ri_data: i32,
    ri_data_len: i32,
    ri_flags: i32,
    ro_datalen: i32,
    ro_flags: i32,
) -> P1Result<()> {
    let flags = types::flags_u16(ri_flags, 0x3, "Riflags")?;
    let d = desc(k, fd)?;
    let Descriptor::Socket(s) = &*d else {
        return Err(Errno::NOTSOCK.into());
    };
    let (ptr, len) = m.first_nonempty_iovec(ri_data as u32, ri_data_len as u32)?;
    let n = m.fill_bytes(ptr, len, |b| s.recv(b, flags & 1 != 0, flags & 2 != 0))?;
    result_write("size", m.write_u32(ro_datalen as u32, n as u32))?;
    result_write("roflags", m.write_u16(ro_flags as u32, 0))
}

pub fn sock_send(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    si_data: i32,
    si_data_len: i32,
    si_flags: i32,
    so_datalen: i32,
) -> P1Result<()> {
    // `siflags` is a bare `u16` in witx: only its range is checked.
    types::int_arg::<u16>(si_flags, "u16")?;
    let d = desc(k, fd)?;
    let Descriptor::Socket(s) = &*d else {
        return Err(Errno::NOTSOCK.into());
    };
    let (ptr, len) = m.first_nonempty_iovec(si_data as u32, si_data_len as u32)?;
    let n = s.send(&m.read_bytes(ptr, len)?)?;
    result_write("size", m.write_u32(so_datalen as u32, n as u32))
}

pub fn sock_shutdown(k: &Kernel, _m: &GuestMemory, fd: i32, how: i32) -> P1Result<()> {
    let how = types::flags_u8(how, 0x3, "Sdflags")?;
    let d = desc(k, fd)?;
    let Descriptor::Socket(s) = &*d else {
        return Err(Errno::NOTSOCK.into());
    };
    let how = match how {
        1 => Shutdown::Read,
        2 => Shutdown::Write,
        3 => Shutdown::Both,
        _ => return Err(Errno::INVAL.into()),
    };
    Ok(s.shutdown(how)?)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Harness, tmpdir};
    use super::*;

    #[test]
    fn args_env_clocks() {
        let dir = tmpdir("misc");
        let mut h = Harness::new(&dir);
        h.run(|k, m| args_sizes_get(k, m, 0, 4)).unwrap();
        assert_eq!((h.u32_at(0), h.u32_at(4)), (2, 10));
        h.run(|k, m| args_get(k, m, 16, 64)).unwrap();
        assert_eq!((h.u32_at(16), h.u32_at(20)), (64, 69));
        assert_eq!(&h.buf[64..74], b"prog\0arg1\0");
        h.run(|k, m| environ_sizes_get(k, m, 0, 4)).unwrap();
        assert_eq!((h.u32_at(0), h.u32_at(4)), (1, 4));
        h.run(|k, m| environ_get(k, m, 16, 64)).unwrap();
        assert_eq!(&h.buf[64..68], b"K=V\0");
        assert!(matches!(
            h.run(|k, m| args_get(k, m, 17, 64)),
            Err(P1Error::Fatal(_))
        ));
        assert_eq!(
            h.run(|k, m| clock_time_get(k, m, 2, 0, 8)),
            Err(P1Error::Errno(Errno::BADF))
        );
        assert!(matches!(
            h.run(|k, m| clock_res_get(k, m, 4, 8)),
            Err(P1Error::FatalConvert { ty: "Clockid", .. })
        ));
        h.run(|k, m| clock_time_get(k, m, 0, 0, 8)).unwrap();
        // A result pointer is wiggle's write of the result's witx type; the
        // buffers `args_get` fills are not (above).
        assert_eq!(
            h.run(|k, m| clock_time_get(k, m, 0, 0, 65532)),
            Err(P1Error::FatalWrite {
                ty: "timestamp",
                message: "Pointer out of bounds: Region { start: 65532, len: 8 }".into()
            })
        );
        assert_eq!(
            h.run(|k, m| args_sizes_get(k, m, 1, 4)),
            Err(P1Error::FatalWrite {
                ty: "size",
                message: "Pointer not aligned to 4: Region { start: 1, len: 4 }".into()
            })
        );
        assert!(h.u64_at(8) > 1_600_000_000_000_000_000);
        assert_eq!(
            h.run(|k, m| proc_raise(k, m, 5)),
            Err(P1Error::Errno(Errno::NOTSUP))
        );
        assert!(matches!(
            h.run(|k, m| proc_raise(k, m, 31)),
            Err(P1Error::FatalConvert { ty: "Signal", .. })
        ));
        assert!(matches!(
            h.run(|k, m| proc_exit(k, m, 126)),
            Err(P1Error::Fatal(_))
        ));
        assert_eq!(
            h.run(|k, m| sock_shutdown(k, m, 1, 3)),
            Err(P1Error::Errno(Errno::NOTSOCK))
        );
        assert_eq!(
            h.run(|k, m| sock_shutdown(k, m, 10, 3)),
            Err(P1Error::Errno(Errno::BADF))
        );
        assert_eq!(
            h.run(|k, m| sock_accept(k, m, 3, 0, 0)),
            Err(P1Error::Errno(Errno::NOTSOCK))
        );
        h.run(|k, m| random_get(k, m, 100, 32)).unwrap();
        assert!(matches!(
            h.run(|k, m| random_get(k, m, 65530, 32)),
            Err(P1Error::Fatal(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
