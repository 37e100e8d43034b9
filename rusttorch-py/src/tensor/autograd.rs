//! The autograd attributes and methods of `Tensor`: `requires_grad`, `grad`, `grad_fn`,
//! `is_leaf`, `backward()`, `detach()`, `retain_grad()`, `register_hook()`, `data`.

use super::PyTensor;
use crate::autograd::{python_hook, run_backward};
use crate::errors::guard;
use crate::handle::eval_all;
use pyo3::prelude::*;
use rusttorch_ir::autograd::{self, GradOptions};

/// ``t.grad_fn``: the op whose gradient computes this tensor's (``MulBackward0``).
#[pyclass(name = "GradFn", module = "rusttorch.autograd", frozen)]
pub struct PyGradFn {
    name: String,
}

#[pymethods]
impl PyGradFn {
    /// The op's name, as PyTorch names its backward nodes (``MulBackward0``).
    fn name(&self) -> String {
        self.name.clone()
    }

    fn __repr__(&self) -> String {
        format!("<{}>", self.name)
    }
}

#[pymethods]
impl PyTensor {
    /// Whether gradients flow to this tensor.
    #[getter(requires_grad)]
    fn get_requires_grad(&self) -> bool {
        self.tensor().requires_grad()
    }

    #[setter(requires_grad)]
    fn set_requires_grad_attr(&self, on: bool) -> PyResult<()> {
        guard(|| self.tensor().set_requires_grad(on))
    }

    /// Makes this leaf require a gradient (or not); returns ``self``.
    #[pyo3(signature = (requires_grad = true))]
    fn requires_grad_<'py>(slf: &Bound<'py, Self>, requires_grad: bool) -> PyResult<Bound<'py, Self>> {
        guard(|| slf.get().tensor().set_requires_grad(requires_grad))?;
        Ok(slf.clone())
    }

    /// Whether no recorded op computed this tensor.
    #[getter]
    fn is_leaf(&self) -> bool {
        self.tensor().is_leaf()
    }

    /// The gradient backward passes accumulated here (``None`` before the first).
    #[getter(grad)]
    fn get_grad(&self) -> Option<PyTensor> {
        self.tensor().grad().map(PyTensor::from)
    }

    #[setter(grad)]
    fn set_grad_attr(&self, grad: Option<Bound<'_, PyTensor>>) -> PyResult<()> {
        guard(|| self.tensor().set_grad(grad.map(|g| g.get().tensor())))
    }

    /// The op whose gradient computes this tensor's, ``None`` for a leaf.
    #[getter]
    fn grad_fn(&self) -> Option<PyGradFn> {
        self.tensor().grad_fn_name().map(|name| PyGradFn { name })
    }

    /// Accumulates the gradient of this tensor into the ``.grad`` of the leaves it was computed
    /// from; the gradients and this tensor are evaluated together, in one plan.
    #[pyo3(signature = (gradient = None, retain_graph = None, create_graph = false, inputs = None))]
    fn backward(
        &self,
        py: Python<'_>,
        gradient: Option<Bound<'_, PyTensor>>,
        retain_graph: Option<bool>,
        create_graph: bool,
        inputs: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        if inputs.is_some() {
            return Err(crate::errors::type_err("backward: inputs= is not supported; use rusttorch.autograd.grad"));
        }
        let t = self.tensor();
        let options =
            GradOptions { retain_graph: retain_graph.unwrap_or(create_graph), create_graph, allow_unused: false };
        let seed = [gradient.map(|g| g.get().tensor())];
        let set = run_backward(|| autograd::backward(std::slice::from_ref(&t), &seed, options))?;
        let mut all = vec![t];
        all.extend(set);
        eval_all(py, &all, true)
    }

    /// A tensor with this one's value that no gradient flows through.
    fn detach(&self) -> PyTensor {
        PyTensor::from(self.tensor().detach())
    }

    /// Makes this object name its value without the gradient record (``detach_()``).
    fn detach_<'py>(slf: &Bound<'py, Self>) -> Bound<'py, Self> {
        let t = slf.get();
        t.rebind_unchecked(t.tensor().detach());
        slf.clone()
    }

    /// The value without its gradient record (``t.data``); assigning to it rebinds the value and
    /// keeps the record of a leaf (``p.data = new``).
    #[getter(data)]
    fn get_data(&self) -> PyTensor {
        self.detach()
    }

    #[setter(data)]
    fn set_data(&self, value: Bound<'_, PyTensor>) -> PyResult<()> {
        let new = value.get().tensor().detach();
        autograd::no_grad(|| self.rebind(new, "data"))
    }

    /// Keeps this non-leaf tensor's gradient in ``.grad`` in backward passes.
    fn retain_grad(&self) -> PyResult<()> {
        let t = self.tensor();
        if t.is_leaf() && t.requires_grad() {
            return Ok(());
        }
        guard(|| t.retain_grad())
    }

    /// Whether backward passes keep this non-leaf tensor's gradient.
    #[getter]
    fn retains_grad(&self) -> bool {
        self.tensor().retains_grad()
    }

    /// Calls ``hook(grad)`` with this tensor's gradient in every backward pass; a tensor it
    /// returns replaces the gradient. Returns a handle with ``remove()``.
    fn register_hook<'py>(&self, py: Python<'py>, hook: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.tensor();
        let id = guard(|| t.register_hook(python_hook(hook.unbind())))?;
        let handle = PyHookHandle { tensor: t, id };
        Bound::new(py, handle).map(Bound::into_any)
    }
}

/// What ``register_hook`` returns: ``remove()`` takes the hook away.
#[pyclass(name = "RemovableHandle", module = "rusttorch.autograd", frozen)]
pub struct PyHookHandle {
    tensor: rusttorch_ir::Tensor,
    id: usize,
}

#[pymethods]
impl PyHookHandle {
    /// Removes the hook.
    fn remove(&self) {
        self.tensor.remove_hook(self.id);
    }
}
