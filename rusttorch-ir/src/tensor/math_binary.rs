//! The elementwise math library's binary ops: the primitives' methods (`atan2`, `hypot`,
//! `fmod`, `copysign`, `nextafter`) and the composites (`logaddexp`, `logaddexp2`, `xlogy`,
//! `lerp`, `isclose`, `allclose`, `equal`), built from primitives so the fusion planner sees
//! through them.

use super::{Operand, Tensor};
use crate::op::{BinaryOp, Scalar};
use crate::{scoped, DType, Error, Result};
use std::f64::consts::{LN_2, LOG2_E};

/// Both operands in their common dtype, float32 unless it is a float (what PyTorch does to
/// the operands of float-valued binary functions).
fn float_pair(a: &Tensor, b: &Tensor) -> Result<(Tensor, Tensor)> {
    let mut d = a.dtype().promote(b.dtype());
    if !d.is_float() {
        d = DType::F32;
    }
    Ok((a.cast(d)?, b.cast(d)?))
}

/// A scalar of `x`'s dtype.
fn c(x: &Tensor, v: f64) -> Tensor {
    Tensor::operand_scalar(Scalar::new(v), x.dtype())
}

impl Tensor {
    /// `atan(self / other)` in the quadrant of the point `(other, self)`; ints become float32.
    pub fn atan2(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Atan2, other)
    }

    /// NumPy's name for [`Tensor::atan2`].
    pub fn arctan2(&self, other: &Tensor) -> Result<Tensor> {
        scoped("arctan2", || self.atan2(other))
    }

    /// `sqrt(self^2 + other^2)` without intermediate overflow or underflow (`hypot(inf, nan)`
    /// is `inf`); ints become float32.
    pub fn hypot(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Hypot, other)
    }

    /// C's `fmod`: the remainder of truncated division, with the dividend's sign (Python's `%`
    /// and [`Tensor::remainder`] take the divisor's). Ints stay ints (`x fmod 0` is 0).
    pub fn fmod(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Fmod, other)
    }

    /// `|self|` with the sign bit of `other` (`-0.0` counts as negative); ints become float32.
    pub fn copysign(&self, other: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Copysign, other)
    }

    /// The next representable value after `self` toward `other`, in the common float dtype;
    /// ints and bools are an error (as in PyTorch).
    pub fn nextafter(&self, other: &Tensor) -> Result<Tensor> {
        for t in [self, other] {
            t.float_only("nextafter")?;
        }
        self.binary(BinaryOp::NextAfter, other)
    }

    /// `log(e^self + e^other)` without overflow: `max + log1p(e^-|self - other|)`, and
    /// `self + ln 2` where both are equal (so two equal infinities give that infinity).
    pub fn logaddexp(&self, other: &Tensor) -> Result<Tensor> {
        scoped("logaddexp", || {
            let (a, b) = float_pair(self, other)?;
            let d = a.binary(BinaryOp::Sub, &b)?.abs()?.neg()?;
            let r = a.maximum(&b)?.binary(BinaryOp::Add, &d.exp()?.log1p()?)?;
            a.eq_elem(&b)?.where_cond(&a.binary_scalar(BinaryOp::Add, LN_2)?, &r)
        })
    }

    /// `log2(2^self + 2^other)` without overflow, as [`Tensor::logaddexp`] in base 2.
    pub fn logaddexp2(&self, other: &Tensor) -> Result<Tensor> {
        scoped("logaddexp2", || {
            let (a, b) = float_pair(self, other)?;
            let d = a.binary(BinaryOp::Sub, &b)?.abs()?.neg()?;
            let tail = d.exp2()?.log1p()?.binary_scalar(BinaryOp::Mul, LOG2_E)?;
            let r = a.maximum(&b)?.binary(BinaryOp::Add, &tail)?;
            a.eq_elem(&b)?.where_cond(&a.binary_scalar(BinaryOp::Add, 1.0)?, &r)
        })
    }

    /// `self * log(other)`, and 0 where `self == 0` unless `other` is NaN (so `xlogy(0, 0)` is
    /// 0 and `xlogy(0, nan)` is NaN); ints become float32.
    pub fn xlogy(&self, other: &Tensor) -> Result<Tensor> {
        scoped("xlogy", || {
            let (x, y) = float_pair(self, other)?;
            let r = x.binary(BinaryOp::Mul, &y.log()?)?;
            let zero = x.binary_scalar(BinaryOp::Eq, 0.0)?.binary(BinaryOp::And, &y.eq_elem(&y)?)?;
            zero.where_cond(&c(&r, 0.0), &r)
        })
    }

    /// Linear interpolation `self + weight * (end - self)` (a scalar or tensor weight), computed
    /// as PyTorch does: `end - (end - self) * (1 - weight)` where `|weight| >= 0.5`, so weight 1
    /// gives `end` exactly. Float tensors only.
    pub fn lerp(&self, end: &Tensor, weight: Operand) -> Result<Tensor> {
        scoped("lerp", || {
            for t in [self, end] {
                t.float_only("lerp")?;
            }
            let d = self.dtype().promote(end.dtype());
            let (s, e) = (self.cast(d)?, end.cast(d)?);
            let diff = e.binary(BinaryOp::Sub, &s)?;
            let near_start = |w: &Tensor| s.binary(BinaryOp::Add, &w.binary(BinaryOp::Mul, &diff)?);
            let near_end = |w: &Tensor| {
                e.binary(BinaryOp::Sub, &diff.binary(BinaryOp::Mul, &w.rbinary_scalar(BinaryOp::Sub, 1.0)?)?)
            };
            match weight {
                Operand::Scalar(w, _) => {
                    let wt = c(&s, w.get());
                    if w.get().abs() < 0.5 {
                        near_start(&wt)
                    } else {
                        near_end(&wt)
                    }
                }
                Operand::Tensor(w) => {
                    w.float_only("lerp")?;
                    let w = w.cast(w.dtype().promote(d))?;
                    w.abs()?.binary_scalar(BinaryOp::Lt, 0.5)?.where_cond(&near_start(&w)?, &near_end(&w)?)
                }
            }
        })
    }

    /// Whether `|self - other| <= atol + rtol * |other|` elementwise (bool), as PyTorch: equal
    /// values (infinities included) are close, other infinities are not, NaNs only with
    /// `equal_nan`. Operands promote to a common dtype; ints and bools compare their
    /// differences in float64 (exact below 2^53).
    pub fn isclose(&self, other: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<Tensor> {
        scoped("isclose", || {
            for (name, v) in [("rtol", rtol), ("atol", atol)] {
                if v.is_nan() || v < 0.0 {
                    return Err(Error::BadArgument {
                        op: "isclose",
                        reason: format!("{name} must be greater than or equal to zero, but got {v}"),
                    });
                }
            }
            let d = self.dtype().promote(other.dtype());
            let (a, b) = (self.cast(d)?, other.cast(d)?);
            let mut close = a.eq_elem(&b)?;
            if equal_nan && d.is_float() {
                close = close.binary(BinaryOp::Or, &a.isnan()?.binary(BinaryOp::And, &b.isnan()?)?)?;
            }
            if rtol == 0.0 && atol == 0.0 {
                return Ok(close);
            }
            let (a, b) = if d.is_float() { (a, b) } else { (a.cast(DType::F64)?, b.cast(DType::F64)?) };
            let allowed = b.binary_scalar(BinaryOp::Mul, rtol)?.abs()?.binary_scalar(BinaryOp::Add, atol)?;
            let actual = a.binary(BinaryOp::Sub, &b)?.abs()?;
            let within = actual.isfinite()?.binary(BinaryOp::And, &actual.le(&allowed)?)?;
            close.binary(BinaryOp::Or, &within)
        })
    }

    /// Whether every element is [`Tensor::isclose`] (broadcasting): a 0-d bool tensor (true
    /// for empty tensors).
    pub fn allclose(&self, other: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<Tensor> {
        scoped("allclose", || none_true(&self.isclose(other, rtol, atol, equal_nan)?.logical_not()?))
    }

    /// Whether both have the same shape and equal elements (NaN is unequal): a 0-d bool
    /// tensor, false without reading data when the shapes differ.
    pub fn equal(&self, other: &Tensor) -> Result<Tensor> {
        if self.shape() != other.shape() {
            return Tensor::full([], false, DType::Bool);
        }
        scoped("equal", || none_true(&self.ne_elem(other)?))
    }

    /// [`Tensor::clamp_with`] under NumPy's name.
    pub fn clip(&self, min: Option<Operand>, max: Option<Operand>) -> Result<Tensor> {
        scoped("clip", || self.clamp_with(min, max))
    }
}

/// Whether no element of the bool tensor `t` is true (a 0-d bool tensor).
fn none_true(t: &Tensor) -> Result<Tensor> {
    t.cast(DType::I64)?.sum(None, false)?.binary_scalar(BinaryOp::Eq, 0)
}
