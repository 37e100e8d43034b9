//! Ops, grouped by kind ([`Op::Unary`], [`Op::Binary`], [`Op::Reduce`], ...); passes match on
//! the kind, never on individual ops. The elementwise ops and their facts are rows of one table
//! ([`table`]): adding one is a row there.

pub mod line;
pub mod order;
mod reference;
mod scalar;
mod special;
pub mod table;

pub use line::{LineOp, ScanOp};
pub use order::OrderOp;
pub use reference::{erf_f64, gelu_erf_f64, gelu_tanh_f64, py_divmod, sigmoid_f64, GELU_TANH_C};
pub use scalar::Scalar;
pub use special::{erfc_f64, erfinv_f64, nextafter_f32, nextafter_f64};
pub use table::{BinaryOp, BinaryRule, BoolForm, UnaryOp, UnaryRule};

use crate::DType;
use smallvec::SmallVec;

/// Facts about one op, kept in one place.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    /// Name as printed in plans and errors.
    pub name: &'static str,
    /// Rough cost per element in "simple flops" (add = 1); drives the recompute rule.
    pub cost: u32,
}

/// The approximation used by `gelu`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum GeluApprox {
    /// `0.5 x (1 + erf(x / sqrt 2))`, the exact form.
    Erf,
    /// `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
    Tanh,
}

/// Reductions. `mean` is lowered to `sum * (1/n)` when it is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ReduceOp {
    /// Sum (identity 0).
    Sum,
    /// Maximum (no identity: reducing an empty dim is an error); NaN propagates.
    Max,
    /// Minimum (no identity); NaN propagates.
    Min,
    /// Product (identity 1); integer products wrap (they are computed in int64).
    Prod,
}

impl ReduceOp {
    /// Name as printed.
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Max => "max",
            ReduceOp::Min => "min",
            ReduceOp::Prod => "prod",
        }
    }
    /// Whether reducing an empty dim gives the identity (sum, prod) rather than an error.
    pub fn has_identity(self) -> bool {
        matches!(self, ReduceOp::Sum | ReduceOp::Prod)
    }
    /// The identity used to start an accumulation.
    pub fn identity(self) -> f64 {
        match self {
            ReduceOp::Sum => 0.0,
            ReduceOp::Max => f64::NEG_INFINITY,
            ReduceOp::Min => f64::INFINITY,
            ReduceOp::Prod => 1.0,
        }
    }
    /// Combines two partial results (NaN-propagating for max/min).
    pub fn combine_f64(self, a: f64, b: f64) -> f64 {
        match self {
            ReduceOp::Sum => a + b,
            ReduceOp::Max => BinaryOp::Maximum.apply_f64(a, b),
            ReduceOp::Min => BinaryOp::Minimum.apply_f64(a, b),
            ReduceOp::Prod => a * b,
        }
    }
}

/// Index-of-extreme reductions (`argmax`, `argmin`): the first index of the largest (smallest)
/// value along one dim, as int64; a NaN counts as the extreme (its first index wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ArgOp {
    /// First index of the maximum.
    Max,
    /// First index of the minimum.
    Min,
}

/// Leaves of the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SourceOp {
    /// An external buffer (or a placeholder bound at run time); the index is its input slot.
    Input(usize),
    /// Every element equal to one value (a scalar constant is the 0-d case).
    Full(Scalar),
    /// `start + step * i` along a 1-d shape.
    Arange {
        /// First value.
        start: Scalar,
        /// Increment.
        step: Scalar,
    },
}

/// Operations on a node's inputs, grouped by kind.
///
/// Serialized graphs ([`crate::serial`]) store an op by its variant's position (and those of
/// the enums inside it): add new variants at the end, or bump
/// [`crate::serial::FORMAT_VERSION`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Op {
    /// A leaf.
    Source(SourceOp),
    /// Elementwise, one operand.
    Unary(UnaryOp),
    /// Elementwise, two operands broadcast to a common shape.
    Binary(BinaryOp),
    /// Elementwise `cond ? a : b` over operands `(cond, a, b)` broadcast to a common shape.
    Where,
    /// `argmax`/`argmin` along `dim` (int64 result).
    ArgReduce {
        /// Which extreme.
        op: ArgOp,
        /// The reduced dim.
        dim: usize,
        /// Whether it stays as size 1.
        keepdim: bool,
    },
    /// Reduction over a contiguous run of dims `axes` (sorted); `keepdim` keeps them as size 1.
    Reduce {
        /// What to reduce with.
        op: ReduceOp,
        /// Reduced dims: a non-empty, sorted run of consecutive dims.
        axes: SmallVec<[usize; 4]>,
        /// Whether reduced dims stay as size-1 dims.
        keepdim: bool,
    },
    /// Same elements in the same order under another shape.
    Reshape,
    /// Elementwise conversion to another dtype (`as` semantics: float to int saturates, NaN
    /// becomes 0).
    Cast(DType),
    /// Batched matrix product `[.., m, k] @ [.., k, n] -> [.., m, n]` (batch dims broadcast).
    MatMul,
    /// An op over each line of its operand along `dim` (scans, sorts): see [`line`].
    Line {
        /// What each line becomes.
        op: LineOp,
        /// The dim lines run along.
        dim: usize,
    },
    /// `out[.., i, ..] = x[.., index[.., i, ..], ..]` along `dim` (`torch.gather`): operands
    /// `x` and an int32/int64 `index` of the same rank, the output has `index`'s shape.
    Gather {
        /// The dim `index` selects along.
        dim: usize,
    },
    /// `out = x`, then for every position `p` of `index`: `out[p with coordinate dim replaced by
    /// index[p]] ∘= src[p]` (`torch.scatter` / `scatter_reduce`). Operands `x`, an int32/int64
    /// `index` of `x`'s rank (no dim other than `dim` larger than `x`'s) and `src` of `index`'s
    /// shape; the output has `x`'s shape and dtype. `reduce` combines a written value with
    /// what is there (`None`: it replaces it). Writes to one position apply in row-major order
    /// of `index`, so with `None` the last one wins, for any thread count.
    Scatter {
        /// The dim `index` selects along.
        dim: usize,
        /// How a written value combines with the value at its position.
        reduce: Option<ReduceOp>,
    },
    /// `torch.searchsorted` (int64 result of `values`' shape): for each element of `values`
    /// (operand 1), how many elements of its line of `sorted` (operand 0, of the same dtype,
    /// searched along its last dim; a 1-d `sorted` is every element's line, otherwise its
    /// leading dims are `values`' leading dims) are below it (`right`: at most it), in the
    /// total order of sorts (NaN largest, `-0.0 == 0.0`).
    Search {
        /// Counts the elements equal to the value too (`side='right'`).
        right: bool,
    },
    /// Concatenation of `parts` operands along `dim` (their other dims are equal).
    Concat {
        /// The joined dim.
        dim: usize,
        /// Number of operands.
        parts: usize,
    },
    /// View with dims reordered: output dim `i` is input dim `perm[i]`.
    Permute(SmallVec<[usize; 6]>),
    /// View broadcasting size-1 (or missing leading) dims to the node's shape.
    Expand,
    /// View of every `step`-th element of `dim` from `start` (a negative step walks backwards).
    Slice {
        /// The sliced dim.
        dim: usize,
        /// First index taken.
        start: usize,
        /// Step between taken indices (non-zero).
        step: isize,
    },
}

impl Op {
    /// Name as printed in plans.
    pub fn name(&self) -> String {
        match self {
            Op::Source(SourceOp::Input(i)) => format!("input{i}"),
            Op::Source(SourceOp::Full(v)) => format!("full({v})"),
            Op::Source(SourceOp::Arange { start, step }) => format!("arange({start}, step={step})"),
            Op::Unary(u) => u.label(),
            Op::Binary(b) => b.info().name.to_string(),
            Op::Where => "where".to_string(),
            Op::ArgReduce { op, dim, keepdim } => {
                let n = if *op == ArgOp::Max { "argmax" } else { "argmin" };
                format!("{n}[{dim}]{}", if *keepdim { " keepdim" } else { "" })
            }
            Op::Reduce { op, axes, keepdim } => {
                let ax: Vec<String> = axes.iter().map(|a| a.to_string()).collect();
                format!("{}[{}]{}", op.name(), ax.join(","), if *keepdim { " keepdim" } else { "" })
            }
            Op::Line { op, dim } => format!("{}[{dim}]", op.name()),
            Op::Gather { dim } => format!("gather[{dim}]"),
            Op::Scatter { dim, reduce } => match reduce {
                Some(r) => format!("scatter_{}[{dim}]", r.name()),
                None => format!("scatter[{dim}]"),
            },
            Op::Search { right } => format!("searchsorted[{}]", if *right { "right" } else { "left" }),
            Op::Reshape => "reshape".to_string(),
            Op::Cast(d) => format!("cast({d})"),
            Op::MatMul => "matmul".to_string(),
            Op::Permute(p) => format!("permute{:?}", p.as_slice()),
            Op::Expand => "expand".to_string(),
            Op::Concat { dim, parts } => format!("cat(dim={dim}, {parts} parts)"),
            Op::Slice { dim, start, step } => format!("slice(dim={dim}, start={start}, step={step})"),
        }
    }

    /// Rough cost per element; sources and reshapes are free.
    pub fn cost(&self) -> u32 {
        match self {
            Op::Unary(u) => u.info().cost,
            Op::Binary(b) => b.info().cost,
            Op::Reduce { .. } | Op::Cast(_) | Op::Where | Op::ArgReduce { .. } => 1,
            Op::MatMul => 1000,
            Op::Line { op, .. } => op.cost(),
            Op::Concat { .. } | Op::Gather { .. } | Op::Scatter { .. } => 1,
            // A binary search: about log2 of the line's length comparisons.
            Op::Search { .. } => 8,
            Op::Source(_) | Op::Reshape | Op::Permute(_) | Op::Expand | Op::Slice { .. } => 0,
        }
    }

    /// Whether the op is computed per element (unary, binary or `where`).
    pub fn is_elementwise(&self) -> bool {
        matches!(self, Op::Unary(_) | Op::Binary(_) | Op::Where)
    }

    /// Whether the op only reinterprets its operand's elements (a view: no computation).
    pub fn is_movement(&self) -> bool {
        matches!(self, Op::Reshape | Op::Permute(_) | Op::Expand | Op::Slice { .. })
    }

    /// Number of operands.
    pub fn arity(&self) -> usize {
        match self {
            Op::Source(_) => 0,
            Op::Unary(_) | Op::Reduce { .. } | Op::Reshape | Op::Cast(_) | Op::ArgReduce { .. } | Op::Line { .. } => 1,
            Op::Permute(_) | Op::Expand | Op::Slice { .. } => 1,
            Op::Binary(_) | Op::MatMul | Op::Gather { .. } | Op::Search { .. } => 2,
            Op::Where | Op::Scatter { .. } => 3,
            Op::Concat { parts, .. } => *parts,
        }
    }
}
