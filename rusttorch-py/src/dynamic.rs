//! Ops whose output shape depends on values, as Python functions and `Tensor` methods:
//! `nonzero`, `argwhere`, `masked_select`, `unique`, `unique_consecutive`, `bincount`. Each
//! evaluates the tensor whose values decide the shape (Ctrl-C stops it), then builds the
//! result in `rusttorch_ir`; `explain()` says which tensor was evaluated.

use crate::args::TensorArg;
use crate::errors::guard;
use crate::handle::{build, eval_all, PyTensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rusttorch_ir::Tensor;

/// `t` evaluated (in place of the caller's lazy tensor: the same node gets its buffer).
fn evaluated(py: Python<'_>, t: &Tensor) -> PyResult<()> {
    eval_all(py, std::slice::from_ref(t), true)
}

/// `nonzero(t, as_tuple=True)`: a tuple of 1-d int64 tensors, one per dim.
pub fn nonzero_as_tuple<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    evaluated(py, t)?;
    let cols = guard(|| t.nonzero_tuple())?;
    Ok(PyTuple::new(py, cols.into_iter().map(PyTensor::from))?.into_any())
}

fn nonzero_of<'py>(py: Python<'py>, t: &Tensor, as_tuple: bool) -> PyResult<Bound<'py, PyAny>> {
    if as_tuple {
        return nonzero_as_tuple(py, t);
    }
    evaluated(py, t)?;
    Ok(build(|| t.nonzero())?.into_pyobject(py)?.into_any())
}

/// The coordinates of the non-zero elements of ``input``: an ``[n, ndim]`` int64 tensor, or
/// with ``as_tuple=True`` one 1-d tensor per dim. Evaluates ``input``.
#[pyfunction]
#[pyo3(signature = (input, *, as_tuple = false))]
pub fn nonzero<'py>(py: Python<'py>, input: TensorArg, as_tuple: bool) -> PyResult<Bound<'py, PyAny>> {
    nonzero_of(py, &input.0, as_tuple)
}

/// ``nonzero(input)``: an ``[n, ndim]`` int64 tensor. Evaluates ``input``.
#[pyfunction]
pub fn argwhere(py: Python<'_>, input: TensorArg) -> PyResult<PyTensor> {
    evaluated(py, &input.0)?;
    build(|| input.0.nonzero())
}

/// The elements of ``input`` where the bool ``mask`` is true (broadcasting), 1-d. Evaluates
/// ``mask``; ``input`` stays lazy.
#[pyfunction]
pub fn masked_select(py: Python<'_>, input: TensorArg, mask: TensorArg) -> PyResult<PyTensor> {
    evaluated(py, &mask.0)?;
    build(|| input.0.masked_select(&mask.0))
}

fn unique_of<'py>(
    py: Python<'py>,
    t: &Tensor,
    consecutive: bool,
    return_inverse: bool,
    return_counts: bool,
    dim: Option<isize>,
) -> PyResult<Bound<'py, PyAny>> {
    let op = if consecutive { "unique_consecutive" } else { "unique" };
    if dim.is_some() {
        return Err(crate::errors::to_py_err(rusttorch_ir::Error::NotImplemented { op, what: "dim=".into() }));
    }
    evaluated(py, t)?;
    let u = guard(|| if consecutive { t.unique_consecutive() } else { t.unique() })?;
    if !return_inverse && !return_counts {
        return Ok(PyTensor::from(u.values).into_pyobject(py)?.into_any());
    }
    let mut out = vec![PyTensor::from(u.values)];
    if return_inverse {
        out.push(PyTensor::from(u.inverse));
    }
    if return_counts {
        out.push(PyTensor::from(u.counts));
    }
    Ok(PyTuple::new(py, out)?.into_any())
}

/// The distinct values of ``input`` (flattened), ascending; with ``return_inverse`` also where
/// each element's value is, with ``return_counts`` how many each has. NaNs are each distinct
/// (as PyTorch); ``sorted=False`` gives them sorted too. Evaluates ``input``.
#[pyfunction]
#[pyo3(signature = (input, sorted = true, return_inverse = false, return_counts = false, dim = None))]
pub fn unique<'py>(
    py: Python<'py>,
    input: TensorArg,
    sorted: bool,
    return_inverse: bool,
    return_counts: bool,
    dim: Option<isize>,
) -> PyResult<Bound<'py, PyAny>> {
    let _ = sorted;
    unique_of(py, &input.0, false, return_inverse, return_counts, dim)
}

/// Each run of equal consecutive elements of ``input`` (flattened) once; ``return_inverse``
/// and ``return_counts`` as ``unique``. Evaluates ``input``.
#[pyfunction]
#[pyo3(signature = (input, return_inverse = false, return_counts = false, dim = None))]
pub fn unique_consecutive<'py>(
    py: Python<'py>,
    input: TensorArg,
    return_inverse: bool,
    return_counts: bool,
    dim: Option<isize>,
) -> PyResult<Bound<'py, PyAny>> {
    unique_of(py, &input.0, true, return_inverse, return_counts, dim)
}

/// How often each value ``0..=max(input)`` occurs in the 1-d non-negative int ``input`` (at
/// least ``minlength`` bins), or the sum of ``weights`` per value. Evaluates ``input``.
#[pyfunction]
#[pyo3(signature = (input, weights = None, minlength = 0))]
pub fn bincount(py: Python<'_>, input: TensorArg, weights: Option<TensorArg>, minlength: usize) -> PyResult<PyTensor> {
    evaluated(py, &input.0)?;
    build(|| input.0.bincount(weights.as_ref().map(|w| &w.0), minlength))
}

#[pymethods]
impl PyTensor {
    /// See ``rusttorch.nonzero``.
    #[pyo3(name = "nonzero", signature = (*, as_tuple = false))]
    fn nonzero_method<'py>(&self, py: Python<'py>, as_tuple: bool) -> PyResult<Bound<'py, PyAny>> {
        nonzero_of(py, &self.tensor(), as_tuple)
    }
    /// See ``rusttorch.argwhere``.
    #[pyo3(name = "argwhere")]
    fn argwhere_method(&self, py: Python<'_>) -> PyResult<PyTensor> {
        argwhere(py, TensorArg(self.tensor()))
    }
    /// See ``rusttorch.masked_select``.
    #[pyo3(name = "masked_select")]
    fn masked_select_method(&self, py: Python<'_>, mask: TensorArg) -> PyResult<PyTensor> {
        masked_select(py, TensorArg(self.tensor()), mask)
    }
    /// See ``rusttorch.unique``.
    #[pyo3(name = "unique", signature = (sorted = true, return_inverse = false, return_counts = false, dim = None))]
    fn unique_method<'py>(
        &self,
        py: Python<'py>,
        sorted: bool,
        return_inverse: bool,
        return_counts: bool,
        dim: Option<isize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        unique(py, TensorArg(self.tensor()), sorted, return_inverse, return_counts, dim)
    }
    /// See ``rusttorch.unique_consecutive``.
    #[pyo3(name = "unique_consecutive", signature = (return_inverse = false, return_counts = false, dim = None))]
    fn unique_consecutive_method<'py>(
        &self,
        py: Python<'py>,
        return_inverse: bool,
        return_counts: bool,
        dim: Option<isize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        unique_of(py, &self.tensor(), true, return_inverse, return_counts, dim)
    }
    /// See ``rusttorch.bincount``.
    #[pyo3(name = "bincount", signature = (weights = None, minlength = 0))]
    fn bincount_method(&self, py: Python<'_>, weights: Option<TensorArg>, minlength: usize) -> PyResult<PyTensor> {
        bincount(py, TensorArg(self.tensor()), weights, minlength)
    }
}

/// Adds the data-dependent functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(nonzero, m)?)?;
    m.add_function(wrap_pyfunction!(argwhere, m)?)?;
    m.add_function(wrap_pyfunction!(masked_select, m)?)?;
    m.add_function(wrap_pyfunction!(unique, m)?)?;
    m.add_function(wrap_pyfunction!(unique_consecutive, m)?)?;
    m.add_function(wrap_pyfunction!(bincount, m)?)?;
    Ok(())
}
