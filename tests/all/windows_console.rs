//! Windows executables on a console (`cross::x86_64-pc-windows-gnu::
//! console_like_wasmtime_exe`): stdout and stderr are a pseudo-terminal,
//! which Wine gives a Windows program as console handles, so the runtime's
//! console paths run: text through the console's UTF-16 interface, a
//! write that is not UTF-8 refused, `terminal-*` and P1 `fdstat` seeing a
//! terminal. Kiln's `.exe` must show exactly what `wasmtime.exe` shows
//! for the same program on the same kind of console. Wine's console draws
//! each write with escape sequences of its own (a host report written in
//! one piece or in several is drawn differently but reads the same), so
//! the comparison is of the screen the sequences draw ([`render`]).
//!
//! Inputs: programs of `tests/programs` (built as their own trials build
//! them), `wasmtime.exe`, Wine. Output: Ok, or the first difference.

use crate::cross::Cross;
use crate::util;
use libtest_mimic::Failed;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(120);

/// How long the console must have drawn nothing before keys are typed.
const QUIET: Duration = Duration::from_millis(100);

/// A program run on a console: its entry in `tests/programs`, a line its
/// console output must hold (so the trial fails if the streams were not a
/// console), and what is typed, each after its prompt shows.
struct OnConsole {
    entry: &'static str,
    marker: &'static str,
    /// (prompt, keys): once the screen holds `prompt`, `keys` are typed.
    typed: &'static [(&'static str, &'static str)],
}

/// The programs run on a console.
const PROGRAMS: &[OnConsole] = &[
    // P1: UTF-8 text and bytes that are not.
    OnConsole {
        entry: "rust/wasi_utf8_stdio",
        marker: "grüße ✓ 日本語",
        typed: &[],
    },
    // P1: `fd_fdstat_get` and friends on the standard streams.
    OnConsole {
        entry: "rust/wasi_stdio",
        marker: "fd 1: fdstat",
        typed: &[],
    },
    // WASI 0.2 streams, and a panic's report and trap on stderr.
    OnConsole {
        entry: "rust/p2_panic",
        marker: "before panic",
        typed: &[],
    },
    // WASI 0.3 `terminal-*`: a console is a terminal.
    OnConsole {
        entry: "p3/p3_terminal",
        marker: "terminal-stdout none: false",
        typed: &[],
    },
    // Lines typed on the console: P1 `fd_read` and WASI 0.3's stdin
    // stream, each read waiting for its line.
    OnConsole {
        entry: "rust/wasi_read_line",
        marker: "next: second",
        typed: TYPED,
    },
    OnConsole {
        entry: "p3/p3_read_line",
        marker: "next: second",
        typed: TYPED,
    },
];

/// Two lines typed after the read-line programs' prompts (Enter is a
/// carriage return on a terminal), the first beyond ASCII.
const TYPED: &[(&str, &str)] = &[("name?", "Ada Lovelace ü\r"), ("chars)", "second\r")];

/// Runs each of [`PROGRAMS`] built for Windows and under `wasmtime.exe`,
/// stdout and stderr on a console (stdin too where keys are typed, else
/// empty), and compares.
pub fn console_like_wasmtime_exe(cross: &Cross) -> Result<(), Failed> {
    let Some(wasmtime) = util::wasmtime_exe() else {
        return Err("the Windows lane needs wasmtime.exe (scripts/fetch-wasmtime-windows)".into());
    };
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    for program in PROGRAMS {
        let entry = program.entry;
        let wasm = crate::programs::built_wasm(entry)?;
        let exe = dir.path().join(format!("{}.exe", entry.replace('/', "-")));
        util::kiln_build(&["--target", &cross.triple], &wasm, &exe)?;
        let kiln = on_console(cross.command(&exe), program.typed)?;
        let mut reference = cross.command(&wasmtime);
        reference.env_remove("RUST_BACKTRACE").arg("run");
        // The executable names the component by its file name, as
        // `wasmtime run <file name>` does.
        match (wasm.parent(), wasm.file_name()) {
            (Some(dir), Some(file)) => reference.current_dir(dir).arg(file),
            _ => reference.arg(&wasm),
        };
        let want = on_console(reference, program.typed)?;
        let kiln = (render(&kiln.0), kiln.1);
        let want = (render(&want.0), want.1);
        let shown = |o: &(String, i32)| format!("exit {}\n{}", o.1, o.0);
        if kiln != want {
            return Err(format!(
                "{entry} on a console differs from wasmtime.exe's\n--- wasmtime.exe ---\n{}\n--- kiln ---\n{}",
                shown(&want),
                shown(&kiln)
            )
            .into());
        }
        if !kiln.0.contains(program.marker) {
            return Err(format!(
                "{entry} on a console did not write `{}`\n{}",
                program.marker,
                shown(&kiln)
            )
            .into());
        }
    }
    Ok(())
}

/// Runs `cmd` with stdout and stderr on a new pseudo-terminal, and stdin
/// on it too when `typed` has keys to type (else empty); returns what it
/// wrote there and its exit status.
fn on_console(mut cmd: Command, typed: &[(&str, &str)]) -> Result<(Vec<u8>, i32), String> {
    let (mut master, mut slave) = (-1, -1);
    // Wide enough that no line reaches the edge: where a line fills the
    // width exactly, Wine's console draws the wrap differently depending
    // on how the text was split into writes (a temporary file name in a
    // backtrace made one such line in CI).
    let size = libc::winsize {
        ws_row: 50,
        ws_col: 1000,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes the two descriptors it opens into the two
    // integers and reads the window size; the name and terminal settings
    // may be null.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    if r != 0 {
        return Err(format!("openpty: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: openpty just opened both descriptors; nothing else owns them.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let slave2 = slave.try_clone().map_err(|e| e.to_string())?;
    let stdin = if typed.is_empty() {
        Stdio::null()
    } else {
        Stdio::from(slave.try_clone().map_err(|e| e.to_string())?)
    };
    cmd.stdin(stdin)
        .stdout(Stdio::from(slave))
        .stderr(Stdio::from(slave2));
    let mut keyboard = File::from(master.try_clone().map_err(|e| e.to_string())?);
    let mut child = cmd.spawn().map_err(|e| format!("{cmd:?}: {e}"))?;
    // The command holds the terminal's other end until it is dropped: the
    // reader sees its end only once every holder is gone.
    drop(cmd);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut file = File::from(master);
        let mut buf = [0u8; 4096];
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // EIO: no process holds the terminal any more.
                Err(_) => break,
            }
        }
    });
    let start = Instant::now();
    let (mut out, mut typed) = (Vec::new(), typed.iter());
    let mut next = typed.next();
    let mut last_output = Instant::now();
    let status = loop {
        while let Ok(chunk) = rx.try_recv() {
            out.extend(chunk);
            last_output = Instant::now();
        }
        // Wine's console puts the terminal in raw mode only after the
        // program's first output shows: keys typed before then would be
        // taken by the terminal's own line editing (echoed, Enter made a
        // line feed) and never reach the program as typed. And it may
        // still be drawing: keys are typed once the screen is still.
        if let Some((prompt, keys)) = next
            && render(&out).contains(prompt)
            && raw_mode(&keyboard)
            && last_output.elapsed() > QUIET
        {
            keyboard
                .write_all(keys.as_bytes())
                .map_err(|e| e.to_string())?;
            next = typed.next();
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "timed out after {TIMEOUT:?} on a console\n{}",
                render(&out)
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(keyboard);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(chunk) => out.extend(chunk),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                return Err("the console stayed open after the program exited".to_string());
            }
        }
    }
    Ok((out, status.code().unwrap_or(-1)))
}

/// Whether the terminal of `master` is in raw mode (no line editing, no
/// echo), as Wine's console sets it.
fn raw_mode(master: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: an all-zero `termios` is a valid value to be overwritten.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: the descriptor is open for the call (`master` is borrowed)
    // and `t` is a valid `termios` to write into; nothing else aliases it.
    let r = unsafe { libc::tcgetattr(master.as_raw_fd(), &mut t) };
    r == 0 && t.c_lflag & (libc::ICANON | libc::ECHO) == 0
}

/// The text a terminal shows after `bytes`: carriage returns and line
/// feeds, cursor moves (`ESC [ n A`/`B`/`C`/`D`, `ESC [ r ; c H`) and
/// erase-in-line (`ESC [ K`) applied, cursor visibility and colours
/// dropped; any other escape
/// sequence is kept as text, so that it shows in a difference. Trailing
/// blanks and blank lines are not shown.
fn render(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut screen: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    let put = |screen: &mut Vec<Vec<char>>, row: usize, col: usize, c: char| {
        let line = &mut screen[row];
        if line.len() <= col {
            line.resize(col + 1, ' ');
        }
        line[col] = c;
    };
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                if screen.len() <= row {
                    screen.push(Vec::new());
                }
            }
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut params = String::new();
                let mut end = None;
                for c in chars.by_ref() {
                    if c.is_ascii_digit() || c == ';' || c == '?' {
                        params.push(c);
                    } else {
                        end = Some(c);
                        break;
                    }
                }
                let n = params.parse::<usize>().unwrap_or(1).max(1);
                match end {
                    Some('C') => col += n,
                    Some('D') => col = col.saturating_sub(n),
                    Some('A') => row = row.saturating_sub(n),
                    Some('B') => {
                        row += n;
                        while screen.len() <= row {
                            screen.push(Vec::new());
                        }
                    }
                    Some('H' | 'f') => {
                        // `ESC [ row ; col H`, 1-based, either may be left out.
                        let mut at = params.split(';').map(|p| p.parse::<usize>().unwrap_or(1));
                        row = at.next().unwrap_or(1).max(1) - 1;
                        col = at.next().unwrap_or(1).max(1) - 1;
                        while screen.len() <= row {
                            screen.push(Vec::new());
                        }
                    }
                    Some('K') => screen[row].truncate(col),
                    Some('h' | 'l') if params.starts_with('?') => {}
                    Some('m') => {}
                    other => {
                        for c in format!("ESC[{params}{}", other.unwrap_or(' ')).chars() {
                            put(&mut screen, row, col, c);
                            col += 1;
                        }
                    }
                }
            }
            c => {
                put(&mut screen, row, col, c);
                col += 1;
            }
        }
    }
    let mut lines: Vec<String> = screen
        .iter()
        .map(|l| l.iter().collect::<String>().trim_end().to_string())
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.join("\n")
}
