//! The op table: one row per elementwise op, from which everything per-op follows.
//!
//! A row gives the op's variant, its name (the Rust `Tensor` method, the Python function and
//! method, and what plans print), its cost in simple flops per element (the recompute rule), its
//! dtype rule, and its f64 reference (the tests' oracle and constant folding). The tables are
//! "x-macros": `for_each_unary_op!(m)` calls `m!` with every row, so this crate derives the enum,
//! [`UnaryOp::info`], [`UnaryOp::rule`], [`UnaryOp::apply_f64`], [`UnaryOp::ALL`] and the
//! `Tensor` methods from the same rows that the Python crate turns into functions and methods.
//!
//! - **Primitives** ([`for_each_unary_op!`], [`for_each_binary_op!`]) are what backends
//!   implement: the executor's `num::unary`/`num::binary` match every variant, so a new
//!   primitive that lacks a kernel does not compile. Keep one only where a kernel of its own
//!   measurably wins in speed or accuracy (`sigmoid` and `gelu` for stable forms, `log1p` and
//!   `expm1` for accuracy near 0, `rsqrt`, `square` for one pass instead of two).
//! - **Composites** ([`for_each_composite_op!`]) are one row each: their decomposition into
//!   primitives, built in the IR where the fusion planner sees through them. A new unary op is
//!   usually one: a row here, its name in `rusttorch/__init__.py` and its stub.
//!
//! The Python layer generates its bindings from these macros, and `tests/test_op_table.py` checks
//! that every row has a Python function, a method, a stub and a NumPy reference test.

use super::{GeluApprox, OpInfo, Scalar};

/// Calls `$m!` with every primitive unary op, one row each:
/// `docs Variant(param: Type)?, name, cost, rule, |x: f64 (, param)?| reference,
/// grad gradient;` (`rule` is a [`UnaryRule`] variant). The gradient `|x, y, g|` builds the
/// vector-Jacobian product `g · dy/dx` from the operand `x`, the result `y` and the incoming
/// gradient `g` (see [`crate::autograd`]); `not_differentiable` marks an op whose result is not
/// a float, which no gradient reaches.
#[macro_export]
macro_rules! for_each_unary_op {
    ($m:ident) => {
        $m! {
            /// `-x`
            Neg, neg, 1, Numeric, |x: f64| -x,
                grad |_x, _y, g| g.neg();
            /// `|x|`
            Abs, abs, 1, Numeric, |x: f64| x.abs(),
                grad |x, _y, g| g.times(&x.sign()?);
            /// `e^x`
            Exp, exp, 8, Float, |x: f64| x.exp(),
                grad |_x, y, g| g.times(y);
            /// Natural logarithm.
            Log, log, 8, Float, |x: f64| x.ln(),
                grad |x, _y, g| g.over(x);
            /// `ln(1 + x)`, accurate for small `x` (where `log(1 + x)` loses digits).
            Log1p, log1p, 10, Float, |x: f64| x.ln_1p(),
                grad |x, _y, g| g.over(&x.shift(1.0)?);
            /// `e^x - 1`, accurate for small `x` (where `exp(x) - 1` loses digits).
            Expm1, expm1, 10, Float, |x: f64| x.exp_m1(),
                grad |_x, y, g| g.times(&y.shift(1.0)?);
            /// Square root.
            Sqrt, sqrt, 4, Float, |x: f64| x.sqrt(),
                grad |_x, y, g| g.over(&y.scale(2.0)?);
            /// `1 / sqrt(x)`
            Rsqrt, rsqrt, 5, Float, |x: f64| 1.0 / x.sqrt(),
                grad |_x, y, g| g.times(&y.times(&y.square()?)?)?.scale(-0.5);
            /// `1 / x`
            Recip, reciprocal, 4, Float, |x: f64| 1.0 / x,
                grad |_x, y, g| g.times(&y.square()?)?.neg();
            /// Hyperbolic tangent.
            Tanh, tanh, 10, Float, |x: f64| x.tanh(),
                grad |_x, y, g| g.times(&y.square()?.rsub(1.0)?);
            /// Logistic sigmoid, `1 / (1 + e^-x)`.
            Sigmoid, sigmoid, 10, Float, $crate::op::sigmoid_f64,
                grad |_x, y, g| g.times(&y.times(&y.rsub(1.0)?)?);
            /// `max(x, 0)` (NaN stays NaN).
            Relu, relu, 1, Numeric, |x: f64| if x > 0.0 || x.is_nan() { x } else { 0.0 },
                grad |_x, y, g| g.zero_where(&y.le_scalar(0.0)?);
            /// `x` where `x >= 0`, else `negative_slope * x`.
            LeakyRelu(negative_slope: $crate::op::Scalar), leaky_relu, 2, Float,
                |x: f64, s: $crate::op::Scalar| if x >= 0.0 || x.is_nan() { x } else { x * s.get() },
                grad |x, _y, g| x.gt_scalar(0.0)?.where_cond(g, &g.scale(negative_slope.get())?);
            /// Gaussian error linear unit, exact (`erf`) or tanh-approximated.
            Gelu(approximate: $crate::op::GeluApprox), gelu, 14, Float, |x: f64, a: $crate::op::GeluApprox| match a {
                $crate::op::GeluApprox::Erf => $crate::op::gelu_erf_f64(x),
                $crate::op::GeluApprox::Tanh => $crate::op::gelu_tanh_f64(x),
            },
                grad |x, _y, g| g.times(&$crate::autograd::gelu_derivative(x, approximate)?);
            /// Base-2 logarithm (exact at powers of two).
            Log2, log2, 10, Float, |x: f64| x.log2(),
                grad |x, _y, g| g.over(&x.scale(std::f64::consts::LN_2)?);
            /// Base-10 logarithm (exact at powers of ten).
            Log10, log10, 10, Float, |x: f64| x.log10(),
                grad |x, _y, g| g.over(&x.scale(std::f64::consts::LN_10)?);
            /// `2^x` (exact at integers).
            Exp2, exp2, 10, Float, |x: f64| x.exp2(),
                grad |_x, y, g| g.times(&y.scale(std::f64::consts::LN_2)?);
            /// The error function.
            Erf, erf, 12, Float, $crate::op::erf_f64,
                grad |x, _y, g| g.times(&x.square()?.neg()?.exp()?.scale(std::f64::consts::FRAC_2_SQRT_PI)?);
            /// `1 - erf(x)`, keeping its relative accuracy where `erf(x)` is near 1.
            Erfc, erfc, 14, Float, $crate::op::erfc_f64,
                grad |x, _y, g| g.times(&x.square()?.neg()?.exp()?.scale(-std::f64::consts::FRAC_2_SQRT_PI)?);
            /// The inverse of `erf` on `[-1, 1]` (`±inf` at `±1`, NaN outside).
            Erfinv, erfinv, 40, Float, $crate::op::erfinv_f64,
                grad |_x, y, g| g.times(&y.square()?.exp()?.scale(0.5 * std::f64::consts::PI.sqrt())?);
            /// Arctangent.
            Atan, atan, 12, Float, |x: f64| x.atan(),
                grad |x, _y, g| g.over(&x.square()?.shift(1.0)?);
            /// Arcsine (NaN outside `[-1, 1]`).
            Asin, asin, 12, Float, |x: f64| x.asin(),
                grad |x, _y, g| g.times(&x.square()?.rsub(1.0)?.rsqrt()?);
            /// Arccosine (NaN outside `[-1, 1]`).
            Acos, acos, 12, Float, |x: f64| x.acos(),
                grad |x, _y, g| g.times(&x.square()?.rsub(1.0)?.rsqrt()?)?.neg();
            /// Sine.
            Sin, sin, 10, Float, |x: f64| x.sin(),
                grad |x, _y, g| g.times(&x.cos()?);
            /// Cosine.
            Cos, cos, 10, Float, |x: f64| x.cos(),
                grad |x, _y, g| g.times(&x.sin()?)?.neg();
            /// `x * x` (what `x ** 2` lowers to).
            Square, square, 1, Numeric, |x: f64| x * x,
                grad |x, _y, g| g.times(&x.scale(2.0)?);
            /// `x` written out contiguously (materialises a strided view).
            Copy, copy, 0, Any, |x: f64| x,
                grad |_x, _y, g| Ok(g.clone());
            /// Largest integer `<= x` (identity on ints).
            Floor, floor, 1, Rounding, |x: f64| x.floor(),
                grad |_x, _y, g| g.zero();
            /// Smallest integer `>= x` (identity on ints).
            Ceil, ceil, 1, Rounding, |x: f64| x.ceil(),
                grad |_x, _y, g| g.zero();
            /// Rounds toward zero (identity on ints).
            Trunc, trunc, 1, Rounding, |x: f64| x.trunc(),
                grad |_x, _y, g| g.zero();
            /// Nearest integer, ties to even, as NumPy and PyTorch round (identity on ints).
            Round, round, 1, Rounding, |x: f64| x.round_ties_even(),
                grad |_x, _y, g| g.zero();
            /// Logical not (`x == 0`), bool result.
            LogicalNot, logical_not, 1, Logical, |x: f64| f64::from(x == 0.0),
                grad not_differentiable;
            /// `~x`: bitwise not of ints, logical not of bools.
            BitNot, bitwise_not, 1, Bitwise, |x: f64| !(x as i64) as f64,
                grad not_differentiable;
        }
    };
}

/// Calls `$m!` with every composite unary op, one row each: `docs name, |x: &Tensor| lowering;`.
/// The lowering builds the op from primitives (and other ops) inside `scoped(name)`, so its
/// errors name the op the caller called.
#[macro_export]
macro_rules! for_each_composite_op {
    ($m:ident) => {
        $m! {
            /// `x * sigmoid(x)` (the swish activation).
            silu, |x: &$crate::Tensor| x.binary($crate::BinaryOp::Mul, &x.sigmoid()?);
            /// Whether each element is NaN (`x != x`).
            isnan, |x: &$crate::Tensor| x.binary($crate::BinaryOp::Ne, x);
            /// Whether each element is `+inf` or `-inf`.
            isinf, |x: &$crate::Tensor| match x.dtype().is_float() {
                true => x.abs()?.binary_scalar($crate::BinaryOp::Eq, f64::INFINITY),
                false => $crate::Tensor::full(x.shape().clone(), false, $crate::DType::Bool),
            };
            /// Whether each element is finite (false for NaN and the infinities).
            isfinite, |x: &$crate::Tensor| match x.dtype().is_float() {
                true => x.abs()?.binary_scalar($crate::BinaryOp::Lt, f64::INFINITY),
                false => $crate::Tensor::full(x.shape().clone(), true, $crate::DType::Bool),
            };
            /// `x / (1 + |x|)`
            softsign, |x: &$crate::Tensor| {
                let x = x.float_valued("softsign")?;
                x.binary($crate::BinaryOp::Div, &x.abs()?.binary_scalar($crate::BinaryOp::Add, 1.0)?)
            };
            /// `min(max(x, 0), 6)`
            relu6, |x: &$crate::Tensor| x.numeric("relu6")?.clamp(Some(0.0), Some(6.0));
            /// `min(max(x + 3, 0), 6) / 6`
            hardsigmoid, |x: &$crate::Tensor| {
                let x = x.float_valued("hardsigmoid")?;
                x.binary_scalar($crate::BinaryOp::Add, 3.0)?.clamp(Some(0.0), Some(6.0))?.binary_scalar($crate::BinaryOp::Div, 6.0)
            };
            /// `x * min(max(x + 3, 0), 6) / 6`
            hardswish, |x: &$crate::Tensor| {
                let x = x.float_valued("hardswish")?;
                let gate = x.binary_scalar($crate::BinaryOp::Add, 3.0)?.clamp(Some(0.0), Some(6.0))?;
                x.binary($crate::BinaryOp::Mul, &gate)?.binary_scalar($crate::BinaryOp::Div, 6.0)
            };
            /// `log(sigmoid(x))`, computed as `-softplus(-x)`: no overflow, and the tiny tail of
            /// large `x` is kept.
            logsigmoid, |x: &$crate::Tensor| x.float_valued("logsigmoid")?.neg()?.softplus(1.0, f64::INFINITY)?.neg();
            /// `x * tanh(softplus(x))`
            mish, |x: &$crate::Tensor| {
                let x = x.float_valued("mish")?;
                x.binary($crate::BinaryOp::Mul, &x.softplus(1.0, 20.0)?.tanh()?)
            };
            /// Tangent, `sin(x) / cos(x)`.
            tan, |x: &$crate::Tensor| $crate::tensor::math::tan(&x.to_float()?);
            /// Hyperbolic sine, from `expm1` (no cancellation near 0) and, past `|x| = 20`, from
            /// `e^(|x|/2)` squared (finite up to where the result itself overflows).
            sinh, |x: &$crate::Tensor| $crate::tensor::math::sinh(&x.to_float()?);
            /// Hyperbolic cosine (finite up to where the result itself overflows).
            cosh, |x: &$crate::Tensor| $crate::tensor::math::cosh(&x.to_float()?);
            /// Inverse hyperbolic sine, `log1p` based; `log|x| + ln 2` past `2^28`, where `x*x`
            /// would overflow.
            asinh, |x: &$crate::Tensor| $crate::tensor::math::asinh(&x.to_float()?);
            /// Inverse hyperbolic cosine (NaN below 1), `log1p` based; `log x + ln 2` past `2^28`.
            acosh, |x: &$crate::Tensor| $crate::tensor::math::acosh(&x.to_float()?);
            /// Inverse hyperbolic tangent, `sign(x) * 0.5 * log1p(2|x| / (1 - |x|))` (`±inf` at `±1`).
            atanh, |x: &$crate::Tensor| $crate::tensor::math::atanh(&x.to_float()?);
            /// `-1`, `0` or `1` by the sign of `x`, in `x`'s dtype (bools unchanged); NaN gives 0, as
            /// in PyTorch (NumPy gives NaN).
            sign, |x: &$crate::Tensor| $crate::tensor::math::sign(x);
            /// The sign of `x` (for real tensors, `sign`).
            sgn, |x: &$crate::Tensor| $crate::tensor::math::sign(x);
            /// Whether the sign bit is set (true for `-0.0`), bool result.
            signbit, |x: &$crate::Tensor| $crate::tensor::math::signbit(x);
            /// The fractional part, `x - trunc(x)`, with the sign of `x` (float tensors only).
            frac, |x: &$crate::Tensor| {
                x.float_only("frac")?;
                x.binary($crate::BinaryOp::Sub, &x.trunc()?)
            };
            /// Scaled ELU with the self-normalising constants: `scale * elu(x, alpha)`.
            selu, |x: &$crate::Tensor| $crate::tensor::math::selu(&x.float_valued("selu")?);
        }
    };
}

/// Calls `$m!` with every primitive binary op, one row each:
/// `docs Variant, name, cost, rule, on bools, commutative, |a: f64, b: f64| reference, grad
/// gradient;` (`rule` is a [`BinaryRule`], `on bools` the [`BoolForm`] of the op on bool
/// operands). The gradient `|a, b, y, g|` gives the vector-Jacobian products for `a` and `b`
/// in the broadcast shape (summed back to each operand's shape by [`crate::autograd`]).
#[macro_export]
macro_rules! for_each_binary_op {
    ($m:ident) => {
        $m! {
            /// `a + b`
            Add, add, 1, Arith, Or, true, |a: f64, b: f64| a + b,
                grad |_a, _b, _y, g| both(g.clone(), g.clone());
            /// `a - b`
            Sub, sub, 1, Arith, Error, false, |a: f64, b: f64| a - b,
                grad |_a, _b, _y, g| both(g.clone(), g.neg()?);
            /// `a * b`
            Mul, mul, 1, Arith, And, true, |a: f64, b: f64| a * b,
                grad |a, b, _y, g| both(g.times(b)?, g.times(a)?);
            /// `a / b` (true division: ints divide as float32).
            Div, div, 4, TrueDiv, Same, false, |a: f64, b: f64| a / b,
                grad |_a, b, y, g| both(g.over(b)?, g.times(y)?.over(b)?.neg()?);
            /// `a ** b`
            Pow, pow, 16, Arith, Error, false, |a: f64, b: f64| a.powf(b),
                grad $crate::autograd::pow_grads;
            /// Elementwise max (NaN propagates).
            Maximum, maximum, 1, Arith, Or, true, |a: f64, b: f64| if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) },
                grad |a, b, _y, g| $crate::autograd::extremum_grads(a, b, g, true);
            /// Elementwise min (NaN propagates).
            Minimum, minimum, 1, Arith, And, true, |a: f64, b: f64| if a.is_nan() || b.is_nan() { f64::NAN } else { a.min(b) },
                grad |a, b, _y, g| $crate::autograd::extremum_grads(a, b, g, false);
            /// `floor(a / b)` with Python's signs (integer `x // 0` is 0, as NumPy).
            FloorDiv, floor_divide, 6, Arith, Error, false, |a: f64, b: f64| $crate::op::py_divmod(a, b).0,
                grad |_a, _b, _y, g| both(g.zero()?, g.zero()?);
            /// `a - floor(a / b) * b`: the remainder takes the divisor's sign, as Python's `%`
            /// (integer `x % 0` is 0, as NumPy).
            Rem, remainder, 6, Arith, Error, false, |a: f64, b: f64| $crate::op::py_divmod(a, b).1,
                grad |a, b, _y, g| both(g.clone(), g.times(&a.over(b)?.floor()?)?.neg()?);
            /// C's `fmod`: `a - trunc(a / b) * b`, the remainder with the dividend's sign (integer
            /// `x fmod 0` is 0, as NumPy).
            Fmod, fmod, 6, Arith, Error, false, |a: f64, b: f64| a % b,
                grad |a, b, _y, g| both(g.clone(), g.times(&a.over(b)?.trunc()?)?.neg()?);
            /// `atan(a / b)` in the quadrant of the point `(b, a)`.
            Atan2, atan2, 16, TrueDiv, Same, false, |a: f64, b: f64| a.atan2(b),
                grad |a, b, _y, g| { let d = a.square()?.plus(&b.square()?)?; both(g.times(b)?.over(&d)?, g.times(a)?.over(&d)?.neg()?) };
            /// `sqrt(a^2 + b^2)` without intermediate overflow or underflow.
            Hypot, hypot, 8, TrueDiv, Same, true, |a: f64, b: f64| a.hypot(b),
                grad |a, b, y, g| both(g.times(a)?.over(y)?, g.times(b)?.over(y)?);
            /// `|a|` with the sign bit of `b` (so `-0.0` and `-nan` count as negative).
            Copysign, copysign, 1, TrueDiv, Same, false, |a: f64, b: f64| a.copysign(b),
                grad |a, _b, y, g| both(g.times(&y.over(a)?)?.zero_where(&a.eq_scalar(0.0)?)?, g.zero()?);
            /// The next float after `a` toward `b` (in f64 here: float32 kernels and the reference
            /// interpreter step in float32).
            NextAfter, nextafter, 2, TrueDiv, Same, false, $crate::op::nextafter_f64,
                grad |_a, _b, _y, g| both(g.zero()?, g.zero()?);
            /// `a < b`
            Lt, lt, 1, Compare, Same, false, |a: f64, b: f64| f64::from(a < b),
                grad not_differentiable;
            /// `a <= b`
            Le, le, 1, Compare, Same, false, |a: f64, b: f64| f64::from(a <= b),
                grad not_differentiable;
            /// `a > b`
            Gt, gt, 1, Compare, Same, false, |a: f64, b: f64| f64::from(a > b),
                grad not_differentiable;
            /// `a >= b`
            Ge, ge, 1, Compare, Same, false, |a: f64, b: f64| f64::from(a >= b),
                grad not_differentiable;
            /// `a == b`
            Eq, eq, 1, Compare, Same, true, |a: f64, b: f64| f64::from(a == b),
                grad not_differentiable;
            /// `a != b`
            Ne, ne, 1, Compare, Same, true, |a: f64, b: f64| f64::from(a != b),
                grad not_differentiable;
            /// Bitwise and on ints, logical and on bools.
            And, and, 1, Bitwise, Same, true, |a: f64, b: f64| ((a as i64) & (b as i64)) as f64,
                grad not_differentiable;
            /// Bitwise or on ints, logical or on bools.
            Or, or, 1, Bitwise, Same, true, |a: f64, b: f64| ((a as i64) | (b as i64)) as f64,
                grad not_differentiable;
            /// Bitwise xor on ints, logical xor on bools.
            Xor, xor, 1, Bitwise, Same, true, |a: f64, b: f64| ((a as i64) ^ (b as i64)) as f64,
                grad not_differentiable;
        }
    };
}

/// How a unary op treats its operand's dtype (applied by `Tensor::unary`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryRule {
    /// Float-valued math: int and bool operands become float32 first (`exp`, `sqrt`, ...).
    Float,
    /// Keeps ints (wrapping) and floats; rejects bools (`neg`, `abs`, `relu`, `square`).
    Numeric,
    /// The identity on ints and bools (`floor`, `round`, ...).
    Rounding,
    /// Any dtype, unchanged (`copy`).
    Any,
    /// Bool result: a bool operand as is, any other as `x == 0` (`logical_not`).
    Logical,
    /// Bitwise on ints, logical on bools, rejects floats (`~`).
    Bitwise,
}

/// How a binary op treats its operands' dtypes (applied by `Tensor::binary`, after promoting
/// both operands to a common dtype).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryRule {
    /// The common dtype.
    Arith,
    /// The common dtype if it is a float, else float32 (`/`).
    TrueDiv,
    /// Compares in the common dtype; bool result.
    Compare,
    /// Ints and bools only.
    Bitwise,
}

/// What a binary op means on bool operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolForm {
    /// The op itself (comparisons, bitwise ops).
    Same,
    /// Logical or (`+`, `max`).
    Or,
    /// Logical and (`*`, `min`).
    And,
    /// Not defined for bools (`-`, `**`, `//`, `%`).
    Error,
}

macro_rules! define_unary {
    ($($(#[$doc:meta])* $v:ident $(($p:ident : $pty:ty))?, $name:ident, $cost:literal, $rule:ident, $f:expr, grad $d:expr;)*) => {
        /// Elementwise primitive ops of one operand (the rows of [`for_each_unary_op!`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum UnaryOp {
            $($(#[$doc])* $v $(($pty))?,)*
        }

        impl UnaryOp {
            /// The per-op facts.
            pub fn info(self) -> OpInfo {
                match self {
                    $(UnaryOp::$v $(($p))? => {
                        $(let _ = $p;)?
                        OpInfo { name: stringify!($name), cost: $cost }
                    })*
                }
            }

            /// How the op treats its operand's dtype.
            pub fn rule(self) -> UnaryRule {
                match self {
                    $(UnaryOp::$v $(($p))? => {
                        $(let _ = $p;)?
                        UnaryRule::$rule
                    })*
                }
            }

            /// Scalar reference implementation in f64 (the oracle for tests, and constant folding).
            #[allow(clippy::redundant_closure_call)]
            pub fn apply_f64(self, x: f64) -> f64 {
                match self {
                    $(UnaryOp::$v $(($p))? => ($f)(x $(, $p)?),)*
                }
            }
        }
    };
}
for_each_unary_op!(define_unary);

/// The variants without a parameter, in table order (tests iterate over them).
macro_rules! unary_all {
    (@push $vec:ident, LeakyRelu($p:ident : $pty:ty)) => {
        $vec.push(UnaryOp::LeakyRelu(Scalar::new(0.01)));
    };
    (@push $vec:ident, Gelu($p:ident : $pty:ty)) => {
        $vec.push(UnaryOp::Gelu(GeluApprox::Erf));
        $vec.push(UnaryOp::Gelu(GeluApprox::Tanh));
    };
    (@push $vec:ident, $v:ident) => {
        $vec.push(UnaryOp::$v);
    };
    ($($(#[$doc:meta])* $v:ident $(($p:ident : $pty:ty))?, $name:ident, $cost:literal, $rule:ident, $f:expr, grad $d:expr;)*) => {
        impl UnaryOp {
            /// Every unary op without a parameter, plus each parameterised one with a typical
            /// parameter (`leaky_relu(0.01)`, both GELUs), in table order.
            #[allow(clippy::vec_init_then_push)] // one push per row, from the table
            pub fn all() -> Vec<UnaryOp> {
                let mut v = Vec::new();
                $(unary_all!(@push v, $v $(($p: $pty))?);)*
                v
            }
        }
    };
}
for_each_unary_op!(unary_all);

macro_rules! define_binary {
    ($($(#[$doc:meta])* $v:ident, $name:ident, $cost:literal, $rule:ident, $on_bool:ident, $comm:literal, $f:expr, grad $d:expr;)*) => {
        /// Elementwise primitive ops of two operands, broadcasting (the rows of
        /// [`for_each_binary_op!`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum BinaryOp {
            $($(#[$doc])* $v,)*
        }

        impl BinaryOp {
            /// Every binary op, in table order.
            pub const ALL: &'static [BinaryOp] = &[$(BinaryOp::$v),*];

            /// The per-op facts.
            pub fn info(self) -> OpInfo {
                match self {
                    $(BinaryOp::$v => OpInfo { name: stringify!($name), cost: $cost },)*
                }
            }

            /// How the op treats its operands' dtypes.
            pub fn rule(self) -> BinaryRule {
                match self {
                    $(BinaryOp::$v => BinaryRule::$rule,)*
                }
            }

            /// What the op means on bool operands.
            pub fn on_bool(self) -> BoolForm {
                match self {
                    $(BinaryOp::$v => BoolForm::$on_bool,)*
                }
            }

            /// Whether `a op b == b op a`.
            pub fn is_commutative(self) -> bool {
                match self {
                    $(BinaryOp::$v => $comm,)*
                }
            }

            /// Scalar reference implementation in f64.
            #[allow(clippy::redundant_closure_call)]
            pub fn apply_f64(self, a: f64, b: f64) -> f64 {
                match self {
                    $(BinaryOp::$v => ($f)(a, b),)*
                }
            }
        }
    };
}
for_each_binary_op!(define_binary);

impl BinaryOp {
    /// Whether the result is a bool (a comparison).
    pub fn is_comparison(self) -> bool {
        self.rule() == BinaryRule::Compare
    }

    /// Whether the op is bitwise/logical (ints and bools only).
    pub fn is_bitwise(self) -> bool {
        self.rule() == BinaryRule::Bitwise
    }
}

impl UnaryOp {
    /// The op as plans print it: its name, with its parameter where it has one
    /// (`leaky_relu(0.01)`, `gelu(tanh)`).
    pub fn label(self) -> String {
        match self {
            UnaryOp::LeakyRelu(s) => format!("leaky_relu({s})"),
            UnaryOp::Gelu(GeluApprox::Tanh) => "gelu(tanh)".to_string(),
            op => op.info().name.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::Op;
    use crate::{DType, Tensor};

    #[test]
    fn names_are_unique_and_parse_back() {
        let names = crate::tensor::unary_op_names();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "a name appears twice in the op table: {names:?}");
        for op in UnaryOp::all() {
            assert!(names.contains(&op.info().name), "{op:?}");
        }
        let binary: Vec<_> = BinaryOp::ALL.iter().map(|b| b.info().name).collect();
        assert_eq!(binary.len(), 23);
    }

    #[test]
    fn dtype_rules_follow_the_table() {
        let ints = Tensor::from_vec(vec![1i64, -2], [2]).unwrap();
        let bools = Tensor::from_vec(vec![true, false], [2]).unwrap();
        for op in UnaryOp::all() {
            let on_int = ints.unary(op);
            let on_bool = bools.unary(op);
            match op.rule() {
                UnaryRule::Float => {
                    assert_eq!(on_int.unwrap().dtype(), DType::F32, "{op:?}");
                    assert_eq!(on_bool.unwrap().dtype(), DType::F32, "{op:?}");
                }
                UnaryRule::Numeric => {
                    assert_eq!(on_int.unwrap().dtype(), DType::I64, "{op:?}");
                    assert!(on_bool.is_err(), "{op:?}");
                }
                UnaryRule::Rounding | UnaryRule::Any => {
                    assert_eq!(on_int.unwrap().dtype(), DType::I64, "{op:?}");
                    assert_eq!(on_bool.unwrap().dtype(), DType::Bool, "{op:?}");
                }
                UnaryRule::Logical => {
                    assert_eq!(on_int.unwrap().dtype(), DType::Bool, "{op:?}");
                    assert_eq!(on_bool.unwrap().dtype(), DType::Bool, "{op:?}");
                }
                UnaryRule::Bitwise => {
                    assert_eq!(on_int.unwrap().dtype(), DType::I64, "{op:?}");
                    assert_eq!(on_bool.unwrap().dtype(), DType::Bool, "{op:?}");
                    assert!(Tensor::from_vec(vec![1.0f32], [1]).unwrap().unary(op).is_err());
                }
            }
        }
    }

    #[test]
    fn binary_rules_follow_the_table() {
        let ints = Tensor::from_vec(vec![3i32, 4], [2]).unwrap();
        let bools = Tensor::from_vec(vec![true, false], [2]).unwrap();
        let floats = Tensor::from_vec(vec![0.5f64, 1.5], [2]).unwrap();
        for &op in BinaryOp::ALL {
            let on_int = ints.binary(op, &ints).map(|t| t.dtype());
            let on_float = floats.binary(op, &floats).map(|t| t.dtype());
            match op.rule() {
                BinaryRule::Arith => {
                    assert_eq!(on_int, Ok(DType::I32), "{op:?}");
                    assert_eq!(on_float, Ok(DType::F64), "{op:?}");
                }
                BinaryRule::TrueDiv => {
                    assert_eq!(on_int, Ok(DType::F32), "{op:?}");
                    assert_eq!(on_float, Ok(DType::F64), "{op:?}");
                }
                BinaryRule::Compare => assert_eq!(on_float, Ok(DType::Bool), "{op:?}"),
                BinaryRule::Bitwise => {
                    assert_eq!(on_int, Ok(DType::I32), "{op:?}");
                    assert!(on_float.is_err(), "{op:?}");
                }
            }
            let on_bool = bools.binary(op, &bools);
            match op.on_bool() {
                BoolForm::Error => assert!(on_bool.is_err(), "{op:?}"),
                form => {
                    let Op::Binary(b) = on_bool.unwrap().op().clone() else { panic!("{op:?}") };
                    let want = match form {
                        BoolForm::Or => BinaryOp::Or,
                        BoolForm::And => BinaryOp::And,
                        _ => op,
                    };
                    assert_eq!(b, want, "{op:?}");
                }
            }
        }
    }

    #[test]
    fn references_match_plain_formulas() {
        assert_eq!(UnaryOp::Recip.apply_f64(4.0), 0.25);
        assert_eq!(UnaryOp::LeakyRelu(Scalar::new(0.5)).apply_f64(-2.0), -1.0);
        assert_eq!(UnaryOp::Gelu(GeluApprox::Tanh).apply_f64(-1e6), -0.0);
        assert!(UnaryOp::Relu.apply_f64(f64::NAN).is_nan());
        assert_eq!(BinaryOp::Rem.apply_f64(-7.0, 3.0), 2.0);
        assert_eq!(BinaryOp::Maximum.apply_f64(1.0, 2.0), 2.0);
        assert_eq!(UnaryOp::Gelu(GeluApprox::Tanh).label(), "gelu(tanh)");
        assert_eq!(UnaryOp::LeakyRelu(Scalar::new(0.5)).label(), "leaky_relu(0.5)");
    }
}
