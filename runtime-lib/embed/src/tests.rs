//! The embedding API on hand-built descriptors (no compiler): linking and
//! sharing of memories, tables, globals and functions, import type checks,
//! segments and start traps, and traps caught in-process (hand-assembled
//! x86_64 code at registered trap sites), also on several threads.
#![cfg(target_arch = "x86_64")]

use super::*;
use kiln_abi::ValType::{I32, I64};
use kiln_abi::descriptor::{KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE, SEGMENT_FLAG_ACTIVE};
use kiln_abi::trap::TrapCode;
use kiln_abi::vmctx::{VMCounts, VMOffsets};
use kiln_abi::{ValRaw, tables::TrapSite};
use kiln_vm::fixture::*;
use std::sync::OnceLock;

/// Offsets of the hand-assembled functions in the code page.
const UNREACHABLE_AT: u64 = 0;
const OOB_AT: u64 = 16;
const RECURSE_AT: u64 = 48;
const RET_AT: u64 = 96;

/// The provider's `VMContext` layout (four functions; one memory, table and
/// global), which the out-of-bounds function reads its memory base from.
fn provider_offsets() -> VMOffsets {
    VMOffsets::new(
        8,
        VMCounts {
            defined_memories: 1,
            defined_tables: 1,
            defined_globals: 1,
            funcs: 4,
            ..VMCounts::default()
        },
    )
}

/// Functions in the C convention (vmctx in rdi) with frame pointers:
/// `unreachable` (ud2 at +4), an out-of-bounds load (at +11) from memory 0
/// at 0x10000, a recursion whose prologue checks the stack limit (ud2 at
/// +17), and a bare `ret`.
fn code_page() -> u64 {
    static PAGE: OnceLock<u64> = OnceLock::new();
    *PAGE.get_or_init(|| {
        let mut c = vec![0xccu8; 128];
        let mut put = |at: u64, bytes: &[u8]| {
            c[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
        };
        put(UNREACHABLE_AT, &[0x55, 0x48, 0x89, 0xe5, 0x0f, 0x0b]);
        let mut oob = vec![0x55, 0x48, 0x89, 0xe5, 0x48, 0x8b, 0x87];
        oob.extend_from_slice(&provider_offsets().defined_memory(0).to_le_bytes());
        oob.extend_from_slice(&[0x8b, 0x80, 0x00, 0x00, 0x01, 0x00, 0x5d, 0xc3]);
        put(OOB_AT, &oob);
        let mut rec = vec![
            0x55, 0x48, 0x89, 0xe5, 0x48, 0x3b, 0x67, 0x08, 0x72, 0x07, 0xe8,
        ];
        rec.extend_from_slice(&(-15i32).to_le_bytes());
        rec.extend_from_slice(&[0x5d, 0xc3, 0x0f, 0x0b]);
        put(RECURSE_AT, &rec);
        put(RET_AT, &[0xc3]);
        CodePage::new(&c).at(0)
    })
}

macro_rules! trampoline {
    ($name:ident, $offset:expr) => {
        extern "C" fn $name(vmctx: *mut u8, _values: *mut ValRaw) {
            let addr = code_page() + $offset;
            // SAFETY: the code page holds a function at `$offset` taking the
            // vmctx in the C convention.
            let f: extern "C" fn(*mut u8) = unsafe { std::mem::transmute(addr as usize) };
            f(vmctx)
        }
    };
}
trampoline!(call_unreachable, UNREACHABLE_AT);
trampoline!(call_oob, OOB_AT);
trampoline!(call_recurse, RECURSE_AT);

extern "C" fn add_trampoline(_vmctx: *mut u8, values: *mut ValRaw) {
    // SAFETY: two i32 arguments in, one result out.
    unsafe {
        let a = Val::from_raw(I32, &*values);
        let b = Val::from_raw(I32, &*values.add(1));
        if let (Val::I32(a), Val::I32(b)) = (a, b) {
            *values = Val::I32(a.wrapping_add(b)).to_raw();
        }
    }
}

/// Exports `add` (i32 i32 -> i32), `trap`, `oob`, `recurse`, `mem` (1
/// page, max 2), `tab` (2 funcref, max 10), `g` (mut i32 = 42).
fn provider() -> ModuleBuilder {
    let page = code_page();
    let func = |ty, at: u64, array: u64, len: u64, traps: Vec<TrapSite>| FuncSpec {
        ty,
        wasm_call: page + at,
        array_call: array,
        code_len: len,
        traps,
        ..FuncSpec::default()
    };
    ModuleBuilder {
        name: Some("provider".into()),
        types: vec![(vec![], vec![]), (vec![I32, I32], vec![I32])],
        funcs: vec![
            func(1, RET_AT, add_trampoline as *const () as u64, 0, vec![]),
            func(
                0,
                UNREACHABLE_AT,
                call_unreachable as *const () as u64,
                16,
                vec![TrapSite::new(4, TrapCode::UnreachableCodeReached)],
            ),
            func(
                0,
                OOB_AT,
                call_oob as *const () as u64,
                32,
                vec![TrapSite::new(11, TrapCode::MemoryOutOfBounds)],
            ),
            func(
                0,
                RECURSE_AT,
                call_recurse as *const () as u64,
                19,
                vec![TrapSite::new(17, TrapCode::StackOverflow)],
            ),
        ],
        memories: vec![memory(1, 2)],
        tables: vec![table(2, 10, ref_null())],
        globals: vec![global(I32, value(42))],
        exports: vec![
            ("add".into(), KIND_FUNC, 0),
            ("trap".into(), KIND_FUNC, 1),
            ("oob".into(), KIND_FUNC, 2),
            ("recurse".into(), KIND_FUNC, 3),
            ("mem".into(), KIND_MEMORY, 0),
            ("tab".into(), KIND_TABLE, 0),
            ("g".into(), KIND_GLOBAL, 0),
        ],
        ..ModuleBuilder::default()
    }
}

/// Imports `add`, `mem` (1..2), `tab` (1..10), `g` (mut i32) from "p" and
/// re-exports them as `add2`, `mem2`, `tab2`, `g2`; writes "hi" at 0.
fn importer() -> ModuleBuilder {
    let imp = |name: &str, kind, index| ("p".to_string(), name.to_string(), kind, index);
    ModuleBuilder {
        types: vec![(vec![I32, I32], vec![I32])],
        funcs: vec![FuncSpec {
            ty: 0,
            ..FuncSpec::default()
        }],
        memories: vec![memory(1, 2)],
        tables: vec![table(1, 10, ref_null())],
        globals: vec![global(I32, value(0))],
        imports: vec![
            imp("add", KIND_FUNC, 0),
            imp("mem", KIND_MEMORY, 0),
            imp("tab", KIND_TABLE, 0),
            imp("g", KIND_GLOBAL, 0),
        ],
        exports: vec![
            ("add2".into(), KIND_FUNC, 0),
            ("mem2".into(), KIND_MEMORY, 0),
            ("tab2".into(), KIND_TABLE, 0),
            ("g2".into(), KIND_GLOBAL, 0),
        ],
        data: vec![(value(0), 0, SEGMENT_FLAG_ACTIVE, b"hi".to_vec())],
        ..ModuleBuilder::default()
    }
}

fn exports_of(p: &Instance, names: &[&str]) -> Vec<Extern> {
    names
        .iter()
        .map(|n| p.export(n).unwrap_or_else(|| panic!("export {n}")))
        .collect()
}

fn func(i: &Instance, name: &str) -> Func {
    match i.export(name) {
        Some(Extern::Func(f)) => f,
        other => panic!("{name}: {other:?}"),
    }
}

fn memory_of(i: &Instance, name: &str) -> Memory {
    match i.export(name) {
        Some(Extern::Memory(m)) => m,
        other => panic!("{name}: {other:?}"),
    }
}

fn instantiate_provider() -> Instance {
    instantiate(provider().module(), &[]).expect("provider instantiates")
}

#[test]
fn calls_return_results_and_traps_are_caught() {
    let p = instantiate_provider();
    assert_eq!(
        func(&p, "add").call(&[Val::I32(2), Val::I32(40)]),
        Ok(vec![Val::I32(42)])
    );
    let trap = func(&p, "trap").call(&[]).expect_err("traps");
    assert_eq!(trap.code, Some(TrapCode::UnreachableCodeReached));
    assert_eq!(trap.message, "wasm `unreachable` instruction executed");
    let trap = func(&p, "oob").call(&[]).expect_err("traps");
    assert_eq!(trap.code, Some(TrapCode::MemoryOutOfBounds));
    assert_eq!(trap.message, "out of bounds memory access");
    let trap = func(&p, "recurse").call(&[]).expect_err("traps");
    assert_eq!(trap.code, Some(TrapCode::StackOverflow));
    assert_eq!(trap.message, "call stack exhausted");
    // Everything still works after the traps.
    assert_eq!(
        func(&p, "add").call(&[Val::I32(-1), Val::I32(1)]),
        Ok(vec![Val::I32(0)])
    );
    let bad = func(&p, "add").call(&[Val::I64(1), Val::I32(1)]);
    assert_eq!(bad.map_err(|t| t.code), Err(None));
    assert_eq!(func(&p, "add").ty(), (vec![I32, I32], vec![I32]));
}

#[test]
fn stack_exhaustion_is_caught_on_small_threads() {
    let p = instantiate_provider();
    let f = func(&p, "recurse");
    for size in [256 * 1024, 1024 * 1024, 4 * 1024 * 1024] {
        let f = f.clone();
        let code = std::thread::Builder::new()
            .stack_size(size)
            .spawn(move || f.call(&[]).map_err(|t| t.code))
            .expect("spawn")
            .join()
            .expect("no crash");
        assert_eq!(code, Err(Some(TrapCode::StackOverflow)), "stack {size}");
    }
}

#[test]
fn traps_on_many_threads_at_once() {
    // One instance per thread (like a Wasmtime store: the stack limit lives
    // in the instance), all sharing one module and its code.
    let module = provider().module();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let p = instantiate(module, &[]).expect("instantiates");
                for k in 0..50 {
                    let name = ["trap", "oob", "recurse"][(t + k) % 3];
                    assert!(func(&p, name).call(&[]).is_err(), "{name}");
                    assert_eq!(
                        func(&p, "add").call(&[Val::I32(k as i32), Val::I32(1)]),
                        Ok(vec![Val::I32(k as i32 + 1)])
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
}

#[test]
fn imports_share_the_owners_entities() {
    let p = instantiate_provider();
    let imports = exports_of(&p, &["add", "mem", "tab", "g"]);
    let i = instantiate(importer().module(), &imports).expect("links");
    // Re-exports are the provider's entities.
    assert!(memory_of(&i, "mem2").same(&memory_of(&p, "mem")));
    assert_eq!(
        func(&i, "add2").call(&[Val::I32(1), Val::I32(2)]),
        Ok(vec![Val::I32(3)])
    );
    assert_eq!(func(&i, "add2").type_id(), func(&p, "add").type_id());
    // The data segment went into the provider's memory.
    let (base, len) = memory_of(&p, "mem").data();
    assert_eq!(len, 65536);
    // SAFETY: the memory has at least two bytes.
    assert_eq!(unsafe { std::slice::from_raw_parts(base, 2) }, b"hi");
    // Growth through the importer is the owner's growth.
    let vmctx = i.0.get().vmctx();
    // SAFETY: the importer's live vmctx; memory 0 and table 0 exist.
    unsafe {
        assert_eq!(kiln_vm::libcalls::memory_grow(vmctx, 0, 1), 1);
        assert_eq!(kiln_vm::libcalls::memory_grow(vmctx, 0, 1), -1);
        assert_eq!(
            kiln_vm::libcalls::table_grow(vmctx, 0, 3, std::ptr::null_mut()),
            2
        );
    }
    assert_eq!(memory_of(&p, "mem").size(), 2);
    let Some(Extern::Table(tab)) = p.export("tab") else {
        panic!("tab")
    };
    assert_eq!(tab.size(), 5);
    assert_eq!(tab.get(4), Some(Val::FuncRef(0)));
    // Globals are shared storage.
    let (Some(Extern::Global(g)), Some(Extern::Global(g2))) = (p.export("g"), i.export("g2"))
    else {
        panic!("globals")
    };
    assert_eq!(g2.get(), Val::I32(42));
    g.set(Val::I32(7)).expect("mutable");
    assert_eq!(g2.get(), Val::I32(7));
    // The importer keeps the provider alive.
    drop((p, imports, g, tab));
    assert_eq!(memory_of(&i, "mem2").size(), 2);
    assert_eq!(
        func(&i, "add2").call(&[Val::I32(5), Val::I32(5)]),
        Ok(vec![Val::I32(10)])
    );
}

fn link_error(builder: ModuleBuilder, imports: &[Extern]) -> String {
    match instantiate(builder.module(), imports) {
        Err(Error::Link(m)) => m,
        Err(e) => panic!("not a link error: {e:?}"),
        Ok(_) => panic!("linked"),
    }
}

#[test]
fn mismatched_imports_are_link_errors() {
    let p = instantiate_provider();
    let imports = exports_of(&p, &["add", "mem", "tab", "g"]);
    // Memory: the provider has 1 page, 2 are required.
    let mut b = importer();
    b.memories[0] = memory(2, 2);
    let m = link_error(b, &imports);
    assert!(
        m.starts_with("incompatible import type for `p::mem`"),
        "{m}"
    );
    // Memory: a maximum is required, the provider's (2) is larger.
    let mut b = importer();
    b.memories[0] = memory(1, 1);
    assert!(link_error(b, &imports).contains("incompatible import type"));
    // Table: no maximum required is fine; a smaller one is not.
    let mut b = importer();
    b.tables[0] = table(1, u64::MAX, ref_null());
    assert!(instantiate(b.module(), &imports).is_ok());
    let mut b = importer();
    b.tables[0] = table(1, 5, ref_null());
    assert!(link_error(b, &imports).contains("`p::tab`"));
    // Global: mutability must match.
    let mut b = importer();
    b.globals[0].mutable = 0;
    assert!(link_error(b, &imports).contains("`p::g`"));
    let mut b = importer();
    b.globals[0].val_type = I64 as u32;
    assert!(link_error(b, &imports).contains("`p::g`"));
    // Function: type must be equal.
    let mut swapped = imports.clone();
    swapped[0] = p.export("trap").expect("trap");
    assert!(link_error(importer(), &swapped).contains("`p::add`"));
    // Kind and count.
    let mut wrong_kind = imports.clone();
    wrong_kind[0] = imports[1].clone();
    let m = link_error(importer(), &wrong_kind);
    assert!(m.contains("expected func, found memory"), "{m}");
    assert!(link_error(importer(), &imports[..3]).contains("expected 4 imports"));
}

#[test]
fn trapping_segment_keeps_earlier_ones_and_start_traps() {
    let p = instantiate_provider();
    let imports = exports_of(&p, &["add", "mem", "tab", "g"]);
    let mut b = importer();
    b.data = vec![
        (value(8), 0, SEGMENT_FLAG_ACTIVE, b"ab".to_vec()),
        (value(65535), 0, SEGMENT_FLAG_ACTIVE, b"zz".to_vec()),
    ];
    match instantiate(b.module(), &imports) {
        Err(Error::Trap(t)) => assert_eq!(t.code, Some(TrapCode::MemoryOutOfBounds)),
        other => panic!("{other:?}"),
    }
    let (base, _) = memory_of(&p, "mem").data();
    // SAFETY: the memory has at least ten bytes.
    assert_eq!(unsafe { std::slice::from_raw_parts(base.add(8), 2) }, b"ab");

    let mut b = provider();
    b.start = Some(1);
    match instantiate(b.module(), &[]) {
        Err(Error::Trap(t)) => {
            assert_eq!(t.code, Some(TrapCode::UnreachableCodeReached));
            assert_eq!(
                Error::Trap(t).to_string(),
                "wasm trap: wasm `unreachable` instruction executed"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn handles_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Instance>();
    check::<Func>();
    check::<Memory>();
    check::<Table>();
    check::<Global>();
    check::<Extern>();
}
