//! Wasmtime 49's adapter of a call `async` on either side, in the model
//! module.
//!
//! Phase 2 of adapters (see `super`). Input: an adapter whose lowering or
//! lifting is `async`, its options and callee already imported. Output:
//! its three functions laid out, in this order:
//!
//! - `[async-start]adapterN`: the caller's parameters as the lowering
//!   passes them (no return pointer) to the callee's core parameters, the
//!   callee's flags cleared around the move (Wasmtime's host calls it when
//!   the callee's task starts);
//! - `[async-return]adapterN`: the callee's results as it gives them
//!   (`task.return`'s parameters, or a sync lift's core results), then the
//!   caller's return pointer if any, to the sync lowering's flat result;
//!   the caller's flags cleared around the move;
//! - `adapterN`, the lowering's function: `ref.func` of both, six
//!   constants (caller and callee instance, Wasmtime's number of the
//!   results' tuple type, whether the function type is `async`, the
//!   callee's string encoding, the sync lowering's flat result count or
//!   -2/-1 for an `async` one with/without results), its parameters, a
//!   call of its `prepare-call` intrinsic, then `ref.func` of the callee
//!   with its core parameter count (an `async` lowering adds the result
//!   count, or 1, and a flag: 1 if the callee is `async` too) and a call
//!   of its `start-call` intrinsic (imported before `prepare-call`; an
//!   `async` lowering's is shared by adapters with the same callback and
//!   `post-return`);
//!
//! and an export `[adapter-callee]adapterN` of the callee, after every
//! other export.

use super::body::{Body, Insert};
use super::call::Call;
use super::values::Cx;
use super::{Checks, FactModule, Key};
use kiln_abi::component::TypeTable;
use wasm_encoder::{Instruction as I, ValType};

/// Body offsets of an `async` adapter's value moves.
pub(super) struct AsyncSites {
    /// The start function's number and the parameters' checks.
    pub start: (usize, Checks),
    /// The return function's number and the results' checks.
    pub ret: (usize, Checks),
    /// The caller's and the callee's memory indices.
    pub memories: [Option<u32>; 2],
}

impl FactModule {
    /// Adds exported function `name` of type `(params, results)` that moves
    /// values (`move_`) with flags global `flags` cleared around the move;
    /// returns its number and the move's sites.
    fn half(
        &mut self,
        table: &TypeTable<'_>,
        name: String,
        (params, results): (&[ValType], &[ValType]),
        flags: u32,
        move_: impl FnOnce(&mut Cx<'_, '_>),
    ) -> Option<(usize, Checks)> {
        let ty = self.ty(params, results);
        let f = self.reserve(ty, Some(name));
        let mut b = Body::new(params.len() as u32);
        let saved = b.clear_flags(flags);
        let checks = self.translation(&mut b, table, move_)?;
        b.restore_flags(flags, saved);
        b.ins(I::End);
        self.fill(f, b);
        Some((f, checks))
    }

    /// Lays out `c`'s `async` adapter, Wasmtime's `adapter{n}`.
    pub(super) fn async_call(
        &mut self,
        table: &TypeTable<'_>,
        c: &Call<'_>,
        n: usize,
    ) -> Option<AsyncSites> {
        let name = format!("adapter{n}");
        let sig = c.sig;
        let [lower_flags, lift_flags] = c.flags;
        let [lower, lift] = c.sides;

        // The parameters' move, with the callee's flags cleared.
        let params = sig.start_params();
        let (start, param_checks) = self.half(
            table,
            format!("[async-start]{name}"),
            (&params, &sig.lift_params()),
            lift_flags,
            |cx| c.params(cx, lower, lift),
        )?;
        // The results' move, with the caller's: the results as the callee
        // gives them, then the return pointer, if any.
        let params = sig.return_params();
        let locals: Vec<(u32, ValType)> = params
            .iter()
            .enumerate()
            .map(|(i, t)| (i as u32, *t))
            .collect();
        let results = &locals[..locals.len() - usize::from(sig.lower_retptr())];
        let retptr = params.len().saturating_sub(1) as u32;
        let (ret, result_checks) = self.half(
            table,
            format!("[async-return]{name}"),
            (&params, &sig.return_results()),
            lower_flags,
            |cx| c.results(cx, lower, lift, results, retptr),
        )?;

        let (lower_async, lift_async) = (c.a.lower.async_, c.a.lift.async_);
        let lower_params = sig.lower_params();
        let lower_results = sig.lower_results();
        // The function (its type) first, then the intrinsics.
        let ty = self.ty(&lower_params, &lower_results);
        let body = self.reserve(ty, Some(name.clone()));
        let start_call = format!("[start-call]{name}");
        let start_call = if lower_async {
            // Shared by the adapters with the same callback and
            // `post-return` (an `async` callee has no `post-return`, a sync
            // one no callback).
            let key = if lift_async {
                Key::AsyncStartCall(c.a.lift.callback.clone(), None)
            } else {
                Key::AsyncStartCall(None, c.a.lift.post_return.clone())
            };
            let p = [ValType::FUNCREF, ValType::I32, ValType::I32, ValType::I32];
            self.func(key, "async", &start_call, &p, &[ValType::I32])
        } else {
            let p = [ValType::FUNCREF, ValType::I32];
            self.func(
                Key::Named(start_call.clone()),
                "sync",
                &start_call,
                &p,
                &lower_results,
            )
        };
        let prepare = format!("[prepare-call]{name}");
        let mut p = vec![ValType::FUNCREF, ValType::FUNCREF];
        p.extend([ValType::I32; 6]);
        p.extend(lower_params.iter().copied());
        let prepare = self.func(Key::Named(prepare.clone()), "sync", &prepare, &p, &[]);

        let mut b = Body::new(lower_params.len() as u32);
        for f in [start, ret] {
            b.calls.push((b.code.len(), f, Insert::RefFunc));
        }
        let result_count = match (lower_async, sig.has_results()) {
            (true, true) => -2,
            (true, false) => -1,
            (false, _) => sig.flat_result_count() as i32,
        };
        for v in [
            c.a.lower.instance.as_u32() as i32,
            c.a.lift.instance.as_u32() as i32,
            c.a.results_tuple as i32,
            i32::from(c.a.async_),
            c.a.lift.string_encoding as i32,
            result_count,
        ] {
            b.ins(I::I32Const(v));
        }
        for i in 0..lower_params.len() {
            b.ins(I::LocalGet(i as u32));
        }
        b.ins(I::Call(prepare));
        b.ins(I::RefFunc(c.callee));
        b.ins(I::I32Const(sig.lift_params().len() as i32));
        match (lower_async, lift_async) {
            (true, true) => {
                b.ins(I::I32Const(1));
                b.ins(I::I32Const(1));
            }
            (true, false) => {
                b.ins(I::I32Const(sig.lift_results().len() as i32));
                b.ins(I::I32Const(0));
            }
            (false, _) => {}
        }
        b.ins(I::Call(start_call));
        b.ins(I::End);
        self.fill(body, b);
        self.callee_exports
            .push((format!("[adapter-callee]{name}"), c.callee));
        Some(AsyncSites {
            start: (start, param_checks),
            ret: (ret, result_checks),
            memories: [lower.mem, lift.mem],
        })
    }
}
