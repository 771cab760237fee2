//! Addresses of the runtime symbols compiled code refers to, for a host
//! that loads Kiln objects itself and resolves their undefined symbols.
//!
//! Phase: loading an object in-process. Input: a symbol name. Output: its
//! address in this process. The lists come from the same macros
//! (`kiln_abi::for_each_libcall!`, `kiln_abi::for_each_wasi_p1!`) that
//! define the functions, so no symbol can be missing or stale.

use kiln_abi::symbols::{LIBCALL_PREFIX, WASI_P1_PREFIX, abi_version_symbol};

macro_rules! libcall_address {
    ($( $(#[$attr:meta])* $name:ident( $($p:ident : $t:ident),* ) $(-> $r:ident)? ;)*) => {
        /// The address of libcall `name` (without prefix).
        fn libcall_address(name: &str) -> Option<usize> {
            $(
                if name == stringify!($name) {
                    return Some(kiln_vm::libcalls::$name as *const () as usize);
                }
            )*
            None
        }
    };
}
kiln_abi::for_each_libcall!(libcall_address);

macro_rules! wasi_p1_address {
    ($( $(#[$attr:meta])* $name:ident( $($p:ident : $t:ident),* ) $(-> $r:ident)? ;)*) => {
        /// The address of WASI P1 function `name` (without prefix).
        fn wasi_p1_address(name: &str) -> Option<usize> {
            $(
                if name == stringify!($name) {
                    return Some(kiln_wasi_p1::exports::$name as *const () as usize);
                }
            )*
            None
        }
    };
}
kiln_abi::for_each_wasi_p1!(wasi_p1_address);

/// The address of `name`: `__kiln_abi_v<N>`, `__kiln_run_module`,
/// `__kiln_run_component`, `__kiln_rt_<libcall>` or
/// `__kiln_p1_<function>`; `None` for anything else.
///
/// NB: WASI functions need a WASI context, which embedded instances do not
/// have: calling one ends the process with a message. Modules compiled
/// with `ImportPolicy::Linked` never refer to them (their WASI imports are
/// ordinary imports).
pub fn symbol_address(name: &str) -> Option<usize> {
    if name == abi_version_symbol() {
        return Some(&kiln_runner::entry::ABI_VERSION_MARKER as *const u8 as usize);
    }
    // The runners a program's `__kiln_program_runner` points at (embedded
    // programs are called, not run, but their objects still refer to them).
    if name == kiln_abi::symbols::RUN_MODULE {
        return Some(&kiln_runner::entry::__kiln_run_module as *const _ as usize);
    }
    if name == kiln_abi::symbols::RUN_COMPONENT {
        return Some(&kiln_runner::entry::__kiln_run_component as *const _ as usize);
    }
    if name == kiln_abi::symbols::RUN_COMPONENT_SERVER {
        return Some(&kiln_runner::entry::__kiln_run_component_server as *const _ as usize);
    }
    if let Some(rest) = name.strip_prefix(LIBCALL_PREFIX) {
        return libcall_address(rest);
    }
    if let Some(rest) = name.strip_prefix(WASI_P1_PREFIX) {
        return wasi_p1_address(rest);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::symbol_address;

    #[test]
    fn every_listed_symbol_resolves() {
        assert!(symbol_address(kiln_abi::symbols::abi_version_symbol()).is_some());
        assert!(symbol_address(kiln_abi::symbols::RUN_MODULE).is_some());
        assert!(symbol_address(kiln_abi::symbols::RUN_COMPONENT).is_some());
        for l in kiln_abi::libcalls::LIBCALLS {
            let name = format!("{}{}", kiln_abi::symbols::LIBCALL_PREFIX, l.name);
            assert!(symbol_address(&name).is_some_and(|a| a != 0), "{name}");
        }
        for f in kiln_abi::wasi_p1::WASI_P1_FUNCS {
            let name = format!("{}{}", kiln_abi::symbols::WASI_P1_PREFIX, f.name);
            assert!(symbol_address(&name).is_some_and(|a| a != 0), "{name}");
        }
        assert_eq!(symbol_address("__kiln_rt_nope"), None);
        assert_eq!(symbol_address("memcpy"), None);
    }
}
