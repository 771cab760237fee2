// kiln-test: dir = fixture::/sandbox
// kiln-test: args = 3
// kiln-test: stdout = "wrote 3145728\ncopied 3145728\nsame true\n"
//! A large file copy through WASI 0.3 streams, 64 KiB at a time: writes
//! `<MiB>` MiB of patterned bytes to `big.bin`, copies it stream to stream
//! into `copy.bin`, reads the copy back and compares. With a larger
//! argument it is the file-to-file copy to time against `wasmtime run`.

use wasip3::filesystem::types::{Descriptor, DescriptorFlags, OpenFlags, PathFlags};
use wasip3::wit_bindgen::rt::async_support::StreamResult;

struct Cmd;
wasip3::cli::command::export!(Cmd);

const CHUNK: usize = 64 * 1024;

fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(31) ^ (i >> 13)) as u8
}

async fn open(dir: &Descriptor, name: &str, create: bool) -> Descriptor {
    let o = if create {
        OpenFlags::CREATE | OpenFlags::TRUNCATE
    } else {
        OpenFlags::empty()
    };
    let f = DescriptorFlags::READ | DescriptorFlags::WRITE;
    dir.open_at(PathFlags::empty(), name.into(), o, f).await.unwrap()
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mib: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
        let total = mib * 1024 * 1024;
        let dirs = wasip3::filesystem::preopens::get_directories();
        let dir = &dirs[0].0;

        let big = open(dir, "big.bin", true).await;
        let (mut tx, rx) = wasip3::wit_stream::new();
        let done = big.write_via_stream(rx, 0);
        let mut i = 0;
        while i < total {
            let n = CHUNK.min(total - i);
            let chunk: Vec<u8> = (i..i + n).map(pattern).collect();
            assert!(tx.write_all(chunk).await.is_empty());
            i += n;
        }
        drop(tx);
        done.await.unwrap();
        println!("wrote {}", big.stat().await.unwrap().size);

        let copy = open(dir, "copy.bin", true).await;
        let (mut rx, rdone) = big.read_via_stream(0);
        let (mut tx, wrx) = wasip3::wit_stream::new();
        let wdone = copy.write_via_stream(wrx, 0);
        let mut buf = Vec::with_capacity(CHUNK);
        loop {
            let (res, b) = rx.read(buf).await;
            buf = b;
            if !buf.is_empty() {
                assert!(tx.write_all(std::mem::take(&mut buf)).await.is_empty());
                buf = Vec::with_capacity(CHUNK);
            }
            if !matches!(res, StreamResult::Complete(_)) {
                break;
            }
        }
        drop(tx);
        drop(rx);
        rdone.await.unwrap();
        wdone.await.unwrap();
        println!("copied {}", copy.stat().await.unwrap().size);

        let (mut rx, done) = copy.read_via_stream(0);
        let mut at = 0;
        let mut same = true;
        loop {
            let (res, b) = rx.read(Vec::with_capacity(CHUNK)).await;
            same &= b.iter().enumerate().all(|(k, &x)| x == pattern(at + k));
            at += b.len();
            if !matches!(res, StreamResult::Complete(_)) {
                break;
            }
        }
        drop(rx);
        done.await.unwrap();
        println!("same {}", same && at == total);
        Ok(())
    }
}

fn main() {}
