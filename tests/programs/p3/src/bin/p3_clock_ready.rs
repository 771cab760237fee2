// kiln-test: stdout = "wait-for(0) ready at once: true\nwait-until(now) ready at once: true\nwait-until(past) ready at once: true\nwait-until(0) ready at once: true\nwait-for(50ms) ready at once: false\nwait-for(50ms) done, waited enough: true\n"
//! WASI 0.3 `wait-for`/`wait-until` whose deadline has passed complete
//! within the call (status `RETURNED`, no subtask), so the future is ready
//! on its first poll, as in Wasmtime; a deadline ahead is not.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use wasip3::clocks::monotonic_clock;

struct Cmd;
wasip3::cli::command::export!(Cmd);

fn ready_at_once(f: impl Future<Output = ()>) -> bool {
    let mut cx = Context::from_waker(Waker::noop());
    pin!(f).poll(&mut cx) == Poll::Ready(())
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let now = monotonic_clock::now();
        let cases = [
            ("wait-for(0)", ready_at_once(monotonic_clock::wait_for(0))),
            ("wait-until(now)", ready_at_once(monotonic_clock::wait_until(monotonic_clock::now()))),
            ("wait-until(past)", ready_at_once(monotonic_clock::wait_until(now - 1))),
            ("wait-until(0)", ready_at_once(monotonic_clock::wait_until(0))),
        ];
        for (name, ready) in cases {
            println!("{name} ready at once: {ready}");
        }
        let start = monotonic_clock::now();
        let mut later = pin!(monotonic_clock::wait_for(50_000_000));
        let mut cx = Context::from_waker(Waker::noop());
        let ready = later.as_mut().poll(&mut cx) == Poll::Ready(());
        println!("wait-for(50ms) ready at once: {ready}");
        later.await;
        let enough = monotonic_clock::now() - start >= 50_000_000;
        println!("wait-for(50ms) done, waited enough: {enough}");
        Ok(())
    }
}

fn main() {}
