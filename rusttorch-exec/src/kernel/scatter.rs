//! Scatter kernels: `out = x`, then `out[p with coordinate dim replaced by index[p]] ∘= src[p]`
//! for every index position `p`.
//!
//! Positions that differ outside `dim` write disjoint parts of the output, so the index is cut
//! into tasks of such positions (a slab of the dims before `dim` times a run of the dims after
//! it), and each task walks `dim` in order: every output element takes its writes in row-major
//! order of the index, whatever the thread count. Every index is checked before anything is
//! written, so a bad index leaves no half-written output (the output may be a donated input).

use super::gather::{step, unflatten};
use super::io::KernelIo;
use super::scratch::Scratch;
use super::stores::OutPtr;
use super::tasks::{for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use crate::num::{nan_max, nan_min, Num};
use rusttorch_ir::op::ReduceOp;
use rusttorch_ir::plan::{FusedKernel, KernelInput, KernelShape};
use rusttorch_ir::{Error, Result};
use std::num::Wrapping;
use std::sync::Mutex;

/// Index positions one task handles (about).
const RUN: usize = 1 << 14;

/// Runs a scatter kernel (`KernelShape::Scatter`): `io.inputs[0]` is `x`'s buffer (empty when
/// donated: the output already holds `x`), `io.indices[1]` the index's buffer as int64,
/// `io.inputs[2]` `src`'s buffer.
pub(crate) fn run_scatter<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>) -> Result<()> {
    let index = io.indices[1];
    let KernelShape::Scatter { dim, reduce, len } = k.shape else { unreachable!("not a scatter kernel") };
    let (xl, il, sl) = (&k.inputs[0], &k.inputs[1], &k.inputs[2]);
    let (xdims, idims) = (xl.read_shape.dims(), il.read_shape.dims());
    let size = xdims[dim];
    check_indices::<T>(k, il, index, size, ctx).map_err(|i| Error::IndexOutOfRange {
        op: "scatter",
        index: i as isize,
        dim,
        size,
    })?;
    let out = io.outputs[0];
    if io.donated_to(0) != Some(0) {
        copy_strided(k, io.inputs[0], xl, out, ctx);
    }
    if len == 0 {
        return Ok(());
    }
    // Index positions as `a × kk × b` around `dim`; the output as `a' × size × b'` with the
    // output's own (row-major) strides.
    let a: usize = idims[..dim].iter().product();
    let kk = idims[dim];
    let b: usize = idims[dim + 1..].iter().product();
    let ostrides: Vec<isize> = xl.read_shape.strides().iter().map(|&s| s as isize).collect();
    // Runs of `b` positions wide enough to read whole cache lines, about two per thread when
    // no slab is there to share out, and tasks of several runs when runs are small. Each output
    // element takes its writes in index order whatever the cut, so the cut may follow threads.
    let chunk = b.div_ceil(2 * ctx.threads.max(1)).max(64).min(b);
    let per_a = b.div_ceil(chunk);
    let units = a * per_a;
    let per_task = (RUN / (kk * chunk).max(1)).max(1);
    let src = io.inputs[2];
    let (outer, inner) = (&idims[..dim], &idims[dim + 1..]);
    let (is, ss, os) = (il.strides[dim], sl.strides[dim], ostrides[dim]);
    for_tasks(ctx, units.div_ceil(per_task), len >= PARALLEL_MIN_ELEMS, k, |_s: &mut Scratch<T>, t| {
        let mut offs = Vec::with_capacity(chunk);
        for u in t * per_task..((t + 1) * per_task).min(units) {
            let (ai, b0) = (u / per_a, (u % per_a) * chunk);
            let b1 = (b0 + chunk).min(b);
            // Offsets of the run's `b` positions (index, src, output) and of its `a` slab.
            let a_coord = unflatten(ai, outer);
            let base = |l: &[isize], off: usize| off as isize + dot(&a_coord, &l[..dim]);
            let (ib, sb) = (base(&il.strides, il.offset), base(&sl.strides, sl.offset));
            let ob = dot(&a_coord, &ostrides[..dim]);
            offs.clear();
            let mut coord = unflatten(b0, inner);
            for _ in b0..b1 {
                let o = dot(&coord, &ostrides[dim + 1..]);
                offs.push((dot(&coord, &il.strides[dim + 1..]), dot(&coord, &sl.strides[dim + 1..]), o));
                step(&mut coord, inner);
            }
            if let [(io_, so, oo)] = offs[..] {
                // One position per slab (scattering along the last dim): a plain loop.
                let (ib, sb, ob) = (ib + io_, sb + so, ob + oo);
                for i in 0..kk as isize {
                    let j = index[(ib + i * is) as usize].0 as isize;
                    update(out, (ob + j * os) as usize, src[(sb + i * ss) as usize], reduce);
                }
                continue;
            }
            for i in 0..kk as isize {
                for &(io_, so, oo) in &offs {
                    let j = index[(ib + i * is + io_) as usize].0 as isize;
                    let v = src[(sb + i * ss + so) as usize];
                    // In the output (every index was checked to be in `[0, size)`), and only
                    // this task touches positions of this `a` slab and these `b` positions.
                    update(out, (ob + j * os + oo) as usize, v, reduce);
                }
            }
        }
    });
    Ok(())
}

/// Combines `v` into output element `at` by `reduce` (`None`: replaces it).
#[inline(always)]
fn update<T: Num>(out: OutPtr<T>, at: usize, v: T, reduce: Option<ReduceOp>) {
    let new = match reduce {
        None => v,
        Some(r) => {
            let old = out.get(at);
            match r {
                ReduceOp::Sum => old + v,
                ReduceOp::Prod => old * v,
                ReduceOp::Max => nan_max(old, v),
                ReduceOp::Min => nan_min(old, v),
            }
        }
    };
    out.set(at, new);
}

/// The first index (in index order) outside `[0, size)`, if any.
fn check_indices<T: Num>(
    k: &FusedKernel,
    il: &KernelInput,
    index: &[Wrapping<i64>],
    size: usize,
    ctx: Ctx<'_>,
) -> std::result::Result<(), i64> {
    let (dims, len) = (il.read_shape.dims(), il.read_shape.numel());
    let bad: Mutex<Option<(usize, i64)>> = Mutex::new(None);
    for_tasks(ctx, len.div_ceil(RUN), len >= PARALLEL_MIN_ELEMS, k, |_s: &mut Scratch<T>, t| {
        let (p0, p1) = (t * RUN, ((t + 1) * RUN).min(len));
        let mut coord = unflatten(p0, dims);
        let last = dims.len().wrapping_sub(1);
        let mut p = p0;
        // Row by row along the last dim, stepping the index's offset by its stride.
        while p < p1 {
            let n = if dims.is_empty() { 1 } else { (dims[last] - coord[last]).min(p1 - p) };
            let (ib, is) = (il.offset as isize + dot(&coord, &il.strides), il.strides.get(last).copied().unwrap_or(0));
            if let Some(e) = (0..n as isize).find(|e| {
                let i = index[(ib + e * is) as usize].0;
                i < 0 || i as usize >= size
            }) {
                let (q, i) = (p + e as usize, index[(ib + e * is) as usize].0);
                let mut g = bad.lock().unwrap_or_else(|e| e.into_inner());
                if g.is_none_or(|(r, _)| q < r) {
                    *g = Some((q, i));
                }
                return;
            }
            if n > 1 {
                coord[last] += n - 1;
            }
            step(&mut coord, dims);
            p += n;
        }
    });
    match bad.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some((_, i)) => Err(i),
        None => Ok(()),
    }
}

/// Copies `x` (read through its layout) into the whole output, in runs of positions.
fn copy_strided<T: Num>(k: &FusedKernel, x: &[T], xl: &KernelInput, out: OutPtr<T>, ctx: Ctx<'_>) {
    let (dims, len) = (xl.read_shape.dims(), xl.read_shape.numel());
    for_tasks(ctx, len.div_ceil(RUN), len >= PARALLEL_MIN_ELEMS, k, |_s: &mut Scratch<T>, t| {
        let (p0, p1) = (t * RUN, ((t + 1) * RUN).min(len));
        if xl.is_contiguous() {
            out.write(p0, &x[xl.offset + p0..xl.offset + p1]);
            return;
        }
        let mut coord = unflatten(p0, dims);
        let mut vals = Vec::with_capacity(p1 - p0);
        for _ in p0..p1 {
            vals.push(x[(xl.offset as isize + dot(&coord, &xl.strides)) as usize]);
            step(&mut coord, dims);
        }
        out.write(p0, &vals);
    });
}

#[inline(always)]
fn dot(coord: &[usize], strides: &[isize]) -> isize {
    coord.iter().zip(strides).map(|(&c, &s)| c as isize * s).sum()
}
