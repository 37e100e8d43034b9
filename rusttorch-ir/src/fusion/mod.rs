//! Fusion planning: turns an optimized graph into a [`Plan`] of fused kernels.
//!
//! The rules, in order:
//! 1. Materialised: graph outputs, `arange`s, reshape operands (a reshape is a free view of a
//!    materialised buffer), and - without fusion (eager mode) - every op.
//! 2. A kernel is a materialised root plus every non-materialised node it reaches upwards.
//!    Its iteration space is the root's shape, or, when it contains reductions, the reduction's
//!    input shape seen as `m × k × n`. Nodes that fit neither the full space nor the reduced
//!    (row) space, and reductions over a different space, are materialised instead.
//! 3. Row values (reduction results) may flow back into full-space work of the same kernel
//!    (softmax, layernorm) only for `n == 1` and `k <= row_limit`: each row is then processed
//!    by several stages while it stays in cache, and the input is read from memory once.
//! 4. A node used by several kernels is recomputed in each when it is cheap (its fused
//!    subexpression costs at most `recompute_budget` simple flops, reads at most two buffers
//!    and holds no reduction) and materialised otherwise.
//! 5. Kernels over the same space that share work or inputs are merged into one multi-output
//!    kernel, unless one depends on the other.
//!
//! The steps, one file each: `dtypes` (the compute dtype of each node), `partition` (rules
//! 1-4: boundaries, kernels, cuts), `merge` (rule 5), `order` (execution order), `emit`
//! (register programs, with `layout` for views and `regalloc` for registers), `strategy` (how
//! the executor walks each kernel, and its other static decisions), and `dot`
//! (Graphviz rendering, on demand). The planner expects views made legal by
//! [`LegalizeViews`](crate::passes::LegalizeViews), the last of the default passes.

mod dot;
mod dtypes;
mod emit;
mod layout;
mod merge;
mod order;
mod partition;
mod regalloc;
mod strategy;
#[cfg(test)]
mod tests;

pub use dot::graph_to_dot;

use crate::graph::{Graph, NodeId};
use crate::hash::{HashMap, HashSet};
use crate::op::{Op, Scalar, SourceOp};
use crate::plan::Plan;
use crate::{DType, Result, Shape};
use smallvec::SmallVec;

/// Most stored values one kernel reads: a block walks one pointer per input, and the plan
/// numbers them in 16 bits. A kernel that would read more (a chain adding a new stored operand
/// at every step) is cut into kernels that each read at most this many.
pub const MAX_KERNEL_INPUTS: usize = 1024;

/// Most values one kernel writes (merged kernels, numbered in 16 bits like the inputs).
pub const MAX_KERNEL_OUTPUTS: usize = 1024;

/// Knobs of the fusion planner.
#[derive(Clone, Debug)]
pub struct FusionConfig {
    /// Fuse at all; `false` gives the eager plan (one kernel per op).
    pub fuse: bool,
    /// Longest row (elements) for which row values flow back into the same kernel.
    pub row_limit: usize,
    /// Largest cost (simple flops per element) of a subexpression recomputed per consumer.
    pub recompute_budget: u32,
    /// Elementwise kernels (flat or tiled) whose outputs take at least this many bytes write
    /// them with non-temporal stores, around the caches. The engine sets it to the size of the
    /// CPU's last-level cache: an output that large would be evicted before anything reads it.
    pub stream_min_bytes: usize,
}

impl Default for FusionConfig {
    fn default() -> Self {
        FusionConfig { fuse: true, row_limit: 32 * 1024, recompute_budget: 16, stream_min_bytes: 32 << 20 }
    }
}

/// Turns an optimized [`Graph`] into a [`Plan`].
#[derive(Clone, Debug, Default)]
pub struct FusionPlanner {
    /// The knobs.
    pub config: FusionConfig,
}

/// The iteration space of a kernel being formed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct SpaceKey {
    full: Shape,
    /// Reduced axes (empty for elementwise kernels).
    axes: SmallVec<[usize; 4]>,
}

/// A kernel under construction.
#[derive(Clone, Debug)]
struct Spec {
    roots: Vec<NodeId>,
    /// The matrix product whose output tiles this kernel's program post-processes.
    matmul: Option<NodeId>,
    /// A kernel that never merges with another (a concatenation).
    solo: bool,
    /// Non-materialised nodes computed here (roots included).
    nodes: HashSet<NodeId>,
    space: SpaceKey,
    /// Materialised nodes read.
    leaves: HashSet<NodeId>,
    /// The compute dtype of every node computed here.
    dtype: DType,
}

impl FusionPlanner {
    /// A planner with the given knobs.
    pub fn new(config: FusionConfig) -> FusionPlanner {
        FusionPlanner { config }
    }

    /// Plans `g`, already optimized and with legal views (as [`PassManager::default`] leaves
    /// it).
    ///
    /// [`PassManager::default`]: crate::passes::PassManager
    pub fn plan(&self, g: &Graph) -> Result<Plan> {
        debug_assert!(crate::passes::legalize_views::is_legal(g), "fusion: the graph's views are not legalized");
        let topo = g.topo_order();
        let bound = topo.iter().map(|n| n.index() + 1).max().unwrap_or(0);
        let mut pos = vec![usize::MAX; bound];
        for (i, &n) in topo.iter().enumerate() {
            pos[n.index()] = i;
        }
        let ct = dtypes::compute_dtypes(g, &topo, bound);
        let mat = self.mark_boundaries(g, &topo, &ct);
        let specs = self.partition(g, &topo, &pos, mat, &ct)?;
        // Eager plans stay one kernel per op (the baseline), so nothing is merged.
        let specs = if self.config.fuse { merge::pair_order_lines(g, merge::merge(g, specs)) } else { specs };
        let recomputed = recomputed(g, &specs);
        let mut plan = emit::emit(g, specs, &topo, &pos, &self.config)?;
        plan.recomputed = recomputed;
        Ok(plan)
    }
}

/// How many computing nodes more than one kernel computes (recomputed instead of stored).
fn recomputed(g: &Graph, specs: &[Spec]) -> usize {
    let mut kernels_computing: HashMap<NodeId, u32> = HashMap::default();
    for s in specs {
        for &n in &s.nodes {
            if g.node(n).op.cost() > 0 {
                *kernels_computing.entry(n).or_default() += 1;
            }
        }
    }
    kernels_computing.values().filter(|&&c| c > 1).count()
}

/// Whether `n` has more than one distinct user.
fn has_several_users(g: &Graph, n: NodeId) -> bool {
    let users = g.users(n);
    users.windows(2).any(|w| w[0] != w[1])
}

fn is_source(g: &Graph, n: NodeId) -> bool {
    matches!(g.node(n).op, Op::Source(_))
}

fn full_value(g: &Graph, n: NodeId) -> Option<Scalar> {
    match g.node(n).op {
        Op::Source(SourceOp::Full(v)) => Some(v),
        _ => None,
    }
}

/// The node whose buffer a (chain of) views reads.
fn view_base(g: &Graph, mut n: NodeId) -> NodeId {
    while g.node(n).op.is_movement() {
        n = g.inputs(n)[0];
    }
    n
}

/// Splits `shape` around a contiguous run of `axes` into `(m, k, n)`.
fn mkn(shape: &Shape, axes: &[usize]) -> (usize, usize, usize) {
    let d = shape.dims();
    let (a0, a1) = (axes[0], *axes.last().unwrap());
    (d[..a0].iter().product(), d[a0..=a1].iter().product(), d[a1 + 1..].iter().product())
}
