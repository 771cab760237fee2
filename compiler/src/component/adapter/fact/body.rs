//! A function body of the model adapter module being laid out: its code
//! bytes, its locals, and Wasmtime's reuse of temporaries.
//!
//! Only sizes matter to the model (a backtrace shows code offsets), but the
//! instructions are the ones Wasmtime 49 emits, so the modelled module can
//! be printed and compared with Wasmtime's own (`WASMTIME_LOG` trace of its
//! adapter modules) while developing.

use std::collections::HashMap;
use wasm_encoder::{Encode, Instruction as I, ValType};

/// A function body being laid out.
pub(super) struct Body {
    pub code: Vec<u8>,
    /// Declared locals, run-length encoded as the binary format has them.
    pub locals: Vec<(u32, ValType)>,
    nlocals: u32,
    /// Temporaries no longer in use, reused last-freed first.
    free: HashMap<ValType, Vec<u32>>,
    /// Trap sites of checked values, in code order.
    pub marks: Vec<(Site, usize)>,
    /// Calls of helper functions and references to defined functions,
    /// encoded at the end (when their indices are known): (position in
    /// `code`, the function's number, which instruction).
    pub calls: Vec<(usize, usize, Insert)>,
    /// Wasmtime's fuel left to translate values in this function (one
    /// budget for an adapter's parameters and results together), see
    /// [`super::values::Cx::translate`].
    pub fuel: usize,
}

/// An instruction naming a defined function, whose index is known only
/// once all imports are.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Insert {
    Call,
    RefFunc,
}

/// Wasmtime's fuel per function body.
const INITIAL_FUEL: usize = 1_000;

/// A place in the code a backtrace may show for a value's check.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Site {
    /// The first branch of a `char` check (Cranelift's conditional trap).
    Char,
    /// The `if` of an enum's discriminant check (where its trap is shown).
    EnumIf,
    /// The trap call a variant's `br_table` leads to for a bad
    /// discriminant (where a parameter's and a result's are shown).
    VariantCall,
    /// A call of a `realloc` (the frame shown when it traps).
    Realloc,
    /// A call of a string transcoder (the frame shown when the text is not
    /// valid in its encoding).
    Transcode,
    /// A call of a handle's transfer intrinsic (the frame shown when the
    /// handle is not there).
    Transfer,
    /// The `if` of an alignment check (Wasmtime 49 reports the trap there).
    AlignIf,
    /// The trap call of a bounds or byte-length check (reported there).
    BoundsCall,
    /// A call of helper function number `.0`: the sites of its body.
    Helper(usize),
}

/// The kinds of site a backtrace may show, grouped as
/// [`super::Frames`] keeps them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Group {
    /// Value checks (`char`s, discriminants).
    Chars,
    /// `realloc`, transcoder and transfer calls.
    Reallocs,
    /// Memory checks.
    Mems,
}

impl Site {
    /// The group of a site (`None` for a helper call, whose sites are its
    /// body's).
    pub fn group(self) -> Option<Group> {
        match self {
            Site::Char | Site::EnumIf | Site::VariantCall => Some(Group::Chars),
            Site::Realloc | Site::Transcode | Site::Transfer => Some(Group::Reallocs),
            Site::AlignIf | Site::BoundsCall => Some(Group::Mems),
            Site::Helper(_) => None,
        }
    }
}

impl Body {
    /// An empty body of a function with `params` parameters.
    pub fn new(params: u32) -> Body {
        Body {
            code: Vec::new(),
            locals: Vec::new(),
            nlocals: params,
            free: HashMap::new(),
            marks: Vec::new(),
            calls: Vec::new(),
            fuel: INITIAL_FUEL,
        }
    }

    pub fn mark(&mut self, site: Site) {
        self.marks.push((site, self.code.len()));
    }

    pub fn ins(&mut self, i: I<'_>) {
        i.encode(&mut self.code);
    }

    /// A temporary of type `t` set (or teed) from the stack.
    pub fn new_tmp(&mut self, t: ValType, op: fn(u32) -> I<'static>) -> u32 {
        if let Some(l) = self.free.get_mut(&t).and_then(|v| v.pop()) {
            op(l).encode(&mut self.code);
            return l;
        }
        match self.locals.last_mut() {
            Some((n, last)) if *last == t => *n += 1,
            _ => self.locals.push((1, t)),
        }
        self.nlocals += 1;
        op(self.nlocals - 1).encode(&mut self.code);
        self.nlocals - 1
    }

    pub fn set_tmp(&mut self, t: ValType) -> u32 {
        self.new_tmp(t, I::LocalSet)
    }

    pub fn tee_tmp(&mut self, t: ValType) -> u32 {
        self.new_tmp(t, I::LocalTee)
    }

    /// Saves flags global `flags` in a new local and clears it (Wasmtime's
    /// `may_leave` cleared around a move); returns the local.
    pub fn clear_flags(&mut self, flags: u32) -> u32 {
        self.ins(I::GlobalGet(flags));
        let saved = self.set_tmp(ValType::I32);
        self.ins(I::I32Const(0));
        self.ins(I::GlobalSet(flags));
        saved
    }

    /// Restores flags global `flags` from local `saved`.
    pub fn restore_flags(&mut self, flags: u32, saved: u32) {
        self.ins(I::LocalGet(saved));
        self.ins(I::GlobalSet(flags));
    }

    pub fn free(&mut self, l: u32, t: ValType) {
        self.free.entry(t).or_default().push(l);
    }
}
