//! Helper functions of Wasmtime 49's adapter modules: once an adapter body
//! has spent its fuel, Wasmtime translates each further value by calling a
//! helper function (one per type, options and location of both sides,
//! shared by every adapter of the module), defined after the adapter that
//! first needed it. Its index is only known once the module's imports are
//! (the call is encoded at the end, [`Body::calls`]).
//!
//! A helper takes the source's flat values (or a pointer to it) and the
//! destination's pointer if the destination is memory, else returns the
//! destination's flat values; its body is the one translation, with fresh
//! fuel and without checks of the pointers it is given. Its call is a site
//! (`Site::Helper`) standing for the sites of its body: Kiln's adapters move
//! the value inline and report Wasmtime's helper frame there
//! ([`super::Chain`]).

use super::FactModule;
use super::body::{Body, Insert, Site};
use super::values::{Cx, Dst, Mem, Side, Src, clamped};
use kiln_abi::component::{StringEncoding, Type, TypeIndex, TypeTable};
use wasm_encoder::{Instruction as I, ValType};

/// What identifies a helper function.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Helper {
    ty: TypeIndex,
    src: (Options, bool),
    dst: (Options, bool),
}

/// The options a helper depends on (`true` beside them: in memory).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
struct Options {
    mem: Option<u32>,
    realloc: Option<u32>,
    enc: StringEncoding,
    /// The component instance, where the type holds resources, streams,
    /// futures or error contexts (their tables are the instance's; other
    /// types share helpers across instances, as Wasmtime's structurally
    /// equal types do).
    inst: Option<u32>,
}

impl From<Side> for Options {
    fn from(s: Side) -> Self {
        Options {
            mem: s.mem,
            realloc: s.realloc,
            enc: s.enc,
            inst: Some(s.inst),
        }
    }
}

fn side(o: Options) -> Side {
    Side {
        mem: o.mem,
        realloc: o.realloc,
        enc: o.enc,
        inst: o.inst.unwrap_or(0),
    }
}

impl Cx<'_, '_> {
    /// Translates `t` by a call of its helper function.
    pub(super) fn outline(&mut self, t: TypeIndex, src: &Src, dst: &Dst) {
        let flat = self.flat(t);
        match src {
            Src::Stack(locals, s) => {
                for (i, want) in flat.iter().enumerate() {
                    let one = Src::Stack(clamped(locals, i..i + 1), *s);
                    self.stack_get(&one, *want);
                }
            }
            Src::Mem(m) => self.push_mem_addr(m),
        }
        if let Dst::Mem(m) = dst {
            self.push_mem_addr(m);
        }
        let mut helper = Helper {
            ty: t,
            src: (src.side().into(), matches!(src, Src::Mem(_))),
            dst: (dst.side().into(), matches!(dst, Dst::Mem(_))),
        };
        if !self.table.contains(t, &mut |ty| {
            matches!(
                ty,
                Type::Own(_)
                    | Type::Borrow(_)
                    | Type::Stream(_)
                    | Type::Future(_)
                    | Type::ErrorContext
            )
        }) {
            helper.src.0.inst = None;
            helper.dst.0.inst = None;
        }
        let id = self.m.helper(helper, &flat);
        self.b.mark(Site::Helper(id));
        self.b.calls.push((self.b.code.len(), id, Insert::Call));
        if let Dst::Stack(tys, _) = dst {
            let locals: Vec<u32> = flat.iter().rev().map(|t| self.b.set_tmp(*t)).collect();
            for ((want, l), have) in tys.iter().zip(locals.iter().rev()).zip(&flat) {
                self.ins(I::LocalGet(*l));
                self.stack_set(std::slice::from_ref(want), *have);
                self.b.free(*l, *have);
            }
        }
    }

    fn push_mem_addr(&mut self, m: &Mem) {
        self.ins(I::LocalGet(m.addr));
        if m.offset != 0 {
            self.ins(I::I32Const(m.offset as i32));
            self.ins(I::I32Add);
        }
    }
}

impl FactModule {
    /// The function of `helper` (`flat`: its type's flat values), added
    /// and queued for translation at first use.
    fn helper(&mut self, helper: Helper, flat: &[ValType]) -> usize {
        if let Some(id) = self.helpers.get(&helper) {
            return *id;
        }
        let mut params = Vec::new();
        let mut results = Vec::new();
        if helper.src.1 {
            params.push(ValType::I32);
        } else {
            params.extend_from_slice(flat);
        }
        if helper.dst.1 {
            params.push(ValType::I32);
        } else {
            results.extend_from_slice(flat);
        }
        let ty = self.ty(&params, &results);
        let id = self.reserve(ty, None);
        self.helpers.insert(helper, id);
        self.worklist.push((id, helper, params.len() as u32));
        id
    }

    /// Translates the queued helpers, last queued first (as Wasmtime
    /// does); `false` if one is beyond the model.
    pub(super) fn compile_helpers(&mut self, table: &TypeTable<'_>) -> bool {
        while let Some((id, h, nparams)) = self.worklist.pop() {
            let mut b = Body::new(nparams);
            let src = if h.src.1 {
                Src::Mem(Mem {
                    side: side(h.src.0),
                    addr: 0,
                    offset: 0,
                })
            } else {
                let flat = super::values::flatten(table, &[h.ty]);
                let locals = flat
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (i as u32, *t))
                    .collect();
                Src::Stack(locals, side(h.src.0))
            };
            let dst = if h.dst.1 {
                Dst::Mem(Mem {
                    side: side(h.dst.0),
                    addr: nparams - 1,
                    offset: 0,
                })
            } else {
                Dst::Stack(super::values::flatten(table, &[h.ty]), side(h.dst.0))
            };
            let mut cx = Cx::new(self, &mut b, table);
            cx.translate(h.ty, &src, &dst);
            if !cx.ok {
                return false;
            }
            b.ins(I::End);
            self.fill(id, b);
        }
        true
    }
}
