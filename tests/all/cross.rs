//! Static and cross-built executables: that `kiln build` links fully static
//! by default (no `PT_INTERP`, `file` and `ldd` agree), that `--dynamic`
//! still gives a glibc executable, and that both behave the same; then, for
//! every other architecture `kiln targets` lists, a slice of the run cases
//! and programs built with `--target` and run under Debian's `qemu-user`
//! (`cross::<triple>::...`), which must behave exactly as the host build.
//!
//! The slice ([`RUN_SLICE`], [`PROGRAM_SLICE`]) keeps CI within its budget
//! while covering what differs per architecture: every trap kind with its
//! backtrace, exceptions, atomics and wasi-threads, the WASI P1 structs and
//! the canonical ABI (which a big-endian host would get wrong), components.
//! `KILN_CROSS_SLICE=all` runs every run case and program instead.
//!
//! Windows (`x86_64-pc-windows-gnu`, when `kiln targets` lists it) runs
//! the same slice under Wine (`cross::x86_64-pc-windows-gnu::...`), with
//! the exit status Wasmtime has there for a trap (3, not 134).

use crate::util;
use crate::{programs, run_cases};
use libtest_mimic::{Completion, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

/// Run cases (files or directories under `tests/run`, without `.wat`).
pub const RUN_SLICE: &[&str] = &[
    // Every trap kind, with its backtrace.
    "trap",
    "call/call_indirect",
    "table/tables",
    // The compiled reference and element initializers: per-architecture
    // code addresses and stores, in the spec's order.
    "table/init_refs",
    "numeric/conversions",
    // Extended constant expressions: the descriptor's relocated address
    // of their ops (native byte order; was read little-endian on s390x).
    "extended-const/global_reads",
    "function-references/typed_refs",
    "limits/w_fuel",
    "limits/w_timeout",
    "limits/stack_deep_frames",
    "limits/w_max_wasm_stack",
    "component/host-trap-backtrace",
    // Exceptions: the unwinder's frame walk.
    "exceptions",
    // Atomics, wait/notify, wasi-threads.
    "threads",
    // WASI P1: structs in guest memory, host calls' bounds checks.
    "wasi",
    "limits/host_call_oob_result",
    "limits/host_call_oob_result_filestat",
    "limits/wasi_convert_int",
    "limits/wasi_convert_flags",
    // Components: the canonical ABI's loads and stores.
    "component/invoke",
    "component/nested",
    "component/cross-module-calls",
    "component/resources-guest",
    "component/resources-host",
    "component/strings-to-host",
    "simd/values",
];

/// Programs (`tests/programs/<lang>/<name>`, without extension): WASI P1
/// and WASI 0.2 (components).
pub const PROGRAM_SLICE: &[&str] = &[
    "rust/wasi_stdio",
    "rust/wasi_args_env",
    "rust/wasi_files",
    "rust/wasi_dirs",
    "rust/wasi_clocks_random",
    "rust/wasi_poll",
    "rust/wasi_proc_exit",
    "rust/wasi_bad_pointer",
    "rust/wasi_misaligned",
    "rust/wasi_threads",
    "rust/wasi_threads_trap",
    "rust/p2_cli_env",
    "rust/p2_clocks_random",
    "rust/p2_fs_std",
    "rust/p2_fs_descriptors",
    "rust/p2_io_streams",
    "rust/p2_exit_status",
    "rust/p2_panic",
    "rust/p2_net_tcp",
    "c/c_adapted_command",
];

/// More programs for Windows, whose runtime differs from Linux's in more
/// than the architecture (files, sockets, the event loop): the sandbox and
/// its paths (`.`, `..`, trailing slashes, directories opened to write),
/// WASI 0.3, the `wasi:http` client, composed components, JavaScript
/// (QuickJS, and StarlingMonkey with `fetch`) and Python components.
pub const WINDOWS_PROGRAM_SLICE: &[&str] = &[
    "js/cli-basic",
    "js/sm-cli",
    "py/cli_sync",
    "p3/p3_hello",
    "p3/p3_env",
    "p3/p3_exit",
    "p3/p3_clocks_random",
    "p3/p3_fs",
    "p3/p3_fs_meta",
    "p3/p3_stdin",
    "p3/p3_sleeps",
    "p3/p3_sock_errors",
    "p3/p3_http_client",
    "http/http_client",
    "http/p2_sandbox_probe",
    "c/c_sandbox_probe",
    "c/c_poll_stdin",
    "p3/p3_sandbox_probe",
    "rust/wasi_sandbox",
    "rust/wasi_path_open",
    "compose/greet",
    "compose/mixed",
];

/// Where Kiln's Windows executables still differ from Wasmtime 49 for
/// Windows, by trial (after `cross::<triple>::`), with what differs. Such
/// a trial still runs: failing, it is reported as ignored with the gap;
/// passing, it fails until its line here is removed. The Windows port's
/// issue stays open while this list is not empty.
pub const WINDOWS_KNOWN_GAPS: &[(&str, &str)] = &[];

/// The known gap of the trial `name` on `cross`, if any.
fn known_gap(cross: &Cross, name: &str) -> Option<&'static str> {
    if !cross.is_windows() {
        return None;
    }
    WINDOWS_KNOWN_GAPS
        .iter()
        .find(|(trial, _)| *trial == name)
        .map(|(_, why)| *why)
}

/// A trial's `result` judged against its known gap (see
/// [`WINDOWS_KNOWN_GAPS`]).
fn judged(gap: Option<&str>, result: Result<Completion, Failed>) -> Result<Completion, Failed> {
    match (gap, result) {
        (None, result) => result,
        (Some(why), Err(_)) => Ok(Completion::ignored_with(format!(
            "known Windows gap: {why}"
        ))),
        (Some(_), Ok(Completion::Completed)) => {
            Err("passes now: remove it from WINDOWS_KNOWN_GAPS".into())
        }
        (Some(_), ok) => ok,
    }
}

/// A target whose executables run under an emulator.
#[derive(Debug, PartialEq, Eq)]
pub struct Cross {
    /// The `--target` triple.
    pub triple: String,
    /// The emulator (`qemu-aarch64`, ..., or `wine` for Windows).
    pub runner: PathBuf,
}

impl Cross {
    /// Whether the target is Windows (run under Wine).
    pub fn is_windows(&self) -> bool {
        self.triple.contains("-windows")
    }

    /// The exit status a Linux run's `status` is on this target: a trap's
    /// is 3 on Windows (Wasmtime's there), 134 elsewhere.
    pub fn status(&self, status: i32) -> i32 {
        if self.is_windows() && status == 134 {
            3
        } else {
            status
        }
    }

    /// The emulator's command for the executable `exe` (for Windows:
    /// Wine in the repository's prefix, which `scripts/windows-test-env`
    /// prepares, without Wine's diagnostics, which would go to the
    /// program's stderr).
    pub fn command(&self, exe: &Path) -> Command {
        let mut cmd = Command::new(&self.runner);
        cmd.arg(exe);
        if self.is_windows() {
            cmd.env("WINEDEBUG", "-all")
                .env("WINEPREFIX", wine_prefix());
        }
        cmd
    }
}

/// The `qemu-user` binary for a triple's architecture.
pub fn qemu_for(triple: &str) -> String {
    let arch = triple.split('-').next().unwrap_or_default();
    let qemu_arch = match arch {
        "riscv64gc" => "riscv64",
        other => other,
    };
    format!("qemu-{qemu_arch}")
}

pub fn trials() -> Vec<Trial> {
    let mut trials = vec![
        crate::timing::trial("cross::static_by_default", static_by_default),
        crate::timing::trial("cross::without_lld", without_lld),
    ];
    let targets = kiln_targets().unwrap_or_default();
    let Some(default) = targets.first() else {
        return trials;
    };
    let host_arch = default.split('-').next().unwrap_or_default().to_string();
    let all = std::env::var("KILN_CROSS_SLICE").is_ok_and(|v| v == "all");
    for triple in &targets {
        let windows = triple.contains("-windows");
        if triple.starts_with(&format!("{host_arch}-")) && !windows {
            continue;
        }
        let emulator = if windows {
            "wine".to_string()
        } else {
            qemu_for(triple)
        };
        let cross: &'static Cross = Box::leak(Box::new(Cross {
            triple: triple.clone(),
            runner: which(&emulator).unwrap_or_else(|| emulator.into()),
        }));
        if windows {
            trials.push(crate::timing::trial(
                format!("cross::{triple}::hello_exe"),
                move || {
                    need_runner(cross)?;
                    crate::windows::hello_exe(cross)
                },
            ));
            trials.push(crate::timing::trial(
                format!("cross::{triple}::serve_like_wasmtime_exe"),
                move || {
                    need_runner(cross)?;
                    crate::serve::windows_like_wasmtime_exe(cross)
                },
            ));
            trials.push(crate::timing::trial(
                format!("cross::{triple}::console_like_wasmtime_exe"),
                move || {
                    need_runner(cross)?;
                    crate::windows_console::console_like_wasmtime_exe(cross)
                },
            ));
            trials.push(crate::timing::ignorable_trial(
                format!("cross::{triple}::trap_details"),
                move || {
                    need_runner(cross)?;
                    crate::trap_details::windows(cross)
                },
            ));
            trials.push(crate::timing::trial(
                format!("cross::{triple}::serve_timeout_refused"),
                move || crate::windows::serve_timeout_refused(cross),
            ));
            slices(cross, all, &mut trials);
            windows_slice(cross, &mut trials);
            continue;
        }
        trials.push(crate::timing::trial(
            format!("cross::{triple}::static"),
            move || static_hello(cross),
        ));
        trials.push(crate::timing::trial(
            format!("cross::{triple}::serve_trap"),
            move || crate::serve::cross_trap_answers_500(cross),
        ));
        if triple.ends_with("-linux-gnu") {
            trials.push(crate::timing::trial(
                format!("cross::{triple}::musl_names_static_glibc"),
                move || musl_names_static_glibc(cross),
            ));
        }
        // Every architecture links dynamically against a sysroot's glibc,
        // with its `-linux-gnu` runtime.
        let gnu = format!(
            "{}-unknown-linux-gnu",
            triple.split('-').next().unwrap_or_default()
        );
        let gnu_cross: &'static Cross = Box::leak(Box::new(Cross {
            triple: gnu.clone(),
            runner: cross.runner.clone(),
        }));
        trials.push(crate::timing::trial(
            format!("cross::{gnu}::dynamic_sysroot"),
            move || dynamic_sysroot(gnu_cross),
        ));
        if triple.starts_with("riscv64") {
            trials.push(crate::timing::trial(
                format!("cross::{triple}::simd_needs_v"),
                move || simd_needs_v(cross),
            ));
        }
        slices(cross, all, &mut trials);
    }
    trials
}

/// The kinds of one-file programs (`tests/programs/<kind>/<name>.<ext>`),
/// as `(kind, ext)`.
const ONE_FILE_PROGRAMS: &[(&str, &str)] = &[("rust", "rs"), ("c", "c"), ("wat", "wat")];

/// [`WINDOWS_PROGRAM_SLICE`] for `cross`.
fn windows_slice(cross: &'static Cross, trials: &mut Vec<Trial>) {
    let root = util::repo().join("tests/programs");
    for entry in WINDOWS_PROGRAM_SLICE {
        let Some((project, name)) = entry.split_once('/') else {
            continue;
        };
        let title = format!("cross::{}::programs::{project}::{name}", cross.triple);
        let gap = known_gap(cross, &format!("programs::{project}::{name}"));
        if project == "compose" {
            let dir = root.join("compose").join(name);
            trials.push(crate::timing::ignorable_trial(title, move || {
                need_runner(cross)?;
                judged(gap, programs::run_composition_cross(&dir, cross))
            }));
            continue;
        }
        if project == "js" || project == "py" {
            let path = root.join(project).join(match project {
                "js" => format!("{name}.js"),
                _ => format!("{name}.py"),
            });
            trials.push(crate::timing::ignorable_trial(title, move || {
                need_runner(cross)?;
                judged(gap, programs::run_script_cross(&path, cross))
            }));
            continue;
        }
        // One-file programs.
        if let Some(ext) = ONE_FILE_PROGRAMS
            .iter()
            .find_map(|(sub, ext)| (*sub == project).then_some(ext))
        {
            let path = root.join(project).join(format!("{name}.{ext}"));
            trials.push(crate::timing::ignorable_trial(title, move || {
                need_runner(cross)?;
                judged(gap, programs::run_program_cross(&path, cross))
            }));
            continue;
        }
        let path = root
            .join(project)
            .join("src/bin")
            .join(format!("{name}.rs"));
        trials.push(crate::timing::ignorable_trial(title, move || {
            need_runner(cross)?;
            judged(
                gap,
                programs::run_project_program_cross(project, &path, cross),
            )
        }));
    }
}

/// The run cases and programs of the slice (all with `all`) for `cross`.
fn slices(cross: &'static Cross, all: bool, trials: &mut Vec<Trial>) {
    let triple = &cross.triple;
    {
        let root = util::repo().join("tests/run");
        for path in util::files_with_ext(&root, &["wat"]) {
            let rel = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .with_extension("")
                .to_string_lossy()
                .into_owned();
            let in_slice = RUN_SLICE
                .iter()
                .any(|s| rel == *s || rel.starts_with(&format!("{s}/")));
            if !(all || in_slice) {
                continue;
            }
            let gap = known_gap(cross, &format!("run::{rel}"));
            trials.push(crate::timing::ignorable_trial(
                format!("cross::{triple}::run::{rel}"),
                move || {
                    need_runner(cross)?;
                    judged(
                        gap,
                        run_cases::run_file_cross(&path, &rel, cross)
                            .map(|()| Completion::Completed),
                    )
                },
            ));
        }
        let programs_root = util::repo().join("tests/programs");
        for &(sub, ext) in ONE_FILE_PROGRAMS {
            for path in util::files_with_ext(&programs_root.join(sub), &[ext]) {
                if path.parent() != Some(&programs_root.join(sub)) {
                    continue;
                }
                let name = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !(all || PROGRAM_SLICE.contains(&format!("{sub}/{name}").as_str())) {
                    continue;
                }
                let gap = known_gap(cross, &format!("programs::{sub}::{name}"));
                trials.push(crate::timing::ignorable_trial(
                    format!("cross::{triple}::programs::{sub}::{name}"),
                    move || {
                        need_runner(cross)?;
                        judged(gap, programs::run_program_cross(&path, cross))
                    },
                ));
            }
        }
    }
}

/// Whether the emulator itself aborted: qemu 7.2's code generator fails
/// ("tcg fatal error") translating some s390x instructions that straddle a
/// 4 KiB page (seen with the test-only `rxsbg` of Cranelift's sub-word
/// atomics), wherever the link happened to put one. Any change in the
/// runtime's size can move such an instruction onto a page edge and abort
/// an unchanged program, so such a run says nothing about the program:
/// callers run it again at other addresses ([`Cross::unless_aborted`]).
fn emulator_aborted(o: &util::Outcome) -> bool {
    o.stderr_str().contains("tcg fatal error")
}

/// Whether Wine itself may have failed: its client lost the connection to
/// `wineserver` (seen a few times under many parallel runs), or the run
/// ended with status 1 and printed nothing at all (seen once in CI, for a
/// run that printed its error report every other time). Such a run may
/// say nothing about the program, which runs again
/// ([`Cross::unless_aborted`]); the second outcome is the one judged, so
/// a program that really ends that way (`proc_exit(1)` in silence) only
/// runs twice.
fn wine_failed(o: &util::Outcome) -> bool {
    o.stderr_str().starts_with("wine client error")
        || (o.code() == 1 && o.stdout.is_empty() && o.stderr.is_empty())
}

impl Cross {
    /// `first`, the outcome of the executable `exe` under the emulator,
    /// unless the emulator itself aborted ([`emulator_aborted`]); then the
    /// program runs again at other addresses: `build` builds it into the
    /// given path with the `kiln build` target options it gets instead of
    /// `--target <triple>` (the same compiled wasm code, with the runtime
    /// linked dynamically against Debian's cross glibc of the
    /// architecture), and `run` runs the emulator command made for it. Says
    /// so on stderr, so a log shows which runs were judged this way.
    pub fn unless_aborted(
        &self,
        first: util::Outcome,
        exe: &Path,
        build: impl FnOnce(&[String], &Path) -> anyhow::Result<()>,
        run: impl FnOnce(Command) -> anyhow::Result<util::Outcome>,
    ) -> anyhow::Result<util::Outcome> {
        if self.is_windows() {
            if !wine_failed(&first) {
                return Ok(first);
            }
            eprintln!(
                "note: Wine may have failed ({}); running the program again",
                first.describe().lines().next().unwrap_or_default()
            );
            return run(self.command(exe));
        }
        if !emulator_aborted(&first) {
            return Ok(first);
        }
        let arch = self.triple.split('-').next().unwrap_or_default();
        let sysroot = cross_sysroot(&self.triple).to_string_lossy().into_owned();
        if !Path::new(&sysroot).join("lib").is_dir() {
            anyhow::bail!(
                "the emulator aborted, and {sysroot} (Debian's libc6-dev-*-cross) is missing to \
                 run the program relinked"
            );
        }
        eprintln!(
            "note: {} aborted in its code generator (tcg fatal error); running the program \
             relinked against {sysroot}",
            self.runner.display()
        );
        let relinked = PathBuf::from(format!("{}-relinked", exe.display()));
        build(
            &[
                "--target".into(),
                format!("{arch}-unknown-linux-gnu"),
                "--dynamic".into(),
                "--sysroot".into(),
                sysroot.clone(),
            ],
            &relinked,
        )?;
        let mut cmd = Command::new(&self.runner);
        cmd.arg("-L").arg(&sysroot).arg(relinked);
        run(cmd)
    }
}

/// Debian's cross glibc root for a triple's architecture
/// (`libc6-dev-<arch>-cross`).
fn cross_sysroot(triple: &str) -> PathBuf {
    let arch = triple.split('-').next().unwrap_or_default();
    PathBuf::from(format!("/usr/{}-linux-gnu", arch.trim_end_matches("gc")))
}

/// The Wine prefix of the Windows lane, prepared once per test run by
/// `scripts/windows-test-env` (it adds the `bcryptprimitives.dll` Wine 8
/// lacks, which Rust programs import); `.ci/run` prepares it before the
/// test lanes start.
fn wine_prefix() -> PathBuf {
    static READY: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    let prefix = util::repo().join("target/wine");
    READY.get_or_init(|| {
        let _ = Command::new("bash")
            .arg(util::repo().join("scripts/windows-test-env"))
            .arg("true")
            .env("WINEPREFIX", &prefix)
            .status();
    });
    prefix
}

/// Fails with what to install when the emulator is missing.
fn need_runner(cross: &Cross) -> Result<(), Failed> {
    let package = if cross.is_windows() {
        "wine64"
    } else {
        "qemu-user"
    };
    if cross.runner.is_file() {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not installed (Debian: `apt-get install {package}`)",
            cross.runner.display()
        )
        .into())
    }
}

/// For an architecture whose static runtime is glibc's (no musl standard
/// library), `--target <arch>-unknown-linux-musl` is refused with a message
/// naming the triple that does build static executables.
fn musl_names_static_glibc(cross: &Cross) -> Result<(), Failed> {
    let arch = cross.triple.split('-').next().unwrap_or_default();
    let musl = format!("{arch}-unknown-linux-musl");
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let o = util::run(
        util::kiln_cmd()
            .args(["build", "--target", &musl])
            .arg(util::repo().join("examples/hello.wat"))
            .arg("-o")
            .arg(dir.path().join("hello")),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    let err = o.stderr_str();
    if o.code() != 1 || !err.contains(&format!("`--target {}`", cross.triple)) {
        return Err(format!(
            "expected a refusal naming {}\n{}",
            cross.triple,
            o.describe()
        )
        .into());
    }
    Ok(())
}

/// riscv64 at its rv64gc baseline refuses a SIMD module with a message
/// naming `--cpu has_v` (not an internal error of the code generator).
fn simd_needs_v(cross: &Cross) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let o = util::run(
        util::kiln_cmd()
            .args(["build", "--target", &cross.triple])
            .arg(util::repo().join("tests/run/simd/values.wat"))
            .arg("-o")
            .arg(dir.path().join("simd")),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    let err = o.stderr_str();
    if o.code() != 1
        || !err.starts_with("error: ")
        || !err.contains("add `--cpu has_v`")
        || err.contains("internal error")
    {
        return Err(format!("expected the SIMD refusal\n{}", o.describe()).into());
    }
    Ok(())
}

/// A cross-built hello world is static, prints its greeting under the
/// emulator, and its size is reported (P1 module; the limit is 1 MB).
fn static_hello(cross: &Cross) -> Result<(), Failed> {
    need_runner(cross)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let hello = util::repo().join("examples/hello.wat");
    let exe = dir.path().join("hello");
    util::kiln_build(&["--target", &cross.triple], &hello, &exe)?;
    check_static(&exe)?;
    let o = util::run(Command::new(&cross.runner).arg(&exe), b"", TIMEOUT)
        .map_err(|e| format!("{e:#}"))?;
    if o.code() != 0 || o.stdout_str() != "Hello, world!\n" {
        return Err(format!(
            "hello misbehaved under {}\n{}",
            cross.runner.display(),
            o.describe()
        )
        .into());
    }
    Ok(())
}

/// `--dynamic --sysroot` links against the target's glibc as Debian's
/// cross packages install it (`/usr/<arch>-linux-gnu`, which `.ci/run`
/// installs for every cross architecture): `examples/hello.wat` gets an
/// interpreter and prints its greeting under the emulator with that
/// sysroot as its library root; a missing `--sysroot` and a sysroot
/// without glibc are refused with one `error:` line.
fn dynamic_sysroot(cross: &Cross) -> Result<(), Failed> {
    need_runner(cross)?;
    let sysroot = cross_sysroot(&cross.triple);
    if !sysroot.join("lib").is_dir() {
        return Err(format!(
            "{} is missing (Debian's libc6-dev-*-cross)",
            sysroot.display()
        )
        .into());
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let exe = dir.path().join("hello");
    let build = |extra: &[&std::ffi::OsStr]| {
        let mut cmd = util::kiln_cmd();
        cmd.args(["build", "--dynamic", "--target", &cross.triple])
            .args(extra);
        build_hello(cmd, &exe)
    };
    let o = build(&["--sysroot".as_ref(), sysroot.as_os_str()])?;
    if !o.status.success() {
        return Err(format!("kiln build --dynamic --sysroot failed\n{}", o.describe()).into());
    }
    if !has_interp(&exe)? {
        return Err(format!("{} has no interpreter: not dynamic", exe.display()).into());
    }
    let o = util::run(
        Command::new(&cross.runner)
            .arg("-L")
            .arg(&sysroot)
            .arg(&exe),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    if o.code() != 0 || o.stdout_str() != "Hello, world!\n" {
        return Err(format!("dynamic hello misbehaved\n{}", o.describe()).into());
    }
    for (extra, want) in [
        (vec![], "give its root or SDK sysroot with `--sysroot DIR`"),
        (
            vec!["--sysroot".as_ref(), dir.path().as_os_str()],
            "has no `Scrt1.o`",
        ),
    ] {
        let o = build(&extra)?;
        let err = o.stderr_str();
        if o.code() != 1 || !err.starts_with("error: ") || !err.contains(want) {
            return Err(format!("expected a refusal naming `{want}`\n{}", o.describe()).into());
        }
    }
    Ok(())
}

/// Runs `cmd` (a `kiln build` with its options) on `examples/hello.wat`,
/// writing `exe`.
fn build_hello(mut cmd: Command, exe: &Path) -> Result<util::Outcome, String> {
    let hello = util::repo().join("examples/hello.wat");
    util::run(cmd.arg(&hello).arg("-o").arg(exe), b"", TIMEOUT).map_err(|e| format!("{e:#}"))
}

/// The triples `kiln targets` lists (the default first).
pub fn kiln_targets() -> Result<Vec<String>, String> {
    let o =
        util::run(util::kiln_cmd().arg("targets"), b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    if !o.status.success() {
        return Err(format!("kiln targets failed\n{}", o.describe()));
    }
    Ok(o.stdout_str().lines().map(str::to_string).collect())
}

/// With no lld on `PATH`, a static build for the host's architecture falls
/// back to the C driver (still static), and a cross build says how to
/// install lld.
fn without_lld() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    // A PATH with the C driver and the tools it runs, but no lld.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).map_err(|e| e.to_string())?;
    for tool in ["cc", "ld", "as"] {
        let Some(path) = which(tool) else {
            return Err(format!("`{tool}` is not installed").into());
        };
        std::os::unix::fs::symlink(path, bin.join(tool)).map_err(|e| e.to_string())?;
    }
    let exe = dir.path().join("hello");
    let build = |target: &str| {
        let mut cmd = util::kiln_cmd();
        cmd.env("PATH", &bin)
            // Nor the `rust-lld` of a rustup toolchain.
            .env("HOME", dir.path())
            .env("RUSTUP_HOME", dir.path())
            .env_remove("KILN_LLD")
            .args(["build", "--target", target]);
        build_hello(cmd, &exe)
    };
    let targets = kiln_targets()?;
    let host = &targets[0];
    let o = build(host)?;
    if !o.status.success() {
        return Err(format!("host static build without lld failed\n{}", o.describe()).into());
    }
    check_static(&exe)?;
    check_pie_entry(&exe, host)?;
    let o = util::run(&mut Command::new(&exe), b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    if o.stdout_str() != "Hello, world!\n" {
        return Err(format!("hello linked by cc misbehaved\n{}", o.describe()).into());
    }
    let host_arch = host.split('-').next().unwrap_or_default();
    if let Some(cross) = targets
        .iter()
        .find(|t| t.ends_with("-musl") && !t.starts_with(host_arch))
    {
        let o = build(cross)?;
        let err = o.stderr_str();
        if o.code() != 1
            || !err.contains("no LLVM linker found")
            || !err.contains("apt-get install lld")
        {
            return Err(format!("cross build without lld\n{}", o.describe()).into());
        }
    }
    Ok(())
}

/// The path of `program` on `PATH`.
fn which(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Whether the ELF file at `path` asks for a program interpreter (the
/// dynamic loader): a `PT_INTERP` program header. Reads the 64-bit ELF
/// header and program headers of either byte order.
pub fn has_interp(path: &Path) -> Result<bool, String> {
    let image = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !image.starts_with(b"\x7fELF\x02") {
        return Err(format!("{} is not a 64-bit ELF file", path.display()));
    }
    let big = image[5] == 2;
    let read = |at: usize, len: usize| -> Result<u64, String> {
        let bytes = image
            .get(at..at + len)
            .ok_or_else(|| format!("{}: truncated ELF", path.display()))?;
        let mut v = 0u64;
        for i in 0..len {
            let b = if big { bytes[i] } else { bytes[len - 1 - i] };
            v = (v << 8) | u64::from(b);
        }
        Ok(v)
    };
    let phoff = read(0x20, 8)? as usize;
    let phentsize = read(0x36, 2)? as usize;
    let phnum = read(0x38, 2)? as usize;
    for i in 0..phnum {
        const PT_INTERP: u64 = 3;
        if read(phoff + i * phentsize, 4)? == PT_INTERP {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What `program arg path` prints (stdout and stderr), if it is installed.
fn tool_says(program: &str, path: &Path) -> Option<String> {
    let out = Command::new(program).arg(path).output().ok()?;
    Some(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// Checks that `exe` is fully static: no interpreter, and `file`/`ldd`
/// (where installed) say so.
pub fn check_static(exe: &Path) -> Result<(), String> {
    if has_interp(exe)? {
        return Err(format!("{} has a PT_INTERP header", exe.display()));
    }
    if let Some(s) = tool_says("file", exe)
        && !s.contains("statically linked")
        && !s.contains("static-pie linked")
    {
        return Err(format!("`file` does not call it static: {s}"));
    }
    // glibc's ldd says "statically linked" for static-pie and "not a
    // dynamic executable" for non-PIE static executables.
    if let Some(s) = tool_says("ldd", exe)
        && !s.contains("statically linked")
        && !s.contains("not a dynamic executable")
    {
        return Err(format!("`ldd` lists libraries: {s}"));
    }
    Ok(())
}

/// Checks that the static executable `exe` for `triple` is
/// position-independent (an `ET_DYN` image, so its load address is
/// randomised) and starts where it should: at the runtime's own entry
/// (`kiln_abi::symbols::start_symbol`: a faster self-relocation) where the
/// runtime has one, else at the C library's `_start`.
pub fn check_pie_entry(exe: &Path, triple: &str) -> Result<(), String> {
    use object::{Object, ObjectKind, ObjectSymbol};
    let bytes = std::fs::read(exe).map_err(|e| format!("{}: {e}", exe.display()))?;
    let file = object::File::parse(&*bytes).map_err(|e| format!("{}: {e}", exe.display()))?;
    if file.kind() != ObjectKind::Dynamic {
        return Err(format!("{} is not position-independent", exe.display()));
    }
    let want = kiln_abi::symbols::start_symbol(triple).unwrap_or("_start");
    let start = file
        .symbols()
        .find(|s| s.name() == Ok(want))
        .ok_or_else(|| format!("{}: no `{want}` symbol", exe.display()))?;
    if start.address() != file.entry() {
        return Err(format!(
            "{}: entry {:#x}, but `{want}` is at {:#x}",
            exe.display(),
            file.entry(),
            start.address()
        ));
    }
    Ok(())
}

/// Default and `--static` outputs are static and `--dynamic` ones are not;
/// all three print the same.
fn static_by_default() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let hello = util::repo().join("examples/hello.wat");
    for (opts, static_expected) in [
        (&[][..], true),
        (&["--static"][..], true),
        (&["--dynamic"][..], false),
    ] {
        let exe = dir.path().join("hello");
        let o = util::run(
            util::kiln_cmd()
                .arg("build")
                .args(opts)
                .arg(&hello)
                .arg("-o")
                .arg(&exe),
            b"",
            TIMEOUT,
        )
        .map_err(|e| format!("{e:#}"))?;
        if !o.status.success() {
            return Err(format!("kiln build {opts:?} failed\n{}", o.describe()).into());
        }
        if static_expected {
            check_static(&exe).map_err(|e| format!("{opts:?}: {e}"))?;
            check_pie_entry(&exe, &kiln_targets()?[0]).map_err(|e| format!("{opts:?}: {e}"))?;
        } else if !has_interp(&exe)? {
            return Err(format!("{opts:?}: no PT_INTERP in a dynamic executable").into());
        }
        let o = util::run(&mut Command::new(&exe), b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
        if o.code() != 0 || o.stdout_str() != "Hello, world!\n" {
            return Err(format!("hello built with {opts:?} misbehaved\n{}", o.describe()).into());
        }
    }
    Ok(())
}
