//! Host-level tests of `wasi:io` (and the clock timers it polls), on a
//! [`P2Host`] of their own, without compiled code: poll results, the
//! zero-timer yield, parents and children, and the stream protocol
//! (permits, chunking, splice, error mapping) over scripted streams.

use super::poll::{block, poll, ready};
use super::streams::{blocking_write_and_flush, check_write, splice, write};
use super::*;
use kiln_canon::{Borrow, GuestBytes};
use kiln_wasi_kernel::{WasiConfig, WasiCtx};
use std::cell::RefCell;
use std::rc::Rc;

/// A host of its own for one test.
pub(crate) fn host() -> P2Host {
    let config = WasiConfig {
        args: vec![b"test".to_vec()],
        ..WasiConfig::default()
    };
    P2Host::new(WasiCtx::new(config).expect("context"), &crate::Hooks::NONE)
}

fn borrow<R>(o: &Own<R>) -> Borrow<R> {
    Borrow::new(o.rep())
}

fn polled(h: &mut P2Host, list: &[&Own<PollableRes>]) -> Vec<u32> {
    poll(h, (list.iter().map(|p| borrow(p)).collect(),)).expect("poll")
}

#[test]
fn zero_timers_yield_once() {
    let mut h = host();
    let z = super::super::clocks::subscribe_duration(&mut h, (0,)).unwrap();
    assert!(!ready(&mut h, (borrow(&z),)).unwrap());
    assert!(ready(&mut h, (borrow(&z),)).unwrap());

    // In poll, a fresh zero timer sits out the first round...
    let always = h.new_pollable(Readiness::Always);
    let z2 = super::super::clocks::subscribe_instant(&mut h, (0,)).unwrap();
    assert_eq!(polled(&mut h, &[&always, &z2]), [0]);
    assert_eq!(polled(&mut h, &[&always, &z2]), [0, 1]);
    // ...and is reported by the second when nothing else is ready.
    let z3 = super::super::clocks::subscribe_duration(&mut h, (0,)).unwrap();
    let long = super::super::clocks::subscribe_duration(&mut h, (u64::MAX,)).unwrap();
    assert_eq!(polled(&mut h, &[&long, &z3]), [1]);
    // block returns at once.
    let z4 = super::super::clocks::subscribe_duration(&mut h, (0,)).unwrap();
    block(&mut h, (borrow(&z4),)).unwrap();
    assert!(ready(&mut h, (borrow(&z4),)).unwrap());
}

#[test]
fn poll_reports_every_ready_entry() {
    let mut h = host();
    let always = h.new_pollable(Readiness::Always);
    let long = h.new_pollable(Readiness::Deadline(u64::MAX));
    assert_eq!(polled(&mut h, &[&long, &always, &always]), [1, 2]);
    let start = std::time::Instant::now();
    let now = h.wasi.kernel.clocks.monotonic_now();
    let short = h.new_pollable(Readiness::Deadline(now + 10_000_000));
    assert_eq!(polled(&mut h, &[&long, &short]), [1]);
    assert!(start.elapsed().as_millis() >= 10);
    assert!(!ready(&mut h, (borrow(&long),)).unwrap());
    let t = poll(&mut h, (Vec::new(),)).unwrap_err();
    assert_eq!(t.message, "empty poll list");
}

/// What a scripted output stream saw.
#[derive(Debug, Default)]
struct Seen {
    writes: Vec<Vec<u8>>,
    flushes: u32,
}

/// An output stream with a fixed permit per `check_write`, an optional
/// failure on flush, and a record of its calls.
#[derive(Debug)]
struct Scripted {
    permit: u64,
    flush_fails: Option<fn() -> StreamFailure>,
    seen: Rc<RefCell<Seen>>,
}

impl OutputStreamImpl for Scripted {
    fn check_write(&mut self) -> Result<u64, StreamFailure> {
        Ok(self.permit)
    }
    fn write(&mut self, data: &[u8]) -> Result<(), StreamFailure> {
        if data.len() as u64 > self.permit {
            return Err(StreamFailure::Trap("write exceeded budget".into()));
        }
        self.seen.borrow_mut().writes.push(data.to_vec());
        Ok(())
    }
    fn flush(&mut self) -> Result<(), StreamFailure> {
        self.seen.borrow_mut().flushes += 1;
        self.flush_fails.map_or(Ok(()), |f| Err(f()))
    }
    fn readiness(&self) -> Readiness {
        Readiness::Always
    }
}

fn scripted(h: &mut P2Host, permit: u64) -> (Own<OutputStreamRes>, Rc<RefCell<Seen>>) {
    let seen = Rc::new(RefCell::new(Seen::default()));
    let s = Scripted {
        permit,
        flush_fails: None,
        seen: seen.clone(),
    };
    (h.new_output(Box::new(s)), seen)
}

/// An input stream over fixed bytes, closed at the end.
#[derive(Debug)]
struct Bytes(Vec<u8>);

impl InputStreamImpl for Bytes {
    fn read(&mut self, len: u64) -> Result<Vec<u8>, StreamFailure> {
        if self.0.is_empty() && len > 0 {
            return Err(StreamFailure::Closed);
        }
        let n = self.0.len().min(len as usize);
        Ok(self.0.drain(..n).collect())
    }
    fn readiness(&self) -> Readiness {
        Readiness::Always
    }
}

#[test]
fn blocking_write_goes_in_permit_sized_chunks_then_flushes() {
    let mut h = host();
    let (out, seen) = scripted(&mut h, 3);
    let r = blocking_write_and_flush(&mut h, (borrow(&out), GuestBytes(b"abcdefghij")));
    assert!(matches!(r, Ok(Ok(()))));
    let seen = seen.borrow();
    let sizes: Vec<usize> = seen.writes.iter().map(Vec::len).collect();
    assert_eq!(sizes, [3, 3, 3, 1]);
    assert_eq!(seen.flushes, 1);
}

#[test]
fn write_beyond_permit_is_the_streams_choice() {
    let mut h = host();
    let (out, _) = scripted(&mut h, 2);
    assert!(matches!(check_write(&mut h, (borrow(&out),)), Ok(Ok(2))));
    let t = write(&mut h, (borrow(&out), GuestBytes(b"abc"))).unwrap_err();
    assert_eq!(t.message, "write exceeded budget");
}

#[test]
fn a_stream_that_never_grants_permits_gives_up() {
    let mut h = host();
    let (out, _) = scripted(&mut h, 0);
    let t = blocking_write_and_flush(&mut h, (borrow(&out), GuestBytes(b"a"))).unwrap_err();
    assert_eq!(t.message, "max blocking attempts exceeded");
}

#[test]
fn closed_during_flush_is_not_an_error_but_failure_is() {
    let mut h = host();
    let seen = Rc::new(RefCell::new(Seen::default()));
    let closing = h.new_output(Box::new(Scripted {
        permit: 8,
        flush_fails: Some(|| StreamFailure::Closed),
        seen: seen.clone(),
    }));
    let r = blocking_write_and_flush(&mut h, (borrow(&closing), GuestBytes(b"x")));
    assert!(matches!(r, Ok(Ok(()))));
    let failing = h.new_output(Box::new(Scripted {
        permit: 8,
        flush_fails: Some(|| StreamFailure::Failed("disk on fire".into())),
        seen,
    }));
    let r = blocking_write_and_flush(&mut h, (borrow(&failing), GuestBytes(b"x")));
    let Ok(Err(StreamError::LastOperationFailed(e))) = r else {
        panic!("{r:?}")
    };
    let text = super::error::to_debug_string(&mut h, (Borrow::new(e.rep()),)).unwrap();
    assert_eq!(text, "disk on fire");
}

#[test]
fn splice_moves_at_most_the_permit() {
    let mut h = host();
    let (out, seen) = scripted(&mut h, 3);
    let src = h.new_input(Box::new(Bytes(b"hello".to_vec())));
    let r = splice(&mut h, (borrow(&out), borrow(&src), 10));
    assert!(matches!(r, Ok(Ok(3))));
    let r = splice(&mut h, (borrow(&out), borrow(&src), 10));
    assert!(matches!(r, Ok(Ok(2))));
    let r = splice(&mut h, (borrow(&out), borrow(&src), 10));
    assert!(matches!(r, Ok(Err(StreamError::Closed))));
    assert_eq!(seen.borrow().writes, [b"hel".to_vec(), b"lo".to_vec()]);
}

#[test]
fn subscribing_makes_a_child_until_the_pollable_goes() {
    let mut h = host();
    let (out, _) = scripted(&mut h, 1);
    let p = super::streams::output_subscribe(&mut h, (borrow(&out),)).unwrap();
    assert!(h.io.has_children(OutputStreamRes::TYPE, out.rep()));
    // The child pollable reflects the stream's current readiness.
    assert!(ready(&mut h, (borrow(&p),)).unwrap());
    let ty = PollableRes::TYPE.type_operand();
    assert!(drop_resource(&mut h, ty, p.rep()).unwrap());
    assert!(!h.io.has_children(OutputStreamRes::TYPE, out.rep()));
}
