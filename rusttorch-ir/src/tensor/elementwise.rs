//! Elementwise ops: unary and binary ops with their dtype rules, `where`, casts, scalar operands,
//! and one convenience method per op.

use super::Tensor;
use crate::op::{BinaryOp, BinaryRule, BoolForm, Op, Scalar, SourceOp, UnaryOp, UnaryRule};
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
    pub(crate) fn to_float(&self) -> Result<Tensor> {
        if self.dtype().is_float() {
            Ok(self.clone())
        } else {
            self.cast(DType::F32)
        }
    }

    /// Applies a unary op, treating the operand's dtype by the op's [`UnaryRule`] (the table's
    /// dtype column): float-valued math (`exp`, `sqrt`, `tanh`, ...) turns int and bool operands
    /// into float32 first; rounding ops are the identity on ints; `neg`, `abs`, `relu` and
    /// `square` keep ints (wrapping) and reject bools; `~` is bitwise on ints and logical on bools.
    pub fn unary(&self, op: UnaryOp) -> Result<Tensor> {
        let d = self.dtype();
        let unsupported = || Error::UnsupportedDType { op: op.info().name, dtype: d };
        let x = match op.rule() {
            UnaryRule::Any => self.clone(),
            UnaryRule::Rounding if !d.is_float() => return Ok(self.clone()),
            UnaryRule::Rounding => self.clone(),
            UnaryRule::Numeric => self.numeric(op.info().name)?,
            UnaryRule::Float => self.to_float()?,
            UnaryRule::Logical if d == DType::Bool => self.clone(),
            UnaryRule::Logical => return self.binary_scalar(BinaryOp::Eq, 0.0),
            UnaryRule::Bitwise if d == DType::Bool => return self.unary(UnaryOp::LogicalNot),
            UnaryRule::Bitwise if d.is_int() => self.clone(),
            UnaryRule::Bitwise => return Err(unsupported()),
        };
        Ok(Tensor::lazy(Op::Unary(op), x.shape().clone(), x.dtype(), smallvec![x]))
    }

    /// This tensor, for an op of numbers that keeps ints and floats but has no meaning on bools
    /// (`neg`, `abs`, `relu6`): an [`Error::UnsupportedDType`] of `op` for a bool tensor.
    pub(crate) fn numeric(&self, op: &'static str) -> Result<Tensor> {
        match self.dtype() {
            DType::Bool => Err(Error::UnsupportedDType { op, dtype: DType::Bool }),
            _ => Ok(self.clone()),
        }
    }

    /// This tensor as the operand of a float-valued op (`softsign`, `mish`): ints become
    /// float32, bools are an [`Error::UnsupportedDType`] of `op` (as in PyTorch).
    pub(crate) fn float_valued(&self, op: &'static str) -> Result<Tensor> {
        self.numeric(op)?.to_float()
    }

    /// Applies a binary op with NumPy broadcasting. Operands are promoted to a common dtype
    /// first ([`DType::promote`]: PyTorch's rules). `/` and `**` with a float exponent are
    /// float-valued (ints become float32); comparisons give bool; `& | ^` take ints and bools;
    /// on bools `+`/`max` are logical or and `*`/`min` logical and.
    pub fn binary(&self, op: BinaryOp, rhs: &Tensor) -> Result<Tensor> {
        let name = op.info().name;
        let shape = Shape::broadcast(name, self.shape(), rhs.shape())?;
        let mut dtype = self.dtype().promote(rhs.dtype());
        let mut op = op;
        if op.rule() == BinaryRule::TrueDiv && !dtype.is_float() {
            dtype = DType::F32;
        }
        if dtype == DType::Bool {
            op = match op.on_bool() {
                BoolForm::Same => op,
                BoolForm::Or => BinaryOp::Or,
                BoolForm::And => BinaryOp::And,
                BoolForm::Error => return Err(Error::UnsupportedDType { op: name, dtype }),
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
    /// `floor(self / rhs)` with Python's signs.
    pub fn floor_divide(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::FloorDiv, rhs)
    }
    /// Python's `%`: the result takes the divisor's sign.
    pub fn remainder(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Rem, rhs)
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
            -1.0 => self.reciprocal(),
            e => {
                let int = exponent.as_int().is_some() || e.fract() == 0.0;
                let kind = if int { ScalarKind::Int } else { ScalarKind::Float };
                self.binary(BinaryOp::Pow, &self.scalar_like(exponent, kind))
            }
        })
    }
    /// Logical and of the truth values (`!= 0`) of `self` and `rhs`, bool result.
    pub fn logical_and(&self, rhs: &Tensor) -> Result<Tensor> {
        self.logical("logical_and", BinaryOp::And, rhs)
    }
    /// Logical or of the truth values (`!= 0`) of `self` and `rhs`, bool result.
    pub fn logical_or(&self, rhs: &Tensor) -> Result<Tensor> {
        self.logical("logical_or", BinaryOp::Or, rhs)
    }
    /// Logical xor of the truth values (`!= 0`) of `self` and `rhs`, bool result.
    pub fn logical_xor(&self, rhs: &Tensor) -> Result<Tensor> {
        self.logical("logical_xor", BinaryOp::Xor, rhs)
    }
    /// The bitwise `op` of both sides cast to bool (where it is the logical op), named `name`.
    fn logical(&self, name: &'static str, op: BinaryOp, rhs: &Tensor) -> Result<Tensor> {
        scoped(name, || self.cast(DType::Bool)?.binary(op, &rhs.cast(DType::Bool)?))
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
