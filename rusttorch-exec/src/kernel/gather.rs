//! Gather kernels: `out[p] = x[p with coordinate dim replaced by index[p]]`, the output cut
//! into runs of positions, each task writing its own run (results never depend on threads).

use super::io::KernelIo;
use super::scratch::Scratch;
use super::tasks::{for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use crate::num::Num;
use rusttorch_ir::plan::{FusedKernel, KernelInput, KernelShape};

/// Output positions one task writes.
const RUN: usize = 1 << 14;

/// Runs a gather kernel (`KernelShape::Gather`): `io.inputs[0]` is `x`'s buffer,
/// `io.indices[1]` the index's as int64. An index outside `[0, size)` of the gathered dim is
/// reported to `io.bad_index` (the first in output order) and reads nothing.
pub(crate) fn run_gather<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>) {
    let KernelShape::Gather { dim, len } = k.shape else { unreachable!("not a gather kernel") };
    let (xl, il) = (&k.inputs[0], &k.inputs[1]);
    let dims = il.read_shape.dims();
    let size = xl.read_shape.dims()[dim];
    let (x, index, out) = (io.inputs[0], io.indices[1], io.outputs[0]);
    let runs = len.div_ceil(RUN);
    for_tasks(ctx, runs, len >= PARALLEL_MIN_ELEMS, k, |_s: &mut Scratch<T>, t| {
        let (p0, p1) = (t * RUN, ((t + 1) * RUN).min(len));
        let mut coord = unflatten(p0, dims);
        let mut vals = vec![T::ZERO; p1 - p0];
        let mut first_bad = None;
        // Row by row along the last dim: the index and `x` offsets are found once per row and
        // stepped by their strides; a row through one index (an embedding row: the index is
        // expanded there) of `x` read contiguously is one copy.
        let last = dims.len().wrapping_sub(1);
        let mut p = p0;
        while p < p1 {
            let n = if dims.is_empty() { 1 } else { (dims[last] - coord[last]).min(p1 - p) };
            let ib = at(il, &coord, None) as isize;
            let xb = at(xl, &coord, Some((dim, 0))) as isize;
            let (is, xs) = if dims.is_empty() { (0, 0) } else { (il.strides[last], xl.strides[last]) };
            let xs = if last == dim { 0 } else { xs };
            let xd = xl.strides.get(dim).copied().unwrap_or(0);
            let out_row = &mut vals[p - p0..p - p0 + n];
            if is == 0 && xs == 1 && n > 1 {
                let i = index[ib as usize].0;
                if i < 0 || i as usize >= size {
                    first_bad.get_or_insert((p, i));
                } else {
                    let from = (xb + i as isize * xd) as usize;
                    out_row.copy_from_slice(&x[from..from + n]);
                }
            } else {
                for (e, v) in out_row.iter_mut().enumerate() {
                    let e = e as isize;
                    let i = index[(ib + e * is) as usize].0;
                    if i < 0 || i as usize >= size {
                        first_bad.get_or_insert((p + e as usize, i));
                    } else {
                        *v = x[(xb + e * xs + i as isize * xd) as usize];
                    }
                }
            }
            if n > 1 {
                coord[last] += n - 1;
            }
            step(&mut coord, dims);
            p += n;
        }
        if let Some((p, i)) = first_bad {
            io.bad_index.report(p, i, dim, size);
        }
        out.write(p0, &vals);
    });
}

/// The element of `l` at `coord` (with `dim`'s coordinate replaced when given).
#[inline(always)]
pub(super) fn at(l: &KernelInput, coord: &[usize], replace: Option<(usize, usize)>) -> usize {
    let mut off = l.offset as isize;
    for (d, (&c, &s)) in coord.iter().zip(&l.strides).enumerate() {
        let c = match replace {
            Some((rd, rc)) if rd == d => rc,
            _ => c,
        };
        off += c as isize * s;
    }
    off as usize
}

/// The coordinates of flat position `p` in `dims` (row-major).
pub(super) fn unflatten(mut p: usize, dims: &[usize]) -> Vec<usize> {
    let mut c = vec![0; dims.len()];
    for (c, &d) in c.iter_mut().zip(dims).rev() {
        if d > 0 {
            (*c, p) = (p % d, p / d);
        }
    }
    c
}

/// Advances `coord` to the next position in row-major order.
#[inline(always)]
pub(super) fn step(coord: &mut [usize], dims: &[usize]) {
    for (c, &d) in coord.iter_mut().zip(dims).rev() {
        *c += 1;
        if *c < d {
            return;
        }
        *c = 0;
    }
}
