//! `rusttorch.Tensor`: a lazy tensor. Every method delegates to `rusttorch_ir::Tensor` (building
//! the expression) or to the default `Engine` (evaluating it); this file only converts arguments.

use crate::args::{
    dims, gelu_approx, int_args, matmul_operand, operand, DimArg, InplaceOperand, IntSeq, Operand, TensorArg,
};
use crate::dtype::{dtype_object, parse_dtype, PyDType};
use crate::errors::{guard, run_interruptible, type_err, type_name, value_err};
use crate::index;
use crate::numpy::{array_protocol, view_to_numpy};
use ::numpy::PyUntypedArray;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rusttorch_exec::Engine;
use rusttorch_ir::{scoped, BinaryOp, DType, Error, ReduceOp, Result, Tensor};
use std::sync::{PoisonError, RwLock};

/// A lazy tensor: operations build an expression graph; ``eval()``, ``numpy()``, ``item()`` and
/// friends evaluate it with a fusing CPU backend.
#[pyclass(name = "Tensor", module = "rusttorch", frozen)]
pub struct PyTensor {
    /// The graph node this object names. In-place ops (`t += x`, `t.add_(x)`) rebind it to a new
    /// node: buffers are immutable, so "in place" means "this object now names the result", and
    /// arrays or tensors taken from the old node keep the old values. A lock rather than a
    /// mutable pyclass borrow: a thread evaluating `t` with the GIL released must not make
    /// another thread's `t += 1` fail with "already borrowed". Held only to clone or swap the
    /// handle (an `Arc`), never across evaluation.
    node: RwLock<Tensor>,
}

impl From<Tensor> for PyTensor {
    fn from(t: Tensor) -> Self {
        PyTensor { node: RwLock::new(t) }
    }
}

impl PyTensor {
    /// The node this object names now (a cheap handle clone).
    pub fn tensor(&self) -> Tensor {
        self.node.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Makes this object name `t` (the in-place ops).
    pub fn rebind(&self, t: Tensor) {
        *self.node.write().unwrap_or_else(PoisonError::into_inner) = t;
    }
}

/// Builds a tensor with `f` (errors and panics become Python exceptions).
pub fn build(f: impl FnOnce() -> Result<Tensor>) -> PyResult<PyTensor> {
    guard(f).map(PyTensor::from)
}

/// Evaluates the tensors that are not evaluated yet, in one plan. The GIL is released while
/// it runs and Ctrl-C stops it ([`run_interruptible`]), unless it is a few microseconds of work
/// ([`PreparedEval::is_small`]), where releasing and taking it back would cost more.
pub fn eval_all(py: Python<'_>, tensors: &[Tensor], fuse: bool) -> PyResult<()> {
    if tensors.iter().all(Tensor::is_evaluated) {
        return Ok(());
    }
    let engine = Engine::default_engine();
    let prepared = guard(|| engine.prepare(tensors, fuse))?;
    if prepared.is_small() {
        guard(|| prepared.run())
    } else {
        run_interruptible(py, prepared)
    }
}

/// `t` as a read-only ndarray over its memory (no copy): a view of an evaluated buffer (or of
/// a user's array) is read in place with its strides; anything else is evaluated first.
pub fn to_numpy<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    let view = match t.strided_view() {
        Some(v) => v,
        None => {
            eval_all(py, std::slice::from_ref(t), true)?;
            guard(|| t.strided_view().ok_or_else(|| Error::Internal("evaluated tensor has no buffer".into())))?
        }
    };
    view_to_numpy(py, view, t.dims())
}

/// Python's repr of a shape tuple: `()`, `(3,)`, `(2, 3)`.
fn shape_repr(dims: &[usize]) -> String {
    match dims {
        [d] => format!("({d},)"),
        _ => format!("({})", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// `where(condition, x, other)`: `x` and `other` may be tensors, arrays or scalars.
pub fn where_op(condition: &Bound<'_, PyAny>, x: &Tensor, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    let cond = condition.extract::<TensorArg>()?.0;
    let other =
        operand(other, "where")?.ok_or_else(|| type_err(format!("where: unsupported operand {}", other.get_type())))?;
    build(|| cond.where_cond(x, &other.into_tensor(x)))
}

/// `op` on the truth values (`!= 0`) of `a` and `b`, bool result (`logical_and` and friends).
pub fn logical(a: &Tensor, b: &Tensor, op: BinaryOp) -> PyResult<PyTensor> {
    let name = match op {
        BinaryOp::And => "logical_and",
        BinaryOp::Or => "logical_or",
        _ => "logical_xor",
    };
    build(|| scoped(name, || a.cast(DType::Bool)?.binary(op, &b.cast(DType::Bool)?)))
}

/// `clamp(min, max)` as `maximum`/`minimum` with scalar, array or tensor bounds.
pub fn clamp_op(t: &PyTensor, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let bound = |b: Option<&Bound<'_, PyAny>>| -> PyResult<Option<Operand>> {
        match b.filter(|b| !b.is_none()) {
            None => Ok(None),
            Some(b) => operand(b, "clamp")?
                .map(Some)
                .ok_or_else(|| type_err(format!("clamp: unsupported bound type '{}'", type_name(b)))),
        }
    };
    let (lo, hi) = (bound(min)?, bound(max)?);
    let x = t.tensor();
    build(|| {
        scoped("clamp", || {
            let y = match lo {
                Some(lo) => x.binary(BinaryOp::Maximum, &lo.into_tensor(&x))?,
                None => x.clone(),
            };
            match hi {
                Some(hi) => y.binary(BinaryOp::Minimum, &hi.into_tensor(&y)),
                None => Ok(y),
            }
        })
    })
}

impl PyTensor {
    /// `op` on the truth values (`!= 0`) of `self` and `other`, bool result.
    fn logical(&self, other: &Bound<'_, PyAny>, op: BinaryOp) -> PyResult<PyTensor> {
        let t = self.tensor();
        let name = op.info().name;
        let o = operand(other, name)?
            .ok_or_else(|| type_err(format!("{name}: unsupported operand {}", other.get_type())))?;
        logical(&t, &o.into_tensor(&t), op)
    }

    /// `self op other` (or `other op self` when `reflected`); `None` for unsupported operands.
    pub fn apply(&self, other: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<Option<PyTensor>> {
        let t = &self.tensor();
        let Some(other) = operand(other, user_name(op))? else { return Ok(None) };
        build(|| {
            scoped(user_name(op), || match (other, reflected) {
                (Operand::Scalar(v, _), false) if op == BinaryOp::Pow => t.pow_scalar(v),
                (o, false) => t.binary(op, &o.into_tensor(t)),
                (o, true) => o.into_tensor(t).binary(op, t),
            })
        })
        .map(Some)
    }

    /// Like [`PyTensor::apply`], raising `TypeError` for unsupported operands (named methods).
    pub fn apply_or_raise(&self, other: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<PyTensor> {
        self.apply(other, op, reflected)?
            .ok_or_else(|| type_err(format!("unsupported operand type for {}: '{}'", user_name(op), type_name(other))))
    }

    /// An operator: `NotImplemented` for unsupported operands, so Python tries the other side.
    fn operator(&self, other: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<Py<PyAny>> {
        let py = other.py();
        match self.apply(other, op, reflected)? {
            Some(t) => Ok(Py::new(py, t)?.into_any()),
            None => Ok(py.NotImplemented()),
        }
    }

    /// `@` with `other` on the right (or the left when `reflected`); `NotImplemented` for
    /// operands that are neither tensors nor arrays.
    fn matmul_operator(&self, other: &Bound<'_, PyAny>, reflected: bool) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let t = self.tensor();
        let Some(o) = matmul_operand(other)? else { return Ok(py.NotImplemented()) };
        let r = build(|| if reflected { o.matmul(&t) } else { t.matmul(&o) })?;
        Ok(Py::new(py, r)?.into_any())
    }

    /// Rebinds `self` to `value`, the result of the in-place op `name`, which must have `self`'s
    /// shape; it is cast to `self`'s dtype (an in-place op changes neither, as in PyTorch), and
    /// a result of a higher kind (a float result for an int tensor) is an error.
    fn assign(&self, value: Tensor, name: &'static str) -> PyResult<()> {
        let cur = self.tensor();
        if value.dims() != cur.dims() {
            return Err(value_err(format!(
                "{name}: the result has shape {} but the tensor updated in place has shape {}",
                value.shape(),
                cur.shape()
            )));
        }
        let value = guard(|| value.cast_inplace(name, cur.dtype()))?;
        self.rebind(value);
        Ok(())
    }

    /// `self = self op other` in place, for the operator or method `name` (see
    /// [`PyTensor::assign`]).
    fn inplace(&self, other: &Bound<'_, PyAny>, op: BinaryOp, name: &'static str) -> PyResult<()> {
        let r = self.apply_or_raise(other, op, false)?;
        self.assign(r.tensor(), name)
    }
}

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

/// `f` of the tensor `slf` names: `slf` itself when `f` returns the same node (`t.to(t.dtype)
/// is t`, as PyTorch), else a new tensor.
fn same_or_new<'py>(
    slf: &Bound<'py, PyTensor>,
    f: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> PyResult<Bound<'py, PyTensor>> {
    let t = slf.get().tensor();
    let r = guard(|| f(&t))?;
    if r.id() == t.id() {
        Ok(slf.clone())
    } else {
        Bound::new(slf.py(), PyTensor::from(r))
    }
}

/// The name the user knows a binary op by (`&` is `bitwise_and`, as in PyTorch).
fn user_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::And => "bitwise_and",
        BinaryOp::Or => "bitwise_or",
        BinaryOp::Xor => "bitwise_xor",
        other => other.info().name,
    }
}

/// The `correction` of var/std: a non-negative int.
pub fn correction_arg(correction: i64) -> PyResult<usize> {
    usize::try_from(correction).map_err(|_| value_err(format!("correction must be >= 0, got {correction}")))
}

/// Squeezes each of `dims` that has size 1 (highest first, so the others keep their index).
pub fn squeeze_dims(t: &Tensor, dims: &[isize]) -> Result<Tensor> {
    let mut norm = dims.iter().map(|&d| t.shape().normalize_dim("squeeze", d)).collect::<Result<Vec<_>>>()?;
    norm.sort_unstable();
    norm.dedup();
    norm.iter().rev().try_fold(t.clone(), |acc, &d| acc.squeeze(Some(d as isize)))
}

#[pymethods]
impl PyTensor {
    // ------------------------------------------------------------------ attributes

    /// The shape, a tuple of ints.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.tensor().dims())
    }

    /// The element type (``rusttorch.float32`` or ``rusttorch.float64``).
    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> Bound<'py, PyDType> {
        dtype_object(py, self.tensor().dtype())
    }

    /// Number of dimensions.
    #[getter]
    fn ndim(&self) -> usize {
        self.tensor().ndim()
    }

    /// Whether the tensor holds a computed result (never triggers evaluation).
    #[getter]
    fn is_evaluated(&self) -> bool {
        self.tensor().is_evaluated()
    }

    /// Number of elements.
    fn numel(&self) -> usize {
        self.tensor().numel()
    }

    fn __len__(&self) -> PyResult<usize> {
        self.tensor().dims().first().copied().ok_or_else(|| type_err("len() of a 0-d tensor"))
    }

    fn __repr__(&self) -> String {
        let t = self.tensor();
        let state = if t.is_evaluated() { "evaluated" } else { "lazy" };
        format!("Tensor(shape={}, dtype={}, {state})", shape_repr(t.dims()), t.dtype())
    }

    /// NumPy defers to the reflected operators of a tensor (``ndarray + tensor`` is a tensor).
    #[classattr]
    fn __array_ufunc__(py: Python<'_>) -> Py<PyAny> {
        py.None()
    }

    // ------------------------------------------------------------------ evaluation

    /// Evaluates the tensor (fused, or op by op with ``fuse=False``) and returns it; later uses
    /// read the stored result. The GIL is released while it runs (kept for evaluations of a few
    /// microseconds, as NumPy keeps it for small loops).
    #[pyo3(signature = (fuse = true))]
    fn eval<'py>(slf: &Bound<'py, Self>, fuse: bool) -> PyResult<Bound<'py, Self>> {
        eval_all(slf.py(), std::slice::from_ref(&slf.get().tensor()), fuse)?;
        Ok(slf.clone())
    }

    /// The result as a read-only ``numpy.ndarray`` over the tensor's own memory (no copy);
    /// evaluates first if needed. The array keeps the memory alive.
    fn numpy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_numpy(py, &self.tensor())
    }

    /// NumPy's array protocol: ``np.asarray(t)`` is ``t.numpy()``.
    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        array_protocol(to_numpy(py, &self.tensor())?, dtype, copy)
    }

    /// The value of a one-element tensor as a Python float, int or bool (by dtype).
    fn item<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.tensor(); // one snapshot: another thread may rebind `self` meanwhile
        if t.numel() != 1 {
            return Err(value_err(format!(
                "item() needs a tensor with one element, this one has {} (shape {})",
                t.numel(),
                shape_repr(t.dims())
            )));
        }
        to_numpy(py, &t)?.call_method0("item")
    }

    fn __float__(&self, py: Python<'_>) -> PyResult<f64> {
        self.item(py)?.extract()
    }

    fn __int__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.item(py)?.call_method0("__int__")
    }

    /// An integer or bool one-element tensor used as an index (``range(t)``, ``lst[t]``).
    fn __index__(&self, py: Python<'_>) -> PyResult<i64> {
        if self.tensor().dtype().is_float() {
            return Err(type_err("only integer tensors of a single element can be used as an index"));
        }
        self.item(py)?.extract()
    }

    fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
        self.item(py)?.is_truthy()
    }

    /// Hashed by identity, as PyTorch tensors (``==`` is elementwise).
    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    /// The values as (nested) Python lists of floats; a float for a 0-d tensor.
    fn tolist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_numpy(py, &self.tensor())?.call_method0("tolist")
    }

    /// The optimized, fused plan as text: kernels, ops, inputs, outputs and bytes moved.
    fn explain(&self) -> PyResult<String> {
        guard(|| Engine::default_engine().explain(std::slice::from_ref(&self.tensor())))
    }

    /// Graphviz DOT of the optimized graph, before and after fusion (kernels as clusters).
    fn to_dot(&self) -> PyResult<String> {
        guard(|| Engine::default_engine().plan_for(std::slice::from_ref(&self.tensor()), true)?.to_dot())
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
    fn __floordiv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::FloorDiv, false)
    }
    fn __rfloordiv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::FloorDiv, true)
    }
    fn __mod__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Rem, false)
    }
    fn __rmod__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Rem, true)
    }
    fn __and__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::And, false)
    }
    fn __rand__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::And, true)
    }
    fn __or__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Or, false)
    }
    fn __ror__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Or, true)
    }
    fn __xor__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Xor, false)
    }
    fn __rxor__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Xor, true)
    }
    fn __invert__(&self) -> PyResult<PyTensor> {
        build(|| self.tensor().bitwise_not())
    }
    fn __lt__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Lt, false)
    }
    fn __le__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Le, false)
    }
    fn __gt__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Gt, false)
    }
    fn __ge__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Ge, false)
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Eq, false)
    }
    fn __ne__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Ne, false)
    }
    fn __pow__(&self, other: &Bound<'_, PyAny>, _modulo: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Pow, false)
    }
    fn __rpow__(&self, other: &Bound<'_, PyAny>, _modulo: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.operator(other, BinaryOp::Pow, true)
    }
    fn __neg__(&self) -> PyResult<PyTensor> {
        build(|| self.tensor().neg())
    }
    fn __pos__(&self) -> PyTensor {
        PyTensor::from(self.tensor())
    }
    fn __abs__(&self) -> PyResult<PyTensor> {
        build(|| self.tensor().abs())
    }

    // ------------------------------------------------------------------ elementwise

    /// ``x`` where ``x >= 0``, else ``negative_slope * x``.
    #[pyo3(signature = (negative_slope = 0.01))]
    fn leaky_relu(&self, negative_slope: f64) -> PyResult<PyTensor> {
        build(|| self.tensor().leaky_relu(negative_slope))
    }
    /// GELU: exact (``approximate="none"``, via erf) or the tanh approximation (``"tanh"``).
    #[pyo3(signature = (approximate = "none"))]
    fn gelu(&self, approximate: &str) -> PyResult<PyTensor> {
        let approx = gelu_approx(approximate)?;
        build(|| self.tensor().gelu(approx))
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
    /// ``self < other`` elementwise (bool).
    fn lt(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Lt, false)
    }
    /// ``self <= other`` elementwise (bool).
    fn le(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Le, false)
    }
    /// ``self > other`` elementwise (bool).
    fn gt(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Gt, false)
    }
    /// ``self >= other`` elementwise (bool).
    fn ge(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Ge, false)
    }
    /// ``self == other`` elementwise (bool).
    fn eq(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Eq, false)
    }
    /// ``self != other`` elementwise (bool).
    fn ne(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Ne, false)
    }
    /// ``floor(self / other)`` with Python's signs (integer division by zero gives 0).
    fn floor_divide(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::FloorDiv, false)
    }
    /// Python's ``%``: the result takes the divisor's sign.
    fn remainder(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Rem, false)
    }
    /// ``&`` on ints and bools.
    fn bitwise_and(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::And, false)
    }
    /// ``|`` on ints and bools.
    fn bitwise_or(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Or, false)
    }
    /// ``^`` on ints and bools.
    fn bitwise_xor(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.apply_or_raise(other, BinaryOp::Xor, false)
    }
    /// Logical and of truth values (``x != 0``), bool result.
    fn logical_and(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.logical(other, BinaryOp::And)
    }
    /// Logical or of truth values (``x != 0``), bool result.
    fn logical_or(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.logical(other, BinaryOp::Or)
    }
    /// Logical xor of truth values (``x != 0``), bool result.
    fn logical_xor(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.logical(other, BinaryOp::Xor)
    }
    /// ``self`` where ``condition`` holds, else ``other`` (PyTorch's ``Tensor.where``).
    #[pyo3(name = "where")]
    fn where_(&self, condition: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        where_op(condition, &self.tensor(), other)
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

    // ------------------------------------------------------------------ matmul

    fn __matmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.matmul_operator(other, false)
    }
    fn __rmatmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.matmul_operator(other, true)
    }

    /// Matrix product with NumPy semantics: 1-d · 1-d is a dot product, a 1-d operand is a row
    /// (left) or column (right) vector, leading batch dims broadcast.
    fn matmul(&self, other: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().matmul(&other.0))
    }

    // ------------------------------------------------------------------ in-place

    fn __iadd__(&self, other: InplaceOperand<'_>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::Add, "+=")
    }
    fn __isub__(&self, other: InplaceOperand<'_>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::Sub, "-=")
    }
    fn __imul__(&self, other: InplaceOperand<'_>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::Mul, "*=")
    }
    fn __itruediv__(&self, other: InplaceOperand<'_>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::Div, "/=")
    }
    fn __ifloordiv__(&self, other: InplaceOperand<'_>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::FloorDiv, "//=")
    }
    fn __imod__(&self, other: InplaceOperand<'_>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::Rem, "%=")
    }
    fn __ipow__(&self, other: InplaceOperand<'_>, _modulo: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::Pow, "**=")
    }
    fn __iand__(&self, other: InplaceOperand<'_>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::And, "&=")
    }
    fn __ior__(&self, other: InplaceOperand<'_>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::Or, "|=")
    }
    fn __ixor__(&self, other: InplaceOperand<'_>) -> PyResult<()> {
        self.inplace(&other.0, BinaryOp::Xor, "^=")
    }

    /// In place ``self + other``: this object now names the sum (same shape and dtype); values
    /// read from it earlier (arrays, other tensors) are unchanged. Returns ``self``.
    fn add_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.get().inplace(other, BinaryOp::Add, "add_").map(|()| slf.clone())
    }
    /// In place ``self - other`` (see ``add_``). Returns ``self``.
    fn sub_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.get().inplace(other, BinaryOp::Sub, "sub_").map(|()| slf.clone())
    }
    /// In place ``self * other`` (see ``add_``). Returns ``self``.
    fn mul_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.get().inplace(other, BinaryOp::Mul, "mul_").map(|()| slf.clone())
    }
    /// In place ``self / other`` (see ``add_``). Returns ``self``.
    fn div_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.get().inplace(other, BinaryOp::Div, "div_").map(|()| slf.clone())
    }
    /// In place ``relu`` (see ``add_``). Returns ``self``.
    fn relu_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        let t = slf.get();
        t.assign(guard(|| t.tensor().relu())?, "relu_").map(|()| slf.clone())
    }
    /// In place copy of ``src`` broadcast to this tensor's shape and cast to its dtype.
    /// Returns ``self``.
    fn copy_<'py>(slf: &Bound<'py, Self>, src: TensorArg) -> PyResult<Bound<'py, Self>> {
        let t = slf.get();
        let cur = t.tensor();
        let dims: Vec<isize> = cur.dims().iter().map(|&d| d as isize).collect();
        let value = guard(|| scoped("copy_", || src.0.cast(cur.dtype())?.expand(&dims)))?;
        t.assign(value, "copy_").map(|()| slf.clone())
    }

    // ------------------------------------------------------------------ composites

    /// Limits values to ``[min, max]`` (either bound may be ``None``, a scalar or a tensor);
    /// NaN stays NaN. A float bound makes an int tensor float32, as in PyTorch.
    #[pyo3(signature = (min = None, max = None))]
    fn clamp(&self, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        clamp_op(self, min, max)
    }
    /// Softplus ``log(1 + e**(beta*x)) / beta``, and ``x`` where ``beta*x > threshold``
    /// (PyTorch's); computed so that it never overflows nor loses tiny values.
    #[pyo3(signature = (beta = 1.0, threshold = 20.0))]
    fn softplus(&self, beta: f64, threshold: f64) -> PyResult<PyTensor> {
        build(|| self.tensor().softplus(beta, threshold))
    }
    /// Variance over ``dim`` (an int, a tuple of ints, or ``None`` for all), dividing by
    /// ``N - correction`` (1: unbiased, 0: population); NaN when that is not positive.
    #[pyo3(signature = (dim = None, *, correction = 1, keepdim = false))]
    fn var(&self, dim: Option<DimArg>, correction: i64, keepdim: bool) -> PyResult<PyTensor> {
        let c = correction_arg(correction)?;
        build(|| self.tensor().var(dims(&dim), c, keepdim))
    }
    /// Standard deviation over ``dim``: ``sqrt(var(dim, correction=correction))``.
    #[pyo3(signature = (dim = None, *, correction = 1, keepdim = false))]
    fn std(&self, dim: Option<DimArg>, correction: i64, keepdim: bool) -> PyResult<PyTensor> {
        let c = correction_arg(correction)?;
        build(|| self.tensor().std(dims(&dim), c, keepdim))
    }
    /// ``log(sum(exp(x)))`` along ``dim``, shifted by the max so it never overflows; as in
    /// PyTorch, a row of ``-inf`` gives ``-inf`` and a row holding ``+inf`` gives ``+inf``.
    #[pyo3(signature = (dim, keepdim = false))]
    fn logsumexp(&self, dim: isize, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.tensor().logsumexp(dim, keepdim))
    }

    // ------------------------------------------------------------------ reductions

    /// Sum over ``dim`` (an int, a tuple of ints, or ``None`` for all), keeping the reduced dims
    /// as size 1 when ``keepdim``.
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn sum(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.tensor().sum(dims(&dim), keepdim))
    }
    /// Mean over ``dim`` (an int, a tuple of ints, or ``None`` for all).
    #[pyo3(signature = (dim = None, keepdim = false))]
    fn mean(&self, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
        build(|| self.tensor().mean(dims(&dim), keepdim))
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
    /// Softmax along ``dim``: ``exp(x - max) / sum(exp(x - max))``.
    fn softmax(&self, dim: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().softmax(dim))
    }
    /// Log-softmax along ``dim``: ``x - max - log(sum(exp(x - max)))``.
    fn log_softmax(&self, dim: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().log_softmax(dim))
    }

    // ------------------------------------------------------------------ shape and dtype

    /// The same elements in a new shape (``t.reshape(2, 3)`` or ``t.reshape((2, 3))``); one
    /// size may be ``-1`` and is inferred. Never copies when created; a fused kernel reads
    /// through the view where the layout allows and copies only where it cannot.
    #[pyo3(signature = (*shape))]
    fn reshape(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims = int_args("reshape", shape)?;
        build(|| self.tensor().reshape(&dims))
    }

    /// The same elements in a new shape, like ``reshape`` (in a lazy engine every reshape is a
    /// view when created, so ``view`` never fails for layout reasons as PyTorch's can).
    #[pyo3(signature = (*shape))]
    fn view(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims = int_args("view", shape)?;
        build(|| scoped("view", || self.tensor().reshape(&dims)))
    }

    /// The dims reordered (a view): output dim ``i`` is input dim ``dims[i]``;
    /// ``t.permute(1, 0)`` or ``t.permute((1, 0))``.
    #[pyo3(signature = (*dims))]
    fn permute(&self, dims: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims = int_args("permute", dims)?;
        build(|| self.tensor().permute(&dims))
    }

    /// ``dim0`` and ``dim1`` swapped (a view).
    fn transpose(&self, dim0: isize, dim1: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().transpose(dim0, dim1))
    }

    /// All dims reversed (a view): the transpose of a matrix; a 0-d or 1-d tensor is returned
    /// unchanged (as PyTorch's ``.T``, whose use for ndim > 2 is deprecated there).
    #[getter(T)]
    fn reversed_dims(&self) -> PyResult<PyTensor> {
        let t = self.tensor();
        let dims: Vec<isize> = (0..t.ndim() as isize).rev().collect();
        build(|| t.permute(&dims))
    }

    /// The last two dims swapped (a view): the transpose of each matrix in a batch.
    #[getter(mT)]
    fn matrix_transpose(&self) -> PyResult<PyTensor> {
        let t = self.tensor();
        if t.ndim() < 2 {
            return Err(value_err(format!("mT needs a tensor with at least 2 dims, got shape {}", t.shape())));
        }
        build(|| t.transpose(-2, -1))
    }

    /// Size-1 dims removed: all of them (``dim=None``), or those among ``dim`` (an int or a
    /// tuple of ints); a named dim whose size is not 1 is left alone.
    #[pyo3(signature = (dim = None))]
    fn squeeze(&self, dim: Option<DimArg>) -> PyResult<PyTensor> {
        let t = self.tensor();
        match dim {
            None => build(|| t.squeeze(None)),
            Some(d) => build(|| squeeze_dims(&t, &d.0)),
        }
    }

    /// A size-1 dim inserted at ``dim`` (``-1`` appends one at the end).
    fn unsqueeze(&self, dim: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().unsqueeze(dim))
    }

    /// Dims ``start_dim..=end_dim`` merged into one.
    #[pyo3(signature = (start_dim = 0, end_dim = -1))]
    fn flatten(&self, start_dim: isize, end_dim: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().flatten(start_dim, end_dim))
    }

    /// Size-1 dims (and new leading dims) broadcast to ``sizes`` (a view, nothing is copied);
    /// ``-1`` keeps a size. ``t.expand(3, -1)`` or ``t.expand((3, -1))``.
    #[pyo3(signature = (*sizes))]
    fn expand(&self, sizes: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let sizes = int_args("expand", sizes)?;
        build(|| self.tensor().expand(&sizes))
    }

    /// The tensor broadcast to ``shape`` (a view); the same as ``expand(shape)``.
    fn broadcast_to(&self, shape: IntSeq) -> PyResult<PyTensor> {
        build(|| scoped("broadcast_to", || self.tensor().expand(&shape.0)))
    }

    /// The tensor written out contiguously when it is a strided view (a copy), else the tensor
    /// itself.
    fn contiguous<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        same_or_new(slf, Tensor::contiguous)
    }

    /// ``t[index]``: ints (negative count from the end), slices (any step, negative too),
    /// ``None`` (a new size-1 dim), ``...``, and tuples of these. Every result is a view.
    fn __getitem__(&self, index: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        index::get_item(&self.tensor(), index).map(PyTensor::from)
    }

    /// The tensor converted to ``dtype`` (the tensor itself when it already has it). Float to
    /// int truncates toward zero and saturates, NaN becomes 0; int to int wraps; to bool is
    /// ``!= 0``.
    fn to<'py>(slf: &Bound<'py, Self>, dtype: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let d = parse_dtype(dtype)?;
        same_or_new(slf, |t| t.cast(d))
    }
    /// The same as ``to(dtype)`` (NumPy's spelling).
    fn astype<'py>(slf: &Bound<'py, Self>, dtype: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        Self::to(slf, dtype)
    }
    /// ``to(float32)``
    fn float<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        same_or_new(slf, |t| t.cast(DType::F32))
    }
    /// ``to(float64)``
    fn double<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        same_or_new(slf, |t| t.cast(DType::F64))
    }
    /// ``to(int32)``
    fn int<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        same_or_new(slf, |t| t.cast(DType::I32))
    }
    /// ``to(int64)``
    fn long<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        same_or_new(slf, |t| t.cast(DType::I64))
    }
    /// ``to(bool)``
    fn bool<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        same_or_new(slf, |t| t.cast(DType::Bool))
    }
}
