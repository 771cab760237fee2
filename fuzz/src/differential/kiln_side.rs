//! Kiln's side of the differential target: compile with
//! `ImportPolicy::Linked`, load the object in-process
//! (`kiln_test_harness::loader`), instantiate and call through
//! `kiln_runtime_embed`.
//!
//! Resources: a successful instance is torn down completely on drop (the
//! instance, then its registration in the runtime's trap registry, then
//! the object's mapping), so a long fuzz run does not grow. An instance
//! whose instantiation failed is kept alive by the runtime (its funcrefs
//! may have escaped), so its object is leaked too; `fuzz/run.sh` restarts
//! the fuzzer periodically to bound that.

use super::value::{ExportKind, Outcome, State, Value, fnv1a, table_state};
use kiln_compiler::{CompileError, Config, ImportPolicy};
use kiln_runtime_embed::{self as embed, Extern, Instance, Val};
use kiln_test_harness::loader::{self, LoadedObject};

/// Why no instance was made.
#[derive(Debug)]
pub enum NewError {
    /// The compiler refused the module.
    Compile(String),
    /// Instantiation trapped or failed.
    Instantiate(Outcome),
}

/// One compiled, loaded and instantiated module.
pub struct KilnInstance {
    // NB: field order is drop order: the instance goes before the object
    // holding its code.
    instance: Option<Instance>,
    desc: *const kiln_abi::descriptor::ModuleDescriptor,
    _object: LoadedObject,
}

impl Drop for KilnInstance {
    fn drop(&mut self) {
        drop(self.instance.take());
        kiln_vm::traps::registry::unregister_module(self.desc);
    }
}

/// Compiles `wasm` for embedding (verifier on).
pub fn compile(wasm: &[u8]) -> Result<Vec<u8>, CompileError> {
    let config = Config {
        imports: ImportPolicy::Linked,
        verify: true,
        ..Config::default()
    };
    kiln_compiler::compile_module(wasm, &config)
}

impl KilnInstance {
    /// Compiles, loads and instantiates `wasm`.
    pub fn new(wasm: &[u8]) -> Result<KilnInstance, NewError> {
        let object = compile(wasm).map_err(|e| NewError::Compile(e.to_string()))?;
        let loaded = loader::load(&object, &embed::symbol_address)
            .map_err(|e| NewError::Compile(format!("loading the object: {e}")))?;
        // SAFETY: `loaded` stays mapped while the descriptor is used: it is
        // owned by the returned `KilnInstance` (dropped after the instance)
        // or leaked below.
        let desc = unsafe { loaded.module_descriptor() }
            .map_err(|e| NewError::Compile(format!("loading the object: {e}")))?;
        // SAFETY: as above.
        let module = unsafe { embed::Module::new(desc) }
            .map_err(|e| NewError::Compile(format!("reading the descriptor: {e}")))?;
        match embed::instantiate(module, &[]) {
            Ok(instance) => Ok(KilnInstance {
                instance: Some(instance),
                desc,
                _object: loaded,
            }),
            Err(e) => {
                // The runtime keeps the failed instance: keep its code.
                std::mem::forget(loaded);
                Err(NewError::Instantiate(match e {
                    embed::Error::Trap(t) => trap_outcome(&t),
                    other => Outcome::Other(format!("Kiln: {other}")),
                }))
            }
        }
    }

    fn instance(&self) -> &Instance {
        self.instance.as_ref().expect("present until drop")
    }

    /// Every export's name and kind, in export order.
    pub fn export_kinds(&self) -> Vec<(String, ExportKind)> {
        self.instance()
            .exports()
            .into_iter()
            .map(|(name, e)| {
                let kind = match e {
                    Extern::Func(_) => ExportKind::Func,
                    Extern::Global(_) => ExportKind::Global,
                    Extern::Memory(_) => ExportKind::Memory,
                    Extern::Table(_) => ExportKind::Table,
                    Extern::Tag(_) => ExportKind::Tag,
                };
                (name, kind)
            })
            .collect()
    }

    /// Calls export `name`.
    pub fn call(&self, name: &str, args: &[Value]) -> Outcome {
        let Some(Extern::Func(func)) = self.instance().export(name) else {
            return Outcome::Other(format!("Kiln: no function export `{name}`"));
        };
        let (params, _) = func.ty();
        let args: Vec<Val> = args
            .iter()
            .zip(&params)
            .map(|(a, ty)| to_kiln(*a, *ty))
            .collect();
        match func.call(&args) {
            Ok(results) => Outcome::Values(results.iter().map(from_kiln).collect()),
            Err(t) => trap_outcome(&t),
        }
    }

    /// State of exported global `name`.
    pub fn global(&self, name: &str) -> State {
        match self.instance().export(name) {
            Some(Extern::Global(g)) => State::Global(from_kiln(&g.get())),
            _ => State::Missing,
        }
    }

    /// State of exported memory `name`.
    pub fn memory(&self, name: &str) -> State {
        match self.instance().export(name) {
            Some(Extern::Memory(m)) => {
                let (base, len) = m.data();
                // SAFETY: the memory's accessible bytes; nothing runs
                // concurrently.
                let data = unsafe { std::slice::from_raw_parts(base, len) };
                State::Memory {
                    bytes: len as u64,
                    hash: fnv1a(data),
                }
            }
            _ => State::Missing,
        }
    }

    /// State of exported table `name`.
    pub fn table(&self, name: &str) -> State {
        match self.instance().export(name) {
            Some(Extern::Table(t)) => table_state(t.size(), |i| {
                t.get(i)
                    .is_none_or(|v| matches!(v, Val::FuncRef(0) | Val::ExternRef(0)))
            }),
            _ => State::Missing,
        }
    }
}

fn trap_outcome(t: &embed::Trap) -> Outcome {
    match t.code {
        Some(code) => Outcome::Trap(code),
        None => Outcome::Error(format!("Kiln trap without a code: {}", t.message)),
    }
}

fn to_kiln(v: Value, ty: embed::ValType) -> Val {
    match v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(b) => Val::F32(b),
        Value::F64(b) => Val::F64(b),
        Value::V128(b) => Val::V128(b),
        Value::Ref { .. } => match ty {
            embed::ValType::ExternRef => Val::ExternRef(0),
            embed::ValType::ExnRef => Val::ExnRef(0),
            _ => Val::FuncRef(0),
        },
    }
}

fn from_kiln(v: &Val) -> Value {
    match *v {
        Val::I32(x) => Value::I32(x),
        Val::I64(x) => Value::I64(x),
        Val::F32(b) => Value::F32(b),
        Val::F64(b) => Value::F64(b),
        Val::V128(b) => Value::V128(b),
        Val::FuncRef(p) | Val::ExternRef(p) | Val::ExnRef(p) => Value::Ref { null: p == 0 },
    }
}
