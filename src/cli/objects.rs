//! Compiled code objects, kept so that a module is compiled once for
//! `kiln build` and `kiln run` alike.
//!
//! Phase: compile, before the link. Inputs: the wasm bytes and the
//! [`Config`]. Output: one relocatable object with the build's grants.
//!
//! The code of a module does not depend on its grants (directories,
//! environment, `--invoke`, limits' values, the program's name): the
//! compiler writes it without them ([`Config::omit_grants`]) and the grants
//! come as a second small object ([`kiln_compiler::compile_grants`]), joined
//! to the first ([`kiln_linker::append_object`]). Every build does so, and
//! leaves its code object in the cache, under `<cache>/objects/build-<kiln
//! build>/<key>`; the key hashes the wasm bytes and every field of the
//! config that shapes code. `kiln run` (and `kiln serve`) look there
//! before compiling: a run after a build of the same module with the same
//! code options links only. `kiln build` itself always compiles (its time
//! and its progress line are what benchmarks and users see); an entry that
//! does not parse is compiled again. Windows (COFF) objects are not
//! joined ([`kiln_linker::can_append`]): their code is compiled with the
//! grants, whole, every time, and nothing is kept.
//!
//! Size: objects are large (tens of MB for an engine such as
//! SpiderMonkey), so the directory is trimmed to [`BUDGET`] bytes, the
//! least recently used first; deleting it is always safe.

use super::cache::{self, KeyHasher};
use super::compile;
use anyhow::{Context, Result};
use kiln_compiler::Config;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Most bytes of code objects kept (of this Kiln build).
const BUDGET: u64 = 1 << 30;

/// Compiles `wasm` (named `file` in errors) with `config`, keeps its code
/// object, and returns the object with the grants.
pub fn compile(file: &Path, wasm: &[u8], config: &Config) -> Result<Vec<u8>> {
    if !joins(config) {
        return compile::compile(file, wasm, config);
    }
    compile_and_keep(file, wasm, config, entry(wasm, config))
}

/// Whether `config`'s target keeps code and grants apart
/// (`kiln_linker::can_append`); a target that does not (Windows) compiles
/// the whole object every time.
fn joins(config: &Config) -> bool {
    config.target.as_deref().is_none_or(kiln_linker::can_append)
}

/// [`compile`], or the kept code object of an earlier build of the same
/// module and code options with `config`'s grants.
pub fn compile_or_reuse(file: &Path, wasm: &[u8], config: &Config) -> Result<Vec<u8>> {
    if !joins(config) {
        return compile::compile(file, wasm, config);
    }
    let path = entry(wasm, config);
    if let Some(p) = &path
        && let Some(code) = load(p)
    {
        match with_grants(&code, config) {
            Ok(object) => return Ok(object),
            // A damaged entry: compile again (and replace it).
            Err(_) => {
                let _ = std::fs::remove_file(p);
            }
        }
    }
    compile_and_keep(file, wasm, config, path)
}

/// Compiles the code object, keeps it at `path` (if any) and adds the
/// grants.
fn compile_and_keep(
    file: &Path,
    wasm: &[u8],
    config: &Config,
    path: Option<PathBuf>,
) -> Result<Vec<u8>> {
    let code = compile_code(file, wasm, config)?;
    if let Some(path) = path {
        store(&path, &code);
    }
    with_grants(&code, config)
}

/// The code object of `wasm` (no grants).
fn compile_code(file: &Path, wasm: &[u8], config: &Config) -> Result<Vec<u8>> {
    let code_config = Config {
        omit_grants: true,
        ..config.clone()
    };
    compile::compile(file, wasm, &code_config)
}

/// `code` joined with the object of `config`'s grants.
fn with_grants(code: &[u8], config: &Config) -> Result<Vec<u8>> {
    let grants = kiln_compiler::compile_grants(config)?;
    kiln_linker::append_object(code, &grants)
        .context("cannot join the compiled code and its grants into one object")
}

/// Where the code object of `wasm` and `config` is kept (`None` if the
/// cache directory cannot be made).
fn entry(wasm: &[u8], config: &Config) -> Option<PathBuf> {
    let mut build = KeyHasher::default();
    build
        .field("kiln-objects-v1")
        .field(env!("CARGO_PKG_VERSION"))
        .field(cache::self_identity());
    let build = format!("build-{}", build.finish());
    let dir = cache::subdir(&format!("objects/{build}")).ok()?;
    cache::prune_stale(&cache::cache_dir().join("objects"), "", &build);
    Some(dir.join(code_key(wasm, config)))
}

/// The key of the code `config` makes of `wasm`: every field that can
/// change the code, none of the grants.
fn code_key(wasm: &[u8], config: &Config) -> String {
    // NB: destructured without `..`, so that a new field of `Config` does
    // not compile until it is sorted in or out of the key here.
    let Config {
        target,
        opt_level,
        cpu,
        grants: _,
        omit_grants: _,
        imports,
        features,
        verify,
        epoch_interruption,
        consume_fuel,
        backtrace_details,
        progress: _,
    } = config;
    let mut key = KeyHasher::default();
    key.field(format!("{target:?}"))
        .field(format!("{opt_level:?}"))
        .field(format!("{cpu:?}"))
        .field(format!("{imports:?}"))
        .field(format!("{features:?}"))
        .field(format!("{verify:?}"))
        .field(format!("{epoch_interruption:?}"))
        .field(format!("{consume_fuel:?}"))
        .field(format!("{backtrace_details:?}"))
        .field(wasm);
    key.finish()
}

/// The kept object at `path`, marked as just used.
fn load(path: &Path) -> Option<Vec<u8>> {
    let bytes = std::fs::read(path).ok()?;
    if let Ok(f) = std::fs::File::options().write(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
    Some(bytes)
}

/// Keeps `code` at `path`, then trims the directory to [`BUDGET`]. Best
/// effort: a cache that cannot be written costs only a later compile.
fn store(path: &Path, code: &[u8]) {
    if cache::write_atomic(path, code, 0o644).is_err() {
        return;
    }
    if let Some(dir) = path.parent() {
        trim(dir, BUDGET);
    }
}

/// Removes the least recently used files of `dir` until the rest take at
/// most `budget` bytes.
fn trim(dir: &Path, budget: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            m.is_file().then(|| {
                (
                    m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    m.len(),
                    e.path(),
                )
            })
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    files.sort();
    for (_, len, path) in files {
        if total <= budget {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_not_part_of_the_key() {
        let mut a = Config::default();
        let mut b = Config::default();
        b.grants.dirs.push(("/tmp".into(), "/".into()));
        b.grants.program = "other.wasm".into();
        assert_eq!(code_key(b"wasm", &a), code_key(b"wasm", &b));
        a.consume_fuel = true;
        assert_ne!(code_key(b"wasm", &a), code_key(b"wasm", &b));
        assert_ne!(code_key(b"wasm", &b), code_key(b"wasn", &b));
    }

    #[test]
    fn trim_keeps_the_most_recent() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        for (i, name) in ["old", "mid", "new"].iter().enumerate() {
            let p = dir.path().join(name);
            std::fs::write(&p, [0u8; 10]).unwrap();
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(now - std::time::Duration::from_secs(100 - i as u64))
                .unwrap();
        }
        trim(dir.path(), 20);
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["mid", "new"]);
    }
}
