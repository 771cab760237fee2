//! Phase 3: compiled functions and module facts -> one relocatable object.
//! (Being written; see ARCHITECTURE.md.)

pub mod symbols;

use crate::{CompileError, Config, module::ModuleInfo};

/// Compiles every function of `info` and writes the object.
pub fn emit_module(_info: &ModuleInfo, _wasm: &[u8], _config: &Config) -> Result<Vec<u8>, CompileError> {
    Err(CompileError::Object("not implemented yet".into()))
}
