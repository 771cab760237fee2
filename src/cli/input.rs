//! Reading the input module: a binary `.wasm` file, or WebAssembly text
//! (`.wat`, or any file that is not binary wasm) parsed with the `wat` crate.

use anyhow::{Context, Result, bail};
use std::path::Path;

/// A loaded module.
pub struct Input {
    /// The wasm binary.
    pub wasm: Vec<u8>,
    /// The file's name without directories (what wasmtime shows the guest as
    /// argv[0] and in messages).
    pub program: String,
}

/// Reads `path` and converts text to binary.
pub fn read(path: &Path) -> Result<Input> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let wasm = if bytes.starts_with(b"\0asm") {
        bytes
    } else {
        parse_text(path, &bytes)?
    };
    Ok(Input {
        wasm,
        program: program_name(path),
    })
}

/// The last path component, as wasmtime computes argv[0].
pub fn program_name(path: &Path) -> String {
    path.components()
        .next_back()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn parse_text(path: &Path, bytes: &[u8]) -> Result<Vec<u8>> {
    let is_wat = path.extension().is_some_and(|e| e == "wat" || e == "wast");
    let Ok(text) = std::str::from_utf8(bytes) else {
        if is_wat {
            bail!("`{}` is not valid UTF-8 text", path.display());
        }
        bail!(
            "`{}` is not a WebAssembly module (no `\\0asm` header, and not WebAssembly text)",
            path.display()
        );
    };
    wat::Parser::new()
        .parse_str(Some(path), text)
        .map_err(|e| anyhow::anyhow!("{}", one_line(&e.to_string())))
        .with_context(|| format!("cannot parse `{}` as WebAssembly text", path.display()))
}

/// Folds wat's multi-line rendering (message, `--> file:line:col`, source
/// snippet) into `message (at file:line:col)`.
fn one_line(rendered: &str) -> String {
    let mut lines = rendered.lines();
    let message = lines.next().unwrap_or("").trim().to_string();
    match lines.find_map(|l| l.trim().strip_prefix("--> ")) {
        Some(location) => format!("{message} (at {location})"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_wat_errors() {
        let e = wat::Parser::new()
            .parse_str(Some(Path::new("x.wat")), "(module (func (i32.bogus)))")
            .unwrap_err();
        let s = one_line(&e.to_string());
        assert!(!s.contains('\n'), "{s}");
        assert!(s.contains("x.wat:1:"), "{s}");
    }

    #[test]
    fn program_names() {
        assert_eq!(program_name(Path::new("a/b/c.wasm")), "c.wasm");
        assert_eq!(program_name(Path::new("c.wasm")), "c.wasm");
    }
}
