//! Display forms of name-section function names.
//!
//! Phase 1 (WHAT), a pure helper. Input: a function name as the name section
//! spells it. Output: the text Wasmtime prints for it in a trap backtrace.
//! The runtime prints `FuncDesc.name` verbatim, so the descriptor stores this
//! form and the runtime carries no demangler.
//!
//! Wasmtime's rule (`wasmtime_environ::demangle_function_name`): a Rust
//! symbol (`rustc_demangle::try_demangle`, shown with `{}`, which keeps the
//! `::h<hash>` suffix of legacy symbols and the `[hash]` of v0 ones), else a
//! C++ symbol (`cpp_demangle::Symbol::new` + `demangle()` with default
//! options), else the name itself.
//!
//! NB: the C++ parser accepts a bare type encoding as a whole symbol, so
//! Wasmtime prints a C function named `f` as `float` and `i` as `int`. Kiln
//! matches that quirk on purpose: the goal is byte-identical trap output.

use std::fmt::Write as _;

/// The form of `name` Wasmtime prints in a backtrace.
pub fn display_name(name: &str) -> String {
    if let Ok(demangled) = rustc_demangle::try_demangle(name) {
        let mut out = String::with_capacity(name.len());
        // NB: writing into a `String` cannot fail.
        let _ = write!(out, "{demangled}");
        return out;
    }
    if let Ok(symbol) = cpp_demangle::Symbol::new(name)
        && let Ok(demangled) = symbol.demangle()
    {
        return demangled;
    }
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn rust_legacy_symbol_keeps_hash() {
        assert_eq!(
            display_name("_ZN4core9panicking5panic17h0123456789abcdefE"),
            "core::panicking::panic::h0123456789abcdef"
        );
    }

    #[test]
    fn rust_v0_symbol() {
        // `{}` (not `{:#}`) keeps the crate disambiguator in brackets.
        assert_eq!(
            display_name("_RNvCs1234_7mycrate3foo"),
            "mycrate[3c1c0]::foo"
        );
    }

    #[test]
    fn cpp_symbol() {
        assert_eq!(display_name("_Z3addii"), "add(int, int)");
        assert_eq!(display_name("_ZNSt3__14coutE"), "std::__1::cout");
    }

    #[test]
    fn plain_names_follow_wasmtime_quirks() {
        // A bare builtin-type code parses as a C++ type.
        assert_eq!(display_name("f"), "float");
        assert_eq!(display_name("main"), "main");
        assert_eq!(display_name("__original_main"), "__original_main");
        assert_eq!(display_name("hello world"), "hello world");
        assert_eq!(display_name(""), "");
    }
}
