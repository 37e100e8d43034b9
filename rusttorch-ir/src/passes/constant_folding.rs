//! Constant folding: elementwise ops, reductions and reshapes whose operands are all `Full`
//! constants become one `Full` node, computed in the node's dtype.

use super::Pass;
use crate::graph::{GNode, Graph};
use crate::op::{Op, ReduceOp, Scalar, SourceOp};
use crate::rewrite::Rewriter;
use crate::{DType, Result};
use smallvec::SmallVec;

/// Folds constant subtrees into `Full` nodes.
pub struct ConstantFolding;

/// Rounds an f64 to what `dtype` stores.
pub fn round_to(dtype: DType, v: f64) -> f64 {
    match dtype {
        DType::F32 => v as f32 as f64,
        DType::F64 => v,
        DType::I32 => v as i32 as f64,
        DType::I64 => v as i64 as f64,
        DType::Bool => (v != 0.0) as u8 as f64,
    }
}

/// Converts a value of dtype `from` to dtype `to` with [`crate::Tensor::cast`]'s rules: float
/// to int truncates and saturates (NaN is 0), int to int wraps, anything to bool is `!= 0`.
pub fn cast_value(from: DType, to: DType, v: f64) -> f64 {
    match to {
        DType::I32 if from.is_int() => v as i64 as i32 as f64,
        _ => round_to(to, v),
    }
}

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
            let mut vals: SmallVec<[f64; 3]> = SmallVec::new();
            for &i in &ins {
                match rw.node(i).op {
                    Op::Source(SourceOp::Full(v)) => vals.push(v.get()),
                    _ => break,
                }
            }
            if vals.len() != ins.len() {
                continue;
            }
            let node = rw.node(n);
            // Integer arithmetic wraps, which f64 does not model: leave it to the kernels.
            if node.dtype.is_int() && matches!(node.op, Op::Unary(_) | Op::Binary(_) | Op::Reduce { .. }) {
                continue;
            }
            let operand = rw.node(ins[0]);
            let v = match &node.op {
                Op::Unary(u) => u.apply_f64(vals[0]),
                Op::Binary(b) => b.apply_f64(vals[0], vals[1]),
                Op::Cast(d) => cast_value(operand.dtype, *d, vals[0]),
                Op::Where => {
                    if vals[0] != 0.0 {
                        vals[1]
                    } else {
                        vals[2]
                    }
                }
                Op::Reshape | Op::Permute(_) | Op::Expand | Op::Slice { .. } => vals[0],
                Op::Reduce { op: ReduceOp::Sum, .. } => {
                    let k = operand.shape.numel() / node.shape.numel().max(1);
                    vals[0] * k as f64
                }
                Op::Reduce { .. } => vals[0],
                Op::Source(_) | Op::MatMul | Op::Concat { .. } | Op::ArgReduce { .. } => continue,
            };
            let op = Op::Source(SourceOp::Full(Scalar::new(round_to(node.dtype, v))));
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
    use crate::graph::lower;
    use crate::passes::DeadCodeElimination;
    use crate::Tensor;

    #[test]
    fn folds_constant_subtrees_in_the_node_dtype() {
        let x = Tensor::placeholder([4], DType::F32).unwrap();
        let c = Tensor::full([4], 0.1, DType::F32).unwrap();
        let k = ((&c * 3.0).unwrap().exp().unwrap() + 1.0).unwrap();
        let y = (&x * &k).unwrap();
        let mut g = lower(&[y], &[x], true).unwrap().key.to_graph();
        assert!(ConstantFolding.run(&mut g).unwrap());
        DeadCodeElimination.run(&mut g).unwrap();
        let expected = ((0.1f32 as f64 * 3.0) as f32 as f64).exp() as f32 as f64 + 1.0;
        let expected = expected as f32 as f64;
        assert_eq!(
            g.dump(),
            format!("%0 = input0 : float32 [4]\n%6 = full({expected}) : float32 [4]\n%7 = mul(%0, %6) : float32 [4]\noutputs: %7\n")
        );
    }
}
