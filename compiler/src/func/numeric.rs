//! Numeric operators (constants, integer and float arithmetic, comparisons,
//! conversions) -> CLIF. (Being written.)

use crate::CompileError;
use cranelift_codegen::ir;
use cranelift_frontend::FunctionBuilder;
use wasmparser::Operator;

/// Translates `op` if it is a numeric operator, popping its operands from and
/// pushing its result onto `stack`. Returns `Ok(false)` (and touches nothing)
/// for any other operator.
pub(crate) fn translate_numeric(
    _op: &Operator<'_>,
    _builder: &mut FunctionBuilder<'_>,
    _stack: &mut Vec<ir::Value>,
) -> Result<bool, CompileError> {
    Ok(false)
}
