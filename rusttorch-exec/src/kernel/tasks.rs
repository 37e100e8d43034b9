//! Cutting a kernel into tasks and running them, inline or on the engine's pool.

use super::scratch::Scratch;
use crate::cancel::is_set;
use crate::num::Num;
use rayon::prelude::*;
use rusttorch_ir::plan::FusedKernel;
use std::sync::atomic::AtomicBool;

/// Most element-instructions (elements times program length) one task of blocks runs, a few
/// milliseconds: it bounds how long a cancelled evaluation takes to stop (tasks are where the
/// flag is looked at), at the cost of one task dispatch (about a microsecond) per task.
const TASK_WORK: usize = 1 << 24;

/// Kernels touching fewer elements run on the calling thread: waking the pool costs more
/// (several microseconds) than the work.
pub(super) const PARALLEL_MIN_ELEMS: usize = 1 << 15;

/// How a kernel runs: block sizes, threads, the pool and the cancellation flag.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'p> {
    pub block: usize,
    /// Block size of purely elementwise kernels, in 4-byte elements.
    pub map_block: usize,
    pub threads: usize,
    pub pool: Option<&'p rayon::ThreadPool>,
    /// Set when the evaluation is to stop: tasks not started yet are skipped (the kernel's
    /// output is then incomplete, and the engine discards it).
    pub cancel: Option<&'p AtomicBool>,
}

/// Blocks per task for `nblocks` blocks of `block` elements running `instrs` instructions each:
/// about four tasks per thread, each at most [`TASK_WORK`].
#[inline]
pub(super) fn blocks_per_task(nblocks: usize, block: usize, instrs: usize, threads: usize) -> usize {
    let by_work = TASK_WORK / block.saturating_mul(instrs).max(1);
    nblocks.div_ceil(threads * 4).min(by_work).max(1)
}

/// Runs `f(task)` for `0..n` tasks, in parallel when worthwhile, with per-thread scratch.
#[inline] // into each kernel shape's function, in whatever codegen unit that lands
pub(super) fn for_tasks<T: Num>(
    ctx: Ctx<'_>,
    n: usize,
    parallel: bool,
    k: &FusedKernel,
    f: impl Fn(&mut Scratch<T>, usize) + Sync + Send,
) {
    let live = || !is_set(ctx.cancel);
    match ctx.pool {
        Some(pool) if parallel && n > 1 && ctx.threads > 1 => pool.install(|| {
            (0..n).into_par_iter().filter(|_| live()).for_each_init(|| Scratch::new(k, ctx.block), |s, t| f(s, t));
        }),
        _ => {
            let mut s = Scratch::new(k, ctx.block);
            for t in (0..n).take_while(|_| live()) {
                f(&mut s, t);
            }
        }
    }
}
