//! Windows executables (`x86_64-pc-windows-gnu`): which triples, and
//! lld's arguments in MinGW mode.
//!
//! Inputs: a [`LinkRequest`] whose runtime directory holds MinGW-w64's
//! `libgcc_eh.a`. Output: the argument list. The runtime archive brings
//! its own entry point, TLS directory and DLL import stubs (see
//! `docs/targets.md`, "Windows"), so no start file or import library goes
//! into the link.

use super::LinkRequest;
use std::ffi::OsString;
use std::path::Path;

/// The Windows triples [`super::link`] accepts.
pub const WINDOWS_TARGETS: &[&str] = &["x86_64-pc-windows-gnu"];

/// Whether `target` is a Windows triple.
pub fn is_windows(target: &str) -> bool {
    target.contains("-windows")
}

/// Arguments for lld (without the program and `-flavor`) for a Windows
/// executable: lld's MinGW mode (`-m i386pep`: a console program, ASLR
/// with high-entropy addresses, DEP), the runtime's own entry point
/// ([`LinkRequest::entry`]: it has no C runtime start files),
/// and libgcc's unwinder from `libc_dir` as the runtime's native library.
/// The main thread's stack is reserved at 8 MiB, as Linux's default limit,
/// so that the runtime's host calls have the same room on both.
pub fn windows_lld_args(request: &LinkRequest, libc_dir: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "-m",
        "i386pep",
        "--stack=8388608",
        "--gc-sections",
        "--icf=all",
        super::strip_arg(request),
    ]
    .iter()
    .map(OsString::from)
    .collect();
    if let Some(entry) = &request.entry {
        args.extend(["-e".into(), entry.into()]);
    }
    args.push("-o".into());
    args.push(request.output.clone().into_os_string());
    args.extend(request.objects.iter().map(|o| o.clone().into_os_string()));
    args.push(request.runtime_archive.clone().into_os_string());
    let mut lib_dir = OsString::from("-L");
    lib_dir.push(libc_dir);
    args.push(lib_dir);
    args.extend(request.native_libs.iter().map(OsString::from));
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_triples_link_as_windows() {
        for t in WINDOWS_TARGETS {
            assert!(is_windows(t));
            assert_eq!(
                super::super::check_target(t).unwrap(),
                super::super::LinkKind::Windows
            );
            assert_eq!(super::super::static_triple(t), *t);
            assert!(super::super::supported_targets().contains(&t.to_string()));
        }
        assert!(!is_windows("x86_64-unknown-linux-musl"));
    }

    #[test]
    fn mingw_mode_with_the_runtimes_entry_and_unwinder() {
        let r = LinkRequest {
            objects: vec!["a.o".into()],
            runtime_archive: "librt.a".into(),
            native_libs: vec!["-lgcc_eh".into()],
            output: "app.exe".into(),
            target: "x86_64-pc-windows-gnu".into(),
            strip: true,
            libc_dir: Some("/rt".into()),
            sysroot: None,
            entry: Some("__kiln_start".into()),
        };
        let args: Vec<String> = windows_lld_args(&r, Path::new("/rt"))
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(&args[..2], ["-m", "i386pep"]);
        assert!(args.contains(&"--strip-all".to_string()), "{args:?}");
        let e = args.iter().position(|a| a == "-e").unwrap();
        assert_eq!(args[e + 1], "__kiln_start");
        assert_eq!(
            &args[args.len() - 4..],
            ["a.o", "librt.a", "-L/rt", "-lgcc_eh"]
        );
    }
}
