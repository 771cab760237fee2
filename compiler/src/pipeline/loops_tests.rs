//! Finding the innermost loops of compiled code from its block layout (the
//! object's placement of them is tested in `obj::tests`).

use super::innermost_loops;
use crate::obj::HotLoop;

fn heads(loops: &[HotLoop]) -> Vec<u32> {
    loops.iter().map(|l| l.head).collect()
}

#[test]
fn straight_code_has_no_loop() {
    assert_eq!(innermost_loops(&[], &[], 0), vec![]);
    let starts = [0, 10, 30];
    assert_eq!(
        innermost_loops(&starts, &[(0, 10), (10, 30), (0, 30)], 40),
        vec![]
    );
}

#[test]
fn a_self_loop_is_one_block() {
    let loops = innermost_loops(&[0, 16, 40], &[(0, 16), (16, 16), (16, 40)], 50);
    assert_eq!(
        loops,
        vec![HotLoop {
            head: 16,
            ranges: vec![(16, 40)]
        }]
    );
}

/// The loops nested deepest, each with the blocks of its body only: an
/// exit block laid out inside the loop's extent is not part of it.
#[test]
fn the_deepest_loops_and_their_blocks() {
    // An outer loop 10..=200 holding 20..=60 and 100..=120; block 80 is
    // the first inner loop's exit, laid out after it.
    let starts = [0, 10, 20, 40, 60, 80, 100, 120, 140, 200, 220];
    let edges = [
        (0, 10),
        (10, 20),
        (20, 40),
        (40, 80),
        (40, 60),
        (60, 20),
        (80, 100),
        (100, 120),
        (120, 100),
        (120, 140),
        (140, 200),
        (200, 10),
        (200, 220),
    ];
    let loops = innermost_loops(&starts, &edges, 240);
    assert_eq!(heads(&loops), vec![20, 100]);
    assert_eq!(loops[0].ranges, vec![(20, 80)]);
    assert_eq!(loops[1].ranges, vec![(100, 140)]);
    // A loop split in two by the layout keeps both pieces.
    let starts = [0, 10, 20, 30, 40];
    let edges = [(0, 10), (10, 30), (10, 20), (30, 10), (30, 40)];
    let loops = innermost_loops(&starts, &edges, 50);
    assert_eq!(loops[0].ranges, vec![(10, 20), (30, 40)]);
}

/// A short loop outside a long nest loses to the nest's inner loop.
#[test]
fn nesting_wins_over_size() {
    let starts = [0, 4, 10, 50, 90, 100];
    let edges = [
        (0, 4),
        (4, 0),
        (4, 10),
        (10, 50),
        (50, 90),
        (90, 50),
        (90, 100),
        (100, 10),
    ];
    assert_eq!(heads(&innermost_loops(&starts, &edges, 110)), vec![50]);
}
