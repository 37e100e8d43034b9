//! Which kernels compile, described as data: a [`MapSpec`] is everything the code generator
//! needs (and its text is the cache key).

use crate::kernel::Access;
use rusttorch_ir::op::{BinaryOp, GeluApprox, UnaryOp};
use rusttorch_ir::plan::{FusedKernel, Instr, Plan, Strategy};
use rusttorch_ir::DType;
use std::fmt::Write;

/// How a compiled loop reads an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Read {
    /// One element per position, from the input's pointer on.
    Contiguous,
    /// The same element everywhere (loaded once, splat).
    Scalar,
}

/// A purely elementwise kernel the compiler can turn into one loop.
#[derive(Clone, Debug)]
pub(crate) struct MapSpec {
    /// `F32` or `F64`.
    pub(crate) dtype: DType,
    /// The kernel's single full-space program (loads, elementwise ops, selects, stores).
    pub(crate) prog: Vec<Instr>,
    /// Per kernel input.
    pub(crate) reads: Vec<Read>,
    /// Number of outputs (each contiguous, of `dtype`).
    pub(crate) outputs: usize,
    /// Full-space registers the program uses.
    pub(crate) regs: usize,
    /// Whole vectors are written with non-temporal stores, around the caches (outputs far
    /// larger than the last-level cache: the planner's [`FusedKernel::stream_stores`]).
    pub(crate) stream: bool,
}

impl MapSpec {
    /// The structural key: equal for kernels that compile to the same code.
    pub(crate) fn key(&self) -> String {
        let mut s = format!("v1 {} {:?} {} {} {}:", self.dtype, self.reads, self.outputs, self.regs, self.stream);
        for i in &self.prog {
            let _ = write!(s, " {i:?};");
        }
        s
    }
}

/// The kernel as a [`MapSpec`], or why it stays on the block VM.
pub(crate) fn map_spec(plan: &Plan, k: &FusedKernel, access: &[Access]) -> Result<MapSpec, String> {
    if k.strategy != Strategy::Map || k.matmul.is_some() || k.stages.len() != 1 {
        return Err(format!("{} kernels are not compiled yet", strategy_name(&k.strategy)));
    }
    let stage = &k.stages[0];
    if !stage.reduces.is_empty() || !stage.row.is_empty() || stage.sum_tail.is_some() {
        return Err("kernels with reductions are not compiled yet".into());
    }
    if !matches!(k.dtype, DType::F32 | DType::F64) {
        return Err(format!("{} kernels are not compiled yet", k.dtype));
    }
    let mut reads = Vec::with_capacity(k.inputs.len());
    for (n, (i, a)) in k.inputs.iter().zip(access).enumerate() {
        let d = plan.values[i.value].dtype;
        if d != k.dtype || k.is_index_input(n) {
            return Err(format!("input {n} is {d}, converted on the VM"));
        }
        reads.push(match a {
            Access::Contiguous { .. } => Read::Contiguous,
            Access::Scalar { .. } => Read::Scalar,
            Access::Strided { .. } => return Err(format!("input {n} is read strided")),
        });
    }
    for (n, o) in k.outputs.iter().enumerate() {
        let d = plan.values[o.value].dtype;
        if d != k.dtype {
            return Err(format!("output {n} is {d}, converted on the VM"));
        }
    }
    for i in &stage.full {
        match i {
            Instr::Load { .. } | Instr::Store { .. } | Instr::Select { .. } => {}
            Instr::Unary { op, .. } if unary_compiles(*op, k.dtype) => {}
            Instr::Unary { op, .. } => return Err(format!("{} has no compiled form for {}", op.label(), k.dtype)),
            Instr::Binary { op, .. } if binary_compiles(*op) => {}
            Instr::Binary { op, .. } => return Err(format!("{} has no compiled form", op.info().name)),
            other => return Err(format!("{} is not compiled yet", instr_name(other))),
        }
    }
    Ok(MapSpec {
        dtype: k.dtype,
        prog: stage.full.clone(),
        reads,
        outputs: k.outputs.len(),
        regs: k.num_full_regs,
        stream: k.stream_stores,
    })
}

/// The unary ops with a compiled form for `dtype`: everything the VM computes with plain
/// arithmetic, and the f32 transcendentals of [`crate::vmath`] (emitted as the same
/// polynomials). The f64 transcendentals and the libm-only ops stay on the VM.
pub fn unary_compiles(op: UnaryOp, dtype: DType) -> bool {
    use UnaryOp::*;
    match op {
        Neg | Abs | Sqrt | Rsqrt | Recip | Relu | LeakyRelu(_) | Square | Copy | Floor | Ceil | Trunc | Round
        | LogicalNot => true,
        Exp | Log | Log1p | Tanh | Sigmoid | Gelu(GeluApprox::Tanh) => dtype == DType::F32,
        _ => false,
    }
}

/// The binary ops with a compiled form (comparisons write bools, which the VM converts: their
/// kernels compile when the comparison feeds arithmetic or a select).
pub fn binary_compiles(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, Add | Sub | Mul | Div | Maximum | Minimum | Copysign | Lt | Le | Gt | Ge | Eq | Ne)
}

fn instr_name(i: &Instr) -> &'static str {
    match i {
        Instr::Gather { .. } => "a gather",
        Instr::Arange { .. } => "arange",
        Instr::Expand { .. } => "a row broadcast",
        Instr::Acc { .. } => "a matmul epilogue",
        _ => "this instruction",
    }
}

fn strategy_name(s: &Strategy) -> &'static str {
    match s {
        Strategy::Map => "elementwise",
        Strategy::Tiled { .. } => "tiled",
        Strategy::ShortRows => "short-row",
        Strategy::LongRows => "long-row",
        Strategy::Cols => "column-reduction",
        Strategy::MatMul => "matmul",
        Strategy::Concat => "concat",
        Strategy::Arg => "arg-reduction",
        Strategy::Line => "line",
        Strategy::Gather => "gather",
        Strategy::Scatter => "scatter",
        Strategy::Search => "search",
    }
}
