//! The operator walk: one wasm function body -> one CLIF function.
//!
//! Phase 2 (HOW). Input: [`ModuleEnv`] and a defined function's index; the
//! body is re-read from the module bytes (`env.wasm[env.info.bodies[d]]`,
//! `d` its `DefinedFuncIndex`) so
//! that operator offsets are module offsets. Output: an [`ir::Function`]
//! named `UserFuncName::user(0, func_index)` with the wasm-call signature
//! (`tail`, `vmctx` first), ready for `Context::compile`.
//!
//! Shape of the generated function:
//! - an entry block that takes the signature's parameters, defines every wasm
//!   local as a `Variable` (parameters, then zero-initialized locals) and
//!   jumps to the body. Per-instance constants (memory bases, import
//!   pointers) are inserted there on first use (see [`super::env`]);
//! - the body, translated operator by operator with a value stack of CLIF
//!   values and a control stack (see [`super::control`]); values flow into
//!   and out of wasm blocks as CLIF block parameters;
//! - the prologue's stack check: `stack_limit` is the pointer at
//!   `vmctx + VMOffsets::STACK_LIMIT`, so Cranelift traps `STACK_OVERFLOW`
//!   before a frame would go below it;
//! - if the config asks for them, interruption and fuel checks (see
//!   [`super::limits`]) at the start of the body, at loop headers and
//!   around operators.
//!
//! Invariants: the module was validated, so stack depths and indices are
//! trusted (`expect("validated: ...")`); anything Kiln cannot compile is a
//! `CompileError::Unsupported` naming the proposal, even in unreachable code.

use super::ModuleEnv;
use super::control::ControlFrame;
use super::env::Cached;
use crate::CompileError;
use crate::key::FuncKey;
use crate::module::{FuncIndex, GlobalIndex, TableIndex, TypeIndex};
use cranelift_codegen::ir::{self, InstBuilder};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use kiln_abi::ValType;
use kiln_abi::vmctx::VMOffsets;
use std::collections::BTreeMap;
use wasmparser::{BinaryReader, FunctionBody, Operator};

/// Translates function bodies; one per worker thread, reused.
pub struct FuncTranslator {
    builder_ctx: FunctionBuilderContext,
    /// Calls of linked imports in the last function translated.
    linked_calls: LinkedCalls,
}

/// Calls of linked imports (`ImportPolicy::Linked`) emitted in one
/// function: direct calls of code the component plan fixes, and indirect
/// calls through the import's `VMContext` slot (a statistic).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkedCalls {
    /// `call`/`return_call` of a symbol.
    pub direct: usize,
    /// Calls through the slot's code pointer.
    pub indirect: usize,
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
            linked_calls: LinkedCalls::default(),
        }
    }

    /// Translates defined function `func_index` (in the full function index
    /// space, imports first) whose body is `env.info.bodies` at its
    /// `defined_func_index`. The returned function's name is
    /// `UserFuncName::user(0, func_index)`, its signature
    /// [`super::sig::wasm_call_signature`], and source locations are wasm
    /// byte offsets in the module.
    pub fn translate(
        &mut self,
        env: &ModuleEnv<'_>,
        func_index: FuncIndex,
    ) -> Result<ir::Function, CompileError> {
        self.linked_calls = LinkedCalls::default();
        let result = translate_function(
            env,
            func_index,
            &mut self.builder_ctx,
            &mut self.linked_calls,
        );
        if result.is_err() {
            // A failed translation leaves the builder context half-used;
            // start the next function from a clean one.
            self.builder_ctx = FunctionBuilderContext::new();
        }
        result
    }

    /// Calls of linked imports in the function last translated.
    pub fn linked_calls(&self) -> LinkedCalls {
        self.linked_calls
    }
}

fn translate_function(
    env: &ModuleEnv<'_>,
    func_index: FuncIndex,
    ctx: &mut FunctionBuilderContext,
    linked_calls: &mut LinkedCalls,
) -> Result<ir::Function, CompileError> {
    let info = env.info;
    let def_index = info
        .defined_func_index(func_index)
        .expect("internal: translate called for an imported function");
    let range = info
        .bodies
        .get(def_index)
        .cloned()
        .expect("internal: function index has a body");
    let bytes = env
        .wasm
        .get(range.clone())
        .expect("internal: body range inside the module");
    let ty = info.func_type(func_index);
    let pointer = env.isa.pointer_type();

    let mut func = ir::Function::with_name_signature(
        ir::UserFuncName::user(0, func_index.as_u32()),
        super::sig::wasm_call_signature(ty, env.isa),
    );
    super::env::declare_alias_regions(&mut func);
    let stack_limit = stack_limit_global(&mut func, pointer);
    func.stack_limit = Some(stack_limit);

    let body = FunctionBody::new(BinaryReader::new(bytes, range.start));
    let mut builder = FunctionBuilder::new(&mut func, ctx);
    let entry_srcloc = ir::SourceLoc::new(range.start as u32);
    builder.set_srcloc(entry_srcloc);

    let entry = builder.create_block();
    builder.append_block_params_for_function_params(entry);
    builder.switch_to_block(entry);
    builder.seal_block(entry);
    let vmctx = builder.block_params(entry)[0];

    let mut cg = FuncCodegen {
        env,
        builder,
        stack: Vec::new(),
        control: Vec::new(),
        reachable: true,
        unreachable_depth: 0,
        locals: Vec::new(),
        vmctx,
        pointer,
        entry,
        entry_srcloc,
        cache: BTreeMap::new(),
        func_refs: BTreeMap::new(),
        sig_refs: BTreeMap::new(),
        offset: range.start,
        exceptions: Default::default(),
        linked_calls: LinkedCalls::default(),
        fuel: None,
    };
    cg.declare_locals(&body, ty)?;

    let body_block = cg.builder.create_block();
    cg.builder.ins().jump(body_block, &[]);
    cg.builder.switch_to_block(body_block);
    cg.builder.seal_block(body_block);
    cg.limits_at_entry()?;

    let results = ty.results.clone();
    cg.push_function_frame(&results)?;

    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;
        cg.offset = offset;
        cg.builder.set_srcloc(ir::SourceLoc::new(offset as u32));
        cg.translate_operator(&op)?;
    }
    debug_assert!(cg.control.is_empty(), "validated: balanced control");

    cg.finish_exceptions()?;
    *linked_calls = cg.linked_calls;
    let FuncCodegen { builder, .. } = cg;
    builder.finalize(env.isa.frontend_config());
    Ok(func)
}

/// `*(vmctx + STACK_LIMIT)` as a global value for `Function::stack_limit`.
fn stack_limit_global(func: &mut ir::Function, pointer: ir::Type) -> ir::GlobalValue {
    let vmctx = func.create_global_value(ir::GlobalValueData::VMContext);
    let flags = func
        .dfg
        .mem_flags
        .insert(super::env::vm_readonly_flags())
        .expect("internal: first memory flags fit the flags table");
    func.create_global_value(ir::GlobalValueData::Load {
        base: vmctx,
        offset: (VMOffsets::STACK_LIMIT as i32).into(),
        global_type: pointer,
        flags,
    })
}

/// Translation state of one function. Its methods are spread over the
/// feature files of `func/` (control, env, memory, table, call).
pub(super) struct FuncCodegen<'e, 'f> {
    /// Module facts.
    pub(super) env: &'e ModuleEnv<'e>,
    /// The CLIF builder.
    pub(super) builder: FunctionBuilder<'f>,
    /// The wasm operand stack.
    pub(super) stack: Vec<ir::Value>,
    /// The wasm control stack; `control[0]` is the function body.
    pub(super) control: Vec<ControlFrame>,
    /// Whether the current position is reachable. When not, operators are
    /// skipped until the `else`/`end` that closes the current frame.
    pub(super) reachable: bool,
    /// Blocks opened in unreachable code, not yet closed.
    pub(super) unreachable_depth: u32,
    /// Wasm locals (parameters first).
    pub(super) locals: Vec<Variable>,
    /// The `vmctx` parameter.
    pub(super) vmctx: ir::Value,
    /// Target pointer type.
    pub(super) pointer: ir::Type,
    /// The entry block (ends with `jump` to the body).
    pub(super) entry: ir::Block,
    /// Source location of instructions placed in the entry block.
    pub(super) entry_srcloc: ir::SourceLoc,
    /// Per-instance constants loaded in the entry block.
    pub(super) cache: BTreeMap<Cached, ir::Value>,
    /// Imported functions of this CLIF function.
    pub(super) func_refs: BTreeMap<FuncKey, ir::FuncRef>,
    /// Signatures imported for `call_indirect`, by module type index.
    pub(super) sig_refs: BTreeMap<TypeIndex, ir::SigRef>,
    /// Module offset of the operator being translated.
    pub(super) offset: usize,
    /// Open `try_table`s and their handler blocks (exception handling).
    pub(super) exceptions: super::exceptions::ExceptionState,
    /// Calls of linked imports emitted so far (a statistic).
    pub(super) linked_calls: LinkedCalls,
    /// The fuel counter, when the config asks for fuel checks.
    pub(super) fuel: Option<super::limits::FuelState>,
}

/// The proposal an operator comes from, as named by wasmparser's
/// `for_each_operator!` (`mvp`, `simd`, `tail_call`, ...).
fn proposal_of(op: &Operator<'_>) -> &'static str {
    macro_rules! proposal_match {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $( Operator::$op { .. } => stringify!($proposal), )*
                _ => "unknown",
            }
        };
    }
    wasmparser::for_each_operator!(proposal_match)
}

/// Proposals whose operators Kiln translates.
fn proposal_supported(proposal: &str) -> bool {
    // One proposal per line: each feature's owner adds its own.
    matches!(
        proposal,
        "mvp"
            | "sign_extension"
            | "saturating_float_to_int"
            | "bulk_memory"
            | "reference_types"
            | "wide_arithmetic"
            | "tail_call"
            | "function_references"
            | "threads"
            | "simd"
            | "relaxed_simd"
            | "exceptions"
            | "legacy_exceptions"
    )
}

/// The user-facing name of a proposal, as in the WebAssembly repositories.
fn proposal_feature(proposal: &str) -> String {
    match proposal {
        "exceptions" | "legacy_exceptions" => "exception-handling".to_string(),
        other => other.replace('_', "-"),
    }
}

impl FuncCodegen<'_, '_> {
    /// `Unsupported` for `feature` at the current operator.
    pub(super) fn unsupported<T>(&self, feature: &str) -> Result<T, CompileError> {
        Err(CompileError::Unsupported {
            feature: feature.to_string(),
            offset: self.offset,
        })
    }

    /// The CLIF type of a wasm value type (`v128` is always `I8X16`, see
    /// `simd.rs`). Every type phase 1 accepts has one, so `_offset` is unused.
    pub(super) fn value_type(&self, ty: ValType, _offset: usize) -> Result<ir::Type, CompileError> {
        Ok(super::sig::clif_type(ty, self.pointer))
    }

    /// The Kiln value type of a wasmparser value type.
    pub(super) fn wasm_val_type(
        &self,
        ty: wasmparser::ValType,
        offset: usize,
    ) -> Result<ValType, CompileError> {
        use wasmparser::ValType as W;
        Ok(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::V128 => ValType::V128,
            W::Ref(r) => {
                crate::module::ref_val_type(r).map_err(|feature| CompileError::Unsupported {
                    feature: feature.to_string(),
                    offset,
                })?
            }
        })
    }

    /// Zero-extends an `i32` index to pointer width.
    pub(super) fn index_to_pointer(&mut self, index: ir::Value) -> ir::Value {
        if self.pointer == ir::types::I32 {
            index
        } else {
            self.builder.ins().uextend(self.pointer, index)
        }
    }

    /// Truncates a pointer-sized count to `i32`.
    pub(super) fn pointer_to_i32(&mut self, value: ir::Value) -> ir::Value {
        if self.pointer == ir::types::I32 {
            value
        } else {
            self.builder.ins().ireduce(ir::types::I32, value)
        }
    }

    /// Pops one operand.
    pub(super) fn pop1(&mut self) -> ir::Value {
        self.stack
            .pop()
            .expect("validated: operand stack underflow")
    }

    /// Pops `n` operands, in stack order (deepest first).
    pub(super) fn popn(&mut self, n: usize) -> Vec<ir::Value> {
        let at = self
            .stack
            .len()
            .checked_sub(n)
            .expect("validated: operand stack underflow");
        self.stack.split_off(at)
    }

    /// The top `n` operands, in stack order, without popping them.
    pub(super) fn peekn(&self, n: usize) -> Vec<ir::Value> {
        let at = self
            .stack
            .len()
            .checked_sub(n)
            .expect("validated: operand stack underflow");
        self.stack[at..].to_vec()
    }

    /// Declares the parameters and locals as variables in the entry block.
    fn declare_locals(
        &mut self,
        body: &FunctionBody<'_>,
        ty: &crate::module::FuncType,
    ) -> Result<(), CompileError> {
        for (i, param) in ty.params.iter().enumerate() {
            let t = self.value_type(*param, self.offset)?;
            let var = self.builder.declare_var(t);
            let v = self.builder.block_params(self.entry)[i + 1];
            self.builder.def_var(var, v);
            self.locals.push(var);
        }
        // One zero constant per type, shared by all locals of that type.
        let mut zeros: BTreeMap<ValType, ir::Value> = BTreeMap::new();
        let mut reader = body.get_locals_reader()?;
        for _ in 0..reader.get_count() {
            let offset = reader.original_position();
            let (count, wty) = reader.read()?;
            let vt = self.wasm_val_type(wty, offset)?;
            let t = self.value_type(vt, offset)?;
            let zero = match zeros.get(&vt) {
                Some(z) => *z,
                None => {
                    let z = match vt {
                        ValType::F32 => self.builder.ins().f32const(0.0),
                        ValType::F64 => self.builder.ins().f64const(0.0),
                        ValType::V128 => super::simd::vconst(&mut self.builder, t, [0; 16]),
                        _ => self.builder.ins().iconst(t, 0),
                    };
                    zeros.insert(vt, z);
                    z
                }
            };
            for _ in 0..count {
                let var = self.builder.declare_var(t);
                self.builder.def_var(var, zero);
                self.locals.push(var);
            }
        }
        Ok(())
    }

    /// The variable of wasm local `index`.
    fn local(&self, index: u32) -> Variable {
        *self
            .locals
            .get(index as usize)
            .expect("validated: local index in range")
    }

    /// Translates one operator.
    fn translate_operator(&mut self, op: &Operator<'_>) -> Result<(), CompileError> {
        let proposal = proposal_of(op);
        if !proposal_supported(proposal) {
            return self.unsupported(&proposal_feature(proposal));
        }
        if !self.reachable {
            return self.translate_unreachable_operator(op);
        }
        self.fuel_before_op(op);
        self.translate_reachable_operator(op, proposal)?;
        self.fuel_after_op(op);
        Ok(())
    }

    /// Translates one operator in reachable code.
    fn translate_reachable_operator(
        &mut self,
        op: &Operator<'_>,
        proposal: &str,
    ) -> Result<(), CompileError> {
        match op {
            Operator::Unreachable => {
                // A generated adapter's check raises its own code here.
                let code = u32::try_from(self.offset)
                    .ok()
                    .and_then(|at| self.env.info.coded_traps.get(&at))
                    .copied()
                    .unwrap_or(kiln_abi::trap::TrapCode::UnreachableCodeReached);
                self.builder.ins().trap(super::clif_trap(code));
                self.reachable = false;
            }
            Operator::Nop => {}
            Operator::Block { blockty } => self.translate_block(*blockty)?,
            Operator::Loop { blockty } => self.translate_loop(*blockty)?,
            Operator::If { blockty } => self.translate_if(*blockty)?,
            Operator::Else => self.translate_else(),
            Operator::End => self.translate_end(),
            Operator::Br { relative_depth } => self.translate_br(*relative_depth),
            Operator::BrIf { relative_depth } => self.translate_br_if(*relative_depth),
            Operator::BrTable { targets } => self.translate_br_table(targets)?,
            Operator::Return => self.translate_return(),
            Operator::Drop => {
                self.pop1();
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let cond = self.pop1();
                let b = self.pop1();
                let a = self.pop1();
                let v = self.builder.ins().select(cond, a, b);
                self.stack.push(v);
            }
            Operator::LocalGet { local_index } => {
                let v = self.builder.use_var(self.local(*local_index));
                self.stack.push(v);
            }
            Operator::LocalSet { local_index } => {
                let v = self.pop1();
                self.builder.def_var(self.local(*local_index), v);
            }
            Operator::LocalTee { local_index } => {
                let v = *self
                    .stack
                    .last()
                    .expect("validated: operand stack underflow");
                self.builder.def_var(self.local(*local_index), v);
            }
            Operator::GlobalGet { global_index } => {
                self.translate_global_get(GlobalIndex::from_u32(*global_index))?
            }
            Operator::GlobalSet { global_index } => {
                self.translate_global_set(GlobalIndex::from_u32(*global_index))?
            }
            Operator::Call { function_index } => {
                self.translate_call(FuncIndex::from_u32(*function_index), false)?
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => self.translate_call_indirect(
                TypeIndex::from_u32(*type_index),
                TableIndex::from_u32(*table_index),
                false,
            )?,
            _ => {
                if self.translate_memory_operator(op)?
                    || self.translate_table_operator(op)?
                    || super::numeric::translate_numeric(op, &mut self.builder, &mut self.stack)?
                    || self.translate_simd_operator(op)?
                    || self.translate_atomic_operator(op)?
                    || self.translate_exception_operator(op)?
                    || self.translate_typed_ref_operator(op)?
                {
                    return Ok(());
                }
                // A supported proposal's operator nobody translates: say so
                // rather than miscompile.
                return self
                    .unsupported(&format!("{} operator {op:?}", proposal_feature(proposal)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::{clif_of, translate_wat};
    use super::{proposal_feature, proposal_of, proposal_supported};
    use wasmparser::Operator;

    #[test]
    fn proposals_of_operators() {
        assert_eq!(proposal_of(&Operator::Nop), "mvp");
        assert_eq!(proposal_of(&Operator::I32Extend8S), "sign_extension");
        assert_eq!(proposal_of(&Operator::RefIsNull), "reference_types");
        assert_eq!(
            proposal_of(&Operator::DataDrop { data_index: 0 }),
            "bulk_memory"
        );
        let tail = proposal_of(&Operator::ReturnCall { function_index: 0 });
        assert!(proposal_supported(tail));
        assert_eq!(proposal_feature(tail), "tail-call");
        assert_eq!(
            proposal_feature(proposal_of(&Operator::Throw { tag_index: 0 })),
            "exception-handling"
        );
    }

    #[test]
    fn locals_params_and_stack_limit() {
        let clif = clif_of(
            r#"(module (func (param i32 i64) (result i64)
                (local f32 f64 i32 externref funcref)
                local.get 0
                local.set 4
                local.get 1
                local.tee 1
                drop
                local.get 1))"#,
        );
        assert!(clif.contains("stack_limit = gv1"), "{clif}");
        assert!(clif.contains("vmctx"), "{clif}");
    }

    #[test]
    fn select_and_nop() {
        translate_wat(
            r#"(module
              (func (param i32 i32 i32) (result i32)
                nop local.get 0 local.get 1 local.get 2 select)
              (func (param f64 f64 i32) (result f64)
                local.get 0 local.get 1 local.get 2 select (result f64))
              (func (param externref externref i32) (result externref)
                local.get 0 local.get 1 local.get 2 select (result externref)))"#,
        )
        .expect("translates");
    }

    #[test]
    fn v128_locals_are_zeroed_i8x16() {
        let clif = clif_of(
            r#"(module (func (param v128) (result v128) (local v128 v128)
                local.get 1))"#,
        );
        assert!(clif.contains("vconst.i8x16 const0"), "{clif}");
    }
}
