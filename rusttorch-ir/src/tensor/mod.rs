//! Lazy tensors: cheap `Arc` handles to nodes of an expression DAG.
//!
//! Building a tensor runs shape and dtype inference at once, so a bad shape fails in the
//! caller's line. Nothing is computed until an executor evaluates the tensor; an evaluated node
//! keeps its buffer and forgets its inputs, so later expressions read the buffer and memory held
//! by the expression that produced it is released.
//!
//! Here: the node and handle types and their accessors. The builders live by kind in
//! `creation`, `ranges` (linspace, eye, meshgrid...), `sampling` (randint, normal, multinomial...),
//! `elementwise`, `views`, `shape_ops` (flip, roll, repeat, split...), `pad`, `index` (`t[...]`), `advanced` and `gather` (reads at index positions), `scatter` and
//! `index_put` (writes at index positions),
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
mod dynamic;
mod einsum;
mod elementwise;
mod gather;
mod grad_state;
mod index;
mod index_put;
mod inplace;
mod losses;
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
mod scatter;
mod search;
mod shape_ops;
#[cfg(test)]
mod shape_tests;
mod sink;
mod sorting;
mod state;
mod substitute;
mod table_methods;
#[cfg(test)]
mod tests;
mod views;
mod walk;

pub use advanced::Index;
pub use dynamic::Unique;
pub use grad_state::{is_grad_enabled, no_grad, set_grad_enabled, with_grad_mode, CustomVjp, GradHook};
pub(crate) use grad_state::{GradFn, GradMeta};
pub use index::IndexItem;
pub use losses::{check_class_indices, ClassLossOptions, Reduction};
pub use operators::{binary_op_name, IntoOperand, Operand};
pub use pad::PadMode;
pub use reductions_more::{MatrixOrd, NormOrd};
pub use search::search_side;
use state::{release, NodeState};
pub use substitute::GraphNode;
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
    /// Why this data exists, when an op computed it while building (see
    /// [`Tensor::with_note`]) or printing evaluated it ([`Tensor::add_note`]); `explain()`
    /// prints it.
    note: std::sync::OnceLock<Arc<str>>,
    /// The autograd record, when the node requires a gradient or holds one (`grad_state`).
    grad: std::sync::OnceLock<Arc<GradMeta>>,
}

/// A lazy tensor: a cheap-to-clone, `Send + Sync` handle to a node of the expression DAG.
#[derive(Clone)]
pub struct Tensor(Arc<Node>);

/// A handle that does not keep its node alive ([`Tensor::downgrade`]): whoever holds data on a
/// node's behalf (the Dask array behind a placeholder) can tell when the node is gone.
#[derive(Clone)]
pub struct WeakTensor(std::sync::Weak<Node>);

impl WeakTensor {
    /// Whether the node still exists (some tensor or graph still reaches it).
    pub fn is_alive(&self) -> bool {
        self.0.strong_count() > 0
    }
}

impl Drop for Node {
    // Dropping a long chain recursively would overflow the stack: unlink operands iteratively.
    fn drop(&mut self) {
        if let Ok(NodeState::Lazy(ops)) = self.state.get_mut() {
            release(std::mem::take(ops));
        }
        grad_state::release_record(&mut self.grad.take());
    }
}

impl Tensor {
    /// A weak handle on this node.
    pub fn downgrade(&self) -> WeakTensor {
        WeakTensor(Arc::downgrade(&self.0))
    }

    fn new(op: Op, shape: Shape, dtype: DType, state: NodeState) -> Tensor {
        Tensor(Arc::new(Node {
            op,
            shape,
            dtype,
            state: Mutex::new(state),
            note: Default::default(),
            grad: Default::default(),
        }))
    }

    fn lazy(op: Op, shape: Shape, dtype: DType, operands: Operands) -> Tensor {
        let record = Tensor::record_for(&operands, dtype);
        let t = Tensor::new(op, shape, dtype, NodeState::Lazy(operands));
        if let Some(r) = record {
            let _ = t.0.grad.set(r);
        }
        t
    }

    /// A lazy node of `op` over `operands` with the shape and dtype given, unchecked: for a
    /// decoder that has validated them ([`crate::serial`]).
    pub(crate) fn from_parts(op: Op, shape: Shape, dtype: DType, operands: Operands) -> Tensor {
        Tensor::lazy(op, shape, dtype, operands)
    }

    /// This tensor with `note` attached: data an op computed while building (a data-dependent
    /// shape), which `explain()` of anything built from it mentions. An evaluated tensor only
    /// (its only handle: it is rebuilt around the same buffer).
    pub fn with_note(self, note: impl Into<String>) -> Tensor {
        let state = match self.buffer() {
            Some(b) => NodeState::Ready(b),
            None => return self,
        };
        let n = &self.0;
        Tensor(Arc::new(Node {
            op: n.op.clone(),
            shape: n.shape.clone(),
            dtype: n.dtype,
            state: Mutex::new(state),
            note: std::sync::OnceLock::from(Arc::from(note.into())),
            grad: n.grad.clone(),
        }))
    }

    /// Attaches `note` to this tensor if it has none (printing a lazy tensor evaluates it,
    /// and says so here: `explain()` of it, or of what is built from it, prints the note).
    pub fn add_note(&self, note: impl Into<String>) {
        let _ = self.0.note.set(Arc::from(note.into()));
    }

    /// The note [`Tensor::with_note`] or [`Tensor::add_note`] attached, if any.
    pub fn note(&self) -> Option<&str> {
        self.0.note.get().map(|n| &**n)
    }

    /// The notes of every tensor `tensors` are built from (each once, in the order found).
    pub fn notes(tensors: &[Tensor]) -> Vec<String> {
        let (mut seen, mut out) = (crate::hash::HashSet::default(), Vec::new());
        let mut stack: Vec<Tensor> = tensors.to_vec();
        while let Some(t) = stack.pop() {
            if !seen.insert(t.id()) {
                continue;
            }
            if let Some(n) = t.note() {
                if !out.iter().any(|o: &String| o == n) {
                    out.push(n.to_string());
                }
            }
            stack.extend(t.operands());
        }
        out
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
