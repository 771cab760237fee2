//! `call_host`: parameters from slots or memory, results into slot 0 or at
//! the return pointer, `may_leave`, call scopes.

use super::*;
use crate::abi::{
    AbiContext, FlattenOpts, FuncSig, INSTANCE_FLAG_MAY_LEAVE, MAX_FLAT_PARAMS, lowered_slots_len,
};
use crate::call::HostCall;
use crate::{Borrow, GuestStr, Own, Resource, ResourceType, call_host};

const UTF8: StringEncoding = StringEncoding::Utf8;

struct File;
impl Resource for File {
    const TYPE: ResourceType = ResourceType::Host(7);
}

type P17 = (
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u8,
);

fn host_call<'a>(slots: &'a mut [u64], m: &'a mut TestMemory) -> HostCall<'a> {
    let memory = m.view();
    HostCall {
        slots,
        memory,
        realloc: Some(m),
        encoding: UTF8,
    }
}

/// The number of slots the trampoline would pass for `(P) -> R`.
fn slots_for<P: ComponentType, R: ComponentType>() -> usize {
    let mut b = TypeTableBuilder::new();
    let p = P::describe(&mut b).unwrap();
    let r = R::describe_payload(&mut b).unwrap();
    let t = b.table();
    let params: Vec<_> = match t.fields(p) {
        Some(f) => (0..f.len()).filter_map(|i| f.get(i)).collect(),
        None => vec![p],
    };
    let results: Vec<_> = r.into_iter().collect();
    let sig = t.flatten_functype(
        FuncSig {
            params: &params,
            results: &results,
        },
        FlattenOpts::default(),
        AbiContext::Lower,
    );
    lowered_slots_len(&sig)
}

#[test]
fn flat_params_and_result() {
    let mut inst = InstanceState::new(0);
    let mut m = TestMemory::new(256);
    let mut slots = [3u64, 4];
    unsafe {
        call_host(
            &mut inst,
            host_call(&mut slots, &mut m),
            |(a, b): (u32, u32)| Ok(a + b),
        )
    }
    .unwrap();
    assert_eq!(slots[0], 7);
    assert!(m.calls.is_empty());
    assert_eq!(slots_for::<(u32, u32), u32>(), 2);
}

#[test]
fn no_params_no_result() {
    let mut inst = InstanceState::new(0);
    let mut m = TestMemory::new(64);
    let mut slots = [0u64];
    let mut ran = false;
    unsafe {
        call_host(&mut inst, host_call(&mut slots, &mut m), |(): ()| {
            ran = true;
            Ok(())
        })
    }
    .unwrap();
    assert!(ran);
    assert_eq!(slots_for::<(), ()>(), 1);
}

#[test]
fn results_past_one_flat_value_go_to_the_return_pointer() {
    let mut inst = InstanceState::new(0);
    let mut m = TestMemory::new(1024);
    m.write(100, b"abc");
    m.bump = 200;
    // (s: string) -> string: core (ptr, len, retptr) -> ().
    assert_eq!(slots_for::<(String,), String>(), 3);
    let mut slots = [100u64, 3, 40];
    unsafe {
        call_host(
            &mut inst,
            host_call(&mut slots, &mut m),
            |(s,): (GuestStr<'_>,)| {
                assert!(s.is_borrowed());
                Ok(s.to_uppercase())
            },
        )
    }
    .unwrap();
    assert_eq!(m.calls, [(0, 0, 1, 3)]);
    let (ptr, len) = (m.u32_at(40), m.u32_at(44));
    assert_eq!(&m.bytes()[ptr as usize..(ptr + len) as usize], b"ABC");
}

#[test]
fn result_variants_with_handles() {
    let mut inst = InstanceState::new(0);
    let mut m = TestMemory::new(1024);
    // () -> result<own<file>, u32>: flat 2, so a return pointer.
    let mut slots = [48u64];
    unsafe {
        call_host(&mut inst, host_call(&mut slots, &mut m), |(): ()| {
            Ok(Ok::<Own<File>, u32>(Own::new(99)))
        })
    }
    .unwrap();
    assert_eq!((m.bytes()[48], m.u32_at(52)), (0, 1));
    assert_eq!(inst.handles().get(1).unwrap().rep, 99);
    // (borrow<file>) -> u32: the own handle is lent during the call only.
    let mut slots = [1u64];
    unsafe {
        call_host(
            &mut inst,
            host_call(&mut slots, &mut m),
            |(f,): (Borrow<File>,)| Ok(f.rep() + 1),
        )
    }
    .unwrap();
    assert_eq!(slots[0], 100);
    assert_eq!(inst.handles().get(1).unwrap().num_lends, 0);
    // (own<file>) -> (): the handle moves to the host.
    let mut slots = [1u64];
    unsafe {
        call_host(
            &mut inst,
            host_call(&mut slots, &mut m),
            |(f,): (Own<File>,)| {
                assert_eq!(f.rep(), 99);
                Ok(())
            },
        )
    }
    .unwrap();
    assert!(inst.handles().is_empty());
}

#[test]
fn params_past_sixteen_flat_values_come_from_memory() {
    assert_eq!(P17::FLAT, MAX_FLAT_PARAMS + 1);
    assert_eq!(slots_for::<P17, u32>(), 1);
    let mut inst = InstanceState::new(0);
    let mut m = TestMemory::new(256);
    for i in 0..16u32 {
        m.write(64 + 4 * i, &(i + 1).to_le_bytes());
    }
    m.write(128, &[9]);
    let mut slots = [64u64];
    unsafe {
        call_host(&mut inst, host_call(&mut slots, &mut m), |p: P17| {
            Ok(p.0 + p.15 + u32::from(p.16))
        })
    }
    .unwrap();
    assert_eq!(slots[0], 1 + 16 + 9);

    for (ptr, want) in [
        (66u64, "pointer not aligned"),
        (200, "pointer out of bounds"),
        (u64::from(u32::MAX - 3), "pointer out of bounds"),
    ] {
        let mut slots = [ptr];
        let r = unsafe {
            call_host(
                &mut inst,
                host_call(&mut slots, &mut m),
                |_: P17| -> Result<(), Trap> { panic!("not called") },
            )
        };
        assert_eq!(msg(r), want);
    }
}

#[test]
fn the_return_pointer_is_checked() {
    let mut inst = InstanceState::new(0);
    let mut m = TestMemory::new(256);
    for (ptr, want) in [
        (44u64, "pointer not aligned"),
        (248, "pointer out of bounds"),
        (u64::from(u32::MAX - 7), "pointer out of bounds"),
    ] {
        let mut slots = [ptr];
        let r = unsafe {
            call_host(&mut inst, host_call(&mut slots, &mut m), |(): ()| {
                Ok(Some(1u64))
            })
        };
        assert_eq!(msg(r), want);
    }
    // The check comes before any allocation.
    assert!(m.calls.is_empty());
    let mut slots = [43u64];
    let r = unsafe {
        call_host(&mut inst, host_call(&mut slots, &mut m), |(): ()| {
            Ok(Some("x".to_string()))
        })
    };
    assert_eq!(msg(r), "pointer not aligned");
    assert!(m.calls.is_empty());
}

#[test]
fn may_leave_is_cleared_while_lowering_results() {
    let mut inst = InstanceState::new(0);
    let mut m = TestMemory::new(256);
    m.flags_probe = Some(&inst as *const InstanceState);
    let mut slots = [0u64, 0];
    let probe: *mut TestMemory = &mut m;
    let memory = m.view();
    let call = HostCall {
        slots: &mut slots,
        memory,
        // SAFETY: the test memory outlives the call.
        realloc: Some(unsafe { &mut *probe }),
        encoding: UTF8,
    };
    unsafe { call_host(&mut inst, call, |(): ()| Ok(vec![1u8, 2])) }.unwrap();
    assert_eq!(m.flags_seen.len(), 1);
    assert_eq!(m.flags_seen[0] & INSTANCE_FLAG_MAY_LEAVE, 0);
    assert!(inst.may_leave(), "restored after the call");
}

#[test]
fn calling_out_without_may_leave_traps() {
    let mut inst = InstanceState::new(0);
    inst.set_flags(0);
    let mut m = TestMemory::new(64);
    let mut slots = [0u64];
    let r = unsafe {
        call_host(
            &mut inst,
            host_call(&mut slots, &mut m),
            |(): ()| -> Result<(), Trap> { panic!("not called") },
        )
    };
    assert_eq!(msg(r), "cannot leave component instance");
}

#[test]
fn errors_close_the_call_scope() {
    let mut inst = InstanceState::new(0);
    let h = inst.lower_own(File::TYPE, 1).unwrap();
    let mut m = TestMemory::new(64);
    let mut slots = [u64::from(h)];
    let r = unsafe {
        call_host(
            &mut inst,
            host_call(&mut slots, &mut m),
            |(_f,): (Borrow<File>,)| -> Result<(), Trap> { Err(crate::trap::trap("host failed")) },
        )
    };
    assert_eq!(msg(r), "host failed");
    assert_eq!(inst.handles().get(h).unwrap().num_lends, 0, "lend returned");
    assert_eq!(
        msg(inst.exit_call()),
        "resource handle used outside a component call"
    );
    // A parameter trap also leaves no scope behind.
    let mut slots = [0xd800u64];
    let r = unsafe {
        call_host(&mut inst, host_call(&mut slots, &mut m), |(_c,): (char,)| {
            Ok(())
        })
    };
    assert_eq!(msg(r), "converted integer out of range for `char`");
    assert_eq!(
        msg(inst.exit_call()),
        "resource handle used outside a component call"
    );
}

#[test]
fn too_few_slots_trap() {
    let mut inst = InstanceState::new(0);
    let mut m = TestMemory::new(64);
    let mut slots = [0u64; 2];
    let r = unsafe {
        call_host(&mut inst, host_call(&mut slots, &mut m), |_: (String,)| {
            Ok(String::new())
        })
    };
    assert_eq!(msg(r), "lowered import called with 2 slots, expected 3");
}

/// An instance reached as the running component's is: through a cell
/// borrowed for one operation at a time.
struct SharedInstance(std::rc::Rc<std::cell::RefCell<InstanceState>>);

impl crate::InstanceAccess for SharedInstance {
    fn instance(&mut self) -> Result<crate::call::InstanceGuard<'_>, Trap> {
        Ok(crate::call::InstanceGuard::Cell(
            self.0.try_borrow_mut().expect("one borrow at a time"),
        ))
    }
}

/// A `realloc` that, like guest code calling `resource.rep`, reads the
/// instance state it is lowering into.
struct ReentrantRealloc {
    mem: TestMemory,
    inst: std::rc::Rc<std::cell::RefCell<InstanceState>>,
    flags_seen: Vec<u32>,
}

impl Realloc for ReentrantRealloc {
    fn realloc(&mut self, old: u32, old_size: u32, align: u32, new_size: u32) -> Result<u32, Trap> {
        let inst = self
            .inst
            .try_borrow()
            .expect("realloc runs with the instance state not borrowed");
        self.flags_seen.push(inst.flags());
        drop(inst);
        self.mem.realloc(old, old_size, align, new_size)
    }

    fn memory(&self) -> GuestMemory {
        self.mem.view()
    }
}

#[test]
fn realloc_runs_with_the_instance_state_free() {
    let state = std::rc::Rc::new(std::cell::RefCell::new(InstanceState::new(0)));
    let mut inst = SharedInstance(state.clone());
    let mut r = ReentrantRealloc {
        mem: TestMemory::new(256),
        inst: state.clone(),
        flags_seen: Vec::new(),
    };
    let memory = r.mem.view();
    let mut slots = [0u64, 0];
    let call = HostCall {
        slots: &mut slots,
        memory,
        realloc: Some(&mut r),
        encoding: UTF8,
    };
    // A list of own handles: a `realloc`, then a handle-table insertion per
    // element.
    let result = || Ok(vec![Own::<File>::new(5), Own::new(6)]);
    unsafe { call_host(&mut inst, call, |(): ()| result()) }.unwrap();
    assert_eq!(r.flags_seen.len(), 1);
    assert_eq!(r.flags_seen[0] & INSTANCE_FLAG_MAY_LEAVE, 0);
    let state = state.borrow();
    assert!(state.may_leave(), "restored after the call");
    assert_eq!(state.handles().len(), 2);
}
