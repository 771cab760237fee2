//! Invalid (and valid) components from valid seeds: structural mutations
//! of canonical options, types and built-ins in the text format.
//!
//! Input: a seed component as [`Sexp`] trees and a [`Rng`]. Output: the
//! mutated text, which `wat` may or may not accept (a mutation that breaks
//! the text is simply skipped by the caller).
//!
//! Every component body of a seed gets decoys first ([`with_decoys`]): a
//! core module exporting functions of many signatures (bodies
//! `unreachable`, valid for any signature) and a memory, so that a
//! mutation can point a `callback`, `post-return`, `realloc`, `memory` or
//! a lifted core function at something of the wrong (or right) type by
//! name, never by an index that would shift.

use super::sexp::Sexp;

/// A small deterministic generator (splitmix64): a case is reproducible
/// from its number.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// The decoy functions: export name and signature.
const DECOYS: &[(&str, &str)] = &[
    ("cb", "(param i32 i32 i32) (result i32)"),
    ("cb_r0", "(param i32 i32 i32)"),
    ("cb_r2", "(param i32 i32 i32) (result i32 i32)"),
    (
        "cb_r8",
        "(param i32 i32 i32) (result i32 i32 i32 i32 i32 i32 i32 i32)",
    ),
    ("cb_r64", ""),
    ("cb_p1", "(param i32) (result i32)"),
    ("cb_p2", "(param i32 i32) (result i32)"),
    ("cb_p4", "(param i32 i32 i32 i32) (result i32)"),
    ("cb_i64", "(param i32 i32 i32) (result i64)"),
    ("realloc64", "(param i64 i64 i64 i64) (result i64)"),
    ("v_v", ""),
    ("i_v", "(param i32)"),
    ("ii_v", "(param i32 i32)"),
    ("iii_v", "(param i32 i32 i32)"),
    ("l_v", "(param i64)"),
    ("v_i", "(result i32)"),
    ("i_i", "(param i32) (result i32)"),
    ("ii_i", "(param i32 i32) (result i32)"),
    ("v_l", "(result i64)"),
    ("f_f", "(param f32) (result f32)"),
];

/// The signature of decoy `name` (`cb_r64` is built, 64 results).
fn decoy_sig(name: &str, sig: &str) -> String {
    if name == "cb_r64" {
        format!("(param i32 i32 i32) (result{})", " i32".repeat(64))
    } else {
        sig.to_string()
    }
}

/// The decoy items added at the start of each component body.
fn decoy_items() -> Vec<Sexp> {
    let mut module = String::from(
        "(core module $kiln_decoy_m (memory (export \"mem\") 1) (memory (export \"mem64\") i64 1)",
    );
    for (name, sig) in DECOYS {
        module.push_str(&format!(
            " (func (export \"{name}\") {} unreachable)",
            decoy_sig(name, sig)
        ));
    }
    module.push(')');
    let text = format!(
        "{module} (core instance $kiln_decoy (instantiate $kiln_decoy_m)) \
         (alias core export $kiln_decoy \"mem\" (core memory $kiln_dmem)) \
         (alias core export $kiln_decoy \"mem64\" (core memory $kiln_dmem64))"
    );
    Sexp::parse_all(&text).expect("the decoys are well-formed text")
}

/// `component` with decoys at the start of its body and of each nested
/// component body (not of component *types*, which cannot hold modules).
pub fn with_decoys(component: &Sexp) -> Sexp {
    let Sexp::List(items) = component else {
        return component.clone();
    };
    let mut out: Vec<Sexp> = Vec::with_capacity(items.len() + 4);
    let mut iter = items.iter().peekable();
    if let Some(head) = iter.next() {
        out.push(head.clone());
    }
    if let Some(Sexp::Atom(id)) = iter.peek()
        && id.starts_with('$')
    {
        out.push(Sexp::Atom(id.clone()));
        iter.next();
    }
    out.extend(decoy_items());
    for item in iter {
        if item.head() == Some("component") {
            out.push(with_decoys(item));
        } else {
            out.push(item.clone());
        }
    }
    Sexp::List(out)
}

fn decoy_func(rng: &mut Rng) -> Sexp {
    let (name, _) = rng.pick(DECOYS);
    Sexp::List(vec![
        Sexp::atom("core"),
        Sexp::atom("func"),
        Sexp::atom("$kiln_decoy"),
        Sexp::Atom(format!("\"{name}\"")),
    ])
}

/// A canonical option to add (a decoy where it names something).
fn option(rng: &mut Rng) -> Sexp {
    let list = |head: &str, item: Sexp| Sexp::List(vec![Sexp::atom(head), item]);
    match rng.below(10) {
        0 => Sexp::atom("async"),
        1 => list("callback", decoy_func(rng)),
        2 => list("post-return", decoy_func(rng)),
        3 => list("realloc", decoy_func(rng)),
        4 => list("memory", Sexp::atom("$kiln_dmem")),
        5 => list("memory", Sexp::atom("$kiln_dmem64")),
        6 => Sexp::atom("cancellable"),
        _ => Sexp::Atom(
            rng.pick(&[
                "string-encoding=utf8",
                "string-encoding=utf16",
                "string-encoding=latin1+utf16",
            ])
            .to_string(),
        ),
    }
}

/// Value types a payload, parameter or result may become.
const VALTYPES: &[&str] = &[
    "u8",
    "u32",
    "s64",
    "f64",
    "bool",
    "char",
    "string",
    "(list u8)",
    "(list string)",
    "(tuple u32 string)",
    "(option string)",
    "(result u32 (error string))",
    "(tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32)",
    "(stream u8)",
    "(future string)",
    "(stream char)",
    // Handles of the resource `resources.wat` exports (text errors in
    // the other seeds).
    "(own $re)",
    "(borrow $re)",
    "(stream (borrow $re))",
    "(future (own $re))",
];

fn valtype(rng: &mut Rng) -> Sexp {
    let text: &str = rng.pick::<&str>(VALTYPES);
    Sexp::parse_all(text).expect("well-formed").remove(0)
}

/// Built-ins of one family, any of which may replace another.
const BUILTIN_FAMILIES: &[&[&str]] = &[
    &["stream.read", "stream.write", "future.read", "future.write"],
    &[
        "stream.cancel-read",
        "stream.cancel-write",
        "future.cancel-read",
        "future.cancel-write",
    ],
    &[
        "stream.new",
        "future.new",
        "stream.drop-readable",
        "stream.drop-writable",
        "future.drop-readable",
        "future.drop-writable",
    ],
    &["waitable-set.wait", "waitable-set.poll"],
    &["context.get", "context.set"],
    &["error-context.new", "error-context.debug-message"],
    &["resource.new", "resource.rep", "resource.drop"],
    &[
        "task.cancel",
        "backpressure.inc",
        "backpressure.dec",
        "waitable-set.new",
        "subtask.drop",
        "waitable-set.drop",
        "thread.yield",
    ],
];

/// Export names to try (resource function names, case clashes, URLs).
const NAMES: &[&str] = &[
    "\"[constructor]r\"",
    "\"[method]r.m\"",
    "\"[static]r.s\"",
    "\"[constructor]nope\"",
    "\"RUN\"",
    "\"run\"",
    "\"a-b\"",
    "\"url=<https://example.com>\"",
    "\"wasi:cli/run@0.3.0\"",
];

/// What a list node is, for choosing where a mutation applies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Site {
    /// `(canon ...)`.
    Canon,
    /// `(callback f)`, `(post-return f)`, `(realloc f)`, `(dtor f)`.
    FuncOption,
    /// `(stream T)`, `(future T)`, `(list T)`, `(option T)`, `(result T)`
    /// (a function's or `task.return`'s result, a `result`'s ok type).
    Payload,
    /// A component function type (or a lift's inline one).
    ComponentFunc,
    /// `(export "name" ...)` of a component.
    Export,
}

/// Every mutation site of `root`, with its path.
fn sites(root: &Sexp) -> Vec<(Site, Vec<usize>)> {
    let mut out = Vec::new();
    walk(root, &mut Vec::new(), false, &mut out);
    out
}

fn walk(node: &Sexp, path: &mut Vec<usize>, in_core: bool, out: &mut Vec<(Site, Vec<usize>)>) {
    let Sexp::List(items) = node else {
        return;
    };
    // Core modules and core types hold nothing this mutator changes.
    let core = in_core
        || (node.head() == Some("core")
            && items
                .get(1)
                .is_some_and(|i| i.is_atom("module") || i.is_atom("type")));
    if !core {
        let site = match node.head() {
            Some("canon") => Some(Site::Canon),
            Some("callback" | "post-return" | "realloc" | "dtor") => Some(Site::FuncOption),
            Some("stream" | "future" | "list" | "option" | "result") => Some(Site::Payload),
            Some("func") => Some(Site::ComponentFunc),
            Some("export") if matches!(items.get(1), Some(Sexp::Atom(a)) if a.starts_with('"')) => {
                Some(Site::Export)
            }
            _ => None,
        };
        if let Some(site) = site {
            out.push((site, path.clone()));
        }
    }
    for (i, item) in items.iter().enumerate() {
        path.push(i);
        walk(item, path, core, out);
        path.pop();
    }
}

/// Applies `count` random mutations to `root` (decoys already in it).
/// Returns a short description of each.
pub fn mutate(root: &mut Sexp, rng: &mut Rng, count: usize) -> Vec<String> {
    let mut done = Vec::new();
    for _ in 0..count * 4 {
        if done.len() == count {
            break;
        }
        let all = sites(root);
        if all.is_empty() {
            break;
        }
        let (site, path) = rng.pick(&all).clone();
        let Some(node) = root.at_mut(&path) else {
            continue;
        };
        if let Some(what) = mutate_at(site, node, rng) {
            done.push(what);
        }
    }
    done
}

fn mutate_at(site: Site, node: &mut Sexp, rng: &mut Rng) -> Option<String> {
    let Sexp::List(items) = node else {
        return None;
    };
    match site {
        Site::Canon => canon(items, rng),
        Site::FuncOption => {
            let f = decoy_func(rng);
            let what = format!("{} -> {}", items[0].print(), f.print());
            if items.len() < 2 {
                return None;
            }
            items[1] = f;
            Some(what)
        }
        Site::Payload => {
            let optional = items[0].is_atom("stream") || items[0].is_atom("future");
            if optional && items.len() > 1 && rng.below(4) == 0 {
                let head = items[0].print();
                items.truncate(1);
                return Some(format!("{head}: payload removed"));
            }
            let ty = valtype(rng);
            let what = format!("{} payload -> {}", items[0].print(), ty.print());
            if items.len() > 1 {
                items[1] = ty;
            } else {
                items.push(ty);
            }
            Some(what)
        }
        Site::ComponentFunc => component_func(items, rng),
        Site::Export => {
            let name: &str = rng.pick::<&str>(NAMES);
            let name = Sexp::atom(name);
            let what = format!("export {} -> {}", items[1].print(), name.print());
            items[1] = name;
            Some(what)
        }
    }
}

/// Whether canonical-list item `item` is an option (or a built-in's flag).
fn is_option(item: &Sexp) -> bool {
    match item {
        Sexp::Atom(a) => a == "async" || a == "cancellable" || a.starts_with("string-encoding="),
        Sexp::List(_) => matches!(
            item.head(),
            Some("memory" | "realloc" | "post-return" | "callback")
        ),
    }
}

fn canon(items: &mut Vec<Sexp>, rng: &mut Rng) -> Option<String> {
    let name = items.get(1)?.print();
    match rng.below(7) {
        // Drop an option.
        0 | 1 => {
            let opts: Vec<usize> = (2..items.len()).filter(|&i| is_option(&items[i])).collect();
            if opts.is_empty() {
                return None;
            }
            let i = *rng.pick(&opts);
            let removed = items.remove(i);
            Some(format!("canon {name}: dropped {}", removed.print()))
        }
        // Add an option.
        2 | 3 => {
            let o = option(rng);
            let what = format!("canon {name}: added {}", o.print());
            items.push(o);
            Some(what)
        }
        // Duplicate an option.
        4 => {
            let opts: Vec<usize> = (2..items.len()).filter(|&i| is_option(&items[i])).collect();
            if opts.is_empty() {
                return None;
            }
            let o = items[*rng.pick(&opts)].clone();
            let what = format!("canon {name}: duplicated {}", o.print());
            items.push(o);
            Some(what)
        }
        // Lift a decoy instead of the core function.
        5 if name == "lift" => {
            let f = decoy_func(rng);
            let what = format!("canon lift of {}", f.print());
            *items.get_mut(2)? = f;
            Some(what)
        }
        // Another built-in of the same family, or another immediate.
        _ => {
            if name == "context.get" || name == "context.set" {
                let (ty, slot) = (rng.pick(&["i32", "i64"]), rng.pick(&["0", "1"]));
                items.truncate(2);
                items.push(Sexp::atom(ty));
                items.push(Sexp::atom(slot));
                return Some(format!("canon {name} {ty} {slot}"));
            }
            let family = BUILTIN_FAMILIES
                .iter()
                .find(|f| f.contains(&name.as_str()))?;
            let other = rng.pick(family);
            items[1] = Sexp::atom(other);
            Some(format!("canon {name} -> {other}"))
        }
    }
}

/// A component function type: `async` on or off, a result changed or
/// removed, a parameter added.
fn component_func(items: &mut Vec<Sexp>, rng: &mut Rng) -> Option<String> {
    // Where the signature starts: after `func`, an `$id` and `(export ..)`.
    let start = items
        .iter()
        .position(|i| matches!(i.head(), Some("param" | "result" | "canon" | "type")))
        .unwrap_or(items.len());
    match rng.below(4) {
        0 => {
            if let Some(i) = items[..start].iter().position(|i| i.is_atom("async")) {
                items.remove(i);
                Some("func: async removed".into())
            } else {
                items.insert(start, Sexp::atom("async"));
                Some("func: async added".into())
            }
        }
        1 => {
            let i = items.iter().position(|i| i.head() == Some("result"))?;
            if rng.below(3) == 0 {
                items.remove(i);
                return Some("func: result removed".into());
            }
            let ty = valtype(rng);
            let what = format!("func: result -> {}", ty.print());
            items[i] = Sexp::List(vec![Sexp::atom("result"), ty]);
            Some(what)
        }
        2 => {
            // A parameter's type changed.
            let params: Vec<usize> = (0..items.len())
                .filter(|&i| items[i].head() == Some("param") && items[i].items().len() == 3)
                .collect();
            if params.is_empty() {
                return None;
            }
            let i = *rng.pick(&params);
            let ty = valtype(rng);
            let what = format!(
                "func: param {} -> {}",
                items[i].items()[1].print(),
                ty.print()
            );
            if let Sexp::List(p) = &mut items[i] {
                p[2] = ty;
            }
            Some(what)
        }
        _ => {
            let ty = valtype(rng);
            let what = format!("func: param added {}", ty.print());
            let at = items
                .iter()
                .position(|i| matches!(i.head(), Some("result" | "canon")))
                .unwrap_or(items.len());
            items.insert(
                at,
                Sexp::List(vec![Sexp::atom("param"), Sexp::atom("\"kiln-x\""), ty]),
            );
            Some(what)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"(component
      (core module $m
        (func (export "run") (result i32) (i32.const 0))
        (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
      (core instance $i (instantiate $m))
      (func (export "run") async (result u32)
        (canon lift (core func $i "run") async (callback (core func $i "cb")))))"#;

    #[test]
    fn decoys_keep_a_seed_valid_text() {
        let seed = Sexp::parse_all(SEED).unwrap().remove(0);
        let text = with_decoys(&seed).print();
        wat::parse_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(text.contains("cb_r64"));
    }

    #[test]
    fn mutations_are_reproducible() {
        let seed = with_decoys(&Sexp::parse_all(SEED).unwrap().remove(0));
        let run = |n| {
            let mut tree = seed.clone();
            let what = mutate(&mut tree, &mut Rng::new(n), 2);
            (tree.print(), what)
        };
        for n in 0..50 {
            let (a, what) = run(n);
            assert!(!what.is_empty(), "case {n} made no mutation");
            assert_eq!((a, what), run(n));
        }
    }
}
