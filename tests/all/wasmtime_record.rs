//! Recorded reference outputs: what `wasmtime run` wrote for the runs of
//! the run cases that compare with it (`stderr-like-wasmtime`) and for the
//! files it must refuse (`wasmtime-refuses`), checked in next to each case
//! as `tests/run/<area>/<name>.wasmtime`; and what it wrote for a program
//! of `tests/programs` that compares its stderr with it, as
//! `<source without extension>.wasmtime` ([`program_record`]). A normal
//! trial compares Kiln with the record and starts no Wasmtime process.
//!
//! Inputs: a parsed case (or a program) and a way to run it under
//! `wasmtime run`. Output: one [`Recorded`] per run that compares with
//! Wasmtime (and one for the load of a refused file). Three modes, from
//! the environment:
//! - default: read the record; a missing or stale one fails, naming the
//!   command that writes it ([`BLESS_COMMAND`], [`PROGRAM_BLESS_COMMAND`]);
//! - `KILN_WASMTIME_BLESS=1`: run Wasmtime live and rewrite the record (or
//!   delete it when the case no longer compares with Wasmtime);
//! - `KILN_TEST_LIVE_WASMTIME=1`: run Wasmtime live too and fail unless the
//!   record equals its output (the check after a Wasmtime upgrade).
//!
//! The format (text, UTF-8): `;;` comment lines, then one section per
//! recorded run in the order of the case's runs: a `== <run>` line
//! (`== _start`, `== invoke f 1 2`, or `== load` for `wasmtime-refuses`),
//! an `exit <status>` line, and the stderr, each line prefixed with `| `
//! (`|` alone for an empty line; a last line without its newline is
//! followed by `\ no newline at end`). Invariant: the repository root,
//! the only machine-specific text in Wasmtime's output (the module's
//! path in its error messages), is written as [`REPO`] in the record and
//! replaced the same way in Kiln's stderr before comparing; nothing else
//! is rewritten.

use crate::run_cases::{Case, Run};
use crate::util::{self, Outcome};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Stands for the repository root in records.
pub const REPO: &str = "$REPO";

/// The command that rewrites every record of the run cases.
pub const BLESS_COMMAND: &str = "KILN_WASMTIME_BLESS=1 cargo test --profile ci --test all -- run::";

/// The command that rewrites every record of the programs.
pub const PROGRAM_BLESS_COMMAND: &str =
    "KILN_WASMTIME_BLESS=1 cargo test --profile ci --test all -- programs::";

/// Whose record a file is: names the command that rewrites it and the
/// source its header mentions.
struct Owner<'a> {
    command: &'a str,
    source: String,
    /// What the record's placeholder stands for.
    placeholder: &'a str,
}

/// What Wasmtime did for one run, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub exit: i32,
    pub stderr: String,
}

/// The records of one case: the refused load, and one per run (aligned
/// with `case.runs`; `None` for a run that does not compare).
#[derive(Debug)]
pub struct Records {
    pub load: Option<Recorded>,
    pub runs: Vec<Option<Recorded>>,
}

impl Records {
    /// No records, for a case of `runs` runs.
    pub fn none(runs: usize) -> Records {
        Records {
            load: None,
            runs: vec![None; runs],
        }
    }
}

/// The record file of a case.
pub fn record_path(case_path: &Path) -> PathBuf {
    case_path.with_extension("wasmtime")
}

fn env_is_1(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}

/// What the case records, in order: a label per section and the run to
/// give Wasmtime (`None` in `index` = the refused load).
fn sections(case: &Case) -> Vec<(String, Option<usize>)> {
    if case.wasmtime_refuses.is_some() {
        return vec![("load".to_string(), None)];
    }
    case.runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.stderr_like_wasmtime)
        .map(|(i, r)| (label(r), Some(i)))
        .collect()
}

fn label(run: &Run) -> String {
    let mut words = match &run.invoke {
        None => vec!["_start".to_string()],
        Some(inv) => std::iter::once("invoke".to_string())
            .chain(inv.iter().cloned())
            .collect(),
    };
    if !run.args.is_empty() {
        words.push("args".to_string());
        words.extend(run.args.iter().cloned());
    }
    words.join(" ")
}

/// Replaces the repository root by [`REPO`].
pub fn normalize(text: &str) -> String {
    text.replace(&*util::repo().to_string_lossy(), REPO)
}

/// The records of a case, read, or made live (see the module docs);
/// `wasmtime` runs one run of the case under `wasmtime run`.
pub fn records(
    path: &Path,
    case: &Case,
    wasmtime: impl Fn(&Run) -> Result<Outcome>,
) -> Result<Records> {
    let wanted = sections(case);
    let file = record_path(path);
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let owner = Owner {
        command: BLESS_COMMAND,
        source: name.replace(".wasmtime", ".wat"),
        placeholder: "$REPO is the repository root",
    };
    let live = if live_mode() {
        Some(render_body(&live_sections(case, &wanted, wasmtime)?))
    } else {
        None
    };
    let body = settle(&file, &wanted, live, &owner)?;
    let parsed = parse_body(&body).with_context(|| format!("in {}", display(&file)))?;
    let labels: Vec<&str> = parsed.iter().map(|(l, _)| l.as_str()).collect();
    let want_labels: Vec<&str> = wanted.iter().map(|(l, _)| l.as_str()).collect();
    if labels != want_labels {
        bail!(
            "{} records {labels:?} but the case compares {want_labels:?} with Wasmtime; rewrite it with `{}`",
            display(&file),
            owner.command
        );
    }
    let mut out = Records::none(case.runs.len());
    for ((_, index), (_, rec)) in wanted.iter().zip(parsed) {
        match index {
            None => out.load = Some(rec),
            Some(i) => out.runs[*i] = Some(rec),
        }
    }
    Ok(out)
}

/// The record's body: `live` (Wasmtime's output just now, in live modes)
/// written under `KILN_WASMTIME_BLESS=1` or compared with the file under
/// `KILN_TEST_LIVE_WASMTIME=1`; without it, the file's.
fn settle(
    file: &Path,
    wanted: &[(String, Option<usize>)],
    live: Option<String>,
    owner: &Owner,
) -> Result<String> {
    let Some(live_body) = live else {
        return read_body(file, wanted, owner.command);
    };
    if env_is_1("KILN_WASMTIME_BLESS") {
        write(file, &live_body, owner)?;
        return Ok(live_body);
    }
    let recorded = read_body(file, wanted, owner.command)?;
    if recorded != live_body {
        let header = std::fs::read_to_string(file)
            .map(|t| t.lines().take_while(|l| l.starts_with(";;")).count())
            .unwrap_or(0);
        bail!(
            "{} no longer equals `wasmtime run` ({}); rewrite it with `{}`\n{}",
            display(file),
            wasmtime_version()?,
            owner.command,
            line_diff("record", &recorded, "wasmtime", &live_body, header + 1)
        );
    }
    Ok(live_body)
}

/// Whether Wasmtime runs live (to write or to check the records).
fn live_mode() -> bool {
    env_is_1("KILN_WASMTIME_BLESS") || env_is_1("KILN_TEST_LIVE_WASMTIME")
}

/// The record of the program `source` (one section, `== run`): read, or,
/// in the live modes, `wasmtime` run once and written or compared (see
/// the module docs). The caller normalizes what `wasmtime` returns.
pub fn program_record(
    source: &Path,
    wasmtime: impl FnOnce() -> Result<Recorded>,
) -> Result<Recorded> {
    let file = record_path(source);
    let wanted = [("run".to_string(), Some(0))];
    let owner = Owner {
        command: PROGRAM_BLESS_COMMAND,
        source: source
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        placeholder: "$WASM is the component's path or file name",
    };
    let live = if live_mode() {
        Some(render_body(&[("run".to_string(), wasmtime()?)]))
    } else {
        None
    };
    let body = settle(&file, &wanted, live, &owner)?;
    let mut parsed = parse_body(&body).with_context(|| format!("in {}", display(&file)))?;
    match (parsed.pop(), parsed.is_empty()) {
        (Some((label, rec)), true) if label == "run" => Ok(rec),
        _ => bail!(
            "{} must hold one section, `== run`; rewrite it with `{PROGRAM_BLESS_COMMAND}`",
            display(&file)
        ),
    }
}

fn display(file: &Path) -> String {
    file.strip_prefix(util::repo())
        .unwrap_or(file)
        .display()
        .to_string()
}

fn live_sections(
    case: &Case,
    wanted: &[(String, Option<usize>)],
    wasmtime: impl Fn(&Run) -> Result<Outcome>,
) -> Result<Vec<(String, Recorded)>> {
    if !wanted.is_empty() && util::wasmtime().is_none() {
        bail!("KILN_WASMTIME_BLESS / KILN_TEST_LIVE_WASMTIME need `wasmtime` on PATH");
    }
    let load = Run::default();
    wanted
        .iter()
        .map(|(l, index)| {
            let run = index.map_or(&load, |i| &case.runs[i]);
            let o = wasmtime(run)?;
            let Ok(stderr) = String::from_utf8(o.stderr.clone()) else {
                bail!("{l}: wasmtime's stderr is not UTF-8\n{}", o.describe());
            };
            Ok((
                l.clone(),
                Recorded {
                    exit: o.code(),
                    stderr: normalize(&stderr),
                },
            ))
        })
        .collect()
}

/// The record's sections as text (without the header).
fn render_body(sections: &[(String, Recorded)]) -> String {
    let mut s = String::new();
    for (l, rec) in sections {
        s.push_str(&format!("== {l}\nexit {}\n", rec.exit));
        for line in rec.stderr.split_inclusive('\n') {
            let (text, newline) = match line.strip_suffix('\n') {
                Some(t) => (t, true),
                None => (line, false),
            };
            s.push_str(if text.is_empty() { "|" } else { "| " });
            s.push_str(text);
            s.push('\n');
            if !newline {
                s.push_str("\\ no newline at end\n");
            }
        }
    }
    s
}

fn parse_body(body: &str) -> Result<Vec<(String, Recorded)>> {
    let mut out: Vec<(String, Recorded)> = Vec::new();
    for (n, line) in body.lines().enumerate() {
        let n = n + 1;
        if let Some(l) = line.strip_prefix("== ") {
            out.push((
                l.to_string(),
                Recorded {
                    exit: i32::MIN,
                    stderr: String::new(),
                },
            ));
            continue;
        }
        let Some((_, rec)) = out.last_mut() else {
            bail!("line {n}: expected `== <run>`");
        };
        if let Some(code) = line.strip_prefix("exit ") {
            rec.exit = code
                .parse()
                .with_context(|| format!("line {n}: bad exit status"))?;
        } else if line == "|" {
            rec.stderr.push('\n');
        } else if let Some(text) = line.strip_prefix("| ") {
            rec.stderr.push_str(text);
            rec.stderr.push('\n');
        } else if line == "\\ no newline at end" && rec.stderr.ends_with('\n') {
            rec.stderr.pop();
        } else {
            bail!("line {n}: unexpected `{line}`");
        }
    }
    if let Some((l, _)) = out.iter().find(|(_, r)| r.exit == i32::MIN) {
        bail!("section `{l}` has no `exit` line");
    }
    Ok(out)
}

/// The record's sections (its text from the first `==` line), or an error
/// naming the command that writes it.
fn read_body(file: &Path, wanted: &[(String, Option<usize>)], command: &str) -> Result<String> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if wanted.is_empty() {
                return Ok(String::new());
            }
            bail!(
                "{} is missing (the record of what `wasmtime run` writes); write it with `{command}`",
                display(file)
            );
        }
        Err(e) => bail!("cannot read {}: {e}", display(file)),
    };
    if wanted.is_empty() {
        bail!(
            "{} is stale: the case compares nothing with Wasmtime; delete it or run `{command}`",
            display(file)
        );
    }
    let start = text
        .lines()
        .take_while(|l| l.starts_with(";;"))
        .map(|l| l.len() + 1)
        .sum::<usize>();
    Ok(text.get(start..).unwrap_or_default().to_string())
}

fn write(file: &Path, body: &str, owner: &Owner) -> Result<()> {
    if body.is_empty() {
        match std::fs::remove_file(file) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => bail!("cannot delete {}: {e}", display(file)),
        }
    }
    let text = format!(
        ";; What `{}` writes for the runs of {} that compare with it\n\
         ;; ({}). Written by:\n\
         ;; {}\n{body}",
        wasmtime_version()?,
        owner.source,
        owner.placeholder,
        owner.command,
    );
    if std::fs::read_to_string(file).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(file, text).with_context(|| format!("cannot write {}", display(file)))
}

/// `wasmtime --version`, first two words (e.g. `wasmtime 49.0.3`).
fn wasmtime_version() -> Result<String> {
    static VERSION: OnceLock<Option<String>> = OnceLock::new();
    let v = VERSION.get_or_init(|| {
        let w = util::wasmtime()?;
        let o = std::process::Command::new(w)
            .arg("--version")
            .output()
            .ok()?;
        let s = String::from_utf8_lossy(&o.stdout).into_owned();
        Some(s.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
    });
    v.clone().context("cannot run `wasmtime --version`")
}

/// Both texts and the first line where they part, for failure messages.
/// `first_line` numbers the texts' first line (to name lines of a file).
pub fn line_diff(a_name: &str, a: &str, b_name: &str, b: &str, first_line: usize) -> String {
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let show = |l: Option<&&str>| l.map_or("(no line)".to_string(), |l| format!("`{l}`"));
    let where_ = match (0..al.len().max(bl.len())).find(|&i| al.get(i) != bl.get(i)) {
        Some(i) => format!(
            "first difference at line {}:\n- {a_name}: {}\n+ {b_name}: {}",
            i + first_line,
            show(al.get(i)),
            show(bl.get(i))
        ),
        None => "the texts differ only in line endings or a last newline".to_string(),
    };
    format!(
        "{where_}\n--- {a_name} ---\n{}\n--- {b_name} ---\n{}",
        util::truncate(a, 4000),
        util::truncate(b, 4000)
    )
}

/// Unit checks of the record format, run with the directive parser's.
pub fn self_test() -> Result<()> {
    let sections = vec![
        (
            "invoke f 1".to_string(),
            Recorded {
                exit: 134,
                stderr: "Error: x\n\n    0: y\n".to_string(),
            },
        ),
        (
            "_start args a".to_string(),
            Recorded {
                exit: 1,
                stderr: "no newline".to_string(),
            },
        ),
    ];
    let body = render_body(&sections);
    if parse_body(&body)? != sections {
        bail!("record round trip failed:\n{body}");
    }
    if parse_body("== load\n| x\n").is_ok() || parse_body("exit 1\n").is_ok() {
        bail!("a malformed record parsed");
    }
    Ok(())
}
