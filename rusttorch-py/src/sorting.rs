//! Sorting and selection as Python functions and `Tensor` methods: `sort`, `argsort`, `msort`,
//! `topk`, `kthvalue`, `median`, `nanmedian`, `mode` (PyTorch's signatures and return types).

use crate::args::TensorArg;
use crate::errors::guard;
use crate::handle::{build, PyTensor};
use crate::scans::values_indices;
use pyo3::prelude::*;
use rusttorch_ir::Tensor;

/// `sort`: values and indices as `return_types.sort` (`stable` is accepted and always holds).
fn sort_of<'py>(py: Python<'py>, t: &Tensor, dim: isize, descending: bool) -> PyResult<Bound<'py, PyAny>> {
    values_indices(py, "sort", guard(|| t.sort(dim, descending))?)
}

/// `median`/`nanmedian`: a 0-d tensor without `dim`, `(values, indices)` with it.
fn median_of<'py>(
    py: Python<'py>,
    t: &Tensor,
    nan: bool,
    dim: Option<isize>,
    keepdim: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let name = if nan { "nanmedian" } else { "median" };
    match dim {
        None => {
            Ok(PyTensor::from(guard(|| if nan { t.nanmedian() } else { t.median() })?).into_pyobject(py)?.into_any())
        }
        Some(d) => values_indices(
            py,
            name,
            guard(|| if nan { t.nanmedian_dim(d, keepdim) } else { t.median_dim(d, keepdim) })?,
        ),
    }
}

/// Sorts ``input`` along ``dim``: ``(values, indices)``. NaN sorts as the largest value; the
/// sort is always stable (ties keep their order), whatever ``stable`` says.
#[pyfunction]
#[pyo3(signature = (input, dim = -1, descending = false, *, stable = None))]
pub fn sort<'py>(
    py: Python<'py>,
    input: TensorArg,
    dim: isize,
    descending: bool,
    stable: Option<bool>,
) -> PyResult<Bound<'py, PyAny>> {
    let _ = stable;
    sort_of(py, &input.0, dim, descending)
}

/// The indices that sort ``input`` along ``dim`` (stable, NaN largest).
#[pyfunction]
#[pyo3(signature = (input, dim = -1, descending = false, stable = None))]
pub fn argsort(input: TensorArg, dim: isize, descending: bool, stable: Option<bool>) -> PyResult<PyTensor> {
    let _ = stable;
    build(|| input.0.argsort(dim, descending))
}

/// ``input`` sorted along dim 0, ascending.
#[pyfunction]
pub fn msort(input: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    let input = TensorArg::of("msort", "input", input)?;
    build(|| input.msort())
}

/// The ``k`` largest (``largest=False``: smallest) elements along ``dim`` and their indices,
/// always sorted.
#[pyfunction]
#[pyo3(signature = (input, k, dim = -1, largest = true, sorted = true))]
pub fn topk<'py>(
    py: Python<'py>,
    input: TensorArg,
    k: i64,
    dim: isize,
    largest: bool,
    sorted: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let _ = sorted;
    values_indices(py, "topk", guard(|| input.0.topk(k, dim, largest))?)
}

/// The ``k``-th smallest element along ``dim`` (1-based) and its index.
#[pyfunction]
#[pyo3(signature = (input, k, dim = -1, keepdim = false))]
pub fn kthvalue<'py>(
    py: Python<'py>,
    input: TensorArg,
    k: i64,
    dim: isize,
    keepdim: bool,
) -> PyResult<Bound<'py, PyAny>> {
    values_indices(py, "kthvalue", guard(|| input.0.kthvalue(k, dim, keepdim))?)
}

/// The lower median: of all elements (a 0-d tensor), or along ``dim`` with its index. NaN
/// when there is a NaN.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false))]
pub fn median<'py>(
    py: Python<'py>,
    input: TensorArg,
    dim: Option<isize>,
    keepdim: bool,
) -> PyResult<Bound<'py, PyAny>> {
    median_of(py, &input.0, false, dim, keepdim)
}

/// The lower median of the non-NaN elements: of all (a 0-d tensor), or along ``dim``.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false))]
pub fn nanmedian<'py>(
    py: Python<'py>,
    input: TensorArg,
    dim: Option<isize>,
    keepdim: bool,
) -> PyResult<Bound<'py, PyAny>> {
    median_of(py, &input.0, true, dim, keepdim)
}

/// The most frequent value along ``dim`` (the smallest of equally frequent ones) and the
/// index of its last occurrence.
#[pyfunction]
#[pyo3(signature = (input, dim = -1, keepdim = false))]
pub fn mode<'py>(py: Python<'py>, input: TensorArg, dim: isize, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
    values_indices(py, "mode", guard(|| input.0.mode(dim, keepdim))?)
}

#[pymethods]
impl PyTensor {
    /// Sorted along ``dim`` with indices (see ``rusttorch.sort``).
    #[pyo3(name = "sort", signature = (dim = -1, descending = false, *, stable = None))]
    fn sort_method<'py>(
        &self,
        py: Python<'py>,
        dim: isize,
        descending: bool,
        stable: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = stable;
        sort_of(py, &self.tensor(), dim, descending)
    }
    /// The indices that sort along ``dim`` (see ``rusttorch.argsort``).
    #[pyo3(name = "argsort", signature = (dim = -1, descending = false, stable = None))]
    fn argsort_method(&self, dim: isize, descending: bool, stable: Option<bool>) -> PyResult<PyTensor> {
        let _ = stable;
        build(|| self.tensor().argsort(dim, descending))
    }
    /// Sorted along dim 0 (see ``rusttorch.msort``).
    #[pyo3(name = "msort")]
    fn msort_method(&self) -> PyResult<PyTensor> {
        build(|| self.tensor().msort())
    }
    /// The ``k`` largest or smallest along ``dim`` (see ``rusttorch.topk``).
    #[pyo3(name = "topk", signature = (k, dim = -1, largest = true, sorted = true))]
    fn topk_method<'py>(
        &self,
        py: Python<'py>,
        k: i64,
        dim: isize,
        largest: bool,
        sorted: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = sorted;
        values_indices(py, "topk", guard(|| self.tensor().topk(k, dim, largest))?)
    }
    /// The ``k``-th smallest along ``dim`` (see ``rusttorch.kthvalue``).
    #[pyo3(name = "kthvalue", signature = (k, dim = -1, keepdim = false))]
    fn kthvalue_method<'py>(&self, py: Python<'py>, k: i64, dim: isize, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        values_indices(py, "kthvalue", guard(|| self.tensor().kthvalue(k, dim, keepdim))?)
    }
    /// The lower median (see ``rusttorch.median``).
    #[pyo3(name = "median", signature = (dim = None, keepdim = false))]
    fn median_method<'py>(&self, py: Python<'py>, dim: Option<isize>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        median_of(py, &self.tensor(), false, dim, keepdim)
    }
    /// The lower median of the non-NaN elements (see ``rusttorch.nanmedian``).
    #[pyo3(name = "nanmedian", signature = (dim = None, keepdim = false))]
    fn nanmedian_method<'py>(&self, py: Python<'py>, dim: Option<isize>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        median_of(py, &self.tensor(), true, dim, keepdim)
    }
    /// The most frequent value along ``dim`` (see ``rusttorch.mode``).
    #[pyo3(name = "mode", signature = (dim = -1, keepdim = false))]
    fn mode_method<'py>(&self, py: Python<'py>, dim: isize, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        values_indices(py, "mode", guard(|| self.tensor().mode(dim, keepdim))?)
    }
}

/// Adds the sorting functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sort, m)?)?;
    m.add_function(wrap_pyfunction!(argsort, m)?)?;
    m.add_function(wrap_pyfunction!(msort, m)?)?;
    m.add_function(wrap_pyfunction!(topk, m)?)?;
    m.add_function(wrap_pyfunction!(kthvalue, m)?)?;
    m.add_function(wrap_pyfunction!(median, m)?)?;
    m.add_function(wrap_pyfunction!(nanmedian, m)?)?;
    m.add_function(wrap_pyfunction!(mode, m)?)?;
    Ok(())
}
