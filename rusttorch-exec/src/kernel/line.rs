//! Line kernels: each line of the operand along one dim (`k` elements `n` apart in `m × k × n`)
//! becomes a line of the output, one line per task step, so results never depend on threads.

use super::access::gather;
use super::io::KernelIo;
use super::order::order_line;
use super::scratch::Scratch;
use super::stores::OutPtr;
use super::tasks::{for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use crate::num::Num;
use rusttorch_ir::op::line::log_add_exp;
use rusttorch_ir::op::{LineOp, ScanOp};
use rusttorch_ir::plan::{FusedKernel, KernelShape};
use std::num::Wrapping;

/// Where a line kernel writes: values of the operand's type, or int64 indices.
pub(crate) enum LineOut<T> {
    /// Output lines of values.
    Values(OutPtr<T>),
    /// Output lines of indices.
    Indices(OutPtr<Wrapping<i64>>),
}

/// Elements of the operand one task step holds (`k` rows of `w` columns): lines of a dim that
/// is not the last are read a band of columns at a time, each row one contiguous read.
const TILE_ELEMS: usize = 1 << 14;

/// Runs a line kernel (`KernelShape::Line`).
pub(crate) fn run_line<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, out: LineOut<T>, ctx: Ctx<'_>) {
    let KernelShape::Line { op, m, k: kk, n } = k.shape else { unreachable!("not a line kernel") };
    let ok = op.out_len(kk);
    if m * n == 0 || kk == 0 {
        return;
    }
    let w = (TILE_ELEMS / kk).clamp(1, n);
    let bands = n.div_ceil(w);
    let parallel = m * kk * n >= PARALLEL_MIN_ELEMS;
    for_tasks(ctx, m * bands, parallel, k, |_s: &mut Scratch<T>, t| {
        let (mi, n0) = (t / bands, t % bands * w);
        let w = w.min(n - n0);
        let mut tile = vec![T::ZERO; kk * w];
        for ki in 0..kk {
            gather(&io.access[0], io.inputs[0], (mi * kk + ki) * n + n0, &mut tile[ki * w..(ki + 1) * w]);
        }
        let mut line = vec![T::ZERO; kk];
        let (mut vals, mut idx) = (vec![T::ZERO; ok * w], vec![Wrapping(0i64); ok * w]);
        let (mut lv, mut li) = (vec![T::ZERO; ok], vec![Wrapping(0i64); ok]);
        for j in 0..w {
            for (ki, x) in line.iter_mut().enumerate() {
                *x = tile[ki * w + j];
            }
            apply(op, &line, &mut lv, &mut li);
            for oi in 0..ok {
                vals[oi * w + j] = lv[oi];
                idx[oi * w + j] = li[oi];
            }
        }
        for oi in 0..ok {
            let at = (mi * ok + oi) * n + n0;
            match &out {
                LineOut::Values(o) => o.write(at, &vals[oi * w..(oi + 1) * w]),
                LineOut::Indices(o) => o.write(at, &idx[oi * w..(oi + 1) * w]),
            }
        }
    });
}

/// One line: `line` in, `vals` (value outputs) or `idx` (index outputs) out.
fn apply<T: Num>(op: LineOp, line: &[T], vals: &mut [T], idx: &mut [Wrapping<i64>]) {
    match op {
        LineOp::Scan(s) => scan(s, line, vals),
        LineOp::ScanIndex(s) => scan_index(s, line, idx),
        LineOp::Order(o) | LineOp::OrderIndex(o) => order_line(o, line, vals, idx),
    }
}

/// An inclusive scan; sums and products accumulate in the accumulator type (f64 for floats,
/// wrapping i64 for ints), so an f32 running sum never adds in f32.
fn scan<T: Num>(op: ScanOp, line: &[T], out: &mut [T]) {
    match op {
        ScanOp::Sum | ScanOp::Prod => {
            let mut acc = if op == ScanOp::Sum { T::Acc::ZERO } else { T::Acc::ONE };
            for (o, &x) in out.iter_mut().zip(line) {
                acc = if op == ScanOp::Sum { acc + x.to_acc() } else { acc * x.to_acc() };
                *o = T::from_acc(acc);
            }
        }
        ScanOp::Max | ScanOp::Min => {
            let mut acc = line[0];
            for (o, &x) in out.iter_mut().zip(line) {
                if takes(op, acc, x) {
                    acc = x;
                }
                *o = acc;
            }
        }
        ScanOp::LogSumExp => {
            let mut acc = f64::NEG_INFINITY;
            for (o, &x) in out.iter_mut().zip(line) {
                acc = log_add_exp(acc, x.to_f64());
                *o = T::from_f64(acc);
            }
        }
    }
}

/// Where each running extreme of a max/min scan was found.
fn scan_index<T: Num>(op: ScanOp, line: &[T], out: &mut [Wrapping<i64>]) {
    let (mut acc, mut at) = (line[0], 0i64);
    for (i, (o, &x)) in out.iter_mut().zip(line).enumerate() {
        if takes(op, acc, x) {
            (acc, at) = (x, i as i64);
        }
        *o = Wrapping(at);
    }
}

/// PyTorch's rule for a max/min scan: `x` becomes the running value when it is NaN, or when
/// the running value is not NaN and `x >= acc` (`x <= acc` for min).
#[inline(always)]
fn takes<T: Num>(op: ScanOp, acc: T, x: T) -> bool {
    x.is_nan() || (!acc.is_nan() && if op == ScanOp::Max { x >= acc } else { x <= acc })
}
