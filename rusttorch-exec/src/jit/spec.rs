//! Which kernels compile, described as data: a [`KernelSpec`] is everything the code generator
//! needs (and its text is the cache key).

use crate::kernel::Access;
use rusttorch_ir::op::{BinaryOp, GeluApprox, Scalar, UnaryOp};
use rusttorch_ir::plan::{FusedKernel, Instr, KernelShape, Operand, Plan, Space, Stage, Strategy, WHOLE_ROW_MAX};
use rusttorch_ir::DType;
use std::fmt::Write;

/// How a compiled loop reads an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Read {
    /// One element per position, from the input's pointer on.
    Contiguous,
    /// The same element everywhere (loaded once, splat).
    Scalar,
    /// Row kernels: element `j` of every row (a `[row_len]` vector broadcast over the rows,
    /// as layer norm's weight).
    Repeat,
    /// Row kernels: element `r` all along row `r` (a `[rows]` vector broadcast along the rows,
    /// as a keepdim reduction's result).
    RowValue,
}

/// Elementwise kernels broadcasting along rows, and column reductions, over rows shorter than
/// this stay on the VM (compiled per row, a short row would be mostly its one-element tail).
pub(crate) const COMPILED_ROW_MIN: usize = 16;

/// A short-row kernel (softmax, layer norm, row reductions): per row, each stage's full-space
/// program over the row with its reductions, then its row program.
#[derive(Clone, Debug)]
// Without the compiler, specs only say why a kernel stays on the VM, and key the cache.
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub(crate) struct RowsSpec {
    /// Elements per row.
    pub(crate) row_len: usize,
    /// The stages, as planned.
    pub(crate) stages: Vec<Stage>,
    /// Row registers.
    pub(crate) row_regs: usize,
    /// Per input: read in the row space (one value per row).
    pub(crate) in_row: Vec<bool>,
    /// Per output: written in the row space.
    pub(crate) out_row: Vec<bool>,
    /// What one call of the code computes.
    pub(crate) layout: Layout,
}

/// The work of a row kernel's code, and who finishes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub(crate) enum Layout {
    /// Whole rows: every stage, reductions and row programs included.
    Short,
    /// Long rows (one stage): the reductions' partials over chunks of `chunk` elements of a
    /// row; the VM combines them and runs the row program ([`crate::kernel::finish_long_rows`]).
    Long { chunk: usize },
    /// A column reduction `[m, k, n]` reducing `k` (one stage): column partials over tiles of
    /// `tile` columns and chunks of `kc` rows of `k`; the VM combines them and runs the row
    /// program ([`crate::kernel::finish_cols`]).
    Cols { m: usize, k: usize, n: usize, tile: usize, kc: usize },
}

/// Columns per tile of a compiled column reduction at most (a tile's float64 partials, 32 KiB
/// per reduction, stay in L1/L2 while the rows stream past them).
pub(crate) const COL_TILE: usize = 4096;

/// Elements per chunk (rows of `k` times the tile's columns) of a compiled column reduction at
/// least: chunks fix the order of a column's partial sums, so they depend on the shape alone.
pub(crate) const COL_CHUNK_ELEMS: usize = 1 << 18;

/// Elements per chunk of a compiled long row: a multiple of every vector width, fixed (not
/// derived from the machine) because the chunks fix the order of a row's partial sums. At 64
/// KiB of float32 per input a chunk stays in L2 while its partials cost nothing.
pub(crate) const LONG_ROW_CHUNK: usize = 1 << 14;

/// A kernel the compiler can turn into one loop (nest): elementwise, or short rows ([`RowsSpec`]).
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub(crate) struct KernelSpec {
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
    /// Row kernels: their shape (`prog` is empty).
    pub(crate) rows: Option<RowsSpec>,
    /// Whole vectors are written with non-temporal stores, around the caches (outputs far
    /// larger than the last-level cache: the planner's [`FusedKernel::stream_stores`]).
    pub(crate) stream: bool,
    /// Constant slots: the code reads operand `Const(slot)` from a table passed at run time.
    pub(crate) consts: usize,
}

impl KernelSpec {
    /// Whether the transcendentals of its per-element programs are called rather than inlined:
    /// with two or more, compile time dominates (each inline copy is ~60 vector instructions to
    /// select and allocate), while with one the call's cost shows in a loop that does little
    /// else (measured in `jit/outline.rs`). Per-row code always calls them.
    #[cfg(feature = "jit")]
    pub(crate) fn outlines(&self) -> bool {
        let rows = self.rows.iter().flat_map(|r| r.stages.iter()).flat_map(|s| &s.full);
        let heavy = |i: &&Instr| {
            use UnaryOp::*;
            matches!(i, Instr::Unary { op: Exp | Log | Log1p | Tanh | Sigmoid | Gelu(_), .. })
        };
        self.prog.iter().chain(rows).filter(heavy).count() >= 2
    }

    /// The structural key: equal for kernels that compile to the same code.
    pub(crate) fn key(&self) -> String {
        let mut s = format!("v1 {} {:?} {} {} {}:", self.dtype, self.reads, self.outputs, self.regs, self.stream);
        if let Some(r) = &self.rows {
            let _ = write!(s, " {r:?}");
        }
        for i in &self.prog {
            let _ = write!(s, " {i:?};");
        }
        s
    }
}

/// The kernel as a [`KernelSpec`] and the values of its constants, or why it stays on the
/// block VM. The spec's constant operands name their slot in the values (see [`lift_consts`]).
pub(crate) fn kernel_spec(plan: &Plan, k: &FusedKernel, access: &[Access]) -> Result<(KernelSpec, Vec<f64>), String> {
    let mut spec = structure(plan, k, access)?;
    let mut consts = Vec::new();
    let rows = spec.rows.iter_mut().flat_map(|r| r.stages.iter_mut()).flat_map(|s| s.full.iter_mut().chain(&mut s.row));
    lift_consts(spec.prog.iter_mut().chain(rows), &mut consts);
    spec.consts = consts.len();
    Ok((spec, consts))
}

/// Moves the constant operands of `instrs` into `consts`, in order, each operand left naming
/// its slot there: compiled code reads its constants from a table at run time, so kernels that
/// differ only in their constants (a learning rate that changes every step, a graph rebuilt
/// with new scalars) share one compilation.
fn lift_consts<'a>(instrs: impl Iterator<Item = &'a mut Instr>, consts: &mut Vec<f64>) {
    for i in instrs {
        let ops: smallvec::SmallVec<[&mut Operand; 3]> = match i {
            Instr::Unary { src, .. } | Instr::Store { src, .. } => smallvec::smallvec![src],
            Instr::Binary { a, b, .. } => smallvec::smallvec![a, b],
            Instr::Select { cond, a, b, .. } => smallvec::smallvec![cond, a, b],
            _ => smallvec::SmallVec::new(),
        };
        for o in ops {
            if let Operand::Const(c) = *o {
                *o = Operand::Const(Scalar::new(consts.len() as f64));
                consts.push(c.get());
            }
        }
    }
}

/// The kernel's structure as a [`KernelSpec`] (constants in place), or why it stays on the VM.
fn structure(plan: &Plan, k: &FusedKernel, access: &[Access]) -> Result<KernelSpec, String> {
    match k.strategy {
        Strategy::ShortRows => return rows_spec(plan, k, access, Layout::Short),
        Strategy::LongRows => return rows_spec(plan, k, access, Layout::Long { chunk: LONG_ROW_CHUNK }),
        Strategy::Cols => return cols_spec(plan, k, access),
        _ => {}
    }
    if k.strategy != Strategy::Map || k.matmul.is_some() || k.stages.len() != 1 {
        return Err(format!("{} kernels are not compiled yet", strategy_name(&k.strategy)));
    }
    let stage = &k.stages[0];
    if !stage.reduces.is_empty() || !stage.row.is_empty() || stage.sum_tail.is_some() {
        return Err("kernels with reductions are not compiled yet".into());
    }
    if access.iter().any(|a| matches!(a, Access::Strided { .. })) {
        return broadcast_rows_spec(plan, k, access);
    }
    let reads = reads(plan, k, access, None)?;
    for i in &stage.full {
        check_instr(i, k.dtype, false)?;
    }
    Ok(KernelSpec {
        dtype: k.dtype,
        prog: stage.full.clone(),
        reads,
        outputs: k.outputs.len(),
        regs: k.num_full_regs,
        rows: None,
        stream: k.stream_stores,
        consts: 0,
    })
}

/// An elementwise kernel over `[rows, d]` reading inputs broadcast along its rows (`[rows, 1]`
/// or `[d]`: a keepdim reduction's result, a bias) as a row kernel of one stage without
/// reductions, whose rows splat the one ([`Read::RowValue`]) and read the other in place
/// ([`Read::Repeat`]); or why it stays on the VM.
fn broadcast_rows_spec(plan: &Plan, k: &FusedKernel, access: &[Access]) -> Result<KernelSpec, String> {
    let mut row_len = None;
    for (n, a) in access.iter().enumerate() {
        let Access::Strided { dims, strides, .. } = a else { continue };
        let fits = match (dims.as_slice(), strides.as_slice()) {
            (&[r, d], [1, 0] | [0, 1]) => r * d == k.shape.full_numel() && row_len.is_none_or(|l| l == d),
            _ => false,
        };
        if !fits {
            return Err(format!("input {n} is read strided"));
        }
        row_len = dims.last().copied();
    }
    let row_len = row_len.ok_or("no input is broadcast along rows")?;
    if row_len < COMPILED_ROW_MIN {
        return Err(format!("rows of {row_len} elements are too short to compile"));
    }
    let reads = reads(plan, k, access, Some(row_len))?;
    let full = k.stages[0].full.clone();
    for i in &full {
        check_instr(i, k.dtype, false)?;
    }
    let stages = vec![Stage { full, ..Stage::default() }];
    let rows = RowsSpec {
        row_len,
        stages,
        row_regs: 0,
        in_row: vec![false; k.inputs.len()],
        out_row: vec![false; k.outputs.len()],
        layout: Layout::Short,
    };
    Ok(row_kernel(k, reads, rows))
}

/// A column reduction as a spec ([`Layout::Cols`]), or why it stays on the VM.
fn cols_spec(plan: &Plan, k: &FusedKernel, access: &[Access]) -> Result<KernelSpec, String> {
    let KernelShape::Cols { m, k: kk, n } = k.shape else {
        return Err("column kernels of other shapes are not compiled".into());
    };
    if k.matmul.is_some() || k.stages.len() != 1 {
        return Err("column reductions of several stages are not compiled yet".into());
    }
    if n < COMPILED_ROW_MIN || m * kk == 0 {
        return Err(format!("column reductions over rows of {n} elements are not compiled"));
    }
    if streams_from_memory(k) {
        return Err(STREAMS.into());
    }
    let reads = reads(plan, k, access, None)?;
    let st = &k.stages[0];
    for i in &st.full {
        check_instr(i, k.dtype, false)?;
        if let Instr::Load { input, .. } = i {
            if k.inputs[*input as usize].space == Space::Row {
                return Err("a column reduction reading row values in its full program".into());
            }
        }
    }
    let tile = n.min(COL_TILE);
    let kc = COL_CHUNK_ELEMS.div_ceil(tile).max(1);
    let rows = RowsSpec {
        row_len: n,
        stages: k.stages.clone(),
        row_regs: k.num_row_regs,
        in_row: k.inputs.iter().map(|i| i.space == Space::Row).collect(),
        out_row: k.outputs.iter().map(|o| o.space == Space::Row).collect(),
        layout: Layout::Cols { m, k: kk, n, tile, kc },
    };
    Ok(row_kernel(k, reads, rows))
}

/// The spec of row kernel `k` reading its inputs as `reads`, with rows `rows`.
fn row_kernel(k: &FusedKernel, reads: Vec<Read>, rows: RowsSpec) -> KernelSpec {
    KernelSpec {
        dtype: k.dtype,
        prog: Vec::new(),
        reads,
        outputs: k.outputs.len(),
        regs: k.num_full_regs,
        rows: Some(rows),
        stream: false,
        consts: 0,
    }
}

/// Why reductions over inputs larger than the last-level cache stay on the VM.
const STREAMS: &str = "reductions reading more than the last-level cache run faster on the VM";

/// Whether the kernel's full-space inputs together exceed the last-level cache: read from
/// memory, a reduction is bound by bandwidth, which the VM's reductions reach (W5, W6 at 93-118 %
/// of the copy), while compiled column partials added in float64 memory row after row took
/// twice the VM's time on a 4096² column sum (6.6-8.1 against 13.9-14.5 ms, 2 threads, AVX2;
/// at 1024², in cache, compiled code was 1.2-1.4x faster).
fn streams_from_memory(k: &FusedKernel) -> bool {
    static LLC: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let llc = *LLC.get_or_init(|| crate::engine::last_level_cache_bytes().unwrap_or(8 << 20));
    let full = k.inputs.iter().filter(|i| i.space == Space::Full).count();
    k.shape.full_numel().saturating_mul(k.dtype.size_of()).saturating_mul(full) > llc
}

/// A row kernel as a spec (see [`RowsSpec`]): short rows, or long rows in chunks; or why it
/// stays on the VM.
fn rows_spec(plan: &Plan, k: &FusedKernel, access: &[Access], layout: Layout) -> Result<KernelSpec, String> {
    let long = layout != Layout::Short;
    let KernelShape::Rows { row_len, .. } = k.shape else {
        return Err("row kernels of other shapes are not compiled".into());
    };
    if k.matmul.is_some() || row_len == 0 || (!long && row_len > WHOLE_ROW_MAX) {
        return Err("this short-row kernel is not compiled".into());
    }
    if long && k.stages.len() != 1 {
        return Err("long-row kernels of several stages are not compiled yet".into());
    }
    if long && streams_from_memory(k) {
        return Err(STREAMS.into());
    }
    let spills_in_rows =
        |i: &Instr| matches!(i, Instr::Unary { op: UnaryOp::Tanh | UnaryOp::Sigmoid | UnaryOp::Gelu(_), .. });
    if long && k.stages.iter().flat_map(|s| &s.full).any(spills_in_rows) {
        // Measured at 1M float32 (AVX2, 2 threads): `tanh(x).sum()` 0.86-0.90 ms compiled
        // against 0.73-0.78 on the VM (the accumulators and tanh's constants spill at once).
        return Err("long rows of tanh, sigmoid or gelu run faster on the VM".into());
    }
    let reads = reads(plan, k, access, Some(row_len))?;
    for s in &k.stages {
        // A long row's row program runs on the VM (its sum tail is the VM's way to run the
        // last op, which the compiled full program computes as written).
        let row: &[Instr] = if long { &[] } else { &s.row };
        if !long && s.sum_tail.is_some() {
            return Err("sums absorbing their operand are not compiled".into());
        }
        for i in s.full.iter().chain(row) {
            check_instr(i, k.dtype, !long)?;
        }
    }
    let rows = RowsSpec {
        row_len,
        stages: k.stages.clone(),
        row_regs: k.num_row_regs,
        in_row: k.inputs.iter().map(|i| i.space == Space::Row).collect(),
        out_row: k.outputs.iter().map(|o| o.space == Space::Row).collect(),
        layout,
    };
    Ok(row_kernel(k, reads, rows))
}

/// How the code reads each input of `k` (a float kernel whose buffers are all of its type), or
/// why it cannot; `row_len`: a row kernel's, whose inputs may repeat over the rows.
fn reads(plan: &Plan, k: &FusedKernel, access: &[Access], row_len: Option<usize>) -> Result<Vec<Read>, String> {
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
            Access::Strided { dims, strides, .. }
                if row_len.is_some()
                    && i.space == Space::Full
                    && dims.last() == row_len.as_ref()
                    && strides.last() == Some(&1)
                    && strides[..strides.len() - 1].iter().all(|&s| s == 0) =>
            {
                Read::Repeat
            }
            Access::Strided { dims, strides, .. }
                if i.space == Space::Full && dims.last() == row_len.as_ref() && strides.as_slice() == [1, 0] =>
            {
                Read::RowValue
            }
            Access::Strided { .. } => return Err(format!("input {n} is read strided")),
        });
    }
    for (n, o) in k.outputs.iter().enumerate() {
        let d = plan.values[o.value].dtype;
        if d != k.dtype {
            return Err(format!("output {n} is {d}, converted on the VM"));
        }
    }
    Ok(reads)
}

/// Whether instruction `i` compiles (`rows`: in a row kernel, where `Expand` is allowed).
fn check_instr(i: &Instr, dtype: DType, rows: bool) -> Result<(), String> {
    match i {
        Instr::Load { .. } | Instr::Store { .. } | Instr::Select { .. } => Ok(()),
        Instr::Expand { .. } if rows => Ok(()),
        Instr::Unary { op, .. } if unary_compiles(*op, dtype) => Ok(()),
        Instr::Unary { op, .. } => Err(format!("{} has no compiled form for {}", op.label(), dtype)),
        Instr::Binary { op, .. } if binary_compiles(*op) => Ok(()),
        Instr::Binary { op, .. } => Err(format!("{} has no compiled form", op.info().name)),
        other => Err(format!("{} is not compiled yet", instr_name(other))),
    }
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
