//! The fast link of a static x86_64 executable: the compiled object placed
//! into a runtime image from the cache (`kiln_linker::place`), the image
//! linked by lld the first time a build needs its set of runtime symbols.
//!
//! Phase: link, before (and instead of) lld. Inputs: the object's bytes,
//! the extracted runtime, the link request lld would get. Output: the
//! executable, or the reason placement did not apply (the caller then runs
//! lld as before, which also reports any real link error).
//!
//! Cache: `<runtime dir>/images/image-<key>`, where the key hashes what the
//! object needs from the runtime ([`kiln_linker::place::Needs`]: its
//! undefined symbols and the sizes of its roots); the runtime directory is
//! already specific to this Kiln build. Images are written to a temporary
//! file and renamed into place, so concurrent builds share them safely.
//! `KILN_PLACE=0` turns placement off (every build runs lld).

use super::cache::{self, KeyHasher};
use kiln_abi::symbols;
use kiln_linker::LinkRequest;
use kiln_linker::place;
use std::path::{Path, PathBuf};

/// The symbols the runtime reads from the compiled object.
const ROOTS: &[&str] = &[symbols::PROGRAM, symbols::GRANTS, symbols::PROGRAM_RUNNER];

/// Why the fast link was not taken (for `KILN_TIMINGS`).
pub type Skipped = String;

/// Whether placement can link for `request` at all: a static-pie for
/// x86_64 whose runtime brings its own entry (which applies the merged
/// relocation table).
pub fn applies(request: &LinkRequest) -> bool {
    request.target == "x86_64-unknown-linux-musl"
        && request.libc_dir.is_some()
        && request.sysroot.is_none()
        && request.entry.is_some()
        && std::env::var("KILN_PLACE").map_or(true, |v| v != "0")
}

/// Links `object` by placement, caching images in `runtime_dir` (the
/// extracted runtime's); `Err` says why it did not (the caller links with
/// lld).
pub fn link(object: &[u8], runtime_dir: &Path, request: &LinkRequest) -> Result<(), Skipped> {
    let needs = place::needs(object, ROOTS).map_err(|e| e.to_string())?;
    let image = image_path(runtime_dir, &needs);
    if !image.is_file() {
        build_image(request, &needs, &image)?;
    }
    let bytes = std::fs::read(&image).map_err(|e| format!("{}: {e}", image.display()))?;
    // Either error falls back to lld: what placement does not handle, and
    // an output it cannot write (lld fails then too, and says so with
    // context).
    place::place(&bytes, object, ROOTS, &request.output, request.strip).map_err(|e| e.to_string())
}

/// Where the image for `needs` is cached.
fn image_path(runtime_dir: &Path, needs: &place::Needs) -> PathBuf {
    let mut key = KeyHasher::default();
    key.field(needs.key_text());
    runtime_dir
        .join("images")
        .join(format!("image-{}", key.finish()))
}

/// Links the image for `needs` and installs it at `path`.
fn build_image(request: &LinkRequest, needs: &place::Needs, path: &Path) -> Result<(), Skipped> {
    let dir = path.parent().expect("images live in a directory");
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let scratch = tempfile::Builder::new()
        .prefix(".image-")
        .tempdir_in(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = scratch.path().join("image");
    let mut image_request = request.clone();
    image_request.output = tmp.clone();
    place::build_image(&image_request, needs, &scratch.path().join("stub.o"))
        .map_err(|e| e.to_string())?;
    cache::install(&tmp, path).map_err(|e| format!("{e:#}"))
}
