//! The operator walk: one wasm function body -> one CLIF function. (Being
//! written.)

use super::ModuleEnv;
use crate::CompileError;
use cranelift_codegen::ir;
use cranelift_frontend::FunctionBuilderContext;

/// Translates function bodies; one per worker thread, reused.
pub struct FuncTranslator {
    #[allow(dead_code, reason = "used once the translator is written")]
    builder_ctx: FunctionBuilderContext,
}

impl Default for FuncTranslator {
    fn default() -> Self {
        Self::new()
    }
}

impl FuncTranslator {
    /// A translator with fresh scratch state.
    pub fn new() -> Self {
        FuncTranslator {
            builder_ctx: FunctionBuilderContext::new(),
        }
    }

    /// Translates defined function `func_index` (in the full function index
    /// space, imports first) whose body is `env.info.bodies[func_index -
    /// num_imported_funcs]`. The returned function's name is
    /// `UserFuncName::user(0, func_index)`, its signature
    /// [`super::sig::wasm_call_signature`], and source locations are wasm
    /// byte offsets in the module.
    pub fn translate(
        &mut self,
        _env: &ModuleEnv<'_>,
        func_index: u32,
    ) -> Result<ir::Function, CompileError> {
        Err(CompileError::Unsupported {
            feature: format!("function translation (function {func_index})"),
            offset: 0,
        })
    }
}
