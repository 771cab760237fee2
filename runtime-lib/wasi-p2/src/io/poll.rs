//! `wasi:io/poll`: pollables, `pollable.ready`, `pollable.block` and
//! `poll`, plus the blocking waits of the stream functions.
//!
//! Phase: run time (host functions). Inputs: pollable handles. Outputs:
//! readiness, after waiting through the kernel's reactor (the process's one
//! event loop: descriptors via epoll, deadlines as timeouts).
//!
//! Invariants (Wasmtime, `wasmtime-wasi-io` `impls.rs` and
//! `wasmtime-wasi` `p2/host/clocks.rs`):
//! - `poll` of an empty list traps ("empty poll list"); otherwise it blocks
//!   until at least one pollable is ready and returns the indices of all
//!   pollables ready at that moment. One pollable listed twice is reported
//!   twice.
//! - A pollable is re-evaluated at every wait: a [`Readiness::Child`] asks
//!   its parent for its *current* condition (a stream whose state changed
//!   since `subscribe` is waited on as it is now). A wait that finds a
//!   child pollable ready runs its parent's [`Parent::on_ready`] (a
//!   listening TCP socket accepts then, as in wasmtime). A child of a
//!   parent that [`Parent::settles`] is ready only once the parent's result
//!   is in, not when its descriptor is merely readable.
//! - A zero-duration timer (`subscribe-duration(0)`, or `subscribe-instant`
//!   of a past instant) yields once before it is ready, as wasmtime's
//!   `Deadline::Past` does: its first `ready()` is false; in `poll`, the
//!   first round leaves it out, and only if nothing else is ready does a
//!   second round (which sees it ready) follow; `block` returns at once.
//!
//! Known difference: wasmtime lists the ready indices grouped by its
//! resource-table index of each pollable's parent; Kiln lists them in
//! input order (the same set).

use super::{P2Host, PollableRes, no_object};
use kiln_canon::{Borrow, ResourceType, Trap, trap::trap};
use kiln_wasi_kernel::reactor::{self, Waitable};
use std::collections::HashMap;

/// What a pollable waits for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Ready at once (files, closed streams, finished operations).
    Always,
    /// A host file descriptor becoming readable or writable.
    Fd {
        /// The raw descriptor (owned by the object the pollable came
        /// from, which outlives it: pollables are its children).
        fd: kiln_wasi_kernel::reactor::RawFd,
        /// Wait for writability (else readability).
        write: bool,
    },
    /// The monotonic clock (nanoseconds, `Clocks::monotonic_now`)
    /// reaching this instant (`u64::MAX`: never).
    Deadline(u64),
    /// A descriptor as for [`Readiness::Fd`], or a deadline, whichever
    /// comes first (`wasi:http` operations with a timeout).
    FdUntil {
        /// The raw descriptor.
        fd: kiln_wasi_kernel::reactor::RawFd,
        /// Wait for writability (else readability).
        write: bool,
        /// The monotonic instant that ends the wait.
        deadline: u64,
    },
    /// Whatever the parent object's condition is at the time of the wait:
    /// the pollable is a child of that object (see [`P2Host::new_pollable`]).
    Child(Parent),
}

/// The parent of a child pollable, and how to ask it for its current
/// condition.
#[derive(Copy, Clone, Debug)]
pub struct Parent {
    /// The parent's resource type.
    pub ty: ResourceType,
    /// The parent's rep.
    pub rep: u32,
    /// Its current condition (`rep` passed back); the parent exists for as
    /// long as the child does.
    pub current: fn(&P2Host, u32) -> Readiness,
    /// What the parent does when a wait (`ready`, `block`, `poll`) finds
    /// the child ready, as wasmtime's pollable futures do on completion (a
    /// listening TCP socket accepts the connection then); `None` for most.
    pub on_ready: Option<fn(&mut P2Host, u32)>,
    /// The parent's condition is a result that arrives over a descriptor,
    /// possibly in pieces (an HTTP response): a wait that finds the
    /// descriptor ready asks the parent again (`current` makes progress
    /// with what came in), and the child is ready only once the parent's
    /// condition is, as a wasmtime pollable future is ready only once it
    /// has resolved (`get` then returns the result, never `none`).
    pub settles: bool,
}

impl PartialEq for Parent {
    fn eq(&self, other: &Parent) -> bool {
        (self.ty, self.rep) == (other.ty, other.rep)
    }
}
impl Eq for Parent {}

/// A pollable object: what it waits for.
#[derive(Debug)]
pub struct Pollable {
    /// The condition.
    pub readiness: Readiness,
}

/// Follows [`Readiness::Child`] links to a concrete condition (a chain
/// longer than any WASI object nesting counts as ready).
fn resolve(h: &P2Host, mut r: Readiness) -> Waitable {
    for _ in 0..8 {
        match r {
            Readiness::Always => return Waitable::Ready,
            Readiness::Fd { fd, write } => return Waitable::Fd { fd, write },
            Readiness::Deadline(d) => return Waitable::Deadline(d),
            Readiness::FdUntil {
                fd,
                write,
                deadline,
            } => {
                return Waitable::FdUntil {
                    fd,
                    write,
                    deadline,
                };
            }
            Readiness::Child(p) => r = (p.current)(h, p.rep),
        }
    }
    Waitable::Ready
}

fn reactor_failed(e: kiln_wasi_kernel::error::ErrorCode) -> Trap {
    trap(format!("waiting for readiness failed: {e:?}"))
}

/// Waits (`block`) or probes through the reactor.
fn wait(h: &P2Host, items: &[Waitable], block: bool) -> Result<Vec<bool>, Trap> {
    let clocks = &h.wasi.kernel.clocks;
    reactor::wait(items, &|| clocks.monotonic_now(), block).map_err(reactor_failed)
}

/// Blocks until `r` is ready (the blocking stream operations).
pub fn block_on(h: &P2Host, r: Readiness) -> Result<(), Trap> {
    let w = resolve(h, r);
    wait(h, &[w], true).map(|_| ())
}

/// Readiness flags of pollables `reps` (an entry per element, repeats
/// allowed), waiting until one is ready if `block`; see the module docs
/// for zero-duration timers.
fn wait_pollables(h: &mut P2Host, reps: &[u32], block: bool) -> Result<Vec<bool>, Trap> {
    let mut distinct: Vec<u32> = Vec::new();
    let mut index: HashMap<u32, usize> = HashMap::new();
    let slot: Vec<usize> = reps
        .iter()
        .map(|&rep| {
            *index.entry(rep).or_insert_with(|| {
                distinct.push(rep);
                distinct.len() - 1
            })
        })
        .collect();
    let mut items: Vec<Waitable> = Vec::with_capacity(distinct.len());
    for &rep in &distinct {
        let p =
            h.io.pollables
                .get(rep)
                .ok_or_else(|| no_object("pollable"))?;
        items.push(resolve(h, p.readiness));
    }
    let fresh: Vec<bool> = distinct
        .iter()
        .map(|rep| h.io.unyielded.contains(rep))
        .collect();
    let mut ready = if fresh.iter().any(|&f| f) {
        // The yielding round: fresh timers are not ready yet.
        let first: Vec<Waitable> = items
            .iter()
            .zip(&fresh)
            .map(|(&w, &f)| if f { Waitable::Never } else { w })
            .collect();
        let got = wait(h, &first, false)?;
        for (rep, &f) in distinct.iter().zip(&fresh) {
            if f {
                h.io.unyielded.remove(rep);
            }
        }
        if !block || got.iter().any(|&r| r) {
            got
        } else {
            wait(h, &items, true)?
        }
    } else {
        wait(h, &items, block)?
    };
    // Settling parents: ready only once their result is in (or their
    // deadline passed); otherwise wait on what they wait for now.
    loop {
        let now = h.wasi.kernel.clocks.monotonic_now();
        for (k, &rep) in distinct.iter().enumerate() {
            let Some(Pollable {
                readiness: Readiness::Child(p),
            }) = h.io.pollables.get(rep)
            else {
                continue;
            };
            if !ready[k] || !p.settles {
                continue;
            }
            match resolve(h, Readiness::Child(*p)) {
                Waitable::Ready => {}
                Waitable::Deadline(d) | Waitable::FdUntil { deadline: d, .. } if d <= now => {}
                w => {
                    ready[k] = false;
                    items[k] = w;
                }
            }
        }
        if !block || ready.iter().any(|&r| r) {
            break;
        }
        ready = wait(h, &items, true)?;
    }
    for (&rep, &r) in distinct.iter().zip(&ready) {
        if !r {
            continue;
        }
        if let Some(Pollable {
            readiness:
                Readiness::Child(Parent {
                    rep: parent,
                    on_ready: Some(on_ready),
                    ..
                }),
        }) = h.io.pollables.get(rep)
        {
            let parent = *parent;
            on_ready(h, parent);
        }
    }
    Ok(slot.iter().map(|&k| ready[k]).collect())
}

/// Marks pollable `rep` as a zero-duration timer that yields once.
pub(crate) fn mark_unyielded(h: &mut P2Host, rep: u32) {
    h.io.unyielded.insert(rep);
}

/// `[method]pollable.ready`.
pub fn ready(h: &mut P2Host, (this,): (Borrow<PollableRes>,)) -> Result<bool, Trap> {
    Ok(wait_pollables(h, &[this.rep()], false)?[0])
}

/// `[method]pollable.block`.
pub fn block(h: &mut P2Host, (this,): (Borrow<PollableRes>,)) -> Result<(), Trap> {
    wait_pollables(h, &[this.rep()], true).map(|_| ())
}

/// `poll(in: list<borrow<pollable>>) -> list<u32>`.
pub fn poll(h: &mut P2Host, (list,): (Vec<Borrow<PollableRes>>,)) -> Result<Vec<u32>, Trap> {
    if list.is_empty() {
        return Err(trap("empty poll list"));
    }
    let reps: Vec<u32> = list.iter().map(|b| b.rep()).collect();
    let flags = wait_pollables(h, &reps, true)?;
    Ok(ready_indices(&flags))
}

/// The indices of the set flags, in order.
fn ready_indices(flags: &[bool]) -> Vec<u32> {
    flags
        .iter()
        .enumerate()
        .filter_map(|(i, &r)| r.then_some(i as u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_of_ready_flags() {
        assert_eq!(ready_indices(&[false, true, true, false]), [1, 2]);
        assert!(ready_indices(&[false]).is_empty());
    }

    #[test]
    fn parents_compare_by_identity() {
        fn a(_: &P2Host, _: u32) -> Readiness {
            Readiness::Always
        }
        fn b(_: &P2Host, _: u32) -> Readiness {
            Readiness::Deadline(0)
        }
        let p = |rep, current| Parent {
            ty: ResourceType::Host(7),
            rep,
            current,
            on_ready: None,
            settles: false,
        };
        assert_eq!(Readiness::Child(p(1, a)), Readiness::Child(p(1, b)));
        assert_ne!(Readiness::Child(p(1, a)), Readiness::Child(p(2, a)));
    }
}
