//! Handle tables and the resource operations, rule by rule.

use super::*;
use crate::abi::{HANDLE_TABLE_MAX_LENGTH, INSTANCE_FLAG_MAY_LEAVE};
use crate::{Borrow, HandleEntry, HandleTable, HostResources, Own, Resource, ResourceType};

const UTF8: StringEncoding = StringEncoding::Utf8;

struct Stream;
impl Resource for Stream {
    const TYPE: ResourceType = ResourceType::Host(1);
}

struct Pollable;
impl Resource for Pollable {
    const TYPE: ResourceType = ResourceType::Host(2);
}

/// A resource defined by component instance 0.
struct Mine;
impl Resource for Mine {
    const TYPE: ResourceType = ResourceType::Defined {
        index: 5,
        instance: 0,
    };
}

const S: ResourceType = Stream::TYPE;

fn own_entry(rep: u32) -> HandleEntry {
    HandleEntry {
        ty: S,
        rep,
        own: true,
        borrow_scope: None,
        num_lends: 0,
        imported: kiln_abi::descriptor::NO_INDEX,
    }
}

#[test]
fn layouts_agree() {
    agrees::<Own<Stream>>();
    agrees::<Borrow<Stream>>();
    agrees::<Result<Own<Stream>, Borrow<Pollable>>>();
}

#[test]
fn index_zero_is_reserved() {
    let mut t = HandleTable::new();
    assert_eq!(t.max_index(), HANDLE_TABLE_MAX_LENGTH);
    assert_eq!(t.add(own_entry(7)).unwrap(), 1);
    assert_eq!(msg(t.get(0)), "unknown handle index 0");
    assert_eq!(msg(t.remove(0)), "unknown handle index 0");
    assert_eq!(msg(t.get(2)), "unknown handle index 2");
}

#[test]
fn freed_indices_are_reused_last_freed_first() {
    let mut t = HandleTable::new();
    for i in 1..=3 {
        assert_eq!(t.add(own_entry(i)).unwrap(), i);
    }
    t.remove(2).unwrap();
    t.remove(1).unwrap();
    assert_eq!(msg(t.get(1)), "unknown handle index 1");
    assert_eq!(t.add(own_entry(10)).unwrap(), 1);
    assert_eq!(t.add(own_entry(20)).unwrap(), 2);
    assert_eq!(t.add(own_entry(30)).unwrap(), 4);
    assert_eq!(t.get(2).unwrap().rep, 20);
    assert_eq!(t.len(), 4);
}

#[test]
fn the_table_is_bounded() {
    let mut t = HandleTable::with_max_index(3);
    for i in 1..=3 {
        assert_eq!(t.add(own_entry(i)).unwrap(), i);
    }
    assert_eq!(
        msg(t.add(own_entry(4))),
        "cannot allocate another handle: index overflow"
    );
    t.remove(3).unwrap();
    assert_eq!(
        t.add(own_entry(4)).unwrap(),
        3,
        "a freed index is still usable"
    );
}

#[test]
fn own_moves_in_and_out() {
    let mut inst = InstanceState::new(1);
    let h = inst.lower_own(S, 42).unwrap();
    assert_eq!(h, 1);
    assert_eq!(inst.resource_rep(S, h).unwrap(), 42);
    assert_eq!(inst.lift_own(S, h).unwrap(), 42);
    assert_eq!(msg(inst.lift_own(S, h)), "unknown handle index 1");
    assert!(inst.handles().is_empty());
}

#[test]
fn wrong_types_trap() {
    let mut inst = InstanceState::new(1);
    let h = inst.lower_own(S, 1).unwrap();
    let m = inst.lower_own(Mine::TYPE, 2).unwrap();
    // Wasmtime's wording, whatever defines the two types.
    let host_host = "handle index 1 used with the wrong type, expected guest-defined resource \
                     but found a different guest-defined resource";
    assert_eq!(msg(inst.lift_own(Pollable::TYPE, h)), host_host);
    inst.enter_call();
    assert_eq!(msg(inst.lift_borrow(Pollable::TYPE, h)), host_host);
    assert_eq!(msg(inst.resource_rep(Pollable::TYPE, h)), host_host);
    assert_eq!(
        msg(inst.resource_drop(Pollable::TYPE, h, &mut |_, _| Ok(()))),
        host_host
    );
    assert_eq!(
        msg(inst.lift_own(S, m)),
        "handle index 2 used with the wrong type, expected guest-defined resource but found \
         a different guest-defined resource"
    );
    // Nothing was removed by the failed operations.
    assert_eq!(inst.handles().len(), 2);
}

#[test]
fn lifting_own_from_a_borrow_traps() {
    let mut inst = InstanceState::new(1);
    inst.enter_call();
    let b = inst.lower_borrow(S, 9).unwrap();
    assert!(!inst.handles().get(b).unwrap().own);
    assert_eq!(
        msg(inst.lift_own(S, b)),
        "cannot lift own resource from a borrow"
    );
}

#[test]
fn lent_owns_cannot_move_or_drop_until_the_call_ends() {
    let mut inst = InstanceState::new(1);
    let h = inst.lower_own(S, 5).unwrap();
    inst.enter_call();
    assert_eq!(inst.lift_borrow(S, h).unwrap(), 5);
    assert_eq!(inst.lift_borrow(S, h).unwrap(), 5);
    assert_eq!(inst.handles().get(h).unwrap().num_lends, 2);
    let lent = "cannot remove owned resource while borrowed";
    assert_eq!(msg(inst.lift_own(S, h)), lent);
    assert_eq!(msg(inst.resource_drop(S, h, &mut |_, _| Ok(()))), lent);
    inst.exit_call().unwrap();
    assert_eq!(inst.handles().get(h).unwrap().num_lends, 0);
    let mut dropped = Vec::new();
    inst.resource_drop(S, h, &mut |ty, rep| {
        dropped.push((ty, rep));
        Ok(())
    })
    .unwrap();
    assert_eq!(dropped, [(S, 5)]);
}

#[test]
fn borrows_are_counted_on_their_call_and_must_be_dropped() {
    let mut inst = InstanceState::new(1);
    inst.enter_call();
    let b = inst.lower_borrow(S, 3).unwrap();
    assert_eq!(inst.handles().get(b).unwrap().borrow_scope, Some(0));
    assert_eq!(
        inst.lift_borrow(S, b).unwrap(),
        3,
        "a borrow lifts as borrow"
    );
    assert_eq!(
        msg(inst.exit_call()),
        "borrow handles still remain at the end of the call"
    );

    let mut inst = InstanceState::new(1);
    inst.enter_call();
    let b = inst.lower_borrow(S, 3).unwrap();
    let mut calls = 0;
    inst.resource_drop(S, b, &mut |_, _| {
        calls += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(calls, 0, "dropping a borrow runs no destructor");
    inst.exit_call().unwrap();
}

#[test]
fn nested_calls_count_their_own_borrows() {
    let mut inst = InstanceState::new(1);
    inst.enter_call();
    let outer = inst.lower_borrow(S, 1).unwrap();
    inst.enter_call();
    let inner = inst.lower_borrow(S, 2).unwrap();
    inst.resource_drop(S, inner, &mut |_, _| Ok(())).unwrap();
    inst.exit_call().unwrap();
    inst.resource_drop(S, outer, &mut |_, _| Ok(())).unwrap();
    inst.exit_call().unwrap();
}

#[test]
fn the_defining_instance_gets_the_rep_of_a_borrow() {
    let mut inst = InstanceState::new(0);
    inst.enter_call();
    assert_eq!(inst.lower_borrow(Mine::TYPE, 77).unwrap(), 77);
    assert!(inst.handles().is_empty());
    inst.exit_call().unwrap();
    // Another instance gets a handle.
    let mut other = InstanceState::new(3);
    other.enter_call();
    assert_eq!(other.lower_borrow(Mine::TYPE, 77).unwrap(), 1);
}

#[test]
fn resource_new_rep_drop() {
    let mut inst = InstanceState::new(0);
    let h = inst.resource_new(Mine::TYPE, 1234).unwrap();
    assert_eq!(inst.resource_rep(Mine::TYPE, h).unwrap(), 1234);
    let mut dtor = Vec::new();
    inst.resource_drop(Mine::TYPE, h, &mut |ty, rep| {
        dtor.push((ty, rep));
        Ok(())
    })
    .unwrap();
    assert_eq!(dtor, [(Mine::TYPE, 1234)]);
    assert_eq!(
        msg(inst.resource_rep(Mine::TYPE, h)),
        "unknown handle index 1"
    );
    assert_eq!(
        msg(inst.resource_drop(Mine::TYPE, h, &mut |_, _| Ok(()))),
        "unknown handle index 1"
    );
    // A destructor's trap surfaces.
    let h = inst.resource_new(Mine::TYPE, 1).unwrap();
    let r = inst.resource_drop(Mine::TYPE, h, &mut |_, _| Err(crate::trap::trap("dtor")));
    assert_eq!(msg(r), "dtor");
}

#[test]
fn resource_drop_needs_may_leave() {
    let mut inst = InstanceState::new(0);
    let h = inst.resource_new(S, 1).unwrap();
    inst.set_flags(inst.flags() & !INSTANCE_FLAG_MAY_LEAVE);
    assert_eq!(
        msg(inst.resource_drop(S, h, &mut |_, _| Ok(()))),
        "cannot leave component instance"
    );
    assert_eq!(inst.handles().len(), 1);
}

#[test]
fn resource_new_needs_may_leave_but_rep_does_not() {
    // Wasmtime's trampolines check may_leave for resource.new and .drop,
    // not for .rep (a realloc calling resource.new traps).
    let mut inst = InstanceState::new(0);
    let h = inst.resource_new(S, 1).unwrap();
    inst.set_flags(inst.flags() & !INSTANCE_FLAG_MAY_LEAVE);
    assert_eq!(
        msg(inst.resource_new(S, 2)),
        "cannot leave component instance"
    );
    assert_eq!(inst.resource_rep(S, h).unwrap(), 1);
    assert_eq!(inst.handles().len(), 1);
}

#[test]
fn handles_outside_a_call_trap_cleanly() {
    let mut inst = InstanceState::new(1);
    let h = inst.lower_own(S, 1).unwrap();
    let outside = "resource handle used outside a component call";
    assert_eq!(msg(inst.lower_borrow(S, 1)), outside);
    assert_eq!(msg(inst.lift_borrow(S, h)), outside);
    assert_eq!(msg(inst.exit_call()), outside);
    let m = TestMemory::new(64);
    assert_eq!(
        msg(lift_flat::<Own<Stream>>(m.bytes(), UTF8, None, &[1])),
        outside
    );
}

#[test]
fn typed_own_and_borrow_go_through_the_table() {
    let mut inst = InstanceState::new(1);
    let mut m = TestMemory::new(256);
    let slots = lower_flat(&mut m, UTF8, Some(&mut inst), &Own::<Stream>::new(11)).unwrap();
    assert_eq!(slots, [1]);
    let at = store(&mut m, UTF8, Some(&mut inst), &Own::<Stream>::new(12)).unwrap();
    assert_eq!(m.u32_at(at), 2);
    inst.enter_call();
    let b: Borrow<Stream> = lift_flat(m.bytes(), UTF8, Some(&mut inst), &[2]).unwrap();
    assert_eq!(b.rep(), 12);
    inst.exit_call().unwrap();
    let o: Own<Stream> = lift_flat(m.bytes(), UTF8, Some(&mut inst), &[1]).unwrap();
    assert_eq!(o.rep(), 11);
    let o: Own<Stream> = load(m.bytes(), UTF8, Some(&mut inst), at).unwrap();
    assert_eq!(o.rep(), 12);
    assert!(inst.handles().is_empty());
    inst.enter_call();
    let slots = lower_flat(&mut m, UTF8, Some(&mut inst), &Borrow::<Stream>::new(3)).unwrap();
    assert_eq!(inst.handles().get(slots[0] as u32).unwrap().rep, 3);
}

#[test]
fn host_resources_are_a_slab() {
    let mut r = HostResources::new();
    let a = r.insert("a");
    let b = r.insert("b");
    assert_eq!((a, b), (0, 1));
    assert_eq!(r.get(b), Some(&"b"));
    assert_eq!(r.remove(a), Some("a"));
    assert_eq!(r.get(a), None);
    assert_eq!(r.remove(a), None);
    assert_eq!(r.insert("c"), a, "keys are reused");
    *r.get_mut(b).unwrap() = "B";
    assert_eq!(r.get(b), Some(&"B"));
    assert_eq!(r.get(99), None);
    assert_eq!(r.len(), 2);
}
