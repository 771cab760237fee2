//! The innermost loops of a compiled function, in its machine code.
//!
//! Input: Cranelift's block layout of the code (`machine_code_cfg_info`:
//! block start offsets in emission order, and edges between them by start
//! offset). Output: for each innermost loop, its header's offset and the
//! byte ranges of its blocks ([`HotLoop`]), for `obj::define_functions` to
//! choose where the function starts.
//!
//! Before code generation, [`wants_layout`] says from the CLIF whether a
//! function is worth that layout at all (it has a loop, and is not so
//! large that Cranelift's bookkeeping of the layout would dominate).
//!
//! Invariants: a back edge is one to a block that does not come after its
//! source (a loop's header precedes its body in Cranelift's order); the
//! innermost loops are those nested in the most others; a loop's blocks
//! are its natural loop's (those that reach a latch without passing the
//! header). Work is bounded ([`MAX_BACK_EDGES`], [`MAX_LOOPS`],
//! [`MAX_BLOCKS`]) so that huge functions cost no more than small ones.

use crate::obj::HotLoop;
use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::ir::{Block, Function};
use std::collections::{BTreeMap, BTreeSet};

/// Most blocks and branch edges (jump-table entries included) of a
/// function compiled with its block layout. Cranelift keeps the layout
/// with a backward scan over the blocks its branch optimizations remove
/// (every `br_table` edge gets a block of its own, most of them removed),
/// so its cost is quadratic in this count: at the limit about 10 ms, a
/// few times what compiling such a function costs anyway. Beyond it the
/// function's loops are simply not placed.
pub(crate) const MAX_LAYOUT_SIZE: usize = 4096;

/// Whether `func` is to be compiled with its block layout reported (for
/// [`innermost_loops`]): it has a back edge in CLIF layout order, and its
/// blocks and branch edges number at most [`MAX_LAYOUT_SIZE`]. Linear in
/// the function's size.
pub(crate) fn wants_layout(func: &Function) -> bool {
    let mut order: SecondaryMap<Block, u32> = SecondaryMap::new();
    let mut size = 0usize;
    for (i, block) in func.layout.blocks().enumerate() {
        order[block] = i as u32 + 1;
        size += 1;
    }
    if size > MAX_LAYOUT_SIZE {
        return false;
    }
    let dfg = &func.dfg;
    let mut back_edge = false;
    for block in func.layout.blocks() {
        let Some(last) = func.layout.last_inst(block) else {
            continue;
        };
        let targets = dfg.insts[last].branch_destination(&dfg.jump_tables, &dfg.exception_tables);
        size += targets.len();
        if size > MAX_LAYOUT_SIZE {
            return false;
        }
        // Blocks are numbered from 1 in layout order (0: not in the layout).
        back_edge |= targets
            .iter()
            .any(|t| order[t.block(&dfg.value_lists)] <= order[block]);
    }
    back_edge
}

/// Most back edges weighed (nesting is quadratic to find).
const MAX_BACK_EDGES: usize = 64;
/// Most innermost loops returned.
const MAX_LOOPS: usize = 8;
/// Most blocks gathered for one loop; a larger loop is taken as the one
/// range from its header to the end of its last latch.
const MAX_BLOCKS: usize = 64;

/// The innermost loops of code of `len` bytes whose blocks start at
/// `starts` with control-flow `edges` (source, target), in header order.
pub(crate) fn innermost_loops(starts: &[u32], edges: &[(u32, u32)], len: u32) -> Vec<HotLoop> {
    let back: Vec<(u32, u32)> = edges
        .iter()
        .filter(|(from, to)| to <= from)
        .map(|&(from, to)| (to, from))
        .take(MAX_BACK_EDGES)
        .collect();
    // A loop's extent by layout: from its header to its furthest latch.
    let mut extent: BTreeMap<u32, u32> = BTreeMap::new();
    for &(head, latch) in &back {
        let end = extent.entry(head).or_insert(latch);
        *end = (*end).max(latch);
    }
    let depth = |head: u32, latch: u32| {
        extent
            .iter()
            .filter(|&(&h, &l)| h <= head && latch <= l)
            .count()
    };
    let Some(deepest) = extent.iter().map(|(&h, &l)| depth(h, l)).max() else {
        return Vec::new();
    };
    let block_end = |start: u32| {
        let i = starts.partition_point(|&s| s <= start);
        starts.get(i).copied().unwrap_or(len).max(start)
    };
    // Edges by target, for the walk up from a latch.
    let mut preds: Vec<(u32, u32)> = edges.iter().map(|&(from, to)| (to, from)).collect();
    preds.sort_unstable();
    extent
        .iter()
        .filter(|&(&h, &l)| depth(h, l) == deepest)
        .take(MAX_LOOPS)
        .map(|(&head, &last)| {
            let latches = back.iter().filter(|&&(h, _)| h == head).map(|&(_, l)| l);
            let blocks = natural_loop(head, latches, &preds).unwrap_or_else(|| {
                starts
                    .iter()
                    .copied()
                    .filter(|&s| s >= head && s <= last)
                    .collect()
            });
            let mut ranges: Vec<(u32, u32)> = Vec::new();
            for b in blocks {
                let end = block_end(b);
                match ranges.last_mut() {
                    Some(r) if r.1 == b => r.1 = end,
                    _ => ranges.push((b, end)),
                }
            }
            HotLoop { head, ranges }
        })
        .collect()
}

/// The blocks (by start offset) of the loop with header `head` and back
/// edges from `latches`: those that reach a latch without passing `head`
/// (`preds`: the edges as (target, source), sorted); `None` past
/// [`MAX_BLOCKS`].
fn natural_loop(
    head: u32,
    latches: impl Iterator<Item = u32>,
    preds: &[(u32, u32)],
) -> Option<BTreeSet<u32>> {
    let mut blocks = BTreeSet::from([head]);
    let mut work: Vec<u32> = Vec::new();
    for latch in latches {
        if blocks.insert(latch) {
            work.push(latch);
        }
    }
    while let Some(b) = work.pop() {
        let first = preds.partition_point(|&(to, _)| to < b);
        for &(_, p) in preds[first..].iter().take_while(|&&(to, _)| to == b) {
            if blocks.insert(p) {
                if blocks.len() > MAX_BLOCKS {
                    return None;
                }
                work.push(p);
            }
        }
    }
    Some(blocks)
}

#[cfg(test)]
#[path = "loops_tests.rs"]
mod tests;
