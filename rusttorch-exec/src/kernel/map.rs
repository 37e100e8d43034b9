//! Purely elementwise kernels over flat blocks.

use super::block::Block;
use super::io::KernelIo;
use super::scratch::Scratch;
use super::stores::store_fence;
use super::tasks::{blocks_per_task, for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use super::vm::map_blocks;
use crate::num::Num;
use rusttorch_ir::plan::{DirectStore, FusedKernel};

/// A purely elementwise kernel over `n` flat elements (one stage, no reductions): each task
/// runs its blocks in one loop compiled for the CPU's vector ISA, with the ISA choice, the
/// direct store and the block's bookkeeping settled once per task (settled per block, they
/// cost about a fifth of W1 with 128-element blocks).
pub(super) fn run_map<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, n: usize) {
    let b = ctx.block;
    let nblocks = n.div_ceil(b);
    let prog = &k.stages[0].full;
    let per_task = blocks_per_task(nblocks, b, prog.len(), ctx.threads);
    let ntasks = nblocks.div_ceil(per_task);
    // Outputs far larger than the caches go around them: no read-for-ownership of each output
    // line, and the inputs stay cached.
    let stream = io.donors.is_empty() && k.stream_stores;
    for_tasks(ctx, ntasks, n >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, t| {
        let start = t * per_task * b;
        let end = ((t + 1) * per_task * b).min(n);
        let mut fb = Block { expand_run: 1, stream, ..Block::full(&mut s.full, &s.rows, b, start, b, &[]) };
        // Never with a donated input: it is read through the output.
        // Nor into a storage-dtype output, which is converted at its store.
        if !stream && io.donors.is_empty() {
            let wide = |d: &DirectStore| io.narrow_out.get(d.output as usize).is_none_or(|n| n.is_none());
            fb.direct = k.direct_store.filter(wide).map(|d| (d.instr, d.output));
        }
        map_blocks(prog, &mut fb, io, end);
        if stream {
            store_fence();
        }
    });
}
