//! The official spec testsuite: one trial per `.wast` file, named
//! `spec/<dir>/<file>` (`spec/wasm-v2/i32.wast`,
//! `spec/proposals/simd/simd_lane.wast`), run in-process by the
//! `kiln-test-harness` crate (see its docs). Each trial prints
//! `N passed, N failed, N skipped` for its file; `main` prints the totals
//! ([`summary`]). Failures listed in `tests/spec-skip.txt` (the one skip
//! list, every entry with a reason) do not fail the trial.

use kiln_test_harness::skip::SkipList;
use kiln_test_harness::suites::suites;
use kiln_test_harness::verdict::run_file;
use libtest_mimic::{Failed, Trial};
use std::sync::Arc;
use std::time::Duration;

/// Longest a single file may run (the slowest take a few seconds).
const FILE_TIMEOUT: Duration = Duration::from_secs(600);

/// At most this many failures are listed per file.
const MAX_LISTED_FAILURES: usize = 40;

pub fn trials() -> Vec<Trial> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/spec-skip.txt");
    let skips = match std::fs::read_to_string(path)
        .map_err(|e| format!("reading {path}: {e}"))
        .and_then(|text| SkipList::parse(&text))
    {
        Ok(s) => Arc::new(s),
        Err(e) => {
            return vec![crate::timing::trial(
                "spec/skip-list",
                move || Err(e.into()),
            )];
        }
    };
    let mut trials = Vec::new();
    for suite in suites() {
        let suite = Arc::new(suite);
        for i in 0..suite.files.len() {
            let (suite, skips) = (suite.clone(), skips.clone());
            let name = format!("spec/{}", suite.path(&suite.files[i]));
            trials.push(crate::timing::trial(name, move || {
                let verdict = run_file(&suite, &suite.files[i], &skips, FILE_TIMEOUT);
                println!("{}", verdict.summary_line());
                let details = verdict.details(MAX_LISTED_FAILURES);
                if verdict.ok() {
                    print!("{details}");
                    Ok(())
                } else {
                    Err(Failed::from(format!(
                        "{}\n{details}",
                        verdict.summary_line()
                    )))
                }
            }));
        }
    }
    trials
}

/// The totals over the spec files that ran, if any.
pub fn summary() -> Option<String> {
    kiln_test_harness::verdict::summary()
}
