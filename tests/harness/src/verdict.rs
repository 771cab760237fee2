//! One spec file's run judged against the skip list, and the totals over
//! every file run in this process.
//!
//! Input: a [`Suite`] file and the [`SkipList`]. Output: a [`FileVerdict`]
//! (passed, failed, skipped directives, stale skip entries, time) whose
//! [`FileVerdict::summary_line`] is what each trial prints, and
//! [`summary`], the per-directory and overall totals the test binary prints
//! at the end.
//!
//! Each file runs on its own thread with a generous stack and a time limit:
//! a hang becomes a failure of that file instead of a stuck CI job (the
//! thread is abandoned; the process exits at the end of the run anyway).

use crate::skip::{SkipEntry, SkipList};
use crate::suites::{Suite, SuiteFile};
use crate::wast::{DirectiveFailure, ScriptOutcome, run_script};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Stack of the thread a file runs on.
const FILE_THREAD_STACK: usize = 16 << 20;

/// The judged result of one file.
#[derive(Clone, Debug)]
pub struct FileVerdict {
    /// `<dir>/<file>`.
    pub path: String,
    /// Suite directory.
    pub dir: String,
    /// Directives that passed.
    pub passed: usize,
    /// Failures no skip entry covers.
    pub failed: Vec<DirectiveFailure>,
    /// Failures a skip entry covers, with its reason.
    pub skipped: Vec<(DirectiveFailure, String)>,
    /// File and line entries for this file that covered no failure.
    pub stale: Vec<SkipEntry>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl FileVerdict {
    /// Whether the trial passes (every failure is skipped).
    pub fn ok(&self) -> bool {
        self.failed.is_empty()
    }

    /// `spec/<path>: N passed, N failed, N skipped (T s)`.
    pub fn summary_line(&self) -> String {
        format!(
            "spec/{}: {} passed, {} failed, {} skipped ({:.2} s)",
            self.path,
            self.passed,
            self.failed.len(),
            self.skipped.len(),
            self.elapsed.as_secs_f64()
        )
    }

    /// The failures (at most `limit`), one per line, and stale entries.
    pub fn details(&self, limit: usize) -> String {
        let mut out = String::new();
        for f in self.failed.iter().take(limit) {
            out.push_str(&format!("  {}:{}: {}\n", self.path, f.line, f.message));
        }
        if self.failed.len() > limit {
            out.push_str(&format!("  ... and {} more\n", self.failed.len() - limit));
        }
        for e in &self.stale {
            let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
            out.push_str(&format!(
                "  note: skip entry `{}{at}` covers no failure any more (remove it)\n",
                e.path
            ));
        }
        out
    }
}

/// Runs `file` of `suite` and judges it, giving up after `timeout`.
pub fn run_file(
    suite: &Suite,
    file: &SuiteFile,
    skips: &SkipList,
    timeout: Duration,
) -> FileVerdict {
    let path = suite.path(file);
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let (name, text, features) = (path.clone(), file.text, suite.features);
    let spawned = std::thread::Builder::new()
        .name(format!("spec {path}"))
        .stack_size(FILE_THREAD_STACK)
        .spawn(move || {
            let outcome = run_script(&name, text, features);
            let _ = tx.send(outcome);
        });
    let outcome = match spawned {
        Err(e) => failed_outcome(format!("spawning the file's thread failed: {e}")),
        Ok(_) => match rx.recv_timeout(timeout) {
            Ok(outcome) => outcome,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                failed_outcome(format!("timed out after {} s", timeout.as_secs()))
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                failed_outcome("the runner panicked".into())
            }
        },
    };
    let elapsed = start.elapsed();
    judge(suite.dir.clone(), path, outcome, skips, elapsed)
}

fn failed_outcome(message: String) -> ScriptOutcome {
    ScriptOutcome {
        passed: 0,
        failures: vec![DirectiveFailure { line: 0, message }],
    }
}

fn judge(
    dir: String,
    path: String,
    outcome: ScriptOutcome,
    skips: &SkipList,
    elapsed: Duration,
) -> FileVerdict {
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for f in outcome.failures {
        match skips.lookup(&path, f.line) {
            Some(entry) => skipped.push((f, entry.reason.clone())),
            None => failed.push(f),
        }
    }
    let stale = skips
        .entries_for_file(&path)
        .filter(|e| {
            !skipped
                .iter()
                .any(|(f, _)| e.line.is_none_or(|l| l == f.line))
        })
        .cloned()
        .collect();
    let verdict = FileVerdict {
        path,
        dir,
        passed: outcome.passed,
        failed,
        skipped,
        stale,
        elapsed,
    };
    record(&verdict);
    verdict
}

#[derive(Clone, Debug, Default)]
struct DirTotals {
    files: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
    elapsed: Duration,
}

static TOTALS: Mutex<BTreeMap<String, DirTotals>> = Mutex::new(BTreeMap::new());

fn record(v: &FileVerdict) {
    let mut totals = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    let t = totals.entry(v.dir.clone()).or_default();
    t.files += 1;
    t.passed += v.passed;
    t.failed += v.failed.len();
    t.skipped += v.skipped.len();
    t.elapsed += v.elapsed;
}

/// Per-directory lines and the total over every file run so far in this
/// process (`None` if none ran).
pub fn summary() -> Option<String> {
    let totals = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    if totals.is_empty() {
        return None;
    }
    let mut out = String::from("spec testsuite summary:\n");
    let mut all = DirTotals::default();
    for (dir, t) in totals.iter() {
        out.push_str(&format!(
            "  spec/{dir}: {} files, {} passed, {} failed, {} skipped ({:.1} s)\n",
            t.files,
            t.passed,
            t.failed,
            t.skipped,
            t.elapsed.as_secs_f64()
        ));
        all.files += t.files;
        all.passed += t.passed;
        all.failed += t.failed;
        all.skipped += t.skipped;
        all.elapsed += t.elapsed;
    }
    out.push_str(&format!(
        "spec: {} files, {} passed, {} failed, {} skipped ({:.1} s summed over files)",
        all.files,
        all.passed,
        all.failed,
        all.skipped,
        all.elapsed.as_secs_f64()
    ));
    Some(out)
}
