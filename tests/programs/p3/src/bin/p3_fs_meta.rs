// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
// kiln-test: files-file
//! WASI 0.3 filesystem metadata and links through the async `descriptor`
//! methods: symlinks (made, read, followed or not, escaping the preopen),
//! hard links, timestamps set and read back (parameters passed in memory:
//! `set-times-at` flattens to more than 4 values), metadata hashes,
//! advise and sync, and their error paths.

use wasip3::filesystem::types::{
    Advice, Descriptor, DescriptorFlags, NewTimestamp, OpenFlags, PathFlags,
};
use wasip3::clocks::system_clock::Instant;

struct Cmd;
wasip3::cli::command::export!(Cmd);

async fn write(f: &Descriptor, data: &[u8]) {
    let (mut tx, rx) = wasip3::wit_stream::new();
    let done = f.write_via_stream(rx, 0);
    assert!(tx.write_all(data.to_vec()).await.is_empty());
    drop(tx);
    done.await.unwrap();
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let dirs = wasip3::filesystem::preopens::get_directories();
        let dir = &dirs[0].0;
        let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
        let f = dir
            .open_at(PathFlags::empty(), "a.txt".into(), OpenFlags::CREATE, rw)
            .await
            .unwrap();
        write(&f, b"contents\n").await;

        // Rust's std reaches the same preopen through WASI 0.2 in this
        // component: one kernel under both facades.
        println!("std read {:?}", std::fs::read_to_string("/sandbox/a.txt"));
        std::fs::write("/sandbox/std.txt", "from std\n").unwrap();
        let st = dir.stat_at(PathFlags::empty(), "std.txt".into()).await.unwrap();
        println!("0.3 stat of a std file {:?} {}", st.type_, st.size);
        println!("0.3 unlink of a std file {:?}", dir.unlink_file_at("std.txt".into()).await);
        println!("symlink {:?}", dir.symlink_at("a.txt".into(), "link".into()).await);
        println!("symlink exists {:?}", dir.symlink_at("a.txt".into(), "link".into()).await);
        println!("readlink {:?}", dir.readlink_at("link".into()).await);
        println!("readlink a file {:?}", dir.readlink_at("a.txt".into()).await);
        println!("readlink missing {:?}", dir.readlink_at("nope".into()).await);
        let st = dir.stat_at(PathFlags::empty(), "link".into()).await.unwrap();
        println!("stat-at nofollow {:?}", st.type_);
        let st = dir.stat_at(PathFlags::SYMLINK_FOLLOW, "link".into()).await.unwrap();
        println!("stat-at follow {:?} size {}", st.type_, st.size);
        println!("symlink outside {:?}", dir.symlink_at("../outside".into(), "out".into()).await);
        println!("symlink absolute {:?}", dir.symlink_at("/etc/passwd".into(), "abs".into()).await);

        println!("link {:?}", dir.link_at(PathFlags::empty(), "a.txt".into(), dir, "b.txt".into()).await);
        println!("link exists {:?}", dir.link_at(PathFlags::empty(), "a.txt".into(), dir, "b.txt".into()).await);
        println!("link missing {:?}", dir.link_at(PathFlags::empty(), "zz".into(), dir, "c.txt".into()).await);
        let st = f.stat().await.unwrap();
        println!("links {}", st.link_count);
        let h1 = f.metadata_hash().await.unwrap();
        let h2 = dir.metadata_hash_at(PathFlags::empty(), "b.txt".into()).await.unwrap();
        let h3 = dir.metadata_hash().await.unwrap();
        let same = |a: &wasip3::filesystem::types::MetadataHashValue, b: &wasip3::filesystem::types::MetadataHashValue| (a.lower, a.upper) == (b.lower, b.upper);
        println!("hash same file {} other {}", same(&h1, &h2), same(&h1, &h3));
        println!("hash missing {:?}", dir.metadata_hash_at(PathFlags::empty(), "zz".into()).await.err());

        let t = |s| NewTimestamp::Timestamp(Instant { seconds: s, nanoseconds: 5 });
        println!("set-times-at {:?}", dir.set_times_at(PathFlags::empty(), "a.txt".into(), t(1_000_000), t(2_000_000)).await);
        let st = f.stat().await.unwrap();
        println!(
            "times {:?} {:?}",
            st.data_access_timestamp.map(|i| (i.seconds, i.nanoseconds)),
            st.data_modification_timestamp.map(|i| (i.seconds, i.nanoseconds))
        );
        println!("set-times {:?}", f.set_times(NewTimestamp::NoChange, t(3_000_000)).await);
        let st = f.stat().await.unwrap();
        println!("mtime {:?}", st.data_modification_timestamp.map(|i| i.seconds));
        println!("set-times-at missing {:?}", dir.set_times_at(PathFlags::empty(), "zz".into(), t(1), t(1)).await);

        println!("advise {:?}", f.advise(0, 9, Advice::Sequential).await);
        println!("advise a directory {:?}", dir.advise(0, 9, Advice::Normal).await);
        println!("sync {:?}", f.sync().await);
        println!("sync-data {:?}", f.sync_data().await);
        println!("get-type {:?}", f.get_type().await);
        println!("rename missing {:?}", dir.rename_at("zz".into(), dir, "yy".into()).await);
        println!("unlink link {:?}", dir.unlink_file_at("link".into()).await);
        let through = dir
            .open_at(PathFlags::SYMLINK_FOLLOW, "out".into(), OpenFlags::empty(), DescriptorFlags::READ)
            .await;
        println!("open through a link outside {:?}", through.err());
        println!("unlink out {:?}", dir.unlink_file_at("out".into()).await);
        Ok(())
    }
}

fn main() {}
