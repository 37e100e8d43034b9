//! Reads through an index inside a fused kernel (`Instr::Gather`), and the out-of-range index
//! a kernel reports.

use super::access::{gather, Access};
use super::block::Block;
use super::io::KernelIo;
use crate::num::Num;
use rusttorch_ir::Error;
use std::num::Wrapping;
use std::sync::Mutex;

/// Positions read per pass: the indices and the table offsets of a pass live on the stack.
const CHUNK: usize = 256;

/// The first out-of-range index a kernel met, in output order, whichever task met it.
#[derive(Default)]
pub(crate) struct BadIndex(Mutex<Option<Bad>>);

/// An index outside `[0, size)` at flat output position `pos`.
#[derive(Clone, Copy)]
struct Bad {
    pos: usize,
    index: i64,
    dim: usize,
    size: usize,
}

impl BadIndex {
    /// Records `index` met at `pos`, unless an earlier position was recorded (so the error is
    /// the same for any number of threads).
    pub(crate) fn report(&self, pos: usize, index: i64, dim: usize, size: usize) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if g.is_none_or(|b| pos < b.pos) {
            *g = Some(Bad { pos, index, dim, size });
        }
    }

    /// The error of the first index recorded, if any.
    pub(crate) fn error(&self) -> Option<Error> {
        let first = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        first.map(|b| Error::IndexOutOfRange { op: "gather", index: b.index as isize, dim: b.dim, size: b.size })
    }
}

/// What an `Instr::Gather` reads: the table input (its layout has stride 0 along `dim`), the
/// index input (read as int64), and the table's size and stride along `dim`.
#[derive(Clone, Copy)]
pub(super) struct GatherRead {
    pub(super) table: usize,
    pub(super) index: usize,
    pub(super) dim: usize,
    pub(super) size: usize,
    pub(super) stride: isize,
}

/// `Instr::Gather` over block `b` into `d`: each run of flat positions (the block, or each row
/// of a tile) in passes of [`CHUNK`]: the indices and the table offsets of the pass first, then
/// one bounds-checked read per element. An out-of-range element reads nothing (it is 0) and is
/// reported to `io.bad_index`.
#[inline(always)]
pub(super) fn gather_block<T: Num>(b: &Block<'_, T>, io: &KernelIo<'_, T>, g: GatherRead, d: &mut [T]) {
    let (seg, rs) = b.tile.unwrap_or((b.len.max(1), 0));
    let (table, index) = (io.inputs[g.table], io.indices[g.index]);
    let mut idx = [Wrapping(0i64); CHUNK];
    let mut off = [0isize; CHUNK];
    for (r, row) in d.chunks_mut(seg).enumerate() {
        for (c, out) in row.chunks_mut(CHUNK).enumerate() {
            let p = b.start + r * rs + c * CHUNK;
            let n = out.len();
            gather(&io.access[g.index], index, p, &mut idx[..n]);
            offsets(&io.access[g.table], p, &mut off[..n]);
            if let Some((j, i)) = read_spans(table, &idx[..n], &off[..n], g, out) {
                io.bad_index.report(p + j, i, g.dim, g.size);
            }
        }
    }
}

/// `out[j] = table[off[j] + idx[j] * stride]` for one pass, a span of consecutive elements
/// read through one index (a row of an embedding lookup) copied at once; gives the first
/// out-of-range index (its element is 0).
#[inline(always)]
fn read_spans<T: Num>(
    table: &[T],
    idx: &[Wrapping<i64>],
    off: &[isize],
    g: GatherRead,
    out: &mut [T],
) -> Option<(usize, i64)> {
    let (n, mut bad, mut j) = (out.len(), None, 0);
    while j < n {
        let i = idx[j].0;
        if i < 0 || i as u64 >= g.size as u64 {
            bad = bad.or(Some((j, i)));
            out[j] = T::ZERO;
            j += 1;
            continue;
        }
        let at = (off[j] + i as isize * g.stride) as usize;
        let mut k = j + 1;
        while k < n && idx[k].0 == i && off[k] == off[k - 1] + 1 {
            k += 1;
        }
        if k == j + 1 {
            out[j] = table[at];
        } else {
            out[j..k].copy_from_slice(&table[at..at + (k - j)]);
        }
        j = k;
    }
    bad
}

/// The buffer offsets of `dst.len()` consecutive reads of `access` from flat index `start`.
#[inline(always)]
fn offsets(access: &Access, start: usize, dst: &mut [isize]) {
    match access {
        Access::Contiguous { offset } => {
            for (j, d) in dst.iter_mut().enumerate() {
                *d = (offset + start + j) as isize;
            }
        }
        Access::Scalar { offset } => dst.fill(*offset as isize),
        Access::Strided { .. } => access.runs(start, dst.len(), |done, off, run, s| {
            for (j, d) in dst[done..done + run].iter_mut().enumerate() {
                *d = off + j as isize * s;
            }
        }),
    }
}
