//! `rusttorch.Tensor`: a lazy tensor. Every method delegates to `rusttorch_ir::Tensor` (building
//! the expression) or to the default `Engine` (evaluating it); this file only converts arguments.

use crate::args::{dims, gelu_approx, operand, DimArg, Operand};
use crate::dtype::{dtype_object, parse_dtype, require_float, PyDType};
use crate::errors::{guard, guard_detached, type_err, value_err};
use crate::numpy::{array_protocol, buffer_to_numpy};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rusttorch_exec::Engine;
use rusttorch_ir::{BinaryOp, Error, Result, Tensor};

/// A lazy tensor: operations build an expression graph; ``eval()``, ``numpy()``, ``item()`` and
/// friends evaluate it with a fusing CPU backend.
#[pyclass(name = "Tensor", module = "rusttorch", frozen)]
pub struct PyTensor(pub Tensor);

/// Builds a tensor with `f` (errors and panics become Python exceptions).
fn build(f: impl FnOnce() -> Result<Tensor>) -> PyResult<PyTensor> {
    guard(f).map(PyTensor)
}

/// Evaluates the tensors that are not evaluated yet, in one plan, with the GIL released.
pub fn eval_all(py: Python<'_>, tensors: &[Tensor], fuse: bool) -> PyResult<()> {
    if tensors.iter().all(Tensor::is_evaluated) {
        return Ok(());
    }
    guard_detached(py, || Engine::default_engine().eval_with(tensors, fuse))
}

/// Evaluates `t` if needed and returns its result buffer as a read-only ndarray (no copy).
pub fn to_numpy<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    eval_all(py, std::slice::from_ref(t), true)?;
    let buf = guard(|| t.buffer().ok_or_else(|| Error::Internal("evaluated tensor has no buffer".into())))?;
    buffer_to_numpy(py, buf, t.dims())
}

/// Python's repr of a shape tuple: `()`, `(3,)`, `(2, 3)`.
fn shape_repr(dims: &[usize]) -> String {
    match dims {
        [d] => format!("({d},)"),
        _ => format!("({})", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

impl PyTensor {
    /// `self op other` (or `other op self` when `reflected`); `None` for unsupported operands.
    pub fn apply(&self, other: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<Option<PyTensor>> {
        let t = &self.0;
        let Some(other) = operand(other, t)? else { return Ok(None) };
        build(|| match (other, reflected) {
            (Operand::Scalar(v), false) if op == BinaryOp::Pow => t.pow_scalar(v),
            (Operand::Scalar(v), false) => t.binary_scalar(op, v),
            (Operand::Scalar(v), true) => t.rbinary_scalar(op, v),
            (Operand::Tensor(o), false) => t.binary(op, &o),
            (Operand::Tensor(o), true) => o.binary(op, t),
        })
        .map(Some)
    }

    /// Like [`PyTensor::apply`], raising `TypeError` for unsupported operands (named methods).
    pub fn apply_or_raise(&self, other: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<PyTensor> {
        self.apply(other, op, reflected)?.ok_or_else(|| {
            let ty = other.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            type_err(format!("unsupported operand type for {}: '{ty}'", op.info().name))
        })
    }

    /// An operator: `NotImplemented` for unsupported operands, so Python tries the other side.
    fn operator(&self, other: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<Py<PyAny>> {
        let py = other.py();
        match self.apply(other, op, reflected)? {
            Some(t) => Ok(Py::new(py, t)?.into_any()),
            None => Ok(py.NotImplemented()),
        }
    }
}

#[pymethods]
impl PyTensor {
    // ------------------------------------------------------------------ attributes

    /// The shape, a tuple of ints.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.dims())
    }

    /// The element type (``rusttorch.float32`` or ``rusttorch.float64``).
    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> Bound<'py, PyDType> {
        dtype_object(py, self.0.dtype())
    }

    /// Number of dimensions.
    #[getter]
    fn ndim(&self) -> usize {
        self.0.ndim()
    }

    /// Whether the tensor holds a computed result (never triggers evaluation).
    #[getter]
    fn is_evaluated(&self) -> bool {
        self.0.is_evaluated()
    }

    /// Number of elements.
    fn numel(&self) -> usize {
        self.0.numel()
    }

    fn __len__(&self) -> PyResult<usize> {
        self.0.dims().first().copied().ok_or_else(|| type_err("len() of a 0-d tensor"))
    }

    fn __repr__(&self) -> String {
        let state = if self.0.is_evaluated() { "evaluated" } else { "lazy" };
        format!("Tensor(shape={}, dtype={}, {state})", shape_repr(self.0.dims()), self.0.dtype())
    }

    /// NumPy defers to the reflected operators of a tensor (``ndarray + tensor`` is a tensor).
    #[classattr]
    fn __array_ufunc__(py: Python<'_>) -> Py<PyAny> {
        py.None()
    }

    // ------------------------------------------------------------------ evaluation

    /// Evaluates the tensor (fused, or op by op with ``fuse=False``) and returns it; later uses
    /// read the stored result. The GIL is released while it runs.
    #[pyo3(signature = (fuse = true))]
    fn eval<'py>(slf: &Bound<'py, Self>, fuse: bool) -> PyResult<Bound<'py, Self>> {
        eval_all(slf.py(), std::slice::from_ref(&slf.get().0), fuse)?;
        Ok(slf.clone())
    }

    /// The result as a read-only ``numpy.ndarray`` over the tensor's own memory (no copy);
    /// evaluates first if needed. The array keeps the memory alive.
    fn numpy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_numpy(py, &self.0)
    }

    /// NumPy's array protocol: ``np.asarray(t)`` is ``t.numpy()``.
    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        array_protocol(to_numpy(py, &self.0)?, dtype, copy)
    }

    /// The value of a one-element tensor as a Python float.
    fn item(&self, py: Python<'_>) -> PyResult<f64> {
        if self.0.numel() != 1 {
            return Err(value_err(format!(
                "item() needs a tensor with one element, this one has {} (shape {})",
                self.0.numel(),
                shape_repr(self.0.dims())
            )));
        }
        to_numpy(py, &self.0)?.call_method0("item")?.extract()
    }

    fn __float__(&self, py: Python<'_>) -> PyResult<f64> {
        self.item(py)
    }

    fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.item(py)? != 0.0)
    }

    /// The values as (nested) Python lists of floats; a float for a 0-d tensor.
    fn tolist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_numpy(py, &self.0)?.call_method0("tolist")
    }

    /// The optimized, fused plan as text: kernels, ops, inputs, outputs and bytes moved.
    fn explain(&self) -> PyResult<String> {
        guard(|| Engine::default_engine().explain(std::slice::from_ref(&self.0)))
    }

    /// Graphviz DOT of the optimized graph, before and after fusion (kernels as clusters).
    fn to_dot(&self) -> PyResult<String> {
        guard(|| Ok(Engine::default_engine().plan_for(std::slice::from_ref(&self.0), true)?.to_dot()))
    }

    // ------------------------------------------------------------------ operators

    fn __add__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Add, false)
    }
    fn __radd__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Add, true)
    }
    fn __sub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Sub, false)
    }
    fn __rsub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Sub, true)
    }
    fn __mul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Mul, false)
    }
    fn __rmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Mul, true)
    }
    fn __truediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Div, false)
    }
    fn __rtruediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Div, true)
    }
    fn __pow__(&self, other: &Bound<'_, PyAny>, _modulo: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Pow, false)
    }
    fn __rpow__(&self, other: &Bound<'_, PyAny>, _modulo: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Pow, true)
    }
    fn __neg__(&self) -> PyResult<PyTensor> {
        build(|| self.0.neg())
    }
    fn __pos__(&self) -> PyTensor {
        PyTensor(self.0.clone())
    }
    fn __abs__(&self) -> PyResult<PyTensor> {
        build(|| self.0.abs())
    }

    // ------------------------------------------------------------------ elementwise

    /// ``-x``
    fn neg(&self) -> PyResult<PyTensor> {
        build(|| self.0.neg())
    }
    /// ``|x|``
    fn abs(&self) -> PyResult<PyTensor> {
        build(|| self.0.abs())
    }
    /// ``e**x``
    fn exp(&self) -> PyResult<PyTensor> {
        build(|| self.0.exp())
    }
    /// Natural logarithm (NaN below 0, -inf at 0).
    fn log(&self) -> PyResult<PyTensor> {
        build(|| self.0.log())
    }
    /// Square root (NaN below 0).
    fn sqrt(&self) -> PyResult<PyTensor> {
        build(|| self.0.sqrt())
    }
    /// ``1 / sqrt(x)``
    fn rsqrt(&self) -> PyResult<PyTensor> {
        build(|| self.0.rsqrt())
    }
    /// ``1 / x``
    fn reciprocal(&self) -> PyResult<PyTensor> {
        build(|| self.0.recip())
    }
    /// ``x * x``
    fn square(&self) -> PyResult<PyTensor> {
        build(|| self.0.square())
    }
    /// Hyperbolic tangent.
    fn tanh(&self) -> PyResult<PyTensor> {
        build(|| self.0.tanh())
    }
    /// Logistic sigmoid ``1 / (1 + e**-x)``.
    fn sigmoid(&self) -> PyResult<PyTensor> {
        build(|| self.0.sigmoid())
    }
    /// ``max(x, 0)``
    fn relu(&self) -> PyResult<PyTensor> {
        build(|| self.0.relu())
    }
    /// Sine.
    fn sin(&self) -> PyResult<PyTensor> {
        build(|| self.0.sin())
    }
    /// Cosine.
    fn cos(&self) -> PyResult<PyTensor> {
        build(|| self.0.cos())
    }
    /// ``x`` where ``x >= 0``, else ``negative_slope * x``.
    #[pyo3(signature = (negative_slope = 0.01))]
    fn leaky_relu(&self, negative_slope: f64) -> PyResult<PyTensor> {
        build(|| self.0.leaky_relu(negative_slope))
    }
    /// GELU: exact (``approximate="none"``, via erf) or the tanh approximation (``"tanh"``).
    #[pyo3(signature = (approximate = "none"))]
    fn gelu(&self, approximate: &str) -> PyResult<PyTensor> {
        let approx = gelu_approx(approximate)?;
        build(|| self.0.gelu(approx))
    }
    /// ``self ** exponent`` (a tensor, array or scalar), broadcasting.
    fn pow(&self, exponent: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(exponent, BinaryOp::Pow, false)
    }
    /// Elementwise maximum with a tensor, array or scalar, broadcasting.
    fn maximum(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Maximum, false)
    }
    /// Elementwise minimum with a tensor, array or scalar, broadcasting.
    fn minimum(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Minimum, false)
    }

    // ------------------------------------------------------------------ reductions

    /// Sum over ``dim`` (an int, a tuple of ints, or ``None`` for all), keeping the reduced dims
    /// as size 1 when ``keepdim``.
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn sum(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.0.sum(dims(&dim), keepdim))
    }
    /// Mean over ``dim`` (an int, a tuple of ints, or ``None`` for all).
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn mean(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.0.mean(dims(&dim), keepdim))
    }
    /// Maximum over ``dim`` (an int, a tuple of ints, or ``None`` for all); values only.
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn max(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.0.max(dims(&dim), keepdim))
    }
    /// Minimum over ``dim`` (an int, a tuple of ints, or ``None`` for all); values only.
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn min(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.0.min(dims(&dim), keepdim))
    }
    /// Softmax along ``dim``: ``exp(x - max) / sum(exp(x - max))``.
    fn softmax(&self, dim: isize) -> PyResult<PyTensor> {
        build(|| self.0.softmax(dim))
    }
    /// Log-softmax along ``dim``: ``x - max - log(sum(exp(x - max)))``.
    fn log_softmax(&self, dim: isize) -> PyResult<PyTensor> {
        build(|| self.0.log_softmax(dim))
    }

    // ------------------------------------------------------------------ shape and dtype

    /// The same elements in a new shape (``t.reshape(2, 3)`` or ``t.reshape((2, 3))``); one
    /// size may be ``-1`` and is inferred.
    #[pyo3(signature = (*shape))]
    fn reshape(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims: Vec<isize> = match shape.len() {
            1 if shape.get_item(0)?.extract::<isize>().is_err() => shape.get_item(0)?.extract()?,
            _ => shape.extract()?,
        };
        build(|| self.0.reshape(&dims))
    }

    /// The tensor converted to ``dtype`` (itself when it already has it).
    fn to(&self, dtype: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let d = require_float(parse_dtype(dtype)?)?;
        build(|| self.0.cast(d))
    }
}
