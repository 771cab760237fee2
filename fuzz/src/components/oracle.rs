//! Accept or refuse: Kiln's compiler and the `wasmtime` CLI on one
//! component.
//!
//! Input: component bytes. Output: each side's [`Verdict`] and the
//! [`Class`] of the pair. Kiln's side calls
//! `kiln_compiler::compile_component` in-process (no link), catching a
//! panic; Wasmtime's side runs `wasmtime compile` (validation and
//! translation, what `wasmtime run` does before it instantiates) with the
//! component-model switches for what Kiln always compiles
//! (`component-model-async` is on by default in Wasmtime 49;
//! error contexts and the "more async built-ins" Kiln accepts without a
//! flag, see the README's "Not supported").

use kiln_compiler::{CompileError, Config};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Wasmtime's switches for the features Kiln always compiles.
pub const WASMTIME_FLAGS: &[&str] = &[
    "-W",
    "component-model-error-context=y,component-model-more-async-builtins=y",
];

/// One side's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    /// Refused as invalid, with the message and the offset it names.
    Invalid(String, Option<usize>),
    /// Refused for another reason (Kiln: unsupported feature or import,
    /// implementation limit), with the message.
    Other(String),
    /// Kiln panicked (message).
    Panic(String),
    /// Kiln compiled it, but a fused adapter it generated is not valid
    /// wasm (the error).
    BadAdapter(String),
}

/// How the two verdicts compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    BothAccept,
    /// Both refuse as invalid with the same words, at the same offset.
    BothRefuseSameWords,
    /// Both refuse as invalid with the same words, at another offset.
    BothRefuseOtherOffset,
    /// Both refuse as invalid, in other words.
    BothRefuseOtherWords,
    /// Wasmtime refuses; Kiln refuses for another reason (unsupported).
    BothRefuseKilnUnsupported,
    /// Wasmtime accepts; Kiln refuses it as unsupported (a known limit).
    KilnUnsupported,
    /// Wasmtime accepts; Kiln refuses it as invalid: worth a look.
    KilnStricter,
    /// Wasmtime refuses; Kiln accepts: a bug.
    KilnAcceptsInvalid,
    /// Kiln panicked: a bug.
    KilnPanic,
    /// Kiln generated an invalid adapter module: a bug.
    KilnBadAdapter,
}

impl Class {
    pub fn of(kiln: &Verdict, wasmtime: &Verdict) -> Class {
        match (kiln, wasmtime) {
            (Verdict::Panic(_), _) => Class::KilnPanic,
            (Verdict::BadAdapter(_), _) => Class::KilnBadAdapter,
            (Verdict::Accept, Verdict::Accept) => Class::BothAccept,
            (Verdict::Accept, _) => Class::KilnAcceptsInvalid,
            (Verdict::Invalid(..), Verdict::Accept) => Class::KilnStricter,
            (_, Verdict::Accept) => Class::KilnUnsupported,
            (Verdict::Invalid(k, at), Verdict::Invalid(w, wat)) if same_words(k, w) => {
                if at == wat {
                    Class::BothRefuseSameWords
                } else {
                    Class::BothRefuseOtherOffset
                }
            }
            (Verdict::Invalid(..), _) => Class::BothRefuseOtherWords,
            (_, _) => Class::BothRefuseKilnUnsupported,
        }
    }

    /// A finding that must be fixed.
    pub fn is_bug(self) -> bool {
        matches!(
            self,
            Class::KilnAcceptsInvalid | Class::KilnPanic | Class::KilnBadAdapter
        )
    }
}

/// Whether Kiln's message says what Wasmtime's does (Wasmtime may add
/// context lines before its cause).
fn same_words(kiln: &str, wasmtime: &str) -> bool {
    kiln == wasmtime
        || wasmtime.lines().last() == Some(kiln)
        || kiln.lines().last() == wasmtime.lines().last()
}

/// Kiln's verdict: compile in-process (with Cranelift's verifier on), and
/// for a component that compiles, validate every fused adapter module the
/// compiler generated (the pipeline does not validate them again).
pub fn kiln(wasm: &[u8]) -> Verdict {
    let config = Config {
        verify: true,
        ..Config::default()
    };
    let result = std::panic::catch_unwind(|| {
        kiln_compiler::compile_component(wasm, &config)?;
        kiln_compiler::component::plan(wasm, &config)
    });
    match result {
        Ok(Ok(plan)) => match bad_adapter(&plan) {
            Some(e) => Verdict::BadAdapter(e),
            None => Verdict::Accept,
        },
        Ok(Err(CompileError::Invalid { message, offset })) => {
            Verdict::Invalid(message, Some(offset))
        }
        Ok(Err(e)) => Verdict::Other(e.to_string()),
        Err(panic) => Verdict::Panic(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(non-string panic)".into()),
        ),
    }
}

/// The first generated module of `plan` that wasmparser refuses, with
/// every feature on (the adapters' own features are Kiln's choice; any
/// refusal is a malformed module).
fn bad_adapter(plan: &kiln_compiler::component::ComponentPlan) -> Option<String> {
    plan.modules.values().find_map(|m| {
        let bytes = m.generated.as_ref()?;
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(bytes)
            .err()
            .map(|e| format!("generated adapter module: {e}"))
    })
}

/// Runs the `wasmtime` CLI.
pub struct Wasmtime {
    exe: PathBuf,
    scratch: PathBuf,
}

impl Wasmtime {
    /// `exe`, writing its inputs under `scratch` (a directory).
    pub fn new(exe: PathBuf, scratch: PathBuf) -> Wasmtime {
        Wasmtime { exe, scratch }
    }

    /// The version line, to check the oracle is the expected one.
    pub fn version(&self) -> std::io::Result<String> {
        let out = Command::new(&self.exe).arg("--version").output()?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Wasmtime's verdict: `wasmtime compile`.
    pub fn verdict(&self, wasm: &[u8]) -> std::io::Result<Verdict> {
        let input = self.scratch.join("case.wasm");
        std::fs::write(&input, wasm)?;
        let out = Command::new(&self.exe)
            .arg("compile")
            .args(WASMTIME_FLAGS)
            .arg(&input)
            .arg("-o")
            .arg(self.scratch.join("case.cwasm"))
            .env("RUST_BACKTRACE", "0")
            .env("RUST_LIB_BACKTRACE", "0")
            .output()?;
        if out.status.success() {
            return Ok(Verdict::Accept);
        }
        let (message, offset) = cause(&String::from_utf8_lossy(&out.stderr));
        Ok(Verdict::Invalid(message, offset))
    }
}

/// The cause in Wasmtime's error report (the lines after `Caused by:`, or
/// its first line) and the offset it names, taken off the text.
pub fn cause(stderr: &str) -> (String, Option<usize>) {
    let mut lines = stderr.lines();
    let mut cause = Vec::new();
    if lines.any(|l| l.trim() == "Caused by:") {
        for l in lines.by_ref() {
            if l.trim().is_empty() || l.starts_with("Stack backtrace") {
                break;
            }
            cause.push(l.trim());
        }
    }
    let text = if cause.is_empty() {
        stderr.lines().next().unwrap_or("").to_string()
    } else {
        cause.join("\n")
    };
    strip_offset(&text)
}

fn strip_offset(text: &str) -> (String, Option<usize>) {
    match text.rfind(" (at offset 0x") {
        Some(i) if text.ends_with(')') => {
            let hex = &text[i + " (at offset 0x".len()..text.len() - 1];
            (text[..i].to_string(), usize::from_str_radix(hex, 16).ok())
        }
        _ => (text.to_string(), None),
    }
}

/// `wasmtime` on `PATH`, or `$KILN_WASMTIME`.
pub fn find_wasmtime() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KILN_WASMTIME") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("wasmtime"))
            .find(|p| Path::new(p).is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cause_of_a_wasmtime_report() {
        let report = "Error: failed to parse WebAssembly module\n\nCaused by:\n    \
                      export name `[constructor]r` is not valid\n    constructor function \
                      cannot be async (at offset 0xac)\n\nStack backtrace:\n   0: x\n";
        let (words, offset) = cause(report);
        assert_eq!(
            words,
            "export name `[constructor]r` is not valid\nconstructor function cannot be async"
        );
        assert_eq!(offset, Some(0xac));
        let kiln = Verdict::Invalid("constructor function cannot be async".into(), offset);
        let wasmtime = Verdict::Invalid(words, offset);
        assert_eq!(Class::of(&kiln, &wasmtime), Class::BothRefuseSameWords);
        let elsewhere = Verdict::Invalid("constructor function cannot be async".into(), Some(1));
        assert_eq!(
            Class::of(&elsewhere, &wasmtime),
            Class::BothRefuseOtherOffset
        );
        assert_eq!(
            Class::of(&Verdict::Accept, &wasmtime),
            Class::KilnAcceptsInvalid
        );
    }
}
