//! Fused adapters against Wasmtime on random types: trials
//! `adapter_diff::{memory,flat}/<seed>`.
//!
//! Each trial makes a composition of two components from its seed: a
//! random component type `T` (records, tuples, variants, enums, options,
//! results, flags, lists, strings, every scalar; nested up to three
//! levels), a callee that echoes it and a root that forwards the host's
//! call to the callee through a fused adapter, each side with a random
//! string encoding. `memory` passes `tuple<T, u64>` and 16 more bytes, so
//! the values cross through both memories (the callee's core code returns
//! its parameters' tuple as its results'), and in half of the seeds the
//! callee overwrites one byte of it first: a bad discriminant, `char`,
//! `bool`, flag or string, which the adapter must catch as Wasmtime's
//! does. `flat` passes a `T` of one core value through the stack, the
//! callee sometimes flipping bits of it. `wasmtime run --invoke` with a
//! random value of `T` is the reference: same stdout, stderr (the trap's
//! message and backtrace, the adapter's frames aside:
//! [`crate::adapter_frames`]) and exit status.
//!
//! `KILN_ADAPTER_DIFF_SEED=N` starts the seeds at N and
//! `KILN_ADAPTER_DIFF_CASES=M` runs M of each kind (defaults: 0, 24 and
//! 12), to look further than CI does. Needs the Wasmtime CLI (a failure
//! under CI, else an ignored trial).

use crate::util;
use libtest_mimic::{Completion, Failed, Trial};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
const PAD: &str = "(tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8)";
const PAD_VALUE: &str = "(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0)";
const ENCODINGS: [&str; 3] = ["utf8", "utf16", "latin1+utf16"];
/// `memory` seeds that once differed from Wasmtime, always run: 10265, a
/// 16-label `flags` copied in memory (Kiln masked it, 5 bytes Wasmtime's
/// adapters leave out, and a later check kept Kiln's offset).
const MEMORY_REGRESSIONS: [u64; 1] = [10265];

pub fn trials() -> Vec<Trial> {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let start = env("KILN_ADAPTER_DIFF_SEED").unwrap_or(0);
    let cases = env("KILN_ADAPTER_DIFF_CASES");
    let mut out = Vec::new();
    let range = start..start + cases.unwrap_or(24);
    let extra = MEMORY_REGRESSIONS
        .into_iter()
        .filter(|s| !range.contains(s));
    let memory = range.clone().chain(extra);
    for seed in memory {
        out.push(crate::timing::ignorable_trial(
            format!("adapter_diff::memory/{seed}"),
            move || check(&memory_case(seed), "memory", seed),
        ));
    }
    for seed in start..start + cases.unwrap_or(12) {
        out.push(crate::timing::ignorable_trial(
            format!("adapter_diff::flat/{seed}"),
            move || check(&flat_case(seed), "flat", seed),
        ));
    }
    out
}

/// A composition and the invocations to compare.
struct Case {
    wat: String,
    invokes: Vec<String>,
}

fn check(case: &Case, kind: &str, seed: u64) -> Result<Completion, Failed> {
    let Some(wasmtime) = util::wasmtime() else {
        return util::toolchain_missing("`wasmtime` is not on PATH".into());
    };
    let dir = util::scratch("adapter-diff");
    let path = dir.join(format!("{kind}-{seed}.wat"));
    std::fs::write(&path, &case.wat).map_err(|e| format!("{}: {e}", path.display()))?;
    for invoke in &case.invokes {
        let theirs = run(Command::new(&wasmtime).arg("run"), invoke, &path)?;
        let ours = run(util::kiln_cmd().arg("run"), invoke, &path)?;
        let same = theirs.0 == ours.0
            && theirs.1 == ours.1
            && crate::adapter_frames::same_stderr(theirs.2.as_bytes(), ours.2.as_bytes());
        if !same {
            return Err(format!(
                "`--invoke '{invoke}'` on {} differs from wasmtime's:\n--- wasmtime \
                 (exit {}) ---\n{}{}\n--- kiln (exit {}) ---\n{}{}",
                path.display(),
                theirs.0,
                theirs.1,
                theirs.2,
                ours.0,
                ours.1,
                ours.2
            )
            .into());
        }
    }
    let _ = std::fs::remove_file(&path);
    Ok(Completion::Completed)
}

fn run(cmd: &mut Command, invoke: &str, path: &Path) -> Result<(i32, String, String), String> {
    cmd.args(["--invoke", invoke])
        .arg(path)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    let o = util::run(cmd, b"", TIMEOUT).map_err(|e| e.to_string())?;
    Ok((o.code(), o.stdout_str(), o.stderr_str()))
}

/// xorshift64*: the same cases on every machine, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// A component value type.
enum Ty {
    Prim(&'static str),
    List(Box<Ty>),
    Record(Vec<Ty>),
    Tuple(Vec<Ty>),
    Variant(Vec<Option<Ty>>),
    Enum(usize),
    Option(Box<Ty>),
    Result(Option<Box<Ty>>, Option<Box<Ty>>),
    Flags(usize),
}

const SCALARS: [&str; 12] = [
    "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char",
];

fn gen_type(r: &mut Rng, depth: u32) -> Ty {
    if depth == 0 || r.chance(20) {
        return if r.chance(15) {
            Ty::Prim("string")
        } else {
            Ty::Prim(r.pick(&SCALARS))
        };
    }
    let sub = |r: &mut Rng| gen_type(r, depth - 1);
    match r.below(8) {
        0 => Ty::List(Box::new(sub(r))),
        1 => Ty::Record((0..1 + r.below(4)).map(|_| sub(r)).collect()),
        2 => Ty::Tuple((0..1 + r.below(4)).map(|_| sub(r)).collect()),
        3 => Ty::Variant(
            (0..1 + r.below(5))
                .map(|_| r.chance(70).then(|| sub(r)))
                .collect(),
        ),
        4 => Ty::Enum(r.pick(&[1, 2, 3, 5, 200, 300])),
        5 => Ty::Option(Box::new(sub(r))),
        6 => Ty::Result(
            r.chance(70).then(|| Box::new(sub(r))),
            r.chance(70).then(|| Box::new(sub(r))),
        ),
        _ => Ty::Flags(r.pick(&[1, 3, 8, 9, 16, 17, 32])),
    }
}

/// A type of one core value (passed flat, returned flat).
fn gen_flat_type(r: &mut Rng, depth: u32) -> Ty {
    match r.below(10) {
        _ if depth == 0 => Ty::Prim(r.pick(&SCALARS)),
        0..5 => Ty::Prim(r.pick(&SCALARS)),
        5 | 6 => Ty::Enum(r.pick(&[1, 2, 3, 5, 200, 300])),
        7 | 8 => Ty::Flags(r.pick(&[1, 3, 8, 9, 16, 17, 32])),
        _ if r.chance(50) => Ty::Record(vec![gen_flat_type(r, depth - 1)]),
        _ => Ty::Tuple(vec![gen_flat_type(r, depth - 1)]),
    }
}

/// The named types (records, variants, enums, flags), each after those
/// it uses, which both components define and export (a function's types
/// must be exported with it).
struct Names(Vec<String>);

impl Names {
    /// `t`'s text, its named parts defined in `self` first.
    fn text(&mut self, t: &Ty) -> String {
        let def = match t {
            Ty::Prim(p) => return (*p).to_string(),
            Ty::List(e) => return format!("(list {})", self.text(e)),
            Ty::Tuple(fs) => {
                let fs: Vec<String> = fs.iter().map(|f| self.text(f)).collect();
                return format!("(tuple {})", fs.join(" "));
            }
            Ty::Option(e) => return format!("(option {})", self.text(e)),
            Ty::Result(ok, err) => {
                let mut s = "(result".to_string();
                if let Some(ok) = ok {
                    let _ = write!(s, " {}", self.text(ok));
                }
                if let Some(err) = err {
                    let _ = write!(s, " (error {})", self.text(err));
                }
                return s + ")";
            }
            Ty::Record(fs) => {
                let fs: Vec<String> = fs
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("(field \"f{i}\" {})", self.text(f)))
                    .collect();
                format!("(record {})", fs.join(" "))
            }
            Ty::Variant(cs) => {
                let cs: Vec<String> = cs
                    .iter()
                    .enumerate()
                    .map(|(i, c)| match c {
                        Some(c) => format!("(case \"c{i}\" {})", self.text(c)),
                        None => format!("(case \"c{i}\")"),
                    })
                    .collect();
                format!("(variant {})", cs.join(" "))
            }
            Ty::Enum(n) => {
                let cs: Vec<String> = (0..*n).map(|i| format!("\"e{i}\"")).collect();
                format!("(enum {})", cs.join(" "))
            }
            Ty::Flags(n) => {
                let cs: Vec<String> = (0..*n).map(|i| format!("\"g{i}\"")).collect();
                format!("(flags {})", cs.join(" "))
            }
        };
        let n = self.0.len();
        self.0.push(def);
        format!("$n{n}'")
    }

    /// The definitions and exports, indented by `indent`.
    fn defs(&self, indent: &str) -> String {
        let mut s = String::new();
        for (n, def) in self.0.iter().enumerate() {
            let _ = writeln!(
                s,
                "{indent}(type $n{n} {def}) (export $n{n}' \"n{n}\" (type $n{n}))"
            );
        }
        s
    }
}

fn string_value(r: &mut Rng) -> String {
    const PIECES: [&str; 10] = [
        "abc",
        "héllo",
        "日本語",
        "😀x",
        "ÿ",
        "",
        "aaaaaaaaaaaaaaaaaaaaaaaaa",
        "Ωmega",
        "éè",
        "zĀ",
    ];
    let mut s = String::from("\"");
    for _ in 0..r.below(4) {
        s += r.pick(&PIECES);
    }
    s + "\""
}

/// A random value of `t` as `--invoke` takes it.
fn value(r: &mut Rng, t: &Ty) -> String {
    let join = |v: Vec<String>| v.join(",");
    match t {
        Ty::Prim("bool") => r.pick(&["true", "false"]).to_string(),
        Ty::Prim("char") => r
            .pick(&["'a'", "'é'", "'日'", "'😀'", "'\\''", "'z'"])
            .to_string(),
        Ty::Prim("string") => string_value(r),
        Ty::Prim("f32" | "f64") => r
            .pick(&["1.5", "-0.25", "0", "1e10", "-3.75", "nan", "inf", "-inf"])
            .to_string(),
        Ty::Prim(p) => {
            let bits: u32 = p[1..].parse().unwrap_or(32);
            let signed = p.starts_with('s');
            let x = r.next() >> (64 - bits);
            match (signed, r.below(4)) {
                (true, 0) => format!("-{}", 1u128 << (bits - 1)),
                (true, 1) => format!("{}", (1u128 << (bits - 1)) - 1),
                (true, _) => format!("{}", (x as i64) << (64 - bits) >> (64 - bits)),
                (false, 0) => format!("{}", (1u128 << bits) - 1),
                (false, _) => format!("{x}"),
            }
        }
        Ty::List(e) => {
            let v = (0..r.below(4)).map(|_| value(r, e)).collect();
            format!("[{}]", join(v))
        }
        Ty::Record(fs) => {
            let v = fs
                .iter()
                .enumerate()
                .map(|(i, f)| format!("f{i}:{}", value(r, f)))
                .collect();
            format!("{{{}}}", join(v))
        }
        Ty::Tuple(fs) => format!("({})", join(fs.iter().map(|f| value(r, f)).collect())),
        Ty::Variant(cs) => {
            let i = r.below(cs.len());
            match &cs[i] {
                Some(c) => format!("c{i}({})", value(r, c)),
                None => format!("c{i}"),
            }
        }
        Ty::Enum(n) => format!("e{}", r.below(*n)),
        Ty::Option(e) if r.chance(60) => format!("some({})", value(r, e)),
        Ty::Option(_) => "none".into(),
        Ty::Result(ok, err) => {
            let (name, payload) = if r.chance(50) {
                ("ok", ok)
            } else {
                ("err", err)
            };
            match payload {
                Some(p) => format!("{name}({})", value(r, p)),
                None => name.to_string(),
            }
        }
        Ty::Flags(n) => {
            let set: Vec<String> = (0..*n)
                .filter(|_| r.chance(40))
                .map(|i| format!("g{i}"))
                .collect();
            format!("{{{}}}", join(set))
        }
    }
}

/// A bump allocator over the module's memory, growing it as needed.
const REALLOC: &str = r#"(func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (if (local.get 0) (then (if (i32.le_u (local.get 3) (local.get 1)) (then (return (local.get 0))))))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
          (then (drop (memory.grow (i32.add (i32.shr_u (local.get 3) (i32.const 16)) (i32.const 1))))))
        (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0) (local.get 1))))
        (local.get $p))"#;

fn memory_case(seed: u64) -> Case {
    let mut r = Rng::new(seed);
    let t = gen_type(&mut r, 3);
    let (root_enc, callee_enc) = (r.pick(&ENCODINGS), r.pick(&ENCODINGS));
    // Half of the callees overwrite a byte of the value before returning it.
    let body = if r.chance(50) {
        let byte = r.pick(&[0, 1, 2, 3, 255, 0x80, 0xc3, 0xff, 0xd8, 0x7f]);
        format!(
            "(i32.store8 offset={} (local.get 0) (i32.const {byte})) (local.get 0)",
            r.below(24)
        )
    } else {
        "(local.get 0)".into()
    };
    let mut names = Names(Vec::new());
    let ty = format!("(tuple {} u64)", names.text(&t));
    let (callee_defs, root_defs) = (names.defs("    "), names.defs("  "));
    let wat = format!(
        r#"(component
  (component $callee
{callee_defs}    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      {REALLOC}
      (func (export "echo") (param i32) (result i32) {body}))
    (core instance $i (instantiate $m))
    (func (export "echo") (param "x" {ty}) (param "pad" {PAD}) (result {ty})
      (canon lift (core func $i "echo") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc")) string-encoding={callee_enc})))
  (instance $c (instantiate $callee))
{root_defs}  (core module $mem
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x1000))
    {REALLOC})
  (core instance $m (instantiate $mem))
  (alias core export $m "memory" (core memory $memory))
  (alias core export $m "realloc" (core func $realloc))
  (core func $echo (canon lower (func $c "echo") (memory $memory) (realloc $realloc)
    string-encoding={root_enc}))
  (core module $fwd
    (import "" "echo" (func $echo (param i32 i32)))
    (func (export "echo") (param i32) (result i32)
      (call $echo (local.get 0) (i32.const 0x100)) (i32.const 0x100)))
  (core instance $f (instantiate $fwd (with "" (instance (export "echo" (func $echo))))))
  (func (export "echo") (param "x" {ty}) (param "pad" {PAD}) (result {ty})
    (canon lift (core func $f "echo") (memory $memory) (realloc $realloc)
      string-encoding={root_enc}))
)
"#
    );
    let invokes = (0..2)
        .map(|_| {
            let v = value(&mut r, &t);
            format!("echo(({v},{}),{PAD_VALUE})", r.next())
        })
        .collect();
    Case { wat, invokes }
}

/// The core type a one-value type flattens to.
fn core_type(t: &Ty) -> &'static str {
    match t {
        Ty::Prim("s64" | "u64") => "i64",
        Ty::Prim("f32") => "f32",
        Ty::Prim("f64") => "f64",
        Ty::Record(fs) | Ty::Tuple(fs) => fs.first().map_or("i32", core_type),
        _ => "i32",
    }
}

fn flat_case(seed: u64) -> Case {
    let mut r = Rng::new(seed ^ 0x5bd1_e995);
    let t = gen_flat_type(&mut r, 2);
    let core = core_type(&t);
    // Most callees flip some bits of the value: a bad `bool`, `char`,
    // discriminant or flag for the adapter to catch.
    let mask = r.pick(&[
        0,
        1,
        0x80,
        0xd800,
        0x11_0000,
        0x7fff_ffff,
        -1,
        2,
        0x100,
        0x1_0000,
    ]);
    let body = match core {
        _ if mask == 0 => "(local.get 0)".to_string(),
        "i64" => format!("(i64.xor (local.get 0) (i64.const {mask}))"),
        "f32" => format!(
            "(f32.reinterpret_i32 (i32.xor (i32.reinterpret_f32 (local.get 0)) (i32.const {mask})))"
        ),
        "f64" => format!(
            "(f64.reinterpret_i64 (i64.xor (i64.reinterpret_f64 (local.get 0)) (i64.const {mask})))"
        ),
        _ => format!("(i32.xor (local.get 0) (i32.const {mask}))"),
    };
    let mut names = Names(Vec::new());
    let ty = names.text(&t);
    let (callee_defs, root_defs) = (names.defs("    "), names.defs("  "));
    let wat = format!(
        r#"(component
  (component $callee
{callee_defs}    (core module $m (func (export "echo") (param {core}) (result {core}) {body}))
    (core instance $i (instantiate $m))
    (func (export "echo") (param "x" {ty}) (result {ty}) (canon lift (core func $i "echo"))))
  (instance $c (instantiate $callee))
{root_defs}  (core func $echo (canon lower (func $c "echo")))
  (core module $fwd
    (import "" "echo" (func $echo (param {core}) (result {core})))
    (func (export "echo") (param {core}) (result {core}) (call $echo (local.get 0))))
  (core instance $f (instantiate $fwd (with "" (instance (export "echo" (func $echo))))))
  (func (export "echo") (param "x" {ty}) (result {ty}) (canon lift (core func $f "echo")))
)
"#
    );
    let invokes = vec![format!("echo({})", value(&mut r, &t))];
    Case { wat, invokes }
}
