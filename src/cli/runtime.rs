//! The runtimes embedded in the `kiln` binary by `build.rs` (one per target
//! triple, each file deflated), and their extraction into the cache for the
//! linker.
//!
//! Layout: `<cache>/runtimes/<HASH>/<triple>/` holds a runtime's files
//! (`libkiln_runtime.a`, and for `*-linux-musl` musl's `libc.a` and start
//! files) and, written last, `.complete`; a directory without it is being
//! written or was interrupted and is written again. [`HASH`] covers every
//! embedded runtime, so another Kiln build never sees this one's files;
//! the directories of other builds are evicted once stale.

use super::cache;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;

/// One embedded file.
pub struct EmbeddedFile {
    /// File name in the runtime's directory.
    pub name: &'static str,
    /// Length once inflated.
    pub len: usize,
    /// The raw deflate stream.
    pub deflated: &'static [u8],
}

/// One embedded runtime.
pub struct EmbeddedRuntime {
    /// Its target triple.
    pub triple: &'static str,
    /// The C library embedded for a static link (`musl` or `glibc`), or
    /// empty: a dynamic link against the system's.
    pub libc: &'static str,
    /// Native libraries it needs, one linker argument each.
    pub native_libs: &'static [&'static str],
    /// Its files, the runtime archive first.
    pub files: &'static [EmbeddedFile],
    /// FNV-1a of its files and libraries.
    #[allow(dead_code, reason = "printed by tests and kept for diagnostics")]
    pub hash: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/runtimes.rs"));

/// FNV-1a over every embedded runtime, computed by `build.rs`.
pub const HASH: &str = env!("KILN_RUNTIME_HASH");

/// The triples this `kiln` has a runtime for.
pub fn triples() -> Vec<&'static str> {
    RUNTIMES.iter().map(|r| r.triple).collect()
}

/// The embedded runtime for `triple`.
pub fn find(triple: &str) -> Option<&'static EmbeddedRuntime> {
    RUNTIMES.iter().find(|r| r.triple == triple)
}

/// A runtime as files on disk.
pub struct Extracted {
    /// Its directory (also the C library directory of a static link).
    pub dir: PathBuf,
    /// `libkiln_runtime.a`.
    pub archive: PathBuf,
    /// Native libraries, one linker argument each.
    pub native_libs: Vec<String>,
}

/// The runtime for `triple` as files, extracted on first use.
pub fn extract(triple: &str) -> Result<Extracted> {
    let Some(rt) = find(triple) else {
        bail!(
            "this kiln has no runtime for `{triple}` (it has: {}); rebuild kiln after \
             `rustup target add {triple}`",
            triples().join(", ")
        );
    };
    let root = cache::cache_dir().join("runtimes");
    let dir = root.join(HASH).join(rt.triple);
    let marker = dir.join(".complete");
    if !marker.is_file() {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the cache directory `{}`", dir.display()))?;
        for file in rt.files {
            let bytes = inflate(file)?;
            cache::write_atomic(&dir.join(file.name), &bytes, 0o644)?;
        }
        cache::write_atomic(&marker, b"", 0o644)?;
        // A new runtime means a new Kiln build: drop old builds' runtimes
        // (and the single archives Kiln cached before it had several).
        cache::prune_stale(&root, "", HASH);
        cache::prune_stale(&cache::cache_dir(), "runtime-", "");
    }
    Ok(Extracted {
        archive: dir.join(rt.files[0].name),
        dir,
        native_libs: rt.native_libs.iter().map(|s| s.to_string()).collect(),
    })
}

/// Inflates one embedded file, checking its length.
fn inflate(file: &EmbeddedFile) -> Result<Vec<u8>> {
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(file.deflated, file.len)
        .map_err(|e| anyhow::anyhow!("the embedded `{}` is corrupt: {e}", file.name))?;
    if bytes.len() != file.len {
        bail!(
            "the embedded `{}` is corrupt: {} bytes instead of {}",
            file.name,
            bytes.len(),
            file.len
        );
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_inflates() {
        assert!(!RUNTIMES.is_empty());
        for rt in RUNTIMES {
            assert_eq!(rt.files[0].name, "libkiln_runtime.a", "{}", rt.triple);
            for f in rt.files {
                let bytes = inflate(f).unwrap();
                assert_eq!(bytes.len(), f.len, "{} {}", rt.triple, f.name);
            }
            let needed = match rt.libc {
                "musl" => kiln_linker::STATIC_LIBC_FILES,
                "glibc" => kiln_linker::STATIC_GLIBC_FILES,
                _ => &[],
            };
            for name in needed {
                assert!(
                    rt.files.iter().any(|f| f.name == *name),
                    "{} lacks {name}",
                    rt.triple
                );
            }
        }
    }

    #[test]
    fn host_runtime_is_embedded() {
        assert!(
            find(&kiln_linker::host_triple()).is_some(),
            "{:?}",
            triples()
        );
        assert!(find("mips-unknown-linux-gnu").is_none());
    }
}
