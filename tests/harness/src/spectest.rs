//! The `spectest` host module the spec scripts import from, written as our
//! own WAT and compiled by Kiln itself.
//!
//! Input: nothing. Output: [`Spectest::instantiate`], a fresh set of
//! instances per script (each script starts from pristine `spectest`
//! memory and table contents).
//!
//! Exports, as the reference interpreter defines them: `global_i32`/
//! `global_i64` = 666, `global_f32`/`global_f64` = 666.6, `table` (10..20
//! funcref), `memory` (1..2 pages), and `print*` functions that do nothing.
//! Extras that need a proposal live in their own modules and are left out
//! while Kiln cannot compile them (an import of one is then an
//! `unknown import`): `shared_memory` (1..1 pages, shared: threads) and
//! `table64` (10..20 funcref, 64-bit indices: memory64).

use crate::wast::compile_and_load;
use kiln_runtime_embed::{self as embed, Extern, Instance, Module};
use std::sync::OnceLock;

const BASE: &str = r#"(module
  (global (export "global_i32") i32 (i32.const 666))
  (global (export "global_i64") i64 (i64.const 666))
  (global (export "global_f32") f32 (f32.const 666.6))
  (global (export "global_f64") f64 (f64.const 666.6))
  (table (export "table") 10 20 funcref)
  (memory (export "memory") 1 2)
  (func (export "print"))
  (func (export "print_i32") (param i32))
  (func (export "print_i64") (param i64))
  (func (export "print_f32") (param f32))
  (func (export "print_f64") (param f64))
  (func (export "print_i32_f32") (param i32 f32))
  (func (export "print_f64_f64") (param f64 f64)))"#;

const EXTRAS: &[&str] = &[
    r#"(module (memory (export "shared_memory") 1 1 shared))"#,
    r#"(module (table (export "table64") i64 10 20 funcref))"#,
];

/// The compiled `spectest` modules (compiled once per process).
pub struct Spectest {
    base: Module,
    extras: Vec<Module>,
}

/// One script's `spectest` instances.
#[derive(Clone)]
pub struct SpectestInstances {
    instances: Vec<Instance>,
}

impl Spectest {
    /// The process-wide compiled modules.
    pub fn get() -> Result<&'static Spectest, String> {
        static SPECTEST: OnceLock<Result<Spectest, String>> = OnceLock::new();
        SPECTEST
            .get_or_init(|| {
                let compile = |wat: &str| {
                    let wasm = wat::parse_str(wat).map_err(|e| e.to_string())?;
                    compile_and_load(&wasm, None).map_err(|e| e.to_string())
                };
                let base = compile(BASE).map_err(|e| format!("spectest module: {e}"))?;
                // NB: an extra Kiln cannot compile yet is simply absent.
                let extras = EXTRAS.iter().filter_map(|wat| compile(wat).ok()).collect();
                Ok(Spectest { base, extras })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Fresh instances for one script.
    pub fn instantiate(&self) -> Result<SpectestInstances, String> {
        let mut instances = Vec::new();
        for module in std::iter::once(&self.base).chain(&self.extras) {
            instances.push(embed::instantiate(*module, &[]).map_err(|e| format!("spectest: {e}"))?);
        }
        Ok(SpectestInstances { instances })
    }
}

impl SpectestInstances {
    /// The export `name` of any of the instances.
    pub fn export(&self, name: &str) -> Option<Extern> {
        self.instances.iter().find_map(|i| i.export(name))
    }
}
