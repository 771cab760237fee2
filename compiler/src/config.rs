//! Compile settings: one struct passed down through every phase (no global
//! state).

use std::time::Duration;

/// Cranelift optimization level (`-O`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum OptLevel {
    /// No optimization (`-O0`).
    None,
    /// Optimize for speed (`-O1`/`-O2`, the default).
    #[default]
    Speed,
    /// Optimize for speed and size (`-Os`).
    SpeedAndSize,
}

/// Which CPU features generated code may use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum CpuSpec {
    /// The portable baseline of the target (x86-64-v2 on x86_64), with a
    /// second tier for the few functions that gain most from x86-64-v3
    /// (`pipeline::tiers`), chosen at start-up.
    #[default]
    Baseline,
    /// An x86_64 feature level (`--cpu x86-64-v2` or `x86-64-v3`): exactly
    /// its features, one tier.
    X86Level(u8),
    /// Whatever the build machine has (`--cpu native`).
    Native,
    /// The baseline plus these Cranelift ISA flags (e.g. `has_avx2`).
    Features(Vec<String>),
}

/// Capabilities baked into the executable (see `kiln_abi::grants`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Grants {
    /// Preopened directories: (host path, guest path).
    pub dirs: Vec<(String, String)>,
    /// Environment variables: (name, value); `None` = inherit the host's value.
    pub envs: Vec<(String, Option<String>)>,
    /// `kiln_abi::grants::GRANT_FLAG_*` bits.
    pub flags: u32,
    /// Export to call instead of `_start`.
    pub invoke: Option<String>,
    /// The wasm file's name, for messages.
    pub program: String,
    /// Limits for the guest (`kiln_abi::grants::LimitsDesc`).
    pub limits: Limits,
    /// The address a server listens on (`kiln build --addr`); `None`:
    /// `kiln_abi::grants::DEFAULT_SERVE_ADDR`.
    pub serve_addr: Option<String>,
}

/// Limits for untrusted code, as `wasmtime run -W` spells them; `None` = not
/// limited (the stack: Kiln's default, `kiln_abi::MAX_WASM_STACK`). Baked
/// into the executable; `timeout` and `fuel` also need the matching code
/// ([`Config::epoch_interruption`], [`Config::consume_fuel`]).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Limits {
    /// `max-memory-size`: most bytes of any linear memory.
    pub max_memory_size: Option<u64>,
    /// `max-wasm-stack`: most native stack bytes wasm may use.
    pub max_wasm_stack: Option<u64>,
    /// `timeout`: wall-clock time after which wasm traps with `interrupt`.
    pub timeout: Option<Duration>,
    /// `fuel`: fuel units before wasm traps with `all fuel consumed by
    /// WebAssembly`.
    pub fuel: Option<u64>,
}

/// How a module's imports are provided.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum ImportPolicy {
    /// Standalone executables: imports must be WASI P1 functions, bound at
    /// compile time to the runtime's `__kiln_p1_*`; any other import is a
    /// compile error (`CompileError::UnknownImport`).
    #[default]
    WasiP1,
    /// In-process embedding (spec tests, fuzzing, components): every import,
    /// whatever its module name, is a `VMContext` slot the runtime fills at
    /// instantiation (`kiln_runtime_embed::instantiate`): functions through
    /// `VMFunctionImport`, memories, tables and globals through pointers to
    /// the owner's definitions.
    Linked,
}

/// Everything that decides the output object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Config {
    /// Target triple; `None` = the host.
    pub target: Option<String>,
    /// Optimization level.
    pub opt_level: OptLevel,
    /// CPU features.
    pub cpu: CpuSpec,
    /// Baked grants.
    pub grants: Grants,
    /// Leave the grants out of the object (`__kiln_grants` stays
    /// undefined): the code then depends on nothing in [`Config::grants`],
    /// so one such object serves builds that differ only in their grants
    /// (the CLI caches it), each linked with its own [`crate::compile_grants`]
    /// object.
    pub omit_grants: bool,
    /// How imports are provided.
    pub imports: ImportPolicy,
    /// Restricts the proposals validation accepts to these (`None`: every
    /// proposal Kiln supports, the CLI's setting). The spec test harness
    /// validates each suite with that suite's feature set, so that a module
    /// a later proposal makes valid is still `Invalid` for WebAssembly 2.0.
    pub features: Option<wasmparser::WasmFeatures>,
    /// Run the Cranelift verifier (also on with `KILN_VERIFY=1` in the CLI,
    /// and always in debug builds).
    pub verify: bool,
    /// Emit interruption checks (`-W timeout`): every function entry and
    /// loop header loads the `VMContext`'s interrupt flag and traps with
    /// `interrupt` once it is set. Off: no code at all.
    pub epoch_interruption: bool,
    /// Emit fuel accounting (`-W fuel`, Wasmtime's scheme: see
    /// `func/limits.rs`). Off: no code at all.
    pub consume_fuel: bool,
    /// Resolve the backtrace frames' source locations from the module's
    /// DWARF into the object (`kiln_abi::debug_symbols`), for reports
    /// under `WASMTIME_BACKTRACE_DETAILS=1`. The CLI sets it when that
    /// variable is `1` at build time, as Wasmtime reads it when it
    /// compiles: the table costs about 10 bytes a call or trap site, and
    /// Rust's standard library brings DWARF into every unstripped module
    /// (a WASI 0.2 hello world: 150 KB more).
    pub backtrace_details: bool,
    /// Where to count compiled functions (off by default).
    pub progress: Progress,
}

impl Config {
    /// The code-generation switches the translator needs.
    pub fn checks(&self) -> Checks {
        Checks {
            interrupt: self.epoch_interruption,
            fuel: self.consume_fuel,
        }
    }
}

/// Which run-time limit checks compiled code contains.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Checks {
    /// Interruption checks ([`Config::epoch_interruption`]).
    pub interrupt: bool,
    /// Fuel accounting ([`Config::consume_fuel`]).
    pub fuel: bool,
}

/// Where the compiler reports how far it is: a sink of counts the caller
/// may display (the CLI draws a progress line on long compiles). The
/// compiler adds the number of functions it is about to compile
/// ([`Progress::add_total`]) and counts each one done
/// ([`Progress::add_done`]), from its worker threads. Not part of what a
/// compile produces: every `Progress` compares equal and hashes to nothing,
/// so it never changes a cache key.
#[derive(Clone, Default)]
pub struct Progress(Option<std::sync::Arc<ProgressCounts>>);

/// The counters behind a [`Progress`].
#[derive(Debug, Default)]
pub struct ProgressCounts {
    /// Functions (and trampolines) to compile, as known so far.
    pub total: std::sync::atomic::AtomicUsize,
    /// Functions compiled.
    pub done: std::sync::atomic::AtomicUsize,
}

impl Progress {
    /// A progress sink the caller reads through `counts`.
    pub fn new(counts: std::sync::Arc<ProgressCounts>) -> Progress {
        Progress(Some(counts))
    }

    /// `n` more functions are about to be compiled.
    pub fn add_total(&self, n: usize) {
        if let Some(c) = &self.0 {
            c.total.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// `n` more functions are compiled.
    pub fn add_done(&self, n: usize) {
        if let Some(c) = &self.0 {
            c.done.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}

impl PartialEq for Progress {
    fn eq(&self, _: &Progress) -> bool {
        true
    }
}

impl Eq for Progress {}

impl std::hash::Hash for Progress {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}
