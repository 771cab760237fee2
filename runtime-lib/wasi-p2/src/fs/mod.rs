//! `wasi:filesystem@0.2`: `types` (the `descriptor` and
//! `directory-entry-stream` resources, `filesystem-error-code`) and
//! `preopens`.
//!
//! Phase: run time (host functions). Inputs: lifted parameters; the
//! kernel's preopened directories. Outputs: descriptor objects over the
//! kernel's [`fs::Dir`]/[`fs::File`] capabilities, effects through the
//! kernel (`kiln_wasi_kernel::fs`, shared with P1: path resolution,
//! sandboxing, open rules and error classification all live there).
//!
//! Map:
//! - [`types`]: the WIT types and their kernel conversions;
//! - [`descriptor`]: the `descriptor` methods;
//! - [`streams`]: file input/output streams and directory entry streams.
//!
//! Invariants (Wasmtime `p2/host/filesystem.rs`, `filesystem.rs`):
//! - `get-directories` hands out a new descriptor per preopen per call, in
//!   grant order; preopens are open for reading and writing (wasmtime's
//!   CLI grants `FsPerms::ReadWrite`, so none of its read-only checks can
//!   fire and none are modelled).
//! - A file-only method on a directory fails with `bad-descriptor`
//!   (`read-via-stream`: `is-directory`); a directory method on a file
//!   with `not-directory`.
//! - An unknown handle or a failed `is-same-object` is a trap (wasmtime's
//!   resource-table errors); everything else is an `error-code`.

pub mod descriptor;
pub mod streams;
pub mod types;

use super::P2Host;
use super::host_resources;
use super::io::IoErrorRes;
use super::table::{Impl, host_fn};
use kiln_canon::{Borrow, HostResources, Own, Resource, ResourceType, Trap};
use kiln_wasi_kernel::error::ErrorCode as KernelError;
use kiln_wasi_kernel::{self as kernel, fs};
use std::sync::Arc;
use types::ErrorCode;

host_resources! {
    /// `wasi:filesystem/types.descriptor`.
    DescriptorRes = ("wasi:filesystem/types@0.2", "descriptor");
    /// `wasi:filesystem/types.directory-entry-stream`.
    DirEntryStreamRes = ("wasi:filesystem/types@0.2", "directory-entry-stream");
}

/// What a descriptor refers to. Files are shared with the streams made
/// from them, which keep them open.
#[derive(Debug)]
pub enum Descriptor {
    /// A directory.
    Dir(fs::Dir),
    /// A file (or other non-directory object).
    File(Arc<fs::File>),
}

/// The objects of `wasi:filesystem`.
#[derive(Debug, Default)]
pub struct FsState {
    /// Descriptors by rep.
    pub descriptors: HostResources<Descriptor>,
    /// Directory entry streams by rep.
    pub dir_streams: HostResources<streams::DirEntryStream>,
}

const TYPES: &str = "wasi:filesystem/types@0.2";

/// The `wasi:filesystem` host functions.
#[rustfmt::skip]
pub const IMPLS: &[Impl] = {
    use descriptor as d;
    &[
        ("wasi:filesystem/preopens@0.2", "get-directories", host_fn!(get_directories)),
        (TYPES, "[method]descriptor.read-via-stream", host_fn!(d::read_via_stream)),
        (TYPES, "[method]descriptor.write-via-stream", host_fn!(d::write_via_stream)),
        (TYPES, "[method]descriptor.append-via-stream", host_fn!(d::append_via_stream)),
        (TYPES, "[method]descriptor.advise", host_fn!(d::advise)),
        (TYPES, "[method]descriptor.sync-data", host_fn!(d::sync_data)),
        (TYPES, "[method]descriptor.get-flags", host_fn!(d::get_flags)),
        (TYPES, "[method]descriptor.get-type", host_fn!(d::get_type)),
        (TYPES, "[method]descriptor.set-size", host_fn!(d::set_size)),
        (TYPES, "[method]descriptor.set-times", host_fn!(d::set_times)),
        (TYPES, "[method]descriptor.read", host_fn!(d::read)),
        (TYPES, "[method]descriptor.write", host_fn!(d::write)),
        (TYPES, "[method]descriptor.read-directory", host_fn!(d::read_directory)),
        (TYPES, "[method]descriptor.sync", host_fn!(d::sync)),
        (TYPES, "[method]descriptor.create-directory-at", host_fn!(d::create_directory_at)),
        (TYPES, "[method]descriptor.stat", host_fn!(d::stat)),
        (TYPES, "[method]descriptor.stat-at", host_fn!(d::stat_at)),
        (TYPES, "[method]descriptor.set-times-at", host_fn!(d::set_times_at)),
        (TYPES, "[method]descriptor.link-at", host_fn!(d::link_at)),
        (TYPES, "[method]descriptor.open-at", host_fn!(d::open_at)),
        (TYPES, "[method]descriptor.readlink-at", host_fn!(d::readlink_at)),
        (TYPES, "[method]descriptor.remove-directory-at", host_fn!(d::remove_directory_at)),
        (TYPES, "[method]descriptor.rename-at", host_fn!(d::rename_at)),
        (TYPES, "[method]descriptor.symlink-at", host_fn!(d::symlink_at)),
        (TYPES, "[method]descriptor.unlink-file-at", host_fn!(d::unlink_file_at)),
        (TYPES, "[method]descriptor.is-same-object", host_fn!(d::is_same_object)),
        (TYPES, "[method]descriptor.metadata-hash", host_fn!(d::metadata_hash)),
        (TYPES, "[method]descriptor.metadata-hash-at", host_fn!(d::metadata_hash_at)),
        (TYPES, "[method]directory-entry-stream.read-directory-entry", host_fn!(d::read_directory_entry)),
        (TYPES, "filesystem-error-code", host_fn!(filesystem_error_code)),
    ]
};

/// `get-directories`: a new descriptor for each preopen, in grant order,
/// with its guest path.
pub fn get_directories(h: &mut P2Host, (): ()) -> Result<Vec<(Own<DescriptorRes>, String)>, Trap> {
    let mut dirs = Vec::new();
    for (_, desc) in h.wasi.kernel.descriptors() {
        if let kernel::Descriptor::Dir {
            dir,
            preopen: Some(name),
        } = &*desc
        {
            let dir = dir.try_clone().map_err(|e| {
                kiln_canon::trap::trap(format!("failed to push preopen {name}: {e:?}"))
            })?;
            dirs.push((dir, name.clone()));
        }
    }
    Ok(dirs
        .into_iter()
        .map(|(dir, name)| {
            (
                Own::new(h.fs.descriptors.insert(Descriptor::Dir(dir))),
                name,
            )
        })
        .collect())
}

/// `filesystem-error-code`: the `error-code` of a stream error that a host
/// I/O error caused (wasmtime downcasts the error to `std::io::Error`),
/// else none.
pub fn filesystem_error_code(
    h: &mut P2Host,
    (err,): (Borrow<IoErrorRes>,),
) -> Result<Option<ErrorCode>, Trap> {
    let e =
        h.io.errors
            .get(err.rep())
            .ok_or_else(|| kiln_canon::trap::trap("unknown error"))?;
    Ok(error_code_of_message(&e.message))
}

/// The `error-code` of a stream failure message that is a host I/O error's
/// text, which ends in `(os error N)` (the streams of this host report I/O
/// failures with exactly that text, as wasmtime's `to-debug-string` shows
/// it); `None` for any other message.
///
/// NB: the stream error objects of `wasi:io` keep only their message, so
/// the errno is recovered from it rather than carried alongside.
pub fn error_code_of_message(message: &str) -> Option<ErrorCode> {
    let (_, errno) = message.strip_suffix(')')?.rsplit_once("(os error ")?;
    let errno: i32 = errno.parse().ok()?;
    let e = std::io::Error::from_raw_os_error(errno);
    Some(ErrorCode::from(KernelError::from(e)))
}

/// Drops the `wasi:filesystem` object `rep` of host type `ty`; `false` if
/// `ty` is not a `wasi:filesystem` resource.
pub fn drop_resource(h: &mut P2Host, ty: u32, rep: u32) -> Result<bool, Trap> {
    let t = ResourceType::Host(ty);
    let gone = if t == DescriptorRes::TYPE {
        h.fs.descriptors.remove(rep).is_some()
    } else if t == DirEntryStreamRes::TYPE {
        h.fs.dir_streams.remove(rep).is_some()
    } else {
        return Ok(false);
    };
    if gone {
        Ok(true)
    } else {
        Err(kiln_canon::trap::trap("unknown resource"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_come_from_os_error_text() {
        let text = |errno| std::io::Error::from_raw_os_error(errno).to_string();
        assert_eq!(
            error_code_of_message(&text(libc::EINVAL)),
            Some(ErrorCode::Invalid)
        );
        assert_eq!(
            error_code_of_message(&text(libc::ENOSPC)),
            Some(ErrorCode::InsufficientSpace)
        );
        // Unlisted errnos fall back by kind, as wasmtime's conversion does.
        assert_eq!(
            error_code_of_message(&text(libc::EROFS)),
            Some(ErrorCode::Io)
        );
        assert_eq!(error_code_of_message("Closed"), None);
        assert_eq!(error_code_of_message("broken (os error x)"), None);
    }
}
