//! The two core signatures of an adapter (the caller's lowered one, the
//! callee's lifted one) and the translation of its parameters and results
//! between them, as Wasmtime 49 lays them out: flat values through locals
//! and the stack, more than 16 parameters through a tuple the callee's
//! `realloc` allocates, more than one result through the callee's returned
//! pointer and the caller's return pointer.

use super::Adapter;
use super::values::{Cx, Dst, Side, Size, Src, TRAP_MEMORY_OUT_OF_BOUNDS, flatten};
use kiln_abi::component::{MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, PtrType, TypeIndex, TypeTable};
use wasm_encoder::{Instruction as I, ValType};

/// An adapter's flattened parameters and results.
pub(super) struct Signatures<'a> {
    params: &'a [TypeIndex],
    results: &'a [TypeIndex],
    flat_params: Vec<ValType>,
    flat_results: Vec<ValType>,
}

impl<'a> Signatures<'a> {
    pub fn new(table: &TypeTable<'_>, a: &'a Adapter<'_>) -> Self {
        Signatures {
            params: &a.params,
            results: &a.results,
            flat_params: flatten(table, &a.params),
            flat_results: flatten(table, &a.results),
        }
    }

    fn params_flat(&self) -> bool {
        self.flat_params.len() <= MAX_FLAT_PARAMS
    }

    fn results_flat(&self) -> bool {
        self.flat_results.len() <= MAX_FLAT_RESULTS
    }

    fn core_params(&self) -> Vec<ValType> {
        if self.params_flat() {
            self.flat_params.clone()
        } else {
            vec![ValType::I32]
        }
    }

    /// The caller's core parameters: its return pointer last if the results
    /// do not fit flat.
    pub fn lower_params(&self) -> Vec<ValType> {
        let mut p = self.core_params();
        if !self.results_flat() {
            p.push(ValType::I32);
        }
        p
    }

    pub fn lower_results(&self) -> Vec<ValType> {
        if self.results_flat() {
            self.flat_results.clone()
        } else {
            Vec::new()
        }
    }

    pub fn lift_params(&self) -> Vec<ValType> {
        self.core_params()
    }

    /// The callee's core results: a pointer to them if they do not fit flat.
    pub fn lift_results(&self) -> Vec<ValType> {
        if self.results_flat() {
            self.flat_results.clone()
        } else {
            vec![ValType::I32]
        }
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
        let src = if s.params_flat() {
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
        let dst = if s.params_flat() {
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
    /// stack or the caller's return pointer.
    pub fn results(
        &self,
        cx: &mut Cx<'_, '_>,
        lower: Side,
        lift: Side,
        results: &[(u32, ValType)],
    ) {
        let s = self.sig;
        let (size, align) = tuple(cx.table, s.results);
        let src = if s.results_flat() {
            Src::Stack(results.to_vec(), lift)
        } else {
            let addr = results.first().map_or(0, |r| r.0);
            Src::Mem(cx.memory_operand(lift, addr, size, align))
        };
        let dst = if s.results_flat() {
            Dst::Stack(s.flat_results.clone(), lower)
        } else {
            let retptr = s.lower_params().len() as u32 - 1;
            Dst::Mem(cx.memory_operand(lower, retptr, size, align))
        };
        cx.fields(s.results, &src, &dst);
    }
}
