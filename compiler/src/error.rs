//! Errors of the compiler. Every failure on bad input is one of these, never
//! a panic.

use thiserror::Error;

/// Why a compile failed.
#[derive(Debug, Error)]
pub enum CompileError {
    /// The input is not valid WebAssembly.
    #[error("invalid wasm at offset {offset:#x}: {message}")]
    Invalid {
        /// Byte offset in the input.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// The input uses a feature Kiln does not support (yet).
    #[error("unsupported feature: {feature} (at offset {offset:#x})")]
    Unsupported {
        /// The feature's name, e.g. `simd` or `memory64`.
        feature: String,
        /// Byte offset in the input.
        offset: usize,
    },
    /// An import no host provides.
    #[error("unknown import: `{module}::{name}` is not provided by Kiln's host ({detail})")]
    UnknownImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// More detail (e.g. a signature mismatch).
        detail: String,
    },
    /// A component import Kiln's WASI host does not provide as imported
    /// (unknown function or resource, or another core signature).
    #[error("unsupported import: {name} {reason}")]
    UnsupportedImport {
        /// The import as the component spells it, `interface#func`
        /// (e.g. `wasi:cli/environment@0.2.6#get-arguments`).
        name: String,
        /// Why, e.g. `is not provided by Kiln's WASI host`.
        reason: String,
    },
    /// An implementation limit was exceeded.
    #[error("implementation limit exceeded: {0}")]
    ImplLimit(&'static str),
    /// Cranelift rejected generated code: this is a Kiln bug.
    #[error("internal code generation error in function {func}: {message}")]
    Codegen {
        /// Function index.
        func: u32,
        /// Error and the pretty-printed CLIF.
        message: String,
    },
    /// The target is not supported or the CPU flags are invalid.
    #[error("target error: {0}")]
    Target(String),
    /// Writing the object failed.
    #[error("object emission failed: {0}")]
    Object(String),
}

/// Returns `Err(CompileError::Unsupported)` naming `feature` at `offset`.
#[macro_export]
macro_rules! unsupported {
    ($feature:expr, $offset:expr) => {
        return Err($crate::error::CompileError::Unsupported {
            feature: ($feature).to_string(),
            offset: $offset,
        })
    };
}

impl From<wasmparser::BinaryReaderError> for CompileError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        CompileError::Invalid {
            offset: e.offset(),
            message: e.message().to_string(),
        }
    }
}
