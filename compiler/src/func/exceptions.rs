//! Exception handling operators: `try_table`, `throw`, `throw_ref`, and the
//! `try_call`s that calls inside a `try_table` become.
//!
//! Phase 2 (HOW). Inputs: operators of the exceptions proposal, and every
//! call to wasm code emitted while a `try_table` with catch clauses is open.
//! Outputs: CLIF, plus per-call exception tables that phase 3 turns into the
//! descriptor's call-site handler tables (`kiln_abi::exceptions`).
//!
//! - `try_table` is a `block` whose catch clauses are remembered with the
//!   control-stack index of their target (labels count from outside the
//!   `try_table`). Each clause gets one handler block, created on first use,
//!   taking the exception pointer (`exnref`) as its parameter; it loads the
//!   tag's values from the exception object (`catch`, `catch_ref`), adds the
//!   `exnref` (`*_ref`), and branches to the target.
//! - A call inside open `try_table`s is a `try_call` whose exception table
//!   lists the frame's `vmctx` as dynamic context, then every clause,
//!   innermost `try_table` first, up to the first `catch_all`. The runtime
//!   matches tags (by `VMTag` address, through the frame's tag slots) and
//!   jumps to the handler with the exception in the payload register.
//! - `throw $t` allocates the exception (`exn_alloc`), stores the values,
//!   then dispatches: the open clauses are tested inline in the same order
//!   (tag slot address equality), and if none matches the `throw_ref`
//!   libcall unwinds from this frame's callers on (a clause of the very tag
//!   thrown matches without a test). `throw_ref` traps on null (`null
//!   reference`), then dispatches the same way.
//! - The legacy instructions (`try`/`catch`/`catch_all`/`rethrow`/
//!   `delegate`) lower onto the same machinery. A `try` is a block whose
//!   clauses (found by reading ahead to its `catch`es) are open in its body
//!   only; a legacy clause's handler block is where its catch body is
//!   translated (tag values pushed, the exception kept in a variable for
//!   `rethrow`, which rethrows it as `throw_ref` does). `try ... delegate l`
//!   opens no clauses but makes the body's throws skip to the clauses open
//!   around frame `l`.
//!
//! ```wat
//! (block $h (result i32)
//!   (try_table (result i32) (catch $e $h)   ;; clause -> handler block
//!     (call $f)))                           ;; try_call ... [ctx vmctx, tag$e: handler(exn0)]
//! ;; handler(exn): v = load.i32 exn+16; jump $h.next(v)
//! ```

use super::call::CallTarget;
use super::control::FrameKind;
use super::env::{imm, vm_flags, vm_readonly_flags};
use super::translator::FuncCodegen;
use crate::CompileError;
use crate::module::TagIndex;
use cranelift_codegen::ir::{
    self, BlockArg, ExceptionTableData, ExceptionTableItem, ExceptionTag, InstBuilder,
    condcodes::IntCC,
};
use cranelift_frontend::Variable;
use kiln_abi::exceptions::{EXCEPTION_TAG_OFFSET, EXCEPTION_VALUES_OFFSET};
use kiln_abi::trap::TrapCode;
use wasmparser::{BinaryReader, BlockType, Catch, Operator, OperatorsReader, TryTable};

/// One catch clause of an open `try_table` (or legacy `try`).
struct Clause {
    /// Tag index; `None` for `catch_all` / `catch_all_ref`.
    tag: Option<TagIndex>,
    /// Whether the `exnref` is passed too (`catch_ref`, `catch_all_ref`).
    with_ref: bool,
    /// Control-stack index of the target frame; `None` for a legacy
    /// `catch`, whose handler block is where its catch body is translated.
    target: Option<usize>,
    /// Handler block (parameter: the exception pointer), once created.
    handler: Option<ir::Block>,
}

/// A `try_table` with catch clauses or a legacy `try`, open while its frame
/// is on the control stack (at `depth`, with `next` as its continuation
/// block: block ids are unique, so a later frame at the same depth is never
/// mistaken for it).
struct OpenTryTable {
    depth: usize,
    next: ir::Block,
    clauses: Vec<Clause>,
    /// Whether the clauses catch: a legacy `try` stops at its first
    /// `catch`/`catch_all` (its catch bodies are not covered).
    active: bool,
    /// Legacy `try ... delegate l`: exceptions of the body go to the
    /// handlers open around control frame `T` instead.
    delegate: Option<usize>,
    /// Legacy `try`: catch sections seen so far, and the variable holding
    /// the caught exception (for `rethrow`).
    legacy: Option<LegacyTry>,
}

/// The catch-section state of a legacy `try`.
struct LegacyTry {
    seen: usize,
    exn: Option<Variable>,
}

/// Exception-handling state of one function translation.
#[derive(Default)]
pub(super) struct ExceptionState {
    /// Open `try_table`s with clauses, outermost first.
    try_tables: Vec<OpenTryTable>,
    /// Handler blocks created but not filled yet: (try_table, clause).
    pending: Vec<(usize, usize)>,
    /// Every handler block, sealed when the function is finished.
    handlers: Vec<ir::Block>,
    /// The first error of a `try_call` emission (reported by
    /// `finish_exceptions`, since call emission cannot fail).
    error: Option<CompileError>,
}

impl FuncCodegen<'_, '_> {
    /// Translates `op` if it belongs to this file's proposal.
    pub(super) fn translate_exception_operator(
        &mut self,
        op: &Operator<'_>,
    ) -> Result<bool, CompileError> {
        match op {
            Operator::TryTable { try_table } => self.translate_try_table(try_table)?,
            Operator::Throw { tag_index } => {
                self.translate_throw(TagIndex::from_u32(*tag_index))?
            }
            Operator::ThrowRef => self.translate_throw_ref()?,
            Operator::Try { blockty } => self.translate_legacy_try(*blockty)?,
            Operator::Catch { tag_index } => {
                self.translate_legacy_catch(Some(TagIndex::from_u32(*tag_index)))?
            }
            Operator::CatchAll => self.translate_legacy_catch(None)?,
            Operator::Delegate { .. } => self.translate_end(),
            Operator::Rethrow { relative_depth } => self.translate_rethrow(*relative_depth)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Seals the handler blocks (all their predecessors exist once the body
    /// is translated); reports a deferred error.
    pub(super) fn finish_exceptions(&mut self) -> Result<(), CompileError> {
        for b in std::mem::take(&mut self.exceptions.handlers) {
            self.builder.seal_block(b);
        }
        match self.exceptions.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn translate_try_table(&mut self, tt: &TryTable) -> Result<(), CompileError> {
        // Catch labels are relative to the context outside the try_table.
        let outer = self.control.len();
        let clauses: Vec<Clause> = tt
            .catches
            .iter()
            .map(|c| {
                let (tag, label, with_ref) = match *c {
                    Catch::One { tag, label } => (Some(TagIndex::from_u32(tag)), label, false),
                    Catch::OneRef { tag, label } => (Some(TagIndex::from_u32(tag)), label, true),
                    Catch::All { label } => (None, label, false),
                    Catch::AllRef { label } => (None, label, true),
                };
                let target = outer
                    .checked_sub(1 + label as usize)
                    .expect("validated: catch label in range");
                Clause {
                    tag,
                    with_ref,
                    target: Some(target),
                    handler: None,
                }
            })
            .collect();
        self.translate_block(tt.ty)?;
        if !clauses.is_empty() {
            let depth = self.control.len() - 1;
            self.exceptions.try_tables.push(OpenTryTable {
                depth,
                next: self.control[depth].next,
                clauses,
                active: true,
                delegate: None,
                legacy: None,
            });
        }
        Ok(())
    }

    /// Forgets `try_table`s whose frames were closed.
    fn prune_try_tables(&mut self) {
        let control = &self.control;
        self.exceptions
            .try_tables
            .retain(|t| control.get(t.depth).is_some_and(|f| f.next == t.next));
    }

    /// The open clauses in matching order (innermost `try_table` first,
    /// clauses in order), up to and including the first catch-all. A legacy
    /// `delegate` skips to the handlers around its target frame.
    fn open_clauses(&mut self) -> Vec<(usize, usize, Option<TagIndex>)> {
        self.prune_try_tables();
        let mut out = Vec::new();
        let mut limit = usize::MAX;
        for (ti, t) in self.exceptions.try_tables.iter().enumerate().rev() {
            if t.depth > limit || !t.active {
                continue;
            }
            if let Some(target) = t.delegate {
                limit = limit.min(target);
                continue;
            }
            for (ci, c) in t.clauses.iter().enumerate() {
                out.push((ti, ci, c.tag));
                if c.tag.is_none() {
                    return out;
                }
            }
        }
        out
    }

    /// The handler block of a clause, created (and queued for filling) on
    /// first use.
    fn handler_block(&mut self, ti: usize, ci: usize) -> ir::Block {
        if let Some(b) = self.exceptions.try_tables[ti].clauses[ci].handler {
            return b;
        }
        let b = self.builder.create_block();
        self.builder.append_block_param(b, self.pointer);
        self.exceptions.try_tables[ti].clauses[ci].handler = Some(b);
        self.exceptions.pending.push((ti, ci));
        self.exceptions.handlers.push(b);
        b
    }

    /// Fills the queued handler blocks. Call only when the current block is
    /// filled; leaves the builder in the last handler block.
    fn fill_pending_handlers(&mut self) -> Result<(), CompileError> {
        for (ti, ci) in std::mem::take(&mut self.exceptions.pending) {
            let clause = &self.exceptions.try_tables[ti].clauses[ci];
            let (tag, with_ref) = (clause.tag, clause.with_ref);
            let block = clause.handler.expect("internal: pending handler exists");
            // A legacy catch body is translated into its handler block
            // when its `catch` is reached.
            let Some(target) = clause.target else {
                continue;
            };
            self.builder.switch_to_block(block);
            self.fuel_at_handler();
            let exn = self.builder.block_params(block)[0];
            let mut args = match tag {
                Some(tag) => self.load_exception_values(tag, exn)?,
                None => Vec::new(),
            };
            if with_ref {
                args.push(exn);
            }
            let frame = &mut self.control[target];
            let dest = match frame.kind {
                FrameKind::Loop { header } => header,
                _ => {
                    frame.next_reachable = true;
                    frame.next
                }
            };
            let args: Vec<BlockArg> = args.into_iter().map(BlockArg::Value).collect();
            self.builder.ins().jump(dest, &args);
        }
        Ok(())
    }

    /// Loads the values of exception `exn` of tag `tag`.
    fn load_exception_values(
        &mut self,
        tag: TagIndex,
        exn: ir::Value,
    ) -> Result<Vec<ir::Value>, CompileError> {
        let mut values = Vec::new();
        for (i, t) in self.tag_params(tag).into_iter().enumerate() {
            let ty = self.value_type(t, self.offset)?;
            let offset = EXCEPTION_VALUES_OFFSET + (i as u32) * kiln_abi::VAL_RAW_SIZE;
            values.push(self.builder.ins().load(ty, vm_flags(), exn, imm(offset)?));
        }
        Ok(values)
    }

    /// Parameter types of tag `tag`.
    fn tag_params(&self, tag: TagIndex) -> Vec<kiln_abi::ValType> {
        let info = self.env.info;
        let t = info.tags.get(tag).expect("validated: tag index in range");
        info.types
            .get(t.type_index)
            .expect("validated: tag type index in range")
            .params
            .clone()
    }

    /// The `VMTag` address of tag `tag` (its identity).
    fn tag_address(&mut self, tag: TagIndex) -> Result<ir::Value, CompileError> {
        let offset = imm(self.env.offsets.tag(tag.as_u32()))?;
        Ok(self
            .builder
            .ins()
            .load(self.pointer, vm_readonly_flags(), self.vmctx, offset))
    }

    /// If `try_table`s with clauses are open and `target` is wasm code,
    /// emits the call as a `try_call` (arguments `all`, `vmctx` included) and
    /// returns the results; otherwise `None` and nothing is emitted. An
    /// error is kept for [`Self::finish_exceptions`].
    pub(super) fn emit_try_call(
        &mut self,
        target: &CallTarget,
        all: &[ir::Value],
    ) -> Option<Vec<ir::Value>> {
        match self.try_call(target, all) {
            Ok(r) => r,
            Err(e) => {
                self.exceptions.error.get_or_insert(e);
                None
            }
        }
    }

    fn try_call(
        &mut self,
        target: &CallTarget,
        all: &[ir::Value],
    ) -> Result<Option<Vec<ir::Value>>, CompileError> {
        let sig = match target {
            CallTarget::WasmDirect(f) | CallTarget::WasmLinked { func: f, .. } => {
                self.builder.func.dfg.ext_funcs[*f].signature
            }
            CallTarget::WasmIndirect { sig, .. } => *sig,
            CallTarget::Host(_) => return Ok(None),
        };
        let clauses = self.open_clauses();
        if clauses.is_empty() {
            return Ok(None);
        }
        let mut items = vec![ExceptionTableItem::Context(self.vmctx)];
        for (ti, ci, tag) in clauses {
            let handler = self.handler_block(ti, ci);
            let call = self
                .builder
                .func
                .dfg
                .block_call(handler, &[BlockArg::TryCallExn(0)]);
            items.push(match tag {
                Some(t) => ExceptionTableItem::Tag(ExceptionTag::from_u32(t.as_u32()), call),
                None => ExceptionTableItem::Default(call),
            });
        }
        let returns: Vec<ir::Type> = self.builder.func.dfg.signatures[sig]
            .returns
            .iter()
            .map(|p| p.value_type)
            .collect();
        let cont = self.builder.create_block();
        for t in &returns {
            self.builder.append_block_param(cont, *t);
        }
        let rets: Vec<BlockArg> = (0..returns.len() as u32)
            .map(BlockArg::TryCallRet)
            .collect();
        let normal = self.builder.func.dfg.block_call(cont, &rets);
        let table = self
            .builder
            .func
            .dfg
            .exception_tables
            .push(ExceptionTableData::new(sig, normal, items));
        match target {
            CallTarget::WasmDirect(f) | CallTarget::WasmLinked { func: f, .. } => {
                self.builder.ins().try_call(*f, all, table);
            }
            CallTarget::WasmIndirect { code, .. } => {
                self.builder.ins().try_call_indirect(*code, all, table);
            }
            CallTarget::Host(_) => unreachable!("host calls returned above"),
        }
        self.fill_pending_handlers()?;
        self.builder.switch_to_block(cont);
        self.builder.seal_block(cont);
        Ok(Some(self.builder.block_params(cont).to_vec()))
    }

    /// `throw tag`.
    fn translate_throw(&mut self, tag: TagIndex) -> Result<(), CompileError> {
        let params = self.tag_params(tag);
        let values = self.popn(params.len());
        let tag_addr = self.tag_address(tag)?;
        let n = self
            .builder
            .ins()
            .iconst(ir::types::I32, params.len() as i64);
        let exn = self
            .call_libcall("exn_alloc", &[tag_addr, n])
            .expect("internal: exn_alloc returns the exception");
        for (i, v) in values.into_iter().enumerate() {
            let offset = EXCEPTION_VALUES_OFFSET + (i as u32) * kiln_abi::VAL_RAW_SIZE;
            self.builder.ins().store(vm_flags(), v, exn, imm(offset)?);
        }
        self.dispatch(exn, tag_addr, Some(tag))
    }

    /// `throw_ref`.
    fn translate_throw_ref(&mut self) -> Result<(), CompileError> {
        let exn = self.pop1();
        self.builder
            .ins()
            .trapz(exn, super::clif_trap(TrapCode::NullReference));
        self.rethrow_exception(exn)
    }

    /// Throws the (non-null) exception `exn` again.
    fn rethrow_exception(&mut self, exn: ir::Value) -> Result<(), CompileError> {
        let tag_addr = self.builder.ins().load(
            self.pointer,
            vm_flags().with_readonly(),
            exn,
            imm(EXCEPTION_TAG_OFFSET)?,
        );
        self.dispatch(exn, tag_addr, None)
    }

    /// Legacy `try bt`: a block whose catch clauses (found by scanning
    /// ahead to its `catch`/`catch_all`/`delegate`) catch in its body.
    fn translate_legacy_try(&mut self, ty: BlockType) -> Result<(), CompileError> {
        let (tags, delegate) = self.scan_legacy_try()?;
        self.translate_block(ty)?;
        let depth = self.control.len() - 1;
        let delegate = delegate.map(|label| {
            depth
                .checked_sub(1 + label as usize)
                .expect("validated: delegate label in range")
        });
        let clauses = tags
            .into_iter()
            .map(|tag| Clause {
                tag,
                with_ref: false,
                target: None,
                handler: None,
            })
            .collect();
        self.exceptions.try_tables.push(OpenTryTable {
            depth,
            next: self.control[depth].next,
            clauses,
            active: true,
            delegate,
            legacy: Some(LegacyTry { seen: 0, exn: None }),
        });
        Ok(())
    }

    /// Reads ahead from the current `try` to its end: the tags of its
    /// `catch` clauses in order (`None` for `catch_all`) and its `delegate`
    /// label, if it ends with one.
    fn scan_legacy_try(&self) -> Result<(Vec<Option<TagIndex>>, Option<u32>), CompileError> {
        let bytes = self
            .env
            .wasm
            .get(self.offset..)
            .expect("internal: operator offset inside the module");
        let mut ops = OperatorsReader::new(BinaryReader::new(bytes, self.offset));
        // The `try` itself.
        ops.read()?;
        let mut depth = 0u32;
        let mut tags = Vec::new();
        loop {
            match ops.read()? {
                Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::Try { .. }
                | Operator::TryTable { .. } => depth += 1,
                Operator::End | Operator::Delegate { .. } if depth > 0 => depth -= 1,
                Operator::End => return Ok((tags, None)),
                Operator::Delegate { relative_depth } => return Ok((tags, Some(relative_depth))),
                Operator::Catch { tag_index } if depth == 0 => {
                    tags.push(Some(TagIndex::from_u32(tag_index)))
                }
                Operator::CatchAll if depth == 0 => tags.push(None),
                _ => {}
            }
        }
    }

    /// The open legacy `try` of the innermost control frame.
    fn innermost_legacy_try(&mut self) -> usize {
        self.prune_try_tables();
        let depth = self.control.len() - 1;
        let next = self.control[depth].next;
        self.exceptions
            .try_tables
            .iter()
            .rposition(|t| t.depth == depth && t.next == next && t.legacy.is_some())
            .expect("validated: catch inside a legacy try")
    }

    /// Legacy `catch tag` / `catch_all`: ends the previous section (as
    /// `else` does), then continues in this clause's handler block, or in
    /// unreachable code if nothing in the body could throw to it.
    fn translate_legacy_catch(&mut self, tag: Option<TagIndex>) -> Result<(), CompileError> {
        let ti = self.innermost_legacy_try();
        let frame = self
            .control
            .last_mut()
            .expect("validated: catch inside try");
        let (next, height, n) = (frame.next, frame.height, frame.num_results);
        if self.reachable {
            frame.next_reachable = true;
            let results: Vec<BlockArg> = self.peekn(n).into_iter().map(BlockArg::Value).collect();
            self.builder.ins().jump(next, &results);
        }
        self.stack.truncate(height);
        let entry = &mut self.exceptions.try_tables[ti];
        entry.active = false;
        let legacy = entry.legacy.as_mut().expect("internal: legacy try");
        let ci = legacy.seen;
        legacy.seen += 1;
        let clause = entry
            .clauses
            .get(ci)
            .expect("internal: the scan found every catch");
        debug_assert_eq!(clause.tag, tag, "internal: catch order as scanned");
        let Some(block) = clause.handler else {
            // Nothing in the body reaches this clause.
            self.reachable = false;
            return Ok(());
        };
        // Every throw of the body is translated: all predecessors exist.
        self.exceptions.handlers.retain(|b| *b != block);
        self.builder.switch_to_block(block);
        self.builder.seal_block(block);
        self.fuel_at_handler();
        let exn = self.builder.block_params(block)[0];
        let var = match self.exceptions.try_tables[ti]
            .legacy
            .as_ref()
            .and_then(|l| l.exn)
        {
            Some(v) => v,
            None => {
                let v = self.builder.declare_var(self.pointer);
                if let Some(l) = self.exceptions.try_tables[ti].legacy.as_mut() {
                    l.exn = Some(v);
                }
                v
            }
        };
        self.builder.def_var(var, exn);
        if let Some(tag) = tag {
            let values = self.load_exception_values(tag, exn)?;
            self.stack.extend_from_slice(&values);
        }
        self.reachable = true;
        Ok(())
    }

    /// Legacy `rethrow l`: throws again the exception caught by the catch
    /// section of the `try` at label `l`.
    fn translate_rethrow(&mut self, relative_depth: u32) -> Result<(), CompileError> {
        self.prune_try_tables();
        let depth = self
            .control
            .len()
            .checked_sub(1 + relative_depth as usize)
            .expect("validated: rethrow label in range");
        let next = self.control[depth].next;
        let var = self
            .exceptions
            .try_tables
            .iter()
            .rfind(|t| t.depth == depth && t.next == next)
            .and_then(|t| t.legacy.as_ref())
            .and_then(|l| l.exn)
            .expect("validated: rethrow targets a reachable catch");
        let exn = self.builder.use_var(var);
        self.rethrow_exception(exn)
    }

    /// Legacy operators in unreachable code: `try` nests, and `catch`,
    /// `catch_all` and `delegate` of the current frame end its section.
    pub(super) fn translate_unreachable_exception_operator(
        &mut self,
        op: &Operator<'_>,
    ) -> Result<bool, CompileError> {
        match op {
            Operator::Try { .. } => self.unreachable_depth += 1,
            Operator::Catch { tag_index } if self.unreachable_depth == 0 => {
                self.translate_legacy_catch(Some(TagIndex::from_u32(*tag_index)))?
            }
            Operator::CatchAll if self.unreachable_depth == 0 => {
                self.translate_legacy_catch(None)?
            }
            Operator::Delegate { .. } if self.unreachable_depth == 0 => self.translate_end(),
            Operator::Delegate { .. } => self.unreachable_depth -= 1,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Sends exception `exn` of tag `tag_addr` (tag index `thrown`, if known
    /// statically) to the first open clause that matches, else to the
    /// runtime, which unwinds from our callers on. Ends the current block.
    fn dispatch(
        &mut self,
        exn: ir::Value,
        tag_addr: ir::Value,
        thrown: Option<TagIndex>,
    ) -> Result<(), CompileError> {
        let mut caught = false;
        for (ti, ci, tag) in self.open_clauses() {
            let handler = self.handler_block(ti, ci);
            // A catch-all, or the very tag thrown, matches for sure (other
            // indices may still alias the same tag through imports).
            let t = match tag {
                Some(t) if tag != thrown => t,
                _ => {
                    self.builder.ins().jump(handler, &[BlockArg::Value(exn)]);
                    caught = true;
                    break;
                }
            };
            let slot = self.tag_address(t)?;
            let hit = self.builder.ins().icmp(IntCC::Equal, slot, tag_addr);
            let next = self.builder.create_block();
            self.builder
                .ins()
                .brif(hit, handler, &[BlockArg::Value(exn)], next, &[]);
            self.builder.seal_block(next);
            self.builder.switch_to_block(next);
        }
        if !caught {
            let fp = self.builder.ins().get_frame_pointer(self.pointer);
            self.call_libcall("throw_ref", &[exn, fp]);
            // `throw_ref` never returns.
            self.builder
                .ins()
                .trap(super::clif_trap(TrapCode::UnreachableCodeReached));
        }
        self.fill_pending_handlers()?;
        self.reachable = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::{clif_of, translate_wat};

    #[test]
    fn calls_in_try_table_become_try_calls() {
        let clif = clif_of(
            r#"(module
              (tag $e (param i32))
              (func $f)
              (func (result i32)
                (block $h (result i32)
                  (try_table (catch $e $h) (call $f))
                  (i32.const 0))))"#,
        );
        assert!(clif.contains("try_call"), "{clif}");
        assert!(clif.contains("context v0"), "{clif}");
    }

    #[test]
    fn local_throw_is_dispatched_inline() {
        let clif = clif_of(
            r#"(module
              (tag $e (param i64))
              (tag $f (param i64))
              (func (result i64)
                (block $h (result i64)
                  (try_table (catch $f $h) (catch $e $h) (throw $e (i64.const 7)))
                  (i64.const 0))))"#,
        );
        // `$f` may be the same tag only through imports: compared at run
        // time; `$e` is the tag thrown: a plain jump.
        assert_eq!(clif.matches("icmp eq").count(), 1, "{clif}");
        assert!(!clif.contains("try_call"), "{clif}");
    }

    #[test]
    fn every_clause_kind_and_nesting_compiles() {
        translate_wat(
            r#"(module
              (tag $a (param i32 i64 f32 f64))
              (tag $b)
              (type $t (func))
              (table 1 funcref)
              (func $f)
              (func (param i32) (result i32 i64 f32 f64)
                (block $all
                  (block $ref (result exnref)
                    (block $h (result i32 i64 f32 f64)
                      (try_table (catch $a $h) (catch_ref $b $ref) (catch_all $all)
                        (try_table (catch_all_ref $ref)
                          (call $f)
                          (call_indirect (type $t) (i32.const 0))
                          (if (local.get 0) (then (throw $b)))
                          (throw $a (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4))))
                      (unreachable))
                    (return))
                  (throw_ref))
                (unreachable)))"#,
        )
        .expect("translates");
    }

    #[test]
    fn legacy_try_catch_rethrow_delegate_compile() {
        translate_wat(
            r#"(module
              (tag $a (param i32))
              (func $f (param i32))
              (func (param i32) (result i32)
                try (result i32)
                  try (result i32)
                    local.get 0
                    call $f
                    i32.const 1
                  delegate 0
                catch $a
                  local.tee 0
                  i32.eqz
                  if
                    rethrow 1
                  end
                  local.get 0
                catch_all
                  try
                    i32.const 2
                    throw $a
                  catch_all
                    rethrow 1
                  end
                  i32.const 3
                end))"#,
        )
        .expect("translates");
    }
}
