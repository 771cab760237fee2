//! Loader tests on real compiler output, without the runtime: undefined
//! symbols resolve to test doubles, and exported functions run through their
//! array-call trampolines with a zeroed `VMContext`.

use super::*;
use kiln_abi::ValRaw;
use kiln_abi::descriptor::{ExportDesc, FuncDesc, KIND_FUNC, ModuleDescriptor};

fn compile(wat: &str) -> Vec<u8> {
    let wasm = wat::parse_str(wat).expect("test wat parses");
    kiln_compiler::compile_module(&wasm, &kiln_compiler::Config::default()).expect("compiles")
}

static ANCHOR: u8 = 0;

/// The test double of the `memory_grow` libcall: returns `delta + 100`.
extern "C" fn fake_memory_grow(_vmctx: *mut u8, _memory: i32, delta: i64) -> i64 {
    delta + 100
}

fn resolver(name: &str) -> Option<usize> {
    match name {
        n if n == kiln_abi::symbols::abi_version_symbol() => Some(&ANCHOR as *const u8 as usize),
        // The program runner pointer's target: never called by these tests.
        kiln_abi::symbols::RUN_MODULE => Some(&ANCHOR as *const u8 as usize),
        "__kiln_rt_memory_grow" => Some(fake_memory_grow as *const () as usize),
        _ => None,
    }
}

/// # Safety
/// `desc` must be a loaded, alive descriptor.
unsafe fn export_func<'d>(desc: &'d ModuleDescriptor, name: &str) -> &'d FuncDesc {
    // SAFETY: the descriptor's arrays are valid while the object is loaded.
    let exports = unsafe {
        std::slice::from_raw_parts(desc.exports as *const ExportDesc, desc.num_exports as usize)
    };
    let export = exports
        .iter()
        .find(|e| {
            // SAFETY: as above.
            let bytes =
                unsafe { std::slice::from_raw_parts(e.name.ptr as *const u8, e.name.len as usize) };
            bytes == name.as_bytes()
        })
        .expect("export exists");
    assert_eq!(export.kind, KIND_FUNC);
    // SAFETY: as above.
    unsafe { &*(desc.funcs as *const FuncDesc).add(export.index as usize) }
}

/// Calls `func`'s array-call trampoline with a zeroed `VMContext` (stack
/// limit 0: no overflow check fires).
///
/// # Safety
/// The function must not need a real instance.
unsafe fn call(desc: &ModuleDescriptor, func: &FuncDesc, args: &[u64]) -> u64 {
    let vmctx = vec![0u128; (desc.vmctx_size as usize).div_ceil(16).max(4)];
    let mut values = vec![ValRaw::default(); args.len().max(1)];
    for (slot, arg) in values.iter_mut().zip(args) {
        slot.0[..8].copy_from_slice(&arg.to_le_bytes());
    }
    // SAFETY: the address is an array-call trampoline of the loaded object.
    let f: extern "C" fn(*mut u8, *mut ValRaw) =
        unsafe { std::mem::transmute(func.array_call.get()) };
    f(vmctx.as_ptr() as *mut u8, values.as_mut_ptr());
    u64::from_le_bytes(values[0].0[..8].try_into().expect("8 bytes"))
}

#[test]
fn loads_and_runs_a_module() {
    let object = compile(
        r#"(module
            (memory 1)
            (func $add (export "add") (param i32 i32) (result i32)
                (i32.add (local.get 0) (local.get 1)))
            (func (export "twice") (param i32) (result i32)
                (call $add (local.get 0) (local.get 0)))
            (func (export "grow") (param i32) (result i32)
                (memory.grow (local.get 0))))"#,
    );
    let loaded = load(&object, &resolver).expect("loads");
    // SAFETY: `loaded` outlives every use below.
    let desc = unsafe { loaded.module_descriptor() }.expect("descriptor");
    assert_eq!(
        desc.abi_anchor, &ANCHOR as *const u8 as u64,
        "R_X86_64_64 to an undefined symbol"
    );
    let range = loaded.range();
    // SAFETY: alive.
    let add = unsafe { export_func(desc, "add") };
    assert!(
        range.contains(&(add.wasm_call.get() as usize)),
        "R_X86_64_PC64 to a local symbol"
    );
    assert!(range.contains(&(add.array_call.get() as usize)));
    // SAFETY: alive; the functions need no instance.
    unsafe {
        assert_eq!(call(desc, add, &[2, 40]) as u32, 42);
        // PLT32 between local functions.
        let twice = export_func(desc, "twice");
        assert_eq!(call(desc, twice, &[21]) as u32, 42);
        // GOTPCREL to a symbol far away in the test binary.
        let grow = export_func(desc, "grow");
        assert_eq!(call(desc, grow, &[5]) as u32, 105);
    }
}

#[test]
fn unknown_symbols_are_errors() {
    let object = compile("(module (func (export \"f\")))");
    let err = load(&object, &|_| None).expect_err("the ABI anchor is unknown");
    assert!(
        matches!(&err, LoadError::UnknownSymbol(name) if name == kiln_abi::symbols::abi_version_symbol()),
        "{err}"
    );
}

#[test]
fn rejects_non_objects() {
    assert!(matches!(
        load(b"not an object", &resolver),
        Err(LoadError::Format(_))
    ));
}

#[test]
fn text_is_not_writable_and_descriptor_is_read_only() {
    let object = compile("(module (func (export \"f\")))");
    let loaded = load(&object, &resolver).expect("loads");
    // SAFETY: alive.
    let desc = unsafe { loaded.module_descriptor() }.expect("descriptor");
    let maps = std::fs::read_to_string("/proc/self/maps").expect("maps");
    let perms_of = |addr: usize| {
        maps.lines()
            .find_map(|line| {
                let (range, rest) = line.split_once(' ')?;
                let (lo, hi) = range.split_once('-')?;
                let (lo, hi) = (
                    usize::from_str_radix(lo, 16).ok()?,
                    usize::from_str_radix(hi, 16).ok()?,
                );
                (lo..hi).contains(&addr).then(|| rest[..4].to_string())
            })
            .expect("mapped")
    };
    // SAFETY: alive.
    let f = unsafe { export_func(desc, "f") };
    assert_eq!(perms_of(f.wasm_call.get() as usize), "r-xp");
    assert_eq!(perms_of(desc as *const ModuleDescriptor as usize), "r--p");
}

/// A direct call to a far undefined symbol goes through a veneer that
/// jumps to the absolute address.
#[test]
fn far_direct_calls_use_veneers() {
    // Hand-made object: `f` calls the undefined `far` with PLT32.
    use object::write::{Object as WObject, Relocation, StandardSection, Symbol, SymbolSection};
    let mut obj = WObject::new(
        BinaryFormat::Elf,
        Architecture::X86_64,
        object::Endianness::Little,
    );
    let text = obj.section_id(StandardSection::Text);
    // call far; ret
    let code = [0xe8, 0, 0, 0, 0, 0xc3];
    let offset = obj.append_section_data(text, &code, 16);
    obj.add_symbol(Symbol {
        name: b"f".to_vec(),
        value: offset,
        size: code.len() as u64,
        kind: object::SymbolKind::Text,
        scope: object::SymbolScope::Linkage,
        weak: false,
        section: SymbolSection::Section(text),
        flags: object::SymbolFlags::None,
    });
    let far = obj.add_symbol(Symbol {
        name: b"far".to_vec(),
        value: 0,
        size: 0,
        kind: object::SymbolKind::Text,
        scope: object::SymbolScope::Linkage,
        weak: false,
        section: SymbolSection::Undefined,
        flags: object::SymbolFlags::None,
    });
    obj.add_relocation(
        text,
        Relocation {
            offset: offset + 1,
            symbol: far,
            addend: -4,
            flags: RelocationFlags::Elf {
                r_type: elf::R_X86_64_PLT32,
            },
        },
    )
    .expect("relocation");
    let bytes = obj.write().expect("object");

    extern "C" fn target() -> u32 {
        7
    }
    let loaded = load(&bytes, &|name| {
        (name == "far").then_some(target as *const () as usize)
    })
    .expect("loads");
    let f = loaded.symbol("f").expect("f");
    // SAFETY: `f` is `extern "C" fn() -> u32` (a call to `target`).
    let f: extern "C" fn() -> u32 = unsafe { std::mem::transmute(f) };
    assert_eq!(f(), 7);
    let distance = (target as *const () as usize).abs_diff(loaded.range().start);
    if distance >= 1 << 31 {
        // The call went through the veneer (the usual case: the test binary
        // and anonymous mappings are far apart).
        let disp = i32::from_le_bytes(
            // SAFETY: inside the loaded text.
            unsafe {
                std::slice::from_raw_parts((loaded.symbol("f").expect("f") + 1) as *const u8, 4)
            }
            .try_into()
            .expect("4 bytes"),
        );
        let dest = (loaded.symbol("f").expect("f") as i64 + 5 + i64::from(disp)) as usize;
        assert!(loaded.range().contains(&dest), "veneer inside the mapping");
    }
}
