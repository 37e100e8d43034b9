//! The small arithmetic gradient formulas are written in: `g.times(y)`, `x.shift(1.0)`...
//! (each a builder of the lazy graph, so the backward pass fuses like any expression).

use crate::op::{BinaryOp, Scalar};
use crate::{Result, Tensor};

impl Tensor {
    /// `self * rhs`
    pub(crate) fn times(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Mul, rhs)
    }

    /// `self / rhs`
    pub(crate) fn over(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Div, rhs)
    }

    /// `self + rhs`
    pub(crate) fn plus(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Add, rhs)
    }

    /// `self * c`
    pub(crate) fn scale(&self, c: f64) -> Result<Tensor> {
        self.binary_scalar(BinaryOp::Mul, c)
    }

    /// `self + c`
    pub(crate) fn shift(&self, c: f64) -> Result<Tensor> {
        self.binary_scalar(BinaryOp::Add, c)
    }

    /// `c - self`
    pub(crate) fn rsub(&self, c: f64) -> Result<Tensor> {
        self.rbinary_scalar(BinaryOp::Sub, c)
    }

    /// Zeros of this tensor's shape and dtype (a constant the planner folds).
    pub(crate) fn zero(&self) -> Result<Tensor> {
        Tensor::full(self.shape().clone(), Scalar::new(0.0), self.dtype())
    }

    /// `self` where `mask` is false, 0 where it is true (`masked_fill(mask, 0)`).
    pub(crate) fn zero_where(&self, mask: &Tensor) -> Result<Tensor> {
        mask.where_cond(&Tensor::operand_scalar(Scalar::new(0.0), self.dtype()), self)
    }

    /// `self <= c`
    pub(crate) fn le_scalar(&self, c: f64) -> Result<Tensor> {
        self.binary_scalar(BinaryOp::Le, c)
    }

    /// `self > c`
    pub(crate) fn gt_scalar(&self, c: f64) -> Result<Tensor> {
        self.binary_scalar(BinaryOp::Gt, c)
    }

    /// `self == c`
    pub(crate) fn eq_scalar(&self, c: f64) -> Result<Tensor> {
        self.binary_scalar(BinaryOp::Eq, c)
    }
}
