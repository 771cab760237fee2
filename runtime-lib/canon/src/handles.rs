//! Resource handles: the per-instance handle table, the canonical ABI's
//! handle operations (`lower_own`, `lower_borrow`, `lift_own`,
//! `lift_borrow`, `resource.new/rep/drop`), call scopes with their lends and
//! borrow counts, the host's resource slab, and the typed [`Own`]/[`Borrow`].
//!
//! Table (`Table` in `CanonicalABI.md`): index 0 is reserved; indices go up
//! to `HANDLE_TABLE_MAX_LENGTH` (`2^28 - 1`), past which adding traps; a
//! freed index is reused before any new one, last freed first.
//!
//! Entries are `{type, rep, own, borrow scope, lends}`:
//! - lowering `own` adds an own entry (`resource.new` does the same);
//! - lowering `borrow` gives the defining instance the rep itself, and
//!   otherwise adds a borrow entry counted on the current call scope;
//! - lifting `own` removes the entry, trapping on a borrow or while lent;
//! - lifting `borrow` reads the rep and, for an own entry, lends it until
//!   the current call scope ends;
//! - `resource.drop` removes the entry: own runs the destructor (the
//!   `dropper` callback: guest `dtor`, or the host's drop for host
//!   resources), borrow decrements its scope's count;
//! - a call scope that ends with borrows still counted traps, and its lends
//!   are returned.
//!
//! Call scopes have ids: sync calls nest (the active ids are a stack), but
//! an async call's two scopes (the caller's lends, the callee's borrows)
//! stay open while other tasks run, and are made current only while the
//! call's values move (`super::p3::task`).
//!
//! Live entries of all tables together are bounded as Wasmtime bounds a
//! store's (its `max-component-handles`, default 100 000): adding one more
//! traps with its message, so a guest cannot grow host memory without
//! bound through handles (pollables, streams, descriptors).
//!
//! A handle used as another resource type traps with Wasmtime's "used with
//! the wrong type" message. Host resources are identified by a host type
//! number ([`ResourceType::Host`]), so that every version of one WASI
//! interface imported by a component maps to the same host type, and their
//! rep is a key of the host's [`HostResources`] slab.

use super::call::InstanceState;
use super::memory::{LiftCx, LowerCx};
use super::trap::{self, Trap};
use super::value::{ComponentType, FlatSink, FlatSource, Lift, Lower};
use kiln_abi::component::{
    HANDLE_INDEX_RESERVED, HANDLE_TABLE_MAX_LENGTH, TypeDef, TypeError, TypeIndex, TypeTableBuilder,
};
use kiln_abi::descriptor::NO_INDEX;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most handles live at once in the whole run (Wasmtime 49's default
/// `max-component-handles`: one store per run).
pub const MAX_LIVE_HANDLES: usize = 100_000;

/// Handles live in all tables of the run. Relaxed: only the count matters
/// and component instances run on one thread.
static LIVE_HANDLES: AtomicUsize = AtomicUsize::new(0);

/// The identity of a resource type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ResourceType {
    /// Implemented by the host: a host type number (e.g. one per WASI
    /// resource, whatever the version of the interface that imports it).
    Host(u32),
    /// Defined by a component instance: the plan's resource index and the
    /// defining component instance.
    Defined {
        /// `ResourceIndex` of the component plan.
        index: u32,
        /// The defining component instance.
        instance: u32,
    },
    /// Not a resource: a P3 object (a waitable or a waitable set, the
    /// `super::p3` kind), whose rep is its id in the P3 state.
    Async(u32),
}

impl ResourceType {
    /// Whether a component (not the host) defines it.
    pub fn is_guest(&self) -> bool {
        matches!(self, ResourceType::Defined { .. })
    }

    /// The resource operand of `own`/`borrow` in a type table.
    pub fn type_operand(&self) -> u32 {
        match *self {
            ResourceType::Host(n) => n,
            ResourceType::Defined { index, .. } => index,
            ResourceType::Async(_) => NO_INDEX,
        }
    }
}

/// A Rust marker type standing for one resource type, for [`Own`] and
/// [`Borrow`].
pub trait Resource: 'static {
    /// Its identity.
    const TYPE: ResourceType;
}

/// One entry of a handle table (`ResourceHandle`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandleEntry {
    /// The resource type.
    pub ty: ResourceType,
    /// The representation (the guest's `i32`, or the host's slab key).
    pub rep: u32,
    /// `own` (else `borrow`).
    pub own: bool,
    /// For a borrow: the call scope (its id) whose borrow count includes it.
    pub borrow_scope: Option<u32>,
    /// For an own: how many `borrow`s of it are lent out to calls.
    pub num_lends: u32,
    /// For a host resource: the component's imported resource type (plan
    /// index) it was handed out as, `NO_INDEX` if unknown.
    pub imported: u32,
}

/// A component instance's handle table (see the module docs).
#[derive(Debug)]
pub struct HandleTable {
    entries: Vec<Option<HandleEntry>>,
    free: Vec<u32>,
    max: u32,
}

impl Default for HandleTable {
    fn default() -> Self {
        HandleTable::new()
    }
}

impl HandleTable {
    /// An empty table (index 0 reserved).
    pub fn new() -> HandleTable {
        HandleTable::with_max_index(HANDLE_TABLE_MAX_LENGTH)
    }

    /// An empty table whose largest index is `max` instead of `2^28 - 1`
    /// (tests of the limit).
    pub fn with_max_index(max: u32) -> HandleTable {
        HandleTable {
            entries: vec![None],
            free: Vec::new(),
            max,
        }
    }

    /// The largest index this table hands out.
    pub fn max_index(&self) -> u32 {
        self.max
    }

    /// Number of live entries.
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.is_some()).count()
    }

    /// Whether no entry is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `Table.add`: the last freed index, else the next new one.
    pub fn add(&mut self, e: HandleEntry) -> Result<u32, Trap> {
        // Wasmtime's store holds one handle more than these tables during
        // a command's run (measured with WASI 0.2 and 0.3 guests: its
        // limit hits exactly one handle earlier), counted here so the
        // refusal comes at the same allocation.
        if LIVE_HANDLES.load(Ordering::Relaxed) + 1 >= MAX_LIVE_HANDLES {
            return Err(trap::handle_limit());
        }
        let i = match self.free.pop() {
            Some(i) => {
                self.entries[i as usize] = Some(e);
                i
            }
            None => {
                let i = self.entries.len();
                if i > self.max as usize {
                    return Err(trap::handle_overflow());
                }
                self.entries.push(Some(e));
                i as u32
            }
        };
        LIVE_HANDLES.fetch_add(1, Ordering::Relaxed);
        Ok(i)
    }

    /// `Table.get`.
    pub fn get(&self, i: u32) -> Result<&HandleEntry, Trap> {
        if i == HANDLE_INDEX_RESERVED {
            return Err(trap::unknown_handle(i));
        }
        match self.entries.get(i as usize) {
            Some(Some(e)) => Ok(e),
            _ => Err(trap::unknown_handle(i)),
        }
    }

    /// `Table.get`, mutably.
    pub fn get_mut(&mut self, i: u32) -> Result<&mut HandleEntry, Trap> {
        if i == HANDLE_INDEX_RESERVED {
            return Err(trap::unknown_handle(i));
        }
        match self.entries.get_mut(i as usize) {
            Some(Some(e)) => Ok(e),
            _ => Err(trap::unknown_handle(i)),
        }
    }

    /// `Table.remove`: frees the index for reuse.
    pub fn remove(&mut self, i: u32) -> Result<HandleEntry, Trap> {
        self.get(i)?;
        let e = self.entries[i as usize]
            .take()
            .expect("checked: the entry is live");
        self.free.push(i);
        LIVE_HANDLES.fetch_sub(1, Ordering::Relaxed);
        Ok(e)
    }
}

/// The borrow bookkeeping of one call into or out of an instance.
#[derive(Debug, Default)]
pub(super) struct CallScope {
    /// Own handles lent to this call by `lift_borrow`.
    lenders: Vec<u32>,
    /// Borrow handles this call added to the table by `lower_borrow`.
    num_borrows: u32,
}

/// Both known and different: the component's two imported types are
/// distinct even if the host backs them with one resource.
pub fn check_imported_index(index: u32, want: u32, found: u32) -> Result<(), Trap> {
    if want != NO_INDEX && found != NO_INDEX && want != found {
        return Err(trap::wrong_handle_type(index));
    }
    Ok(())
}

fn check_type(index: u32, expected: ResourceType, found: ResourceType) -> Result<(), Trap> {
    if expected == found {
        Ok(())
    } else {
        Err(trap::wrong_handle_type(index))
    }
}

impl InstanceState {
    /// Starts a call scope (a host call made by this instance, or an export
    /// call into it).
    pub fn enter_call(&mut self) {
        let id = self.open_scope();
        self.scopes.push(id);
    }

    /// Ends the innermost call scope: traps if borrows it handed to this
    /// instance were not dropped, and returns the handles it was lent.
    pub fn exit_call(&mut self) -> Result<(), Trap> {
        let Some(id) = self.scopes.pop() else {
            return Err(trap::no_instance());
        };
        self.close_scope(id)
    }

    /// Opens a call scope that is not (yet) active: an async call's, which
    /// outlives the step that moves its values (tasks interleave, so their
    /// scopes cannot be a stack). Returns its id.
    pub fn open_scope(&mut self) -> u32 {
        match self.scope_free.pop() {
            Some(id) => {
                self.scope_slab[id as usize] = Some(CallScope::default());
                id
            }
            None => {
                self.scope_slab.push(Some(CallScope::default()));
                (self.scope_slab.len() - 1) as u32
            }
        }
    }

    /// Makes open scope `id` the current one (values of its call move).
    pub fn push_scope(&mut self, id: u32) {
        self.scopes.push(id);
    }

    /// Undoes [`InstanceState::push_scope`]; the scope stays open.
    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Whether borrows handed to this instance in scope `id` remain.
    pub fn scope_has_borrows(&self, id: u32) -> bool {
        self.scope_slab
            .get(id as usize)
            .and_then(Option::as_ref)
            .is_some_and(|s| s.num_borrows > 0)
    }

    /// Closes scope `id`: returns the handles it was lent, and traps if
    /// borrows it handed to this instance were not dropped.
    pub fn close_scope(&mut self, id: u32) -> Result<(), Trap> {
        let Some(scope) = self.scope_slab.get_mut(id as usize).and_then(Option::take) else {
            return Err(trap::no_instance());
        };
        self.scope_free.push(id);
        for i in scope.lenders {
            if let Ok(e) = self.handles.get_mut(i) {
                e.num_lends = e.num_lends.saturating_sub(1);
            }
        }
        if scope.num_borrows > 0 {
            return Err(trap::borrows_remain());
        }
        Ok(())
    }

    /// The current call scope.
    fn current_scope(&mut self) -> Result<&mut CallScope, Trap> {
        let id = *self.scopes.last().ok_or_else(trap::no_instance)?;
        self.scope_slab
            .get_mut(id as usize)
            .and_then(Option::as_mut)
            .ok_or_else(trap::no_instance)
    }

    /// `lower_own`: a new own handle for `rep`.
    pub fn lower_own(&mut self, ty: ResourceType, rep: u32) -> Result<u32, Trap> {
        let imported = self.imported_as(ty);
        self.handles.add(HandleEntry {
            ty,
            rep,
            own: true,
            borrow_scope: None,
            num_lends: 0,
            imported,
        })
    }

    /// Sets the host-resource map of the host call about to run (see
    /// `InstanceState::import_resources`; host calls never nest).
    pub fn set_import_resources(&mut self, map: &'static [(u32, u32)]) {
        self.import_resources = map;
    }

    /// The entry of handle `i`, if any.
    pub fn entry(&self, i: u32) -> Result<&HandleEntry, Trap> {
        self.handles.get(i)
    }

    /// The component's imported type for host resource `ty` in the current
    /// host call, or `NO_INDEX`.
    fn imported_as(&self, ty: ResourceType) -> u32 {
        match ty {
            ResourceType::Host(n) => self
                .import_resources
                .iter()
                .find(|(h, _)| *h == n)
                .map_or(NO_INDEX, |(_, p)| *p),
            ResourceType::Defined { .. } | ResourceType::Async(_) => NO_INDEX,
        }
    }

    /// Adds a P3 object of `kind` with id `rep` (see `super::p3`).
    pub fn add_async(&mut self, kind: u32, rep: u32) -> Result<u32, Trap> {
        self.handles.add(HandleEntry {
            ty: ResourceType::Async(kind),
            rep,
            own: true,
            borrow_scope: None,
            num_lends: 0,
            imported: NO_INDEX,
        })
    }

    /// The P3 object behind handle `i`: `Some((kind, id))`, `None` for a
    /// resource handle; an unknown index is Wasmtime's error.
    pub fn async_entry(&self, i: u32) -> Result<Option<(u32, u32)>, Trap> {
        let e = self.handles.get(i)?;
        Ok(match e.ty {
            ResourceType::Async(kind) => Some((kind, e.rep)),
            _ => None,
        })
    }

    /// The id of the P3 object of `kind` behind handle `i`.
    pub fn async_rep(&self, kind: u32, i: u32) -> Result<u32, Trap> {
        let e = self.handles.get(i)?;
        check_type(i, ResourceType::Async(kind), e.ty)?;
        Ok(e.rep)
    }

    /// Whether handle entry `e` may be used as the host resource `ty` in
    /// the current host call: both sides know the component's imported
    /// type and it differs -> the wrong-type error.
    fn check_imported(&self, i: u32, ty: ResourceType, e: &HandleEntry) -> Result<(), Trap> {
        let want = self.imported_as(ty);
        check_imported_index(i, want, e.imported)
    }

    /// `lower_borrow`: the rep itself for the defining instance, else a
    /// borrow handle counted on the current call scope.
    pub fn lower_borrow(&mut self, ty: ResourceType, rep: u32) -> Result<u32, Trap> {
        if let ResourceType::Defined { instance, .. } = ty
            && instance == self.id
        {
            return Ok(rep);
        }
        let scope = *self.scopes.last().ok_or_else(trap::no_instance)?;
        self.current_scope()?;
        let imported = self.imported_as(ty);
        let i = self.handles.add(HandleEntry {
            ty,
            rep,
            own: false,
            borrow_scope: Some(scope),
            num_lends: 0,
            imported,
        })?;
        self.current_scope()?.num_borrows += 1;
        Ok(i)
    }

    /// `lift_own`: removes the own handle `i` and returns its rep.
    pub fn lift_own(&mut self, ty: ResourceType, i: u32) -> Result<u32, Trap> {
        let e = self.handles.get(i)?;
        check_type(i, ty, e.ty)?;
        self.check_imported(i, ty, e)?;
        if e.num_lends != 0 {
            return Err(trap::handle_lent());
        }
        if !e.own {
            return Err(trap::own_from_borrow());
        }
        Ok(self.handles.remove(i)?.rep)
    }

    /// `lift_borrow`: the rep of handle `i`; an own handle is lent to the
    /// current call scope (it cannot be dropped or moved until the scope
    /// ends).
    pub fn lift_borrow(&mut self, ty: ResourceType, i: u32) -> Result<u32, Trap> {
        self.current_scope()?;
        let want = self.imported_as(ty);
        let e = self.handles.get_mut(i)?;
        check_type(i, ty, e.ty)?;
        check_imported_index(i, want, e.imported)?;
        let rep = e.rep;
        if e.own {
            e.num_lends += 1;
            self.current_scope()?.lenders.push(i);
        }
        Ok(rep)
    }

    /// `canon resource.new`: a new own handle for `rep`. Like
    /// `resource.drop` (and unlike `resource.rep`), it checks `may_leave`,
    /// as Wasmtime's trampolines do: a `realloc` or post-return may not
    /// create handles.
    pub fn resource_new(&mut self, ty: ResourceType, rep: u32) -> Result<u32, Trap> {
        self.check_may_leave()?;
        self.lower_own(ty, rep)
    }

    /// `canon resource.rep`: the rep of handle `i` (no `may_leave` check).
    pub fn resource_rep(&self, ty: ResourceType, i: u32) -> Result<u32, Trap> {
        let e = self.handles.get(i)?;
        check_type(i, ty, e.ty)?;
        Ok(e.rep)
    }

    /// `canon resource.drop`: removes handle `i`. For an own handle,
    /// `dropper(ty, rep)` runs the destructor (a guest `dtor` if the type
    /// has one, the host's drop for host resources); for a borrow, its
    /// scope's count goes down.
    pub fn resource_drop(
        &mut self,
        ty: ResourceType,
        i: u32,
        dropper: &mut dyn FnMut(ResourceType, u32) -> Result<(), Trap>,
    ) -> Result<(), Trap> {
        self.check_may_leave()?;
        let e = self.handles.get(i)?;
        check_type(i, ty, e.ty)?;
        if e.num_lends != 0 {
            return Err(trap::handle_lent());
        }
        let e = self.handles.remove(i)?;
        if e.own {
            return dropper(ty, e.rep);
        }
        if let Some(s) = e.borrow_scope
            && let Some(Some(scope)) = self.scope_slab.get_mut(s as usize)
        {
            scope.num_borrows = scope.num_borrows.saturating_sub(1);
        }
        Ok(())
    }
}

/// The host's objects of one kind, keyed by the rep their handles carry.
/// Keys are reused (last freed first), like handle indices.
#[derive(Debug)]
pub struct HostResources<T> {
    slots: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for HostResources<T> {
    fn default() -> Self {
        HostResources {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> HostResources<T> {
    /// An empty slab.
    pub fn new() -> HostResources<T> {
        HostResources::default()
    }

    /// Stores `v` and returns its rep.
    pub fn insert(&mut self, v: T) -> u32 {
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(v);
            return i;
        }
        self.slots.push(Some(v));
        (self.slots.len() - 1) as u32
    }

    /// The object with rep `rep`.
    pub fn get(&self, rep: u32) -> Option<&T> {
        self.slots.get(rep as usize)?.as_ref()
    }

    /// The object with rep `rep`, mutably.
    pub fn get_mut(&mut self, rep: u32) -> Option<&mut T> {
        self.slots.get_mut(rep as usize)?.as_mut()
    }

    /// Removes the object with rep `rep` (the host drop).
    pub fn remove(&mut self, rep: u32) -> Option<T> {
        let v = self.slots.get_mut(rep as usize)?.take()?;
        self.free.push(rep);
        Some(v)
    }

    /// Number of live objects.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An `own<R>` value on the host side: the rep. Lowering it gives the guest
/// a new own handle (lower each `Own` once: ownership moves to the guest);
/// lifting takes the guest's handle away.
pub struct Own<R> {
    rep: u32,
    _r: PhantomData<fn() -> R>,
}

/// A `borrow<R>` value on the host side: the rep, valid for the call.
pub struct Borrow<R> {
    rep: u32,
    _r: PhantomData<fn() -> R>,
}

macro_rules! handle_type {
    ($t:ident, $def:ident, $lift:ident, $lower:ident) => {
        impl<R> $t<R> {
            /// The value for `rep`.
            pub fn new(rep: u32) -> $t<R> {
                $t {
                    rep,
                    _r: PhantomData,
                }
            }

            /// The rep.
            pub fn rep(&self) -> u32 {
                self.rep
            }
        }

        impl<R> std::fmt::Debug for $t<R> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($t), self.rep)
            }
        }

        impl<R> PartialEq for $t<R> {
            fn eq(&self, other: &Self) -> bool {
                self.rep == other.rep
            }
        }

        impl<R: Resource> ComponentType for $t<R> {
            const FLAT: usize = 1;
            const SIZE32: u32 = 4;
            const ALIGN32: u32 = 4;
            fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
                b.add(TypeDef::$def(R::TYPE.type_operand()))
            }
        }

        impl<'m, R: Resource> Lift<'m> for $t<R> {
            fn lift_flat(cx: &mut LiftCx<'m, '_>, src: &mut FlatSource<'_>) -> Result<Self, Trap> {
                let i = src.next_slot() as u32;
                cx.instance()?.$lift(R::TYPE, i).map($t::new)
            }
            fn load(cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<Self, Trap> {
                let i = u32::from_le_bytes(cx.read(ptr)?);
                cx.instance()?.$lift(R::TYPE, i).map($t::new)
            }
        }

        impl<R: Resource> Lower for $t<R> {
            fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
                let i = cx.with_instance(|inst| inst.$lower(R::TYPE, self.rep))?;
                dst.push(u64::from(i));
                Ok(())
            }
            fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
                let i = cx.with_instance(|inst| inst.$lower(R::TYPE, self.rep))?;
                cx.write(ptr, &i.to_le_bytes())
            }
        }
    };
}

handle_type!(Own, Own, lift_own, lower_own);
handle_type!(Borrow, Borrow, lift_borrow, lower_borrow);
