//! The methods of `wasi:filesystem/types.descriptor` and
//! `directory-entry-stream`.
//!
//! Phase: run time (host functions). Inputs: a borrowed descriptor, paths
//! as guest strings, WIT flags. Outputs: `result<_, error-code>` values;
//! effects through the kernel.
//!
//! Invariants: see [`super`] (which object kinds each method accepts, and
//! what is a trap). Checks happen in wasmtime's order: the descriptor's
//! kind first, then argument conversions (timestamps), then the kernel
//! call.

use super::streams::{DirEntryStream, FileInput, FileOutput, MAX_CHUNK, OutputMode};
use super::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use super::{Descriptor, DescriptorRes, DirEntryStreamRes};
use crate::P2Host;
use crate::io::{Bytes, InputStreamRes, OutputStreamRes};
use kiln_canon::{Borrow, GuestBytes, GuestStr, Own, Trap};
use kiln_wasi_kernel::error::KResult;
use kiln_wasi_kernel::fs::{self, Opened, Stat};
use std::sync::Arc;

/// A host function's result: a trap, or the WIT `result<T, error-code>`.
pub type FsResult<T> = Result<Result<T, ErrorCode>, Trap>;

/// The object behind a borrowed descriptor (a trap if it is unknown).
fn desc<'h>(h: &'h P2Host, d: &Borrow<DescriptorRes>) -> Result<&'h Descriptor, Trap> {
    h.fs.descriptors
        .get(d.rep())
        .ok_or_else(|| kiln_canon::trap::trap("unknown descriptor"))
}

/// `descriptor.file()`: a directory is `bad-descriptor`.
fn file(d: &Descriptor) -> Result<&Arc<fs::File>, ErrorCode> {
    match d {
        Descriptor::File(f) => Ok(f),
        Descriptor::Dir(_) => Err(ErrorCode::BadDescriptor),
    }
}

/// `descriptor.dir()`: a file is `not-directory`.
fn dir(d: &Descriptor) -> Result<&fs::Dir, ErrorCode> {
    match d {
        Descriptor::Dir(d) => Ok(d),
        Descriptor::File(_) => Err(ErrorCode::NotDirectory),
    }
}

/// Runs `f` on the file behind `this`.
fn on_file<T>(
    h: &P2Host,
    this: &Borrow<DescriptorRes>,
    f: impl FnOnce(&Arc<fs::File>) -> Result<T, ErrorCode>,
) -> FsResult<T> {
    Ok(file(desc(h, this)?).and_then(f))
}

/// Runs `f` on the directory behind `this`.
fn on_dir<T>(
    h: &P2Host,
    this: &Borrow<DescriptorRes>,
    f: impl FnOnce(&fs::Dir) -> Result<T, ErrorCode>,
) -> FsResult<T> {
    Ok(dir(desc(h, this)?).and_then(f))
}

/// Kernel result -> WIT result.
fn to_wit<T>(r: KResult<T>) -> Result<T, ErrorCode> {
    r.map_err(ErrorCode::from)
}

/// The attributes of either kind of descriptor.
fn stat_of(d: &Descriptor) -> KResult<Stat> {
    match d {
        Descriptor::File(f) => f.stat(),
        Descriptor::Dir(d) => d.stat(),
    }
}

/// `read-via-stream(offset)`.
pub fn read_via_stream(
    h: &mut P2Host,
    (this, offset): (Borrow<DescriptorRes>, u64),
) -> FsResult<Own<InputStreamRes>> {
    let f = match desc(h, &this)? {
        Descriptor::File(f) => f.clone(),
        Descriptor::Dir(_) => return Ok(Err(ErrorCode::IsDirectory)),
    };
    Ok(Ok(h.new_input(Box::new(FileInput::new(f, offset)))))
}

/// An output stream on the file behind `this`.
fn output_stream(
    h: &mut P2Host,
    this: &Borrow<DescriptorRes>,
    mode: OutputMode,
) -> FsResult<Own<OutputStreamRes>> {
    let f = match file(desc(h, this)?) {
        Ok(f) => f.clone(),
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(h.new_output(Box::new(FileOutput::new(f, mode)))))
}

/// `write-via-stream(offset)`.
pub fn write_via_stream(
    h: &mut P2Host,
    (this, offset): (Borrow<DescriptorRes>, u64),
) -> FsResult<Own<OutputStreamRes>> {
    output_stream(h, &this, OutputMode::Position(offset))
}

/// `append-via-stream`.
pub fn append_via_stream(
    h: &mut P2Host,
    (this,): (Borrow<DescriptorRes>,),
) -> FsResult<Own<OutputStreamRes>> {
    output_stream(h, &this, OutputMode::Append)
}

/// `advise(offset, length, advice)`.
pub fn advise(
    h: &mut P2Host,
    (this, offset, len, advice): (Borrow<DescriptorRes>, u64, u64, Advice),
) -> FsResult<()> {
    on_file(h, &this, |f| to_wit(f.advise(offset, len, advice.into())))
}

/// `sync-data`.
pub fn sync_data(h: &mut P2Host, (this,): (Borrow<DescriptorRes>,)) -> FsResult<()> {
    Ok(to_wit(match desc(h, &this)? {
        Descriptor::File(f) => f.sync_data(),
        Descriptor::Dir(d) => d.sync_data(),
    }))
}

/// `get-flags`.
pub fn get_flags(h: &mut P2Host, (this,): (Borrow<DescriptorRes>,)) -> FsResult<DescriptorFlags> {
    Ok(to_wit(match desc(h, &this)? {
        Descriptor::File(f) => f
            .sync_flags()
            .map(|s| types::reported_flags(s, f.open_mode, false)),
        Descriptor::Dir(d) => d
            .sync_flags()
            .map(|s| types::reported_flags(s, d.open_mode, true)),
    }))
}

/// `get-type`: a directory without asking the host; a file from its
/// attributes.
pub fn get_type(h: &mut P2Host, (this,): (Borrow<DescriptorRes>,)) -> FsResult<DescriptorType> {
    Ok(match desc(h, &this)? {
        Descriptor::File(f) => to_wit(f.stat()).map(|s| s.file_type.into()),
        Descriptor::Dir(_) => Ok(DescriptorType::Directory),
    })
}

/// `set-size(size)`.
pub fn set_size(h: &mut P2Host, (this, size): (Borrow<DescriptorRes>, u64)) -> FsResult<()> {
    on_file(h, &this, |f| to_wit(f.set_size(size)))
}

/// `set-times(access, modification)`.
pub fn set_times(
    h: &mut P2Host,
    (this, atim, mtim): (Borrow<DescriptorRes>, NewTimestamp, NewTimestamp),
) -> FsResult<()> {
    kernel_set_times(h, &this, || {
        Ok((types::new_timestamp(atim)?, types::new_timestamp(mtim)?))
    })
}

/// `set-times` with the kernel's timestamps (WASI 0.3's `instant`s reach
/// before 1970, which a 0.2 `datetime` cannot).
pub fn kernel_set_times(
    h: &P2Host,
    this: &Borrow<DescriptorRes>,
    times: impl FnOnce() -> Result<(fs::NewTimestamp, fs::NewTimestamp), ErrorCode>,
) -> FsResult<()> {
    let d = desc(h, this)?;
    Ok(times().and_then(|(a, m)| {
        to_wit(match d {
            Descriptor::File(f) => f.set_times(a, m),
            Descriptor::Dir(d) => d.set_times(a, m),
        })
    }))
}

/// `read(length, offset)`: one `pread` of at most 64 KiB; `true` at end of
/// file (also for a zero length, as wasmtime).
pub fn read(
    h: &mut P2Host,
    (this, len, offset): (Borrow<DescriptorRes>, u64, u64),
) -> FsResult<(Bytes, bool)> {
    on_file(h, &this, |f| {
        let mut buf = vec![0; len.min(MAX_CHUNK) as usize];
        let n = to_wit(f.read_at(&mut buf, offset))?;
        buf.truncate(n);
        Ok((Bytes(buf), n == 0))
    })
}

/// `write(buffer, offset)`: one `pwrite`; the count written.
pub fn write(
    h: &mut P2Host,
    (this, data, offset): (Borrow<DescriptorRes>, GuestBytes<'_>, u64),
) -> FsResult<u64> {
    on_file(h, &this, |f| {
        to_wit(f.write_at(&data, offset)).map(|n| n as u64)
    })
}

/// `read-directory`: the entries are read now, the stream hands them out.
pub fn read_directory(
    h: &mut P2Host,
    (this,): (Borrow<DescriptorRes>,),
) -> FsResult<Own<DirEntryStreamRes>> {
    let entries = match dir(desc(h, &this)?).and_then(|d| to_wit(d.read_dir())) {
        Ok(entries) => entries,
        Err(e) => return Ok(Err(e)),
    };
    let rep = h.fs.dir_streams.insert(DirEntryStream::new(entries));
    Ok(Ok(Own::new(rep)))
}

/// `sync`.
pub fn sync(h: &mut P2Host, (this,): (Borrow<DescriptorRes>,)) -> FsResult<()> {
    Ok(to_wit(match desc(h, &this)? {
        Descriptor::File(f) => f.sync(),
        Descriptor::Dir(d) => d.sync(),
    }))
}

/// `create-directory-at(path)`.
pub fn create_directory_at(
    h: &mut P2Host,
    (this, path): (Borrow<DescriptorRes>, GuestStr<'_>),
) -> FsResult<()> {
    on_dir(h, &this, |d| to_wit(d.create_directory_at(&path)))
}

/// `stat`.
pub fn stat(h: &mut P2Host, (this,): (Borrow<DescriptorRes>,)) -> FsResult<DescriptorStat> {
    Ok(kernel_stat(h, &this)?.map(|s| DescriptorStat::from(&s)))
}

/// `stat`, as the kernel's [`Stat`] (WASI 0.3 reads times before the
/// epoch from it, which a 0.2 `datetime` cannot hold).
pub fn kernel_stat(h: &P2Host, this: &Borrow<DescriptorRes>) -> FsResult<Stat> {
    Ok(to_wit(stat_of(desc(h, this)?)))
}

/// `stat-at(path-flags, path)`.
pub fn stat_at(
    h: &mut P2Host,
    (this, flags, path): (Borrow<DescriptorRes>, PathFlags, GuestStr<'_>),
) -> FsResult<DescriptorStat> {
    Ok(kernel_stat_at(h, &this, flags, &path)?.map(|s| DescriptorStat::from(&s)))
}

/// `stat-at`, as the kernel's [`Stat`] (see [`kernel_stat`]).
pub fn kernel_stat_at(
    h: &P2Host,
    this: &Borrow<DescriptorRes>,
    flags: PathFlags,
    path: &str,
) -> FsResult<Stat> {
    on_dir(h, this, |d| to_wit(d.stat_at(path, types::follow(flags))))
}

/// `set-times-at(path-flags, path, access, modification)`.
pub fn set_times_at(
    h: &mut P2Host,
    (this, flags, path, atim, mtim): (
        Borrow<DescriptorRes>,
        PathFlags,
        GuestStr<'_>,
        NewTimestamp,
        NewTimestamp,
    ),
) -> FsResult<()> {
    kernel_set_times_at(h, &this, flags, &path, || {
        Ok((types::new_timestamp(atim)?, types::new_timestamp(mtim)?))
    })
}

/// `set-times-at` with the kernel's timestamps (see [`kernel_set_times`]).
pub fn kernel_set_times_at(
    h: &P2Host,
    this: &Borrow<DescriptorRes>,
    flags: PathFlags,
    path: &str,
    times: impl FnOnce() -> Result<(fs::NewTimestamp, fs::NewTimestamp), ErrorCode>,
) -> FsResult<()> {
    on_dir(h, this, |d| {
        let (a, m) = times()?;
        to_wit(d.set_times_at(path, types::follow(flags), a, m))
    })
}

/// Both directories of a two-directory operation (old, then new, each
/// `not-directory` if a file).
fn two_dirs<'h>(
    h: &'h P2Host,
    this: &Borrow<DescriptorRes>,
    other: &Borrow<DescriptorRes>,
) -> Result<Result<(&'h fs::Dir, &'h fs::Dir), ErrorCode>, Trap> {
    let old = desc(h, this)?;
    let new = desc(h, other)?;
    Ok(dir(old).and_then(|o| Ok((o, dir(new)?))))
}

/// `link-at(old-path-flags, old-path, new-descriptor, new-path)`.
pub fn link_at(
    h: &mut P2Host,
    (this, flags, old_path, new_desc, new_path): (
        Borrow<DescriptorRes>,
        PathFlags,
        GuestStr<'_>,
        Borrow<DescriptorRes>,
        GuestStr<'_>,
    ),
) -> FsResult<()> {
    Ok(two_dirs(h, &this, &new_desc)?.and_then(|(old, new)| {
        to_wit(old.link_at(types::follow(flags), &old_path, new, &new_path))
    }))
}

/// `open-at(path-flags, path, open-flags, flags)`.
pub fn open_at(
    h: &mut P2Host,
    (this, path_flags, path, oflags, flags): (
        Borrow<DescriptorRes>,
        PathFlags,
        GuestStr<'_>,
        OpenFlags,
        DescriptorFlags,
    ),
) -> FsResult<Own<DescriptorRes>> {
    let opened = dir(desc(h, &this)?).and_then(|d| {
        to_wit(d.open_at(
            &path,
            types::follow(path_flags),
            types::open_flags(oflags),
            types::requested_flags(flags),
        ))
    });
    let d = match opened {
        Ok(Opened::Dir(d)) => Descriptor::Dir(d),
        Ok(Opened::File(f)) => Descriptor::File(Arc::new(f)),
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(Own::new(h.fs.descriptors.insert(d))))
}

/// `readlink-at(path)`.
pub fn readlink_at(
    h: &mut P2Host,
    (this, path): (Borrow<DescriptorRes>, GuestStr<'_>),
) -> FsResult<String> {
    on_dir(h, &this, |d| to_wit(d.readlink_at(&path)))
}

/// `remove-directory-at(path)`.
pub fn remove_directory_at(
    h: &mut P2Host,
    (this, path): (Borrow<DescriptorRes>, GuestStr<'_>),
) -> FsResult<()> {
    on_dir(h, &this, |d| to_wit(d.remove_directory_at(&path)))
}

/// `rename-at(old-path, new-descriptor, new-path)`.
pub fn rename_at(
    h: &mut P2Host,
    (this, old_path, new_desc, new_path): (
        Borrow<DescriptorRes>,
        GuestStr<'_>,
        Borrow<DescriptorRes>,
        GuestStr<'_>,
    ),
) -> FsResult<()> {
    Ok(two_dirs(h, &this, &new_desc)?
        .and_then(|(old, new)| to_wit(old.rename_at(&old_path, new, &new_path))))
}

/// `symlink-at(old-path, new-path)`: a link at `new-path` whose target is
/// `old-path`.
pub fn symlink_at(
    h: &mut P2Host,
    (this, target, new_path): (Borrow<DescriptorRes>, GuestStr<'_>, GuestStr<'_>),
) -> FsResult<()> {
    on_dir(h, &this, |d| to_wit(d.symlink_at(&target, &new_path)))
}

/// `unlink-file-at(path)`.
pub fn unlink_file_at(
    h: &mut P2Host,
    (this, path): (Borrow<DescriptorRes>, GuestStr<'_>),
) -> FsResult<()> {
    on_dir(h, &this, |d| to_wit(d.unlink_file_at(&path)))
}

/// `is-same-object(other)`: same host (device, inode); a host failure is a
/// trap (the WIT result has no error case).
pub fn is_same_object(
    h: &mut P2Host,
    (this, other): (Borrow<DescriptorRes>, Borrow<DescriptorRes>),
) -> Result<bool, Trap> {
    let identity = |d: &Descriptor| {
        match d {
            Descriptor::File(f) => f.identity(),
            Descriptor::Dir(d) => d.identity(),
        }
        .map_err(|e| kiln_canon::trap::trap(format!("is-same-object: {e:?}")))
    };
    let a = identity(desc(h, &this)?)?;
    let b = identity(desc(h, &other)?)?;
    Ok(a == b)
}

/// `metadata-hash`.
pub fn metadata_hash(
    h: &mut P2Host,
    (this,): (Borrow<DescriptorRes>,),
) -> FsResult<MetadataHashValue> {
    Ok(to_wit(stat_of(desc(h, &this)?)).map(|s| MetadataHashValue::from_identity(s.ino)))
}

/// `metadata-hash-at(path-flags, path)`.
pub fn metadata_hash_at(
    h: &mut P2Host,
    (this, flags, path): (Borrow<DescriptorRes>, PathFlags, GuestStr<'_>),
) -> FsResult<MetadataHashValue> {
    on_dir(h, &this, |d| {
        to_wit(d.stat_at(&path, types::follow(flags)))
            .map(|s| MetadataHashValue::from_identity(s.ino))
    })
}

/// `directory-entry-stream.read-directory-entry`.
pub fn read_directory_entry(
    h: &mut P2Host,
    (this,): (Borrow<DirEntryStreamRes>,),
) -> FsResult<Option<DirectoryEntry>> {
    let s =
        h.fs.dir_streams
            .get_mut(this.rep())
            .ok_or_else(|| kiln_canon::trap::trap("unknown directory-entry-stream"))?;
    Ok(s.next_entry())
}
