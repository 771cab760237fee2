//! Validation of the input with Kiln's feature set, and naming the feature a
//! rejected module needs.
//!
//! Phase 1 (WHAT), alongside [`super::translate`]. Input: the raw bytes,
//! payload by payload. Output: `Ok(())` if the bytes are a valid core module
//! using only WebAssembly 2.0 without SIMD; otherwise
//! [`CompileError::Unsupported`] naming the proposal the module uses (found
//! by re-validating with candidate proposals enabled one at a time) or
//! [`CompileError::Invalid`].
//!
//! The common (valid) path is one parse: [`ModuleValidator`] checks each
//! payload as the translator reads it and keeps the function bodies, which
//! [`ModuleValidator::finish`] validates in parallel (each body needs only
//! the module-level facts, shared read-only). Any failure re-runs the slow,
//! sequential [`validate`] on the whole input to explain it, so the error
//! does not depend on scheduling.
//!
//! Invariant: nothing outside phase 1 looks at the bytes before
//! [`ModuleValidator::finish`] returns `Ok`.

use crate::CompileError;
use rayon::prelude::*;
use wasmparser::{
    BinaryReaderError, FuncToValidate, FuncValidatorAllocations, FunctionBody, Parser, Payload,
    ValidPayload, Validator, ValidatorResources, WasmFeatures,
};

/// The proposals Kiln compiles: WebAssembly 2.0 minus SIMD, plus the
/// wasmparser-internal baseline (`floats`, `gc-types`) that 1.0 already has.
pub const SUPPORTED_FEATURES: WasmFeatures = WasmFeatures::WASM1
    .union(WasmFeatures::MUTABLE_GLOBAL)
    .union(WasmFeatures::SATURATING_FLOAT_TO_INT)
    .union(WasmFeatures::SIGN_EXTENSION)
    .union(WasmFeatures::REFERENCE_TYPES)
    .union(WasmFeatures::MULTI_VALUE)
    .union(WasmFeatures::BULK_MEMORY);

/// Candidate proposals, tried in this order when a module fails validation.
/// Each entry adds the flags the proposal needs to validate on its own (e.g.
/// relaxed SIMD builds on SIMD), so smaller proposals come first: the first
/// candidate that makes the module valid wins.
const CANDIDATES: &[(&str, WasmFeatures)] = &[
    ("simd", WasmFeatures::SIMD),
    (
        "relaxed-simd",
        WasmFeatures::SIMD.union(WasmFeatures::RELAXED_SIMD),
    ),
    ("threads", WasmFeatures::THREADS),
    ("tail-call", WasmFeatures::TAIL_CALL),
    ("multi-memory", WasmFeatures::MULTI_MEMORY),
    ("memory64", WasmFeatures::MEMORY64),
    ("extended-const", WasmFeatures::EXTENDED_CONST),
    ("exceptions", WasmFeatures::EXCEPTIONS),
    ("legacy-exceptions", WasmFeatures::LEGACY_EXCEPTIONS),
    ("function-references", WasmFeatures::FUNCTION_REFERENCES),
    (
        "gc",
        WasmFeatures::GC.union(WasmFeatures::FUNCTION_REFERENCES),
    ),
    ("custom-page-sizes", WasmFeatures::CUSTOM_PAGE_SIZES),
    ("wide-arithmetic", WasmFeatures::WIDE_ARITHMETIC),
    (
        "stack-switching",
        WasmFeatures::STACK_SWITCHING
            .union(WasmFeatures::FUNCTION_REFERENCES)
            .union(WasmFeatures::EXCEPTIONS),
    ),
    (
        "shared-everything-threads",
        WasmFeatures::SHARED_EVERYTHING_THREADS.union(WasmFeatures::THREADS),
    ),
    ("memory-control", WasmFeatures::MEMORY_CONTROL),
    (
        "custom-descriptors",
        WasmFeatures::CUSTOM_DESCRIPTORS
            .union(WasmFeatures::GC)
            .union(WasmFeatures::FUNCTION_REFERENCES),
    ),
];

/// Validates `wasm` as a core module with [`SUPPORTED_FEATURES`], all
/// sequentially (the error path of [`ModuleValidator`]).
pub fn validate(wasm: &[u8]) -> Result<(), CompileError> {
    if Parser::is_component(wasm) {
        return Err(CompileError::Unsupported {
            feature: "component model".into(),
            offset: 0,
        });
    }
    let Err(base) = run(wasm, SUPPORTED_FEATURES) else {
        return Ok(());
    };
    let base_offset = base.offset();
    // The best explanation: a candidate that makes the module valid, else the
    // one that gets strictly furthest past the original failure.
    let mut furthest: Option<(&str, usize)> = None;
    for &(name, extra) in CANDIDATES {
        match run(wasm, SUPPORTED_FEATURES.union(extra)) {
            Ok(()) => {
                return Err(CompileError::Unsupported {
                    feature: name.into(),
                    offset: base_offset,
                });
            }
            Err(e) if e.offset() > base_offset => {
                if furthest.is_none_or(|(_, o)| e.offset() > o) {
                    furthest = Some((name, e.offset()));
                }
            }
            Err(_) => {}
        }
    }
    match furthest {
        Some((name, _)) => Err(CompileError::Unsupported {
            feature: name.into(),
            offset: base_offset,
        }),
        None => Err(base.into()),
    }
}

/// Validates a module payload by payload, bodies last and in parallel.
pub struct ModuleValidator<'a> {
    wasm: &'a [u8],
    validator: Validator,
    bodies: Vec<(FuncToValidate<ValidatorResources>, FunctionBody<'a>)>,
}

impl<'a> ModuleValidator<'a> {
    /// A validator for `wasm`; rejects components up front.
    pub fn new(wasm: &'a [u8]) -> Result<Self, CompileError> {
        if Parser::is_component(wasm) {
            return Err(explain(wasm, None));
        }
        Ok(ModuleValidator {
            wasm,
            validator: Validator::new_with_features(SUPPORTED_FEATURES),
            bodies: Vec::new(),
        })
    }

    /// The parser to read `wasm` with (same features as validation).
    pub fn parser() -> Parser {
        let mut parser = Parser::new(0);
        parser.set_features(SUPPORTED_FEATURES);
        parser
    }

    /// Checks the next payload (or the parse error that replaced it).
    /// Function bodies are kept for [`ModuleValidator::finish`].
    pub fn payload(
        &mut self,
        payload: &Result<Payload<'a>, BinaryReaderError>,
    ) -> Result<(), CompileError> {
        let checked = match payload {
            Ok(payload) => self.validator.payload(payload),
            Err(e) => Err(e.clone()),
        };
        match checked {
            Ok(ValidPayload::Func(func, body)) => {
                self.bodies.push((func, body));
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => Err(explain(self.wasm, Some(e))),
        }
    }

    /// Validates every function body, in parallel (one set of validator
    /// allocations per rayon worker).
    pub fn finish(self) -> Result<(), CompileError> {
        let valid = self
            .bodies
            .into_par_iter()
            .map_init(FuncValidatorAllocations::default, |allocs, (func, body)| {
                let mut validator = func.into_validator(std::mem::take(allocs));
                let result = validator.validate(&body);
                *allocs = validator.into_allocations();
                result
            })
            .collect::<Result<(), _>>();
        valid.map_err(|e| explain(self.wasm, Some(e)))
    }
}

/// The error for an input that failed validation with `first` (`None`: a
/// component): the sequential [`validate`] decides, so that the error is the
/// one of the first invalid item and names an unsupported proposal.
fn explain(wasm: &[u8], first: Option<BinaryReaderError>) -> CompileError {
    match (validate(wasm), first) {
        (Err(e), _) => e,
        // NB: unreachable in practice (both paths run the same checks);
        // still an error, never a silent success.
        (Ok(()), Some(e)) => e.into(),
        (Ok(()), None) => CompileError::Unsupported {
            feature: "component model".into(),
            offset: 0,
        },
    }
}

fn run(wasm: &[u8], features: WasmFeatures) -> Result<(), wasmparser::BinaryReaderError> {
    Validator::new_with_features(features)
        .validate_all(wasm)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsupported(wat: &str) -> String {
        let wasm = wat::parse_str(wat).expect("test wat parses");
        match validate(&wasm) {
            Err(CompileError::Unsupported { feature, .. }) => feature,
            other => panic!("expected Unsupported, got {other:?}"),
        }
    }

    #[test]
    fn accepts_wasm2_without_simd() {
        let wasm = wat::parse_str(
            r#"(module
                (memory 1)
                (table 1 funcref)
                (global (mut i32) (i32.const 0))
                (func (result i32 i32) (i32.const 1) (i32.const 2))
                (func (param i32) (result i32)
                    local.get 0 i32.extend8_s
                    f32.const 1 i32.trunc_sat_f32_s i32.add)
                (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
                      (drop (ref.null extern))))"#,
        )
        .expect("wat");
        validate(&wasm).expect("valid");
    }

    #[test]
    fn names_unsupported_features() {
        assert_eq!(
            unsupported("(module (func (drop (v128.const i32x4 0 0 0 0))))"),
            "simd"
        );
        assert_eq!(unsupported("(module (memory i64 1))"), "memory64");
        assert_eq!(
            unsupported("(module (memory 1) (memory 1))"),
            "multi-memory"
        );
        assert_eq!(unsupported("(module (memory 1 1 shared))"), "threads");
        assert_eq!(
            unsupported("(module (func $f (return_call $f)))"),
            "tail-call"
        );
        assert_eq!(
            unsupported("(module (global i32 (i32.add (i32.const 1) (i32.const 2))))"),
            "extended-const"
        );
        assert_eq!(unsupported("(module (tag) (func (throw 0)))"), "exceptions");
    }

    #[test]
    fn invalid_module_is_invalid() {
        // Type mismatch: no proposal makes this valid.
        let wasm = wat::parse_str("(module (func (result i32) (i64.const 0)))").expect("wat");
        assert!(matches!(validate(&wasm), Err(CompileError::Invalid { .. })));
        assert!(matches!(
            validate(b"\0asm\x01\0\0\0\x01"),
            Err(CompileError::Invalid { .. })
        ));
        assert!(matches!(
            validate(b"garbage"),
            Err(CompileError::Invalid { .. })
        ));
    }

    /// Runs the payload-by-payload path as `translate_module` does.
    fn validate_streaming(wasm: &[u8]) -> Result<(), CompileError> {
        let mut v = ModuleValidator::new(wasm)?;
        for payload in ModuleValidator::parser().parse_all(wasm) {
            v.payload(&payload)?;
        }
        v.finish()
    }

    #[test]
    fn parallel_bodies_give_the_sequential_error() {
        // Many valid bodies and two invalid ones: the error is the first's,
        // whatever the scheduling.
        let mut wat = String::from("(module");
        for i in 0..64 {
            match i {
                20 => wat.push_str(" (func (result i32) (i64.const 0))"),
                40 => wat.push_str(" (func (drop (v128.const i32x4 0 0 0 0)))"),
                _ => wat.push_str(" (func (result i32) (i32.const 1))"),
            }
        }
        wat.push(')');
        let wasm = wat::parse_str(&wat).expect("wat");
        let streaming = validate_streaming(&wasm).expect_err("invalid");
        let sequential = validate(&wasm).expect_err("invalid");
        assert!(
            matches!(streaming, CompileError::Invalid { .. }),
            "{streaming}"
        );
        assert_eq!(streaming.to_string(), sequential.to_string());

        let simd =
            wat::parse_str("(module (func) (func) (func (drop (v128.const i32x4 0 0 0 0))))")
                .expect("wat");
        assert!(matches!(
            validate_streaming(&simd),
            Err(CompileError::Unsupported { feature, .. }) if feature == "simd"
        ));
        let valid = wat::parse_str("(module (func) (func (param i32)))").expect("wat");
        validate_streaming(&valid).expect("valid");
        assert!(matches!(
            validate_streaming(b"\0asm\x01\0\0\0\x01"),
            Err(CompileError::Invalid { .. })
        ));
    }

    #[test]
    fn component_is_unsupported() {
        let wasm = wat::parse_str("(component)").expect("wat");
        assert!(matches!(
            validate(&wasm),
            Err(CompileError::Unsupported { feature, .. }) if feature == "component model"
        ));
    }
}
