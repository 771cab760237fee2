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

        let params = sig.start_params();
        let ty = self.ty(&params, &sig.lift_params());
        let start = self.reserve(ty, Some(format!("[async-start]{name}")));
        let mut b = Body::new(params.len() as u32);
        let saved = clear_flags(&mut b, lift_flags);
        let param_checks = self.translation(&mut b, table, |cx| c.params(cx, lower, lift))?;
        b.ins(I::LocalGet(saved));
        b.ins(I::GlobalSet(lift_flags));
        b.ins(I::End);
        self.fill(start, b);

        let params = sig.return_params();
        let ty = self.ty(&params, &sig.return_results());
        let ret = self.reserve(ty, Some(format!("[async-return]{name}")));
        let mut b = Body::new(params.len() as u32);
        let saved = clear_flags(&mut b, lower_flags);
        let locals: Vec<(u32, ValType)> = params
            .iter()
            .enumerate()
            .map(|(i, t)| (i as u32, *t))
            .collect();
        // The return pointer, if any, is the last parameter.
        let results = &locals[..locals.len() - usize::from(sig.lower_retptr())];
        let retptr = params.len().saturating_sub(1) as u32;
        let result_checks = self.translation(&mut b, table, |cx| {
            c.results(cx, lower, lift, results, retptr)
        })?;
        b.ins(I::LocalGet(saved));
        b.ins(I::GlobalSet(lower_flags));
        b.ins(I::End);
        self.fill(ret, b);

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

/// Saves flags global `flags` in a new local and clears it; returns the
/// local.
fn clear_flags(b: &mut Body, flags: u32) -> u32 {
    b.ins(I::GlobalGet(flags));
    let saved = b.set_tmp(ValType::I32);
    b.ins(I::I32Const(0));
    b.ins(I::GlobalSet(flags));
    saved
}
