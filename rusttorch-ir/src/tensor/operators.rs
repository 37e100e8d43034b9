//! Binary ops with a tensor or a scalar operand: the `std::ops` operators (`+ - * / % & | ^ ! -`)
//! and the [`Operand`] form dynamic callers (Python) build from their arguments.

use super::Tensor;
use crate::op::{BinaryOp, Scalar};
use crate::{scoped, Result, ScalarKind};

/// Anything that can be the operand of `+ - * /` on tensors.
pub trait IntoOperand {
    /// The operand as a tensor, matching `like`'s dtype for scalars.
    fn into_operand(self, like: &Tensor) -> Result<Tensor>;
}
impl IntoOperand for Tensor {
    fn into_operand(self, _: &Tensor) -> Result<Tensor> {
        Ok(self)
    }
}
impl IntoOperand for &Tensor {
    fn into_operand(self, _: &Tensor) -> Result<Tensor> {
        Ok(self.clone())
    }
}
impl IntoOperand for Result<Tensor> {
    fn into_operand(self, _: &Tensor) -> Result<Tensor> {
        self
    }
}
macro_rules! scalar_operand {
    ($t:ty, $kind:expr) => {
        impl IntoOperand for $t {
            fn into_operand(self, like: &Tensor) -> Result<Tensor> {
                Ok(like.scalar_like(self, $kind))
            }
        }
    };
}
scalar_operand!(f64, ScalarKind::Float);
scalar_operand!(f32, ScalarKind::Float);
scalar_operand!(i64, ScalarKind::Int);
scalar_operand!(i32, ScalarKind::Int);
scalar_operand!(bool, ScalarKind::Bool);

/// The other operand of a binary op with a tensor, as a dynamically typed caller has it: a
/// tensor, or a scalar of a kind, which takes the tensor's dtype unless its kind is higher
/// (`int_tensor + 0.5` is float32), as PyTorch's weak scalars.
#[derive(Clone, Debug)]
pub enum Operand {
    /// A tensor, broadcast against the other side.
    Tensor(Tensor),
    /// A scalar and its kind ([`Tensor::scalar_like`]).
    Scalar(Scalar, ScalarKind),
}

impl Operand {
    /// The operand as a tensor next to `like` (a scalar takes `like`'s dtype or its own kind's).
    pub fn into_tensor(self, like: &Tensor) -> Tensor {
        match self {
            Operand::Tensor(t) => t,
            Operand::Scalar(v, kind) => like.scalar_like(v, kind),
        }
    }
}

impl From<Tensor> for Operand {
    fn from(t: Tensor) -> Operand {
        Operand::Tensor(t)
    }
}

impl From<&Tensor> for Operand {
    fn from(t: &Tensor) -> Operand {
        Operand::Tensor(t.clone())
    }
}

impl IntoOperand for Operand {
    fn into_operand(self, like: &Tensor) -> Result<Tensor> {
        Ok(self.into_tensor(like))
    }
}

/// The name the user knows a binary op by, which its errors carry: the op table's name, but
/// `bitwise_and`/`bitwise_or`/`bitwise_xor` for `&`, `|` and `^`, as in PyTorch.
pub fn binary_op_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::And => "bitwise_and",
        BinaryOp::Or => "bitwise_or",
        BinaryOp::Xor => "bitwise_xor",
        other => other.info().name,
    }
}

impl Tensor {
    /// `self op other`, errors named by [`binary_op_name`]. A scalar exponent of `pow` goes
    /// through [`Tensor::pow_scalar`] (`x ** 2` is `square(x)`).
    pub fn binary_operand(&self, op: BinaryOp, other: Operand) -> Result<Tensor> {
        scoped(binary_op_name(op), || match other {
            Operand::Scalar(v, _) if op == BinaryOp::Pow => self.pow_scalar(v),
            o => self.binary(op, &o.into_tensor(self)),
        })
    }

    /// `other op self` (the reflected operators: `2 - t`), errors named by [`binary_op_name`].
    pub fn rbinary_operand(&self, op: BinaryOp, other: Operand) -> Result<Tensor> {
        scoped(binary_op_name(op), || other.into_tensor(self).binary(op, self))
    }
}

macro_rules! bin_trait {
    ($tr:ident, $m:ident, $op:expr) => {
        impl<R: IntoOperand> std::ops::$tr<R> for Tensor {
            type Output = Result<Tensor>;
            fn $m(self, rhs: R) -> Result<Tensor> {
                let r = rhs.into_operand(&self)?;
                self.binary($op, &r)
            }
        }
        impl<R: IntoOperand> std::ops::$tr<R> for &Tensor {
            type Output = Result<Tensor>;
            fn $m(self, rhs: R) -> Result<Tensor> {
                let r = rhs.into_operand(self)?;
                self.binary($op, &r)
            }
        }
        bin_trait!(@result $tr, $m, $op, Tensor);
        bin_trait!(@result $tr, $m, $op, &Tensor);
    };
    (@result $tr:ident, $m:ident, $op:expr, $r:ty) => {
        impl std::ops::$tr<$r> for Result<Tensor> {
            type Output = Result<Tensor>;
            fn $m(self, rhs: $r) -> Result<Tensor> {
                let l = self?;
                let r = rhs.into_operand(&l)?;
                l.binary($op, &r)
            }
        }
    };
}
bin_trait!(Add, add, BinaryOp::Add);
bin_trait!(Sub, sub, BinaryOp::Sub);
bin_trait!(Mul, mul, BinaryOp::Mul);
bin_trait!(Div, div, BinaryOp::Div);
bin_trait!(Rem, rem, BinaryOp::Rem);
bin_trait!(BitAnd, bitand, BinaryOp::And);
bin_trait!(BitOr, bitor, BinaryOp::Or);
bin_trait!(BitXor, bitxor, BinaryOp::Xor);

impl std::ops::Not for &Tensor {
    type Output = Result<Tensor>;
    fn not(self) -> Result<Tensor> {
        self.bitwise_not()
    }
}
impl std::ops::Not for Tensor {
    type Output = Result<Tensor>;
    fn not(self) -> Result<Tensor> {
        self.bitwise_not()
    }
}

impl std::ops::Neg for &Tensor {
    type Output = Result<Tensor>;
    fn neg(self) -> Result<Tensor> {
        Tensor::neg(self)
    }
}
impl std::ops::Neg for Tensor {
    type Output = Result<Tensor>;
    fn neg(self) -> Result<Tensor> {
        Tensor::neg(&self)
    }
}
