//! `wasi:io@0.2`: `error`, `poll` and `streams`, and the stream and
//! pollable objects the other interfaces hand out (stdio, files, sockets,
//! timers).
//!
//! Phase: run time (host functions). Inputs: lifted parameters. Outputs:
//! stream effects through the kernel; waiting through the kernel's reactor
//! (`kiln_wasi_kernel::reactor`, the one event loop).
//!
//! Map:
//! - [`streams`]: the stream traits ([`OutputStreamImpl`],
//!   [`InputStreamImpl`]), [`StreamFailure`], and the 15 stream functions
//!   with Wasmtime's semantics (its `wasmtime-wasi-io` defaults);
//! - [`poll`]: [`Readiness`], [`Pollable`], `pollable.ready/block`, `poll`,
//!   and the blocking helpers the streams use;
//! - [`error`]: the `error` resource;
//! - [`stdio`]: stdin, stdout and stderr as streams.
//!
//! Parents and children (wasmtime's `ResourceTable::push_child`): a
//! pollable made by a `subscribe` is a child of the object it watches, and
//! dropping an object that still has children traps with "resource has
//! children" ([`IoState::has_children`], checked for every host resource
//! by `super::drop_host_resource`).
//!
//! Invariant: an output stream's writes go through the same kernel objects
//! P1 uses (stdio writes are unbuffered `write(2)`s, so nothing needs
//! flushing at exit).

pub mod error;
pub mod poll;
pub mod stdio;
pub mod streams;

#[cfg(test)]
pub(crate) mod tests;

pub use error::IoError;
pub use poll::{Parent, Pollable, Readiness};
pub use stdio::{StdioInput, StdioOutput, stdio};
pub use streams::{InputStream, InputStreamImpl, OutputStream, OutputStreamImpl, StreamFailure};

use super::P2Host;
use super::host_resources;
use super::table::{Impl, host_fn};
use kiln_canon::abi::{TypeDef, TypeError, TypeIndex, TypeTableBuilder};
use kiln_canon::{
    ComponentType, FlatSink, HostBytes, HostResources, Lower, LowerCx, Own, Resource, ResourceType,
    Trap,
};
use std::collections::{HashMap, HashSet};

host_resources! {
    /// `wasi:io/error.error`.
    IoErrorRes = ("wasi:io/error@0.2", "error");
    /// `wasi:io/poll.pollable`.
    PollableRes = ("wasi:io/poll@0.2", "pollable");
    /// `wasi:io/streams.output-stream`.
    OutputStreamRes = ("wasi:io/streams@0.2", "output-stream");
    /// `wasi:io/streams.input-stream`.
    InputStreamRes = ("wasi:io/streams@0.2", "input-stream");
}

const ERROR: &str = "wasi:io/error@0.2";
const POLL: &str = "wasi:io/poll@0.2";
const STREAMS: &str = "wasi:io/streams@0.2";

/// The `wasi:io` host functions.
pub const IMPLS: &[Impl] = &[
    (
        ERROR,
        "[method]error.to-debug-string",
        host_fn!(error::to_debug_string),
    ),
    (POLL, "[method]pollable.ready", host_fn!(poll::ready)),
    (POLL, "[method]pollable.block", host_fn!(poll::block)),
    (POLL, "poll", host_fn!(poll::poll)),
    (
        STREAMS,
        "[method]input-stream.read",
        host_fn!(streams::read),
    ),
    (
        STREAMS,
        "[method]input-stream.blocking-read",
        host_fn!(streams::blocking_read),
    ),
    (
        STREAMS,
        "[method]input-stream.skip",
        host_fn!(streams::skip),
    ),
    (
        STREAMS,
        "[method]input-stream.blocking-skip",
        host_fn!(streams::blocking_skip),
    ),
    (
        STREAMS,
        "[method]input-stream.subscribe",
        host_fn!(streams::input_subscribe),
    ),
    (
        STREAMS,
        "[method]output-stream.check-write",
        host_fn!(streams::check_write),
    ),
    (
        STREAMS,
        "[method]output-stream.write",
        host_fn!(streams::write),
    ),
    (
        STREAMS,
        "[method]output-stream.blocking-write-and-flush",
        host_fn!(streams::blocking_write_and_flush),
    ),
    (
        STREAMS,
        "[method]output-stream.flush",
        host_fn!(streams::flush),
    ),
    (
        STREAMS,
        "[method]output-stream.blocking-flush",
        host_fn!(streams::blocking_flush),
    ),
    (
        STREAMS,
        "[method]output-stream.subscribe",
        host_fn!(streams::output_subscribe),
    ),
    (
        STREAMS,
        "[method]output-stream.write-zeroes",
        host_fn!(streams::write_zeroes),
    ),
    (
        STREAMS,
        "[method]output-stream.blocking-write-zeroes-and-flush",
        host_fn!(streams::blocking_write_zeroes_and_flush),
    ),
    (
        STREAMS,
        "[method]output-stream.splice",
        host_fn!(streams::splice),
    ),
    (
        STREAMS,
        "[method]output-stream.blocking-splice",
        host_fn!(streams::blocking_splice),
    ),
];

/// The objects of `wasi:io`.
#[derive(Debug, Default)]
pub struct IoState {
    /// Output streams by rep.
    pub outputs: HostResources<OutputStream>,
    /// Input streams by rep.
    pub inputs: HostResources<InputStream>,
    /// Errors by rep.
    pub errors: HostResources<IoError>,
    /// Pollables by rep.
    pub pollables: HostResources<Pollable>,
    /// Live children per parent object (type, rep).
    children: HashMap<(ResourceType, u32), u32>,
    /// Pollables whose first look must not see them ready (wasmtime's
    /// zero-duration timers yield once: see [`poll`]).
    unyielded: HashSet<u32>,
}

impl IoState {
    /// Whether the object `rep` of host type `ty` has live children (then
    /// it cannot be dropped).
    pub fn has_children(&self, ty: ResourceType, rep: u32) -> bool {
        self.children.get(&(ty, rep)).is_some_and(|&n| n > 0)
    }

    /// Records a new child of the object `rep` of host type `ty` (a
    /// pollable, or a stream another interface made a child).
    pub fn add_child(&mut self, ty: ResourceType, rep: u32) {
        *self.children.entry((ty, rep)).or_insert(0) += 1;
    }

    /// Forgets one child of the object `rep` of host type `ty`.
    pub fn remove_child(&mut self, ty: ResourceType, rep: u32) {
        let key = (ty, rep);
        if let Some(n) = self.children.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                self.children.remove(&key);
            }
        }
    }
}

kiln_canon::wit_variant! {
    /// `stream-error`.
    #[derive(Debug)]
    pub enum StreamError {
        LastOperationFailed(Own<IoErrorRes>) = "last-operation-failed",
        Closed = "closed",
    }
}

impl P2Host {
    /// A `stream-error.last-operation-failed` with `message`.
    pub fn stream_failed(&mut self, message: String) -> StreamError {
        StreamError::LastOperationFailed(Own::new(self.io.errors.insert(IoError {
            message,
            payload: None,
        })))
    }

    /// A `stream-error.last-operation-failed` with `message` and the host
    /// error behind it.
    pub fn stream_failed_with(
        &mut self,
        message: String,
        payload: Box<dyn std::any::Any>,
    ) -> StreamError {
        StreamError::LastOperationFailed(Own::new(self.io.errors.insert(IoError {
            message,
            payload: Some(payload),
        })))
    }

    /// A new output stream handle to `s`.
    pub fn new_output(&mut self, s: OutputStream) -> Own<OutputStreamRes> {
        Own::new(self.io.outputs.insert(s))
    }

    /// A new input stream handle to `s`.
    pub fn new_input(&mut self, s: InputStream) -> Own<InputStreamRes> {
        Own::new(self.io.inputs.insert(s))
    }

    /// A new pollable waiting for `readiness`; a [`Readiness::Child`] makes
    /// it a child of that parent (which then cannot be dropped first).
    pub fn new_pollable(&mut self, readiness: Readiness) -> Own<PollableRes> {
        if let Readiness::Child(p) = readiness {
            self.io.add_child(p.ty, p.rep);
        }
        Own::new(self.io.pollables.insert(Pollable { readiness }))
    }
}

/// An owned `list<u8>` result, lowered like [`HostBytes`] (one `realloc`,
/// one copy) instead of a store per byte.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl ComponentType for Bytes {
    const FLAT: usize = <HostBytes<'static> as ComponentType>::FLAT;
    const SIZE32: u32 = <HostBytes<'static> as ComponentType>::SIZE32;
    const ALIGN32: u32 = <HostBytes<'static> as ComponentType>::ALIGN32;
    fn describe(b: &mut TypeTableBuilder) -> Result<TypeIndex, TypeError> {
        let e = u8::describe(b)?;
        b.add(TypeDef::List(e))
    }
}

impl Lower for Bytes {
    fn lower_flat(&self, cx: &mut LowerCx<'_>, dst: &mut FlatSink<'_>) -> Result<(), Trap> {
        HostBytes(&self.0).lower_flat(cx, dst)
    }
    fn store(&self, cx: &mut LowerCx<'_>, ptr: u32) -> Result<(), Trap> {
        HostBytes(&self.0).store(cx, ptr)
    }
}

/// A trap for a rep with no object (cannot happen for reps lifted from a
/// handle of the right type; kept as a trap, never a panic).
pub fn no_object(what: &str) -> Trap {
    kiln_canon::trap::trap(format!("unknown {what}"))
}

/// Drops the `wasi:io` object `rep` of host type `ty`; `false` if `ty` is
/// not a `wasi:io` resource.
pub fn drop_resource(h: &mut P2Host, ty: u32, rep: u32) -> Result<bool, Trap> {
    let t = ResourceType::Host(ty);
    let gone = if t == OutputStreamRes::TYPE {
        h.io.outputs.remove(rep).is_some()
    } else if t == InputStreamRes::TYPE {
        h.io.inputs.remove(rep).is_some()
    } else if t == IoErrorRes::TYPE {
        h.io.errors.remove(rep).is_some()
    } else if t == PollableRes::TYPE {
        match h.io.pollables.remove(rep) {
            Some(p) => {
                h.io.unyielded.remove(&rep);
                if let Readiness::Child(parent) = p.readiness {
                    h.io.remove_child(parent.ty, parent.rep);
                }
                true
            }
            None => false,
        }
    } else {
        return Ok(false);
    };
    if gone {
        Ok(true)
    } else {
        Err(no_object("resource"))
    }
}
