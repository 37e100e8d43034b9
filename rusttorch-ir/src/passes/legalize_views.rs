//! View legalisation: a view the fusion planner cannot read in place is copied first.

use super::Pass;
use crate::graph::{GNode, Graph, NodeId};
use crate::hash::HashMap;
use crate::op::{Op, UnaryOp};
use crate::view::{apply_view, contiguous, is_contiguous, Layout};
use crate::Result;

/// Inserts a `copy` where a view cannot stay a view: a reshape of a non-contiguous view (no
/// strides express it), a graph output that is not its whole base buffer in order, a matmul
/// operand that is not a plain contiguous buffer.
pub struct LegalizeViews;

impl Pass for LegalizeViews {
    fn name(&self) -> &'static str {
        "legalize_views"
    }

    fn run(&self, g: &mut Graph) -> Result<bool> {
        let fixes = illegal_uses(g);
        let changed = !fixes.is_empty();
        for Use { user, pos, view } in fixes {
            let node = g.node(view);
            let copy = GNode { op: Op::Unary(UnaryOp::Copy), shape: node.shape.clone(), dtype: node.dtype };
            let c = g.add_node(copy, &[view]);
            match user {
                Some(u) => g.set_input(u, pos, c),
                None => g.set_output(pos, c),
            }
        }
        Ok(changed)
    }
}

/// Whether every view of `g` can be read in place (what the fusion planner expects).
pub fn is_legal(g: &Graph) -> bool {
    illegal_uses(g).is_empty()
}

/// A use of a view that must read a copy instead.
struct Use {
    /// The node reading it, or `None` for a graph output.
    user: Option<NodeId>,
    /// The operand position in `user`, or the output index.
    pos: usize,
    /// The view.
    view: NodeId,
}

/// Every use of a view that cannot stay a view, in a deterministic order.
fn illegal_uses(g: &Graph) -> Vec<Use> {
    if !g.node_ids().iter().any(|&n| g.node(n).op.is_movement()) {
        return Vec::new();
    }
    let mut layout: HashMap<NodeId, Layout> = HashMap::default();
    // The size of the buffer a node reads from its first element on (`usize::MAX` when a view
    // starts at an offset): a view covering its whole base in order is read in place.
    let mut base_numel: HashMap<NodeId, usize> = HashMap::default();
    let mut fixes = Vec::new();
    for n in g.topo_order() {
        let node = g.node(n);
        if !node.op.is_movement() {
            layout.insert(n, contiguous(&node.shape));
            base_numel.insert(n, node.shape.numel());
            continue;
        }
        let x = g.inputs(n)[0];
        let l = match apply_view(&node.op, &g.node(x).shape, &node.shape, &layout[&x]) {
            Some(l) => l,
            None => {
                fixes.push(Use { user: Some(n), pos: 0, view: x });
                contiguous(&node.shape)
            }
        };
        let bn = if layout[&x].offset == 0 && base_numel.contains_key(&x) { base_numel[&x] } else { usize::MAX };
        base_numel.insert(n, bn);
        layout.insert(n, l);
    }
    let trivial = |n: NodeId| {
        let node = g.node(n);
        !node.op.is_movement()
            || (layout[&n].offset == 0
                && is_contiguous(&node.shape, &layout[&n])
                && base_numel[&n] == node.shape.numel())
    };
    for n in g.node_ids() {
        if matches!(g.node(n).op, Op::MatMul) {
            for (pos, x) in g.inputs(n).into_iter().enumerate() {
                if !trivial(x) {
                    fixes.push(Use { user: Some(n), pos, view: x });
                }
            }
        }
    }
    for (pos, &o) in g.outputs().iter().enumerate() {
        if !trivial(o) {
            fixes.push(Use { user: None, pos, view: o });
        }
    }
    fixes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::lower;
    use crate::{DType, Tensor};

    fn graph(y: &Tensor, inputs: &[Tensor]) -> Graph {
        lower(std::slice::from_ref(y), inputs, true).unwrap().key.to_graph()
    }

    /// The dump of `g` after the pass, which must change it once and then leave it alone.
    fn legalized(mut g: Graph) -> String {
        assert!(LegalizeViews.run(&mut g).unwrap());
        g.validate().unwrap();
        assert!(is_legal(&g));
        assert!(!LegalizeViews.run(&mut g).unwrap(), "a second run changes nothing");
        g.dump()
    }

    #[test]
    fn an_output_that_is_not_its_whole_buffer_in_order_is_copied() {
        let x = Tensor::placeholder([2, 3], DType::F32).unwrap();
        let dump = legalized(graph(&x.transpose(0, 1).unwrap(), std::slice::from_ref(&x)));
        assert_eq!(
            dump,
            "%0 = input0 : float32 [2, 3]\n%1 = permute[1, 0](%0) : float32 [3, 2]\n%2 = copy(%1) : float32 [3, 2]\noutputs: %2\n"
        );
    }

    #[test]
    fn a_reshape_of_a_strided_view_reads_a_copy() {
        let x = Tensor::placeholder([2, 3], DType::F32).unwrap();
        let y = x.transpose(0, 1).unwrap().reshape(&[6]).unwrap().exp().unwrap();
        let dump = legalized(graph(&y, std::slice::from_ref(&x)));
        assert_eq!(
            dump,
            "%0 = input0 : float32 [2, 3]\n%1 = permute[1, 0](%0) : float32 [3, 2]\n%4 = copy(%1) : float32 [3, 2]\n%2 = reshape(%4) : float32 [6]\n%3 = exp(%2) : float32 [6]\noutputs: %3\n"
        );
    }

    #[test]
    fn a_matmul_operand_must_be_a_contiguous_buffer() {
        let a = Tensor::placeholder([3, 2], DType::F32).unwrap();
        let b = Tensor::placeholder([3, 4], DType::F32).unwrap();
        let y = a.transpose(0, 1).unwrap().matmul(&b).unwrap();
        let dump = legalized(graph(&y, &[a, b]));
        assert_eq!(
            dump,
            "%0 = input0 : float32 [3, 2]\n%1 = input1 : float32 [3, 4]\n%2 = permute[1, 0](%0) : float32 [2, 3]\n%4 = copy(%2) : float32 [2, 3]\n%3 = matmul(%4, %1) : float32 [2, 4]\noutputs: %3\n"
        );
    }

    #[test]
    fn views_read_in_place_are_left_alone() {
        let x = Tensor::placeholder([2, 3], DType::F32).unwrap();
        let y = (&x.transpose(0, 1).unwrap() * 2.0).unwrap().reshape(&[3, 2]).unwrap();
        let mut g = graph(&y, std::slice::from_ref(&x));
        let before = g.dump();
        assert!(!LegalizeViews.run(&mut g).unwrap());
        assert_eq!(g.dump(), before);
        assert!(is_legal(&g));
    }

    #[test]
    fn runs_last_in_the_default_passes() {
        assert_eq!(crate::passes::PassManager::default().names().last(), Some(&"legalize_views"));
    }
}
