//! Kiln's linker driver: relocatable objects + the runtime archive -> one
//! executable.
//!
//! Phase: the last step of `kiln build`, after the compiler wrote its object.
//! Inputs: a [`LinkRequest`] (paths, native libraries, a target triple and,
//! for a static link, the directory of the C library and start files).
//! Output: an executable file at `output` (mode 0755) or a [`LinkError`].
//!
//! Two kinds of link ([`LinkKind`]):
//! - `*-linux-musl`: a fully static position-independent executable
//!   (static-pie), linked by running `ld.lld` (or `rust-lld`) directly on
//!   musl's start files, the objects, the runtime and musl's `libc.a`, all
//!   given as paths: no SDK, no sysroot, any target from any host. Without
//!   lld, a link for the host's own architecture falls back to the system
//!   C compiler driver with `-nostdlib -static-pie`.
//! - `*-linux-gnu` (the host only): a dynamic PIE against the host's glibc,
//!   linked by the system C compiler driver (`cc`, `gcc` or `clang`);
//! - `*-linux-gnu` with a sysroot ([`LinkRequest::sysroot`]): a dynamic PIE
//!   for any architecture against the glibc in that sysroot, by lld
//!   ([`sysroot`]).
//!
//! For `x86_64-unknown-linux-musl`, [`place`] links without lld: the object
//! goes into a runtime image lld linked once for the runtime symbols the
//! object uses (the caller caches images); anything it does not handle
//! falls back to lld.
//!
//! Invariants:
//! - This crate knows nothing about WebAssembly: it takes paths (or an
//!   object's bytes) and a target and runs a linker, or places the object.
//! - The C driver is found the way the `cc` crate finds one (honouring `CC`,
//!   `CC_<target>` and `TARGET_CC`), so what builds C code for a Rust crate
//!   also links Kiln's output; lld is `KILN_LLD`, else `rust-lld` (on
//!   `PATH` or of a rustup toolchain), else `ld.lld` on `PATH`.
//! - Every failure names what is missing or carries the full command line
//!   and the linker's captured stderr.

mod merge;
pub mod place;
mod sysroot;
mod windows;

pub use merge::{MergeError, append_object, can_append};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
pub use sysroot::{interpreter, sysroot_lld_args};
use thiserror::Error;
pub use windows::{WINDOWS_TARGETS, is_windows, windows_lld_args};

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
    /// For a static link: the directory holding the C library and start
    /// files: musl's ([`STATIC_LIBC_FILES`]) for `*-linux-musl`, glibc's
    /// and libgcc's ([`STATIC_GLIBC_FILES`]) for a `*-linux-gnu` target,
    /// which this makes a static glibc link.
    pub libc_dir: Option<PathBuf>,
    /// For a dynamic link against another machine's glibc: the sysroot
    /// holding it (see [`sysroot`]); takes precedence over `libc_dir`.
    pub sysroot: Option<PathBuf>,
    /// For a static-pie musl link: the entry symbol, when the runtime
    /// archive defines its own in place of the start file's `_start`
    /// (`kiln_abi::symbols::start_symbol`). The start file stays in the
    /// link (every musl target has the same file set); unreferenced, its
    /// code is collected away.
    pub entry: Option<String>,
}

impl LinkRequest {
    /// [`LinkRequest::libc_dir`], which a static musl link cannot do
    /// without.
    fn need_libc_dir(&self) -> Result<&Path, LinkError> {
        self.libc_dir.as_deref().ok_or_else(|| LinkError::NoLibc {
            target: self.target.clone(),
        })
    }
}

/// The files of a static musl link's C library directory: the start files
/// and `libc.a`. The unwinder beside them is the runtime's native library
/// (`-lunwind` from Rust's self-contained musl, or libgcc's `-lgcc_eh`
/// where Debian's musl stands in for it).
pub const STATIC_LIBC_FILES: &[&str] = &[
    "rcrt1.o",
    "crti.o",
    "crtbeginS.o",
    "crtendS.o",
    "crtn.o",
    "libc.a",
];

/// The files of a static glibc link's C library directory (non-PIE: the
/// glibc packages this comes from ship no `rcrt1.o`).
pub const STATIC_GLIBC_FILES: &[&str] = &[
    "crt1.o",
    "crti.o",
    "crtbeginT.o",
    "crtend.o",
    "crtn.o",
    "libc.a",
    "libgcc.a",
    "libgcc_eh.a",
];

/// The architectures Kiln builds for, as spelled in target triples.
pub const ARCHITECTURES: &[&str] = &["x86_64", "aarch64", "riscv64gc", "s390x"];

/// How a target is linked.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// Fully static (musl), by lld; needs [`LinkRequest::libc_dir`].
    Static,
    /// Fully static against glibc (a `*-linux-gnu` target with a
    /// [`LinkRequest::libc_dir`]), by lld.
    StaticGlibc,
    /// Dynamic against the host's glibc, by the system C driver.
    Dynamic,
    /// Dynamic against the glibc of [`LinkRequest::sysroot`], by lld.
    DynamicSysroot,
    /// A Windows executable (PE), by lld in MinGW mode; the runtime's
    /// directory ([`LinkRequest::libc_dir`]) holds libgcc's unwinder.
    Windows,
}

/// Why linking failed.
#[derive(Debug, Error)]
pub enum LinkError {
    /// The target triple is not one Kiln can link for.
    #[error(
        "unsupported target `{target}`: Kiln links for {supported}",
        supported = supported_targets().join(", ")
    )]
    UnsupportedTarget {
        /// The requested triple.
        target: String,
    },
    /// A glibc target other than the host: that needs the target's glibc.
    #[error(
        "cannot link for `{target}` from {host}: a glibc executable for another machine needs \
         that machine's C library; use the fully static `{musl}` instead, or give that C library \
         with `--dynamic --sysroot DIR`"
    )]
    CrossGnu {
        /// The requested triple.
        target: String,
        /// The host triple.
        host: String,
        /// The static alternative.
        musl: String,
    },
    /// The sysroot lacks a file a dynamic glibc link needs.
    #[error(
        "the sysroot `{sysroot}` has no `{what}` (looked in its lib/<multiarch>, lib64 and lib \
         directories, and their usr/ twins): give the root of a file system or SDK of the \
         target with its glibc development files, e.g. Debian's /usr/<arch>-linux-gnu from \
         libc6-dev-<arch>-cross and libgcc-s1-<arch>-cross"
    )]
    Sysroot {
        /// The sysroot given.
        sysroot: String,
        /// The file not found.
        what: String,
    },
    /// A static link without the C library directory (a bug in the caller).
    #[error("a static link for `{target}` needs the C library directory (libc.a and crt files)")]
    NoLibc {
        /// The requested triple.
        target: String,
    },
    /// No lld was found for a link only lld can do.
    #[error(
        "no LLVM linker found for `{target}` (looked for `ld.lld` and `rust-lld` on PATH): \
         install lld (e.g. `apt-get install lld`), or set KILN_LLD to the path of an `ld.lld` \
         or `rust-lld`"
    )]
    NoLld {
        /// The requested triple.
        target: String,
    },
    /// `KILN_LLD` names no file (a path) or no program on `PATH` (a name).
    #[error("KILN_LLD is `{value}`, which is not a file nor a program on PATH")]
    BadLldVar {
        /// The variable's value.
        value: String,
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
    // NB: the OS error is part of the message, not a `source`: the CLI
    // prints an error's chain, which would repeat it.
    #[error("could not run the linker `{command}`: {error}")]
    Spawn {
        /// The full command line.
        command: String,
        /// The OS error.
        error: std::io::Error,
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
    /// Setting the output's permissions failed (as for `Spawn`, the OS
    /// error is in the message only).
    #[error("could not make `{path}` executable: {error}")]
    Permissions {
        /// The output path.
        path: String,
        /// The OS error.
        error: std::io::Error,
    },
}

/// The triple of the machine Kiln itself was built for.
pub fn host_triple() -> String {
    target_lexicon::HOST.to_string()
}

/// The architecture part of `target` (`aarch64` of `aarch64-unknown-linux-musl`).
pub fn arch_of(target: &str) -> &str {
    target.split('-').next().unwrap_or(target)
}

/// The static (musl) triple for the architecture of `target`; a Windows
/// target as it is (its executables are always self-contained).
pub fn static_triple(target: &str) -> String {
    if is_windows(target) {
        return target.to_string();
    }
    format!("{}-unknown-linux-musl", arch_of(target))
}

/// Target triples [`link`] accepts: `<arch>-unknown-linux-musl` for every
/// architecture of [`ARCHITECTURES`], and the host's glibc triple.
pub fn supported_targets() -> Vec<String> {
    let host = host_triple();
    let mut list: Vec<String> = ARCHITECTURES
        .iter()
        .map(|a| format!("{a}-unknown-linux-musl"))
        .collect();
    if host.ends_with("-linux-gnu") && ARCHITECTURES.contains(&arch_of(&host)) {
        list.push(host);
    }
    list.extend(WINDOWS_TARGETS.iter().map(|t| t.to_string()));
    list
}

/// Checks that `target` is a triple [`link`] accepts; returns how it links.
pub fn check_target(target: &str) -> Result<LinkKind, LinkError> {
    if WINDOWS_TARGETS.contains(&target) {
        return Ok(LinkKind::Windows);
    }
    let arch_known = ARCHITECTURES.contains(&arch_of(target));
    if arch_known && target == static_triple(target) {
        return Ok(LinkKind::Static);
    }
    let host = host_triple();
    if target == host && supported_targets().contains(&host) {
        return Ok(LinkKind::Dynamic);
    }
    if arch_known && target == format!("{}-unknown-linux-gnu", arch_of(target)) {
        return Err(LinkError::CrossGnu {
            target: target.to_string(),
            host,
            musl: static_triple(target),
        });
    }
    Err(LinkError::UnsupportedTarget {
        target: target.to_string(),
    })
}

/// Links `request.objects` with the runtime archive into an executable.
pub fn link(request: &LinkRequest) -> Result<(), LinkError> {
    let kind = match &request.libc_dir {
        _ if request.sysroot.is_some() => LinkKind::DynamicSysroot,
        _ if is_windows(&request.target) => check_target(&request.target)?,
        Some(_)
            if request.target.ends_with("-linux-gnu")
                && ARCHITECTURES.contains(&arch_of(&request.target)) =>
        {
            LinkKind::StaticGlibc
        }
        _ => check_target(&request.target)?,
    };
    let (program, args) = match kind {
        LinkKind::Dynamic => (find_driver(&request.target)?, link_args(request)),
        LinkKind::DynamicSysroot => {
            let lld = need_lld(&request.target)?;
            let sysroot = request.sysroot.as_deref().unwrap_or(Path::new("/"));
            let mut args = lld.prefix_args();
            args.extend(sysroot_lld_args(request, sysroot)?);
            (lld.path, args)
        }
        LinkKind::Windows => {
            let libc_dir = request.need_libc_dir()?;
            let lld = need_lld(&request.target)?;
            let mut args = lld.prefix_args();
            args.extend(windows_lld_args(request, libc_dir));
            (lld.path, args)
        }
        LinkKind::StaticGlibc => {
            let lld = need_lld(&request.target)?;
            let libc_dir = request.libc_dir.as_deref().unwrap_or(Path::new("."));
            let mut args = lld.prefix_args();
            args.extend(static_glibc_lld_args(request, libc_dir));
            (lld.path, args)
        }
        LinkKind::Static => {
            let libc_dir = request.need_libc_dir()?;
            match find_lld()? {
                Some(lld) => {
                    let mut args = lld.prefix_args();
                    args.extend(static_lld_args(request, libc_dir));
                    (lld.path, args)
                }
                // The system driver links for its own architecture only.
                None if arch_of(&request.target) == arch_of(&host_triple()) => (
                    find_driver(&host_triple())?,
                    static_driver_args(request, libc_dir),
                ),
                None => {
                    return Err(LinkError::NoLld {
                        target: request.target.clone(),
                    });
                }
            }
        }
    };
    run_linker(&program, &args)?;
    set_executable(&request.output)
}

/// The lld for `target`, or the error saying how to install one.
fn need_lld(target: &str) -> Result<Lld, LinkError> {
    find_lld()?.ok_or_else(|| LinkError::NoLld {
        target: target.to_string(),
    })
}

/// Runs the linker; a failure carries the command line and its stderr.
fn run_linker(program: &Path, args: &[OsString]) -> Result<(), LinkError> {
    let command = render_command(program, args);
    let mut cmd = Command::new(program);
    cmd.args(args);
    let out = cmd.output().map_err(|error| LinkError::Spawn {
        command: command.clone(),
        error,
    })?;
    if !out.status.success() {
        return Err(LinkError::Failed {
            command,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
        });
    }
    Ok(())
}

/// An lld found on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lld {
    /// Its path.
    pub path: PathBuf,
    /// Whether it is `rust-lld`, which needs `-flavor gnu` to act as
    /// `ld.lld`.
    pub rust_lld: bool,
}

impl Lld {
    fn prefix_args(&self) -> Vec<OsString> {
        if self.rust_lld {
            vec!["-flavor".into(), "gnu".into()]
        } else {
            Vec::new()
        }
    }
}

/// Finds lld (any target): `KILN_LLD` (a path or a name on `PATH`), else
/// `rust-lld` on `PATH`, else the `rust-lld` of an installed Rust
/// toolchain (`$RUSTUP_HOME` or `~/.rustup`), else `ld.lld` on `PATH`.
/// A Rust toolchain's lld is as new as the toolchain: RISC-V objects need
/// linker relaxation (`R_RISCV_ALIGN`), which `ld.lld` before LLVM 15
/// (Debian 12's) lacks, `ld.lld` links s390x (SystemZ) only from LLVM 18
/// on (Debian 12's crashes on it), and Debian 12's `ld.lld` spends some
/// 10 ms of every link loading its shared LLVM 14 library (a fifth of the
/// CPU time of building a small module; `rust-lld` starts in 6 ms).
/// An explicit `KILN_LLD` that names nothing is an error, not a reason to
/// use another linker.
pub fn find_lld() -> Result<Option<Lld>, LinkError> {
    let is_rust_lld = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("rust-lld"))
    };
    let lld = |path: PathBuf| Lld {
        rust_lld: is_rust_lld(&path),
        path,
    };
    if let Some(v) = std::env::var_os("KILN_LLD").filter(|v| !v.is_empty()) {
        return match resolve_program(Path::new(&v)) {
            Some(path) => Ok(Some(lld(path))),
            None => Err(LinkError::BadLldVar {
                value: v.to_string_lossy().into_owned(),
            }),
        };
    }
    let on_path = |name: &str| resolve_program(Path::new(name));
    Ok(on_path("rust-lld")
        .or_else(rustup_rust_lld)
        .or_else(|| on_path("ld.lld"))
        .map(lld))
}

/// The `rust-lld` of an installed rustup toolchain, if any.
fn rustup_rust_lld() -> Option<PathBuf> {
    let home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".rustup")))?;
    let host = host_triple();
    let mut toolchains: Vec<PathBuf> = std::fs::read_dir(home.join("toolchains"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    toolchains.sort();
    toolchains
        .into_iter()
        .map(|t| t.join("lib/rustlib").join(&host).join("bin/rust-lld"))
        .find(|p| p.is_file())
}

/// The objects and libraries of a static musl link, in link order (start
/// files, objects, runtime, libraries, end files).
fn static_inputs(request: &LinkRequest, libc_dir: &Path) -> Vec<OsString> {
    let file = |name: &str| libc_dir.join(name).into_os_string();
    let mut args: Vec<OsString> = vec![file("rcrt1.o"), file("crti.o"), file("crtbeginS.o")];
    args.extend(request.objects.iter().map(|o| o.clone().into_os_string()));
    args.push(request.runtime_archive.clone().into_os_string());
    let mut lib_dir = OsString::from("-L");
    lib_dir.push(libc_dir);
    args.push(lib_dir);
    args.extend(request.native_libs.iter().map(OsString::from));
    args.push(file("crtendS.o"));
    args.push(file("crtn.o"));
    args
}

/// Arguments for lld (without the program and `-flavor`): a static-pie
/// executable, which keeps address-space randomisation although nothing is
/// loaded at run time (musl's `rcrt1.o` relocates the image itself).
pub fn static_lld_args(request: &LinkRequest, libc_dir: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "-static",
        "-pie",
        "--no-dynamic-linker",
        "-z",
        "relro",
        "-z",
        "now",
        "-z",
        "pack-relative-relocs",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    if let Some(entry) = &request.entry {
        args.extend(["-e".into(), entry.into()]);
    }
    args.extend(static_output_args(request));
    args.extend(static_inputs(request, libc_dir));
    args
}

/// The lld flags every static link shares, ending with `-o <output>`.
fn static_output_args(request: &LinkRequest) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "-z",
        "noexecstack",
        "--eh-frame-hdr",
        "--gc-sections",
        // Identical code folding: generic runtime code instantiated for
        // several types often compiles to the same bytes.
        "--icf=all",
        // Assembler-local labels (`.L...`; RISC-V has one per relaxable
        // address): no use to a debugger, megabytes of symbol table.
        "--discard-locals",
        strip_arg(request),
    ]
    .iter()
    .map(OsString::from)
    .collect();
    // lld's worker threads cost more CPU than they save on a small link
    // (most of them): one thread took 2 ms less of the 17 ms a small
    // module's link needs, for the same output. Large modules keep the
    // threads, which shorten the link's wall time.
    let bytes: u64 = request
        .objects
        .iter()
        .filter_map(|o| std::fs::metadata(o).ok())
        .map(|m| m.len())
        .sum();
    if bytes < SMALL_LINK_BYTES {
        args.push("--threads=1".into());
    }
    args.push("-o".into());
    args.push(request.output.clone().into_os_string());
    args
}

/// lld's strip option: the symbol table too with `--strip`, else only
/// debug information.
fn strip_arg(request: &LinkRequest) -> &'static str {
    if request.strip {
        "--strip-all"
    } else {
        "--strip-debug"
    }
}

/// Compiled objects below this size are linked on one thread.
const SMALL_LINK_BYTES: u64 = 4 << 20;

/// Arguments for lld (without the program and `-flavor`) for a static
/// glibc executable: non-PIE, the runtime's glibc libraries (`-lgcc_s`
/// becomes libgcc's static unwinder) in one group with libc and libgcc.
pub fn static_glibc_lld_args(request: &LinkRequest, libc_dir: &Path) -> Vec<OsString> {
    let file = |name: &str| libc_dir.join(name).into_os_string();
    let mut args = vec![OsString::from("-static")];
    args.extend(static_output_args(request));
    args.extend([file("crt1.o"), file("crti.o"), file("crtbeginT.o")]);
    args.extend(request.objects.iter().map(|o| o.clone().into_os_string()));
    args.push(request.runtime_archive.clone().into_os_string());
    let mut lib_dir = OsString::from("-L");
    lib_dir.push(libc_dir);
    args.push(lib_dir);
    args.push("--start-group".into());
    for lib in &request.native_libs {
        if lib != "-lgcc_s" {
            args.push(lib.into());
        }
    }
    args.extend(["-lgcc".into(), "-lgcc_eh".into(), "-lc".into()]);
    args.push("--end-group".into());
    args.extend([file("crtend.o"), file("crtn.o")]);
    args
}

/// Arguments for the system C driver doing the same static-pie link when
/// no lld is installed (host architecture only).
pub fn static_driver_args(request: &LinkRequest, libc_dir: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "-nostdlib",
        "-static-pie",
        "-Wl,--gc-sections",
        "-Wl,-z,now",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    args.push(if request.strip {
        "-Wl,--strip-all".into()
    } else {
        "-Wl,--strip-debug".into()
    });
    if let Some(entry) = &request.entry {
        args.push(format!("-Wl,-e,{entry}").into());
    }
    args.push("-o".into());
    args.push(request.output.clone().into_os_string());
    args.extend(static_inputs(request, libc_dir));
    args
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
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|error| {
        LinkError::Permissions {
            path: path.display().to_string(),
            error,
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
            libc_dir: None,
            sysroot: None,
            entry: None,
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
        r.target = "mips64-unknown-linux-gnuabi64".into();
        let e = link(&r).unwrap_err();
        assert!(matches!(e, LinkError::UnsupportedTarget { .. }));
        assert!(e.to_string().contains("unsupported target `mips64"), "{e}");
        assert!(e.to_string().contains("aarch64-unknown-linux-musl"), "{e}");
    }

    #[test]
    fn target_kinds() {
        for arch in ARCHITECTURES {
            let musl = format!("{arch}-unknown-linux-musl");
            assert_eq!(check_target(&musl).unwrap(), LinkKind::Static);
        }
        let host = host_triple();
        assert_eq!(check_target(&host).unwrap(), LinkKind::Dynamic);
        let other = if arch_of(&host) == "s390x" {
            "aarch64"
        } else {
            "s390x"
        };
        let e = check_target(&format!("{other}-unknown-linux-gnu")).unwrap_err();
        assert!(matches!(e, LinkError::CrossGnu { .. }), "{e}");
        assert!(
            e.to_string().contains(&format!(
                "use the fully static `{other}-unknown-linux-musl`"
            )),
            "{e}"
        );
        assert_eq!(
            static_triple("riscv64gc-unknown-linux-gnu"),
            "riscv64gc-unknown-linux-musl"
        );
    }

    #[test]
    fn static_args_order() {
        let mut r = request();
        r.target = "aarch64-unknown-linux-musl".into();
        r.native_libs = vec!["-lunwind".into(), "-lc".into()];
        let args: Vec<String> = static_lld_args(&r, Path::new("/m"))
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let tail = &args[args.len() - 10..];
        assert_eq!(
            tail,
            [
                "/m/rcrt1.o",
                "/m/crti.o",
                "/m/crtbeginS.o",
                "a.o",
                "librt.a",
                "-L/m",
                "-lunwind",
                "-lc",
                "/m/crtendS.o",
                "/m/crtn.o"
            ]
        );
        for flag in ["-static", "-pie", "--no-dynamic-linker", "--strip-debug"] {
            assert!(args.iter().any(|a| a == flag), "{flag} missing: {args:?}");
        }
        r.strip = true;
        let args = static_lld_args(&r, Path::new("/m"));
        assert!(args.iter().any(|a| a == "--strip-all"));
        assert!(!args.iter().any(|a| a == "--strip-debug"));
    }

    #[test]
    fn small_links_run_on_one_thread() {
        let mut r = request();
        let one = |r: &LinkRequest| {
            static_lld_args(r, Path::new("/m"))
                .iter()
                .any(|a| a == "--threads=1")
        };
        assert!(one(&r));
        // The output stays right after `-o`.
        let args = static_lld_args(&r, Path::new("/m"));
        let o = args.iter().position(|a| a == "-o").unwrap();
        assert_eq!(args[o + 1], r.output.as_os_str());
        let dir = std::env::temp_dir().join(format!("kiln-link-threads-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.o");
        std::fs::File::create(&big)
            .and_then(|f| f.set_len(SMALL_LINK_BYTES))
            .unwrap();
        r.objects = vec![big];
        assert!(!one(&r));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn static_glibc_args() {
        let mut r = request();
        r.target = "riscv64gc-unknown-linux-gnu".into();
        r.native_libs = vec!["-lgcc_s".into(), "-lpthread".into(), "-lc".into()];
        let args: Vec<String> = static_glibc_lld_args(&r, Path::new("/g"))
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let at = |s: &str| args.iter().position(|a| a == s).unwrap();
        assert!(at("/g/crt1.o") < at("a.o") && at("a.o") < at("librt.a"));
        assert!(at("--start-group") < at("-lpthread") && at("-lgcc_eh") < at("--end-group"));
        assert!(
            !args.iter().any(|a| a == "-lgcc_s" || a == "-pie"),
            "{args:?}"
        );
        assert_eq!(args.last().map(String::as_str), Some("/g/crtn.o"));
    }

    #[test]
    fn static_link_needs_libc_dir() {
        let mut r = request();
        r.target = static_triple(&host_triple());
        let e = link(&r).unwrap_err();
        assert!(matches!(e, LinkError::NoLibc { .. }), "{e}");
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
