//! Which export is a component's WASI 0.2 `run`: Wasmtime's name lookup.
//!
//! Phase: the guest thread, right after instantiation
//! (`super::entry::run_component`). Input: the names of the component's
//! exported functions, `interface#function` (`wasi:cli/run@0.2.6#run`).
//! Output: the index of the `run` that `wasmtime run` calls, if any.
//!
//! Wasmtime 49's command bindings look up the instance
//! `wasi:cli/run@0.2.12` (the version they were generated from) among the
//! component's exports with its semver-aware name map, which is
//! [`kiln_abi::component::lookup`]: an exact name wins; otherwise the
//! greatest release on the same track (`0.2.x`, build metadata included in
//! the order, no pre-release; the later export on a tie). A pre-release such
//! as `0.2.0-rc-2023-12-05` matches nothing but itself.

use kiln_abi::component::lookup;

/// The instance name Wasmtime 49's `wasi:cli/command` bindings look up.
pub const RUN_INSTANCE: &str = "wasi:cli/run@0.2.12";

/// The index in `names` of the `run` function Wasmtime would call.
pub fn find_run<'a>(names: impl IntoIterator<Item = &'a [u8]>) -> Option<usize> {
    // Instances exporting a function `run`, by export position.
    let instances: Vec<(usize, &str)> = names
        .into_iter()
        .enumerate()
        .filter_map(|(i, name)| {
            let interface = std::str::from_utf8(name.strip_suffix(b"#run")?).ok()?;
            Some((i, interface))
        })
        .collect();
    let found = lookup(RUN_INSTANCE, instances.iter().map(|(_, n)| *n))?;
    // `lookup` returns one of the given names; find it by identity.
    instances
        .iter()
        .find(|(_, n)| std::ptr::eq(*n, found))
        .map(|(i, _)| *i)
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
    fn build_metadata_orders() {
        let names = [
            "wasi:cli/run@0.2.3+b#run",
            "wasi:cli/run@0.2.3+a#run",
            "wasi:cli/run@0.2.3#run",
        ];
        assert_eq!(pick(&names), Some(0));
    }
}
