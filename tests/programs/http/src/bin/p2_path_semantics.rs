// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
// kiln-test: stdout-like-wasmtime
//! Path semantics of WASI 0.2, differentially (the `wasip2` crate, whose
//! methods pass paths to the host unchanged): every path-taking descriptor
//! method on every shape of path (a name as is, with a trailing `/`, `/.`,
//! `//` and `/..`) naming a file, a directory, a symlink to each (and ones
//! whose target text ends in `/`), a dangling symlink and nothing, one line
//! per attempt with its error code (and what it found: a type, a link's
//! text), followed by the case directory when the attempt changed it. Each
//! attempt gets a fresh case directory `t` (made and listed with std), and
//! is made twice: on bare names relative to `t` opened, and on `t/...`
//! relative to the preopen:
//!
//!   t/f      a regular file (4 bytes)     t/lf   -> f       t/lfs -> f/
//!   t/d/     an empty directory           t/ld   -> d       t/lds -> d/
//!   t/dang   -> nope (dangling)           t/nope    nothing
//!
//! The twin of `c/c_path_semantics` (WASI preview 1) and
//! `p3/p3_path_semantics` (WASI 0.3): the same attempts and lines. The
//! expected output is Wasmtime 49's, compared live as well.

use std::path::Path;
use wasip2::filesystem::types::{
    Descriptor, DescriptorFlags, DescriptorType, ErrorCode, NewTimestamp, OpenFlags, PathFlags,
};

const ROOT: &str = "/sandbox/t";
const ENTRIES: &[&str] = &["f", "d", "lf", "ld", "lfs", "lds", "dang", "nope"];
const SHAPES: &[&str] = &["", "/", "/.", "//", "/.."];
/// The other side of two-path calls.
const OTHERS: &[&str] = &["f", "d", "ld", "r", "f/", "d/", "ld/", "r/", "d/."];
const OPS: &[&str] = &[
    "open",
    "open nofollow",
    "open dir",
    "open dir nofollow",
    "open creat",
    "open creat nofollow",
    "open creat|excl",
    "open trunc",
    "open rw nofollow",
    "mkdir",
    "unlink",
    "rmdir",
    "stat",
    "stat nofollow",
    "set_times",
    "set_times nofollow",
    "readlink",
    "symlink f at",
];

/// A listing of `dir` (recursive, sorted): `name:size` for a file,
/// `name/{...}` for a directory, `name->target` for a symlink.
fn list(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
        .collect();
    names.sort();
    let parts: Vec<String> = names
        .iter()
        .map(|name| {
            let p = dir.join(name);
            let meta = std::fs::symlink_metadata(&p).expect("lstat");
            if meta.is_symlink() {
                format!(
                    "{name}->{}",
                    std::fs::read_link(&p).expect("readlink").display()
                )
            } else if meta.is_dir() {
                format!("{name}/{{{}}}", list(&p))
            } else {
                format!("{name}:{}", meta.len())
            }
        })
        .collect();
    parts.join(" ")
}

/// A fresh case directory (the links made through `d`, the preopen), and
/// for bare names (an empty `prefix`) `t` opened, the base of the pass.
fn setup(d: &Descriptor, prefix: &str) -> Option<Descriptor> {
    let root = Path::new(ROOT);
    if std::fs::symlink_metadata(root).is_ok() {
        std::fs::remove_dir_all(root).expect("remove t");
    }
    std::fs::create_dir(root).expect("mkdir t");
    std::fs::write(root.join("f"), "data").expect("f");
    std::fs::create_dir(root.join("d")).expect("mkdir d");
    for (target, name) in [
        ("f", "lf"),
        ("f/", "lfs"),
        ("d", "ld"),
        ("d/", "lds"),
        ("nope", "dang"),
    ] {
        d.symlink_at(target, &format!("t/{name}")).expect("symlink");
    }
    let flags = DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY;
    prefix.is_empty().then(|| {
        d.open_at(PathFlags::empty(), "t", OpenFlags::DIRECTORY, flags)
            .expect("open t")
    })
}

/// `ok` and what the call found (a type, a link's text), or the error
/// code's WIT name.
fn show(r: Result<String, ErrorCode>) -> String {
    match r {
        Ok(found) if found.is_empty() => "ok".into(),
        Ok(found) => format!("ok {found}"),
        Err(e) => e.name().into(),
    }
}

/// A call that returns nothing worth printing.
fn done<T>(r: Result<T, ErrorCode>) -> Result<String, ErrorCode> {
    r.map(|_| String::new())
}

fn type_name(t: DescriptorType) -> String {
    match t {
        DescriptorType::Directory => "dir",
        DescriptorType::RegularFile => "file",
        DescriptorType::SymbolicLink => "symlink",
        _ => "other",
    }
    .into()
}

/// Prints the attempt's result, and the case directory if it changed.
fn report(initial: &str, label: &str, result: String) {
    let now = list(Path::new(ROOT));
    println!("{label}: {result}");
    if now != initial {
        println!("  => {now}");
    }
}

fn open(d: &Descriptor, follow: bool, p: &str, o: OpenFlags, f: DescriptorFlags) -> String {
    let pf = if follow {
        PathFlags::SYMLINK_FOLLOW
    } else {
        PathFlags::empty()
    };
    show(
        d.open_at(pf, p, o, f)
            .and_then(|fd| fd.get_type().map(type_name)),
    )
}

fn one(d: &Descriptor, op: usize, p: &str) -> String {
    let (fol, no) = (PathFlags::SYMLINK_FOLLOW, PathFlags::empty());
    let rd = DescriptorFlags::READ;
    let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
    let none = OpenFlags::empty();
    match op {
        0 => open(d, true, p, none, rd),
        1 => open(d, false, p, none, rd),
        2 => open(d, true, p, OpenFlags::DIRECTORY, rd),
        3 => open(d, false, p, OpenFlags::DIRECTORY, rd),
        4 => open(d, true, p, OpenFlags::CREATE, rw),
        5 => open(d, false, p, OpenFlags::CREATE, rw),
        6 => open(d, true, p, OpenFlags::CREATE | OpenFlags::EXCLUSIVE, rw),
        7 => open(d, true, p, OpenFlags::TRUNCATE, rw),
        8 => open(d, false, p, none, rw),
        9 => show(done(d.create_directory_at(p))),
        10 => show(done(d.unlink_file_at(p))),
        11 => show(done(d.remove_directory_at(p))),
        12 => show(d.stat_at(fol, p).map(|st| type_name(st.type_))),
        13 => show(d.stat_at(no, p).map(|st| type_name(st.type_))),
        14 => show(done(d.set_times_at(
            fol,
            p,
            NewTimestamp::Now,
            NewTimestamp::Now,
        ))),
        15 => show(done(d.set_times_at(
            no,
            p,
            NewTimestamp::Now,
            NewTimestamp::Now,
        ))),
        16 => show(d.readlink_at(p)),
        _ => show(done(d.symlink_at("f", p))),
    }
}

fn main() {
    let dirs = wasip2::filesystem::preopens::get_directories();
    let (d, _) = &dirs[0];
    setup(d, "t/");
    let initial = list(Path::new(ROOT));
    println!("fixture: {initial}");
    // Bare names relative to `t`, then the same under `t/` relative to the
    // preopen: a path with a directory part takes other roads through the
    // host (its parent is opened first).
    for pre in ["", "t/"] {
        for (op, name) in OPS.iter().enumerate() {
            for entry in ENTRIES {
                for shape in SHAPES {
                    let p = format!("{pre}{entry}{shape}");
                    let t = setup(d, pre);
                    let r = one(t.as_ref().unwrap_or(d), op, &p);
                    report(&initial, &format!("{name} {p}"), r);
                }
            }
        }
        // Both sides of rename and link, each path shape against a few others.
        for side in 0..2 {
            for entry in ENTRIES {
                for shape in SHAPES {
                    for other in OTHERS {
                        let (p, q) = (format!("{pre}{entry}{shape}"), format!("{pre}{other}"));
                        let (from, to) = if side == 1 { (&q, &p) } else { (&p, &q) };
                        let t = setup(d, pre);
                        let b = t.as_ref().unwrap_or(d);
                        let r = show(done(b.rename_at(from, b, to)));
                        report(&initial, &format!("rename {from} {to}"), r);
                        let t = setup(d, pre);
                        let b = t.as_ref().unwrap_or(d);
                        let r = show(done(b.link_at(PathFlags::empty(), from, b, to)));
                        report(&initial, &format!("link {from} {to}"), r);
                    }
                }
            }
        }
    }
    // Symlink targets are text: stored as given, followed later.
    for target in ["f/", "d/", "nope/", "f/.", "d/..", "lf/", "ld/"] {
        let t = setup(d, "").expect("t");
        let r = show(done(t.symlink_at(target, "new")));
        report(&initial, &format!("symlink {target} at new"), r);
        let r = show(
            t.stat_at(PathFlags::SYMLINK_FOLLOW, "new")
                .map(|st| type_name(st.type_)),
        );
        report(&initial, &format!("  stat new (-> {target})"), r);
        let r = open(&t, true, "new/", OpenFlags::empty(), DescriptorFlags::READ);
        report(&initial, &format!("  open new/ (-> {target})"), r);
    }
    std::fs::remove_dir_all(ROOT).expect("remove t");
}
