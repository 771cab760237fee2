//! The reference and element initializers in the object
//! (`ModuleDescriptor::init_refs`, `init_elems`,
//! `crate::trampolines::init_refs`): which modules get them, which element
//! segments the second applies, and the code the first refers to.

use super::{Obj, u32_at};
use crate::Config;
use crate::trampolines::init_refs::MAX_ITEMS;
use core::mem::offset_of;
use kiln_abi::descriptor::ModuleDescriptor;
use kiln_abi::symbols::{INIT_ELEMS, INIT_REFS, MODULE};

/// What the descriptor says: the reference initializer's symbol, the
/// element initializer's, `num_applied_elems`.
#[derive(Debug, PartialEq, Eq)]
struct Init {
    refs: Option<String>,
    elems: Option<String>,
    applied: u32,
}

fn init_of(wat: &str) -> Init {
    let obj = Obj::compile(wat, &Config::default());
    let desc = obj.symbol_bytes(MODULE);
    let relocs = obj.relocs(MODULE);
    let target = |at: usize| relocs.get(&(at as u64)).map(|(name, _)| name.clone());
    Init {
        refs: target(offset_of!(ModuleDescriptor, init_refs)),
        elems: target(offset_of!(ModuleDescriptor, init_elems)),
        applied: u32_at(&desc, offset_of!(ModuleDescriptor, num_applied_elems)),
    }
}

/// Both initializers, the element one covering `applied` segments.
fn both(applied: u32) -> Init {
    Init {
        refs: Some(INIT_REFS.into()),
        elems: Some(INIT_ELEMS.into()),
        applied,
    }
}

/// The prefix of static segments, passive and declarative ones included,
/// ends at the first active segment with a `global.get` offset: the later
/// segments (which may overwrite its slots) stay with the runtime.
#[test]
fn prefix_ends_at_the_first_dynamic_segment() {
    let init = init_of(
        r#"(module
            (global $one i32 (i32.const 1))
            (table $t 8 funcref)
            (elem (table $t) (i32.const 0) func $a $b)
            (elem func $a)
            (elem declare func $b)
            (elem (table $t) (i32.const 2) funcref (ref.func $a) (ref.null func))
            (elem (table $t) (global.get $one) func $b)
            (elem (table $t) (i32.const 1) func $a)
            (func $a) (func $b))"#,
    );
    assert_eq!(init, both(4));
}

/// Passive and declarative segments after the last static active one are
/// the runtime's business anyway: the prefix ends at that active one, and
/// with none, there is no element initializer.
#[test]
fn prefix_ends_at_its_last_active_segment() {
    let init = init_of(
        r#"(module
            (table $t 2 funcref)
            (elem (table $t) (i32.const 0) func $a)
            (elem func $a)
            (elem declare func $a)
            (func $a))"#,
    );
    assert_eq!(init, both(1));
    let init = init_of("(module (elem func $a) (elem declare func $a) (func $a))");
    assert_eq!(
        init,
        Init {
            refs: Some(INIT_REFS.into()),
            elems: None,
            applied: 0
        }
    );
}

/// Segments the initializer cannot apply without a check: one past its
/// table's minimum size (or far past it), one with a `global.get` item.
/// Each ends the prefix where it stands.
#[test]
fn segments_needing_a_check_stay_with_the_runtime() {
    for (segment, applied) in [
        ("(elem (table $t) (i32.const 1) func $a $a)", 1),
        ("(elem (table $t) (i32.const 0) func $a $a)", 2),
        ("(elem (table $t) (i32.const 0) funcref (global.get $g))", 1),
        ("(elem (table $t) (i32.const 0xffffffff) func $a)", 1),
    ] {
        let wat = format!(
            r#"(module
                (global $g funcref (ref.func $a))
                (table $t 2 funcref)
                (elem (table $t) (i32.const 0) func $a)
                {segment}
                (func $a))"#
        );
        assert_eq!(init_of(&wat), both(applied), "{segment}");
    }
}

/// A 64-bit table's `i64.const` offset is as good as an `i32.const`.
#[test]
fn table64_offsets_are_static() {
    let init = init_of(
        r#"(module
            (table $t i64 4 funcref)
            (elem (table $t) (i64.const 3) func $a)
            (func $a))"#,
    );
    assert_eq!(init, both(1));
}

/// Nothing to fill, no initializer; past a budget, the runtime's loop.
#[test]
fn budget_and_empty_modules() {
    let none = Init {
        refs: None,
        elems: None,
        applied: 0,
    };
    assert_eq!(init_of("(module (func))"), none);
    // Over budget in element items: the one escaping function still gets
    // its reference from the initializer, the segment stays; within it,
    // both.
    let segment = |n: usize| {
        format!(
            "(module (table {n} funcref) (elem (i32.const 0) func{}) (func $a))",
            " $a".repeat(n)
        )
    };
    let refs_only = Init {
        refs: Some(INIT_REFS.into()),
        elems: None,
        applied: 0,
    };
    assert_eq!(init_of(&segment(MAX_ITEMS + 1)), refs_only);
    assert_eq!(init_of(&segment(MAX_ITEMS)), both(1));
    // Over budget in escaping functions: no reference initializer.
    let funcs: String = (0..=MAX_ITEMS)
        .map(|i| format!("(func (export \"f{i}\"))"))
        .collect::<String>();
    assert_eq!(init_of(&format!("(module {funcs})")), none);
}

/// The reference initializer takes each escaping function's address (and
/// no other's).
#[test]
fn initializer_refers_to_the_escaping_functions() {
    let obj = Obj::compile(
        r#"(module
            (table 1 funcref)
            (elem (i32.const 0) func 2)
            (func) (func (export "one")) (func) (func))"#,
        &Config::default(),
    );
    let mut targets: Vec<String> = obj
        .relocs(INIT_REFS)
        .into_values()
        .map(|(name, _)| name)
        .collect();
    targets.sort();
    assert_eq!(targets, ["__kiln_func_1", "__kiln_func_2"]);
}

/// A segment into an imported table ends the prefix: the table's size is
/// only known at instantiation. (A core program cannot import a table; a
/// component's core modules can, so the plan is checked on the module's
/// info with its first table counted as imported.)
#[test]
fn imported_tables_stay_with_the_runtime() {
    let wasm = wat::parse_str(
        r#"(module
            (table $t 4 funcref)
            (table $u 4 funcref)
            (elem (table $u) (i32.const 0) func $a)
            (elem (table $t) (i32.const 0) func $a)
            (func $a))"#,
    )
    .expect("wat");
    let mut info = crate::module::translate_module(&wasm, &Config::default()).expect("valid");
    let offsets =
        |info: &crate::module::ModuleInfo| kiln_abi::vmctx::VMOffsets::new(8, info.vm_counts());
    let plan = |info: &crate::module::ModuleInfo| {
        crate::trampolines::init_refs::plan(info, &offsets(info)).applied
    };
    assert_eq!(plan(&info), 2);
    info.num_imported_tables = 1;
    assert_eq!(plan(&info), 1);
}
