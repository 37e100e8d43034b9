//! Elementwise ops: unary and binary ops with their dtype rules, `where`, casts, scalar operands,
//! and one convenience method per op.

use super::Tensor;
use crate::op::{BinaryOp, GeluApprox, Op, Scalar, SourceOp, UnaryOp};
use crate::{infer, scoped, DType, Error, Result, ScalarKind, Shape};
use smallvec::smallvec;

impl Tensor {
    pub(super) fn float_only(&self, op: &'static str) -> Result<()> {
        if self.dtype().is_float() {
            Ok(())
        } else {
            Err(Error::UnsupportedDType { op, dtype: self.dtype() })
        }
    }

    /// This tensor, converted to `float32` unless it already is a float (what PyTorch does to
    /// the operand of `exp`, `/` and the other float-valued ops).
    pub(super) fn to_float(&self) -> Result<Tensor> {
        if self.dtype().is_float() {
            Ok(self.clone())
        } else {
            self.cast(DType::F32)
        }
    }

    /// Applies a unary op. Float-valued math (`exp`, `sqrt`, `tanh`, ...) turns int and bool
    /// operands into float32 first; rounding ops are the identity on ints; `neg`, `abs`,
    /// `relu` and `square` keep ints (wrapping) and reject bools; `~` is bitwise on ints and
    /// logical on bools.
    pub fn unary(&self, op: UnaryOp) -> Result<Tensor> {
        use UnaryOp::*;
        let d = self.dtype();
        let x = match op {
            Copy => self.clone(),
            Floor | Ceil | Trunc | Round if !d.is_float() => return Ok(self.clone()),
            Floor | Ceil | Trunc | Round => self.clone(),
            Neg | Abs | Relu | Square if d == DType::Bool => {
                return Err(Error::UnsupportedDType { op: op.info().name, dtype: d })
            }
            Neg | Abs | Relu | Square => self.clone(),
            LogicalNot if d == DType::Bool => self.clone(),
            LogicalNot => return self.binary_scalar(BinaryOp::Eq, 0.0),
            BitNot if d == DType::Bool => return self.unary(LogicalNot),
            BitNot if d.is_int() => self.clone(),
            BitNot => return Err(Error::UnsupportedDType { op: op.info().name, dtype: d }),
            _ => self.to_float()?,
        };
        Ok(Tensor::lazy(Op::Unary(op), x.shape().clone(), x.dtype(), smallvec![x]))
    }

    /// Applies a binary op with NumPy broadcasting. Operands are promoted to a common dtype
    /// first ([`DType::promote`]: PyTorch's rules). `/` and `**` with a float exponent are
    /// float-valued (ints become float32); comparisons give bool; `& | ^` take ints and bools;
    /// on bools `+`/`max` are logical or and `*`/`min` logical and.
    pub fn binary(&self, op: BinaryOp, rhs: &Tensor) -> Result<Tensor> {
        use BinaryOp::*;
        let name = op.info().name;
        let shape = Shape::broadcast(name, self.shape(), rhs.shape())?;
        let mut dtype = self.dtype().promote(rhs.dtype());
        let mut op = op;
        if op == Div && !dtype.is_float() {
            dtype = DType::F32;
        }
        if dtype == DType::Bool {
            op = match op {
                Add | Maximum => Or,
                Mul | Minimum => And,
                Sub | Pow | FloorDiv | Rem => return Err(Error::UnsupportedDType { op: name, dtype }),
                other => other,
            };
        }
        if op.is_bitwise() && dtype.is_float() {
            return Err(Error::UnsupportedDType { op: name, dtype });
        }
        let (l, r) = (self.cast(dtype)?, rhs.cast(dtype)?);
        let out = if op.is_comparison() { DType::Bool } else { dtype };
        Ok(Tensor::lazy(Op::Binary(op), shape, out, smallvec![l, r]))
    }

    /// `cond ? a : b` elementwise, broadcasting all three; `a` and `b` are promoted to a common
    /// dtype, and a non-bool `cond` means `cond != 0` (as NumPy).
    pub fn where_cond(&self, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        let shape = infer::where_shape(self.shape(), a.shape(), b.shape())?;
        let cond = if self.dtype() == DType::Bool { self.clone() } else { self.binary_scalar(BinaryOp::Ne, 0.0)? };
        let dtype = a.dtype().promote(b.dtype());
        let (a, b) = (a.cast(dtype)?, b.cast(dtype)?);
        Ok(Tensor::lazy(Op::Where, shape, dtype, smallvec![cond, a, b]))
    }

    /// Converts to `dtype` (a no-op when it already is). Float to int truncates toward zero
    /// and saturates at the int's range, NaN becomes 0 (Rust `as`; defined for every input);
    /// int to int wraps; anything to bool is `x != 0` (so NaN is true).
    pub fn cast(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        if let Op::Source(SourceOp::Full(v)) = self.op() {
            return Tensor::full(self.shape().clone(), *v, dtype);
        }
        if dtype == DType::Bool {
            return self.binary_scalar(BinaryOp::Ne, 0.0);
        }
        Ok(Tensor::lazy(Op::Cast(dtype), self.shape().clone(), dtype, smallvec![self.clone()]))
    }

    /// This tensor as the new value of a tensor of dtype `out` updated in place by `op` (`+=`,
    /// `add_`): cast to `out` when [`DType::can_cast`] allows it, else an
    /// [`Error::InplaceCast`] (as PyTorch, `int_tensor += 0.5` is an error rather than a silent
    /// truncation).
    pub fn cast_inplace(&self, op: &'static str, out: DType) -> Result<Tensor> {
        if !self.dtype().can_cast(out) {
            return Err(Error::InplaceCast { op, result: self.dtype(), out });
        }
        self.cast(out)
    }

    /// Binary op with a scalar right operand of this tensor's dtype (converted by the cast rule).
    pub fn binary_scalar(&self, op: BinaryOp, rhs: impl Into<Scalar>) -> Result<Tensor> {
        self.binary(op, &Tensor::operand_scalar(rhs.into(), self.dtype()))
    }

    /// Binary op with a scalar left operand (`lhs op self`) of this tensor's dtype.
    pub fn rbinary_scalar(&self, op: BinaryOp, lhs: impl Into<Scalar>) -> Result<Tensor> {
        Tensor::operand_scalar(lhs.into(), self.dtype()).binary(op, self)
    }

    /// A scalar of `kind` as an operand for this tensor: of this tensor's dtype unless the
    /// scalar's kind is higher ([`DType::promote_scalar`]: `int_tensor + 0.5` is float32).
    /// An integer scalar next to an int tensor is exact; next to an int32 tensor it wraps to
    /// int32, as PyTorch converts a scalar to the tensor's dtype.
    pub fn scalar_like(&self, value: impl Into<Scalar>, kind: ScalarKind) -> Tensor {
        Tensor::operand_scalar(value.into(), self.dtype().promote_scalar(kind))
    }

    /// `self < rhs`
    pub fn lt(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Lt, rhs)
    }
    /// `self <= rhs`
    pub fn le(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Le, rhs)
    }
    /// `self > rhs`
    pub fn gt(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Gt, rhs)
    }
    /// `self >= rhs`
    pub fn ge(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Ge, rhs)
    }
    /// `self == rhs`, elementwise.
    pub fn eq_elem(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Eq, rhs)
    }
    /// `self != rhs`, elementwise.
    pub fn ne_elem(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Ne, rhs)
    }
    /// Logical not (`x == 0` for non-bools), bool result.
    pub fn logical_not(&self) -> Result<Tensor> {
        self.unary(UnaryOp::LogicalNot)
    }
    /// `~x`: bitwise not of ints, logical not of bools.
    pub fn bitwise_not(&self) -> Result<Tensor> {
        self.unary(UnaryOp::BitNot)
    }
    /// `floor(self / rhs)` with Python's signs.
    pub fn floor_divide(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::FloorDiv, rhs)
    }
    /// Python's `%`: the result takes the divisor's sign.
    pub fn remainder(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Rem, rhs)
    }
    /// Whether each element is NaN (`x != x`).
    pub fn isnan(&self) -> Result<Tensor> {
        scoped("isnan", || self.binary(BinaryOp::Ne, self))
    }
    /// Whether each element is finite (`|x| < inf`; false for NaN).
    pub fn isfinite(&self) -> Result<Tensor> {
        scoped("isfinite", || {
            if !self.dtype().is_float() {
                return Tensor::full(self.shape().clone(), 1.0, DType::Bool);
            }
            self.abs()?.binary_scalar(BinaryOp::Lt, f64::INFINITY)
        })
    }
    /// Whether each element is `+inf` or `-inf`.
    pub fn isinf(&self) -> Result<Tensor> {
        scoped("isinf", || {
            if !self.dtype().is_float() {
                return Tensor::full(self.shape().clone(), 0.0, DType::Bool);
            }
            self.abs()?.binary_scalar(BinaryOp::Eq, f64::INFINITY)
        })
    }
    /// Largest integer not above each element (identity on ints).
    pub fn floor(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Floor)
    }
    /// Smallest integer not below each element (identity on ints).
    pub fn ceil(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Ceil)
    }
    /// Rounds toward zero (identity on ints).
    pub fn trunc(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Trunc)
    }
    /// Rounds to the nearest integer, ties to even (identity on ints).
    pub fn round(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Round)
    }

    /// `-x`
    pub fn neg(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Neg)
    }
    /// `|x|`
    pub fn abs(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Abs)
    }
    /// `e^x`
    pub fn exp(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Exp)
    }
    /// natural log
    pub fn log(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Log)
    }
    /// `ln(1 + x)`, accurate for small `x` (where `log(1 + x)` loses digits)
    pub fn log1p(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Log1p)
    }
    /// `e^x - 1`, accurate for small `x` (where `exp(x) - 1` loses digits)
    pub fn expm1(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Expm1)
    }
    /// square root
    pub fn sqrt(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Sqrt)
    }
    /// `1/sqrt(x)`
    pub fn rsqrt(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Rsqrt)
    }
    /// `1/x`
    pub fn recip(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Recip)
    }
    /// hyperbolic tangent
    pub fn tanh(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Tanh)
    }
    /// logistic sigmoid
    pub fn sigmoid(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Sigmoid)
    }
    /// `max(x, 0)`
    pub fn relu(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Relu)
    }
    /// `x` where `x >= 0`, else `slope * x`
    pub fn leaky_relu(&self, slope: f64) -> Result<Tensor> {
        self.unary(UnaryOp::LeakyRelu(Scalar::new(slope)))
    }
    /// GELU, exact (erf) or tanh-approximated.
    pub fn gelu(&self, approx: GeluApprox) -> Result<Tensor> {
        self.unary(UnaryOp::Gelu(approx))
    }
    /// sine
    pub fn sin(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Sin)
    }
    /// cosine
    pub fn cos(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Cos)
    }
    /// `x*x`
    pub fn square(&self) -> Result<Tensor> {
        self.unary(UnaryOp::Square)
    }
    /// `self ** rhs`
    pub fn pow(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Pow, rhs)
    }
    /// `self ** exponent`; small integer exponents become multiplications. An integral
    /// exponent keeps an int tensor int (exactly, for an integer `exponent`).
    pub fn pow_scalar(&self, exponent: impl Into<Scalar>) -> Result<Tensor> {
        let exponent = exponent.into();
        scoped("pow", || match exponent.get() {
            1.0 => Ok(self.clone()),
            2.0 => self.square(),
            3.0 => self.square()?.binary(BinaryOp::Mul, self),
            0.5 => self.sqrt(),
            -1.0 => self.recip(),
            e => {
                let int = exponent.as_int().is_some() || e.fract() == 0.0;
                let kind = if int { ScalarKind::Int } else { ScalarKind::Float };
                self.binary(BinaryOp::Pow, &self.scalar_like(exponent, kind))
            }
        })
    }
    /// Elementwise maximum.
    pub fn maximum(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Maximum, rhs)
    }
    /// Elementwise minimum.
    pub fn minimum(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Minimum, rhs)
    }
}
