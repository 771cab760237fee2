// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout = "dir stat == stat-at(.): true\nfile stat == stat-at: true\nstat-at follow == nofollow: true\nstat-at a/../a.txt == a.txt: true\nbirth times agree: true\n"
//! WASI 0.3 `stat` of a descriptor and `stat-at` of the same object, with
//! and without following links and through a longer path, report the same
//! attributes, the status-change (birth) time included: Wasmtime reads
//! them all with `statx`, and Kiln's musl runtime must not lose the birth
//! time where std's `fstat` does.

use wasip3::filesystem::types::{DescriptorFlags, DescriptorStat, OpenFlags, PathFlags};

struct Cmd;
wasip3::cli::command::export!(Cmd);

/// `descriptor-stat` has no `PartialEq` in the bindings: compare every
/// field through its `Debug` form.
fn same(a: &DescriptorStat, b: &DescriptorStat) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let dirs = wasip3::filesystem::preopens::get_directories();
        let dir = &dirs[0].0;
        let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
        let none = PathFlags::empty();
        let follow = PathFlags::SYMLINK_FOLLOW;
        dir.create_directory_at("a".into()).await.unwrap();
        let f = dir
            .open_at(none, "a.txt".into(), OpenFlags::CREATE, rw)
            .await
            .unwrap();
        let dir_stat = dir.stat().await.unwrap();
        let dot = dir.stat_at(none, ".".into()).await.unwrap();
        println!("dir stat == stat-at(.): {}", same(&dir_stat, &dot));
        let fd_stat = f.stat().await.unwrap();
        let at = dir.stat_at(none, "a.txt".into()).await.unwrap();
        println!("file stat == stat-at: {}", same(&fd_stat, &at));
        let followed = dir.stat_at(follow, "a.txt".into()).await.unwrap();
        println!("stat-at follow == nofollow: {}", same(&followed, &at));
        let long = dir.stat_at(none, "a/../a.txt".into()).await.unwrap();
        println!("stat-at a/../a.txt == a.txt: {}", same(&long, &at));
        // Where the filesystem records birth times, all four have one.
        let births = [&dir_stat, &dot, &fd_stat, &at, &followed, &long]
            .map(|s| s.status_change_timestamp.is_some());
        println!("birth times agree: {}", births.iter().all(|b| *b == births[0]));
        Ok(())
    }
}

fn main() {}
