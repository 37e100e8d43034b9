//! Scans as Python functions and `Tensor` methods: `cumsum`, `cumprod`, `cummax`, `cummin`,
//! `logcumsumexp` (PyTorch's signatures; `cummax`/`cummin` return `(values, indices)`).

use crate::args::TensorArg;
use crate::dtype::opt_dtype;
use crate::errors::guard;
use crate::handle::{build, PyTensor};
use pyo3::prelude::*;
use rusttorch_ir::Tensor;

/// `rusttorch.return_types.<name>(values, indices)`.
pub(crate) fn values_indices<'py>(
    py: Python<'py>,
    name: &str,
    (v, i): (Tensor, Tensor),
) -> PyResult<Bound<'py, PyAny>> {
    let class = py.import("rusttorch.return_types")?.getattr(name)?;
    class.call1((PyTensor::from(v), PyTensor::from(i)))
}

/// Cumulative sum along ``dim``; ints and bools give int64 unless ``dtype`` is given (the input
/// is cast to it first). float32 accumulates in float64.
#[pyfunction]
#[pyo3(signature = (input, dim, *, dtype = None))]
pub fn cumsum(input: TensorArg, dim: isize, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    build(|| input.0.cumsum(dim, d))
}

/// Cumulative product along ``dim``; ints and bools give int64 unless ``dtype`` is given.
#[pyfunction]
#[pyo3(signature = (input, dim, *, dtype = None))]
pub fn cumprod(input: TensorArg, dim: isize, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    build(|| input.0.cumprod(dim, d))
}

/// Running maximum along ``dim`` and where each was found: ``(values, indices)``.
#[pyfunction]
pub fn cummax<'py>(py: Python<'py>, input: TensorArg, dim: isize) -> PyResult<Bound<'py, PyAny>> {
    values_indices(py, "cummax", guard(|| input.0.cummax(dim))?)
}

/// Running minimum along ``dim`` and where each was found: ``(values, indices)``.
#[pyfunction]
pub fn cummin<'py>(py: Python<'py>, input: TensorArg, dim: isize) -> PyResult<Bound<'py, PyAny>> {
    values_indices(py, "cummin", guard(|| input.0.cummin(dim))?)
}

/// ``log(cumsum(exp(input)))`` along ``dim``, without overflow.
#[pyfunction]
pub fn logcumsumexp(input: TensorArg, dim: isize) -> PyResult<PyTensor> {
    build(|| input.0.logcumsumexp(dim))
}

#[pymethods]
impl PyTensor {
    /// Cumulative sum along ``dim`` (see ``rusttorch.cumsum``).
    #[pyo3(name = "cumsum", signature = (dim, *, dtype = None))]
    fn cumsum_method(&self, dim: isize, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let d = opt_dtype(dtype)?;
        build(|| self.tensor().cumsum(dim, d))
    }
    /// Cumulative product along ``dim`` (see ``rusttorch.cumprod``).
    #[pyo3(name = "cumprod", signature = (dim, *, dtype = None))]
    fn cumprod_method(&self, dim: isize, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let d = opt_dtype(dtype)?;
        build(|| self.tensor().cumprod(dim, d))
    }
    /// Running maximum along ``dim`` and its indices.
    #[pyo3(name = "cummax")]
    fn cummax_method<'py>(&self, py: Python<'py>, dim: isize) -> PyResult<Bound<'py, PyAny>> {
        values_indices(py, "cummax", guard(|| self.tensor().cummax(dim))?)
    }
    /// Running minimum along ``dim`` and its indices.
    #[pyo3(name = "cummin")]
    fn cummin_method<'py>(&self, py: Python<'py>, dim: isize) -> PyResult<Bound<'py, PyAny>> {
        values_indices(py, "cummin", guard(|| self.tensor().cummin(dim))?)
    }
    /// ``log(cumsum(exp(self)))`` along ``dim``.
    #[pyo3(name = "logcumsumexp")]
    fn logcumsumexp_method(&self, dim: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().logcumsumexp(dim))
    }
}

/// Adds the scan functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cumsum, m)?)?;
    m.add_function(wrap_pyfunction!(cumprod, m)?)?;
    m.add_function(wrap_pyfunction!(cummax, m)?)?;
    m.add_function(wrap_pyfunction!(cummin, m)?)?;
    m.add_function(wrap_pyfunction!(logcumsumexp, m)?)?;
    Ok(())
}
