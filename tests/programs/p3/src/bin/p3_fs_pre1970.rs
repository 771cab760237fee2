// kiln-test: dir = fixture::/sandbox
// kiln-test: fixture-time = old.txt -310157633 500000000
// kiln-test: fixture-time = new.txt 1000000000 250000000
// kiln-test: stdout-file
//! WASI 0.3 file times before 1970: `stat` and `stat-at` report them as
//! Wasmtime 49 does (signed seconds and the magnitude's nanoseconds:
//! 1960-03-04T05:06:07.5Z is `{-310157632, 500000000}`), while Rust's std
//! in the same component reads the same file through WASI 0.2, whose
//! `datetime` cannot hold it. A time after 1970 reads the same both ways.
//! Then `set-times` and `set-times-at` (following links or not, which
//! Wasmtime converts differently) set such times, and too large ones are
//! `overflow`.

use wasip3::clocks::system_clock::Instant;
use wasip3::filesystem::types::{Descriptor, DescriptorFlags, NewTimestamp, OpenFlags, PathFlags};

fn at(seconds: i64, nanoseconds: u32) -> NewTimestamp {
    NewTimestamp::Timestamp(Instant {
        seconds,
        nanoseconds,
    })
}

async fn show(dir: &Descriptor, name: &str) {
    let st = dir.stat_at(PathFlags::empty(), name.into()).await.unwrap();
    println!(
        "{name} now {:?} {:?}",
        st.data_access_timestamp, st.data_modification_timestamp
    );
}

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let dirs = wasip3::filesystem::preopens::get_directories();
        let dir = &dirs[0].0;
        for name in ["old.txt", "new.txt"] {
            let at = dir.stat_at(PathFlags::empty(), name.into()).await.unwrap();
            println!("{name} stat-at access {:?}", at.data_access_timestamp);
            println!("{name} stat-at modification {:?}", at.data_modification_timestamp);
            let f = dir
                .open_at(PathFlags::empty(), name.into(), OpenFlags::empty(), DescriptorFlags::READ)
                .await
                .unwrap();
            let st = f.stat().await.unwrap();
            println!("{name} stat modification {:?}", st.data_modification_timestamp);
            let std = std::fs::metadata(format!("/sandbox/{name}")).and_then(|m| m.modified());
            println!("{name} std (WASI 0.2) modified {std:?}");
        }

        let follow = PathFlags::SYMLINK_FOLLOW;
        let nc = NewTimestamp::NoChange;
        let r = dir.set_times_at(follow, "old.txt".into(), at(-3, 250_000_000), at(-5, 1_500_000_000));
        println!("set-times-at follow {:?}", r.await);
        show(dir, "old.txt").await;
        dir.symlink_at("old.txt".into(), "link".into()).await.unwrap();
        let r = dir.set_times_at(PathFlags::empty(), "link".into(), at(-7, 250_000_000), at(-1, 0));
        println!("set-times-at nofollow {:?}", r.await);
        show(dir, "link").await;
        let r = dir.set_times_at(PathFlags::empty(), "new.txt".into(), at(-100, 500_000_000), nc);
        println!("set-times-at nofollow file {:?}", r.await);
        show(dir, "new.txt").await;
        let f = dir
            .open_at(PathFlags::empty(), "new.txt".into(), OpenFlags::empty(), DescriptorFlags::WRITE)
            .await
            .unwrap();
        println!("set-times {:?}", f.set_times(at(-5, 999_999_999), at(-2_000_000, 1)).await);
        show(dir, "new.txt").await;
        println!("set-times overflow {:?}", f.set_times(at(i64::MIN + 1, 2_000_000_000), nc).await);
        println!("set-times overflow {:?}", f.set_times(nc, at(i64::MAX, 2_000_000_000)).await);
        let r = dir.set_times_at(follow, "new.txt".into(), at(i64::MAX, 1_000_000_000), nc);
        println!("set-times-at overflow {:?}", r.await);
        show(dir, "new.txt").await;
        Ok(())
    }
}

fn main() {}
