//! Import matching: whether an [`Extern`] may satisfy an import, as the
//! spec defines it (<https://webassembly.github.io/spec/core/exec/modules.html#import-matching>).
//!
//! Phase: [`super::instantiate`], before anything is built. Inputs: the
//! importing module's descriptor records (the import and the imported
//! entity's type: `FuncDesc.type_index`, `MemoryDesc`, `TableDesc`,
//! `GlobalDesc`) and the provided extern. Output: `Ok` or the message of
//! `Error::Link`, starting with `incompatible import type for `m::n``.
//!
//! Rules: functions match when their types are equal (compared as
//! process-wide interned ids); memories and tables when the kind and
//! element type / flags / page size agree and the limits are a subtype
//! (current size >= required minimum; if a maximum is required, the
//! provided one exists and is <= it); globals when mutability is equal and
//! the type is equal (mutable) or a subtype (constant). Reference types are
//! compared precisely ([`kiln_vm::ref_types`]: typed function references).

use super::{Extern, Module, ValType};
use kiln_abi::descriptor::{
    ImportDesc, KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE, MEMORY_FLAG_64,
    MEMORY_FLAG_SHARED, TABLE_FLAG_64,
};

/// Limits: minimum and optional maximum.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Limits {
    min: u64,
    max: Option<u64>,
}

impl Limits {
    fn new(min: u64, max: u64) -> Limits {
        Limits {
            min,
            max: (max != u64::MAX).then_some(max),
        }
    }

    /// Whether `self` (provided) matches `required`.
    fn matches(self, required: Limits) -> bool {
        self.min >= required.min
            && match required.max {
                None => true,
                Some(rmax) => self.max.is_some_and(|m| m <= rmax),
            }
    }
}

impl std::fmt::Display for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.max {
            Some(max) => write!(f, "{} {max}", self.min),
            None => write!(f, "{}", self.min),
        }
    }
}

fn kind_name(kind: u32) -> &'static str {
    match kind {
        KIND_FUNC => "func",
        KIND_TABLE => "table",
        KIND_MEMORY => "memory",
        KIND_GLOBAL => "global",
        _ => "tag",
    }
}

fn extern_kind(e: &Extern) -> u32 {
    match e {
        Extern::Func(_) => KIND_FUNC,
        Extern::Memory(_) => KIND_MEMORY,
        Extern::Table(_) => KIND_TABLE,
        Extern::Global(_) => KIND_GLOBAL,
        Extern::Tag(_) => kiln_abi::descriptor::KIND_TAG,
    }
}

/// Checks `provided` against `import` of `module`.
pub fn check(module: &Module, import: &ImportDesc, provided: &Extern) -> Result<(), String> {
    // SAFETY: descriptor strings live for the process.
    let (m, n) = unsafe {
        (
            kiln_vm::descriptor::str_bytes(import.module),
            kiln_vm::descriptor::str_bytes(import.name),
        )
    };
    let fail = |detail: String| {
        format!(
            "incompatible import type for `{}::{}`: {detail}",
            String::from_utf8_lossy(m),
            String::from_utf8_lossy(n)
        )
    };
    if extern_kind(provided) != import.kind {
        return Err(fail(format!(
            "expected {}, found {}",
            kind_name(import.kind),
            kind_name(extern_kind(provided))
        )));
    }
    let index = import.index as usize;
    let corrupt = || {
        format!(
            "corrupt module descriptor: import of {} {index}",
            kind_name(import.kind)
        )
    };
    match provided {
        Extern::Func(f) => {
            let ty = module.type_of_func(import.index).ok_or_else(corrupt)?;
            let type_index = module.funcs[index].type_index as usize;
            let expected = *kiln_vm::ref_types::module_type_ids(module)
                .get(type_index)
                .ok_or_else(corrupt)?;
            if f.type_id() != expected {
                let (fp, fr) = f.ty();
                let ep: Vec<ValType> = ty.param_types().flatten().collect();
                let er: Vec<ValType> = ty.result_types().flatten().collect();
                return Err(fail(format!(
                    "expected func of type {ep:?} -> {er:?}, found func of type {fp:?} -> {fr:?}"
                )));
            }
        }
        Extern::Memory(mem) => {
            let want = module.memories.get(index).ok_or_else(corrupt)?;
            let have = mem.desc();
            let flags = MEMORY_FLAG_64 | MEMORY_FLAG_SHARED;
            if want.flags & flags != have.flags & flags {
                return Err(fail(
                    "memory types differ in index type or sharing".to_string(),
                ));
            }
            if want.page_size_log2 != have.page_size_log2 {
                return Err(fail(format!(
                    "expected page size 2^{}, found 2^{}",
                    want.page_size_log2, have.page_size_log2
                )));
            }
            let need = Limits::new(want.min_pages, want.max_pages);
            let got = Limits::new(mem.size(), have.max_pages);
            if !got.matches(need) {
                return Err(fail(format!(
                    "expected memory limits {need}, found memory limits {got}"
                )));
            }
        }
        Extern::Table(t) => {
            let want = module.tables.get(index).ok_or_else(corrupt)?;
            let have = t.table_desc();
            let want_ty = kiln_vm::ref_types::table_type(
                module,
                &kiln_vm::ref_types::module_type_ids(module),
                import.index,
            );
            if want.elem_type != have.elem_type || want_ty != t.canon_elem_type() {
                return Err(fail("table element types differ".to_string()));
            }
            if want.flags & TABLE_FLAG_64 != have.flags & TABLE_FLAG_64 {
                return Err(fail("table types differ in index type".to_string()));
            }
            let need = Limits::new(want.min, want.max);
            let got = Limits::new(t.size(), have.max);
            if !got.matches(need) {
                return Err(fail(format!(
                    "expected table limits {need}, found table limits {got}"
                )));
            }
        }
        Extern::Tag(t) => {
            let want = kiln_vm::exceptions::tags::module_tags(module)
                .get(index)
                .ok_or_else(corrupt)?;
            let ty = module.func_type(want.type_index).ok_or_else(corrupt)?;
            if t.type_id() != kiln_vm::typeids::intern(ty.params, ty.results) {
                return Err(fail("tag types differ".to_string()));
            }
        }
        Extern::Global(g) => {
            let want = module.globals.get(index).ok_or_else(corrupt)?;
            let have = g.desc();
            // Precise reference types: a constant global may provide a
            // subtype, a mutable one must match exactly.
            let want_ty = kiln_vm::ref_types::global_type(
                module,
                &kiln_vm::ref_types::module_type_ids(module),
                import.index,
            );
            let types_match = match (want_ty, g.canon_type()) {
                (Some(w), Some(h)) if want.mutable != 0 => w == h,
                (Some(w), Some(h)) => kiln_vm::ref_types::is_subtype(h, w),
                _ => want.val_type == have.val_type,
            };
            if !types_match || (want.mutable != 0) != (have.mutable != 0) {
                let show = |d: &kiln_abi::descriptor::GlobalDesc| {
                    format!(
                        "{}{:?}",
                        if d.mutable != 0 { "mut " } else { "" },
                        ValType::from_u8(d.val_type as u8)
                    )
                };
                return Err(fail(format!(
                    "expected global of type {}, found global of type {}",
                    show(want),
                    show(have)
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Limits;

    #[test]
    fn limits_subtyping() {
        let l = |min, max: Option<u64>| Limits { min, max };
        assert!(l(2, None).matches(l(1, None)));
        assert!(!l(1, None).matches(l(2, None)));
        assert!(l(1, Some(3)).matches(l(1, None)));
        assert!(!l(1, None).matches(l(1, Some(3))));
        assert!(l(1, Some(3)).matches(l(1, Some(3))));
        assert!(l(2, Some(2)).matches(l(1, Some(3))));
        assert!(!l(1, Some(4)).matches(l(1, Some(3))));
        assert_eq!(Limits::new(1, u64::MAX), l(1, None));
    }
}
