// kiln-test: target = wasm32-wasip2
// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
// kiln-test: files-file
//! std::fs on wasm32-wasip2 (wasi-libc over `wasi:filesystem`): File
//! create/write/read/append/seek/set_len/sync_all/set_times, metadata,
//! read_dir (sorted here), create_dir_all, remove_dir_all, rename,
//! hard_link, copy, read_link, and the io::ErrorKind of common mistakes.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, UNIX_EPOCH};

fn kind<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{:?} (os error {:?})", e.kind(), e.raw_os_error()),
    }
}

fn tree(dir: &str, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ft = e.file_type().expect("file_type");
        let path = e.path().display().to_string();
        let what = if ft.is_dir() {
            "dir"
        } else if ft.is_symlink() {
            "symlink"
        } else {
            "file"
        };
        out.push(format!("{path} ({what})"));
        if ft.is_dir() {
            tree(&path, out);
        }
    }
}

fn main() {
    let mut f = File::create("/sandbox/notes.txt").expect("create");
    f.write_all(b"first line\nsecond line\n")
        .expect("write_all");
    f.sync_all().expect("sync_all");
    drop(f);
    println!(
        "read_to_string: {:?}",
        fs::read_to_string("/sandbox/notes.txt").expect("read")
    );

    let mut f = OpenOptions::new()
        .append(true)
        .open("/sandbox/notes.txt")
        .expect("append");
    f.write_all(b"third\n").expect("append write");
    drop(f);
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/sandbox/notes.txt")
        .expect("rw");
    f.seek(SeekFrom::Start(6)).expect("seek");
    let mut word = [0u8; 4];
    f.read_exact(&mut word).expect("read_exact");
    println!("at 6: {:?}", String::from_utf8_lossy(&word));
    println!("position: {}", f.stream_position().expect("pos"));
    println!(
        "seek end -6: {}",
        f.seek(SeekFrom::End(-6)).expect("seek end")
    );
    f.write_all(b"THIRD").expect("overwrite");
    println!(
        "seek before start: {}",
        kind(f.seek(SeekFrom::Current(-1000)))
    );
    f.set_len(30).expect("set_len");
    let md = f.metadata().expect("metadata");
    println!(
        "metadata: len {} file {} dir {} symlink {} readonly {}",
        md.len(),
        md.is_file(),
        md.is_dir(),
        md.file_type().is_symlink(),
        md.permissions().readonly()
    );
    f.set_modified(UNIX_EPOCH + Duration::from_secs(1_600_000_000))
        .expect("set_modified");
    let m = fs::metadata("/sandbox/notes.txt")
        .expect("metadata")
        .modified()
        .expect("modified");
    println!(
        "modified: {:?}",
        m.duration_since(UNIX_EPOCH).expect("after epoch")
    );
    drop(f);
    println!(
        "contents: {:?}",
        fs::read_to_string("/sandbox/notes.txt").expect("read")
    );

    fs::create_dir_all("/sandbox/a/b/c").expect("create_dir_all");
    fs::write("/sandbox/a/b/c/deep.txt", "deep").expect("write deep");
    fs::write("/sandbox/a/top.txt", "top").expect("write top");
    println!(
        "copy: {}",
        fs::copy("/sandbox/a/top.txt", "/sandbox/a/copy.txt").expect("copy")
    );
    fs::rename("/sandbox/a/b/c/deep.txt", "/sandbox/a/deep.txt").expect("rename");
    fs::hard_link("/sandbox/a/top.txt", "/sandbox/a/top-link.txt").expect("hard_link");
    let mut out = Vec::new();
    tree("/sandbox", &mut out);
    for line in &out {
        println!("  {line}");
    }
    println!(
        "exists a/b: {}, a/nope: {}",
        fs::exists("/sandbox/a/b").expect("exists"),
        fs::exists("/sandbox/a/nope").expect("exists")
    );
    println!(
        "read_link of a file: {}",
        kind(fs::read_link("/sandbox/a/top.txt"))
    );
    println!(
        "remove_dir non-empty: {}",
        kind(fs::remove_dir("/sandbox/a/b"))
    );
    println!("remove_file dir: {}", kind(fs::remove_file("/sandbox/a/b")));
    println!("read missing: {}", kind(fs::read("/sandbox/missing")));
    println!(
        "create in missing dir: {}",
        kind(File::create("/sandbox/missing/x"))
    );
    println!(
        "create_dir existing: {}",
        kind(fs::create_dir("/sandbox/a"))
    );
    println!(
        "create_new existing: {}",
        kind(
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open("/sandbox/notes.txt")
        )
    );
    println!(
        "open dir as file for write: {}",
        kind(OpenOptions::new().write(true).open("/sandbox/a"))
    );
    println!(
        "read_dir of a file: {}",
        kind(fs::read_dir("/sandbox/notes.txt"))
    );
    println!(
        "remove_dir_all a/b: {}",
        kind(fs::remove_dir_all("/sandbox/a/b"))
    );
    println!(
        "rename over existing file: {}",
        kind(fs::rename("/sandbox/a/copy.txt", "/sandbox/a/top-link.txt"))
    );
    println!(
        "top.txt nlink-independent read: {:?}",
        fs::read_to_string("/sandbox/a/top.txt").expect("read")
    );
}
