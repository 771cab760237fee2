//! The host side of the sandbox race (`race-symlink = NAME`, a directive of
//! `tests/programs`): while the guest runs, a thread of this test process
//! swaps the preopened fixture's directory `NAME` for a symlink that points
//! outside the preopen, and back, over and over; afterwards, the directory
//! outside must be exactly as it was.
//!
//! Set-up: `NAME/` in the fixture holds `sentinel.txt` (`inside\n`); a
//! directory outside the fixture (its sibling, owned by this test) holds
//! `sentinel.txt` ([`OUTSIDE_SENTINEL`]) and `outside-only.txt`
//! ([`OUTSIDE_ONLY`]). Two spare entries of the fixture are symlinks to it,
//! one relative (`../<outside>`) and one absolute. Each swap is one atomic
//! `renameat2(RENAME_EXCHANGE)` of `NAME` with a spare, so at every moment
//! `NAME` is either the real directory or a symlink out, and a path
//! resolved through it races with the swap at any component.
//!
//! Check: the outside directory still holds exactly its two files with
//! their contents (nothing read into the guest can be checked here; the
//! guest reports what it saw on stdout), and the swap ran at least once.

use anyhow::{Context, Result, bail, ensure};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// The outside sentinel's content: a guest that escapes reads this.
pub const OUTSIDE_SENTINEL: &str = "OUTSIDE SENTINEL\n";
/// A file only the outside directory has.
pub const OUTSIDE_ONLY: &str = "outside only\n";

/// A running swap; [`SymlinkRace::finish`] stops it and checks.
pub struct SymlinkRace {
    stop: Arc<AtomicBool>,
    swapper: Option<JoinHandle<Result<u64>>>,
    outside: tempfile::TempDir,
}

impl SymlinkRace {
    /// Prepares `fixture/name` and the outside directory and starts
    /// swapping.
    pub fn start(fixture: &Path, name: &str) -> Result<SymlinkRace> {
        let parent = fixture.parent().context("fixture has no parent")?;
        let outside = tempfile::Builder::new()
            .prefix("outside-")
            .tempdir_in(parent)
            .context("outside dir")?;
        std::fs::write(outside.path().join("sentinel.txt"), OUTSIDE_SENTINEL)?;
        std::fs::write(outside.path().join("outside-only.txt"), OUTSIDE_ONLY)?;
        let dir = fixture.join(name);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("sentinel.txt"), "inside\n")?;
        let outside_name = outside
            .path()
            .file_name()
            .context("outside dir name")?
            .to_os_string();
        let relative = fixture.join(format!(".{name}-relative"));
        let absolute = fixture.join(format!(".{name}-absolute"));
        std::os::unix::fs::symlink(Path::new("..").join(&outside_name), &relative)?;
        std::os::unix::fs::symlink(outside.path(), &absolute)?;
        let stop = Arc::new(AtomicBool::new(false));
        let swapper = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || swap_until(&stop, &dir, [&relative, &absolute]))
        };
        Ok(SymlinkRace {
            stop,
            swapper: Some(swapper),
            outside,
        })
    }

    /// Stops the swap (leaving the real directory in place) and checks the
    /// outside directory; returns how many swaps ran.
    pub fn finish(mut self) -> Result<u64> {
        self.stop.store(true, Ordering::SeqCst);
        let swaps = match self.swapper.take().map(JoinHandle::join) {
            Some(Ok(r)) => r?,
            Some(Err(_)) => bail!("the swapping thread panicked"),
            None => 0,
        };
        let mut names: Vec<String> = std::fs::read_dir(self.outside.path())?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<std::io::Result<_>>()?;
        names.sort();
        ensure!(
            names == ["outside-only.txt", "sentinel.txt"],
            "the guest changed the directory outside the preopen: it holds {names:?}"
        );
        for (file, want) in [
            ("sentinel.txt", OUTSIDE_SENTINEL),
            ("outside-only.txt", OUTSIDE_ONLY),
        ] {
            let got = std::fs::read(self.outside.path().join(file))?;
            ensure!(
                got == want.as_bytes(),
                "the guest wrote {file} outside the preopen: {:?}",
                String::from_utf8_lossy(&got)
            );
        }
        ensure!(swaps > 0, "the directory was never swapped");
        Ok(swaps)
    }
}

impl Drop for SymlinkRace {
    fn drop(&mut self) {
        // An early return (a failed run) still stops the thread.
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.swapper.take() {
            let _ = t.join();
        }
    }
}

/// Swaps `dir` with each spare in turn (twice each, so that `dir` is the
/// real directory again after every pair) until `stop`; the number of
/// swaps.
fn swap_until(stop: &AtomicBool, dir: &Path, spares: [&PathBuf; 2]) -> Result<u64> {
    let dir_c = c_path(dir)?;
    let spares_c = [c_path(spares[0])?, c_path(spares[1])?];
    let mut swaps = 0u64;
    while !stop.load(Ordering::Relaxed) {
        for spare in &spares_c {
            for _ in 0..2 {
                exchange(&dir_c, spare).with_context(|| format!("swapping {}", dir.display()))?;
                swaps += 1;
                // Let the guest run between swaps on a busy machine.
                std::thread::yield_now();
            }
        }
    }
    Ok(swaps)
}

fn c_path(p: &Path) -> Result<CString> {
    CString::new(p.as_os_str().as_bytes()).context("path with a NUL")
}

/// Atomically exchanges the entries `a` and `b`.
fn exchange(a: &CString, b: &CString) -> Result<()> {
    // SAFETY: two NUL-terminated paths that live across the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(())
}

/// The harness's own check: an escape (simulated from here) must fail [`SymlinkRace::finish`], so that the
/// programs using the race can fail.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    vec![crate::timing::trial(
        "programs::symlink_race_detects_escapes",
        || {
            for escape in [
                |outside: &Path| std::fs::write(outside.join("sentinel.txt"), "x"),
                |outside: &Path| std::fs::write(outside.join("new.txt"), "x"),
                |outside: &Path| std::fs::remove_file(outside.join("outside-only.txt")),
            ] {
                let fixture = tempfile::tempdir().map_err(|e| e.to_string())?;
                let race = SymlinkRace::start(fixture.path(), "d").map_err(|e| format!("{e:#}"))?;
                // What a guest that escaped would do.
                escape(race.outside.path()).map_err(|e| e.to_string())?;
                if race.finish().is_ok() {
                    return Err("an escape went unnoticed".into());
                }
            }
            Ok(())
        },
    )]
}
