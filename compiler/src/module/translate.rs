//! wasmparser -> ModuleInfo. (Being written.)

use super::ModuleInfo;
use crate::{CompileError, Config};

/// Validates `wasm` and describes it.
pub fn translate_module(_wasm: &[u8], _config: &Config) -> Result<ModuleInfo, CompileError> {
    Err(CompileError::Object("not implemented yet".into()))
}
