//! The code objects builds keep (`src/cli/objects.rs`): a `kiln run` after
//! a `kiln build` of the same module with the same code options links the
//! kept code with its own grants instead of compiling again.

use crate::cli_errors::PRINT_ENVIRON;
use crate::util;
use libtest_mimic::{Failed, Trial};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(60);

/// A row of the compiler's `KILN_TIMINGS=1` report: present only when a
/// compile ran.
const COMPILE_ROW: &str = "parse + module validation";

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::trial(
            "objects::run_after_build_links_the_kept_code",
            run_after_build,
        ),
        crate::timing::trial(
            "objects::windows_objects_are_compiled_whole",
            windows_objects_are_compiled_whole,
        ),
    ]
}

/// A Windows target's object is COFF, compiled with its grants in one
/// piece (COFF objects are not joined), and nothing is kept for it,
/// neither for `--emit obj` nor for an executable (`env.exe`).
fn windows_objects_are_compiled_whole() -> Result<(), Failed> {
    use object::{Object, ObjectSymbol};
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cache = dir.path().join("cache");
    std::fs::write(dir.path().join("env.wat"), PRINT_ENVIRON).map_err(|e| e.to_string())?;
    let run = |cmd: &mut Command| util::run(cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"));
    let target = "x86_64-pc-windows-gnu";
    let o = run(kiln(&cache, dir.path()).args([
        "build", "--emit", "obj", "--target", target, "--env", "A=1", "env.wat", "-o", "env.o",
    ]))?;
    if o.code() != 0 {
        return Err(format!("the object build failed\n{}", o.describe()).into());
    }
    let bytes = std::fs::read(dir.path().join("env.o")).map_err(|e| e.to_string())?;
    let file = object::File::parse(&*bytes).map_err(|e| e.to_string())?;
    if file.format() != object::BinaryFormat::Coff
        || file.architecture() != object::Architecture::X86_64
    {
        return Err(format!("not an x86_64 COFF object: {:?}", file.format()).into());
    }
    let has = |name: &str| file.symbols().any(|s| s.name() == Ok(name));
    for name in [kiln_abi::symbols::GRANTS, kiln_abi::symbols::PROGRAM] {
        if !has(name) {
            return Err(format!("the object lacks `{name}`").into());
        }
    }
    let kept = kept_objects(&cache);
    if kept != 0 {
        return Err(format!("{kept} code objects kept for a Windows build").into());
    }
    let o = run(kiln(&cache, dir.path()).args(["build", "--target", target, "env.wat"]))?;
    if o.code() != 0 || !dir.path().join("env.exe").is_file() {
        return Err(format!("the executable build failed\n{}", o.describe()).into());
    }
    if kept_objects(&cache) != 0 {
        return Err("code objects kept for a Windows executable".into());
    }
    Ok(())
}

/// How many code objects the cache keeps.
fn kept_objects(cache: &Path) -> usize {
    std::fs::read_dir(cache.join("objects"))
        .map(|d| {
            d.flatten()
                .flat_map(|e| std::fs::read_dir(e.path()))
                .flatten()
                .count()
        })
        .unwrap_or(0)
}

/// `kiln` with a cache of its own (so the trial sees only its own entries)
/// and the compiler's timing report on.
fn kiln(cache: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(util::kiln());
    cmd.current_dir(dir)
        .env("KILN_CACHE_DIR", cache)
        .env("KILN_TIMINGS", "1");
    cmd
}

fn run_after_build() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cache = dir.path().join("cache");
    std::fs::write(dir.path().join("env.wat"), PRINT_ENVIRON).map_err(|e| e.to_string())?;
    let run = |cmd: &mut Command| util::run(cmd, b"", TIMEOUT).map_err(|e| format!("{e:#}"));

    // The build compiles, bakes its grant in, and keeps the code.
    let o = run(kiln(&cache, dir.path()).args(["build", "--env", "A=1", "env.wat", "-o", "env"]))?;
    if o.code() != 0 || !o.stderr_str().contains(COMPILE_ROW) {
        return Err(format!("the build did not compile\n{}", o.describe()).into());
    }
    let o = run(&mut Command::new(dir.path().join("env")))?;
    if o.stdout != b"A=1\0" {
        return Err(format!("the built executable lost its grant\n{}", o.describe()).into());
    }

    // The run links the kept code with its own grants: no compile.
    let o = run(kiln(&cache, dir.path()).args(["run", "--env", "B=2", "env.wat"]))?;
    if o.code() != 0 || o.stdout != b"B=2\0" {
        return Err(format!("the run misbehaved\n{}", o.describe()).into());
    }
    if o.stderr_str().contains(COMPILE_ROW) {
        return Err(format!("the run compiled again\n{}", o.describe()).into());
    }

    // Other code options are other code: compiled.
    let o =
        run(kiln(&cache, dir.path()).args(["run", "--opt-level", "0", "--env", "C=3", "env.wat"]))?;
    if o.code() != 0 || o.stdout != b"C=3\0" || !o.stderr_str().contains(COMPILE_ROW) {
        return Err(format!(
            "a run with other code options did not compile\n{}",
            o.describe()
        )
        .into());
    }
    Ok(())
}
