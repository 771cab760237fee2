//! `wasi:cli@0.2`: `environment`, `exit`, `stdin`/`stdout`/`stderr` and the
//! `terminal-*` interfaces.
//!
//! Phase: run time (host functions). Inputs: the kernel's arguments,
//! environment and stdio. Outputs: stream handles, terminal handles,
//! process exit.
//!
//! Invariants (Wasmtime, `p2/host/{env,exit}.rs`, `p2/stdio.rs`):
//! - each `get-std*` call makes a new stream handle on the same host
//!   descriptor;
//! - `get-terminal-std*` returns a (contentless) terminal handle only if
//!   the host descriptor is a terminal at the time of the call;
//! - `exit(ok)` exits with 0, `exit(err)` with 1, `exit-with-code(n)` with
//!   `n`; output is unbuffered (`kernel::stdio`), so nothing is lost;
//! - `initial-cwd` is none (`wasmtime run` sets none); arguments and
//!   environment are the kernel's, non-UTF-8 bytes replaced (the CLI would
//!   have refused them earlier).

use super::P2Host;
use super::host_resources;
use super::io::{InputStreamRes, OutputStreamRes, StdioInput, StdioOutput, stdio};
use super::table::{Impl, host_fn};
use kiln_canon::{HostResources, Own, Resource, ResourceType, Trap};
use kiln_wasi_kernel::stdio::StdioKind;

host_resources! {
    /// `wasi:cli/terminal-input.terminal-input`.
    TerminalInputRes = ("wasi:cli/terminal-input@0.2", "terminal-input");
    /// `wasi:cli/terminal-output.terminal-output`.
    TerminalOutputRes = ("wasi:cli/terminal-output@0.2", "terminal-output");
}

/// The `wasi:cli` host functions.
pub const IMPLS: &[Impl] = &[
    (
        "wasi:cli/environment@0.2",
        "get-environment",
        host_fn!(get_environment),
    ),
    (
        "wasi:cli/environment@0.2",
        "get-arguments",
        host_fn!(get_arguments),
    ),
    (
        "wasi:cli/environment@0.2",
        "initial-cwd",
        host_fn!(initial_cwd),
    ),
    ("wasi:cli/exit@0.2", "exit", host_fn!(exit)),
    (
        "wasi:cli/exit@0.2",
        "exit-with-code",
        host_fn!(exit_with_code),
    ),
    ("wasi:cli/stdout@0.2", "get-stdout", host_fn!(get_stdout)),
    ("wasi:cli/stderr@0.2", "get-stderr", host_fn!(get_stderr)),
    ("wasi:cli/stdin@0.2", "get-stdin", host_fn!(get_stdin)),
    (
        "wasi:cli/terminal-stdin@0.2",
        "get-terminal-stdin",
        host_fn!(get_terminal_stdin),
    ),
    (
        "wasi:cli/terminal-stdout@0.2",
        "get-terminal-stdout",
        host_fn!(get_terminal_stdout),
    ),
    (
        "wasi:cli/terminal-stderr@0.2",
        "get-terminal-stderr",
        host_fn!(get_terminal_stderr),
    ),
];

/// `wasi:cli` state: the terminal objects (they carry nothing).
#[derive(Debug, Default)]
pub struct CliState {
    /// `terminal-input`s by rep.
    pub terminal_inputs: HostResources<()>,
    /// `terminal-output`s by rep.
    pub terminal_outputs: HostResources<()>,
}

/// `get-stdout`.
pub fn get_stdout(h: &mut P2Host, (): ()) -> Result<Own<OutputStreamRes>, Trap> {
    Ok(h.new_output(Box::new(StdioOutput(stdio(StdioKind::Stdout)))))
}

/// `get-stderr`.
pub fn get_stderr(h: &mut P2Host, (): ()) -> Result<Own<OutputStreamRes>, Trap> {
    Ok(h.new_output(Box::new(StdioOutput(stdio(StdioKind::Stderr)))))
}

/// `get-stdin`.
pub fn get_stdin(h: &mut P2Host, (): ()) -> Result<Own<InputStreamRes>, Trap> {
    Ok(h.new_input(Box::new(StdioInput::new(stdio(StdioKind::Stdin)))))
}

/// `exit(status: result)`: status 0 for `ok`, 1 for `err`, as wasmtime.
pub fn exit(_h: &mut P2Host, (status,): (Result<(), ()>,)) -> Result<(), Trap> {
    std::process::exit(if status.is_ok() { 0 } else { 1 })
}

/// `exit-with-code(status-code: u8)`: exactly that status.
pub fn exit_with_code(_h: &mut P2Host, (code,): (u8,)) -> Result<(), Trap> {
    std::process::exit(i32::from(code))
}

/// `get-environment`.
pub fn get_environment(h: &mut P2Host, (): ()) -> Result<Vec<(String, String)>, Trap> {
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok(h.wasi
        .kernel
        .env
        .iter()
        .map(|(k, v)| (lossy(k), lossy(v)))
        .collect())
}

/// `get-arguments`.
pub fn get_arguments(h: &mut P2Host, (): ()) -> Result<Vec<String>, Trap> {
    Ok(h.wasi
        .kernel
        .args
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect())
}

/// `initial-cwd`: none, as wasmtime.
pub fn initial_cwd(_h: &mut P2Host, (): ()) -> Result<Option<String>, Trap> {
    Ok(None)
}

/// `get-terminal-stdin`.
pub fn get_terminal_stdin(h: &mut P2Host, (): ()) -> Result<Option<Own<TerminalInputRes>>, Trap> {
    Ok(stdio(StdioKind::Stdin)
        .isatty()
        .then(|| Own::new(h.cli.terminal_inputs.insert(()))))
}

/// `get-terminal-stdout`.
pub fn get_terminal_stdout(h: &mut P2Host, (): ()) -> Result<Option<Own<TerminalOutputRes>>, Trap> {
    Ok(terminal_output(h, StdioKind::Stdout))
}

/// `get-terminal-stderr`.
pub fn get_terminal_stderr(h: &mut P2Host, (): ()) -> Result<Option<Own<TerminalOutputRes>>, Trap> {
    Ok(terminal_output(h, StdioKind::Stderr))
}

fn terminal_output(h: &mut P2Host, kind: StdioKind) -> Option<Own<TerminalOutputRes>> {
    stdio(kind)
        .isatty()
        .then(|| Own::new(h.cli.terminal_outputs.insert(())))
}

/// Drops the `wasi:cli` object `rep` of host type `ty` (terminals); `false`
/// if `ty` is not a `wasi:cli` resource.
pub fn drop_resource(h: &mut P2Host, ty: u32, rep: u32) -> Result<bool, Trap> {
    let t = ResourceType::Host(ty);
    let gone = if t == TerminalInputRes::TYPE {
        h.cli.terminal_inputs.remove(rep).is_some()
    } else if t == TerminalOutputRes::TYPE {
        h.cli.terminal_outputs.remove(rep).is_some()
    } else {
        return Ok(false);
    };
    if gone {
        Ok(true)
    } else {
        Err(super::io::no_object("terminal"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminals_drop_once() {
        let mut h = super::super::io::tests::host();
        let i = Own::<TerminalInputRes>::new(h.cli.terminal_inputs.insert(()));
        let o = Own::<TerminalOutputRes>::new(h.cli.terminal_outputs.insert(()));
        let (ti, to) = (
            TerminalInputRes::TYPE.type_operand(),
            TerminalOutputRes::TYPE.type_operand(),
        );
        assert!(drop_resource(&mut h, ti, i.rep()).unwrap());
        assert!(drop_resource(&mut h, to, o.rep()).unwrap());
        assert!(drop_resource(&mut h, ti, i.rep()).is_err());
        let stream = super::super::io::OutputStreamRes::TYPE.type_operand();
        assert!(!drop_resource(&mut h, stream, 0).unwrap());
    }

    #[test]
    fn terminal_getters_follow_isatty() {
        let mut h = super::super::io::tests::host();
        let tty = stdio(StdioKind::Stdout).isatty();
        assert_eq!(get_terminal_stdout(&mut h, ()).unwrap().is_some(), tty);
        assert!(initial_cwd(&mut h, ()).unwrap().is_none());
        assert_eq!(get_arguments(&mut h, ()).unwrap(), ["test"]);
    }
}
