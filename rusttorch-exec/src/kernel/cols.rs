//! Column kernels (`m x k x n` reducing `k`): column partials accumulated down `k`.

use super::block::{result, Block};
use super::io::KernelIo;
use super::isa::isa_dispatch;
use super::reduce::reduce_sources;
use super::scratch::{keep_partials, reused_partials, Scratch};
use super::stores::OutPtr;
use super::tasks::{for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use super::vm::exec;
use crate::num::{combine, identity, Num};
use rusttorch_ir::op::ReduceOp;
use rusttorch_ir::plan::{FusedKernel, WHOLE_ROW_MAX};

/// Column reductions cut the reduced extent into chunks of at least this many elements.
const COL_CHUNK: usize = 1 << 18;

/// Blocks of whole rows in a column reduction hold up to this many elements (and four rows).
const COL_ROWS_BLOCK: usize = 1 << 14;

/// Column sums add this many rows in the element type before moving them into f64.
const COL_FLUSH: usize = 16;

/// `m × k × n` reducing `k`: tiles of `(k rows) × (n columns)` accumulate column partials.
pub(super) fn run_cols<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, m: usize, kk: usize, n: usize) {
    if n > ctx.block && n <= WHOLE_ROW_MAX {
        // Whole rows of columns per block: with block-wide tiles every row costs a program
        // dispatch for only a block of additions (W6, a 4096² column sum: 4.5-5.5 ms with
        // 1024-wide tiles, 3.4-3.9 ms with whole rows, alternating in one session). Four rows
        // per block where they fit in COL_ROWS_BLOCK, for `accumulate_near`'s four-row sums.
        let rows = (COL_ROWS_BLOCK / n).clamp(1, 4);
        return run_cols(k, io, Ctx { block: n * rows, ..ctx }, m, kk, n);
    }
    let b = ctx.block;
    let st = &k.stages[0];
    debug_assert!(st.reduces.iter().all(|r| !r.square), "sums of squares are planned for row kernels only");
    let nred = st.reduces.len();
    let (nlen, nblocks, per) = if n <= b { (n, 1, (b / n).max(1)) } else { (b, n.div_ceil(b), 1) };
    // k-rows per chunk: at least COL_CHUNK elements, a multiple of `per`. The chunking depends
    // only on the shape, so results do not depend on the thread count.
    let kc = per * COL_CHUNK.div_ceil(per * nlen).max(1);
    let kchunks = kk.div_ceil(kc).max(1);
    let ntiles = m * nblocks;
    let slot = nred * nlen;
    let srcs = reduce_sources(k);
    // Every task writes its whole slot, so the reused buffer's old values are never read.
    let mut partials = reused_partials::<T::Acc>(ntiles * kchunks * slot);
    let pp = OutPtr::new(&mut partials);
    for_tasks(ctx, ntiles * kchunks, m * kk * n >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, t| {
        let (tile, c) = (t / kchunks, t % kchunks);
        let (mi, nb) = (tile / nblocks, tile % nblocks);
        let n0 = nb * nlen;
        let w = nlen.min(n - n0);
        s.acc.clear();
        for red in &st.reduces {
            s.acc.extend(std::iter::repeat_n(identity::<T::Acc>(red.op), nlen));
        }
        // Column partials in T over up to COL_FLUSH k-rows, then added into the f64 ones.
        let mut near: Vec<T> =
            st.reduces.iter().flat_map(|r| std::iter::repeat_n(T::from_f64(r.op.identity()), nlen)).collect();
        let mut pending = 0;
        let mut kr = c * kc;
        let kend = ((c + 1) * kc).min(kk);
        while kr < kend {
            let rr = if w == n { per.min(kend - kr) } else { 1 };
            let len = rr * w;
            let start = mi * kk * n + kr * n + n0;
            let mut fb = Block::full(&mut s.full, &s.rows, b, start, len, &srcs[0]);
            exec(&st.full, &mut fb, io);
            let res = fb.sources(&st.reduces);
            for (i, red) in st.reduces.iter().enumerate() {
                // SAFETY: `res` comes from the exec just above; nothing was written since.
                let src = unsafe { result(res[i], len) };
                if red.op == ReduceOp::Prod && w > 0 {
                    // Products go straight into the accumulator type, row by row: an f32 partial
                    // of 16 rows could overflow or underflow where the f64 product does not.
                    for row in src[..rr * w].chunks_exact(w) {
                        accumulate(red.op, &mut s.acc[i * nlen..i * nlen + w], row);
                    }
                    continue;
                }
                accumulate_near(red.op, &mut near[i * nlen..i * nlen + w], &src[..rr * w]);
            }
            pending += rr;
            kr += rr;
            if pending >= COL_FLUSH || kr >= kend {
                for (i, red) in st.reduces.iter().enumerate().filter(|(_, r)| r.op != ReduceOp::Prod) {
                    let nv = &mut near[i * nlen..i * nlen + w];
                    accumulate(red.op, &mut s.acc[i * nlen..i * nlen + w], nv);
                    nv.fill(T::from_f64(red.op.identity()));
                }
                pending = 0;
            }
        }
        pp.write(t * slot, &s.acc[..slot]);
    });
    finish_cols(k, io, ctx, (m, n), nlen, kchunks, &partials);
    keep_partials(partials);
}

/// Finishes a column reduction of `m` matrices of `n` columns from its column partials: tiles
/// of `nlen` columns (the last may be narrower), each with `kchunks` chunks of partials in
/// order, `partials[(tile * kchunks + c) * slot + i * nlen + j]` for reduction `i` and column
/// `j` (`slot` = reductions times `nlen`): each column's chunks are combined in order, then the
/// row program runs over the tile, in parallel over tiles. Also the end of compiled column
/// reductions.
pub(crate) fn finish_cols<T: Num>(
    k: &FusedKernel,
    io: &KernelIo<'_, T>,
    ctx: Ctx<'_>,
    (m, n): (usize, usize),
    nlen: usize,
    kchunks: usize,
    partials: &[T::Acc],
) {
    let st = &k.stages[0];
    let (nblocks, slot) = (n.div_ceil(nlen), st.reduces.len() * nlen);
    // The scratch's row registers hold one tile (the VM's blocks are at least that long).
    let ctx = Ctx { block: nlen, ..ctx };
    for_tasks(ctx, m * nblocks, m * n >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, tile| {
        let (mi, nb) = (tile / nblocks, tile % nblocks);
        let n0 = nb * nlen;
        let w = nlen.min(n - n0);
        for (i, red) in st.reduces.iter().enumerate() {
            // Chunk after chunk over contiguous partials (column by column, each column's
            // chunks were a stride of a whole slot apart: 12% of W6 in cache misses); each
            // column still combines its chunks in order.
            s.acc.clear();
            s.acc.resize(w, identity(red.op));
            for c in 0..kchunks {
                let part = &partials[(tile * kchunks + c) * slot + i * nlen..][..w];
                for (a, &v) in s.acc.iter_mut().zip(part) {
                    *a = combine(red.op, *a, v);
                }
            }
            for (d, &a) in s.rows[red.dst as usize * nlen..][..w].iter_mut().zip(&s.acc) {
                *d = T::from_acc(a);
            }
        }
        exec(&st.row, &mut Block::row(&mut s.rows, nlen, mi * n + n0, w), io);
    });
}

/// Combines `x` elementwise into accumulators of type `A` (NaN-propagating max/min: once an
/// accumulator is NaN, `v > NaN` is false and it stays NaN).
#[inline(always)]
fn accumulate_into<A: Num, T: Num>(op: ReduceOp, acc: &mut [A], x: &[T], conv: impl Fn(T) -> A) {
    match op {
        ReduceOp::Sum => {
            for (a, &v) in acc.iter_mut().zip(x) {
                *a = *a + conv(v);
            }
        }
        ReduceOp::Max => {
            for (a, &v) in acc.iter_mut().zip(x) {
                let v = conv(v);
                *a = if v > *a || v.is_nan() { v } else { *a };
            }
        }
        ReduceOp::Min => {
            for (a, &v) in acc.iter_mut().zip(x) {
                let v = conv(v);
                *a = if v < *a || v.is_nan() { v } else { *a };
            }
        }
        ReduceOp::Prod => {
            for (a, &v) in acc.iter_mut().zip(x) {
                *a = *a * conv(v);
            }
        }
    }
}

/// Column partials in the accumulator type (the flush of the element-type partials).
#[inline(always)]
fn accumulate_generic<T: Num>(op: ReduceOp, acc: &mut [T::Acc], x: &[T]) {
    accumulate_into(op, acc, x, T::to_acc)
}

/// Column partials in the element type: `x` holds `x.len() / acc.len()` rows, each combined
/// into `acc`. Sums add four rows at a time, `acc + ((r0 + r1) + (r2 + r3))`: one load and store
/// of each partial per four rows instead of per row, and four read streams at once (W6 read
/// its one stream per thread at about 60% of the read bound). Max and min go row by row.
#[inline(always)]
fn accumulate_near_generic<T: Num>(op: ReduceOp, acc: &mut [T], x: &[T]) {
    let w = acc.len();
    if w == 0 {
        return;
    }
    let mut rest = x;
    if op == ReduceOp::Sum {
        let groups = x.chunks_exact(4 * w);
        rest = groups.remainder();
        for g in groups {
            let (r0, g) = g.split_at(w);
            let (r1, g) = g.split_at(w);
            let (r2, r3) = g.split_at(w);
            for ((((a, &v0), &v1), &v2), &v3) in acc.iter_mut().zip(r0).zip(r1).zip(r2).zip(r3) {
                *a = *a + ((v0 + v1) + (v2 + v3));
            }
        }
    }
    for r in rest.chunks_exact(w) {
        accumulate_into(op, acc, r, |v| v)
    }
}

isa_dispatch! {
    /// [`accumulate_near_generic`], AVX2 where available.
    fn accumulate_near<T: Num>(op: ReduceOp, acc: &mut [T], x: &[T]) -> () = accumulate_near_generic;
}

isa_dispatch! {
    /// [`accumulate_generic`], AVX2 where available.
    fn accumulate<T: Num>(op: ReduceOp, acc: &mut [T::Acc], x: &[T]) -> () = accumulate_generic;
}
