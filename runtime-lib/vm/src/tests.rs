//! Instance setup, segments, libcalls and array calls on hand-built
//! descriptors.

use crate::fixture::*;
use crate::instance::{InitError, Instance};
use crate::libcalls;
use kiln_abi::ValRaw;
use kiln_abi::ValType::*;
use kiln_abi::descriptor::*;
use kiln_abi::trap::TrapCode;
use kiln_abi::vmctx::{VMCTX_MAGIC, VMFuncRef, VMMemoryDefinition, VMOffsets, VMTableDefinition};

extern "C" fn add_trampoline(_vmctx: *mut u8, values: *mut ValRaw) {
    // SAFETY: the caller passes two i32 arguments and room for one result.
    unsafe {
        let (a, b) = (&*values, &*values.add(1));
        let a = i32::from_le_bytes(a.0[..4].try_into().unwrap());
        let b = i32::from_le_bytes(b.0[..4].try_into().unwrap());
        let mut r = [0u8; 16];
        r[..4].copy_from_slice(&a.wrapping_add(b).to_le_bytes());
        *values = ValRaw(r);
    }
}

fn sample() -> ModuleBuilder {
    let body = add_trampoline as *const () as u64;
    ModuleBuilder {
        name: Some("sample".into()),
        types: vec![
            (vec![I32, I32], vec![I32]),
            (vec![], vec![]),
            (vec![I32, I32], vec![I32]),
        ],
        funcs: vec![
            FuncSpec {
                ty: 0,
                wasm_call: body,
                array_call: body,
                ..FuncSpec::default()
            },
            FuncSpec {
                ty: 1,
                wasm_call: body + 1,
                ..FuncSpec::default()
            },
            FuncSpec {
                ty: 2,
                wasm_call: body + 2,
                ..FuncSpec::default()
            },
        ],
        memories: vec![memory(1, 2)],
        tables: vec![table(4, 6, ref_null())],
        globals: vec![
            global(I32, value(42)),
            global(I32, global_get(0)),
            global(FuncRef, ref_func(1)),
        ],
        elems: vec![
            (
                value(1),
                0,
                SEGMENT_FLAG_ACTIVE,
                vec![ref_func(2), ref_null(), ref_func(0)],
            ),
            (value(0), 0, SEGMENT_FLAG_DECLARED, vec![ref_func(1)]),
            (value(0), 0, 0, vec![ref_func(1), ref_func(2)]),
        ],
        data: vec![
            (value(8), 0, SEGMENT_FLAG_ACTIVE, b"hello".to_vec()),
            (value(0), 0, 0, b"xyz".to_vec()),
        ],
        exports: vec![
            ("memory".into(), KIND_MEMORY, 0),
            ("add".into(), KIND_FUNC, 0),
        ],
        ..ModuleBuilder::default()
    }
}

fn read<T>(vmctx: *mut u8, offset: u32) -> T {
    // SAFETY: offsets from VMOffsets of a live context.
    unsafe { vmctx.add(offset as usize).cast::<T>().read() }
}

fn new_instance(b: &ModuleBuilder) -> Box<Instance> {
    Instance::new(b.module(), None).expect("instance")
}

#[test]
fn builds_header_funcrefs_globals_tables_memories() {
    let inst = new_instance(&sample());
    let vm = inst.vmctx();
    let o = *inst.offsets();
    assert_eq!(vm as usize % 16, 0);
    assert_eq!(read::<u32>(vm, VMOffsets::MAGIC), VMCTX_MAGIC);
    assert_eq!(
        read::<*const Instance>(vm, VMOffsets::INSTANCE),
        &*inst as *const Instance
    );

    // Structurally equal types 0 and 2 share an id, type 1 differs.
    let ids = read::<*const u32>(vm, VMOffsets::TYPE_IDS);
    // SAFETY: one id per type.
    let ids = unsafe { std::slice::from_raw_parts(ids, 3) };
    assert_eq!(ids[0], ids[2]);
    assert_ne!(ids[0], ids[1]);

    for f in 0..3 {
        let r: VMFuncRef = read(vm, o.func_ref(f));
        assert_eq!(r.vmctx, vm);
        assert_eq!(
            r.type_id,
            ids[inst.module().funcs[f as usize].type_index as usize]
        );
        assert_eq!(
            r.wasm_call as u64,
            inst.module().funcs[f as usize].wasm_call.get()
        );
    }

    let g = |i| read::<[u8; 16]>(vm, o.defined_global(i));
    assert_eq!(&g(0)[..4], &42i32.to_le_bytes());
    assert_eq!(&g(1)[..4], &42i32.to_le_bytes());
    let fr1 = vm as u64 + o.func_ref(1) as u64;
    assert_eq!(&g(2)[..8], &fr1.to_le_bytes());

    let mem: VMMemoryDefinition = read(vm, o.defined_memory(0));
    assert_eq!(mem.current_length, 65536);
    assert_eq!(
        read::<*mut VMMemoryDefinition>(vm, VMOffsets::WASI_MEMORY) as usize,
        vm as usize + o.defined_memory(0) as usize
    );
    let t: VMTableDefinition = read(vm, o.defined_table(0));
    assert_eq!(t.current_elements, 4);
}

#[test]
fn segments_apply_in_order_and_drop() {
    let mut inst = new_instance(&sample());
    inst.apply_segments().expect("segments");
    let vm = inst.vmctx() as usize;
    let o = *inst.offsets();
    let fr = |i: u32| (vm + o.func_ref(i) as usize) as *mut u8;
    let null = std::ptr::null_mut();
    assert_eq!(
        inst.table(0).unwrap().elements(),
        &[null, fr(2), null, fr(0)]
    );
    assert_eq!(&inst.memory_contents(0).unwrap()[8..13], b"hello");
    // Active and declarative segments are dropped, passive ones stay.
    assert_eq!(inst.elem_segment(0).unwrap().len(), 0);
    assert_eq!(inst.elem_segment(1).unwrap().len(), 0);
    assert_eq!(inst.elem_segment(2).unwrap().len(), 2);
    assert_eq!(inst.data_segment(0).unwrap().len(), 0);
    assert_eq!(inst.data_segment(1).unwrap(), b"xyz");
}

#[test]
fn failing_element_segment_keeps_earlier_ones_and_stops() {
    let mut b = sample();
    b.elems = vec![
        (value(0), 0, SEGMENT_FLAG_ACTIVE, vec![ref_func(0)]),
        (
            value(3),
            0,
            SEGMENT_FLAG_ACTIVE,
            vec![ref_func(1), ref_func(1)],
        ),
        (value(2), 0, SEGMENT_FLAG_ACTIVE, vec![ref_func(2)]),
    ];
    let mut inst = new_instance(&b);
    assert_eq!(
        inst.apply_segments(),
        Err(InitError::Trap(TrapCode::TableOutOfBounds))
    );
    let t = inst.table(0).unwrap().elements().to_vec();
    assert!(!t[0].is_null());
    // The failing segment wrote nothing, later ones did not run.
    assert!(t[1..].iter().all(|p| p.is_null()));
    // Data segments come after element segments: not applied.
    assert_eq!(&inst.memory_contents(0).unwrap()[8..13], &[0; 5]);
}

#[test]
fn failing_data_segment_keeps_earlier_ones() {
    let mut b = sample();
    b.data = vec![
        (value(0), 0, SEGMENT_FLAG_ACTIVE, b"ab".to_vec()),
        (value(65535), 0, SEGMENT_FLAG_ACTIVE, b"cd".to_vec()),
        (value(65536), 0, SEGMENT_FLAG_ACTIVE, vec![]),
    ];
    let mut inst = new_instance(&b);
    assert_eq!(
        inst.apply_segments(),
        Err(InitError::Trap(TrapCode::MemoryOutOfBounds))
    );
    let m = inst.memory_contents(0).unwrap();
    assert_eq!(&m[..2], b"ab");
    assert_eq!(m[65535], 0);
    // A zero-length segment exactly at the end is in bounds.
    b.data.remove(1);
    assert_eq!(new_instance(&b).apply_segments(), Ok(()));
    // Segments already in an image are only dropped.
    b.data = vec![(
        value(1 << 20),
        0,
        SEGMENT_FLAG_ACTIVE | DATA_FLAG_IN_IMAGE,
        b"zz".to_vec(),
    )];
    let mut inst = new_instance(&b);
    assert_eq!(inst.apply_segments(), Ok(()));
    assert_eq!(inst.data_segment(0).unwrap().len(), 0);
}

#[test]
fn rejects_a_wrong_vmctx_size() {
    let b = sample();
    let d = b.descriptor();
    let mut bad = *d;
    bad.vmctx_size += 16;
    let bad: &'static ModuleDescriptor = Box::leak(Box::new(bad));
    // SAFETY: arrays of a valid hand-built descriptor.
    let m = unsafe { crate::descriptor::Module::new(bad) }.unwrap();
    let e = Instance::new(m, None).unwrap_err();
    assert!(e.contains("VMContext size"), "{e}");
}

/// Applied element segments need the element initializer that applied
/// them, and cannot outnumber the segments.
#[test]
fn rejects_applied_segments_without_their_initializer() {
    let d = sample().descriptor();
    for (applied, init_elems) in [(1, 0), (0, 16), (d.num_elems + 1, 16)] {
        let mut bad = *d;
        bad.num_applied_elems = applied;
        bad.init_elems = init_elems;
        // SAFETY: as above (`init_elems` is never called: the check fails).
        let e = unsafe { crate::descriptor::Module::new(Box::leak(Box::new(bad))) }.unwrap_err();
        assert!(e.contains("applied element segments"), "{e}");
    }
}

#[test]
fn rejects_bad_magic_and_version() {
    let d = sample().descriptor();
    let mut bad = *d;
    bad.magic = 0;
    // SAFETY: as above.
    assert!(
        unsafe { crate::descriptor::Module::new(Box::leak(Box::new(bad))) }
            .unwrap_err()
            .contains("corrupt")
    );
    let mut bad = *d;
    bad.abi_version += 1;
    // SAFETY: as above.
    assert!(
        unsafe { crate::descriptor::Module::new(Box::leak(Box::new(bad))) }
            .unwrap_err()
            .contains("ABI version")
    );
}

#[test]
fn memory_libcalls() {
    let mut inst = new_instance(&sample());
    inst.apply_segments().unwrap();
    let vm = inst.vmctx();
    let o = *inst.offsets();
    let oob = TrapCode::MemoryOutOfBounds as i32;
    // SAFETY: `vm` is the live instance's context; no references are held
    // across the calls.
    unsafe {
        assert_eq!(libcalls::memory_fill(vm, 0, 0, 7, 4), 0);
        assert_eq!(libcalls::memory_fill(vm, 0, 65536, 7, 0), 0);
        assert_eq!(libcalls::memory_fill(vm, 0, 65535, 7, 2), oob);
        assert_eq!(libcalls::memory_fill(vm, 0, -1, 7, 1), oob);
        assert_eq!(libcalls::memory_copy(vm, 0, 0, 2, 0, 4), 0);
        assert_eq!(libcalls::memory_copy(vm, 0, 0, 65534, 0, 3), oob);
        assert_eq!(libcalls::memory_init(vm, 0, 1, 100, 1, 2), 0);
        assert_eq!(libcalls::memory_init(vm, 0, 1, 100, 2, 2), oob);
        assert_eq!(libcalls::memory_init(vm, 0, 1, 100, 3, 0), 0);
        libcalls::data_drop(vm, 1);
        assert_eq!(libcalls::memory_init(vm, 0, 1, 100, 0, 1), oob);
        assert_eq!(libcalls::memory_init(vm, 0, 1, 100, 0, 0), 0);
        // Active segment 0 was dropped at instantiation.
        assert_eq!(libcalls::memory_init(vm, 0, 0, 0, 0, 1), oob);
    }
    {
        let m = inst.memory_contents(0).unwrap();
        assert_eq!(&m[..6], &[7, 7, 7, 7, 7, 7]);
        assert_eq!(&m[100..102], b"yz");
        assert_eq!(m[65535], 0);
    }
    // SAFETY: as above.
    unsafe {
        assert_eq!(libcalls::memory_grow(vm, 0, 0), 1);
        assert_eq!(libcalls::memory_grow(vm, 0, 1), 1);
        assert_eq!(libcalls::memory_grow(vm, 0, 1), -1);
        assert_eq!(libcalls::memory_grow(vm, 0, -1), -1);
        assert_eq!(libcalls::memory_fill(vm, 0, 65535, 9, 2), 0);
    }
    let def: VMMemoryDefinition = read(vm, o.defined_memory(0));
    assert_eq!(def.current_length, 2 * 65536);
    assert_eq!(inst.memory_contents(0).unwrap()[65536], 9);
}

#[test]
fn table_libcalls() {
    let mut inst = new_instance(&sample());
    inst.apply_segments().unwrap();
    let vm = inst.vmctx();
    let o = *inst.offsets();
    let oob = TrapCode::TableOutOfBounds as i32;
    let fr = |i: u32| (vm as usize + o.func_ref(i) as usize) as *mut u8;
    let null = std::ptr::null_mut();
    // SAFETY: `vm` is the live instance's context.
    unsafe {
        assert_eq!(libcalls::table_fill(vm, 0, 0, fr(1), 1), 0);
        assert_eq!(libcalls::table_fill(vm, 0, 4, fr(1), 0), 0);
        assert_eq!(libcalls::table_fill(vm, 0, 3, fr(1), 2), oob);
        assert_eq!(libcalls::table_copy(vm, 0, 0, 2, 0, 2), 0);
        assert_eq!(libcalls::table_copy(vm, 0, 0, 3, 0, 2), oob);
        assert_eq!(libcalls::table_init(vm, 0, 2, 0, 1, 1), 0);
        assert_eq!(libcalls::table_init(vm, 0, 2, 0, 1, 2), oob);
        libcalls::elem_drop(vm, 2);
        assert_eq!(libcalls::table_init(vm, 0, 2, 0, 0, 1), oob);
        assert_eq!(libcalls::table_init(vm, 0, 2, 4, 0, 0), 0);
    }
    assert_eq!(
        inst.table(0).unwrap().elements(),
        &[fr(2), fr(2), fr(1), fr(2)]
    );
    // SAFETY: as above.
    unsafe {
        assert_eq!(libcalls::table_grow(vm, 0, 2, fr(0)), 4);
        assert_eq!(libcalls::table_grow(vm, 0, 1, null), -1);
        assert_eq!(libcalls::table_grow(vm, 0, 0, null), 6);
    }
    let def: VMTableDefinition = read(vm, o.defined_table(0));
    assert_eq!(def.current_elements, 6);
    let t = inst.table(0).unwrap();
    assert_eq!(def.base, t.base());
    assert_eq!(t.elements()[5], fr(0));
}

#[test]
fn array_call_passes_arguments_and_results() {
    let inst = Box::into_raw(new_instance(&sample()));
    let mut values = crate::invoke::parse_args(
        &[I32 as u8, I32 as u8],
        1,
        &[b"40".to_vec(), b"2".to_vec()],
        Some("add"),
    )
    .unwrap();
    // SAFETY: live instance, array-call trampoline of function 0.
    unsafe { crate::invoke::call(inst, 0, &mut values) }.unwrap();
    assert_eq!(crate::invoke::format_result(I32 as u8, &values[0]), "42");
    // A function without trampoline is reported, not called.
    // SAFETY: as above.
    let e = unsafe { crate::invoke::call(inst, 1, &mut []) }.unwrap_err();
    assert!(e.contains("array-call"), "{e}");
    // A buffer shorter than the signature is refused before the call (the
    // trampoline would write the result past it).
    let mut short = [ValRaw::default()];
    // SAFETY: as above.
    let e = unsafe { crate::invoke::call(inst, 0, &mut short) }.unwrap_err();
    assert!(
        e.contains("takes 2 values and returns 1, called with room for 1"),
        "{e}"
    );
    // SAFETY: from Box::into_raw above.
    drop(unsafe { Box::from_raw(inst) });
}
