//! Reading and rebuilding a graph from outside the planner: [`Tensor::graph_nodes`] lists the
//! nodes a set of tensors is built from, [`Tensor::substitute`] rebuilds them over other
//! operands with their shapes inferred again. `rusttorch.dask` uses both to cut a graph into
//! regions and to run each region over one chunk of its inputs.

use super::state::NodeState;
use super::Tensor;
use crate::error::Error;
use crate::hash::HashMap;
use crate::infer::{fits, infer_shape};
use crate::op::Op;
use crate::{Result, Shape};
use smallvec::SmallVec;

/// One node of a graph listing: the tensor and the positions (in the listing) of its operands.
#[derive(Clone, Debug)]
pub struct GraphNode {
    /// The node.
    pub tensor: Tensor,
    /// Positions of its operands in the listing, in operand order (empty for leaves and for
    /// evaluated tensors, which are leaves whatever they were built from).
    pub operands: SmallVec<[usize; 3]>,
}

impl Tensor {
    /// The nodes `outputs` are built from, operands before their users, each once (a shared
    /// node is listed once however many nodes use it). Evaluated tensors are leaves. Nothing is
    /// evaluated; the walk uses no recursion, so any depth is fine.
    pub fn graph_nodes(outputs: &[Tensor]) -> Vec<GraphNode> {
        let mut index: HashMap<usize, usize> = HashMap::default();
        let mut nodes: Vec<GraphNode> = Vec::new();
        // (tensor, whether its operands were pushed already)
        let mut stack: Vec<(Tensor, bool)> = outputs.iter().rev().map(|t| (t.clone(), false)).collect();
        while let Some((t, expanded)) = stack.pop() {
            if index.contains_key(&t.id()) {
                continue;
            }
            let operands = lazy_operands(&t);
            if expanded || operands.iter().all(|o| index.contains_key(&o.id())) {
                let operands = operands.iter().map(|o| index[&o.id()]).collect();
                index.insert(t.id(), nodes.len());
                nodes.push(GraphNode { tensor: t, operands });
                continue;
            }
            stack.push((t, true));
            for o in operands.into_iter().rev() {
                if !index.contains_key(&o.id()) {
                    stack.push((o, false));
                }
            }
        }
        nodes
    }

    /// `outputs` rebuilt with each node of `from` replaced by the tensor at the same position of
    /// `to` (of the same dtype, any shape its users accept): every node depending on a replaced
    /// one is built again over the new operands, its shape inferred again (a reshape, expand or
    /// slice keeps its own shape, which its new operand must allow). Nodes depending on none are
    /// shared with the original graph. Nothing is evaluated.
    pub fn substitute(outputs: &[Tensor], from: &[Tensor], to: &[Tensor]) -> Result<Vec<Tensor>> {
        let bad = |index: usize, reason: String| Error::BadInput { index, reason };
        if from.len() != to.len() {
            return Err(bad(0, format!("{} tensors to replace, {} replacements", from.len(), to.len())));
        }
        let mut new: HashMap<usize, Tensor> = HashMap::default();
        for (i, (f, t)) in from.iter().zip(to).enumerate() {
            if f.dtype() != t.dtype() {
                return Err(bad(i, format!("a {} tensor cannot replace a {} one", t.dtype(), f.dtype())));
            }
            new.insert(f.id(), t.clone());
        }
        let nodes = Tensor::graph_nodes(outputs);
        let mut rebuilt: Vec<Tensor> = Vec::with_capacity(nodes.len());
        for n in &nodes {
            let t = &n.tensor;
            if let Some(r) = new.get(&t.id()) {
                rebuilt.push(r.clone());
                continue;
            }
            let ops: SmallVec<[Tensor; 3]> = n.operands.iter().map(|&i| rebuilt[i].clone()).collect();
            let old = lazy_operands(t);
            if ops.iter().zip(&old).all(|(a, b)| a.id() == b.id()) {
                rebuilt.push(t.clone());
                continue;
            }
            // Reductions go through their builder, which drops size-1 axes and turns empty
            // ones into constants: kernels never see a `Reduce` node over either.
            if let Op::Reduce { op, axes, keepdim } = t.op() {
                let dims: SmallVec<[isize; 4]> = axes.iter().map(|&a| a as isize).collect();
                rebuilt.push(ops[0].reduce_nodes(*op, Some(&dims), *keepdim)?);
                continue;
            }
            let shapes: SmallVec<[&Shape; 3]> = ops.iter().map(|o| o.shape()).collect();
            let shape = match t.op() {
                Op::Reshape | Op::Expand | Op::Slice { .. } if fits(t.op(), &shapes, t.shape()) => t.shape().clone(),
                Op::Reshape | Op::Expand | Op::Slice { .. } => return Err(refit(t, &shapes)),
                op => infer_shape(op, &shapes).map_err(|_| refit(t, &shapes))?,
            };
            drop(shapes);
            rebuilt.push(Tensor::from_parts(t.op().clone(), shape, t.dtype(), ops.into_iter().collect()));
        }
        let at: HashMap<usize, usize> = nodes.iter().enumerate().map(|(i, n)| (n.tensor.id(), i)).collect();
        Ok(outputs.iter().map(|o| rebuilt[at[&o.id()]].clone()).collect())
    }
}

/// The operands of a lazy node (none for leaves and evaluated tensors).
fn lazy_operands(t: &Tensor) -> SmallVec<[Tensor; 3]> {
    match &*t.state() {
        NodeState::Lazy(ops) => ops.iter().cloned().collect(),
        NodeState::Ready(_) | NodeState::Donated => SmallVec::new(),
    }
}

/// The error for a node whose op does not accept its new operands' shapes.
fn refit(t: &Tensor, shapes: &[&Shape]) -> Error {
    let list: Vec<String> = shapes.iter().map(|s| s.to_string()).collect();
    Error::BadShape {
        op: "substitute",
        reason: format!(
            "{} of shape {} cannot be rebuilt over operands of shapes {}",
            t.op().name(),
            t.shape(),
            list.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn lists_shared_nodes_once_operands_first() {
        let x = Tensor::placeholder([4], DType::F32).unwrap();
        let e = x.exp().unwrap();
        let y = (&e * &e).unwrap();
        let nodes = Tensor::graph_nodes(std::slice::from_ref(&y));
        assert_eq!(nodes.len(), 3);
        assert_eq!(nodes[0].tensor.id(), x.id());
        assert_eq!(nodes[2].operands.as_slice(), &[1, 1]);
    }

    #[test]
    fn rebuilds_over_other_shapes_and_shares_the_rest() {
        let x = Tensor::placeholder([4, 3], DType::F32).unwrap();
        let b = Tensor::placeholder([3], DType::F32).unwrap();
        let y = (&x.exp().unwrap() + &b).unwrap().sum(Some(&[1]), true).unwrap();
        let c = Tensor::placeholder([2, 3], DType::F32).unwrap();
        let got =
            Tensor::substitute(std::slice::from_ref(&y), std::slice::from_ref(&x), std::slice::from_ref(&c)).unwrap();
        assert_eq!(got[0].shape().dims(), &[2, 1]);
        // Unrelated outputs come back as they were.
        let same =
            Tensor::substitute(std::slice::from_ref(&b), std::slice::from_ref(&x), std::slice::from_ref(&c)).unwrap();
        assert_eq!(same[0].id(), b.id());
    }

    #[test]
    fn reductions_over_size_one_or_empty_axes_are_rebuilt_as_builders_make_them() {
        let x = Tensor::placeholder([4, 3], DType::F32).unwrap();
        let y = x.sum(Some(&[1]), true).unwrap();
        for (dims, want) in [(&[4usize, 1][..], "reshape"), (&[4, 0][..], "full")] {
            let c = Tensor::placeholder(dims.to_vec(), DType::F32).unwrap();
            let got = Tensor::substitute(std::slice::from_ref(&y), std::slice::from_ref(&x), &[c]).unwrap();
            assert_eq!(got[0].shape().dims(), &[4, 1]);
            assert!(!matches!(got[0].op(), Op::Reduce { .. }), "{dims:?}: {}", got[0].op().name());
            assert!(
                got[0].op().name().starts_with(want) || matches!(got[0].op(), Op::Source(_)),
                "{}",
                got[0].op().name()
            );
        }
    }

    #[test]
    fn rejects_other_dtypes_and_shapes_an_op_cannot_take() {
        let x = Tensor::placeholder([4, 3], DType::F32).unwrap();
        let y = x.reshape(&[12]).unwrap();
        let c = Tensor::placeholder([2, 3], DType::F32).unwrap();
        let err = Tensor::substitute(std::slice::from_ref(&y), std::slice::from_ref(&x), std::slice::from_ref(&c));
        assert!(err.unwrap_err().to_string().contains("reshape"));
        let i = Tensor::placeholder([4, 3], DType::I32).unwrap();
        assert!(
            Tensor::substitute(std::slice::from_ref(&y), std::slice::from_ref(&x), std::slice::from_ref(&i)).is_err()
        );
    }
}
