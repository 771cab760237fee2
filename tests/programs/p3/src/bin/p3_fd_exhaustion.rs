// kiln-test: dir = fixture::/sandbox
// kiln-test: nofile = 128
// kiln-test: stdout-file
//! Running out of host descriptors under WASI 0.3 (`nofile = 128`): opens
//! fail with Wasmtime's error code and the guest goes on: stdout through
//! a stream, a `wait-for`, a stream read of a file opened before, a
//! directory listing made before, socket creation without a grant
//! (`access-denied`), and, after closing four files, opens again.

use wasip3::clocks::monotonic_clock;
use wasip3::filesystem::types::{DescriptorFlags, OpenFlags, PathFlags};
use wasip3::sockets::types::{IpAddressFamily, TcpSocket};
use wasip3::wit_bindgen::rt::async_support::StreamResult;

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        let dirs = wasip3::filesystem::preopens::get_directories();
        let d = &dirs[0].0;
        let no = PathFlags::empty();
        let f = d
            .open_at(no, "f".into(), OpenFlags::CREATE, DescriptorFlags::READ | DescriptorFlags::WRITE)
            .await
            .unwrap();
        let (mut tx, rx) = wasip3::wit_stream::new();
        let done = f.write_via_stream(rx, 0);
        tx.write_all(b"contents".to_vec()).await;
        drop(tx);
        done.await.unwrap();
        let (mut listing, _) = d.read_directory();
        let mut held = Vec::new();
        let stopped = loop {
            match d.open_at(no, "f".into(), OpenFlags::empty(), DescriptorFlags::READ).await {
                Ok(h) => held.push(h),
                Err(e) => break e,
            }
            if held.len() > 10_000 {
                break wasip3::filesystem::types::ErrorCode::Other(None);
            }
        };
        out.print(&format!("open stopped: {stopped:?}\n")).await;
        out.print(&format!("opened more than 50: {}\n", held.len() > 50)).await;
        let mkdir = d.create_directory_at("sub".into()).await;
        out.print(&format!("mkdir: {mkdir:?}\n")).await;
        let tcp = TcpSocket::create(IpAddressFamily::Ipv4).map(|_| ());
        out.print(&format!("create tcp socket: {tcp:?}\n")).await;
        let (mut rx, rdone) = f.read_via_stream(0);
        let (_, buf) = rx.read(Vec::with_capacity(64)).await;
        drop(rx);
        out.print(&format!("read the file opened before: {:?} {:?}\n", String::from_utf8_lossy(&buf), rdone.await)).await;
        let (res, entries) = listing.read(Vec::with_capacity(8)).await;
        let names: Vec<_> = entries.into_iter().map(|e| e.name).collect();
        out.print(&format!("listing made before: {names:?} {}\n", matches!(res, StreamResult::Complete(_)))).await;
        let start = monotonic_clock::now();
        monotonic_clock::wait_for(10_000_000).await;
        out.print(&format!("slept 10ms: {}\n", monotonic_clock::now() - start >= 10_000_000)).await;
        held.truncate(held.len() - 4);
        let again = d.open_at(no, "f".into(), OpenFlags::empty(), DescriptorFlags::READ).await.map(|_| ());
        out.print(&format!("open after closing four: {again:?}\n")).await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
