//! The output of fusion planning: a [`Plan`] of [`FusedKernel`]s, each a small register program
//! that an executor runs block by block. The register program (`program.rs`) and the printing
//! (`explain.rs`) have files of their own.

mod explain;
mod program;

pub use program::{Instr, Operand, ReduceInstr, Reg, Stage, SumTail};

use crate::graph::NodeId;
use crate::shape::Dims;
use crate::{DType, Shape};
use smallvec::SmallVec;

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
    /// A line op over the middle of `m × k × n`: input 0's `m × n` lines of `k` elements
    /// become output 0's lines of `op.out_len(k)` elements (no program).
    Line {
        /// What each line becomes.
        op: crate::op::LineOp,
        /// Outer extent.
        m: usize,
        /// Line length.
        k: usize,
        /// Inner extent (the distance between a line's elements).
        n: usize,
    },
    /// `out = x.gather(dim, index)` (no program): input 0 is `x`, input 1 the index (each
    /// read by its own shape and strides), output 0 has the index's `len` elements.
    Gather {
        /// The dim the index selects along.
        dim: usize,
        /// Number of output elements.
        len: usize,
    },
    /// `out = x.scatter(dim, index, src)` (no program): inputs 0, 1, 2 are `x`, the index and
    /// `src` (each read by its own shape and strides); the output has `x`'s shape, and `len`
    /// is the number of index positions (the kernel's space).
    Scatter {
        /// The dim the index selects along.
        dim: usize,
        /// How a written value combines with the one there (`None`: replaces it).
        reduce: Option<crate::op::ReduceOp>,
        /// Number of index positions.
        len: usize,
    },
    /// `out = searchsorted(sorted, values)` (no program): input 0 is the sorted sequence,
    /// input 1 the values (each read by its own shape and strides), output 0 the `len` int64
    /// positions, one per value.
    Search {
        /// Counts the elements equal to the value too (`side='right'`).
        right: bool,
        /// Number of output elements.
        len: usize,
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
            KernelShape::Cols { m, k, n } | KernelShape::Arg { m, k, n, .. } | KernelShape::Line { m, k, n, .. } => {
                m * k * n
            }
            KernelShape::MatMul { batch, m, n, .. } => batch * m * n,
            KernelShape::Gather { len, .. } | KernelShape::Scatter { len, .. } | KernelShape::Search { len, .. } => len,
            KernelShape::Concat { outer, inner, ref parts } => outer * inner * parts.iter().map(|p| p.1).sum::<usize>(),
        }
    }
    /// Values of the row (reduced) space.
    pub fn row_numel(&self) -> usize {
        match *self {
            KernelShape::Rows { rows, .. } => rows,
            KernelShape::Cols { m, n, .. } | KernelShape::Arg { m, n, .. } => m * n,
            KernelShape::MatMul { .. }
            | KernelShape::Concat { .. }
            | KernelShape::Line { .. }
            | KernelShape::Gather { .. }
            | KernelShape::Scatter { .. }
            | KernelShape::Search { .. } => 0,
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
    /// A line op (scan, sort), line by line.
    Line,
    /// A gather: reads at positions an index tensor holds.
    Gather,
    /// A scatter: writes at positions an index tensor holds, in the index's order.
    Scatter,
    /// A binary search of each value in its line of a sorted sequence.
    Search,
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

/// An input whose buffer may hold an output, when the caller gives it up (buffer donation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Donor {
    /// Index into [`FusedKernel::inputs`].
    pub input: u16,
    /// Index into [`FusedKernel::outputs`].
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
    /// The inputs holding int indices, read as int64 whatever the kernel computes in: the
    /// index of a gather kernel of its own (input 1), or of each [`Instr::Gather`].
    pub index_inputs: SmallVec<[u16; 2]>,
    /// The inputs whose buffers may hold outputs when the caller gives them up (buffer
    /// donation; whether each is given up is settled at run time, where an output takes the
    /// first of its candidates that was).
    pub donors: SmallVec<[Donor; 1]>,
    /// The instruction of the last stage's full program that stores straight into its output
    /// ([`Strategy::Map`] and [`Strategy::ShortRows`] only; not when an input is donated).
    pub direct_store: Option<DirectStore>,
    /// Writes its outputs with non-temporal stores, around the caches ([`Strategy::Map`] and
    /// [`Strategy::Tiled`] kernels whose outputs outgrow the last-level cache); never into a
    /// donated input, which is read through the output.
    pub stream_stores: bool,
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

    /// The `(table, index)` inputs of each gather the kernel's programs read through
    /// ([`Instr::Gather`]), in program order.
    pub fn gathers(&self) -> impl Iterator<Item = (u16, u16)> + '_ {
        self.stages.iter().flat_map(|s| &s.full).filter_map(|i| match *i {
            Instr::Gather { input, index, .. } => Some((input, index)),
            _ => None,
        })
    }

    /// Whether input `n` holds int indices (see [`FusedKernel::index_inputs`]).
    pub fn is_index_input(&self, n: usize) -> bool {
        self.index_inputs.contains(&(n as u16))
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
    /// How many computed values were recomputed inside each kernel using them rather than
    /// stored once and read back (the recompute rule: cheap elementwise subexpressions of at
    /// most two stored inputs, e.g. forward values a backward kernel needs).
    pub recomputed: usize,
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
}
