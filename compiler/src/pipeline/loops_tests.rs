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

/// How many functions of `wat` the compile gave their block layout.
fn laid_out(wat: &str) -> usize {
    let wasm = wat::parse_str(wat).expect("test wat parses");
    crate::compile_module_timed(&wasm, &crate::Config::default())
        .expect("compiles")
        .1
        .laid_out_functions
}

/// A `br_table` of `n` targets (two labels, alternating), in a loop when
/// `looped`.
fn br_table(n: usize, looped: bool) -> String {
    let targets = (0..n).map(|i| if i % 2 == 0 { "0 " } else { "1 " });
    let table: String = targets.collect();
    let (open, close) = if looped {
        (
            "(loop $l",
            "(br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))",
        )
    } else {
        ("(block", ")")
    };
    format!(
        r#"(module (func (export "f") (param i32) (result i32)
          {open}
            (block (block (br_table {table} 0 (local.get 0))))
          {close}
          (local.get 0)))"#
    )
}

/// Only functions with a loop get the layout, and only up to
/// `MAX_LAYOUT_SIZE` blocks and edges: Cranelift's bookkeeping of it is
/// quadratic in the edge blocks a `br_table` gets (a 262,000-target one
/// took 12 s to compile with it).
#[test]
fn only_loops_of_bounded_size_get_their_layout() {
    assert_eq!(laid_out(&br_table(10, true)), 1);
    assert_eq!(laid_out(&br_table(10, false)), 0);
    assert_eq!(laid_out(&br_table(super::MAX_LAYOUT_SIZE, true)), 0);
    assert_eq!(laid_out(&br_table(super::MAX_LAYOUT_SIZE / 2, true)), 1);
    let two = r#"(module
      (func (param i32) (result i32) (loop $l (br_if $l (local.get 0))) (local.get 0))
      (func (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#;
    assert_eq!(laid_out(two), 1);
}
