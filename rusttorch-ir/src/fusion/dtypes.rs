//! The dtype each node is computed in (one compute dtype per kernel).

use crate::graph::{Graph, NodeId};
use crate::op::Op;
use crate::DType;

/// The dtype each node is computed in, indexed by node index: its own dtype's compute type
/// ([`DType::compute`]: float16 in float32, int8 in int32, ...), except that
/// bools are computed as 0/1 in the type of the first operand that is itself computed (a
/// comparison in its operands' type, a logical op in its operands'); bools computed from
/// stored bools alone use int32. A kernel computes in one dtype, so an operand computed in
/// another is stored and converted when read.
pub(super) fn compute_dtypes(g: &Graph, topo: &[NodeId], bound: usize) -> Vec<DType> {
    let mut own: Vec<Option<DType>> = vec![None; bound];
    for &n in topo {
        let node = g.node(n);
        own[n.index()] = if let Op::ArgReduce { .. } | Op::Line { .. } | Op::Search { .. } = node.op {
            // Indices of extremes, lines and searches are computed in the operand's own type.
            Some(g.node(g.inputs(n)[0]).dtype.compute())
        } else if node.dtype != DType::Bool {
            Some(node.dtype.compute())
        } else if matches!(node.op, Op::Source(_) | Op::Cast(_)) || node.op.is_movement() {
            None
        } else {
            let ins = g.inputs(n);
            let data = match node.op {
                Op::Where => &ins[1..],
                // A gather's index is read as int64 whatever the kernel computes in.
                Op::Gather { .. } | Op::Scatter { .. } => &ins[..1],
                _ => &ins[..],
            };
            data.iter().find_map(|i| own[i.index()])
        };
    }
    own.into_iter().map(|d| d.unwrap_or(DType::I32)).collect()
}
