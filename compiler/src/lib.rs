//! Kiln's compiler: WebAssembly bytes -> one relocatable object file.
//!
//! Phase: the whole compile, as a library with no process I/O.
//! Inputs: wasm binary bytes and a [`Config`]. Output: the bytes of one
//! relocatable object holding the compiled functions, trampolines, trap
//! tables and the `repr(C)` module and grants descriptors of `kiln-abi`.
//!
//! Data flows one way (see ARCHITECTURE.md):
//! 1. [`module`]: wasmparser validates; the module becomes a plain-data
//!    [`module::ModuleInfo`] (no Cranelift types).
//! 2. [`func`]: each function body becomes CLIF, in parallel.
//! 3. [`obj`]: everything is written into the object, deterministically.

pub mod config;
pub mod error;
pub mod func;
pub mod isa;
pub mod module;
pub mod obj;
pub mod trampolines;

pub use config::{Config, CpuSpec, Grants, OptLevel};
pub use error::CompileError;

/// Compiles a core wasm module into a relocatable object.
pub fn compile_module(wasm: &[u8], config: &Config) -> Result<Vec<u8>, CompileError> {
    let info = module::translate_module(wasm, config)?;
    obj::emit_module(&info, wasm, config)
}
