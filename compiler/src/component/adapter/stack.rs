//! Flat values left on the operand stack instead of in locals.
//!
//! Phase: a rewrite of a finished adapter body (`super::generate`), before
//! it is encoded. Input: the instructions, the locals that receive the
//! flat values of the callee's arguments (or of the adapter's results), and
//! the position of the `local.get`s that push them for the call (or the
//! return). Output: the same body with those `local.set`/`local.get` pairs
//! removed, the values staying on the stack in between, and a map from old
//! to new instruction positions (the backtrace sites are positions).
//!
//! Why: Wasmtime's adapters leave such values on the stack, and Kiln lays
//! its adapter out so that its traps and calls sit at Wasmtime's offsets;
//! the 4 bytes per value of the round trip through a local are more than
//! the gaps between Wasmtime's checks leave (a string's last bounds check
//! and the callee's call are 20 bytes apart in Wasmtime's code). The
//! compiled code is the same: a local and a stack slot are both SSA values
//! to Cranelift.
//!
//! Invariant (checked for each local of the prefix rewritten, the rest
//! keep theirs): it is set exactly once, by a `local.set` at the body's top
//! level, after the previous one's (or in a run of sets in a row, last
//! local first, that pop a block's results), and read only by its
//! `local.get` at the use; nothing after the first such set branches out
//! of the function body or returns. The adapter's code is a sequence of top-level
//! statements that each leave the stack as they found it (a flat value is
//! computed and set in one statement), so the values kept below them are
//! untouched, and nested blocks cannot see them.

use wasm_encoder::Instruction as I;

/// Removes the round trip through the longest prefix of `locals` that
/// allows it, whose `local.get`s start at `use_at` (one per local, in
/// order; the rest keep their locals and are pushed after the prefix's
/// values as before). Returns the map from old to new positions if the
/// body changed.
pub(super) fn keep_on_stack(
    code: &mut Vec<I<'static>>,
    locals: &[u32],
    use_at: usize,
) -> Option<impl Fn(usize) -> usize + use<>> {
    let mut sets: Vec<Option<usize>> = vec![None; locals.len()];
    let mut bad = vec![false; locals.len()];
    for (k, l) in locals.iter().enumerate() {
        if !matches!(code.get(use_at + k), Some(I::LocalGet(g)) if g == l) {
            return None;
        }
    }
    let slot = |l: &u32| locals.iter().position(|x| x == l);
    let mut depth = 0u32;
    // The first position from which a kept value would be on the stack
    // when something leaves the function body.
    let mut leaves_at = None;
    for (k, i) in code[..use_at].iter().enumerate() {
        match i {
            I::Block(_) | I::Loop(_) | I::If(_) => depth += 1,
            I::End => depth = depth.checked_sub(1)?,
            I::Return => leaves_at = leaves_at.or(Some(k)),
            I::BrTable(targets, default)
                if targets.iter().chain([default]).any(|l| *l >= depth) =>
            {
                leaves_at = leaves_at.or(Some(k))
            }
            I::Br(l) | I::BrIf(l) if *l >= depth => leaves_at = leaves_at.or(Some(k)),
            I::LocalSet(l) => {
                if let Some(s) = slot(l) {
                    bad[s] |= depth != 0 || sets[s].is_some();
                    sets[s] = Some(k);
                }
            }
            I::LocalGet(l) | I::LocalTee(l) => {
                if let Some(s) = slot(l) {
                    bad[s] = true;
                }
            }
            _ => {}
        }
    }
    // The prefix: set once at the top level, in order, nothing leaving
    // the body after the first set. A run of sets in a row, last slot
    // first, counts as in order: they pop values pushed in order (a
    // block's results).
    let mut kept: Vec<usize> = Vec::new();
    let mut last = None;
    let mut s = 0;
    while let Some(Some(at)) = sets.get(s).copied() {
        // The run of slots `s..e` set at `at`, `at - 1`, ...
        let mut e = s + 1;
        while let Some(Some(next)) = sets.get(e).copied()
            && next + (e - s) == at
        {
            e += 1;
        }
        let first = at + 1 - (e - s);
        if (s..e).any(|x| bad[x]) || last.is_some_and(|prev| prev > first) {
            break;
        }
        kept.extend(first..=at);
        last = Some(at);
        s = e;
    }
    let first = *kept.first()?;
    if leaves_at.is_some_and(|k| k > first) {
        return None;
    }
    let n = kept.len();
    let mut removed = kept;
    removed.extend(use_at..use_at + n);
    let mut k = 0;
    code.retain(|_| {
        k += 1;
        removed.binary_search(&(k - 1)).is_err()
    });
    Some(move |at: usize| at - removed.partition_point(|r| *r < at))
}

#[cfg(test)]
mod tests {
    use super::keep_on_stack;
    use wasm_encoder::{BlockType, Instruction as I};

    #[test]
    fn values_stay_on_the_stack_across_top_level_code() {
        let mut code = vec![
            I::LocalGet(0),
            I::LocalSet(5),
            I::Block(BlockType::Empty),
            I::LocalGet(1),
            I::Drop,
            I::End,
            I::LocalGet(1),
            I::LocalSet(6),
            I::LocalGet(5),
            I::LocalGet(6),
            I::Call(3),
        ];
        let map = keep_on_stack(&mut code, &[5, 6], 8).expect("rewritten");
        assert_eq!(
            format!("{code:?}"),
            format!(
                "{:?}",
                vec![
                    I::LocalGet(0),
                    I::Block(BlockType::Empty),
                    I::LocalGet(1),
                    I::Drop,
                    I::End,
                    I::LocalGet(1),
                    I::Call(3),
                ]
            )
        );
        assert_eq!(map(10), 6);
        assert_eq!(map(2), 1);
    }

    #[test]
    fn a_value_set_in_a_block_keeps_its_local_and_so_do_the_next() {
        // Local 5 is set at the top level, 6 inside a block, 7 after it:
        // only 5 moves to the stack (7 would land above 6's value).
        let mut code = vec![
            I::LocalGet(0),
            I::LocalSet(5),
            I::Block(BlockType::Empty),
            I::LocalGet(1),
            I::LocalSet(6),
            I::End,
            I::LocalGet(0),
            I::LocalSet(7),
            I::LocalGet(5),
            I::LocalGet(6),
            I::LocalGet(7),
            I::Call(3),
        ];
        let map = keep_on_stack(&mut code, &[5, 6, 7], 8).expect("rewritten");
        assert_eq!(
            format!("{code:?}"),
            format!(
                "{:?}",
                vec![
                    I::LocalGet(0),
                    I::Block(BlockType::Empty),
                    I::LocalGet(1),
                    I::LocalSet(6),
                    I::End,
                    I::LocalGet(0),
                    I::LocalSet(7),
                    I::LocalGet(6),
                    I::LocalGet(7),
                    I::Call(3),
                ]
            )
        );
        assert_eq!(map(11), 9);
    }

    #[test]
    fn a_block_s_results_set_last_first_stay_on_the_stack() {
        // A variant's block leaves locals 5 and 6's values (in order),
        // set last first; its `br_table` stays inside it. Local 7 after.
        let mut code = vec![
            I::Block(BlockType::FunctionType(2)),
            I::Block(BlockType::Empty),
            I::LocalGet(0),
            I::BrTable(vec![0].into(), 1),
            I::End,
            I::I32Const(0),
            I::LocalGet(1),
            I::End,
            I::LocalSet(6),
            I::LocalSet(5),
            I::LocalGet(0),
            I::LocalSet(7),
            I::LocalGet(5),
            I::LocalGet(6),
            I::LocalGet(7),
            I::Call(3),
        ];
        let map = keep_on_stack(&mut code, &[5, 6, 7], 12).expect("rewritten");
        assert_eq!(
            format!("{code:?}"),
            format!(
                "{:?}",
                vec![
                    I::Block(BlockType::FunctionType(2)),
                    I::Block(BlockType::Empty),
                    I::LocalGet(0),
                    I::BrTable(vec![0].into(), 1),
                    I::End,
                    I::I32Const(0),
                    I::LocalGet(1),
                    I::End,
                    I::LocalGet(0),
                    I::Call(3),
                ]
            )
        );
        assert_eq!(map(15), 9);
    }

    #[test]
    fn a_br_table_out_of_the_body_keeps_the_locals() {
        let mut code = vec![
            I::LocalGet(0),
            I::LocalSet(5),
            I::Block(BlockType::Empty),
            I::LocalGet(0),
            I::BrTable(vec![0].into(), 1),
            I::End,
            I::LocalGet(5),
            I::Call(3),
        ];
        assert!(keep_on_stack(&mut code, &[5], 6).is_none());
    }

    #[test]
    fn nested_reread_or_escaping_values_keep_their_locals() {
        let nested = vec![
            I::Block(BlockType::Empty),
            I::LocalGet(0),
            I::LocalSet(5),
            I::End,
            I::LocalGet(5),
            I::Call(3),
        ];
        let reread = vec![
            I::LocalGet(0),
            I::LocalSet(5),
            I::LocalGet(5),
            I::Drop,
            I::LocalGet(5),
            I::Call(3),
        ];
        let leaves = vec![
            I::LocalGet(0),
            I::LocalSet(5),
            I::Block(BlockType::Empty),
            I::BrIf(1),
            I::End,
            I::LocalGet(5),
            I::Call(3),
        ];
        let unset = vec![I::LocalGet(5), I::Call(3)];
        for (mut code, locals, at) in [
            (nested, vec![5], 4),
            (reread, vec![5], 4),
            (leaves, vec![5], 5),
            (unset, vec![5], 0),
        ] {
            let before = format!("{code:?}");
            assert!(keep_on_stack(&mut code, &locals, at).is_none());
            assert_eq!(format!("{code:?}"), before);
        }
    }
}
