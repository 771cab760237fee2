// kiln-test: fixture = sandbox_probe
// kiln-test: fixture-symlink = in/abs_passwd /etc/passwd
// kiln-test: fixture-symlink = in/abs_root /
// kiln-test: fixture-symlink = in/abs_tmp /tmp
// kiln-test: dir = fixture/in::/sandbox
// kiln-test: dir = fixture/ro::/other
// kiln-test: stdout-file
// kiln-test: files-file
//! A differential probe of the WASI 0.3 filesystem sandbox: every
//! path-taking descriptor method with `..`, absolute paths, symlinks that
//! lead out of the preopen (relative, chained, through a directory in the
//! middle of the path, dangling, looping), hard links and renames across
//! preopens and out, and methods on a descriptor after the preopen was
//! dropped. One line per attempt; the expected output is Wasmtime 49's.
//! The fixture holds `in/` (the preopen), `out/` (outside it, must stay
//! unchanged) and `ro/` (a second preopen).

use wasip3::filesystem::types::{Descriptor, DescriptorFlags, OpenFlags, PathFlags};

struct Cmd;
wasip3::cli::command::export!(Cmd);

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

fn show<T>(r: Result<T, wasip3::filesystem::types::ErrorCode>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => format!("{e:?}"),
    }
}

async fn open(d: &Descriptor, pf: PathFlags, p: &str, o: OpenFlags, f: DescriptorFlags) -> String {
    show(d.open_at(pf, p.into(), o, f).await)
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let dirs = wasip3::filesystem::preopens::get_directories();
        let (d, _) = &dirs[0];
        let (o, _) = &dirs[1];
        let fol = PathFlags::SYMLINK_FOLLOW;
        let no = PathFlags::empty();
        let rd = DescriptorFlags::READ;
        let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
        let _ = d.create_directory_at("emptydir".into()).await;
        for (target, name) in [
            ("../out/secret.txt", "lout"), ("../out", "ldir"), ("c2", "c1"), ("c3", "c2"), ("../out/secret.txt", "c3"),
            ("c2ok", "c1ok"), ("file.txt", "c2ok"), ("loop2", "loop1"), ("loop1", "loop2"), ("nonexist", "dang"),
            ("../out/nonexist", "dangout"), ("/etc/passwd", "abs"), ("sub", "mid"), ("sub/..", "subup"),
            ("sub/../../out", "deep"), ("..", "updir"),
        ] {
            println!("symlink {name} -> {target}: {}", show(d.symlink_at(target.into(), name.into()).await));
        }
        for p in PATHS {
            let p = *p;
            println!("[{p:?}] open ro follow: {}", open(d, fol, p, OpenFlags::empty(), rd).await);
            println!("[{p:?}] open ro nofollow: {}", open(d, no, p, OpenFlags::empty(), rd).await);
            println!("[{p:?}] open dir: {}", open(d, fol, p, OpenFlags::DIRECTORY, rd).await);
            println!("[{p:?}] open trunc ro: {}", open(d, fol, p, OpenFlags::TRUNCATE, rd).await);
            println!("[{p:?}] open trunc|dir rw: {}", open(d, fol, p, OpenFlags::TRUNCATE | OpenFlags::DIRECTORY, rw).await);
            println!("[{p:?}] open mutate-dir: {}", open(d, fol, p, OpenFlags::empty(), DescriptorFlags::MUTATE_DIRECTORY).await);
            println!("[{p:?}] stat follow: {}", show(d.stat_at(fol, p.into()).await));
            println!("[{p:?}] stat nofollow: {}", show(d.stat_at(no, p.into()).await));
            println!("[{p:?}] readlink: {:?}", d.readlink_at(p.into()).await);
            println!("[{p:?}] set-times: {}", show(d.set_times_at(no, p.into(), wasip3::filesystem::types::NewTimestamp::NoChange, wasip3::filesystem::types::NewTimestamp::NoChange).await));
            println!("[{p:?}] hash: {}", show(d.metadata_hash_at(fol, p.into()).await));
        }
        for p in MUT {
            let p = *p;
            println!("[{p:?}] creat nofollow: {}", open(d, no, p, OpenFlags::CREATE, rw).await);
            println!("[{p:?}] creat follow: {}", open(d, fol, p, OpenFlags::CREATE, rw).await);
            println!("[{p:?}] creat|excl: {}", open(d, fol, p, OpenFlags::CREATE | OpenFlags::EXCLUSIVE, rw).await);
            println!("[{p:?}] creat|dir: {}", open(d, no, p, OpenFlags::CREATE | OpenFlags::DIRECTORY, rw).await);
            println!("[{p:?}] mkdir: {}", show(d.create_directory_at(p.into()).await));
            println!("[{p:?}] symlink: {}", show(d.symlink_at("file.txt".into(), p.into()).await));
            println!("[{p:?}] link from file.txt: {}", show(d.link_at(no, "file.txt".into(), d, p.into()).await));
            println!("[{p:?}] link to hl: {}", show(d.link_at(no, p.into(), d, "hl".into()).await));
            println!("[{p:?}] link follow to hl2: {}", show(d.link_at(fol, p.into(), d, "hl2".into()).await));
            println!("[{p:?}] rename from: {}", show(d.rename_at(p.into(), d, "ren".into()).await));
            println!("[{p:?}] rename to: {}", show(d.rename_at("victim.txt".into(), d, p.into()).await));
            println!("[{p:?}] unlink: {}", show(d.unlink_file_at(p.into()).await));
            println!("[{p:?}] rmdir: {}", show(d.remove_directory_at(p.into()).await));
        }
        println!("link in->other: {}", show(d.link_at(no, "file.txt".into(), o, "hl_in".into()).await));
        println!("rename in->other: {}", show(d.rename_at("victim2.txt".into(), o, "moved.txt".into()).await));
        println!("rename other->in: {}", show(o.rename_at("moved.txt".into(), d, "back.txt".into()).await));
        println!("rename dir into itself: {}", show(d.rename_at("sub".into(), d, "sub/inner".into()).await));
        println!("rmdir nonempty: {}", show(d.remove_directory_at("sub".into()).await));
        println!("unlink dir: {}", show(d.unlink_file_at("sub".into()).await));
        println!("symlink abs target: {}", show(d.symlink_at("/".into(), "slabs".into()).await));
        println!("symlink in other -> ../in: {}", show(o.symlink_at("../in/file.txt".into(), "cross".into()).await));
        println!("open other/cross: {}", open(o, fol, "cross", OpenFlags::empty(), rd).await);
        println!("is-same preopens: {}", d.is_same_object(o).await);
        // Methods of a file descriptor used as a directory, and the reverse.
        let f = d.open_at(no, "file.txt".into(), OpenFlags::empty(), rd).await.unwrap();
        println!("open_at on file: {}", open(&f, no, "x", OpenFlags::empty(), rd).await);
        println!("mkdir on file: {}", show(f.create_directory_at("x".into()).await));
        println!("read-directory on file: {}", show(f.read_directory().1.await));
        println!("set-size ro file: {}", show(f.set_size(0).await));
        println!("write ro file: {}", show({
            let (mut tx, rx) = wasip3::wit_stream::new();
            let done = f.write_via_stream(rx, 0);
            let rest = tx.write_all(b"x".to_vec()).await;
            drop(tx);
            let r = done.await;
            println!("  unwritten {}", rest.len());
            r
        }));
        println!("read dir as file: {}", show(d.read_via_stream(0).1.await));
        println!("set-size dir: {}", show(d.set_size(0).await));
        println!("sync dir: {}", show(d.sync().await));
        println!("advise dir: {}", show(d.advise(0, 0, wasip3::filesystem::types::Advice::Normal).await));
        println!("get-flags dir: {:?}", d.get_flags().await);
        println!("get-type dir: {:?}", d.get_type().await);
        // A subdirectory outlives its dropped preopen and still cannot climb.
        let sub = d.open_at(no, "sub".into(), OpenFlags::DIRECTORY, rd | DescriptorFlags::MUTATE_DIRECTORY).await.unwrap();
        drop(dirs);
        println!("sub .. after drop: {}", open(&sub, no, "..", OpenFlags::empty(), rd).await);
        println!("sub x.txt after drop: {}", open(&sub, no, "x.txt", OpenFlags::empty(), rd).await);
        println!("sub ../file.txt after drop: {}", open(&sub, no, "../file.txt", OpenFlags::empty(), rd).await);
        println!("file stat after drop: {}", show(f.stat().await));
        Ok(())
    }
}

fn main() {}
