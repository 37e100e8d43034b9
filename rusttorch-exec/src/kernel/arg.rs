//! Argmax/argmin kernels.

use super::access::gather;
use super::io::KernelIo;
use super::scratch::Scratch;
use super::stores::OutPtr;
use super::tasks::{for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use crate::num::Num;
use rusttorch_ir::op::ArgOp;
use rusttorch_ir::plan::{FusedKernel, KernelShape};
use std::num::Wrapping;

/// Runs an argmax/argmin kernel: the first index of the extreme along the middle of
/// `m × k × n` (a NaN counts as the extreme), written as int64 into `out`.
pub(crate) fn run_arg<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, out: OutPtr<Wrapping<i64>>, ctx: Ctx<'_>) {
    let KernelShape::Arg { op, m, k: kk, n } = k.shape else { unreachable!("not an arg kernel") };
    if m * n == 0 {
        return;
    }
    let better = |v: T, best: T| !best.is_nan() && (v.is_nan() || if op == ArgOp::Max { v > best } else { v < best });
    let parallel = m * kk * n >= PARALLEL_MIN_ELEMS;
    let piece = ctx.block.max(1);
    if n == 1 {
        // Rows: scan each row in pieces.
        let per_task = m.div_ceil(ctx.threads * 4).max(1);
        for_tasks(ctx, m.div_ceil(per_task), parallel, k, |_s: &mut Scratch<T>, t| {
            let mut buf = vec![T::ZERO; piece.min(kk)];
            for r in t * per_task..((t + 1) * per_task).min(m) {
                let (mut best, mut at) = (T::ZERO, 0usize);
                let mut off = 0;
                while off < kk {
                    let len = piece.min(kk - off);
                    gather(&io.access[0], io.inputs[0], r * kk + off, &mut buf[..len]);
                    for (j, &v) in buf[..len].iter().enumerate() {
                        if off + j == 0 || better(v, best) {
                            (best, at) = (v, off + j);
                        }
                    }
                    off += len;
                }
                out.write(r, &[Wrapping(at as i64)]);
            }
        });
        return;
    }
    // Columns: each task keeps the best of `w` columns while walking down `k`.
    let nlen = n.min(piece);
    let nb = n.div_ceil(nlen);
    for_tasks(ctx, m * nb, parallel, k, |_s: &mut Scratch<T>, t| {
        let (mi, b) = (t / nb, t % nb);
        let n0 = b * nlen;
        let w = nlen.min(n - n0);
        let (mut best, mut row) = (vec![T::ZERO; w], vec![T::ZERO; w]);
        let mut idx = vec![Wrapping(0i64); w];
        gather(&io.access[0], io.inputs[0], mi * kk * n + n0, &mut best);
        for ki in 1..kk {
            gather(&io.access[0], io.inputs[0], (mi * kk + ki) * n + n0, &mut row);
            for ((b, i), &v) in best.iter_mut().zip(idx.iter_mut()).zip(&row) {
                if better(v, *b) {
                    (*b, *i) = (v, Wrapping(ki as i64));
                }
            }
        }
        out.write(mi * n + n0, &idx);
    });
}
