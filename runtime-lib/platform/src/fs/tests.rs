use super::*;
use std::time::Duration;

fn scratch(name: &str) -> (std::path::PathBuf, cap_std::fs::Dir) {
    let path = std::env::temp_dir().join(format!("kiln-platform-fs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap();
    let dir = open_ambient_dir(&path).unwrap();
    (path, dir)
}

fn rw(dir: &cap_std::fs::Dir, name: &str) -> std::fs::File {
    let mut opts = cap_std::fs::OpenOptions::new();
    opts.read(true).write(true).create(true);
    dir.open_with(name, &opts).unwrap().into_std()
}

#[test]
fn positioned_io_leaves_the_position_and_append_goes_to_the_end() {
    use std::io::{Read, Seek, SeekFrom, Write};
    let (path, dir) = scratch("pos");
    let mut f = rw(&dir, "f");
    let f = &mut f;
    f.write_all(b"hello").unwrap();
    f.seek(SeekFrom::Start(1)).unwrap();
    assert_eq!(write_at(f, b"J", 0).unwrap(), 1);
    let mut buf = [0u8; 3];
    assert_eq!(read_at(f, &mut buf, 2).unwrap(), 3);
    assert_eq!(&buf, b"llo");
    assert_eq!(f.stream_position().unwrap(), 1);
    let mut rest = String::new();
    f.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "ello");
    // Appends at the end wherever the position is (a kernel without
    // `pwritev2`'s `RWF_APPEND`, as qemu-user's, moves it there).
    f.seek(SeekFrom::Start(0)).unwrap();
    assert_eq!(append(f, b"!").unwrap(), 1);
    let mut all = [0u8; 8];
    assert_eq!(read_at(f, &mut all, 0).unwrap(), 6);
    assert_eq!(&all[..6], b"Jello!");
    let _ = std::fs::remove_dir_all(path);
}

/// Appending through a handle without write access fails: on Linux as
/// the write (`EBADF`), on Windows as reopening it for appending does in
/// Wasmtime (`PermissionDenied`, no OS code).
#[test]
fn append_to_a_read_only_handle_fails() {
    let (path, dir) = scratch("append-ro");
    drop(rw(&dir, "f"));
    let ro = dir.open("f").unwrap().into_std();
    let e = append(&ro, b"x").unwrap_err();
    if cfg!(windows) {
        assert_eq!(
            (e.kind(), e.raw_os_error()),
            (io::ErrorKind::PermissionDenied, None)
        );
    } else {
        assert_eq!(e.raw_os_error(), Some(libc_ebadf()));
    }
    let _ = std::fs::remove_dir_all(path);
}

/// `EBADF` (9 on every Linux architecture).
fn libc_ebadf() -> i32 {
    rustix::io::Errno::BADF.raw_os_error()
}

#[test]
fn times_set_on_a_file_and_on_a_name_read_back() {
    let (path, dir) = scratch("times");
    let f = rw(&dir, "f");
    let t = |secs| Timespec {
        secs,
        nanos: 500_000_000,
    };
    set_times(&f, Some(t(1_000_000)), Some(t(2_000_000))).unwrap();
    let meta = std::fs::metadata(path.join("f")).unwrap();
    let since = |st: std::time::SystemTime| st.duration_since(SystemTime::UNIX_EPOCH).unwrap();
    assert_eq!(
        since(meta.accessed().unwrap()),
        Duration::new(1_000_000, 500_000_000)
    );
    assert_eq!(
        since(meta.modified().unwrap()),
        Duration::new(2_000_000, 500_000_000)
    );
    // Unchanged access time, new modification time, by name.
    set_times_nofollow(&dir, "f".as_ref(), None, Some(t(3_000_000))).unwrap();
    let meta = std::fs::metadata(path.join("f")).unwrap();
    assert_eq!(
        since(meta.accessed().unwrap()),
        Duration::new(1_000_000, 500_000_000)
    );
    assert_eq!(
        since(meta.modified().unwrap()),
        Duration::new(3_000_000, 500_000_000)
    );
    assert_eq!(sync_flags(&f).unwrap(), SyncFlags::default());
    advise(&f, 0, 0, Advice::Sequential).unwrap();
    let _ = std::fs::remove_dir_all(path);
}
