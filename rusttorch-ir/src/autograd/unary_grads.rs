//! The gradients of the unary primitives: the `grad` column of the op table
//! (`for_each_unary_op!`), expanded into one match, plus the formulas too long for a row.

use crate::op::{GeluApprox, UnaryOp, GELU_TANH_C};
use crate::{Error, Result, Tensor};

/// The row marker of an op whose result is not a float: no gradient reaches it.
fn not_differentiable(x: &Tensor, _y: &Tensor, _g: &Tensor) -> Result<Tensor> {
    Err(Error::Internal(format!("a gradient reached an op with a {} result", x.dtype())))
}

macro_rules! unary_grads {
    ($($(#[$doc:meta])* $v:ident $(($p:ident : $pty:ty))?, $name:ident, $cost:literal, $rule:ident, $f:expr, grad $d:expr;)*) => {
        /// `g · dy/dx` for the unary op `op` with operand `x` and result `y`.
        pub(super) fn unary_vjp(op: UnaryOp, x: &Tensor, y: &Tensor, g: &Tensor) -> Result<Tensor> {
            match op {
                $(UnaryOp::$v $(($p))? => {
                    let f: &dyn Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor> = &$d;
                    f(x, y, g)
                })*
            }
        }
    };
}
crate::for_each_unary_op!(unary_grads);

/// `d gelu(x) / dx`: `Φ(x) + x φ(x)` (erf form) or the derivative of the tanh form, as
/// PyTorch's `gelu_backward`.
pub fn gelu_derivative(x: &Tensor, approximate: GeluApprox) -> Result<Tensor> {
    use std::f64::consts::{FRAC_1_SQRT_2, FRAC_2_SQRT_PI};
    match approximate {
        GeluApprox::Erf => {
            let cdf = x.scale(FRAC_1_SQRT_2)?.erf()?.shift(1.0)?.scale(0.5)?;
            let pdf = x.square()?.scale(-0.5)?.exp()?.scale(FRAC_2_SQRT_PI * FRAC_1_SQRT_2 * 0.5)?;
            cdf.plus(&x.times(&pdf)?)
        }
        GeluApprox::Tanh => {
            // GELU_TANH_C is sqrt(2 / pi); 0.044715 the cubic term's weight.
            let (k, c) = (GELU_TANH_C, 0.044715);
            let x2 = x.square()?;
            let inner = x.times(&x2.scale(c)?.shift(1.0)?)?.scale(k)?;
            let t = inner.tanh()?;
            let left = t.shift(1.0)?.scale(0.5)?;
            let right = x.scale(0.5)?.times(&t.square()?.rsub(1.0)?)?.times(&x2.scale(3.0 * c)?.shift(1.0)?)?;
            left.plus(&right.scale(k)?)
        }
    }
}
