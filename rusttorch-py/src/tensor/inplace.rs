//! The in-place ops of `Tensor` (`t += x`, `t.add_(x)`, `t.copy_(src)`): each rebinds the
//! object to the value `rusttorch_ir` gives it (same shape and dtype); see `PyTensor::rebind`.

use super::PyTensor;
use crate::args::{InplaceOperand, TensorArg};
use crate::errors::guard;
use pyo3::prelude::*;
use rusttorch_ir::{BinaryOp, Tensor};

impl PyTensor {
    /// Rebinds `self` to the value the in-place op `name` gives it when its result is `value`
    /// (`Tensor::inplace_value`: same shape, cast to `self`'s dtype).
    fn assign(&self, value: Tensor, name: &'static str) -> PyResult<()> {
        let value = guard(|| self.tensor().inplace_value(name, &value))?;
        self.rebind(value, name)
    }

    /// `self = self op other` in place, for the operator or method `name`.
    fn inplace(&self, other: &Bound<'_, PyAny>, op: BinaryOp, name: &'static str) -> PyResult<()> {
        let r = self.apply_or_raise(other, op, false)?;
        self.assign(r.tensor(), name)
    }
}

#[pymethods]
impl PyTensor {
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
        t.rebind(guard(|| t.tensor().copy_value(&src.0))?, "copy_")?;
        Ok(slf.clone())
    }
}
