//! Tests of the component driver: small WAT components compiled against a
//! test host list, read back with the `object` crate.

use super::{HostApi, emit_component};
use crate::component::plan;
use crate::{CompileError, Config, Timings};
use core::mem::{offset_of, size_of};
use kiln_abi::ValType::I32;
use kiln_abi::component::program::{
    COMPONENT_MAGIC, ComponentDescriptor, CoreDefDesc, DEF_EXPORT, DEF_TRAMPOLINE,
    PROGRAM_COMPONENT, ProgramDescriptor, RESOURCE_DEFINED, RESOURCE_HOST, ResourceDesc,
    TRAMPOLINE_LOWER_IMPORT, TRAMPOLINE_RESOURCE_DROP, TRAMPOLINE_RESOURCE_NEW, TrampolineDesc,
};
use kiln_abi::component::{CanonOpts, CoreItemRef};
use kiln_abi::descriptor::{KIND_FUNC, NO_INDEX};
use kiln_abi::wasi_p2::{P2Func, P2Resource};
use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget, SymbolKind};
use std::collections::BTreeMap;

const STREAMS: &str = "wasi:io/streams@0.2";

static FUNCS: &[P2Func] = &[
    P2Func {
        interface: STREAMS,
        name: "[method]output-stream.write",
        params: &[I32, I32, I32],
        results: &[],
        type_hash: 0,
    },
    P2Func {
        interface: STREAMS,
        name: "[static]output-stream.make",
        params: &[],
        results: &[I32],
        type_hash: 0,
    },
];

static RESOURCES: &[P2Resource] = &[
    P2Resource {
        interface: "wasi:io/error@0.2",
        name: "error",
    },
    P2Resource {
        interface: STREAMS,
        name: "output-stream",
    },
];

const HOST: HostApi = HostApi {
    funcs: FUNCS,
    p3_funcs: &[],
    resources: RESOURCES,
    p3_resources: &[],
    http_funcs: &[],
    http_resources: &[],
    check_types: false,
};

/// Imported and defined resources, lowered imports with and without
/// options, resource built-ins and lifted exports (the plan golden
/// `tests/component-plans/resources.wat`, plus a realloc and post-return).
const RESOURCES_WAT: &str = r#"(component
  (import "wasi:io/streams@0.2.6" (instance $streams
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.write" (func (param "self" (borrow $os)) (param "contents" (list u8))))
    (export "[static]output-stream.make" (func (result (own $os))))
  ))
  (alias export $streams "output-stream" (type $os))
  (core module $mm
    (memory (export "memory") 1)
    (func (export "dtor") (param i32))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
    (func (export "post") (param i32))
  )
  (core instance $m (instantiate $mm))
  (alias core export $m "dtor" (core func $dtor))
  (type $thing (resource (rep i32) (dtor (core func $dtor))))
  (core func $new (canon resource.new $thing))
  (core func $rep (canon resource.rep $thing))
  (core func $drop (canon resource.drop $thing))
  (core func $drop-os (canon resource.drop $os))
  (core func $write (canon lower (func $streams "[method]output-stream.write") (memory (core memory $m "memory"))))
  (core func $make (canon lower (func $streams "[static]output-stream.make")))
  (core module $impl
    (import "host" "write" (func $write (param i32 i32 i32)))
    (import "host" "make" (func $make (result i32)))
    (import "host" "drop-os" (func $drop-os (param i32)))
    (import "res" "new" (func $new (param i32) (result i32)))
    (import "res" "rep" (func $rep (param i32) (result i32)))
    (import "res" "drop" (func $drop (param i32)))
    (import "mem" "memory" (memory 1))
    (func (export "make-thing") (result i32) i32.const 7 call $new)
    (func (export "use-thing") (param i32) (result i32) local.get 0)
    (func (export "drop-thing") (param i32) local.get 0 call $drop)
    (func (export "name") (result i32) i32.const 0)
  )
  (core instance $i (instantiate $impl
    (with "host" (instance
      (export "write" (func $write))
      (export "make" (func $make))
      (export "drop-os" (func $drop-os))
    ))
    (with "res" (instance
      (export "new" (func $new))
      (export "rep" (func $rep))
      (export "drop" (func $drop))
    ))
    (with "mem" (instance $m))
  ))
  (export $te "thing" (type $thing))
  (func $make-thing (result (own $te)) (canon lift (core func $i "make-thing")))
  (func $use-thing (param "t" (borrow $te)) (result u32) (canon lift (core func $i "use-thing")))
  (func $drop-thing (param "t" (own $te)) (canon lift (core func $i "drop-thing")))
  (func $name (result string) (canon lift (core func $i "name")
    (memory (core memory $m "memory")) (realloc (core func $m "realloc")) (post-return (core func $m "post"))))
  (export "make-thing" (func $make-thing))
  (export "use-thing" (func $use-thing))
  (export "drop-thing" (func $drop-thing))
  (export "name" (func $name))
)"#;

fn compile(wat: &str, host: &HostApi) -> Result<Vec<u8>, CompileError> {
    let wasm = wat::parse_str(wat).expect("test wat parses");
    let config = Config::default();
    let plan = plan(&wasm, &config)?;
    emit_component(&plan, &wasm, &config, host, &mut Timings::default())
}

struct Obj {
    bytes: Vec<u8>,
}

impl Obj {
    fn new(wat: &str) -> Obj {
        Obj {
            bytes: compile(wat, &HOST).expect("compiles"),
        }
    }

    fn file(&self) -> object::File<'_> {
        object::File::parse(&*self.bytes).expect("valid object")
    }

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

    /// Relocations inside symbol `name`: offset -> (target symbol, addend).
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
            assert_ne!(target.kind(), SymbolKind::Section, "named targets expected");
            out.insert(
                offset - lo,
                (target.name().expect("name").to_string(), reloc.addend()),
            );
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

fn def_at(b: &[u8], at: usize) -> (u32, u32, u32, u32) {
    (
        u32_at(b, at + offset_of!(CoreDefDesc, kind)),
        u32_at(b, at + offset_of!(CoreDefDesc, instance)),
        u32_at(b, at + offset_of!(CoreDefDesc, item_kind)),
        u32_at(b, at + offset_of!(CoreDefDesc, index)),
    )
}

fn item_at(b: &[u8], at: usize) -> CoreItemRef {
    CoreItemRef {
        instance: u32_at(b, at + offset_of!(CoreItemRef, instance)),
        index: u32_at(b, at + offset_of!(CoreItemRef, index)),
    }
}

#[test]
fn symbols_are_namespaced_per_module() {
    let obj = Obj::new(RESOURCES_WAT);
    let file = obj.file();
    let globals: Vec<String> = file
        .symbols()
        .filter(|s| s.is_global() && s.is_definition())
        .map(|s| s.name().expect("name").to_string())
        .collect();
    assert_eq!(
        globals,
        [
            kiln_abi::symbols::GRANTS,
            kiln_abi::symbols::PROGRAM,
            kiln_abi::symbols::PROGRAM_RUNNER
        ]
    );
    assert_eq!(
        obj.relocs(kiln_abi::symbols::PROGRAM_RUNNER).get(&0),
        Some(&(kiln_abi::symbols::RUN_COMPONENT.to_string(), 0))
    );
    for local in [
        kiln_abi::symbols::COMPONENT,
        "__kiln_m0_module",
        "__kiln_m1_module",
        "__kiln_m0_func_0",
        "__kiln_m1_func_7",
        "__kiln_m1_array_call_7",
        "__kiln_m0_desc_funcs",
        "__kiln_m1_desc_imports",
        "__kiln_cm_tramp_0",
        "__kiln_cm_tramp_5",
        "__kiln_desc_cm_opts",
        "__kiln_desc_cm_defs",
    ] {
        let s = file.symbol_by_name(local).expect(local);
        assert!(s.is_local() && s.is_definition(), "{local}");
    }
    for undefined in [
        kiln_abi::symbols::RESOURCE_NEW,
        kiln_abi::symbols::RESOURCE_REP,
        kiln_abi::symbols::RESOURCE_DROP,
        kiln_abi::symbols::abi_version_symbol(),
        "__kiln_rt_memory_grow",
    ] {
        let s = file.symbol_by_name(undefined).expect(undefined);
        assert!(s.is_undefined(), "{undefined}");
    }
    // Libcalls are declared once for all modules; no core-program names.
    let count = |name: &str| file.symbols().filter(|s| s.name() == Ok(name)).count();
    assert_eq!(count("__kiln_rt_memory_grow"), 1);
    for absent in [
        kiln_abi::symbols::MODULE,
        "__kiln_func_0",
        "__kiln_m2_module",
    ] {
        assert!(file.symbol_by_name(absent).is_none(), "{absent}");
    }
    // Lowered imports call their WASI host function (an undefined symbol
    // per function), built-ins call theirs.
    let calls: Vec<String> = obj
        .relocs("__kiln_cm_tramp_4")
        .into_values()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(calls.len(), 1);
    assert!(
        calls[0].starts_with(kiln_abi::symbols::WASI_HOST_PREFIX),
        "{calls:?}"
    );
    let host = file
        .symbol_by_name(&calls[0])
        .expect("host function symbol");
    assert!(host.is_undefined());
    let calls: Vec<String> = obj
        .relocs("__kiln_cm_tramp_0")
        .into_values()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(calls, [kiln_abi::symbols::RESOURCE_NEW]);
}

#[test]
fn program_points_at_the_component() {
    let obj = Obj::new(RESOURCES_WAT);
    let program = obj.symbol_bytes(kiln_abi::symbols::PROGRAM);
    assert_eq!(program.len(), size_of::<ProgramDescriptor>());
    assert_eq!(
        u32_at(&program, offset_of!(ProgramDescriptor, magic)),
        kiln_abi::MODULE_MAGIC
    );
    assert_eq!(
        u32_at(&program, offset_of!(ProgramDescriptor, kind)),
        PROGRAM_COMPONENT
    );
    assert_eq!(
        obj.relocs(kiln_abi::symbols::PROGRAM)
            .get(&(offset_of!(ProgramDescriptor, root) as u64)),
        Some(&(kiln_abi::symbols::COMPONENT.to_string(), 0))
    );
}

#[test]
fn component_descriptor_counts_and_arrays() {
    let obj = Obj::new(RESOURCES_WAT);
    let d = obj.symbol_bytes(kiln_abi::symbols::COMPONENT);
    assert_eq!(d.len(), size_of::<ComponentDescriptor>());
    let u32f = |at: usize| u32_at(&d, at);
    let u64f = |at: usize| u64_at(&d, at);
    assert_eq!(
        u32f(offset_of!(ComponentDescriptor, magic)),
        COMPONENT_MAGIC
    );
    assert_eq!(
        u32f(offset_of!(ComponentDescriptor, abi_version)),
        kiln_abi::ABI_VERSION
    );
    assert_eq!(
        u32f(offset_of!(ComponentDescriptor, num_component_instances)),
        1
    );
    assert_eq!(u64f(offset_of!(ComponentDescriptor, num_modules)), 2);
    assert_eq!(u64f(offset_of!(ComponentDescriptor, num_instances)), 2);
    assert_eq!(u64f(offset_of!(ComponentDescriptor, num_defs)), 7);
    assert_eq!(u64f(offset_of!(ComponentDescriptor, num_trampolines)), 6);
    assert_eq!(u64f(offset_of!(ComponentDescriptor, num_resources)), 2);
    assert_eq!(u64f(offset_of!(ComponentDescriptor, num_exports)), 4);
    assert!(u64f(offset_of!(ComponentDescriptor, num_func_types)) >= 5);
    let relocs = obj.relocs(kiln_abi::symbols::COMPONENT);
    for (field, part) in [
        (offset_of!(ComponentDescriptor, modules), "cm_modules"),
        (offset_of!(ComponentDescriptor, instances), "cm_instances"),
        (offset_of!(ComponentDescriptor, defs), "cm_defs"),
        (
            offset_of!(ComponentDescriptor, trampolines),
            "cm_trampolines",
        ),
        (offset_of!(ComponentDescriptor, resources), "cm_resources"),
        (offset_of!(ComponentDescriptor, exports), "cm_exports"),
        (offset_of!(ComponentDescriptor, func_types), "cm_func_types"),
        (offset_of!(ComponentDescriptor, type_lists), "cm_type_lists"),
        (
            offset_of!(ComponentDescriptor, types)
                + offset_of!(kiln_abi::component::TypeTableDesc, types),
            "cm_types",
        ),
    ] {
        assert_eq!(
            relocs.get(&(field as u64)),
            Some(&(format!("__kiln_desc_{part}"), 0)),
            "{part}"
        );
    }

    // Module descriptors, in module order.
    let modules = obj.relocs("__kiln_desc_cm_modules");
    assert_eq!(
        modules.into_values().collect::<Vec<_>>(),
        [
            ("__kiln_m0_module".to_string(), 0),
            ("__kiln_m1_module".to_string(), 0)
        ]
    );

    // Instance 1's imports: the six trampolines, then instance 0's memory.
    let defs = obj.symbol_bytes("__kiln_desc_cm_defs");
    let n = size_of::<CoreDefDesc>();
    let got: Vec<_> = (0..7).map(|i| def_at(&defs, i * n)).collect();
    let t = |i| (DEF_TRAMPOLINE, NO_INDEX, KIND_FUNC, i);
    assert_eq!(
        got,
        [
            t(4),
            t(5),
            t(3),
            t(0),
            t(1),
            t(2),
            (DEF_EXPORT, 0, kiln_abi::descriptor::KIND_MEMORY, 0)
        ]
    );

    // Trampolines: kinds, code, opts records.
    let tramps = obj.symbol_bytes("__kiln_desc_cm_trampolines");
    let n = size_of::<TrampolineDesc>();
    let kinds: Vec<u32> = (0..6)
        .map(|i| u32_at(&tramps, i * n + offset_of!(TrampolineDesc, kind)))
        .collect();
    assert_eq!(
        kinds,
        [
            TRAMPOLINE_RESOURCE_NEW,
            kiln_abi::component::program::TRAMPOLINE_RESOURCE_REP,
            TRAMPOLINE_RESOURCE_DROP,
            TRAMPOLINE_RESOURCE_DROP,
            TRAMPOLINE_LOWER_IMPORT,
            TRAMPOLINE_LOWER_IMPORT
        ]
    );
    assert_eq!(u32_at(&tramps, offset_of!(TrampolineDesc, resource)), 1);
    let relocs = obj.relocs("__kiln_desc_cm_trampolines");
    let opts_size = size_of::<CanonOpts>() as i64;
    for i in 0..6 {
        let base = (i * n) as u64;
        assert_eq!(
            relocs.get(&(base + offset_of!(TrampolineDesc, wasm_call) as u64)),
            Some(&(format!("__kiln_cm_tramp_{i}"), 0))
        );
        assert_eq!(
            relocs.get(&(base + offset_of!(TrampolineDesc, opts) as u64)),
            Some(&("__kiln_desc_cm_opts".to_string(), i as i64 * opts_size))
        );
    }

    // Resources: the host's output-stream (number 1 in the test list), the
    // defined thing with instance 0's destructor.
    let res = obj.symbol_bytes("__kiln_desc_cm_resources");
    let n = size_of::<ResourceDesc>();
    assert_eq!(u32_at(&res, offset_of!(ResourceDesc, kind)), RESOURCE_HOST);
    assert_eq!(u32_at(&res, offset_of!(ResourceDesc, host_type)), 1);
    assert_eq!(
        u32_at(&res, n + offset_of!(ResourceDesc, kind)),
        RESOURCE_DEFINED
    );
    assert_eq!(u32_at(&res, n + offset_of!(ResourceDesc, has_dtor)), 1);
    assert_eq!(
        def_at(&res, n + offset_of!(ResourceDesc, dtor)),
        (DEF_EXPORT, 0, KIND_FUNC, 0)
    );
}

#[test]
fn canon_opts_name_core_items() {
    let obj = Obj::new(RESOURCES_WAT);
    let opts = obj.symbol_bytes("__kiln_desc_cm_opts");
    let n = size_of::<CanonOpts>();
    assert_eq!(n, 80);
    // Six trampolines, four exports.
    assert_eq!(opts.len(), 10 * n);
    let file = obj.file();
    let sym = file.symbol_by_name("__kiln_desc_cm_opts").expect("opts");
    let section = file
        .section_by_index(sym.section_index().expect("defined"))
        .expect("section");
    assert_eq!(
        section.kind(),
        object::SectionKind::Data,
        "the runtime fills the address half"
    );
    let memory = |i: usize| item_at(&opts, i * n + offset_of!(CanonOpts, memory));
    let realloc = |i: usize| item_at(&opts, i * n + offset_of!(CanonOpts, realloc));
    let post = |i: usize| item_at(&opts, i * n + offset_of!(CanonOpts, post_return));
    // Trampoline 0 (resource.new of r1).
    assert_eq!(u32_at(&opts, offset_of!(CanonOpts, resource)), 1);
    assert_eq!(u32_at(&opts, offset_of!(CanonOpts, func_type)), NO_INDEX);
    assert_eq!(memory(0), CoreItemRef::NONE);
    // Trampoline 4 (write): memory 0 of instance 0, a function type.
    assert_eq!(
        memory(4),
        CoreItemRef {
            instance: 0,
            index: 0
        }
    );
    assert_ne!(
        u32_at(&opts, 4 * n + offset_of!(CanonOpts, func_type)),
        NO_INDEX
    );
    assert_eq!(
        u32_at(&opts, 4 * n + offset_of!(CanonOpts, resource)),
        NO_INDEX
    );
    // Export 3 ("name", record 9): memory, realloc = func 1, post-return =
    // func 2 of instance 0.
    assert_eq!(
        memory(9),
        CoreItemRef {
            instance: 0,
            index: 0
        }
    );
    assert_eq!(
        realloc(9),
        CoreItemRef {
            instance: 0,
            index: 1
        }
    );
    assert_eq!(
        post(9),
        CoreItemRef {
            instance: 0,
            index: 2
        }
    );
    assert_eq!(realloc(6), CoreItemRef::NONE);
    // Every address half is left to the runtime.
    for i in 0..10 {
        let start = i * n + offset_of!(CanonOpts, memory_def);
        assert!(opts[start..(i + 1) * n].iter().all(|b| *b == 0));
    }
    // Exports point at their record and at the lifted function.
    let exports = obj.symbol_bytes("__kiln_desc_cm_exports");
    let en = size_of::<kiln_abi::component::program::ExportFuncDesc>();
    let func = |i: usize| {
        def_at(
            &exports,
            i * en + offset_of!(kiln_abi::component::program::ExportFuncDesc, func),
        )
    };
    // make-thing is function 6 of module 1 (after six imported functions).
    assert_eq!(func(0), (DEF_EXPORT, 1, KIND_FUNC, 6));
    assert_eq!(func(3), (DEF_EXPORT, 1, KIND_FUNC, 9));
    let relocs = obj.relocs("__kiln_desc_cm_exports");
    let at = (3 * en + offset_of!(kiln_abi::component::program::ExportFuncDesc, opts)) as u64;
    assert_eq!(
        relocs.get(&at),
        Some(&("__kiln_desc_cm_opts".to_string(), 9 * n as i64))
    );
}

#[test]
fn output_is_deterministic() {
    let a = compile(RESOURCES_WAT, &HOST).expect("compiles");
    let b = compile(RESOURCES_WAT, &HOST).expect("compiles");
    assert!(a == b, "two compiles differ");
}

#[test]
fn unknown_import_is_named() {
    let wat = r#"(component
      (import "wasi:foo/bar@0.2.6" (instance $i (export "baz" (func))))
      (core func $baz (canon lower (func $i "baz")))
      (core module $m (import "" "baz" (func)))
      (core instance (instantiate $m (with "" (instance (export "baz" (func $baz))))))
    )"#;
    let e = compile(wat, &HOST).expect_err("unknown import");
    assert_eq!(
        e.to_string(),
        "unsupported import: wasi:foo/bar@0.2.6#baz is not provided by Kiln's WASI host"
    );
    // Kiln's own list names no such interface either.
    let e = compile(wat, &HostApi::WASI_P2).expect_err("unknown import");
    assert!(matches!(e, CompileError::UnsupportedImport { .. }), "{e}");
}

#[test]
fn http_import_of_the_wrong_type_is_refused() {
    let wat = r#"(component
      (import "wasi:http/outgoing-handler@0.2.10" (instance $i (export "handle" (func))))
      (core func $f (canon lower (func $i "handle")))
      (core module $m (import "" "f" (func)))
      (core instance (instantiate $m (with "" (instance (export "f" (func $f))))))
    )"#;
    // `handle` exists (any 0.2.x resolves to it), but not as `func()`.
    let e = compile(wat, &HostApi::WASI_P2).expect_err("wrong type");
    assert!(
        e.to_string().starts_with(
            "unsupported import: wasi:http/outgoing-handler@0.2.10#handle has core signature () -> ()"
        ),
        "{e}"
    );
}

#[test]
fn unknown_host_resource_is_named() {
    let wat = r#"(component
      (import "wasi:io/poll@0.2.0" (instance $i (export "pollable" (type (sub resource)))))
      (alias export $i "pollable" (type $p))
      (core func $drop (canon resource.drop $p))
      (core module $m (import "" "drop" (func (param i32))))
      (core instance (instantiate $m (with "" (instance (export "drop" (func $drop))))))
    )"#;
    let e = compile(wat, &HOST).expect_err("unknown resource");
    assert_eq!(
        e.to_string(),
        "unsupported import: wasi:io/poll@0.2.0#pollable is not provided by Kiln's WASI host"
    );
}

#[test]
fn signature_mismatch_is_named() {
    static WRONG: &[P2Func] = &[P2Func {
        interface: STREAMS,
        name: "[static]output-stream.make",
        params: &[],
        results: &[kiln_abi::ValType::I64],
        type_hash: 0,
    }];
    let host = HostApi {
        funcs: WRONG,
        p3_funcs: &[],
        resources: RESOURCES,
        p3_resources: &[],
        http_funcs: &[],
        http_resources: &[],
        check_types: false,
    };
    let wat = r#"(component
      (import "wasi:io/streams@0.2.6" (instance $s
        (export "output-stream" (type $os (sub resource)))
        (export "[static]output-stream.make" (func (result (own $os))))
      ))
      (core func $make (canon lower (func $s "[static]output-stream.make")))
      (core module $m (import "" "make" (func (result i32))))
      (core instance (instantiate $m (with "" (instance (export "make" (func $make))))))
    )"#;
    let e = compile(wat, &host).expect_err("mismatch");
    assert_eq!(
        e.to_string(),
        "unsupported import: wasi:io/streams@0.2.6#[static]output-stream.make has core \
         signature () -> (i32) in this component, but Kiln's WASI host provides () -> (i64)"
    );
}

#[test]
fn lifted_builtin_options_are_rejected() {
    // A post-return that is a canonical built-in, not a core export.
    let wat = r#"(component
      (import "wasi:io/streams@0.2.6" (instance $s
        (export "output-stream" (type $os (sub resource)))
      ))
      (alias export $s "output-stream" (type $os))
      (core func $drop (canon resource.drop $os))
      (core module $mm (memory (export "memory") 1) (func (export "f") (result i32) i32.const 0))
      (core instance $m (instantiate $mm))
      (func (export "f") (result string)
        (canon lift (core func $m "f") (memory (core memory $m "memory")) (post-return (core func $drop))))
    )"#;
    let e = compile(wat, &HOST).expect_err("post-return is a trampoline");
    assert_eq!(
        e.to_string(),
        "unsupported feature: the post-return option of export f that is a canonical built-in \
         or lowered import (trampoline 0) (at offset 0x0)"
    );
}

#[test]
#[ignore = "debug helper: writes the test component's object into the directory $KILN_DUMP"]
fn dump_component_object() {
    if let Ok(dir) = std::env::var("KILN_DUMP") {
        let obj = Obj::new(RESOURCES_WAT);
        std::fs::write(std::path::Path::new(&dir).join("component.o"), &obj.bytes).expect("write");
    }
}

/// Cross-module calls: direct when the plan fixes the import's code (a
/// defined function, a re-export of one, a trampoline, a tail call),
/// indirect when two instances of a module bind the import differently.
const LINKED_WAT: &str = r#"(component
  (type $r (resource (rep i32)))
  (core func $new (canon resource.new $r))
  (core module $lib
    (func (export "f") (param i32) (result i32) (local.get 0))
    (func (export "g") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))
  (core instance $lib (instantiate $lib))
  (core module $relay
    (import "" "f" (func $f (param i32) (result i32)))
    (import "" "new" (func $new (param i32) (result i32)))
    (export "f" (func $f))
    (export "new" (func $new)))
  (core instance $relay (instantiate $relay
    (with "" (instance (export "f" (func $lib "f")) (export "new" (func $new))))))
  (core instance $relay2 (instantiate $relay (with "" (instance $relay))))
  (core module $twice
    (import "" "h" (func $h (param i32) (result i32)))
    (func (export "call") (param i32) (result i32) (call $h (local.get 0))))
  (core instance $t1 (instantiate $twice (with "" (instance (export "h" (func $lib "f"))))))
  (core instance $t2 (instantiate $twice (with "" (instance (export "h" (func $lib "g"))))))
  (core module $user
    (import "relay" "f" (func $f (param i32) (result i32)))
    (import "relay" "new" (func $new (param i32) (result i32)))
    (import "lib" "g" (func $g (param i32) (result i32)))
    (func (export "direct") (param i32) (result i32) (call $g (local.get 0)))
    (func (export "reexported") (param i32) (result i32) (call $f (local.get 0)))
    (func (export "tramp") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "tail") (param i32) (result i32) (return_call $g (local.get 0))))
  (core instance $user (instantiate $user
    (with "relay" (instance $relay2))
    (with "lib" (instance $lib)))))"#;

#[test]
fn statically_bound_imports_are_called_directly() {
    let wasm = wat::parse_str(LINKED_WAT).expect("test wat parses");
    let config = Config::default();
    let plan = plan(&wasm, &config).expect("plans");
    let mut timings = Timings::default();
    let bytes = emit_component(&plan, &wasm, &config, &HOST, &mut timings).expect("compiles");
    let obj = Obj { bytes };
    let calls = |func: &str| -> Vec<String> {
        obj.relocs(func)
            .into_values()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("__kiln_m") || name.starts_with("__kiln_cm_"))
            .collect()
    };
    // Module 3 ($user): functions 3.. call lib's `g` (function 1), lib's
    // `f` and the resource.new trampoline re-exported twice (by both
    // instances of $relay, which agree), and tail-call `g`.
    assert_eq!(calls("__kiln_m3_func_3"), ["__kiln_m0_func_1"]);
    assert_eq!(calls("__kiln_m3_func_4"), ["__kiln_m0_func_0"]);
    assert_eq!(calls("__kiln_m3_func_5"), ["__kiln_cm_tramp_0"]);
    assert_eq!(calls("__kiln_m3_func_6"), ["__kiln_m0_func_1"]);
    // Module 2 ($twice) is bound to `f` once and `g` once: indirect.
    assert_eq!(calls("__kiln_m2_func_1"), Vec::<String>::new());
    assert_eq!(
        (timings.linked_calls_direct, timings.linked_calls_indirect),
        (4, 1)
    );
    // The targets are declared once (by the caller first) and defined by
    // their owners.
    let file = obj.file();
    for name in ["__kiln_m0_func_0", "__kiln_m0_func_1", "__kiln_cm_tramp_0"] {
        let defs: Vec<_> = file.symbols().filter(|s| s.name() == Ok(name)).collect();
        assert_eq!(defs.len(), 1, "{name}");
        assert!(defs[0].is_local() && defs[0].is_definition(), "{name}");
    }
    let undefined_local: Vec<_> = file
        .symbols()
        .filter(|s| s.is_local() && s.is_undefined() && s.kind() == SymbolKind::Text)
        .map(|s| s.name().expect("name").to_string())
        .collect();
    assert!(undefined_local.is_empty(), "{undefined_local:?}");
    // Deterministic.
    let again = compile(LINKED_WAT, &HOST).expect("compiles");
    assert!(again == obj.bytes, "same input, same object");
}
