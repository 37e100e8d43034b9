//! Common-subexpression elimination: structurally equal nodes (same op, shape, dtype and
//! operands; commutative operands in either order) are merged into one.

use super::Pass;
use crate::graph::{GNode, Graph, NodeId};
use crate::hash::HashMap;
use crate::op::Op;
use crate::rewrite::Rewriter;
use crate::Result;
use hashbrown::hash_map::Entry;
use smallvec::SmallVec;

/// Merges structurally identical nodes by hashing `(node, operands)` in topological order.
pub struct CommonSubexpressionElimination;

impl Pass for CommonSubexpressionElimination {
    fn name(&self) -> &'static str {
        "common_subexpression"
    }

    fn run(&self, g: &mut Graph) -> Result<bool> {
        let mut seen: HashMap<(GNode, SmallVec<[NodeId; 2]>), NodeId> = HashMap::default();
        let mut rw = Rewriter::new(g);
        for i in 0..rw.order().len() {
            let n = rw.at(i);
            // Operands already merged, so equal chains merge node by node in one sweep.
            let mut ins = rw.inputs(n);
            if let Op::Binary(b) = rw.node(n).op {
                if b.is_commutative() {
                    ins.sort_unstable();
                }
            }
            match seen.entry((rw.node(n).clone(), ins)) {
                Entry::Occupied(prev) => rw.replace(n, *prev.get()),
                Entry::Vacant(slot) => {
                    slot.insert(n);
                }
            }
        }
        rw.finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::passes::testing::{assert_optimized, lowered};
    use crate::passes::{CommonSubexpressionElimination, DeadCodeElimination, Pass};
    use crate::{DType, Tensor};

    #[test]
    fn merges_repeated_and_commuted_work() {
        let a = Tensor::placeholder([8], DType::F32).unwrap();
        let b = Tensor::placeholder([8], DType::F32).unwrap();
        let y = ((&a * &b).unwrap() + (&b * &a).unwrap()).unwrap();
        let passes: &[&dyn Pass] = &[&CommonSubexpressionElimination, &DeadCodeElimination];
        let changed = assert_optimized!(&mut lowered(&[y], &[a, b]), passes, @r"
        %0 = input0 : float32 [8]
        %1 = input1 : float32 [8]
        %2 = mul(%0, %1) : float32 [8]
        %4 = add(%2, %2) : float32 [8]
        outputs: %4
        ");
        assert!(changed[0]);
    }
}
