//! `wasi:filesystem@0.3`: `types` (the `descriptor` resource) and
//! `preopens`, over the 0.2 facade's functions and so over the one kernel.
//!
//! Phase: run time (host functions). Inputs: lifted parameters (an
//! `async` lowering for the `async func` methods, completed at once by
//! `kiln_wasi_p2::dispatch`: file operations do not wait on the event loop);
//! the kernel's preopens. Outputs: 0.3 values ([`types`]); streams and
//! futures through the P3 state ([`streams`]).
//!
//! Invariants:
//! - A 0.3 `descriptor` is its own host resource type
//!   (`kiln_abi::wasi_p3::WASI_P3_RESOURCES`), but its object lives in the
//!   0.2 facade's descriptor slab (`P2Host::fs.descriptors`): each method
//!   here calls the 0.2 method of the same name on the same rep and
//!   converts the encoding, so no filesystem logic is repeated and the
//!   kinds each method accepts (a file method on a directory is
//!   `bad-descriptor`, ...) are the 0.2 ones, which Wasmtime 49 shares.
//! - `get-directories` hands out a new descriptor per preopen per call.

pub mod streams;
pub mod types;

use kiln_canon::{Borrow, GuestStr, Own, Resource, ResourceType, Trap};
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::fs::descriptor as d;
use kiln_wasi_p2::fs::types::{Advice, DescriptorFlags, MetadataHashValue, OpenFlags, PathFlags};
use kiln_wasi_p2::fs::{DescriptorRes, get_directories as p2_get_directories};
use kiln_wasi_p2::table::{Impl, host_fn};
use types::{DescriptorStat, DescriptorType, ErrorCode, NewTimestamp};

kiln_wasi_p2::host_resources! {
    /// `wasi:filesystem/types@0.3.descriptor`.
    Descriptor3Res = ("wasi:filesystem/types@0.3", "descriptor");
}

/// A host function's result: a trap, or the WIT `result<T, error-code>`.
pub type FsResult<T> = Result<Result<T, ErrorCode>, Trap>;

const TYPES: &str = "wasi:filesystem/types@0.3";

/// The `wasi:filesystem@0.3` host functions.
#[rustfmt::skip]
pub const IMPLS: &[Impl] = &[
    ("wasi:filesystem/preopens@0.3", "get-directories", host_fn!(get_directories)),
    (TYPES, "[method]descriptor.read-via-stream", streams::READ_VIA_STREAM),
    (TYPES, "[method]descriptor.write-via-stream", streams::WRITE_VIA_STREAM),
    (TYPES, "[method]descriptor.append-via-stream", streams::APPEND_VIA_STREAM),
    (TYPES, "[method]descriptor.advise", host_fn!(advise)),
    (TYPES, "[method]descriptor.sync-data", host_fn!(sync_data)),
    (TYPES, "[method]descriptor.get-flags", host_fn!(get_flags)),
    (TYPES, "[method]descriptor.get-type", host_fn!(get_type)),
    (TYPES, "[method]descriptor.set-size", host_fn!(set_size)),
    (TYPES, "[method]descriptor.set-times", host_fn!(set_times)),
    (TYPES, "[method]descriptor.read-directory", streams::READ_DIRECTORY),
    (TYPES, "[method]descriptor.sync", host_fn!(sync)),
    (TYPES, "[method]descriptor.create-directory-at", host_fn!(create_directory_at)),
    (TYPES, "[method]descriptor.stat", host_fn!(stat)),
    (TYPES, "[method]descriptor.stat-at", host_fn!(stat_at)),
    (TYPES, "[method]descriptor.set-times-at", host_fn!(set_times_at)),
    (TYPES, "[method]descriptor.link-at", host_fn!(link_at)),
    (TYPES, "[method]descriptor.open-at", host_fn!(open_at)),
    (TYPES, "[method]descriptor.readlink-at", host_fn!(readlink_at)),
    (TYPES, "[method]descriptor.remove-directory-at", host_fn!(remove_directory_at)),
    (TYPES, "[method]descriptor.rename-at", host_fn!(rename_at)),
    (TYPES, "[method]descriptor.symlink-at", host_fn!(symlink_at)),
    (TYPES, "[method]descriptor.unlink-file-at", host_fn!(unlink_file_at)),
    (TYPES, "[method]descriptor.is-same-object", host_fn!(is_same_object)),
    (TYPES, "[method]descriptor.metadata-hash", host_fn!(metadata_hash)),
    (TYPES, "[method]descriptor.metadata-hash-at", host_fn!(metadata_hash_at)),
];

/// The 0.2 view of a 0.3 descriptor (same rep, same object).
fn p2(b: &Borrow<Descriptor3Res>) -> Borrow<DescriptorRes> {
    Borrow::new(b.rep())
}

/// A 0.2 method's result in 0.3 terms.
fn conv<T, U: From<T>>(r: kiln_wasi_p2::fs::descriptor::FsResult<T>) -> FsResult<U> {
    r.map(|r| r.map(U::from).map_err(ErrorCode::from))
}

/// `get-directories`: the 0.2 function's descriptors as 0.3 ones.
pub fn get_directories(h: &mut P2Host, (): ()) -> Result<Vec<(Own<Descriptor3Res>, String)>, Trap> {
    Ok(p2_get_directories(h, ())?
        .into_iter()
        .map(|(o, name)| (Own::new(o.rep()), name))
        .collect())
}

/// `advise`.
pub fn advise(
    h: &mut P2Host,
    (this, offset, len, advice): (Borrow<Descriptor3Res>, u64, u64, Advice),
) -> FsResult<()> {
    conv(d::advise(h, (p2(&this), offset, len, advice)))
}

/// `sync-data`.
pub fn sync_data(h: &mut P2Host, (this,): (Borrow<Descriptor3Res>,)) -> FsResult<()> {
    conv(d::sync_data(h, (p2(&this),)))
}

/// `get-flags`.
pub fn get_flags(h: &mut P2Host, (this,): (Borrow<Descriptor3Res>,)) -> FsResult<DescriptorFlags> {
    conv(d::get_flags(h, (p2(&this),)))
}

/// `get-type`.
pub fn get_type(h: &mut P2Host, (this,): (Borrow<Descriptor3Res>,)) -> FsResult<DescriptorType> {
    conv(d::get_type(h, (p2(&this),)))
}

/// `set-size`.
pub fn set_size(h: &mut P2Host, (this, size): (Borrow<Descriptor3Res>, u64)) -> FsResult<()> {
    conv(d::set_size(h, (p2(&this), size)))
}

/// `set-times`.
pub fn set_times(
    h: &mut P2Host,
    (this, atim, mtim): (Borrow<Descriptor3Res>, NewTimestamp, NewTimestamp),
) -> FsResult<()> {
    conv(d::kernel_set_times(h, &p2(&this), || {
        Ok((atim.to_kernel()?, mtim.to_kernel()?))
    }))
}

/// `sync`.
pub fn sync(h: &mut P2Host, (this,): (Borrow<Descriptor3Res>,)) -> FsResult<()> {
    conv(d::sync(h, (p2(&this),)))
}

/// `create-directory-at`.
pub fn create_directory_at(
    h: &mut P2Host,
    (this, path): (Borrow<Descriptor3Res>, GuestStr<'_>),
) -> FsResult<()> {
    conv(d::create_directory_at(h, (p2(&this), path)))
}

/// `stat`.
pub fn stat(h: &mut P2Host, (this,): (Borrow<Descriptor3Res>,)) -> FsResult<DescriptorStat> {
    conv(d::kernel_stat(h, &p2(&this)).map(|r| r.map(|s| DescriptorStat::from(&s))))
}

/// `stat-at`.
pub fn stat_at(
    h: &mut P2Host,
    (this, flags, path): (Borrow<Descriptor3Res>, PathFlags, GuestStr<'_>),
) -> FsResult<DescriptorStat> {
    let r = d::kernel_stat_at(h, &p2(&this), flags, &path)?;
    conv(Ok(r.map(|s| DescriptorStat::from(&s))))
}

/// `set-times-at`.
pub fn set_times_at(
    h: &mut P2Host,
    (this, flags, path, atim, mtim): (
        Borrow<Descriptor3Res>,
        PathFlags,
        GuestStr<'_>,
        NewTimestamp,
        NewTimestamp,
    ),
) -> FsResult<()> {
    conv(d::kernel_set_times_at(h, &p2(&this), flags, &path, || {
        Ok((atim.to_kernel()?, mtim.to_kernel()?))
    }))
}

/// `link-at`.
pub fn link_at(
    h: &mut P2Host,
    (this, flags, old_path, new_desc, new_path): (
        Borrow<Descriptor3Res>,
        PathFlags,
        GuestStr<'_>,
        Borrow<Descriptor3Res>,
        GuestStr<'_>,
    ),
) -> FsResult<()> {
    conv(d::link_at(
        h,
        (p2(&this), flags, old_path, p2(&new_desc), new_path),
    ))
}

/// `open-at`: the new descriptor is a 0.3 one.
pub fn open_at(
    h: &mut P2Host,
    (this, path_flags, path, oflags, flags): (
        Borrow<Descriptor3Res>,
        PathFlags,
        GuestStr<'_>,
        OpenFlags,
        DescriptorFlags,
    ),
) -> FsResult<Own<Descriptor3Res>> {
    let r = d::open_at(h, (p2(&this), path_flags, path, oflags, flags))?;
    Ok(r.map(|o| Own::new(o.rep())).map_err(ErrorCode::from))
}

/// `readlink-at`.
pub fn readlink_at(
    h: &mut P2Host,
    (this, path): (Borrow<Descriptor3Res>, GuestStr<'_>),
) -> FsResult<String> {
    conv(d::readlink_at(h, (p2(&this), path)))
}

/// `remove-directory-at`.
pub fn remove_directory_at(
    h: &mut P2Host,
    (this, path): (Borrow<Descriptor3Res>, GuestStr<'_>),
) -> FsResult<()> {
    conv(d::remove_directory_at(h, (p2(&this), path)))
}

/// `rename-at`.
pub fn rename_at(
    h: &mut P2Host,
    (this, old_path, new_desc, new_path): (
        Borrow<Descriptor3Res>,
        GuestStr<'_>,
        Borrow<Descriptor3Res>,
        GuestStr<'_>,
    ),
) -> FsResult<()> {
    conv(d::rename_at(
        h,
        (p2(&this), old_path, p2(&new_desc), new_path),
    ))
}

/// `symlink-at`.
pub fn symlink_at(
    h: &mut P2Host,
    (this, target, new_path): (Borrow<Descriptor3Res>, GuestStr<'_>, GuestStr<'_>),
) -> FsResult<()> {
    conv(d::symlink_at(h, (p2(&this), target, new_path)))
}

/// `unlink-file-at`.
pub fn unlink_file_at(
    h: &mut P2Host,
    (this, path): (Borrow<Descriptor3Res>, GuestStr<'_>),
) -> FsResult<()> {
    conv(d::unlink_file_at(h, (p2(&this), path)))
}

/// `is-same-object`.
pub fn is_same_object(
    h: &mut P2Host,
    (this, other): (Borrow<Descriptor3Res>, Borrow<Descriptor3Res>),
) -> Result<bool, Trap> {
    d::is_same_object(h, (p2(&this), p2(&other)))
}

/// `metadata-hash`.
pub fn metadata_hash(
    h: &mut P2Host,
    (this,): (Borrow<Descriptor3Res>,),
) -> FsResult<MetadataHashValue> {
    conv(d::metadata_hash(h, (p2(&this),)))
}

/// `metadata-hash-at`.
pub fn metadata_hash_at(
    h: &mut P2Host,
    (this, flags, path): (Borrow<Descriptor3Res>, PathFlags, GuestStr<'_>),
) -> FsResult<MetadataHashValue> {
    conv(d::metadata_hash_at(h, (p2(&this), flags, path)))
}

/// Drops the 0.3 descriptor `rep` if `ty` is its type; `false` if not.
pub fn drop_resource(h: &mut P2Host, ty: u32, rep: u32) -> Result<bool, Trap> {
    if ResourceType::Host(ty) != Descriptor3Res::TYPE {
        return Ok(false);
    }
    match h.fs.descriptors.remove(rep) {
        Some(_) => Ok(true),
        None => Err(kiln_canon::trap::trap("unknown resource")),
    }
}
