//! P1 `fd_*` functions.
//!
//! Phase: run time. Inputs: descriptor numbers, guest buffers. Outputs:
//! errno and results in guest memory.
//!
//! Invariants (Wasmtime `preview1.rs`, which guests observe):
//! - `fd_read`/`fd_write`/`fd_pread`/`fd_pwrite` transfer only the *first
//!   non-empty* iovec per call; `fd_pread` reads at most 64 KiB.
//! - File-only operations (`advise`, `allocate`, `datasync`, `sync`,
//!   `filestat_set_size`, `fdstat_set_flags`, `read`, `write`) answer
//!   `EBADF` for directories; seeking or telling stdio is `ESPIPE`;
//!   `fd_allocate` and `fd_fdstat_set_rights` are `ENOTSUP` on valid fds.
//! - A file's position is kept here (not in the host file description):
//!   writes in append mode move it to the end of file. An operation that
//!   uses it holds the descriptor's lock (`FileDesc::lock`) across its I/O,
//!   and no other lock: other descriptors stay usable meanwhile.
//! - `fd_readdir` lists `.` and `..` first (cookies 1 and 2, both with the
//!   directory's own inode), then the entries in host order; a record that
//!   does not fit is truncated and the buffer reported full.

use super::memory::{GuestMemory, offset, result_write};
use super::types::{self, Errno, fdflags, fstflags, rights};
use super::{P1Error, P1Result};
use crate::kernel::fs::{NewTimestamp, Stat};
use crate::kernel::stdio::StdioKind;
use crate::kernel::{Descriptor, DirHandle, FileDesc, Kernel};
use std::sync::Arc;

/// Most bytes one `fd_pread` returns (wasmtime's stream read chunk).
const MAX_PREAD: u32 = 64 * 1024;

pub(super) fn desc(k: &Kernel, fd: i32) -> P1Result<Arc<Descriptor>> {
    Ok(k.get(fd as u32)?)
}

/// A descriptor known to be a file: derefs to its [`FileDesc`] and keeps
/// the descriptor alive while it is used.
pub(super) struct FileHandle(Arc<Descriptor>);

impl std::ops::Deref for FileHandle {
    type Target = FileDesc;
    fn deref(&self) -> &FileDesc {
        match &*self.0 {
            Descriptor::File(f) => f,
            // `file` and `seekable` admit files only, and a descriptor
            // never changes kind.
            _ => unreachable!("FileHandle of a non-file"),
        }
    }
}

fn file(k: &Kernel, fd: i32) -> P1Result<FileHandle> {
    let d = desc(k, fd)?;
    match &*d {
        Descriptor::File(_) => Ok(FileHandle(d)),
        _ => Err(Errno::BADF.into()),
    }
}

fn seekable(k: &Kernel, fd: i32) -> P1Result<FileHandle> {
    let d = desc(k, fd)?;
    match &*d {
        Descriptor::File(_) => Ok(FileHandle(d)),
        Descriptor::Stdio(_) => Err(Errno::SPIPE.into()),
        _ => Err(Errno::BADF.into()),
    }
}

pub(super) fn dir(k: &Kernel, fd: i32) -> P1Result<DirHandle> {
    Ok(k.dir(fd as u32, crate::kernel::error::ErrorCode::BadDescriptor)?)
}

/// Decodes a timestamp pair of `*_set_times` (setting a time and asking for
/// "now" at once is `EINVAL`).
pub(super) fn new_timestamp(set: bool, ts: i64, now: bool) -> P1Result<NewTimestamp> {
    match (set, now) {
        (true, true) => Err(Errno::INVAL.into()),
        (true, false) => Ok(NewTimestamp::At(ts as u64)),
        (false, true) => Ok(NewTimestamp::Now),
        (false, false) => Ok(NewTimestamp::NoChange),
    }
}

/// Decodes `fstflags` and both timestamps.
pub(super) fn times(
    atim: i64,
    mtim: i64,
    fst_flags: i32,
) -> P1Result<(NewTimestamp, NewTimestamp)> {
    let f = types::flags_u16(fst_flags, fstflags::ALL, "Fstflags")?;
    let a = new_timestamp(f & fstflags::ATIM != 0, atim, f & fstflags::ATIM_NOW != 0)?;
    let m = new_timestamp(f & fstflags::MTIM != 0, mtim, f & fstflags::MTIM_NOW != 0)?;
    Ok((a, m))
}

/// Writes a `filestat` record field by field (padding untouched, as wiggle).
pub(super) fn write_filestat(
    m: &GuestMemory,
    ptr: u32,
    filetype: u8,
    st: Option<&Stat>,
) -> P1Result<()> {
    let nanos = |t: Option<crate::kernel::clock::FileTime>| -> P1Result<u64> {
        // A time before the epoch is none, as in WASI 0.2.
        match t.and_then(crate::kernel::clock::FileTime::since_epoch) {
            None => Ok(0),
            Some(t) => t.as_nanos().ok_or(P1Error::Errno(Errno::OVERFLOW)),
        }
    };
    let (dev, ino, nlink, size, atim, mtim, ctim) = match st {
        None => (0, 0, 0, 0, 0, 0, 0),
        Some(s) => (
            1,
            s.ino,
            s.nlink,
            s.size,
            nanos(s.atim)?,
            nanos(s.mtim)?,
            nanos(s.ctim)?,
        ),
    };
    let at = |off: u32| offset(ptr, off);
    m.write_u64(ptr, dev)?;
    m.write_u64(at(8)?, ino)?;
    m.write_u8(at(16)?, filetype)?;
    m.write_u64(at(24)?, nlink)?;
    m.write_u64(at(32)?, size)?;
    m.write_u64(at(40)?, atim)?;
    m.write_u64(at(48)?, mtim)?;
    m.write_u64(at(56)?, ctim)?;
    Ok(())
}

fn advice(a: u8) -> crate::kernel::fs::Advice {
    match a {
        0 => crate::kernel::fs::Advice::Normal,
        1 => crate::kernel::fs::Advice::Sequential,
        2 => crate::kernel::fs::Advice::Random,
        3 => crate::kernel::fs::Advice::WillNeed,
        4 => crate::kernel::fs::Advice::DontNeed,
        _ => crate::kernel::fs::Advice::NoReuse,
    }
}

pub fn fd_advise(
    k: &Kernel,
    _m: &GuestMemory,
    fd: i32,
    offset: i64,
    len: i64,
    adv: i32,
) -> P1Result<()> {
    let adv = types::enum_u8(adv, 6, "Advice")?;
    let f = file(k, fd)?;
    f.file.advise(offset as u64, len as u64, advice(adv))?;
    Ok(())
}

pub fn fd_allocate(k: &Kernel, _m: &GuestMemory, fd: i32, _offset: i64, _len: i64) -> P1Result<()> {
    file(k, fd)?;
    Err(Errno::NOTSUP.into())
}

pub fn fd_close(k: &Kernel, _m: &GuestMemory, fd: i32) -> P1Result<()> {
    k.remove(fd as u32)?;
    Ok(())
}

pub fn fd_datasync(k: &Kernel, _m: &GuestMemory, fd: i32) -> P1Result<()> {
    Ok(file(k, fd)?.file.sync_data()?)
}

pub fn fd_sync(k: &Kernel, _m: &GuestMemory, fd: i32) -> P1Result<()> {
    Ok(file(k, fd)?.file.sync()?)
}

pub fn fd_fdstat_get(k: &Kernel, m: &GuestMemory, fd: i32, buf: i32) -> P1Result<()> {
    let d = desc(k, fd)?;
    let (filetype, flags, base, inheriting) = match &*d {
        Descriptor::Stdio(s) => {
            let r = if s.kind == StdioKind::Stdin {
                rights::FD_READ
            } else {
                rights::FD_WRITE
            };
            (types::stdio_filetype(s.isatty()), 0, r, r)
        }
        Descriptor::Dir {
            preopen: Some(_), ..
        } => (3, 0, rights::PREOPEN_BASE, rights::PREOPEN_INHERITING),
        Descriptor::Dir { dir, preopen: None } => {
            // Directories never carry the WRITE descriptor flag (writability
            // of a directory is "mutate-directory").
            let mut r = rights::ALL
                & !(rights::FD_SEEK
                    | rights::FD_FILESTAT_SET_SIZE
                    | rights::PATH_FILESTAT_SET_SIZE
                    | rights::FD_WRITE);
            if !dir.open_mode.read {
                r &= !(rights::FD_READ | rights::FD_READDIR);
            }
            (3, 0, r, r)
        }
        Descriptor::File(f) => {
            let ft = types::filetype(f.file.stat()?.file_type);
            let mut r = rights::ALL;
            if ft == 3 {
                r &= !(rights::FD_SEEK
                    | rights::FD_FILESTAT_SET_SIZE
                    | rights::PATH_FILESTAT_SET_SIZE);
            }
            if !f.file.open_mode.read {
                r &= !(rights::FD_READ | rights::FD_READDIR);
            }
            if !f.file.open_mode.write {
                r &= !rights::FD_WRITE;
            }
            let mut flags = 0;
            let state = *f.lock();
            if state.append {
                flags |= fdflags::APPEND;
            }
            if state.nonblocking {
                flags |= fdflags::NONBLOCK;
            }
            (ft, flags, r, r)
        }
        Descriptor::Socket(_) => (6, 0, rights::ALL, rights::ALL),
    };
    let buf = buf as u32;
    // Field by field, as wiggle: a record at the end of a 4 GiB memory
    // fails at the first field whose address passes 2^32.
    result_write("fdstat", {
        m.write_u8(buf, filetype)
            .and_then(|()| m.write_u16(offset(buf, 2)?, flags))
            .and_then(|()| m.write_u64(offset(buf, 8)?, base))
            .and_then(|()| m.write_u64(offset(buf, 16)?, inheriting))
    })
}

pub fn fd_fdstat_set_flags(k: &Kernel, _m: &GuestMemory, fd: i32, flags: i32) -> P1Result<()> {
    let flags = types::flags_u16(flags, fdflags::ALL, "Fdflags")?;
    let f = file(k, fd)?;
    if flags & (fdflags::DSYNC | fdflags::SYNC | fdflags::RSYNC) != 0 {
        return Err(Errno::INVAL.into());
    }
    let mut state = f.lock();
    state.append = flags & fdflags::APPEND != 0;
    state.nonblocking = flags & fdflags::NONBLOCK != 0;
    Ok(())
}

pub fn fd_fdstat_set_rights(
    k: &Kernel,
    _m: &GuestMemory,
    fd: i32,
    base: i64,
    inheriting: i64,
) -> P1Result<()> {
    types::rights_arg(base)?;
    types::rights_arg(inheriting)?;
    match &*desc(k, fd)? {
        Descriptor::File(_) | Descriptor::Dir { .. } => Err(Errno::NOTSUP.into()),
        _ => Err(Errno::BADF.into()),
    }
}

pub fn fd_filestat_get(k: &Kernel, m: &GuestMemory, fd: i32, buf: i32) -> P1Result<()> {
    let d = desc(k, fd)?;
    let (ft, st) = match &*d {
        Descriptor::Stdio(s) => (types::stdio_filetype(s.isatty()), None),
        Descriptor::Dir { dir, .. } => {
            let st = dir.stat()?;
            (types::filetype(st.file_type), Some(st))
        }
        Descriptor::File(f) => {
            let st = f.file.stat()?;
            (types::filetype(st.file_type), Some(st))
        }
        Descriptor::Socket(_) => (6, None),
    };
    result_write("filestat", write_filestat(m, buf as u32, ft, st.as_ref()))
}

pub fn fd_filestat_set_size(k: &Kernel, _m: &GuestMemory, fd: i32, size: i64) -> P1Result<()> {
    Ok(file(k, fd)?.file.set_size(size as u64)?)
}

pub fn fd_filestat_set_times(
    k: &Kernel,
    _m: &GuestMemory,
    fd: i32,
    atim: i64,
    mtim: i64,
    fst_flags: i32,
) -> P1Result<()> {
    let (a, t) = times(atim, mtim, fst_flags)?;
    match &*desc(k, fd)? {
        Descriptor::File(f) => Ok(f.file.set_times(a, t)?),
        Descriptor::Dir { dir, .. } => Ok(dir.set_times(a, t)?),
        _ => Err(Errno::BADF.into()),
    }
}

pub fn fd_read(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nread: i32,
) -> P1Result<()> {
    let (ptr, len) = m.first_nonempty_iovec(iovs as u32, iovs_len as u32)?;
    let d = desc(k, fd)?;
    let n = match &*d {
        Descriptor::File(f) => {
            // The file is read into a host buffer and then copied to the
            // guest's (the memory may be shared: `memory.rs`).
            let mut state = f.lock();
            let n = m.fill_bytes(ptr, len, |buf| f.file.read_at(buf, state.position))?;
            state.position = state
                .position
                .checked_add(n as u64)
                .ok_or(P1Error::Errno(Errno::OVERFLOW))?;
            n
        }
        Descriptor::Stdio(s) if s.kind == StdioKind::Stdin => {
            if len == 0 {
                // wasmtime waits for input to be ready, then reports an
                // empty read as EINTR.
                let fd0 = crate::kernel::stdio::host_fd(StdioKind::Stdin);
                let clocks = &k.clocks;
                crate::kernel::poll::poll(
                    &[crate::kernel::poll::Pollable::Readable(fd0)],
                    &|| clocks.monotonic_now(),
                )?;
                return Err(Errno::INTR.into());
            }
            // wasmtime reads the stream first and then copies the bytes it
            // got: a buffer past the end of memory is only an error for the
            // bytes actually read (none at end of input). `len` is bounded
            // by the call's fuel.
            let mut tmp = vec![0u8; len as usize];
            let n = s.read(&mut tmp)?;
            m.write_bytes(ptr, &tmp[..n])?;
            n
        }
        _ => return Err(Errno::BADF.into()),
    };
    result_write("size", m.write_u32(nread as u32, n as u32))
}

pub fn fd_pread(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: i64,
    nread: i32,
) -> P1Result<()> {
    let (ptr, len) = m.first_nonempty_iovec(iovs as u32, iovs_len as u32)?;
    let n = match &*desc(k, fd)? {
        Descriptor::File(f) => {
            let want = len.min(MAX_PREAD);
            let mut tmp = vec![0u8; want as usize];
            let n = loop {
                match f.file.read_at(&mut tmp, offset as u64) {
                    Err(crate::kernel::error::ErrorCode::Interrupted) => continue,
                    other => break other?,
                }
            };
            m.write_bytes(ptr, &tmp[..n])?;
            n
        }
        Descriptor::Stdio(s) if s.kind == StdioKind::Stdin => return Err(Errno::SPIPE.into()),
        _ => return Err(Errno::BADF.into()),
    };
    result_write("size", m.write_u32(nread as u32, n as u32))
}

/// Shared body of `fd_write` and `fd_pwrite` (`at`: explicit offset).
fn write_impl(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    at: Option<u64>,
) -> P1Result<u32> {
    let (ptr, len) = m.first_nonempty_iovec(iovs as u32, iovs_len as u32)?;
    let d = desc(k, fd)?;
    let n = match &*d {
        Descriptor::File(f) => {
            let data = m.read_bytes(ptr, len)?;
            let mut state = f.lock();
            // Linux `pwrite` semantics: append mode ignores the offset.
            let n = if state.append {
                f.file.append(&data)?
            } else {
                f.file.write_at(&data, at.unwrap_or(state.position))?
            };
            if at.is_none() {
                state.position = if state.append {
                    f.file.stat()?.size
                } else {
                    state
                        .position
                        .checked_add(n as u64)
                        .ok_or(P1Error::Errno(Errno::OVERFLOW))?
                };
            }
            n
        }
        Descriptor::Stdio(s) if s.kind != StdioKind::Stdin => {
            if at.is_some() {
                return Err(Errno::SPIPE.into());
            }
            s.write_all(&m.read_bytes(ptr, len)?)?
        }
        _ => return Err(Errno::BADF.into()),
    };
    Ok(n as u32)
}

pub fn fd_write(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
) -> P1Result<()> {
    let n = write_impl(k, m, fd, iovs, iovs_len, None)?;
    result_write("size", m.write_u32(nwritten as u32, n))
}

pub fn fd_pwrite(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: i64,
    nwritten: i32,
) -> P1Result<()> {
    let n = write_impl(k, m, fd, iovs, iovs_len, Some(offset as u64))?;
    result_write("size", m.write_u32(nwritten as u32, n))
}

pub fn fd_prestat_get(k: &Kernel, m: &GuestMemory, fd: i32, buf: i32) -> P1Result<()> {
    match &*desc(k, fd)? {
        Descriptor::Dir {
            preopen: Some(name),
            ..
        } => {
            let len = u32::try_from(name.len()).map_err(|_| P1Error::Errno(Errno::OVERFLOW))?;
            result_write(
                "prestat",
                m.write_u8(buf as u32, 0)
                    .and_then(|()| m.write_u32(offset(buf as u32, 4)?, len)),
            )
        }
        _ => Err(Errno::BADF.into()),
    }
}

pub fn fd_prestat_dir_name(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    path: i32,
    path_len: i32,
) -> P1Result<()> {
    match &*desc(k, fd)? {
        Descriptor::Dir {
            preopen: Some(name),
            ..
        } => {
            if name.len() > path_len as u32 as usize {
                return Err(Errno::NAMETOOLONG.into());
            }
            // NB: only the name's bytes are checked, not all `path_len`
            // (as wasmtime), but a name ending exactly at 2^32 is a pointer
            // overflow.
            m.write_bytes_advance(path as u32, name.as_bytes())
                .map(drop)
        }
        _ => Err(Errno::NOTDIR.into()),
    }
}

pub fn fd_renumber(k: &Kernel, _m: &GuestMemory, fd: i32, to: i32) -> P1Result<()> {
    Ok(k.renumber(fd as u32, to as u32)?)
}

pub fn fd_seek(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    offset: i64,
    whence: i32,
    newoffset: i32,
) -> P1Result<()> {
    let whence = types::enum_u8(whence, 3, "Whence")?;
    let f = seekable(k, fd)?;
    let inval = P1Error::Errno(Errno::INVAL);
    let mut state = f.lock();
    let pos = match whence {
        0 => u64::try_from(offset).map_err(|_| inval)?,
        1 => state.position.checked_add_signed(offset).ok_or(inval)?,
        _ => f
            .file
            .stat()?
            .size
            .checked_add_signed(offset)
            .ok_or(inval)?,
    };
    state.position = pos;
    drop(state);
    result_write("filesize", m.write_u64(newoffset as u32, pos))
}

pub fn fd_tell(k: &Kernel, m: &GuestMemory, fd: i32, offset: i32) -> P1Result<()> {
    let pos = seekable(k, fd)?.lock().position;
    result_write("filesize", m.write_u64(offset as u32, pos))
}

pub fn fd_readdir(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    buf: i32,
    buf_len: i32,
    cookie: i64,
    bufused: i32,
) -> P1Result<()> {
    let d = dir(k, fd)?;
    let entries = d.read_dir()?;
    let self_ino = d.stat()?.ino;
    let cookie = usize::try_from(cookie as u64).map_err(|_| P1Error::Errno(Errno::OVERFLOW))?;
    let mut records: Vec<(u64, u64, u8, String)> = vec![
        (1, self_ino, 3, ".".to_string()),
        (2, self_ino, 3, "..".to_string()),
    ];
    for (entry, next) in entries.into_iter().zip(3u64..) {
        let e = entry?;
        records.push((next, e.ino, types::filetype(e.file_type), e.name));
    }
    let buf_len = buf_len as u32;
    let mut out = buf as u32;
    let mut cap = buf_len;
    for (next, ino, ty, name) in records.into_iter().skip(cookie) {
        let namlen = u32::try_from(name.len()).map_err(|_| P1Error::Errno(Errno::OVERFLOW))?;
        let mut rec = [0u8; types::DIRENT_SIZE as usize];
        rec[0..8].copy_from_slice(&next.to_le_bytes());
        rec[8..16].copy_from_slice(&ino.to_le_bytes());
        rec[16..20].copy_from_slice(&namlen.to_le_bytes());
        rec[20] = ty;
        // Each piece advances the output pointer before the buffer is
        // found full, so a buffer ending exactly at 2^32 overflows.
        let head = cap.min(types::DIRENT_SIZE);
        out = m.write_bytes_advance(out, &rec[..head as usize])?;
        cap -= head;
        if cap == 0 {
            return result_write("size", m.write_u32(bufused as u32, buf_len));
        }
        let name = &name.as_bytes()[..name.len().min(cap as usize)];
        out = m.write_bytes_advance(out, name)?;
        cap -= name.len() as u32;
        if cap == 0 {
            return result_write("size", m.write_u32(bufused as u32, buf_len));
        }
    }
    result_write("size", m.write_u32(bufused as u32, buf_len - cap))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Harness, tmpdir};
    use super::*;

    fn iov(h: &mut Harness, at: usize, ptr: u32, len: u32) {
        h.buf[at..at + 4].copy_from_slice(&ptr.to_le_bytes());
        h.buf[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
    }

    #[test]
    fn stdio_and_preopen_fdstat() {
        let dir = tmpdir("fdstat");
        let mut h = Harness::new(&dir);
        h.run(|k, m| fd_fdstat_get(k, m, 3, 64)).unwrap();
        assert_eq!(h.buf[64], 3);
        assert_eq!(h.u64_at(72), rights::PREOPEN_BASE);
        assert_eq!(h.u64_at(80), rights::PREOPEN_INHERITING);
        h.run(|k, m| fd_fdstat_get(k, m, 1, 64)).unwrap();
        assert_eq!(h.u64_at(72), rights::FD_WRITE);
        assert_eq!(
            h.run(|k, m| fd_fdstat_get(k, m, 9, 64)),
            Err(P1Error::Errno(Errno::BADF))
        );
        assert!(matches!(
            h.run(|k, m| fd_fdstat_get(k, m, 3, 65)),
            Err(P1Error::FatalWrite { ty: "fdstat", .. })
        ));
        // Prestat of the preopen and errors of others.
        h.run(|k, m| fd_prestat_get(k, m, 3, 128)).unwrap();
        assert_eq!((h.buf[128], h.u32_at(132)), (0, 8));
        assert_eq!(
            h.run(|k, m| fd_prestat_get(k, m, 1, 128)),
            Err(P1Error::Errno(Errno::BADF))
        );
        assert_eq!(
            h.run(|k, m| fd_prestat_dir_name(k, m, 3, 200, 7)),
            Err(P1Error::Errno(Errno::NAMETOOLONG))
        );
        h.run(|k, m| fd_prestat_dir_name(k, m, 3, 200, 8)).unwrap();
        assert_eq!(&h.buf[200..208], b"/sandbox");
        assert_eq!(
            h.run(|k, m| fd_prestat_dir_name(k, m, 0, 200, 8)),
            Err(P1Error::Errno(Errno::NOTDIR))
        );
        assert_eq!(
            h.run(|k, m| fd_seek(k, m, 1, 0, 0, 64)),
            Err(P1Error::Errno(Errno::SPIPE))
        );
        assert_eq!(
            h.run(|k, m| fd_seek(k, m, 3, 0, 0, 64)),
            Err(P1Error::Errno(Errno::BADF))
        );
        assert!(matches!(
            h.run(|k, m| fd_seek(k, m, 3, 0, 3, 64)),
            Err(P1Error::FatalConvert { ty: "Whence", .. })
        ));
        assert_eq!(
            h.run(|k, m| fd_allocate(k, m, 3, 0, 1)),
            Err(P1Error::Errno(Errno::BADF))
        );
        assert_eq!(
            h.run(|k, m| fd_fdstat_set_rights(k, m, 3, 0, 0)),
            Err(P1Error::Errno(Errno::NOTSUP))
        );
        assert_eq!(
            h.run(|k, m| fd_fdstat_set_rights(k, m, 1, 0, 0)),
            Err(P1Error::Errno(Errno::BADF))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_busy_descriptor_holds_up_only_its_own_calls() {
        let dir = tmpdir("busy");
        std::fs::write(dir.join("a.txt"), b"aaaa").unwrap();
        let h = Harness::new(&dir);
        let k = &h.kernel;
        let open = |m: &GuestMemory, name: &[u8]| {
            m.write_bytes(1000, name).unwrap();
            let creat = super::super::types::oflags::CREAT as i32;
            super::super::path::path_open(
                k,
                m,
                3,
                0,
                1000,
                name.len() as i32,
                creat,
                rights::ALL as i64,
                0,
                0,
                100,
            )
            .unwrap();
            m.read_u32(100).unwrap() as i32
        };
        let mut buf = vec![0u8; 4096];
        // SAFETY: `buf` outlives the view and only this thread uses it.
        let m = unsafe { GuestMemory::new(buf.as_mut_ptr(), buf.len()) };
        let a = open(&m, b"a.txt");
        // A call in progress on `a` (one holding its lock, as a read does
        // across its I/O).
        let busy = file(k, a).unwrap();
        let guard = busy.lock();
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel();
            let other = s.spawn(move || {
                let mut buf = vec![0u8; 4096];
                // SAFETY: `buf` outlives the view and only this thread uses it.
                let m = unsafe { GuestMemory::new(buf.as_mut_ptr(), buf.len()) };
                // Other descriptors and the table stay usable...
                let b = open(&m, b"b.txt");
                m.write_bytes(2000, b"bb").unwrap();
                m.write_u32(300, 2000).unwrap();
                m.write_u32(304, 2).unwrap();
                fd_write(k, &m, b, 300, 1, 104).unwrap();
                fd_close(k, &m, b).unwrap();
                fd_fdstat_get(k, &m, 3, 64).unwrap();
                let _ = tx.send(());
                // ...and a call on `a` waits for the call in progress.
                fd_tell(k, &m, a, 112).unwrap();
            });
            let other_calls = rx.recv_timeout(std::time::Duration::from_secs(10));
            std::thread::sleep(std::time::Duration::from_millis(20));
            let tell_waited = !other.is_finished();
            drop(guard);
            other.join().unwrap();
            other_calls.expect("calls on other descriptors were held up");
            assert!(tell_waited);
        });
        assert_eq!(std::fs::read(dir.join("b.txt")).unwrap(), b"bb");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn file_io_and_readdir() {
        let dir = tmpdir("fileio");
        std::fs::write(dir.join("f.txt"), b"hello world").unwrap();
        let mut h = Harness::new(&dir);
        let p = h.put(1000, b"f.txt");
        h.run(|k, m| {
            super::super::path::path_open(k, m, 3, 0, 1000, p, 0, rights::ALL as i64, 0, 0, 100)
        })
        .unwrap();
        let fd = h.u32_at(100) as i32;
        assert_eq!(fd, 4);
        // Two iovecs: an empty one, then 5 bytes at 2000; only the first
        // non-empty one is filled.
        iov(&mut h, 300, 2000, 0);
        iov(&mut h, 308, 2000, 5);
        iov(&mut h, 316, 3000, 5);
        h.run(|k, m| fd_read(k, m, fd, 300, 3, 104)).unwrap();
        assert_eq!((h.u32_at(104), &h.buf[2000..2005]), (5, &b"hello"[..]));
        h.run(|k, m| fd_tell(k, m, fd, 112)).unwrap();
        assert_eq!(h.u64_at(112), 5);
        h.run(|k, m| fd_pread(k, m, fd, 308, 1, 6, 104)).unwrap();
        assert_eq!(&h.buf[2000..2005], b"world");
        h.run(|k, m| fd_seek(k, m, fd, -3, 2, 112)).unwrap();
        assert_eq!(h.u64_at(112), 8);
        assert_eq!(
            h.run(|k, m| fd_seek(k, m, fd, -100, 1, 112)),
            Err(P1Error::Errno(Errno::INVAL))
        );
        h.put(2000, b"XYZ");
        iov(&mut h, 308, 2000, 3);
        h.run(|k, m| fd_write(k, m, fd, 308, 1, 104)).unwrap();
        assert_eq!(std::fs::read(dir.join("f.txt")).unwrap(), b"hello woXYZ");
        // Read-only rights: writes fail with EBADF from the host.
        h.run(|k, m| fd_fdstat_get(k, m, fd, 64)).unwrap();
        assert_eq!(h.u64_at(72), rights::ALL);
        // readdir: ".", "..", "f.txt".
        h.run(|k, m| fd_readdir(k, m, 3, 4096, 1024, 0, 104))
            .unwrap();
        let used = h.u32_at(104) as usize;
        assert_eq!(used, 24 + 1 + 24 + 2 + 24 + 5);
        assert_eq!(h.u64_at(4096), 1);
        assert_eq!(h.buf[4096 + 20], 3);
        assert_eq!(&h.buf[4096 + 24..4096 + 25], b".");
        assert_eq!(h.u64_at(4096 + 25 + 24 + 2), 3);
        assert_eq!(h.buf[4096 + 51 + 20], 4);
        // Cookie 2 skips "." and ".."; a 30-byte buffer truncates the name.
        h.run(|k, m| fd_readdir(k, m, 3, 4096, 26, 2, 104)).unwrap();
        assert_eq!(h.u32_at(104), 26);
        assert_eq!(&h.buf[4096 + 24..4096 + 26], b"f.");
        h.run(|k, m| fd_close(k, m, fd)).unwrap();
        assert_eq!(
            h.run(|k, m| fd_close(k, m, fd)),
            Err(P1Error::Errno(Errno::BADF))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
