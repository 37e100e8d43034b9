//! What a node holds: its operands while lazy, its buffer once evaluated (or given as data), and
//! the hand-over of that buffer to an in-place consumer (buffer donation).

use super::{Operands, Tensor};
use crate::op::{Op, SourceOp};
use crate::{Buffer, Error, Result};
use smallvec::SmallVec;
use std::sync::{Arc, MutexGuard};

pub(super) enum NodeState {
    /// Not computed yet: the operands it is computed from.
    Lazy(Operands),
    /// Computed (or given as data): its contiguous buffer.
    Ready(Buffer),
    /// Its buffer was moved into the evaluation of its only consumer, which writes its result
    /// there (buffer donation); nothing can read this node any more.
    Donated,
}

/// Drops operand handles without recursion: a node whose last handle this is gives up its own
/// operands first, so each drop is shallow. (Taken in place under the node's lock rather than by
/// moving the node out of its `Arc`: the node is a few hundred bytes.)
pub(super) fn release(ops: Operands) {
    // Operands someone else still holds just lose a reference: no stack needed.
    if ops.iter().all(|t| Arc::strong_count(&t.0) > 1) {
        return;
    }
    let mut stack: SmallVec<[Tensor; 16]> = SmallVec::new();
    for t in ops {
        stack.push(t);
    }
    while let Some(mut t) = stack.pop() {
        // The only handle: nobody can clone it concurrently, and no lock is needed.
        if let Some(node) = Arc::get_mut(&mut t.0) {
            if let Ok(NodeState::Lazy(ops)) = node.state.get_mut() {
                for o in std::mem::take(ops) {
                    stack.push(o);
                }
            }
            // The operands an autograd record keeps, when nothing else shares the record.
            if let Some(meta) = node.grad.get_mut().and_then(Arc::get_mut) {
                stack.extend(meta.take_operands());
            }
        }
    }
}

impl NodeState {
    /// The same contents for a twin node (`detach`).
    pub(super) fn twin(&self) -> NodeState {
        match self {
            NodeState::Lazy(ops) => NodeState::Lazy(ops.clone()),
            NodeState::Ready(b) => NodeState::Ready(b.clone()),
            NodeState::Donated => NodeState::Donated,
        }
    }
}

impl Tensor {
    pub(super) fn state(&self) -> MutexGuard<'_, NodeState> {
        // A poisoned lock only means another thread panicked while holding it; the state
        // itself is always valid (it is replaced in one assignment).
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The computed buffer, if this tensor has been evaluated (or was built from data).
    pub fn buffer(&self) -> Option<Buffer> {
        match &*self.state() {
            NodeState::Ready(b) => Some(b.clone()),
            NodeState::Lazy(_) | NodeState::Donated => None,
        }
    }

    /// Whether the tensor holds a computed buffer.
    pub fn is_evaluated(&self) -> bool {
        self.buffer().is_some()
    }

    /// The operands this tensor is computed from (empty once evaluated).
    pub fn operands(&self) -> Operands {
        match &*self.state() {
            NodeState::Lazy(ops) => ops.clone(),
            NodeState::Ready(_) | NodeState::Donated => Operands::new(),
        }
    }

    /// Ids of the evaluated tensors that only `outputs` can still read: reachable from them
    /// through lazy nodes that nothing else holds, each held once. Once `outputs` are evaluated
    /// (and drop their operands) nothing can read these any more, so their buffers may be
    /// donated to the evaluation. `held` is the number of handles the caller itself holds on
    /// each evaluated tensor (one after [`crate::tensor::lower`]).
    pub fn exclusively_consumed(outputs: &[Tensor], held: usize) -> Vec<usize> {
        let mut found = Vec::new();
        let mut stack: Vec<Tensor> = outputs.to_vec();
        while let Some(t) = stack.pop() {
            let state = t.state();
            let NodeState::Lazy(ops) = &*state else { continue };
            for o in ops {
                // Handles: this operand list's (counted before this walk clones it), and the
                // caller's on evaluated tensors.
                let handles = Arc::strong_count(&o.0);
                match &*o.state() {
                    NodeState::Ready(_) if handles == 1 + held => found.push(o.id()),
                    NodeState::Lazy(_) if handles == 1 => stack.push(o.clone()),
                    _ => {}
                }
            }
        }
        found
    }

    /// Number of handles to this node (the evaluation uses it to find buffers nobody else can
    /// read any more).
    pub fn handle_count(&self) -> usize {
        Arc::strong_count(&self.0)
    }

    /// Buffer donation: gives up this evaluated tensor's buffer `b` for an in-place update by
    /// its only consumer. Succeeds (and the node becomes unreadable) only when `b` is this
    /// node's pooled buffer and the caller's handle `b` is the only other one, checked under
    /// the node's lock, so no other evaluation can have taken or take a copy.
    pub fn donate_buffer(&self, b: &Buffer) -> bool {
        let mut state = self.state();
        let NodeState::Ready(own) = &*state else { return false };
        if !Buffer::ptr_eq(own, b) || b.handle_count() != 2 || !own.is_pooled() {
            return false;
        }
        *state = NodeState::Donated;
        true
    }

    /// Gives back buffer `b` that [`Tensor::donate_buffer`] gave up, unchanged (the evaluation
    /// it was given to stopped before writing into it): the tensor is readable again.
    pub fn restore_donated(&self, b: Buffer) {
        let mut state = self.state();
        if matches!(*state, NodeState::Donated) && b.len() == self.numel() && b.dtype() == self.dtype() {
            *state = NodeState::Ready(b);
        }
    }

    /// Whether the op is an input slot (a placeholder until it holds data).
    pub(super) fn is_placeholder_op(&self) -> bool {
        matches!(self.0.op, Op::Source(SourceOp::Input(_)))
    }

    /// Whether this is a placeholder: an input bound only when a compiled graph runs.
    pub fn is_placeholder(&self) -> bool {
        matches!(self.0.op, Op::Source(SourceOp::Input(_))) && !self.is_evaluated()
    }

    /// Stores the computed buffer and drops the operands (called by executors).
    pub fn set_buffer(&self, buffer: Buffer) -> Result<()> {
        if buffer.len() != self.numel() || buffer.dtype() != self.dtype() {
            return Err(Error::Internal(format!(
                "result buffer {buffer:?} does not fit a tensor of shape {} and dtype {}",
                self.shape(),
                self.dtype()
            )));
        }
        let old = std::mem::replace(&mut *self.state(), NodeState::Ready(buffer));
        // Operands are dropped here, outside the lock, iteratively.
        if let NodeState::Lazy(ops) = old {
            release(ops);
        }
        Ok(())
    }
}
