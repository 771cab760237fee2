//! Object-level tests: compile modules, read the object back with the
//! `object` crate and check symbols, relocations and descriptor contents.

use crate::{CompileError, Config, Grants, compile_module};
use core::mem::{offset_of, size_of};
use kiln_abi::descriptor::{
    DATA_FLAG_IN_IMAGE, DataDesc, FuncDesc, IMPORT_FLAG_HOST, ImportDesc, MemoryDesc,
    ModuleDescriptor, NO_INDEX, SEGMENT_FLAG_ACTIVE, Str,
};
use kiln_abi::grants::{EnvGrant, GrantsDescriptor};
use kiln_abi::tables::{SrcLoc, SrcLocTable, TrapSite, TrapTable};
use kiln_abi::trap::TrapCode;
use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget, SymbolKind};
use std::collections::BTreeMap;

mod init_refs;
mod inlined;

/// A module with no defined function: everything in it goes through this
/// crate's own path (trampolines, descriptor, image, grants).
const NO_BODIES: &str = r#"(module $demo
    (import "wasi_snapshot_preview1" "fd_write"
        (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1 3)
    (table 2 funcref)
    (elem (i32.const 1) $fd_write)
    (global (mut i64) (i64.const 42))
    (export "exit" (func $exit))
    (data (i32.const 8) "hello")
    (data "passive")
    (data (i32.const 0x20000) "out of bounds"))"#;

struct Obj {
    bytes: Vec<u8>,
}

impl Obj {
    fn compile(wat: &str, config: &Config) -> Obj {
        let wasm = wat::parse_str(wat).expect("test wat parses");
        Obj {
            bytes: compile_module(&wasm, config).expect("compiles"),
        }
    }

    fn file(&self) -> object::File<'_> {
        object::File::parse(&*self.bytes).expect("valid object")
    }

    /// Bytes of a defined symbol.
    fn symbol_bytes(&self, name: &str) -> Vec<u8> {
        let file = self.file();
        let sym = file.symbol_by_name(name).expect(name);
        let section = file
            .section_by_index(sym.section_index().expect("defined"))
            .expect("section");
        let data = section.data().expect("data");
        let start = (sym.address() - section.address()) as usize;
        data[start..start + sym.size() as usize].to_vec()
    }

    /// Relocations inside symbol `name`: offset in the symbol -> (target
    /// symbol, addend).
    fn relocs(&self, name: &str) -> BTreeMap<u64, (String, i64)> {
        let file = self.file();
        let sym = file.symbol_by_name(name).expect(name);
        let section = file
            .section_by_index(sym.section_index().expect("defined"))
            .expect("section");
        let lo = sym.address() - section.address();
        let hi = lo + sym.size();
        let mut out = BTreeMap::new();
        for (offset, reloc) in section.relocations() {
            if offset < lo || offset >= hi {
                continue;
            }
            let RelocationTarget::Symbol(idx) = reloc.target() else {
                panic!("relocation against a non-symbol");
            };
            let target = file.symbol_by_index(idx).expect("symbol");
            let target_name = if target.kind() == SymbolKind::Section {
                let s = file
                    .section_by_index(target.section_index().expect("section"))
                    .expect("section");
                s.name().expect("name").to_string()
            } else {
                target.name().expect("name").to_string()
            };
            out.insert(offset - lo, (target_name, reloc.addend()));
        }
        out
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

#[test]
fn module_without_bodies_compiles() {
    let obj = Obj::compile(NO_BODIES, &Config::default());
    let file = obj.file();
    assert_eq!(file.architecture(), object::Architecture::X86_64);

    // Only the three descriptors and the runner pointer are global
    // definitions.
    let globals: Vec<String> = file
        .symbols()
        .filter(|s| s.is_global() && s.is_definition())
        .map(|s| s.name().expect("name").to_string())
        .collect();
    assert_eq!(
        globals,
        [
            kiln_abi::symbols::MODULE,
            kiln_abi::symbols::GRANTS,
            kiln_abi::symbols::PROGRAM,
            kiln_abi::symbols::PROGRAM_RUNNER
        ]
    );
    // `main` calls the module runner: the only reference to it.
    assert_eq!(
        obj.relocs(kiln_abi::symbols::PROGRAM_RUNNER).get(&0),
        Some(&(kiln_abi::symbols::RUN_MODULE.to_string(), 0))
    );
    // The program descriptor says "module" and points at `__kiln_module`.
    {
        use kiln_abi::component::program::{PROGRAM_MODULE, ProgramDescriptor};
        let program = obj.symbol_bytes(kiln_abi::symbols::PROGRAM);
        assert_eq!(program.len(), size_of::<ProgramDescriptor>());
        assert_eq!(
            u32_at(&program, offset_of!(ProgramDescriptor, magic)),
            kiln_abi::MODULE_MAGIC
        );
        assert_eq!(
            u32_at(&program, offset_of!(ProgramDescriptor, abi_version)),
            kiln_abi::ABI_VERSION
        );
        assert_eq!(
            u32_at(&program, offset_of!(ProgramDescriptor, kind)),
            PROGRAM_MODULE
        );
        let relocs = obj.relocs(kiln_abi::symbols::PROGRAM);
        assert_eq!(
            relocs.get(&(offset_of!(ProgramDescriptor, root) as u64)),
            Some(&(kiln_abi::symbols::MODULE.to_string(), 0))
        );
        // The bounds of the code: local markers at the start and the end
        // of the one code section, which holds every function.
        assert_eq!(
            relocs.get(&(offset_of!(ProgramDescriptor, code_start) as u64)),
            Some(&(kiln_abi::symbols::CODE_START.to_string(), 0))
        );
        assert_eq!(
            relocs.get(&(offset_of!(ProgramDescriptor, code_end) as u64)),
            Some(&(kiln_abi::symbols::CODE_END.to_string(), 0))
        );
        let start = file
            .symbol_by_name(kiln_abi::symbols::CODE_START)
            .expect("code start");
        let end = file
            .symbol_by_name(kiln_abi::symbols::CODE_END)
            .expect("code end");
        assert!(start.is_local() && start.is_definition());
        assert!(end.is_local() && end.is_definition());
        let text = file.section_by_name(".text").expect("text");
        assert_eq!(start.section_index(), Some(text.index()));
        assert_eq!(end.section_index(), Some(text.index()));
        assert_eq!((start.address(), end.address()), (0, text.size()));
        assert!(text.size() > 0);
        assert_eq!(
            file.sections()
                .filter(|s| s.kind() == object::SectionKind::Text)
                .count(),
            1,
            "every function in one code section"
        );
    }
    for local in [
        "__kiln_host_call_0",
        "__kiln_host_call_1",
        "__kiln_array_call_1",
        "__kiln_desc_funcs",
        "__kiln_image_0",
    ] {
        let s = file.symbol_by_name(local).expect(local);
        assert!(s.is_local() && s.is_definition(), "{local}");
    }
    for undefined in [
        kiln_abi::symbols::abi_version_symbol(),
        "__kiln_p1_fd_write",
        "__kiln_p1_proc_exit",
        "__kiln_rt_memory_grow",
        "__kiln_rt_elem_drop",
    ] {
        let s = file.symbol_by_name(undefined).expect(undefined);
        assert!(s.is_undefined(), "{undefined}");
    }
    assert!(file.symbol_by_name("__kiln_p1_fd_read").is_none());

    // The root descriptor.
    let root = obj.symbol_bytes(kiln_abi::symbols::MODULE);
    assert_eq!(root.len(), size_of::<ModuleDescriptor>());
    let field = |off: usize| u32_at(&root, off);
    assert_eq!(
        field(offset_of!(ModuleDescriptor, magic)),
        kiln_abi::MODULE_MAGIC
    );
    assert_eq!(
        field(offset_of!(ModuleDescriptor, abi_version)),
        kiln_abi::ABI_VERSION
    );
    assert_eq!(field(offset_of!(ModuleDescriptor, num_funcs)), 2);
    assert_eq!(field(offset_of!(ModuleDescriptor, num_imported_funcs)), 2);
    assert_eq!(field(offset_of!(ModuleDescriptor, num_data)), 3);
    assert_eq!(field(offset_of!(ModuleDescriptor, num_imports)), 2);
    assert_eq!(field(offset_of!(ModuleDescriptor, num_exports)), 2);
    assert_eq!(field(offset_of!(ModuleDescriptor, start_func)), NO_INDEX);
    let info = crate::module::translate_module(
        &wat::parse_str(NO_BODIES).expect("wat"),
        &Config::default(),
    )
    .expect("valid");
    assert_eq!(
        field(offset_of!(ModuleDescriptor, vmctx_size)),
        kiln_abi::vmctx::VMOffsets::new(8, info.vm_counts()).size()
    );
    assert_eq!(
        u64_at(
            &root,
            offset_of!(ModuleDescriptor, name) + offset_of!(Str, len)
        ),
        4
    );
    let relocs = obj.relocs(kiln_abi::symbols::MODULE);
    let target = |off: usize| relocs.get(&(off as u64)).map(|(n, _)| n.as_str());
    assert_eq!(
        target(offset_of!(ModuleDescriptor, abi_anchor)),
        Some(kiln_abi::symbols::abi_version_symbol())
    );
    assert_eq!(
        target(offset_of!(ModuleDescriptor, funcs)),
        Some("__kiln_desc_funcs")
    );
    assert_eq!(
        target(offset_of!(ModuleDescriptor, types)),
        Some("__kiln_desc_types")
    );
    assert_eq!(
        target(offset_of!(ModuleDescriptor, data)),
        Some("__kiln_desc_data")
    );
    assert_eq!(
        target(offset_of!(ModuleDescriptor, imports)),
        Some("__kiln_desc_imports")
    );
    assert_eq!(
        target(offset_of!(ModuleDescriptor, name)),
        Some("__kiln_desc_strings")
    );
    // No element-less arrays point anywhere.
    assert_eq!(
        target(offset_of!(ModuleDescriptor, memories)),
        Some("__kiln_desc_memories")
    );

    // Functions: wasm_call = host-call trampoline, array_call only for the
    // exported one.
    let funcs = obj.relocs("__kiln_desc_funcs");
    let f = |i: usize, off: usize| {
        funcs
            .get(&((i * size_of::<FuncDesc>() + off) as u64))
            .map(|(n, _)| n.as_str())
    };
    assert_eq!(
        f(0, offset_of!(FuncDesc, wasm_call)),
        Some("__kiln_host_call_0")
    );
    assert_eq!(f(0, offset_of!(FuncDesc, array_call)), None);
    assert_eq!(
        f(1, offset_of!(FuncDesc, array_call)),
        Some("__kiln_array_call_1")
    );
    assert_eq!(
        f(1, offset_of!(FuncDesc, name)),
        Some("__kiln_desc_strings")
    );

    // Imports are host imports.
    let imports = obj.symbol_bytes("__kiln_desc_imports");
    for i in 0..2 {
        let flags = u32_at(
            &imports,
            i * size_of::<ImportDesc>() + offset_of!(ImportDesc, flags),
        );
        assert_eq!(flags, IMPORT_FLAG_HOST);
    }

    // Data: the first segment is folded into a one-page image, the passive
    // and the out-of-bounds ones keep their bytes.
    let data = obj.symbol_bytes("__kiln_desc_data");
    let flags = |i: usize| {
        u32_at(
            &data,
            i * size_of::<DataDesc>() + offset_of!(DataDesc, flags),
        )
    };
    assert_eq!(flags(0), SEGMENT_FLAG_ACTIVE | DATA_FLAG_IN_IMAGE);
    assert_eq!(flags(1), 0);
    assert_eq!(flags(2), SEGMENT_FLAG_ACTIVE);
    let data_relocs = obj.relocs("__kiln_desc_data");
    let bytes_at = |i: usize| (i * size_of::<DataDesc>() + offset_of!(DataDesc, bytes)) as u64;
    assert!(!data_relocs.contains_key(&bytes_at(0)));
    assert_eq!(
        data_relocs[&bytes_at(2)],
        ("__kiln_desc_data_bytes".to_string(), 7)
    );

    let mems = obj.symbol_bytes("__kiln_desc_memories");
    assert_eq!(u64_at(&mems, offset_of!(MemoryDesc, min_pages)), 1);
    assert_eq!(u64_at(&mems, offset_of!(MemoryDesc, max_pages)), 3);
    assert_eq!(u64_at(&mems, offset_of!(MemoryDesc, image_len)), 4096);
    assert_eq!(u64_at(&mems, offset_of!(MemoryDesc, image_offset)), 0);
    assert_eq!(u32_at(&mems, offset_of!(MemoryDesc, page_size_log2)), 16);
    let mem_relocs = obj.relocs("__kiln_desc_memories");
    assert_eq!(
        mem_relocs[&(offset_of!(MemoryDesc, image) as u64)].0,
        "__kiln_image_0"
    );

    // The image: page-aligned, in the read-only image section.
    let image = file.symbol_by_name("__kiln_image_0").expect("image");
    let section = file
        .section_by_index(image.section_index().expect("defined"))
        .expect("section");
    assert_eq!(section.name().expect("name"), crate::obj::IMAGE_SECTION);
    assert_eq!(section.align(), 4096);
    assert_eq!(image.address() % 4096, 0);
    assert_eq!(section.kind(), object::SectionKind::ReadOnlyData);
    let img = obj.symbol_bytes("__kiln_image_0");
    assert_eq!(img.len(), 4096);
    assert_eq!(&img[8..13], b"hello");
}

#[test]
fn grants_are_emitted() {
    let config = Config {
        grants: Grants {
            dirs: vec![(".".into(), "/".into())],
            envs: vec![("A".into(), Some("1".into())), ("HOME".into(), None)],
            flags: kiln_abi::grants::GRANT_FLAG_TCP,
            invoke: Some("run".into()),
            program: "demo.wasm".into(),
            limits: crate::Limits {
                max_memory_size: Some(1 << 20),
                timeout: Some(std::time::Duration::from_millis(1500)),
                ..Default::default()
            },
            serve_addr: None,
        },
        epoch_interruption: true,
        ..Config::default()
    };
    let obj = Obj::compile("(module)", &config);
    let root = obj.symbol_bytes(kiln_abi::symbols::GRANTS);
    assert_eq!(root.len(), size_of::<GrantsDescriptor>());
    let limits = offset_of!(GrantsDescriptor, limits);
    use kiln_abi::grants::{
        LIMIT_CODE_INTERRUPT, LIMIT_MAX_MEMORY_SIZE, LIMIT_TIMEOUT, LimitsDesc,
    };
    // The code has interruption checks, not fuel accounting.
    assert_eq!(
        u32_at(&root, limits + offset_of!(LimitsDesc, flags)),
        LIMIT_MAX_MEMORY_SIZE | LIMIT_TIMEOUT | LIMIT_CODE_INTERRUPT
    );
    assert_eq!(
        u64_at(&root, limits + offset_of!(LimitsDesc, max_memory_size)),
        1 << 20
    );
    assert_eq!(
        u64_at(&root, limits + offset_of!(LimitsDesc, timeout_ns)),
        1_500_000_000
    );
    assert_eq!(u64_at(&root, limits + offset_of!(LimitsDesc, fuel)), 0);
    assert_eq!(
        u32_at(&root, offset_of!(GrantsDescriptor, magic)),
        kiln_abi::GRANTS_MAGIC
    );
    assert_eq!(u32_at(&root, offset_of!(GrantsDescriptor, num_dirs)), 1);
    assert_eq!(u32_at(&root, offset_of!(GrantsDescriptor, num_envs)), 2);
    assert_eq!(
        u64_at(
            &root,
            offset_of!(GrantsDescriptor, program) + offset_of!(Str, len)
        ),
        9
    );
    let relocs = obj.relocs(kiln_abi::symbols::GRANTS);
    assert_eq!(
        relocs[&(offset_of!(GrantsDescriptor, dirs) as u64)].0,
        "__kiln_desc_grant_dirs"
    );
    let envs = obj.symbol_bytes("__kiln_desc_grant_envs");
    let has_value = |i: usize| {
        u32_at(
            &envs,
            i * size_of::<EnvGrant>() + offset_of!(EnvGrant, has_value),
        )
    };
    assert_eq!((has_value(0), has_value(1)), (1, 0));
    // An empty module still has a complete descriptor.
    let module = obj.symbol_bytes(kiln_abi::symbols::MODULE);
    assert_eq!(u32_at(&module, offset_of!(ModuleDescriptor, num_funcs)), 0);
}

#[test]
fn output_is_deterministic() {
    let wasm = wat::parse_str(NO_BODIES).expect("wat");
    let config = Config::default();
    let a = compile_module(&wasm, &config).expect("compiles");
    let b = compile_module(&wasm, &config).expect("compiles");
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let c = one_thread
        .install(|| compile_module(&wasm, &config))
        .expect("compiles");
    assert!(a == b && b == c, "same input must give identical objects");
}

#[test]
fn errors_are_reported_not_panics() {
    let err = compile_module(b"\0asm\x01\0\0\0\x05\x03\x01\x00", &Config::default())
        .expect_err("truncated");
    assert!(matches!(err, CompileError::Invalid { .. }), "{err}");
    let gc = wat::parse_str("(module (func (drop (ref.i31 (i32.const 0)))))").expect("wat");
    let err = compile_module(&gc, &Config::default()).expect_err("gc");
    assert!(matches!(&err, CompileError::Unsupported { feature, .. } if feature == "gc"));
    let config = Config {
        target: Some("aarch64-apple-darwin".into()),
        ..Config::default()
    };
    let err =
        compile_module(&wat::parse_str("(module)").expect("wat"), &config).expect_err("target");
    assert!(matches!(err, CompileError::Target(_)), "{err}");
}

#[test]
#[ignore = "debug helper: writes objects into the directory $KILN_DUMP"]
fn dump_object() {
    if let Ok(dir) = std::env::var("KILN_DUMP") {
        for (name, wat) in [("no_bodies.o", NO_BODIES), ("hello.o", HELLO)] {
            let obj = Obj::compile(wat, &Config::default());
            std::fs::write(std::path::Path::new(&dir).join(name), &obj.bytes).expect("write");
        }
    }
}

/// A small program with bodies: needs the function translator.
const HELLO: &str = r#"(module $hello
    (import "wasi_snapshot_preview1" "fd_write"
        (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "hello, world\n")
    (global $count (mut i32) (i32.const 0))
    (table 1 funcref)
    (elem (i32.const 0) $add)
    (type $binop (func (param i32 i32) (result i32)))
    (func $add (param i32 i32) (result i32)
        (i32.add (local.get 0) (local.get 1)))
    (func $div (export "div") (param i32 i32) (result i32)
        (i32.div_s (local.get 0) (local.get 1)))
    (func $main (export "_start")
        (i32.store (i32.const 0) (i32.const 16))
        (i32.store (i32.const 4) (i32.const 13))
        (global.set $count
            (call_indirect (type $binop) (global.get $count) (i32.const 1) (i32.const 0)))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

#[test]
fn module_with_bodies_compiles() {
    let obj = Obj::compile(HELLO, &Config::default());
    let file = obj.file();
    // Functions take their name-section names; a trampoline keeps its own.
    for name in ["add", "div", "main", "__kiln_array_call_3"] {
        let s = file.symbol_by_name(name).expect(name);
        assert!(s.is_local() && s.is_definition() && s.size() > 0, "{name}");
    }
    assert!(file.symbol_by_name("__kiln_func_2").is_none());
    let funcs = obj.symbol_bytes("__kiln_desc_funcs");
    let field32 = |i: usize, off: usize| u32_at(&funcs, i * size_of::<FuncDesc>() + off);
    let field64 = |i: usize, off: usize| u64_at(&funcs, i * size_of::<FuncDesc>() + off);
    // `div` traps on division by zero and overflow; its code length is the
    // symbol's size; its source map points into its body.
    let div = file.symbol_by_name("div").expect("div");
    assert_eq!(field64(2, offset_of!(FuncDesc, code_len)), div.size());
    assert!(field32(2, offset_of!(FuncDesc, traps_len)) >= 1);
    assert!(field32(2, offset_of!(FuncDesc, srclocs_len)) >= 1);
    let body_start = field32(2, offset_of!(FuncDesc, wasm_offset));
    assert!(body_start > 0);
    assert_eq!(field64(0, offset_of!(FuncDesc, code_len)), 0);
    let relocs = obj.relocs("__kiln_desc_funcs");
    let name_of = |i: usize, off: usize| {
        relocs
            .get(&((i * size_of::<FuncDesc>() + off) as u64))
            .map(|(n, _)| n.clone())
    };
    assert_eq!(
        name_of(2, offset_of!(FuncDesc, traps)).as_deref(),
        Some("__kiln_desc_traps")
    );
    assert_eq!(
        name_of(3, offset_of!(FuncDesc, array_call)).as_deref(),
        Some("__kiln_array_call_3")
    );

    let wasm = wat::parse_str(HELLO).expect("wat");
    assert_eq!(
        compile_module(&wasm, &Config::default()).expect("compiles"),
        obj.bytes,
        "deterministic with bodies"
    );
}

/// The runtime's code registry binary-searches a module's function array
/// by body address (`kiln_vm::traps::registry`): defined functions' bodies
/// must lie in index order, one after another, in the one code section.
#[test]
fn bodies_lie_in_index_order() {
    let mut wat = String::from(
        "(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func (param i32))) (table 1 funcref)",
    );
    for i in 0..40 {
        // Bodies of different sizes, with calls and traps between them.
        wat.push_str(&format!(
            "(func (export \"f{i}\") (param i32) (result i32) \
             (if (i32.eqz (local.get 0)) (then unreachable)) \
             (i32.mul (local.get 0) (i32.const {i})) {})",
            "(drop (i32.const 1)) ".repeat(i % 7)
        ));
    }
    wat.push(')');
    let obj = Obj::compile(&wat, &Config::default());
    let file = obj.file();
    let mut previous_end = 0;
    for i in 1..=40 {
        let s = file
            .symbol_by_name(&format!("__kiln_func_{i}"))
            .expect("defined function");
        assert!(
            s.address() >= previous_end,
            "function {i} at {:#x} is before the end of function {} ({previous_end:#x})",
            s.address(),
            i - 1
        );
        previous_end = s.address() + s.size();
    }
}

/// Wasm functions without loops start at the ISA's preferred alignment (32
/// bytes on x86-64, as Wasmtime places them), whatever the sizes before
/// them.
#[test]
#[cfg(target_arch = "x86_64")]
fn bodies_are_aligned() {
    let mut wat = String::from("(module");
    for i in 0..12 {
        wat.push_str(&format!(
            "(func (export \"f{i}\") (param i32) (result i32) (i32.add (local.get 0) (i32.const {i})) {})",
            "(drop (i32.const 1)) ".repeat(i % 5)
        ));
    }
    wat.push(')');
    let obj = Obj::compile(&wat, &Config::default());
    let file = obj.file();
    for i in 0..12 {
        let s = file
            .symbol_by_name(&format!("__kiln_func_{i}"))
            .expect("defined function");
        let section = file
            .section_by_index(s.section_index().expect("defined"))
            .expect("section");
        assert!(
            section.align() >= 32,
            "section aligned to {}",
            section.align()
        );
        assert_eq!(s.address() % 32, 0, "function {i} at {:#x}", s.address());
    }
}

/// A function with loops starts where they touch the fewest 64-byte
/// windows, then where the first header lies nearest a window's start,
/// within its required alignment, the gap before it added to the function
/// before; others keep their preferred alignment; the first of a batch is
/// not moved.
#[test]
fn loops_are_placed_in_windows() {
    use super::{HotLoop, LOOP_ALIGN, Shape, place_loops};
    let one = |head, len| {
        vec![HotLoop {
            head,
            ranges: vec![(head, head + len)],
        }]
    };
    let (a, b, c, d) = (one(40, 20), one(40, 20), one(23, 10), one(5, 4));
    // Two loops: the first, 10..40, must not be split for the second,
    // 100..110, to start a window.
    let two = [
        HotLoop {
            head: 10,
            ranges: vec![(10, 40)],
        },
        HotLoop {
            head: 100,
            ranges: vec![(100, 110)],
        },
    ];
    let shape = |alignment, min_alignment, loops, len| Shape {
        alignment,
        min_alignment,
        loops,
        len,
    };
    let funcs = [
        shape(32, 1, &a[..], 100),
        shape(32, 1, &b[..], 70),
        shape(32, 1, &[][..], 10),
        shape(32, 16, &c[..], 200),
        shape(128, 128, &d[..], 8),
        shape(32, 1, &two[..], 120),
    ];
    let starts = place_loops(&funcs, 1000);
    assert_eq!(starts[0], (32, 0), "the first is not moved");
    let mut end = 1000u64;
    let mut at = Vec::new();
    for (f, &(align, pad)) in funcs.iter().zip(&starts) {
        let start = (end + pad).next_multiple_of(align);
        assert!(pad < LOOP_ALIGN, "pad {pad}");
        at.push(start);
        end = start + f.len;
    }
    assert_eq!(at[0], 1024);
    assert_eq!((at[1] + 40) % LOOP_ALIGN, 0, "header at a window: {at:?}");
    assert_eq!(at[2] % 32, 0, "no loop: preferred alignment");
    assert_eq!(at[3] % 16, 0, "required alignment kept");
    assert_eq!((at[3] + 23) % LOOP_ALIGN, 7, "nearest a window: {at:?}");
    assert_eq!(at[4] % 128, 0, "alignment above a window: plain");
    let w = |x: u64| (at[5] + x) / LOOP_ALIGN;
    assert_eq!(w(10), w(39), "first loop in one window: {at:?}");
    assert_eq!(w(100), w(109), "second loop in one window: {at:?}");
    assert_eq!(
        (at[5] + 10) % LOOP_ALIGN,
        0,
        "then the first header at a window"
    );
}

/// End to end: loop functions after straight ones of odd sizes have a
/// backward jump (their loop's) to a 64-byte window's start.
#[test]
#[cfg(target_arch = "x86_64")]
fn compiled_loops_start_windows() {
    let mut wat = String::from("(module (memory 1)");
    for i in 0..6 {
        wat.push_str(&format!(
            "(func (param i32) (result i32) {} (local.get 0))",
            "(i32.store (i32.const 8) (local.get 0)) ".repeat(i + 1)
        ));
        wat.push_str(&format!(
            r#"(func (export "sum{i}") (param i32) (result i32) (local i32)
              (block (loop
                (br_if 1 (i32.eqz (local.get 0)))
                (local.set 1 (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const {i}))))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br 0)))
              (local.get 1))"#
        ));
    }
    wat.push(')');
    let obj = Obj::compile(&wat, &Config::default());
    let file = obj.file();
    let text = file.section_by_name(".text").expect("code section");
    let code = text.data().expect("code");
    for i in 0..6 {
        let s = file
            .symbol_by_name(&format!("__kiln_func_{}", 2 * i + 1))
            .expect("defined function");
        let start = (s.address() - text.address()) as usize;
        let body = &code[start..start + s.size() as usize];
        // Backward `jmp rel8`/`rel32` targets inside the function.
        let targets: Vec<usize> = (0..body.len())
            .filter_map(|at| {
                let (len, disp) = match body[at] {
                    0xeb => (2, i64::from(*body.get(at + 1)? as i8)),
                    0xe9 => {
                        let b: [u8; 4] = body.get(at + 1..at + 5)?.try_into().ok()?;
                        (5, i64::from(i32::from_le_bytes(b)))
                    }
                    _ => return None,
                };
                let target = at as i64 + len + disp;
                (disp < 0 && target >= 0).then_some(start + target as usize)
            })
            .collect();
        assert!(
            targets
                .iter()
                .any(|t| (text.address() as usize + t).is_multiple_of(64)),
            "sum{i} at {:#x}: no loop jump to a window start ({targets:x?})",
            s.address()
        );
    }
}

/// Every single-byte corruption of a valid module is rejected or compiled,
/// never a panic (a cheap stand-in for fuzzing this crate's phases).
#[test]
fn corrupted_modules_do_not_panic() {
    let wasm = wat::parse_str(HELLO).expect("wat");
    let full = std::env::var_os("KILN_TEST_FULL_MUTATION").is_some();
    for i in 0..wasm.len() {
        for delta in [1u8, 0x40, 0x80] {
            let mut bad = wasm.clone();
            bad[i] = bad[i].wrapping_add(delta);
            let result = std::panic::catch_unwind(|| {
                let info = crate::module::translate_module(&bad, &Config::default());
                if full && info.is_ok() {
                    // The whole compile of what phase 1 accepted.
                    let _ = compile_module(&bad, &Config::default());
                }
            });
            assert!(result.is_ok(), "panic with byte {i} += {delta:#x}");
        }
    }
}

/// Names the runtime prints verbatim: demangled the way Wasmtime does.
const NAMED: &str = r#"(module
    (func $_ZN4core9panicking5panic17h0123456789abcdefE (param i32) (result i32)
        (i32.div_u (i32.const 7) (local.get 0)))
    (func $_Z3addii)
    (func $f)
    (func $main)
    (func (export "_start")))"#;

impl Obj {
    /// The `FuncDesc` array and its relocations.
    fn func_descs(&self) -> (Vec<u8>, BTreeMap<u64, (String, i64)>) {
        (
            self.symbol_bytes("__kiln_desc_funcs"),
            self.relocs("__kiln_desc_funcs"),
        )
    }

    /// The name stored in `FuncDesc` `i`, if any.
    fn func_name(&self, i: usize) -> Option<String> {
        let (funcs, relocs) = self.func_descs();
        let at = i * size_of::<FuncDesc>() + offset_of!(FuncDesc, name);
        let (pool, start) = relocs.get(&(at as u64))?;
        assert_eq!(pool, "__kiln_desc_strings");
        let len = u64_at(&funcs, at + offset_of!(Str, len)) as usize;
        let strings = self.symbol_bytes(pool);
        let start = *start as usize;
        Some(String::from_utf8(strings[start..start + len].to_vec()).expect("utf-8"))
    }

    /// The encoded table at `FuncDesc` `i`'s `addr_field`, `len_field`
    /// bytes long, which must be in pool `pool` (empty if none).
    fn func_table(&self, i: usize, addr_field: usize, len_field: usize, pool: &str) -> Vec<u8> {
        let (funcs, relocs) = self.func_descs();
        let base = i * size_of::<FuncDesc>();
        let len = u32_at(&funcs, base + len_field) as usize;
        let Some((name, start)) = relocs.get(&((base + addr_field) as u64)) else {
            assert_eq!(len, 0);
            return Vec::new();
        };
        assert_eq!(name, pool);
        let start = *start as usize;
        self.symbol_bytes(pool)[start..start + len].to_vec()
    }

    /// The encoded source map of `FuncDesc` `i` and its base.
    fn func_srcloc_bytes(&self, i: usize) -> (Vec<u8>, u32) {
        let (funcs, _) = self.func_descs();
        let base = u32_at(
            &funcs,
            i * size_of::<FuncDesc>() + offset_of!(FuncDesc, wasm_offset),
        );
        let bytes = self.func_table(
            i,
            offset_of!(FuncDesc, srclocs),
            offset_of!(FuncDesc, srclocs_len),
            "__kiln_desc_srclocs",
        );
        (bytes, base)
    }

    /// The decoded source map of `FuncDesc` `i`.
    fn func_srclocs(&self, i: usize) -> Vec<SrcLoc> {
        let (bytes, base) = self.func_srcloc_bytes(i);
        SrcLocTable::new(&bytes, base).iter().collect()
    }

    /// What the runtime finds for native `offset` of `FuncDesc` `i`.
    fn wasm_offset_at(&self, i: usize, offset: u32) -> Option<u32> {
        let (bytes, base) = self.func_srcloc_bytes(i);
        SrcLocTable::new(&bytes, base).wasm_offset_at(offset)
    }

    /// The decoded trap table of `FuncDesc` `i`.
    fn func_traps(&self, i: usize) -> Vec<TrapSite> {
        let bytes = self.func_table(
            i,
            offset_of!(FuncDesc, traps),
            offset_of!(FuncDesc, traps_len),
            "__kiln_desc_traps",
        );
        TrapTable::new(&bytes).iter().collect()
    }
}

#[test]
fn function_names_are_stored_demangled() {
    let obj = Obj::compile(NAMED, &Config::default());
    assert_eq!(
        obj.func_name(0).as_deref(),
        Some("core::panicking::panic::h0123456789abcdef")
    );
    assert_eq!(obj.func_name(1).as_deref(), Some("add(int, int)"));
    // Wasmtime's C++ demangler reads a bare `f` as the type `float`.
    assert_eq!(obj.func_name(2).as_deref(), Some("float"));
    assert_eq!(obj.func_name(3).as_deref(), Some("main"));
    assert_eq!(obj.func_name(4), None);
}

/// Each function's symbol is its name-section name, mangled names as they
/// are (for `nm -C`, gdb and perf to demangle); an unnamed function keeps
/// `__kiln_func_<N>`; a name taken already (by another function or by a
/// symbol of the object) gets a clone suffix.
#[test]
fn function_symbols_take_their_names() {
    let obj = Obj::compile(NAMED, &Config::default());
    let file = obj.file();
    for name in [
        "_ZN4core9panicking5panic17h0123456789abcdefE",
        "_Z3addii",
        "f",
        "main",
        "__kiln_func_4",
    ] {
        let s = file.symbol_by_name(name).expect(name);
        assert!(s.is_local() && s.is_definition(), "{name}");
    }
    let dup = r#"(module
        (func (@name "twice"))
        (func (@name "twice"))
        (func (@name "__kiln_program"))
        (func (export "_start")))"#;
    let obj = Obj::compile(dup, &Config::default());
    let file = obj.file();
    for name in ["twice", "twice.1", "__kiln_program.1", "__kiln_func_3"] {
        let s = file.symbol_by_name(name).expect(name);
        assert!(s.is_local() && s.is_definition(), "{name}");
    }
    // The program's descriptor is still the one `__kiln_program`.
    let program = file.symbol_by_name("__kiln_program").expect("descriptor");
    assert!(program.is_definition() && program.kind() == object::SymbolKind::Data);
}

/// The source map answers at trap sites: no offset in the prologue (the
/// stack-limit check), the instruction's offset in the body; and it keeps
/// only changes.
#[test]
fn trap_sites_map_to_their_wasm_instruction() {
    let wasm = wat::parse_str(NAMED).expect("wat");
    let info = crate::module::translate_module(&wasm, &Config::default()).expect("valid");
    let body = info.bodies[crate::module::DefinedFuncIndex::from_u32(0)].clone();
    let obj = Obj::compile(NAMED, &Config::default());
    let traps = obj.func_traps(0);
    let div_by_zero = TrapCode::IntegerDivisionByZero as u32;
    let div = traps
        .iter()
        .find(|t| t.code == div_by_zero)
        .expect("div_u traps");
    let at = obj
        .wasm_offset_at(0, div.offset)
        .expect("div_u has a location");
    assert!(body.contains(&(at as usize)), "{at:#x} in {body:x?}");
    // i32.div_u
    assert_eq!(wasm[at as usize], 0x6e);
    for t in traps
        .iter()
        .filter(|t| t.code == TrapCode::StackOverflow as u32)
    {
        assert_eq!(obj.wasm_offset_at(0, t.offset), None, "{traps:x?}");
    }
    let map = obj.func_srclocs(0);
    assert!(
        map.windows(2).all(
            |w| w[0].native_offset < w[1].native_offset && w[0].wasm_offset != w[1].wasm_offset
        ),
        "{map:x?}"
    );
}

/// The source map answers at `return address - 1` of every call (where
/// backtraces look a caller frame up): the wasm `call` instruction.
#[test]
fn calls_map_to_their_wasm_instruction() {
    let wat = r#"(module
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (func $leaf (param i32) (result i32) (local.get 0))
        (func $main (param i32) (result i32)
            (drop (call $leaf (i32.const 1)))
            (call $exit (i32.const 3))
            (i32.add (call $leaf (local.get 0)) (call $leaf (i32.const 2)))))"#;
    let wasm = wat::parse_str(wat).expect("wat");
    // Without inlining, which would leave no call of `$leaf`.
    let config = Config {
        opt_level: crate::OptLevel::SpeedAndSize,
        ..Config::default()
    };
    let obj = Obj::compile(wat, &config);
    let calls: Vec<u64> = obj
        .relocs("main")
        .into_iter()
        // `call rel32` (addend -4); the host function's address is loaded
        // with `movabs` (addend 0) and called through a register.
        .filter(|(_, (target, addend))| target == "leaf" && *addend == -4)
        .map(|(offset, _)| offset)
        .collect();
    assert_eq!(calls.len(), 3, "{:?}", obj.relocs("main"));
    let mut seen = Vec::new();
    for reloc in calls {
        // `call rel32`: the displacement is the last 4 bytes.
        let last_byte = reloc as u32 + 3;
        let at = obj
            .wasm_offset_at(2, last_byte)
            .expect("a call has a location");
        // `call`
        assert_eq!(wasm[at as usize], 0x10, "at {at:#x}");
        seen.push(at);
    }
    seen.dedup();
    assert_eq!(seen.len(), 3, "{seen:x?}");
}

/// Trap sites are the first byte of the faulting instruction (the signal
/// handler looks the faulting pc up exactly).
#[test]
fn trap_sites_start_at_the_faulting_instruction() {
    let wat = r#"(module
        (memory 1)
        (func (param i32) (result i32) (i32.load offset=4 (local.get 0)))
        (func (unreachable)))"#;
    let obj = Obj::compile(wat, &Config::default());
    let traps_of = |i: usize| -> Vec<(u32, u32)> {
        obj.func_traps(i)
            .iter()
            .map(|t| (t.offset, t.code))
            .collect()
    };
    let oob = TrapCode::MemoryOutOfBounds as u32;
    let load = obj.symbol_bytes("__kiln_func_0");
    let (offset, _) = *traps_of(0)
        .iter()
        .find(|(_, code)| *code == oob)
        .expect("the load has a trap site");
    // `mov r32, [mem]`: opcode 0x8b, maybe after a REX prefix.
    let at = &load[offset as usize..];
    let opcode = if (0x40..=0x4f).contains(&at[0]) {
        at[1]
    } else {
        at[0]
    };
    assert_eq!(opcode, 0x8b, "{:02x?}", &at[..at.len().min(8)]);

    let unreachable = obj.symbol_bytes("__kiln_func_1");
    let ud2 = traps_of(1)
        .iter()
        .find(|(_, code)| *code == TrapCode::UnreachableCodeReached as u32)
        .map(|(offset, _)| *offset as usize)
        .expect("unreachable has a trap site");
    assert_eq!(&unreachable[ud2..ud2 + 2], &[0x0f, 0x0b]);
}

/// Measures a compile: `KILN_TIME_WASM=path cargo test --release -p
/// kiln-compiler --lib -- --ignored --nocapture time_compile`.
#[test]
#[ignore = "measurement helper: compiles $KILN_TIME_WASM and prints timings"]
fn time_compile() {
    let Some(path) = std::env::var_os("KILN_TIME_WASM") else {
        return;
    };
    let wasm = std::fs::read(&path).expect("read $KILN_TIME_WASM");
    let (_, timings) = crate::compile_module_timed(&wasm, &Config::default()).expect("compiles");
    eprintln!("{} bytes of wasm\n{timings}", wasm.len());
}

#[test]
fn linked_imports_are_slots_without_code() {
    let config = Config {
        imports: crate::ImportPolicy::Linked,
        ..Config::default()
    };
    let obj = Obj::compile(
        r#"(module
            (import "env" "f" (func $f (param i32) (result i32)))
            (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
            (import "env" "mem" (memory 1 2))
            (import "env" "tab" (table 1 funcref))
            (import "env" "g" (global (mut i32)))
            (export "f" (func $f))
            (func (export "call_f") (param i32) (result i32) (call $f (local.get 0)))
            (func (export "grow") (result i32) (memory.grow (i32.const 1)))
            (func (export "get") (result i32) (global.get 0))
            (elem (i32.const 0) $f)
            (data (i32.const 0) "x"))"#,
        &config,
    );
    let file = obj.file();
    for sym in file.symbols() {
        let name = sym.name().unwrap_or("");
        assert!(
            !name.starts_with(kiln_abi::symbols::HOST_CALL_PREFIX)
                && !name.starts_with(kiln_abi::symbols::WASI_P1_PREFIX),
            "{name}"
        );
    }
    // Imported functions: no code and no array-call entry (the runtime
    // calls the provider); defined ones have both.
    let (_, relocs) = obj.func_descs();
    let field = |i: usize, off: usize| (i * size_of::<FuncDesc>() + off) as u64;
    for i in 0..2 {
        assert!(!relocs.contains_key(&field(i, offset_of!(FuncDesc, wasm_call))));
        assert!(!relocs.contains_key(&field(i, offset_of!(FuncDesc, array_call))));
    }
    assert!(relocs.contains_key(&field(2, offset_of!(FuncDesc, wasm_call))));
    assert!(relocs.contains_key(&field(2, offset_of!(FuncDesc, array_call))));
    let m = obj.symbol_bytes(kiln_abi::symbols::MODULE);
    let count = |off: usize| u32_at(&m, off);
    assert_eq!(count(offset_of!(ModuleDescriptor, num_imported_funcs)), 2);
    assert_eq!(
        count(offset_of!(ModuleDescriptor, num_imported_memories)),
        1
    );
    assert_eq!(count(offset_of!(ModuleDescriptor, num_memories)), 1);
    assert_eq!(count(offset_of!(ModuleDescriptor, num_imported_tables)), 1);
    assert_eq!(count(offset_of!(ModuleDescriptor, num_imported_globals)), 1);
    assert_eq!(count(offset_of!(ModuleDescriptor, num_imports)), 5);
    // No import is bound to the host, and the data segment into the
    // imported memory is applied at instantiation, not folded into an image.
    let imports = obj.symbol_bytes("__kiln_desc_imports");
    for i in 0..5 {
        let flags = u32_at(
            &imports,
            i * size_of::<ImportDesc>() + offset_of!(ImportDesc, flags),
        );
        assert_eq!(flags & IMPORT_FLAG_HOST, 0);
    }
    let data = obj.symbol_bytes("__kiln_desc_data");
    assert_eq!(
        u32_at(&data, offset_of!(DataDesc, flags)) & DATA_FLAG_IN_IMAGE,
        0
    );
    let mems = obj.symbol_bytes("__kiln_desc_memories");
    assert_eq!(u64_at(&mems, offset_of!(MemoryDesc, max_pages)), 2);
}

#[test]
fn wasi_policy_still_rejects_other_imports() {
    let wasm = wat::parse_str(r#"(module (import "env" "mem" (memory 1)))"#).expect("wat");
    assert!(matches!(
        compile_module(&wasm, &Config::default()),
        Err(CompileError::UnknownImport { .. })
    ));
}

/// The function records hold self-relative addresses: 64-bit PC-relative
/// relocations the linker resolves, so a position-independent executable
/// applies none of them at start-up (on RISC-V, `ADD64`/`SUB64` pairs; on
/// Windows, image-relative addresses).
#[test]
fn function_records_need_no_startup_relocation() {
    use object::RelocationFlags;
    use object::{elf, pe};
    let wat = r#"(module
        (func $div (export "div") (param i32 i32) (result i32)
            (i32.div_s (local.get 0) (local.get 1)))
        (func $f (export "f") (result i32) (call $div (i32.const 6) (i32.const 3))))"#;
    for (target, expected) in [
        ("x86_64-unknown-linux-musl", vec![elf::R_X86_64_PC64]),
        ("aarch64-unknown-linux-musl", vec![elf::R_AARCH64_PREL64]),
        ("s390x-unknown-linux-musl", vec![elf::R_390_PC64]),
        (
            "riscv64gc-unknown-linux-musl",
            vec![elf::R_RISCV_ADD64, elf::R_RISCV_SUB64],
        ),
        (
            "x86_64-pc-windows-gnu",
            vec![u32::from(pe::IMAGE_REL_AMD64_ADDR32NB)],
        ),
    ] {
        let config = Config {
            target: Some(target.into()),
            ..Config::default()
        };
        let obj = Obj::compile(wat, &config);
        let file = obj.file();
        let sym = file.symbol_by_name("__kiln_desc_funcs").expect("funcs");
        let section = file
            .section_by_index(sym.section_index().expect("defined"))
            .expect("section");
        let lo = sym.address() - section.address();
        // COFF symbols have no size: two functions' records.
        let size = match sym.size() {
            0 => 2 * size_of::<kiln_abi::descriptor::FuncDesc>() as u64,
            n => n,
        };
        let mut per_offset: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        for (offset, reloc) in section.relocations() {
            if (lo..lo + size).contains(&offset) {
                let r_type = match reloc.flags() {
                    RelocationFlags::Elf { r_type } => r_type,
                    RelocationFlags::Coff { typ } => u32::from(typ),
                    other => panic!("{target}: {other:?}"),
                };
                per_offset.entry(offset - lo).or_default().push(r_type);
            }
        }
        // wasm_call, array_call and name of both functions, and the trap
        // table and source map of at least `div`.
        assert!(per_offset.len() >= 6, "{target}: {per_offset:?}");
        for (offset, types) in &per_offset {
            assert_eq!(types, &expected, "{target}: field at {offset}");
        }
    }
}

/// A Windows object is COFF, and its code reaches everything (other wasm
/// functions, libcalls, WASI host functions) PC-relatively: no GOT (COFF
/// has none) and no absolute address in the code for the loader to fix.
#[test]
fn windows_code_is_coff_and_position_independent_without_a_got() {
    use object::RelocationFlags;
    use object::pe;
    let wat = r#"(module
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory 1)
        (func $grow (export "grow") (result i32) (memory.grow (i32.const 1)))
        (func (export "_start") (drop (call $grow)) (call $exit (i32.const 3))))"#;
    let config = Config {
        target: Some("x86_64-pc-windows-gnu".into()),
        ..Config::default()
    };
    let obj = Obj::compile(wat, &config);
    let file = obj.file();
    assert_eq!(file.format(), object::BinaryFormat::Coff);
    assert_eq!(file.architecture(), object::Architecture::X86_64);
    let text = file.section_by_name(".text").expect(".text");
    let mut kinds = std::collections::BTreeSet::new();
    for (_, reloc) in text.relocations() {
        let RelocationFlags::Coff { typ } = reloc.flags() else {
            panic!("not a COFF relocation: {reloc:?}");
        };
        kinds.insert(typ);
    }
    assert!(!kinds.is_empty(), "the calls are relocated");
    assert_eq!(
        kinds,
        [pe::IMAGE_REL_AMD64_REL32].into_iter().collect(),
        "only PC-relative relocations in the code"
    );
    // Every section's alignment fits COFF's (at most 8 KiB).
    for section in file.sections() {
        assert!(section.align() <= 8192, "{:?}", section.name());
    }
}

/// A program's core module carries its signature ids: the distinct types
/// numbered from 1 in order of first appearance, equal types sharing one;
/// none when a type has a precise reference type (the runtime interns those).
#[test]
fn program_modules_carry_signature_ids() {
    let obj = Obj::compile(
        r#"(module
            (type (func (param i32) (result i32)))
            (type (func))
            (type (func (param i32) (result i32)))
            (type (func (param i64)))
            (type (func)))"#,
        &Config::default(),
    );
    let ids = obj.symbol_bytes("__kiln_desc_type_ids");
    let ids: Vec<u32> = ids
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    assert_eq!(ids, [1, 2, 1, 3, 2]);
    let relocs = obj.relocs(kiln_abi::symbols::MODULE);
    assert_eq!(
        relocs
            .get(&(offset_of!(ModuleDescriptor, type_ids) as u64))
            .map(|(n, _)| n.as_str()),
        Some("__kiln_desc_type_ids")
    );
    let precise = Obj::compile(
        r#"(module
            (type $f (func (param i32)))
            (type (func (param (ref $f)))))"#,
        &Config::default(),
    );
    assert!(
        !precise
            .relocs(kiln_abi::symbols::MODULE)
            .contains_key(&(offset_of!(ModuleDescriptor, type_ids) as u64))
    );
}

/// The descriptor lists the defined functions a reference can name
/// (exported, start, in an element segment, in a global's initializer), in
/// ascending order, and says the bodies lie in index order.
#[test]
fn descriptor_lists_escaping_functions() {
    let obj = Obj::compile(
        r#"(module
            (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
            (table 2 funcref)
            (func $hidden)
            (func $in_elem)
            (func $exported (export "e"))
            (func $in_global)
            (func $start)
            (global funcref (ref.func $in_global))
            (elem (i32.const 0) $in_elem $exit)
            (start $start))"#,
        &Config::default(),
    );
    let bytes = obj.symbol_bytes("__kiln_desc_escaping");
    let escaping: Vec<u32> = (0..bytes.len() / 4)
        .map(|i| u32_at(&bytes, i * 4))
        .collect();
    assert_eq!(escaping, [2, 3, 4, 5], "not the import, not $hidden");
    let module = obj.symbol_bytes(kiln_abi::symbols::MODULE);
    assert_eq!(
        u32_at(&module, offset_of!(ModuleDescriptor, num_escaping)),
        4
    );
    let flags = u32_at(&module, offset_of!(ModuleDescriptor, flags));
    assert_ne!(flags & kiln_abi::descriptor::MODULE_FLAG_CODE_IN_ORDER, 0);
}

/// The program descriptor names the second tier's features and flag only
/// when some function got a second body (`pipeline::tiers`); the function
/// starts with a test of the flag.
#[test]
fn program_descriptor_names_the_tier_when_used() {
    use kiln_abi::component::program::ProgramDescriptor;
    let rotates = "(local.set 0 (i32.rotl (local.get 0) (i32.const 5)))".repeat(6);
    let tiered = format!(
        "(module (func (export \"f\") (param i32) (result i32)
           (loop $l {rotates} (br_if $l (local.get 0))) (local.get 0)))"
    );
    let config = Config {
        target: Some("x86_64-unknown-linux-gnu".into()),
        ..Config::default()
    };
    let flag = crate::pipeline::TIER_FLAG_SYMBOL;
    let at = offset_of!(ProgramDescriptor, tier_flag) as u64;
    let obj = Obj::compile(&tiered, &config);
    let program = obj.symbol_bytes(kiln_abi::symbols::PROGRAM);
    let features = u64_at(&program, offset_of!(ProgramDescriptor, tier_features));
    let avx2 = kiln_abi::cpu::feature_bit(kiln_abi::cpu::X86_64, "avx2");
    let bmi2 = kiln_abi::cpu::feature_bit(kiln_abi::cpu::X86_64, "bmi2");
    assert_eq!(features & (avx2 | bmi2), avx2 | bmi2);
    assert_eq!(
        obj.relocs(kiln_abi::symbols::PROGRAM).get(&at),
        Some(&(flag.to_string(), 0))
    );
    assert_eq!(
        obj.relocs("__kiln_func_0").get(&2),
        Some(&(flag.to_string(), -5))
    );
    {
        let file = obj.file();
        let sym = file.symbol_by_name(flag).expect("the flag is defined");
        let section = file
            .section_by_index(sym.section_index().expect("defined"))
            .expect("section");
        assert_eq!(sym.size(), 1);
        // Zero at start, and writable.
        assert_eq!(section.kind(), object::SectionKind::UninitializedData);
    }

    let obj = Obj::compile(NO_BODIES, &config);
    let program = obj.symbol_bytes(kiln_abi::symbols::PROGRAM);
    assert_eq!(
        u64_at(&program, offset_of!(ProgramDescriptor, tier_features)),
        0
    );
    assert_eq!(obj.relocs(kiln_abi::symbols::PROGRAM).get(&at), None);
}
