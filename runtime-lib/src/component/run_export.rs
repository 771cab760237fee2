//! Which export is a component's WASI 0.2 `run`: Wasmtime's name lookup.
//!
//! Phase: the guest thread, right after instantiation
//! (`super::entry::run_component`). Input: the names of the component's
//! exported functions, `interface#function` (`wasi:cli/run@0.2.6#run`).
//! Output: the index of the `run` that `wasmtime run` calls, if any.
//!
//! Wasmtime 49's command bindings look up the instance
//! `wasi:cli/run@0.2.12` (the version they were generated from) in the
//! component's exports with its semver-aware name map: an exact name wins;
//! otherwise a name with a release version on the same compatible track
//! (`0.2.x`, with any build metadata, no pre-release) is taken, the greatest
//! by semver order (build metadata included: `0.2.3+b` beats `0.2.3+a` and
//! `0.2.3`) when there are several, the later one in export order on a tie.
//! A pre-release such as `0.2.0-rc-2023-12-05` matches nothing but itself.
//! Export names were validated (a version is valid semver), but a name that
//! does not parse is simply skipped.

use std::cmp::Ordering;

/// The instance name Wasmtime 49's `wasi:cli/command` bindings look up.
pub const RUN_INSTANCE: &str = "wasi:cli/run@0.2.12";

/// The interface part every candidate starts with.
const RUN_PREFIX: &str = "wasi:cli/run@";

/// A release version: numbers and build metadata (no pre-release).
struct Release<'a> {
    numbers: (u64, u64, u64),
    build: &'a str,
}

/// The index in `names` of the `run` function Wasmtime would call.
pub fn find_run<'a>(names: impl IntoIterator<Item = &'a [u8]>) -> Option<usize> {
    let mut best: Option<(usize, Release<'_>)> = None;
    for (i, name) in names.into_iter().enumerate() {
        let Some(interface) = name.strip_suffix(b"#run") else {
            continue;
        };
        let Ok(interface) = std::str::from_utf8(interface) else {
            continue;
        };
        if interface == RUN_INSTANCE {
            return Some(i);
        }
        let Some(release) = interface.strip_prefix(RUN_PREFIX).and_then(release) else {
            continue;
        };
        if release.numbers.0 != 0 || release.numbers.1 != 2 {
            continue;
        }
        // Wasmtime's map keeps the later name unless it is smaller.
        if best
            .as_ref()
            .is_none_or(|(_, b)| compare(&release, b) != Ordering::Less)
        {
            best = Some((i, release));
        }
    }
    best.map(|(i, _)| i)
}

/// Parses `major.minor.patch[+build]`; `None` for a pre-release or a
/// malformed version.
fn release(version: &str) -> Option<Release<'_>> {
    let (core, build) = version.split_once('+').unwrap_or((version, ""));
    if core.contains('-') {
        return None;
    }
    let mut parts = core.split('.');
    let mut number = || -> Option<u64> {
        let p = parts.next()?;
        if p.is_empty()
            || !p.bytes().all(|b| b.is_ascii_digit())
            || (p.len() > 1 && p.starts_with('0'))
        {
            return None;
        }
        p.parse().ok()
    };
    let numbers = (number()?, number()?, number()?);
    if parts.next().is_some() {
        return None;
    }
    Some(Release { numbers, build })
}

/// Semver order of two releases: numbers, then build metadata identifier
/// by identifier (numeric ones by value, then by length, and below
/// alphanumeric ones, which compare as text; a prefix is smaller).
fn compare(a: &Release<'_>, b: &Release<'_>) -> Ordering {
    a.numbers
        .cmp(&b.numbers)
        .then_with(|| compare_build(a.build, b.build))
}

fn compare_build(a: &str, b: &str) -> Ordering {
    let mut rhs = b.split('.');
    for l in a.split('.') {
        let Some(r) = rhs.next() else {
            return Ordering::Greater;
        };
        let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
        let ordering = match (digits(l), digits(r)) {
            (true, true) => {
                let (lv, rv) = (l.trim_start_matches('0'), r.trim_start_matches('0'));
                lv.len()
                    .cmp(&rv.len())
                    .then_with(|| lv.cmp(rv))
                    .then_with(|| l.len().cmp(&r.len()))
            }
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => l.cmp(r),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    if rhs.next().is_none() {
        Ordering::Equal
    } else {
        Ordering::Less
    }
}

#[cfg(test)]
mod tests {
    use super::find_run;

    fn pick(names: &[&str]) -> Option<usize> {
        find_run(names.iter().map(|n| n.as_bytes()))
    }

    #[test]
    fn exact_name_wins() {
        let names = [
            "wasi:cli/run@0.2.14#run",
            "wasi:cli/run@0.2.12#run",
            "wasi:cli/run@0.2.13#run",
        ];
        assert_eq!(pick(&names), Some(1));
    }

    #[test]
    fn greatest_release_on_the_track() {
        let names = [
            "wasi:cli/run@0.2.1#run",
            "wasi:cli/run@0.2.0-rc-2023-12-05#run",
            "wasi:cli/run@0.2.13+abc#run",
            "wasi:cli/run@0.2.99-pre#run",
            "wasi:cli/run@0.2.5#run",
        ];
        assert_eq!(pick(&names), Some(2));
    }

    #[test]
    fn pre_releases_other_tracks_and_other_functions_do_not_match() {
        assert_eq!(pick(&["wasi:cli/run@0.2.0-rc-2023-12-05#run"]), None);
        assert_eq!(
            pick(&["wasi:cli/run@0.3.0#run", "wasi:cli/run@1.2.0#run"]),
            None
        );
        assert_eq!(
            pick(&["wasi:cli/run@0.2.0#go", "wasi:cli/runner@0.2.0#run"]),
            None
        );
        assert_eq!(pick(&["run", "wasi:cli/run@0.2#run"]), None);
        assert_eq!(pick(&["wasi:cli/run@0.2.0#run"]), Some(0));
    }

    #[test]
    fn build_metadata_orders_and_ties_go_to_the_later() {
        let names = [
            "wasi:cli/run@0.2.3+b#run",
            "wasi:cli/run@0.2.3+a#run",
            "wasi:cli/run@0.2.3#run",
        ];
        assert_eq!(pick(&names), Some(0));
        let names = ["wasi:cli/run@0.2.3+9#run", "wasi:cli/run@0.2.3+10#run"];
        assert_eq!(pick(&names), Some(1));
        let names = ["wasi:cli/run@0.2.3+x#run", "wasi:cli/run@0.2.3+1#run"];
        assert_eq!(pick(&names), Some(0));
        let names = ["wasi:cli/run@0.2.3+a#run", "wasi:cli/run@0.2.3+a#run"];
        assert_eq!(pick(&names), Some(1));
    }
}
