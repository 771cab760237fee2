//! The `.wast` script runner: every directive of a spec script, executed on
//! code compiled by Kiln's real compiler and loaded in-process.
//!
//! Input: a script's text and the wasm feature set of its suite. Output: a
//! [`ScriptOutcome`]: how many directives passed and, for each failure, its
//! line and what went wrong. The runner knows nothing about skip lists (see
//! [`crate::skip`]).
//!
//! Per directive:
//! - modules (binary, text and `quote` forms, named, `module definition` and
//!   `module instance`): compiled with `ImportPolicy::Linked` and the suite's
//!   features, loaded by [`crate::loader`], instantiated with imports
//!   resolved from `register`ed instances and [`crate::spectest`];
//! - `invoke`, `get`, `assert_return` (NaN patterns, lanes, references: see
//!   [`values`]), `assert_trap` on calls and on instantiation,
//!   `assert_exhaustion`, `assert_exception`;
//! - `assert_invalid` and `assert_malformed`: the compiler must reject the
//!   module as [`CompileError::Invalid`] (an `Unsupported` rejection is a
//!   failure, so unimplemented proposals show); text that the `wast` crate
//!   itself cannot encode counts as rejected, as in other engines' runners;
//! - `assert_unlinkable`: instantiation must fail to link;
//! - `thread`/`wait`: the thread's directives run on an OS thread with its
//!   own registrations (plus the shared module), joined at `wait`.
//!
//! Trap messages match as in Wasmtime's runner: the expected text is
//! contained in the trap's message, with its aliases (see
//! [`trap_message_matches`]).
//!
//! NB: loaded objects are leaked on purpose: the runtime's trap registry
//! keeps every module it has seen, and an instance whose instantiation
//! failed is kept alive, so unmapping code would let a later object reuse
//! its addresses.

pub mod values;

use crate::loader;
use crate::spectest::{Spectest, SpectestInstances};
use kiln_compiler::{CompileError, Config, ImportPolicy};
use kiln_runtime_embed::{self as embed, Extern, Instance, Module, Val};
use std::collections::HashMap;
use std::thread;
use wasmparser::WasmFeatures;
use wast::core::Module as WastModule;
use wast::parser::{self, ParseBuffer};
use wast::token::Span;
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, WastThread, Wat};

/// One failed directive.
#[derive(Clone, Debug)]
pub struct DirectiveFailure {
    /// 1-based line of the directive in the script.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

/// The result of one script.
#[derive(Clone, Debug, Default)]
pub struct ScriptOutcome {
    /// Directives that passed.
    pub passed: usize,
    /// Directives that failed, in script order.
    pub failures: Vec<DirectiveFailure>,
}

impl ScriptOutcome {
    fn merge(&mut self, other: ScriptOutcome) {
        self.passed += other.passed;
        self.failures.extend(other.failures);
    }
}

/// Compiles `wasm` for embedding (features: Kiln's supported set restricted
/// to `features`), loads it and returns the runtime's view of it. The
/// object stays mapped for the rest of the process.
pub fn compile_and_load(wasm: &[u8], features: Option<WasmFeatures>) -> Result<Module, Failure> {
    let config = Config {
        imports: ImportPolicy::Linked,
        features,
        ..Config::default()
    };
    let object = kiln_compiler::compile_module(wasm, &config).map_err(Failure::Compile)?;
    let loaded = loader::load(&object, &embed::symbol_address)
        .map_err(|e| Failure::Other(format!("loading the object failed: {e}")))?;
    let loaded: &'static loader::LoadedObject = Box::leak(Box::new(loaded));
    // SAFETY: `loaded` is leaked: mapped for the rest of the process.
    let desc = unsafe { loaded.module_descriptor() }.map_err(|e| Failure::Other(e.to_string()))?;
    // SAFETY: as above, the descriptor lives for the rest of the process.
    unsafe { Module::new(desc) }.map_err(Failure::Other)
}

/// Why a module could not be compiled and loaded.
#[derive(Debug)]
pub enum Failure {
    /// The compiler rejected it.
    Compile(CompileError),
    /// Anything else (encoding, loading).
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Compile(e) => write!(f, "compile error: {e}"),
            Failure::Other(m) => f.write_str(m),
        }
    }
}

/// Runs the script `text` (named `name` in messages) with the suite's
/// `features`.
pub fn run_script(name: &str, text: &str, features: WasmFeatures) -> ScriptOutcome {
    let fail_all = |message: String| ScriptOutcome {
        passed: 0,
        failures: vec![DirectiveFailure { line: 0, message }],
    };
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(name.ends_with("names.wast"));
    let buffer = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => return fail_all(format!("lexing failed: {e}")),
    };
    let script = match parser::parse::<Wast>(&buffer) {
        Ok(s) => s,
        Err(e) => return fail_all(format!("parsing failed: {e}")),
    };
    let spectest = match Spectest::get().and_then(Spectest::instantiate) {
        Ok(s) => s,
        Err(e) => return fail_all(e),
    };
    let mut cx = Context::new(text, features, spectest);
    thread::scope(|scope| cx.run(script.directives, scope))
}

/// The state of one script (or one `thread` of it).
struct Context<'t> {
    text: &'t str,
    features: WasmFeatures,
    spectest: SpectestInstances,
    /// `register`ed instances, by name.
    registered: HashMap<String, Instance>,
    /// Instances of named modules (`$id`).
    named: HashMap<String, Instance>,
    /// The most recent instance.
    current: Option<Instance>,
    /// `module definition`s, by `$id` (`None`: unnamed).
    definitions: HashMap<Option<String>, Module>,
    outcome: ScriptOutcome,
}

/// A running `thread` block.
type ThreadHandle<'scope> = thread::ScopedJoinHandle<'scope, ScriptOutcome>;

impl<'t> Context<'t> {
    fn new(text: &'t str, features: WasmFeatures, spectest: SpectestInstances) -> Context<'t> {
        Context {
            text,
            features,
            spectest,
            registered: HashMap::new(),
            named: HashMap::new(),
            current: None,
            definitions: HashMap::new(),
            outcome: ScriptOutcome::default(),
        }
    }

    fn line(&self, span: Span) -> usize {
        span.linecol_in(self.text).0 + 1
    }

    fn run<'scope>(
        &mut self,
        directives: Vec<WastDirective<'t>>,
        scope: &'scope thread::Scope<'scope, '_>,
    ) -> ScriptOutcome
    where
        't: 'scope,
    {
        let mut threads: HashMap<String, ThreadHandle<'scope>> = HashMap::new();
        for directive in directives {
            let line = self.line(directive.span());
            let result = match directive {
                WastDirective::Thread(t) => self.spawn(t, scope, &mut threads),
                WastDirective::Wait { thread, .. } => match threads.remove(thread.name()) {
                    Some(handle) => match handle.join() {
                        Ok(outcome) => {
                            self.outcome.merge(outcome);
                            Ok(())
                        }
                        Err(_) => Err(format!("thread `{}` panicked", thread.name())),
                    },
                    None => Err(format!("no thread named `{}`", thread.name())),
                },
                other => self.directive(other),
            };
            match result {
                Ok(()) => self.outcome.passed += 1,
                Err(message) => self
                    .outcome
                    .failures
                    .push(DirectiveFailure { line, message }),
            }
        }
        for (name, handle) in threads {
            let line = 0;
            match handle.join() {
                Ok(outcome) => self.outcome.merge(outcome),
                Err(_) => self.outcome.failures.push(DirectiveFailure {
                    line,
                    message: format!("thread `{name}` panicked"),
                }),
            }
        }
        std::mem::take(&mut self.outcome)
    }

    fn spawn<'scope>(
        &mut self,
        t: WastThread<'t>,
        scope: &'scope thread::Scope<'scope, '_>,
        threads: &mut HashMap<String, ThreadHandle<'scope>>,
    ) -> Result<(), String>
    where
        't: 'scope,
    {
        let mut child = Context::new(self.text, self.features, self.spectest.clone());
        if let Some(shared) = t.shared_module {
            let instance = self
                .named
                .get(shared.name())
                .ok_or_else(|| format!("no module named `{}` to share", shared.name()))?;
            // The thread's `(register "name" $id)` names the shared module;
            // like Wasmtime, imports may also name it by its `$id`.
            child
                .named
                .insert(shared.name().to_string(), instance.clone());
            child
                .registered
                .insert(shared.name().to_string(), instance.clone());
        }
        let directives = t.directives;
        let handle = thread::Builder::new()
            .name(format!("wast-thread-{}", t.name.name()))
            .spawn_scoped(scope, move || thread::scope(|s| child.run(directives, s)))
            .map_err(|e| format!("spawning a thread failed: {e}"))?;
        threads.insert(t.name.name().to_string(), handle);
        Ok(())
    }

    fn directive(&mut self, directive: WastDirective<'t>) -> Result<(), String> {
        match directive {
            WastDirective::Module(mut module) => {
                let name = quote_name(&module);
                let module = self.compile(&mut module).map_err(|e| e.to_string())?;
                let instance = self.instantiate(module).map_err(|e| e.to_string())?;
                if let Some(name) = name {
                    self.named.insert(name, instance.clone());
                }
                self.current = Some(instance);
                Ok(())
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = quote_name(&module);
                let module = self.compile(&mut module).map_err(|e| e.to_string())?;
                self.definitions.insert(name, module);
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let key = module.map(|m| m.name().to_string());
                let module = *self
                    .definitions
                    .get(&key)
                    .ok_or_else(|| format!("no module definition {key:?}"))?;
                let inst = self.instantiate(module).map_err(|e| e.to_string())?;
                if let Some(name) = instance {
                    self.named.insert(name.name().to_string(), inst.clone());
                }
                self.current = Some(inst);
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module.map(|m| m.name()))?;
                self.registered.insert(name.to_string(), instance);
                Ok(())
            }
            WastDirective::Invoke(invoke) => self
                .invoke(&invoke)?
                .map(drop)
                .map_err(|t| format!("unexpected trap: {}", t.message)),
            WastDirective::AssertReturn { exec, results, .. } => {
                let actual = match exec {
                    WastExecute::Invoke(invoke) => self
                        .invoke(&invoke)?
                        .map_err(|t| format!("unexpected trap: {}", t.message))?,
                    WastExecute::Get { module, global, .. } => {
                        vec![self.get(module.map(|m| m.name()), global)?]
                    }
                    WastExecute::Wat(_) => {
                        return Err("assert_return of a module is not supported".into());
                    }
                };
                values::match_results(&actual, &results)
            }
            WastDirective::AssertTrap { exec, message, .. } => match exec {
                WastExecute::Invoke(invoke) => match self.invoke(&invoke)? {
                    Ok(vals) => Err(format!(
                        "expected trap `{message}`, got {}",
                        values::show_vals(&vals)
                    )),
                    Err(trap) => expect_trap_message(message, &trap.message),
                },
                WastExecute::Wat(mut wat) => {
                    let module = self.compile_wat(&mut wat).map_err(|e| e.to_string())?;
                    match self.instantiate(module) {
                        Ok(_) => Err(format!(
                            "expected trap `{message}`, instantiation succeeded"
                        )),
                        Err(InstantiateError::Runtime(embed::Error::Trap(trap))) => {
                            expect_trap_message(message, &trap.message)
                        }
                        Err(e) => Err(format!("expected trap `{message}`, got {e}")),
                    }
                }
                WastExecute::Get { .. } => Err("assert_trap of `get` is not supported".into()),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Ok(vals) => Err(format!(
                    "expected exhaustion `{message}`, got {}",
                    values::show_vals(&vals)
                )),
                Err(trap) => expect_trap_message(message, &trap.message),
            },
            WastDirective::AssertException { exec, .. } => match exec {
                WastExecute::Invoke(invoke) => match self.invoke(&invoke)? {
                    Ok(vals) => Err(format!(
                        "expected an exception, got {}",
                        values::show_vals(&vals)
                    )),
                    Err(trap) if trap.code.is_none() && trap.message.contains("exception") => {
                        Ok(())
                    }
                    Err(trap) => Err(format!(
                        "expected an exception, got trap `{}`",
                        trap.message
                    )),
                },
                _ => Err("assert_exception of a module or `get` is not supported".into()),
            },
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            }
            | WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => self.expect_rejected(&mut module, message),
            // A malformed or invalid *custom section* (the annotations
            // proposal) is no error of the module: the core spec leaves
            // custom sections' contents unchecked, so an engine loads it.
            WastDirective::AssertInvalidCustom { mut module, .. }
            | WastDirective::AssertMalformedCustom { mut module, .. } => self
                .compile(&mut module)
                .map(drop)
                .map_err(|e| format!("a module with a bad custom section must load: {e}")),
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let module = self.compile_wat(&mut module).map_err(|e| e.to_string())?;
                match self.instantiate(module) {
                    Ok(_) => Err(format!(
                        "expected link error `{message}`, instantiation succeeded"
                    )),
                    Err(InstantiateError::UnknownImport(m))
                    | Err(InstantiateError::Runtime(embed::Error::Link(m))) => {
                        if m.contains(message) {
                            Ok(())
                        } else {
                            Err(format!("expected link error `{message}`, got `{m}`"))
                        }
                    }
                    Err(e) => Err(format!("expected link error `{message}`, got {e}")),
                }
            }
            WastDirective::AssertSuspension { .. } => {
                Err("assert_suspension (stack switching) is not supported".into())
            }
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                unreachable!("handled by `run`")
            }
        }
    }

    /// `assert_invalid` / `assert_malformed`: the module must not compile.
    fn expect_rejected(&self, module: &mut QuoteWat<'_>, message: &str) -> Result<(), String> {
        let bytes = match module {
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)) => {
                return Err("components are not supported".into());
            }
            // NB: text the `wast` crate refuses to encode is malformed (or
            // invalid) before it reaches any engine.
            _ => match module.encode() {
                Ok(bytes) => bytes,
                Err(_) => return Ok(()),
            },
        };
        let config = Config {
            imports: ImportPolicy::Linked,
            features: Some(self.features),
            ..Config::default()
        };
        match kiln_compiler::compile_module(&bytes, &config) {
            Err(CompileError::Invalid { .. }) => Ok(()),
            Err(e) => Err(format!("expected invalid module (`{message}`), got: {e}")),
            Ok(_) => Err(format!(
                "expected invalid module (`{message}`), it compiled"
            )),
        }
    }

    fn compile(&self, module: &mut QuoteWat<'_>) -> Result<Module, Failure> {
        if matches!(
            module,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            return Err(Failure::Other("components are not supported".into()));
        }
        let bytes = module
            .encode()
            .map_err(|e| Failure::Other(format!("encoding the module failed: {e}")))?;
        compile_and_load(&bytes, Some(self.features))
    }

    fn compile_wat(&self, wat: &mut Wat<'_>) -> Result<Module, Failure> {
        if matches!(wat, Wat::Component(_)) {
            return Err(Failure::Other("components are not supported".into()));
        }
        let bytes = wat
            .encode()
            .map_err(|e| Failure::Other(format!("encoding the module failed: {e}")))?;
        compile_and_load(&bytes, Some(self.features))
    }

    /// Instantiates `module`, resolving its imports by (module, name).
    fn instantiate(&self, module: Module) -> Result<Instance, InstantiateError> {
        let mut imports = Vec::new();
        for import in module
            .imports
            .iter()
            .filter(|d| d.flags & kiln_abi::descriptor::IMPORT_FLAG_HOST == 0)
        {
            // SAFETY: descriptor strings of a loaded (leaked) object.
            let (m, n) = unsafe {
                (
                    kiln_vm::descriptor::str_bytes(import.module),
                    kiln_vm::descriptor::str_bytes(import.name),
                )
            };
            let (m, n) = (String::from_utf8_lossy(m), String::from_utf8_lossy(n));
            let found = if m == "spectest" && !self.registered.contains_key("spectest") {
                self.spectest.export(&n)
            } else {
                self.registered.get(m.as_ref()).and_then(|i| i.export(&n))
            };
            imports.push(found.ok_or_else(|| {
                InstantiateError::UnknownImport(format!("unknown import: `{m}::{n}`"))
            })?);
        }
        embed::instantiate(module, &imports).map_err(InstantiateError::Runtime)
    }

    fn instance(&self, name: Option<&str>) -> Result<Instance, String> {
        match name {
            Some(name) => self
                .named
                .get(name)
                .cloned()
                .ok_or_else(|| format!("no module named `{name}`")),
            None => self
                .current
                .clone()
                .ok_or_else(|| "no module instantiated yet".to_string()),
        }
    }

    /// Calls an export: `Err` for a harness problem, `Ok(Err)` for a trap.
    fn invoke(&self, invoke: &WastInvoke<'_>) -> Result<Result<Vec<Val>, embed::Trap>, String> {
        let instance = self.instance(invoke.module.map(|m| m.name()))?;
        let Some(Extern::Func(func)) = instance.export(invoke.name) else {
            return Err(format!("no exported function `{}`", invoke.name));
        };
        let (params, _) = func.ty();
        let args = invoke
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| values::arg_to_val(a, params.get(i).copied()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(func.call(&args))
    }

    fn get(&self, module: Option<&str>, global: &str) -> Result<Val, String> {
        let instance = self.instance(module)?;
        match instance.export(global) {
            Some(Extern::Global(g)) => Ok(g.get()),
            _ => Err(format!("no exported global `{global}`")),
        }
    }
}

/// Why instantiation failed.
#[derive(Debug)]
enum InstantiateError {
    /// No registered instance provides an import.
    UnknownImport(String),
    /// The runtime refused (link error, trap, other).
    Runtime(embed::Error),
}

impl std::fmt::Display for InstantiateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstantiateError::UnknownImport(m) => f.write_str(m),
            InstantiateError::Runtime(embed::Error::Link(m)) => write!(f, "link error: {m}"),
            InstantiateError::Runtime(embed::Error::Trap(t)) => write!(f, "trap: {}", t.message),
            InstantiateError::Runtime(embed::Error::Other(m)) => {
                write!(f, "instantiation failed: {m}")
            }
        }
    }
}

/// The `$id` of a module directive.
fn quote_name(module: &QuoteWat<'_>) -> Option<String> {
    match module {
        QuoteWat::Wat(Wat::Module(WastModule { id, .. })) => id.map(|id| id.name().to_string()),
        _ => module.name().map(|id| id.name().to_string()),
    }
}

fn expect_trap_message(expected: &str, actual: &str) -> Result<(), String> {
    if trap_message_matches(expected, actual) {
        Ok(())
    } else {
        Err(format!("expected trap `{expected}`, got `{actual}`"))
    }
}

/// Whether a trap with message `actual` satisfies the script's `expected`
/// text: containment, plus the aliases Wasmtime's runner accepts for
/// messages that name details engines do not report.
pub fn trap_message_matches(expected: &str, actual: &str) -> bool {
    actual.contains(expected)
        // `bulk.wast` names the uninitialized element's index.
        || (expected.contains("uninitialized element 2") && actual.contains("uninitialized element"))
        // `call_ref` on null.
        || (expected.contains("null function")
            && (actual.contains("uninitialized element") || actual.contains("null reference")))
        // "null $kind reference".
        || (expected.contains("null") && expected.contains("reference") && actual.contains("null reference"))
}

#[cfg(test)]
mod runner_tests;

#[cfg(test)]
mod tests {
    use super::trap_message_matches;

    #[test]
    fn trap_messages_match_like_wasmtime() {
        assert!(trap_message_matches(
            "unreachable",
            "wasm `unreachable` instruction executed"
        ));
        assert!(trap_message_matches(
            "undefined element",
            "undefined element: out of bounds table access"
        ));
        assert!(trap_message_matches(
            "out of bounds table access",
            "undefined element: out of bounds table access"
        ));
        assert!(trap_message_matches(
            "uninitialized element 2",
            "uninitialized element"
        ));
        assert!(trap_message_matches(
            "null function reference",
            "null reference"
        ));
        assert!(!trap_message_matches(
            "integer overflow",
            "integer divide by zero"
        ));
    }
}
