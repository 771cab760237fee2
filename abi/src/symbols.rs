//! Symbol names shared by the emitted object and the runtime. The compiler
//! builds every symbol in `compiler/src/obj/symbols.rs` from these constants.

/// The [`crate::descriptor::ModuleDescriptor`] data symbol.
pub const MODULE: &str = "__kiln_module";
/// The [`crate::component::program::ProgramDescriptor`] data symbol: the one
/// root the runtime's `main` refers to (it points at [`MODULE`] or
/// [`COMPONENT`]).
pub const PROGRAM: &str = "__kiln_program";
/// The [`crate::component::program::ComponentDescriptor`] data symbol.
pub const COMPONENT: &str = "__kiln_component";
/// The compiler's one-pointer data object that the runtime's `main` calls
/// through: the address of the runtime's runner for the program's kind,
/// [`RUN_MODULE`] or [`RUN_COMPONENT`]. `main` refers to no runner
/// directly, so the linker drops the component runtime (component
/// start-up, WAVE, the canonical ABI) from a core module's executable.
pub const PROGRAM_RUNNER: &str = "__kiln_program_runner";
/// The runtime's runner of a core module (a `kiln_runner::entry::Runner`
/// static).
pub const RUN_MODULE: &str = "__kiln_run_module";
/// The runtime's runner of a component (see [`RUN_MODULE`]).
pub const RUN_COMPONENT: &str = "__kiln_run_component";
/// The runtime's runner of a component that exports an HTTP request
/// handler: [`RUN_COMPONENT`] plus the server, which only it links.
pub const RUN_COMPONENT_SERVER: &str = "__kiln_run_component_server";
/// Prefix of every symbol of core module `N` of a component:
/// `__kiln_m<N>_` followed by the symbol the module would have alone
/// without its `__kiln_` (`__kiln_m2_func_7`, `__kiln_m2_module`).
pub const COMPONENT_MODULE_PREFIX: &str = "__kiln_m";
/// Prefix of component trampolines: `__kiln_cm_tramp_<index>`.
pub const COMPONENT_TRAMPOLINE_PREFIX: &str = "__kiln_cm_tramp_";
/// Prefix of the runtime's WASI host functions, one `LoweredHostFn` per
/// entry of the host list: `__kiln_wasi_host_<i>` for entry `i` of
/// `crate::wasi_p2::WASI_P2_FUNCS`, then (`i` = `WASI_P2_FUNCS.len() + j`)
/// of `crate::wasi_p3::WASI_P3_FUNCS`. A lowered-import trampoline calls
/// its function directly; one symbol per function lets the linker drop
/// every host function a program does not import.
pub const WASI_HOST_PREFIX: &str = "__kiln_wasi_host_";

/// The symbol of host function `index` (see [`WASI_HOST_PREFIX`]).
pub fn wasi_host_symbol(index: u32) -> alloc::string::String {
    alloc::format!("{WASI_HOST_PREFIX}{index}")
}
/// The runtime's resource built-ins called by trampolines.
pub const RESOURCE_NEW: &str = "__kiln_cm_resource_new";
/// See [`RESOURCE_NEW`].
pub const RESOURCE_REP: &str = "__kiln_cm_resource_rep";
/// See [`RESOURCE_NEW`].
pub const RESOURCE_DROP: &str = "__kiln_cm_resource_drop";
/// The runtime's instance-flags built-in that fused adapters call (see
/// `crate::component::canon::ADAPTER_FLAGS_CHECK_LEAVE`).
pub const ADAPTER_FLAGS: &str = "__kiln_cm_adapter_flags";
/// The runtime's string transcoder that fused adapters call between
/// different string encodings (see
/// `crate::component::program::TRAMPOLINE_ADAPTER_TRANSCODE`).
pub const ADAPTER_TRANSCODE: &str = "__kiln_cm_adapter_transcode";
/// The runtime's handle mover that fused adapters call for `own` and
/// `borrow` values (see
/// `crate::component::program::TRAMPOLINE_ADAPTER_HANDLE`).
pub const ADAPTER_HANDLE: &str = "__kiln_cm_adapter_handle";
/// The runtime's call between two component instances where either side
/// is async (see `crate::component::program::TRAMPOLINE_ASYNC_CALL`).
pub const ASYNC_CALL: &str = "__kiln_cm_p3_async_call";
/// Marks the start of the object's code section (a local symbol at its
/// offset 0): see `ProgramDescriptor::code_start`.
pub const CODE_START: &str = "__kiln_code_start";
/// Marks the end of the object's code section (a local symbol at its size).
pub const CODE_END: &str = "__kiln_code_end";
/// The process entry of x86-64 static-pie executables, defined by the
/// `x86_64-unknown-linux-musl` runtime in place of musl's `rcrt1.o`
/// `_start` (a faster self-relocation, then `__libc_start_main`), and of
/// Windows executables, which have no C runtime start files at all; see
/// [`start_symbol`].
pub const START: &str = "__kiln_start";
/// The entry symbol a static link for `target` takes from the runtime
/// instead of the C library's start file, if any.
pub fn start_symbol(target: &str) -> Option<&'static str> {
    let musl_x86 = target.starts_with("x86_64-") && target.ends_with("-linux-musl");
    (musl_x86 || target.contains("-windows")).then_some(START)
}
/// The [`crate::grants::GrantsDescriptor`] data symbol.
pub const GRANTS: &str = "__kiln_grants";
/// Defined only by the runtime of the matching [`crate::ABI_VERSION`];
/// referenced from every descriptor.
pub const fn abi_version_symbol() -> &'static str {
    crate::abi_version_symbol!()
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
/// A module's reference initializer (local; see
/// [`crate::descriptor::ModuleDescriptor::init_refs`]).
pub const INIT_REFS: &str = "__kiln_init_refs";
/// A module's element initializer (local; see
/// [`crate::descriptor::ModuleDescriptor::init_elems`]).
pub const INIT_ELEMS: &str = "__kiln_init_elems";

#[cfg(test)]
mod tests {
    #[test]
    fn abi_symbol_carries_version() {
        let s = super::abi_version_symbol();
        let v = s.trim_start_matches("__kiln_abi_v");
        assert_eq!(v.parse::<u32>().ok(), Some(crate::ABI_VERSION));
    }
}
