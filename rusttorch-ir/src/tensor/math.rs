//! The elementwise math library's unary lowerings (the composite rows of the op table call
//! them) and its ops with parameters: `hardtanh`, `elu`, `celu`, `nan_to_num`,
//! `round(decimals)`. Everything here is built from primitives, so the fusion planner sees
//! through it.

use super::Tensor;
use crate::op::{BinaryOp, Scalar};
use crate::{scoped, DType, Error, Result};
use std::f64::consts::LN_2;

/// Past this `|x|` the hyperbolic functions switch formula: `e^-|x|` no longer shows in f64
/// next to `e^|x|` (`e^-40 < 2^-53`).
const HYPERBOLIC_BIG: f64 = 20.0;
/// Past this `|x|` `asinh`/`acosh` use `log|x| + ln 2` (exact there to rounding, and `x*x`
/// would overflow in float32 not far above).
const ARC_BIG: f64 = 268_435_456.0; // 2^28

/// SELU's `alpha` and `scale` (Klambauer et al., as PyTorch).
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// A scalar of `x`'s dtype.
fn c(x: &Tensor, v: f64) -> Tensor {
    Tensor::operand_scalar(Scalar::new(v), x.dtype())
}

/// `x op v` for a scalar `v`.
fn op(x: &Tensor, o: BinaryOp, v: f64) -> Result<Tensor> {
    x.binary_scalar(o, v)
}

/// `copysign(r, x)`: the result of an odd function computed on `|x|`.
fn odd(r: &Tensor, x: &Tensor) -> Result<Tensor> {
    r.binary(BinaryOp::Copysign, x)
}

/// `sin(x) / cos(x)` of a float tensor.
pub(crate) fn tan(x: &Tensor) -> Result<Tensor> {
    x.sin()?.binary(BinaryOp::Div, &x.cos()?)
}

/// `e^|x| / 2` from `h = e^(|x|/2)` as `(h/2) h`: finite wherever the result is.
fn half_exp_big(a: &Tensor) -> Result<Tensor> {
    let h = op(a, BinaryOp::Mul, 0.5)?.exp()?;
    op(&h, BinaryOp::Mul, 0.5)?.binary(BinaryOp::Mul, &h)
}

/// `sinh` of a float tensor: `(t + t / (t + 1)) / 2` with `t = expm1(|x|)` (no cancellation
/// near 0), `e^|x| / 2` past [`HYPERBOLIC_BIG`]; the sign of `x` (so `-0.0` stays).
pub(crate) fn sinh(x: &Tensor) -> Result<Tensor> {
    let a = x.abs()?;
    let t = a.expm1()?;
    let small = t.binary(BinaryOp::Add, &t.binary(BinaryOp::Div, &op(&t, BinaryOp::Add, 1.0)?)?)?;
    let small = op(&small, BinaryOp::Mul, 0.5)?;
    let r = op(&a, BinaryOp::Gt, HYPERBOLIC_BIG)?.where_cond(&half_exp_big(&a)?, &small)?;
    odd(&r, x)
}

/// `cosh` of a float tensor: `e/2 + 0.5/e` with `e = e^|x|`, `e^|x| / 2` past
/// [`HYPERBOLIC_BIG`].
pub(crate) fn cosh(x: &Tensor) -> Result<Tensor> {
    let a = x.abs()?;
    let e = a.exp()?;
    let small = op(&e, BinaryOp::Mul, 0.5)?.binary(BinaryOp::Add, &c(&e, 0.5).binary(BinaryOp::Div, &e)?)?;
    op(&a, BinaryOp::Gt, HYPERBOLIC_BIG)?.where_cond(&half_exp_big(&a)?, &small)
}

/// `asinh` of a float tensor: `log1p(a + a^2 / (1 + sqrt(1 + a^2)))` with `a = |x|` (exact
/// digits near 0), `log(a) + ln 2` past [`ARC_BIG`]; the sign of `x`.
pub(crate) fn asinh(x: &Tensor) -> Result<Tensor> {
    let a = x.abs()?;
    let a2 = a.square()?;
    let root = op(&op(&a2, BinaryOp::Add, 1.0)?.sqrt()?, BinaryOp::Add, 1.0)?;
    let small = a.binary(BinaryOp::Add, &a2.binary(BinaryOp::Div, &root)?)?.log1p()?;
    let big = op(&a.log()?, BinaryOp::Add, LN_2)?;
    odd(&op(&a, BinaryOp::Gt, ARC_BIG)?.where_cond(&big, &small)?, x)
}

/// `acosh` of a float tensor: `log1p(t + sqrt(t) sqrt(t + 2))` with `t = x - 1` (exact near 1;
/// the square root of `t` makes every `x < 1` NaN, where `sqrt(2t + t^2)` would turn large
/// negative `x` into finite values), `log(x) + ln 2` past [`ARC_BIG`].
pub(crate) fn acosh(x: &Tensor) -> Result<Tensor> {
    let t = op(x, BinaryOp::Sub, 1.0)?;
    let root = t.sqrt()?.binary(BinaryOp::Mul, &op(&t, BinaryOp::Add, 2.0)?.sqrt()?)?;
    let small = t.binary(BinaryOp::Add, &root)?.log1p()?;
    let big = op(&x.log()?, BinaryOp::Add, LN_2)?;
    op(x, BinaryOp::Gt, ARC_BIG)?.where_cond(&big, &small)
}

/// `atanh` of a float tensor: `0.5 log1p(2a / (1 - a))` with `a = |x|` (well conditioned on
/// `[0, 1)`), the sign of `x`.
pub(crate) fn atanh(x: &Tensor) -> Result<Tensor> {
    let a = x.abs()?;
    let q = op(&a, BinaryOp::Mul, 2.0)?.binary(BinaryOp::Div, &a.rbinary_scalar(BinaryOp::Sub, 1.0)?)?;
    odd(&op(&q.log1p()?, BinaryOp::Mul, 0.5)?, x)
}

/// `(x > 0) - (x < 0)` in `x`'s dtype; bools are their own sign.
pub(crate) fn sign(x: &Tensor) -> Result<Tensor> {
    if x.dtype() == DType::Bool {
        return Ok(x.clone());
    }
    let pos = op(x, BinaryOp::Gt, 0.0)?.cast(x.dtype())?;
    pos.binary(BinaryOp::Sub, &op(x, BinaryOp::Lt, 0.0)?.cast(x.dtype())?)
}

/// Whether the sign bit is set: `copysign(1, x) < 0` for floats, `x < 0` for ints, false for
/// bools.
pub(crate) fn signbit(x: &Tensor) -> Result<Tensor> {
    match x.dtype() {
        DType::Bool => Tensor::full(x.shape().clone(), false, DType::Bool),
        d if d.is_float() => op(&x.rbinary_scalar(BinaryOp::Copysign, 1.0)?, BinaryOp::Lt, 0.0),
        _ => op(x, BinaryOp::Lt, 0.0),
    }
}

/// `x` where `x > 0`, else `alpha * expm1(x / alpha_in)` (ELU with `alpha_in = 1`, CELU with
/// `alpha_in = alpha`); NaN stays NaN.
fn elu_like(x: &Tensor, alpha: f64, alpha_in: f64) -> Result<Tensor> {
    let scaled = if alpha_in == 1.0 { x.clone() } else { op(x, BinaryOp::Div, alpha_in)? };
    let neg = op(&scaled.expm1()?, BinaryOp::Mul, alpha)?;
    op(x, BinaryOp::Gt, 0.0)?.where_cond(x, &neg)
}

/// SELU of a float tensor.
pub(crate) fn selu(x: &Tensor) -> Result<Tensor> {
    op(&elu_like(x, SELU_ALPHA, 1.0)?, BinaryOp::Mul, SELU_SCALE)
}

impl Tensor {
    /// HardTanh: `x` clamped to `[min_val, max_val]` (PyTorch's defaults are -1 and 1). Ints
    /// stay ints; bools and `min_val > max_val` are errors.
    pub fn hardtanh(&self, min_val: f64, max_val: f64) -> Result<Tensor> {
        scoped("hardtanh", || {
            if min_val > max_val {
                return Err(Error::BadArgument {
                    op: "hardtanh",
                    reason: format!("min_val ({min_val}) cannot be greater than max_val ({max_val})"),
                });
            }
            self.numeric("hardtanh")?.clamp(Some(min_val), Some(max_val))
        })
    }

    /// ELU: `x` where `x > 0`, else `alpha * (e^x - 1)` (ints become float32, bools are an
    /// error).
    pub fn elu(&self, alpha: f64) -> Result<Tensor> {
        scoped("elu", || elu_like(&self.float_valued("elu")?, alpha, 1.0))
    }

    /// CELU: `x` where `x > 0`, else `alpha * (e^(x / alpha) - 1)`; `alpha = 0` is an error.
    pub fn celu(&self, alpha: f64) -> Result<Tensor> {
        scoped("celu", || {
            if alpha == 0.0 {
                return Err(Error::BadArgument { op: "celu", reason: "alpha cannot be 0".into() });
            }
            elu_like(&self.float_valued("celu")?, alpha, alpha)
        })
    }

    /// NaN replaced by `nan`, `+inf` by `posinf` and `-inf` by `neginf` (by default the
    /// dtype's largest and lowest finite values); ints and bools are returned unchanged.
    pub fn nan_to_num(&self, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> Result<Tensor> {
        let max = match self.dtype() {
            DType::F32 => f64::from(f32::MAX),
            DType::F64 => f64::MAX,
            _ => return Ok(self.clone()),
        };
        scoped("nan_to_num", || {
            let x = self;
            let y = x.binary(BinaryOp::Ne, x)?.where_cond(&c(x, nan), x)?;
            let y = op(x, BinaryOp::Eq, f64::INFINITY)?.where_cond(&c(x, posinf.unwrap_or(max)), &y)?;
            op(x, BinaryOp::Eq, f64::NEG_INFINITY)?.where_cond(&c(x, neginf.unwrap_or(-max)), &y)
        })
    }

    /// Rounds half to even at `decimals` decimal digits, as PyTorch: `round(x * 10^d) / 10^d`
    /// (`round(x / 10^-d) * 10^-d` for negative `d`, so `10^-d` is exact), with `10^|d|` in
    /// the tensor's dtype. Ints are returned unchanged for `decimals = 0` and are an error
    /// otherwise.
    pub fn round_decimals(&self, decimals: i64) -> Result<Tensor> {
        if decimals == 0 {
            return self.round();
        }
        scoped("round", || {
            self.float_only("round")?;
            let p = 10f64.powi(decimals.unsigned_abs().min(400) as i32);
            if decimals > 0 {
                op(&op(self, BinaryOp::Mul, p)?.round()?, BinaryOp::Div, p)
            } else {
                op(&op(self, BinaryOp::Div, p)?.round()?, BinaryOp::Mul, p)
            }
        })
    }
}
