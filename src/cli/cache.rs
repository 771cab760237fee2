//! Kiln's on-disk cache: the extracted runtime archive, the executables
//! `kiln run` compiles and the code objects builds keep (`super::objects`),
//! all content-addressed so entries never go stale and concurrent `kiln`
//! processes can share them.
//!
//! Location: `$KILN_CACHE_DIR`, else `$XDG_CACHE_HOME/kiln`, else
//! `$HOME/.cache/kiln`, else `<tmp>/kiln-cache`. Entries are written to a
//! temporary file in the same directory and renamed into place, so a reader
//! sees either nothing or a complete file. Entries of other Kiln builds are
//! evicted once they are a day old (see [`prune_stale`]); deleting the whole
//! directory is always safe.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The cache root (created on first use).
pub fn cache_dir() -> PathBuf {
    let non_empty = |v: &str| std::env::var_os(v).filter(|s| !s.is_empty());
    if let Some(dir) = non_empty("KILN_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = non_empty("XDG_CACHE_HOME") {
        return PathBuf::from(xdg).join("kiln");
    }
    if let Some(home) = non_empty("HOME") {
        return PathBuf::from(home).join(".cache").join("kiln");
    }
    std::env::temp_dir().join("kiln-cache")
}

/// A subdirectory of the cache, created if missing.
pub fn subdir(name: &str) -> Result<PathBuf> {
    let dir = cache_dir().join(name);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the cache directory `{}`", dir.display()))?;
    Ok(dir)
}

/// Writes `bytes` to `path` atomically with the given Unix mode.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in `{}`", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write to `{}`", tmp.path().display()))?;
    set_mode(tmp.path(), mode)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

/// Moves a finished file into the cache atomically (same filesystem).
pub fn install(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to)
        .with_context(|| format!("cannot move `{}` to `{}`", from.display(), to.display()))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set permissions of `{}`", path.display()))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// Entries of other Kiln builds younger than this are kept, since another
/// `kiln` (a debug and a release build side by side) may be using them.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Removes the entries of `dir` whose name starts with `prefix`, is not
/// `keep`, and whose modification time is older than [`STALE_AFTER`].
/// Best effort: errors are ignored, a concurrent `kiln` may win any race.
pub fn prune_stale(dir: &Path, prefix: &str, keep: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !name.starts_with(prefix) || name == keep {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// Identifies this `kiln` build (size and modification time of its own
/// executable), so that a rebuilt compiler never reuses stale cache entries
/// even when the version number did not change.
pub fn self_identity() -> String {
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    match meta {
        Ok(m) => {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            format!("{}:{}", m.len(), mtime)
        }
        Err(_) => String::new(),
    }
}

/// Builds cache keys: a SHA-256 over length-prefixed fields, so that no two
/// different field lists hash the same bytes.
#[derive(Default)]
pub struct KeyHasher(Sha256);

impl KeyHasher {
    /// Adds one field.
    pub fn field(&mut self, bytes: impl AsRef<[u8]>) -> &mut Self {
        let bytes = bytes.as_ref();
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// The key as 32 lowercase hex digits (128 bits is plenty here).
    pub fn finish(self) -> String {
        self.0.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_field_separated() {
        let mut a = KeyHasher::default();
        a.field("ab").field("c");
        let mut b = KeyHasher::default();
        b.field("a").field("bc");
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn prunes_only_old_foreign_entries() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["runtime-a.a", "runtime-b.a", "other"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let old = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        for name in ["runtime-a.a", "runtime-b.a", "other"] {
            let f = std::fs::File::options()
                .write(true)
                .open(dir.path().join(name))
                .unwrap();
            f.set_modified(old).unwrap();
        }
        std::fs::write(dir.path().join("runtime-new.a"), b"x").unwrap();
        prune_stale(dir.path(), "runtime-", "runtime-b.a");
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["other", "runtime-b.a", "runtime-new.a"]);
    }

    #[test]
    fn atomic_write_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        write_atomic(&p, b"hi", 0o755).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"hi");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o755);
        }
    }
}
