//! Validation of the input with Kiln's feature set, and naming the feature a
//! rejected module needs.
//!
//! Phase 1 (WHAT), alongside [`super::translate`]. Input: the raw bytes,
//! payload by payload. Output: `Ok(())` if the bytes are a valid core module
//! using only [`SUPPORTED_FEATURES`]; otherwise
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

/// The proposals Kiln compiles: WebAssembly 2.0 (SIMD included), the later
/// proposals each feature's owner adds once it works end to end, plus the
/// wasmparser-internal baseline (`floats`, `gc-types`) that 1.0 already has.
pub const SUPPORTED_FEATURES: WasmFeatures = WasmFeatures::WASM1
    .union(WasmFeatures::MUTABLE_GLOBAL)
    .union(WasmFeatures::SATURATING_FLOAT_TO_INT)
    .union(WasmFeatures::SIGN_EXTENSION)
    .union(WasmFeatures::REFERENCE_TYPES)
    .union(WasmFeatures::MULTI_VALUE)
    .union(WasmFeatures::BULK_MEMORY)
    .union(WasmFeatures::MULTI_MEMORY)
    .union(WasmFeatures::MEMORY64)
    .union(WasmFeatures::CUSTOM_PAGE_SIZES)
    .union(WasmFeatures::WIDE_ARITHMETIC)
    .union(WasmFeatures::TAIL_CALL)
    .union(WasmFeatures::FUNCTION_REFERENCES)
    .union(WasmFeatures::EXTENDED_CONST)
    .union(WasmFeatures::THREADS)
    .union(WasmFeatures::SIMD)
    .union(WasmFeatures::RELAXED_SIMD)
    .union(WasmFeatures::EXCEPTIONS)
    .union(WasmFeatures::LEGACY_EXCEPTIONS);

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

/// The features a compile validates with: [`SUPPORTED_FEATURES`], restricted
/// to `mask` when there is one (`Config::features`). A restricted compile
/// rejects a module that needs a masked-out proposal as
/// [`CompileError::Invalid`], as an engine without that proposal would (the
/// spec testsuite of WebAssembly 2.0 has `assert_invalid` cases that later
/// proposals make valid).
pub fn enabled_features(mask: Option<WasmFeatures>) -> WasmFeatures {
    mask.map_or(SUPPORTED_FEATURES, |mask| {
        SUPPORTED_FEATURES.intersection(mask)
    })
}

/// What a module validated with GC's rules for its relaxation of constant
/// expressions (`global.get` of any earlier immutable global, wasm 3.0)
/// adds to the enabled features; translation still rejects every GC
/// construct.
pub const GC_RELAXATION: WasmFeatures = WasmFeatures::GC;

/// Whether `wasm`, rejected with the enabled features, is valid with
/// [`GC_RELAXATION`] added (only when `mask` lets GC's rules in).
pub fn gc_relaxation_applies(wasm: &[u8], mask: Option<WasmFeatures>) -> bool {
    mask.is_none_or(|m| m.contains(GC_RELAXATION))
        && run(wasm, enabled_features(mask).union(GC_RELAXATION)).is_ok()
}

/// Validates `wasm` as a core module with [`SUPPORTED_FEATURES`], all
/// sequentially (the error path of [`ModuleValidator`]).
#[cfg(test)]
pub fn validate(wasm: &[u8]) -> Result<(), CompileError> {
    validate_masked(wasm, None)
}

/// [`validate`] with the features of [`enabled_features`]`(mask)`; only the
/// candidate proposals inside `mask` can make the error `Unsupported`.
pub fn validate_masked(wasm: &[u8], mask: Option<WasmFeatures>) -> Result<(), CompileError> {
    if Parser::is_component(wasm) {
        return Err(CompileError::Unsupported {
            feature: "component model".into(),
            offset: 0,
        });
    }
    let enabled = enabled_features(mask);
    let Err(base) = run(wasm, enabled) else {
        return Ok(());
    };
    let base_offset = base.offset();
    // The best explanation: a candidate that makes the module valid, else the
    // one that gets strictly furthest past the original failure.
    let mut furthest: Option<(&str, usize)> = None;
    for &(name, extra) in CANDIDATES {
        if mask.is_some_and(|mask| !mask.contains(extra)) {
            continue;
        }
        match run(wasm, enabled.union(extra)) {
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
    mask: Option<WasmFeatures>,
    validator: Validator,
    bodies: Vec<(FuncToValidate<ValidatorResources>, FunctionBody<'a>)>,
    /// Function bodies were validated elsewhere (a component's core
    /// module): [`ModuleValidator::finish`] does not check them again.
    skip_bodies: bool,
}

impl<'a> ModuleValidator<'a> {
    /// A validator for `wasm` with [`enabled_features`]`(mask)`; rejects
    /// components up front.
    /// `extra` features (e.g. [`GC_RELAXATION`]) are added to the enabled
    /// ones.
    pub fn new(
        wasm: &'a [u8],
        mask: Option<WasmFeatures>,
        extra: WasmFeatures,
    ) -> Result<Self, CompileError> {
        if Parser::is_component(wasm) {
            return Err(explain(wasm, mask, None));
        }
        Ok(ModuleValidator {
            wasm,
            mask,
            validator: Validator::new_with_features(enabled_features(mask).union(extra)),
            bodies: Vec::new(),
            skip_bodies: false,
        })
    }

    /// Leaves function bodies unchecked: the caller's validation (of the
    /// enclosing component) already checked them.
    pub fn skip_bodies(&mut self) {
        self.skip_bodies = true;
    }

    /// The parser to read `wasm` with (same features as validation).
    pub fn parser(mask: Option<WasmFeatures>, extra: WasmFeatures) -> Parser {
        let mut parser = Parser::new(0);
        parser.set_features(enabled_features(mask).union(extra));
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
                if !self.skip_bodies {
                    self.bodies.push((func, body));
                }
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => Err(explain(self.wasm, self.mask, Some(e))),
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
        valid.map_err(|e| explain(self.wasm, self.mask, Some(e)))
    }
}

/// The error for an input that failed validation with `first` (`None`: a
/// component): the sequential [`validate`] decides, so that the error is the
/// one of the first invalid item and names an unsupported proposal.
fn explain(
    wasm: &[u8],
    mask: Option<WasmFeatures>,
    first: Option<BinaryReaderError>,
) -> CompileError {
    match (validate_masked(wasm, mask), first) {
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
        assert_eq!(unsupported("(module (type (struct)))"), "gc");
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
        let mut v = ModuleValidator::new(wasm, None, WasmFeatures::empty())?;
        for payload in ModuleValidator::parser(None, WasmFeatures::empty()).parse_all(wasm) {
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
                40 => wat.push_str(" (func (drop (ref.i31 (i32.const 0))))"),
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

        let gc = wat::parse_str("(module (func) (func) (func (drop (ref.i31 (i32.const 0)))))")
            .expect("wat");
        assert!(matches!(
            validate_streaming(&gc),
            Err(CompileError::Unsupported { feature, .. }) if feature == "gc"
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

    #[test]
    fn feature_mask_makes_masked_out_proposals_invalid() {
        // Several memories: a proposal outside WebAssembly 2.0.
        let wasm = wat::parse_str("(module (memory 1) (memory 1))").expect("wat");
        let wasm2 = Some(WasmFeatures::WASM2);
        assert!(matches!(
            validate_masked(&wasm, wasm2),
            Err(CompileError::Invalid { .. })
        ));
        let none = WasmFeatures::empty();
        let streaming = ModuleValidator::new(&wasm, wasm2, none).and_then(|mut v| {
            for payload in ModuleValidator::parser(wasm2, none).parse_all(&wasm) {
                v.payload(&payload)?;
            }
            v.finish()
        });
        assert!(matches!(streaming, Err(CompileError::Invalid { .. })));
        let with = WasmFeatures::WASM2.union(WasmFeatures::MULTI_MEMORY);
        assert_eq!(
            validate_masked(&wasm, Some(with)).is_ok(),
            validate(&wasm).is_ok()
        );
        // Inside the mask, an unsupported proposal still says so.
        let gc = wat::parse_str("(module (type (struct)))").expect("wat");
        let with_gc = WasmFeatures::WASM2
            .union(WasmFeatures::GC)
            .union(WasmFeatures::FUNCTION_REFERENCES);
        assert!(matches!(
            validate_masked(&gc, Some(with_gc)),
            Err(CompileError::Unsupported { feature, .. }) if feature == "gc"
        ));
        assert!(matches!(
            validate_masked(&gc, wasm2),
            Err(CompileError::Invalid { .. })
        ));
    }
}
