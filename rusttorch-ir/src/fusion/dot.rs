//! Graphviz DOT of a graph, with a plan's kernels as clusters; rendered only when asked for.

use crate::graph::{Graph, NodeId};
use crate::hash::HashSet;
use crate::plan::{FusedKernel, Plan};
use std::fmt::Write;

/// Graphviz DOT of a graph before fusion (no clusters).
pub fn graph_to_dot(g: &Graph) -> String {
    render(g, &[])
}

impl Plan {
    /// Graphviz DOT of `g`, the graph this plan was made from (as the default passes leave
    /// it), with each kernel's nodes as a cluster.
    pub fn to_dot(&self, g: &Graph) -> String {
        render(g, &self.kernels)
    }
}

fn render(g: &Graph, kernels: &[FusedKernel]) -> String {
    let mut s = String::from("digraph plan {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n");
    let mut in_kernel: HashSet<NodeId> = HashSet::default();
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
