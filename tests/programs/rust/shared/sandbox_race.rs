//! The guest side of the host-driven sandbox race (directive
//! `race-symlink = d`, `tests/all/symlink_race.rs`): while the harness
//! swaps `/sandbox/d` between a real directory and symlinks out of the
//! preopen (relative and absolute), this reads, writes, creates, lists,
//! stats, renames and removes through `d` over and over. Every answer must
//! be the inside directory's or a refusal: reading the outside sentinel,
//! seeing the outside-only file, or removing it is an escape, printed here;
//! writes and creations that escaped are found by the harness outside.

use std::fs;
use std::io::Write;

const ROUNDS: usize = 1_500;

pub fn run() {
    let mut escapes = Vec::new();
    let mut note = |what: String| {
        if escapes.len() < 10 {
            escapes.push(what);
        }
    };
    for i in 0..ROUNDS {
        let d = "/sandbox/d";
        if let Ok(content) = fs::read(format!("{d}/sentinel.txt")) {
            if content != b"inside\n" {
                note(format!("read {:?}", String::from_utf8_lossy(&content)));
            }
        }
        if fs::metadata(format!("{d}/outside-only.txt")).is_ok() {
            note("stat of the outside-only file".into());
        }
        if let Ok(entries) = fs::read_dir(d) {
            for e in entries.flatten() {
                if e.file_name() == "outside-only.txt" {
                    note("the outside-only file listed".into());
                }
            }
        }
        // Writing the same bytes keeps the inside sentinel as it is; the
        // outside one (longer) would change.
        if let Ok(mut f) = fs::OpenOptions::new().write(true).open(format!("{d}/sentinel.txt")) {
            let _ = f.write_all(b"inside\n");
        }
        if fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(format!("{d}/outside-only.txt"))
            .is_ok()
        {
            note("opened the outside-only file for writing".into());
        }
        let new = format!("{d}/new-{i}.txt");
        let renamed = format!("{d}/renamed-{i}.txt");
        let _ = fs::write(&new, b"new\n");
        let _ = fs::rename(&new, &renamed);
        let _ = fs::remove_file(&renamed);
        let _ = fs::remove_file(&new);
        let sub = format!("{d}/sub-{i}");
        let _ = fs::create_dir(&sub);
        let _ = fs::remove_dir(&sub);
        if fs::remove_file(format!("{d}/outside-only.txt")).is_ok() {
            note("removed the outside-only file".into());
        }
    }
    if escapes.is_empty() {
        println!("no escape seen by the guest");
    } else {
        for e in escapes {
            println!("escape: {e}");
        }
    }
}
