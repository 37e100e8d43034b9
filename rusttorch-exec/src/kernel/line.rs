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

/// Where a line kernel writes: values of the operand's type, int64 indices, or both (an order
/// kernel whose values and indices are both wanted ranks each line once).
pub(crate) enum LineOut<T> {
    /// Output lines of values.
    Values(OutPtr<T>),
    /// Output lines of indices.
    Indices(OutPtr<Wrapping<i64>>),
    /// Output lines of values and of their indices.
    Both(OutPtr<T>, OutPtr<Wrapping<i64>>),
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
    if let (LineOp::Scan(s), LineOut::Values(o), 1) = (op, &out, n) {
        if kk >= 2 * SCAN_CHUNK {
            return run_chunked_scan(k, io, s, *o, ctx);
        }
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
            let (v, i) = (&vals[oi * w..(oi + 1) * w], &idx[oi * w..(oi + 1) * w]);
            match &out {
                LineOut::Values(o) => o.write(at, v),
                LineOut::Indices(o) => o.write(at, i),
                LineOut::Both(ov, ix) => {
                    ov.write(at, v);
                    ix.write(at, i);
                }
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

/// What a scan carries from one element (or chunk) to the next: the running sum or product in
/// the accumulator type (f64 for floats, wrapping i64 for ints, so an f32 running sum never adds
/// in f32), the running extreme, or the running log-sum-exp in f64.
#[derive(Clone, Copy)]
struct Carry<T: Num> {
    acc: T::Acc,
    ext: Option<T>,
    lse: f64,
}

impl<T: Num> Carry<T> {
    fn start(op: ScanOp) -> Carry<T> {
        let acc = if op == ScanOp::Prod { T::Acc::ONE } else { T::Acc::ZERO };
        Carry { acc, ext: None, lse: f64::NEG_INFINITY }
    }

    /// The carry after `self` and then `next` (a chunk's own carry from its start).
    fn then(self, op: ScanOp, next: Carry<T>) -> Carry<T> {
        match op {
            ScanOp::Sum => Carry { acc: self.acc + next.acc, ..self },
            ScanOp::Prod => Carry { acc: self.acc * next.acc, ..self },
            ScanOp::Max | ScanOp::Min => match (self.ext, next.ext) {
                (Some(a), Some(b)) if !takes(op, a, b) => self,
                _ => next,
            },
            ScanOp::LogSumExp => Carry { lse: log_add_exp(self.lse, next.lse), ..self },
        }
    }
}

/// An inclusive scan of `line` continuing from `carry`, written to `out` when given; returns
/// the carry at the end.
fn scan_from<T: Num>(op: ScanOp, line: &[T], mut out: Option<&mut [T]>, mut c: Carry<T>) -> Carry<T> {
    for (i, &x) in line.iter().enumerate() {
        let v = match op {
            ScanOp::Sum | ScanOp::Prod => {
                c.acc = if op == ScanOp::Sum { c.acc + x.to_acc() } else { c.acc * x.to_acc() };
                T::from_acc(c.acc)
            }
            ScanOp::Max | ScanOp::Min => {
                let e = match c.ext {
                    Some(e) if !takes(op, e, x) => e,
                    _ => x,
                };
                c.ext = Some(e);
                e
            }
            ScanOp::LogSumExp => {
                c.lse = log_add_exp(c.lse, x.to_f64());
                T::from_f64(c.lse)
            }
        };
        if let Some(o) = out.as_deref_mut() {
            o[i] = v;
        }
    }
    c
}

/// An inclusive scan of a whole line.
fn scan<T: Num>(op: ScanOp, line: &[T], out: &mut [T]) {
    scan_from(op, line, Some(out), Carry::start(op));
}

/// Contiguous lines at least twice this long are scanned in chunks of this many elements, in
/// parallel: each chunk's own carry first, then each chunk again from the carry of the chunks
/// before it. The chunking depends on the line length only, never on the thread count, so the
/// result is the same for any number of threads.
const SCAN_CHUNK: usize = 1 << 16;

/// A scan of `m` contiguous lines of `kk` elements in chunks (see [`SCAN_CHUNK`]).
fn run_chunked_scan<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, op: ScanOp, out: OutPtr<T>, ctx: Ctx<'_>) {
    let KernelShape::Line { m, k: kk, .. } = k.shape else { unreachable!("not a line kernel") };
    let nc = kk.div_ceil(SCAN_CHUNK);
    let chunk = |t: usize| {
        let (line, c) = (t / nc, t % nc);
        let start = line * kk + c * SCAN_CHUNK;
        (start, SCAN_CHUNK.min(kk - c * SCAN_CHUNK))
    };
    let mut own = vec![Carry::<T>::start(op); m * nc];
    let own_out = OutPtr::new(&mut own);
    for_tasks(ctx, m * nc, true, k, |_s: &mut Scratch<T>, t| {
        let (start, len) = chunk(t);
        let mut buf = vec![T::ZERO; len];
        gather(&io.access[0], io.inputs[0], start, &mut buf);
        own_out.write(t, &[scan_from(op, &buf, None, Carry::start(op))]);
    });
    // The carry into each chunk: the chunks before it, in order.
    let mut into = own.clone();
    for line in 0..m {
        let mut c = Carry::start(op);
        for i in line * nc..(line + 1) * nc {
            into[i] = c;
            c = c.then(op, own[i]);
        }
    }
    for_tasks(ctx, m * nc, true, k, |_s: &mut Scratch<T>, t| {
        let (start, len) = chunk(t);
        let (mut buf, mut res) = (vec![T::ZERO; len], vec![T::ZERO; len]);
        gather(&io.access[0], io.inputs[0], start, &mut buf);
        scan_from(op, &buf, Some(&mut res), into[t]);
        out.write(start, &res);
    });
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
