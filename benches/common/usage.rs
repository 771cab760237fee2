//! A child process's resource use: CPU time, wall time and peak RSS, read
//! from `wait4` when it ends (each child's own, not the bench's).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run of a command cost.
#[derive(Copy, Clone, Debug)]
pub struct Usage {
    /// User + system CPU time.
    pub cpu: Duration,
    /// Wall-clock time from spawn to exit.
    pub wall: Duration,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub peak_rss_kib: u64,
}

/// Runs `cmd` (stdin and stdout null; stderr inherited) to completion; it
/// must exit with status 0.
pub fn measure(cmd: &mut Command) -> Result<Usage, String> {
    let what = format!("{:?}", cmd.get_program());
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    let start = Instant::now();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `pid` is our child, not yet reaped (std's `Child` does not
    // wait on drop, and is forgotten below so nothing else reaps it);
    // `status` and `usage` are buffers only this call writes.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    let wall = start.elapsed();
    std::mem::forget(child);
    if rc != pid {
        return Err(format!(
            "{what}: wait4: {}",
            std::io::Error::last_os_error()
        ));
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{what} failed (status {status:#x})"));
    }
    // SAFETY: wait4 succeeded, so it filled the record (zeroed before).
    let usage = unsafe { usage.assume_init() };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Ok(Usage {
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        wall,
        peak_rss_kib: usage.ru_maxrss as u64,
    })
}
