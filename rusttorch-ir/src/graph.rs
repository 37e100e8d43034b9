//! The IR graph: a narrow newtype over a petgraph `StableGraph`, and [`GraphKey`], the
//! canonical, data-free description of a graph (ops, shapes, dtypes, edges) that lazy tensors
//! are lowered to ([`crate::tensor::lower`]) and plan caches are keyed by.

use crate::op::{Op, SourceOp};
use crate::{infer, DType, Error, Result, Shape};
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use petgraph::Direction;
use smallvec::SmallVec;
use std::cell::Cell;
use std::fmt::Write;

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
            // Shapes by the rules the tensor builders apply ([`infer`]); dtypes where the op fixes them.
            let dtype_ok = match &node.op {
                Op::Unary(_) => self.g[ins[0]].dtype == node.dtype,
                Op::Where => self.g[ins[0]].dtype == DType::Bool,
                Op::Cast(d) => *d == node.dtype,
                _ => true,
            };
            let ok = dtype_ok && infer::fits(&node.op, &shapes, &node.shape);
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
