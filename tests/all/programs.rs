//! Guest programs from `tests/programs/`: every `rust/*.rs` and `c/*.c` is
//! built to `wasm32-wasip1` at test time, compiled with `kiln build` (and run
//! again through `kiln run`), run with its `// kiln-test:` directives (the
//! syntax of [`crate::directives`], the keys in `tests/programs/README.md`),
//! and its stdout, stderr, exit status and file effects compared. Plus `big/`, a Cargo project that makes a
//! module of at least 5 MB.
//!
//! WASI 0.2 components come from two places: Rust programs with
//! `target = wasm32-wasip2` (rustc links the component itself through
//! `wasm-component-ld`), and C programs with `adapt = command`, built for
//! `wasm32-wasi` (preview 1) and then wrapped into a `wasi:cli/command`
//! component with the preview1 command adapter (`wit-component` and the
//! adapter bytes of `wasi-preview1-component-adapter-provider`). Composed
//! components come from `compose/<name>/` (see [`crate::compose`]), and
//! JavaScript components from `js/<name>.js` (see [`crate::js`]), Python
//! components from `py/<name>.py` (see [`crate::py`]).
//!
//! C programs need clang, lld and wasi-libc; without them the C trials are
//! skipped with a message (and fail under `CI`, which installs them).

use crate::cross::Cross;
use crate::directives;
use crate::symlink_race::SymlinkRace;
use crate::util::{self, Outcome};
use anyhow::{Context, Result, bail};
use libtest_mimic::{Completion, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

mod like_wasmtime;
mod on_windows;

pub(crate) const RUN_TIMEOUT: Duration = Duration::from_secs(120);
pub(crate) const BUILD_TIMEOUT: Duration = Duration::from_secs(900);

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Lang {
    Rust,
    C,
    /// A hand-written component (or module) in the text format, for the
    /// WASI 0.2 functions no guest toolchain here can import.
    Wat,
    /// A WASI 0.3 guest: a binary of the Cargo project `p3/` (built with
    /// the `wasip3` crate for `wasm32-wasip2`).
    P3,
    /// The same binary as a pure WASI 0.3 component: built for
    /// `wasm32-unknown-unknown` (no WASI 0.2 imports from std) and made a
    /// component by `wasm-tools component new` (programs with `pure = yes`).
    P3Pure,
    /// A `wasi:http` guest: a binary of the Cargo project `http/` (built
    /// with the `wasip2` crate for `wasm32-wasip2`).
    Http,
}

/// The directives of one program.
#[derive(Debug, Default, Clone)]
struct Spec {
    args: Vec<String>,
    dirs: Vec<(String, String)>,
    envs: Vec<String>,
    exit: i32,
    stdout: Option<Vec<u8>>,
    stdout_file: bool,
    stderr_contains: Vec<String>,
    stdin: Vec<u8>,
    /// `stdin-open`: stdin stays open after the input until the program
    /// has exited (a read past the input blocks instead of ending).
    stdin_open: bool,
    /// `nofile = N`: the run's `RLIMIT_NOFILE` (descriptor exhaustion).
    nofile: Option<u64>,
    /// `address-space-mib = N`: the run's `RLIMIT_AS`, in MiB (mappings a
    /// process keeps but never touches, which its peak RSS does not show).
    address_space_mib: Option<u64>,
    files_file: bool,
    /// `pure = yes`: a WASI 0.3 program that uses no std I/O, so it also
    /// runs as a pure 0.3 component ([`Lang::P3Pure`]).
    pure: bool,
    /// Rust target (`target = wasm32-wasip1-threads`); default
    /// `wasm32-wasip1`.
    target: Option<String>,
    /// Why the program cannot run under the reference engine
    /// (`wasmtime-skip = reason`): ignored with `KILN_TEST_ENGINE=wasmtime`.
    wasmtime_skip: Option<String>,
    /// Where Kiln differs from Wasmtime 49 on purpose
    /// (`unlike-wasmtime = reason`, each in `docs/compatibility.md`): the
    /// committed expectations are Kiln's, on every target, so the Windows
    /// lane checks them instead of `wasmtime.exe`'s outcome.
    unlike_wasmtime: Option<String>,
    /// WASI settings (`wasi = inherit-network`), each passed as `-S <value>`
    /// to both Kiln and wasmtime, which spell them alike.
    wasi: Vec<String>,
    /// Limits (`wasm = timeout=1s`), each passed as `-W <value>` to both.
    wasm: Vec<String>,
    /// C only: `adapt = command` turns the preview 1 module into a WASI 0.2
    /// command component with the preview1 command adapter.
    adapt: Option<Adapt>,
    /// JavaScript only: the toolchain (`js-tool = componentize-js`) and its
    /// options (`js-flags = --sync`).
    js: crate::js::Build,
    /// JavaScript only: libraries composed with the program (`compose =
    /// lib`, repeatable).
    compose: Vec<String>,
    /// JavaScript only: a library for `compose`, not a program.
    library: bool,
    /// Compositions only: `plug = dep other...` composes `dep` with the
    /// others before the app is composed.
    plugs: Vec<(String, Vec<String>)>,
    /// `stderr-like-wasmtime`: stderr must equal `wasmtime run`'s on the
    /// same component (for builds that are not reproducible, so offsets in
    /// a backtrace cannot be written down); fused adapters' frames aside
    /// ([`crate::adapter_frames`]).
    stderr_like_wasmtime: bool,
    /// `stdout-like-wasmtime`: stdout, exit status and (with `files-file`)
    /// the fixture's files must equal `wasmtime run`'s on the same
    /// component, run on a fixture of its own, beside the expected
    /// `.stdout` (so a change to either engine shows).
    stdout_like_wasmtime: bool,
    /// `race-symlink = NAME`: while the program runs, the fixture's
    /// directory `NAME` is swapped with symlinks out of the preopen, and
    /// the directory outside must be untouched ([`crate::symlink_race`]).
    race_symlink: Option<String>,
    /// `fixture-time = NAME SECONDS NANOS`: the fixture's file `NAME`
    /// (made empty if missing) gets this access and modification time, a
    /// timespec (`SECONDS` may be negative: before 1970, which no guest of
    /// WASI P1 or 0.2 can set).
    fixture_times: Vec<(String, i64, u32)>,
    /// `fixture-symlink = NAME TARGET`: the fixture gets a symlink `NAME`
    /// to `TARGET`, made at test time. Links that point out of the
    /// repository (`/`, `/etc/passwd`) must not live in the tree: cargo
    /// follows symlinks when it lists a package's files, and one to `/`
    /// sends it through directories it may not read. An absolute `TARGET`
    /// names a place in the fixture's `host/`, a stand-in for the
    /// machine's root ([`HOST_STAND_IN`]): a sandbox probe renames and
    /// removes through these links, and where the links are invisible to
    /// the guest's engine (Wine follows a host symlink as if it were the
    /// file it names) it would otherwise move the machine's `/etc/passwd`.
    fixture_symlinks: Vec<(String, String)>,
    /// `invoke = "greet(\"World\")"`: call this export (WAVE text, as
    /// `--invoke` takes it) instead of the command's `run`, in `kiln build`,
    /// `kiln run` and `wasmtime run` alike.
    invoke: Option<String>,
    /// `http-server`: a local HTTP server ([`crate::http_server`]) runs
    /// for the program, named by `HTTP_SERVER` (its TLS twin
    /// `HTTPS_SERVER`, `HTTP_CLOSED`, a port nobody listens on, and
    /// `HTTP_BLACKHOLE`, one where a connect never completes) in its
    /// environment.
    http_server: bool,
    /// `fixture = NAME`: the fixture is filled from
    /// `tests/programs/fixtures/NAME/` (shared by programs of several
    /// languages) instead of the directory named after the program.
    fixture: Option<String>,
}

/// How a preview 1 module is adapted into a component.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Adapt {
    /// The `wasi:cli/command` adapter (the module exports `_start`).
    Command,
}

/// The keys of a program's directives (syntax in [`crate::directives`]).
fn parse_spec(source: &str) -> Result<Spec> {
    let mut spec = Spec::default();
    for d in directives::parse(source)? {
        let ctx = || format!("line {}: `{}`", d.line, d.key);
        match d.key.as_str() {
            "args" => spec.args = d.words()?,
            "dir" => {
                let value = d.text()?;
                let (host, guest) = value.split_once("::").with_context(ctx)?;
                spec.dirs.push((host.to_string(), guest.to_string()));
            }
            "env" => spec.envs.push(d.text()?),
            "fixture" => spec.fixture = Some(d.text()?),
            "exit" => spec.exit = d.text()?.parse().with_context(ctx)?,
            "stdout" => spec.stdout = Some(d.bytes()?),
            "stdout-file" => {
                d.flag()?;
                spec.stdout_file = true;
            }
            "stderr-contains" => spec.stderr_contains.push(d.text()?),
            "stdin" => spec.stdin = d.bytes()?,
            "stdin-open" => {
                d.flag()?;
                spec.stdin_open = true;
            }
            "nofile" => spec.nofile = Some(d.text()?.parse().with_context(ctx)?),
            "address-space-mib" => {
                spec.address_space_mib = Some(d.text()?.parse().with_context(ctx)?);
            }
            "files-file" => {
                d.flag()?;
                spec.files_file = true;
            }
            "target" => spec.target = Some(d.text()?),
            "pure" => spec.pure = d.text()? == "yes",
            "wasmtime-skip" => spec.wasmtime_skip = Some(d.text()?),
            "unlike-wasmtime" => spec.unlike_wasmtime = Some(d.text()?),
            "wasi" => spec.wasi.push(d.text()?),
            "race-symlink" => spec.race_symlink = Some(d.text()?),
            "fixture-time" => match d.words()?.as_slice() {
                [name, secs, nanos] => spec.fixture_times.push((
                    name.clone(),
                    secs.parse().with_context(ctx)?,
                    nanos.parse().with_context(ctx)?,
                )),
                _ => bail!("{}: expected NAME SECONDS NANOS", ctx()),
            },
            "fixture-symlink" => match d.words()?.as_slice() {
                [name, target] => spec.fixture_symlinks.push((name.clone(), target.clone())),
                _ => bail!("{}: expected NAME TARGET", ctx()),
            },
            "wasm" => spec.wasm.push(d.text()?),
            "invoke" => spec.invoke = Some(d.text()?),
            "adapt" => match d.text()?.as_str() {
                "command" => spec.adapt = Some(Adapt::Command),
                other => bail!(
                    "line {}: unknown adapter `{other}` (known: command)",
                    d.line
                ),
            },
            "js-tool" => {
                let name = d.text()?;
                spec.js.tool = crate::js::Tool::parse(&name).with_context(|| {
                    format!(
                        "line {}: unknown `js-tool` `{name}` (known: componentize-qjs, componentize-js)",
                        d.line
                    )
                })?;
            }
            "js-flags" => spec.js.flags = d.words()?,
            "compose" => spec.compose.push(d.text()?),
            "library" => {
                d.flag()?;
                spec.library = true;
            }
            "plug" => {
                let mut words = d.words()?.into_iter();
                let dep = words.next().with_context(ctx)?;
                spec.plugs.push((dep, words.collect()));
            }
            "stderr-like-wasmtime" => {
                d.flag()?;
                spec.stderr_like_wasmtime = true;
            }
            "stdout-like-wasmtime" => {
                d.flag()?;
                spec.stdout_like_wasmtime = true;
            }
            "http-server" => {
                d.flag()?;
                spec.http_server = true;
            }
            other => bail!("line {}: unknown directive `{other}`", d.line),
        }
    }
    Ok(spec)
}

pub fn trials() -> Vec<Trial> {
    let root = util::repo().join("tests/programs");
    let mut trials = Vec::new();
    for (sub, ext, lang) in [
        ("rust", "rs", Lang::Rust),
        ("c", "c", Lang::C),
        ("wat", "wat", Lang::Wat),
    ] {
        for path in util::files_with_ext(&root.join(sub), &[ext]) {
            // Only top-level files are programs (subdirectories hold fixtures).
            if path.parent() != Some(&root.join(sub)) {
                continue;
            }
            let name = stem(&path);
            trials.push(crate::timing::ignorable_trial(
                format!("programs::{sub}::{name}"),
                move || run_program(&path, lang),
            ));
        }
    }
    for dir in crate::compose::compositions(&root.join("compose")) {
        let name = file_name(&dir);
        trials.push(crate::timing::ignorable_trial(
            format!("programs::compose::{name}"),
            move || run_composition(&dir),
        ));
    }
    for path in util::files_with_ext(&root.join("p3/src/bin"), &["rs"]) {
        let name = stem(&path);
        let pure = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| parse_spec(&t).ok())
            .is_some_and(|s| s.pure);
        if pure {
            let path = path.clone();
            trials.push(crate::timing::ignorable_trial(
                format!("programs::p3_pure::{name}"),
                move || run_program(&path, Lang::P3Pure),
            ));
        }
        trials.push(crate::timing::ignorable_trial(
            format!("programs::p3::{name}"),
            move || run_program(&path, Lang::P3),
        ));
    }
    for path in util::files_with_ext(&root.join("http/src/bin"), &["rs"]) {
        let name = stem(&path);
        trials.push(crate::timing::ignorable_trial(
            format!("programs::http::{name}"),
            move || run_program(&path, Lang::Http),
        ));
    }
    for path in util::files_with_ext(&crate::js::root(), &["js"]) {
        if path.parent() != Some(&crate::js::root()) {
            continue;
        }
        let library = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| parse_spec(&t).ok())
            .is_some_and(|s| s.library);
        if library {
            continue;
        }
        let name = stem(&path);
        trials.push(crate::timing::ignorable_trial(
            format!("programs::js::{name}"),
            move || run_js(&path),
        ));
    }
    for path in util::files_with_ext(&crate::py::root(), &["py"]) {
        let name = stem(&path);
        trials.push(crate::timing::ignorable_trial(
            format!("programs::py::{name}"),
            move || run_py(&path),
        ));
    }
    trials.push(crate::timing::ignorable_trial(
        "programs::big",
        crate::big::run_big,
    ));
    trials
}

/// A composition of `tests/programs/compose/<name>/` (see
/// [`crate::compose`]): its app `<name>.rs` carries the directives.
fn run_composition(dir: &Path) -> Result<Completion, Failed> {
    if let Err(why) = util::rust_wasm_target(DEFAULT_RUST_TARGET) {
        return util::toolchain_missing(why);
    }
    if let Err(why) = crate::compose::tools() {
        return util::toolchain_missing(why);
    }
    if crate::compose::has_js(dir)
        && let Err(why) = crate::js::tool(crate::js::Tool::Qjs)
    {
        return util::toolchain_missing(why);
    }
    let source = crate::compose::app(dir);
    let text = std::fs::read_to_string(&source).map_err(|e| e.to_string())?;
    let spec = parse_spec(&text).map_err(fail)?;
    let adapter = wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER;
    let wasm = crate::compose::build(dir, adapter, &spec.plugs).map_err(fail)?;
    run_built(&source, &wasm, &spec, host_vias())
}

/// A JavaScript program `js/<name>.js` (see [`crate::js`]).
fn run_js(source: &Path) -> Result<Completion, Failed> {
    run_js_via(source, host_vias())
}

/// A JavaScript (`.js`) or Python (`.py`) program for a cross target
/// (the Windows lane): [`run_js`] or [`run_py`] through [`Via::Cross`].
pub fn run_script_cross(source: &Path, cross: &'static Cross) -> Result<Completion, Failed> {
    if let Some(missing) = without_windows_reference(cross) {
        return missing;
    }
    let vias = [Via::Cross(cross)];
    match source.extension().and_then(|e| e.to_str()) {
        Some("py") => run_py_via(source, &vias),
        _ => run_js_via(source, &vias),
    }
}

fn run_js_via(source: &Path, vias: &[Via]) -> Result<Completion, Failed> {
    let text = std::fs::read_to_string(source).map_err(|e| e.to_string())?;
    let spec = parse_spec(&text).map_err(fail)?;
    if let Err(why) = crate::js::tool(spec.js.tool) {
        return util::toolchain_missing(why);
    }
    if !spec.compose.is_empty()
        && let Err(why) = crate::compose::tools()
    {
        return util::toolchain_missing(why);
    }
    let mut libs = Vec::new();
    for lib in &spec.compose {
        let path = crate::js::root().join(format!("{lib}.js"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let lib_spec = parse_spec(&text).map_err(fail)?;
        if !lib_spec.library {
            return Err(format!("{}: `compose` needs a `library`", path.display()).into());
        }
        if let Err(why) = crate::js::tool(lib_spec.js.tool) {
            return util::toolchain_missing(why);
        }
        libs.push((lib.clone(), lib_spec.js));
    }
    let name = stem(source);
    let wasm = crate::js::build(&name, &spec.js, &libs).map_err(fail)?;
    run_built(source, &wasm, &spec, vias)
}

/// A Python program `py/<name>.py` (see [`crate::py`]).
fn run_py(source: &Path) -> Result<Completion, Failed> {
    run_py_via(source, host_vias())
}

fn run_py_via(source: &Path, vias: &[Via]) -> Result<Completion, Failed> {
    if let Err(why) = crate::py::tool() {
        return util::toolchain_missing(why);
    }
    let text = std::fs::read_to_string(source).map_err(|e| e.to_string())?;
    let spec = parse_spec(&text).map_err(fail)?;
    let name = stem(source);
    let wasm = crate::py::build(&name).map_err(fail)?;
    run_built(source, &wasm, &spec, vias)
}

/// The file name of `path` without its extension (a trial's name).
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The last component of `path`.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(crate) fn fail(e: anyhow::Error) -> Failed {
    format!("{e:#}").into()
}

/// The ways a program runs on the host: built and through `kiln run`, or
/// under wasmtime (`KILN_TEST_ENGINE=wasmtime`).
fn host_vias() -> &'static [Via] {
    if util::reference_engine() {
        &[Via::Wasmtime]
    } else {
        &[Via::Build, Via::Run]
    }
}

fn run_program(source: &Path, lang: Lang) -> Result<Completion, Failed> {
    run_program_via(source, lang, host_vias())
}

/// Runs a program of `tests/programs/` built for a cross target, under its
/// emulator (`cross::` trials): the same expectations as on the host.
pub fn run_program_cross(source: &Path, cross: &'static Cross) -> Result<Completion, Failed> {
    if let Some(missing) = without_windows_reference(cross) {
        return missing;
    }
    let lang = match source.extension().and_then(|e| e.to_str()) {
        Some("rs") => Lang::Rust,
        Some("c") => Lang::C,
        _ => Lang::Wat,
    };
    run_program_via(source, lang, &[Via::Cross(cross)])
}

/// For the Windows lane without its reference (`wasmtime.exe`): the
/// trial's outcome (a failure under CI, else ignored).
fn without_windows_reference(cross: &Cross) -> Option<Result<Completion, Failed>> {
    (cross.is_windows() && util::wasmtime_exe().is_none()).then(|| {
        util::toolchain_missing(
            "wasmtime.exe, the Windows lane's reference, is missing \
             (scripts/fetch-wasmtime-windows)"
                .to_string(),
        )
    })
}

/// [`run_program_cross`] for the programs of a Cargo project of
/// `tests/programs`: `p3` (WASI 0.3) or `http` (`wasi:http` 0.2 clients).
pub fn run_project_program_cross(
    project: &str,
    source: &Path,
    cross: &'static Cross,
) -> Result<Completion, Failed> {
    let lang = match project {
        "p3" => Lang::P3,
        "http" => Lang::Http,
        other => return Err(format!("no program project `{other}`").into()),
    };
    if let Some(missing) = without_windows_reference(cross) {
        return missing;
    }
    run_program_via(source, lang, &[Via::Cross(cross)])
}

/// [`run_composition`] built for and run on `cross`.
pub fn run_composition_cross(dir: &Path, cross: &'static Cross) -> Result<Completion, Failed> {
    if let Err(why) = util::rust_wasm_target(DEFAULT_RUST_TARGET) {
        return util::toolchain_missing(why);
    }
    if let Err(why) = crate::compose::tools() {
        return util::toolchain_missing(why);
    }
    if let Some(missing) = without_windows_reference(cross) {
        return missing;
    }
    let source = crate::compose::app(dir);
    let text = std::fs::read_to_string(&source).map_err(|e| e.to_string())?;
    let spec = parse_spec(&text).map_err(fail)?;
    let adapter = wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER;
    let wasm = crate::compose::build(dir, adapter, &spec.plugs).map_err(fail)?;
    run_built(&source, &wasm, &spec, &[Via::Cross(cross)])
}

fn run_program_via(source: &Path, lang: Lang, vias: &[Via]) -> Result<Completion, Failed> {
    if lang == Lang::C
        && let Err(why) = c_toolchain()
    {
        return util::toolchain_missing(format!(
            "C toolchain for wasm32-wasi missing ({why}); install clang lld wasi-libc libclang-rt-14-dev-wasm32"
        ));
    }
    let text = std::fs::read_to_string(source).map_err(|e| e.to_string())?;
    let spec = parse_spec(&text).map_err(fail)?;
    let target = match lang {
        Lang::P3 | Lang::Http => "wasm32-wasip2",
        Lang::P3Pure => "wasm32-unknown-unknown",
        _ => spec.target.as_deref().unwrap_or(DEFAULT_RUST_TARGET),
    };
    if matches!(lang, Lang::Rust | Lang::P3 | Lang::P3Pure | Lang::Http)
        && let Err(why) = util::rust_wasm_target(target)
    {
        return util::toolchain_missing(why);
    }
    if util::reference_engine()
        && let Some(why) = &spec.wasmtime_skip
    {
        return Ok(Completion::ignored_with(format!(
            "not under wasmtime: {why}"
        )));
    }
    if vias
        .iter()
        .any(|v| matches!(v, Via::Cross(c) if c.is_windows()))
    {
        // `setrlimit` is POSIX: Windows has no per-process limit on
        // handles or address space to run out of, and under Wine the
        // limit would bound Wine's own processes, not the program.
        if spec.nofile.is_some() || spec.address_space_mib.is_some() {
            return Ok(Completion::ignored_with(
                "a resource limit (nofile, address-space) has no Windows counterpart".to_string(),
            ));
        }
        // Wine shows a host symlink to a Windows program as what it
        // names, so no engine under Wine can refuse the race's links.
        if spec.race_symlink.is_some() {
            return Ok(Completion::ignored_with(
                "Wine hides the race's host symlinks from Windows programs".to_string(),
            ));
        }
    }
    let mut wasm = build_wasm(source, lang, target).map_err(fail)?;
    if let Some(adapt) = spec.adapt {
        wasm = adapt_module(&wasm, adapt).map_err(fail)?;
    }
    run_built(source, &wasm, &spec, vias)
}

/// Runs the built program `wasm` of `source` each way of `vias` and
/// compares.
fn run_built(source: &Path, wasm: &Path, spec: &Spec, vias: &[Via]) -> Result<Completion, Failed> {
    let mut failures = Vec::new();
    for &via in vias {
        if let Err(e) = run_once(source, wasm, spec, via) {
            failures.push(format!("via {via:?}: {e:#}"));
        }
    }
    if failures.is_empty() {
        Ok(Completion::Completed)
    } else {
        Err(failures.join("\n\n").into())
    }
}

/// How the program is executed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Via {
    /// `kiln build` with the grants baked in, then the executable.
    Build,
    /// `kiln run` with the grants on its command line.
    Run,
    /// `wasmtime run` (`KILN_TEST_ENGINE=wasmtime`: checks the expectations).
    Wasmtime,
    /// `kiln build --target` for another architecture, run under its
    /// emulator.
    Cross(&'static Cross),
}

/// A fresh fixture directory for one run of `source` (programs may write
/// to it), filled and linked as its directives say.
/// The fixture's directory that stands in for the machine's root: where
/// `fixture-symlink`'s absolute targets point, outside every preopen.
/// [`listing`] shows links into it as the absolute paths they stand for.
const HOST_STAND_IN: &str = "host";

fn make_fixture(source: &Path, spec: &Spec) -> Result<tempfile::TempDir> {
    let name = stem(source);
    let fixture = tempfile::tempdir().context("fixture dir")?;
    for candidate in [
        spec.fixture
            .as_ref()
            .map(|f| util::repo().join("tests/programs/fixtures").join(f)),
        source.parent().map(|p| p.join("fixtures").join(&name)),
        source
            .parent()
            .and_then(Path::parent)
            .map(|p| p.join("fixtures").join(&name)),
    ]
    .into_iter()
    .flatten()
    {
        if candidate.is_dir() {
            copy_dir(&candidate, fixture.path())?;
            break;
        }
    }
    for (link, target) in &spec.fixture_symlinks {
        let target = match target.strip_prefix('/') {
            Some(rest) => fixture.path().join(HOST_STAND_IN).join(rest),
            None => PathBuf::from(target),
        };
        std::os::unix::fs::symlink(&target, fixture.path().join(link))
            .with_context(|| format!("fixture symlink {link} -> {}", target.display()))?;
    }
    for (file, secs, nanos) in &spec.fixture_times {
        set_fixture_time(&fixture.path().join(file), *secs, *nanos)?;
    }
    Ok(fixture)
}

/// The `--dir` flags of the program's preopens, `fixture` standing for
/// the run's fixture directory.
fn dir_flags(spec: &Spec, fixture: &Path) -> Vec<String> {
    let mut flags = Vec::new();
    for (host, guest) in &spec.dirs {
        // `fixture/SUB`: a subdirectory of the fixture, so one preopen can
        // sit beside directories outside it (and beside another preopen).
        let host = if host == "fixture" {
            fixture.to_string_lossy().into_owned()
        } else if let Some(sub) = host.strip_prefix("fixture/") {
            fixture.join(sub).to_string_lossy().into_owned()
        } else {
            host.clone()
        };
        flags.push("--dir".into());
        flags.push(format!("{host}::{guest}"));
    }
    flags
}

fn run_once(source: &Path, wasm: &Path, spec: &Spec, via: Via) -> Result<()> {
    let name = stem(source);
    let fixture = make_fixture(source, spec)?;
    // The grants but the preopens, which name the run's own fixture.
    let mut other_flags: Vec<String> = Vec::new();
    for env in &spec.envs {
        other_flags.push("--env".into());
        other_flags.push(env.clone());
    }
    // Serves every run of this program (Kiln's and wasmtime's alike).
    let _server = if spec.http_server {
        let s = crate::http_server::Server::start().context("starting the HTTP server")?;
        other_flags.push("--env".into());
        other_flags.push(format!("HTTP_SERVER={}", s.addr));
        other_flags.push("--env".into());
        other_flags.push(format!("HTTP_CLOSED={}", s.closed));
        other_flags.push("--env".into());
        other_flags.push(format!("HTTPS_SERVER={}", s.tls));
        other_flags.push("--env".into());
        other_flags.push(format!("HTTP_BLACKHOLE={}", s.blackhole));
        Some(s)
    } else {
        None
    };
    for setting in &spec.wasi {
        other_flags.push("-S".into());
        other_flags.push(setting.clone());
    }
    if let Some(invoke) = &spec.invoke {
        other_flags.push("--invoke".into());
        other_flags.push(invoke.clone());
    }
    // The race starts right before the guest does (not during a build).
    let start_race = || -> Result<Option<SymlinkRace>> {
        spec.race_symlink
            .as_deref()
            .map(|name| SymlinkRace::start(fixture.path(), name))
            .transpose()
    };
    let race;
    for setting in &spec.wasm {
        other_flags.push("-W".into());
        other_flags.push(setting.clone());
    }
    let grant_flags = [dir_flags(spec, fixture.path()), other_flags.clone()].concat();
    let outcome = match via {
        Via::Build | Via::Cross(_) => {
            let cross = match via {
                Via::Cross(c) => Some(c),
                _ => None,
            };
            // A pure WASI 0.3 build of a program runs beside its mixed one
            // (both trials at once): its executable needs its own name.
            let pure = wasm.parent().and_then(Path::file_name)
                == Some(std::ffi::OsStr::new("programs-p3-pure"));
            let exe_name = if pure {
                format!("{name}-pure")
            } else {
                name.clone()
            };
            let exe = match cross {
                Some(c) => fixture_exe_path(&format!("{exe_name}-{}", c.triple)),
                None => fixture_exe_path(&exe_name),
            };
            let build = |target_args: &[String], exe: &Path| -> Result<()> {
                let mut cmd = util::kiln_cmd();
                cmd.arg("build")
                    .args(target_args)
                    .args(&grant_flags)
                    .arg(wasm)
                    .arg("-o")
                    .arg(exe);
                let o = util::run(&mut cmd, b"", BUILD_TIMEOUT)?;
                if !o.status.success() {
                    bail!("kiln build failed\n{}", o.describe());
                }
                Ok(())
            };
            let target_args: Vec<String> = match cross {
                Some(c) => vec!["--target".into(), c.triple.clone()],
                None => Vec::new(),
            };
            build(&target_args, &exe)?;
            let cmd = match cross {
                Some(c) => c.command(&exe),
                None => Command::new(&exe),
            };
            let run_exe = |mut cmd: Command| {
                cmd.args(&spec.args);
                set_limits(&mut cmd, spec);
                run_guest(&mut cmd, spec)
            };
            race = start_race()?;
            match cross {
                Some(c) => {
                    let first = run_exe(cmd)?;
                    c.unless_aborted(first, &exe, build, run_exe)?
                }
                None => run_exe(cmd)?,
            }
        }
        Via::Run => {
            let mut cmd = util::kiln_cmd();
            cmd.arg("run").args(&grant_flags).arg(wasm).args(&spec.args);
            set_limits(&mut cmd, spec);
            race = start_race()?;
            run_guest(&mut cmd, spec)?
        }
        Via::Wasmtime => {
            let wasmtime = util::wasmtime().context("wasmtime is not installed")?;
            let mut cmd = Command::new(wasmtime);
            cmd.arg("run").args(&grant_flags).arg(wasm).args(&spec.args);
            set_limits(&mut cmd, spec);
            race = start_race()?;
            run_guest(&mut cmd, spec)?
        }
    };
    if let Some(race) = race {
        race.finish()
            .map_err(|why| anyhow::anyhow!("{why:#}\n{}", outcome.describe()))?;
    }
    // Wasmtime 49 for Windows is the reference, but for what it cannot run
    // (`wasmtime-skip`: wasi-threads) and where Kiln differs from it on
    // purpose (`unlike-wasmtime`): there the committed expectations stand.
    if let Via::Cross(c) = via
        && c.is_windows()
        && spec.wasmtime_skip.is_none()
        && spec.unlike_wasmtime.is_none()
    {
        return on_windows::check(
            source,
            wasm,
            spec,
            &other_flags,
            &outcome,
            fixture.path(),
            c,
        );
    }
    let on_target;
    let spec = match via {
        Via::Cross(c) => {
            on_target = Spec {
                exit: c.status(spec.exit),
                ..spec.clone()
            };
            &on_target
        }
        _ => spec,
    };
    check(source, spec, &outcome, fixture.path())
        .map_err(|why| anyhow::anyhow!("{why}\n{}", outcome.describe()))?;
    if via != Via::Wasmtime {
        like_wasmtime::check(
            source,
            wasm,
            spec,
            via,
            &other_flags,
            &outcome,
            fixture.path(),
        )?;
    }
    Ok(())
}

/// Runs the program's command with its stdin directives.
fn run_guest(cmd: &mut Command, spec: &Spec) -> Result<Outcome> {
    let end = if spec.stdin_open {
        util::StdinEnd::KeepOpen
    } else {
        util::StdinEnd::Close
    };
    util::run_with_stdin(cmd, &spec.stdin, end, RUN_TIMEOUT)
}

/// Sets the child's `RLIMIT_NOFILE` and `RLIMIT_AS` (both limits of each)
/// as the program's directives ask.
fn set_limits(cmd: &mut Command, spec: &Spec) {
    use std::os::unix::process::CommandExt;
    let limits: Vec<_> = [
        spec.nofile.map(|n| (libc::RLIMIT_NOFILE, n)),
        spec.address_space_mib.map(|m| (libc::RLIMIT_AS, m << 20)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if limits.is_empty() {
        return;
    }
    // SAFETY: the closure runs in the forked child before exec and only
    // calls setrlimit, which is async-signal-safe; it reads `limits`, its
    // own copy, and touches no memory shared with the parent's threads.
    unsafe {
        cmd.pre_exec(move || {
            for &(resource, n) in &limits {
                let lim = libc::rlimit {
                    rlim_cur: n,
                    rlim_max: n,
                };
                if libc::setrlimit(resource, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

fn fixture_exe_path(name: &str) -> PathBuf {
    util::scratch("program-bins").join(name)
}

fn check(source: &Path, spec: &Spec, o: &Outcome, fixture: &Path) -> Result<(), String> {
    if o.code() != spec.exit {
        return Err(format!("expected exit {}, got {}", spec.exit, o.code()));
    }
    let expected_stdout = if spec.stdout_file {
        Some(
            std::fs::read(source.with_extension("stdout"))
                .map_err(|e| format!("no .stdout file: {e}"))?,
        )
    } else {
        spec.stdout.clone()
    };
    if let Some(want) = expected_stdout
        && o.stdout != want
    {
        return Err(format!(
            "stdout differs: {}",
            util::first_difference(&String::from_utf8_lossy(&want), &o.stdout_str())
        ));
    }
    let stderr = o.stderr_str();
    for needle in &spec.stderr_contains {
        if !stderr.contains(needle.as_str()) {
            return Err(format!("stderr does not contain `{needle}`"));
        }
    }
    if spec.files_file {
        let want = std::fs::read_to_string(source.with_extension("files"))
            .map_err(|e| format!("no .files file: {e}"))?;
        let got = listing(fixture).map_err(|e| format!("{e:#}"))?;
        if want.trim_end() != got.trim_end() {
            return Err(format!(
                "fixture files differ: {}\n--- got ---\n{got}",
                util::first_difference(&want, &got)
            ));
        }
    }
    Ok(())
}

/// `path: content-escaped` per file (directories as `path/`), sorted.
fn listing(dir: &Path) -> Result<String> {
    let mut lines = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("read_dir {}", d.display()))? {
            let p = e?.path();
            let rel = p
                .strip_prefix(dir)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            let meta = std::fs::symlink_metadata(&p)?;
            if meta.is_dir() {
                lines.push(format!("{rel}/"));
                stack.push(p);
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&p)?;
                let target = match target.strip_prefix(dir.join(HOST_STAND_IN)) {
                    Ok(rest) => Path::new("/").join(rest),
                    Err(_) => target,
                };
                lines.push(format!("{rel} -> {}", target.display()));
            } else {
                lines.push(format!("{rel}: {}", util::escape(&std::fs::read(&p)?)));
            }
        }
    }
    lines.sort();
    Ok(lines.join("\n"))
}

/// `fixture-time`: sets `path`'s access and modification times to the
/// timespec `secs`, `nanos` (creating the file empty if it is missing).
fn set_fixture_time(path: &Path, secs: i64, nanos: u32) -> Result<()> {
    use std::time::{Duration, SystemTime};
    let whole = Duration::from_secs(secs.unsigned_abs());
    let t = if secs >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(whole)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(whole)
    }
    .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(nanos))))
    .context("fixture-time out of range")?;
    let file = std::fs::File::options()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("fixture-time: {}", path.display()))?;
    let times = std::fs::FileTimes::new().set_accessed(t).set_modified(t);
    file.set_times(times)
        .with_context(|| format!("fixture-time: {}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        let kind = e.file_type()?;
        if kind.is_symlink() {
            // Kept a link (absolute targets included: escapes to test).
            std::os::unix::fs::symlink(std::fs::read_link(e.path())?, &target)?;
        } else if kind.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}

/// The component or module of program `entry` (`rust/<name>` or
/// `p3/<name>` of `tests/programs`), built as its trials build it.
pub fn built_wasm(entry: &str) -> Result<PathBuf, String> {
    let root = util::repo().join("tests/programs");
    let (source, lang) = match entry.split_once('/') {
        Some(("rust", name)) => (root.join("rust").join(format!("{name}.rs")), Lang::Rust),
        Some(("p3", name)) => (root.join("p3/src/bin").join(format!("{name}.rs")), Lang::P3),
        _ => return Err(format!("no program `{entry}` to build here")),
    };
    let text =
        std::fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?;
    let spec = parse_spec(&text).map_err(|e| format!("{e:#}"))?;
    let target = match lang {
        Lang::P3 => "wasm32-wasip2",
        _ => spec.target.as_deref().unwrap_or(DEFAULT_RUST_TARGET),
    };
    util::rust_wasm_target(target)?;
    build_wasm(&source, lang, target).map_err(|e| format!("{e:#}"))
}

/// Builds a program to wasm (reusing a previous build when the source is
/// older).
fn build_wasm(source: &Path, lang: Lang, target: &str) -> Result<PathBuf> {
    let name = stem(source);
    if lang == Lang::P3 {
        let dir = build_p3("wasm32-wasip2").map_err(|e| anyhow::anyhow!("{e}"))?;
        return Ok(dir.join(format!("{name}.wasm")));
    }
    if lang == Lang::Http {
        let dir = build_project("http", "wasm32-wasip2").map_err(|e| anyhow::anyhow!("{e}"))?;
        return Ok(dir.join(format!("{name}.wasm")));
    }
    if lang == Lang::P3Pure {
        crate::compose::tools().map_err(|e| anyhow::anyhow!("{e}"))?;
        let dir = build_p3("wasm32-unknown-unknown").map_err(|e| anyhow::anyhow!("{e}"))?;
        let out = util::scratch("programs-p3-pure").join(format!("{name}.wasm"));
        let mut new = Command::new("wasm-tools");
        new.args(["component", "new"])
            .arg(dir.join(format!("{name}.wasm")))
            .arg("-o")
            .arg(&out);
        let o = util::run(&mut new, b"", BUILD_TIMEOUT)?;
        if !o.status.success() {
            bail!(
                "wasm-tools component new of {name} failed\n{}",
                o.describe()
            );
        }
        return Ok(out);
    }
    let dir = util::scratch(match lang {
        Lang::Rust => "programs-rust",
        Lang::C => "programs-c",
        Lang::Wat => "programs-wat",
        Lang::P3 | Lang::P3Pure | Lang::Http => "programs-p3",
    });
    let out = dir.join(format!("{name}.wasm"));
    let inputs = build_inputs(source);
    let fresh = |out: &Path| -> bool {
        let Ok(o) = std::fs::metadata(out).and_then(|m| m.modified()) else {
            return false;
        };
        inputs.iter().all(|input| {
            std::fs::metadata(input)
                .and_then(|m| m.modified())
                .is_ok_and(|s| o >= s)
        })
    };
    if fresh(&out) {
        return Ok(out);
    }
    let tmp = util::tmp_path(&dir, &format!("{name}.wasm"));
    let mut cmd = match lang {
        Lang::Rust => {
            let mut c = Command::new(util::rustc());
            c.args(["--edition", "2021", "-O", "--target", target])
                .arg(source)
                .arg("-o")
                .arg(&tmp);
            c
        }
        Lang::C => {
            let mut c = Command::new("clang");
            c.args(C_FLAGS).arg(source).arg("-o").arg(&tmp);
            c
        }
        Lang::P3 | Lang::P3Pure | Lang::Http => unreachable!("built above"),
        // The text format needs no external tool.
        Lang::Wat => {
            let bytes = wat::parse_file(source).with_context(|| format!("{}", source.display()))?;
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, &out)?;
            return Ok(out);
        }
    };
    let o = util::run(&mut cmd, b"", BUILD_TIMEOUT)?;
    if !o.status.success() {
        bail!(
            "building {} to wasm failed\n{}",
            source.display(),
            o.describe()
        );
    }
    std::fs::rename(&tmp, &out)?;
    Ok(out)
}

/// The files a program's build reads: its source and, for a program that
/// declares `mod shared`, the modules under `shared/` (bindings shared by
/// several programs), so that a change to any of them rebuilds it.
fn build_inputs(source: &Path) -> Vec<PathBuf> {
    let mut inputs = vec![source.to_path_buf()];
    let text = std::fs::read_to_string(source).unwrap_or_default();
    if let Some(dir) = source.parent()
        && text
            .lines()
            .any(|l| l.trim_start().starts_with("mod shared"))
    {
        inputs.extend(util::files_with_ext(&dir.join("shared"), &["rs"]));
    }
    inputs
}

/// Wraps the preview 1 module `core` into a component with the adapter
/// `adapt`, written beside it as `<name>.component.wasm` (reused while newer
/// than the module).
fn adapt_module(core: &Path, adapt: Adapt) -> Result<PathBuf> {
    let out = core.with_extension("component.wasm");
    let fresh = matches!(
        (std::fs::metadata(core).and_then(|m| m.modified()),
         std::fs::metadata(&out).and_then(|m| m.modified())),
        (Ok(c), Ok(o)) if o >= c
    );
    if fresh {
        return Ok(out);
    }
    let adapter = match adapt {
        Adapt::Command => {
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER
        }
    };
    let bytes = std::fs::read(core).with_context(|| format!("read {}", core.display()))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&bytes)
        .context("wit-component: module")?
        .validate(true)
        .adapter("wasi_snapshot_preview1", adapter)
        .context("wit-component: adapter")?
        .encode()
        .with_context(|| format!("adapting {} into a component", core.display()))?;
    let tmp = util::tmp_path(out.parent().unwrap_or(Path::new(".")), "adapted.wasm");
    std::fs::write(&tmp, component)?;
    std::fs::rename(&tmp, &out)?;
    Ok(out)
}

const C_FLAGS: &[&str] = &["--target=wasm32-wasi", "--sysroot=/usr", "-O2"];

/// The Rust target of programs without a `target` directive.
pub(crate) const DEFAULT_RUST_TARGET: &str = "wasm32-wasip1";

/// Checks once that clang can build a WASI program.
fn c_toolchain() -> Result<(), String> {
    static RESULT: OnceLock<Result<(), String>> = OnceLock::new();
    RESULT
        .get_or_init(|| {
            if !util::have("clang") {
                return Err("no clang".into());
            }
            let dir = util::scratch("c-probe");
            let src = dir.join("probe.c");
            std::fs::write(
                &src,
                "#include <stdio.h>\nint main(void){puts(\"x\");return 0;}\n",
            )
            .map_err(|e| e.to_string())?;
            let o = util::run(
                Command::new("clang")
                    .args(C_FLAGS)
                    .arg(&src)
                    .arg("-o")
                    .arg(dir.join("probe.wasm")),
                b"",
                BUILD_TIMEOUT,
            )
            .map_err(|e| e.to_string())?;
            if o.status.success() {
                Ok(())
            } else {
                Err(util::truncate(o.stderr_str().trim(), 300))
            }
        })
        .clone()
}

/// Builds every WASI 0.3 guest of `tests/programs/p3` once (one cargo
/// build of the project, `--locked` against its lock file); returns the
/// directory holding `<name>.wasm`.
fn build_p3(target: &'static str) -> Result<PathBuf, String> {
    build_project("p3", target)
}

/// Builds every binary and example (the `http` project's proxies, see
/// `crate::serve`) of the Cargo project `tests/programs/<project>` once
/// per target (`--locked` against its lock file); returns the directory
/// holding `<name>.wasm` (`examples/<name>.wasm` for an example).
pub fn build_project(project: &'static str, target: &'static str) -> Result<PathBuf, String> {
    type Built = std::sync::Mutex<
        Vec<(
            &'static str,
            &'static str,
            Arc<OnceLock<Result<PathBuf, String>>>,
        )>,
    >;
    // One build per project and target, shared by the trials.
    static BUILT: OnceLock<Built> = OnceLock::new();
    let cell = {
        let mut built = BUILT
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match built.iter().find(|(p, t, _)| *p == project && *t == target) {
            Some((_, _, c)) => c.clone(),
            None => {
                let c = Arc::new(OnceLock::new());
                built.push((project, target, c.clone()));
                c
            }
        }
    };
    cell.get_or_init(|| {
        let root = util::repo().join("tests/programs").join(project);
        let target_dir = util::scratch(&format!("{project}-target"));
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.arg("build")
            .arg("--manifest-path")
            .arg(root.join("Cargo.toml"))
            .args([
                "--release",
                "--target",
                target,
                "--locked",
                "--bins",
                "--examples",
            ])
            .arg("--target-dir")
            .arg(&target_dir)
            // The outer `cargo test` may have set flags meant for Kiln's build.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_MAKEFLAGS");
        let o = util::run(&mut cmd, b"", BUILD_TIMEOUT).map_err(|e| format!("{e:#}"))?;
        if !o.status.success() {
            return Err(format!(
                "cargo build of tests/programs/{project} failed\n{}",
                o.describe()
            ));
        }
        Ok(target_dir.join(target).join("release"))
    })
    .clone()
}
