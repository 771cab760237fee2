// kiln-test: dir = fixture::/sandbox
// kiln-test: exit = 134
// kiln-test: stderr-contains = "wasm trap: wasm `unreachable` instruction executed"
// kiln-test: stderr-like-wasmtime
//! A trap right after a file write stream's result future is awaited:
//! in Wasmtime 49 the host task that writes the file resolves that
//! future, so the guest's read of it waits (BLOCKED) and the task resumes
//! in its callback, whose frames the trap's wasm backtrace shows. The
//! write itself completes at once in both.

use wasip3::filesystem::types::{DescriptorFlags, OpenFlags, PathFlags};

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let dirs = wasip3::filesystem::preopens::get_directories();
        let dir = &dirs[0].0;
        let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
        let f = dir
            .open_at(PathFlags::empty(), "out.txt".into(), OpenFlags::CREATE, rw)
            .await
            .map_err(|_| ())?;
        let (mut tx, rx) = wasip3::wit_stream::new();
        let done = f.write_via_stream(rx, 0);
        let rest = tx.write_all(b"written\n".to_vec()).await;
        drop(tx);
        let done = done.await;
        if rest.is_empty() && done.is_ok() {
            core::arch::wasm32::unreachable();
        }
        Ok(())
    }
}

fn main() {}
