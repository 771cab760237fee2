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
//! Invariant (checked, else nothing changes): each local is set exactly
//! once, by a `local.set` at the body's top level, in order, and read only
//! by its `local.get` at the use; nothing in between branches out of the
//! function body or returns. Code between the sets is then stack-neutral at
//! the top level (it was valid with the values in locals), so the values
//! below it are untouched, and nested blocks cannot see them.

use wasm_encoder::Instruction as I;

/// Removes the round trip through `locals` whose `local.get`s start at
/// `use_at` (one per local, in order). Returns the map from old to new
/// positions if the body changed.
pub(super) fn keep_on_stack(
    code: &mut Vec<I<'static>>,
    locals: &[u32],
    use_at: usize,
) -> Option<impl Fn(usize) -> usize + use<>> {
    if locals.is_empty() {
        return None;
    }
    for (k, l) in locals.iter().enumerate() {
        if !matches!(code.get(use_at + k), Some(I::LocalGet(g)) if g == l) {
            return None;
        }
    }
    let mut sets = vec![None; locals.len()];
    let mut depth = 0u32;
    for (k, i) in code[..use_at].iter().enumerate() {
        let slot = |l: &u32| locals.iter().position(|x| x == l);
        match i {
            I::Block(_) | I::Loop(_) | I::If(_) => depth += 1,
            I::End => depth = depth.checked_sub(1)?,
            I::Return => return None,
            I::Br(l) | I::BrIf(l) if *l >= depth => return None,
            I::BrTable(..) => return None,
            I::LocalSet(l) => {
                if let Some(s) = slot(l) {
                    if depth != 0 || sets[s].is_some() {
                        return None;
                    }
                    sets[s] = Some(k);
                }
            }
            I::LocalGet(l) | I::LocalTee(l) if slot(l).is_some() => return None,
            _ => {}
        }
    }
    let sets: Vec<usize> = sets.into_iter().collect::<Option<_>>()?;
    if !sets.is_sorted() {
        return None;
    }
    let mut removed = sets;
    removed.extend(use_at..use_at + locals.len());
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
    fn nested_out_of_order_or_reread_values_keep_their_locals() {
        let nested = vec![
            I::Block(BlockType::Empty),
            I::LocalGet(0),
            I::LocalSet(5),
            I::End,
            I::LocalGet(5),
            I::Call(3),
        ];
        let reversed = vec![
            I::LocalGet(1),
            I::LocalSet(6),
            I::LocalGet(0),
            I::LocalSet(5),
            I::LocalGet(5),
            I::LocalGet(6),
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
        for (mut code, locals, at) in [
            (nested, vec![5], 4),
            (reversed, vec![5, 6], 4),
            (reread, vec![5], 4),
            (leaves, vec![5], 5),
        ] {
            let before = format!("{code:?}");
            assert!(keep_on_stack(&mut code, &locals, at).is_none());
            assert_eq!(format!("{code:?}"), before);
        }
    }
}
