//! Symbol names shared by the emitted object and the runtime. The compiler
//! builds every symbol in `compiler/src/obj/symbols.rs` from these constants.

/// The [`crate::descriptor::ModuleDescriptor`] data symbol.
pub const MODULE: &str = "__kiln_module";
/// The [`crate::grants::GrantsDescriptor`] data symbol.
pub const GRANTS: &str = "__kiln_grants";
/// Defined only by the runtime of the matching [`crate::ABI_VERSION`];
/// referenced from every descriptor.
pub const fn abi_version_symbol() -> &'static str {
    "__kiln_abi_v3"
}
/// Prefix of runtime libcalls: `__kiln_rt_<name>`.
pub const LIBCALL_PREFIX: &str = "__kiln_rt_";
/// Prefix of WASI P1 host functions: `__kiln_p1_<name>`.
pub const WASI_P1_PREFIX: &str = "__kiln_p1_";
/// Import module name of WASI P1.
pub const WASI_P1_MODULE: &str = "wasi_snapshot_preview1";
/// Prefix of compiled wasm functions (local symbols): `__kiln_func_<index>`.
pub const FUNC_PREFIX: &str = "__kiln_func_";
/// Prefix of array-call trampolines: `__kiln_array_call_<index>`.
pub const ARRAY_CALL_PREFIX: &str = "__kiln_array_call_";
/// Prefix of wasm-call trampolines to host imports: `__kiln_host_call_<index>`.
pub const HOST_CALL_PREFIX: &str = "__kiln_host_call_";

#[cfg(test)]
mod tests {
    #[test]
    fn abi_symbol_carries_version() {
        let s = super::abi_version_symbol();
        let v = s.trim_start_matches("__kiln_abi_v");
        assert_eq!(v.parse::<u32>().ok(), Some(crate::ABI_VERSION));
    }
}
