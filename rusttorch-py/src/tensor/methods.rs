//! The named elementwise and composite methods of `Tensor` (`t.maximum(x)`, `t.clamp(0, 1)`,
//! `t.where(c, y)`...), and the argument forms they share with the module's functions.

use super::{build, PyTensor};
use crate::args::{gelu_approx, operand, TensorArg};
use crate::errors::{type_err, type_name};
use pyo3::prelude::*;
use rusttorch_ir::tensor::Operand;
use rusttorch_ir::{BinaryOp, Tensor};

/// `where(condition, x, other)`: `x` and `other` may be tensors, arrays or scalars.
pub fn where_op(condition: &Bound<'_, PyAny>, x: &Tensor, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    let cond = condition.extract::<TensorArg>()?.0;
    let other =
        operand(other, "where")?.ok_or_else(|| type_err(format!("where: unsupported operand {}", other.get_type())))?;
    build(|| cond.where_cond(x, &other.into_tensor(x)))
}

/// `clamp(x, min, max)` with scalar, array or tensor bounds (`None` for no bound).
pub fn clamp_op(x: &Tensor, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let (lo, hi) = (clamp_bound(min)?, clamp_bound(max)?);
    build(|| x.clamp_with(lo, hi))
}

/// A bound of `clamp`: `None`, or an operand (a `TypeError` for other types).
pub fn clamp_bound(b: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Operand>> {
    match b.filter(|b| !b.is_none()) {
        None => Ok(None),
        Some(b) => operand(b, "clamp")?
            .map(Some)
            .ok_or_else(|| type_err(format!("clamp: unsupported bound type '{}'", type_name(b)))),
    }
}

/// `other` as the operand of the logical `op` with `t` (a `TypeError` for unsupported types).
fn logical_operand(t: &Tensor, other: &Bound<'_, PyAny>, op: BinaryOp) -> PyResult<Tensor> {
    let name = op.info().name;
    let o =
        operand(other, name)?.ok_or_else(|| type_err(format!("{name}: unsupported operand {}", other.get_type())))?;
    Ok(o.into_tensor(t))
}

#[pymethods]
impl PyTensor {
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
        let t = self.tensor();
        let o = logical_operand(&t, other, BinaryOp::And)?;
        build(|| t.logical_and(&o))
    }
    /// Logical or of truth values (``x != 0``), bool result.
    fn logical_or(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let t = self.tensor();
        let o = logical_operand(&t, other, BinaryOp::Or)?;
        build(|| t.logical_or(&o))
    }
    /// Logical xor of truth values (``x != 0``), bool result.
    fn logical_xor(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let t = self.tensor();
        let o = logical_operand(&t, other, BinaryOp::Xor)?;
        build(|| t.logical_xor(&o))
    }
    /// ``self`` where ``condition`` holds, else ``other`` (PyTorch's ``Tensor.where``).
    #[pyo3(name = "where")]
    fn where_(&self, condition: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        where_op(condition, &self.tensor(), other)
    }
    /// Matrix product with NumPy semantics: 1-d · 1-d is a dot product, a 1-d operand is a row
    /// (left) or column (right) vector, leading batch dims broadcast.
    fn matmul(&self, other: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().matmul(&other.0))
    }
    /// Limits values to ``[min, max]`` (either bound may be ``None``, a scalar or a tensor);
    /// NaN stays NaN. A float bound makes an int tensor float32, as in PyTorch.
    #[pyo3(signature = (min = None, max = None))]
    fn clamp(&self, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        clamp_op(&self.tensor(), min, max)
    }
    /// Softplus ``log(1 + e**(beta*x)) / beta``, and ``x`` where ``beta*x > threshold``
    /// (PyTorch's); computed so that it never overflows nor loses tiny values.
    #[pyo3(signature = (beta = 1.0, threshold = 20.0))]
    fn softplus(&self, beta: f64, threshold: f64) -> PyResult<PyTensor> {
        build(|| self.tensor().softplus(beta, threshold))
    }
}
