//! Finding the innermost loop of compiled code from its block edges (the
//! object's placement of it is tested in `obj::tests`).

use super::innermost_loop;

#[test]
fn straight_code_has_no_loop() {
    assert_eq!(innermost_loop(&[]), None);
    assert_eq!(innermost_loop(&[(0, 10), (10, 30), (0, 30)]), None);
}

#[test]
fn a_self_loop_is_a_loop() {
    assert_eq!(innermost_loop(&[(0, 16), (16, 16), (16, 40)]), Some(16));
}

/// Nesting wins over size; among loops at one depth, the shortest; among
/// those, the first.
#[test]
fn the_deepest_then_shortest_then_first() {
    // An outer loop 10..=200 holding 20..=60 and 100..=120.
    let edges = [
        (0, 10),
        (10, 20),
        (60, 20),
        (60, 100),
        (120, 100),
        (200, 10),
    ];
    assert_eq!(innermost_loop(&edges), Some(100));
    // Two inner loops of one length: the first.
    let edges = [(10, 20), (40, 20), (40, 100), (120, 100), (200, 10)];
    assert_eq!(innermost_loop(&edges), Some(20));
    // A short loop outside a long nest loses to the nest's inner loop.
    let edges = [(4, 0), (100, 10), (90, 50)];
    assert_eq!(innermost_loop(&edges), Some(50));
}
