//! Encoding of a generated adapter module, with its frames placed where
//! Wasmtime 49 reports them.
//!
//! Phase: the last step of `super::generate`. Input: the module's sections
//! but the code, the adapter function (locals, instructions), the positions
//! of its call sites among the instructions, and optionally the [`Frames`]
//! that `super::fact` computed. Output: the module bytes, and the frames
//! of the sites left elsewhere.
//!
//! A backtrace shows a frame as its function index and the module offset
//! of the instruction (the call, for a frame below the innermost). With
//! frames given, the adapter's first call site (its `may_leave` trap, or
//! the callee's call) is moved to the offset Wasmtime reports by a custom
//! section of padding before the code section, later ones (the callee,
//! `post-return`) by `nop`s in front of them, and a name
//! section gives the function the name Wasmtime shows for it
//! (`<wasm function N>`, its function index in Wasmtime's adapter module).
//! Sites whose offsets cannot be reached (Kiln's layout already further
//! on: whole groups of them are left, the fewest first) and sites in
//! Wasmtime's helper functions keep Kiln's offsets and come out in
//! [`Encoded::site_frames`] with the frames Wasmtime shows there, which
//! the compiler reports instead.
//!
//! The adapter's traps are `unreachable`s that stand for other trap codes;
//! their module offsets in the final layout come out with the bytes
//! ([`Encoded::traps`]) for the compiler to translate them as such.

use super::fact::{Chain, Frames};
use crate::module::CodedTrap;
use wasm_encoder::{
    CustomSection, Encode, Instruction as I, Module, NameMap, NameSection, ValType,
};

/// The code section and everything around it.
pub(super) struct Parts<'a> {
    /// Bytes of the module up to the code section.
    pub head: Module,
    /// The adapter function's index in this module.
    pub func: u32,
    pub locals: &'a [ValType],
    pub code: &'a [I<'static>],
    pub sites: Sites<'a>,
    /// The `unreachable`s that raise trap codes of their own: instruction
    /// position and code.
    pub traps: &'a [(usize, CodedTrap)],
}

/// An encoded adapter module.
pub(super) struct Encoded {
    pub bytes: Vec<u8>,
    /// Module offset of each of [`Parts::traps`], with its code.
    pub traps: Vec<(u32, CodedTrap)>,
    /// The sites not at Wasmtime's offsets in this layout: module offset
    /// and the frames to report there (`ModuleInfo::site_frames`).
    pub site_frames: Vec<(u32, Chain)>,
}

/// Instruction positions of the sites a backtrace may show, in body order.
#[derive(Copy, Clone)]
pub(super) struct Sites<'a> {
    /// The call raising the caller's `may_leave` trap.
    pub leave_trap: Option<usize>,
    /// The traps (`unreachable`s) of the parameters' checked values
    /// (invalid `char`s and discriminants).
    pub param_chars: &'a [usize],
    /// The calls of a `realloc`, a string transcoder or a handle's
    /// transfer while moving the parameters.
    pub param_reallocs: &'a [usize],
    /// The traps of the parameters' memory checks.
    pub param_mems: &'a [usize],
    /// The callee's call (or the trap of an adapter within one instance).
    pub call: Option<usize>,
    /// As `param_chars`, for the results.
    pub result_chars: &'a [usize],
    /// As `param_reallocs`, for the results.
    pub result_reallocs: &'a [usize],
    /// As `param_mems`, for the results.
    pub result_mems: &'a [usize],
    pub post_return: Option<usize>,
}

impl Sites<'_> {
    /// (instruction, Wasmtime's frames) of each site both sides have, in
    /// body order; value traps, `realloc` and transcoder calls and memory
    /// checks only where both have as many of a kind (a safeguard: Kiln's
    /// adapters make the checks and calls Wasmtime's make, in the same
    /// order, helpers' included).
    fn pair(&self, f: &Frames) -> Vec<(usize, Chain)> {
        let mut out: Vec<(usize, Chain)> = Vec::new();
        let same = |k: &[usize], t: &[Chain]| k.len() == t.len();
        let phase = |out: &mut Vec<(usize, Chain)>, groups: [(&[usize], &[Chain]); 3]| {
            let mut sites: Vec<(usize, Chain)> = groups
                .into_iter()
                .filter(|(k, t)| same(k, t))
                .flat_map(|(k, t)| k.iter().copied().zip(t.iter().cloned()))
                .collect();
            sites.sort_unstable();
            out.extend(sites);
        };
        let one = |(k, t): (usize, u32)| (k, vec![t]);
        out.extend(self.leave_trap.zip(f.leave_trap).map(one));
        phase(
            &mut out,
            [
                (self.param_chars, &f.param_chars),
                (self.param_reallocs, &f.param_reallocs),
                (self.param_mems, &f.param_mems),
            ],
        );
        out.extend(self.call.zip(f.call).map(one));
        phase(
            &mut out,
            [
                (self.result_chars, &f.result_chars),
                (self.result_reallocs, &f.result_reallocs),
                (self.result_mems, &f.result_mems),
            ],
        );
        out.extend(self.post_return.zip(f.post_return).map(one));
        out
    }
}

/// Encodes the module, placing the frames if possible.
pub(super) fn encode(parts: Parts<'_>, frames: Option<&Frames>) -> Encoded {
    if let Some(f) = frames {
        // Every site if possible, else without some groups of them (each
        // later site can only be moved forward), the fewest dropped first,
        // down to only the frames below the innermost.
        // Only groups that are there can be dropped.
        let groups = [
            f.leave_trap.is_some(),
            !f.param_chars.is_empty(),
            !f.param_reallocs.is_empty(),
            !f.param_mems.is_empty(),
            !f.result_chars.is_empty(),
            !f.result_reallocs.is_empty(),
            !f.result_mems.is_empty(),
        ];
        let present = groups
            .iter()
            .enumerate()
            .fold(0u32, |m, (bit, there)| m | (u32::from(*there) << bit));
        let mut tries: Vec<(u32, Frames)> = (0..1u32 << groups.len())
            .filter(|drop| drop & !present == 0)
            .map(|drop| {
                let keep = |v: &Vec<Chain>, bit: u32| {
                    if drop & (1 << bit) != 0 {
                        Vec::new()
                    } else {
                        v.clone()
                    }
                };
                let frames = Frames {
                    leave_trap: f.leave_trap.filter(|_| drop & 1 == 0),
                    param_chars: keep(&f.param_chars, 1),
                    param_reallocs: keep(&f.param_reallocs, 2),
                    param_mems: keep(&f.param_mems, 3),
                    result_chars: keep(&f.result_chars, 4),
                    result_reallocs: keep(&f.result_reallocs, 5),
                    result_mems: keep(&f.result_mems, 6),
                    ..f.clone()
                };
                (drop, frames)
            })
            .collect();
        tries.sort_by_key(|(drop, _)| drop.count_ones());
        // Sites that cannot be moved to Wasmtime's offsets, and those in
        // its helper functions, report its frames through the compiler
        // (`Encoded::site_frames`).
        let all = parts.sites.pair(f);
        let (layout, section, pad) = tries
            .iter()
            .find_map(|(_, f)| placed(&parts, f))
            .unwrap_or_else(|| (Layout::new(&parts, &[]), None, 0));
        let start = layout.start(&parts, pad);
        let site_frames = all
            .into_iter()
            .filter_map(|(k, chain)| {
                let at = u32::try_from(start + layout.at(k)).expect("an adapter module is small");
                (chain != [at]).then_some((at, chain))
            })
            .collect();
        let traps = layout.trap_offsets(&parts, pad);
        let mut m = parts.head;
        if let Some(s) = &section {
            m.section(s);
        }
        push_code(&mut m, &layout.body);
        let mut names = NameSection::new();
        let mut funcs = NameMap::new();
        funcs.append(parts.func, &format!("<wasm function {}>", f.func));
        names.functions(&funcs);
        m.section(&names);
        return Encoded {
            bytes: m.finish(),
            traps,
            site_frames,
        };
    }
    let layout = Layout::new(&parts, &[]);
    let traps = layout.trap_offsets(&parts, 0);
    let mut m = parts.head;
    push_code(&mut m, &layout.body);
    Encoded {
        bytes: m.finish(),
        traps,
        site_frames: Vec::new(),
    }
}

/// The function body laid out with `nops` (`nops[k]` `nop`s before
/// instruction `k`): its bytes and each instruction's byte position in it,
/// from one encoding.
struct Layout {
    body: Vec<u8>,
    at: Vec<usize>,
}

impl Layout {
    fn new(parts: &Parts<'_>, nops: &[(usize, usize)]) -> Layout {
        let (body, at) = body_and_positions(parts, nops);
        Layout { body, at }
    }

    /// Byte position of instruction `k` in the body.
    fn at(&self, k: usize) -> usize {
        *self
            .at
            .get(k)
            .expect("a site is an instruction of the body")
    }

    /// Module offset of the body's first byte, with `pad` bytes of padding
    /// section before the code section.
    fn start(&self, parts: &Parts<'_>, pad: usize) -> usize {
        let len = self.body.len();
        let payload = leb_len(1) + leb_len(len) + len;
        parts.head.as_slice().len() + pad + 1 + leb_len(payload) + leb_len(1) + leb_len(len)
    }

    /// Module offsets of the adapter's traps in this layout.
    fn trap_offsets(&self, parts: &Parts<'_>, pad: usize) -> Vec<(u32, CodedTrap)> {
        let start = self.start(parts, pad);
        parts
            .traps
            .iter()
            .map(|(k, code)| {
                (
                    u32::try_from(start + self.at(*k)).expect("an adapter module is small"),
                    *code,
                )
            })
            .collect()
    }
}

/// The function body with `nops[k]` `nop`s before instruction `k`, and the
/// byte position in it of each instruction (after its `nop`s).
fn body_and_positions(parts: &Parts<'_>, nops: &[(usize, usize)]) -> (Vec<u8>, Vec<usize>) {
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
    for (k, i) in parts.code.iter().enumerate() {
        for (site, n) in nops {
            if *site == k {
                for _ in 0..*n {
                    I::Nop.encode(&mut out);
                }
            }
        }
        at.push(out.len());
        i.encode(&mut out);
    }
    (out, at)
}

fn push_code(m: &mut Module, body: &[u8]) {
    let mut payload = Vec::new();
    1u32.encode(&mut payload);
    body.len().encode(&mut payload);
    payload.extend_from_slice(body);
    m.section(&wasm_encoder::RawSection {
        id: 10,
        data: &payload,
    });
}

fn leb_len(n: usize) -> usize {
    let mut v = Vec::new();
    n.encode(&mut v);
    v.len()
}

/// The layout with the sites of `f` that are in Wasmtime's adapter
/// function (not its helpers) in place: body, padding section and its
/// size; `None` if they cannot be.
fn placed(
    parts: &Parts<'_>,
    f: &Frames,
) -> Option<(Layout, Option<CustomSection<'static>>, usize)> {
    let sites: Vec<(usize, u32)> = parts
        .sites
        .pair(f)
        .into_iter()
        .filter_map(|(k, chain)| match chain[..] {
            [at] => Some((k, at)),
            _ => None,
        })
        .collect();
    let (&(call, first), rest) = sites.split_first()?;
    // Each later site is moved by `nop`s in front of it.
    let mut nops = Vec::new();
    let mut prev = (call, first);
    let bare = Layout::new(parts, &[]);
    for &(k, target) in rest {
        let gap = bare.at(k).checked_sub(bare.at(prev.0))?;
        let want = usize::try_from(target.checked_sub(prev.1)?).ok()?;
        nops.push((k, want.checked_sub(gap)?));
        prev = (k, target);
    }
    // Where the callee's call lands, and the layout it lands in.
    let natural = |nops: &[(usize, usize)]| {
        let layout = Layout::new(parts, nops);
        (layout.start(parts, 0) + layout.at(call), layout)
    };
    let pad = (first as usize).checked_sub(natural(&nops).0)?;
    // A short distance is all `nop`s; a long one a padding section, with a
    // few `nop`s where its length prefix cannot take the exact size.
    // (A length prefix may grow by a byte as `nop`s go in: several counts
    // are tried.)
    let counts: Vec<usize> = if pad < 64 {
        (0..=pad).rev().collect()
    } else {
        (0..4).collect()
    };
    let mut found = None;
    for n in counts {
        let mut with = nops.clone();
        with.push((call, n));
        let (at, layout) = natural(&with);
        let Some(rest) = (first as usize).checked_sub(at) else {
            continue;
        };
        if let Some(section) = padding(rest) {
            found = Some((layout, section, rest));
            break;
        }
    }
    found
}

/// A custom section of exactly `size` bytes (`None` inside: no section
/// needed), or `None` if no section has that size.
fn padding(size: usize) -> Option<Option<CustomSection<'static>>> {
    const NAME: &str = "kiln-adapter-padding";
    if size == 0 {
        return Some(None);
    }
    // id + length prefix + (name length + name + data).
    let fixed = leb_len(NAME.len()) + NAME.len();
    for prefix in 1..=3 {
        let Some(len) = size.checked_sub(1 + prefix) else {
            continue;
        };
        if len >= fixed && leb_len(len) == prefix {
            return Some(Some(CustomSection {
                name: NAME.into(),
                data: vec![0; len - fixed].into(),
            }));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::padding;
    use wasm_encoder::Module;

    /// A padding section has exactly the size asked for, and every size
    /// from its minimum up is reachable but for a few at the steps of its
    /// length prefix (which the caller covers with `nop`s).
    #[test]
    fn padding_sizes_are_exact() {
        let empty = Module::new().as_slice().len();
        let mut missing = 0;
        for size in 0..20_000 {
            match padding(size) {
                Some(Some(s)) => {
                    let mut m = Module::new();
                    m.section(&s);
                    assert_eq!(m.as_slice().len() - empty, size, "size {size}");
                }
                Some(None) => assert_eq!(size, 0),
                None if size < 23 => {}
                None => missing += 1,
            }
        }
        assert!(missing <= 2, "{missing} sizes unreachable");
    }
}
