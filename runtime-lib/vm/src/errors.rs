//! Error reports in the exact shape the `wasmtime` CLI prints them.
//!
//! Phase: any failure before, during or after running the guest. Input: a
//! chain of messages, outermost first (what Wasmtime builds with
//! `.context(...)`). Output: bytes on stderr and an exit status.
//!
//! Wasmtime prints `Error: {e:?}` where its `Error`'s `Debug` is: the
//! outermost message; then, if there are causes, `\n\nCaused by:\n` and one
//! line per cause, numbered `{i: >5}: ` when there are several and indented
//! by four spaces when there is one, each followed by `\n`. Multi-line
//! causes (the wasm backtrace) are *not* re-indented. `eprintln!` adds a
//! final `\n`. The same writer is used allocation-free by the trap handler
//! ([`write_chain`] works on any `fmt::Write` and `dyn Display` items).

use std::fmt::{self, Display, Write};

/// Exit status of a failure that is not a trap (Rust's `main` returning
/// `Err`, as the `wasmtime` CLI does).
pub const ERROR_STATUS: i32 = 1;

/// Writes `Error: <first>` and its causes as Wasmtime's CLI does, including
/// the final newline.
pub fn write_chain(w: &mut dyn Write, first: &dyn Display, causes: &[&dyn Display]) -> fmt::Result {
    write!(w, "Error: {first}")?;
    if !causes.is_empty() {
        w.write_str("\n\nCaused by:\n")?;
        let numbered = causes.len() > 1;
        for (i, cause) in causes.iter().enumerate() {
            if numbered {
                write!(w, "{i: >5}: ")?;
            } else {
                w.write_str("    ")?;
            }
            writeln!(w, "{cause}")?;
        }
    }
    w.write_str("\n")
}

/// Formats a chain of plain messages (outermost first) into a string.
pub fn format_chain(chain: &[String]) -> String {
    let mut out = String::new();
    let Some((first, rest)) = chain.split_first() else {
        return out;
    };
    let causes: Vec<&dyn Display> = rest.iter().map(|s| s as &dyn Display).collect();
    // Writing to a String cannot fail.
    let _ = write_chain(&mut out, first, &causes);
    out
}

/// An OS error as Wasmtime prints it (see `kiln_platform::os_error`).
pub fn os_error_text(e: &std::io::Error) -> String {
    kiln_platform::os_error::text(e)
}

/// Writes `bytes` to file descriptor `fd`, retrying on `EINTR` and short
/// writes, ignoring other errors (there is nowhere left to report them).
pub fn write_fd(fd: i32, bytes: &[u8]) {
    kiln_platform::stdio::write_all(fd, bytes);
}

/// Prints the chain to stderr (unbuffered) and returns [`ERROR_STATUS`].
pub fn report(chain: &[String]) -> i32 {
    write_fd(2, format_chain(chain).as_bytes());
    ERROR_STATUS
}

/// The outermost context of everything that happens to the main module:
/// ``failed to run main module `<program>` ``. (Built by hand, as
/// [`instantiate_context`]: every program makes both at start-up, and
/// `format!` cost a few thousand instructions there.)
pub fn main_module_context(program: &[u8]) -> String {
    let name = String::from_utf8_lossy(program);
    let mut s = String::with_capacity(name.len() + 32);
    s.push_str("failed to run main module `");
    s.push_str(&name);
    s.push('`');
    s
}

/// The context of instantiation: `failed to instantiate "<program>"` (the
/// program path formatted with `Debug`, as Wasmtime does for its `OsString`).
pub fn instantiate_context(program: &[u8]) -> String {
    // `Debug` of a path of printable ASCII without quotes or backslashes
    // is the path in quotes; anything else takes `Debug` itself.
    if program
        .iter()
        .all(|b| (0x20..0x7f).contains(b) && *b != b'"' && *b != b'\\')
    {
        let mut s = String::with_capacity(program.len() + 24);
        s.push_str("failed to instantiate \"");
        // The bytes are ASCII (checked above).
        s.extend(program.iter().map(|b| char::from(*b)));
        s.push('"');
        return s;
    }
    format!(
        "failed to instantiate {}",
        kiln_platform::os_str::debug(program)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-built contexts are what `format!` and `Debug` make.
    #[test]
    fn contexts_match_their_formats() {
        for p in [
            &b"app.wasm"[..],
            b"./dir/a b.wasm",
            b"q\"uote",
            b"back\\slash",
            b"tab\there",
            b"caf\xc3\xa9",
            b"bad\xff",
            b"",
        ] {
            let debug = format!("failed to instantiate {}", kiln_platform::os_str::debug(p));
            assert_eq!(instantiate_context(p), debug);
            let main = format!("failed to run main module `{}`", String::from_utf8_lossy(p));
            assert_eq!(main_module_context(p), main);
        }
    }

    #[test]
    fn single_message() {
        assert_eq!(format_chain(&["boom".into()]), "Error: boom\n");
    }

    #[test]
    fn single_cause_is_indented_not_numbered() {
        let s = format_chain(&[
            "failed to run main module `a.wasm`".into(),
            "no func export named `f` found".into(),
        ]);
        assert_eq!(
            s,
            "Error: failed to run main module `a.wasm`\n\nCaused by:\n    no func export named `f` found\n\n"
        );
    }

    #[test]
    fn several_causes_are_numbered() {
        let s = format_chain(&["a".into(), "b".into(), "c\n  d".into()]);
        assert_eq!(s, "Error: a\n\nCaused by:\n    0: b\n    1: c\n  d\n\n");
    }

    #[test]
    fn contexts() {
        assert_eq!(
            main_module_context(b"dir/x.wasm"),
            "failed to run main module `dir/x.wasm`"
        );
        assert_eq!(
            instantiate_context(b"dir/x.wasm"),
            "failed to instantiate \"dir/x.wasm\""
        );
        // Linux: any bytes (Windows hands over WTF-8 of UTF-16).
        if cfg!(unix) {
            assert_eq!(
                instantiate_context(b"q\"\xff"),
                "failed to instantiate \"q\\\"\\xFF\""
            );
        }
    }
}
