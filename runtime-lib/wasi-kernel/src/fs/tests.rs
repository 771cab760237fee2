//! Unit tests of [`super`]: the kernel's file operations on real
//! temporary directories, results as Wasmtime gives them.

use super::*;

fn tmp(name: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("kiln-wasi-fs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

fn rw() -> DescriptorFlags {
    DescriptorFlags {
        read: true,
        write: true,
        sync: false,
    }
}

#[test]
fn escapes_are_refused() {
    let root = tmp("escape");
    std::fs::create_dir(root.join("sub")).unwrap();
    std::fs::write(
        root.parent()
            .unwrap()
            .join(format!("kiln-outside-{}", std::process::id())),
        b"x",
    )
    .unwrap();
    let d = Dir::open_ambient(&root).unwrap();
    let ro = DescriptorFlags::default();
    let none = OpenFlags::default();
    assert_eq!(
        d.open_at("..", true, none, ro).err(),
        Some(ErrorCode::NotPermitted)
    );
    assert_eq!(
        d.open_at("sub/../..", true, none, ro).err(),
        Some(ErrorCode::NotPermitted)
    );
    assert_eq!(
        d.open_at("/etc/passwd", true, none, ro).err(),
        Some(ErrorCode::NotPermitted)
    );
    // A symlink pointing outside, followed.
    std::os::unix::fs::symlink("../..", root.join("up")).unwrap();
    assert_eq!(
        d.open_at("up", true, none, ro).err(),
        Some(ErrorCode::NotPermitted)
    );
    assert_eq!(d.stat_at("up/x", true).err(), Some(ErrorCode::NotPermitted));
    // Not followed: the final symlink itself cannot be opened.
    assert_eq!(
        d.open_at("up", false, none, ro).err(),
        Some(ErrorCode::Loop)
    );
    // Absolute symlink targets cannot be created.
    assert_eq!(
        d.symlink_at("/etc", "abs").err(),
        Some(ErrorCode::NotPermitted)
    );
    // `..` inside the sandbox is fine.
    assert!(matches!(
        d.open_at("sub/..", true, none, ro),
        Ok(Opened::Dir(_))
    ));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn open_flags_follow_wasmtime() {
    let root = tmp("open");
    let d = Dir::open_ambient(&root).unwrap();
    let create = OpenFlags {
        create: true,
        ..Default::default()
    };
    let excl = OpenFlags {
        create: true,
        exclusive: true,
        ..Default::default()
    };
    let dirf = OpenFlags {
        directory: true,
        ..Default::default()
    };
    let f = match d.open_at("a.txt", false, create, rw()).unwrap() {
        Opened::File(f) => f,
        Opened::Dir(_) => panic!("expected a file"),
    };
    assert_eq!(f.write_at(b"hello", 0).unwrap(), 5);
    assert_eq!(f.append(b"!").unwrap(), 1);
    assert_eq!(f.stat().unwrap().size, 6);
    assert_eq!(
        d.open_at("a.txt", false, excl, rw()).err(),
        Some(ErrorCode::Exist)
    );
    assert_eq!(
        d.open_at("a.txt", false, dirf, DescriptorFlags::default())
            .err(),
        Some(ErrorCode::NotDirectory)
    );
    assert_eq!(
        d.open_at(
            "x",
            false,
            OpenFlags {
                directory: true,
                create: true,
                ..Default::default()
            },
            rw()
        )
        .err(),
        Some(ErrorCode::Invalid)
    );
    assert_eq!(
        d.open_at("missing", false, OpenFlags::default(), rw())
            .err(),
        Some(ErrorCode::NoEntry)
    );
    d.create_directory_at("dir").unwrap();
    assert_eq!(d.create_directory_at("dir").err(), Some(ErrorCode::Exist));
    assert_eq!(
        d.open_at("dir", false, OpenFlags::default(), rw()).err(),
        Some(ErrorCode::IsDirectory)
    );
    assert!(matches!(
        d.open_at("dir", false, dirf, DescriptorFlags::default()),
        Ok(Opened::Dir(_))
    ));
    assert_eq!(
        d.open_at(
            "a.txt/",
            false,
            OpenFlags::default(),
            DescriptorFlags::default()
        )
        .err(),
        Some(ErrorCode::NotDirectory)
    );
    let st = d.stat_at("a.txt", false).unwrap();
    assert_eq!(
        (st.file_type, st.nlink, st.size),
        (FileType::RegularFile, 1, 6)
    );
    d.link_at(false, "a.txt", &d, "b.txt").unwrap();
    assert_eq!(d.stat_at("a.txt", false).unwrap().nlink, 2);
    assert_eq!(
        d.link_at(true, "a.txt", &d, "c.txt").err(),
        Some(ErrorCode::Invalid)
    );
    d.symlink_at("a.txt", "l").unwrap();
    assert_eq!(d.readlink_at("l").unwrap(), "a.txt");
    assert_eq!(
        d.stat_at("l", false).unwrap().file_type,
        FileType::SymbolicLink
    );
    assert_eq!(d.stat_at("l", true).unwrap().ino, st.ino);
    let mut names: Vec<_> = d
        .read_dir()
        .unwrap()
        .into_iter()
        .map(|e| e.unwrap().name)
        .collect();
    names.sort();
    assert_eq!(names, ["a.txt", "b.txt", "dir", "l"]);
    std::fs::write(root.join("dir/f"), b"").unwrap();
    assert_eq!(
        d.remove_directory_at("dir").err(),
        Some(ErrorCode::NotEmpty)
    );
    assert_eq!(d.unlink_file_at("dir").err(), Some(ErrorCode::IsDirectory));
    d.rename_at("a.txt", &d, "dir/g").unwrap();
    assert_eq!(d.stat_at("a.txt", false).err(), Some(ErrorCode::NoEntry));
    d.set_times_at(
        "b.txt",
        true,
        NewTimestamp::At(1_000_000_000_123),
        NewTimestamp::At(2_000_000_000_000),
    )
    .unwrap();
    let st = d.stat_at("b.txt", true).unwrap();
    assert_eq!(
        st.atim,
        Some(FileTime {
            seconds: 1000,
            nanoseconds: 123
        })
    );
    assert_eq!(
        st.mtim,
        Some(FileTime {
            seconds: 2000,
            nanoseconds: 0
        })
    );
    // Before the epoch: sign and magnitude, as Wasmtime 49 reports it.
    let before = SystemTime::UNIX_EPOCH - std::time::Duration::new(1, 500_000_000);
    d.set_times_at(
        "dir/g",
        false,
        NewTimestamp::Time(SystemTime::UNIX_EPOCH),
        NewTimestamp::NoChange,
    )
    .unwrap();
    std::fs::File::options()
        .write(true)
        .open(root.join("dir/g"))
        .unwrap()
        .set_modified(before)
        .unwrap();
    let st = d.stat_at("dir/g", false).unwrap();
    let minus_1_5 = FileTime {
        seconds: -1,
        nanoseconds: 500_000_000,
    };
    assert_eq!(st.mtim, Some(minus_1_5));
    assert_eq!(st.mtim.and_then(FileTime::since_epoch), None);
    let _ = std::fs::remove_dir_all(&root);
}

/// Edge cases whose results were observed with Wasmtime (see
/// `tests/programs/rust/wasi_{dirs,path_open,links_times}`).
#[test]
fn edge_cases_match_wasmtime() {
    let root = tmp("edges");
    let d = Dir::open_ambient(&root).unwrap();
    let ro = DescriptorFlags::default();
    let create = OpenFlags {
        create: true,
        ..Default::default()
    };
    std::fs::write(root.join("file"), b"x").unwrap();
    d.create_directory_at("dir").unwrap();
    d.create_directory_at("b2").unwrap();
    d.symlink_at("dir", "sd").unwrap();
    // The preopen is an O_PATH descriptor: futimens fails.
    assert_eq!(
        d.set_times(NewTimestamp::At(1), NewTimestamp::At(2)).err(),
        Some(ErrorCode::BadDescriptor)
    );
    assert_eq!(
        d.open_at("newfile/", false, create, rw()).err(),
        Some(ErrorCode::IsDirectory)
    );
    assert_eq!(
        d.stat_at("sd/", false).unwrap().file_type,
        FileType::SymbolicLink
    );
    assert_eq!(
        d.link_at(false, "dir", &d, "dlink").err(),
        Some(ErrorCode::NotPermitted)
    );
    assert_eq!(
        d.open_at("fi\0le", false, OpenFlags::default(), ro).err(),
        Some(ErrorCode::Invalid)
    );
    assert_eq!(d.remove_directory_at("b2/").err(), Some(ErrorCode::Invalid));
    assert_eq!(d.remove_directory_at(".").err(), Some(ErrorCode::Invalid));
    assert_eq!(d.create_directory_at("").err(), Some(ErrorCode::NoEntry));
    assert_eq!(d.readlink_at("file").err(), Some(ErrorCode::Invalid));
    assert_eq!(
        d.open_at(
            "sd",
            false,
            OpenFlags {
                directory: true,
                ..Default::default()
            },
            ro
        )
        .err(),
        Some(ErrorCode::Loop)
    );
    assert_eq!(
        d.open_at(&"a".repeat(300), false, OpenFlags::default(), ro)
            .err(),
        Some(ErrorCode::NameTooLong)
    );
    let _ = std::fs::remove_dir_all(&root);
}
