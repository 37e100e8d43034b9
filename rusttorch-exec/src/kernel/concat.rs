//! Concatenation kernels: each part copied into its place.

use super::access::gather;
use super::io::KernelIo;
use super::scratch::Scratch;
use super::tasks::{for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use crate::num::Num;
use rusttorch_ir::plan::FusedKernel;

/// Copies each part of a concatenation into its place, in parallel over outer rows.
pub(super) fn run_concat<T: Num>(
    io: &KernelIo<'_, T>,
    ctx: Ctx<'_>,
    k: &FusedKernel,
    outer: usize,
    inner: usize,
    parts: &[(u16, usize)],
) {
    let total: usize = parts.iter().map(|p| p.1).sum();
    let out = &io.outputs[0];
    let rows_per_task = (ctx.block * 16).div_ceil((total * inner).max(1)).max(1);
    let ntasks = outer.div_ceil(rows_per_task);
    for_tasks(ctx, ntasks, outer * total * inner >= PARALLEL_MIN_ELEMS, k, |_s: &mut Scratch<T>, t| {
        let mut buf: Vec<T> = Vec::new();
        for o in t * rows_per_task..((t + 1) * rows_per_task).min(outer) {
            let mut off = 0;
            for &(i, len) in parts {
                let n = len * inner;
                buf.clear();
                buf.resize(n, T::ZERO);
                gather(&io.access[i as usize], io.inputs[i as usize], o * n, &mut buf);
                out.write((o * total + off) * inner, &buf);
                off += len;
            }
        }
    });
}
