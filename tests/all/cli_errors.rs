//! The CLI's failure modes: each must print exactly one `error: ...` line
//! naming the cause (clap's usage errors excepted, which print their usage
//! hint, and bad `-S`/`-W` values, printed with Wasmtime's exact wording and
//! `Caused by:` chain), exit with 1 (compile, link, I/O) or 2 (usage), and
//! never panic.

use crate::util::{self, Outcome};
use anyhow::Result;
use libtest_mimic::{Failed, Trial};
use std::path::PathBuf;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

struct ErrorCase {
    name: &'static str,
    /// Files to create in a fresh directory: (name, contents).
    files: &'static [(&'static str, &'static [u8])],
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    exit: i32,
    /// Substrings of stderr.
    contains: &'static [&'static str],
    /// Whether stderr must be exactly one line.
    one_line: bool,
}

const GC: &[u8] =
    b"(module (type (struct (field i32)))\n  (func (export \"f\") (result i32) i32.const 0))";
const UNKNOWN_IMPORT: &[u8] = b"(module (import \"env\" \"frobnicate\" (func)))";
const EMPTY: &[u8] = b"(module (func (export \"_start\")))";

const CASES: &[ErrorCase] = &[
    ErrorCase {
        // Named explicitly, it is not replaced by another linker.
        name: "kiln_lld_names_nothing",
        files: &[("ok.wat", EMPTY)],
        args: &["build", "ok.wat", "-o", "out"],
        env: &[("KILN_LLD", "no-such-lld-anywhere")],
        exit: 1,
        contains: &["error: ", "KILN_LLD", "no-such-lld-anywhere"],
        one_line: true,
    },
    ErrorCase {
        // An x86_64 feature level names no other architecture's CPU.
        name: "cpu_level_of_another_arch",
        files: &[("ok.wat", EMPTY)],
        args: &[
            "build",
            "ok.wat",
            "--cpu",
            "x86-64-v3",
            "--target",
            "aarch64-unknown-linux-musl",
            "-o",
            "out",
        ],
        env: &[],
        exit: 1,
        contains: &["error: ", "x86-64-v3", "aarch64"],
        one_line: true,
    },
    ErrorCase {
        name: "missing_file",
        files: &[],
        args: &["build", "nope.wasm", "-o", "out"],
        env: &[],
        exit: 1,
        contains: &["error: ", "nope.wasm"],
        one_line: true,
    },
    ErrorCase {
        name: "run_missing_file",
        files: &[],
        args: &["run", "nope.wasm"],
        env: &[],
        exit: 1,
        contains: &["error: ", "nope.wasm"],
        one_line: true,
    },
    ErrorCase {
        name: "invalid_wasm",
        files: &[("bad.wasm", b"\0asm\x01\0\0\0\x01\xff\xff")],
        args: &["build", "bad.wasm", "-o", "out"],
        env: &[],
        exit: 1,
        contains: &["error: ", "bad.wasm", "offset"],
        one_line: true,
    },
    ErrorCase {
        name: "not_wasm_at_all",
        files: &[("junk.wasm", b"\x7fELF\x02\x01\x01\0\0\0\0\xff\xfe")],
        args: &["build", "junk.wasm", "-o", "out"],
        env: &[],
        exit: 1,
        contains: &["error: ", "junk.wasm"],
        one_line: true,
    },
    ErrorCase {
        name: "bad_wat_syntax",
        files: &[("bad.wat", b"(module (func (i32.bogus)))")],
        args: &["build", "bad.wat", "-o", "out"],
        env: &[],
        exit: 1,
        contains: &["error: ", "bad.wat"],
        one_line: true,
    },
    ErrorCase {
        name: "unsupported_gc",
        files: &[("gc.wat", GC)],
        args: &["build", "gc.wat", "-o", "out"],
        env: &[],
        exit: 1,
        contains: &["error: ", "gc.wat", "unsupported feature: gc"],
        one_line: true,
    },
    ErrorCase {
        name: "unknown_import",
        files: &[("imp.wat", UNKNOWN_IMPORT)],
        args: &["build", "imp.wat", "-o", "out"],
        env: &[],
        exit: 1,
        contains: &["error: ", "imp.wat", "env", "frobnicate"],
        one_line: true,
    },
    ErrorCase {
        name: "run_unknown_import",
        files: &[("imp.wat", UNKNOWN_IMPORT)],
        args: &["run", "imp.wat"],
        env: &[],
        exit: 1,
        contains: &["error: ", "imp.wat", "frobnicate"],
        one_line: true,
    },
    ErrorCase {
        name: "bad_flag",
        files: &[("ok.wat", EMPTY)],
        args: &["build", "--bogus", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: ", "--bogus"],
        one_line: false,
    },
    ErrorCase {
        name: "bad_wasi_setting",
        files: &[("ok.wat", EMPTY)],
        args: &["run", "-S", "teleport=y", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: ", "teleport"],
        one_line: false,
    },
    // A bad `-S`/`-W` value is worded exactly as `wasmtime run` words it.
    ErrorCase {
        name: "wasi_setting_wasmtime_wording",
        files: &[("ok.wat", EMPTY)],
        args: &["run", "-S", "inherit-env,teleport", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: failed to parse -S / --wasi option: unknown option: teleport\n\n"],
        one_line: false,
    },
    ErrorCase {
        name: "wasi_bool_wasmtime_wording",
        files: &[("ok.wat", EMPTY)],
        args: &["run", "-S", "inherit-network=maybe", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &[
            "error: failed to parse -S / --wasi option: failed to parse option \
             `inherit-network=maybe`\n\nCaused by:\n    unknown boolean flag `maybe`, \
             only yes,no,<nothing> accepted\n\n",
        ],
        one_line: false,
    },
    ErrorCase {
        name: "wasi_empty_setting",
        files: &[("ok.wat", EMPTY)],
        args: &["run", "-S", ",,", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: failed to parse -S / --wasi option: unknown option: \n\n"],
        one_line: false,
    },
    ErrorCase {
        name: "wasm_option_wasmtime_wording",
        files: &[("ok.wat", EMPTY)],
        args: &["run", "-W", "max-memory-size=abc", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &[
            "error: failed to parse -W / --wasm option: failed to parse option \
             `max-memory-size=abc`\n\nCaused by:\n    invalid digit found in string\n\n",
        ],
        one_line: false,
    },
    ErrorCase {
        name: "unknown_wasm_option",
        files: &[("ok.wat", EMPTY)],
        args: &["run", "-W", "fuel=10,bogus=1", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: ", "unknown option: bogus"],
        one_line: false,
    },
    ErrorCase {
        name: "unsupported_wasm_option",
        files: &[("ok.wat", EMPTY)],
        args: &["build", "-W", "max-table-elements=5", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: ", "unsupported option: max-table-elements"],
        one_line: false,
    },
    ErrorCase {
        name: "bad_timeout",
        files: &[("ok.wat", EMPTY)],
        args: &["run", "-W", "timeout=2m", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: ", "failed to parse duration: 2m"],
        one_line: false,
    },
    ErrorCase {
        name: "bad_fuel",
        files: &[("ok.wat", EMPTY)],
        args: &["build", "-W", "fuel=-1", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: ", "fuel=-1", "invalid digit found in string"],
        one_line: false,
    },
    ErrorCase {
        name: "wasm_option_without_value",
        files: &[("ok.wat", EMPTY)],
        args: &["run", "-W", "max-memory-size", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: ", "value must be specified with `key=val` syntax"],
        one_line: false,
    },
    ErrorCase {
        name: "build_zero_wasm_stack",
        files: &[("ok.wat", EMPTY)],
        args: &["build", "-W", "max-wasm-stack=0", "ok.wat", "-o", "out"],
        env: &[],
        exit: 1,
        contains: &["error: ", "max_wasm_stack size cannot be zero"],
        one_line: true,
    },
    ErrorCase {
        name: "bad_opt_level",
        files: &[("ok.wat", EMPTY)],
        args: &["build", "-O", "7", "ok.wat"],
        env: &[],
        exit: 2,
        contains: &["error: "],
        one_line: false,
    },
    ErrorCase {
        name: "run_without_module",
        files: &[],
        args: &["run"],
        env: &[],
        exit: 2,
        contains: &["error: "],
        one_line: false,
    },
    ErrorCase {
        name: "native_dwarf_not_yet",
        files: &[("ok.wat", EMPTY)],
        args: &["build", "-g", "ok.wat", "-o", "out"],
        env: &[],
        exit: 1,
        contains: &["error: ", "`-g`, `-D debug-info`", "not supported yet"],
        one_line: true,
    },
    ErrorCase {
        name: "unsupported_debug_option",
        files: &[("ok.wat", EMPTY)],
        args: &["run", "-D", "coredump=y", "ok.wat"],
        env: &[],
        exit: 1,
        contains: &["error: ", "`-D coredump`"],
        one_line: true,
    },
    ErrorCase {
        name: "unsupported_target",
        files: &[("ok.wat", EMPTY)],
        args: &[
            "build",
            "ok.wat",
            "--target",
            "mips-unknown-linux-gnu",
            "-o",
            "out",
        ],
        env: &[],
        exit: 1,
        contains: &["error: ", "unsupported target", "mips-unknown-linux-gnu"],
        one_line: true,
    },
    ErrorCase {
        name: "cross_glibc_target",
        files: &[("ok.wat", EMPTY)],
        args: &[
            "build",
            "ok.wat",
            "--target",
            "aarch64-unknown-linux-gnu",
            "-o",
            "out",
        ],
        env: &[],
        exit: 1,
        contains: &[
            "error: ",
            "aarch64-unknown-linux-gnu",
            "use the fully static `aarch64-unknown-linux-musl`",
        ],
        one_line: true,
    },
    ErrorCase {
        name: "dynamic_with_target",
        files: &[("ok.wat", EMPTY)],
        args: &[
            "build",
            "ok.wat",
            "--dynamic",
            "--target",
            "x86_64-unknown-linux-musl",
        ],
        env: &[],
        exit: 1,
        contains: &[
            "error: ",
            "`--dynamic` links against glibc",
            "--target x86_64-unknown-linux-gnu",
        ],
        one_line: true,
    },
    ErrorCase {
        name: "no_linker",
        files: &[("ok.wat", EMPTY)],
        args: &["build", "--dynamic", "ok.wat", "-o", "out"],
        env: &[("CC", "/nonexistent/kiln-test-cc")],
        exit: 1,
        contains: &["error: ", "no C linker found", "apt-get install gcc", "CC"],
        one_line: true,
    },
];

pub fn trials() -> Vec<Trial> {
    let mut trials: Vec<Trial> = CASES
        .iter()
        .map(|case| crate::timing::trial(format!("cli::{}", case.name), move || run_case(case)))
        .collect();
    trials.push(crate::timing::trial("cli::version", version));
    trials.push(crate::timing::trial(
        "cli::linker_os_error_said_once",
        linker_os_error_said_once,
    ));
    trials.push(crate::timing::trial("cli::run_argv", run_argv));
    trials.push(crate::timing::trial(
        "cli::emit_obj_and_options",
        emit_obj_and_options,
    ));
    trials.push(crate::timing::trial(
        "cli::run_exit_status",
        run_exit_status,
    ));
    trials.push(crate::timing::trial(
        "cli::timings_on_request",
        timings_on_request,
    ));
    trials.push(crate::timing::trial(
        "cli::stdout_closed_is_eio",
        stdout_closed_is_eio,
    ));
    trials.push(crate::timing::trial(
        "cli::closed_standard_fds_read_dev_null",
        closed_standard_fds_read_dev_null,
    ));
    trials.push(crate::timing::trial(
        "cli::run_inherit_env_order",
        run_inherit_env_order,
    ));
    trials.push(crate::timing::trial(
        "cli::run_http_refused_like_wasmtime",
        run_http_refused_like_wasmtime,
    ));
    trials.push(crate::timing::trial(
        "cli::wasmtime_switches_accepted",
        wasmtime_switches_accepted,
    ));
    trials.push(crate::timing::trial(
        "cli::dir_env_read_as_wasmtime",
        dir_env_read_as_wasmtime,
    ));
    trials.push(crate::timing::trial(
        "cli::output_is_executable",
        output_is_executable,
    ));
    trials
}

/// Prints the guest's environment buffer (`NAME=value\0...`) to stdout.
pub(crate) const PRINT_ENVIRON: &[u8] = br#"(module
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (drop (call $get (i32.const 1024) (i32.const 4096)))
    (i32.store (i32.const 8) (i32.const 4096))
    (i32.store (i32.const 12) (i32.load (i32.const 4)))
    (drop (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))))"#;

/// `kiln run -S inherit-env` hands the guest the host environment in the
/// host's order, as wasmtime does (regression: it used to arrive sorted).
fn run_inherit_env_order() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("env.wat"), PRINT_ENVIRON).map_err(|e| e.to_string())?;
    let mut cmd = std::process::Command::new("env");
    cmd.current_dir(dir.path()).arg("-i");
    // Keep what kiln needs to find its cache and linker, then two variables
    // deliberately out of alphabetical order.
    let mut keep: Vec<String> = ["HOME", "PATH"]
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| format!("{k}={v}")))
        .collect();
    keep.push(format!(
        "KILN_CACHE_DIR={}",
        util::scratch("kiln-cache").display()
    ));
    cmd.args(&keep).args(["ZED=1", "ALPHA=2"]);
    cmd.arg(util::kiln())
        .args(["run", "-S", "inherit-env", "env.wat"]);
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    let mut expected: Vec<u8> = Vec::new();
    for kv in keep.iter().map(String::as_str).chain(["ZED=1", "ALPHA=2"]) {
        expected.extend_from_slice(kv.as_bytes());
        expected.push(0);
    }
    if o.code() != 0 || o.stdout != expected {
        return Err(format!("environment not in host order\n{}", o.describe()).into());
    }
    Ok(())
}

/// A component importing wasi:http (one function) and nothing else.
const HTTP_COMPONENT: &[u8] = br#"(component
  (import "wasi:http/outgoing-handler@0.2.0" (instance $h
    (export "handle" (func (result u32)))))
  (core func $handle (canon lower (func $h "handle")))
  (core module $m
    (import "" "handle" (func (result i32)))
    (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m (with "" (instance (export "handle" (func $handle))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))"#;

/// `kiln run` refuses a wasi:http component without `-S http`, and `-S
/// http` for a core module, with the exact report and status of `wasmtime
/// run` (the linker's chain down to the first export it lacks).
fn run_http_refused_like_wasmtime() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("h.wat"), HTTP_COMPONENT).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("m.wat"), EMPTY).map_err(|e| e.to_string())?;
    for (args, want) in [
        (
            &["run", "h.wat"][..],
            "Error: failed to run main module `h.wat`\n\nCaused by:\n    0: component imports \
             instance `wasi:http/outgoing-handler@0.2.0`, but a matching implementation was not \
             found in the linker\n    1: instance export `handle` has the wrong type\n    2: \
             function implementation is missing\n\n",
        ),
        (
            &["run", "-S", "http", "m.wat"][..],
            "Error: Cannot enable wasi-http for core wasm modules\n",
        ),
    ] {
        let mut cmd = util::kiln_cmd();
        cmd.current_dir(dir.path()).args(args);
        let o = util::run(&mut cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
        if o.code() != 1 || o.stderr_str() != want {
            return Err(format!("{args:?}: expected exit 1 and\n{want}\n{}", o.describe()).into());
        }
    }
    Ok(())
}

/// Wasmtime's `-S` switches for what Kiln always has are accepted:
/// `common` (alias of `cli`), `preview2`, `cli-exit-with-code` (whose `=n`
/// only warns, in Wasmtime 49's words).
fn wasmtime_switches_accepted() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("ok.wat"), EMPTY).map_err(|e| e.to_string())?;
    let mut cmd = util::kiln_cmd();
    cmd.current_dir(dir.path()).args([
        "run",
        "-S",
        "common,preview2,cli-exit-with-code=n",
        "ok.wat",
    ]);
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    if o.code() != 0
        || o.stderr_str() != "warning: cannot disable `-Scli-exit-with-code` any more\n"
    {
        return Err(format!("expected a run with Wasmtime's warning\n{}", o.describe()).into());
    }
    Ok(())
}

/// Prints the name of preopen fd 3 to stdout.
const PRINT_PREOPEN: &[u8] = br#"(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $get (i32.const 3) (i32.const 0)))
    (drop (call $name (i32.const 3) (i32.const 1024) (i32.load (i32.const 4))))
    (i32.store (i32.const 8) (i32.const 1024))
    (i32.store (i32.const 12) (i32.load (i32.const 4)))
    (drop (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))))"#;

/// `--dir` and `--env` are read as Wasmtime reads them, empty parts
/// included: `d::/x::y` preopens `d` as `/x` (a third part is ignored),
/// `d::` names it "", `::/x` fails to open "" at start-up (exit 1, not a
/// usage error), `--env =x` passes a variable with an empty name.
fn dir_env_read_as_wasmtime() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("pre.wat"), PRINT_PREOPEN).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("env.wat"), PRINT_ENVIRON).map_err(|e| e.to_string())?;
    std::fs::create_dir(dir.path().join("d")).map_err(|e| e.to_string())?;
    let run = |args: &[&str]| {
        let mut cmd = util::kiln_cmd();
        cmd.current_dir(dir.path()).arg("run").args(args);
        util::run(&mut cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"))
    };
    for (arg, want) in [("d::/x::y", "/x"), ("d::", ""), ("d", "d")] {
        let o = run(&["--dir", arg, "pre.wat"])?;
        if o.code() != 0 || o.stdout != want.as_bytes() {
            return Err(format!("--dir {arg}: expected preopen `{want}`\n{}", o.describe()).into());
        }
    }
    let o = run(&["--dir", "::/x", "pre.wat"])?;
    if o.code() != 1 || !o.stderr_str().contains("No such file or directory") {
        return Err(format!("--dir ::/x: expected a failed open\n{}", o.describe()).into());
    }
    let o = run(&["--env", "=x", "env.wat"])?;
    if o.code() != 0 || o.stdout != b"=x\0" {
        return Err(format!("--env =x: expected the variable `=x`\n{}", o.describe()).into());
    }
    Ok(())
}

/// Writes to stdout until `fd_write` fails, then exits with its errno.
const WRITE_UNTIL_ERROR: &[u8] = br#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $e i32)
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 4096))
    (loop $again
      (local.set $e (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br_if $again (i32.eqz (local.get $e))))
    (call $exit (local.get $e))))"#;

/// A guest writing to a stdout whose reader is gone gets `EIO` (29), as
/// under wasmtime, not `EPIPE` (regression), and is not killed by SIGPIPE.
fn stdout_closed_is_eio() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("w.wat"), WRITE_UNTIL_ERROR).map_err(|e| e.to_string())?;
    let exe = dir.path().join("w");
    util::kiln_build(&[], &dir.path().join("w.wat"), &exe)?;
    let mut child = std::process::Command::new(&exe)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    drop(child.stdout.take());
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.code() != Some(29) {
        return Err(format!("expected exit 29 (EIO), got {status}").into());
    }
    Ok(())
}

/// Writes 4 bytes to fd 1 (exit 100 + errno if that fails), then exits
/// with `fd_prestat_get(3)`'s errno: 0 when the preopen is fd 3.
const WRITE_THEN_PRESTAT: &[u8] = br#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $e i32)
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 4))
    (local.set $e (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (call $exit (call $prestat (i32.const 3) (i32.const 16)))))"#;

/// Started with its descriptors 0 and 1 closed, an executable opens
/// `/dev/null` on them before anything else (as Wasmtime's Rust start-up
/// does): the guest's write to stdout succeeds and its preopen is still
/// fd 3, backed by a host descriptor above 2 (one `poll` finds the closed
/// ones; regression guard for that probe).
fn closed_standard_fds_read_dev_null() -> Result<(), Failed> {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("w.wat"), WRITE_THEN_PRESTAT).map_err(|e| e.to_string())?;
    let exe = dir.path().join("w");
    util::kiln_build(&["--dir", "."], &dir.path().join("w.wat"), &exe)?;
    let mut cmd = std::process::Command::new(&exe);
    cmd.current_dir(dir.path())
        .stderr(std::process::Stdio::piped());
    // SAFETY: the closure runs in the forked child before exec and only
    // calls close, which is async-signal-safe; it touches no memory shared
    // with the parent's threads.
    unsafe {
        cmd.pre_exec(|| {
            libc::close(0);
            libc::close(1);
            Ok(())
        });
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    if out.status.code() != Some(0) {
        return Err(format!(
            "expected exit 0, got {} (stderr: {})",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

/// `KILN_TIMINGS=1` prints the compile phases to stderr; the build still
/// succeeds.
fn timings_on_request() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("empty.wat"), EMPTY).map_err(|e| e.to_string())?;
    let mut cmd = util::kiln_cmd();
    cmd.current_dir(dir.path())
        .args(["build", "empty.wat", "-o", "out"])
        .env("KILN_TIMINGS", "1");
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    let stderr = o.stderr_str();
    if o.code() != 0 || !stderr.contains("kiln compile timings") || !stderr.contains("total") {
        return Err(format!("no timings printed\n{}", o.describe()).into());
    }
    Ok(())
}

fn run_case(case: &ErrorCase) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    for (name, contents) in case.files {
        std::fs::write(dir.path().join(name), contents).map_err(|e| e.to_string())?;
    }
    let mut cmd = util::kiln_cmd();
    cmd.current_dir(dir.path()).args(case.args);
    for (k, v) in case.env {
        cmd.env(k, v);
    }
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    check(case, &o).map_err(|why| format!("{why}\n{}", o.describe()).into())
}

fn check(case: &ErrorCase, o: &Outcome) -> Result<(), String> {
    let stderr = o.stderr_str();
    if o.code() != case.exit {
        return Err(format!("expected exit {}, got {}", case.exit, o.code()));
    }
    if !stderr.starts_with("error: ") {
        return Err("stderr does not start with `error: `".into());
    }
    for needle in case.contains {
        if !stderr.contains(needle) {
            return Err(format!("stderr does not contain `{needle}`"));
        }
    }
    if case.one_line && stderr.trim_end().lines().count() != 1 {
        return Err("expected exactly one line on stderr".into());
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        return Err("stderr shows a panic".into());
    }
    if !o.stdout.is_empty() {
        return Err("expected nothing on stdout".into());
    }
    Ok(())
}

fn version() -> Result<(), Failed> {
    let o =
        util::run(util::kiln_cmd().arg("--version"), b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    let out = o.stdout_str();
    if !o.status.success() || !out.starts_with("kiln ") || !out.contains(env!("CARGO_PKG_VERSION"))
    {
        return Err(format!("bad --version output\n{}", o.describe()).into());
    }
    Ok(())
}

/// A linker that cannot be run, or that leaves no output to make
/// executable: one `error:` line, which names the OS error once (it was
/// printed twice: in the message and again as the error's cause).
fn linker_os_error_said_once() -> Result<(), Failed> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("ok.wat"), EMPTY).map_err(|e| e.to_string())?;
    // Exits 0 and writes nothing.
    let silent = dir.path().join("silent-ld");
    std::fs::write(&silent, "#!/bin/sh\nexit 0\n").map_err(|e| e.to_string())?;
    let mode = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(&silent, mode).map_err(|e| e.to_string())?;
    // Cannot be run (no execute permission).
    let inert = dir.path().join("inert-ld");
    std::fs::write(&inert, "#!/bin/sh\nexit 0\n").map_err(|e| e.to_string())?;
    for (lld, said) in [
        (&silent, "No such file or directory"),
        (&inert, "Permission denied"),
    ] {
        let mut cmd = util::kiln_cmd();
        // Placement runs lld only for a runtime image not yet cached: this
        // is about lld's errors, so every build runs it.
        cmd.current_dir(dir.path())
            .env("KILN_LLD", lld)
            .env("KILN_PLACE", "0")
            .args(["build", "ok.wat", "-o", "out"]);
        let o = util::run(&mut cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
        let err = o.stderr_str();
        let ok = o.code() == 1
            && err.starts_with("error: ")
            && err.trim_end().lines().count() == 1
            && err.matches(said).count() == 1;
        if !ok {
            return Err(
                format!("expected one error naming `{said}` once\n{}", o.describe()).into(),
            );
        }
    }
    Ok(())
}

/// `kiln build` writes a mode-0755 executable, also with a default output name.
fn output_is_executable() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("ok.wat"), EMPTY).map_err(|e| e.to_string())?;
    let mut cmd = util::kiln_cmd();
    cmd.current_dir(dir.path()).args(["build", "ok.wat"]);
    let o = util::run(&mut cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
    if !o.status.success() {
        return Err(format!("kiln build failed\n{}", o.describe()).into());
    }
    let exe: PathBuf = dir.path().join("ok");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&exe)
            .map_err(|e| format!("no output `ok`: {e}"))?
            .permissions()
            .mode();
        if mode & 0o777 != 0o755 {
            return Err(format!("mode is {:o}, expected 755", mode & 0o777).into());
        }
    }
    let o = util::run(&mut std::process::Command::new(&exe), b"", TIMEOUT)
        .map_err(|e| format!("{e:#}"))?;
    if o.code() != 0 || !o.stdout.is_empty() {
        return Err(format!("the empty program misbehaved\n{}", o.describe()).into());
    }
    Ok(())
}

/// Prints argv[0], then each argument in brackets.
const PRINT_ARGV: &[u8] = br#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $out (param $p i32) (param $n i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $n))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $len (param $p i32) (result i32) (local $n i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l)))
    (local.get $n))
  (func (export "_start") (local $i i32) (local $p i32)
    (drop (call $sizes (i32.const 12) (i32.const 16)))
    (drop (call $get (i32.const 1024) (i32.const 4096)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (i32.load (i32.const 12))))
      (local.set $p (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
      (call $out (i32.const 40) (i32.const 1))
      (call $out (local.get $p) (call $len (local.get $p)))
      (call $out (i32.const 41) (i32.const 2))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
  (data (i32.const 40) "[]\n"))"#;

/// `kiln run`: argv[0] is the module's file name (as wasmtime passes it),
/// or `--argv0`; everything after the module, options included, goes to the
/// guest untouched.
fn run_argv() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::create_dir(dir.path().join("sub")).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("sub/argv.wat"), PRINT_ARGV).map_err(|e| e.to_string())?;
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "sub/argv.wat", "a b", "--dir", "-S", ""],
            "[argv.wat]\n[a b]\n[--dir]\n[-S]\n[]\n",
        ),
        (
            &["run", "--argv0", "prog", "sub/argv.wat", "x"],
            "[prog]\n[x]\n",
        ),
    ];
    for (args, want) in cases {
        let mut cmd = util::kiln_cmd();
        cmd.current_dir(dir.path()).args(*args);
        let o = util::run(&mut cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"))?;
        if o.code() != 0 || o.stdout_str() != *want {
            return Err(
                format!("kiln {args:?}: expected stdout {want:?}\n{}", o.describe()).into(),
            );
        }
    }
    Ok(())
}

/// `kiln run` passes the guest's exit status through, for `proc_exit` and
/// for traps, and a second run (from the cache) behaves the same.
fn run_exit_status() -> Result<(), Failed> {
    let repo = util::repo();
    for _ in 0..2 {
        let o = util::run(
            util::kiln_cmd()
                .arg("run")
                .arg(repo.join("tests/run/wasi/proc_exit.wat")),
            b"",
            TIMEOUT,
        )
        .map_err(|e| format!("{e:#}"))?;
        if o.code() != 42 || o.stderr_str() != "bye!\n" {
            return Err(format!("proc_exit: expected exit 42\n{}", o.describe()).into());
        }
        let o = util::run(
            util::kiln_cmd()
                .arg("run")
                .arg(repo.join("tests/run/trap/unreachable_start.wat")),
            b"",
            TIMEOUT,
        )
        .map_err(|e| format!("{e:#}"))?;
        if o.code() != 134 || !o.stderr_str().contains("wasm trap: wasm `unreachable`") {
            return Err(format!("trap: expected exit 134\n{}", o.describe()).into());
        }
    }
    Ok(())
}

/// `--emit obj` writes a relocatable ELF object; `-O`, `--cpu`, `--strip` and
/// an explicit host `--target` are accepted and give working executables.
fn emit_obj_and_options() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let hello = util::repo().join("examples/hello.wat");
    let obj = dir.path().join("hello.o");
    let o = util::run(
        util::kiln_cmd()
            .args(["build", "--emit", "obj"])
            .arg(&hello)
            .arg("-o")
            .arg(&obj),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    let bytes = std::fs::read(&obj).map_err(|e| format!("no object: {e}\n{}", o.describe()))?;
    // ELF, 64-bit, little-endian, type ET_REL (1).
    if !bytes.starts_with(b"\x7fELF\x02\x01") || bytes.get(16) != Some(&1) {
        return Err("--emit obj did not write a relocatable ELF object".into());
    }
    let host = "x86_64-unknown-linux-gnu";
    for opts in [
        &["-O", "0"][..],
        &["-O", "s", "--strip"],
        &["--cpu", "native"],
        &["--target", host, "-O", "1"],
    ] {
        let exe = dir.path().join("hello");
        util::kiln_build(opts, &hello, &exe)?;
        // `--strip` drops the symbol table; without it the table stays.
        let image = std::fs::read(&exe).map_err(|e| e.to_string())?;
        let has_symtab = image.windows(b".symtab".len()).any(|w| w == b".symtab");
        if has_symtab == opts.contains(&"--strip") {
            return Err(format!("{opts:?}: .symtab present = {has_symtab}").into());
        }
        let o = util::run(&mut std::process::Command::new(&exe), b"", TIMEOUT)
            .map_err(|e| format!("{e:#}"))?;
        if o.code() != 0 || o.stdout_str() != "Hello, world!\n" {
            return Err(format!("hello built with {opts:?} misbehaved\n{}", o.describe()).into());
        }
    }
    Ok(())
}
