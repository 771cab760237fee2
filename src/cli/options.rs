//! The WASI options `kiln build`, `kiln run` and `kiln serve` share, spelled as
//! `wasmtime run` spells them: `--dir HOST[::GUEST]`, `--env NAME[=VAL]`,
//! `-S KEY[=y|n][,KEY...]`, `--invoke NAME`.
//!
//! Parsing happens in clap value parsers, so a malformed value is a usage
//! error (exit 2) with clap's message.

use clap::Args;
use kiln_abi::grants::{
    GRANT_FLAG_INHERIT_ENV, GRANT_FLAG_INHERIT_NETWORK, GRANT_FLAG_IP_NAME_LOOKUP, GRANT_FLAG_TCP,
    GRANT_FLAG_UDP,
};

/// A preopened directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirSpec {
    /// Host path.
    pub host: String,
    /// Path the guest sees.
    pub guest: String,
}

/// An environment variable for the guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvSpec {
    /// Name.
    pub name: String,
    /// Value; `None` = take the host's value at start-up.
    pub value: Option<String>,
}

/// One `-S key[=value]` setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WasiSetting {
    /// `GRANT_FLAG_*` bit it controls (0 for accepted no-op keys).
    pub flag: u32,
    /// Whether it is turned on.
    pub on: bool,
    /// Whether this is `http` (no grant bit: checked by the CLI).
    pub http: bool,
}

/// The shared WASI options.
#[derive(Debug, Args, Clone, Default)]
pub struct WasiOptions {
    /// Grant access to a host directory: `HOST_DIR[::GUEST_DIR]` (the guest
    /// path defaults to the host path as given).
    #[arg(long = "dir", value_name = "HOST_DIR[::GUEST_DIR]", value_parser = parse_dir)]
    pub dirs: Vec<DirSpec>,

    /// Pass an environment variable to the guest: `NAME=VAL`, or `NAME` to
    /// pass the host's value.
    #[arg(long = "env", value_name = "NAME[=VAL]", value_parser = parse_env)]
    pub envs: Vec<EnvSpec>,

    /// WASI settings as in wasmtime: `inherit-env`, `inherit-network`, `tcp`,
    /// `udp`, `allow-ip-name-lookup`, `http` (`wasi:http` for components),
    /// each `=y` (default) or `=n` (`cli`, `common`, `preview2`,
    /// `cli-exit-with-code` and `p3` are accepted and always on);
    /// comma-separated lists are accepted.
    #[arg(short = 'S', value_name = "KEY[=VAL[,...]]", value_parser = parse_wasi_settings)]
    pub wasi: Vec<Vec<WasiSetting>>,

    /// Call this export instead of `_start`; its results are printed.
    #[arg(long, value_name = "FUNCTION")]
    pub invoke: Option<String>,
}

impl WasiOptions {
    /// The `GRANT_FLAG_*` bits: TCP and UDP on by default (as in wasmtime),
    /// everything else off, then each `-S` applied in order.
    pub fn flags(&self) -> u32 {
        let mut flags = GRANT_FLAG_TCP | GRANT_FLAG_UDP;
        for s in self.wasi.iter().flatten() {
            if s.on {
                flags |= s.flag;
            } else {
                flags &= !s.flag;
            }
        }
        flags
    }

    /// The `--dir` grants as (host, guest) byte strings, as a run
    /// configuration carries them.
    pub fn dir_bytes(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.dirs
            .iter()
            .map(|d| (d.host.as_bytes().to_vec(), d.guest.as_bytes().to_vec()))
            .collect()
    }

    /// The `--env` grants as (name, value) byte strings (`None`: inherit).
    pub fn env_bytes(&self) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        self.envs
            .iter()
            .map(|e| {
                (
                    e.name.as_bytes().to_vec(),
                    e.value.as_ref().map(|v| v.as_bytes().to_vec()),
                )
            })
            .collect()
    }

    /// Refuses `-S http` for a core module, and a component importing
    /// `wasi:http` without `-S http`, in Wasmtime's words (wasi:http exists
    /// only for components, and Wasmtime links it only when asked); the
    /// last `http` setting counts.
    pub fn check_http(&self, wasm: &[u8]) -> Result<(), String> {
        let http = self
            .wasi
            .iter()
            .flatten()
            .rev()
            .find(|s| s.http)
            .is_some_and(|s| s.on);
        if http && !kiln_compiler::is_component(wasm) {
            return Err("Cannot enable wasi-http for core wasm modules".to_string());
        }
        if !http && let Some(name) = kiln_compiler::component_http_import(wasm) {
            return Err(format!(
                "component imports instance `{name}`, but a matching implementation was not \
                 found in the linker (wasi:http needs `-S http`)"
            ));
        }
        Ok(())
    }

    /// [`WasiOptions::check_http`] for `kiln run`: on refusal, the whole
    /// report Wasmtime's `run` prints for the same command line (the
    /// module named as given, `module`), to print as is with exit status 1.
    pub fn check_http_run(&self, wasm: &[u8], module: &str) -> Result<(), String> {
        if self.check_http(wasm).is_ok() {
            return Ok(());
        }
        match kiln_compiler::component_http_import_detail(wasm) {
            Some((name, detail)) if kiln_compiler::is_component(wasm) => {
                let mut text = format!(
                    "Error: failed to run main module `{module}`\n\nCaused by:\n    0: \
                     component imports instance `{name}`, but a matching implementation \
                     was not found in the linker\n"
                );
                if let Some((export, kind)) = detail {
                    text.push_str(&format!(
                        "    1: instance export `{export}` has the wrong type\n    2: {kind} \
                         implementation is missing\n"
                    ));
                }
                text.push('\n');
                Err(text)
            }
            _ => Err("Error: Cannot enable wasi-http for core wasm modules\n".to_string()),
        }
    }

    /// The grants for the compiler (`program` = the input's file name).
    pub fn grants(&self, program: &str, extra_flags: u32) -> kiln_compiler::Grants {
        kiln_compiler::Grants {
            dirs: self
                .dirs
                .iter()
                .map(|d| (d.host.clone(), d.guest.clone()))
                .collect(),
            envs: self
                .envs
                .iter()
                .map(|e| (e.name.clone(), e.value.clone()))
                .collect(),
            flags: self.flags() | extra_flags,
            invoke: self.invoke.clone(),
            program: program.to_string(),
            limits: kiln_compiler::Limits::default(),
            serve_addr: None,
        }
    }
}

/// `HOST[::GUEST]`.
pub fn parse_dir(s: &str) -> Result<DirSpec, String> {
    // Wasmtime's reading, to the letter: the host path up to the first
    // `::`, the guest path up to the next one (anything after it is
    // ignored), either possibly empty (an empty host path fails to open at
    // start-up, as in Wasmtime; an empty guest name is a preopen named "").
    let mut parts = s.split("::");
    let host = parts.next().unwrap_or_default();
    let guest = parts.next().unwrap_or(host);
    Ok(DirSpec {
        host: host.to_string(),
        guest: guest.to_string(),
    })
}

/// `NAME[=VALUE]`.
pub fn parse_env(s: &str) -> Result<EnvSpec, String> {
    // As Wasmtime reads it: the name up to the first `=` (possibly empty).
    let (name, value) = match s.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (s, None),
    };
    Ok(EnvSpec {
        name: name.to_string(),
        value,
    })
}

/// Wasmtime 49's `-S` keys that Kiln does not implement: refused with a
/// message saying so (any other unknown key gets Wasmtime's own error).
const WASMTIME_ONLY: &[&str] = &[
    "nn",
    "threads",
    "http-outgoing-body-buffer-chunks",
    "http-outgoing-body-chunk-size",
    "config",
    "keyvalue",
    "listenfd",
    "tcplisten",
    "tls",
    "nn-graph",
    "network-error-code",
    "preview0",
    "inherit-stdin",
    "inherit-stdout",
    "inherit-stderr",
    "cwd",
    "config-var",
    "keyvalue-in-memory-data",
    "max-resources",
    "hostcall-fuel",
    "max-component-handles",
    "max-random-size",
    "max-http-fields-size",
];

/// A usage error of clap's: a `-S` or `-W` value that does not parse is
/// printed as Wasmtime prints it (`error: failed to parse -S / --wasi
/// option: <message>`, the message's own `Caused by:` chain, a blank
/// line; exit 2); any other is clap's own.
pub fn usage_error(e: clap::Error) -> ! {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(a)) => a.as_str(),
        _ => "",
    };
    let option = if arg.starts_with("-S ") {
        "-S / --wasi"
    } else if arg.starts_with("-W ") {
        "-W / --wasm"
    } else {
        ""
    };
    let cause = std::error::Error::source(&e).map(|c| c.to_string());
    match cause {
        Some(cause) if e.kind() == ErrorKind::ValueValidation && !option.is_empty() => {
            eprint!("error: failed to parse {option} option: {cause}\n\n");
            std::process::exit(2)
        }
        _ => e.exit(),
    }
}

/// `KEY[=VAL][,KEY[=VAL]...]`.
pub fn parse_wasi_settings(s: &str) -> Result<Vec<WasiSetting>, String> {
    // An empty part is an unknown option, as in Wasmtime.
    s.split(',')
        .map(|part| {
            let (key, value) = match part.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (part, None),
            };
            // The key is checked first, as in Wasmtime (`-S cwd=/` is about
            // `cwd`, not about `/` being no boolean).
            const KNOWN: &[&str] = &[
                "cli-exit-with-code",
                "common",
                "preview2",
                "inherit-env",
                "inherit-network",
                "tcp",
                "udp",
                "allow-ip-name-lookup",
                "cli",
                "p3",
                "http",
            ];
            if WASMTIME_ONLY.contains(&key) {
                return Err(format!(
                    "unsupported option: {key} (Kiln implements -S {})",
                    KNOWN.join(", ")
                ));
            }
            if !KNOWN.contains(&key) {
                return Err(format!("unknown option: {key}"));
            }
            let on = match value {
                None | Some("y" | "yes" | "true") => true,
                Some("n" | "no" | "false") => false,
                Some(v) => {
                    return Err(crate::cli::limits::caused(
                        &format!("failed to parse option `{part}`"),
                        &format!("unknown boolean flag `{v}`, only yes,no,<nothing> accepted"),
                    ));
                }
            };
            let flag = match key {
                "inherit-env" => GRANT_FLAG_INHERIT_ENV,
                "inherit-network" => GRANT_FLAG_INHERIT_NETWORK,
                "tcp" => GRANT_FLAG_TCP,
                "udp" => GRANT_FLAG_UDP,
                "allow-ip-name-lookup" => GRANT_FLAG_IP_NAME_LOOKUP,
                // Always on in Kiln: the CLI world of WASI (`common` is
                // Wasmtime's deprecated alias), and WASI 0.3 next to 0.2
                // (`-S p3` in guides for Wasmtime).
                "cli" | "common" => 0,
                // `exit-with-code` is always there, as in Wasmtime 49,
                // which only warns when asked to remove it.
                "cli-exit-with-code" => {
                    if !on {
                        eprintln!("warning: cannot disable `-Scli-exit-with-code` any more");
                    }
                    0
                }
                // Preview 1 over the WASI 0.2 implementation, Wasmtime's
                // default; its legacy implementation is not Kiln's.
                "preview2" if on => 0,
                "preview2" => {
                    return Err("unsupported option: preview2=n (Kiln has one preview 1 \
                                implementation)"
                        .into());
                }
                "p3" if on => 0,
                "p3" => {
                    return Err(
                        "unsupported WASI setting `p3=n`: Kiln always provides WASI 0.3".into(),
                    );
                }
                // `http` (the one known key left), wasi:http's client
                // side: no grant bit, the CLI checks
                // it (`check_http`): a component importing wasi:http needs
                // it, as in Wasmtime, and outgoing requests need no network
                // grant beside it, as in Wasmtime.
                _ => 0,
            };
            Ok(WasiSetting {
                flag,
                on,
                http: key == "http",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirs() {
        assert_eq!(
            parse_dir("a::/b").unwrap(),
            DirSpec {
                host: "a".into(),
                guest: "/b".into()
            }
        );
        assert_eq!(parse_dir(".").unwrap().guest, ".");
        // Wasmtime's reading: empty parts are kept, a third part ignored.
        assert_eq!(parse_dir("::x").unwrap().host, "");
        assert_eq!(parse_dir("a::").unwrap().guest, "");
        assert_eq!(parse_dir("a::/x::y").unwrap().guest, "/x");
    }

    #[test]
    fn envs() {
        assert_eq!(parse_env("A=b=c").unwrap().value.as_deref(), Some("b=c"));
        assert_eq!(parse_env("A").unwrap().value, None);
        assert_eq!(parse_env("A=").unwrap().value.as_deref(), Some(""));
        assert_eq!(parse_env("=x").unwrap().name, "");
    }

    #[test]
    fn settings() {
        let o = WasiOptions {
            wasi: vec![
                parse_wasi_settings("tcp=n,inherit-network").unwrap(),
                parse_wasi_settings("udp=no").unwrap(),
            ],
            ..Default::default()
        };
        assert_eq!(o.flags(), GRANT_FLAG_INHERIT_NETWORK);
        assert_eq!(
            WasiOptions::default().flags(),
            GRANT_FLAG_TCP | GRANT_FLAG_UDP
        );
        // Accepted for Wasmtime command lines; grants nothing yet.
        assert_eq!(parse_wasi_settings("http").unwrap()[0].flag, 0);
        assert!(
            parse_wasi_settings("nn")
                .unwrap_err()
                .starts_with("unsupported option: nn")
        );
        assert_eq!(
            parse_wasi_settings("bogus").unwrap_err(),
            "unknown option: bogus"
        );
        assert_eq!(
            parse_wasi_settings("bogus=maybe").unwrap_err(),
            "unknown option: bogus"
        );
        assert!(
            parse_wasi_settings("cwd=/")
                .unwrap_err()
                .starts_with("unsupported option: cwd")
        );
        assert_eq!(parse_wasi_settings("tcp,").unwrap_err(), "unknown option: ");
        assert_eq!(
            parse_wasi_settings("tcp=maybe").unwrap_err(),
            "failed to parse option `tcp=maybe`\n\nCaused by:\n    \
             unknown boolean flag `maybe`, only yes,no,<nothing> accepted"
        );
        // WASI 0.3 is always there; `-S p3` (Wasmtime's switch) changes
        // nothing, `-S p3=n` cannot be honoured.
        let p3 = WasiOptions {
            wasi: vec![parse_wasi_settings("p3,cli=y").unwrap()],
            ..Default::default()
        };
        assert_eq!(p3.flags(), WasiOptions::default().flags());
        assert!(parse_wasi_settings("p3=n").is_err());
        // Wasmtime's switches for what Kiln always has.
        assert!(parse_wasi_settings("cli-exit-with-code,common,preview2=y").is_ok());
        assert!(parse_wasi_settings("preview2=n").is_err());
    }
}
