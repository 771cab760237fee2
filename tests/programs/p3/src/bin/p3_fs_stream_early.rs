// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
//! A stream method whose error is known when it is called (reading a
//! directory's bytes, listing a file, writing a directory) resolves its
//! result future without the stream, as Wasmtime 49 does (on the event
//! loop's next turn: `p3_fs_future_ready`): a guest that awaits the
//! future before touching the stream gets the error instead of a
//! deadlock, and the stream has ended. (A file opened without the access
//! a stream needs is refused only when the stream is used, in Wasmtime as
//! here: awaiting its future first waits forever in both.)

use wasip3::filesystem::types::{Descriptor, DescriptorFlags, OpenFlags, PathFlags};
use wasip3::wit_bindgen::rt::async_support::StreamResult;

struct Cmd;
wasip3::cli::command::export!(Cmd);

async fn write_first(what: &str, f: &Descriptor, append: bool) {
    let (mut tx, rx) = wasip3::wit_stream::new();
    let done = if append { f.append_via_stream(rx) } else { f.write_via_stream(rx, 0) };
    println!("{what}: {:?}", done.await);
    let rest = tx.write_all(b"abc".to_vec()).await;
    println!("  then unwritten {}", rest.len());
}

async fn read_first(what: &str, f: &Descriptor) {
    let (mut rx, done) = f.read_via_stream(0);
    println!("{what}: {:?}", done.await);
    let (res, buf) = rx.read(Vec::with_capacity(8)).await;
    println!("  then read {} {}", buf.len(), matches!(res, StreamResult::Complete(_)));
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let dirs = wasip3::filesystem::preopens::get_directories();
        let d = &dirs[0].0;
        let no = PathFlags::empty();
        d.open_at(no, "w.txt".into(), OpenFlags::CREATE, DescriptorFlags::WRITE)
            .await
            .unwrap();
        let r = d
            .open_at(no, "w.txt".into(), OpenFlags::empty(), DescriptorFlags::READ)
            .await
            .unwrap();
        read_first("read-via-stream on a directory", d).await;
        write_first("write-via-stream on a directory", d, false).await;
        write_first("append-via-stream on a directory", d, true).await;
        let (mut rx, done) = r.read_directory();
        println!("read-directory on a file: {:?}", done.await);
        let (res, buf) = rx.read(Vec::with_capacity(2)).await;
        println!("  then read {} {}", buf.len(), matches!(res, StreamResult::Complete(_)));
        Ok(())
    }
}

fn main() {}
