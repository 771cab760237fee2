// kiln-test: dir = fixture::/sandbox
// kiln-test: exit = 134
// kiln-test: stderr-contains = "wasm trap: wasm `unreachable` instruction executed"
// kiln-test: stderr-like-wasmtime
//! A trap right after a file read through `read-via-stream`: where the
//! guest's read waits for the host (BLOCKED) the task resumes in its
//! callback, and the trap's wasm backtrace shows in which frame it ran;
//! Kiln's file source matches Wasmtime 49 there.

use wasip3::filesystem::types::{DescriptorFlags, OpenFlags, PathFlags};

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        std::fs::write("/sandbox/in.txt", "some bytes\n").map_err(|_| ())?;
        let dirs = wasip3::filesystem::preopens::get_directories();
        let dir = &dirs[0].0;
        let f = dir
            .open_at(PathFlags::empty(), "in.txt".into(), OpenFlags::empty(), DescriptorFlags::READ)
            .await
            .map_err(|_| ())?;
        let (mut rx, done) = f.read_via_stream(0);
        let (_, buf) = rx.read(Vec::with_capacity(16)).await;
        if buf.len() < 100 {
            core::arch::wasm32::unreachable();
        }
        drop(rx);
        done.await.map_err(|_| ())
    }
}

fn main() {}
