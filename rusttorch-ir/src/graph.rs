//! The IR graph: a narrow newtype over a petgraph `StableGraph`, and lowering of lazy tensors
//! into it.
//!
//! Lowering walks the reachable, not-yet-evaluated part of the DAG with an explicit stack (no
//! recursion on depth) and produces a [`GraphKey`]: a canonical, data-free description of the
//! structure (ops, shapes, dtypes, edges), used both to build the [`Graph`] and as the key of
//! plan caches. The buffers of evaluated tensors become numbered inputs.

use crate::op::{Op, SourceOp};
use crate::tensor::NodeState;
use crate::{Buffer, DType, Error, Result, Shape, Tensor};
use foldhash::fast::FoldHasher;
use hashbrown::HashMap;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use petgraph::Direction;
use smallvec::SmallVec;
use std::cell::Cell;
use std::fmt::Write;
use std::hash::{BuildHasher, Hash, Hasher};

/// One node of the IR graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GNode {
    /// What it computes.
    pub op: Op,
    /// Its shape.
    pub shape: Shape,
    /// Its element type.
    pub dtype: DType,
}

/// Node id inside a [`Graph`].
pub type NodeId = NodeIndex<u32>;

/// The IR graph: nodes, operand edges (weighted by operand position) and the ordered outputs.
///
/// Passes edit it through [`crate::rewrite::Rewriter`], which rebuilds the edges once per sweep:
/// the single-node edits here ([`Graph::replace_all_uses`], [`Graph::set_input`],
/// [`Graph::remove_node`]) walk the fan-out of the nodes they touch, since petgraph keeps each
/// node's edges in a linked list.
#[derive(Clone, Default)]
pub struct Graph {
    g: StableDiGraph<GNode, u8>,
    outputs: Vec<NodeId>,
    num_inputs: usize,
    /// Nodes and edges visited by this graph's methods (see [`Graph::work`]).
    work: Cell<u64>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph::default()
    }

    /// Adds a node with its operands in order.
    pub fn add_node(&mut self, node: GNode, operands: &[NodeId]) -> NodeId {
        if let Op::Source(SourceOp::Input(i)) = node.op {
            self.num_inputs = self.num_inputs.max(i + 1);
        }
        let n = self.g.add_node(node);
        for (pos, &o) in operands.iter().enumerate() {
            self.g.add_edge(o, n, pos as u8);
        }
        n
    }

    /// The node's data.
    pub fn node(&self, n: NodeId) -> &GNode {
        self.count(1);
        &self.g[n]
    }

    /// Nodes and edges visited by this graph's methods so far, the edge-list walks of its edits
    /// included: a measure of the optimizer's work that is independent of the machine, which the
    /// complexity tests check grows linearly with the graph.
    pub fn work(&self) -> u64 {
        self.work.get()
    }

    fn count(&self, steps: usize) {
        self.work.set(self.work.get() + steps as u64);
    }

    /// One more than the largest node index (the length of tables indexed by node).
    pub fn node_bound(&self) -> usize {
        self.g.node_bound()
    }

    /// Mutable node data (passes that rewrite an op in place).
    pub fn node_mut(&mut self, n: NodeId) -> &mut GNode {
        &mut self.g[n]
    }

    /// Whether `n` is still in the graph.
    pub fn contains(&self, n: NodeId) -> bool {
        self.g.contains_node(n)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.g.node_count()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.g.node_count() == 0
    }

    /// Number of input slots.
    pub fn num_inputs(&self) -> usize {
        self.num_inputs
    }

    /// Operands of `n`, in operand order.
    pub fn inputs(&self, n: NodeId) -> SmallVec<[NodeId; 2]> {
        let mut e: SmallVec<[(u8, NodeId); 2]> =
            self.g.edges_directed(n, Direction::Incoming).map(|e| (*e.weight(), e.source())).collect();
        self.count(1 + e.len());
        e.sort_unstable_by_key(|p| p.0);
        e.into_iter().map(|p| p.1).collect()
    }

    /// Users of `n` (one entry per use, sorted, so a user of both operands appears twice).
    pub fn users(&self, n: NodeId) -> SmallVec<[NodeId; 4]> {
        let mut u: SmallVec<[NodeId; 4]> = self.g.edges_directed(n, Direction::Outgoing).map(|e| e.target()).collect();
        self.count(1 + u.len());
        u.sort_unstable();
        u
    }

    /// Number of uses of `n`, counting graph outputs.
    pub fn use_count(&self, n: NodeId) -> usize {
        let edges = self.g.edges_directed(n, Direction::Outgoing).count();
        self.count(1 + edges + self.outputs.len());
        edges + self.outputs.iter().filter(|&&o| o == n).count()
    }

    /// The ordered outputs.
    pub fn outputs(&self) -> &[NodeId] {
        &self.outputs
    }

    /// Appends an output.
    pub fn add_output(&mut self, n: NodeId) {
        self.outputs.push(n);
    }

    /// Makes every use of `old` (operands and outputs) use `new` instead.
    pub fn replace_all_uses(&mut self, old: NodeId, new: NodeId) {
        if old == new {
            return;
        }
        let edges: Vec<_> =
            self.g.edges_directed(old, Direction::Outgoing).map(|e| (e.id(), e.target(), *e.weight())).collect();
        for (id, target, w) in edges {
            self.remove_edge(id);
            self.g.add_edge(new, target, w);
        }
        self.count(self.outputs.len());
        for o in &mut self.outputs {
            if *o == old {
                *o = new;
            }
        }
    }

    /// Makes operand `pos` of `n` be `new`.
    pub fn set_input(&mut self, n: NodeId, pos: usize, new: NodeId) {
        let old: Vec<_> = self
            .g
            .edges_directed(n, Direction::Incoming)
            .filter(|e| *e.weight() as usize == pos)
            .map(|e| e.id())
            .collect();
        for e in old {
            self.remove_edge(e);
        }
        self.g.add_edge(new, n, pos as u8);
    }

    /// Removes an edge, counting the edge-list walks petgraph does to unlink it (up to the
    /// fan-out of its source and the fan-in of its target).
    fn remove_edge(&mut self, e: petgraph::stable_graph::EdgeIndex<u32>) {
        if let Some((a, b)) = self.g.edge_endpoints(e) {
            let out = self.g.edges_directed(a, Direction::Outgoing).count();
            let inc = self.g.edges_directed(b, Direction::Incoming).count();
            self.count(1 + out + inc);
            self.g.remove_edge(e);
        }
    }

    /// Makes output `i` be `new`.
    pub fn set_output(&mut self, i: usize, new: NodeId) {
        self.outputs[i] = new;
    }

    /// Removes a node and its edges.
    pub fn remove_node(&mut self, n: NodeId) {
        let edges: Vec<_> = self.g.edges_directed(n, Direction::Incoming).map(|e| e.id()).collect();
        let users: Vec<_> = self.g.edges_directed(n, Direction::Outgoing).map(|e| e.id()).collect();
        for e in edges.into_iter().chain(users) {
            self.remove_edge(e);
        }
        self.g.remove_node(n);
    }

    /// Replaces every edge at once: node `n` gets operands `operands[n.index()]` in order, or is
    /// removed when that is `None`; the outputs become `outputs`. O(nodes + edges), whatever the
    /// fan-out (removing edges one by one walks each source's edge list).
    pub fn rewire(&mut self, operands: &[Option<SmallVec<[NodeId; 2]>>], outputs: Vec<NodeId>) {
        self.g.clear_edges();
        let ids = self.node_ids();
        for &n in &ids {
            if operands.get(n.index()).is_none_or(|o| o.is_none()) {
                // No edges left: removing it is O(1).
                self.g.remove_node(n);
            }
        }
        for &n in &ids {
            if let Some(Some(ins)) = operands.get(n.index()) {
                for (pos, &o) in ins.iter().enumerate() {
                    self.g.add_edge(o, n, pos as u8);
                }
            }
        }
        self.count(ids.len() + self.g.edge_count());
        self.outputs = outputs;
    }

    /// All node ids, in index order.
    pub fn node_ids(&self) -> Vec<NodeId> {
        self.count(self.g.node_count());
        self.g.node_indices().collect()
    }

    /// A topological order (operands before users), deterministic: ties go to the lower id.
    pub fn topo_order(&self) -> Vec<NodeId> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        self.count(self.g.node_count() + self.g.edge_count());
        // Graphs built from a key list operands first, and the passes keep it so: index order
        // is then the answer (it is what the heap below would give), found in O(edges).
        if self.g.edge_references().all(|e| e.source() < e.target()) {
            return self.g.node_indices().collect();
        }
        let bound = self.g.node_bound();
        let mut indeg = vec![0u32; bound];
        let mut heap = BinaryHeap::new();
        for n in self.g.node_indices() {
            let d = self.g.edges_directed(n, Direction::Incoming).count() as u32;
            indeg[n.index()] = d;
            if d == 0 {
                heap.push(Reverse(n));
            }
        }
        let mut order = Vec::with_capacity(self.g.node_count());
        while let Some(Reverse(n)) = heap.pop() {
            order.push(n);
            for e in self.g.edges_directed(n, Direction::Outgoing) {
                let t = e.target();
                indeg[t.index()] -= 1;
                if indeg[t.index()] == 0 {
                    heap.push(Reverse(t));
                }
            }
        }
        order
    }

    /// Checks structural invariants: operand counts match arity, shapes and dtypes agree with
    /// what the op infers from its operands, outputs exist, and the graph is acyclic.
    pub fn validate(&self) -> Result<()> {
        for n in self.g.node_indices() {
            let node = &self.g[n];
            let ins = self.inputs(n);
            if ins.len() != node.op.arity() {
                return Err(Error::Internal(format!(
                    "node {} ({}) has {} operands",
                    n.index(),
                    node.op.name(),
                    ins.len()
                )));
            }
            let shapes: SmallVec<[&Shape; 2]> = ins.iter().map(|&i| &self.g[i].shape).collect();
            let ok = match &node.op {
                Op::Source(_) => true,
                Op::Unary(_) => shapes[0] == &node.shape && self.g[ins[0]].dtype == node.dtype,
                Op::Binary(_) => Shape::broadcast("validate", shapes[0], shapes[1]).ok().as_ref() == Some(&node.shape),
                Op::Where => {
                    let ab = Shape::broadcast("validate", shapes[1], shapes[2]).ok();
                    ab.and_then(|ab| Shape::broadcast("validate", shapes[0], &ab).ok()).as_ref() == Some(&node.shape)
                        && self.g[ins[0]].dtype == crate::DType::Bool
                }
                Op::ArgReduce { dim, keepdim, .. } => {
                    let mut d: SmallVec<[usize; 6]> = SmallVec::from_slice(shapes[0].dims());
                    *dim < d.len() && {
                        if *keepdim {
                            d[*dim] = 1;
                        } else {
                            d.remove(*dim);
                        }
                        d.as_slice() == node.shape.dims()
                    }
                }
                Op::Reshape => shapes[0].numel() == node.shape.numel(),
                Op::Cast(d) => shapes[0] == &node.shape && *d == node.dtype,
                Op::Permute(p) => {
                    let d = shapes[0].dims();
                    p.len() == d.len()
                        && p.iter().enumerate().all(|(i, &j)| j < d.len() && node.shape.dims()[i] == d[j])
                }
                Op::Expand => shapes[0].broadcasts_to(&node.shape),
                Op::Concat { dim, .. } => {
                    let o = node.shape.dims();
                    *dim < o.len()
                        && shapes.iter().map(|s| s.dims().get(*dim).copied().unwrap_or(0)).sum::<usize>() == o[*dim]
                        && shapes.iter().all(|s| {
                            s.ndim() == o.len()
                                && s.dims().iter().zip(o).enumerate().all(|(i, (a, b))| i == *dim || a == b)
                        })
                }
                Op::Slice { dim, start, step } => {
                    let (i, o) = (shapes[0].dims(), node.shape.dims());
                    *dim < i.len() && i.len() == o.len() && *step != 0 && {
                        let n = o[*dim] as isize;
                        n == 0 || {
                            let last = *start as isize + (n - 1) * step;
                            *start < i[*dim] && last >= 0 && (last as usize) < i[*dim]
                        }
                    }
                }
                Op::MatMul => {
                    let (a, b) = (shapes[0].dims(), shapes[1].dims());
                    a.len() >= 2
                        && b.len() >= 2
                        && a[a.len() - 1] == b[b.len() - 2]
                        && node.shape.dims().ends_with(&[a[a.len() - 2], b[b.len() - 1]])
                }
                Op::Reduce { axes, keepdim, .. } => {
                    let in_dims = shapes[0].dims();
                    axes.iter().all(|&a| a < in_dims.len()) && {
                        let out: SmallVec<[usize; 6]> = in_dims
                            .iter()
                            .enumerate()
                            .filter_map(|(i, &d)| if axes.contains(&i) { keepdim.then_some(1) } else { Some(d) })
                            .collect();
                        out.as_slice() == node.shape.dims()
                    }
                }
            };
            if !ok {
                return Err(Error::Internal(format!(
                    "node {} ({}) has shape {} inconsistent with its operands {:?}",
                    n.index(),
                    node.op.name(),
                    node.shape,
                    shapes
                )));
            }
        }
        for &o in &self.outputs {
            if !self.g.contains_node(o) {
                return Err(Error::Internal(format!("output {} was removed", o.index())));
            }
        }
        if self.topo_order().len() != self.g.node_count() {
            return Err(Error::Internal("graph has a cycle".into()));
        }
        Ok(())
    }

    /// Deterministic text dump in topological order, one node per line.
    pub fn dump(&self) -> String {
        let mut s = String::new();
        for n in self.topo_order() {
            let node = &self.g[n];
            let ins: Vec<String> = self.inputs(n).iter().map(|i| format!("%{}", i.index())).collect();
            let args = if ins.is_empty() { String::new() } else { format!("({})", ins.join(", ")) };
            let _ = writeln!(s, "%{} = {}{} : {} {}", n.index(), node.op.name(), args, node.dtype, node.shape);
        }
        let outs: Vec<String> = self.outputs.iter().map(|o| format!("%{}", o.index())).collect();
        let _ = writeln!(s, "outputs: {}", outs.join(", "));
        s
    }

    /// Output shapes and dtypes (what every pass must preserve).
    pub fn signature(&self) -> Vec<(Shape, DType)> {
        self.outputs.iter().map(|&o| (self.g[o].shape.clone(), self.g[o].dtype)).collect()
    }
}

/// One node of a [`GraphKey`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyNode {
    /// The node.
    pub node: GNode,
    /// Positions of its operands in the key's node list.
    pub operands: SmallVec<[u32; 2]>,
}

/// A canonical, data-free description of a lowered DAG: equal keys mean the same plan applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GraphKey {
    /// Nodes in post-order (operands first).
    pub nodes: Vec<KeyNode>,
    /// Positions of the outputs.
    pub outputs: Vec<u32>,
    /// Whether the plan is fused (part of the key: eager plans are cached apart).
    pub fused: bool,
}

impl GraphKey {
    /// Builds the IR graph this key describes.
    pub fn to_graph(&self) -> Graph {
        let mut g = Graph::new();
        let mut ids: Vec<NodeId> = Vec::with_capacity(self.nodes.len());
        for k in &self.nodes {
            let ops: SmallVec<[NodeId; 2]> = k.operands.iter().map(|&o| ids[o as usize]).collect();
            ids.push(g.add_node(k.node.clone(), &ops));
        }
        for &o in &self.outputs {
            g.add_output(ids[o as usize]);
        }
        g
    }
}

/// The result of lowering tensors: the structure and the buffers bound to its input slots.
pub struct Lowered {
    /// The structure.
    pub key: GraphKey,
    /// Buffers of already-evaluated tensors, by input slot (after the placeholders).
    pub inputs: Vec<Buffer>,
    /// Number of leading input slots that are placeholders.
    pub num_placeholders: usize,
}

/// Node id → position while walking: a linear scan while the graph is small (per-call
/// expressions of a few nodes, where hashing and allocating a table cost more), a hash map beyond.
#[derive(Default)]
struct IdIndex {
    /// Ids by position, while there are at most 32.
    small: SmallVec<[usize; 32]>,
    large: Option<HashMap<usize, u32>>,
}

impl IdIndex {
    fn get(&self, id: &usize) -> Option<u32> {
        match &self.large {
            Some(m) => m.get(id).copied(),
            // Backwards: operands tend to be the nodes just emitted.
            None => self.small.iter().rposition(|k| k == id).map(|p| p as u32),
        }
    }
    fn contains_key(&self, id: &usize) -> bool {
        self.get(id).is_some()
    }
    /// Records `id` at the next position.
    fn push(&mut self, id: usize) {
        match &mut self.large {
            Some(m) => {
                m.insert(id, m.len() as u32);
            }
            None if self.small.len() < 32 => self.small.push(id),
            None => {
                let mut m: HashMap<usize, u32> = self.small.drain(..).enumerate().map(|(p, k)| (k, p as u32)).collect();
                m.insert(id, m.len() as u32);
                self.large = Some(m);
            }
        }
    }
}

/// One node of a [`Walk`].
pub struct WalkNode {
    /// The tensor. An evaluated tensor or a placeholder stands for its input slot.
    pub tensor: Tensor,
    /// The input slot, for evaluated tensors and placeholders.
    pub slot: Option<u32>,
    /// Positions of its operands in the walk's node list.
    pub operands: SmallVec<[u32; 2]>,
}

impl WalkNode {
    /// Whether this node is what key node `k` describes.
    fn matches(&self, k: &KeyNode) -> bool {
        let t = &self.tensor;
        let op_ok = match (self.slot, &k.node.op) {
            (Some(s), Op::Source(SourceOp::Input(i))) => *i == s as usize,
            (Some(_), _) => false,
            (None, op) => op == t.op(),
        };
        op_ok
            && k.node.dtype == t.dtype()
            && &k.node.shape == t.shape()
            && k.operands.len() == self.operands.len()
            && k.operands.iter().zip(&self.operands).all(|(a, b)| a == b)
    }
}

/// The reachable, not-yet-evaluated part of a DAG in post-order (operands first), before it is
/// turned into a [`GraphKey`]: evaluation looks its plan up by `hash` and checks the candidate
/// key against these nodes, so a cache hit copies no op or shape.
pub struct Walk {
    /// Nodes in post-order.
    pub nodes: Vec<WalkNode>,
    /// Positions of the outputs.
    pub outputs: SmallVec<[u32; 2]>,
    /// Whether the plan is fused.
    pub fused: bool,
    /// Hash of the structure: equal for walks whose keys are equal.
    pub hash: u64,
    /// Buffers of the evaluated tensors, by input slot (after the placeholders).
    pub inputs: SmallVec<[Buffer; 4]>,
    /// Number of leading input slots that are placeholders.
    pub num_placeholders: usize,
}

impl Walk {
    /// The canonical key (copies every op and shape: for a cache miss).
    pub fn key(&self) -> GraphKey {
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                let t = &n.tensor;
                let op = match n.slot {
                    Some(s) => Op::Source(SourceOp::Input(s as usize)),
                    None => t.op().clone(),
                };
                KeyNode { node: GNode { op, shape: t.shape().clone(), dtype: t.dtype() }, operands: n.operands.clone() }
            })
            .collect();
        GraphKey { nodes, outputs: self.outputs.to_vec(), fused: self.fused }
    }

    /// Whether `key` describes this walk.
    pub fn matches(&self, key: &GraphKey) -> bool {
        key.fused == self.fused
            && key.outputs == self.outputs.as_slice()
            && key.nodes.len() == self.nodes.len()
            && self.nodes.iter().zip(&key.nodes).all(|(n, k)| n.matches(k))
    }

    /// The tensor bound to input `slot`.
    pub fn input_tensor(&self, slot: usize) -> Option<&Tensor> {
        self.nodes.iter().find(|n| n.slot == Some(slot as u32)).map(|n| &n.tensor)
    }

    /// The evaluated tensors bound to input slots, in slot order (the walk's other handles are
    /// dropped).
    pub fn into_input_tensors(self) -> Vec<Tensor> {
        let np = self.num_placeholders as u32;
        self.nodes.into_iter().filter(|n| n.slot.is_some_and(|s| s >= np)).map(|n| n.tensor).collect()
    }
}

/// Hashes a tensor's dtype and a summary of its shape (rank and size; the key check on a hit
/// compares the dims themselves).
fn hash_shape(h: &mut FoldHasher, t: &Tensor) {
    let s = t.shape();
    h.write_usize(s.ndim() << 8 | t.dtype() as usize);
    h.write_usize(s.numel());
}

/// The seed of walk hashes (fixed, so equal structures hash alike in every walk).
const WALK_SEED: u64 = 0x5275_7374_546f_7263;

/// Walks the DAG reachable from `outputs` without recursion. `placeholders` get input slots
/// `0..placeholders.len()` in order; evaluated tensors get the following slots.
pub fn walk(outputs: &[Tensor], placeholders: &[Tensor], fused: bool) -> Result<Walk> {
    let mut index = IdIndex::default();
    let mut nodes: Vec<WalkNode> = Vec::with_capacity(16);
    let mut inputs: SmallVec<[Buffer; 4]> = SmallVec::new();
    let mut h = foldhash::fast::FixedState::with_seed(WALK_SEED).build_hasher();
    fused.hash(&mut h);
    // Input slots hash as their slot number under a tag no op hashes to.
    let hash_input = |h: &mut FoldHasher, slot: usize, t: &Tensor| {
        h.write_u64(u64::MAX);
        h.write_usize(slot);
        hash_shape(h, t);
    };
    for (i, p) in placeholders.iter().enumerate() {
        if !p.is_placeholder() {
            return Err(Error::BadInput { index: i, reason: "not a placeholder tensor".into() });
        }
        index.push(p.id());
        hash_input(&mut h, i, p);
        nodes.push(WalkNode { tensor: p.clone(), slot: Some(i as u32), operands: SmallVec::new() });
    }
    let np = placeholders.len();
    // Explicit-stack post-order DFS: a node is emitted once all its operands are; until then it
    // goes back on the stack under them.
    // (Plain pushes and loops below, not iterator collects: this runs on every evaluation, and
    // the collects cost several times the work.)
    // The DFS stack is two parallel stacks of plain words (pushing a two-word frame built on
    // the stack stalled on store forwarding): the tensor, and `ENTER` to visit it or, to emit it
    // once its operands are, where its operands' ids start on `exit_ids`.
    const ENTER: u32 = u32::MAX;
    let mut stack: SmallVec<[Tensor; 16]> = SmallVec::new();
    let mut frames: SmallVec<[u32; 16]> = SmallVec::new();
    let mut exit_ids: SmallVec<[usize; 16]> = SmallVec::new();
    for t in outputs.iter().rev() {
        stack.push(t.clone());
        frames.push(ENTER);
    }
    let emit =
        |t: Tensor, ids: SmallVec<[u32; 2]>, index: &mut IdIndex, nodes: &mut Vec<WalkNode>, h: &mut FoldHasher| {
            index.push(t.id());
            t.op().hash(h);
            hash_shape(h, &t);
            for &i in &ids {
                h.write_u32(i);
            }
            nodes.push(WalkNode { tensor: t, slot: None, operands: ids });
        };
    while let (Some(t), Some(frame)) = (stack.pop(), frames.pop()) {
        match frame {
            ENTER => {}
            // Its operands were all emitted since it was entered.
            start => {
                let mut ids = SmallVec::new();
                for id in &exit_ids[start as usize..] {
                    ids.push(index.get(id).expect("operands come first"));
                }
                exit_ids.truncate(start as usize);
                emit(t, ids, &mut index, &mut nodes, &mut h);
                continue;
            }
        }
        if index.contains_key(&t.id()) {
            continue;
        }
        let state = t.state();
        let operands = match &*state {
            NodeState::Ready(buf) => {
                let slot = np + inputs.len();
                inputs.push(buf.clone());
                drop(state);
                index.push(t.id());
                hash_input(&mut h, slot, &t);
                nodes.push(WalkNode { tensor: t, slot: Some(slot as u32), operands: SmallVec::new() });
                continue;
            }
            NodeState::Lazy(ops) => ops,
            NodeState::Donated => return Err(Error::Donated { shape: t.shape().clone() }),
        };
        if operands.is_empty() && t.is_placeholder_op() {
            return Err(Error::BadInput {
                index: 0,
                reason: format!("a placeholder of shape {} is not bound", t.shape()),
            });
        }
        // (An operand evaluated by another thread meanwhile is still indexed under its id.)
        let mut ids: SmallVec<[u32; 2]> = SmallVec::new();
        for o in operands {
            match index.get(&o.id()) {
                Some(i) => ids.push(i),
                None => break,
            }
        }
        if ids.len() == operands.len() {
            drop(state);
            emit(t, ids, &mut index, &mut nodes, &mut h);
            continue;
        }
        // Come back to it once the operands not seen yet are emitted (operand 0 first).
        let start = exit_ids.len() as u32;
        let mut pending: SmallVec<[Tensor; 3]> = SmallVec::new();
        for o in operands {
            exit_ids.push(o.id());
        }
        for o in operands.iter().rev() {
            if !index.contains_key(&o.id()) {
                pending.push(o.clone());
            }
        }
        drop(state);
        stack.push(t);
        frames.push(start);
        for o in pending {
            stack.push(o);
            frames.push(ENTER);
        }
    }
    let outs: SmallVec<[u32; 2]> =
        outputs.iter().map(|t| index.get(&t.id()).expect("every output was walked")).collect();
    outs.hash(&mut h);
    Ok(Walk { nodes, outputs: outs, fused, hash: h.finish(), inputs, num_placeholders: np })
}

/// Lowers the DAG reachable from `outputs` (see [`walk`]) to its key and inputs.
pub fn lower(outputs: &[Tensor], placeholders: &[Tensor], fused: bool) -> Result<Lowered> {
    let mut w = walk(outputs, placeholders, fused)?;
    Ok(Lowered { key: w.key(), inputs: std::mem::take(&mut w.inputs).into_vec(), num_placeholders: w.num_placeholders })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluated(v: Vec<f32>) -> Tensor {
        let n = v.len();
        let t = Tensor::from_vec(v, [n]).unwrap();
        assert!(t.is_evaluated());
        t
    }

    /// Each walk matches its own key and no other: sharing, constants, ops, shapes, dtypes,
    /// output order and fusion all count, and buffers do not.
    #[test]
    fn a_walk_matches_exactly_the_keys_of_its_structure() {
        let (a, b) = (evaluated(vec![1.0, 2.0]), evaluated(vec![3.0, 4.0]));
        let a2 = evaluated(vec![5.0, 6.0]);
        let c = evaluated(vec![1.0, 2.0, 3.0]);
        let graphs: Vec<(Vec<Tensor>, bool)> = vec![
            (vec![(&a * &a).unwrap()], true),
            (vec![(&a * &b).unwrap()], true),
            (vec![(&a * &b).unwrap()], false),
            (vec![(&a + &b).unwrap()], true),
            (vec![(&a * 0.5).unwrap()], true),
            (vec![(&a * 0.7).unwrap()], true),
            (vec![(&c * 0.5).unwrap()], true),
            (vec![(&a * 0.5).unwrap().cast(DType::F64).unwrap()], true),
            (vec![(&a * &b).unwrap(), (&a + &b).unwrap()], true),
            (vec![(&a + &b).unwrap(), (&a * &b).unwrap()], true),
        ];
        let walks: Vec<Walk> = graphs.iter().map(|(o, f)| walk(o, &[], *f).unwrap()).collect();
        for (i, wi) in walks.iter().enumerate() {
            for (j, wj) in walks.iter().enumerate() {
                assert_eq!(wi.matches(&wj.key()), i == j, "walk {i} against key {j}");
            }
        }
        // Another buffer of the same shape, and a new build of the same expression: same key.
        let again = walk(&[(&a2 * &b).unwrap()], &[], true).unwrap();
        assert!(again.matches(&walks[1].key()));
        assert_eq!(again.hash, walks[1].hash);
    }
}
