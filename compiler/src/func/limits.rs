//! Run-time limit checks: interruption (`-W timeout`) and fuel (`-W fuel`).
//!
//! Phase 2 (HOW). Inputs: [`super::ModuleEnv::checks`] and the operators of
//! one function. Outputs: CLIF at the function entry, at loop headers and
//! around operators. Nothing is emitted for a check the config does not ask
//! for (`Config::epoch_interruption`, `Config::consume_fuel`): without them
//! a function's CLIF is exactly what it is without limits.
//!
//! **Interruption.** At the function entry and at every loop header: an
//! atomic load of the process's interrupt flag (its address is the
//! `VMContext` field `kiln_abi::vmctx::VMOffsets::interrupt`, loaded once in
//! the entry block) and a `trapnz` with `TrapCode::Interrupt`. The load is
//! atomic because the runtime's timer thread writes the flag while wasm
//! runs, and so that Cranelift never merges it with an earlier load (in a
//! loop without stores, a plain load at the header would be "redundant"
//! with the entry's and the loop could never be interrupted); on x86-64 it
//! is one `mov` and a `test`. With
//! a check at every entry and every loop header (every backward branch goes
//! to one), code runs at most one function body's straight-line length
//! between checks, including recursion without loops.
//!
//! **Fuel**, with Wasmtime's accounting, so that a program far under or far
//! over its fuel behaves the same in both:
//! - costs: every operator costs 1, except `nop`, `drop`, `block`, `loop`,
//!   `unreachable`, `return`, `else` and `end`, which cost 0; entering a
//!   function costs 1;
//! - the counter is `*vmctx.fuel` (minus the fuel left, an `i64`), kept in a
//!   variable: loaded at the entry, after every call and at exception
//!   handlers; stored before calls, returns, tail calls, throws and
//!   `unreachable`;
//! - costs are summed while the code runs straight and added to the
//!   variable where a basic block ends: `if`, `loop`, `else`, `end`, the
//!   branches, and the operators that store it;
//! - checks (`counter >= 0` traps with `TrapCode::OutOfFuel`) sit at the
//!   function entry and at loop headers, after adding the costs before them.
//!
//! So the trap comes at the first check after the fuel is used up, not at
//! the operator that used the last unit; exactly as in Wasmtime. One
//! difference: Wasmtime neither stores nor reloads the counter around
//! `call_ref`, Kiln does, as for the other calls.
//!
//! Invariant: [`FuelState::pending`] is 0 whenever the current position is
//! unreachable (every operator that ends reachable code adds it first).

use super::env::{Cached, vm_flags};
use super::translator::FuncCodegen;
use crate::CompileError;
use cranelift_codegen::ir::{self, InstBuilder, condcodes::IntCC};
use cranelift_frontend::Variable;
use kiln_abi::trap::TrapCode;
use wasmparser::Operator;

/// The fuel counter of the function being translated.
pub(super) struct FuelState {
    /// The counter (`i64`, minus the fuel left).
    var: Variable,
    /// Where it lives: `*vmctx.fuel`, loaded once at the entry.
    ptr: ir::Value,
    /// Cost of the operators since the variable was last updated.
    pending: i64,
}

/// Fuel cost of `op` (Wasmtime's default costs).
fn cost(op: &Operator<'_>) -> i64 {
    match op {
        Operator::Nop
        | Operator::Drop
        | Operator::Block { .. }
        | Operator::Loop { .. }
        | Operator::Unreachable
        | Operator::Return
        | Operator::Else
        | Operator::End => 0,
        _ => 1,
    }
}

/// What an operator does to the counter before it runs.
enum Before {
    /// Nothing: the code runs on straight.
    Nothing,
    /// Add the pending cost: a basic block ends.
    Add,
    /// Add the pending cost and store the counter: control leaves the
    /// function, for a while or for good.
    AddAndStore,
}

fn before(op: &Operator<'_>) -> Before {
    match op {
        Operator::Unreachable
        | Operator::Return
        | Operator::Call { .. }
        | Operator::CallIndirect { .. }
        | Operator::CallRef { .. }
        | Operator::ReturnCall { .. }
        | Operator::ReturnCallIndirect { .. }
        | Operator::ReturnCallRef { .. }
        | Operator::Throw { .. }
        | Operator::ThrowRef
        | Operator::Rethrow { .. } => Before::AddAndStore,
        Operator::Loop { .. }
        | Operator::If { .. }
        | Operator::Else
        | Operator::End
        | Operator::Br { .. }
        | Operator::BrIf { .. }
        | Operator::BrTable { .. }
        | Operator::BrOnNull { .. }
        | Operator::BrOnNonNull { .. }
        | Operator::Catch { .. }
        | Operator::CatchAll
        | Operator::Delegate { .. } => Before::Add,
        _ => Before::Nothing,
    }
}

impl FuncCodegen<'_, '_> {
    /// The checks at the function entry (current block: the body's first).
    pub(super) fn limits_at_entry(&mut self) -> Result<(), CompileError> {
        if self.env.checks.fuel {
            let ptr = self.cached_vmctx_ptr(Cached::FuelPtr, self.env.offsets.fuel())?;
            let var = self.builder.declare_var(ir::types::I64);
            self.fuel = Some(FuelState {
                var,
                ptr,
                pending: 1,
            });
            self.fuel_load();
            self.fuel_check();
        }
        if self.env.checks.interrupt {
            self.interrupt_check()?;
        }
        Ok(())
    }

    /// The checks at a loop header (current block: the header).
    pub(super) fn limits_at_loop_header(&mut self) -> Result<(), CompileError> {
        if self.fuel.is_some() {
            self.fuel_check();
        }
        if self.env.checks.interrupt {
            self.interrupt_check()?;
        }
        Ok(())
    }

    /// Fuel accounting before reachable operator `op`.
    pub(super) fn fuel_before_op(&mut self, op: &Operator<'_>) {
        let Some(fuel) = self.fuel.as_mut() else {
            return;
        };
        fuel.pending += cost(op);
        match before(op) {
            Before::Nothing => {}
            Before::Add => self.fuel_add_pending(),
            Before::AddAndStore => {
                self.fuel_add_pending();
                self.fuel_store();
            }
        }
    }

    /// Fuel accounting after operator `op`, if its end is reachable: a
    /// callee may have used fuel.
    pub(super) fn fuel_after_op(&mut self, op: &Operator<'_>) {
        if self.reachable
            && matches!(
                op,
                Operator::Call { .. } | Operator::CallIndirect { .. } | Operator::CallRef { .. }
            )
        {
            self.fuel_load();
        }
    }

    /// Before the function returns at its end: the counter goes back to
    /// memory.
    pub(super) fn fuel_before_return(&mut self) {
        self.fuel_store();
    }

    /// At an exception handler's entry: the thrower stored the counter.
    pub(super) fn fuel_at_handler(&mut self) {
        self.fuel_load();
    }

    /// `counter = *fuel`.
    fn fuel_load(&mut self) {
        let Some(fuel) = &self.fuel else { return };
        let (var, ptr) = (fuel.var, fuel.ptr);
        let v = self.builder.ins().load(ir::types::I64, vm_flags(), ptr, 0);
        self.builder.def_var(var, v);
    }

    /// `*fuel = counter`.
    fn fuel_store(&mut self) {
        let Some(fuel) = &self.fuel else { return };
        let (var, ptr) = (fuel.var, fuel.ptr);
        let v = self.builder.use_var(var);
        self.builder.ins().store(vm_flags(), v, ptr, 0);
    }

    /// `counter += pending; pending = 0`.
    fn fuel_add_pending(&mut self) {
        let Some(fuel) = self.fuel.as_mut() else {
            return;
        };
        let (var, n) = (fuel.var, std::mem::take(&mut fuel.pending));
        if n == 0 {
            return;
        }
        let v = self.builder.use_var(var);
        let v = self.builder.ins().iadd_imm_s(v, n);
        self.builder.def_var(var, v);
    }

    /// Adds the pending cost, then traps if no fuel is left.
    fn fuel_check(&mut self) {
        self.fuel_add_pending();
        let Some(fuel) = &self.fuel else { return };
        let v = self.builder.use_var(fuel.var);
        let out = self
            .builder
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, v, 0);
        self.builder
            .ins()
            .trapnz(out, super::clif_trap(TrapCode::OutOfFuel));
    }

    /// Traps if the interrupt flag is set.
    fn interrupt_check(&mut self) -> Result<(), CompileError> {
        let ptr = self.cached_vmctx_ptr(Cached::InterruptPtr, self.env.offsets.interrupt())?;
        let flag = self
            .builder
            .ins()
            .atomic_load(ir::types::I64, vm_flags(), ptr);
        self.builder
            .ins()
            .trapnz(flag, super::clif_trap(TrapCode::Interrupt));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::util::translate_wat_checked;
    use crate::Checks;

    const LOOPS_AND_CALLS: &str = r#"(module
      (func $leaf (result i32) (i32.const 1))
      (func (export "run") (param i32) (result i32) (local i32)
        (loop $l
          (local.set 1 (i32.add (local.get 1) (call $leaf)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
        (local.get 1))
      (func (param i32) (result i32)
        (if (result i32) (local.get 0)
          (then (return (i32.const 2)))
          (else (unreachable)))))"#;

    fn clif(checks: Checks) -> String {
        translate_wat_checked(LOOPS_AND_CALLS, |_| {}, checks)
            .expect("translates")
            .iter()
            .map(|f| f.display().to_string())
            .collect()
    }

    #[test]
    fn nothing_without_checks() {
        let text = clif(Checks::default());
        assert!(!text.contains("atomic_load"), "{text}");
        assert!(
            !text.contains("user14") && !text.contains("user15"),
            "{text}"
        );
    }

    #[test]
    fn interrupt_checks_at_entries_and_loop_headers() {
        let text = clif(Checks {
            interrupt: true,
            fuel: false,
        });
        // Three entries and one loop header.
        assert_eq!(text.matches("atomic_load").count(), 4, "{text}");
        assert_eq!(text.matches("trapnz").count(), 4, "{text}");
        assert!(!text.contains("iadd_imm.i64"), "{text}");
    }

    #[test]
    fn fuel_checks_and_stores() {
        let text = clif(Checks {
            interrupt: false,
            fuel: true,
        });
        // Checks: three entries and one loop header.
        assert_eq!(text.matches("icmp sge").count(), 4, "{text}");
        assert!(!text.contains("atomic_load"), "{text}");
        // Every function stores the counter before it leaves.
        assert!(text.matches(" store").count() >= 4, "{text}");
    }
}
