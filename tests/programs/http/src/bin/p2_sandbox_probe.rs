// kiln-test: fixture = sandbox_probe
// kiln-test: fixture-symlink = in/abs_passwd /etc/passwd
// kiln-test: fixture-symlink = in/abs_root /
// kiln-test: fixture-symlink = in/abs_tmp /tmp
// kiln-test: dir = fixture/in::/sandbox
// kiln-test: dir = fixture/ro::/other
// kiln-test: stdout-file
// kiln-test: files-file
//! A differential probe of the WASI 0.2 filesystem sandbox (`wasip2` crate): every
//! path-taking descriptor method with `..`, absolute paths, symlinks that
//! lead out of the preopen (relative, chained, through a directory in the
//! middle of the path, dangling, looping), hard links and renames across
//! preopens and out, and methods on a descriptor after the preopen was
//! dropped. One line per attempt; the expected output is Wasmtime 49's.
//! The fixture holds `in/` (the preopen), `out/` (outside it, must stay
//! unchanged) and `ro/` (a second preopen).

use wasip2::filesystem::types::{Descriptor, DescriptorFlags, OpenFlags, PathFlags};

const PATHS: &[&str] = &[
    "file.txt", "", ".", "..", "../out/secret.txt", "/etc/passwd", "/sandbox/file.txt", "sub/../../out/secret.txt",
    "file.txt/", "sub/", "nonexist/..", "lout", "ldir", "ldir/secret.txt", "ldir/../in/file.txt", "c1", "c1ok",
    "loop1", "loop1/x", "dang", "dangout", "mid/x.txt", "mid/../../out", "subup/file.txt", "deep/secret.txt",
    "updir/file.txt", "abs_passwd", "abs_tmp/x", "abs_root/etc/passwd", "a\0b",
];

const MUT: &[&str] = &[
    "../out/new", "/tmp/kiln-probe-new", "lout", "ldir/new", "dang", "dangout", "mid/new", "deep/new", "updir/new", "abs_tmp/kiln-probe-new2",
    "c1", "loop1", "file.txt/x", "..", ".", "", "sub/",
];

fn show<T>(r: Result<T, wasip2::filesystem::types::ErrorCode>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => format!("{e:?}"),
    }
}

fn open(d: &Descriptor, pf: PathFlags, p: &str, o: OpenFlags, f: DescriptorFlags) -> String {
    show(d.open_at(pf, p, o, f))
}

fn main() {
    {
        let dirs = wasip2::filesystem::preopens::get_directories();
        let (d, _) = &dirs[0];
        let (o, _) = &dirs[1];
        let fol = PathFlags::SYMLINK_FOLLOW;
        let no = PathFlags::empty();
        let rd = DescriptorFlags::READ;
        let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
        let _ = d.create_directory_at("emptydir");
        for (target, name) in [
            ("../out/secret.txt", "lout"), ("../out", "ldir"), ("c2", "c1"), ("c3", "c2"), ("../out/secret.txt", "c3"),
            ("c2ok", "c1ok"), ("file.txt", "c2ok"), ("loop2", "loop1"), ("loop1", "loop2"), ("nonexist", "dang"),
            ("../out/nonexist", "dangout"), ("/etc/passwd", "abs"), ("sub", "mid"), ("sub/..", "subup"),
            ("sub/../../out", "deep"), ("..", "updir"),
        ] {
            println!("symlink {name} -> {target}: {}", show(d.symlink_at(target, name)));
        }
        for p in PATHS {
            let p = *p;
            println!("[{p:?}] open ro follow: {}", open(d, fol, p, OpenFlags::empty(), rd));
            println!("[{p:?}] open ro nofollow: {}", open(d, no, p, OpenFlags::empty(), rd));
            println!("[{p:?}] open dir: {}", open(d, fol, p, OpenFlags::DIRECTORY, rd));
            println!("[{p:?}] open trunc ro: {}", open(d, fol, p, OpenFlags::TRUNCATE, rd));
            println!("[{p:?}] open trunc|dir rw: {}", open(d, fol, p, OpenFlags::TRUNCATE | OpenFlags::DIRECTORY, rw));
            println!("[{p:?}] open mutate-dir: {}", open(d, fol, p, OpenFlags::empty(), DescriptorFlags::MUTATE_DIRECTORY));
            println!("[{p:?}] stat follow: {}", show(d.stat_at(fol, p)));
            println!("[{p:?}] stat nofollow: {}", show(d.stat_at(no, p)));
            println!("[{p:?}] readlink: {:?}", d.readlink_at(p));
            println!("[{p:?}] set-times: {}", show(d.set_times_at(no, p, wasip2::filesystem::types::NewTimestamp::NoChange, wasip2::filesystem::types::NewTimestamp::NoChange)));
            println!("[{p:?}] hash: {}", show(d.metadata_hash_at(fol, p)));
        }
        for p in MUT {
            let p = *p;
            println!("[{p:?}] creat nofollow: {}", open(d, no, p, OpenFlags::CREATE, rw));
            println!("[{p:?}] creat follow: {}", open(d, fol, p, OpenFlags::CREATE, rw));
            println!("[{p:?}] creat|excl: {}", open(d, fol, p, OpenFlags::CREATE | OpenFlags::EXCLUSIVE, rw));
            println!("[{p:?}] creat|dir: {}", open(d, no, p, OpenFlags::CREATE | OpenFlags::DIRECTORY, rw));
            println!("[{p:?}] mkdir: {}", show(d.create_directory_at(p)));
            println!("[{p:?}] symlink: {}", show(d.symlink_at("file.txt", p)));
            println!("[{p:?}] link from file.txt: {}", show(d.link_at(no, "file.txt", d, p)));
            println!("[{p:?}] link to hl: {}", show(d.link_at(no, p, d, "hl")));
            println!("[{p:?}] link follow to hl2: {}", show(d.link_at(fol, p, d, "hl2")));
            println!("[{p:?}] rename from: {}", show(d.rename_at(p, d, "ren")));
            println!("[{p:?}] rename to: {}", show(d.rename_at("victim.txt", d, p)));
            println!("[{p:?}] unlink: {}", show(d.unlink_file_at(p)));
            println!("[{p:?}] rmdir: {}", show(d.remove_directory_at(p)));
        }
        println!("link in->other: {}", show(d.link_at(no, "file.txt", o, "hl_in")));
        println!("rename in->other: {}", show(d.rename_at("victim2.txt", o, "moved.txt")));
        println!("rename other->in: {}", show(o.rename_at("moved.txt", d, "back.txt")));
        println!("rename dir into itself: {}", show(d.rename_at("sub", d, "sub/inner")));
        println!("rmdir nonempty: {}", show(d.remove_directory_at("sub")));
        println!("unlink dir: {}", show(d.unlink_file_at("sub")));
        println!("symlink abs target: {}", show(d.symlink_at("/", "slabs")));
        println!("symlink in other -> ../in: {}", show(o.symlink_at("../in/file.txt", "cross")));
        println!("open other/cross: {}", open(o, fol, "cross", OpenFlags::empty(), rd));
        println!("is-same preopens: {}", d.is_same_object(o));
        // Methods of a file descriptor used as a directory, and the reverse.
        let f = d.open_at(no, "file.txt", OpenFlags::empty(), rd).unwrap();
        println!("open_at on file: {}", open(&f, no, "x", OpenFlags::empty(), rd));
        println!("mkdir on file: {}", show(f.create_directory_at("x")));
        println!("read-directory on file: {}", show(f.read_directory()));
        println!("set-size ro file: {}", show(f.set_size(0)));
        println!("write ro file: {}", show(f.write_via_stream(0)));
        println!("read dir as file: {}", show(d.read_via_stream(0)));
        println!("set-size dir: {}", show(d.set_size(0)));
        println!("sync dir: {}", show(d.sync()));
        println!("advise dir: {}", show(d.advise(0, 0, wasip2::filesystem::types::Advice::Normal)));
        println!("get-flags dir: {:?}", d.get_flags());
        println!("get-type dir: {:?}", d.get_type());
        // A subdirectory outlives its dropped preopen and still cannot climb.
        let sub = d.open_at(no, "sub", OpenFlags::DIRECTORY, rd | DescriptorFlags::MUTATE_DIRECTORY).unwrap();
        drop(dirs);
        println!("sub .. after drop: {}", open(&sub, no, "..", OpenFlags::empty(), rd));
        println!("sub x.txt after drop: {}", open(&sub, no, "x.txt", OpenFlags::empty(), rd));
        println!("sub ../file.txt after drop: {}", open(&sub, no, "../file.txt", OpenFlags::empty(), rd));
        println!("file stat after drop: {}", show(f.stat()));
    }
}
