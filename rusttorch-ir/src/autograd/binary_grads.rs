//! The gradients of the binary primitives: the `grad` column of the op table
//! (`for_each_binary_op!`), expanded into one match, plus the formulas too long for a row.
//! Each gives the gradients of both operands in the broadcast shape; the caller sums them back
//! to each operand's shape.

use crate::op::BinaryOp;
use crate::{Error, Result, Tensor};

/// The gradients of both operands (`None`: zero).
pub(super) type Pair = (Option<Tensor>, Option<Tensor>);

fn both(a: Tensor, b: Tensor) -> Result<Pair> {
    Ok((Some(a), Some(b)))
}

/// The row marker of an op whose result is not a float: no gradient reaches it.
fn not_differentiable(a: &Tensor, _b: &Tensor, _y: &Tensor, _g: &Tensor) -> Result<Pair> {
    Err(Error::Internal(format!("a gradient reached an op with a {} result", a.dtype())))
}

macro_rules! binary_grads {
    ($($(#[$doc:meta])* $v:ident, $name:ident, $cost:literal, $rule:ident, $on_bool:ident, $comm:literal, $f:expr, grad $d:expr;)*) => {
        /// The gradients of `a op b` (result `y`) for the incoming gradient `g`.
        pub(super) fn binary_vjp(op: BinaryOp, a: &Tensor, b: &Tensor, y: &Tensor, g: &Tensor) -> Result<Pair> {
            match op {
                $(BinaryOp::$v => {
                    let f: &dyn Fn(&Tensor, &Tensor, &Tensor, &Tensor) -> Result<Pair> = &$d;
                    f(a, b, y, g)
                })*
            }
        }
    };
}
crate::for_each_binary_op!(binary_grads);

/// `a ** b`: `g b a^(b-1)` (0 where `b == 0`, as PyTorch) and `g y ln a` (0 where `a == 0` and
/// `b >= 0`).
pub fn pow_grads(a: &Tensor, b: &Tensor, y: &Tensor, g: &Tensor) -> Result<Pair> {
    let da = g.times(&b.times(&a.binary(BinaryOp::Pow, &b.shift(-1.0)?)?)?)?.zero_where(&b.eq_scalar(0.0)?)?;
    let a_zero = a.eq_scalar(0.0)?.binary(BinaryOp::And, &b.binary_scalar(BinaryOp::Ge, 0.0)?)?;
    let db = g.times(&y.times(&a.log()?)?)?.zero_where(&a_zero)?;
    both(da, db)
}

/// `maximum(a, b)` (`max`) or `minimum`: the gradient goes to the operand picked; on a tie it is
/// split in half, as PyTorch does, unless one side needs no gradient (a clamp bound): then, as
/// PyTorch's `clamp`, a value at the bound gets none.
pub fn extremum_grads(a: &Tensor, b: &Tensor, g: &Tensor, max: bool) -> Result<Pair> {
    let (win, lose) = if max { (BinaryOp::Gt, BinaryOp::Lt) } else { (BinaryOp::Lt, BinaryOp::Gt) };
    if !b.requires_grad() || !a.requires_grad() {
        let da = g.zero_where(&a.binary(win, b)?.logical_not()?)?;
        let db = g.zero_where(&a.binary(lose, b)?.logical_not()?)?;
        return both(da, db);
    }
    let tie = a.binary(BinaryOp::Eq, b)?;
    let half = tie.where_cond(&g.scale(0.5)?, g)?;
    both(half.zero_where(&a.binary(lose, b)?)?, half.zero_where(&a.binary(win, b)?)?)
}
