//! The executor's static decisions, made once per plan: each kernel's strategy, the input that
//! may donate its buffer, the instruction that stores straight into an output, whether outputs
//! are streamed around the caches, and the sums that absorb their stage's last op.

use super::FusionConfig;
use crate::op::{BinaryOp, ReduceOp};
use crate::plan::{
    DirectStore, Donor, FusedKernel, Instr, KernelShape, Operand, Plan, Reg, Stage, Strategy, SumTail, ValueKind,
    WHOLE_ROW_MAX,
};
use smallvec::SmallVec;

/// Sets every kernel's decisions (the plan is otherwise complete).
pub(super) fn decide(plan: &mut Plan, config: &FusionConfig) {
    for ki in 0..plan.kernels.len() {
        let out_bytes: usize = plan.kernels[ki]
            .outputs
            .iter()
            .map(|o| plan.values[o.value].shape.numel() * plan.values[o.value].dtype.size_of())
            .sum();
        let k = &mut plan.kernels[ki];
        k.strategy = strategy(k);
        k.stream_stores =
            matches!(k.strategy, Strategy::Map | Strategy::Tiled { .. }) && out_bytes >= config.stream_min_bytes;
        k.direct_store = match k.strategy {
            Strategy::Map | Strategy::ShortRows => k.stages.last().and_then(|st| direct_store(&st.full, &sources(st))),
            _ => None,
        };
        if k.strategy == Strategy::LongRows {
            for st in &mut k.stages {
                st.sum_tail = sum_tail(st);
            }
        }
    }
    let donors = donors(plan);
    for (k, d) in plan.kernels.iter_mut().zip(donors) {
        k.donors = d;
    }
}

/// The registers a stage's reductions read, in order.
fn sources(st: &Stage) -> SmallVec<[Reg; 4]> {
    st.reduces.iter().map(|r| r.src).collect()
}

/// How the executor walks `k`.
fn strategy(k: &FusedKernel) -> Strategy {
    let elementwise = k.stages.iter().all(|s| s.reduces.is_empty());
    match k.shape {
        KernelShape::Rows { row_len: 1, .. } if tile_shape(k).is_some() => {
            let (rows, cols) = tile_shape(k).expect("checked");
            Strategy::Tiled { rows, cols }
        }
        KernelShape::Rows { row_len: 1, .. } if elementwise => match &k.stages[..] {
            [stage] if stage.row.is_empty() => Strategy::Map,
            _ => Strategy::ShortRows,
        },
        KernelShape::Rows { row_len, .. } if row_len <= WHOLE_ROW_MAX => Strategy::ShortRows,
        KernelShape::Rows { .. } => Strategy::LongRows,
        KernelShape::Cols { .. } => Strategy::Cols,
        KernelShape::MatMul { .. } => Strategy::MatMul,
        KernelShape::Arg { .. } => Strategy::Arg,
        KernelShape::Line { .. } => Strategy::Line,
        KernelShape::Gather { .. } => Strategy::Gather,
        KernelShape::Scatter { .. } => Strategy::Scatter,
        KernelShape::Search { .. } => Strategy::Search,
        KernelShape::Concat { .. } => Strategy::Concat,
    }
}

/// The tile extents of an elementwise kernel that should walk its last two dims in square-ish
/// tiles: some input is read transposed, so flat blocks would touch a new cache line per
/// element.
fn tile_shape(k: &FusedKernel) -> Option<(usize, usize)> {
    let d = k.full_shape.dims();
    if d.len() < 2 || k.stages.len() != 1 || !k.stages[0].reduces.is_empty() {
        return None;
    }
    let (r, c) = (d[d.len() - 2], d[d.len() - 1]);
    // A gather's table is read at the index's positions, whatever its layout.
    let transposed =
        k.inputs.iter().enumerate().any(|(n, i)| i.reads_transposed() && !k.gathers().any(|(t, _)| t as usize == n));
    (transposed && r >= 32 && c >= 32).then_some((r, c))
}

/// The instruction (and its output) whose result goes straight into the output's range of a
/// flat block: the last computing instruction when only stores follow it and one of them stores
/// its register, which nothing reads after the program (`materialize`: the reductions'
/// sources). Not for tiles (their output rows are apart) or matmul epilogues (their
/// accumulator is the output's memory).
fn direct_store(prog: &[Instr], materialize: &[Reg]) -> Option<DirectStore> {
    let stores = prog.iter().rev().take_while(|i| matches!(i, Instr::Store { .. })).count();
    let at = prog.len().checked_sub(stores + 1)?;
    let r = match prog[at] {
        Instr::Binary { dst, .. }
        | Instr::Unary { dst, .. }
        | Instr::Select { dst, .. }
        | Instr::Gather { dst, .. } => dst,
        _ => return None,
    };
    if stores == 0 || materialize.contains(&r) {
        return None;
    }
    prog[at + 1..].iter().find_map(|i| match *i {
        Instr::Store { output, src: Operand::Reg(s) } if s == r => Some(DirectStore { instr: at, output }),
        _ => None,
    })
}

/// The sum of `st` that absorbs the full program's last instruction, if any: a `+ - *` of
/// which at least one operand is a register, read only by that one sum, and leaving at most 8
/// registers to read after the program (the sources, then the op's register operands).
fn sum_tail(st: &Stage) -> Option<SumTail> {
    let Some(&Instr::Binary { op, dst, a, b }) = st.full.last() else { return None };
    if !matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul)
        || matches!((a, b), (Operand::Const(_), Operand::Const(_)))
    {
        return None;
    }
    let srcs = sources(st);
    let reduce = srcs.iter().position(|&r| r == dst)?;
    if srcs.iter().filter(|&&r| r == dst).count() != 1 || st.reduces[reduce].op != ReduceOp::Sum {
        return None;
    }
    let regs = [a, b].iter().filter(|o| matches!(o, Operand::Reg(_))).count();
    (srcs.len() + regs <= 8).then_some(SumTail { reduce, op, a, b })
}

/// For each kernel, the inputs whose buffers may become its outputs when donated: the kernel
/// is elementwise, reads every input contiguously or as one value (not in tiles, which read
/// inputs in another order); an output takes an input of its dtype and size that it reads once,
/// from its start and in the same order as it writes (so each block is read before it is
/// overwritten), that it is the last reader of, and that is a graph input, not an output. With
/// several outputs, an output's store must also come after every read of its donor's block.
/// Candidates are listed in input order; at run time an output takes the first one given up.
fn donors(plan: &Plan) -> Vec<SmallVec<[Donor; 1]>> {
    let last_use = plan.last_use();
    let outputs: Vec<usize> = plan.outputs.iter().map(|&o| plan.base(o)).collect();
    let flat = |k: &FusedKernel| k.inputs.iter().all(|i| i.is_scalar() || i.is_contiguous());
    plan.kernels
        .iter()
        .enumerate()
        .map(|(ki, k)| {
            if let KernelShape::Scatter { .. } = k.shape {
                let d = scatter_donor(plan, ki, &last_use, &outputs);
                return d.map(|input| Donor { input, output: 0 }).into_iter().collect();
            }
            let simple = k.matmul.is_none()
                && matches!(k.shape, KernelShape::Rows { row_len: 1, .. })
                && k.stages.len() == 1
                && k.stages[0].reduces.is_empty()
                && flat(k);
            if !simple {
                return SmallVec::new();
            }
            let prog = &k.stages[0].full;
            let mut found: SmallVec<[Donor; 1]> = SmallVec::new();
            for (o, out) in k.outputs.iter().enumerate() {
                let out = &plan.values[out.value];
                if out.dtype != k.dtype {
                    continue;
                }
                let Some(store) =
                    prog.iter().position(|ins| matches!(ins, Instr::Store { output, .. } if *output as usize == o))
                else {
                    continue;
                };
                for (i, input) in k.inputs.iter().enumerate() {
                    let v = input.value;
                    let val = &plan.values[v];
                    // A gather's table is read at other positions than those being written, and
                    // its index as int64: neither may hold the output.
                    let gathered = k.gathers().any(|(t, x)| t as usize == i || x as usize == i);
                    let ok = !gathered
                        && !found.iter().any(|d| d.input as usize == i)
                        && matches!(val.kind, ValueKind::Input(_))
                        && val.dtype == k.dtype
                        && val.shape.numel() == out.shape.numel()
                        && input.read_shape.numel() == out.shape.numel()
                        && !input.is_scalar()
                        && input.is_contiguous()
                        && input.offset == 0
                        && k.inputs.iter().filter(|j| j.value == v).count() == 1
                        && last_use[v] == ki
                        && !outputs.contains(&v)
                        && read_before_store(prog, i as u16, store);
                    if ok {
                        found.push(Donor { input: i as u16, output: o as u16 });
                    }
                }
            }
            found
        })
        .collect()
}

/// Whether every read of input `input`'s loaded block comes before instruction `store`, the
/// store that overwrites it, and that store writes a computed register, never the input's own
/// (aliased) load. A register holds the block from its load until an instruction redefines it.
fn read_before_store(prog: &[Instr], input: u16, store: usize) -> bool {
    let mut holding: SmallVec<[Reg; 2]> = SmallVec::new();
    for (at, ins) in prog.iter().enumerate() {
        let reg = |o: &Operand| matches!(o, Operand::Reg(r) if holding.contains(r));
        let (reads, dst) = match ins {
            Instr::Load { dst, input: i } => (*i == input, Some(*dst)),
            Instr::Expand { dst, src } => (holding.contains(src), Some(*dst)),
            Instr::Unary { dst, src, .. } => (reg(src), Some(*dst)),
            Instr::Binary { dst, a, b, .. } => (reg(a) || reg(b), Some(*dst)),
            Instr::Select { dst, cond, a, b } => (reg(cond) || reg(a) || reg(b), Some(*dst)),
            Instr::Store { src, .. } => (reg(src), None),
            Instr::Acc { dst } | Instr::Arange { dst, .. } | Instr::Gather { dst, .. } => (false, Some(*dst)),
        };
        if reads && at >= store {
            return false;
        }
        if let Some(d) = dst {
            holding.retain(|r| *r != d);
            if matches!(ins, Instr::Load { input: i, .. } if *i == input) {
                holding.push(d);
            }
        }
    }
    true
}

/// Input 0 of scatter kernel `ki` when its buffer may become the output, so the kernel writes
/// in place instead of copying `x` first: a whole, contiguous buffer of the kernel's dtype
/// (a graph input or an intermediate) that nothing reads after this kernel, which is not an
/// output, and which the index and `src` do not read.
fn scatter_donor(plan: &Plan, ki: usize, last_use: &[usize], outputs: &[usize]) -> Option<u16> {
    let k = &plan.kernels[ki];
    let x = &k.inputs[0];
    let v = x.value;
    let val = &plan.values[v];
    let ok = matches!(val.kind, ValueKind::Input(_) | ValueKind::Kernel(_))
        && val.dtype == k.dtype
        && plan.values[k.outputs[0].value].dtype == k.dtype
        && val.shape.numel() == x.read_shape.numel()
        && x.is_contiguous()
        && x.offset == 0
        && k.inputs[1..].iter().all(|i| i.value != v)
        && last_use[v] == ki
        && !outputs.contains(&v);
    ok.then_some(0)
}
