//! The CLI's failure modes: each must print exactly one `error: ...` line
//! naming the cause (clap's usage errors excepted, which print their usage
//! hint), exit with 1 (compile, link, I/O) or 2 (usage), and never panic.

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

const SIMD: &[u8] = b"(module (func (export \"f\") (result i32)\n  v128.const i32x4 1 2 3 4\n  i32x4.extract_lane 0))";
const UNKNOWN_IMPORT: &[u8] = b"(module (import \"env\" \"frobnicate\" (func)))";
const EMPTY: &[u8] = b"(module (func (export \"_start\")))";

const CASES: &[ErrorCase] = &[
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
        name: "unsupported_simd",
        files: &[("simd.wat", SIMD)],
        args: &["build", "simd.wat", "-o", "out"],
        env: &[],
        exit: 1,
        contains: &["error: ", "simd.wat", "unsupported"],
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
        name: "no_linker",
        files: &[("ok.wat", EMPTY)],
        args: &["build", "ok.wat", "-o", "out"],
        env: &[("CC", "/nonexistent/kiln-test-cc")],
        exit: 1,
        contains: &["error: ", "no C linker found", "apt-get install gcc", "CC"],
        one_line: true,
    },
];

pub fn trials() -> Vec<Trial> {
    let mut trials: Vec<Trial> = CASES
        .iter()
        .map(|case| Trial::test(format!("cli::{}", case.name), move || run_case(case)))
        .collect();
    trials.push(Trial::test("cli::version", version));
    trials.push(Trial::test(
        "cli::output_is_executable",
        output_is_executable,
    ));
    trials
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
