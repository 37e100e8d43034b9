//! Dead-code elimination: removes every node no graph output depends on.

use super::Pass;
use crate::graph::Graph;
use crate::rewrite::Rewriter;
use crate::Result;

/// Removes nodes unreachable (backwards) from the outputs.
pub struct DeadCodeElimination;

impl Pass for DeadCodeElimination {
    fn name(&self) -> &'static str {
        "dead_code"
    }

    fn run(&self, g: &mut Graph) -> Result<bool> {
        let mut live = vec![false; g.node_bound()];
        let mut stack: Vec<_> = g.outputs().to_vec();
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut live[n.index()], true) {
                continue;
            }
            stack.extend(g.inputs(n));
        }
        // Removed in one batch: a dead user of a widely shared constant would otherwise walk
        // the constant's whole edge list to unlink itself.
        let mut rw = Rewriter::new(g);
        for i in 0..rw.order().len() {
            let n = rw.at(i);
            if !live[n.index()] {
                rw.remove(n);
            }
        }
        rw.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::GNode;
    use crate::passes::testing::{assert_optimized, run_passes};
    use crate::{DType, Op, Shape, SourceOp, UnaryOp};

    #[test]
    fn removes_only_unused_nodes() {
        let mut g = Graph::new();
        let x =
            g.add_node(GNode { op: Op::Source(SourceOp::Input(0)), shape: Shape::from([4]), dtype: DType::F32 }, &[]);
        let e = g.add_node(GNode { op: Op::Unary(UnaryOp::Exp), shape: Shape::from([4]), dtype: DType::F32 }, &[x]);
        let _dead = g.add_node(GNode { op: Op::Unary(UnaryOp::Log), shape: Shape::from([4]), dtype: DType::F32 }, &[x]);
        g.add_output(e);
        let changed = assert_optimized!(&mut g, &[&DeadCodeElimination], @r"
        %0 = input0 : float32 [4]
        %1 = exp(%0) : float32 [4]
        outputs: %1
        ");
        assert_eq!(changed, [true]);
        assert_eq!(run_passes(&mut g, &[&DeadCodeElimination]), [false]);
    }
}
