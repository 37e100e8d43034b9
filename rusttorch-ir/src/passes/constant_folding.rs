//! Constant folding: elementwise ops, reductions and reshapes whose operands are all `Full`
//! constants become one `Full` node, computed in the node's dtype.

use super::Pass;
use crate::graph::{GNode, Graph};
use crate::op::{BinaryOp, Op, ReduceOp, Scalar, SourceOp};
use crate::rewrite::Rewriter;
use crate::{DType, Result};
use smallvec::SmallVec;

/// Folds constant subtrees into `Full` nodes.
pub struct ConstantFolding;

impl Pass for ConstantFolding {
    fn name(&self) -> &'static str {
        "constant_folding"
    }

    /// One post-order sweep: a node's operands are folded before it is visited, so a constant
    /// chain folds in the same sweep, each node from its operands' values (never re-evaluating
    /// the chain below it).
    fn run(&self, g: &mut Graph) -> Result<bool> {
        let mut rw = Rewriter::new(g);
        for i in 0..rw.order().len() {
            let n = rw.at(i);
            let ins = rw.inputs(n);
            if ins.is_empty() {
                continue;
            }
            let mut vals: SmallVec<[Scalar; 3]> = SmallVec::new();
            for &i in &ins {
                match rw.node(i).op {
                    Op::Source(SourceOp::Full(v)) => vals.push(v),
                    _ => break,
                }
            }
            if vals.len() != ins.len() {
                continue;
            }
            let node = rw.node(n);
            // Integer arithmetic wraps and integers beyond 2^53 have no f64, neither of which
            // `apply_f64` models: leave ops on ints (comparisons of ints too) to the kernels.
            let on_ints = node.dtype.is_int() || ins.iter().any(|&i| rw.node(i).dtype.is_int());
            if on_ints && matches!(node.op, Op::Unary(_) | Op::Binary(_) | Op::Reduce { .. }) {
                continue;
            }
            // `nextafter`'s f64 reference steps an f64 ulp, not a float32 one.
            if matches!(node.op, Op::Binary(BinaryOp::NextAfter)) && node.dtype != DType::F64 {
                continue;
            }
            let in_numel = rw.node(ins[0]).shape.numel();
            let x = |i: usize| vals[i].get();
            let v = match &node.op {
                Op::Unary(u) => Scalar::new(u.apply_f64(x(0))),
                Op::Binary(b) => Scalar::new(b.apply_f64(x(0), x(1))),
                Op::Cast(_) => vals[0],
                Op::Where => {
                    if x(0) != 0.0 {
                        vals[1]
                    } else {
                        vals[2]
                    }
                }
                Op::Reshape | Op::Permute(_) | Op::Expand | Op::Slice { .. } => vals[0],
                Op::Reduce { op: ReduceOp::Sum, .. } => {
                    let k = in_numel / node.shape.numel().max(1);
                    Scalar::new(x(0) * k as f64)
                }
                Op::Reduce { op: ReduceOp::Prod, .. } => {
                    let k = in_numel / node.shape.numel().max(1);
                    Scalar::new(x(0).powi(i32::try_from(k).unwrap_or(i32::MAX)))
                }
                Op::Reduce { .. } => vals[0],
                Op::Source(_)
                | Op::MatMul
                | Op::Concat { .. }
                | Op::ArgReduce { .. }
                | Op::Line { .. }
                | Op::Gather { .. }
                | Op::Scatter { .. }
                | Op::Search { .. } => continue,
            };
            // The value in the node's dtype, by the cast rule (exact for ints).
            let op = Op::Source(SourceOp::Full(v.cast(node.dtype)));
            let folded = GNode { op, shape: node.shape.clone(), dtype: node.dtype };
            // In place: its users keep their edges, and only its own operand edges go.
            rw.set(n, folded, &[]);
        }
        rw.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::{assert_optimized, lowered};
    use crate::passes::DeadCodeElimination;
    use crate::{DType, Tensor};

    #[test]
    fn folds_constant_subtrees_in_the_node_dtype() {
        let x = Tensor::placeholder([4], DType::F32).unwrap();
        let c = Tensor::full([4], 0.1, DType::F32).unwrap();
        let k = ((&c * 3.0).unwrap().exp().unwrap() + 1.0).unwrap();
        let y = (&x * &k).unwrap();
        let mut g = lowered(&[y], &[x]);
        let changed = assert_optimized!(&mut g, &[&ConstantFolding, &DeadCodeElimination], @r"
        %0 = input0 : float32 [4]
        %6 = full(2.3498587608337402) : float32 [4]
        %7 = mul(%0, %6) : float32 [4]
        outputs: %7
        ");
        assert!(changed[0]);
        // The folded value is each step's, rounded to float32.
        let expected = ((0.1f32 as f64 * 3.0) as f32 as f64).exp() as f32 as f64 + 1.0;
        let expected = expected as f32 as f64;
        assert!(g.dump().contains(&format!("= full({expected}) : float32 [4]\n")), "{}", g.dump());
    }
}
