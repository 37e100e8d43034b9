//! Gathers as Python functions and `Tensor` methods: `gather`, `index_select`, `take`,
//! `take_along_dim` (PyTorch's signatures; index arguments may be tensors, arrays or lists).

use crate::args::TensorArg;
use crate::handle::{build, PyTensor};
use pyo3::prelude::*;

/// ``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim=0`` (and so on for other dims):
/// ``index`` is an int tensor of ``input``'s rank; negative indices are errors.
#[pyfunction]
pub fn gather(input: TensorArg, dim: isize, index: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.gather(dim, &index.0))
}

/// The entries ``index`` (a 1-d int tensor) names along ``dim``, in its order.
#[pyfunction]
pub fn index_select(input: TensorArg, dim: isize, index: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.index_select(dim, &index.0))
}

/// The elements of ``input`` flattened, at ``index`` (any shape; negative counts from the end).
#[pyfunction]
pub fn take(input: TensorArg, index: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.take(&index.0))
}

/// ``gather`` along ``dim`` with the other dims broadcast; with ``dim=None`` both are flattened.
#[pyfunction]
#[pyo3(signature = (input, indices, dim = None))]
pub fn take_along_dim(input: TensorArg, indices: TensorArg, dim: Option<isize>) -> PyResult<PyTensor> {
    build(|| input.0.take_along_dim(&indices.0, dim))
}

#[pymethods]
impl PyTensor {
    /// Values along ``dim`` at ``index`` (see ``rusttorch.gather``).
    #[pyo3(name = "gather")]
    fn gather_method(&self, dim: isize, index: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().gather(dim, &index.0))
    }
    /// The entries ``index`` names along ``dim`` (see ``rusttorch.index_select``).
    #[pyo3(name = "index_select")]
    fn index_select_method(&self, dim: isize, index: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().index_select(dim, &index.0))
    }
    /// The flattened elements at ``index`` (see ``rusttorch.take``).
    #[pyo3(name = "take")]
    fn take_method(&self, index: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().take(&index.0))
    }
    /// ``gather`` with broadcasting (see ``rusttorch.take_along_dim``).
    #[pyo3(name = "take_along_dim", signature = (indices, dim = None))]
    fn take_along_dim_method(&self, indices: TensorArg, dim: Option<isize>) -> PyResult<PyTensor> {
        build(|| self.tensor().take_along_dim(&indices.0, dim))
    }
}

/// Adds the gather functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gather, m)?)?;
    m.add_function(wrap_pyfunction!(index_select, m)?)?;
    m.add_function(wrap_pyfunction!(take, m)?)?;
    m.add_function(wrap_pyfunction!(take_along_dim, m)?)?;
    Ok(())
}
