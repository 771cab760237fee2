//! The rules of [`super`] against a model directory tree (the probe), each
//! expectation what Wasmtime 49 answers for the same tree (see
//! `tests/programs/c/c_path_semantics.c`), and the kernel's `Dir` on a real
//! one for the operations the rules let through.

use super::*;
use crate::fs::{DescriptorFlags, Dir, NewTimestamp, OpenFlags, Opened};
use std::collections::BTreeMap;

/// An object of the model tree.
#[derive(Copy, Clone)]
enum Node {
    Dir,
    File,
    Link(&'static str),
}

/// The probes' fixture: `f` a file, `d` an empty directory, `lf -> f`,
/// `ld -> d`, `lfs -> f/`, `dang -> nope`, below a root that may not be
/// left.
struct Model(BTreeMap<String, Node>);

fn model() -> Model {
    Model(BTreeMap::from([
        ("f".to_string(), Node::File),
        ("d".to_string(), Node::Dir),
        ("lf".to_string(), Node::Link("f")),
        ("ld".to_string(), Node::Link("d")),
        ("lfs".to_string(), Node::Link("f/")),
        ("dang".to_string(), Node::Link("nope")),
    ]))
}

impl Model {
    /// Resolves `path` from the directory `at` (components, the root
    /// empty), as Linux would below a root that `..` may not leave.
    fn resolve(
        &self,
        at: Vec<String>,
        path: &str,
        follow: bool,
        depth: u32,
    ) -> KResult<(Vec<String>, Node)> {
        if depth > 8 {
            return Err(ErrorCode::Loop);
        }
        let must_be_dir = path.ends_with('/') || path.ends_with("/.") || path == ".";
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let (mut cur, mut node) = (at, Node::Dir);
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            if !matches!(node, Node::Dir) {
                return Err(ErrorCode::NotDirectory);
            }
            match *part {
                "." => continue,
                ".." => {
                    cur.pop().ok_or(ErrorCode::NotPermitted)?;
                    continue;
                }
                name => cur.push(name.to_string()),
            }
            node = *self.0.get(&cur.join("/")).ok_or(ErrorCode::NoEntry)?;
            if let Node::Link(target) = node
                && (!last || follow || must_be_dir)
            {
                cur.pop();
                (cur, node) = self.resolve(cur, target, true, depth + 1)?;
            }
        }
        if must_be_dir && !matches!(node, Node::Dir) {
            return Err(ErrorCode::NotDirectory);
        }
        Ok((cur, node))
    }
}

impl Probe for Model {
    fn kind(&self, path: &str, follow: bool) -> KResult<FileType> {
        if path.is_empty() {
            return Err(ErrorCode::NoEntry);
        }
        Ok(match self.resolve(Vec::new(), path, follow, 0)?.1 {
            Node::Dir => FileType::Directory,
            Node::File => FileType::RegularFile,
            Node::Link(_) => FileType::SymbolicLink,
        })
    }
}

fn p(raw: &str) -> GuestPath<'_> {
    GuestPath::parse(raw)
}

#[test]
fn shapes_are_read_once() {
    use Shape::*;
    for (raw, base, shape) in [
        ("x", "x", Name),
        ("a/b", "a/b", Name),
        ("a/./b", "a/./b", Name),
        ("", "", Name),
        ("/", "/", Name),
        ("/x/", "/x/", Name),
        ("x/", "x", Slash),
        ("x//", "x", Slash),
        ("a/b/", "a/b", Slash),
        ("./x/", "./x", Slash),
        ("x/.", "x", Dot),
        ("x/./", "x", Dot),
        ("x//.//", "x", Dot),
        ("x/..", "x/..", Dot),
        ("x/../", "x/..", Dot),
        ("x/../.", "x/..", Dot),
        (".", ".", Dot),
        ("./", ".", Dot),
        ("..", "..", Dot),
        ("../", "..", Dot),
    ] {
        assert_eq!(p(raw), GuestPath { raw, base, shape }, "{raw:?}");
    }
}

#[test]
fn a_lone_name_is_what_components_leave_of_it() {
    for (raw, lone) in [
        ("x/", true),
        ("x/.", true),
        ("x//./", true),
        ("x", false),
        ("./x/", false),
        ("a/x/", false),
        ("x/..", false),
        (".", false),
        ("..", false),
    ] {
        assert_eq!(p(raw).lone_name(), lone, "{raw:?}");
    }
}

/// The probe's security finding: a trailing slash on either side of a
/// rename wants a directory source, its own last symlink not followed.
#[test]
fn rename_with_a_slash_wants_a_directory_source() {
    let m = model();
    let rename = |old: &'static str, new: &'static str| super::rename(&p(old), &m, &p(new), &m);
    for (old, new) in [
        ("ld", "m/"),
        ("f", "ld/"),
        ("f", "r/"),
        ("f", "f/"),
        ("lf", "d/"),
        ("dang", "r/"),
        ("ld/", "r"),
        ("lf/", "r"),
        ("dang/", "r"),
        ("ld/", "ld/"),
    ] {
        assert_eq!(
            rename(old, new),
            Err(ErrorCode::NotDirectory),
            "{old} -> {new}"
        );
    }
    assert_eq!(rename("d/", "r"), Ok(Some(("d", "r"))));
    assert_eq!(rename("d", "r//"), Ok(Some(("d", "r"))));
    assert_eq!(rename("d//", "ld/"), Ok(Some(("d", "ld"))));
    assert_eq!(rename("f", "r"), Ok(None));
    assert_eq!(rename("ld", "r"), Ok(None));
}

/// Where paths go to the system as written (Windows): `rename`'s slash
/// rule alone, each answer what `wasmtime.exe` 49 gave under Wine for the
/// same tree (a file or missing source passes on otherwise); the symlink
/// sources (`lf`, `ld`) take Linux's rule, not followed, as Wine cannot
/// make a Windows symlink to check them.
#[test]
fn decorated_rename_wants_a_directory_source_for_a_slash() {
    let m = model();
    let rename =
        |old: &'static str, new: &'static str| decorated_rename(&p_raw(old), &m, &p_raw(new));
    for (old, new) in [
        ("f/", "r"),
        ("f", "r/"),
        ("f/", "r/"),
        ("f/", "d"),
        ("f", "d/"),
        ("lf", "d/"),
        ("ld/", "r"),
    ] {
        assert_eq!(
            rename(old, new),
            Err(ErrorCode::NotDirectory),
            "{old} -> {new}"
        );
    }
    for (old, new) in [
        ("d/", "r"),
        ("d", "r/"),
        ("d//", "r//"),
        ("f", "r"),
        ("nope/", "r"),
        ("f/.", "r"),
        ("ld", "r"),
    ] {
        assert_eq!(rename(old, new), Ok(()), "{old} -> {new}");
    }
}

/// A path as Windows hands it on: every shape a plain name.
fn p_raw(raw: &'static str) -> GuestPath<'static> {
    GuestPath {
        raw,
        base: raw,
        shape: Shape::Name,
    }
}

#[test]
fn rename_follows_linuxs_order() {
    let m = model();
    let rename = |old: &'static str, new: &'static str| super::rename(&p(old), &m, &p(new), &m);
    // Parents first (old, then new), then a dot entry, then the source.
    assert_eq!(rename("f/.", "d/."), Err(ErrorCode::NotDirectory));
    assert_eq!(rename("nope/x", "d/."), Err(ErrorCode::NoEntry));
    assert_eq!(rename("r", "f/."), Err(ErrorCode::NotDirectory));
    assert_eq!(rename("nope", "d/."), Err(ErrorCode::Busy));
    assert_eq!(rename("d/.", "r"), Err(ErrorCode::Busy));
    assert_eq!(rename("d/..", "r"), Err(ErrorCode::Busy));
    assert_eq!(rename(".", "r"), Err(ErrorCode::Busy));
    assert_eq!(rename("dang/.", "r"), Err(ErrorCode::NoEntry));
    assert_eq!(rename("nope/", "r"), Err(ErrorCode::NoEntry));
    assert_eq!(rename("r", "f/"), Err(ErrorCode::NoEntry));
    assert_eq!(rename("r", "nope/."), Err(ErrorCode::NoEntry));
    // `..` of the root leaves it: cap-std's refusal, before `busy`.
    assert_eq!(rename("..", "r"), Err(ErrorCode::NotPermitted));
    assert_eq!(rename("", "d/"), Err(ErrorCode::NoEntry));
}

#[test]
fn link_reads_a_slash_as_slash_dot() {
    let m = model();
    let link = |old: &'static str, new: &'static str| super::link(&p(old), &m, &p(new), &m);
    assert_eq!(link("f", "r"), Ok(()));
    assert_eq!(link("d/", "r"), Err(ErrorCode::NotPermitted));
    assert_eq!(link("ld/", "r"), Err(ErrorCode::NotPermitted));
    assert_eq!(link("d/..", "r"), Err(ErrorCode::NotPermitted));
    assert_eq!(link("d/", "f"), Err(ErrorCode::Exist));
    assert_eq!(link("f", "d/"), Err(ErrorCode::Exist));
    assert_eq!(link("dang", "d/."), Err(ErrorCode::Exist));
    assert_eq!(link("f", "r/"), Err(ErrorCode::NoEntry));
    assert_eq!(link("f/", "r"), Err(ErrorCode::NotDirectory));
    assert_eq!(link("lfs/", "r"), Err(ErrorCode::NotDirectory));
    assert_eq!(link("dang/", "r"), Err(ErrorCode::NoEntry));
    // Both containers before the old name.
    assert_eq!(link("nope", "f/"), Err(ErrorCode::NotDirectory));
    assert_eq!(link("nope", "d/"), Err(ErrorCode::NoEntry));
    assert_eq!(link("r/", "f/"), Err(ErrorCode::NoEntry));
    assert_eq!(link("..", "r"), Err(ErrorCode::NotPermitted));
}

#[test]
fn open_rules() {
    let m = model();
    let open = |raw: &'static str, create, exclusive, write| {
        super::open(&p(raw), create, exclusive, write, &m)
    };
    assert_eq!(open("f", false, false, false), Ok(None));
    assert_eq!(open("ld/", false, false, false), Ok(Some("ld")));
    assert_eq!(open("d/..", false, false, false), Ok(Some("d/..")));
    assert_eq!(
        open("f/", false, false, false),
        Err(ErrorCode::NotDirectory)
    );
    assert_eq!(open("lfs", false, false, false), Ok(None));
    assert_eq!(
        open("lfs/.", false, false, false),
        Err(ErrorCode::NotDirectory)
    );
    assert_eq!(open("dang/", false, false, false), Err(ErrorCode::NoEntry));
    assert_eq!(open("d/", false, false, true), Err(ErrorCode::IsDirectory));
    assert_eq!(open("f/", false, false, true), Err(ErrorCode::NotDirectory));
    // Creating: a file cannot end in `/`; `x/.` exists once `x` does.
    assert_eq!(
        open("nope/", true, false, true),
        Err(ErrorCode::IsDirectory)
    );
    assert_eq!(open("f/", true, true, true), Err(ErrorCode::IsDirectory));
    assert_eq!(open("nope/x/", true, false, true), Err(ErrorCode::NoEntry));
    assert_eq!(open("d/.", true, true, true), Err(ErrorCode::Exist));
    assert_eq!(open("d/..", true, false, true), Err(ErrorCode::IsDirectory));
    assert_eq!(open("f/.", true, true, true), Err(ErrorCode::NotDirectory));
    assert_eq!(open("nope/.", true, false, true), Err(ErrorCode::NoEntry));
    assert_eq!(
        open("..", false, false, false),
        Err(ErrorCode::NotPermitted)
    );
}

#[test]
fn stat_and_set_times_rules() {
    let m = model();
    let stat = |raw: &'static str, follow| super::stat(&p(raw), follow, &m);
    assert_eq!(stat("lf", false), Ok(Plan::AsIs));
    assert_eq!(stat("ld/", true), Ok(Plan::Dir("ld")));
    assert_eq!(stat("lf/", true), Err(ErrorCode::NotDirectory));
    // Wasmtime's lone name: the decoration is ignored without following.
    assert_eq!(stat("f/", false), Ok(Plan::Name("f")));
    assert_eq!(stat("ld/.", false), Ok(Plan::Name("ld")));
    assert_eq!(stat("a/f/", false), Err(ErrorCode::NoEntry));
    assert_eq!(stat("./f/", false), Err(ErrorCode::NotDirectory));
    assert_eq!(stat("./ld/", false), Ok(Plan::Dir("./ld")));
    assert_eq!(stat("f/..", false), Err(ErrorCode::NotDirectory));
    let set_times = |raw: &'static str| super::set_times(&p(raw), &m);
    assert_eq!(set_times("lf"), Ok(None));
    assert_eq!(set_times("ld/"), Ok(Some("ld")));
    assert_eq!(set_times("f/"), Err(ErrorCode::NotDirectory));
    assert_eq!(set_times("dang/."), Err(ErrorCode::NoEntry));
}

#[test]
fn creations_and_removals_on_directory_paths() {
    let m = model();
    let mkdir = |raw: &'static str| create_directory(&p(raw), &m);
    assert_eq!(mkdir("new"), Ok(None));
    assert_eq!(mkdir("new/"), Ok(Some("new")));
    assert_eq!(mkdir("dang//"), Ok(Some("dang")));
    assert_eq!(mkdir("d/."), Err(ErrorCode::Exist));
    assert_eq!(mkdir("f/."), Err(ErrorCode::NotDirectory));
    assert_eq!(mkdir("nope/.."), Err(ErrorCode::NoEntry));
    assert_eq!(mkdir("."), Err(ErrorCode::Exist));
    for (raw, unlinked, removed, read, made) in [
        ("f", Ok(()), Ok(()), Ok(()), Ok(())),
        (
            "d/",
            Err(ErrorCode::IsDirectory),
            Err(ErrorCode::Invalid),
            Err(ErrorCode::Invalid),
            Err(ErrorCode::Exist),
        ),
        (
            "ld/.",
            Err(ErrorCode::IsDirectory),
            Err(ErrorCode::Invalid),
            Err(ErrorCode::Invalid),
            Err(ErrorCode::Exist),
        ),
        (
            "lf/",
            Err(ErrorCode::NotDirectory),
            Err(ErrorCode::NotDirectory),
            Err(ErrorCode::NotDirectory),
            Err(ErrorCode::NotDirectory),
        ),
        (
            "dang/",
            Err(ErrorCode::NoEntry),
            Err(ErrorCode::NoEntry),
            Err(ErrorCode::NoEntry),
            Err(ErrorCode::NoEntry),
        ),
        (
            "..",
            Err(ErrorCode::NotPermitted),
            Err(ErrorCode::NotPermitted),
            Err(ErrorCode::NotPermitted),
            Err(ErrorCode::NotPermitted),
        ),
    ] {
        let path = p(raw);
        assert_eq!(unlink(&path, &m), unlinked, "unlink {raw}");
        assert_eq!(remove_directory(&path, &m), removed, "rmdir {raw}");
        assert_eq!(readlink(&path, &m), read, "readlink {raw}");
        assert_eq!(symlink(&path, &m), made, "symlink at {raw}");
    }
}

/// A fresh directory with the model's tree.
fn tree(name: &str) -> (std::path::PathBuf, Dir) {
    let root = std::env::temp_dir().join(format!("kiln-wasi-path-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("d")).unwrap();
    std::fs::write(root.join("f"), b"data").unwrap();
    for (target, link) in [("f", "lf"), ("d", "ld"), ("f/", "lfs"), ("nope", "dang")] {
        std::os::unix::fs::symlink(target, root.join(link)).unwrap();
    }
    let dir = Dir::open_ambient(&root).unwrap();
    (root, dir)
}

/// The finding end to end: nothing is renamed, the symlink is intact.
#[test]
fn dir_rename_refuses_trailing_slashes_on_non_directories() {
    let (root, d) = tree("rename");
    assert_eq!(d.rename_at("ld", &d, "m/"), Err(ErrorCode::NotDirectory));
    assert_eq!(d.rename_at("f", &d, "ld/"), Err(ErrorCode::NotDirectory));
    assert_eq!(d.rename_at("f", &d, "f/"), Err(ErrorCode::NotDirectory));
    assert_eq!(d.rename_at("ld/", &d, "m"), Err(ErrorCode::NotDirectory));
    assert_eq!(
        std::fs::read_link(root.join("ld")).unwrap(),
        std::path::Path::new("d")
    );
    assert!(!root.join("m").exists());
    assert_eq!(std::fs::read(root.join("f")).unwrap(), b"data");
    d.rename_at("d/", &d, "m/").unwrap();
    assert!(root.join("m").is_dir());
    d.rename_at("m", &d, "d//").unwrap();
    assert!(root.join("d").is_dir());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn dir_operations_apply_the_rules() {
    let (root, d) = tree("ops");
    let ro = DescriptorFlags::default();
    let none = OpenFlags::default();
    assert!(matches!(
        d.open_at("ld/", false, none, ro),
        Ok(Opened::Dir(_))
    ));
    assert_eq!(
        d.open_at("lf/", false, none, ro).err(),
        Some(ErrorCode::NotDirectory)
    );
    let create = OpenFlags {
        create: true,
        ..Default::default()
    };
    assert_eq!(
        d.open_at("new/", false, create, ro).err(),
        Some(ErrorCode::IsDirectory)
    );
    assert_eq!(
        d.stat_at("ld/", true).unwrap().file_type,
        FileType::Directory
    );
    assert_eq!(
        d.stat_at("ld/", false).unwrap().file_type,
        FileType::SymbolicLink
    );
    assert_eq!(
        d.stat_at("./ld/", false).unwrap().file_type,
        FileType::Directory
    );
    assert_eq!(d.unlink_file_at("ld/"), Err(ErrorCode::IsDirectory));
    assert_eq!(d.remove_directory_at("ld/"), Err(ErrorCode::Invalid));
    assert_eq!(d.symlink_at("f", "d/."), Err(ErrorCode::Exist));
    assert_eq!(d.link_at(false, "f", &d, "d/"), Err(ErrorCode::Exist));
    assert_eq!(d.readlink_at("lf/"), Err(ErrorCode::NotDirectory));
    d.set_times_at(
        "ld/.",
        false,
        NewTimestamp::At(1_000_000_000),
        NewTimestamp::At(2_000_000_000),
    )
    .unwrap();
    assert_eq!(
        d.stat_at("d", false).unwrap().mtim.map(|t| t.seconds),
        Some(2)
    );
    d.create_directory_at("new//").unwrap();
    assert!(root.join("new").is_dir());
    assert!(
        std::fs::symlink_metadata(root.join("ld"))
            .unwrap()
            .is_symlink()
    );
    let _ = std::fs::remove_dir_all(&root);
}
