//! Fused-adapter frames in a stderr compared with Wasmtime's.
//!
//! A trap in or through a fused adapter prints the adapter's frame, and
//! the two engines name it differently: Wasmtime 49 puts its adapters in
//! generated modules of its own (`<unknown>!<wasm function N>`, at offsets
//! of its generator's layout, sometimes with helper functions as further
//! frames), Kiln in one generated module per adapter named `kiln-adapter`
//! (`kiln-adapter![adapter]f` for the adapter of `f`, at Kiln's own
//! offsets; see `compiler/src/component/adapter`). Neither is a contract, so the
//! `stderr-like-wasmtime` comparisons (run cases, programs, compositions,
//! `adapter_diff`) see both through [`normalize`]: where both backtraces
//! have adapter frames at the same place, each side's run of them becomes
//! one placeholder line and the frames after it are numbered as if the run
//! were one frame. Every other line is compared as it is.
//!
//! Also the trials `adapter_frames::*`, which check the normalization.

use libtest_mimic::{Failed, Trial};

/// The module name of Kiln's generated adapter modules.
const KILN_MODULE: &str = "kiln-adapter";

/// What replaces a run of adapter frames, after the frame's number.
const PLACEHOLDER: &str = "<adapter frame>";

/// Whether Kiln's stderr equals Wasmtime's, adapter frames aside.
pub fn same_stderr(wasmtime: &[u8], kiln: &[u8]) -> bool {
    if wasmtime == kiln {
        return true;
    }
    match (std::str::from_utf8(wasmtime), std::str::from_utf8(kiln)) {
        (Ok(w), Ok(k)) => {
            let (w, k) = normalize(w, k);
            w == k
        }
        _ => false,
    }
}

/// Wasmtime's and Kiln's stderr with the adapter frames both have at the
/// same place replaced (see the module docs).
pub fn normalize(wasmtime: &str, kiln: &str) -> (String, String) {
    let w: Vec<&str> = wasmtime.split_inclusive('\n').collect();
    let k: Vec<&str> = kiln.split_inclusive('\n').collect();
    let (mut w_out, mut k_out) = (Side::default(), Side::default());
    let (mut i, mut j) = (0, 0);
    while i < w.len() && j < k.len() {
        if !(is_wasmtime_adapter(w[i]) && is_kiln_adapter(k[j])) {
            w_out.push(w[i]);
            k_out.push(k[j]);
            i += 1;
            j += 1;
            continue;
        }
        let k_end = run_end(&k, j, is_kiln_adapter);
        let k_next = k
            .get(k_end)
            .map(|l| renumber(l, k_out.shift + (k_end - j - 1)));
        // Wasmtime's run ends where what follows lines up with Kiln's (a
        // frame of an unnamed function of an unnamed module looks the
        // same as an adapter's).
        let w_max = run_end(&w, i, is_wasmtime_adapter);
        let w_end = (i + 1..=w_max)
            .find(|&e| w.get(e).map(|l| renumber(l, w_out.shift + (e - i - 1))) == k_next)
            .unwrap_or(w_max);
        w_out.placeholder(w[i], w_end - i);
        k_out.placeholder(k[j], k_end - j);
        i = w_end;
        j = k_end;
    }
    for l in &w[i..] {
        w_out.push(l);
    }
    for l in &k[j..] {
        k_out.push(l);
    }
    (w_out.text, k_out.text)
}

/// One side's normalized text.
#[derive(Default)]
struct Side {
    text: String,
    /// How many frames fewer than the engine printed the current
    /// backtrace has so far (its runs of adapter frames made one).
    shift: usize,
}

impl Side {
    fn push(&mut self, line: &str) {
        if frame(line).is_none() {
            self.shift = 0;
        }
        self.text += &renumber(line, self.shift);
    }

    /// A run of `len` adapter frames, the first `line`.
    fn placeholder(&mut self, line: &str, len: usize) {
        let Some(f) = frame(line) else {
            return self.push(line);
        };
        let number = f.index - self.shift;
        let width = f.head;
        let newline = if line.ends_with('\n') { "\n" } else { "" };
        self.text += &format!("{number:>width$}: {PLACEHOLDER}{newline}");
        self.shift += len - 1;
    }
}

/// A backtrace line: `{indent}{index}: [{offset} - ]{module}!{function}`.
struct Frame<'a> {
    /// Length of the indentation and the index.
    head: usize,
    index: usize,
    module: &'a str,
    function: &'a str,
}

fn frame(line: &str) -> Option<Frame<'_>> {
    let body = line.trim_end_matches(['\n', '\r']);
    let digits_at = body.len() - body.trim_start().len();
    let digits = body[digits_at..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let head = digits_at + digits;
    let index = body[digits_at..head].parse().ok()?;
    let rest = body[head..].strip_prefix(": ")?.trim_start();
    let site = match rest.strip_prefix("0x") {
        Some(offset) => {
            let hex = offset.bytes().take_while(u8::is_ascii_hexdigit).count();
            offset[hex..].strip_prefix(" - ")?
        }
        None => rest,
    };
    let (module, function) = site.split_once('!')?;
    if module.is_empty() || module.contains(char::is_whitespace) {
        return None;
    }
    Some(Frame {
        head,
        index,
        module,
        function,
    })
}

/// Kiln's adapter frames: the module Kiln generates for an adapter.
fn is_kiln_adapter(line: &str) -> bool {
    frame(line).is_some_and(|f| f.module == KILN_MODULE)
}

/// Wasmtime's adapter frames: a function without a name in a module
/// without one (as its generated adapter modules are).
fn is_wasmtime_adapter(line: &str) -> bool {
    frame(line).is_some_and(|f| {
        f.module == "<unknown>"
            && f.function
                .strip_prefix("<wasm function ")
                .and_then(|n| n.strip_suffix('>'))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The end of the run of lines from `start` that `is` holds for.
fn run_end(lines: &[&str], start: usize, is: fn(&str) -> bool) -> usize {
    start + lines[start..].iter().take_while(|l| is(l)).count()
}

/// `line` with its frame number lowered by `shift`, in the same width.
fn renumber(line: &str, shift: usize) -> String {
    match frame(line) {
        Some(f) if shift > 0 && f.index >= shift => {
            let width = f.head;
            format!("{:>width$}{}", f.index - shift, &line[f.head..])
        }
        _ => line.to_string(),
    }
}

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::trial("adapter_frames::one_each", one_each),
        crate::timing::trial("adapter_frames::helper_frames", helper_frames),
        crate::timing::trial("adapter_frames::other_lines_compared", other_lines_compared),
        crate::timing::trial("adapter_frames::unnamed_caller", unnamed_caller),
    ]
}

const HEAD: &str = "Error: failed to run main module `a.wat`\n\nCaused by:\n    0: error while executing at wasm backtrace:\n";
const TAIL: &str = "\n    1: wasm trap: wasm `unreachable` instruction executed\n";

fn check(wasmtime: &str, kiln: &str, same: bool) -> Result<(), Failed> {
    let (w, k) = (
        format!("{HEAD}{wasmtime}{TAIL}"),
        format!("{HEAD}{kiln}{TAIL}"),
    );
    if same_stderr(w.as_bytes(), k.as_bytes()) != same {
        let (w, k) = normalize(&w, &k);
        return Err(format!(
            "expected {}:\n--- wasmtime, normalized ---\n{w}--- kiln, normalized ---\n{k}",
            if same { "equal" } else { "a difference" }
        )
        .into());
    }
    Ok(())
}

/// One adapter frame on each side, at different offsets.
fn one_each() -> Result<(), Failed> {
    check(
        "    0:     0x35 - m!<wasm function 0>\n    1:     0xea - <unknown>!<wasm function 5>\n    2:     0xdc - main!<wasm function 1>",
        "    0:     0x35 - m!<wasm function 0>\n    1:     0x4a - kiln-adapter![adapter]f\n    2:     0xdc - main!<wasm function 1>",
        true,
    )
}

/// Wasmtime's helper function is a frame more: the frames after it are
/// numbered as Kiln's.
fn helper_frames() -> Result<(), Failed> {
    check(
        "    0:   0x12ec - <unknown>!<wasm function 20>\n    1:    0x2b0 - <unknown>!<wasm function 7>\n    2:     0xdc - main!<wasm function 1>\n    3:     0xf0 - main!run",
        "    0:     0x91 - kiln-adapter![adapter]f\n    1:     0xdc - main!<wasm function 1>\n    2:     0xf0 - main!run",
        true,
    )
}

/// Everything but the adapter frames is still compared: a caller's frame,
/// its number, and an adapter frame only one side has.
fn other_lines_compared() -> Result<(), Failed> {
    let wasmtime =
        "    0:     0xea - <unknown>!<wasm function 5>\n    1:     0xdc - main!<wasm function 1>";
    check(
        wasmtime,
        "    0:     0x4a - kiln-adapter![adapter]f\n    1:     0xdd - main!<wasm function 1>",
        false,
    )?;
    check(
        wasmtime,
        "    0:     0x4a - kiln-adapter![adapter]f\n    2:     0xdc - main!<wasm function 1>",
        false,
    )?;
    check(wasmtime, "    0:     0xdc - main!<wasm function 1>", false)?;
    check(
        "    0:     0xdc - main!<wasm function 1>",
        "    0:     0x4a - kiln-adapter![adapter]f",
        false,
    )
}

/// A caller in an unnamed module, without function names, looks like an
/// adapter frame on Wasmtime's side: it is still compared.
fn unnamed_caller() -> Result<(), Failed> {
    let wasmtime = "    0:     0xea - <unknown>!<wasm function 5>\n    1:     0x30 - <unknown>!<wasm function 1>";
    check(
        wasmtime,
        "    0:     0x4a - kiln-adapter![adapter]f\n    1:     0x30 - <unknown>!<wasm function 1>",
        true,
    )?;
    check(
        wasmtime,
        "    0:     0x4a - kiln-adapter![adapter]f\n    1:     0x31 - <unknown>!<wasm function 1>",
        false,
    )
}
