//! Fusion planning: marks the nodes that must be materialised, groups everything else into
//! kernels, and emits each kernel as a block register program.
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

use crate::graph::{Graph, NodeId};
use crate::op::{BinaryOp, Op, ReduceOp, Scalar, SourceOp, UnaryOp};
use crate::plan::{
    FusedKernel, Instr, KernelInput, KernelOutput, KernelShape, MatMulOperands, Operand, Plan, ReduceInstr, Reg, Space,
    Stage, Value, ValueId, ValueKind, WHOLE_ROW_MAX,
};
use crate::view::{apply_view, contiguous, is_contiguous, Layout};
use crate::{DType, Error, Result, Shape};
use hashbrown::{HashMap, HashSet};
use smallvec::SmallVec;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Knobs of the fusion planner.
#[derive(Clone, Debug)]
pub struct FusionConfig {
    /// Fuse at all; `false` gives the eager plan (one kernel per op).
    pub fuse: bool,
    /// Longest row (elements) for which row values flow back into the same kernel.
    pub row_limit: usize,
    /// Largest cost (simple flops per element) of a subexpression recomputed per consumer.
    pub recompute_budget: u32,
}

impl Default for FusionConfig {
    fn default() -> Self {
        FusionConfig { fuse: true, row_limit: 32 * 1024, recompute_budget: 16 }
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

/// The dtype each node is computed in, indexed by node index: its own dtype, except that
/// bools are computed as 0/1 in the type of the first operand that is itself computed (a
/// comparison in its operands' type, a logical op in its operands'); bools computed from
/// stored bools alone use int32. A kernel computes in one dtype, so an operand computed in
/// another is stored and converted when read.
fn compute_dtypes(g: &Graph, topo: &[NodeId], bound: usize) -> Vec<DType> {
    let mut own: Vec<Option<DType>> = vec![None; bound];
    for &n in topo {
        let node = g.node(n);
        own[n.index()] = if let Op::ArgReduce { .. } = node.op {
            // Indices of extremes are found in the operand's own type.
            Some(g.node(g.inputs(n)[0]).dtype)
        } else if node.dtype != DType::Bool {
            Some(node.dtype)
        } else if matches!(node.op, Op::Source(_) | Op::Cast(_)) || node.op.is_movement() {
            None
        } else {
            let ins = g.inputs(n);
            let data = if matches!(node.op, Op::Where) { &ins[1..] } else { &ins[..] };
            data.iter().find_map(|i| own[i.index()])
        };
    }
    own.into_iter().map(|d| d.unwrap_or(DType::I32)).collect()
}

/// Most stored values one kernel reads: a block walks one pointer per input, and the plan
/// numbers them in 16 bits. A kernel that would read more (a chain adding a new stored operand
/// at every step) is cut into kernels that each read at most this many.
pub const MAX_KERNEL_INPUTS: usize = 1024;

/// Most values one kernel writes (merged kernels, numbered in 16 bits like the inputs).
pub const MAX_KERNEL_OUTPUTS: usize = 1024;

/// Nodes a kernel cannot hold, to be materialised before it is formed again.
type Violators = SmallVec<[NodeId; 4]>;

/// Nodes to store so that the kernel of `root` (whose nodes `order` lists, consumers before
/// their operands) and the kernels cut off from it each read at most [`MAX_KERNEL_INPUTS`]:
/// one pass from the operands up, counting the stored values each node's subexpression reads
/// (shared reads counted once per path, so at worst a cut too many), storing a node once its
/// count reaches a quarter of the bound, after which its consumers count it as one read. Ops
/// take at most three operands, so every kernel left reads fewer than three quarters.
fn cuts(g: &Graph, root: NodeId, order: &[NodeId], mat: &[bool]) -> Violators {
    let mut reads: HashMap<NodeId, usize> = HashMap::with_capacity(order.len());
    let mut out = Violators::new();
    let mut stack = vec![(root, false)];
    while let Some((x, expanded)) = stack.pop() {
        if reads.contains_key(&x) {
            continue;
        }
        let ins = g.inputs(x);
        if !expanded {
            stack.push((x, true));
            for &i in &ins {
                if !mat[i.index()] && !is_source(g, i) && !reads.contains_key(&i) {
                    stack.push((i, false));
                }
            }
            continue;
        }
        let mut n = 0usize;
        for &i in &ins {
            n = n.saturating_add(if mat[i.index()] {
                1
            } else if is_source(g, i) {
                0
            } else {
                reads[&i]
            });
        }
        if n >= MAX_KERNEL_INPUTS / 4 && x != root {
            out.push(x);
            n = 1;
        }
        reads.insert(x, n);
    }
    out.sort_unstable();
    out
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

/// Splits `shape` around a contiguous run of `axes` into `(m, k, n)`.
fn mkn(shape: &Shape, axes: &[usize]) -> (usize, usize, usize) {
    let d = shape.dims();
    let (a0, a1) = (axes[0], *axes.last().unwrap());
    (d[..a0].iter().product(), d[a0..=a1].iter().product(), d[a1 + 1..].iter().product())
}

/// Shape of the full space with the reduced axes set to 1.
fn keep_shape(full: &Shape, axes: &[usize]) -> Shape {
    let mut d = full.0.clone();
    for &a in axes {
        d[a] = 1;
    }
    Shape(d)
}

/// Shape of the full space without the reduced axes.
fn squeezed_shape(full: &Shape, axes: &[usize]) -> Shape {
    Shape(full.dims().iter().enumerate().filter(|(i, _)| !axes.contains(i)).map(|(_, &d)| d).collect())
}

impl FusionPlanner {
    /// A planner with the given knobs.
    pub fn new(config: FusionConfig) -> FusionPlanner {
        FusionPlanner { config }
    }

    /// Plans `g` (already optimized).
    pub fn plan(&self, g: &Graph) -> Result<Plan> {
        match legalize_views(g) {
            Some(g2) => self.plan_legal(&g2),
            None => self.plan_legal(g),
        }
    }

    fn plan_legal(&self, g: &Graph) -> Result<Plan> {
        let topo = g.topo_order();
        let bound = topo.iter().map(|n| n.index() + 1).max().unwrap_or(0);
        let mut pos = vec![usize::MAX; bound];
        for (i, &n) in topo.iter().enumerate() {
            pos[n.index()] = i;
        }
        let ct = compute_dtypes(g, &topo, bound);
        let mut mat = vec![false; bound];
        for &o in g.outputs() {
            mat[o.index()] = true;
        }
        for &n in &topo {
            match g.node(n).op {
                Op::Source(SourceOp::Arange { .. }) => mat[n.index()] = true,
                Op::Source(SourceOp::Input(_)) => mat[n.index()] = true,
                ref op if op.is_movement() => {
                    // A view is free when it reads a stored buffer through new strides.
                    mat[n.index()] = true;
                    let x = g.inputs(n)[0];
                    if full_value(g, x).is_none() {
                        mat[x.index()] = true;
                    }
                }
                Op::Cast(_) => {
                    // A cast is its own kernel reading its materialised operand in another dtype.
                    mat[n.index()] = true;
                    mat[g.inputs(n)[0].index()] = true;
                }
                Op::Concat { .. } => {
                    // A concatenation copies stored operands into place.
                    mat[n.index()] = true;
                    for i in g.inputs(n) {
                        mat[i.index()] = true;
                    }
                }
                Op::MatMul => {
                    // The GEMM reads stored operands; the product itself stays in the kernel,
                    // where the elementwise work consuming it runs on each tile as an epilogue.
                    for i in g.inputs(n) {
                        mat[i.index()] = true;
                    }
                    if !self.config.fuse {
                        mat[n.index()] = true;
                    }
                }
                Op::ArgReduce { .. } => {
                    // An index scan over a stored operand, its own kernel.
                    mat[n.index()] = true;
                    mat[g.inputs(n)[0].index()] = true;
                }
                Op::Source(SourceOp::Full(_)) => {}
                _ if !self.config.fuse => mat[n.index()] = true,
                _ => {}
            }
            // An operand computed in another dtype is stored and converted when read.
            if g.node(n).op.is_elementwise() || matches!(g.node(n).op, Op::Reduce { .. }) {
                for i in g.inputs(n) {
                    if !is_source(g, i) && ct[i.index()] != ct[n.index()] {
                        mat[i.index()] = true;
                    }
                }
            }
        }
        // Forming kernels is near-linear on the graphs programs build, but a long chain whose
        // steps each read a reduction or a stored value of the step before makes every kernel
        // reach down the whole chain. Past a work bound proportional to the graph, plan again
        // with every shared node stored: kernels are then disjoint trees, formed in linear time,
        // and such a chain stores those nodes in the end anyway.
        let limit = 32 * topo.len() as u64 + 100_000;
        let start = mat.clone();
        let specs = match self.form_all(g, &topo, &pos, &mut mat, &ct, Some(limit))? {
            Some(specs) => specs,
            None => {
                mat = start;
                for &n in &topo {
                    if !is_source(g, n) && has_several_users(g, n) {
                        mat[n.index()] = true;
                    }
                }
                self.form_all(g, &topo, &pos, &mut mat, &ct, None)?.expect("no work limit")
            }
        };
        // Eager plans stay one kernel per op (the baseline), so nothing is merged.
        let specs = if self.config.fuse { merge(g, specs) } else { specs };
        self.emit(g, specs, &pos)
    }

    /// Materialises until every kernel is well formed and shared nodes obey the recompute
    /// rule, and returns the kernels in the order of their roots: the first kernel (by root)
    /// that cannot be formed names a node to materialise; once all are formed, the latest
    /// shared node whose fused subexpression is too dear to recompute is stored (its then
    /// unshared operands fold into its kernel), one at a time, since storing it changes what
    /// the nodes above it cost.
    ///
    /// Incremental, with the result of re-forming every kernel after each mark: a kernel
    /// depends only on which of its own nodes are materialised, so a mark re-forms just the
    /// kernels holding the node, and the dear-node search looks again only at the nodes of
    /// kernels formed since it last looked.
    ///
    /// Gives `None` once the nodes visited exceed `limit`.
    fn form_all(
        &self,
        g: &Graph,
        topo: &[NodeId],
        pos: &[usize],
        mat: &mut [bool],
        ct: &[DType],
        limit: Option<u64>,
    ) -> Result<Option<Vec<Spec>>> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let bound = mat.len();
        let value_only =
            |n: NodeId| g.node(n).op.is_movement() || matches!(g.node(n).op, Op::Source(SourceOp::Input(_)));
        let mut formed: Vec<Option<Spec>> = vec![None; bound];
        // The roots whose kernel held each node when formed (stale entries are skipped).
        let mut holders: Vec<SmallVec<[NodeId; 1]>> = vec![SmallVec::new(); bound];
        let mut owners = vec![0u32; bound];
        // Roots to (re)form, by topological position, and shared nodes to look at again.
        let mut pending: BinaryHeap<Reverse<usize>> =
            topo.iter().filter(|&&n| mat[n.index()] && !value_only(n)).map(|n| Reverse(pos[n.index()])).collect();
        let mut shared: BinaryHeap<usize> = BinaryHeap::new();
        let mark = |v: NodeId,
                    mat: &mut [bool],
                    formed: &mut [Option<Spec>],
                    holders: &mut [SmallVec<[NodeId; 1]>],
                    owners: &mut [u32],
                    pending: &mut BinaryHeap<Reverse<usize>>| {
            mat[v.index()] = true;
            if !value_only(v) {
                pending.push(Reverse(pos[v.index()]));
            }
            for q in std::mem::take(&mut holders[v.index()]) {
                if formed[q.index()].as_ref().is_some_and(|s| s.nodes.contains(&v)) {
                    let old = formed[q.index()].take().expect("checked");
                    for x in old.nodes {
                        owners[x.index()] -= 1;
                    }
                    pending.push(Reverse(pos[q.index()]));
                }
            }
        };
        let mut visited = 0u64;
        loop {
            while let Some(Reverse(p)) = pending.pop() {
                let r = topo[p];
                if formed[r.index()].is_some() {
                    continue;
                }
                if limit.is_some_and(|l| visited > l) {
                    return Ok(None);
                }
                match self.form(g, r, mat, ct, &mut visited) {
                    Ok(s) => {
                        for &x in &s.nodes {
                            holders[x.index()].push(r);
                            owners[x.index()] += 1;
                            if owners[x.index()] > 1 {
                                shared.push(pos[x.index()]);
                            }
                        }
                        formed[r.index()] = Some(s);
                    }
                    Err(vs) => {
                        if vs.is_empty() {
                            return Err(Error::Internal(format!(
                                "fusion: kernel of node {} cannot be formed",
                                r.index()
                            )));
                        }
                        for v in vs {
                            if mat[v.index()] {
                                return Err(Error::Internal(format!("fusion: node {} cannot be placed", v.index())));
                            }
                            mark(v, mat, &mut formed, &mut holders, &mut owners, &mut pending);
                        }
                        pending.push(Reverse(p));
                    }
                }
            }
            // Nodes not in `shared` were found cheap (or unshared) since their kernels last
            // changed, so the first dear one popped is the latest of all.
            let mut dear = None;
            while let Some(p) = shared.pop() {
                let n = topo[p];
                if owners[n.index()] > 1 && !mat[n.index()] && !self.cheap(g, n, mat, &mut visited) {
                    dear = Some(n);
                    break;
                }
            }
            match dear {
                None => break,
                Some(n) => mark(n, mat, &mut formed, &mut holders, &mut owners, &mut pending),
            }
        }
        Ok(Some(topo.iter().filter_map(|n| formed[n.index()].take()).collect()))
    }

    /// Whether `n`'s fused subexpression may be recomputed by each of its consumers.
    fn cheap(&self, g: &Graph, n: NodeId, mat: &[bool], visited: &mut u64) -> bool {
        let mut cost = 0u32;
        let mut leaves = HashSet::new();
        let mut seen = HashSet::new();
        let mut stack = vec![n];
        while let Some(x) = stack.pop() {
            if !seen.insert(x) {
                continue;
            }
            *visited += 1;
            let node = g.node(x);
            if matches!(node.op, Op::Reduce { .. } | Op::MatMul) {
                return false;
            }
            cost += node.op.cost();
            if cost > self.config.recompute_budget {
                return false;
            }
            for i in g.inputs(x) {
                if mat[i.index()] {
                    leaves.insert(i);
                } else if !is_source(g, i) {
                    stack.push(i);
                }
            }
        }
        leaves.len() <= 2
    }

    /// Forms the kernel rooted at `root`, or names nodes that must be materialised first (all
    /// that one rule finds at once: storing one never makes another fit, so marking them one
    /// at a time would only re-form the kernel once per node). Counts the nodes it walks.
    fn form(
        &self,
        g: &Graph,
        root: NodeId,
        mat: &[bool],
        ct: &[DType],
        visited: &mut u64,
    ) -> std::result::Result<Spec, Violators> {
        let dtype = ct[root.index()];
        let mut nodes = HashSet::new();
        let mut leaves = HashSet::new();
        let mut order = Vec::new();
        let mut stack = vec![root];
        while let Some(x) = stack.pop() {
            if !nodes.insert(x) {
                continue;
            }
            order.push(x);
            for i in g.inputs(x) {
                if mat[i.index()] {
                    leaves.insert(i);
                } else if !is_source(g, i) {
                    stack.push(i);
                }
            }
        }
        *visited += order.len() as u64;
        if leaves.len() > MAX_KERNEL_INPUTS {
            return Err(cuts(g, root, &order, mat));
        }
        if let Some(mm) = order.iter().copied().find(|&x| matches!(g.node(x).op, Op::MatMul)) {
            // A matmul kernel: everything else must be elementwise over the product's shape.
            let shape = &g.node(mm).shape;
            for &x in &order {
                if x != mm && (!g.node(x).op.is_elementwise() || &g.node(x).shape != shape) {
                    return Err(smallvec::smallvec![if x == root { mm } else { x }]);
                }
            }
            let space = SpaceKey { full: shape.clone(), axes: SmallVec::new() };
            return Ok(Spec { roots: vec![root], matmul: Some(mm), solo: false, nodes, space, leaves, dtype });
        }
        // The reduction nearest the root defines the space.
        let reduce = order.iter().copied().find(|&x| matches!(g.node(x).op, Op::Reduce { .. }));
        let space = match reduce {
            None => SpaceKey { full: g.node(root).shape.clone(), axes: SmallVec::new() },
            Some(r) => {
                let Op::Reduce { axes, .. } = &g.node(r).op else { unreachable!() };
                SpaceKey { full: g.node(g.inputs(r)[0]).shape.clone(), axes: axes.clone() }
            }
        };
        // A reduction of reduced values (e.g. the mean of per-row losses) conflicts with the
        // reductions upstream: store the defining reduction's operand, so the upstream work stays
        // one kernel over its own space and this one reduces a small stored array.
        if let Some(r0) = reduce {
            let op0 = g.inputs(r0)[0];
            let conflict = order.iter().any(|&x| {
                x != r0
                    && matches!(&g.node(x).op, Op::Reduce { axes, .. } if axes != &space.axes || g.node(g.inputs(x)[0]).shape != space.full)
            });
            if conflict && nodes.contains(&op0) {
                return Err(smallvec::smallvec![op0]);
            }
        }
        let solo = matches!(g.node(root).op, Op::Concat { .. } | Op::ArgReduce { .. });
        let spec = Spec { roots: vec![root], matmul: None, solo, nodes, space, leaves, dtype };
        match self.check(g, &spec) {
            // The root does not fit the space its nearest reduction defines: that reduction
            // becomes a kernel of its own and the root reads its result (once the other
            // violators are stored, which may take that reduction out of the kernel).
            Err(vs) if vs.contains(&root) => {
                let rest: Violators = vs.into_iter().filter(|&v| v != root).collect();
                if rest.is_empty() {
                    Err(smallvec::smallvec![reduce.expect("an elementwise root always fits its own space")])
                } else {
                    Err(rest)
                }
            }
            other => other.map(|_| spec),
        }
    }

    /// Checks that every node of `spec` fits its space; names the nodes that must be
    /// materialised (all that break the first rule broken), in ascending order.
    fn check(&self, g: &Graph, spec: &Spec) -> std::result::Result<(), Violators> {
        let sp = &spec.space;
        let mut sorted: Vec<NodeId> = spec.nodes.iter().copied().collect();
        sorted.sort_unstable();
        let found = |v: Violators| if v.is_empty() { Ok(()) } else { Err(v) };
        if sp.axes.is_empty() {
            return found(sorted.into_iter().filter(|&x| g.node(x).shape != sp.full).collect());
        }
        let (_, k, n) = mkn(&sp.full, &sp.axes);
        let keep = keep_shape(&sp.full, &sp.axes);
        let squeezed = squeezed_shape(&sp.full, &sp.axes);
        // Reductions over another space first: storing one keeps its whole prologue with it.
        let other_space: Violators = sorted
            .iter()
            .copied()
            .filter(|&x| {
                matches!(&g.node(x).op, Op::Reduce { axes, .. }
                    if axes != &sp.axes || g.node(g.inputs(x)[0]).shape != sp.full)
            })
            .collect();
        if !other_space.is_empty() {
            return Err(other_space);
        }
        let mut out = Violators::new();
        let mut add = |v: NodeId| {
            if !out.contains(&v) {
                out.push(v);
            }
        };
        for &x in &sorted {
            let node = g.node(x);
            if let Op::Reduce { .. } = &node.op {
                continue;
            }
            let full = node.shape == sp.full;
            if !full && node.shape != keep && node.shape != squeezed {
                add(x);
                continue;
            }
            if full {
                // Row values flowing back into full-space work need a cache-resident row, and
                // must broadcast as one value per row: only the keepdim shape does (a squeezed
                // `[m]` would broadcast along the last dim instead, as NumPy aligns it right).
                for i in g.inputs(x) {
                    let si = &g.node(i).shape;
                    if spec.nodes.contains(&i) && si != &sp.full && (n > 1 || k > self.config.row_limit || si != &keep)
                    {
                        add(i);
                    }
                }
            } else {
                for i in g.inputs(x) {
                    if spec.nodes.contains(&i) && g.node(i).shape == sp.full && !matches!(node.op, Op::Reduce { .. }) {
                        add(i);
                    }
                }
            }
        }
        out.sort_unstable();
        found(out)
    }

    /// Builds the plan from the final kernel specs.
    fn emit(&self, g: &Graph, specs: Vec<Spec>, pos: &[usize]) -> Result<Plan> {
        let mut values: Vec<Value> = Vec::new();
        let mut value_of: HashMap<NodeId, ValueId> = HashMap::new();
        let num_inputs = g.num_inputs();
        // Inputs first, by slot.
        let mut input_nodes: Vec<(usize, NodeId)> = g
            .node_ids()
            .into_iter()
            .filter_map(|n| match g.node(n).op {
                Op::Source(SourceOp::Input(i)) => Some((i, n)),
                _ => None,
            })
            .collect();
        input_nodes.sort_unstable();
        for (slot, n) in input_nodes {
            value_of.insert(n, values.len());
            values.push(Value { shape: g.node(n).shape.clone(), dtype: g.node(n).dtype, kind: ValueKind::Input(slot) });
        }
        // Order kernels so every kernel runs after the producers of what it reads.
        let order = kernel_order(g, &specs, pos)?;
        let mut kernels = Vec::with_capacity(specs.len());
        // Reshapes of inputs can be resolved now; others as their operand gets a value.
        // Views get a value once their operand has one. Indexed by operand, so each view is
        // looked at once however many kernels there are; a batch is given values in
        // topological order (a view of a view after its operand).
        let mut waiting: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
        for n in g.topo_order() {
            if g.node(n).op.is_movement() {
                waiting.entry(g.inputs(n)[0]).or_default().push(n);
            }
        }
        let resolve_aliases = |ready: &[NodeId],
                               waiting: &mut HashMap<NodeId, Vec<NodeId>>,
                               values: &mut Vec<Value>,
                               value_of: &mut HashMap<NodeId, ValueId>| {
            let mut found = Vec::new();
            let mut stack = ready.to_vec();
            while let Some(x) = stack.pop() {
                for r in waiting.remove(&x).unwrap_or_default() {
                    found.push(r);
                    stack.push(r);
                }
            }
            found.sort_unstable_by_key(|r| pos[r.index()]);
            for r in found {
                let v = value_of[&g.inputs(r)[0]];
                let (base, layout) = layout_of(values, v);
                let l = apply_view(&g.node(r).op, &values[v].shape, &g.node(r).shape, &layout)
                    .expect("views were legalized");
                value_of.insert(r, values.len());
                values.push(Value {
                    shape: g.node(r).shape.clone(),
                    dtype: g.node(r).dtype,
                    kind: ValueKind::View { base, offset: l.offset, strides: l.strides },
                });
            }
        };
        let inputs: Vec<NodeId> = value_of.keys().copied().collect();
        resolve_aliases(&inputs, &mut waiting, &mut values, &mut value_of);
        for si in order {
            let spec = &specs[si];
            let ki = kernels.len();
            let mut roots = spec.roots.clone();
            roots.sort_by_key(|r| pos[r.index()]);
            for &r in &roots {
                value_of.insert(r, values.len());
                values.push(Value {
                    shape: g.node(r).shape.clone(),
                    dtype: g.node(r).dtype,
                    kind: ValueKind::Kernel(ki),
                });
            }
            kernels.push(emit_kernel(g, spec, &roots, &value_of, &values, pos)?);
            resolve_aliases(&roots, &mut waiting, &mut values, &mut value_of);
        }
        // Outputs that are sources (`zeros(..)` evaluated, or an input returned as is).
        let mut outputs = Vec::new();
        for &o in g.outputs() {
            let v = match value_of.get(&o) {
                Some(&v) => v,
                None => return Err(Error::Internal(format!("output node {} has no value", o.index()))),
            };
            outputs.push(v);
        }
        let dot = to_dot(g, &kernels);
        Ok(Plan { num_inputs, values, kernels, outputs, dot })
    }
}

/// Candidates taken per shared node or leaf, and dependent candidates tried per kernel, when
/// merging: bounds the work of a long run of kernels that all read one input (each depends on
/// the one before, so none would merge anyway).
const MERGE_TRIES: usize = 16;

/// Kernels visited when proving two kernels independent; past it they count as dependent and
/// are not merged (always safe; only plans of hundreds of kernels get there).
const DEPENDS_VISITS: usize = 256;

/// Merges kernels over the same space that share nodes or inputs (rule 5): each kernel, in
/// order, absorbs the first later kernel that shares with it and depends on it neither way,
/// until none is left. Candidates are found through the nodes and leaves they share, not by
/// comparing every pair.
fn merge(g: &Graph, specs: Vec<Spec>) -> Vec<Spec> {
    let mut node_holders: HashMap<NodeId, Vec<usize>> = HashMap::new();
    let mut leaf_holders: HashMap<NodeId, Vec<usize>> = HashMap::new();
    let mut producer: HashMap<NodeId, usize> = HashMap::new();
    for (i, s) in specs.iter().enumerate() {
        for &n in &s.nodes {
            node_holders.entry(n).or_default().push(i);
        }
        for &n in &s.leaves {
            leaf_holders.entry(n).or_default().push(i);
        }
        for &r in &s.roots {
            producer.insert(r, i);
        }
    }
    let mergeable = |s: &Spec| s.matmul.is_none() && !s.solo;
    let mut specs: Vec<Option<Spec>> = specs.into_iter().map(Some).collect();
    for i in 0..specs.len() {
        let Some(mut a) = specs[i].take() else { continue };
        if !mergeable(&a) {
            specs[i] = Some(a);
            continue;
        }
        let later = |s: &Spec, cands: &mut BTreeSet<usize>, examined: &HashSet<usize>| {
            for (holders, xs) in [(&node_holders, &s.nodes), (&leaf_holders, &s.leaves)] {
                for x in xs {
                    let h = &holders[x];
                    let from = h.partition_point(|&j| j <= i);
                    cands.extend(h[from..].iter().take(MERGE_TRIES).filter(|&j| !examined.contains(j)));
                }
            }
        };
        let (mut cands, mut examined) = (BTreeSet::new(), HashSet::new());
        later(&a, &mut cands, &examined);
        let mut dependent = 0;
        while let Some(j) = cands.pop_first() {
            examined.insert(j);
            let Some(b) = specs[j].as_ref() else { continue };
            if b.space != a.space
                || b.dtype != a.dtype
                || !mergeable(b)
                || a.roots.len() + b.roots.len() > MAX_KERNEL_OUTPUTS
                || a.leaves.len() + b.leaves.len() > MAX_KERNEL_INPUTS
            {
                continue;
            }
            if depends(g, &specs, (i, &a), i, j, &producer) || depends(g, &specs, (i, &a), j, i, &producer) {
                dependent += 1;
                if dependent > MERGE_TRIES {
                    break;
                }
                continue;
            }
            let b = specs[j].take().expect("checked above");
            later(&b, &mut cands, &examined);
            for &r in &b.roots {
                producer.insert(r, i);
            }
            a.roots.extend(b.roots);
            a.nodes.extend(b.nodes);
            a.leaves.extend(b.leaves);
            // A root of one may be a leaf of the other only if dependent, excluded above.
        }
        specs[i] = Some(a);
    }
    specs.into_iter().flatten().collect()
}

/// Whether spec `from` (transitively) reads something spec `to` writes; `cur` is the spec
/// being merged into, held outside the list.
fn depends(
    g: &Graph,
    specs: &[Option<Spec>],
    cur: (usize, &Spec),
    from: usize,
    to: usize,
    producer: &HashMap<NodeId, usize>,
) -> bool {
    let spec = |k: usize| if k == cur.0 { Some(cur.1) } else { specs[k].as_ref() };
    let mut stack = vec![from];
    let mut seen = HashSet::new();
    seen.insert(from);
    while let Some(x) = stack.pop() {
        let Some(sx) = spec(x) else { continue };
        for &l in &sx.leaves {
            let Some(&y) = producer.get(&view_base(g, l)) else { continue };
            if y == to {
                return true;
            }
            if y != x && seen.insert(y) {
                if seen.len() > DEPENDS_VISITS {
                    return true;
                }
                stack.push(y);
            }
        }
    }
    false
}

/// The node whose buffer a (chain of) views reads.
fn view_base(g: &Graph, mut n: NodeId) -> NodeId {
    while g.node(n).op.is_movement() {
        n = g.inputs(n)[0];
    }
    n
}

/// Kahn's algorithm over kernel dependencies (reshape leaves resolved to their operands).
fn kernel_order(g: &Graph, specs: &[Spec], pos: &[usize]) -> Result<Vec<usize>> {
    let mut producer: HashMap<NodeId, usize> = HashMap::new();
    for (i, s) in specs.iter().enumerate() {
        for &r in &s.roots {
            producer.insert(r, i);
        }
    }
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); specs.len()];
    let mut indeg = vec![0usize; specs.len()];
    for (i, s) in specs.iter().enumerate() {
        let mut ds: Vec<usize> = s.leaves.iter().filter_map(|&l| producer.get(&view_base(g, l)).copied()).collect();
        ds.sort_unstable();
        ds.dedup();
        ds.retain(|&d| d != i);
        indeg[i] = ds.len();
        for d in ds {
            deps[d].push(i);
        }
    }
    let key = |i: usize| specs[i].roots.iter().map(|r| pos[r.index()]).min().unwrap_or(0);
    let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<(usize, usize)>> =
        (0..specs.len()).filter(|&i| indeg[i] == 0).map(|i| std::cmp::Reverse((key(i), i))).collect();
    let mut order = Vec::with_capacity(specs.len());
    while let Some(std::cmp::Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &u in &deps[i] {
            indeg[u] -= 1;
            if indeg[u] == 0 {
                ready.push(std::cmp::Reverse((key(u), u)));
            }
        }
    }
    if order.len() != specs.len() {
        return Err(Error::Internal("fusion produced a cycle between kernels".into()));
    }
    Ok(order)
}

/// Program under construction: virtual registers, later mapped to physical ones.
#[derive(Default)]
struct Emitter {
    /// Instructions with virtual register numbers, tagged with their stage segment.
    code: Vec<(usize, Seg, Instr)>,
    reduces: Vec<(usize, ReduceInstr)>,
    next_full: Reg,
    next_row: Reg,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Seg {
    Full,
    Row,
}

fn emit_kernel(
    g: &Graph,
    spec: &Spec,
    roots: &[NodeId],
    value_of: &HashMap<NodeId, ValueId>,
    values: &[Value],
    pos: &[usize],
) -> Result<FusedKernel> {
    let sp = &spec.space;
    let dtype = spec.dtype;
    if let Op::Concat { dim, .. } = g.node(roots[0]).op {
        return emit_concat(g, roots[0], dim, value_of, values, dtype);
    }
    if let Op::ArgReduce { op, dim, .. } = g.node(roots[0]).op {
        return emit_arg(g, roots[0], op, dim, value_of, values, dtype);
    }
    let mut matmul = None;
    let (shape, full_shape) = if let Some(mm) = spec.matmul {
        let ins = g.inputs(mm);
        let (sa, sb, so) = (&g.node(ins[0]).shape, &g.node(ins[1]).shape, &g.node(mm).shape);
        let (ad, od) = (sa.dims(), so.dims());
        let (m, k, n) = (ad[ad.len() - 2], ad[ad.len() - 1], od[od.len() - 1]);
        let batch_shape = Shape::from(&od[..od.len() - 2]);
        let batch_strides = |s: &Shape| {
            let d = s.dims();
            let mat = d[d.len() - 2] * d[d.len() - 1];
            let own = Shape::from(&d[..d.len() - 2]);
            own.broadcast_strides(&batch_shape).iter().map(|&x| x * mat).collect()
        };
        matmul = Some(MatMulOperands {
            a: value_of[&ins[0]],
            b: value_of[&ins[1]],
            a_batch_strides: batch_strides(sa),
            b_batch_strides: batch_strides(sb),
            batch_shape: batch_shape.clone(),
        });
        (KernelShape::MatMul { batch: batch_shape.numel(), m, k, n }, so.clone())
    } else if sp.axes.is_empty() {
        let s = g.node(roots[0]).shape.clone();
        (KernelShape::Rows { rows: s.numel(), row_len: 1 }, s)
    } else {
        let (m, k, n) = mkn(&sp.full, &sp.axes);
        let ks = if n == 1 { KernelShape::Rows { rows: m, row_len: k } } else { KernelShape::Cols { m, k, n } };
        (ks, sp.full.clone())
    };
    let is_full = |x: NodeId| sp.axes.is_empty() || g.node(x).shape == sp.full;
    let mut nodes: Vec<NodeId> = spec.nodes.iter().copied().collect();
    nodes.sort_by_key(|n| pos[n.index()]);
    // Stage depth: full nodes reading row values computed in stage s run in stage s+1.
    let mut depth: HashMap<NodeId, usize> = HashMap::new();
    for &x in &nodes {
        let mut d = 0;
        for i in g.inputs(x) {
            if let Some(&di) = depth.get(&i) {
                let bump = usize::from(is_full(x) && !is_full(i));
                d = d.max(di + bump);
            }
        }
        depth.insert(x, d);
    }
    let stages = nodes.iter().map(|n| depth[n]).max().unwrap_or(0) + 1;
    // The nodes of each stage, in topological order (so each stage's work costs its own size,
    // not the kernel's).
    let mut by_stage: Vec<Vec<NodeId>> = vec![Vec::new(); stages];
    for &x in &nodes {
        by_stage[depth[&x]].push(x);
    }
    // Uses of each node inside the kernel (the `sum(y**2)` rule needs a single one).
    let mut uses_here: HashMap<NodeId, usize> = HashMap::new();
    for &x in &nodes {
        let ins = g.inputs(x);
        for (j, i) in ins.iter().enumerate() {
            if !ins[..j].contains(i) {
                *uses_here.entry(*i).or_default() += 1;
            }
        }
    }
    let mut inputs: Vec<KernelInput> = Vec::new();
    let mut input_index: HashMap<(ValueId, Space, Shape), u16> = HashMap::new();
    let mut outputs: Vec<KernelOutput> = Vec::new();
    let mut e = Emitter::default();
    let mut row_reg: HashMap<NodeId, Reg> = HashMap::new();
    let root_set: HashSet<NodeId> = roots.iter().copied().collect();
    let mut out_index: HashMap<NodeId, u16> = HashMap::new();
    for &r in roots {
        out_index.insert(r, outputs.len() as u16);
        outputs.push(KernelOutput { value: value_of[&r], space: if is_full(r) { Space::Full } else { Space::Row } });
    }
    let mut input_for = |v: ValueId, space: Space, read: &Shape, vshape: &Shape| -> u16 {
        *input_index.entry((v, space, read.clone())).or_insert_with(|| {
            let (base, l) = layout_of(values, v);
            let off = read.ndim() - vshape.ndim();
            let mut strides: SmallVec<[isize; 6]> = smallvec::smallvec![0; read.ndim()];
            for (i, (&d, &st)) in vshape.dims().iter().zip(&l.strides).enumerate() {
                if !(d == 1 && read.dims()[i + off] != 1) {
                    strides[i + off] = st;
                }
            }
            inputs.push(KernelInput { value: base, space, read_shape: read.clone(), offset: l.offset, strides });
            (inputs.len() - 1) as u16
        })
    };
    let whole_rows = stages > 1 && matches!(shape, KernelShape::Rows { row_len, .. } if row_len <= WHOLE_ROW_MAX);
    let mut carried: HashMap<NodeId, Operand> = HashMap::new();
    for (s, stage_nodes) in by_stage.iter().enumerate().take(stages) {
        // Full program: what the stage's reductions and full outputs need.
        // With whole rows per block, values computed in an earlier stage are still in their
        // registers: reuse them instead of recomputing (loads are re-issued: they are free).
        // (`memo` holds this stage's values; `carried` is looked up beneath it, not copied into
        // it, so stage after stage costs only its own work.)
        let mut memo: HashMap<NodeId, Operand> = HashMap::new();
        let carried_here = |memo: &HashMap<NodeId, Operand>, carried: &HashMap<NodeId, Operand>, x: &NodeId| {
            memo.get(x).or(if whole_rows { carried.get(x) } else { None }).copied()
        };
        let mut sinks: Vec<NodeId> = stage_nodes
            .iter()
            .copied()
            .filter(|&x| {
                matches!(g.node(x).op, Op::Reduce { .. }) || (root_set.contains(&x) && is_full(x) && !is_source(g, x))
            })
            .collect();
        sinks.sort_by_key(|n| pos[n.index()]);
        for &sink in &sinks {
            let mut target = if matches!(g.node(sink).op, Op::Reduce { .. }) { g.inputs(sink)[0] } else { sink };
            // `sum(y**2)` in a row kernel, where nothing else reads `y**2`: sum the squares of `y`.
            let square = matches!(g.node(sink).op, Op::Reduce { op: ReduceOp::Sum, .. })
                && matches!(shape, KernelShape::Rows { .. })
                && matches!(g.node(target).op, Op::Unary(UnaryOp::Square))
                && spec.nodes.contains(&target)
                && !root_set.contains(&target)
                && carried_here(&memo, &carried, &target).is_none()
                && uses_here.get(&target) == Some(&1);
            if square {
                target = g.inputs(target)[0];
            }
            // Iterative post-order over full-space operands.
            let mut stack: Vec<(NodeId, bool)> = vec![(target, false)];
            while let Some((x, expanded)) = stack.pop() {
                if carried_here(&memo, &carried, &x).is_some() {
                    continue;
                }
                if let Some(v) = full_value(g, x) {
                    memo.insert(x, Operand::Const(v));
                    continue;
                }
                if !spec.nodes.contains(&x) {
                    // A materialised leaf read in the full space.
                    let v = value_of[&x];
                    let idx = input_for(v, Space::Full, &full_shape, &g.node(x).shape);
                    let dst = e.full();
                    e.push(s, Seg::Full, Instr::Load { dst, input: idx });
                    memo.insert(x, Operand::Reg(dst as Reg));
                    continue;
                }
                if !is_full(x) {
                    let src = row_reg[&x];
                    let dst = e.full();
                    e.push(s, Seg::Full, Instr::Expand { dst, src: src as Reg });
                    memo.insert(x, Operand::Reg(dst as Reg));
                    continue;
                }
                let ins = g.inputs(x);
                if Some(x) == spec.matmul {
                    let dst = e.full();
                    e.push(s, Seg::Full, Instr::Acc { dst });
                    memo.insert(x, Operand::Reg(dst));
                    continue;
                }
                if let Op::Cast(_) = g.node(x).op {
                    // The operand is materialised; the executor converts it while loading.
                    let v = value_of[&ins[0]];
                    let idx = input_for(v, Space::Full, &full_shape, &g.node(ins[0]).shape);
                    let dst = e.full();
                    e.push(s, Seg::Full, Instr::Load { dst, input: idx });
                    memo.insert(x, Operand::Reg(dst));
                    continue;
                }
                if !expanded {
                    stack.push((x, true));
                    for &i in ins.iter().rev() {
                        if carried_here(&memo, &carried, &i).is_none() {
                            stack.push((i, false));
                        }
                    }
                    continue;
                }
                let ops: SmallVec<[Operand; 2]> =
                    ins.iter().map(|i| carried_here(&memo, &carried, i).expect("operands come first")).collect();
                let dst = e.full();
                let instr = compute_instr(g, x, dst, &ops)?;
                e.push(s, Seg::Full, instr);
                memo.insert(x, Operand::Reg(dst as Reg));
                carried.insert(x, Operand::Reg(dst as Reg));
            }
            if matches!(g.node(sink).op, Op::Reduce { .. }) {
                let Op::Reduce { op, .. } = g.node(sink).op else { unreachable!() };
                let src = match carried_here(&memo, &carried, &target).expect("the target was computed") {
                    Operand::Reg(r) => r,
                    Operand::Const(c) => {
                        // A constant is broadcast into a register (`c * 1`) for the reduction.
                        let dst = e.full();
                        let one = Operand::Const(Scalar::new(1.0));
                        e.push(s, Seg::Full, Instr::Binary { op: BinaryOp::Mul, dst, a: Operand::Const(c), b: one });
                        dst as Reg
                    }
                };
                let dst = e.row();
                row_reg.insert(sink, dst);
                e.reduces.push((s, ReduceInstr { op, src, dst: dst as Reg, square }));
            } else {
                let src = carried_here(&memo, &carried, &sink).expect("the sink was computed");
                e.push(s, Seg::Full, Instr::Store { output: out_index[&sink], src });
            }
        }
        // Row program: row nodes of this depth, in topological order.
        for &x in &by_stage[s] {
            if is_full(x) {
                continue;
            }
            if !matches!(g.node(x).op, Op::Reduce { .. }) {
                let mut ops: SmallVec<[Operand; 2]> = SmallVec::new();
                for i in g.inputs(x) {
                    let o = if let Some(v) = full_value(g, i) {
                        Operand::Const(v)
                    } else if let Some(&r) = row_reg.get(&i) {
                        Operand::Reg(r as Reg)
                    } else {
                        let v = value_of[&i];
                        let idx = input_for(v, Space::Row, &g.node(x).shape, &g.node(i).shape);
                        let dst = e.row();
                        e.push(s, Seg::Row, Instr::Load { dst, input: idx });
                        Operand::Reg(dst as Reg)
                    };
                    ops.push(o);
                }
                let dst = e.row();
                let instr = compute_instr(g, x, dst, &ops)?;
                e.push(s, Seg::Row, instr);
                row_reg.insert(x, dst);
            }
            if root_set.contains(&x) {
                let src = Operand::Reg(row_reg[&x] as Reg);
                e.push(s, Seg::Row, Instr::Store { output: out_index[&x], src });
            }
        }
    }
    // Roots that are sources (an evaluated `full`/`arange`) or computed nowhere else.
    for &r in roots {
        if let Op::Source(src) = g.node(r).op {
            let v = match src {
                SourceOp::Full(v) => Operand::Const(v),
                SourceOp::Arange { start, step } => {
                    let dst = e.full();
                    e.push(0, Seg::Full, Instr::Arange { dst, start, step });
                    Operand::Reg(dst as Reg)
                }
                SourceOp::Input(_) => {
                    let v = value_of[&r];
                    let _ = v;
                    return Err(Error::Internal("an input cannot be a kernel root".into()));
                }
            };
            e.push(0, Seg::Full, Instr::Store { output: out_index[&r], src: v });
        }
    }
    let (stages_vec, nf, nr) = e.allocate(stages);
    let ops = nodes.iter().map(|&n| g.node(n).op.name()).collect();
    Ok(FusedKernel {
        shape,
        full_shape,
        dtype,
        inputs,
        outputs,
        stages: stages_vec,
        num_full_regs: nf,
        num_row_regs: nr,
        nodes,
        ops,
        matmul,
        whole_rows,
    })
}

/// A concatenation kernel: no program, each part copied into its place.
fn emit_concat(
    g: &Graph,
    root: NodeId,
    dim: usize,
    value_of: &HashMap<NodeId, ValueId>,
    values: &[Value],
    dtype: DType,
) -> Result<FusedKernel> {
    let out = &g.node(root).shape;
    let d = out.dims();
    let (outer, inner) = (d[..dim].iter().product(), d[dim + 1..].iter().product());
    let mut inputs: Vec<KernelInput> = Vec::new();
    let mut parts = Vec::new();
    for x in g.inputs(root) {
        let shape = &g.node(x).shape;
        let (base, l) = layout_of(values, value_of[&x]);
        inputs.push(KernelInput {
            value: base,
            space: Space::Full,
            read_shape: shape.clone(),
            offset: l.offset,
            strides: l.strides,
        });
        parts.push(((inputs.len() - 1) as u16, shape.dims()[dim]));
    }
    let output = KernelOutput { value: value_of[&root], space: Space::Full };
    Ok(without_program(g, root, KernelShape::Concat { outer, inner, parts }, out.clone(), dtype, inputs, output))
}

/// A kernel the executor runs by a routine of its own (concatenation, argmax), with no program.
fn without_program(
    g: &Graph,
    root: NodeId,
    shape: KernelShape,
    full_shape: Shape,
    dtype: DType,
    inputs: Vec<KernelInput>,
    output: KernelOutput,
) -> FusedKernel {
    FusedKernel {
        shape,
        full_shape,
        dtype,
        inputs,
        outputs: vec![output],
        stages: vec![Stage::default()],
        num_full_regs: 0,
        num_row_regs: 0,
        nodes: vec![root],
        ops: vec![g.node(root).op.name()],
        matmul: None,
        whole_rows: false,
    }
}

/// An argmax/argmin kernel: input 0 scanned as `m × k × n`, `m × n` indices written.
fn emit_arg(
    g: &Graph,
    root: NodeId,
    op: crate::op::ArgOp,
    dim: usize,
    value_of: &HashMap<NodeId, ValueId>,
    values: &[Value],
    dtype: DType,
) -> Result<FusedKernel> {
    let x = g.inputs(root)[0];
    let shape = g.node(x).shape.clone();
    let (m, k, n) = mkn(&shape, &[dim]);
    let (base, l) = layout_of(values, value_of[&x]);
    let input = KernelInput {
        value: base,
        space: Space::Full,
        read_shape: shape.clone(),
        offset: l.offset,
        strides: l.strides,
    };
    let output = KernelOutput { value: value_of[&root], space: Space::Row };
    Ok(without_program(g, root, KernelShape::Arg { op, m, k, n }, shape, dtype, vec![input], output))
}

fn compute_instr(g: &Graph, x: NodeId, dst: Reg, ops: &[Operand]) -> Result<Instr> {
    Ok(match g.node(x).op {
        Op::Where => Instr::Select { dst, cond: ops[0], a: ops[1], b: ops[2] },
        Op::Unary(op) => Instr::Unary { op, dst, src: ops[0] },
        Op::Binary(op) => Instr::Binary { op, dst, a: ops[0], b: ops[1] },
        ref other => return Err(Error::Internal(format!("{} cannot be computed in a kernel body", other.name()))),
    })
}

impl Emitter {
    fn full(&mut self) -> Reg {
        self.next_full += 1;
        self.next_full - 1
    }
    fn row(&mut self) -> Reg {
        self.next_row += 1;
        self.next_row - 1
    }
    fn push(&mut self, stage: usize, seg: Seg, i: Instr) {
        self.code.push((stage, seg, i));
    }

    /// Maps virtual registers to physical ones by linear scan over the execution order
    /// (stage by stage: full program, reductions, row program). A register read by a full
    /// program stays live to the end of that program's stage segment, because the program
    /// runs once per block.
    fn allocate(self, stages: usize) -> (Vec<Stage>, usize, usize) {
        // Execution order of events.
        #[derive(Clone)]
        enum Ev {
            I(Seg, Instr),
            R(ReduceInstr),
        }
        // Bucketed by stage first: one pass over the code, whatever the number of stages.
        let mut full: Vec<Vec<Ev>> = vec![Vec::new(); stages];
        let mut reduce: Vec<Vec<Ev>> = vec![Vec::new(); stages];
        let mut row: Vec<Vec<Ev>> = vec![Vec::new(); stages];
        for (st, seg, i) in self.code {
            match seg {
                Seg::Full => full[st].push(Ev::I(seg, i)),
                Seg::Row => row[st].push(Ev::I(seg, i)),
            }
        }
        for (st, r) in self.reduces {
            reduce[st].push(Ev::R(r));
        }
        let mut evs: Vec<(usize, Ev)> = Vec::new();
        for (s, ((f, r), w)) in full.into_iter().zip(reduce).zip(row).enumerate() {
            evs.extend(f.into_iter().chain(r).chain(w).map(|ev| (s, ev)));
        }
        // Segment end: index of the last event of the same stage's full+reduce part.
        let mut part_end = vec![0usize; stages];
        for (idx, (s, ev)) in evs.iter().enumerate() {
            if matches!(ev, Ev::I(Seg::Full, _) | Ev::R(_)) {
                part_end[*s] = idx;
            }
        }
        let seg_end: Vec<usize> = evs
            .iter()
            .enumerate()
            .map(|(idx, (s, ev))| if matches!(ev, Ev::I(Seg::Full, _) | Ev::R(_)) { part_end[*s] } else { idx })
            .collect();
        // Last use of each (file, vreg).
        let mut last_full: HashMap<u32, usize> = HashMap::new();
        let mut last_row: HashMap<u32, usize> = HashMap::new();
        let mut note = |file_row: bool, r: Reg, at: usize| {
            let m = if file_row { &mut last_row } else { &mut last_full };
            let e = m.entry(r).or_insert(at);
            *e = (*e).max(at);
        };
        for (idx, (_, ev)) in evs.iter().enumerate() {
            match ev {
                Ev::R(r) => {
                    note(false, r.src, idx);
                    note(true, r.dst, idx);
                }
                Ev::I(seg, i) => {
                    let row_seg = *seg == Seg::Row;
                    for (is_row, r) in uses(i, row_seg) {
                        // Row registers read inside a full program live to the segment end.
                        let at = if is_row && !row_seg { seg_end[idx] } else { idx };
                        note(is_row, r, at);
                    }
                    if let Some((is_row, r)) = def(i, row_seg) {
                        note(is_row, r, idx);
                    }
                }
            }
        }
        let invert = |last: &HashMap<u32, usize>| {
            let mut m: HashMap<usize, Vec<u32>> = HashMap::new();
            for (&v, &at) in last {
                m.entry(at).or_default().push(v);
            }
            m
        };
        let (dies_full, dies_row) = (invert(&last_full), invert(&last_row));
        let mut files = [RegFile::default(), RegFile::default()];
        let mut map = [HashMap::<u32, Reg>::new(), HashMap::<u32, Reg>::new()];
        let mut out: Vec<Stage> = vec![Stage::default(); stages];
        for (idx, (s, ev)) in evs.into_iter().enumerate() {
            let phys = |map: &mut [HashMap<u32, Reg>; 2], files: &mut [RegFile; 2], is_row: bool, v: Reg| -> Reg {
                let f = usize::from(is_row);
                *map[f].entry(v).or_insert_with(|| files[f].alloc())
            };
            match ev {
                Ev::R(mut r) => {
                    r.src = phys(&mut map, &mut files, false, r.src);
                    r.dst = phys(&mut map, &mut files, true, r.dst);
                    out[s].reduces.push(r);
                }
                Ev::I(seg, mut i) => {
                    let row_seg = seg == Seg::Row;
                    // Sources first, then the destination (never aliasing a source).
                    rename(&mut i, row_seg, &mut |is_row, v, is_def| {
                        let _ = is_def;
                        phys(&mut map, &mut files, is_row, v)
                    });
                    match seg {
                        Seg::Full => out[s].full.push(i),
                        Seg::Row => out[s].row.push(i),
                    }
                }
            }
            // Free registers whose last use was this event.
            for (f, dying) in [(0usize, &dies_full), (1usize, &dies_row)] {
                for &v in dying.get(&idx).map(|v| v.as_slice()).unwrap_or(&[]) {
                    if let Some(p) = map[f].remove(&v) {
                        files[f].free.push(p);
                    }
                }
            }
        }
        (out, files[0].count as usize, files[1].count as usize)
    }
}

#[derive(Default)]
struct RegFile {
    count: Reg,
    free: Vec<Reg>,
}

impl RegFile {
    fn alloc(&mut self) -> Reg {
        if let Some(r) = self.free.pop() {
            r
        } else {
            self.count += 1;
            self.count - 1
        }
    }
}

/// Registers an instruction reads: `(is_row_file, reg)`.
fn uses(i: &Instr, row_seg: bool) -> SmallVec<[(bool, Reg); 2]> {
    let mut u = SmallVec::new();
    let mut op = |o: &Operand| {
        if let Operand::Reg(r) = o {
            u.push((row_seg, *r));
        }
    };
    match i {
        Instr::Expand { src, .. } => return smallvec::smallvec![(true, *src)],
        Instr::Unary { src, .. } => op(src),
        Instr::Binary { a, b, .. } => {
            op(a);
            op(b);
        }
        Instr::Select { cond, a, b, .. } => {
            op(cond);
            op(a);
            op(b);
        }
        Instr::Store { src, .. } => op(src),
        Instr::Load { .. } | Instr::Arange { .. } | Instr::Acc { .. } => {}
    }
    u
}

/// The register an instruction writes.
fn def(i: &Instr, row_seg: bool) -> Option<(bool, Reg)> {
    match i {
        Instr::Load { dst, .. }
        | Instr::Acc { dst }
        | Instr::Expand { dst, .. }
        | Instr::Arange { dst, .. }
        | Instr::Unary { dst, .. }
        | Instr::Binary { dst, .. }
        | Instr::Select { dst, .. } => Some((row_seg, *dst)),
        Instr::Store { .. } => None,
    }
}

/// Renames registers: sources first, then the destination.
fn rename(i: &mut Instr, row_seg: bool, f: &mut dyn FnMut(bool, Reg, bool) -> Reg) {
    let op = |o: &mut Operand, f: &mut dyn FnMut(bool, Reg, bool) -> Reg| {
        if let Operand::Reg(r) = o {
            *r = f(row_seg, *r, false);
        }
    };
    match i {
        Instr::Load { dst, .. } | Instr::Arange { dst, .. } | Instr::Acc { dst } => *dst = f(row_seg, *dst, true),
        Instr::Expand { dst, src } => {
            *src = f(true, *src, false);
            *dst = f(row_seg, *dst, true);
        }
        Instr::Unary { dst, src, .. } => {
            op(src, f);
            *dst = f(row_seg, *dst, true);
        }
        Instr::Binary { dst, a, b, .. } => {
            op(a, f);
            op(b, f);
            *dst = f(row_seg, *dst, true);
        }
        Instr::Select { dst, cond, a, b } => {
            op(cond, f);
            op(a, f);
            op(b, f);
            *dst = f(row_seg, *dst, true);
        }
        Instr::Store { src, .. } => op(src, f),
    }
}

/// Graphviz DOT of the graph with each kernel's nodes as a cluster.
pub fn to_dot(g: &Graph, kernels: &[FusedKernel]) -> String {
    let mut s = String::from("digraph plan {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n");
    let mut in_kernel: HashSet<NodeId> = HashSet::new();
    for (ki, k) in kernels.iter().enumerate() {
        let _ = writeln!(s, "  subgraph cluster_k{ki} {{\n    label=\"kernel {ki}\";\n    style=rounded; color=blue;");
        for &n in &k.nodes {
            if in_kernel.insert(n) {
                let node = g.node(n);
                let _ = writeln!(s, "    n{} [label=\"{} {}\"];", n.index(), node.op.name(), node.shape);
            }
        }
        s.push_str("  }\n");
    }
    for n in g.topo_order() {
        if !in_kernel.contains(&n) {
            let node = g.node(n);
            let _ = writeln!(s, "  n{} [label=\"{} {}\", style=dashed];", n.index(), node.op.name(), node.shape);
        }
        for i in g.inputs(n) {
            let _ = writeln!(s, "  n{} -> n{};", i.index(), n.index());
        }
    }
    s.push_str("}\n");
    s
}

/// Graphviz DOT of a graph before fusion (no clusters).
pub fn graph_to_dot(g: &Graph) -> String {
    to_dot(g, &[])
}

/// The base value and layout of value `v`.
fn layout_of(values: &[Value], v: ValueId) -> (ValueId, Layout) {
    match &values[v].kind {
        ValueKind::View { base, offset, strides } => (*base, Layout { offset: *offset, strides: strides.clone() }),
        _ => (v, contiguous(&values[v].shape)),
    }
}

/// Inserts `copy` nodes where a view cannot stay a view: a reshape of a non-contiguous view, a
/// graph output that is not its whole base buffer in order, a matmul operand that is not a
/// plain contiguous buffer. Returns `None` when nothing needs to change.
fn legalize_views(g: &Graph) -> Option<Graph> {
    if !g.node_ids().iter().any(|&n| g.node(n).op.is_movement()) {
        return None;
    }
    let mut layout: HashMap<NodeId, Layout> = HashMap::new();
    let mut base_numel: HashMap<NodeId, usize> = HashMap::new();
    let mut fixes: Vec<(Option<NodeId>, usize, NodeId)> = Vec::new(); // (user or output, pos, view)
    for n in g.topo_order() {
        let node = g.node(n);
        if !node.op.is_movement() {
            layout.insert(n, contiguous(&node.shape));
            base_numel.insert(n, node.shape.numel());
            continue;
        }
        let x = g.inputs(n)[0];
        let l = apply_view(&node.op, &g.node(x).shape, &node.shape, &layout[&x]);
        let l = match l {
            Some(l) => l,
            None => {
                fixes.push((Some(n), 0, x));
                contiguous(&node.shape)
            }
        };
        let bn = if layout[&x].offset == 0 && base_numel.contains_key(&x) { base_numel[&x] } else { usize::MAX };
        base_numel.insert(n, bn);
        layout.insert(n, l);
    }
    let trivial = |n: NodeId| {
        let node = g.node(n);
        !node.op.is_movement()
            || (layout[&n].offset == 0
                && is_contiguous(&node.shape, &layout[&n])
                && base_numel[&n] == node.shape.numel())
    };
    for n in g.node_ids() {
        if matches!(g.node(n).op, Op::MatMul) {
            for (pos, x) in g.inputs(n).into_iter().enumerate() {
                if !trivial(x) {
                    fixes.push((Some(n), pos, x));
                }
            }
        }
    }
    for (i, &o) in g.outputs().iter().enumerate() {
        if !trivial(o) {
            fixes.push((None, i, o));
        }
    }
    if fixes.is_empty() {
        return None;
    }
    let mut g2 = g.clone();
    for (user, pos, x) in fixes {
        let node = g.node(x);
        let copy =
            crate::graph::GNode { op: Op::Unary(crate::UnaryOp::Copy), shape: node.shape.clone(), dtype: node.dtype };
        let c = g2.add_node(copy, &[x]);
        match user {
            Some(u) => g2.set_input(u, pos, c),
            None => g2.set_output(pos, c),
        }
    }
    Some(g2)
}
