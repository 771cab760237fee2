//! Helpers shared by the test areas: locating the `kiln` binary and the
//! repository, running processes with a timeout, comparing outputs, and
//! finding the guest toolchains.

use anyhow::{Context, Result, bail};
use libtest_mimic::{Completion, Failed};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The `kiln` binary under test.
pub fn kiln() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kiln"))
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Scratch space for this test binary (under `target/tmp`).
pub fn scratch(sub: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(sub);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A temporary file name in `dir` for an output that is renamed into place
/// when complete: unique per process *and* per call, because trials run in
/// parallel threads of one process and two of them may build the same
/// output at once (a name made from the pid alone let one trial rename the
/// other's half-written file away: "No such file or directory").
pub fn tmp_path(dir: &Path, name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // The name keeps its extension last: some tools pick the output
    // format from it.
    dir.join(format!(".{}.{n}.{name}", std::process::id()))
}

/// A `kiln` command with the test cache directory set, so test runs never
/// touch the user's cache.
pub fn kiln_cmd() -> Command {
    let mut cmd = Command::new(kiln());
    cmd.env("KILN_CACHE_DIR", scratch("kiln-cache"));
    cmd
}

/// What a finished process did.
#[derive(Debug)]
pub struct Outcome {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Peak resident set size of the process (and of its waited-for
    /// children), from `wait4`; `ru_maxrss` is in KiB on Linux.
    pub peak_rss_kib: u64,
}

impl Outcome {
    /// Exit code, or `128 + signal` when killed by a signal (as a shell
    /// reports it).
    pub fn code(&self) -> i32 {
        if let Some(c) = self.status.code() {
            return c;
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(sig) = self.status.signal() {
                return 128 + sig;
            }
        }
        -1
    }

    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// A short description for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code(),
            truncate(&self.stdout_str(), 4000),
            truncate(&self.stderr_str(), 4000)
        )
    }
}

/// Cuts long text for messages.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... [{} more bytes]", &s[..end], s.len() - end)
}

/// Runs `cmd` with `stdin` as its input; kills it after `timeout`.
pub fn run(cmd: &mut Command, stdin: &[u8], timeout: Duration) -> Result<Outcome> {
    run_with_stdin(cmd, stdin, StdinEnd::Close, timeout)
}

/// What happens to the child's stdin once its input is written.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StdinEnd {
    /// Closed: the child reads end of input.
    Close,
    /// Kept open until the child has exited: a read past the input blocks,
    /// as on a terminal nobody types into.
    KeepOpen,
}

/// [`run`] with a choice of what happens to stdin after the input.
pub fn run_with_stdin(
    cmd: &mut Command,
    stdin: &[u8],
    end: StdinEnd,
    timeout: Duration,
) -> Result<Outcome> {
    let program = format!("{:?}", cmd.get_program());
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    let mut child_stdin = child.stdin.take().context("stdin")?;
    let input = stdin.to_vec();
    let (exited_tx, exited_rx) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        // The guest may exit without reading: ignore EPIPE.
        let _ = child_stdin.write_all(&input);
        if end == StdinEnd::KeepOpen {
            // Until the child has exited (or the sender is gone).
            let _ = exited_rx.recv();
        }
        drop(child_stdin);
    });
    let mut out = child.stdout.take().context("stdout")?;
    let mut err = child.stderr.take().context("stderr")?;
    // Each reader sends what it read once its pipe closes: after a timeout
    // the output so far is collected with a bound (a grandchild may still
    // hold the pipe open).
    let (out_tx, out_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let (err_tx, err_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        let _ = out_tx.send(v);
    });
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        let _ = err_tx.send(v);
    });
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let mut raw_status = 0;
    // SAFETY: all-zero is a valid `rusage`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child, not yet reaped (`child` is never
        // waited on through std: it is forgotten below); the out-pointers
        // are valid.
        let r = unsafe { libc::wait4(pid, &mut raw_status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            bail!("wait4: {}", std::io::Error::last_os_error());
        }
        if start.elapsed() > timeout {
            // SAFETY: signalling, then reaping, our own unreaped child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut raw_status, 0, &mut usage);
            }
            std::mem::forget(child);
            // What it printed before it hung says where it hung.
            let so_far = |rx: std::sync::mpsc::Receiver<Vec<u8>>| {
                let v = rx.recv_timeout(Duration::from_secs(2)).unwrap_or_default();
                truncate(&String::from_utf8_lossy(&v), 4000)
            };
            bail!(
                "{program} timed out after {timeout:?}\n--- stdout so far ---\n{}\n--- stderr so far ---\n{}",
                so_far(out_rx),
                so_far(err_rx)
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Reaped above: forgetting `child` keeps it from touching the pid again
    // (its pipes were taken, so nothing else is leaked).
    std::mem::forget(child);
    let status = {
        use std::os::unix::process::ExitStatusExt;
        ExitStatus::from_raw(raw_status)
    };
    drop(exited_tx);
    let _ = writer.join();
    let stdout = out_rx.recv().unwrap_or_default();
    let stderr = err_rx.recv().unwrap_or_default();
    Ok(Outcome {
        status,
        stdout,
        stderr,
        peak_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
    })
}

/// Decodes `\n`, `\t`, `\r`, `\\`, `\"`, `\0` and `\xNN` escapes.
pub fn unescape(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('r') => out.push(b'\r'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('"') => out.push(b'"'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let b = u8::from_str_radix(&hex, 16)
                    .with_context(|| format!("bad \\x escape `\\x{hex}`"))?;
                out.push(b);
            }
            other => bail!(
                "unknown escape `\\{}`",
                other.map(String::from).unwrap_or_default()
            ),
        }
    }
    Ok(out)
}

/// Shows bytes with escapes, for messages and `.files` listings.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => s.push_str("\\n"),
                '\t' => s.push_str("\\t"),
                '\r' => s.push_str("\\r"),
                '\\' => s.push_str("\\\\"),
                '\0' => s.push_str("\\0"),
                c if c.is_control() => s.push_str(&format!("\\x{:02x}", c as u32)),
                c => s.push(c),
            }
        }
        for b in chunk.invalid() {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s
}

/// Whether `KILN_TEST_ENGINE=wasmtime` asks to check the expectations
/// against the reference engine instead of Kiln.
pub fn reference_engine() -> bool {
    std::env::var("KILN_TEST_ENGINE").is_ok_and(|v| v == "wasmtime")
}

/// The reference engine, if installed.
pub fn wasmtime() -> Option<PathBuf> {
    let p = PathBuf::from("/opt/devtools/bin/wasmtime");
    if p.is_file() {
        return Some(p);
    }
    have("wasmtime").then(|| PathBuf::from("wasmtime"))
}

/// Wasmtime 49's Windows CLI, the Windows lane's reference (run under
/// Wine): `KILN_WASMTIME_EXE`, else where `scripts/fetch-wasmtime-windows`
/// puts it for CI.
pub fn wasmtime_exe() -> Option<PathBuf> {
    let path = match std::env::var_os("KILN_WASMTIME_EXE") {
        Some(p) => PathBuf::from(p),
        None => {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
            cache.join("kiln-ci-tools/windows/wasmtime.exe")
        }
    };
    path.is_file().then_some(path)
}

/// Whether a program is on `PATH`.
pub fn have(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|d| d.join(program).is_file())
}

/// A guest toolchain is missing: a failure under CI (whose script installs
/// every toolchain, so a missing one means the set-up broke), otherwise an
/// ignored trial with the reason, so a partial developer machine still runs
/// the rest.
pub fn toolchain_missing(why: String) -> Result<Completion, Failed> {
    if std::env::var_os("CI").is_some() {
        return Err(format!("under CI: {why}").into());
    }
    Ok(Completion::ignored_with(why))
}

/// The Rust compiler that builds the guest programs.
pub fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string())
}

/// Whether rustc can build for `target` (has its standard library: `rustup
/// target add <target>`), checked once per target.
pub fn rust_wasm_target(target: &str) -> Result<(), String> {
    static RESULTS: std::sync::Mutex<Vec<(String, Result<(), String>)>> =
        std::sync::Mutex::new(Vec::new());
    let mut results = RESULTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, r)) = results.iter().find(|(t, _)| t == target) {
        return r.clone();
    }
    let r = check_rust_wasm_target(target);
    results.push((target.to_string(), r.clone()));
    r
}

/// Whether rustc has the standard library of `target`.
fn check_rust_wasm_target(target: &str) -> Result<(), String> {
    let out = Command::new(rustc())
        .args(["--print", "target-libdir", "--target", target])
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let has_std = std::fs::read_dir(&dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
    });
    if out.status.success() && has_std {
        Ok(())
    } else {
        Err(format!(
            "the {target} Rust target is not installed (`rustup target add {target}`)"
        ))
    }
}

/// Files under `dir` (recursively) whose name ends with one of `exts`,
/// sorted.
pub fn files_with_ext(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A line-based diff summary: the first differing line of two texts.
pub fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!(
                "line {}: expected `{}`, got `{}`",
                i + 1,
                escape(e.as_bytes()),
                escape(a.as_bytes())
            );
        }
    }
    let (el, al) = (expected.lines().count(), actual.lines().count());
    if el != al {
        return format!("expected {el} lines, got {al}");
    }
    "texts differ in line endings or trailing newline".to_string()
}

/// Runs `kiln build ARGS INPUT -o EXE`; an error (with the run's output)
/// if it fails.
pub fn kiln_build(args: &[&str], input: &Path, exe: &Path) -> Result<(), String> {
    let o = run(
        kiln_cmd()
            .arg("build")
            .args(args)
            .arg(input)
            .arg("-o")
            .arg(exe),
        b"",
        Duration::from_secs(300),
    )
    .map_err(|e| format!("{e:#}"))?;
    if !o.status.success() {
        return Err(format!("kiln build {args:?} failed\n{}", o.describe()));
    }
    Ok(())
}
