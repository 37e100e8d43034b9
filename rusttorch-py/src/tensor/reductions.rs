//! The reductions of `Tensor`: sums, means, extrema (PyTorch's three forms of `max`/`min`),
//! arg-extrema, variance, `logsumexp` and the softmaxes.

use super::{build, PyTensor};
use crate::args::{dims, DimArg};
use crate::dtype::opt_dtype;
use crate::errors::{guard, type_err, value_err};
use ::numpy::PyUntypedArray;
use pyo3::prelude::*;
use pyo3::types::PyBool;
use rusttorch_ir::{scoped, BinaryOp, ReduceOp};

/// `max`/`min` in PyTorch's three forms (see `PyTensor::max`): `dim` an int gives the named
/// tuple `rusttorch.return_types.max(values, indices)`; `dim` a tensor or array (or `other=`)
/// the elementwise `maximum`/`minimum`; neither the reduction over everything.
pub fn extremum<'py>(
    py: Python<'py>,
    t: &PyTensor,
    op: ReduceOp,
    dim: Option<&Bound<'py, PyAny>>,
    keepdim: bool,
    other: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (name, elementwise) = if op == ReduceOp::Max { ("max", BinaryOp::Maximum) } else { ("min", BinaryOp::Minimum) };
    let dim = dim.filter(|d| !d.is_none());
    let is_operand = |d: &Bound<'py, PyAny>| d.is_instance_of::<PyTensor>() || d.is_instance_of::<PyUntypedArray>();
    let other = match (dim, other.filter(|o| !o.is_none())) {
        (Some(_), Some(_)) => return Err(type_err(format!("{name}: give dim or other, not both"))),
        (Some(d), None) if is_operand(d) => Some(d),
        (_, o) => o,
    };
    if let Some(o) = other {
        if keepdim {
            return Err(type_err(format!("{name}: keepdim has no meaning with other (the elementwise {name})")));
        }
        return Ok(Bound::new(py, t.apply_or_raise(o, elementwise, false)?)?.into_any());
    }
    let Some(dim) = dim else {
        let r = build(|| scoped(name, || t.tensor().reduce(op, None, keepdim)))?;
        return Ok(Bound::new(py, r)?.into_any());
    };
    let dim: isize = dim.extract().map_err(|_| {
        type_err(format!(
            "{name}: dim must be an int, got {}; a{name} takes several dims",
            dim.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })?;
    let (values, indices) = guard(|| t.tensor().extremum_along(op, dim, keepdim))?;
    let class = py.import("rusttorch.return_types")?.getattr(name)?;
    class.call1((PyTensor::from(values), PyTensor::from(indices)))
}

/// The `correction` of var/std: a non-negative int.
fn correction_arg(correction: i64) -> PyResult<usize> {
    usize::try_from(correction).map_err(|_| value_err(format!("correction must be >= 0, got {correction}")))
}

/// The dims and correction of var/std in PyTorch's forms: `var(dim, unbiased, keepdim)`,
/// `var(unbiased)` (a bool where the dim goes) and `var(dim, correction=c)`.
pub fn var_args(
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<bool>,
    correction: Option<i64>,
) -> PyResult<(Option<DimArg>, usize)> {
    let dim = dim.filter(|d| !d.is_none());
    let (dim, unbiased) = match dim {
        Some(d) if d.is_instance_of::<PyBool>() => {
            if unbiased.is_some() {
                return Err(type_err("var: unbiased given twice"));
            }
            (None, Some(d.extract::<bool>()?))
        }
        Some(d) => (Some(d.extract::<DimArg>()?), unbiased),
        None => (None, unbiased),
    };
    let c = match (unbiased, correction) {
        (Some(_), Some(_)) => return Err(type_err("var: give unbiased or correction, not both")),
        (Some(u), None) => usize::from(u),
        (None, Some(c)) => correction_arg(c)?,
        (None, None) => 1,
    };
    Ok((dim, c))
}

#[pymethods]
impl PyTensor {
    /// Sum over ``dim`` (an int, a tuple of ints, or ``None`` for all), keeping the reduced dims
    /// as size 1 when ``keepdim``.
    /// ``dtype`` casts the input first (and is the result's dtype).
    #[pyo3(signature = (dim = None, keepdim = false, *, dtype = None))]
    fn sum(&self, dim: Option<DimArg>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let d = opt_dtype(dtype)?;
        build(|| self.tensor().sum_as(dims(&dim), keepdim, d))
    }
    /// Mean over ``dim`` (an int, a tuple of ints, or ``None`` for all); ``dtype`` casts first.
    #[pyo3(signature = (dim = None, keepdim = false, *, dtype = None))]
    fn mean(&self, dim: Option<DimArg>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let d = opt_dtype(dtype)?;
        build(|| self.tensor().mean_as(dims(&dim), keepdim, d))
    }
    /// ``t.max()``: the maximum (0-d); ``t.max(dim, keepdim=False)``: the named tuple
    /// ``(values, indices)`` of the maxima along ``dim`` and their first indices;
    /// ``t.max(other)``: the elementwise maximum, as PyTorch's overloads.
    #[pyo3(signature = (dim = None, keepdim = false, *, other = None))]
    fn max<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: bool,
        other: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        extremum(py, self, ReduceOp::Max, dim, keepdim, other)
    }
    /// ``t.min()``, ``t.min(dim, keepdim=False)`` (the named tuple ``(values, indices)``) or
    /// ``t.min(other)`` (elementwise), as ``max``.
    #[pyo3(signature = (dim = None, keepdim = false, *, other = None))]
    fn min<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: bool,
        other: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        extremum(py, self, ReduceOp::Min, dim, keepdim, other)
    }
    /// Maximum over ``dim`` (an int, a tuple of ints, or ``None`` for all), values only.
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn amax(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| scoped("amax", || self.tensor().max(dims(&dim), keepdim)))
    }
    /// Minimum over ``dim`` (an int, a tuple of ints, or ``None`` for all), values only.
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn amin(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| scoped("amin", || self.tensor().min(dims(&dim), keepdim)))
    }
    /// Softmax along ``dim``: ``exp(x - max) / sum(exp(x - max))``; ``dtype`` casts first.
    #[pyo3(signature = (dim, dtype = None))]
    fn softmax(&self, dim: isize, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let d = opt_dtype(dtype)?;
        build(|| scoped("softmax", || self.tensor().cast_opt(d)?.softmax(dim)))
    }
    /// Log-softmax along ``dim``: ``x - max - log(sum(exp(x - max)))``; ``dtype`` casts first.
    #[pyo3(signature = (dim, dtype = None))]
    fn log_softmax(&self, dim: isize, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let d = opt_dtype(dtype)?;
        build(|| scoped("log_softmax", || self.tensor().cast_opt(d)?.log_softmax(dim)))
    }
    /// Index of the first maximum along ``dim`` (of the flattened tensor when ``None``), int64.
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn argmax(&self, dim: Option<isize>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.tensor().argmax(dim, keepdim))
    }
    /// Index of the first minimum along ``dim`` (of the flattened tensor when ``None``), int64.
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn argmin(&self, dim: Option<isize>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.tensor().argmin(dim, keepdim))
    }
    /// Variance over ``dim`` (an int, a tuple of ints, or ``None`` for all), dividing by
    /// ``N - correction`` (1: unbiased, 0: population); NaN when that is not positive.
    /// ``unbiased`` (PyTorch's older form, also as the first argument) is ``correction`` 1 or 0.
    #[pyo3(signature = (dim = None, unbiased = None, keepdim = false, *, correction = None))]
    fn var(
        &self,
        dim: Option<&Bound<'_, PyAny>>,
        unbiased: Option<bool>,
        keepdim: bool,
        correction: Option<i64>,
    ) -> PyResult<PyTensor> {
        let (dim, c) = var_args(dim, unbiased, correction)?;
        build(|| self.tensor().var(dims(&dim), c, keepdim))
    }
    /// Standard deviation over ``dim``: ``sqrt(var(...))`` with the same arguments.
    #[pyo3(signature = (dim = None, unbiased = None, keepdim = false, *, correction = None))]
    fn std(
        &self,
        dim: Option<&Bound<'_, PyAny>>,
        unbiased: Option<bool>,
        keepdim: bool,
        correction: Option<i64>,
    ) -> PyResult<PyTensor> {
        let (dim, c) = var_args(dim, unbiased, correction)?;
        build(|| self.tensor().std(dims(&dim), c, keepdim))
    }
    /// ``log(sum(exp(x)))`` along ``dim``, shifted by the max so it never overflows; as in
    /// PyTorch, a row of ``-inf`` gives ``-inf`` and a row holding ``+inf`` gives ``+inf``.
    #[pyo3(signature = (dim, keepdim = false))]
    fn logsumexp(&self, dim: isize, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.tensor().logsumexp(dim, keepdim))
    }
}
