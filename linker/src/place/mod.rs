//! Placement: linking a module object into a prelinked runtime image
//! without running a linker.
//!
//! Phase: the last step of `kiln build` for `x86_64-unknown-linux-musl`
//! (the static default on x86_64 hosts). Inputs: the compiled object, the
//! names of the roots the runtime reads from it, and a runtime image built
//! once for what the object needs ([`build_image`]). Output: the executable
//! ([`place`]), or [`PlaceError::Unsupported`], on which the caller links
//! with lld instead.
//!
//! Why: a static link runs lld over the whole runtime archive (about 8 MB
//! of code for the standard library, the WASI host and their
//! dependencies) and the C library for every build, to keep the few
//! hundred kilobytes a program reaches: some 40 million instructions, 25
//! to 30 ms of CPU, more than half of what building a small module costs.
//! That work depends only on which runtime symbols the module uses, so an
//! image linked once for those symbols serves every later build that uses
//! the same ones (the caller keys a cache by [`Needs`]).
//!
//! How: the image is the static-pie executable lld makes from the runtime
//! and a stub object ([`stub`]) standing in for the module: the stub
//! reserves the roots the runtime reads (`__kiln_program`, ...) and three
//! spare program headers. Placement ([`layout`], [`write`]) appends the
//! object's sections as up to three new segments in those headers,
//! resolves its relocations against its own sections and the image's
//! symbols (calls and GOT loads into the runtime), copies the roots into
//! their reserved places, and writes one merged `DT_RELR` table (the
//! image's relative relocations and the object's absolute addresses) that
//! the runtime's entry applies at start-up as before. The object's
//! functions join the symbol table, for debuggers and profilers.
//!
//! Invariants: the output behaves as lld's would (same code, same runtime,
//! same start-up); anything outside what is handled (another
//! architecture, a relocation type, TLS, an undefined symbol the image
//! lacks) is `Unsupported`, never a guess.

mod image;
mod input;
mod layout;
mod relr;
mod stub;
#[cfg(test)]
mod tests;
mod write;

pub use input::Needs;

use crate::{LinkError, LinkRequest, need_lld, run_linker, static_lld_args};
use std::ffi::OsString;
use std::path::Path;
use thiserror::Error;

/// Why placement did not produce an executable.
#[derive(Debug, Error)]
pub enum PlaceError {
    /// The object or image needs something placement does not do; link
    /// with lld instead.
    #[error("placement does not handle this: {0}")]
    Unsupported(String),
    /// Writing the executable failed.
    #[error("cannot write `{path}`: {error}")]
    Io {
        /// The output path.
        path: String,
        /// The OS error.
        error: std::io::Error,
    },
}

fn unsupported(what: impl Into<String>) -> PlaceError {
    PlaceError::Unsupported(what.into())
}

/// What `object` needs from an image: its undefined symbols and the sizes
/// of the `roots` it defines.
pub fn needs(object: &[u8], roots: &[&str]) -> Result<Needs, PlaceError> {
    input::Input::parse(object)?.needs(roots)
}

/// Links the runtime image for `needs` to `request.output` with lld:
/// `request` as for a static musl link of the module (its `objects` are
/// ignored), the stub written to `stub_path` in place of the module, and
/// every import of `needs` kept.
pub fn build_image(
    request: &LinkRequest,
    needs: &Needs,
    stub_path: &Path,
) -> Result<(), LinkError> {
    let libc_dir = request.need_libc_dir()?;
    let lld = need_lld(&request.target)?;
    let bytes = stub::stub_object(&needs.roots).map_err(|e| LinkError::Failed {
        command: "writing the runtime image's stub object".into(),
        status: "error".into(),
        stderr: e.to_string(),
    })?;
    std::fs::write(stub_path, bytes).map_err(|error| LinkError::Spawn {
        command: format!("write {}", stub_path.display()),
        error,
    })?;
    let mut stub_request = request.clone();
    stub_request.objects = vec![stub_path.to_path_buf()];
    stub_request.strip = false;
    let mut args = lld.prefix_args();
    args.extend(static_lld_args(&stub_request, libc_dir));
    for name in &needs.imports {
        args.push("-u".into());
        args.push(OsString::from(name));
    }
    run_linker(&lld.path, &args)
}

/// The executable for `object` placed into `image` (the bytes of an image
/// from [`build_image`] for the object's [`needs`] with the same `roots`).
pub fn link_bytes(
    image: &[u8],
    object: &[u8],
    roots: &[&str],
    strip: bool,
) -> Result<Vec<u8>, PlaceError> {
    let image = image::Image::parse(image)?;
    let input = input::Input::parse(object)?;
    let layout = layout::layout(&image, &input, roots)?;
    write::write(&image, &input, &layout, roots, strip)
}

/// [`link_bytes`], written to `output` as an executable (replacing any
/// file there, as a linker does, so a running program keeps its copy).
pub fn place(
    image: &[u8],
    object: &[u8],
    roots: &[&str],
    output: &Path,
    strip: bool,
) -> Result<(), PlaceError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let bytes = link_bytes(image, object, roots, strip)?;
    let io = |error| PlaceError::Io {
        path: output.display().to_string(),
        error,
    };
    match std::fs::remove_file(output) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o777)
        .open(output)
        .map_err(io)?;
    file.write_all(&bytes).map_err(io)
}
