//! Module functions of the reductions and linear algebra of PyTorch's everyday surface
//! (`prod`, `all`, `norm`, `einsum`, `tensordot`, `tril`...) and of `rusttorch.linalg`
//! (`vector_norm`, `matrix_norm`, `vecdot`), with the argument forms they share with the
//! `Tensor` methods.

use crate::args::{dims, DimArg, TensorArg};
use crate::dtype::opt_dtype;
use crate::errors::{type_err, type_name, value_err};
use crate::tensor::{build, var_args, PyTensor};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use rusttorch_ir::{DType, MatrixOrd, Tensor};

/// A norm order: `'fro'`, `'nuc'` or a number (`inf` included).
pub fn norm_ord(op: &str, p: &Bound<'_, PyAny>) -> PyResult<MatrixOrd> {
    if let Ok(s) = p.cast::<PyString>() {
        return match s.to_str()? {
            "fro" => Ok(MatrixOrd::Fro),
            "nuc" => Ok(MatrixOrd::Nuc),
            other => Err(value_err(format!("{op}: unknown norm order {other:?} (use 'fro', 'nuc' or a number)"))),
        };
    }
    p.extract::<f64>()
        .map(MatrixOrd::P)
        .map_err(|_| type_err(format!("{op}: the order must be 'fro', 'nuc' or a number, got {}", type_name(p))))
}

/// A vector norm order (a number).
fn vector_ord(p: &Bound<'_, PyAny>) -> PyResult<f64> {
    p.extract::<f64>().map_err(|_| type_err(format!("linalg.vector_norm: ord must be a number, got {}", type_name(p))))
}

/// `dims` of tensordot: an int `n`, or two sequences of dims.
pub fn tensordot_op(a: &Tensor, b: &Tensor, dims: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    if let Ok(n) = dims.extract::<i64>() {
        let n = usize::try_from(n).map_err(|_| value_err(format!("tensordot: dims must be >= 0, got {n}")))?;
        return build(|| a.tensordot_n(b, n));
    }
    let (da, db): (DimArg, DimArg) = dims.extract().map_err(|_| {
        type_err(format!("tensordot: dims must be an int or a pair of dim lists, got {}", type_name(dims)))
    })?;
    build(|| a.tensordot(b, &da.0, &db.0))
}

/// The two matrix dims of `matrix_norm`.
fn dim_pair(dim: Option<DimArg>) -> PyResult<[isize; 2]> {
    match dim {
        None => Ok([-2, -1]),
        Some(d) => <[isize; 2]>::try_from(d.0)
            .map_err(|d| value_err(format!("linalg.matrix_norm: dim must be a pair of dims, got {d:?}"))),
    }
}

/// Product over ``dim`` (an int, a tuple, or ``None`` for all); 1 for an empty reduction;
/// ints and bools give int64 (wrapping), ``dtype`` casts first.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false, *, dtype = None))]
pub fn prod(
    input: TensorArg,
    dim: Option<DimArg>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    build(|| input.0.prod_as(dims(&dim), keepdim, d))
}

/// Whether all elements over ``dim`` are non-zero (bool; true when empty).
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false))]
pub fn all(input: TensorArg, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
    build(|| input.0.all(dims(&dim), keepdim))
}

/// Whether any element over ``dim`` is non-zero (bool; false when empty).
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false))]
pub fn any(input: TensorArg, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
    build(|| input.0.any(dims(&dim), keepdim))
}

/// The number of non-zero elements over ``dim`` (int64).
#[pyfunction]
#[pyo3(signature = (input, dim = None))]
pub fn count_nonzero(input: TensorArg, dim: Option<DimArg>) -> PyResult<PyTensor> {
    build(|| input.0.count_nonzero(dims(&dim)))
}

/// Sum over ``dim`` treating NaN as zero.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false, *, dtype = None))]
pub fn nansum(
    input: TensorArg,
    dim: Option<DimArg>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    build(|| input.0.nansum(dims(&dim), keepdim, d))
}

/// Mean over ``dim`` of the non-NaN elements (floats).
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false, *, dtype = None))]
pub fn nanmean(
    input: TensorArg,
    dim: Option<DimArg>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    build(|| input.0.nanmean(dims(&dim), keepdim, d))
}

/// PyTorch's ``norm``: ``p='fro'`` (default) or a number over ``dim``; ``'nuc'`` raises
/// ``NotImplementedError``.
#[pyfunction]
#[pyo3(signature = (input, p = None, dim = None, keepdim = false, dtype = None))]
pub fn norm(
    input: TensorArg,
    p: Option<&Bound<'_, PyAny>>,
    dim: Option<DimArg>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let ord = match p.filter(|p| !p.is_none()) {
        Some(p) => norm_ord("norm", p)?,
        None => MatrixOrd::Fro,
    };
    let d = opt_dtype(dtype)?;
    build(|| input.0.norm(ord, dims(&dim), keepdim, d))
}

/// ``linalg.vector_norm``: ``sum(|x|^ord)^(1/ord)`` over ``dim`` (all when ``None``); ord 0,
/// inf and -inf count non-zeros, take the max and the min of ``|x|``.
#[pyfunction(name = "_linalg_vector_norm")]
#[pyo3(signature = (x, ord = None, dim = None, keepdim = false, *, dtype = None))]
pub fn vector_norm(
    x: TensorArg,
    ord: Option<&Bound<'_, PyAny>>,
    dim: Option<DimArg>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let ord = ord.filter(|o| !o.is_none()).map(vector_ord).transpose()?.unwrap_or(2.0);
    let d = opt_dtype(dtype)?;
    build(|| x.0.vector_norm(ord, dims(&dim), keepdim, d))
}

/// ``linalg.matrix_norm`` over ``dim`` (the last two by default): ``'fro'``, 1, -1, inf,
/// -inf; ``'nuc'``, 2 and -2 raise ``NotImplementedError``.
#[pyfunction(name = "_linalg_matrix_norm")]
#[pyo3(signature = (a, ord = None, dim = None, keepdim = false, *, dtype = None))]
pub fn matrix_norm(
    a: TensorArg,
    ord: Option<&Bound<'_, PyAny>>,
    dim: Option<DimArg>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let ord = ord.filter(|o| !o.is_none()).map(|o| norm_ord("linalg.matrix_norm", o)).transpose()?;
    let (pair, d) = (dim_pair(dim)?, opt_dtype(dtype)?);
    build(|| a.0.matrix_norm(ord.unwrap_or(MatrixOrd::Fro), pair, keepdim, d))
}

/// ``linalg.norm``: a vector norm (``ord`` a number or ``None`` over ``dim`` of one dim or
/// all) or a matrix norm (``ord`` a string, or ``dim`` a pair with a numeric ``ord``).
#[pyfunction(name = "_linalg_norm")]
#[pyo3(signature = (a, ord = None, dim = None, keepdim = false, *, dtype = None))]
pub fn linalg_norm(
    a: TensorArg,
    ord: Option<&Bound<'_, PyAny>>,
    dim: Option<DimArg>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    let ord = ord.filter(|o| !o.is_none()).map(|o| norm_ord("linalg.norm", o)).transpose()?;
    let matrix = matches!(ord, Some(MatrixOrd::Fro | MatrixOrd::Nuc))
        || ord.is_some() && dim.as_ref().map_or(a.0.ndim() == 2, |d| d.0.len() == 2);
    match ord {
        Some(o) if matrix => {
            let pair = match dim {
                Some(d) => dim_pair(Some(d))?,
                None => [-2, -1],
            };
            build(|| a.0.matrix_norm(o, pair, keepdim, d))
        }
        Some(MatrixOrd::P(p)) => build(|| a.0.vector_norm(p, dims(&dim), keepdim, d)),
        _ => build(|| a.0.vector_norm(2.0, dims(&dim), keepdim, d)),
    }
}

/// ``linalg.vecdot``: ``sum(x * y, dim)`` after broadcasting.
#[pyfunction(name = "_linalg_vecdot")]
#[pyo3(signature = (x, y, *, dim = -1))]
pub fn vecdot(x: TensorArg, y: TensorArg, dim: isize) -> PyResult<PyTensor> {
    build(|| x.0.vecdot(&y.0, dim))
}

/// Einstein summation: ``einsum("ij,jk->ik", a, b)`` (operands also as one list).
#[pyfunction]
#[pyo3(signature = (equation, *operands))]
pub fn einsum(equation: &str, operands: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
    let ts: Vec<Tensor> = if operands.len() == 1 && !operands.get_item(0)?.is_instance_of::<PyTensor>() {
        match operands.get_item(0)?.extract::<Vec<TensorArg>>() {
            Ok(v) => v.into_iter().map(|t| t.0).collect(),
            Err(_) => vec![operands.get_item(0)?.extract::<TensorArg>()?.0],
        }
    } else {
        operands.iter().map(|o| o.extract::<TensorArg>().map(|t| t.0)).collect::<PyResult<_>>()?
    };
    build(|| Tensor::einsum(equation, &ts))
}

/// Sums products over ``dims`` (an int: the last of ``a`` with the first of ``b``; or two
/// lists of dims).
#[pyfunction]
#[pyo3(signature = (a, b, dims = None))]
pub fn tensordot(a: TensorArg, b: TensorArg, dims: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    match dims {
        Some(d) => tensordot_op(&a.0, &b.0, d),
        None => build(|| a.0.tensordot_n(&b.0, 2)),
    }
}

macro_rules! binary_products {
    ($($(#[$doc:meta])* $name:ident ($a:ident, $b:ident) => $method:ident;)*) => {$(
        $(#[$doc])*
        #[pyfunction]
        pub fn $name($a: TensorArg, $b: TensorArg) -> PyResult<PyTensor> {
            build(|| $a.0.$method(&$b.0))
        }
    )*};
}

binary_products! {
    /// The dot product of two 1-d tensors.
    dot(input, tensor) => dot;
    /// The dot product of two 1-d tensors (no conjugation for real tensors).
    vdot(input, other) => vdot;
    /// Sum of products over the last dims.
    inner(input, other) => inner;
    /// The outer product of two 1-d tensors.
    outer(input, vec2) => outer;
    /// The outer product of two 1-d tensors (``outer``).
    ger(input, vec2) => outer;
    /// Matrix product of two matrices.
    mm(input, mat2) => mm;
    /// Batched matrix product of two 3-d tensors.
    bmm(input, mat2) => bmm;
    /// Matrix-vector product.
    mv(input, vec) => mv;
}

macro_rules! add_products {
    ($($(#[$doc:meta])* $name:ident ($a:ident, $b:ident)  => $method:ident;)*) => {$(
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (input, $a, $b, *, beta = 1.0, alpha = 1.0))]
        pub fn $name(input: TensorArg, $a: TensorArg, $b: TensorArg, beta: f64, alpha: f64) -> PyResult<PyTensor> {
            build(|| input.0.$method(&$a.0, &$b.0, beta, alpha))
        }
    )*};
}

add_products! {
    /// ``beta * input + alpha * (mat1 @ mat2)``.
    addmm(mat1, mat2) => addmm;
    /// ``beta * input + alpha * (mat @ vec)``.
    addmv(mat, vec) => addmv;
    /// ``beta * input + alpha * bmm(batch1, batch2)``.
    baddbmm(batch1, batch2) => baddbmm;
}

/// The lower triangle of the last two dims (``j - i <= diagonal`` kept).
#[pyfunction]
#[pyo3(signature = (input, diagonal = 0))]
pub fn tril(input: TensorArg, diagonal: isize) -> PyResult<PyTensor> {
    build(|| input.0.tril(diagonal))
}

/// The upper triangle of the last two dims (``j - i >= diagonal`` kept).
#[pyfunction]
#[pyo3(signature = (input, diagonal = 0))]
pub fn triu(input: TensorArg, diagonal: isize) -> PyResult<PyTensor> {
    build(|| input.0.triu(diagonal))
}

/// The ``offset`` diagonal of dims ``dim1`` and ``dim2`` as a new last dim (a view).
#[pyfunction]
#[pyo3(signature = (input, offset = 0, dim1 = 0, dim2 = 1))]
pub fn diagonal(input: TensorArg, offset: isize, dim1: isize, dim2: isize) -> PyResult<PyTensor> {
    build(|| input.0.diagonal(offset, dim1, dim2))
}

/// ``linalg.diagonal``: the ``offset`` diagonal of the last two dims by default.
#[pyfunction(name = "_linalg_diagonal")]
#[pyo3(signature = (a, *, offset = 0, dim1 = -2, dim2 = -1))]
pub fn linalg_diagonal(a: TensorArg, offset: isize, dim1: isize, dim2: isize) -> PyResult<PyTensor> {
    build(|| a.0.diagonal(offset, dim1, dim2))
}

/// The sum of a matrix's main diagonal.
#[pyfunction]
pub fn trace(input: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.trace())
}

/// 1-d: a square matrix with ``input`` on the ``diagonal``-th diagonal; 2-d: that diagonal.
#[pyfunction]
#[pyo3(signature = (input, diagonal = 0))]
pub fn diag(input: TensorArg, diagonal: isize) -> PyResult<PyTensor> {
    build(|| input.0.diag(diagonal))
}

/// The last dim placed on the ``offset`` diagonal of new dims ``dim1``, ``dim2``.
#[pyfunction]
#[pyo3(signature = (input, offset = 0, dim1 = -2, dim2 = -1))]
pub fn diag_embed(input: TensorArg, offset: isize, dim1: isize, dim2: isize) -> PyResult<PyTensor> {
    build(|| input.0.diag_embed(offset, dim1, dim2))
}

/// Variance with PyTorch's argument forms: ``var(x, dim, unbiased, keepdim)``,
/// ``var(x, unbiased)`` and ``var(x, dim, correction=c, keepdim=k)``.
#[pyfunction]
#[pyo3(signature = (input, dim = None, unbiased = None, keepdim = false, *, correction = None))]
pub fn var(
    input: TensorArg,
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<bool>,
    keepdim: bool,
    correction: Option<i64>,
) -> PyResult<PyTensor> {
    let (dim, c) = var_args(dim, unbiased, correction)?;
    build(|| input.0.var(dims(&dim), c, keepdim))
}

/// Standard deviation with the argument forms of ``var``.
#[pyfunction(name = "std")]
#[pyo3(signature = (input, dim = None, unbiased = None, keepdim = false, *, correction = None))]
pub fn std_dev(
    input: TensorArg,
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<bool>,
    keepdim: bool,
    correction: Option<i64>,
) -> PyResult<PyTensor> {
    let (dim, c) = var_args(dim, unbiased, correction)?;
    build(|| input.0.std(dims(&dim), c, keepdim))
}

/// The dtype a `dtype=` names, for the methods.
pub fn dtype_arg(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    opt_dtype(dtype)
}
