// kiln-test: dir = fixture::/sandbox
// kiln-test: fixture-time = old.txt -310157633 500000000
// kiln-test: fixture-time = new.txt 1000000000 250000000
// kiln-test: stdout-file
//! WASI 0.3 file times before 1970: `stat` and `stat-at` report them as
//! Wasmtime 49 does (signed seconds and the magnitude's nanoseconds:
//! 1960-03-04T05:06:07.5Z is `{-310157632, 500000000}`), while Rust's std
//! in the same component reads the same file through WASI 0.2, whose
//! `datetime` cannot hold it. A time after 1970 reads the same both ways.

use wasip3::filesystem::types::{DescriptorFlags, OpenFlags, PathFlags};

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
        Ok(())
    }
}

fn main() {}
