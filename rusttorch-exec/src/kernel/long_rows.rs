//! Row kernels whose rows are longer than a block: chunked row reductions and sum tails.

use super::access::Access;
use super::block::{result, Block};
use super::io::KernelIo;
use super::isa::{isa_dispatch, wants_wide};
use super::reduce::{reduce_block, reduce_sources};
use super::scratch::Scratch;
use super::stores::OutPtr;
use super::tasks::{for_tasks, Ctx, PARALLEL_MIN_ELEMS};
use super::vm::{exec, exec_generic};
use crate::num::{block_sum_binary, combine, identity, Num, Src};
use rusttorch_ir::op::{BinaryOp, Scalar};
use rusttorch_ir::plan::{FusedKernel, Instr, Operand, ReduceInstr, Reg, Stage, SumTail as PlannedTail};
use smallvec::SmallVec;

/// Elements per reduction chunk = this many blocks; partials are combined chunk by chunk.
const CHUNK_BLOCKS: usize = 16;

/// Partial results of every reduction of one stage over elements `[k0, k1)` of row `r`
/// (`srcs`: the reductions' sources; `tail`: the stage's sum tail, from [`SumTail::of`]).
#[allow(clippy::too_many_arguments)]
fn row_chunk<T: Num>(
    k: &FusedKernel,
    io: &KernelIo<'_, T>,
    s: &mut Scratch<T>,
    stage: usize,
    b: usize,
    r: usize,
    row_len: usize,
    (k0, k1): (usize, usize),
    partial: &mut [T::Acc],
    srcs: &[Reg],
    tail: &Option<(SumTail, SmallVec<[Reg; 8]>)>,
) {
    let st = &k.stages[stage];
    for (p, red) in partial.iter_mut().zip(&st.reduces) {
        *p = identity(red.op);
    }
    if k0 >= k1 {
        return;
    }
    match tail {
        Some((tail, materialize)) => {
            let mut fb = Block::full(&mut s.full, &s.rows, b, r * row_len + k0, b, materialize);
            chunk_blocks(
                &st.full[..st.full.len() - 1],
                &st.reduces,
                Some(tail),
                &mut fb,
                io,
                r * row_len + k1,
                partial,
            );
        }
        None => {
            let mut fb = Block::full(&mut s.full, &s.rows, b, r * row_len + k0, b, srcs);
            chunk_blocks(&st.full, &st.reduces, None, &mut fb, io, r * row_len + k1, partial);
        }
    }
}

/// An operand read in place: `(input, offset)` of a contiguous input, or a constant.
type InPlace = Result<(usize, usize), Scalar>;

/// The plan's sum tail of a stage as the block loop reads it: the op runs inside the sum
/// (`sum((a-b)**2)` reads `a` and `b` once, with no block register in between: W5). The rest
/// of the program runs as usual and leaves the op's operands where `Block::result` finds them.
struct SumTail {
    /// The reduction it feeds.
    red: usize,
    op: BinaryOp,
    /// Each operand: its position among the block's results, or a constant.
    a: Result<usize, Scalar>,
    b: Result<usize, Scalar>,
    /// The operands' registers (for constants, none).
    a_reg: Option<Reg>,
    b_reg: Option<Reg>,
}

impl SumTail {
    /// The plan's tail of `st` if it has one (`Stage::sum_tail`), with the registers the
    /// program's prefix must leave readable (the reductions' sources `srcs`, then the op's
    /// register operands; the planner keeps them at most 8).
    fn of(st: &Stage, srcs: &[Reg]) -> Option<(SumTail, SmallVec<[Reg; 8]>)> {
        let &PlannedTail { reduce, op, a, b } = st.sum_tail.as_ref()?;
        let mut materialize: SmallVec<[Reg; 8]> = srcs.into();
        let mut operand = |o: Operand| match o {
            Operand::Reg(r) => {
                materialize.push(r);
                Ok(materialize.len() - 1)
            }
            Operand::Const(c) => Err(c),
        };
        let reg = |o: Operand| match o {
            Operand::Reg(r) => Some(r),
            Operand::Const(_) => None,
        };
        let (a_reg, b_reg) = (reg(a), reg(b));
        let (a, b) = (operand(a), operand(b));
        Some((SumTail { red: reduce, op, a, b, a_reg, b_reg }, materialize))
    }

    /// When the program before the tail only loads its operands from contiguous inputs: per
    /// operand, `(input, offset)` or a constant (no program needs to run per block).
    fn inputs_in_place<T: Num>(&self, prefix: &[Instr], io: &KernelIo<'_, T>) -> Option<(InPlace, InPlace)> {
        if !io.donors.is_empty() {
            return None;
        }
        let mut loads: SmallVec<[(Reg, usize, usize); 2]> = SmallVec::new();
        for ins in prefix {
            match *ins {
                Instr::Load { dst, input } => match io.access[input as usize] {
                    Access::Contiguous { offset } => loads.push((dst, input as usize, offset)),
                    _ => return None,
                },
                _ => return None,
            }
        }
        let find = |o: Result<usize, Scalar>, reg: Option<Reg>| match (o, reg) {
            (Err(c), _) => Some(Err(c)),
            (Ok(_), Some(r)) => loads.iter().find(|l| l.0 == r).map(|&(_, i, off)| Ok((i, off))),
            (Ok(_), None) => None,
        };
        Some((find(self.a, self.a_reg)?, find(self.b, self.b_reg)?))
    }

    /// The tail's partial sum over the block `b` just computed.
    #[inline(always)]
    fn sum<T: Num>(&self, red: &ReduceInstr, b: &Block<'_, T>) -> T::Acc {
        let len = b.len;
        let src = |o: Result<usize, Scalar>| match o {
            // SAFETY: result `i` was left by the exec of this block just before; nothing was
            // written since, and it holds `len` values.
            Ok(i) => Src::Slice(unsafe { result(b.results[i], len) }),
            Err(c) => Src::Scalar(c.to()),
        };
        block_sum_binary(self.op, red.square, src(self.a), src(self.b), len).expect("ops checked by the planner")
    }
}

isa_dispatch! {
    /// The block loop of [`row_chunk`], compiled for the vector ISA as one function (programs
    /// and reductions inlined): `b` starts at the first block and has the block length.
    fn chunk_blocks<T: Num>(prog: &[Instr], reduces: &[ReduceInstr], tail: Option<&SumTail>, b: &mut Block<'_, T>, io: &KernelIo<'_, T>, end: usize, partial: &mut [T::Acc]) -> () = chunk_blocks_generic;
    wide_if wants_wide(prog);
}

#[inline(always)]
fn chunk_blocks_generic<T: Num>(
    prog: &[Instr],
    reduces: &[ReduceInstr],
    tail: Option<&SumTail>,
    b: &mut Block<'_, T>,
    io: &KernelIo<'_, T>,
    end: usize,
    partial: &mut [T::Acc],
) {
    let block = b.len;
    if let (Some(t), [red], [p]) = (tail, reduces, &mut *partial) {
        // The whole program is the tail over contiguous inputs: read them in place.
        if let Some((sa, sb)) = t.inputs_in_place(prog, io) {
            while b.start < end {
                let len = block.min(end - b.start);
                let at = |s: InPlace| match s {
                    Ok((i, offset)) => Src::Slice(&io.inputs[i][offset + b.start..offset + b.start + len]),
                    Err(c) => Src::Scalar(c.to()),
                };
                let v = block_sum_binary(t.op, red.square, at(sa), at(sb), len).expect("ops checked by the planner");
                *p = combine(red.op, *p, v);
                b.start += len;
            }
            return;
        }
    }
    while b.start < end {
        let len = block.min(end - b.start);
        b.len = len;
        exec_generic(prog, b, io);
        for (i, (p, red)) in partial.iter_mut().zip(reduces).enumerate() {
            let v = match tail {
                Some(t) if t.red == i => t.sum(red, b),
                // SAFETY: the source's values come from the exec just above; nothing was written since.
                _ => reduce_block(red, unsafe { result(b.result(i, red.src), len) }),
            };
            *p = combine(red.op, *p, v);
        }
        b.start += len;
    }
}

/// Rows longer than a block: a row is processed in chunks of blocks; reductions keep one
/// partial per chunk, combined in chunk order.
pub(super) fn run_long_rows<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, rows: usize, row_len: usize) {
    let b = ctx.block;
    let chunk = b * CHUNK_BLOCKS;
    let nchunks = row_len.div_ceil(chunk);
    let nred: Vec<usize> = k.stages.iter().map(|s| s.reduces.len()).collect();
    let srcs = reduce_sources(k);
    let tails: SmallVec<[_; 2]> = k.stages.iter().zip(&srcs).map(|(st, s)| SumTail::of(st, s)).collect();
    if k.stages.len() == 1 && rows < 2 * ctx.threads && nchunks > 1 {
        // Few long rows: split rows into chunks across tasks, then finish each row.
        let nr = nred[0];
        let mut partials = vec![T::Acc::ZERO; rows * nchunks * nr];
        let pp = OutPtr::new(&mut partials);
        for_tasks(ctx, rows * nchunks, rows * row_len >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, t| {
            let (r, c) = (t / nchunks, t % nchunks);
            let mut part: SmallVec<[T::Acc; 4]> = smallvec::smallvec![T::Acc::ZERO; nr];
            let range = (c * chunk, ((c + 1) * chunk).min(row_len));
            row_chunk(k, io, s, 0, b, r, row_len, range, &mut part, &srcs[0], &tails[0]);
            pp.write(t * nr, &part);
        });
        finish_long_rows(k, io, ctx, rows, nchunks, &partials);
        return;
    }
    for_tasks(ctx, rows, rows * row_len >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, r| {
        for (si, &nr) in nred.iter().enumerate() {
            let mut partials = vec![T::Acc::ZERO; nchunks * nr];
            for c in 0..nchunks {
                let range = (c * chunk, ((c + 1) * chunk).min(row_len));
                row_chunk(
                    k,
                    io,
                    s,
                    si,
                    b,
                    r,
                    row_len,
                    range,
                    &mut partials[c * nr..(c + 1) * nr],
                    &srcs[si],
                    &tails[si],
                );
            }
            finish_row(k, io, s, b, si, r, nchunks, &partials);
        }
    });
}

/// Row `r` of stage `stage` from its chunk partials (`partials[c * reduces + i]` for chunk `c`
/// and reduction `i`): each reduction's partials combined in chunk order, then the stage's row
/// program (`b`: the scratch's block length).
#[allow(clippy::too_many_arguments)]
fn finish_row<T: Num>(
    k: &FusedKernel,
    io: &KernelIo<'_, T>,
    s: &mut Scratch<T>,
    b: usize,
    stage: usize,
    r: usize,
    nchunks: usize,
    partials: &[T::Acc],
) {
    let st = &k.stages[stage];
    for (i, red) in st.reduces.iter().enumerate() {
        let mut v = identity(red.op);
        for c in 0..nchunks {
            v = combine(red.op, v, partials[c * st.reduces.len() + i]);
        }
        s.rows[red.dst as usize * b] = T::from_acc(v);
    }
    exec(&st.row, &mut Block::row(&mut s.rows, b, r, 1), io);
}

/// Finishes a one-stage long-row kernel whose chunk partials were computed elsewhere (by
/// compiled code): `partials` holds, row after row, each row's `nchunks` chunks' partials as
/// [`finish_row`] reads them; each row's reductions are combined in chunk order and its row
/// program runs, in parallel over rows.
pub(crate) fn finish_long_rows<T: Num>(
    k: &FusedKernel,
    io: &KernelIo<'_, T>,
    ctx: Ctx<'_>,
    rows: usize,
    nchunks: usize,
    partials: &[T::Acc],
) {
    let per_row = nchunks * k.stages[0].reduces.len();
    let parallel = partials.len() * 64 >= PARALLEL_MIN_ELEMS;
    for_tasks(ctx, rows, parallel, k, |s: &mut Scratch<T>, r| {
        finish_row(k, io, s, ctx.block, 0, r, nchunks, &partials[r * per_row..(r + 1) * per_row]);
    });
}
