//! The `std::ops` operators on tensors (`+ - * / % & | ^ ! -`), with scalars or tensors on the
//! right.

use super::Tensor;
use crate::op::BinaryOp;
use crate::{Result, ScalarKind};

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
