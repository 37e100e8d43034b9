//! The Python operators of `Tensor`: arithmetic, comparison and bitwise dunders, their
//! reflected forms and `@`. An unsupported operand gives `NotImplemented`, so Python tries the
//! other side.

use super::{build, PyTensor};
use crate::args::{matmul_operand, operand};
use crate::errors::{type_err, type_name};
use pyo3::prelude::*;
use rusttorch_ir::tensor::binary_op_name;
use rusttorch_ir::BinaryOp;

impl PyTensor {
    /// `self op other` (or `other op self` when `reflected`); `None` for unsupported operands.
    pub fn apply(&self, other: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<Option<PyTensor>> {
        let t = self.tensor();
        let Some(other) = operand(other, binary_op_name(op))? else { return Ok(None) };
        build(|| if reflected { t.rbinary_operand(op, other) } else { t.binary_operand(op, other) }).map(Some)
    }

    /// Like [`PyTensor::apply`], raising `TypeError` for unsupported operands (named methods).
    pub fn apply_or_raise(&self, other: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<PyTensor> {
        self.apply(other, op, reflected)?.ok_or_else(|| {
            type_err(format!("unsupported operand type for {}: '{}'", binary_op_name(op), type_name(other)))
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

    /// `@` with `other` on the right (or the left when `reflected`); `NotImplemented` for
    /// operands that are neither tensors nor arrays.
    fn matmul_operator(&self, other: &Bound<'_, PyAny>, reflected: bool) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let t = self.tensor();
        let Some(o) = matmul_operand(other)? else { return Ok(py.NotImplemented()) };
        let r = build(|| if reflected { o.matmul(&t) } else { t.matmul(&o) })?;
        Ok(Py::new(py, r)?.into_any())
    }
}

#[pymethods]
impl PyTensor {
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
    fn __matmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.matmul_operator(other, false)
    }
    fn __rmatmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.matmul_operator(other, true)
    }
}
