//! Reductions of a block's values and the registers a kernel's reductions read.

use crate::num::{block_max, block_min, block_prod, block_sum, block_sum_sq, Num};
use rusttorch_ir::op::ReduceOp;
use rusttorch_ir::plan::{FusedKernel, ReduceInstr, Reg};
use smallvec::SmallVec;

/// One reduction's partial result over the values `x` of a block, in the accumulator type.
#[inline(always)]
pub(super) fn reduce_block<T: Num>(red: &ReduceInstr, x: &[T]) -> T::Acc {
    match red.op {
        ReduceOp::Sum if red.square => block_sum_sq(x),
        ReduceOp::Sum => block_sum(x),
        ReduceOp::Max => block_max(x),
        ReduceOp::Min => block_min(x),
        ReduceOp::Prod => block_prod(x),
    }
}

/// Per stage, the registers its reductions read.
pub(super) fn reduce_sources(k: &FusedKernel) -> SmallVec<[SmallVec<[Reg; 4]>; 2]> {
    // (Loops rather than collects: this runs per kernel, for small ones too.)
    let mut all = SmallVec::new();
    for s in &k.stages {
        let mut regs = SmallVec::new();
        for r in &s.reduces {
            regs.push(r.src);
        }
        all.push(regs);
    }
    all
}
