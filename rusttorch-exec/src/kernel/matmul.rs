//! Matmul kernels: GEMM per tile of output rows, then the epilogue program on the tile.

use super::block::Block;
use super::io::KernelIo;
use super::scratch::Scratch;
use super::tasks::Ctx;
use super::vm::exec;
use crate::cancel::is_set;
use crate::num::Num;
use rayon::prelude::*;
use rusttorch_ir::plan::{FusedKernel, KernelShape};

/// The operands of a matmul kernel, typed.
pub(crate) struct MatMulIo<'a, T> {
    pub a: &'a [T],
    pub b: &'a [T],
}

/// Runs a matmul kernel: each task computes a tile of output rows with the GEMM crate into
/// task-local scratch, then applies the epilogue program to the tile while it is in cache and
/// writes the kernel's outputs once.
pub(crate) fn run_matmul<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, mio: &MatMulIo<'_, T>, ctx: Ctx<'_>) {
    let KernelShape::MatMul { batch, m, k: kk, n } = k.shape else { unreachable!() };
    let ops = k.matmul.as_ref().expect("matmul operands");
    if batch * m * n == 0 {
        return;
    }
    // Tiles hold at most ~1M output elements.
    // One tile of rows per thread (measured at 1024²: 1, 2 and 4 tiles per thread gave 100, 98
    // and 86 GFLOP/s): each tile packs B once, so fewer, larger tiles win.
    let want_tiles = ctx.threads.div_ceil(batch).max(1);
    let rows = m.div_ceil(want_tiles).clamp(1, ((1 << 20) / n.max(1)).max(1));
    let tiles = m.div_ceil(rows);
    let ntasks = batch * tiles;
    let bdims = ops.batch_shape.dims();
    let offsets = |mut bi: usize| {
        let (mut oa, mut ob) = (0, 0);
        for d in (0..bdims.len()).rev() {
            let i = bi % bdims[d];
            bi /= bdims[d];
            oa += i * ops.a_batch_strides[d];
            ob += i * ops.b_batch_strides[d];
        }
        (oa, ob)
    };
    let big = batch * m * n * kk >= 1 << 20;
    let inner = if ntasks == 1 && big { ctx.threads } else { 1 };
    let block = ctx.block;
    let run = |tile: &mut Vec<T>, s: &mut Scratch<T>, t: usize| {
        let (bi, ti) = (t / tiles, t % tiles);
        let (r0, r1) = (ti * rows, ((ti + 1) * rows).min(m));
        let len = (r1 - r0) * n;
        tile.clear();
        tile.resize(len, T::ZERO);
        let (oa, ob) = offsets(bi);
        let lhs = &mio.a[oa + r0 * kk..oa + r1 * kk];
        let rhs = &mio.b[ob..ob + kk * n];
        let par = if inner > 1 { gemm::Parallelism::Rayon(inner) } else { gemm::Parallelism::None };
        // SAFETY: `tile` holds (r1-r0)×n elements written row-major (row stride n, column stride
        // 1); `lhs` holds (r1-r0)×kk elements (row stride kk) and `rhs` kk×n (row stride n), all
        // in bounds by the slicing above; dst does not overlap the operands.
        unsafe {
            gemm::gemm(
                r1 - r0,
                n,
                kk,
                tile.as_mut_ptr(),
                1,
                n as isize,
                false,
                lhs.as_ptr(),
                1,
                kk as isize,
                rhs.as_ptr(),
                1,
                n as isize,
                T::ZERO,
                T::ONE,
                false,
                false,
                false,
                par,
            );
        }
        let base = bi * m * n + r0 * n;
        let mut off = 0;
        while off < len {
            let l = block.min(len - off);
            let mut fb =
                Block { acc: tile[off..].as_ptr(), ..Block::full(&mut s.full, &s.rows, block, base + off, l, &[]) };
            exec(&k.stages[0].full, &mut fb, io);
            off += l;
        }
    };
    let live = || !is_set(ctx.cancel);
    match ctx.pool {
        Some(pool) if big && ntasks > 1 && ctx.threads > 1 => pool.install(|| {
            (0..ntasks)
                .into_par_iter()
                .filter(|_| live())
                .for_each_init(|| (Vec::new(), Scratch::new(k, block)), |(tile, s), t| run(tile, s, t));
        }),
        Some(pool) if big && ntasks == 1 => pool.install(|| run(&mut Vec::new(), &mut Scratch::new(k, block), 0)),
        _ => {
            let (mut tile, mut s) = (Vec::new(), Scratch::new(k, block));
            for t in (0..ntasks).take_while(|_| live()) {
                run(&mut tile, &mut s, t);
            }
        }
    }
}
