//! Autograd from Python: `rusttorch.autograd.grad`/`backward` and the grad mode (the
//! `Tensor` attributes and `backward()` are in `tensor/autograd.rs`). The gradients are built
//! by `rusttorch_ir::autograd` and evaluated here, with the outputs, in one plan.

use crate::errors::guard;
use crate::handle::{eval_all, PyTensor};
use pyo3::prelude::*;
use rusttorch_ir::autograd::{self, GradHook, GradOptions};
use rusttorch_ir::{Error, Tensor};
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    /// The exception a Python hook raised during the current backward pass, re-raised as is.
    static HOOK_ERROR: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Runs a backward pass `f` (with the GIL held: hooks call Python): a Python hook's exception
/// is raised as itself, any other error converted as usual.
pub fn run_backward<T>(f: impl FnOnce() -> rusttorch_ir::Result<T>) -> PyResult<T> {
    HOOK_ERROR.with(|e| e.borrow_mut().take());
    let r = guard(f);
    match HOOK_ERROR.with(|e| e.borrow_mut().take()) {
        Some(err) => Err(err),
        None => r,
    }
}

/// A Python callable as a gradient hook: called with the gradient (a `Tensor`), it returns
/// `None` or a replacement.
pub fn python_hook(f: Py<PyAny>) -> GradHook {
    Arc::new(move |g: &Tensor| {
        Python::attach(|py| {
            let out = f.call1(py, (PyTensor::from(g.clone()),)).and_then(|r| {
                let r = r.bind(py);
                if r.is_none() {
                    Ok(None)
                } else {
                    r.cast::<PyTensor>().map(|t| Some(t.get().tensor())).map_err(PyErr::from)
                }
            });
            out.map_err(|e| {
                let message = format!("a gradient hook raised {e}");
                HOOK_ERROR.with(|slot| *slot.borrow_mut() = Some(e));
                Error::Autograd { op: "hook", message }
            })
        })
    })
}

fn tensors(ts: &[Bound<'_, PyTensor>]) -> Vec<Tensor> {
    ts.iter().map(|t| t.get().tensor()).collect()
}

fn grad_outputs(gs: Option<Vec<Option<Bound<'_, PyTensor>>>>) -> Vec<Option<Tensor>> {
    gs.unwrap_or_default().into_iter().map(|g| g.map(|g| g.get().tensor())).collect()
}

/// ``torch.autograd.backward``: accumulates the gradients of ``tensors`` into the ``.grad`` of
/// the leaves, evaluating them with the outputs in one plan.
#[pyfunction]
#[pyo3(signature = (tensors, grad_tensors = None, retain_graph = None, create_graph = false))]
pub fn _backward(
    py: Python<'_>,
    tensors: Vec<Bound<'_, PyTensor>>,
    grad_tensors: Option<Vec<Option<Bound<'_, PyTensor>>>>,
    retain_graph: Option<bool>,
    create_graph: bool,
) -> PyResult<()> {
    let outputs = self::tensors(&tensors);
    let options = GradOptions { retain_graph: retain_graph.unwrap_or(create_graph), create_graph, allow_unused: false };
    let set = run_backward(|| autograd::backward(&outputs, &grad_outputs(grad_tensors), options))?;
    let mut all = outputs;
    all.extend(set);
    eval_all(py, &all, true)
}

/// ``torch.autograd.grad``: the gradients of ``outputs`` with respect to ``inputs``, evaluated
/// with the outputs in one plan (left lazy with ``evaluate=False``, e.g. to ``explain()`` the
/// backward plan).
#[pyfunction]
#[pyo3(signature = (outputs, inputs, grad_outputs = None, retain_graph = None, create_graph = false, allow_unused = false, evaluate = true))]
#[allow(clippy::too_many_arguments)] // torch.autograd.grad's own arguments
pub fn _grad(
    py: Python<'_>,
    outputs: Vec<Bound<'_, PyTensor>>,
    inputs: Vec<Bound<'_, PyTensor>>,
    grad_outputs: Option<Vec<Option<Bound<'_, PyTensor>>>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: bool,
    evaluate: bool,
) -> PyResult<Vec<Option<PyTensor>>> {
    let (outs, ins) = (tensors(&outputs), tensors(&inputs));
    let options = GradOptions { retain_graph: retain_graph.unwrap_or(create_graph), create_graph, allow_unused };
    let grads = run_backward(|| autograd::grad(&outs, &ins, &self::grad_outputs(grad_outputs), options))?;
    if evaluate {
        let mut all = outs;
        all.extend(grads.iter().flatten().cloned());
        eval_all(py, &all, true)?;
    }
    Ok(grads.into_iter().map(|g| g.map(PyTensor::from)).collect())
}

/// Whether ops record what their gradients need on this thread (``torch.is_grad_enabled``).
#[pyfunction]
pub fn is_grad_enabled() -> bool {
    autograd::is_grad_enabled()
}

/// Turns gradient recording on this thread on or off; returns the previous mode.
#[pyfunction]
pub fn _set_grad_enabled(mode: bool) -> bool {
    autograd::set_grad_enabled(mode)
}

/// Adds the functions of this file to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_grad, m)?)?;
    m.add_function(wrap_pyfunction!(is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_grad_enabled, m)?)
}
