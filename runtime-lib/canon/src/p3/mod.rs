//! Component-model async (P3) at run time: tasks, waitables and waitable
//! sets, subtasks, streams and futures, and the loop that drives an async
//! export's callback (stackless lifts only: `canon lift async (callback)`,
//! what wit-bindgen emits).
//!
//! Phase: run time, from the first P3 built-in or async export call until
//! the process exits. Inputs: calls of the compiled P3 built-ins
//! ([`builtins`]), the host's P3 functions (through [`P3Cx`]) and the
//! readiness the host's event loop reports ([`Host::p3_wait`]). Outputs:
//! handles in the component instances' tables, bytes copied between guest
//! memories and host ends, events delivered to callbacks.
//!
//! Map:
//! - this file: the state ([`P3State`]): tasks, waitables, waitable sets,
//!   channels, the host operations waiting on the event loop, and the
//!   host-facing API (host ends of streams and futures, subtasks);
//! - [`copy`]: `stream.*` and `future.*`: reads, writes, cancellation,
//!   drops, between two guest ends or a guest end and a host end;
//! - [`builtins`]: the `extern "C"` entries compiled trampolines call;
//! - [`run`]: calling an async export and the event loop that drives it;
//! - [`task`]: calls between component instances (guest subtasks), the
//!   scheduler that interleaves tasks, backpressure and cancellation;
//! - [`errctx`]: error contexts.
//!
//! Handles: every P3 object a component instance holds is an entry of its
//! one handle table (shared with resources, as in the spec), typed
//! `ResourceType::Async(kind)` ([`ASYNC_WAITABLE`], [`ASYNC_SET`] or
//! [`errctx::ASYNC_ERROR`]) with
//! the object's id in this state as its rep; using a handle as the wrong
//! kind traps.
//!
//! Invariants: the state lives inside the component runtime's one cell
//! (the re-entrancy rule of `super::runtime`): built-ins borrow it for one
//! step and release it before any guest code (a callback) runs. One task
//! runs guest code at a time (`current`, innermost last), on the one guest
//! thread; a task of an instance with a task on that stack is not resumed
//! (no re-entrance), so nested waits run only other instances' tasks.
//! Element types of streams and futures without strings, lists, handles
//! or ends are copied as bytes; the others are lifted from the writer and
//! lowered into the reader element by element ([`elem`]), after the
//! built-in released the state (the reader's `realloc` runs guest code).

pub mod builtins;
pub mod copy;
pub mod elem;
pub mod errctx;
mod pump;
pub mod run;
pub mod task;
pub mod traps;

use super::call::InstanceState;
use super::instances::GuestFunc;
use super::runtime::Host;
use super::trap::{self, Trap};
use kiln_abi::ValRaw;
use std::collections::VecDeque;

/// `ResourceType::Async` kind of a waitable (subtask, stream or future
/// end).
pub const ASYNC_WAITABLE: u32 = 1;
/// `ResourceType::Async` kind of a waitable set.
pub const ASYNC_SET: u32 = 2;

/// A slab: ids are reused, last freed first.
#[derive(Debug)]
pub struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// Adds `v`, returning its id.
    pub fn insert(&mut self, v: T) -> u32 {
        if let Some(i) = self.free.pop() {
            self.items[i as usize] = Some(v);
            return i;
        }
        self.items.push(Some(v));
        (self.items.len() - 1) as u32
    }

    /// The item `id`.
    pub fn get(&self, id: u32) -> Option<&T> {
        self.items.get(id as usize)?.as_ref()
    }

    /// The item `id`, mutably.
    pub fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        self.items.get_mut(id as usize)?.as_mut()
    }

    /// Removes item `id`.
    pub fn remove(&mut self, id: u32) -> Option<T> {
        let v = self.items.get_mut(id as usize)?.take()?;
        self.free.push(id);
        Some(v)
    }

    /// Live ids and items.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (i as u32, v)))
    }
}

/// What a waitable is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum WaitableKind {
    /// A call made with an async lowering.
    Subtask,
    /// The readable end of channel `channel`.
    Readable,
    /// The writable end of channel `channel`.
    Writable,
}

/// Why a stream or future end may copy no more (Wasmtime's `DONE` state,
/// entered when the status that says so reaches the guest).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Done {
    /// A future's one value went through.
    Value,
    /// The other end was dropped.
    Dropped,
}

/// A subtask's progress (`subtask_state` codes).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SubtaskState(pub u32);

/// One waitable: a subtask or one end of a stream or future.
#[derive(Debug)]
pub struct Waitable {
    /// The component instance whose table holds it.
    pub instance: u32,
    /// Its handle there (0 while the host holds it).
    pub handle: u32,
    /// What it is.
    pub kind: WaitableKind,
    /// The channel of a stream or future end.
    pub channel: u32,
    /// The waitable set it joined.
    pub set: Option<u32>,
    /// The event waiting to be delivered: (code, payload).
    pub event: Option<(u32, u32)>,
    /// A stream or future end with a copy in progress.
    pub busy: bool,
    /// A stream or future end that may copy no more.
    pub done: Option<Done>,
    /// A subtask's state.
    pub subtask: SubtaskState,
    /// A subtask whose terminal status reached the guest.
    pub delivered: bool,
    /// A subtask's callee task (a guest callee), `u32::MAX` for a host one.
    pub callee: u32,
}

/// One waitable set.
#[derive(Debug, Default)]
pub struct WaitableSet {
    /// Its members (waitable ids).
    pub members: Vec<u32>,
    /// Tasks waiting on it right now.
    pub waiters: u32,
}

/// Where a task is in its life (the scheduler of [`task`] reads it).
pub enum TaskState {
    /// Waiting to enter its instance (backpressure, or an earlier call
    /// still waiting): the core function and its flat arguments.
    Starting(GuestFunc, Vec<ValRaw>),
    /// Running guest code (its core function or callback is on the stack).
    Running,
    /// Its callback returned `WAIT` on waitable set `0`.
    Waiting(u32),
    /// Its callback returned `YIELD`.
    Yielding,
    /// Its callback returned `EXIT` (or a sync lift returned).
    Exited,
}

/// Cancellation of a task by its caller (`subtask.cancel`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Cancel {
    /// Not asked.
    No,
    /// Asked; `TASK_CANCELLED` not yet delivered.
    Requested,
    /// Delivered: the task may call `task.cancel`.
    Delivered,
    /// The task called `task.cancel`.
    Done,
}

/// The guest caller of a task (an async call between two instances).
#[derive(Copy, Clone, Debug)]
pub struct Caller {
    /// The caller's component instance.
    pub instance: u32,
    /// The caller's subtask waitable.
    pub subtask: u32,
    /// The caller's memory (`VMMemoryDefinition` address), 0 for none.
    pub memory: usize,
    /// A sync lowering: the caller waits for the result itself.
    pub sync: bool,
}

/// Lifts a host-called task's flat `task.return` values into the host's
/// own value (see [`Task::host_lift`]).
pub type HostLift = Box<
    dyn FnOnce(&crate::runtime::ComponentRuntime, &[u64]) -> Result<Box<dyn std::any::Any>, Trap>,
>;

/// One task: an async export call in progress.
pub struct Task {
    /// The component instance it runs in.
    pub instance: u32,
    /// `context.get/set` slots.
    pub context: [u32; 2],
    /// The `task.return` values (flat), once returned.
    pub result: Option<Vec<u64>>,
    /// For a task the host called: lifts its `task.return` values during
    /// that call, the only time they are valid (what they point to is the
    /// guest's to free as soon as `task.return` returns); the value goes
    /// to [`Task::lifted`].
    pub host_lift: Option<HostLift>,
    /// What [`Task::host_lift`] made of the values.
    pub lifted: Option<Box<dyn std::any::Any>>,
    /// The type of the value `task.return` must give (the `func_type` of
    /// the lift's type), `u32::MAX` for none.
    pub result_type: u32,
    /// Whether it may block before returning (an `async` function type).
    pub may_block: bool,
    /// Its callback (a stackless async lift), `None` for a sync lift.
    pub callback: Option<GuestFunc>,
    /// The lift's options record of a task a guest called (for a sync
    /// lift's `post-return`); 0 for a task the host called.
    pub lift: usize,
    /// Where it is.
    pub state: TaskState,
    /// Its guest caller, if a guest called it.
    pub caller: Option<Caller>,
    /// Its cancellation.
    pub cancel: Cancel,
    /// The generated halves moving its values, for a call whose values
    /// the runtime does not move itself (see `task.rs`).
    pub halves: Option<Halves>,
    /// The call scopes of a guest's call whose values moved through
    /// generated halves: (the caller's, in its instance: the handles it
    /// lent; the callee's, in this task's instance: the borrows it was
    /// handed), open from the start until it resolves.
    pub scopes: Option<(u32, u32)>,
}

/// The two generated functions of an async call that move its values
/// (the contract of `TRAMPOLINE_ASYNC_CALL`).
#[derive(Copy, Clone, Debug)]
pub struct Halves {
    /// The caller's flat parameters to the callee's core parameters.
    pub params: GuestFunc,
    /// How many core parameters the callee takes.
    pub lift_params: usize,
    /// The callee's results (and the caller's return pointer) to the sync
    /// lowering's flat result; `None` without results.
    pub results: Option<GuestFunc>,
    /// The lowering's return pointer, if the results go to memory.
    pub retptr: Option<u32>,
}

impl Task {
    /// A task of `instance` returning a value of type `result_type`.
    pub fn new(instance: u32, result_type: u32) -> Task {
        Task {
            instance,
            context: [0; 2],
            result: None,
            host_lift: None,
            lifted: None,
            result_type,
            may_block: true,
            callback: None,
            lift: 0,
            state: TaskState::Running,
            caller: None,
            cancel: Cancel::No,
            halves: None,
            scopes: None,
        }
    }
}

/// A host operation waiting on the event loop.
pub struct HostOp {
    /// What to wait for.
    pub wait: HostWait,
    /// What to do when it is ready.
    pub action: HostAction,
}

/// What a host operation waits for (the host maps it to its reactor).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HostWait {
    /// The monotonic clock (nanoseconds) reaches this value.
    Deadline(u64),
    /// A host descriptor is readable (or writable).
    Fd {
        /// The descriptor.
        fd: kiln_platform::poll::Raw,
        /// Writability instead of readability.
        write: bool,
    },
    /// As [`HostWait::Fd`], or the monotonic clock reaches `deadline`,
    /// whichever comes first (a condition the descriptor may not signal:
    /// a `wasi:http` body another drive of its connection finished).
    FdUntil {
        /// The descriptor.
        fd: kiln_platform::poll::Raw,
        /// Writability instead of readability.
        write: bool,
        /// The monotonic instant that ends the wait.
        deadline: u64,
    },
}

/// The results of a host subtask, computed when its wait is over.
pub struct HostResults {
    /// The memory (`VMMemoryDefinition` address) of the return pointer.
    pub memory: usize,
    /// The return pointer of the `async` lowering.
    pub ptr: u32,
    /// Computes the results' bytes as they lie in memory (flat data: no
    /// pointer the guest would have to own, so no `realloc`).
    pub finish: HostFinish,
}

/// Computes a host subtask's result bytes when its wait is over.
pub type HostFinish = Box<dyn FnOnce(&mut dyn Host) -> Result<Vec<u8>, Trap>>;

/// What to do when a [`HostOp`] is ready.
pub enum HostAction {
    /// Subtask waitable `0` returns (a host function without results).
    SubtaskReturn(u32),
    /// Subtask waitable `0` returns, its results stored first (a host
    /// `async func` that waits on the reactor, then returns values).
    SubtaskReturnWith(u32, HostResults),
    /// Retry the pending guest read of channel `0` from its host writer.
    StreamRead(u32),
    /// Retry the pending guest write of channel `0` into its host sink.
    StreamWrite(u32),
    /// Subtask waitable `0` of a host `async func` retries its operation
    /// with the runtime state released (so it may lower results with the
    /// guest's `realloc`): `None` when it stored its results (the subtask
    /// returns), else what to wait for before the next try.
    Retry(u32, HostRetry),
    /// A host task with no subtask (e.g. resolving a future once a body
    /// ended): runs with the runtime state released; `None` when it is
    /// over, else what to wait for before it runs again.
    Task(HostRetry),
}

/// One try of a host `async func` left waiting ([`HostAction::Retry`]).
pub type HostRetry =
    Box<dyn FnMut(&super::runtime::ComponentRuntime) -> Result<Option<HostWait>, Trap>>;

impl HostAction {
    /// The subtask waitable this action returns, if any.
    pub fn subtask(&self) -> Option<u32> {
        match self {
            HostAction::SubtaskReturn(w)
            | HostAction::SubtaskReturnWith(w, _)
            | HostAction::Retry(w, _) => Some(*w),
            HostAction::StreamRead(_) | HostAction::StreamWrite(_) | HostAction::Task(_) => None,
        }
    }
}

/// What a host writer of a stream gives a guest read.
pub enum SourceRead {
    /// This many bytes were written into the buffer.
    Data(usize),
    /// The end of the stream: the host drops its writable end.
    End,
    /// Nothing yet: try again when this is ready.
    Blocked(HostWait),
    /// This many bytes were written, and each `(offset, text)` names a
    /// `string` field (pointer, length) at that byte offset of the buffer
    /// that still needs the text in guest memory: the stream built-in
    /// allocates it with the guest's `realloc` and fills the field once
    /// the P3 state is released. Only sources that never block give it.
    DataWithStrings(usize, Vec<(u32, String)>),
    /// Elements that are `own` handles of host resources: each `(type,
    /// rep)` becomes a handle in the reading instance's table, stored as
    /// the element (an `i32`), in order.
    Handles(Vec<(crate::handles::ResourceType, u32)>),
}

/// A value the host writes to a future: its bytes in the element's
/// canonical layout, and the strings inside it, each at the offset of its
/// (pointer, length) field: the read allocates them with the reader's
/// `realloc` and fills the fields, as a lowering would (once the P3 state
/// is released: the read built-in, or [`P3State::pending_lowers`] for a
/// read that completes later).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FutureValue {
    /// The value's bytes (string fields zero).
    pub bytes: Vec<u8>,
    /// Its strings, packed (field offset and length as little-endian
    /// `u32`s, then the text): one buffer, so that dropping a value (at
    /// many places in the host) is freeing two buffers.
    strings: Vec<u8>,
}

impl FutureValue {
    /// Adds `text`, whose (pointer, length) field is at byte `field`.
    pub fn add_string(&mut self, field: u32, text: &str) {
        self.strings.extend_from_slice(&field.to_le_bytes());
        self.strings
            .extend_from_slice(&(text.len() as u32).to_le_bytes());
        self.strings.extend_from_slice(text.as_bytes());
    }

    /// Whether the value holds strings.
    pub fn has_strings(&self) -> bool {
        !self.strings.is_empty()
    }

    /// Copies the bytes into `memory` at `at` (in bounds: the reader's
    /// buffer was checked) and returns the strings with their fields
    /// rebased there, for [`super::builtins`] to place with the reader's
    /// `realloc`.
    pub fn place(&self, memory: &mut [u8], at: u32) -> Vec<(u32, String)> {
        memory[at as usize..at as usize + self.bytes.len()].copy_from_slice(&self.bytes);
        let mut strings = self.strings();
        for (field, _) in &mut strings {
            *field += at;
        }
        strings
    }

    /// Its strings: (field offset, text), in the order added.
    pub fn strings(&self) -> Vec<(u32, String)> {
        let mut out = Vec::new();
        let mut rest = self.strings.as_slice();
        let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        while rest.len() >= 8 {
            let (field, len) = (word(&rest[..4]), word(&rest[4..8]) as usize);
            let Some(text) = rest.get(8..8 + len) else {
                break;
            };
            out.push((field, String::from_utf8_lossy(text).into_owned()));
            rest = &rest[8 + len..];
        }
        out
    }
}

impl From<Vec<u8>> for FutureValue {
    fn from(bytes: Vec<u8>) -> FutureValue {
        FutureValue {
            bytes,
            strings: Vec::new(),
        }
    }
}

/// The host's writable end of a stream the guest reads (e.g. stdin).
pub trait HostSource {
    /// Reads up to `buf.len()` bytes without blocking for long.
    fn read(&mut self, host: &mut dyn Host, buf: &mut [u8]) -> Result<SourceRead, Trap>;
    /// The guest dropped the readable end; returns a future value to
    /// write, if any (channel, bytes).
    fn closed(&mut self, host: &mut dyn Host) -> Option<(u32, FutureValue)>;
    /// The stream ended; returns a future value to write, if any.
    fn ended(&mut self) -> Option<(u32, FutureValue)>;
    /// Whether the value of [`HostSource::closed`] or
    /// [`HostSource::ended`] reaches the future only on the event loop's
    /// next turn, as [`HostSink::finish_later`]'s does: Wasmtime 49
    /// resolves a file's `read-via-stream` and `read-directory` futures
    /// from the host task that feeds the stream.
    fn finish_later(&self) -> bool {
        false
    }
    /// The source as `Any`, for a host that recognizes its own sources
    /// when a stream comes back to it ([`P3Cx::take_back_source`]).
    fn as_any(&mut self) -> Option<&mut dyn std::any::Any> {
        None
    }
}

/// The host's readable end of a stream the guest writes (e.g. stdout).
pub trait HostSink {
    /// Consumes `data`; `Ok(None)` means the sink is closed (an error the
    /// stream's result future reports), with a future value to write.
    fn write(&mut self, host: &mut dyn Host, data: &[u8]) -> Result<SinkWrite, Trap>;
    /// [`HostSink::write`] with the component instances and the writer's
    /// instance: a sink whose elements hold `own` handles takes them out
    /// of the writer's table here (the bytes hold the writer's handle
    /// numbers).
    fn write_from(
        &mut self,
        host: &mut dyn Host,
        _instances: &mut [InstanceState],
        _writer: u32,
        data: &[u8],
    ) -> Result<SinkWrite, Trap> {
        self.write(host, data)
    }
    /// [`HostSink::write_from`] of `memory[start..start + len]`, with the
    /// writer's whole memory: a sink whose elements hold pointers (strings,
    /// lists) lifts them from there.
    fn write_in(
        &mut self,
        host: &mut dyn Host,
        instances: &mut [InstanceState],
        writer: u32,
        memory: &[u8],
        at: std::ops::Range<usize>,
    ) -> Result<SinkWrite, Trap> {
        let data = memory.get(at).ok_or_else(|| trap::trap("out of bounds"))?;
        self.write_from(host, instances, writer, data)
    }
    /// The guest dropped the writable end; returns a future value to
    /// write, if any (channel, bytes).
    fn finish(&mut self, host: &mut dyn Host) -> Option<(u32, FutureValue)>;
    /// Whether the value of [`HostSink::finish`] reaches the future only
    /// on the event loop's next turn, after the guest waits, instead of at
    /// once. Wasmtime 49 resolves a file's `write-via-stream` future from
    /// the host task that consumes the stream, so a guest that awaits it
    /// right after dropping the stream is BLOCKED and resumes in its
    /// callback (which a trap's backtrace shows); stdout's resolves at once.
    fn finish_later(&self) -> bool {
        false
    }
}

/// What a host sink did with a guest write.
pub enum SinkWrite {
    /// Took this many bytes.
    Wrote(usize),
    /// Cannot take more: the readable end is gone; a future value to write.
    Closed(Option<(u32, FutureValue)>),
    /// Nothing taken yet: try again when this is ready (the write stays
    /// pending, BLOCKED, and the event loop retries it).
    Blocked(HostWait),
}

/// One end of a channel.
pub enum End {
    /// Held by a guest (waitable id).
    Guest(u32),
    /// Held by the host as a source (the writable end).
    Source(Box<dyn HostSource>),
    /// Held by the host as a sink (the readable end).
    Sink(Box<dyn HostSink>),
    /// Held by the host, which writes one value (the writable end of a
    /// future); the value waits here until the guest reads it.
    HostValue(Option<FutureValue>),
    /// A readable end the host holds without reading yet (a `wasi:http`
    /// body the guest handed over, not yet sent or consumed): guest
    /// writes wait, as for a reader that has not read.
    Held,
    /// Dropped.
    Dropped,
}

/// A guest copy in progress: the buffer of a read or a write.
#[derive(Copy, Clone, Debug)]
pub struct PendingCopy {
    /// The waitable whose operation it is.
    pub waitable: u32,
    /// The memory (`VMMemoryDefinition` address).
    pub memory: usize,
    /// The built-in's `CanonOpts` record (its `realloc` and string
    /// encoding, for elements that are lifted and lowered), 0 for none.
    pub opts: usize,
    /// Buffer address.
    pub ptr: u32,
    /// Elements asked for.
    pub len: u32,
}

/// A stream or future: both ends and the copy waiting on each side.
pub struct Channel {
    /// A future (else a stream).
    pub future: bool,
    /// Bytes per element (0 for no payload).
    pub elem_size: u32,
    /// Alignment of an element.
    pub elem_align: u32,
    /// The `stream<T>`/`future<T>` type index.
    pub ty: u32,
    /// The readable end.
    pub readable: End,
    /// The writable end.
    pub writable: End,
    /// A guest read waiting for data.
    pub read: Option<PendingCopy>,
    /// A guest write waiting for a reader.
    pub write: Option<PendingCopy>,
    /// A future whose value was delivered.
    pub done: bool,
    /// Elements are bytes (no string, list, handle or end inside): a copy
    /// between guests copies them as they lie; else it is lifted and
    /// lowered element by element (`elem.rs`).
    pub plain: bool,
}

/// The P3 state of the running component (see the module docs).
#[derive(Default)]
pub struct P3State {
    /// Tasks in progress.
    pub tasks: Slab<Task>,
    /// The task running guest code now, innermost last.
    pub current: Vec<u32>,
    /// Waitables.
    pub waitables: Slab<Waitable>,
    /// Waitable sets.
    pub sets: Slab<WaitableSet>,
    /// Streams and futures.
    pub channels: Slab<Channel>,
    /// Host operations waiting on the event loop, in start order.
    pub ops: VecDeque<HostOp>,
    /// Backpressure counter per component instance.
    pub backpressure: Vec<(u32, u32)>,
    /// Tasks waiting to start, in call order.
    pub starting: VecDeque<u32>,
    /// Strings a host source's elements still need in guest memory:
    /// (field address, text), filled by the read built-in
    /// (`SourceRead::DataWithStrings`).
    pub pending_strings: Vec<(u32, String)>,
    /// Strings of host-written future values delivered to reads that were
    /// waiting (outside their read built-in): `(the read's CanonOpts record
    /// address, [(field address, text)])`, lowered with the reader's
    /// `realloc` before any guest code can see the read complete
    /// (`ComponentRuntime::lower_pending`).
    pub pending_lowers: Vec<(usize, Vec<(u32, String)>)>,
    /// Copies between guests of elements that are lifted and lowered, left
    /// for the built-in to make once the state is released (they call the
    /// reader's `realloc`).
    pub pending_copies: Vec<elem::ElemCopy>,
    /// Error contexts.
    pub errors: Slab<errctx::ErrorCtx>,
    /// A guest's `waitable-set.poll` is taking its turn of the event loop
    /// (guest code is running): host tasks that stand for Wasmtime's
    /// spawned host tasks wait for a turn after it.
    pub polling: bool,
}

/// The parts of the runtime state a P3 step works on.
pub struct P3Cx<'a> {
    /// The P3 state.
    pub p3: &'a mut P3State,
    /// Every component instance's state.
    pub instances: &'a mut [InstanceState],
    /// The host.
    pub host: &'a mut dyn Host,
}

impl P3Cx<'_> {
    /// Component instance `id`.
    pub fn instance(&mut self, id: u32) -> Result<&mut InstanceState, Trap> {
        self.instances
            .get_mut(id as usize)
            .ok_or_else(trap::no_instance)
    }

    /// The current task.
    pub fn current_task(&mut self) -> Result<(u32, &mut Task), Trap> {
        let id = *self
            .p3
            .current
            .last()
            .ok_or_else(|| trap::trap("cannot call a task built-in outside of a task"))?;
        let t = self
            .p3
            .tasks
            .get_mut(id)
            .ok_or_else(|| trap::trap("unknown task"))?;
        Ok((id, t))
    }

    /// Adds a waitable to `instance`'s table; returns (waitable id, handle).
    pub fn new_waitable(
        &mut self,
        instance: u32,
        kind: WaitableKind,
        channel: u32,
    ) -> Result<(u32, u32), Trap> {
        let w = self.p3.waitables.insert(Waitable {
            instance,
            handle: 0,
            kind,
            channel,
            set: None,
            event: None,
            busy: false,
            done: None,
            subtask: SubtaskState(kiln_abi::component::canon::subtask_state::STARTING),
            delivered: false,
            callee: u32::MAX,
        });
        let handle = self.instance(instance)?.add_async(ASYNC_WAITABLE, w);
        match handle {
            Ok(h) => {
                if let Some(x) = self.p3.waitables.get_mut(w) {
                    x.handle = h;
                }
                Ok((w, h))
            }
            Err(e) => {
                self.p3.waitables.remove(w);
                Err(e)
            }
        }
    }

    /// The waitable behind handle `h` of `instance`.
    pub fn waitable_at(&mut self, instance: u32, h: u32) -> Result<u32, Trap> {
        match self.instance(instance)?.async_entry(h)? {
            Some((ASYNC_WAITABLE, w)) => Ok(w),
            _ => Err(traps::not_waitable()),
        }
    }

    /// The waitable set behind handle `h` of `instance`; `wait` selects
    /// the words of `waitable-set.wait`/`poll` and a callback's `WAIT`.
    pub fn set_at(&mut self, instance: u32, h: u32, wait: bool) -> Result<u32, Trap> {
        match self.instance(instance)?.async_entry(h)? {
            Some((ASYNC_SET, s)) => Ok(s),
            _ if wait => Err(traps::not_set_wait()),
            _ => Err(traps::not_set()),
        }
    }

    /// The subtask behind handle `h` of `instance`.
    pub fn subtask_at(&mut self, instance: u32, h: u32) -> Result<u32, Trap> {
        let w = self.waitable_at(instance, h)?;
        match self.p3.waitables.get(w) {
            Some(x) if x.kind == WaitableKind::Subtask => Ok(w),
            _ => Err(traps::not_subtask()),
        }
    }

    /// The stream (or, with `future`, future) end behind handle `h` of
    /// `instance`, of type `ty`: (waitable, channel, which end).
    pub fn end_at(
        &mut self,
        instance: u32,
        h: u32,
        future: bool,
        ty: u32,
    ) -> Result<(u32, u32, WaitableKind), Trap> {
        let entry = self.instance(instance)?.async_entry(h)?;
        let Some((ASYNC_WAITABLE, w)) = entry else {
            return Err(traps::not_end(future));
        };
        let x = self
            .p3
            .waitables
            .get(w)
            .ok_or_else(|| trap::unknown_handle(h))?;
        let (kind, c) = (x.kind, x.channel);
        let ch = match kind {
            WaitableKind::Subtask => None,
            _ => self.p3.channels.get(c),
        };
        match ch {
            Some(ch) if ch.future == future => {
                if ch.ty != ty {
                    return Err(traps::other_type(future));
                }
                Ok((w, c, kind))
            }
            _ => Err(traps::not_end(future)),
        }
    }

    /// Status `payload` of waitable `w` reaches the guest (an event or a
    /// copy's immediate status): the end's copy is over (and the end done
    /// if the status says so), a subtask's terminal status is delivered.
    pub fn deliver(&mut self, w: u32, payload: u32) {
        use kiln_abi::component::builtins::copy_result;
        use kiln_abi::component::canon::subtask_state;
        let Some(x) = self.p3.waitables.get_mut(w) else {
            return;
        };
        if x.kind == WaitableKind::Subtask {
            if payload >= subtask_state::RETURNED {
                x.delivered = true;
            }
            return;
        }
        x.busy = false;
        let future = self.p3.channels.get(x.channel).is_some_and(|c| c.future);
        x.done = match payload & 0xf {
            copy_result::DROPPED => Some(Done::Dropped),
            copy_result::COMPLETED if future => Some(Done::Value),
            _ => x.done,
        };
    }

    /// Records event `(code, payload)` on waitable `w`.
    pub fn post(&mut self, w: u32, code: u32, payload: u32) {
        if let Some(x) = self.p3.waitables.get_mut(w) {
            x.event = Some((code, payload));
        }
    }

    /// Takes the first event of set `set`: (code, handle, payload).
    pub fn take_event(&mut self, set: u32) -> Option<(u32, u32, u32)> {
        let members = self.p3.sets.get(set)?.members.clone();
        for w in members {
            let x = self.p3.waitables.get_mut(w)?;
            if let Some((code, payload)) = x.event.take() {
                let handle = x.handle;
                self.deliver(w, payload);
                return Some((code, handle, payload));
            }
        }
        None
    }

    /// Takes waitable `w`'s event, if any: (code, payload).
    pub fn take_own_event(&mut self, w: u32) -> Option<(u32, u32)> {
        let ev = self.p3.waitables.get_mut(w)?.event.take()?;
        self.deliver(w, ev.1);
        Some(ev)
    }

    /// Starts a host operation; the event loop completes it.
    pub fn start_op(&mut self, op: HostOp) {
        self.p3.ops.push_back(op);
    }

    /// A new channel (a stream or future of type `ty`).
    pub fn new_channel(&mut self, future: bool, ty: u32, elem: (u32, u32)) -> u32 {
        self.p3.channels.insert(Channel {
            future,
            elem_size: elem.0,
            elem_align: elem.1.max(1),
            ty,
            readable: End::Dropped,
            writable: End::Dropped,
            read: None,
            write: None,
            done: false,
            plain: true,
        })
    }

    /// A future the host writes and `instance` reads; returns (channel,
    /// readable handle).
    pub fn host_future(
        &mut self,
        instance: u32,
        ty: u32,
        elem: (u32, u32),
    ) -> Result<(u32, u32), Trap> {
        let c = self.new_channel(true, ty, elem);
        let (w, h) = self.new_waitable(instance, WaitableKind::Readable, c)?;
        if let Some(ch) = self.p3.channels.get_mut(c) {
            ch.readable = End::Guest(w);
            ch.writable = End::HostValue(None);
        }
        Ok((c, h))
    }

    /// A stream the host writes from `source` and `instance` reads;
    /// returns (channel, readable handle).
    pub fn host_stream(
        &mut self,
        instance: u32,
        ty: u32,
        elem: (u32, u32),
        source: Box<dyn HostSource>,
    ) -> Result<(u32, u32), Trap> {
        let c = self.new_channel(false, ty, elem);
        let (w, h) = self.new_waitable(instance, WaitableKind::Readable, c)?;
        if let Some(ch) = self.p3.channels.get_mut(c) {
            ch.readable = End::Guest(w);
            ch.writable = End::Source(source);
        }
        Ok((c, h))
    }

    /// The waitable and channel of the readable end behind handle `h` of
    /// `instance`, checked to be movable (a readable end with no read in
    /// progress), as a transfer needs.
    pub(crate) fn movable_end(&mut self, instance: u32, h: u32) -> Result<(u32, u32), Trap> {
        let w = self.waitable_at(instance, h)?;
        let x = self
            .p3
            .waitables
            .get(w)
            .ok_or_else(|| trap::unknown_handle(h))?;
        if x.kind != WaitableKind::Readable {
            return Err(trap::wrong_handle_type(h));
        }
        if x.busy {
            return Err(trap::trap(
                "cannot transfer a stream or future end while a read or write is in progress",
            ));
        }
        Ok((w, x.channel))
    }

    /// Takes the end `w` behind handle `h` out of `instance`: out of its
    /// waitable set and its handle table (the waitable itself stays).
    pub(crate) fn detach_end(&mut self, instance: u32, h: u32, w: u32) -> Result<(), Trap> {
        if let Some(s) = self.p3.waitables.get(w).and_then(|x| x.set)
            && let Some(set) = self.p3.sets.get_mut(s)
        {
            set.members.retain(|m| *m != w);
        }
        self.instance(instance)?.handles_mut().remove(h)?;
        Ok(())
    }

    /// Takes the readable end behind handle `h` of `instance` (a stream
    /// passed to the host) and gives it to `sink`.
    pub fn take_readable(
        &mut self,
        instance: u32,
        h: u32,
        ty: u32,
        sink: Box<dyn HostSink>,
    ) -> Result<(), Trap> {
        let (w, c) = self.movable_end(instance, h)?;
        if self.p3.channels.get(c).is_none_or(|ch| ch.ty != ty) {
            return Err(trap::wrong_handle_type(h));
        }
        self.detach_end(instance, h, w)?;
        self.p3.waitables.remove(w);
        let ch = self
            .p3
            .channels
            .get_mut(c)
            .ok_or_else(|| trap::unknown_handle(h))?;
        ch.readable = End::Sink(sink);
        // A write already waiting is handed to the sink now, and a writer
        // already gone finishes it: the sink's future value then goes out
        // as the sink says ([`HostSink::finish_later`]), so the future it
        // writes must be the guest's before this call.
        copy::flush_to_sink(self, c)?;
        self.finish_if_writer_gone(c)
    }

    /// Finishes channel `c`'s host sink if its writable end was dropped
    /// with no write waiting, writing the future value the sink gives.
    fn finish_if_writer_gone(&mut self, c: u32) -> Result<(), Trap> {
        let Some(ch) = self.p3.channels.get_mut(c) else {
            return Ok(());
        };
        if !matches!(ch.writable, End::Dropped) || ch.write.is_some() {
            return Ok(());
        }
        let (fut, later) = match std::mem::replace(&mut ch.readable, End::Dropped) {
            End::Sink(mut s) => (s.finish(self.host), s.finish_later()),
            other => {
                ch.readable = other;
                return Ok(());
            }
        };
        self.p3.channels.remove(c);
        match fut {
            Some((f, bytes)) => copy::finish_future_write(self, f, bytes, later),
            None => Ok(()),
        }
    }

    /// Gives `instance` the readable end of future `c`, which the host
    /// writes; returns its handle.
    pub fn guest_readable(&mut self, instance: u32, c: u32) -> Result<u32, Trap> {
        let (w, h) = self.new_waitable(instance, WaitableKind::Readable, c)?;
        if let Some(ch) = self.p3.channels.get_mut(c) {
            ch.readable = End::Guest(w);
            ch.writable = End::HostValue(None);
        }
        Ok(h)
    }

    /// Writes the value of a host-written future (`bytes`, the element's
    /// canonical layout): delivered at once to a waiting guest read, else
    /// kept for the next one.
    pub fn write_future(&mut self, c: u32, value: impl Into<FutureValue>) -> Result<(), Trap> {
        copy::host_future_write(self, c, value.into())
    }

    /// [`P3Cx::write_future`] from a host task on the event loop's next
    /// turn, never inside a guest's `waitable-set.poll`: for a value known
    /// at the call that Wasmtime 49 delivers from its host task, so a guest
    /// that awaits it waits (and a trap after shows the callback's frames).
    pub fn write_future_later(
        &mut self,
        c: u32,
        value: impl Into<FutureValue>,
    ) -> Result<(), Trap> {
        copy::finish_future_write(self, c, value.into(), true)
    }

    /// A subtask of `instance` for a host call in progress; returns
    /// (waitable id, handle).
    pub fn new_subtask(&mut self, instance: u32) -> Result<(u32, u32), Trap> {
        let (w, h) = self.new_waitable(instance, WaitableKind::Subtask, u32::MAX)?;
        if let Some(x) = self.p3.waitables.get_mut(w) {
            x.subtask = SubtaskState(kiln_abi::component::canon::subtask_state::STARTED);
        }
        Ok((w, h))
    }

    /// Takes the readable end behind handle `h` of `instance` (of type
    /// `ty`) into the host without reading it yet ([`End::Held`]);
    /// returns its channel, for [`P3Cx::attach_sink`],
    /// [`P3Cx::give_readable`] or [`P3Cx::drop_held`].
    pub fn hold_readable(&mut self, instance: u32, h: u32, ty: u32) -> Result<u32, Trap> {
        let (w, c) = self.movable_end(instance, h)?;
        if self.p3.channels.get(c).is_none_or(|ch| ch.ty != ty) {
            return Err(trap::wrong_handle_type(h));
        }
        self.detach_end(instance, h, w)?;
        self.p3.waitables.remove(w);
        if let Some(ch) = self.p3.channels.get_mut(c) {
            ch.readable = End::Held;
        }
        Ok(c)
    }

    /// Gives held channel `c`'s readable end to `sink`: a write already
    /// waiting goes to it now, and a writer already gone finishes it.
    pub fn attach_sink(&mut self, c: u32, sink: Box<dyn HostSink>) -> Result<(), Trap> {
        let ch = self
            .p3
            .channels
            .get_mut(c)
            .ok_or_else(|| trap::trap("unknown stream or future"))?;
        ch.readable = End::Sink(sink);
        copy::flush_to_sink(self, c)?;
        let Some(ch) = self.p3.channels.get_mut(c) else {
            return Ok(());
        };
        if matches!(ch.writable, End::Source(_)) {
            // Host to host: no guest copy will move the data.
            pump::start(self, c);
            return Ok(());
        }
        self.finish_if_writer_gone(c)
    }

    /// Gives `instance` the held readable end of channel `c`; returns its
    /// handle.
    pub fn give_readable(&mut self, instance: u32, c: u32) -> Result<u32, Trap> {
        let (w, h) = self.new_waitable(instance, WaitableKind::Readable, c)?;
        if let Some(ch) = self.p3.channels.get_mut(c) {
            ch.readable = End::Guest(w);
        }
        Ok(h)
    }

    /// For held channel `c` (its readable end came back to the host) whose
    /// writer is a host source that `take` recognizes (given the source as
    /// `Any`): what `take` makes of it, and the channel is removed, source
    /// and all. The host then serves the data itself, without the channel
    /// (a body received and handed on whole). `None` leaves `c` as it was.
    pub fn take_back_source<T>(
        &mut self,
        c: u32,
        take: impl FnOnce(&mut dyn std::any::Any) -> Option<T>,
    ) -> Option<T> {
        let ch = self.p3.channels.get_mut(c)?;
        if !matches!(ch.readable, End::Held) || ch.write.is_some() {
            return None;
        }
        let End::Source(src) = &mut ch.writable else {
            return None;
        };
        let t = take(src.as_any()?)?;
        self.p3.channels.remove(c);
        Some(t)
    }

    /// The host drops the held readable end of channel `c`: a waiting
    /// writer sees the reader gone.
    pub fn drop_held(&mut self, c: u32) {
        let Some(ch) = self.p3.channels.get_mut(c) else {
            return;
        };
        ch.readable = End::Dropped;
        let future = ch.future;
        let gone = matches!(ch.writable, End::Dropped);
        if let Some(wr) = ch.write.take() {
            let code = if future {
                kiln_abi::component::canon::event_code::FUTURE_WRITE
            } else {
                kiln_abi::component::canon::event_code::STREAM_WRITE
            };
            let st = kiln_abi::component::builtins::copy_result::DROPPED;
            self.post(wr.waitable, code, st);
        }
        if gone {
            self.p3.channels.remove(c);
        }
    }

    /// Whether code of component instance `instance` may block: the
    /// current task is one of its own that may block (an async export's
    /// task). Another instance's task on top means `instance` runs in a
    /// sync call made from it, which Wasmtime runs as a sync task of its
    /// own, one that may not block.
    pub fn may_block(&mut self, instance: u32) -> bool {
        self.current_task()
            .map(|(_, t)| t.may_block && t.instance == instance)
            .unwrap_or(false)
    }

    /// The current task, if it is one of component instance `instance`
    /// (see [`P3Cx::may_block`]): the task built-ins of an instance called
    /// synchronously from another's task must not see or settle that task.
    pub fn current_task_of(&mut self, instance: u32) -> Result<(u32, &mut Task), Trap> {
        let (id, t) = self.current_task()?;
        if t.instance != instance {
            return Err(trap::trap("cannot call a task built-in outside of a task"));
        }
        Ok((id, t))
    }
}

/// The trap of a blocking operation in a task that may not block.
pub fn cannot_block() -> Trap {
    traps::code(kiln_abi::trap::TrapCode::CannotBlockSyncTask)
}
