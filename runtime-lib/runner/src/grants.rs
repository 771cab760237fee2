//! What the guest may do and how it is run: baked grants, or a `kiln run`
//! configuration, turned into a [`WasiConfig`] and run settings.
//!
//! Phase: start-up, before anything touches the guest. Inputs: the
//! `kiln_abi::grants::GrantsDescriptor` baked into the executable, the
//! process's arguments and environment, and (only if the descriptor has
//! `GRANT_FLAG_RUN_MODE`) the value of `kiln_abi::grants::RUN_CONFIG_ENV`.
//! Output: [`RunSettings`].
//!
//! Invariants (matching `wasmtime run`):
//! - argv: the process's own argv. A built binary's argv[0] is as invoked;
//!   `kiln run` execs its cache binary with argv[0] set to what Wasmtime
//!   passes (`--argv0`, else the module path's last component). Only an
//!   empty argv gets the program's base name.
//! - program (for messages): the grants' `program` (in run mode the `P:`
//!   record: the module path as the user gave it, as Wasmtime prints it),
//!   else argv[0].
//! - env: with inherit-env, the whole host environment first; then each
//!   granted variable in order; a variable granted without a value takes
//!   the host's value, or is left out if the host has none.
//! - `RUN_CONFIG_ENV` never reaches the guest (removed from the inherited
//!   environment and from host look-ups).
//! - preopens: directory grants in order (fd 3 onwards).
//! - A run-mode binary started without the variable falls back to its baked
//!   grants, so it can never gain capabilities from outside.

use kiln_abi::grants::{
    DirGrant, EnvGrant, GRANT_FLAG_INHERIT_ENV, GRANT_FLAG_RUN_MODE, GRANT_FLAG_SERVE,
    GrantsDescriptor, LIMIT_CODE_FUEL, LIMIT_CODE_INTERRUPT, LIMIT_FUEL, LIMIT_MAX_MEMORY_SIZE,
    LIMIT_MAX_WASM_STACK, LIMIT_TIMEOUT, LimitsDesc, RUN_CONFIG_ENV,
};
use kiln_platform::os_str::from_bytes as os;
use kiln_vm::descriptor::{slice, str_bytes};
use kiln_vm::limits::Limits;
use kiln_wasi_kernel::WasiConfig;
use std::path::PathBuf;
use std::time::Duration;

/// Grants in plain data: from the baked descriptor or a run configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    /// `GRANT_FLAG_*` bits.
    pub flags: u32,
    /// Export to invoke (empty = none).
    pub invoke: Vec<u8>,
    /// The wasm file's name as the user gave it.
    pub program: Vec<u8>,
    /// Preopens: (host, guest).
    pub dirs: Vec<(Vec<u8>, Vec<u8>)>,
    /// Environment grants: (name, value or inherit).
    pub envs: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// `-W` limits.
    pub limits: Limits,
    /// `LIMIT_CODE_*`: the checks the compiled code has (always from the
    /// baked descriptor).
    pub code_checks: u32,
    /// The address a server listens on (empty: the default).
    pub serve_addr: Vec<u8>,
}

/// Everything the entry point needs to run the guest.
#[derive(Clone, Debug, Default)]
pub struct RunSettings {
    /// Arguments, environment, preopens, network flags.
    pub wasi: WasiConfig,
    /// Export to invoke instead of the default (`""` or `_start`).
    pub invoke: Option<String>,
    /// The wasm file's name for messages (`failed to run main module ...`).
    pub program: Vec<u8>,
    /// `-W` limits.
    pub limits: Limits,
    /// Serve HTTP even if the component has a `wasi:cli/run`
    /// (`GRANT_FLAG_SERVE`).
    pub serve: bool,
    /// Serve HTTP if the component has a request handler and no
    /// `wasi:cli/run`: a built executable does; a run-mode one serves only
    /// for `kiln serve` (`kiln run` of a proxy fails as `wasmtime run`
    /// does).
    pub serve_unless_command: bool,
    /// The address a server listens on unless the executable's `--addr` or
    /// `KILN_ADDR` says otherwise (`crate::component::serve`); `None`: the
    /// default.
    pub serve_addr: Option<String>,
}

impl Grants {
    /// Reads the baked descriptor.
    ///
    /// # Safety
    /// `desc` must be as the compiler emits it (arrays and strings valid for
    /// the process lifetime).
    pub unsafe fn from_descriptor(desc: &GrantsDescriptor) -> Result<Grants, String> {
        if desc.magic != kiln_abi::GRANTS_MAGIC {
            return Err(format!(
                "this executable's grants descriptor is corrupt (magic {:#010x}, expected {:#010x})",
                desc.magic,
                kiln_abi::GRANTS_MAGIC
            ));
        }
        // SAFETY: forwarded from the caller.
        unsafe {
            let dirs: &[DirGrant] = slice(desc.dirs, desc.num_dirs.into());
            let envs: &[EnvGrant] = slice(desc.envs, desc.num_envs.into());
            Ok(Grants {
                flags: desc.flags,
                invoke: str_bytes(desc.invoke).to_vec(),
                program: str_bytes(desc.program).to_vec(),
                dirs: dirs
                    .iter()
                    .map(|d| (str_bytes(d.host).to_vec(), str_bytes(d.guest).to_vec()))
                    .collect(),
                envs: envs
                    .iter()
                    .map(|e| {
                        let value = (e.has_value != 0).then(|| str_bytes(e.value).to_vec());
                        (str_bytes(e.name).to_vec(), value)
                    })
                    .collect(),
                limits: limits_of(&desc.limits),
                code_checks: desc.limits.flags & (LIMIT_CODE_INTERRUPT | LIMIT_CODE_FUEL),
                serve_addr: str_bytes(desc.serve_addr).to_vec(),
            })
        }
    }

    /// Parses a run configuration (format documented at
    /// `kiln_abi::grants::RUN_CONFIG_ENV`).
    pub fn parse_run_config(text: &[u8]) -> Result<Grants, String> {
        let mut grants = Grants::default();
        for record in text.split(|b| *b == b';').filter(|r| !r.is_empty()) {
            let mut fields = record.split(|b| *b == b':');
            let tag = fields.next().unwrap_or_default();
            let fields: Vec<&[u8]> = fields.collect();
            let bad = || {
                format!(
                    "invalid run configuration in {RUN_CONFIG_ENV}: bad record `{}`",
                    String::from_utf8_lossy(record)
                )
            };
            match (tag, fields.as_slice()) {
                (b"F", [flags]) => {
                    let flags = std::str::from_utf8(flags)
                        .ok()
                        .and_then(|s| s.parse::<u32>().ok());
                    grants.flags = flags.ok_or_else(bad)? & !GRANT_FLAG_RUN_MODE;
                }
                (b"I", [name]) => grants.invoke = unhex(name).ok_or_else(bad)?,
                (b"P", [name]) => grants.program = unhex(name).ok_or_else(bad)?,
                (b"A", [addr]) => grants.serve_addr = unhex(addr).ok_or_else(bad)?,
                (b"D", [host, guest]) => grants
                    .dirs
                    .push((unhex(host).ok_or_else(bad)?, unhex(guest).ok_or_else(bad)?)),
                (b"E", [name]) => grants.envs.push((unhex(name).ok_or_else(bad)?, None)),
                (b"E", [name, value]) => grants.envs.push((
                    unhex(name).ok_or_else(bad)?,
                    Some(unhex(value).ok_or_else(bad)?),
                )),
                (b"M", [n]) => grants.limits.max_memory_size = Some(number(n).ok_or_else(bad)?),
                (b"S", [n]) => grants.limits.max_wasm_stack = Some(number(n).ok_or_else(bad)?),
                (b"T", [n]) => {
                    grants.limits.timeout = Some(Duration::from_nanos(number(n).ok_or_else(bad)?));
                }
                (b"U", [n]) => grants.limits.fuel = Some(number(n).ok_or_else(bad)?),
                _ => return Err(bad()),
            }
        }
        Ok(grants)
    }
}

/// The limits of a descriptor record.
fn limits_of(d: &LimitsDesc) -> Limits {
    let set = |flag: u32, v: u64| (d.flags & flag != 0).then_some(v);
    Limits {
        max_memory_size: set(LIMIT_MAX_MEMORY_SIZE, d.max_memory_size),
        max_wasm_stack: set(LIMIT_MAX_WASM_STACK, d.max_wasm_stack),
        timeout: set(LIMIT_TIMEOUT, d.timeout_ns).map(Duration::from_nanos),
        fuel: set(LIMIT_FUEL, d.fuel),
    }
}

/// A decimal `u64`.
fn number(s: &[u8]) -> Option<u64> {
    std::str::from_utf8(s).ok()?.parse().ok()
}

fn unhex(s: &[u8]) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// The last path component of `path` (Wasmtime's argv[0] for a module path).
fn base_name(path: &[u8]) -> Vec<u8> {
    let os_path = os(path);
    let p = std::path::Path::new(&*os_path);
    match p.components().next_back() {
        Some(c) => c.as_os_str().as_encoded_bytes().to_vec(),
        None => path.to_vec(),
    }
}

fn utf8(bytes: &[u8], what: impl FnOnce() -> String) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|_| what())
}

/// Resolves the settings of this run.
///
/// `baked` is the executable's own grants; `run_config` the value of
/// `RUN_CONFIG_ENV` if set; `argv` the process arguments; `host_env` the
/// process environment, read only as far as the grants need it.
pub fn resolve(
    baked: Grants,
    run_config: Option<&[u8]>,
    argv: Vec<Vec<u8>>,
    host_env: &HostEnv<'_>,
) -> Result<RunSettings, String> {
    let run_mode = baked.flags & GRANT_FLAG_RUN_MODE != 0;
    let code_checks = baked.code_checks;
    let grants = match run_config {
        Some(text) if run_mode => Grants::parse_run_config(text)?,
        _ => baked,
    };
    // A timeout or fuel needs code compiled with its checks (`kiln run`
    // compiles its cache binary for them); without, the limit could not
    // work, so the run does not start.
    if grants.limits.timeout.is_some() && code_checks & LIMIT_CODE_INTERRUPT == 0 {
        return Err(
            "this executable was compiled without interruption checks: it cannot run with a timeout"
                .to_string(),
        );
    }
    if grants.limits.fuel.is_some() && code_checks & LIMIT_CODE_FUEL == 0 {
        return Err(
            "this executable was compiled without fuel checks: it cannot run with fuel".to_string(),
        );
    }
    let program = if grants.program.is_empty() {
        argv.first().cloned().unwrap_or_default()
    } else {
        grants.program.clone()
    };

    let mut args = argv;
    if args.is_empty() {
        args.push(base_name(&program));
    }
    for a in &args {
        utf8(a, || format!("failed to convert {:?} to utf-8", &*os(a)))?;
    }

    let mut env = Vec::new();
    if grants.flags & GRANT_FLAG_INHERIT_ENV != 0 {
        for (k, v) in host_env.all() {
            let kk = &*os(&k);
            utf8(&k, || {
                format!("environment variable name {kk:?} not valid utf-8")
            })?;
            utf8(&v, || {
                format!(
                    "environment variable {kk:?} value {:?} not valid utf-8",
                    &*os(&v)
                )
            })?;
            env.push((k, v));
        }
    }
    for (name, value) in &grants.envs {
        let value = match value {
            Some(v) => v.clone(),
            None => match host_env.get(name) {
                Some(v) => {
                    utf8(&v, || {
                        format!(
                            "environment variable `{}` not valid utf-8",
                            String::from_utf8_lossy(name)
                        )
                    })?;
                    v
                }
                None => continue,
            },
        };
        env.push((name.clone(), value));
    }

    let mut preopens = Vec::new();
    for (host, guest) in &grants.dirs {
        let guest = utf8(guest, || {
            format!("guest directory name {:?} not valid utf-8", &*os(guest))
        })?;
        preopens.push((PathBuf::from(&*os(host)), guest.to_string()));
    }

    let invoke = if grants.invoke.is_empty() {
        None
    } else {
        let name = utf8(&grants.invoke, || {
            "the export to invoke is not valid utf-8".to_string()
        })?;
        Some(name.to_string())
    };

    Ok(RunSettings {
        wasi: WasiConfig {
            args,
            env,
            preopens,
            flags: grants.flags & !GRANT_FLAG_RUN_MODE,
        },
        invoke,
        program,
        limits: grants.limits,
        serve: grants.flags & GRANT_FLAG_SERVE != 0,
        serve_unless_command: !run_mode,
        serve_addr: if grants.serve_addr.is_empty() {
            None
        } else {
            Some(
                utf8(&grants.serve_addr, || {
                    "the server address is not valid utf-8".to_string()
                })?
                .to_string(),
            )
        },
    })
}

/// Where the guest's inherited environment comes from. Most runs inherit
/// nothing, so the process environment is read only when the grants ask
/// for it (copying all of it cost more than the rest of start-up).
#[derive(Copy, Clone, Debug)]
pub enum HostEnv<'a> {
    /// The process environment.
    Process,
    /// Given pairs, in order (tests).
    Pairs(&'a [(Vec<u8>, Vec<u8>)]),
}

impl HostEnv<'_> {
    /// Every variable, in order, as byte pairs (without `RUN_CONFIG_ENV`).
    fn all(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = match self {
            HostEnv::Process => std::env::vars_os()
                .map(|(k, v)| (k.as_encoded_bytes().to_vec(), v.as_encoded_bytes().to_vec()))
                .collect(),
            HostEnv::Pairs(p) => p.to_vec(),
        };
        pairs
            .into_iter()
            .filter(|(k, _)| k.as_slice() != RUN_CONFIG_ENV.as_bytes())
            .collect()
    }

    /// The value of `name` (the first one, as the environment is searched).
    fn get(&self, name: &[u8]) -> Option<Vec<u8>> {
        if name == RUN_CONFIG_ENV.as_bytes() {
            return None;
        }
        match self {
            HostEnv::Process => std::env::var_os(&*os(name)).map(|v| v.as_encoded_bytes().to_vec()),
            HostEnv::Pairs(p) => p.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> String {
        s.bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
        pairs
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    fn argv(a: &[&str]) -> Vec<Vec<u8>> {
        a.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn parses_the_documented_example() {
        let g = Grants::parse_run_config(b"F:4;P:612e7761736d;D:2e:2f").expect("parse");
        assert_eq!(g.flags, 4);
        assert_eq!(g.program, b"a.wasm");
        assert_eq!(g.dirs, vec![(b".".to_vec(), b"/".to_vec())]);
    }

    #[test]
    fn parses_env_and_invoke_and_ignores_run_mode_flag() {
        let text = format!(
            "F:33;I:{};E:{};E:{}:{};E:{}:",
            hex("add"),
            hex("HOME"),
            hex("A"),
            hex("x;y:z"),
            hex("EMPTY")
        );
        let g = Grants::parse_run_config(text.as_bytes()).expect("parse");
        assert_eq!(g.flags, 1);
        assert_eq!(g.invoke, b"add");
        assert_eq!(
            g.envs,
            vec![
                (b"HOME".to_vec(), None),
                (b"A".to_vec(), Some(b"x;y:z".to_vec())),
                (b"EMPTY".to_vec(), Some(Vec::new())),
            ]
        );
        assert_eq!(
            Grants::parse_run_config(b"").expect("empty"),
            Grants::default()
        );
    }

    #[test]
    fn parses_limits() {
        let g = Grants::parse_run_config(b"F:0;M:65536;S:100000;T:1500000000;U:7").expect("parse");
        assert_eq!(
            g.limits,
            Limits {
                max_memory_size: Some(65536),
                max_wasm_stack: Some(100000),
                timeout: Some(Duration::from_millis(1500)),
                fuel: Some(7),
            }
        );
        let g = Grants::parse_run_config(b"F:0").expect("parse");
        assert_eq!(g.limits, Limits::default());
    }

    #[test]
    fn timeout_and_fuel_need_compiled_checks() {
        let baked = Grants {
            flags: GRANT_FLAG_RUN_MODE,
            ..Grants::default()
        };
        for (config, checks) in [("T:1", LIMIT_CODE_INTERRUPT), ("U:1", LIMIT_CODE_FUEL)] {
            let e = resolve(
                baked.clone(),
                Some(config.as_bytes()),
                argv(&["a"]),
                &HostEnv::Pairs(&[]),
            );
            assert!(e.is_err(), "{config}");
            let with = Grants {
                code_checks: checks,
                ..baked.clone()
            };
            let s = resolve(
                with,
                Some(config.as_bytes()),
                argv(&["a"]),
                &HostEnv::Pairs(&[]),
            )
            .expect("resolve");
            assert!(s.limits.timeout.is_some() || s.limits.fuel.is_some());
        }
        // Memory and stack limits need no code.
        let s =
            resolve(baked, Some(b"M:0;S:1"), argv(&["a"]), &HostEnv::Pairs(&[])).expect("resolve");
        assert_eq!(s.limits.max_memory_size, Some(0));
        assert_eq!(s.limits.max_wasm_stack, Some(1));
    }

    #[test]
    fn rejects_malformed_records() {
        for bad in [
            "X:00", "F:x", "D:2e", "P:6", "P:zz", "E", "F:1:2", "I:61:62", "M:-1", "T:", "U:1:2",
            "S:x",
        ] {
            assert!(Grants::parse_run_config(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn built_binary_uses_its_argv_and_listed_env() {
        let baked = Grants {
            program: b"dir/app.wasm".to_vec(),
            envs: vec![
                (b"A".to_vec(), Some(b"1".to_vec())),
                (b"HOME".to_vec(), None),
                (b"MISSING".to_vec(), None),
            ],
            dirs: vec![(b"/tmp".to_vec(), b"/sandbox".to_vec())],
            ..Grants::default()
        };
        let host = env(&[("HOME", "/root"), ("OTHER", "x")]);
        let s =
            resolve(baked, None, argv(&["./app", "x"]), &HostEnv::Pairs(&host)).expect("resolve");
        assert_eq!(s.wasi.args, argv(&["./app", "x"]));
        assert_eq!(s.wasi.env, env(&[("A", "1"), ("HOME", "/root")]));
        assert_eq!(
            s.wasi.preopens,
            vec![(PathBuf::from("/tmp"), "/sandbox".to_string())]
        );
        assert_eq!(s.program, b"dir/app.wasm");
        assert_eq!(s.invoke, None);
    }

    #[test]
    fn inherit_env_takes_everything_then_grants() {
        let baked = Grants {
            flags: GRANT_FLAG_INHERIT_ENV,
            envs: vec![(b"B".to_vec(), Some(b"2".to_vec()))],
            ..Grants::default()
        };
        let host = env(&[("A", "1"), (RUN_CONFIG_ENV, "F:0")]);
        let s = resolve(baked, None, argv(&["p"]), &HostEnv::Pairs(&host)).expect("resolve");
        assert_eq!(s.wasi.env, env(&[("A", "1"), ("B", "2")]));
        assert_eq!(s.program, b"p");
    }

    #[test]
    fn run_mode_takes_the_config() {
        let baked = Grants {
            flags: GRANT_FLAG_RUN_MODE,
            ..Grants::default()
        };
        let config = format!(
            "F:0;P:{};I:{};E:{}",
            hex("some/dir/prog.wasm"),
            hex("run"),
            hex(RUN_CONFIG_ENV)
        );
        let host = env(&[(RUN_CONFIG_ENV, &config)]);
        let s = resolve(
            baked,
            Some(config.as_bytes()),
            argv(&["/cache/x", "1", "2"]),
            &HostEnv::Pairs(&host),
        )
        .expect("resolve");
        assert_eq!(s.wasi.args, argv(&["/cache/x", "1", "2"]));
        assert_eq!(s.program, b"some/dir/prog.wasm");
        assert_eq!(s.invoke.as_deref(), Some("run"));
        // The configuration variable never reaches the guest.
        assert!(s.wasi.env.is_empty());
        assert_eq!(s.wasi.flags & GRANT_FLAG_RUN_MODE, 0);
    }

    #[test]
    fn built_binaries_ignore_run_configs() {
        let baked = Grants {
            program: b"a.wasm".to_vec(),
            ..Grants::default()
        };
        let config = format!("F:1;D:{}:{}", hex("/"), hex("/"));
        let s = resolve(
            baked,
            Some(config.as_bytes()),
            argv(&["a"]),
            &HostEnv::Pairs(&[]),
        )
        .expect("resolve");
        assert!(s.wasi.preopens.is_empty());
        assert_eq!(s.wasi.flags, 0);
    }

    #[test]
    fn non_utf8_arguments_fail_like_wasmtime() {
        let e = resolve(
            Grants::default(),
            None,
            vec![b"a".to_vec(), vec![0xff]],
            &HostEnv::Pairs(&[]),
        )
        .unwrap_err();
        assert_eq!(e, "failed to convert \"\\xFF\" to utf-8");
    }

    #[test]
    fn empty_argv_gets_the_program_name() {
        let baked = Grants {
            program: b"dir/p.wasm".to_vec(),
            ..Grants::default()
        };
        let s = resolve(baked, None, vec![], &HostEnv::Pairs(&[])).expect("resolve");
        assert_eq!(s.wasi.args, argv(&["p.wasm"]));
    }

    #[test]
    fn base_names() {
        assert_eq!(base_name(b"a/b/c.wasm"), b"c.wasm");
        assert_eq!(base_name(b"c.wasm"), b"c.wasm");
        assert_eq!(base_name(b"/x/"), b"x");
    }
}
