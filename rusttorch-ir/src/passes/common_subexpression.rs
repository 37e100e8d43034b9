//! Common-subexpression elimination: structurally equal nodes (same op, shape, dtype and
//! operands; commutative operands in either order) are merged into one.

use super::Pass;
use crate::graph::{GNode, Graph, NodeId};
use crate::op::Op;
use crate::Result;
use hashbrown::HashMap;
use smallvec::SmallVec;

/// Merges structurally identical nodes by hashing `(node, operands)` in topological order.
pub struct CommonSubexpressionElimination;

impl Pass for CommonSubexpressionElimination {
    fn name(&self) -> &'static str {
        "common_subexpression"
    }

    fn run(&self, g: &mut Graph) -> Result<bool> {
        let mut seen: HashMap<(GNode, SmallVec<[NodeId; 2]>), NodeId> = HashMap::new();
        let mut changed = false;
        for n in g.topo_order() {
            let mut ins = g.inputs(n);
            if let Op::Binary(b) = g.node(n).op {
                if b.is_commutative() {
                    ins.sort_unstable();
                }
            }
            let key = (g.node(n).clone(), ins);
            match seen.get(&key) {
                Some(&prev) => {
                    g.replace_all_uses(n, prev);
                    g.remove_node(n);
                    changed = true;
                }
                None => {
                    seen.insert(key, n);
                }
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::graph::lower;
    use crate::passes::{CommonSubexpressionElimination, DeadCodeElimination, Pass};
    use crate::{DType, Tensor};

    #[test]
    fn merges_repeated_and_commuted_work() {
        let a = Tensor::placeholder([8], DType::F32).unwrap();
        let b = Tensor::placeholder([8], DType::F32).unwrap();
        let y = ((&a * &b).unwrap() + (&b * &a).unwrap()).unwrap();
        let mut g = lower(&[y], &[a, b], true).unwrap().key.to_graph();
        assert!(CommonSubexpressionElimination.run(&mut g).unwrap());
        DeadCodeElimination.run(&mut g).unwrap();
        assert_eq!(
            g.dump(),
            "%0 = input0 : float32 [8]\n%1 = input1 : float32 [8]\n%2 = mul(%0, %1) : float32 [8]\n%4 = add(%2, %2) : float32 [8]\noutputs: %4\n"
        );
    }
}
