//! A fused kernel's register program: instructions over blocks, operands, reductions, stages.

use crate::op::{BinaryOp, ReduceOp, Scalar, UnaryOp};

/// Register number (full-space registers and row registers are separate files).
pub type Reg = u32;

/// An instruction operand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    /// A register.
    Reg(Reg),
    /// A constant broadcast over the block.
    Const(Scalar),
}

/// One instruction, applied to a whole block (never per element).
#[derive(Clone, Debug, PartialEq)]
pub enum Instr {
    /// Reads kernel input `input` for the current block.
    Load {
        /// Destination register.
        dst: Reg,
        /// Index into [`FusedKernel::inputs`].
        input: u16,
    },
    /// Broadcasts row register `src` over the full-space block (each row's value repeated).
    Expand {
        /// Full-space destination.
        dst: Reg,
        /// Row-space source.
        src: Reg,
    },
    /// Reads the matrix product for the current block (matmul kernels only).
    Acc {
        /// Destination.
        dst: Reg,
    },
    /// `start + step * i` for flat index `i`.
    Arange {
        /// Destination.
        dst: Reg,
        /// First value.
        start: Scalar,
        /// Increment.
        step: Scalar,
    },
    /// Elementwise unary op.
    Unary {
        /// The op.
        op: UnaryOp,
        /// Destination.
        dst: Reg,
        /// Source.
        src: Operand,
    },
    /// Elementwise binary op.
    Binary {
        /// The op.
        op: BinaryOp,
        /// Destination.
        dst: Reg,
        /// Left operand.
        a: Operand,
        /// Right operand.
        b: Operand,
    },
    /// Elementwise `cond != 0 ? a : b` (`where`).
    Select {
        /// Destination.
        dst: Reg,
        /// The condition (0/1).
        cond: Operand,
        /// Taken where `cond` holds.
        a: Operand,
        /// Taken elsewhere.
        b: Operand,
    },
    /// Reads stored table `input` at the positions an int index gives (`torch.gather` inside
    /// a fused kernel): element `p` of the block is `table[base(p) + index[p] * stride]`, where
    /// `base(p)` is input `input` read at `p` (its layout has stride 0 along `dim`, so it is
    /// the position of `p` in every other dim) and `index[p]` is input `index` read as int64.
    /// An index outside `[0, size)` fails the kernel with `IndexOutOfRange` (the first one in
    /// output order) and reads nothing.
    Gather {
        /// Destination.
        dst: Reg,
        /// The table (index into [`FusedKernel::inputs`](super::FusedKernel::inputs)).
        input: u16,
        /// The int index, read as int64 (an input of its own, never a loaded register).
        index: u16,
        /// The dim the index selects along (for the error).
        dim: usize,
        /// The table's size along `dim`: valid indices are `0..size`.
        size: usize,
        /// The table's element stride along `dim`.
        stride: isize,
    },
    /// Writes a block of kernel output `output`.
    Store {
        /// Index into [`FusedKernel::outputs`].
        output: u16,
        /// What to write.
        src: Operand,
    },
}

/// Reduces a full-space register into a row register.
#[derive(Clone, Debug, PartialEq)]
pub struct ReduceInstr {
    /// The reduction.
    pub op: ReduceOp,
    /// Full-space source register.
    pub src: Reg,
    /// Row-space destination register.
    pub dst: Reg,
    /// The source is squared as it is summed (`sum(x**2)` without storing `x**2` in a block
    /// register first); only for sums in row kernels.
    pub square: bool,
}

/// One pass over the rows: a full-space program, its reductions, then row-space work.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stage {
    /// Runs over full-space blocks.
    pub full: Vec<Instr>,
    /// Reductions of full registers into row registers.
    pub reduces: Vec<ReduceInstr>,
    /// Runs over row-space blocks after the reductions.
    pub row: Vec<Instr>,
    /// The reduction that absorbs the full program's last instruction (long-row kernels).
    pub sum_tail: Option<SumTail>,
}

/// A sum whose source is its stage's last full-space instruction, a binary op nothing else
/// reads: the executor computes the op inside the block sum, in the same order and precision
/// as storing it first (`sum((a-b)**2)` reads `a` and `b` once, with no block register
/// between). The program's other instructions run as usual.
#[derive(Clone, Debug, PartialEq)]
pub struct SumTail {
    /// Index of the sum in [`Stage::reduces`].
    pub reduce: usize,
    /// The absorbed op (`+`, `-` or `*`).
    pub op: BinaryOp,
    /// Its left operand.
    pub a: Operand,
    /// Its right operand.
    pub b: Operand,
}
