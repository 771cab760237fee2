//! wasm-smith configurations that follow Kiln's feature set.
//!
//! Input: a wasmparser feature set (normally
//! `kiln_compiler::module::SUPPORTED_FEATURES`, intersected with what the
//! reference engine implements for the differential target) and fuzzer
//! bytes for the knobs. Output: a `wasm_smith::Config` that only generates
//! those proposals. The mapping is one line per wasm-smith switch, so a
//! proposal added to `SUPPORTED_FEATURES` is generated without touching
//! this file (unless wasm-smith grows a new switch).
//!
//! Invariant: `config.features()` (what wasm-smith may emit) is a subset of
//! the requested set; [`config_for`] checks it.

use arbitrary::{Result, Unstructured};
use wasmparser::WasmFeatures;

/// The proposals wasm-smith 0.243 can generate (its `Config::features`
/// switches), for intersecting with a requested set.
pub const SMITH_FEATURES: WasmFeatures = WasmFeatures::WASM2
    .union(WasmFeatures::RELAXED_SIMD)
    .union(WasmFeatures::MULTI_MEMORY)
    .union(WasmFeatures::EXCEPTIONS)
    .union(WasmFeatures::MEMORY64)
    .union(WasmFeatures::TAIL_CALL)
    .union(WasmFeatures::FUNCTION_REFERENCES)
    .union(WasmFeatures::GC)
    .union(WasmFeatures::THREADS)
    .union(WasmFeatures::CUSTOM_PAGE_SIZES)
    .union(WasmFeatures::EXTENDED_CONST)
    .union(WasmFeatures::WIDE_ARITHMETIC);

/// Size knobs, so that one case stays fast (milliseconds) to compile and
/// run in both engines.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest memory, in bytes, for both index types; growth is capped by
    /// a required maximum so that hashing memories stays cheap.
    pub max_memory_bytes: u64,
    /// Largest table.
    pub max_table_elements: u64,
    /// Upper bound of wasm-smith's `max_funcs`.
    pub max_funcs: usize,
    /// Upper bound of wasm-smith's `max_instructions` (per function).
    pub max_instructions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory_bytes: 4 << 20,
            max_table_elements: 1_000,
            max_funcs: 30,
            max_instructions: 200,
        }
    }
}

/// A wasm-smith configuration generating only `features`, with the size
/// knobs drawn from `u` within `limits`. No imports (the embedding provides
/// none), every item exported (so every function is compared).
pub fn config_for(
    features: WasmFeatures,
    limits: Limits,
    u: &mut Unstructured<'_>,
) -> Result<wasm_smith::Config> {
    let has = |f: WasmFeatures| features.contains(f);
    let multi_memory = has(WasmFeatures::MULTI_MEMORY);
    let reference_types = has(WasmFeatures::REFERENCE_TYPES);
    let config = wasm_smith::Config {
        // Proposal switches: one per wasm-smith flag.
        allow_floats: has(WasmFeatures::FLOATS),
        saturating_float_to_int_enabled: has(WasmFeatures::SATURATING_FLOAT_TO_INT),
        sign_extension_ops_enabled: has(WasmFeatures::SIGN_EXTENSION),
        reference_types_enabled: reference_types,
        multi_value_enabled: has(WasmFeatures::MULTI_VALUE),
        bulk_memory_enabled: has(WasmFeatures::BULK_MEMORY),
        simd_enabled: has(WasmFeatures::SIMD),
        relaxed_simd_enabled: has(WasmFeatures::SIMD) && has(WasmFeatures::RELAXED_SIMD),
        exceptions_enabled: has(WasmFeatures::EXCEPTIONS),
        memory64_enabled: has(WasmFeatures::MEMORY64),
        tail_call_enabled: has(WasmFeatures::TAIL_CALL),
        // wasm-smith generates typed function references only as part of GC.
        gc_enabled: reference_types
            && has(WasmFeatures::GC)
            && has(WasmFeatures::FUNCTION_REFERENCES),
        threads_enabled: has(WasmFeatures::THREADS),
        custom_page_sizes_enabled: has(WasmFeatures::CUSTOM_PAGE_SIZES),
        extended_const_enabled: has(WasmFeatures::EXTENDED_CONST),
        wide_arithmetic_enabled: has(WasmFeatures::WIDE_ARITHMETIC),
        shared_everything_threads_enabled: false,
        custom_descriptors_enabled: false,

        max_memories: if multi_memory {
            u.int_in_range(0..=4)?
        } else {
            1
        },
        max_tables: if reference_types {
            u.int_in_range(0..=4)?
        } else {
            1
        },
        max_memory32_bytes: limits.max_memory_bytes,
        max_memory64_bytes: u128::from(limits.max_memory_bytes),
        memory_max_size_required: true,
        max_table_elements: limits.max_table_elements,
        table_max_size_required: true,

        max_imports: 0,
        max_funcs: u.int_in_range(1..=limits.max_funcs)?,
        min_funcs: 1,
        max_instructions: u.int_in_range(1..=limits.max_instructions)?,
        max_types: u.int_in_range(1..=50)?,
        max_globals: u.int_in_range(0..=20)?,
        max_data_segments: u.int_in_range(0..=10)?,
        max_element_segments: u.int_in_range(0..=10)?,
        max_elements: u.int_in_range(0..=20)?,
        max_tags: u.int_in_range(0..=5)?,
        max_nesting_depth: u.int_in_range(1..=10)?,
        min_uleb_size: u.int_in_range(0..=5)?,
        // Half the modules avoid traps (wasm-smith guards loads, divisions,
        // conversions...), so that most of their calls compare values, not
        // only trap codes (with traps allowed, most calls trap).
        disallow_traps: u.ratio(1, 2)?,
        export_everything: true,
        canonicalize_nans: true,
        ..wasm_smith::Config::default()
    };
    let generated = config.features();
    assert!(
        features.contains(generated),
        "wasm-smith config would generate {:?}, not in the requested {:?}",
        generated.difference(features),
        features
    );
    Ok(config)
}
