//! The two core signatures of an adapter (the caller's lowered one, the
//! callee's lifted one) and the translation of its parameters and results
//! between them, as Wasmtime 49 lays them out: flat values through locals
//! and the stack, more than 16 parameters through a tuple the callee's
//! `realloc` allocates, more than one result through the callee's returned
//! pointer and the caller's return pointer.

use super::Adapter;
use super::values::{Cx, Dst, Side, Size, Src, TRAP_MEMORY_OUT_OF_BOUNDS, flatten};
use kiln_abi::component::{
    MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, PtrType, TypeIndex, TypeTable,
};
use wasm_encoder::{Instruction as I, ValType};

/// An adapter's flattened parameters and results, and how each side
/// passes them: a sync lowering takes up to 16 flat parameters and gives
/// one flat result (more through a return pointer), an `async` lowering
/// takes up to 4 and returns every result through the pointer (its core
/// result is the call's status); a sync lift returns one flat result (more
/// through a pointer it returns), an `async` lift gives up to 16 to
/// `task.return` (its core result is the callback's code, if it has one).
pub(super) struct Signatures<'a> {
    params: &'a [TypeIndex],
    results: &'a [TypeIndex],
    flat_params: Vec<ValType>,
    flat_results: Vec<ValType>,
    lower_async: bool,
    lift_async: bool,
    callback: bool,
}

impl<'a> Signatures<'a> {
    pub fn new(table: &TypeTable<'_>, a: &'a Adapter<'_>) -> Self {
        Signatures {
            params: &a.params,
            results: &a.results,
            flat_params: flatten(table, &a.params),
            flat_results: flatten(table, &a.results),
            lower_async: a.lower.async_,
            lift_async: a.lift.async_,
            callback: a.lift.callback.is_some(),
        }
    }

    fn lower_params_flat(&self) -> bool {
        let max = if self.lower_async {
            MAX_FLAT_ASYNC_PARAMS
        } else {
            MAX_FLAT_PARAMS
        };
        self.flat_params.len() <= max
    }

    fn lift_params_flat(&self) -> bool {
        self.flat_params.len() <= MAX_FLAT_PARAMS
    }

    fn lower_results_flat(&self) -> bool {
        let max = if self.lower_async {
            0
        } else {
            MAX_FLAT_RESULTS
        };
        self.flat_results.len() <= max
    }

    fn lift_results_flat(&self) -> bool {
        let max = if self.lift_async {
            MAX_FLAT_PARAMS
        } else {
            MAX_FLAT_RESULTS
        };
        self.flat_results.len() <= max
    }

    /// The parameters as the caller passes them, without a return pointer.
    pub fn start_params(&self) -> Vec<ValType> {
        if self.lower_params_flat() {
            self.flat_params.clone()
        } else {
            vec![ValType::I32]
        }
    }

    /// The caller's core parameters: its return pointer last if the results
    /// do not fit flat.
    pub fn lower_params(&self) -> Vec<ValType> {
        let mut p = self.start_params();
        if !self.lower_results_flat() {
            p.push(ValType::I32);
        }
        p
    }

    pub fn lower_results(&self) -> Vec<ValType> {
        if self.lower_async {
            vec![ValType::I32]
        } else if self.lower_results_flat() {
            self.flat_results.clone()
        } else {
            Vec::new()
        }
    }

    pub fn lift_params(&self) -> Vec<ValType> {
        if self.lift_params_flat() {
            self.flat_params.clone()
        } else {
            vec![ValType::I32]
        }
    }

    /// The callee's core results: a pointer to them if they do not fit
    /// flat; an `async` lift's callback code.
    pub fn lift_results(&self) -> Vec<ValType> {
        if self.lift_async {
            if self.callback {
                vec![ValType::I32]
            } else {
                Vec::new()
            }
        } else if self.lift_results_flat() {
            self.flat_results.clone()
        } else {
            vec![ValType::I32]
        }
    }

    /// The results as the callee gives them (`task.return`'s parameters
    /// for an `async` lift), then the caller's return pointer if any: the
    /// parameters of an `async` call's results half.
    pub fn return_params(&self) -> Vec<ValType> {
        let mut p = if self.lift_results_flat() {
            self.flat_results.clone()
        } else {
            vec![ValType::I32]
        };
        if !self.lower_results_flat() {
            p.push(ValType::I32);
        }
        p
    }

    /// The results half's results: the sync lowering's flat result.
    pub fn return_results(&self) -> Vec<ValType> {
        if self.lower_async {
            Vec::new()
        } else {
            self.lower_results()
        }
    }

    /// The number of flat results of the lowering (what Wasmtime's
    /// `prepare-call` of a sync lowering is told).
    pub fn flat_result_count(&self) -> usize {
        self.flat_results.len()
    }

    /// The lowering passes a return pointer.
    pub fn lower_retptr(&self) -> bool {
        !self.lower_results_flat()
    }

    pub fn has_results(&self) -> bool {
        !self.results.is_empty()
    }
}

/// What translating an adapter's values needs.
pub(super) struct Call<'a> {
    pub a: &'a Adapter<'a>,
    pub sig: &'a Signatures<'a>,
    /// Global indices of the caller's and the callee's flags.
    pub flags: [u32; 2],
    /// The caller's and the callee's options.
    pub sides: [Side; 2],
    pub callee: u32,
    pub post: Option<u32>,
}

fn tuple(table: &TypeTable<'_>, types: &[TypeIndex]) -> (u32, u32) {
    (
        table.fields_size(types.iter().copied(), PtrType::I32),
        table.fields_alignment(types.iter().copied(), PtrType::I32),
    )
}

impl Call<'_> {
    /// Moves the parameters from the adapter's own parameters to the stack
    /// (or a tuple in the callee's memory whose address is pushed).
    pub fn params(&self, cx: &mut Cx<'_, '_>, lower: Side, lift: Side) {
        let s = self.sig;
        let (size, align) = tuple(cx.table, s.params);
        let src = if s.lower_params_flat() {
            let locals = s
                .flat_params
                .iter()
                .enumerate()
                .map(|(i, t)| (i as u32, *t))
                .collect();
            Src::Stack(locals, lower)
        } else {
            Src::Mem(cx.memory_operand(lower, 0, size, align))
        };
        let dst = if s.lift_params_flat() {
            Dst::Stack(s.flat_params.clone(), lift)
        } else {
            let addr = cx.malloc(lift, Size::Const(size), align, TRAP_MEMORY_OUT_OF_BOUNDS);
            Dst::Mem(super::values::Mem {
                side: lift,
                addr,
                offset: 0,
            })
        };
        cx.fields(s.params, &src, &dst);
        if let Dst::Mem(m) = dst {
            cx.ins(I::LocalGet(m.addr));
            cx.b.free(m.addr, ValType::I32);
        }
    }

    /// Moves the results from the callee's core results (`results`) to the
    /// stack or the caller's return pointer (local `retptr`).
    pub fn results(
        &self,
        cx: &mut Cx<'_, '_>,
        lower: Side,
        lift: Side,
        results: &[(u32, ValType)],
        retptr: u32,
    ) {
        let s = self.sig;
        let (size, align) = tuple(cx.table, s.results);
        let src = if s.lift_results_flat() {
            Src::Stack(results.to_vec(), lift)
        } else {
            let addr = results.first().map_or(0, |r| r.0);
            Src::Mem(cx.memory_operand(lift, addr, size, align))
        };
        let dst = if s.lower_results_flat() {
            Dst::Stack(s.flat_results.clone(), lower)
        } else {
            Dst::Mem(cx.memory_operand(lower, retptr, size, align))
        };
        cx.fields(s.results, &src, &dst);
    }
}
