// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
// kiln-test: files-file
//! WASI 0.3 filesystem through streams and async methods: write, append,
//! read back, copy a file stream to stream, list directories through a
//! stream of entries, stat, and every error path a
//! sandbox can provoke (not found, exists, not a directory, is a
//! directory, not empty, outside the preopen, a file method on a
//! directory).

use wasip3::filesystem::types::{Descriptor, DescriptorFlags, ErrorCode, OpenFlags, PathFlags};
use wasip3::wit_bindgen::rt::async_support::StreamResult;

struct Cmd;
wasip3::cli::command::export!(Cmd);

async fn open(dir: &Descriptor, name: &str, o: OpenFlags, f: DescriptorFlags) -> Result<Descriptor, ErrorCode> {
    dir.open_at(PathFlags::SYMLINK_FOLLOW, name.into(), o, f).await
}

/// Writes `data` through a stream; an error also reports how many bytes
/// the stream did not take.
async fn write(f: &Descriptor, data: &[u8], append: bool) -> Result<(), (usize, ErrorCode)> {
    let (mut tx, rx) = wasip3::wit_stream::new();
    let done = if append {
        f.append_via_stream(rx)
    } else {
        f.write_via_stream(rx, 0)
    };
    let rest = tx.write_all(data.to_vec()).await;
    drop(tx);
    done.await.map_err(|e| (rest.len(), e))
}

async fn read(f: &Descriptor, offset: u64) -> (Vec<u8>, Result<(), ErrorCode>) {
    let (mut rx, done) = f.read_via_stream(offset);
    let mut out = Vec::new();
    loop {
        let (res, buf) = rx.read(Vec::with_capacity(3)).await;
        out.extend(buf);
        if !matches!(res, StreamResult::Complete(_)) {
            break;
        }
    }
    drop(rx);
    (out, done.await)
}

/// The entries of `dir` (sorted: host order is unspecified) and the
/// stream's result.
async fn list(dir: &Descriptor) -> (Vec<String>, Result<(), ErrorCode>) {
    let (mut rx, done) = dir.read_directory();
    let mut out = Vec::new();
    loop {
        // Two at a time: several reads, some with fewer than asked.
        let (res, buf) = rx.read(Vec::with_capacity(2)).await;
        out.extend(buf.into_iter().map(|e| format!("{} {:?}", e.name, e.type_)));
        if !matches!(res, StreamResult::Complete(_)) {
            break;
        }
    }
    drop(rx);
    out.sort();
    (out, done.await)
}

/// Copies `src` to `dst` chunk by chunk, stream to stream.
async fn copy(src: &Descriptor, dst: &Descriptor) -> Result<u64, ErrorCode> {
    let (mut rx, rdone) = src.read_via_stream(0);
    let (mut tx, wrx) = wasip3::wit_stream::new();
    let wdone = dst.write_via_stream(wrx, 0);
    let mut n = 0;
    loop {
        let (res, buf) = rx.read(Vec::with_capacity(4)).await;
        n += buf.len() as u64;
        if !buf.is_empty() {
            assert!(tx.write_all(buf).await.is_empty());
        }
        if !matches!(res, StreamResult::Complete(_)) {
            break;
        }
    }
    drop(tx);
    drop(rx);
    rdone.await?;
    wdone.await?;
    Ok(n)
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let dirs = wasip3::filesystem::preopens::get_directories();
        for (_, name) in &dirs {
            println!("preopen {name}");
        }
        let dir = &dirs[0].0;
        let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
        println!("dir type {:?}", dir.get_type().await);

        let f = open(dir, "hello.txt", OpenFlags::CREATE | OpenFlags::TRUNCATE, rw).await.unwrap();
        println!("write {:?}", write(&f, b"hello ", false).await);
        println!("append {:?}", write(&f, b"world\n", true).await);
        let (data, r) = read(&f, 0).await;
        println!("read {:?} {r:?}", String::from_utf8_lossy(&data));
        let (data, r) = read(&f, 6).await;
        println!("read at 6 {:?} {r:?}", String::from_utf8_lossy(&data));
        let (data, r) = read(&f, 100).await;
        println!("read past end {:?} {r:?}", String::from_utf8_lossy(&data));

        let g = open(dir, "copy.txt", OpenFlags::CREATE, rw).await.unwrap();
        println!("copy {:?}", copy(&f, &g).await);
        let st = g.stat().await.unwrap();
        println!("copy stat {:?} size {} links {}", st.type_, st.size, st.link_count);
        let st = dir.stat_at(PathFlags::empty(), "hello.txt".into()).await.unwrap();
        println!("stat-at {:?} size {}", st.type_, st.size);
        println!("same object {}", f.is_same_object(&f).await);
        println!("different objects {}", f.is_same_object(&g).await);
        println!("flags {:?}", f.get_flags().await);
        println!("set-size {:?}", g.set_size(5).await);
        let (data, r) = read(&g, 0).await;
        println!("truncated {:?} {r:?}", String::from_utf8_lossy(&data));

        // Opened for reading only, for writing only; a read stream
        // dropped before its end.
        let ro = open(dir, "hello.txt", OpenFlags::empty(), DescriptorFlags::READ).await.unwrap();
        println!("write a read-only file {:?}", write(&ro, b"x", false).await);
        println!("append a read-only file {:?}", write(&ro, b"x", true).await);
        let wo = open(dir, "hello.txt", OpenFlags::empty(), DescriptorFlags::WRITE).await.unwrap();
        let (data, r) = read(&wo, 0).await;
        println!("read a write-only file {:?} {r:?}", String::from_utf8_lossy(&data));
        let (mut rx, done) = ro.read_via_stream(0);
        let (res, buf) = rx.read(Vec::with_capacity(2)).await;
        drop(rx);
        println!("early drop {res:?} {:?} {:?}", String::from_utf8_lossy(&buf), done.await);

        // Error paths.
        println!("missing {:?}", open(dir, "missing.txt", OpenFlags::empty(), DescriptorFlags::READ).await.err());
        println!("stat missing {:?}", dir.stat_at(PathFlags::empty(), "missing.txt".into()).await.err());
        println!("exclusive {:?}", open(dir, "hello.txt", OpenFlags::CREATE | OpenFlags::EXCLUSIVE, rw).await.err());
        println!("under a file {:?}", open(dir, "hello.txt/x", OpenFlags::empty(), DescriptorFlags::READ).await.err());
        println!("file as directory {:?}", open(dir, "hello.txt", OpenFlags::DIRECTORY, DescriptorFlags::READ).await.err());
        println!("mkdir {:?}", dir.create_directory_at("sub".into()).await);
        println!("mkdir again {:?}", dir.create_directory_at("sub".into()).await);
        println!("directory for writing {:?}", open(dir, "sub", OpenFlags::empty(), rw).await.err());
        println!("outside {:?}", open(dir, "../outside.txt", OpenFlags::CREATE, rw).await.err());
        println!("absolute {:?}", open(dir, "/etc/passwd", OpenFlags::empty(), DescriptorFlags::READ).await.err());
        println!("unlink a directory {:?}", dir.unlink_file_at("sub".into()).await);
        println!("rmdir a file {:?}", dir.remove_directory_at("hello.txt".into()).await);
        let sub = open(dir, "sub", OpenFlags::DIRECTORY, DescriptorFlags::READ).await.unwrap();
        let inner = open(&sub, "inner.txt", OpenFlags::CREATE, rw).await.unwrap();
        println!("write inner {:?}", write(&inner, b"inner\n", false).await);
        println!("rmdir not empty {:?}", dir.remove_directory_at("sub".into()).await);
        println!("list {:?}", list(dir).await);
        println!("list sub {:?}", list(&sub).await);
        println!("list a file {:?}", list(&f).await);
        println!("file method on a directory {:?}", sub.set_size(0).await);
        println!("directory method on a file {:?}", f.create_directory_at("x".into()).await.err());
        let (data, r) = read(&sub, 0).await;
        println!("read a directory {data:?} {r:?}");
        println!("write a directory {:?}", write(&sub, b"x", false).await);
        println!("rename {:?}", dir.rename_at("copy.txt".into(), &sub, "moved.txt".into()).await);
        println!("unlink {:?}", sub.unlink_file_at("inner.txt".into()).await);
        println!("unlink missing {:?}", dir.unlink_file_at("inner.txt".into()).await);
        Ok(())
    }
}

fn main() {}
