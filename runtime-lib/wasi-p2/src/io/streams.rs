//! `wasi:io/streams`: the stream traits every stream kind implements
//! (stdio here; files and sockets in their interfaces' files) and the 15
//! stream functions.
//!
//! Phase: run time (host functions). Inputs: stream handles, guest bytes.
//! Outputs: stream effects, `stream-error`s.
//!
//! Invariants (Wasmtime, `wasmtime-wasi-io` `impls.rs`/`streams.rs`):
//! - `blocking-write-and-flush` and `blocking-write-zeroes-and-flush` of
//!   more than 4096 bytes trap ("Buffer too large for ... (expected at most
//!   4096)"). Otherwise they wait for write permits, write in chunks of at
//!   most the permit, flush, and wait again; a stream that became *closed*
//!   during the flush or the last wait is not an error.
//! - `blocking-flush` is `flush` then a wait for permits.
//! - Waits for permits or data give up with a trap ("max blocking attempts
//!   exceeded") after 10 wake-ups that found nothing (a stream whose
//!   readiness lies).
//! - `write-zeroes` beyond `check-write` traps ("cannot write more zeroes
//!   than `check_write` allows"); `write` beyond the permits is each
//!   stream's business (stdout accepts anything, as wasmtime's does).
//! - `splice` reads at most `min(len, check-write)` bytes from the source
//!   and writes them; `blocking-splice` waits for permits, blocks to read,
//!   then blocking-writes-and-flushes. A zero permit or an empty read
//!   splices 0 bytes.
//! - `read`/`skip` never block; `blocking-read`/`blocking-skip` of 0
//!   bytes wait for readiness once, then read 0.
//! - A [`StreamFailure::Trap`] ends the program (wasmtime's
//!   `StreamError::Trap`).

use super::poll::{Parent, block_on};
use super::{
    Bytes, InputStreamRes, OutputStreamRes, P2Host, PollableRes, Readiness, StreamError, no_object,
};
use kiln_canon::{Borrow, GuestBytes, Own, Resource, Trap, trap::trap};

/// Why a stream operation failed (`stream-error` before it becomes a
/// resource).
#[derive(Debug)]
pub enum StreamFailure {
    /// `closed`: the other end is gone or end of input.
    Closed,
    /// `last-operation-failed`: the message `error.to-debug-string` shows.
    Failed(String),
    /// `last-operation-failed` with the host error behind it, which
    /// another interface can classify (`wasi:http`'s `http-error-code`
    /// downcasts it, as Wasmtime's `error` resource does).
    FailedWith(String, Box<dyn std::any::Any>),
    /// Not a stream error: the guest broke the protocol (e.g. wrote beyond
    /// its permits) and the program ends with this host error, as
    /// wasmtime's `StreamError::Trap`.
    Trap(String),
}

/// The behaviour behind an `output-stream` (stdio, files, TCP), in the
/// terms of `wasi:io/streams`: `check-write` permits, `write` within
/// them, `flush`, and what to wait on for more permits.
pub trait OutputStreamImpl: std::fmt::Debug {
    /// Bytes that may be written now without blocking (0: not ready).
    fn check_write(&mut self) -> Result<u64, StreamFailure>;
    /// Writes `data` (at most the last `check_write` answer; more is the
    /// stream's choice to accept or to refuse with a
    /// [`StreamFailure::Trap`]).
    fn write(&mut self, data: &[u8]) -> Result<(), StreamFailure>;
    /// Starts (or completes) flushing buffered output.
    fn flush(&mut self) -> Result<(), StreamFailure>;
    /// What `subscribe` waits on now: more write permits or a finished
    /// flush (asked again at every wait).
    fn readiness(&self) -> Readiness;
    /// Writes `len` zero bytes; beyond `check_write` it traps (wasmtime's
    /// default).
    fn write_zeroes(&mut self, len: u64) -> Result<(), StreamFailure> {
        let permit = self.check_write()?;
        if len > permit {
            return Err(StreamFailure::Trap(
                "cannot write more zeroes than `check_write` allows".into(),
            ));
        }
        self.write(&vec![0; len as usize])
    }
}

/// The behaviour behind an `input-stream` (stdin, files, TCP).
pub trait InputStreamImpl: std::fmt::Debug {
    /// Reads up to `len` bytes without blocking: an empty result means
    /// "nothing now" (not end of stream, which is `Closed`).
    fn read(&mut self, len: u64) -> Result<Vec<u8>, StreamFailure>;
    /// What `subscribe` waits on now: data or end of stream (asked again at
    /// every wait).
    fn readiness(&self) -> Readiness;
    /// Skips up to `len` bytes without blocking (default: reads them).
    fn skip(&mut self, len: u64) -> Result<u64, StreamFailure> {
        self.read(len).map(|b| b.len() as u64)
    }
    /// Whether its pollable is ready only once data (or the end) is in,
    /// rather than when its descriptor is readable (see
    /// [`super::poll::Parent::settles`]): a stream whose bytes arrive
    /// framed over a connection (an HTTP body), whose `readiness` makes
    /// progress with what came in.
    fn settles(&self) -> bool {
        false
    }
}

/// An output stream object.
pub type OutputStream = Box<dyn OutputStreamImpl>;
/// An input stream object.
pub type InputStream = Box<dyn InputStreamImpl>;

/// Waits that found nothing before a blocking operation gives up.
const MAX_BLOCKING_ATTEMPTS: u32 = 10;

/// A stream operation's outcome before [`finish`] lowers it.
type Op<T> = Result<T, StreamFailure>;

/// Lowers a stream outcome: failures become `stream-error`s (an `error`
/// resource for `last-operation-failed`), [`StreamFailure::Trap`] a trap.
fn finish<T>(h: &mut P2Host, r: Op<T>) -> Result<Result<T, StreamError>, Trap> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(StreamFailure::Closed) => Ok(Err(StreamError::Closed)),
        Err(StreamFailure::Failed(m)) => Ok(Err(h.stream_failed(m))),
        Err(StreamFailure::FailedWith(m, payload)) => Ok(Err(h.stream_failed_with(m, payload))),
        Err(StreamFailure::Trap(m)) => Err(trap(m)),
    }
}

/// A trap raised while waiting, carried through stream results.
fn trapped(t: Trap) -> StreamFailure {
    StreamFailure::Trap(t.message)
}

fn output(h: &mut P2Host, rep: u32) -> Op<&mut OutputStream> {
    h.io.outputs
        .get_mut(rep)
        .ok_or_else(|| trapped(no_object("output-stream")))
}

fn input(h: &mut P2Host, rep: u32) -> Op<&mut InputStream> {
    h.io.inputs
        .get_mut(rep)
        .ok_or_else(|| trapped(no_object("input-stream")))
}

/// The current condition of output stream `rep` (a child pollable's view).
fn output_readiness(h: &P2Host, rep: u32) -> Readiness {
    h.io.outputs
        .get(rep)
        .map_or(Readiness::Always, |s| s.readiness())
}

/// The current condition of input stream `rep`.
fn input_readiness(h: &P2Host, rep: u32) -> Readiness {
    h.io.inputs
        .get(rep)
        .map_or(Readiness::Always, |s| s.readiness())
}

/// Waits until output stream `rep` grants permits (wasmtime's
/// `write_ready`).
fn write_ready(h: &mut P2Host, rep: u32) -> Op<u64> {
    let mut attempts = 0;
    loop {
        block_on(h, output_readiness(h, rep)).map_err(trapped)?;
        let n = output(h, rep)?.check_write()?;
        if n > 0 {
            return Ok(n);
        }
        if attempts >= MAX_BLOCKING_ATTEMPTS {
            return Err(StreamFailure::Trap("max blocking attempts exceeded".into()));
        }
        attempts += 1;
    }
}

/// wasmtime's default `blocking_write_and_flush` (no size limit here: the
/// host functions check theirs).
fn write_and_flush(h: &mut P2Host, rep: u32, mut data: &[u8]) -> Op<()> {
    loop {
        let permit = write_ready(h, rep)?;
        let n = data
            .len()
            .min(usize::try_from(permit).unwrap_or(usize::MAX));
        output(h, rep)?.write(&data[..n])?;
        data = &data[n..];
        if data.is_empty() {
            break;
        }
    }
    match output(h, rep)?.flush() {
        Ok(()) | Err(StreamFailure::Closed) => {}
        Err(e) => return Err(e),
    }
    match write_ready(h, rep) {
        Ok(_) | Err(StreamFailure::Closed) => Ok(()),
        Err(e) => Err(e),
    }
}

/// wasmtime's default `blocking_read`.
fn read_blocking(h: &mut P2Host, rep: u32, len: u64) -> Op<Vec<u8>> {
    if len == 0 {
        block_on(h, input_readiness(h, rep)).map_err(trapped)?;
        return input(h, rep)?.read(0);
    }
    let mut attempts = 0;
    loop {
        block_on(h, input_readiness(h, rep)).map_err(trapped)?;
        let data = input(h, rep)?.read(len)?;
        if !data.is_empty() {
            return Ok(data);
        }
        if attempts >= MAX_BLOCKING_ATTEMPTS {
            return Err(StreamFailure::Trap("max blocking attempts exceeded".into()));
        }
        attempts += 1;
    }
}

/// The blocking operations' size limit.
fn check_blocking_len(len: u64, what: &str) -> Result<(), Trap> {
    if len > 4096 {
        return Err(trap(format!(
            "Buffer too large for {what} (expected at most 4096)"
        )));
    }
    Ok(())
}

/// `[method]input-stream.read`.
pub fn read(
    h: &mut P2Host,
    (this, len): (Borrow<InputStreamRes>, u64),
) -> Result<Result<Bytes, StreamError>, Trap> {
    let r = input(h, this.rep()).and_then(|s| s.read(len)).map(Bytes);
    finish(h, r)
}

/// `[method]input-stream.blocking-read`.
pub fn blocking_read(
    h: &mut P2Host,
    (this, len): (Borrow<InputStreamRes>, u64),
) -> Result<Result<Bytes, StreamError>, Trap> {
    let r = read_blocking(h, this.rep(), len).map(Bytes);
    finish(h, r)
}

/// `[method]input-stream.skip`.
pub fn skip(
    h: &mut P2Host,
    (this, len): (Borrow<InputStreamRes>, u64),
) -> Result<Result<u64, StreamError>, Trap> {
    let r = input(h, this.rep()).and_then(|s| s.skip(len));
    finish(h, r)
}

/// `[method]input-stream.blocking-skip`: a blocking read, counted.
pub fn blocking_skip(
    h: &mut P2Host,
    (this, len): (Borrow<InputStreamRes>, u64),
) -> Result<Result<u64, StreamError>, Trap> {
    let r = read_blocking(h, this.rep(), len).map(|b| b.len() as u64);
    finish(h, r)
}

/// `[method]input-stream.subscribe`: a child pollable of the stream.
pub fn input_subscribe(
    h: &mut P2Host,
    (this,): (Borrow<InputStreamRes>,),
) -> Result<Own<PollableRes>, Trap> {
    Ok(h.new_pollable(Readiness::Child(Parent {
        ty: InputStreamRes::TYPE,
        rep: this.rep(),
        current: input_readiness,
        on_ready: None,
        settles: h.io.inputs.get(this.rep()).is_some_and(|s| s.settles()),
    })))
}

/// `[method]output-stream.check-write`.
pub fn check_write(
    h: &mut P2Host,
    (this,): (Borrow<OutputStreamRes>,),
) -> Result<Result<u64, StreamError>, Trap> {
    let r = output(h, this.rep()).and_then(|s| s.check_write());
    finish(h, r)
}

/// `[method]output-stream.write`.
pub fn write(
    h: &mut P2Host,
    (this, data): (Borrow<OutputStreamRes>, GuestBytes<'_>),
) -> Result<Result<(), StreamError>, Trap> {
    let r = output(h, this.rep()).and_then(|s| s.write(&data));
    finish(h, r)
}

/// `[method]output-stream.blocking-write-and-flush`.
pub fn blocking_write_and_flush(
    h: &mut P2Host,
    (this, data): (Borrow<OutputStreamRes>, GuestBytes<'_>),
) -> Result<Result<(), StreamError>, Trap> {
    check_blocking_len(data.len() as u64, "blocking-write-and-flush")?;
    let r = write_and_flush(h, this.rep(), &data);
    finish(h, r)
}

/// `[method]output-stream.flush`.
pub fn flush(
    h: &mut P2Host,
    (this,): (Borrow<OutputStreamRes>,),
) -> Result<Result<(), StreamError>, Trap> {
    let r = output(h, this.rep()).and_then(|s| s.flush());
    finish(h, r)
}

/// `[method]output-stream.blocking-flush`.
pub fn blocking_flush(
    h: &mut P2Host,
    (this,): (Borrow<OutputStreamRes>,),
) -> Result<Result<(), StreamError>, Trap> {
    let rep = this.rep();
    let r = output(h, rep)
        .and_then(|s| s.flush())
        .and_then(|()| write_ready(h, rep).map(|_| ()));
    finish(h, r)
}

/// `[method]output-stream.subscribe`: a child pollable of the stream.
pub fn output_subscribe(
    h: &mut P2Host,
    (this,): (Borrow<OutputStreamRes>,),
) -> Result<Own<PollableRes>, Trap> {
    Ok(h.new_pollable(Readiness::Child(Parent {
        ty: OutputStreamRes::TYPE,
        rep: this.rep(),
        current: output_readiness,
        on_ready: None,
        settles: false,
    })))
}

/// `[method]output-stream.write-zeroes`.
pub fn write_zeroes(
    h: &mut P2Host,
    (this, len): (Borrow<OutputStreamRes>, u64),
) -> Result<Result<(), StreamError>, Trap> {
    let r = output(h, this.rep()).and_then(|s| s.write_zeroes(len));
    finish(h, r)
}

/// `[method]output-stream.blocking-write-zeroes-and-flush`.
pub fn blocking_write_zeroes_and_flush(
    h: &mut P2Host,
    (this, len): (Borrow<OutputStreamRes>, u64),
) -> Result<Result<(), StreamError>, Trap> {
    check_blocking_len(len, "blocking-write-zeroes-and-flush")?;
    let zeroes = vec![0; len as usize];
    let r = write_and_flush(h, this.rep(), &zeroes);
    finish(h, r)
}

/// `[method]output-stream.splice`.
pub fn splice(
    h: &mut P2Host,
    (this, src, len): (Borrow<OutputStreamRes>, Borrow<InputStreamRes>, u64),
) -> Result<Result<u64, StreamError>, Trap> {
    let r = (|| {
        let permit = output(h, this.rep())?.check_write()?;
        let len = len.min(permit);
        if len == 0 {
            return Ok(0);
        }
        let data = input(h, src.rep())?.read(len)?;
        if data.is_empty() {
            return Ok(0);
        }
        output(h, this.rep())?.write(&data)?;
        Ok(data.len() as u64)
    })();
    finish(h, r)
}

/// `[method]output-stream.blocking-splice`.
pub fn blocking_splice(
    h: &mut P2Host,
    (this, src, len): (Borrow<OutputStreamRes>, Borrow<InputStreamRes>, u64),
) -> Result<Result<u64, StreamError>, Trap> {
    let r = (|| {
        let permit = write_ready(h, this.rep())?;
        let len = len.min(permit);
        if len == 0 {
            return Ok(0);
        }
        let data = read_blocking(h, src.rep(), len)?;
        if data.is_empty() {
            return Ok(0);
        }
        write_and_flush(h, this.rep(), &data)?;
        Ok(data.len() as u64)
    })();
    finish(h, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream with a fixed budget that refuses writes beyond it.
    #[derive(Debug)]
    struct Budget(u64, Vec<u8>);

    impl OutputStreamImpl for Budget {
        fn check_write(&mut self) -> Result<u64, StreamFailure> {
            Ok(self.0)
        }
        fn write(&mut self, data: &[u8]) -> Result<(), StreamFailure> {
            if data.len() as u64 > self.0 {
                return Err(StreamFailure::Trap("write exceeded budget".into()));
            }
            self.0 -= data.len() as u64;
            self.1.extend_from_slice(data);
            Ok(())
        }
        fn flush(&mut self) -> Result<(), StreamFailure> {
            Ok(())
        }
        fn readiness(&self) -> Readiness {
            Readiness::Always
        }
    }

    #[test]
    fn write_zeroes_is_limited_by_check_write() {
        let mut s = Budget(4, Vec::new());
        assert!(s.write_zeroes(3).is_ok());
        assert_eq!(s.1, [0, 0, 0]);
        match s.write_zeroes(2) {
            Err(StreamFailure::Trap(m)) => {
                assert_eq!(m, "cannot write more zeroes than `check_write` allows")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn blocking_length_limit() {
        assert!(check_blocking_len(4096, "x").is_ok());
        let t = check_blocking_len(4097, "blocking-write-and-flush").unwrap_err();
        assert_eq!(
            t.message,
            "Buffer too large for blocking-write-and-flush (expected at most 4096)"
        );
    }
}
