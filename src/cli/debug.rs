//! `-g` and `-D KEY[=VAL]`, Wasmtime's debugging options, for `kiln build`
//! and `kiln run`.
//!
//! Phase: argument checking, before anything is read. Input: the options
//! as given. Output: nothing, or the one error that names what Kiln does
//! not do yet: native DWARF for the compiled code (`-g`, `-D debug-info`),
//! which gdb would need for source lines. What exists without it:
//! function names in the symbol table, and source lines in trap
//! backtraces from the wasm's own DWARF (`WASMTIME_BACKTRACE_DETAILS=1`).

use clap::Args;

/// The debugging options.
#[derive(Debug, Args, Clone, Default)]
pub struct DebugOptions {
    /// Native DWARF for the compiled code (as Wasmtime's `-g`): not
    /// supported yet (an error).
    #[arg(short = 'g')]
    pub debug_info: bool,

    /// Debugging options, as Wasmtime's: `debug-info[=y|n]` (`y` is not
    /// supported yet), `address-map[=y]` (always on).
    #[arg(short = 'D', value_name = "KEY[=VAL]")]
    pub debug: Vec<String>,
}

impl DebugOptions {
    /// The error for an option Kiln does not support, if any.
    pub fn check(&self) -> Result<(), String> {
        let mut wants_dwarf = self.debug_info;
        for item in self.debug.iter().flat_map(|s| s.split(',')) {
            let (key, value) = item.split_once('=').unwrap_or((item, "y"));
            let on = match value {
                "y" | "yes" | "true" => true,
                "n" | "no" | "false" => false,
                _ => return Err(format!("invalid value `{value}` for `-D {key}` (y or n)")),
            };
            match key {
                "debug-info" => wants_dwarf |= on,
                "address-map" if on => {}
                "address-map" => {
                    return Err(
                        "`-D address-map=n` is not supported: Kiln always keeps the \
                                address map its backtraces need"
                            .into(),
                    );
                }
                _ => return Err(format!("unsupported debugging option `-D {key}`")),
            }
        }
        if wants_dwarf {
            return Err(
                "native debug information (`-g`, `-D debug-info`) is not supported \
                 yet; executables name their functions for gdb and perf, and trap \
                 backtraces show source lines with WASMTIME_BACKTRACE_DETAILS=1 set \
                 when building and running"
                    .into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::DebugOptions;

    fn check(g: bool, d: &[&str]) -> Result<(), String> {
        DebugOptions {
            debug_info: g,
            debug: d.iter().map(|s| s.to_string()).collect(),
        }
        .check()
    }

    #[test]
    fn only_the_supported_settings_pass() {
        assert_eq!(check(false, &[]), Ok(()));
        assert_eq!(check(false, &["debug-info=n", "address-map"]), Ok(()));
        for (g, d) in [
            (true, &[][..]),
            (false, &["debug-info"][..]),
            (false, &["debug-info=y"]),
        ] {
            let e = check(g, d).unwrap_err();
            assert!(e.contains("not supported yet"), "{e}");
        }
        assert!(check(false, &["address-map=n"]).is_err());
        assert!(
            check(false, &["coredump=x"])
                .unwrap_err()
                .contains("-D coredump")
        );
        assert!(
            check(false, &["debug-info=maybe"])
                .unwrap_err()
                .contains("y or n")
        );
    }
}
