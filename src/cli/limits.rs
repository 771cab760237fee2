//! `-W KEY=VAL[,KEY=VAL...]`: limits for untrusted code, spelled as
//! `wasmtime run -W` spells them, shared by `kiln build` (baked into the
//! executable) and `kiln run` (passed to its cached executable).
//!
//! Supported keys: `max-memory-size=N` (bytes), `max-wasm-stack=N` (bytes),
//! `timeout=D` and `fuel=N`. Numbers are decimal or `0x` hex; durations are
//! `N` (seconds), `Ns`, `Nms`, `Nus` (or `Nμs`) or `Nns`, as in Wasmtime.
//! Values are checked as Wasmtime checks them and failures carry its
//! wording (`invalid digit found in string`, `failed to parse duration:
//! 2m`); any other `-W` key, including the Wasmtime keys Kiln does not
//! implement, is an error naming it. `-W` may repeat; a later value wins.
//!
//! Parsing happens in a clap value parser, so a bad option is a usage error
//! (exit 2); [`crate::cli::options::usage_error`] prints it as Wasmtime
//! does (`error: failed to parse -W / --wasm option: ...`, a cause under
//! `Caused by:`), which is why messages here carry Wasmtime's chain.

use clap::Args;
use std::time::Duration;

/// One `-W` setting.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum WasmLimit {
    /// `max-memory-size=N`.
    MaxMemorySize(u64),
    /// `max-wasm-stack=N`.
    MaxWasmStack(u64),
    /// `timeout=D`.
    Timeout(Duration),
    /// `fuel=N`.
    Fuel(u64),
    /// `KEY[=y]` for a proposal Kiln always supports (nothing to do).
    AlwaysOn,
}

/// Wasmtime's `-W` proposal switches for what Kiln always compiles: `KEY`
/// or `KEY=y` is accepted and changes nothing (guides for WASI 0.3 pass
/// `-W component-model-async`); `KEY=n` is refused, since Kiln cannot turn
/// them off.
const ALWAYS_ON: &[&str] = &[
    "bulk-memory",
    "multi-memory",
    "multi-value",
    "reference-types",
    "simd",
    "relaxed-simd",
    "tail-call",
    "threads",
    "shared-memory",
    "memory64",
    "component-model",
    "component-model-async",
    "component-model-more-async-builtins",
    "component-model-error-context",
    "function-references",
    "custom-page-sizes",
    "wide-arithmetic",
    "extended-const",
    "exceptions",
];

/// The keys Kiln implements, for messages.
const SUPPORTED: &str = "max-memory-size, max-wasm-stack, timeout, fuel";

/// Wasmtime's other `-W` keys (49): accepted by it, not by Kiln, which says
/// so instead of calling them unknown.
const WASMTIME_ONLY: &[&str] = &[
    "nan-canonicalization",
    "epoch-interruption",
    "async-stack-size",
    "async-stack-zeroing",
    "unknown-exports-allow",
    "unknown-imports-trap",
    "unknown-imports-default",
    "wmemcheck",
    "max-table-elements",
    "max-instances",
    "max-tables",
    "max-memories",
    "trap-on-grow-failure",
    "all-proposals",
    "relaxed-simd-deterministic",
    "shared-everything-threads",
    "component-model-async-stackful",
    "component-model-threading",
    "component-model-gc",
    "component-model-map",
    "component-model-memory64",
    "stack-switching",
    "gc",
    "branch-hinting",
    "gc-support",
    "component-model-fixed-length-lists",
    "component-model-implements",
    "concurrency-support",
];

/// The `-W` options.
#[derive(Debug, Args, Clone, Default)]
pub struct LimitOptions {
    /// Limits for the guest, as in wasmtime: `max-memory-size=BYTES`,
    /// `max-wasm-stack=BYTES`, `timeout=N|Ns|Nms|Nus|Nns`, `fuel=N`;
    /// comma-separated lists are accepted.
    #[arg(short = 'W', value_name = "KEY=VAL[,...]", value_parser = parse_limits)]
    pub wasm: Vec<Vec<WasmLimit>>,
}

impl LimitOptions {
    /// The checks code must be compiled with for `limits` (a run-mode
    /// executable gets the limits' values at start, so only which checks
    /// exist is compiled in).
    pub fn checks(limits: &kiln_compiler::Limits) -> kiln_compiler::Checks {
        kiln_compiler::Checks {
            interrupt: limits.timeout.is_some(),
            fuel: limits.fuel.is_some(),
        }
    }

    /// The limits for the compiler (later settings win).
    pub fn limits(&self) -> kiln_compiler::Limits {
        let mut l = kiln_compiler::Limits::default();
        for w in self.wasm.iter().flatten() {
            match *w {
                WasmLimit::MaxMemorySize(n) => l.max_memory_size = Some(n),
                WasmLimit::MaxWasmStack(n) => l.max_wasm_stack = Some(n),
                WasmLimit::Timeout(d) => l.timeout = Some(d),
                WasmLimit::Fuel(n) => l.fuel = Some(n),
                WasmLimit::AlwaysOn => {}
            }
        }
        l
    }
}

/// `KEY=VAL[,KEY=VAL...]` (an empty part is an unknown option, as in
/// Wasmtime).
pub fn parse_limits(s: &str) -> Result<Vec<WasmLimit>, String> {
    s.split(',').map(parse_one).collect()
}

/// An error `what` with its `cause`, as anyhow prints a two-link chain
/// (what `crate::cli::options::usage_error` puts after its prefix).
pub fn caused(what: &str, cause: &str) -> String {
    format!("{what}\n\nCaused by:\n    {cause}")
}

fn parse_one(part: &str) -> Result<WasmLimit, String> {
    let (key, value) = match part.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (part, None),
    };
    let make: fn(&str) -> Result<WasmLimit, String> = match key {
        "max-memory-size" => |v| number(v).map(WasmLimit::MaxMemorySize),
        "max-wasm-stack" => |v| number(v).map(WasmLimit::MaxWasmStack),
        "timeout" => |v| kiln_abi::grants::parse_duration(v).map(WasmLimit::Timeout),
        "fuel" => |v| number(v).map(WasmLimit::Fuel),
        _ if ALWAYS_ON.contains(&key) => {
            return match value {
                None | Some("y" | "yes" | "true") => Ok(WasmLimit::AlwaysOn),
                Some(_) => Err(format!(
                    "unsupported option: {key}={} (Kiln always supports {key})",
                    value.unwrap_or_default()
                )),
            };
        }
        _ if WASMTIME_ONLY.contains(&key) => {
            return Err(format!(
                "unsupported option: {key} (Kiln implements -W {SUPPORTED})"
            ));
        }
        _ => return Err(format!("unknown option: {key}")),
    };
    let what = format!("failed to parse option `{part}`");
    let Some(value) = value else {
        return Err(caused(
            &what,
            "value must be specified with `key=val` syntax",
        ));
    };
    make(value).map_err(|why| caused(&what, &why))
}

/// Wasmtime's integers: decimal, or hex after `0x`.
fn number(v: &str) -> Result<u64, String> {
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    }
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposals_kiln_always_supports_are_accepted_on() {
        assert_eq!(
            parse_limits("component-model-async,component-model=y").unwrap(),
            vec![WasmLimit::AlwaysOn, WasmLimit::AlwaysOn]
        );
        assert_eq!(
            parse_limits("simd=n").unwrap_err(),
            "unsupported option: simd=n (Kiln always supports simd)"
        );
        assert!(
            parse_limits("component-model-async-stackful")
                .unwrap_err()
                .starts_with("unsupported option: component-model-async-stackful")
        );
    }

    #[test]
    fn parses_wasmtime_spellings() {
        assert_eq!(
            parse_limits("max-memory-size=65536,fuel=0x10").unwrap(),
            vec![WasmLimit::MaxMemorySize(65536), WasmLimit::Fuel(16)]
        );
        for (text, d) in [
            ("1", Duration::from_secs(1)),
            ("2s", Duration::from_secs(2)),
            ("500ms", Duration::from_millis(500)),
            ("10us", Duration::from_micros(10)),
            ("7μs", Duration::from_micros(7)),
            ("100ns", Duration::from_nanos(100)),
            ("0", Duration::ZERO),
        ] {
            assert_eq!(
                parse_limits(&format!("timeout={text}")).unwrap(),
                vec![WasmLimit::Timeout(d)],
                "{text}"
            );
        }
    }

    #[test]
    fn errors_carry_wasmtime_wording() {
        let err = |s: &str| parse_limits(s).unwrap_err();
        assert_eq!(
            err("timeout=2m"),
            caused(
                "failed to parse option `timeout=2m`",
                "failed to parse duration: 2m"
            )
        );
        assert_eq!(
            err("fuel=abc"),
            caused(
                "failed to parse option `fuel=abc`",
                "invalid digit found in string"
            )
        );
        assert_eq!(
            err("max-memory-size=99999999999999999999"),
            caused(
                "failed to parse option `max-memory-size=99999999999999999999`",
                "number too large to fit in target type"
            )
        );
        assert_eq!(
            err("max-memory-size="),
            caused(
                "failed to parse option `max-memory-size=`",
                "cannot parse integer from empty string"
            )
        );
        assert!(err("fuel").contains("value must be specified with `key=val` syntax"));
        assert_eq!(err("bogus=1"), "unknown option: bogus");
        assert_eq!(err("fuel=1,"), "unknown option: ");
        assert!(err("max-table-elements=5").starts_with("unsupported option: max-table-elements"));
        assert!(err("timeout=1.5s").contains("failed to parse duration: 1.5s"));
    }

    #[test]
    fn later_settings_win() {
        let o = LimitOptions {
            wasm: vec![
                parse_limits("fuel=1,max-wasm-stack=4096").unwrap(),
                parse_limits("fuel=2").unwrap(),
            ],
        };
        let l = o.limits();
        assert_eq!(l.fuel, Some(2));
        assert_eq!(l.max_wasm_stack, Some(4096));
        assert_eq!(l.timeout, None);
    }
}
