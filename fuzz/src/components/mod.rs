//! Target `component-validate`: invalid components must never compile.
//!
//! A generator of mostly invalid components and a differential oracle
//! against Wasmtime 49: seed components (our own WAT: `fuzz/seeds/
//! components/` and the component run cases in `tests/run/component/`)
//! get decoys and then 1 to 3 structural mutations of their canonical
//! options, types, built-ins and export names ([`mutate`]); Kiln's
//! compiler and `wasmtime compile` each accept or refuse the result
//! ([`oracle`]).
//!
//! Outcomes (see [`oracle::Class`]): Kiln accepting what Wasmtime refuses,
//! panicking, or generating a fused adapter module that is not valid wasm,
//! is a bug (the run exits 1); Kiln refusing as invalid what
//! Wasmtime accepts, or refusing in other words, is listed. Cases are
//! numbered: case `n` is the same component on every run (`--case n`
//! replays it). Interesting cases are written to the output directory as
//! `.wat` files whose header says what each side answered.
//!
//! It is a plain program, not a libFuzzer target: each case runs a
//! `wasmtime` process, and the mutations are structural, so coverage
//! feedback would add little.

pub mod mutate;
pub mod oracle;
pub mod sexp;

use mutate::Rng;
use oracle::{Class, Verdict, Wasmtime};
use sexp::Sexp;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to run.
pub struct Options {
    /// Directories of seed `.wat` files.
    pub seeds: Vec<PathBuf>,
    /// First case number.
    pub start: u64,
    /// Stop after this many cases (numbers), if set.
    pub cases: Option<u64>,
    /// Stop after this long, if set.
    pub time: Option<Duration>,
    /// Where interesting cases are written.
    pub out: PathBuf,
    /// Print each case's text and verdicts.
    pub verbose: bool,
}

/// A seed: its name and its text with decoys.
pub struct Seed {
    pub name: String,
    pub tree: Sexp,
}

/// Counts of one run.
#[derive(Default)]
pub struct Summary {
    /// Case numbers generated.
    pub generated: u64,
    /// Mutants whose text `wat` refused (not compared).
    pub not_text: u64,
    /// Mutants identical to an earlier one (not compared again).
    pub duplicates: u64,
    /// Compared cases per class.
    pub classes: BTreeMap<Class, u64>,
    /// Distinct (class, Kiln's message, Wasmtime's message) of the listed
    /// classes, with the first case showing each.
    pub distinct: BTreeMap<(Class, String, String), u64>,
}

impl Summary {
    pub fn compared(&self) -> u64 {
        self.classes.values().sum()
    }

    pub fn bugs(&self) -> u64 {
        self.classes
            .iter()
            .filter(|(c, _)| c.is_bug())
            .map(|(_, n)| n)
            .sum()
    }

    /// The report printed at the end (and every so often).
    pub fn report(&self) -> String {
        let mut out = format!(
            "kiln-fuzz component-validate: {} cases: {} compared, {} not text, {} duplicates\n",
            self.generated,
            self.compared(),
            self.not_text,
            self.duplicates
        );
        for (class, n) in &self.classes {
            out.push_str(&format!("  {class:?}: {n}\n"));
        }
        for ((class, kiln, wasmtime), case) in &self.distinct {
            out.push_str(&format!(
                "  {class:?} (first: case {case}):\n    kiln:     {}\n    wasmtime: {}\n",
                one_line(kiln),
                one_line(wasmtime)
            ));
        }
        out
    }
}

fn one_line(s: &str) -> String {
    s.replace('\n', " / ")
}

/// Loads the seeds of `dirs` that both sides accept (with decoys added);
/// prints why the others were left out.
pub fn load_seeds(dirs: &[PathBuf], wasmtime: &Wasmtime) -> Vec<Seed> {
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wat"))
        .collect();
    files.sort();
    let mut seeds = Vec::new();
    for path in files {
        let name = path.display().to_string();
        match seed(&path, wasmtime) {
            Ok(tree) => seeds.push(Seed { name, tree }),
            Err(why) => eprintln!("seed left out: {name}: {}", one_line(&why)),
        }
    }
    seeds
}

fn seed(path: &Path, wasmtime: &Wasmtime) -> Result<Sexp, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut trees = Sexp::parse_all(&text)?;
    if trees.len() != 1 || trees[0].head() != Some("component") {
        return Err("not one component".into());
    }
    let tree = mutate::with_decoys(&trees.remove(0));
    let wasm = wat::parse_str(tree.print()).map_err(|e| e.to_string())?;
    let k = oracle::kiln(&wasm);
    let w = wasmtime.verdict(&wasm).map_err(|e| e.to_string())?;
    match (&k, &w) {
        (Verdict::Accept, Verdict::Accept) => Ok(tree),
        _ => Err(format!("kiln {k:?}, wasmtime {w:?}")),
    }
}

/// Case `n`: the seed it mutates, the mutations and the text.
pub fn case(seeds: &[Seed], n: u64) -> (usize, Vec<String>, String) {
    let mut rng = Rng::new(n.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x6b69_6c6e);
    let s = rng.below(seeds.len());
    let mut tree = seeds[s].tree.clone();
    let count = 1 + rng.below(3);
    let what = mutate::mutate(&mut tree, &mut rng, count);
    (s, what, tree.print())
}

/// Runs cases from `opts.start` until a limit; returns the counts.
pub fn run(opts: &Options, seeds: &[Seed], wasmtime: &Wasmtime) -> std::io::Result<Summary> {
    std::fs::create_dir_all(&opts.out)?;
    let began = Instant::now();
    let mut summary = Summary::default();
    let mut seen: HashSet<u64> = HashSet::new();
    let mut n = opts.start;
    loop {
        if opts.cases.is_some_and(|c| n - opts.start >= c)
            || opts.time.is_some_and(|t| began.elapsed() >= t)
        {
            break;
        }
        summary.generated += 1;
        let (s, what, text) = case(seeds, n);
        let Ok(wasm) = wat::parse_str(&text) else {
            summary.not_text += 1;
            n += 1;
            continue;
        };
        if !seen.insert(hash(&wasm)) {
            summary.duplicates += 1;
            n += 1;
            continue;
        }
        let k = oracle::kiln(&wasm);
        let w = wasmtime.verdict(&wasm)?;
        let class = Class::of(&k, &w);
        *summary.classes.entry(class).or_default() += 1;
        if opts.verbose {
            eprintln!("case {n}: {class:?}\n{text}\nkiln: {k:?}\nwasmtime: {w:?}\n");
        }
        if matches!(
            class,
            Class::KilnAcceptsInvalid
                | Class::KilnPanic
                | Class::KilnBadAdapter
                | Class::KilnStricter
                | Class::BothRefuseOtherWords
                | Class::BothRefuseOtherOffset
        ) {
            let key = (class, message(&k), message(&w));
            if let Entry::Vacant(first) = summary.distinct.entry(key) {
                first.insert(n);
                let header = format!(
                    ";; case {n} ({class:?}) from {}\n;; mutations: {}\n;; kiln: {}\n;; wasmtime: {}\n",
                    seeds[s].name,
                    what.join("; "),
                    one_line(&format!("{k:?}")),
                    one_line(&format!("{w:?}")),
                );
                let file = opts.out.join(format!("{class:?}-{n}.wat"));
                std::fs::write(file, format!("{header}{text}\n"))?;
            }
            if class.is_bug() {
                eprintln!(
                    "FINDING: case {n} ({class:?}) from {}: kiln {k:?}, wasmtime {w:?}",
                    seeds[s].name
                );
            }
        }
        n += 1;
        if summary.generated.is_multiple_of(500) {
            eprint!("{}", summary.report());
        }
    }
    Ok(summary)
}

fn message(v: &Verdict) -> String {
    match v {
        Verdict::Accept => "accepted".into(),
        Verdict::Invalid(m, _) | Verdict::Other(m) | Verdict::Panic(m) | Verdict::BadAdapter(m) => {
            m.clone()
        }
    }
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}
