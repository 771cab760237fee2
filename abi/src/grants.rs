//! Capabilities and run settings baked into an executable: the `repr(C)`
//! [`GrantsDescriptor`] the compiler emits as [`crate::symbols::GRANTS`] from the
//! `kiln build` flags (`--dir`, `--env`, `--inherit-env`, `-S ...`), and the
//! limits for the guest ([`LimitsDesc`], from `-W ...`).
//!
//! A binary built by `kiln run` for its cache has [`GRANT_FLAG_RUN_MODE`]: its
//! runtime takes the grants of each run from the environment variable
//! [`RUN_CONFIG_ENV`] (written by `kiln run`, removed before the guest sees the
//! environment) instead of the baked ones. Binaries from `kiln build` never
//! read that variable, so nobody can widen their sandbox from outside.

use crate::descriptor::{Addr, Str};

/// Flag: the guest sees the whole host environment.
pub const GRANT_FLAG_INHERIT_ENV: u32 = 1;
/// Flag: network access (as wasmtime's `-S inherit-network`).
pub const GRANT_FLAG_INHERIT_NETWORK: u32 = 2;
/// Flag: TCP allowed (wasmtime `-S tcp`, default on).
pub const GRANT_FLAG_TCP: u32 = 4;
/// Flag: UDP allowed (wasmtime `-S udp`, default on).
pub const GRANT_FLAG_UDP: u32 = 8;
/// Flag: name lookups allowed (wasmtime `-S allow-ip-name-lookup`).
pub const GRANT_FLAG_IP_NAME_LOOKUP: u32 = 16;
/// Flag: take grants from [`RUN_CONFIG_ENV`] (cache binaries of `kiln run`).
pub const GRANT_FLAG_RUN_MODE: u32 = 32;
/// Flag: serve HTTP (`kiln build --addr`, `kiln serve`) even if the
/// component also exports a `wasi:cli/run` (a component exporting only a
/// request handler serves without it).
pub const GRANT_FLAG_SERVE: u32 = 64;

/// The address a server listens on unless told otherwise (Wasmtime's
/// `serve` default).
pub const DEFAULT_SERVE_ADDR: &str = "0.0.0.0:8080";

/// Environment variable of a server executable: the address to listen on
/// (`HOST:PORT`), overriding the baked one (`--addr A` as the executable's
/// first arguments does the same and wins).
pub const SERVE_ADDR_ENV: &str = "KILN_ADDR";

/// Environment variable carrying a run's grants to a run-mode binary.
///
/// Format: records separated by `;`, each a tag letter, then fields each
/// preceded by `:`. Strings are lowercase hex of their bytes (so any byte is
/// allowed); numbers are decimal.
/// - `F:<flags>`: `GRANT_FLAG_*` bits (`GRANT_FLAG_RUN_MODE` is ignored);
/// - `I:<invoke>`: export to invoke;
/// - `P:<program>`: the wasm file's name;
/// - `D:<host>:<guest>`: a preopened directory;
/// - `E:<name>` or `E:<name>:<value>`: an environment variable (without a
///   value: inherited from the host's environment);
/// - `A:<addr>`: the address a server listens on (`kiln serve --addr`);
/// - `M:<bytes>`, `S:<bytes>`, `T:<nanoseconds>`, `U:<units>`: the limits
///   `max-memory-size`, `max-wasm-stack`, `timeout` and `fuel` (see
///   [`LimitsDesc`]; a limit without its record is not set).
///
/// Example: `F:4;P:612e7761736d;D:2e:2f` grants TCP, names the program
/// `a.wasm` and preopens host `.` as guest `/`.
pub const RUN_CONFIG_ENV: &str = "__KILN_RUN_CONFIG";

/// One preopened directory.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct DirGrant {
    /// Host path.
    pub host: Str,
    /// Path the guest sees.
    pub guest: Str,
}

/// One environment variable given to the guest.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct EnvGrant {
    /// Name.
    pub name: Str,
    /// Value; if `has_value` is 0 the value is taken from the host's
    /// environment at start-up (wasmtime's `--env NAME`).
    pub value: Str,
    /// 1 if `value` is set.
    pub has_value: u32,
    /// Reserved, zero.
    pub _reserved: u32,
}

/// [`LimitsDesc::flags`]: `max_memory_size` is set.
pub const LIMIT_MAX_MEMORY_SIZE: u32 = 1;
/// [`LimitsDesc::flags`]: `max_wasm_stack` is set.
pub const LIMIT_MAX_WASM_STACK: u32 = 2;
/// [`LimitsDesc::flags`]: `timeout_ns` is set.
pub const LIMIT_TIMEOUT: u32 = 4;
/// [`LimitsDesc::flags`]: `fuel` is set.
pub const LIMIT_FUEL: u32 = 8;
/// [`LimitsDesc::flags`]: the code has interruption checks (compiled for
/// `-W timeout`); a run-mode binary honours a run's timeout only then.
pub const LIMIT_CODE_INTERRUPT: u32 = 16;
/// [`LimitsDesc::flags`]: the code has fuel accounting (compiled for
/// `-W fuel`); a run-mode binary honours a run's fuel only then.
pub const LIMIT_CODE_FUEL: u32 = 32;

/// Limits for untrusted code, as `wasmtime run -W` spells them. The
/// compiler emits interruption checks only for a build with a timeout and
/// fuel accounting only for a build with fuel, so `timeout_ns` and `fuel`
/// take effect only in code compiled for them.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct LimitsDesc {
    /// `LIMIT_*`: which fields below are set, and which checks the code
    /// has.
    pub flags: u32,
    /// Reserved, zero.
    pub _reserved: u32,
    /// `-W max-memory-size`: most bytes any linear memory may have;
    /// `memory.grow` beyond it returns -1, a larger minimum fails
    /// instantiation.
    pub max_memory_size: u64,
    /// `-W max-wasm-stack`: most native stack, in bytes, wasm may use
    /// (default [`crate::MAX_WASM_STACK`]).
    pub max_wasm_stack: u64,
    /// `-W timeout`: wall-clock time, in nanoseconds from start-up, after
    /// which running wasm traps with `interrupt`.
    pub timeout_ns: u64,
    /// `-W fuel`: units of fuel (about one per wasm instruction, see the
    /// compiler's `func/limits.rs`) before wasm traps with `all fuel consumed
    /// by WebAssembly`.
    pub fuel: u64,
}

/// The root record, exported as [`crate::symbols::GRANTS`].
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct GrantsDescriptor {
    /// [`crate::GRANTS_MAGIC`].
    pub magic: u32,
    /// `GRANT_FLAG_*`.
    pub flags: u32,
    /// Number of [`DirGrant`]s.
    pub num_dirs: u32,
    /// Number of [`EnvGrant`]s.
    pub num_envs: u32,
    /// `[DirGrant; num_dirs]`.
    pub dirs: Addr,
    /// `[EnvGrant; num_envs]`.
    pub envs: Addr,
    /// Export to call instead of `_start` (reactors, `--invoke`); empty = none.
    pub invoke: Str,
    /// The wasm file's name, for error messages as wasmtime prints them.
    pub program: Str,
    /// Limits for the guest.
    pub limits: LimitsDesc,
    /// The address a server listens on (`kiln build --addr`); empty: the
    /// default, [`DEFAULT_SERVE_ADDR`].
    pub serve_addr: Str,
}

/// Wasmtime's durations (`-W timeout=D`, `--idle-instance-timeout D`): a
/// bare number is seconds, else a whole number with `s`, `ms`, `us`, `μs`
/// or `ns`. The error is Wasmtime's words.
pub fn parse_duration(v: &str) -> Result<core::time::Duration, alloc::string::String> {
    let int = |s: &str| s.parse::<u64>().ok();
    if let Some(n) = int(v) {
        return Ok(core::time::Duration::from_secs(n));
    }
    type Unit = (&'static str, fn(u64) -> core::time::Duration);
    let units: [Unit; 5] = [
        ("s", core::time::Duration::from_secs),
        ("ms", core::time::Duration::from_millis),
        ("us", core::time::Duration::from_micros),
        ("μs", core::time::Duration::from_micros),
        ("ns", core::time::Duration::from_nanos),
    ];
    for (suffix, make) in units {
        if let Some(n) = v.strip_suffix(suffix).and_then(int) {
            return Ok(make(n));
        }
    }
    Err(alloc::format!("failed to parse duration: {v}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        use core::mem::size_of;
        assert_eq!(size_of::<super::DirGrant>(), 32);
        assert_eq!(size_of::<super::EnvGrant>(), 40);
        assert_eq!(size_of::<super::LimitsDesc>(), 40);
        assert_eq!(size_of::<super::GrantsDescriptor>(), 120);
    }
}
