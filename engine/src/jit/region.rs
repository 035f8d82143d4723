//! Region selection: which decoded blocks are compiled together as one function.

use super::{MAX_BLOCK, MAX_REGION_BLOCKS, MAX_REGION_INSNS};
use interp::arch::Arch;
use interp::decode::{Insn, Successors};
use interp::memory::Memory;
use rustc_hash::FxHashSet;

/// Decodes the block at `pc` (the interpreter's definition of a basic block).
pub fn scan<A: Arch>(mem: &Memory, pc: u64) -> Vec<(u64, Insn)> {
    interp::decode::basic_block(mem, pc, A::IS_64, MAX_BLOCK)
}

/// Forms a region at `entry`: the block there and, breadth-first, the blocks reachable
/// through static successors (fall-through, branch and `j`/`jal` targets), up to
/// [`MAX_REGION_BLOCKS`] blocks. Successors only decide which blocks are compiled together;
/// control moves between them only where the lowered semantics compute their address.
pub fn region<A: Arch>(
    mem: &Memory,
    entry: u64,
    compiled: impl Fn(u64) -> bool,
) -> Vec<Vec<(u64, Insn)>> {
    let mut blocks: Vec<Vec<(u64, Insn)>> = Vec::new();
    let mut seen = FxHashSet::default();
    let mut queue = std::collections::VecDeque::from([entry]);
    let mut total = 0;
    while let Some(pc) = queue.pop_front() {
        if blocks.len() >= MAX_REGION_BLOCKS || total >= MAX_REGION_INSNS || !seen.insert(pc) {
            continue;
        }
        // code already compiled as another region's entry is reached through the dispatcher
        if pc != entry && compiled(pc) {
            continue;
        }
        let b = scan::<A>(mem, pc);
        let Some(&(last_pc, last)) = b.last() else {
            continue;
        };
        total += b.len();
        let n = b.len();
        if n >= 2 && b[n - 2].1.is_control() {
            let (bpc, br) = b[n - 2];
            match br.successors(bpc, A::IS_64) {
                Successors::Jump(t) => queue.push_back(t),
                Successors::Branch { taken, not_taken } => {
                    queue.push_back(taken);
                    queue.push_back(not_taken);
                }
                Successors::Indirect | Successors::Next => {}
            }
        } else if !last.is_control() {
            queue.push_back(A::next_insn(last_pc));
        }
        blocks.push(b);
    }
    blocks
}

/// The pages a region's instructions live on, ascending.
pub fn pages(blocks: &[Vec<(u64, Insn)>]) -> Vec<u64> {
    let mut pages: Vec<u64> = blocks
        .iter()
        .flat_map(|b| b.iter().map(|(a, _)| a >> 12))
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}
