//! Partitioning (rules 1-4): marks the nodes that must be materialised, forms each kernel from
//! a materialised root, and stores nodes until every kernel fits its space, obeys the
//! recompute rule and reads at most [`MAX_KERNEL_INPUTS`] values.

use super::{has_several_users, is_source, mkn, FusionPlanner, SpaceKey, Spec, MAX_KERNEL_INPUTS};
use crate::graph::{Graph, NodeId};
use crate::hash::{HashMap, HashSet};
use crate::op::{Op, SourceOp};
use crate::{DType, Error, Result, Shape};
use smallvec::SmallVec;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Nodes a kernel cannot hold, to be materialised before it is formed again.
type Violators = SmallVec<[NodeId; 4]>;

impl FusionPlanner {
    /// Rule 1 and the dtype rule: which nodes are stored whatever the kernels look like,
    /// indexed by node index.
    pub(super) fn mark_boundaries(&self, g: &Graph, topo: &[NodeId], ct: &[DType]) -> Vec<bool> {
        let mut mat = vec![false; ct.len()];
        for &o in g.outputs() {
            mat[o.index()] = true;
        }
        for &n in topo {
            match g.node(n).op {
                Op::Source(SourceOp::Arange { .. }) => mat[n.index()] = true,
                Op::Source(SourceOp::Input(_)) => mat[n.index()] = true,
                ref op if op.is_movement() => {
                    // A view is free when it reads a stored buffer through new strides.
                    mat[n.index()] = true;
                    let x = g.inputs(n)[0];
                    if super::full_value(g, x).is_none() {
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
                Op::ArgReduce { .. } | Op::Line { .. } => {
                    // A scan over a stored operand, its own kernel.
                    mat[n.index()] = true;
                    mat[g.inputs(n)[0].index()] = true;
                }
                Op::Scatter { .. } | Op::Search { .. } => {
                    // Writes (reads) at data-dependent positions of stored operands, its own
                    // kernel.
                    mat[n.index()] = true;
                    for i in g.inputs(n) {
                        mat[i.index()] = true;
                    }
                }
                Op::Gather { .. } => {
                    // Reads at data-dependent positions of stored operands: the table and the
                    // index are stored, the gather itself is read inside its consumers' kernel
                    // (`Instr::Gather`), or is a kernel of its own when stored.
                    for i in g.inputs(n) {
                        mat[i.index()] = true;
                    }
                    if !self.config.fuse {
                        mat[n.index()] = true;
                    }
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
        mat
    }

    /// The kernels of `g`, in the order of their roots, with `mat` (from
    /// [`mark_boundaries`](Self::mark_boundaries)) as the nodes stored so far.
    pub(super) fn partition(
        &self,
        g: &Graph,
        topo: &[NodeId],
        pos: &[usize],
        mut mat: Vec<bool>,
        ct: &[DType],
    ) -> Result<Vec<Spec>> {
        // Forming kernels is near-linear on the graphs programs build, but a long chain whose
        // steps each read a reduction or a stored value of the step before makes every kernel
        // reach down the whole chain. Past a work bound proportional to the graph, plan again
        // with every shared node stored: kernels are then disjoint trees, formed in linear time,
        // and such a chain stores those nodes in the end anyway.
        let limit = 32 * topo.len() as u64 + 100_000;
        let start = mat.clone();
        if let Some(specs) = self.form_all(g, topo, pos, &mut mat, ct, Some(limit))? {
            return Ok(specs);
        }
        mat = start;
        for &n in topo {
            if !is_source(g, n) && has_several_users(g, n) {
                mat[n.index()] = true;
            }
        }
        Ok(self.form_all(g, topo, pos, &mut mat, ct, None)?.expect("no work limit"))
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

    /// Whether `n`'s fused subexpression may be recomputed by each of its consumers (rule 4).
    fn cheap(&self, g: &Graph, n: NodeId, mat: &[bool], visited: &mut u64) -> bool {
        let mut cost = 0u32;
        let mut leaves = HashSet::default();
        let mut seen = HashSet::default();
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
        let mut nodes = HashSet::default();
        let mut leaves = HashSet::default();
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
        // A gather reads inside elementwise kernels only: one feeding a reduction is stored
        // (a gather kernel of its own) and the reduction reads its result.
        if reduce.is_some() {
            let mut gathers: Violators =
                order.iter().copied().filter(|&x| x != root && matches!(g.node(x).op, Op::Gather { .. })).collect();
            gathers.sort_unstable();
            if !gathers.is_empty() {
                return Err(gathers);
            }
        }
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
        let solo = matches!(
            g.node(root).op,
            Op::Concat { .. }
                | Op::ArgReduce { .. }
                | Op::Line { .. }
                | Op::Gather { .. }
                | Op::Scatter { .. }
                | Op::Search { .. }
        );
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

    /// Checks that every node of `spec` fits its space (rules 2 and 3); names the nodes that
    /// must be materialised (all that break the first rule broken), in ascending order.
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
}

/// Nodes to store so that the kernel of `root` (whose nodes `order` lists, consumers before
/// their operands) and the kernels cut off from it each read at most [`MAX_KERNEL_INPUTS`]:
/// one pass from the operands up, counting the stored values each node's subexpression reads
/// (shared reads counted once per path, so at worst a cut too many), storing a node once its
/// count reaches a quarter of the bound, after which its consumers count it as one read. Ops
/// take at most three operands, so every kernel left reads fewer than three quarters.
fn cuts(g: &Graph, root: NodeId, order: &[NodeId], mat: &[bool]) -> Violators {
    let mut reads: HashMap<NodeId, usize> = HashMap::with_capacity_and_hasher(order.len(), Default::default());
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
