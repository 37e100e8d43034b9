//! `Tensor` methods generated from the op table (`op/table.rs`): one per unary row, primitive
//! or composite.

use super::Tensor;
use crate::op::UnaryOp;
use crate::{scoped, Result};

/// `Tensor` methods for the primitive unary ops: one per row of the op table.
macro_rules! unary_methods {
    ($($(#[$doc:meta])* $v:ident $(($p:ident : $pty:ty))?, $name:ident, $cost:literal, $rule:ident, $f:expr, grad $d:expr;)*) => {
        impl Tensor {
            $(
                $(#[$doc])*
                pub fn $name(&self $(, $p: impl Into<$pty>)?) -> Result<Tensor> {
                    self.unary(UnaryOp::$v $(($p.into()))?)
                }
            )*
        }
    };
}
crate::for_each_unary_op!(unary_methods);

/// `Tensor` methods for the composite unary ops: each row's lowering, built inside
/// `scoped(name)` so the errors of its parts name the op the caller called.
macro_rules! composite_methods {
    ($($(#[$doc:meta])* $name:ident, $f:expr;)*) => {
        impl Tensor {
            $(
                $(#[$doc])*
                #[allow(clippy::redundant_closure_call)]
                pub fn $name(&self) -> Result<Tensor> {
                    scoped(stringify!($name), || ($f)(self))
                }
            )*
        }
    };
}
crate::for_each_composite_op!(composite_methods);

/// The names of every unary op, primitive and composite, in table order (the Python layer's
/// bindings and the test that every op has them).
pub fn unary_op_names() -> Vec<&'static str> {
    macro_rules! names {
        ($($(#[$doc:meta])* $v:ident $(($p:ident : $pty:ty))?, $name:ident, $cost:literal, $rule:ident, $f:expr, grad $d:expr;)*) => {
            vec![$(stringify!($name)),*]
        };
    }
    macro_rules! composite_names {
        ($($(#[$doc:meta])* $name:ident, $f:expr;)*) => {
            vec![$(stringify!($name)),*]
        };
    }
    let mut v: Vec<&'static str> = crate::for_each_unary_op!(names);
    v.extend(crate::for_each_composite_op!(composite_names));
    v
}
