//! Structured control flow: `block`, `loop`, `if`/`else`, `end`, `br`,
//! `br_if`, `br_table`, `br_on_null`/`br_on_non_null`, `return`, and the
//! skipping of unreachable code.
//!
//! Phase 2 (HOW). Inputs: control operators and their block types. Outputs:
//! CLIF blocks and branches.
//!
//! Every wasm block gets a CLIF `next` block whose parameters are the wasm
//! block's results; a `loop` also gets a `header` block whose parameters are
//! the loop's parameters (branches to a loop go to its header). An `if`
//! branches to a `then` block (no parameters: the `if`'s parameters are SSA
//! values that dominate it) and an `else` block whose parameters are the
//! `if`'s. When the parameters equal the results (the only case where `else`
//! may be left out) the `brif` goes straight to `next`, passing the
//! parameters as results, and an `else` creates its block and redirects the
//! `brif` there. This is Wasmtime's shape, and it is observable: code after
//! an `else`-less `if` that starts with `unreachable` is a block that only
//! traps, so Cranelift's mid-end turns the `brif` into a conditional trap
//! that carries the `if`'s source location, and a backtrace shows the `if`'s
//! offset (an `else` block holding a `jump` would have kept the trap at the
//! `unreachable`'s offset; tests/run/trap/if_then_unreachable.wat).
//!
//! ```wat
//! (block (result i32)        ;; next: block1(v: i32)
//!   (br_if 0 (i32.const 1) (local.get 0))  ;; brif v0, block1(v1), cont
//!   (i32.const 2))           ;; cont: jump block1(v2)
//! ```
//!
//! Unreachable code: after `br`, `br_table`, `return` or `unreachable` the
//! current block is terminated; operators are skipped (counting nested
//! block/loop/if in `unreachable_depth`) until the `else` or `end` of the
//! current frame. Every frame on the control stack was therefore entered in
//! reachable code, which keeps the bookkeeping small.

use super::translator::FuncCodegen;
use crate::CompileError;
use crate::module::TypeIndex;
use cranelift_codegen::ir::{self, BlockArg, InstBuilder, JumpTableData};
use std::collections::BTreeMap;
use wasmparser::{BlockType, BrTable, Operator};

/// What kind of construct a control frame is.
pub(super) enum FrameKind {
    /// `block` (or the function body).
    Block,
    /// `loop`: branches go to `header`.
    Loop {
        /// Loop header; parameters = the loop's parameters.
        header: ir::Block,
    },
    /// `if`.
    If {
        /// The `else` arm.
        else_arm: ElseArm,
        /// Whether `else` was seen.
        else_seen: bool,
    },
}

/// The `else` arm of an `if` frame.
pub(super) enum ElseArm {
    /// Created at the `if`, whose parameters differ from its results (so an
    /// `else` follows); parameters = the `if`'s parameters.
    Block(ir::Block),
    /// Not created yet: `branch` (the `if`'s `brif`) goes to `next` with the
    /// `if`'s parameters as results. An `else` creates a block with
    /// parameters of `params` and redirects `branch` to it.
    Pending {
        /// The `if`'s `brif`.
        branch: ir::Inst,
        /// The `if`'s parameter types.
        params: Vec<ir::Type>,
    },
}

/// One entry of the control stack.
pub(super) struct ControlFrame {
    /// The construct.
    pub(super) kind: FrameKind,
    /// Where control continues after `end`; parameters = the results.
    pub(super) next: ir::Block,
    /// Number of parameters.
    pub(super) num_params: usize,
    /// Number of results.
    pub(super) num_results: usize,
    /// Operand stack height below the parameters.
    pub(super) height: usize,
    /// Whether anything branches (or falls through) to `next`.
    pub(super) next_reachable: bool,
}

impl ControlFrame {
    /// Where a branch to this frame goes and how many values it carries.
    fn branch_target(&mut self) -> (ir::Block, usize) {
        match self.kind {
            FrameKind::Loop { header } => (header, self.num_params),
            _ => {
                self.next_reachable = true;
                (self.next, self.num_results)
            }
        }
    }
}

fn block_args(values: &[ir::Value]) -> Vec<BlockArg> {
    values.iter().map(|v| BlockArg::Value(*v)).collect()
}

impl FuncCodegen<'_, '_> {
    /// Parameter and result CLIF types of a block type.
    fn block_signature(
        &self,
        ty: BlockType,
    ) -> Result<(Vec<ir::Type>, Vec<ir::Type>), CompileError> {
        match ty {
            BlockType::Empty => Ok((Vec::new(), Vec::new())),
            BlockType::Type(t) => {
                let vt = self.wasm_val_type(t, self.offset)?;
                Ok((Vec::new(), vec![self.value_type(vt, self.offset)?]))
            }
            BlockType::FuncType(index) => {
                let ft = self
                    .env
                    .info
                    .types
                    .get(TypeIndex::from_u32(index))
                    .expect("validated: block type index in range");
                let params = ft
                    .params
                    .iter()
                    .map(|t| self.value_type(*t, self.offset))
                    .collect::<Result<_, _>>()?;
                let results = ft
                    .results
                    .iter()
                    .map(|t| self.value_type(*t, self.offset))
                    .collect::<Result<_, _>>()?;
                Ok((params, results))
            }
        }
    }

    /// A new block with parameters of `types`.
    fn block_with_params(&mut self, types: &[ir::Type]) -> ir::Block {
        let b = self.builder.create_block();
        for t in types {
            self.builder.append_block_param(b, *t);
        }
        b
    }

    /// The frame `depth` levels out from the innermost.
    fn frame_at(&mut self, depth: u32) -> &mut ControlFrame {
        let i = self
            .control
            .len()
            .checked_sub(1 + depth as usize)
            .expect("validated: branch depth in range");
        &mut self.control[i]
    }

    /// Pushes the frame of the whole function body.
    pub(super) fn push_function_frame(
        &mut self,
        results: &[kiln_abi::ValType],
    ) -> Result<(), CompileError> {
        let types = results
            .iter()
            .map(|t| self.value_type(*t, self.offset))
            .collect::<Result<Vec<_>, _>>()?;
        let next = self.block_with_params(&types);
        self.control.push(ControlFrame {
            kind: FrameKind::Block,
            next,
            num_params: 0,
            num_results: types.len(),
            height: 0,
            next_reachable: false,
        });
        Ok(())
    }

    /// `block`.
    pub(super) fn translate_block(&mut self, ty: BlockType) -> Result<(), CompileError> {
        let (params, results) = self.block_signature(ty)?;
        let next = self.block_with_params(&results);
        self.control.push(ControlFrame {
            kind: FrameKind::Block,
            next,
            num_params: params.len(),
            num_results: results.len(),
            height: self.stack.len() - params.len(),
            next_reachable: false,
        });
        Ok(())
    }

    /// `loop`.
    pub(super) fn translate_loop(&mut self, ty: BlockType) -> Result<(), CompileError> {
        let (params, results) = self.block_signature(ty)?;
        let header = self.block_with_params(&params);
        let next = self.block_with_params(&results);
        let args = self.popn(params.len());
        self.builder.ins().jump(header, &block_args(&args));
        // The header is sealed at `end`, when all back edges are known.
        self.builder.switch_to_block(header);
        self.limits_at_loop_header()?;
        let height = self.stack.len();
        self.stack
            .extend_from_slice(self.builder.block_params(header));
        self.control.push(ControlFrame {
            kind: FrameKind::Loop { header },
            next,
            num_params: params.len(),
            num_results: results.len(),
            height,
            next_reachable: false,
        });
        Ok(())
    }

    /// `if`.
    pub(super) fn translate_if(&mut self, ty: BlockType) -> Result<(), CompileError> {
        let (params, results) = self.block_signature(ty)?;
        let cond = self.pop1();
        let then_block = self.builder.create_block();
        let next = self.block_with_params(&results);
        let num_params = params.len();
        let args = block_args(&self.peekn(num_params));
        let else_arm = if params == results {
            let branch = self.builder.ins().brif(cond, then_block, &[], next, &args);
            ElseArm::Pending { branch, params }
        } else {
            let else_block = self.block_with_params(&params);
            self.builder
                .ins()
                .brif(cond, then_block, &[], else_block, &args);
            self.builder.seal_block(else_block);
            ElseArm::Block(else_block)
        };
        self.builder.seal_block(then_block);
        self.builder.switch_to_block(then_block);
        self.control.push(ControlFrame {
            kind: FrameKind::If {
                else_arm,
                else_seen: false,
            },
            next,
            num_params,
            num_results: results.len(),
            height: self.stack.len() - num_params,
            next_reachable: false,
        });
        Ok(())
    }

    /// `else` closing the innermost frame's `then` arm (reachable or not).
    pub(super) fn translate_else(&mut self) {
        let reachable = self.reachable;
        let n = self
            .control
            .last()
            .expect("validated: else inside if")
            .num_results;
        let results = if reachable { self.peekn(n) } else { Vec::new() };
        let frame = self.control.last_mut().expect("validated: else inside if");
        let FrameKind::If {
            else_arm,
            else_seen,
        } = &mut frame.kind
        else {
            unreachable!("validated: else closes an if");
        };
        *else_seen = true;
        let next = frame.next;
        let height = frame.height;
        let else_block = match else_arm {
            ElseArm::Block(b) => *b,
            ElseArm::Pending { branch, params } => {
                let (branch, params) = (*branch, std::mem::take(params));
                let b = self.block_with_params(&params);
                self.builder.change_jump_destination(branch, next, b);
                self.builder.seal_block(b);
                let frame = self.control.last_mut().expect("validated: else inside if");
                frame.kind = FrameKind::If {
                    else_arm: ElseArm::Block(b),
                    else_seen: true,
                };
                b
            }
        };
        if reachable {
            let frame = self.control.last_mut().expect("validated: else inside if");
            frame.next_reachable = true;
            self.builder.ins().jump(next, &block_args(&results));
        }
        self.stack.truncate(height);
        self.stack
            .extend_from_slice(self.builder.block_params(else_block));
        self.builder.switch_to_block(else_block);
        // The `if` was entered in reachable code, so its `else` arm is live.
        self.reachable = true;
    }

    /// `end` closing the innermost frame (reachable or not).
    pub(super) fn translate_end(&mut self) {
        let mut frame = self.control.pop().expect("validated: balanced end");
        if self.reachable {
            let results = self.peekn(frame.num_results);
            self.builder.ins().jump(frame.next, &block_args(&results));
            frame.next_reachable = true;
        }
        match &frame.kind {
            FrameKind::If {
                else_arm,
                else_seen: false,
            } => {
                // Implicit `else`: the `brif` passes the parameters on as
                // results (validation leaves out `else` only when the
                // parameters equal the results, so the arm is pending).
                debug_assert!(matches!(else_arm, ElseArm::Pending { .. }));
                frame.next_reachable = true;
            }
            FrameKind::Loop { header } => self.builder.seal_block(*header),
            _ => {}
        }
        self.stack.truncate(frame.height);
        if frame.next_reachable {
            self.builder.switch_to_block(frame.next);
            self.builder.seal_block(frame.next);
            self.stack
                .extend_from_slice(self.builder.block_params(frame.next));
            self.reachable = true;
            if self.control.is_empty() {
                // The end of the function body: return the results.
                let results = self.stack.clone();
                self.fuel_before_return();
                self.builder.ins().return_(&results);
                self.reachable = false;
            }
        } else {
            // Nothing reaches `next`: it stays empty and is left out of the
            // layout.
            self.reachable = false;
        }
    }

    /// An operator in unreachable code: only nesting matters.
    pub(super) fn translate_unreachable_operator(
        &mut self,
        op: &Operator<'_>,
    ) -> Result<(), CompileError> {
        if self.translate_unreachable_exception_operator(op)? {
            return Ok(());
        }
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. } => {
                self.unreachable_depth += 1;
            }
            Operator::Else if self.unreachable_depth == 0 => self.translate_else(),
            Operator::End if self.unreachable_depth == 0 => self.translate_end(),
            Operator::End => self.unreachable_depth -= 1,
            _ => {}
        }
        Ok(())
    }

    /// `br`.
    pub(super) fn translate_br(&mut self, depth: u32) {
        let (target, n) = self.frame_at(depth).branch_target();
        let args = self.peekn(n);
        self.builder.ins().jump(target, &block_args(&args));
        self.reachable = false;
    }

    /// `br_if`.
    pub(super) fn translate_br_if(&mut self, depth: u32) {
        let cond = self.pop1();
        let (target, n) = self.frame_at(depth).branch_target();
        let args = self.peekn(n);
        let cont = self.builder.create_block();
        self.builder
            .ins()
            .brif(cond, target, &block_args(&args), cont, &[]);
        self.builder.seal_block(cont);
        self.builder.switch_to_block(cont);
    }

    /// `br_on_null` (`on_null`) or `br_on_non_null` at `depth`. The operand
    /// is a reference; `br_on_null` branches without it and continues with
    /// it, `br_on_non_null` branches with it (as the last branch value) and
    /// continues without it.
    pub(super) fn translate_br_on_null(&mut self, depth: u32, on_null: bool) {
        let r = self.pop1();
        let (target, n) = self.frame_at(depth).branch_target();
        let cont = self.builder.create_block();
        if on_null {
            let args = self.peekn(n);
            let is_null = self
                .builder
                .ins()
                .icmp_imm_u(ir::condcodes::IntCC::Equal, r, 0);
            self.builder
                .ins()
                .brif(is_null, target, &block_args(&args), cont, &[]);
        } else {
            let before = n
                .checked_sub(1)
                .expect("validated: br_on_non_null's target takes the reference");
            let mut args = self.peekn(before);
            args.push(r);
            self.builder
                .ins()
                .brif(r, target, &block_args(&args), cont, &[]);
        }
        self.builder.seal_block(cont);
        self.builder.switch_to_block(cont);
        if on_null {
            self.stack.push(r);
        }
    }

    /// `br_table`. Jump tables cannot carry block arguments, so when the
    /// targets take values each distinct target gets an edge block that
    /// jumps on with the arguments.
    pub(super) fn translate_br_table(&mut self, table: &BrTable<'_>) -> Result<(), CompileError> {
        let index = self.pop1();
        let mut depths = Vec::with_capacity(table.len() as usize);
        for d in table.targets() {
            depths.push(d?);
        }
        let default = table.default();
        // All targets carry the same number of values (validated).
        let (_, n) = self.frame_at(default).branch_target();
        let args = self.peekn(n);
        let mut edge_of: BTreeMap<u32, ir::Block> = BTreeMap::new();
        let mut entry_for = |cg: &mut Self, depth: u32| -> ir::Block {
            let (target, _) = cg.frame_at(depth).branch_target();
            if n == 0 {
                return target;
            }
            *edge_of
                .entry(depth)
                .or_insert_with(|| cg.builder.create_block())
        };
        let mut calls = Vec::with_capacity(depths.len());
        for d in &depths {
            let b = entry_for(self, *d);
            calls.push(self.builder.func.dfg.block_call(b, &[]));
        }
        let b = entry_for(self, default);
        let default_call = self.builder.func.dfg.block_call(b, &[]);
        let jt = self
            .builder
            .create_jump_table(JumpTableData::new(default_call, &calls));
        self.builder.ins().br_table(index, jt);
        let bargs = block_args(&args);
        for (depth, edge) in edge_of {
            let (target, _) = self.frame_at(depth).branch_target();
            self.builder.seal_block(edge);
            self.builder.switch_to_block(edge);
            self.builder.ins().jump(target, &bargs);
        }
        self.reachable = false;
        Ok(())
    }

    /// `return`.
    pub(super) fn translate_return(&mut self) {
        let n = self.control[0].num_results;
        let results = self.peekn(n);
        self.builder.ins().return_(&results);
        self.reachable = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::{clif_of, translate_wat};

    #[test]
    fn blocks_loops_and_ifs() {
        translate_wat(
            r#"(module
              (func (param i32) (result i32)
                (block (result i32)
                  (br_if 0 (i32.const 1) (local.get 0))
                  drop
                  (i32.const 2)))
              (func (param i32) (result i32) (local i32)
                (loop $l
                  (local.set 1 (i32.add (local.get 1) (local.get 0)))
                  (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
                (local.get 1))
              (func (param i32) (result i32)
                (if (result i32) (local.get 0)
                  (then (i32.const 1))
                  (else (i32.const 2))))
              (func (param i32)
                (if (local.get 0) (then nop)))
              (func (param i32) (result i32)
                (if (result i32) (local.get 0)
                  (then (return (i32.const 7)))
                  (else (unreachable)))))"#,
        )
        .expect("translates");
    }

    #[test]
    fn multi_value_blocks_with_params() {
        translate_wat(
            r#"(module
              (type $pp (func (param i32 i64) (result i64 i32)))
              (func (result i64 i32)
                (i32.const 1) (i64.const 2)
                (block (type $pp)
                  (drop) (drop) (i64.const 3) (i32.const 4)))
              (func (param i32) (result i32)
                (i32.const 10)
                (loop (param i32) (result i32)
                  (i32.const 1) (i32.sub)
                  (local.tee 0) (local.get 0) (br_if 0)))
              (func (param i32) (result i32 i32)
                (i32.const 1) (i32.const 2)
                (if (param i32 i32) (result i32 i32) (local.get 0)
                  (then (i32.add) (i32.const 0))))
              (func (param i32) (result i32 i64 f32 f64)
                (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4)))"#,
        )
        .expect("translates");
    }

    #[test]
    fn br_table_with_and_without_values() {
        translate_wat(
            r#"(module
              (func (param i32) (result i32)
                (block (block (block
                  (br_table 0 1 2 0 (local.get 0)))
                  (return (i32.const 1)))
                  (return (i32.const 2)))
                (i32.const 3))
              (func (param i32) (result i32)
                (block (result i32)
                  (block (result i32)
                    (br_table 0 1 1 (i32.const 5) (local.get 0)))
                  (i32.const 1) (i32.add)))
              (func (param i32) (result i32)
                (i32.const 9)
                (loop (param i32) (result i32)
                  (br_table 0 1 (local.get 0)))))"#,
        )
        .expect("translates");
    }

    #[test]
    fn unreachable_code_is_skipped_with_nesting() {
        let clif = clif_of(
            r#"(module
              (func (param i32) (result i32)
                (block (result i32)
                  (br 0 (i32.const 1))
                  (block (loop (if (local.get 0) (then (br 2)) (else nop))))
                  (i32.add (i32.const 1) (i32.const 2))
                  drop
                  (i32.const 4))))"#,
        );
        assert!(!clif.contains("iconst.i32 4"), "{clif}");
    }

    #[test]
    fn function_ending_unreachable() {
        translate_wat(
            r#"(module
              (func (result i32) unreachable)
              (func (result i32) (return (i32.const 1)))
              (func (result i32) (block (br 1 (i32.const 1))) (i32.const 2))
              (func (param i32) (result i32)
                (if (local.get 0) (then (unreachable)) (else (unreachable)))
                (i32.const 1))
              (func (param i32) (if (local.get 0) (then (br 1))) (br 0)))"#,
        )
        .expect("translates");
    }
}
