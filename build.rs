//! Build script of the `kiln` CLI: builds the runtime static library
//! (`runtime-lib`, crate `kiln-runtime`) for the target `kiln` itself is built
//! for, so that the CLI can embed it and every executable it links carries
//! a runtime of exactly the same ABI.
//!
//! Inputs: the workspace sources of `runtime-lib/` and `abi/`, the
//! `[profile.runtime]` of the root `Cargo.toml`. Outputs, in `OUT_DIR`:
//! - `libkiln_runtime.a`: the archive, embedded with `include_bytes!`;
//! - `runtime_native_libs.txt`: the native libraries it needs, one linker
//!   argument per line (from rustc's `--print native-static-libs`);
//! - the env var `KILN_RUNTIME_HASH` (FNV-1a of the archive) for cache keys.
//!
//! The runtime is built by a nested `cargo rustc` in its own target
//! directory (`OUT_DIR/runtime-target`), so a no-op rebuild is a no-op for
//! the nested cargo too. `KILN_RUNTIME_ARCHIVE=<path>` skips the nested build
//! and embeds a prebuilt archive instead (`KILN_RUNTIME_NATIVE_LIBS` then
//! gives its native libraries, space-separated).

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What rustc prints for a std-only staticlib on linux-gnu; used when a
/// prebuilt archive comes without its list.
const DEFAULT_NATIVE_LIBS: &str = "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc";

fn main() {
    let manifest_dir = PathBuf::from(env_or_die("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env_or_die("OUT_DIR"));
    for dir in ["runtime-lib", "abi"] {
        println!(
            "cargo:rerun-if-changed={}",
            manifest_dir.join(dir).display()
        );
    }
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join("Cargo.lock").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join("Cargo.toml").display()
    );
    println!("cargo:rerun-if-env-changed=KILN_RUNTIME_ARCHIVE");
    println!("cargo:rerun-if-env-changed=KILN_RUNTIME_NATIVE_LIBS");

    let (archive, native_libs) = match env::var_os("KILN_RUNTIME_ARCHIVE") {
        Some(path) => {
            let libs = env::var("KILN_RUNTIME_NATIVE_LIBS")
                .unwrap_or_else(|_| DEFAULT_NATIVE_LIBS.to_string());
            (PathBuf::from(path), libs)
        }
        None => build_runtime(&manifest_dir, &out_dir),
    };

    let bytes = std::fs::read(&archive)
        .unwrap_or_else(|e| die(&format!("cannot read {}: {e}", archive.display())));
    let embedded = out_dir.join("libkiln_runtime.a");
    write_if_changed(&embedded, &bytes);
    let libs: Vec<&str> = native_libs.split_whitespace().collect();
    write_if_changed(
        &out_dir.join("runtime_native_libs.txt"),
        libs.join("\n").as_bytes(),
    );
    println!("cargo:rustc-env=KILN_RUNTIME_HASH={:016x}", fnv1a(&bytes));
}

/// Runs the nested cargo; returns the archive path and the native libraries.
fn build_runtime(manifest_dir: &Path, out_dir: &Path) -> (PathBuf, String) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = env_or_die("TARGET");
    let target_dir = out_dir.join("runtime-target");
    let mut cmd = Command::new(cargo);
    cmd.current_dir(manifest_dir)
        .arg("rustc")
        .arg("--manifest-path")
        .arg(manifest_dir.join("Cargo.toml"))
        .args(["-p", "kiln-runtime", "--lib", "--profile", "runtime"])
        .args(["--target", &target])
        .arg("--target-dir")
        .arg(&target_dir)
        .args(["--crate-type", "staticlib", "--color", "never"]);
    if env::var("CARGO_NET_OFFLINE").is_ok_and(|v| v == "true" || v == "1") {
        cmd.arg("--offline");
    }
    // NB: the workspace's Cargo.lock is already resolved by the outer cargo;
    // the nested build must never rewrite it.
    cmd.arg("--locked");
    if let Ok(jobs) = env::var("NUM_JOBS") {
        cmd.args(["-j", &jobs]);
    }
    cmd.args(["--", "--print", "native-static-libs"]);
    // Variables the outer cargo set for this build script that would make
    // the nested cargo build something else (flags of the CLI's build, a
    // clippy wrapper, a jobserver whose file descriptors it cannot use).
    for var in [
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTDOCFLAGS",
        "CARGO_ENCODED_RUSTDOCFLAGS",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_JOBS",
        "__CARGO_FIX_PLZ",
        "CARGO_LLVM_COV",
    ] {
        cmd.env_remove(var);
    }
    for (key, _) in env::vars_os() {
        if let Some(k) = key.to_str()
            && k.starts_with("CARGO_BUILD_")
        {
            cmd.env_remove(&key);
        }
    }
    // The runtime walks frame pointers from a failing host call back into
    // wasm code to print the wasm backtrace (e.g. `proc_exit(200)`), so
    // every runtime frame must keep one.
    cmd.env("CARGO_ENCODED_RUSTFLAGS", "-Cforce-frame-pointers=yes");
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = cmd
        .output()
        .unwrap_or_else(|e| die(&format!("cannot run cargo for the runtime: {e}")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprintln!("{stderr}");
        die(&format!(
            "building the runtime library (kiln-runtime) failed ({}); its output is above",
            out.status
        ));
    }
    let libs_file = out_dir.join("runtime_native_libs.last");
    let libs = match parse_native_libs(&stderr) {
        Some(libs) => {
            write_if_changed(&libs_file, libs.as_bytes());
            libs
        }
        // Cargo replays rustc's notes on fresh builds, but keep the last
        // seen list in case a cargo version does not.
        None => {
            std::fs::read_to_string(&libs_file).unwrap_or_else(|_| DEFAULT_NATIVE_LIBS.to_string())
        }
    };
    let archive = target_dir
        .join(&target)
        .join("runtime")
        .join("libkiln_runtime.a");
    (archive, libs)
}

/// Extracts the list from rustc's `note: native-static-libs: -l...` line.
fn parse_native_libs(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|line| {
        line.split_once("native-static-libs:")
            .map(|(_, libs)| libs.trim().to_string())
    })
}

fn write_if_changed(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return;
    }
    std::fs::write(path, bytes)
        .unwrap_or_else(|e| die(&format!("cannot write {}: {e}", path.display())));
}

/// 64-bit FNV-1a: a cheap content hash for cache keys (not adversarial).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn env_or_die(name: &str) -> String {
    env::var(name).unwrap_or_else(|_| die(&format!("{name} is not set")))
}

fn die(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
