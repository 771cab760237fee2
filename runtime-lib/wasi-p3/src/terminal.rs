//! `wasi:cli@0.3`'s `terminal-*` interfaces: `get-terminal-std*` and the
//! (contentless) `terminal-input`/`terminal-output` resources.
//!
//! Phase: run time (host functions). Inputs: whether the process's stdio
//! descriptors are terminals. Outputs: optional terminal handles.
//!
//! Invariants (as the 0.2 ones in `kiln_wasi_p2::cli`, and Wasmtime 49):
//! - `get-terminal-std*` returns a handle only if the host descriptor is a
//!   terminal at the time of the call, else `none`;
//! - the 0.3 `terminal-input`/`terminal-output` are host resource types of
//!   their own (`kiln_abi::wasi_p3::WASI_P3_RESOURCES`), distinct from the
//!   0.2 ones, but their objects (which carry nothing) share the 0.2
//!   facade's slabs (`P2Host::cli`), so there is one terminal state.

use kiln_canon::{Own, Resource, ResourceType, Trap};
use kiln_wasi_kernel::stdio::StdioKind;
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::io::stdio;
use kiln_wasi_p2::table::{Impl, host_fn};

kiln_wasi_p2::host_resources! {
    /// `wasi:cli/terminal-input@0.3.terminal-input`.
    TerminalInput3Res = ("wasi:cli/terminal-input@0.3", "terminal-input");
    /// `wasi:cli/terminal-output@0.3.terminal-output`.
    TerminalOutput3Res = ("wasi:cli/terminal-output@0.3", "terminal-output");
}

/// The `wasi:cli@0.3` terminal host functions.
#[rustfmt::skip]
pub const IMPLS: &[Impl] = &[
    ("wasi:cli/terminal-stdin@0.3", "get-terminal-stdin", host_fn!(get_terminal_stdin)),
    ("wasi:cli/terminal-stdout@0.3", "get-terminal-stdout", host_fn!(get_terminal_stdout)),
    ("wasi:cli/terminal-stderr@0.3", "get-terminal-stderr", host_fn!(get_terminal_stderr)),
];

/// `get-terminal-stdin`.
pub fn get_terminal_stdin(h: &mut P2Host, (): ()) -> Result<Option<Own<TerminalInput3Res>>, Trap> {
    Ok(stdio(StdioKind::Stdin)
        .isatty()
        .then(|| Own::new(h.cli.terminal_inputs.insert(()))))
}

/// `get-terminal-stdout`.
pub fn get_terminal_stdout(
    h: &mut P2Host,
    (): (),
) -> Result<Option<Own<TerminalOutput3Res>>, Trap> {
    Ok(terminal_output(h, StdioKind::Stdout))
}

/// `get-terminal-stderr`.
pub fn get_terminal_stderr(
    h: &mut P2Host,
    (): (),
) -> Result<Option<Own<TerminalOutput3Res>>, Trap> {
    Ok(terminal_output(h, StdioKind::Stderr))
}

fn terminal_output(h: &mut P2Host, kind: StdioKind) -> Option<Own<TerminalOutput3Res>> {
    stdio(kind)
        .isatty()
        .then(|| Own::new(h.cli.terminal_outputs.insert(())))
}

/// Drops the 0.3 terminal object `rep` of host type `ty`; `false` if `ty`
/// is not a 0.3 terminal type.
pub fn drop_resource(h: &mut P2Host, ty: u32, rep: u32) -> Result<bool, Trap> {
    let t = ResourceType::Host(ty);
    let gone = if t == TerminalInput3Res::TYPE {
        h.cli.terminal_inputs.remove(rep).is_some()
    } else if t == TerminalOutput3Res::TYPE {
        h.cli.terminal_outputs.remove(rep).is_some()
    } else {
        return Ok(false);
    };
    if gone {
        Ok(true)
    } else {
        Err(kiln_wasi_p2::io::no_object("terminal"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_wasi_kernel::{WasiConfig, WasiCtx};

    /// A host of its own for one test (these call the 0.3 functions
    /// directly: no hooks needed).
    fn host() -> P2Host {
        let config = WasiConfig {
            args: vec![b"test".to_vec()],
            ..WasiConfig::default()
        };
        P2Host::new(
            WasiCtx::new(config).expect("context"),
            &kiln_wasi_p2::Hooks::NONE,
        )
    }

    #[test]
    fn terminals_drop_once_and_apart_from_the_0_2_types() {
        let mut h = host();
        let i = Own::<TerminalInput3Res>::new(h.cli.terminal_inputs.insert(()));
        let o = Own::<TerminalOutput3Res>::new(h.cli.terminal_outputs.insert(()));
        let (ti, to) = (
            TerminalInput3Res::TYPE.type_operand(),
            TerminalOutput3Res::TYPE.type_operand(),
        );
        let p2 = kiln_wasi_p2::cli::TerminalInputRes::TYPE.type_operand();
        assert_ne!(ti, p2);
        assert!(!drop_resource(&mut h, p2, i.rep()).unwrap());
        assert!(drop_resource(&mut h, ti, i.rep()).unwrap());
        assert!(drop_resource(&mut h, to, o.rep()).unwrap());
        assert!(drop_resource(&mut h, ti, i.rep()).is_err());
    }

    #[test]
    fn terminal_getters_follow_isatty() {
        let mut h = host();
        let tty = stdio(StdioKind::Stdin).isatty();
        assert_eq!(get_terminal_stdin(&mut h, ()).unwrap().is_some(), tty);
        let tty = stdio(StdioKind::Stderr).isatty();
        assert_eq!(get_terminal_stderr(&mut h, ()).unwrap().is_some(), tty);
    }
}
