//! Encoding of a generated adapter module.
//!
//! Phase: the last step of `super::generate` (and of
//! `super::generate_async`). Input: the module's sections but the code,
//! the adapter function (locals, instructions) and the names a backtrace
//! shows for it. Output: the module bytes, and the module offsets of the
//! `unreachable`s that stand for other trap codes ([`Encoded::traps`]),
//! for the compiler to translate them as such.
//!
//! The name section names the module [`super::MODULE_NAME`] and the
//! function after the component function it adapts, so a backtrace shows
//! an adapter's frame as `kiln-adapter![adapter]f` at an offset of this
//! module.

use kiln_abi::trap::TrapCode;
use wasm_encoder::{Encode, Instruction as I, Module, NameMap, NameSection, ValType};

/// The code section and everything around it.
pub(super) struct Parts<'a> {
    /// Bytes of the module up to the code section.
    pub head: Module,
    /// The adapter function's index in this module.
    pub func: u32,
    /// The adapter function's name (the name section's).
    pub name: &'a str,
    pub locals: &'a [ValType],
    pub code: &'a [I<'static>],
    /// The `unreachable`s that raise trap codes of their own: instruction
    /// position and code.
    pub traps: &'a [(usize, TrapCode)],
}

/// An encoded adapter module.
pub(super) struct Encoded {
    pub bytes: Vec<u8>,
    /// Module offset of each of [`Parts::traps`], with its code.
    pub traps: Vec<(u32, TrapCode)>,
}

/// Encodes the module.
pub(super) fn encode(parts: Parts<'_>) -> Encoded {
    let (body, at) = body_and_positions(&parts);
    let mut m = parts.head;
    let mut payload = Vec::new();
    1u32.encode(&mut payload);
    body.len().encode(&mut payload);
    // The module offset of the body's first byte: after the code
    // section's id, its size and its function count and body size.
    let start = m.as_slice().len() + 1 + leb_len(payload.len() + body.len()) + payload.len();
    payload.extend_from_slice(&body);
    m.section(&wasm_encoder::RawSection {
        id: 10,
        data: &payload,
    });
    let mut names = NameSection::new();
    names.module(super::MODULE_NAME);
    let mut funcs = NameMap::new();
    funcs.append(parts.func, parts.name);
    names.functions(&funcs);
    m.section(&names);
    let traps = parts
        .traps
        .iter()
        .map(|(k, code)| {
            let offset = at
                .get(*k)
                .map(|a| start + a)
                .expect("a trap is an instruction of the body");
            (
                u32::try_from(offset).expect("an adapter module is small"),
                *code,
            )
        })
        .collect();
    Encoded {
        bytes: m.finish(),
        traps,
    }
}

/// The function body, and the byte position in it of each instruction.
fn body_and_positions(parts: &Parts<'_>) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::new();
    let mut runs: Vec<(u32, ValType)> = Vec::new();
    for t in parts.locals {
        match runs.last_mut() {
            Some((n, last)) if last == t => *n += 1,
            _ => runs.push((1, *t)),
        }
    }
    runs.len().encode(&mut out);
    for (n, t) in &runs {
        n.encode(&mut out);
        t.encode(&mut out);
    }
    let mut at = Vec::with_capacity(parts.code.len());
    for i in parts.code {
        at.push(out.len());
        i.encode(&mut out);
    }
    (out, at)
}

fn leb_len(n: usize) -> usize {
    let mut v = Vec::new();
    n.encode(&mut v);
    v.len()
}
