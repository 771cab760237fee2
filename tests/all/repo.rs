//! Checks on the source tree itself, not on Kiln's behaviour.
//!
//! `tree::symlinks_stay_inside`: no symlink in the repository leads out of
//! it. Cargo follows symlinks when it lists the root package's files to
//! fingerprint its build script; a committed link to `/` made it walk the
//! whole machine, and a non-root build failed with "Permission denied".
//! Fixtures that need such links make them at test time
//! (`fixture-symlink`, `tests/programs/README.md`).

use std::path::{Component, Path, PathBuf};

use anyhow::{Result, bail};
use libtest_mimic::{Failed, Trial};

use crate::util;

pub fn trials() -> Vec<Trial> {
    vec![crate::timing::trial("tree::symlinks_stay_inside", || {
        symlinks_stay_inside().map_err(|e| Failed::from(format!("{e:#}")))
    })]
}

fn symlinks_stay_inside() -> Result<()> {
    let root = util::repo();
    let mut escaping = Vec::new();
    walk(&root, &root, &mut escaping)?;
    if !escaping.is_empty() {
        bail!(
            "symlinks leading out of the repository (make them at test time instead):\n{}",
            escaping.join("\n")
        );
    }
    Ok(())
}

/// Visits `dir` without following links; build outputs and VCS metadata
/// are skipped (cargo skips them too).
fn walk(root: &Path, dir: &Path, escaping: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            let target = std::fs::read_link(&path)?;
            let resolved = lexical_join(path.parent().unwrap_or(root), &target);
            if target.is_absolute() || !resolved.starts_with(root) {
                escaping.push(format!("{} -> {}", path.display(), target.display()));
            }
        } else if kind.is_dir() {
            let name = entry.file_name();
            if name == "target" || name == ".git" {
                continue;
            }
            walk(root, &path, escaping)?;
        }
    }
    Ok(())
}

/// `base/rel` with `.` and `..` resolved by name (the target may not exist).
fn lexical_join(base: &Path, rel: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in base.join(rel).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}
