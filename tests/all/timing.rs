//! How long each trial took, and the slowest of them after the run.
//!
//! Every trial of this binary is made with [`trial`] (or
//! [`ignorable_trial`]) instead of `Trial::test` (`Trial::ignorable_test`): it records the trial's name and the wall time of its
//! body, and [`report`] prints the slowest ones when libtest-mimic has
//! run them all, so a slow test is seen in every run (CI's log included)
//! rather than found by hand. Trials run in parallel, so a time includes
//! waiting for the CPU that others hold; the order is what matters.

use libtest_mimic::{Completion, Failed, Trial};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many trials [`report`] lists.
pub const SLOWEST: usize = 25;

/// The name and time of every trial run so far, in completion order.
static TIMES: Mutex<Vec<(String, Duration)>> = Mutex::new(Vec::new());

/// A trial named `name` running `body`, timed.
pub fn trial<F>(name: impl Into<String>, body: F) -> Trial
where
    F: FnOnce() -> Result<(), Failed> + Send + 'static,
{
    ignorable_trial(name, move || body().map(|()| Completion::Completed))
}

/// A trial named `name` running `body`, which may find it has nothing to
/// run (`Completion::Ignored`), timed.
pub fn ignorable_trial<F>(name: impl Into<String>, body: F) -> Trial
where
    F: FnOnce() -> Result<Completion, Failed> + Send + 'static,
{
    let name = name.into();
    let key = name.clone();
    Trial::ignorable_test(name, move || {
        let start = Instant::now();
        let result = body();
        record(key, start.elapsed());
        result
    })
}

/// Records one trial's time.
fn record(name: String, elapsed: Duration) {
    // A poisoned lock only means another trial panicked while pushing;
    // its entry is lost, the rest are still right.
    let mut times = TIMES.lock().unwrap_or_else(|e| e.into_inner());
    times.push((name, elapsed));
}

/// The `n` slowest trials run, slowest first.
pub fn slowest(n: usize) -> Vec<(String, Duration)> {
    let mut times = TIMES.lock().unwrap_or_else(|e| e.into_inner()).clone();
    times.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    times.truncate(n);
    times
}

/// Prints the [`SLOWEST`] trials run, if more than one ran.
pub fn report() {
    let slowest = slowest(SLOWEST);
    if slowest.len() < 2 {
        return;
    }
    println!("\nslowest trials (wall time, run in parallel):");
    for (name, time) in slowest {
        println!("{:>8.2} s  {name}", time.as_secs_f64());
    }
}
