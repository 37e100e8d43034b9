//! The reduction and linear-algebra methods of `Tensor` added for PyTorch's everyday surface
//! (`t.prod()`, `t.all()`, `t.norm()`, `t.mm(b)`, `t.tril()`, `t.diagonal()`...).

use super::{build, PyTensor};
use crate::args::{dims, DimArg, TensorArg};
use crate::linalg::{dtype_arg, norm_ord, tensordot_op};
use pyo3::prelude::*;
use rusttorch_ir::MatrixOrd;

#[pymethods]
impl PyTensor {
    /// Product over ``dim`` (an int, a tuple, or ``None`` for all); 1 for an empty reduction;
    /// ints and bools give int64 (wrapping), ``dtype`` casts first.
    #[pyo3(signature = (dim = None, keepdim = false, *, dtype = None))]
    fn prod(&self, dim: Option<DimArg>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let d = dtype_arg(dtype)?;
        build(|| self.tensor().prod_as(dims(&dim), keepdim, d))
    }
    /// Whether all elements over ``dim`` are non-zero (bool; true when empty).
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn all(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.tensor().all(dims(&dim), keepdim))
    }
    /// Whether any element over ``dim`` is non-zero (bool; false when empty).
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn any(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.tensor().any(dims(&dim), keepdim))
    }
    /// The number of non-zero elements over ``dim`` (int64).
    #[pyo3(signature = (dim = None))]
    fn count_nonzero(&self, dim: Option<DimArg>) -> PyResult<PyTensor> {
        build(|| self.tensor().count_nonzero(dims(&dim)))
    }
    /// Sum over ``dim`` treating NaN as zero.
    #[pyo3(signature = (dim = None, keepdim = false, *, dtype = None))]
    fn nansum(&self, dim: Option<DimArg>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let d = dtype_arg(dtype)?;
        build(|| self.tensor().nansum(dims(&dim), keepdim, d))
    }
    /// Mean over ``dim`` of the non-NaN elements (floats).
    #[pyo3(signature = (dim = None, keepdim = false, *, dtype = None))]
    fn nanmean(&self, dim: Option<DimArg>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let d = dtype_arg(dtype)?;
        build(|| self.tensor().nanmean(dims(&dim), keepdim, d))
    }
    /// PyTorch's ``norm``: ``p='fro'`` (default) or a number over ``dim``.
    #[pyo3(signature = (p = None, dim = None, keepdim = false, dtype = None))]
    fn norm(
        &self,
        p: Option<&Bound<'_, PyAny>>,
        dim: Option<DimArg>,
        keepdim: bool,
        dtype: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let ord = p.filter(|p| !p.is_none()).map(|p| norm_ord("norm", p)).transpose()?.unwrap_or(MatrixOrd::Fro);
        let d = dtype_arg(dtype)?;
        build(|| self.tensor().norm(ord, dims(&dim), keepdim, d))
    }
    /// The dot product with another 1-d tensor.
    fn dot(&self, other: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().dot(&other.0))
    }
    /// The dot product with another 1-d tensor.
    fn vdot(&self, other: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().vdot(&other.0))
    }
    /// Sum of products over the last dims.
    fn inner(&self, other: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().inner(&other.0))
    }
    /// The outer product with another 1-d tensor.
    fn outer(&self, vec2: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().outer(&vec2.0))
    }
    /// The outer product with another 1-d tensor (``outer``).
    fn ger(&self, vec2: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().outer(&vec2.0))
    }
    /// Matrix product with a matrix.
    fn mm(&self, mat2: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().mm(&mat2.0))
    }
    /// Batched matrix product of 3-d tensors.
    fn bmm(&self, mat2: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().bmm(&mat2.0))
    }
    /// Matrix-vector product.
    fn mv(&self, vec: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().mv(&vec.0))
    }
    /// ``beta * self + alpha * (mat1 @ mat2)``.
    #[pyo3(signature = (mat1, mat2, *, beta = 1.0, alpha = 1.0))]
    fn addmm(&self, mat1: TensorArg, mat2: TensorArg, beta: f64, alpha: f64) -> PyResult<PyTensor> {
        build(|| self.tensor().addmm(&mat1.0, &mat2.0, beta, alpha))
    }
    /// ``beta * self + alpha * (mat @ vec)``.
    #[pyo3(signature = (mat, vec, *, beta = 1.0, alpha = 1.0))]
    fn addmv(&self, mat: TensorArg, vec: TensorArg, beta: f64, alpha: f64) -> PyResult<PyTensor> {
        build(|| self.tensor().addmv(&mat.0, &vec.0, beta, alpha))
    }
    /// ``beta * self + alpha * bmm(batch1, batch2)``.
    #[pyo3(signature = (batch1, batch2, *, beta = 1.0, alpha = 1.0))]
    fn baddbmm(&self, batch1: TensorArg, batch2: TensorArg, beta: f64, alpha: f64) -> PyResult<PyTensor> {
        build(|| self.tensor().baddbmm(&batch1.0, &batch2.0, beta, alpha))
    }
    /// Sums products with ``other`` over ``dims`` (an int or two lists of dims).
    #[pyo3(signature = (other, dims = None))]
    fn tensordot(&self, other: TensorArg, dims: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        match dims {
            Some(d) => tensordot_op(&self.tensor(), &other.0, d),
            None => build(|| self.tensor().tensordot_n(&other.0, 2)),
        }
    }
    /// The lower triangle of the last two dims (``j - i <= diagonal`` kept).
    #[pyo3(signature = (diagonal = 0))]
    fn tril(&self, diagonal: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().tril(diagonal))
    }
    /// The upper triangle of the last two dims (``j - i >= diagonal`` kept).
    #[pyo3(signature = (diagonal = 0))]
    fn triu(&self, diagonal: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().triu(diagonal))
    }
    /// The ``offset`` diagonal of dims ``dim1`` and ``dim2`` as a new last dim (a view).
    #[pyo3(signature = (offset = 0, dim1 = 0, dim2 = 1))]
    fn diagonal(&self, offset: isize, dim1: isize, dim2: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().diagonal(offset, dim1, dim2))
    }
    /// The sum of the main diagonal of a matrix.
    fn trace(&self) -> PyResult<PyTensor> {
        build(|| self.tensor().trace())
    }
    /// 1-d: a square matrix with this on the ``diagonal``-th diagonal; 2-d: that diagonal.
    #[pyo3(signature = (diagonal = 0))]
    fn diag(&self, diagonal: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().diag(diagonal))
    }
    /// The last dim placed on the ``offset`` diagonal of new dims ``dim1``, ``dim2``.
    #[pyo3(signature = (offset = 0, dim1 = -2, dim2 = -1))]
    fn diag_embed(&self, offset: isize, dim1: isize, dim2: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().diag_embed(offset, dim1, dim2))
    }
}
