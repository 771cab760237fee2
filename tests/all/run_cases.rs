//! Compile-and-run cases: every `tests/run/**/*.wat` file, with
//! `;; kiln-test:` directives saying how to run it and what must happen
//! (format in `tests/run/README.md`).
//!
//! The `_start` run goes through `kiln build` and runs the executable; each
//! `invoke` run goes through `kiln run --invoke` (one cached compile per
//! file). `KILN_TEST_ENGINE=wasmtime` runs the same expectations against
//! `wasmtime run` instead, to check the expectations themselves.
//!
//! The runs that compare with Wasmtime (`stderr-like-wasmtime`) and the
//! files Wasmtime must refuse (`wasmtime-refuses`) are checked against
//! Wasmtime's outputs recorded next to the case (`<name>.wasmtime`,
//! [`wasmtime_record`]), so these trials need no `wasmtime`:
//! `KILN_WASMTIME_BLESS=1` rewrites the records from live runs, and
//! `KILN_TEST_LIVE_WASMTIME=1` checks that they still equal Wasmtime's
//! live output.

use crate::cross::Cross;
use crate::directives;
use crate::util::{self, Outcome};
use crate::wasmtime_record::{self, Recorded, Records};
use anyhow::{Context, Result, bail};
use libtest_mimic::{Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const RUN_TIMEOUT: Duration = Duration::from_secs(60);
const BUILD_TIMEOUT: Duration = Duration::from_secs(300);

/// One test file, parsed.
#[derive(Debug, Default)]
pub struct Case {
    /// Extra options for `kiln build` / `kiln run` (and wasmtime).
    pub flags: Vec<String>,
    /// Extra options for wasmtime only (e.g. `-W custom-page-sizes`).
    pub wasmtime_flags: Vec<String>,
    /// The compile must fail with a message containing this.
    pub compile_error: Option<String>,
    /// With `compile_error`: `wasmtime run` must refuse the file too (exit
    /// 1, before running anything) with a message containing this (checked
    /// on the record, [`wasmtime_record`]).
    pub wasmtime_refuses: Option<String>,
    /// Skip this case, with a reason.
    pub skip: Option<String>,
    /// Why the reference engine cannot run this case (e.g. wasi-threads,
    /// which Wasmtime 47 removed): skipped with `KILN_TEST_ENGINE=wasmtime`.
    pub wasmtime_skip: Option<String>,
    /// The runs, `_start` first if any.
    pub runs: Vec<Run>,
}

/// One execution of the module and its expectations.
#[derive(Debug, Default, Clone)]
pub struct Run {
    /// `None` = `_start`; otherwise the export and its arguments.
    pub invoke: Option<Vec<String>>,
    pub args: Vec<String>,
    pub stdin: Vec<u8>,
    pub stdout: Option<Vec<u8>>,
    pub stderr: Option<Vec<u8>>,
    pub stderr_contains: Vec<String>,
    /// stderr must equal what `wasmtime run` wrote for the same run, as
    /// recorded in the case's `.wasmtime` file ([`wasmtime_record`]).
    pub stderr_like_wasmtime: bool,
    pub exit: Option<i32>,
    pub trap: Option<String>,
    pub expect: Option<String>,
    /// The run's peak resident set size must stay below this (MiB).
    pub max_rss_mib: Option<u64>,
    /// Line of the directive that started the run, for messages.
    pub line: usize,
}

impl Run {
    fn label(&self) -> String {
        match &self.invoke {
            None => "_start".to_string(),
            Some(inv) => format!("invoke `{}` (line {})", inv.join(" "), self.line),
        }
    }
}

/// Parses the directives of a file (syntax in [`crate::directives`]).
pub fn parse(source: &str) -> Result<Case> {
    let mut case = Case::default();
    let mut start = Run::default();
    let mut start_used = false;
    let mut current: Option<Run> = None;
    for d in directives::parse(source)? {
        let line_no = d.line;
        match d.key.as_str() {
            "flags" => case.flags.extend(d.words()?),
            "wasmtime-flags" => case.wasmtime_flags.extend(d.words()?),
            "compile-error" => case.compile_error = Some(d.text()?),
            "wasmtime-refuses" => case.wasmtime_refuses = Some(d.text()?),
            "skip" => case.skip = Some(d.text()?),
            "wasmtime-skip" => case.wasmtime_skip = Some(d.text()?),
            "invoke" => {
                if let Some(run) = current.take() {
                    case.runs.push(run);
                }
                let words = d.words()?;
                if words.is_empty() {
                    bail!("line {line_no}: empty invoke");
                }
                current = Some(Run {
                    invoke: Some(words),
                    line: line_no,
                    ..Run::default()
                });
            }
            key => {
                let run = match current.as_mut() {
                    Some(r) => r,
                    None => {
                        start_used = true;
                        &mut start
                    }
                };
                match key {
                    "args" => run.args = d.words()?,
                    "stdin" => run.stdin = d.bytes()?,
                    "stdout" => run.stdout = Some(d.bytes()?),
                    "stderr" => run.stderr = Some(d.bytes()?),
                    "stderr-contains" => run.stderr_contains.push(d.text()?),
                    "stderr-like-wasmtime" => run.stderr_like_wasmtime = true,
                    "exit" => {
                        run.exit =
                            Some(d.text()?.parse().with_context(|| {
                                format!("line {line_no}: exit must be a number")
                            })?)
                    }
                    "trap" => run.trap = Some(d.text()?),
                    "expect" => run.expect = Some(d.text()?),
                    "max-rss-mib" => {
                        run.max_rss_mib = Some(d.text()?.parse().with_context(|| {
                            format!("line {line_no}: max-rss-mib must be a number")
                        })?)
                    }
                    other => bail!("line {line_no}: unknown directive `{other}`"),
                }
            }
        }
    }
    if let Some(run) = current.take() {
        case.runs.push(run);
    }
    let has_invokes = !case.runs.is_empty();
    if start_used || (!has_invokes && case.compile_error.is_none()) {
        case.runs.insert(0, start);
    }
    Ok(case)
}

/// Which engine executes the cases.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Engine {
    Kiln,
    Wasmtime,
}

fn engine() -> Engine {
    if util::reference_engine() {
        Engine::Wasmtime
    } else {
        Engine::Kiln
    }
}

/// One trial per `.wat` file under `tests/run`.
pub fn trials() -> Vec<Trial> {
    let root = util::repo().join("tests/run");
    util::files_with_ext(&root, &["wat"])
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .with_extension("")
                .to_string_lossy()
                .into_owned();
            let name = format!("run::{rel}");
            let ignored = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| parse(&s).ok())
                .is_some_and(|c| c.skip.is_some());
            crate::timing::trial(name, move || run_file(&path, &rel)).with_ignored_flag(ignored)
        })
        .chain(std::iter::once(crate::timing::trial(
            "run::directive_parser",
            parser_self_test,
        )))
        .collect()
}

fn run_file(path: &Path, rel: &str) -> Result<(), Failed> {
    let source = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let case = parse(&source).map_err(|e| format!("bad directives: {e:#}"))?;
    let engine = engine();
    if engine == Engine::Wasmtime && case.wasmtime_skip.is_some() {
        return Ok(());
    }
    // Checked before the records are read: a refused load is recorded
    // instead of the runs.
    if case.wasmtime_refuses.is_some() && case.compile_error.is_none() {
        return Err("`wasmtime-refuses` needs `compile-error`".into());
    }
    // Wasmtime's recorded outputs (under the Wasmtime engine, the checks
    // run it live instead).
    let records = match engine {
        Engine::Kiln => wasmtime_record::records(path, &case, |run| {
            execute(Engine::Wasmtime, path, &case, run, None)
        })
        .map_err(|e| format!("{e:#}"))?,
        Engine::Wasmtime => Records::none(case.runs.len()),
    };
    if let Some(expected) = &case.compile_error {
        if engine == Engine::Kiln {
            check_compile_error(path, rel, &case, expected).map_err(|e| format!("{e:#}"))?;
        }
        return check_wasmtime_refuses(engine, path, &case, &records)
            .map_err(|e| format!("{e:#}").into());
    }
    let exe = match engine {
        Engine::Kiln if case.runs.iter().any(|r| r.invoke.is_none()) => {
            Some(build(path, rel, &case).map_err(|e| format!("{e:#}"))?)
        }
        _ => None,
    };
    let mut failures = Vec::new();
    for (run, recorded) in case.runs.iter().zip(&records.runs) {
        let outcome = match execute(engine, path, &case, run, exe.as_deref()) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{}: {e:#}", run.label()));
                continue;
            }
        };
        // A compile error from `kiln run` would repeat for every invoke.
        let kiln_error = engine == Engine::Kiln
            && run.invoke.is_some()
            && outcome.code() == 1
            && outcome.stderr_str().starts_with("error: ");
        if let Err(why) = check(run, &outcome) {
            failures.push(format!("{}: {why}\n{}", run.label(), outcome.describe()));
            if kiln_error {
                break;
            }
            continue;
        }
        if let Some(recorded) = recorded
            && let Err(why) = like_wasmtime(recorded, &outcome)
        {
            failures.push(format!("{}: {why:#}", run.label()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n\n").into())
    }
}

/// Runs a case built for a cross target under its emulator (`cross::`
/// trials): every run (`_start` and each `--invoke`, baked in with
/// `kiln build --invoke`) is built for the host and for the target, and
/// the target's outcome must meet the expectations and equal the host's
/// byte for byte (exit status, stdout, stderr with its backtrace).
pub fn run_file_cross(path: &Path, rel: &str, cross: &Cross) -> Result<(), Failed> {
    let source = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let case = parse(&source).map_err(|e| format!("bad directives: {e:#}"))?;
    // A compile error does not depend on the target.
    if case.compile_error.is_some() || case.skip.is_some() {
        return Ok(());
    }
    let mut failures = Vec::new();
    for (i, run) in case.runs.iter().enumerate() {
        if let Err(e) = run_cross(path, rel, &case, run, i, cross) {
            failures.push(format!("{}: {e:#}", run.label()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n\n").into())
    }
}

fn run_cross(
    path: &Path,
    rel: &str,
    case: &Case,
    run: &Run,
    index: usize,
    cross: &Cross,
) -> Result<()> {
    let mut outcomes = Vec::new();
    let mut host_build_error: Option<Outcome> = None;
    for triple in [None, Some(cross.triple.as_str())] {
        let exe = util::scratch("cross-bins").join(format!(
            "{}-{index}-{}",
            sanitize(rel),
            triple.unwrap_or("host")
        ));
        let build = |target_args: &[String], exe: &Path| {
            let mut cmd = util::kiln_cmd();
            cmd.arg("build").args(target_args);
            if let Some(inv) = &run.invoke {
                cmd.arg("--invoke").arg(&inv[0]);
            }
            cmd.args(&case.flags).arg(path).arg("-o").arg(exe);
            util::run(&mut cmd, b"", BUILD_TIMEOUT)
        };
        let target_args: Vec<String> = match triple {
            Some(t) => vec!["--target".into(), t.into()],
            None => Vec::new(),
        };
        let o = build(&target_args, &exe)?;
        // A run only `kiln run` can do (e.g. `-W max-wasm-stack=0`, which
        // `kiln build` refuses): the cross build must refuse it alike.
        if let Some(host) = &host_build_error {
            if o.code() != host.code() || o.stderr != host.stderr {
                bail!(
                    "kiln build refused the host build but not the same way for {}\n--- host \
                     ---\n{}\n--- target ---\n{}",
                    cross.triple,
                    host.describe(),
                    o.describe()
                );
            }
            return Ok(());
        }
        if !o.status.success() {
            if triple.is_none() {
                host_build_error = Some(o);
                continue;
            }
            // riscv64 at its baseline (no vector unit) compiles no SIMD,
            // and says so: the run is not for this target.
            if o.stderr_str().contains("add `--cpu has_v`") {
                return Ok(());
            }
            bail!("kiln build {triple:?} failed\n{}", o.describe());
        }
        let cmd = match triple {
            Some(_) => cross.command(&exe),
            None => Command::new(&exe),
        };
        let run_exe = |mut cmd: Command| {
            if let Some(inv) = &run.invoke {
                cmd.args(&inv[1..]);
            }
            cmd.args(&run.args);
            util::run(&mut cmd, &run.stdin, RUN_TIMEOUT)
        };
        let mut o = run_exe(cmd)?;
        if triple.is_some() {
            let relinked_build = |target_args: &[String], exe: &Path| {
                let b = build(target_args, exe)?;
                if !b.status.success() {
                    bail!("the relinked build failed\n{}", b.describe());
                }
                Ok(())
            };
            o = cross.unless_aborted(o, &exe, relinked_build, run_exe)?;
        }
        outcomes.push(o);
    }
    let (host, target) = (&outcomes[0], &outcomes[1]);
    // The emulator's peak RSS is not the guest's: checked on the host only.
    let run = Run {
        max_rss_mib: None,
        exit: Some(cross.status(run.exit.unwrap_or(if run.trap.is_some() { 134 } else { 0 }))),
        ..run.clone()
    };
    let same_as_host = cross.status(host.code()) == target.code()
        && host.stdout == target.stdout
        && host.stderr == target.stderr;
    if !same_as_host && cross.is_windows() {
        // Where Windows differs from Linux (error texts of the OS, file
        // semantics), the reference is Wasmtime for Windows.
        return like_wasmtime_exe(path, case, &run, cross, target);
    }
    if let Err(why) = check(&run, target) {
        bail!("{why}\n{}", target.describe());
    }
    if !same_as_host {
        bail!(
            "differs from the host build\n--- host ---\n{}\n--- {} ---\n{}",
            host.describe(),
            cross.triple,
            target.describe()
        );
    }
    Ok(())
}

/// Compares a Windows run's `outcome` with `wasmtime.exe`'s (under the
/// same Wine) for the same case, run and flags.
fn like_wasmtime_exe(
    path: &Path,
    case: &Case,
    run: &Run,
    cross: &Cross,
    outcome: &Outcome,
) -> Result<()> {
    let Some(exe) = util::wasmtime_exe() else {
        bail!(
            "differs from the host build, and wasmtime.exe (the Windows reference, \
             scripts/fetch-wasmtime-windows) is missing\n{}",
            outcome.describe()
        );
    };
    let mut cmd = cross.command(&exe);
    cmd.env_remove("RUST_BACKTRACE").arg("run");
    if let Some(inv) = &run.invoke {
        cmd.arg("--invoke").arg(&inv[0]);
    }
    cmd.args(&case.flags);
    // From the same directory as the build (the flags' paths are relative
    // to it); the executable names the module by its file name.
    cmd.arg(path);
    if let Some(inv) = &run.invoke {
        cmd.args(&inv[1..]);
    }
    cmd.args(&run.args);
    let reference = util::run(&mut cmd, &run.stdin, RUN_TIMEOUT)?;
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let reference_stderr = reference
        .stderr_str()
        .replace(&*path.to_string_lossy(), &file_name);
    if reference.code() != outcome.code()
        || reference.stdout != outcome.stdout
        || reference_stderr != outcome.stderr_str()
    {
        bail!(
            "differs from wasmtime.exe\n--- wasmtime.exe ---\n{}\n--- {} ---\n{}",
            reference.describe(),
            cross.triple,
            outcome.describe()
        );
    }
    Ok(())
}

fn check_compile_error(path: &Path, rel: &str, case: &Case, expected: &str) -> Result<()> {
    let out_path = util::scratch("run-bins").join(sanitize(rel));
    let mut cmd = util::kiln_cmd();
    cmd.arg("build")
        .args(&case.flags)
        .arg(path)
        .arg("-o")
        .arg(&out_path);
    let o = util::run(&mut cmd, b"", BUILD_TIMEOUT)?;
    let stderr = o.stderr_str();
    if o.code() != 1 {
        bail!(
            "expected `kiln build` to fail with exit 1\n{}",
            o.describe()
        );
    }
    if !stderr.contains(expected) {
        bail!(
            "expected the error to contain `{expected}`\n{}",
            o.describe()
        );
    }
    if !stderr.starts_with("error: ") || stderr.trim_end().lines().count() != 1 {
        bail!("expected a one-line `error: ...` message\n{}", o.describe());
    }
    Ok(())
}

/// `wasmtime-refuses`: `wasmtime run` refuses the file at load, exit 1,
/// with the words given: checked on the record under the Kiln engine, on
/// a live run under the Wasmtime engine.
fn check_wasmtime_refuses(
    engine: Engine,
    path: &Path,
    case: &Case,
    records: &Records,
) -> Result<()> {
    let Some(words) = &case.wasmtime_refuses else {
        return Ok(());
    };
    let (exit, stderr, what) = match (engine, &records.load) {
        (Engine::Kiln, Some(r)) => (r.exit, r.stderr.clone(), "recorded"),
        (Engine::Kiln, None) => bail!("no record of the refused load"),
        (Engine::Wasmtime, _) => {
            let o = execute(Engine::Wasmtime, path, case, &Run::default(), None)?;
            (o.code(), o.stderr_str(), "live")
        }
    };
    if exit != 1 || !stderr.contains(words.as_str()) {
        bail!(
            "expected `wasmtime run` to refuse the file (exit 1) with `{words}` ({what} output)\n\
             exit {exit}\n--- stderr ---\n{stderr}"
        );
    }
    Ok(())
}

fn sanitize(rel: &str) -> String {
    rel.replace(['/', '\\'], "__")
}

/// `kiln build` for the `_start` run.
fn build(path: &Path, rel: &str, case: &Case) -> Result<PathBuf> {
    let out_path = util::scratch("run-bins").join(sanitize(rel));
    let mut cmd = util::kiln_cmd();
    cmd.arg("build")
        .args(&case.flags)
        .arg(path)
        .arg("-o")
        .arg(&out_path);
    let o = util::run(&mut cmd, b"", BUILD_TIMEOUT)?;
    if !o.status.success() {
        bail!("kiln build failed\n{}", o.describe());
    }
    Ok(out_path)
}

fn execute(
    engine: Engine,
    path: &Path,
    case: &Case,
    run: &Run,
    exe: Option<&Path>,
) -> Result<Outcome> {
    let mut cmd = match (engine, &run.invoke, exe) {
        (Engine::Kiln, None, Some(exe)) => {
            let mut c = Command::new(exe);
            c.args(&run.args);
            c
        }
        (Engine::Kiln, _, _) => {
            let mut c = util::kiln_cmd();
            c.arg("run");
            c
        }
        (Engine::Wasmtime, _, _) => {
            let Some(w) = util::wasmtime() else {
                bail!("KILN_TEST_ENGINE=wasmtime but wasmtime is not installed");
            };
            let mut c = Command::new(w);
            // The reference invocation: with these set, wasmtime appends a
            // host backtrace to its own error messages (not to wasm traps).
            c.env_remove("RUST_BACKTRACE")
                .env_remove("RUST_LIB_BACKTRACE");
            c.arg("run");
            c
        }
    };
    let direct = engine == Engine::Kiln && run.invoke.is_none();
    if !direct {
        cmd.args(&case.flags);
        if engine == Engine::Wasmtime {
            cmd.args(&case.wasmtime_flags);
        }
        if let Some(inv) = &run.invoke {
            cmd.arg("--invoke").arg(&inv[0]);
        }
        cmd.arg(path);
        if let Some(inv) = &run.invoke {
            cmd.args(&inv[1..]);
        }
        cmd.args(&run.args);
    }
    util::run(&mut cmd, &run.stdin, RUN_TIMEOUT)
}

/// `stderr-like-wasmtime`: Kiln's stderr (its repository root written as
/// in records) must be wasmtime's recorded one, byte for byte but for
/// fused-adapter frames ([`crate::adapter_frames`]).
fn like_wasmtime(recorded: &Recorded, outcome: &Outcome) -> Result<()> {
    let kiln = wasmtime_record::normalize(&outcome.stderr_str());
    if String::from_utf8(outcome.stderr.clone()).is_ok()
        && crate::adapter_frames::same_stderr(recorded.stderr.as_bytes(), kiln.as_bytes())
    {
        return Ok(());
    }
    let (w, k) = crate::adapter_frames::normalize(&recorded.stderr, &kiln);
    bail!(
        "stderr differs from wasmtime's recorded one (exit {} there, {} here; lines of stderr)\n{}",
        recorded.exit,
        outcome.code(),
        wasmtime_record::line_diff("wasmtime", &w, "kiln", &k, 1)
    )
}

/// Compares an outcome with a run's expectations.
fn check(run: &Run, o: &Outcome) -> Result<(), String> {
    let expected_exit = run.exit.unwrap_or(if run.trap.is_some() { 134 } else { 0 });
    let stderr = o.stderr_str();
    if let Some(trap) = &run.trap {
        let line = stderr.lines().find(|l| l.contains("wasm trap:"));
        match line {
            Some(l) if l.contains(trap.as_str()) => {}
            Some(l) => return Err(format!("expected trap `{trap}`, got `{}`", l.trim())),
            None => {
                return Err(format!(
                    "expected trap `{trap}`, but stderr has no `wasm trap:` line"
                ));
            }
        }
    }
    if o.code() != expected_exit {
        return Err(format!("expected exit {expected_exit}, got {}", o.code()));
    }
    if let Some(expect) = &run.expect {
        let got = o.stdout_str();
        let want = if expect.is_empty() {
            String::new()
        } else {
            format!("{expect}\n")
        };
        if got != want {
            return Err(format!(
                "expected result `{}`, got `{}`",
                util::escape(want.as_bytes()),
                util::escape(got.as_bytes())
            ));
        }
    }
    if let Some(stdout) = &run.stdout
        && &o.stdout != stdout
    {
        return Err(format!(
            "stdout differs: expected `{}`, got `{}`",
            util::escape(stdout),
            util::escape(&o.stdout)
        ));
    }
    if let Some(want) = &run.stderr
        && &o.stderr != want
    {
        return Err(format!(
            "stderr differs: expected `{}`, got `{}`",
            util::escape(want),
            util::escape(&o.stderr)
        ));
    }
    for needle in &run.stderr_contains {
        if !stderr.contains(needle.as_str()) {
            return Err(format!("stderr does not contain `{needle}`"));
        }
    }
    if stderr.contains("panicked") {
        return Err("stderr mentions a panic".to_string());
    }
    if let Some(max) = run.max_rss_mib
        && o.peak_rss_kib > max * 1024
    {
        return Err(format!(
            "peak RSS {} KiB exceeds the {max} MiB ceiling",
            o.peak_rss_kib
        ));
    }
    Ok(())
}

/// Unit checks of the directive parser and of the run-case keys, run as one
/// trial.
pub fn parser_self_test() -> Result<(), Failed> {
    directives::self_test().map_err(|e| format!("{e:#}"))?;
    wasmtime_record::self_test().map_err(|e| format!("{e:#}"))?;
    let c = parse(
        ";; kiln-test: args = \"a b\"\n;; kiln-test: stdout = \"x\\n\"\n(module)\n;; kiln-test: invoke = \"f 1 2\"\n;; kiln-test: expect = \"3\"\n;; kiln-test: invoke = \"g\"\n;; kiln-test: trap = \"unreachable\"\n",
    )
    .map_err(|e| format!("{e:#}"))?;
    if c.runs.len() != 3
        || c.runs[0].args != ["a", "b"]
        || c.runs[0].stdout.as_deref() != Some(&b"x\n"[..])
    {
        return Err(format!("bad parse: {c:?}").into());
    }
    if c.runs[1].invoke.as_deref() != Some(&["f".to_string(), "1".into(), "2".into()][..])
        || c.runs[1].expect.as_deref() != Some("3")
        || c.runs[2].trap.as_deref() != Some("unreachable")
    {
        return Err(format!("bad parse: {c:?}").into());
    }
    let only_invokes = parse(";; kiln-test: invoke = \"f\"\n;; kiln-test: expect = \"1\"\n")
        .map_err(|e| format!("{e:#}"))?;
    if only_invokes.runs.len() != 1 {
        return Err("a file with only invokes has no _start run".into());
    }
    let ceiling = parse(";; kiln-test: max-rss-mib = 32\n").map_err(|e| format!("{e:#}"))?;
    if ceiling.runs.first().and_then(|r| r.max_rss_mib) != Some(32) {
        return Err(format!("bad parse: {ceiling:?}").into());
    }
    let fat = Outcome {
        status: std::os::unix::process::ExitStatusExt::from_raw(0),
        stdout: Vec::new(),
        stderr: Vec::new(),
        peak_rss_kib: 33 * 1024,
    };
    if check(&ceiling.runs[0], &fat).is_ok() {
        return Err("a run above its memory ceiling passed".into());
    }
    Ok(())
}
