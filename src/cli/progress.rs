//! The progress line of long compiles: `kiln: compiling 1234/5678
//! functions`, then `kiln: linking`, redrawn in place on stderr.
//!
//! Input: the compiler's [`ProgressCounts`] (functions to compile and
//! compiled, counted by its worker threads) and the phase the CLI sets.
//! Output: one line on stderr, drawn only when stderr is a terminal and only
//! once the compile has taken a second (short builds stay silent), erased
//! when the build ends, so it never mixes with the build's own output or
//! errors. A drawing thread polls the counts; the compiler never blocks on
//! it.

use kiln_compiler::{Progress, ProgressCounts};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a build runs before the line appears, unless `KILN_PROGRESS`
/// says otherwise (`0`: never; `now`: at once, still only on a terminal).
const DELAY: Duration = Duration::from_secs(1);
/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(100);

const COMPILING: u8 = 0;
const LINKING: u8 = 1;

/// The state the drawing thread reads.
struct Shared {
    counts: Arc<ProgressCounts>,
    phase: AtomicU8,
    stop: AtomicBool,
    /// Whether anything is on the line (to erase at the end).
    drawn: Mutex<bool>,
}

/// A progress line for one build; erased when dropped. Inert when stderr
/// is not a terminal.
pub struct ProgressLine {
    shared: Option<Arc<Shared>>,
    thread: Option<JoinHandle<()>>,
}

impl ProgressLine {
    /// Starts the line's clock (and its thread, if stderr is a terminal).
    pub fn start() -> ProgressLine {
        let setting = std::env::var("KILN_PROGRESS").unwrap_or_default();
        let delay = if setting == "now" {
            Duration::ZERO
        } else {
            DELAY
        };
        if !std::io::stderr().is_terminal() || setting == "0" {
            return ProgressLine {
                shared: None,
                thread: None,
            };
        }
        let shared = Arc::new(Shared {
            counts: Arc::new(ProgressCounts::default()),
            phase: AtomicU8::new(COMPILING),
            stop: AtomicBool::new(false),
            drawn: Mutex::new(false),
        });
        let s = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("kiln-progress".into())
            .spawn(move || draw_loop(&s, delay))
            .ok();
        ProgressLine {
            shared: Some(shared),
            thread,
        }
    }

    /// The sink to put in the compiler's `Config::progress`.
    pub fn sink(&self) -> Progress {
        match &self.shared {
            Some(s) => Progress::new(Arc::clone(&s.counts)),
            None => Progress::default(),
        }
    }

    /// The compile is done; the link starts.
    pub fn linking(&self) {
        if let Some(s) = &self.shared {
            s.phase.store(LINKING, Ordering::Relaxed);
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        let Some(s) = &self.shared else { return };
        s.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let drawn = s.drawn.lock().map(|d| *d).unwrap_or(false);
        if drawn {
            let _ = std::io::stderr().write_all(b"\r\x1b[K");
        }
    }
}

/// The text of the line.
fn line(phase: u8, done: usize, total: usize) -> String {
    match phase {
        LINKING => "kiln: linking".to_string(),
        _ => format!("kiln: compiling {done}/{total} functions"),
    }
}

fn draw_loop(s: &Shared, delay: Duration) {
    let start = Instant::now();
    while !s.stop.load(Ordering::Relaxed) {
        std::thread::sleep(TICK);
        if start.elapsed() < delay || s.stop.load(Ordering::Relaxed) {
            continue;
        }
        let text = line(
            s.phase.load(Ordering::Relaxed),
            s.counts.done.load(Ordering::Relaxed),
            s.counts.total.load(Ordering::Relaxed),
        );
        // Hold the flag's lock while drawing, so that the final erase
        // cannot run between the check and the write.
        if let Ok(mut drawn) = s.drawn.lock() {
            let _ = std::io::stderr().write_all(format!("\r\x1b[K{text}").as_bytes());
            *drawn = true;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines() {
        assert_eq!(
            super::line(super::COMPILING, 3, 10),
            "kiln: compiling 3/10 functions"
        );
        assert_eq!(super::line(super::LINKING, 10, 10), "kiln: linking");
    }
}
