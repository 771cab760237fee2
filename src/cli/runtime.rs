//! The runtime static library embedded in the `kiln` binary by `build.rs`,
//! and its extraction into the cache for the linker.

use super::cache;
use anyhow::Result;
use std::path::PathBuf;

/// `libkiln_runtime.a`, built for the target `kiln` runs on.
static ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libkiln_runtime.a"));

/// Its native libraries, one linker argument per line.
static NATIVE_LIBS: &str = include_str!(concat!(env!("OUT_DIR"), "/runtime_native_libs.txt"));

/// FNV-1a of [`ARCHIVE`], computed by `build.rs`.
pub const HASH: &str = env!("KILN_RUNTIME_HASH");

/// The linker arguments for the runtime's native libraries.
pub fn native_libs() -> Vec<String> {
    NATIVE_LIBS.split_whitespace().map(str::to_string).collect()
}

/// The archive as a file: `<cache>/runtime-<hash>.a`, written once and
/// reused by every later `kiln` of the same build.
pub fn archive_path() -> Result<PathBuf> {
    let name = format!("runtime-{HASH}.a");
    let path = cache::cache_dir().join(&name);
    let complete = std::fs::metadata(&path).is_ok_and(|m| m.len() == ARCHIVE.len() as u64);
    if !complete {
        let dir = cache::subdir("")?;
        cache::write_atomic(&path, ARCHIVE, 0o644)?;
        // A new runtime means a new Kiln build: drop old builds' archives.
        cache::prune_stale(&dir, "runtime-", &name);
    }
    Ok(path)
}
