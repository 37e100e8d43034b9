//! Elementwise kernels that read a transposed input, walked in square tiles.

use super::block::{Block, TILE};
use super::io::KernelIo;
use super::scratch::Scratch;
use super::stores::store_fence;
use super::tasks::{blocks_per_task, for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use super::vm::exec;
use crate::num::Num;
use rusttorch_ir::plan::FusedKernel;

/// An elementwise kernel over `[planes, r, c]` in tiles of at most `TILE × TILE`.
pub(super) fn run_tiled<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, r: usize, c: usize) {
    // Square tiles of TILE × TILE: a transposed input is read as TILE contiguous runs of
    // TILE elements (transposed in registers), every other operand as rows of TILE elements.
    let (tr, tc) = (r.min(TILE), c.min(TILE));
    let b = tr * tc;
    let planes = k.full_shape.numel() / (r * c);
    let (nrt, nct) = (r.div_ceil(tr), c.div_ceil(tc));
    let ntiles = planes * nrt * nct;
    let per_task = blocks_per_task(ntiles, b, k.stages[0].full.len(), ctx.threads);
    let transposed: Vec<Option<isize>> = k
        .inputs
        .iter()
        .map(|i| {
            let n = i.strides.len();
            let (sr, sc) = (i.strides[n - 2], i.strides[n - 1]);
            (sr == 1 && sc != 0 && sc != 1).then_some(sc)
        })
        .collect();
    let parallel = planes * r * c >= PARALLEL_MIN_ELEMS;
    // Flat start, rows and columns of a tile; tiles go along a band of rows, then down.
    let at = |tile: usize| {
        let (p, rt, ct) = (tile / (nrt * nct), tile / nct % nrt, tile % nct);
        let (r0, c0) = (rt * tr, ct * tc);
        (p * r * c + r0 * c + c0, tr.min(r - r0), tc.min(c - c0))
    };
    let stream = k.stream_stores;
    for_tasks(ctx, ntiles.div_ceil(per_task), parallel, k, |s: &mut Scratch<T>, t| {
        // Registers of a whole tile each, in a file of the task's own: tiles are larger than
        // `ctx.block`, and a per-thread cached scratch grown to tile size would make every later
        // kernel with smaller blocks see (and allocate alias slots for) hundreds of registers
        // (measured: `a + b` at 4096² 7 → 12 ms after a 128² tiled kernel).
        let mut regs = vec![T::ZERO; k.num_full_regs.max(1) * b];
        let end = ((t + 1) * per_task).min(ntiles);
        for tile in t * per_task..end {
            let (start, nr, nc) = at(tile);
            let next = if tile + 1 < end { at(tile + 1).0 as isize - start as isize } else { 0 };
            let mut fb = Block {
                tile: Some((nc, c)),
                transposed: &transposed,
                next,
                stream,
                ..Block::full(&mut regs, &s.rows, b, start, nr * nc, &[])
            };
            exec(&k.stages[0].full, &mut fb, io);
        }
        if stream {
            store_fence();
        }
    });
}
