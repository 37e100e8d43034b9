//! The block executor: runs one [`FusedKernel`] in a single pass over cache-sized blocks,
//! in parallel over blocks (or rows, or column tiles) on a rayon pool.
//!
//! Dispatch happens per block: each instruction applies to a whole block of registers.
//! Reductions keep per-chunk partial results in f64 and combine them in a fixed order, so the
//! result does not depend on the number of threads.
//!
//! Layout, in the direction of the imports: [`run_kernel`] picks a kernel shape (`map`,
//! `tiled`, `short_rows`, `long_rows`, `cols`, `concat`; `matmul`, `arg`, `line`, `gather` and `scatter` are entered
//! directly); each shape cuts its work into tasks (`tasks`, with per-thread `scratch`) and runs
//! the block VM (`vm`) over `block`s, which reads inputs (`access`, `transpose`; through an
//! index, `indexed`), writes outputs (`stores`) and is compiled per vector ISA (`isa`).

mod access;
mod arg;
mod block;
mod cols;
mod concat;
mod gather;
mod indexed;
mod io;
mod isa;
mod line;
mod long_rows;
mod map;
mod matmul;
mod order;
mod reduce;
mod scatter;
mod scratch;
mod search;
mod short_rows;
mod stores;
mod tasks;
mod tiled;
mod transpose;
mod vm;

pub(crate) use access::Access;
pub(crate) use arg::run_arg;
pub(crate) use cols::finish_cols;
pub(crate) use gather::run_gather;
pub(crate) use indexed::BadIndex;
pub(crate) use io::{same, same_mut, KernelIo, NarrowIn, NarrowVec};
pub(crate) use line::{run_line, LineOut};
pub(crate) use long_rows::finish_long_rows;
pub(crate) use matmul::{run_matmul, MatMulIo};
pub(crate) use scatter::run_scatter;
pub(crate) use search::run_search;
pub use stores::stream_copy;
pub(crate) use stores::{store_fence, OutPtr};
pub(crate) use tasks::Ctx;

use crate::num::Num;
use cols::run_cols;
use concat::run_concat;
use long_rows::run_long_rows;
use map::run_map;
use rusttorch_ir::plan::{FusedKernel, KernelShape, Strategy};
use short_rows::run_short_rows;
use tiled::run_tiled;

/// Elementwise kernels up to this size run as a single block.
const SMALL_KERNEL: usize = 4096;

/// Runs a kernel by the strategy its plan gives it. Block sizes are the engine's settings, so
/// they are chosen here.
pub(crate) fn run_kernel<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>) {
    if k.shape.full_numel() == 0 && k.shape.row_numel() == 0 {
        return;
    }
    let (rows, row_len) = match k.shape {
        KernelShape::Rows { rows, row_len } => (rows, row_len),
        _ => (0, 0),
    };
    match k.strategy {
        Strategy::Tiled { rows: r, cols: c } => run_tiled(k, io, ctx, r, c),
        Strategy::Map => run_map(k, io, Ctx { block: map_block::<T>(rows, ctx), ..ctx }, rows),
        // Elementwise kernels with a row program: rows of one element in map-sized blocks.
        Strategy::ShortRows if row_len == 1 && k.stages.iter().all(|s| s.reduces.is_empty()) => {
            run_short_rows(k, io, Ctx { block: map_block::<T>(rows, ctx), ..ctx }, rows, 1)
        }
        Strategy::ShortRows | Strategy::LongRows if row_len <= ctx.block => run_short_rows(k, io, ctx, rows, row_len),
        // Rows up to WHOLE_ROW_MAX are one block each: one dispatch per stage per row, and
        // stages may share registers (the planner relies on it: `whole_rows`).
        Strategy::ShortRows => run_short_rows(k, io, Ctx { block: row_len, ..ctx }, rows, row_len),
        Strategy::LongRows => run_long_rows(k, io, ctx, rows, row_len),
        Strategy::Cols => match k.shape {
            KernelShape::Cols { m, k: kk, n } => run_cols(k, io, ctx, m, kk, n),
            _ => unreachable!("a cols strategy on a cols shape"),
        },
        Strategy::Concat => match k.shape {
            KernelShape::Concat { outer, inner, ref parts } => run_concat(io, ctx, k, outer, inner, parts),
            _ => unreachable!("a concat strategy on a concat shape"),
        },
        Strategy::MatMul => unreachable!("matmul kernels run through run_matmul"),
        Strategy::Arg => unreachable!("arg kernels run through run_arg"),
        Strategy::Line => unreachable!("line kernels run through run_line"),
        Strategy::Gather => unreachable!("gather kernels run through run_gather"),
        Strategy::Scatter => unreachable!("scatter kernels run through run_scatter"),
        Strategy::Search => unreachable!("search kernels run through run_search"),
    }
}

/// Block length of an elementwise kernel over `n` elements: small kernels run as one block
/// (per-block dispatch would dominate), others in blocks of `map_block` 4-byte elements.
fn map_block<T>(n: usize, ctx: Ctx<'_>) -> usize {
    if n <= SMALL_KERNEL {
        n.max(1)
    } else {
        (ctx.map_block * 4 / std::mem::size_of::<T>().max(1)).max(1)
    }
}
