//! The reference side of the differential target: the `wasmi` interpreter.
//!
//! Input: the module's bytes and the proposals to enable (exactly the ones
//! the generator used). Output: a [`WasmiInstance`] answering in the
//! engine-neutral terms of [`super::value`].

use super::map_wasmi_trap;
use super::value::{ExportKind, Outcome, State, Value, fnv1a, table_state};
use wasmi::{Engine, Extern, Instance, Module, Store, Val};
use wasmparser::{RefType, ValType as WasmValType, WasmFeatures};

/// Why no instance was made.
#[derive(Debug)]
pub enum NewError {
    /// wasmi does not accept the module (not a finding: the reference
    /// lacks something).
    Refused(String),
    /// Instantiation trapped or failed: compared with Kiln's.
    Instantiate(Outcome),
}

/// One module instantiated in its own wasmi store.
pub struct WasmiInstance {
    store: Store<()>,
    instance: Instance,
}

impl WasmiInstance {
    /// Compiles and instantiates `wasm` with exactly `features` enabled.
    pub fn new(wasm: &[u8], features: WasmFeatures) -> Result<WasmiInstance, NewError> {
        let has = |f| features.contains(f);
        let mut config = wasmi::Config::default();
        config
            .wasm_mutable_global(has(WasmFeatures::MUTABLE_GLOBAL))
            .wasm_sign_extension(has(WasmFeatures::SIGN_EXTENSION))
            .wasm_saturating_float_to_int(has(WasmFeatures::SATURATING_FLOAT_TO_INT))
            .wasm_multi_value(has(WasmFeatures::MULTI_VALUE))
            .wasm_multi_memory(has(WasmFeatures::MULTI_MEMORY))
            .wasm_bulk_memory(has(WasmFeatures::BULK_MEMORY))
            .wasm_reference_types(has(WasmFeatures::REFERENCE_TYPES))
            .wasm_tail_call(has(WasmFeatures::TAIL_CALL))
            .wasm_extended_const(has(WasmFeatures::EXTENDED_CONST))
            .wasm_custom_page_sizes(has(WasmFeatures::CUSTOM_PAGE_SIZES))
            .wasm_memory64(has(WasmFeatures::MEMORY64))
            .wasm_wide_arithmetic(has(WasmFeatures::WIDE_ARITHMETIC))
            .wasm_simd(has(WasmFeatures::SIMD))
            .wasm_relaxed_simd(has(WasmFeatures::RELAXED_SIMD));
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wasm).map_err(|e| NewError::Refused(e.to_string()))?;
        let mut store = Store::new(&engine, ());
        match Instance::new(&mut store, &module, &[]) {
            Ok(instance) => Ok(WasmiInstance { store, instance }),
            Err(e) => Err(NewError::Instantiate(error_outcome(&e))),
        }
    }

    /// Every export's name and kind, in export order.
    pub fn export_kinds(&self) -> Vec<(String, ExportKind)> {
        self.instance
            .exports(&self.store)
            .map(|e| {
                let name = e.name().to_string();
                let kind = match e.into_extern() {
                    Extern::Func(_) => ExportKind::Func,
                    Extern::Global(_) => ExportKind::Global,
                    Extern::Memory(_) => ExportKind::Memory,
                    Extern::Table(_) => ExportKind::Table,
                };
                (name, kind)
            })
            .collect()
    }

    /// Every exported function's name and parameter types, in export order.
    pub fn funcs(&self) -> Vec<(String, Vec<WasmValType>)> {
        self.instance
            .exports(&self.store)
            .filter_map(|e| {
                let name = e.name().to_string();
                let func = e.into_func()?;
                let params = func.ty(&self.store).params().iter().map(val_type).collect();
                Some((name, params))
            })
            .collect()
    }

    /// Calls export `name`.
    pub fn call(&mut self, name: &str, args: &[Value]) -> Outcome {
        let Some(func) = self.instance.get_func(&self.store, name) else {
            return Outcome::Other(format!("no function export `{name}`"));
        };
        let ty = func.ty(&self.store);
        let args: Vec<Val> = args
            .iter()
            .zip(ty.params())
            .map(|(a, t)| to_wasmi(*a, t))
            .collect();
        let mut results: Vec<Val> = ty
            .results()
            .iter()
            .map(|t| Val::default(*t))
            .collect();
        match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Outcome::Values(results.iter().map(from_wasmi).collect()),
            Err(e) => error_outcome(&e),
        }
    }

    /// State of exported global `name`.
    pub fn global(&self, name: &str) -> State {
        match self.instance.get_global(&self.store, name) {
            Some(g) => State::Global(from_wasmi(&g.get(&self.store))),
            None => State::Missing,
        }
    }

    /// State of exported memory `name`.
    pub fn memory(&self, name: &str) -> State {
        match self.instance.get_memory(&self.store, name) {
            Some(m) => {
                let data = m.data(&self.store);
                State::Memory {
                    bytes: data.len() as u64,
                    hash: fnv1a(data),
                }
            }
            None => State::Missing,
        }
    }

    /// State of exported table `name`.
    pub fn table(&self, name: &str) -> State {
        match self.instance.get_table(&self.store, name) {
            Some(t) => table_state(t.size(&self.store), |i| {
                t.get(&self.store, i).is_none_or(|r| ref_is_null(&r))
            }),
            None => State::Missing,
        }
    }
}

fn error_outcome(e: &wasmi::Error) -> Outcome {
    if let Some(code) = e.as_trap_code() {
        return match map_wasmi_trap(code) {
            Some(code) => Outcome::Trap(code),
            None => Outcome::Other(format!("wasmi: {e}")),
        };
    }
    // An active element segment that does not fit is the spec's table
    // out-of-bounds trap; wasmi reports it as an instantiation error.
    if matches!(
        e.kind(),
        wasmi::errors::ErrorKind::Instantiation(
            wasmi::errors::InstantiationError::ElementSegmentDoesNotFit { .. }
        )
    ) {
        return Outcome::Trap(kiln_abi::trap::TrapCode::TableOutOfBounds);
    }
    Outcome::Other(format!("wasmi: {e}"))
}

fn val_type(t: &wasmi::ValType) -> WasmValType {
    match t {
        wasmi::ValType::I32 => WasmValType::I32,
        wasmi::ValType::I64 => WasmValType::I64,
        wasmi::ValType::F32 => WasmValType::F32,
        wasmi::ValType::F64 => WasmValType::F64,
        wasmi::ValType::V128 => WasmValType::V128,
        wasmi::ValType::FuncRef => WasmValType::Ref(RefType::FUNCREF),
        wasmi::ValType::ExternRef => WasmValType::Ref(RefType::EXTERNREF),
    }
}

fn to_wasmi(v: Value, ty: &wasmi::ValType) -> Val {
    match v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(b) => Val::F32(wasmi::F32::from_bits(b)),
        Value::F64(b) => Val::F64(wasmi::F64::from_bits(b)),
        Value::V128(b) => Val::V128(wasmi::V128::from(b)),
        Value::Ref { .. } => Val::default(*ty),
    }
}

fn from_wasmi(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(f) => Value::F32(f.to_bits()),
        Val::F64(f) => Value::F64(f.to_bits()),
        Val::V128(b) => Value::V128(b.as_u128()),
        Val::FuncRef(r) => Value::Ref { null: r.is_null() },
        Val::ExternRef(r) => Value::Ref { null: r.is_null() },
    }
}

/// Whether a table element is a null reference.
fn ref_is_null(v: &Val) -> bool {
    match v {
        Val::FuncRef(r) => r.is_null(),
        Val::ExternRef(r) => r.is_null(),
        _ => false,
    }
}
