//! The `rusttorch.Tensor` object itself (the handle a Python object holds), and building and
//! evaluating tensors from the bindings. Its methods live in `tensor/`, which imports the
//! argument converters; the converters import only this.

use crate::errors::{guard, run_interruptible};
use pyo3::prelude::*;
use rusttorch_exec::Engine;
use rusttorch_ir::{Result, Tensor};
use std::sync::{PoisonError, RwLock};

/// A lazy tensor: operations build an expression graph; ``eval()``, ``numpy()``, ``item()`` and
/// friends evaluate it with a fusing CPU backend.
#[pyclass(name = "Tensor", module = "rusttorch", frozen, subclass)]
pub struct PyTensor {
    /// The graph node this object names. In-place ops (`t += x`, `t.add_(x)`) rebind it to a new
    /// node: buffers are immutable, so "in place" means "this object now names the result", and
    /// arrays or tensors taken from the old node keep the old values. A lock rather than a
    /// mutable pyclass borrow: a thread evaluating `t` with the GIL released must not make
    /// another thread's `t += 1` fail with "already borrowed". Held only to clone or swap the
    /// handle (an `Arc`), never across evaluation.
    node: RwLock<Tensor>,
}

impl From<Tensor> for PyTensor {
    fn from(t: Tensor) -> Self {
        PyTensor { node: RwLock::new(t) }
    }
}

impl PyTensor {
    /// The node this object names now (a cheap handle clone).
    pub fn tensor(&self) -> Tensor {
        self.node.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Makes this object name `t`, the result of the in-place op `op` (`add_`, `t[i] = v`...):
    /// a leaf that requires grad may be updated so only under `no_grad` (then `t` is that
    /// leaf, with its `.grad`), and a recorded value marks itself modified
    /// (`Tensor::adopt_leaf`).
    pub fn rebind(&self, t: Tensor, op: &str) -> PyResult<()> {
        guard(|| self.tensor().adopt_leaf(&t, op))?;
        self.rebind_unchecked(t);
        Ok(())
    }

    /// Makes this object name `t`, whatever it named (`detach_()`).
    pub fn rebind_unchecked(&self, t: Tensor) {
        *self.node.write().unwrap_or_else(PoisonError::into_inner) = t;
    }
}

/// Builds a tensor with `f` (errors and panics become Python exceptions).
pub fn build(f: impl FnOnce() -> Result<Tensor>) -> PyResult<PyTensor> {
    guard(f).map(PyTensor::from)
}

/// Evaluates the tensors that are not evaluated yet, in one plan. The GIL is released while
/// it runs and Ctrl-C stops it ([`run_interruptible`]), unless it is a few microseconds of work
/// ([`PreparedEval::is_small`]), where releasing and taking it back would cost more.
pub fn eval_all(py: Python<'_>, tensors: &[Tensor], fuse: bool) -> PyResult<()> {
    if tensors.iter().all(Tensor::is_evaluated) {
        return Ok(());
    }
    let engine = Engine::default_engine();
    let prepared = match guard(|| Ok(engine.prepare(tensors, fuse)))? {
        Ok(p) => p,
        Err(e @ rusttorch_ir::Error::Unbound { .. }) => return crate::graph::evaluate_chunked(py, tensors, e),
        Err(e) => return Err(crate::errors::to_py_err(e)),
    };
    if prepared.is_small() {
        guard(|| prepared.run())
    } else {
        run_interruptible(py, prepared)
    }
}
