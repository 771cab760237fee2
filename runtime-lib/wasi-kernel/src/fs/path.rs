//! Guest path shapes and what each path operation makes of them: trailing
//! slashes, trailing `.` and `..`, and the symlinks they make the kernel
//! follow or not, decided here once for WASI P1, 0.2 and 0.3 alike.
//!
//! Phase: run time. Inputs: a guest path, the operation, and what a
//! [`Probe`] (cap-std lookups below the same directory) says is at a path.
//! Outputs: an error, or what to hand cap-std instead: a path with no
//! trailing `/` or `.` (a [`Plan`], or the pair of a rename).
//!
//! The semantics are Wasmtime 49's on Linux, which are Linux's except where
//! noted, and they are Kiln's on every Unix host. On Windows every path
//! goes to cap-std as the guest wrote it, as Wasmtime for Windows hands
//! them to cap-std's Windows code (`kiln_platform::fs::DECORATED_PATHS_TO_SYSTEM`),
//! but for `rename`'s slash rule (below), which Wasmtime for Windows
//! applies too.
//! - `x/` (any number of slashes) names what `x` names, which must be a
//!   directory, a symlink in last place followed to one (`open`, `stat`,
//!   `set-times`, `readlink`, `unlink`, `remove-directory`, `symlink`'s and
//!   `link`'s new path, `link`'s old path: cap-std reads it as `x/.`).
//!   `create-directory` and `rename` read it as the name `x` (Linux's
//!   rule), and `rename` then wants the source, not followed, to be a
//!   directory (else `not-directory`), whichever side had the slash.
//!   Creating a file at `x/` is `is-directory`.
//! - `x/.`, `x/..`, `.` and `..` name a directory reached through `x` (its
//!   last symlink followed); as the object of `rename` they are `busy`,
//!   of a creation `exist`, of a removal `is-directory` (`unlink`) or
//!   `invalid` (`remove-directory`; Linux removes `x/` or says
//!   `not-empty`), of `readlink` `invalid`.
//! - Not Linux: `stat` without following a one-name path `x/` or `x/.`
//!   reads `x` itself, the slash ignored (cap-std on Linux reads a lone
//!   name with `statx` after `Path::components` dropped the decoration).
//! - Every other path (no trailing `/`, `.` or `..`: a name, `""`, an
//!   absolute path) goes to cap-std as the guest wrote it.
//!
//! Invariants (Unix; on Windows the rules below are not applied at all):
//! - cap-std is never handed a relative path ending in `/` or `/.`: the
//!   rules are applied here, and what goes on names the object by its own
//!   name (`x`), or a directory by a path cap-std resolves itself (`x/..`,
//!   only to look up, open or set times: never to create, remove, link or
//!   rename it). So no host's own trailing-slash rules are ever reached
//!   (on macOS and the BSDs a trailing slash makes the host follow a last
//!   symlink, which through cap-std's via-parent `rename` was a sandbox
//!   escape), and the semantics are the same on every Unix host.
//!   Absolute paths go on as written: cap-std refuses them all
//!   (`not-permitted`).
//! - Checks and the operation are separate steps: an object swapped
//!   between them is operated on as the guest's path without its decoration
//!   would be (never followed out of the sandbox: cap-std confines both).
//! - A rule that only fails (`unlink("x/")` and the like) hands nothing on.

use super::FileType;
use crate::error::{ErrorCode, KResult};

#[cfg(test)]
mod tests;

/// Looks up what is at a path below one directory (cap-std's `metadata` and
/// `symlink_metadata` in the kernel, a model in the tests).
pub(crate) trait Probe {
    /// The type of the object at `path`, its last symlink followed or not.
    fn kind(&self, path: &str, follow: bool) -> KResult<FileType>;
}

/// How a guest path ends.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A name (or nothing, or an absolute path): handed on unchanged.
    Name,
    /// A name followed by one or more `/`.
    Slash,
    /// A directory through a dot entry: `x/.`, `x/..`, `.`, `..`, with
    /// any slashes after them.
    Dot,
}

/// A guest path, looked at once.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct GuestPath<'a> {
    /// As the guest wrote it.
    pub raw: &'a str,
    /// Without trailing slashes and `/.` (`.` when nothing is left): the
    /// name of the object for [`Shape::Slash`], the directory for
    /// [`Shape::Dot`] (ending in `..` for `x/..`).
    pub base: &'a str,
    /// How it ends.
    pub shape: Shape,
}

impl<'a> GuestPath<'a> {
    /// Looks at `raw`.
    pub fn parse(raw: &'a str) -> GuestPath<'a> {
        let name = GuestPath {
            raw,
            base: raw,
            shape: Shape::Name,
        };
        // Absolute paths and the empty path are cap-std's to refuse; where
        // the system takes decorated paths, every path goes on as written.
        if kiln_platform::fs::DECORATED_PATHS_TO_SYSTEM || raw.is_empty() || raw.starts_with('/') {
            return name;
        }
        let (mut base, mut slash, mut dot) = (raw, false, false);
        loop {
            if let Some(rest) = base.strip_suffix('/') {
                (base, slash) = (rest, true);
            } else if base == "." {
                (base, dot) = ("", true);
            } else if let Some(rest) = base.strip_suffix("/.") {
                (base, dot) = (rest, true);
            } else {
                break;
            }
        }
        let dotdot = base == ".." || base.ends_with("/..");
        let shape = if dot || dotdot {
            Shape::Dot
        } else if slash {
            Shape::Slash
        } else {
            return name;
        };
        GuestPath {
            raw,
            base: if base.is_empty() { "." } else { base },
            shape,
        }
    }

    /// The directory the last name of `base` is in (`.` for none), with no
    /// trailing `/` or `.`: the parent `rename` and `create` resolve first.
    fn parent(&self) -> KResult<&'a str> {
        if self.raw.is_empty() {
            return Err(ErrorCode::NoEntry);
        }
        Ok(match self.base.rfind('/') {
            None => ".",
            // An absolute path, which cap-std refuses.
            Some(0) => "/",
            Some(i) => GuestPath::parse(&self.base[..i]).base,
        })
    }

    /// The directory a via-parent operation (cap-std's `open_parent`)
    /// opens: the parent of a name, the path itself otherwise (`x/` as
    /// `x/.`).
    fn container(&self) -> KResult<&'a str> {
        match self.shape {
            Shape::Name => self.parent(),
            Shape::Slash | Shape::Dot => Ok(self.base),
        }
    }

    /// A path that is one plain name with only slashes and `.` after it
    /// (`x/`, `x/.`, `x//.`): what `Path::components` reduces to that name.
    fn lone_name(&self) -> bool {
        self.shape != Shape::Name && !self.base.contains('/') && !matches!(self.base, "." | "..")
    }
}

/// What `stat` does with a path after the rules.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Plan<'a> {
    /// The guest's path, unchanged.
    AsIs,
    /// The directory at this path (no trailing `/` or `.`), its last
    /// symlink followed; checked a directory already.
    Dir(&'a str),
    /// The object named by this path (no trailing `/`), not followed.
    Name(&'a str),
}

/// `path` must be a directory, its last symlink followed.
fn dir_at(probe: &dyn Probe, path: &str) -> KResult<()> {
    match probe.kind(path, true)? {
        FileType::Directory => Ok(()),
        _ => Err(ErrorCode::NotDirectory),
    }
}

/// `open-at` / `path_open`: `create`, `exclusive` and `write` as requested
/// (truncation is writing). `Some(dir)`: open the directory at `dir`,
/// following, for reading; `None`: the path as is.
pub(crate) fn open<'a>(
    path: &GuestPath<'a>,
    create: bool,
    exclusive: bool,
    write: bool,
    probe: &dyn Probe,
) -> KResult<Option<&'a str>> {
    match path.shape {
        Shape::Name => Ok(None),
        Shape::Slash if create => {
            // Linux: the parent is looked up, then a file cannot end in `/`.
            dir_at(probe, path.parent()?)?;
            Err(ErrorCode::IsDirectory)
        }
        Shape::Slash | Shape::Dot => {
            dir_at(probe, path.base)?;
            if create && exclusive {
                Err(ErrorCode::Exist)
            } else if create || write {
                Err(ErrorCode::IsDirectory)
            } else {
                Ok(Some(path.base))
            }
        }
    }
}

/// `stat-at` / `path_filestat_get` (and the metadata hash).
pub(crate) fn stat<'a>(path: &GuestPath<'a>, follow: bool, probe: &dyn Probe) -> KResult<Plan<'a>> {
    if path.shape == Shape::Name {
        return Ok(Plan::AsIs);
    }
    if !follow && path.lone_name() {
        return Ok(Plan::Name(path.base));
    }
    dir_at(probe, path.base)?;
    Ok(Plan::Dir(path.base))
}

/// `set-times-at` / `path_filestat_set_times`, following or not: a
/// directory path is followed either way. `Some(dir)`: the directory at
/// `dir`, following; `None`: the path as is.
pub(crate) fn set_times<'a>(path: &GuestPath<'a>, probe: &dyn Probe) -> KResult<Option<&'a str>> {
    if path.shape == Shape::Name {
        return Ok(None);
    }
    dir_at(probe, path.base)?;
    Ok(Some(path.base))
}

/// `create-directory-at` / `path_create_directory`. `Some(name)`: create
/// `name` (the slashes dropped); `None`: the path as is.
pub(crate) fn create_directory<'a>(
    path: &GuestPath<'a>,
    probe: &dyn Probe,
) -> KResult<Option<&'a str>> {
    match path.shape {
        Shape::Name => Ok(None),
        Shape::Slash => Ok(Some(path.base)),
        Shape::Dot => {
            dir_at(probe, path.base)?;
            Err(ErrorCode::Exist)
        }
    }
}

/// An operation whose object cannot be a directory reached by a
/// directory path: it fails with `error` once the path is found to be one.
fn not_on_directory(path: &GuestPath<'_>, error: ErrorCode, probe: &dyn Probe) -> KResult<()> {
    if path.shape == Shape::Name {
        return Ok(());
    }
    dir_at(probe, path.base)?;
    Err(error)
}

/// `unlink-file-at` / `path_unlink_file`: `Ok` means "as is".
pub(crate) fn unlink(path: &GuestPath<'_>, probe: &dyn Probe) -> KResult<()> {
    not_on_directory(path, ErrorCode::IsDirectory, probe)
}

/// `remove-directory-at` / `path_remove_directory`: `Ok` means "as is".
pub(crate) fn remove_directory(path: &GuestPath<'_>, probe: &dyn Probe) -> KResult<()> {
    not_on_directory(path, ErrorCode::Invalid, probe)
}

/// `readlink-at` / `path_readlink`: `Ok` means "as is".
pub(crate) fn readlink(path: &GuestPath<'_>, probe: &dyn Probe) -> KResult<()> {
    not_on_directory(path, ErrorCode::Invalid, probe)
}

/// `symlink-at` / `path_symlink`, its new path (the target is text, stored
/// as written): `Ok` means "as is".
pub(crate) fn symlink(new: &GuestPath<'_>, probe: &dyn Probe) -> KResult<()> {
    not_on_directory(new, ErrorCode::Exist, probe)
}

/// `link-at` / `path_link` (never following the old path's last symlink):
/// `Ok` means "both as is". A directory path on either side always fails.
pub(crate) fn link(
    old: &GuestPath<'_>,
    old_probe: &dyn Probe,
    new: &GuestPath<'_>,
    new_probe: &dyn Probe,
) -> KResult<()> {
    if old.shape == Shape::Name && new.shape == Shape::Name {
        return Ok(());
    }
    // cap-std opens both parents first (`x/` as `x/.`), then links.
    dir_at(old_probe, old.container()?)?;
    dir_at(new_probe, new.container()?)?;
    if old.shape == Shape::Name {
        // The old name is looked up before the new one.
        old_probe.kind(old.raw, false)?;
    }
    let new_free = match new.shape {
        Shape::Name => match new_probe.kind(new.raw, false) {
            Ok(_) => false,
            Err(ErrorCode::NoEntry) => true,
            Err(e) => return Err(e),
        },
        Shape::Slash | Shape::Dot => false,
    };
    // A free new name is a plain name, so the old path is the directory
    // one, and a directory gets no hard link.
    Err(if new_free {
        ErrorCode::NotPermitted
    } else {
        ErrorCode::Exist
    })
}

/// `rename-at` / `path_rename`: the two paths to hand on, without trailing
/// slashes; `None` means "both as is".
pub(crate) fn rename<'a>(
    old: &GuestPath<'a>,
    old_probe: &dyn Probe,
    new: &GuestPath<'a>,
    new_probe: &dyn Probe,
) -> KResult<Option<(&'a str, &'a str)>> {
    if kiln_platform::fs::DECORATED_PATHS_TO_SYSTEM {
        return decorated_rename(old, old_probe, new).map(|()| None);
    }
    if old.shape == Shape::Name && new.shape == Shape::Name {
        return Ok(None);
    }
    // Linux's order: both parents, a dot entry on either side, the
    // source, then the slash rule.
    let parent = |p: &GuestPath<'a>| match p.shape {
        Shape::Dot => Ok(p.base),
        Shape::Name | Shape::Slash => p.parent(),
    };
    dir_at(old_probe, parent(old)?)?;
    dir_at(new_probe, parent(new)?)?;
    if old.shape == Shape::Dot || new.shape == Shape::Dot {
        return Err(ErrorCode::Busy);
    }
    let source = old_probe.kind(old.base, false)?;
    if source != FileType::Directory && (old.shape == Shape::Slash || new.shape == Shape::Slash) {
        return Err(ErrorCode::NotDirectory);
    }
    Ok(Some((old.base, new.base)))
}

/// `rename` where paths go to the system as the guest wrote them
/// (Windows): a trailing slash on either side wants the source, not
/// followed, to be a directory, else `not-directory`, as Wasmtime for
/// Windows answers (cap-std's Windows `rename` drops the slashes and would
/// rename the file). A source that cannot be looked up goes on for the
/// system to refuse (`no-entry`, `not-permitted`).
fn decorated_rename(
    old: &GuestPath<'_>,
    old_probe: &dyn Probe,
    new: &GuestPath<'_>,
) -> KResult<()> {
    if !old.raw.ends_with('/') && !new.raw.ends_with('/') {
        return Ok(());
    }
    match old_probe.kind(old.raw.trim_end_matches('/'), false) {
        Ok(kind) if kind != FileType::Directory => Err(ErrorCode::NotDirectory),
        _ => Ok(()),
    }
}
