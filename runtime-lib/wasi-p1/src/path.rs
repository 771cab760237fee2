//! P1 `path_*` functions.
//!
//! Phase: run time. Inputs: a directory descriptor and guest path strings.
//! Outputs: errno, new descriptors, results in guest memory.
//!
//! Invariants (Wasmtime `preview1.rs`):
//! - The base descriptor must be a directory: anything else is `EBADF`,
//!   except in `path_open`, where a file base is `ENOTDIR`.
//! - Argument order of checks: flag/enum decoding, then the descriptor(s),
//!   then the path strings (except `path_open`, which reads its path first).
//! - `path_open` derives read/write access from the requested *rights*
//!   (`fd_read`/`fd_write`); `O_CREAT`/`O_TRUNC` imply write, no write
//!   implies read; sync fdflags are `ENOTSUP`; `O_DIRECTORY` with
//!   `O_CREAT`/`O_EXCL`/`O_TRUNC` is `EINVAL`.

use super::P1Result;
use super::fd::{desc, dir, times, write_filestat};
use super::memory::{GuestMemory, result_write};
use super::types::{self, Errno, LOOKUP_SYMLINK_FOLLOW, fdflags, oflags, rights};
use crate::kernel::fs::{DescriptorFlags, OpenFlags, Opened};
use crate::kernel::{Descriptor, DirHandle, FileDesc, FileState, Kernel};

/// The directory `fd` and the guest path relative to it: every `path_*`
/// call resolves its path through a directory descriptor (EBADF/ENOTDIR
/// before the path is read).
fn dir_path(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    path: i32,
    path_len: i32,
) -> P1Result<(DirHandle, String)> {
    let d = dir(k, fd)?;
    Ok((d, m.string(path as u32, path_len as u32)?))
}

fn lookup(flags: i32) -> P1Result<bool> {
    Ok(types::flags_u32(flags, LOOKUP_SYMLINK_FOLLOW, "Lookupflags")? != 0)
}

pub fn path_create_directory(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    path: i32,
    path_len: i32,
) -> P1Result<()> {
    let (d, path) = dir_path(k, m, fd, path, path_len)?;
    Ok(d.create_directory_at(&path)?)
}

pub fn path_filestat_get(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    flags: i32,
    path: i32,
    path_len: i32,
    buf: i32,
) -> P1Result<()> {
    let follow = lookup(flags)?;
    let (d, path) = dir_path(k, m, fd, path, path_len)?;
    let st = d.stat_at(&path, follow)?;
    result_write(
        "filestat",
        write_filestat(m, buf as u32, types::filetype(st.file_type), Some(&st)),
    )
}

pub fn path_filestat_set_times(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    flags: i32,
    path: i32,
    path_len: i32,
    atim: i64,
    mtim: i64,
    fst_flags: i32,
) -> P1Result<()> {
    let follow = lookup(flags)?;
    let (a, t) = times(atim, mtim, fst_flags)?;
    let (d, path) = dir_path(k, m, fd, path, path_len)?;
    Ok(d.set_times_at(&path, follow, a, t)?)
}

pub fn path_link(
    k: &Kernel,
    m: &GuestMemory,
    old_fd: i32,
    old_flags: i32,
    old_path: i32,
    old_path_len: i32,
    new_fd: i32,
    new_path: i32,
    new_path_len: i32,
) -> P1Result<()> {
    let follow = lookup(old_flags)?;
    let old = dir(k, old_fd)?;
    let new = dir(k, new_fd)?;
    let old_path = m.string(old_path as u32, old_path_len as u32)?;
    let new_path = m.string(new_path as u32, new_path_len as u32)?;
    Ok(old.link_at(follow, &old_path, &new, &new_path)?)
}

pub fn path_open(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    dirflags: i32,
    path: i32,
    path_len: i32,
    oflags_arg: i32,
    fs_rights_base: i64,
    fs_rights_inheriting: i64,
    fdflags_arg: i32,
    opened_fd: i32,
) -> P1Result<()> {
    let follow = lookup(dirflags)?;
    let of = types::flags_u16(oflags_arg, oflags::ALL, "Oflags")?;
    let base = types::rights_arg(fs_rights_base)?;
    types::rights_arg(fs_rights_inheriting)?;
    let ff = types::flags_u16(fdflags_arg, fdflags::ALL, "Fdflags")?;
    let path = m.string(path as u32, path_len as u32)?;
    let flags = DescriptorFlags {
        read: base & rights::FD_READ != 0,
        write: base & rights::FD_WRITE != 0,
        sync: ff & (fdflags::SYNC | fdflags::DSYNC | fdflags::RSYNC) != 0,
    };
    let open = OpenFlags {
        create: of & oflags::CREAT != 0,
        directory: of & oflags::DIRECTORY != 0,
        exclusive: of & oflags::EXCL != 0,
        truncate: of & oflags::TRUNC != 0,
    };
    let base = desc(k, fd)?;
    let base_dir = match &*base {
        Descriptor::Dir { dir, .. } => dir,
        Descriptor::File(_) => return Err(Errno::NOTDIR.into()),
        _ => return Err(Errno::BADF.into()),
    };
    let new = match base_dir.open_at(&path, follow, open, flags)? {
        Opened::Dir(dir) => Descriptor::Dir { dir, preopen: None },
        Opened::File(file) => Descriptor::File(FileDesc::new(
            file,
            FileState {
                position: 0,
                append: ff & fdflags::APPEND != 0,
                nonblocking: ff & fdflags::NONBLOCK != 0,
            },
        )),
    };
    let new_fd = k.push(new)?;
    result_write("fd", m.write_u32(opened_fd as u32, new_fd))
}

pub fn path_readlink(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    path: i32,
    path_len: i32,
    buf: i32,
    buf_len: i32,
    bufused: i32,
) -> P1Result<()> {
    let (d, path) = dir_path(k, m, fd, path, path_len)?;
    let target = d.readlink_at(&path)?;
    let n = target.len().min(buf_len as u32 as usize);
    // A target ending exactly at 2^32 is a pointer overflow (wasmtime's
    // `write_bytes`).
    m.write_bytes_advance(buf as u32, &target.as_bytes()[..n])?;
    result_write("size", m.write_u32(bufused as u32, n as u32))
}

pub fn path_remove_directory(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    path: i32,
    path_len: i32,
) -> P1Result<()> {
    let (d, path) = dir_path(k, m, fd, path, path_len)?;
    Ok(d.remove_directory_at(&path)?)
}

pub fn path_rename(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    old_path: i32,
    old_path_len: i32,
    new_fd: i32,
    new_path: i32,
    new_path_len: i32,
) -> P1Result<()> {
    let old = dir(k, fd)?;
    let new = dir(k, new_fd)?;
    let old_path = m.string(old_path as u32, old_path_len as u32)?;
    let new_path = m.string(new_path as u32, new_path_len as u32)?;
    Ok(old.rename_at(&old_path, &new, &new_path)?)
}

pub fn path_symlink(
    k: &Kernel,
    m: &GuestMemory,
    old_path: i32,
    old_path_len: i32,
    fd: i32,
    new_path: i32,
    new_path_len: i32,
) -> P1Result<()> {
    let d = dir(k, fd)?;
    let old_path = m.string(old_path as u32, old_path_len as u32)?;
    let new_path = m.string(new_path as u32, new_path_len as u32)?;
    Ok(d.symlink_at(&old_path, &new_path)?)
}

pub fn path_unlink_file(
    k: &Kernel,
    m: &GuestMemory,
    fd: i32,
    path: i32,
    path_len: i32,
) -> P1Result<()> {
    let d = dir(k, fd)?;
    // NB: wasmtime charges no fuel for this one path.
    let path = m.string_unfueled(path as u32, path_len as u32)?;
    Ok(d.unlink_file_at(&path)?)
}

#[cfg(test)]
mod tests {
    use super::super::P1Error;
    use super::super::testing::{Harness, tmpdir};
    use super::*;

    #[test]
    fn open_errors_and_escapes() {
        let dir = tmpdir("path");
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::fs::write(dir.join("file"), b"x").unwrap();
        let mut h = Harness::new(&dir);
        let open = |h: &mut Harness, path: &[u8], oflags: i32, rights: u64, fdflags: i32| {
            let n = h.put(1000, path);
            h.run(|k, m| path_open(k, m, 3, 1, 1000, n, oflags, rights as i64, 0, fdflags, 100))
        };
        let rw = rights::FD_READ | rights::FD_WRITE;
        assert_eq!(
            open(&mut h, b"../x", 0, rw, 0),
            Err(P1Error::Errno(Errno::PERM))
        );
        assert_eq!(
            open(&mut h, b"/etc/passwd", 0, 0, 0),
            Err(P1Error::Errno(Errno::PERM))
        );
        assert_eq!(
            open(&mut h, b"missing", 0, 0, 0),
            Err(P1Error::Errno(Errno::NOENT))
        );
        assert_eq!(
            open(&mut h, b"file", 1 | 4, rw, 0),
            Err(P1Error::Errno(Errno::EXIST))
        );
        assert_eq!(
            open(&mut h, b"file", 2, 0, 0),
            Err(P1Error::Errno(Errno::NOTDIR))
        );
        assert_eq!(
            open(&mut h, b"sub", 0, rw, 0),
            Err(P1Error::Errno(Errno::ISDIR))
        );
        assert_eq!(
            open(&mut h, b"sub", 2 | 1, 0, 0),
            Err(P1Error::Errno(Errno::INVAL))
        );
        assert_eq!(
            open(&mut h, b"file", 0, rw, fdflags::SYNC as i32),
            Err(P1Error::Errno(Errno::NOTSUP))
        );
        assert!(matches!(
            open(&mut h, b"file", 16, 0, 0),
            Err(P1Error::FatalConvert { ty: "Oflags", .. })
        ));
        assert!(matches!(
            open(&mut h, b"file", 0x10000, 0, 0),
            Err(P1Error::FatalConvert { ty: "Oflags", .. })
        ));
        assert_eq!(
            open(&mut h, b"\xff", 0, 0, 0),
            Err(P1Error::Errno(Errno::ILSEQ))
        );
        open(&mut h, b"sub", 2, 0, 0).unwrap();
        assert_eq!(h.u32_at(100), 4);
        // A file as base directory is ENOTDIR for path_open, EBADF elsewhere.
        open(&mut h, b"file", 0, 0, 0).unwrap();
        assert_eq!(h.u32_at(100), 5);
        let n = h.put(1000, b"x");
        assert_eq!(
            h.run(|k, m| path_open(k, m, 5, 0, 1000, n, 0, 0, 0, 0, 100)),
            Err(P1Error::Errno(Errno::NOTDIR))
        );
        assert_eq!(
            h.run(|k, m| path_create_directory(k, m, 5, 1000, n)),
            Err(P1Error::Errno(Errno::BADF))
        );
        // Directory removal rules.
        let n = h.put(1000, b"sub");
        assert_eq!(
            h.run(|k, m| path_unlink_file(k, m, 3, 1000, n)),
            Err(P1Error::Errno(Errno::ISDIR))
        );
        let n = h.put(1000, b"file");
        assert_eq!(
            h.run(|k, m| path_remove_directory(k, m, 3, 1000, n)),
            Err(P1Error::Errno(Errno::NOTDIR))
        );
        // Out-of-bounds path: fatal.
        assert!(matches!(
            h.run(|k, m| path_create_directory(k, m, 3, 65530, 10)),
            Err(P1Error::Fatal(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
