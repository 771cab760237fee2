//! Inlined code in the object: no call of the callee is left, and its
//! trap sites and return addresses name their frames in the module's
//! inlined-frames table (`ModuleDescriptor::inlined`).

use super::Obj;
use crate::{Config, OptLevel};
use kiln_abi::tables::{INLINED, inlined_frames};
use kiln_abi::trap::TrapCode;
use object::{Object, ObjectSymbol};

/// The module's `ModuleDescriptor::inlined` words.
fn inlined_table(obj: &Obj) -> Vec<u32> {
    obj.symbol_bytes("__kiln_desc_inlined")
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
        .collect()
}

/// Whether function `caller` calls function `callee` (symbols by their
/// name-section names).
fn calls(obj: &Obj, caller: &str, callee: &str) -> bool {
    obj.relocs(caller)
        .values()
        .any(|(target, _)| target == callee)
}

const NESTED: &str = r#"(module
    (func $leaf (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0)))
    (func $mid (param i32) (result i32) (i32.add (call $leaf (local.get 0)) (i32.const 1)))
    (func $main (param i32) (result i32) (i32.mul (call $mid (local.get 0)) (i32.const 3)))
    (func $self (param i32) (result i32) (call $self (local.get 0)))
    (func $even (param i32) (result i32) (call $odd (local.get 0)))
    (func $odd (param i32) (result i32) (call $even (local.get 0))))"#;

/// `$leaf` inlined into `$mid`: the division's trap site there names the
/// call of `$leaf` and the `i32.div_u`. `$mid` inlined into `$main`, whose
/// call of `$leaf` (one level only) stays: its return address names the
/// call of `$mid` and `$mid`'s call of `$leaf`.
#[test]
fn inlined_trap_sites_and_calls_name_their_frames() {
    let wasm = wat::parse_str(NESTED).expect("wat");
    let obj = Obj::compile(NESTED, &Config::default());
    assert!(
        !calls(&obj, "mid", "leaf") && !calls(&obj, "main", "mid") && calls(&obj, "main", "leaf")
    );
    let table = inlined_table(&obj);
    let frames = |func: usize, native: u32| {
        let at = obj.wasm_offset_at(func, native).expect("located");
        assert_ne!(at & INLINED, 0, "{at:#x}");
        let (outer, callees) = inlined_frames(&table, at & !INLINED).expect("an entry");
        (outer, callees.to_vec())
    };

    let div = obj
        .func_traps(1)
        .into_iter()
        .find(|t| t.code == TrapCode::IntegerDivisionByZero as u32)
        .expect("the inlined division traps");
    let (outer, callees) = frames(1, div.offset);
    // `call $leaf` in `$mid`, then `i32.div_u` in `$leaf`.
    assert_eq!(wasm[outer as usize], 0x10);
    assert_eq!(callees.len(), 2, "{callees:?}");
    assert_eq!(callees[0], 0);
    assert_eq!(wasm[callees[1] as usize], 0x6e);

    // `call rel32` of `$leaf` in `$main`: its last byte is looked up.
    let call = obj
        .relocs("main")
        .into_iter()
        .find(|(_, (target, _))| target == "leaf")
        .map(|(offset, _)| offset as u32 + 3)
        .expect("a call of $leaf");
    let (outer, callees) = frames(2, call);
    assert_eq!(wasm[outer as usize], 0x10);
    assert_eq!(callees[0], 1);
    assert_eq!(wasm[callees[1] as usize], 0x10);
    assert_ne!(outer, callees[1]);
}

/// A function that can call itself, directly or through others, is never
/// inlined (a deep recursion exhausts the stack in the function Wasmtime's
/// does, see `tests/run/limits/stack_mutual_recursion.wat`).
#[test]
fn recursion_is_not_inlined() {
    let obj = Obj::compile(NESTED, &Config::default());
    assert!(calls(&obj, "self", "self"));
    assert!(calls(&obj, "even", "odd") && calls(&obj, "odd", "even"));
}

/// `-Os` (and `-O0`) keep every call.
#[test]
fn only_speed_inlines() {
    for opt_level in [OptLevel::SpeedAndSize, OptLevel::None] {
        let config = Config {
            opt_level,
            ..Config::default()
        };
        let obj = Obj::compile(NESTED, &config);
        assert!(calls(&obj, "main", "mid") && calls(&obj, "mid", "leaf"));
        assert!(
            obj.file()
                .symbols()
                .all(|s| s.name() != Ok("__kiln_desc_inlined"))
        );
    }
}
