//! End-to-end tests of `kiln_runtime_embed` on modules compiled by Kiln
//! (`ImportPolicy::Linked`) and loaded in-process: traps of every origin
//! come back as `Trap`s (never ending the process), linked instances share
//! memories, tables, globals and functions, instantiation follows the spec.

use kiln_runtime_embed::{self as embed, Error, Extern, Func, Instance, TrapCode, Val};
use kiln_test_harness::wast::compile_and_load;

fn instance(wat: &str, imports: &[Extern]) -> Result<Instance, Error> {
    let wasm = wat::parse_str(wat).expect("test wat parses");
    let module = compile_and_load(&wasm, None).expect("compiles and loads");
    embed::instantiate(module, imports)
}

fn func(i: &Instance, name: &str) -> Func {
    match i.export(name) {
        Some(Extern::Func(f)) => f,
        other => panic!("{name}: {other:?}"),
    }
}

fn call(i: &Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, Option<TrapCode>> {
    func(i, name).call(args).map_err(|t| t.code)
}

const TRAPS: &str = r#"(module
  (type $v (func))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 1) $ok)
  (func $ok)
  (func (export "unreachable") unreachable)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "null") (call_indirect (type $v) (i32.const 0)))
  (func (export "sig") (call_indirect (param i32) (i32.const 0) (i32.const 1)))
  (func (export "fill") (table.fill (i32.const 1) (ref.null func) (i32.const 5)))
  (func (export "copy") (memory.copy (i32.const 65535) (i32.const 0) (i32.const 2)))
  (func $rec (export "recurse") (param i32) (result i32)
    (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#;

#[test]
fn traps_of_every_origin_are_caught() {
    let i = instance(TRAPS, &[]).expect("instantiates");
    let cases: &[(&str, &[Val], TrapCode)] = &[
        ("unreachable", &[], TrapCode::UnreachableCodeReached),
        (
            "div",
            &[Val::I32(1), Val::I32(0)],
            TrapCode::IntegerDivisionByZero,
        ),
        (
            "div",
            &[Val::I32(i32::MIN), Val::I32(-1)],
            TrapCode::IntegerOverflow,
        ),
        ("load", &[Val::I32(65534)], TrapCode::MemoryOutOfBounds),
        ("null", &[], TrapCode::IndirectCallToNull),
        ("sig", &[], TrapCode::BadSignature),
        ("fill", &[], TrapCode::TableOutOfBounds),
        ("copy", &[], TrapCode::MemoryOutOfBounds),
        ("recurse", &[Val::I32(0)], TrapCode::StackOverflow),
    ];
    for (name, args, code) in cases {
        assert_eq!(call(&i, name, args), Err(Some(*code)), "{name}");
        // The instance stays usable after each trap.
        assert_eq!(
            call(&i, "add", &[Val::I32(2), Val::I32(3)]),
            Ok(vec![Val::I32(5)])
        );
    }
    let t = func(&i, "unreachable").call(&[]).expect_err("traps");
    assert_eq!(t.message, "wasm `unreachable` instruction executed");
}

#[test]
fn stack_exhaustion_on_small_and_large_threads() {
    let i = instance(TRAPS, &[]).expect("instantiates");
    for size in [320 * 1024, 2 << 20, 16 << 20] {
        let i = i.clone();
        let r = std::thread::Builder::new()
            .stack_size(size)
            .spawn(move || call(&i, "recurse", &[Val::I32(0)]))
            .expect("spawn")
            .join()
            .expect("no crash");
        assert_eq!(r, Err(Some(TrapCode::StackOverflow)), "stack {size}");
    }
}

#[test]
fn threads_trap_independently() {
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let i = instance(TRAPS, &[]).expect("instantiates");
                for k in 0..20 {
                    let r = if (t + k) % 2 == 0 {
                        call(&i, "recurse", &[Val::I32(0)])
                    } else {
                        call(&i, "load", &[Val::I32(-1)])
                    };
                    assert!(r.is_err());
                    assert_eq!(
                        call(&i, "add", &[Val::I32(k), Val::I32(t)]),
                        Ok(vec![Val::I32(k + t)])
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
}

const OWNER: &str = r#"(module
  (memory (export "mem") 1 3)
  (table (export "tab") 2 10 funcref)
  (global (export "g") (mut i32) (i32.const 5))
  (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "size") (result i32) (memory.size))
  (func (export "tsize") (result i32) (table.size))
  (func (export "get") (result i32) (global.get 0))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "call1") (param i32) (result i32)
    (call_indirect (param i32) (result i32) (local.get 0) (i32.const 1))))"#;

const USER: &str = r#"(module
  (import "m" "double" (func $double (param i32) (result i32)))
  (import "m" "mem" (memory 1))
  (import "m" "tab" (table 1 funcref))
  (import "m" "g" (global $g (mut i32)))
  (export "double2" (func $double))
  (export "mem2" (memory 0))
  (elem (i32.const 1) $triple)
  (data (i32.const 7) "\2a")
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "quad") (param i32) (result i32) (call $double (call $double (local.get 0))))
  (func (export "grow") (result i32) (memory.grow (i32.const 1)))
  (func (export "tgrow") (result i32) (table.grow (ref.null func) (i32.const 4)))
  (func (export "set") (param i32) (global.set $g (local.get 0))))"#;

#[test]
fn linked_instances_share_entities() {
    let owner = instance(OWNER, &[]).expect("owner");
    let imports: Vec<Extern> = ["double", "mem", "tab", "g"]
        .iter()
        .map(|n| owner.export(n).expect(n))
        .collect();
    let user = instance(USER, &imports).expect("user links");
    assert_eq!(call(&user, "quad", &[Val::I32(3)]), Ok(vec![Val::I32(12)]));
    assert_eq!(
        call(&user, "double2", &[Val::I32(4)]),
        Ok(vec![Val::I32(8)])
    );
    // The user's data segment and element segment landed in the owner's
    // memory and table; the owner calls the user's function through it.
    assert_eq!(call(&owner, "peek", &[Val::I32(7)]), Ok(vec![Val::I32(42)]));
    assert_eq!(
        call(&owner, "call1", &[Val::I32(5)]),
        Ok(vec![Val::I32(15)])
    );
    // Growth and global writes through the user are the owner's.
    assert_eq!(call(&user, "grow", &[]), Ok(vec![Val::I32(1)]));
    assert_eq!(call(&owner, "size", &[]), Ok(vec![Val::I32(2)]));
    assert_eq!(call(&user, "tgrow", &[]), Ok(vec![Val::I32(2)]));
    assert_eq!(call(&owner, "tsize", &[]), Ok(vec![Val::I32(6)]));
    call(&user, "set", &[Val::I32(99)]).expect("set");
    assert_eq!(call(&owner, "get", &[]), Ok(vec![Val::I32(99)]));
    let Some(Extern::Global(g)) = owner.export("g") else {
        panic!("g")
    };
    assert_eq!(g.get(), Val::I32(99));
    let (Some(Extern::Memory(m1)), Some(Extern::Memory(m2))) =
        (owner.export("mem"), user.export("mem2"))
    else {
        panic!("memories")
    };
    assert!(m1.same(&m2));
    assert_eq!(m2.size(), 2);
}

#[test]
fn incompatible_imports_are_link_errors() {
    let owner = instance(OWNER, &[]).expect("owner");
    let get = |n: &str| owner.export(n).expect(n);
    let link = |wat: &str, imports: &[Extern]| match instance(wat, imports) {
        Err(Error::Link(m)) => m,
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("linked"),
    };
    let m = link(r#"(module (import "m" "mem" (memory 2)))"#, &[get("mem")]);
    assert!(
        m.starts_with("incompatible import type for `m::mem`"),
        "{m}"
    );
    let m = link(r#"(module (import "m" "mem" (memory 1 2)))"#, &[get("mem")]);
    assert!(m.contains("incompatible import type"), "{m}");
    let m = link(r#"(module (import "m" "g" (global i32)))"#, &[get("g")]);
    assert!(m.contains("`m::g`"), "{m}");
    let m = link(
        r#"(module (import "m" "f" (func (param i64) (result i32))))"#,
        &[get("double")],
    );
    assert!(m.contains("`m::f`"), "{m}");
    let m = link(
        r#"(module (import "m" "t" (table 11 funcref)))"#,
        &[get("tab")],
    );
    assert!(m.contains("`m::t`"), "{m}");
}

#[test]
fn instantiation_traps_keep_earlier_segments() {
    let owner = instance(OWNER, &[]).expect("owner");
    let mem = owner.export("mem").expect("mem");
    let r = instance(
        r#"(module (import "m" "mem" (memory 1))
             (data (i32.const 0) "\01") (data (i32.const 65536) "\02"))"#,
        &[mem],
    );
    match r {
        Err(Error::Trap(t)) => assert_eq!(t.code, Some(TrapCode::MemoryOutOfBounds)),
        other => panic!("{other:?}"),
    }
    assert_eq!(call(&owner, "peek", &[Val::I32(0)]), Ok(vec![Val::I32(1)]));
    match instance(r#"(module (func $s unreachable) (start $s))"#, &[]) {
        Err(Error::Trap(t)) => assert_eq!(t.code, Some(TrapCode::UnreachableCodeReached)),
        other => panic!("{other:?}"),
    }
    match instance(r#"(module (func $s (call $s)) (start $s))"#, &[]) {
        Err(Error::Trap(t)) => assert_eq!(t.code, Some(TrapCode::StackOverflow)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn imported_start_function_and_re_exports() {
    let owner = instance(OWNER, &[]).expect("owner");
    let r = instance(
        r#"(module (import "m" "size" (func $f (result i32)))
             (func $start (drop (call $f))) (start $start)
             (export "f" (func $f)))"#,
        &[owner.export("size").expect("size")],
    )
    .expect("instantiates");
    assert_eq!(call(&r, "f", &[]), Ok(vec![Val::I32(1)]));
    let funcref = func(&r, "f").as_funcref();
    assert_ne!(funcref, Val::FuncRef(0));
}
