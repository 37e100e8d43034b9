//! Search kernels (`searchsorted`): each value's insertion index in its line of a sorted
//! sequence by binary search, the output cut into runs of positions, each task writing its own
//! run (every result depends on its value and line only, never on threads).

use super::gather::{at, step, unflatten};
use super::io::KernelIo;
use super::order::rank;
use super::scratch::Scratch;
use super::stores::OutPtr;
use super::tasks::{for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use crate::num::Num;
use rusttorch_ir::plan::{FusedKernel, KernelShape};
use std::cmp::Ordering;
use std::num::Wrapping;

/// Output positions one task writes.
const RUN: usize = 1 << 13;

/// Runs a search kernel (`KernelShape::Search`): `io.inputs[0]` is the sorted sequence's
/// buffer (a 1-d sequence, or lines along its last dim with the values' leading dims),
/// `io.inputs[1]` the values'; `out` gets one int64 index per value.
pub(crate) fn run_search<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, out: OutPtr<Wrapping<i64>>, ctx: Ctx<'_>) {
    let KernelShape::Search { right, len } = k.shape else { unreachable!("not a search kernel") };
    if len == 0 {
        return;
    }
    let (sl, vl) = (&k.inputs[0], &k.inputs[1]);
    let (seq, vals) = (io.inputs[0], io.inputs[1]);
    let sd = sl.read_shape.dims();
    let last = sd.len() - 1;
    let (line_len, stride) = (sd[last], sl.strides[last]);
    let batched = sd.len() > 1;
    let dims = vl.read_shape.dims();
    for_tasks(ctx, len.div_ceil(RUN), len >= PARALLEL_MIN_ELEMS, k, |_s: &mut Scratch<T>, t| {
        let (p0, p1) = (t * RUN, ((t + 1) * RUN).min(len));
        let mut coord = unflatten(p0, dims);
        let mut idx = Vec::with_capacity(p1 - p0);
        for _ in p0..p1 {
            let v = vals[at(vl, &coord, None)];
            // The line of a batched sequence shares the value's leading coordinates.
            let start = if batched { at(sl, &coord, Some((last, 0))) } else { sl.offset } as isize;
            let get = |j: usize| seq[(start + j as isize * stride) as usize];
            idx.push(Wrapping(bound(get, line_len, v, right) as i64));
            step(&mut coord, dims);
        }
        out.write(p0, &idx);
    });
}

/// The number of leading elements of a sorted line of `len` elements (`get(j)` the `j`-th)
/// that are below `v` (`right`: not above it), in the order of sorts (NaN largest).
#[inline(always)]
fn bound<T: Num>(get: impl Fn(usize) -> T, len: usize, v: T, right: bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let before = match rank(get(mid), v) {
            Ordering::Less => true,
            Ordering::Equal => right,
            Ordering::Greater => false,
        };
        if before {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
