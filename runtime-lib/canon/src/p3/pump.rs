//! A channel whose two ends the host holds: a host source writing it and a
//! host sink reading it (a guest handed a stream the host writes, a
//! received body's contents, to a host function that reads it, sending a
//! new message). No guest copy moves the data, so a host task of the event
//! loop does.
//!
//! Phase: run time (a [`HostAction::Task`] started by `attach_sink`).
//! Inputs: the channel's [`HostSource`](super::HostSource) and
//! [`HostSink`](super::HostSink). Outputs: the source's data written to
//! the sink, then each end's future value (`ended`, `finish`; or `closed`
//! when the sink stops taking) written, and the channel removed.
//!
//! Invariant: data read from the source and not yet taken by the sink is
//! kept by the task, so nothing is lost when the sink blocks; a round moves
//! a bounded amount, so one busy channel cannot keep the loop from others.

use super::copy::host_future_write;
use super::{End, FutureValue, HostAction, HostOp, HostWait, P3Cx, SinkWrite, SourceRead};
use crate::trap::{self, Trap};

/// Bytes read from the source at a time.
const CHUNK: usize = 16 * 1024;

/// Rounds (one read, its writes) per run of the task.
const ROUNDS: usize = 16;

/// Starts the task moving channel `c`'s host source into its host sink.
pub(super) fn start(cx: &mut P3Cx<'_>, c: u32) {
    let mut pending: Vec<u8> = Vec::new();
    cx.start_op(HostOp {
        wait: HostWait::Deadline(0),
        action: HostAction::Task(Box::new(move |rt| {
            rt.with_p3(|cx| run(cx, c, &mut pending))
        })),
    });
}

/// One run: `None` when the channel is done, else what to wait for.
fn run(cx: &mut P3Cx<'_>, c: u32, pending: &mut Vec<u8>) -> Result<Option<HostWait>, Trap> {
    for _ in 0..ROUNDS {
        let Some(ch) = cx.p3.channels.get_mut(c) else {
            return Ok(None);
        };
        if pending.is_empty() {
            let size = (ch.elem_size as usize).max(1);
            let End::Source(src) = &mut ch.writable else {
                return Ok(None);
            };
            let mut buf = vec![0u8; (CHUNK / size).max(1) * size];
            match src.read(cx.host, &mut buf)? {
                SourceRead::Data(n) => {
                    buf.truncate(n);
                    *pending = buf;
                    if pending.is_empty() {
                        continue;
                    }
                }
                SourceRead::End => {
                    let from_source = src.ended();
                    let from_sink = match std::mem::replace(&mut ch.readable, End::Dropped) {
                        End::Sink(mut s) => s.finish(cx.host),
                        _ => None,
                    };
                    return done(cx, c, from_source.into_iter().chain(from_sink));
                }
                SourceRead::Blocked(wait) => return Ok(Some(wait)),
                SourceRead::DataWithStrings(..) | SourceRead::Handles(_) => {
                    return Err(trap::trap(
                        "a host stream of strings or handles cannot feed another host end",
                    ));
                }
            }
        }
        let Some(ch) = cx.p3.channels.get_mut(c) else {
            return Ok(None);
        };
        let End::Sink(sink) = &mut ch.readable else {
            return Ok(None);
        };
        match sink.write(cx.host, pending)? {
            SinkWrite::Wrote(n) => {
                pending.drain(..n.min(pending.len()));
            }
            SinkWrite::Closed(from_sink) => {
                // The sink takes no more: the source learns its reader
                // is gone.
                let from_source = match std::mem::replace(&mut ch.writable, End::Dropped) {
                    End::Source(mut s) => s.closed(cx.host),
                    _ => None,
                };
                return done(cx, c, from_sink.into_iter().chain(from_source));
            }
            SinkWrite::Blocked(wait) => return Ok(Some(wait)),
        }
    }
    Ok(Some(HostWait::Deadline(0)))
}

/// Removes finished channel `c` and writes the future values its ends
/// gave.
fn done(
    cx: &mut P3Cx<'_>,
    c: u32,
    values: impl Iterator<Item = (u32, FutureValue)>,
) -> Result<Option<HostWait>, Trap> {
    cx.p3.channels.remove(c);
    for (f, bytes) in values {
        host_future_write(cx, f, bytes)?;
    }
    Ok(None)
}
