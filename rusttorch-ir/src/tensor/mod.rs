//! Lazy tensors: cheap `Arc` handles to nodes of an expression DAG.
//!
//! Building a tensor runs shape and dtype inference at once, so a bad shape fails in the
//! caller's line. Nothing is computed until an executor evaluates the tensor; an evaluated node
//! keeps its buffer and forgets its inputs, so later expressions read the buffer and memory held
//! by the expression that produced it is released.
//!
//! Here: the node and handle types and their accessors. The builders live by kind in
//! `creation`, `ranges` (linspace, eye, meshgrid...), `sampling` (randint, normal, multinomial...),
//! `elementwise`, `views`, `shape_ops` (flip, roll, repeat, split...), `pad`, `index` (`t[...]`),
//! `reductions` (and `reductions_more`: `dtype=` forms, all/any, NaN-ignoring sums, norms),
//! `scans`, `sorting`, `search` (searchsorted, bucketize, isin), `matmul`, `einsum` (the
//! contraction behind `products`: dot, mm, tensordot...),
//! `diagonals` (diagonal, trace, tril...), `nn`,
//! `inplace` (the values `t += x` and `copy_` give) and `operators`; `state` holds what a node
//! holds (operands, or a buffer once evaluated); `walk` lowers a DAG into the IR graph's
//! [`GraphKey`](crate::graph::GraphKey).

mod advanced;
mod creation;
mod diagonals;
mod einsum;
mod elementwise;
mod gather;
mod index;
mod inplace;
pub(crate) mod math;
mod math_binary;
mod matmul;
mod nn;
mod operators;
mod pad;
mod products;
mod ranges;
mod reductions;
mod reductions_more;
mod sampling;
mod scans;
mod search;
mod shape_ops;
#[cfg(test)]
mod shape_tests;
mod sink;
mod sorting;
mod state;
mod table_methods;
#[cfg(test)]
mod tests;
mod views;
mod walk;

pub use advanced::Index;
pub use index::IndexItem;
pub use operators::{binary_op_name, IntoOperand, Operand};
pub use pad::PadMode;
pub use reductions_more::{MatrixOrd, NormOrd};
pub use search::search_side;
use state::{release, NodeState};
pub use table_methods::unary_op_names;
pub use walk::{lower, walk, Lowered, Walk, WalkNode};

use crate::op::Op;
use crate::{DType, Shape};
use smallvec::SmallVec;
use std::fmt;
use std::sync::{Arc, Mutex};

/// Operand list of a node.
pub type Operands = SmallVec<[Tensor; 2]>;

/// One node of the lazy DAG.
pub struct Node {
    op: Op,
    shape: Shape,
    dtype: DType,
    state: Mutex<NodeState>,
}

/// A lazy tensor: a cheap-to-clone, `Send + Sync` handle to a node of the expression DAG.
#[derive(Clone)]
pub struct Tensor(Arc<Node>);

impl Drop for Node {
    // Dropping a long chain recursively would overflow the stack: unlink operands iteratively.
    fn drop(&mut self) {
        if let Ok(NodeState::Lazy(ops)) = self.state.get_mut() {
            release(std::mem::take(ops));
        }
    }
}

impl Tensor {
    fn new(op: Op, shape: Shape, dtype: DType, state: NodeState) -> Tensor {
        Tensor(Arc::new(Node { op, shape, dtype, state: Mutex::new(state) }))
    }

    fn lazy(op: Op, shape: Shape, dtype: DType, operands: Operands) -> Tensor {
        Tensor::new(op, shape, dtype, NodeState::Lazy(operands))
    }

    /// A stable identity for this node (used to deduplicate nodes while lowering).
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// The op that computes this tensor.
    pub fn op(&self) -> &Op {
        &self.0.op
    }

    /// The shape.
    pub fn shape(&self) -> &Shape {
        &self.0.shape
    }

    /// The dims.
    pub fn dims(&self) -> &[usize] {
        self.0.shape.dims()
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// Number of dims.
    pub fn ndim(&self) -> usize {
        self.0.shape.ndim()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.0.shape.numel()
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.is_evaluated() { "evaluated" } else { "lazy" };
        write!(f, "Tensor(shape={}, dtype={}, {}, op={})", self.shape(), self.dtype(), state, self.op().name())
    }
}
