//! CPU feature checks at start-up: an executable compiled for features the
//! CPU lacks (`--cpu`, or the target's baseline on an older CPU) exits 1
//! with a message naming them instead of dying of SIGILL. Debian's
//! `qemu-user` emulates the older CPUs (`-cpu Nehalem`: x86-64-v2 without
//! AVX; `-cpu core2duo`: below x86-64-v2; `-cpu cortex-a53`: armv8.0-a
//! without LSE; `-cpu max,vxeh2=off`: an s390x without the z15 vector
//! enhancements, which qemu's older named models cannot emulate).

use crate::util;
use libtest_mimic::{Completion, Failed, Trial};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

pub fn trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    let host_x86 = cfg!(target_arch = "x86_64");
    for (name, program) in [
        ("module", "examples/hello.wat"),
        ("component", "examples/hello-component.wat"),
    ] {
        // x86_64 is the host of CI; its qemu runs the host's static build.
        trials.push(
            crate::timing::trial(format!("cpu::x86_64::{name}"), move || {
                x86_64_cases(program)
            })
            .with_ignored_flag(!host_x86),
        );
    }
    trials.push(
        crate::timing::trial("cpu::x86_64::tiers", x86_64_tiers).with_ignored_flag(!host_x86),
    );
    trials.push(crate::timing::ignorable_trial("cpu::aarch64::lse", || {
        with_runtime("aarch64-unknown-linux-musl", aarch64_lse)
    }));
    trials.push(crate::timing::ignorable_trial(
        "cpu::s390x::vxrs_ext2",
        || with_runtime("s390x-unknown-linux-musl", s390x_vxrs_ext2),
    ));
    trials
}

/// Runs `body` if this `kiln` has a runtime for `triple` (a build with
/// `KILN_RUNTIME_TARGETS` may not); otherwise the trial is ignored, or
/// fails under CI, which builds them all.
fn with_runtime(triple: &str, body: fn() -> Result<(), Failed>) -> Result<Completion, Failed> {
    if !crate::cross::kiln_targets()?.iter().any(|t| t == triple) {
        return util::toolchain_missing(format!("this kiln has no runtime for {triple}"));
    }
    body().map(|()| Completion::Completed)
}

/// What the message says for `missing`.
fn message(missing: &str) -> String {
    format!(
        "Error: this executable was compiled for CPU features this machine lacks: {missing} \
         (chosen by `kiln build --cpu` or the target's baseline)\n"
    )
}

fn build(program: &str, args: &[&str], exe: &Path) -> Result<(), Failed> {
    let o = util::run(
        util::kiln_cmd()
            .arg("build")
            .args(args)
            .arg(util::repo().join(program))
            .arg("-o")
            .arg(exe),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    if !o.status.success() {
        return Err(format!("kiln build failed\n{}", o.describe()).into());
    }
    Ok(())
}

/// Runs `exe` under `qemu` emulating `cpu`; expects the greeting when
/// `missing` is `None`, else exit 1 with the message naming `missing`.
fn expect(qemu: &str, cpu: &str, exe: &Path, missing: Option<&str>) -> Result<(), Failed> {
    let o = util::run(
        Command::new(qemu).args(["-cpu", cpu]).arg(exe),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{qemu}: {e:#} (Debian: `apt-get install qemu-user`)"))?;
    let ok = match missing {
        None => o.code() == 0 && o.stdout_str().starts_with("Hello"),
        Some(m) => o.code() == 1 && o.stdout_str().is_empty() && o.stderr_str() == message(m),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "under {qemu} -cpu {cpu}, expected {missing:?}\n{}",
            o.describe()
        )
        .into())
    }
}

fn x86_64_cases(program: &str) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let base = dir.path().join("base");
    let avx = dir.path().join("avx");
    build(program, &[], &base)?;
    build(program, &["--cpu", "has_avx2,has_bmi2"], &avx)?;
    expect("qemu-x86_64", "Nehalem", &base, None)?;
    expect("qemu-x86_64", "Nehalem", &avx, Some("avx2, bmi2"))?;
    expect(
        "qemu-x86_64",
        "core2duo",
        &base,
        Some("sse4.1, sse4.2, popcnt"),
    )?;
    expect("qemu-x86_64", "max", &avx, None)
}

/// The second code tier (compiler/src/pipeline/tiers.rs): a module whose
/// hash loop gets an x86-64-v3 body computes the same under qemu on a CPU
/// without those features (where the second body's `rorx` would raise
/// SIGILL, so the baseline body must run) and on one with them (where qemu's
/// log of the code it ran must show `rorx`: nothing else in the executable,
/// built for the baseline, has one).
fn x86_64_tiers() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let exe = dir.path().join("hash");
    let program = util::repo().join("tests/run/numeric/tiered_hash.wat");
    let o = util::run(
        util::kiln_cmd()
            .env("KILN_TIMINGS", "1")
            .args(["build", "--invoke", "hash"])
            .arg(&program)
            .arg("-o")
            .arg(&exe),
        b"",
        TIMEOUT,
    )
    .map_err(|e| format!("{e:#}"))?;
    if !o.status.success() || !o.stderr_str().contains(" 1 tiered") {
        return Err(format!("expected one tiered function\n{}", o.describe()).into());
    }
    let expected = "-3437872518717032001\n";
    for (cpu, second_tier) in [("Nehalem", false), ("max", true)] {
        let log = dir.path().join(format!("{cpu}.log"));
        let o = util::run(
            Command::new("qemu-x86_64")
                .args(["-cpu", cpu, "-d", "in_asm", "-D"])
                .arg(&log)
                .arg(&exe)
                .args(["65536", "12345"]),
            b"",
            TIMEOUT,
        )
        .map_err(|e| format!("qemu-x86_64: {e:#} (Debian: `apt-get install qemu-user`)"))?;
        let code = std::fs::read_to_string(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let rorx = code
            .lines()
            .any(|l| l.split_whitespace().any(|w| w.starts_with("rorx")));
        if o.code() != 0 || o.stdout_str() != expected || rorx != second_tier {
            return Err(format!(
                "under qemu-x86_64 -cpu {cpu}: expected {expected:?} and the second tier run: \
                 {second_tier} (rorx seen: {rorx})\n{}",
                o.describe()
            )
            .into());
        }
    }
    Ok(())
}

fn aarch64_lse() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let lse = dir.path().join("lse");
    build(
        "examples/hello.wat",
        &["--target", "aarch64-unknown-linux-musl", "--cpu", "has_lse"],
        &lse,
    )?;
    expect("qemu-aarch64", "cortex-a53", &lse, Some("lse"))?;
    expect("qemu-aarch64", "max", &lse, None)
}

fn s390x_vxrs_ext2() -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (base, z15) = (dir.path().join("base"), dir.path().join("z15"));
    let target = ["--target", "s390x-unknown-linux-musl"];
    build("examples/hello.wat", &target, &base)?;
    build(
        "examples/hello.wat",
        &[target[0], target[1], "--cpu", "has_vxrs_ext2"],
        &z15,
    )?;
    expect("qemu-s390x", "max,vxeh2=off", &base, None)?;
    expect(
        "qemu-s390x",
        "max,vxeh2=off",
        &z15,
        Some("vector-enhancements-2"),
    )?;
    expect("qemu-s390x", "max", &z15, None)
}
