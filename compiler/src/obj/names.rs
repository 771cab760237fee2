//! Function symbols named after the wasm's name section.
//!
//! Phase: object writing. Inputs: each compiled wasm function's id and its
//! name-section name, gathered per module while functions are declared.
//! Output: the symbol table's names, applied by [`super::finish_object`]
//! once the code is laid out.
//!
//! Invariants:
//! - The compiler links by its own names (`__kiln_func_<N>`, qualified per
//!   core module of a component): calls, trampolines and linked imports of
//!   other modules are declared under them, and relocations point at
//!   symbols by id, not by name. Only the finished object's names change,
//!   so debuggers, profilers and `nm` see the source's names while
//!   linking is as before. A function without a name keeps its own.
//! - Names are the name section's bytes as they are (mangled Rust and C++
//!   names stay mangled, for `nm -C`, gdb and perf to demangle), a NUL
//!   byte replaced (a symbol name ends at one), and unique in the object:
//!   a name already taken (by another function of the same or another
//!   core module, or by any symbol the object defines or imports) gets a
//!   `.<k>` suffix, the clone suffix demanglers read. The functions are
//!   local symbols, so a name equal to a C library's never binds to it.
//! - Deterministic: names are added in declaration order (modules in
//!   order, functions by index) and suffixes depend on that order only.

use cranelift_module::FuncId;
use cranelift_object::ObjectProduct;
use std::collections::BTreeSet;

/// The name-section names of compiled functions, by declaration order.
#[derive(Debug, Default)]
pub struct FuncNames(Vec<(FuncId, String)>);

impl FuncNames {
    /// Names function `id` `name` (an empty name is ignored).
    pub fn add(&mut self, id: FuncId, name: &str) {
        if !name.is_empty() {
            self.0.push((id, name.to_string()));
        }
    }

    /// Renames the symbols of the named functions in `product`.
    pub(crate) fn apply(&self, product: &mut ObjectProduct) {
        let object = &mut product.object;
        // The object's own names (as declared, before any format prefix).
        let declared = |name: &[u8]| object.symbol_id(name).is_some();
        let mut given = BTreeSet::new();
        let renames: Vec<_> = self
            .0
            .iter()
            .filter_map(|(id, name)| {
                let (symbol, _) = product.functions[*id]?;
                Some((symbol, unique(&mut given, &declared, name)))
            })
            .collect();
        let prefix = object.mangling().global_prefix();
        for (symbol, mut name) in renames {
            if let Some(prefix) = prefix {
                name.insert(0, prefix);
            }
            object.symbol_mut(symbol).name = name;
        }
    }
}

/// `name` as symbol bytes neither `declared` in the object nor `given`
/// already (then added to `given`).
fn unique(given: &mut BTreeSet<Vec<u8>>, declared: &dyn Fn(&[u8]) -> bool, name: &str) -> Vec<u8> {
    let base: Vec<u8> = name
        .bytes()
        .map(|b| if b == 0 { b'?' } else { b })
        .collect();
    let mut candidate = base.clone();
    let mut k = 1u32;
    while given.contains(&candidate) || declared(&candidate) {
        candidate = [base.as_slice(), format!(".{k}").as_bytes()].concat();
        k += 1;
    }
    given.insert(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::unique;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_made_unique_with_clone_suffixes() {
        let declared = |name: &[u8]| name == b"memcpy" || name == b"__kiln_program";
        let mut given = BTreeSet::new();
        let mut name = |n: &str| unique(&mut given, &declared, n);
        assert_eq!(name("run"), b"run");
        assert_eq!(name("run"), b"run.1");
        assert_eq!(name("run"), b"run.2");
        assert_eq!(name("memcpy"), b"memcpy.1");
        assert_eq!(name("__kiln_program"), b"__kiln_program.1");
        assert_eq!(name("a\0b"), b"a?b");
        assert_eq!(
            name("_ZN4core3fmt5write17h0123456789abcdefE"),
            b"_ZN4core3fmt5write17h0123456789abcdefE"
        );
    }
}
