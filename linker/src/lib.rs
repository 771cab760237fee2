//! Kiln's linker driver: relocatable objects + the runtime archive -> one
//! executable, by running the system C compiler driver (`cc`, `gcc` or
//! `clang`) as the linker.
//!
//! Phase: the last step of `kiln build`, after the compiler wrote its object.
//! Inputs: a [`LinkRequest`] (paths, native libraries, a target triple).
//! Output: an executable file at `output` (mode 0755) or a [`LinkError`].
//!
//! Invariants:
//! - This crate knows nothing about WebAssembly: it takes paths and a target
//!   and runs the system toolchain.
//! - The driver is found the way the `cc` crate finds one (honouring `CC`,
//!   `CC_<target>` and `TARGET_CC`), so what builds C code for a Rust crate
//!   also links Kiln's output.
//! - Every failure names what is missing or carries the full command line
//!   and the driver's captured stderr.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use thiserror::Error;

/// What to link.
#[derive(Clone, Debug)]
pub struct LinkRequest {
    /// Relocatable objects, in order (the compiled module first).
    pub objects: Vec<PathBuf>,
    /// The runtime static library (`libkiln_runtime.a`), which defines `main`.
    pub runtime_archive: PathBuf,
    /// Native libraries the runtime needs, as linker arguments
    /// (`-lpthread`, `-lc`, ...), from `rustc --print native-static-libs`.
    pub native_libs: Vec<String>,
    /// Where to write the executable.
    pub output: PathBuf,
    /// Target triple; must be one of [`supported_targets`].
    pub target: String,
    /// Strip the symbol table too (off by default: function names help
    /// debuggers and profilers). Debug info is always stripped.
    pub strip: bool,
}

/// Why linking failed.
#[derive(Debug, Error)]
pub enum LinkError {
    /// The target triple is not one Kiln can link for.
    #[error(
        "unsupported target `{target}`: Kiln can link for {supported} (the host) only for now",
        supported = supported_targets().join(", ")
    )]
    UnsupportedTarget {
        /// The requested triple.
        target: String,
    },
    /// No C compiler driver was found on this machine.
    #[error(
        "no C linker found (looked for `{tried}`): install gcc or clang (e.g. `apt-get install gcc`), or set CC"
    )]
    NoLinker {
        /// The program name or path that was looked for.
        tried: String,
    },
    /// The driver could not be started.
    #[error("could not run the linker `{command}`: {source}")]
    Spawn {
        /// The full command line.
        command: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The driver ran and failed.
    #[error("linking failed ({status}): {command}\n{stderr}")]
    Failed {
        /// The full command line.
        command: String,
        /// How it exited.
        status: String,
        /// Its captured stderr.
        stderr: String,
    },
    /// Setting the output's permissions failed.
    #[error("could not make `{path}` executable: {source}")]
    Permissions {
        /// The output path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}

/// The triple of the machine Kiln itself was built for.
pub fn host_triple() -> String {
    target_lexicon::HOST.to_string()
}

/// Target triples [`link`] accepts: the host, if it is one Kiln supports.
pub fn supported_targets() -> Vec<String> {
    const KNOWN: &[&str] = &["x86_64-unknown-linux-gnu"];
    let host = host_triple();
    KNOWN
        .iter()
        .filter(|t| **t == host)
        .map(|t| t.to_string())
        .collect()
}

/// Checks that `target` is a triple [`link`] accepts.
pub fn check_target(target: &str) -> Result<(), LinkError> {
    if supported_targets().iter().any(|t| t == target) {
        Ok(())
    } else {
        Err(LinkError::UnsupportedTarget {
            target: target.to_string(),
        })
    }
}

/// Links `request.objects` with the runtime archive into an executable.
pub fn link(request: &LinkRequest) -> Result<(), LinkError> {
    check_target(&request.target)?;
    let driver = find_driver(&request.target)?;
    let args = link_args(request);
    let command = render_command(&driver, &args);
    let mut cmd = Command::new(&driver);
    cmd.args(&args);
    let out = cmd.output().map_err(|source| LinkError::Spawn {
        command: command.clone(),
        source,
    })?;
    if !out.status.success() {
        return Err(LinkError::Failed {
            command,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
        });
    }
    set_executable(&request.output)
}

/// The arguments given to the driver (without the driver itself).
pub fn link_args(request: &LinkRequest) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["-o".into(), request.output.clone().into()];
    args.extend(request.objects.iter().map(|o| o.clone().into_os_string()));
    args.push(request.runtime_archive.clone().into_os_string());
    // NB: `--as-needed` before the native libraries drops the ones nothing
    // references (most of glibc's split-out stubs), which saves dynamic
    // loader work at every start-up.
    args.push("-Wl,--as-needed".into());
    args.extend(request.native_libs.iter().map(OsString::from));
    args.push("-Wl,--gc-sections".into());
    // NB: the DWARF comes only from the Rust standard library inside the
    // runtime (about 4 MB); compiled wasm has none. Dropping it keeps a
    // hello world small while the symbol table keeps function names.
    // NB: GNU ld obeys the last strip option and the driver moves `-s`
    // before the inputs, so `--strip` must replace `--strip-debug` rather
    // than be added to it.
    args.push(if request.strip {
        "-Wl,--strip-all".into()
    } else {
        "-Wl,--strip-debug".into()
    });
    args.push("-pie".into());
    args
}

/// Finds the C compiler driver for `target` as the `cc` crate does, and
/// checks that it exists.
pub fn find_driver(target: &str) -> Result<PathBuf, LinkError> {
    let host = host_triple();
    let tool = cc::Build::new()
        .target(target)
        .host(&host)
        .opt_level(0)
        .debug(false)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .cargo_output(false)
        .emit_rerun_if_env_changed(false)
        .try_get_compiler()
        .map_err(|_| LinkError::NoLinker {
            tried: "cc".to_string(),
        })?;
    let path = tool.path().to_path_buf();
    resolve_program(&path).ok_or_else(|| LinkError::NoLinker {
        tried: path.display().to_string(),
    })
}

/// Resolves a program name against `PATH` (or checks an explicit path).
fn resolve_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Renders a command line for error messages, quoting arguments with spaces.
fn render_command(program: &Path, args: &[OsString]) -> String {
    std::iter::once(program.as_os_str())
        .chain(args.iter().map(|a| a.as_os_str()))
        .map(|a| {
            let s = a.to_string_lossy();
            if s.is_empty() || s.contains(|c: char| c.is_whitespace() || c == '\'') {
                format!("'{}'", s.replace('\'', r"'\''"))
            } else {
                s.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<(), LinkError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|source| {
        LinkError::Permissions {
            path: path.display().to_string(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> Result<(), LinkError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> LinkRequest {
        LinkRequest {
            objects: vec!["a.o".into()],
            runtime_archive: "librt.a".into(),
            native_libs: vec!["-lc".into()],
            output: "out".into(),
            target: host_triple(),
            strip: false,
        }
    }

    #[test]
    fn args_order() {
        let args: Vec<String> = link_args(&request())
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "-o",
                "out",
                "a.o",
                "librt.a",
                "-Wl,--as-needed",
                "-lc",
                "-Wl,--gc-sections",
                "-Wl,--strip-debug",
                "-pie"
            ]
        );
    }

    #[test]
    fn strip_replaces_strip_debug() {
        // Regression: `-s` plus a later `--strip-debug` left the symbol
        // table in place (GNU ld obeys the last strip option).
        let mut r = request();
        r.strip = true;
        let args: Vec<String> = link_args(&r)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(args.iter().any(|a| a == "-Wl,--strip-all"));
        assert!(!args.iter().any(|a| a.contains("strip-debug") || a == "-s"));
    }

    #[test]
    fn unsupported_target_is_reported() {
        let mut r = request();
        r.target = "riscv64gc-unknown-linux-gnu".into();
        let e = link(&r).unwrap_err();
        assert!(matches!(e, LinkError::UnsupportedTarget { .. }));
        assert!(e.to_string().contains("unsupported target `riscv64gc"));
    }

    #[test]
    fn quoting() {
        let s = render_command(Path::new("cc"), &["a b".into(), "c".into()]);
        assert_eq!(s, "cc 'a b' c");
    }

    #[test]
    fn missing_program() {
        assert!(resolve_program(Path::new("kiln-no-such-linker-xyz")).is_none());
        assert!(resolve_program(Path::new("/nonexistent/cc")).is_none());
    }

    /// Links a tiny C-free program: an object that defines `main` via an
    /// archive, using the real driver (skipped when none is installed).
    #[test]
    fn links_a_real_program() {
        let Ok(driver) = find_driver(&host_triple()) else {
            eprintln!("no C driver: skipped");
            return;
        };
        let dir = std::env::temp_dir().join(format!("kiln-linker-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let c = dir.join("m.c");
        std::fs::write(&c, "int f(void){return 7;}\n").unwrap();
        let main_c = dir.join("main.c");
        std::fs::write(&main_c, "int f(void);\nint main(void){return f();}\n").unwrap();
        let obj = dir.join("m.o");
        let main_o = dir.join("main.o");
        let ok = |st: std::process::ExitStatus| assert!(st.success());
        ok(Command::new(&driver)
            .args(["-c", "-fPIC", "-o"])
            .arg(&obj)
            .arg(&c)
            .status()
            .unwrap());
        ok(Command::new(&driver)
            .args(["-c", "-fPIC", "-o"])
            .arg(&main_o)
            .arg(&main_c)
            .status()
            .unwrap());
        let archive = dir.join("libmain.a");
        ok(Command::new("ar")
            .arg("rcs")
            .arg(&archive)
            .arg(&main_o)
            .status()
            .unwrap());
        let out = dir.join("prog");
        let mut r = request();
        r.objects = vec![obj];
        r.runtime_archive = archive;
        r.output = out.clone();
        link(&r).unwrap();
        let st = Command::new(&out).status().unwrap();
        assert_eq!(st.code(), Some(7));

        // A failing link reports the command and stderr.
        r.objects = vec![dir.join("missing.o")];
        let e = link(&r).unwrap_err().to_string();
        assert!(e.contains("missing.o"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
