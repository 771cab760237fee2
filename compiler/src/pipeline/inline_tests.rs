//! Which functions the inliner treats as recursive.

use super::{Scan, recursive_functions};

/// A call graph: `calls[f]` are the functions `f` calls directly.
fn graph(calls: &[&[u32]]) -> Vec<Scan> {
    calls
        .iter()
        .map(|c| Scan {
            calls: c.to_vec(),
            inlinable: Some(10),
        })
        .collect()
}

/// A function on a cycle through another is recursive; one that only
/// calls itself is not (it may be inlined, into itself too), nor is a
/// caller of either.
#[test]
fn only_cycles_through_others_are_recursive() {
    // 0 calls itself; 1 and 2 call each other; 3 calls 0 and 1; 4 calls
    // itself and 1; 5, 6 and 7 make a cycle of three.
    let scans = graph(&[&[0], &[2], &[1], &[0, 1], &[1, 4], &[6], &[7], &[5]]);
    assert_eq!(
        recursive_functions(&scans),
        [false, true, true, false, false, true, true, true]
    );
}
