//! Build script of the `kiln` CLI: builds the runtime static library
//! (crate `kiln-runtime`, `runtime-lib/archive/`, which links in the other
//! crates of `runtime-lib/`) for every target `kiln` can link for, and
//! embeds each, deflated, with what a link for it needs, so that a user
//! with only the `kiln` binary and a linker can build for any of them.
//!
//! Inputs: the workspace sources of `runtime-lib/` (every crate in it) and
//! `abi/`, the `[profile.runtime]` of the root `Cargo.toml`, the Rust
//! toolchain's installed standard libraries (`rustup target add`).
//! Outputs, in `OUT_DIR`:
//! - `runtimes.rs`: the table `RUNTIMES` of embedded runtimes (one per
//!   target triple: its files, each deflated and `include_bytes!`ed, the
//!   native libraries it needs, one linker argument each, and a content
//!   hash), included by `src/cli/runtime.rs`;
//! - the env var `KILN_RUNTIME_HASH` (FNV-1a over every embedded runtime)
//!   for cache keys.
//!
//! Targets: the one `kiln` itself is built for (`TARGET`, usually
//! `x86_64-unknown-linux-gnu`), plus `KILN_RUNTIME_TARGETS` (comma-separated
//! triples, or `none`); by default every triple of [`STATIC_TARGETS`] and
//! [`DYNAMIC_GNU_TARGETS`] whose standard library is installed (and the
//! static glibc ones standing in for a missing musl triple). A `*-linux-musl` runtime also carries
//! the C library and start files of Rust's self-contained musl copy
//! ([`MUSL_FILES`]), so its executables link fully static with no SDK.
//!
//! Each runtime is built by a nested `cargo rustc`, two at a time, in a
//! target directory per triple shared by every build of this workspace
//! (`target/kiln-runtime/.../<triple>`), so a no-op rebuild is a no-op for
//! the nested cargo too, and debug, release and clippy builds do not
//! rebuild the runtime each.
//! The runtime's standard library is built from source with it (cargo's
//! `-Zbuild-std`, the toolchain's `rust-src` component) without std's
//! backtrace symbolizer, which saves ~230 KB per executable; without
//! `rust-src` (or with `KILN_PREBUILT_STD=1`) rustup's prebuilt std is used
//! and a warning says so ([`std_source`]).
//! `KILN_RUNTIME_ARCHIVE=<path>` skips the nested build for `TARGET` and
//! embeds a prebuilt archive instead (`KILN_RUNTIME_NATIVE_LIBS` then gives
//! its native libraries, space-separated).
//!
//! C code: `ring` (rustls's cryptography, for `wasi:http`'s `https`) has C
//! and assembly parts, built by the `cc` crate inside the nested build.
//! One clang cross-compiles them for every target, freestanding (ring needs
//! no C library headers), with the `llvm-ar` of the same LLVM: the nested
//! cargo gets `CC_<triple>`, `CFLAGS_<triple>` and `AR_<triple>` (unless
//! the caller set them). clang is `KILN_CLANG` (a path or a name on
//! `PATH`), else `clang` or the newest `clang-<N>` on `PATH`; `llvm-ar` is
//! `KILN_LLVM_AR`, else the one beside the real clang binary, else
//! `llvm-ar` or `llvm-ar-<N>` on `PATH`. Without them the build stops with
//! an error naming what to install.

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What rustc prints for a std-only staticlib on linux-gnu; used when a
/// prebuilt archive comes without its list.
const DEFAULT_NATIVE_LIBS: &str = "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc";

/// The same for linux-musl (libunwind and libc from [`MUSL_FILES`]).
const MUSL_NATIVE_LIBS: &str = "-lunwind -lc";

/// The fully static targets, built by default when their standard library
/// is installed. The README's build command installs them all.
const STATIC_TARGETS: &[&str] = &[
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "riscv64gc-unknown-linux-musl",
    "s390x-unknown-linux-musl",
];

/// Dynamic glibc targets built by default when their standard library is
/// installed (the host's own triple always is): `kiln build --dynamic
/// --target <triple> --sysroot DIR` links them against another machine's
/// glibc. The static glibc targets below, when built, serve the same
/// way. `(Rust triple, GNU triple of Debian's cross packages)`: for another
/// architecture than the host's, the runtime's C code (ring, for https)
/// compiles against the target's glibc headers, which Debian's
/// `libc6-dev-<arch>-cross` and `libgcc-12-dev-<arch>-cross` provide
/// (clang finds them through the GCC cross directory).
const DYNAMIC_GNU_TARGETS: &[(&str, &str)] = &[
    ("x86_64-unknown-linux-gnu", "x86_64-linux-gnu"),
    ("aarch64-unknown-linux-gnu", "aarch64-linux-gnu"),
    ("riscv64gc-unknown-linux-gnu", "riscv64-linux-gnu"),
    ("s390x-unknown-linux-gnu", "s390x-linux-gnu"),
];

/// What a static-pie link against musl needs besides the runtime, from
/// `<sysroot>/lib/rustlib/<target>/lib/self-contained`.
const MUSL_FILES: &[&str] = &[
    "rcrt1.o",
    "crti.o",
    "crtbeginS.o",
    "crtendS.o",
    "crtn.o",
    "libc.a",
    "libunwind.a",
];

/// Musl targets for which Rust ships no self-contained C library (rustup
/// cannot provide riscv64's musl standard library here, and s390x has none
/// at all): their standard library is built from source ([`StdSource`]),
/// and their C library and start files are Debian's `musl-dev` (in
/// `/usr/lib/<arch>-linux-musl`, where Debian's multiarch package or
/// `scripts/install-cross-musl` puts them) with libgcc's from Debian's
/// `libgcc-12-dev-<arch>-cross`. `(Rust triple, Debian architecture, GNU
/// triple of the gcc-cross packages)`.
const DEBIAN_MUSL_TARGETS: &[(&str, &str, &str)] = &[
    (
        "riscv64gc-unknown-linux-musl",
        "riscv64",
        "riscv64-linux-gnu",
    ),
    ("s390x-unknown-linux-musl", "s390x", "s390x-linux-gnu"),
];

/// What a static-pie musl link needs from Debian's `musl-dev` ...
const DEBIAN_MUSL_FILES: &[&str] = &["rcrt1.o", "crti.o", "crtn.o", "libc.a"];

/// ... and from libgcc (its unwinder stands in for the LLVM libunwind of
/// Rust's self-contained musl).
const DEBIAN_MUSL_GCC_FILES: &[&str] = &["crtbeginS.o", "crtendS.o", "libgcc.a", "libgcc_eh.a"];

/// The native libraries of a [`DEBIAN_MUSL_TARGETS`] runtime: libgcc's
/// static unwinder for std's `-lgcc_s`, and libgcc once more after musl,
/// which calls a few of its helpers.
const DEBIAN_MUSL_NATIVE_LIBS: &str = "-lgcc_eh -lgcc -lc -lgcc";

/// Targets whose musl standard library rustup cannot provide here, linked
/// fully static against glibc instead: the runtime is built for the `-gnu`
/// triple and embedded with the static glibc and libgcc of Debian's cross
/// packages (`libc6-dev-<arch>-cross`, `libgcc-12-dev-<arch>-cross`).
/// `(Rust triple, GNU triple of the packages)`.
const STATIC_GLIBC_TARGETS: &[(&str, &str)] = &[
    ("riscv64gc-unknown-linux-gnu", "riscv64-linux-gnu"),
    // rustup has no s390x musl standard library at all (tier 3).
    ("s390x-unknown-linux-gnu", "s390x-linux-gnu"),
];

/// What a static (non-PIE: Debian ships no `rcrt1.o` for these) glibc
/// link needs, from `/usr/<gnu>/lib` ...
const GLIBC_FILES: &[&str] = &[
    "crt1.o",
    "crti.o",
    "crtn.o",
    "libc.a",
    "libm.a",
    "libpthread.a",
    "librt.a",
    "libdl.a",
    "libutil.a",
];

/// ... and from `/usr/lib/gcc-cross/<gnu>/<version>`.
const LIBGCC_FILES: &[&str] = &["crtbeginT.o", "crtend.o", "libgcc.a", "libgcc_eh.a"];

/// Windows targets, built by default when their standard library is
/// installed and MinGW-w64's libgcc is there (Debian's
/// `gcc-mingw-w64-x86-64`): its unwinder (`libgcc_eh.a`, whose one member
/// an executable uses is 4 KB) is the only file a Windows link needs
/// besides the runtime, which brings its own entry point, TLS directory
/// and DLL import stubs (`runtime-lib/archive/src/start_windows.rs`).
/// `(Rust triple, GNU triple of the MinGW packages)`. The runtime is
/// built with the `serve` feature but not `processes`: its server runs in
/// one process (no `fork`).
const WINDOWS_TARGETS: &[(&str, &str)] = &[("x86_64-pc-windows-gnu", "x86_64-w64-mingw32")];

/// For a [`WINDOWS_TARGETS`] triple: MinGW-w64's `libgcc_eh.a` (the newest
/// GCC version's; the `win32` and `posix` thread variants have the same
/// unwinder).
fn mingw_libgcc_eh(triple: &str) -> Option<PathBuf> {
    let (_, gnu) = WINDOWS_TARGETS.iter().find(|(t, _)| *t == triple)?;
    let root = Path::new("/usr/lib/gcc").join(gnu);
    println!("cargo:rerun-if-changed={}", root.display());
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("libgcc_eh.a").is_file())
        .collect();
    // Sorted by name: deterministic, and `12-win32` after `12-posix`.
    dirs.sort();
    dirs.pop().map(|d| d.join("libgcc_eh.a"))
}

/// The name of the runtime archive inside each embedded runtime.
const ARCHIVE_NAME: &str = "libkiln_runtime.a";

/// Deflate level: 6 is within 2% of 9 on these archives at a tenth of the
/// time.
const DEFLATE_LEVEL: u8 = 6;

/// One runtime to embed.
struct Runtime {
    triple: String,
    /// The C library of a static link: `musl`, `glibc`, or empty for a
    /// dynamic one.
    libc: &'static str,
    /// `(name in the embedded set, path on disk)`.
    files: Vec<(String, PathBuf)>,
    native_libs: String,
}

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
    println!("cargo:rerun-if-env-changed=KILN_RUNTIME_TARGETS");
    println!("cargo:rerun-if-env-changed=KILN_CLANG");
    println!("cargo:rerun-if-env-changed=KILN_LLVM_AR");
    println!("cargo:rerun-if-env-changed=KILN_PREBUILT_STD");

    let host = env_or_die("TARGET");
    let sysroot = rust_sysroot();
    let std_src = std_source(&sysroot);
    // Runtimes on a std built from source live apart from ones on the
    // prebuilt std: cargo would otherwise keep artifacts (and cached target
    // cfgs, see `build_runtime`) of the other kind.
    let runtime_dir = match std_src {
        StdSource::Source => runtime_target_dir(&out_dir).join("std-from-source"),
        StdSource::Prebuilt => runtime_target_dir(&out_dir),
    };
    let mut runtimes = Vec::new();
    let triples = targets(&host, &sysroot, std_src);
    let prebuilt = env::var_os("KILN_RUNTIME_ARCHIVE").map(|path| {
        let libs = env::var("KILN_RUNTIME_NATIVE_LIBS")
            .unwrap_or_else(|_| DEFAULT_NATIVE_LIBS.to_string());
        (PathBuf::from(path), libs)
    });
    let to_build: Vec<&str> = triples
        .iter()
        .map(String::as_str)
        .filter(|t| prebuilt.is_none() || *t != host)
        .collect();
    let mut built = if to_build.is_empty() {
        Vec::new()
    } else {
        build_runtimes(
            &manifest_dir,
            &out_dir,
            &runtime_dir,
            &to_build,
            &c_toolchain(),
            &std_src,
        )
    }
    .into_iter();
    for triple in triples.iter().cloned() {
        let (archive, native_libs) = match &prebuilt {
            Some(p) if triple == host => p.clone(),
            _ => built
                .next()
                .unwrap_or_else(|| die("a runtime build went missing")),
        };
        let mut files = vec![(ARCHIVE_NAME.to_string(), archive)];
        let mut libc = "";
        let mut native_libs = native_libs;
        let self_contained = sysroot
            .join("lib/rustlib")
            .join(&triple)
            .join("lib/self-contained");
        if WINDOWS_TARGETS.iter().any(|(t, _)| *t == triple) {
            let Some(eh) = mingw_libgcc_eh(&triple) else {
                die(&format!(
                    "the {triple} runtime needs MinGW-w64's libgcc (Debian's gcc-mingw-w64-x86-64)"
                ));
            };
            files.push(("libgcc_eh.a".to_string(), eh));
            native_libs = "-lgcc_eh".to_string();
            libc = "mingw";
        } else if triple.ends_with("-linux-musl") && self_contained.join("libc.a").is_file() {
            for name in MUSL_FILES {
                files.push((name.to_string(), self_contained.join(name)));
            }
            libc = "musl";
        } else if let Some((musl_dir, gcc_dir)) = debian_musl_dirs(&triple) {
            for name in DEBIAN_MUSL_FILES {
                files.push((name.to_string(), musl_dir.join(name)));
            }
            for name in DEBIAN_MUSL_GCC_FILES {
                files.push((name.to_string(), gcc_dir.join(name)));
            }
            native_libs = DEBIAN_MUSL_NATIVE_LIBS.to_string();
            libc = "musl";
        } else if let Some((lib_dir, gcc_dir)) = static_glibc_dirs(&triple)
            // Static glibc only stands in for a missing musl runtime; with
            // one, the `-gnu` runtime links dynamically (`--sysroot`).
            && !triples.contains(&musl_triple(&triple))
        {
            for name in GLIBC_FILES {
                files.push((name.to_string(), lib_dir.join(name)));
            }
            for name in LIBGCC_FILES {
                files.push((name.to_string(), gcc_dir.join(name)));
            }
            libc = "glibc";
        }
        runtimes.push(Runtime {
            triple,
            libc,
            files,
            native_libs,
        });
    }
    embed(&out_dir, &runtimes);
}

/// The `-linux-musl` triple of `triple`'s architecture.
fn musl_triple(triple: &str) -> String {
    format!(
        "{}-unknown-linux-musl",
        triple.split('-').next().unwrap_or_default()
    )
}

/// For a [`STATIC_GLIBC_TARGETS`] triple whose Debian cross packages are
/// installed: their glibc and libgcc directories.
fn static_glibc_dirs(triple: &str) -> Option<(PathBuf, PathBuf)> {
    let (_, gnu) = STATIC_GLIBC_TARGETS.iter().find(|(t, _)| *t == triple)?;
    let lib_dir = Path::new("/usr").join(gnu).join("lib");
    println!(
        "cargo:rerun-if-changed={}",
        lib_dir.join("libc.a").display()
    );
    let gcc_dir = gcc_cross_dir(gnu)?;
    lib_dir
        .join("libc.a")
        .is_file()
        .then_some((lib_dir, gcc_dir))
}

/// For a [`DEBIAN_MUSL_TARGETS`] triple whose files are installed: the
/// musl and libgcc directories.
fn debian_musl_dirs(triple: &str) -> Option<(PathBuf, PathBuf)> {
    let (_, arch, gnu) = DEBIAN_MUSL_TARGETS.iter().find(|(t, ..)| *t == triple)?;
    let musl_dir = Path::new("/usr/lib").join(format!("{arch}-linux-musl"));
    println!(
        "cargo:rerun-if-changed={}",
        musl_dir.join("libc.a").display()
    );
    let gcc_dir = gcc_cross_dir(gnu)?;
    DEBIAN_MUSL_FILES
        .iter()
        .all(|f| musl_dir.join(f).is_file())
        .then_some((musl_dir, gcc_dir))
}

/// The newest version directory of `/usr/lib/gcc-cross/<gnu>` that holds
/// libgcc (Debian's `libgcc-<N>-dev-<arch>-cross`).
fn gcc_cross_dir(gnu: &str) -> Option<PathBuf> {
    let gcc_root = Path::new("/usr/lib/gcc-cross").join(gnu);
    println!("cargo:rerun-if-changed={}", gcc_root.display());
    std::fs::read_dir(&gcc_root)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("libgcc.a").is_file() && p.join("crtbeginS.o").is_file())
        .max_by_key(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.split('.').next())
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0)
        })
}

/// The triples to build runtimes for, `host` first.
fn targets(host: &str, sysroot: &Path, std_src: StdSource) -> Vec<String> {
    let mut list = vec![host.to_string()];
    let extra: Vec<String> = match env::var("KILN_RUNTIME_TARGETS") {
        Ok(v) if v.trim() == "none" => Vec::new(),
        Ok(v) => v
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        Err(_) => {
            let mut list: Vec<String> = STATIC_TARGETS
                .iter()
                .filter(|t| {
                    let rustup_std = sysroot.join("lib/rustlib").join(t).join("lib").is_dir();
                    if let Some((_, arch, gnu)) = DEBIAN_MUSL_TARGETS.iter().find(|(d, ..)| d == *t)
                    {
                        let ok = rustup_std
                            || (std_src == StdSource::Source && debian_musl_dirs(t).is_some());
                        if !ok {
                            let gcc = gnu.split('-').next().unwrap_or_default();
                            println!(
                                "cargo:warning=no Kiln runtime for {t}: it needs the `rust-src` \
                                 component, musl in /usr/lib/{arch}-linux-musl \
                                 (`scripts/install-cross-musl`) and Debian's \
                                 libgcc-12-dev-{gcc}-cross"
                            );
                        }
                        return ok;
                    }
                    if !rustup_std {
                        println!(
                            "cargo:warning=no Kiln runtime for {t}: its Rust standard library is \
                             missing (`rustup target add {t}`, then rebuild)"
                        );
                    }
                    rustup_std
                })
                .map(|t| t.to_string())
                .collect();
            // A static glibc target stands in for its musl triple only
            // when that one is missing.
            for (t, gnu) in STATIC_GLIBC_TARGETS {
                let arch = t.split('-').next().unwrap_or_default();
                if list.iter().any(|m| m.starts_with(&format!("{arch}-"))) {
                    continue;
                }
                let std = sysroot.join("lib/rustlib").join(t).join("lib").is_dir();
                if std && static_glibc_dirs(t).is_some() {
                    list.push(t.to_string());
                } else {
                    println!(
                        "cargo:warning=no Kiln runtime for {t} either: it needs `rustup target \
                         add {t}` and Debian's libc6-dev-{}-cross and libgcc-12-dev-{}-cross",
                        gnu.split('-').next().unwrap_or_default(),
                        gnu.split('-').next().unwrap_or_default()
                    );
                }
            }
            for (t, gnu) in WINDOWS_TARGETS {
                let std = sysroot.join("lib/rustlib").join(t).join("lib").is_dir();
                if std && mingw_libgcc_eh(t).is_some() {
                    list.push(t.to_string());
                } else {
                    println!(
                        "cargo:warning=no Kiln runtime for {t}: it needs `rustup target add {t}` \
                         and Debian's gcc-mingw-w64-x86-64 (for /usr/lib/gcc/{gnu})"
                    );
                }
            }
            for (t, gnu) in DYNAMIC_GNU_TARGETS {
                if *t == host || list.iter().any(|m| m == t) {
                    continue;
                }
                let std = sysroot.join("lib/rustlib").join(t).join("lib").is_dir();
                let headers = Path::new("/usr").join(gnu).join("include").is_dir()
                    && Path::new("/usr/lib/gcc-cross").join(gnu).is_dir();
                println!("cargo:rerun-if-changed=/usr/lib/gcc-cross/{gnu}");
                if std && headers {
                    list.push(t.to_string());
                } else {
                    let arch = gnu.split('-').next().unwrap_or_default();
                    let arch = if arch == "aarch64" { "arm64" } else { arch };
                    println!(
                        "cargo:warning=no Kiln runtime for {t} (dynamic glibc with --sysroot): \
                         it needs `rustup target add {t}` and Debian's libc6-dev-{arch}-cross \
                         and libgcc-12-dev-{arch}-cross"
                    );
                }
            }
            list
        }
    };
    for t in extra {
        if !list.contains(&t) {
            list.push(t);
        }
    }
    list
}

/// `rustc --print sysroot` of the toolchain building this crate.
fn rust_sysroot() -> PathBuf {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .unwrap_or_else(|e| die(&format!("cannot run rustc --print sysroot: {e}")));
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// `target/kiln-runtime` of the outer build (the ancestor of `OUT_DIR`
/// that cargo tagged with `CACHEDIR.TAG`), else `OUT_DIR/runtime-target`.
fn runtime_target_dir(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map_or_else(
            || out_dir.join("runtime-target"),
            |dir| dir.join("kiln-runtime"),
        )
}

/// Deflates every runtime's files into `OUT_DIR/embed` (only those whose
/// source changed) and writes `runtimes.rs` and `KILN_RUNTIME_HASH`.
fn embed(out_dir: &Path, runtimes: &[Runtime]) {
    let mut table = String::from(
        "// Generated by build.rs: the runtimes embedded in `kiln`.\n\
         pub static RUNTIMES: &[EmbeddedRuntime] = &[\n",
    );
    let mut all = Fnv::default();
    for rt in runtimes {
        let dir = out_dir.join("embed").join(&rt.triple);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| die(&format!("cannot create {}: {e}", dir.display())));
        let mut hash = Fnv::default();
        let libs: Vec<&str> = rt.native_libs.split_whitespace().collect();
        for lib in &libs {
            hash.field(lib.as_bytes());
        }
        let _ = writeln!(
            table,
            "    EmbeddedRuntime {{\n        triple: {:?},\n        libc: {:?},\n        native_libs: &{libs:?},\n        files: &[",
            rt.triple, rt.libc
        );
        hash.field(rt.libc.as_bytes());
        for (name, path) in &rt.files {
            let bytes = std::fs::read(path)
                .unwrap_or_else(|e| die(&format!("cannot read {}: {e}", path.display())));
            hash.field(name.as_bytes());
            hash.field(&bytes);
            let deflated = dir.join(format!("{name}.deflate"));
            deflate_if_changed(&bytes, &deflated);
            let _ = writeln!(
                table,
                "            EmbeddedFile {{ name: {name:?}, len: {}, deflated: include_bytes!({:?}) }},",
                bytes.len(),
                deflated.display().to_string()
            );
        }
        let h = hash.finish();
        all.field(&h.to_le_bytes());
        let _ = writeln!(table, "        ],\n        hash: \"{h:016x}\",\n    }},");
    }
    table.push_str("];\n");
    write_if_changed(&out_dir.join("runtimes.rs"), table.as_bytes());
    println!("cargo:rustc-env=KILN_RUNTIME_HASH={:016x}", all.finish());
}

/// Writes `bytes` deflated to `path`, unless `path` already holds them
/// (its `.src` sidecar records the FNV-1a of the source).
fn deflate_if_changed(bytes: &[u8], path: &Path) {
    let mut h = Fnv::default();
    h.field(bytes);
    let stamp = format!("{:016x}", h.finish());
    let sidecar = path.with_extension("src");
    if path.is_file() && std::fs::read_to_string(&sidecar).is_ok_and(|s| s == stamp) {
        return;
    }
    let deflated = miniz_oxide::deflate::compress_to_vec(bytes, DEFLATE_LEVEL);
    write_if_changed(path, &deflated);
    write_if_changed(&sidecar, stamp.as_bytes());
}

/// The C compiler and archiver of the runtime's C parts (ring):
/// `(clang, llvm-ar)`.
struct CTools {
    clang: PathBuf,
    ar: PathBuf,
}

/// Finds clang and its `llvm-ar` (see the module comment), or stops the
/// build saying what to install.
fn c_toolchain() -> CTools {
    let missing = |what: &str, var: &str| -> ! {
        die(&format!(
            "no {what} found: Kiln's runtime includes ring (the cryptography of rustls, for \
             wasi:http's https), whose C and assembly parts clang cross-compiles for every \
             runtime target. Install clang and LLVM's tools (Debian: `apt-get install clang \
             llvm`), or set {var} to the program's path"
        ))
    };
    let clang = match env::var_os("KILN_CLANG").filter(|v| !v.is_empty()) {
        Some(v) => find_program(Path::new(&v)).unwrap_or_else(|| missing("clang", "KILN_CLANG")),
        None => find_program(Path::new("clang"))
            .or_else(|| newest_versioned("clang"))
            .unwrap_or_else(|| missing("clang", "KILN_CLANG")),
    };
    let ar = match env::var_os("KILN_LLVM_AR").filter(|v| !v.is_empty()) {
        Some(v) => find_program(Path::new(&v)),
        // The `llvm-ar` of clang's own LLVM first (`clang` is often a
        // link into `/usr/lib/llvm-<N>/bin`).
        None => std::fs::canonicalize(&clang)
            .ok()
            .and_then(|real| real.parent().map(|d| d.join("llvm-ar")))
            .filter(|p| p.is_file())
            .or_else(|| find_program(Path::new("llvm-ar")))
            .or_else(|| newest_versioned("llvm-ar")),
    }
    .unwrap_or_else(|| missing("llvm-ar", "KILN_LLVM_AR"));
    CTools { clang, ar }
}

/// Resolves a program name against `PATH` (or checks an explicit path).
fn find_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_path_buf());
    }
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The `<name>-<N>` on `PATH` with the highest `N` (Debian installs
/// `clang-14`, `llvm-ar-14` and leaves the plain names to other packages).
fn newest_versioned(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    let prefix = format!("{name}-");
    env::split_paths(&path)
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flat_map(|entries| entries.flatten())
        .filter_map(|e| {
            let file = e.file_name();
            let version: u32 = file.to_str()?.strip_prefix(&prefix)?.parse().ok()?;
            Some((version, e.path()))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, path)| path)
}

/// clang's `--target` for a Rust triple: `<arch>-linux-<musl|gnu>`
/// (`riscv64gc` is LLVM's `riscv64`), or MinGW's `<arch>-w64-windows-gnu`.
fn clang_target(target: &str) -> String {
    if target.contains("-windows") {
        // COFF objects for MinGW's ABI.
        return target.replace("-pc-", "-w64-");
    }
    let arch = target.split('-').next().unwrap_or_default();
    let arch = if arch.starts_with("riscv64") {
        "riscv64"
    } else {
        arch
    };
    let env = if target.ends_with("-musl") {
        "musl"
    } else {
        "gnu"
    };
    format!("{arch}-linux-{env}")
}

/// How the runtime's standard library is built: from source without its
/// backtrace symbolizer, or rustup's prebuilt one.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum StdSource {
    /// `rust-src` is installed: build std with the runtime.
    Source,
    /// Use the prebuilt std (outputs ~230 KB larger).
    Prebuilt,
}

/// Whether the toolchain's `rust-src` component is installed (warns if
/// not, saying how to get it).
///
/// Why build std at all: std's default panic hook keeps its backtrace
/// symbolizer (gimli, addr2line, miniz_oxide, the demangler: ~230 KB of
/// every executable) reachable, although Kiln's runtime aborts on panic
/// and prints wasm backtraces from its own tables. The prebuilt std always
/// has it; std built from source with its `backtrace` feature off does
/// not. Cargo's `-Zbuild-std` does that with the same rustc that builds
/// everything else; on a stable toolchain it needs `RUSTC_BOOTSTRAP=1`,
/// which is set for the nested runtime build only.
fn std_source(sysroot: &Path) -> StdSource {
    let manifest = sysroot.join("lib/rustlib/src/rust/library/std/Cargo.toml");
    println!("cargo:rerun-if-changed={}", manifest.display());
    if env::var("KILN_PREBUILT_STD").is_ok_and(|v| v == "1") {
        return StdSource::Prebuilt;
    }
    if manifest.is_file() {
        StdSource::Source
    } else {
        println!(
            "cargo:warning=the runtime uses the prebuilt Rust standard library, so every \
             executable Kiln makes carries ~230 KB of std's backtrace printer: install the \
             `rust-src` component (`rustup component add rust-src`) and rebuild"
        );
        StdSource::Prebuilt
    }
}

/// How many nested cargo builds run at once. A runtime's build is serial
/// for long stretches (core, then alloc, then std; the fat LTO of the
/// archive, ~50 s on one core), so two builds side by side keep the cores
/// busy: on 2 cores the eight runtimes took ~1,030 s one after another and
/// ~610 s two at a time (each build's own host tools, `cc` and the build
/// scripts, cost a few seconds more).
const RUNTIME_BUILDS_AT_ONCE: usize = 2;

/// Builds the runtime for every one of `targets`, [`RUNTIME_BUILDS_AT_ONCE`]
/// at a time; returns each one's archive and native libraries, in the
/// order of `targets`. Each target has a cargo target directory of its own
/// under `target_dir`: cargo locks a target directory for a whole build,
/// so builds sharing one would wait for each other.
fn build_runtimes(
    manifest_dir: &Path,
    out_dir: &Path,
    target_dir: &Path,
    targets: &[&str],
    tools: &CTools,
    std_src: &StdSource,
) -> Vec<(PathBuf, String)> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(vec![None; targets.len()]);
    std::thread::scope(|scope| {
        for _ in 0..RUNTIME_BUILDS_AT_ONCE.min(targets.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(target) = targets.get(i) else { break };
                    let dir = target_dir.join(target);
                    let built = build_runtime(manifest_dir, out_dir, &dir, target, tools, std_src);
                    if built.is_err() {
                        // Start no other build; the one running ends first.
                        next.store(targets.len(), std::sync::atomic::Ordering::Relaxed);
                    }
                    let mut results = results.lock().unwrap_or_else(|e| e.into_inner());
                    results[i] = Some(built);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    // A slot is empty only when a failed build stopped the queue.
    if let Some(message) = results.iter().flatten().find_map(|r| r.as_ref().err()) {
        die(message);
    }
    results.into_iter().flatten().flatten().collect()
}

/// Runs the nested cargo for `target` in `target_dir`; returns the
/// archive path and the native libraries.
fn build_runtime(
    manifest_dir: &Path,
    out_dir: &Path,
    target_dir: &Path,
    target: &str,
    tools: &CTools,
    std_src: &StdSource,
) -> Result<(PathBuf, String), String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(manifest_dir)
        .arg("rustc")
        .arg("--manifest-path")
        .arg(manifest_dir.join("Cargo.toml"))
        .args(["-p", "kiln-runtime", "--lib", "--profile", "runtime"])
        .args(["--target", target])
        .arg("--target-dir")
        .arg(target_dir)
        .args(["--crate-type", "staticlib", "--color", "never"]);
    if WINDOWS_TARGETS.iter().any(|(t, _)| *t == target) {
        // The one-process server (see `WINDOWS_TARGETS`).
        cmd.args(["--no-default-features", "--features", "serve"]);
    }
    if env::var("CARGO_NET_OFFLINE").is_ok_and(|v| v == "true" || v == "1") {
        cmd.arg("--offline");
    }
    // NB: the workspace's Cargo.lock is already resolved by the outer cargo;
    // the nested build must never rewrite it.
    cmd.arg("--locked");
    if let Ok(jobs) = env::var("NUM_JOBS") {
        cmd.args(["-j", &jobs]);
    }
    if *std_src == StdSource::Source {
        // std and core from source (see `std_source`): `panic_abort` is
        // the runtime's strategy, and no std feature is on (`backtrace`
        // is the point; `panic-unwind` is unused under `panic = "abort"`).
        // NB: cargo caches what rustc prints of the target in the target
        // directory without keying it on `RUSTC_BOOTSTRAP`, which turns on
        // cfgs std's own crates depend on (`target_has_reliable_f128`:
        // without it compiler_builtins lacks the `long double` routines
        // musl's printf needs on aarch64); a cache filled by an earlier
        // build without it would be stale, so the nested cargo keeps none.
        cmd.args(["-Zbuild-std=std,panic_abort", "-Zbuild-std-features="])
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_CACHE_RUSTC_INFO", "0");
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
    // every runtime frame must keep one. s390x has no frame record: the
    // walk follows the back chain, which LLVM stores only when asked.
    let mut flags = String::from("-Cforce-frame-pointers=yes");
    // The runtime only ever goes into executables (its archive defines
    // `main`): code for a position-independent executable reaches its own
    // symbols and thread-locals directly, where a library's reaches them
    // through the GOT (static-pie start-up relocated 74 GOT entries, and
    // every allocation paid a general-dynamic thread-local access).
    let elf = !target.contains("-windows");
    if elf {
        flags.push_str("\x1f-Crelocation-model=pie");
    }
    if *std_src == StdSource::Source {
        // No file names or lines in panic locations (of the runtime and of
        // std, built alike): each location is a static holding a pointer
        // to its file name, so ~150 relative relocations that every start
        // applied (a Rust hello world: 367 instead of 513, 760 fewer
        // instructions at start-up, 9 KB less). A runtime panic is a Kiln
        // bug; its message still says which (`guard::install_panic_hook`).
        // Needs the RUSTC_BOOTSTRAP of the std build above.
        flags.push_str("\x1f-Zlocation-detail=none");
        // Calls into the C library go through the GOT (Rust's default
        // without a PLT); marked relaxable, lld turns them into direct
        // calls in a static link and drops their GOT entries (a Rust hello
        // world: 940 fewer instructions at start-up with the line above).
        if target.starts_with("x86_64-") && elf {
            flags.push_str("\x1f-Zrelax-elf-relocations=yes");
        }
        if !elf {
            // Rust's Windows targets put a codegen unit's functions in one
            // section, so the linker keeps the whole (fat-LTO) runtime for
            // any function of it: a hello world was 3.9 MB instead of ~1.
            flags.push_str("\x1f-Zfunction-sections=yes");
        }
    }
    if target.starts_with("s390x-") {
        flags.push_str("\x1f-Ctarget-feature=+backchain");
    }
    if target == "s390x-unknown-linux-musl" {
        // rustix's libc backend does not build for s390x musl (its
        // `statfs` word type disagrees with the libc crate's); its raw
        // system call backend does, behind this cfg (it needs the nightly
        // `asm_experimental_arch`, which RUSTC_BOOTSTRAP allows here).
        flags.push_str("\x1f--cfg\x1frustix_use_experimental_asm");
    }
    cmd.env("CARGO_ENCODED_RUSTFLAGS", flags);
    // ring's C parts (see the module comment); a caller's own choice for
    // this target wins.
    let key = target.replace('-', "_");
    let cflags = format!("--target={} -ffreestanding", clang_target(target));
    for (prefix, value) in [
        ("CC", tools.clang.as_os_str()),
        ("AR", tools.ar.as_os_str()),
        ("CFLAGS", std::ffi::OsStr::new(&cflags)),
    ] {
        // `cc` reads both spellings of the triple.
        let (var, dashed) = (format!("{prefix}_{key}"), format!("{prefix}_{target}"));
        println!("cargo:rerun-if-env-changed={var}");
        println!("cargo:rerun-if-env-changed={dashed}");
        if env::var_os(&var).is_none() && env::var_os(&dashed).is_none() {
            cmd.env(&var, value);
        }
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run cargo for the runtime: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprintln!("{stderr}");
        return Err(format!(
            "building the runtime library (kiln-runtime) for {target} failed ({}); its output \
             is above",
            out.status
        ));
    }
    let libs_file = out_dir.join(format!("native-libs-{target}.last"));
    let libs = match parse_native_libs(&stderr) {
        Some(libs) => {
            write_if_changed(&libs_file, libs.as_bytes());
            libs
        }
        // Cargo replays rustc's notes on fresh builds, but keep the last
        // seen list in case a cargo version does not.
        None => std::fs::read_to_string(&libs_file).unwrap_or_else(|_| {
            if target.ends_with("-musl") {
                MUSL_NATIVE_LIBS.to_string()
            } else {
                DEFAULT_NATIVE_LIBS.to_string()
            }
        }),
    };
    let archive = target_dir
        .join(target)
        .join("runtime")
        .join("libkiln_runtime.a");
    Ok((archive, libs))
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

/// 64-bit FNV-1a over length-prefixed fields: a cheap content hash for
/// cache keys (not adversarial).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn field(&mut self, bytes: &[u8]) {
        for b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn env_or_die(name: &str) -> String {
    env::var(name).unwrap_or_else(|_| die(&format!("{name} is not set")))
}

fn die(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
