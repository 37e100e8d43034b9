//! Row kernels whose rows fit in a block: whole rows per block, stage by stage.

use super::block::{result, Block};
use super::io::KernelIo;
use super::isa::{isa_dispatch, wants_wide};
use super::reduce::{reduce_block, reduce_sources};
use super::scratch::Scratch;
use super::tasks::{blocks_per_task, for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use super::vm::exec_generic;
use crate::num::Num;
use rusttorch_ir::plan::{FusedKernel, Reg};
use smallvec::SmallVec;

/// Rows no longer than a block: each block holds whole rows.
pub(super) fn run_short_rows<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, rows: usize, row_len: usize) {
    let b = ctx.block;
    let per_block = (b / row_len.max(1)).max(1);
    let nblocks = rows.div_ceil(per_block);
    // About 4 tasks per thread, each several blocks; tiny kernels run inline.
    let total = rows * row_len;
    let parallel = total >= PARALLEL_MIN_ELEMS;
    let instrs = k.stages.iter().map(|st| st.full.len() + st.row.len()).sum();
    let per_task = blocks_per_task(nblocks, b, instrs, ctx.threads);
    let ntasks = nblocks.div_ceil(per_task);
    let srcs = reduce_sources(k);
    // The last stage's full program may store straight into its output (never with a donated
    // input, which is read through the output).
    let direct = k.direct_store.filter(|_| io.donors.is_empty()).map(|d| (d.instr, d.output));
    let g = ShortRows { b, per_block, rows, row_len, srcs: &srcs, direct };
    for_tasks(ctx, ntasks, parallel, k, |s: &mut Scratch<T>, t| {
        short_rows_blocks(k, io, s, &g, t * per_task, ((t + 1) * per_task).min(nblocks));
    });
}

/// What every task of a [`run_short_rows`] kernel shares.
struct ShortRows<'a> {
    /// Block length (register stride).
    b: usize,
    /// Rows per block.
    per_block: usize,
    rows: usize,
    row_len: usize,
    /// Per stage, the registers its reductions read.
    srcs: &'a [SmallVec<[Reg; 4]>],
    /// The last stage's direct store.
    direct: Option<(usize, u16)>,
}

isa_dispatch! {
    /// Blocks `b0..b1` of a [`run_short_rows`] kernel, compiled for the vector ISA as one function
    /// (programs and row reductions inlined, so the reductions are vectorised too).
    fn short_rows_blocks<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, s: &mut Scratch<T>, g: &ShortRows<'_>, b0: usize, b1: usize) -> () = short_rows_blocks_generic;
    wide_if k.stages.iter().any(|st| wants_wide(&st.full) || wants_wide(&st.row));
}

#[inline(always)]
fn short_rows_blocks_generic<T: Num>(
    k: &FusedKernel,
    io: &KernelIo<'_, T>,
    s: &mut Scratch<T>,
    g: &ShortRows<'_>,
    b0: usize,
    b1: usize,
) {
    let (b, row_len, last) = (g.b, g.row_len, k.stages.len().saturating_sub(1));
    for blk in b0..b1 {
        let r0 = blk * g.per_block;
        let nr = g.per_block.min(g.rows - r0);
        for (si, stage) in k.stages.iter().enumerate() {
            let mut fb = Block {
                expand_run: row_len,
                direct: if si == last { g.direct } else { None },
                ..Block::full(&mut s.full, &s.rows, b, r0 * row_len, nr * row_len, &g.srcs[si])
            };
            if fb.len > 0 {
                exec_generic(&stage.full, &mut fb, io);
            }
            let res = fb.sources(&stage.reduces);
            for (ri, red) in stage.reduces.iter().enumerate() {
                let dst = &mut s.rows[red.dst as usize * b..][..nr];
                if row_len == 0 {
                    dst.fill(T::from_f64(red.op.identity()));
                    continue;
                }
                // SAFETY: `res` comes from the exec just above; nothing was written since.
                let src = unsafe { result(res[ri], nr * row_len) };
                for (j, d) in dst.iter_mut().enumerate() {
                    *d = T::from_acc(reduce_block(red, &src[j * row_len..(j + 1) * row_len]));
                }
            }
            if nr > 0 && !stage.row.is_empty() {
                exec_generic(&stage.row, &mut Block::row(&mut s.rows, b, r0, nr), io);
            }
        }
    }
}
