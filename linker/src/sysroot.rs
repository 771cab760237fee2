//! Dynamic glibc executables for another machine, linked against that
//! machine's C library as a sysroot holds it.
//!
//! Phase: the link, for `kiln build --dynamic --sysroot DIR`. Inputs: the
//! [`LinkRequest`] and the sysroot (a copy of the target's root file system
//! or its development files: Debian's `/usr/<arch>-linux-gnu` of
//! `libc6-dev-<arch>-cross`, a device's `/`, an SDK's sysroot). Output: lld
//! arguments for a dynamic executable (a PIE but on s390x) whose
//! interpreter is the target's glibc loader, or a [`LinkError::Sysroot`]
//! naming the file not found.
//!
//! The libraries are named by their run-time files (`libc.so.6`,
//! `libgcc_s.so.1`, ...), not through `-l` and the development symlinks or
//! linker scripts: a sysroot copied from a device has no `libgcc_s.so`, and
//! `libc.so` scripts name absolute paths that are right only where the
//! script was installed. GCC's `crtbeginS.o`/`crtendS.o` are not needed
//! (glibc runs the init arrays; the unwinder uses `.eh_frame_hdr`) except
//! for `__dso_handle`, the image's identity for `__cxa_thread_atexit_impl`,
//! which the link defines as the image's ELF header.

use super::{LinkError, LinkRequest, arch_of, static_output_args};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The glibc program interpreter of each architecture.
pub fn interpreter(target: &str) -> Option<&'static str> {
    Some(match arch_of(target) {
        "x86_64" => "/lib64/ld-linux-x86-64.so.2",
        "aarch64" => "/lib/ld-linux-aarch64.so.1",
        "riscv64gc" => "/lib/ld-linux-riscv64-lp64d.so.1",
        "s390x" => "/lib/ld64.so.1",
        _ => return None,
    })
}

/// Debian's multiarch directory name of each architecture.
fn multiarch(target: &str) -> &'static str {
    match arch_of(target) {
        "x86_64" => "x86_64-linux-gnu",
        "aarch64" => "aarch64-linux-gnu",
        "riscv64gc" => "riscv64-linux-gnu",
        "s390x" => "s390x-linux-gnu",
        _ => "",
    }
}

/// The directories of `sysroot` that may hold the target's libraries and
/// start files, most specific first.
fn lib_dirs(sysroot: &Path, target: &str) -> Vec<PathBuf> {
    let m = multiarch(target);
    [
        format!("usr/lib/{m}"),
        format!("lib/{m}"),
        "usr/lib64".into(),
        "lib64".into(),
        "usr/lib".into(),
        "lib".into(),
    ]
    .iter()
    .map(|d| sysroot.join(d))
    .filter(|d| d.is_dir())
    .collect()
}

/// The first file called `name` in `dirs`.
fn find(dirs: &[PathBuf], name: &str) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The run-time file of library `lib` (`c` -> `libc.so.6`): the
/// `lib<lib>.so.<N>` with the smallest `N` in the first directory having
/// one.
fn shared_library(dirs: &[PathBuf], lib: &str) -> Option<PathBuf> {
    let prefix = format!("lib{lib}.so.");
    for d in dirs {
        let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let version = name.strip_prefix(&prefix)?.parse::<u32>().ok()?;
                Some((version, e.path()))
            })
            .collect();
        found.sort();
        if let Some((_, p)) = found.into_iter().next() {
            return Some(p);
        }
    }
    None
}

/// lld arguments (without the program and `-flavor`) for a dynamic PIE of
/// `request.target` against the glibc of `sysroot`.
pub fn sysroot_lld_args(request: &LinkRequest, sysroot: &Path) -> Result<Vec<OsString>, LinkError> {
    let missing = |what: &str| LinkError::Sysroot {
        sysroot: sysroot.display().to_string(),
        what: what.to_string(),
    };
    let interp = interpreter(&request.target).ok_or_else(|| LinkError::UnsupportedTarget {
        target: request.target.clone(),
    })?;
    let dirs = lib_dirs(sysroot, &request.target);
    let file = |name: &str| find(&dirs, name).ok_or_else(|| missing(name));
    // Cranelift's s390x backend loads symbol addresses as absolute 64-bit
    // literals (`R_390_64` in code), which a PIE cannot take: s390x links
    // at a fixed address, as its static glibc link does.
    let pie = if arch_of(&request.target) == "s390x" {
        "-no-pie"
    } else {
        "-pie"
    };
    let mut args: Vec<OsString> = [pie, "-z", "relro", "-z", "now", "--dynamic-linker", interp]
        .iter()
        .map(OsString::from)
        .collect();
    args.extend(static_output_args(request));
    args.push(file("Scrt1.o")?.into_os_string());
    args.push(file("crti.o")?.into_os_string());
    args.extend(request.objects.iter().map(|o| o.clone().into_os_string()));
    args.push(request.runtime_archive.clone().into_os_string());
    args.push("--as-needed".into());
    for lib in &request.native_libs {
        let Some(name) = lib.strip_prefix("-l") else {
            args.push(lib.into());
            continue;
        };
        let so = shared_library(&dirs, name).ok_or_else(|| missing(&format!("lib{name}.so.*")))?;
        args.push(so.into_os_string());
        if name == "c"
            && let Some(nonshared) = find(&dirs, "libc_nonshared.a")
        {
            args.push(nonshared.into_os_string());
        }
    }
    // Symbols glibc keeps in its loader (`_dl_find_object`, ...).
    let loader = Path::new(interp)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if let Some(ld) = find(&dirs, loader) {
        args.push(ld.into_os_string());
    }
    args.push("--no-as-needed".into());
    args.push("--defsym=__dso_handle=__ehdr_start".into());
    args.push(file("crtn.o")?.into_os_string());
    Ok(args)
}
