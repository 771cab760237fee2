//! Running totals of the differential target, printed to stderr every
//! [`EVERY`] cases (libFuzzer's `#N` counts executions; these say how many
//! of them compared something, and why the others were skipped).

use super::Verdict;
use std::sync::Mutex;

/// Cases between two summaries.
pub const EVERY: u64 = 2_000;

#[derive(Default)]
struct Totals {
    cases: u64,
    compared: u64,
    calls: u64,
    traps: u64,
    skipped_generation: u64,
    skipped_other: u64,
}

static TOTALS: Mutex<Totals> = Mutex::new(Totals {
    cases: 0,
    compared: 0,
    calls: 0,
    traps: 0,
    skipped_generation: 0,
    skipped_other: 0,
});

/// Counts one case; prints a summary every [`EVERY`] cases.
pub fn record(verdict: &Verdict) {
    let mut t = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    t.cases += 1;
    match verdict {
        Verdict::Same { calls, traps } => {
            t.compared += 1;
            t.calls += *calls as u64;
            t.traps += *traps as u64;
        }
        Verdict::Skipped(why) if why.starts_with("generation") => t.skipped_generation += 1,
        Verdict::Skipped(_) => t.skipped_other += 1,
    }
    if t.cases.is_multiple_of(EVERY) {
        eprintln!(
            "kiln-fuzz differential: {} cases: {} compared ({} calls, {} of them trapping), \
             skipped: {} too short to generate, {} stack/resource limits or refused by wasmi",
            t.cases, t.compared, t.calls, t.traps, t.skipped_generation, t.skipped_other
        );
    }
}
