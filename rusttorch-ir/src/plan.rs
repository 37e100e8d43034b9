//! The output of fusion planning: a [`Plan`] of [`FusedKernel`]s, each a small register program
//! that an executor runs block by block.

use crate::graph::NodeId;
use crate::op::{BinaryOp, ReduceOp, Scalar, UnaryOp};
use crate::shape::Dims;
use crate::{DType, Shape};
use smallvec::SmallVec;
use std::fmt::Write;

/// Index of a value (a materialised buffer) in [`Plan::values`].
pub type ValueId = usize;

/// Where a value's buffer comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// Graph input slot.
    Input(usize),
    /// Written by the kernel with this index.
    Kernel(usize),
    /// A view of another value's buffer: element `i` (multi-index) of this value is element
    /// `offset + Σ i_d * strides[d]` of `base` (always a non-view value).
    View {
        /// The value whose buffer is viewed.
        base: ValueId,
        /// Position of this value's first element in `base`.
        offset: usize,
        /// Element strides per dim of this value (negative for reversed slices, 0 for expanded).
        strides: SmallVec<[isize; 6]>,
    },
}

/// A materialised buffer of the plan.
#[derive(Clone, Debug)]
pub struct Value {
    /// Its shape.
    pub shape: Shape,
    /// Its dtype.
    pub dtype: DType,
    /// Where it comes from.
    pub kind: ValueKind,
}

impl Value {
    /// Size in bytes.
    pub fn bytes(&self) -> usize {
        self.shape.numel() * self.dtype.size_of()
    }
}

/// The iteration space of a kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KernelShape {
    /// `rows` rows of `row_len` contiguous elements. Full-space programs see blocks of
    /// elements, row-space programs one value per row. An elementwise kernel is `row_len == 1`.
    Rows {
        /// Number of rows.
        rows: usize,
        /// Elements per row (the reduced extent).
        row_len: usize,
    },
    /// `batch` matrix products `[m, k] @ [k, n]`; the full space is the `[batch, m, n]` output
    /// and the kernel's program is the epilogue applied to each output tile.
    MatMul {
        /// Number of (broadcast) batch entries.
        batch: usize,
        /// Rows of the product.
        m: usize,
        /// Inner dimension.
        k: usize,
        /// Columns of the product.
        n: usize,
    },
    /// Concatenation: the output is `outer` rows, each the parts' runs of `len × inner`
    /// elements one after another; `parts` holds each part's input index and length.
    Concat {
        /// Product of the dims before the joined one.
        outer: usize,
        /// Product of the dims after the joined one.
        inner: usize,
        /// `(kernel input, size along the joined dim)` per part, in order.
        parts: Vec<(u16, usize)>,
    },
    /// `argmax`/`argmin` over the middle of `m × k × n`: input 0 is scanned, output 0 gets
    /// `m × n` int64 indices (no program).
    Arg {
        /// Which extreme.
        op: crate::op::ArgOp,
        /// Outer kept extent.
        m: usize,
        /// Reduced extent.
        k: usize,
        /// Inner kept extent.
        n: usize,
    },
    /// `m × k × n` with `n > 1`, reducing `k`: row values are indexed by `(m, n)`.
    Cols {
        /// Outer kept extent.
        m: usize,
        /// Reduced extent.
        k: usize,
        /// Inner kept extent.
        n: usize,
    },
}

impl KernelShape {
    /// Elements of the full (pre-reduction) space.
    pub fn full_numel(&self) -> usize {
        match *self {
            KernelShape::Rows { rows, row_len } => rows * row_len,
            KernelShape::Cols { m, k, n } | KernelShape::Arg { m, k, n, .. } => m * k * n,
            KernelShape::MatMul { batch, m, n, .. } => batch * m * n,
            KernelShape::Concat { outer, inner, ref parts } => outer * inner * parts.iter().map(|p| p.1).sum::<usize>(),
        }
    }
    /// Values of the row (reduced) space.
    pub fn row_numel(&self) -> usize {
        match *self {
            KernelShape::Rows { rows, .. } => rows,
            KernelShape::Cols { m, n, .. } | KernelShape::Arg { m, n, .. } => m * n,
            KernelShape::MatMul { .. } | KernelShape::Concat { .. } => 0,
        }
    }
}

/// Which index space a kernel input or output lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Space {
    /// The full iteration space (elementwise work, reduction operands).
    Full,
    /// One value per reduced row (reduction results and what is computed from them).
    Row,
}

/// A buffer a kernel reads, and how it maps onto the kernel's index space.
#[derive(Clone, Debug)]
pub struct KernelInput {
    /// The value read.
    pub value: ValueId,
    /// The space it is read in.
    pub space: Space,
    /// The shape whose flat index the reads follow (the value broadcast to it).
    pub read_shape: Shape,
    /// Element offset of the first read in the buffer (non-zero for views).
    pub offset: usize,
    /// Element strides within `read_shape` (0 on broadcast dims, negative for reversed views).
    pub strides: SmallVec<[isize; 6]>,
}

impl KernelInput {
    /// Whether the value is read contiguously (same element order as the space).
    pub fn is_contiguous(&self) -> bool {
        let c = self.read_shape.strides();
        self.read_shape.numel() <= 1
            || self.strides.iter().zip(&c).zip(self.read_shape.dims()).all(|((&s, &c), &d)| d == 1 || s == c as isize)
    }
    /// Whether every read sees the same element.
    pub fn is_scalar(&self) -> bool {
        self.strides.iter().zip(self.read_shape.dims()).all(|(&s, &d)| s == 0 || d == 1)
    }
    /// Whether the value is gathered with a large innermost stride (a transposed view): neither
    /// contiguous nor one value, and the innermost dim of more than one element neither
    /// broadcast nor unit-strided, so a flat block touches a new cache line per element.
    pub fn reads_transposed(&self) -> bool {
        let inner = (self.strides.iter().zip(self.read_shape.dims()).rev()).find(|&(_, &d)| d != 1).map(|(&s, _)| s);
        !self.is_scalar() && !self.is_contiguous() && inner.is_some_and(|s| s != 0 && s != 1)
    }
}

/// A buffer a kernel writes.
#[derive(Clone, Debug)]
pub struct KernelOutput {
    /// The value written.
    pub value: ValueId,
    /// The space it is written in.
    pub space: Space,
}

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

/// How the executor walks a kernel: decided once by the planner from the kernel's shape,
/// programs and input layouts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Elementwise (one stage, no reductions or row program) over flat blocks.
    Map,
    /// Elementwise over the last two dims (`rows × cols`, both at least 32) in square tiles:
    /// some input is read transposed ([`KernelInput::reads_transposed`]).
    Tiled {
        /// Extent of the second-to-last dim.
        rows: usize,
        /// Extent of the last dim.
        cols: usize,
    },
    /// Whole rows per block, stage by stage: rows up to [`WHOLE_ROW_MAX`] elements (an
    /// elementwise kernel with a row program as rows of one element).
    ShortRows,
    /// Rows longer than [`WHOLE_ROW_MAX`], walked in chunks of blocks whose reduction partials
    /// are combined in chunk order.
    LongRows,
    /// Column reductions (`m × k × n`, `n > 1`) in tiles of `k`-rows × a block of columns.
    Cols,
    /// A matrix product with its epilogue on the output tiles.
    MatMul,
    /// A concatenation, copied part by part.
    Concat,
    /// An argmax/argmin scan.
    Arg,
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Strategy::Map => f.write_str("map"),
            Strategy::Tiled { rows, cols } => write!(f, "tiled {rows} x {cols}"),
            Strategy::ShortRows => f.write_str("short_rows"),
            Strategy::LongRows => f.write_str("long_rows"),
            Strategy::Cols => f.write_str("cols"),
            Strategy::MatMul => f.write_str("matmul"),
            Strategy::Concat => f.write_str("concat"),
            Strategy::Arg => f.write_str("arg"),
        }
    }
}

/// The last computing instruction of a flat program, which writes straight into an output's
/// range (no register round trip, no copy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectStore {
    /// Index of the instruction in the last stage's full program.
    pub instr: usize,
    /// The output it writes.
    pub output: u16,
}

/// A fused kernel: one pass over its inputs (per stage) computing all its ops block by block.
#[derive(Clone, Debug)]
pub struct FusedKernel {
    /// The iteration space.
    pub shape: KernelShape,
    /// The full (pre-reduction) shape.
    pub full_shape: Shape,
    /// The compute dtype of every register. Bools are computed as 0/1 in it; inputs and
    /// outputs of another dtype (bool masks, a cast's operand) are converted at the boundary.
    pub dtype: DType,
    /// Buffers read.
    pub inputs: Vec<KernelInput>,
    /// Buffers written.
    pub outputs: Vec<KernelOutput>,
    /// Stages in order; all but the last end in reductions whose results later stages use.
    pub stages: Vec<Stage>,
    /// Number of full-space registers.
    pub num_full_regs: usize,
    /// Number of row-space registers.
    pub num_row_regs: usize,
    /// Graph nodes computed by this kernel, in topological order.
    pub nodes: Vec<NodeId>,
    /// Names of those nodes' ops.
    pub ops: Vec<String>,
    /// The operands of a matmul kernel.
    pub matmul: Option<MatMulOperands>,
    /// Stages share full-space registers, so every block must hold whole rows (the executor
    /// runs rows up to [`WHOLE_ROW_MAX`] elements as single blocks).
    pub whole_rows: bool,
    /// How the executor walks it.
    pub strategy: Strategy,
    /// The input whose buffer may hold output 0 when the caller gives it up (buffer donation;
    /// whether it is given up is settled at run time).
    pub donor: Option<u16>,
    /// The instruction of the last stage's full program that stores straight into its output
    /// ([`Strategy::Map`] and [`Strategy::ShortRows`] only; not when an input is donated).
    pub direct_store: Option<DirectStore>,
}

/// Rows up to this many elements are always processed whole, one block per row at most.
pub const WHOLE_ROW_MAX: usize = 8192;

/// Where a matmul kernel's operands come from.
#[derive(Clone, Debug)]
pub struct MatMulOperands {
    /// Left operand `[.., m, k]`.
    pub a: ValueId,
    /// Right operand `[.., k, n]`.
    pub b: ValueId,
    /// The output's batch shape.
    pub batch_shape: Shape,
    /// Element offset strides of each batch dim of `a` (0 where broadcast).
    pub a_batch_strides: Dims,
    /// Same for `b`.
    pub b_batch_strides: Dims,
}

impl FusedKernel {
    /// Number of elementwise/reduce ops computed (not counting loads and stores).
    pub fn num_ops(&self) -> usize {
        self.ops.len()
    }

    /// The strategy and the executor's other static decisions, as `explain()` prints them. The
    /// donor is left out: which input qualifies depends on how registers were numbered, which
    /// is not yet the same from run to run (snapshots would flicker).
    pub fn describe_strategy(&self) -> String {
        let mut s = self.strategy.to_string();
        for (i, st) in self.stages.iter().enumerate() {
            if let Some(t) = &st.sum_tail {
                let stage = if self.stages.len() > 1 { format!("stage {i}: ") } else { String::new() };
                let square = if st.reduces[t.reduce].square { ", squared" } else { "" };
                let _ = write!(s, ", sum_tail({stage}{}{square})", t.op.info().name);
            }
        }
        if let Some(d) = self.direct_store {
            let _ = write!(s, ", direct_store(instr {} -> output {})", d.instr, d.output);
        }
        s
    }
}

/// An executable plan: values (buffers) and the kernels that compute them, in order.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Number of graph input slots.
    pub num_inputs: usize,
    /// Every materialised buffer.
    pub values: Vec<Value>,
    /// Kernels in execution order.
    pub kernels: Vec<FusedKernel>,
    /// The value of each graph output.
    pub outputs: Vec<ValueId>,
}

fn human_bytes(b: usize) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < 3 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

impl Plan {
    /// Bytes each kernel reads (its inputs once) and writes (its outputs once).
    pub fn kernel_traffic(&self, k: &FusedKernel) -> (usize, usize) {
        let mut seen = Vec::new();
        let mut read = 0;
        let mm = k.matmul.iter().flat_map(|m| [m.a, m.b]);
        for v in k.inputs.iter().map(|i| i.value).chain(mm) {
            if !seen.contains(&v) {
                seen.push(v);
                read += self.values[v].bytes();
            }
        }
        let written = k.outputs.iter().map(|o| self.values[o.value].bytes()).sum();
        (read, written)
    }

    /// The value whose buffer `v` uses: itself, or the base of a view.
    pub fn base(&self, v: ValueId) -> ValueId {
        match self.values[v].kind {
            ValueKind::View { base, .. } => base,
            _ => v,
        }
    }

    /// For each value (by its buffer: views count for their base), the index of the last kernel
    /// that reads or writes it (0 when none does).
    pub fn last_use(&self) -> Vec<usize> {
        let mut last = vec![0usize; self.values.len()];
        for (ki, k) in self.kernels.iter().enumerate() {
            let read = k.inputs.iter().map(|i| i.value).chain(k.matmul.iter().flat_map(|m| [m.a, m.b]));
            for v in k.outputs.iter().map(|o| o.value).chain(read.map(|v| self.base(v))) {
                last[v] = last[v].max(ki);
            }
        }
        last
    }

    /// For each kernel, the intermediates it is the last to touch (the last reader, or the
    /// writer when nothing reads them); graph outputs are never listed. The executor frees
    /// them after that kernel.
    pub fn dies_after(&self) -> Vec<Vec<ValueId>> {
        let mut last = self.last_use();
        for &o in &self.outputs {
            last[self.base(o)] = usize::MAX;
        }
        let mut dies = vec![Vec::new(); self.kernels.len()];
        for (v, val) in self.values.iter().enumerate() {
            if matches!(val.kind, ValueKind::Kernel(_)) && last[v] != usize::MAX {
                dies[last[v]].push(v);
            }
        }
        dies
    }

    /// Peak bytes of intermediate and output buffers alive at once (inputs excluded), under
    /// the executor's rule that an intermediate is freed after its last reader.
    pub fn peak_bytes(&self) -> usize {
        let (mut live, mut peak) = (0usize, 0usize);
        for (k, dying) in self.kernels.iter().zip(self.dies_after()) {
            live += k.outputs.iter().map(|o| self.values[o.value].bytes()).sum::<usize>();
            peak = peak.max(live);
            live -= dying.iter().map(|&v| self.values[v].bytes()).sum::<usize>();
        }
        peak
    }

    /// Human-readable description of the plan: each kernel, its ops, inputs, outputs and the
    /// bytes it moves, then the totals. Deterministic (used in snapshot tests).
    pub fn explain(&self) -> String {
        let mut s = String::new();
        let (mut tr, mut tw) = (0, 0);
        let vname = |v: ValueId| -> String {
            let val = &self.values[v];
            let origin = match val.kind {
                ValueKind::Input(i) => format!("in{i}"),
                ValueKind::Kernel(k) => format!("k{k}"),
                ValueKind::View { base, .. } => format!("view of v{base}"),
            };
            format!("v{v}({origin}) {} {}", val.dtype, val.shape)
        };
        for (ki, k) in self.kernels.iter().enumerate() {
            let (r, w) = self.kernel_traffic(k);
            tr += r;
            tw += w;
            let space = match k.shape {
                KernelShape::Rows { rows, row_len: 1 } if k.stages.iter().all(|s| s.reduces.is_empty()) => {
                    format!("elementwise over {rows}")
                }
                KernelShape::Rows { rows, row_len } => format!("rows {rows} x {row_len}"),
                KernelShape::Cols { m, k, n } => format!("cols {m} x {k} x {n} (reduce middle)"),
                KernelShape::Concat { ref parts, .. } => format!("concat of {} parts", parts.len()),
                KernelShape::Arg { op, m, k, n } => {
                    format!(
                        "{} over {m} x {k} x {n} (reduce middle)",
                        if op == crate::op::ArgOp::Max { "argmax" } else { "argmin" }
                    )
                }
                KernelShape::MatMul { batch, m, k, n } => {
                    format!("matmul {batch} x [{m} x {k}] @ [{k} x {n}] with fused epilogue")
                }
            };
            let _ = writeln!(
                s,
                "kernel {ki}: {space}, {} stage{}, {} op{}: {}",
                k.stages.len(),
                if k.stages.len() == 1 { "" } else { "s" },
                k.num_ops(),
                if k.num_ops() == 1 { "" } else { "s" },
                k.ops.join(" ")
            );
            let mut seen = Vec::new();
            let mm = k.matmul.iter().flat_map(|m| [m.a, m.b]);
            for v in mm.chain(k.inputs.iter().map(|i| i.value)) {
                if !seen.contains(&v) {
                    seen.push(v);
                    let _ = writeln!(s, "  read  {}", vname(v));
                }
            }
            for o in &k.outputs {
                let _ = writeln!(s, "  write {}", vname(o.value));
            }
            let _ = writeln!(s, "  strategy {}", k.describe_strategy());
            let _ = writeln!(s, "  bytes read {}, written {}", human_bytes(r), human_bytes(w));
        }
        let outs: Vec<String> = self.outputs.iter().map(|&o| format!("v{o}")).collect();
        let _ = writeln!(
            s,
            "total: {} kernel{}, read {}, written {}, peak intermediate+output memory {}; outputs {}",
            self.kernels.len(),
            if self.kernels.len() == 1 { "" } else { "s" },
            human_bytes(tr),
            human_bytes(tw),
            human_bytes(self.peak_bytes()),
            outs.join(", ")
        );
        s
    }
}
